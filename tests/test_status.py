"""`fmwatch status` when there is nothing to show: no open flag, a warehouse just made. A table of
headers with an empty totals row of zeros read as a fault; each empty part says "(none)"."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.warehouse import Warehouse

runner = CliRunner()
SECTIONS = ("counts", "last runs", "watermarks", "open flags", "pending enrichment", "notes of the last run")


def status_sections(db) -> dict[str, str]:
    """`fmwatch status`'s stdout cut into its parts, by the start of each part's title."""
    result = runner.invoke(app, ["--db", str(db), "status"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    starts = [(result.stdout.index(title), title) for title in SECTIONS]
    starts.sort()
    return {title: result.stdout[at:(starts[i + 1][0] if i + 1 < len(starts) else None)]
            for i, (at, title) in enumerate(starts)}


def table_rows(section: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in section.splitlines() if line.startswith("│")]


def test_status_of_a_new_warehouse_says_none(tmp_path):
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db):  # created, as the first run or import does, with nothing in it yet
        pass
    sections = status_sections(db)
    for title in ("last runs", "watermarks", "open flags", "pending enrichment", "notes of the last run"):
        assert "(none)" in sections[title], sections[title]
        assert table_rows(sections[title]) == [], sections[title]  # no header without rows, no row of zeros


def test_status_when_every_flag_is_settled(offline_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(offline_db.read_bytes())
    before = table_rows(status_sections(db)["open flags"])
    assert before[-1][0] == "total" and int(before[-1][3]) > 0 and all(re.fullmatch(r"\d+", r[0]) for r in before[:-1])
    for state in ("new", "seen"):
        result = runner.invoke(app, ["--db", str(db), "flag", "dismiss", "--state", state, "--reason", "triaged"])
        assert result.exit_code in (0, 2), result.output  # 2: no flag in that state
    section = status_sections(db)["open flags"]
    assert table_rows(section) == [] and "(none)" in section, section


def test_a_failed_runs_error_names_its_requests_by_short_urls(tmp_path, httpserver):
    """The error column of `last runs` shortens URLs as the run's own error line does (a watch's
    400-character query is not repeated, percent-encoded, in the table); times are to the second."""
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data("<eSearchResult><ERROR>bad</ERROR>"
                                                                        "</eSearchResult>", status=400)
    db = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["--db", str(db), "run", "--source", "pubmed"],
                           env={"FMWATCH_EUTILS_URL": httpserver.url_for("/eutils/"), "NCBI_EMAIL": "dev@example.org"})
    assert result.exit_code == 1, result.output
    with Warehouse.open(db, read_only=True) as wh:
        (stored,) = wh.con.execute("select error from runs").fetchone()
    assert "%5BMeSH" in stored  # the run keeps the whole request; status shows it short
    section = status_sections(db)["last runs"]
    cells = "".join(row[-1] for row in table_rows(section))
    assert "esearch.fcgi" in cells and "chars)" in cells and "%5B" not in cells, section
    started = table_rows(section)[0][3]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", started), started
