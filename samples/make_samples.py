"""Build the bundled sample returns (samples/returns/) and their ground truth (samples/expected.yaml).

What each return says lives in samples/sample_content.yaml; this script lays it out as the printed forms
(West Midlands Regional Multi-Agency Audit Tool, Warrington key questions, Enfield ESCP tool) and writes,
from the same data, what a careful person reading each file would record. Output is deterministic: fixed
core properties and zip timestamps, and PDF dates/ids pinned, so re-running changes nothing.

    .venv/bin/python samples/make_samples.py            # Word, PDF (LibreOffice), junk files, expected.yaml
    .venv/bin/python samples/make_samples.py --no-pdf   # skip the LibreOffice step
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import yaml
from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))  # run as a script from anywhere

from pipeline.templates.registry import load_templates  # noqa: E402

CONTENT = ROOT / "sample_content.yaml"
FIXED_TIME = datetime(2024, 1, 1, 9, 0, 0)
ZIP_TIME = (2024, 1, 1, 9, 0, 0)
TYPED_BULLET = re.compile(r"^[•·\-–]\s+")
NOT_APPLICABLE = re.compile(r"^(n/?a|not applicable)\b", re.IGNORECASE)


# ---------------------------------------------------------------- answers: items -> paragraphs / expected text

def answer_items(value) -> tuple[list, dict]:
    """The paragraph items of one answer and its markers (undated, status), from the content file's forms."""
    if isinstance(value, dict) and "lines" in value:
        items, marks = value["lines"], {k: v for k, v in value.items() if k != "lines"}
    else:
        items, marks = value, {}
    if items is None:
        items = []
    if isinstance(items, str):
        items = [items]
    return items, marks


def expected_lines(items: list) -> list[str]:
    """What a reader transcribes: one line per non-empty paragraph or list item, bullet glyphs dropped."""
    lines = []
    for item in items:
        text = next(iter(item.values())) if isinstance(item, dict) else TYPED_BULLET.sub("", item)
        if text.strip():
            lines.append(text.strip())
    return lines


def expected_status(lines: list[str], marks: dict) -> str:
    if "status" in marks:
        return marks["status"]
    if not lines:
        return "unanswered"
    return "not_applicable" if NOT_APPLICABLE.match(lines[0]) else "answered"


def write_items(cell, items: list, blank_paragraphs: int = 2) -> None:
    """Type an answer into a cell, reusing its empty first paragraph as Word does."""
    if not items:
        items = [""] * blank_paragraphs  # an untouched answer cell of the printed form
    first = cell.paragraphs[-1] if cell.paragraphs and not cell.paragraphs[-1].text else None
    for item in items:
        style = None
        if isinstance(item, dict):
            style = {"b": "List Bullet", "n": "List Number"}[next(iter(item))]
            text = next(iter(item.values()))
        else:
            text = item
        if first is not None:
            para, first = first, None
            para.text = text
        else:
            para = cell.add_paragraph(text)
        if style:
            para.style = cell.part.document.styles[style]


# ---------------------------------------------------------------- the West Midlands form as printed (seeds/002)

INTRO = [
    ("Title", "West Midlands (Met Area) Safeguarding Board   Multi-Agency Audit Tool"),
    ("Heading 2", "The purpose of multi-agency audits"),
    ("Normal", "1. The Multi Agency Audit Tool is to be completed by each agency involved in working with the "
               "child and/or adult and their family."),
    ("Normal", "2. The tool provides a framework through which agencies are able to analyse the effectiveness of "
               "the work carried out in safeguarding the child or adult, and promoting their welfare, both on an "
               "inter-agency and single-agency basis."),
    ("Normal", "3. Learning is identified from the review of the audit tool and wider multi-agency discussion at "
               "the audit in terms of strengths, areas for improvement and best practice or innovative work. The "
               "learning is shared with agencies directly involved and the wider workforce so that it can be "
               "used to promote improved safeguarding practice."),
    ("Heading 2", "Guide to completing the tool"),
    ("Normal", "1. Auditors should focus on the impact the work is having on the child/adult."),
    ("Normal", "2. The tool is to be used to audit the Childs/Adult’s case and records over the 12 months prior to "
               "the date of audit."),
    ("Normal", "3. Please complete all Sections and answer N/A if not applicable."),
    ("Normal", "4. References to you/your mean your agency."),
    ("Normal", "5. For this audit tool an agency means a School, Housing Associations, Social Services, Local "
               "Authorities, Police, Probation, Youth Justice, Health and commissioned services."),
    ("Normal", "6. When completing the audit tool please be clear on the information given e.g:"),
    ("Normal", "· Specific events, issues and references should be dated"),
    ("Normal", "· If an agency or worker contacted another agency- what type of contact was it, telephone, email"),
    ("Normal", "· If an agency or worker was invited to a meeting- did they attend"),
]

