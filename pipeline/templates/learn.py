"""Learn a template from a blank audit tool: RawDocument in, an editable Template (and its YAML) out.

The rules read a form the way a person does: a short label beside an empty cell is a header field
(or, if it is not one of the record's header keys, a details question); a cell ending in '?', or
numbered, or any text beside an empty answer cell is a question; a label cell in the first column beside
question rows, or a short heading paragraph, starts a section; trailing 'Please explain.' sentences,
bracketed text and extra paragraphs in the question cell are guidance; rows under a 'Yes | No' header are
yes/no questions; option lines with tick boxes make a tick list; grade words make the grading. The
result is meant to be checked and edited by a person, then run through ``maap templates check``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from models.raw import Cell, Paragraph, RawDocument, Table
from models.template import (AnswerKind, GradeOption, Grading, HeaderField, Question, Section, Template)
from pipeline.text import CHOICE_NOTE, normalise

# printed numbers: '7.', '7a)', 'Q7', 'Q7.', '1.1', '2.3.', '(a)', '(iv)', '(3)'; a bare '3 visits' is not one
_NUMBER = re.compile(r"^\s*(?:q\s*(\d{1,2}(?:\.\d{1,2})?[a-z]?)[.):]?|(\d{1,2}(?:\.\d{1,2})+)[.):]?"
                     r"|(\d{1,2}[a-z]?)[.):]|\(([a-z]|[ivx]{1,4}|\d{1,2})\))\s+(?=\S)"
                     # '1a Was ...': a letter after the digits marks a reference even with no stop
                     r"|^\s*(\d{1,2}[a-z])\s+(?=[A-Z])", re.I)
_LETTER_ONLY = re.compile(r"^\s*(?:[a-z]|[ivx]{1,4}|\d{1,2})[.)]?\s*$", re.I)
_BOXES = "☐☒☑□■▢✓✔✗✘"
_BOX = re.compile(f"[{_BOXES}]")
_SENTENCE = re.compile(r"(?<=[.?!:])\s+(?=[A-Z(])")
_GUIDANCE_START = re.compile(r"^(please (explain|identify|give|state|provide|include|note|consider|describe any)"
                             r"|if not\b|if so\b|include\b|e\.g\.|eg\b|ie\b|i\.e\.|\(|note\b|for example\b|consider\b)",
                             re.I)
# 'Yes / No', 'Y/N', 'Yes or No', 'Yes / No / N/A', 'Yes | No | Not applicable': printed for a yes/no answer
_YES_NO = re.compile(r"^\s*\(?\s*(yes|y)\s*(?:/|\||\bor\b)\s*(no|n)"
                     r"(?:\s*(?:/|\||\bor\b)\s*(?:n\s*/\s*a|n\.a\.?|na|not applicable))?\s*\)?\s*$", re.I)

# header key -> pattern on a normalised label; order matters ('Child's initials and date of birth' is the child)
_HEADER_RULES: list[tuple[str, re.Pattern]] = [
    ("auditor", re.compile(r"\bauditor\b|\bcompleted by\b|^name of .*\bcompleting\b|^name of (the )?person (completing|auditing)"
                           r"|\bdesignated safeguarding lead\b|^dsl\b|\breviewer\b|^(officer|person|manager) completing\b")),
    ("child", re.compile(r"\bchild\b|\bchild's\b|\bchild/ren\b|\bchildren's\b|\byoung person\b|\bvulnerable adult\b"
                         r"|\bpatient\b|\bpupil\b|\blearner\b")),
    ("practitioner", re.compile(r"\bpractitioner|\blead professional\b|\b(allocated|key|named) worker\b")),
    ("agency", re.compile(r"\bagency\b|\borganisation\b|\borganization\b|^(name of )?(school|setting|service)\b|^agency"
                         r"|\bdepartment\b|\bdirectorate\b|^command\b")),
    ("date_of_audit", re.compile(r"^date\b|\bdate of audit\b|\baudit date\b")),
    ("theme", re.compile(r"\btheme\b|\baudit focus\b")),
    ("case_status", re.compile(r"\bcase status\b|\bstatus of (the )?case\b")),
]
# facts about the child that the record has no header key for ('Date of birth', 'NHS number'): details questions,
# even when they say 'child' or 'date'; a label that also names the child ('initials and date of birth') is the child
_DETAILS = re.compile(r"\b(birth|dob|d\.o\.b|nhs|number|no|address|postcode|gender|ethnicity|age)\b")
_NAMES_CHILD = re.compile(r"\b(name|names|initials|id|identifier)\b")
# a grade asked for with no options printed ('Overall grade: [drop-down]'): the record's four-point scale
_GRADE_TITLE = re.compile(r"^(overall )?(grade|grading|judgement|rating)$|^overall (grade|judgement|rating) of\b")
_FOUR_POINT = [("outstanding", "Outstanding"), ("good", "Good"), ("requires_improvement", "Requires improvement"),
               ("inadequate", "Inadequate")]
_GRADES: list[tuple[str, re.Pattern]] = [
    ("outstanding", re.compile(r"^outstanding\b")),
    ("requires_improvement", re.compile(r"^(requires improvement|requires? improvement|adequate|satisfactory|ri)\b")),
    ("inadequate", re.compile(r"^(inadequate|poor|unsatisfactory)\b")),
    ("good", re.compile(r"^good\b")),
]
_STOP = {"a", "an", "the", "of", "for", "to", "and", "or", "in", "on", "is", "are", "was", "were", "has", "have",
         "how", "what", "which", "do", "does", "did", "you", "your", "this", "that", "be", "been", "there", "any"}


@dataclass
class _Draft:
    """Mutable working state while walking the document; turned into a Template at the end."""

    title: str | None = None
    header: dict[str, HeaderField] = field(default_factory=dict)
    sections: list[tuple[str, list[dict]]] = field(default_factory=list)
    _title: str | None = None  # the section title waiting for its first question (see pending_title)
    grades: list[GradeOption] = field(default_factory=list)
    grading_title: str = "Grading"
    open: dict | None = None  # a question printed as a paragraph, still taking its guidance and answer box
    grade_label: str | None = None  # 'Overall grade:' with an empty space or a drop-down beside it
    # every title set and question added, in order, so sections can be rebuilt (see _grid_sections)
    events: list[tuple[str, object]] = field(default_factory=list)

    @property
    def pending_title(self) -> str | None:
        return self._title

    @pending_title.setter
    def pending_title(self, title: str | None) -> None:
        self._title = title
        self.events.append(("title", title))

    def add_question(self, q: dict) -> None:
        self.events.append(("question", q))
        _place(self.sections, self._title, q)
        self._title = None
        self.open = None


def _place(sections: list[tuple[str, list[dict]]], title: str | None, q: dict) -> None:
    """Add a question to the last section, or to a new one when a title waits (or there is no section yet)."""
    if title is not None or not sections:
        details = not q["required"] and not q["requires_date"]  # 'Date of birth' before any section
        sections.append((title or ("Details" if details else "Questions"), []))
    sections[-1][1].append(q)


def learn(raw: RawDocument, template_id: str, name: str | None = None, version: str = "1") -> Template:
    """A template read from a blank form: header fields, sections, questions, guidance, grading."""
    draft = _Draft()
    for block in raw.blocks:
        if isinstance(block, Paragraph):
            _paragraph(block, draft)
        elif not _answer_box(block, draft):
            _table(block, draft)
            draft.open = None
    _grid_sections(draft)
    from pipeline.templates.assessment import as_self_assessment  # Section 11 / 175: mark roles (issue 19)

    return as_self_assessment(_build(draft, template_id, name, version, raw.file), raw)


def _title_like(kind: str, value) -> bool:
    """Whether an event can be a section title: a heading, or a short question with no '?' and no options."""
    if kind in ("title", "header"):
        return True
    q = value
    return q["kind"] == AnswerKind.free_text and not q["options"] and not q["wording"].endswith("?") and \
        len(q["wording"].split()) <= 8 and q["required"]


def _grid_sections(draft: _Draft) -> None:
    """Sections that each repeat the same sub-questions, read as sections (a section x sub-question grid).

    'Recognition' then 'Key areas of good practice / Areas for development / Recommendations', repeated for
    each section, whether printed as paragraphs (each a heading to the rules above) or as table rows (the
    section title beside an empty cell, read as a question): each run of two or more wordings that recur,
    after a label that does not, is one section, its label the title and the run its questions, when two
    or more sections repeat the same run. Other questions keep their places.
    """
    asked = next((i for i, (kind, _v) in enumerate(draft.events) if kind == "question"), len(draft.events))
    items = [(i, kind, normalise(_event_label(kind, value)).rstrip(":").strip())
             for i, (kind, value) in enumerate(draft.events)
             if value is not None and (kind != "header" or i > asked)]  # a header label among the questions
    counts: dict[str, int] = {}
    for _i, _kind, label in items:
        counts[label] = counts.get(label, 0) + 1
    groups: list[tuple[int, list[int]]] = []
    k = 0
    while k < len(items):
        i, kind, label = items[k]
        run = []
        while k + 1 + len(run) < len(items) and counts[items[k + 1 + len(run)][2]] >= 2:
            run.append(k + 1 + len(run))
        if counts[label] == 1 and len(run) >= 2 and _title_like(kind, draft.events[i][1]):
            groups.append((k, run))
            k += 1 + len(run)
        else:
            k += 1
    # A grid's sections follow one another: a question printed between two of them (a standard's own
    # sub-standards before its repeated 'Rating / Action' rows) means the repeats are not a grid.
    for (_k, prev), (k, _run) in zip(groups, groups[1:]):
        if any(items[j][1] == "question" for j in range(prev[-1] + 1, k)):
            return
    runs = [tuple(items[r][2] for r in run) for _k, run in groups]
    if not runs or max(runs.count(r) for r in runs) < 2:
        return
    events = list(draft.events)
    for k, run in groups:
        i, kind, _label = items[k]
        if kind == "question":
            q = draft.events[i][1]
            events[i] = ("title", _title_case(q["wording"]))
        elif kind == "header":
            _take_back_header(draft, *draft.events[i][1])
            events[i] = ("title", _title_case(draft.events[i][1][1]))
        for r in run:
            j, sub_kind, _sub = items[r]
            if sub_kind == "title":
                events[j] = ("question", _question_from_texts([draft.events[j][1]], []))
    sections: list[tuple[str, list[dict]]] = []
    title = None
    for kind, value in events:
        if kind == "title":
            title = value
        elif kind == "question" and value is not None:
            _place(sections, title, value)
            title = None
    draft.sections = sections


def _event_label(kind: str, value) -> str:
    return value if kind == "title" else value[1] if kind == "header" else value["wording"]


def template_yaml(template: Template, source: str = "") -> str:
    """The template as YAML a person can edit, with a comment saying where it came from."""
    data = template.model_dump(mode="json", exclude_defaults=True)
    data["version"] = template.version
    head = (f"# Learned by 'maap templates learn' from {source}.\n" if source else "# Learned by 'maap templates learn'.\n")
    head += ("# Check header keys, section titles, guidance, kinds and options against the form, then run\n"
             "# 'maap templates check' on this file. Question ids are what the workbook lines answers up by:\n"
             "# keep them stable across versions of the form.\n")
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


# --- paragraphs ----------------------------------------------------------------------------------------

_PAGE_FURNITURE = {"page-header", "page-footer", "footnote"}


def _paragraph(p: Paragraph, draft: _Draft) -> None:
    text = p.text.strip()
    if not text or p.style in _PAGE_FURNITURE:  # "OFFICIAL", page numbers, footnotes: not the form
        return
    if _grade_line(text, p, draft):
        return
    if _choice_line(text, p, draft):
        return
    label = _label(text)
    if label is not None and _GRADE_TITLE.match(normalise(label)):
        draft.grade_label, draft.open = label, None
        return
    if label is not None:
        key = _header_key(label)
        if key:
            _add_header(draft, key, label)
            return
        if _is_details(normalise(label)):  # 'Date of birth:' on its own line: a details field
            draft.add_question(_details_question(label))
            return
    if draft.title is None and (p.style.lower().startswith("title") or len(text.split()) <= 12) and not text.endswith("?"):
        draft.title = text.rstrip(":")
        return
    q = _question_from_texts([text], p.tags)
    if q and q["wording"].endswith("?"):
        draft.add_question(q)
        draft.open = q
        return
    if draft.open is not None and not p.style.lower().startswith("heading") and (
            text.endswith(".") or _whole_italic(p)):
        # on a blank form, a sentence printed between a question and its answer space is guidance
        draft.open["guidance"].append(text.rstrip(":"))
        return
    if draft.sections and draft.sections[-1][1] and _GUIDANCE_START.match(text) and draft.pending_title is None:
        # guidance printed under a paragraph question belongs to it
        draft.sections[-1][1][-1]["guidance"].append(text.rstrip(":"))
        return
    draft.open = None
    if _is_heading(text, p):
        draft.pending_title = _title_case(text.rstrip(":").strip())


def _whole_italic(p: Paragraph) -> bool:
    """Printed in italics from end to end: how forms set guidance apart from the question above it."""
    end = len(p.text.rstrip())
    return any(s.style == "emphasis" and "italic" in s.detail and s.start <= len(p.text) - len(p.text.lstrip())
               and s.end >= end for s in p.spans)


_CHOICE_LABEL = re.compile(f"^([^{_BOXES}]{{2,80}}?)\\s*:?\\s*(?=[{_BOXES}])")


def _choice_line(text: str, p: Paragraph, draft: _Draft) -> bool:
    """A line of tick boxes: 'RAG rating: ☐ Red ☐ Amber ☐ Green' is a one-line tick-list question; bare boxes
    ('☐ Early Help ☐ Child in Need') or 'Yes / No' under a question printed as a paragraph are its answer."""
    options = [cb.label.strip() for cb in p.checkboxes if cb.label.strip()]
    label = None
    if len(options) < 2 and len(_BOX.findall(text)) >= 2:
        m = _CHOICE_LABEL.match(text)
        label = m.group(1).strip() if m else None
        options = [o.strip(" /,") for o in _BOX.split(text[m.end():] if m else text) if o.strip(" /,")]
    if label is None and draft.open is not None and _is_yes_no(text):
        draft.open["kind"], draft.open = AnswerKind.yes_no_comments, None
        return True
    if len(options) < 2:
        return False
    if all(_grade_value(o) for o in options):  # 'Overall grade: ☐ Outstanding ☐ Good ...': the grading
        for o in options:
            if all(g.value != _grade_value(o) for g in draft.grades):
                draft.grades.append(GradeOption(value=_grade_value(o), label=o))
        if label and len(label.split()) <= 4:
            draft.grading_title = label.rstrip(":")
        return True
    if label is not None:
        q = _question_from_texts([label], p.tags)
        if q is None:
            return False
        q["kind"], q["options"], q["requires_date"] = AnswerKind.tick_list, options, False
        draft.add_question(q)
        return True
    if draft.open is not None:
        draft.open.update(kind=AnswerKind.tick_list, options=options, requires_date=False)
        draft.open = None
        return True
    return False


def _answer_box(table: Table, draft: _Draft) -> bool:
    """A one-cell table under a question printed as a paragraph is its answer box: empty, or printing the
    choices ('Yes / No', tick boxes) that set the question's kind. Returns whether the table was that box."""
    if draft.open is None or len(table.rows) != 1 or len(table.rows[0].cells) != 1:
        return False
    cell = table.rows[0].cells[0]
    texts = _cell_texts(cell)
    if texts and not _is_answer_text(texts):
        return False
    options = _options([cell])
    if options:
        draft.open.update(kind=AnswerKind.tick_list, options=options, requires_date=False)
    elif texts and any(_is_yes_no(t) for t in texts):
        draft.open["kind"] = AnswerKind.yes_no_comments
    draft.open = None
    return True


