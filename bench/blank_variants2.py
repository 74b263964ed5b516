"""A second set of invented audit tools, written apart from the learning rules, to measure learning blind.

Six tools, each with its own hand-written layout function rather than a shared set of switches: a cover
table with the child's details over two label/value column pairs; questions as Word headings (Heading 2)
answered in the next paragraphs or in a one-cell table; one long table with merged shaded section rows and
small italic guidance under each question in the same cell; numbering 1a/1b/2a; a RAG rating (Red / Amber
/ Green) or 'Met / Partially met / Not met' per section; an overall grade chosen in a content-control
drop-down, on a '☐ Outstanding ☒ Good ...' line, or in a grade cell of boxes; Yes/No answered by deleting
the other word; answers in content controls showing placeholder text; a closing Action / By whom / By when
table; landscape pages. ``write_form`` writes a blank (rng None) or a filled copy and returns what a
careful reader records, keyed by the true template's ids. Every name and answer is fictional.

A per-section rating is not an overall grade (the grade model holds one four-point grade per return), so
the true template reads it as a one-choice tick list question in its section ('RAG rating': Red, Amber,
Green), the way a person writing the template by hand would keep it.

    .venv/bin/python bench/blank_variants2.py OUT_DIR [--filled N] [--pdf]
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
from docx.enum.section import WD_ORIENT  # noqa: E402
from docx.oxml import parse_xml  # noqa: E402

from bench import blank_variants  # noqa: E402
from models.template import (AnswerKind, GradeOption, Grading, HeaderField, Question, Section,  # noqa: E402
                             Template)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W}"'
PROMPT = "Click or tap here to enter text."
RAG = ["Red", "Amber", "Green"]
MET = ["Met", "Partially met", "Not met"]
FOUR = [("outstanding", "Outstanding"), ("good", "Good"), ("requires_improvement", "Requires improvement"),
        ("inadequate", "Inadequate")]

# Fictional content only: invented people, services and events.
REMARKS = [
    "The school nurse saw the young person twice in October 2025 and recorded her wishes.",
    "A joint visit with the family support worker took place on 14/01/2026.",
    "Referral to the front door was made the same afternoon by telephone, followed by the written form.",
    "The chronology stops in 2024 and misses the move to the new address.",
    "Grandmother was spoken to but her views are not in the assessment.",
    "Escalation to the team manager happened after two unanswered emails.",
    "Attendance at core groups was good; the GP sent a report each time.",
    "No interpreter was booked for the first two visits, which delayed the work.",
    "The plan names who does what, but several actions have no date.",
    "Sibling's needs were considered separately and a referral to the young carers service was made.",
]
ACTIONS = [("Update the chronology", "Named nurse", "31/01/2026"), ("Book interpreter for reviews", "Social worker",
           "15/02/2026"), ("Share audit findings at team meeting", "Team manager", "March 2026")]
PEOPLE = {"auditor": ["Rowan Madeup", "Dr K. Notreal"], "practitioner": ["Ellis Pretend", "J. Imaginary"],
          "agency": ["Fairhaven Community Health (fictional)", "St Nowhere Academy", "Marsh Road Police (fictional)"],
          "child": ["Child B", "Poppy Fictitious", "T.W."]}
DATES = [("02/12/2025", "2025-12-02"), ("19 January 2026", "2026-01-19"), ("2026-02-05", "2026-02-05")]


@dataclass
class Item:
    """One printed question: reference ('1a' or None), wording, one guidance line, kind, options."""

    ref: str | None
    wording: str
    guidance: str | None = None
    kind: str = "free"  # free | yn (Yes/No by deletion) | rag | met | actions
    details: bool = False

    @property
    def options(self) -> list[str]:
        return {"rag": RAG, "met": MET}.get(self.kind, [])


@dataclass
class Tool:
    """One invented tool: what it asks, and the function that lays it out."""

    id: str
    title: str
    header: list[tuple[str, str]]  # (record key, printed label)
    details: list[str]  # labels with no record header key (date of birth, NHS number): details questions
    sections: list[tuple[str, list[Item]]]
    grading: tuple[str, list[tuple[str, str]]] | None
    layout: str
    landscape: bool = False
    pdf: bool = False


def _qid(si: int, qi: int) -> str:
    return f"s{si}_q{qi}"


def true_template(tool: Tool) -> Template:
    """The template a careful person would write by hand for this tool."""
    sections = []
    if tool.details:
        sections.append(Section(id="details", title="Details", questions=[
            Question(id=f"d{i}", wording=d, required=False, requires_date=False) for i, d in enumerate(tool.details)]))
    for si, (title, items) in enumerate(tool.sections):
        learning = any(w in title.lower() for w in ("learning", "action"))
        qs = []
        for qi, it in enumerate(items):
            kind = {"yn": AnswerKind.yes_no_comments, "rag": AnswerKind.tick_list,
                    "met": AnswerKind.tick_list}.get(it.kind, AnswerKind.free_text)
            guidance = ["By whom", "By when"] if it.kind == "actions" else [it.guidance] if it.guidance else []
            qs.append(Question(id=_qid(si, qi), number=it.ref, wording=it.wording, guidance=guidance, kind=kind,
                               options=it.options, required=True,
                               requires_date=kind == AnswerKind.free_text and not learning))
        sections.append(Section(id=f"s{si}", title=title, questions=qs, learning=learning))
    grading = None
    if tool.grading:
        grading = Grading(title=tool.grading[0], options=[GradeOption(value=v, label=lab) for v, lab in tool.grading[1]])
    return Template(id=tool.id, name=tool.title, version="1", titles=[tool.title],
                    header=[HeaderField(key=k, label=lab) for k, lab in tool.header], sections=sections,
                    grading=grading)


RAG_ITEM = Item(None, "RAG rating", kind="rag")
TOOLS = [
    Tool("ashdown-case-review", "Ashdown Safeguarding Children Partnership Multi-Agency Case Review",
         [("child", "Child's name"), ("agency", "Agency"), ("auditor", "Completed by"),
          ("date_of_audit", "Date of audit"), ("practitioner", "Lead professional")], ["Date of birth"],
         [("Section 1: Referral and early help",
           [Item("1a", "Was the first concern referred promptly?", "Give the date of referral."),
            Item("1b", "How was early help offered to the family?")]),
          ("Section 2: The child's lived experience",
           [Item("2a", "What do we know about a typical day for this child?"),
            Item("2b", "How were the child's wishes and feelings recorded?", "Quote the child where possible.")])],
         ("Overall judgement", FOUR), layout="headings_paragraphs", landscape=True, pdf=True),
    Tool("brackley-maat", "Brackley Partnership Multi-Agency Audit Tool",
         [("agency", "Organisation"), ("auditor", "Auditor"), ("child", "Child / young person"),
          ("date_of_audit", "Audit date")], [],
         [("Section 1: Voice of the child", [Item("1a", "How is the child's voice captured in your records?",
                                       "Consider direct work, drawings and observation."),
                                  Item("1b", "Did the child's views change what your agency did?"), RAG_ITEM]),
          ("Section 2: Working together", [Item("2a", "Was information shared with partners when it was needed?",
                                     "Include the route used (telephone, secure email, meeting)."),
                                Item("2b", "Were professional disagreements resolved?"), RAG_ITEM]),
          ("Actions", [Item(None, "Action", kind="actions")])],
         None, layout="long_table"),
    Tool("calderbrook-health", "Calderbrook Health Safeguarding Case Audit",
         [("child", "Patient name"), ("agency", "Service"), ("auditor", "Auditor"), ("date_of_audit", "Date")],
         ["NHS number", "GP practice"],
         [("Recognition", [Item("1", "Were safeguarding concerns recognised at first contact?", kind="yn"),
                           Item("2", "How were concerns escalated within the service?")]),
          ("Information sharing", [Item("3", "Was the health visitor informed of the concern?", kind="yn"),
                                   Item("4", "What information did you receive from partners?")])],
         ("Overall grade", FOUR), layout="headings_boxes"),
    Tool("dunmore-school", "Dunmore Schools Safeguarding Audit",
         [("agency", "School"), ("auditor", "Designated safeguarding lead"), ("date_of_audit", "Date completed")],
         [],
         [("Standard 1 - Records", [Item("1a", "Are concerns logged on the day they are raised?"),
                                    Item("1b", "Does the file show what happened next?"),
                                    Item(None, "Judgement", kind="met")]),
          ("Standard 2 - Working with others", [Item("2a", "Were the child's needs discussed with other agencies?"),
                                                Item(None, "Judgement", kind="met")]),
          ("Agreed actions", [Item(None, "Action", kind="actions")])],
         None, layout="controls_table"),
    Tool("eastmere-police", "Eastmere Police Child Protection Audit",
         [("auditor", "Officer completing audit"), ("agency", "Command / department"), ("child", "Child's initials"),
          ("date_of_audit", "Date of audit")], [],
         [("Initial response", [Item("1a", "Was a strategy discussion requested?", kind="yn"),
                                Item("1b", "Describe the initial safeguarding action taken")]),
          ("Investigation", [Item("2a", "Was the child spoken to alone?", kind="yn"),
                             Item("2b", "How was the investigation plan shared with partners?")])],
         ("Overall grade", FOUR), layout="police_table", landscape=True, pdf=True),
    Tool("fernley-early-help", "Fernley Early Help Case File Audit",
         [("agency", "Agency"), ("auditor", "Name of auditor"), ("date_of_audit", "Date of audit")], [],
         [("Assessment", [Item(None, "Was the early help assessment completed with the family?",
                               "Look for the family's own words."),
                          Item(None, "Were all the children in the household considered?"), RAG_ITEM]),
          ("Plan and review", [Item(None, "Is the plan specific, measurable and reviewed?"), RAG_ITEM])],
         ("Overall rating", [("good", "Good"), ("requires_improvement", "Requires improvement"),
                             ("inadequate", "Inadequate")]), layout="paragraphs_boxes"),
]


# ---- WordprocessingML pieces ------------------------------------------------------------------------------

def _r(text: str, props: str = "") -> str:
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""


def _para(inner: str, style: str = "") -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p {NS}>{ppr}{inner}</w:p>"


def _small_italic(text: str) -> str:
    return _para(_r(text, '<w:i/><w:sz w:val="16"/><w:color w:val="595959"/>'))


def _text_control(text: str | None) -> str:
    """A plain-text content control: Word's placeholder prompt when empty, the typed answer otherwise."""
    if text:
        return f"<w:sdt><w:sdtPr><w:text/></w:sdtPr><w:sdtContent>{_r(text)}</w:sdtContent></w:sdt>"
    grey = _r(PROMPT, '<w:color w:val="808080"/>')
    return f"<w:sdt><w:sdtPr><w:showingPlcHdr/><w:text/></w:sdtPr><w:sdtContent>{grey}</w:sdtContent></w:sdt>"


