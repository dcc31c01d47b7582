"""The pipeline: sources -> parse -> warehouse, as one run.

This is the only module that knows every stage. The CLI and the Prefect flows call
these functions; the stages never call back into here.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

from . import __version__, digest
from .citations import CitationLink, resolve_reference
from .evidence import registry
from .http import (MAX_BODY_BYTES, DeadlineExceeded, FetchError, Fetcher, HostUnreachable, RecordingAdapter,
                   ReplayAdapter, shared_limiter)
from .parse.fmnetwork import NotAnArticle, parse_article_html
from .parse.pubmed_xml import iter_pubmed_xml
from .records import (ArticleRecord, Deletion, FmArticle, Quarantined, Reference, error_text, input_name,
                      quarantine_reason)
from .redact import redact, register as register_secrets
from .settings import Settings, Watch
from .sources.files import iter_file_items
from .sources.fmnetwork import MAX_PAGE_BYTES, Disallowed, FmNetworkSite, PageState
from .sources.mirror import (MAX_FILE_BYTES, UNREADABLE_GZIP, BulkFile, MirrorFileRefused, PubmedMirrorSource,
                             refuse_unreadable)
from .sources.pubmed import ESEARCH_LIMIT, EutilsClient, SearchResult
from .units import (STAGE_BATCH, ExtractedBatch, ParsedFile, document_of, documents_from_warehouse,  # noqa: F401
                    evidence_record, extract_unit, parse_file_unit)  # noqa: F401  (re-exported)
from .warehouse import (PublishResult, RunInfo, RunLock, Warehouse, WarehouseError, new_run_id, require_warehouse,
                        utcnow)
from .workers import BrokenProcessPool, WorkerPool, fewer_collections

log = logging.getLogger("fmwatch.pipeline")

RETRY_FAILED_PAGES_AFTER = timedelta(days=7)  # a site page that failed is tried again after this
# Pending records extracted per unit of work: small enough that the units spread evenly over the
# workers (7 units of 1,000 on 2 workers leave one idle for the last), large enough that the keyset
# page query and the staging commit stay a small share (bench/run.py).
EXTRACT_BATCH = 500

ProgressCallback = Callable[[str, int, int | None], None]  # (what, done, total)


class RunFailed(RuntimeError):
    """A run stopped. The message names the step and says what was published (usually nothing).

    The message is redacted of the API key and e-mail (``fmwatch.redact``)."""

    def __init__(self, message: object = ""):
        super().__init__(redact(message))


class RunPartlyFailed(RunFailed):
    """Some parts of the run (watches, sources) were published and others failed: ``summary.failed``
    names them, and the message is ``summary.outcome()``."""

    def __init__(self, summary: "RunSummary"):
        super().__init__(f"run failed in part: {summary.outcome()}")
        self.summary = summary


# What ends a run with RunFailed (anything else is a bug, and keeps its traceback): the network after
# the last retry, the disk, input the parsers refuse as a whole, and a warehouse that cannot be written.
RUN_ERRORS = (FetchError, OSError, ValueError, WarehouseError)


def _failed(warehouse: Warehouse, run: RunInfo, message: str) -> RunFailed:
    """Drop what the run staged, log it in the runs table if the warehouse can still take a row."""
    message = redact(message)
    try:
        warehouse.record_failure(run, message)
    except WarehouseError as also:  # a full disk may not take the failure's row either
        log.warning("the failed run could not be recorded in the runs table: %s", also)
    return RunFailed(f"nothing was published; {message}")


def failed_parts_text(failed: dict[str, str], template: str = "{parts}: {reason}") -> str:
    """The failed parts and why, one reason once: parts that failed for the same reason (a host that
    cannot be reached fails every watch alike) are named together before it, e.g. "pubmed watch 'a',
    pubmed watch 'b': cannot reach ...". ``failed`` is ``RunSummary.failed`` (part -> reason)."""
    parts_by_reason: dict[str, list[str]] = {}
    for part, reason in failed.items():
        parts_by_reason.setdefault(reason, []).append(part)
    return "; ".join(template.format(parts=", ".join(parts), reason=reason) for reason, parts in parts_by_reason.items())


@dataclass
class RunSummary:
    run_id: str
    command: str
    status: str
    published: PublishResult | None = None
    requests: int = 0
    watches: dict[str, int] = field(default_factory=dict)  # watch -> records fetched
    quarantined: list[Quarantined] = field(default_factory=list)
    fm_pages: dict[str, int] = field(default_factory=dict)  # discovered, not_modified, parsed, ...
    citations: list[CitationLink] = field(default_factory=list)
    extracted: "ExtractSummary | None" = None
    failed: dict[str, str] = field(default_factory=dict)  # part of the run (a watch, a source) -> why it failed
    warnings: list[str] = field(default_factory=list)  # enrichment left pending for the next run
    notes: list[str] = field(default_factory=list)  # what an operator should know (robots.txt, budgets)

    @property
    def exit_code(self) -> int:
        """1 when a part of the run failed (the rest was published), 3 when input was quarantined, else 0.
        Pending enrichment is a warning and leaves the code as it is."""
        return 1 if self.failed else 3 if self.quarantined else 0

    def outcome(self) -> str:
        """One line: what was published and what failed, e.g. "published: pubmed watch 'a'; failed: fmnetwork (...)"."""
        done = [f"pubmed watch {name!r}" for name in self.watches] + (
            ["fmnetwork"] if self.fm_pages and not any(k.startswith("fmnetwork") for k in self.failed) else [])
        failed = failed_parts_text(self.failed, "{parts} ({reason})")
        versions = self.published.versions_new if self.published else 0
        if not done and versions:  # a failed part's records staged before it failed are published too
            done = [f"{versions} new record version{'s' if versions != 1 else ''} that the failed part(s) "
                    "delivered before failing"]
        return f"published: {', '.join(done) or 'nothing'}; failed: {failed or 'nothing'}"


def _noop(what: str, done: int, total: int | None) -> None:
    pass


# --- PubMed -------------------------------------------------------------------------------------

def snapshot_folder(name: str) -> Path:
    """The recorded responses shipped in the package for offline runs."""
    return Path(str(resources.files("fmwatch.snapshot").joinpath(name)))


def make_fetcher(settings: Settings, source: str, *, offline: bool, rate: float | None = None,
                 throttle: Callable[[], None] | None = None, max_bytes: int = MAX_BODY_BYTES,
                 allowed_hosts: Sequence[str] = ()) -> Fetcher:
    transport = None
    if offline:  # the shipped snapshot, or one recorded with FMWATCH_RECORD_DIR
        transport = ReplayAdapter(settings.snapshot_dir / source if settings.snapshot_dir else snapshot_folder(source))
    elif settings.record_dir:
        transport = RecordingAdapter(settings.record_dir / source)
    if throttle is None and rate:
        throttle = shared_limiter(source, rate).acquire
    return Fetcher(
        user_agent=user_agent(settings),
        throttle=throttle,
        max_attempts=settings.max_attempts,
        backoff_seconds=settings.backoff_seconds,
        timeout_seconds=settings.timeout_seconds,
        transport=transport,
        max_bytes=max_bytes,
        request_deadline_seconds=settings.request_deadline_seconds,
        allowed_hosts=allowed_hosts,
        retry_budget_seconds=settings.retry_budget_seconds,
        connect_attempts=settings.connect_attempts,
        url_setting=URL_SETTINGS.get(source),
    )


