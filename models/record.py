"""AuditReturn: the JSON record of one accepted return. A public, versioned contract."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from models.assessment import RecordKind, SelfAssessment
from models.raw import Comment, Location

# 2: `themes` holds affirmed themes only; negated-only ones moved to `negated_themes`.
# 3: evidence says which part found it (`source`); rule matches the trained model set aside are kept in
#    `ThemeTag.doubted`, and themes found only that way in `doubted_themes`.
# 4: `header.extra` keeps header fields the form prints and its template lacks, by the form's own label.
#    Additive, same version (3): `kind` and `self_assessment` (models.assessment) are written only on an organisational
#    self-assessment (kind "self_assessment"); a record without `kind` is a case audit, so case audits dump as before.
SCHEMA_VERSION = 4


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Status(str, Enum):
    answered = "answered"
    not_applicable = "not_applicable"
    unanswered = "unanswered"


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


class FlagCode(str, Enum):
    """Stable flag codes. Add new ones at the end; never rename."""

    unanswered = "unanswered"
    not_applicable = "not_applicable"
    undated_answer = "undated_answer"
    missing_header = "missing_header"
    grade_missing = "grade_missing"
    grade_multiple = "grade_multiple"
    placeholder_text = "placeholder_text"
    answer_repeats_question = "answer_repeats_question"
    thin_answer = "thin_answer"
    unresolved_revisions = "unresolved_revisions"
    comments_left = "comments_left"
    action_without_owner = "action_without_owner"
    action_without_timescale = "action_without_timescale"
    invalid_date = "invalid_date"
    date_in_future = "date_in_future"
    date_outside_window = "date_outside_window"
    section_unanswered = "section_unanswered"
    template_uncertain = "template_uncertain"
    unknown_content = "unknown_content"
    ocr_low_confidence = "ocr_low_confidence"
    choices_conflict = "choices_conflict"
    struck_text = "struck_text"
    rated_without_evidence = "rated_without_evidence"
    not_met_without_action = "not_met_without_action"
    rating_missing = "rating_missing"
    rating_multiple = "rating_multiple"
    format_mismatch = "format_mismatch"


class EmailOrigin(_Model):
    """The email a return came attached to: the message file in the inbox, where in it, who sent it and when."""

    file: str
    part: str = Field(description="where the attachment sits in the message, e.g. '#2/return.docx'")
    sender: str | None = None
    sent: str | None = Field(None, description="ISO date and time the message says it was sent")


class Source(_Model):
    file: str
    sha256: str
    format: Literal["docx", "doc", "rtf", "odt", "pdf"]
    ocr: bool = False
    email: EmailOrigin | None = None  # only for a return that came attached to an email; left out otherwise

    @model_serializer(mode="wrap")
    def _without_empty_email(self, handler):
        data = handler(self)
        if isinstance(data, dict) and data.get("email") is None:
            data.pop("email", None)  # records read from files keep the JSON they always had
        return data


class TemplateMatch(_Model):
    id: str
    version: str
    confidence: float = Field(ge=0, le=1)


class Header(_Model):
    agency: str | None = None
    auditor: str | None = None
    practitioner: str | None = None
    child: str | None = None
    date_of_audit: str | None = Field(None, description="ISO date")
    theme: str | None = None
    case_status: str | None = None
    extra: dict[str, str] = Field(default_factory=dict, description="header fields the form prints and its "
                                  "template lacks: the form's own label (colon trimmed) -> the value typed")


class Answer(_Model):
    id: str
    section: str
    question: str
    answer: str = ""
    status: Status = Status.unanswered
    dates: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    location: Location | None = None
    confidence: float = Field(0.0, ge=0, le=1)


class Grade(_Model):
    value: Literal["outstanding", "good", "requires_improvement", "inadequate"] | None = None
    problem: Literal["none_marked", "multiple_marked"] | None = None


class Evidence(_Model):
    answer: str
    sentence: str
    polarity: Literal["strength", "concern", "neutral"] = "neutral"
    source: Literal["rules", "model"] = Field("rules", description="the codebook's patterns, or the trained model")


class ThemeTag(_Model):
    id: str
    label: str
    mentions: int
    answers: list[str]
    evidence: list[Evidence] = Field(default_factory=list)
    negated: list[Evidence] = Field(default_factory=list)
    doubted: list[Evidence] = Field(default_factory=list, description="pattern matches the trained model set aside")


class Flag(_Model):
    code: FlagCode
    severity: Severity
    answer: str | None = None
    message: str


class Extraction(_Model):
    """What the extractor could not fully understand, so nothing is silently dropped."""

    unknown: dict[str, int] = Field(default_factory=dict)
    revisions: int = 0
    warnings: list[str] = Field(default_factory=list)
    unmatched_text: list[str] = Field(default_factory=list, description="text not placed under any question")
    unparsed_header: dict[str, str] = Field(default_factory=dict, description="header text that could not be read, "
                                            "e.g. a date of audit that is not a date")


class Quality(_Model):
    score: int = Field(ge=0, le=100)
    breakdown: dict[str, int] = Field(default_factory=dict)


class AuditReturn(_Model):
    schema_version: int = SCHEMA_VERSION
    kind: RecordKind = Field("case_audit", description="a case audit (about a child) or an organisational "
                             "self-assessment (Section 11 / 175: about an organisation in a year)")
    source: Source
    template: TemplateMatch
    header: Header = Field(default_factory=Header)
    answers: list[Answer] = Field(default_factory=list)
    grade: Grade = Field(default_factory=Grade)
    themes: list[ThemeTag] = Field(default_factory=list)
    negated_themes: list[ThemeTag] = Field(default_factory=list)
    doubted_themes: list[ThemeTag] = Field(default_factory=list, description="themes whose only pattern matches "
                                           "the trained model set aside; not counted as themes of the return")
    flags: list[Flag] = Field(default_factory=list)
    comments: list[Comment] = Field(default_factory=list)
    extraction: Extraction = Field(default_factory=Extraction)
    quality: Quality | None = None
    self_assessment: SelfAssessment | None = Field(None, description="ratings per standard, for a self-assessment")

    @model_serializer(mode="wrap")
    def _case_audits_as_before(self, handler):
        """A case audit dumps without the self-assessment fields, exactly as records did before they existed."""
        data = handler(self)
        if self.kind == "case_audit" and self.self_assessment is None and isinstance(data, dict):
            data.pop("kind", None)
            data.pop("self_assessment", None)
        return data

    def answer(self, question_id: str) -> Answer:
        return next(a for a in self.answers if a.id == question_id)
