"""Returns joined to cases: which child (and audit round) each return is about, how sure, and why.

With a case register (cases.csv) each return is matched to a listed case: by a file the row names, by the case
reference written in the child field or file name, else by the child's name and date of birth. Without one,
returns in the same round are grouped by the child's name and date of birth. Either way names are compared however
written ("Fairclough, Freya", "FREYA FAIRCLOUGH", "F.F. 11/08/2016", "Freya Fair-clough", "Freya Fairclogh");
different dates of birth always mean different children. A match below SURE, or one that fits two cases, is
``uncertain``: it is shown with its case, flagged, and listed by ``maap cases check`` for a person to confirm
(by adding the file to the case's ``files`` in cases.csv) — never merged silently.

Why rules over rapidfuzz and not a record-linkage library: a round holds tens of returns about a handful of
children, too few for splink's EM training to estimate match weights (and it brings DuckDB), and auditors need
a reason they can read ("initials and date of birth"), not a weight. rapidfuzz's edit distances do the fuzzy
part; nameparser would only add the "Surname, First" order, which the comma already says.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from models.record import AuditReturn
from pipeline.cases.names import ChildId, Person, dob_agreement, person_similarity, record_child
from pipeline.cases.register import CaseRow
from pipeline.cases.rounds import derive_rounds, same_theme
from pipeline.text import normalise

LINK = 0.6  # below this a return starts a case of its own
SURE = 0.9  # below this a match is uncertain


@dataclass(frozen=True)
class CaseLink:
    """Which case a return belongs to. ``label`` is the child as written on the case's best-identified return
    (or the register's child column): a name, so pseudonymise before showing it."""

    case_id: str
    label: str
    confidence: float
    method: str
    uncertain: bool = False
    note: str = ""
    candidates: tuple[str, ...] = ()
    registered: bool = False
    dob: date | None = None


@dataclass
class _Case:
    key: str
    label: str
    dob: date | None = None
    people: list[Person] = field(default_factory=list)
    dobs: list[date] = field(default_factory=list)
    theme: str = ""
    first_seen: int = 10**9
    names: list[str] = field(default_factory=list)

    def best_label(self) -> str:
        """The name as written that reads best: first name first, not in capitals, fullest."""
        good = [n for n in self.names if n]
        if not good:
            return self.label
        return max(good, key=lambda n: ("," not in n, not n.isupper(), not n.islower(), len(n.split())))


def compare(child: ChildId, people: list[Person], dobs: list[date]) -> tuple[float, str, str]:
    """How sure we are that ``child`` is the case with ``people`` (and their ``dobs``): (confidence, method,
    note). Different dates of birth give 0 whatever the names."""
    best = (0.0, "", "")
    for p in child.people:
        for q_index, q in enumerate(people):
            s = person_similarity(p, q)
            case_dob = dobs[q_index] if len(dobs) == len(people) else (dobs[0] if dobs else None)
            agree = dob_agreement(child.dob, case_dob)
            if not s or agree == "differ":
                continue
            initials = p.initials_only or q.initials_only
            if initials:
                conf, method = (0.9, "initials and date of birth") if agree == "same" else (0.5, "initials only")
            else:
                conf = {"same": min(1.0, s + 0.05), "near": 0.7 * s, "unknown": 0.95 * s}[agree]
                method = "name and date of birth" if agree == "same" else "name"
            notes = []
            if initials and agree != "same":
                notes.append("only initials, and no date of birth to confirm them")
            elif not initials and s <= 0.7:
                notes.append("first name only")
            elif not initials and s < 0.9:
                notes.append("only part of a double-barrelled surname matches")
            elif not initials and s < 1:
                notes.append("name written surname first" if s >= 0.95 else "name spelt differently")
            if agree == "near":
                notes.append("dates of birth differ by a slip (a digit, or day and month swapped)")
            elif agree == "unknown" and s < 1 and not initials:
                notes.append("no date of birth to confirm it")
            if conf > best[0]:
                best = (round(conf, 2), method, "; ".join(notes))
    return best


def _tokens(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", normalise(text)).strip() + " "


def _file_name(record: AuditReturn) -> str:
    return record.source.file.replace("\\", "/").rsplit("/", 1)[-1]


def _by_register(record: AuditReturn, child: ChildId, rows: list[CaseRow], theme: str | None):
    """(row, confidence, method, note, other candidate rows) for a return, or None when no row fits."""
    name = _file_name(record)
    for row in rows:
        if name in row.files or record.source.file in row.files:
            return row, 1.0, "register: file listed", "", ()
    where = _tokens(record.header.child or "") + _tokens(name.rsplit(".", 1)[0])
    refs = [row for row in rows if len(row.case) >= 3 and re.search(r"\d", row.case) and _tokens(row.case) in where]
    if len(refs) == 1:
        return refs[0], 1.0, "register: case reference", "", ()
    scored = []
    for row in rows:
        people = [p for c in row.children for p in c.people]
        dobs = [c.dob for c in row.children for _ in c.people if c.dob] if all(c.dob for c in row.children) else []
        conf, method, note = compare(child, people, dobs)
        if conf >= LINK:
            # the same child listed in two rounds: prefer the row whose round is on the return's theme
            on_theme = bool(theme) and same_theme(row.round, theme)
            scored.append((conf, on_theme, row, method, note))
    if not scored:
        return None
    scored.sort(key=lambda s: (-s[0], not s[1]))
    top, on_theme, row, method, note = scored[0]
    # a rival is as good a fit, unless the round's theme tells them apart
    rivals = tuple(r.case for c, t, r, _, _ in scored[1:] if top - c < 0.1 and not (on_theme and not t))
    return row, top, f"register: {method}", note, rivals


def _group(items: list[tuple[int, AuditReturn, ChildId]]) -> dict[str, CaseLink]:
    """Group returns of one round by child: richest identities first, so initials meet full names with dates."""
    cases: list[_Case] = []
    links: dict[str, tuple[_Case, float, str, str, tuple[_Case, ...]]] = {}
    order = sorted(items, key=lambda it: (-it[2].richness, len(it[2].people) > 1, it[0]))
    for index, record, child in order:
        scored = sorted(((compare(child, c.people, c.dobs), c) for c in cases), key=lambda s: -s[0][0])
        scored = [s for s in scored if s[0][0] >= LINK]
        if not child.people:
            case = _Case(key=f"u{index}", label=record.header.child or "(child not given)")
            cases.append(case)
            links[record.source.sha256] = (case, 0.0, "no child named", "the return does not say who the child is", ())
        elif scored:
            (conf, method, note), case = scored[0]
            rivals = tuple(c for (cf, _, _), c in scored[1:] if conf - cf < 0.1)
            if len(child.people) == 1:  # a return about several children does not make their cases one
                case.people.extend(child.people)
                if not any(p.initials_only for p in child.people):
                    case.names.append(child.name)
                if child.dob and not case.dobs:
                    case.dobs.append(child.dob)
            links[record.source.sha256] = (case, conf, method, note, rivals)
        else:
            case = _Case(key=f"c{index}", label=child.name, dob=child.dob, people=list(child.people),
                         names=[child.name] if not any(p.initials_only for p in child.people) else [],
                         dobs=[child.dob] if child.dob and len(child.people) == 1 else [])
            cases.append(case)
            near = [s for s in sorted(((compare(child, c.people, c.dobs), c) for c in cases if c is not case),
                                      key=lambda s: -s[0][0]) if s[0][0] > 0]
            note = "might be the same child as another case" if near else ""
            links[record.source.sha256] = (case, 1.0 if not near else 0.5,
                                           "first return for this child" if not near else "kept apart", note,
                                           tuple(c for _, c in near[:2]))
        case.first_seen = min(case.first_seen, index)
    return links


def link_cases(records: list[AuditReturn], register: list[CaseRow] | None = None,
               today: date | None = None) -> dict[str, CaseLink]:
    """Which case each return (keyed by its sha256) belongs to, with a confidence, a method and, when unsure,
    why and what else it might be.

    Case ids are the register's case references; returns it does not list (and every return, without a
    register) get ``case-01``, ``case-02``... in order of first arrival, a child audited in two rounds being
    two cases.
    """
    children = {r.source.sha256: record_child(r, today) for r in records}
    out: dict[str, CaseLink] = {}
    unlisted = records
    if register:
        unlisted = []
        for r in records:
            child = children[r.source.sha256]
            found = _by_register(r, child, register, r.header.theme)
            if found is None:
                unlisted.append(r)
                continue
            row, conf, method, note, rivals = found
            uncertain = conf < SURE or bool(rivals)
            if rivals:
                note = "; ".join(filter(None, [note, f"also fits case {', '.join(rivals)}"]))
            dob = row.children[0].dob if len(row.children) == 1 else None
            out[r.source.sha256] = CaseLink(row.case, row.child, conf, method, uncertain, note, rivals, True, dob)
    rounds = derive_rounds(unlisted)
    unlisted_shas = {r.source.sha256 for r in unlisted}
    by_round: dict[str, list[tuple[int, AuditReturn, ChildId]]] = defaultdict(list)
    for i, r in enumerate(records):
        if r.source.sha256 in unlisted_shas:
            by_round[rounds[r.source.sha256].id].append((i, r, children[r.source.sha256]))
    grouped = {}
    for items in by_round.values():
        grouped.update(_group(items))
    ordered = sorted({id(v[0]): v[0] for v in grouped.values()}.values(), key=lambda c: c.first_seen)
    taken = {link.case_id for link in out.values()}
    names, n = {}, 0
    for case in ordered:
        n += 1
        while f"case-{n:02d}" in taken:
            n += 1
        names[id(case)] = f"case-{n:02d}"
    for sha, (case, conf, method, note, rivals) in grouped.items():
        rival_ids = tuple(names[id(c)] for c in rivals if id(c) in names)
        if rival_ids:
            note = "; ".join(filter(None, [note, f"also fits {', '.join(rival_ids)}"]))
        if register:
            note = "; ".join(filter(None, ["not in cases.csv", note]))
        out[sha] = CaseLink(names[id(case)], case.best_label(), conf, method,
                            bool(register) or conf < SURE or bool(rival_ids), note, rival_ids, False,
                            case.dob or (case.dobs[0] if case.dobs else None))
    return out


def case_records(records: list[AuditReturn], links: dict[str, CaseLink]) -> dict[str, list[AuditReturn]]:
    """Returns grouped by case id, cases in id order and returns in arrival order."""
    out: dict[str, list[AuditReturn]] = defaultdict(list)
    for r in records:
        if r.source.sha256 in links:
            out[links[r.source.sha256].case_id].append(r)
    return dict(sorted(out.items()))
