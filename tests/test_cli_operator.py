"""What an operator meets first: `status` with open flags, what a run that failed in part says, and
one-line errors with the right exit status (interface.md: 2 for usage and configuration errors).

The commands run as a user runs them, in a subprocess with stderr a pipe (not a terminal), where a
wrapped line is what a script would see."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner
from werkzeug import Response

from fmwatch.cli import app
from fmwatch.warehouse import Warehouse

from .conftest import SHARED

runner = CliRunner()
FMWATCH = Path(sys.executable).with_name("fmwatch")


def fmwatch(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """The installed command in a subprocess, stdout and stderr pipes, a narrow COLUMNS as a CI log has."""
    full = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | {"COLUMNS": "80"} | env
    return subprocess.run([str(FMWATCH), *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=120)


# --- status: open flags -------------------------------------------------------------------------------

def test_status_counts_open_flags_by_priority(offline_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(offline_db.read_bytes())
    with Warehouse.open(db, read_only=True) as wh:
        open_flags = [r for r in wh.list_flags() if r["state"] in ("new", "seen")]
        wh_rows = wh.con.execute("select priority, count(*) from flags where state in ('new', 'seen') "
                                 "group by priority order by priority").fetchall()
    assert len(open_flags) > 3
    result = runner.invoke(app, ["--db", str(db), "status"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = _open_flag_rows(result.stdout)  # priority -> (new, seen, open); "total" for the total
    assert {p: o for p, (_, _, o) in rows.items() if p != "total"} == {str(p): str(n) for p, n in wh_rows}
    assert rows["total"][2] == str(len(open_flags))
    assert rows["total"][0] == str(sum(1 for r in open_flags if r["state"] == "new"))

    # a flag dismissed is no longer open
    first = open_flags[0]["id"]
    assert runner.invoke(app, ["--db", str(db), "flag", "dismiss", first, "--reason", "duplicate"]).exit_code == 0
    rows = _open_flag_rows(runner.invoke(app, ["--db", str(db), "status"], env={"COLUMNS": "200"}).stdout)
    assert rows["total"][2] == str(len(open_flags) - 1)


def _open_flag_rows(stdout: str) -> dict[str, tuple[str, ...]]:
    section = stdout.split("open flags")[1].split("pending enrichment")[0]
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in section.splitlines() if line.startswith("│")]
    return {row[0]: tuple(row[1:]) for row in cells}


# --- a run that failed in part says what it published -----------------------------------------------

def test_a_short_efetch_run_says_what_it_published_and_names_no_query(httpserver, tmp_path):
    """Shared case 18 (esearch counts 3, efetch delivers 1, ids never listed): the delivered record is
    published, so the message must not say 'published: nothing'; it names the watch, not its query."""
    case = sorted((SHARED / "cases" / "pubmed").glob("18-*.esearch.xml"))[0]
    esearch, efetch = case.read_bytes(), case.with_name(case.name.replace(".esearch.", ".efetch.")).read_bytes()
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data(esearch, content_type="text/xml")
    httpserver.expect_request("/eutils/efetch.fcgi").respond_with_handler(lambda request: Response(
        efetch if request.values.get("id") is None else b"<PubmedArticleSet></PubmedArticleSet>",
        content_type="text/xml"))
    httpserver.expect_request("/eutils/elink.fcgi").respond_with_data(
        "<eLinkResult><LinkSet><DbFrom>pubmed</DbFrom></LinkSet></eLinkResult>", content_type="text/xml")
    query = "magnesium[tiab] AND fibromyalgia[tiab] AND (trial[ti] OR randomized[tiab] OR placebo[tiab])"
    (tmp_path / "fmwatch.toml").write_text(f'[[watch]]\nname = "mg"\nquery = "{query}"\n', encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    result = fmwatch("--db", str(db), "run", "--source", "pubmed", cwd=tmp_path, NCBI_EMAIL="dev@example.org",
                     FMWATCH_EUTILS_URL=httpserver.url_for("/eutils/"))
    assert result.returncode == 1, result.stderr
    with Warehouse.open(db, read_only=True) as wh:
        published = wh.con.execute("select pmid from articles").fetchall()
        versions = wh.con.execute("select versions_new from runs").fetchall()
    assert published and versions == [(len(published),)]
    error = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1, result.stderr  # one line
    assert "published: nothing" not in error[0]
    assert f"published: {len(published)} new record version" in error[0]
    assert "'mg'" in error[0] and query not in error[0] and "fibromyalgia[tiab]" not in error[0]


# --- one-line errors, the right name and the right status -----------------------------------------------

def test_configuration_errors_are_one_line_whatever_the_terminal(tmp_path):
    result = fmwatch("status", cwd=tmp_path, FMWATCH_EFETCH_BATCH_SIZE="lots",
                     FMWATCH_DB=str(tmp_path / "none.duckdb"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error:") and "FMWATCH_EFETCH_BATCH_SIZE (environment)" in lines[0]
    assert "valid integer" in lines[0]


def test_a_bad_toml_key_is_named_as_written_in_the_file(tmp_path):
    (tmp_path / "fmwatch.toml").write_text("workers = 0\n", encoding="utf-8")
    result = fmwatch("status", cwd=tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "workers (fmwatch.toml)" in line and "FMWATCH_WORKERS" not in line
    # the same value from the environment is named as the environment variable
    result = fmwatch("status", cwd=tmp_path / "..", FMWATCH_WORKERS="0")
    (line,) = result.stderr.strip().splitlines()
    assert "FMWATCH_WORKERS (environment)" in line
    # and an unknown key as the file has it
    (tmp_path / "fmwatch.toml").write_text("wrokers = 2\n", encoding="utf-8")
    (line,) = fmwatch("status", cwd=tmp_path).stderr.strip().splitlines()
    assert "wrokers (fmwatch.toml)" in line


def test_importing_a_folder_says_it_is_a_folder(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    result = runner.invoke(app, ["--db", str(tmp_path / "wh.duckdb"), "import", str(folder)])
    assert result.exit_code == 2
    assert "a folder, not a file" in result.output and str(folder) in result.output
    assert "no such file" not in result.output
    missing = tmp_path / "missing.xml"
    result = runner.invoke(app, ["--db", str(tmp_path / "wh.duckdb"), "import", str(missing), str(folder)])
    assert result.exit_code == 2 and f"no such file: {missing}" in result.output and "a folder" in result.output
    result = runner.invoke(app, ["extract", str(folder)])
    assert result.exit_code == 2 and "a folder, not a file" in result.output


def test_a_missing_warehouse_is_a_usage_error(tmp_path):
    db = str(tmp_path / "nowhere.duckdb")
    for args in (["status"], ["sql", "select 1"], ["export"], ["feed"], ["flags"]):
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 2, (args, result.output)
        assert f"no warehouse at {db}" in result.output
