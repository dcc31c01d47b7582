"""The weekly digest: content, order, links, escaping, an empty week, and how it renders."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime

import pytest
from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.digest import SECTIONS, build_digest, render, week_window
from fmwatch.warehouse import Warehouse

runner = CliRunner()


@pytest.fixture
def offline_db(tmp_path):
    db = tmp_path / "w.duckdb"
    assert runner.invoke(app, ["--db", str(db), "run", "--offline"]).exit_code == 0
    return db


def test_digest_items_order_and_links(offline_db, tmp_path):
    result = runner.invoke(app, ["--db", str(offline_db), "digest", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    html = next((tmp_path / "out").glob("*.html")).read_text()
    markdown = next((tmp_path / "out").glob("*.md")).read_text()
    titles = [title for _, title in SECTIONS]
    present = [t for t in titles if f">{t}</h2>" in html]
    assert present[0] == "Contradicting evidence" and present == sorted(present, key=titles.index)
    assert html.index("Super Malic") < html.index("Short-Term Magnesium Therapy")  # contradiction before new trials
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/35631229/"' in html and 'href="https://doi.org/10.3390/nu14102088"' in html
    assert "magnesium chloride 100 mg 1x/day, oral" in html  # arms with doses
    assert "&ldquo;After one month the DASS-42 stress score had fallen in both groups" in html  # quoted evidence
    assert "Reports on:" in html and "Magnesium Citrate Eases Tender Points" in html  # FM item names its paper
    assert '<svg id="ledger-chart"' in html and "<script" not in html
    assert markdown.startswith("# Magnesium & fibromyalgia: what is new") and "## Contradicting evidence" in markdown
    with Warehouse.open(offline_db, read_only=True) as wh:
        assert wh.con.execute("select items from digests").fetchall() == [(len(build_items(offline_db)),)]


def build_items(db):
    with Warehouse.open(db, read_only=True) as wh:
        return build_digest(wh, since=datetime(1900, 1, 1), until=datetime(2100, 1, 1)).items


def test_the_next_digest_shows_only_what_is_new_and_an_empty_week_says_so(offline_db, tmp_path):
    runner.invoke(app, ["--db", str(offline_db), "digest", "--out", str(tmp_path / "a")])
    result = runner.invoke(app, ["--db", str(offline_db), "digest", "--out", str(tmp_path / "b")])
    assert "0 items" in result.output
    html = next((tmp_path / "b").glob("*.html")).read_text()
    assert "Nothing new this week" in html and "<h2 class=\"section\"" not in html


def test_record_text_is_escaped(tmp_path):
    db = tmp_path / "w.duckdb"
    hostile = tmp_path / "hostile.xml"
    hostile.write_text(
        '<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">90000088</PMID>'
        '<Article><Journal><Title>T</Title><JournalIssue><PubDate><Year>2024</Year></PubDate></JournalIssue></Journal>'
        '<ArticleTitle>Magnesium &lt;script&gt;alert(1)&lt;/script&gt; in fibromyalgia</ArticleTitle>'
        '<Abstract><AbstractText>Serum magnesium did not differ between 30 women with fibromyalgia and 30 healthy '
        'controls &lt;img src=x onerror=alert(2)&gt;.</AbstractText></Abstract></Article></MedlineCitation>'
        '<PubmedData/></PubmedArticle></PubmedArticleSet>\n')
    assert runner.invoke(app, ["--db", str(db), "import", str(hostile)]).exit_code == 0
    with Warehouse.open(db) as wh:
        html, _ = render(build_digest(wh))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html


def test_week_window():
    start, end = week_window("2026-W48")
    assert (start, end) == (datetime(2026, 11, 23), datetime(2026, 11, 30))


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by .ci/run")
def test_the_digest_renders_in_a_browser(offline_db, tmp_path):
    runner.invoke(app, ["--db", str(offline_db), "digest", "--out", str(tmp_path / "out")])
    page = next((tmp_path / "out").glob("*.html"))
    shot = tmp_path / "digest.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=800,3000"]
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", page.as_uri()], check=True, timeout=120,
                   capture_output=True)
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], check=True, timeout=120,
                         capture_output=True, text=True).stdout
    assert shot.stat().st_size > 20_000  # a real picture, not a blank page
    assert "Contradicting evidence" in dom and 'id="ledger-chart"' in dom and dom.count("<rect") > 3
    shutil.copy(shot, tmp_path.parent / "digest-screenshot.png")
