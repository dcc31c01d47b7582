"""Shared test fixtures. Real data is read from ../shared (beside the repo), never copied."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FMWATCH_SHARED", REPO.parent / "shared")).resolve()
FIXTURES = SHARED / "fixtures"
DATA = Path(__file__).resolve().parent / "data"  # fixtures the team wrote (see data/README.md)

if not FIXTURES.is_dir():
    raise RuntimeError(f"the shared fixtures are missing: expected {FIXTURES} (set FMWATCH_SHARED)")

# The temporary Prefect servers of the flow tests must not phone home: no test talks to the internet.
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("DO_NOT_TRACK", "1")

PUBMED_XML_FILES = sorted((FIXTURES / "eutils").glob("pubmed*.xml"))
MEDLINE_FILES = sorted((FIXTURES / "medline").glob("*.txt"))


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch, tmp_path):
    """No test reads the developer's environment or fmwatch.toml, or writes outside tmp_path."""
    for name in list(os.environ):
        if name.startswith(("FMWATCH_", "NCBI_")) and name != "FMWATCH_SHARED":
            monkeypatch.delenv(name)
    # A test that forgets to point a source at its test server fails fast instead of
    # trying the internet: nothing listens on port 9 of this machine.
    monkeypatch.setenv("FMWATCH_EUTILS_URL", "http://127.0.0.1:9/eutils/")
    monkeypatch.setenv("FMWATCH_FMNETWORK_URL", "http://127.0.0.1:9/site/")
    monkeypatch.setenv("FMWATCH_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("FMWATCH_BACKOFF_SECONDS", "0.01")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "wh" / "fmwatch.duckdb"


@pytest.fixture
def seeded_eutils(httpserver):
    """A factory: ``seeded_eutils(first_pmid, count)`` installs the fake E-utilities server
    (tests/fake_eutils.py, written by the team) on this test's loopback server, holding ``count``
    records with PMIDs from ``first_pmid``, dated 2024-01-01 onwards (28 days, round and round).
    The server's ``url`` is its E-utilities base URL."""
    from .fake_eutils import FakeEutils

    def make(first_pmid: int, count: int) -> FakeEutils:
        server = FakeEutils()
        server.url = server.install(httpserver)
        for i in range(count):
            server.add(first_pmid + i, date(2024, 1, 1 + i % 28))
        return server
    return make


@pytest.fixture(scope="module")
def offline_db(tmp_path_factory):
    """A warehouse filled by one offline run (``fmwatch run --offline``), shared by a test module."""
    from typer.testing import CliRunner

    from fmwatch.cli import app
    db = tmp_path_factory.mktemp("offline") / "w.duckdb"
    result = CliRunner().invoke(app, ["--db", str(db), "run", "--offline"])
    assert result.exit_code == 0, result.output
    return db
