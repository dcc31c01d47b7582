"""The pipeline: sources -> parse -> warehouse, as one run.

This is the only module that knows every stage. The CLI and the Prefect flows call
these functions; the stages never call back into here.
"""

from __future__ import annotations

import gzip
import io
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from . import __version__
from .http import FetchError, Fetcher, RecordingAdapter, ReplayAdapter, shared_limiter
from .parse.medline import iter_medline
from .parse.pubmed_xml import NotPubmedXml, iter_pubmed_xml
from .records import ArticleRecord, Deletion, Quarantined
from .settings import Settings, Watch
from .sources.pubmed import EutilsClient, SearchResult
from .warehouse import PublishResult, RunInfo, Warehouse, new_run_id

log = logging.getLogger("fmwatch.pipeline")

STAGE_BATCH = 1000  # records staged per commit on imports
MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024  # decompressed, per file: a gzip bomb stops here

ProgressCallback = Callable[[str, int, int | None], None]  # (what, done, total)


class RunFailed(RuntimeError):
    """A run stopped; nothing it fetched was published. The message names the step."""


@dataclass
class RunSummary:
    run_id: str
    command: str
    status: str
    published: PublishResult | None = None
    requests: int = 0
    watches: dict[str, int] = field(default_factory=dict)  # watch -> records fetched
    quarantined: list[Quarantined] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 3 if self.quarantined else 0


def _noop(what: str, done: int, total: int | None) -> None:
    pass


# --- PubMed -------------------------------------------------------------------------------------

def snapshot_folder(name: str) -> Path:
    """The recorded responses shipped in the package for offline runs."""
    return Path(str(resources.files("fmwatch.snapshot").joinpath(name)))


def make_fetcher(settings: Settings, source: str, *, offline: bool, rate: float | None = None,
                 throttle: Callable[[], None] | None = None) -> Fetcher:
    transport = None
    if offline:
        transport = ReplayAdapter(snapshot_folder(source))
    elif settings.record_dir:
        transport = RecordingAdapter(settings.record_dir / source)
    contact = settings.ncbi_email or "https://github.com/fmwatch"
    if throttle is None and rate:
        throttle = shared_limiter(source, rate).acquire
    return Fetcher(
        user_agent=f"fmwatch/{__version__} (+{contact})",
        throttle=throttle,
        max_attempts=settings.max_attempts,
        backoff_seconds=settings.backoff_seconds,
        timeout_seconds=settings.timeout_seconds,
        transport=transport,
    )


def make_eutils_client(settings: Settings, *, offline: bool = False,
                       throttle: Callable[[], None] | None = None) -> EutilsClient:
    fetcher = make_fetcher(settings, "eutils", offline=offline, rate=settings.rate_limit, throttle=throttle)
    return EutilsClient(
        fetcher, settings.eutils_url,
        api_key=settings.ncbi_api_key.get_secret_value() if settings.ncbi_api_key else None,
        email=settings.ncbi_email, tool=settings.ncbi_tool, batch_size=settings.efetch_batch_size,
    )


def watch_window(warehouse: Warehouse, watch: Watch, settings: Settings, since: date | None,
                 today: date) -> tuple[date | None, date]:
    """(mindate, maxdate) of a watch's incremental search; mindate None means backfill all."""
    if since:
        return since, today
    mark = warehouse.watermark("pubmed", watch.name, watch.query)
    if mark is None:
        return None, today
    return mark - timedelta(days=settings.overlap_days), today


def fetch_watch(client: EutilsClient, warehouse: Warehouse, run_id: str, watch: Watch,
                mindate: date | None, maxdate: date, progress: ProgressCallback = _noop) -> tuple[int, list[Quarantined]]:
    """Fetch every record a watch matches in the window into staging, batch by batch."""
    windows: list[SearchResult] = client.search_windows(watch.query, mindate, maxdate)
    total = sum(w.count for w in windows)
    done, quarantined = 0, []
    for window in windows:
        for batch in client.efetch_batches(window):
            items = list(iter_pubmed_xml(io.BytesIO(batch.body), origin=batch.url))
            done += stage_items(warehouse, run_id, items, batch.url, quarantined)
            warehouse.stage_raw(run_id, client.fetcher.drain())
            progress(f"pubmed {watch.name}", done, total)
    warehouse.stage_raw(run_id, client.fetcher.drain())  # searches that found nothing
    return done, quarantined


def stage_items(warehouse: Warehouse, run_id: str, items: Iterable, origin: str,
                quarantined: list[Quarantined]) -> int:
    good: list[ArticleRecord | Deletion] = []
    bad: list[Quarantined] = []
    for item in items:
        (bad if isinstance(item, Quarantined) else good).append(item)
    warehouse.stage_pubmed(run_id, good, origin)
    warehouse.stage_quarantine(run_id, bad)
    quarantined.extend(bad)
    return len(good)


