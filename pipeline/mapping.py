"""Mapping: place what a file says under the template's header fields, questions and grade. Done once, here.

Labels (question wordings, header labels) are found by fuzzy matching, never by printed number; each label
then collects the text that follows it: cells to its right, lines typed under it inside its own cell, rows
added below it, or paragraphs after it, until the next label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from models.raw import Location, RawDocument
from models.template import Question, Template
from pipeline.grades import read_grade
from pipeline.layout import Line, Unit, build_units, strip_bullet, strip_list_numbers
from pipeline.text import normalise

LABEL_THRESHOLD = 78
_NUMBER = re.compile(r"^\s*(?:q(?:uestion)?\s*)?(?:\d{1,2}|[a-z]|[ivx]{1,4})\s*[.):]\s*|^\s*\d{1,2}\s+(?=[A-Za-z])", re.I)
_LETTER_LABEL = re.compile(r"^\s*(?:[a-z]|[ivx]{1,4}|\d{1,2})\s*[.)]?\s*$", re.I)


@dataclass
class Field:
    """A thing the template asks for: a header field or a question."""

    key: str
    wordings: list[str]
    guidance: list[str]
    tags: list[str] = field(default_factory=list)
    section: str | None = None
    order: int = 0


@dataclass
class Placed:
    """Where a field was found and the text that answers it."""

    key: str
    lines: list[str] = field(default_factory=list)
    placeholder: bool = False
    score: float = 0.0
    location: Location | None = None
    found: bool = False


@dataclass
class Mapped:
    """The result of mapping one document: raw header values, answers by question id, grade, leftovers."""

    header: dict[str, Placed]
    answers: dict[str, Placed]
    grade_value: str | None
    grade_problem: str | None
    unmatched_text: list[str]


def _fields(template: Template) -> list[Field]:
    fields = [Field(f"header:{h.key}", [h.label, *h.aliases], [], order=i) for i, h in enumerate(template.header)]
    for s in template.sections:
        for q in s.questions:
            fields.append(Field(q.id, [q.wording, *q.aliases], list(q.guidance), [*q.tags, q.id], s.title,
                                len(fields)))
    return fields


def _section_spans(units: list[Unit], template: Template) -> dict[str, range]:
    """Where each section's printed title sits: its span runs to the next title found."""
    starts: dict[str, int] = {}
    for s in template.sections:
        title = normalise(s.title)
        for u in units:
            first = u.lines[0].text if u.lines else ""
            if first and len(first) < 100 and fuzz.ratio(normalise(_label_text(first)), title) >= 85:
                starts[s.title] = u.index
                break
    ordered = sorted(starts.items(), key=lambda kv: kv[1])
    spans = {}
    for i, (title, start) in enumerate(ordered):
        end = ordered[i + 1][1] if i + 1 < len(ordered) else len(units) + 1
        spans[title] = range(start, end)
    return spans


def _label_text(line: str) -> str:
    """A line as a label: printed number removed, trailing colon removed."""
    return _NUMBER.sub("", line, count=1).strip().rstrip(":").strip()


_WORD = re.compile(r"[a-z0-9']+")


def _subset_score(cand: str, target: str, questionish: bool) -> float:
    """A shortened wording: every word of the candidate is in the target and it keeps a good part of it."""
    c, t = set(_WORD.findall(cand)), set(_WORD.findall(target))
    if len(c) < (3 if questionish else 4) or not t:
        return 0.0
    inside = len(c & t)
    if inside / len(c) < 0.9 or inside / len(t) < 0.35:
        return 0.0
    return 75 + 20 * inside / len(t)


def _match_label(unit: Unit, f: Field) -> tuple[float, int, str]:
    """Score a unit's opening lines against a field: (score 0-100, lines consumed, text after a colon)."""
    texts = [ln.text for ln in unit.lines if ln.text.strip()]
    if not texts:
        return 0.0, 0, ""
    best = (0.0, 0, "")
    targets = [normalise(w) for w in f.wordings]
    with_guidance = [normalise(" ".join([w, *f.guidance])) for w in f.wordings] if f.guidance else []
    for n in range(1, min(3, len(texts)) + 1):
        joined = " ".join(texts[:n])
        cand = normalise(_label_text(joined))
        if not cand:
            continue
        questionish = cand.endswith("?") or bool(_NUMBER.match(joined))
        score = max(max(fuzz.ratio(cand, t), _subset_score(cand, t, questionish)) for t in targets + with_guidance)
        if score > best[0]:
            best = (score, n, "")
    # "Label: value" on one line (header fields typed as paragraphs or in one cell).
    first = texts[0]
    if ":" in first[:80]:
        label, _, value = first.partition(":")
        score = max(fuzz.ratio(normalise(_label_text(label)), t) for t in targets)
        if score > best[0] and value.strip():
            best = (score, 1, value.strip())
    return best


def _is_guidance(line: str, f: Field) -> bool:
    norm = normalise(line)
    if not norm:
        return True
    return any(fuzz.ratio(norm, normalise(g)) >= 85 for g in f.guidance) or (
        norm.startswith("(") and norm.endswith(")") and len(norm) < 120 and f.key.startswith("header:")
    )


