"""Streaming parser for PubMed XML (EFetch output and PubMed's XML downloads).

Memory stays flat in file size: lxml's iterparse hands over one record at a time
and each record's subtree is freed once it has been read. The parser never
touches the network and never expands entities: PubMed files name an external
DTD, which is not needed to read them, and a hostile file must not make us fetch
or expand anything.

A record that cannot be read is yielded as ``Quarantined`` (with its bytes and the
reason) and the records around it are still read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import IO

from lxml import etree

from ..records import (
    AbstractSection,
    ArticleRecord,
    Author,
    CitedReference,
    CommentCorrection,
    Deletion,
    Grant,
    HistoryDate,
    MeshHeading,
    Quarantined,
    error_text,
    input_name,
    quarantine_reason,
    record_in,
)

# MedlineCitation is a record of its own only directly under MedlineCitationSet, the root of NLM's
# files before 2017 (no PubmedArticle wrapper, no PubmedData); inside PubmedArticle it is a part.
RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation", "MedlineCitation")
ROOT_TAGS = {"PubmedArticleSet", "PubmedBookArticleSet", "MedlineCitationSet"}

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
# The first month of a season, so a "2000 Spring" issue sorts before "2000 Jun".
SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}

ParsedItem = ArticleRecord | Deletion | Quarantined


class NotPubmedXml(ValueError):
    """The document is well-formed XML but not a PubMed article set."""


def _safe_parser_kwargs() -> dict:
    return dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def iter_pubmed_xml(source: str | IO[bytes], origin: str | None = None) -> Iterator[ParsedItem]:
    """Yield every record of a PubMed XML document, in document order.

    ``source`` is a path or a binary file object. A syntax error stops the
    streaming pass; the rest of the document is then cut at record boundaries
    and read record by record, so one broken record costs only itself.
    """
    origin = origin or (source if isinstance(source, str) else getattr(source, "name", "<stream>"))
    done = 0
    try:
        context = etree.iterparse(source, events=("end",), tag=RECORD_TAGS, **_safe_parser_kwargs())
        for _event, elem in context:
            parent = elem.getparent()
            # A record element nested inside another element is not a record of the set.
            if parent is None or parent.tag not in ROOT_TAGS:
                continue
            yield from _record_items(elem, origin)
            done += 1
            # Free what has been read: the element and the siblings before it.
            elem.clear(keep_tail=False)
            while elem.getprevious() is not None:
                del parent[0]
        if done == 0 and context.root is not None and context.root.tag not in ROOT_TAGS:
            raise NotPubmedXml(f"not PubMed XML: the root element is <{context.root.tag}>")
    except etree.XMLSyntaxError as error:
        yield from _recover_after_syntax_error(source, origin, done, error)


def parse_pubmed_record(element: etree._Element) -> ArticleRecord | Deletion:
    """Read one <PubmedArticle>, <PubmedBookArticle> or <DeleteCitation> element."""
    if element.tag == "PubmedArticle":
        return _article(element)
    if element.tag == "PubmedBookArticle":
        return _book_article(element)
    if element.tag == "MedlineCitation":
        return _article(element)
    if element.tag == "DeleteCitation":
        raise ValueError("DeleteCitation holds several PMIDs: use _record_items")
    raise ValueError(f"not a PubMed record element: <{element.tag}>")


def _record_items(elem: etree._Element, origin: str) -> Iterator[ParsedItem]:
    if elem.tag == "DeleteCitation":
        for pmid in elem.iterfind("PMID"):
            if pmid.text and pmid.text.strip():
                yield Deletion(pmid=pmid.text.strip())
        return
    try:
        yield parse_pubmed_record(elem)
    except (ValueError, TypeError) as error:
        pmid = elem.findtext(".//PMID")
        pmid = pmid.strip() if pmid else None
        yield Quarantined(
            source="pubmed",
            origin=origin,
            reason=quarantine_reason(record_in(origin, pmid, elem.tag), error),
            raw=etree.tostring(elem),
            record_key=pmid or None,
        )


_RECORD_START = re.compile(rb"<(PubmedArticle|PubmedBookArticle|DeleteCitation)[\s>]")
_CITATION_SET_START = re.compile(rb"<(MedlineCitation|DeleteCitation)[\s>]")
_SET_END = re.compile(rb"</(Pubmed(Book)?ArticleSet|MedlineCitationSet)>\s*$")


def _recover_after_syntax_error(
    source: str | IO[bytes], origin: str, done: int, error: etree.XMLSyntaxError
) -> Iterator[ParsedItem]:
    """Re-read a broken document record by record, skipping the ``done`` already yielded."""
    if isinstance(source, str):
        with open(source, "rb") as handle:
            data = handle.read()
    else:
        source.seek(0)
        data = source.read()
    pattern = _CITATION_SET_START if b"<MedlineCitationSet" in data[:8192] else _RECORD_START
    starts = [m.start() for m in pattern.finditer(data)]
    if not starts:
        yield Quarantined("pubmed", origin, quarantine_reason(input_name(origin),
                                                              f"malformed XML with no readable record ({error_text(error)})"), data)
        return
    parser = etree.XMLParser(**_safe_parser_kwargs())
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        chunk = _SET_END.sub(b"", data[start:end]).strip()
        if index < done:
            continue
        try:
            element = etree.fromstring(chunk, parser)
        except etree.XMLSyntaxError as chunk_error:
            pmid = re.search(rb"<PMID[^>]*>\s*(\d+)", chunk)
            key = pmid.group(1).decode() if pmid else None
            yield Quarantined(
                "pubmed", origin, quarantine_reason(record_in(origin, key), f"malformed XML ({error_text(chunk_error)})"),
                chunk, record_key=key,
            )
            continue
        yield from _record_items(element, origin)


# --- field readers -------------------------------------------------------------------------------

def _text(elem: etree._Element | None) -> str | None:
    """Element text with inline markup (<i>, <sup>, MathML) flattened and whitespace folded."""
    if elem is None:
        return None
    if len(elem) == 0:  # no inline markup: most elements; skip the itertext walk
        raw = elem.text
        return (" ".join(raw.split()) or None) if raw else None
    pieces: list[str] = []
    _flatten(elem, False, pieces)
    text = " ".join("".join(pieces).split())
    return text or None


# MathML's token elements hold text (a space in <mtext> </mtext> is meant); in every other MathML
# element whitespace only lays the markup out, so "Mg<sup>2+</sup>" written as MathML reads "Mg2+",
# not "Mg 2 +" (MathML 3, section 2.1.7: whitespace between elements is not significant).
_MATHML_TOKENS = frozenset(("mi", "mn", "mo", "mtext", "ms"))


def _flatten(elem: etree._Element, in_math: bool, out: list[str]) -> None:
    """Append the text of ``elem`` (not its tail) to ``out``, dropping MathML's layout whitespace."""
    if not isinstance(elem.tag, str):  # a comment or processing instruction: no text of the record
        return
    local = elem.tag.rpartition("}")[2]
    in_math = in_math or local == "math"
    text = elem.text
    if text and (not in_math or local in _MATHML_TOKENS or text.strip()):
        out.append(text)
    for child in elem:
        _flatten(child, in_math, out)
        tail = child.tail
        if tail and (not in_math or tail.strip()):
            out.append(tail)


