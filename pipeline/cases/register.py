"""The case register: the optional WORKSPACE/cases.csv saying which children are audited, in which round, which
agencies are expected to return a tool, by when, and whom to chase.

Columns (a header row; only ``case`` and ``child`` are required; lists are separated by ";"):

    case      the partnership's case reference, e.g. MAA-24-03
    child     the child's name(s): "Freya Fairclough", or siblings "Mia Smith; Leo Smith"
    dob       date(s) of birth, day first: 11/08/2016 (one per child, or one for all)
    round     the audit round, e.g. "2024 Q2 Neglect"
    agencies  agencies expected to return a tool, as types or names: "police; school; health visiting; gp"
    due       when the returns are due: 30/05/2024
    contacts  whom to chase, per agency: "police: dc.ahmed@example.org; school: dsl@example.org"
    files     (optional) inbox file names that belong to this case, to confirm a match maap was unsure of
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from models.errors import ConfigError
from pipeline.cases.agencies import OTHER, AgencyRegister, agency_type
from pipeline.cases.names import ChildId, parse_child
from pipeline.dates import parse_date

REGISTER_FILE = "cases.csv"
COLUMNS = ("case", "child", "dob", "round", "agencies", "due", "contacts", "files")


@dataclass(frozen=True)
class CaseRow:
    """One row of cases.csv, read: agencies as agency types (with the names as written kept beside them)."""

    case: str
    child: str
    children: tuple[ChildId, ...]
    round: str = ""
    agencies: tuple[str, ...] = ()
    agencies_as_written: dict[str, str] = field(default_factory=dict)
    due: date | None = None
    contacts: dict[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    line: int = 0


def _list(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(";") if p.strip()]


def _date(text: str, where: str) -> date | None:
    if not text.strip():
        return None
    found = parse_date(text)
    if found is None or not found.valid or found.precision != "day":
        raise ConfigError(f"{where}: '{text}' is not a date; write it day first, e.g. 30/05/2024")
    return found.value


def read_register(workspace: Path, agencies: AgencyRegister) -> list[CaseRow] | None:
    """The rows of WORKSPACE/cases.csv, or None when there is none; a bad row is a one-line ConfigError
    naming the line and what to fix."""
    path = Path(workspace) / REGISTER_FILE
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252")  # saved from Excel as "CSV" rather than "CSV UTF-8"
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("case", "child") if c not in header]
    if missing:
        raise ConfigError(f"{path}: the first row must name the columns; missing: {', '.join(missing)} "
                          f"(columns: {', '.join(COLUMNS)})")
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise ConfigError(f"{path}: unknown column(s) {', '.join(unknown)} (columns: {', '.join(COLUMNS)})")
    rows, seen = [], set()
    for n, raw in enumerate(reader, start=2):
        cells = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(cells.values()):
            continue
        where = f"{path.name} line {n}"
        case = cells.get("case", "")
        if not case:
            raise ConfigError(f"{where}: the case reference is empty")
        if case.lower() in seen:
            raise ConfigError(f"{where}: case reference '{case}' is listed twice")
        seen.add(case.lower())
        names = _list(cells.get("child"))
        if not names:
            raise ConfigError(f"{where}: case {case} names no child")
        dobs = [_date(d, where) for d in _list(cells.get("dob"))]
        if len(dobs) not in (0, 1, len(names)):
            raise ConfigError(f"{where}: case {case} has {len(names)} children but {len(dobs)} dates of birth")
        children = tuple(parse_child(name, dobs[i] if len(dobs) == len(names) else (dobs[0] if dobs else None))
                         for i, name in enumerate(names))
        written = _list(cells.get("agencies"))
        contacts = {}
        for item in _list(cells.get("contacts")):
            who, sep, contact = item.partition(":")
            if not sep or not contact.strip():
                raise ConfigError(f"{where}: contact '{item}' should be 'agency: email or phone'")
            contacts[expected_type(who, agencies)] = contact.strip()
        as_written = {}
        for name in written:
            as_written.setdefault(expected_type(name, agencies), name)
        rows.append(CaseRow(case=case, child=cells["child"], children=children, round=cells.get("round", ""),
                            agencies=tuple(as_written), agencies_as_written=as_written, due=_date(cells.get("due", ""), where),
                            contacts=contacts, files=tuple(_list(cells.get("files"))), line=n))
    return rows


def expected_type(name: str, agencies: AgencyRegister) -> str:
    """An expected agency's type: a type id ("health_visiting"), a label or alias ("health visiting") or a name;
    a name the agency register does not know keeps a type of its own, "other:<name>"."""
    key = name.strip().lower().replace(" ", "_")
    if key in agencies:
        return key
    found = agency_type(name, agencies)
    return found if found != OTHER else f"{OTHER}:{name.strip()}"


def register_text(rows: list[dict]) -> str:
    """cases.csv text for rows given as dicts of the columns (used by `maap cases init`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue()


def unknown_agencies(rows: list[CaseRow]) -> list[tuple[CaseRow, str]]:
    """Expected agencies (as written) that the agency register does not know: returns from them are matched
    by name alone, so add them to WORKSPACE/agencies.yaml."""
    return [(row, written) for row in rows for t, written in row.agencies_as_written.items()
            if t.startswith(OTHER + ":")]
