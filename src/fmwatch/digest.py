"""The weekly digest for editors: what is new, why it matters, with the evidence quoted whole.

Rendered with Jinja2 into email-safe HTML (inline styles, no scripts, autoescaped; the claim
ledger as a PNG drawn by matplotlib and inlined as a data URI) and Markdown (record text escaped,
so a title holding ``<script>`` stays text once the Markdown is rendered, e.g. as a Prefect
artifact). Links are made only of http(s) URLs: a ``javascript:`` or ``file:`` link in a record
is shown as text, never as a link.

Windows (README, "The weekly digest"): a *scheduled* digest covers what was flagged since the
last scheduled one; a digest for ``--since``/``--week`` is a *preview* and never moves that mark.
A flag raised when fmwatch first read an already old record (a new watch's backfill, an import
of old files) is *backlog*: it goes into the baseline section, not into "what is new".
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import textwrap
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from .evidence import registry
from .warehouse import Warehouse, sql_text, utcnow

SECTIONS = [
    ("contradicts_claim", "Contradicting evidence"),
    ("new_trial", "New trials of magnesium in fibromyalgia"),
    ("new_levels_study", "New studies of magnesium levels"),
    ("review", "Reviews and meta-analyses"),
    ("retraction", "Retractions and corrections"),
    ("fm_coverage", "Fibromyalgia Network coverage"),
    ("other_pages", "Other saved pages"),  # lay coverage on a saved page from another site (file:<page key>)
    ("related", "Other related records"),
    ("reference_study", "The reference study"),
]
SECTION_OF = {"cites_reference": "related"}
SAVED_PAGE = "file:"  # record_id prefix of a saved page from another site (sources/article_page.py)
DEFAULT_BACKLOG_DAYS = 30

# --- human labels for the extractor's keys (evidence-record.schema.json) ----------------------------

MEASURE_LABELS = {
    "fiqr": "FIQ-R score", "fiq": "FIQ score", "tender_point_index": "tender point index",
    "tender_point_count": "tender point count", "beck_depression": "Beck depression score",
    "beck_anxiety": "Beck anxiety score", "dass42_stress": "DASS-42 stress score", "pain_threshold": "pain threshold",
    "pain_vas": "pain (visual analogue scale)", "pain_intensity": "pain intensity", "sf36": "SF-36 quality of life",
    "quality_of_life": "quality of life", "fatigue": "fatigue", "sleep": "sleep", "numbness": "numbness",
    "depression": "depression", "anxiety": "anxiety",
}
DESIGN_LABELS = {
    "rct": "randomised controlled trial", "non_randomized_trial": "non-randomised trial",
    "single_arm_trial": "single-arm trial", "case_control": "case-control study",
    "cross_sectional": "cross-sectional study", "cohort": "cohort study", "case_report": "case report",
    "systematic_review": "systematic review", "meta_analysis": "meta-analysis", "narrative_review": "narrative review",
    "protocol": "trial protocol", "news": "lay article", "other": "other design", "unknown": "design not stated",
}
DIRECTION_LABELS = {"improved": "improved", "worsened": "worsened", "no_change": "no change"}
RELATION_COLOURS = {"supports": "#2e7d32", "contradicts": "#c62828", "mixed": "#b8860b", "related": "#555555"}

# Keys as the reasons of evidence.py spell them ("dass42_stress", "dass42 stress", "(rct)").
_KEY_WORDS = {**{k: v for k, v in MEASURE_LABELS.items()}, **{k.replace("_", " "): v for k, v in MEASURE_LABELS.items()},
              **{k: v for k, v in DESIGN_LABELS.items() if "_" in k or k == "rct"},
              **{k.replace("_", " "): v for k, v in DESIGN_LABELS.items() if "_" in k},
              **{k: v for k, v in DIRECTION_LABELS.items() if "_" in k}, "no change": "no change"}
_KEY_PATTERN = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, _KEY_WORDS), key=len, reverse=True))
                          + r")(?![\w-])")


def humanize(text: str | None) -> str:
    """Replace the extractor's internal keys in a sentence ("fiqr improved", "(rct)") with the
    labels an editor reads ("FIQ-R score improved", "(randomised controlled trial)")."""
    return _KEY_PATTERN.sub(lambda m: _KEY_WORDS[m.group(1)], text or "")


def measure_label(key: str) -> str:
    """'dass42_stress' -> 'DASS-42 stress score'; an unknown key loses its underscores."""
    return MEASURE_LABELS.get(key, key.replace("_", " "))


def design_label(design: dict) -> str:
    """The design as an editor says it: 'Randomised, double-blind, placebo-controlled trial'."""
    kind = design.get("type") or "unknown"
    label = DESIGN_LABELS.get(kind, kind.replace("_", " "))
    qualifiers = []
    if design.get("blinding") in ("double", "single"):
        qualifiers.append(f"{design['blinding']}-blind")
    if design.get("placebo_controlled"):
        qualifiers.append("placebo-controlled")
    if design.get("crossover"):
        qualifiers.append("crossover")
    if design.get("pilot"):
        qualifiers.append("pilot")
    label = label[0].upper() + label[1:]
    return f"{label} ({', '.join(qualifiers)})" if qualifiers else label


# What is new against the reference study (``evidence.novelty`` keys), before the record's own values.
NOVELTY_LABELS = {
    "design": "a stronger design", "form": "another form of magnesium", "dose": "another dose",
    "route": "another route", "duration": "another duration", "population": "another population",
    "outcomes": "outcomes the reference did not measure",
}


def flag_in_words(row: dict) -> dict:
    """A flag as the digest words it, for exports editors and analysts read (``fmwatch flags
    --format csv|json``): ``section`` (the digest section it is listed in), ``reason`` with the
    extractor's keys replaced by labels ("(randomised controlled trial)", "DASS-42 stress score"),
    ``novelty_labels`` (the novelty keys in words). The raw keys stay beside them for machines:
    ``reason_raw`` is the stored reason; ``flag_type``, ``claim``, ``relation`` and ``novelty`` are
    left as stored. ``row`` is a ``Warehouse.list_flags`` dict; returns a new dict."""
    return {**row, "section": dict(SECTIONS)[section_of(row["flag_type"], row.get("record_id"))], "reason": humanize(row["reason"]),
            "reason_raw": row["reason"],
            "novelty_labels": [NOVELTY_LABELS.get(k, k.replace("_", " ")) for k in row.get("novelty") or []]}


def novelty_labels(keys: list[str], record: dict, facts: dict) -> list[str]:
    """What is new against the reference study, in words, with the record's own values
    (e.g. 'another form of magnesium (malate)'). ``keys`` come from ``evidence.novelty``."""
    mg = [i for a in record.get("arms", []) for i in a.get("interventions", []) if i.get("substance") == "magnesium"]
    labels = []
    for key in keys:
        if key == "design":
            design = record["design"]
            parts = (["randomised"] if design.get("randomized") else []) + [
                word for word, on in ((f"{design.get('blinding')}-blind", design.get("blinding") in ("double", "single")),
                                      ("placebo-controlled", design.get("placebo_controlled")),
                                      ("crossover", design.get("crossover"))) if on]
            labels.append(NOVELTY_LABELS["design"] + (f" ({', '.join(parts)})" if parts else ""))
        elif key == "form":
            forms = sorted({i["form"] for i in mg if i.get("form")})
            labels.append(NOVELTY_LABELS["form"] + (f" ({', '.join(forms)})" if forms else ""))
        elif key == "dose":
            doses = sorted({i["daily_dose_mg"] for i in mg if i.get("daily_dose_mg")})
            labels.append(NOVELTY_LABELS["dose"] + (f" ({', '.join(f'{d:g} mg/day' for d in doses)})" if doses else ""))
        elif key == "route":
            routes = sorted({i["route"] for i in mg if i.get("route")})
            labels.append(NOVELTY_LABELS["route"] + (f" ({', '.join(routes)})" if routes else ""))
        elif key == "duration":
            weeks = record.get("duration_weeks")
            labels.append(NOVELTY_LABELS["duration"] + (f" ({weeks:g} weeks)" if weeks else ""))
        elif key == "population":
            sex = (record.get("population") or {}).get("sex")
            labels.append(NOVELTY_LABELS["population"] + (f" ({sex})" if sex else ""))
        elif key == "outcomes":
            extra = sorted({measure_label(o["measure"]) for o in record.get("outcomes", [])
                            if o["measure"] not in facts.get("outcomes", [])})
            labels.append(NOVELTY_LABELS["outcomes"] + (f" ({', '.join(extra)})" if extra else ""))
        else:
            labels.append(key.replace("_", " "))
    return labels


# --- untrusted text ----------------------------------------------------------------------------------

def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL with a host, else None: only such URLs become
    links (a ``javascript:``, ``data:`` or ``file:`` URL from a record is never clickable)."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in url for c in "\r\n\t"):
        return None
    return url


# What Markdown (CommonMark, with GitHub's strikethrough) would read as syntax in one line of record
# text, and nothing else: the Markdown digest is read as plain text too (an e-mail body, a terminal),
# where "&lt;" or "p\\<0.05" is noise. Escaped with a backslash (CommonMark 2.4, backslash escapes):
# - "<" only where it opens raw HTML or an autolink (a letter, "/", "!" or "?" follows: "<script",
#   "</b", "<!--", "<?php"); "p<0.05" and "Mg < 0.7" are left as written;
# - "&" only where it starts an entity or numeric reference ("&amp;", "&#60;"), so it is shown as typed;
# - "\\", "`", "*" (code, emphasis), "~" (strikethrough);
# - "]" only where a link, an image, a reference or a footnote would close: before "(", "[" or ":"
#   ("[x](javascript:...)", "[x][y]", "[x]: url"), so no link can form and "[subgroup: ...]" reads as
#   written (a bracket pair with none of these after it is text, as no reference is ever defined);
# - "_" only at a word's edge: inside a word ("magnesium_citrate") it never emphasises (6.2).
_MD_INLINE = (r"[\\`*~]|<(?=[A-Za-z/!?])|&(?=#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z0-9]+;)"
              r"|(?<![^\W_])_|_(?![^\W_])")
_MD_SPECIAL = re.compile(_MD_INLINE + r"|\](?=[(\[:])")
# Inside a link's text ("[title](url)") every bracket is escaped: an unbalanced one would end the text.
_MD_SPECIAL_IN_LINK = re.compile(_MD_INLINE + r"|[\[\]]")
# Block syntax where the text starts a line's content (after "- ", "> " or "### "): a quote, an
# ATX heading, a bullet or a numbered list item ("-0.5 mmol/L" and "2.5 g" are none).
_MD_BLOCK_START = re.compile(r"^(?:>|#{1,6}(?=\s|$)|[-+](?=\s|$)|[0-9]{1,9}(?=[.)](?:\s|$)))")


def markdown_text(text, special: re.Pattern = _MD_SPECIAL) -> str:
    """Record text as one line of Markdown that renders as exactly that text: only what Markdown
    would read as syntax is backslash-escaped (``_MD_SPECIAL``, ``_MD_BLOCK_START``), so
    ``<script>`` is shown, not run, by any renderer, while "p<0.05", "A & B", "[subgroup: ...]" and
    quotes stay as written for a plain-text reader. No HTML entities: the HTML digest does its own
    escaping. Line breaks and runs of blanks become one space (a newline would start a Markdown block)."""
    text = " ".join(("" if text is None else str(text)).split())
    text = special.sub(lambda match: "\\" + match.group(0), text)
    block = _MD_BLOCK_START.match(text)
    if block:  # a numbered item's "." or ")" is escaped (a backslash before a digit is no escape)
        at = block.end() if block.group(0)[0].isdigit() else 0
        text = text[:at] + "\\" + text[at:]
    return text


def markdown_link_text(text) -> str:
    """``markdown_text`` for the text of a link (``[text](url)``): every bracket escaped as well."""
    return markdown_text(text, _MD_SPECIAL_IN_LINK)


def markdown_url(url: str | None) -> str | None:
    """A safe http(s) URL with the characters that would end a Markdown link destination escaped."""
    url = safe_url(url)
    return quote(url, safe=":/?#@!$&'*+,;=%~.-_") if url else None


# --- the digest's content ------------------------------------------------------------------------------

@dataclass
class DigestItem:
    """One entry of the digest: a flagged record (PubMed article or lay article) as an editor reads
    it, with every flag it raised in the window (``judgements``) and the lay articles about it."""

    record_id: str
    section: str
    priority: int
    title: str
    url: str | None
    citation: str
    pmid: str | None
    doi: str | None
    design: str
    n: int | None
    arms: list[str]
    duration_weeks: float | None
    outcomes: list[str]
    judgements: list[dict]  # claim, claim_text, relation, reason, novelty (labels)
    evidence_sentence: str | None
    reports_on: list[dict] = field(default_factory=list)
    is_news: bool = False
    is_backlog: bool = False
    quotes: list[str] = field(default_factory=list)  # why-flagged sentences, whole
    coverage: list["DigestItem"] = field(default_factory=list)  # lay articles reporting on this study
    year: int | None = None
    novelty: list[str] = field(default_factory=list)  # what is new against the reference, in words

    @property
    def entries(self) -> int:
        """Flagged records this entry shows: itself and the lay articles nested under it."""
        return 1 + len(self.coverage)

    @property
    def section_title(self) -> str:
        return dict(SECTIONS).get(self.section, self.section)


@dataclass
class Digest:
    """A digest's content: the window (start exclusive, None for "everything"; end inclusive),
    its entries, the counts of new record versions by source, and the claim ledger."""

    window_start: datetime | None
    window_end: datetime
    items: list[DigestItem]  # top-level entries (lay articles about a listed study are nested)
    counts: dict[str, int]
    ledger: list[tuple]  # (claim, year, supports, contradicts, mixed, related)
    kind: str = "scheduled"  # or "preview"
    period: str = ""
    claims: dict[str, str] = field(default_factory=dict)  # claim id -> its text
    backlog_days: int = DEFAULT_BACKLOG_DAYS
    # the end of the ISO week of a ``--week`` digest rendered while that week is still going on
    week_end: datetime | None = None

    @property
    def new_items(self) -> list[DigestItem]:
        return [i for i in self.items if not i.is_backlog]

    @property
    def baseline_items(self) -> list[DigestItem]:
        return [i for i in self.items if i.is_backlog]

    @property
    def sections(self) -> list[tuple[str, list[DigestItem]]]:
        """What is new, by section, most important first."""
        return _by_section(self.new_items)

    @property
    def baseline_sections(self) -> list[tuple[str, list[DigestItem]]]:
        """The backlog (baseline), by the same sections."""
        return _by_section(self.baseline_items)

    @property
    def entries(self) -> int:
        """Flagged records in the digest, nested lay articles included: ``new_entries +
        baseline_entries``, and what the run summary and ``digests.items`` call its items."""
        return sum(i.entries for i in self.items)

    @property
    def new_entries(self) -> int:
        """Flagged records listed as new, each lay article nested under a study counted too."""
        return sum(i.entries for i in self.new_items)

    @property
    def baseline_entries(self) -> int:
        """Flagged records listed in the baseline, nested lay articles counted too."""
        return sum(i.entries for i in self.baseline_items)

    @property
    def window_text(self) -> str:
        """The window in words, for the header and the empty message: 'November 1, 2026 to
        November 30, 2026', 'everything up to November 30, 2026' without a start, and with the
        times (UTC) when the window starts and ends on the same day. A week still going on
        (``week_end``) is named by the whole week, as a closed one is, and 'so far': 'November 30,
        2026 to December 7, 2026 (the week so far)', the same words all week long, so a rerun with
        nothing new renders the same bytes and leaves the files it wrote (``identical_files``)."""
        start, end = self.window_start, self.window_end
        if start and self.week_end and end < self.week_end:
            return f"{start:%B %-d, %Y} to {self.week_end:%B %-d, %Y} (the week so far)"
        when = "%B %-d, %Y %H:%M UTC" if start and start.date() == end.date() else "%B %-d, %Y"
        return f"{start:{when}} to {end:{when}}" if start else f"everything up to {end:{when}}"


def _by_section(items: list[DigestItem]) -> list[tuple[str, list[DigestItem]]]:
    return [(title, [i for i in items if i.section == key]) for key, title in SECTIONS
            if any(i.section == key for i in items)]


def week_window(week: str) -> tuple[datetime, datetime]:
    """'2026-W47' -> (Monday 00:00, next Monday 00:00). ValueError for anything else."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", week.strip())
    if not match:
        raise ValueError(f"not an ISO week like 2026-W47: {week!r}")
    start = datetime.combine(date.fromisocalendar(int(match[1]), int(match[2]), 1), datetime.min.time())
    return start, start + timedelta(days=7)


