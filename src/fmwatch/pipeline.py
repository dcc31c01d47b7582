"""The pipeline: sources -> parse -> warehouse, as one run.

This is the only module that knows every stage. The CLI and the Prefect flows call
these functions; the stages never call back into here.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

from . import __version__, digest
from .citations import CitationLink, resolve_reference
from .evidence import Flag, RecordContext, judge, registry
from .extract.core import EXTRACTOR_VERSION, Document, extract
from .http import MAX_BODY_BYTES, FetchError, Fetcher, RecordingAdapter, ReplayAdapter, shared_limiter
from .parse.fmnetwork import NotAnArticle, is_print_view, parse_article_html, parse_fm_file
from .parse.medline import iter_medline
from .parse.pubmed_xml import NotPubmedXml, iter_pubmed_xml
from .records import ArticleRecord, Deletion, FmArticle, Quarantined
from .settings import Settings, Watch
from .sources.fmnetwork import MAX_PAGE_BYTES, Disallowed, FmNetworkSite, PageState
from .sources.pubmed import EutilsClient, SearchResult
from .warehouse import PublishResult, RunInfo, Warehouse, WarehouseError, new_run_id

log = logging.getLogger("fmwatch.pipeline")

STAGE_BATCH = 1000  # records staged per commit on imports
MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024  # decompressed, per file: a gzip bomb stops here

ProgressCallback = Callable[[str, int, int | None], None]  # (what, done, total)


class RunFailed(RuntimeError):
    """A run stopped. The message names the step and says what was published (usually nothing)."""


# What ends a run with RunFailed (anything else is a bug, and keeps its traceback): the network after
# the last retry, the disk, input the parsers refuse as a whole, and a warehouse that cannot be written.
RUN_ERRORS = (FetchError, OSError, ValueError, WarehouseError)


def _failed(warehouse: Warehouse, run: RunInfo, message: str) -> RunFailed:
    """Drop what the run staged, log it in the runs table if the warehouse can still take a row."""
    try:
        warehouse.record_failure(run, message)
    except WarehouseError as also:  # a full disk may not take the failure's row either
        log.warning("the failed run could not be recorded in the runs table: %s", also)
    return RunFailed(f"nothing was published; {message}")


@dataclass
class RunSummary:
    run_id: str
    command: str
    status: str
    published: PublishResult | None = None
    requests: int = 0
    watches: dict[str, int] = field(default_factory=dict)  # watch -> records fetched
    quarantined: list[Quarantined] = field(default_factory=list)
    fm_pages: dict[str, int] = field(default_factory=dict)  # discovered, not_modified, parsed, ...
    citations: list[CitationLink] = field(default_factory=list)
    extracted: "ExtractSummary | None" = None

    @property
    def exit_code(self) -> int:
        return 3 if self.quarantined else 0


def _noop(what: str, done: int, total: int | None) -> None:
    pass


# --- PubMed -------------------------------------------------------------------------------------

def snapshot_folder(name: str) -> Path:
    """The recorded responses shipped in the package for offline runs."""
    return Path(str(resources.files("fmwatch.snapshot").joinpath(name)))


def make_fetcher(settings: Settings, source: str, *, offline: bool, rate: float | None = None,
                 throttle: Callable[[], None] | None = None, max_bytes: int = MAX_BODY_BYTES) -> Fetcher:
    transport = None
    if offline:  # the shipped snapshot, or one recorded with FMWATCH_RECORD_DIR
        transport = ReplayAdapter(settings.snapshot_dir / source if settings.snapshot_dir else snapshot_folder(source))
    elif settings.record_dir:
        transport = RecordingAdapter(settings.record_dir / source)
    if throttle is None and rate:
        throttle = shared_limiter(source, rate).acquire
    return Fetcher(
        user_agent=user_agent(settings),
        throttle=throttle,
        max_attempts=settings.max_attempts,
        backoff_seconds=settings.backoff_seconds,
        timeout_seconds=settings.timeout_seconds,
        transport=transport,
        max_bytes=max_bytes,
    )


def user_agent(settings: Settings) -> str:
    return f"fmwatch/{__version__} (+{settings.ncbi_email or 'https://github.com/fmwatch'})"


def make_eutils_client(settings: Settings, *, offline: bool = False,
                       throttle: Callable[[], None] | None = None) -> EutilsClient:
    fetcher = make_fetcher(settings, "eutils", offline=offline, rate=settings.rate_limit, throttle=throttle)
    return EutilsClient(
        fetcher, settings.eutils_url,
        api_key=settings.ncbi_api_key.get_secret_value() if settings.ncbi_api_key else None,
        email=settings.ncbi_email, tool=settings.ncbi_tool, batch_size=settings.efetch_batch_size,
    )


def watch_window(warehouse: Warehouse, watch: Watch, settings: Settings, since: date | None,
                 today: date) -> tuple[date | None, date]:
    """(mindate, maxdate) of a watch's incremental search; mindate None means backfill all."""
    if since:
        return since, today
    mark = warehouse.watermark("pubmed", watch.name, watch.query)
    if mark is None:
        return None, today
    return mark - timedelta(days=settings.overlap_days), today