CHILD_LABEL = ["Name of Child / Vulnerable adult:", "(delete as appropriate)"]

# (first cell: section label or the stray list letter the printed form carries, question id, question cell lines)
QUESTION_ROWS = [
    ("", "c1", ["How long has the case been open to your service?"]),
    ("a.", "c2", ["Was the child or adult previously known? If yes for what reason?"]),
    ("PREVENTION /EARLY HELP/ THRESHOLDS", "q1",
     ["1. How were opportunities for prevention/ early help considered and utilised?"]),
    ("b.", "q2", ["2. How did this impact on the situation?"]),
    ("c.", "q3", ["3. Has the child/adult always received the right level of support? Please explain."]),
    ("d.", "q4", ["4. If there is an escalation procedure, was it required and was it used appropriately? "
                  "Please explain."]),
    ("e.", "q5", ["5. How were disagreements resolved?"]),
    ("f.", None, []),
    ("ASSESSMENT", "q6", ["6. Which tools have been used for assessment (and when)?"]),
    ("g.", "q7", ["7. Are assessments timely and proportionate to risk?", "Please explain."]),
    ("h.", "q8", ["8. How do they consider the family history and context including use of chronologies and "
                  "genograms?"]),
    ("i.", "q9", ["9. What steps have been taken to engage all family members in assessment? (have you considered "
                  "estranged parents, new partners, step parents etc)", "", "IE Support plans, CIN, CP plans etc"]),
    ("", None, []),
    ("PLANS", "q10", ["10. How are plans informed by assessment?"]),
    ("", "q11", ["11. How does the plan meet the child's/adult’s needs?"]),
    ("", "q12", ["12. How does the plan reduce risk for the child/adult?"]),
    ("", "q13", ["13. Are actions taken in appropriate time scales?", "If not, why?"]),
    ("", "q14", ["14. Are reviews carried out in a timely manner?", "If not, why?"]),
    ("", "q15", ["15. Is the plan outcome focussed?", "Please explain."]),
    ("", "q16", ["16. How has the plan had a positive impact on the child/adult?"]),
    ("", None, []),
    ("MULTI AGENCY WORKING", "q17", ["17. How are relevant agencies engaged in multi-agency decision making?"]),
    ("", "q18", ["18. Please describe how information sharing has impacted on the plan. Please identify good "
                 "practice and any areas for development"]),
    ("", None, []),
    ("PERSON CENTRED APPPROACHES / LIVED EXPERIENCE (incl MSP)", "q19",
     ["19. How are the child’s/adult’s day to day lived experiences understood?"]),
    ("j.", "q20", ["20. How are children/adults safer as a result of the help they receive?"]),
    ("k.", "q21", ["21. How is the voice of the child/adult heard and incorporated into  interventions?"]),
    ("", None, []),
    ("INTERVENTIONS", "q22", ["22. How has your agency identified vulnerabilities and root causes and are "
                              "interventions and/or plans tailored to address these?"]),
    ("l.", "q23", ["23. How are individual and family strengths identified and built upon?"]),
    ("m.", "q24", ["24. What evidence Is there of the consideration and impact of age, disability, ethnicity, faith "
                   "or belief, gender, gender identity, language, race and sexual orientation, mental capacity?"]),
    ("n.", "q25", ["25. Was prompt action taken to address interventions that are not working or where "
                   "deterioration is recognised?", "Please explain."]),
]

