"""Learning templates from blank forms: round trips of the shipped templates and layout edge cases."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from models.raw import Cell, Checkbox, Paragraph, RawDocument, Row, Table
from models.template import AnswerKind
from pipeline.templates.learn import learn, template_yaml
from pipeline.templates.registry import check_template_text, load_templates

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
    from pipeline.templates.learn import learn

    raw = RawDocument(file="blank.docx", format="docx", blocks=[
        Paragraph(text="OFFICIAL - SENSITIVE", style="page-header"),
        Paragraph(text="Northshire Multi-Agency Audit Tool"),
        Paragraph(text="1. How was the child's voice heard?"),
        Paragraph(text="See the audit guidance.", style="footnote"),
    ])
    template = learn(raw, template_id="northshire")
    assert template.name == "Northshire Multi-Agency Audit Tool"


# --- rules found by bench/bench_learn.py on invented tools (bench/blank_variants.py) ------------------------

@pytest.mark.parametrize("printed, number, qid", [
    ("1.1 How was the child's voice captured?", "1.1", "q1_1"), ("2.3. Was the plan reviewed?", "2.3", "q2_3"),
    ("Q4 Are timescales met?", "4", "q4"), ("Q 5. Is the plan outcome focused?", "5", "q5"),
    ("(a) Was the referral timely?", "a", "qa"), ("(iv) Was the father seen?", "iv", "qiv"),
    ("7b) Were risks identified?", "7b", "q7b")])
def test_decimal_q_and_bracketed_numbers_are_stripped_from_the_wording(printed, number, qid):
    (q,) = learn(_raw(_table([printed, ""])), "t").questions()
    assert (q.number, q.id) == (number, qid)
    assert not q.wording.startswith(("(", "Q", "1", "2", "5", "7")) and q.wording.endswith("?")


def test_a_leading_count_is_not_a_question_number():
    (q,) = learn(_raw(_table(["3 visits or more: were they recorded?", ""])), "t").questions()
    assert (q.number, q.wording) == (None, "3 visits or more: were they recorded?")


def test_date_of_birth_and_nhs_number_are_details_questions_not_header_fields():
    raw = _raw(_table(["Child's name", ""], ["Date of birth", ""], ["Child's date of birth", ""], ["NHS number", ""],
                      ["Child's initials and date of birth", ""], ["Date", ""]),
               Paragraph(text="D.O.B.:"))
    learned = learn(raw, "t")
    assert [(h.key, h.label) for h in learned.header] == [
        ("child", "Child's name"), ("date_of_audit", "Date")]
    assert learned.header[0].aliases == ["Child's initials and date of birth"]
    details = learned.questions()
    assert [q.wording for q in details] == ["Date of birth", "Child's date of birth", "NHS number", "D.O.B."]
    assert not any(q.required or q.requires_date for q in details)


def test_two_label_pairs_in_one_row_are_two_header_fields():
    raw = _raw(_table(["Organisation:", "", "Auditor:", ""], ["Child ID:", "", "Date of audit:", ""]),
               _table(["1. Was information shared?", ""]))
    learned = learn(raw, "t")
    assert [h.key for h in learned.header] == ["agency", "auditor", "child", "date_of_audit"]
    assert [q.wording for q in learned.questions()] == ["Was information shared?"]


def test_a_row_of_grade_words_across_cells_is_the_grading():
    raw = _raw(Paragraph(text="Case audit", style="Title"), Paragraph(text="Overall grade", style="Heading 2"),
               _table(["Outstanding", "Good", "Requires improvement to be good", "Inadequate"], ["", "", "", ""]))
    learned = learn(raw, "t")
    assert learned.grading.title == "Overall grade"
    assert [(o.value, o.label) for o in learned.grading.options] == [
        ("outstanding", "Outstanding"), ("good", "Good"),
        ("requires_improvement", "Requires improvement to be good"), ("inadequate", "Inadequate")]
    assert learned.questions() == []


@pytest.mark.parametrize("label, key", [("Designated safeguarding lead", "auditor"), ("DSL completing audit", "auditor"),
                                        ("Patient initials", "child"), ("Pupil name", "child"),
                                        ("Reviewer", "auditor")])
def test_health_and_school_header_labels(label, key):
    learned = learn(_raw(_table([label, ""])), "t")
    assert [h.key for h in learned.header] == [key] and learned.questions() == []


@pytest.mark.parametrize("tool_id", [t.id for t in __import__("bench.blank_variants", fromlist=["TOOLS"]).TOOLS])
def test_invented_blank_tools_learn_back_their_true_template(tmp_path, tool_id):
    from bench.blank_variants import TOOLS, true_template, write_form
    from extractors.registry import extract

    tool = next(t for t in TOOLS if t.id == tool_id)
    learned = learn(extract(write_form(tool, tmp_path / "blank.docx").path), tool_id)
    true = true_template(tool)
    assert [(q.wording, q.guidance, q.kind, q.options) for q in learned.questions()] == \
        [(q.wording, q.guidance, q.kind, q.options) for q in true.questions()]
    assert [(h.key, h.label) for h in learned.header] == [(h.key, h.label) for h in true.header]
    assert [s.title.lower() for s in learned.sections if s.questions][-len(tool.sections):] == \
        [t.lower() for t, _ in tool.sections]  # an upper-case printed title comes back in title case
    assert (learned.grading and [(o.value, o.label) for o in learned.grading.options]) == \
        (true.grading and [(o.value, o.label) for o in true.grading.options])


def test_filled_forms_of_a_learned_tool_read_right_from_a_workspace(tmp_path):
    import random

    from bench.blank_variants import TOOLS, write_form
    from extractors.registry import extract
    from models.settings import Settings
    from pipeline.intake.process import read_return

    tool = next(t for t in TOOLS if t.id == "eastvale-case-audit")  # label pairs, shaded rows, 1.1 numbers
    learned = learn(extract(write_form(tool, tmp_path / "blank.docx").path), tool.id)
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / f"{tool.id}.yaml").write_text(template_yaml(learned), encoding="utf-8")
    filled = write_form(tool, tmp_path / "filled.docx", random.Random(3))
    record = read_return(filled.path, Settings(), load_templates([tmp_path / "ws"]))
    assert record.template.id == tool.id
    assert [a.answer for a in record.answers] == list(filled.answers.values())
    assert {k: v for k, v in record.header.model_dump().items() if k in filled.header} == filled.header
    assert record.grade.value == filled.grade


# ---- set 2: tools written apart from the rules (bench/blank_variants2.py) --------------------------------

def test_a_number_with_a_letter_and_no_stop_is_stripped_from_the_wording():
    from pipeline.templates.detect import strip_numbering

    learned = learn(_raw(_table(["1a Was the first concern referred promptly?", ""],
                                ["3 visits or more: were they recorded?", ""])), "t")
    first, second = learned.questions()
    assert (first.number, first.id, first.wording) == ("1a", "q1a", "Was the first concern referred promptly?")
    assert second.number is None  # a bare count is still not a number
    assert strip_numbering("1a Was the first concern referred promptly?") == "was the first concern referred promptly?"


@pytest.mark.parametrize("label, key", [("Lead professional", "practitioner"), ("Allocated worker", "practitioner"),
                                        ("Officer completing audit", "auditor"), ("Command / department", "agency"),
                                        ("Directorate", "agency")])
def test_more_header_labels_of_police_and_council_forms(label, key):
    learned = learn(_raw(_table([label, ""])), "t")
    assert [(h.key, h.label) for h in learned.header] == [(key, label)]


def test_role_of_person_completing_the_audit_stays_a_details_question():
    learned = learn(_raw(_table(["Name of person completing the audit", ""], ["Role of person completing the audit", ""])), "t")
    assert [h.key for h in learned.header] == ["auditor"]
    assert [q.wording for q in learned.questions()] == ["Role of person completing the audit"]


def test_sentences_and_italics_under_a_question_printed_as_a_paragraph_are_its_guidance():
    from models.raw import Span

    italic = Paragraph(text="Look for the family's own words", spans=[Span(start=0, end=31, style="emphasis",
                                                                            detail="italic+color:595959")])
    learned = learn(_raw(Paragraph(text="Fernley Audit", style="Title"),
                         Paragraph(text="Base your answers on the last twelve months."),  # before any question
                         Paragraph(text="Assessment", style="Heading 1"),
                         Paragraph(text="1a Was the referral made promptly?", style="Heading 2"),
                         Paragraph(text="Give the date of referral."),
                         _table([""]),
                         Paragraph(text="Was the assessment completed with the family?"), italic,
                         _table([""])), "t")
    assert [(q.wording, q.guidance) for q in learned.questions()] == [
        ("Was the referral made promptly?", ["Give the date of referral."]),
        ("Was the assessment completed with the family?", ["Look for the family's own words"])]
    assert [s.title for s in learned.sections] == ["Assessment"]


def test_an_answer_box_under_a_heading_question_sets_its_kind_and_is_not_a_section():
    learned = learn(_raw(Paragraph(text="Calderbrook Audit", style="Title"), Paragraph(text="Recognition", style="Heading 1"),
                         Paragraph(text="1. Were concerns recognised at first contact?", style="Heading 2"),
                         _table(["Yes / No"]),
                         Paragraph(text="2. Which plan is the child subject to?", style="Heading 2"),
                         _table([["☐ Early Help", "☐ Child in Need", "☐ Child Protection"]]),
                         Paragraph(text="3. How were concerns escalated?", style="Heading 2"),
                         _table([""])), "t")
    assert [(q.kind, q.options) for q in learned.questions()] == [
        (AnswerKind.yes_no_comments, []), (AnswerKind.tick_list, ["Early Help", "Child in Need", "Child Protection"]),
        (AnswerKind.free_text, [])]
    assert [s.title for s in learned.sections] == ["Recognition"]


def test_a_rating_line_per_section_is_a_tick_list_question_in_each_section():
    learned = learn(_raw(Paragraph(text="Fernley Audit", style="Title"), Paragraph(text="Assessment", style="Heading 1"),
                         Paragraph(text="Was the assessment timely?"), _table([""]),
                         Paragraph(text="RAG rating: ☐ Red  ☐ Amber  ☐ Green"),
                         Paragraph(text="Plan", style="Heading 1"),
                         Paragraph(text="Is the plan reviewed?"), _table([""]),
                         Paragraph(text="RAG rating: ☐ Red  ☐ Amber  ☐ Green"),
                         Paragraph(text="Overall grade: ☐ Outstanding ☐ Good ☐ Requires improvement ☐ Inadequate")),
                    "t")
    ratings = [q for q in learned.questions() if q.wording == "RAG rating"]
    assert [(q.kind, q.options, q.requires_date) for q in ratings] == [(AnswerKind.tick_list, ["Red", "Amber", "Green"],
                                                                       False)] * 2
    assert len({q.id for q in ratings}) == 2  # one per section, each its own workbook column
    assert [o.value for o in learned.grading.options] == ["outstanding", "good", "requires_improvement", "inadequate"]
    assert learned.grading.title == "Overall grade"


def test_grade_boxes_in_one_cell_beside_the_grade_label_are_the_grading_not_a_question():
    learned = learn(_raw(_table(["1a) Was the child seen alone?", ""],
                                ["Overall grade", "☐ Outstanding   ☐ Good   ☐ Requires improvement   ☐ Inadequate"])),
                    "t")
    assert [q.wording for q in learned.questions()] == ["Was the child seen alone?"]
    assert (learned.grading.title, len(learned.grading.options)) == ("Overall grade", 4)


def test_labels_across_a_row_with_the_values_typed_below_are_header_fields():
    learned = learn(_raw(_table(["Agency", "Name of auditor", "Date of audit", "Role"], ["", "", "", ""])), "t")
    assert [(h.key, h.label) for h in learned.header] == [("agency", "Agency"), ("auditor", "Name of auditor"),
                                                          ("date_of_audit", "Date of audit")]
    assert [(q.wording, q.required) for q in learned.questions()] == [("Role", False)]


def test_a_blank_grid_under_column_headings_is_one_question_answered_by_the_whole_grid():
    learned = learn(_raw(Paragraph(text="Dunmore Audit", style="Title"), Paragraph(text="Agreed actions", style="Heading 2"),
                         _table(["Action", "By whom", "By when"], ["", "", ""], ["", "", ""])), "t")
    (section,) = learned.sections
    (q,) = section.questions
    assert (section.title, section.learning, q.wording, q.guidance, q.requires_date) == \
        ("Agreed actions", True, "Action", ["By whom", "By when"], False)


def test_a_grade_asked_for_with_no_options_printed_assumes_the_four_point_scale_and_says_so():
    learned = learn(_raw(Paragraph(text="Was the child seen?"), _table([""]),
                         Paragraph(text="Overall grade:", placeholder=True, tags=["Grade"])), "t")
    assert [o.label for o in learned.grading.options] == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert "assumed" in learned.description
    # printed options win: no assumption when the form lists them
    printed = learn(_raw(Paragraph(text="Overall grade:"), Paragraph(text="Good / Adequate / Poor")), "t")
    assert [o.label for o in printed.grading.options] == ["Good", "Adequate", "Poor"]
    assert "assumed" not in printed.description


@pytest.mark.parametrize("tool_id", [t.id for t in __import__("bench.blank_variants2", fromlist=["TOOLS"]).TOOLS])
def test_second_set_of_invented_tools_learn_back_their_true_template(tmp_path, tool_id):
    from bench.blank_variants2 import TOOLS, true_template, write_form
    from extractors.registry import extract

    tool = next(t for t in TOOLS if t.id == tool_id)
    learned = learn(extract(write_form(tool, tmp_path / "blank.docx").path), tool_id)
    true = true_template(tool)
    assert [(q.number, q.wording, q.guidance, q.kind, q.options) for q in learned.questions()] == \
        [(q.number, q.wording, q.guidance, q.kind, q.options) for q in true.questions()]
    assert sorted((h.key, h.label) for h in learned.header) == sorted((h.key, h.label) for h in true.header)
    assert (learned.grading and [o.value for o in learned.grading.options]) == \
        (true.grading and [o.value for o in true.grading.options])


@pytest.mark.parametrize("tool_id", ["calderbrook-health", "fernley-early-help", "brackley-maat"])
def test_filled_forms_of_second_set_tools_read_right_with_the_learned_template(tmp_path, tool_id):
    import random

    from bench.blank_variants2 import TOOLS, true_template, write_form
    from extractors.registry import extract
    from models.settings import Settings
    from pipeline.intake.process import read_return

    tool = next(t for t in TOOLS if t.id == tool_id)  # answer boxes under paragraphs, drop-down grade, RAG, actions
    learned = learn(extract(write_form(tool, tmp_path / "blank.docx").path), tool.id)
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / f"{tool.id}.yaml").write_text(template_yaml(learned), encoding="utf-8")
    filled = write_form(tool, tmp_path / "filled.docx", random.Random(7))
    record = read_return(filled.path, Settings(), load_templates([tmp_path / "ws"]))
    assert record.template.id == tool.id
    # learned questions come in the true template's order (checked above): answers line up one for one
    assert [a.answer for a in record.answers] == [filled.answers[q.id] for q in true_template(tool).questions()]
    assert {k: v for k, v in record.header.model_dump().items() if k in filled.header} == filled.header
    assert record.grade.value == filled.grade