@dataclass
class WatchPlan:
    watch: Watch
    maxdate: date
    windows: list[SearchResult]

    @property
    def total(self) -> int:
        return sum(w.count for w in self.windows)


def parse_batch(body: bytes, origin: str) -> list[ArticleRecord | Deletion | Quarantined]:
    """Parse one efetch answer. Pure: the same body always gives the same records."""
    return list(iter_pubmed_xml(io.BytesIO(body), origin=origin))


def stage_items(warehouse: Warehouse, run_id: str, items: Iterable, origin: str,
                quarantined: list[Quarantined]) -> int:
    good: list[ArticleRecord | Deletion] = []
    bad: list[Quarantined] = []
    for item in items:
        if isinstance(item, FmArticle):
            warehouse.stage_fm_article(run_id, item, origin)
        else:
            (bad if isinstance(item, Quarantined) else good).append(item)
    warehouse.stage_pubmed(run_id, good, origin)
    warehouse.stage_quarantine(run_id, bad)
    quarantined.extend(bad)
    return len(good)


# --- Fibromyalgia Network ---------------------------------------------------------------------

def make_fm_site(settings: Settings, *, offline: bool = False) -> FmNetworkSite:
    fetcher = make_fetcher(settings, "fmnetwork", offline=offline, max_bytes=MAX_PAGE_BYTES)
    return FmNetworkSite(fetcher, settings.fmnetwork_url, user_agent=user_agent(settings),
                         crawl_delay=0.0 if offline else settings.crawl_delay_seconds)


def crawl_fmnetwork(site: FmNetworkSite, warehouse: Warehouse, run_id: str, summary: RunSummary,
                    progress: ProgressCallback = _noop) -> list[FmArticle]:
    """Fetch the new or changed articles into staging; an unchanged page costs a 304 and no parse."""
    states = warehouse.page_states()
    found, method = site.discover(warehouse.newest_fm_article(), {url: s[3] for url, s in states.items()})
    counts = summary.fm_pages
    counts.update(discovered=len(found), not_modified=0, unchanged=0, parsed=0, disallowed=0, failed=0)
    articles = []
    for number, item in enumerate(found, start=1):
        known = states.get(item.url)
        state = PageState(item.url, *known[:3]) if known else None
        try:
            page = site.get(item.url, state)
        except Disallowed:
            counts["disallowed"] += 1
            continue
        except FetchError as error:
            counts["failed"] += 1
            summary.quarantined.append(Quarantined("fmnetwork", item.url, f"fetch failed: {error}", b""))
            continue
        finally:
            progress(f"fmnetwork ({method})", number, len(found))
        if page.status == 304:
            counts["not_modified"] += 1
            continue
        sha = hashlib.sha256(page.body).hexdigest()
        warehouse.stage_page_state(run_id, item.url, page.status, page.etag, page.last_modified, sha)
        if state and state.content_sha256 == sha:
            counts["unchanged"] += 1
            continue
        try:
            article = parse_article_html(page.body, item.url)
        except (NotAnArticle, ValueError) as error:
            summary.quarantined.append(Quarantined("fmnetwork", item.url, f"not an article: {error}", page.body))
            continue
        counts["parsed"] += 1
        warehouse.stage_fm_article(run_id, article, item.url)
        articles.append(article)
    warehouse.stage_quarantine(run_id, [q for q in summary.quarantined if q.source == "fmnetwork"])
    warehouse.stage_raw(run_id, site.fetcher.drain())
    return articles


