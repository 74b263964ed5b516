"""Read one return into an AuditReturn: extract, pick the template, map, date, validate, tag, score."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

from extractors.registry import extract
from models.raw import RawDocument
from models.record import (
    Answer, AuditReturn, Extraction, Flag, FlagCode, Grade, Header, Severity, Source, Status, TemplateMatch,
)
from models.settings import Settings
from models.template import AnswerKind, Template
from pipeline.mapping import Mapped, map_document
from pipeline.templates import detect_template, get_template

_NOT_APPLICABLE = re.compile(r"^\s*(?:n\s*/\s*a|n\.a\.?|na|not\s+applicable|not\s+relevant)(?![a-z])", re.I)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_BOX_SEGMENT = re.compile(r"([☒☐])\s*([^☒☐\n]*)")


def ticked_options(text: str) -> list[str] | None:
    """The labels ticked (☒) in a line of boxes, or None when the text has no boxes at all."""
    segments = _BOX_SEGMENT.findall(text)
    if not segments:
        return None
    return [label.strip() for mark, label in segments if mark == "☒" and label.strip()]


def _without_unticked(text: str) -> str:
    """The text with every unticked box and its label removed: what the agency actually said."""
    return _BOX_SEGMENT.sub(lambda m: m.group(0) if m.group(1) == "☒" else "", text)


def answer_status(text: str) -> Status:
    """Blank (or only unticked boxes) is unanswered; 'N/A', 'n/a', 'Not applicable...' is not_applicable;
    anything else is answered."""
    text = _without_unticked(text)
    if not text.strip():
        return Status.unanswered
    if _NOT_APPLICABLE.match(text):
        return Status.not_applicable
    return Status.answered


def choose_template(raw: RawDocument, templates: dict[str, Template], settings: Settings) -> tuple[Template, float]:
    """The forced template (confidence 1) or the detected one with its confidence."""
    if settings.template_id:
        return get_template(settings.template_id, templates), 1.0
    return detect_template(raw, templates)


def _header(mapped: Mapped) -> tuple[Header, dict[str, str]]:
    """The header, and any header text that could not be read (a date of audit that is not a date)."""
    from pipeline.dates import parse_date

    values = {k: " ".join(p.lines).strip() or None for k, p in mapped.header.items()}
    unparsed = {}
    if values.get("date_of_audit"):
        found = parse_date(values["date_of_audit"])
        if found and found.valid and found.value and found.precision == "day":
            values["date_of_audit"] = found.value.isoformat()
        else:
            unparsed["date_of_audit"] = values["date_of_audit"]
            values["date_of_audit"] = None
    return Header(**values), unparsed


def _answers(mapped: Mapped, template: Template, reference: date | None) -> list[Answer]:
    from pipeline.dates import find_dates

    answers = []
    for section in template.sections:
        for q in section.questions:
            placed = mapped.answers[q.id]
            text = "\n".join(placed.lines).strip()
            if q.kind == AnswerKind.tick_list and (ticked := ticked_options(text)) is not None:
                text = "\n".join(ticked)  # a tick list answers with the options ticked
            dates = [d.value.isoformat() for d in find_dates(text, reference=reference) if d.valid and d.value]
            answers.append(Answer(
                id=q.id, section=section.title, question=q.wording, answer=text, status=answer_status(text),
                dates=list(dict.fromkeys(dates)), location=placed.location,
                confidence=round(placed.score, 3) if placed.found else 0.0,
            ))
    return answers


def _extraction_flags(raw: RawDocument, template: Template, confidence: float, settings: Settings) -> list[Flag]:
    flags = []
    if confidence < settings.template_threshold and not settings.template_id:
        flags.append(Flag(code=FlagCode.template_uncertain, severity=Severity.warning, message=(
            f"This return only loosely matches the template '{template.name}' (confidence {confidence:.0%}); "
            f"check the answers, or rerun with --template.")))
    if raw.unknown:
        names = ", ".join(f"{k} ({v})" for k, v in sorted(raw.unknown.items()))
        flags.append(Flag(code=FlagCode.unknown_content, severity=Severity.warning, message=(
            f"The file contains content maap could not read: {names}; open the original to check it.")))
    if raw.low_confidence_pages:
        pages = ", ".join(str(p) for p in raw.low_confidence_pages)
        flags.append(Flag(code=FlagCode.ocr_low_confidence, severity=Severity.warning, message=(
            f"The scan was hard to read on page(s) {pages}; check those answers against the original.")))
    return flags


def build_record(raw: RawDocument, sha256: str, template: Template, confidence: float,
                 settings: Settings, today: date | None = None) -> AuditReturn:
    """Map, date and validate an extracted document into a record (themes are added separately, in batches)."""
    from pipeline.quality import score_quality
    from pipeline.validate import validate

    today = today or date.today()
    mapped = map_document(raw, template)
    header, unparsed = _header(mapped)
    reference = date.fromisoformat(header.date_of_audit) if header.date_of_audit else today
    record = AuditReturn(
        source=Source(file=Path(raw.file).name, sha256=sha256, format=raw.format, ocr=raw.ocr),
        template=TemplateMatch(id=template.id, version=template.version, confidence=round(confidence, 3)),
        header=header,
        answers=_answers(mapped, template, reference),
        grade=Grade(value=mapped.grade_value, problem=mapped.grade_problem),
        comments=raw.comments,
        extraction=Extraction(unknown=raw.unknown, revisions=raw.revisions, warnings=raw.warnings,
                              unmatched_text=mapped.unmatched_text, unparsed_header=unparsed),
    )
    flags = _extraction_flags(raw, template, confidence, settings) + validate(record, template, today)
    record = record.model_copy(update={"flags": flags})
    return record.model_copy(update={"quality": score_quality(record, template, flags)})


def read_return(path: Path, settings: Settings, templates: dict[str, Template],
                today: date | None = None) -> AuditReturn:
    """Read one file into a record without themes; raises UnreadableFile when the file cannot be read."""
    path = Path(path)
    raw = extract(path, settings.limits)
    template, confidence = choose_template(raw, templates, settings)
    return build_record(raw, sha256_of(path), template, confidence, settings, today)
