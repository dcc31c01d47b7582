"""The local PubMed mirror (issue 15b): NLM-shaped bulk files, built here at test time from the real
records in ../shared/fixtures (gzipped in tmp_path, never committed), served over a loopback HTTP
server with listing pages and .md5 files as NLM serves them."""

from __future__ import annotations

import gzip
import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from werkzeug import Request, Response

from fmwatch import pipeline
from fmwatch.settings import Watch, load_settings
from fmwatch.sources.mirror import MirrorFileRefused, parse_listing, parse_md5
from fmwatch.warehouse import Warehouse

from .conftest import FIXTURES, PUBMED_XML_FILES
from .fake_eutils import article_xml

ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)
PMID = re.compile(rb"<PMID[^>]*>(\d+)</PMID>")


def real_articles() -> list[bytes]:
    """Every real PubmedArticle in the shared fixtures (eutils and the 2024 bulk-file sample)."""
    found = [a for path in PUBMED_XML_FILES for a in ARTICLE.findall(path.read_bytes())]
    found += ARTICLE.findall(gzip.decompress((FIXTURES / "pubmed-files" / "test_current_medline.xml.gz").read_bytes()))
    unique = {PMID.search(a).group(1).decode(): a for a in found}
    return list(unique.values())


def pmid_of(article: bytes) -> str:
    return PMID.search(article).group(1).decode()


def bulk_file(articles: list[bytes], deleted: list[str] = ()) -> bytes:
    deletions = (b"<DeleteCitation>" + b"".join(b'<PMID Version="1">%s</PMID>' % p.encode() for p in deleted)
                 + b"</DeleteCitation>\n") if deleted else b""
    return gzip.compress(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet>\n'
                         + b"\n".join(articles) + b"\n" + deletions + b"</PubmedArticleSet>\n")


def retitled(article: bytes, title: str) -> bytes:
    return re.sub(rb"<ArticleTitle>.*?</ArticleTitle>", b"<ArticleTitle>" + title.encode() + b"</ArticleTitle>",
                  article, count=1, flags=re.S)


class NlmServer:
    """baseline/ and updatefiles/ with listing pages, .xml.gz files and their .md5 files."""

    def __init__(self, httpserver):
        self.folders: dict[str, dict[str, bytes]] = {"baseline": {}, "updatefiles": {}}
        self.md5_override: dict[str, str] = {}
        self.requests: list[str] = []
        self.before = None  # called with each request's path before it is answered (a test may hold it there)
        httpserver.expect_request(re.compile(r"^/pubmed/.*")).respond_with_handler(self._serve)
        self.url = httpserver.url_for("/pubmed/")

    def put(self, folder: str, name: str, body: bytes) -> None:
        self.folders[folder][name] = body

    def _serve(self, request: Request) -> Response:
        self.requests.append(request.path)
        if self.before is not None:
            self.before(request.path)
        folder, _, name = request.path.removeprefix("/pubmed/").partition("/")
        files = self.folders.get(folder)
        if files is None:
            return Response("not found", status=404)
        if not name:
            links = "".join(f'<a href="{n}">{n}</a>\n<a href="{n}.md5">{n}.md5</a>\n' for n in sorted(files))
            return Response(f"<html><head><title>Index of /pubmed/{folder}</title></head><body><pre>{links}</pre>"
                            f"</body></html>", content_type="text/html")
        if name.endswith(".md5") and name[:-4] in files:
            digest = self.md5_override.get(name[:-4], hashlib.md5(files[name[:-4]]).hexdigest())
            return Response(f"MD5({name[:-4]})= {digest}\n", content_type="text/plain")
        if name in files:
            return Response(files[name], content_type="application/x-gzip")
        return Response("not found", status=404)


@pytest.fixture
def nlm(httpserver):
    return NlmServer(httpserver)


@pytest.fixture
def corpus(nlm):
    """Two baseline files and one update: the update changes one PMID twice (the second wins) and
    deletes another."""
    articles = real_articles()
    half = len(articles) // 2
    changed, deleted = articles[0], articles[1]
    nlm.put("baseline", "pubmed26n0001.xml.gz", bulk_file(articles[:half]))
    nlm.put("baseline", "pubmed26n0002.xml.gz", bulk_file(articles[half:]))
    nlm.put("updatefiles", "pubmed26n0003.xml.gz", bulk_file(
        [retitled(changed, "First revision"), retitled(changed, "Second revision")], deleted=[pmid_of(deleted)]))
    return {"articles": articles, "changed": pmid_of(changed), "deleted": pmid_of(deleted)}