def _drop_down(labels: list[str], chosen: str | None) -> str:
    items = "".join(f'<w:listItem w:displayText="{escape(x)}" w:value="{escape(x)}"/>' for x in labels)
    shown = chosen or "Choose an item."
    plc = "" if chosen else "<w:showingPlcHdr/>"
    return (f'<w:sdt><w:sdtPr><w:alias w:val="Grade"/>{plc}<w:dropDownList>{items}</w:dropDownList></w:sdtPr>'
            f"<w:sdtContent>{_r(shown)}</w:sdtContent></w:sdt>")


def _boxes(options: list[str], chosen: set[str], sep: str = "  ") -> str:
    return sep.join(("☒ " if o in chosen else "☐ ") + o for o in options)


def _body(document, xml: str) -> None:
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(xml))


def _cell(cell, paras: list[str]) -> None:
    tc = cell._tc
    for p in list(tc.iterchildren(f"{{{W}}}p")):
        tc.remove(p)
    for xml in paras or [_para("")]:
        tc.append(parse_xml(xml))


def _shade(cell, fill: str = "BFBFBF") -> None:
    cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {NS} w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def _grid(document, rows: list[list[list[str]]]):
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, paras in enumerate(row):
            _cell(table.cell(r, c), paras)
    return table


def _lines(text: str | None) -> list[str]:
    return [_para(_r(t)) for t in (text or "").split("\n") if t]


