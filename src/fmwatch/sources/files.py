"""Local files: PubMed XML (``.xml``, ``.xml.gz``), MEDLINE "Save" exports, saved article pages
(``.html``) and print views (``.txt``).

Each file is read on its own: whatever goes wrong with one (not gzip, cut off, too big, a bomb,
bytes in no known encoding) ends in one ``Quarantined`` item that names the file and the reason,
and the next file is read as usual. Records read before a file went wrong are kept.

Limits, per file (README, "Reliability and security"):

- PubMed XML streams (lxml ``iterparse``), so its size only costs time, up to
  ``MAX_DECOMPRESSED_BYTES`` (2 GiB) read. A malformed document is re-read record by record
  only up to ``MAX_RECOVERY_BYTES`` (128 MiB), which that re-read holds in memory; a larger
  broken document is quarantined whole.
- A ``.gz`` file may expand ``MAX_RATIO`` (100) times its compressed size, checked as it is read
  once ``RATIO_FLOOR`` (8 MiB) has come out: a gzip bomb stops within a few MB. (PubMed's own
  ``.xml.gz`` files expand about 8 times.)
- MEDLINE text streams too: it is decoded incrementally and handed to Biopython's reader
  ``MEDLINE_BATCH_BYTES`` (4 MiB) of whole records at a time; a "record" over ``MAX_RECORD_BYTES``
  (8 MiB) means the file is not MEDLINE, and it is refused there.
- Pages and print views are read whole: over ``MAX_PAGE_BYTES`` (5 MB) they are refused before
  they are read.
- Measured (bench/hostile_inputs.py): peak RSS under 400 MB for a 2 GB file of any kind and for a
  4 MB gzip bomb of 4 GB.
- The bytes kept with a quarantined file are its first ``QUARANTINE_KEEP_BYTES`` (1 MiB) as on disk.

Encodings: XML says its own (BOM or XML declaration; lxml reads both). Text is decoded strictly:
a BOM, then the page's ``<meta charset>`` or XML declaration, then UTF-8, then a detector
(charset-normalizer) for what is not UTF-8, such as a Latin-1 MEDLINE export. Bytes that no
encoding explains are reported (offset and byte), never replaced with U+FFFD.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from ..parse.fmnetwork import NotAnArticle, is_print_view, parse_fm_file
from ..parse.medline import iter_medline
from ..parse.pubmed_xml import NotPubmedXml, iter_pubmed_xml
from ..settings import FMNETWORK_KNOWN_HOSTS
from ..records import ArticleRecord, Deletion, FmArticle, Quarantined, error_text, quarantine_reason
from .article_page import read_article_page

MAX_DECOMPRESSED_BYTES = 2 * 1024 ** 3
MAX_RECOVERY_BYTES = 128 * 1024 ** 2
MAX_RATIO = 100
RATIO_FLOOR = 8 * 1024 ** 2
MEDLINE_BATCH_BYTES = 4 * 1024 ** 2
MAX_RECORD_BYTES = 8 * 1024 ** 2
ENCODING_SAMPLE_BYTES = 4 * 1024 ** 2
MAX_PAGE_BYTES = 5 * 1024 * 1024
QUARANTINE_KEEP_BYTES = 1024 ** 2
HEAD_BYTES = 256 * 1024  # a print view's "Article printed from" sits near its end

# Corrupt or cut-off compressed data, as gzip and zlib report it.
_READ_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


class FileRefused(ValueError):
    """A file (or what it expands to) is over a stated limit, or its bytes fit no encoding."""


def detect_format(path: Path, head: bytes) -> str:
    """pubmed-xml, medline, fm-page, fm-print or unknown, from the first bytes (and the name)."""
    for bom, encoding in _BOMS[1:]:  # UTF-16/32 text: look at it as UTF-8 (detection only)
        if head.startswith(bom):
            head = head[: len(head) // 4 * 4].decode(encoding, "replace").encode("utf-8")
            break
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    lowered = text[:4096].lower()
    if b"<html" in lowered or lowered.startswith(b"<!doctype html"):
        return "fm-page"
    if text.startswith(b"<?xml") or text.startswith(b"<!DOCTYPE Pubmed") or text.startswith(b"<Pubmed"):
        return "pubmed-xml"
    if text.startswith(b"PMID-") or text[:5] == b"PMID ":
        return "medline"
    if is_print_view(head.decode("utf-8", "replace")):  # detection only: the text is decoded strictly later
        return "fm-print"
    if path.suffix.lower() in (".html", ".htm"):
        return "fm-page"
    return "unknown"


class _BoundedReader(io.RawIOBase):
    """A reader that refuses to yield more than ``limit`` bytes, or (``compressed``, a gzip file's
    underlying file) more than ``MAX_RATIO`` times the compressed bytes consumed.

    ``seek(0)`` starts a second pass (the XML parser's record-by-record recovery), which may read
    at most ``MAX_RECOVERY_BYTES``: that pass holds what it reads in memory.
    """

    def __init__(self, inner, limit: int, name: str, compressed=None):
        self.inner, self.limit, self.name, self.compressed = inner, limit, name, compressed
        self.read_so_far = 0
        self.passes = 1

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            if self.passes > 1:
                raise FileRefused(f"{self.name}: malformed, and too large to re-read record by record "
                                  f"(over {self.limit} bytes); fix or re-download the file")
            raise FileRefused(f"{self.name}: decompresses to more than {self.limit} bytes" if self.compressed
                              else f"{self.name}: over the {self.limit} byte limit")
        if self.compressed is not None and self.read_so_far > RATIO_FLOOR:
            consumed = max(self.compressed.tell(), 1)
            if self.read_so_far > MAX_RATIO * consumed:
                raise FileRefused(f"{self.name}: expands more than {MAX_RATIO} times its compressed size "
                                  f"({self.read_so_far} bytes out of {consumed}): a gzip bomb? It is not read further")
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        if (offset, whence) == (0, 0) and self.read_so_far > HEAD_BYTES:
            self.passes += 1
            self.limit = min(self.limit, MAX_RECOVERY_BYTES)
        self.read_so_far = 0
        return self.inner.seek(offset, whence)

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self.inner.close()
        super().close()


def _open_bytes(path: Path) -> io.BufferedReader:
    """The file's bytes (decompressed for ``.gz``), bounded as the module docstring says."""
    raw = open(path, "rb")
    if path.suffix.lower() == ".gz":
        return io.BufferedReader(_BoundedReader(gzip.GzipFile(fileobj=raw, mode="rb"), MAX_DECOMPRESSED_BYTES,
                                                path.name, compressed=raw))
    return io.BufferedReader(_BoundedReader(raw, MAX_DECOMPRESSED_BYTES, path.name))


def _read_all(handle, limit: int, path: Path, what: str) -> bytes:
    if path.suffix.lower() != ".gz" and path.stat().st_size > limit:
        raise FileRefused(f"{what} of {path.stat().st_size} bytes, over the {limit} byte limit for {what}s "
                          "(read whole); split the export into smaller files")
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(f"{what} expands to over the {limit} byte limit for {what}s (read whole); "
                          "split the export into smaller files")
    return data


_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
_DECLARED = re.compile(rb"""<meta[^>]+charset=["']?([\w.:-]+)|<\?xml[^>]+encoding=["']([\w.:-]+)""", re.I)


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding) of a text file's bytes, decoded strictly.

    In order: a byte-order mark; the encoding the document declares (``<meta charset>``, an XML
    declaration); UTF-8; what charset-normalizer detects. Raises :class:`FileRefused` naming the
    first undecodable byte and its offset when nothing fits: bytes are never replaced.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, name), encoding
    declared = _DECLARED.search(data[:4096])
    if declared:
        encoding = (declared.group(1) or declared.group(2)).decode("ascii", "replace")
        try:
            codecs.lookup(encoding)
        except LookupError:
            encoding = None
        if encoding:
            return _strict(data, encoding, name), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        first_error = error
    from charset_normalizer import from_bytes
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    bad = data[first_error.start:first_error.start + 1]
    raise FileRefused(f"{name}: byte 0x{bad.hex()} at offset {first_error.start} is not UTF-8, and no other "
                      "encoding explains the file; save it as UTF-8 and import it again")