def settings(tmp_path, nlm, **more):
    return load_settings(None, db=tmp_path / "w.duckdb", mirror_url=nlm.url, **more)


def mirror_rows(db) -> dict[str, str]:
    with Warehouse.open(db, read_only=True) as wh:
        return dict(wh.con.execute("select pmid, title from mirror_articles").fetchall())


def mirror_files(db) -> list[tuple]:
    with Warehouse.open(db, read_only=True) as wh:
        return wh.con.execute("select name, kind, md5, records, deletions from mirror_files order by name").fetchall()


def test_nlm_listing_pages_and_md5_files_are_read():
    page = b'<html><body><a href="pubmed26n0001.xml.gz">x</a> <a href="pubmed26n0001.xml.gz.md5">y</a></body></html>'
    assert parse_listing(page, "https://host/pubmed/baseline/") == [
        ("pubmed26n0001.xml.gz", "https://host/pubmed/baseline/pubmed26n0001.xml.gz"),
        ("pubmed26n0001.xml.gz.md5", "https://host/pubmed/baseline/pubmed26n0001.xml.gz.md5")]
    assert parse_md5("MD5(pubmed26n0001.xml.gz)= 0123456789abcdef0123456789ABCDEF\n", "pubmed26n0001.xml.gz") == \
        "0123456789abcdef0123456789abcdef"
    assert parse_md5("0123456789abcdef0123456789abcdef  pubmed26n0001.xml.gz\n", "pubmed26n0001.xml.gz")
    with pytest.raises(MirrorFileRefused, match="pubmed26n0002.xml.gz: refused"):
        parse_md5("MD5(pubmed26n0001.xml.gz)= 0123456789abcdef0123456789abcdef", "pubmed26n0002.xml.gz")


@pytest.mark.parametrize("workers", [1, 2])
def test_the_mirror_ingests_in_order_applies_deletions_and_the_last_version_wins(tmp_path, nlm, corpus, workers):
    summary = pipeline.sync_mirror(settings(tmp_path, nlm), workers=workers)
    assert [f["name"] for f in summary.files] == ["pubmed26n0001.xml.gz", "pubmed26n0002.xml.gz", "pubmed26n0003.xml.gz"]
    rows = mirror_rows(tmp_path / "w.duckdb")
    expected = {pmid_of(a) for a in corpus["articles"]} - {corpus["deleted"]}
    assert set(rows) == expected and len(expected) >= 10
    assert rows[corpus["changed"]] == "Second revision"
    files = mirror_files(tmp_path / "w.duckdb")
    assert [f[1] for f in files] == ["baseline", "baseline", "update"]
    assert files[2][3:] == (1, 1)  # one PMID written (its last version), one deleted
    assert [f[2] for f in files] == [hashlib.md5(nlm.folders[folder][name]).hexdigest() for folder, name in (
        ("baseline", "pubmed26n0001.xml.gz"), ("baseline", "pubmed26n0002.xml.gz"), ("updatefiles", "pubmed26n0003.xml.gz"))]


