"""Learning from returns, one item a row: actions (with owner and timescale), good practice, recommendations.

A question is a learning question when its template puts it in a learning section, or when its id or wording
names the kind of learning it collects (Enfield's ``*_good_practice`` / ``*_recommendations`` questions sit in
ordinary sections). Actions are split with the same ``action_lines`` the flag rules use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.record import Answer, AuditReturn
from models.template import Section, Template
from pipeline.dates import find_dates
from pipeline.validation.rules import actions as action_rules

KINDS = ("Action", "Good practice", "Area for development", "Recommendation")
_BY_ID = [("Action", re.compile(r"action")), ("Good practice", re.compile(r"good_practice|worked_well")),
          ("Area for development", re.compile(r"development|do_differently")),
          ("Recommendation", re.compile(r"recommend|improvement"))]
_BY_WORDING = [("Action", re.compile(r"\bactions?\b", re.I)), ("Good practice", re.compile(r"good practice", re.I)),
               ("Area for development", re.compile(r"areas? for development|do differently", re.I)),
               ("Recommendation", re.compile(r"recommend|improvement", re.I))]
_SUBJECT = re.compile(r"^([A-Z][\w'’.&/-]*(?:\s+[\w'’.&/-]+)*?)\s+(?:to|will|should|must)\s+[a-z]")
_VERB_AFTER = re.compile(r"\s+(?:to|will|should|must)$", re.I)
_TAIL = re.compile(r"(?:\s+of)?(?:\s+the)?(?:\s+(?:school|working))?(?:\s+(?:days?|weeks?|months?|years?|term|half[- ]term"
                   r"|quarter|[A-Z][a-z]+(?:\s+\d{4})?))?")
_BULLET = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-h][.)]|[•·\-*–])\s+")


@dataclass(frozen=True)
class LearningItem:
    kind: str
    text: str
    owner: str
    timescale: str
    question: str


def learning_kind(answer: Answer, template: Template | None) -> str | None:
    """What a question collects (one of KINDS), or None for an ordinary question."""
    section = _section(answer, template)
    question = next((q for q in section.questions if q.id == answer.id), None) if section else None
    if section is not None and question is not None and action_rules.is_action_question(section, question):
        return "Action"
    for kind, pattern in _BY_ID:
        if pattern.search(answer.id):
            if kind == "Action" and not (section and section.learning) and "learning" not in answer.id:
                continue  # "action" in an ordinary question's id ("prompt_action_taken") is not a list of actions
            return kind
    if section is not None and section.learning:
        return next((k for k, p in _BY_WORDING if p.search(answer.question)), "Recommendation")
    return None


def _section(answer: Answer, template: Template | None) -> Section | None:
    if template is None:
        return None
    try:
        return template.section_of(answer.id)
    except KeyError:
        return None


def _items(kind: str, text: str) -> list[str]:
    if kind == "Action":
        return action_lines(text)
    return [line for line in (_BULLET.sub("", raw).strip() for raw in text.splitlines()) if line]


def action_lines(text: str) -> list[str]:
    """One line per action (pipeline.validation.rules.actions.action_lines)."""
    return action_rules.action_lines(text)


def owner_of(line: str) -> str:
    """Who an action names as responsible, as written ("DSL", "HV team leader", "J. Smith"), or ""."""
    match = action_rules._OWNER.search(line)  # the same pattern the action_without_owner flag uses
    if not match:
        return ""
    subject = _SUBJECT.match(line[:80])  # "HV team leader to audit ..." names more than the pattern's "HV"
    if subject and len(subject.group(1).split()) <= 6:
        return subject.group(1)
    return _VERB_AFTER.sub("", match.group(0)).strip(" :")


def timescale_of(line: str) -> str:
    """When an action is due, as written ("within 3 months", "by the end of term", "30/06/2024"), or ""."""
    match = action_rules._WHEN.search(line)  # the same pattern the action_without_timescale flag uses
    if match:
        tail = _TAIL.match(line, match.end())  # "within 3" -> "within 3 months", "by end" -> "by end of term"
        return line[match.start():tail.end()].strip()
    found = find_dates(line)
    return found[0].text if found else ""


def learning_items(record: AuditReturn, template: Template | None) -> list[LearningItem]:
    """Every learning item in one return, in question order."""
    out = []
    for a in record.answers:
        if a.status.value != "answered" or not a.answer.strip():
            continue
        kind = learning_kind(a, template)
        if kind is None:
            continue
        for line in _items(kind, a.answer):
            if kind == "Action":
                out.append(LearningItem(kind, line, owner_of(line), timescale_of(line), a.question))
            else:
                out.append(LearningItem(kind, line, "", "", a.question))
    return out