LEARNING_ROWS = [
    ("learning_actions", "Please record any actions for your agency identified by the auditor. Include any "
                         "timescales and person/s responsible:"),
    ("learning_good_practice", "Is there good practice which should be highlighted?"),
    ("learning_improvements", "Do you have any suggestions for practice improvement for your agency or the "
                              "professionals group working with this individual/ family?"),
]

GRADING_TEXT = [
    ("Normal", "A Rating of “Outstanding” should be given where files exceed the standard expected for “good” and "
               "there have been significant and sustained improvements in regard to the wellbeing of or outcomes "
               "for the individual / carer."),
    ("Normal", "A file should be rated as good where there is consistent evidence that practice is meeting expected "
               "standards."),
    ("Normal", "A “Requires Improvement” rating should be given where practice is not consistently meeting expected "
               "standards and actions or areas for improvement have been highlighted by the auditor."),
    ("Normal", "An “Inadequate” rating should be given in one or more of the following circumstances:"),
    ("Normal", "•\tPractice is of concern"),
    ("Normal", "•\tExpected standards have not been met - this includes where the auditor cannot identify evidence / "
               "sufficient evidence to support all or most of the audit areas"),
    ("Normal", "•\tThere are immediate actions needed to address concerns"),
    ("Normal", "Please use the criteria above to give the case an overall grade:"),
]


# ---------------------------------------------------------------- documents

def new_document(title: str):
    doc = Document()
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "", ""
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    return doc


def set_widths(table, widths_cm: list[float]) -> None:
    """Fix column widths as the printed form has them (Word reads the width of every cell, not the column)."""
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths_cm):  # LibreOffice lays out from the grid
        col.w = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def header_table(doc, rows: list[tuple[list[str], str]]):
    """A label | value table; a label may be several paragraphs ("(delete as appropriate)")."""
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].paragraphs[0].text = label[0]
        for extra in label[1:]:
            cells[0].add_paragraph(extra)
        cells[1].paragraphs[0].text = value or ""
    set_widths(table, [7.0, 10.0])
    return table


