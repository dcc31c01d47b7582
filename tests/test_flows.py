"""The Prefect flows, end to end in a test harness (a temporary local Prefect server)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.blocks.notifications import NotificationBlock
from prefect.client.orchestration import get_client
from prefect.testing.utilities import prefect_test_harness

from fmwatch import pipeline
from fmwatch.warehouse import Warehouse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
import fmwatch_flows  # noqa: E402


@pytest.fixture(scope="module")
def harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def snapshot(db):
    with Warehouse.open(db, read_only=True) as wh:
        return (wh.con.execute("select source, record_key, version, content_hash from record_versions order by all").fetchall(),
                wh.con.execute("select watch, watermark from watermarks order by all").fetchall(),
                wh.con.execute("select record_id, flag_key, relation from flags order by all").fetchall())


def test_the_parent_flow_runs_offline_end_to_end(harness, tmp_path):
    db = str(tmp_path / "w.duckdb")
    state = fmwatch_flows.fmwatch_pipeline(offline=True, db=db, out_dir=str(tmp_path / "digests"), return_state=True)
    assert state.is_completed()
    result = state.result()
    assert result["ingest_pubmed"]["versions_new"] == 5 and result["ingest_fmnetwork"]["versions_new"] == 6
    assert result["extract_and_flag"]["records"] == 11 and result["weekly_digest"]["items"] > 0
    with Warehouse.open(db, read_only=True) as wh:
        assert wh.con.execute("select count(*) from articles").fetchall() == [(5,)]
        assert wh.con.execute("select count(*) from fm_articles").fetchall() == [(6,)]
        assert wh.con.execute("select count(*) from digests").fetchall() == [(1,)]
    with get_client(sync_client=True) as client:
        artifacts = {a.key: a for a in client.read_artifacts()}
    assert "weekly-digest" in artifacts and "Contradicting evidence" in artifacts["weekly-digest"].data
    assert "pubmed-run" in artifacts and "fmnetwork-run" in artifacts


def test_a_killed_flow_run_started_again_leaves_the_same_warehouse(harness, tmp_path, monkeypatch):
    clean = str(tmp_path / "clean.duckdb")
    fmwatch_flows.fmwatch_pipeline(offline=True, db=clean, digest=False)

    broken = str(tmp_path / "broken.duckdb")
    calls = {"n": 0}
    real = pipeline.PipelineRun.plan_watch

    # The first watch's batch is staged, then the process dies planning the second watch (the offline
    # watches overlap, so the first watch's one batch holds every record: each PMID is fetched once).
    def dies_on_second_watch(self, watch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed midway")  # the process dying mid-run, as far as the flow can tell
        return real(self, watch)
    monkeypatch.setattr(pipeline.PipelineRun, "plan_watch", dies_on_second_watch)
    with pytest.raises(BaseException):
        fmwatch_flows.ingest_pubmed(offline=True, db=broken)
    assert calls["n"] == 2
    monkeypatch.setattr(pipeline.PipelineRun, "plan_watch", real)
    with Warehouse.open(broken, read_only=True) as wh:
        assert wh.con.execute("select count(*) from record_versions").fetchall() == [(0,)]  # nothing half-published
    state = fmwatch_flows.ingest_pubmed(offline=True, db=broken, return_state=True)
    fmwatch_flows.fmwatch_pipeline(offline=True, db=broken, digest=False)
    assert snapshot(broken)[0] == snapshot(clean)[0] and snapshot(broken)[2] == snapshot(clean)[2]
    # the restarted run took its parsed batches from the cache, keyed by the hash of each body
    with get_client(sync_client=True) as client:
        parses = [t for t in client.read_task_runs() if t.flow_run_id == state.state_details.flow_run_id
                  and t.name.startswith("parse efetch batch")]
    assert parses and all(t.state.name == "Cached" for t in parses)


def test_the_flow_and_the_cli_run_one_loop_a_failing_watch_is_isolated_alike(harness, tmp_path, monkeypatch):
    """`fmwatch run` and the ingest flow both run ``PipelineRun.run_all`` (the flow with its steps as
    tasks): a watch whose search fails is left out in both, the others published, the same way."""
    from fmwatch.http import FetchError

    real_plan, real_loop = pipeline.PipelineRun.plan_watch, pipeline.PipelineRun.run_all
    loops = []

    def second_watch_fails(self, watch):
        if watch.name == "amitriptyline-fibromyalgia":
            raise FetchError("HTTP 500 from esearch.fcgi after 3 attempts", status=500)
        return real_plan(self, watch)

    def counted_loop(self, steps=None, **kwargs):
        loops.append("library steps" if steps is None else "flow tasks")
        return real_loop(self, steps, **kwargs)
    monkeypatch.setattr(pipeline.PipelineRun, "plan_watch", second_watch_fails)
    monkeypatch.setattr(pipeline.PipelineRun, "run_all", counted_loop)

    cli_db, flow_db = tmp_path / "cli.duckdb", tmp_path / "flow.duckdb"
    with pytest.raises(pipeline.RunPartlyFailed) as cli:
        pipeline.run_pipeline(fmwatch_flows._settings(str(cli_db)), offline=True, sources=["pubmed"])
    state = fmwatch_flows.ingest_pubmed(offline=True, db=str(flow_db), return_state=True)
    assert loops == ["library steps", "flow tasks"]
    assert state.is_failed() and str(state.message).endswith(cli.value.summary.outcome())
    assert cli.value.summary.failed == {"pubmed watch 'amitriptyline-fibromyalgia'":
                                        "HTTP 500 from esearch.fcgi after 3 attempts"}
    assert set(cli.value.summary.watches) == {"magnesium-fibromyalgia", "fibromyalgia-trials"}
    cli_state, flow_state = snapshot(cli_db), snapshot(flow_db)
    assert cli_state[0] and cli_state[0] == flow_state[0]  # the same record versions published
    assert cli_state[1] == flow_state[1]  # the failed watch has no watermark in either
    assert "amitriptyline-fibromyalgia" not in {watch for watch, _ in cli_state[1]}
    with Warehouse.open(cli_db, read_only=True) as cli_wh, Warehouse.open(flow_db, read_only=True) as flow_wh:
        runs = "select status, error from runs"
        assert cli_wh.con.execute(runs).fetchall() == flow_wh.con.execute(runs).fetchall() != []


SENT: list[tuple] = []


class RecordingNotification(NotificationBlock):
    """A stand-in for an email or webhook block: it keeps what it was asked to send."""

    _block_type_slug = "fmwatch-test-recording"

    def notify(self, body: str, subject: str | None = None) -> None:
        SENT.append((subject, body))


def test_high_priority_flags_go_to_the_operators_notification_block(harness, tmp_path):
    db = str(tmp_path / "w.duckdb")
    fmwatch_flows.fmwatch_pipeline(offline=True, db=db, digest=False)
    RecordingNotification().save("editors", overwrite=True)
    SENT.clear()
    assert fmwatch_flows.notify_flags(block_name="fmwatch-test-recording/editors", db=db, max_priority=1) == 1
    ((subject, body),) = SENT
    assert subject == "fmwatch: 1 high-priority flags" and "pubmed:99000104 BAGIS-C3 contradicts" in body


def test_deployments_carry_their_schedules():
    import yaml
    config = yaml.safe_load((Path(__file__).resolve().parents[1] / "prefect.yaml").read_text())
    schedules = {d["name"]: d.get("schedules", []) for d in config["deployments"]}
    assert schedules["daily"][0]["cron"] == "0 6 * * *" and schedules["weekly"][0]["cron"] == "0 7 * * 1"
    assert all(s[0]["timezone"] for s in (schedules["daily"], schedules["weekly"]))
    for deployment in config["deployments"]:
        path, _, name = deployment["entrypoint"].partition(":")
        assert hasattr(fmwatch_flows, name) and path == "flows/fmwatch_flows.py"
        assert deployment["work_pool"]["name"] == "fmwatch-pool"


def test_the_api_key_never_reaches_prefect_artifacts_logs_or_parameters(harness, tmp_path, monkeypatch):
    from prefect.logging.handlers import APILogHandler

    key = "known-secret-key-for-prefect-0123"
    monkeypatch.setenv("NCBI_API_KEY", key)
    client = pipeline.make_eutils_client(fmwatch_flows._settings(None), offline=True)
    assert client.identity["api_key"] == key  # the flows' requests carry it
    db = str(tmp_path / "w.duckdb")
    state = fmwatch_flows.fmwatch_pipeline(offline=True, db=db, out_dir=str(tmp_path / "digests"), return_state=True)
    assert state.is_completed()
    APILogHandler().flush()  # the log worker sends in the background: wait for it
    with get_client(sync_client=True) as client:
        texts = [f"{a.key} {a.description} {a.data}" for a in client.read_artifacts()]
        logs = [log.message for log in client.read_logs()]
        texts += logs + [f"{run.name} {run.parameters}" for run in client.read_flow_runs()]
        texts += [f"{run.name} {run.task_inputs}" for run in client.read_task_runs()]
    assert any("watch" in message for message in logs)  # the run's own log lines are there to search
    assert [text for text in texts if key in text] == []


def test_prefect_deploy_all_registers_every_deployment_with_its_schedule(harness, tmp_path):
    """The operator's `prefect deploy --all`, against a real (temporary, local) Prefect server."""
    from prefect.settings import PREFECT_API_URL

    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "FMWATCH_HOME": str(repo),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    prefect = [sys.executable, "-m", "prefect", "--no-prompt"]
    pool = subprocess.run([*prefect, "work-pool", "create", "fmwatch-pool", "--type", "process", "--overwrite"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert pool.returncode == 0, pool.stdout + pool.stderr
    deployed = subprocess.run([*prefect, "deploy", "--all"], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=600)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    with get_client(sync_client=True) as client:
        deployments = {d.name: d for d in client.read_deployments()}
    assert {"daily", "weekly", "pubmed-on-demand", "fmnetwork-on-demand", "extract-on-demand"} <= set(deployments)
    crons = {name: [(s.schedule.cron, s.schedule.timezone) for s in d.schedules] for name, d in deployments.items()}
    assert crons["daily"] == [("0 6 * * *", "Europe/London")] and crons["weekly"] == [("0 7 * * 1", "Europe/London")]
    assert deployments["daily"].work_pool_name == "fmwatch-pool" and deployments["daily"].parameters["digest"] is False
    # the worker finds the project when a run starts (FMWATCH_HOME there), the deploy-time value as a fallback
    assert deployments["daily"].pull_steps == [
        {"fmwatch.prefect_steps.set_project_directory": {"deployed_from": str(repo)}}]


def test_the_pull_step_finds_the_project_or_says_what_to_set(tmp_path, monkeypatch):
    from fmwatch.prefect_steps import set_project_directory

    repo = Path(__file__).resolve().parents[1]
    monkeypatch.delenv("FMWATCH_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RuntimeError, match="Start the worker with FMWATCH_HOME set"):
        set_project_directory(None)
    with pytest.raises(RuntimeError, match=str(tmp_path / "nowhere")):
        set_project_directory(str(tmp_path / "nowhere"))
    with pytest.raises(RuntimeError):
        set_project_directory("{{ $FMWATCH_HOME }}")  # deployed without FMWATCH_HOME: the template stays unfilled
    assert set_project_directory(str(repo)) == {"directory": str(repo)} and Path.cwd() == repo
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FMWATCH_HOME", str(repo))  # the worker's value at run time wins over the deploy-time one
    assert set_project_directory(str(tmp_path / "moved-away")) == {"directory": str(repo)} and Path.cwd() == repo


def test_fmwatch_serve_registers_every_deployment_with_its_schedule(harness, tmp_path):
    """`fmwatch serve` on the installed Prefect, against a real (temporary, local) Prefect server."""
    import signal
    import time

    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    fmwatch = Path(sys.executable).with_name("fmwatch")
    process = subprocess.Popen([str(fmwatch), "serve"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        wanted = {"daily", "weekly", "pubmed-on-demand", "fmnetwork-on-demand", "extract-on-demand"}
        deployments = {}
        while time.monotonic() < deadline and process.poll() is None:
            with get_client(sync_client=True) as client:
                deployments = {d.name: d for d in client.read_deployments()}
            if wanted <= set(deployments):
                break
            time.sleep(2)
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        assert wanted <= set(deployments)
        crons = {name: [(s.schedule.cron, s.schedule.timezone) for s in d.schedules] for name, d in deployments.items()}
        assert crons["daily"] == [("0 6 * * *", "Europe/London")] and crons["weekly"] == [("0 7 * * 1", "Europe/London")]
        assert crons["pubmed-on-demand"] == [] and deployments["daily"].parameters == {"offline": False, "digest": False}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def test_a_missing_notification_block_fails_the_digest_flow_before_it_records_anything(harness, tmp_path):
    db = str(tmp_path / "w.duckdb")
    fmwatch_flows.fmwatch_pipeline(offline=True, db=db, digest=False)
    state = fmwatch_flows.weekly_digest(db=db, out_dir=str(tmp_path / "digests"), notify_block="slack-webhook/nobody",
                                        return_state=True)
    assert state.is_failed() and "notification block 'slack-webhook/nobody' cannot be loaded" in str(state.message)
    with Warehouse.open(db, read_only=True) as wh:
        assert wh.con.execute("select count(*) from digests").fetchall() == [(0,)]
    assert not (tmp_path / "digests").exists()


def test_make_run_ends_with_its_summary_even_when_prefects_server_cannot_start(tmp_path):
    """`make run`'s entry point on a machine too busy for Prefect's temporary server (here: no time
    at all to start it): the same steps run without Prefect and the summary names the files."""
    repo = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update({"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "0",
                "FMWATCH_OFFLINE": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    done = subprocess.run([sys.executable, str(repo / "flows" / "fmwatch_flows.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout[done.stdout.index("fmwatch run finished"):]
    assert "without Prefect" in summary and "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS" in summary
    digest = Path(re.search(r"digest: +\d+ items -> (\S+)", summary).group(1))
    warehouse = Path(re.search(r"warehouse: +(\S+)", summary).group(1))
    assert digest.is_file() and digest.parent == tmp_path / "digests"
    assert warehouse == tmp_path / "warehouse" / "fmwatch.duckdb" and warehouse.is_file()
    with Warehouse.open(warehouse, read_only=True) as wh:
        assert wh.con.execute("select count(*) from record_versions").fetchall()[0][0] == 11


def test_pending_enrichment_completes_the_flow_with_a_warning_naming_it(harness, tmp_path, monkeypatch):
    from fmwatch.http import FetchError
    from fmwatch.sources.pubmed import EutilsClient

    def elink_down(self, pmid):  # ELink failing after its retries, as a 503 every time would
        raise FetchError(f"HTTP 503 from elink.fcgi (records citing {pmid}) after 3 attempts", status=503)
    monkeypatch.setattr(EutilsClient, "elink_citedin", elink_down)
    db = str(tmp_path / "w.duckdb")
    state = fmwatch_flows.ingest_pubmed(offline=True, db=db, return_state=True)
    assert state.is_completed() and not state.is_failed()
    assert state.message.startswith("completed with 1 warning(s)") and "ELink" in state.message
    assert "22271372" in state.message  # the reference study whose look-up is pending
    result = state.result()
    assert result["versions_new"] == 5 and any("ELink" in w for w in result["warnings"])
    with Warehouse.open(db, read_only=True) as wh:  # the records landed; the look-up waits
        assert wh.con.execute("select count(*) from articles").fetchall() == [(5,)]
        assert ("elink_citedin", "22271372") in wh.con.execute("select kind, subject from pending_enrichment").fetchall()
    with get_client(sync_client=True) as client:
        table = next(a for a in client.read_artifacts() if a.key == "pubmed-run" and a.flow_run_id == state.state_details.flow_run_id)
    assert "pending enrichment" in str(table.data) and "ELink" in str(table.data)
    assert "warning" in table.description
    # the parent flow completes too, its message naming the look-up; called directly, a flow gives its data
    parent = fmwatch_flows.fmwatch_pipeline(offline=True, db=db, digest=False, return_state=True)
    assert parent.is_completed() and "ELink" in parent.message and "22271372" in parent.message
    assert parent.result()["ingest_pubmed"]["warnings"] and parent.result()["extract_and_flag"]["failed"] == 0
    assert fmwatch_flows.ingest_pubmed(offline=True, db=db)["warnings"]

    monkeypatch.undo()  # ELink is back: the next run completes the look-up, and its state has no warning
    again = fmwatch_flows.ingest_pubmed(offline=True, db=db, return_state=True)
    assert again.is_completed() and not (again.message or "").startswith("completed with")
    assert again.result()["warnings"] == []


@pytest.mark.parametrize("left", [False, True])
def test_make_runs_summary_says_when_the_digest_was_left_as_it_was(tmp_path, monkeypatch, capsys, left):
    # a rerun with nothing new writes no digest (pipeline.make_digest, DigestResult.left): the
    # summary must not read as if it had written the earlier one (new-user trial)
    monkeypatch.setenv("FMWATCH_DB", str(tmp_path / "w.duckdb"))
    results = {"ingest_pubmed": {"versions_new": 0, "status": "succeeded"},
               "ingest_fmnetwork": {"versions_new": 0, "status": "succeeded"},
               "extract_and_flag": {"records": 0, "flags": 0, "failed": 0},
               "weekly_digest": {"items": 0, "html": str(tmp_path / "digests" / "d.html"), "left": left}}
    monkeypatch.setattr(fmwatch_flows, "fmwatch_pipeline", lambda offline: results)
    assert fmwatch_flows.main() == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("digest:"))
    assert line.endswith("d.html (nothing new: this earlier digest's files are left as they are)") == left, line
