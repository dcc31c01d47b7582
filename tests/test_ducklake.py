"""DuckLake as the warehouse: the pipeline against a real PostgreSQL catalog with Parquet data.

Needs a PostgreSQL server: ``FMWATCH_TEST_POSTGRES_DSN`` is a libpq connection string of a user
that may create databases (``.ci/run`` starts one from Debian's package and sets it). Each test
gets a database of its own, dropped afterwards. Without the variable these tests are skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fmwatch import lakehouse
from fmwatch.cli import app
from fmwatch.warehouse import Warehouse, WarehouseError, backend_sql, sql_text, _sql_names

from .conftest import DATA, MEDLINE_FILES, PUBMED_XML_FILES
from .test_soak import write_pubmed_batches

# Read when the module is collected: the suite's autouse fixture clears FMWATCH_* for each test.
DSN = os.environ.get("FMWATCH_TEST_POSTGRES_DSN")
needs_postgres = pytest.mark.skipif(
    not DSN, reason="FMWATCH_TEST_POSTGRES_DSN is not set: no PostgreSQL to hold a DuckLake catalog "
                    "(.ci/run starts one; see the README's 'DuckLake for a team')")
ANALYST = Path(__file__).with_name("analyst.py")
runner = CliRunner()


def psql(sql: str) -> None:
    subprocess.run(["psql", DSN, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True, timeout=60)


@pytest.fixture
def lake(tmp_path):
    """A new, empty DuckLake: its catalog a fresh PostgreSQL database, its data a folder."""
    name = f"fmwatch_test_{uuid.uuid4().hex[:10]}"
    psql(f"CREATE DATABASE {name}")
    keywords = " ".join(part for part in DSN.split() if not part.startswith("dbname="))
    data = tmp_path / "lake-data"
    try:
        yield {"db": f"ducklake:postgres:dbname={name} {keywords}", "data": str(data) + "/"}
    finally:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fmwatch(lake, *args, **kwargs):
    return runner.invoke(app, ["--db", lake["db"], *args], env={"FMWATCH_DUCKLAKE_DATA_PATH": lake["data"]},
                         catch_exceptions=False, **kwargs)


def query(lake, sql):
    with Warehouse.open(lake["db"], read_only=True) as wh:
        return wh.con.execute(sql).fetchall()


def test_every_migration_runs_on_ducklake_as_adapted():
    """No primary key or unique constraint reaches DuckLake, and nothing else of the DDL is lost."""
    originals = [sql_text(name) for name in _sql_names("migrations")]
    staging = lakehouse.staging_statements(originals)
    assert len(staging) == sum(text.count("CREATE TABLE staged_") + text.count("ALTER TABLE staged_") for text in originals) >= 10
    for name, original in zip(_sql_names("migrations"), originals):
        adapted = backend_sql(name, "ducklake")
        assert "PRIMARY KEY" not in adapted.upper() and " UNIQUE" not in adapted.upper(), name
        # every table but the staging ones (each writer's own, outside the lake) is created in the lake
        assert adapted.count("CREATE TABLE") == original.count("CREATE TABLE") - original.count("CREATE TABLE staged_")
        assert "staged_" not in adapted, name
        assert adapted.count("NOT NULL") == original.count("NOT NULL") - sum(
            s.count("NOT NULL") for s in staging if s in original), name
    # the rule on a table constraint after a commented column, and on a column constraint
    assert lakehouse.strip_unsupported_ddl(
        "CREATE TABLE t (\n  a VARCHAR PRIMARY KEY,\n  b INT NOT NULL DEFAULT current_timestamp, -- why\n"
        "  PRIMARY KEY (a, b)\n);") == "CREATE TABLE t (\n  a VARCHAR,\n  b INT NOT NULL -- why\n);"


def test_extensions_load_from_the_packages_not_the_network():
    for module, name in lakehouse.EXTENSIONS:
        path = lakehouse.extension_path(module, name)
        assert path.is_file() and path.name == f"{name}.duckdb_extension"
    with pytest.raises(lakehouse.LakehouseError, match="pip install"):
        lakehouse.extension_path("duckdb_extension_no_such_thing", "nothing")


SAME_ANSWERS = {
    "runs": "select versions_new, records_new, deletions, quarantined, requests, status from runs order by started_at",
    "articles": "select pmid, version, title, is_retracted from articles order by pmid",
    "fm_articles": "select slug, version, title from fm_articles order by slug",
    "trials": "select record_id, version, design_type, n_enrolled from trials order by record_id",
    "flags": "select record_id, flag_key, relation, priority, state from evidence_flags order by record_id, flag_key",
    "citations": "select from_record, ref_index, pmid, method from citations order by all",
    "watch_records": "select watch, pmid, record_id from watch_records order by all",
}


@needs_postgres
def test_offline_runs_on_ducklake_answer_as_on_the_duckdb_file(lake, tmp_path):
    file_db = tmp_path / "file" / "fmwatch.duckdb"
    for _ in range(2):  # a run, then a rerun that must change nothing
        result = fmwatch(lake, "run", "--offline")
        assert result.exit_code == 0, result.output
        assert runner.invoke(app, ["--db", str(file_db), "run", "--offline"]).exit_code == 0
    with Warehouse.open(file_db, read_only=True) as wh:
        expected = {name: wh.con.execute(sql).fetchall() for name, sql in SAME_ANSWERS.items()}
    for name, sql in SAME_ANSWERS.items():
        assert query(lake, sql) == expected[name], name
    assert expected["runs"][1][0] == 0 and len(expected["articles"]) == 5 and expected["flags"]  # a real run
    assert query(lake, "select count(*), count(distinct (record_id, version)) from evidence_records")[0] == (11, 11)
    assert list(Path(lake["data"]).rglob("*.parquet"))  # the data is Parquet in the data path
    lake_tables = {t for t, in query(lake, "select table_name from duckdb_tables() where database_name = 'lake'")}
    assert "record_versions" in lake_tables and not {t for t in lake_tables if t.startswith("staged_")}
    # an editor's triage and the read commands work on the lake too
    flag_id = json.loads(fmwatch(lake, "flags", "--format", "json").stdout)[0]["id"]
    assert fmwatch(lake, "flag", "seen", flag_id).exit_code == 0
    states = {f["id"]: f["state"] for f in json.loads(fmwatch(lake, "flags", "--format", "json").stdout)}
    assert states[flag_id] == "seen"
    assert fmwatch(lake, "status").exit_code == 0


@needs_postgres
def test_import_on_ducklake_versions_changes_and_repeats_nothing(lake, tmp_path):
    files = [str(p) for p in PUBMED_XML_FILES + MEDLINE_FILES]
    assert fmwatch(lake, "import", *files).exit_code == 0
    before = query(lake, "select count(*), count(distinct pmid) from articles")[0]
    assert before[0] == before[1] >= 15
    with Warehouse.open(lake["db"], read_only=True) as wh:
        counts = wh.table_counts()
    assert fmwatch(lake, "import", *files).exit_code == 0
    with Warehouse.open(lake["db"], read_only=True) as wh:
        assert wh.table_counts() == counts  # every table, run log included
    original = DATA / "edge_cases.xml"
    assert fmwatch(lake, "import", str(original)).exit_code == 0
    edited = tmp_path / "edited.xml"
    edited.write_text(original.read_text().replace("A season-dated record.", "A season-dated record, corrected."))
    assert fmwatch(lake, "import", str(edited)).exit_code == 0
    assert query(lake, "select version, title from article_versions where pmid = '90000002' order by version") == [
        (1, "A season-dated record."), (2, "A season-dated record, corrected.")]


@needs_postgres
def test_a_failed_publish_leaves_the_lake_as_it_was(lake, monkeypatch):
    assert fmwatch(lake, "import", str(PUBMED_XML_FILES[0])).exit_code == 0
    before = query(lake, "select count(*) from record_versions union all select count(*) from run_log")
    real = Warehouse._insert_run

    def fail_after_the_merge(self, run, status, result, error):
        if status != "failed":
            raise OSError("the disk went away after the records were merged")
        return real(self, run, status, result, error)
    monkeypatch.setattr(Warehouse, "_insert_run", fail_after_the_merge)
    result = fmwatch(lake, "import", *map(str, PUBMED_XML_FILES[1:]))
    assert result.exit_code == 1 and "nothing was published" in result.output
    after = query(lake, "select count(*) from record_versions union all select count(*) from run_log")
    assert after[0] == before[0] and after[1][0] == before[1][0] + 1  # only the failed run's row


@needs_postgres
def test_two_analysts_read_the_lake_while_a_run_writes(lake, tmp_path):
    assert fmwatch(lake, "run", "--offline").exit_code == 0
    batches = write_pubmed_batches(tmp_path / "batches", count=3, size=150)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    analysts = [subprocess.Popen([sys.executable, str(ANALYST), lake["db"], "0.2"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    try:
        for analyst in analysts:
            assert json.loads(analyst.stdout.readline()) == {"ready": True}
        for batch in batches:
            result = fmwatch(lake, "import", str(batch))
            assert result.exit_code == 0, result.output
    finally:
        looks = [[json.loads(line) for line in analyst.communicate("stop\n", timeout=120)[0].splitlines()]
                 for analyst in analysts]
    for seen in looks:
        assert seen and not [look for look in seen if "error" in look]
        assert all(look["whole"] for look in seen), [look for look in seen if not look["whole"]]
        versions = [look["versions"] for look in seen]
        assert versions == sorted(versions)  # never back in time
        assert len(set(versions)) >= 2, versions  # it read while the imports published
    assert query(lake, "select count(*) from record_versions")[0][0] == 11 + 3 * 150



@pytest.fixture
def s3_store(monkeypatch):
    """A local S3-compatible store (moto's server on loopback) with a bucket, and the AWS variables."""
    boto3 = pytest.importorskip("boto3")
    server_module = pytest.importorskip("moto.server")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    environment = {"AWS_ACCESS_KEY_ID": "fmwatch-test", "AWS_SECRET_ACCESS_KEY": "fmwatch-test-secret",
                   "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://{host}:{port}"}
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=environment["AWS_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="fmwatch-test", aws_secret_access_key="fmwatch-test-secret")
    client.create_bucket(Bucket="evidence-lake")
    try:
        yield client
    finally:
        server.stop()


@needs_postgres
def test_the_lake_keeps_its_parquet_files_on_s3_compatible_storage(lake, s3_store):
    lake = {**lake, "data": "s3://evidence-lake/fmwatch/"}
    result = fmwatch(lake, "run", "--offline")
    assert result.exit_code == 0, result.output
    assert query(lake, "select count(*) from articles") == [(5,)]  # read back through S3 (the catalog keeps the path)
    keys = [o["Key"] for o in s3_store.list_objects_v2(Bucket="evidence-lake").get("Contents", [])]
    assert keys and all(k.startswith("fmwatch/") for k in keys) and any(k.endswith(".parquet") for k in keys)


def test_s3_credentials_come_from_the_aws_variables():
    assert lakehouse.s3_secret_from_environment({}) is None
    secret = lakehouse.s3_secret_from_environment({
        "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "it's secret", "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9000"})
    assert secret == ("CREATE OR REPLACE SECRET fmwatch_s3 (TYPE s3, KEY_ID 'id', SECRET 'it''s secret', "
                      "REGION 'eu-west-1', ENDPOINT '127.0.0.1:9000', URL_STYLE 'path', USE_SSL false)")


@needs_postgres
def test_one_writer_at_a_time_and_readers_are_never_held_up(lake):
    assert fmwatch(lake, "import", str(PUBMED_XML_FILES[0])).exit_code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from fmwatch.warehouse import Warehouse\n"
         "w = Warehouse.open(sys.argv[1], lock_wait=0)\nprint('writing', flush=True)\nsys.stdin.readline()\nw.close()",
         lake["db"]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "writing"
        with pytest.raises(WarehouseError, match="is being written by fmwatch writer"):
            Warehouse.open(lake["db"], lock_wait=0.5)
        result = fmwatch(lake, "import", str(PUBMED_XML_FILES[1]))  # the CLI says so in one line, exit 1
        assert result.exit_code == 1 and "being written by" in result.output and "Traceback" not in result.output
        assert query(lake, "select count(*) from runs") == [(1,)]  # a reader is not held up
    finally:
        holder.communicate("done\n", timeout=60)
    with Warehouse.open(lake["db"], lock_wait=5) as wh:  # free again once the writer closed
        assert wh.con.execute("select count(*) from run_log").fetchall() == [(1,)]
