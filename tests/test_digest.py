"""The weekly digest: content, order, links, windows, files, the baseline, untrusted text, and how
it renders in a browser."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fmwatch import digest as digest_module
from fmwatch.cli import app
from fmwatch.digest import (MEASURE_LABELS, SECTIONS, Digest, DigestItem, build_digest, markdown_text, render,
                            safe_url, week_window)
from fmwatch.extract.lexicon import MEASURES
from fmwatch.warehouse import Warehouse

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def offline_db(tmp_path):
    db = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["--db", str(db), "run", "--offline"]).exit_code == 0
    return db


def digest_cli(db, *args):
    result = runner.invoke(app, ["--db", str(db), "digest", *args])
    return result


def digest_rows(db):
    with Warehouse.open(db, read_only=True) as wh:
        return wh.con.execute("select kind, period, window_start, window_end, items, baseline_items, html_path "
                              "from digests order by created_at").fetchall()


# A PubMed record we wrote, added to PubMed (entrez date) on the day given: a new trial.
NEW_TRIAL = """<?xml version="1.0"?>
<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">{pmid}</PMID>
<Article><Journal><Title>Journal of Tests</Title><ISOAbbreviation>J Tests</ISOAbbreviation>
<JournalIssue><PubDate><Year>{year}</Year></PubDate></JournalIssue></Journal>
<ArticleTitle>{title}</ArticleTitle>
<Abstract><AbstractText>In this randomized, double-blind, placebo-controlled trial, 60 women with fibromyalgia took
magnesium glycinate 400 mg daily or placebo for 12 weeks. The FIQ score did not improve with magnesium compared with
placebo (p = 0.41), and tender point counts did not change.</AbstractText></Abstract></Article></MedlineCitation>
<PubmedData><History><PubMedPubDate PubStatus="entrez"><Year>{entrez.year}</Year><Month>{entrez.month}</Month>
<Day>{entrez.day}</Day></PubMedPubDate></History></PubmedData></PubmedArticle></PubmedArticleSet>
"""


def import_new_trial(db, tmp_path, pmid="91000001", title="Magnesium glycinate in fibromyalgia: a randomized trial",
                     entrez=None):
    path = tmp_path / f"new-{pmid}.xml"
    entrez = entrez or date.today()
    path.write_text(NEW_TRIAL.format(pmid=pmid, year=entrez.year, title=title, entrez=entrez))
    result = runner.invoke(app, ["--db", str(db), "import", str(path)])
    assert result.exit_code == 0, result.output


def test_digest_items_order_links_labels_and_chart(offline_db, tmp_path):
    result = digest_cli(offline_db, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    html = next((tmp_path / "out").glob("*.html")).read_text()
    markdown = next((tmp_path / "out").glob("*.md")).read_text()
    titles = [title for _, title in SECTIONS]
    present = [t for t in titles if f">{t}</h3>" in html]  # the first run is all baseline, by section
    assert present[0] == "Contradicting evidence" and present == sorted(present, key=titles.index)
    assert html.index("Super Malic") < html.index("Short-Term Magnesium Therapy")  # contradiction before new trials
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/35631229/"' in html and 'href="https://doi.org/10.3390/nu14102088"' in html
    assert "magnesium chloride 100 mg 1x/day, oral" in html  # arms with doses
    assert "FIQ score: improved (p&lt;0.05)" in html and "(p=0.93)" in html  # the comparator as written
    # each claim's text beside its id
    assert re.search(r"<b>BAGIS-C3</b> <span[^>]*>&ldquo;Magnesium \(citrate, 300 mg/day, 8 weeks\) reduces", html)
    # the why-flagged sentence quoted whole, from its first word to its full stop
    # (the extractor's span runs from "DASS-42 scale" into the next sentence: both are quoted, whole)
    assert re.search(r"&ldquo;The primary endpoint was stress on the DASS-42 scale;[^&]*After one month the DASS-42 "
                     r"stress score had fallen in both groups with no significant difference between them "
                     r"\(p = 0\.930\)\.&rdquo;", html)
    # human labels: no extractor key, no "Design: news", no Python list
    text = re.sub(r"<[^>]+>", " ", html)
    for key, _, _ in MEASURES:
        if "_" in key or key in ("fiqr", "sf36"):
            assert not re.search(rf"(?<![\w-]){key}(?![\w-])", text), key
            if key.replace("_", " ") not in MEASURE_LABELS[key]:  # "dass42 stress", "pain vas"
                assert not re.search(rf"(?<![\w-]){key.replace('_', ' ')}(?![\w-])", text), key
    assert "DASS-42 stress score" in text and "FIQ-R score" in text
    assert "Design: news" not in text and "['" not in text and "rct" not in text.split()
    # one entry per study: the lay article about the Nutrients trial sits under it, not on its own
    trial = html.index("Short-Term Magnesium Therapy")
    lay = html.index("Does Magnesium Calm Stress in Fibromyalgia?")
    assert trial < lay < html.index("Effects of transdermal magnesium") and html.count("Does Magnesium Calm Stress") == 1
    assert "Lay coverage:" in html
    # the chart is a PNG inlined as a data URI, 560 px wide, not SVG
    match = re.search(r'<img id="ledger-chart" src="data:image/png;base64,([^"]+)"', html)
    assert match and "<svg" not in html and "<script" not in html
    from PIL import Image
    image = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
    assert image.format == "PNG" and image.size[0] == 560 and image.size[1] > 200
    assert markdown.startswith("# Magnesium & fibromyalgia: what is new") and "## Baseline" in markdown
    assert "### Contradicting evidence" in markdown
    rows = digest_rows(offline_db)
    assert len(rows) == 1 and rows[0][0] == "scheduled" and rows[0][4] == len(all_flagged(offline_db))


def all_flagged(db):
    with Warehouse.open(db, read_only=True) as wh:
        built = build_digest(wh, since=datetime(1900, 1, 1), until=datetime(2100, 1, 1), kind="preview")
    return [i for item in built.items for i in [item, *item.coverage]]


def test_the_first_run_is_a_baseline_and_a_new_record_is_news(offline_db, tmp_path):
    digest_cli(offline_db, "--out", str(tmp_path / "a"))
    first = next((tmp_path / "a").glob("*.html")).read_text()
    assert "every flagged record so far is in the baseline below" in first and "no record has raised a flag yet" not in first and 'id="baseline"' in first and "Super Malic" in first
    assert first.index('id="baseline"') < first.index("Super Malic")
    # an old paper found later (entrez date of 1996) is backlog too; one added to PubMed today is news
    import_new_trial(offline_db, tmp_path, pmid="91000002", title="Magnesium oxide in fibromyalgia, 1996: a randomized trial",
                     entrez=date(1996, 3, 1))
    import_new_trial(offline_db, tmp_path)
    assert digest_cli(offline_db, "--out", str(tmp_path / "b")).exit_code == 0
    second = next((tmp_path / "b").glob("*.html")).read_text()
    new_part, _, baseline = second.partition('id="baseline"')
    assert "Magnesium glycinate in fibromyalgia" in new_part and "Contradicting evidence" in new_part
    assert "Magnesium oxide in fibromyalgia, 1996" in baseline and "Super Malic" not in second
    assert digest_rows(offline_db)[-1][4:6] == (2, 1)


def test_previews_never_move_the_scheduled_window(offline_db, tmp_path):
    assert digest_cli(offline_db, "--out", str(tmp_path / "d")).exit_code == 0  # scheduled 1: everything
    import_new_trial(offline_db, tmp_path)
    this_week = f"{date.today():%G-W%V}"
    assert digest_cli(offline_db, "--week", this_week, "--out", str(tmp_path / "d")).exit_code == 0
    assert digest_cli(offline_db, "--since", f"{date.today() - timedelta(days=2):%Y-%m-%d}",
                      "--out", str(tmp_path / "d")).exit_code == 0
    assert digest_cli(offline_db, "--out", str(tmp_path / "d")).exit_code == 0  # scheduled 2
    (s1, w1, since1, end1, items1, _, _), (p1, w2, since2, end2, items2, _, html2), \
        (p2, _, since3, _, items3, _, _), (s2, _, since4, end4, items4, _, _) = digest_rows(offline_db)
    assert (s1, p1, p2, s2) == ("scheduled", "preview", "preview", "scheduled")
    week_start, week_end = week_window(this_week)
    assert since1 is None and since2 == week_start and end1 < end2 <= min(week_end, datetime.utcnow()) and w2 == this_week
    assert since3 == datetime.combine(date.today() - timedelta(days=2), datetime.min.time())
    assert since4 == end1 and end4 > end1  # the scheduled digest starts where the last *scheduled* one ended
    # the previews cover today's offline run as well; the scheduled one only what came after the first
    assert items2 == items3 == len(all_flagged(offline_db)) and items4 == 1
    assert Path(html2).name == f"digest-{this_week}.html"  # --week is named after its ISO week
    # a reversed window is a usage error, not an empty digest that moves anything
    bad = digest_cli(offline_db, "--since", "2030-01-07", "--out", str(tmp_path / "d"))
    assert bad.exit_code == 2 and "after it ends" in bad.output and len(digest_rows(offline_db)) == 4


def test_a_digest_file_is_never_overwritten(offline_db, tmp_path):
    out = tmp_path / "out"
    this_week = f"{date.today():%G-W%V}"
    assert digest_cli(offline_db, "--week", this_week, "--out", str(out)).exit_code == 0
    import_new_trial(offline_db, tmp_path)  # the week's digest now says more: a second file, not a rewrite
    assert digest_cli(offline_db, "--week", this_week, "--out", str(out)).exit_code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"digest-{this_week}{n}{suffix}" for n in ("-2", "") for suffix in (".html", ".md", ".png")]
    (out / f"digest-{this_week}.md").write_text("the editor's notes")
    assert digest_cli(offline_db, "--week", this_week, "--out", str(out), "--force").exit_code == 0
    assert len(list(out.iterdir())) == 6 and (out / f"digest-{this_week}.md").read_text().startswith("# Magnesium")


def test_a_rerun_with_nothing_new_leaves_the_digest_it_wrote(offline_db, tmp_path):
    """`make run` twice, or `fmwatch digest` again: the same period with the same content is the same
    file, left as it is and not recorded again; an empty scheduled digest after an empty one leaves
    that one (its files, its row, its mark) instead of writing a copy each time."""
    out = tmp_path / "out"
    for _ in range(3):  # a closed week's preview renders the same bytes every time
        result = digest_cli(offline_db, "--week", "2026-W48", "--out", str(out))
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["digest-2026-W48.html", "digest-2026-W48.md", "digest-2026-W48.png"]
    assert "left as they are" in result.output and len(digest_rows(offline_db)) == 1
    assert digest_cli(offline_db, "--out", str(out)).exit_code == 0  # scheduled: everything so far
    assert digest_cli(offline_db, "--out", str(out)).exit_code == 0  # scheduled: nothing new, said once
    empty = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    rows = digest_rows(offline_db)
    assert [r[4] for r in rows[1:]] == [len(all_flagged(offline_db)), 0]
    for _ in range(2):
        again = digest_cli(offline_db, "--out", str(out))
        assert again.exit_code == 0 and "0 items" in again.output and "left as they are" in again.output
        assert rows[-1][6] in again.output
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == empty  # no new file, none rewritten
    assert digest_rows(offline_db) == rows  # not recorded again: the mark stays where the empty one ended
    import_new_trial(offline_db, tmp_path)  # something new: a new digest, from where the empty one ended
    assert digest_cli(offline_db, "--out", str(out)).exit_code == 0
    latest = digest_rows(offline_db)[-1]
    assert latest[2] == rows[-1][3] and latest[4] == 1 and Path(latest[6]).is_file() and latest[6] != rows[-1][6]


def test_a_rerun_of_the_week_in_progress_with_nothing_new_leaves_its_files(offline_db, tmp_path, monkeypatch):
    """`fmwatch digest --week` of the current week, run again with nothing new (later that day, or two
    days on): the same file, left as it is and said so, not a `-2` copy that differs only in the
    window's end; the header names the whole week, "so far"."""
    with Warehouse.open(offline_db) as wh:  # what the offline run loaded and flagged, moved into 2026-W40
        wh.con.execute("update flags set raised_at = timestamp '2026-09-28 00:10'")
        wh.con.execute("update record_versions set loaded_at = timestamp '2026-09-28 00:05'")
    out = tmp_path / "out"
    outputs = []
    for now in (datetime(2026, 9, 28, 0, 40), datetime(2026, 9, 28, 2, 15), datetime(2026, 9, 30, 9, 0)):
        monkeypatch.setattr(digest_module, "utcnow", lambda now=now: now)
        result = digest_cli(offline_db, "--week", "2026-W40", "--out", str(out))
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert sorted(p.name for p in out.iterdir()) == ["digest-2026-W40.html", "digest-2026-W40.md", "digest-2026-W40.png"]
    assert "left as they are" not in outputs[0] and all("left as they are" in o for o in outputs[1:])
    assert len(digest_rows(offline_db)) == 1
    assert "September 28, 2026 to October 5, 2026 (the week so far)" in (out / "digest-2026-W40.md").read_text()


