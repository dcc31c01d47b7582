"""Prefect flows over the fmwatch library: thin wrappers, one task per batch or page.

Every step is a method of ``fmwatch.pipeline.PipelineRun``, and the loop that calls them (which
watch, each part isolated, what failing means, publish) is the library's own ``PipelineRun.run_all``,
the code ``fmwatch run`` runs: the flows pass it the steps wrapped as tasks (``RunSteps``) and add
retries, caching of pure steps, logging, artifacts and schedules. The import, extraction and mirror
flows likewise run the library's loops, their units as tasks on the flow's task runner.
The warehouse is the state: task results are not persisted, except the pure parse step's,
which is cached by the hash of the body it parsed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

# A temporary local Prefect server (no PREFECT_API_URL) may take far longer than Prefect's 20 s
# default to start on a busy machine: the Quickstart's first `make run` must not fail on that.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "240")
# fmwatch runs offline and on shared machines: Prefect's servers started from here (`make run`'s and
# `fmwatch serve`'s temporary one) send no analytics. Their heartbeat writes Prefect's SQLite database
# and, on a busy machine, failed there with "database is locked" tracebacks. An operator who wants
# analytics sets the variable.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.blocks.core import Block
from prefect.states import Completed
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from prefect.cache_policies import NO_CACHE
from prefect.runner import Runner
from prefect.task_runners import ProcessPoolTaskRunner

from fmwatch import pipeline
from fmwatch.http import is_retriable
from fmwatch.redact import RedactingFilter, redact
from fmwatch.settings import load_settings, missing_email_warning
from fmwatch.urls import ShortUrlFilter, shorten_urls
from fmwatch.warehouse import Warehouse, new_run_id, sql_text
from fmwatch.workers import WorkerPool

# Prefect's run loggers (and what they show in the UI and store in its database) pass through
# the same redaction as the CLI's: the API key and the e-mail never reach Prefect.
for _name in ("prefect.flow_runs", "prefect.task_runs"):
    logging.getLogger(_name).addFilter(RedactingFilter())
# The library's own loggers reach Prefect's console and UI too: a retry names its request by a short
# URL there as in the CLI (fmwatch.urls), not by the watch's whole URL-encoded query.
FMWATCH_LOGGERS = ("fmwatch.http", "fmwatch.pipeline", "fmwatch.pubmed", "fmwatch.fmnetwork", "fmwatch.warehouse")
for _name in (*FMWATCH_LOGGERS, "prefect.flow_runs", "prefect.task_runs"):
    logging.getLogger(_name).addFilter(ShortUrlFilter())


def _worth_retrying(task, task_run, state) -> bool:
    """Prefect's retry_condition_fn: no retry for what another try cannot fix (a 4xx other than
    429, a refused redirect, a passed deadline; ``fmwatch.http.is_retriable``)."""
    try:
        error = state.result(raise_on_failure=False)
    except Exception as raised:  # a result that cannot be read: let the retry policy decide
        error = raised
    return is_retriable(error) if isinstance(error, BaseException) else True


# Tasks that take the run (an open warehouse) are not cached: only the pure parse step is.
RETRIES = dict(retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=10), retry_jitter_factor=0.5,
               cache_policy=NO_CACHE, retry_condition_fn=_worth_retrying)


def _settings(db: str | None):
    return load_settings(None, db=Path(db) if db else None)


def _throttle():
    """NCBI's limit. With FMWATCH_PREFECT_RATE_LIMIT naming a global concurrency limit on the
    Prefect server (created with slot decay), Prefect counts every request across all flow runs;
    otherwise the library's own process-wide limiter does. Never both."""
    name = os.environ.get("FMWATCH_PREFECT_RATE_LIMIT")
    if not name:
        return None
    from prefect.concurrency.sync import rate_limit
    return lambda: rate_limit(name)


# --- tasks: a batch or a page each -------------------------------------------------------------

@task(name="plan watch", **RETRIES)
def plan_watch(run: pipeline.PipelineRun, watch) -> pipeline.WatchPlan:
    plan = run.plan_watch(watch)
    get_run_logger().info("watch %s: %d records in %d date window(s)", watch.name, plan.total, len(plan.windows))
    return plan


@task(name="fetch efetch batch", task_run_name="efetch {search.term:.30}... @{retstart}", **RETRIES)
def fetch_batch(run: pipeline.PipelineRun, search, retstart: int):
    return run.fetch_batch(search, retstart)


