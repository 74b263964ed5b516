"""Fictional audit tools for issue 17, written as real Word files the way other partnerships lay them out.

Every person, agency and case here is invented. The builders write .docx files with python-docx (and, through
LibreOffice, text PDFs) so the tests exercise the whole reading path: `maap extract`, `maap templates learn`,
`maap run`.
"""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from click.testing import CliRunner

from pipeline.cli.main import main
from pipeline.templates.registry import load_templates

WM = load_templates()["west-midlands-maat"]
ENFIELD = load_templates()["enfield-escp"]

# A complete fictional return for the West Midlands tool: one answer per question, all dated where asked.
WM_ANSWERS = {
    "c1": "Open to Early Help since 12/01/2023 after a referral from school.",
    "c2": "Health visiting contact began on 04/02/2023; the family moved into the area in December 2022.",
    **{f"q{n}": f"Answer {n}: the health visitor recorded enough detail of the visit on {n:02d}/03/2024."
       for n in range(1, 26)},
    "learning_good_practice": "Persistent home visits when the family did not engage.",
    "learning_improvements": "Escalate sooner when a partner does not reply.",
    "learning_actions": "Brief the team by 30/06/2024.",
}


def cli(*args: str) -> str:
    """Run `maap ARGS` as a user does; fail with its output if it exits non-zero."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def extract(path: Path, *extra: str) -> dict:
    """The record `maap extract --json` prints for one file."""
    return json.loads(cli("extract", str(path), "--json", *extra))


def header_values(record: dict) -> dict[str, str]:
    """Every header value the record keeps, named fields and the form's own extra labels alike."""
    header = dict(record["header"])
    extra = header.pop("extra", None) or {}
    values = {k: v for k, v in header.items() if v}
    values.update({f"extra:{k}": v for k, v in extra.items() if v})
    return values


# ---------------------------------------------------------------- West Midlands body, any header


def _wm_questions_table(d, answers: dict[str, str]) -> None:
    table = d.add_table(rows=0, cols=3)
    table.style = "Table Grid"  # ruled, as printed forms are (a scan's cells are found by their rulings)
    for section in WM.sections:
        if section.learning:
            continue
        for i, q in enumerate(section.questions):
            row = table.add_row().cells
            row[0].text = section.title.upper() if i == 0 else ""
            row[1].text = "\n".join([f"{q.number}. {q.wording}" if q.number else q.wording, *q.guidance])
            row[2].text = answers.get(q.id, "")
    for row in table.rows:  # a row never splits across pages: each answer is whole on one page
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    d.add_paragraph("Learning")
    table = d.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for q in WM.section_of("learning_actions").questions:
        row = table.add_row().cells
        row[0].text, row[1].text = "\n".join([q.wording, *q.guidance]), answers.get(q.id, "")


def _wm_grade_table(d, grade: str) -> None:
    d.add_paragraph("Please use the criteria above to give the case an overall grade:")
    table = d.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, mark in [("Grading", "Grade (X)"), *((o, "X" if o == grade else "") for o in
                        ["Outstanding", "Good", "Requires improvement", "Inadequate"])]:
        row = table.add_row().cells
        row[0].text, row[1].text = label, mark


def wm_return(path: Path, header, answers: dict[str, str] | None = None, grade: str = "Good") -> Path:
    """A West Midlands return whose header is written by ``header(document)`` (paragraphs, a table...)."""
    d = docx.Document()
    d.add_paragraph("West Midlands Regional Multi-Agency Audit Tool")
    header(d)
    _wm_questions_table(d, WM_ANSWERS if answers is None else answers)
    _wm_grade_table(d, grade)
    d.add_paragraph("Thank you for completing this audit tool.")
    d.save(path)
    return path


def paragraphs(*lines: str):
    """A header written as body paragraphs, one per line (tabs and runs of spaces kept as typed)."""
    def write(d):
        for line in lines:
            d.add_paragraph(line)
    return write


