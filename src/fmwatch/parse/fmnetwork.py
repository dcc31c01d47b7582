"""Fibromyalgia Network articles: the WordPress site, the hand-built PHP site, and the
WordPress print view (plain text, like the seed). All give the same ``FmArticle``.

HTML is read with BeautifulSoup over lxml, which copes with broken markup; a page with
no article in it raises ``NotAnArticle`` so the caller can quarantine it.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from ..records import FmArticle, Reference, StudyMention

MONTH_NAMES = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}

# What is not the article inside a WordPress entry: share buttons, related posts, forms, scripts.
NOT_BODY = ("script", "style", "noscript", "form", "nav", "iframe", ".sharedaddy", ".sd-sharing-enabled",
            ".sd-block", ".jp-relatedposts", ".addtoany_share_save_container", ".a2a_kit", ".wp-block-buttons",
            ".share", ".social", ".comments", "#comments", ".navigation", ".post-navigation", ".yarpp-related")


class NotAnArticle(ValueError):
    """The page parsed, but holds no article (no title or no body)."""


# --- shared text helpers ---------------------------------------------------------------------

def _fold(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def slug_from_url(url: str) -> str:
    path = urlsplit(url).path.rstrip("/")
    last = path.rsplit("/", 1)[-1] or urlsplit(url).netloc
    if last == "print" and "/" in path:  # WP-Print's /slug/print/
        last = path.rsplit("/", 2)[-2]
    return re.sub(r"\.(php|html?)$", "", last).lower()


def parse_wordpress_datetime(value: str | None) -> datetime | None:
    """ISO 8601 as WordPress writes it; the site's local wall time is kept, the offset dropped."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


_HUMAN_DATE = re.compile(
    r"(?P<month>[A-Z][a-z]+)\.?\s+(?P<day>\d{1,2}),\s*(?P<year>\d{4})"
    r"(?:\s*@?\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?)?", re.I)


