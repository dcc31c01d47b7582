"""The pipeline: sources -> parse -> warehouse, as one run.

This is the only module that knows every stage. The CLI and the Prefect flows call
these functions; the stages never call back into here.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

from . import __version__, digest
from .citations import CitationLink, resolve_reference
from .evidence import Flag, RecordContext, judge, registry
from .extract.core import EXTRACTOR_VERSION, Document, extract
from .http import MAX_BODY_BYTES, FetchError, Fetcher, RecordingAdapter, ReplayAdapter, shared_limiter
from .parse.fmnetwork import NotAnArticle, is_print_view, parse_article_html, parse_fm_file
from .parse.medline import iter_medline
from .parse.pubmed_xml import NotPubmedXml, iter_pubmed_xml
from .records import ArticleRecord, Deletion, FmArticle, Quarantined, Reference
from .settings import Settings, Watch
from .sources.fmnetwork import MAX_PAGE_BYTES, Disallowed, FmNetworkSite, PageState
from .sources.pubmed import ESEARCH_LIMIT, EutilsClient, SearchResult
from .warehouse import PublishResult, RunInfo, Warehouse, WarehouseError, new_run_id

log = logging.getLogger("fmwatch.pipeline")

STAGE_BATCH = 1000  # records staged per commit on imports
MAX_IMPORT_BYTES = 2 * 1024 * 1024 * 1024  # decompressed, per file: a gzip bomb stops here

ProgressCallback = Callable[[str, int, int | None], None]  # (what, done, total)


class RunFailed(RuntimeError):
    """A run stopped. The message names the step and says what was published (usually nothing)."""


# What ends a run with RunFailed (anything else is a bug, and keeps its traceback): the network after
# the last retry, the disk, input the parsers refuse as a whole, and a warehouse that cannot be written.
RUN_ERRORS = (FetchError, OSError, ValueError, WarehouseError)


def _failed(warehouse: Warehouse, run: RunInfo, message: str) -> RunFailed:
    """Drop what the run staged, log it in the runs table if the warehouse can still take a row."""
    try:
        warehouse.record_failure(run, message)
    except WarehouseError as also:  # a full disk may not take the failure's row either
        log.warning("the failed run could not be recorded in the runs table: %s", also)
    return RunFailed(f"nothing was published; {message}")


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
    failures: list[str] = field(default_factory=list)  # watches that failed (their watermarks stayed)
    warnings: list[str] = field(default_factory=list)  # enrichment left pending for the next run

    @property
    def exit_code(self) -> int:
        """0 done; 3 done, but input was quarantined or a watch failed (the summary says which).
        Pending enrichment is a warning and leaves the code as it is."""
        return 3 if self.quarantined or self.failures else 0


def _noop(what: str, done: int, total: int | None) -> None:
    pass


# --- PubMed -------------------------------------------------------------------------------------

def snapshot_folder(name: str) -> Path:
    """The recorded responses shipped in the package for offline runs."""
    return Path(str(resources.files("fmwatch.snapshot").joinpath(name)))


def make_fetcher(settings: Settings, source: str, *, offline: bool, rate: float | None = None,
                 throttle: Callable[[], None] | None = None, max_bytes: int = MAX_BODY_BYTES) -> Fetcher:
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
    )


def user_agent(settings: Settings) -> str:
    return f"fmwatch/{__version__} (+{settings.ncbi_email or 'https://github.com/fmwatch'})"


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

def make_fm_site(settings: Settings, *, offline: bool = False) -> FmNetworkSite:
    fetcher = make_fetcher(settings, "fmnetwork", offline=offline, max_bytes=MAX_PAGE_BYTES)
    return FmNetworkSite(fetcher, settings.fmnetwork_url, user_agent=user_agent(settings),
                         crawl_delay=0.0 if offline else settings.crawl_delay_seconds)


def crawl_fmnetwork(site: FmNetworkSite, warehouse: Warehouse, run_id: str, summary: RunSummary,
                    progress: ProgressCallback = _noop) -> list[FmArticle]:
    """Fetch the new or changed articles into staging; an unchanged page costs a 304 and no parse."""
    states = warehouse.page_states()
    found, method = site.discover(warehouse.newest_fm_article(), {url: s[3] for url, s in states.items()})
    counts = summary.fm_pages
    counts.update(discovered=len(found), not_modified=0, unchanged=0, parsed=0, disallowed=0, failed=0)
    articles = []
    for number, item in enumerate(found, start=1):
        known = states.get(item.url)
        state = PageState(item.url, *known[:3]) if known else None
        try:
            page = site.get(item.url, state)
        except Disallowed:
            counts["disallowed"] += 1
            continue
        except FetchError as error:
            counts["failed"] += 1
            summary.quarantined.append(Quarantined("fmnetwork", item.url, f"fetch failed: {error}", b""))
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
            summary.quarantined.append(Quarantined("fmnetwork", item.url, f"not an article: {error}", page.body))
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


def documents_from_warehouse(pubmed_rows, fm_rows) -> Iterator[tuple[Document, int, RecordContext]]:
    """Documents for extraction, from the rows of queries/pending_*_evidence.sql."""
    for pmid, version, title, abstract, types, mesh, language, doi, corrections, cites in pubmed_rows:
        fields = {"title": title or "", "abstract": abstract or ""}
        if types:
            fields["publication_types"] = "; ".join(types)
        if mesh:
            fields["mesh"] = "; ".join(mesh)
        doc = Document(f"pubmed:{pmid}", "pubmed", title or "", fields, pmid, doi, types or [], mesh or [], language)
        context = RecordContext(publication_types=types or [],
                                comments_corrections=[(c["ref_type"], c["pmid"]) for c in corrections or []],
                                cited_pmids={c["pmid"] for c in corrections or [] if c["ref_type"] == "Cites" and c["pmid"]}
                                | set(cites or []),
                                text=f"{title}\n{abstract or ''}")
        yield doc, version, context
    for slug, version, title, body, reports_on in fm_rows:
        doc = Document(f"fmnetwork:{slug}", "fmnetwork", title, {"title": title, "body": body})
        yield doc, version, RecordContext(reports_on=list(reports_on or []), cited_pmids=set(reports_on or []), text=body)


def document_of(item: ArticleRecord | FmArticle) -> tuple[Document, RecordContext]:
    """The extraction input and judgement context of a parsed record (no warehouse needed)."""
    if isinstance(item, FmArticle):
        return Document.from_fm_article(item), RecordContext(text=item.body)
    corrections = [(c.ref_type, c.pmid) for c in item.comments_corrections]
    return Document.from_article(item), RecordContext(
        publication_types=item.publication_types, comments_corrections=corrections,
        cited_pmids=item.cited_pmids,
        text=f"{item.title}\n{item.abstract or ''}")


def extract_files(paths: Sequence[Path]) -> Iterator[dict | Quarantined]:
    """Evidence records of local files, one per record, without touching the warehouse."""
    for path in paths:
        for item in iter_file_items(Path(path)):
            if isinstance(item, Quarantined):
                yield item
            elif not isinstance(item, Deletion):
                record, _ = evidence_record(*document_of(item))
                yield record


def evidence_record(doc: Document, context: RecordContext) -> tuple[dict, list[Flag]]:
    """The full evidence record of one document: extracted details, then judged against the claims."""
    record = extract(doc)
    _, flags = judge(record, context)
    return record, flags


def extract_and_flag(warehouse: Warehouse, run_id: str, *, everything: bool = False,
                     progress: ProgressCallback = _noop) -> ExtractSummary:
    """Extract and judge every current record version that has no evidence yet (all with
    ``everything``), and publish the evidence and flags in one transaction."""
    pubmed_rows, fm_rows = warehouse.pending_evidence(everything)
    known = warehouse.known_pmids(
        c["pmid"] for row in pubmed_rows for c in (row[8] or []) if c["pmid"] and c["ref_type"].endswith(("Of", "For")))
    summary = ExtractSummary()
    rows, flags = [], []
    total = len(pubmed_rows) + len(fm_rows)
    for number, (doc, version, context) in enumerate(documents_from_warehouse(pubmed_rows, fm_rows), start=1):
        context.known_pmids = known
        try:
            record, raised = evidence_record(doc, context)
        except Exception as error:  # one record the rules choke on must not stop the others
            log.exception("extraction failed for %s", doc.record_id)
            summary.failed.append((doc.record_id, f"{type(error).__name__}: {error}"))
            continue
        rows.append((doc.record_id, version, doc.source, EXTRACTOR_VERSION, record))
        flags += [(flag, version) for flag in raised]
        progress("extract", number, total)
        if len(rows) >= STAGE_BATCH:
            warehouse.stage_evidence(run_id, rows, flags)
            summary.records, summary.flags = summary.records + len(rows), summary.flags + len(flags)
            rows, flags = [], []
    warehouse.stage_evidence(run_id, rows, flags)
    summary.records, summary.flags = summary.records + len(rows), summary.flags + len(flags)
    warehouse.publish_evidence()
    return summary


def reextract(settings: Settings, progress: ProgressCallback = _noop) -> ExtractSummary:
    """Run the extractor and the judgement again over every current record (after they change)."""
    with Warehouse.from_settings(settings) as warehouse:
        warehouse.clear_staging()
        return extract_and_flag(warehouse, new_run_id(), everything=True, progress=progress)


# --- the digest ------------------------------------------------------------------------------

@dataclass
class DigestResult:
    digest_id: str
    items: int
    html_path: Path | None
    markdown_path: Path | None
    markdown: str
    html: str


def make_digest(settings: Settings, *, since: datetime | None = None, until: datetime | None = None,
                out_dir: Path | None = None) -> DigestResult:
    """Render the digest of what is new (since the last one, or in the window), store it in
    ``digests`` and, with ``out_dir``, write its HTML and Markdown there."""
    with Warehouse.from_settings(settings) as warehouse:
        built = digest.build_digest(warehouse, since, until)
        html, markdown = digest.render(built)
        digest_id = digest.store(warehouse, built, html, markdown)
    html_path = markdown_path = None
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = f"digest-{built.window_end:%Y-%m-%d}"
        html_path, markdown_path = out_dir / f"{stem}.html", out_dir / f"{stem}.md"
        html_path.write_text(html, encoding="utf-8")
        markdown_path.write_text(markdown, encoding="utf-8")
    return DigestResult(digest_id, len(built.items), html_path, markdown_path, markdown, html)


# --- a run ------------------------------------------------------------------------------------------

SOURCES = ("pubmed", "fmnetwork")


class PipelineRun:
    """One run, step by step. ``run_pipeline`` calls the steps in order; the Prefect flows call
    the very same steps as tasks (a batch, a page), so both paths share every line of logic.

    Use it as a context manager: it opens the warehouse and clears what a killed run left staged.
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
        self.warehouse = Warehouse.from_settings(self.settings)
        self.warehouse.clear_staging()
        return self

    def __exit__(self, *exc) -> None:
        self.warehouse.close()

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
            self.warehouse.stage_raw(self.run_id, self.client.fetcher.drain())
            message = f"watch {plan.watch.name!r}: {failure}; its watermark stays where it was"
            log.error(message)
            self.summary.failures.append(message)
            self.warehouse.stage_run_note(self.run_id, "error", f"watch {plan.watch.name}", message)
            return
        self.warehouse.stage_raw(self.run_id, self.client.fetcher.drain())  # searches that found nothing
        self.warehouse.stage_watermark("pubmed", plan.watch.name, plan.watch.query, plan.maxdate, self.run_id)
        if plan.reconciliation is not None:
            self.warehouse.stage_reconciliation("pubmed", plan.watch.name, plan.watch.query, self.today,
                                                *plan.reconciliation, self.run_id)
        self.summary.watches[plan.watch.name] = count
        self.info.watermark = self.today

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
                    raise WatchFailed(f"esearch counted {count} records for {window.term!r} but listed {len(ids)}")
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

    def ingest_watch(self, watch: Watch) -> int:
        plan = self.plan_watch(watch)
        done = 0
        for window in plan.windows:
            for retstart in self.client.batch_starts(window):
                batch = self.fetch_batch(window, retstart)
                staged = self.stage_parsed(items := parse_batch(batch.body, batch.url), batch.url)
                wanted = min(self.client.batch_size, window.count - retstart)
                if len(items) < wanted:
                    log.warning("watch %s: an efetch batch brought %d records of the %d esearch counted "
                                "(retstart %d); the missing ones are fetched by id", watch.name, len(items),
                                wanted, retstart)
                done += staged
                self.progress(f"pubmed {watch.name}", done, plan.total)
        self.finish_watch(plan, done)
        return done

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
        articles = crawl_fmnetwork(self.site, self.warehouse, self.run_id, self.summary, self.progress)
        warnings: list[str] = []
        self.summary.citations = link_citations(self.client, self.warehouse, self.run_id, articles, warnings)
        for message in warnings:
            self._warn("citation_link", message)
        self.retry_pending_enrichment()
        return self.summary.citations

    # --- the end of a run --------------------------------------------------------------------

    def publish(self) -> RunSummary:
        self.info.requests = self.requests()
        self.summary.published = self.warehouse.publish(self.info)
        self.summary.status = self.summary.published.status
        if self.summary.failures and self.summary.status == "succeeded":
            self.summary.status = "partial"  # the other watches published; the failed ones said why
        self.summary.requests = self.info.requests
        return self.summary

    def extract_and_flag(self) -> ExtractSummary:
        self.summary.extracted = extract_and_flag(self.warehouse, self.run_id, progress=self.progress)
        return self.summary.extracted

    def fail(self, step: str, error: Exception) -> RunFailed:
        """Drop what was staged, log the failure in the runs table, and say which step failed."""
        self.info.requests = self.requests()
        return _failed(self.warehouse, self.info, f"{step}: {error}")

    def run_all(self) -> RunSummary:
        step = "start"
        try:
            if "pubmed" in self.sources:
                for watch in self.settings.watches:
                    step = f"pubmed watch {watch.name!r}"
                    self.ingest_watch(watch)
                step = "records citing the reference studies (ELink)"
                self.find_citing()
            if self.site is not None:
                step = "fmnetwork crawl and citation linking"
                self.ingest_fmnetwork()
            step = "publish"
            self.publish()
        except RUN_ERRORS as error:
            raise self.fail(step, error) from None
        try:
            self.extract_and_flag()
        except WarehouseError as error:
            raise RunFailed(f"the records were published, but not their evidence and flags (the next run "
                            f"catches them up); extract and flag: {error}") from None
        return self.summary


