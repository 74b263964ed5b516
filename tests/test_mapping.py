"""Mapping what a form says onto the West Midlands template, whatever the agency did to the layout."""

import pytest

from models.raw import Checkbox, Paragraph
from pipeline.mapping.place import map_document
from pipeline.templates.registry import load_templates
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


# ---- rules found by bench/bench_mapping.py (one test per rule; docs/mapping.md) ----------------------

Q7 = "7. Are assessments timely and proportionate to risk?"
Q8 = "8. How do they consider the family history and context including use of chronologies and genograms?"


@pytest.fixture(scope="module")
def enfield():
    return load_templates()["enfield-escp"]


def test_two_questions_in_one_row_share_the_answer_cell_one_paragraph_each(wm):
    m = map_document(doc(table([["", f"{Q7}\n{Q8}", "Within 10 working days.\nA chronology was started."]])), wm)
    assert m.answers["q7"].lines == ["Within 10 working days."]
    assert m.answers["q8"].lines == ["A chronology was started."]


def test_two_questions_in_one_row_with_uneven_paragraphs_give_all_to_the_first(wm):
    m = map_document(doc(table([["", f"{Q7}\n{Q8}", "One.\nTwo.\nThree."]])), wm)
    assert m.answers["q7"].lines == ["One.", "Two.", "Three."]
    assert m.answers["q8"].found and m.answers["q8"].lines == []


def test_two_questions_typed_under_in_one_cell_keep_their_own_answers(wm):
    m = map_document(doc(table([[f"{Q7}\nn/a\n{Q8}\nA chronology was started.", ""]])), wm)
    assert m.answers["q7"].lines == ["n/a"]
    assert m.answers["q8"].lines == ["A chronology was started."]


def test_header_labels_in_one_row_take_their_values_from_the_row_below(wm):
    m = map_document(doc(table([["Name of your agency/organisation", "Name of practitioner involved in the case"],
                                ["Eastbrook Trust (fictional)", "Sam Placeholder"],
                                ["Date of audit", ""], ["14/05/2024", ""]])), wm)
    assert m.header["agency"].lines == ["Eastbrook Trust (fictional)"]
    assert m.header["practitioner"].lines == ["Sam Placeholder"]
    assert m.header["date_of_audit"].lines == ["14/05/2024"]
    assert m.unmatched_text == []


def test_a_value_that_reads_like_a_label_is_still_the_value(wm):
    m = map_document(doc(table([["Name of child:", "Child A"], ["Agency:", "Police"]])), wm)
    assert m.header["child"].lines == ["Child A"]
    assert m.header["agency"].lines == ["Police"]


def test_answer_in_the_row_below_a_full_width_question(wm):
    m = map_document(doc(table([[Q7], ["Within 10 working days."], [Q8], [""]])), wm)
    assert m.answers["q7"].lines == ["Within 10 working days."]
    assert m.answers["q8"].lines == []


def test_tagged_control_under_the_question_keeps_the_question_out(wm):
    answer = Paragraph(text="Within 10 working days.", tags=["q7"])
    m = map_document(doc(table([["", [para(Q7), para("Please explain."), answer], ""]])), wm)
    assert m.answers["q7"].lines == ["Within 10 working days."]


def test_printed_label_of_a_tagged_answer_ends_the_answer_before_it(enfield):
    tagged = Paragraph(text="Weekly contact.", tags=["recognition_areas_for_development"])
    m = map_document(doc(para("Recognition"), table([
        ["Key areas of good practice", "Seen alone at every visit."],
        ["Areas for development", tagged],
        ["Recommendations for practice", "Share minutes sooner."],
    ]), para("Planning & intervention"), table([["Key areas of good practice", "Joint visits."]])), enfield)
    assert m.answers["recognition_good_practice"].lines == ["Seen alone at every visit."]
    assert m.answers["recognition_areas_for_development"].lines == ["Weekly contact."]
    assert m.answers["recognition_recommendations"].lines == ["Share minutes sooner."]
    assert m.answers["planning_intervention_good_practice"].lines == ["Joint visits."]
    assert m.unmatched_text == []


def test_a_label_whose_field_is_tagged_elsewhere_does_not_take_another_sections_field(enfield):
    tagged = Paragraph(text="Seen alone.", tags=["recognition_good_practice"])
    m = map_document(doc(para("Recognition"), table([["Key areas of good practice", tagged]]),
                         para("Planning & intervention"), table([["Areas for development", "None."]])), enfield)
    assert m.answers["recognition_good_practice"].lines == ["Seen alone."]
    assert not m.answers["planning_intervention_good_practice"].found


