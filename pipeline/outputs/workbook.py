"""The cross-agency Excel workbook: the partnership team's main screen. The one module that imports openpyxl."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from models.record import AuditReturn
from pipeline.outputs.tracker_sheets import add_tracker_sheets

GRADE_LABELS = {"outstanding": "Outstanding", "good": "Good", "requires_improvement": "Requires improvement",
                "inadequate": "Inadequate"}
_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_HEAD_FONT = Font(bold=True, color="FFFFFF")
_STATUS_FILL = {"unanswered": PatternFill("solid", fgColor="FCE4D6"),
                "not_applicable": PatternFill("solid", fgColor="EDEDED")}
_SEVERITY_FILL = {"error": PatternFill("solid", fgColor="F8CBAD"), "warning": PatternFill("solid", fgColor="FFF2CC")}
REVIEW_COLUMNS = ("Reviewer agrees? (Y/N)", "Reviewer adds themes", "Reviewer notes")


def case_of(record: AuditReturn) -> str:
    return record.header.child or "(child not given)"


def agency_of(record: AuditReturn) -> str:
    return record.header.agency or "(agency not given)"


def _put(ws, row: int, col: int, value):
    """Write a value; strings are always text (never formulas) and stripped of characters Excel refuses."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _sheet(wb: Workbook, title: str, headers: list[str], widths: list[int], rows) -> object:
    ws = wb.create_sheet(title)
    for c, (h, w) in enumerate(zip(headers, widths), start=1):
        cell = _put(ws, 1, c, h)
        cell.fill, cell.font = _HEAD_FILL, _HEAD_FONT
        ws.column_dimensions[get_column_letter(c)].width = w
    wrap = Alignment(wrap_text=True, vertical="top")
    r = 1
    for r, values in enumerate(rows, start=2):
        for c, v in enumerate(values, start=1):
            _put(ws, r, c, v).alignment = wrap
    ws.freeze_panes = "A2"
    if r > 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{r}"
    return ws


def _flag_codes(record: AuditReturn, answer_id: str) -> str:
    return ", ".join(sorted({f.code.value for f in record.flags if f.answer == answer_id}))


def _summary(wb: Workbook, records: list[AuditReturn], statuses: list[dict]) -> None:
    ws = wb.active
    ws.title = "Summary"
    outcomes = Counter(s["outcome"] for s in statuses)
    grades = Counter(r.grade.value for r in records if r.grade.value)
    themes = Counter(t.id for r in records for t in r.themes if t.mentions)
    flags = Counter(f.code.value for r in records for f in r.flags)
    lines: list[tuple] = [
        ("Multi-agency audit workbook", ""),
        ("Built", datetime.now().strftime("%d/%m/%Y %H:%M")),
        ("", ""),
        ("Returns read", len(records)),
        ("Cases (children)", len({case_of(r) for r in records})),
        ("Agencies", len({agency_of(r) for r in records})),
        ("Files quarantined", outcomes.get("quarantined", 0)),
        ("Duplicates ignored", outcomes.get("duplicate", 0)),
        ("Superseded by a later version", outcomes.get("superseded", 0)),
        ("", ""), ("Overall grade", "Returns"),
        *[(GRADE_LABELS[g], grades.get(g, 0)) for g in GRADE_LABELS],
        ("No single grade marked", sum(1 for r in records if r.grade.problem)),
        ("", ""), ("Theme", "Returns mentioning it"),
        *themes.most_common(),
        ("", ""), ("Flag", "Count"),
        *flags.most_common(),
    ]
    for r, (a, b) in enumerate(lines, start=1):
        _put(ws, r, 1, a)
        _put(ws, r, 2, b)
        if b in ("Returns", "Returns mentioning it", "Count") or r == 1:
            ws.cell(row=r, column=1).font = ws.cell(row=r, column=2).font = Font(bold=True)
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 24


def build_workbook(records: list[AuditReturn], statuses: list[dict], path: Path, tracker=None) -> Path:
    """Write the workbook: Summary, Returns, Agencies, Answers, By case, Flags, Themes, Quarantine."""
    wb = Workbook()
    _summary(wb, records, statuses)
    _sheet(wb, "Returns",
           ["Case", "Agency", "Auditor", "Practitioner", "Date of audit", "Template", "Grade", "Grade problem",
            "Quality score", "Answered", "N/A", "Unanswered", "Flags", "File"],
           [22, 24, 18, 18, 13, 22, 20, 16, 9, 9, 6, 11, 7, 36],
           ([case_of(r), agency_of(r), r.header.auditor or "", r.header.practitioner or "",
             r.header.date_of_audit or "", f"{r.template.id} v{r.template.version}",
             GRADE_LABELS.get(r.grade.value or "", ""), (r.grade.problem or "").replace("_", " "),
             r.quality.score if r.quality else None,
             sum(a.status.value == "answered" for a in r.answers),
             sum(a.status.value == "not_applicable" for a in r.answers),
             sum(a.status.value == "unanswered" for a in r.answers), len(r.flags), r.source.file]
            for r in records))
    _agencies(wb, records)
    answers = _sheet(wb, "Answers",
                     ["Case", "Agency", "Section", "Question id", "Question", "Answer", "Status", "Dates",
                      "Themes", "Flags", "File"],
                     [20, 22, 20, 10, 40, 70, 14, 14, 22, 22, 30],
                     ([case_of(r), agency_of(r), a.section, a.id, a.question, a.answer, a.status.value,
                       ", ".join(a.dates), ", ".join(a.themes), _flag_codes(r, a.id), r.source.file]
                      for r in records for a in r.answers))
    for row in answers.iter_rows(min_row=2, min_col=7, max_col=7):
        for cell in row:
            if cell.value in _STATUS_FILL:
                cell.fill = _STATUS_FILL[cell.value]
    _by_case(wb, records)
    flags = _sheet(wb, "Flags", ["Case", "Agency", "Severity", "Flag", "Question id", "Message", "File"],
                   [20, 22, 10, 24, 11, 80, 30],
                   ([case_of(r), agency_of(r), f.severity.value, f.code.value, f.answer or "", f.message,
                     r.source.file] for r in records for f in r.flags))
    for row in flags.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            if cell.value in _SEVERITY_FILL:
                cell.fill = _SEVERITY_FILL[cell.value]
    _themes(wb, records)
    _sheet(wb, "Quarantine", ["File", "Reason code", "What to do", "SHA-256"], [36, 20, 90, 20],
           ([s["file"], s["reason"]["code"], s["reason"]["message"], s["sha256"][:12]]
            for s in statuses if s["outcome"] == "quarantined" and s["reason"]))
    add_tracker_sheets(wb, tracker)  # Tracker and Chase sheets (pipeline/outputs/tracker_sheets.py)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