def _is_heading(text: str, p: Paragraph) -> bool:
    if p.style.lower().startswith("heading"):
        return True
    return len(text.split()) <= 10 and not text.endswith((".", "?", ",", ";")) and not p.list_item


def _label(text: str) -> str | None:
    """'Label:' or 'Label: ' (nothing after the colon), short: the label text, else None."""
    m = re.match(r"^(.{2,80}?):\s*(?:\([^()]*\))?\s*$", text)  # a PDF line may carry '(delete as appropriate)'
    if m and len(m.group(1).split()) <= 10:
        return m.group(1).strip()
    return None


def _short_label(text: str) -> str | None:
    """A bare label with no colon ('Case status'): a few words, no sentence punctuation."""
    return text.strip() if len(text.split()) <= 6 and not re.search(r"[.?!]\s*$", text) else None


def _is_details(low: str) -> bool:
    return bool(_DETAILS.search(low)) and not _NAMES_CHILD.search(low)


def _details_question(label: str) -> dict:
    q = _question_from_texts([label], [])
    q["required"], q["requires_date"] = False, False
    return q


def _header_key(label: str) -> str | None:
    low = normalise(label)
    if len(low.split()) > 10 or low.endswith("?") or _is_details(low):
        return None
    for key, pattern in _HEADER_RULES:
        if pattern.search(low):
            return key
    return None


