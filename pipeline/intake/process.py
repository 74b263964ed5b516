"""Read one return into an AuditReturn: extract, pick the template, map, date, validate, tag, score."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

from extractors.registry import extract
from extractors.sniff import READ_AS
from models.raw import RawDocument
from models.record import (
    Answer, AuditReturn, Extraction, Flag, FlagCode, Grade, Header, Severity, Source, Status, TemplateMatch,
)
from models.settings import Settings
from models.template import AnswerKind, Template
from pipeline.mapping.layout import BOX_SEGMENT as _BOX_SEGMENT
from pipeline.mapping.layout import box_labels, without_unticked
from pipeline.mapping.layout import OPTION_SEP, Option, decide, options_in
from pipeline.mapping.place import Mapped, map_document
from pipeline.text import CHOICE_NOTE
from pipeline.validation.rules.context import leftover_text
from pipeline.templates.registry import detect_template, get_template

_NOT_APPLICABLE = re.compile(r"^\s*(?:n\s*/\s*a|n\.a\.?|na|not\s+applicable|not\s+relevant)(?![a-z])", re.I)


_HASHES: dict[tuple, str] = {}


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks; a file unchanged since it was last hashed in this process (same
    inode, size and modification time) is not read again (planning and reading a run both need it)."""
    st = Path(path).stat()
    key = (str(Path(path).resolve()), st.st_ino, st.st_size, st.st_mtime_ns)
    if key in _HASHES:
        return _HASHES[key]
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    if len(_HASHES) > 100_000:
        _HASHES.clear()
    _HASHES[key] = h.hexdigest()
    return _HASHES[key]




def ticked_options(text: str) -> list[str] | None:
    """The labels ticked (☒) in a line of boxes, or None when the text has no boxes at all."""
    segments = box_labels(text)
    if not segments:
        return None
    return [label.strip() for mark, label in segments if mark == "☒" and label.strip()]


def _without_unticked(text: str) -> str:
    """The text with every unticked box and its label removed: what the agency actually said."""
    return without_unticked(text)


_PIECES = re.compile(r"\s*(?:(?<![Nn])/|/(?![Aa]\b)|\||\bor\b)\s*", re.I)  # never the '/' of 'N/A'
_MARKED_PIECE = re.compile(r"^\s*(?:[xX]\s+|[☒☑✓✔√■⊠]\s*)(.+?)\s*$|^\s*(.+?)\s*(?:\s[xX]|\([xX]\)|[☒☑✓✔√■⊠])\s*$")


def _choices_in(line: str, read) -> list[str] | None:
    """The choices a line makes when it is only choices ('Yes / No' with one ticked, marked or left
    standing), or None when the line says something else. ``read`` names the choice a piece is, or None.

    Pieces are split on '/', '|' or 'or'; a piece marked with X, a tick or ☒ is chosen; with no mark, the
    pieces left standing are chosen unless every choice is still there (the printed prompt, untouched).
    """
    line = CHOICE_NOTE.sub("", line) or line  # 'Yes / No (delete as appropriate)': the note is no choice
    boxes = box_labels(line)
    if boxes:
        named = [(mark, read(label)) for mark, label in boxes]
        before = line.split("☒")[0].split("☐")[0]  # text before the first box: a label of its own only
        if (before.strip() and line.strip()[-1] not in "☒☐") or not all(c for _m, c in named):
            return None
        return [c for mark, c in named if mark == "☒"]
    pieces = [p for p in _PIECES.split(line) if p.strip()]
    if not pieces:
        return None
    found = []
    for piece in pieces:
        m = _MARKED_PIECE.match(piece)
        inner = (m.group(1) or m.group(2)) if m else None
        if inner and read(inner):
            found.append((read(inner), True))
        elif read(piece):
            found.append((read(piece), False))
        else:
            return None
    if any(marked for _c, marked in found):
        return [c for c, marked in found if marked]
    chosen = [c for c, _m in found]
    return [] if len(chosen) > 1 and len(set(chosen)) == len(chosen) and len(chosen) >= read.count else chosen


