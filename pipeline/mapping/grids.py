"""Section x sub-question grids: a table with the sub-questions across the top and a section title per row.

Every section of such a template asks the same questions ('Key areas of good practice', 'Areas for
development'...), so a cell's question is named by its column heading and its section by its row's first
cell; label matching alone would give every heading to one section.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from models.template import Template
from pipeline.mapping.labels import Field, label_text
from pipeline.mapping.layout import Unit
from pipeline.text import normalise

_MATCH = 85


def _best(text: str, choices: dict[str, str]) -> str | None:
    """The choice (normalised text -> value) ``text`` reads as, or None."""
    norm = normalise(label_text(text))
    if not norm or len(norm) > 150:
        return None
    score, value = max(((fuzz.ratio(norm, c), v) for c, v in choices.items()), default=(0, None))
    return value if score >= _MATCH else None


def read_grids(units: list[Unit], template: Template, fields: list[Field]) -> tuple[set[int], dict[str, Unit]]:
    """The cells of section x sub-question grids: (units the grids take, question key -> its answer cell).

    A grid is a table row of two or more headings that each name a wording several sections share, and
    under it rows whose first cell names a section: the cell under a heading answers that section's question.
    """
    shared: dict[str, list[Field]] = {}
    for f in fields:
        if f.section is not None:
            shared.setdefault(normalise(f.wordings[0]), []).append(f)
    shared = {w: fs for w, fs in shared.items() if len({f.section for f in fs}) >= 2}
    if not shared:
        return set(), {}
    wordings = {normalise(w): canonical for canonical, fs in shared.items() for w in fs[0].wordings}
    titles = {normalise(label_text(s.title)): s.title for s in template.sections}
    by_section = {(f.section, w): f.key for w, fs in shared.items() for f in fs}
    rows: dict[tuple[int, int], list[Unit]] = {}
    for u in units:
        if u.in_table:
            rows.setdefault((u.table, u.row), []).append(u)
    taken: set[int] = set()
    answers: dict[str, Unit] = {}
    columns: dict[int, str] = {}  # col -> the shared wording of its heading, in the table being read
    table = None
    for (t, _r), cells in sorted(rows.items()):
        if t != table:
            table, columns = t, {}
        cells = sorted(cells, key=lambda c: c.col or 0)
        heads = {c.col: w for c in cells[1:] if (w := _best(c.text, wordings))}
        if len(heads) >= 2:
            columns = heads
            taken |= {c.index for c in cells if c.col in heads or not c.text.strip() or c is cells[0]}
            continue
        if not columns:
            continue
        section = _best(cells[0].text, titles)
        if section is None:
            continue
        placed = {c.col: key for c in cells[1:] if c.col in columns
                  and (key := by_section.get((section, columns[c.col]))) and key not in answers}
        if not placed:
            continue
        taken.add(cells[0].index)
        for c in cells[1:]:
            if c.col in placed:
                answers[placed[c.col]] = c
                taken.add(c.index)
    return taken, answers
