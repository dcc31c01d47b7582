"""PubMed "Save" exports in MEDLINE text format (and efetch ``rettype=medline``).

The MEDLINE tags carry the same facts as the XML under other names; this module maps
them onto the same ``ArticleRecord`` so both import paths load alike. It reads the lines
itself rather than through ``Bio.Medline``, because Bio groups values by tag and so loses
what the line order says: which ``AD`` (affiliation) lines belong to which author, and
where a paragraph break (a whitespace-only continuation line) falls in an abstract.

Format (NLM, "MEDLINE/PubMed Data Element (Field) Descriptions"): a field starts with a
tag padded to four characters and ``"- "``; a line starting with six spaces continues it.
Records are separated by a blank line; a blank or whitespace-only line followed by a
continuation line is a paragraph break inside the field (StatPearls abstracts have them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from ..records import (
    AbstractSection, ArticleRecord, Author, CommentCorrection, Grant, HistoryDate, MeshHeading, Quarantined,
    quarantine_reason, record_in,
)
from .pubmed_xml import ParsedItem, _make_date, _titles, printed_date

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
_FIELD = re.compile(r"^(?P<tag>[A-Z][A-Z0-9]{0,3}) {0,3}- ?(?P<value>.*)$")
# A structured abstract in MEDLINE text: "BACKGROUND: ... METHODS: ..." (labels in capitals).
_LABEL = re.compile(r"(?:^|(?<=[.?!] ))(?P<label>[A-Z][A-Z0-9,&/() -]{1,60}[A-Z)]): ")

Field = tuple[str, list[str]]  # (tag, the value's lines; "" marks a paragraph break)


def iter_medline(data: bytes, origin: str) -> Iterator[ParsedItem]:
    """Yield one ArticleRecord per MEDLINE record; a record without a PMID is quarantined."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for raw_record, fields in _records(text):
        try:
            yield fields_to_record(fields)
        except (ValueError, KeyError, TypeError, IndexError) as error:
            pmid = next((_join(v) for t, v in fields if t == "PMID"), None) or None
            yield Quarantined("pubmed", origin, quarantine_reason(record_in(origin, pmid, "MEDLINE record"), error),
                              raw_record.encode("utf-8"), record_key=pmid)


def _records(text: str) -> Iterator[tuple[str, list[Field]]]:
    """(the record's own text, its fields in line order) for each record."""
    lines = text.split("\n")
    record_lines: list[str] = []
    fields: list[Field] = []
    for index, line in enumerate(lines):
        if not line.strip():
            if fields and _next_starts_record(lines, index):
                yield "\n".join(record_lines) + "\n", fields
                record_lines, fields = [], []
            elif fields:  # a paragraph break inside the current field
                fields[-1][1].append("")
                record_lines.append(line)
            continue
        match = _FIELD.match(line) if not line.startswith("      ") else None
        if match:
            fields.append((match.group("tag"), [match.group("value").strip()]))
        elif fields:
            fields[-1][1].append(line.strip())
        else:
            fields.append(("?", [line.strip()]))  # text before any tag: kept, and the record quarantined
        record_lines.append(line)
    if fields:
        yield "\n".join(record_lines) + "\n", fields


def _next_starts_record(lines: list[str], index: int) -> bool:
    """A blank line ends the record unless the next text continues a field (six spaces)."""
    for line in lines[index + 1:]:
        if line.strip():
            return not line.startswith("      ")
    return True  # the end of the file


def _join(lines: list[str]) -> str:
    """A field's lines as one value: continuation lines joined by a space, breaks dropped."""
    return " ".join(" ".join(p for p in lines if p).split())


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs, current = [], []
    for line in lines + [""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(" ".join(current).split()))
            current = []
    return paragraphs


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


def _authors(fields: list[Field]) -> list[Author]:
    """Authors in line order, each with the AD lines that follow it (its own affiliations).

    An ``FAU`` line starts an author and the ``AU`` after it is that author's short form; an ``AU``
    with no ``FAU`` before it (older records) starts one too. Records before 2014 give one ``AD``
    line before the authors: it is the first author's, as the XML of those years has it.
    """
    authors: list[Author] = []
    pending_affiliations: list[str] = []
    open_fau = False  # the last author came from an FAU line still waiting for its AU
    for tag, lines in fields:
        value = _join(lines)
        if tag == "FAU":
            last, _, fore = value.partition(", ")
            authors.append(Author(last_name=last or None, fore_name=fore or None))
            open_fau = True
        elif tag == "AU":
            if not open_fau:
                last, _, initials = value.rpartition(" ")
                authors.append(Author(last_name=last or value, initials=initials if last else None))
            else:
                authors[-1].initials = value.rpartition(" ")[2] if " " in value else None
            open_fau = False
        elif tag == "CN":
            authors.append(Author(collective_name=value))
            open_fau = False
        elif tag == "AD":
            (authors[-1].affiliations if authors else pending_affiliations).append(value)
        elif tag == "AUID" and authors:
            authors[-1].orcid = value.split(":", 1)[1].strip() if value.upper().startswith("ORCID:") else value
    if authors and pending_affiliations:
        authors[0].affiliations[:0] = pending_affiliations
    return authors


