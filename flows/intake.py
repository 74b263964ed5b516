"""The intake flow: the same plain functions as `maap run --engine local`, as Prefect tasks with retries."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable

from prefect import flow, get_run_logger, task
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from models.settings import Settings
from pipeline.intake import process_file
from pipeline.run import RunSummary, build_outputs, count, outputs_stale, start
from pipeline.workspace import LedgerEntry, Workspace, append_ledger

# Set by run_flow for the duration of one flow call in this process: how the CLI draws its progress bar.
_on_file: Callable[[LedgerEntry], None] | None = None

process_task = task(process_file, name="process-file", retries=2, retry_delay_seconds=3,
                    task_run_name="process-file-{sha}")
outputs_task = task(build_outputs, name="build-outputs", retries=1, retry_delay_seconds=3)


@flow(name="maap-intake", log_prints=False)
def intake_flow(workspace: str, settings: Settings | None = None, settle_seconds: float = 0.0) -> dict:
    """Read every new file in WORKSPACE/inbox into records or quarantine, then rebuild workbook and report."""
    settings = settings or Settings()
    ws = Workspace(Path(workspace)).ensure()
    logger = get_run_logger()
    plan, summary = start(ws, settle_seconds)
    logger.info("%d new file(s), %d already seen, %d duplicate(s)", len(plan.to_process), plan.already_seen,
                len(plan.duplicates))
    runner_futures = [process_task.submit(ws, rel, sha, settings, date.today()) for rel, sha in plan.to_process]
    failed = 0
    for future in as_completed(runner_futures):
        try:
            entry = future.result()
        except OSError as e:  # I/O still failing after retries: leave the file for the next run
            failed += 1
            logger.warning("a file could not be read from disk after retries (%s); it stays for the next run",
                           type(e).__name__)
            continue
        append_ledger(ws, entry)
        count(summary, entry)
        if _on_file:
            _on_file(entry)
    if outputs_stale(ws, bool(plan.to_process or plan.duplicates)):
        summary.outputs = outputs_task(ws, settings)
    logger.info("run finished: %s", summary.line())
    return {"summary": summary.line(), "processed": summary.processed, "quarantined": summary.quarantined,
            "already_seen": summary.already_seen, "duplicates": summary.duplicates, "failed": failed,
            "outputs": [str(p) for p in summary.outputs]}


def run_flow(workspace: Path, settings: Settings, on_file: Callable[[LedgerEntry], None] | None = None,
             settle_seconds: float = 0.0) -> dict:
    """Run the intake flow with bounded concurrency, calling ``on_file`` as each file finishes."""
    global _on_file
    _on_file = on_file
    try:
        bounded = intake_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=settings.concurrency))
        return bounded(str(workspace), settings, settle_seconds)
    finally:
        _on_file = None