# The setting that holds each source's URL, named when its host cannot be reached.
URL_SETTINGS = {"eutils": "FMWATCH_EUTILS_URL", "fmnetwork": "FMWATCH_FMNETWORK_URL", "mirror": "FMWATCH_MIRROR_URL"}


def user_agent(settings: Settings) -> str:
    return f"fmwatch/{__version__} (+{settings.ncbi_email or 'https://github.com/fmwatch'})"


def make_eutils_client(settings: Settings, *, offline: bool = False,
                       throttle: Callable[[], None] | None = None) -> EutilsClient:
    fetcher = make_fetcher(settings, "eutils", offline=offline, rate=settings.rate_limit, throttle=throttle)
    register_secrets(settings.ncbi_api_key.get_secret_value() if settings.ncbi_api_key else None, settings.ncbi_email)
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


@dataclass
class WatchPlan:
    """What a watch's run will fetch. ``windows`` are history-server searches or PMID lists (by id);
    ``expected`` the PMIDs esearch listed for the watch (empty when it listed none, e.g. a recorded
    snapshot: then counts are compared); ``failure`` says why the watch will not run at all."""

    watch: Watch
    maxdate: date
    windows: list[SearchResult]
    expected: set[str] = field(default_factory=set)
    failure: str | None = None
    reconciliation: tuple[int, int] | None = None  # (PMIDs matched, missing from the warehouse)

    @property
    def total(self) -> int:
        return sum(w.count for w in self.windows)


class WatchFailed(RuntimeError):
    """A watch cannot be brought up to date this run (query altered by NCBI, records not delivered).
    The other watches go on; this one's watermark stays."""


def parse_batch(body: bytes, origin: str) -> list[ArticleRecord | Deletion | Quarantined]:
    """Parse one efetch answer. Pure: the same body always gives the same records."""
    return list(iter_pubmed_xml(io.BytesIO(body), origin=origin))


def stage_items(warehouse: Warehouse, run_id: str, items: Iterable, origin: str,
                quarantined: list[Quarantined]) -> int:
    good: list[ArticleRecord | Deletion] = []
    bad: list[Quarantined] = []
    for item in items:
        if isinstance(item, FmArticle):
            warehouse.stage_fm_article(run_id, item, origin)
        else:
            (bad if isinstance(item, Quarantined) else good).append(item)
    warehouse.stage_pubmed(run_id, good, origin)
    warehouse.stage_quarantine(run_id, bad)
    quarantined.extend(bad)
    return len(good)


# --- Fibromyalgia Network ---------------------------------------------------------------------

def _about(error: BaseException, url: str) -> str:
    """An error's text about ``url`` without the URL it starts with ("GET <url>: ", "<url>: "), for
    a quarantine reason that names the page once (``records.quarantine_reason``)."""
    return re.sub(r"^(?:[A-Z]+ )?" + re.escape(url) + r": ", "", error_text(error))


def make_fm_site(settings: Settings, *, offline: bool = False) -> FmNetworkSite:
    fetcher = make_fetcher(settings, "fmnetwork", offline=offline, max_bytes=MAX_PAGE_BYTES,
                           allowed_hosts=settings.fmnetwork_aliases)
    return FmNetworkSite(fetcher, settings.fmnetwork_url, user_agent=user_agent(settings),
                         crawl_delay=0.0 if offline else settings.crawl_delay_seconds,
                         max_crawl_delay=settings.max_crawl_delay_seconds, aliases=settings.fmnetwork_aliases)


def crawl_fmnetwork(site: FmNetworkSite, warehouse: Warehouse, run_id: str, summary: RunSummary,
                    progress: ProgressCallback = _noop, budget: int | None = None) -> list[FmArticle]:
    """Fetch the new or changed articles into staging; an unchanged page costs a 304 and no parse.

    At most ``budget`` pages a run, oldest first: the pages' states are published with the run,
    so the next run starts where this one stopped (a killed run loses only its own pages). Links
    off the site's host are quarantined unfetched; the source's deadline stops the crawl, keeping
    what was fetched before it.
    """
    states = warehouse.page_states()
    # A page that failed (recorded without content) is not offered again until RETRY_FAILED_PAGES_AFTER
    # has passed, so pages that always fail cannot hold the budget run after run.
    retry_before = utcnow() - RETRY_FAILED_PAGES_AFTER
    last_fetched = {url: s[3] for url, s in states.items() if s[2] is not None or s[3] >= retry_before}
    found, method = site.discover(warehouse.newest_fm_article(), last_fetched)
    summary.notes += site.notes
    counts = summary.fm_pages
    counts.update(discovered=len(found), not_modified=0, unchanged=0, parsed=0, disallowed=0, failed=0)
    if site.refused:
        counts["off_site"] = len(site.refused)
    summary.quarantined += [Quarantined("fmnetwork", url, quarantine_reason(input_name(url), reason), b"")
                            for url, reason in site.refused]
    found = sorted(found, key=lambda d: (d.published is None,  # oldest first, undated last
                                         d.published.replace(tzinfo=None) if d.published else datetime.min))
    allowed = [d for d in found if site.allowed(d.url)]  # robots.txt's refusals cost no budget
    counts["disallowed"], found = len(found) - len(allowed), allowed
    if budget is not None and len(found) > budget:
        counts["left_for_next_run"] = len(found) - budget
        summary.notes.append(f"fmnetwork: {len(found)} pages to fetch, over the budget of {budget} a run "
                             f"(FMWATCH_FMNETWORK_PAGE_BUDGET); {len(found) - budget} are left for the next runs")
        found = found[:budget]
    articles = []
    for number, item in enumerate(found, start=1):
        known = states.get(item.url)
        state = PageState(item.url, *known[:3]) if known else None
        try:
            page = site.get(item.url, state)
        except Disallowed:
            counts["disallowed"] += 1
            continue
        except DeadlineExceeded as error:
            summary.failed["fmnetwork crawl"] = (f"stopped after {number - 1} of {len(found)} pages: {error}")
            break
        except FetchError as error:
            counts["failed"] += 1
            summary.quarantined.append(Quarantined("fmnetwork", item.url, quarantine_reason(
                input_name(item.url), f"fetch failed ({_about(error, item.url)})"), b""))
            if known is None or known[2] is None:  # a page never read: remember the attempt (see above)
                warehouse.stage_page_state(run_id, item.url, error.status or 0, None, None, None)
            continue
        finally:
            progress(f"fmnetwork ({method})", number, len(found))
        if page.status == 304:
            counts["not_modified"] += 1
            continue
        sha = hashlib.sha256(page.body).hexdigest()
        warehouse.stage_page_state(run_id, item.url, page.status, page.etag, page.last_modified, sha)
        if state and state.content_sha256 == sha:
            counts["unchanged"] += 1
            continue
        try:
            article = parse_article_html(page.body, item.url)
        except (NotAnArticle, ValueError) as error:
            summary.quarantined.append(Quarantined("fmnetwork", item.url, quarantine_reason(
                input_name(item.url), f"not an article ({_about(error, item.url)})"), page.body))
            continue
        counts["parsed"] += 1
        warehouse.stage_fm_article(run_id, article, item.url)
        articles.append(article)
    warehouse.stage_quarantine(run_id, [q for q in summary.quarantined if q.source == "fmnetwork"])
    warehouse.stage_raw(run_id, site.fetcher.drain())
    return articles