def _abstract(lines: list[str]) -> tuple[str | None, list[AbstractSection]]:
    """The abstract and its sections: labelled ("METHODS: ...") as the XML's AbstractText
    elements are, else one unlabelled section per paragraph."""
    paragraphs = _paragraphs(lines)
    if not paragraphs:
        return None, []
    sections: list[AbstractSection] = []
    for paragraph in paragraphs:
        labels = list(_LABEL.finditer(paragraph))
        # Structured only when it starts with a label and has another ("HIV: a review" is a title-like start)
        if len(labels) < 2 or labels[0].start() != 0:
            sections.append(AbstractSection(None, None, paragraph))
            continue
        for number, match in enumerate(labels):
            end = labels[number + 1].start() if number + 1 < len(labels) else len(paragraph)
            sections.append(AbstractSection(match.group("label"), None, paragraph[match.end():end].strip()))
    text = "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections)
    return text or None, sections


def fields_to_record(fields: list[Field]) -> ArticleRecord:
    """One MEDLINE record's fields (tag, lines) as an ArticleRecord. Raises ValueError without a PMID."""
    values: dict[str, list[str]] = {}
    for tag, lines in fields:
        values.setdefault(tag, []).append(_join(lines))
    if "?" in values:
        raise ValueError(f'text before the first field: "{values["?"][0][:60]}"')

    def one(tag: str) -> str | None:
        found = values.get(tag)
        return found[0] if found and found[0] else None

    pmid = one("PMID")
    if not pmid or not pmid.isdigit():
        raise ValueError("MEDLINE record has no numeric PMID")
    article_ids: dict[str, str] = {"pubmed": pmid}
    for value in values.get("AID", []) + values.get("LID", []):
        match = _ID_SUFFIX.match(value.strip())
        if match and match.group("kind") not in article_ids:
            article_ids[match.group("kind")] = match.group("value")
    if one("PMC"):
        article_ids.setdefault("pmc", one("PMC"))
    history = []
    for value in values.get("PHST", []):
        match = re.match(r"(.+?)\s*\[(.+)\]$", value)
        when = _slash_date(match.group(1)) if match else None
        if when:
            history.append(HistoryDate(status=match.group(2), date=when))
    if not any(h.status == "entrez" for h in history) and one("EDAT") and _slash_date(one("EDAT")):
        history.append(HistoryDate(status="entrez", date=_slash_date(one("EDAT"))))
    year, pub_date = printed_date(one("DP"))
    dep = one("DEP")
    issn = one("IS")
    comments = []
    for tag, ref_type in COMMENT_TAGS.items():
        for value in values.get(tag, []):
            found = _PMID_IN_COMMENT.search(value)
            comments.append(CommentCorrection(ref_type, value.split(" PMID:")[0].strip(), found.group(1) if found else None))
    grants = []
    for value in values.get("GR", []):
        parts = [p.strip() for p in value.split("/")]
        grants.append(Grant(parts[0] or None, None, parts[-2] if len(parts) >= 3 else None,
                            parts[-1] if len(parts) >= 2 else None))
    abstract_lines = next((lines for tag, lines in fields if tag == "AB"), [])
    abstract, sections = _abstract(abstract_lines)
    book_title = one("BTI")
    title, english_title, vernacular = _titles(one("TI"), one("TT"))
    return ArticleRecord(
        pmid=pmid,
        kind="book" if book_title else "article",
        title=title or book_title or "",
        english_title=english_title,
        vernacular_title=vernacular,
        abstract=abstract,
        abstract_sections=sections,
        authors=_authors(fields),
        journal_title=one("JT") or book_title,
        journal_iso=one("TA"),
        issn=issn.split(" (")[0] if issn else None,
        volume=one("VI"),
        issue=one("IP"),
        pages=one("PG"),
        pub_year=year,
        pub_date=pub_date,
        pub_date_text=one("DP"),
        article_date=_make_date(int(dep[:4]), int(dep[4:6]), int(dep[6:8])) if dep and len(dep) >= 8 and dep[:8].isdigit() else None,
        history=history,
        languages=values.get("LA", []),
        publication_types=values.get("PT", []),
        mesh=_mesh(values.get("MH", [])),
        keywords=values.get("OT", []),
        chemicals=[re.sub(r"^\S+\s+\((.*)\)$", r"\1", c) for c in values.get("RN", [])],
        article_ids=article_ids,
        comments_corrections=comments,
        grants=grants,
    )