def claim_texts() -> dict[str, str]:
    """Every reference claim's id and text (``fmwatch/claims/*.toml``)."""
    return {claim.id: claim.text for reference in registry() for claim in reference.claims}


def build_digest(warehouse: Warehouse, since: datetime | None = None, until: datetime | None = None, *,
                 kind: str = "scheduled", backlog_days: int = DEFAULT_BACKLOG_DAYS) -> Digest:
    """The items raised after ``since`` up to ``until`` (default now). ``since`` defaults to the
    end of the last scheduled digest (None before the first one) for either ``kind``: a preview
    without ``since`` shows the scheduled window without moving its mark (``fmwatch digest
    --preview``). Raises ValueError when the window is empty or reversed."""
    until = until or utcnow()
    if since is None:
        since = warehouse.con.execute(sql_text("queries/last_digest")).fetchall()[0][0]
    if since is not None and since >= until:
        raise ValueError(f"the digest window starts ({since:%Y-%m-%d %H:%M}) after it ends ({until:%Y-%m-%d %H:%M})")
    cursor = warehouse.con.execute(sql_text("queries/digest_items"), [since, until, backlog_days])
    columns = [d[0] for d in cursor.description]
    texts = claim_texts()
    facts = registry()[0].facts if registry() else {}
    by_record: dict[str, DigestItem] = {}
    for row in (dict(zip(columns, r)) for r in cursor.fetchall()):
        item = by_record.get(row["record_id"])
        record = json.loads(row["record"])
        if item is None:
            item = by_record[row["record_id"]] = _item(row, record)
        elif row["priority"] < item.priority:  # an item sits in the section of its most important flag
            item.priority, item.section = row["priority"], section_of(row["flag_type"], row["record_id"])
        item.is_backlog = item.is_backlog and bool(row["is_backlog"])
        if row["claim"]:
            item.judgements.append({"claim": row["claim"], "claim_text": texts.get(row["claim"], ""),
                                    "relation": row["relation"], "reason": humanize(row["reason"])})
            keys = [k for k in row["novelty"] or [] if not (item.is_news and k == "design")]
            item.novelty += [label for label in novelty_labels(keys, record, facts) if label not in item.novelty]
        elif row["reason"] and row["flag_type"] in ("retraction", "fm_coverage", "cites_reference", "review",
                                                    "reference_study"):
            item.judgements.append({"claim": None, "claim_text": "", "relation": row["relation"],
                                    "reason": humanize(row["reason"])})
        for span in json.loads(row["flag_evidence"] or "[]") or []:
            _add_quote(item.quotes, _whole_sentence(span, row))
    for item in by_record.values():
        if not item.quotes and item.evidence_sentence:
            item.quotes.append(item.evidence_sentence)
    items = _nest_coverage(sorted(by_record.values(), key=lambda i: (i.priority, -(i.year or 0), i.record_id)))
    counts = dict(warehouse.con.execute(sql_text("queries/digest_counts"), [since, until]).fetchall())
    ledger = warehouse.con.execute(sql_text("queries/claim_ledger")).fetchall()
    return Digest(since, until, items, counts, ledger, kind=kind, claims=texts, backlog_days=backlog_days)


