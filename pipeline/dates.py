"""Dates in answer text: one parser with one explicit, day-first (British) policy.

Policy, in full (docs/flags.md repeats it for analysts):

- Numbers are day first: ``12/03/2024`` and ``12.3.24`` are 12 March 2024; ``2024-03-12`` (year first) is read
  as ISO. A two-digit year ``yy`` is 20yy unless that is more than ten years after the reference date, then 19yy.
- Month names may be full or short (``Sept``, ``Mar``); ``May`` counts only when capitalised, because "may" is
  far more often the verb. Ordinals (``3rd``), a weekday (``Monday 10th June``), ``of`` and ``w/c`` are allowed.
- ``Mar-24`` / ``Mar '24`` / ``March 2024`` / ``Sept 2023`` are month precision; ``in 2023`` or ``2023/24`` is
  year precision; ``in March`` (month after a preposition, no year) is month precision.
- A date without a year (``10/6``, ``31st Jan``, ``w/c 4th March``) takes the most recent year that puts it on
  or before the reference date (default: today), so a date in an audit is never inferred into the future.
- Impossible dates (``31/02/2024``, ``0/13/24``) come back with ``valid=False`` and ``value=None``.
- Not dates: durations (``14 months``), ages and counts, times (``10:30``), phone-like digit runs, section
  numbers (``section 47``, ``S17``, ``para 4.2.10``), scores (``scored 8/10``) and ``24/7``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from typing import Literal

Precision = Literal["day", "month", "year"]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
# "May" only capitalised; the rest in any case (the whole pattern is compiled case-insensitive).
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|(?-i:May|MAY)|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])"
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR2or4 = r"(?:\d{4}|'?\d{2})(?![\d:])"

_PATTERNS = [
    # 2024-03-12, 2024/03/12
    ("iso", r"(?<![\d/.-])(?P<iso_y>\d{4})[-/](?P<iso_m>\d{1,2})[-/](?P<iso_d>\d{1,2})(?![\d/])"),
    # 12/03/2024, 12.3.24, 12-03-24
    ("dmy", r"(?<![\d/.:-])(?P<dmy_d>\d{1,2})(?P<sep>[/.\-])(?P<dmy_m>\d{1,2})(?P=sep)(?P<dmy_y>\d{4}|\d{2})(?![\d/]|\.\d)"),
    # [w/c] [Monday] 3rd [of] March [2024], 12-Mar-24
    ("dmony", rf"(?P<dmony_wc>w/c\s*|week commencing\s+)?(?:{_WEEKDAY})?(?P<dmony_d>\d{{1,2}}){_ORD}(?:\s+of)?[\s\-]*"
              rf"(?P<dmony_m>{_MONTH})(?:[\s\-,]+(?P<dmony_y>{_YEAR2or4}))?"),
    # March 3rd, 2024 / June 10
    ("mondy", rf"(?:{_WEEKDAY})?(?P<mondy_m>{_MONTH})\s+(?P<mondy_d>\d{{1,2}}){_ORD}(?![\d:/])(?:,?\s+(?P<mondy_y>\d{{4}})(?!\d))?"),
    # March 2024, Sept 2023, Mar-24, Mar '24
    ("mony", rf"(?P<mony_m>{_MONTH})(?:(?:,?\s+|\s*[-/]\s?)(?P<mony_y4>\d{{4}})|\s*[-/']\s?(?P<mony_y2>\d{{2}}))(?![\d:])"),
    # 10/6 (day/month, no year); only with a slash, since 10.6 and 10-6 are decimals and ranges
    ("dm", r"(?<![\d/.:£$-])(?P<dm_d>\d{1,2})/(?P<dm_m>\d{1,2})(?![\d/]|\.\d)"),
    # in March, since early June: a bare month only after a word that makes it a time
    ("mon", rf"(?<![\w-])(?P<mon_m>{_MONTH})"),
    # 2023, 2023/24 (academic year)
    ("year", r"(?<![\d£$.,/:\-])(?P<year_y>(?:19[5-9]\d|20\d\d))(?:/\d{2}(?!\d))?(?!\d|%|[.,]\d)"),
]
_DATE_RE = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in _PATTERNS), re.IGNORECASE)

# Numbers after these words are references, not dates (section 4.2.10, para 3/4, v1.2.24).
_REFERENCE_BEFORE = re.compile(r"(?:\b(?:section|sect|s|para|paragraph|version|v|ref|no|number|item|page|pp?|tel|phone|mob)\.?\s*)$", re.I)
_SCORE_BEFORE = re.compile(r"\b(?:score[sd]?|rated|rating|scale|marks?|scoring|out of|of)\s*(?:of|at|as)?\s*$", re.I)
# A bare month counts only after a word that makes it a time ("in March"); "Jan attended" is a name.
_MONTH_CUE_BEFORE = re.compile(
    r"\b(?:in|since|during|from|until|till|by|early|mid|late|end of|start of|beginning of|before|after|of|last|this)\s+$", re.I
)
_UNIT_AFTER = re.compile(r"^\s*(?:hours?|hrs?|days?|miles?|weeks?|months?|years?|times|ratio)\b", re.I)


@dataclass(frozen=True)
class FoundDate:
    """A date found in text: where it is, what it means, and whether it can exist."""

    text: str
    start: int
    end: int
    value: date | None
    precision: Precision
    valid: bool

    @property
    def iso(self) -> str | None:
        """ISO text to its precision (``2024-03-12``, ``2024-03`` or ``2024``), or None when impossible."""
        if self.value is None:
            return None
        return {"day": self.value.isoformat(), "month": self.value.isoformat()[:7], "year": str(self.value.year)}[
            self.precision
        ]

    @property
    def first_day(self) -> date | None:
        """The earliest day the date can mean (1 March for ``March 2024``)."""
        return self.value

    @property
    def last_day(self) -> date | None:
        """The latest day the date can mean (31 March for ``March 2024``)."""
        if self.value is None:
            return None
        if self.precision == "year":
            return date(self.value.year, 12, 31)
        if self.precision == "month":
            return date(self.value.year, self.value.month, calendar.monthrange(self.value.year, self.value.month)[1])
        return self.value


def _month(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")[:3]]


def _year(text: str, reference: date) -> int:
    digits = text.lstrip("'")
    if len(digits) == 4:
        return int(digits)
    yy = int(digits)
    # Two-digit years: this century unless that lands more than ten years after the reference.
    return 2000 + yy if 2000 + yy <= reference.year + 10 else 1900 + yy


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _yearless(m: int, d: int, reference: date) -> tuple[date | None, bool]:
    """Most recent day/month on or before the reference; 29 Feb looks back to the last leap year."""
    if not 1 <= m <= 12 or not 1 <= d <= 31 or d > (29 if m == 2 else calendar.monthrange(2001, m)[1]):
        return None, False
    for y in range(reference.year, reference.year - 9, -1):
        value = _make(y, m, d)
        if value is not None and value <= reference:
            return value, True
    return None, False  # unreachable for a possible day/month


def _interpret(m: re.Match, reference: date) -> tuple[date | None, Precision, bool] | None:
    """The meaning of one match, or None when the match is a reference/score rather than a date."""
    kind = m.lastgroup
    g = m.groupdict()
    before = m.string[max(0, m.start() - 14) : m.start()]
    after = m.string[m.end() : m.end() + 12]
    if kind in ("dmy", "dm", "iso") and _REFERENCE_BEFORE.search(before):
        return None
    if kind == "dm":
        if _SCORE_BEFORE.search(before) or _UNIT_AFTER.match(after) or m.group(0) == "24/7":
            return None
        value, ok = _yearless(int(g["dm_m"]), int(g["dm_d"]), reference)
        return value, "day", ok
    if kind == "iso":
        value = _make(int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"]))
        return value, "day", value is not None
    if kind == "dmy":
        value = _make(_year(g["dmy_y"], reference), int(g["dmy_m"]), int(g["dmy_d"]))
        return value, "day", value is not None
    if kind in ("dmony", "mondy"):
        d, mon, y = int(g[f"{kind}_d"]), _month(g[f"{kind}_m"]), g[f"{kind}_y"]
        if y is None:
            value, ok = _yearless(mon, d, reference)
            return value, "day", ok
        value = _make(_year(y, reference), mon, d)
        return value, "day", value is not None
    if kind == "mony":
        y = g["mony_y4"] or g["mony_y2"]
        return date(_year(y, reference), _month(g["mony_m"]), 1), "month", True
    if kind == "mon":
        if not _MONTH_CUE_BEFORE.search(before):
            return None
        mon = _month(g["mon_m"])
        y = reference.year if mon <= reference.month else reference.year - 1
        return date(y, mon, 1), "month", True
    if kind == "year":
        if _UNIT_AFTER.match(after):
            return None
        return date(int(g["year_y"]), 1, 1), "year", True
    return None


def find_dates(text: str, reference: date | None = None) -> list[FoundDate]:
    """Every date written in ``text``, in order; yearless dates resolve to on-or-before ``reference`` (default today)."""
    return list(_find_dates(text, reference or date.today()))


@lru_cache(maxsize=4096)
def _find_dates(text: str, reference: date) -> tuple[FoundDate, ...]:
    # Validation rules ask about the same answer several times; the answer is parsed once.
    found: list[FoundDate] = []
    for m in _DATE_RE.finditer(text):
        meaning = _interpret(m, reference)
        if meaning is None:
            continue
        value, precision, valid = meaning
        found.append(FoundDate(m.group(0), m.start(), m.end(), value if valid else None, precision, valid))
    return tuple(found)


def parse_date(text: str, reference: date | None = None) -> FoundDate | None:
    """The date that makes up the whole of ``text`` (e.g. a header's "Date of audit"), or None if it is not one."""
    stripped = text.strip().rstrip(".")
    found = find_dates(stripped, reference)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(stripped):
        return found[0]
    return None
