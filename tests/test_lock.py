"""The workspace lock: a second run says who holds the workspace and stops (or waits); a dead holder's lock is cleared."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.errors import WorkspaceBusy
from pipeline.store.lock import LOCK_NAME, WorkspaceLock, read_holder
from pipeline.store.status import file_statuses
from pipeline.store.workspace import Workspace
from tests.formbuild import sample_return

ROOT = Path(__file__).resolve().parent.parent
HOLD = """
import sys, time
sys.path.insert(0, {root!r})
from pipeline.store.lock import WorkspaceLock
from pathlib import Path
from pipeline.store.workspace import Workspace
with WorkspaceLock(Workspace(Path({ws!r})), "test holder"):
    print("held", flush=True)
    time.sleep(float(sys.argv[1]))
"""


def _holder(ws: Workspace, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD.format(root=str(ROOT), ws=str(ws.root)), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def _maap(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "ws").ensure()


def test_a_second_run_says_who_holds_the_workspace_and_exits_non_zero(ws):
    holder = _holder(ws, 120)
    try:
        result = _maap("run", str(ws.root), "--engine", "local")
        assert result.returncode == 1
        assert f"process {holder.pid} on {socket.gethostname()}" in result.stderr and "since" in result.stderr
        assert "Traceback" not in result.stderr
        assert read_holder(ws).pid == holder.pid  # the holder's lock is left alone
    finally:
        holder.kill()
        holder.wait()


def test_with_wait_the_second_run_waits_for_the_first_to_finish(ws):
    sample_return(ws.inbox / "hv-case1.docx")
    holder = _holder(ws, 4)
    try:
        result = _maap("run", str(ws.root), "--engine", "local", "--wait", "120")
    finally:
        holder.wait()
    assert result.returncode == 0, result.stderr
    assert "1 processed, 0 quarantined" in result.stdout
    assert not (ws.root / LOCK_NAME).exists()  # released at the end


def test_a_lock_left_by_a_killed_run_is_cleared_with_a_message_and_nothing_is_lost(ws):
    for n in range(10):
        sample_return(ws.inbox / f"return-{n}.docx", agency=f"Agency {n}")
    run = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(ws.root), "--engine", "local"],
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    while not ws.ledger.exists() and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)  # the run holds the lock and has started writing outcomes: kill it mid-run
    assert run.poll() is None, "the run finished before it could be killed"
    held_by = read_holder(ws)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert held_by is not None and held_by.pid == run.pid and (ws.root / LOCK_NAME).exists()

    result = _maap("run", str(ws.root), "--engine", "local")
    assert result.returncode == 0, result.stderr
    assert f"cleared a stale workspace lock left by process {run.pid}" in result.stderr
    assert "no longer running" in result.stderr
    statuses = file_statuses(ws)
    assert sorted(s["file"] for s in statuses) == [f"return-{n}.docx" for n in range(10)]  # each once, none lost
    assert all(s["outcome"] == "processed" for s in statuses)
    assert not (ws.root / LOCK_NAME).exists()


def test_a_lock_from_another_host_is_respected_until_it_is_too_old(ws):
    lock = ws.root / LOCK_NAME
    lock.write_text(json.dumps({"pid": 4242, "host": "other-server", "since": "2999-01-01T00:00:00+00:00"}))
    with pytest.raises(WorkspaceBusy) as info:
        with WorkspaceLock(ws, "test"):
            pass
    assert "process 4242 on other-server" in str(info.value) and str(lock) in str(info.value)
    lock.write_text(json.dumps({"pid": 4242, "host": "other-server", "since": "2020-01-01T00:00:00+00:00"}))
    with WorkspaceLock(ws, "test") as held:
        assert "other-server" in held.cleared and "hours old" in held.cleared
        assert read_holder(ws).pid == os.getpid()
    assert not lock.exists()


def test_the_same_process_may_take_the_lock_again_and_only_the_outer_release_frees_it(ws):
    with WorkspaceLock(ws, "outer"):
        with WorkspaceLock(ws, "inner (the flow a CLI run starts)"):
            pass
        assert read_holder(ws).command == "outer"
    assert read_holder(ws) is None


def test_a_reused_pid_is_not_taken_for_the_holder(ws):
    (ws.root / LOCK_NAME).write_text(json.dumps({
        "pid": os.getpid(), "host": socket.gethostname(), "since": "2999-01-01T00:00:00+00:00", "started": "1"}))
    # This process has our pid but started at another time: the run that wrote the lock is gone.
    lock = WorkspaceLock(ws, "test")
    with lock:
        assert lock.cleared and "no longer running" in lock.cleared
