"""The workbook's Section 11 / 175 sheets: the organisation x standard matrix, and the evidence and actions.

Plain data comes from pipeline.outputs.self_assessment; cells, Tables and print setup from pipeline.outputs.excel
(this module imports only openpyxl's fill style and column letters). Nothing is added when there are no self-assessments.
"""

from __future__ import annotations

from datetime import date

from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from pipeline.outputs import excel
from pipeline.outputs.excel import BOLD, Col, TITLE, add_table, as_date, print_setup, put, row_height
from pipeline.outputs.self_assessment import FILLS, action_rows, organisation_of, period_of, tools

MATRIX_SHEET = "Section 11 & 175"  # Excel sheet names cannot hold '/'
ACTIONS_SHEET = "S11-175 evidence & actions"
_FILLS = {level: PatternFill("solid", fgColor=rgb) for level, rgb in FILLS.items()}
_PROBLEM = {"multiple_marked": "(two ratings)", "none_marked": None}


def matrix_sheet(wb, records: list, templates: dict) -> None:
    """One block per tool: a title line, then a Table of organisation, period and one column per standard, each
    rating in a cell filled green, amber or red by its level."""
    ws = wb.create_sheet(MATRIX_SHEET)
    top = 1
    for tool in tools(records, templates):
        put(ws, top, 1, f"{tool.name}: ratings by organisation", "plain").font = TITLE
        cols = [Col("Organisation", 34), Col("Period", 10, "text"), Col("Date completed", 12, "date"),
                *(Col(title, 16) for _sid, title in tool.standards), Col("Met", 7, "number"),
                Col("Partially met", 9, "number"), Col("Not met", 8, "number"), Col("Return", 14, "text")]
        head = top + 1
        for c, col in enumerate(cols, start=1):
            put(ws, head, c, col.header).font = BOLD
            letter = get_column_letter(c)
            ws.column_dimensions[letter].width = max(col.width, ws.column_dimensions[letter].width or 0)
        ws.row_dimensions[head].height = row_height([c.header for c in cols], cols, most=6)
        r = head
        for r, rec in enumerate(tool.returns, start=head + 1):
            by_id = {s.standard: s for s in rec.self_assessment.standards}
            levels = [by_id[sid].level if sid in by_id else None for sid, _t in tool.standards]
            values = [organisation_of(rec), period_of(rec), as_date(rec.header.date_of_audit)]
            for c, value in enumerate(values, start=1):
                put(ws, r, c, value, cols[c - 1].kind)
            for i, (sid, _t) in enumerate(tool.standards):
                s = by_id.get(sid)
                shown = (s.rating or _PROBLEM.get(s.problem or "")) if s else None
                put(ws, r, 4 + i, shown, "wrap", _FILLS.get(levels[i]))
            n = 4 + len(tool.standards)
            for j, level in enumerate(("met", "partially_met", "not_met")):
                put(ws, r, n + j, levels.count(level), "number")
            put(ws, r, n + 3, rec.source.sha256[:12], "text")
        if r == head:
            r += 1
            put(ws, r, 1, "(none)")
        add_table(ws, f"Ratings {tool.template_id}", head, 1, r, len(cols))
        top = r + 3
    ws.freeze_panes = "B3"
    print_setup(ws, None)


def actions_sheet(wb, records: list, today: date, names: bool = True) -> None:
    """One row per action (or per standard with none): the evidence given, the action, its owner, timescale,
    due date (a real date), status (open, overdue, complete, or 'no action' for a standard below Met) and the
    standard's data-quality flags (a self-assessment's flags are not on the case-audit Flags sheet)."""
    cols = [Col("Tool", 22, "text"), Col("Organisation", 30), Col("Period", 10, "text"), Col("Standard", 30),
            Col("Rating", 12), Col("Evidence", 60), Col("Action", 40), Col("Owner", 20), Col("Timescale", 16),
            Col("Due", 11, "date"), Col("Status", 11, "text"), Col("Flags", 40), Col("Return", 14, "text")]
    found = action_rows(records, today, names)
    rows = [[a["tool"], a["organisation"], a["period"], a["standard"], a["rating"], a["evidence"], a["action"],
             a["owner"], a["timescale"], as_date(a["due"]), a["status"], a["flags"], a["return"]]
            for a in found]
    ws = excel.data_sheet(wb, ACTIONS_SHEET, cols, rows)
    levels = [a["level"] for a in found]
    for r, level in enumerate(levels, start=2):
        if level in _FILLS:
            ws.cell(row=r, column=5).fill = _FILLS[level]


def add_self_assessment_sheets(wb, records: list, templates: dict, today: date | None = None,
                               names: bool = True) -> None:
    """Add both sheets when there are self-assessment returns; ``names=False`` replaces named action owners."""
    if not records:
        return
    matrix_sheet(wb, records, templates)
    actions_sheet(wb, records, today or date.today(), names)
