"""Section 11 / 175 outputs: the matrix and actions sheets, the report section, and case-audit outputs that never
count a self-assessment as a case. Organisations, people and events are fictional."""

from __future__ import annotations

from datetime import date

import pytest

from models.settings import Settings
from pipeline.intake.process import read_return
from pipeline.outputs.workbook import read_sheet
from pipeline.run import build_outputs
from pipeline.store.workspace import Workspace
from pipeline.templates.registry import load_templates
from tests.casebuild import arrive, make_return
from tests.sa_forms import write_self_assessment

S11 = "section-11-self-assessment"
ALL_MET = {s: "Met" for s in ["leadership", "accountability", "recruitment", "training", "multi_agency",
                              "information_sharing", "voice_of_child", "supervision", "allegations"]}


def _read(tmp_path, name: str, org: str, period: str, ratings: dict, how="typed", actions=None, auditor="Dana Whitlock"):
    path = write_self_assessment(tmp_path / name, S11, {"agency": org, "auditor": auditor, "date_of_audit": "12/03/2026"},
                                 period, ratings, how, actions=actions)
    return read_return(path, Settings(isolate=False), load_templates(), today=date(2026, 4, 1))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Two case-audit returns about one child, and self-assessments from three organisations over two years."""
    tmp = tmp_path_factory.mktemp("mixed")
    ws = Workspace(tmp / "ws").ensure()
    arrive(ws, make_return("Freya Fairclough", "Kingsmere Police"))
    arrive(ws, make_return("Freya Fairclough", "Kingsmere Health Visiting"))
    returns = [
        _read(tmp, "nch-2024.docx", "Northbrook Community Health", "2024/25",
              {**ALL_MET, "recruitment": "Not met", "training": "Not met"}, "ticks",
              {"recruitment": "Train two panel members - HR manager - by 30/06/2025",
               "training": "Refresh training records - Training lead - by 31/12/2025"}),
        _read(tmp, "nch-2025.docx", "Northbrook Community Health", "2025/26",
              {**ALL_MET, "training": "Not met", "supervision": "Partially met"}, "colour",
              {"training": "Audit training records - Mr Oswin Trelawney - by 31/01/2026\n"
                           "Book refresher sessions - Training lead - by 30/09/2026"}),
        _read(tmp, "fire-2025.docx", "Kingsmere Fire and Rescue", "2025/26",
              {**ALL_MET, "training": "Not met", "recruitment": "Not met"}, "dropdown",
              {"training": "Add safeguarding to induction - Station manager - by 30/06/2026",
               "recruitment": "Check DBS renewals - HR officer - complete"}),
        _read(tmp, "lib-2025.docx", "Kingsmere Libraries", "2025/26", {**ALL_MET, "allegations": "Partially met"},
              "columns"),
    ]
    for i, r in enumerate(returns):
        arrive(ws, r, at=f"2026-03-2{i}T09:00:00+00:00")
    return ws


def test_matrix_has_one_row_per_organisation_and_year_with_ratings_as_coloured_cells(mixed):
    workbook = build_outputs(mixed, Settings())[0]
    from openpyxl import load_workbook

    ws = load_workbook(workbook)["Section 11 & 175"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in rows if r and r[0] == "Organisation")
    training = header.index("Standard 4: Safeguarding training")
    body = {(r[0], r[1]): r for r in rows if r and r[1] in ("2024/25", "2025/26")}
    assert set(body) == {("Northbrook Community Health", "2024/25"), ("Northbrook Community Health", "2025/26"),
                         ("Kingsmere Fire and Rescue", "2025/26"), ("Kingsmere Libraries", "2025/26")}
    assert body[("Northbrook Community Health", "2025/26")][training] == "Not met"
    assert body[("Kingsmere Libraries", "2025/26")][training] == "Met"
    cells = {(row[0].value, row[1].value): row for row in ws.iter_rows() if row[1].value == "2025/26"}
    fills = {c.value: c.fill.fgColor.rgb[-6:] for c in cells[("Kingsmere Fire and Rescue", "2025/26")][3:12]}
    assert fills == {"Met": "C6EFCE", "Not met": "FFC7CE"}
    assert body[("Northbrook Community Health", "2025/26")][header.index("Not met")] == 1
    assert ws.tables  # an Excel Table, as every data sheet


def test_actions_sheet_lists_owner_timescale_real_due_date_and_status(mixed):
    workbook = build_outputs(mixed, Settings())[0]
    rows = read_sheet(workbook, "S11-175 evidence & actions")
    fire = {r["Action"]: r for r in rows if r["Organisation"] == "Kingsmere Fire and Rescue" and r["Action"]}
    induction = fire["Add safeguarding to induction"]
    assert induction["Owner"] == "Station manager" and induction["Due"].date() == date(2026, 6, 30)
    assert induction["Status"] in ("open", "overdue")
    assert fire["Check DBS renewals"]["Status"] == "complete"
    partly = [r for r in rows if r["Organisation"] == "Kingsmere Libraries" and r["Rating"] == "Partially met"]
    assert [r["Status"] for r in partly] == ["no action"]
    northbrook = [r for r in rows if r["Organisation"] == "Northbrook Community Health" and r["Period"] == "2025/26"]
    assert "has no date or timescale" in fire["Check DBS renewals"]["Flags"]  # 'complete' is a status, not a date
    assert not fire["Add safeguarding to induction"]["Flags"]
    owner_named = next(r for r in northbrook if r["Action"] == "Audit training records")
    assert owner_named["Owner"] == "Mr Oswin Trelawney" and owner_named["Status"] == "overdue"  # due 31/01/2026
    assert all(r["Evidence"] for r in rows if r["Rating"])


def test_case_audit_outputs_never_count_a_self_assessment_as_a_case(mixed):
    workbook, report, _ = build_outputs(mixed, Settings())
    assert {r["Case"] for r in read_sheet(workbook, "By case")} == {"Freya Fairclough"}
    assert len(read_sheet(workbook, "Grades")) == 1
    assert {r["File"] for r in read_sheet(workbook, "Returns")} == {"kingsmere-police-freya-fairclough.docx",
                                                                     "kingsmere-health-visiting-freya-fairclough.docx"}
    summary = {r[0]: r[1] for r in _cells(workbook, "Summary") if r[0]}
    assert summary["Returns read"] == 2 and summary["Cases (children)"] == 1
    for sheet in ("Tracker", "Chase", "Flags", "Answers"):
        assert all("Northbrook" not in str(row) and "Libraries" not in str(row) for row in _cells(workbook, sheet))
    counted = read_sheet(workbook, "Theme counts")
    assert all("Northbrook" not in str(row) for row in counted)
    html = report.read_text(encoding="utf-8")
    assert '<b>1</b>case (children)' in html and "<dt>Returns</dt><dd>2 received" in html
    annex = html.split('id="annex-cases"')[1]
    assert "Northbrook" not in annex and "Kingsmere Libraries" not in annex


def _cells(path, sheet):
    from openpyxl import load_workbook

    return [[c.value for c in row] for row in load_workbook(path)[sheet].iter_rows()]


def test_report_section_gives_standards_not_met_outstanding_actions_and_change_since_last_year(mixed):
    html = build_outputs(mixed, Settings())[1].read_text(encoding="utf-8")
    section = html.split('id="section-11-175"')[1].split("</section>")[0]
    assert "Section 11 self-assessment, 2025/26" in section
    not_met = section.split("Standards most often not met")[1].split("</table>")[0]
    rows = not_met.split("<tr>")[2:]
    assert "Standard 4: Safeguarding training" in rows[0] and ">2<" in rows[0]  # two organisations, the most
    assert "Standard 3: Safer recruitment" in rows[1]
    assert "Change since 2024/25" in section
    change = section.split("Change since 2024/25")[1]
    assert "Standard 3: Safer recruitment: 1 rated higher, 0 lower" in change
    assert "Standard 8: Safeguarding supervision and support: 0 rated higher, 1 lower" in change
    outstanding = section.split("Actions outstanding")[1]
    assert "Add safeguarding to induction" in outstanding and "Check DBS renewals" not in outstanding
    assert "Kingsmere Fire and Rescue" in outstanding  # organisations are not people: shown
    assert "Trelawney" not in html and "Oswin" not in html  # a named owner is a person: replaced
    assert "Train two panel members" not in outstanding  # last year's actions are last year's


def test_the_report_names_owners_only_with_names(mixed):
    html = build_outputs(mixed, Settings(names=True))[1].read_text(encoding="utf-8")
    assert "Oswin Trelawney" in html


def test_the_pseudonymised_workbook_replaces_named_owners_and_keeps_organisations(mixed):
    workbook = build_outputs(mixed, Settings(pseudonymise=True))[0]
    text = str(_cells(workbook, "S11-175 evidence & actions")) + str(_cells(workbook, "Section 11 & 175"))
    assert "Trelawney" not in text and "Oswin" not in text
    assert "Northbrook Community Health" in text and "Station manager" in text
