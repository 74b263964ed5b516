"""Generate filled-in variants of every built-in template's form as Word files, with their ground truth.

Each variant lays a template out one of several ways (three columns, question | answer, a section cell
merged down, answers typed in the question cell, answers in the row below, questions as headings), puts
the header fields in a table, as "Label: value" paragraphs, stacked in cells, in label/value row pairs or
in the page header, and marks the grade one of many ways. Per question it may delete the row, renumber,
mistype or edit the wording, add empty rows, merge two questions into one row, or wrap the answer in a
content control. A fixed seed makes every run the same. Every name and answer is fictional.

    .venv/bin/python bench/variants.py OUT_DIR [--per-template N] [--seed S]
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
from docx.oxml import parse_xml  # noqa: E402

from models.template import AnswerKind, Template  # noqa: E402
from pipeline.templates.registry import load_templates  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
NS = f'xmlns:w="{W}" xmlns:w14="{W14}"'

LAYOUTS = ["three_col", "two_col", "rowspan", "in_cell", "below", "headings"]
# Yes/No questions and tick lists, answered in a question's own answer cell or as paragraphs ...
YES_NO_STYLES = ["boxes", "checkbox_controls", "typed", "deleted", "untouched"]
TICK_STYLES = ["boxes_line", "box_paragraphs", "others_deleted", "marked_beside"]
# ... or in a "Question | Yes | No | Comments" table, tick lists as a column per option or an option per row
TICK_TABLES = ["option_columns", "option_rows"]
MARKS = ["X", "x", "✓", "☒", "checkbox"]
HEADER_STYLES = ["table", "paragraphs", "stacked", "rows_below", "page_header"]
GRADE_MARKS = ["X", "x", "tick", "yes", "glyph_in_option", "content_control", "legacy_field",
               "checkbox_in_option", "deleted_others", "text", "text_in_cell", "horizontal", "multiple",
               "multiple_checkboxes", "none"]

SENTENCES = [
    "A home visit took place on 3 March 2024 and the child was seen alone.",
    "The health visitor shared concerns with the social worker by email on 12/04/2024.",
    "School attendance improved to 94% by the end of the summer term.",
    "Mother engaged with the Family Hub parenting course from January 2024.",
    "No referral was made at that point because the threshold was not met.",
    "A strategy discussion was held on 5th June 2024; police and health attended.",
    "The plan was reviewed at the core group on 20/06/2024 and actions were updated.",
    "Father was invited to the assessment but did not attend.",
    "The chronology was started late and did not include the 2022 incidents.",
    "Yes - the child's views were recorded in their own words.",
    "No. The escalation policy was not used, although it should have been.",
    "Good: the GP followed up the missed appointment within two days.",
    "3 visits were made between April and May 2024.",
    "Outcome: the family stepped down to early help in August 2024.",
    "Information sharing was timely; the school received the minutes within a week.",
    "Staff turnover meant three different workers in six months.",
]
BULLETS = ["Weekly contact with the school", "Referral to CAMHS on 02/02/2024", "Housing support from May 2024",
           "Young carers assessment offered"]
NOT_APPLICABLE = ["N/A", "n/a", "Not applicable - the case was not open to early help.", "N/A - no siblings."]
NAMES = {"auditor": ["Priya Example", "Tom Sample", "Dr A. Fictional"], "practitioner": ["Sam Placeholder", "J. Dummy"],
         "agency": ["Northfield Police (fictional)", "Eastbrook NHS Trust (fictional)", "Oak Lane Primary School"],
         "child": ["Child A", "Amelia Invented", "K.L. (DOB 01/02/2015)"], "theme": ["Neglect", "Exploitation"],
         "case_status": ["Child in need", "Open", "Closed"]}
DATES = [("14/05/2024", "2024-05-14"), ("3 March 2025", "2025-03-03"), ("2024-11-30", "2024-11-30"),
         ("2/7/24", "2024-07-02")]


@dataclass
class Truth:
    """What a careful reader records from a variant, and which transformations each item went through."""

    template: str
    header: dict[str, str | None]
    answers: dict[str, tuple[str, str]]  # id -> (text, status)
    grade: tuple[str | None, str | None]
    header_transforms: list[str] = field(default_factory=list)
    answer_transforms: dict[str, list[str]] = field(default_factory=dict)
    grade_transforms: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)  # answers typed where no question is


@dataclass
class Variant:
    name: str
    path: Path
    truth: Truth


# ---- XML pieces (what Word writes) -------------------------------------------------------------------

def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""


def _p(inner: str = "", style: str = "") -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p {NS}>{ppr}{inner}</w:p>"


def _sdt(inner: str, tag: str, placeholder: bool = False) -> str:
    plc = "<w:showingPlcHdr/>" if placeholder else ""
    return (f'<w:sdt><w:sdtPr><w:alias w:val="{escape(tag)}"/><w:tag w:val="{escape(tag)}"/>{plc}<w:text/></w:sdtPr>'
            f"<w:sdtContent>{inner}</w:sdtContent></w:sdt>")


def _checkbox_sdt(checked: bool) -> str:
    return (f'<w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="{int(checked)}"/>'
            '<w14:checkedState w14:val="2612" w14:font="MS Gothic"/><w14:uncheckedState w14:val="2610" '
            f'w14:font="MS Gothic"/></w14:checkbox></w:sdtPr><w:sdtContent>{_run("☒" if checked else "☐")}'
            "</w:sdtContent></w:sdt>")


def _legacy_box(checked: bool) -> str:
    state = "<w:checked/>" if checked else '<w:checked w:val="0"/>'
    return ('<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Check1"/><w:enabled/>'
            f'<w:calcOnExit w:val="0"/><w:checkBox><w:sizeAuto/><w:default w:val="0"/>{state}</w:checkBox>'
            '</w:ffData></w:fldChar></w:r><w:r><w:instrText xml:space="preserve"> FORMCHECKBOX </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


@dataclass
class Para:
    """One paragraph to write: its XML, and the line a reader records from it ('' for none)."""

    xml: str
    truth: str = ""


def text_para(text: str, style: str = "") -> Para:
    return Para(_p(_run(text), style), text)


# ---- answers ------------------------------------------------------------------------------------------

def make_answer(rng: random.Random, single: bool = False) -> tuple[list[Para], str]:
    """Answer paragraphs and their status; bullets read as list items without the glyph."""
    roll = rng.random()
    if roll < 0.08 and not single:
        return [], "unanswered"
    if roll < 0.16:
        return [text_para(rng.choice(NOT_APPLICABLE))], "not_applicable"
    if single or roll < 0.55:
        return [text_para(rng.choice(SENTENCES))], "answered"
    paras = [text_para(s) for s in rng.sample(SENTENCES, rng.randint(2, 3))]
    if rng.random() < 0.4:
        paras.insert(1, text_para(rng.choice(BULLETS), "ListBullet"))
    if rng.random() < 0.3:
        paras.append(_blank())  # a trailing empty paragraph Word leaves behind
    return paras, "answered"


def _blank() -> Para:
    return Para(_p())


def in_control(paras: list[Para], tag: str, rng: random.Random) -> list[Para]:
    """Wrap each answer paragraph's text in a content control; an empty answer shows the placeholder."""
    if not paras:
        return [Para(_p(_sdt(_run("Click or tap here to enter text."), tag, placeholder=True)))]
    out = []
    for para in paras:
        style = re.search(r'w:pStyle w:val="([^"]+)"', para.xml)
        out.append(Para(_p(_sdt(_run(para.truth), tag), style.group(1) if style else ""), para.truth))
    return out


