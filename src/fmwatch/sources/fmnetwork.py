"""The Fibromyalgia Network site: polite, incremental discovery and conditional fetching.

Discovery tries, in order, what a WordPress site offers: the REST API (``/wp-json/wp/v2/posts``),
the RSS feed (``/feed/?paged=N``, read until an article we already hold), the sitemaps
(``wp-sitemap.xml``, ``sitemap_index.xml``), and last the category and home pages (the only
way into the hand-built PHP site). robots.txt is obeyed, its crawl delay kept, and every page
is fetched with the validators of the last fetch so that an unchanged page costs a 304.

Untrusted answers are kept in bounds: only http(s) links on the site's own host (or one of its
configured aliases) are followed from feeds, sitemaps and REST answers; the others are listed in
``refused`` with the reason and never fetched (no request to another host or port, no
``file:`` or ``javascript:``). robots.txt is read as RFC 9309 says: 4xx allows everything, 5xx or
an unreachable server disallows everything for the run; a Crawl-delay over ``max_crawl_delay``
skips the site for the run (:class:`SiteSkipped`). Each such decision is noted in ``notes``.

The source yields pages; parsing them is ``fmwatch.parse.fmnetwork``'s work.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import feedparser
import requests
from bs4 import BeautifulSoup
from lxml import etree

from ..http import DeadlineExceeded, Fetcher, FetchError, HostUnreachable, PermanentFetchError, RateLimiter
from ..parse.fmnetwork import parse_wordpress_datetime

log = logging.getLogger("fmwatch.fmnetwork")

MAX_FEED_PAGES = 50
MAX_PAGE_BYTES = 5 * 1024 * 1024  # an article page is tens of kB; a 10 MB "page" is refused
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_NOT_ARTICLES = re.compile(r"/(category|tag|author|feed|page|wp-|comments|search|\?)", re.I)


class Disallowed(FetchError):
    """robots.txt forbids this URL to fmwatch."""


class SiteSkipped(PermanentFetchError):
    """The site is not crawled this run (a Crawl-delay over the ceiling); the message says what to do."""


@dataclass(frozen=True)
class PageState:
    """What we know of a page from its last fetch: the validators for a conditional GET."""

    url: str
    etag: str | None
    last_modified: str | None
    content_sha256: str | None


@dataclass(frozen=True)
class Discovered:
    url: str
    published: datetime | None = None
    via: str = ""


@dataclass(frozen=True)
class Page:
    url: str
    status: int  # 200, or 304 when unchanged since the validators we sent
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str


class FmNetworkSite:
    def __init__(self, fetcher: Fetcher, base_url: str, *, user_agent: str, crawl_delay: float = 1.0,
                 max_crawl_delay: float = 60.0, aliases: tuple[str, ...] | list[str] = ()):
        self.fetcher = fetcher
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.user_agent = user_agent
        self.default_delay = crawl_delay
        self.max_crawl_delay = max_crawl_delay
        base = urlsplit(self.base_url)
        self.hosts = {base.netloc.lower(), *(a.lower() for a in aliases)}
        self.robots: RobotFileParser | None = None
        self.not_modified = 0
        self.disallowed: list[str] = []
        self.refused: list[tuple[str, str]] = []  # (url, why it was not fetched)
        self.notes: list[str] = []  # robots.txt decisions, for the run's summary

    # --- the site's bounds ------------------------------------------------------------------

    def off_site(self, url: str) -> str | None:
        """Why ``url`` (from a feed, sitemap or REST answer) is not fetched, or None if it may be."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return f'not a valid URL: "{url[:200]}"'
        if parts.scheme not in ("http", "https"):
            return f"only http(s) links on the site are followed, not {parts.scheme or 'a relative'}: link"
        netloc = parts.netloc.lower().rsplit("@", 1)[-1]
        default = {"http": 80, "https": 443}[parts.scheme]
        bare = parts.hostname.lower() if parts.hostname else ""
        if netloc in self.hosts or (port in (None, default) and bare in {h.split(":")[0] for h in self.hosts
                                                                          if ":" not in h}):
            return None
        return (f"off the site: {parts.netloc} is not {' or '.join(sorted(self.hosts))} "
                "(add it to FMWATCH_FMNETWORK_ALIASES if the site really lives there)")

    def _keep_on_site(self, found: list[Discovered]) -> list[Discovered]:
        kept, refused = [], {url for url, _ in self.refused}
        for item in found:
            reason = self.off_site(item.url)
            if reason and item.url not in refused:
                refused.add(item.url)
                self.refused.append((item.url, f"{item.via} link not fetched: {reason}"))
            elif reason:
                continue
            else:
                # kept as the URL parser read it: urlsplit drops tabs and line breaks anywhere in a URL
                # (as WHATWG URL parsing does), so "h\tttp://site/a/" was judged as "http://site/a/"
                # and must be fetched and stored as that, not as written
                url = urlunsplit(urlsplit(item.url))
                kept.append(item if url == item.url else replace(item, url=url))
        return kept

    # --- politeness -------------------------------------------------------------------------

    def load_robots(self) -> None:
        """Read robots.txt once, as RFC 9309 (section 2.3.1) says: a 4xx answer allows everything;
        a 5xx answer or an unreachable server disallows everything (for this run). Its crawl delay
        paces us; one over ``max_crawl_delay`` raises :class:`SiteSkipped`. A host that cannot be
        reached at all (refused, not resolved: ``HostUnreachable``) is raised: nothing can be crawled,
        and the run reports the site as failed, by the host, rather than as a site that allows nothing.
        """
        robots = RobotFileParser()
        url = self.base_url + "robots.txt"
        try:
            response = self.fetcher.request("GET", url, archive=False)
            robots.parse(response.text.splitlines())
        except (DeadlineExceeded, HostUnreachable):
            raise
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500 and error.status != 429:
                robots.parse([])  # "unavailable": no rules, everything allowed
            else:
                robots.parse(["User-agent: *", "Disallow: /"])
                self.notes.append(
                    f"fmnetwork: robots.txt at {url} could not be read ({error}); as RFC 9309 says for a server "
                    "error, the whole site is treated as disallowed this run. It is tried again next run.")
        self.robots = robots
        delay = robots.crawl_delay(self.user_agent)
        rate = robots.request_rate(self.user_agent)
        if rate:
            delay = max(delay or 0, rate.seconds / max(rate.requests, 1))
        if delay and float(delay) > self.max_crawl_delay:
            raise SiteSkipped(
                f"robots.txt at {url} asks for a Crawl-delay of {float(delay):g} s, over fmwatch's ceiling of "
                f"{self.max_crawl_delay:g} s (FMWATCH_MAX_CRAWL_DELAY_SECONDS): the site is skipped this run. "
                "Raise the ceiling to crawl it that slowly, or ask the site to lower the delay.")
        delay = max(float(delay or 0), self.default_delay)
        if delay > 0:
            self.fetcher.throttle = RateLimiter(1, window=delay).acquire
        if not self.notes and not robots.can_fetch(self.user_agent, self.base_url):
            self.notes.append(
                f"fmnetwork: robots.txt at {url} disallows {self.user_agent.split(' ')[0]} from {self.base_url}: "
                "nothing was fetched from the site. Ask the site's owner to allow fmwatch, or leave the site "
                "out of runs (--source pubmed).")

    def allowed(self, url: str) -> bool:
        if self.robots is None:
            self.load_robots()
        return self.robots.can_fetch(self.user_agent, url)

    def get(self, url: str, state: PageState | None = None, *, accept: str = "html") -> Page:
        if not self.allowed(url):
            self.disallowed.append(url)
            raise Disallowed(f"robots.txt disallows {url}")
        headers = {}
        if state and state.etag:
            headers["If-None-Match"] = state.etag
        if state and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        response = self.fetcher.request("GET", url, headers=headers, validate=_content_check(accept))
        if response.status_code == 304:
            self.not_modified += 1
        return Page(url=response.url or url, status=response.status_code, body=response.content,
                    etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified"),
                    content_type=response.headers.get("Content-Type", ""))

    def _try(self, url: str, accept: str) -> Page | None:
        try:
            return self.get(url, accept=accept)
        except DeadlineExceeded:
            raise
        except FetchError as error:
            log.info("not available: %s (%s)", url, error)
            return None

    # --- discovery --------------------------------------------------------------------------

    def discover(self, newest_known: datetime | None,
                 last_fetched: dict[str, datetime] | None = None) -> tuple[list[Discovered], str]:
        """Article URLs that may be new or changed, and how they were found.

        The REST API answers both at once (``modified_after``). Without it, the feed gives the
        new articles (newest first, read until one we hold) and the sitemap's ``lastmod`` the
        edited ones; the category and home pages are the last resort.
        """
        last_fetched = last_fetched or {}
        if self.robots is None:
            self.load_robots()
        if not self.robots.can_fetch(self.user_agent, self.base_url) and not self.robots.can_fetch(
                self.user_agent, self.base_url + "feed/"):
            return [], "none (robots.txt)"
        rest = self._from_rest_api(newest_known and min([newest_known, *last_fetched.values()]))
        if rest is not None:
            return _unique(self._keep_on_site(rest)), "rest"
        feed = self._from_feed(newest_known)
        sitemap = self._from_sitemaps(None)
        if feed is not None or sitemap:
            feed, sitemap = self._keep_on_site(feed or []) if feed is not None else None, self._keep_on_site(
                sitemap or [])
            changed = [d for d in sitemap or [] if d.url not in last_fetched
                       or (d.published and d.published > last_fetched[d.url])]
            methods = "+".join(name for name, found in (("feed", feed), ("sitemap", sitemap)) if found is not None)
            return _unique((feed or []) + changed), methods
        archive = self._from_archives(newest_known)
        return (_unique(archive), "archive") if archive else ([], "none")

    def _from_rest_api(self, newest_known: datetime | None) -> list[Discovered] | None:
        found: list[Discovered] = []
        for page_number in range(1, MAX_FEED_PAGES + 1):
            url = f"{self.base_url}wp-json/wp/v2/posts?per_page=100&page={page_number}&_fields=link,date,modified"
            if newest_known:
                url += "&modified_after=" + newest_known.isoformat()
            page = self._try(url, accept="json")
            if page is None:
                return None if page_number == 1 else found
            try:
                posts = json.loads(page.body)
            except ValueError:
                return None if page_number == 1 else found
            if not isinstance(posts, list):
                return None if page_number == 1 else found
            found += [Discovered(p["link"], parse_wordpress_datetime(p.get("modified") or p.get("date")), "rest")
                      for p in posts if isinstance(p, dict) and isinstance(p.get("link"), str)]
            if len(posts) < 100:
                return found
        return found

    def _from_feed(self, newest_known: datetime | None) -> list[Discovered] | None:
        found: list[Discovered] = []
        for page_number in range(1, MAX_FEED_PAGES + 1):
            url = self.base_url + ("feed/" if page_number == 1 else f"feed/?paged={page_number}")
            page = self._try(url, accept="feed")
            if page is None:
                return None if page_number == 1 else found
            feed = feedparser.parse(page.body)
            if not feed.entries:
                return None if page_number == 1 and not feed.feed else found
            reached_known = False
            before = {d.url for d in found}
            for entry in feed.entries:
                published = _feed_time(entry)
                if newest_known and published and published <= newest_known:
                    reached_known = True  # the feed is newest first: the rest are known
                    break
                if isinstance(entry.get("link"), str) and entry.link:
                    found.append(Discovered(entry.link, published, "feed"))
            if reached_known or not {d.url for d in found} - before:  # a page that repeats the last: the end
                return found
        return found

    def _from_sitemaps(self, newest_known: datetime | None) -> list[Discovered] | None:
        for index_name in ("wp-sitemap.xml", "sitemap_index.xml", "sitemap.xml"):
            page = self._try(self.base_url + index_name, accept="xml")
            if page is None:
                continue
            urls = list(self._sitemap_urls(page.body, depth=0))
            return [Discovered(u, modified, "sitemap") for u, modified in urls
                    if not newest_known or modified is None or modified > newest_known]  # lastmod as "published"
        return None

    def _sitemap_urls(self, body: bytes, depth: int) -> Iterator[tuple[str, datetime | None]]:
        try:
            root = etree.fromstring(body, _SAFE_XML)
        except etree.XMLSyntaxError:
            return
        ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        if root.tag.endswith("sitemapindex") and depth < 2:
            for loc in root.iterfind("sm:sitemap/sm:loc", ns):
                name = (loc.text or "").strip()
                if "posts-post" in name or "post-sitemap" in name:  # WordPress core, Yoast
                    reason = self.off_site(name)
                    if reason:
                        self.refused.append((name, f"sitemap not fetched: {reason}"))
                        continue
                    page = self._try(name, accept="xml")
                    if page is not None:
                        yield from self._sitemap_urls(page.body, depth + 1)
        else:
            for node in root.iterfind("sm:url", ns):
                loc = (node.findtext("sm:loc", namespaces=ns) or "").strip()
                if loc:
                    yield loc, parse_wordpress_datetime(node.findtext("sm:lastmod", namespaces=ns))

    def _from_archives(self, newest_known: datetime | None) -> list[Discovered] | None:
        found: list[Discovered] = []
        for path in ("category/latest-news/", "latest-news/", ""):
            page = self._try(self.base_url + path, accept="html")
            if page is None:
                continue
            soup = BeautifulSoup(page.body, "lxml")
            host = urlsplit(self.base_url).netloc
            for link in soup.find_all("a", href=True):
                href = urljoin(page.url, link["href"]).split("#")[0]
                in_title = link.find_parent(class_=re.compile(r"entry-title|post-title")) is not None
                php_article = re.search(r"/basics-news-[\w-]+\.php$", href) is not None
                if urlsplit(href).netloc == host and (in_title or php_article) and not _NOT_ARTICLES.search(
                        urlsplit(href).path):
                    found.append(Discovered(href, None, "archive"))
        return found or None


def _unique(found: list[Discovered]) -> list[Discovered]:
    return list({d.url: d for d in found}.values())


def _feed_time(entry) -> datetime | None:
    # Look at the keys the entry really has: asking feedparser for a missing one makes it fall
    # back from one date to the other with a deprecation warning.
    present = entry.keys()
    parsed = next((entry[key] for key in ("published_parsed", "updated_parsed") if key in present and entry[key]),
                  None)
    return datetime(*parsed[:6]) if parsed else None


def _content_check(accept: str):
    """Refuse what is not the kind of document asked for, and pages over the size bound."""
    kinds = {"html": ("html",), "json": ("json",), "xml": ("xml",), "feed": ("xml", "rss", "atom")}[accept]

    def check(response: requests.Response, body: bytes) -> None:
        if response.status_code == 304:
            return
        content_type = response.headers.get("Content-Type", "").lower()
        if content_type and not any(k in content_type for k in kinds):
            raise FetchError(f"{response.url}: expected {accept}, got {content_type}")
    return check
