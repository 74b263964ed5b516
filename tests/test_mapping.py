"""Mapping what a form says onto the West Midlands template, whatever the agency did to the layout."""

import pytest

from models.raw import Paragraph
from pipeline.mapping import map_document
from pipeline.templates import load_templates
from tests.rawbuild import checked, doc, para, table


@pytest.fixture(scope="module")
def wm():
    return load_templates()["west-midlands-maat"]


Q1 = "1. How were opportunities for prevention/ early help considered and utilised?"
Q2 = "2. How did this impact on the situation?"
Q3 = "3. Has the child/adult always received the right level of support? Please explain."
Q9 = ("9. What steps have been taken to engage all family members in assessment? (have you considered estranged "
      "parents, new partners, step parents etc)\n\nIE Support plans, CIN, CP plans etc")


def grade_table(marks: dict[str, object]):
    rows = [["Grading", "Grade (X)"]]
    for label in ["Outstanding", "Good", "Requires improvement", "Inadequate"]:
        rows.append([label, marks.get(label, "")])
    return table(rows)


def test_answer_beside_question_with_section_label_and_letter_left_of_it(wm):
    m = map_document(doc(table([
        ["PREVENTION /EARLY HELP/ THRESHOLDS", Q1, "Early help offered on 03/02/2024.\nFamily declined."],
        ["b.", Q2, "Mother engaged with the Family Hub."],
    ])), wm)
    assert m.answers["q1"].lines == ["Early help offered on 03/02/2024.", "Family declined."]
    assert m.answers["q2"].lines == ["Mother engaged with the Family Hub."]
    assert m.unmatched_text == []


def test_answer_typed_under_question_keeps_only_what_was_typed(wm):
    m = map_document(doc(table([
        ["ASSESSMENT", Q9 + "\nFather was invited to the assessment on 4th March 2024 but did not attend.", ""],
        ["c.", Q3 + "\nYes, the family has had a CIN plan since April 2023.", ""],
    ])), wm)
    assert m.answers["q9"].lines == ["Father was invited to the assessment on 4th March 2024 but did not attend."]
    assert m.answers["q3"].lines == ["Yes, the family has had a CIN plan since April 2023."]


def test_deleted_row_is_not_found_and_others_still_map(wm):
    m = map_document(doc(table([["", Q1, "Answer one."], ["", Q3, "Answer three."]])), wm)
    assert not m.answers["q2"].found and m.answers["q2"].lines == []
    assert m.answers["q3"].lines == ["Answer three."]


def test_renumbered_and_mistyped_questions_match_by_wording(wm):
    m = map_document(doc(table([
        ["", "7. How did this impact on the situtation?", "It helped."],
        ["", "Q2) How were opportunites for prevention / early-help considered and utilized?", "Via TAF."],
    ])), wm)
    assert m.answers["q2"].lines == ["It helped."]
    assert m.answers["q1"].lines == ["Via TAF."]


def test_shortened_question_wording_still_matches_and_column_headings_are_not_answers(wm):
    m = map_document(doc(table([
        ["Section", "Question", "Answer"],
        ["", "8. How do they consider the family history?", "A chronology was started."],
        ["", "7. Are assessments timely?", "Within 10 working days."],
    ])), wm)
    assert m.answers["q8"].lines == ["A chronology was started."]
    assert m.answers["q7"].lines == ["Within 10 working days."]
    assert m.unmatched_text == []


def test_extra_rows_added_below_a_question_continue_its_answer(wm):
    m = map_document(doc(table([
        ["", Q1, "First part."],
        ["", "", "Continued in a row the agency added."],
        ["", Q2, "Next answer."],
    ])), wm)
    assert m.answers["q1"].lines == ["First part.", "Continued in a row the agency added."]
    assert m.answers["q2"].lines == ["Next answer."]


def test_header_fields_as_label_value_paragraphs_and_table(wm):
    m = map_document(doc(
        para("Name of auditor: Priya Natarajan"),
        para("Agency: Police"),
        table([["Name of Child / Vulnerable adult:\n(delete as appropriate)", "Amelia Thornbury"],
               ["Date of audit:", "14/05/2024"]]),
    ), wm)
    assert m.header["auditor"].lines == ["Priya Natarajan"]
    assert m.header["agency"].lines == ["Police"]
    assert m.header["child"].lines == ["Amelia Thornbury"]
    assert m.header["date_of_audit"].lines == ["14/05/2024"]
    assert not m.header["practitioner"].found


def test_text_after_a_table_does_not_join_the_last_answer(wm):
    m = map_document(doc(table([["", Q2, "Answer."]]), para("Grading"),
                         para("A Rating of Outstanding should be given where...")), wm)
    assert m.answers["q2"].lines == ["Answer."]


def test_content_control_tag_places_answer(wm):
    tagged = Paragraph(text="Reviewed at supervision on 02/02/2024.", tags=["q14"])
    m = map_document(doc(table([["", "Some reworded question about reviews", tagged]])), wm)
    assert m.answers["q14"].lines == ["Reviewed at supervision on 02/02/2024."]


def test_nested_table_in_answer_becomes_one_line_per_row(wm):
    inner = table([["Date", "Contact"], ["03/03/2024", "Home visit"]])
    m = map_document(doc(table([["", Q1, [para("Contacts:"), inner]]])), wm)
    assert m.answers["q1"].lines == ["Contacts:", "Date | Contact", "03/03/2024 | Home visit"]


@pytest.mark.parametrize("marks, value, problem", [
    ({"Good": "X"}, "good", None),
    ({"Inadequate": "x"}, "inadequate", None),
    ({"Requires improvement": "✓"}, "requires_improvement", None),
    ({"Outstanding": checked()}, "outstanding", None),
    ({"Good": checked(state=False)}, None, "none_marked"),
    ({}, None, "none_marked"),
    ({"Good": "X", "Inadequate": "X"}, None, "multiple_marked"),
])
def test_grade_marks(wm, marks, value, problem):
    m = map_document(doc(grade_table(marks)), wm)
    assert (m.grade_value, m.grade_problem) == (value, problem)


def test_grade_glyph_in_option_cell_and_deleted_options(wm):
    m = map_document(doc(table([["Grading", "Grade (X)"], ["☐ Outstanding", ""], ["☒ Good", ""]])), wm)
    assert (m.grade_value, m.grade_problem) == ("good", None)
    m = map_document(doc(table([["Grading", "Grade (X)"], ["Requires improvement", ""]])), wm)
    assert (m.grade_value, m.grade_problem) == ("requires_improvement", None)


def test_grade_written_as_text(wm):
    m = map_document(doc(para("Overall grade: Requires Improvement")), wm)
    assert m.grade_value == "requires_improvement"


def test_one_word_answer_good_is_not_taken_for_the_grade(wm):
    m = map_document(doc(
        table([["Is there good practice which should be highlighted?", "Good"]]),
        grade_table({"Inadequate": "X"}),
    ), wm)
    assert m.answers["learning_good_practice"].lines == ["Good"]
    assert m.grade_value == "inadequate"