def _add_header(draft: _Draft, key: str, label: str) -> None:
    draft.events.append(("header", (key, label, key not in draft.header)))  # a section title may read as one
    if key in draft.header:
        h = draft.header[key]
        if label not in h.aliases and label != h.label:
            h.aliases.append(label)
    else:
        draft.header[key] = HeaderField(key=key, label=label, required=key not in ("theme", "case_status"))


def _take_back_header(draft: _Draft, key: str, label: str, created: bool) -> None:
    """Undo _add_header: the label was a section title ('Impact on the child' is not the child's name)."""
    h = draft.header.get(key)
    if h is None:
        return
    if created and not h.aliases:
        del draft.header[key]
    elif label in h.aliases:
        h.aliases.remove(label)
    elif h.label == label and h.aliases:
        draft.header[key] = h.model_copy(update={"label": h.aliases[0], "aliases": h.aliases[1:]})


# --- tables --------------------------------------------------------------------------------------------

def _cell_texts(cell: Cell) -> list[str]:
    return [b.text.strip() for b in cell.blocks if isinstance(b, Paragraph) and b.text.strip()]


def _cell_tags(cell: Cell) -> list[str]:
    return [t for b in cell.blocks if isinstance(b, Paragraph) for t in b.tags]


def _table(table: Table, draft: _Draft) -> None:
    yes_no_cols: set[int] = set()
    grade_rows = [r for r in table.rows if _grade_value(" ".join(_cell_texts(r.cells[0])) if r.cells else "")]
    is_grading = len(grade_rows) >= 2
    if _blank_grid(table, draft) or _section_grid(table, draft):
        return
    for n, row in enumerate(table.rows):
        cells = row.cells
        texts = [_cell_texts(c) for c in cells]
        joined = [" ".join(t) for t in texts]
        if not any(joined):
            continue
        if _labels_above_values(joined, table.rows[n + 1] if n + 1 < len(table.rows) else None, draft):
            continue
        if is_grading:
            _grading_row(joined, draft)
            continue
        if _horizontal_grades(joined, draft):
            continue
        lows = [normalise(j) for j in joined]
        if "yes" in lows and "no" in lows:
            # a column header row: 'Question | Yes | No | Comments'
            yes_no_cols = {cells[i].col for i, low in enumerate(lows) if low in ("yes", "no")}
            continue
        for part in _label_pairs(cells, texts, joined):
            _row(*part, yes_no_cols, draft)