def link_citations(client: EutilsClient, warehouse: Warehouse, run_id: str,
                   articles: Sequence[FmArticle], warnings: list[str] | None = None) -> list[CitationLink]:
    """Resolve every reference of these articles, and fetch cited records the warehouse lacks.

    Both are enrichment: when E-utilities fails (after its retries, or at once when an earlier
    look-up of this call already failed, so an offline machine does not wait out every reference's
    retries) the look-ups are recorded as pending in the warehouse for the next run, a message is
    appended to ``warnings``, and the articles themselves still load.
    """
    warnings = warnings if warnings is not None else []
    todo = [(article.record_id, index, reference, _citation_context(article))
            for article in articles for index, reference in enumerate(article.references)]
    links = _resolve_all(client, warehouse, run_id, todo, warnings)
    _fetch_cited(client, warehouse, run_id, links, warnings)
    warehouse.stage_raw(run_id, client.fetcher.drain())
    return links


def _resolve_all(client: EutilsClient, warehouse: Warehouse, run_id: str,
                 todo: Sequence[tuple[str, int, Reference, str]], warnings: list[str]) -> list[CitationLink]:
    """Resolve (record_id, ref_index, reference, context) items; a failure makes the rest pending."""
    links: list[CitationLink] = []
    first_error: FetchError | None = None
    pending = 0
    for record_id, index, reference, context in todo:
        subject = f"{record_id}#{index}"
        if first_error is None:
            try:
                links.append(resolve_reference(client, record_id, index, reference, context))
                warehouse.stage_enrichment(run_id, "citation_link", subject, None)
                continue
            except FetchError as error:
                first_error = error
        pending += 1
        warehouse.stage_enrichment(run_id, "citation_link", subject, str(first_error))
    warehouse.stage_citations(run_id, links)
    if pending:
        warnings.append(f"citation linking failed ({first_error}); {pending} reference(s) pending, "
                        f"the next run tries again")
    return links


def _fetch_cited(client: EutilsClient, warehouse: Warehouse, run_id: str, links: Sequence[CitationLink],
                 warnings: list[str], extra: Iterable[str] = ()) -> None:
    """Stage the cited records (and ``extra`` PMIDs left pending) the warehouse lacks."""
    extra = set(extra)
    wanted = {link.pmid for link in links if link.pmid} | extra
    missing = wanted - warehouse.known_pmids(wanted)
    already_read = {r.pmid: r for link in links for r in link.fetched if r.pmid in missing}
    warehouse.stage_pubmed(run_id, list(already_read.values()), "citation")
    rest = sorted(missing - set(already_read))
    failed: set[str] = set()
    if rest:
        try:
            body = client.efetch_ids(rest)
        except FetchError as error:
            failed = set(rest)
            for pmid in rest:
                warehouse.stage_enrichment(run_id, "fetch_cited", pmid, str(error))
            warnings.append(f"fetching {len(rest)} cited record(s) failed ({error}); pending, the next run tries again")
        else:
            stage_items(warehouse, run_id, iter_pubmed_xml(io.BytesIO(body), origin="citation"), "citation", [])
    for pmid in (extra | set(rest) | set(already_read)) - failed:  # fetched, or held already: no longer pending
        warehouse.stage_enrichment(run_id, "fetch_cited", pmid, None)


def _citation_context(article: FmArticle) -> str:
    return _citation_context_text(article.title, article.body, article.references)


def _citation_context_text(title: str, body: str, references: Sequence[Reference]) -> str:
    """What the article says about the study: its title and body, less the reference lines
    themselves (a journal called "Sleep" is no evidence that the study is about sleep)."""
    for reference in references:
        body = body.replace(reference.raw_text, "")
    return f"{title}\n{body}"


# --- extraction and flags ------------------------------------------------------------------------

@dataclass
class ExtractSummary:
    records: int = 0
    flags: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (record_id, error)


def extract_files(paths: Sequence[Path]) -> Iterator[dict | Quarantined]:
    """Evidence records of local files, one per record, without touching the warehouse."""
    for path in paths:
        for item in iter_file_items(Path(path)):
            if isinstance(item, Quarantined):
                yield item
            elif not isinstance(item, Deletion):
                record, _ = evidence_record(*document_of(item))
                yield record


def extract_and_flag(warehouse: Warehouse, run_id: str, *, everything: bool = False,
                     progress: ProgressCallback = _noop, workers: int = 1, pool: WorkerPool | None = None,
                     batch_size: int = EXTRACT_BATCH) -> ExtractSummary:
    """Extract and judge every current record version that has no evidence yet (all with
    ``everything``), and publish the evidence and flags in one transaction.

    Bounded at every step: the pending rows are read ``batch_size`` at a time (keyset pages,
    ``Warehouse.iter_pending_evidence``), each batch is extracted and judged in one of ``workers``
    processes (or through ``pool``, the Prefect flows' task runner), and its evidence and flags are
    staged as it comes back, so memory does not grow with the number of pending records. Only
    this process writes the warehouse.
    """
    summary = ExtractSummary()
    done = 0

    def unit(pubmed_rows: list, fm_rows: list) -> tuple:
        known = warehouse.known_pmids(c["pmid"] for row in pubmed_rows for c in (row[8] or [])
                                      if c["pmid"] and c["ref_type"].endswith(("Of", "For")))
        return run_id, pubmed_rows, fm_rows, known

    def units() -> Iterator[tuple]:
        # The warehouse pages each source on its own; a short last page of one joins the next page
        # while they fit in ``batch_size``, so a small run (a few PubMed records and site pages) is
        # one unit, which WorkerPool runs in this process instead of starting worker processes.
        held: tuple[list, list] | None = None
        for pubmed_rows, fm_rows in warehouse.iter_pending_evidence(everything, batch_size):
            if held and len(held[0]) + len(held[1]) + len(pubmed_rows) + len(fm_rows) <= batch_size:
                held = (held[0] + pubmed_rows, held[1] + fm_rows)
                continue
            if held:
                yield unit(*held)
            held = (pubmed_rows, fm_rows)
        if held:
            yield unit(*held)

    with _own_pool(pool, workers) as runner:
        for batch in runner.map(extract_unit, units()):
            warehouse.stage_tables(evidence=batch.evidence, flags=batch.flags)
            summary.records += batch.evidence.num_rows
            summary.flags += batch.flags.num_rows
            summary.failed += batch.failed
            for record_id, error in batch.failed:
                log.error("extraction failed for %s: %s", record_id, error)
            done += batch.evidence.num_rows + len(batch.failed)
            progress("extract", done, None)
    warehouse.publish_evidence()
    return summary


@contextlib.contextmanager
def _own_pool(pool: WorkerPool | None, workers: int) -> Iterator[WorkerPool]:
    """The caller's pool, left running (it is reused), or a new one of ``workers``, shut down after;
    while it runs, this process collects garbage less often (``workers.fewer_collections``)."""
    with fewer_collections():
        if pool is not None:
            yield pool
            return
        with WorkerPool(workers) as own:
            yield own


def reextract(settings: Settings, progress: ProgressCallback = _noop) -> ExtractSummary:
    """Run the extractor and the judgement again over every current record (after they change)."""
    run_id = new_run_id()
    require_warehouse(settings.db)  # nothing to re-extract: never create one (nor its run folder)
    with RunLock.acquire(settings.db, f"reextract {run_id}"), Warehouse.from_settings(settings) as warehouse:
        warehouse.clear_staging()
        return extract_and_flag(warehouse, run_id, everything=True, progress=progress, workers=settings.workers)


