"""Header lines unlike the template's: two labels on one line, and fields the template has no place for."""

import json
from datetime import date

import pytest
from openpyxl import load_workbook

from models.settings import Settings
from pipeline.intake.process import build_record
from pipeline.templates.registry import load_templates
from tests.rawbuild import doc, para, table

TEMPLATES = load_templates()
ENFIELD_BODY = [para("Recognition"),
                table([["Key areas of good practice", "Home visit on 02/02/2024 went well."],
                       ["Areas for development", "Earlier referral."],
                       ["Recommendations for practice", "Use the neglect toolkit."]])]


def _read(blocks, template="enfield-escp"):
    raw = doc(para("Enfield Safeguarding Children Partnership Multi-Agency Audit Tool"), *blocks, *ENFIELD_BODY)
    return build_record(raw, "a" * 64, TEMPLATES[template], 1.0, Settings(), date(2026, 1, 1))


@pytest.mark.parametrize("line", [
    "Date of audit: 12/04/2024   Case status (open/closed): Child Protection",
    "Date of audit: 12/04/2024\tCase status (open/closed): Child Protection",
    "Date of audit: 12/04/2024 | Case status (open/closed): Child Protection",
])
def test_two_labels_on_one_line_give_two_fields_each_with_its_value(line):
    for blocks in ([para(line)], [table([[line]])]):  # a paragraph, or one table cell
        r = _read(blocks)
        assert r.header.date_of_audit == "2024-04-12"
        assert r.header.extra == {"Case status (open/closed)": "Child Protection"}
        assert r.extraction.unparsed_header == {}


def test_the_second_label_goes_to_the_templates_field_when_it_has_one():
    r = _read([para("Date of audit: 12/04/2024   Case status (open/closed): Child Protection")],
              template="west-midlands-maat")
    assert r.header.date_of_audit == "2024-04-12" and r.header.case_status == "Child Protection"
    assert r.header.extra == {}


def test_one_space_is_enough_before_a_label_the_template_knows():
    r = _read([para("Agency / service: Health Visiting Date of audit: 03/05/2024")])
    assert r.header.agency == "Health Visiting" and r.header.date_of_audit == "2024-05-03"


def test_name_and_dob_on_one_line_are_two_fields():
    r = _read([para("Name: Maisie Testcase  DOB: 01/02/2019"), para("Date of audit: 12/04/2024")])
    assert r.header.extra == {"Name": "Maisie Testcase", "DOB": "01/02/2019"}
    assert r.header.date_of_audit == "2024-04-12"


def test_header_fields_the_template_lacks_are_kept_by_the_forms_label():
    r = _read([para("Audit theme: Neglect"), para("Reviewer: Sam Notreal"),
               table([["Agency / service:", "Health Visiting"], ["Case status", "Open"], ["Audit chair:", ""],
                      ["Date of audit:", "12/04/2024"], ["Quality assurance lead", "Pat Imaginary"]])])
    assert r.header.theme == "Neglect" and r.header.agency == "Health Visiting"
    assert r.header.date_of_audit == "2024-04-12"
    assert r.header.extra == {"Reviewer": "Sam Notreal", "Case status": "Open", "Quality assurance lead": "Pat Imaginary"}
    assert r.extraction.unmatched_text == []
    assert json.loads(r.model_dump_json())["header"]["extra"]["Reviewer"] == "Sam Notreal"


def test_label_value_pairs_inside_an_answer_stay_in_the_answer():
    raw = doc(para("Enfield Safeguarding Children Partnership Multi-Agency Audit Tool"), para("Date of audit: 12/04/2024"),
              para("Recognition"),
              table([["Key areas of good practice", "Strengths: early help on 02/02/2024  Concerns: none"],
                     ["Areas for development", "Voice: recorded\nPlan: reviewed"],
                     ["Recommendations for practice", "Date: 03/03/2024  Outcome: referral made"]]))
    r = build_record(raw, "a" * 64, TEMPLATES["enfield-escp"], 1.0, Settings(), date(2026, 1, 1))
    assert r.answer("recognition_good_practice").answer == "Strengths: early help on 02/02/2024  Concerns: none"
    assert r.answer("recognition_areas_for_development").answer == "Voice: recorded\nPlan: reviewed"
    assert r.answer("recognition_recommendations").answer == "Date: 03/03/2024  Outcome: referral made"
    assert r.header.extra == {}


def test_extra_header_fields_show_in_the_workbook_and_are_pseudonymised(tmp_path):
    from pipeline.outputs.workbook import build_workbook
    from tests.records import make_record

    record = make_record()
    record = record.model_copy(update={"header": record.header.model_copy(
        update={"extra": {"Case status (open/closed)": "Open", "Reviewer": "Amelia Thornbury"}})})
    path = build_workbook([record], [], tmp_path / "audit-workbook.xlsx", templates=TEMPLATES)
    rows = list(load_workbook(path)["Returns"].iter_rows(values_only=True))
    cell = rows[1][rows[0].index("Other header fields")]
    assert cell == "Case status (open/closed): Open\nReviewer: Amelia Thornbury"

    from pipeline.outputs.pseudonymise import Pseudonymiser

    p = Pseudonymiser.for_records([record], b"salt")
    assert "Amelia" not in json.dumps(p.record(record).header.extra)
