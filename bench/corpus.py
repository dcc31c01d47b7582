"""The benchmark's corpus: distinct real records, turned into PubMed XML at bench time (issue 15b).

Nothing here is stored in the repository: every record is built in a temporary folder from the
shared data, read in place (../shared):

- fixtures/pubmed-files/medline16n0902.xml.gz: a whole 2016 MEDLINE update file, 604 real
  citations with authors, MeSH, structured abstracts, in the old MedlineCitationSet shape, each
  wrapped here as a PubmedArticle with its PubmedData (entrez date, article ids);
- eval/ebm_nlp: the EBM-NLP abstracts of randomised trials (difficulty subset, SciBERT's dev and
  test files), by PMID;
- eval/evidence_inference/abstracts.jsonl.gz: the Evidence Inference 2.0 abstracts with their
  section labels (no PMID: numbered from 90,000,000);
- eval/pico_corpus/pico_corpus.jsonl: the PICO-Corpus abstracts, by PMID.

Records are distinct by PMID and by text. A corpus larger than the pool repeats the pool under
fresh PMIDs and says so (``Corpus.distinct``): the memory figures at 50k use that, the speed
ratios are taken on distinct records only.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

_CITATION = re.compile(rb"<MedlineCitation[ >].*?</MedlineCitation>", re.S)
_PMID = re.compile(rb"<PMID[^>]*>(\d+)</PMID>")
_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)
# NLM's DOCTYPE line (Bio.Entrez, the reference, needs it; fmwatch never loads the DTD)
HEAD = (b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
        b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')
TAIL = b"</PubmedArticleSet>\n"


def _pubmed_data(pmid: str, entrez: date) -> bytes:
    return (f'<PubmedData><History><PubMedPubDate PubStatus="entrez"><Year>{entrez.year}</Year><Month>{entrez.month}'
            f'</Month><Day>{entrez.day}</Day></PubMedPubDate></History><PublicationStatus>ppublish</PublicationStatus>'
            f'<ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData>').encode()


def _entrez(n: int) -> date:
    return date(2016, 1, 1) + timedelta(days=n % 3000)


def medline_citations(shared: Path) -> list[tuple[str, bytes]]:
    """(PMID, PubmedArticle) for every MedlineCitation of the 2016 update file."""
    data = gzip.decompress((shared / "fixtures" / "pubmed-files" / "medline16n0902.xml.gz").read_bytes())
    out = []
    for n, citation in enumerate(_CITATION.findall(data)):
        pmid = _PMID.search(citation).group(1).decode()
        out.append((pmid, b"<PubmedArticle>" + citation + _pubmed_data(pmid, _entrez(n)) + b"</PubmedArticle>"))
    return out


def _article(pmid: str, title: str, sections: list[tuple[str | None, str]], n: int, journal: str,
             publication_type: str) -> bytes:
    abstract = "".join(
        f'<AbstractText Label="{escape(label.strip().upper())}">{escape(text)}</AbstractText>' if label
        else f"<AbstractText>{escape(text)}</AbstractText>" for label, text in sections if text.strip())
    entrez = _entrez(n)
    return (f'<PubmedArticle><MedlineCitation Status="PubMed-not-MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
            f'<Article PubModel="Print"><Journal><Title>{escape(journal)}</Title><JournalIssue><PubDate><Year>'
            f'{entrez.year}</Year></PubDate></JournalIssue></Journal><ArticleTitle>{escape(title)}</ArticleTitle>'
            f'<Abstract>{abstract}</Abstract><Language>eng</Language><PublicationTypeList><PublicationType>'
            f'{publication_type}</PublicationType></PublicationTypeList></Article></MedlineCitation>').encode() \
        + _pubmed_data(pmid, entrez) + b"</PubmedArticle>"


def _title_and_rest(text: str) -> tuple[str, str]:
    """The first sentence as the title (the EBM-NLP files put the title first), the rest as the abstract."""
    match = re.search(r"(?<=[.?!])\s+", text)
    return (text[: match.start()], text[match.end():]) if match else (text, "")


def abstract_records(shared: Path) -> list[tuple[str, bytes]]:
    """(PMID, PubmedArticle) for the annotated corpora's abstracts, in a fixed order."""
    records: list[tuple[str, str, list]] = []  # (pmid, title, sections)
    eval_dir = shared / "eval"
    with tarfile.open(eval_dir / "ebm_nlp" / "ebm_nlp_difficulty.tar.gz") as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            if member.name.endswith(".tokens") and "/documents/" in member.name and "/._" not in member.name:
                tokens = archive.extractfile(member).read().decode("utf-8", "replace").split()
                title, rest = _title_and_rest(" ".join(tokens))
                records.append((Path(member.name).stem, title, [(None, rest)]))
    for name in ("scibert_ebmnlp_dev.txt", "scibert_ebmnlp_test.txt"):
        for chunk in (eval_dir / "ebm_nlp" / name).read_text(encoding="utf-8").split("-DOCSTART- (")[1:]:
            pmid, _, body = chunk.partition(")")
            sentences = [" ".join(line.split(" ")[0] for line in block.splitlines() if line.strip())
                         for block in body.split("\n\n")]
            sentences = [s for s in sentences if s]
            if sentences:
                records.append((pmid.strip(), sentences[0], [(None, " ".join(sentences[1:]))]))
    with gzip.open(eval_dir / "evidence_inference" / "abstracts.jsonl.gz", "rt", encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            item = json.loads(line)
            sections = [(h, t) for h, t in item.get("abstract_sections") or []] or [(None, item.get("abstract") or "")]
            records.append((str(90_000_000 + n), item.get("title") or "", sections))
    for line in (eval_dir / "pico_corpus" / "pico_corpus.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        title, rest = _title_and_rest(item.get("text") or "")
        records.append((str(item["pmid"]), title, [(None, rest)]))
    out = []
    for n, (pmid, title, sections) in enumerate(records):
        journal, kind = ("Evidence Inference", "Journal Article") if pmid.startswith("9") and len(pmid) == 8 \
            else ("Trials", "Randomized Controlled Trial")
        out.append((pmid, _article(pmid, title, sections, n, journal, kind)))
    return out


@dataclass
class Corpus:
    files: list[Path]
    records: int
    distinct: int  # records that are distinct real ones; the rest repeat them under fresh PMIDs


def distinct_pool(shared: Path, medline: bool = True, abstracts: bool = True) -> list[bytes]:
    """Every distinct real record (by PMID, then by text), medline first. ``abstracts=False`` keeps
    only the complete MEDLINE citations (authors, MeSH, structured abstracts: the shape of NLM's
    baseline files); ``medline=False`` only the short annotated abstracts."""
    seen_pmids, seen_text, pool = set(), set(), []
    chosen = (medline_citations(shared) if medline else []) + (abstract_records(shared) if abstracts else [])
    for pmid, article in chosen:
        key = re.sub(rb"<PMID[^>]*>\d+</PMID>|<ArticleId[^>]*>\d+</ArticleId>", b"", article)
        if pmid in seen_pmids or key in seen_text or b"<AbstractText" not in article and b"<ArticleTitle>" not in article:
            continue
        seen_pmids.add(pmid)
        seen_text.add(key)
        pool.append(article)
    return pool


def _renumbered(article: bytes, pmid: int) -> bytes:
    article = re.sub(rb"(<MedlineCitation[^>]*>\s*<PMID[^>]*>)\d+(</PMID>)", rb"\g<1>%d\g<2>" % pmid, article, count=1)
    return re.sub(rb'(<ArticleId IdType="pubmed">)\d+(</ArticleId>)', rb"\g<1>%d\g<2>" % pmid, article)


def write_corpus(pool: list[bytes], n: int, folder: Path, per_file: int, gzipped: bool = False,
                 deleted: int = 0) -> Corpus:
    """``n`` records in files of ``per_file`` (a baseline file holds 30,000), the pool first, then
    the pool again under fresh PMIDs (80,000,000 + i) when ``n`` exceeds it. ``deleted`` appends a
    DeleteCitation of that many PMIDs to the last file, as an update file has."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, n, per_file):
        name = folder / (f"pubmed26n{len(files) + 1:04d}.xml" + (".gz" if gzipped else ""))
        body = io.BytesIO()
        body.write(HEAD)
        for i in range(start, min(n, start + per_file)):
            article = pool[i % len(pool)]
            body.write(article if i < len(pool) else _renumbered(article, 80_000_000 + i))
            body.write(b"\n")
        if deleted and start + per_file >= n:
            body.write(b"<DeleteCitation>" + b"".join(b'<PMID Version="1">%d</PMID>' % (80_000_000 + i)
                                                      for i in range(deleted)) + b"</DeleteCitation>\n")
        body.write(TAIL)
        name.write_bytes(gzip.compress(body.getvalue(), compresslevel=6) if gzipped else body.getvalue())
        files.append(name)
    return Corpus(files, n, min(n, len(pool)))
