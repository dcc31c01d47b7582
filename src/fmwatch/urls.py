"""Short URLs for messages: an error or retry line names the request without the query's long terms.

A PubMed search URL carries the whole watch query (hundreds of characters); a message needs the
host, the path and which parameters were sent. Pure functions, no I/O: ``http.py`` (and anything
that prints a URL) can call them.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlsplit, urlunsplit

URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>]+[^\s'\"<>.,;:)\]]")


def short_url(url: str, max_value: int = 24) -> str:
    """``url`` with every query value longer than ``max_value`` characters cut to that length
    plus "…(N chars)"; scheme, host, path and parameter names are kept. An unparsable URL is
    returned as it is. E.g. ``.../esearch.fcgi?db=pubmed&term=(fibromyalgia[MeSH…(212 chars)``."""
    try:
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return url
    if not pairs:
        return url
    # for reading, not for fetching: values are shown decoded
    query = "&".join(f"{k}={v if len(v) <= max_value else v[:max_value] + f'…({len(v)} chars)'}" for k, v in pairs)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def shorten_urls(text: str, max_value: int = 24) -> str:
    """Every http(s) URL in ``text`` made short with ``short_url``."""
    return URL_IN_TEXT.sub(lambda m: short_url(m.group(0), max_value), text)


class ShortUrlFilter(logging.Filter):
    """A logging filter that shortens the URLs of each record's message (retries, errors)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        short = shorten_urls(message)
        if short != message:
            record.msg, record.args = short, None
        return True