class _Reader:
    """Names the choice a piece of text is: Yes/No/N/A for yes/no questions, or one of a tick list's options."""

    def __init__(self, kind: AnswerKind, options: list[str]):
        from pipeline.text import normalise

        self.normalise = normalise
        self.yes_no = kind == AnswerKind.yes_no_comments
        self.options = {normalise(o): o for o in options}
        self.count = 2 if self.yes_no else max(2, len(options))

    def __call__(self, text: str) -> str | None:
        from rapidfuzz import fuzz, process as fuzzy

        from pipeline.mapping.layout import choice_word

        if self.yes_no:
            return choice_word(text)
        norm = self.normalise(text).strip(" .:;,-")
        if not norm or not self.options:
            return None
        hit = fuzzy.extractOne(norm, list(self.options), scorer=fuzz.ratio)
        return self.options[hit[0]] if hit and hit[1] >= 88 else None


def read_choices(lines: list[str], kind: AnswerKind, options: list[str]) -> list[str]:
    """A yes/no or tick-list answer as its choices first ('Yes', 'No', 'N/A' or the options ticked),
    then the comments typed with it; other kinds are returned unchanged.

    '☒ Yes ☐ No', 'Yes / No' with one deleted or marked, and a typed 'Y' or 'no' are choices; 'Yes / No'
    untouched, or every option of a tick list left standing unmarked, is the printed prompt and chooses
    nothing. Two choices marked are both kept, for a reader (or a rule) to see.
    """
    if kind not in (AnswerKind.yes_no_comments, AnswerKind.tick_list):
        return lines
    read = _Reader(kind, options)
    choices: list[str] = []
    comments: list[str] = []
    standing: list[str] = []  # tick-list options on lines of their own, unmarked
    for line in lines:
        found = _choices_in(line, read)
        if found is None:
            comments.append(line)
        elif len(found) == 1 and not _BOX_SEGMENT.search(line) and not _MARKED_PIECE.match(line) \
                and len(_PIECES.split(line.strip())) == 1:
            standing.append(found[0])
        else:
            choices.extend(found)
    if kind == AnswerKind.tick_list and (choices or len(set(standing)) >= read.count):
        standing = []  # options printed beside the marked ones, or all of them untouched: not chosen
    choices.extend(standing)  # what was left standing (the others deleted), or a typed 'Y'
    return list(dict.fromkeys(choices)) + comments


def _struck_ranges(line: str) -> list[list[int]]:
    """[start, end) of each struck passage of a line: struck runs with only spaces between them are one passage."""
    spans = sorted((a, b) for a, b, st, _d in getattr(line, "spans", ()) if st == "strike")
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and not line[merged[-1][1]:a].strip():  # only spaces between two struck runs: one passage
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return merged


def _without_strikes(line: str) -> tuple[str, list[str]]:
    """The line with its struck-through characters taken out, and the struck passages (whole, stripped)."""
    merged = _struck_ranges(line)
    if not merged:
        return line, []
    kept, passages, pos = [], [], 0
    for a, b in merged:
        kept.append(str(line)[pos:a])
        passages.append(" ".join(str(line)[a:b].split()))
        pos = b
    kept.append(str(line)[pos:])
    return re.sub(r"[ \t]{2,}", " ", "".join(kept)).strip(), passages


def read_formatting(lines: list[str], kind: AnswerKind, options: list[str]) -> tuple[list[str], list[str]]:
    """Answer lines as a reader sees them once strikethrough and emphasis are read, and the struck-out passages.

    Lines that only print options (Yes/No/N/A, or a tick list's options, on one line or one per line) are
    choices: ``pipeline.mapping.layout.decide`` says which, and the line becomes '☒ <option>' for each chosen one, which
    read_choices reads like a ticked box. In any other line a struck-through passage is text the author
    deleted on the page: it is left out of the answer and returned, to be flagged (struck_text), never lost.
    Emphasis outside options changes nothing. Lines with no formatting come back as they were.
    """
    if not any(getattr(line, "spans", ()) for line in lines):
        return lines, []
    read = _Reader(kind if kind == AnswerKind.tick_list else AnswerKind.yes_no_comments, options)
    parsed = [options_in(line, read) for line in lines]
    singles = [i for i, found in enumerate(parsed) if found and len(found) == 1]
    chosen: dict[int, list[Option]] = {}  # line index -> its options chosen (absent: the line is left alone)
    for i, found in enumerate(parsed):
        if found and len(found) > 1 and (picked := decide(found)) is not None:
            chosen[i] = picked
    group = decide([parsed[i][0] for i in singles]) if len(singles) > 1 else None
    if group is not None:
        chosen.update({i: [p for p in group if p is parsed[i][0]] for i in singles})
    out, struck = [], []
    for i, line in enumerate(lines):
        if i in chosen:
            if chosen[i]:
                out.append(" ".join(f"☒ {p.label}" for p in chosen[i]))
        elif parsed[i] is None or len(parsed[i]) == 1:  # a lone 'No' struck out is deleted text too
            text, passages = _without_strikes(line)
            struck += passages
            if text:
                out.append(text)
        else:
            out.append(line)
    return out, struck


