"""Hostile servers on loopback (written by the team): a dripping server, off-site links, robots.txt
answers, a Crawl-delay of a day, a 100k-URL sitemap crawled over budgeted runs with a kill in the
middle, a captcha page where XML was expected, a Count of 10^9. Each run must end in bounded time,
publish what succeeded and say clearly what did not."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date, datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from fmwatch.http import Fetcher, TransientFetchError
from fmwatch.pipeline import RunFailed, RunPartlyFailed, run_pipeline
from fmwatch.settings import Watch, load_settings
from fmwatch.warehouse import Warehouse

from .fake_fmnetwork import FakeArticle, FakeSite

WATCH = Watch(name="hostile", query="magnesium AND fibromyalgia")


class DripServer:
    """Answers every request with a 200 whose body arrives one byte every ``interval`` seconds, forever."""

    def __init__(self, interval: float, headers_too: bool = False):
        self.interval, self.headers_too = interval, headers_too
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/eutils/"

    def _serve(self):
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn):
        try:
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000000\r\n"
            if self.headers_too:  # the status line and headers a byte at a time, then endless headers
                head = head + b"".join(b"X-Drip-%d: %d\r\n" % (n, n) for n in range(100_000))
            else:
                conn.sendall(head + b"\r\n")
                head = b" " * 1_000_000
            for byte in head:
                if self.stopped.is_set():
                    break
                conn.sendall(bytes([byte]))
                time.sleep(self.interval)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self):
        self.stopped.set()
        self.sock.close()


@pytest.fixture
def drip():
    server = DripServer(interval=0.5)
    yield server
    server.stop()


def test_a_request_to_a_dripping_server_is_cut_off_at_its_deadline(drip):
    fetcher = Fetcher(user_agent="t", max_attempts=1, timeout_seconds=5.0, request_deadline_seconds=1.5)
    started = time.monotonic()
    with pytest.raises(Exception) as failure:
        fetcher.request("GET", drip.url + "esearch.fcgi")
    elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 3.0  # the deadline, not the 5 s read timeout (each byte comes well within it)
    assert "deadline" in str(failure.value) and "dripping" in str(failure.value)


def test_headers_dripped_a_byte_at_a_time_are_cut_off_at_the_deadline_too():
    server = DripServer(interval=0.2, headers_too=True)
    try:
        fetcher = Fetcher(user_agent="t", max_attempts=1, timeout_seconds=5.0, request_deadline_seconds=1.5)
        started = time.monotonic()
        with pytest.raises(Exception) as failure:
            fetcher.request("GET", server.url + "esearch.fcgi")
        assert 1.4 < time.monotonic() - started < 3.0
        assert "deadline passed" in str(failure.value) and "dripping" in str(failure.value)
    finally:
        server.stop()


def test_a_dripping_server_ends_the_run_by_its_deadline_and_releases_the_lock(drip, tmp_path):
    db = tmp_path / "w.duckdb"
    settings = load_settings(None, db=db, eutils_url=drip.url, watches=[WATCH], max_attempts=20,
                             backoff_seconds=0.01, timeout_seconds=5.0, request_deadline_seconds=1.0,
                             source_deadline_seconds=4.0, run_deadline_seconds=6.0)
    started = time.monotonic()
    with pytest.raises(RunFailed) as failure:
        run_pipeline(settings, sources=["pubmed"], today=date(2024, 3, 1))
    elapsed = time.monotonic() - started
    # 20 attempts of 1 s each would take 20 s: the source's 4 s deadline stops it (plus one request at most)
    assert elapsed < 4.0 + 1.0 + 1.5, elapsed
    message = str(failure.value)
    # Which deadline speaks last depends on the machine's load (the source's 4 s, or the fourth
    # request's 1 s ending at the same moment); either way the message names the setting to raise.
    assert "nothing was published" in message and "deadline" in message
    assert "FMWATCH_SOURCE_DEADLINE_SECONDS" in message or "FMWATCH_REQUEST_DEADLINE_SECONDS" in message
    with Warehouse.open(db) as wh:  # the write lock is free again, and the failure is on record
        (status, error), = wh.con.execute("select status, error from runs").fetchall()
    assert status == "failed" and "deadline" in error


# --- the site: links, robots.txt, budgets --------------------------------------------------------

@pytest.fixture
def eutils(seeded_eutils):
    return seeded_eutils(72000000, 5)


@pytest.fixture
def other_host():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    server.expect_request(__import__("re").compile(".*")).respond_with_data("<html>stored elsewhere</html>",
                                                                           content_type="text/html")
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def _site(httpserver, **kwargs) -> FakeSite:
    site = FakeSite(articles=[FakeArticle("good-article", "Good article", datetime(2024, 1, 2, 9),
                                          ["Magnesium and pain, a paragraph of news. " * 3])], **kwargs)
    site.install(httpserver)
    return site


def _settings(db, eutils, site, **extra):
    return load_settings(None, db=db, eutils_url=eutils.url, fmnetwork_url=site.base, watches=[WATCH],
                         crawl_delay_seconds=0, backoff_seconds=0.01, max_attempts=2, **extra)


def _feed(*links: str) -> Response:
    items = "".join(f"<item><title>t{i}</title><link>{link}</link><pubDate>Tue, 0{i + 1} Jan 2024 10:00:00 +0000"
                    f"</pubDate></item>" for i, link in enumerate(links))
    return Response(f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>',
                    content_type="application/rss+xml")


def test_bad_and_off_site_feed_links_are_quarantined_unfetched_and_pubmed_is_published(
        httpserver, eutils, other_host, db_path):
    site = _site(httpserver)
    off_host = other_host.url_for("/site/latest-news/stolen")  # another port of loopback: another host
    site.extra["feed/"] = _feed("file:///etc/passwd", "javascript:alert(1)", off_host, "ftp://x/y",
                                f"{site.base}latest-news/good-article")
    summary = run_pipeline(_settings(db_path, eutils, site), today=date(2024, 3, 1))
    assert other_host.log == []  # no request left the site (no server-side request forgery)
    reasons = {q.origin.split(":")[0]: q.reason for q in summary.quarantined if not q.origin.startswith("http")}
    assert "only http(s) links on the site are followed, not file" in reasons["file"]  # feedparser: file://etc/...
    assert "not javascript" in reasons["javascript"] and "not ftp" in reasons["ftp"]
    assert f"off the site: 127.0.0.1:{other_host.port} is not" in {q.origin: q.reason for q in summary.quarantined}[
        off_host]
    assert summary.fm_pages["parsed"] == 1 and summary.fm_pages["off_site"] == 4
    with Warehouse.open(db_path, read_only=True) as wh:
        assert wh.con.execute("select count(*) from articles").fetchall() == [(5,)]  # PubMed published
        assert wh.con.execute("select slug from fm_articles").fetchall() == [("good-article",)]
        assert len(wh.con.execute("select * from quarantine where reason like '%link not fetched%'").fetchall()) == 4


def test_an_off_site_sitemap_is_not_fetched(httpserver, eutils, other_host, db_path):
    site = _site(httpserver)
    site.extra["feed/"] = Response("gone", status=404)
    site.extra["wp-sitemap.xml"] = Response(
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>'
        f'{other_host.url_for("/wp-sitemap-posts-post-1.xml")}</loc></sitemap></sitemapindex>',
        content_type="application/xml")
    summary = run_pipeline(_settings(db_path, eutils, site), sources=["fmnetwork"])
    assert other_host.log == []
    assert any("sitemap not fetched: off the site" in q.reason for q in summary.quarantined)


@pytest.mark.parametrize("status, allowed", [(503, False), (500, False), (404, True), (403, True)])
def test_robots_txt_answers_are_read_as_rfc_9309_says(httpserver, eutils, db_path, status, allowed):
    site = _site(httpserver)
    site.extra["robots.txt"] = Response("no", status=status)
    summary = run_pipeline(_settings(db_path, eutils, site), today=date(2024, 3, 1))
    assert summary.fm_pages["parsed"] == (1 if allowed else 0)
    assert bool(site.paths("feed/")) is allowed  # 5xx: nothing but robots.txt is requested
    if not allowed:
        assert any(f"HTTP {status}" in note and "RFC 9309" in note and "disallowed this run" in note
                   for note in summary.notes), summary.notes


def test_robots_txt_disallowing_everything_says_so(httpserver, eutils, db_path):
    site = _site(httpserver, robots="User-agent: *\nDisallow: /\n")
    summary = run_pipeline(_settings(db_path, eutils, site), sources=["fmnetwork"])
    assert summary.fm_pages["discovered"] == 0 and site.paths() == ["robots.txt"]
    (note,) = summary.notes
    assert f"robots.txt at {site.base}robots.txt disallows fmwatch/" in note
    assert "Ask the site's owner to allow fmwatch" in note and "--source pubmed" in note


def test_a_crawl_delay_of_a_day_skips_the_site_and_the_rest_is_published(httpserver, eutils, db_path):
    site = _site(httpserver, robots="User-agent: *\nCrawl-delay: 86400\n")
    started = time.monotonic()
    with pytest.raises(RunPartlyFailed) as failure:
        run_pipeline(_settings(db_path, eutils, site), today=date(2024, 3, 1))
    assert time.monotonic() - started < 30
    summary = failure.value.summary
    assert "published: pubmed watch 'hostile'" in str(failure.value)
    assert "Crawl-delay of 86400 s, over fmwatch's ceiling of 60 s" in summary.failed[
        "fmnetwork crawl and citation linking"]
    assert site.paths() == ["robots.txt"]
    with Warehouse.open(db_path, read_only=True) as wh:
        assert wh.con.execute("select count(*) from articles").fetchall() == [(5,)]
        (status, error), = wh.con.execute("select status, error from runs").fetchall()
    assert status == "partial" and "Crawl-delay" in error


def test_a_failed_source_fails_the_cli_with_what_was_published(httpserver, eutils, tmp_path):
    site = _site(httpserver, robots="User-agent: *\nCrawl-delay: 86400\n")
    env = {**os.environ, "FMWATCH_EUTILS_URL": eutils.url, "FMWATCH_FMNETWORK_URL": site.base,
           "FMWATCH_DB": str(tmp_path / "w.duckdb"), "FMWATCH_CRAWL_DELAY_SECONDS": "0",
           "FMWATCH_CONFIG": str(tmp_path / "w.toml")}
    (tmp_path / "w.toml").write_text(f'[[watch]]\nname = "{WATCH.name}"\nquery = "{WATCH.query}"\n')
    result = subprocess.run([sys.executable, "-m", "fmwatch.cli", "run"], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 1
    assert "run failed in part: published: pubmed watch 'hostile'; failed: fmnetwork crawl" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_100k_url_sitemap_is_crawled_in_budgeted_runs_and_a_kill_loses_only_its_batch(httpserver, tmp_path):
    site = FakeSite(bulk=100_000)
    site.install(httpserver)
    site.extra["feed/"] = Response("gone", status=404)
    db = tmp_path / "w.duckdb"
    budget = 40
    env = {**os.environ, "FMWATCH_FMNETWORK_URL": site.base, "FMWATCH_DB": str(db),
           "FMWATCH_FMNETWORK_PAGE_BUDGET": str(budget), "FMWATCH_CRAWL_DELAY_SECONDS": "0"}

    def run(**kwargs):
        return subprocess.Popen([sys.executable, "-m", "fmwatch.cli", "run", "--source", "fmnetwork"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kwargs)

    def fetched_pages() -> list[str]:
        with Warehouse.open(db, read_only=True) as wh:
            return [u for (u,) in wh.con.execute("select url from fm_page_state order by url").fetchall()]

    first = run()
    assert first.wait(timeout=300) == 0, first.stderr.read()
    after_first = fetched_pages()
    assert len(after_first) == budget  # the oldest 40 of 100,000

    # The second run is killed halfway through its batch
    env["FMWATCH_CRAWL_DELAY_SECONDS"] = "0.1"
    seen = len(site.paths("p/"))
    killed = run()
    while len(site.paths("p/")) < seen + budget // 2:
        assert killed.poll() is None, "the run ended before it could be killed"
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert fetched_pages() == after_first  # the killed batch was not published, nothing else changed

    env["FMWATCH_CRAWL_DELAY_SECONDS"] = "0"
    third = run()
    assert third.wait(timeout=300) == 0, third.stderr.read()
    after_third = fetched_pages()
    expected = sorted(f"{site.base}p/{n}" for n in range(2 * budget))  # oldest first, nothing skipped
    assert after_third == expected


# --- messages that say what was received and what to do ----------------------------------------------

CAPTCHA = ('<!DOCTYPE html><html><head><title>Verify you are human</title></head><body><form action="/captcha">'
           '<input name="answer" value=x></form></body></html>')


def test_a_captcha_page_where_xml_was_expected_is_named_and_not_retried(eutils, db_path):
    eutils.fault = lambda f, e: Response(CAPTCHA, content_type="text/html")
    with pytest.raises(RunFailed) as failure:
        run_pipeline(load_settings(None, db=db_path, eutils_url=eutils.url, watches=[WATCH], max_attempts=4,
                                   backoff_seconds=0.01), sources=["pubmed"], today=date(2024, 3, 1))
    message = str(failure.value)
    assert "received an HTML page titled 'Verify you are human'" in message and "text/html" in message
    assert "captcha" in message and "open the URL in a browser" in message
    assert "AttValue" not in message.split("the validator said")[0]
    assert [e.endpoint for e in eutils.log] == ["esearch", "elink"]  # a captcha does not go away by retrying


def test_a_count_of_a_billion_is_called_impossible(eutils, db_path):
    eutils.fault = lambda f, e: Response(
        '<?xml version="1.0"?><eSearchResult><Count>1000000000</Count><RetMax>0</RetMax><QueryKey>1</QueryKey>'
        '<WebEnv>X</WebEnv></eSearchResult>', content_type="text/xml") if e.endpoint == "esearch" else None
    with pytest.raises(RunFailed) as failure:
        run_pipeline(load_settings(None, db=db_path, eutils_url=eutils.url, watches=[WATCH]), sources=["pubmed"],
                     today=date(2024, 3, 1))
    message = str(failure.value)
    assert "esearch counted 1,000,000,000 records" in message and "more than all of PubMed" in message
    assert "Check FMWATCH_EUTILS_URL" in message and "1800-01-01" not in message
    assert len([e for e in eutils.log if e.endpoint == "esearch"]) == 1  # no splitting down to one day


def test_a_transient_deadline_is_retried_then_reported(drip):
    fetcher = Fetcher(user_agent="t", max_attempts=2, backoff_seconds=0.01, timeout_seconds=5.0,
                      request_deadline_seconds=0.6)
    with pytest.raises(Exception) as failure:
        fetcher.request("GET", drip.url)
    assert "failed after 2 attempts" in str(failure.value) and drip.connections == 2
    assert not isinstance(failure.value, TransientFetchError)


def test_the_prefect_pipeline_publishes_pubmed_and_its_state_names_the_failed_site(
        httpserver, eutils, tmp_path, monkeypatch):
    from pathlib import Path

    from prefect.testing.utilities import prefect_test_harness
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
    import fmwatch_flows

    site = _site(httpserver, robots="User-agent: *\nCrawl-delay: 86400\n")
    for name, value in dict(FMWATCH_EUTILS_URL=eutils.url, FMWATCH_FMNETWORK_URL=site.base,
                            FMWATCH_CRAWL_DELAY_SECONDS="0").items():
        monkeypatch.setenv(name, value)
    db = tmp_path / "w.duckdb"
    with prefect_test_harness(server_startup_timeout=120):
        state = fmwatch_flows.fmwatch_pipeline(db=str(db), digest=False, return_state=True)
    assert state.is_failed()
    message = str(state.result(raise_on_failure=False))
    assert message.startswith("ingest_fmnetwork failed: ") and "Crawl-delay of 86400 s" in message
    assert "ingest_pubmed" not in message
    with Warehouse.open(db, read_only=True) as wh:  # PubMed published, and extraction ran after the failure
        assert wh.con.execute("select count(*) from articles").fetchall() == [(5,)]
        assert wh.con.execute("select count(*) from evidence_records").fetchall()[0][0] >= 5


def test_pages_that_always_fail_do_not_hold_the_budget(httpserver, tmp_path):
    site = FakeSite(bulk=60)
    site.install(httpserver)
    site.extra["feed/"] = Response("gone", status=404)
    for n in range(30):  # the 30 oldest pages are gone for good
        site.extra[f"p/{n}"] = Response("gone", status=404)
    db = tmp_path / "w.duckdb"
    settings = load_settings(None, db=db, fmnetwork_url=site.base, crawl_delay_seconds=0, max_attempts=1,
                             fmnetwork_page_budget=20)
    parsed, failed = [], []
    for _ in range(3):
        summary = run_pipeline(settings, sources=["fmnetwork"])
        parsed.append(summary.fm_pages["parsed"])
        failed.append(summary.fm_pages["failed"])
    assert failed == [20, 10, 0] and parsed == [0, 10, 20]  # each failing page tried once, then the crawl moves on
    assert [p for p in site.paths("p/")].count("p/0") == 1
