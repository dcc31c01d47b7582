"""The command line an editor and an analyst use every day: flags, triage, sql."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from fmwatch import cli
from fmwatch.cli import app
from fmwatch.warehouse import Warehouse

runner = CliRunner()


@pytest.fixture
def db(offline_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(offline_db.read_bytes())
    return copy


def states(db) -> dict[str, tuple]:
    with Warehouse.open(db, read_only=True) as wh:
        return {r["id"]: (r["state"], r["state_reason"]) for r in wh.list_flags()}


def fm(db, *args):
    return runner.invoke(app, ["--db", str(db), *args])


def test_flags_table_shows_whole_ids_title_year_and_fits_the_terminal(db, monkeypatch):
    monkeypatch.setattr(cli, "out", Console(width=120, file=io.StringIO(), force_terminal=False))
    assert fm(db, "flags").exit_code == 0
    text = cli.out.file.getvalue()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 120 and "…" not in text
    ids = list(states(db))
    assert len(ids) > 5 and all(any(i in line for line in lines) for i in ids)  # each ID whole on one line
    assert "Super" in text and "1995" in text and "contradicts BAGIS-C3" in text


def test_flags_on_an_80_column_terminal_are_a_readable_list_with_whole_ids(db, monkeypatch):
    """Whole IDs as wide as 59 characters left a table at 80 columns one or two characters a line for
    the title (860 lines for 21 flags); a narrow terminal gets a list: the ID on its own line, then
    priority, year, state, the title and the judgement, wrapped to the width."""
    monkeypatch.setattr(cli, "out", Console(width=80, file=io.StringIO(), force_terminal=False))
    assert fm(db, "flags").exit_code == 0
    lines = cli.out.file.getvalue().splitlines()
    ids = list(states(db))
    assert max(len(line) for line in lines) <= 80 and all(line == line.rstrip() for line in lines)
    assert all(i in lines for i in ids)  # each ID whole, on a line of its own
    assert len(lines) <= 7 * len(ids)
    first = lines.index("pubmed:99000104/BAGIS-C3")
    assert lines[first + 1].split() == ["P1", "1995", "new"]
    assert "Super Malic" in " ".join(lines[first + 2:first + 4]) and "contradicts BAGIS-C3" in lines[first + 4]


def test_flags_csv_and_json_carry_everything(db):
    rows = list(csv.DictReader(io.StringIO(fm(db, "flags", "--format", "csv").stdout)))
    assert {r["id"] for r in rows} == set(states(db))
    malic = next(r for r in rows if r["id"] == "pubmed:99000104/BAGIS-C3")
    assert (malic["year"], malic["priority"], malic["relation"]) == ("1995", "1", "contradicts")
    assert json.loads(malic["novelty"]) == ["design", "form", "duration"]  # a list, JSON-encoded
    data = json.loads(fm(db, "flags", "--format", "json", "--priority", "3").stdout)
    assert data and all(d["priority"] <= 3 for d in data) and isinstance(data[0]["novelty"], list)


def test_flags_csv_and_json_use_the_digests_words_and_keep_the_raw_keys_beside_them(db):
    """The extractor's keys ("(rct)", "dass42 stress", "fiqr") are what the digest puts in words;
    the exports do the same, the stored text in reason_raw and the keys in novelty for machines."""
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(fm(db, "flags", "--format", "csv").stdout))}
    malic = rows["pubmed:99000104/BAGIS-C3"]
    assert "(rct)" in malic["reason_raw"] and "(rct)" not in malic["reason"]
    assert "(randomised controlled trial)" in malic["reason"]
    assert malic["section"] == "Contradicting evidence" and malic["flag_type"] == "contradicts_claim"
    assert json.loads(malic["novelty_labels"]) == ["a stronger design", "another form of magnesium", "another duration"]
    assert json.loads(malic["novelty"]) == ["design", "form", "duration"]
    stress = rows["pubmed:35631229/BAGIS-C3"]
    assert "dass42 stress" in stress["reason_raw"] and "dass42" not in stress["reason"]
    assert "DASS-42 stress score" in stress["reason"]
    for row in rows.values():  # no raw key left in what people read
        assert "(rct)" not in row["reason"] and "dass42" not in row["reason"] and "fiqr" not in row["reason"]
    data = {d["id"]: d for d in json.loads(fm(db, "flags", "--format", "json").stdout)}
    assert data["pubmed:35631229/BAGIS-C3"]["reason"] == stress["reason"]
    assert data["pubmed:35631229/BAGIS-C3"]["reason_raw"] == stress["reason_raw"]
    assert isinstance(data["pubmed:99000104/BAGIS-C3"]["novelty_labels"], list)


def test_flag_takes_several_ids_or_a_filter_and_never_silently_undoes_a_dismissal(db):
    a, b = "pubmed:99000104/BAGIS-C3", "pubmed:35631229/BAGIS-C3"
    result = fm(db, "flag", "seen", a, b)
    assert result.exit_code == 0 and states(db)[a] == states(db)[b] == ("seen", None)
    coverage = [i for i in states(db) if i.endswith("/fm_coverage")]
    result = fm(db, "flag", "dismiss", "--type", "fm_coverage", "--reason", "lay coverage, read elsewhere")
    assert result.exit_code == 0 and all(states(db)[i] == ("dismissed", "lay coverage, read elsewhere") for i in coverage)
    before = states(db)
    # marking seen would undo the dismissals: refused, nothing changes (not even the other ID)
    refused = fm(db, "flag", "seen", coverage[0], "pubmed:99000105/BAGIS-C1")
    assert refused.exit_code == 2 and "--force" in refused.output and coverage[0] in refused.output
    assert states(db) == before
    assert fm(db, "flag", "seen", coverage[0], "--force").exit_code == 0 and states(db)[coverage[0]][0] == "seen"
    again = fm(db, "flag", "seen", a)
    assert again.exit_code == 0 and "already seen" in again.output
    unknown = fm(db, "flag", "seen", a, "pubmed:1/BAGIS-C9")
    assert unknown.exit_code == 2 and "pubmed:1/BAGIS-C9" in unknown.output
    assert fm(db, "flag", "seen").exit_code == 2  # no ID, no filter
    assert fm(db, "flag", "dismiss", a).exit_code == 2  # no reason


def test_sql_empty_multi_statement_and_csv_lists(db):
    empty = fm(db, "sql", "  ; ")
    assert empty.exit_code == 2 and "empty query" in empty.output and "Traceback" not in empty.output
    two = fm(db, "sql", "select count(*) as n from articles; select 'x' as y")
    assert two.exit_code == 0 and "n" in two.stdout and "x" in two.stdout
    assert fm(db, "sql", "select 1; select 2", "--format", "csv").exit_code == 2
    bad = fm(db, "sql", "select 1; select * from no_such_view")
    assert bad.exit_code == 2 and "statement 2 of 2" in bad.output and len(bad.output.strip().splitlines()) == 1
    typo = fm(db, "sql", "selec 1")
    assert typo.exit_code == 2 and "syntax error" in typo.output and len(typo.output.strip().splitlines()) == 1
    rows = list(csv.reader(io.StringIO(fm(db, "sql", "select pmid, mesh_terms from articles where pmid = '35631229'",
                                          "--format", "csv").stdout)))
    assert rows[0] == ["pmid", "mesh_terms"] and isinstance(json.loads(rows[1][1]), list)
    assert "['" not in fm(db, "sql", "select publication_types from articles", "--format", "csv").stdout


def test_a_live_run_without_ncbi_email_warns_once_and_names_requests_by_short_urls(tmp_path, monkeypatch, httpserver):
    from fmwatch import settings as settings_module

    monkeypatch.setattr(settings_module, "_email_warned", False)
    monkeypatch.setenv("FMWATCH_MAX_ATTEMPTS", "1")
    # a server that is down answers 503 to every request (an unreachable host is reported once, by
    # name, without requests: tests/test_http_unreachable.py)
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data("down", status=503)
    httpserver.expect_request("/eutils/elink.fcgi").respond_with_data("down", status=503)
    monkeypatch.setenv("FMWATCH_EUTILS_URL", httpserver.url_for("/eutils/"))
    result = runner.invoke(app, ["--db", str(tmp_path / "w.duckdb"), "run", "--source", "pubmed"])
    assert result.exit_code == 1
    assert result.output.count("NCBI_EMAIL is not set") == 1
    error = next(line for line in result.output.splitlines() if line.startswith("error:"))
    # every watch fails on its own, and each names its request by a short URL
    parts = error.split("pubmed watch ")[1:]
    assert len(parts) == 3 and all("esearch.fcgi?db=pubmed&term=(fibromyalgia[MeSH Terms…(" in p for p in parts)
    assert all(len(p) < 300 for p in parts)
    again = settings_module.missing_email_warning(cli.load_settings(None), offline=False, sources=["pubmed"])
    assert again is None  # once per process
    monkeypatch.setenv("NCBI_EMAIL", "editor@example.org")
    monkeypatch.setattr(settings_module, "_email_warned", False)
    assert settings_module.missing_email_warning(cli.load_settings(None), offline=False, sources=["pubmed"]) is None


def test_short_urls_keep_host_path_and_parameter_names():
    from fmwatch.urls import short_url, shorten_urls

    term = "(fibromyalgia[MeSH Terms] OR fibromyalgia[tiab]) AND (magnesium[MeSH Terms] OR magnesium[tiab])"
    url = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi?db=pubmed&term=" + term.replace(" ", "+") + "&retmax=0"
    short = short_url(url)
    assert short.startswith("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi?db=pubmed&term=")
    assert short.endswith(f"…({len(term)} chars)&retmax=0") and len(short) < 130
    assert short_url("https://example.org/a") == "https://example.org/a"
    assert shorten_urls(f"GET {url}. Retrying") == f"GET {short}. Retrying"


def test_flags_of_a_withdrawn_record_are_listed_with_state_withdrawn(db, tmp_path):
    before = states(db)
    withdrawn = sorted(i for i in before if i.startswith("pubmed:99000104/"))
    assert withdrawn
    # a file of ours (written here): PubMed's DeleteCitation of the record
    deletion = tmp_path / "deletecitation.xml"
    deletion.write_text('<?xml version="1.0"?><PubmedArticleSet><DeleteCitation><PMID Version="1">99000104</PMID>'
                        '</DeleteCitation></PubmedArticleSet>', encoding="utf-8")
    assert fm(db, "import", str(deletion), "--offline").exit_code == 0
    assert fm(db, "flags", "--format", "json").exit_code == 0
    assert set(states(db)) == set(before) - set(withdrawn)  # they left the open list...
    listed = json.loads(fm(db, "flags", "--state", "withdrawn", "--format", "json").stdout)
    assert sorted(row["id"] for row in listed) == withdrawn  # ...and are listed by --state withdrawn
    assert all(row["state"] == "withdrawn" and "DeleteCitation" in row["state_reason"] for row in listed)