def test_header_fields_in_the_page_header(wm):
    m = map_document(doc(para("Date of audit: 14/05/2024", style="page-header"),
                         para("Theme: Neglect", style="page-header"),
                         para("Multi-agency audit (fictional)", style="page-header"),
                         table([["", Q7, "Within 10 working days."]])), wm)
    assert m.header["date_of_audit"].lines == ["14/05/2024"]
    assert m.header["theme"].lines == ["Neglect"]
    assert m.answers["q7"].lines == ["Within 10 working days."]
    assert m.unmatched_text == []


def test_guidance_after_question_colon_is_not_an_answer(wm):
    m = map_document(doc(table([["", "7. Are assessments timely and proportionate to risk: Please explain.",
                                 "Yes, within 10 days."]])), wm)
    assert m.answers["q7"].lines == ["Yes, within 10 days."]


def test_question_as_heading_skips_its_guidance_paragraphs(wm):
    m = map_document(doc(
        para("9. What steps have been taken to engage all family members in assessment?", style="Heading 3"),
        para("(have you considered estranged parents, new partners, step parents etc)"),
        para("IE Support plans, CIN, CP plans etc"),
        para("Father was invited but did not attend."),
        para("Thank you for completing this audit tool."),
    ), wm)
    assert m.answers["q9"].lines == ["Father was invited but did not attend."]
    assert m.unmatched_text == []


def test_text_typed_between_question_tables_is_unmatched_but_printed_text_is_not(wm):
    m = map_document(doc(
        para("West Midlands Regional Multi-Agency Audit Tool", style="Title"),
        para("Please complete all Sections and answer N/A if not applicable."),
        table([["", Q7, "Within 10 working days."]]),
        para("Note: the family moved to a new address in May 2024."),
        para("Plans", style="Heading 2"),
        table([["", "10. How are plans informed by assessment?", "Through the CIN plan."]]),
        para("Please use the criteria above to give the case an overall grade:"),
    ), wm)
    assert m.unmatched_text == ["Note: the family moved to a new address in May 2024."]
    assert m.answers["q7"].lines == ["Within 10 working days."]


def test_grade_options_across_one_row_marked_in_the_row_below(wm):
    m = map_document(doc(table([["Outstanding", "Good", "Requires improvement", "Inadequate"],
                                ["", "X", "", ""]])), wm)
    assert (m.grade_value, m.grade_problem) == ("good", None)
    m = map_document(doc(table([["Outstanding", "Good", "Requires improvement", "Inadequate"],
                                ["", "", "", ""]])), wm)
    assert (m.grade_value, m.grade_problem) == (None, "none_marked")


@pytest.mark.parametrize("kind", ["content_control", "legacy_field"])
def test_grade_checkbox_inside_the_option_cell(wm, kind):
    def option(label, state):
        return Paragraph(text=label, checkboxes=[Checkbox(checked=state, kind=kind, label=label)])
    m = map_document(doc(table([["Grading", "Grade (X)"], [option("Outstanding", False), ""],
                                [option("Good", False), ""], [option("Inadequate", True), ""]])), wm)
    assert (m.grade_value, m.grade_problem) == ("inadequate", None)


def test_checkbox_controls_are_shown_in_the_answer_where_they_stand(wm):
    from models.raw import Checkbox

    boxes = Paragraph(text="Yes No", checkboxes=[Checkbox(checked=False, kind="content_control", label="Yes"),
                                                 Checkbox(checked=True, kind="legacy_field", label="No")])
    m = map_document(doc(table([["", Q2, [boxes, para("Family declined support.")]]])), wm)
    assert m.answers["q2"].lines == ["☐ Yes ☒ No", "Family declined support."]


# ---- Yes/No columns, tick lists and dates (school case-file audit: kinds yes_no_comments, tick_list) ----

LADO = "Has the Local Authority Designated Officer (LADO) been involved?"
SEND = "Does the child have special educational needs?"
ABSENCE = "Is there a noticeable pattern of absence?"
PLAN = "Which plan is the child or young person subject to?"
OPTIONS = ["Early Help", "Child in Need", "Child Protection", "Looked After"]


@pytest.fixture(scope="module")
def school():
    return load_templates()["school-case-file-audit"]


def answers(raw, template):
    """The record's answers by id, as the pipeline builds them: (text, status)."""
    from datetime import date

    from models.settings import Settings
    from pipeline.intake.process import build_record

    record = build_record(raw, "0" * 64, template, 1.0, Settings(), date(2026, 11, 1))
    return {a.id: (a.answer, a.status.value) for a in record.answers}, record


@pytest.mark.parametrize("headings", [["Question", "Yes", "No", "Comments"], ["", "Y", "N", "Comments"],
                                      ["Question", "YES", "NO", "Comments / evidence"]])