MAX_QUOTES = 2


def _add_quote(quotes: list[str], sentence: str | None) -> None:
    """Keep whole sentences once: a quote sharing a sentence with one kept is the same evidence."""
    if not sentence:
        return
    parts = {p.strip() for p in _SENTENCE_END.split(sentence) if p.strip()}
    if any(parts & {p.strip() for p in _SENTENCE_END.split(q)} for q in quotes):
        return
    if len(quotes) < MAX_QUOTES:
        quotes.append(sentence)


def _nest_coverage(items: list[DigestItem]) -> list[DigestItem]:
    """One entry per study: a lay article reporting on a study listed in this digest goes under it."""
    by_pmid = {i.pmid: i for i in items if i.pmid and not i.is_news}
    top = []
    for item in items:
        study = next((by_pmid[p["pmid"]] for p in item.reports_on if p.get("pmid") in by_pmid), None) \
            if item.is_news else None
        if study is not None:
            study.coverage.append(item)
            study.is_backlog = study.is_backlog and item.is_backlog
        else:
            top.append(item)
    return top


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n+")


def _whole_sentence(span: dict, row: dict) -> str | None:
    """The whole sentence around an evidence span (``text == fields[field][start:end]``), read from
    the record's title, abstract or article body; the span's own text if the field is not at hand."""
    if not isinstance(span, dict) or not span.get("text"):
        return None
    text = {"title": row.get("article_title") or row.get("fm_title"), "abstract": row.get("abstract"),
            "body": row.get("fm_body")}.get(span.get("field") or "")
    start, end = span.get("start"), span.get("end")
    if not text or not isinstance(start, int) or text[start:end] != span["text"]:
        found = text.find(span["text"]) if text else -1
        if found < 0:
            return span["text"].strip()
        start, end = found, found + len(span["text"])
    begin = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        begin = match.end()
    after = _SENTENCE_END.search(text, end)
    sentence = text[begin: after.start() if after else len(text)].strip()
    return sentence if len(sentence) <= 600 else span["text"].strip()


