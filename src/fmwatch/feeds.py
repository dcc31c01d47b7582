"""Feeds of new flags: Atom (RFC 4287, written by feedgen) and JSON Feed 1.1, so editors can follow
them in a feed reader or pipe them to Slack or Teams.

Input: the dicts of ``Warehouse.list_flags`` (for a feed of one watch, those of the records the
watch found: ``Warehouse.watch_record_ids``, the ``watch_records`` view). One entry per flag raising; its id stays the same
for the same raising (``tag:`` URI of record, flag key and raise count, RFC 4151), so a reader
shows a flag again only when its judgement changed. Links are made only of http(s) URLs.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import quote

from feedgen.feed import FeedGenerator

from .digest import claim_texts, humanize, safe_url

FORMATS = ("atom", "json")
TAG_AUTHORITY = "fmwatch.invalid,2026"  # a tag: authority we own, not a web address (RFC 4151)


def _when(value: datetime | None) -> datetime:
    return (value or datetime(1970, 1, 1)).replace(tzinfo=timezone.utc)


def _entry_fields(flag: dict, claims: dict[str, str]) -> dict:
    relation = (flag.get("relation") or "").capitalize()
    head = f"{relation} {flag['claim']}: " if flag.get("claim") else ""
    claim = f"Claim {flag['claim']}: \u201c{claims[flag['claim']]}\u201d " if flag.get("claim") in claims else ""
    return {
        "id": f"tag:{TAG_AUTHORITY}:flag/{flag['record_id']}/{flag['flag_key']}/{flag.get('raised_count') or 1}",
        "title": f"[P{flag['priority']}] {head}{flag.get('title') or flag['record_id']}"
                 + (f" ({flag['year']})" if flag.get("year") else ""),
        "summary": f"{claim}{humanize(flag.get('reason'))}".strip(),
        "url": safe_url(flag.get("url")) or (f"https://pubmed.ncbi.nlm.nih.gov/{flag['record_id'][7:]}/"
                                             if flag["record_id"].startswith("pubmed:") else None),
        "updated": _when(flag.get("raised_at")),
        "tags": [flag["flag_type"], f"priority-{flag['priority']}"],
    }


def feed_title(max_priority: int | None, state: str | None, watch: str | None = None) -> str:
    """The feed's title, naming its filter ("fmwatch: new flags of watch mg-fm, priority 1 and above")."""
    what = "new flags" if state == "new" else "flags"
    return (f"fmwatch: {what}" + (f" of watch {watch}" if watch else "")
            + (f", priority {max_priority} and above" if max_priority else ""))


def feed_id(max_priority: int | None, state: str | None, watch: str | None = None) -> str:
    """A stable ``tag:`` URI naming the feed's filter (RFC 4151), e.g.
    ``tag:fmwatch.invalid,2026:flags/new/1`` or ``.../flags/new/all/watch/mg-fm``; the watch name is
    percent-encoded, so any name gives a valid URI."""
    base = f"tag:{TAG_AUTHORITY}:flags/{state or 'all'}/{max_priority or 'all'}"
    return base + (f"/watch/{quote(watch, safe='')}" if watch else "")


def to_atom(flags: list[dict], title: str, feed_id: str, self_url: str | None = None) -> str:
    """An Atom feed, one entry per flag. ``feed_id`` is a stable URI naming this feed's filter. The
    feed's ``updated`` is its newest flag's raising (UTC), or the time of writing when it has none."""
    claims = claim_texts()
    generator = FeedGenerator()
    generator.id(feed_id)
    generator.title(title)
    generator.author({"name": "fmwatch"})
    generator.link(href=safe_url(self_url) or "https://pubmed.ncbi.nlm.nih.gov/", rel="self" if safe_url(self_url) else "related")
    # RFC 4287 4.2.15: the feed's last significant change: its newest flag's raising, or, for a feed
    # with no entry, the moment it was made (never 1970, which readers show as a 56-year-old feed)
    generator.updated(max((_when(f.get("raised_at")) for f in flags), default=datetime.now(timezone.utc)))
    generator.generator("fmwatch")
    for flag in reversed(flags):  # feedgen prepends: the most important ends up first
        fields = _entry_fields(flag, claims)
        entry = generator.add_entry()
        entry.id(fields["id"])
        entry.title(fields["title"])
        entry.summary(fields["summary"] or fields["title"])
        entry.updated(fields["updated"])
        if fields["url"]:
            entry.link(href=fields["url"], rel="alternate")
        for tag in fields["tags"]:
            entry.category(term=tag)
    return generator.atom_str(pretty=True).decode("utf-8")


def to_json_feed(flags: list[dict], title: str, feed_id: str, self_url: str | None = None) -> str:
    """A JSON Feed 1.1 (https://jsonfeed.org/version/1.1), one item per flag."""
    claims = claim_texts()
    items = []
    for flag in flags:
        fields = _entry_fields(flag, claims)
        item = {"id": fields["id"], "title": fields["title"], "content_text": fields["summary"] or fields["title"],
                "date_modified": fields["updated"].isoformat(), "tags": fields["tags"]}
        if fields["url"]:
            item["url"] = fields["url"]
        items.append(item)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": title, "items": items,
            "authors": [{"name": "fmwatch"}], "_fmwatch": {"feed_id": feed_id}}
    if safe_url(self_url):
        feed["feed_url"] = safe_url(self_url)
    return json.dumps(feed, ensure_ascii=False, indent=1)
