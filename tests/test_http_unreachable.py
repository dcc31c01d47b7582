"""An E-utilities host that cannot be reached fails fast, in one line; a server that answers 429/5xx
keeps the polite retries (Retry-After, backoff), all inside the retry budget. Loopback only."""

from __future__ import annotations

import socket
import time

import pytest
import urllib3.util.connection
from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.http import Fetcher, HostUnreachable, RetriesExhausted, is_retriable
from fmwatch.warehouse import Warehouse


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go): connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_is_tried_connect_attempts_times_then_named_in_one_line():
    port = closed_port()
    fetcher = Fetcher(user_agent="t", max_attempts=6, backoff_seconds=0.05, connect_attempts=2,
                      url_setting="FMWATCH_EUTILS_URL")
    with pytest.raises(HostUnreachable) as raised:
        fetcher.request("POST", f"http://127.0.0.1:{port}/eutils/esearch.fcgi", data={"api_key": "SECRET1234"})
    assert fetcher.requests_made == 2  # not max_attempts (6)
    message = str(raised.value)
    assert "\n" not in message and "SECRET1234" not in message
    assert f"cannot reach 127.0.0.1:{port} (connection refused) after 2 attempts" in message
    assert "FMWATCH_EUTILS_URL" in message
    assert raised.value.reason in message and "esearch" not in raised.value.reason
    assert not is_retriable(raised.value)  # Prefect's task retry does not try it again either


def test_the_same_fetcher_does_not_try_an_unreachable_host_again():
    port = closed_port()
    fetcher = Fetcher(user_agent="t", max_attempts=6, backoff_seconds=0.05, connect_attempts=3)
    with pytest.raises(HostUnreachable):
        fetcher.request("GET", f"http://127.0.0.1:{port}/a")
    assert fetcher.requests_made == 3
    with pytest.raises(HostUnreachable, match="not tried again this run"):
        fetcher.request("GET", f"http://127.0.0.1:{port}/b")
    assert fetcher.requests_made == 3


def test_a_name_that_does_not_resolve_is_a_dns_failure(monkeypatch):
    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(urllib3.util.connection.socket, "getaddrinfo", no_such_name)
    fetcher = Fetcher(user_agent="t", max_attempts=6, backoff_seconds=0.05, connect_attempts=2)
    with pytest.raises(HostUnreachable, match=r"cannot reach eutils\.example\.invalid:443 \(name not resolved by DNS\)"):
        fetcher.request("GET", "https://eutils.example.invalid/entrez/eutils/einfo.fcgi")
    assert fetcher.requests_made == 2


def test_429_and_5xx_keep_their_retries_and_honour_retry_after(httpserver):
    httpserver.expect_ordered_request("/e").respond_with_data("busy", status=429, headers={"Retry-After": "0"})
    httpserver.expect_ordered_request("/e").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/e").respond_with_data("ok")
    fetcher = Fetcher(user_agent="t", max_attempts=6, backoff_seconds=0.01, connect_attempts=1,
                      retry_budget_seconds=60)
    assert fetcher.request("GET", httpserver.url_for("/e")).content == b"ok"
    assert fetcher.requests_made == 3


def test_the_retry_budget_stops_waits_that_would_end_past_it(httpserver):
    """Retry-After 1 s each time and a 2.5 s budget: attempts at about 0, 1 and 2 s, then the next
    wait would end past the budget, so the request gives up, saying why, well before 10 attempts."""
    httpserver.expect_request("/e").respond_with_data("busy", status=503, headers={"Retry-After": "1"})
    fetcher = Fetcher(user_agent="t", max_attempts=10, backoff_seconds=0.01, retry_budget_seconds=2.5)
    started = time.monotonic()
    with pytest.raises(RetriesExhausted, match="retry budget of 2.5 s") as raised:
        fetcher.request("GET", httpserver.url_for("/e"))
    assert fetcher.requests_made == 3
    assert time.monotonic() - started < 2.5 + 1.0
    assert is_retriable(raised.value)  # a busy server: a later try may succeed


def test_the_retry_budget_cuts_an_attempt_that_would_run_past_it():
    """A server that accepts the connection and never answers: with a 30 s request deadline, the
    1 s budget still ends the request (the attempt is cut at the budget)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)  # connections complete in the backlog; nothing is ever read or answered
        fetcher = Fetcher(user_agent="t", max_attempts=5, backoff_seconds=0.01, timeout_seconds=30,
                          request_deadline_seconds=30, retry_budget_seconds=1.0)
        started = time.monotonic()
        with pytest.raises(RetriesExhausted):
            fetcher.request("GET", f"http://127.0.0.1:{server.getsockname()[1]}/slow")
        assert time.monotonic() - started < 1.0 + 2.0


def test_run_with_an_unreachable_eutils_host_fails_fast_once_and_changes_nothing(tmp_path, monkeypatch):
    """The whole run: each watch and ELink would each have spent six attempts with backoff; now the
    host is tried twice in all, the error is one line naming it once, and the warehouse keeps its
    data (the failed run is only logged, in ``run_log`` and so the ``runs`` view)."""
    port = closed_port()
    db = tmp_path / "w.duckdb"
    with Warehouse.open(db):
        pass
    with Warehouse.open(db, read_only=True) as wh:
        tables = [t for (t,) in wh.con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and table_type = 'BASE TABLE' and table_name not in ('runs', 'run_log')").fetchall()]
        before = {t: wh.con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    monkeypatch.setenv("FMWATCH_EUTILS_URL", f"http://127.0.0.1:{port}/eutils/")
    monkeypatch.setenv("FMWATCH_MAX_ATTEMPTS", "6")
    monkeypatch.setenv("FMWATCH_BACKOFF_SECONDS", "0.05")
    monkeypatch.setenv("NCBI_EMAIL", "dev@example.org")
    result = CliRunner().invoke(app, ["--db", str(db), "run", "--source", "pubmed"])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    reason = f"cannot reach 127.0.0.1:{port} (connection refused) after 2 attempts"
    assert errors[0].count(reason) == 1, errors[0]
    assert "FMWATCH_EUTILS_URL" in errors[0]
    with Warehouse.open(db, read_only=True) as wh:
        after = {t: wh.con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
        runs = wh.con.execute("select status, requests from runs").fetchall()
    assert after == before
    assert runs == [("failed", 2)]


def test_a_site_that_cannot_be_reached_fails_its_part_instead_of_allowing_nothing(tmp_path, monkeypatch):
    """RFC 9309 reads an unreachable robots.txt as "disallow all", which made a run with no network
    say "published: fmnetwork" (a site that allowed nothing). A host that cannot be reached at all
    is now the site's failure, named by its host and URL setting: nothing is published."""
    eutils, site = closed_port(), closed_port()
    monkeypatch.setenv("FMWATCH_EUTILS_URL", f"http://127.0.0.1:{eutils}/eutils/")
    monkeypatch.setenv("FMWATCH_FMNETWORK_URL", f"http://127.0.0.1:{site}/")
    monkeypatch.setenv("NCBI_EMAIL", "dev@example.org")
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "w.duckdb"), "run"])
    assert result.exit_code == 1, result.output
    error = next(line for line in result.output.splitlines() if line.startswith("error:"))
    assert error.startswith("error: run failed: nothing was published;") and "published: fmnetwork" not in error
    assert f"fmnetwork crawl and citation linking: cannot reach 127.0.0.1:{site} (connection refused)" in error
    assert "FMWATCH_FMNETWORK_URL" in error and "robots.txt" not in error