def table(*rows: list[str]):
    """A header written as a table, one list of cell texts per row."""
    def write(d):
        t = d.add_table(rows=0, cols=max(len(r) for r in rows))
        t.style = "Table Grid"
        for values in rows:
            cells = t.add_row().cells
            for cell, text in zip(cells, values):
                cell.text = text
    return write


# ---------------------------------------------------------------- Enfield-style tools (no grade in the template)

ENFIELD_SECTIONS = [(s.id, s.title) for s in ENFIELD.sections]
ENFIELD_SUBS = ["good_practice", "areas_for_development", "recommendations"]


def enfield_answers(agency: str = "Police") -> dict[str, str]:
    return {f"{sid}_{sub}": f"{agency} on {title.lower()}, {sub.replace('_', ' ')}: reviewed on 0{i + 1}/05/2024."
            for i, (sid, title) in enumerate(ENFIELD_SECTIONS) for sub in ENFIELD_SUBS}


def enfield_return(path: Path, grade_block=None, answers: dict[str, str] | None = None) -> Path:
    """An Enfield ESCP return: header table, one table per section, then ``grade_block(document)`` if given."""
    answers = enfield_answers() if answers is None else answers
    d = docx.Document()
    d.add_paragraph("Enfield Safeguarding Children Partnership")
    d.add_paragraph("ESCP Multi-Agency Audit Tool")
    t = d.add_table(rows=0, cols=2)
    for label, value in [("Agency / service", "Police"), ("Name of person completing the audit", "Dana Whitcombe"),
                         ("Practitioner(s) involved", "PC Lewis Marr"), ("Child's name / ID", "Oscar Pellew"),
                         ("Date of audit", "21/05/2024")]:
        cells = t.add_row().cells
        cells[0].text, cells[1].text = label, value
    for sid, title in ENFIELD_SECTIONS:
        d.add_paragraph(title)
        t = d.add_table(rows=0, cols=2)
        for q in ENFIELD.section_of(f"{sid}_good_practice").questions:
            cells = t.add_row().cells
            cells[0].text, cells[1].text = q.wording, answers.get(q.id, "")
    if grade_block:
        grade_block(d)
    d.add_paragraph("Thank you for completing this audit tool.")
    d.save(path)
    return path


# ---------------------------------------------------------------- section x sub-question grids (to learn)

GRID_SECTIONS = ["Recognition", "Assessment of need", "Planning and review", "Voice of the child",
                 "Information sharing", "Outcomes for the child"]
SUBS_ESCP = ["Key areas of good practice", "Areas for development", "Recommendations for practice"]
SUBS_OTHER = ["What went well?", "What are we worried about?", "What needs to happen next?"]


