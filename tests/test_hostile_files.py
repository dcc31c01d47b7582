"""Hostile local files (generated here, in a temp dir; the records are written by the team): each bad
file in a mixed import is quarantined by name with its reason while the good ones load; reads are
bounded in size and in decompression; encodings are detected and undecodable bytes reported."""

from __future__ import annotations

import gzip
import resource
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.records import ArticleRecord, FmArticle, Quarantined
from fmwatch.sources import files
from fmwatch.sources.files import FileRefused, decode_text, iter_file_items
from fmwatch.warehouse import Warehouse

from .conftest import DATA, PUBMED_XML_FILES

runner = CliRunner()

# A MEDLINE record written by us, with accented names and words in its title and abstract.
MEDLINE_ACCENTS = """PMID- 90000071
OWN - NLM
STAT- MEDLINE
DP  - 2021 Mar
TI  - Magnésium oral et fibromyalgie : étude pilote à Besançon.
AB  - Une étude ouverte de huit semaines chez des patientes atteintes de fibromyalgie a
      comparé le citrate de magnésium à un placebo ; la douleur a diminué, et le
      sommeil s'est amélioré chez la moitié des sujets, selon Müller et Pérez.
FAU - Pérez, Ángela
AU  - Pérez Á
FAU - Müller, Jürgen
AU  - Müller J
LA  - fre
PT  - Journal Article
TA  - Rev Rhum
JT  - Revue du rhumatisme
EDAT- 2021/03/05 06:00
MHDA- 2021/03/05 06:01
CRDT- 2021/03/04 08:00
PHST- 2021/03/04 08:00 [entrez]
SO  - Rev Rhum. 2021 Mar;88(2):101-105.

"""


def items(path):
    return list(iter_file_items(path))


def test_a_latin_1_medline_export_keeps_its_accents(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(MEDLINE_ACCENTS.encode("latin-1"))
    (record,) = items(path)
    assert isinstance(record, ArticleRecord)
    assert record.title == "Magnésium oral et fibromyalgie : étude pilote à Besançon."
    assert "\ufffd" not in record.abstract and "Müller et Pérez" in record.abstract


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_unicode_medline_exports_with_or_without_a_bom(tmp_path, encoding):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(MEDLINE_ACCENTS.encode(encoding))
    (record,) = items(path)
    assert record.title.startswith("Magnésium oral")


def test_bytes_no_encoding_explains_are_reported_not_replaced():
    data = "TI  - Magnésium".encode("utf-8") + b"\n" + bytes(range(0x80, 0xA0)) * 4 + b"\xff\xfe\x00\xd8"
    with pytest.raises(FileRefused) as refused:
        decode_text(b"<meta charset='utf-8'>" + data, "odd.html")
    assert "byte 0x" in str(refused.value) and "offset" in str(refused.value) and "is not utf-8" in str(refused.value)


def test_a_declared_page_encoding_is_used(tmp_path):
    page = (DATA / "php_article.html").read_text(encoding="utf-8")
    page = page.replace("<head>", '<head><meta charset="windows-1252">', 1).replace(
        "Minerals in Hair Samples", "Minerals in Hair Samples \u2013 a caf\u00e9 study", 1)
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("cp1252", errors="strict"))
    (article,) = items(path)
    assert isinstance(article, FmArticle) and article.title == "Minerals in Hair Samples \u2013 a caf\u00e9 study"


def test_a_mixed_import_quarantines_each_bad_file_by_name_and_loads_the_good_ones(tmp_path, db_path):
    good_xml = PUBMED_XML_FILES[3]
    good_gz = tmp_path / "good.xml.gz"
    good_gz.write_bytes(gzip.compress(good_xml.read_bytes()))
    not_gzip = tmp_path / "not-really.xml.gz"
    not_gzip.write_bytes(good_xml.read_bytes())
    cut_gzip = tmp_path / "cut-off.xml.gz"
    cut_gzip.write_bytes(gzip.compress(good_xml.read_bytes())[:-200])
    bomb = tmp_path / "bomb.xml.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        handle.write(b"<?xml version='1.0'?><PubmedArticleSet>")
        for _ in range(64):
            handle.write(b" " * (1024 * 1024))  # 64 MB of nothing, about 64 kB packed
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(MEDLINE_ACCENTS.encode("latin-1"))
    odd = tmp_path / "odd.txt"
    odd.write_bytes(b"\x00\x01binary" * 10)

    paths = [good_xml, not_gzip, good_gz, cut_gzip, bomb, latin1, odd]
    result = runner.invoke(app, ["--db", str(db_path), "import", *map(str, paths)], catch_exceptions=False)
    assert result.exit_code == 3, result.output  # done, with quarantined input
    with Warehouse.open(db_path, read_only=True) as wh:
        pmids = {p for (p,) in wh.con.execute("select pmid from articles").fetchall()}
        reasons = dict(wh.con.execute("select origin, reason from quarantine").fetchall())
    assert "90000071" in pmids and len(pmids) == 2  # the XML record (plain and gzip: one record) and MEDLINE
    by_name = {origin.rsplit("/", 1)[-1]: reason for origin, reason in reasons.items()}
    assert set(by_name) == {"not-really.xml.gz", "cut-off.xml.gz", "bomb.xml.gz", "odd.txt"}
    # (session 23: the reason says gzip's words, not its exception's class name, BadGzipFile)
    assert by_name["not-really.xml.gz"].startswith('not-really.xml.gz: cannot be read as gzip (Not a gzipped file ("<?"))')
    assert "corrupt or cut off" in by_name["cut-off.xml.gz"]
    assert by_name["bomb.xml.gz"].startswith("bomb.xml.gz: expands more than 100 times its compressed size")
    assert by_name["odd.txt"].startswith("odd.txt: not a recognised format")


