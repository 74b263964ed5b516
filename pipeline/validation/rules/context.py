"""What every validation rule reads: the record, its template, the audit date, and cached per-answer facts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from models.record import Answer, AuditReturn, FlagCode, Status
from models.template import Question, Section, Template
from pipeline.dates import FoundDate, find_dates
from pipeline.text import normalise

# Text Word and PDF forms put in an empty field; an answer made only of these is no answer.
PLACEHOLDERS = (
    "click or tap here to enter text.",
    "click here to enter text.",
    "click or tap to enter a date.",
    "click here to enter a date.",
    "choose an item.",
    "enter text here",
    "type here",
    "insert text here",
)
NOT_APPLICABLE = {"n/a", "na", "n.a.", "not applicable", "n / a", "not applicable to my agency", "not applicable."}


@dataclass(frozen=True)
class Finding:
    """One problem a rule found; validate() turns it into a Flag with the configured severity."""

    code: FlagCode
    answer: str | None
    message: str


def quote(text: str, words: int = 8) -> str:
    """The first few words of ``text`` in quotes, so a message shows evidence without copying an answer."""
    parts = text.split()
    short = " ".join(parts[:words])
    return f'"{short}{"…" if len(parts) > words else ""}"'


def question_name(q: Question) -> str:
    """How a message names a question: its printed number, else the start of its wording."""
    return f"Question {q.number}" if q.number else f"The question {quote(q.wording, 6)}"


def leftover_text(text: str, q: Question) -> str:
    """The answer with placeholders and the question's own guidance lines taken out (normalised)."""
    rest = normalise(text)
    for phrase in (*PLACEHOLDERS, *(normalise(g) for g in q.guidance)):
        if phrase:
            rest = rest.replace(phrase, " ")
    return re.sub(r"[\s.,;:\-]+", " ", rest).strip()


@dataclass
class Context:
    """Everything a rule needs, computed once per record."""

    record: AuditReturn
    template: Template
    today: date
    undated: dict[str, list[str]] = field(default_factory=dict)
    struck: dict[str, list[str]] = field(default_factory=dict)  # answer id -> passages struck through on the page

    @cached_property
    def audit_date(self) -> date | None:
        raw = self.record.header.date_of_audit
        try:
            return date.fromisoformat(raw) if raw else None
        except ValueError:
            return None

    @property
    def reference(self) -> date:
        """The date answers are measured against: the date of audit, else today."""
        return self.audit_date or self.today

    @cached_property
    def window_start(self) -> date:
        """First day of the 12 months the audit covers (the tool audits the 12 months before the audit)."""
        ref = self.reference
        try:
            return ref.replace(year=ref.year - 1)
        except ValueError:  # 29 February
            return ref.replace(year=ref.year - 1, day=28)

    @cached_property
    def answers(self) -> dict[str, Answer]:
        return {a.id: a for a in self.record.answers}

    def pairs(self) -> list[tuple[Section, Question, Answer | None]]:
        """Each template question with its section and the record's answer (None when the row is gone)."""
        return [(s, q, self.answers.get(q.id)) for s in self.template.sections for q in s.questions]

    def is_empty(self, q: Question, a: Answer | None) -> bool:
        """No answer: missing, blank, or only placeholder/guidance text (N/A is an answer)."""
        if a is None:
            return True
        if self.is_not_applicable(a):
            return False
        return not a.answer.strip() or not leftover_text(a.answer, q)

    def is_not_applicable(self, a: Answer) -> bool:
        text = normalise(a.answer).rstrip(".")
        # "N/A - GP does not complete assessments" is still N/A, with a reason
        return a.status == Status.not_applicable or text in NOT_APPLICABLE or re.match(r"^(?:n/a|not applicable)\s*[-:,(]", text) is not None

    def answered(self) -> list[tuple[Section, Question, Answer]]:
        """Questions with a real answer (not empty, not N/A): the ones content checks look at."""
        return self._answered

    @cached_property
    def _answered(self) -> list[tuple[Section, Question, Answer]]:
        # Several rules ask; the fuzzy leftover check runs once per record.
        return [
            (s, q, a)
            for s, q, a in self.pairs()
            if a is not None and not self.is_empty(q, a) and not self.is_not_applicable(a)
        ]

    def dates(self, a: Answer) -> list[FoundDate]:
        return self._dates.setdefault(a.id, find_dates(a.answer, reference=self.reference))

    @cached_property
    def _dates(self) -> dict[str, list[FoundDate]]:
        return {}
