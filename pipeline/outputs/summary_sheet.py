"""The Summary sheet: headline counts (from the corrected records) and native Excel charts beside them."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from openpyxl.chart import BarChart, Reference

from pipeline.outputs import excel
from pipeline.outputs.reviews import unusable
from pipeline.outputs.sheets import Book, words

TOP_THEMES = 10


def summary_sheet(wb, book: Book, case_of, agency_of, grade_labels: dict[str, str]) -> None:
    """Counts in columns A-B, three small tables in D-F with a chart each to their right."""
    ws = wb.active
    ws.title = "Summary"
    records = book.corrected
    outcomes = Counter(s["outcome"] for s in book.statuses)
    corrections = sum(1 for r in book.reviews.values() if r.sheet == "Answers" and
                      ({"corrected_answer", "corrected_status"} & set(r.fields)))
    lines: list[tuple] = [
        ("Built", datetime.now().replace(second=0, microsecond=0)),
        ("Returns read", len(records)),
        ("Cases (children)", len({case_of(r) for r in records})),
        ("Agencies", len({agency_of(r) for r in records})),
        ("Files quarantined", outcomes.get("quarantined", 0)),
        ("Duplicates ignored", outcomes.get("duplicate", 0)),
        ("Superseded by a later version", outcomes.get("superseded", 0)),
        ("Rows reviewed", len(book.reviews)),
        ("Answers corrected by a reviewer", corrections),
        ("Answers queried with the agency", sum(1 for r in book.reviews.values()
                                                if r.fields.get("review", "").lower() == "query agency")),
        ("Review cells maap could not use", sum(len(unusable(r)) for r in book.reviews.values())),
        ("Reviews on an earlier version", len(book.earlier)),
        ("Questions unanswered", sum(a.status.value == "unanswered" for r in records for a in r.answers)),
        ("Flags (after dismissals)", sum(len(r.flags) for r in records)),
    ]
    excel.put(ws, 1, 1, "Multi-agency audit workbook", "plain").font = excel.TITLE
    for i, (label, value) in enumerate(lines, start=3):
        excel.put(ws, i, 1, label, "plain")
        excel.put(ws, i, 2, value, "plain").alignment = excel.Alignment(horizontal="left")
    row = len(lines) + 4
    excel.put(ws, row, 1, "Flag", "plain").font = excel.BOLD
    excel.put(ws, row, 2, "Count", "plain").font = excel.BOLD
    flags = Counter(words(f.code.value) for r in records for f in r.flags)
    for i, (label, n) in enumerate(flags.most_common(), start=row + 1):
        excel.put(ws, i, 1, label, "plain")
        excel.put(ws, i, 2, n, "plain")
    grades = Counter(r.grade.value for r in records if r.grade.value)
    grade_rows = [[label, grades.get(g, 0)] for g, label in grade_labels.items()]
    grade_rows.append(["No single grade marked", sum(1 for r in records if r.grade.problem)])
    agencies = Counter(agency_of(r) for r in records)
    agency_rows = [[a, n] for a, n in sorted(agencies.items())]
    top = _top_themes(records)
    at = 1
    at = _block(ws, at, ["Overall grade", "Returns"], grade_rows, "Overall grades", "Returns")
    at = _block(ws, at, ["Agency", "Returns"], agency_rows, "Returns by agency", "Returns")
    _block(ws, at, ["Theme", "Strengths", "Concerns"], top, f"Top {TOP_THEMES} themes: strength or concern",
           "Evidence sentences", stacked=True)
    for letter, width in zip("ABCDEF", (36, 18, 2, 30, 12, 12)):
        ws.column_dimensions[letter].width = width
    excel.print_setup(ws, title_rows=None)


def _top_themes(records) -> list[list]:
    returns, strength, concern, labels = Counter(), Counter(), Counter(), {}
    for r in records:
        for t in r.themes:
            if t.mentions:
                returns[t.id] += 1
                labels[t.id] = t.label
                polarities = [e.polarity for e in t.evidence]
                strength[t.id] += polarities.count("strength")
                concern[t.id] += polarities.count("concern")
    return [[labels[t], strength[t], concern[t]] for t, _ in returns.most_common(TOP_THEMES)]


def _block(ws, top: int, header: list[str], rows: list[list], title: str, axis: str, stacked: bool = False) -> int:
    """A small table at column D from row ``top`` and a bar chart of it at column H; returns the next free row."""
    for c, h in enumerate(header, start=4):
        excel.put(ws, top, c, h, "plain").font = excel.BOLD
    for r, values in enumerate(rows, start=top + 1):
        for c, v in enumerate(values, start=4):
            excel.put(ws, r, c, v, "plain")
    chart_cm = max(7.5, 3.5 + 0.6 * len(rows))
    height = max(len(rows) + 2, int(chart_cm / 0.53) + 2)  # rows of 15 points are about 0.53 cm
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title, chart.y_axis.title = title, axis
        chart.height, chart.width = chart_cm, 18
        data = Reference(ws, min_col=5, max_col=3 + len(header), min_row=top, max_row=top + len(rows))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=4, min_row=top + 1, max_row=top + len(rows)))
        chart.x_axis.scaling.orientation = "maxMin"  # first row at the top, as in the table
        if stacked:
            chart.grouping, chart.overlap = "stacked", 100
        else:
            chart.legend = None
        ws.add_chart(chart, f"H{top}")
    return top + height