def _column_labels(joined: list[str]) -> list[str] | None:
    """The cells of a row when every one is a short label with no sentence punctuation (2 or more), else None."""
    labels = [j.rstrip(":").strip() for j in joined]
    if len(labels) < 2 or not all(lab and len(lab.split()) <= 6 and not re.search(r"[.?!]$", lab) for lab in labels):
        return None
    return labels


def _labels_above_values(joined: list[str], below, draft: _Draft) -> bool:
    """'Agency | Name of auditor | Date of audit' over an empty row: each label's value is typed below it."""
    labels = _column_labels(joined)
    if labels is None or (below is not None and any(_cell_texts(c) for c in below.cells)):
        return False
    keys = [_header_key(lab) for lab in labels]
    if sum(k is not None for k in keys) < 2 or any(_grade_value(lab) for lab in labels):
        return False
    for lab, key in zip(labels, keys):
        if key:
            _add_header(draft, key, lab)
        else:
            draft.add_question(_details_question(lab))
    return True


def _blank_grid(table: Table, draft: _Draft) -> bool:
    """Column headings over two or more empty rows ('Action | By whom | By when'): one question, the whole grid
    its answer; the first heading is the wording and the others are guidance (printed, never answers)."""
    if len(table.rows) < 3 or any(_cell_texts(c) for r in table.rows[1:] for c in r.cells):
        return False
    labels = _column_labels([" ".join(_cell_texts(c)) for c in table.rows[0].cells])
    if labels is None or any(_header_key(lab) or _grade_value(lab) for lab in labels) or \
            {normalise(lab) for lab in labels} >= {"yes", "no"}:
        return False
    draft.add_question({"number": None, "wording": labels[0], "guidance": labels[1:], "tags": [],
                        "kind": AnswerKind.free_text, "options": [], "required": True, "requires_date": True})
    return True


