"""A whole run as plain functions: plan, process each new file, record outcomes, rebuild the outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from models.settings import Settings
from pipeline.intake.plan import Plan, plan_run, preflight, process_file
from pipeline.intake.isolation import readers
from pipeline.intake.email_intake import message_parts
from pipeline.store.workspace import LedgerEntry, Workspace, append_ledger, read_ledger

WORKBOOK_NAME = "audit-workbook.xlsx"
REPORT_NAME = "summary-report.html"
REPORT_PDF_NAME = "summary-report.pdf"
REPORT_TEMPLATE = "report.html.j2"  # a partnership's own report template, in the workspace folder
REVIEWS_NAME = "reviews.jsonl"


@dataclass
class RunSummary:
    processed: int = 0
    quarantined: int = 0
    already_seen: int = 0
    duplicates: int = 0
    waiting: int = 0
    failed: int = 0
    emails: int = 0  # emails opened; their attachments are counted as processed, quarantined or duplicates
    not_audit_tools: int = 0
    ignored: int = 0
    outputs: list[Path] = field(default_factory=list)

    def line(self) -> str:
        """The one summary line a run ends with."""
        parts = [f"{self.processed} processed", f"{self.quarantined} quarantined", f"{self.already_seen} already seen"]
        if self.emails:
            parts.append(f"{self.emails} email{'s' if self.emails != 1 else ''} opened")
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicate{'s' if self.duplicates != 1 else ''}")
        if self.not_audit_tools:
            parts.append(f"{self.not_audit_tools} not an audit tool (see maap status)")
        if self.ignored:
            parts.append(f"{self.ignored} lock or temporary file{'s' if self.ignored != 1 else ''} ignored")
        if self.failed:
            parts.append(f"{self.failed} could not be read from disk (next run)")
        if self.waiting:
            parts.append(f"{self.waiting} still arriving (next run)")
        return ", ".join(parts)


def record_outcome(ws: Workspace, summary: RunSummary, entry: LedgerEntry,
                   on_file: Callable[[LedgerEntry], None] | None = None) -> None:
    """Append a file's outcome to the ledger (the moment it counts as done), tally it, and report progress."""
    append_ledger(ws, entry)
    tally = [entry]
    if entry.outcome == "opened":  # an email: its attachments' own entries are already in the ledger
        summary.emails += 1
        tally = message_parts(read_ledger(ws), entry.file)
    for e in tally:
        if e.outcome == "processed":
            summary.processed += 1
        elif e.outcome == "quarantined":
            summary.quarantined += 1
        elif e.outcome == "duplicate":
            summary.duplicates += 1
        elif e.outcome == "not_an_audit_tool":
            summary.not_audit_tools += 1
        elif e.outcome == "ignored":
            summary.ignored += 1
    if on_file:
        on_file(entry)


def start(ws: Workspace, settle_seconds: float = 0.0, settings: Settings | None = None) -> tuple[Plan, RunSummary]:
    """Check templates and codebook, plan the run and record duplicates at once (they need no reading)."""
    settings = settings or Settings()
    preflight(ws, settings)
    plan = plan_run(ws, settle_seconds, templates_changed_at(ws, settings))
    for entry in [*plan.duplicates, *plan.refused, *plan.ignored]:
        append_ledger(ws, entry)
    return plan, RunSummary(already_seen=plan.already_seen, duplicates=len(plan.duplicates),
                            quarantined=len(plan.refused), waiting=len(plan.waiting), failed=len(plan.failed),
                            ignored=len(plan.ignored))


def templates_changed_at(ws: Workspace, settings: Settings) -> str:
    """When a workspace or configured template file last changed, as a ledger time ('' when there is none)."""
    from datetime import datetime, timezone

    stamps = [p.stat().st_mtime for d in [*settings.template_dirs, ws.templates] if Path(d).is_dir()
              for p in Path(d).glob("*.y*ml")]
    if not stamps:
        return ""
    return datetime.fromtimestamp(max(stamps), timezone.utc).isoformat(timespec="seconds")


def outputs_stale(ws: Workspace, changed: bool) -> bool:
    return changed or not all((ws.output / name).exists() for name in (WORKBOOK_NAME, REPORT_NAME, REPORT_PDF_NAME))


