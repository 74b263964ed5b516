"""The nightly deployment: serve the intake flow on a cron schedule (needs a Prefect server, not the ephemeral one)."""

from __future__ import annotations

import asyncio
import os
import signal

from prefect.exceptions import TerminationSignal

from flows.deploy import DEFAULT_CRON, NIGHTLY_SETTLE_SECONDS, build_runner
from models.settings import Settings


def _sigterm_as_ctrl_c(*_args) -> None:
    # Prefect 3.8's own SIGTERM handler never awaits its stop coroutine: the process dies with a traceback and
    # the schedule stays active. Ctrl-C takes the clean path (runs stopped, schedule paused), so use that.
    os.kill(os.getpid(), signal.SIGINT)


def serve_nightly(workspace: str, cron: str = DEFAULT_CRON, settings: Settings | None = None,
                  batch_size: int | None = None, task_runner: str = "threads",
                  settle_seconds: float = NIGHTLY_SETTLE_SECONDS) -> None:
    """Serve the intake flow for one workspace every night at 02:00 (or on ``cron``), until stopped.

    Stopping (Ctrl-C or SIGTERM) pauses the schedule on the server, so runs do not pile up unserved.
    """
    runner = build_runner(workspace, cron, settings, batch_size, task_runner, settle_seconds)
    runner.handle_sigterm = _sigterm_as_ctrl_c  # Runner.start installs self.handle_sigterm for SIGTERM
    try:
        asyncio.run(runner.start())
    except (KeyboardInterrupt, TerminationSignal):
        pass  # the runner has already stopped its runs and paused the schedule