def test_a_preview_up_to_now_run_again_with_nothing_new_leaves_its_files(offline_db, tmp_path, monkeypatch):
    """`fmwatch digest --since DATE` (a preview up to now) run again later that day with nothing new:
    the same digest (its window only ends later), left as it is and said so, not a `-2` copy whose
    header differs in the minute; something new since makes a new file."""
    with Warehouse.open(offline_db) as wh:  # what the offline run loaded and flagged, moved to 2026-09-28,
        wh.con.execute("update flags set raised_at = timestamp '2026-09-28 00:10'")  # one flag at noon
        wh.con.execute("update flags set raised_at = timestamp '2026-09-28 12:00' where record_id = (select min(record_id) "
                       "from (select record_id from flags where record_id like 'pubmed:%' "
                       "group by record_id having count(*) = 1))")
        wh.con.execute("update record_versions set loaded_at = timestamp '2026-09-28 00:05'")
    out = tmp_path / "out"
    outputs = []
    for now in (datetime(2026, 9, 28, 9, 0), datetime(2026, 9, 28, 11, 30), datetime(2026, 9, 28, 16, 45)):
        monkeypatch.setattr(digest_module, "utcnow", lambda now=now: now)
        result = digest_cli(offline_db, "--since", "2026-09-28", "--out", str(out))
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert "left as they are" not in outputs[0] and "left as they are" in outputs[1]
    assert "left as they are" not in outputs[2]  # the noon flag is new since: a second file
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"digest-2026-09-28--2026-09-28{n}{s}" for n in ("-2", "") for s in (".html", ".md", ".png")]
    assert [r[3] for r in digest_rows(offline_db)] == [datetime(2026, 9, 28, 9, 0), datetime(2026, 9, 28, 16, 45)]
    assert "09:00 UTC" in (out / "digest-2026-09-28--2026-09-28.md").read_text()


