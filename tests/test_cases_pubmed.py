"""The failure cases of ../shared/cases/pubmed/, each read from there and held to the right value
that folder's README gives. Each test loops over every file of its kind, so a new instance of a
kind added to the folder is checked too. (Case 09, the StatPearls chapter's design, is the
extractor's; case 18, the short efetch, runs against the test server in test_windows.py.)"""

from __future__ import annotations

import gzip
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from fmwatch import pipeline
from fmwatch.cli import app
from fmwatch.parse.medline import iter_medline
from fmwatch.parse.pubmed_xml import iter_pubmed_xml
from fmwatch.records import ArticleRecord, Deletion, Quarantined
from fmwatch.settings import load_settings
from fmwatch.warehouse import Warehouse

from .conftest import FIXTURES, SHARED

CASES = SHARED / "cases" / "pubmed"
BAGIS_PMID = "22271372"  # the reference study (shared/contracts/claims-bagis2012.md)
runner = CliRunner()


def cases(kind: str) -> list:
    found = sorted(CASES.glob(f"*-{kind}*"))
    assert found, f"no case file of kind {kind!r} in {CASES}"
    return found


def records(path) -> list:
    return list(iter_pubmed_xml(str(path)))


def query(db_path, sql, params=None):
    with Warehouse.open(db_path, read_only=True) as wh:
        return wh.con.execute(sql, params or []).fetchall()


def import_(db_path, *paths, extract=True):
    summary = pipeline.import_files(load_settings(None, db=db_path), list(paths), extract=extract, offline=True)
    assert not summary.quarantined, [q.reason for q in summary.quarantined]
    return summary


# --- 01: MedlineDate seasons and ranges, in either word order ----------------------------------------

SEASON_MONTH = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
MONTH = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


@pytest.mark.parametrize("path", cases("medlinedate"), ids=lambda p: p.name)
def test_printed_dates_give_the_first_day_of_the_period(path):
    seen = set()
    for record in records(path):
        printed = record.pub_date_text
        year = int(re.search(r"\d{4}", printed).group())
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", printed)]
        month = next((SEASON_MONTH.get(w) or MONTH.get(w[:3]) for w in words
                      if w in SEASON_MONTH or w[:3] in MONTH), 1)
        assert (record.pub_year, record.pub_date) == (year, date(year, month, 1)), printed
        seen.add(printed)
    if path.name.startswith("01-"):  # the README's values for this file
        assert {"Summer 2017", "2017 Summer", "1990 May-Jun"} <= seen


# --- 06: a placeholder English title, the real one vernacular ----------------------------------------

@pytest.mark.parametrize("path", cases("vernacular"), ids=lambda p: p.name)
def test_the_vernacular_title_replaces_a_placeholder_and_both_are_kept(path, db_path):
    raw = path.read_text(encoding="utf-8")
    vernacular = re.findall(r"<VernacularTitle>(.*?)</VernacularTitle>", raw)
    english = re.findall(r"<ArticleTitle>(.*?)</ArticleTitle>", raw)
    assert vernacular
    for record, printed_english, printed_vernacular in zip(records(path), english, vernacular):
        assert record.title == printed_vernacular and record.vernacular_title == printed_vernacular
        assert record.english_title == printed_english == "[Not Available]."
    import_(db_path, path, extract=False)
    rows = query(db_path, "select title, english_title, vernacular_title from articles order by pmid")
    assert rows == [(v, e, v) for e, v in zip(english, vernacular)]


# --- 07: references in PubmedData/ReferenceList -------------------------------------------------------

@pytest.mark.parametrize("path", cases("referencelist"), ids=lambda p: p.name)
def test_reference_lists_are_citations_and_raise_the_cites_flag(path, db_path):
    expected_refs = len(re.findall(r"<Reference>", path.read_text(encoding="utf-8")))
    parsed = records(path)
    assert sum(len(r.references) for r in parsed) == expected_refs
    citing = [r.pmid for r in parsed if BAGIS_PMID in r.cited_pmids]
    assert len(citing) == len(parsed) == 2  # the README: both records cite 22271372
    import_(db_path, path)
    flagged = query(db_path, "select record_id from flags where flag_type = 'cites_reference' order by 1")
    assert flagged == [(f"pubmed:{p}",) for p in sorted(citing)]
    assert query(db_path, "select count(*) from article_references") == [(expected_refs,)]
    assert query(db_path, "select pmid from articles where list_contains(cited_pmids, ?) order by 1",
                 [BAGIS_PMID]) == [(p,) for p in sorted(citing)]