def grid_form(path: Path, layout: str, subs: list[str], answers: dict[tuple[int, int], str] | None = None,
              agency: str = "", child: str = "") -> Path:
    """A tool whose six sections each ask the same three sub-questions; blank unless ``answers`` given.

    ``layout`` "table": one table, a full-width shaded title row per section then a row per sub-question
    (wording | answer). "sections": a section title cell merged down beside its three rows.
    "paragraphs": the section title as a Word heading, each sub-question a bold paragraph, the answer typed
    in the paragraph below it.
    """
    answers = answers or {}
    d = docx.Document()
    d.add_heading("Northmoor Safeguarding Partnership Practice Review Tool", level=1)
    t = d.add_table(rows=0, cols=2)
    t.style = "Table Grid"
    for label, value in [("Agency:", agency), ("Name of auditor:", "Ines Barraclough" if agency else ""),
                         ("Child's name:", child), ("Date of audit:", "03/06/2024" if agency else "")]:
        cells = t.add_row().cells
        cells[0].text, cells[1].text = label, value
    if layout == "paragraphs":
        for s, title in enumerate(GRID_SECTIONS):
            d.add_heading(title, level=2)
            for k, sub in enumerate(subs):
                d.add_paragraph().add_run(sub).bold = True
                d.add_paragraph(answers.get((s, k), ""))
    elif layout == "table":
        t = d.add_table(rows=0, cols=2)
        t.style = "Table Grid"
        for s, title in enumerate(GRID_SECTIONS):
            row = t.add_row().cells
            merged = row[0].merge(row[1])
            merged.text = title
            merged.paragraphs[0].runs[0].bold = True
            for k, sub in enumerate(subs):
                cells = t.add_row().cells
                cells[0].text, cells[1].text = sub, answers.get((s, k), "")
    elif layout == "title rows":  # the section title in the first cell of its own row, the cell beside empty
        t = d.add_table(rows=0, cols=2)
        t.style = "Table Grid"
        for s, title in enumerate(GRID_SECTIONS):
            t.add_row().cells[0].text = title
            for k, sub in enumerate(subs):
                cells = t.add_row().cells
                cells[0].text, cells[1].text = sub, answers.get((s, k), "")
    elif layout == "matrix":  # sections down, sub-questions across: one row per section
        t = d.add_table(rows=1, cols=len(subs) + 1)
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, ["Area of practice", *subs]):
            cell.text = text
        for s, title in enumerate(GRID_SECTIONS):
            cells = t.add_row().cells
            cells[0].text = title
            for k in range(len(subs)):
                cells[k + 1].text = answers.get((s, k), "")
    elif layout == "boxes":  # section headings, each sub-question a paragraph over a one-cell answer box
        for s, title in enumerate(GRID_SECTIONS):
            d.add_heading(title, level=2)
            for k, sub in enumerate(subs):
                d.add_paragraph(sub)
                box = d.add_table(rows=1, cols=1)
                box.style = "Table Grid"
                box.rows[0].cells[0].text = answers.get((s, k), "")
    elif layout == "sections":
        t = d.add_table(rows=0, cols=3)
        t.style = "Table Grid"
        for s, title in enumerate(GRID_SECTIONS):
            rows = [t.add_row().cells for _ in subs]
            top = rows[0][0].merge(rows[-1][0])
            top.text = title
            for k, (cells, sub) in enumerate(zip(rows, subs)):
                cells[1].text, cells[2].text = sub, answers.get((s, k), "")
    else:
        raise ValueError(layout)
    d.add_paragraph("Thank you for completing this tool.")
    d.save(path)
    return path


def grid_answers(agency: str) -> dict[tuple[int, int], str]:
    """One distinct, dated answer per (section, sub-question) cell, naming the agency so nothing can mix."""
    return {(s, k): f"{agency} S{s + 1}.{k + 1}: {title.lower()} noted in the record on {10 + s}/0{k + 1}/2024."
            for s, title in enumerate(GRID_SECTIONS) for k in range(3)}


# ---------------------------------------------------------------- Yes/No questions (to learn)

YES_NO = ["Is there an up-to-date chronology on file?", "Was the child seen alone?",
          "Has a strategy discussion been held?", "Was the referral acknowledged within one working day?"]


def _boxes(options: list[str], after: bool = False):
    def mark(chosen):
        def box(o):
            return "☒" if o == chosen else "☐"
        return "   ".join(f"{o} {box(o)}" if after else f"{box(o)} {o}" for o in options)
    return mark


# style -> (where Yes/No is printed, the printed text, how a user marks a choice in it)
YES_NO_STYLES = {
    "slash": ("answer", "Yes / No", lambda m: m),
    "tight": ("answer", "Yes/No", lambda m: m),
    "caps": ("answer", "YES / NO", lambda m: m.upper()),
    "y-n": ("answer", "Y / N", lambda m: m[0]),
    "delete": ("answer", "Yes / No (delete as appropriate)", lambda m: m),
    "boxes": ("answer", "☐ Yes ☐ No", _boxes(["Yes", "No"])),
    "boxes after": ("answer", "Yes ☐   No ☐", _boxes(["Yes", "No"], after=True)),
    "na": ("answer", "Yes / No / N/A", lambda m: m),
    "na boxes": ("answer", "☐ Yes ☐ No ☐ N/A", _boxes(["Yes", "No", "N/A"])),
    "in question": ("question", " (Yes/No)", lambda m: m),
    "paragraph": ("paragraph", "Yes / No", lambda m: m),
    "columns": ("columns", "", lambda m: "X"),
    "columns na": ("columns", "N/A", lambda m: "X"),
}


