"""Audit rounds: which quarterly audit each return belongs to, and the earlier round on the same theme.

A round comes from the case register (its ``round`` column) or, without one, from the return's header: its
theme, and its date of audit (returns on one theme within 90 days of each other are one round).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from models.errors import ConfigError
from models.record import AuditReturn
from pipeline.text import normalise

ROUND_GAP_DAYS = 90
# Words that say when or how often, not what: "2022-2023 Qtr4 MAA: Neglect one year on" is about neglect.
_NOT_THEME = re.compile(
    r"\b(?:one year on|a year on|revisit(?:ed)?|follow[- ]?up|re-?audit|repeat(?:ed)?|multi[- ]agency|maa|audit|"
    r"case file|thematic|theme|q(?:tr|uarter)?\s?[1-4]|(?:19|20)\d\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*)\b")


@dataclass(frozen=True)
class Round:
    """One audit round: ``id`` is what ``--round`` takes ("neglect-2024-q2"); ``theme`` as written."""

    id: str
    label: str
    theme: str
    start: date | None = None
    end: date | None = None


def slug(text: str) -> str:
    """A round or case id safe in file names: "2024 Q2 Neglect" -> "2024-q2-neglect"."""
    return re.sub(r"[^a-z0-9]+", "-", normalise(text)).strip("-") or "round"


def theme_key(theme: str | None) -> str:
    """What a theme is about, without dates, quarters and 'one year on' ("Neglect one year on" -> "neglect")."""
    text = _NOT_THEME.sub(" ", normalise(theme or "").replace("&", " and "))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def same_theme(a: str | None, b: str | None) -> bool:
    """Whether two themes are the same subject ("Neglect" and "Neglect one year on" are)."""
    ka, kb = theme_key(a), theme_key(b)
    return bool(ka and kb) and (ka == kb or fuzz.token_set_ratio(ka, kb) >= 90)


def _iso(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _label(theme: str, start: date | None) -> tuple[str, str]:
    when = f"{start.year} Q{(start.month - 1) // 3 + 1}" if start else "undated"
    name = theme or "No theme given"
    return slug(f"{theme_key(theme) or 'no-theme'} {when}"), f"{name}, {when}"


def derive_rounds(records: list[AuditReturn]) -> dict[str, Round]:
    """Each return's round from its header alone (keyed by sha256): theme, then audit dates 90 days apart or
    less; an undated return joins its theme's latest round, and one with no theme the round its date falls in."""
    by_theme: dict[str, list[AuditReturn]] = {}
    for r in records:  # themes written differently but on the same subject are one ("Neglect", "neglect (Q2)")
        key = theme_key(r.header.theme)
        key = next((k for k in by_theme if k and key and same_theme(k, key)), key)
        by_theme.setdefault(key, []).append(r)
    themed = {k: v for k, v in by_theme.items() if k}
    out = _rounds(themed)
    # A tool with no theme written joins the one round its audit date falls in (or the only round there is).
    unthemed = []
    for r in by_theme.get("", []):
        when = _iso(r.header.date_of_audit)
        rounds = list({x.id: x for x in out.values()}.values())
        fits = [x for x in rounds if when and x.start and x.end and
                (x.start - when).days <= ROUND_GAP_DAYS and (when - x.end).days <= ROUND_GAP_DAYS]
        if len(fits) == 1 or (len(rounds) == 1 and not when):
            out[r.source.sha256] = (fits or rounds)[0]
        else:
            unthemed.append(r)
    out.update(_rounds({"": unthemed} if unthemed else {}))
    return out


def _rounds(by_theme: dict[str, list[AuditReturn]]) -> dict[str, Round]:
    out: dict[str, Round] = {}
    for members in by_theme.values():
        dated = sorted((d, i) for i, r in enumerate(members) if (d := _iso(r.header.date_of_audit)))
        groups: list[list[int]] = []
        last: date | None = None
        for d, i in dated:
            if last is None or (d - last).days > ROUND_GAP_DAYS:
                groups.append([])
            groups[-1].append(i)
            last = d
        undated = [i for i, r in enumerate(members) if not _iso(r.header.date_of_audit)]
        if groups:
            groups[-1].extend(undated)
        elif undated:
            groups.append(undated)
        for group in groups:
            rs = [members[i] for i in group]
            theme = Counter(r.header.theme for r in rs if r.header.theme).most_common(1)
            dates = [d for r in rs if (d := _iso(r.header.date_of_audit))]
            start, end = (min(dates), max(dates)) if dates else (None, None)
            rid, label = _label(theme[0][0] if theme else "", start)
            for r in rs:
                out[r.source.sha256] = Round(rid, label, theme[0][0] if theme else "", start, end)
    return out


def register_round(text: str, records: list[AuditReturn], due: list[date]) -> Round:
    """A round named in cases.csv: its theme from its returns' headers (else the name itself), its dates from
    their audit dates (else the due dates)."""
    themes = Counter(r.header.theme for r in records if r.header.theme).most_common(1)
    dates = [d for r in records if (d := _iso(r.header.date_of_audit))] or list(due)
    return Round(slug(text), text, themes[0][0] if themes else text, min(dates) if dates else None,
                 max(dates) if dates else None)


def earlier_round(current: Round, rounds: list[Round]) -> Round | None:
    """The latest round before ``current`` on the same theme ("Neglect" for "Neglect one year on"), or None."""
    if current.start is None:
        return None
    # rounds: e.g. pipeline.cases.select.all_rounds(...)
    before = [r for r in {r.id: r for r in rounds}.values()
              if r.id != current.id and r.start and r.start < current.start and same_theme(r.theme, current.theme)]
    return max(before, key=lambda r: r.start, default=None)


def find_round(wanted: str, rounds: list[Round]) -> Round:
    """The round ``--round`` names, by id or label (any case); a one-line ConfigError lists the rounds there are."""
    unique = {r.id: r for r in rounds}
    for r in unique.values():
        if wanted.strip().lower() in (r.id, r.label.lower()) or slug(wanted) == r.id:
            return r
    known = ", ".join(sorted(unique)) or "none yet"
    raise ConfigError(f"no audit round '{wanted}' in this workspace (rounds: {known})")
