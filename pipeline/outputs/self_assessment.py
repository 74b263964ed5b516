"""Section 11 / 175 self-assessments as plain data for the workbook and the report (no openpyxl, no jinja2).

A self-assessment is about an organisation in a period, not a child: these returns are kept apart from every
case-audit output (``split_returns``) and shown as an organisation x standard matrix, their evidence and actions,
and a report section. Organisations are not people and are shown; a named action owner is a person and is
replaced unless names are shown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from models.assessment import LEVEL_LABELS, LEVELS
from models.record import AuditReturn
from pipeline.text import normalise

FILLS = {"met": "C6EFCE", "partially_met": "FFEB9C", "not_met": "FFC7CE"}  # Excel's good / neutral / bad fills
DONE = {"complete", "completed", "done", "closed", "achieved"}


def is_self_assessment(record: AuditReturn) -> bool:
    return record.kind == "self_assessment"


def split_returns(records: list[AuditReturn]) -> tuple[list[AuditReturn], list[AuditReturn]]:
    """(case audits, self-assessments), each in the order given."""
    return [r for r in records if not is_self_assessment(r)], [r for r in records if is_self_assessment(r)]


def organisation_of(record: AuditReturn) -> str:
    sa = record.self_assessment
    return (sa.organisation if sa else None) or record.header.agency or "(organisation not given)"


def period_of(record: AuditReturn) -> str:
    sa = record.self_assessment
    return (sa.period if sa else None) or "(period not given)"


def _period_key(period: str) -> tuple[int, str]:
    digits = period[:4]
    return (int(digits) if digits.isdigit() else 0, period)


def latest_returns(records: list[AuditReturn]) -> list[AuditReturn]:
    """One return per tool, organisation and period: the last to arrive (a re-sent self-assessment replaces the
    earlier one even under another file name), sorted by tool, period and organisation."""
    latest: dict[tuple, AuditReturn] = {}
    for r in records:
        latest[(r.template.id, normalise(organisation_of(r)), period_of(r))] = r
    return sorted(latest.values(), key=lambda r: (r.template.id, _period_key(period_of(r)), organisation_of(r).lower()))


def action_status(action, today: date) -> str:
    """'complete' when the form says so, else 'overdue' once its date has passed, else 'open' (or as written)."""
    written = (action.status or "").strip()
    if written.lower() in DONE:
        return "complete"
    if action.due and date.fromisoformat(action.due) < today:
        return "overdue"
    return written.lower() or "open"


@dataclass
class Tool:
    """One self-assessment tool's returns: its standards (section id, title) and one row per organisation."""

    template_id: str
    name: str
    standards: list[tuple[str, str]]
    returns: list[AuditReturn]


def tools(records: list[AuditReturn], templates: dict) -> list[Tool]:
    """The latest returns grouped by tool, with the tool's standards in template order (or as the returns give them)."""
    grouped: dict[str, list[AuditReturn]] = defaultdict(list)
    for r in latest_returns(records):
        grouped[r.template.id].append(r)
    out = []
    for tid, returns in sorted(grouped.items()):
        seen: dict[str, str] = {}
        for r in returns:
            for s in r.self_assessment.standards if r.self_assessment else []:
                seen.setdefault(s.standard, s.title)
        t = templates.get(tid)
        out.append(Tool(tid, t.name if t else tid, list(seen.items()), returns))
    return out


def owner_shown(owner: str | None, names: bool) -> str | None:
    """The owner as written when names are shown or it names no one ('HR manager', 'DSL'); else 'a named person'."""
    if not owner or names:
        return owner
    from pipeline.outputs.names import titled_people, unknown_people

    return "a named person" if titled_people(owner) or unknown_people(owner, frozenset()) else owner


def action_rows(records: list[AuditReturn], today: date, names: bool = True) -> list[dict]:
    """One row per action (and per standard rated below Met with none), latest returns only."""
    rows = []
    for r in latest_returns(records):
        answers = {a.id: a for a in r.answers}
        for s in r.self_assessment.standards if r.self_assessment else []:
            evidence = "\n".join(f"{answers[i].question}: {answers[i].answer}" for i in s.evidence if i in answers)
            flags = [f.message for f in r.flags if f.answer in answers and answers[f.answer].section == s.title]
            base = {"tool": r.template.id, "organisation": organisation_of(r), "period": period_of(r),
                    "standard": s.title, "rating": s.rating, "level": s.level, "evidence": evidence,
                    "flags": "\n".join(flags), "return": r.source.sha256[:12]}
            for a in s.actions:
                rows.append({**base, "action": a.text, "owner": owner_shown(a.owner, names), "timescale": a.timescale,
                             "due": a.due, "status": action_status(a, today)})
            if not s.actions:
                rows.append({**base, "action": None, "owner": None, "timescale": None, "due": None,
                             "status": "no action" if s.level in ("partially_met", "not_met") else None})
    return rows