def test_a_rerun_skips_every_file_already_ingested(tmp_path, nlm, corpus):
    pipeline.sync_mirror(settings(tmp_path, nlm), workers=1)
    before = mirror_rows(tmp_path / "w.duckdb")
    nlm.requests.clear()
    again = pipeline.sync_mirror(settings(tmp_path, nlm), workers=1)
    assert again.files == [] and again.skipped == again.listed == 3
    assert not [path for path in nlm.requests if path.endswith((".gz", ".md5"))]  # only the two listing pages
    assert mirror_rows(tmp_path / "w.duckdb") == before
    # a new update file is the only one fetched next time
    nlm.put("updatefiles", "pubmed26n0004.xml.gz", bulk_file([retitled(corpus["articles"][2], "Third file")]))
    nlm.requests.clear()
    third = pipeline.sync_mirror(settings(tmp_path, nlm), workers=1)
    assert [f["name"] for f in third.files] == ["pubmed26n0004.xml.gz"]
    assert {p for p in nlm.requests if p.endswith(".gz")} == {"/pubmed/updatefiles/pubmed26n0004.xml.gz"}
    assert mirror_rows(tmp_path / "w.duckdb")[pmid_of(corpus["articles"][2])] == "Third file"


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bad_md5_is_refused_by_name_and_nothing_of_it_is_ingested(tmp_path, nlm, corpus, workers):
    nlm.md5_override["pubmed26n0003.xml.gz"] = "0" * 32
    with pytest.raises(pipeline.RunFailed, match=r"pubmed26n0003\.xml\.gz: refused, md5 [0-9a-f]{32} does not match 0{32}"):
        pipeline.sync_mirror(settings(tmp_path, nlm), workers=workers)
    assert [f[0] for f in mirror_files(tmp_path / "w.duckdb")] == ["pubmed26n0001.xml.gz", "pubmed26n0002.xml.gz"]
    rows = mirror_rows(tmp_path / "w.duckdb")
    assert corpus["deleted"] in rows and rows[corpus["changed"]] != "Second revision"
    with Warehouse.open(tmp_path / "w.duckdb", read_only=True) as wh:
        assert wh.con.execute("select status, error from run_log").fetchall()[0][0] == "failed"
    del nlm.md5_override["pubmed26n0003.xml.gz"]  # the server fixed: the rerun resumes at the file
    resumed = pipeline.sync_mirror(settings(tmp_path, nlm), workers=workers)
    assert [f["name"] for f in resumed.files] == ["pubmed26n0003.xml.gz"]
    assert mirror_rows(tmp_path / "w.duckdb")[corpus["changed"]] == "Second revision"