def test_a_digest_is_recorded_only_once_its_files_are_written(offline_db, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the digest folder should be")
    result = digest_cli(offline_db, "--out", str(blocked))
    assert result.exit_code == 1 and "cannot write the digest files" in result.output
    assert digest_rows(offline_db) == []  # not recorded: the next digest still covers everything

    def fails(*args, **kwargs):
        raise RuntimeError("the warehouse refused the row")
    monkeypatch.setattr(digest_module, "store", fails)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        runner.invoke(app, ["--db", str(offline_db), "digest", "--out", str(out)], catch_exceptions=False)
    assert list(out.iterdir()) == []  # not recorded: its files are taken back too
    monkeypatch.undo()
    assert digest_cli(offline_db, "--out", str(out)).exit_code == 0
    assert digest_rows(offline_db)[0][2] is None and digest_rows(offline_db)[0][4] == len(all_flagged(offline_db))


def test_the_next_digest_shows_only_what_is_new_and_an_empty_week_says_so(offline_db, tmp_path):
    digest_cli(offline_db, "--out", str(tmp_path / "a"))
    result = digest_cli(offline_db, "--out", str(tmp_path / "b"))
    assert "0 items" in result.output
    html = next((tmp_path / "b").glob("*.html")).read_text()
    assert "Nothing new from " in html and "this week" not in html and "<h2 class=\"section\"" not in html and 'id="baseline"' not in html


def test_week_window():
    assert week_window("2026-W48") == (datetime(2026, 11, 23), datetime(2026, 11, 30))
    for bad in ("2026-48", "2026-W60", "W48"):
        with pytest.raises(ValueError):
            week_window(bad)


# --- untrusted text (issue 16, item 4) ---------------------------------------------------------------

HOSTILE = ('Magnesium <script>document.body.setAttribute("data-owned","script")</script> '
           '<img src=x onerror="document.body.setAttribute(\'data-owned\',\'img\')"> [click](javascript:alert(1)) '
           '<a href="javascript:alert(2)">here</a> *bold* `code`')


def hostile_digest() -> Digest:
    item = DigestItem(
        record_id="fmnetwork:hostile", section="fm_coverage", priority=6, title=HOSTILE,
        url="javascript:document.body.setAttribute('data-owned','link')", citation=HOSTILE, pmid=None,
        doi=None, design="Lay article", n=None, arms=[HOSTILE], duration_weeks=None, outcomes=[HOSTILE],
        judgements=[{"claim": "BAGIS-C3", "claim_text": HOSTILE, "relation": "related", "reason": HOSTILE}],
        evidence_sentence=HOSTILE, quotes=[HOSTILE], is_news=True,
        coverage=[DigestItem(record_id="fmnetwork:nested", section="fm_coverage", priority=6, title=HOSTILE,
                             url="file:///etc/passwd", citation=HOSTILE, pmid=None, doi=None, design="", n=None,
                             arms=[], duration_weeks=None, outcomes=[], judgements=[], evidence_sentence=None,
                             quotes=[HOSTILE], is_news=True)])
    study = DigestItem(
        record_id="pubmed:1", section="new_trial", priority=3, title="A fine trial", url="https://example.org/trial",
        citation="A B. J Tests 2026", pmid="1", doi="10.1/x", design="Randomised controlled trial", n=10,
        arms=[], duration_weeks=None, outcomes=[], judgements=[], evidence_sentence=None)
    return Digest(None, datetime(2026, 11, 30), [item, study], {}, [], period="2026-W48")


def test_links_are_made_only_of_http_urls():
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url("HTTP://example.org/") == "HTTP://example.org/"
    for bad in ("javascript:alert(1)", " javascript:alert(1)", "data:text/html,x", "file:///etc/passwd",
                "//example.org/", "vbscript:x", "http:/no-host", None, "https://ex\nample.org/"):
        assert safe_url(bad) is None, bad
    html, markdown = render(hostile_digest())
    assert re.findall(r'href="([^"]*)"', html) == ["https://example.org/trial", "https://pubmed.ncbi.nlm.nih.gov/1/",
                                                   "https://doi.org/10.1/x"]
    from markdown_it import MarkdownIt
    markdown_links = re.findall(r'href="([^"]*)"', MarkdownIt("commonmark").render(markdown))
    assert markdown_links == ["https://example.org/trial", "https://pubmed.ncbi.nlm.nih.gov/1/", "https://doi.org/10.1/x"]
    assert "<script" not in html and "<img src=x" not in html
    # in the Markdown every tag is backslash-escaped (shown as text), so no renderer makes an element of it
    assert not re.search(r"(?<!\\)<(?:script|img|a)\b", markdown)
    rendered = MarkdownIt("commonmark", {"html": True}).render(markdown)
    assert "<script" not in rendered and "<img" not in rendered and "&lt;script&gt;" in rendered


def test_markdown_text_escapes_html_and_markdown():
    # backslash escapes only, no HTML entities: the Markdown is read as plain text too (test_digest_markdown.py)
    assert markdown_text("<b>x</b> & [y](javascript:z) *w*") == \
        "\\<b>x\\</b> & [y\\](javascript:z) \\*w\\*"
    assert markdown_text("two\nlines") == "two lines"


def rendered_dom(page: Path, tmp_path: Path) -> str:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=2000"]
    return subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], check=True, timeout=120,
                          capture_output=True, text=True).stdout


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
def test_no_script_runs_from_either_digest_in_a_browser(tmp_path):
    from markdown_it import MarkdownIt

    html, markdown = render(hostile_digest())
    # the Markdown as a renderer that passes raw HTML through (commonmark's default, Prefect's UI) shows it
    rendered_markdown = MarkdownIt("commonmark", {"html": True}).render(markdown)
    assert "<script" not in rendered_markdown and "<img" not in rendered_markdown
    assert not re.search(r'href="(?!https?://)', rendered_markdown)
    pages = {"html": html, "markdown": f"<!DOCTYPE html><html><body>{rendered_markdown}</body></html>"}
    # a control page proves the check can see a script run
    pages["control"] = '<!DOCTYPE html><html><body><script>document.body.setAttribute("data-owned","yes")</script></body></html>'
    doms = {}
    for name, text in pages.items():
        page = tmp_path / f"{name}.html"
        page.write_text(text)
        doms[name] = rendered_dom(page, tmp_path)
    assert 'data-owned="yes"' in doms["control"]
    for name in ("html", "markdown"):
        assert "data-owned=" not in doms[name].replace("setAttribute(&quot;data-owned", ""), name
        assert "Magnesium &lt;script&gt;" in doms[name], name  # the text is shown, inert
        assert not re.search(r'<a\b[^>]*\bhref="(?!https?://)', doms[name]), name