# ---- answers a reader records -----------------------------------------------------------------------------

def _answer(it: Item, rng: random.Random) -> str:
    if it.kind == "yn":
        return f"{rng.choice(['Yes', 'No'])}\n{rng.choice(REMARKS)}"
    if it.kind in ("rag", "met"):
        return rng.choice(it.options)
    if it.kind == "actions":
        rows = rng.sample(ACTIONS, rng.randint(1, 2))
        return "\n".join(x for row in rows for x in row)
    return "\n".join(rng.sample(REMARKS, rng.randint(1, 2)))


def _yn_paras(text: str | None) -> list[str]:
    """Yes/No answered by deleting the other word: the blank prints 'Yes / No'; comments follow."""
    if not text:
        return [_para(_r("Yes / No"))]
    choice, _, comment = text.partition("\n")
    return [_para(_r(choice))] + _lines(comment)


def _item_answer(it: Item, text: str | None) -> list[str]:
    if it.kind == "yn":
        return _yn_paras(text)
    if it.kind in ("rag", "met"):
        return [_para(_r(_boxes(it.options, {text} if text else set())))]
    return _lines(text)


def _printed(it: Item) -> str:
    return f"{it.ref} {it.wording}" if it.ref else it.wording


# ---- the six layouts --------------------------------------------------------------------------------------

