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
import textwrap
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
from .redact import RedactingFilter, redact
from .settings import ConfigError, Settings, load_settings, missing_email_warning
from .urls import ShortUrlFilter, shorten_urls
from .warehouse import Warehouse, WarehouseError, sql_text

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
                  help="fmwatch: finds new studies on magnesium and fibromyalgia and loads them into DuckDB.")
console = Console(stderr=True)
# Piped output (csv, a file, another program) should not be cut at 80 columns; a COLUMNS the user
# set is still obeyed (`COLUMNS=100 fmwatch flags | less`).
out = Console(width=None if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit() else 200)


# How Warehouse.open_read_only says that the file is not there (warehouse.py).
NO_WAREHOUSE = "no warehouse at "


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj["settings"]


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[Optional[Path], typer.Option("--db", metavar="PATH", help="the DuckDB file (FMWATCH_DB)")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", metavar="PATH", help="TOML settings (FMWATCH_CONFIG)")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log each request and retry")] = False,
) -> None:
    try:
        settings = load_settings(config, db=db)
    except ConfigError as error:  # one line, as every error (_fail), whatever the terminal's width
        console.print(Text.assemble(("configuration error: ", "red"), _flat_line(redact(error))), soft_wrap=True)
        raise typer.Exit(2)
    _configure_logging(settings, verbose)
    ctx.obj = {"settings": settings}


