"""Section 11 / 175 self-assessments read right: ratings marked every way (typed, ticks, X in columns,
drop-downs, cell colours) in Word and printed to PDF, the record kind, validation, and a partnership's own
variant learned from its blank. Every organisation and person here is fictional."""

from __future__ import annotations

from datetime import date

import pytest

from extractors.registry import extract
from models.settings import Settings
from pipeline.intake.process import read_return
from pipeline.templates.learn import learn, template_yaml
from pipeline.templates.registry import check_template_text, load_templates
from tests.sa_forms import write_self_assessment, write_variant

TODAY = date(2026, 4, 1)
S11, S175 = "section-11-self-assessment", "section-175-schools-audit"
S11_RATINGS = {"leadership": "Met", "accountability": "Partially met", "recruitment": "Not met",
               "training": "Met", "multi_agency": "Partially met", "information_sharing": "Met",
               "voice_of_child": "Not met", "supervision": "Met", "allegations": "Partially met"}
S175_RATINGS = {"dsl": "Green", "policies": "Amber", "training": "Green", "recruitment": "Red",
                "online_safety": "Amber", "attendance": "Green", "records": "Red", "governance": "Green"}
LEVEL = {"Met": "met", "Green": "met", "Partially met": "partially_met", "Amber": "partially_met",
         "Not met": "not_met", "Red": "not_met"}
ACTIONS = {"recruitment": "Train two more panel members - HR manager - by 30/06/2026",
           "voice_of_child": "Add a children's panel to service design - Head of service - by end of March 2027",
           "records": "Move CP files to a locked cabinet - DSL - by end of summer term"}
HEADER = {"agency": "Northbrook Community Health (fictional)", "auditor": "Dana Whitlock", "date_of_audit": "12/03/2026"}
SCHOOL = {"agency": "Hollin Bank Primary School (fictional)", "auditor": "Kit Ashdown", "date_of_audit": "03/02/2026"}


def _read(path, templates=None):
    return read_return(path, Settings(isolate=False), templates or load_templates(), today=TODAY)


def _ratings(record) -> dict[str, tuple[str | None, str | None]]:
    return {s.standard: (s.rating, s.level) for s in record.self_assessment.standards}


def _case_flags(record) -> set[str]:
    return {f.code.value for f in record.flags} & {"grade_missing", "undated_answer", "date_outside_window"} | {
        f.code.value for f in record.flags if f.code.value == "missing_header" and "child" in f.message.lower()}


@pytest.mark.parametrize("marked", ["typed", "ticks", "columns", "dropdown", "colour"])
def test_section_11_ratings_read_right_however_they_are_marked_in_word(tmp_path, marked):
    path = write_self_assessment(tmp_path / f"s11-{marked}.docx", S11, HEADER, "2025-2026", S11_RATINGS, marked,
                                 actions=ACTIONS)
    record = _read(path)
    assert record.template.id == S11 and record.kind == "self_assessment"
    assert record.header.child is None
    sa = record.self_assessment
    assert sa.organisation == "Northbrook Community Health (fictional)" and sa.period == "2025/26"
    assert _ratings(record) == {k: (v, LEVEL[v]) for k, v in S11_RATINGS.items()}
    assert all(len(s.evidence) == 3 for s in sa.standards)
    assert {s.marked_by for s in sa.standards} == {"colour" if marked == "colour" else "choice" if marked == "ticks"
                                                   else "text"}
    assert _case_flags(record) == set()
    assert not [f for f in record.flags if f.code.value in ("unanswered", "rating_missing", "rating_multiple")]


@pytest.mark.parametrize("marked", ["typed", "ticks", "columns", "dropdown", "colour"])
def test_section_175_rag_ratings_read_right_however_they_are_marked_in_word(tmp_path, marked):
    path = write_self_assessment(tmp_path / f"s175-{marked}.docx", S175, SCHOOL, "Academic year 2025/26",
                                 S175_RATINGS, marked, actions=ACTIONS)
    record = _read(path)
    assert record.template.id == S175 and record.kind == "self_assessment"
    assert _ratings(record) == {k: (v, LEVEL[v]) for k, v in S175_RATINGS.items()}
    assert record.self_assessment.period == "2025/26"
    records = next(s for s in record.self_assessment.standards if s.standard == "records")
    assert [(a.text, a.owner, a.timescale) for a in records.actions] == [
        ("Move CP files to a locked cabinet", "DSL", "by end of summer term")]