# --- the digest ------------------------------------------------------------------------------

@dataclass(kw_only=True)
class DigestResult:
    """What ``make_digest`` did: the digest recorded (or left as it was: ``left``), its counts, its
    window and its files. Built by keyword (``DigestResult.of`` for a digest just rendered)."""

    digest_id: str
    items: int
    html_path: Path | None
    markdown_path: Path | None
    markdown: str
    html: str
    kind: str = "scheduled"
    period: str = ""
    window_start: datetime | None = None
    window_end: datetime | None = None
    baseline_items: int = 0
    chart_path: Path | None = None
    left: bool = False  # a rerun: an earlier digest's files already said this; nothing written or recorded

    @classmethod
    def of(cls, built: "digest.Digest", digest_id: str, paths: dict[str, Path], html: str, markdown: str,
           left: bool = False) -> "DigestResult":
        """The result for ``built``, rendered as ``html``/``markdown``, whose files are ``paths``
        (suffix -> path: ".html", ".md", ".png"; empty when none were written)."""
        return cls(digest_id=digest_id, items=built.entries, html_path=paths.get(".html"),
                   markdown_path=paths.get(".md"), markdown=markdown, html=html, kind=built.kind,
                   period=built.period, window_start=built.window_start, window_end=built.window_end,
                   baseline_items=built.baseline_entries, chart_path=paths.get(".png"), left=left)


def make_digest(settings: Settings, *, since: datetime | None = None, until: datetime | None = None,
                out_dir: Path | None = None, week: str | None = None, preview: bool = False,
                force: bool = False) -> DigestResult:
    """Render a digest, write its files to ``out_dir`` (HTML, Markdown and the chart's PNG), then
    record it in ``digests``: a digest is recorded only once its files exist, so a failed write
    leaves the next digest's window where it was.

    Without ``since``/``until``/``week`` it is the scheduled digest: what was flagged since the
    last scheduled one, and recording it moves that mark. ``since``, ``week`` (ISO week, e.g.
    2026-W48) or ``preview=True`` make a preview, which never moves it; ``preview=True`` alone
    covers the scheduled window (since the last scheduled digest). Files are named by the
    period and never overwritten (a second digest of a period gets ``-2``), unless ``force``.
    A rerun is idempotent (``DigestResult.left``): a digest whose files for the period already hold
    the same bytes is neither written nor recorded again, and a scheduled digest with nothing new
    right after a scheduled digest with nothing new leaves that one as it is (its mark too).
    Errors: ValueError for an empty or reversed window; WarehouseError as ``Warehouse.open``, and
    "no warehouse at ..." when ``settings.db`` does not exist (a digest never creates one)."""
    week_end = None
    if week:
        since, week_end = digest.week_window(week)
        until = min(week_end, digest.utcnow())  # a week in progress: up to now, not a date still to come
    kind = "preview" if (preview or since is not None or until is not None) else "scheduled"
    with Warehouse.from_settings(settings, create=False) as warehouse:  # a mistyped --db makes none
        built = digest.build_digest(warehouse, since, until, kind=kind, backlog_days=settings.digest_backlog_days)
        built.period = digest.period_name(built.window_start, built.window_end, week)
        built.week_end = week_end  # a week in progress is named as the whole week, "so far" (Digest.window_text)
        if kind == "scheduled" and not built.entries and out_dir is not None and not force:
            last = digest.last_scheduled(warehouse)
            if last and not last["items"] and last["html_path"] and Path(last["html_path"]).is_file():
                html_path, markdown_path = Path(last["html_path"]), Path(last["markdown_path"] or "")
                chart_path = html_path.with_suffix(".png")
                return DigestResult(
                    digest_id=last["digest_id"], items=0, html_path=html_path,
                    markdown_path=markdown_path if markdown_path.is_file() else None, markdown=last["markdown"],
                    html=last["html"], kind=kind, period=last["period"], window_start=last["window_start"],
                    window_end=last["window_end"], baseline_items=last["baseline_items"] or 0,
                    chart_path=chart_path if chart_path.is_file() else None, left=True)
        chart = digest.ledger_png(built.ledger, built.claims)
        html, markdown = digest.render(built, chart)
        paths: dict[str, Path] = {}
        if out_dir is not None:
            files = {".html": html.encode("utf-8"), ".md": markdown.encode("utf-8")}
            if chart:
                files[".png"] = chart
            same = None if force else digest.identical_files(out_dir, built.period, files)
            recorded = digest.recorded_with(warehouse, same[".html"]) if same else None
            if recorded:
                return DigestResult.of(built, recorded, same, html, markdown, left=True)
            earlier = (None if force or kind != "preview"
                       else digest.earlier_same_preview(warehouse, built, chart, out_dir))
            if earlier:  # a preview up to now, again with nothing new: the same digest, a later end
                digest_id, then, paths = earlier
                html, markdown = digest.render(then, chart)
                return DigestResult.of(then, digest_id, paths, html, markdown, left=True)
            paths = digest.write_files(out_dir, built.period, files, force=force)
        try:
            with warehouse.transaction("record the digest"):
                digest_id = digest.store(warehouse, built, html, markdown, html_path=paths.get(".html"),
                                         markdown_path=paths.get(".md"))
        except BaseException:
            for path in paths.values():  # not recorded: the files go too, and the window stays open
                path.unlink(missing_ok=True)
            raise
    return DigestResult.of(built, digest_id, paths, html, markdown)


# --- a run ------------------------------------------------------------------------------------------

SOURCES = ("pubmed", "fmnetwork")


