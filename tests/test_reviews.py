"""The correction loop: reviewers' columns survive every rebuild, are kept in reviews.jsonl, and are applied."""

import json
import logging

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from models.settings import Settings
from pipeline.cli.main import main
from pipeline.outputs.report import report_context
from pipeline.outputs.reviews import Review, apply_reviews, load_reviews
from pipeline.run import build_outputs, run_inbox
from pipeline.store.status import current_records
from pipeline.store.workspace import Workspace
from tests.formbuild import sample_return
from tests.records import make_record

NEGLECT = "Neglect of the home conditions was seen on 04/03/2024; mother said the heating was broken."


@pytest.fixture
def ws(tmp_path):
    ws = Workspace(tmp_path / "ws").ensure()
    sample_return(ws.inbox / "hv-case1.docx", q2=NEGLECT)
    sample_return(ws.inbox / "police-case1.docx", agency="West Midlands Police", grade="Inadequate", q2=NEGLECT)
    return ws


def rows(path, sheet):
    sheet = load_workbook(path, read_only=True)[sheet]
    it = sheet.iter_rows(values_only=True)
    header = next(it)
    return [dict(zip(header, r)) for r in it]


def find(path, sheet, **where) -> dict:
    [row] = [r for r in rows(path, sheet) if all(r[k] == v for k, v in where.items())]
    return row


def edit(path, sheet, row_id, **cells):
    """What a reviewer does in Excel: type into the review cells of one row, then save."""
    wb = load_workbook(path)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    [row] = [r for r in ws.iter_rows(min_row=2) if r[header.index("Row id")].value == row_id]
    for name, value in cells.items():
        row[header.index(name)].value = value
    wb.properties.lastModifiedBy = "Fictional Reviewer"
    wb.save(path)


def workbook(ws):
    return ws.output / "audit-workbook.xlsx"


def unanswered(path, agency):
    return find(path, "Returns", Agency=agency)["Unanswered"]


def review_everything(ws):
    """A reviewer's day: an answer corrected, a theme rejected, one added, a flag dismissed."""
    path = workbook(ws)
    q3 = find(path, "Answers", Agency="Health Visiting", **{"Question id": "q3"})
    assert q3["Status"] == "Unanswered"
    edit(path, "Answers", q3["Row id"], **{"Review": "Corrected", "Corrected answer": "Seen at home on 05/03/2024.",
                                           "Corrected status": "Answered", "Reviewer note": "from the chronology"})
    neglect = find(path, "Themes", Agency="Health Visiting", **{"Theme ID": "neglect"})
    edit(path, "Themes", neglect["Row id"], **{"Reviewer agrees? (Y/N)": "N", "Reviewer notes": "housing, not neglect"})
    police = find(path, "Themes", Agency="West Midlands Police", **{"Theme ID": "neglect"})
    edit(path, "Themes", police["Row id"], **{"Reviewer agrees? (Y/N)": "Y", "Reviewer adds themes": "Domestic abuse"})
    flag = next(r for r in rows(path, "Flags") if r["Agency"] == "West Midlands Police")
    edit(path, "Flags", flag["Row id"], **{"Dismissed? (Y/N)": "Y", "Reviewer note": "agreed at panel"})
    return q3["Row id"], neglect["Row id"], police["Row id"], flag["Row id"]


def test_edits_survive_a_new_return_and_are_applied(ws):
    run_inbox(ws, Settings())
    path = workbook(ws)
    before_unanswered = unanswered(path, "Health Visiting")
    police_flags = find(path, "Returns", Agency="West Midlands Police")["Flags"]
    q3, neglect, police, flag = review_everything(ws)

    sample_return(ws.inbox / "school-case1.docx", agency="Kingsmere Academy", q2=NEGLECT)
    summary = run_inbox(ws, Settings())
    assert summary.processed == 1

    # Every edit is still in its row...
    assert find(path, "Answers", **{"Row id": q3})["Corrected answer"] == "Seen at home on 05/03/2024."
    assert find(path, "Answers", **{"Row id": q3})["Reviewer note"] == "from the chronology"
    assert find(path, "Answers", **{"Row id": q3})["Answer"] in ("", None)  # the extraction stays visible as it was
    assert find(path, "Themes", **{"Row id": neglect})["Reviewer agrees? (Y/N)"] == "N"
    assert find(path, "Themes", **{"Row id": police})["Reviewer adds themes"] == "Domestic abuse"
    assert find(path, "Flags", **{"Row id": flag})["Dismissed? (Y/N)"] == "Y"
    assert len(rows(path, "Returns")) == 3
    # ...and applied: the counts it feeds change.
    assert unanswered(path, "Health Visiting") == before_unanswered - 1
    assert find(path, "Returns", Agency="West Midlands Police")["Flags"] == police_flags - 1
    counts = {r["Theme"]: r for r in rows(path, "Theme counts")}
    assert counts["Neglect"]["Health Visiting"] == 0 and counts["Neglect"]["Kingsmere Academy"] == 1
    assert counts["Domestic abuse"]["West Midlands Police"] == 1
    # The store keeps who and when, as the workbook records them.
    stored = load_reviews(ws.root / "reviews.jsonl")
    assert {r.row for r in stored} == {q3, neglect, police, flag}
    assert {r.by for r in stored} == {"Fictional Reviewer"} and all(r.saved and r.read for r in stored)
    # Re-running with nothing new changes nothing and appends nothing.
    lines = (ws.root / "reviews.jsonl").read_text()
    build_outputs(ws, Settings())
    assert (ws.root / "reviews.jsonl").read_text() == lines
    assert find(path, "Answers", **{"Row id": q3})["Corrected answer"] == "Seen at home on 05/03/2024."