def test_pubmed7_loads_with_all_its_references(db_path):
    path = FIXTURES / "eutils" / "pubmed7.xml"
    import_(db_path, path, extract=False)
    expected = len(re.findall(rb"<Reference>", path.read_bytes()))
    rows = query(db_path, "select count(*), count(cited_pmid), min(position), max(position) from article_references")
    assert rows == [(expected, expected, 1, expected)] and expected == 49


def test_a_book_chapters_reference_list_is_read():
    (record,) = records(cases("book-chapter")[0])
    assert [r.pmid for r in record.references] == ["22271372", "31000001"]
    assert record.references[1].pmcid == "PMC6000001" and record.references[0].doi == "10.1007/s00296-011-2334-8"


# --- 08: the pre-2017 MedlineCitationSet format ----------------------------------------------------------

@pytest.mark.parametrize("path", cases("medlinecitationset"), ids=lambda p: p.name)
def test_a_medlinecitationset_file_loads(path, db_path):
    raw = path.read_text(encoding="utf-8")
    parsed = records(path)
    assert len(parsed) == raw.count("<MedlineCitation ") == 1
    (record,) = parsed
    assert record.title == re.search(r"<ArticleTitle>(.*?)</ArticleTitle>", raw).group(1)
    assert record.doi == re.search(r'<ELocationID EIdType="doi"[^>]*>(.*?)<', raw).group(1)
    import_(db_path, path, extract=False)
    assert query(db_path, "select pmid, title, doi from articles") == [(record.pmid, record.title, record.doi)]


def test_the_2016_medline_update_file_loads_whole(db_path):
    path = FIXTURES / "pubmed-files" / "medline16n0902.xml.gz"
    raw = gzip.decompress(path.read_bytes())
    citations = set(re.findall(rb"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)<", raw))
    deleted = set(re.findall(rb"<PMID[^>]*>(\d+)</PMID>", b"".join(
        re.findall(rb"<DeleteCitation>.*?</DeleteCitation>", raw, re.S))))
    with gzip.open(path) as handle:
        items = list(iter_pubmed_xml(handle, origin=path.name))
    assert not [i for i in items if isinstance(i, Quarantined)]
    assert len([i for i in items if isinstance(i, ArticleRecord)]) == raw.count(b"<MedlineCitation ") > 600
    assert {i.pmid for i in items if isinstance(i, Deletion)} == {d.decode() for d in deleted}
    import_(db_path, path, extract=False)
    assert query(db_path, "select count(*) from articles") == [(len(citations - deleted),)]


# --- MEDLINE "Save" text read with the XML's fidelity (11) --------------------------------------------------

@pytest.mark.parametrize("path", sorted(CASES.glob("*-medline-*.txt")), ids=lambda p: p.name)
def test_medline_text_keeps_paragraphs_affiliations_and_book_titles(path, db_path):
    text = path.read_text(encoding="utf-8")
    items = list(iter_medline(path.read_bytes(), path.name))
    assert len(items) == text.count("PMID-") and all(isinstance(i, ArticleRecord) for i in items)
    record = items[0]
    # every paragraph of the abstract is there, split where the whitespace-only line was
    abstract_block = re.search(r"^AB  - (.*?)(?=^[A-Z]{2,4} *- )", text, re.S | re.M).group(1)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", abstract_block) if p.strip()]
    assert len(paragraphs) >= 2 and [s.text for s in record.abstract_sections] == paragraphs
    assert record.abstract == "\n".join(paragraphs)
    # each author with the AD lines under it, in line order
    expected_authors: list = []
    for tag, value in re.findall(r"^(FAU|AD) *- (.*)$", text, re.M):
        if tag == "FAU":
            expected_authors.append((value.split(",")[0], []))
        else:
            expected_authors[-1][1].append(value.strip())
    assert [(a.last_name, a.affiliations) for a in record.authors] == expected_authors
    assert all(affiliations for _, affiliations in expected_authors)
    assert record.publication_types == re.findall(r"^PT  - (.*)$", text, re.M)
    assert record.languages == re.findall(r"^LA  - (.*)$", text, re.M) == ["eng"]
    book_title = re.search(r"^BTI - (.*)$", text, re.M).group(1)
    assert record.kind == "book" and record.journal_title == book_title
    aid = re.search(r"^AID - (\S+) \[(\w+)\]$", text, re.M)
    assert record.article_ids[aid.group(2)] == aid.group(1)
    import_(db_path, path, extract=False)
    assert query(db_path, "select count(*), any_value(journal_title) from articles") == [(1, book_title)]
    assert query(db_path, "select count(*) from quarantine") == [(0,)]