def link_citations(client: EutilsClient, warehouse: Warehouse, run_id: str,
                   articles: Sequence[FmArticle]) -> list[CitationLink]:
    """Resolve every reference of these articles, and fetch cited records the warehouse lacks."""
    links = [resolve_reference(client, article.record_id, index, reference, _citation_context(article))
             for article in articles for index, reference in enumerate(article.references)]
    warehouse.stage_citations(run_id, links)
    wanted = {link.pmid for link in links if link.pmid}
    missing = wanted - warehouse.known_pmids(wanted)
    already_read = {r.pmid: r for link in links for r in link.fetched if r.pmid in missing}
    warehouse.stage_pubmed(run_id, list(already_read.values()), "citation")
    if missing - set(already_read):
        body = client.efetch_ids(sorted(missing - set(already_read)))
        stage_items(warehouse, run_id, iter_pubmed_xml(io.BytesIO(body), origin="citation"), "citation", [])
    warehouse.stage_raw(run_id, client.fetcher.drain())
    return links


def _citation_context(article: FmArticle) -> str:
    """What the article says about the study: its title and body, less the reference lines
    themselves (a journal called "Sleep" is no evidence that the study is about sleep)."""
    body = article.body
    for reference in article.references:
        body = body.replace(reference.raw_text, "")
    return f"{article.title}\n{body}"


# --- extraction and flags ------------------------------------------------------------------------

@dataclass
class ExtractSummary:
    records: int = 0
    flags: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (record_id, error)


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
    for slug, version, title, body, reports_on in fm_rows:
        doc = Document(f"fmnetwork:{slug}", "fmnetwork", title, {"title": title, "body": body})
        yield doc, version, RecordContext(reports_on=list(reports_on or []), cited_pmids=set(reports_on or []), text=body)


def document_of(item: ArticleRecord | FmArticle) -> tuple[Document, RecordContext]:
    """The extraction input and judgement context of a parsed record (no warehouse needed)."""
    if isinstance(item, FmArticle):
        return Document.from_fm_article(item), RecordContext(text=item.body)
    corrections = [(c.ref_type, c.pmid) for c in item.comments_corrections]
    return Document.from_article(item), RecordContext(
        publication_types=item.publication_types, comments_corrections=corrections,
        cited_pmids={pmid for kind, pmid in corrections if kind == "Cites" and pmid},
        text=f"{item.title}\n{item.abstract or ''}")


def extract_files(paths: Sequence[Path]) -> Iterator[dict | Quarantined]:
    """Evidence records of local files, one per record, without touching the warehouse."""
    for path in paths:
        for item in iter_file_items(Path(path)):
            if isinstance(item, Quarantined):
                yield item
            elif not isinstance(item, Deletion):
                record, _ = evidence_record(*document_of(item))
                yield record


def evidence_record(doc: Document, context: RecordContext) -> tuple[dict, list[Flag]]:
    """The full evidence record of one document: extracted details, then judged against the claims."""
    record = extract(doc)
    _, flags = judge(record, context)
    return record, flags