# ---- wording edits --------------------------------------------------------------------------------------

def mistype(text: str, rng: random.Random) -> str:
    """One or two typing slips: swapped or dropped letters in longer words."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) > 5 and w.isalpha()]
    for i in rng.sample(long, min(len(long), rng.randint(1, 2))):
        w, j = words[i], rng.randint(1, len(words[i]) - 3)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.6 else w[:j] + w[j + 1:]
    return " ".join(words)


def edit_wording(text: str, rng: random.Random) -> str:
    """A local edit to a question: different case, lost question mark, a phrase reworded or cut short."""
    choice = rng.randrange(4)
    if choice == 0:
        return text.upper() if len(text) < 60 else text.capitalize()
    if choice == 1:
        return text.rstrip("?.") + ("" if rng.random() < 0.5 else ":")
    if choice == 2:
        return text.replace(" and ", " & ").replace("/ ", "/").replace("child", "young person", 1)
    words = text.split()
    return " ".join(words[: max(4, int(len(words) * 0.7))]) + ("?" if text.endswith("?") else "")


# ---- Yes/No answers and tick lists ---------------------------------------------------------------------

def _del(text: str) -> str:
    """A tracked deletion: gone from the accepted text, still counted as a revision."""
    return (f'<w:del w:id="9" w:author="Auditor" w:date="2024-05-01T00:00:00Z"><w:r><w:delText xml:space="preserve">'
            f"{escape(text)}</w:delText></w:r></w:del>")


def _mark_xml(how: str, on: bool) -> str:
    if how == "checkbox":
        return _checkbox_sdt(on)
    return _run({"☒": "☒"}.get(how, how) if on else ("☐" if how == "☒" else ""))


def _comments(rng: random.Random) -> list[Para]:
    return [text_para(t) for t in rng.sample(SENTENCES, rng.choice([0, 1, 1, 2]))]


def yes_no_choice(rng: random.Random) -> list[str]:
    """What the auditor marks: one of Yes/No mostly, sometimes nothing, N/A or (a slip) both."""
    roll = rng.random()
    return [] if roll < 0.1 else ["N/A"] if roll < 0.16 else ["Yes", "No"] if roll < 0.2 else [rng.choice(["Yes", "No"])]


def yes_no_answer(rng: random.Random, style: str, chosen: list[str]) -> list[Para]:
    """A Yes/No answer written in one cell, one of YES_NO_STYLES; each Para's truth is what a reader records."""
    if chosen == ["N/A"]:
        return [text_para("N/A")]
    words = ["Yes", "No"]
    if style == "boxes":
        line = " ".join(("☒ " if w in chosen else "☐ ") + w for w in words)
        return [Para(_p(_run(line)), "\n".join(chosen))]
    if style == "checkbox_controls":
        xml = "".join(_checkbox_sdt(w in chosen) + _run(f" {w}  ") for w in words)
        return [Para(_p(xml), "\n".join(chosen))]
    if style == "typed" and len(chosen) == 1:
        shown = rng.choice({"Yes": ["Y", "yes", "Yes", "YES"], "No": ["N", "no", "No", "NO"]}[chosen[0]])
        return [Para(_p(_run(shown)), chosen[0])]
    if style == "deleted" and len(chosen) == 1:
        xml = _run("Yes / ") + _del("No") if chosen == ["Yes"] else _del("Yes / ") + _run("No")
        return [Para(_p(xml), chosen[0])]
    return [Para(_p(_run("Yes / No")))]  # printed prompt left as it was: nothing chosen