def test_a_truncated_gzip_is_refused_by_name(tmp_path, nlm, corpus):
    whole = nlm.folders["updatefiles"]["pubmed26n0003.xml.gz"]
    nlm.put("updatefiles", "pubmed26n0003.xml.gz", whole[: len(whole) * 2 // 3])  # its .md5 matches the cut file
    with pytest.raises(pipeline.RunFailed, match=r"pubmed26n0003\.xml\.gz: refused, .*gzip"):
        pipeline.sync_mirror(settings(tmp_path, nlm), workers=1)
    assert len(mirror_files(tmp_path / "w.duckdb")) == 2
    assert corpus["deleted"] in mirror_rows(tmp_path / "w.duckdb")


class IdsEutils:
    """esearch with ids only (no history server) and efetch by id, logging every request."""

    def __init__(self, httpserver, pmids: list[str], publisher_only: dict[str, str]):
        self.pmids, self.publisher_only, self.log = pmids, publisher_only, []
        httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(self._esearch)
        httpserver.expect_request("/eutils/efetch.fcgi").respond_with_handler(self._efetch)
        httpserver.expect_request("/eutils/elink.fcgi").respond_with_handler(self._elink)
        self.url = httpserver.url_for("/eutils/")

    def _esearch(self, request: Request) -> Response:
        self.log.append(("esearch", dict(request.form)))
        ids = "".join(f"<Id>{p}</Id>" for p in self.pmids)
        return Response(f"<eSearchResult><Count>{len(self.pmids)}</Count><RetMax>{len(self.pmids)}</RetMax>"
                        f"<RetStart>0</RetStart><IdList>{ids}</IdList></eSearchResult>", content_type="text/xml")

    def _efetch(self, request: Request) -> Response:
        self.log.append(("efetch", dict(request.form)))
        ids = request.form["id"].split(",")
        return Response("<?xml version=\"1.0\" ?>\n<PubmedArticleSet>\n" + "\n".join(
            self.publisher_only[p] for p in ids if p in self.publisher_only) + "\n</PubmedArticleSet>\n",
            content_type="text/xml")

    def _elink(self, request: Request) -> Response:
        self.log.append(("elink", dict(request.form)))
        return Response('<?xml version="1.0"?>\n<eLinkResult><LinkSet><DbFrom>pubmed</DbFrom></LinkSet></eLinkResult>',
                        content_type="text/xml")


def test_a_watch_takes_its_records_from_the_mirror_and_efetches_only_what_it_lacks(tmp_path, nlm, corpus, httpserver):
    pipeline.sync_mirror(settings(tmp_path, nlm), workers=1)
    in_mirror = sorted(mirror_rows(tmp_path / "w.duckdb"))[:4]
    publisher_only = {"39999001": article_xml("39999001", date(2026, 11, 28), "Publisher-supplied record")}
    eutils = IdsEutils(httpserver, [*in_mirror, corpus["deleted"], *publisher_only], publisher_only)
    watched = settings(tmp_path, nlm, use_mirror=True, eutils_url=eutils.url,
                       watches=[Watch(name="mirrored", query="magnesium AND fibromyalgia")])
    summary = pipeline.run_pipeline(watched, sources=["pubmed"], today=date(2026, 11, 30))
    searches = [params for kind, params in eutils.log if kind == "esearch"]
    fetches = [params for kind, params in eutils.log if kind == "efetch"]
    assert len(searches) == 1 and "usehistory" not in searches[0] and searches[0]["term"] == "magnesium AND fibromyalgia"
    # one efetch, for the two the mirror lacks (a deleted PMID, a record not in any bulk file yet)
    assert len(fetches) == 1 and sorted(fetches[0]["id"].split(",")) == sorted([corpus["deleted"], "39999001"])
    with Warehouse.open(tmp_path / "w.duckdb", read_only=True) as wh:
        titles = dict(wh.con.execute("select pmid, title from articles").fetchall())
        mirror = dict(wh.con.execute("select pmid, content_hash from mirror_articles").fetchall())
        hashes = dict(wh.con.execute(
            "select record_key, content_hash from record_versions where source = 'pubmed'").fetchall())
    assert set(titles) == {*in_mirror, "39999001"}  # the deleted PMID's efetch returned nothing
    assert titles["39999001"] == "Publisher-supplied record"
    assert all(hashes[p] == mirror[p] for p in in_mirror)  # the mirror's rows, as parsed
    assert summary.watches == {"mirrored": 6} and summary.extracted.records == 5
    # the next run finds the same PMIDs: nothing new, and again at most one efetch
    eutils.log.clear()
    again = pipeline.run_pipeline(watched, sources=["pubmed"], today=date(2026, 11, 30))
    assert again.published.versions_new == 0
    assert len([1 for kind, _ in eutils.log if kind == "efetch"]) == 1


def test_the_mirror_command_syncs_and_names_a_refused_file(tmp_path, nlm, corpus, monkeypatch):
    from typer.testing import CliRunner

    from fmwatch.cli import app

    monkeypatch.setenv("FMWATCH_MIRROR_URL", nlm.url)
    runner = CliRunner()
    nlm.md5_override["pubmed26n0002.xml.gz"] = "f" * 32
    refused = runner.invoke(app, ["--db", str(tmp_path / "w.duckdb"), "mirror", "--workers", "1"])
    assert refused.exit_code == 1 and "pubmed26n0002.xml.gz: refused, md5" in " ".join(refused.output.split())
    del nlm.md5_override["pubmed26n0002.xml.gz"]
    done = runner.invoke(app, ["--db", str(tmp_path / "w.duckdb"), "mirror", "--workers", "1"])
    assert done.exit_code == 0, done.output
    assert [f[0] for f in mirror_files(tmp_path / "w.duckdb")] == [
        "pubmed26n0001.xml.gz", "pubmed26n0002.xml.gz", "pubmed26n0003.xml.gz"]


def test_an_editor_writes_while_a_mirror_sync_waits_on_a_download(tmp_path, nlm, corpus):
    """Issue 16: the sync holds no write lock on the warehouse while a bulk file downloads; the file
    before it is already applied, and the whole sync reaches the read snapshot at its end."""
    import subprocess
    import sys
    import threading

    held, release = threading.Event(), threading.Event()

    def gate(path):
        if path.endswith("pubmed26n0002.xml.gz"):
            held.set()
            release.wait(timeout=120)

    nlm.before = gate
    db = tmp_path / "w.duckdb"
    result: dict = {}
    sync = threading.Thread(target=lambda: result.update(summary=pipeline.sync_mirror(settings(tmp_path, nlm), workers=1)))
    sync.start()
    try:
        assert held.wait(timeout=120), "the sync never asked for the second file"
        writer = subprocess.run([sys.executable, "-c", "import sys; from fmwatch.warehouse import Warehouse; "
                                 "Warehouse.open(sys.argv[1], lock_wait=0).close()", str(db)],
                                capture_output=True, text=True, timeout=120)
        assert writer.returncode == 0, writer.stderr  # fails with "could not set lock" if the sync held it
    finally:
        release.set()
        sync.join(timeout=300)
    assert len(result["summary"].files) == 3
    assert len(mirror_rows(db)) == len(corpus["articles"]) - 1  # the snapshot holds the whole sync
