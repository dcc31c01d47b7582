"""Reliability and security: injected faults, killed runs, a locked warehouse, hostile input,
secrets, and a read-only warehouse folder."""

from __future__ import annotations

import io
import logging
import os
import random
import resource
import signal
import subprocess
import sys
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug import Response

from fmwatch.parse.fmnetwork import NotAnArticle, parse_fm_file
from fmwatch.parse.medline import iter_medline
from fmwatch.parse.pubmed_xml import iter_pubmed_xml
from fmwatch.pipeline import RunFailed, run_pipeline
from fmwatch.records import ArticleRecord, Deletion, Quarantined
from fmwatch.sources.fmnetwork import FmNetworkSite, Page
from fmwatch.settings import Watch, load_settings
from fmwatch.warehouse import Warehouse

from .conftest import DATA, PUBMED_XML_FILES
from .fake_eutils import FakeEutils

KEY = "known-secret-key-0123456789abcdef"
WATCH = Watch(name="faults", query="magnesium AND fibromyalgia")


def settings_for(url, db, **extra):
    values = dict(db=db, eutils_url=url, backoff_seconds=0.01, max_attempts=8, watches=[WATCH],
                  ncbi_api_key=KEY, efetch_batch_size=200, timeout_seconds=1.0)
    values.update(extra)
    return load_settings(None, **values)


@pytest.fixture
def fake(httpserver):
    server = FakeEutils()
    server.url = server.install(httpserver)
    for i in range(3000):
        server.add(70000000 + i, date(2024, 1, 1 + i % 28))
    return server


def fingerprint(db):
    with Warehouse.open(db, read_only=True) as wh:
        return (wh.con.execute("select record_key, version, content_hash from record_versions order by all").fetchall(),
                wh.con.execute("select watch, watermark from watermarks order by all").fetchall())


FAULTS = [
    lambda e: Response("slow down", status=429, headers={"Retry-After": "0"}),
    lambda e: Response("error", status=500),
    lambda e: Response("bad gateway", status=502),
    lambda e: Response("unavailable", status=503),
    lambda e: Response("<eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>" if e.endpoint == "efetch"
                       else "<eSearchResult><ERROR>Search Backend failed</ERROR></eSearchResult>", content_type="text/xml"),
    lambda e: Response('<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation>', content_type="text/xml"),
    lambda e: (time.sleep(1.3), Response("late", status=200))[1],  # longer than the client's timeout
]


def test_thirty_percent_faults_end_in_the_same_warehouse_as_a_clean_run(fake, tmp_path, caplog):
    for i in range(3000, 6000):  # 6,000 records: 30 efetch batches, so 30% is a fair number of faults
        fake.add(70000000 + i, date(2024, 2, 1 + i % 28))
    clean = tmp_path / "clean.duckdb"
    run_pipeline(settings_for(fake.url, clean), sources=["pubmed"], today=date(2024, 3, 1))
    fake.log.clear()
    rng = random.Random(20261124)
    injected = []

    def fault(server, entry):
        if rng.random() < 0.3:
            kind = len(injected) % len(FAULTS)  # each kind in turn, so every kind is met
            injected.append(kind)
            return FAULTS[kind](entry)
        return None
    fake.fault = fault
    faulty = tmp_path / "faulty.duckdb"
    with caplog.at_level(logging.WARNING, logger="fmwatch"):
        summary = run_pipeline(settings_for(fake.url, faulty), sources=["pubmed"], today=date(2024, 3, 1))
    assert summary.status == "succeeded"
    print(f"faults injected: {len(injected)} of {len(fake.log)} requests, kinds {sorted(set(injected))}")
    assert len(injected) >= 0.2 * len(fake.log) and set(injected) == set(range(len(FAULTS)))
    assert fingerprint(faulty) == fingerprint(clean)
    # NCBI's 10/s (with a key) held for every request, retries included
    assert fake.max_requests_in_any_second() <= 10
    assert KEY not in caplog.text