def tick_answer(rng: random.Random, style: str, options: list[str], chosen: list[str]) -> list[Para]:
    """A tick-list answer in one cell, one of TICK_STYLES."""
    if style == "boxes_line":
        line = " ".join(("☒ " if o in chosen else "☐ ") + o for o in options)
        return [Para(_p(_run(line)), "\n".join(chosen))]
    if style == "box_paragraphs":
        return [Para(_p(_checkbox_sdt(o in chosen) + _run(" " + o)), o if o in chosen else "") for o in options]
    if style == "others_deleted":
        if not chosen:
            return [Para(_p(_run(" / ".join(options))))]  # untouched
        return [Para(_p(_run(o)), o) for o in chosen]
    mark = rng.choice(["X", "(X)", "✓"])
    return [Para(_p(_run(f"{o} {mark}" if o in chosen else o)), o if o in chosen else "") for o in options]


def _choice_question(q, out: "QuestionOut", rng: random.Random, table_layout: bool) -> None:
    """Give a yes/no or tick-list question its answer (and its truth), in a style drawn from ``rng``."""
    out.control = False  # a content control holds text, not a choice
    out.transforms = [t for t in out.transforms if t != "content_control"]
    comments = _comments(rng)
    if q.kind == AnswerKind.yes_no_comments:
        chosen = yes_no_choice(rng)
        style = "columns" if table_layout else rng.choice(YES_NO_STYLES)
        if style != "columns":
            answer = yes_no_answer(rng, style, chosen)
            if not answer[0].truth and chosen:  # the style cannot show this choice: the prompt is untouched
                chosen = []
            out.answer = answer + comments
    else:
        chosen = sorted(rng.sample(q.options, rng.choice([0, 1, 1, 1, 2])), key=q.options.index)
        comments = []
        style = rng.choice(TICK_TABLES) if table_layout else rng.choice(TICK_STYLES)
        if style not in TICK_TABLES:
            out.answer = tick_answer(rng, style, q.options, chosen)
    out.kind, out.chosen, out.comments, out.options = q.kind.value, chosen, comments, list(q.options)
    if style in ("columns", *TICK_TABLES):
        out.answer = [Para("", c) for c in chosen] + comments  # truth only: written as marks in cells
    truth = [*chosen, *(c.truth for c in comments)]
    out.status = "unanswered" if not truth else "not_applicable" if chosen == ["N/A"] else "answered"
    out.transforms += [f"kind:{q.kind.value}", f"choice:{style}"] + (["choice:both"] if len(chosen) > 1 and
                                                                      q.kind == AnswerKind.yes_no_comments else [])