def run_pipeline(settings: Settings, *, offline: bool = False, sources: Sequence[str] = ("pubmed",),
                 since: date | None = None, today: date | None = None,
                 progress: ProgressCallback = _noop, throttle: Callable[[], None] | None = None) -> RunSummary:
    """Fetch what is new for every watch, stage it, and publish it as one run."""
    today = today or date.today()
    run = RunInfo(run_id=new_run_id(), command="run", sources=",".join(sources), offline=offline)
    summary = RunSummary(run.run_id, "run", "running")
    with Warehouse.open(settings.db) as warehouse:
        warehouse.clear_staging()
        client = make_eutils_client(settings, offline=offline, throttle=throttle)
        step = "start"
        try:
            if "pubmed" in sources:
                for watch in settings.watches:
                    step = f"pubmed watch {watch.name!r}"
                    mindate, maxdate = watch_window(warehouse, watch, settings, since, today)
                    count, bad = fetch_watch(client, warehouse, run.run_id, watch, mindate, maxdate, progress)
                    summary.watches[watch.name] = count
                    summary.quarantined += bad
                    warehouse.stage_watermark("pubmed", watch.name, watch.query, maxdate, run.run_id)
                run.watermark = today
            step = "publish"
            run.requests = client.fetcher.requests_made
            summary.published = warehouse.publish(run)
        except (FetchError, OSError, ValueError) as error:
            run.requests = client.fetcher.requests_made
            message = f"{step}: {error}"
            warehouse.record_failure(run, message)
            raise RunFailed(message) from None
        summary.status = summary.published.status
        summary.requests = run.requests
    return summary


# --- local files ----------------------------------------------------------------------------------

def detect_format(path: Path, head: bytes) -> str:
    """pubmed-xml, medline, or unknown, from the name and the first bytes."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<?xml") or text.startswith(b"<!DOCTYPE Pubmed") or text.startswith(b"<Pubmed"):
        return "pubmed-xml"
    if text.startswith(b"PMID-") or text[:5] == b"PMID ":
        return "medline"
    return "unknown"


def _open_bytes(path: Path) -> io.BufferedIOBase:
    if path.suffix == ".gz":
        return _BoundedReader(gzip.open(path, "rb"), MAX_IMPORT_BYTES, str(path))
    return open(path, "rb")


class _BoundedReader(io.RawIOBase):
    """A reader that refuses to yield more than ``limit`` bytes (a gzip bomb stops here)."""

    def __init__(self, inner, limit: int, name: str):
        self.inner, self.limit, self.name, self.read_so_far = inner, limit, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            raise ValueError(f"{self.name} decompresses to more than {self.limit} bytes")
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        self.read_so_far = 0
        return self.inner.seek(offset, whence)

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self.inner.close()
        super().close()


def iter_file_items(path: Path) -> Iterator[ArticleRecord | Deletion | Quarantined]:
    """Every record of one local file; an unreadable file is one quarantined item."""
    origin = str(path.resolve())
    with _open_bytes(path) as handle:
        head = handle.read(512)
        handle.seek(0)
        kind = detect_format(path, head)
        try:
            if kind == "pubmed-xml":
                yield from iter_pubmed_xml(handle, origin=origin)
            elif kind == "medline":
                yield from iter_medline(handle.read(), origin)
            else:
                raise ValueError("not a recognised format (PubMed XML or MEDLINE text)")
        except (NotPubmedXml, ValueError) as error:
            # Keep the file as it is on disk (compressed, for a .gz), not what it expands to.
            yield Quarantined("file", origin, f"{path.name}: {error}", path.read_bytes())


def import_files(settings: Settings, paths: Sequence[Path], progress: ProgressCallback = _noop) -> RunSummary:
    """Load local files as one run; importing the same files again changes nothing."""
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"no such file: {', '.join(missing)}")
    run = RunInfo(run_id=new_run_id(), command="import", sources="file")
    summary = RunSummary(run.run_id, "import", "running")
    with Warehouse.open(settings.db) as warehouse:
        warehouse.clear_staging()
        try:
            for number, path in enumerate(paths, start=1):
                path = Path(path)
                batch: list = []
                for item in iter_file_items(path):
                    batch.append(item)
                    if len(batch) >= STAGE_BATCH:
                        stage_items(warehouse, run.run_id, batch, str(path.resolve()), summary.quarantined)
                        batch = []
                stage_items(warehouse, run.run_id, batch, str(path.resolve()), summary.quarantined)
                progress("import", number, len(paths))
            summary.published = warehouse.publish(run, record_noop=False)
        except (OSError, ValueError) as error:
            warehouse.record_failure(run, f"import: {error}")
            raise RunFailed(f"import: {error}") from None
    summary.status = "quarantined" if summary.quarantined else summary.published.status
    return summary
