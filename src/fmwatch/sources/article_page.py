"""A saved article page from any site: its title, date, author and main text, read by trafilatura.

The Fibromyalgia Network's own pages (WordPress, the older PHP site, print views) are read by
``fmwatch.parse.fmnetwork``, which knows their markup; this reader is for the rest (a health-news
page an editor saved), where fmwatch cannot know the markup and a maintained main-text extractor
does better than rules of ours. Why trafilatura: README, "Libraries we use, and why".
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import trafilatura

from ..parse.fmnetwork import NotAnArticle, _article, slug_from_url
from ..records import FmArticle

GENERATION = "page"  # fm_articles.generation of a page from another site


def read_article_page(html: str, url: str | None = None) -> FmArticle:
    """The article of a saved HTML page from any site, as an ``FmArticle`` with ``generation``
    "page": title, main text (paragraphs, boilerplate, navigation and comments left out), author,
    publication date (trafilatura's htmldate: the page's metadata, then its visible dates), the
    page's canonical URL when it states one (else ``url``), and the site's name as its only category.

    The slug is the site's host and the URL's last segment ("medicalnewstoday-com-318674"), or the
    title when there is no URL, so a page from another site never takes a Fibromyalgia Network
    article's slug. Raises ``NotAnArticle`` when no title or no main text is found.
    """
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                           include_tables=False, favor_precision=True)
    if document is None:
        raise NotAnArticle("no article text found in the page (not a WordPress page either)")
    found = document.as_dict()
    text = found.get("text") or ""
    claimed = found.get("url")
    page_url = claimed if isinstance(claimed, str) and claimed.lower().startswith(("http://", "https://")) else url
    paragraphs = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    if paragraphs and paragraphs[0] == " ".join((found.get("title") or "").split()):
        paragraphs = paragraphs[1:]  # the headline is the title, not the body's first paragraph
    article = _article(page_url, found.get("title"), paragraphs, GENERATION, author=found.get("author") or None,
                       published_at=_date(found.get("date")),
                       categories=[found["sitename"]] if found.get("sitename") else [])
    if page_url:
        host = (urlsplit(page_url).hostname or "").removeprefix("www.")
        article.slug = re.sub(r"[^a-z0-9]+", "-", f"{host}-{slug_from_url(page_url)}".lower()).strip("-")
    return article


def _date(value: str | None) -> datetime | None:
    """trafilatura's date (YYYY-MM-DD) as a datetime at midnight, or None."""
    try:
        return datetime.strptime(value, "%Y-%m-%d") if value else None
    except ValueError:
        return None