# ---- the generator ------------------------------------------------------------------------------------

@dataclass
class QuestionOut:
    """One question as this variant prints it: label lines (number, wording, guidance) and the answer."""

    id: str
    label: list[str]
    answer: list[Para]
    status: str
    control: bool = False
    deleted: bool = False
    merged_with_next: bool = False
    extra_rows: int = 0
    transforms: list[str] = field(default_factory=list)
    kind: str = "free_text"
    chosen: list[str] = field(default_factory=list)  # Yes/No/N/A or options, for the choice-table layout
    comments: list[Para] = field(default_factory=list)
    options: list[str] = field(default_factory=list)


def _questions(t: Template, rng: random.Random, layout: str, controls: bool, crng: random.Random,
               choice_table: bool = False) -> list[tuple[str, list[QuestionOut]]]:
    sections = []
    offset = rng.choice([0, 0, 2, -1])
    for s in t.sections:
        qs = []
        for q in s.questions:
            tr: list[str] = []
            wording = q.wording
            roll = rng.random()
            if roll < 0.12:
                wording, tr = mistype(wording, rng), ["mistyped"]
            elif roll < 0.22:
                wording, tr = edit_wording(wording, rng), ["wording_edited"]
            elif roll < 0.3 and q.aliases:
                wording, tr = rng.choice(q.aliases), ["wording_alias"]
            number = q.number
            if offset and number and number.isdigit():  # "1.1" (a sub-standard) keeps its number
                number, tr = str(int(number) + offset) if int(number) + offset > 0 else None, tr + ["renumbered"]
            first = f"{number}. {wording}" if number else wording
            guidance = list(q.guidance)
            if guidance and rng.random() < 0.4:
                first, guidance = f"{first} {guidance[0]}", guidance[1:]
            answer, status = make_answer(rng)
            out = QuestionOut(q.id, [first, *guidance], answer, status, transforms=tr)
            if controls and rng.random() < 0.7:
                out.control = True
                out.transforms.append("content_control")
            roll = rng.random()
            if roll < 0.06:
                out.deleted, out.transforms = True, out.transforms + ["row_deleted"]
                out.answer, out.status = [], "unanswered"
            elif roll < 0.14:
                out.extra_rows = rng.randint(1, 2)
                out.transforms.append("extra_empty_rows")
            if q.kind in (AnswerKind.yes_no_comments, AnswerKind.tick_list) and not out.deleted:
                _choice_question(q, out, crng, choice_table)  # its own generator: other templates' forms stay put
            qs.append(out)
        # two questions in one row: each answer one paragraph, in order
        if layout != "headings" and len(qs) >= 2 and rng.random() < 0.25:
            i = rng.randrange(len(qs) - 1)
            a, b = qs[i], qs[i + 1]
            if not (a.deleted or b.deleted or a.control or b.control or a.kind != "free_text" or b.kind != "free_text"):
                a.merged_with_next = True
                for x in (a, b):
                    x.answer, x.status = make_answer(rng, single=True)
                    x.transforms.append("rows_merged")
                    x.extra_rows = 0
        sections.append((s.title, qs))
    return sections