# A separator left dangling once struck options are taken out: 'Open /', '/ Closed', '(Child / )', 'A / / B'.
_DANGLING = re.compile(r"^\s*(?:/|\|)\s*|\s*(?:/|\|)\s*$|(?<=[(\[])\s*(?:/|\|)\s*|\s*(?:/|\|)\s*(?=[)\]])")
_DOUBLED = re.compile(r"\s*(/|\|)\s*(?:(?:/|\|)\s*)+")


def read_header_value(lines: list[str]) -> str:
    """A header field's value as a reader sees it: struck-out options are not the value, an option
    emphasised apart is ("Open / ~~Closed~~" and "**Open** / Closed" are both "Open").

    Any struck passage is taken out with the separator it leaves dangling ("Amelia (Child / ~~Vulnerable
    adult~~)" is "Amelia (Child)"). Lines are joined with spaces; lines with no formatting are kept as typed.
    """
    out = []
    for line in lines:
        if getattr(line, "spans", ()):
            short = lambda text: text if len(text) <= 30 else None  # noqa: E731 - options are a few words
            found = options_in(line, short) if OPTION_SEP.search(line) else None
            picked = decide(found) if found and len(found) >= 2 and not any(o.struck for o in found) else None
            if picked:
                line = " / ".join(str(o.label) for o in picked)
            else:
                line = _DANGLING.sub("", _DOUBLED.sub(r" \1 ", _without_strikes(line)[0]))
        if str(line).strip():
            out.append(str(line).strip())
    return " ".join(out)


_SEP_BEFORE = re.compile(r"(?:/|\||\bor)[\s(\[]*$", re.I)
_SEP_AFTER = re.compile(r"^[\s)\]]*(?:/|\||or\b)", re.I)


def header_struck(lines: list[str]) -> list[str]:
    """The struck passages of a header value that are not options deleted: 'Open / ~~Closed~~' and
    'Amelia (Child / ~~Vulnerable adult~~)' choose, a struck name or note beside the value is text deleted."""
    found = []
    for line in lines:
        text = str(line)
        found += [" ".join(text[a:b].split()) for a, b in _struck_ranges(line)
                  if not (_SEP_BEFORE.search(text[:a]) or _SEP_AFTER.match(text[b:]))]
    return found


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
    """The header (with the fields the template lacks as ``extra``, by the form's label), and any header text
    that could not be read (a date of audit that is not a date)."""
    from pipeline.dates import parse_date

    values = {k: read_header_value(p.lines) or None for k, p in mapped.header.items()}
    unparsed = {}
    if values.get("date_of_audit"):
        found = parse_date(values["date_of_audit"])
        if found and found.valid and found.value and found.precision == "day":
            values["date_of_audit"] = found.value.isoformat()
        else:
            unparsed["date_of_audit"] = values["date_of_audit"]
            values["date_of_audit"] = None
    extra = {label: value for label, lines in mapped.extra_header.items() if (value := read_header_value(lines))}
    return Header(**values, extra=extra), unparsed


def _answers(mapped: Mapped, template: Template, reference: date | None) -> tuple[list[Answer], dict[str, list[str]]]:
    """The answers, and the struck-through passages left out of them by question id."""
    from pipeline.dates import find_dates

    answers, struck = [], {}
    for section in template.sections:
        for q in section.questions:
            placed = mapped.answers[q.id]
            lines, passages = read_formatting(placed.lines, q.kind, q.options)
            if passages:
                struck[q.id] = passages
            text = "\n".join(read_choices(lines, q.kind, q.options)).strip()
            dates = [d.value.isoformat() for d in find_dates(text, reference=reference) if d.valid and d.value]
            status = answer_status(text)
            if status == Status.answered and not leftover_text(text, q):
                status = Status.unanswered  # only the form's placeholder or guidance text, or a lone dash
            answers.append(Answer(
                id=q.id, section=section.title, question=q.wording, answer=text, status=status,
                dates=list(dict.fromkeys(dates)), location=placed.location,
                confidence=round(placed.score, 3) if placed.found else 0.0,
            ))
    return answers, struck