def test_a_big_medline_file_streams_in_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MEDLINE_BATCH_BYTES", 3000)
    monkeypatch.setattr(files, "ENCODING_SAMPLE_BYTES", 1000)
    path = tmp_path / "many.txt"
    path.write_bytes("".join(MEDLINE_ACCENTS.replace("90000071", str(90000100 + n)) for n in range(40)).encode())
    found = items(path)
    assert [r.pmid for r in found] == [str(90000100 + n) for n in range(40)]
    assert all(r.title.startswith("Magnésium oral") for r in found)


def test_a_bad_byte_past_the_encoding_sample_is_reported_with_its_offset(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MEDLINE_BATCH_BYTES", 3000)
    monkeypatch.setattr(files, "ENCODING_SAMPLE_BYTES", 1000)
    utf8 = "".join(MEDLINE_ACCENTS.replace("90000071", str(90000100 + n)) for n in range(10)).encode()
    path = tmp_path / "mixed.txt"
    path.write_bytes(utf8 + MEDLINE_ACCENTS.encode("latin-1"))
    found = items(path)
    assert [r.pmid for r in found[:-1]] == [str(90000100 + n) for n in range(10)]  # the records before it stand
    offset = len(utf8) + MEDLINE_ACCENTS.encode("latin-1").index("é".encode("latin-1"))
    assert found[-1].reason.startswith(f"mixed.txt: byte 0xe9 at offset {offset} is not utf-8")


def test_a_text_file_without_record_breaks_is_refused_at_the_record_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_RECORD_BYTES", 100_000)
    path = tmp_path / "endless.txt"
    path.write_bytes(b"PMID- 1\nTI  - x\n" + b"AB  - words\n" * 50_000)
    (item,) = items(path)
    assert "over 100000 bytes without a blank line between records: not a MEDLINE export" in item.reason


def test_a_large_unknown_file_keeps_only_its_first_megabyte(tmp_path):
    path = tmp_path / "huge.bin"
    with open(path, "wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # 300 MB of zeros (sparse: costs no disk)
    (item,) = items(path)
    assert isinstance(item, Quarantined) and len(item.raw) == files.QUARANTINE_KEEP_BYTES
    assert f"the first {files.QUARANTINE_KEEP_BYTES} of its {300 * 1024 * 1024} bytes are kept" in item.reason


def test_a_broken_document_over_the_recovery_limit_is_quarantined_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_RECOVERY_BYTES", 400_000)
    path = tmp_path / "broken.xml"
    good = PUBMED_XML_FILES[3].read_bytes()
    path.write_bytes(good.replace(b"</PubmedArticleSet>", b"") + b"<broken" + b" x" * 300_000)
    found = items(path)
    assert isinstance(found[-1], Quarantined) and "too large to re-read record by record" in found[-1].reason


def test_the_gzip_bomb_is_refused_within_a_few_megabytes_of_memory(tmp_path):
    # 1 GB of zeros packed into about 1 MB: the bound stops it after RATIO_FLOOR, in a process of its own.
    bomb = tmp_path / "bomb.xml.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        handle.write(b"<?xml version='1.0'?><PubmedArticleSet>")
        block = b"\0" * (16 * 1024 * 1024)
        for _ in range(64):
            handle.write(block)
    code = ("import resource, sys; from fmwatch.sources.files import iter_file_items; "
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
            f"items = list(iter_file_items({str(bomb)!r})); "
            "print(items[-1].reason); "
            "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    reason, grown_mb = out.stdout.strip().splitlines()
    assert "expands more than 100 times" in reason
    assert int(grown_mb) < 64, f"memory grew by {grown_mb} MB"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0