def _answer_paras(q: QuestionOut) -> list[Para]:
    return in_control(q.answer, q.id, random.Random(q.id)) if q.control else q.answer


def _fill(cell, paras: list[Para]) -> None:
    """Replace a cell's paragraphs with ours (a cell keeps at least one paragraph, as Word requires)."""
    tc = cell._tc
    for p in list(tc.iterchildren(f"{{{W}}}p")):
        tc.remove(p)
    for para in paras or [_blank()]:
        tc.append(parse_xml(para.xml))


def _body_add(document, paras: list[Para]) -> None:
    body = document.element.body
    for para in paras:
        body.insert(len(body) - 1, parse_xml(para.xml))  # before the final sectPr


def _lines(texts: list[str]) -> list[Para]:
    return [text_para(t) for t in texts]


def _add_table(document, rows: list[list[list[Para] | None]], spans: dict | None = None):
    """A table from rows of cell paragraph lists; spans maps (row, col) -> (rows, cols) merged from there."""
    ncols = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=ncols)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, paras in enumerate(row):
            if paras is not None:
                _fill(table.cell(r, c), paras)
    for (r, c), (nr, nc) in (spans or {}).items():
        table.cell(r, c).merge(table.cell(r + nr - 1, c + nc - 1))
    return table


def _write_questions(document, layout: str, sections, rng: random.Random, stray: list[str]) -> None:
    for k, (title, qs) in enumerate(sections):
        if stray and k == len(sections) // 2:
            _body_add(document, _lines(stray))  # typed between two tables, under no question
        if layout != "three_col" and layout != "rowspan":
            document.add_paragraph(title, style="Heading 2")
        if layout == "headings":
            for q in qs:
                if q.deleted:
                    continue
                _body_add(document, [text_para(q.label[0], "Heading3"), *_lines(q.label[1:]), *_answer_paras(q)])
            continue
        rows: list[list] = []
        spans: dict = {}
        i = 0
        while i < len(qs):
            q = qs[i]
            i += 1
            if q.deleted:
                continue
            group = [q]
            if q.merged_with_next:
                group.append(qs[i])
                i += 1
            label = [t for g in group for t in g.label]
            answers = [p for g in group for p in _answer_paras(g)]
            if layout == "in_cell":
                cell = [p for g in group for p in [*_lines(g.label), *_answer_paras(g)]]
                rows.append([cell, []])
            elif layout == "below":
                rows.append([_lines(label)])
                rows.append([answers])
            elif layout == "two_col":
                rows.append([_lines(label), answers])
            else:
                first = len(rows) == 0
                left = _lines([title.upper()]) if first else ([] if layout == "rowspan" else
                                                              _lines([rng.choice(["", "b.", "c.", "k."])]))
                rows.append([left, _lines(label), answers])
            width = len(rows[-1])
            rows += [[[] for _ in range(width)] for _ in range(group[-1].extra_rows)]
        if not rows:
            continue
        if layout == "rowspan":
            rows.insert(0, [_lines(["Area"]), _lines(["Question"]), _lines(["Response"])])
            spans[(1, 0)] = (len(rows) - 1, 1)
        _add_table(document, rows, spans)