def _parser_fingerprint() -> str:
    """A hash of the code that turns a body into records (the parser and the record classes): a
    cached parse is reused only by the same code, so an upgraded fmwatch never gets records in an
    older shape from Prefect's result storage."""
    import fmwatch.parse.pubmed_xml
    import fmwatch.records
    digest = hashlib.sha256()
    for module in (fmwatch.parse.pubmed_xml, fmwatch.records):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


PARSER_FINGERPRINT = _parser_fingerprint()


def _body_key(context, parameters) -> str:
    return f"parse-{PARSER_FINGERPRINT}-" + hashlib.sha256(parameters["body"]).hexdigest()


def _parse_batch(body: bytes, origin: str) -> list:
    """Pure: the same body always parses to the same records."""
    return pipeline.parse_batch(body, origin)


parse_batch = task(name="parse efetch batch", cache_policy=NO_CACHE)(_parse_batch)
# The same step with its result cached by the hash of the body it parsed: a rerun after a failure
# downstream (a locked warehouse, a full disk) does not parse its batches again. The flows use it
# unless ``cache_parsed_batches=False``. Measured (bench/run.py, 2,000 records): writing the cache
# adds 0.8 s to a 4.6 s ingest, and the parsed records persist in Prefect's result storage.
parse_batch_cached = task(name="parse efetch batch (cached)", cache_key_fn=_body_key,
                          cache_expiration=timedelta(days=30), persist_result=True)(_parse_batch)


@task(name="stage batch", cache_policy=NO_CACHE)
def stage_batch(run: pipeline.PipelineRun, items: list, origin: str) -> int:
    return run.stage_parsed(items, origin)


@task(name="watch from the local mirror", task_run_name="mirror {watch.name}", **RETRIES)
def mirror_watch(run: pipeline.PipelineRun, watch) -> int | None:
    """esearch for the watch's PMIDs, the records from the mirror, one efetch for the rest (issue 15b)."""
    return run.ingest_watch_from_mirror(watch)


@task(name="find records citing the reference studies", **RETRIES)
def find_citing(run: pipeline.PipelineRun) -> int:
    return run.find_citing()


@task(name="publish run", cache_policy=NO_CACHE)
def publish(run: pipeline.PipelineRun):
    return run.publish()


@task(name="crawl fmnetwork and link citations", **RETRIES)
def crawl_fmnetwork(run: pipeline.PipelineRun) -> int:
    return len(run.ingest_fmnetwork())


def _run_table(summary: pipeline.RunSummary, key: str) -> None:
    """The run's table artifact: a row per watch, the run's total, and a row per warning (enrichment
    left pending for the next run)."""
    published = summary.published
    rows = [{"watch": w, "records fetched": n, "warning": ""} for w, n in summary.watches.items()]
    rows.append({"watch": "(run)", "records fetched": published.records_seen if published else 0, "warning": ""})
    rows += [{"watch": "(pending enrichment)", "records fetched": "", "warning": shorten_urls(redact(message))}
             for message in summary.warnings]
    create_table_artifact(key=key, table=rows, description=(
        f"run {summary.run_id}: {summary.status}; {published.versions_new if published else 0} new versions, "
        f"{len(summary.quarantined)} quarantined, {summary.requests} requests"
        + (f"; {len(summary.warnings)} warning(s): enrichment pending" if summary.warnings else "")))


def _completed(result: dict, warnings: list[str]):
    """The flow's result, or, when enrichment was left pending, a Completed state whose message
    names the pending look-ups (a warning, not a failure: the records were published, and the next
    run retries the look-ups). Callers get ``result`` either way (the state's data)."""
    if not warnings:
        return result
    message = f"completed with {len(warnings)} warning(s): " + "; ".join(shorten_urls(redact(w)) for w in warnings)
    return Completed(message=message[:2000], data=result)


