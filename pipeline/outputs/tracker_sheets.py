"""The workbook's Tracker and Chase sheets: who has returned for each case, and what each agency still owes.

Takes the openpyxl Workbook ``workbook.build_workbook`` is writing and plain data (the tracker's cells and chase
items, built by pipeline.cases.tracker); imports only openpyxl's styles (the workbook module opens and saves).
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_HEAD_FONT = Font(bold=True, color="FFFFFF")
_STATUS_FILL = {"received": PatternFill("solid", fgColor="E2EFDA"), "overdue": PatternFill("solid", fgColor="F8CBAD"),
                "quarantined": PatternFill("solid", fgColor="FFF2CC"), "superseded": PatternFill("solid", fgColor="EDEDED")}


def _write(wb, title: str, headers: list[str], widths: list[int], rows: list[list], status_col: int | None = None):
    ws = wb.create_sheet(title)
    wrap = Alignment(wrap_text=True, vertical="top")
    for c, (h, w) in enumerate(zip(headers, widths), start=1):
        cell = ws.cell(row=1, column=c, value=h)
        cell.fill, cell.font = _HEAD_FILL, _HEAD_FONT
        ws.column_dimensions[get_column_letter(c)].width = w
    for r, values in enumerate(rows, start=2):
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str):
                cell.data_type = "s"  # never a formula
            elif v is not None and hasattr(v, "isoformat"):
                cell.number_format = "DD/MM/YYYY"
            cell.alignment = wrap
        if status_col is not None and (fill := _STATUS_FILL.get(values[status_col - 1])):
            ws.cell(row=r, column=status_col).fill = fill
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(2, len(rows) + 1)}"
    return ws


def add_tracker_sheets(wb, tracker) -> None:
    """Add the Tracker (case x agency) and Chase (by agency) sheets; ``tracker`` is (cells, chase items) from
    ``pipeline.cases.tracker.build_tracker`` and ``chase_list``, or None to add nothing."""
    if tracker is None:
        return
    cells, chase = tracker
    _write(wb, "Tracker",
           ["Case", "Child", "Round", "Agency type", "Expected", "Status", "Received", "Due", "Agency as written",
            "Versions", "Files", "Note", "Contact"],
           [12, 22, 20, 20, 9, 12, 11, 11, 30, 9, 36, 50, 28],
           [[c.case_id, c.child, c.round, c.agency_label, "yes" if c.expected else "no", c.status, c.received, c.due,
             "; ".join(c.written_as), c.versions, "; ".join(c.files),
             ("uncertain match: " if c.uncertain else "") + c.reason, c.contact] for c in cells], status_col=6)
    _write(wb, "Chase", ["Agency", "Contact", "Case", "Child", "Round", "Status", "Due", "What to ask for"],
           [24, 28, 12, 22, 20, 12, 11, 70],
           [[i.agency_label, i.contact, i.case_id, i.child, i.round, i.status, i.due, i.action]
            for i in chase], status_col=6)