def _write_choice_table(document, sections, crng: random.Random, stray: list[str]) -> None:
    """Sections as "Question | Yes | No | Comments" tables (sometimes Y/N, sometimes an N/A column); free text
    spans the answer columns; a tick list gets a table of its own, a column per option or an option per row."""
    words = crng.choice([["Yes", "No"], ["Y", "N"], ["YES", "NO"]])
    na = crng.random() < 0.5 or any(q.chosen == ["N/A"] for _t, qs in sections for q in qs)
    heads = [*words, "N/A"] if na else words
    canon = ["Yes", "No", "N/A"][:len(heads)]
    mark = crng.choice(MARKS)

    def marks(q: QuestionOut) -> list[list[Para]]:
        return [[Para(_p(_mark_xml(mark, c in q.chosen)))] for c in canon]

    for k, (title, qs) in enumerate(sections):
        if stray and k == len(sections) // 2:
            _body_add(document, _lines(stray))
        document.add_paragraph(title, style="Heading 2")
        rows: list[list] = [[_lines(["Question"]), *(_lines([h]) for h in heads), _lines(["Comments"])]]
        spans: dict = {}
        width = len(rows[0])

        def flush():
            if len(rows) > 1:
                _add_table(document, rows, dict(spans))
            del rows[1:]
            spans.clear()

        i = 0
        while i < len(qs):
            q = qs[i]
            i += 1
            if q.deleted:
                continue
            group = [q] + ([qs[i]] if q.merged_with_next else [])
            i += len(group) - 1
            label = _lines([t for g in group for t in g.label])
            if q.kind == "yes_no_comments":
                rows.append([label, *marks(q), q.comments])
            elif q.kind == "tick_list":
                flush()
                options = q.options
                on = [o in q.chosen for o in options]
                if "choice:option_columns" in q.transforms:
                    _add_table(document, [[label, *(_lines([o]) for o in options)],
                                          [[], *([Para(_p(_mark_xml(mark, x)))] for x in on)]])
                else:
                    _add_table(document, [[label, []], *([_lines([o]), [Para(_p(_mark_xml(mark, x)))]]
                                                         for o, x in zip(options, on))])
                continue
            else:
                rows.append([label, [p for g in group for p in _answer_paras(g)], *([None] * (width - 2))])
                spans[(len(rows) - 1, 1)] = (1, width - 1)
            rows += [[[] for _ in range(width)] for _ in range(group[-1].extra_rows)]
        flush()


def _write_header(document, t: Template, style: str, values: dict[str, str], alias: bool, rng: random.Random):
    fields = []
    for h in t.header:
        label = rng.choice(h.aliases) if alias and h.aliases else h.label
        fields.append((h.key, label, values.get(h.key, "")))
    if style == "page_header":
        # date and theme in the page header as "Date: ..." lines, the rest in the header table
        section_header = document.sections[0].header
        keep = [f for f in fields if f[0] not in ("date_of_audit", "theme")]
        moved = [f for f in fields if f[0] in ("date_of_audit", "theme")]
        section_header.paragraphs[0].text = "Multi-agency audit (fictional)"
        for key, label, value in moved:
            section_header.add_paragraph(f"{label}: {value}")
        fields, style = keep, "table"
    if style == "paragraphs":
        _body_add(document, [text_para(f"{label}: {value}") for _, label, value in fields])
    elif style == "table":
        _add_table(document, [[_lines([label + ":"]), _lines([value])] for _, label, value in fields])
    elif style == "stacked":
        cells = [_lines([label + ":", value]) if value else _lines([label + ":"]) for _, label, value in fields]
        rows = [cells[i:i + 2] + ([[]] if i + 1 >= len(cells) else []) for i in range(0, len(cells), 2)]
        _add_table(document, rows)
    elif style == "rows_below":
        rows = []
        for i in range(0, len(fields), 2):
            pair = fields[i:i + 2]
            rows.append([_lines([label]) for _, label, _ in pair] + ([[]] if len(pair) == 1 else []))
            rows.append([_lines([value]) for _, _, value in pair] + ([[]] if len(pair) == 1 else []))
        _add_table(document, rows)


def _write_grade(document, t: Template, how: str, chosen: list[str]) -> None:
    """The grade block; chosen lists the option values marked (two for 'multiple', none for 'none')."""
    if t.grading is None:
        return
    options = t.grading.options
    document.add_paragraph(t.grading.title, style="Heading 2")
    document.add_paragraph("Please use the criteria above to give the case an overall grade:")
    if how in ("text", "text_in_cell"):
        label = next(o.label for o in options if o.value == chosen[0])
        if how == "text":
            _body_add(document, [text_para(f"Overall grade: {label}")])
        else:
            _add_table(document, [[_lines([f"Grade: {label}"])]])
        return
    if how == "horizontal":
        rows = [[_lines([o.label]) for o in options], [_lines(["X" if o.value in chosen else ""]) for o in options]]
        _add_table(document, rows)
        return
    rows = [[_lines([t.grading.title]), _lines(["Grade (X)"])]]
    for o in options:
        on = o.value in chosen
        if how == "deleted_others" and not on:
            continue
        if how == "glyph_in_option":
            rows.append([_lines([("☒ " if on else "☐ ") + o.label]), []])
        elif how in ("content_control", "multiple_checkboxes"):
            rows.append([_lines([o.label]), [Para(_p(_checkbox_sdt(on)))]])
        elif how == "checkbox_in_option":
            rows.append([[Para(_p(_checkbox_sdt(on) + _run(" " + o.label)))], []])
        elif how == "legacy_field":
            rows.append([_lines([o.label]), [Para(_p(_legacy_box(on)))]])
        else:
            mark = {"x": "x", "tick": "✓", "yes": "Yes"}.get(how, "X")
            rows.append([_lines([o.label]), _lines([mark if on else ""])])
    _add_table(document, rows)