def parse_human_datetime(text: str) -> datetime | None:
    """'January 31, 2012 @ 12:33 pm', 'Jan. 22, 2012', 'October 5, 2011'."""
    match = _HUMAN_DATE.search(text)
    if not match:
        return None
    month = _month(match.group("month"))
    if not month:
        return None
    hour, minute = int(match.group("hour") or 0), int(match.group("minute") or 0)
    ampm = (match.group("ampm") or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        return datetime(int(match.group("year")), month, int(match.group("day")), hour, minute)
    except ValueError:
        return None


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for name, number in MONTH_NAMES.items():
        if name.startswith(word[:3]) and len(word) >= 3:
            return number
    return None


# --- references and mentions -----------------------------------------------------------------

@cache
def journal_abbreviations() -> dict[str, str]:
    """Printed journal names (lower case) -> NLM abbreviations, from journals.toml."""
    text = resources.files("fmwatch").joinpath("journals.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)
    lookup: dict[str, str] = {}
    for abbreviation, variants in table["journals"].items():
        for variant in [abbreviation, *variants]:
            lookup[_journal_key(variant)] = abbreviation
    return lookup


def _journal_key(name: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", name.lower().replace("&", "and")).strip()


def normalise_journal(name: str | None) -> str | None:
    if not name:
        return None
    name = _fold(name).strip(" .,;")
    return journal_abbreviations().get(_journal_key(name), name)


_REF_AUTHOR = re.compile(r"^(?P<last>[A-Z][A-Za-z'\-]+(?:\s[A-Z][a-z]+)?)\s+(?P<initials>[A-Z]{1,3})\b")
_REF_JOURNAL = re.compile(
    r"(?:et al\.?|[A-Z]{1,3}\.)\s*(?P<journal>[A-Z][A-Za-z&.\s]+?)\s*(?=\[|\(|\d|,|;|$)")
_EPUB = re.compile(r"\[?\s*e-?pub(?:lished)?\s+ahead\s+of\s+print\s*\]?", re.I)
_VOL_ISSUE_PAGES = re.compile(r"(?P<volume>\d+)\s*(?:\((?P<issue>[^)]+)\))?\s*:\s*(?P<pages>[A-Za-z]?\d+(?:\s*[-–]\s*\d+)?)")
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")


def parse_reference(raw: str) -> Reference:
    """One footnote reference as printed, e.g. "* Bagis S, et al. Rheumatology Int [epub ahead of
    print] Jan. 22, 2012." or "Russell IJ, et al. J Rheumatol 1995;22(5):953-8."."""
    text = _fold(raw).lstrip("*†‡ ").strip()
    reference = Reference(raw_text=_fold(raw))
    author = _REF_AUTHOR.match(text)
    if author:
        reference.first_author = author.group("last")
        reference.first_author_initials = author.group("initials")
    reference.epub_ahead_of_print = bool(_EPUB.search(text))
    without_epub = _EPUB.sub(" ", text)
    dated = _HUMAN_DATE.search(without_epub)
    # The journal ends where the printed date ("Jan. 22, 2012") begins.
    journal = _REF_JOURNAL.search(without_epub[:dated.start()] if dated else without_epub)
    if journal:
        reference.journal_raw = _fold(journal.group("journal")).strip(" .")
        reference.journal = normalise_journal(reference.journal_raw)
    located = _VOL_ISSUE_PAGES.search(without_epub)
    if located:
        reference.volume, reference.issue = located.group("volume"), located.group("issue")
        reference.pages = re.sub(r"\s", "", located.group("pages")).replace("–", "-")
    when = parse_human_datetime(dated.group(0)) if dated else None
    if when:
        reference.date = when.date()
        reference.year = when.year
    else:
        years = _YEAR.findall(without_epub)
        reference.year = int(years[0]) if years else None
    return reference


_MENTION = re.compile(
    r"(?:study|research|trial|team|investigation)\s+(?:headed up|headed|led|conducted|directed|run)\s+by\s+"
    r"(?:Dr\.?\s+)?(?P<name>[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][A-Za-z'\-]+)+)"
    r"(?:,\s*(?:M\.D\.|Ph\.D\.|MD|PhD|D\.O\.)(?:,\s*(?:M\.D\.|Ph\.D\.|MD|PhD))?)?"
    r"(?:,?\s+(?:of|at|from)\s+(?:the\s+)?(?P<place>[A-Z][\w.\-]*(?:\s+(?:of\s+)?[A-Z][\w.\-]*)*))?")


def find_mentions(body: str) -> list[StudyMention]:
    mentions = []
    for match in _MENTION.finditer(body):
        name = match.group("name")
        mentions.append(StudyMention(text=match.group(0).rstrip(" ,."), surname=name.split()[-1],
                                     place=(match.group("place") or None)))
    return mentions


def _references_from_body(paragraphs: list[str]) -> list[Reference]:
    return [parse_reference(p) for p in paragraphs if p.lstrip().startswith(("*", "†"))
            and _REF_AUTHOR.match(p.lstrip("*† "))]


def _article(url, title, paragraphs, generation, **fields) -> FmArticle:
    body = "\n\n".join(p for p in paragraphs if p)
    if not title:
        raise NotAnArticle("no article title found")
    if len(body) < 40:
        raise NotAnArticle("no article body found")
    slug = slug_from_url(url) if url else re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return FmArticle(url=url, slug=slug, title=title, body=body, generation=generation,
                     references=_references_from_body(paragraphs), mentions=find_mentions(body), **fields)


# --- the print view (plain text) ---------------------------------------------------------------

_POSTED_BY = re.compile(
    r"^Posted By (?P<author>.+?) On (?P<when>.+?) In (?P<categories>.+?)\s*\|\s*(?P<comments>\d+|No) Comments?\s*$",
    re.M)


def is_print_view(text: str) -> bool:
    return "Article printed from" in text and bool(_POSTED_BY.search(text))


def parse_print_view(text: str) -> FmArticle:
    """WP-Print's text: header line, title, 'Posted By ... On ... In ... | N Comments', body,
    footnote, 'Article printed from ...', 'URL to article: ...', footer."""
    text = text.replace("\r\n", "\n").replace("\u00a0", " ")
    posted = _POSTED_BY.search(text)
    if not posted:
        raise NotAnArticle("print view without a 'Posted By ... On ...' line")
    head = [line.strip() for line in text[:posted.start()].splitlines() if line.strip()]
    title = head[-1] if head and not head[-1].startswith("- ") else None
    tail = text[posted.end():]
    url_match = re.search(r"^URL to article:\s*(\S+)", tail, re.M)
    body_text = re.split(r"^Article printed from ", tail, maxsplit=1, flags=re.M)[0]
    paragraphs = [_fold(p) for p in re.split(r"\n\s*\n", body_text) if p.strip()]
    comments = posted.group("comments")
    return _article(
        url_match.group(1) if url_match else None, title, paragraphs, "print",
        author=posted.group("author").strip(),
        published_at=parse_human_datetime(posted.group("when")),
        categories=[c.strip() for c in posted.group("categories").split(",") if c.strip()],
        comment_count=0 if comments == "No" else int(comments),
    )


# --- HTML pages --------------------------------------------------------------------------------

def parse_article_html(html: str | bytes, url: str | None = None) -> FmArticle:
    """A WordPress article page or a page of the hand-built PHP site."""
    soup = BeautifulSoup(html, "lxml")
    if soup.find(class_=re.compile(r"\bentry-content\b|\bpost-content\b")) or soup.find("article"):
        return _wordpress(soup, url)
    return _php_site(soup, url)


def _meta(soup: BeautifulSoup, **attrs) -> str | None:
    node = soup.find("meta", attrs=attrs)
    return node.get("content") if node and node.get("content") else None


def _paragraphs(container: Tag) -> list[str]:
    for selector in NOT_BODY:
        for node in container.select(selector):
            node.decompose()
    blocks = container.find_all(["p", "li", "h2", "h3", "h4", "blockquote", "td"])
    texts = [_fold(b.get_text(" ")) for b in blocks if not b.find_parent(["li", "blockquote", "td"]) or b.name == "p"]
    if not texts:
        texts = [_fold(t) for t in container.get_text("\n").split("\n\n")]
    seen, unique = set(), []
    for text in texts:  # a <p> inside a <li> would otherwise appear twice
        if text and text not in seen:
            seen.add(text)
            unique.append(text)
    return unique


def _comment_count(soup: BeautifulSoup) -> int | None:
    for node in soup.select(".comments-link, #comments-title, .comments-title, a[href$='#comments'], a[href$='#respond']"):
        text = _fold(node.get_text(" "))
        match = re.search(r"(\d+)\s+(?:comments?|thoughts?|responses?|replies)", text, re.I)
        if match:
            return int(match.group(1))
        if re.search(r"\b(no comments|leave a (comment|reply))\b", text, re.I):
            return 0
    comments = soup.select("ol.commentlist > li, ol.comment-list > li")
    return len(comments) if comments else None


def _wordpress(soup: BeautifulSoup, url: str | None) -> FmArticle:
    article = soup.find("article") or soup
    canonical = soup.find("link", rel="canonical")
    # The page's own claim of its address is untrusted: only an http(s) URL is taken (a
    # "javascript:" canonical would otherwise become a link in the digest).
    claimed = [c for c in ((canonical.get("href") if canonical else None), _meta(soup, property="og:url"))
               if isinstance(c, str) and c.strip().lower().startswith(("http://", "https://"))]
    url = (claimed[0].strip() if claimed else None) or url
    heading = article.find(class_=re.compile(r"\bentry-title\b|\bpost-title\b")) or article.find("h1")
    title = _fold(heading.get_text(" ")) if heading else _meta(soup, property="og:title")
    author_node = article.select_one(".author .fn, .author a, a[rel='author'], .byline a")
    author = _fold(author_node.get_text(" ")) if author_node else _meta(soup, name="author")
    published = article.select_one("time.entry-date.published, time.published, time.entry-date")
    modified = article.select_one("time.updated")
    categories = [_fold(a.get_text(" ")) for a in article.select("a[rel~='category']")]
    tags = [_fold(a.get_text(" ")) for a in article.select("a[rel='tag']")
            if "category" not in (a.get("rel") or [])]
    comment_count = _comment_count(soup)
    content = article.find(class_=re.compile(r"\bentry-content\b|\bpost-content\b"))
    if content is None:
        raise NotAnArticle("no entry-content in the page")
    return _article(
        url, title, _paragraphs(content), "wordpress",
        author=author,
        published_at=parse_wordpress_datetime(published.get("datetime") if published else None)
        or parse_wordpress_datetime(_meta(soup, property="article:published_time")),
        modified_at=parse_wordpress_datetime(modified.get("datetime") if modified else None)
        or parse_wordpress_datetime(_meta(soup, property="article:modified_time")),
        categories=list(dict.fromkeys(categories)),
        tags=list(dict.fromkeys(tags)),
        comment_count=comment_count,
    )


_BYLINE = re.compile(r"^by\s+(?P<name>[^,]+),\s*(?P<role>[^,]+),\s*Fibromyalgia Network", re.I)
_POSTED = re.compile(r"^Posted:\s*(?P<date>[A-Z][a-z]+\.?\s+\d{1,2},\s*\d{4})")


def _php_site(soup: BeautifulSoup, url: str | None) -> FmArticle:
    """www.fmnetnews.com: navigation, a testimonial, a 'Latest News' heading, the title, a
    byline, 'Posted: <date>', the body and a '*' footnote."""
    for node in soup.select("script, style, nav, #nav, .nav, #menu, .menu, #footer, footer, .testimonial"):
        node.decompose()
    blocks = [b for b in soup.find_all(["h1", "h2", "h3", "p", "li", "div"]) if not b.find(["p", "div", "li"])]
    texts = [_fold(b.get_text(" ")) for b in blocks]
    posted_at = next((i for i, t in enumerate(texts) if _POSTED.match(t)), None)
    if posted_at is None:
        raise NotAnArticle("no 'Posted: <date>' line: not an article page")
    byline_at = next((i for i in range(posted_at, -1, -1) if _BYLINE.match(texts[i])), None)
    title_at = (byline_at if byline_at is not None else posted_at) - 1
    while title_at >= 0 and (not texts[title_at] or texts[title_at].lower() == "latest news"):
        title_at -= 1
    title = texts[title_at] if title_at >= 0 else None
    byline = _BYLINE.match(texts[byline_at]) if byline_at is not None else None
    body = [t for t in texts[posted_at + 1:] if t]
    return _article(
        url, title, body, "php",
        author=byline.group("name").strip() if byline else None,
        published_at=parse_human_datetime(_POSTED.match(texts[posted_at]).group("date")),
        categories=["Latest News"],
    )


def parse_fm_file(data: bytes | str, url: str | None = None) -> FmArticle:
    """A saved article page (.html) or print view (.txt): its text, or its bytes in UTF-8
    (``fmwatch.sources.files.decode_text`` decodes other encodings strictly first)."""
    text = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
    if is_print_view(text):
        return parse_print_view(text)
    if "<html" in text[:5000].lower() or "<body" in text.lower() or "<article" in text.lower():
        return parse_article_html(text, url)
    raise NotAnArticle("neither an HTML page nor a print view")
