"""The nightly deployment, built without blocking: what `maap serve --cron` registers on a Prefect server."""

from __future__ import annotations

from pathlib import Path

from prefect.types.entrypoint import EntrypointType

from flows.intake import configured_flow
from models.settings import Settings

DEFAULT_CRON = "0 2 * * *"


def deployment_name(workspace: str | Path) -> str:
    """One deployment per workspace, named after its folder: nightly-audit-2026-q3."""
    return f"nightly-{Path(str(workspace).rstrip('/')).name or 'workspace'}"


NIGHTLY_SETTLE_SECONDS = 120.0  # a file still being saved into the inbox at 02:00 waits for the next night
NIGHTLY_LOCK_WAIT_SECONDS = 3600.0  # a manual run still going at 02:00: wait for it rather than fail the night


def deployment_options(workspace: str | Path, cron: str = DEFAULT_CRON, settings: Settings | None = None,
                       batch_size: int | None = None, settle_seconds: float = NIGHTLY_SETTLE_SECONDS) -> dict:
    """Name, cron schedule and parameters of the nightly deployment, shared by build_deployment and build_runner."""
    parameters = {"workspace": str(workspace), "settings": (settings or Settings()).model_dump(mode="json"),
                  "settle_seconds": settle_seconds, "lock_wait_seconds": NIGHTLY_LOCK_WAIT_SECONDS}
    if batch_size is not None:
        parameters["batch_size"] = batch_size
    return {"name": deployment_name(workspace), "cron": cron, "parameters": parameters,
            "tags": ["maap", "nightly"],
            # A module path, not a file path relative to the current folder: `maap serve` runs from anywhere.
            "entrypoint_type": EntrypointType.MODULE_PATH}


def build_deployment(workspace: str | Path, cron: str = DEFAULT_CRON, settings: Settings | None = None,
                     batch_size: int | None = None, task_runner: str = "threads"):
    """The nightly RunnerDeployment for one workspace (nothing is sent to a server until it is served or applied)."""
    settings = settings or Settings()
    return configured_flow(settings, task_runner).to_deployment(
        **deployment_options(workspace, cron, settings, batch_size))


def build_runner(workspace: str | Path, cron: str = DEFAULT_CRON, settings: Settings | None = None,
                 batch_size: int | None = None, task_runner: str = "threads",
                 settle_seconds: float = NIGHTLY_SETTLE_SECONDS):
    """A Prefect Runner with the nightly deployment registered on the server at PREFECT_API_URL (not yet started).

    The flow object itself is handed to the runner, so each run uses this task runner rather than re-importing
    the module's default.
    """
    from prefect.runner import Runner

    settings = settings or Settings()
    options = deployment_options(workspace, cron, settings, batch_size, settle_seconds)
    runner = Runner(name=options["name"], pause_on_shutdown=True)
    runner.add_flow(configured_flow(settings, task_runner), **options)
    return runner
