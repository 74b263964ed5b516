"""Generate blank audit tools the pipeline has never seen, their true templates, and the same forms filled.

Eight invented but realistic tools, each written in code as its true Template plus a layout: header labels
(Child's name / DOB / NHS number / Agency / Completed by / Date) in tables, paragraphs or side-by-side pairs;
sections as heading paragraphs, label cells merged down or full-width shaded rows; questions numbered 1.,
1.1, Q1, (a) or not at all; guidance in brackets or in italics under the question; answer cells beside or
below; Yes/No + comments columns; tick lists; grading tables with several scales; learning/actions
sections; content-control tags on some forms. ``write_form`` writes the blank (no answers) or a filled
copy whose answers, header values and grade are returned as the truth. Every name and answer is fictional.

    .venv/bin/python bench/blank_variants.py OUT_DIR [--filled N] [--pdf]
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
from docx.oxml import parse_xml  # noqa: E402

from bench.variants import (DATES, NAMES, SENTENCES, Para, _body_add, _checkbox_sdt, _fill, _p, _run,  # noqa: E402
                            _sdt, text_para)
from models.template import (AnswerKind, GradeOption, Grading, HeaderField, Question, Section,  # noqa: E402
                             Template)

FREE, YN, TICK = AnswerKind.free_text, AnswerKind.yes_no_comments, AnswerKind.tick_list
FOUR = [("outstanding", "Outstanding"), ("good", "Good"), ("requires_improvement", "Requires improvement"),
        ("inadequate", "Inadequate")]


@dataclass
class Q:
    """A question as the tool prints it: number as printed, wording, guidance, kind, options."""

    number: str | None
    wording: str
    guidance: list[str] = field(default_factory=list)
    kind: AnswerKind = FREE
    options: list[str] = field(default_factory=list)
    details: bool = False  # a details field ('NHS number'): not required, no date expected


@dataclass
class Tool:
    """One invented audit tool: content and layout choices."""

    id: str
    title: str
    header: list[tuple[str, str]]  # (key, label)
    details: list[str]  # header-like labels that are not record header keys (DOB, NHS number): questions
    sections: list[tuple[str, list[Q]]]
    grading: tuple[str, list[tuple[str, str]]] | None
    header_style: str = "table"  # table | paragraphs | pairs
    section_style: str = "heading"  # heading | label_cell | shaded_row
    numbering: str = "dot"  # dot '1.' | decimal '1.1' | q 'Q1' | letter '(a)' | none
    guidance_style: str = "italic"  # italic (own paragraph) | inline (after the question)
    answer: str = "beside"  # beside | below
    grade_style: str = "table"  # table | line | checkboxes | horizontal
    tags: bool = False  # content controls tagged with the question id around answers
    pdf: bool = False  # also printed to PDF by the bench


def _printed(tool: Tool, q: Q) -> str:
    if q.number is None:
        return q.wording
    return {"dot": f"{q.number}. ", "decimal": f"{q.number} ", "q": f"Q{q.number} ",
            "letter": f"({q.number}) "}.get(tool.numbering, "") + q.wording


def _qid(tool: Tool, si: int, qi: int, q: Q) -> str:
    return f"s{si}_q{qi}"


def true_template(tool: Tool) -> Template:
    """The template a careful person would write for this tool."""
    sections = []
    if tool.details:
        sections.append(Section(id="details", title="Details", questions=[
            Question(id=f"d{i}", wording=d, required=False, requires_date=False) for i, d in enumerate(tool.details)]))
    for si, (title, qs) in enumerate(tool.sections):
        learning = any(w in title.lower() for w in ("learning", "action"))
        questions = [Question(id=_qid(tool, si, qi, q), number=q.number, wording=q.wording, guidance=q.guidance,
                              kind=q.kind, options=q.options, tags=[_qid(tool, si, qi, q)] if tool.tags else [],
                              required=not q.details, requires_date=q.kind == FREE and not learning and not q.details)
                     for qi, q in enumerate(qs)]
        sections.append(Section(id=f"s{si}", title=title, questions=questions, learning=learning))
    grading = None
    if tool.grading:
        grading = Grading(title=tool.grading[0], options=[GradeOption(value=v, label=l) for v, l in tool.grading[1]])
    return Template(id=tool.id, name=tool.title, version="1", titles=[tool.title],
                    header=[HeaderField(key=k, label=l) for k, l in tool.header], sections=sections, grading=grading)


# ---- the eight tools ------------------------------------------------------------------------------------

TOOLS = [
    Tool("northshire-maat", "Northshire Multi-Agency Case Audit", [("child", "Child's name"), ("agency", "Agency"),
         ("auditor", "Completed by"), ("date_of_audit", "Date")], ["Date of birth", "NHS number"],
         [("Early Help", [Q("1", "Were the child's needs identified early?", ["Consider missed opportunities."]),
                          Q("2", "Was the family offered early help?")]),
          ("Assessment", [Q("3", "Did the assessment reflect the child's lived experience?", ["Give examples."]),
                          Q("4", "Was the father or other male carer included in the assessment?")]),
          ("Learning and actions", [Q(None, "What went well?"), Q(None, "What needs to improve?")])],
         ("Overall grade", FOUR), pdf=True),
    Tool("eastvale-case-audit", "Eastvale Safeguarding Partnership Case File Audit",
         [("agency", "Organisation"), ("auditor", "Auditor"), ("child", "Child ID"), ("date_of_audit", "Date of audit")], [],
         [("Voice of the child", [Q("1.1", "How was the child's voice captured?", ["(e.g. direct work, observation)"]),
                                  Q("1.2", "Did the child's views influence the plan?")]),
          ("Multi-agency working", [Q("2.1", "Was information shared in a timely way?", ["(include dates)"]),
                                    Q("2.2", "Were disagreements escalated appropriately?")])],
         ("Overall judgement", FOUR), header_style="pairs", section_style="shaded_row", numbering="decimal",
         guidance_style="inline"),
    Tool("riverside-practice-review", "Riverside Practice Review Audit Tool",
         [("child", "Child's initials"), ("agency", "Name of agency"), ("practitioner", "Lead practitioner"),
          ("date_of_audit", "Date completed")], [],
         [("Risk", [Q("1", "Were risks to the child clearly identified?"),
                    Q("2", "Was the risk assessment reviewed when circumstances changed?")]),
          ("Planning", [Q("3", "Is the plan outcome focused?", ["Please explain."]),
                        Q("4", "Are timescales in the plan being met?")])],
         ("Grading", FOUR), header_style="paragraphs", section_style="label_cell", numbering="q",
         grade_style="line", tags=True, pdf=True),
    Tool("hillshire-compliance", "Hillshire Schools Safeguarding Compliance Audit",
         [("agency", "Name of school"), ("auditor", "Designated safeguarding lead"), ("date_of_audit", "Date")], [],
         [("Records", [Q(None, "Is there a chronology on the child's file?", kind=YN),
                       Q(None, "Are concerns recorded on the day they arise?", kind=YN),
                       Q(None, "Which plan is the child subject to?", kind=TICK,
                         options=["Early Help", "Child in Need", "Child Protection"])]),
          ("Actions", [Q(None, "Actions agreed following this audit")])],
         ("Rating", [("good", "Good"), ("requires_improvement", "Adequate"), ("inadequate", "Poor")]),
         grade_style="table"),
    Tool("westbrook-lettered", "Westbrook Joint Agency Audit",
         [("agency", "Agency"), ("auditor", "Completed by"), ("date_of_audit", "Date of audit")], ["Child's date of birth"],
         [("Recognition of need", [Q("a", "How well were the child's needs recognised?", ["Refer to the chronology."]),
                                   Q("b", "Was the referral timely?")]),
          ("Impact", [Q("c", "What difference has the work made to the child?")])],
         ("Overall grade", FOUR), numbering="letter", answer="below", grade_style="checkboxes"),
    Tool("coastal-learning-review", "Coastal Partnership Learning Review Audit",
         [("agency", "Agency"), ("auditor", "Name of auditor"), ("child", "Child's name"), ("date_of_audit", "Date")], [],
         [("Key lines of enquiry", [Q("1", "What was the child's daily lived experience?"),
                                    Q("2", "How effective was the response to neglect?", ["Consider the whole family."])]),
          ("Learning", [Q("3", "What should be shared across the partnership?")])],
         ("Overall grade", [("outstanding", "Outstanding"), ("good", "Good"),
                            ("requires_improvement", "Requires improvement to be good"), ("inadequate", "Inadequate")]),
         answer="below", grade_style="horizontal"),
    Tool("midcounty-health", "Midcounty Health Safeguarding Audit",
         [("agency", "Service"), ("auditor", "Auditor name"), ("child", "Patient initials"), ("date_of_audit", "Audit date")],
         ["NHS number"],
         [("Engagement", [Q(None, "Describe how the family engaged with health services"),
                          Q(None, "Which agencies were involved?", kind=TICK, options=["Police", "School", "Social care"])]),
          ("Actions", [Q(None, "Actions required", ["Include who is responsible and by when."])])],
         None, section_style="shaded_row", numbering="none", tags=True),
    Tool("greenvale-yes-no", "Greenvale Early Years Safeguarding Audit",
         [("agency", "Setting"), ("auditor", "Completed by"), ("date_of_audit", "Date")], [],
         [("Safeguarding practice", [Q("1", "Was the concern reported to the DSL the same day?", kind=YN),
                                     Q("2", "Was the parent informed?", kind=YN),
                                     Q("3", "What was the outcome for the child?")])],
         ("Grade", [("good", "Good"), ("requires_improvement", "Requires improvement"), ("inadequate", "Inadequate")]),
         numbering="dot", grade_style="table"),
]


# ---- writing ------------------------------------------------------------------------------------------

def _italic(text: str) -> Para:
    return Para(_p(f'<w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'), text)


def _shade(cell) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    tcpr.append(parse_xml('<w:shd xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                          'w:val="clear" w:color="auto" w:fill="D9D9D9"/>'))


def _table(document, rows: list[list[list[Para]]], spans: dict | None = None, shaded: tuple = ()):
    ncols = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=ncols)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, paras in enumerate(row):
            _fill(table.cell(r, c), paras)
    for (r, c), (nr, nc) in (spans or {}).items():
        table.cell(r, c).merge(table.cell(r + nr - 1, c + nc - 1))
    for r in shaded:
        _shade(table.cell(r, 0))
    return table


def _answer_paras(tool: Tool, qid: str, text: str | None) -> list[Para]:
    lines = [text_para(t) for t in (text or "").split("\n") if t]
    if tool.tags:
        inner = "".join(_run(t) for t in (text or "").split("\n")[:1]) or _run("")
        return [Para(_p(_sdt(inner, qid)))] + lines[1:]
    return lines


def _question_paras(tool: Tool, q: Q) -> list[Para]:
    first = _printed(tool, q)
    if tool.guidance_style == "inline" and q.guidance:
        return [text_para(f"{first} {' '.join(q.guidance)}")]
    return [text_para(first), *[_italic(g) for g in q.guidance]]


def _answer_cells(q: Q, text: str | None, tool: Tool, qid: str, width: int) -> list[list[Para]]:
    """The answer cells of one row (width cells), blank or filled."""
    if q.kind == YN:
        yes = no = comment = ""
        if text:
            mark, _, comment = text.partition("\n")
            yes, no = ("X", "") if mark == "Yes" else ("", "X")
        return [[text_para(yes)] if yes else [], [text_para(no)] if no else [], _answer_paras(tool, qid, comment or None)]
    if q.kind == TICK:
        ticked = set((text or "").split("\n"))
        return [[text_para(("☒ " if o in ticked else "☐ ") + o) for o in q.options]] + [[] for _ in range(width - 1)]
    return [_answer_paras(tool, qid, text)] + [[] for _ in range(width - 1)]


def _write_header(document, tool: Tool, values: dict[str, str]) -> None:
    fields = [(label, values.get(label, "")) for _, label in tool.header] + [(d, values.get(d, "")) for d in tool.details]
    if tool.header_style == "paragraphs":
        _body_add(document, [text_para(f"{label}: {value}".rstrip() + ("" if value else " ")) for label, value in fields])
    elif tool.header_style == "pairs":
        rows = []
        for i in range(0, len(fields), 2):
            row = []
            for label, value in fields[i:i + 2]:
                row += [[text_para(label + ":")], [text_para(value)] if value else []]
            rows.append(row + [[], []] * (2 - len(fields[i:i + 2])))
        _table(document, rows)
    else:
        _table(document, [[[text_para(label)], [text_para(value)] if value else []] for label, value in fields])


def _write_sections(document, tool: Tool, answers: dict[str, str] | None) -> None:
    yn = any(q.kind == YN for _, qs in tool.sections for q in qs)
    width = 4 if yn else 2
    big: list[list[list[Para]]] = []
    spans, shaded = {}, []
    merged: list[int] = []  # rows (of the current table) whose answer spans the Yes/No/Comments columns
    for si, (title, qs) in enumerate(tool.sections):
        rows: list[list[list[Para]]] = []
        if tool.section_style == "heading":
            document.add_paragraph(title, style="Heading 2")
        if tool.section_style == "shaded_row":
            spans[(len(big), 0)] = (1, width)
            shaded.append(len(big))
            big.append([[text_para(title.upper())]] + [[] for _ in range(width - 1)])
        if yn and any(q.kind == YN for q in qs):
            rows.append([[text_para("Question")], [text_para("Yes")], [text_para("No")], [text_para("Comments")]])
        for qi, q in enumerate(qs):
            qid = _qid(tool, si, qi, q)
            text = answers.get(qid) if answers is not None else None
            if tool.answer == "below":
                rows.append([_question_paras(tool, q)])
                rows.append(_answer_cells(q, text, tool, qid, 1)[:1])
            else:
                if yn and q.kind != YN:
                    merged.append(len(rows))
                rows.append([_question_paras(tool, q)] + _answer_cells(q, text, tool, qid, width - 1))
        row_spans = {(r, 1): (1, width - 1) for r in merged}
        merged.clear()
        if tool.section_style == "label_cell":
            rows = [[[text_para(title)] if i == 0 else []] + r for i, r in enumerate(rows)]
            _table(document, rows, {(0, 0): (len(rows), 1), **{(r, c + 1): n for (r, c), n in row_spans.items()}})
        elif tool.section_style == "shaded_row":
            spans.update({(r + len(big), c): n for (r, c), n in row_spans.items()})
            big += rows
        else:
            _table(document, rows, row_spans)
    if big:
        _table(document, big, spans, tuple(shaded))


def _write_grade(document, tool: Tool, chosen: str | None) -> None:
    title, options = tool.grading
    document.add_paragraph(title, style="Heading 2")
    if tool.grade_style == "line":
        _body_add(document, [text_para("  ".join(("☒ " if v == chosen else "☐ ") + label for v, label in options))])
    elif tool.grade_style == "horizontal":
        _table(document, [[[text_para(label)] for _, label in options],
                          [[text_para("X")] if v == chosen else [] for v, _ in options]])
    elif tool.grade_style == "checkboxes":
        _table(document, [[[text_para(label)], [Para(_p(_checkbox_sdt(v == chosen)))]] for v, label in options])
    else:
        _table(document, [[[text_para(label)], [text_para("X")] if v == chosen else []] for v, label in options])


@dataclass
class Filled:
    """A filled form and what a careful reader records from it (keyed by the true template's ids)."""

    path: Path
    header: dict[str, str | None]
    answers: dict[str, str]
    grade: str | None


def write_form(tool: Tool, path: Path, rng: random.Random | None = None) -> Filled:
    """Write the tool to path: blank when rng is None, otherwise filled with fictional answers."""
    answers: dict[str, str] | None = None
    values: dict[str, str] = {}
    header_truth: dict[str, str | None] = {}
    grade = None
    if rng is not None:
        answers = {}
        for si, (_, qs) in enumerate(tool.sections):
            for qi, q in enumerate(qs):
                if q.kind == YN:
                    answers[_qid(tool, si, qi, q)] = f"{rng.choice(['Yes', 'No'])}\n{rng.choice(SENTENCES)}"
                elif q.kind == TICK:
                    ticked = set(rng.sample(q.options, rng.randint(1, 2)))
                    answers[_qid(tool, si, qi, q)] = "\n".join(o for o in q.options if o in ticked)
                else:
                    answers[_qid(tool, si, qi, q)] = "\n".join(rng.sample(SENTENCES, rng.randint(1, 2)))
        for i, d in enumerate(tool.details):
            values[d] = answers[f"d{i}"] = "01/02/2015" if "birth" in d.lower() else f"{rng.randint(100, 999)} 000 0000"
        for key, label in tool.header:
            if key == "date_of_audit":
                values[label], header_truth[key] = rng.choice(DATES)
            else:
                values[label] = header_truth[key] = rng.choice(NAMES[key])
        grade = rng.choice(tool.grading[1])[0] if tool.grading else None
    document = docx.Document()
    document.add_paragraph(tool.title, style="Title")
    document.add_paragraph("Please complete every section. Answer N/A where a question does not apply.")
    _write_header(document, tool, values)
    _write_sections(document, tool, answers)
    if tool.grading:
        _write_grade(document, tool, grade)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return Filled(path, header_truth, answers or {}, grade)


def to_pdf(path: Path, out_dir: Path) -> Path:
    """The form printed to PDF by LibreOffice (a private profile per call: concurrent runs collide otherwise)."""
    import subprocess

    profile = (out_dir / ".lo-profile").resolve().as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out_dir), str(path)], check=True, capture_output=True, timeout=300)
    return out_dir / f"{path.stem}.pdf"


