"""Agreement between machine theme tags and a reviewer: Cohen's kappa per theme.

The reviewer works in the workbook's Themes sheet (one row per return and machine-tagged theme, with
"Reviewer agrees? (Y/N)" and "Reviewer adds themes" columns); the workbook module reads those rows and
passes them to ``kappa_from_rows``, so openpyxl stays in one module.

Only returns the reviewer touched (any Y/N or added theme) count. Within them every codebook theme is an
item: tagged by the machine or not, and by the reviewer or not (a machine tag left blank is not compared).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from pipeline.themes.codebook import Codebook


@dataclass(frozen=True)
class ThemeAgreement:
    """Agreement on one theme: the 2x2 counts, observed agreement and kappa (None when undefined)."""

    theme: str
    both: int
    machine_only: int
    reviewer_only: int
    neither: int
    kappa: float | None

    @property
    def n(self) -> int:
        return self.both + self.machine_only + self.reviewer_only + self.neither

    @property
    def observed(self) -> float:
        return (self.both + self.neither) / self.n if self.n else 0.0


def cohen_kappa(both: int, machine_only: int, reviewer_only: int, neither: int) -> float | None:
    """Cohen's kappa for two raters and a yes/no label; None when chance agreement is 1 (no variation)."""
    n = both + machine_only + reviewer_only + neither
    if n == 0:
        return None
    p_o = (both + neither) / n
    m_yes, r_yes = (both + machine_only) / n, (both + reviewer_only) / n
    p_e = m_yes * r_yes + (1 - m_yes) * (1 - r_yes)
    if p_e >= 1:
        return None  # both raters said the same thing every time: kappa is 0/0
    return (p_o - p_e) / (1 - p_e)


def kappa_per_theme(
    machine: dict[tuple[str, str], bool],
    reviewer: dict[tuple[str, str], bool],
    returns: Iterable[str] | None = None,
    themes: Iterable[str] | None = None,
    skip: Iterable[tuple[str, str]] = (),
) -> dict[str, ThemeAgreement]:
    """Cohen's kappa per theme over (return id, theme) items; a missing key means "not tagged".

    ``returns`` defaults to the returns in ``reviewer``; ``themes`` to every theme in either dict;
    ``skip`` lists items the reviewer left blank.
    """
    returns = sorted(set(returns) if returns is not None else {r for r, _ in reviewer})
    themes = list(themes) if themes is not None else sorted({t for _, t in [*machine, *reviewer]})
    skipped = set(skip)
    out = {}
    for theme in themes:
        cells = [0, 0, 0, 0]
        for rid in returns:
            if (rid, theme) in skipped:
                continue
            m, r = machine.get((rid, theme), False), reviewer.get((rid, theme), False)
            cells[0 if m and r else 1 if m else 2 if r else 3] += 1
        out[theme] = ThemeAgreement(theme, *cells, kappa=cohen_kappa(*cells))
    return out


_ALIASES = {
    "return": ("return", "return id", "return_id", "file", "source"),
    "theme": ("theme id", "theme_id", "theme"),
    "mentions": ("mentions",),
    "agrees": ("reviewer agrees", "reviewer agrees? (y/n)", "agrees"),
    "adds": ("reviewer adds themes", "reviewer adds", "adds"),
}
_YES = {"y", "yes", "true", "1", "agree"}
_NO = {"n", "no", "false", "0", "disagree"}


def _column(row: dict, name: str):
    keys = {str(k).strip().lower(): k for k in row}
    for alias in _ALIASES[name]:
        if alias in keys:
            return row[keys[alias]]
    return None


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def kappa_from_rows(rows: list[dict], codebook: Codebook | None = None) -> dict[str, ThemeAgreement]:
    """Kappa per theme from the workbook's reviewed Themes rows (dicts keyed by column header).

    Columns: "Return", "Theme ID", optional "Mentions", "Reviewer agrees? (Y/N)", "Reviewer adds themes"
    (ids or labels, separated by commas or semicolons). With a codebook, added labels are resolved to ids,
    an added child theme also adds its parents, and every codebook theme is scored. Raises ValueError
    naming the row for an answer that is not Y/N or a theme that is not in the codebook.
    """
    by_name = {}
    if codebook is not None:
        for t in codebook.themes:
            by_name[t.id.lower()] = t.id
            by_name[t.label.lower()] = t.id
    machine: dict[tuple[str, str], bool] = {}
    reviewer: dict[tuple[str, str], bool] = {}
    skip: set[tuple[str, str]] = set()
    reviewed: set[str] = set()
    for number, row in enumerate(rows, start=2):  # row 1 is the header in the sheet
        rid, theme = _text(_column(row, "return")), _text(_column(row, "theme"))
        if not rid:
            continue
        mentions = _column(row, "mentions")
        if theme:
            machine[(rid, theme)] = mentions in (None, "") or float(mentions) > 0
        agrees = _text(_column(row, "agrees")).lower()
        if agrees in _YES and theme:
            reviewer[(rid, theme)] = True
            reviewed.add(rid)
        elif agrees in _NO and theme:
            reviewer.setdefault((rid, theme), False)
            reviewed.add(rid)
        elif agrees:
            raise ValueError(f"row {number}: 'Reviewer agrees?' is {agrees!r}; write Y or N, or leave it blank")
        elif theme:
            skip.add((rid, theme))
        for name in filter(None, (s.strip() for s in re.split(r"[,;\n]", _text(_column(row, "adds"))))):
            reviewed.add(rid)
            tid = name
            if codebook is not None:
                tid = by_name.get(name.lower())
                if tid is None:
                    raise ValueError(f"row {number}: reviewer added {name!r}, which is not a theme id or label in the codebook")
            for t in [tid, *(codebook.ancestors(tid) if codebook is not None else [])]:
                reviewer[(rid, t)] = True
                skip.discard((rid, t))
    themes = codebook.ids() if codebook is not None else None
    return kappa_per_theme(machine, reviewer, returns=reviewed, themes=themes, skip=skip)