def yes_no_form(path: Path, style: str, marks: list[str | None] | None = None) -> Path:
    """A tool of Yes/No questions printed in ``style`` (YES_NO_STYLES); ``marks[i]`` answers question i.

    A mark is "Yes", "No" or "N/A", written as a Word user does in that style (the other choice deleted, a box
    ticked, an X in a column); None leaves the question as printed.
    """
    where, printed, mark = YES_NO_STYLES[style]
    marks = marks or [None] * len(YES_NO)
    filled = any(marks)
    d = docx.Document()
    d.add_heading("Riverside Safeguarding Partnership Case Audit", level=1)
    t = d.add_table(rows=0, cols=2)
    for label, value in [("Agency:", "Riverside Community Health" if filled else ""),
                         ("Date of audit:", "11/06/2024" if filled else "")]:
        cells = t.add_row().cells
        cells[0].text, cells[1].text = label, value
    d.add_paragraph("Case file checks")
    if where == "columns":
        choices = ["Yes", "No", *([printed] if printed else [])]
        t = d.add_table(rows=1, cols=len(choices) + 2)
        for cell, text in zip(t.rows[0].cells, ["Question", *choices, "Comments"]):
            cell.text = text
        for q, m in zip(YES_NO, marks):
            cells = t.add_row().cells
            cells[0].text = q
            for cell, choice in zip(cells[1:], choices):
                cell.text = mark(m) if m == choice else ""
    elif where == "paragraph":
        for q, m in zip(YES_NO, marks):
            d.add_paragraph(q)
            d.add_paragraph(printed if m is None else mark(m))
    else:
        t = d.add_table(rows=0, cols=2)
        for q, m in zip(YES_NO, marks):
            cells = t.add_row().cells
            if where == "question":
                cells[0].text, cells[1].text = q + printed, "" if m is None else mark(m)
            else:
                cells[0].text, cells[1].text = q, printed if m is None else mark(m)
    d.add_paragraph("Thank you for completing this audit.")
    d.save(path)
    return path


# ---------------------------------------------------------------- scans


def to_pdf(path: Path) -> Path:
    """Print a .docx to a text PDF with LibreOffice, beside it."""
    with tempfile.TemporaryDirectory(prefix="maap-lo-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(path.parent), str(path)], check=True, capture_output=True, timeout=240)
    return path.with_suffix(".pdf")


def scan(pdf: Path, out: Path, turns: dict[int, int], skews: dict[int, float], noise: float = 0.002,
         dpi: int = 200, seed: int = 17) -> Path:
    """Rasterise ``pdf`` in grey and save it as an image-only PDF, as a scanner would.

    ``turns[page]`` turns that page (0-based) by 90, 180 or 270 degrees (a sheet fed sideways or upside
    down); ``skews[page]`` rotates it a few degrees more (fed askew); ``noise`` is the share of pixels
    set to a random grey.
    """
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="maap-scan-") as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(Path(tmp) / "p")], check=True)
        pages = [Image.open(p).convert("L") for p in sorted(Path(tmp).glob("p*.png"))]
    rng = random.Random(seed)
    for i, image in enumerate(pages):
        if skews.get(i):
            image = image.rotate(skews[i], resample=Image.BICUBIC, expand=True, fillcolor=255)
        if turns.get(i):
            image = image.rotate(turns[i], expand=True)
        if noise:
            px = image.load()
            w, h = image.size
            for _ in range(int(w * h * noise)):
                px[rng.randrange(w), rng.randrange(h)] = rng.randrange(0, 256)
        pages[i] = image
    pages[0].save(out, save_all=True, append_images=pages[1:], resolution=dpi)
    return out


