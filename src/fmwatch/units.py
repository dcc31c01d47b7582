"""The units of work a worker process runs: parse a file, extract and judge a batch (issue 15b).

Pure functions of picklable arguments, returning small results (Parquet paths, Arrow tables), so
``fmwatch.workers.WorkerPool`` (or a Prefect task runner) can run them in other processes while one
publisher writes the warehouse. They live apart from ``fmwatch.pipeline`` so that a worker imports
only what they need (the parsers, the extractor, the evidence rules, Arrow): not the settings,
the HTTP clients, the site crawler or the digest (measured: 0.5 s of CPU less for each worker a
run starts, about half its start-up). ``fmwatch.pipeline`` re-exports them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .evidence import Flag, RecordContext, judge
from .extract.core import EXTRACTOR_VERSION, Document, extract
from .records import ArticleRecord, Deletion, FmArticle, Quarantined
from .sources.files import iter_file_items
from .warehouse import evidence_tables, staged_pubmed_table

STAGE_BATCH = 1000  # records staged per commit on imports


def documents_from_warehouse(pubmed_rows, fm_rows) -> Iterator[tuple[Document, int, RecordContext]]:
    """Documents for extraction, from the rows of queries/pending_*_evidence.sql."""
    for pmid, version, title, abstract, types, mesh, language, doi, corrections, cites in pubmed_rows:
        fields = {"title": title or "", "abstract": abstract or ""}
        if types:
            fields["publication_types"] = "; ".join(types)
        if mesh:
            fields["mesh"] = "; ".join(mesh)
        doc = Document(f"pubmed:{pmid}", "pubmed", title or "", fields, pmid, doi, types or [], mesh or [], language)
        context = RecordContext(publication_types=types or [],
                                comments_corrections=[(c["ref_type"], c["pmid"]) for c in corrections or []],
                                cited_pmids={c["pmid"] for c in corrections or [] if c["ref_type"] == "Cites" and c["pmid"]}
                                | set(cites or []),
                                text=f"{title}\n{abstract or ''}")
        yield doc, version, context
    for slug, version, title, body, reports_on, record_id in fm_rows:
        # a saved page from another site (record_id file:<page key>) is read as a lay article too
        doc = Document(record_id or f"fmnetwork:{slug}", "fmnetwork", title, {"title": title, "body": body})
        yield doc, version, RecordContext(reports_on=list(reports_on or []), cited_pmids=set(reports_on or []), text=body)


def document_of(item: ArticleRecord | FmArticle) -> tuple[Document, RecordContext]:
    """The extraction input and judgement context of a parsed record (no warehouse needed)."""
    if isinstance(item, FmArticle):
        return Document.from_fm_article(item), RecordContext(text=item.body)
    corrections = [(c.ref_type, c.pmid) for c in item.comments_corrections]
    return Document.from_article(item), RecordContext(
        publication_types=item.publication_types, comments_corrections=corrections,
        cited_pmids=item.cited_pmids,
        text=f"{item.title}\n{item.abstract or ''}")


def evidence_record(doc: Document, context: RecordContext) -> tuple[dict, list[Flag]]:
    """The full evidence record of one document: extracted details, then judged against the claims."""
    record = extract(doc)
    _, flags = judge(record, context)
    return record, flags


@dataclass
class ExtractedBatch:
    """What one extraction unit hands back: Arrow tables ready to stage, and the records that failed."""
    evidence: "pa.Table"
    flags: "pa.Table"
    failed: list[tuple[str, str]]


def extract_unit(run_id: str, pubmed_rows: list[tuple], fm_rows: list[tuple], known: set[str]) -> ExtractedBatch:
    """Extract and judge one batch of pending rows (``Warehouse.iter_pending_evidence``'s shapes).

    Pure and picklable, so it runs in a worker process: it reads no warehouse (``known``, the PMIDs
    the warehouse holds among the batch's retraction/erratum links, comes with it) and returns the
    staged tables with their JSON already encoded. A record the rules choke on is reported in
    ``failed`` and does not stop the others.
    """
    rows, flags, failed = [], [], []
    for doc, version, context in documents_from_warehouse(pubmed_rows, fm_rows):
        context.known_pmids = known
        try:
            record, raised = evidence_record(doc, context)
        except Exception as error:  # one record the rules choke on must not stop the others
            failed.append((doc.record_id, f"{type(error).__name__}: {error}"))
            continue
        # the record's source as its id says (a saved page is "file", though read as a lay article)
        rows.append((doc.record_id, version, doc.record_id.partition(":")[0], EXTRACTOR_VERSION, record))
        flags += [(flag, version) for flag in raised]
    evidence, flag_table = evidence_tables(run_id, rows, flags)
    return ExtractedBatch(evidence, flag_table, failed)


# Staged rows of the n-th file of an import are numbered from n << 32, so the last copy of a PMID
# in the last file wins however the worker processes finish (a file holds far fewer than 2**32).
_FILE_SEQ_SHIFT = 32


@dataclass
class ParsedFile:
    """What one parse unit hands back: the Parquet chunks of its PubMed rows, and the rest as objects."""
    origin: str
    parquet: list[str]
    records: int
    fm_articles: list[FmArticle]
    quarantined: list[Quarantined]


def parse_file_unit(path: str, number: int, run_id: str, spool: str, chunk: int = STAGE_BATCH,
                    origin: str | None = None) -> ParsedFile:
    """Parse one local file into staged PubMed rows, written as Parquet files of ``chunk`` rows
    under ``spool`` (named by ``number``, the file's place in the import).

    Pure and picklable (it writes only its own spool files), so it runs in a worker process; the
    content hash and the row building happen here, not in the publisher. Unreadable input comes
    back quarantined, as with ``iter_file_items``. ``origin`` (default: the resolved path) is what
    the rows say they came from.
    """
    origin = origin or str(Path(path).resolve())
    parsed = ParsedFile(origin, [], 0, [], [])
    batch: list[ArticleRecord | Deletion] = []

    def flush() -> None:
        if batch:
            table = staged_pubmed_table(batch, run_id, origin, (number << _FILE_SEQ_SHIFT) + parsed.records)
            target = Path(spool) / f"file-{number:07d}-{len(parsed.parquet):05d}.parquet"
            pq.write_table(table, target, compression="lz4")
            parsed.parquet.append(str(target))
            parsed.records += len(batch)
            batch.clear()

    for item in iter_file_items(Path(path)):
        if isinstance(item, Quarantined):
            parsed.quarantined.append(item)
        elif isinstance(item, FmArticle):
            parsed.fm_articles.append(item)
        else:
            batch.append(item)
            if len(batch) >= chunk:
                flush()
    flush()
    return parsed