def test_killed_runs_started_again_end_where_an_uninterrupted_run_does(fake, tmp_path):
    clean = tmp_path / "clean.duckdb"
    run_pipeline(settings_for(fake.url, clean), sources=["pubmed"], today=date(2024, 3, 1))
    target = tmp_path / "killed.duckdb"
    env = {**os.environ, "FMWATCH_EUTILS_URL": fake.url, "FMWATCH_DB": str(target), "NCBI_API_KEY": KEY,
           "FMWATCH_EFETCH_BATCH_SIZE": "200", "FMWATCH_CONFIG": str(tmp_path / "watch.toml")}
    (tmp_path / "watch.toml").write_text(f'[[watch]]\nname = "{WATCH.name}"\nquery = "{WATCH.query}"\n')
    rng = random.Random(7)
    kills = 0
    for _ in range(20):
        process = subprocess.Popen([sys.executable, "-m", "fmwatch.cli", "run", "--source", "pubmed"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        if target.exists():
            with Warehouse.open(target, read_only=True) as wh:  # never a duplicate, never a half run
                versions = wh.con.execute("select count(*), count(distinct record_key) from record_versions").fetchall()[0]
                assert versions[0] == versions[1] and versions[0] in (0, 3000)
    final = subprocess.run([sys.executable, "-m", "fmwatch.cli", "run", "--source", "pubmed"], env=env,
                           capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    print(f"runs killed with SIGKILL: {kills} of 20, each followed by a run that resumed")
    assert kills >= 5
    records, marks = fingerprint(target)
    assert records == fingerprint(clean)[0] and len(marks) == 1


def test_a_locked_warehouse_fails_fast_with_what_to_do(fake, tmp_path):
    db = tmp_path / "locked.duckdb"
    run_pipeline(settings_for(fake.url, db), sources=["pubmed"], today=date(2024, 3, 1))
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); "
                               "print('held', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = subprocess.run([sys.executable, "-m", "fmwatch.cli", "--db", str(db), "run", "--source", "pubmed"],
                                capture_output=True, text=True, env={**os.environ, "FMWATCH_EUTILS_URL": fake.url},
                                timeout=60)
        assert result.returncode == 1
        assert "locked by another process" in result.stderr and "read-only" in result.stderr
    finally:
        holder.kill()
        holder.wait()  # the lock goes only with the process: wait until it is gone
    assert fingerprint(db)[0]  # untouched


def _cli_run(fake, db, *, prefix=(), preexec_fn=None):
    env = {**os.environ, "FMWATCH_EUTILS_URL": fake.url, "FMWATCH_DB": str(db), "NCBI_API_KEY": KEY,
           "FMWATCH_MAX_ATTEMPTS": "2", "FMWATCH_BACKOFF_SECONDS": "0.01"}
    return subprocess.run([*prefix, sys.executable, "-m", "fmwatch.cli", "run", "--source", "pubmed"],
                          capture_output=True, text=True, env=env, preexec_fn=preexec_fn, timeout=120)


def _can_bind_mount_read_only() -> bool:
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind / /mnt && mount -o remount,bind,ro /mnt"],
                           capture_output=True)
    return probe.returncode == 0


def test_a_read_only_warehouse_folder_is_a_clear_error_and_keeps_the_warehouse(fake, tmp_path):
    # Root ignores permission bits, so the folder is made read-only the way a real read-only mount is:
    # a read-only bind mount in a private mount namespace of the run's own (unshare -m).
    if not _can_bind_mount_read_only():
        pytest.skip("no mount namespaces here (unshare -m)")
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "w.duckdb"
    run_pipeline(settings_for(fake.url, db), sources=["pubmed"], today=date(2024, 3, 1))
    before = fingerprint(db)
    fake.add(79000001, date.today())  # something new, so the run has to write
    mount = f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && exec \"$@\""
    result = _cli_run(fake, db, prefix=("unshare", "-m", "sh", "-c", mount, "sh"))
    assert result.returncode == 1, result.stderr
    assert "cannot write the warehouse" in result.stderr and str(db) in result.stderr
    assert "Traceback" not in result.stderr
    assert fingerprint(db) == before


def test_a_full_disk_is_a_clear_error_and_keeps_the_warehouse(fake, tmp_path):
    # A full disk, as the process sees it: every write past a size limit fails (RLIMIT_FSIZE, EFBIG),
    # which also holds for root. The second run has 2,000 new records to write and no room for them.
    db = tmp_path / "w.duckdb"
    run_pipeline(settings_for(fake.url, db), sources=["pubmed"], today=date(2024, 3, 1))
    before = fingerprint(db)
    for i in range(2000):
        fake.add(78000000 + i, date.today())
    limit = 256 * 1024  # the staged batches do not fit in the write-ahead log

    def no_room():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    result = _cli_run(fake, db, preexec_fn=no_room)
    assert result.returncode == 1, result.stderr
    assert "nothing was published" in result.stderr and f"cannot write the warehouse {db}" in result.stderr
    assert "Traceback" not in result.stderr
    assert fingerprint(db) == before
    # with room again, the next run publishes everything
    assert _cli_run(fake, db).returncode == 0
    assert len(fingerprint(db)[0]) == len(before[0]) + 2000


