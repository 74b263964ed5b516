"""Mapping: place what a file says under the template's header fields, questions and grade. Done once, here.

Labels (question wordings, header labels) are found by fuzzy matching, never by printed number; each label
then collects the text that follows it: cells to its right, lines typed under it inside its own cell, the
cell below it, rows added below it, or paragraphs after it, until the next label. The rules, with
examples, are in docs/mapping.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from models.raw import Location, RawDocument
from models.template import AnswerKind, Question, Template
from pipeline.mapping.grades import read_grade
from pipeline.mapping.grids import read_grids
from pipeline.mapping.headers import PAGE_HEADER, extra_header, split_label_pairs
from pipeline.mapping.labels import (
    LABEL_THRESHOLD, NUMBER, Field, LabelMatch, Matcher, label_text, matcher_for,
)
from pipeline.mapping.layout import (Line, Unit, build_units, choice_tail, read_choice_cells, strip_bullet,
                                    strip_list_numbers)
from pipeline.text import normalise

_LETTER_LABEL = re.compile(r"^\s*(?:[a-z]|[ivx]{1,4}|\d{1,2})\s*[.)]?\s*$", re.I)
# Closing lines printed on forms; never answers, never unmatched.
_BOILERPLATE = re.compile(r"^\s*(?:thank\s+you\b|end\s+of\s+(?:the\s+)?(?:form|audit|document|tool)|"
                          r"please\s+return\s+(?:this|the|your)\b)", re.I)
_HEADING_STYLE = re.compile(r"^(?:heading|title|subtitle)\b", re.I)



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
    extra_header: dict[str, list[str]] = field(default_factory=dict)



def _section_spans(units: list[Unit], template: Template) -> dict[str, range]:
    """Where each section's printed title sits: its span runs to the next title found."""
    starts: dict[str, int] = {}
    titles = [(s.title, normalise(s.title)) for s in template.sections]
    for u in units:
        first = u.lines[0].text if u.lines else ""
        if not first or len(first) >= 100:
            continue
        norm = normalise(label_text(first))
        for title, target in titles:
            if title not in starts and fuzz.ratio(norm, target) >= 85:
                starts[title] = u.index
                break
    ordered = sorted(starts.items(), key=lambda kv: kv[1])
    spans = {}
    for i, (title, start) in enumerate(ordered):
        end = ordered[i + 1][1] if i + 1 < len(ordered) else len(units) + 1
        spans[title] = range(start, end)
    return spans


def _split_merged(units: list[Unit], matcher: Matcher) -> list[Unit]:
    """Cut a cell holding two questions (rows merged) into one unit per question, in reading order.

    A later line starts a new unit when it reads as another question's wording; the pieces share the
    cell's ``group`` so one answer cell beside them can be shared out (see ``_share_answer``).
    """
    out: list[Unit] = []
    for u in units:
        lines = [ln for ln in u.lines if ln.text.strip()]
        if len(lines) < 2 or u.style == PAGE_HEADER:
            out.append(u)
            continue
        first = matcher.best_question(lines[:1])  # each question's wording starts on its own line
        if first.score < LABEL_THRESHOLD:
            out.append(u)
            continue
        cuts = [0]
        for k in range(1, len(lines)):
            here = matcher.best_question(lines[k:k + 1])
            text = lines[k].text.strip()
            questionish = text.endswith("?") or bool(NUMBER.match(text))
            if here.score >= LABEL_THRESHOLD + (0 if questionish else 7) and here.field != first.field \
                    and not matcher.is_guidance(text, first.field):
                cuts.append(k)
                first = here
        if len(cuts) == 1:
            out.append(u)
            continue
        for a, b in zip(cuts, cuts[1:] + [len(lines)]):
            out.append(Unit(0, lines[a:b], u.location, u.table, u.row, u.col, u.checkboxes if a == 0 else [],
                            u.style, u.index))
    for i, u in enumerate(out):
        u.index = i
    return out


