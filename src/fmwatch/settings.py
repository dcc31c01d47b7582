"""Settings: environment variables over an optional TOML file over the defaults.

The names are part of fmwatch's outside interface (``shared/contracts/interface.md``).
Everything is validated at start-up; a bad value stops fmwatch with a message that
names the setting, before any work is done.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .lakehouse import is_ducklake
from .workers import default_workers

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
DEFAULT_FMNETWORK_URL = "http://fmnetnews.iraherman.com/"
FMNETWORK_KNOWN_HOSTS = ("fmnetnews.iraherman.com", "www.fmnetnews.com", "fmnetnews.com")
DEFAULT_CONFIG_FILE = "fmwatch.toml"
# NLM's bulk files: the annual baseline and the daily updates (issue 15b)
DEFAULT_MIRROR_URL = "https://ftp.ncbi.nlm.nih.gov/pubmed/"

FIBROMYALGIA = '(fibromyalgia[MeSH Terms] OR fibromyalgia[tiab] OR "fibromyalgia syndrome"[tiab] OR FMS[tiab])'


class ConfigError(ValueError):
    """A setting is missing or wrong; the message says which and why."""


class Watch(BaseModel):
    """A saved PubMed query that every run brings up to date."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    query: str = Field(min_length=3)


DEFAULT_WATCHES = [
    Watch(name="magnesium-fibromyalgia",
          query=f'{FIBROMYALGIA} AND (magnesium[MeSH Terms] OR "magnesium compounds"[MeSH Terms] OR magnesium[tiab])'),
    Watch(name="amitriptyline-fibromyalgia",
          query=f"{FIBROMYALGIA} AND (amitriptyline[MeSH Terms] OR amitriptyline[tiab])"),
    Watch(name="fibromyalgia-trials",
          query=f"{FIBROMYALGIA} AND (clinical trial[pt] OR randomized controlled trial[pt] OR trial[ti])"),
]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="forbid", populate_by_name=True, case_sensitive=True)

    db: Path = Field(Path("warehouse/fmwatch.duckdb"), validation_alias=AliasChoices("FMWATCH_DB", "db"))
    ncbi_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("NCBI_API_KEY", "ncbi_api_key"))
    ncbi_email: str | None = Field(None, validation_alias=AliasChoices("NCBI_EMAIL", "ncbi_email"))
    ncbi_tool: str = Field("fmwatch", validation_alias=AliasChoices("FMWATCH_NCBI_TOOL", "ncbi_tool"))
    eutils_url: str = Field(DEFAULT_EUTILS_URL, validation_alias=AliasChoices("FMWATCH_EUTILS_URL", "eutils_url"))
    fmnetwork_url: str = Field(DEFAULT_FMNETWORK_URL,
                               validation_alias=AliasChoices("FMWATCH_FMNETWORK_URL", "fmnetwork_url"))
    watches: list[Watch] = Field(default_factory=lambda: list(DEFAULT_WATCHES),
                                 validation_alias=AliasChoices("watch", "watches"))

    # How fetching behaves. The defaults follow NCBI's usage guidelines.
    efetch_batch_size: int = Field(500, ge=200, le=500, validation_alias=AliasChoices(
        "FMWATCH_EFETCH_BATCH_SIZE", "efetch_batch_size"))
    overlap_days: int = Field(3, ge=0, le=60, validation_alias=AliasChoices("FMWATCH_OVERLAP_DAYS", "overlap_days"))
    requests_per_second: float | None = Field(None, gt=0, le=10, validation_alias=AliasChoices(
        "FMWATCH_REQUESTS_PER_SECOND", "requests_per_second"))
    max_attempts: int = Field(6, ge=1, le=20, validation_alias=AliasChoices("FMWATCH_MAX_ATTEMPTS", "max_attempts"))
    backoff_seconds: float = Field(1.0, ge=0, le=60, validation_alias=AliasChoices(
        "FMWATCH_BACKOFF_SECONDS", "backoff_seconds"))
    timeout_seconds: float = Field(60.0, gt=0, le=600, validation_alias=AliasChoices(
        "FMWATCH_TIMEOUT_SECONDS", "timeout_seconds"))
    # One request with all its retries (waits and attempts) ends within this many seconds: the
    # Retry-After and backoff NCBI asks for are honoured inside it, never past it.
    retry_budget_seconds: float = Field(600.0, gt=0, le=86400, validation_alias=AliasChoices(
        "FMWATCH_RETRY_BUDGET_SECONDS", "retry_budget_seconds"))
    # A host that refuses the connection or whose name does not resolve is tried this many times,
    # then the run says so in one line (later requests to it in the same run fail at once).
    connect_attempts: int = Field(2, ge=1, le=20, validation_alias=AliasChoices(
        "FMWATCH_CONNECT_ATTEMPTS", "connect_attempts"))
    crawl_delay_seconds: float = Field(1.0, ge=0, le=120, validation_alias=AliasChoices(
        "FMWATCH_CRAWL_DELAY_SECONDS", "crawl_delay_seconds"))
    # DuckDB's buffer pool for a run: past it DuckDB evicts to disk. A run streams its batches
    # through, so a small pool keeps its memory flat however large the run (bench/run.py).
    db_memory_limit: str = Field("128MB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$", validation_alias=AliasChoices(
        "FMWATCH_DB_MEMORY_LIMIT", "db_memory_limit"))
    # How long a writer (a run, an editor's `flag` or `digest`) waits for another writer to let go of
    # the DuckDB file before it gives up with a message naming what holds it. Readers never hold it.
    db_lock_wait_seconds: float = Field(10.0, ge=0, le=3600, validation_alias=AliasChoices(
        "FMWATCH_DB_LOCK_WAIT_SECONDS", "db_lock_wait_seconds"))
    # DuckLake (db = "ducklake:postgres:..."): where a new lake writes its Parquet files, a local
    # folder or an S3-compatible URL (s3://bucket/prefix/). The lake's catalog remembers it.
    ducklake_data_path: str | None = Field(None, validation_alias=AliasChoices(
        "FMWATCH_DUCKLAKE_DATA_PATH", "ducklake_data_path"))
    # Deadlines, so that a run finishes or fails in bounded time (a dripping server, a Crawl-delay
    # of a day). The defaults fit a daily run: a request 5 minutes (an efetch of 500 records is a few MB),
    # a source 1 hour, the whole run 3 hours.
    request_deadline_seconds: float = Field(300.0, gt=0, le=3600, validation_alias=AliasChoices(
        "FMWATCH_REQUEST_DEADLINE_SECONDS", "request_deadline_seconds"))
    source_deadline_seconds: float = Field(3600.0, gt=0, le=86400, validation_alias=AliasChoices(
        "FMWATCH_SOURCE_DEADLINE_SECONDS", "source_deadline_seconds"))
    run_deadline_seconds: float = Field(3 * 3600.0, gt=0, le=86400, validation_alias=AliasChoices(
        "FMWATCH_RUN_DEADLINE_SECONDS", "run_deadline_seconds"))
    # A robots.txt Crawl-delay above this skips the site for the run (reported), rather than crawl for days.
    max_crawl_delay_seconds: float = Field(60.0, ge=0, le=3600, validation_alias=AliasChoices(
        "FMWATCH_MAX_CRAWL_DELAY_SECONDS", "max_crawl_delay_seconds"))
    # Pages fetched from the site per run: a large sitemap is crawled over several runs.
    fmnetwork_page_budget: int = Field(500, ge=1, le=100_000, validation_alias=AliasChoices(
        "FMWATCH_FMNETWORK_PAGE_BUDGET", "fmnetwork_page_budget"))
    # Other host names of the site whose links are followed; any other host is quarantined. The
    # defaults are the site's two known generations (shared/contracts/fmnetwork-site.md).
    fmnetwork_aliases: list[str] = Field(default_factory=lambda: list(FMNETWORK_KNOWN_HOSTS), validation_alias=AliasChoices(
        "FMWATCH_FMNETWORK_ALIASES", "fmnetwork_aliases"))
    snapshot_dir: Path | None = Field(None, validation_alias=AliasChoices("FMWATCH_SNAPSHOT_DIR", "snapshot_dir"))
    record_dir: Path | None = Field(None, validation_alias=AliasChoices("FMWATCH_RECORD_DIR", "record_dir"))
    # How often (days) each watch's full PMID set is compared with the warehouse and what is missing
    # fetched: the net under the CRDT/MDAT windows (issue 13). 0: every run.
    reconcile_days: int = Field(7, ge=0, le=366, validation_alias=AliasChoices(
        "FMWATCH_RECONCILE_DAYS", "reconcile_days"))
    # The digest's baseline: a record already older than this when first read is backlog, not news.
    digest_backlog_days: int = Field(30, ge=0, le=3650, validation_alias=AliasChoices(
        "FMWATCH_DIGEST_BACKLOG_DAYS", "digest_backlog_days"))
    # Processes that parse and extract in parallel (issue 15b); one process still writes the warehouse.
    workers: int = Field(default_factory=default_workers, ge=1, le=256, validation_alias=AliasChoices(
        "FMWATCH_WORKERS", "workers"))
    # A local PubMed mirror (issue 15b): where NLM's baseline and update files are read from, and
    # whether watches take their records from the mirror (esearch for the PMIDs, efetch only for
    # what the mirror lacks).
    mirror_url: str = Field(DEFAULT_MIRROR_URL, validation_alias=AliasChoices("FMWATCH_MIRROR_URL", "mirror_url"))
    use_mirror: bool = Field(False, validation_alias=AliasChoices("FMWATCH_USE_MIRROR", "use_mirror"))

    @field_validator("db")
    @classmethod
    def _duckdb_file(cls, value: Path) -> Path:
        """``db`` names a DuckDB file (there or not yet), ``:memory:`` or a DuckLake: an empty
        setting (an unset variable in a cron line), a folder, or a file that is no DuckDB database
        is a configuration error (exit 2) before any command makes a run lock beside it."""
        text = str(value)
        if text == ":memory:" or is_ducklake(text):
            return value
        if value.name in ("", ".."):  # "", "." (Path("") is "."), "/", ".."
            raise ValueError("must name a DuckDB file, not an empty value or '.'")
        if value.is_dir():
            raise ValueError(f"{text} is a folder, not a DuckDB file")
        if value.is_file() and not _is_duckdb_file(value):
            raise ValueError(f"{text} is not a DuckDB file (its first bytes say otherwise)")
        return value

    @field_validator("eutils_url", "fmnetwork_url", "mirror_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("watches")
    @classmethod
    def _unique_watch_names(cls, value: list[Watch]) -> list[Watch]:
        names = [w.name for w in value]
        if len(set(names)) != len(names):
            raise ValueError(f"watch names must be unique, got {names}")
        if not value:
            raise ValueError("at least one [[watch]] is needed")
        return value

    @property
    def rate_limit(self) -> float:
        """Requests per second allowed by NCBI: 10 with an API key, 3 without."""
        ceiling = 10.0 if self.ncbi_api_key else 3.0
        return min(self.requests_per_second or ceiling, ceiling)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        # First wins: command-line flags (init), then the environment, then the TOML file.
        return init_settings, env_settings, _TomlValues(settings_cls)


_toml_values: ContextVar[dict[str, Any]] = ContextVar("fmwatch_toml_values", default={})


class _TomlValues(PydanticBaseSettingsSource):
    """The parsed TOML file that load_settings is reading, as a settings source."""

    def get_field_value(self, field, field_name):  # required by the base class; __call__ does the work
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        # Key each value by the field's first alias, as the environment source does, so
        # that a key set in both places is one input (the environment's) and not two.
        first_alias = {}
        for name, info in self.settings_cls.model_fields.items():
            choices = info.validation_alias.choices if isinstance(info.validation_alias, AliasChoices) else [name]
            for choice in [*choices, name]:
                first_alias.setdefault(choice, choices[0])
        return {first_alias.get(key, key): value for key, value in _toml_values.get().items()}


def load_settings(config_path: str | Path | None = None, **overrides: Any) -> Settings:
    """Read the TOML file (``--config``, ``FMWATCH_CONFIG`` or ./fmwatch.toml), then the environment.

    ``overrides`` (from command-line flags) win over both.
    """
    path = config_path or os.environ.get("FMWATCH_CONFIG")
    explicit = path is not None
    path = Path(path or DEFAULT_CONFIG_FILE)
    values: dict[str, Any] = {}
    if path.exists():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from error
    elif explicit:
        raise ConfigError(f"config file {path} does not exist")
    token = _toml_values.set(values)
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        problems = "; ".join(
            f"{_setting_name(e['loc'], values, path, overrides)}: {' '.join(e['msg'].removeprefix('Value error, ').split())}"
            for e in error.errors())  # (pydantic words a validator's message "Value error, ...": ours say it all)
        raise ConfigError(f"bad settings: {problems}") from None
    finally:
        _toml_values.reset(token)


def _setting_name(loc: tuple, toml_values: dict[str, Any], path: Path, overrides: dict[str, Any]) -> str:
    """Where a bad value came from, as the user wrote it: ``FMWATCH_WORKERS (environment)``, ``workers
    (fmwatch.toml)`` or ``db (command line)``. ``loc`` is pydantic's error location, whose first item
    is the field's first alias (the environment variable) whichever source gave the value; the
    sources are tried in the order that wins (command line, environment, file)."""
    if not loc:
        return "settings"
    first, rest = str(loc[0]), "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
    field = next((name for name, info in Settings.model_fields.items() if first == name or (
        isinstance(info.validation_alias, AliasChoices) and first in info.validation_alias.choices)), None)
    info = Settings.model_fields.get(field) if field else None
    names = info.validation_alias.choices if info and isinstance(info.validation_alias, AliasChoices) else [first]
    names = [*names, field] if field else names
    if field and overrides.get(field) is not None:
        return f"{field}{rest} (command line)"
    env = next((n for n in names if n in os.environ), None)
    if env:
        return f"{env}{rest} (environment)"
    key = next((n for n in names if n in toml_values), None)
    if key:
        return f"{key}{rest} ({path})"
    return f"{first}{rest}"


_email_warned = False


def missing_email_warning(settings: Settings, *, offline: bool, sources) -> str | None:
    """The warning to give, once per process, when PubMed is queried live without NCBI_EMAIL
    (NCBI asks every E-utilities client for a contact address and may block one without it);
    None when there is nothing to say or it was said already."""
    global _email_warned
    if offline or "pubmed" not in sources or settings.ncbi_email or _email_warned:
        return None
    _email_warned = True
    return ("NCBI_EMAIL is not set: NCBI asks every E-utilities client for a contact address and may block "
            "clients without one. Set NCBI_EMAIL (or ncbi_email in fmwatch.toml).")


def _is_duckdb_file(path: Path) -> bool:
    """Whether ``path`` starts as a DuckDB database file does: the magic bytes ``DUCK`` at offset 8
    (DuckDB's storage format, https://duckdb.org/docs/stable/internals/storage). Unreadable: True
    (opening it will say why)."""
    try:
        with path.open("rb") as handle:
            return handle.read(12)[8:12] == b"DUCK"
    except OSError:
        return True
