"""What `fmwatch import` says when it is done: its heading on one line (run id and status, for a
script to grep), and what extraction and the judgement made of the records it loaded."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.warehouse import Warehouse

from .conftest import FIXTURES

runner = CliRunner()


def test_the_import_summary_heads_with_one_line_and_says_what_was_extracted(tmp_path):
    db = tmp_path / "w.duckdb"
    files = sorted(str(p) for p in (FIXTURES / "medline").glob("*.txt"))
    result = runner.invoke(app, ["--db", str(db), "import", *files], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    with Warehouse.open(db, read_only=True) as wh:
        run_id, versions = wh.con.execute("select run_id, versions_new from runs").fetchone()
        flags = wh.con.execute("select count(*) from evidence_flags").fetchone()[0]
        trials = wh.con.execute("select count(*) from trials").fetchone()[0]
    assert versions > 1 and trials == versions
    lines = result.stderr.splitlines()
    assert lines[0] == f"fmwatch import {run_id}: succeeded", lines[:3]
    evidence = next(line for line in lines if "evidence" in line)
    assert re.search(rf"evidence\s+│ {trials} records read, {flags} flags? judged", evidence), evidence


def test_a_quarantined_file_is_named_once(tmp_path):
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["--db", str(tmp_path / "w.duckdb"), "import", str(empty)], env={"COLUMNS": "80"})
    assert result.exit_code == 3, result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("quarantined ")]
    assert line.startswith(f"quarantined {empty}: not a recognised format") and line.count("empty.xml") == 1, line
    with Warehouse.open(tmp_path / "w.duckdb", read_only=True) as wh:  # the view still names the file
        assert wh.con.execute("select reason from quarantine").fetchone()[0].startswith("empty.xml: ")