HOSTILE_XML = (
    '<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">90000088</PMID>'
    '<Article><Journal><Title>T</Title><JournalIssue><PubDate><Year>2024</Year></PubDate></JournalIssue></Journal>'
    '<ArticleTitle>Magnesium &lt;script&gt;document.body.setAttribute("data-owned","title")&lt;/script&gt; in '
    'fibromyalgia [x](javascript:alert(1))</ArticleTitle>'
    '<Abstract><AbstractText>Serum magnesium was lower in 30 women with fibromyalgia than in 30 healthy controls '
    '&lt;img src=x onerror="document.body.setAttribute(\'data-owned\',\'abstract\')"&gt;.</AbstractText></Abstract>'
    '</Article></MedlineCitation><PubmedData/></PubmedArticle></PubmedArticleSet>\n')


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
def test_hostile_records_through_the_pipeline_run_no_script_in_either_digest(tmp_path):
    from markdown_it import MarkdownIt

    db = tmp_path / "w.duckdb"
    hostile = tmp_path / "hostile.xml"
    hostile.write_text(HOSTILE_XML)
    assert runner.invoke(app, ["--db", str(db), "import", str(hostile)]).exit_code == 0
    assert digest_cli(db, "--out", str(tmp_path / "out")).exit_code == 0
    html_file = next((tmp_path / "out").glob("*.html"))
    markdown = next((tmp_path / "out").glob("*.md")).read_text()
    assert "setAttribute" in html_file.read_text() and "setAttribute" in markdown  # the record is in both
    markdown_page = tmp_path / "markdown.html"
    markdown_page.write_text("<!DOCTYPE html><html><body>" + MarkdownIt("commonmark", {"html": True}).render(markdown)
                             + "</body></html>")
    for page in (html_file, markdown_page):
        dom = rendered_dom(page, tmp_path)
        assert "data-owned=" not in dom.replace('setAttribute("data-owned"', "").replace(
            "setAttribute('data-owned'", "").replace("setAttribute(&quot;data-owned", ""), page.name
        assert "&lt;script&gt;" in dom and not re.search(r'<a\b[^>]*\bhref="(?!https?://)', dom), page.name


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
def test_the_digest_renders_in_a_browser_at_mail_width(offline_db, tmp_path):
    digest_cli(offline_db, "--out", str(tmp_path / "out"))
    page = next((tmp_path / "out").glob("*.html"))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    for width in (800, 600):
        shot = tmp_path / f"digest-{width}.png"
        subprocess.run([CHROMIUM, *flags, f"--window-size={width},4000", f"--screenshot={shot}", page.as_uri()],
                       check=True, timeout=120, capture_output=True)
        from PIL import Image
        image = Image.open(shot)
        assert image.size == (width, 4000) and shot.stat().st_size > 20_000  # a real picture, not a blank page
        # nothing is wider than the window: the right-most column is the page's background
        right = image.convert("RGB").crop((width - 3, 0, width, 4000))
        assert {right.getpixel((x, y)) for x in range(3) for y in range(0, 4000, 4)} <= {(244, 244, 244), (255, 255, 255)}, width
        shutil.copy(shot, tmp_path.parent / f"digest-screenshot-{width}.png")
    dom = rendered_dom(page, tmp_path)
    assert "Contradicting evidence" in dom and 'id="ledger-chart"' in dom and 'src="data:image/png;base64,' in dom