def extract_and_flag(warehouse: Warehouse, run_id: str, *, everything: bool = False,
                     progress: ProgressCallback = _noop) -> ExtractSummary:
    """Extract and judge every current record version that has no evidence yet (all with
    ``everything``), and publish the evidence and flags in one transaction."""
    pubmed_rows, fm_rows = warehouse.pending_evidence(everything)
    known = warehouse.known_pmids(
        c["pmid"] for row in pubmed_rows for c in (row[8] or []) if c["pmid"] and c["ref_type"].endswith(("Of", "For")))
    summary = ExtractSummary()
    rows, flags = [], []
    total = len(pubmed_rows) + len(fm_rows)
    for number, (doc, version, context) in enumerate(documents_from_warehouse(pubmed_rows, fm_rows), start=1):
        context.known_pmids = known
        try:
            record, raised = evidence_record(doc, context)
        except Exception as error:  # one record the rules choke on must not stop the others
            log.exception("extraction failed for %s", doc.record_id)
            summary.failed.append((doc.record_id, f"{type(error).__name__}: {error}"))
            continue
        rows.append((doc.record_id, version, doc.source, EXTRACTOR_VERSION, record))
        flags += [(flag, version) for flag in raised]
        progress("extract", number, total)
        if len(rows) >= STAGE_BATCH:
            warehouse.stage_evidence(run_id, rows, flags)
            summary.records, summary.flags = summary.records + len(rows), summary.flags + len(flags)
            rows, flags = [], []
    warehouse.stage_evidence(run_id, rows, flags)
    summary.records, summary.flags = summary.records + len(rows), summary.flags + len(flags)
    warehouse.publish_evidence()
    return summary


def reextract(settings: Settings, progress: ProgressCallback = _noop) -> ExtractSummary:
    """Run the extractor and the judgement again over every current record (after they change)."""
    with Warehouse.from_settings(settings) as warehouse:
        warehouse.clear_staging()
        return extract_and_flag(warehouse, new_run_id(), everything=True, progress=progress)


# --- the digest ------------------------------------------------------------------------------

@dataclass
class DigestResult:
    digest_id: str
    items: int
    html_path: Path | None
    markdown_path: Path | None
    markdown: str
    html: str


def make_digest(settings: Settings, *, since: datetime | None = None, until: datetime | None = None,
                out_dir: Path | None = None) -> DigestResult:
    """Render the digest of what is new (since the last one, or in the window), store it in
    ``digests`` and, with ``out_dir``, write its HTML and Markdown there."""
    with Warehouse.from_settings(settings) as warehouse:
        built = digest.build_digest(warehouse, since, until)
        html, markdown = digest.render(built)
        digest_id = digest.store(warehouse, built, html, markdown)
    html_path = markdown_path = None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = f"digest-{built.window_end:%Y-%m-%d}"
        html_path, markdown_path = out_dir / f"{stem}.html", out_dir / f"{stem}.md"
        html_path.write_text(html, encoding="utf-8")
        markdown_path.write_text(markdown, encoding="utf-8")
    return DigestResult(digest_id, len(built.items), html_path, markdown_path, markdown, html)


# --- a run ------------------------------------------------------------------------------------------

SOURCES = ("pubmed", "fmnetwork")