def _name(elem: etree._Element) -> str | None:
    """Text of a name-like leaf (a surname, a MeSH term, a PMID): trimmed only. These are the most
    numerous fields, carry no markup or line breaks, and a full whitespace fold costs twice as much."""
    text = elem.text
    if text is None or len(elem):
        return _text(elem)
    return text.strip() or None


def _texts(parent: etree._Element | None, path: str) -> list[str]:
    if parent is None:
        return []
    return [t for t in (_text(e) for e in parent.iterfind(path)) if t]


def _month(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        month = int(value)
        return month if 1 <= month <= 12 else None
    return MONTHS.get(value[:3].lower())


def _make_date(year: int | None, month: int | None = None, day: int | None = None) -> date | None:
    if year is None:
        return None
    try:
        return date(year, month or 1, day or 1)
    except ValueError:
        return date(year, month or 1, 1) if month else date(year, 1, 1)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() else None


def _ymd(elem: etree._Element | None) -> date | None:
    if elem is None:
        return None
    parts = {child.tag: child.text for child in elem}
    return _make_date(_int(parts.get("Year")), _month(parts.get("Month")), _int(parts.get("Day")))


_YEAR = re.compile(r"(?<!\d)(1[6-9]\d\d|2\d\d\d)(?!\d)")
_WORD = re.compile(r"[A-Za-z]+")
_DAY_AFTER_MONTH = re.compile(r"^\s+(\d{1,2})(?!\d)")


def printed_date(text: str | None) -> tuple[int | None, date | None]:
    """(year, first day of the period) of a date as printed: a MedlineDate or a MEDLINE DP.

    The words may come in any order ("2017 Summer", "Summer 2017", "1998 Dec-1999 Jan",
    "Fall-Winter 2003"): the year is the first four-digit year, the month the first month or
    season word (a season starts at its first month: Spring 3, Summer 6, Fall 9, Winter 12), the
    day a number right after that month ("2023 May 17"). No year gives (None, None).
    """
    if not text:
        return None, None
    year_match = _YEAR.search(text)
    if not year_match:
        return None, None
    year = int(year_match.group(1))
    month = day = None
    for word in _WORD.finditer(text):
        lowered = word.group().lower()
        month = MONTHS.get(lowered[:3]) if len(lowered) >= 3 and lowered[:3] in MONTHS else SEASONS.get(lowered)
        if month:
            # A month written after the year (2023 May 17) may carry a day; a season or range never does.
            after = _DAY_AFTER_MONTH.match(text[word.end():])
            if after and lowered[:3] in MONTHS and word.start() > year_match.start():
                day = int(after.group(1))
            break
    return year, _make_date(year, month, day)


def _pub_date(pub_date: etree._Element | None) -> tuple[int | None, date | None, str | None]:
    """(year, first day of the period, printed form) of a <PubDate>."""
    if pub_date is None:
        return None, None, None
    medline = pub_date.findtext("MedlineDate")
    if medline:
        year, first_day = printed_date(medline)
        return year, first_day, medline.strip()
    year = _int(pub_date.findtext("Year"))
    month_text, day_text, season = (pub_date.findtext(t) for t in ("Month", "Day", "Season"))
    month = _month(month_text) or (SEASONS.get(season.strip().lower()) if season else None)
    printed = " ".join(p.strip() for p in (pub_date.findtext("Year"), month_text, day_text, season) if p)
    return year, _make_date(year, month, _int(day_text)), printed or None


def _abstract(abstract: etree._Element | None) -> tuple[str | None, list[AbstractSection]]:
    if abstract is None:
        return None, []
    sections = []
    for part in abstract.iterfind("AbstractText"):
        sections.append(AbstractSection(part.get("Label"), part.get("NlmCategory"), _text(part) or ""))
    if not sections:
        return None, []
    # Labelled sections read as "BACKGROUND: ..." so the flat abstract keeps its structure.
    text = "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections).strip()
    return text or None, sections


def _authors(author_list: etree._Element | None) -> list[Author]:
    if author_list is None:
        return []
    authors = []
    for node in author_list.iterfind("Author"):
        # One pass over the author's children: cheaper than a find() per field, and authors are
        # the most numerous elements we read.
        names: dict[str, str | None] = {}
        affiliations: list[str] = []
        orcid = None
        for child in node:
            tag = child.tag
            if tag in _NAME_TAGS:
                names[tag] = _name(child)
            elif tag == "AffiliationInfo":
                affiliations += [t for t in (_text(a) for a in child.iterfind("Affiliation")) if t]
            elif tag == "Affiliation":  # the pre-2015 DTD: directly under Author
                text = _text(child)
                if text:
                    affiliations.append(text)
            elif tag == "Identifier" and (child.get("Source") or "").upper() == "ORCID" and child.text:
                orcid = child.text.strip()
        authors.append(Author(
            last_name=names.get("LastName"),
            fore_name=names.get("ForeName"),
            initials=names.get("Initials"),
            collective_name=names.get("CollectiveName"),
            affiliations=affiliations,
            orcid=orcid,
        ))
    return authors


_NAME_TAGS = frozenset(("LastName", "ForeName", "Initials", "CollectiveName"))


def _mesh(citation: etree._Element) -> list[MeshHeading]:
    headings = []
    for node in citation.iterfind("MeshHeadingList/MeshHeading"):
        descriptor, qualifiers, major = None, [], []
        for child in node:
            if child.tag == "DescriptorName":
                descriptor = child
            elif child.tag == "QualifierName":
                name = _name(child) or ""
                qualifiers.append(name)
                if child.get("MajorTopicYN") == "Y":
                    major.append(name)
        if descriptor is None:
            continue
        headings.append(MeshHeading(
            descriptor=_name(descriptor) or "",
            descriptor_ui=descriptor.get("UI"),
            major_topic=descriptor.get("MajorTopicYN") == "Y",
            qualifiers=qualifiers,
            major_qualifiers=major,
        ))
    return headings


def _history(pubmed_data: etree._Element | None) -> list[HistoryDate]:
    if pubmed_data is None:
        return []
    dates = []
    for node in pubmed_data.iterfind("History/PubMedPubDate"):
        when = _ymd(node)
        if when is not None:
            dates.append(HistoryDate(status=node.get("PubStatus") or "unknown", date=when))
    return dates


def _article_ids(pubmed_data: etree._Element | None) -> dict[str, str]:
    ids: dict[str, str] = {}
    if pubmed_data is None:
        return ids
    for node in pubmed_data.iterfind("ArticleIdList/ArticleId"):
        kind, value = node.get("IdType"), (node.text or "").strip()
        if kind and value and kind not in ids:
            ids[kind] = value
    return ids


def _comments_corrections(citation: etree._Element) -> list[CommentCorrection]:
    found = []
    listing = citation.find("CommentsCorrectionsList")
    if listing is None:
        return found
    # Older records list every reference as a "Cites" entry, hundreds of them: this loop is the
    # parser's hottest, so it reads the children inline rather than through helpers.
    for node in listing.iterchildren("CommentsCorrections"):
        source = pmid = None
        for child in node:
            tag = child.tag
            if tag == "RefSource":
                source = child.text
            elif tag == "PMID":
                pmid = child.text
        found.append(CommentCorrection(ref_type=node.get("RefType") or "",
                                       ref_source=(source.strip() or None) if source else None,
                                       pmid=(pmid.strip() or None) if pmid else None))
    return found


_GRANT_FIELDS = ("GrantID", "Acronym", "Agency", "Country")


def _grants(article: etree._Element) -> list[Grant]:
    grants = []
    for node in article.iterfind("GrantList/Grant"):
        fields = {child.tag: _name(child) for child in node if child.tag in _GRANT_FIELDS}
        grants.append(Grant(*(fields.get(name) for name in _GRANT_FIELDS)))
    return grants


def _keywords(container: etree._Element) -> list[str]:
    return _texts(container, "KeywordList/Keyword")


def _pmid(container: etree._Element) -> tuple[str, int]:
    node = container.find("PMID")
    if node is None or not (node.text or "").strip():
        raise ValueError("record has no PMID")
    pmid = node.text.strip()
    if not pmid.isdigit():
        raise ValueError(f'PMID is not a number: "{pmid}"')
    return pmid, _int(node.get("Version")) or 1


def _article(elem: etree._Element) -> ArticleRecord:
    """A <PubmedArticle>, or a bare <MedlineCitation> of a pre-2017 MedlineCitationSet file."""
    citation = elem if elem.tag == "MedlineCitation" else elem.find("MedlineCitation")
    if citation is None:
        raise ValueError("PubmedArticle without MedlineCitation")
    article = citation.find("Article")
    if article is None:
        raise ValueError("MedlineCitation without Article")
    pmid, version = _pmid(citation)
    pubmed_data = elem.find("PubmedData")
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    year, pub_date, pub_date_text = _pub_date(issue.find("PubDate") if issue is not None else None)
    abstract, sections = _abstract(article.find("Abstract"))
    pagination = article.find("Pagination")
    pages = None
    if pagination is not None:
        pages = _text(pagination.find("MedlinePgn"))
        if not pages and pagination.findtext("StartPage"):
            end = pagination.findtext("EndPage")
            pages = pagination.findtext("StartPage").strip() + (f"-{end.strip()}" if end else "")
    electronic = [d for d in article.iterfind("ArticleDate")]
    title, english_title, vernacular = _titles(_text(article.find("ArticleTitle")),
                                               _text(article.find("VernacularTitle")))
    ids = _article_ids(pubmed_data) if pubmed_data is not None else {"pubmed": pmid}
    # Files before 2017 (and records PubMed has not yet given an ArticleIdList) carry the DOI and
    # PII only in ELocationID; the ArticleIdList wins where both are given.
    for location in article.iterfind("ELocationID"):
        kind, value = location.get("EIdType"), (location.text or "").strip()
        if kind and value and location.get("ValidYN", "Y") == "Y":
            ids.setdefault(kind, value)
    return ArticleRecord(
        pmid=pmid,
        pmid_version=version,
        kind="article",
        title=title,
        english_title=english_title,
        vernacular_title=vernacular,
        references=_references(pubmed_data),
        abstract=abstract,
        abstract_sections=sections,
        authors=_authors(article.find("AuthorList")),
        journal_title=_text(journal.find("Title")) if journal is not None else None,
        journal_iso=_text(journal.find("ISOAbbreviation")) if journal is not None else None,
        issn=_text(journal.find("ISSN")) if journal is not None else None,
        volume=_text(issue.find("Volume")) if issue is not None else None,
        issue=_text(issue.find("Issue")) if issue is not None else None,
        pages=pages,
        pub_year=year,
        pub_date=pub_date,
        pub_date_text=pub_date_text,
        article_date=_ymd(electronic[0]) if electronic else None,
        history=_history(pubmed_data),
        languages=_texts(article, "Language"),
        publication_types=_texts(article, "PublicationTypeList/PublicationType"),
        mesh=_mesh(citation),
        keywords=_keywords(citation),
        chemicals=_texts(citation, "ChemicalList/Chemical/NameOfSubstance"),
        article_ids=ids,
        comments_corrections=_comments_corrections(citation),
        grants=_grants(article),
    )


def _book_article(elem: etree._Element) -> ArticleRecord:
    document = elem.find("BookDocument")
    if document is None:
        raise ValueError("PubmedBookArticle without BookDocument")
    pmid, version = _pmid(document)
    book = document.find("Book")
    book_data = elem.find("PubmedBookData")
    year, pub_date, pub_date_text = _pub_date(book.find("PubDate") if book is not None else None)
    abstract, sections = _abstract(document.find("Abstract"))
    book_title = _text(book.find("BookTitle")) if book is not None else None
    publisher = _text(book.find("Publisher/PublisherName")) if book is not None else None
    return ArticleRecord(
        pmid=pmid,
        pmid_version=version,
        kind="book",
        title=_text(document.find("ArticleTitle")) or book_title or "",
        abstract=abstract,
        abstract_sections=sections,
        authors=_authors(document.find("AuthorList")) or _authors(book.find("AuthorList") if book is not None else None),
        journal_title=book_title or publisher,
        pub_year=year,
        pub_date=pub_date,
        pub_date_text=pub_date_text,
        history=_history(book_data),
        languages=_texts(document, "Language"),
        publication_types=_texts(document, "PublicationType"),
        keywords=_keywords(document),
        article_ids=_article_ids(book_data),
        references=_references(document),
    )


# English titles PubMed prints when it has none (the real title is then the VernacularTitle).
_PLACEHOLDER_TITLE = re.compile(r"^\[?\s*(not available|in process citation|title not available|no title)"
                                r"\s*\]?\.?$", re.IGNORECASE)


def _titles(english: str | None, vernacular: str | None) -> tuple[str, str | None, str | None]:
    """(title to show, the English placeholder it replaced or None, the vernacular title).

    PubMed shows the vernacular title where the English one is a placeholder such as
    "[Not Available]."; the placeholder is kept so both titles reach the warehouse.
    """
    if vernacular and (not english or _PLACEHOLDER_TITLE.match(english)):
        return vernacular, english, vernacular
    return english or vernacular or "", None, vernacular


def _references(container: etree._Element | None) -> list[CitedReference]:
    """The entries of every <ReferenceList> directly under ``container`` (PubmedData or BookDocument),
    including lists nested in a list (a book chapter's per-section lists), in document order."""
    if container is None:
        return []
    found = []
    for listing in container.iterchildren("ReferenceList"):
        for reference in listing.iter("Reference"):
            ids: dict[str, str] = {}
            for node in reference.iterfind("ArticleIdList/ArticleId"):
                kind, value = node.get("IdType"), (node.text or "").strip()
                if kind and value:
                    ids.setdefault(kind, value)
            found.append(CitedReference(citation=_text(reference.find("Citation")), pmid=ids.get("pubmed"),
                                        doi=ids.get("doi"), pmcid=ids.get("pmc")))
    return found
