"""The command line: a thin layer over ``fmwatch.pipeline`` and the warehouse.

Exit status (interface.md): 0 done; 1 the run failed (nothing half-written);
2 usage or configuration error; 3 done, but some input was quarantined.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from . import pipeline
from .http import RedactingFilter
from .settings import ConfigError, Settings, load_settings
from .warehouse import Warehouse, WarehouseError, sql_text

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="fmwatch: finds new studies on magnesium and fibromyalgia and loads them into DuckDB.")
console = Console(stderr=True)
# Piped output (csv, a file, another program) should not be cut at 80 columns.
out = Console(width=None if sys.stdout.isatty() else 200)


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj["settings"]


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[Optional[Path], typer.Option("--db", help="the DuckDB file (FMWATCH_DB)")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="TOML settings (FMWATCH_CONFIG)")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log each request and retry")] = False,
) -> None:
    try:
        settings = load_settings(config, db=db)
    except ConfigError as error:
        console.print(f"[red]configuration error:[/red] {error}")
        raise typer.Exit(2)
    _configure_logging(settings, verbose)
    ctx.obj = {"settings": settings}


def _configure_logging(settings: Settings, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    secret = settings.ncbi_api_key.get_secret_value() if settings.ncbi_api_key else None
    handler.addFilter(RedactingFilter([secret] if secret else []))
    # fmwatch's own loggers (and urllib3's, with -v) only: the root logger belongs to the host
    # process (Prefect, a notebook), which the CLI must not rewire.
    for name in ("fmwatch", "urllib3"):
        logger = logging.getLogger(name)
        logger.handlers = [handler] if name == "fmwatch" or verbose else []
        logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
        logger.propagate = False


def _progress() -> tuple[Progress, pipeline.ProgressCallback]:
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True, disable=not console.is_terminal)
    tasks: dict[str, int] = {}

    def update(what: str, done: int, total: int | None) -> None:
        if what not in tasks:
            tasks[what] = bar.add_task(what, total=total)
        bar.update(tasks[what], completed=done, total=total)

    return bar, update


def _fail(message: str, code: int) -> None:
    # One unwrapped line that scripts can grep; the message is plain text, never markup.
    console.print(Text.assemble(("error: ", "red"), message), soft_wrap=True)
    raise typer.Exit(code)


def _print_summary(summary: pipeline.RunSummary) -> None:
    published = summary.published
    table = Table(title=f"fmwatch {summary.command} {summary.run_id}: {summary.status}", show_header=False)
    if summary.watches:
        for watch, count in summary.watches.items():
            table.add_row(f"watch {watch}", f"{count} records fetched")
    if published:
        table.add_row("records seen", str(published.records_seen))
        table.add_row("new records", str(published.records_new))
        table.add_row("new versions", str(published.versions_new))
        table.add_row("deletions applied", str(published.deletions))
        table.add_row("quarantined (new)", str(published.quarantined))
        if not published.recorded:
            table.add_row("warehouse", "unchanged: nothing new")
    if summary.fm_pages:
        table.add_row("fmnetwork pages", ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.fm_pages.items()))
    if summary.citations:
        resolved = sum(1 for link in summary.citations if link.pmid)
        table.add_row("citations", f"{resolved} of {len(summary.citations)} linked to PubMed")
    if summary.command == "run":
        table.add_row("requests", str(summary.requests))
    console.print(table)
    for item in summary.quarantined[:20]:
        console.print(f"[yellow]quarantined[/yellow] {item.origin}: {item.reason}")
    if len(summary.quarantined) > 20:
        console.print(f"... and {len(summary.quarantined) - 20} more (see the quarantine view)")


@app.command()
def run(
    ctx: typer.Context,
    offline: Annotated[bool, typer.Option("--offline", help="replay the recorded snapshot shipped in the package")] = False,
    source: Annotated[str, typer.Option("--source", help="comma-separated: pubmed,fmnetwork")] = "pubmed,fmnetwork",
    since: Annotated[Optional[datetime], typer.Option("--since", formats=["%Y-%m-%d"],
                                                      help="fetch from this entrez date, not the watermark")] = None,
) -> None:
    """The whole pipeline once: fetch what is new for every watch and load it."""
    sources = [s.strip() for s in source.split(",") if s.strip()]
    unknown = set(sources) - set(pipeline.SOURCES)
    if unknown or not sources:
        _fail(f"unknown source(s): {', '.join(sorted(unknown)) or '(none)'}; choose from {', '.join(pipeline.SOURCES)}", 2)
    bar, update = _progress()
    try:
        with bar:
            summary = pipeline.run_pipeline(_settings(ctx), offline=offline, sources=sources,
                                            since=since.date() if since else None, progress=update)
    except pipeline.RunFailed as error:
        _fail(f"run failed: {error}", 1)
    except WarehouseError as error:
        _fail(str(error), 1)
    _print_summary(summary)
    raise typer.Exit(summary.exit_code)


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(
        help="PubMed XML (.xml, .xml.gz), MEDLINE text, saved article pages (.html) or print views (.txt)")],
    offline: Annotated[bool, typer.Option("--offline", help="link citations with the recorded snapshot")] = False,
) -> None:
    """Load local files into the warehouse."""
    bar, update = _progress()
    try:
        with bar:
            summary = pipeline.import_files(_settings(ctx), paths, progress=update, offline=offline)
    except FileNotFoundError as error:
        _fail(str(error), 2)
    except pipeline.RunFailed as error:
        _fail(f"import failed: {error}", 1)
    except WarehouseError as error:
        _fail(str(error), 1)
    _print_summary(summary)
    raise typer.Exit(summary.exit_code)


@app.command()
def sql(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="a SELECT (the connection is read-only)")],
    format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """Run a query on a read-only connection to the warehouse."""
    try:
        with Warehouse.from_settings(_settings(ctx), read_only=True) as warehouse:
            cursor = warehouse.con.execute(query)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows = cursor.fetchall()
    except WarehouseError as error:
        _fail(str(error), 1)
    except duckdb.Error as error:
        _fail(f"query failed: {error}", 2)
    _print_rows(columns, rows, format)


def _print_rows(columns: list[str], rows: list[tuple], format: OutputFormat) -> None:
    if format is OutputFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif format is OutputFormat.json:
        print(json.dumps([dict(zip(columns, row)) for row in rows], default=str, ensure_ascii=False, indent=1))
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        out.print(table)


@app.command()
def status(ctx: typer.Context) -> None:
    """Last runs, counts and watermarks."""
    try:
        with Warehouse.from_settings(_settings(ctx), read_only=True) as warehouse:
            for title, name in (("counts", "status_counts"), ("last runs", "status_runs"),
                                ("watermarks", "status_watermarks"),
                                ("pending enrichment (retried by the next run)", "status_pending_enrichment"),
                                ("notes of the last run with notes", "status_run_notes")):
                cursor = warehouse.con.execute(sql_text(f"queries/{name}"))
                out.print(f"[bold]{title}[/bold]")
                _print_rows([d[0] for d in cursor.description], cursor.fetchall(), OutputFormat.table)
    except WarehouseError as error:
        _fail(str(error), 1)


@app.command("digest")
def digest_(
    ctx: typer.Context,
    since: Annotated[Optional[datetime], typer.Option("--since", formats=["%Y-%m-%d"])] = None,
    week: Annotated[Optional[str], typer.Option("--week", help="an ISO week, e.g. 2026-W47")] = None,
    out: Annotated[Path, typer.Option("--out", help="where the HTML and Markdown go")] = Path("digests"),
) -> None:
    """Render the weekly digest (HTML and Markdown): what is new since the last one, or in the window."""
    from .digest import week_window
    if since and week:
        _fail("give --since or --week, not both", 2)
    until = None
    if week:
        try:
            since, until = week_window(week)
        except ValueError:
            _fail(f"--week takes an ISO week like 2026-W47, not {week!r}", 2)
    try:
        result = pipeline.make_digest(_settings(ctx), since=since, until=until, out_dir=out)
    except WarehouseError as error:
        _fail(str(error), 1)
    console.print(f"digest {result.digest_id}: {result.items} items -> {result.html_path}, {result.markdown_path}")


class RecordFormat(str, Enum):
    jsonl = "jsonl"
    table = "table"


@app.command("extract")
def extract_(
    paths: Annotated[list[Path], typer.Argument(help="files as for import")],
    format: Annotated[RecordFormat, typer.Option("--format")] = RecordFormat.jsonl,
) -> None:
    """Print one evidence record per input record; the warehouse is not touched."""
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        _fail(f"no such file: {', '.join(missing)}", 2)
    quarantined = 0
    rows = []
    for item in pipeline.extract_files(paths):
        if isinstance(item, pipeline.Quarantined):
            quarantined += 1
            console.print(f"[yellow]quarantined[/yellow] {item.origin}: {item.reason}")
        elif format is RecordFormat.jsonl:
            print(json.dumps(item, ensure_ascii=False, default=str))
        else:
            rows.append(_record_row(item))
    if format is RecordFormat.table:
        _print_rows(["record", "design", "n", "arms", "weeks", "outcomes", "claims"], rows, OutputFormat.table)
    raise typer.Exit(3 if quarantined else 0)


def _record_row(record: dict) -> tuple:
    arms = "; ".join(
        " + ".join(f"{i['name']}{' ' + format(i['dose_mg'], 'g') + ' mg' if i['dose_mg'] else ''}"
                   f"{' x' + format(i['frequency_per_day'], 'g') + '/d' if i['frequency_per_day'] else ''}"
                   f"{' ' + i['route'] if i['route'] else ''}" for i in arm["interventions"]) for arm in record["arms"])
    outcomes = ", ".join(f"{o['measure']} {o['direction']}" for o in record["outcomes"])
    claims = ", ".join(f"{c['claim']} {c['relation']}" for c in record["claims"])
    return (record["record_id"], record["design"]["type"], record["population"]["n_enrolled"], arms,
            record["duration_weeks"], outcomes, claims)


@app.command("eval")
def eval_(
    gold: Annotated[Path, typer.Option(help="the team's gold file")] = Path("tests/gold/gold.jsonl"),
    shared: Annotated[Optional[Path], typer.Option(help="the shared eval folder (FMWATCH_SHARED/eval)")] = None,
    misses: Annotated[bool, typer.Option("--misses", help="list every disagreement with the gold file")] = False,
) -> None:
    """Extraction accuracy: per-field P/R/F1 on the gold file, intervention-span F1 on EBM-NLP."""
    from .extract.evaluate import evaluate_ebm, evaluate_gold
    shared = shared or Path(os.environ.get("FMWATCH_SHARED", "../shared")) / "eval"
    if not gold.is_file():
        _fail(f"no gold file at {gold} (run from the repository, or pass --gold)", 2)
    if not (shared / "ebm_nlp").is_dir():
        _fail(f"no annotated corpora at {shared} (pass --shared)", 2)
    scores, missed = evaluate_gold(gold, shared, pipeline.snapshot_folder(""))
    out.print(f"[bold]gold file {gold}[/bold]")
    _print_rows(["field", "precision", "recall", "f1", "tp", "fp", "fn"],
                [(name, *score.row().values()) for name, score in scores.items()], OutputFormat.table)
    out.print("[bold]EBM-NLP interventions, token level[/bold]")
    _print_rows(["split", "precision", "recall", "f1", "tp", "fp", "fn"],
                [(name, *score.row().values()) for name, score in evaluate_ebm(shared).items()], OutputFormat.table)
    if misses:
        for miss in missed:
            out.print(miss)


@app.command()
def reextract(ctx: typer.Context) -> None:
    """Run extraction and the evidence judgement again over every current record."""
    try:
        summary = pipeline.reextract(_settings(ctx))
    except WarehouseError as error:
        _fail(str(error), 1)
    console.print(f"re-extracted {summary.records} records; {summary.flags} flags judged; "
                  f"{len(summary.failed)} failed")
    raise typer.Exit(3 if summary.failed else 0)


class FlagState(str, Enum):
    new = "new"
    seen = "seen"
    dismissed = "dismissed"


@app.command()
def flags(
    ctx: typer.Context,
    state: Annotated[Optional[FlagState], typer.Option("--state")] = None,
    format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """The evidence flags, most important first (ID = record_id/flag_key)."""
    try:
        with Warehouse.from_settings(_settings(ctx), read_only=True) as warehouse:
            cursor = warehouse.con.execute(sql_text("queries/list_flags"), [state.value if state else None])
            _print_rows([d[0] for d in cursor.description], cursor.fetchall(), format)
    except WarehouseError as error:
        _fail(str(error), 1)


class FlagAction(str, Enum):
    seen = "seen"
    dismiss = "dismiss"


@app.command()
def flag(
    ctx: typer.Context,
    action: Annotated[FlagAction, typer.Argument(help="seen or dismiss")],
    flag_id: Annotated[str, typer.Argument(metavar="ID", help="record_id/flag_key, as `fmwatch flags` shows")],
    reason: Annotated[Optional[str], typer.Option("--reason")] = None,
) -> None:
    """Mark a flag seen, or dismiss it (with a reason)."""
    record_id, _, flag_key = flag_id.partition("/")
    if not flag_key:
        _fail("ID is record_id/flag_key, e.g. pubmed:35631229/BAGIS-C3", 2)
    if action is FlagAction.dismiss and not reason:
        _fail("dismiss needs --reason", 2)
    try:
        with Warehouse.from_settings(_settings(ctx)) as warehouse:
            changed = warehouse.set_flag_state(record_id, flag_key, "seen" if action is FlagAction.seen else "dismissed",
                                               reason)
    except WarehouseError as error:
        _fail(str(error), 1)
    if not changed:
        _fail(f"no flag {flag_id}", 2)
    console.print(f"{flag_id}: {'seen' if action is FlagAction.seen else 'dismissed'}")


@app.command()
def serve() -> None:
    """Serve every Prefect deployment, with its schedule, from this one process."""
    flows_dir = Path(__file__).resolve().parents[2] / "flows"
    sys.path.insert(0, str(flows_dir))
    try:
        from fmwatch_flows import serve_all
    except ImportError as error:
        _fail(f"cannot load the flows from {flows_dir}: {error}", 2)
    serve_all()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
