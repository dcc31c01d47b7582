"""Fibromyalgia Network: the seed, both site generations, polite incremental crawling,
bad pages, and linking references to PubMed."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from typer.testing import CliRunner
from werkzeug import Response

from fmwatch.cli import app
from fmwatch.parse.fmnetwork import NotAnArticle, parse_article_html, parse_fm_file, parse_reference
from fmwatch.pipeline import link_citations, make_eutils_client, run_pipeline, snapshot_folder
from fmwatch.settings import load_settings
from fmwatch.warehouse import Warehouse

from .conftest import DATA, SHARED
from .fake_eutils import FakeEutils
from .fake_fmnetwork import FakeArticle, FakeSite

SEED = SHARED / "seeds" / "000_c6083a9237b25750.txt"
runner = CliRunner()


def query(db_path, sql):
    with Warehouse.open(db_path, read_only=True) as wh:
        return wh.con.execute(sql).fetchall()


# --- parsing -------------------------------------------------------------------------------------

def test_the_seed_print_view():
    article = parse_fm_file(SEED.read_bytes())
    assert article.title == "Magnesium Treats Fibromyalgia Pain"
    assert article.published_at == datetime(2012, 1, 31, 12, 33)
    assert article.author == "joshua@fmnetnews"
    assert article.categories == ["2012", "Latest News", "Therapies"]
    assert article.comment_count == 51
    assert article.url == "http://fmnetnews.iraherman.com/latest-news/magnesium-treats-fibromyalgia-pain"
    assert article.record_id == "fmnetwork:magnesium-treats-fibromyalgia-pain"
    (reference,) = article.references
    assert (reference.first_author, reference.journal, reference.year) == ("Bagis", "Rheumatol Int", 2012)
    assert reference.date == date(2012, 1, 22) and reference.epub_ahead_of_print
    assert [(m.surname, m.place) for m in article.mentions] == [("Bagis", "Turkey")]
    assert article.body.startswith("Why would magnesium reduce your fibromyalgia symptoms")
    assert "Article printed from" not in article.body and "copyrighted" not in article.body


def test_page_and_print_view_of_one_article_are_one_record():
    folder = snapshot_folder("fmnetwork")
    page = parse_article_html((folder / "article-magnesium-citrate-eases-tender-points.html").read_bytes())
    printed = parse_fm_file((folder / "print-magnesium-citrate-eases-tender-points.txt").read_bytes())
    assert (page.generation, printed.generation) == ("wordpress", "print")
    assert page.content_hash() == printed.content_hash()
    assert page.tags == ["magnesium", "amitriptyline"] and page.comment_count == 23
    assert "Share this" not in page.body and "reader's comment" not in page.body


def test_the_php_generation():
    article = parse_fm_file((DATA / "php_article.html").read_bytes(),
                            url="http://www.fmnetnews.com/basics-news-minerals-root1011.php")
    assert article.generation == "php"
    assert article.title == "Minerals in Hair Samples"
    assert article.author == "Kristin Thorson"
    assert article.published_at == datetime(2011, 10, 5)
    assert article.slug == "basics-news-minerals-root1011"
    assert article.body.startswith("A team in Korea") and "Basic Info" not in article.body
    assert article.references[0].journal == "J Korean Med Sci" and article.references[0].pages == "1253-7"


@pytest.mark.parametrize("raw, expected", [
    ("* Bagis S, et al. Rheumatology Int [epub ahead of print] Jan. 22, 2012.",
     ("Bagis", "S", "Rheumatol Int", 2012, None, None, True)),
    ("Russell IJ, et al. J Rheumatol 1995;22(5):953-8.", ("Russell", "IJ", "J Rheumatol", 1995, "22", "953-8", False)),
    ("* Engen DJ, McAllister SJ. Journal of Integrative Medicine 2015;13(5):306-13.",
     ("Engen", "DJ", "J Integr Med", 2015, "13", "306-13", False)),
    ("* Smith AB. Arthritis & Rheumatism 2009; 60:1234-1240", ("Smith", "AB", "Arthritis Rheum", 2009, "60", "1234-1240", False)),
])
def test_reference_forms(raw, expected):
    ref = parse_reference(raw)
    assert (ref.first_author, ref.first_author_initials, ref.journal, ref.year, ref.volume, ref.pages,
            ref.epub_ahead_of_print) == expected


def test_a_page_without_an_article_is_refused():
    with pytest.raises(NotAnArticle):
        parse_fm_file((DATA / "no_body.html").read_bytes())
    with pytest.raises(NotAnArticle):
        parse_fm_file(b"%PDF-1.4 binary")
    broken = b"<html><body><article><h1 class='entry-title'>Half a page</h1><div class='entry-content'><p>" + b"x" * 60
    assert parse_fm_file(broken).title == "Half a page"  # lxml repairs what it can


# --- importing the seed and linking it -----------------------------------------------------------

def test_importing_the_seed_links_it_to_bagis_through_a_recorded_search(httpserver, tmp_path, monkeypatch):
    fake = FakeEutils(term_answers={"Bagis S[au]": ["22271372"]})
    fake.add("22271372", date(2012, 1, 26), "Is magnesium citrate treatment effective on pain?")
    monkeypatch.setenv("FMWATCH_EUTILS_URL", fake.install(httpserver))
    db = tmp_path / "seed.duckdb"
    result = runner.invoke(app, ["--db", str(db), "import", str(SEED)])
    assert result.exit_code == 0, result.output
    term = next(e.params["term"] for e in fake.log if e.endpoint == "esearch")
    assert term == 'Bagis S[au] AND "Rheumatol Int"[ta] AND (2012[dp] OR 2013[dp])'  # epub: its year and the next
    assert query(db, "select slug, title, author, published_at, categories, comment_count, url from fm_articles") == [(
        "magnesium-treats-fibromyalgia-pain", "Magnesium Treats Fibromyalgia Pain", "joshua@fmnetnews",
        datetime(2012, 1, 31, 12, 33), ["2012", "Latest News", "Therapies"], 51,
        "http://fmnetnews.iraherman.com/latest-news/magnesium-treats-fibromyalgia-pain")]
    assert query(db, "select from_record, first_author, journal, year, pmid, method from citations") == [(
        "fmnetwork:magnesium-treats-fibromyalgia-pain", "Bagis", "Rheumatol Int", 2012, "22271372", "esearch")]
    # the cited record was not in the warehouse: it was fetched
    assert query(db, "select pmid from articles") == [("22271372",)]
    again = runner.invoke(app, ["--db", str(db), "import", str(SEED)])
    assert again.exit_code == 0 and query(db, "select count(*) from record_versions") == [(2,)]


def test_importing_the_seed_offline_uses_the_snapshot(tmp_path):
    db = tmp_path / "seed.duckdb"
    result = runner.invoke(app, ["--db", str(db), "import", "--offline", str(SEED)])
    assert result.exit_code == 0, result.output
    assert query(db, "select pmid, method from citations") == [("22271372", "esearch")]


def test_ambiguous_references_stay_unresolved_and_clear_ones_are_scored(httpserver, tmp_path):
    fake = FakeEutils(term_answers={"Kim YS[au]": ["90000101", "90000102"], "Lee A[au]": ["90000103", "90000104"]})
    fake.add("90000101", date(2011, 10, 1), "Hair mineral analysis in women with fibromyalgia")
    fake.add("90000102", date(2011, 10, 2), "Knee cartilage repair after sports injury")
    fake.add("90000103", date(2011, 10, 3), "Sleep in fibromyalgia")
    fake.add("90000104", date(2011, 10, 4), "Sleep quality in fibromyalgia")
    settings = load_settings(None, db=tmp_path / "c.duckdb", eutils_url=fake.install(httpserver), backoff_seconds=0.01)
    article = parse_fm_file((DATA / "php_article.html").read_bytes(), url="http://example.org/basics-news-x.php")
    other = parse_fm_file((DATA / "php_article.html").read_bytes().replace(
        b"Kim YS, et al. J Korean Med Sci 2011;26(10):1253-7.", b"Lee A, et al. Sleep 2011."),
        url="http://example.org/basics-news-y.php")
    with Warehouse.open(settings.db) as warehouse:
        links = link_citations(make_eutils_client(settings), warehouse, "r1", [article, other])
    assert [e.endpoint for e in fake.log][:1] == ["ecitmatch"]  # volume and page known: ECitMatch first
    chosen, ambiguous = links
    assert (chosen.pmid, chosen.method) == ("90000101", "esearch+title") and chosen.confidence > 0.5
    assert ambiguous.pmid is None and ambiguous.method == "unresolved"
    assert ambiguous.candidates == ["90000103", "90000104"] and "ambiguous" in ambiguous.note


# --- crawling ------------------------------------------------------------------------------------

@pytest.fixture
def site(httpserver):
    fake = FakeSite(articles=[
        FakeArticle("first-article", "First article", datetime(2024, 1, 1, 9), ["Magnesium news, paragraph one " * 3]),
        FakeArticle("second-article", "Second article", datetime(2024, 2, 1, 9), ["Sleep news, paragraph one " * 3]),
        FakeArticle("third-article", "Third article", datetime(2024, 3, 1, 9), ["Pain news, paragraph one " * 3]),
        FakeArticle("secret-article", "Secret", datetime(2023, 12, 5, 9), ["Not for robots " * 5], path="private"),
    ])
    fake.install(httpserver)
    return fake


def crawl(site, db, **overrides):
    settings = load_settings(None, db=db, fmnetwork_url=site.base, crawl_delay_seconds=0, backoff_seconds=0.01,
                             max_attempts=2, **overrides)
    return run_pipeline(settings, sources=["fmnetwork"])


def test_first_crawl_reads_the_feed_pages_and_honours_robots(site, db_path):
    summary = crawl(site, db_path)
    assert "feed/?paged=2" in site.paths("feed/") and "feed/?paged=3" in site.paths("feed/")
    assert not site.paths("private/")  # disallowed: never requested
    assert summary.fm_pages["disallowed"] == 1 and summary.fm_pages["parsed"] == 3
    assert query(db_path, "select slug from fm_articles order by slug") == [
        ("first-article",), ("second-article",), ("third-article",)]
    user_agent = next(h for _, p, h in site.log if p == "robots.txt")["User-Agent"]
    assert user_agent.startswith("fmwatch/")


def test_feed_paging_stops_at_the_newest_known_article(site, db_path):
    crawl(site, db_path)
    site.log.clear()
    site.articles.append(FakeArticle("fourth-article", "Fourth", datetime(2024, 4, 1, 9), ["New news " * 6]))
    summary = crawl(site, db_path)
    assert site.paths("feed/") == ["feed/"]  # page 1 held an article we know: no page 2
    assert [p for p in site.paths() if p.startswith("latest-news/")] == ["latest-news/fourth-article"]
    assert summary.fm_pages["parsed"] == 1


def test_unchanged_pages_cost_a_304_and_are_not_parsed_again(site, db_path):
    crawl(site, db_path)
    for article in site.articles:  # the sitemap now says every article changed; none did
        article.modified = datetime(2099, 1, 1)
    site.log.clear()
    summary = crawl(site, db_path)
    conditional = [h.get("If-None-Match") for _, p, h in site.log if p.startswith("latest-news/")]
    assert len(conditional) == 3 and all(conditional)
    assert summary.fm_pages["not_modified"] == 3 and summary.fm_pages["parsed"] == 0
    assert query(db_path, "select count(*) from record_versions") == [(3,)]


def test_a_changed_article_becomes_version_two(site, db_path):
    crawl(site, db_path)
    edited = site.articles[1]
    edited.paragraphs = ["Sleep news, corrected and expanded " * 3]
    edited.version, edited.modified = 2, datetime(2099, 1, 1)
    crawl(site, db_path)
    assert query(db_path, "select version, body from fm_articles where slug = 'second-article'") == [
        (2, ("Sleep news, corrected and expanded " * 3).strip())]
    assert query(db_path, "select version from fm_article_versions where slug = 'second-article' order by 1") == [
        (1,), (2,)]


def test_crawl_delay_from_robots_is_kept(site, db_path):
    site.robots = "User-agent: *\nCrawl-delay: 1\nDisallow: /site/private/\n"
    crawl(site, db_path)
    times = [t for t, p, _ in site.log if p != "robots.txt"]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(gaps) >= 4 and min(gaps) >= 0.95


def test_bad_pages_are_quarantined_and_the_run_goes_on(site, db_path, monkeypatch):
    from fmwatch.sources import fmnetwork
    monkeypatch.setattr(fmnetwork, "MAX_PAGE_BYTES", 200_000)
    bad = {
        "latest-news/no-body": Response((DATA / "no_body.html").read_text(), content_type="text/html"),
        "latest-news/a-pdf": Response(b"%PDF-1.4", content_type="application/pdf"),
        "latest-news/loop": Response("", status=302, headers={"Location": site.base + "latest-news/loop"}),
        "latest-news/huge": Response("<html><body>" + "x" * 10_000_000 + "</body></html>", content_type="text/html"),
    }
    site.extra.update(bad)
    for slug in bad:
        site.articles.append(FakeArticle(slug.split("/")[1], slug, datetime(2024, 5, 1), ["x"]))
    summary = crawl(site, db_path)
    assert summary.status == "quarantined" and summary.exit_code == 3
    reasons = dict(query(db_path, "select origin, reason from quarantine"))
    assert "no article body" in reasons[site.base + "latest-news/no-body"] or \
        "entry-content" in reasons[site.base + "latest-news/no-body"]
    assert "expected html" in reasons[site.base + "latest-news/a-pdf"]
    # one line, "<what>: <why>": the page named once, then why (session 23)
    assert reasons[site.base + "latest-news/a-pdf"] == (f"{site.base}latest-news/a-pdf: fetch failed "
                                                        "(expected html, got application/pdf)")
    assert "redirect" in reasons[site.base + "latest-news/loop"]
    assert "limit" in reasons[site.base + "latest-news/huge"]
    assert query(db_path, "select count(*) from fm_articles") == [(3,)]  # the good ones, whole


def test_the_rest_api_is_used_where_enabled(site, db_path):
    site.rest_api = True
    summary = crawl(site, db_path)
    assert summary.fm_pages["parsed"] == 3 and not site.paths("feed/")
    site.log.clear()
    site.articles[0].modified, site.articles[0].version = datetime(2099, 1, 1), 2
    site.articles[0].paragraphs = ["Magnesium news, edited " * 4]
    crawl(site, db_path)
    rest = [p for p in site.paths("wp-json/")]
    assert len(rest) == 1 and "modified_after=2024-03-01T09:00:00" in rest[0]
    assert [p for p in site.paths("latest-news/")] == ["latest-news/first-article"]


def test_the_php_site_is_found_through_its_pages(httpserver, db_path):
    php = FakeSite()
    php.install(httpserver)
    page = (DATA / "php_article.html").read_text().replace("<p>* Kim YS", "<p>Kim YS")  # no footnote to link
    php.extra[""] = Response(f'<html><body><a href="{php.base}basics-news-minerals-root1011.php">Minerals</a>'
                             f'<a href="{php.base}store.php">Store</a></body></html>', content_type="text/html")
    php.extra["basics-news-minerals-root1011.php"] = Response(page, content_type="text/html")
    summary = crawl(php, db_path)
    assert summary.fm_pages == {"discovered": 1, "not_modified": 0, "unchanged": 0, "parsed": 1,
                                "disallowed": 0, "failed": 0}
    assert query(db_path, "select slug, title, author from fm_articles") == [
        ("basics-news-minerals-root1011", "Minerals in Hair Samples", "Kristin Thorson")]