def _assign(units: list[Unit], fields: list[Field], matches: dict[int, dict[int, LabelMatch]],
            spans: dict[str, range]) -> tuple[dict[int, tuple[Field, LabelMatch]], dict[int, int]]:
    """Pick one unit per field, best scores first; a content-control tag naming a field wins outright.

    Returns unit index -> (field, match), and field position -> unit index for fields placed by a tag.

    Fields that share a wording (e.g. 'Good practice' in every section) prefer units inside their section's
    span, and otherwise pair with units in template order.
    """
    by_key = {f.key: f for f in fields}
    wording_count: dict[str, int] = {}
    for f in fields:
        wording_count[normalise(f.wordings[0])] = wording_count.get(normalise(f.wordings[0]), 0) + 1
    chosen: dict[int, tuple[Field, LabelMatch]] = {}
    used: set[str] = set()
    position = {f.key: i for i, f in enumerate(fields)}
    tagged: dict[int, int] = {}
    for u in units:
        for tag in sorted(u.tags):
            f = by_key.get(tag) or next((x for x in fields if tag in x.tags), None)
            if f and f.key not in used and u.index not in chosen:
                # the tagged control holds the answer; lines before it in the cell are the printed question
                before = 0
                for ln in u.lines:
                    if tag in ln.tags:
                        break
                    before += bool(ln.text.strip())
                chosen[u.index] = (f, LabelMatch(position[f.key], 100.0, before, ""))
                tagged[position[f.key]] = u.index
                used.add(f.key)
    candidates = []
    for idx, per_field in matches.items():
        if idx in chosen:
            continue
        adjusted = {}
        for pos, m in per_field.items():
            f = fields[pos]
            score = m.score
            if wording_count[normalise(f.wordings[0])] > 1 and (
                    idx not in spans[f.section] if f.section in spans else
                    any(idx in span for span in spans.values())):  # inside another section's printed span
                score -= 12
            adjusted[pos] = score
        # a label whose best field is taken (by a tag, say) does not fall back to a clearly weaker one
        top = max(adjusted.values())
        for pos, score in adjusted.items():
            if fields[pos].key not in used and score >= LABEL_THRESHOLD and score >= top - 6:
                candidates.append((-score, units[idx].col or 0, idx, fields[pos].order, pos))
    candidates.sort()
    for neg, _col, idx, _order, pos in candidates:
        f = fields[pos]
        if idx in chosen or f.key in used:
            continue
        chosen[idx] = (f, matches[idx][pos]._replace(score=-neg))
        used.add(f.key)
    return chosen, tagged


def _answer_lines(lines: list[Line]) -> tuple[list[str], bool]:
    texts = [ln.text.strip() for ln in lines if ln.text.strip() and not ln.placeholder]
    return texts, any(ln.placeholder for ln in lines)


def _merge_location(a: Location | None, b: Location) -> Location:
    if a is None:
        return b
    pages = sorted({p for p in [*(a.pages or []), a.page, *(b.pages or []), b.page] if p is not None})
    return a.model_copy(update={"pages": pages or None})


def _after(lines: list[Line], consumed: int) -> list[Line]:
    """The lines after the first ``consumed`` non-empty ones (empty placeholder lines kept)."""
    seen = 0
    for i, ln in enumerate(lines):
        if seen == consumed:
            return lines[i:]
        seen += bool(ln.text.strip())
    return []


def _value_slots(units: list[Unit], labelled: dict, labelish: set[int],
                 matches: dict[int, dict[int, LabelMatch]]) -> dict[int, int]:
    """Cells that hold the value of a printed label: the cell to its right, or else the one below it.

    A value may read like a label ('Child A' beside 'Child:'): it is still the value when every field it
    could label is placed elsewhere, so it leaves ``labelish``. Returns the cells below their label:
    unit index -> label unit index (a label cell with nothing typed in it and no answer cell to its
    right, because the next cell is another label or there is none, takes the cell directly below it).
    """
    placed_fields = {m.field for _f, m in labelled.values()}

    def spent(idx: int) -> bool:
        return idx in labelish and idx not in labelled and set(matches[idx]) <= placed_fields

    for idx, (_f, m) in labelled.items():
        u = units[idx]
        nxt = units[idx + 1] if idx + 1 < len(units) else None
        if u.in_table and m.consumed and not m.inline and nxt is not None and nxt.table == u.table \
                and nxt.row == u.row and spent(nxt.index):
            labelish.discard(nxt.index)
    at = {(u.table, u.row, u.col): u for u in units if u.in_table and u.group is None}
    rows_of: dict[int, list[int]] = {}
    for u in units:
        if u.in_table:
            rows_of.setdefault(u.table, []).append(u.row)
    claims: dict[int, int] = {}
    for idx, (_f, m) in labelled.items():
        u = units[idx]
        if not u.in_table or u.group is not None or m.inline or m.consumed == 0:
            continue  # only a printed label (not a tagged answer, not 'Label: value') has a value slot
        if any(ln.text.strip() for ln in [ln for ln in u.lines if ln.text.strip()][m.consumed:]):
            continue
        right = [o for o in units if o.table == u.table and o.row == u.row and (o.col or 0) > (u.col or 0)]
        if right and not (right[0].index in labelish or right[0].index in labelled):
            continue
        later = sorted({r for r in rows_of[u.table] if r > u.row})
        below = at.get((u.table, later[0], u.col)) if later else None
        if below is not None and below.index not in labelled and below.text.strip() and (
                below.index not in labelish or spent(below.index)):
            labelish.discard(below.index)
            claims[below.index] = idx
    return claims


