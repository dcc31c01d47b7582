"""Exports for reference managers and feeds of new flags, read back with real parsers:
rispy (RIS), bibtexparser (BibTeX), JSON (CSL-JSON, JSON Feed), feedparser (Atom)."""

from __future__ import annotations

import json

import bibtexparser
import feedparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.warehouse import Warehouse

runner = CliRunner()


@pytest.fixture(scope="module")
def offline_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("exports") / "w.duckdb"
    assert runner.invoke(app, ["--db", str(db), "run", "--offline"]).exit_code == 0
    return db


def fm(db, *args) -> str:
    result = runner.invoke(app, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def flagged(db) -> list[str]:
    with Warehouse.open(db, read_only=True) as wh:
        return list(dict.fromkeys(r["record_id"] for r in wh.list_flags()))


def article(db, pmid) -> dict:
    with Warehouse.open(db, read_only=True) as wh:
        cursor = wh.con.execute("select * from articles where pmid = ?", [pmid])
        return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))


def test_ris_reads_back_with_rispy(offline_db):
    entries = rispy.loads(fm(offline_db, "export", "--format", "ris"))
    assert len(entries) == len(flagged(offline_db))
    nutrients = next(e for e in entries if e.get("accession_number") == "35631229")
    truth = article(offline_db, "35631229")
    assert nutrients["type_of_reference"] == "JOUR" and nutrients["title"] == truth["title"]
    assert nutrients["doi"] == truth["doi"] and nutrients["year"] == str(truth["pub_year"])
    assert nutrients["authors"][0].startswith("Macian") and nutrients["journal_name"] == truth["journal"]
    web = [e for e in entries if e["type_of_reference"] == "ELEC"]
    assert web and all(e["urls"][0].startswith("http") for e in web)


def test_bibtex_reads_back_with_bibtexparser(offline_db):
    text = fm(offline_db, "export", "--format", "bibtex")
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.failed_blocks == [] and len(library.entries) == len(flagged(offline_db))
    entry = library.entries_dict["pmid35631229"]
    truth = article(offline_db, "35631229")
    assert entry.entry_type == "article" and entry["title"] == truth["title"] and entry["doi"] == truth["doi"]
    assert "Dualé" in entry["author"]  # an accent survives the LaTeX round trip
    assert {e.entry_type for e in library.entries} == {"article", "misc"}


def test_csl_json_and_a_query_export(offline_db, tmp_path):
    out = tmp_path / "refs.json"
    runner.invoke(app, ["--db", str(offline_db), "export", "--format", "csl-json", "--sql",
                        "select pmid from articles where pub_year >= 2015 order by pmid", "--out", str(out)])
    items = json.loads(out.read_text())
    assert [i["PMID"] for i in items] == sorted(p for p in ["35631229", "99000103"])
    assert all(i["type"] == "article-journal" and i["issued"]["date-parts"][0][0] >= 2015 for i in items)
    assert items[0]["author"][0]["family"]
    bad = runner.invoke(app, ["--db", str(offline_db), "export", "--sql", "select 1 as x"])
    assert bad.exit_code == 2 and "record_id or pmid" in bad.output


def test_the_atom_feed_validates_and_feedparser_reads_every_entry(offline_db, tmp_path):
    text = fm(offline_db, "feed", "--format", "atom", "--self-url", "https://editors.example.org/fmwatch.atom")
    parsed = feedparser.parse(text)
    with Warehouse.open(offline_db, read_only=True) as wh:
        new = wh.list_flags(state="new")
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10" and len(parsed.entries) == len(new)
    assert len({e.id for e in parsed.entries}) == len(new)  # every entry its own id
    first = parsed.entries[0]
    assert first.title.startswith("[P1] Contradicts BAGIS-C3: Treatment of fibromyalgia syndrome with Super Malic")
    assert first.link == "https://pubmed.ncbi.nlm.nih.gov/99000104/" and "Magnesium (citrate" in first.summary
    assert {t.term for t in first.tags} == {"contradicts_claim", "priority-1"}
    urgent = feedparser.parse(fm(offline_db, "feed", "--priority", "1"))
    assert len(urgent.entries) == sum(1 for f in new if f["priority"] <= 1) >= 1
    # seen flags leave the feed of new ones
    runner.invoke(app, ["--db", str(offline_db), "flag", "seen", "pubmed:99000104/BAGIS-C3"])
    assert feedparser.parse(fm(offline_db, "feed", "--priority", "1")).entries == []


def test_json_feed(offline_db):
    feed = json.loads(fm(offline_db, "feed", "--format", "json"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"]
    with Warehouse.open(offline_db, read_only=True) as wh:
        new = wh.list_flags(state="new")
    assert len(feed["items"]) == len(new) > 0
    for item in feed["items"]:
        assert item["id"].startswith("tag:") and item["content_text"] and item["date_modified"]