class PipelineRun:
    """One run, step by step. ``run_pipeline`` calls the steps in order; the Prefect flows call
    the very same steps as tasks (a batch, a page), so both paths share every line of logic.

    Use it as a context manager: it takes the run lock (a second run is refused at once, an
    editor's triage is not), then opens a stage of its own (``Warehouse.open_run_stage``): while
    the run fetches, it holds no lock on the warehouse; ``publish`` and the evidence's publish
    open the warehouse for writing, each for one transaction.
    """

    def __init__(self, settings: Settings, *, offline: bool = False, sources: Sequence[str] = SOURCES,
                 since: date | None = None, today: date | None = None, throttle: Callable[[], None] | None = None,
                 progress: ProgressCallback = _noop, command: str = "run"):
        self.settings, self.offline, self.sources, self.since = settings, offline, list(sources), since
        self.today = today or date.today()
        self.progress = progress
        self.info = RunInfo(run_id=new_run_id(), command=command, sources=",".join(sources), offline=offline)
        self.summary = RunSummary(self.info.run_id, command, "running")
        self.client = make_eutils_client(settings, offline=offline, throttle=throttle)
        self.site = make_fm_site(settings, offline=offline) if "fmnetwork" in sources else None
        self.warehouse: Warehouse | None = None
        self.planned: set[str] = set()  # PMIDs some watch of this run fetches: each is fetched once
        self.received: set[str] = set()  # PMIDs efetch delivered this run (loaded or quarantined)
        self._watch_received: set[str] = set()  # ... since the current watch was planned

    def __enter__(self) -> "PipelineRun":
        self.run_lock = RunLock.acquire(self.settings.db, f"{self.info.command} {self.run_id}")
        try:
            self.warehouse = Warehouse.run_stage_from_settings(self.settings, self.run_lock, self.run_id)
        except BaseException:
            self.run_lock.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.warehouse.close()  # removes the run's stage
        finally:
            self.run_lock.release()

    @property
    def run_id(self) -> str:
        return self.info.run_id

    def requests(self) -> int:
        return self.client.fetcher.requests_made + (self.site.fetcher.requests_made if self.site else 0)

    # --- PubMed, batch by batch ---------------------------------------------------------------

    def plan_watch(self, watch: Watch) -> WatchPlan:
        """Search what the watch must fetch this run: new (CRDT) or revised (MDAT) since its watermark
        less the overlap, plus, when due, what its full PMID set has that the warehouse lacks.

        A PMID another watch of this run already fetches is left out (each is fetched once). A search
        NCBI did not run as written gives a plan with ``failure`` set and nothing to fetch.
        """
        self._watch_received = set()
        mindate, maxdate = watch_window(self.warehouse, watch, self.settings, self.since, self.today)
        windows = self.client.search_windows(watch.query, mindate, maxdate)
        plan = WatchPlan(watch, maxdate, [])
        altered = [n for w in windows for n in w.not_run]
        if not altered and mindate is not None and self.since is None and self._reconciliation_due(watch):
            full = self.client.search_windows(watch.query, None, maxdate)
            altered = [n for w in full for n in w.not_run]
            windows += self._reconcile(plan, full)
        if altered:
            plan.failure = (f"NCBI did not run the query as written ({'; '.join(dict.fromkeys(altered))}); "
                            f"correct the watch's query: {watch.query!r}")
            return plan
        if mindate is None:  # a backfill reads the watch's whole set: it is a full reconciliation too
            plan.reconciliation = (sum(w.count for w in windows), 0)
        for window in windows:
            complete = len(window.ids) == window.count
            plan.expected.update(window.ids if complete else ())
            if not complete:  # esearch listed no ids (a recorded snapshot): fetch it all, check counts
                plan.windows.append(window)
                continue
            fresh = [pmid for pmid in window.ids if pmid not in self.planned]
            self.planned.update(fresh)
            if fresh and len(fresh) == len(window.ids) and not window.by_id:
                plan.windows.append(window)  # from the history server, as esearch left it
            elif fresh:
                plan.windows.append(window.only(fresh))
        return plan

    def _reconciliation_due(self, watch: Watch) -> bool:
        last = self.warehouse.last_reconciliation("pubmed", watch.name, watch.query)
        return last is None or (self.today - last).days >= self.settings.reconcile_days

    def _reconcile(self, plan: WatchPlan, full: list[SearchResult]) -> list[SearchResult]:
        """A by-id window of what the watch's full PMID set has and the warehouse lacks."""
        if any(len(w.ids) != w.count for w in full):
            log.warning("watch %s: esearch did not list every PMID; the full reconciliation is skipped",
                        plan.watch.name)
            return []
        matched = {pmid for w in full for pmid in w.ids}
        missing = sorted(matched - self.warehouse.known_pmids(matched), key=int)
        plan.reconciliation = (len(matched), len(missing))
        if missing:
            log.warning("watch %s: the full reconciliation found %d records the windows had missed",
                        plan.watch.name, len(missing))
            return [SearchResult(f"reconciliation of {plan.watch.name}", len(missing), None, None,
                                 ids=tuple(missing), by_id=True)]
        return []

    def fetch_batch(self, search: SearchResult, retstart: int):
        return self.client.efetch_batch(search, retstart)

    def stage_parsed(self, items: list, origin: str) -> int:
        delivered = {i.record_key if isinstance(i, Quarantined) else getattr(i, "pmid", None) for i in items}
        delivered.discard(None)
        self.received |= delivered
        self._watch_received |= delivered
        count = stage_items(self.warehouse, self.run_id, items, origin, self.summary.quarantined)
        self.warehouse.stage_raw(self.run_id, self.client.fetcher.drain())
        return count

    def finish_watch(self, plan: WatchPlan, count: int) -> None:
        """Check what efetch delivered against what esearch counted, fetch what is missing by id, and
        move the watch's watermark only when nothing is missing. A watch that cannot be completed is
        reported (summary, run notes) and keeps its watermark; the other watches go on."""
        try:
            if plan.failure:
                raise WatchFailed(plan.failure)
            count += self._fetch_missing(plan)
        except WatchFailed as failure:
            self._stage_watch_records(plan)
            self.warehouse.stage_raw(self.run_id, self.client.fetcher.drain())
            message = f"watch {plan.watch.name!r}: {failure}; its watermark stays where it was"
            log.error(message)
            self.summary.failed[f"pubmed watch {plan.watch.name!r}"] = redact(
                f"{failure}; its watermark stays where it was")
            self.warehouse.stage_run_note(self.run_id, "error", f"watch {plan.watch.name}", message)
            return
        self._stage_watch_records(plan)
        self.warehouse.stage_raw(self.run_id, self.client.fetcher.drain())  # searches that found nothing
        self.warehouse.stage_watermark("pubmed", plan.watch.name, plan.watch.query, plan.maxdate, self.run_id)
        if plan.reconciliation is not None:
            self.warehouse.stage_reconciliation("pubmed", plan.watch.name, plan.watch.query, self.today,
                                                *plan.reconciliation, self.run_id)
        self.summary.watches[plan.watch.name] = count
        self.info.watermark = self.today

    def _stage_watch_records(self, plan: WatchPlan) -> None:
        """Record which PMIDs this watch found: those esearch listed for it that the run received
        (also when another watch of the run fetched them: each PMID is fetched once, but recorded
        for every watch that matches it), and those delivered while it ran (a listing without ids,
        the mirror). Published with the run; ``watch_records`` view."""
        found = (plan.expected & self.received) | self._watch_received
        self.warehouse.stage_watch_records(self.run_id, "pubmed", plan.watch.name, (p for p in found if p.isdigit()))

    def _fetch_missing(self, plan: WatchPlan) -> int:
        """PMIDs esearch counted for the watch that efetch did not deliver, fetched again by id.
        Returns how many records that staged; raises WatchFailed naming those still missing."""
        expected = set(plan.expected)
        unlisted = [w for w in plan.windows if len(w.ids) != w.count]
        if unlisted and len(self._watch_received - plan.expected) < sum(w.count for w in unlisted):
            # counts fall short where esearch listed no ids: ask for the ids (no history needed)
            for window in unlisted:
                count, ids = self.client.esearch_ids(window.term, retmax=ESEARCH_LIMIT)
                expected.update(ids)
                if count > len(ids):
                    # the watch's name, not its query: messages stay one short line (the query is in the settings)
                    raise WatchFailed(f"esearch counted {count} records for watch {plan.watch.name!r} but listed "
                                      f"{len(ids)}")
        missing = sorted(expected - self.received, key=int)
        if not missing:
            return 0
        log.warning("watch %s: efetch delivered %d fewer records than esearch counted; fetching them by id: %s",
                    plan.watch.name, len(missing), ", ".join(missing[:20]))
        staged = 0
        retry = SearchResult(f"missing records of {plan.watch.name}", len(missing), None, None,
                             ids=tuple(missing), by_id=True)
        for retstart in self.client.batch_starts(retry):
            batch = self.client.efetch_batch(retry, retstart)
            staged += self.stage_parsed(parse_batch(batch.body, batch.url), batch.url)
        still = sorted(expected - self.received, key=int)
        if still:
            shown = ", ".join(still[:50]) + (f" and {len(still) - 50} more" if len(still) > 50 else "")
            raise WatchFailed(f"efetch did not deliver {len(still)} of the {len(expected)} records esearch "
                              f"counted, even by id: PMIDs {shown}")
        return staged

    def ingest_watch(self, watch: Watch, steps: "RunSteps | None" = None) -> int:
        """Bring one watch up to date: from the local mirror when it is used and can serve the watch,
        otherwise plan, fetch, parse and stage its efetch batches, then ``finish_watch``. Each step is
        taken from ``steps`` (default: this run's own methods, ``RunSteps.of``). Returns the records
        staged; raises what a step raises (``isolated`` decides what that means for the run)."""
        steps = steps or RunSteps.of(self)
        if self.settings.use_mirror:  # records from the local mirror, when it can serve the watch
            done = steps.mirror_watch(watch)
            if done is not None:
                return done
        plan = steps.plan_watch(watch)
        done = 0
        for window in plan.windows:
            for retstart in self.client.batch_starts(window):
                batch = steps.fetch_batch(window, retstart)
                staged = steps.stage_batch(items := steps.parse_batch(batch.body, batch.url), batch.url)
                wanted = min(self.client.batch_size, window.count - retstart)
                if len(items) < wanted:
                    log.warning("watch %s: an efetch batch brought %d records of the %d esearch counted "
                                "(retstart %d); the missing ones are fetched by id", watch.name, len(items),
                                wanted, retstart)
                done += staged
                self.progress(f"pubmed {watch.name}", done, plan.total)
        self.finish_watch(plan, done)
        return done

    def ingest_watch_from_mirror(self, watch: Watch) -> int | None:
        """A watch's records from the local PubMed mirror (issue 15b): its PMIDs from one esearch
        (ids only), the records the mirror holds staged from it, and the rest (publisher-supplied
        records not in a bulk file yet) by one efetch. None when one esearch cannot list them all
        (10,000 or more): the caller then takes the history-server path."""
        mindate, maxdate = watch_window(self.warehouse, watch, self.settings, self.since, self.today)
        count, pmids = self.client.esearch_pmids(watch.query, mindate, maxdate)
        if count > len(pmids):
            log.warning("watch %s: %d records are more than one esearch lists; fetching them by efetch",
                        watch.name, count)
            return None
        found = self.warehouse.stage_from_mirror(self.run_id, pmids)
        self._watch_received = set(found)  # this watch's records, for watch_records (with those efetched below)
        missing = sorted(set(pmids) - found)
        if missing:
            body = self.client.efetch_ids(missing)
            origin = self.client.fetcher.fetched[-1].url if self.client.fetcher.fetched else "efetch"
            self.stage_parsed(parse_batch(body, origin), origin)
        log.info("watch %s: %d records, %d from the mirror, %d by efetch", watch.name, len(pmids), len(found),
                 len(missing))
        self.progress(f"pubmed {watch.name} (mirror)", len(pmids), len(pmids))
        self.finish_watch(WatchPlan(watch, maxdate, []), len(pmids))
        return len(pmids)

    def find_citing(self) -> int:
        """Records citing each reference study, by ELink (pubmed_pubmed_citedin): one request each.

        ELink is enrichment: a look-up that fails after its retries is recorded as pending (retried by
        the next run, shown by ``fmwatch status``) and the run goes on."""
        found = 0
        failed = []
        for reference in registry():
            if reference.pmid:
                try:
                    citing = self.client.elink_citedin(reference.pmid)
                except FetchError as error:
                    failed.append(reference.pmid)
                    self.warehouse.stage_enrichment(self.run_id, "elink_citedin", reference.pmid, str(error))
                    continue
                self.warehouse.stage_citing(reference.pmid, citing, self.run_id)
                self.warehouse.stage_enrichment(self.run_id, "elink_citedin", reference.pmid, None)
                found += len(citing)
        if failed:
            self._warn("elink_citedin", f"ELink (records citing {', '.join(failed)}) failed after its retries; "
                                        f"pending, the next run tries again")
        self.warehouse.stage_raw(self.run_id, self.client.fetcher.drain())
        return found

    def _warn(self, subject: str, message: str) -> None:
        log.warning(message)
        self.summary.warnings.append(message)
        self.warehouse.stage_run_note(self.run_id, "warning", subject, message)

    def retry_pending_enrichment(self) -> None:
        """Try again the citation links and cited-record fetches an earlier run left pending."""
        references = self.warehouse.pending_citation_references()
        fetches = self.warehouse.pending_enrichment("fetch_cited")
        if not (references or fetches):
            return
        warnings: list[str] = []
        retried = []
        for subject, record_id, index, title, body, reference in references:
            ref = Reference(**{k: v for k, v in (reference or {}).items() if k in Reference.__slots__})
            retried.append((record_id, index, ref, _citation_context_text(title, body, [ref])))
        links = _resolve_all(self.client, self.warehouse, self.run_id, retried, warnings)
        _fetch_cited(self.client, self.warehouse, self.run_id, links, warnings, extra=fetches)
        for message in warnings:
            self._warn("enrichment", message)

    # --- the FM Network site -----------------------------------------------------------------

    def ingest_fmnetwork(self) -> list[CitationLink]:
        self.start_source("fmnetwork")
        articles = crawl_fmnetwork(self.site, self.warehouse, self.run_id, self.summary, self.progress,
                                   budget=self.settings.fmnetwork_page_budget)
        warnings: list[str] = []
        self.summary.citations = link_citations(self.client, self.warehouse, self.run_id, articles, warnings)
        for message in warnings:
            self._warn("citation_link", message)
        self.retry_pending_enrichment()
        return self.summary.citations

    # --- the end of a run --------------------------------------------------------------------

    def publish(self) -> RunSummary:
        self.info.requests = self.requests()
        failed = failed_parts_text(self.summary.failed)
        self.summary.published = self.warehouse.publish(self.info, *(("partial", True, failed) if failed else ()))
        self.summary.status = self.summary.published.status
        self.summary.requests = self.info.requests
        return self.summary

    def extract_and_flag(self) -> ExtractSummary:
        self.summary.extracted = extract_and_flag(self.warehouse, self.run_id, progress=self.progress,
                                                  workers=self.settings.workers)
        return self.summary.extracted

    def fail(self, step: str, error: Exception) -> RunFailed:
        """Drop what was staged, log the failure in the runs table, and say which step failed."""
        self.info.requests = self.requests()
        return _failed(self.warehouse, self.info, f"{step}: {error}")

    # --- deadlines and isolation ------------------------------------------------------------------

    def start_source(self, source: str) -> None:
        """Start ``source``'s deadline (and the run's, on the first call) on the fetchers it uses."""
        fetchers = [self.client.fetcher] + ([self.site.fetcher] if self.site else [])
        if not getattr(self, "_run_deadline_set", False):
            self._run_deadline_set = True
            for fetcher in fetchers:
                fetcher.set_deadline(self.settings.run_deadline_seconds,
                                     f"the run's deadline ({self.settings.run_deadline_seconds:g} s, "
                                     "FMWATCH_RUN_DEADLINE_SECONDS)")
        for fetcher in fetchers if source == "fmnetwork" else [self.client.fetcher]:
            fetcher.set_deadline(self.settings.source_deadline_seconds,
                                 f"the {source} source's deadline ({self.settings.source_deadline_seconds:g} s, "
                                 "FMWATCH_SOURCE_DEADLINE_SECONDS)")

    def isolated(self, part: str, step: Callable[[], object]) -> bool:
        """Run one part of the run (a watch, a source); if the network or its input fails it, note
        why in ``summary.failed`` and go on, so the other parts are still published. What it staged
        before failing is published too (each record is whole; a failed watch's watermark stays).
        A warehouse or disk error is not a part's failure: it stops the run (``RUN_ERRORS``)."""
        try:
            step()
            return True
        except (FetchError, ValueError) as error:
            # an unreachable host: the same short reason for every part, so the run reports it once
            self.summary.failed[part] = redact(error.reason if isinstance(error, HostUnreachable) else error)
            log.warning("%s failed; the rest of the run goes on: %s", part, self.summary.failed[part])
            for fetcher in [self.client.fetcher] + ([self.site.fetcher] if self.site else []):
                self.warehouse.stage_raw(self.run_id, fetcher.drain())
            return False

    def run_all(self, steps: "RunSteps | None" = None, *, extract: bool = True) -> RunSummary:
        """Every watch and source, each succeeding or failing on its own; publish what succeeded;
        then (with ``extract``) extract and judge the new record versions.

        The one loop of a run: ``fmwatch run`` calls it with this run's own steps, the Prefect flows
        with ``steps`` whose members are the same methods wrapped as tasks (``RunSteps``), so the
        step order, the isolation of each part and the failure handling are the same in both.

        Raises RunFailed (nothing published) when every part failed or the warehouse cannot be
        written; otherwise returns the summary, whose ``failed`` names the parts that did not finish
        (exit status 1, ``summary.outcome()``)."""
        steps = steps or RunSteps.of(self)
        step = "start"
        try:
            succeeded = []  # ELink's look-up is not counted: it only adds to the watches' records
            if "pubmed" in self.sources:
                self.start_source("pubmed")
                for watch in self.settings.watches:
                    step = f"pubmed watch {watch.name!r}"
                    succeeded.append(self.isolated(step, lambda: self.ingest_watch(watch, steps)))
                step = "records citing the reference studies (ELink)"
                self.isolated(step, steps.find_citing)
            if self.site is not None:
                step = "fmnetwork crawl and citation linking"
                succeeded.append(self.isolated(step, steps.ingest_fmnetwork))
            if self.summary.failed and not any(succeeded):
                self.info.requests = self.requests()
                raise _failed(self.warehouse, self.info, failed_parts_text(self.summary.failed))
            step = "publish"
            steps.publish()
        except RUN_ERRORS as error:
            raise self.fail(step, error) from None
        if not extract:
            return self.summary
        try:
            self.extract_and_flag()
        except (WarehouseError, BrokenProcessPool) as error:
            raise RunFailed(f"the records were published, but not their evidence and flags (the next run "
                            f"catches them up); extract and flag: {error}") from None
        return self.summary


