"""Template: an audit tool described as data (YAML), so a partnership adds its own by adding a file."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

HEADER_KEYS = ("agency", "auditor", "practitioner", "child", "date_of_audit", "theme", "case_status")
GRADE_VALUES = ("outstanding", "good", "requires_improvement", "inadequate")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnswerKind(str, Enum):
    free_text = "free_text"
    yes_no_comments = "yes_no_comments"
    tick_list = "tick_list"
    date = "date"


class HeaderField(_Model):
    """A header field: one of the record's fixed header keys, with the labels forms print for it."""

    key: Literal["agency", "auditor", "practitioner", "child", "date_of_audit", "theme", "case_status"]
    label: str
    aliases: list[str] = Field(default_factory=list)
    required: bool = True


class Question(_Model):
    """One question (or learning field) and how to recognise it in a filled form."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    number: str | None = Field(None, description="printed number, e.g. '7'; never used to match")
    wording: str
    aliases: list[str] = Field(default_factory=list, description="other wordings seen on versions of the form")
    guidance: list[str] = Field(default_factory=list, description="template lines in the question cell that are not answers")
    tags: list[str] = Field(default_factory=list, description="content-control tags that mark this question")
    kind: AnswerKind = AnswerKind.free_text
    options: list[str] = Field(default_factory=list, description="tick-list options")
    required: bool = True
    requires_date: bool = Field(True, description="whether an answer describing events should carry a date")
    checks: dict[str, str] = Field(default_factory=dict, description="flag code -> severity or 'off'")
    role: Literal["period", "rating", "evidence", "actions"] | None = Field(
        None, description="in a self-assessment: the period covered, a standard's rating, its evidence or its "
        "actions; left out, it is worked out from the question (pipeline.mapping.ratings)")


class RatingOption(_Model):
    """A rating a self-assessment prints ('Partially met', 'Amber'), and where it sits on the common scale."""

    label: str
    level: Literal["met", "partially_met", "not_met"]
    aliases: list[str] = Field(default_factory=list)


class Section(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    questions: list[Question]
    learning: bool = Field(False, description="a learning section: actions, good practice, improvements")


class GradeOption(_Model):
    value: Literal["outstanding", "good", "requires_improvement", "inadequate"]
    label: str
    aliases: list[str] = Field(default_factory=list)


class Grading(_Model):
    title: str = "Grading"
    options: list[GradeOption]
    marked_by: list[Literal["mark", "checkbox", "deletion", "text"]] = Field(
        default_factory=lambda: ["mark", "checkbox", "deletion", "text"]
    )


class Template(_Model):
    """An audit tool: header fields, sections of questions, learning fields and grading."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str
    version: str
    description: str = ""
    titles: list[str] = Field(default_factory=list, description="phrases printed on the form that identify it")
    header: list[HeaderField] = Field(default_factory=list)
    sections: list[Section]
    grading: Grading | None = None
    checks: dict[str, str] = Field(default_factory=dict, description="flag code -> severity or 'off', whole template")
    kind: Literal["case_audit", "self_assessment"] = Field(
        "case_audit", description="a case audit (one child) or an organisational self-assessment (Section 11 / 175)")
    ratings: list[RatingOption] = Field(default_factory=list, description="a self-assessment's rating scale; "
                                        "left out: Met / Partially met / Not met and Green / Amber / Red")

    @model_validator(mode="after")
    def _unique_ids(self) -> "Template":
        seen: set[str] = set()
        for q in self.questions():
            if q.id in seen:
                raise ValueError(f"question id {q.id!r} is used twice; each question needs its own id")
            seen.add(q.id)
        return self

    def questions(self) -> list[Question]:
        """Every question in template order, learning fields included."""
        return [q for s in self.sections for q in s.questions]

    def section_of(self, question_id: str) -> Section:
        for s in self.sections:
            if any(q.id == question_id for q in s.questions):
                return s
        raise KeyError(question_id)
