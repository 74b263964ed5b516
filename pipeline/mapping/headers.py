"""Header lines that differ from the template: two 'Label: value' pairs on one line, and fields it lacks.

``split_label_pairs`` cuts 'Date of audit: 12/04/2024   Case status: Open' (tabs, two or more spaces or ' | '
between the pairs, or one space before a header label the template knows) into one unit per pair, so each
label gets its own value. ``extra_header`` keeps the header fields the form prints and the template has no
field for (a case status, an audit theme, a reviewer), under the form's own label, so none is dropped.
"""

from __future__ import annotations

import re

from pipeline.mapping.labels import LABEL_THRESHOLD, Matcher

PAGE_HEADER = "page-header"  # the style extractors give page-header paragraphs
from pipeline.mapping.layout import Line, Unit
from pipeline.text import normalise

_SEP = re.compile(r"\t+|[ \u00a0]{2,}|\s+\|\s+")
# 'Label:' at the start of a piece; a colon followed by a digit is a time ('10:30'), not a label's
_LABEL = re.compile(r"^\s*([A-Za-z][^:\n]{0,58}?)\s*:(?!\d)")
_NOT_FIELDS = {"note", "notes", "nb", "please note", "guidance", "instructions", "important", "please",
               "question", "answer", "comments", "comment", "response"}
_COLUMN_WORDS = {"question", "questions", "answer", "answers", "response", "responses", "section", "ref", "number",
                 "comments", "comment", "evidence", "area", "details", "notes", "yes", "no", "n/a"}
_GROUP_BASE = 1_000_000  # pieces of one line share a group no cell split by _split_merged can have


