"""A mistyped --db: only the commands that load records (run, import, mirror; interface.md) create a
warehouse. The others refuse, as the read-only ones do, with exit status 2, one line, and leave no
file or folder behind where the mistyped path points."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.warehouse import Warehouse, WarehouseError

runner = CliRunner()

# (arguments after --db PATH): every command that writes to an existing warehouse but loads nothing
WRITERS_THAT_NEVER_CREATE = [
    ["digest", "--out", "{tmp}/digests"],
    ["digest", "--week", "2026-W47", "--out", "{tmp}/digests"],
    ["flag", "seen", "pubmed:35631229/BAGIS-C3"],
    ["flag", "dismiss", "--state", "new", "--reason", "not relevant"],
    ["reextract"],
]
READERS = [["status"], ["flags"], ["sql", "select 1"]]


@pytest.mark.parametrize("args", WRITERS_THAT_NEVER_CREATE + READERS, ids=lambda a: " ".join(a[:2]))
def test_a_mistyped_db_is_refused_and_creates_nothing(tmp_path, args):
    missing = tmp_path / "typo" / "fmwatch.duckdb"
    result = runner.invoke(app, ["--db", str(missing), *[a.format(tmp=tmp_path) for a in args]])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: no warehouse at {missing}"), result.stderr
    assert list(tmp_path.iterdir()) == [], list(tmp_path.rglob("*"))  # no warehouse, run folder, digests


def test_a_digest_of_an_existing_warehouse_still_works(offline_db, tmp_path):
    result = runner.invoke(app, ["--db", str(offline_db), "digest", "--preview", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".html", ".md", ".png"]


def test_open_without_create(tmp_path):
    db = tmp_path / "w.duckdb"
    with pytest.raises(WarehouseError, match="^no warehouse at "):
        Warehouse.open(db, create=False)
    assert not db.exists()
    with Warehouse.open(db):  # the default creates it, as run and import need
        pass
    with Warehouse.open(db, create=False) as warehouse:
        assert warehouse.con.execute("select count(*) from runs").fetchone() == (0,)


def test_a_parquet_export_of_a_missing_warehouse_makes_no_folder(tmp_path):
    result = runner.invoke(app, ["--db", str(tmp_path / "typo.duckdb"), "export", "--parquet", str(tmp_path / "pq")])
    assert result.exit_code == 2 and result.stderr.startswith("error: no warehouse at "), result.output
    assert list(tmp_path.iterdir()) == []


def _not_a_warehouse(tmp_path, kind):
    """A --db that can never be a warehouse: an empty value, '.', a folder, a file that is no DuckDB file."""
    if kind == "folder":
        (tmp_path / "a-folder").mkdir()
        return str(tmp_path / "a-folder")
    if kind == "text file":
        (tmp_path / "notes.duckdb").write_text("not a database\n")
        return str(tmp_path / "notes.duckdb")
    return {"empty": "", "dot": "."}[kind]


@pytest.mark.parametrize("kind", ["empty", "dot", "folder", "text file"])
@pytest.mark.parametrize("args", [["status"], ["flags"], ["import", "{tmp}/none.xml"], ["digest", "--out", "{tmp}/d"]],
                         ids=lambda a: a[0])
def test_a_db_that_is_no_duckdb_file_is_a_one_line_configuration_error(tmp_path, monkeypatch, args, kind):
    # an unset variable in a cron line (FMWATCH_DB=), a folder, a copied README: exit 2, one line,
    # nothing made beside it (no run lock folder), in whichever folder the command runs
    monkeypatch.chdir(tmp_path)
    db = _not_a_warehouse(tmp_path, kind)
    before = sorted(tmp_path.rglob("*"))
    result = runner.invoke(app, ["--db", db, *[a.format(tmp=tmp_path) for a in args]])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("configuration error: ") and "DuckDB file" in lines[0], result.stderr
    assert "Value error" not in lines[0]  # (pydantic's wording, not ours: new-user trial, session 23)
    assert sorted(tmp_path.rglob("*")) == before


def test_an_empty_fmwatch_db_variable_is_a_configuration_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FMWATCH_DB", "")
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 2 and "FMWATCH_DB" in result.stderr and "DuckDB file" in result.stderr, result.output
