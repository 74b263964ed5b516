"""prefect.yaml: the deployment a partnership's IT applies matches the real flow, and runs on a process worker."""

import inspect
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from flows.intake import intake_flow
from pipeline.store.workspace import Workspace, read_ledger
from tests.formbuild import sample_return
from tests.test_flows import _free_port, _healthy, _stop, _wait

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))


# Prefect 3.8.8 (with the fastapi the project pins) ends `prefect deploy` with this error after creating the
# deployment, while it looks for online workers to suggest starting one; README and docs/prefect.md say so.
KNOWN_DEPLOY_BUG = "/workers/filter' - Response: {'exception_message': 'Invalid request received.'"


def _nightly() -> dict:
    [deployment] = [d for d in CONFIG["deployments"] if d["name"] == "nightly"]
    return deployment


def test_prefect_yaml_is_a_valid_project_file():
    from prefect.cli.deploy._models import PrefectYamlModel

    PrefectYamlModel.model_validate(CONFIG)
    from prefect import __version__

    assert CONFIG["prefect-version"] == __version__  # the version pinned here, so `prefect deploy` does not warn


def test_the_entrypoint_and_parameters_match_the_intake_flows_signature():
    from prefect.flows import load_flow_from_entrypoint

    nightly = _nightly()
    cwd = os.getcwd()
    os.chdir(ROOT)  # the entrypoint is a path from the checkout, as the worker's working directory is
    try:
        loaded = load_flow_from_entrypoint(nightly["entrypoint"])
    finally:
        os.chdir(cwd)
    assert loaded.name == intake_flow.name == "maap-intake"
    signature = inspect.signature(intake_flow.fn)
    params = nightly["parameters"]
    assert set(params) <= set(signature.parameters), set(params) - set(signature.parameters)
    required = {n for n, p in signature.parameters.items() if p.default is inspect.Parameter.empty}
    assert required <= set(params)
    assert params["workspace"] == "{{ $MAAP_WORKSPACE }}"
    resolved = intake_flow.validate_parameters({**params, "workspace": "/srv/maap/audit"})
    assert resolved["settings"] is None and resolved["settle_seconds"] == 120


def test_the_nightly_schedule_and_the_process_pool_are_the_ones_the_readme_sets_up():
    from prefect.client.schemas.schedules import CronSchedule

    nightly = _nightly()
    [schedule] = nightly["schedules"]
    CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])  # raises on a bad cron or zone
    assert schedule["cron"] == "0 2 * * *" and schedule["active"] is True
    assert nightly["concurrency_limit"]["limit"] == 1
    pool = nightly["work_pool"]["name"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"prefect work-pool create {pool} --type process" in readme
    assert f"prefect worker start --pool {pool}" in readme
    assert "prefect --no-prompt deploy --all" in readme
    assert "PREFECT_API_DATABASE_CONNECTION_URL" in readme and ".[postgres]" in readme
    assert "prefect deployment run 'maap-intake/nightly'" in readme


def _prefect(*args: str, env: dict, cwd: Path = ROOT, timeout: float = 180) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "prefect", *args], env=env, cwd=cwd, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"prefect {' '.join(args)}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    return result


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_deployed_on_a_real_server_late_runs_after_missed_nights_read_everything_on_a_process_worker(tmp_path):
    from prefect import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.states import Scheduled

    ws = Workspace(tmp_path / "audit-2026-q3").ensure()
    hour_ago = time.time() - 3600  # arrived on earlier nights, well outside the settle window
    for name, agency in [("hv-night1.docx", "Health Visiting"), ("police-night2.docx", "West Midlands Police")]:
        os.utime(sample_return(ws.inbox / name, agency=agency), (hour_ago, hour_ago))
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "PREFECT_UI_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    server_log, worker_log = tmp_path / "server.log", tmp_path / "worker.log"
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env, stdout=server_log.open("w"), stderr=subprocess.STDOUT,
                              cwd=tmp_path)
    worker = None
    client_env = {**env, "PREFECT_API_URL": api, "MAAP_WORKSPACE": str(ws.root)}
    before = set(p.name for p in ROOT.iterdir())
    try:
        _wait("the Prefect server's health check", lambda: _healthy(api), 180, [("prefect server", server, server_log)])
        _prefect("work-pool", "create", "maap-process", "--type", "process", env=client_env)
        deployed = subprocess.run([sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all"], env=client_env,
                                  cwd=ROOT, capture_output=True, text=True, timeout=180)
        assert "Deployment 'maap-intake/nightly' successfully created" in " ".join(deployed.stdout.split())
        if deployed.returncode != 0:  # Prefect 3.8.8's hint about workers fails after the deployment is made
            assert KNOWN_DEPLOY_BUG in deployed.stdout + deployed.stderr, deployed.stderr[-3000:]
        assert set(p.name for p in ROOT.iterdir()) == before  # deploying leaves the checkout as it was
        with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
            found = client.read_deployment_by_name("maap-intake/nightly")
            assert found.parameters["workspace"] == str(ws.root)
            assert [s.schedule.cron for s in found.schedules] == ["0 2 * * *"]
            # Two nights missed while the worker was down: their runs are late when it comes back.
            now = datetime.now(timezone.utc)
            runs = [client.create_flow_run_from_deployment(found.id, state=Scheduled(scheduled_time=now - timedelta(
                days=n))) for n in (2, 1)]
            worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", "maap-process"],
                                      env=client_env, stdout=worker_log.open("w"), stderr=subprocess.STDOUT,
                                      cwd=tmp_path)
            procs = [("prefect server", server, server_log), ("prefect worker", worker, worker_log)]

            def finished():
                states = [client.read_flow_run(r.id).state for r in runs]
                return states if all(s and s.is_final() for s in states) else None

            states = _wait("the late runs to finish on the process worker", finished, 600, procs)
            assert all(s.is_completed() for s in states), worker_log.read_text()[-3000:]
        outcomes = [(e.file, e.outcome) for e in read_ledger(ws)]
        assert sorted(outcomes) == [("hv-night1.docx", "processed"), ("police-night2.docx", "processed")]
        assert (ws.output / "audit-workbook.xlsx").exists()
        assert not re.search(r"Traceback", worker_log.read_text())
    finally:
        if worker is not None:
            _stop(worker)
        _stop(server)