@dataclass(frozen=True)
class RunSteps:
    """The steps ``PipelineRun.run_all`` takes, in its order, each a callable it may be given in
    place of the run's own method (``RunSteps.of(run)``, the default).

    The Prefect flows pass the same methods wrapped as tasks (retries, caching of the pure parse,
    task runs in the UI); the loop around them (which watch, isolation, what failing means, publish)
    is ``run_all``'s and so the same for ``fmwatch run`` and the flows.

    Shapes: ``plan_watch(watch) -> WatchPlan``; ``fetch_batch(search, retstart) -> EfetchBatch``;
    ``parse_batch(body, origin) -> list`` of records (pure); ``stage_batch(items, origin) -> int``
    staged; ``mirror_watch(watch) -> int | None`` (None: the mirror cannot serve the watch);
    ``find_citing() -> int``; ``ingest_fmnetwork() -> object``; ``publish() -> RunSummary``.
    """

    plan_watch: Callable[[Watch], WatchPlan]
    fetch_batch: Callable[[SearchResult, int], object]
    parse_batch: Callable[[bytes, str], list]
    stage_batch: Callable[[list, str], int]
    mirror_watch: Callable[[Watch], int | None]
    find_citing: Callable[[], object]
    ingest_fmnetwork: Callable[[], object]
    publish: Callable[[], RunSummary]

    @classmethod
    def of(cls, run: "PipelineRun") -> "RunSteps":
        """The run's own methods: what ``fmwatch run`` takes."""
        return cls(plan_watch=run.plan_watch, fetch_batch=run.fetch_batch, parse_batch=parse_batch,
                   stage_batch=run.stage_parsed, mirror_watch=run.ingest_watch_from_mirror,
                   find_citing=run.find_citing, ingest_fmnetwork=run.ingest_fmnetwork, publish=run.publish)


