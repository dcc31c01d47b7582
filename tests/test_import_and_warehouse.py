"""Local imports through the CLI, and the warehouse's versioning, quarantine and views."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pytest
from Bio import Medline
from typer.testing import CliRunner

from fmwatch import pipeline
from fmwatch.cli import app
from fmwatch.parse.medline import iter_medline
from fmwatch.parse.pubmed_xml import iter_pubmed_xml
from fmwatch.records import Quarantined
from fmwatch.warehouse import Warehouse, WarehouseError, sql_text

from .conftest import DATA, MEDLINE_FILES, PUBMED_XML_FILES

runner = CliRunner()


def fmwatch(db_path, *args):
    return runner.invoke(app, ["--db", str(db_path), *args], catch_exceptions=False)


def counts(db_path) -> dict[str, int]:
    with Warehouse.open(db_path, read_only=True) as wh:
        return wh.table_counts()


def query(db_path, sql):
    with Warehouse.open(db_path, read_only=True) as wh:
        return wh.con.execute(sql).fetchall()


def test_import_of_all_fixtures_loads_each_record_once_and_is_idempotent(db_path):
    files = [str(p) for p in PUBMED_XML_FILES + MEDLINE_FILES]
    first = fmwatch(db_path, "import", *files)
    assert first.exit_code == 0, first.output
    # as many records as the shared files hold (the folder grows: counted, not hard-coded)
    expected = (sum(p.read_text(encoding="utf-8").count("<PubmedArticle>") for p in PUBMED_XML_FILES)
                + sum(p.read_text(encoding="utf-8").count("\nPMID- ") + p.read_text(encoding="utf-8").startswith("PMID- ")
                      for p in MEDLINE_FILES))
    assert expected >= 15
    assert query(db_path, "select count(*), count(distinct pmid) from articles") == [(expected, expected)]
    before = counts(db_path)
    assert before["record_versions"] == before["pubmed_article_versions"] == expected
    second = fmwatch(db_path, "import", *files)
    assert second.exit_code == 0
    assert counts(db_path) == before  # every table, run log included


def test_articles_view_columns_from_real_records(db_path):
    fmwatch(db_path, "import", *map(str, PUBMED_XML_FILES))
    row = query(db_path, """select title, journal, pub_year, pub_date, doi, pmcid, language, entrez_date,
                                   is_retracted, url, mesh_terms[1], publication_types
                            from articles where pmid = '27797938'""")[0]
    assert row[0].startswith("Leucocyte telomere length, genetic variants at the TERT gene")
    assert row[1:4] == ("Gut", 2017, __import__("datetime").date(2017, 6, 1))
    assert row[4:7] == ("10.1136/gutjnl-2016-312510", "PMC5442267", "eng")
    assert str(row[7]) == "2016-11-01" and row[8] is False
    assert row[9] == "https://pubmed.ncbi.nlm.nih.gov/27797938/"
    authors = query(db_path, "select position, last_name, initials from article_authors where pmid='27797938' order by position")
    assert authors[0] == (1, "Bao", "Y") and len(authors) == 22
    mesh = query(db_path, "select descriptor, major_topic, qualifiers from article_mesh where pmid='12091962' and major_topic")
    assert ("Acquired Immunodeficiency Syndrome", True, []) in mesh


def test_a_changed_record_becomes_version_two_and_the_old_one_is_kept(db_path, tmp_path):
    original = DATA / "edge_cases.xml"
    fmwatch(db_path, "import", str(original))
    edited = tmp_path / "edited.xml"
    edited.write_text(original.read_text().replace("A season-dated record.", "A season-dated record, corrected."))
    result = fmwatch(db_path, "import", str(edited))
    assert result.exit_code == 0
    assert query(db_path, "select version, title from articles where pmid = '90000002'") == [
        (2, "A season-dated record, corrected.")]
    assert query(db_path, "select version, title from article_versions where pmid = '90000002' order by version") == [
        (1, "A season-dated record."), (2, "A season-dated record, corrected.")]
    assert query(db_path, "select count(*) from record_versions where record_key = '90000001'") == [(1,)]


def test_deletions_are_applied_as_a_version(db_path, tmp_path):
    fmwatch(db_path, "import", str(DATA / "edge_cases.xml"))
    deletion = tmp_path / "delete.xml"
    deletion.write_text('<?xml version="1.0"?>\n<PubmedArticleSet><DeleteCitation><PMID Version="1">90000002</PMID>'
                        '</DeleteCitation></PubmedArticleSet>\n')
    result = fmwatch(db_path, "import", str(deletion))
    assert result.exit_code == 0
    assert query(db_path, "select count(*) from articles where pmid = '90000002'") == [(0,)]
    assert query(db_path, "select version, deleted from record_versions where record_key='90000002' order by version") == [
        (1, False), (2, True)]
    # the DeleteCitation in edge_cases.xml names PMIDs never loaded: nothing to delete, nothing written
    assert query(db_path, "select count(*) from record_versions where record_key in ('90000004', '90000005')") == [(0,)]


def test_edge_case_fields(db_path):
    records = list(iter_pubmed_xml(str(DATA / "edge_cases.xml")))
    ranged, seasonal, book = records[:3]
    assert (ranged.pub_year, str(ranged.pub_date), ranged.pub_date_text) == (1998, "1998-12-01", "1998 Dec-1999 Jan")
    assert ranged.title == "Magnesium in fibromyalgia: a H2O-free test title."
    assert ranged.abstract == "BACKGROUND: Written for tests.\nRESULTS: Serum magnesium was lower (p < 0.05)."
    assert ranged.authors[0].orcid == "0000-0002-1825-0097"
    assert ranged.authors[0].affiliations == ["First place.", "Second place."]
    assert ranged.authors[1].collective_name == "FM Test Study Group"
    assert ranged.mesh[0].major_qualifiers == ["drug therapy"] and ranged.pmid_version == 2
    assert ranged.languages == ["eng", "fre"] and ranged.grants[0].agency == "NIAMS NIH HHS"
    assert (seasonal.pub_date_text, str(seasonal.pub_date)) == ("2000 Spring", "2000-03-01")
    assert (book.kind, book.journal_title, book.publication_types) == ("book", "Test Book of Chronic Pain", ["Review"])
    assert [type(r).__name__ for r in records[3:]] == ["Deletion", "Deletion"]
    fmwatch(db_path, "import", str(DATA / "edge_cases.xml"))
    assert query(db_path, "select pmid, is_retracted from articles order by pmid") == [
        ("90000001", True), ("90000002", False), ("90000003", False)]


def test_malformed_xml_quarantines_the_bad_records_and_loads_the_rest(db_path):
    result = fmwatch(db_path, "import", str(DATA / "malformed_batch.xml"))
    assert result.exit_code == 3
    assert "quarantined" in result.output
    assert query(db_path, "select pmid from articles order by pmid") == [("90000011",), ("90000013",)]
    rows = query(db_path, "select record_key, reason, raw from quarantine order by record_key nulls last")
    assert rows[0][0] == "90000012" and "malformed XML" in rows[0][1] and b"Second, cut off" in rows[0][2]
    assert rows[1][0] is None and "no PMID" in rows[1][1]
    before = counts(db_path)
    again = fmwatch(db_path, "import", str(DATA / "malformed_batch.xml"))
    assert again.exit_code == 3 and counts(db_path) == before


def test_hostile_xml_is_neither_expanded_nor_fetched(db_path):
    bomb = list(iter_pubmed_xml(str(DATA / "entity_bomb.xml")))
    assert len(bomb) == 1 and isinstance(bomb[0], Quarantined)
    (record,) = list(iter_pubmed_xml(str(DATA / "external_entity.xml")))
    hostname = open("/etc/hostname").read().strip()
    assert hostname not in record.title and "Leak" in record.title


def test_medline_matches_biopython_and_quarantines_a_record_without_pmid(db_path):
    for path in MEDLINE_FILES:
        with open(path) as handle:
            reference = list(Medline.parse(handle))
        ours = list(iter_medline(path.read_bytes(), str(path)))
        assert [r.pmid for r in ours] == [r["PMID"] for r in reference]
        for record, ref in zip(ours, reference):
            assert record.title == " ".join(ref["TI"].split())
            assert record.journal_iso == ref["TA"]
            assert [f"{a.last_name}, {a.fore_name}" for a in record.authors] == ref.get("FAU", [])
            assert [("*" if m.major_topic else "") + m.descriptor for m in record.mesh] == [
                t.split("/")[0] for t in ref.get("MH", [])]
    items = list(iter_medline((DATA / "bad_medline.txt").read_bytes(), "bad_medline.txt"))
    good, bad = items
    assert good.pmid == "90000031" and good.doi == "10.0000/test.31" and str(good.entrez_date) == "2019-03-05"
    assert good.comments_corrections[0].ref_type == "RetractionIn" and good.comments_corrections[0].pmid == "90000039"
    assert isinstance(bad, Quarantined) and "no numeric PMID" in bad.reason
    assert fmwatch(db_path, "import", str(DATA / "bad_medline.txt")).exit_code == 3
    assert query(db_path, "select is_retracted from articles") == [(True,)]


def test_gzipped_xml_imports_and_a_gzip_bomb_is_bounded(db_path, tmp_path, monkeypatch):
    packed = tmp_path / "pubmed4.xml.gz"
    packed.write_bytes(gzip.compress(PUBMED_XML_FILES[3].read_bytes()))
    assert fmwatch(db_path, "import", str(packed)).exit_code == 0
    assert query(db_path, "select count(*) from articles") == [(1,)]
    bomb = tmp_path / "bomb.xml.gz"
    with gzip.open(bomb, "wb") as handle:
        handle.write(b"<?xml version='1.0'?><PubmedArticleSet>" + b" " * 5_000_000)
    from fmwatch.sources import files
    monkeypatch.setattr(files, "MAX_DECOMPRESSED_BYTES", 1_000_000)
    result = fmwatch(db_path, "import", str(bomb))
    assert result.exit_code == 3
    assert query(db_path, "select count(*) from articles") == [(1,)]
    (reason, raw), = query(db_path, "select reason, raw from quarantine")
    assert "decompresses to more than 1000000 bytes" in reason and raw == bomb.read_bytes()


def test_an_unrecognised_file_is_quarantined_whole(db_path, tmp_path):
    odd = tmp_path / "notes.txt"
    odd.write_text("just some notes\n")
    result = fmwatch(db_path, "import", str(odd))
    assert result.exit_code == 3
    assert query(db_path, "select source, reason from quarantine") == [
        ("file", "notes.txt: not a recognised format (PubMed XML, MEDLINE text, an article page or print view)")]


def test_missing_file_is_a_usage_error(db_path):
    result = fmwatch(db_path, "import", "does-not-exist.xml")
    assert result.exit_code == 2 and "no such file" in result.output


def test_offline_run_then_sql(db_path):
    result = fmwatch(db_path, "run", "--offline")
    assert result.exit_code == 0, result.output
    out = fmwatch(db_path, "sql", "select count(*) as n from articles", "--format", "json")
    assert json.loads(out.stdout) == [{"n": 5}]
    assert query(db_path, "select count(*) from fm_articles") == [(6,)]
    pmids = query(db_path, "select pmid from articles order by pmid")
    assert ("22271372",) in pmids and ("35631229",) in pmids
    again = fmwatch(db_path, "run", "--offline")
    assert again.exit_code == 0
    # first run: 4 E-utilities requests for the watches (3 searches, and 1 efetch: the offline watches
    # overlap and each PMID is fetched once a run) and 1 to ELink, 13 to the site (robots, REST probe,
    # 3 feed pages, 2 sitemaps, 6 articles), 5 citation lookups; a rerun: the watches' 4, and 5 to find
    # the site unchanged (robots, REST probe, feed page 1, 2 sitemaps), and ELink
    assert query(db_path, "select versions_new, requests from runs order by started_at") == [(11, 23), (0, 10)]


def test_sql_is_read_only(db_path):
    fmwatch(db_path, "run", "--offline")
    result = fmwatch(db_path, "sql", "delete from run_log")
    assert result.exit_code == 2 and "read-only" in result.output.lower()
    assert query(db_path, "select count(*) from run_log") == [(1,)]


def test_bad_configuration_exits_2_with_the_setting_named(db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("FMWATCH_EUTILS_URL", "ftp://example.org")
    result = fmwatch(db_path, "status")
    assert result.exit_code == 2 and "FMWATCH_EUTILS_URL" in result.output
    config = tmp_path / "bad.toml"
    config.write_text("[[watch]]\nname = 'Bad Name'\nquery = 'x'\n")
    monkeypatch.delenv("FMWATCH_EUTILS_URL")
    result = runner.invoke(app, ["--config", str(config), "status"])
    assert result.exit_code == 2 and "watch" in result.output


def test_status_reads_the_warehouse(db_path):
    fmwatch(db_path, "run", "--offline")
    result = fmwatch(db_path, "status")
    assert result.exit_code == 0
    assert "magnesium-fibromyalgia" in result.stdout and "succeeded" in result.stdout


def test_migrations_are_recorded_and_not_reapplied(db_path):
    with Warehouse.open(db_path) as wh:
        migrations = sorted((Path(__file__).resolve().parents[1] / "warehouse" / "migrations").glob("[0-9]*.sql"))
        numbers = [int(p.name.split("_")[0]) for p in migrations if not p.name.startswith("000")]
        assert [r[0] for r in wh.con.execute("select version from schema_version order by 1").fetchall()] == numbers
    with Warehouse.open(db_path) as wh:
        assert wh.migrate() == []


def test_a_creation_killed_half_way_never_leaves_a_warehouse_without_tables(db_path):
    # What a run killed while creating the file leaves: a half-built file beside the warehouse.
    building = Path(f"{db_path}.creating")
    building.parent.mkdir(parents=True)
    with duckdb.connect(str(building)) as con:
        con.execute(sql_text("migrations/000_schema_version"))
    with pytest.raises(WarehouseError, match="no warehouse at"):
        Warehouse.open(db_path, read_only=True)  # an analyst finds nothing rather than an empty schema
    with Warehouse.open(db_path) as wh:  # the next run finishes the job
        assert wh.table_counts()["record_versions"] == 0
    assert not building.exists()
    with Warehouse.open(db_path, read_only=True) as wh:
        tables = {r[0] for r in wh.con.execute("select table_name from information_schema.tables").fetchall()}
        assert {"record_versions", "trials", "evidence_flags"} <= tables


def test_a_file_system_without_hard_links_still_gets_a_complete_warehouse(db_path, monkeypatch):
    def refuse(*_):
        raise PermissionError("hard links are not supported here")
    monkeypatch.setattr("os.link", refuse)
    with Warehouse.open(db_path) as wh:
        assert wh.table_counts()["record_versions"] == 0
    # the warehouse, its read snapshots and their pointer; no half-built file left beside them
    assert sorted(p.name for p in db_path.parent.iterdir()) == [
        "fmwatch-read.duckdb", db_path.name, f"{db_path.name}.snapshots"]


def test_raw_archive_keeps_bodies_without_the_api_key(db_path, monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", "secret-key-abcdef123456")
    assert fmwatch(db_path, "run", "--offline").exit_code == 0
    rows = query(db_path, "select url, body_gzip, body_bytes from raw_responses")
    assert len(rows) == 20  # every accepted response; robots.txt and the 404s are not archived
    for url, body, size in rows:
        assert "secret-key-abcdef123456" not in url and "api_key" not in url
        assert len(gzip.decompress(body)) == size
    text = str(query(db_path, "select * from run_log")) + str(query(db_path, "select * from watermarks"))
    assert "secret-key-abcdef123456" not in text


def test_every_sql_file_and_snapshot_file_ships_in_the_package():
    """An installed (not editable) fmwatch reads its SQL and snapshot from package data: every file
    under warehouse/ and src/fmwatch/snapshot/ must match a package-data pattern of pyproject.toml."""
    import fnmatch
    import tomllib

    repo = Path(__file__).resolve().parents[1]
    package_data = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for package, folder in (("fmwatch.sql", repo / "warehouse"), ("fmwatch.snapshot", repo / "src/fmwatch/snapshot")):
        for path in folder.rglob("*"):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and path.suffix in (".sql", ".xml", ".json", ".html", ".txt", ".md"):
                # each data folder is its own package (fmwatch.sql.queries, ...): match the file
                # against the patterns of the package that holds it
                folder_package = ".".join([package, *Path(relative).parent.parts])
                patterns = package_data.get(folder_package, package_data[package])
                base = Path(relative).name if folder_package in package_data else relative
                assert any(fnmatch.fnmatch(base, pattern) for pattern in patterns), relative