def _ingest(sources: list[str], watches: list[str] | None, since: date | None, offline: bool, db: str | None,
            today: date | None, cache_parsed_batches: bool = True):
    logger = get_run_logger()
    settings = _settings(db)
    warning = missing_email_warning(settings, offline=offline, sources=sources)
    if warning:
        logger.warning(warning)
    if watches:
        settings = settings.model_copy(update={"watches": [w for w in settings.watches if w.name in watches]})
    parse = parse_batch_cached if cache_parsed_batches else parse_batch
    with pipeline.PipelineRun(settings, offline=offline, sources=sources, since=since, today=today,
                              throttle=_throttle()) as run:
        # The library's loop (PipelineRun.run_all: order, isolation of each watch and source, what
        # failing means, publish), with each step a task; extraction is its own flow.
        steps = pipeline.RunSteps(
            plan_watch=lambda watch: plan_watch(quote(run), watch),
            fetch_batch=lambda search, retstart: fetch_batch(quote(run), search, retstart),
            parse_batch=parse,
            stage_batch=lambda items, origin: stage_batch(quote(run), quote(items), origin),
            mirror_watch=lambda watch: mirror_watch(quote(run), watch),
            find_citing=lambda: find_citing(quote(run)),
            ingest_fmnetwork=lambda: crawl_fmnetwork(quote(run)),
            publish=lambda: publish(quote(run)))
        try:
            summary = run.run_all(steps, extract=False)
        except pipeline.RunFailed as failure:
            logger.error("run failed (%s). Rerun when the cause is fixed.", shorten_urls(redact(failure)))
            raise pipeline.RunFailed(shorten_urls(str(failure))) from None  # the flow state names a short URL
        for watch, count in summary.watches.items():
            logger.info("watch %s: %d records staged", watch, count)
        for item in summary.quarantined:
            logger.warning("quarantined %s: %s (see the quarantine view)", item.origin, item.reason)
        for note in summary.notes:
            logger.warning("%s", note)
        for message in summary.warnings:  # enrichment pending: the flow completes, and says so
            logger.warning("%s", shorten_urls(redact(message)))
        _run_table(summary, key=f"{'-'.join(sources)}-run")
        if summary.failed:  # the flow's state says what was published and what was not
            raise pipeline.RunPartlyFailed(summary)
        return summary


# --- flows -----------------------------------------------------------------------------------------

@flow(name="ingest_pubmed", log_prints=True)
def ingest_pubmed(watches: list[str] | None = None, since: date | None = None, offline: bool = False,
                  db: str | None = None, today: date | None = None, cache_parsed_batches: bool = True) -> dict:
    """Bring every watch (or the named ones) up to date from PubMed."""
    summary = _ingest(["pubmed"], watches, since, offline, db, today, cache_parsed_batches)
    return _completed({"run_id": summary.run_id, "status": summary.status,
                       "versions_new": summary.published.versions_new, "warnings": summary.warnings},
                      summary.warnings)


@flow(name="ingest_fmnetwork", log_prints=True)
def ingest_fmnetwork(offline: bool = False, db: str | None = None) -> dict:
    """Crawl the Fibromyalgia Network site for new or changed articles and link their citations."""
    summary = _ingest(["fmnetwork"], None, None, offline, db, None)
    return _completed({"run_id": summary.run_id, "status": summary.status,
                       "versions_new": summary.published.versions_new, "warnings": summary.warnings},
                      summary.warnings)


# --- parallel units: parse a file, extract a batch (issue 15b) ------------------------------------
# The library's loop (pipeline.import_files, pipeline.extract_and_flag) hands each unit to these tasks
# through the flow's task runner: Prefect's process pool here, a Dask cluster with prefect-dask, or the
# pods of a Kubernetes work pool; the one process that holds the warehouse stages what comes back.

parse_file_task = task(name="parse file", task_run_name="parse {path}", cache_policy=NO_CACHE)(
    pipeline.parse_file_unit)
extract_batch_task = task(name="extract and judge a batch", cache_policy=NO_CACHE)(pipeline.extract_unit)
# a bulk file's download is retried by the HTTP layer; a refused file (bad md5) must not be retried here
mirror_file_task = task(name="download and parse a bulk file", task_run_name="bulk file {file.name}",
                        cache_policy=NO_CACHE)(pipeline.mirror_file_unit)
_UNIT_TASKS = {pipeline.parse_file_unit: parse_file_task, pipeline.extract_unit: extract_batch_task,
               pipeline.mirror_file_unit: mirror_file_task}


def _submit_unit(fn, *args):
    """WorkerPool's ``submit``: the unit as a task on the flow's task runner (its arguments quoted, so
    Prefect does not walk a thousand rows looking for futures)."""
    return _UNIT_TASKS[fn].submit(*[quote(arg) for arg in args])


