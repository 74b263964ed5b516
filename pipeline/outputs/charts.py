"""Geometry for the report's inline SVG charts, as plain numbers: the template draws them, so nothing unescaped
ever reaches the page."""

from __future__ import annotations

from collections import Counter

GRADE_ORDER = ("outstanding", "good", "requires_improvement", "inadequate", "none_marked", "multiple_marked")
GRADE_NAMES = {"outstanding": "Outstanding", "good": "Good", "requires_improvement": "Requires improvement",
               "inadequate": "Inadequate", "none_marked": "No grade marked", "multiple_marked": "More than one marked"}
GRADE_COLOURS = {"outstanding": "#1b6e3a", "good": "#5a9e4b", "requires_improvement": "#e0a526",
                 "inadequate": "#b42318", "none_marked": "#9aa0a6", "multiple_marked": "#c7cbd1"}
LABEL_WIDTH = 230
BAR_WIDTH = 420
ROW_HEIGHT = 30


def stacked_bars(rows: list[tuple[str, Counter]]) -> dict:
    """One stacked bar per (label, grade counts), each as wide as the chart (shares, not counts), with a legend.

    Returns {"width", "height", "rows": [{label, y, total, segments: [{x, width, colour, name, n}]}], "legend"}."""
    out_rows = []
    used: set[str] = set()
    for i, (label, counts) in enumerate(rows):
        total = sum(counts.get(g, 0) for g in GRADE_ORDER)
        x = float(LABEL_WIDTH)
        segments = []
        for g in GRADE_ORDER:
            n = counts.get(g, 0)
            if not n or not total:
                continue
            width = round(BAR_WIDTH * n / total, 1)
            segments.append({"x": round(x, 1), "width": width, "colour": GRADE_COLOURS[g], "name": GRADE_NAMES[g],
                             "n": n, "text_x": round(x + width / 2, 1), "show_n": width >= 18})
            used.add(g)
            x += width
        out_rows.append({"label": label if len(label) <= 30 else label[:28] + "…", "full_label": label,
                         "y": i * ROW_HEIGHT + 4, "text_y": i * ROW_HEIGHT + 21, "total": total, "segments": segments})
    width = LABEL_WIDTH + BAR_WIDTH + 50
    legend = []
    lx, ly = 0, len(rows) * ROW_HEIGHT + 14
    for g in GRADE_ORDER:
        if g in used:
            item = 16 + 8 * len(GRADE_NAMES[g]) + 16
            if lx and lx + item > width:
                lx, ly = 0, ly + 20  # wrap the legend rather than run off the chart
            legend.append({"x": lx, "y": ly, "text_y": ly + 10, "colour": GRADE_COLOURS[g], "name": GRADE_NAMES[g],
                           "text_x": lx + 16})
            lx += item
    return {"width": width, "height": ly + 24, "rows": out_rows, "legend": legend,
            "total_x": LABEL_WIDTH + BAR_WIDTH + 8}