def report_section(records: list[AuditReturn], templates: dict, today: date, names: bool = False,
                   salt: bytes = b"") -> dict | None:
    """What the report says of the self-assessments: per tool and period, the standards most often not met,
    the actions outstanding, and the change since the organisation's return for the period before. Unless
    ``names``, people named in an action or as its owner are replaced (organisations are not people)."""
    if not records:
        return None
    if not names:
        records = pseudonymised(records, salt)
    out = []
    for tool in tools(records, templates):
        periods = sorted({period_of(r) for r in tool.returns}, key=_period_key)
        current = periods[-1]
        now = [r for r in tool.returns if period_of(r) == current]
        before = [r for r in tool.returns if period_of(r) == periods[-2]] if len(periods) > 1 else []
        below: Counter = Counter()
        levels: dict[str, Counter] = defaultdict(Counter)
        for r in now:
            for s in r.self_assessment.standards:
                levels[s.title][s.level or "none"] += 1
                if s.level == "not_met":
                    below[s.title] += 1
        ranked = sorted(((t, n, levels[t]["partially_met"]) for t, n in below.items()), key=lambda x: (-x[1], -x[2], x[0]))
        outstanding = [a for a in action_rows(now, today, names) if a["action"] and a["status"] != "complete"]
        change = _change(now, before) if before else None
        out.append({"name": tool.name, "period": current, "returns": len(now), "earlier_period": periods[-2] if before else None,
                    "not_met": [{"standard": t, "organisations": n, "partially": p} for t, n, p in ranked],
                    "levels": [{"standard": title, **{LEVEL_LABELS[lv]: levels[title][lv] for lv in LEVELS},
                                "Not rated": levels[title]["none"]} for _sid, title in tool.standards],
                    "outstanding": sorted(outstanding, key=lambda a: (a["due"] or "9999", a["organisation"])),
                    "overdue": sum(a["status"] == "overdue" for a in outstanding), "change": change})
    return {"tools": out}


def pseudonymised(records: list[AuditReturn], salt: bytes) -> list[AuditReturn]:
    """The self-assessments with the people they name replaced, in answers and header (as for case audits) and
    in each action's text; organisations stay (owners are replaced where they are shown, ``owner_shown``)."""
    from pipeline.outputs.pseudonymise import Pseudonymiser

    p = Pseudonymiser.for_records(records, salt)
    out = []
    for r in records:
        sa = r.self_assessment
        standards = [s.model_copy(update={"actions": [a.model_copy(update={"text": p.text(a.text)})
                                                      for a in s.actions]}) for s in sa.standards]
        out.append(p.record(r).model_copy(update={"self_assessment": sa.model_copy(update={"standards": standards})}))
    return out


_RANK = {"not_met": 0, "partially_met": 1, "met": 2}


def _change(now: list[AuditReturn], before: list[AuditReturn]) -> dict:
    """Standard by standard, organisations that returned in both periods: how many rated it higher, lower, the same."""
    earlier = {normalise(organisation_of(r)): {s.standard: s.level for s in r.self_assessment.standards} for r in before}
    per: dict[str, Counter] = defaultdict(Counter)
    titles: dict[str, str] = {}
    both = 0
    for r in now:
        then = earlier.get(normalise(organisation_of(r)))
        if then is None:
            continue
        both += 1
        for s in r.self_assessment.standards:
            titles[s.standard] = s.title
            a, b = then.get(s.standard), s.level
            if a is None or b is None:
                continue
            per[s.standard]["better" if _RANK[b] > _RANK[a] else "worse" if _RANK[b] < _RANK[a] else "same"] += 1
    rows = [{"standard": titles[k], **{w: c[w] for w in ("better", "worse", "same")}} for k, c in per.items()
            if c["better"] or c["worse"]]
    return {"organisations": both, "standards": rows}