def make_variant(t: Template, n: int, folder: Path, rng: random.Random) -> Variant:
    """One filled-in form of a template, written to folder, with its truth."""
    layout = rng.choice(LAYOUTS)
    header_style = rng.choice(HEADER_STYLES)
    alias = rng.random() < 0.35
    controls = rng.random() < 0.25
    grade_how = rng.choice(GRADE_MARKS)
    document = docx.Document()
    document.add_paragraph(t.titles[0], style="Title")
    document.add_paragraph("Please complete all sections and answer N/A if not applicable.")

    values: dict[str, str] = {}
    header_truth: dict[str, str | None] = {k: None for k in ("agency", "auditor", "practitioner", "child",
                                                             "date_of_audit", "theme", "case_status")}
    for h in t.header:
        if h.key == "date_of_audit":
            shown, iso = rng.choice(DATES)
            values[h.key], header_truth[h.key] = shown, iso
        elif rng.random() < 0.1:
            values[h.key] = ""  # left blank
        else:
            values[h.key] = header_truth[h.key] = rng.choice(NAMES[h.key])
    _write_header(document, t, header_style, values, alias, rng)

    # Yes/No and tick-list questions draw from their own generator, so other templates' forms stay the same
    crng = random.Random(f"{t.id}-{n}-{hash(rng.getstate()[1])}")  # ints hash the same in every run
    kinds = {q.kind for q in t.questions()}
    choice_table = AnswerKind.yes_no_comments in kinds and crng.random() < 0.4
    sections = _questions(t, rng, layout, controls, crng, choice_table)
    stray = []
    if layout != "headings" and len(sections) > 1 and rng.random() < 0.2:
        stray = ["Additional note from the auditor: the family moved to a new address in May 2024."]
    if choice_table:
        layout = "choice_table"
        _write_choice_table(document, sections, crng, stray)
    else:
        _write_questions(document, layout, sections, rng, stray)

    chosen: list[str] = []
    if t.grading:
        values_all = [o.value for o in t.grading.options]
        chosen = {"multiple": rng.sample(values_all, 2), "multiple_checkboxes": rng.sample(values_all, 2),
                  "none": []}.get(grade_how, [rng.choice(values_all)])
        _write_grade(document, t, grade_how, chosen)
    document.add_paragraph("Thank you for completing this audit tool.")

    path = folder / f"{t.id}-{n:03d}.docx"
    document.save(str(path))

    answers, answer_tr = {}, {}
    for _, qs in sections:
        for q in qs:
            lines = [p.truth.strip() for p in q.answer if p.truth.strip()]
            answers[q.id] = ("\n".join(lines), q.status)
            answer_tr[q.id] = [f"layout:{layout}", *q.transforms] + (["blank"] if q.status == "unanswered" else [])
    grade = (None, None)
    if t.grading:
        grade = (chosen[0], None) if len(chosen) == 1 else (None, "multiple_marked" if chosen else "none_marked")
    truth = Truth(t.id, header_truth, answers, grade,
                  [f"header:{header_style}"] + (["header_alias"] if alias else []), answer_tr,
                  [f"grade:{grade_how}"] if t.grading else [], stray)
    return Variant(path.name, path, truth)


def make_variants(folder: Path, per_template: int = 40, seed: int = 7) -> list[Variant]:
    """per_template variants of every built-in template, written to folder; same seed, same files."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    return [make_variant(t, n, folder, rng) for t in load_templates().values() for n in range(per_template)]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-template", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    made = make_variants(args.out, args.per_template, args.seed)
    print(f"wrote {len(made)} variants to {args.out}")
