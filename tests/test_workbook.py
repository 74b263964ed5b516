"""The workbook as analysts expect it: Tables, real dates and numbers, words not codes, charts, print setup."""

import re
import shutil
import subprocess
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from models.record import Answer, Status
from pipeline.outputs.workbook import build_workbook
from pipeline.templates.registry import load_templates
from tests.records import make_record

DATA_SHEETS = ["Returns", "Agencies", "Answers", "By case", "Grades", "Learning", "Theme counts", "Themes", "Flags",
               "Quarantine"]
ACTIONS = ("1. DSL to review the safety plan within 3 months.\n2. Share the chronology with the health visitor.\n"
           "3. HV team leader to audit ten records by the end of term.")


def _records():
    school = make_record(agency="Kingsmere Academy", sha="c" * 64, grade="requires_improvement", file="school.docx")
    school = school.model_copy(update={"answers": [*school.answers, Answer(
        id="learning_actions", section="Learning", question="Please record any actions for your agency.",
        answer=ACTIONS, status=Status.answered), Answer(
        id="learning_good_practice", section="Learning", question="Is there good practice which should be highlighted?",
        answer="Amelia's wishes were recorded in her own words.", status=Status.answered)]})
    return [make_record(), school]


def _statuses():
    return [{"file": "broken.docx", "sha256": "b" * 64, "outcome": "quarantined",
             "reason": {"code": "corrupt_file", "message": "The file is damaged; ask the agency to send it again."},
             "record": None}]


@pytest.fixture
def path(tmp_path):
    return build_workbook(_records(), _statuses(), tmp_path / "audit-workbook.xlsx", templates=load_templates())


def _rows(wb, sheet):
    it = wb[sheet].iter_rows(values_only=True)
    header = next(it)
    return [dict(zip(header, r)) for r in it]


def test_every_data_sheet_is_one_table_with_frozen_header_and_print_setup(path):
    wb = load_workbook(path)
    for name in DATA_SHEETS:
        ws = wb[name]
        [table] = ws.tables.values()
        assert table.ref == f"A1:{ws.cell(row=1, column=ws.max_column).column_letter}{ws.max_row}", name
        assert table.tableStyleInfo.showRowStripes, name
        assert ws.freeze_panes == "A2", name
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1", name
    assert wb["Quarantine"]["A2"].value == "broken.docx"


def test_dates_are_dates_numbers_are_numbers_and_codes_are_words(path):
    wb = load_workbook(path)
    returns = wb["Returns"]
    header = [c.value for c in returns[1]]
    audit_date = returns.cell(row=2, column=header.index("Date of audit") + 1)
    assert isinstance(audit_date.value, datetime) and audit_date.value.date().isoformat() == "2024-05-14"
    assert audit_date.number_format == "dd/mm/yyyy"
    score = returns.cell(row=2, column=header.index("Quality score") + 1)
    assert score.value == 70 and score.data_type == "n"
    answers = _rows(wb, "Answers")
    assert answers[0]["Status"] == "Answered" and answers[1]["Status"] == "Unanswered"
    assert answers[0]["Themes"] == "Neglect" and answers[1]["Flags"] == "Unanswered"
    assert isinstance(answers[0]["First date"], datetime) and answers[0]["Dates"] == "03/03/2024"
    assert {r["Severity"] for r in _rows(wb, "Flags")} == {"Warning"}
    grades = _rows(wb, "Grades")
    assert grades == [{"Case": "Amelia Thornbury", "Returns": 2, "Health Visiting": "Good",
                       "Kingsmere Academy": "Requires improvement"}]
    counts = _rows(wb, "Theme counts")
    assert counts[0]["Theme"] == "Neglect" and counts[0]["Total"] == 2
    assert wb["Theme counts"].conditional_formatting  # the colour scale
    labels = [c.value for c in wb["Summary"]["A"] if c.value]
    assert "Returns read" in labels and not any("_" in str(v) for v in labels)


def test_learning_has_one_row_per_action_with_owner_and_timescale(path):
    learning = _rows(load_workbook(path), "Learning")
    actions = [r for r in learning if r["Kind"] == "Action"]
    assert [a["Learning"] for a in actions] == ["DSL to review the safety plan within 3 months.",
                                                "Share the chronology with the health visitor.",
                                                "HV team leader to audit ten records by the end of term."]
    assert (actions[2]["Owner"], actions[2]["Timescale"]) == ("HV team leader", "by the end of term")
    assert actions[0]["Owner"] == "DSL" and actions[0]["Timescale"] == "within 3 months"
    assert actions[1]["Owner"] == "health visitor" and actions[1]["Timescale"] == "(none given)"
    [good] = [r for r in learning if r["Kind"] == "Good practice"]
    assert good["Agency"] == "Kingsmere Academy" and good["Learning"].startswith("Amelia's wishes")


def test_summary_has_native_charts(path):
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        titles = " ".join(re.sub(r"<[^>]+>", " ", z.read(n).decode()) for n in charts)
    assert len(charts) == 3
    assert "Overall grades" in titles and "Returns by agency" in titles and "strength or concern" in titles


def test_review_columns_carry_drop_downs(path):
    wb = load_workbook(path)
    answers = wb["Answers"]
    header = [c.value for c in answers[1]]
    choices = {str(v.sqref).split(":")[0]: v.formula1 for v in answers.data_validations.dataValidation}
    review = answers.cell(row=2, column=header.index("Review") + 1).coordinate
    assert choices[review] == '"Confirmed,Corrected,Query agency"'
    status = answers.cell(row=2, column=header.index("Corrected status") + 1).coordinate
    assert choices[status] == '"Answered,Not applicable,Unanswered"'


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed (.ci/setup installs it)")
def test_libreoffice_opens_every_sheet(path, tmp_path):
    profile = tmp_path / "lo-profile"
    out = tmp_path / "converted"
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                             "ods", "--outdir", str(out), str(path)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out / "audit-workbook.ods") as z:
        content = z.read("content.xml").decode()
    names = re.findall(r'<table:table table:name="([^"]+)"', content)
    assert names == ["Summary", *DATA_SHEETS]
    assert "Requires improvement" in content and "DSL to review the safety plan" in content


def test_learning_questions_come_from_the_templates():
    from pipeline.outputs.learning import learning_kind

    templates = load_templates()

    def kind(template_id, question_id):
        template = templates[template_id]
        section = template.section_of(question_id)
        question = next(q for q in section.questions if q.id == question_id)
        return learning_kind(Answer(id=question_id, section=section.title, question=question.wording), template)

    assert kind("west-midlands-maat", "learning_actions") == "Action"
    assert kind("west-midlands-maat", "learning_good_practice") == "Good practice"
    assert kind("west-midlands-maat", "learning_improvements") == "Recommendation"
    assert kind("west-midlands-maat", "q25") is None  # "prompt action" in an ordinary question
    assert kind("school-case-file-audit", "actions") == "Action"
    assert kind("enfield-escp", "recognition_recommendations") == "Recommendation"
    assert kind("enfield-escp", "assessment_areas_for_development") == "Area for development"
    assert kind("warrington-key-questions", "worked_well") == "Good practice"
    assert kind("warrington-key-questions", "worried_about") is None
