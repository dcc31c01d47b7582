"""The weekly digest for editors: what is new, why it matters, with the evidence sentence.

Rendered with Jinja2 (autoescaping on for HTML: record text can hold anything) into
email-safe HTML (inline styles, no scripts, the chart as inline SVG) and Markdown.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from jinja2 import Environment, PackageLoader, select_autoescape

from .warehouse import Warehouse, sql_text, utcnow

SECTIONS = [
    ("contradicts_claim", "Contradicting evidence"),
    ("new_trial", "New trials of magnesium in fibromyalgia"),
    ("new_levels_study", "New studies of magnesium levels"),
    ("review", "Reviews and meta-analyses"),
    ("retraction", "Retractions and corrections"),
    ("fm_coverage", "Fibromyalgia Network coverage"),
    ("related", "Other related records"),
]
SECTION_OF = {"cites_reference": "related"}


@dataclass
class DigestItem:
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
    judgements: list[dict]  # claim, relation, reason, novelty
    evidence_sentence: str | None
    reports_on: list[dict] = field(default_factory=list)


@dataclass
class Digest:
    window_start: datetime | None
    window_end: datetime
    items: list[DigestItem]
    counts: dict[str, int]
    ledger: list[tuple]  # (claim, year, supports, contradicts, mixed, related)

    @property
    def sections(self) -> list[tuple[str, list[DigestItem]]]:
        return [(title, [i for i in self.items if i.section == key]) for key, title in SECTIONS
                if any(i.section == key for i in self.items)]


def week_window(week: str) -> tuple[datetime, datetime]:
    """'2026-W47' -> (Monday 00:00, next Monday 00:00)."""
    year, number = week.split("-W")
    start = datetime.combine(date.fromisocalendar(int(year), int(number), 1), datetime.min.time())
    return start, start + timedelta(days=7)


def build_digest(warehouse: Warehouse, since: datetime | None = None, until: datetime | None = None) -> Digest:
    """The items raised after ``since`` (default: the end of the last digest) up to ``until``."""
    until = until or utcnow()
    if since is None:
        since = warehouse.con.execute(sql_text("queries/last_digest")).fetchall()[0][0]
    cursor = warehouse.con.execute(sql_text("queries/digest_items"), [since, until])
    columns = [d[0] for d in cursor.description]
    by_record: dict[str, DigestItem] = {}
    for row in (dict(zip(columns, r)) for r in cursor.fetchall()):
        item = by_record.get(row["record_id"])
        if item is None:
            item = by_record[row["record_id"]] = _item(row)
        if row["claim"]:
            item.judgements.append({"claim": row["claim"], "relation": row["relation"], "reason": row["reason"],
                                    "novelty": row["novelty"] or []})
        elif row["reason"] and row["flag_type"] in ("retraction", "fm_coverage", "cites_reference", "review"):
            item.judgements.append({"claim": None, "relation": row["relation"], "reason": row["reason"], "novelty": []})
    counts = dict(warehouse.con.execute(sql_text("queries/digest_counts"), [since, until]).fetchall())
    ledger = warehouse.con.execute(sql_text("queries/claim_ledger")).fetchall()
    items = sorted(by_record.values(), key=lambda i: (i.priority, i.record_id))
    return Digest(since, until, items, counts, ledger)


def _item(row: dict) -> DigestItem:
    record = json.loads(row["record"])
    section = SECTION_OF.get(row["flag_type"], row["flag_type"])
    is_fm = record["source"] == "fmnetwork"
    authors = row["authors"] or []
    author_text = ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    if is_fm:
        citation = f"Fibromyalgia Network, {row['fm_published']:%B %-d, %Y}" if row["fm_published"] else "Fibromyalgia Network"
    else:
        citation = f"{author_text}. {row['journal'] or ''} {row['pub_year'] or ''}".strip(" .")
    arms = []
    for arm in record["arms"]:
        parts = []
        for i in arm["interventions"]:
            dose = f" {i['dose_mg']:g} mg" if i.get("dose_mg") else ""
            frequency = f" {i['frequency_per_day']:g}x/day" if i.get("frequency_per_day") else ""
            route = f", {i['route']}" if i.get("route") else ""
            parts.append(f"{i['name']}{dose}{frequency}{route}")
        arms.append(" + ".join(parts) + (f" (n={arm['n']})" if arm.get("n") else ""))
    outcomes = [f"{o['measure'].replace('_', ' ')}: {o['direction'].replace('_', ' ')}"
                + (f" (p={o['p_value']:g})" if o.get("p_value") is not None else "") for o in record["outcomes"]]
    # the sentence to quote: a result with a p-value first, then any result, then a level comparison
    ranked = sorted((o for o in record["outcomes"] if o.get("evidence")), key=lambda o: o.get("p_value") is None)
    candidates = [o["evidence"][-1]["text"] for o in ranked] + [
        e["text"] for m in record["magnesium_levels"] for e in reversed(m.get("evidence", []))]
    sentence = next((text for text in candidates if len(text) > 30), None)
    return DigestItem(
        record_id=row["record_id"], section=section, priority=row["priority"],
        title=row["fm_title"] if is_fm else (row["article_title"] or record["title"]),
        url=row["fm_url"] if is_fm else (f"https://pubmed.ncbi.nlm.nih.gov/{row['pmid']}/" if row["pmid"] else None),
        citation=citation, pmid=row["pmid"], doi=row["doi"], design=record["design"]["type"].replace("_", " "),
        n=record["population"]["n_enrolled"], arms=arms, duration_weeks=record["duration_weeks"],
        outcomes=outcomes, judgements=[], evidence_sentence=sentence, reports_on=row["reports_on"] or [],
    )


# --- the chart: the claim ledger as inline SVG ----------------------------------------------------

COLOURS = {"supports": "#2e7d32", "contradicts": "#c62828", "mixed": "#f9a825"}


def ledger_chart(ledger: list[tuple]) -> dict:
    """Bars per claim and year (supports / contradicts / mixed stacked), laid out for the template."""
    claims = sorted({row[0] for row in ledger})
    years = sorted({row[1] for row in ledger if row[1] is not None})
    if not claims or not years:
        return {"width": 0, "height": 0, "bars": [], "labels": [], "legend": []}
    top = max((row[2] + row[3] + row[4]) for row in ledger) or 1
    row_height, bar_width, left, gap = 70, 14, 90, 4
    width = left + len(years) * (bar_width + gap) + 20
    bars, labels = [], []
    for c_index, claim in enumerate(claims):
        base_y = 20 + (c_index + 1) * row_height
        labels.append({"x": 4, "y": base_y - 6, "text": claim})
        for y_index, year in enumerate(years):
            x = left + y_index * (bar_width + gap)
            counts = next((r for r in ledger if r[0] == claim and r[1] == year), None)
            y = base_y
            for relation, value in zip(("supports", "contradicts", "mixed"), counts[2:5] if counts else (0, 0, 0)):
                if value:
                    h = round(value / top * (row_height - 20))
                    y -= h
                    bars.append({"x": x, "y": y, "w": bar_width, "h": h, "colour": COLOURS[relation],
                                 "title": f"{claim} {year}: {value} {relation}"})
    year_labels = [{"x": left + i * (bar_width + gap), "text": str(year)[2:]} for i, year in enumerate(years)]
    height = 20 + len(claims) * row_height + 30
    return {"width": width, "height": height, "bars": bars, "labels": labels, "years": year_labels,
            "axis_y": height - 12, "legend": list(COLOURS.items())}


# --- rendering and storing --------------------------------------------------------------------------

_env = Environment(loader=PackageLoader("fmwatch", "templates"), autoescape=select_autoescape(["html", "j2"]),
                   trim_blocks=True, lstrip_blocks=True)
_markdown_env = Environment(loader=PackageLoader("fmwatch", "templates"), autoescape=False,
                            trim_blocks=True, lstrip_blocks=True)


def render(digest: Digest) -> tuple[str, str]:
    context = {"digest": digest, "chart": ledger_chart(digest.ledger)}
    return (_env.get_template("digest.html.j2").render(**context),
            _markdown_env.get_template("digest.md.j2").render(**context))


def store(warehouse: Warehouse, digest: Digest, html: str, markdown: str) -> str:
    digest_id = f"{digest.window_end:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    warehouse.con.execute(sql_text("queries/insert_digest"), [
        digest_id, utcnow(), digest.window_start, digest.window_end, len(digest.items), html, markdown])
    return digest_id