def run_pipeline(settings: Settings, *, offline: bool = False, sources: Sequence[str] = SOURCES,
                 since: date | None = None, today: date | None = None,
                 progress: ProgressCallback = _noop, throttle: Callable[[], None] | None = None) -> RunSummary:
    """Fetch what is new for every watch and from the FM Network site, publish it as one run,
    then extract and judge the new record versions."""
    with PipelineRun(settings, offline=offline, sources=sources, since=since, today=today, throttle=throttle,
                     progress=progress) as run:
        summary = run.run_all()
    if summary.failed:
        raise RunPartlyFailed(summary)
    return summary


# --- local files ----------------------------------------------------------------------------------

def check_input_files(paths: Sequence[Path]) -> None:
    """Raise FileNotFoundError, one line, unless every path is a file: naming those missing and,
    apart, the folders given for files (a folder is not a missing file)."""
    not_files = [Path(p) for p in paths if not Path(p).is_file()]
    if not not_files:
        return
    folders = [str(p) for p in not_files if p.is_dir()]
    missing = [str(p) for p in not_files if not p.is_dir()]
    raise FileNotFoundError("; ".join(
        ([f"no such file: {', '.join(missing)}"] if missing else []) +
        ([f"a folder, not a file: {', '.join(folders)} (give its files, e.g. {folders[0]}/*.xml)"] if folders else [])))


def import_files(settings: Settings, paths: Sequence[Path], progress: ProgressCallback = _noop, *,
                 offline: bool = False, extract: bool = True, workers: int | None = None,
                 pool: WorkerPool | None = None) -> RunSummary:
    """Load local files as one run; importing the same files again changes nothing.

    Each file is parsed in one of ``workers`` processes (default: the ``workers`` setting; or
    through ``pool``, the Prefect flows' task runner), which writes its staged rows as Parquet
    chunks of ``STAGE_BATCH`` records to a spool folder; this process, the only one writing the
    warehouse, stages them file by file in order and publishes the run. Extraction then runs the
    same way (``extract_and_flag``). Articles' references are linked through E-utilities (the
    snapshot when ``offline``).
    """
    check_input_files(paths)
    workers = workers or settings.workers
    run = RunInfo(run_id=new_run_id(), command="import", sources="file")
    summary = RunSummary(run.run_id, "import", "running")
    # Like a run, an import stages into a file of its own (its citation look-ups wait on the network)
    # and opens the warehouse for writing only to publish.
    with RunLock.acquire(settings.db, f"import {run.run_id}") as run_lock, \
            Warehouse.run_stage_from_settings(settings, run_lock, run.run_id) as warehouse, \
            tempfile.TemporaryDirectory(prefix="fmwatch-spool-") as spool, _own_pool(pool, workers) as runner:
        # Loading a file needs no network; linking its citations is enrichment, so it gets few
        # attempts and a short timeout: on a machine that cannot reach NCBI it becomes pending at once.
        client = make_eutils_client(settings.model_copy(update={
            "max_attempts": min(settings.max_attempts, 2), "timeout_seconds": min(settings.timeout_seconds, 10.0),
            "backoff_seconds": min(settings.backoff_seconds, 0.5)}), offline=offline)
        articles: list[FmArticle] = []
        try:
            units = ((str(Path(path)), number, run.run_id, spool) for number, path in enumerate(paths, start=1))
            for number, parsed in enumerate(runner.map(parse_file_unit, units), start=1):
                stage_parsed_file(warehouse, run.run_id, parsed, summary.quarantined)
                articles += parsed.fm_articles
                progress("import", number, len(paths))
            summary.citations = link_citations(client, warehouse, run.run_id, articles, summary.warnings)
            for message in summary.warnings:
                log.warning(message)
                warehouse.stage_run_note(run.run_id, "warning", "citation_link", message)
            run.requests = client.fetcher.requests_made
            summary.published = warehouse.publish(run, record_noop=False)
        except (*RUN_ERRORS, BrokenProcessPool) as error:
            raise _failed(warehouse, run, f"import: {error}") from None
        if extract:
            try:
                summary.extracted = extract_and_flag(warehouse, run.run_id, progress=progress, pool=runner)
            except (WarehouseError, BrokenProcessPool) as error:
                raise RunFailed(f"the records were published, but not their evidence and flags (the next run "
                                f"or `fmwatch reextract` catches them up); extract and flag: {error}") from None
    summary.status = "quarantined" if summary.quarantined else summary.published.status
    return summary