def test_the_report_and_agreement_use_the_corrections(ws):
    run_inbox(ws, Settings())
    review_everything(ws)
    build_outputs(ws, Settings())
    html = (ws.output / "summary-report.html").read_text()
    assert "Domestic abuse" in html
    result = CliRunner().invoke(main, ["codebook", "agreement", str(ws.root)])
    assert result.exit_code == 0, result.output
    table = {line.split()[0]: line.split() for line in result.output.splitlines()[1:]}
    assert table["neglect"][3:6] == ["1", "1", "0"]  # both said neglect for police; maap alone for health
    assert table["domestic_abuse"][5] == "1"
    from_workbook = CliRunner().invoke(main, ["codebook", "agreement", str(workbook(ws))])
    assert from_workbook.exit_code == 0 and from_workbook.output == result.output


def test_a_superseded_return_keeps_its_review_and_shows_it_on_the_new_version(ws):
    run_inbox(ws, Settings())
    path = workbook(ws)
    q3, neglect, _, _ = review_everything(ws)
    # Health visiting send their return again, with q3 still blank.
    sample_return(ws.inbox / "hv-case1-v2.docx", q2=NEGLECT, q5="Health visitor saw the family on 09/04/2024.")
    assert run_inbox(ws, Settings()).processed == 1
    assert len(rows(path, "Returns")) == 2
    assert all(not r["Row id"].startswith(q3.split(":")[0]) for r in rows(path, "Answers"))
    new_q3 = find(path, "Answers", Agency="Health Visiting", **{"Question id": "q3"})
    assert new_q3["Earlier review"].startswith("Review on an earlier version by Fictional Reviewer")
    assert "Seen at home on 05/03/2024." in new_q3["Earlier review"]
    assert new_q3["Corrected answer"] in ("", None)  # not applied to a version nobody reviewed
    assert new_q3["Status"] == "Unanswered"
    new_neglect = find(path, "Themes", Agency="Health Visiting", **{"Theme ID": "neglect"})
    assert "Reviewer agrees? (Y/N): N" in new_neglect["Earlier review"]
    # The review stays attached to the old record in the store, and survives the next rebuild too.
    assert {r.row for r in load_reviews(ws.root / "reviews.jsonl")} >= {q3, neglect}
    build_outputs(ws, Settings())
    assert find(path, "Answers", **{"Row id": new_q3["Row id"]})["Earlier review"] == new_q3["Earlier review"]
    summary = {r[0]: r[1] for r in load_workbook(path)["Summary"].iter_rows(max_col=2, values_only=True)}
    assert summary["Reviews on an earlier version"] >= 2


@pytest.mark.parametrize("owner_file", [".~lock.audit-workbook.xlsx#", "~$audit-workbook.xlsx"])
def test_an_open_workbook_is_left_alone_and_the_new_one_written_beside_it(ws, owner_file, caplog):
    run_inbox(ws, Settings())
    path = workbook(ws)
    q3, *_ = review_everything(ws)
    (path.parent / owner_file).write_text("Fictional Reviewer")
    before = path.read_bytes()
    with caplog.at_level(logging.WARNING, logger="maap.workbook"):
        written, *_ = build_outputs(ws, Settings())
    assert path.read_bytes() == before
    assert written != path and written.parent == path.parent and written.name.startswith("audit-workbook-rebuilt-")
    assert find(written, "Answers", **{"Row id": q3})["Corrected answer"] == "Seen at home on 05/03/2024."
    [line] = [r.getMessage() for r in caplog.records]
    assert "is open" in line and written.name in line and "\n" not in line
    assert build_outputs(ws, Settings())[0] == written  # still open next night: the untouched copy is reused
    # The reviewer goes on in the copy; once the original is closed, both workbooks' edits are kept.
    edit(written, "Answers", q3, **{"Reviewer note": "checked with the agency"})
    (path.parent / owner_file).unlink()
    assert build_outputs(ws, Settings())[0] == path
    assert find(path, "Answers", **{"Row id": q3})["Reviewer note"] == "checked with the agency"
    assert find(path, "Answers", **{"Row id": q3})["Corrected answer"] == "Seen at home on 05/03/2024."


