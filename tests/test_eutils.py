"""The E-utilities client and the run against a local NCBI-shaped server: history-server
paging and batching, the 10,000 split, the rate limit, retries, and failed runs."""

from __future__ import annotations

import math
import threading
import time
from datetime import date, timedelta

import pytest
from werkzeug import Response

from fmwatch.http import FetchError, RateLimiter
from fmwatch.pipeline import RunFailed, make_eutils_client, run_pipeline
from fmwatch.settings import Watch, load_settings
from fmwatch.sources.pubmed import ESEARCH_LIMIT, parse_esearch
from fmwatch.warehouse import Warehouse

from .conftest import FIXTURES
from .fake_eutils import FakeEutils

TODAY = date(2026, 11, 24)
WATCH = Watch(name="test-watch", query="magnesium AND fibromyalgia")


def settings_for(url: str, db, **overrides):
    values = dict(db=db, eutils_url=url, backoff_seconds=0.01, max_attempts=4, watches=[WATCH],
                  requests_per_second=10, ncbi_api_key="test-key-0123456789", ncbi_email="dev@example.org")
    values.update(overrides)
    return load_settings(None, **values)


@pytest.fixture
def fake(httpserver):
    server = FakeEutils()
    server.url = server.install(httpserver)
    return server


def populate(fake: FakeEutils, count: int, start: int = 30000001, first_day: date = date(2020, 1, 1),
             per_day: int = 50) -> None:
    for i in range(count):
        fake.add(start + i, first_day + timedelta(days=i // per_day))


def test_real_esearch_answers_parse():
    with open(FIXTURES / "eutils" / "esearch2.xml", "rb") as handle:
        result = parse_esearch(handle.read(), "cancer")
    assert (result.count, result.query_key, result.webenv) == (42249, "1", "MCID_6927d6e7fee3e90f880ec190")
    with open(FIXTURES / "eutils" / "esearch8.xml", "rb") as handle:
        empty = parse_esearch(handle.read(), "abcXYZ")
    # parsed, not raised: the answer is complete; the pipeline refuses a watch NCBI altered
    assert empty.count == 0 and empty.not_run == ("PhraseNotFound: abcXYZ",)  # "No items found." is no alteration
    with open(FIXTURES / "eutils" / "esearch.error.xml", "rb") as handle:
        altered = parse_esearch(handle.read(), "obstetrics[mh] AND fleegle[mh]")
    assert altered.count == 5163 and altered.not_run == ("PhraseNotFound: fleegle[MeSH Terms]",)
    assert len(altered.ids) == 20 and altered.ids[0] == "101595451"


def test_history_server_paging_in_batches(fake, db_path):
    populate(fake, 1234)
    summary = run_pipeline(settings_for(fake.url, db_path), today=TODAY, sources=["pubmed"])
    fetches = [e for e in fake.log if e.endpoint == "efetch"]
    assert [int(e.params["retstart"]) for e in fetches] == [0, 500, 1000]
    assert {e.params["retmax"] for e in fetches} == {"500"}
    assert {e.params["WebEnv"] for e in fetches} == set(fake.searches)  # all from the one search
    # tool, email and api_key on every request, and no request more than 2 + ceil(N/500)
    assert all(e.params.get("tool") == "fmwatch" and e.params.get("email") == "dev@example.org"
               and e.params.get("api_key") == "test-key-0123456789" for e in fake.log)
    assert len(fake.log) == summary.requests == 2 + math.ceil(1234 / 500)  # esearch, batches, ELink
    with Warehouse.open(db_path, read_only=True) as wh:
        assert wh.con.execute("select count(*), count(distinct pmid) from articles").fetchall() == [(1234, 1234)]


def test_batch_size_is_configurable_within_ncbi_bounds(fake, db_path):
    populate(fake, 450)
    run_pipeline(settings_for(fake.url, db_path, efetch_batch_size=200), today=TODAY, sources=["pubmed"])
    assert [e.params["retstart"] for e in fake.log if e.endpoint == "efetch"] == ["0", "200", "400"]


def test_over_ten_thousand_splits_into_date_windows(fake, db_path):
    populate(fake, 23_456, per_day=40)  # 2020-01-01 onwards, 40 a day
    client = make_eutils_client(settings_for(fake.url, db_path))
    windows = client.search_windows(WATCH.query, None, TODAY)
    assert sum(w.count for w in windows) == 23_456
    assert all(0 < w.count < ESEARCH_LIMIT for w in windows)
    # contiguous, non-overlapping date ranges in order
    for before, after in zip(windows, windows[1:]):
        assert after.mindate == before.maxdate + timedelta(days=1)


def test_one_day_over_the_limit_fails_clearly(fake, db_path):
    populate(fake, ESEARCH_LIMIT + 5, per_day=ESEARCH_LIMIT + 5)
    client = make_eutils_client(settings_for(fake.url, db_path))
    with pytest.raises(FetchError, match=r"share the date 2020-01-01 \(CRDT\)"):
        client.search_windows(WATCH.query, None, TODAY)


def test_incremental_run_searches_from_the_watermark_with_overlap(fake, db_path):
    populate(fake, 10, first_day=date(2026, 11, 1), per_day=1)
    settings = settings_for(fake.url, db_path, overlap_days=3)
    run_pipeline(settings, today=date(2026, 11, 5), sources=["pubmed"])
    first = fake.log[0].params
    assert "mindate" not in first  # the first run backfills everything the watch matches
    fake.log.clear()
    run_pipeline(settings, today=date(2026, 11, 20), sources=["pubmed"])
    second = fake.log[0].params
    # new records by create date and revised ones by modification date, from the watermark less the
    # overlap, in one search
    assert second["term"] == (f'({WATCH.query}) AND (("2026/11/02"[CRDT] : "3000"[CRDT]) OR '
                              f'("2026/11/02"[MDAT] : "3000"[MDAT]))')
    assert "datetype" not in second and second["usehistory"] == "y"
    with Warehouse.open(db_path, read_only=True) as wh:
        assert wh.watermark("pubmed", WATCH.name, WATCH.query) == date(2026, 11, 20)
        assert wh.con.execute("select count(*) from record_versions").fetchall()[0][0] == 10


def test_no_op_rerun_costs_at_most_two_requests(fake, db_path):
    settings = settings_for(fake.url, db_path)
    run_pipeline(settings, today=TODAY, sources=["pubmed"])
    fake.log.clear()
    summary = run_pipeline(settings, today=TODAY, sources=["pubmed"])
    assert summary.requests == len(fake.log) == 2  # the search, and ELink for records citing Bagis


def test_rate_limit_never_exceeded_across_threads(fake, db_path):
    populate(fake, 3)
    settings = settings_for(fake.url, db_path, ncbi_api_key=None, requests_per_second=None)
    assert settings.rate_limit == 3.0  # NCBI's limit without a key
    clients = [make_eutils_client(settings) for _ in range(3)]  # three clients, one process-wide limiter
    threads = [threading.Thread(target=lambda c=c: [c.esearch(WATCH.query) for _ in range(4)]) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fake.log) == 12
    assert fake.max_requests_in_any_second() <= 3


def test_rate_limiter_sliding_window():
    limiter = RateLimiter(5)
    stamps = []
    for _ in range(12):
        release = limiter.acquire()
        stamps.append(time.monotonic())
        release()
    for i in range(len(stamps) - 5):
        assert stamps[i + 5] - stamps[i] >= 1.0
    # a request still in flight holds its slot: five in flight, and a sixth waits for one to finish
    held = [limiter.acquire() for _ in range(5)]
    waiter = threading.Thread(target=lambda: limiter.acquire()())
    waiter.start()
    time.sleep(1.2)
    assert waiter.is_alive()
    held[0]()
    waiter.join(timeout=3)
    assert not waiter.is_alive()


def _fail_first(n: int, make):
    seen = {"count": 0}

    def fault(fake, entry):
        seen["count"] += 1
        return make(entry) if seen["count"] <= n else None
    return fault


@pytest.mark.parametrize("kind, make", [
    ("429", lambda e: Response("slow down", status=429, headers={"Retry-After": "0"})),
    ("500", lambda e: Response("oops", status=500)),
    ("502", lambda e: Response("bad gateway", status=502)),
    ("503", lambda e: Response("unavailable", status=503)),
    ("error inside 200", lambda e: Response("<eSearchResult><ERROR>Search Backend failed</ERROR></eSearchResult>"
                                            if e.endpoint == "esearch" else
                                            "<eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>",
                                            content_type="text/xml")),
    ("truncated body", lambda e: Response("<?xml version=\"1.0\" ?>\n<PubmedArticleSet>\n<PubmedArticle><Medline"
                                          if e.endpoint == "efetch" else "<eSearchResult><Count>1",
                                          content_type="text/xml")),
])
def test_transient_failures_are_retried(fake, db_path, kind, make):
    populate(fake, 20)
    fake.fault = _fail_first(2, make)
    summary = run_pipeline(settings_for(fake.url, db_path), today=TODAY, sources=["pubmed"])
    assert summary.status == "succeeded"
    assert len(fake.log) == 2 + 3  # two failed attempts, then esearch, one efetch and ELink
    with Warehouse.open(db_path, read_only=True) as wh:
        assert wh.con.execute("select count(*) from articles").fetchall()[0][0] == 20


def test_retry_after_is_honoured(fake, db_path):
    fake.fault = _fail_first(1, lambda e: Response("slow down", status=429, headers={"Retry-After": "1"}))
    run_pipeline(settings_for(fake.url, db_path), today=TODAY, sources=["pubmed"])
    assert fake.log[1].at - fake.log[0].at >= 1.0


def test_client_errors_are_not_retried(fake, db_path):
    fake.fault = lambda f, e: Response("bad request", status=400)
    with pytest.raises(RunFailed, match="HTTP 400"):
        run_pipeline(settings_for(fake.url, db_path), today=TODAY, sources=["pubmed"])
    # each part of the run (the watch's esearch, then ELink) tried once, never retried
    assert [e.endpoint for e in fake.log] == ["esearch", "elink"]


def _snapshot(db_path):
    with Warehouse.open(db_path, read_only=True) as wh:
        counts = wh.table_counts()
        counts.pop("run_log")
        hashes = wh.con.execute("select record_key, version, content_hash from record_versions order by all").fetchall()
        marks = wh.con.execute("select watch, watermark from watermarks").fetchall()
    return counts, hashes, marks


def test_run_failing_after_last_retry_changes_nothing(fake, db_path):
    populate(fake, 30, first_day=date(2026, 11, 1), per_day=3)
    settings = settings_for(fake.url, db_path)
    run_pipeline(settings, today=date(2026, 11, 10), sources=["pubmed"])
    before = _snapshot(db_path)

    fake.add(39999999, date(2026, 11, 12))
    fake.fault = lambda f, e: Response("unavailable", status=503) if e.endpoint == "efetch" else None
    with pytest.raises(RunFailed) as failure:
        run_pipeline(settings, today=date(2026, 11, 20), sources=["pubmed"])
    message = str(failure.value)
    assert "test-watch" in message and "efetch.fcgi" in message and "4 attempts" in message
    assert "test-key-0123456789" not in message

    assert _snapshot(db_path) == before  # tables, versions and watermark as they were
    with Warehouse.open(db_path, read_only=True) as wh:
        status, error = wh.con.execute("select status, error from runs order by started_at desc limit 1").fetchall()[0]
    assert status == "failed" and "efetch.fcgi" in error

    fake.fault = None  # the next run picks up where the watermark says
    run_pipeline(settings, today=date(2026, 11, 20), sources=["pubmed"])
    with Warehouse.open(db_path, read_only=True) as wh:
        assert wh.con.execute("select count(*) from articles").fetchall()[0][0] == 31


def test_json_error_inside_200_is_retried(fake, db_path):
    populate(fake, 5)
    fake.fault = _fail_first(1, lambda e: Response('{"esearchresult": {"ERROR": "Search Backend failed"}}',
                                                   content_type="application/json"))
    summary = run_pipeline(settings_for(fake.url, db_path), today=TODAY, sources=["pubmed"])
    assert summary.status == "succeeded" and len(fake.log) == 4


def test_cut_off_body_with_content_length_is_retried(fake, db_path):
    populate(fake, 5)

    def short_body(fake_, entry):
        if entry.endpoint == "efetch" and sum(e.endpoint == "efetch" for e in fake_.log) == 1:
            body = b"<?xml version='1.0'?>\n<PubmedArticleSet>\n"
            return Response(body, headers={"Content-Length": str(len(body) + 5000)}, content_type="text/xml")
        return None
    fake.fault = short_body
    summary = run_pipeline(settings_for(fake.url, db_path), today=TODAY, sources=["pubmed"])
    assert summary.status == "succeeded"
    assert [e.endpoint for e in fake.log] == ["esearch", "efetch", "efetch", "elink"]


def test_elink_citedin_on_a_real_answer_and_the_cites_flag(fake, db_path, httpserver):
    with open(FIXTURES / "eutils" / "elink1.xml", "rb") as handle:
        body = handle.read()
    httpserver.clear()
    httpserver.expect_request("/eutils/elink.fcgi").respond_with_data(body, content_type="text/xml")
    client = make_eutils_client(settings_for(fake.url, db_path))
    citing = client.elink_citedin("9298984")
    assert len(citing) > 5 and all(p.isdigit() for p in citing)


def test_a_record_citing_the_reference_is_flagged(fake, db_path):
    fake.add("70000001", date(2026, 11, 20), "Magnesium in fibromyalgia: serum magnesium was lower than in controls")
    fake.cited_by["22271372"] = ["70000001"]
    run_pipeline(settings_for(fake.url, db_path), today=TODAY, sources=["pubmed"])
    with Warehouse.open(db_path, read_only=True) as wh:
        flags = wh.con.execute("select flag_type from evidence_flags where record_id = 'pubmed:70000001'").fetchall()
    assert ("cites_reference",) in flags
