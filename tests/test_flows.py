"""Prefect flows: the intake flow records each file once, retries the disk, batches, and serves on a real server."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import flows.batches as batches_module
import flows.intake as intake_module
from flows.batches import AUTO_BATCH_SIZE, AUTO_BATCH_THRESHOLD, batch_size_for, process_batch
from flows.deploy import build_deployment, deployment_name
from flows.runners import DASK_MISSING, make_task_runner
from models.errors import ConfigError
from models.settings import Settings
from pipeline.intake.plan import process_file
from pipeline.store.workspace import Workspace, read_ledger
from tests.formbuild import sample_return

ROOT = Path(__file__).resolve().parents[1]
FILES = {"hv-case1.docx": "processed", "police-case1.docx": "processed", "school-case1.docx": "processed",
         "minutes.docx": "quarantined"}


def _workspace(root: Path) -> Workspace:
    ws = Workspace(root).ensure()
    sample_return(ws.inbox / "hv-case1.docx")
    sample_return(ws.inbox / "police-case1.docx", agency="West Midlands Police", grade="Inadequate")
    sample_return(ws.inbox / "school-case1.docx", agency="Oakfield Primary School", grade="Requires improvement")
    (ws.inbox / "minutes.docx").write_text("meeting minutes, not a Word file")
    return ws


@pytest.fixture
def ws(tmp_path):
    return _workspace(tmp_path / "ws")


def _outcomes(ws: Workspace) -> dict[str, str]:
    return {e.file: e.outcome for e in read_ledger(ws)}


# --- plain parts, no Prefect run -------------------------------------------------------------------------------

def test_batches_start_above_the_threshold_and_an_explicit_size_wins():
    assert batch_size_for(AUTO_BATCH_THRESHOLD - 1) == 1
    assert batch_size_for(AUTO_BATCH_THRESHOLD) == AUTO_BATCH_SIZE > 1
    assert batch_size_for(5000, batch_size=100) == 100 and batch_size_for(3, batch_size=2) == 2
    with pytest.raises(ValueError, match="batch_size"):
        batch_size_for(10, batch_size=0)


def test_a_batch_retries_one_flaky_file_and_gives_up_on_a_dead_one(ws, monkeypatch):
    calls: dict[str, int] = {}

    def flaky(ws_, rel, sha, settings, today=None):
        calls[rel] = calls.get(rel, 0) + 1
        if rel == "police-case1.docx" and calls[rel] == 1:
            raise TimeoutError("share went away")  # an OSError
        if rel == "school-case1.docx":
            raise OSError(5, "Input/output error")
        return process_file(ws_, rel, sha, settings, today)

    monkeypatch.setattr(batches_module, "process_file", flaky)
    from pipeline.intake.plan import plan_run
    items = plan_run(ws).to_process
    result = process_batch(ws, items, Settings(), retries=2, retry_delay_seconds=0)
    assert {e.file: e.outcome for e in result.entries} == {
        "hv-case1.docx": "processed", "police-case1.docx": "processed", "minutes.docx": "quarantined"}
    assert result.failed == ["school-case1.docx"] and calls["school-case1.docx"] == 3
    assert calls["police-case1.docx"] == 2 and calls["hv-case1.docx"] == 1


def test_dask_without_prefect_dask_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "prefect_dask", None)  # makes `import prefect_dask` raise ImportError
    with pytest.raises(ConfigError) as info:
        make_task_runner("dask", 2)
    assert str(info.value) == DASK_MISSING and "pip install" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ConfigError, match="unknown task runner 'ray'"):
        make_task_runner("ray", 2)
    assert make_task_runner("threads", 3)._max_workers == 3


def test_nightly_deployment_carries_the_schedule_and_the_workspace_settings(tmp_path):
    settings = Settings(concurrency=2, pseudonymise=True)
    deployment = build_deployment(tmp_path / "audit-2026-q3", "30 1 * * *", settings, batch_size=50)
    assert deployment.name == deployment_name(tmp_path / "audit-2026-q3") == "nightly-audit-2026-q3"
    assert deployment.flow_name == "maap-intake"
    assert [s.schedule.cron for s in deployment.schedules] == ["30 1 * * *"]
    assert deployment.parameters["workspace"] == str(tmp_path / "audit-2026-q3")
    assert Settings.model_validate(deployment.parameters["settings"]) == settings
    assert deployment.parameters["batch_size"] == 50
    assert deployment.parameters["lock_wait_seconds"] == 3600  # a manual run at 02:00 is waited for
    assert set(deployment.parameters) <= set(intake_module.intake_flow.parameters.properties)
    # importable from any folder, not a path relative to where `maap serve` was started
    assert deployment.entrypoint == "flows.intake.intake_flow"


# --- the flow run for real (Prefect's temporary local server) --------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("batch_size", [None, 2], ids=["task-per-file", "batches-of-2"])
def test_flow_records_each_file_once_writes_outputs_and_reports_progress(ws, batch_size):
    seen = []
    result = intake_module.run_flow(ws.root, Settings(concurrency=2), seen.append, batch_size=batch_size)
    assert result["summary"] == "3 processed, 1 quarantined, 0 already seen"
    assert result["failed"] == 0
    ledger = read_ledger(ws)
    assert len(ledger) == len(FILES) and _outcomes(ws) == FILES
    assert sorted(e.file for e in seen) == sorted(FILES)  # the progress bar advanced once per file
    assert len(list(ws.records.glob("*.json"))) == 3
    assert json.loads((ws.quarantine / "minutes.docx.reason.json").read_text())["code"] == "not_a_word_file"
    assert sorted(Path(p).name for p in result["outputs"]) == ["audit-workbook.xlsx", "summary-report.html",
                                                               "summary-report.pdf"]
    assert all(Path(p).stat().st_size > 0 for p in result["outputs"])

    again = intake_module.run_flow(ws.root, Settings(concurrency=2), seen.append, batch_size=batch_size)
    assert again["summary"] == "0 processed, 0 quarantined, 4 already seen"
    assert again["outputs"] == [] and len(read_ledger(ws)) == len(FILES) and len(seen) == len(FILES)
    # File names often carry a child's name: Prefect's own database and logs (its home) must not hold them;
    # tasks are named and keyed by the file's hash.
    stored = b"".join(p.read_bytes() for p in Path(os.environ["PREFECT_HOME"]).rglob("*") if p.is_file())
    assert stored and not [name for name in FILES if name.encode() in stored]


@pytest.mark.slow
def test_a_file_whose_read_fails_with_oserror_is_retried_then_recorded(ws, monkeypatch):
    calls: dict[str, int] = {}

    def fails_once(ws_, rel, sha, settings, today=None):
        calls[rel] = calls.get(rel, 0) + 1
        if rel == "police-case1.docx" and calls[rel] == 1:
            raise OSError(5, "Input/output error")
        return process_file(ws_, rel, sha, settings, today)

    # The real task's retry policy, with no delay between attempts to keep the test short.
    quick = intake_module.process_task.with_options(retry_delay_seconds=0)
    quick.fn = fails_once
    monkeypatch.setattr(intake_module, "process_task", quick)
    result = intake_module.run_flow(ws.root, Settings(concurrency=2))
    assert calls["police-case1.docx"] == 2 and calls["hv-case1.docx"] == 1
    assert result["summary"] == "3 processed, 1 quarantined, 0 already seen" and result["failed"] == 0
    assert _outcomes(ws) == FILES and len(read_ledger(ws)) == len(FILES)


@pytest.mark.slow
def test_a_file_the_disk_never_gives_up_stays_for_the_next_run(ws, monkeypatch):
    def dead_disk(ws_, rel, sha, settings, today=None):
        if rel == "school-case1.docx":
            raise OSError(5, "Input/output error")
        return process_file(ws_, rel, sha, settings, today)

    quick = intake_module.process_task.with_options(retry_delay_seconds=0)
    quick.fn = dead_disk
    monkeypatch.setattr(intake_module, "process_task", quick)
    result = intake_module.run_flow(ws.root, Settings(concurrency=2))
    assert result["failed"] == 1 and "1 could not be read from disk (next run)" in result["summary"]
    assert "school-case1.docx" not in _outcomes(ws) and len(read_ledger(ws)) == 3

    monkeypatch.undo()
    retry = intake_module.run_flow(ws.root, Settings(concurrency=2))
    assert retry["summary"] == "1 processed, 0 quarantined, 3 already seen" and _outcomes(ws) == FILES


@pytest.mark.slow
@pytest.mark.timeout(300)  # a local cluster's start-up once hung here; fail rather than hold CI
def test_flow_on_a_local_dask_cluster(ws):
    _require_dask()
    result = intake_module.run_flow(ws.root, Settings(concurrency=2), task_runner="dask", batch_size=2)
    assert result["summary"] == "3 processed, 1 quarantined, 0 already seen" and _outcomes(ws) == FILES


def _require_dask() -> None:
    # Not a skip: the project's set-up (.ci/setup) installs .[dev,dask], so CI must run these or fail.
    try:
        import prefect_dask  # noqa: F401
    except ImportError:
        pytest.fail(f"{DASK_MISSING} (.ci/setup installs it; the Dask tests run in CI)")


def _batch_in_readers(ws: Workspace, items, settings: Settings) -> tuple[bool, int, list]:
    """Run on a Dask worker: process_batch there, counting the reader pools it starts in that worker."""
    import multiprocessing

    import pipeline.intake.isolation as isolation

    started = []
    real = isolation.ReaderPool

    class Counted(real):
        def __init__(self, *a, **kw):
            started.append(1)
            super().__init__(*a, **kw)

    isolation.ReaderPool = Counted
    try:
        result = process_batch(ws, items, settings)
    finally:
        isolation.ReaderPool = real
    return multiprocessing.current_process().daemon, len(started), [e.outcome for e in result.entries]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_on_dask_workers_each_file_is_still_read_in_a_reader_process(ws):
    _require_dask()
    from prefect import flow, task

    from pipeline.intake.plan import plan_run

    items = plan_run(ws).to_process
    probe = task(_batch_in_readers)

    @flow(task_runner=make_task_runner("dask", 1))
    def on_dask():
        return probe.submit(ws, items, Settings()).result()

    daemonic, pools, outcomes = on_dask()
    assert daemonic is False  # the worker may have children: readers
    assert pools == 1  # one reader pool for the batch, in the worker
    assert sorted(outcomes) == ["processed", "processed", "processed", "quarantined"]


# --- schedules on a real `prefect server start` ---------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: str, check, seconds: float, procs=()):
    """Poll ``check`` until it returns something truthy; fail naming ``what`` (and any process that died)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, proc, log in procs:
            if proc.poll() is not None:
                pytest.fail(f"{name} exited ({proc.returncode}) while waiting for {what}:\n{log.read_text()[-3000:]}")
        value = check()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}")