def grade_table(doc, options: list[tuple[str, str]], marked: list[str], mark: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Grading", "Grade (X)"
    for value, label in options:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = mark if value in marked else ""
    set_widths(table, [7.0, 3.0])


def build_west_midlands(ret: dict, case: dict, template) -> object:
    """The West Midlands tool as printed (seeds/002): intro, header, questions, learning, grading."""
    layout = ret.get("layout", {})
    doc = new_document("West Midlands Regional Multi-Agency Audit Tool")
    for style, text in INTRO:
        doc.add_paragraph(text, style=style)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("West Midlands Regional Multi-Agency Audit Tool", style="Heading 1")
    doc.add_paragraph(f"Date: {case['audit_day']}")
    doc.add_paragraph(f"Theme: {case['theme']}")
    h = ret["header"]
    child_label = [layout["child_label"]] if "child_label" in layout else CHILD_LABEL
    first = [(["Name of auditor completing form:"], h["auditor"]),
             (["Name of your agency/organisation:"], h["agency"]),
             (["Name of practitioner involved in the case:"], h["practitioner"]),
             (["Date of audit:"], h["date_of_audit"]["text"])]
    second = [(child_label, case["child"]), (["Case status"], h.get("case_status", case["case_status"]))]
    if layout.get("header_split"):
        header_table(doc, first)
        doc.add_paragraph()
        header_table(doc, second)
    else:
        header_table(doc, first + second)
    doc.add_paragraph()
    doc.add_paragraph("Context questions:")
    in_question = layout.get("answers_in_question_cell", [])
    two_columns = in_question == "all"
    table = doc.add_table(rows=0, cols=2 if two_columns else 3)
    table.style = "Table Grid"
    number = 0
    for label, qid, printed in QUESTION_ROWS:
        if qid in layout.get("deleted_rows", []):
            continue
        cells = table.add_row().cells
        cells[0].text = label
        if label and label.isupper():
            cells[0].paragraphs[0].runs[0].bold = True
        if qid is None:  # spacer row between sections, as on the printed form
            continue
        number += 1
        lines = list(printed)
        if layout.get("renumber") == "context":
            # this agency's copy numbers the context questions too, so every printed number is 2 higher
            lines[0] = f"{number}. " + re.sub(r"^\d+\.\s*", "", lines[0])
        cells[1].paragraphs[0].text = lines[0]
        for extra in lines[1:]:
            cells[1].add_paragraph(extra)
        items, _ = answer_items(ret["answers"][qid])
        if two_columns or qid in in_question:
            if expected_lines(items):  # typed under the question; an unanswered one leaves the cell as printed
                write_items(cells[1], items)
        else:
            write_items(cells[2], items)
    set_widths(table, [3.0, 14.0] if two_columns else [3.0, 6.5, 7.5])
    doc.add_paragraph()
    doc.add_paragraph("Learning", style="Heading 2")
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for qid, printed in LEARNING_ROWS:
        cells = table.add_row().cells
        cells[0].text = printed
        write_items(cells[1], answer_items(ret["answers"][qid])[0])
    set_widths(table, [6.0, 11.0])
    doc.add_paragraph()
    doc.add_paragraph("Grading", style="Heading 2")
    for style, text in GRADING_TEXT:
        doc.add_paragraph(text, style=style)
    options = [(o.value, o.label) for o in template.grading.options]
    grade_table(doc, options, ret.get("grade", []), layout.get("grade_mark", "X"))
    return doc


def build_warrington(ret: dict, case: dict, template) -> object:
    """Warrington's key-questions tool: header table, then the four questions as a table or as headings."""
    doc = new_document("WSP Multi-Agency Audit Tool")
    doc.add_paragraph("Warrington Safeguarding Partnership", style="Title")
    doc.add_paragraph("WSP Multi-Agency Audit Tool", style="Heading 1")
    doc.add_paragraph("To be completed by the manager of the agency involved and returned to the Safeguarding "
                      "Partnerships team before the audit day.")
    _template_header(doc, ret, case, template)
    doc.add_paragraph()
    doc.add_paragraph("Key questions", style="Heading 2")
    questions = template.questions()
    if ret.get("layout", {}).get("warrington_questions") == "headings":
        for q in questions:
            doc.add_paragraph(q.wording, style="Heading 3")
            items = answer_items(ret["answers"][q.id])[0]
            for item in items or [""]:
                if isinstance(item, dict):
                    doc.add_paragraph(next(iter(item.values())), style="List Bullet")
                else:
                    doc.add_paragraph(item)
    else:
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for q in questions:
            cells = table.add_row().cells
            cells[0].text = q.wording
            cells[0].paragraphs[0].runs[0].bold = True
            write_items(cells[1], answer_items(ret["answers"][q.id])[0])
        set_widths(table, [6.0, 11.0])
    return doc


def build_enfield(ret: dict, case: dict, template) -> object:
    """Enfield's ESCP tool: header table, then one table per section (title row, three prompt rows)."""
    doc = new_document("ESCP Multi-Agency Audit Tool")
    doc.add_paragraph("Enfield Safeguarding Children Partnership", style="Title")
    doc.add_paragraph("ESCP Multi-Agency Audit Tool", style="Heading 1")
    doc.add_paragraph("Please complete from a single agency perspective, taking inter-agency working into account. "
                      "For each section record key areas of good practice, areas for development and "
                      "recommendations for practice.")
    _template_header(doc, ret, case, template)
    for section in template.sections:
        doc.add_paragraph()
        table = doc.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        for q in section.questions:
            cells = table.add_row().cells
            cells[0].text = q.wording
            write_items(cells[1], answer_items(ret["answers"][q.id])[0])
        set_widths(table, [5.0, 12.0])  # before merging: a merge adds the widths of the cells it swallows
        title = table.rows[0].cells[0].merge(table.rows[0].cells[1])
        title.text = section.title
        title.paragraphs[0].runs[0].bold = True
    return doc


def _template_header(doc, ret: dict, case: dict, template) -> None:
    values = _header_values(ret, case, text=True)
    header_table(doc, [([f.label + ":"], values.get(f.key)) for f in template.header])


def _header_values(ret: dict, case: dict, text: bool) -> dict:
    h = ret["header"]
    return {"auditor": h["auditor"], "agency": h["agency"], "practitioner": h["practitioner"],
            "child": case["child"], "theme": case["theme"],
            "date_of_audit": h["date_of_audit"]["text" if text else "iso"],
            "case_status": h.get("case_status", case["case_status"])}


BUILDERS = {"west-midlands-maat": build_west_midlands, "warrington-key-questions": build_warrington,
            "enfield-escp": build_enfield}


# ---------------------------------------------------------------- ground truth

def expected_entry(ret: dict, case: dict, template) -> dict:
    """What a careful person reading the return records: header, each answer's status and text, grade, flags."""
    deleted = ret.get("layout", {}).get("deleted_rows", [])
    ids = [q.id for q in template.questions()]
    given = set(ret["answers"])
    if given != set(ids) - set(deleted):
        raise SystemExit(f"{ret['file']}: answers do not match template {template.id} questions: "
                         f"missing {sorted(set(ids) - set(deleted) - given)}, unknown {sorted(given - set(ids))}")
    values = _header_values(ret, case, text=False)
    header_keys = {f.key for f in template.header}
    header = {k: (values[k] or None) if k in header_keys else None
              for k in ("agency", "auditor", "practitioner", "child", "date_of_audit", "theme", "case_status")}
    if template.id == "west-midlands-maat":  # 'Date: ...' printed under the title: a field the template lacks
        header["extra"] = {"Date": case["audit_day"]}
    answers, flags = {}, []
    for f in template.header:
        if f.required and not header[f.key]:
            flags.append({"code": "missing_header", "answer": None, "field": f.key})
    for qid in ids:
        items, marks = answer_items(ret["answers"].get(qid, ""))
        lines = expected_lines(items)
        answers[qid] = {"status": expected_status(lines, marks), "answer": "\n".join(lines)}
        if marks.get("undated"):
            flags.append({"code": "undated_answer", "answer": qid})
    grade = {"value": None, "problem": None}
    if template.grading is not None:
        marked = ret.get("grade", [])
        if len(marked) == 1:
            grade["value"] = marked[0]
        else:
            grade["problem"] = "none_marked" if not marked else "multiple_marked"
            flags.append({"code": "grade_missing" if not marked else "grade_multiple", "answer": None})
    for flag in ret.get("flags", []):
        flags.append({"code": flag["code"], "answer": flag.get("answer"), **({"field": flag["field"]} if "field" in flag else {})})
    unique = []
    for flag in flags:
        if flag not in unique:
            unique.append(flag)
    return {"outcome": "processed", "template": template.id, "header": header, "answers": answers,
            "grade": grade, "must_flag": unique}


# ---------------------------------------------------------------- files

def save_docx(doc, path: Path) -> None:
    """Save with fixed zip timestamps so the same content gives the same bytes."""
    raw = io.BytesIO()
    doc.save(raw)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(zipfile.ZipInfo(info.filename, date_time=ZIP_TIME), src.read(info.filename),
                         compress_type=zipfile.ZIP_DEFLATED)


def print_to_pdf(docx_path: Path, pdf_path: Path) -> None:
    """Convert with LibreOffice (private profile), then pin the creation date and file id it stamps."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("LibreOffice is needed for the printed PDFs: apt-get install libreoffice-writer-nogui "
                         "(or run with --no-pdf)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                        "--convert-to", "pdf", "--outdir", tmp, str(docx_path)],
                       check=True, capture_output=True, timeout=180)
        data = (Path(tmp) / (docx_path.stem + ".pdf")).read_bytes()
    pin = hashlib.md5(docx_path.read_bytes()).hexdigest().upper().encode()
    # same-length substitutions keep the cross-reference offsets valid
    data = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:20240101090000", data)
    data = re.sub(rb"/ID \[ <[0-9A-F]{32}>\s*<[0-9A-F]{32}> \]", b"/ID [ <" + pin + b">\n<" + pin + b"> ]", data)
    data = re.sub(rb"/DocChecksum /[0-9A-F]{32}", b"/DocChecksum /" + pin, data)
    pdf_path.write_bytes(data)


JUNK = {
    "not-an-audit.docx": ("Team meeting notes - 12/03/2024\nAgenda: rota, training dates, car parking.\n"
                          "This is a plain text file that was saved with a .docx name.\n",
                          {"outcome": "quarantined", "code": "not_a_word_file"}),
    "notes.txt": ("Audit day notes: returns still awaited from two agencies. Chase on Monday.\n",
                  {"outcome": "quarantined", "code": "unsupported_format"}),
}


def build(out_dir: Path, expected_path: Path, pdf: bool = True) -> dict:
    """Write every sample return into out_dir and the ground truth to expected_path; returns the ground truth."""
    content = yaml.safe_load(CONTENT.read_text(encoding="utf-8"))
    templates = load_templates()
    out_dir.mkdir(parents=True, exist_ok=True)
    samples: dict[str, dict] = {}
    missing = sorted({r["template"] for r in content["returns"]} - set(templates))
    if missing:
        raise SystemExit(f"templates not installed: {', '.join(missing)} (expected in pipeline/data/templates/)")
    for ret in content["returns"]:
        template, case = templates[ret["template"]], content["cases"][ret["case"]]
        path = out_dir / ret["file"]
        save_docx(BUILDERS[ret["template"]](ret, case, template), path)
        samples[ret["file"]] = expected_entry(ret, case, template)
        if ret.get("printed_pdf"):
            printed = path.with_name(path.stem + "-printed.pdf")
            if pdf:
                print_to_pdf(path, printed)
            samples[printed.name] = {**samples[ret["file"]], "printed_from": ret["file"]}
    for name, (text, entry) in JUNK.items():
        (out_dir / name).write_text(text, encoding="utf-8")
        samples[name] = entry
    truth = {"version": 1, "samples": dict(sorted(samples.items()))}
    text = yaml.dump(truth, Dumper=_TruthDumper, sort_keys=False, allow_unicode=True, width=1000)
    expected_path.write_text(EXPECTED_PREAMBLE + text, encoding="utf-8")
    return truth


class _TruthDumper(yaml.SafeDumper):
    """YAML a person can read and diff: no anchors, multi-line answers as literal blocks, one line per line."""

    def ignore_aliases(self, data) -> bool:
        return True


_TruthDumper.add_representer(str, lambda dumper, s: dumper.represent_scalar(
    "tag:yaml.org,2002:str", s, style="|" if "\n" in s else None))


EXPECTED_PREAMBLE = """\
# Ground truth for samples/returns/: what a careful person reading each file records.
# GENERATED by samples/make_samples.py from samples/sample_content.yaml - edit those, not this file.
# answer: plain text, one paragraph or list item per line, bullet glyphs and empty paragraphs dropped;
#   guidance printed in the question cell is never part of an answer. For a -printed.pdf, compare with
#   whitespace normalised (the PDF wraps lines). date_of_audit is ISO. grade.problem: none_marked /
#   multiple_marked; null value and problem where the template has no grading.
# must_flag: flags a careful reader would certainly raise (not every flag the pipeline may add);
#   'field' names the header field for missing_header.
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "returns", help="folder for the returns")
    parser.add_argument("--expected", type=Path, default=ROOT / "expected.yaml", help="ground truth file to write")
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice conversion to PDF")
    args = parser.parse_args(argv)
    truth = build(args.out, args.expected, pdf=not args.no_pdf)
    print(f"wrote {len(truth['samples'])} samples to {args.out} and ground truth to {args.expected}")


if __name__ == "__main__":
    main()