def _cover_pairs(document, tool: Tool, values: dict[str, str]) -> None:
    """Child's details over two label/value column pairs: 'Child's name | _ | Date of birth | _'."""
    labels = [lab for _, lab in tool.header] + tool.details
    rows = []
    for i in range(0, len(labels), 2):
        row = []
        for lab in labels[i:i + 2]:
            shaded = [_para(_r(lab, "<w:b/>"))]
            row += [shaded, _lines(values.get(lab))]
        rows.append(row + [[], []] * (2 - len(labels[i:i + 2])))
    table = _grid(document, rows)
    for r in range(len(rows)):
        for c in (0, 2):
            _shade(table.cell(r, c), "F2F2F2")


def _actions_table(document, text: str | None, title: str) -> None:
    document.add_paragraph(title, style="Heading 2")
    cells = (text or "").split("\n") if text else []
    rows = [[[_para(_r(h, "<w:b/>"))] for h in ("Action", "By whom", "By when")]]
    for r in range(3):
        rows.append([_lines(x) for x in cells[3 * r:3 * r + 3]] + [[] for _ in range(3 - len(cells[3 * r:3 * r + 3]))])
    _grid(document, rows)


def _headings_paragraphs(document, tool: Tool, answers: dict, values: dict, grade: str | None) -> None:
    _cover_pairs(document, tool, values)
    for si, (title, items) in enumerate(tool.sections):
        document.add_paragraph(title, style="Heading 1")
        for qi, it in enumerate(items):
            document.add_paragraph(_printed(it), style="Heading 2")
            if it.guidance:
                _body(document, _small_italic(it.guidance))
            for xml in _item_answer(it, answers.get(_qid(si, qi))) or [_para("")]:
                _body(document, xml)
    title, options = tool.grading
    document.add_paragraph(title, style="Heading 2")
    _body(document, _para(_r("  ".join(("☒ " if v == grade else "☐ ") + lab for v, lab in options))))