def build_outputs(ws: Workspace, settings: Settings, round_id: str | None = None) -> list[Path]:
    """Rebuild the workbook, the report and its PDF from every current record; with ``round_id``, from that audit
    round's records only, into output/rounds/<round>/ (the report then compares with the earlier round on the
    same theme, when there is one).

    Reviewers' columns are read back from the existing workbook into WORKSPACE/reviews.jsonl first; the report
    and the workbook's counts use the records with their corrections applied. The report (meant to be shared)
    names no one unless ``settings.names``; the workbook (the team's own screen) shows names unless
    ``settings.pseudonymise``. WORKSPACE/report.html.j2, when present, replaces the report's template."""
    from pipeline.cases.tracker import chase_list
    from pipeline.intake.plan import codebook_for, templates_for
    from pipeline.outputs.pdf import write_pdf
    from pipeline.outputs.pseudonymise import load_salt
    from pipeline.outputs.report import render_report
    from pipeline.outputs.reviews import apply_reviews, earlier_reviews
    from pipeline.outputs.self_assessment import pseudonymised, report_section
    from pipeline.outputs.workbook import build_workbook, gather_reviews, successors
    from pipeline.store.status import file_statuses, resolve

    resolved = resolve(ws)
    current = [rec for e, rec in resolved if e.outcome == "processed" and rec is not None]
    assessments = [r for r in current if r.kind == "self_assessment"]  # Section 11 / 175: never counted as cases
    superseded = [rec for e, rec in resolved if e.outcome == "superseded" and rec is not None]
    statuses = file_statuses(ws, resolved)
    view = case_view(ws, current, round_id, resolved=resolved)
    records, out = view["records"], ws.output / "rounds" / view["round"].id if round_id else ws.output
    workbook = out / WORKBOOK_NAME
    gathered = gather_reviews(workbook, ws.root / REVIEWS_NAME)
    themes = theme_names(codebook_for(ws, settings))
    corrected = apply_reviews(records, gathered.latest, themes)
    salt = load_salt(ws.root / ".pseudonym-salt")
    shown, shown_corrected, cells = records, corrected, view["cells"]
    case_names = {sha: link.label for sha, link in view["links"].items()}
    if settings.pseudonymise:  # case by case: one code per child, however each agency wrote the name
        p = view["pseudonymiser"](salt)
        shown, shown_corrected = [p.record(r) for r in records], [p.record(r) for r in corrected]
        case_names = {sha: p.case_codes.get(case, "") for sha, case in view["case_ids"].items()}
        cells = _coded_cells(cells, p.case_codes)
    written = build_workbook(shown, statuses, workbook, corrected=shown_corrected, reviews=gathered.latest,
                             earlier=earlier_reviews(successors(records, superseded), gathered.latest),
                             templates=templates_for(ws, settings), store=ws.root / REVIEWS_NAME,
                             keep_existing=gathered.keep_existing, case_names=case_names,
                             tracker=(cells, chase_list(cells, view["unplaced"])),
                             assessments=[] if round_id else pseudonymised(assessments, salt) if settings.pseudonymise
                             else assessments, names=not settings.pseudonymise)
    template = ws.root / REPORT_TEMPLATE
    report = render_report(corrected, statuses, out / REPORT_NAME, template if template.is_file() else None,
                           names=settings.names, salt=salt, cases=view["case_ids"],
                           tracker=tracker_summary(view["cells"]) if view["register"] is not None else None,
                           agency_type=view["agency_type"],
                           earlier=apply_reviews(view["earlier"], gathered.latest, themes),
                           self_assessment=None if round_id else report_section(
                               assessments, templates_for(ws, settings), date.today(), settings.names, salt))
    pdf = write_pdf(report.read_text(encoding="utf-8"), out / REPORT_PDF_NAME)
    return [written, report, pdf]


def theme_names(codebook) -> dict[str, tuple[str, str]]:
    """Lower-case theme id or label -> (id, label), to read the themes a reviewer adds."""
    return {name.lower(): (t.id, t.label) for t in codebook.themes for name in (t.id, t.label)}


def tracker_summary(cells: list) -> dict:
    """What the report says of the returns tracker: returns expected, received, and those still outstanding."""
    expected = [c for c in cells if c.expected]
    waiting = [c for c in expected if c.status in ("outstanding", "overdue")]
    return {"expected": len(expected), "received": sum(c.status == "received" for c in expected),
            "outstanding": [{"agency": c.agency_label, "case": c.child,
                             "due": c.due.strftime("%d/%m/%Y") if c.due else ""} for c in waiting]}


def case_view(ws: Workspace, records: list, round_id: str | None = None, today: date | None = None,
              resolved: list | None = None) -> dict:
    """Cases, rounds and the tracker for a workspace's current records, narrowed to one round if asked:
    records, links, cells, unplaced quarantined files, the round, and ``pseudonymised(salt)`` (the records
    pseudonymised case by case, and each case's child code)."""
    from pipeline.cases.agencies import agency_type, agency_label, load_agency_register
    from pipeline.cases.linking import link_cases
    from pipeline.cases.register import read_register
    from pipeline.cases.rounds import earlier_round
    from pipeline.cases.select import all_rounds, rounds_of, select_round
    from pipeline.cases.tracker import build_tracker
    from pipeline.store.status import resolve

    agencies = load_agency_register(ws.root)
    register = read_register(ws.root, agencies)
    # Section 11 / 175 self-assessments are about organisations, not children: no case, no tracker cell.
    records = [r for r in records if r.kind != "self_assessment"]
    resolved = [(e, rec) for e, rec in (resolve(ws) if resolved is None else resolved)
                if rec is None or rec.kind != "self_assessment"]
    links = link_cases(records, register, today)
    cells, unplaced = build_tracker(resolved, register, agencies, today, links)
    chosen, earlier = None, []
    if round_id:
        every = records
        chosen, records = select_round(round_id, records, links, register)
        rounds = rounds_of(every, links, register)
        before = earlier_round(chosen, all_rounds(rounds, register))
        earlier = [r for r in every if before and rounds[r.source.sha256].id == before.id]
        cases = {links[r.source.sha256].case_id for r in records}
        cells = [c for c in cells if c.case_id in cases or c.round == chosen.label]

    def pseudonymiser(salt: bytes):
        """One Pseudonymiser for these records, grouping them by the linker's cases (one code per child,
        however each return wrote the name)."""
        from pipeline.outputs.pseudonymise import Pseudonymiser

        return Pseudonymiser.for_records(records, salt, case_ids)

    def pseudonymised(salt: bytes) -> tuple[list, dict[str, str]]:
        """The records pseudonymised together, and each case's child code."""
        p = pseudonymiser(salt)
        return [p.record(r) for r in records], dict(p.case_codes)

    case_ids = {sha: link.case_id for sha, link in links.items()}
    types = {r.source.sha256: agency_label(agency_type(r.header.agency, agencies), agencies) for r in records}
    return {"records": records, "links": links, "cells": cells, "unplaced": unplaced, "round": chosen,
            "register": register, "pseudonymised": pseudonymised, "pseudonymiser": pseudonymiser, "agency_labels": types, "case_ids": case_ids,
            "agency_type": lambda name: agency_label(agency_type(name, agencies), agencies), "earlier": earlier}


