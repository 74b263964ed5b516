"""Each return's audit round, and the returns (and tracker cells) of one round, for `--round`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from models.record import AuditReturn
from pipeline.cases.linking import CaseLink
from pipeline.cases.register import CaseRow
from pipeline.cases.rounds import Round, derive_rounds, find_round, register_round


def rounds_of(records: list[AuditReturn], links: dict[str, CaseLink],
              register: list[CaseRow] | None = None) -> dict[str, Round]:
    """Each return's round (keyed by sha256): its case's round in cases.csv when it has one, else the round its
    header's theme and date of audit give."""
    derived = derive_rounds(records)
    rows = {row.case: row for row in register or []}
    named: dict[str, list[AuditReturn]] = defaultdict(list)
    for r in records:
        row = rows.get(links[r.source.sha256].case_id) if r.source.sha256 in links else None
        if row and row.round:
            named[row.round].append(r)
    out = dict(derived)
    for text, members in named.items():
        due = [row.due for row in rows.values() if row.round == text and row.due]
        found = register_round(text, members, due)
        for r in members:
            out[r.source.sha256] = found
    return out


def all_rounds(rounds: dict[str, Round], register: list[CaseRow] | None = None) -> list[Round]:
    """Every round there is, oldest first: those of the returns, and those cases.csv names with no returns yet."""
    unique = {r.id: r for r in rounds.values()}
    for row in register or []:
        if row.round:
            found = register_round(row.round, [], [row.due] if row.due else [])
            unique.setdefault(found.id, found)
    return sorted(unique.values(), key=lambda r: (r.start is None, r.start or date.min, r.id))


def select_round(wanted: str, records: list[AuditReturn], links: dict[str, CaseLink],
                 register: list[CaseRow] | None = None) -> tuple[Round, list[AuditReturn]]:
    """The round ``wanted`` names (id or label) and its returns; a one-line ConfigError when there is no such
    round."""
    rounds = rounds_of(records, links, register)
    chosen = find_round(wanted, all_rounds(rounds, register))
    return chosen, [r for r in records if rounds[r.source.sha256].id == chosen.id]
