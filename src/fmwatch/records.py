"""Plain record types shared by every stage.

Sources yield raw bytes, parsers turn them into these records, the warehouse
stores them. No stage needs more than this module to talk to another.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True)
class Author:
    last_name: str | None = None
    fore_name: str | None = None
    initials: str | None = None
    collective_name: str | None = None
    affiliations: list[str] = field(default_factory=list)
    orcid: str | None = None


@dataclass(slots=True)
class MeshHeading:
    descriptor: str
    descriptor_ui: str | None = None
    major_topic: bool = False
    qualifiers: list[str] = field(default_factory=list)
    major_qualifiers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AbstractSection:
    label: str | None
    nlm_category: str | None
    text: str


@dataclass(slots=True)
class CommentCorrection:
    ref_type: str  # RetractionIn, ErratumIn, CommentIn, Cites, ...
    ref_source: str | None
    pmid: str | None


@dataclass(slots=True)
class CitedReference:
    """One entry of a record's reference list (``PubmedData/ReferenceList``, or a book's).

    ``citation`` is the reference as NCBI prints it ("Rheumatol Int. 2013 Jan;33(1):167-72");
    the ids are those NCBI linked it to (any may be missing).
    """

    citation: str | None
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None


@dataclass(slots=True)
class Grant:
    grant_id: str | None
    acronym: str | None
    agency: str | None
    country: str | None


@dataclass(slots=True)
class HistoryDate:
    status: str  # entrez, pubmed, medline, received, accepted, revised, ...
    date: date


@dataclass(slots=True)
class ArticleRecord:
    """One PubMed citation (journal article or book article), flattened to text."""

    pmid: str
    pmid_version: int = 1
    kind: str = "article"  # "article" or "book"
    title: str = ""
    abstract: str | None = None
    abstract_sections: list[AbstractSection] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    journal_title: str | None = None
    journal_iso: str | None = None
    issn: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    pub_year: int | None = None
    pub_date: date | None = None  # first day of the period the publication date names
    pub_date_text: str | None = None  # as printed: "1998 Dec-1999 Jan", "2000 Spring"
    article_date: date | None = None
    history: list[HistoryDate] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    mesh: list[MeshHeading] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    chemicals: list[str] = field(default_factory=list)
    article_ids: dict[str, str] = field(default_factory=dict)  # doi, pmc, pii, ...
    comments_corrections: list[CommentCorrection] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    # The title in the article's own language (VernacularTitle, MEDLINE TT). When the English title
    # is a placeholder ("[Not Available].") ``title`` is this one, as PubMed shows, and
    # ``english_title`` keeps the placeholder; otherwise ``english_title`` is None.
    vernacular_title: str | None = None
    english_title: str | None = None
    references: list[CitedReference] = field(default_factory=list)  # the record's reference list

    @property
    def cited_pmids(self) -> set[str]:
        """Every PMID the record cites: its reference list and its "Cites" comments/corrections."""
        return ({r.pmid for r in self.references if r.pmid}
                | {c.pmid for c in self.comments_corrections if c.ref_type == "Cites" and c.pmid})

    @property
    def doi(self) -> str | None:
        return self.article_ids.get("doi")

    @property
    def pmcid(self) -> str | None:
        return self.article_ids.get("pmc")

    @property
    def entrez_date(self) -> date | None:
        for h in self.history:
            if h.status == "entrez":
                return h.date
        return None



@dataclass(slots=True)
class Reference:
    """A study an article cites, as printed ("* Bagis S, et al. Rheumatology Int [epub ...] 2012.")."""

    raw_text: str
    first_author: str | None = None  # surname
    first_author_initials: str | None = None
    journal: str | None = None  # NLM abbreviation where known, else as printed
    journal_raw: str | None = None
    year: int | None = None
    date: date | None = None
    epub_ahead_of_print: bool = False
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None

    @property
    def first_page(self) -> str | None:
        return self.pages.split("-")[0] if self.pages else None


@dataclass(slots=True)
class StudyMention:
    """A study named in the running text ("A study headed up by Selda Bagis, M.D., of Turkey")."""

    text: str
    surname: str
    place: str | None = None


@dataclass(slots=True)
class FmArticle:
    """One Fibromyalgia Network article, from either site generation, or a saved article page from
    another site (generation "page", ``record_id`` ``file:<page key>``)."""

    url: str | None
    slug: str
    title: str
    body: str
    generation: str  # wordpress, php, print; page: a saved page from another site
    author: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    comment_count: int | None = None
    references: list[Reference] = field(default_factory=list)
    mentions: list[StudyMention] = field(default_factory=list)

    @property
    def source(self) -> str:
        """Where the record comes from: "fmnetwork" for the Network's own pages (every reader but the
        generic one), "file" for a saved page from another site (generation "page")."""
        return "file" if self.generation == "page" else "fmnetwork"

    @property
    def record_id(self) -> str:
        """``fmnetwork:<slug>`` for the Network's articles; ``file:<page key>`` for a saved page from
        another site, whose slug is its page key (``sources.article_page.page_key``)."""
        return f"{self.source}:{self.slug}"

    def content_hash(self) -> str:
        """A hash of what the article says. Left out: the view it was read from (page or print
        view give one record), tags, the modified time and the comment count, which change
        without the article changing and would otherwise make a new version every crawl."""
        data = {name: getattr(self, name) for name in
                ("url", "slug", "title", "body", "author", "published_at", "categories")}
        data["references"] = [r.raw_text for r in self.references]
        payload = json.dumps(data, sort_keys=True, default=_json_default, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(slots=True, frozen=True)
class Deletion:
    """A DeleteCitation entry: PubMed withdrew this PMID."""

    pmid: str


@dataclass(slots=True)
class Quarantined:
    """Input that could not be parsed, kept whole with the reason: one line, "<what>: <why>"
    (:func:`quarantine_reason`); a reason given on several lines is joined into one."""

    source: str
    origin: str  # file path or URL
    reason: str
    raw: bytes
    record_key: str | None = None

    def __post_init__(self) -> None:
        self.reason = one_line(self.reason)

    @property
    def raw_sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


@dataclass(slots=True)
class RawResponse:
    """One HTTP response body as fetched, with the URL already stripped of secrets."""

    url: str
    method: str
    status: int
    body: bytes
    fetched_at: datetime
    elapsed_ms: int = 0


def _json_default(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# --- quarantine reasons: one line, "<what>: <why>" ---------------------------------------------------

# lxml's note of where in its own input string an error is ("(<string>, line 1)"): not the file's place
_PARSER_INPUT_NOTE = re.compile(r"\s*\(<string>, line \d+\)")
_BYTES_REPR = re.compile(r"\bb'([^'\\]*)'")


def one_line(text: str) -> str:
    """``text`` on one line: runs of whitespace (newlines, a traceback's indentation) made one space,
    and lxml's "(<string>, line N)" left out. ``one_line("a\n  b (<string>, line 1)")`` == "a b"."""
    return " ".join(_PARSER_INPUT_NOTE.sub("", text).split())


def error_text(error: BaseException) -> str:
    """What an exception says, as a reader reads it, never its repr or class name: an OSError's
    strerror ("Is a directory"), "no PMID" for ``KeyError('PMID')``, else its message on one line,
    bytes it quotes as text (gzip's "Not a gzipped file (b'<?')" -> 'Not a gzipped file ("<?")')."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if isinstance(error, KeyError):
        return f"no {error.args[0]}" if error.args else "a field is missing"
    # a library's message may quote bytes as Python writes them (gzip: "Not a gzipped file (b'<?')"): as text
    return _BYTES_REPR.sub(r'"\1"', one_line(str(error))) or "the reader stopped without a message"


def input_name(origin: str) -> str:
    """How a quarantine reason names an input: a file by its name, a URL in short (``urls.short_url``)."""
    if origin.startswith(("http://", "https://")):
        from .urls import short_url
        return short_url(origin)
    return origin.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or origin


def quarantine_reason(what: str, why: str | BaseException) -> str:
    """A quarantine reason, the one shape every reader gives: "<what>: <why>" on one line, ``what``
    naming the input (a file's name, "<file>, PMID <n>" for one record of it, a page's URL) and
    ``why`` what is wrong; an exception is given by :func:`error_text`. A ``why`` that already starts
    with ``what`` is not prefixed twice. ``quarantine_reason("a.xml, PMID 5", ValueError("no title"))``
    == "a.xml, PMID 5: no title"."""
    text = error_text(why) if isinstance(why, BaseException) else one_line(why)
    return text if text.startswith(f"{what}: ") else f"{what}: {text}"


def record_in(origin: str, pmid: str | None, kind: str = "record") -> str:
    """The "what" of one record of an input: "<input>, PMID <n>", or "<input>, a <kind>" (no PMID to name it by)."""
    return f"{input_name(origin)}, PMID {pmid}" if pmid else f"{input_name(origin)}, a {kind}"

