"""An organisational self-assessment (Section 11, Section 175): ratings per standard, with evidence and actions.

A case audit is about a child; a self-assessment is about an organisation in a year. ``AuditReturn.kind`` says
which a return is, and ``AuditReturn.self_assessment`` holds what only a self-assessment has. Part of the
record's public JSON contract (``models.record.SCHEMA_VERSION``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RecordKind = Literal["case_audit", "self_assessment"]
Level = Literal["met", "partially_met", "not_met"]
LEVELS: tuple[Level, ...] = ("met", "partially_met", "not_met")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RatedAction(_Model):
    """One action an organisation set itself against a standard."""

    text: str
    owner: str | None = Field(None, description="who will do it, as written")
    due: str | None = Field(None, description="ISO date of the timescale, when it gives one")
    timescale: str | None = Field(None, description="the timescale as written ('by end of term', '31/03/2027')")
    status: str | None = Field(None, description="as written ('complete', 'in progress'), when the form asks")


class StandardRating(_Model):
    """One standard: the rating the organisation gave itself, how it was marked, its evidence and actions."""

    standard: str = Field(description="the template's section id")
    title: str
    rating: str | None = Field(None, description="the rating as the form prints it ('Partially met', 'Amber')")
    level: Level | None = Field(None, description="the rating on the common scale: met, partially_met, not_met")
    marked_by: Literal["text", "choice", "colour"] | None = Field(
        None, description="typed, chosen in a drop-down or marked in an option's column (text), a box ticked "
        "among printed options (choice), or shown only by the cell's fill colour (colour)")
    problem: Literal["none_marked", "multiple_marked"] | None = None
    evidence: list[str] = Field(default_factory=list, description="answer ids of the evidence given")
    actions: list[RatedAction] = Field(default_factory=list)


class SelfAssessment(_Model):
    """Who assessed themselves, for which period, and the rating of every standard in template order."""

    organisation: str | None = None
    period: str | None = Field(None, description="'2026' or '2025/26'")
    standards: list[StandardRating] = Field(default_factory=list)


# --- the rating scale and the parts of a standard, shared by learning, reading and validation -------------------

# Words forms print for each level, normalised (lower case, letters and spaces only).
SCALE_WORDS: dict[str, Level] = {
    "met": "met", "fully met": "met", "green": "met", "g": "met", "compliant": "met", "fully compliant": "met",
    "achieved": "met", "fully achieved": "met",
    "partially met": "partially_met", "partly met": "partially_met", "partially": "partially_met",
    "amber": "partially_met", "a": "partially_met", "partially compliant": "partially_met",
    "partially achieved": "partially_met", "in progress": "partially_met", "developing": "partially_met",
    "not met": "not_met", "red": "not_met", "r": "not_met", "not compliant": "not_met", "non compliant": "not_met",
    "not achieved": "not_met", "unmet": "not_met",
}
LEVEL_LABELS: dict[Level, str] = {"met": "Met", "partially_met": "Partially met", "not_met": "Not met"}


def _norm(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def rating_level(text: str, template=None) -> Level | None:
    """The level a rating's printed word names ('Amber', 'Partially met', 'RED', 'Not met.'), else None.

    A template's own ``ratings`` are read first, then the common words above.
    """
    norm = _norm(text)
    for option in getattr(template, "ratings", None) or ():
        if norm in {_norm(option.label), *(_norm(a) for a in option.aliases)}:
            return option.level
    return SCALE_WORDS.get(norm)


def is_rating_scale(options: list[str], template=None) -> bool:
    """Options that are a rating scale: two or more, every one a rating word, at least two levels apart."""
    levels = [rating_level(o, template) for o in options]
    return len(options) >= 2 and None not in levels and len(set(levels)) >= 2


@dataclass(frozen=True)
class StandardParts:
    """The questions of one standard (a template section) by what they hold."""

    section: str
    title: str
    rating: str | None  # question id
    evidence: tuple[str, ...]
    actions: tuple[str, ...]


_ACTIONS_WORDING = re.compile(r"\b(?:actions?|next steps|improvement plan|by whom|owner)\b", re.I)
_PERIOD_WORDING = re.compile(r"\b(?:year|period|academic year|financial year|covering)\b", re.I)


def role_of(q, section_questions, template=None) -> str | None:
    """A question's role in a self-assessment: its own ``role``, else worked out from its shape and wording
    (a one-choice tick list of rating words is the rating; 'Actions', 'Owner', 'By whom' are actions; a
    'year' or 'period' question is the period; any other question of a standard with a rating is evidence)."""
    if q.role:
        return q.role
    if q.kind.value == "tick_list" and is_rating_scale(q.options, template):
        return "rating"
    rated = any(o.kind.value == "tick_list" and is_rating_scale(o.options, template) or o.role == "rating"
                for o in section_questions)
    if not rated:  # a standard's own questions are never the period ("Training given this year")
        return "period" if _PERIOD_WORDING.search(q.wording) and len(q.wording.split()) <= 6 else None
    if _ACTIONS_WORDING.search(q.wording) or "action" in q.id:
        return "actions"
    return "evidence"


def standards(template) -> list[StandardParts]:
    """Every section of a self-assessment that is a standard (it has a rating or evidence), in template order."""
    out = []
    for s in template.sections:
        roles = {q.id: role_of(q, s.questions, template) for q in s.questions}
        rating = next((i for i, r in roles.items() if r == "rating"), None)
        evidence = tuple(i for i, r in roles.items() if r == "evidence")
        if rating or evidence:
            out.append(StandardParts(s.id, s.title, rating, evidence,
                                     tuple(i for i, r in roles.items() if r == "actions")))
    return out


def period_question(template) -> str | None:
    """The id of the question that gives the period covered, if the template has one."""
    for s in template.sections:
        for q in s.questions:
            if role_of(q, s.questions, template) == "period":
                return q.id
    return None
