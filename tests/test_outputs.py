"""The workbook and report: what the partnership team sees."""

from openpyxl import load_workbook

from pipeline.outputs.pseudonymise import code_for, pseudonymise
from pipeline.outputs.report import render_report
from pipeline.outputs.workbook import build_workbook
from tests.records import make_record


def _statuses():
    return [{"file": "broken.docx", "sha256": "b" * 64, "outcome": "quarantined",
             "reason": {"code": "corrupt_file", "message": "The file is damaged; ask the agency to send it again."},
             "record": None}]


def test_workbook_sheets_and_one_row_per_answer(tmp_path):
    records = [make_record(), make_record(agency="Police", sha="c" * 64, grade="inadequate")]
    path = build_workbook(records, _statuses(), tmp_path / "w.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "Returns", "Agencies", "Answers", "By case", "Grades", "Learning",
                             "Theme counts", "Themes", "Flags", "Quarantine"]
    agencies = list(wb["Agencies"].iter_rows(values_only=True))
    assert agencies[1][:3] == ("Health Visiting", 1, 70) and agencies[2][0] == "Police"
    assert agencies[2][6] == 1  # Police graded inadequate
    answers = list(wb["Answers"].iter_rows(values_only=True))
    assert answers[0][:7] == ("Case", "Agency", "Section", "Question id", "Question", "Answer", "Status")
    assert len(answers) == 1 + 4
    by_case = list(wb["By case"].iter_rows(values_only=True))
    assert by_case[0] == ("Case", "Section", "Question", "Health Visiting", "Police")
    assert by_case[1][3].startswith("Home visit") and by_case[2][4] == "[unanswered]"
    quarantine = list(wb["Quarantine"].iter_rows(values_only=True))
    assert quarantine[1][:2] == ("broken.docx", "Corrupt file")


def test_answer_that_looks_like_a_formula_is_written_as_text(tmp_path):
    record = make_record(answer="=HYPERLINK(\"http://evil\",\"click\")\x07")
    path = build_workbook([record], [], tmp_path / "w.xlsx")
    cell = load_workbook(path)["Answers"]["F2"]
    assert cell.data_type == "s"
    assert cell.value == "=HYPERLINK(\"http://evil\",\"click\")"


def test_report_is_self_contained_and_escapes_answer_text(tmp_path):
    record = make_record(answer="<script>alert(1)</script> seen at home")
    html = render_report([record], _statuses(), tmp_path / "r.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "http://" not in html and "https://" not in html  # no external assets
    assert "Files that could not be read" in html and "broken.docx" in html
    assert "Neglect" in html and "Amelia" not in html  # names replaced by default
    assert "Annex B: data quality" in html and "Health Visiting" in html


def test_pseudonymise_replaces_names_in_header_and_answers():
    salt = b"0" * 16
    out = pseudonymise(make_record(), salt)
    assert out.header.child == "Child A" and out.header.practitioner.startswith("Person ")
    assert "Amelia" not in out.answers[0].answer and "Child A was seen" in out.answers[0].answer
    assert "Amelia" not in out.themes[0].evidence[0].sentence
    assert "Priya" not in out.model_dump_json() and "Okafor" not in out.model_dump_json()
    assert code_for("Child", "amelia  thornbury", salt) == code_for("Child", "Amelia Thornbury", salt)
    assert code_for("Child", "Amelia Thornbury", b"1" * 16) != code_for("Child", "Amelia Thornbury", salt)


def test_reviewers_columns_round_trip_into_kappa(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli.main import main

    records = [make_record(sha=c * 64, file=f"{c}.docx") for c in "abcd"]
    path = build_workbook(records, [], tmp_path / "w.xlsx")
    wb = load_workbook(path)
    sheet = wb["Themes"]
    header = [c.value for c in sheet[1]]
    agree, adds = header.index("Reviewer agrees? (Y/N)") + 1, header.index("Reviewer adds themes") + 1
    for row, verdict in zip(range(2, 6), ["Y", "Y", "N", "Y"]):
        sheet.cell(row=row, column=agree, value=verdict)
    sheet.cell(row=2, column=adds, value="Domestic abuse")
    wb.save(path)
    result = CliRunner().invoke(main, ["codebook", "agreement", str(path)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.output.splitlines()[1:]}
    assert lines["neglect"][2] == "75%" and lines["neglect"][3:6] == ["3", "1", "0"]
    assert lines["domestic_abuse"][3:6] == ["0", "0", "1"]
    sheet.cell(row=3, column=agree, value="maybe")
    wb.save(path)
    bad = CliRunner().invoke(main, ["codebook", "agreement", str(path)])
    assert bad.exit_code == 1 and "row 3" in bad.output and "Y or N" in bad.output


def test_report_grades_separate_unmarked_from_tools_without_a_grade(tmp_path):
    from models.record import Grade
    from pipeline.outputs.report import report_context

    no_mark = make_record(grade=None)
    no_tool_grade = make_record(sha="e" * 64).model_copy(update={"grade": Grade()})
    context = report_context([make_record(), no_mark, no_tool_grade], [])
    grades = dict(context["grades"])
    assert grades["Good"] == 1 and grades["No grade marked"] == 1 and context["ungraded_tools"] == 1


def test_themes_sheet_says_who_found_each_theme(tmp_path):
    from models.record import Evidence, ThemeTag

    by_model = make_record(sha="b" * 64, file="b.docx")
    by_model = by_model.model_copy(update={"themes": [ThemeTag(
        id="engagement_with_fathers", label="Engagement with fathers", mentions=1, answers=["q1"],
        evidence=[Evidence(answer="q1", sentence=by_model.answers[0].answer, source="model")])]})
    path = build_workbook([make_record(), by_model], [], tmp_path / "w.xlsx")
    sheet = load_workbook(path)["Themes"]
    header = [c.value for c in sheet[1]]
    found_by = {row[header.index("Theme ID")]: row[header.index("Found by")]
                for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert found_by == {"neglect": "rules", "engagement_with_fathers": "model"}
    # The reviewer's Y/N drop-down still sits on the "Reviewer agrees?" column.
    agree_col = header.index("Reviewer agrees? (Y/N)") + 1
    [validation] = sheet.data_validations.dataValidation
    assert str(validation.sqref).startswith(f"{sheet.cell(row=2, column=agree_col).column_letter}2")