@pytest.mark.slow
def test_both_tools_printed_to_pdf_read_the_same_ratings(tmp_path):
    from tests.test_pdf_formatting import to_pdf

    mixed = dict(zip(S11_RATINGS, ["ticks", "colour", "columns", "typed", "dropdown", "colour", "ticks", "columns",
                                   "colour"]))
    s11 = to_pdf(write_self_assessment(tmp_path / "s11.docx", S11, HEADER, "2025/26", S11_RATINGS, mixed,
                                       actions=ACTIONS))
    mixed = dict(zip(S175_RATINGS, ["colour", "ticks", "columns", "colour", "typed", "dropdown", "colour", "ticks"]))
    s175 = to_pdf(write_self_assessment(tmp_path / "s175.docx", S175, SCHOOL, "2025/26", S175_RATINGS, mixed,
                                        actions=ACTIONS))
    for path, want in ((s11, S11_RATINGS), (s175, S175_RATINGS)):
        record = _read(path)
        assert record.source.format == "pdf" and record.kind == "self_assessment"
        assert _ratings(record) == {k: (v, LEVEL[v]) for k, v in want.items()}
        # A table row that Word splits across two pages is read as two rows by the PDF reader, so its evidence
        # can miss its sub-standard: it is then kept in unmatched text or under the row above, never lost.
        placed = {i for s in record.self_assessment.standards for i in s.evidence}
        missed = [q.id for q in load_templates()[record.template.id].questions() if q.role == "evidence"
                  and q.id not in placed]
        assert len(missed) <= 3, missed
        unmatched = " ".join(record.extraction.unmatched_text + [a.answer for a in record.answers])
        assert all(f"Fictional evidence for {q.number}" in unmatched for q in load_templates()[record.template.id]
                   .questions() if q.id in missed)
    recruitment = next(s for s in _read(s11).self_assessment.standards if s.standard == "recruitment")
    assert [(a.owner, a.due) for a in recruitment.actions] == [("HR manager", "2026-06-30")]


def test_self_assessment_checks_replace_the_case_audit_checks(tmp_path):
    ratings = {**S11_RATINGS, "training": "Not met", "supervision": "Partially met"}
    path = write_self_assessment(
        tmp_path / "s11.docx", S11, HEADER, "2025/26", ratings, "ticks",
        evidence={"supervision_1": "", "supervision_2": "", "supervision_3": ""},
        actions={"recruitment": "Train two more panel members - HR manager - by 30/06/2026",
                 "voice_of_child": "Set up a young people's panel",
                 "allegations": "Review the allegations procedure - by December 2026"})
    record = _read(path)
    found = {(f.code.value, f.answer) for f in record.flags}
    assert ("rated_without_evidence", "supervision_rating") in found
    assert ("not_met_without_action", "training_rating") in found
    assert ("not_met_without_action", "recruitment_rating") not in found
    assert ("action_without_owner", "voice_of_child_actions") in found
    assert ("action_without_timescale", "voice_of_child_actions") in found
    assert ("action_without_owner", "allegations_actions") in found
    assert ("action_without_timescale", "allegations_actions") not in found
    assert not any(code == "date_in_future" for code, _a in found)  # an action's date is meant to be ahead
    assert _case_flags(record) == set()


def test_two_ratings_for_one_standard_are_flagged_never_guessed(tmp_path):
    path = write_self_assessment(tmp_path / "s11.docx", S11, HEADER, "2025/26", {"leadership": "Met"}, "typed")
    import docx

    d = docx.Document(path)
    cell = next(c for t in d.tables for row in t.rows for c in row.cells if c.text == "Met")
    cell.text = "☒ Met ☒ Partially met ☐ Not met"
    d.save(path)
    record = _read(path)
    leadership = record.self_assessment.standards[0]
    assert leadership.level is None and leadership.problem == "multiple_marked"
    assert ("rating_multiple", "leadership_rating") in {(f.code.value, f.answer) for f in record.flags}


def test_a_case_audit_still_reads_as_a_case_audit(tmp_path):
    from tests.formbuild import sample_return

    record = _read(sample_return(tmp_path / "hv.docx"))
    assert record.kind == "case_audit" and record.self_assessment is None
    assert "kind" not in record.model_dump(mode="json")  # case-audit records dump as before


