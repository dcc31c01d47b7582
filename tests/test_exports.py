"""Exports for reference managers and feeds of new flags, read back with real parsers:
rispy (RIS), bibtexparser (BibTeX), JSON (CSL-JSON, JSON Feed), feedparser (Atom)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import bibtexparser
import feedparser
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.warehouse import Warehouse

runner = CliRunner()


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
    empty = feedparser.parse(fm(offline_db, "feed", "--priority", "1"))
    assert empty.entries == [] and not empty.bozo
    # a feed with no entry is dated when it was made, not 1970-01-01 (RFC 4287 requires the date)
    made = datetime(*empty.feed.updated_parsed[:6], tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - made).total_seconds()) < 600


def test_json_feed(offline_db):
    feed = json.loads(fm(offline_db, "feed", "--format", "json"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"]
    with Warehouse.open(offline_db, read_only=True) as wh:
        new = wh.list_flags(state="new")
    assert len(feed["items"]) == len(new) > 0
    for item in feed["items"]:
        assert item["id"].startswith("tag:") and item["content_text"] and item["date_modified"]


# --- a feed per watch (issue 14 item 4): which watch found which record --------------------------------

def test_each_watch_has_a_feed_of_its_own_records_flags(httpserver, db_path):
    from datetime import date, timedelta

    from fmwatch.pipeline import run_pipeline
    from fmwatch.settings import Watch, load_settings

    from .fake_eutils import FakeEutils
    from .test_windows import TRIAL_TEXT, efetched

    fake = FakeEutils()
    url = fake.install(httpserver)
    day = date(2026, 11, 20)
    fibro, sleep = Watch(name="mg-fm", query="magnesium AND fibromyalgia"), Watch(name="mg-sleep", query="magnesium AND sleep")
    # one record for each watch alone, and one both watches match (fetched once, found by both)
    for pmid, matches in ((71000001, ("fibromyalgia",)), (71000002, ("sleep",)), (71000003, ("fibromyalgia", "sleep"))):
        fake.add(pmid, day - timedelta(days=1), f"Magnesium citrate in fibromyalgia: randomised trial {pmid}",
                 abstract=TRIAL_TEXT, matches=matches)
    settings = load_settings(None, db=db_path, eutils_url=url, backoff_seconds=0.01, max_attempts=2,
                             watches=[fibro, sleep], requests_per_second=10, ncbi_email="dev@example.org")
    first = run_pipeline(settings, today=day, sources=["pubmed"])
    assert sorted(efetched(fake)) == ["71000001", "71000002", "71000003"]  # each PMID fetched once
    with Warehouse.open(db_path, read_only=True) as wh:
        found = sorted(wh.con.execute("select watch, pmid, first_run_id from watch_records").fetchall())
        flags_of = {}
        for row in wh.list_flags(state="new"):
            flags_of.setdefault(row["record_id"], set()).add(row["flag_key"])
    assert found == [("mg-fm", "71000001", first.run_id), ("mg-fm", "71000003", first.run_id),
                     ("mg-sleep", "71000002", first.run_id), ("mg-sleep", "71000003", first.run_id)]
    assert {"pubmed:71000001", "pubmed:71000002", "pubmed:71000003"} <= set(flags_of)  # every record is flagged

    for watch, pmids in (("mg-fm", ("71000001", "71000003")), ("mg-sleep", ("71000002", "71000003"))):
        atom = feedparser.parse(fm(db_path, "feed", "--watch", watch))
        assert not atom.bozo, atom.get("bozo_exception")
        assert watch in atom.feed.title and atom.feed.id.endswith(f"/watch/{watch}")
        wanted = {f"pubmed:{p}/{key}" for p in pmids for key in flags_of[f"pubmed:{p}"]}
        assert {"/".join(e.id.split("/")[1:3]) for e in atom.entries} == wanted
        json_feed = json.loads(fm(db_path, "feed", "--watch", watch, "--format", "json"))
        assert {"/".join(i["id"].split("/")[1:3]) for i in json_feed["items"]} == wanted
    # priority narrows a watch's feed too
    urgent = feedparser.parse(fm(db_path, "feed", "--watch", "mg-fm", "--priority", "1"))
    assert len(urgent.entries) <= len(feedparser.parse(fm(db_path, "feed", "--watch", "mg-fm")).entries)

    # a rerun records nothing new, and the first run that found a record stays
    run_pipeline(settings, today=day, sources=["pubmed"])
    with Warehouse.open(db_path, read_only=True) as wh:
        assert sorted(wh.con.execute("select watch, pmid, first_run_id from watch_records").fetchall()) == found
    unknown = runner.invoke(app, ["--db", str(db_path), "feed", "--watch", "no-such-watch"])
    assert unknown.exit_code == 2 and "no watch named 'no-such-watch'" in unknown.output
