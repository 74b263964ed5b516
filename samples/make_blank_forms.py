"""Build the blank forms of the shipped templates (samples/blank-<id>.docx) from their YAML.

Each form is laid out the way the real tool prints it (see /work/shared/seeds): a header table of label |
empty cell, then question rows. The layout is plain data, so tests can turn the very same layout into a
RawDocument (``to_raw``) without Word, and ``maap templates learn`` can be checked against the template.
All text is the template's own wording; no answer or name in these files is real.

    .venv/bin/python samples/make_blank_forms.py        # rewrite samples/blank-*.docx
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from models.raw import Cell, Location, Paragraph, RawDocument, Row, Table  # noqa: E402
from models.template import AnswerKind, Template  # noqa: E402
from pipeline.templates.registry import load_templates  # noqa: E402

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def cell(*texts: str, col_span: int = 1, row_span: int = 1) -> dict:
    return {"texts": [t for t in texts], "col_span": col_span, "row_span": row_span}


def para(text: str, style: str = "") -> dict:
    return {"p": text, "style": style}


def _question_texts(q, number: bool, inline_first: bool) -> list[str]:
    """The question cell as the seed prints it: number, wording, guidance inline or on its own lines."""
    first = f"{q.number}. {q.wording}" if number and q.number else q.wording
    rest = list(q.guidance)
    if rest and inline_first:
        first, rest = f"{first} {rest[0]}", rest[1:]
    return [first, *rest]


def _header_rows(t: Template, colon: bool = True) -> list[list[dict]]:
    rows = []
    for h in t.header:
        label = h.label + (":" if colon and h.key != "case_status" else "")
        extra = ["(delete as appropriate)"] if h.key == "child" and t.id == "west-midlands-maat" else []
        rows.append([cell(label, *extra), cell()])
    return rows


def layout_west_midlands(t: Template) -> list[dict]:
    """Seed 002: title, intro list, 'Date:'/'Theme:' lines, header table, label | question | answer rows."""
    blocks = [para(t.titles[0], "Title"),
              para("The purpose of multi-agency audits"),
              para("1. The Multi Agency Audit Tool is to be completed by each agency involved.", "List Paragraph"),
              para("Please complete all Sections and answer N/A if not applicable."),
              para("Date: "), para("Theme: "),
              {"table": [r for r in _header_rows(t) if "theme" not in r[0]["texts"][0].lower()]}]
    letters = iter(LETTERS)
    for s in t.sections:
        if s.learning:
            blocks.append(para(s.title))
            blocks.append({"table": [[cell(*_question_texts(q, False, True)), cell()] for q in s.questions]})
            continue
        if s.id == "context":
            blocks.append(para(f"{s.title}:"))
            blocks.append({"table": [[cell("" if i == 0 else f"{next(letters)}."), cell(q.wording), cell()]
                                     for i, q in enumerate(s.questions)]})
            continue
        rows = []
        for i, q in enumerate(s.questions):
            label = s.title.upper() if i == 0 else (f"{next(letters, 'z')}." if i % 2 else "")
            rows.append([cell(label), cell(*_question_texts(q, True, i % 2 == 0)), cell()])
        rows.append([cell(), cell(), cell()])  # the seed leaves a spacer row between sections
        blocks.append({"table": rows})
    blocks += _grading_blocks(t)
    return blocks


def _grading_blocks(t: Template) -> list[dict]:
    if not t.grading:
        return []
    return [para(t.grading.title),
            para("Please use the criteria above to give the case an overall grade:"),
            {"table": [[cell(t.grading.title), cell("Grade (X)")]] + [[cell(o.label), cell()] for o in t.grading.options]}]


def layout_rowspan(t: Template) -> list[dict]:
    """A section label cell merged down beside its questions: Area | Question | Response."""
    blocks = [para(t.titles[0], "Title"), {"table": _header_rows(t)}, para("Please complete every section.")]
    rows = [[cell("Area"), cell("Question"), cell("Response")]]
    for s in t.sections:
        for i, q in enumerate(s.questions):
            first = cell(s.title, row_span=len(s.questions)) if i == 0 else None
            rows.append([first, cell(*_question_texts(q, True, False)), cell()])
    blocks.append({"table": rows})
    return blocks + _grading_blocks(t)


def layout_plain(t: Template) -> list[dict]:
    """A heading per section, then question | answer rows."""
    blocks = [para(t.titles[0], "Title"), {"table": _header_rows(t)}]
    for s in t.sections:
        blocks.append(para(s.title, "Heading 2"))
        blocks.append({"table": [[cell(*_question_texts(q, True, False)), cell()] for q in s.questions]})
    return blocks + _grading_blocks(t)


def layout_yes_no(t: Template) -> list[dict]:
    """Headings, then Question | Yes | No | Comments rows; free text spans the answer columns."""
    blocks = [para(t.titles[0], "Title"), para("Complete one audit for every child on a plan."),
              {"table": _header_rows(t)}]
    for s in t.sections:
        blocks.append(para(s.title, "Heading 2"))
        rows = []
        if any(q.kind == AnswerKind.yes_no_comments for q in s.questions):
            rows.append([cell("Question"), cell("Yes"), cell("No"), cell("Comments")])
        for q in s.questions:
            texts = _question_texts(q, False, False)
            if q.kind == AnswerKind.yes_no_comments:
                rows.append([cell(*texts), cell(), cell(), cell()])
            elif q.kind == AnswerKind.tick_list:
                rows.append([cell(*texts), cell(*[f"☐ {o}" for o in q.options], col_span=3)])
            else:
                label = texts[0] + (":" if not q.required else "")
                rows.append([cell(label, *texts[1:]), cell(col_span=3)])
        blocks.append({"table": rows})
    return blocks + _grading_blocks(t)


def layout_self_assessment(t: Template) -> list[dict]:
    """Section 11 / 175: a heading per standard, sub-standard | evidence rows, a line of rating boxes, actions."""
    blocks = [para(t.titles[0], "Title"), para("Complete one self-assessment for your organisation each year."),
              {"table": _header_rows(t)}]
    for s in t.sections:
        blocks.append(para(s.title, "Heading 2"))
        rows = []
        for q in s.questions:
            texts = _question_texts(q, True, False)
            if q.kind == AnswerKind.tick_list:
                rows.append([cell(*texts), cell(" ".join(f"☐ {o}" for o in q.options))])
            else:
                rows.append([cell(*texts), cell()])
        blocks.append({"table": rows})
    return blocks


LAYOUTS = {
    "section-11-self-assessment": layout_self_assessment,
    "section-175-schools-audit": layout_self_assessment,
    "west-midlands-maat": layout_west_midlands,
    "enfield-escp": layout_rowspan,
    "warrington-key-questions": layout_plain,
    "school-case-file-audit": layout_yes_no,
}


def layout_for(t: Template) -> list[dict]:
    """The blank-form layout for a template (plain headings and rows if it has no layout of its own)."""
    # Word always ends a body with a paragraph; a file ending in a table loses that table when
    # LibreOffice saves it as .doc
    return LAYOUTS.get(t.id, layout_plain)(t) + [para("Thank you for completing this audit tool.")]


def to_raw(blocks: list[dict], file: str = "blank.docx", answers: dict[int, str] | None = None) -> RawDocument:
    """The RawDocument a Word extractor would give for this layout (merged cells once, with spans).

    ``answers`` fills answer cells (an empty cell right after question text) in order: answer number ->
    text; pass ``fill_answers`` to fill them all, as in a returned form.
    """
    out = []
    n_answer = 0
    for ti, b in enumerate(blocks):
        if "p" in b:
            out.append(Paragraph(text=b["p"], style=b["style"], location=Location(paragraph=ti)))
            continue
        rows = []
        for r, row in enumerate(b["table"]):
            cells, col, prev_text = [], 0, False
            for c in row:
                if c is None:  # covered by a cell merged down from above
                    col += 1
                    continue
                texts = list(c["texts"])
                if not any(texts) and prev_text and answers is not None:
                    texts = [answers.get(n_answer, "")]
                    n_answer += 1
                prev_text = any(t.strip() for t in texts)
                paras = [Paragraph(text=t) for t in texts] or [Paragraph(text="")]
                cells.append(Cell(row=r, col=col, col_span=c["col_span"], row_span=c["row_span"], blocks=paras,
                                  location=Location(table=ti, row=r, col=col)))
                col += c["col_span"]
            rows.append(Row(cells=cells))
        out.append(Table(rows=rows, location=Location(table=ti)))
    return RawDocument(file=file, format="docx", blocks=out)


class _AllAnswers(dict):
    def get(self, key, default=None):
        return f"Fictional answer {key}: the agency met the family on 3 March 2025 and agreed a plan."


fill_answers = _AllAnswers()


def to_docx(blocks: list[dict], path: Path) -> None:
    """Write the layout as a Word document with python-docx (merged cells merged, styles applied)."""
    import docx

    document = docx.Document()
    for b in blocks:
        if "p" in b:
            style = b["style"] if b["style"] in ("Title", "Heading 2", "List Paragraph") else None
            document.add_paragraph(b["p"], style=style)
            continue
        rows = b["table"]
        ncols = max(sum(c["col_span"] if c else 1 for c in row) for row in rows)
        table = document.add_table(rows=len(rows), cols=ncols)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            col = 0
            for c in row:
                if c is None:
                    col += 1
                    continue
                target = table.cell(r, col)
                if c["col_span"] > 1 or c["row_span"] > 1:
                    target = target.merge(table.cell(r + c["row_span"] - 1, col + c["col_span"] - 1))
                texts = c["texts"] or [""]
                target.paragraphs[0].text = texts[0]
                for t in texts[1:]:
                    target.add_paragraph(t)
                col += c["col_span"]
    document.save(str(path))


def main() -> None:
    for t in load_templates().values():
        path = HERE / f"blank-{t.id}.docx"
        to_docx(layout_for(t), path)
        print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
