"""PubMed "Save" exports in MEDLINE text format, read with Bio.Medline.

The MEDLINE tags carry the same facts as the XML under other names; this module
maps them onto the same ``ArticleRecord`` so both import paths load alike.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date

from Bio import Medline

from ..records import ArticleRecord, Author, CommentCorrection, Grant, HistoryDate, MeshHeading, Quarantined
from .pubmed_xml import MONTHS, SEASONS, ParsedItem, _make_date

# MEDLINE's comment/correction tags and the XML RefType each stands for.
COMMENT_TAGS = {
    "CIN": "CommentIn", "CON": "CommentOn", "EIN": "ErratumIn", "EFR": "ErratumFor",
    "RIN": "RetractionIn", "ROF": "RetractionOf", "UIN": "UpdateIn", "UOF": "UpdateOf",
    "ECI": "ExpressionOfConcernIn", "ECF": "ExpressionOfConcernFor", "RPI": "RepublishedIn",
    "RPF": "RepublishedFrom", "SPIN": "SummaryForPatientsIn", "ORI": "OriginalReportIn",
    "CRI": "CorrectedandRepublishedIn", "CRF": "CorrectedandRepublishedFrom",
}
_ID_SUFFIX = re.compile(r"^(?P<value>.+?)\s*\[(?P<kind>[a-z-]+)\]$")
_PMID_IN_COMMENT = re.compile(r"PMID:\s*(\d+)")
_DP = re.compile(r"^(?P<year>\d{4})(?:\s+(?P<month>[A-Za-z]+))?(?:\s+(?P<day>\d{1,2}))?")


def iter_medline(data: bytes, origin: str) -> Iterator[ParsedItem]:
    """Yield one ArticleRecord per MEDLINE record; a record without a PMID is quarantined."""
    text = data.decode("utf-8", errors="replace")
    for raw_record in _split_records(text):
        try:
            parsed = next(Medline.parse(io.StringIO(raw_record)), None)
            if not parsed or not parsed.get("PMID", "").strip().isdigit():
                raise ValueError("MEDLINE record has no numeric PMID")
            yield medline_to_record(parsed)
        except (ValueError, KeyError, TypeError) as error:
            yield Quarantined("pubmed", origin, f"MEDLINE: {error}", raw_record.encode("utf-8"))


def _split_records(text: str) -> Iterator[str]:
    # Records are separated by blank lines; keeping each record's own text lets a bad
    # record be quarantined with exactly its bytes.
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        if block.strip():
            yield block.strip("\n") + "\n"


def _list(record: dict, tag: str) -> list[str]:
    value = record.get(tag, [])
    return [value] if isinstance(value, str) else list(value)


def _one(record: dict, tag: str) -> str | None:
    value = record.get(tag)
    if isinstance(value, list):
        value = value[0] if value else None
    return " ".join(value.split()) if value else None


def _parse_dp(value: str | None) -> tuple[int | None, date | None]:
    if not value:
        return None, None
    match = _DP.match(value.strip())
    if not match:
        return None, None
    year = int(match.group("year"))
    word = (match.group("month") or "").lower()
    month = MONTHS.get(word[:3]) or SEASONS.get(word)
    day = int(match.group("day")) if match.group("day") and month else None
    return year, _make_date(year, month, day)


def _slash_date(value: str) -> date | None:
    match = re.match(r"(\d{4})/(\d{2})/(\d{2})", value.strip())
    return _make_date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def _mesh(terms: list[str]) -> list[MeshHeading]:
    headings = []
    for term in terms:
        descriptor, *qualifiers = term.split("/")
        headings.append(MeshHeading(
            descriptor=descriptor.lstrip("*"),
            major_topic=descriptor.startswith("*"),
            qualifiers=[q.lstrip("*") for q in qualifiers],
            major_qualifiers=[q.lstrip("*") for q in qualifiers if q.startswith("*")],
        ))
    return headings


def _authors(record: dict) -> list[Author]:
    full = _list(record, "FAU")
    short = _list(record, "AU")
    affiliations = _list(record, "AD")
    orcids = [a.split(":", 1)[1].strip() if ":" in a else a for a in _list(record, "AUID")]
    authors = []
    for index, name in enumerate(full or short):
        last, _, fore = name.partition(", ")
        initials = short[index].rpartition(" ")[2] if index < len(short) else None
        authors.append(Author(
            last_name=last or None,
            fore_name=fore or None,
            initials=initials,
            # Older exports list affiliations for the first author only.
            affiliations=[affiliations[index]] if index < len(affiliations) else [],
            orcid=orcids[index] if index < len(orcids) and len(orcids) == len(full) else None,
        ))
    for collective in _list(record, "CN"):
        authors.append(Author(collective_name=collective))
    return authors


def medline_to_record(record: dict) -> ArticleRecord:
    article_ids: dict[str, str] = {"pubmed": record["PMID"].strip()}
    for value in _list(record, "AID") + _list(record, "LID"):
        match = _ID_SUFFIX.match(value.strip())
        if match and match.group("kind") not in article_ids:
            article_ids[match.group("kind")] = match.group("value")
    if _one(record, "PMC"):
        article_ids.setdefault("pmc", _one(record, "PMC"))
    history = []
    for value in _list(record, "PHST"):
        match = re.match(r"(.+?)\s*\[(.+)\]$", value)
        when = _slash_date(match.group(1)) if match else None
        if when:
            history.append(HistoryDate(status=match.group(2), date=when))
    if not any(h.status == "entrez" for h in history) and _one(record, "EDAT"):
        history.append(HistoryDate(status="entrez", date=_slash_date(_one(record, "EDAT"))))
    year, pub_date = _parse_dp(_one(record, "DP"))
    dep = _one(record, "DEP")
    issn = _one(record, "IS")
    comments = []
    for tag, ref_type in COMMENT_TAGS.items():
        for value in _list(record, tag):
            pmid = _PMID_IN_COMMENT.search(value)
            comments.append(CommentCorrection(ref_type, value.split(" PMID:")[0].strip(), pmid.group(1) if pmid else None))
    grants = []
    for value in _list(record, "GR"):
        parts = [p.strip() for p in value.split("/")]
        grants.append(Grant(parts[0] or None, None, parts[-2] if len(parts) >= 3 else None, parts[-1] if len(parts) >= 2 else None))
    abstract = _one(record, "AB")
    return ArticleRecord(
        pmid=record["PMID"].strip(),
        title=_one(record, "TI") or _one(record, "BTI") or "",
        abstract=abstract,
        authors=_authors(record),
        journal_title=_one(record, "JT"),
        journal_iso=_one(record, "TA"),
        issn=issn.split(" (")[0] if issn else None,
        volume=_one(record, "VI"),
        issue=_one(record, "IP"),
        pages=_one(record, "PG"),
        pub_year=year,
        pub_date=pub_date,
        pub_date_text=_one(record, "DP"),
        article_date=_make_date(int(dep[:4]), int(dep[4:6]), int(dep[6:8])) if dep and len(dep) >= 8 and dep.isdigit() else None,
        history=history,
        languages=_list(record, "LA"),
        publication_types=_list(record, "PT"),
        mesh=_mesh(_list(record, "MH")),
        keywords=_list(record, "OT"),
        chemicals=[re.sub(r"^\S+\s+\((.*)\)$", r"\1", c) for c in _list(record, "RN")],
        article_ids=article_ids,
        comments_corrections=comments,
        grants=grants,
    )