def _assign(units: list[Unit], fields: list[Field], spans: dict[str, range]) -> dict[int, tuple[Field, float, int, str]]:
    """Pick one unit per field, best scores first; a content-control tag naming a field wins outright.

    Fields that share a wording (e.g. 'Good practice' in every section) prefer units inside their section's
    span, and otherwise pair with units in template order.
    """
    by_key = {f.key: f for f in fields}
    wording_count: dict[str, int] = {}
    for f in fields:
        wording_count[normalise(f.wordings[0])] = wording_count.get(normalise(f.wordings[0]), 0) + 1
    chosen: dict[int, tuple[Field, float, int, str]] = {}
    used: set[str] = set()
    for u in units:
        for tag in sorted(u.tags):
            f = by_key.get(tag) or next((x for x in fields if tag in x.tags), None)
            if f and f.key not in used and u.index not in chosen:
                chosen[u.index] = (f, 100.0, 0, "")  # the tagged control holds the answer itself
                used.add(f.key)
    candidates = []
    for u in units:
        if u.index in chosen or len(u.text) > 1500:
            continue
        for f in fields:
            if f.key in used:
                continue
            score, consumed, inline = _match_label(u, f)
            shared = wording_count[normalise(f.wordings[0])] > 1
            if shared and f.section in spans and u.index not in spans[f.section]:
                score -= 12
            if score >= LABEL_THRESHOLD:
                candidates.append((-score, u.col or 0, u.index, f.order, f.key, consumed, inline))
    candidates.sort()
    for neg, _col, idx, _order, key, consumed, inline in candidates:
        if idx in chosen or key in used:
            continue
        chosen[idx] = (by_key[key], -neg, consumed, inline)
        used.add(key)
    return chosen


def _answer_lines(lines: list[Line]) -> tuple[list[str], bool]:
    texts = [ln.text.strip() for ln in lines if ln.text.strip() and not ln.placeholder]
    return texts, any(ln.placeholder for ln in lines)


def _merge_location(a: Location | None, b: Location) -> Location:
    if a is None:
        return b
    pages = sorted({p for p in [*(a.pages or []), a.page, *(b.pages or []), b.page] if p is not None})
    return a.model_copy(update={"pages": pages or None})


def map_document(raw: RawDocument, template: Template) -> Mapped:
    """Map a document onto a template: every header field and question gets a Placed, found or not."""
    units = build_units(raw)
    fields = _fields(template)
    grade_units, grade_value, grade_problem = read_grade(units, template)
    labelled = _assign([u for u in units if u.index not in grade_units], fields, _section_spans(units, template))
    placed = {f.key: Placed(f.key) for f in fields}
    unmatched: list[str] = []

    current: Placed | None = None
    current_unit: Unit | None = None
    for u in units:
        if u.index in grade_units:
            current = None
            continue
        if u.index in labelled:
            f, score, consumed, inline = labelled[u.index]
            p = placed[f.key]
            p.found, p.score, p.location = True, score / 100, u.location
            rest = [ln for ln in u.lines if ln.text.strip()][consumed:]
            rest = [ln for ln in rest if not _is_guidance(ln.text, f)] if consumed else rest
            texts, placeholder = _answer_lines(rest)
            p.lines.extend([inline] if inline else [])
            p.lines.extend(texts)
            p.placeholder |= placeholder or (consumed == 0 and any(ln.placeholder for ln in u.lines))
            if texts and consumed:
                p.location = u.location
            current, current_unit = p, u
            continue
        text_lines, placeholder = _answer_lines(u.lines)
        if current is None or current_unit is None or not _belongs(u, current_unit):
            current = None
            if u.in_table and text_lines and not _is_label_only(u, template):
                unmatched.append(" ".join(text_lines)[:200])
            continue
        if u.in_table and current_unit.col is not None and (u.col or 0) < current_unit.col and u.row != current_unit.row:
            if text_lines and not _is_label_only(u, template):
                unmatched.append(" ".join(text_lines)[:200])
            continue
        if u.in_table and u.row == current_unit.row and (u.col or 0) < (current_unit.col or 0):
            continue  # section label or letter to the left of the question
        if _is_label_only(u, template):
            continue
        if text_lines and not current.lines:
            current.location = u.location
        elif text_lines and current.location is not None:
            current.location = _merge_location(current.location, u.location)
        current.lines.extend(text_lines)
        current.placeholder |= placeholder

    for p in placed.values():
        p.lines = strip_list_numbers([strip_bullet(line) for line in p.lines])
    header = {k.split(":", 1)[1]: v for k, v in placed.items() if k.startswith("header:")}
    answers = {k: v for k, v in placed.items() if not k.startswith("header:")}
    return Mapped(header, answers, grade_value, grade_problem, unmatched)


def _belongs(u: Unit, label: Unit) -> bool:
    """Whether a unit can continue the answer to the label before it: same table, or paragraphs after a paragraph."""
    if label.in_table:
        return u.table == label.table
    return not u.in_table


_COLUMN_HEADINGS = {"question", "questions", "answer", "answers", "response", "responses", "section", "ref",
                    "number", "comments", "comment", "evidence", "area", "details", "notes"}


def _is_label_only(u: Unit, template: Template) -> bool:
    """Letters like 'b.', column headings and section titles the template prints are not answers."""
    text = u.text.strip()
    if not text:
        return True
    if _LETTER_LABEL.match(text) or normalise(text) in _COLUMN_HEADINGS:
        return True
    norm = normalise(text)
    return any(fuzz.ratio(norm, normalise(s.title)) >= 85 for s in template.sections)


def question_label(q: Question) -> str:
    """The wording shown to users for a question, with its printed number when it has one."""
    return f"{q.number}. {q.wording}" if q.number else q.wording