def map_document(raw: RawDocument, template: Template) -> Mapped:
    """Map a document onto a template: every header field and question gets a Placed, found or not."""
    fields, matcher = matcher_for(template)
    options = [o for q in template.questions() for o in q.options]
    units = split_label_pairs(_split_merged(read_choice_cells(build_units(raw), options), matcher), matcher)
    grade_units, grade_value, grade_problem = read_grade(units, template)
    grid_units, grid_answers = read_grids(units, template, fields)
    grade_units = grade_units | grid_units  # taken before labels are matched, like the grade block
    matches = {u.index: matcher.match_unit(u, headers_only=u.style == PAGE_HEADER)
               for u in units if u.index not in grade_units and len(u.text) <= 1500}
    matches = {k: v for k, v in matches.items() if v}
    labelish = {idx for idx, per in matches.items() if max(m.score for m in per.values()) >= LABEL_THRESHOLD}
    labelled, tagged = _assign(units, fields, matches, _section_spans(units, template))
    claims = _value_slots(units, labelled, labelish, matches)
    extra, extra_units = extra_header(units, labelled, labelish, claims, grade_units)
    questions = [i for i, (f, _m) in labelled.items() if not f.key.startswith("header:")]
    region = range(min(questions), max(questions)) if questions else range(0)
    placed = {f.key: Placed(f.key) for f in fields}
    yes_no = {q.id for q in template.questions() if q.kind == AnswerKind.yes_no_comments}
    for key, u in grid_answers.items():
        p = placed[key]
        p.found, p.score = True, 1.0
        _add(p, u, *_answer_lines(u.lines))
        p.location = p.location or u.location
    unmatched: list[str] = []
    shared: list[Placed] = []  # questions split from one cell, waiting for the answer cell beside them
    shared_group: int | None = None

    current: Placed | None = None
    current_unit: Unit | None = None
    boxed = False  # the current label is a printed question paragraph with nothing typed in it: a box may follow
    current_field = -1
    for u in units:
        if u.index in grade_units or u.index in extra_units:
            current = None
            continue
        if u.index in claims:
            f, m = labelled[claims[u.index]]
            current, current_unit, current_field, boxed = placed[f.key], u, m.field, False
            _add(current, u, *_answer_lines(u.lines))
            continue
        if u.index in labelled:
            f, m = labelled[u.index]
            p = placed[f.key]
            p.found, p.score, p.location = True, m.score / 100, u.location
            rest = _after(u.lines, m.consumed)
            rest = [ln for ln in rest if not matcher.is_guidance(ln.text, m.field)] if m.consumed else rest
            if f.key in yes_no and m.consumed and not m.inline and (tail := choice_tail(u.lines)):
                rest = [Line(tail), *rest]  # 'Was the plan reviewed? Yes / ~~No~~': marked after the wording
            texts, placeholder = _answer_lines(rest)
            p.lines.extend([m.inline] if m.inline else [])
            p.lines.extend(texts)
            p.placeholder |= placeholder
            if texts and m.consumed:
                p.location = u.location
            if u.group is not None and u.group == shared_group and shared:
                shared.append(p)
            else:
                shared, shared_group = [p], u.group
            current, current_unit, current_field = p, u, m.field
            # printed whole (a line with more than the wording may hold its answer) and nothing typed after it
            boxed = bool(m.consumed) and not texts and not m.inline and not u.in_table and m.score >= 90
            if (m.inline and f.key.startswith("header:")) or u.style == PAGE_HEADER:
                current, shared = None, []  # a header's "Label: value" on one line is complete
            continue
        if u.style == PAGE_HEADER:
            current, shared = None, []
            continue
        if u.index in labelish and not set(matches[u.index]) <= {current_field}:
            # A label whose field was placed elsewhere: the printed question of a tagged control after it
            # gathers what is typed before the control; any other ends the answer before it.
            f_pos = max(matches[u.index].values(), key=lambda m: m.score).field
            at = tagged.get(f_pos)
            current, shared, current_field = None, [], f_pos
            if at is not None and at > u.index and not any(i in labelled for i in range(u.index + 1, at)):
                current, current_unit, boxed = placed[fields[f_pos].key], u, False
            continue
        text_lines, placeholder = _answer_lines(u.lines)
        if not u.in_table and _HEADING_STYLE.match(u.style) and not _is_label_only(u, template):
            current, shared = None, []
            continue
        if current is None or current_unit is None or not _belongs(u, current_unit, units, boxed and not current.lines):
            current, shared = None, []
            if text_lines and not _is_label_only(u, template) and not _BOILERPLATE.match(text_lines[0]) and (
                    u.in_table or (u.index in region and not text_lines[-1].endswith(":"))):
                unmatched.append(" ".join(text_lines)[:200])
            continue
        if u.in_table and current_unit.col is not None and (u.col or 0) < current_unit.col and u.row != current_unit.row:
            if text_lines and not _is_label_only(u, template):
                unmatched.append(" ".join(text_lines)[:200])
            continue
        if u.in_table and u.row == current_unit.row and (u.col or 0) < (current_unit.col or 0):
            continue  # section label or letter to the left of the question
        if _is_label_only(u, template) or (text_lines and _BOILERPLATE.match(text_lines[0])):
            continue
        text_lines = [t for t in text_lines if not matcher.is_guidance(t, current_field)]
        if len(shared) > 1 and text_lines and not any(s.lines for s in shared):
            current = _share_answer(shared, u, text_lines, placeholder)
            shared = []
            continue
        _add(current, u, text_lines, placeholder)

    for p in placed.values():
        p.lines = strip_list_numbers([strip_bullet(line) for line in p.lines])
    header = {k.split(":", 1)[1]: v for k, v in placed.items() if k.startswith("header:")}
    answers = {k: v for k, v in placed.items() if not k.startswith("header:")}
    return Mapped(header, answers, grade_value, grade_problem, unmatched, extra)