class SharedApiProcessPoolTaskRunner(ProcessPoolTaskRunner):
    """Prefect's process pool, whose worker processes use the flow's own Prefect API.

    Without PREFECT_API_URL (``make run``, a flow called from a script) the flow runs on a temporary
    local server that Prefect starts in the flow's process; the settings it passes to each spawned
    worker still name no API, so each worker started a temporary server of its own ("Starting
    temporary server" once per worker: seconds of CPU each, and more writers on Prefect's SQLite
    database). Each task is submitted with the flow's API URL in its settings, so the workers report
    to the flow's server and start none. With PREFECT_API_URL set, nothing changes."""

    def submit(self, task, parameters, wait_for=None, dependencies=None):
        """``ProcessPoolTaskRunner.submit``, under the flow's API URL when it runs on a temporary server."""
        url = _temporary_api_url()
        if url is None:
            return super().submit(task, parameters, wait_for=wait_for, dependencies=dependencies)
        from prefect.settings import PREFECT_API_URL, temporary_settings
        with temporary_settings(updates={PREFECT_API_URL: url}):
            return super().submit(task, parameters, wait_for=wait_for, dependencies=dependencies)


def _temporary_api_url() -> str | None:
    """The URL of the temporary server this flow run talks to, or None when PREFECT_API_URL names a
    server (or no flow runs here)."""
    from prefect.context import FlowRunContext
    from prefect.settings import PREFECT_API_URL

    context = FlowRunContext.get()
    if PREFECT_API_URL.value() or context is None or context.client is None:
        return None
    return str(context.client.api_url).rstrip("/")


def _task_runner():
    """Dask when FMWATCH_DASK_ADDRESS names a scheduler (needs the ``dask`` extra, prefect-dask);
    otherwise Prefect's process pool with FMWATCH_WORKERS processes (default: one per CPU), its
    workers on the flow's Prefect API (``SharedApiProcessPoolTaskRunner``)."""
    address = os.environ.get("FMWATCH_DASK_ADDRESS")
    if address:
        from prefect_dask import DaskTaskRunner
        return DaskTaskRunner(address=address)
    from fmwatch.workers import default_workers
    return SharedApiProcessPoolTaskRunner(max_workers=int(os.environ.get("FMWATCH_WORKERS") or default_workers()))


@flow(name="extract_and_flag", task_runner=_task_runner())
def extract_and_flag(db: str | None = None, everything: bool = False, batch_size: int = pipeline.EXTRACT_BATCH) -> dict:
    """Extract and judge every record version that has no evidence yet (all with ``everything``),
    a batch per task on the flow's task runner."""
    settings = _settings(db)
    with Warehouse.open(settings.db, memory_limit=settings.db_memory_limit) as warehouse:
        result = pipeline.extract_and_flag(warehouse, new_run_id(), everything=everything, batch_size=batch_size,
                                           pool=WorkerPool(settings.workers, submit=_submit_unit))
    for record_id, error in result.failed:
        get_run_logger().error("extraction failed for %s: %s", record_id, error)
    return {"records": result.records, "flags": result.flags, "failed": len(result.failed)}


@flow(name="import_files", task_runner=_task_runner())
def import_files(paths: list[str], db: str | None = None, offline: bool = False, extract: bool = True) -> dict:
    """``fmwatch import`` as a flow: each file parsed by a task on the flow's task runner, one
    publisher, then extraction a batch per task."""
    settings = _settings(db)
    summary = pipeline.import_files(settings, [Path(p) for p in paths], offline=offline, extract=extract,
                                    pool=WorkerPool(settings.workers, submit=_submit_unit))
    for item in summary.quarantined:
        get_run_logger().warning("quarantined %s: %s (see the quarantine view)", item.origin, item.reason)
    return {"run_id": summary.run_id, "status": summary.status,
            "versions_new": summary.published.versions_new if summary.published else 0,
            "evidence": summary.extracted.records if summary.extracted else 0}


@flow(name="sync_mirror", task_runner=_task_runner())
def sync_mirror(db: str | None = None) -> dict:
    """Bring the local PubMed mirror up to date with NLM's bulk files: each file downloaded, md5-checked
    and parsed by a task on the flow's task runner, applied in order by this one process."""
    settings = _settings(db)
    summary = pipeline.sync_mirror(settings, pool=WorkerPool(settings.workers, submit=_submit_unit))
    create_table_artifact(key="mirror-sync", table=summary.files or [{"name": "(none new)"}],
                          description=f"mirror sync {summary.run_id}: {len(summary.files)} new of {summary.listed} files")
    return {"run_id": summary.run_id, "files": len(summary.files), "skipped": summary.skipped,
            "records": sum(f["records"] for f in summary.files)}