def iter_medline_file(handle, name: str, origin: str) -> Iterator[ArticleRecord | Quarantined]:
    """The records of a MEDLINE text file, streamed: memory is bounded by ``MEDLINE_BATCH_BYTES``
    and ``MAX_RECORD_BYTES``, whatever the file's size.

    The encoding is chosen on the first ``ENCODING_SAMPLE_BYTES`` (:func:`decode_text`) and the
    whole file is decoded strictly with it: a byte it cannot decode further on raises
    :class:`FileRefused` with its offset (the records before it stand).
    """
    sample = handle.read(ENCODING_SAMPLE_BYTES)
    encoding = _sample_encoding(sample, name)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    pending, offset, chunk = "", 0, sample
    while True:
        try:
            pending += decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            at = offset + error.start
            try:  # the whole records before the bad byte stand
                pending += chunk[:error.start].decode(encoding)
            except UnicodeDecodeError:
                pass
            cut = max(pending.rfind("\n\n"), pending.rfind("\n\r\n"))
            if cut > 0:
                yield from iter_medline(pending[:cut].encode("utf-8"), origin)
            raise FileRefused(f"{name}: byte 0x{chunk[error.start:error.start + 1].hex()} at offset {at} is not "
                              f"{encoding} (the encoding of the file's start); save the file as UTF-8 and import "
                              "it again") from None
        offset += len(chunk)
        cut = max(pending.rfind("\n\n"), pending.rfind("\n\r\n")) if chunk else len(pending)
        if cut > 0 and (len(pending) >= MEDLINE_BATCH_BYTES or not chunk):
            yield from iter_medline(pending[:cut].encode("utf-8"), origin)
            pending = pending[cut:]
        elif len(pending) > MAX_RECORD_BYTES:
            raise FileRefused(f"{name}: over {MAX_RECORD_BYTES} bytes without a blank line between records: "
                              "not a MEDLINE export")
        if not chunk:
            return
        chunk = handle.read(1024 * 1024)