class PipelineRun:
    """One run, step by step. ``run_pipeline`` calls the steps in order; the Prefect flows call
    the very same steps as tasks (a batch, a page), so both paths share every line of logic.

    Use it as a context manager: it opens the warehouse and clears what a killed run left staged.
    """

    def __init__(self, settings: Settings, *, offline: bool = False, sources: Sequence[str] = SOURCES,
                 since: date | None = None, today: date | None = None, throttle: Callable[[], None] | None = None,
                 progress: ProgressCallback = _noop, command: str = "run"):
        self.settings, self.offline, self.sources, self.since = settings, offline, list(sources), since
        self.today = today or date.today()
        self.progress = progress
        self.info = RunInfo(run_id=new_run_id(), command=command, sources=",".join(sources), offline=offline)
        self.summary = RunSummary(self.info.run_id, command, "running")
        self.client = make_eutils_client(settings, offline=offline, throttle=throttle)
        self.site = make_fm_site(settings, offline=offline) if "fmnetwork" in sources else None
        self.warehouse: Warehouse | None = None

    def __enter__(self) -> "PipelineRun":
        self.warehouse = Warehouse.from_settings(self.settings)
        self.warehouse.clear_staging()
        return self

    def __exit__(self, *exc) -> None:
        self.warehouse.close()

    @property
    def run_id(self) -> str:
        return self.info.run_id

    def requests(self) -> int:
        return self.client.fetcher.requests_made + (self.site.fetcher.requests_made if self.site else 0)

    # --- PubMed, batch by batch ---------------------------------------------------------------

    def plan_watch(self, watch: Watch) -> WatchPlan:
        mindate, maxdate = watch_window(self.warehouse, watch, self.settings, self.since, self.today)
        return WatchPlan(watch, maxdate, self.client.search_windows(watch.query, mindate, maxdate))

    def fetch_batch(self, search: SearchResult, retstart: int):
        return self.client.efetch_batch(search, retstart)

    def stage_parsed(self, items: list, origin: str) -> int:
        count = stage_items(self.warehouse, self.run_id, items, origin, self.summary.quarantined)
        self.warehouse.stage_raw(self.run_id, self.client.fetcher.drain())
        return count

    def finish_watch(self, plan: WatchPlan, count: int) -> None:
        self.warehouse.stage_raw(self.run_id, self.client.fetcher.drain())  # searches that found nothing
        self.warehouse.stage_watermark("pubmed", plan.watch.name, plan.watch.query, plan.maxdate, self.run_id)
        self.summary.watches[plan.watch.name] = count
        self.info.watermark = self.today

    def ingest_watch(self, watch: Watch) -> int:
        plan = self.plan_watch(watch)
        done = 0
        for window in plan.windows:
            for retstart in self.client.batch_starts(window):
                batch = self.fetch_batch(window, retstart)
                done += self.stage_parsed(parse_batch(batch.body, batch.url), batch.url)
                self.progress(f"pubmed {watch.name}", done, plan.total)
        self.finish_watch(plan, done)
        return done

    def find_citing(self) -> int:
        """Records citing each reference study, by ELink (pubmed_pubmed_citedin): one request each."""
        found = 0
        for reference in registry():
            if reference.pmid:
                citing = self.client.elink_citedin(reference.pmid)
                self.warehouse.stage_citing(reference.pmid, citing, self.run_id)
                found += len(citing)
        self.warehouse.stage_raw(self.run_id, self.client.fetcher.drain())
        return found

    # --- the FM Network site -----------------------------------------------------------------

    def ingest_fmnetwork(self) -> list[CitationLink]:
        articles = crawl_fmnetwork(self.site, self.warehouse, self.run_id, self.summary, self.progress)
        self.summary.citations = link_citations(self.client, self.warehouse, self.run_id, articles)
        return self.summary.citations

    # --- the end of a run --------------------------------------------------------------------

    def publish(self) -> RunSummary:
        self.info.requests = self.requests()
        self.summary.published = self.warehouse.publish(self.info)
        self.summary.status = self.summary.published.status
        self.summary.requests = self.info.requests
        return self.summary

    def extract_and_flag(self) -> ExtractSummary:
        self.summary.extracted = extract_and_flag(self.warehouse, self.run_id, progress=self.progress)
        return self.summary.extracted

    def fail(self, step: str, error: Exception) -> RunFailed:
        """Drop what was staged, log the failure in the runs table, and say which step failed."""
        self.info.requests = self.requests()
        return _failed(self.warehouse, self.info, f"{step}: {error}")

    def run_all(self) -> RunSummary:
        step = "start"
        try:
            if "pubmed" in self.sources:
                for watch in self.settings.watches:
                    step = f"pubmed watch {watch.name!r}"
                    self.ingest_watch(watch)
                step = "records citing the reference studies (ELink)"
                self.find_citing()
            if self.site is not None:
                step = "fmnetwork crawl and citation linking"
                self.ingest_fmnetwork()
            step = "publish"
            self.publish()
        except RUN_ERRORS as error:
            raise self.fail(step, error) from None
        try:
            self.extract_and_flag()
        except WarehouseError as error:
            raise RunFailed(f"the records were published, but not their evidence and flags (the next run "
                            f"catches them up); extract and flag: {error}") from None
        return self.summary


def run_pipeline(settings: Settings, *, offline: bool = False, sources: Sequence[str] = SOURCES,
                 since: date | None = None, today: date | None = None,
                 progress: ProgressCallback = _noop, throttle: Callable[[], None] | None = None) -> RunSummary:
    """Fetch what is new for every watch and from the FM Network site, publish it as one run,
    then extract and judge the new record versions."""
    with PipelineRun(settings, offline=offline, sources=sources, since=since, today=today, throttle=throttle,
                     progress=progress) as run:
        return run.run_all()


# --- local files ----------------------------------------------------------------------------------