def section_of(flag_type: str, record_id: str | None = None) -> str:
    """The digest section (a key of ``SECTIONS``) a flag type is listed in: its own, the one
    ``SECTION_OF`` names, or "related" for a type the digest has no section for, so that no
    flagged record is ever left out of the digest (it is counted, so it must be shown). Lay
    coverage on a saved page from another site (``record_id`` ``file:...``) is "other_pages", not
    the Fibromyalgia Network's section: ``section_of("fm_coverage", "file:c06c6d2af55f5903")``
    is "other_pages"."""
    section = SECTION_OF.get(flag_type, flag_type)
    if section == "fm_coverage" and (record_id or "").startswith(SAVED_PAGE):
        return "other_pages"
    return section if section in dict(SECTIONS) else "related"


def _item(row: dict, record: dict) -> DigestItem:
    section = section_of(row["flag_type"], row["record_id"])
    is_fm = record["source"] == "fmnetwork"
    authors = row["authors"] or []
    author_text = ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    if is_fm:
        # a saved page from another site (generation "page") is cited by that site's name, never as the Network's
        site = "Fibromyalgia Network"
        if row.get("fm_generation") == "page":
            site = (row.get("fm_categories") or [None])[0] or (urlsplit(row["fm_url"] or "").hostname or "another site")
        citation = f"{site}, {row['fm_published']:%B %-d, %Y}" if row["fm_published"] else site
        year = row["fm_published"].year if row["fm_published"] else None
    else:
        citation = f"{author_text.rstrip('.')}. {row['journal'] or ''} {row['pub_year'] or ''}".strip(" .")
        year = row["pub_year"]
    arms = []
    for arm in record["arms"]:
        parts = []
        for i in arm["interventions"]:
            dose = f" {i['dose_mg']:g} mg" if i.get("dose_mg") else ""
            frequency = f" {i['frequency_per_day']:g}x/day" if i.get("frequency_per_day") else ""
            route = f", {i['route']}" if i.get("route") else ""
            parts.append(f"{i['name']}{dose}{frequency}{route}")
        arms.append(" + ".join(parts) + (f" (n={arm['n']})" if arm.get("n") else ""))
    outcomes = [f"{measure_label(o['measure'])}: {DIRECTION_LABELS.get(o['direction'], o['direction'] or 'not stated')}"
                + (f" (p{o.get('p_value_comparator') or '='}{o['p_value']:g})" if o.get("p_value") is not None else "") + population_label(o.get("population"))
                for o in record["outcomes"]]
    # the sentence to quote when no flag carries evidence: a result with a p-value first, then any
    # result, then a level comparison
    ranked = sorted((o for o in record["outcomes"] if o.get("evidence")), key=lambda o: o.get("p_value") is None)
    spans = [o["evidence"][-1] for o in ranked] + [e for m in record["magnesium_levels"] for e in reversed(m.get("evidence", []))]
    sentence = next((s for s in (_whole_sentence(span, row) for span in spans) if s and len(s) > 30), None)
    return DigestItem(
        record_id=row["record_id"], section=section, priority=row["priority"],
        title=row["fm_title"] if is_fm else (row["article_title"] or record["title"]),
        url=safe_url(row["fm_url"]) if is_fm else (f"https://pubmed.ncbi.nlm.nih.gov/{row['pmid']}/" if row["pmid"] else None),
        citation=citation, pmid=row["pmid"], doi=row["doi"], design=design_label(record["design"]),
        n=record["population"]["n_enrolled"], arms=arms, duration_weeks=record["duration_weeks"],
        outcomes=outcomes, judgements=[], evidence_sentence=sentence, reports_on=row["reports_on"] or [],
        is_news=record["design"]["type"] == "news", is_backlog=bool(row["is_backlog"]), year=year,
    )