@flow(name="weekly_digest")
def weekly_digest(db: str | None = None, out_dir: str = "digests", week: str | None = None,
                  notify_block: str | None = None, notify_priority: int = 1) -> dict:
    """Render the digest, publish it as a Markdown artifact, and notify (optionally).

    Without ``week`` it is the scheduled digest (what was flagged since the last scheduled one);
    with ``week`` (ISO, e.g. 2026-W48) a preview that does not move that mark. The notification
    block is loaded first: a wrong name fails the flow before any digest is recorded."""
    block = _notification_block(notify_block) if notify_block else None
    result = pipeline.make_digest(_settings(db), out_dir=Path(out_dir), week=week)
    create_markdown_artifact(key="weekly-digest", markdown=result.markdown,
                             description=f"fmwatch {result.kind} digest {result.period}: {result.items} items")
    if block is not None:
        _notify(block, db, notify_priority)
    return {"digest_id": result.digest_id, "items": result.items, "kind": result.kind, "period": result.period,
            "html": str(result.html_path), "left": result.left}


def _notification_block(block_name: str):
    """The operator's saved notification block ("<block-type-slug>/<name>"), or a clear error."""
    try:
        return Block.load(block_name)
    except (ValueError, KeyError) as error:
        raise ValueError(f"notification block {block_name!r} cannot be loaded ({error}); save it first "
                         "(e.g. `prefect block create slack-webhook`) and pass its \"type/name\"") from None


def _notify(block, db: str | None, max_priority: int) -> int:
    with Warehouse.open(_settings(db).db, read_only=True) as warehouse:
        rows = warehouse.con.execute(sql_text("queries/new_flags_to_notify"), [max_priority]).fetchall()
    if rows:
        body = "\n".join(f"[{priority}] {record_id} {claim or ''} {relation or ''}: {reason}"
                         for record_id, claim, relation, priority, reason in rows)
        block.notify(body=body, subject=f"fmwatch: {len(rows)} high-priority flags")
    return len(rows)


@flow(name="notify_flags")
def notify_flags(block_name: str, db: str | None = None, max_priority: int = 1) -> int:
    """Send the new flags of priority <= max_priority through a notification block (email,
    Slack, webhook, ...) that an operator saved: ``block_name`` is "<block-type-slug>/<name>",
    e.g. "slack-webhook/editors". Nothing is hard-coded. The block is loaded before the
    warehouse is read, so a wrong name fails at once."""
    return _notify(_notification_block(block_name), db, max_priority)


@flow(name="fmwatch_pipeline")
def fmwatch_pipeline(offline: bool = False, since: date | None = None, db: str | None = None,
                     watches: list[str] | None = None, digest: bool = True, out_dir: str = "digests") -> dict:
    """The whole pipeline in order: PubMed, the FM Network site, extraction and flags, the digest.

    Ends Failed naming the sources that failed; Completed with a message naming the look-ups left
    pending when a source published its records but not all of its enrichment."""
    # Each source succeeds or fails on its own: a failed PubMed ingest does not stop the site's,
    # and the parent flow ends Failed, naming the parts that failed, after the others are done.
    states = {
        "ingest_pubmed": ingest_pubmed(watches=watches, since=since, offline=offline, db=db, return_state=True),
        "ingest_fmnetwork": ingest_fmnetwork(offline=offline, db=db, return_state=True),
    }
    results = {name: state.result(raise_on_failure=False) for name, state in states.items()}
    results["extract_and_flag"] = extract_and_flag(db=db)
    if digest:
        results["weekly_digest"] = weekly_digest(db=db, out_dir=out_dir)
    failed = {name: redact(state.message or results[name]) for name, state in states.items() if not state.is_completed()}
    if failed:
        raise pipeline.RunFailed("; ".join(f"{name} failed: {why}" for name, why in failed.items()))
    # pending enrichment in either source: Completed, with a message naming it (a warning, not a failure)
    return _completed(results, [w for r in results.values() if isinstance(r, dict) for w in r.get("warnings") or []])


PROJECT = Path(__file__).resolve().parents[1]