def test_a_workbook_that_cannot_be_replaced_is_left_alone(ws, monkeypatch, caplog):
    run_inbox(ws, Settings())
    path = workbook(ws)
    real = type(path).replace

    def refuse(self, target):
        if type(path)(target) == path:
            raise PermissionError(13, "Permission denied")
        return real(self, target)

    monkeypatch.setattr(type(path), "replace", refuse)
    with caplog.at_level(logging.WARNING, logger="maap.workbook"):
        written = build_outputs(ws, Settings())[0]
    assert written != path and written.exists()
    assert "could not be replaced" in caplog.records[0].getMessage()


def test_an_unreadable_workbook_loses_nothing(ws, caplog):
    run_inbox(ws, Settings())
    path = workbook(ws)
    path.write_bytes(b"not a workbook any more")
    with caplog.at_level(logging.WARNING, logger="maap.workbook"):
        written = build_outputs(ws, Settings())[0]
    assert path.read_bytes() == b"not a workbook any more" and written != path
    assert "not a workbook maap can open" in caplog.records[0].getMessage()


def test_a_workbook_edited_out_of_shape_is_kept_and_its_other_reviews_read(ws, caplog):
    run_inbox(ws, Settings())
    path = workbook(ws)
    _, neglect, _, _ = review_everything(ws)
    wb = load_workbook(path)
    header = [c.value for c in wb["Answers"][1]]
    wb["Answers"].cell(row=1, column=header.index("Row id") + 1, value="My ids")
    wb.save(path)
    with caplog.at_level(logging.WARNING, logger="maap.workbook"):
        written = build_outputs(ws, Settings())[0]
    assert written != path and load_workbook(path)["Answers"].cell(row=1, column=header.index("Row id") + 1).value == "My ids"
    assert "Row id" in caplog.records[0].getMessage()
    assert find(written, "Themes", **{"Row id": neglect})["Reviewer agrees? (Y/N)"] == "N"
    before = path.read_bytes()
    build_outputs(ws, Settings())  # the next night, still out of shape: still left alone
    assert path.read_bytes() == before


def test_clearing_a_review_is_recorded_and_history_kept(ws):
    run_inbox(ws, Settings())
    path = workbook(ws)
    _, neglect, _, _ = review_everything(ws)
    build_outputs(ws, Settings())
    edit(path, "Themes", neglect, **{"Reviewer agrees? (Y/N)": None, "Reviewer notes": None})
    build_outputs(ws, Settings())
    assert find(path, "Themes", **{"Row id": neglect})["Reviewer agrees? (Y/N)"] in ("", None)
    history = [r for r in load_reviews(ws.root / "reviews.jsonl") if r.row == neglect]
    assert [bool(r.fields) for r in history] == [True, False]


def test_apply_reviews_corrects_copies_and_leaves_the_records_alone():
    record = make_record()
    rid = record.source.sha256[:12]
    reviews = {f"{rid}:answer:q2": Review(row=f"{rid}:answer:q2", sheet="Answers",
                                          fields={"corrected_status": "Not applicable"})}
    [corrected] = apply_reviews([record], reviews)
    assert corrected.answer("q2").status.value == "not_applicable" and record.answer("q2").status.value == "unanswered"
    assert [f.code.value for f in corrected.flags] == []  # the unanswered flag no longer holds
    [before], [after] = report_context([record], [])["agency_rows"], report_context([corrected], [])["agency_rows"]
    assert after["unanswered"] < before["unanswered"]  # the report's share unanswered counts the correction


def test_reviews_jsonl_is_plain_json_lines(ws):
    run_inbox(ws, Settings())
    review_everything(ws)
    build_outputs(ws, Settings())
    for line in (ws.root / "reviews.jsonl").read_text().splitlines():
        assert set(json.loads(line)) == {"row", "sheet", "fields", "by", "saved", "read", "workbook"}
    assert current_records(ws)  # the records themselves are never rewritten by a review


