"""Quarantine reasons: one line, one shape ("<what>: <why>"), no Python reprs, class names or tracebacks.
Every input here is written by the test (invented records), so nothing is copied from ../shared."""

from __future__ import annotations

import gzip
import re

from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.records import Quarantined
from fmwatch.sources.files import iter_file_items
from fmwatch.warehouse import Warehouse

RECORD = ("<PubmedArticle><MedlineCitation><PMID Version=\"1\">{pmid}</PMID><Article><Journal><Title>Invented "
          "Journal</Title></Journal><ArticleTitle>{title}</ArticleTitle></Article></MedlineCitation></PubmedArticle>")


def write_inputs(folder):
    """Four bad inputs and a good record: a cut-off gzip, a record with a broken tag, a MEDLINE record
    without a PMID, a record whose PMID is not a number."""
    whole = gzip.compress(b'<?xml version="1.0"?><PubmedArticleSet>' + RECORD.format(pmid=71000001, title="A").encode()
                          + b"</PubmedArticleSet>")
    (folder / "cut.xml.gz").write_bytes(whole[: len(whole) // 2])
    (folder / "broken.xml").write_text(
        '<?xml version="1.0"?>\n<PubmedArticleSet>' + RECORD.format(pmid=71000002, title="Good record.")
        + RECORD.format(pmid=71000003, title="Broken <i>tag.</b>") + "</PubmedArticleSet>")
    (folder / "med.txt").write_text("PMID- 71000004\nTI  - A record.\n\nPMID- \nTI  - Another record,\n      with no PMID.\n")
    (folder / "letters.xml").write_text('<?xml version="1.0"?>\n<PubmedArticleSet>' + RECORD.format(pmid="7100x", title="T")
                                        + "</PubmedArticleSet>")
    return [folder / name for name in ("cut.xml.gz", "broken.xml", "med.txt", "letters.xml")]


def reasons(paths):
    return [item.reason for path in paths for item in iter_file_items(path) if isinstance(item, Quarantined)]


def test_each_reason_names_its_input_then_says_why_in_plain_words(tmp_path):
    assert reasons(write_inputs(tmp_path)) == [
        "cut.xml.gz: cannot be read as gzip (Compressed file ended before the end-of-stream marker was reached), "
        "it is corrupt or cut off: download it again",
        "broken.xml, PMID 71000003: malformed XML (Opening and ending tag mismatch: i line 1 and b, line 1, column 157)",
        "med.txt, a MEDLINE record: MEDLINE record has no numeric PMID",
        'letters.xml, PMID 7100x: PMID is not a number: "7100x"',
    ]


def test_no_reason_holds_a_repr_a_class_name_or_a_second_line(tmp_path):
    for reason in reasons(write_inputs(tmp_path)):
        assert "\n" not in reason and "<string>" not in reason and not re.search(r"\b\w+Error\b|\w+\(['\"]", reason)
        assert re.match(r"[\w.-]+(, (PMID \w+|a [\w ]+))?: \S", reason), reason


def test_reasons_are_one_line_and_exceptions_are_read_as_words():
    from fmwatch.records import error_text, quarantine_reason
    assert Quarantined("file", "x", "first line\n   second line (<string>, line 3)", b"").reason == "first line second line"
    assert error_text(KeyError("PMID")) == "no PMID" and error_text(IsADirectoryError(21, "Is a directory")) == "Is a directory"
    assert quarantine_reason("a.xml", ValueError("a.xml: no title")) == "a.xml: no title"  # named once
    assert quarantine_reason("a.xml, PMID 5", ValueError("no\ntitle")) == "a.xml, PMID 5: no title"


def test_the_import_summary_and_the_quarantine_view_say_the_same_once(tmp_path):
    paths = write_inputs(tmp_path)
    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(app, ["--db", str(db), "import", *map(str, paths)])
    assert result.exit_code == 3, result.output
    with Warehouse.open(db, read_only=True) as wh:
        stored = sorted(r[0] for r in wh.con.execute("select reason from quarantine").fetchall())
    assert stored == sorted(reasons(paths))
    said = " ".join(result.output.split())  # the summary wraps to the terminal
    broken = str((tmp_path / "broken.xml").resolve())
    assert f"quarantined {broken}: PMID 71000003: malformed XML (Opening and ending tag mismatch" in said
    assert f"quarantined {(tmp_path / 'cut.xml.gz').resolve()}: cannot be read as gzip" in said