def _configure_logging(settings: Settings, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    secret = settings.ncbi_api_key.get_secret_value() if settings.ncbi_api_key else None
    handler.addFilter(RedactingFilter([s for s in (secret, settings.ncbi_email) if s]))
    handler.addFilter(ShortUrlFilter())  # a retry names its request, not the watch's 400-character query
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


def _count(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless one: "1 record", "0 flags"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _flat_line(message: object) -> str:
    """``message`` on one line: its line breaks and runs of spaces made single spaces."""
    return " ".join(str(message).split())


def _fail(message: str, code: int) -> None:
    # One unwrapped line that scripts can grep; the message is plain text, never markup, redacted, and
    # names requests by short URLs.
    console.print(Text.assemble(("error: ", "red"), _flat_line(shorten_urls(redact(message)))), soft_wrap=True)
    raise typer.Exit(code)


def _fail_warehouse(error: WarehouseError) -> None:
    """A read-only command's warehouse error, with its exit status: 2 when there is no warehouse at
    the configured path (a usage error: run or import first, or give --db; interface.md), else 1."""
    _fail(str(error), 2 if str(error).startswith(NO_WAREHOUSE) else 1)


def _quarantine_line(item) -> str:
    """A quarantined input on one line: its origin (path or URL), then its reason ("<what>: <why>",
    records.quarantine_reason) without the "<what>" the origin already says (the file's name, the
    URL), so "quarantined /data/a.xml: PMID 5: malformed XML (...)" names the file once."""
    reason = item.reason
    for what in (item.origin, Path(item.origin).name):
        if what and item.origin.endswith(what) and reason.startswith((f"{what}: ", f"{what}, ")):
            reason = reason[len(what) + 2:]
            break
    return f"{item.origin}: {redact(reason)}"


def _print_summary(summary: pipeline.RunSummary) -> None:
    published = summary.published
    # the heading on one line of its own (a table's title wraps to the table's width: three lines)
    console.print(Text(f"fmwatch {summary.command} {summary.run_id}: {summary.status}", style="bold"), soft_wrap=True)
    table = Table(show_header=False)
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
    if summary.extracted:  # run and import extract and flag what they published: say what came of it
        extracted = summary.extracted
        table.add_row("evidence", f"{_count(extracted.records, 'record')} read, {_count(extracted.flags, 'flag')} judged"
                                  + (f", {len(extracted.failed)} failed" if extracted.failed else ""))
    if summary.command == "run":
        table.add_row("requests", str(summary.requests))
    console.print(table)
    for record_id, error in summary.extracted.failed[:20] if summary.extracted else []:
        console.print(Text.assemble(("extraction failed ", "yellow"), f"{record_id}: {redact(error)}"), soft_wrap=True)
    for note in summary.notes:
        console.print(Text.assemble(("note: ", "yellow"), redact(note)), soft_wrap=True)
    for item in summary.quarantined[:20]:
        console.print(Text.assemble(("quarantined ", "yellow"), _quarantine_line(item)), soft_wrap=True)
    if len(summary.quarantined) > 20:
        console.print(f"... and {len(summary.quarantined) - 20} more (see the quarantine view)")


@app.command()
def run(
    ctx: typer.Context,
    offline: Annotated[bool, typer.Option("--offline", help="replay the recorded snapshot shipped in the package")] = False,
    source: Annotated[str, typer.Option("--source", metavar="SOURCES", help="comma-separated: pubmed,fmnetwork")] = "pubmed,fmnetwork",
    since: Annotated[Optional[datetime], typer.Option("--since", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", help=(
        "fetch what PubMed created (CRDT) or revised (MDAT) since this date, not since the watermark"))] = None,
) -> None:
    """The whole pipeline once: fetch what is new for every watch and load it."""
    sources = [s.strip() for s in source.split(",") if s.strip()]
    unknown = set(sources) - set(pipeline.SOURCES)
    if unknown or not sources:
        _fail(f"unknown source(s): {', '.join(sorted(unknown)) or '(none)'}; choose from {', '.join(pipeline.SOURCES)}", 2)
    warning = missing_email_warning(_settings(ctx), offline=offline, sources=sources)
    if warning:
        console.print(Text.assemble(("warning: ", "yellow"), warning), soft_wrap=True)
    bar, update = _progress()
    try:
        with bar:
            summary = pipeline.run_pipeline(_settings(ctx), offline=offline, sources=sources,
                                            since=since.date() if since else None, progress=update)
    except pipeline.RunPartlyFailed as error:  # some parts published: show them, then say what failed
        _print_summary(error.summary)
        _fail(str(error), 1)
    except pipeline.RunFailed as error:
        _fail(f"run failed: {error}", 1)
    except WarehouseError as error:
        _fail(str(error), 1)
    _print_summary(summary)
    raise typer.Exit(summary.exit_code)


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(metavar="PATH",
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
    query: Annotated[str, typer.Argument(metavar="QUERY", help="SELECT statements, ';'-separated (the connection is read-only)")],
    format: Annotated[OutputFormat, typer.Option("--format", help="csv and json write lists and structs as JSON")]
    = OutputFormat.table,
) -> None:
    """Run queries on a read-only connection to the warehouse; each result is printed (csv and
    json take one result-returning statement)."""
    if not query.strip().strip(";").strip():
        _fail("empty query: give a SELECT, e.g. fmwatch sql \"select count(*) from articles\"", 2)
    results = []
    try:
        with Warehouse.from_settings(_settings(ctx), read_only=True) as warehouse:
            statements = warehouse.con.extract_statements(query)
            for number, statement in enumerate(statements, 1):
                try:
                    cursor = warehouse.con.execute(statement.query)
                except duckdb.Error as error:
                    where = f" (statement {number} of {len(statements)})" if len(statements) > 1 else ""
                    _fail(f"query failed{where}: {_one_line(error)}", 2)
                if cursor.description:
                    results.append(([d[0] for d in cursor.description], cursor.fetchall()))
    except WarehouseError as error:
        _fail_warehouse(error)
    except duckdb.Error as error:
        _fail(f"query failed: {_one_line(error)}", 2)
    if format is not OutputFormat.table and len(results) > 1:
        _fail(f"--format {format.value} takes one query that returns rows; got {len(results)}", 2)
    for columns, rows in results:
        _print_rows(columns, rows, format)


def _one_line(error: Exception) -> str:
    """DuckDB's message without its caret drawing: the first line, plus the LINE n: context."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip() and set(line.strip()) != {"^"}]
    return " ".join(lines[:2]) if lines else type(error).__name__


def _flat(value):
    """A CSV cell: lists and structs as JSON (["a", "b"], {"k": 1}), the rest as it is."""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return value


def _print_rows(columns: list[str], rows: list[tuple], format: OutputFormat) -> None:
    if format is OutputFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([_flat(v) for v in row] for row in rows)
    elif format is OutputFormat.json:
        print(json.dumps([dict(zip(columns, row)) for row in rows], default=str, ensure_ascii=False, indent=1))
    else:
        table = Table(*columns)
        for column in table.columns:
            column.overflow = "fold"  # wrap long values (IDs stay whole, copyable), never cut them
        for row in rows:
            table.add_row(*("" if v is None else str(_flat(v)) for v in row))
        out.print(table)


@app.command()
def status(ctx: typer.Context) -> None:
    """Last runs, counts, watermarks and open flags."""
    try:
        with Warehouse.from_settings(_settings(ctx), read_only=True) as warehouse:
            for title, name in (("counts", "status_counts"), ("last runs", "status_runs"),
                                ("watermarks", "status_watermarks"),
                                ("open flags (new or seen), by priority; total last", "status_open_flags"),
                                ("pending enrichment (retried by the next run)", "status_pending_enrichment"),
                                ("notes of the last run with notes", "status_run_notes")):
                cursor = warehouse.con.execute(sql_text(f"queries/{name}"))
                out.print(f"[bold]{title}[/bold]")
                # a failed run's error names its requests by short URLs, as the error line of the run did
                rows = [tuple(shorten_urls(v) if isinstance(v, str) else v for v in row) for row in cursor.fetchall()]
                if not rows:  # a table of headers alone reads as a fault: say there is nothing
                    out.print("  (none)")
                    continue
                _print_rows([d[0] for d in cursor.description], rows, OutputFormat.table)
    except WarehouseError as error:
        _fail_warehouse(error)


@app.command("digest")
def digest_(
    ctx: typer.Context,
    since: Annotated[Optional[datetime], typer.Option("--since", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                                                      help="a preview from this date to now")] = None,
    week: Annotated[Optional[str], typer.Option("--week", metavar="YYYY-Www", help="a preview of an ISO week, e.g. 2026-W47")] = None,
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="where the HTML, Markdown and chart go")] = Path("digests"),
    preview: Annotated[bool, typer.Option("--preview", help="the scheduled window, without moving its mark")] = False,
    force: Annotated[bool, typer.Option("--force", help="replace the files of a digest of the same period")] = False,
) -> None:
    """Render the digest (HTML and Markdown). Without options: the scheduled digest, what was flagged
    since the last scheduled one. --since and --week make previews, which never move that mark."""
    if since and week:
        _fail("give --since or --week, not both", 2)
    if week:
        from .digest import week_window
        try:
            week_window(week)
        except ValueError:
            _fail(f"--week takes an ISO week like 2026-W47, not {week!r}", 2)
    try:
        result = pipeline.make_digest(_settings(ctx), since=since, out_dir=out, week=week, preview=preview,
                                      force=force)
    except ValueError as error:
        _fail(str(error), 2)
    except OSError as error:
        _fail(f"cannot write the digest files: {error}", 1)
    except WarehouseError as error:
        _fail_warehouse(error)
    window = (f"{result.window_start:%Y-%m-%d %H:%M} to " if result.window_start else "everything up to ") + \
        f"{result.window_end:%Y-%m-%d %H:%M}"
    console.print(f"{result.kind} digest {result.period} ({window}): {result.items} items"
                  f" ({result.baseline_items} in the baseline)", soft_wrap=True)
    if result.left:  # a rerun: same period, same content (or still nothing new): the files stand as they are
        console.print("  nothing changed since this digest was written: its files are left as they are "
                      "(--force writes them again)", soft_wrap=True)
    # the files on stdout, one a line, for a script (`fmwatch digest | xargs ...`); the rest is said on stderr
    for path in (result.html_path, result.markdown_path, result.chart_path):
        if path:
            typer.echo(str(path))  # (`out` here is the --out option)


class RecordFormat(str, Enum):
    jsonl = "jsonl"
    table = "table"


@app.command("extract")
def extract_(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="files as for import")],
    format: Annotated[RecordFormat, typer.Option("--format")] = RecordFormat.jsonl,
) -> None:
    """Print one evidence record per input record; the warehouse is not touched."""
    try:
        pipeline.check_input_files(paths)
    except FileNotFoundError as error:
        _fail(str(error), 2)
    quarantined = 0
    rows = []
    for item in pipeline.extract_files(paths):
        if isinstance(item, pipeline.Quarantined):
            quarantined += 1
            console.print(Text.assemble(("quarantined ", "yellow"), _quarantine_line(item)), soft_wrap=True)
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
    misses: Annotated[bool, typer.Option("--misses", help="list the development part's misses and the gold "
                                         "file's disagreements")] = False,
    corpus_labels: Annotated[Path, typer.Option(help="our blind labels on corpus abstracts")] = Path(
        "tests/gold/corpus_labels.jsonl"),
    pain_labels: Annotated[Path, typer.Option(help="our blind labels on pain trials (Evidence Inference)")] = Path(
        "tests/gold/pain_labels.jsonl"),
    mg_labels: Annotated[Path, typer.Option(help="our blind labels on mgfm_dev-like abstracts of the corpora")] = Path(
        "tests/gold/mg_labels.jsonl"),
) -> None:
    """Extraction accuracy: per field on mgfm_dev, on our blind labels of corpus abstracts, of pain
    trials and of mgfm_dev-like corpus abstracts (development and measured-only parts apart, each), result
    direction on Evidence Inference 2.0, N on the PICO corpus, intervention-span F1 on EBM-NLP, and
    the gold file as a regression check (not an accuracy)."""
    from .extract.corpora import evaluate_evidence_inference, evaluate_pico_n
    from .extract.evaluate import evaluate_ebm, evaluate_gold
    from .extract.mgfm import evaluate_mgfm
    shared = shared or Path(os.environ.get("FMWATCH_SHARED", "../shared")) / "eval"
    if not gold.is_file():
        _fail(f"no gold file at {gold} (run from the repository, or pass --gold)", 2)
    if not (shared / "ebm_nlp").is_dir() or not (shared / "mgfm_dev").is_dir():
        _fail(f"no annotated corpora at {shared} (pass --shared)", 2)
    parts, dev_misses = evaluate_mgfm(shared)
    _print_parts("mgfm_dev, per-field accuracy (share of records right)", parts)
    corpus_misses = _print_corpus_labels(corpus_labels, shared)
    pain_misses = _print_pain_labels(pain_labels, shared)
    mg_misses = _print_mg_labels(mg_labels, shared)
    direction = evaluate_evidence_inference(shared, "test")
    out.print("[bold]Evidence Inference 2.0, ev2 test, evidence sentence given (in-abstract prompts)[/bold]")
    _print_rows(["prompts", "accuracy", "macro_f1", "f1_increased", "f1_decreased", "f1_no_difference", "unanswered"],
                [(direction.total, round(direction.accuracy, 3), round(direction.macro_f1, 3),
                  *(round(direction.f1(label), 3) for label in ("increased", "decreased", "no_difference")),
                  direction.unanswered)], OutputFormat.table)
    _print_direction_model(shared)
    out.print("[bold]PICO corpus, total participants (N enrolled)[/bold]")
    pico = evaluate_pico_n(shared).row()
    _print_rows(list(pico), [tuple(pico.values())], OutputFormat.table)
    out.print("[bold]EBM-NLP interventions, token level[/bold]")
    _print_rows(["split", "precision", "recall", "f1", "tp", "fp", "fn"],
                [(name, *score.row().values()) for name, score in evaluate_ebm(shared).items()], OutputFormat.table)
    scores, missed = evaluate_gold(gold, shared, pipeline.snapshot_folder(""))
    out.print(f"[bold]regression check, not an accuracy: {gold} (written with the rules)[/bold]")
    _print_rows(["field", "precision", "recall", "f1", "tp", "fp", "fn"],
                [(name, *score.row().values()) for name, score in scores.items()], OutputFormat.table)
    if misses:
        for miss in dev_misses:
            out.print({"mgfm_dev development": miss["id"], "field": miss["field"]})
        for miss in corpus_misses:
            out.print({"corpus labels development": miss["id"], "field": miss["field"]})
        for miss in pain_misses:
            out.print({"pain labels development": miss["id"], "field": miss["field"]})
        for miss in mg_misses:
            out.print({"mg labels development": miss["id"], "field": miss["field"]})
        for miss in missed:
            out.print(miss)


def _print_labelled_set(labels: Path, shared: Path, split_name: str, corpus: str, noun: str, title: str,
                        option: str) -> list[dict]:
    """The per-field table of one of our blind label files (development and measured-only parts
    apart, split by ``split_name``); returns the development part's misses. Skipped, with a line,
    without the file (``option`` names the flag that gives another; ``corpus`` names the set in
    errors)."""
    from .extract.mgfm import evaluate_corpus
    if not labels.is_file():
        out.print(f"no blind {noun} labels at {labels} (run from the repository, or pass {option})")
        return []
    parts, misses = evaluate_corpus(labels, shared, split_name, corpus)
    _print_parts(f"our blind labels on {title}, per-field accuracy", parts)
    return misses


def _print_corpus_labels(labels: Path, shared: Path) -> list[dict]:
    """Our blind labels on corpus abstracts (``relevant_docs.tsv``, ``corpus_split.toml``)."""
    return _print_labelled_set(labels, shared, "corpus_split.toml", "corpus_labels", "corpus",
                               "corpus abstracts (relevant_docs.tsv)", "--corpus-labels")


def _print_pain_labels(labels: Path, shared: Path) -> list[dict]:
    """Our blind labels on pain trials (a third measured set, ``pain_split.toml``)."""
    return _print_labelled_set(labels, shared, "pain_split.toml", "pain_labels", "pain-trial",
                               "pain trials (Evidence Inference 2.0, pain_split.toml)", "--pain-labels")


def _print_mg_labels(labels: Path, shared: Path) -> list[dict]:
    """Our blind labels on abstracts of mgfm_dev's kinds from the corpora's training halves (a fourth
    measured set, ``mg_split.toml``)."""
    return _print_labelled_set(labels, shared, "mg_split.toml", "mg_labels", "mg-set",
                               "mgfm_dev-like abstracts (corpora training halves, mg_split.toml)", "--mg-labels")


def _print_parts(title: str, parts: dict) -> None:
    """One per-field accuracy table, a column per part of a split (``{part: PartScore}``)."""
    from .extract.mgfm import FIELDS
    out.print(f"[bold]{title}[/bold]")
    _print_rows(["field", *(f"{part} ({score.records})" for part, score in parts.items())],
                [(name, *(round(score.accuracy(name), 3) for score in parts.values())) for name in FIELDS],
                OutputFormat.table)


def _print_direction_model(shared: Path) -> None:
    """Evidence Inference 2.0 test split: the rules, the learned direction model and the two
    together, on the in-abstract prompts and on every prompt, beside the published figure."""
    from .extract.corpora import evaluate_direction_model
    from .extract.direction_model import load_model
    model = load_model()
    if model is None:
        out.print("no direction model stored (python -m fmwatch.extract.train_direction makes one)")
        return
    out.print(f"[bold]Evidence Inference 2.0, ev2 test: rules vs the direction model {model.version} (answers "
              f"where the rules do not, at probability >= {model.metadata.get('abstain_below')})[/bold]")
    rows = []
    for name, in_abstract in (("in-abstract prompts", True), ("every prompt", False)):
        for reader, score in evaluate_direction_model(shared, "test", in_abstract, model).items():
            rows.append((name, reader, score.total, round(score.accuracy, 3), round(score.macro_f1, 3),
                         score.unanswered))
    rows.append(("published", "DeYoung et al. 2020, end-to-end (must find the evidence too)", "", "", 0.78, ""))
    _print_rows(["prompts", "reader", "n", "accuracy", "macro_f1", "unanswered"], rows, OutputFormat.table)


@app.command()
def reextract(ctx: typer.Context) -> None:
    """Run extraction and the evidence judgement again over every current record."""
    try:
        summary = pipeline.reextract(_settings(ctx))
    except WarehouseError as error:
        _fail_warehouse(error)
    console.print(f"re-extracted {summary.records} records; {summary.flags} flags judged; "
                  f"{len(summary.failed)} failed")
    raise typer.Exit(3 if summary.failed else 0)


class FlagState(str, Enum):
    new = "new"
    seen = "seen"
    dismissed = "dismissed"
    withdrawn = "withdrawn"  # the record was withdrawn from PubMed (DeleteCitation)


@app.command()
def flags(
    ctx: typer.Context,
    state: Annotated[Optional[FlagState], typer.Option("--state", help=(
        "only this state; withdrawn: flags of records PubMed withdrew (DeleteCitation), which the default "
        "list of open flags leaves out, with their last known title and year"))] = None,
    priority: Annotated[Optional[int], typer.Option("--priority", metavar="N", help="this priority and more urgent (1 first)")] = None,
    format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
) -> None:
    """The evidence flags, most important first: full ID (record_id/flag_key, as `flag` takes it),
    priority, year, title, what was judged, state. csv and json give the digest's words (section,
    reason, novelty_labels) and, for scripts, the stored keys beside them (flag_type, claim,
    relation, novelty, reason_raw)."""
    try:
        with Warehouse.from_settings(_settings(ctx), read_only=True) as warehouse:
            rows = warehouse.list_flags(state=state.value if state else None, max_priority=priority)
    except WarehouseError as error:
        _fail_warehouse(error)
    if format is OutputFormat.table:
        from .digest import humanize
        id_width = max((len(r["id"]) for r in rows), default=2)
        if out.width < id_width + FLAGS_TITLE_WIDTH:
            _print_flags_list(rows)
            return
        table = Table("ID", "P", "year", "title / flag", "state", title=f"{len(rows)} flags", title_justify="left")
        for column in table.columns:
            column.overflow = "fold"  # wrap, never cut with "…"
        # IDs stay on one line, whole, so they can be copied into `fmwatch flag`; the title wraps instead
        table.columns[0].no_wrap, table.columns[0].min_width = True, max((len(r["id"]) for r in rows), default=2)
        for row in rows:
            what = " ".join(x for x in (row["relation"], row["claim"]) if x) if row["claim"] else row["flag_type"]
            table.add_row(row["id"], str(row["priority"]), str(row["year"] or ""),
                          Text.assemble(row["title"] or "", "\n", (humanize(what.replace("_", " ")), "dim")), row["state"])
        out.print(table)
        return
    # The digest's words for people (section, reason, novelty_labels); the stored keys for machines
    # (flag_type, claim, relation, novelty, reason_raw).
    from .digest import flag_in_words
    columns = ["id", "priority", "year", "title", "section", "flag_type", "claim", "relation", "novelty_labels",
               "novelty", "state", "reason", "reason_raw", "state_reason", "url"]
    _print_rows(columns, [tuple(worded[c] for c in columns) for worded in map(flag_in_words, rows)], format)


# Below this many columns left for the title beside the whole IDs, `flags` prints a list instead of a table
# (a table at 80 columns gave the title one or two characters a line: hundreds of lines).
FLAGS_TITLE_WIDTH = 45


def _print_flags_list(rows: list[dict]) -> None:
    """The flags for a narrow terminal: per flag, its whole ID on a line of its own (to copy into
    `fmwatch flag`), then priority, year and state, the title and what was judged, indented and wrapped."""
    from .digest import humanize
    out.print(Text(f"{len(rows)} flags", style="italic"))
    for row in rows:
        what = " ".join(x for x in (row["relation"], row["claim"]) if x) if row["claim"] else row["flag_type"]
        out.print(Text(row["id"], style="bold"), soft_wrap=True)  # never folded: copyable whole
        out.print(f"  P{row['priority']}  {row['year'] or ''}  {row['state']}", soft_wrap=True, highlight=False)
        out.print(textwrap.fill(row["title"] or "", width=max(30, out.width - 2), initial_indent="  ",
                                subsequent_indent="  "), soft_wrap=True, markup=False, highlight=False)
        out.print(Text("  " + humanize(what.replace("_", " ")), style="dim"), soft_wrap=True)
        out.print()


class FlagAction(str, Enum):
    seen = "seen"
    dismiss = "dismiss"


@app.command()
def flag(
    ctx: typer.Context,
    action: Annotated[FlagAction, typer.Argument(help="seen or dismiss")],
    flag_ids: Annotated[Optional[list[str]], typer.Argument(
        metavar="[ID]...", help="record_id/flag_key, as `fmwatch flags` shows; several allowed")] = None,
    state: Annotated[Optional[FlagState], typer.Option("--state", help="every flag in this state...")] = None,
    priority: Annotated[Optional[int], typer.Option("--priority", metavar="N", help="...of this priority or more urgent")] = None,
    flag_type: Annotated[Optional[str], typer.Option("--type", metavar="TYPE", help="...of this type (fm_coverage, related, ...)")]
    = None,
    record: Annotated[Optional[str], typer.Option("--record", metavar="RECORD_ID", help="...of this record (pubmed:PMID)")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", metavar="TEXT", help="why (kept with the flag; dismiss needs one)")] = None,
    force: Annotated[bool, typer.Option("--force", help="allow undoing a dismissal")] = False,
) -> None:
    """Mark flags seen, or dismiss them (with a reason): by ID, or every flag a filter matches.
    All change or none does; undoing a dismissal needs --force."""
    flag_ids = list(flag_ids or [])
    bad = [i for i in flag_ids if not i.partition("/")[2]]
    if bad:
        _fail(f"an ID is record_id/flag_key, e.g. pubmed:35631229/BAGIS-C3, not {bad[0]!r}", 2)
    filtered = any(v is not None for v in (state, priority, flag_type, record))
    if not flag_ids and not filtered:
        _fail("give flag IDs, or a filter (--state, --priority, --type, --record)", 2)
    if action is FlagAction.dismiss and not reason:
        _fail("dismiss needs --reason", 2)
    new_state = "seen" if action is FlagAction.seen else "dismissed"
    try:
        with Warehouse.from_settings(_settings(ctx), create=False) as warehouse:  # triage never creates one
            if filtered:
                flag_ids += [row["id"] for row in warehouse.list_flags(
                    state=state.value if state else None, max_priority=priority, flag_type=flag_type, record_id=record)]
            if not flag_ids:
                _fail("no flag matches the filter", 2)
            outcome = warehouse.change_flag_states(flag_ids, new_state, reason, force=force)
    except KeyError as error:
        _fail(error.args[0], 2)
    except ValueError as error:
        _fail(str(error), 2)
    except WarehouseError as error:
        _fail_warehouse(error)
    for flag_id, what in outcome.items():
        out.print(Text(f"{flag_id}: {what if what != 'unchanged' else 'already ' + new_state}"), soft_wrap=True)


@app.command("export")
def export_(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", metavar="ris|bibtex|csl-json", help="the export format")] = "ris",
    state: Annotated[Optional[FlagState], typer.Option("--state", help="flagged records in this state")] = None,
    priority: Annotated[Optional[int], typer.Option("--priority", metavar="N", help="flagged records of this priority or more urgent")]
    = None,
    query: Annotated[Optional[str], typer.Option("--sql", metavar="QUERY", help="records a query returns (a record_id or pmid column)")]
    = None,
    output: Annotated[Optional[Path], typer.Option("--out", metavar="FILE", help="a file (default: standard output)")] = None,
    parquet: Annotated[Optional[Path], typer.Option("--parquet", metavar="DIR", help="instead: every analyst view as DIR/<view>.parquet")]
    = None,
) -> None:
    """Export flagged records (default: every flag not dismissed) or the records a query returns,
    for Zotero, EndNote or pandoc: RIS, BibTeX or CSL-JSON. With --parquet, every analyst view
    as a Parquet file instead (for notebooks and tools without DuckDB)."""
    from .exports import FORMATS, render_export
    if parquet is not None:
        _export_parquet(_settings(ctx), parquet)
        return
    if format not in FORMATS:
        _fail(f"--format is one of {', '.join(FORMATS)}, not {format!r}", 2)
    try:
        with Warehouse.from_settings(_settings(ctx), read_only=True) as warehouse:
            if query:
                try:
                    cursor = warehouse.con.execute(query)
                except duckdb.Error as error:
                    _fail(f"query failed: {_one_line(error)}", 2)
                columns = [d[0] for d in cursor.description or []]
                if "record_id" in columns:
                    ids = [r[columns.index("record_id")] for r in cursor.fetchall()]
                elif "pmid" in columns:
                    ids = [f"pubmed:{r[columns.index('pmid')]}" for r in cursor.fetchall()]
                else:
                    _fail(f"--sql must return a record_id or pmid column; it returned {', '.join(columns) or 'nothing'}", 2)
            else:
                ids = [row["record_id"] for row in warehouse.list_flags(
                    state=state.value if state else None, max_priority=priority) if row["state"] != "dismissed"
                    or state is FlagState.dismissed]
            records = warehouse.export_records(list(dict.fromkeys(ids)))
    except WarehouseError as error:
        _fail_warehouse(error)
    text = render_export(records, format)
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"{len(records)} records -> {output}")
    else:
        sys.stdout.write(text)


# The stable views of shared/contracts/interface.md and the guide's extra ones.
PARQUET_VIEWS = ("articles", "article_versions", "article_authors", "article_mesh", "fm_articles", "saved_pages", "citations",
                 "trials", "trial_arms", "interventions", "outcomes", "magnesium_levels", "evidence_flags",
                 "claim_ledger", "runs", "digests", "quarantine")


def _export_parquet(settings: Settings, folder: Path) -> None:
    try:
        with Warehouse.from_settings(settings, read_only=True) as warehouse:
            folder.mkdir(parents=True, exist_ok=True)  # not before: no warehouse, no empty folder
            for view in PARQUET_VIEWS:
                target = folder / f"{view}.parquet"
                quoted = "'" + str(target).replace("'", "''") + "'"
                warehouse.con.execute(sql_text("queries/export_view_parquet").format(view=view, path=quoted))
                console.print(f"{view} -> {target}", soft_wrap=True)
    except WarehouseError as error:
        _fail_warehouse(error)
    except duckdb.Error as error:
        _fail(f"parquet export failed: {_one_line(error)}", 1)


class FeedFormat(str, Enum):
    atom = "atom"
    json = "json"


@app.command()
def feed(
    ctx: typer.Context,
    format: Annotated[FeedFormat, typer.Option("--format", help="atom or json (JSON Feed 1.1)")] = FeedFormat.atom,
    priority: Annotated[Optional[int], typer.Option("--priority", metavar="N", help="this priority and more urgent (1 first)")] = None,
    state: Annotated[Optional[FlagState], typer.Option("--state")] = FlagState.new,
    self_url: Annotated[Optional[str], typer.Option("--self-url", metavar="URL", help="where the feed will be published")] = None,
    output: Annotated[Optional[Path], typer.Option("--out", metavar="FILE", help="a file (default: standard output)")] = None,
    watch: Annotated[Optional[str], typer.Option("--watch", metavar="NAME", help="only the flags of records this watch found")] = None,
) -> None:
    """A feed of flags (default: the new ones) for feed readers, Slack or Teams: Atom or JSON Feed.
    With --watch, one feed per watch (the records that watch found: the watch_records view)."""
    from .feeds import feed_id, feed_title, to_atom, to_json_feed
    settings = _settings(ctx)
    try:
        with Warehouse.from_settings(settings, read_only=True) as warehouse:
            rows = warehouse.list_flags(state=state.value if state else None, max_priority=priority)
            if watch is not None:
                known = {w.name for w in settings.watches} | set(warehouse.watch_names())
                if watch not in known:
                    _fail(f"no watch named {watch!r}; the watches are: {', '.join(sorted(known)) or '(none)'}", 2)
                found = warehouse.watch_record_ids(watch)
                rows = [row for row in rows if row["record_id"] in found]
    except WarehouseError as error:
        _fail_warehouse(error)
    state_name = state.value if state else None
    title = feed_title(priority, state_name, watch)
    text = (to_atom if format is FeedFormat.atom else to_json_feed)(rows, title, feed_id(priority, state_name, watch),
                                                                    self_url)
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"{len(rows)} entries -> {output}")
    else:
        sys.stdout.write(text)


@app.command()
def serve() -> None:
    """Serve every Prefect deployment, with its schedule, from this one process."""
    flows_dir = Path(__file__).resolve().parents[2] / "flows"
    sys.path.insert(0, str(flows_dir))
    try:
        from fmwatch_flows import serve_all
    except ImportError as error:
        _fail(f"cannot load the flows from {flows_dir}: {error}", 2)
    raise typer.Exit(serve_all())


@app.command()
def mirror(
    ctx: typer.Context,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, metavar="N", help="parallel downloads and parses (FMWATCH_WORKERS)")] = None,
) -> None:
    """Bring the local PubMed mirror up to date with NLM's baseline and update files (FMWATCH_MIRROR_URL)."""
    bar, update = _progress()
    try:
        with bar:
            summary = pipeline.sync_mirror(_settings(ctx), progress=update, workers=workers)
    except pipeline.RunFailed as error:
        _fail(str(error), 1)
    except WarehouseError as error:
        _fail(str(error), 1)
    table = Table(title=f"fmwatch mirror {summary.run_id}", show_header=False)
    table.add_row("files listed", str(summary.listed))
    table.add_row("already ingested", str(summary.skipped))
    for item in summary.files:
        table.add_row(item["name"], f"{item['records']} records, {item['deletions']} deleted, "
                                    f"{item['quarantined']} quarantined ({item['kind']})")
    console.print(table)
    raise typer.Exit(3 if summary.quarantined else 0)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
