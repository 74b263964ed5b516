"""The nightly deployment: serve the intake flow on a cron schedule (needs a Prefect server, not the ephemeral one)."""

from __future__ import annotations

from models.settings import Settings
from flows.intake import intake_flow


def serve_nightly(workspace: str, cron: str = "0 2 * * *", settings: Settings | None = None) -> None:
    """Serve the intake flow for one workspace every night at 02:00 (or on ``cron``), until stopped."""
    intake_flow.serve(
        name=f"nightly-{workspace.rstrip('/').split('/')[-1] or 'workspace'}",
        cron=cron,
        parameters={"workspace": workspace, "settings": (settings or Settings()).model_dump(mode="json")},
    )
