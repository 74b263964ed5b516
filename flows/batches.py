"""Batches: many files per Prefect task, so thousands of returns do not cost thousands of task runs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from models.settings import Settings
from pipeline.intake.isolation import readers
from pipeline.intake.plan import process_file
from pipeline.store.workspace import LedgerEntry, Workspace

# Below this many new files one task per file is cheap (the server records a task run in about 30 ms);
# from here on the flow hands each task AUTO_BATCH_SIZE files instead.
AUTO_BATCH_THRESHOLD = 200
AUTO_BATCH_SIZE = 25


@dataclass
class BatchResult:
    """What one batch task returns: a ledger entry per file read, and the files the disk would not give up."""

    entries: list[LedgerEntry] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def batch_size_for(count: int, batch_size: int | None = None) -> int:
    """The files per task: ``batch_size`` if given, else 1 below AUTO_BATCH_THRESHOLD files and AUTO_BATCH_SIZE above."""
    if batch_size is not None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be 1 or more, not {batch_size}")
        return batch_size
    return 1 if count < AUTO_BATCH_THRESHOLD else AUTO_BATCH_SIZE


def split(items: list, size: int) -> list[list]:
    """Consecutive slices of ``items`` of at most ``size`` each, in order."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def process_batch(ws: Workspace, items: list[tuple[str, str]], settings: Settings, today: date | None = None,
                  retries: int = 2, retry_delay_seconds: float = 3.0) -> BatchResult:
    """Read each (inbox path, sha256) in turn, retrying a file whose read fails with OSError before giving it up.

    Retrying per file, not per batch, keeps one flaky network share from re-reading the whole batch.
    """
    result = BatchResult()
    # The run's reader pool when this runs on the flow's own threads; on a Dask worker, a pool for this batch, so
    # each file is still read in a reader process the worker can stop (one started, and reused file after file).
    with readers(settings):
        for rel, sha in items:
            for attempt in range(retries + 1):
                try:
                    result.entries.append(process_file(ws, rel, sha, settings, today))
                    break
                except OSError:
                    if attempt == retries:
                        result.failed.append(rel)  # unrecorded: the next run tries it again
                    else:
                        time.sleep(retry_delay_seconds)
    return result