def make_all(folder: Path, filled: int = 5, seed: int = 11, pdf: bool = False,
             tools: list | None = None, write=None) -> list[tuple[Tool, str, Path, list[Filled]]]:
    """(tool, format, blank, filled copies) for every tool as .docx, plus as .pdf for tools marked pdf.

    ``tools`` and ``write`` (a write_form) default to this set's; bench/blank_variants2.py passes its own."""
    tools, write = tools or TOOLS, write or write_form
    rng = random.Random(seed)
    out = []
    for tool in tools:
        blank = write(tool, folder / f"blank-{tool.id}.docx").path
        forms = [write(tool, folder / f"{tool.id}-{n:02d}.docx", rng) for n in range(filled)]
        out.append((tool, "docx", blank, forms))
        if pdf and tool.pdf:
            out.append((tool, "pdf", to_pdf(blank, folder / "pdf"),
                        [replace(f, path=to_pdf(f.path, folder / "pdf")) for f in forms]))
    return out


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--filled", type=int, default=5)
    parser.add_argument("--pdf", action="store_true", help="also print the tools marked pdf with LibreOffice")
    args = parser.parse_args()
    made = make_all(args.out, args.filled, pdf=args.pdf)
    print(f"wrote {len(made)} blank tools and {sum(len(f) for *_, f in made)} filled forms to {args.out}")