def deployments_from_yaml(path: Path = PROJECT / "prefect.yaml") -> list:
    """The deployments of prefect.yaml (name, flow, parameters, cron schedules with their time
    zones) as served deployments: `fmwatch serve` and `prefect deploy --all` schedule the same."""
    import yaml
    from prefect.schedules import Cron

    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    served = []
    for spec in config["deployments"]:
        flow_name = spec["entrypoint"].partition(":")[2]
        schedules = [Cron(s["cron"], timezone=os.environ.get("FMWATCH_TIMEZONE") or s.get("timezone"),
                          active=s.get("active", True)) for s in spec.get("schedules") or [] if s.get("cron")]
        served.append(globals()[flow_name].to_deployment(
            name=spec["name"], description=spec.get("description"), parameters=spec.get("parameters") or {},
            schedules=schedules or None))
    return served


# After SIGTERM or Ctrl-C, serve pauses its deployments and cancels what it runs; if that has not
# ended in this many seconds (a server that does not answer), or on a second signal, it stops at once.
STOP_GRACE_SECONDS = 10.0


def serve_all() -> int:
    """``fmwatch serve``: every deployment of prefect.yaml served from this one process, schedules
    included (FMWATCH_TIMEZONE overrides the file's time zone). Returns the exit status.

    Stops on SIGTERM (status 0) and on SIGINT, Ctrl-C (status 130): it pauses its deployments and
    cancels the flow runs it started, as Prefect's ``serve`` does, within ``STOP_GRACE_SECONDS``;
    past that, or on a second signal, it stops the temporary server and exits at once (128 + the
    signal's number). Without PREFECT_API_URL it serves from Prefect's temporary local server,
    started in a process session of its own: Ctrl-C in a terminal signals the whole foreground
    process group, and a server that got it too would be gone before serve could pause anything
    (Prefect 3.9 then retried for minutes; only SIGKILL stopped it)."""
    import asyncio

    deployments = deployments_from_yaml()
    with _prefect_api() as server:
        runner = StoppableRunner(server, pause_on_shutdown=True, limit=None)
        for deployment in deployments:
            deployment.work_pool_name = None  # served from this process, not by a work pool's worker
            runner.add_deployment(deployment)
        previous = signal.signal(signal.SIGINT, runner.request_stop)  # before asyncio.run, which then keeps it
        try:
            print("fmwatch serve: the deployments are being served, with their schedules:", flush=True)
            for deployment in deployments:
                print(f"  {deployment.flow_name}/{deployment.name}", flush=True)
            print("Ctrl-C or SIGTERM stops serving.", flush=True)
            asyncio.run(runner.start())
        finally:
            signal.signal(signal.SIGINT, previous)
            if runner.deadline is not None:  # stopped in time; the server stops below (at most 5 s)
                runner.deadline.cancel()
    return {None: 0, signal.SIGTERM: 0}.get(runner.stop_signal, 128 + int(runner.stop_signal or 0))


def _prefect_api():
    """A context manager: the Prefect API that serve uses, yielding the temporary server it started
    (``SubprocessASGIServer``, stopped on exit) or None when PREFECT_API_URL names a server."""
    import contextlib
    import subprocess

    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    @contextlib.contextmanager
    def api():
        if PREFECT_API_URL.value():
            yield None
            return
        server = SubprocessASGIServer()
        popen = subprocess.Popen
        # Prefect starts its server with subprocess.Popen and offers no option for a session of its
        # own: give it one for this call (serve is still single-threaded here).
        subprocess.Popen = lambda *args, **kwargs: popen(*args, start_new_session=True,
                                                         preexec_fn=_die_with_parent, **kwargs)
        try:
            server.start()
        finally:
            subprocess.Popen = popen
        try:
            # the flow runs serve starts (subprocesses) use this server too, not temporary ones of their own
            with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
                yield server
        finally:
            server.stop()

    return api()


def _die_with_parent() -> None:
    """In the temporary server's process, before it runs: on Linux, be sent SIGTERM when serve dies,
    even by SIGKILL (PR_SET_PDEATHSIG), so no server outlives it in its own session."""
    if sys.platform.startswith("linux"):
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