_GENERIC_HEADINGS = {"question", "questions", "answer", "answers", "response", "responses", "comments", "comment",
                     "evidence", "notes", "details", "yes", "no", "n/a", "ref", "number", "no.", "score", "rating"}


def _section_grid(table: Table, draft: _Draft) -> bool:
    """Sub-questions across the top, a section title down the first column and the answer cells empty
    ('Area | Key areas of good practice | Areas for development | Recommendations' over 'Recognition | | |'):
    one section per row, each asking every question of the top row."""
    if len(table.rows) < 3:
        return False
    top = [(c.col, " ".join(_cell_texts(c)).rstrip(":").strip()) for c in table.rows[0].cells]
    labels = [(col, text) for col, text in top if col > 0 and text]
    if len(labels) < 2 or any(len(t.split()) > 15 or normalise(t) in _GENERIC_HEADINGS
                              or _header_key(t) or _grade_value(t) for _c, t in labels):
        return False
    if normalise(top[0][1]) in _GENERIC_HEADINGS:
        return False
    titles = []
    for row in table.rows[1:]:
        first = " ".join(_cell_texts(row.cells[0])) if row.cells else ""
        rest = [c for c in row.cells[1:] if _cell_texts(c)]
        if not first.strip() and not rest:
            continue
        if rest or not first.strip() or first.rstrip().endswith(("?", ".")) or len(first.split()) > 10 or \
                _LETTER_ONLY.match(first) or _grade_value(first):
            return False
        titles.append(first.rstrip(":").strip())
    if len(titles) < 2:
        return False
    for title in titles:
        draft.pending_title = _title_case(title)
        for _col, label in labels:
            q = _question_from_texts([label], [])
            if q is not None:
                draft.add_question(q)
    return True