def test_the_api_key_never_reaches_the_archive_the_runs_table_or_errors(fake, tmp_path, caplog):
    db = tmp_path / "w.duckdb"
    with caplog.at_level(logging.DEBUG):
        run_pipeline(settings_for(fake.url, db), sources=["pubmed"], today=date(2024, 3, 1))
        fake.fault = lambda server, entry: Response("down", status=503)
        with pytest.raises(RunFailed) as failure:
            run_pipeline(settings_for(fake.url, db, max_attempts=2), sources=["pubmed"], today=date(2024, 3, 5))
    assert all(e.params.get("api_key") == KEY for e in fake.log)  # it was sent...
    assert KEY not in str(failure.value) and KEY not in caplog.text  # ...and never shown
    with Warehouse.open(db, read_only=True) as wh:
        for table in ("raw_responses", "run_log", "watermarks", "quarantined_inputs"):
            dump = str(wh.con.execute(f"select * from {table}").fetchall())
            assert KEY not in dump, table
        import gzip
        for (body,) in wh.con.execute("select body_gzip from raw_responses").fetchall():
            assert KEY.encode() not in gzip.decompress(body)


# --- hostile input ------------------------------------------------------------------------------------

REAL = PUBMED_XML_FILES[3].read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=len(REAL)), junk=st.binary(max_size=64), at=st.integers(0, len(REAL)))
def test_pubmed_parser_never_raises_on_mangled_input(cut, junk, at):
    data = REAL[:cut] + junk + REAL[at:]
    items = list(_safe_items(data))
    assert all(isinstance(i, (ArticleRecord, Deletion, Quarantined)) for i in items)


def _safe_items(data: bytes):
    try:
        yield from iter_pubmed_xml(io.BytesIO(data), origin="fuzz")
    except ValueError:  # NotPubmedXml: the whole document is not PubMed XML; the caller quarantines it
        return


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=2000))
def test_medline_parser_never_raises(text):
    items = list(iter_medline(("PMID- 1\n" + text).encode(), "fuzz"))
    assert all(isinstance(i, (ArticleRecord, Quarantined)) for i in items)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=3000))
def test_article_page_parser_raises_only_not_an_article(data):
    page = (DATA / "php_article.html").read_bytes()
    for candidate in (data, page[: len(data) % len(page)] + data):
        try:
            parse_fm_file(candidate)
        except NotAnArticle:
            pass


class _SiteServing(FmNetworkSite):
    """A site whose discovery answer at the URL holding ``marker`` is ``body``; nothing else exists."""

    def __init__(self, marker: str, body: bytes):
        super().__init__(fetcher=None, base_url="http://fm.test/", user_agent="fmwatch-test")
        self.marker, self.body = marker, body
        from urllib.robotparser import RobotFileParser
        self.robots = RobotFileParser()
        self.robots.parse([])  # no robots.txt: everything allowed

    def _try(self, url, accept):
        return Page(url, 200, self.body, None, None, "text/xml") if self.marker in url else None


FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title>'
        b'<link>http://fm.test/a/</link><pubDate>Tue, 31 Jan 2012 12:33:00 +0000</pubDate></item></channel></rss>')
SITEMAP = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
           b'<loc>http://fm.test/b/</loc><lastmod>2012-02-07T10:00:00+00:00</lastmod></url></urlset>')


@settings(max_examples=150, deadline=None)
@example(which="feed/", cut=94, junk=b"\t", newest=None)  # a tab inside a feed link's scheme (CI, stop 21)
@given(which=st.sampled_from(["wp-json", "feed/", "sitemap", "category/"]), cut=st.integers(0, 400),
       junk=st.binary(max_size=200), newest=st.one_of(st.none(), st.datetimes()))
def test_discovery_never_raises_on_hostile_feeds_sitemaps_and_api_answers(which, cut, junk, newest):
    base = {"wp-json": b'[{"link": "http://fm.test/c/", "modified": "2012-01-31T12:33:00"}]', "feed/": FEED,
            "sitemap": SITEMAP, "category/": b"<html><h2 class='entry-title'><a href='/d/'>d</a></h2></html>"}[which]
    found, how = _SiteServing(which, base[:cut] + junk + base[cut:]).discover(newest)
    assert how in {"rest", "feed", "sitemap", "feed+sitemap", "archive", "none"}
    assert all(d.url for d in found)
    assert all(d.url.startswith("http://fm.test/") for d in found)  # nothing off the site is kept
