"""Tables written to a pipe: 200 columns by default (CSV-like output must not be cut at 80), but a
COLUMNS the user sets is obeyed, as by any terminal program."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fmwatch.warehouse import Warehouse

FMWATCH = Path(sys.executable).with_name("fmwatch")
QUERY = "select repeat('magnesium ', 30) as text"  # 300 characters: wrapped to the width


def widest_line(db: Path, **env: str) -> int:
    full = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | env
    done = subprocess.run([str(FMWATCH), "--db", str(db), "sql", QUERY], env=full, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return max(len(line) for line in done.stdout.splitlines())


def test_piped_tables_obey_columns(tmp_path):
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db):
        pass
    assert widest_line(db) == 200
    assert widest_line(db, COLUMNS="100") == 100