def _healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _stop(proc: subprocess.Popen, seconds: float = 30, how: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(how)
        try:
            proc.wait(seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.mark.slow
def test_serve_registers_the_cron_deployment_and_a_triggered_run_reads_the_workspace(tmp_path):
    from prefect import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    ws = Workspace(tmp_path / "audit-2026-q3").ensure()
    sample_return(ws.inbox / "hv-case1.docx")
    (ws.inbox / "minutes.docx").write_text("meeting minutes, not a Word file")
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "PREFECT_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    server_log, serve_log = tmp_path / "server.log", tmp_path / "serve.log"
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=server_log.open("w"), stderr=subprocess.STDOUT,
                              cwd=tmp_path)
    serve = None
    try:
        _wait("the Prefect server's health check", lambda: _healthy(api), 120, [("prefect server", server, server_log)])
        # A cron that will not fire during the test (02:00 on 29 February): the run below is triggered by hand.
        cron = "0 2 29 2 *"
        serve = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", str(ws.root), "--cron", cron, "--settle", "0"],
                                 env={**env, "PREFECT_API_URL": api}, stdout=serve_log.open("w"),
                                 stderr=subprocess.STDOUT, cwd=tmp_path)
        procs = [("prefect server", server, server_log), ("maap serve", serve, serve_log)]
        with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
            def deployment():
                try:
                    return client.read_deployment_by_name("maap-intake/nightly-audit-2026-q3")
                except Exception:  # ObjectNotFound until `maap serve` has registered it
                    return None

            found = _wait("the nightly deployment", deployment, 90, procs)
            assert [s.schedule.cron for s in found.schedules] == [cron]
            assert found.parameters["workspace"] == str(ws.root)
            assert Settings.model_validate(found.parameters["settings"]) == Settings()

            run = client.create_flow_run_from_deployment(found.id)

            def finished():
                state = client.read_flow_run(run.id).state
                return state if state and state.is_final() else None

            state = _wait("the triggered flow run to finish", finished, 180, procs)
            assert state.is_completed(), f"flow run ended {state.type}: {serve_log.read_text()[-3000:]}"
            assert _outcomes(ws) == {"hv-case1.docx": "processed", "minutes.docx": "quarantined"}
            assert (ws.output / "audit-workbook.xlsx").exists() and (ws.output / "summary-report.html").exists()

            _stop(serve)  # SIGTERM, as systemd or `docker stop` send
            # Stopping the served deployment pauses its schedule, so nightly runs do not queue up unserved.
            paused = _wait("the schedule to be paused on shutdown",
                           lambda: client.read_deployment(found.id).paused or None, 30, [])
            assert paused and serve.returncode == 0, serve_log.read_text()[-3000:]
            assert "Traceback" not in serve_log.read_text()
    finally:
        if serve is not None:
            _stop(serve)
        _stop(server)


def test_the_prefect_doc_states_the_batching_rule_the_code_applies():
    doc = (ROOT / "docs" / "prefect.md").read_text()
    assert f"| fewer than {AUTO_BATCH_THRESHOLD} | 1 |" in doc
    assert f"| {AUTO_BATCH_THRESHOLD} or more | {AUTO_BATCH_SIZE} |" in doc
    assert DASK_MISSING in doc and "PREFECT_API_DATABASE_CONNECTION_URL" in doc
