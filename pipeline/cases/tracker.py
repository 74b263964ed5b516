"""Who has returned: one cell per case and agency (received, outstanding, overdue, quarantined or superseded),
and the chase list of what each agency still owes.

Plain functions over the ledger's entries (``pipeline.store.status.resolve``), the case register and the agency
register. A quarantined file has no record, so it is placed by its file name (a case reference or the child's
name, and an agency); one that cannot be placed is still chased, as a file nobody can read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from rapidfuzz import fuzz

from models.record import AuditReturn
from pipeline.cases.agencies import OTHER, AgencyRegister, agency_label, agency_type, load_agency_register
from pipeline.cases.linking import LINK, CaseLink, compare, link_cases
from pipeline.cases.names import record_child
from pipeline.cases.register import CaseRow, read_register
from pipeline.cases.rounds import derive_rounds
from pipeline.store.workspace import LedgerEntry, Workspace
from pipeline.text import normalise

STATUSES = ("received", "outstanding", "overdue", "quarantined", "superseded")


@dataclass(frozen=True)
class TrackerCell:
    """One case x agency: its status, and what the partnership team needs to act on it."""

    case_id: str
    child: str            # a name: pseudonymise before showing it where names are not wanted
    round: str
    agency: str           # agency type id ("police"), or "other:<name>" for an agency the register does not know
    agency_label: str     # "Police"
    expected: bool        # listed in cases.csv (False: it returned without being listed, or there is no register)
    status: str           # one of STATUSES
    received: date | None = None
    due: date | None = None
    written_as: tuple[str, ...] = ()  # the agency's names as written on its returns
    files: tuple[str, ...] = ()
    versions: int = 0     # versions read (a re-sent return is a second version)
    reason: str = ""      # why a file was quarantined, or why a match is uncertain
    uncertain: bool = False
    contact: str = ""


@dataclass(frozen=True)
class ChaseItem:
    """What to ask one agency for, about one case."""

    agency: str
    agency_label: str
    contact: str
    case_id: str
    child: str
    round: str
    status: str
    due: date | None
    action: str


def _day(at: str) -> date | None:
    try:
        return datetime.fromisoformat(at).date() if at else None
    except ValueError:
        return None


def _cell_agency(name: str | None, expected: dict[str, str], agencies: AgencyRegister) -> str:
    """The cell an agency's return goes in: its type, or an unknown expected agency it is named like."""
    found = agency_type(name, agencies)
    if found != OTHER:
        return found
    for key, written in expected.items():
        if key.startswith(OTHER + ":") and fuzz.token_set_ratio(normalise(written), normalise(name or "")) >= 85:
            return key
    return f"{OTHER}:{(name or 'agency not given').strip()}"


def _label(key: str, agencies: AgencyRegister) -> str:
    return key.split(":", 1)[1] if key.startswith(OTHER + ":") else agency_label(key, agencies)


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", normalise(text)).strip() + " "


def _place_file(name: str, cases: dict[str, dict], agencies: AgencyRegister) -> tuple[str | None, str | None]:
    """(case id, agency type) a quarantined file's name points to ("MAA-24-03 police.docx",
    "Freya Fairclough - CAMHS.pdf"), each None when it does not say, or says more than one."""
    stem = Path(name).stem
    words = _words(stem)
    agency = agency_type(stem.replace("_", " ").replace("-", " "), agencies)
    hits = [cid for cid, c in cases.items() if c["registered"] and len(cid) >= 3 and _words(cid) in words]
    if not hits:
        for cid, c in cases.items():
            for p in c["people"]:
                surname = " ".join(p.rest or p.surname)
                if p.first and surname and f" {p.first} " in words and f" {surname} " in words:
                    hits.append(cid)
                    break
    return (hits[0] if len(hits) == 1 else None), (agency if agency != OTHER else None)


