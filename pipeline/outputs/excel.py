"""Excel as analysts expect it: typed cells, Tables, drop-downs, colour scales, print setup, and reading back.

The workbook modules' only door to openpyxl (with pipeline.outputs.summary_sheet for charts).
"""

from __future__ import annotations

import re
import zipfile
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from pipeline.outputs.reviews import REVIEW_FIELDS, ROW_ID, clean_fields, theme_row_id

DATE_FORMAT = "dd/mm/yyyy"
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
_REVIEW_FILL = PatternFill("solid", fgColor="FFF9E5")  # reviewers' columns, so they stand out as theirs
_STAMPS: dict[tuple, object] = {}  # (workbook, kind, date?, fill) -> a cell style of that workbook, to copy


@dataclass(frozen=True)
class Col:
    """A column: header, width, and how cells are shown ("wrap" text, "text" on one line, "date", "number")."""

    header: str
    width: int
    kind: str = "wrap"
    review: bool = False


def put(ws, row: int, col: int, value, kind: str = "wrap", fill: PatternFill | None = None):
    """Write one cell: strings are always text (never formulas), dates are real dates shown dd/mm/yyyy."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    shown = "datetime" if isinstance(value, datetime) else "date" if isinstance(value, date) else ""
    key = (id(ws.parent), kind, shown, fill.fgColor.rgb if fill is not None else None)
    stamp = _STAMPS.get(key)
    if stamp is not None:
        cell._style = copy(stamp)  # openpyxl's own fast path: setting styles one by one hashes them every time
        return cell
    if shown:
        cell.number_format = DATE_FORMAT if shown == "date" else "dd/mm/yyyy hh:mm"
    if kind == "wrap":
        cell.alignment = _WRAP
    elif kind != "plain":
        cell.alignment = _TOP
    if fill is not None:
        cell.fill = fill
    _STAMPS[key] = copy(cell._style)
    return cell


def as_date(iso: str | None) -> date | str | None:
    """An ISO date as a date; anything else unchanged (so nothing a form said is dropped)."""
    if not iso:
        return None
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return iso


def table_name(title: str) -> str:
    return re.sub(r"\W", "", title.title()) or "Table"


def data_sheet(wb: Workbook, title: str, cols: list[Col], rows: Iterable[list], empty: str = "(none)"):
    """A sheet holding one Excel Table: banded rows, filters, frozen header, widths, wrapped text, print setup.

    A sheet with no rows gets one row saying ``empty``, since a Table needs a row under its header.
    """
    ws = wb.create_sheet(title)
    for c, col in enumerate(cols, start=1):
        put(ws, 1, c, col.header).font = BOLD
        ws.column_dimensions[get_column_letter(c)].width = col.width
    ws.row_dimensions[1].height = row_height([c.header for c in cols], [Col(c.header, c.width) for c in cols])
    r = 1
    for r, values in enumerate(rows, start=2):
        for c, (col, v) in enumerate(zip(cols, values), start=1):
            put(ws, r, c, v, col.kind, _REVIEW_FILL if col.review else None)
        ws.row_dimensions[r].height = row_height(values, cols)
    if r == 1:
        r = 2
        put(ws, 2, 1, empty)
    add_table(ws, title, 1, 1, r, len(cols))
    ws.freeze_panes = "A2"
    print_setup(ws)
    return ws


def row_height(values: list, cols: list[Col], most: int = 10) -> float:
    """Points for a row whose wrapped text needs this many lines (Excel and LibreOffice do not grow rows they
    did not lay out themselves); at most ``most`` lines, the rest is in the cell."""
    lines = 1
    for col, v in zip(cols, values):
        if isinstance(v, str) and v and col.kind == "wrap":
            per_line = max(4, int(col.width * 1.15))
            lines = max(lines, sum(-(-len(part) // per_line) or 1 for part in v.split("\n")))
    return 15.0 * min(lines, most) + 2


def add_table(ws, title: str, top: int, left: int, bottom: int, right: int) -> None:
    ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
    table = Table(displayName=table_name(title), ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)


def print_setup(ws, title_rows: str | None = "1:1") -> None:
    """Landscape A4, fit to one page wide, the header row repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def column_of(cols: list[Col], header: str) -> str:
    return get_column_letter([c.header for c in cols].index(header) + 1)


def drop_down(ws, cols: list[Col], header: str, choices: list[str], rows: int, message: str) -> None:
    """A list drop-down on one column (blank allowed)."""
    letter = column_of(cols, header)
    validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                error=message, errorStyle="warning")
    ws.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{max(2, rows + 1)}")


