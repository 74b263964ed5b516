"""The intake flow: the same plain functions as `maap run --engine local`, as Prefect tasks with retries."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from prefect import flow, get_run_logger, task
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.batches import BatchResult, batch_size_for, process_batch, split
from flows.runners import make_task_runner
from models.settings import Settings
from pipeline.config import load_settings
from pipeline.intake.plan import process_file
from pipeline.intake.isolation import readers
from pipeline.run import build_outputs, outputs_stale, record_outcome, start
from pipeline.store.lock import WorkspaceLock
from pipeline.store.workspace import LedgerEntry, Workspace

# Set by run_flow for the duration of one flow call in this process: how the CLI draws its progress bar.
_on_file: Callable[[LedgerEntry], None] | None = None

process_task = task(process_file, name="process-file", retries=2, retry_delay_seconds=3,
                    task_run_name="process-file-{sha}")
# No task-level retries: process_batch retries each file itself, so a retry never re-reads a whole batch.
batch_task = task(process_batch, name="process-batch")
outputs_task = task(build_outputs, name="build-outputs", retries=1, retry_delay_seconds=3)

DEFAULT_CONCURRENCY = Settings.model_fields["concurrency"].default


# The decorator's runner is bounded too: a deployment started from elsewhere must not open every file at once.
@flow(name="maap-intake", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=DEFAULT_CONCURRENCY))
def intake_flow(workspace: str, settings: Settings | None = None, settle_seconds: float = 0.0,
                batch_size: int | None = None, lock_wait_seconds: float = 0.0) -> dict:
    """Read every new file in WORKSPACE/inbox into records or quarantine, then rebuild workbook and report.

    ``batch_size`` files go to each task; by default 1 below 200 new files and 25 above (see flows.batches).
    The run holds the workspace lock: another run on the same workspace (CLI, flow or deployment) makes this
    one fail with who holds it, after waiting up to ``lock_wait_seconds``.
    """
    # A run started without settings uses the workspace's maap.yaml. (Settings must be named in this body: a
    # runner ships the flow by value, and only names the body uses travel with it to resolve the annotations.)
    if not isinstance(settings, Settings):
        settings = load_settings(Path(workspace))
    ws = Workspace(Path(workspace)).ensure()
    logger = get_run_logger()
    with WorkspaceLock(ws, "maap-intake flow", lock_wait_seconds) as lock:
        if lock.cleared:
            logger.warning(lock.cleared)
        return _intake(ws, settings, settle_seconds, batch_size, logger)


def _intake(ws: Workspace, settings: Settings, settle_seconds: float, batch_size: int | None, logger) -> dict:
    plan, summary = start(ws, settle_seconds, settings)
    size = batch_size_for(len(plan.to_process), batch_size)
    logger.info("%d new file(s) in tasks of %d, %d already seen, %d duplicate(s)", len(plan.to_process), size,
                plan.already_seen, len(plan.duplicates))
    today = date.today()
    # The tasks run on this process's threads and share its reader processes (one per file read at once); the
    # block stops every reader when the run ends, fails or is interrupted.
    with readers(settings):
        if size == 1:
            futures = [process_task.submit(ws, rel, sha, settings, today) for rel, sha in plan.to_process]
        else:
            futures = [batch_task.submit(ws, chunk, settings, today) for chunk in split(plan.to_process, size)]
        for future in as_completed(futures):
            try:
                result = future.result()
            except OSError as e:  # I/O still failing after retries: leave the file for the next run
                summary.failed += 1
                logger.warning("a file could not be read from disk after retries (%s); it stays for the next run",
                               type(e).__name__)
                continue
            if isinstance(result, BatchResult):
                summary.failed += len(result.failed)
                entries = result.entries
            else:
                entries = [result]
            for entry in entries:
                record_outcome(ws, summary, entry, _on_file)
    if outputs_stale(ws, bool(plan.to_process or plan.duplicates or plan.refused)):
        summary.outputs = outputs_task(ws, settings)
    logger.info("run finished: %s", summary.line())
    return {"summary": summary.line(), "processed": summary.processed, "quarantined": summary.quarantined,
            "already_seen": summary.already_seen, "duplicates": summary.duplicates, "failed": summary.failed,
            "not_audit_tools": summary.not_audit_tools, "ignored": summary.ignored,
            "outputs": [str(p) for p in summary.outputs]}


def configured_flow(settings: Settings, task_runner: str = "threads"):
    """The intake flow with a task runner sized by ``settings.concurrency`` ("threads", "dask" or a Dask address)."""
    return intake_flow.with_options(task_runner=make_task_runner(task_runner, settings.concurrency))


def run_flow(workspace: Path, settings: Settings, on_file: Callable[[LedgerEntry], None] | None = None,
             settle_seconds: float = 0.0, batch_size: int | None = None, task_runner: str = "threads") -> dict:
    """Run the intake flow with bounded concurrency, calling ``on_file`` as each file finishes."""
    global _on_file
    bounded = configured_flow(settings, task_runner)  # before the global is set: an unknown runner raises here
    _on_file = on_file
    try:
        return bounded(str(workspace), settings, settle_seconds, batch_size)
    finally:
        _on_file = None
