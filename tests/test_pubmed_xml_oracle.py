"""The streaming parser against the reference: Bio.Entrez.read, field by field, on every PubMed
XML file in ../shared/fixtures (eutils/, pubmed-files/) and ../shared/cases/pubmed/, journal
articles, book articles, pre-2017 MedlineCitationSet files and DeleteCitation alike, reference
lists included. Biopython keeps inline markup (<i>, <sub>, MathML) as text; our parser flattens
it, so the oracle's strings are flattened the same way (tags dropped, MathML's layout whitespace
dropped) before comparing. MEDLINE text is compared with the XML of the same record where the
shared data hold both."""

from __future__ import annotations

import gzip
import io
import re
from datetime import date
from pathlib import Path

import pytest
from Bio import Entrez

from fmwatch.parse.medline import iter_medline
from fmwatch.parse.pubmed_xml import MONTHS, iter_pubmed_xml
from fmwatch.records import ArticleRecord, Deletion

from .conftest import FIXTURES, PUBMED_XML_FILES, SHARED

CASES = SHARED / "cases" / "pubmed"
# Inline markup (<i>, <sub>, MathML): a tag starts with a letter, so a "<" that
# Biopython unescaped from "&lt;" in running text ("p <0.01") is left alone.
# Only PubMed's inline markup is stripped (text such as "<r.m.s. deviation>" is text).
TAG = re.compile(r"</?(?:i|b|u|sup|sub|math|mml:\w+)(?:\s[^<>]*)?/?>")
ANY_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")  # inside MathML every tag is markup
MATH = re.compile(r"<(?:mml:)?math\b.*?</(?:mml:)?math>", re.S)
# Whitespace after any MathML tag but an opening token tag (<mi>, <mn>, <mo>, <mtext>, <ms>) is layout.
LAYOUT = re.compile(r"(<(/?)(?:mml:)?(\w+)[^<>]*>)\s+(?=<)")
TOKENS = {"mi", "mn", "mo", "mtext", "ms"}
PLACEHOLDER = re.compile(r"^\[?(not available|in process citation)\]?\.?$", re.I)
MODERN_DOCTYPE = (b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
                  b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">')


BIO_DTDS = Path(Entrez.__file__).parent / "DTDs"


def _read(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def _is_pubmed_xml(path: Path) -> bool:
    head = _read(path)[:4096]
    return any(root in head for root in (b"<PubmedArticleSet", b"<PubmedBookArticleSet", b"<MedlineCitationSet"))


XML_FILES = sorted(p for p in [*(FIXTURES / "eutils").glob("*.xml"), *(FIXTURES / "pubmed-files").glob("*.xml*"),
                               *CASES.glob("*.xml")] if _is_pubmed_xml(p))
MEDLINE_TEXT = sorted([*(FIXTURES / "medline").glob("*.txt"), *CASES.glob("*.txt")])


def for_biopython(data: bytes) -> bytes:
    """The same records in a shape Bio.Entrez.read takes offline: the DOCTYPE of a DTD Biopython
    ships (older files name http:// DTDs it refuses to fetch), and a pre-2017 MedlineCitationSet's
    bare MedlineCitation elements wrapped in PubmedArticle, as NCBI has wrapped them since."""
    doctype = re.search(rb'<!DOCTYPE[^>]*"[^"]*/([\w.]+\.dtd)"\s*>', data[:4096])
    if doctype and (BIO_DTDS / doctype.group(1).decode()).exists() and b"<MedlineCitationSet" not in data[:4096]:
        # Biopython only reads https:// DTD names (it then finds the file among those it ships)
        data = data.replace(doctype.group(0), doctype.group(0).replace(b'"http://', b'"https://'), 1)
    else:
        data = re.sub(rb"<!DOCTYPE[^>]*>", MODERN_DOCTYPE, data, count=1)
    if b"<MedlineCitationSet" in data[:4096]:
        data = data.replace(b"<MedlineCitationSet>", b"<PubmedArticleSet>").replace(
            b"</MedlineCitationSet>", b"</PubmedArticleSet>")
        data = re.sub(rb"<MedlineCitation([\s>])", rb"<PubmedArticle><MedlineCitation\1", data)
        data = data.replace(b"</MedlineCitation>", b"</MedlineCitation></PubmedArticle>")
    return data


def _unlayout(math: re.Match) -> str:
    return LAYOUT.sub(lambda m: m.group(0) if (not m.group(2) and m.group(3) in TOKENS) else m.group(1),
                      math.group(0))


def flat(value) -> str | None:
    if value is None:
        return None
    text = " ".join(TAG.sub("", MATH.sub(lambda m: ANY_TAG.sub("", _unlayout(m)), str(value))).split())
    return text or None


def bio_date(node) -> date | None:
    if not node:
        return None
    month = node.get("Month")
    month = int(month) if month and month.isdigit() else MONTHS.get((month or "jan")[:3].lower(), 1)
    return date(int(node["Year"]), month, int(node.get("Day") or 1))


def bio_references(container) -> list[tuple]:
    found = []

    def walk(listing):
        for ref in listing.get("Reference", []):
            ids = {}
            for node in ref.get("ArticleIdList", []):
                ids.setdefault(node.attributes["IdType"], str(node))
            found.append((flat(ref.get("Citation")), ids.get("pubmed"), ids.get("doi"), ids.get("pmc")))
        for inner in listing.get("ReferenceList", []):
            walk(inner)
    for listing in container.get("ReferenceList", []):
        walk(listing)
    return found


def bio_authors(author_list) -> list[tuple]:
    return [
        (a.get("LastName"), a.get("ForeName"), a.get("Initials"), a.get("CollectiveName"),
         [flat(i["Affiliation"]) for i in a.get("AffiliationInfo", [])],
         next((str(i) for i in a.get("Identifier", []) if i.attributes.get("Source") == "ORCID"), None))
        for a in author_list
    ]


def bio_pub_year(pub) -> int | None:
    if "Year" in pub:
        return int(pub["Year"])
    found = re.search(r"\d{4}", pub.get("MedlineDate", ""))
    return int(found.group()) if found else None


def bio_view(article: dict) -> dict:
    """The fields our parser promises, read out of Biopython's structure."""
    mc = article["MedlineCitation"]
    art = mc["Article"]
    data = article.get("PubmedData", {})
    journal = art["Journal"]
    issue = journal["JournalIssue"]
    pub = issue["PubDate"]
    ids: dict[str, str] = {}
    for node in data.get("ArticleIdList", []):
        ids.setdefault(node.attributes["IdType"], str(node))
    if not data:  # a MedlineCitationSet record: no ArticleIdList, the PMID is its id
        ids["pubmed"] = str(mc["PMID"])
    for node in art.get("ELocationID", []):
        if node.attributes.get("ValidYN", "Y") == "Y":
            ids.setdefault(node.attributes["EIdType"], str(node))
    english, vernacular = flat(art["ArticleTitle"]), flat(art.get("VernacularTitle"))
    placeholder = bool(vernacular) and (not english or bool(PLACEHOLDER.match(english)))
    return {
        "pmid": str(mc["PMID"]),
        "pmid_version": int(mc["PMID"].attributes.get("Version", 1)),
        "title": vernacular if placeholder else (english or vernacular or ""),
        "english_title": english if placeholder else None,
        "vernacular_title": vernacular,
        "abstract_sections": [
            (t.attributes.get("Label") if hasattr(t, "attributes") else None,
             t.attributes.get("NlmCategory") if hasattr(t, "attributes") else None, flat(t) or "")
            for t in art.get("Abstract", {}).get("AbstractText", [])
        ],
        "authors": bio_authors(art.get("AuthorList", [])),
        "journal_title": flat(journal.get("Title")),
        "journal_iso": flat(journal.get("ISOAbbreviation")),
        "issn": flat(journal.get("ISSN")),
        "volume": issue.get("Volume"),
        "issue": issue.get("Issue"),
        "pages": flat(art.get("Pagination", {}).get("MedlinePgn")) if art.get("Pagination") else None,
        "pub_year": bio_pub_year(pub),
        "pub_date_text": pub.get("MedlineDate") or " ".join(
            pub[k] for k in ("Year", "Month", "Day", "Season") if k in pub),
        "article_date": bio_date(art["ArticleDate"][0]) if art.get("ArticleDate") else None,
        "history": [(d.attributes["PubStatus"], bio_date(d)) for d in data.get("History", [])],
        "languages": [str(x) for x in art.get("Language", [])],
        "publication_types": [str(p) for p in art.get("PublicationTypeList", [])],
        "mesh": [
            (str(h["DescriptorName"]), h["DescriptorName"].attributes.get("UI"),
             h["DescriptorName"].attributes.get("MajorTopicYN") == "Y", [str(q) for q in h.get("QualifierName", [])])
            for h in mc.get("MeshHeadingList", [])
        ],
        "keywords": [flat(k) for kl in mc.get("KeywordList", []) for k in kl],
        "chemicals": [str(c["NameOfSubstance"]) for c in mc.get("ChemicalList", [])],
        "article_ids": ids,
        "comments_corrections": [
            (c.attributes.get("RefType"), flat(c.get("RefSource")), c.get("PMID") and str(c["PMID"]))
            for c in mc.get("CommentsCorrectionsList", [])
        ],
        "grants": [(g.get("GrantID"), g.get("Acronym"), g.get("Agency"), g.get("Country"))
                   for g in art.get("GrantList", [])],
        "references": bio_references(data),
    }


def bio_book_view(article: dict) -> dict:
    doc = article["BookDocument"]
    book = doc.get("Book", {})
    data = article.get("PubmedBookData", {})
    ids: dict[str, str] = {}
    for node in data.get("ArticleIdList", []):
        ids.setdefault(node.attributes["IdType"], str(node))
    authors = [a for listing in doc.get("AuthorList", []) for a in listing] or [
        a for listing in book.get("AuthorList", []) for a in listing]
    book_title = flat(book.get("BookTitle"))
    return {
        "pmid": str(doc["PMID"]),
        "kind": "book",
        "title": flat(doc.get("ArticleTitle")) or book_title or "",
        "journal_title": book_title or flat(book.get("Publisher", {}).get("PublisherName")),
        "abstract_sections": [
            (t.attributes.get("Label") if hasattr(t, "attributes") else None,
             t.attributes.get("NlmCategory") if hasattr(t, "attributes") else None, flat(t) or "")
            for t in doc.get("Abstract", {}).get("AbstractText", [])
        ],
        "authors": bio_authors(authors),
        "pub_year": bio_pub_year(book.get("PubDate", {})),
        "history": [(d.attributes["PubStatus"], bio_date(d)) for d in data.get("History", [])],
        "languages": [str(x) for x in doc.get("Language", [])],
        "publication_types": [str(p) for p in doc.get("PublicationType", [])],
        "article_ids": ids,
        "references": bio_references(doc),
    }


def our_view(record: ArticleRecord) -> dict:
    return {
        "pmid": record.pmid,
        "pmid_version": record.pmid_version,
        "kind": record.kind,
        "title": record.title,
        "english_title": record.english_title,
        "vernacular_title": record.vernacular_title,
        "abstract_sections": [(s.label, s.nlm_category, s.text) for s in record.abstract_sections],
        "authors": [(a.last_name, a.fore_name, a.initials, a.collective_name, a.affiliations, a.orcid)
                    for a in record.authors],
        "journal_title": record.journal_title,
        "journal_iso": record.journal_iso,
        "issn": record.issn,
        "volume": record.volume,
        "issue": record.issue,
        "pages": record.pages,
        "pub_year": record.pub_year,
        "pub_date_text": record.pub_date_text,
        "article_date": record.article_date,
        "history": [(h.status, h.date) for h in record.history],
        "languages": record.languages,
        "publication_types": record.publication_types,
        "mesh": [(m.descriptor, m.descriptor_ui, m.major_topic, m.qualifiers) for m in record.mesh],
        "keywords": record.keywords,
        "chemicals": record.chemicals,
        "article_ids": record.article_ids,
        "comments_corrections": [(c.ref_type, c.ref_source, c.pmid) for c in record.comments_corrections],
        "grants": [(g.grant_id, g.acronym, g.agency, g.country) for g in record.grants],
        "references": [(r.citation, r.pmid, r.doi, r.pmcid) for r in record.references],
    }


def test_the_eutils_fixtures_hold_distinct_articles():
    pmids = [r.pmid for path in PUBMED_XML_FILES for r in iter_pubmed_xml(str(path))]
    assert len(pmids) >= 9 and len(set(pmids)) == len(pmids)


def test_every_shared_pubmed_xml_file_is_covered():
    names = {p.name for p in XML_FILES}
    assert {"pubmed7.xml", "medline16n0902.xml.gz", "efetch.pubmedbook.xml"} <= names
    assert {p.name for p in CASES.glob("*.xml")} - names <= {p.name for p in CASES.glob("*.esearch.xml")}


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: p.name)
def test_fields_equal_biopython(path):
    data = _read(path)
    reference = Entrez.read(io.BytesIO(for_biopython(data)), validate=False)
    if isinstance(reference, list):  # DTDs before 2014 give a plain list of records
        reference = {"PubmedArticle": [r for r in reference if "MedlineCitation" in r],
                     "PubmedBookArticle": [r for r in reference if "BookDocument" in r]}
    ours = list(iter_pubmed_xml(io.BytesIO(data), origin=path.name))
    articles = [r for r in ours if isinstance(r, ArticleRecord)]
    assert len(articles) + sum(isinstance(r, Deletion) for r in ours) == len(ours), "nothing quarantined"
    journal = [r for r in articles if r.kind == "article"]
    books = [r for r in articles if r.kind == "book"]
    bio_articles, bio_books = list(reference["PubmedArticle"]), list(reference["PubmedBookArticle"])
    assert [r.pmid for r in journal] == [str(a["MedlineCitation"]["PMID"]) for a in bio_articles]
    assert [r.pmid for r in books] == [str(a["BookDocument"]["PMID"]) for a in bio_books]
    for record, article in [*zip(journal, bio_articles), *zip(books, bio_books)]:
        expected = bio_view(article) if record.kind == "article" else bio_book_view(article)
        actual = our_view(record)
        for field_name in expected:
            assert actual[field_name] == expected[field_name], f"{path.name} {record.pmid} {field_name}"
    deleted = [str(p) for p in reference.get("DeleteCitation", [])]
    assert [r.pmid for r in ours if isinstance(r, Deletion)] == deleted


def test_reference_lists_are_read_whole():
    (record,) = list(iter_pubmed_xml(str(FIXTURES / "eutils" / "pubmed7.xml")))
    expected = len(re.findall(rb"<Reference>", (FIXTURES / "eutils" / "pubmed7.xml").read_bytes()))
    assert len(record.references) == expected == 49
    assert all(r.citation and r.pmid and r.pmid.isdigit() for r in record.references)
    assert record.references[0].citation == "Radiology. 2015 Jan;274(1):250-9"
    assert record.cited_pmids >= {r.pmid for r in record.references}


def test_inline_markup_is_flattened_not_dropped():
    path = next(p for p in PUBMED_XML_FILES if p.name == "pubmed4.xml")
    record = next(iter_pubmed_xml(str(path)))
    assert record.title == ("Leucocyte telomere length, genetic variants at the TERT gene region and "
                            "risk of pancreatic cancer.")
    assert record.abstract.startswith("OBJECTIVE: Telomere shortening occurs")
    assert [s.label for s in record.abstract_sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]


def test_mathml_is_flattened_without_layout_spaces():
    (record,) = list(iter_pubmed_xml(str(FIXTURES / "eutils" / "pubmed7.xml")))
    assert "inhaled He3/Xe129 MRI ventilation" in record.abstract  # not "He 3 / Xe 129"
    assert "ultrashort echo-time H1 MRI proton" in record.abstract  # <mtext> </mtext> is a real space
    body = (b'<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><Journal/>'
            b'<ArticleTitle>Serum <mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML">\n  <mml:msup>\n'
            b'    <mml:mi>Mg</mml:mi>\n    <mml:mrow><mml:mn>2</mml:mn>\n <mml:mo>+</mml:mo></mml:mrow>\n'
            b'  </mml:msup>\n</mml:math> in pain</ArticleTitle></Article></MedlineCitation></PubmedArticle>'
            b'</PubmedArticleSet>')  # written by us: the "Mg 2 +" shape
    (written,) = list(iter_pubmed_xml(io.BytesIO(body), origin="test"))
    assert written.title == "Serum Mg2+ in pain"


def _medline_xml_pairs():
    xml = {r.pmid: r for path in XML_FILES for r in iter_pubmed_xml(io.BytesIO(_read(path)), origin=path.name)
           if isinstance(r, ArticleRecord)}
    for path in MEDLINE_TEXT:
        for record in iter_medline(path.read_bytes(), path.name):
            if isinstance(record, ArticleRecord) and record.pmid in xml:
                yield path.name, record, xml[record.pmid]


def test_medline_text_equals_the_xml_of_the_same_record():
    pairs = list(_medline_xml_pairs())
    if not pairs:
        pytest.skip("the shared data hold no record in both MEDLINE text and XML (yet)")
    for name, text, xml in pairs:
        for field_name in ("title", "vernacular_title", "abstract", "kind", "journal_title", "pub_year", "pub_date",
                           "languages", "publication_types", "doi"):
            assert getattr(text, field_name) == getattr(xml, field_name), f"{name} {text.pmid} {field_name}"
        assert [(a.last_name, a.fore_name, a.collective_name, a.affiliations) for a in text.authors] == [
            (a.last_name, a.fore_name, a.collective_name, a.affiliations) for a in xml.authors], name
        assert [m.descriptor for m in text.mesh] == [m.descriptor for m in xml.mesh], name
