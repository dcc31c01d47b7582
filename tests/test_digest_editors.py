"""Faults a new-user trial found in what editors read (the digest and the flags listing), each
checked on the warehouse an offline run builds from the embedded defaults (real records):

1. ``fmwatch digest --preview`` covers the scheduled window (since the last scheduled digest), not
   everything, and never moves its mark;
2. every flagged record is rendered (the reference study shown as the reference, and the lay
   article nested under it), and the counts stated (run summary, header, ``digests.items``) are
   the counts rendered;
3. ``fmwatch flags --state withdrawn`` shows the last known title and year of a withdrawn record;
4. a digest with nothing new names the window it covers ("this week" only a weekly one could say).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

import pytest
from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.warehouse import Warehouse

from .test_digest import NEW_TRIAL

runner = CliRunner()


@pytest.fixture
def db(offline_db, tmp_path):
    """A copy of the module's offline warehouse (PubMed and FM Network fixtures, flags judged)."""
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(offline_db.read_bytes())
    return copy


def fm(db, *args):
    return runner.invoke(app, ["--db", str(db), *args])


def digest_rows(db):
    with Warehouse.open(db, read_only=True) as wh:
        return wh.con.execute("select kind, window_start, window_end, items, baseline_items, html_path, markdown_path "
                              "from digests order by created_at").fetchall()


def flagged_records(db) -> dict[str, str]:
    """record_id -> title of every record with a flag the digest shows (not dismissed, not withdrawn)."""
    with Warehouse.open(db, read_only=True) as wh:
        rows = wh.list_flags()
    return {r["record_id"]: r["title"] for r in rows if r["state"] != "dismissed"}


def import_trial(db, tmp_path, pmid="91000011"):
    """A PubMed record we wrote (tests/test_digest.py's NEW_TRIAL), added to PubMed today: news."""
    path = tmp_path / f"new-{pmid}.xml"
    path.write_text(NEW_TRIAL.format(pmid=pmid, year=date.today().year, entrez=date.today(),
                                     title="Magnesium glycinate in fibromyalgia: a randomized trial"))
    assert fm(db, "import", str(path)).exit_code == 0


# --- 1. --preview is the scheduled window ------------------------------------------------------------

def test_preview_covers_the_scheduled_window_and_never_moves_it(db, tmp_path):
    out = tmp_path / "out"
    assert fm(db, "digest", "--out", str(out)).exit_code == 0  # scheduled: everything so far
    right_after = fm(db, "digest", "--preview", "--out", str(out))
    assert right_after.exit_code == 0, right_after.output
    (kind1, start1, end1, items1, *_), (kind2, start2, end2, items2, *_) = digest_rows(db)
    assert (kind1, kind2) == ("scheduled", "preview") and items1 == len(flagged_records(db)) > 0
    # the preview starts where the scheduled digest ended: nothing has been flagged since
    assert start1 is None and start2 == end1 and end2 > end1 and items2 == 0
    assert "0 items" in right_after.output and "everything up to" not in right_after.output
    import_trial(db, tmp_path)
    assert fm(db, "digest", "--preview", "--out", str(out)).exit_code == 0
    assert fm(db, "digest", "--out", str(out)).exit_code == 0
    (_, start3, _, items3, *_), (kind4, start4, _, items4, *_) = digest_rows(db)[2:]
    assert start3 == end1 and items3 == 1  # the new trial, in the scheduled window
    assert kind4 == "scheduled" and start4 == end1 and items4 == 1  # the previews did not move the mark


# --- 2. everything counted is rendered --------------------------------------------------------------

