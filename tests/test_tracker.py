"""The returns tracker and the chase list, as returns arrive, are re-sent (superseded) and are quarantined."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from pipeline.cases.tracker import chase_list, workspace_tracker
from pipeline.cli.main import main
from pipeline.store.workspace import Workspace
from tests.casebuild import arrive, make_return, quarantine

REGISTER = """case,child,dob,round,agencies,due,contacts
MAA-24-01,Freya Fairclough,11/08/2016,2024 Q2 Neglect,police; school; gp; health visiting; camhs,30/05/2024,police: dc.ahmed@example.org; camhs: camhs.safeguarding@example.org
MAA-24-02,Isla Brennan-Shaw,05/05/2012,2024 Q2 Neglect,police; housing; csc; probation,30/05/2024,probation: spo@example.org
"""


def _cells(ws, today):
    cells, unplaced = workspace_tracker(ws, today)
    return {(c.case_id, c.agency): c for c in cells}, cells, unplaced


def test_tracker_and_chase_list_follow_returns_arriving_resent_and_quarantined(tmp_path):
    ws = Workspace(tmp_path).ensure()
    (tmp_path / "cases.csv").write_text(REGISTER, encoding="utf-8")
    before = date(2024, 5, 25)
    grid, cells, _ = _cells(ws, before)
    assert {c.status for c in cells} == {"outstanding"} and len(cells) == 9  # every expected agency, nothing in

    arrive(ws, make_return("Fairclough, Freya", "Kingsmere Police", file="police-ff.docx"), at="2024-05-20T10:00:00")
    arrive(ws, make_return("F.F. 11/08/2016", "St Anne's Primary School"), at="2024-05-21T10:00:00")
    arrive(ws, make_return("FREYA FAIRCLOUGH", "Larkfield Medical Practice"), at="2024-05-22T10:00:00")
    arrive(ws, make_return("Isla Brennan-Shaw", "Kingsmere CAMHS"), at="2024-05-22T11:00:00")  # not expected
    grid, cells, _ = _cells(ws, before)
    assert grid["MAA-24-01", "police"].status == "received" and grid["MAA-24-01", "police"].received == date(2024, 5, 20)
    assert grid["MAA-24-01", "school"].status == "received" and grid["MAA-24-01", "gp"].status == "received"
    assert grid["MAA-24-01", "health_visiting"].status == "outstanding"
    extra = grid["MAA-24-02", "camhs"]
    assert extra.status == "received" and not extra.expected

    # Police re-send their tool under the same file name: one cell, two versions, the later date.
    arrive(ws, make_return("Fairclough, Freya", "Kingsmere Police", file="police-ff.docx", version=2),
           at="2024-05-24T10:00:00")
    # CAMHS's tool for Freya arrives password-protected; health visiting never return.
    quarantine(ws, "MAA-24-01 CAMHS audit.docx", at="2024-05-24T12:00:00")
    quarantine(ws, "scan0001.pdf", at="2024-05-24T12:30:00")
    after = date(2024, 6, 3)
    grid, cells, unplaced = _cells(ws, after)
    police = grid["MAA-24-01", "police"]
    assert (police.status, police.versions, police.received) == ("received", 2, date(2024, 5, 24))
    assert grid["MAA-24-01", "camhs"].status == "quarantined" and "password" in grid["MAA-24-01", "camhs"].reason
    assert grid["MAA-24-01", "health_visiting"].status == "overdue"
    assert grid["MAA-24-02", "probation"].status == "overdue"  # listed in the register, never returned
    assert [u["file"] for u in unplaced] == ["scan0001.pdf"]

    chase = chase_list(cells, unplaced)
    by = {(i.agency, i.case_id): i for i in chase}
    assert ("police", "MAA-24-01") not in by and ("gp", "MAA-24-01") not in by
    assert by["camhs", "MAA-24-01"].contact == "camhs.safeguarding@example.org"
    assert "send it again" in by["camhs", "MAA-24-01"].action
    assert by["probation", "MAA-24-02"].contact == "spo@example.org" and "overdue since 30/05/2024" in \
        by["probation", "MAA-24-02"].action
    assert chase[-1].agency_label == "(unknown agency)" and "scan0001.pdf" in chase[-1].action

    # A readable copy of the CAMHS tool arrives: the cell is received and CAMHS drop off the chase list.
    arrive(ws, make_return("Freya Fairclough (11/08/2016)", "Child and Adolescent Mental Health Service"),
           at="2024-06-04T09:00:00")
    grid, cells, unplaced = _cells(ws, date(2024, 6, 4))
    assert grid["MAA-24-01", "camhs"].status == "received"
    assert all(i.agency != "camhs" for i in chase_list(cells, unplaced))


def test_a_return_superseded_by_a_version_about_another_child_leaves_its_cell_superseded(tmp_path):
    ws = Workspace(tmp_path).ensure()
    arrive(ws, make_return("Freya Fairclough", "Kingsmere Police", file="police.docx"))
    arrive(ws, make_return("Leo Okoro", "Kingsmere Police", file="police.docx"), at="2024-05-22T09:00:00")
    grid, cells, _ = _cells(ws, date(2024, 5, 25))
    statuses = {c.child: c.status for c in cells}
    assert statuses == {"Freya Fairclough": "superseded", "Leo Okoro": "received"}
    assert [i.status for i in chase_list(cells)] == ["superseded"]


def test_maap_chase_prints_by_agency_and_as_csv(tmp_path):
    ws = Workspace(tmp_path).ensure()
    (tmp_path / "cases.csv").write_text(REGISTER, encoding="utf-8")
    arrive(ws, make_return("Fairclough, Freya", "Kingsmere Police"))
    text = CliRunner().invoke(main, ["chase", str(tmp_path), "--today", "2024-06-01"])
    assert text.exit_code == 0, text.output
    assert "Probation (spo@example.org)\n  MAA-24-02: overdue since 30/05/2024" in text.output
    assert "Freya" not in text.output  # names only with --names
    csv = CliRunner().invoke(main, ["chase", str(tmp_path), "--csv", "--names", "--today", "2024-05-01"])
    lines = csv.output.splitlines()
    assert lines[0] == "agency,contact,case,child,round,status,due,action"
    assert any(l.startswith("CAMHS,camhs.safeguarding@example.org,MAA-24-01,Freya Fairclough,2024 Q2 Neglect,"
                            "outstanding,2024-05-30") for l in lines)
    assert not any(l.startswith("Police,") and "MAA-24-01" in l for l in lines)


def test_a_quarantined_file_named_for_the_child_and_agency_is_placed_without_a_register(tmp_path):
    ws = Workspace(tmp_path).ensure()
    arrive(ws, make_return("Freya Fairclough", "Kingsmere Police"))
    arrive(ws, make_return("Isla Brennan-Shaw", "Kingsmere Police"))
    quarantine(ws, "Isla Brennan-Shaw - CAMHS audit tool.docx")
    grid, cells, unplaced = _cells(ws, date(2024, 5, 25))
    isla = next(c.case_id for c in cells if c.child == "Isla Brennan-Shaw")
    assert grid[isla, "camhs"].status == "quarantined" and unplaced == []
    assert [(i.agency, i.case_id, i.status) for i in chase_list(cells, unplaced)] == [("camhs", isla, "quarantined")]
