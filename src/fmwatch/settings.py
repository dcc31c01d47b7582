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

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
DEFAULT_FMNETWORK_URL = "http://fmnetnews.iraherman.com/"
DEFAULT_CONFIG_FILE = "fmwatch.toml"

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
    snapshot_dir: Path | None = Field(None, validation_alias=AliasChoices("FMWATCH_SNAPSHOT_DIR", "snapshot_dir"))
    record_dir: Path | None = Field(None, validation_alias=AliasChoices("FMWATCH_RECORD_DIR", "record_dir"))
    # How often (days) each watch's full PMID set is compared with the warehouse and what is missing
    # fetched: the net under the CRDT/MDAT windows (issue 13). 0: every run.
    reconcile_days: int = Field(7, ge=0, le=366, validation_alias=AliasChoices(
        "FMWATCH_RECONCILE_DAYS", "reconcile_days"))

    @field_validator("eutils_url", "fmnetwork_url")
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
            f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}" for e in error.errors())
        raise ConfigError(f"bad settings ({path if path.exists() else 'environment'}): {problems}") from None
    finally:
        _toml_values.reset(token)
