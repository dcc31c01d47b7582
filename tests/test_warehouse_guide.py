"""Every example query in warehouse/README.md runs, and answers something, on the offline snapshot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.warehouse import Warehouse

GUIDE = Path(__file__).resolve().parents[1] / "warehouse" / "README.md"
QUERIES = re.findall(r"```sql\n(.*?)```", GUIDE.read_text(), re.S)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    db = tmp_path_factory.mktemp("guide") / "w.duckdb"
    assert CliRunner().invoke(app, ["--db", str(db), "run", "--offline"]).exit_code == 0
    with Warehouse.open(db, read_only=True) as wh:
        yield wh


def test_the_guide_has_ten_questions():
    assert len(QUERIES) == 10


@pytest.mark.parametrize("number", range(10))
def test_every_example_query_runs(warehouse, number):
    rows = warehouse.con.execute(QUERIES[number]).fetchall()
    if number != 9:  # no record has a second version in a single offline run
        assert rows, QUERIES[number]


def test_documented_views_exist_with_their_columns(warehouse):
    text = GUIDE.read_text()
    for view, columns in re.findall(r"^\| `(\w+)` \| ([^|]+) \|", text, re.M):
        have = {r[0] for r in warehouse.con.execute(f"DESCRIBE {view}").fetchall()}
        for column in re.split(r",\s*", columns.strip()):
            assert column in have, (view, column)