def detect_format(path: Path, head: bytes) -> str:
    """pubmed-xml, medline, fm-page, fm-print or unknown, from the first bytes (and the name)."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    lowered = text[:4096].lower()
    if b"<html" in lowered or lowered.startswith(b"<!doctype html"):
        return "fm-page"
    if text.startswith(b"<?xml") or text.startswith(b"<!DOCTYPE Pubmed") or text.startswith(b"<Pubmed"):
        return "pubmed-xml"
    if text.startswith(b"PMID-") or text[:5] == b"PMID ":
        return "medline"
    if is_print_view(head.decode("utf-8", "replace")):
        return "fm-print"
    if path.suffix.lower() in (".html", ".htm"):
        return "fm-page"
    return "unknown"


def _open_bytes(path: Path) -> io.BufferedIOBase:
    if path.suffix == ".gz":
        return _BoundedReader(gzip.open(path, "rb"), MAX_IMPORT_BYTES, str(path))
    return open(path, "rb")


class _BoundedReader(io.RawIOBase):
    """A reader that refuses to yield more than ``limit`` bytes (a gzip bomb stops here)."""

    def __init__(self, inner, limit: int, name: str):
        self.inner, self.limit, self.name, self.read_so_far = inner, limit, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            raise ValueError(f"{self.name} decompresses to more than {self.limit} bytes")
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        self.read_so_far = 0
        return self.inner.seek(offset, whence)

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self.inner.close()
        super().close()


def iter_file_items(path: Path) -> Iterator[ArticleRecord | Deletion | Quarantined]:
    """Every record of one local file; an unreadable file is one quarantined item."""
    origin = str(path.resolve())
    with _open_bytes(path) as handle:
        head = handle.read(256 * 1024)  # a print view's "Article printed from" sits near its end
        handle.seek(0)
        kind = detect_format(path, head)
        try:
            if kind == "pubmed-xml":
                yield from iter_pubmed_xml(handle, origin=origin)
            elif kind == "medline":
                yield from iter_medline(handle.read(), origin)
            elif kind in ("fm-page", "fm-print"):
                yield parse_fm_file(handle.read(MAX_PAGE_BYTES + 1)[:MAX_PAGE_BYTES])
            else:
                raise ValueError("not a recognised format (PubMed XML, MEDLINE text, an article page or print view)")
        except (NotPubmedXml, NotAnArticle, ValueError) as error:
            # Keep the file as it is on disk (compressed, for a .gz), not what it expands to.
            yield Quarantined("file", origin, f"{path.name}: {error}", path.read_bytes())


def import_files(settings: Settings, paths: Sequence[Path], progress: ProgressCallback = _noop, *,
                 offline: bool = False, extract: bool = True) -> RunSummary:
    """Load local files as one run; importing the same files again changes nothing.

    Articles' references are linked through E-utilities (the snapshot when ``offline``).
    """
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"no such file: {', '.join(missing)}")
    run = RunInfo(run_id=new_run_id(), command="import", sources="file")
    summary = RunSummary(run.run_id, "import", "running")
    with Warehouse.from_settings(settings) as warehouse:
        warehouse.clear_staging()
        client = make_eutils_client(settings, offline=offline)
        articles: list[FmArticle] = []
        try:
            for number, path in enumerate(paths, start=1):
                path = Path(path)
                batch: list = []
                for item in iter_file_items(path):
                    if isinstance(item, FmArticle):
                        articles.append(item)
                    batch.append(item)
                    if len(batch) >= STAGE_BATCH:
                        stage_items(warehouse, run.run_id, batch, str(path.resolve()), summary.quarantined)
                        batch = []
                stage_items(warehouse, run.run_id, batch, str(path.resolve()), summary.quarantined)
                progress("import", number, len(paths))
            summary.citations = link_citations(client, warehouse, run.run_id, articles)
            run.requests = client.fetcher.requests_made
            summary.published = warehouse.publish(run, record_noop=False)
        except RUN_ERRORS as error:
            raise _failed(warehouse, run, f"import: {error}") from None
        if extract:
            summary.extracted = extract_and_flag(warehouse, run.run_id, progress=progress)
    summary.status = "quarantined" if summary.quarantined else summary.published.status
    return summary
