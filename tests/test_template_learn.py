"""Learning templates from blank forms: round trips of the shipped templates and layout edge cases."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from models.raw import Cell, Checkbox, Paragraph, RawDocument, Row, Table
from models.template import AnswerKind
from pipeline.template_learn import learn, template_yaml
from pipeline.templates import check_template_text, load_templates

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
sys.path.insert(0, str(SAMPLES))
import make_blank_forms as forms  # noqa: E402

TEMPLATES = load_templates()


def _shape(template):
    return [(q.wording, q.guidance, q.kind, q.options) for q in template.questions()]


def _table(*rows: list) -> Table:
    """A table from rows of cell specs: a string, a list of paragraph texts, or a ready Cell."""
    out = []
    for r, row in enumerate(rows):
        cells = []
        for c, spec in enumerate(row):
            if isinstance(spec, Cell):
                cells.append(spec)
                continue
            texts = [spec] if isinstance(spec, str) else spec
            cells.append(Cell(row=r, col=c, blocks=[Paragraph(text=t) for t in texts] or [Paragraph(text="")]))
        out.append(Row(cells=cells))
    return Table(rows=out)


def _raw(*blocks) -> RawDocument:
    return RawDocument(file="blank.docx", format="docx", blocks=list(blocks))


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_learning_a_shipped_blank_form_gives_back_its_questions_in_order(template_id):
    template = TEMPLATES[template_id]
    learned = learn(forms.to_raw(forms.layout_for(template)), "learned")
    assert _shape(learned) == _shape(template)
    assert [h.key for h in learned.header] and {h.key for h in learned.header} == {h.key for h in template.header}


def test_west_midlands_blank_form_gives_sections_numbers_and_grading():
    learned = learn(forms.to_raw(forms.layout_for(TEMPLATES["west-midlands-maat"])), "wm")
    assert [s.title for s in learned.sections][:3] == ["Context questions", "Prevention / Early Help / Thresholds", "Assessment"]
    numbered = [q for q in learned.questions() if q.number]
    assert [q.number for q in numbered] == [str(n) for n in range(1, 26)]
    assert [q.id for q in numbered][:2] == ["q1", "q2"]
    assert [o.value for o in learned.grading.options] == ["outstanding", "good", "requires_improvement", "inadequate"]
    learning = learned.sections[-1]
    assert learning.learning and not any(q.requires_date for q in learning.questions)
    assert learned.titles == ["West Midlands Regional Multi-Agency Audit Tool"]


def test_same_wording_in_every_section_gets_section_prefixed_ids():
    learned = learn(forms.to_raw(forms.layout_for(TEMPLATES["enfield-escp"])), "enfield")
    ids = [q.id for q in learned.questions()]
    assert len(ids) == len(set(ids)) == 18
    assert ids[0].startswith("recognition_") and ids[-1].startswith("overall_quality_")


def test_learned_yaml_passes_check_and_loads_back_to_the_same_template():
    learned = learn(forms.to_raw(forms.layout_for(TEMPLATES["school-case-file-audit"])), "school-v2")
    text = template_yaml(learned, "blank.docx")
    assert text.startswith("# Learned by 'maap templates learn' from blank.docx")
    again, problems = check_template_text(text, "learned.yaml")
    assert problems == [] and again == learned


def test_header_labels_with_and_without_colons_and_label_paragraphs():
    raw = _raw(Paragraph(text="Partnership Audit Tool", style="Title"), Paragraph(text="Date: "),
               _table(["Name of auditor completing form:", ""], [["Name of Child / Vulnerable adult:", "(delete as appropriate)"], ""],
                      ["Case status", ""], ["Role:", ""]),
               _table(["How were risks assessed?", ""]))
    learned = learn(raw, "t")
    assert [(h.key, h.label) for h in learned.header] == [
        ("date_of_audit", "Date"), ("auditor", "Name of auditor completing form"),
        ("child", "Name of Child / Vulnerable adult"), ("case_status", "Case status")]
    role, risks = learned.questions()
    assert (role.wording, role.required, role.requires_date) == ("Role", False, False)
    assert risks.wording == "How were risks assessed?" and risks.required


def test_guidance_is_split_from_the_wording():
    raw = _raw(_table(
        ["3. Has the child always received the right level of support? Please explain.", ""],
        [["7. Are assessments timely?", "Please explain."], ""],
        ["Was the child previously known? If yes for what reason?", ""],
        ["What steps engaged the family? (have you considered new partners)", ""],
        ["Please record any actions. Include any timescales and person/s responsible:", ""],
        ["Which tools have been used for assessment (and when)?", ""]))
    got = [(q.number, q.wording, q.guidance) for q in learn(raw, "t").questions()]
    assert got == [
        ("3", "Has the child always received the right level of support?", ["Please explain."]),
        ("7", "Are assessments timely?", ["Please explain."]),
        (None, "Was the child previously known? If yes for what reason?", []),
        (None, "What steps engaged the family?", ["(have you considered new partners)"]),
        (None, "Please record any actions.", ["Include any timescales and person/s responsible"]),
        (None, "Which tools have been used for assessment (and when)?", [])]


def test_letter_cells_spacer_rows_and_printed_notes_are_not_questions():
    raw = _raw(_table(["ASSESSMENT", "6. Which tools were used?", ""], ["f.", "", ""], ["", "", ""],
                      ["Note", "This section is for the auditor only."]))
    learned = learn(raw, "t")
    assert [(s.title, [q.wording for q in s.questions]) for s in learned.sections] == [("Assessment", ["Which tools were used?"])]


def test_content_control_tags_become_question_tags():
    answer = Cell(row=0, col=1, blocks=[Paragraph(text="", tags=["q1_answer"])])
    question = Cell(row=0, col=0, blocks=[Paragraph(text="1. What worked well?", tags=["q1"])])
    (q,) = learn(_raw(Table(rows=[Row(cells=[question, answer])])), "t").questions()
    assert q.tags == ["q1", "q1_answer"]


def test_tick_lists_from_glyphs_and_from_checkbox_controls():
    boxes = Cell(row=1, col=1, blocks=[Paragraph(text="Early Help  Child in Need", checkboxes=[
        Checkbox(checked=False, kind="content_control", label="Early Help"),
        Checkbox(checked=False, kind="content_control", label="Child in Need")])])
    raw = _raw(_table([["Plan type", "(tick as appropriate)"], ["☐ Early Help", "☐ Child Protection ☐ Looked After"]],
                      [Cell(row=1, col=0, blocks=[Paragraph(text="Which plan?")]), boxes]))
    glyphs, controls = learn(raw, "t").questions()
    assert glyphs.kind == AnswerKind.tick_list and glyphs.options == ["Early Help", "Child Protection", "Looked After"]
    assert glyphs.guidance == ["(tick as appropriate)"]
    assert controls.kind == AnswerKind.tick_list and controls.options == ["Early Help", "Child in Need"]


def test_yes_no_rows_from_a_header_row_or_inline_yes_no():
    raw = _raw(_table(["Question", "Yes", "No", "Comments"], ["Is a chronology kept?", "", "", ""],
                      [Cell(row=2, col=0, blocks=[Paragraph(text="Any other comments:")]), Cell(row=2, col=1, col_span=3)]),
               _table(["Has the LADO been involved?", "Yes / No"]))
    chron, other, lado = learn(raw, "t").questions()
    assert chron.kind == lado.kind == AnswerKind.yes_no_comments
    assert other.kind == AnswerKind.free_text


def test_paragraph_only_form_as_a_pdf_gives_questions_guidance_and_grades():
    lines = ["Key Questions Audit", "Please read the guidance before you start. It explains each section.",
             "Name of agency:", "Key questions", "What worked well?", "Please explain.",
             "What would you do differently in future?", "Overall grade", "Outstanding / Good / Requires improvement / Inadequate"]
    raw = RawDocument(file="blank.pdf", format="pdf", blocks=[Paragraph(text=t) for t in lines])
    learned = learn(raw, "t")
    assert [(q.wording, q.guidance) for q in learned.questions()] == [
        ("What worked well?", ["Please explain."]), ("What would you do differently in future?", [])]
    assert learned.sections[0].title == "Key questions" and learned.header[0].key == "agency"
    assert learned.grading.title == "Overall grade" and len(learned.grading.options) == 4


def test_numbered_intro_paragraphs_are_not_questions():
    raw = _raw(Paragraph(text="Audit tool", style="Title"),
               Paragraph(text="1. The tool is to be completed by each agency involved.", list_item=True),
               _table(["1. How were risks assessed?", ""]))
    assert [q.wording for q in learn(raw, "t").questions()] == ["How were risks assessed?"]


def _docx_extractor_available() -> bool:
    return importlib.util.find_spec("extractors.docx") is not None


@pytest.mark.skipif(not _docx_extractor_available(), reason="extractors/docx.py has not landed yet")
@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_learning_the_blank_docx_files_in_samples(template_id):
    from extractors.registry import extract

    learned = learn(extract(SAMPLES / f"blank-{template_id}.docx"), "learned")
    assert [q.wording for q in learned.questions()] == [q.wording for q in TEMPLATES[template_id].questions()]


def _soffice_convert(src: Path, fmt: str, out_dir: Path) -> Path:
    import shutil
    import subprocess

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed")
    profile = (out_dir / "profile").as_uri()  # a private profile: concurrent conversions collide otherwise
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt,
                    "--outdir", str(out_dir), str(src)], check=True, capture_output=True, timeout=180)
    return out_dir / f"{src.stem}.{fmt}"


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["pdf", "doc"])
def test_learning_the_west_midlands_blank_form_as_pdf_and_doc(tmp_path, fmt):
    from extractors.registry import extract

    pytest.importorskip("extractors.pdf" if fmt == "pdf" else "extractors.convert")
    converted = _soffice_convert(SAMPLES / "blank-west-midlands-maat.docx", fmt, tmp_path)
    learned = learn(extract(converted), "wm")
    template = TEMPLATES["west-midlands-maat"]
    assert [(q.wording, q.guidance) for q in learned.questions()] == [(q.wording, q.guidance) for q in template.questions()]
    assert {h.key for h in learned.header} == {h.key for h in template.header}
    assert learned.grading is not None and len(learned.grading.options) == 4


def test_page_header_and_footnotes_are_not_taken_for_the_title():
    from models.raw import Paragraph, RawDocument
    from pipeline.template_learn import learn

    raw = RawDocument(file="blank.docx", format="docx", blocks=[
        Paragraph(text="OFFICIAL - SENSITIVE", style="page-header"),
        Paragraph(text="Northshire Multi-Agency Audit Tool"),
        Paragraph(text="1. How was the child's voice heard?"),
        Paragraph(text="See the audit guidance.", style="footnote"),
    ])
    template = learn(raw, template_id="northshire")
    assert template.name == "Northshire Multi-Agency Audit Tool"