def fill_where(ws, cols: list[Col], header: str, fills: dict[str, str]) -> None:
    """Colour the cells of one column by their text."""
    c = [col.header for col in cols].index(header) + 1
    styles = {k: PatternFill("solid", fgColor=v) for k, v in fills.items()}
    for (cell,) in ws.iter_rows(min_row=2, min_col=c, max_col=c):
        if cell.value in styles:
            cell.fill = styles[cell.value]


def mark_cells(ws, cols: list[Col], marks: dict[str, list[str]]) -> None:
    """Colour red the cells named in ``marks`` (row id -> column headers), e.g. a review maap cannot use."""
    if not marks:
        return
    headers = [c.header for c in cols]
    id_col = headers.index(ROW_ID) + 1
    red = PatternFill("solid", fgColor="FFC7CE")
    for (cell,) in ws.iter_rows(min_row=2, min_col=id_col, max_col=id_col):
        for header in marks.get(cell.value, ()):
            ws.cell(row=cell.row, column=headers.index(header) + 1).fill = red


def colour_scale(ws, ref: str) -> None:
    ws.conditional_formatting.add(ref, ColorScaleRule(start_type="min", start_color="FFFFFF",
                                                      end_type="max", end_color="F4B183"))


def new_workbook() -> Workbook:
    _STAMPS.clear()  # style ids belong to one workbook
    wb = Workbook()
    wb.properties.creator = wb.properties.lastModifiedBy = "maap"
    return wb


def save(wb: Workbook, path: Path) -> None:
    wb.save(path)


class UnreadableWorkbook(Exception):
    """The existing workbook cannot be read back (not a workbook, or a reviewed sheet lost its columns)."""


@dataclass
class FoundReviews:
    """Reviewers' cells read from one workbook: row id -> (sheet, fields), who saved it last and when."""

    rows: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    by: str | None = None
    saved: str | None = None
    problems: list[str] = field(default_factory=list)


def read_reviews(path: Path) -> FoundReviews:
    """Read the review columns of Answers, Themes and Flags; raise UnreadableWorkbook if the file cannot be opened.

    A reviewed sheet that is missing, or lost its "Row id" or a review column, is listed in ``problems`` (what
    could be read is still returned). A Themes sheet from before row ids is read by its Return and Theme ID.
    """
    # A workbook is a file people edit by hand: whatever openpyxl trips over is an expected failure, kept as data.
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001
        raise UnreadableWorkbook(f"{path.name} is not a workbook maap can open ({type(e).__name__})") from e
    found = FoundReviews()
    try:
        props = wb.properties
        found.by = props.lastModifiedBy or props.creator
        found.saved = props.modified.isoformat(timespec="seconds") if props.modified else None
        for sheet, fields in REVIEW_FIELDS.items():
            if sheet not in wb.sheetnames:
                found.problems.append(f"the {sheet} sheet is missing")
                continue
            _read_sheet_reviews(wb[sheet], sheet, fields, found)
    except Exception as e:  # noqa: BLE001
        raise UnreadableWorkbook(f"{path.name} could not be read ({type(e).__name__})") from e
    finally:
        wb.close()
    return found


def _read_sheet_reviews(ws, sheet: str, fields: dict[str, str], found: FoundReviews) -> None:
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    where = {h: i for i, h in enumerate(header)}
    legacy = sheet == "Themes" and ROW_ID not in where and {"Return", "Theme ID"} <= set(where)
    if not legacy and not any(h in where for h in [ROW_ID, *fields.values()]):
        return  # a sheet from before review columns: nothing of a reviewer's to read, nothing to lose
    missing = [h for h in [ROW_ID, *fields.values()] if h not in where and not (legacy and h == ROW_ID)]
    if missing:
        found.problems.append(f"the {sheet} sheet has no {', '.join(repr(m) for m in missing)} column")
    for values in rows:
        def cell(h):
            i = where.get(h)
            return values[i] if i is not None and i < len(values) else None
        if legacy:
            rid = cell("Return")
            row = theme_row_id(str(rid).strip(), str(cell("Theme ID") or "").strip()) if rid else None
        else:
            row = str(cell(ROW_ID)).strip() if cell(ROW_ID) else None
        if row:
            found.rows[row] = (sheet, clean_fields(sheet, {k: cell(h) for k, h in fields.items()}))


def read_sheet(path: Path, sheet: str) -> list[dict]:
    """Rows of one sheet as dicts keyed by the header row (KeyError if there is no such sheet)."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, ValueError, TypeError) as e:
        raise UnreadableWorkbook(f"{path.name} is not a workbook maap can open ({type(e).__name__})") from e
    try:
        rows = wb[sheet].iter_rows(values_only=True)
        header = [str(h) for h in next(rows)]
        return [dict(zip(header, r)) for r in rows]
    finally:
        wb.close()