def test_learning_a_partnerships_own_blank_reads_its_filled_forms_right(tmp_path):
    blank = write_variant(tmp_path / "blank.docx")
    learned = learn(extract(blank), "ashcombe-section-11")
    assert learned.kind == "self_assessment"
    text = template_yaml(learned, "blank.docx")
    again, problems = check_template_text(text, "ashcombe-section-11.yaml")
    assert problems == [] and again == learned
    ratings = [q for q in learned.questions() if q.role == "rating"]
    assert len(ratings) == 3 and all(q.options == ["Red", "Amber", "Green"] for q in ratings)
    templates = {**load_templates(), learned.id: learned}
    forms = [
        ({1: "Green", 2: "Red", 3: "Amber"}, {1: ["Board minutes, May 2025", "Annual report, January 2026"],
                                             2: ["", ""], 3: ["Attendance log kept", ""]},
         {2: [("Renew lapsed DBS checks", "HR manager", "31/03/2026"),
              ("Train recruiting managers", "Head of service", "by end of June 2026")]}),
        ({1: "Amber", 2: "Green", 3: "Green"}, {1: ["Lead named, no report yet", ""], 2: ["Checks up to date", "Yes"],
                                               3: ["Minutes show attendance", "Policy on intranet"]},
         {1: [("Report to the board", "Chief executive", "September 2026")]}),
    ]
    for n, (chosen, evidence, actions) in enumerate(forms):
        path = write_variant(tmp_path / f"filled-{n}.docx", {
            "agency": f"Ashcombe Agency {n} (fictional)", "lead": "Sam Okoro", "date": "14/02/2026",
            "year": "2025/26", "ratings": chosen, "evidence": evidence, "actions": actions})
        record = _read(path, templates)
        assert record.template.id == learned.id and record.kind == "self_assessment"
        sa = record.self_assessment
        assert sa.organisation == f"Ashcombe Agency {n} (fictional)" and sa.period == "2025/26"
        assert [s.rating for s in sa.standards] == [chosen[1], chosen[2], chosen[3]]
        assert [len(s.evidence) for s in sa.standards] == [sum(bool(t) for t in evidence[k]) for k in (1, 2, 3)]
        got = {i + 1: [(a.text, a.owner, a.timescale) for a in s.actions] for i, s in enumerate(sa.standards)}
        assert {k: v for k, v in got.items() if v} == actions
    flags = {(f.code.value, f.answer) for f in _read(tmp_path / "filled-0.docx", templates).flags}
    assert any(code == "rated_without_evidence" and "rating" in a for code, a in flags)


@pytest.mark.parametrize("fill, level", [("FF0000", "not_met"), ("C00000", "not_met"), ("FFC000", "partially_met"),
                                         ("FFFF00", "partially_met"), ("00B050", "met"), ("92D050", "met"),
                                         ("D9D9D9", None), ("1F4E79", None), ("FFFFFF", None), (None, None)])
def test_cell_colours_read_as_red_amber_green_and_greys_or_blues_as_nothing(fill, level):
    from pipeline.intake.assessment import colour_level

    assert colour_level(fill) == level


@pytest.mark.parametrize("written, period", [("2025/26", "2025/26"), ("2025-2026", "2025/26"),
                                             ("April 2025 to March 2026", "2025/26"), ("2026", "2026"),
                                             ("", "2026")])
def test_the_period_reads_however_it_is_written(written, period):
    from pipeline.intake.assessment import read_period

    assert read_period(written, "2026-03-12") == period


@pytest.mark.parametrize("line, owner, timescale, due", [
    ("Train two panel members - HR manager - by 30/06/2026", "HR manager", "by 30/06/2026", "2026-06-30"),
    ("Refresh the policy. Owner: DSL; Timescale: July 2026", "DSL", "July 2026", "2026-07-31"),
    ("Set up a young people's panel", None, None, None),
    ("Review procedure - by December 2026", None, "by December 2026", "2026-12-31"),
])
def test_an_action_line_splits_into_what_who_and_by_when(line, owner, timescale, due):
    from pipeline.intake.assessment import parse_action

    action = parse_action(line, TODAY)
    assert (action.owner, action.timescale, action.due) == (owner, timescale, due)


def test_yes_no_and_grade_tick_lists_are_not_rating_scales():
    from models.assessment import is_rating_scale

    assert is_rating_scale(["Met", "Partially met", "Not met"]) and is_rating_scale(["Red", "Amber", "Green"])
    assert not is_rating_scale(["Yes", "No"]) and not is_rating_scale(["Outstanding", "Good", "Inadequate"])
    assert not is_rating_scale(["Early Help", "Child in Need", "Child Protection"])