def _label_pairs(cells: list[Cell], texts: list[list[str]], joined: list[str]):
    """'Agency: | _ | Auditor: | _' in one row -> one (label, empty) part per label; any other row whole."""
    n = len(cells)
    pairs = n >= 4 and n % 2 == 0 and all(
        joined[i] and (_label(joined[i]) or _short_label(joined[i])) and not joined[i + 1] for i in range(0, n, 2)
        if joined[i] or i == 0)
    if not pairs:
        return [(cells, texts, joined)]
    return [(cells[i:i + 2], texts[i:i + 2], joined[i:i + 2]) for i in range(0, n, 2) if joined[i]]


def _horizontal_grades(joined: list[str], draft: _Draft) -> bool:
    """A row whose cells are all grade words ('Outstanding | Good | Requires improvement | Inadequate')."""
    filled = [j for j in joined if j.strip()]
    values = [_grade_value(j) for j in filled]
    if len(filled) < 2 or not all(values) or len(set(values)) < len(values):
        return False
    for label, value in zip(filled, values):
        if all(g.value != value for g in draft.grades):
            draft.grades.append(GradeOption(value=value, label=_BOX.sub("", label).strip()))
    if draft.pending_title and re.search(r"grad|rating|judgement", draft.pending_title, re.I):
        draft.grading_title, draft.pending_title = draft.pending_title, None
    return True


def _row(cells: list[Cell], texts: list[list[str]], joined: list[str], yes_no_cols: set[int], draft: _Draft) -> None:
    # the question is the last text cell followed by an answer cell (empty, tick options or 'Yes/No')
    qi = None
    for i in range(len(cells) - 1, -1, -1):
        if joined[i] and not _is_answer_text(texts[i]) and not _LETTER_ONLY.match(joined[i]) and i + 1 < len(cells):
            qi = i
            break
    if qi is None:
        only = [i for i, j in enumerate(joined) if j and not _LETTER_ONLY.match(j)]
        if len(only) == 1:
            text = joined[only[0]]
            q = _question_from_texts(texts[only[0]], _cell_tags(cells[only[0]]))
            if q and (q["wording"].endswith("?") or q["number"]):
                draft.add_question(q)  # the answer space is inside the question's own cell
            elif not text.endswith((".", "?")) and len(text.split()) <= 10:
                draft.pending_title = _title_case(text.rstrip(":"))  # a full-width section heading row
        return
    for i in range(qi):
        if joined[i] and not _LETTER_ONLY.match(joined[i]) and cells[i].col == 0:
            draft.pending_title = _title_case(joined[i].rstrip(":"))  # label cell beside the questions
    answers = cells[qi + 1:]
    answer_texts = [t for c in answers for t in _cell_texts(c)]
    options = _options(answers)
    if options and all(_grade_value(o) for o in options):
        # 'Overall grade | ☐ Outstanding ☐ Good ...' in one cell: the grading, not a tick list
        for o in options:
            if all(g.value != _grade_value(o) for g in draft.grades):
                draft.grades.append(GradeOption(value=_grade_value(o), label=o))
        if len(joined[qi].split()) <= 4:
            draft.grading_title = joined[qi].rstrip(":").strip()
        return
    colon_label = _label(texts[qi][0]) if len(texts[qi]) <= 2 else None
    label = colon_label or _short_label(texts[qi][0])
    if label is not None and not options and not _answer_texts_of(answers) and _GRADE_TITLE.match(normalise(label)):
        draft.grade_label = label  # 'Overall grade | _': the grade is typed in the empty cell
        return
    if label is not None and not options:
        key = _header_key(label)
        if key:
            _add_header(draft, key, label)
            return
    if any(t for t in answer_texts) and not options and not _is_answer_text(answer_texts):
        return  # two text cells side by side: a printed note, not a question
    tags = _cell_tags(cells[qi]) + [t for c in answers for t in _cell_tags(c)]
    for group in _split_numbered(texts[qi]):
        q = _question_from_texts(group, tags)
        if q is not None:
            _set_kind(q, options, answers, answer_texts, yes_no_cols, colon_label)
            if label is not None and _is_details(normalise(label)):
                q["required"], q["requires_date"] = False, False  # 'NHS number': often unknown, never dated
            draft.add_question(q)


