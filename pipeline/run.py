"""A whole run as plain functions: plan, process each new file, record outcomes, rebuild the outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from models.settings import Settings
from pipeline.intake.plan import Plan, plan_run, preflight, process_file
from pipeline.intake.isolation import readers
from pipeline.store.workspace import LedgerEntry, Workspace, append_ledger

WORKBOOK_NAME = "audit-workbook.xlsx"
REPORT_NAME = "summary-report.html"
REPORT_PDF_NAME = "summary-report.pdf"
REPORT_TEMPLATE = "report.html.j2"  # a partnership's own report template, in the workspace folder


@dataclass
class RunSummary:
    processed: int = 0
    quarantined: int = 0
    already_seen: int = 0
    duplicates: int = 0
    waiting: int = 0
    failed: int = 0
    outputs: list[Path] = field(default_factory=list)

    def line(self) -> str:
        """The one summary line a run ends with."""
        parts = [f"{self.processed} processed", f"{self.quarantined} quarantined", f"{self.already_seen} already seen"]
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicate{'s' if self.duplicates != 1 else ''}")
        if self.failed:
            parts.append(f"{self.failed} could not be read from disk (next run)")
        if self.waiting:
            parts.append(f"{self.waiting} still arriving (next run)")
        return ", ".join(parts)


def record_outcome(ws: Workspace, summary: RunSummary, entry: LedgerEntry,
                   on_file: Callable[[LedgerEntry], None] | None = None) -> None:
    """Append a file's outcome to the ledger (the moment it counts as done), tally it, and report progress."""
    append_ledger(ws, entry)
    if entry.outcome == "processed":
        summary.processed += 1
    elif entry.outcome == "quarantined":
        summary.quarantined += 1
    if on_file:
        on_file(entry)


def start(ws: Workspace, settle_seconds: float = 0.0, settings: Settings | None = None) -> tuple[Plan, RunSummary]:
    """Check templates and codebook, plan the run and record duplicates at once (they need no reading)."""
    preflight(ws, settings or Settings())
    plan = plan_run(ws, settle_seconds)
    for entry in [*plan.duplicates, *plan.refused]:
        append_ledger(ws, entry)
    return plan, RunSummary(already_seen=plan.already_seen, duplicates=len(plan.duplicates),
                            quarantined=len(plan.refused), waiting=len(plan.waiting), failed=len(plan.failed))


def outputs_stale(ws: Workspace, changed: bool) -> bool:
    return changed or not all((ws.output / name).exists() for name in (WORKBOOK_NAME, REPORT_NAME, REPORT_PDF_NAME))


def build_outputs(ws: Workspace, settings: Settings) -> list[Path]:
    """Rebuild the workbook, the report and its PDF from every current record.

    The report (meant to be shared) names no one unless ``settings.names``; the workbook (the team's own screen)
    shows names unless ``settings.pseudonymise``. WORKSPACE/report.html.j2, when present, replaces the report's
    template."""
    from pipeline.outputs.pdf import write_pdf
    from pipeline.outputs.pseudonymise import load_salt, pseudonymise_all
    from pipeline.outputs.report import render_report
    from pipeline.store.status import current_records, file_statuses
    from pipeline.outputs.workbook import build_workbook

    records = current_records(ws)
    salt = load_salt(ws.root / ".pseudonym-salt")
    statuses = file_statuses(ws)
    workbook = build_workbook(pseudonymise_all(records, salt) if settings.pseudonymise else records, statuses,
                              ws.output / WORKBOOK_NAME)
    template = ws.root / REPORT_TEMPLATE
    report = render_report(records, statuses, ws.output / REPORT_NAME, template if template.is_file() else None,
                           names=settings.names, salt=salt)
    pdf = write_pdf(report.read_text(encoding="utf-8"), ws.output / REPORT_PDF_NAME)
    return [workbook, report, pdf]


def run_inbox(ws: Workspace, settings: Settings, on_file: Callable[[LedgerEntry], None] | None = None,
              today: date | None = None, settle_seconds: float = 0.0) -> RunSummary:
    """Process the inbox in this process, one file at a time (the Prefect flow does the same with tasks)."""
    plan, summary = start(ws.ensure(), settle_seconds, settings)
    if plan.to_process:
        with readers(settings):  # reader processes for this run's files, all stopped when the loop ends
            for rel, sha in plan.to_process:
                try:
                    entry = process_file(ws, rel, sha, settings, today)
                except OSError:
                    summary.failed += 1  # left in the inbox, unrecorded: the next run tries again
                    continue
                record_outcome(ws, summary, entry, on_file)
    if outputs_stale(ws, bool(plan.to_process or plan.duplicates or plan.refused)):
        summary.outputs = build_outputs(ws, settings)
    return summary
