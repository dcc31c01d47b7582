"""Linking the studies an FM Network article cites to PubMed records.

ECitMatch when the reference gives volume and first page; otherwise an esearch on first
author, journal and year (an epub-ahead-of-print date also counts for the next year, when
the print issue usually appears). Several matches are scored by how many words of each
candidate's title the article itself uses; a reference that stays ambiguous is left
unresolved with its candidates listed, never guessed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from .parse.pubmed_xml import iter_pubmed_xml
from .records import ArticleRecord, Reference
from .sources.pubmed import EutilsClient

MIN_SCORE = 0.5  # at least half of the candidate's title words appear in the article
MIN_MARGIN = 0.2  # and clearly more than the runner-up's
STOPWORDS = frozenset("""a an and are as at be by for from has have in into is it its of on or than that the
their this to was were with without versus vs patients study trial effect effects""".split())


@dataclass
class CitationLink:
    from_record: str
    ref_index: int
    reference: Reference
    pmid: str | None
    method: str  # ecitmatch, esearch, esearch+title, unresolved
    confidence: float
    note: str = ""
    candidates: list[str] = field(default_factory=list)
    fetched: list[ArticleRecord] = field(default_factory=list)  # candidate records read while scoring


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9\-]{2,}", text.lower()) if w not in STOPWORDS}


def title_overlap(title: str, context: str) -> float:
    words = _words(title)
    return len(words & _words(context)) / len(words) if words else 0.0


def search_term(reference: Reference) -> str | None:
    if not (reference.first_author and reference.journal and reference.year):
        return None
    years = [reference.year] + ([reference.year + 1] if reference.epub_ahead_of_print else [])
    author = f"{reference.first_author} {reference.first_author_initials or ''}".strip()
    dates = " OR ".join(f"{y}[dp]" for y in years)
    return f'{author}[au] AND "{reference.journal}"[ta] AND ({dates})'


def resolve_reference(client: EutilsClient, from_record: str, index: int, reference: Reference,
                      context: str) -> CitationLink:
    def link(pmid, method, confidence, note="", candidates=(), fetched=()):
        return CitationLink(from_record, index, reference, pmid, method, round(confidence, 3), note,
                            list(candidates), list(fetched))

    if reference.volume and reference.first_page and reference.journal and reference.first_author:
        pmid = client.ecitmatch(reference.journal, reference.year, reference.volume, reference.first_page,
                                f"{reference.first_author} {reference.first_author_initials or ''}".strip())
        if pmid:
            return link(pmid, "ecitmatch", 0.95)
    term = search_term(reference)
    if term is None:
        return link(None, "unresolved", 0.0, "reference lacks first author, journal or year")
    count, ids = client.esearch_ids(term)
    if count == 0:
        return link(None, "unresolved", 0.0, f"no PubMed record matches {term}")
    if count == 1:
        return link(ids[0], "esearch", 0.9, candidates=ids)
    records = [r for r in iter_pubmed_xml(io.BytesIO(client.efetch_ids(ids)), origin="citation candidates")
               if isinstance(r, ArticleRecord)]
    scored = sorted(((title_overlap(r.title, context), r.pmid) for r in records), reverse=True)
    best, runner_up = scored[0], (scored[1] if len(scored) > 1 else (0.0, None))
    if best[0] >= MIN_SCORE and best[0] - runner_up[0] >= MIN_MARGIN and count <= len(ids):
        return link(best[1], "esearch+title", 0.9 * best[0], f"{count} candidates; title overlap {best[0]:.2f}",
                    ids, records)
    return link(None, "unresolved", 0.0,
                f"ambiguous: {count} candidates, best title overlap {best[0]:.2f} vs {runner_up[0]:.2f}",
                ids, records)