def _extraction_flags(raw: RawDocument, template: Template, confidence: float, settings: Settings) -> list[Flag]:
    flags = []
    if confidence < settings.template_threshold and not settings.template_id:
        flags.append(Flag(code=FlagCode.template_uncertain, severity=Severity.warning, message=(
            f"This return only loosely matches the template '{template.name}' (confidence {confidence:.0%}); "
            f"check the answers, or rerun with --template.")))
    if raw.named_as:
        flags.append(Flag(code=FlagCode.format_mismatch, severity=Severity.info, message=(
            f"The file's name says {raw.named_as} but it is really {READ_AS.get('.' + raw.format, raw.format)}, and "
            "was read as that; nothing to do, though the agency may want to fix the name.")))
    if raw.unknown:
        names = ", ".join(f"{k} ({v})" for k, v in sorted(raw.unknown.items()))
        flags.append(Flag(code=FlagCode.unknown_content, severity=Severity.warning, message=(
            f"The file contains content maap could not read: {names}; open the original to check it.")))
    if raw.low_confidence_pages:
        pages = ", ".join(str(p) for p in raw.low_confidence_pages)
        flags.append(Flag(code=FlagCode.ocr_low_confidence, severity=Severity.warning, message=(
            f"The scan was hard to read on page(s) {pages}; check those answers against the original, or ask "
            "the agency to scan those pages again.")))
    return flags


def build_record(raw: RawDocument, sha256: str, template: Template, confidence: float,
                 settings: Settings, today: date | None = None) -> AuditReturn:
    """Map, date and validate an extracted document into a record (themes are added separately, in batches)."""
    from pipeline.validation.quality import score_quality
    from pipeline.validation.validate import HEADER_KEY, validate

    today = today or date.today()
    mapped = map_document(raw, template)
    header, unparsed = _header(mapped)
    reference = date.fromisoformat(header.date_of_audit) if header.date_of_audit else today
    answers, struck = _answers(mapped, template, reference)
    struck.update({HEADER_KEY + k: found for k, p in mapped.header.items() if (found := header_struck(p.lines))})
    record = AuditReturn(
        source=Source(file=Path(raw.file).name, sha256=sha256, format=raw.format, ocr=raw.ocr),
        template=TemplateMatch(id=template.id, version=template.version, confidence=round(confidence, 3)),
        header=header,
        answers=answers,
        grade=Grade(value=mapped.grade_value, problem=mapped.grade_problem),
        comments=raw.comments,
        extraction=Extraction(unknown=raw.unknown, revisions=raw.revisions, warnings=raw.warnings,
                              unmatched_text=mapped.unmatched_text, unparsed_header=unparsed),
    )
    if template.kind == "self_assessment":  # Section 11 / 175: about an organisation, not a child (issue 19)
        from pipeline.intake.assessment import read_self_assessment, with_colour_ratings

        printed = {q: [str(line) for line in p.lines] for q, p in mapped.answers.items()}
        assessment = read_self_assessment(template, header, answers, raw, printed, reference)
        record = record.model_copy(update={"kind": "self_assessment", "self_assessment": assessment,
                                           "answers": with_colour_ratings(answers, assessment, template)})
    flags = _extraction_flags(raw, template, confidence, settings) + validate(record, template, today, struck=struck)
    record = record.model_copy(update={"flags": flags})
    return record.model_copy(update={"quality": score_quality(record, template, flags)})


def read_return(path: Path, settings: Settings, templates: dict[str, Template],
                today: date | None = None) -> AuditReturn:
    """Read one file into a record without themes; raises UnreadableFile when the file cannot be read."""
    path = Path(path)
    raw = extract(path, settings.limits)
    template, confidence = choose_template(raw, templates, settings)
    return build_record(raw, sha256_of(path), template, confidence, settings, today)