def test_a_workbook_from_before_row_ids_is_read_and_replaced(ws):
    """The first rebuild after an upgrade: the old Themes sheet's Y/N are kept, the workbook is replaced."""
    from openpyxl import Workbook

    run_inbox(ws, Settings())
    path = workbook(ws)
    neglect = find(path, "Themes", Agency="Health Visiting", **{"Theme ID": "neglect"})
    old = Workbook()
    old.active.title = "Answers"
    old["Answers"].append(["Case", "Agency", "Section", "Question id", "Question", "Answer", "Status"])
    old.create_sheet("Flags").append(["Case", "Agency", "Severity", "Flag", "Question id", "Message", "File"])
    themes = old.create_sheet("Themes")
    themes.append(["Return", "Case", "Agency", "Theme ID", "Theme", "Mentions", "Reviewer agrees? (Y/N)",
                   "Reviewer adds themes", "Reviewer notes"])
    themes.append([neglect["Return"], neglect["Case"], "Health Visiting", "neglect", "Neglect", 1, "N", "", ""])
    old.save(path)
    (ws.root / ".reviews-written.json").unlink()  # an older maap kept no record of what it wrote
    assert build_outputs(ws, Settings())[0] == path
    assert find(path, "Themes", **{"Row id": neglect["Row id"]})["Reviewer agrees? (Y/N)"] == "N"
    assert {r["Theme"]: r for r in rows(path, "Theme counts")}["Neglect"]["Health Visiting"] == 0


def test_a_review_maap_cannot_use_is_kept_marked_and_not_applied(ws):
    run_inbox(ws, Settings())
    path = workbook(ws)
    q3 = find(path, "Answers", Agency="Health Visiting", **{"Question id": "q3"})
    before = unanswered(path, "Health Visiting")
    edit(path, "Answers", q3["Row id"], **{"Corrected status": "sort of"})
    build_outputs(ws, Settings())
    assert find(path, "Answers", **{"Row id": q3["Row id"]})["Corrected status"] == "sort of"
    assert unanswered(path, "Health Visiting") == before
    sheet = load_workbook(path)["Answers"]
    header = [c.value for c in sheet[1]]
    [cell] = [r[header.index("Corrected status")] for r in sheet.iter_rows(min_row=2)
              if r[header.index("Row id")].value == q3["Row id"]]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    summary = {r[0]: r[1] for r in load_workbook(path)["Summary"].iter_rows(max_col=2, values_only=True)}
    assert summary["Review cells maap could not use"] == 1


def test_reviews_survive_a_pseudonymised_rebuild(ws):
    settings = Settings(pseudonymise=True)
    run_inbox(ws, settings)
    path = workbook(ws)
    q3 = find(path, "Answers", Agency="Health Visiting", **{"Question id": "q3"})
    assert q3["Case"].startswith("Child ")
    edit(path, "Answers", q3["Row id"], **{"Corrected status": "Not applicable", "Reviewer note": "checked"})
    sample_return(ws.inbox / "school-case1.docx", agency="Kingsmere Academy")
    run_inbox(ws, settings)
    row = find(path, "Answers", **{"Row id": q3["Row id"]})
    assert (row["Corrected status"], row["Reviewer note"]) == ("Not applicable", "checked")
    assert find(path, "Returns", Agency="Health Visiting")["Not applicable"] == \
        find(path, "Returns", Agency="West Midlands Police")["Not applicable"] + 1


def test_agreement_from_a_workspace_counts_reviews_of_superseded_returns(ws):
    run_inbox(ws, Settings())
    review_everything(ws)
    sample_return(ws.inbox / "hv-case1-v2.docx", q2=NEGLECT, q5="Health visitor saw the family on 09/04/2024.")
    assert run_inbox(ws, Settings()).processed == 1
    result = CliRunner().invoke(main, ["codebook", "agreement", str(ws.root)])
    assert result.exit_code == 0, result.output
    table = {line.split()[0]: line.split() for line in result.output.splitlines()[1:]}
    assert table["neglect"][3:6] == ["1", "1", "0"]  # the superseded health return's "N" still counts
    from_workbook = CliRunner().invoke(main, ["codebook", "agreement", str(workbook(ws))])
    assert "neglect" in from_workbook.output and from_workbook.output != result.output


def test_an_older_copy_read_later_does_not_undo_a_newer_review(ws):
    import os

    run_inbox(ws, Settings())
    path = workbook(ws)
    q3 = find(path, "Answers", Agency="Health Visiting", **{"Question id": "q3"})["Row id"]
    q5 = find(path, "Answers", Agency="Health Visiting", **{"Question id": "q5"})["Row id"]
    lock = path.parent / ".~lock.audit-workbook.xlsx#"
    lock.write_text("Fictional Reviewer")
    edit(path, "Answers", q3, **{"Reviewer note": "first"})
    copy = build_outputs(ws, Settings())[0]
    edit(copy, "Answers", q3, **{"Reviewer note": "second"})  # the note is changed in the copy...
    edit(path, "Answers", q5, **{"Reviewer note": "other"})  # ...and later another row in the original
    os.utime(copy, (1_700_000_000, 1_700_000_000))
    build_outputs(ws, Settings())
    lock.unlink()
    build_outputs(ws, Settings())
    assert find(path, "Answers", **{"Row id": q3})["Reviewer note"] == "second"
    assert find(path, "Answers", **{"Row id": q5})["Reviewer note"] == "other"