def _long_table(document, tool: Tool, answers: dict, values: dict, grade: str | None) -> None:
    rows, shaded = [], []
    shaded.append(len(rows))
    rows.append([[_para(_r("CASE DETAILS", "<w:b/>"))], []])
    for _, lab in tool.header:
        rows.append([[_para(_r(lab))], _lines(values.get(lab))])
    for si, (title, items) in enumerate(tool.sections):
        if any(it.kind == "actions" for it in items):
            continue
        shaded.append(len(rows))
        rows.append([[_para(_r(title.upper(), "<w:b/>"))], []])
        for qi, it in enumerate(items):
            question = [_para(_r(_printed(it)))] + ([_small_italic(it.guidance)] if it.guidance else [])
            rows.append([question, _item_answer(it, answers.get(_qid(si, qi)))])
    table = _grid(document, rows)
    for r in shaded:
        table.cell(r, 0).merge(table.cell(r, 1))
        _shade(table.cell(r, 0))
    for si, (title, items) in enumerate(tool.sections):
        if any(it.kind == "actions" for it in items):
            _actions_table(document, answers.get(_qid(si, 0)), title)


def _headings_boxes(document, tool: Tool, answers: dict, values: dict, grade: str | None) -> None:
    _cover_pairs(document, tool, values)
    for si, (title, items) in enumerate(tool.sections):
        document.add_paragraph(title.upper(), style="Heading 1")
        for qi, it in enumerate(items):
            document.add_paragraph(f"{it.ref}. {it.wording}", style="Heading 2")
            _grid(document, [[_item_answer(it, answers.get(_qid(si, qi)))]])  # a one-cell answer box
    title, options = tool.grading
    label = next((lab for v, lab in options if v == grade), None)
    _body(document, _para(_r(f"{title}: ", "<w:b/>") + _drop_down([lab for _, lab in options], label)))


def _controls_table(document, tool: Tool, answers: dict, values: dict, grade: str | None) -> None:
    for key, lab in tool.header:
        _body(document, _para(_r(f"{lab}: ") + _text_control(values.get(lab))))
    for si, (title, items) in enumerate(tool.sections):
        if any(it.kind == "actions" for it in items):
            _actions_table(document, answers.get(_qid(si, 0)), title)
            continue
        document.add_paragraph(title, style="Heading 2")
        rows = [[[_para(_r("Standard", "<w:b/>"))], [_para(_r("Evidence", "<w:b/>"))]]]
        for qi, it in enumerate(items):
            text = answers.get(_qid(si, qi))
            if it.kind == "met":
                rows.append([[_para(_r(_printed(it)))], _item_answer(it, text)])
            else:
                first, *rest = (text or "").split("\n")
                rows.append([[_para(_r(_printed(it)))], [_para(_text_control(first or None))] + _lines("\n".join(rest))])
        _grid(document, rows)


def _police_table(document, tool: Tool, answers: dict, values: dict, grade: str | None) -> None:
    table = _grid(document, [[[_para(_r(lab, "<w:b/>"))], _lines(values.get(lab))] for _, lab in tool.header])
    for r in range(len(tool.header)):
        _shade(table.cell(r, 0), "DEEAF6")
    for si, (title, items) in enumerate(tool.sections):
        document.add_paragraph(title, style="Heading 2")
        _grid(document, [[[_para(_r(f"{it.ref}) {it.wording}"))], _item_answer(it, answers.get(_qid(si, qi)))]
                         for qi, it in enumerate(items)])
    title, options = tool.grading
    _grid(document, [[[_para(_r(title, "<w:b/>"))],
                      [_para(_r(_boxes([lab for _, lab in options],
                                       {lab for v, lab in options if v == grade}, "   ")))]]])