def _short_label(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= 60 and len(text.split()) <= 8 and text[:1].isalpha() and \
        not re.search(r"[.?!;]$", text) and normalise(text).rstrip(":") not in _NOT_FIELDS


def _known_labels(matcher: Matcher) -> list[re.Pattern]:
    """Patterns for the template's header labels followed by a colon, to find one typed after a value."""
    out = []
    for f in matcher.fields:
        if f.key.startswith("header:"):
            for w in f.wordings:
                words = w.rstrip(":").split()
                if words:
                    out.append(re.compile(r"(?<=\s)(" + r"\s+".join(map(re.escape, words)) + r")\s*(?:\([^()]*\))?\s*:",
                                          re.I))
    return out


def _pairs(line: str, known: list[re.Pattern]) -> list[str]:
    """The 'Label: value' pairs of one line, in order; [line] when it is not two or more of them."""
    first = _LABEL.match(line)
    if line.count(":") < 2 or not first or not _short_label(first.group(1)):
        return [line]
    cuts = {0}
    ends: dict[int, int] = {}  # a cut -> where the piece before it ends (the separator is in neither)
    for sep in _SEP.finditer(line):
        m = _LABEL.match(line[sep.end():])
        if m and _short_label(m.group(1)):
            cuts.add(sep.end())
            ends[sep.end()] = sep.start()
    for pattern in known:
        for m in pattern.finditer(line):
            before = max(c for c in cuts if c <= m.start(1))
            label, colon, value = line[before:m.start(1)].partition(":")
            if colon and value.strip():  # a value is typed before it: the known label starts a second pair
                cuts.add(m.start(1))
    ordered = sorted(cuts)
    pieces = [line[a:ends.get(b, b)].strip() for a, b in zip(ordered, ordered[1:] + [len(line)])]
    return [p for p in pieces if p] if len(ordered) > 1 else [line]


# a label typed inside a value cell that only says the value is a name: 'Child: | Name: Amelia ...'
_NAME_LABEL = re.compile(r"^\s*(?:full\s+)?names?(?:\s*\(s\))?\s*:\s*(?=\S)", re.I)


def _value_pairs(line: str, known: list[re.Pattern]) -> list[str]:
    """The pieces of a value cell beside a label cell: 'Amelia    DOB: 03/02/2019' is the value, then a
    pair of its own; 'Name: Amelia  DOB: 03/02/2019' is the value under a 'Name' label, then a pair."""
    first = _LABEL.match(line)
    if first and not _SEP.search(first.group(1)):
        pieces = _pairs(line, known)
        if len(pieces) > 1 and _NAME_LABEL.match(pieces[0]):
            pieces[0] = pieces[0][_NAME_LABEL.match(pieces[0]).end():].strip()
        return pieces
    for sep in _SEP.finditer(line):
        m = _LABEL.match(line[sep.end():])
        if m and _short_label(m.group(1)) and line[sep.end() + m.end():].strip() and line[:sep.start()].strip():
            return [line[:sep.start()].strip(), *_pairs(line[sep.end():], known)]
    return [line]


def _label_cell_before(units: list[Unit], k: int) -> bool:
    """Whether the unit before units[k] is a 'Label:' cell on the same table row, left of it."""
    u, left = units[k], units[k - 1] if k else None
    return bool(u.in_table and left is not None and left.in_table and (left.table, left.row) == (u.table, u.row)
                and (left.col or 0) < (u.col or 0) and len(left.lines) == 1 and left.text.strip().endswith(":"))


def _header_match(piece: str, matcher: Matcher) -> bool:
    found = matcher.match_unit(Unit(0, [Line(piece)], None), headers_only=True)  # type: ignore[arg-type]
    return any(m.inline for m in found.values())


def split_label_pairs(units: list[Unit], matcher: Matcher) -> list[Unit]:
    """Units with each 'Label: value' pair of a shared line (or of a cell of such lines) as a unit of its own.

    Only the header part of a form is cut: before its first question, or a page header. There a line of two
    or more pairs is cut, and a cell whose lines are each one pair when two of its labels are header labels
    of the template. Answers ('Strengths: ...  Concerns: ...') are never cut.
    """
    known = _known_labels(matcher)
    first_question: list[int] = []

    def before_questions(index: int) -> bool:
        if not first_question:
            first_question.append(next((u.index for u in units if u.lines and
                                        matcher.best_question(u.lines[:3]).score >= LABEL_THRESHOLD), len(units)))
        return index < first_question[0]

    out: list[Unit] = []
    for k, u in enumerate(units):
        lines = [ln for ln in u.lines if ln.text.strip()]
        if not lines or ":" not in u.text:
            out.append(u)
            continue
        pairs = _value_pairs if len(lines) == 1 and _label_cell_before(units, k) else _pairs
        split = [(pairs(ln.text, known), ln) for ln in lines]
        pieces = [(piece, ln) for found, ln in split for piece in found]
        several = any(len(found) > 1 for found, _ln in split)
        header_part = u.style == PAGE_HEADER or before_questions(u.index)  # never inside an answer
        if several:
            cut = header_part
        else:
            cut = header_part and len(lines) > 1 and all(
                (m := _LABEL.match(ln.text)) and _short_label(m.group(1)) and ln.text[m.end():].strip() for ln in lines
            ) and sum(_header_match(ln.text, matcher) for ln in lines) >= 2
        if not cut:
            out.append(u)
            continue
        for k, (piece, ln) in enumerate(pieces):
            out.append(Unit(0, [Line(piece, ln.list_item, ln.placeholder, ln.tags)], u.location, u.table, u.row,
                            u.col, u.checkboxes if k == 0 else [], u.style, _GROUP_BASE + u.index, u.span, u.shading))
    for i, u in enumerate(out):
        u.index = i
    return out


def _later_pair(u: Unit, units: list[Unit]) -> bool:
    """A 'Label: value' piece cut from a value cell after its first piece: a field of its own, not the value."""
    prev = units[u.index - 1] if u.index else None
    return bool(u.group is not None and u.group >= _GROUP_BASE and prev is not None and prev.group == u.group
                and (m := _LABEL.match(u.text)) and _short_label(m.group(1)))


def _is_value(u: Unit | None, taken: set[int]) -> bool:
    text = u.text.strip() if u is not None else ""
    return bool(text) and u.index not in taken and not text.endswith(":") and normalise(text) not in _COLUMN_WORDS


def extra_header(units: list[Unit], labelled: dict, labelish: set[int], claims: dict[int, int],
                 grade_units: set[int]) -> tuple[dict[str, list[str]], set[int]]:
    """Header fields the form prints and the template lacks: form label -> value lines, and the units they use.

    Looked for before the first question found, in a table that holds header fields and no question, and
    beside a header field on its line: a 'Label: value' line, a short label cell with its value in the cell
    to its right, or (labels printed over their values) in the cell below.
    """
    questions = [i for i, (f, _m) in labelled.items() if not f.key.startswith("header:")]
    first_q = min(questions, default=0)  # no question found: too unlike the template to guess at its header
    question_rows: dict[int, int] = {}
    for i in questions:
        if units[i].in_table:
            question_rows[units[i].table] = min(question_rows.get(units[i].table, units[i].row), units[i].row)
    header_at = [i for i, (f, _m) in labelled.items() if f.key.startswith("header:")]
    header_tables = {units[i].table for i in header_at if units[i].in_table} - {units[i].table for i in questions}
    pair_groups = {units[i].group for i in header_at if units[i].group is not None and units[i].group >= _GROUP_BASE}
    taken = set(labelled) | set(claims) | set(grade_units) | labelish
    # the cells right of a label the template knows hold its value
    taken |= {o.index for i in taken if units[i].in_table for o in units[i + 1:i + 4]
              if (o.table, o.row) == (units[i].table, units[i].row) and (o.col or 0) > (units[i].col or 0)
              and not _later_pair(o, units)}
    at = {(u.table, u.row, u.col): u for u in units if u.in_table and u.group is None}
    rows = sorted({(u.table, u.row) for u in units if u.in_table})
    extra: dict[str, list[str]] = {}
    used: set[int] = set()

    def add(label: str, value: list[str], *indices: int) -> None:
        label = " ".join(label.split()).rstrip(":").strip()
        key, n = label, 2
        while key in extra:
            key, n = f"{label} ({n})", n + 1
        extra[key] = value
        used.update(indices)

    for u in units:
        if u.index in taken or u.index in used or u.style == PAGE_HEADER:
            continue
        before = u.index < first_q and (not u.in_table or u.row < question_rows.get(u.table, u.row + 1))
        if not (before or (u.in_table and u.table in header_tables) or u.group in pair_groups):
            continue
        lines = [ln.text.strip() for ln in u.lines if ln.text.strip()]
        if not lines or len(lines) > 2 or any(len(t) > 150 for t in lines):
            continue  # a header value is a line or two; longer text is an answer or the form's own notes
        label, colon, value = lines[0].partition(":")
        if colon and _short_label(label) and value.strip():
            add(label, [lines[0][len(label) + 1:].strip(), *lines[1:]], u.index)
            continue
        if not u.in_table or len(lines) != 1 or not _short_label(lines[0].rstrip(":")) or \
                normalise(lines[0]).rstrip(":") in _COLUMN_WORDS:
            continue
        right = units[u.index + 1] if u.index + 1 < len(units) else None
        if right is not None and (right.table, right.row) != (u.table, u.row):
            right = None
        if right is not None and right.text.strip() and right.index not in taken:
            if _is_value(right, taken | used) and len(right.text.split("\n")) <= 2 and len(right.text) <= 150:
                add(lines[0], [ln.text.strip() for ln in right.lines if ln.text.strip()], u.index, right.index)
            continue
        if right is not None and right.index not in taken:
            if lines[0].endswith(":"):
                add(lines[0], [], u.index, right.index)  # an empty value cell: a printed label left blank
            continue
        later = [r for t, r in rows if t == u.table and r > (u.row or 0)]
        below = at.get((u.table, later[0], u.col)) if later else None
        if below is not None and _is_value(below, taken | used) and u.group is None and len(below.text) <= 150:
            add(lines[0], [ln.text.strip() for ln in below.lines if ln.text.strip()], u.index, below.index)
    return extra, used
