"""`fmwatch serve` as an operator runs it: it starts without error tracebacks and stops on SIGTERM
(a service manager, `docker stop`) and on SIGINT (Ctrl-C) within seconds, leaving no process behind.

Each test starts the real command in its own process group on a temporary PREFECT_HOME (Prefect's
temporary local server on loopback; analytics off, so nothing leaves the machine), waits until the
deployments are served, sends the signal and times the exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FMWATCH = Path(sys.executable).with_name("fmwatch")
# A busy machine may take minutes to start Prefect's temporary server; stopping must not.
STARTUP_SECONDS = 300
STOP_SECONDS = 15


def _serve(tmp_path: Path) -> tuple[subprocess.Popen, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "FMWATCH_"))
           or k == "FMWATCH_SHARED"}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), FMWATCH_DB=str(tmp_path / "fmwatch.duckdb"),
               PYTHONUNBUFFERED="1", COLUMNS="200")
    env.pop("PREFECT_SERVER_ANALYTICS_ENABLED", None)  # serve must turn analytics off itself
    process = subprocess.Popen([str(FMWATCH), "serve"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    return process, lines


def _wait_until_served(process: subprocess.Popen, lines: list[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not any("being served" in line for line in lines):
        if process.poll() is not None:
            pytest.fail("serve ended before serving:\n" + "".join(lines))
        if time.monotonic() > deadline:
            pytest.fail(f"serve did not start in {STARTUP_SECONDS} s:\n" + "".join(lines))
        time.sleep(0.2)
    time.sleep(2)  # let the runner's loops and the server's services start, as a real operator's would


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


# SIGTERM as a service manager sends it to the process; SIGINT as Ctrl-C in a terminal sends it, to the
# whole foreground process group (Prefect's temporary server included, when it is in that group).
@pytest.mark.parametrize("sig, group, codes", [(signal.SIGTERM, False, {0, 143}), (signal.SIGINT, True, {0, 130})],
                         ids=["SIGTERM", "Ctrl-C"])
def test_serve_starts_cleanly_and_stops_on_a_signal_within_seconds(tmp_path, sig, group, codes):
    process, lines = _serve(tmp_path)
    try:
        _wait_until_served(process, lines)
        sent = time.monotonic()
        if group:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
        try:
            code = process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"serve still running {STOP_SECONDS} s after {sig.name}:\n" + "".join(lines))
        took = time.monotonic() - sent
        deadline = time.monotonic() + 10  # the temporary server, a child, goes with it
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = _group_alive(process.pid)
    finally:
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    text = "".join(lines)
    assert code in codes, f"exit status {code} after {sig.name}:\n{text}"
    assert took < STOP_SECONDS and not left, text
    assert "Traceback" not in text and "database is locked" not in text and "ERROR" not in text, text