def test_yes_no_columns_read_as_the_heading_of_the_marked_cell_then_the_comments(school, headings):
    got, record = answers(doc(table([
        headings,
        [LADO, "X", "", "LADO consulted on 02/03/2024."],
        [SEND, "", "✓", ""],
        [ABSENCE, "", "", ""],
    ])), school)
    assert got["lado_involved"] == ("Yes\nLADO consulted on 02/03/2024.", "answered")
    assert got["send"] == ("No", "answered")
    assert got["absence_patterns"] == ("", "unanswered")
    assert record.extraction.unmatched_text == []


def test_yes_no_columns_with_checkboxes_na_column_both_marked_and_comment_only(school):
    got, _ = answers(doc(table([
        ["Question", "Yes", "No", "N/A", "Comments"],
        [LADO, checked(state=False), checked(), checked(state=False), "Not needed."],
        [SEND, para("☒"), para("☐"), para("☐"), ""],
        [ABSENCE, "", "", "x", ""],
        ["Has an Education Welfare Officer been involved?", "X", "X", "", "Unsure."],
        ["Have you had concerns about this child?", "", "", "", "Some, in 2023."],
    ])), school)
    assert got["lado_involved"] == ("No\nNot needed.", "answered")
    assert got["send"] == ("Yes", "answered")
    assert got["absence_patterns"] == ("N/A", "not_applicable")
    assert got["ewo_involved"] == ("Yes\nNo\nUnsure.", "answered")  # both kept for a reader to see
    assert got["concerns_held"] == ("Some, in 2023.", "answered")


def test_comments_column_before_the_marks_still_gives_the_choice_first(school):
    got, _ = answers(doc(table([
        ["Question", "Comments", "Yes", "No"],
        [LADO, "Consulted in May.", "", "X"],
    ])), school)
    assert got["lado_involved"] == ("No\nConsulted in May.", "answered")


@pytest.mark.parametrize("cell_text, want", [
    ("☒ Yes ☐ No\nSeen weekly.", ("Yes\nSeen weekly.", "answered")),
    ("☐ Yes ☐ No", ("", "unanswered")),
    ("Yes / No", ("", "unanswered")),  # printed prompt untouched
    ("Yes /", ("Yes", "answered")),  # 'No' deleted
    ("No", ("No", "answered")),
    ("Y", ("Yes", "answered")),
    ("n\nNot known to us.", ("No\nNot known to us.", "answered")),
    ("Yes X / No", ("Yes", "answered")),
    ("Yes - the SENCO holds a plan.", ("Yes - the SENCO holds a plan.", "answered")),
    ("N/A", ("N/A", "not_applicable")),
])
def test_yes_no_in_one_answer_cell(school, cell_text, want):
    got, _ = answers(doc(table([[SEND, cell_text]])), school)
    assert got["send"] == want


@pytest.mark.parametrize("rows, want", [
    ([[PLAN, "☐ Early Help ☒ Child in Need ☐ Child Protection ☐ Looked After"]], "Child in Need"),
    ([[PLAN, [checked("Early Help", False), checked("Child in Need", False), checked("Child Protection"),
              checked("Looked After")]]], "Child Protection\nLooked After"),
    ([[PLAN, "Child Protection"]], "Child Protection"),  # the others deleted
    ([[PLAN, "Early Help / Child in Need / Child Protection / Looked After"]], ""),  # untouched
    ([[PLAN, "Early Help\nChild in Need X\nChild Protection\nLooked After"]], "Child in Need"),
    ([["", *OPTIONS], [PLAN, "", "", "X", ""]], "Child Protection"),  # a column per option
    ([[PLAN, *OPTIONS], ["", "", "✓", "", ""]], "Child in Need"),  # marks in the row below
    ([[PLAN, ""], ["Early Help", ""], ["Child in Need", "X"], ["Child Protection", ""], ["Looked After", "X"]],
     "Child in Need\nLooked After"),  # options down a column, a mark beside each
    ([[PLAN, ""], ["Early Help", ""], ["Child in Need", ""]], ""),
])
def test_tick_list_layouts(school, rows, want):
    got, record = answers(doc(table(rows)), school)
    assert got["plan_type"] == (want, "answered" if want else "unanswered")
    assert record.extraction.unmatched_text == []


def test_tick_list_options_as_paragraphs_each_with_a_checkbox(school):
    got, _ = answers(doc(para(PLAN, style="Heading3"), checked("Early Help", False), checked("Child in Need"),
                         checked("Child Protection", False), para(LADO, style="Heading3"), para("No")), school)
    assert got["plan_type"] == ("Child in Need", "answered")
    assert got["lado_involved"] == ("No", "answered")