def _sample_encoding(sample: bytes, name: str) -> str:
    """The encoding of a file judged on its first bytes (which may end inside a character)."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    return decode_text(sample[: len(sample) - 3] if len(sample) >= ENCODING_SAMPLE_BYTES else sample, name)[1]


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        bad = data[error.start:error.start + 1]
        raise FileRefused(f"{name}: byte 0x{bad.hex()} at offset {error.start} is not {encoding}, as the file "
                          "says it is; save it in that encoding (or as UTF-8) and import it again") from None


def _kept_bytes(path: Path) -> tuple[bytes, str]:
    """The first bytes of the file as on disk (compressed, for a .gz), and a note if cut."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        kept = handle.read(QUARANTINE_KEEP_BYTES)
    return kept, ("" if size <= QUARANTINE_KEEP_BYTES else f" (the first {len(kept)} of its {size} bytes are kept)")


NETWORK_HOSTS = frozenset(h.lower().removeprefix("www.") for h in FMNETWORK_KNOWN_HOSTS)  # (as _another_site compares)


def _another_site(url: str | None) -> bool:
    """Whether a page's own URL (canonical or og:url) names a host that is not the Fibromyalgia
    Network's (``settings.FMNETWORK_KNOWN_HOSTS``, "www." ignored). False without a URL: a saved page
    that names no address is taken at its markup's word."""
    if not url:
        return False
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return bool(host) and host not in NETWORK_HOSTS


def read_saved_page(text: str, kind: str) -> FmArticle:
    """A saved page or print view: the Fibromyalgia Network's own markup first (WordPress, the PHP
    site, WP-Print), then, for an HTML page from any other site, its article as trafilatura reads it
    (``article_page.read_article_page``, generation "page"). A WordPress page whose own URL is another
    site's (a blog on WordPress, not the Network) is read as that site's page, not as the Network's.
    Raises ``NotAnArticle`` with both readers' reasons when neither finds an article."""
    try:
        article = parse_fm_file(text)
    except NotAnArticle as not_fm:
        if kind != "fm-page" or is_print_view(text):
            raise
        try:
            return read_article_page(text)
        except NotAnArticle as not_page:
            raise NotAnArticle(f"{not_fm}; and {not_page}") from None
    if kind == "fm-page" and _another_site(article.url):
        return read_article_page(text)
    return article


def iter_file_items(path: Path) -> Iterator[ArticleRecord | Deletion | FmArticle | Quarantined]:
    """Every record of one local file; whatever stops the file is one quarantined item naming it.

    Records yielded before the file went wrong stand; the quarantined item says why the rest did not.
    """
    path = Path(path)
    origin = str(path.resolve())
    try:
        with _open_bytes(path) as handle:
            head = handle.read(HEAD_BYTES)
            handle.seek(0)
            kind = detect_format(path, head)
            if kind == "pubmed-xml":
                yield from iter_pubmed_xml(handle, origin=origin)
            elif kind == "medline":
                yield from iter_medline_file(handle, path.name, origin)
            elif kind in ("fm-page", "fm-print"):
                text, _ = decode_text(_read_all(handle, MAX_PAGE_BYTES, path, "page"), path.name)
                yield read_saved_page(text, kind)
            else:
                raise ValueError("not a recognised format (PubMed XML, MEDLINE text, an article page or print view)")
    except (NotPubmedXml, NotAnArticle, ValueError) as error:
        kept, note = _kept_bytes(path)
        yield Quarantined("file", origin, quarantine_reason(path.name, error) + note, kept)
    except _READ_ERRORS as error:
        kept, note = _kept_bytes(path)
        yield Quarantined("file", origin, quarantine_reason(
            path.name, f"cannot be read as {'gzip' if path.suffix == '.gz' else 'a file'} ({error_text(error)}), "
            "it is corrupt or cut off: download it again") + note, kept)
    except OSError as error:  # unreadable (permissions, a directory, an I/O error): this file only
        yield Quarantined("file", origin, quarantine_reason(path.name, f"cannot be read ({error_text(error)})"), b"")

