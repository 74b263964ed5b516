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
REVIEWS_NAME = "reviews.jsonl"


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
    return changed or not (ws.output / WORKBOOK_NAME).exists() or not (ws.output / REPORT_NAME).exists()


def build_outputs(ws: Workspace, settings: Settings) -> list[Path]:
    """Rebuild the workbook and the report from every current record (pseudonymised if asked).

    Reviewers' columns are read back from the existing workbook into WORKSPACE/reviews.jsonl first; the report
    and the workbook's counts use the records with their corrections applied.
    """
    from pipeline.intake.plan import codebook_for, templates_for
    from pipeline.outputs.pseudonymise import load_salt, pseudonymise
    from pipeline.outputs.report import render_report
    from pipeline.outputs.reviews import apply_reviews, earlier_reviews
    from pipeline.outputs.workbook import build_workbook, gather_reviews, successors
    from pipeline.store.status import file_statuses, resolve

    resolved = resolve(ws)
    records = [rec for e, rec in resolved if e.outcome == "processed" and rec is not None]
    superseded = [rec for e, rec in resolved if e.outcome == "superseded" and rec is not None]
    workbook = ws.output / WORKBOOK_NAME
    gathered = gather_reviews(workbook, ws.root / REVIEWS_NAME)
    corrected = apply_reviews(records, gathered.latest, theme_names(codebook_for(ws, settings)))
    earlier = earlier_reviews(successors(records, superseded), gathered.latest)
    if settings.pseudonymise:
        salt = load_salt(ws.root / ".pseudonym-salt")
        records = [pseudonymise(r, salt) for r in records]
        corrected = [pseudonymise(r, salt) for r in corrected]
    statuses = file_statuses(ws)
    return [build_workbook(records, statuses, workbook, corrected=corrected, reviews=gathered.latest,
                           earlier=earlier, templates=templates_for(ws, settings), store=ws.root / REVIEWS_NAME,
                           keep_existing=gathered.keep_existing),
            render_report(corrected, statuses, ws.output / REPORT_NAME)]


def theme_names(codebook) -> dict[str, tuple[str, str]]:
    """Lower-case theme id or label -> (id, label), to read the themes a reviewer adds."""
    return {name.lower(): (t.id, t.label) for t in codebook.themes for name in (t.id, t.label)}


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