def run_pipeline(settings: Settings, *, offline: bool = False, sources: Sequence[str] = SOURCES,
                 since: date | None = None, today: date | None = None,
                 progress: ProgressCallback = _noop, throttle: Callable[[], None] | None = None) -> RunSummary:
    """Fetch what is new for every watch and from the FM Network site, publish it as one run,
    then extract and judge the new record versions."""
    with PipelineRun(settings, offline=offline, sources=sources, since=since, today=today, throttle=throttle,
                     progress=progress) as run:
        return run.run_all()


# --- local files ----------------------------------------------------------------------------------

def detect_format(path: Path, head: bytes) -> str:
    """pubmed-xml, medline, fm-page, fm-print or unknown, from the first bytes (and the name)."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    lowered = text[:4096].lower()
    if b"<html" in lowered or lowered.startswith(b"<!doctype html"):
        return "fm-page"
    if text.startswith(b"<?xml") or text.startswith(b"<!DOCTYPE Pubmed") or text.startswith(b"<Pubmed"):
        return "pubmed-xml"
    if text.startswith(b"PMID-") or text[:5] == b"PMID ":
        return "medline"
    if is_print_view(head.decode("utf-8", "replace")):
        return "fm-print"
    if path.suffix.lower() in (".html", ".htm"):
        return "fm-page"
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
        head = handle.read(256 * 1024)  # a print view's "Article printed from" sits near its end
        handle.seek(0)
        kind = detect_format(path, head)
        try:
            if kind == "pubmed-xml":
                yield from iter_pubmed_xml(handle, origin=origin)
            elif kind == "medline":
                yield from iter_medline(handle.read(), origin)
            elif kind in ("fm-page", "fm-print"):
                yield parse_fm_file(handle.read(MAX_PAGE_BYTES + 1)[:MAX_PAGE_BYTES])
            else:
                raise ValueError("not a recognised format (PubMed XML, MEDLINE text, an article page or print view)")
        except (NotPubmedXml, NotAnArticle, ValueError) as error:
            # Keep the file as it is on disk (compressed, for a .gz), not what it expands to.
            yield Quarantined("file", origin, f"{path.name}: {error}", path.read_bytes())


def import_files(settings: Settings, paths: Sequence[Path], progress: ProgressCallback = _noop, *,
                 offline: bool = False, extract: bool = True) -> RunSummary:
    """Load local files as one run; importing the same files again changes nothing.

    Articles' references are linked through E-utilities (the snapshot when ``offline``).
    """
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise FileNotFoundError(f"no such file: {', '.join(missing)}")
    run = RunInfo(run_id=new_run_id(), command="import", sources="file")
    summary = RunSummary(run.run_id, "import", "running")
    with Warehouse.from_settings(settings) as warehouse:
        warehouse.clear_staging()
        # Loading a file needs no network; linking its citations is enrichment, so it gets few
        # attempts and a short timeout: on a machine that cannot reach NCBI it becomes pending at once.
        client = make_eutils_client(settings.model_copy(update={
            "max_attempts": min(settings.max_attempts, 2), "timeout_seconds": min(settings.timeout_seconds, 10.0),
            "backoff_seconds": min(settings.backoff_seconds, 0.5)}), offline=offline)
        articles: list[FmArticle] = []
        try:
            for number, path in enumerate(paths, start=1):
                path = Path(path)
                batch: list = []
                for item in iter_file_items(path):
                    if isinstance(item, FmArticle):
                        articles.append(item)
                    batch.append(item)
                    if len(batch) >= STAGE_BATCH:
                        stage_items(warehouse, run.run_id, batch, str(path.resolve()), summary.quarantined)
                        batch = []
                stage_items(warehouse, run.run_id, batch, str(path.resolve()), summary.quarantined)
                progress("import", number, len(paths))
            summary.citations = link_citations(client, warehouse, run.run_id, articles, summary.warnings)
            for message in summary.warnings:
                log.warning(message)
                warehouse.stage_run_note(run.run_id, "warning", "citation_link", message)
            run.requests = client.fetcher.requests_made
            summary.published = warehouse.publish(run, record_noop=False)
        except RUN_ERRORS as error:
            raise _failed(warehouse, run, f"import: {error}") from None
        if extract:
            summary.extracted = extract_and_flag(warehouse, run.run_id, progress=progress)
    summary.status = "quarantined" if summary.quarantined else summary.published.status
    return summary
