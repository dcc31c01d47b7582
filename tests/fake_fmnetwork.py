"""A small WordPress-shaped site for crawl tests (pytest-httpserver), written by the team.

Articles are served with ETags and answer 304 to a matching If-None-Match; the feed is
paged (``/feed/?paged=N``, newest first, two a page); the core sitemap lists every article
with its lastmod; the REST API is off (404). Every request is logged.

``bulk=N`` adds N generated articles at ``p/<n>``, listed in sitemaps of ``SITEMAP_SIZE`` URLs each
(a site with a 100k-URL sitemap), served without the ETag round trip.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
from datetime import datetime

from werkzeug import Request, Response

FEED_PAGE_SIZE = 2
SITEMAP_SIZE = 25_000  # the protocol allows 50,000 a file; this keeps each under the 5 MB page bound


@dataclass
class FakeArticle:
    slug: str
    title: str
    published: datetime
    paragraphs: list[str]
    modified: datetime | None = None
    path: str = "latest-news"
    version: int = 1

    @property
    def etag(self) -> str:
        return f'"{self.slug}-v{self.version}"'


def wordpress_page(base: str, article: FakeArticle) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in article.paragraphs)
    modified = (article.modified or article.published).isoformat()
    return (f'<!DOCTYPE html><html><head><title>{html.escape(article.title)} | Test Site</title>'
            f'<link rel="canonical" href="{base}{article.path}/{article.slug}" /></head><body>'
            f'<nav id="access"><a href="{base}">Home</a></nav><article class="post hentry">'
            f'<header><h1 class="entry-title">{html.escape(article.title)}</h1><div class="entry-meta">'
            f'<time class="entry-date" datetime="{article.published.isoformat()}+00:00">x</time>'
            f'<time class="updated" datetime="{modified}+00:00"></time>'
            f'<span class="author vcard"><a class="url fn n" rel="author" href="#">tester</a></span></div></header>'
            f'<div class="entry-content">{body}<div class="sharedaddy">Share this: Facebook</div></div>'
            f'<footer class="entry-meta"><a href="#" rel="category tag">Latest News</a>'
            f'<span class="comments-link"><a href="#comments">3 Comments</a></span></footer></article>'
            f'<div id="comments"><ol class="commentlist"><li>not the article</li></ol></div></body></html>')


@dataclass
class FakeSite:
    articles: list[FakeArticle] = field(default_factory=list)
    robots: str = "User-agent: *\nDisallow: /site/private/\n"  # the site lives under /site/
    extra: dict[str, Response] = field(default_factory=dict)  # path -> a canned (bad) answer
    log: list[tuple[float, str, dict]] = field(default_factory=list)
    base: str = ""
    rest_api: bool = False
    bulk: int = 0

    def install(self, httpserver) -> str:
        httpserver.expect_request(__import__("re").compile(r"^/site/.*")).respond_with_handler(self._handle)
        self.base = httpserver.url_for("/site/")
        return self.base

    def paths(self, prefix: str = "") -> list[str]:
        return [path for _, path, _ in self.log if path.startswith(prefix)]

    def _handle(self, request: Request) -> Response:
        path = request.path.removeprefix("/site/")
        query = dict(request.args)
        self.log.append((time.monotonic(), path + (f"?{request.query_string.decode()}" if query else ""),
                         dict(request.headers)))
        if path in self.extra:
            return self.extra[path]
        if path == "wp-json/wp/v2/posts" and self.rest_api:
            since = datetime.fromisoformat(query["modified_after"]) if "modified_after" in query else datetime.min
            posts = [{"link": f"{self.base}{a.path}/{a.slug}", "date": a.published.isoformat(),
                      "modified": (a.modified or a.published).isoformat()}
                     for a in self.articles if (a.modified or a.published) > since]
            return Response(__import__("json").dumps(posts), content_type="application/json")
        if path == "robots.txt":
            return Response(self.robots, content_type="text/plain")
        if path == "feed/":
            return self._feed(int(query.get("paged", 1)))
        if path == "wp-sitemap.xml":
            parts = "".join(f"<sitemap><loc>{self.base}wp-sitemap-posts-post-{n}.xml</loc></sitemap>"
                            for n in range(1, 2 + (self.bulk - 1) // SITEMAP_SIZE if self.bulk else 2))
            return Response('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                            f'{parts}</sitemapindex>', content_type="application/xml")
        if path.startswith("wp-sitemap-posts-post-"):
            number = int(path.removeprefix("wp-sitemap-posts-post-").removesuffix(".xml"))
            urls = "".join(f"<url><loc>{self.base}{a.path}/{a.slug}</loc>"
                           f"<lastmod>{(a.modified or a.published).isoformat()}</lastmod></url>"
                           for a in (self.articles if number == 1 else []))
            first = (number - 1) * SITEMAP_SIZE
            urls += "".join(f"<url><loc>{self.base}p/{n}</loc><lastmod>{self._bulk_date(n).isoformat()}</lastmod></url>"
                            for n in range(first, min(first + SITEMAP_SIZE, self.bulk)))
            return Response('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                            f'{urls}</urlset>', content_type="application/xml")
        if path.startswith("p/") and path[2:].isdigit() and int(path[2:]) < self.bulk:
            n = int(path[2:])
            article = FakeArticle(f"bulk-{n}", f"Generated article {n}", self._bulk_date(n),
                                  [f"Generated paragraph for article {n}. " * 3], path="p")
            return Response(wordpress_page(self.base, article), content_type="text/html; charset=UTF-8")
        for article in self.articles:
            if path == f"{article.path}/{article.slug}":
                if request.headers.get("If-None-Match") == article.etag:
                    return Response(status=304, headers={"ETag": article.etag})
                return Response(wordpress_page(self.base, article), content_type="text/html; charset=UTF-8",
                                headers={"ETag": article.etag})
        return Response("not found", status=404)

    @staticmethod
    def _bulk_date(n: int) -> datetime:
        return datetime(2000, 1, 1) + __import__("datetime").timedelta(minutes=n)  # distinct, oldest first

    def _feed(self, page: int) -> Response:
        newest_first = sorted(self.articles, key=lambda a: a.published, reverse=True)
        items = newest_first[(page - 1) * FEED_PAGE_SIZE: page * FEED_PAGE_SIZE]
        if not items:
            return Response("not found", status=404)
        entries = "".join(
            f"<item><title>{html.escape(a.title)}</title><link>{self.base}{a.path}/{a.slug}</link>"
            f"<pubDate>{a.published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>" for a in items)
        return Response(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test</title>{entries}</channel></rss>',
                        content_type="application/rss+xml")