def stage_parsed_file(warehouse: Warehouse, run_id: str, parsed: ParsedFile, quarantined: list[Quarantined]) -> int:
    """Stage what ``parse_file_unit`` made of one file, then remove its spool files."""
    try:
        count = warehouse.stage_pubmed_parquet(parsed.parquet)
    finally:
        for name in parsed.parquet:
            Path(name).unlink(missing_ok=True)
    for article in parsed.fm_articles:
        warehouse.stage_fm_article(run_id, article, parsed.origin)
    warehouse.stage_quarantine(run_id, parsed.quarantined)
    quarantined.extend(parsed.quarantined)
    return count


# --- the local PubMed mirror (issue 15b) ------------------------------------------------------------

@dataclass
class MirrorSummary:
    run_id: str
    listed: int = 0  # bulk files on the listing pages
    skipped: int = 0  # already ingested by an earlier sync
    files: list[dict] = field(default_factory=list)  # name, kind, records, deletions, quarantined
    quarantined: list[Quarantined] = field(default_factory=list)


@dataclass
class FetchedBulkFile:
    """What one mirror unit hands back: the file checked, and its parse."""
    file: BulkFile
    md5: str
    size: int
    parsed: ParsedFile


def make_mirror_source(settings: Settings) -> PubmedMirrorSource:
    """NLM's bulk files at ``settings.mirror_url``, through the shared HTTP layer (retries, user agent)."""
    fetcher = make_fetcher(settings, "mirror", offline=False, max_bytes=MAX_FILE_BYTES)
    return PubmedMirrorSource(fetcher, settings.mirror_url)


def mirror_file_unit(settings: Settings, file: BulkFile, number: int, run_id: str, spool: str) -> FetchedBulkFile:
    """Download one bulk file (md5 checked) and parse it to Parquet under ``spool``: a worker's unit.

    Raises MirrorFileRefused, naming the file, for a bad md5, a gzip stream cut short, or a file
    that is not PubMed XML; nothing of such a file reaches the warehouse.
    """
    source = make_mirror_source(settings)
    folder = Path(spool) / f"download-{number:07d}"
    folder.mkdir()
    try:
        path, md5, size = source.download(file, folder)
        try:
            parsed = parse_file_unit(str(path), number, run_id, spool, origin=file.url)
        except UNREADABLE_GZIP as error:
            raise refuse_unreadable(file.name, error) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    whole_file = [q for q in parsed.quarantined if q.source == "file"]
    if whole_file:
        for name in parsed.parquet:
            Path(name).unlink(missing_ok=True)
        raise MirrorFileRefused(file.name, whole_file[0].reason)
    return FetchedBulkFile(file, md5, size, parsed)


def sync_mirror(settings: Settings, progress: ProgressCallback = _noop, *, workers: int | None = None,
                pool: WorkerPool | None = None) -> MirrorSummary:
    """Bring the local PubMed mirror up to date with NLM's bulk files at ``settings.mirror_url``.

    Lists ``baseline/`` and ``updatefiles/``, skips the files already ingested, and applies the rest
    in order (baseline, then updates by number), each in its own transaction with its row in
    ``mirror_files``: downloads and parses run in ``workers`` processes (or through ``pool``), this
    process applies them one by one. A refused file (bad md5, truncated gzip) stops the sync with
    RunFailed naming it; the files before it stay ingested, and a rerun resumes at it.
    """
    workers = workers or settings.workers
    run = RunInfo(run_id=new_run_id(), command="mirror", sources="mirror")
    summary = MirrorSummary(run.run_id)

    def opened() -> Warehouse:
        # The warehouse is opened for each step that writes it and closed before the next wait on the
        # network (the listing, a download): an editor's triage writes in between (issue 16). Only the
        # last step publishes a read snapshot: one per bulk file would copy the whole warehouse each time.
        return Warehouse.from_settings(settings, read_snapshot=False)

    with RunLock.acquire(settings.db, f"mirror sync {run.run_id}"), \
            tempfile.TemporaryDirectory(prefix="fmwatch-mirror-") as spool:
        with opened() as warehouse:
            warehouse.clear_staging()
            done = warehouse.mirror_file_names()
        try:
            listed = make_mirror_source(settings).list_files()
            todo = [f for f in listed if f.name not in done]
            summary.listed, summary.skipped = len(listed), len(listed) - len(todo)
            with _own_pool(pool, workers) as runner:
                units = ((settings, f, number, run.run_id, spool) for number, f in enumerate(todo, start=1))
                for got in runner.map(mirror_file_unit, units):
                    try:
                        with opened() as warehouse:
                            records, deletions = warehouse.apply_mirror_file(
                                got.file.name, got.file.kind, got.file.url, got.md5, got.size, got.parsed.parquet,
                                len(got.parsed.quarantined))
                            warehouse.stage_quarantine(run.run_id, got.parsed.quarantined)
                    finally:
                        for name in got.parsed.parquet:
                            Path(name).unlink(missing_ok=True)
                    summary.quarantined += got.parsed.quarantined
                    summary.files.append({"name": got.file.name, "kind": got.file.kind, "records": records,
                                          "deletions": deletions, "quarantined": len(got.parsed.quarantined)})
                    progress("mirror", len(summary.files), len(todo))
            run.requests = 2 + 2 * len(summary.files)  # the listings, and each file with its .md5
            with Warehouse.from_settings(settings) as warehouse:  # and a read snapshot of the whole sync
                warehouse.publish(run, record_noop=False)
        except (*RUN_ERRORS, BrokenProcessPool) as error:
            message = (f"mirror sync stopped: {error}. The {len(summary.files)} file(s) before it were ingested "
                       f"and recorded; a rerun resumes from there.")
            try:
                with Warehouse.from_settings(settings) as warehouse:
                    warehouse.record_failure(run, message)
            except WarehouseError as also:
                log.warning("the failed sync could not be recorded in the runs table: %s", also)
            raise RunFailed(message) from None
    return summary