def test_free_text_spanning_the_yes_no_columns_stays_as_written(school):
    from models.raw import Cell, Row, Table

    def row(r, *cells):
        return Row(cells=[Cell(row=r, col=c, col_span=s, blocks=[para(t)]) for c, s, t in cells])

    got, _ = answers(doc(
        table([["Date", "14/05/2024"]]),
        Table(rows=[row(0, (0, 1, "Question"), (1, 1, "Yes"), (2, 1, "No"), (3, 1, "Comments")),
                    row(1, (0, 1, "Name of social worker"), (1, 3, "Sam Placeholder")),
                    row(2, (0, 1, LADO), (1, 1, ""), (2, 1, "X"), (3, 1, ""))])), school)
    assert got["social_worker"] == ("Sam Placeholder", "answered")
    assert got["lado_involved"] == ("No", "answered")


def test_yes_no_words_in_free_text_questions_are_left_alone(wm):
    got, _ = answers(doc(table([["", Q2, "No"], ["", Q3, "Yes / No"]])), wm)
    assert got["q2"] == ("No", "answered") and got["q3"] == ("Yes / No", "answered")


@pytest.mark.parametrize("line, value, problem", [
    ("☐ Outstanding ☒ Good ☐ Requires improvement ☐ Inadequate", "good", None),
    ("Outstanding ☐  Good ☐  Requires improvement ☒  Inadequate ☐", "requires_improvement", None),
    ("☐ Outstanding ☐ Good ☐ Requires improvement ☐ Inadequate", None, "none_marked"),
    ("☒ Outstanding ☐ Good ☒ Requires improvement ☐ Inadequate", None, "multiple_marked"),
])
def test_grade_options_with_their_boxes_on_one_line(wm, line, value, problem):
    m = map_document(doc(para("Please use the criteria above to give the case an overall grade:"), para(line)), wm)
    assert (m.grade_value, m.grade_problem) == (value, problem)
    m = map_document(doc(table([["Overall grade", line]])), wm)
    assert (m.grade_value, m.grade_problem) == (value, problem)


def _paragraph_form_template():
    from models.template import GradeOption, Grading, Question, Section, Template

    four = [("outstanding", "Outstanding"), ("good", "Good"), ("requires_improvement", "Requires improvement"),
            ("inadequate", "Inadequate")]
    return Template(id="calderbrook", name="Calderbrook", version="1", sections=[Section(
        id="s", title="Recognition", questions=[
            Question(id="q1", number="1", wording="Were concerns recognised at first contact?", guidance=["Give the date."]),
            Question(id="q2", number="2", wording="How were concerns escalated within the service?"),
            Question(id="q3", number="3", wording="What information did you receive from partners?")])],
        grading=Grading(title="Overall judgement", options=[GradeOption(value=v, label=lab) for v, lab in four]))


def test_answer_typed_in_a_box_under_a_question_printed_as_a_paragraph():
    raw = doc(para("Recognition", style="heading 1"),
              para("1. Were concerns recognised at first contact?", style="heading 2"), para("Give the date."),
              table([["Seen by the school nurse on 3 May 2025.\nShared with the GP the same day."]]),
              para("Typed under the box, not in it."),
              para("2. How were concerns escalated within the service?", style="heading 2"),
              table([["Escalated to the named nurse."]]),
              para("3. What information did you receive from partners?"), para("A copy of the child protection plan."),
              para("Overall judgement"), para("☐ Outstanding ☒ Good ☐ Requires improvement ☐ Inadequate"))
    mapped = map_document(raw, _paragraph_form_template())
    assert mapped.answers["q1"].lines == ["Seen by the school nurse on 3 May 2025.", "Shared with the GP the same day."]
    assert mapped.answers["q2"].lines == ["Escalated to the named nurse."]
    assert "Typed under the box, not in it." in mapped.unmatched_text  # kept for a reader, never silently lost
    # the grading title printed as a plain line (a PDF loses its heading style) is not part of the last answer
    assert mapped.answers["q3"].lines == ["A copy of the child protection plan."]
    assert mapped.grade_value == "good"


@pytest.mark.parametrize("answered", [[para("1. Were concerns recognised at first contact?"), para("Yes, at the first visit.")],
                                      [para("1. Were concerns recognised at first contact? Yes, at the first visit.")]])
def test_a_table_after_an_answered_question_is_not_pulled_into_its_answer(answered):
    mapped = map_document(doc(*answered, table([["A table of other notes", "kept apart"]])), _paragraph_form_template())
    assert "kept apart" not in " ".join(mapped.answers["q1"].lines)
