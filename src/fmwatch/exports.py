"""Exports of records for reference managers: RIS (EndNote, Zotero), BibTeX and CSL-JSON.

Input: the dicts of ``Warehouse.export_records`` (queries/export_records.sql). PubMed articles
become journal articles, Fibromyalgia Network articles web pages. Writers: rispy for RIS (tags
per the RIS specification as rispy maps them), bibtexparser for BibTeX (LaTeX-escaped by its
encoding middleware), CSL-JSON written as the CSL data schema's plain JSON (no library needed).
"""

from __future__ import annotations

import json
import re

import bibtexparser
import rispy
from bibtexparser.middlewares import LatexEncodingMiddleware
from bibtexparser.model import Entry, Field

FORMATS = ("ris", "bibtex", "csl-json")


def _authors(record: dict) -> list[dict]:
    if record["source"] != "pubmed":  # a web page: the Network's, or a saved page from another site
        return [{"literal": record["fm_author"]}] if record.get("fm_author") else []
    return [a for a in record.get("authors") or [] if a.get("family") or a.get("literal")]


def _year(record: dict) -> int | None:
    if record.get("pub_year"):
        return int(record["pub_year"])
    return record["fm_published"].year if record.get("fm_published") else None


def _pages(record: dict) -> tuple[str | None, str | None]:
    pages = record.get("pages") or ""
    first, _, last = pages.partition("-")
    return (first or None, last or None)


class _RisWriter(rispy.RisWriter):
    def set_header(self, count: int) -> str:
        return ""  # no "1." line before each record: EndNote and Zotero expect TY first


def to_ris(records: list[dict]) -> str:
    """RIS text, one TY..ER block per record (JOUR for PubMed articles, ELEC for web pages)."""
    entries = []
    for r in records:
        entry = {"type_of_reference": "JOUR" if r["source"] == "pubmed" else "ELEC", "title": r["title"] or "",
                 "authors": [a.get("literal") or ", ".join(p for p in (a.get("family"), a.get("given")) if p)
                             for a in _authors(r)]}
        first, last = _pages(r)
        optional = {"year": str(_year(r)) if _year(r) else None, "abstract": r.get("abstract"),
                    "secondary_title": r.get("journal_title"), "alternate_title3": r.get("journal_title"),
                    "journal_name": r.get("journal"),  # T2 and JF: the journal's title; JO: its abbreviation
                    "volume": r.get("volume"), "number": r.get("issue"), "start_page": first, "end_page": last,
                    "doi": r.get("doi"), "language": r.get("language"),
                    "accession_number": r.get("pmid"), "keywords": list(r.get("keywords") or []) or None,
                    "urls": [r["url"]] if r.get("url") else None,
                    "publisher": r.get("publisher") if r["source"] != "pubmed" else None}
        entry.update({k: v for k, v in optional.items() if v})
        entries.append(entry)
    return rispy.dumps(entries, implementation=_RisWriter)


def citation_key(record: dict) -> str:
    """A BibTeX key: pmid<PMID>, fmnetwork-<slug> or file-<page key> (only letters, digits, - and _)."""
    key = f"pmid{record['pmid']}" if record.get("pmid") else record["record_id"].replace(":", "-")
    return re.sub(r"[^A-Za-z0-9_-]", "", key)


def to_bibtex(records: list[dict]) -> str:
    """BibTeX: @article for PubMed records, @misc (with url and howpublished) for web pages."""
    library = bibtexparser.Library()
    for r in records:
        authors = " and ".join(a.get("literal") and "{" + a["literal"] + "}" or
                               ", ".join(p for p in (a.get("family"), a.get("given")) if p) for a in _authors(r))
        first, last = _pages(r)
        values = {"title": r["title"], "author": authors or None, "year": _year(r), "doi": r.get("doi"),
                  "url": r.get("url"), "abstract": r.get("abstract")}
        if r["source"] == "pubmed":
            values.update({"journal": r.get("journal_title") or r.get("journal"), "volume": r.get("volume"),
                           "number": r.get("issue"), "pages": "--".join(p for p in (first, last) if p) or None,
                           "pmid": r.get("pmid"), "pmcid": r.get("pmcid")})
        else:
            values["howpublished"] = r.get("publisher") or "Fibromyalgia Network"
        fields = [Field(k, str(v)) for k, v in values.items() if v]
        library.add(Entry("article" if r["source"] == "pubmed" else "misc", citation_key(r), fields))
    return bibtexparser.write_string(library, prepend_middleware=[LatexEncodingMiddleware()])


def to_csl_json(records: list[dict]) -> str:
    """CSL-JSON (the citeproc input format Zotero and pandoc read): a list of items."""
    items = []
    for r in records:
        year = _year(r)
        issued = None
        if r.get("pub_date"):
            issued = {"date-parts": [[r["pub_date"].year, r["pub_date"].month, r["pub_date"].day]]}
        elif r.get("fm_published"):
            d = r["fm_published"]
            issued = {"date-parts": [[d.year, d.month, d.day]]}
        elif year:
            issued = {"date-parts": [[year]]}
        item = {"id": r["record_id"], "type": "article-journal" if r["source"] == "pubmed" else "webpage",
                "title": r["title"], "author": [{k: v for k, v in a.items() if v and k != "initials"}
                                                for a in _authors(r)],
                "issued": issued, "container-title": r.get("journal_title") or (
                    r.get("publisher") if r["source"] != "pubmed" else None),
                "container-title-short": r.get("journal"), "volume": r.get("volume"), "issue": r.get("issue"),
                "page": r.get("pages"), "DOI": r.get("doi"), "PMID": r.get("pmid"), "PMCID": r.get("pmcid"),
                "URL": r.get("url"), "abstract": r.get("abstract"), "language": r.get("language")}
        items.append({k: v for k, v in item.items() if v})
    return json.dumps(items, ensure_ascii=False, indent=1)


def render_export(records: list[dict], fmt: str) -> str:
    """Records in one of FORMATS; ValueError for another."""
    writers = {"ris": to_ris, "bibtex": to_bibtex, "csl-json": to_csl_json}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    return writers[fmt](records)
