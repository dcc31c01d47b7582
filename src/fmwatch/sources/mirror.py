"""A local PubMed mirror as a source: NLM's annual baseline and daily update files.

NLM publishes PubMed as gzipped PubMed XML files (``pubmed26n0001.xml.gz`` ...) under
``<base>/baseline/`` (the annual baseline, 1,334 files for 2026) and ``<base>/updatefiles/`` (one or
more a day), each with an ``.md5`` file beside it holding ``MD5(<name>)= <hex digest>``
(https://pubmed.ncbi.nlm.nih.gov/download/). A file is applied in order, baseline first, then the
updates by number: within a file the last version of a PMID wins, and ``<DeleteCitation>`` removes
PMIDs from the mirror (the deletions come at the end of an update file).

This module is the source only: it lists the files (reading the directory listing page), downloads
one with its md5 checked, and refuses a file whose md5 does not match or whose gzip stream is cut
short, naming it. Parsing is ``parse.pubmed_xml``'s and storage the warehouse's; the pipeline
composes them (``pipeline.sync_mirror``).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import lxml.html

from ..http import Fetcher, FetchError

# NLM's names: pubmed<yy>n<nnnn>.xml.gz, the same pattern in baseline/ and updatefiles/
FILE_NAME = re.compile(r"^pubmed(\d{2})n(\d{4})\.xml\.gz$")
FOLDERS = (("baseline", "baseline/"), ("update", "updatefiles/"))
_MD5_LINE = re.compile(r"MD5\s*\(\s*(?P<name>[^)]+?)\s*\)\s*=\s*(?P<digest>[0-9a-fA-F]{32})")
MAX_FILE_BYTES = 1024 * 1024 * 1024  # a baseline file is about 30-40 MB gzipped; NLM's largest stay far below this


class MirrorFileRefused(FetchError):
    """A bulk file was not ingested: its md5 does not match, its gzip is cut short, or it has no
    md5 file. The message names the file; nothing of it was written."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: refused, {reason}; nothing of it was ingested")
        self.name, self.reason = name, reason

    def __reduce__(self):  # raised in a worker process, re-raised in the publisher
        return type(self), (self.name, self.reason)


@dataclass(frozen=True, order=True)
class BulkFile:
    """One of NLM's bulk files: baseline before update, then by number (the order they apply in)."""

    kind_rank: int  # 0 baseline, 1 update
    number: int
    name: str
    url: str
    md5_url: str

    @property
    def kind(self) -> str:
        return FOLDERS[self.kind_rank][0]


def parse_listing(html: bytes, page_url: str) -> list[tuple[str, str]]:
    """(file name, absolute URL) of every link on a directory listing page, in page order."""
    root = lxml.html.fromstring(html)
    links = []
    for href in root.xpath("//a/@href"):
        name = href.rsplit("/", 1)[-1]
        if name:
            links.append((name, urljoin(page_url, href)))
    return links


def parse_md5(text: str, name: str) -> str:
    """The hex digest an NLM ``.md5`` file gives for ``name``: ``MD5(name)= digest`` (or a bare
    ``digest  name`` line as md5sum writes). Raises MirrorFileRefused when there is none."""
    for match in _MD5_LINE.finditer(text):
        if match["name"] == name:
            return match["digest"].lower()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 1 and re.fullmatch(r"[0-9a-fA-F]{32}", parts[0]) and (len(parts) == 1 or parts[-1].lstrip("*") == name):
            return parts[0].lower()
    raise MirrorFileRefused(name, "its .md5 file gives no digest for it")


class PubmedMirrorSource:
    """NLM's bulk files under ``base_url`` (``baseline/`` and ``updatefiles/``), through a Fetcher."""

    def __init__(self, fetcher: Fetcher, base_url: str):
        self.fetcher = fetcher
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"

    def list_files(self) -> list[BulkFile]:
        """Every bulk file the listing pages show, in the order to apply them. A file listed without
        its ``.md5`` beside it is still listed: ``download`` refuses it by name."""
        files = []
        for rank, (_, folder) in enumerate(FOLDERS):
            page = self.base_url + folder
            try:
                body = self.fetcher.request("GET", page, archive=False).content
            except FetchError as error:
                if rank == 1 and "HTTP 404" in str(error):  # a mirror of the baseline alone
                    continue
                raise
            links = dict(parse_listing(body, page))
            for name, url in links.items():
                match = FILE_NAME.match(name)
                if match:
                    files.append(BulkFile(rank, int(match[2]), name, url, links.get(name + ".md5", url + ".md5")))
        return sorted(files)

    def download(self, file: BulkFile, folder: Path) -> tuple[Path, str, int]:
        """Fetch ``file`` into ``folder`` and check it: (path, md5 hex digest, bytes).

        Raises MirrorFileRefused, naming the file, when its md5 does not match the ``.md5`` file's.
        A gzip stream cut short on the server (whose md5 then matches) is caught by the parse,
        which reads the stream to its end: see ``refuse_unreadable``.
        """
        try:
            expected = parse_md5(self.fetcher.request("GET", file.md5_url, archive=False).text, file.name)
        except FetchError as error:
            if isinstance(error, MirrorFileRefused):
                raise
            raise MirrorFileRefused(file.name, f"its .md5 file could not be read ({error})") from None
        body = self.fetcher.request("GET", file.url, archive=False).content
        digest = hashlib.md5(body).hexdigest()
        if digest != expected:
            raise MirrorFileRefused(file.name, f"md5 {digest} does not match {expected} from {file.name}.md5")
        path = folder / file.name
        path.write_bytes(body)
        return path, digest, len(body)


# What reading a gzip stream that is cut short or corrupt raises (gzip.BadGzipFile is an OSError).
UNREADABLE_GZIP = (EOFError, zlib.error, gzip.BadGzipFile)


def refuse_unreadable(name: str, error: Exception) -> MirrorFileRefused:
    """The refusal of a file whose gzip stream could not be read to its end."""
    return MirrorFileRefused(name, f"not a whole gzip file ({error})")


def iter_new(files: list[BulkFile], done: set[str]) -> Iterator[BulkFile]:
    """The files not yet ingested, in order. A file older than one already ingested (a baseline
    file after its updates) is still yielded: the caller decides what a gap means."""
    return (f for f in files if f.name not in done)
