"""The flows on Prefect's temporary local server (no PREFECT_API_URL: `make run`, a flow called from
a script): the worker processes of the process-pool task runner report to the flow's server and
start no temporary server of their own (one per worker before: "Starting temporary server" three
times for two workers). Run as a user runs it, in a fresh process with a Prefect home of its own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from .conftest import FIXTURES

REPO = Path(__file__).resolve().parents[1]
SCRIPT = """
import sys
sys.path.insert(0, {flows!r})
import fmwatch_flows

if __name__ == "__main__":  # the spawned workers import this module too
    state = fmwatch_flows.import_files(paths={paths!r}, db={db!r}, offline=True, return_state=True)
    print("STATE", state.type.value, state.result(raise_on_failure=False))
"""


def test_workers_use_the_flows_temporary_server_and_start_none(tmp_path):
    files = sorted(str(p) for p in (FIXTURES / "medline").glob("*.txt"))
    files += [str(FIXTURES / "pubmed-files" / "test_current_medline.xml.gz")]
    assert len(files) >= 3  # more than one unit: the pool starts
    script = tmp_path / "import_flow.py"
    script.write_text(SCRIPT.format(flows=str(REPO / "flows"), paths=files, db=str(tmp_path / "w.duckdb")))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), FMWATCH_WORKERS="2", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="240")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0 and "STATE COMPLETED" in done.stdout, output[-3000:]
    assert output.count("Starting temporary server") == 1, output[-3000:]
    # the workers' task runs are on the flow's server: every file parsed by a task, each completed
    with sqlite3.connect(tmp_path / "prefect" / "prefect.db") as prefect_db:
        parses = prefect_db.execute("select state_type from task_run where name like 'parse %'").fetchall()
    assert parses == [("COMPLETED",)] * len(files), parses