def population_label(population: dict | None) -> str:
    """Whom a result is about when it is not everyone randomised, as the digest shows it after the
    result: " [open-label phase: open-label extension]", " [per-protocol]", " [subgroup: in patients
    with mild stress]"; "" for the whole randomised group (issue 12: a phase's or a subgroup's result
    is never shown as the trial's own)."""
    if not population:
        return ""
    kind = {"open_label": "open-label phase", "per_protocol": "per-protocol", "subgroup": "subgroup"}.get(
        population.get("kind"), population.get("kind") or "")
    words = (population.get("text") or "").strip()
    return f" [{kind}: {words}]" if words and words.lower() != kind else f" [{kind}]"


# --- the chart: the claim ledger as a PNG ------------------------------------------------------------

LEDGER_COLOURS = {"supports": "#2e7d32", "contradicts": "#c62828", "mixed": "#f9a825"}


def ledger_png(ledger: list[tuple], claims: dict[str, str] | None = None, width_px: int = 560) -> bytes | None:
    """The claim ledger as a PNG (matplotlib, Agg backend: no display needed): one panel per claim,
    records per publication year stacked by relation (supports, contradicts, mixed), integer
    counts on the y axis. ``ledger`` rows are (claim, year, supports, contradicts, mixed, related).
    None when no claim has a dated supporting, contradicting or mixed record."""
    rows = [r for r in ledger if r[1] is not None and (r[2] or r[3] or r[4])]
    if not rows:
        return None
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    claim_ids = sorted({r[0] for r in rows})
    years = list(range(min(r[1] for r in rows), max(r[1] for r in rows) + 1))
    dpi = 100
    figure = Figure(figsize=(width_px / dpi, 0.6 + 1.6 * len(claim_ids)), dpi=dpi, layout="constrained")
    axes = figure.subplots(len(claim_ids), 1, sharex=True, squeeze=False)[:, 0]
    top = max(r[2] + r[3] + r[4] for r in rows)
    for ax, claim in zip(axes, claim_ids):
        counts = {r[1]: r for r in rows if r[0] == claim}
        bottom = [0] * len(years)
        for index, relation in enumerate(("supports", "contradicts", "mixed")):
            values = [counts[y][2 + index] if y in counts else 0 for y in years]
            ax.bar(years, values, bottom=bottom, color=LEDGER_COLOURS[relation], width=0.8,
                   label=relation if claim == claim_ids[0] else None)
            bottom = [b + v for b, v in zip(bottom, values)]
        text = textwrap.shorten((claims or {}).get(claim, ""), 150, placeholder="…")
        ax.set_title("\n".join(textwrap.wrap(f"{claim}: {text}", 78)), fontsize=8.5, loc="left")
        ax.set_ylim(0, top + 0.5)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
        ax.set_ylabel("records", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    axes[-1].set_xlabel("year of publication", fontsize=8)
    axes[0].legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


# --- rendering, files and the record --------------------------------------------------------------------

_env = Environment(loader=PackageLoader("fmwatch", "templates"), autoescape=select_autoescape(["html", "j2"]),
                   trim_blocks=True, lstrip_blocks=True)
_markdown_env = Environment(loader=PackageLoader("fmwatch", "templates"), autoescape=False,
                            trim_blocks=True, lstrip_blocks=True)
for _environment in (_env, _markdown_env):
    _environment.filters.update(safe_url=safe_url, md=markdown_text, md_link=markdown_link_text, md_url=markdown_url)
    _environment.globals.update(relation_colours=RELATION_COLOURS)


def render(digest: Digest, chart: bytes | None = None) -> tuple[str, str]:
    """(HTML, Markdown) of a digest. ``chart`` is the ledger PNG (``ledger_png``), drawn here
    when not given; the HTML inlines it as a data URI."""
    chart = chart if chart is not None else ledger_png(digest.ledger, digest.claims)
    uri = "data:image/png;base64," + base64.b64encode(chart).decode() if chart else None
    context = {"digest": digest, "chart_uri": uri}
    return (_env.get_template("digest.html.j2").render(**context),
            _markdown_env.get_template("digest.md.j2").render(**context))


def period_name(since: datetime | None, until: datetime, week: str | None = None) -> str:
    """What a digest's files are named by: the ISO week ('2026-W48') for --week, else the
    window's dates ('2026-11-23--2026-11-30'; 'to-2026-11-30' for the first digest)."""
    if week:
        return week.strip()
    return f"{since:%Y-%m-%d}--{until:%Y-%m-%d}" if since else f"to-{until:%Y-%m-%d}"


def identical_files(out_dir: Path, period: str, files: dict[str, bytes]) -> dict[str, Path] | None:
    """The files of an earlier digest of ``period`` in ``out_dir`` (``digest-<period>``, ``-2``, ...)
    holding exactly these bytes, every suffix of ``files``; None when there is none. A rerun that
    renders the same digest (a closed week's preview, say) leaves those files as they are instead of
    writing a ``-2`` copy: same period, same content, same file."""
    for number in range(1, 1000):
        stem = f"digest-{period}" + (f"-{number}" if number > 1 else "")
        targets = {suffix: out_dir / f"{stem}{suffix}" for suffix in files}
        if not any(p.exists() for p in targets.values()):
            return None
        if all(p.is_file() and p.read_bytes() == files[suffix] for suffix, p in targets.items()):
            return targets
    return None


def earlier_same_preview(warehouse: Warehouse, built: Digest, chart: bytes | None,
                         out_dir: Path) -> tuple[str, Digest, dict[str, Path]] | None:
    """A preview that ends "now" (``--since``, ``--preview``) run again with nothing new: (digest_id,
    ``built`` as of that digest's end, its files) of the last preview of the same period and start
    whose files are in ``out_dir`` and hold exactly what ``built`` renders with that digest's window end; else None. Its
    window ends later, but it says the same (the same flags, counts and chart), so it is the same
    digest, left as it is, as ``identical_files`` leaves a closed week's (a week in progress is
    named as the whole week, so it needs no such comparison: ``Digest.window_text``)."""
    cursor = warehouse.con.execute(sql_text("queries/last_digest_of_period"), [built.period, built.kind])
    row = cursor.fetchone()
    if not row:
        return None
    digest_id, start, end, html_path, markdown_path = row
    if (start != built.window_start or end is None or end >= built.window_end
            or Path(html_path).parent.resolve() != Path(out_dir).resolve()):
        return None
    then = replace(built, window_end=end)
    html, markdown = render(then, chart)
    paths = {".html": Path(html_path), ".md": Path(markdown_path or "")}
    expected = {".html": html.encode("utf-8"), ".md": markdown.encode("utf-8")}
    if chart:
        paths[".png"], expected[".png"] = Path(html_path).with_suffix(".png"), chart
    if all(p.is_file() and p.read_bytes() == expected[suffix] for suffix, p in paths.items()):
        return digest_id, then, paths
    return None


def last_scheduled(warehouse: Warehouse) -> dict | None:
    """The last scheduled digest's row (``queries/last_scheduled_digest.sql``) as a dict, or None."""
    cursor = warehouse.con.execute(sql_text("queries/last_scheduled_digest"))
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def recorded_with(warehouse: Warehouse, html_path: Path) -> str | None:
    """The digest_id recorded with this HTML file, or None."""
    row = warehouse.con.execute(sql_text("queries/digest_by_files"), [str(html_path)]).fetchone()
    return row[0] if row else None


def write_files(out_dir: Path, period: str, files: dict[str, bytes], force: bool = False) -> dict[str, Path]:
    """Write ``files`` (suffix -> content, e.g. {'.html': ..., '.md': ...}) as ``digest-<period><suffix>``
    in ``out_dir``, never over an existing digest: a second digest of the same period gets
    ``digest-<period>-2``, and so on; ``force`` replaces the files of the first name instead.
    Each file appears whole (written beside, then linked into place). Returns suffix -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for number in range(1, 1000):
        stem = f"digest-{period}" + (f"-{number}" if number > 1 else "")
        targets = {suffix: out_dir / f"{stem}{suffix}" for suffix in files}
        if force or not any(p.exists() for p in targets.values()):
            break
    else:
        raise FileExistsError(f"999 digests of period {period} in {out_dir}")
    written: dict[str, Path] = {}
    try:
        for suffix, content in files.items():
            target = targets[suffix]
            temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
            temporary.write_bytes(content)
            try:
                if force:
                    os.replace(temporary, target)
                else:
                    os.link(temporary, target)  # fails if the name was taken meanwhile: never overwrites
            finally:
                temporary.unlink(missing_ok=True)
            written[suffix] = target
    except BaseException:
        for path in written.values():
            path.unlink(missing_ok=True)
        raise
    return written


def store(warehouse: Warehouse, digest: Digest, html: str, markdown: str, *, html_path: Path | None = None,
          markdown_path: Path | None = None) -> str:
    """Record a digest in ``digests`` (its kind, period and files). Call it after the files are
    written: a scheduled digest's row is what moves the "since the last digest" mark."""
    digest_id = f"{digest.window_end:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    warehouse.con.execute(sql_text("queries/insert_digest"), [
        digest_id, utcnow(), digest.window_start, digest.window_end, digest.entries, html, markdown,
        digest.kind, digest.period, str(html_path) if html_path else None,
        str(markdown_path) if markdown_path else None,
        digest.baseline_entries])
    return digest_id
