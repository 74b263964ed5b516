"""Headline findings from a round of returns, organised by Warrington's four key questions.

What worked well and what we are worried about come from the themes' strength/concern polarity ("voice of the
child: a strength in 12 returns, a concern in 9"), what we would do differently from the learning answers, and the
impact on the child's lived experience from the answers about impact. Each finding carries two or three quotes,
never the same quote twice in one report. How often a theme is merely mentioned is not a finding: a theme found in
every return is one every tool asks about.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from models.record import AuditReturn
from pipeline.themes.polarity import sentence_polarity
from pipeline.validation.rules.actions import _OWNER, _WHEN, action_lines  # the same rules the action flags use
from pipeline.dates import find_dates

_LEARNING_Q = re.compile(r"differently|improve|development|lessons?|learning|suggestion|recommend", re.I)
_RECOMMEND_Q = re.compile(r"recommend|suggestion|improve|differently", re.I)
_IMPACT_Q = re.compile(r"lived experience|impact|safer|difference|day to day|outcomes? for", re.I)
_GOOD = {"safer", "improved", "improving", "better", "progress", "happier", "settled", "calmer", "reduced", "attends",
         "enjoys", "engaging", "stable", "thriving"}
_BAD = {"worse", "deteriorated", "still", "continues", "continued", "unchanged", "yet", "remains"}
_WORD = re.compile(r"[a-z']+")


@dataclass
class Quote:
    text: str
    agency: str
    case: str


@dataclass
class Finding:
    """One theme's place in a key question: how many returns judged it a strength or a concern, with quotes."""

    id: str
    label: str
    strengths: int
    concerns: int
    mentions: int
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class Action:
    text: str
    owner: str
    timescale: str
    agency: str
    case: str


def _clean(sentence: str) -> str:
    text = re.sub(r"^[^\n.]{0,40}:\s*\n", "", sentence.strip())  # a heading line ("What worked well:")
    text = re.sub(r"\s*\n\s*", "; ", text)
    return text if text.endswith((".", "!", "?")) else text.rstrip(";:,") + "."


def is_action_answer(section: str, question_id: str, question: str) -> bool:
    """An answer collecting actions: the learning section's "actions" question (as validation's is_action_question
    reads a template, here from what a record keeps: section title, question id and wording)."""
    learning = re.search(r"learning|action", section, re.I) is not None or question_id.startswith("learning")
    return learning and ("action" in question_id or re.search(r"\bactions?\b", question, re.I) is not None)


def _is_learning(a) -> bool:
    return bool(_LEARNING_Q.search(a.question) or _LEARNING_Q.search(a.id.replace("_", " "))) \
        and not is_action_answer(a.section, a.id, a.question) and "good practice" not in a.question.lower()


def _is_impact(a) -> bool:
    return bool(_IMPACT_Q.search(a.question) or re.search(r"\bimpact\b", a.section, re.I)) and not _is_learning(a) \
        and "good practice" not in a.question.lower()


class _Quotes:
    """Picks representative quotes: distinct across the report, from different agencies where it can."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def pick(self, candidates: list[Quote], n: int = 3) -> list[Quote]:
        seen_agencies: set[str] = set()
        pool = [q for q in candidates if q.text.lower() not in self.used and 25 <= len(q.text) <= 320
                and q.text.count("; ") < 2]  # not a list of items run together
        # A single sentence of middling length reads best; a list run together ("a; b; c") reads worst.
        pool.sort(key=lambda q: (q.text.count("; "), abs(len(q.text) - 130)))
        chosen: list[Quote] = []
        for q in pool:
            if len(chosen) == n:
                break
            if q.agency in seen_agencies and any(p.agency not in seen_agencies for p in pool if p not in chosen):
                continue
            if q.text.lower() in (c.text.lower() for c in chosen):
                continue
            chosen.append(q)
            seen_agencies.add(q.agency)
        for q in pool:  # top up from agencies already quoted
            if len(chosen) == n:
                break
            if q not in chosen and q.text.lower() not in (c.text.lower() for c in chosen):
                chosen.append(q)
        self.used |= {q.text.lower() for q in chosen}
        return chosen


def theme_polarity(records: list[AuditReturn], label_of: Callable[[AuditReturn], str]) -> dict[str, dict]:
    """Per theme: its label, the returns that mention it, judge it a strength, a concern, and quotes of each kind."""
    out: dict[str, dict] = {}
    for i, r in enumerate(records):
        for t in r.themes:
            if not t.mentions:
                continue
            row = out.setdefault(t.id, {"label": t.label, "returns": set(), "strength": set(), "concern": set(),
                                        "quotes": defaultdict(list)})
            row["returns"].add(i)
            for e in t.evidence:
                if e.polarity in ("strength", "concern"):
                    row[e.polarity].add(i)
                    row["quotes"][e.polarity].append(Quote(_clean(e.sentence), label_of(r), r.header.child or ""))
    return out


def key_findings(records: list[AuditReturn], label_of: Callable[[AuditReturn], str], limit: int = 6) -> dict:
    """The four key questions' findings, the themes every return mentions, and the learning lines."""
    quotes = _Quotes()
    themes = theme_polarity(records, label_of)
    every = sorted((row["label"] for row in themes.values() if len(records) >= 3 and len(row["returns"]) == len(records)))

    def ranked(kind: str) -> list[Finding]:
        rows = sorted((row for row in themes.values() if row[kind]),
                      key=lambda row: (-len(row[kind]), len(row["strength" if kind == "concern" else "concern"]),
                                       row["label"]))[:limit]
        return [Finding(id=next(k for k, v in themes.items() if v is row), label=row["label"],
                        strengths=len(row["strength"]), concerns=len(row["concern"]), mentions=len(row["returns"]),
                        quotes=quotes.pick(row["quotes"][kind])) for row in rows]

    worked_well = ranked("strength")
    worried = ranked("concern")
    return {"worked_well": worked_well, "worried": worried, "every_return": every,
            "differently": _differently(records, label_of, quotes, limit),
            "impact": _impact(records, label_of, quotes),
            "recommendations": _recommendations(records, label_of, quotes)}