def test_every_flagged_record_is_rendered_and_the_counts_agree(db, tmp_path):
    out = tmp_path / "out"
    result = fm(db, "digest", "--out", str(out))
    assert result.exit_code == 0, result.output
    (_, _, _, items, baseline, html_path, markdown_path), = digest_rows(db)
    html, markdown = open(html_path).read(), open(markdown_path).read()
    flagged = flagged_records(db)
    # every flagged record is in the digest once: studies, and lay articles (nested or on their own)
    rendered_html = html.count('<div class="item"')
    rendered_markdown = len(re.findall(r"^#{3,4} \[", markdown, re.M)) + markdown.count("\n- Lay coverage: ")
    assert rendered_html == rendered_markdown == items == len(flagged)
    for title in flagged.values():
        assert markdown_text_of(title) in markdown, title
    # the counts stated: the CLI's line, the Markdown header and the HTML summary
    assert f": {items} items ({baseline} in the baseline)" in result.output
    new, in_baseline = map(int, re.search(r"; (\d+) new flagged records?, (\d+) in the baseline", markdown).groups())
    assert (new + in_baseline, in_baseline) == (items, baseline)
    summary = re.sub(r"\s+", " ", re.search(r'<p id="summary"[^>]*>(.*?)</p>', html, re.S).group(1))
    assert f"{new} new flagged" in summary and f"; {in_baseline} in the baseline" in summary
    # the reference study is shown as the reference (in its own section), never judged against itself
    reference = markdown.split("### The reference study", 1)[1]
    assert reference.lstrip().startswith("#### [Is magnesium citrate treatment effective")
    assert "PMID 22271372" in reference and "it is not judged against itself" in reference
    assert not re.search(r"\*\*(Supports|Contradicts|Mixed|Related) BAGIS", reference)
    # and the FM Network article reporting on it (open priority 6 and 7 flags) sits under it
    assert "Lay coverage: [Magnesium Citrate Eases Tender Points]" in reference
    assert html.count("Magnesium Citrate Eases Tender Points") == 1


def markdown_text_of(title: str) -> str:
    from fmwatch.digest import markdown_text
    return markdown_text(title)


# --- 3. withdrawn records keep their last known title and year -----------------------------------------

def test_withdrawn_flags_show_the_last_known_title_and_year(db, tmp_path):
    with Warehouse.open(db, read_only=True) as wh:
        title, year = wh.con.execute("select title, pub_year from articles where pmid = '99000104'").fetchone()
    assert title and year
    # a file of ours (written here): PubMed's DeleteCitation of the record
    deletion = tmp_path / "deletecitation.xml"
    deletion.write_text('<?xml version="1.0"?><PubmedArticleSet><DeleteCitation><PMID Version="1">99000104</PMID>'
                        '</DeleteCitation></PubmedArticleSet>', encoding="utf-8")
    assert fm(db, "import", str(deletion), "--offline").exit_code == 0
    listed = json.loads(fm(db, "flags", "--state", "withdrawn", "--format", "json").stdout)
    assert listed and all(row["id"].startswith("pubmed:99000104/") for row in listed)
    assert all((row["title"], row["year"], row["url"]) == (title, year, None) for row in listed)
    table = fm(db, "flags", "--state", "withdrawn")
    assert "Super Malic" in table.stdout and str(year) in table.stdout
    # the open list still leaves them out
    assert not any(r["id"].startswith("pubmed:99000104/") for r in json.loads(fm(db, "flags", "--format", "json").stdout))


# --- 4. an empty digest names its window ----------------------------------------------------------------

def test_an_empty_digest_names_the_window_it_covers(db, tmp_path):
    out = tmp_path / "out"
    since = date.today() - timedelta(days=30)
    assert fm(db, "digest", "--since", f"{since:%Y-%m-%d}", "--out", str(out)).exit_code == 0
    (kind, start, end, *_), = digest_rows(db)
    assert kind == "preview" and start == datetime.combine(since, datetime.min.time())
    html, markdown = (open(p).read() for p in digest_rows(db)[0][5:7])
    window = f"{start:%B %-d, %Y} to {end:%B %-d, %Y}"
    assert f"Nothing new from {window}: no new record raised a flag in this window." in markdown
    assert re.search(rf'<p id="empty"[^>]*>Nothing new from {window}: ', html)
    assert "this week" not in markdown and "this week" not in html
    # a scheduled digest right after another: a window of minutes, named with its times
    assert fm(db, "digest", "--out", str(out)).exit_code == 0
    assert fm(db, "digest", "--out", str(out)).exit_code == 0
    _, start, end, items, _, _, markdown_path = digest_rows(db)[-1]
    assert items == 0 and start.date() == end.date()
    assert (f"Nothing new from {start:%B %-d, %Y %H:%M} UTC to {end:%B %-d, %Y %H:%M} UTC: no new record raised a "
            "flag in this window (since the last weekly digest).") in open(markdown_path).read()