def build_tracker(entries: list[tuple[LedgerEntry, AuditReturn | None]], register: list[CaseRow] | None,
                  agencies: AgencyRegister, today: date | None = None,
                  links: dict[str, CaseLink] | None = None) -> tuple[list[TrackerCell], list[dict]]:
    """Every case x agency cell, and the quarantined files that could not be placed in one (file, reason).

    ``entries`` are ``pipeline.store.status.resolve(ws)``: current returns are received; a re-sent return's
    older version counts as a second version of the same cell; a cell with only superseded versions (their
    replacement now counts for another child or agency) is superseded; a quarantined file placed by its name
    makes its cell quarantined until a readable copy arrives; an expected agency with nothing is outstanding,
    or overdue after the case's due date.
    """
    today = today or date.today()
    current = [(e, r) for e, r in entries if e.outcome == "processed" and r is not None]
    records = [r for _, r in current]
    links = links if links is not None else link_cases(records, register, today)
    rounds = derive_rounds(records)
    rows = {row.case: row for row in register or []}
    cases: dict[str, dict] = {}
    for row in register or []:
        cases[row.case] = {"child": row.child, "round": row.round, "registered": True, "row": row,
                           "people": [p for c in row.children for p in c.people],
                           "dobs": [c.dob for c in row.children if c.dob]}
    for r in records:
        link = links[r.source.sha256]
        case = cases.setdefault(link.case_id, {"child": link.label, "round": rounds[r.source.sha256].label,
                                               "registered": False, "row": None, "people": [], "dobs": []})
        child = record_child(r, today)
        if not case["registered"] and len(child.people) == 1:
            case["people"].extend(child.people)
            case["dobs"].extend([child.dob] if child.dob else [])
    cells: dict[tuple[str, str], dict] = {}

    def cell(case_id: str, key: str) -> dict:
        return cells.setdefault((case_id, key), {"received": [], "superseded": [], "quarantined": [],
                                                 "names": [], "uncertain": [], "notes": []})

    def expected_of(case_id: str) -> dict[str, str]:
        row = rows.get(case_id)
        return row.agencies_as_written if row else {}

    for entry, r in current:
        link = links[r.source.sha256]
        c = cell(link.case_id, _cell_agency(r.header.agency, expected_of(link.case_id), agencies))
        c["received"].append((_day(entry.at), entry.file))
        c["names"].append(r.header.agency or "")
        if link.uncertain:
            c["uncertain"].append(link.note or link.method)
    rounds_old = {sha: rd.label for sha, rd in derive_rounds([r for e, r in entries if e.outcome == "superseded"
                                                             and r is not None]).items()}
    for entry, r in entries:
        if entry.outcome != "superseded" or r is None:
            continue
        child = record_child(r, today)
        scored = [(compare(child, c["people"], c["dobs"])[0], cid) for cid, c in cases.items()]
        best = max(scored, default=(0.0, None))
        case_id = best[1] if best[0] >= LINK else None
        if case_id is None:  # its replacement is about another child: it keeps a case of its own
            n = 1
            while f"case-{n:02d}" in cases:
                n += 1
            case_id = f"case-{n:02d}"
            cases[case_id] = {"child": child.name, "round": rounds_old.get(r.source.sha256, ""), "registered": False,
                              "row": None, "people": list(child.people), "dobs": [child.dob] if child.dob else []}
        c = cell(case_id, _cell_agency(r.header.agency, expected_of(case_id), agencies))
        c["superseded"].append((_day(entry.at), entry.file))
        c["names"].append(r.header.agency or "")
    readable_later = {e.file for e, _ in entries if e.outcome in ("processed", "superseded")}
    unplaced = []
    for i, (entry, _) in enumerate(entries):
        if entry.outcome != "quarantined":
            continue
        if any(e.file == entry.file and e.outcome in ("processed", "superseded") for e, _ in entries[i + 1:]):
            continue  # a readable copy under the same name came later
        case_id, key = _place_file(entry.file, cases, agencies)
        reason = entry.reason.message if entry.reason else ""
        if case_id and key:
            c = cell(case_id, key)
            c["quarantined"].append((_day(entry.at), entry.file, reason))
        elif entry.file not in readable_later:
            unplaced.append({"file": entry.file, "reason": reason,
                             "code": entry.reason.code if entry.reason else ""})
    for case_id in cases:
        for key in expected_of(case_id):
            cell(case_id, key)
    out = []
    for (case_id, key), c in cells.items():
        case, row = cases[case_id], rows.get(case_id)
        expected = key in expected_of(case_id)
        due = row.due if row else None
        received = sorted(d for d, _ in c["received"] if d)
        if c["received"]:
            status = "received"
        elif c["quarantined"]:
            status = "quarantined"
        elif c["superseded"]:
            status = "superseded"
        elif due and today > due:
            status = "overdue"
        else:
            status = "outstanding"
        reason = "; ".join(dict.fromkeys([q[2] for q in c["quarantined"]] + c["uncertain"]))
        if status == "superseded":
            reason = "the return read was replaced by a later version that counts for another case or agency"
        out.append(TrackerCell(
            case_id=case_id, child=case["child"], round=case["round"], agency=key, agency_label=_label(key, agencies),
            expected=expected, status=status, received=received[-1] if received else None, due=due,
            written_as=tuple(dict.fromkeys(n for n in c["names"] if n)),
            files=tuple(f for _, f in c["received"]) + tuple(f for _, f, _ in c["quarantined"] if status != "received"),
            versions=len(c["received"]) + len(c["superseded"]), reason=reason, uncertain=bool(c["uncertain"]),
            contact=(row.contacts.get(key, "") if row else "")))
    order = {cid: i for i, cid in enumerate([*rows, *sorted(set(cases) - set(rows))])}
    out.sort(key=lambda t: (order.get(t.case_id, 10**6), not t.expected, t.agency_label.lower()))
    return out, unplaced