class StoppableRunner(Runner):
    """Prefect's Runner, stopped the same way by SIGTERM and SIGINT, within a bounded time."""

    def __init__(self, server, **kwargs):
        super().__init__(**kwargs)
        self.temporary_server = server
        self.stop_signal: int | None = None
        self.deadline: threading.Timer | None = None

    def handle_sigterm(self, signum=None, frame=None) -> None:  # Runner.start installs it for SIGTERM
        self.request_stop(signum or signal.SIGTERM, frame)

    def request_stop(self, signum, frame=None) -> None:
        """The first signal: a graceful stop (Runner.astop; leaving ``start`` pauses the
        deployments), with a deadline; a second signal, or the deadline: stop now."""
        if self.stop_signal is not None:
            self.stop_now(signum)
        self.stop_signal = signum
        self._logger.info("%s received: stopping (pausing the deployments, at most %.0f s)",
                          signal.Signals(signum).name, STOP_GRACE_SECONDS)
        self.deadline = threading.Timer(STOP_GRACE_SECONDS, self.stop_now, args=(signum,))
        self.deadline.daemon = True
        self.deadline.start()
        if not self.started or self._loop is None:  # still starting: nothing to pause yet
            raise SystemExit(0 if signum == signal.SIGTERM else 128 + signum)
        self.stopping = True
        self.execute_in_background(self.astop)

    def stop_now(self, signum) -> None:
        """Stop the temporary server and leave at once (status 128 + signal)."""
        self._logger.warning("not stopped in time: stopping now")
        if self.temporary_server is not None:
            self.temporary_server.stop()
        logging.shutdown()
        sys.stdout.flush()
        os._exit(128 + int(signum))


def main() -> int:
    """`make run`: the whole pipeline as a Prefect flow, offline; always ends with its summary and
    where the warehouse and the digest are. If Prefect's temporary server cannot start (a very
    busy machine), the same steps run without Prefect, and the summary says so. Returns the exit
    status."""
    offline = os.environ.get("FMWATCH_OFFLINE") == "1"
    settings = _settings(None)
    how = "as a Prefect flow"
    try:
        results = fmwatch_pipeline(offline=offline)
    except Exception as error:  # the summary below says what failed; the warehouse is as it was
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "ephemeral Prefect API server" not in message:
            print(f"\nfmwatch: the run failed: {message}", file=sys.stderr)
            print(f"warehouse: {settings.db.resolve()} (a failed run publishes nothing)", file=sys.stderr)
            return 1
        how = ("without Prefect: its temporary server did not start in time (raise "
               "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS to wait longer)")
        results = _without_prefect(settings, offline)
    pubmed, site, extracted = results["ingest_pubmed"], results["ingest_fmnetwork"], results["extract_and_flag"]
    digest = results.get("weekly_digest") or {}
    print(f"\nfmwatch run finished, {how}")
    if site is None:
        print(f"  records:         {pubmed['versions_new']} new versions from PubMed and the FM Network site "
              f"({pubmed['status']})")
    else:
        print(f"  PubMed:          {pubmed['versions_new']} new record versions ({pubmed['status']})")
        print(f"  FM Network site: {site['versions_new']} new article versions ({site['status']})")
    print(f"  extraction:      {extracted['records']} records read, {extracted['flags']} flags judged, "
          f"{extracted['failed']} failed")
    if digest:
        # a rerun with nothing new writes no digest: say so, and which earlier one still stands
        left = " (nothing new: this earlier digest's files are left as they are)" if digest.get("left") else ""
        print(f"  digest:          {digest['items']} items -> {Path(digest['html']).resolve()}{left}")
    print(f"  warehouse:       {settings.db.resolve()}")
    print("  next: .venv/bin/fmwatch flags   |   .venv/bin/fmwatch status")
    return 0


def _without_prefect(settings, offline: bool) -> dict:
    """The parent flow's steps through the library alone, in the flow's result shape."""
    summary = pipeline.run_pipeline(settings, offline=offline)
    versions = summary.published.versions_new if summary.published else 0
    extracted = summary.extracted
    digest = pipeline.make_digest(settings, out_dir=Path("digests"))
    return {"ingest_pubmed": {"versions_new": versions, "status": summary.status}, "ingest_fmnetwork": None,
            "extract_and_flag": {"records": extracted.records if extracted else 0,
                                 "flags": extracted.flags if extracted else 0,
                                 "failed": len(extracted.failed) if extracted else 0},
            "weekly_digest": {"items": digest.items, "html": str(digest.html_path), "left": digest.left}}


if __name__ == "__main__":
    sys.exit(main())
