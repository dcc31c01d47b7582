"""The API key and the e-mail never leave for another host, nor reach any stored or printed text;
a permanent 4xx is not retried, by the library or by Prefect. Hostile servers on loopback, written
by the team."""

from __future__ import annotations

import gzip
import json
import logging
import os
import subprocess
import sys
from datetime import date

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from fmwatch import redact
from fmwatch.http import Fetcher, PermanentFetchError, RetriesExhausted, TransientFetchError, is_retriable
from fmwatch.pipeline import RunFailed, run_pipeline
from fmwatch.settings import Watch, load_settings
from fmwatch.warehouse import Warehouse


KEY = "secret-key-9f8e7d6c5b4a3210"
EMAIL = "editor.secret@example.org"
WATCH = Watch(name="secrets", query="magnesium AND fibromyalgia")


def settings_for(url, db, **extra):
    values = dict(db=db, eutils_url=url, backoff_seconds=0.01, max_attempts=3, watches=[WATCH],
                  ncbi_api_key=KEY, ncbi_email=EMAIL, timeout_seconds=2.0)
    values.update(extra)
    return load_settings(None, **values)


@pytest.fixture
def fake(seeded_eutils):
    return seeded_eutils(71000000, 10)


@pytest.fixture
def elsewhere():
    """Another host (another port of loopback) that logs whatever reaches it."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    seen = []

    def handler(request):
        seen.append((request.path, request.get_data()))
        return Response('<?xml version="1.0"?><eSearchResult><Count>0</Count></eSearchResult>', content_type="text/xml")
    server.expect_request("/", method="POST").respond_with_handler(handler)
    server.expect_request(__import__("re").compile(".*")).respond_with_handler(handler)
    server.seen = seen
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def _everything_stored(db) -> str:
    with Warehouse.open(db, read_only=True) as wh:
        text = []
        for (table,) in wh.con.execute("select table_name from information_schema.tables "
                                       "where table_schema = 'main' and table_type = 'BASE TABLE'").fetchall():
            text.append(str(wh.con.execute(f'select * from "{table}"').fetchall()))
        for (body,) in wh.con.execute("select body_gzip from raw_responses").fetchall():
            text.append(gzip.decompress(body).decode("utf-8", "replace"))
    return "\n".join(text)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_host_is_not_followed_and_the_key_stays_home(fake, elsewhere, tmp_path, caplog, status):
    fake.fault = lambda f, e: Response("moved", status=status, headers={"Location": elsewhere.url_for("/stolen")})
    db = tmp_path / "w.duckdb"
    with caplog.at_level(logging.DEBUG), pytest.raises(RunFailed) as failure:
        run_pipeline(settings_for(fake.url, db), sources=["pubmed"], today=date(2024, 3, 1))
    assert elsewhere.seen == []  # nothing reached the other host, with or without the body
    message = str(failure.value)
    assert f"HTTP {status} redirect to http://127.0.0.1:{elsewhere.port}/stolen not followed" in message
    assert "another host" in message and "set its URL in the settings" in message
    assert [e.endpoint for e in fake.log] == ["esearch", "elink"]  # each part tried once: never retried
    for text in (message, caplog.text, _everything_stored(db)):
        assert KEY not in text and EMAIL not in text


def test_a_redirect_on_the_same_host_is_followed(httpserver):
    httpserver.expect_request("/old", method="POST").respond_with_response(
        Response("", status=308, headers={"Location": "/new"}))
    httpserver.expect_request("/new", method="POST").respond_with_data("<ok/>", content_type="text/xml")
    fetcher = Fetcher(user_agent="t", max_attempts=1)
    response = fetcher.request("POST", httpserver.url_for("/old"), data={"api_key": KEY, "x": "1"})
    assert response.content == b"<ok/>"
    assert fetcher.fetched[-1].url.endswith("/new") and KEY not in fetcher.fetched[-1].url


def test_ncbis_invalid_key_answer_is_never_stored_printed_or_retried(fake, tmp_path, caplog):
    # NCBI's real answer to a bad key echoes the key back in the body.
    answer = json.dumps({"error": "API key invalid", "api-key": KEY})
    fake.fault = lambda f, e: Response(answer, status=400, content_type="application/json")
    db = tmp_path / "w.duckdb"
    with caplog.at_level(logging.DEBUG), pytest.raises(RunFailed) as failure:
        run_pipeline(settings_for(fake.url, db), sources=["pubmed"], today=date(2024, 3, 1))
    assert [e.endpoint for e in fake.log] == ["esearch", "elink"]  # a 400 is permanent: one try each
    assert "API key invalid" in str(failure.value) and "***" in str(failure.value)  # the reason, not the key
    with Warehouse.open(db, read_only=True) as wh:
        (error,) = wh.con.execute("select error from runs").fetchall()[0]
    assert "API key invalid" in error
    for text in (str(failure.value), caplog.text, error, _everything_stored(db)):
        assert KEY not in text and EMAIL not in text

    # ...and the command line prints the reason, never the key, and exits 1
    env = {**os.environ, "FMWATCH_EUTILS_URL": fake.url, "FMWATCH_DB": str(tmp_path / "cli.duckdb"),
           "NCBI_API_KEY": KEY, "NCBI_EMAIL": EMAIL, "FMWATCH_MAX_ATTEMPTS": "3", "FMWATCH_BACKOFF_SECONDS": "0.01"}
    result = subprocess.run([sys.executable, "-m", "fmwatch.cli", "-v", "run", "--source", "pubmed"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "API key invalid" in result.stderr
    assert KEY not in result.stderr + result.stdout and EMAIL not in result.stderr + result.stdout


def test_redaction_covers_every_encoding_of_the_secrets():
    redact.register(KEY, EMAIL)
    text = (f"key={KEY} email={EMAIL} form=editor.secret%40example.org "
            f'json={json.dumps({"k": KEY})} nested=https://x/?email={EMAIL}')
    cleaned = redact.redact(text)
    assert KEY not in cleaned and EMAIL not in cleaned and "%40example.org" not in cleaned
    assert cleaned.count("***") == 5
    assert redact.redact("nothing secret here") == "nothing secret here"


def test_the_redacting_filter_cleans_messages_arguments_and_tracebacks(caplog):
    redact.register(KEY)
    logger = logging.getLogger("fmwatch.test_secrets")
    logger.addFilter(redact.RedactingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="fmwatch.test_secrets"):
            logger.info("sending %s", KEY)
            try:
                raise ValueError(f"bad {KEY}")
            except ValueError:
                logger.exception("failed")
        assert KEY not in caplog.text and caplog.text.count("***") >= 2
    finally:
        logger.filters.clear()


def test_what_is_retried_and_what_is_not():
    assert is_retriable(RetriesExhausted("503 four times")) and is_retriable(TransientFetchError("503"))
    assert not is_retriable(PermanentFetchError("HTTP 400"))
    assert is_retriable(OSError("a locked warehouse may be free later"))


def test_prefect_does_not_retry_a_permanent_400_and_its_state_has_no_key(fake, tmp_path):
    from pathlib import Path

    from prefect.testing.utilities import prefect_test_harness
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
    import fmwatch_flows

    answer = json.dumps({"error": "API key invalid", "api-key": KEY})
    fake.fault = lambda f, e: Response(answer, status=400, content_type="application/json")
    os.environ.update(FMWATCH_EUTILS_URL=fake.url, NCBI_API_KEY=KEY, NCBI_EMAIL=EMAIL)
    try:
        with prefect_test_harness(server_startup_timeout=120):
            state = fmwatch_flows.ingest_pubmed(db=str(tmp_path / "w.duckdb"), return_state=True)
            from prefect.client.orchestration import get_client
            with get_client(sync_client=True) as client:
                logs = " ".join(entry.message for entry in client.read_logs())
    finally:
        for name in ("FMWATCH_EUTILS_URL", "NCBI_API_KEY", "NCBI_EMAIL"):
            os.environ.pop(name, None)
    assert state.is_failed()
    # the tasks carry retries=3, but a 400 is not worth one: one request per watch, one for ELink
    assert len([e for e in fake.log if e.endpoint == "esearch"]) == len(load_settings(None).watches)
    assert len([e for e in fake.log if e.endpoint == "elink"]) == 1
    message = f"{state.message} {state.result(raise_on_failure=False)}"
    assert "API key invalid" in message
    assert KEY not in message and EMAIL not in message
    assert KEY not in logs and EMAIL not in logs
