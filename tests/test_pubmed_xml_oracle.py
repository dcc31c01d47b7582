"""The streaming parser against the reference: Bio.Entrez.read, field by field, on every
real PubMed XML fixture. Biopython keeps inline markup (<i>, <sub>, MathML) as text; our
parser flattens it, so the oracle's strings are flattened the same way before comparing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from Bio import Entrez

from fmwatch.parse.pubmed_xml import MONTHS, iter_pubmed_xml
from fmwatch.records import ArticleRecord

from .conftest import PUBMED_XML_FILES

# Inline markup (<i>, <sub>, MathML): a tag starts with a letter, so a "<" that
# Biopython unescaped from "&lt;" in running text ("p <0.01") is left alone.
TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")


def flat(value) -> str | None:
    if value is None:
        return None
    text = " ".join(TAG.sub("", str(value)).split())
    return text or None


def bio_date(node) -> date | None:
    if not node:
        return None
    month = node.get("Month")
    month = int(month) if month and month.isdigit() else MONTHS.get((month or "jan")[:3].lower(), 1)
    return date(int(node["Year"]), month, int(node.get("Day") or 1))


def bio_view(article: dict) -> dict:
    """The fields our parser promises, read out of Biopython's structure."""
    mc = article["MedlineCitation"]
    art = mc["Article"]
    data = article["PubmedData"]
    journal = art["Journal"]
    issue = journal["JournalIssue"]
    pub = issue["PubDate"]
    ids: dict[str, str] = {}
    for node in data.get("ArticleIdList", []):
        ids.setdefault(node.attributes["IdType"], str(node))
    return {
        "pmid": str(mc["PMID"]),
        "pmid_version": int(mc["PMID"].attributes.get("Version", 1)),
        "title": flat(art["ArticleTitle"]),
        "abstract_sections": [
            (t.attributes.get("Label") if hasattr(t, "attributes") else None,
             t.attributes.get("NlmCategory") if hasattr(t, "attributes") else None, flat(t) or "")
            for t in art.get("Abstract", {}).get("AbstractText", [])
        ],
        "authors": [
            (a.get("LastName"), a.get("ForeName"), a.get("Initials"), a.get("CollectiveName"),
             [flat(i["Affiliation"]) for i in a.get("AffiliationInfo", [])],
             next((str(i) for i in a.get("Identifier", []) if i.attributes.get("Source") == "ORCID"), None))
            for a in art.get("AuthorList", [])
        ],
        "journal_title": flat(journal.get("Title")),
        "journal_iso": flat(journal.get("ISOAbbreviation")),
        "issn": flat(journal.get("ISSN")),
        "volume": issue.get("Volume"),
        "issue": issue.get("Issue"),
        "pages": flat(art.get("Pagination", {}).get("MedlinePgn")) if art.get("Pagination") else None,
        "pub_year": int(pub["Year"]) if "Year" in pub else int(pub["MedlineDate"][:4]),
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
    }


def our_view(record: ArticleRecord) -> dict:
    return {
        "pmid": record.pmid,
        "pmid_version": record.pmid_version,
        "title": record.title,
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
    }


def test_the_fixtures_hold_nine_distinct_articles():
    pmids = [r.pmid for path in PUBMED_XML_FILES for r in iter_pubmed_xml(str(path))]
    assert len(pmids) == 9 and len(set(pmids)) == 9


@pytest.mark.parametrize("path", PUBMED_XML_FILES, ids=lambda p: p.name)
def test_fields_equal_biopython(path):
    with open(path, "rb") as handle:
        reference = Entrez.read(handle)["PubmedArticle"]
    ours = list(iter_pubmed_xml(str(path)))
    assert [r.pmid for r in ours] == [str(a["MedlineCitation"]["PMID"]) for a in reference]
    for record, article in zip(ours, reference):
        expected, actual = bio_view(article), our_view(record)
        for field_name in expected:
            assert actual[field_name] == expected[field_name], f"{path.name} {record.pmid} {field_name}"


def test_inline_markup_is_flattened_not_dropped():
    path = next(p for p in PUBMED_XML_FILES if p.name == "pubmed4.xml")
    record = next(iter_pubmed_xml(str(path)))
    assert record.title == ("Leucocyte telomere length, genetic variants at the TERT gene region and "
                            "risk of pancreatic cancer.")
    assert record.abstract.startswith("OBJECTIVE: Telomere shortening occurs")
    assert [s.label for s in record.abstract_sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