def chase_list(cells: list[TrackerCell], unplaced: list[dict] | None = None) -> list[ChaseItem]:
    """What to ask each agency for, agency by agency: overdue first, then quarantined, outstanding, superseded.
    Quarantined files that name no case or agency come last, under "(unknown agency)"."""
    actions = {
        "overdue": lambda c: f"overdue since {c.due:%d/%m/%Y}: send the completed audit tool",
        "outstanding": lambda c: "send the completed audit tool" + (f" by {c.due:%d/%m/%Y}" if c.due else ""),
        "quarantined": lambda c: f"the file sent could not be read ({c.reason or 'see maap status'}): send it again",
        "superseded": lambda c: "the return was replaced by a version for another child or agency: check which is right",
    }
    rank = {"overdue": 0, "quarantined": 1, "outstanding": 2, "superseded": 3}
    items = [ChaseItem(c.agency, c.agency_label, c.contact, c.case_id, c.child, c.round, c.status, c.due,
                       actions[c.status](c))
             for c in cells if c.status in rank and (c.expected or c.status != "outstanding")]
    items.sort(key=lambda i: (i.agency_label.lower(), rank[i.status], i.due or date.max, i.case_id))
    for u in unplaced or []:
        items.append(ChaseItem("", "(unknown agency)", "", "", "", "", "quarantined", None,
                               f"{u['file']} could not be read ({u['reason']}); its name says no case or agency: "
                               "find who sent it and ask for a copy that can be read"))
    return items


def workspace_tracker(ws: Workspace, today: date | None = None) -> tuple[list[TrackerCell], list[dict]]:
    """The tracker for a workspace: its ledger, its cases.csv (if any) and its agency register."""
    from pipeline.store.status import resolve

    agencies = load_agency_register(ws.root)
    return build_tracker(resolve(ws), read_register(ws.root, agencies), agencies, today)