def agency_rows(records: list[AuditReturn]) -> list[list]:
    """Per agency: returns, mean quality score, grades, share of questions unanswered, flags by severity."""
    rows = []
    for agency in sorted({agency_of(r) for r in records}):
        mine = [r for r in records if agency_of(r) == agency]
        scores = [r.quality.score for r in mine if r.quality]
        answers = [a for r in mine for a in r.answers]
        grades = Counter(r.grade.value for r in mine)
        severities = Counter(f.severity.value for r in mine for f in r.flags)
        rows.append([agency, len(mine), round(sum(scores) / len(scores)) if scores else None,
                     *(grades.get(g, 0) for g in GRADE_LABELS), grades.get(None, 0),
                     round(100 * sum(a.status.value == "unanswered" for a in answers) / len(answers)) if answers else 0,
                     severities.get("error", 0), severities.get("warning", 0)])
    return rows


def _agencies(wb: Workbook, records: list[AuditReturn]) -> None:
    _sheet(wb, "Agencies", ["Agency", "Returns", "Mean quality score", *GRADE_LABELS.values(), "No single grade",
                            "% questions unanswered", "Error flags", "Warning flags"],
           [28, 9, 12, 12, 8, 14, 12, 12, 14, 10, 10], agency_rows(records))


def return_id(record: AuditReturn) -> str:
    """A short, stable id for a return that names no one: the start of its content hash."""
    return record.source.sha256[:12]


def _themes(wb: Workbook, records: list[AuditReturn]) -> None:
    """One row per (return, theme) found, and one per return with none, with columns for a reviewer to check the
    machine's coding (read back by `maap codebook agreement`)."""
    rows = []
    for r in records:
        found = [t for t in r.themes if t.mentions]
        for t in found:
            polarities = [e.polarity for e in t.evidence]
            rows.append([return_id(r), case_of(r), agency_of(r), t.id, t.label, t.mentions,
                         polarities.count("strength"), polarities.count("concern"), len(t.negated),
                         t.evidence[0].sentence if t.evidence else "", _found_by(t), "", "", "", r.source.file])
        if not found:
            rows.append([return_id(r), case_of(r), agency_of(r), "", "(no themes found)", 0, 0, 0, 0, "", "",
                         "", "", "", r.source.file])
    header = ["Return", "Case", "Agency", "Theme ID", "Theme", "Mentions", "Strengths", "Concerns", "Negated",
              "First evidence", "Found by", *REVIEW_COLUMNS, "File"]
    ws = _sheet(wb, "Themes", header, [13, 20, 22, 22, 26, 9, 9, 9, 8, 70, 13, 12, 26, 30, 30], rows)
    agrees = get_column_letter(header.index(REVIEW_COLUMNS[0]) + 1)
    validation = DataValidation(type="list", formula1='"Y,N"', allow_blank=True,
                                error="Write Y if the theme is right for this return, N if not.")
    ws.add_data_validation(validation)
    validation.add(f"{agrees}2:{agrees}{max(2, len(rows) + 1)}")


def _found_by(tag) -> str:
    """Who found a theme: the codebook's patterns, the trained model (pipeline.themes.model), or both."""
    sources = {e.source for e in tag.evidence}
    return "rules + model" if len(sources) > 1 else next(iter(sources), "")


def _by_case(wb: Workbook, records: list[AuditReturn]) -> None:
    """One row per case and question, one column per agency: what each agency said about the same child."""
    agencies = sorted({agency_of(r) for r in records})
    rows = []
    for case in sorted({case_of(r) for r in records}):
        mine = [r for r in records if case_of(r) == case]
        questions: dict[str, tuple[str, str]] = {}
        for r in mine:
            for a in r.answers:
                questions.setdefault(a.id, (a.section, a.question))
        for qid, (section, question) in questions.items():
            by_agency = {agency_of(r): next((a.answer or f"[{a.status.value}]" for a in r.answers if a.id == qid), "")
                         for r in mine}
            rows.append([case, section, question, *(by_agency.get(ag, "") for ag in agencies)])
    _sheet(wb, "By case", ["Case", "Section", "Question", *agencies], [20, 18, 40, *([45] * len(agencies))], rows)


def read_sheet(path: Path, sheet: str) -> list[dict]:
    """Rows of one sheet as dicts keyed by the header row (read-only; used to read reviewers' columns back)."""
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = wb[sheet].iter_rows(values_only=True)
        header = [str(h) for h in next(rows)]
        return [dict(zip(header, r)) for r in rows]
    finally:
        wb.close()
