"""A saved article page from any site: its title, date, author and main text, read by trafilatura.

The Fibromyalgia Network's own pages (WordPress, the older PHP site, print views) are read by
``fmwatch.parse.fmnetwork``, which knows their markup; this reader is for the rest (a health-news
page an editor saved), where fmwatch cannot know the markup and a maintained main-text extractor
does better than rules of ours. Why trafilatura: README, "Libraries we use, and why".
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from urllib.parse import urlsplit

import trafilatura

from ..parse.fmnetwork import NotAnArticle, _article
from ..records import FmArticle

GENERATION = "page"  # saved_pages.generation: a saved page from another site (record_id file:<page key>)
# An article is prose: a line of its main text that ends a sentence and has at least PROSE_LINE_WORDS
# words is prose; a page is an article when at least PROSE_WORDS of its words, and PROSE_SHARE of
# them, are in such lines. A data dump in <pre> (an old PmFetch answer: 5% prose), a listing or a
# code page is not; the saved news and blog pages we hold are 23-98% prose.
PROSE_LINE_WORDS, PROSE_WORDS, PROSE_SHARE = 8, 50, 0.15
_SENTENCE_END = re.compile(r"[.!?][\"\u201d\u2019')\]]*\s*$")


def read_article_page(html: str, url: str | None = None) -> FmArticle:
    """The article of a saved HTML page from any site, as an ``FmArticle`` with ``generation``
    "page": title, main text (paragraphs, boilerplate, navigation and comments left out), author,
    publication date (trafilatura's htmldate: the page's metadata, then its visible dates), the
    page's canonical URL when it states one (else ``url``), and the site's name as its only category.

    Its slug is its page key (:func:`page_key`), so its ``record_id`` is ``file:<page key>``: a page
    from another site is never taken for a Fibromyalgia Network article (``fmnetwork:<slug>``), and
    the same page saved again is the same record (a new version only when what it says changed).
    Raises ``NotAnArticle`` when no title or no main text is found.
    """
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                           include_tables=False, favor_precision=True)
    if document is None:
        raise NotAnArticle("no article text found in the page (not a WordPress page either)")
    found = document.as_dict()
    text = found.get("text") or ""
    if not is_prose(text):
        raise NotAnArticle("the page's main text is not prose (a data dump, a listing or code), so no article")
    claimed = found.get("url")
    page_url = claimed if isinstance(claimed, str) and claimed.lower().startswith(("http://", "https://")) else url
    paragraphs = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    if paragraphs and paragraphs[0] == " ".join((found.get("title") or "").split()):
        paragraphs = paragraphs[1:]  # the headline is the title, not the body's first paragraph
    article = _article(page_url, found.get("title"), paragraphs, GENERATION, author=found.get("author") or None,
                       published_at=_date(found.get("date")),
                       categories=[found["sitename"]] if found.get("sitename") else [])
    article.slug = page_key(page_url, article.title, found.get("sitename"))
    return article


PAGE_KEY_CHARS = 16  # hex digits of the sha256 kept in a saved page's record_id (64 bits)


def page_key(url: str | None, title: str, site: str | None = None) -> str:
    """The key of a saved page from another site, its ``record_id`` being ``file:<key>``: the first
    ``PAGE_KEY_CHARS`` hex digits of the sha256 of what names the page, not of its bytes. That is
    its URL (the canonical URL the page states, else the one it was read from) with the scheme and
    host in lower case, a leading ``www.``, the fragment and a trailing ``/`` left out; a page that
    names no URL is named by its site and title. So saving the same page again (another day, another
    browser, another file name) gives the same record, and a page whose text changed is a new
    version of it (the content hash decides); a page under another URL is another record.
    ``page_key("https://WWW.Example.org/news/a/#top", "A")`` == ``page_key("https://example.org/news/a", "B")``.
    """
    if url:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
        port = f":{parts.port}" if parts.port else ""
        name = f"url {parts.scheme.lower()}://{host}{port}{parts.path.rstrip('/')}" + (f"?{parts.query}" if parts.query else "")
    else:
        name = f"title {' '.join((site or '').split())}\n{' '.join(title.split())}"
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:PAGE_KEY_CHARS]


def is_prose(text: str) -> bool:
    """Whether a page's main text (lines) reads as an article: at least ``PROSE_WORDS`` words, and
    ``PROSE_SHARE`` of all its words, in lines of ``PROSE_LINE_WORDS`` or more words that end a
    sentence. ``is_prose("{\\n  pmid 19304878,\\n}")`` is False."""
    words = len(text.split())
    prose = sum(len(line.split()) for line in text.splitlines()
                if len(line.split()) >= PROSE_LINE_WORDS and _SENTENCE_END.search(line))
    return prose >= PROSE_WORDS and prose >= PROSE_SHARE * words


def _date(value: str | None) -> datetime | None:
    """trafilatura's date (YYYY-MM-DD) as a datetime at midnight, or None."""
    try:
        return datetime.strptime(value, "%Y-%m-%d") if value else None
    except ValueError:
        return None