def _coded_cells(cells: list, codes: dict[str, str]) -> list:
    """Tracker cells without names: the child as its code, file names (which may name the child) left out."""
    from dataclasses import replace

    def scrub(text: str, files: tuple[str, ...]) -> str:
        for f in files:
            text = text.replace(f.rsplit("/", 1)[-1], "the file")
        return text

    return [replace(c, child=codes.get(c.case_id, c.case_id), files=(), reason=scrub(c.reason, c.files)) for c in cells]


def write_packs(ws: Workspace, case: str | None = None, names: bool = False, round_id: str | None = None,
                pdf: bool = True, today: date | None = None) -> list[Path]:
    """Write the audit-day pack of every case (or one) to output/pack/<case>.html and .pdf, and (for every
    case) output/pack/index.html; names are codes unless ``names``."""
    from pipeline.cases.select import rounds_of
    from pipeline.outputs.pack import pack_context, render_pack, render_pack_index
    from pipeline.outputs.pseudonymise import load_salt
    from pipeline.store.status import current_records
    from models.errors import ConfigError

    view = case_view(ws, current_records(ws), round_id, today)
    records, links = view["records"], view["links"]
    rounds = rounds_of(records, links, view["register"])
    shown, codes = (records, {}) if names else view["pseudonymised"](load_salt(ws.root / ".pseudonym-salt"))
    cells = view["cells"] if names else _coded_cells(view["cells"], codes)
    by_case: dict[str, list] = {}
    for r in shown:
        by_case.setdefault(links[r.source.sha256].case_id, []).append(r)
    if case is not None:
        wanted = {c.lower(): c for c in by_case}
        if case.lower() not in wanted:
            raise ConfigError(f"no case '{case}' with returns (cases: {', '.join(sorted(by_case)) or 'none yet'})")
        by_case = {wanted[case.lower()]: by_case[wanted[case.lower()]]}
    written, contexts = [], []
    for case_id, rs in sorted(by_case.items()):
        link = links[rs[0].source.sha256]
        context = pack_context(case_id, link.label if names else codes[case_id], rs, links, view["agency_labels"],
                               [c for c in cells if c.case_id == case_id],
                               rounds[rs[0].source.sha256].label, link.dob, names)
        html = render_pack(context)
        contexts.append(context)
        written.append(write_atomic_text(ws.output / "pack" / f"{case_id}.html", html))
        if pdf:
            from pipeline.outputs.pdf import write_pdf

            written.append(write_pdf(html, ws.output / "pack" / f"{case_id}.pdf"))
    if case is None and contexts:
        written.append(write_atomic_text(ws.output / "pack" / "index.html", render_pack_index(contexts, pdf, names)))
    return written


def write_atomic_text(path: Path, text: str) -> Path:
    """Write a text file whole or not at all, and return its path."""
    from pipeline.store.workspace import write_atomic

    write_atomic(path, text.encode("utf-8"))
    return path


def run_inbox(ws: Workspace, settings: Settings, on_file: Callable[[LedgerEntry], None] | None = None,
              today: date | None = None, settle_seconds: float = 0.0, lock_wait_seconds: float = 0.0) -> RunSummary:
    """Process the inbox in this process, one file at a time (the Prefect flow does the same with tasks).

    Holds the workspace lock throughout: raises WorkspaceBusy when another run holds it past ``lock_wait_seconds``.
    """
    from pipeline.store.lock import WorkspaceLock

    with WorkspaceLock(ws.ensure(), "maap run --engine local", lock_wait_seconds):
        return _run_inbox(ws, settings, on_file, today, settle_seconds)


def _run_inbox(ws: Workspace, settings: Settings, on_file: Callable[[LedgerEntry], None] | None,
               today: date | None, settle_seconds: float) -> RunSummary:
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
