"""Nothing missed (issue 13), against the NCBI-shaped test server: CRDT and MDAT windows, retractions
added later, late-indexed records, short efetch answers, queries NCBI altered, overlapping watches,
the full reconciliation, and enrichment (ELink, citation linking) that degrades to pending."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner
from werkzeug import Response

from fmwatch.cli import app
from fmwatch.evidence import registry
from fmwatch.pipeline import PipelineRun, RunPartlyFailed, import_files, run_pipeline, sync_mirror
from fmwatch.settings import Watch, load_settings
from fmwatch.warehouse import Warehouse

from .conftest import SHARED
from .fake_eutils import FakeEutils, article_xml
from .test_mirror import IdsEutils, corpus, mirror_rows, nlm, settings as mirror_settings  # noqa: F401 - fixtures

D1 = date(2026, 11, 20)
D2 = date(2026, 11, 27)
MG = Watch(name="mg-fm", query="magnesium AND fibromyalgia")
TRIAL_TEXT = ("Sixty women with fibromyalgia were randomised to magnesium citrate 300 mg daily or placebo for "
              "8 weeks; tender point counts fell with magnesium.")
REFERENCE_STUDIES = sum(1 for r in registry() if r.pmid)
runner = CliRunner()


def settings_for(url, db, watches=(MG,), **overrides):
    values = dict(db=db, eutils_url=url, backoff_seconds=0.01, max_attempts=3, watches=list(watches),
                  requests_per_second=10, ncbi_api_key="test-key-0123456789", ncbi_email="dev@example.org",
                  reconcile_days=30)
    values.update(overrides)
    return load_settings(None, **values)


@pytest.fixture
def fake(httpserver):
    server = FakeEutils()
    server.url = server.install(httpserver)
    return server


def query(db_path, sql, params=None):
    with Warehouse.open(db_path, read_only=True) as wh:
        return wh.con.execute(sql, params or []).fetchall()


def efetched(fake) -> list[str]:
    """Every PMID efetch delivered, as often as it delivered it."""
    pmids = []
    for entry in fake.log:
        if entry.endpoint != "efetch":
            continue
        if "id" in entry.params:
            pmids += [p for p in entry.params["id"].split(",") if p in fake.records and p not in fake.withheld_by_id]
        else:
            ids = fake.searches[entry.params["WebEnv"]]
            start, size = int(entry.params["retstart"]), int(entry.params["retmax"])
            pmids += [p for p in ids[start:start + size] if p not in fake.short_history]
    return pmids


def run_in_part(settings, **kwargs):
    """run_pipeline's summary, also when a watch failed and the rest was published (RunPartlyFailed)."""
    try:
        return run_pipeline(settings, **kwargs)
    except RunPartlyFailed as partly:
        return partly.summary


# --- the "Done when", over two runs -------------------------------------------------------

def test_two_runs_see_retractions_late_records_short_answers_altered_queries_and_elink_outages(fake, db_path):
    typo = Watch(name="typo-watch", query="magnesium AND fibromyalgai")
    settings = settings_for(fake.url, db_path, watches=[MG, typo])
    fake.add(70000001, D1 - timedelta(days=2), "Magnesium citrate in fibromyalgia: a randomised trial",
             abstract=TRIAL_TEXT)
    fake.add(70000002, D1 - timedelta(days=1), "Oral magnesium for fibromyalgia pain: a pilot trial",
             abstract=TRIAL_TEXT)
    fake.not_found["fibromyalgai"] = [("PhraseNotFound", "fibromyalgai")]
    fake.cited_by["22271372"] = ["70000001"]
    elink_down = True
    fake.fault = lambda f, e: Response("unavailable", status=503) if e.endpoint == "elink" and elink_down else None

    first = run_in_part(settings, today=D1, sources=["pubmed"])
    # the records landed although ELink answered 503 on every try
    assert query(db_path, "select pmid from articles order by 1") == [("70000001",), ("70000002",)]
    assert any("ELink" in w for w in first.warnings) and first.exit_code == 1  # 1: the typo watch failed
    assert query(db_path, "select kind, subject, attempts from pending_enrichment") == [
        ("elink_citedin", "22271372", 1)]
    # the altered query failed its watch, by name and term; the other watch went on
    ((part, failure),) = first.failed.items()
    assert part == "pubmed watch 'typo-watch'" and "PhraseNotFound: fibromyalgai" in failure
    assert query(db_path, "select watch from watermarks") == [(MG.name,)]
    status = runner.invoke(app, ["--db", str(db_path), "status"], catch_exceptions=False)
    assert "elink_citedin" in status.output and "22271372" in status.output

    # between the runs: PubMed retracts 70000002 (only its MDAT moves), a back issue enters PubMed
    # today with an entrez date two years back, and a new record efetch will not deliver
    fake.records["70000002"].retracted_by = "70000099"
    fake.records["70000002"].mdat = D2 - timedelta(days=1)
    fake.add(70000003, D2 - timedelta(days=730), "Serum magnesium in fibromyalgia", crdt=D2)
    fake.add(70000004, D2 - timedelta(days=1), "Magnesium and sleep in fibromyalgia")
    fake.short_history.add("70000004")
    fake.withheld_by_id.add("70000004")
    elink_down = False
    fake.log.clear()

    second = run_in_part(settings_for(fake.url, db_path, watches=[MG]), today=D2, sources=["pubmed"])
    rows = query(db_path, "select pmid, version, is_retracted from articles order by 1")
    assert rows == [("70000001", 1, False), ("70000002", 2, True), ("70000003", 1, False)]
    flag = query(db_path, "select flag_type, priority, state from flags where record_id = 'pubmed:70000002' "
                          "and flag_type = 'retraction'")
    assert flag == [("retraction", 2, "new")]
    # the record efetch never delivered: named, and the watermark did not move past it
    ((part, failure),) = second.failed.items()
    assert "70000004" in failure and MG.name in part
    assert query(db_path, "select watermark from watermarks where watch = ?", [MG.name]) == [(D1,)]
    # ELink worked this time: the look-up is no longer pending, and its link landed
    assert query(db_path, "select count(*) from pending_enrichment") == [(0,)]
    assert query(db_path, "select citing_pmid from citing_links") == [("70000001",)]

    fake.short_history.clear()
    fake.withheld_by_id.clear()
    third = run_pipeline(settings_for(fake.url, db_path, watches=[MG]), today=D2, sources=["pubmed"])
    assert not third.failed and third.exit_code == 0
    assert query(db_path, "select count(*) from articles where pmid = '70000004'") == [(1,)]
    assert query(db_path, "select watermark from watermarks where watch = ?", [MG.name]) == [(D2,)]