def _differently(records, label_of, quotes: _Quotes, limit: int) -> list[Finding]:
    """Themes of the learning answers ("what would you do differently", "areas for development")."""
    rows: dict[str, dict] = {}
    for i, r in enumerate(records):
        learning = {a.id for a in r.answers if a.answer and _is_learning(a)}
        for t in r.themes:
            ev = [e for e in t.evidence if e.answer in learning]
            if not ev:
                continue
            row = rows.setdefault(t.id, {"label": t.label, "returns": set(), "quotes": []})
            row["returns"].add(i)
            row["quotes"] += [Quote(_clean(e.sentence), label_of(r), r.header.child or "") for e in ev]
    ordered = sorted(rows.items(), key=lambda kv: (-len(kv[1]["returns"]), kv[1]["label"]))[:limit]
    return [Finding(id=k, label=row["label"], strengths=0, concerns=0, mentions=len(row["returns"]),
                    quotes=quotes.pick(row["quotes"], 2)) for k, row in ordered]


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])|\n+", text)
    return [p.strip(" -•") for p in parts if len(p.split()) >= 4]


def _impact(records, label_of, quotes: _Quotes) -> dict:
    """How the answers about impact read: returns seeing a difference for the child, and returns still worried."""
    better, worse, described = set(), set(), set()
    good_quotes, bad_quotes = [], []
    for i, r in enumerate(records):
        for a in r.answers:
            if not a.answer or not _is_impact(a):
                continue
            for s in _sentences(a.answer):
                words = _WORD.findall(s.lower())
                polarity = sentence_polarity(words)
                if polarity == "neutral":
                    polarity = "strength" if _GOOD & set(words) else "concern" if _BAD & set(words) else "neutral"
                described.add(i)
                q = Quote(_clean(s), label_of(r), r.header.child or "")
                if polarity == "strength":
                    better.add(i)
                    good_quotes.append(q)
                elif polarity == "concern":
                    worse.add(i)
                    bad_quotes.append(q)
    chosen = quotes.pick(good_quotes, 2) + quotes.pick(bad_quotes, 1)
    return {"described": len(described), "better": len(better), "worse": len(worse), "quotes": chosen}


def _recommendations(records, label_of, quotes: _Quotes, limit: int = 10) -> list[Quote]:
    """Agencies' recommendations and suggestions, one line each, those already quoted left out."""
    lines: list[Quote] = []
    seen = set(quotes.used)
    for r in records:
        for a in r.answers:
            if a.answer and _RECOMMEND_Q.search(a.question) and not is_action_answer(a.section, a.id, a.question):
                for line in action_lines(a.answer):
                    text = _clean(line)
                    if text.lower() not in seen:
                        seen.add(text.lower())
                        lines.append(Quote(text, label_of(r), r.header.child or ""))
    return lines[:limit]


_SUBJECT = re.compile(r"^(?P<owner>[A-Za-z][\w'’&/ -]{1,60}?)\s+(?:to|will|should|must|is to|are to)\s+\w", re.I)


def owner_of(line: str) -> str:
    """Who an action line names to carry it out ("Named Nurse to deliver..." -> "Named Nurse"), or ""."""
    m = _SUBJECT.match(line)
    if m and re.fullmatch(r"Person \d+|Child [A-Z]+", m.group("owner").strip()):
        return m.group("owner").strip()  # a named owner, pseudonymised
    if m and len(m.group("owner").split()) <= 6 and _OWNER.search(m.group("owner") + " to"):
        return m.group("owner").strip()
    found = _OWNER.search(line)
    return found.group(0).strip(" :") if found else ""


def timescale_of(line: str) -> str:
    """When an action line says it will be done ("by 30/06/2024", "within 3 months"), or ""."""
    found = find_dates(line)
    if found:
        before = line[:found[0].start]
        lead = re.search(r"\b(?:by|before|from|in|on|until|end of|during)\s+(?:the\s+)?$", before, re.I)
        return (lead.group(0) if lead else "") + found[0].text
    m = _WHEN.search(line)
    if not m:
        return ""
    return re.match(r"[^,;.()]*", line[m.start():]).group(0).strip()


def draft_actions(records: list[AuditReturn], label_of: Callable[[AuditReturn], str]) -> list[Action]:
    """Every action the returns propose (the learning section's actions question), with owner and timescale."""
    out = []
    for r in records:
        for a in r.answers:
            if a.answer and is_action_answer(a.section, a.id, a.question):
                for line in action_lines(a.answer):
                    text = _clean(line)
                    out.append(Action(text, owner_of(line), timescale_of(line), label_of(r), r.header.child or ""))
    return out