def _add(p: Placed, u: Unit, text_lines: list[str], placeholder: bool) -> None:
    if text_lines and not p.lines:
        p.location = u.location
    elif text_lines and p.location is not None:
        p.location = _merge_location(p.location, u.location)
    p.lines.extend(text_lines)
    p.placeholder |= placeholder


def _share_answer(shared: list[Placed], u: Unit, text_lines: list[str], placeholder: bool) -> Placed:
    """One answer cell beside a cell holding several questions: one paragraph each when the counts agree.

    Otherwise the whole answer goes to the first question of the cell and the others stay unanswered
    (and are flagged as such), so no text is given twice.
    """
    if len(text_lines) == len(shared):
        for p, line in zip(shared, text_lines):
            _add(p, u, [line], placeholder)
        return shared[-1]
    _add(shared[0], u, text_lines, placeholder)
    return shared[0]


def _belongs(u: Unit, label: Unit, units: list[Unit], boxed: bool) -> bool:
    """Whether a unit can continue the answer to the label before it: same table, paragraphs after a paragraph,
    or, when ``boxed`` (a question printed as a paragraph with nothing typed in it), the first table after it:
    the answer box under the question."""
    if label.in_table:
        return u.table == label.table
    between = units[label.index + 1:u.index]
    if not u.in_table:
        return not any(o.in_table for o in between)  # an answer box under the question ends its answer
    if not boxed:
        return False
    # only the table that follows the label: nothing but paragraphs (its guidance) and that table between them;
    # a label or section title inside the table has already ended the answer before it gets here
    return all(not o.in_table or o.table == u.table for o in between)


_COLUMN_HEADINGS = {"question", "questions", "answer", "answers", "response", "responses", "section", "ref",
                    "number", "comments", "comment", "evidence", "area", "details", "notes"}


def _is_label_only(u: Unit, template: Template) -> bool:
    """Letters like 'b.', column headings, section titles and the grading title the template prints are not answers."""
    text = u.text.strip()
    if not text:
        return True
    if (_LETTER_LABEL.match(text) and normalise(text) not in ("y", "n")) or normalise(text) in _COLUMN_HEADINGS:
        return True  # a bare 'Y' or 'N' is a yes/no answer, not a list letter
    if len(text) < 60 and set(re.split(r"\s*(?:/|&|\band\b|,)\s*", normalise(text))) <= _COLUMN_HEADINGS:
        return True  # 'Comments / evidence'

    if len(text) > 120:
        return False
    norm = normalise(text).rstrip(":").strip()
    titles = [s.title for s in template.sections] + ([template.grading.title] if template.grading else [])
    return any(fuzz.ratio(norm, normalise(t)) >= 85 for t in titles)  # a PDF loses the heading style of a title


def question_label(q: Question) -> str:
    """The wording shown to users for a question, with its printed number when it has one."""
    return f"{q.number}. {q.wording}" if q.number else q.wording