def test_medline_lid_and_aid_give_doi_and_pii():
    path = FIXTURES / "medline" / "efetch2.txt"
    (record,) = list(iter_medline(path.read_bytes(), path.name))
    assert record.doi == "10.1093/bioinformatics/btp163" and record.article_ids["pii"] == "btp163"


def test_medline_authors_take_the_affiliations_that_follow_them():
    path = FIXTURES / "medline" / "pubmed_result4.txt"
    (record,) = list(iter_medline(path.read_bytes(), path.name))
    assert [len(a.affiliations) for a in record.authors] == [1, 2, 1, 2]
    assert record.authors[1].affiliations[1].startswith("Department of Molecular and Cellular Biology")
    assert record.pub_date == date(2023, 5, 17)


# --- 10a then 10b: DeleteCitation of a record editors were shown -----------------------------------------

def test_a_deleted_record_leaves_articles_and_its_flags_are_withdrawn(db_path):
    base, update = cases("deletecitation-base")[0], cases("deletecitation-update")[0]
    import_(db_path, base)
    (deleted_pmid,) = [r.pmid for r in records(base)]
    shown = query(db_path, "select flag_key, state from flags where record_id = ?", [f"pubmed:{deleted_pmid}"])
    assert shown and {s for _, s in shown} == {"new"}
    import_(db_path, update)
    assert deleted_pmid in {d.pmid for d in records(update) if isinstance(d, Deletion)}
    assert query(db_path, "select count(*) from articles where pmid = ?", [deleted_pmid]) == [(0,)]
    states = query(db_path, "select state, state_reason from flags where record_id = ?", [f"pubmed:{deleted_pmid}"])
    assert len(states) == len(shown) and all(s == "withdrawn" and "DeleteCitation" in r for s, r in states)
    listed = runner.invoke(app, ["--db", str(db_path), "flags", "--format", "json"], catch_exceptions=False)
    assert listed.exit_code == 0 and f"pubmed:{deleted_pmid}/" not in listed.output
    # 10b's own record is deleted in the same file, so it never reaches the editors either
    assert query(db_path, "select count(*) from articles") == [(0,)]


def test_10a_and_10b_in_one_import_end_as_in_two(tmp_path):
    """The base file and the update that deletes its record, given to ONE import: the record keeps its
    version and gets its tombstone, its flags exist and are withdrawn, exactly as after two imports."""
    base, update = cases("deletecitation-base")[0], cases("deletecitation-update")[0]
    (deleted_pmid,) = [r.pmid for r in records(base)]
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    import_(one, base, update)
    import_(two, base)
    import_(two, update)
    state = {"record_versions": "select record_key, version, deleted from record_versions order by all",
             "flags": "select record_id, flag_key, version, flag_type, state, state_reason from flags order by all",
             "evidence": "select record_id, version from evidence_records order by all",
             "articles": "select pmid from articles"}
    ends = {name: query(one, sql) for name, sql in state.items()}
    assert ends == {name: query(two, sql) for name, sql in state.items()}
    assert ends["record_versions"] == [(deleted_pmid, 1, False), (deleted_pmid, 2, True)] and ends["articles"] == []
    assert ends["flags"] and all(f[0] == f"pubmed:{deleted_pmid}" and f[4] == "withdrawn" and "DeleteCitation" in f[5]
                                 for f in ends["flags"])
    listed = runner.invoke(app, ["--db", str(one), "flags", "--format", "json"], catch_exceptions=False)
    assert listed.exit_code == 0 and f"pubmed:{deleted_pmid}/" not in listed.output
    withdrawn = runner.invoke(app, ["--db", str(one), "flags", "--state", "withdrawn", "--format", "json"])
    assert f"pubmed:{deleted_pmid}/" in withdrawn.output


def test_medline_structured_abstracts_keep_their_sections_as_the_xml_does():
    path = FIXTURES / "medline" / "pubmed_result3.txt"
    (record,) = list(iter_medline(path.read_bytes(), path.name))
    text = path.read_text(encoding="utf-8")
    labels = [label for label in ("PURPOSE", "METHODS", "RESULTS", "CONCLUSIONS") if f"{label}: " in text]
    assert [s.label for s in record.abstract_sections] == labels == ["PURPOSE", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert record.abstract.split("\n")[0].startswith("PURPOSE: ")
    one_label = b"PMID- 1\nTI  - A title.\nAB  - HIV: a short unstructured abstract about one thing.\n"
    (plain,) = list(iter_medline(one_label, "written by us"))
    assert [s.label for s in plain.abstract_sections] == [None]