def _answer_texts_of(cells: list[Cell]) -> list[str]:
    return [t for c in cells for t in _cell_texts(c)]


def _split_numbered(texts: list[str]) -> list[list[str]]:
    """One cell holding '4. ...?' and '5. ...?' (a PDF table row merged into the one above) -> two groups."""
    groups: list[list[str]] = [[texts[0]]]
    for t in texts[1:]:
        if _NUMBER.match(t) and t.rstrip().endswith("?"):
            groups.append([t])
        else:
            groups[-1].append(t)
    return groups


def _set_kind(q: dict, options, answers, answer_texts, yes_no_cols, colon_label) -> None:
    if options:
        q["kind"], q["options"], q["requires_date"] = AnswerKind.tick_list, options, False
    elif (yes_no_cols and sum(1 for c in answers if c.col in yes_no_cols and not _cell_texts(c)) >= 2) or \
            any(_is_yes_no(t) for t in answer_texts):
        q["kind"] = AnswerKind.yes_no_comments
    elif colon_label is not None:
        q["required"], q["requires_date"] = False, False  # a details label such as 'Role:'


def _is_answer_text(texts: list[str]) -> bool:
    """Text that fills an answer cell on a blank form: tick options or 'Yes / No'."""
    return bool(texts) and all(_BOX.match(t) or _is_yes_no(t) for t in texts)


def _is_yes_no(text: str) -> bool:
    """'Yes / No' and its kin, with or without how to mark it ('Yes / No (delete as appropriate)')."""
    return bool(_YES_NO.match(CHOICE_NOTE.sub("", text)))


def _options(cells: list[Cell]) -> list[str]:
    options: list[str] = []
    for c in cells:
        for b in c.blocks:
            if not isinstance(b, Paragraph):
                continue
            if b.checkboxes and any(cb.label for cb in b.checkboxes):
                options += [cb.label.strip() for cb in b.checkboxes if cb.label.strip()]
            elif _BOX.search(b.text):
                options += [o.strip(" /,") for o in _BOX.split(b.text) if o.strip(" /,")]
    return options if len(options) >= 2 else []


# --- questions -----------------------------------------------------------------------------------------

def _question_from_texts(texts: list[str], tags: list[str]) -> dict | None:
    """Question fields from a question cell's paragraphs: number, wording, guidance."""
    first, rest = texts[0], texts[1:]
    number = None
    m = _NUMBER.match(first)
    if m:
        number, first = next(g for g in m.groups() if g), first[m.end():]
    wording, guidance = _split_guidance(first)
    guidance += [t.rstrip(":").strip() for t in rest]
    wording = wording.rstrip(":").strip()
    # 'Yes / No' printed with the question (after its '?', or on a line of its own) is where the answer is
    # marked: the question is a yes/no one, and the printed choices are neither its wording nor guidance
    tail = re.match(r"^(.*\?)\s*(.+)$", wording)
    yes_no = bool(tail and _is_yes_no(tail.group(2)))
    if yes_no:
        wording = tail.group(1)
    choices = [g for g in guidance if _is_yes_no(g)]
    guidance = [g for g in guidance if g not in choices]
    if len(wording) < 2:
        return None
    return {"number": number, "wording": wording, "guidance": guidance,
            "tags": list(dict.fromkeys(tags)),
            "kind": AnswerKind.yes_no_comments if yes_no or choices else AnswerKind.free_text, "options": [],
            "required": True, "requires_date": True}