def _paragraphs_boxes(document, tool: Tool, answers: dict, values: dict, grade: str | None) -> None:
    labels = [lab for _, lab in tool.header]  # labels across one row, values typed in the row below
    _grid(document, [[[_para(_r(lab, "<w:b/>"))] for lab in labels], [_lines(values.get(lab)) for lab in labels]])
    for si, (title, items) in enumerate(tool.sections):
        document.add_paragraph(title, style="Heading 1")
        for qi, it in enumerate(items):
            text = answers.get(_qid(si, qi))
            if it.kind == "rag":
                _body(document, _para(_r("RAG rating: ") + _r(_boxes(RAG, {text} if text else set()))))
                continue
            _body(document, _para(_r(it.wording)))
            if it.guidance:
                _body(document, _small_italic(it.guidance))
            _grid(document, [[_lines(text)]])
    title, options = tool.grading
    document.add_paragraph(title, style="Heading 2")
    _grid(document, [[[_para(_r(lab))], [_para(_r("☒" if v == grade else "☐"))]] for v, lab in options])


LAYOUTS = {"headings_paragraphs": _headings_paragraphs, "long_table": _long_table, "headings_boxes": _headings_boxes,
           "controls_table": _controls_table, "police_table": _police_table, "paragraphs_boxes": _paragraphs_boxes}


@dataclass
class Filled:
    """A written form and what a careful reader records from it (keyed by the true template's ids)."""

    path: Path
    header: dict[str, str | None]
    answers: dict[str, str] = field(default_factory=dict)
    grade: str | None = None


def write_form(tool: Tool, path: Path, rng: random.Random | None = None) -> Filled:
    """Write the tool to path: blank when rng is None, otherwise filled with fictional answers."""
    answers: dict[str, str] = {}
    values: dict[str, str] = {}
    header: dict[str, str | None] = {}
    grade = None
    if rng is not None:
        for si, (_, items) in enumerate(tool.sections):
            for qi, it in enumerate(items):
                answers[_qid(si, qi)] = _answer(it, rng)
        for i, d in enumerate(tool.details):
            values[d] = answers[f"d{i}"] = "12/03/2016" if "birth" in d.lower() else \
                f"{rng.randint(400, 499)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}" if "nhs" in d.lower() \
                else "Hollow Lane Surgery"
        for key, lab in tool.header:
            if key == "date_of_audit":
                values[lab], header[key] = rng.choice(DATES)
            else:
                values[lab] = header[key] = rng.choice(PEOPLE[key])
        grade = rng.choice(tool.grading[1])[0] if tool.grading else None
    document = docx.Document()
    if tool.landscape:
        sec = document.sections[0]
        sec.orientation, sec.page_width, sec.page_height = WD_ORIENT.LANDSCAPE, sec.page_height, sec.page_width
    document.add_paragraph(tool.title, style="Title")
    _body(document, _para(_r("This tool is completed by each agency before the audit meeting. "
                             "Base your answers on the records for the last twelve months.")))
    LAYOUTS[tool.layout](document, tool, answers, values, grade)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return Filled(path, header, answers, grade)


def make_all(folder: Path, filled: int = 5, seed: int = 23,
             pdf: bool = False) -> list[tuple[Tool, str, Path, list[Filled]]]:
    """(tool, format, blank, filled copies) for every tool of this set, as blank_variants.make_all builds them."""
    return blank_variants.make_all(folder, filled, seed, pdf, TOOLS, write_form)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--filled", type=int, default=5)
    parser.add_argument("--pdf", action="store_true", help="also print the tools marked pdf with LibreOffice")
    args = parser.parse_args()
    made = make_all(args.out, args.filled, pdf=args.pdf)
    print(f"wrote {len(made)} blank tools and {sum(len(f) for *_, f in made)} filled forms to {args.out}")