# --- short efetch answers ------------------------------------------------------------------------------

def test_a_short_history_batch_is_completed_by_id(fake, db_path):
    for n in range(5):
        fake.add(71000001 + n, D1 - timedelta(days=1))
    fake.short_history.update({"71000002", "71000004"})  # efetch leaves them out of the batch
    summary = run_pipeline(settings_for(fake.url, db_path), today=D1, sources=["pubmed"])
    assert not summary.failed and query(db_path, "select count(*) from articles") == [(5,)]
    by_id = [e.params["id"] for e in fake.log if e.endpoint == "efetch" and "id" in e.params]
    assert by_id == ["71000002,71000004"]
    assert query(db_path, "select watermark from watermarks") == [(D1,)]


def test_case_18_short_efetch_never_moves_the_watermark(httpserver, db_path):
    """The shared case: esearch counts 3 (and lists no ids), efetch delivers 1, in complete answers."""
    case = sorted((SHARED / "cases" / "pubmed").glob("18-*.esearch.xml"))[0]
    esearch, efetch = case.read_bytes(), case.with_name(case.name.replace(".esearch.", ".efetch.")).read_bytes()
    counted = int(esearch.split(b"<Count>")[1].split(b"<")[0])
    delivered = efetch.count(b"<PubmedArticle>")
    assert (counted, delivered) == (3, 1)
    # NCBI lists the ids when asked without the history server: the delivered one and two more
    listed = ["30508284", "30508285", "30508286"]
    ids_answer = esearch.replace(b"<IdList/>", b"<IdList>" + b"".join(f"<Id>{p}</Id>".encode() for p in listed)
                                 + b"</IdList>")
    log = []

    def esearch_handler(request):
        log.append(("esearch", dict(request.form)))
        return Response(esearch if request.form.get("usehistory") == "y" else ids_answer, content_type="text/xml")

    def efetch_handler(request):
        log.append(("efetch", dict(request.form)))
        wanted = request.form.get("id")
        return Response(efetch if wanted is None or "30508284" in wanted else
                        b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n</PubmedArticleSet>\n', content_type="text/xml")
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(esearch_handler)
    httpserver.expect_request("/eutils/efetch.fcgi").respond_with_handler(efetch_handler)
    httpserver.expect_request("/eutils/elink.fcgi").respond_with_data(
        "<eLinkResult><LinkSet><DbFrom>pubmed</DbFrom></LinkSet></eLinkResult>", content_type="text/xml")
    summary = run_in_part(settings_for(httpserver.url_for("/eutils/"), db_path), today=D1, sources=["pubmed"])
    ((_, failure),) = summary.failed.items()
    assert "30508285" in failure and "30508286" in failure and "30508284" not in failure.split("PMIDs")[1]
    assert ("efetch", {"db": "pubmed", "id": "30508285,30508286", "retmode": "xml", "tool": "fmwatch",
                       "email": "dev@example.org", "api_key": "test-key-0123456789"}) in log
    assert query(db_path, "select count(*) from watermarks") == [(0,)]  # no watermark past what is missing
    assert query(db_path, "select pmid from articles") == [("30508284",)]  # what did come is kept


# --- the windows -------------------------------------------------------------------------------------------

def test_a_late_indexed_record_is_found_by_its_create_date(fake, db_path):
    settings = settings_for(fake.url, db_path)
    fake.add(72000001, D1 - timedelta(days=1))
    run_pipeline(settings, today=D1, sources=["pubmed"])
    # a back issue: entrez date = its publication date, two years ago; created in PubMed today
    fake.add(72000002, D2 - timedelta(days=730), crdt=D2)
    run_pipeline(settings, today=D2, sources=["pubmed"])
    assert query(db_path, "select pmid from articles order by 1") == [("72000001",), ("72000002",)]


def test_a_revision_that_changes_nothing_writes_no_version(fake, db_path):
    settings = settings_for(fake.url, db_path)
    fake.add(73000001, D1 - timedelta(days=1), "Magnesium in fibromyalgia")
    run_pipeline(settings, today=D1, sources=["pubmed"])
    fake.records["73000001"].mdat = D2  # DateRevised moved, nothing that matters changed
    fake.log.clear()
    second = run_pipeline(settings, today=D2, sources=["pubmed"])
    assert "73000001" in efetched(fake)  # it was fetched again, being in the MDAT window
    assert second.published.versions_new == 0
    assert query(db_path, "select max(version) from record_versions") == [(1,)]


def test_overlapping_watches_fetch_each_pmid_once_and_a_no_op_rerun_keeps_the_budget(fake, db_path):
    watches = [MG, Watch(name="mg-trials", query="magnesium AND trial"),
               Watch(name="fm-all", query="fibromyalgia")]
    for n in range(12):
        fake.add(74000001 + n, D1 - timedelta(days=n % 3))  # every watch matches every record
    settings = settings_for(fake.url, db_path, watches=watches)
    run_pipeline(settings, today=D1, sources=["pubmed"])
    fetched = efetched(fake)
    assert sorted(fetched) == sorted(fake.records)  # each PMID once, though three watches match it
    # ... and recorded for each watch that matches it (the watch_records view)
    assert query(db_path, "select watch, count(*) from watch_records group by 1 order by 1") == sorted(
        (w.name, len(fake.records)) for w in watches)
    fake.log.clear()
    rerun = run_pipeline(settings, today=D1, sources=["pubmed"])  # nothing new: the overlap only
    assert rerun.requests == len(fake.log) <= 2 * len(watches) + REFERENCE_STUDIES
    assert sorted(efetched(fake)) == sorted(fake.records)  # the overlap window, once
    assert rerun.published.versions_new == 0
    print(f"no-op rerun: {rerun.requests} requests for {len(watches)} watches and {REFERENCE_STUDIES} "
          f"reference studies (budget {2 * len(watches) + REFERENCE_STUDIES})")


def test_the_full_reconciliation_fetches_what_the_windows_missed_once_a_week(fake, db_path):
    settings = settings_for(fake.url, db_path, reconcile_days=7)
    fake.add(75000001, D1 - timedelta(days=1))
    run_pipeline(settings, today=D1, sources=["pubmed"])
    # a record no window will see: created and last revised long before the watermark
    fake.add(75000002, D1 - timedelta(days=400))
    fake.log.clear()
    run_pipeline(settings, today=D1 + timedelta(days=3), sources=["pubmed"])
    assert len([e for e in fake.log if e.endpoint == "esearch"]) == 1  # not due yet
    assert query(db_path, "select count(*) from articles") == [(1,)]
    fake.log.clear()
    run_pipeline(settings, today=D1 + timedelta(days=7), sources=["pubmed"])
    searches = [e.params["term"] for e in fake.log if e.endpoint == "esearch"]
    assert searches[1] == MG.query  # the watch's full set, beside its window
    assert query(db_path, "select pmid from articles order by 1") == [("75000001",), ("75000002",)]
    assert query(db_path, "select watch, reconciled_on, matched, missing from watch_reconciliations") == [
        (MG.name, D1 + timedelta(days=7), 2, 1)]


@pytest.mark.parametrize("element, term", [
    ("QuotedPhraseNotFound", '"magnesium sulfat"'),  # WarningList: the quoted phrase was dropped
    ("FieldNotFound", "[majr:noexp]"),  # ErrorList: an unknown field tag
    ("PhraseIgnored", "and"),  # WarningList: a word left out of the search
])
def test_an_altered_query_fails_only_its_watch(fake, db_path, element, term):
    fake.add(76000001, D1)
    fake.not_found["sulfat"] = [(element, term)]
    bad = Watch(name="quoted", query='"magnesium sulfat" AND fibromyalgia')
    summary = run_in_part(settings_for(fake.url, db_path, watches=[bad, MG]), today=D1, sources=["pubmed"])
    ((part, failure),) = summary.failed.items()
    assert part == "pubmed watch 'quoted'" and f"{element}: {term}" in failure
    assert summary.exit_code == 1 and query(db_path, "select pmid from articles") == [("76000001",)]
    assert query(db_path, "select watch from watermarks") == [(MG.name,)]
    assert query(db_path, "select level, subject from run_notes") == [("error", "watch quoted")]


# --- enrichment degrades, records land --------------------------------------------------------------------

def test_import_needs_no_network_and_leaves_citation_linking_pending(tmp_path, fake):
    seed = SHARED / "seeds" / "000_c6083a9237b25750.txt"
    db = tmp_path / "offline.duckdb"
    settings = load_settings(None, db=db)  # E-utilities at 127.0.0.1:9: nothing listens
    started = time.monotonic()
    summary = import_files(settings, [seed])
    assert time.monotonic() - started < 10  # not 35 s of retries
    assert summary.exit_code == 0 and summary.warnings
    assert query(db, "select count(*) from fm_articles") == [(1,)]
    assert query(db, "select kind from pending_enrichment") == [("citation_link",)]
    # the next run, with the network back, links it and fetches the cited record
    fake.term_answers["Bagis S[au]"] = ["22271372"]
    fake.add("22271372", date(2012, 1, 26), "Is magnesium citrate treatment effective on pain?")
    with PipelineRun(settings_for(fake.url, db), today=D1, sources=["pubmed"]) as run:
        run.retry_pending_enrichment()
        run.publish()
    assert query(db, "select pmid, method from citations") == [("22271372", "esearch")]
    assert query(db, "select pmid from articles") == [("22271372",)]
    assert query(db, "select count(*) from pending_enrichment") == [(0,)]


def test_a_cited_record_that_cannot_be_fetched_waits_for_the_next_run(tmp_path, fake):
    seed = SHARED / "seeds" / "000_c6083a9237b25750.txt"
    db = tmp_path / "cited.duckdb"
    fake.term_answers["Bagis S[au]"] = ["22271372"]
    fake.add("22271372", date(2012, 1, 26), "Is magnesium citrate treatment effective on pain?")
    fake.fault = lambda f, e: Response("unavailable", status=503) if e.endpoint == "efetch" else None
    settings = settings_for(fake.url, db)
    summary = import_files(settings, [seed])
    assert summary.exit_code == 0 and any("cited record" in w for w in summary.warnings)
    assert query(db, "select pmid from citations") == [("22271372",)]  # linked: the link needs no efetch
    assert query(db, "select kind, subject from pending_enrichment") == [("fetch_cited", "22271372")]
    assert query(db, "select count(*) from articles") == [(0,)]
    with PipelineRun(settings, today=D1, sources=["pubmed"]) as run:  # still down: pending, tried twice
        run.retry_pending_enrichment()
        run.publish()
    assert query(db, "select attempts from pending_enrichment") == [(2,)]
    fake.fault = None
    with PipelineRun(settings, today=D1, sources=["pubmed"]) as run:
        run.retry_pending_enrichment()
        run.publish()
    assert query(db, "select pmid from articles") == [("22271372",)]
    assert query(db, "select count(*) from pending_enrichment") == [(0,)]


# --- which watch found which record, when the local mirror serves the watches (polish) ----------------

def test_watches_served_by_the_mirror_record_their_records(tmp_path, nlm, corpus, httpserver):
    sync_mirror(mirror_settings(tmp_path, nlm), workers=1)
    in_mirror = sorted(mirror_rows(tmp_path / "w.duckdb"))[:3]
    publisher_only = {"39999001": article_xml("39999001", D1, "Publisher-supplied record")}
    eutils = IdsEutils(httpserver, [*in_mirror, corpus["deleted"], *publisher_only], publisher_only)
    watches = [Watch(name="first", query="magnesium AND fibromyalgia"), Watch(name="second", query="fibromyalgia")]
    watched = mirror_settings(tmp_path, nlm, use_mirror=True, eutils_url=eutils.url, watches=watches)
    run = run_pipeline(watched, sources=["pubmed"], today=D1)
    found = query(tmp_path / "w.duckdb", "select watch, pmid, first_run_id from watch_records order by all")
    # both watches match every PMID: each is recorded for both, the mirror's and the one efetched alike;
    # the deleted PMID efetch did not deliver is recorded for neither
    assert found == [(w.name, p, run.run_id) for w in watches for p in sorted([*in_mirror, "39999001"])]
    run_pipeline(watched, sources=["pubmed"], today=D1)
    assert query(tmp_path / "w.duckdb", "select watch, pmid, first_run_id from watch_records order by all") == found