def _split_guidance(text: str) -> tuple[str, list[str]]:
    """'Is the plan outcome focussed? Please explain.' -> wording and ['Please explain.']."""
    m = re.match(r"^(.*\?)\s*(\([^()]*\))\s*$", text)
    if m:
        return m.group(1), [m.group(2)]
    sentences = _SENTENCE.split(text)
    wording, guidance = sentences[0], []
    for s in sentences[1:]:
        if guidance or _GUIDANCE_START.match(s):
            guidance.append(s.rstrip(":").strip())
        else:
            wording += " " + s
    return wording, guidance


def _grade_value(text: str) -> str | None:
    low = normalise(_BOX.sub("", text)).strip(" ()[]:")
    for value, pattern in _GRADES:
        if pattern.match(low) and len(low.split()) <= 6:
            return value
    return None


def _grading_row(joined: list[str], draft: _Draft) -> None:
    label = joined[0].strip()
    value = _grade_value(label)
    if value is None:
        if label and len(label.split()) <= 4:
            draft.grading_title = label
        return
    if all(g.value != value for g in draft.grades):
        draft.grades.append(GradeOption(value=value, label=_BOX.sub("", label).strip()))


def _grade_line(text: str, p: Paragraph, draft: _Draft) -> bool:
    """A paragraph that is only grade words ('Outstanding / Good / Requires improvement / Inadequate')."""
    parts = [cb.label for cb in p.checkboxes if cb.label] or [s for s in re.split(rf"[/|,{_BOXES}]", text) if s.strip()]
    values = [_grade_value(s) for s in parts]
    if len(parts) < 2 or not all(values):
        return False
    for label, value in zip(parts, values):
        if all(g.value != value for g in draft.grades):
            draft.grades.append(GradeOption(value=value, label=label.strip()))
    if draft.pending_title and re.search(r"grad|rating|judgement", draft.pending_title, re.I):
        draft.grading_title, draft.pending_title = draft.pending_title, None
    return True


# --- building the template -----------------------------------------------------------------------------

def _slug(text: str, words: int = 4) -> str:
    tokens = [t for t in re.findall(r"[a-z0-9]+", normalise(text)) if t not in _STOP] or ["item"]
    s = "_".join(tokens[:words])
    return s if s[0].isalpha() else "q_" + s


def _title_case(text: str) -> str:
    """'PREVENTION /EARLY HELP/ THRESHOLDS' -> 'Prevention /Early Help/ Thresholds'; mixed case is kept."""
    return text.title() if text.isupper() else text


def _build(draft: _Draft, template_id: str, name: str | None, version: str, source: str) -> Template:
    sections: list[Section] = []
    used_sections: set[str] = set()
    used_ids: set[str] = set()
    wording_count: dict[str, int] = {}
    for _, qs in draft.sections:
        for q in qs:
            wording_count[normalise(q["wording"])] = wording_count.get(normalise(q["wording"]), 0) + 1
    for title, qs in draft.sections:
        if title and re.search(r"grad|rating", title, re.I) and not qs:
            continue
        sid = _unique(_slug(title, 3), used_sections)
        questions = []
        for q in qs:
            base = "q" + re.sub(r"[^a-z0-9]+", "_", q["number"].lower()) if q["number"] else _slug(q["wording"])
            if not q["number"] and wording_count[normalise(q["wording"])] > 1:
                base = f"{sid}_{base}"  # the same wording in every section: the section tells them apart
            qid = _unique(base, used_ids)
            questions.append(Question(id=qid, **q))
        learning = bool(re.search(r"learning|action", title, re.I))
        if learning:
            questions = [q.model_copy(update={"requires_date": False}) for q in questions]
        sections.append(Section(id=sid, title=title, questions=questions, learning=learning))
    grading = Grading(title=draft.grading_title, options=draft.grades) if len(draft.grades) >= 2 else None
    description = f"Learned from {source}; edit this description." if source else ""
    if grading is None and draft.grade_label:
        # the form asks for a grade but prints no options (a drop-down keeps them out of the text): assume the
        # four-point scale, and say so where the person checking the file will read it
        grading = Grading(title=draft.grade_label, options=[GradeOption(value=v, label=lab) for v, lab in _FOUR_POINT])
        description = (description + " " if description else "") + (
            f"The form prints no options for '{draft.grade_label}'; the four-point grade was assumed: check it.")
    title = draft.title or name or template_id
    return Template(id=template_id, name=name or title, version=version,
                    description=description,
                    titles=[title] if draft.title else [], header=list(draft.header.values()),
                    sections=sections, grading=grading)


def _unique(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}_{n}", n + 1
    used.add(candidate)
    return candidate
