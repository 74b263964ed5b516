"""Intake: nothing lost, nothing duplicated, bad files quarantined with a reason, the run carries on."""

import json

import pytest
from openpyxl import load_workbook

import pipeline.run as run_module
from models.settings import Settings
from pipeline.run import run_inbox
from pipeline.store.status import current_records, file_statuses
from pipeline.store.workspace import Workspace
from tests.formbuild import sample_return


@pytest.fixture
def ws(tmp_path):
    ws = Workspace(tmp_path / "ws").ensure()
    sample_return(ws.inbox / "hv-case1.docx")
    sample_return(ws.inbox / "police-case1.docx", agency="West Midlands Police", grade="Inadequate")
    (ws.inbox / "notes.docx").write_text("this is not a Word file")
    (ws.inbox / "~$hv-case1.docx").write_bytes(b"\x00lock")
    return ws


def test_run_reads_good_files_and_quarantines_bad_ones_with_a_reason(ws):
    summary = run_inbox(ws, Settings())
    assert (summary.processed, summary.quarantined, summary.already_seen, summary.ignored) == (2, 1, 0, 1)
    assert summary.line() == "2 processed, 1 quarantined, 0 already seen, 1 lock or temporary file ignored"
    assert sorted(p.name for p in ws.records.glob("*.json")) == sorted(
        p.name for p in ws.records.glob("*.json") if p.name.startswith(("hv-case1-", "police-case1-")))
    reason = json.loads((ws.quarantine / "notes.docx.reason.json").read_text())
    assert reason["code"] == "not_a_word_file" and "notes.docx" in reason["message"]
    assert not (ws.quarantine / "~$hv-case1.docx").exists()  # Word's lock file: ignored, not a person's problem
    statuses = {s["file"]: s for s in file_statuses(ws)}
    assert statuses["~$hv-case1.docx"]["outcome"] == "ignored"
    assert statuses["~$hv-case1.docx"]["reason"]["code"] == "lock_file"
    for original in ws.inbox.iterdir():  # originals kept byte for byte, inbox untouched
        if original.name.startswith("~$"):
            assert not any(p.name.endswith(original.name) for p in ws.archive.iterdir())  # never archived
            continue
        archived = [p for p in ws.archive.iterdir() if p.name.endswith("-" + original.name)]
        assert archived and archived[0].read_bytes() == original.read_bytes()
    assert (ws.output / "audit-workbook.xlsx").exists() and (ws.output / "summary-report.html").exists()
    returns = list(load_workbook(ws.output / "audit-workbook.xlsx")["Returns"].iter_rows(values_only=True))
    assert sorted(r[1] for r in returns[1:]) == ["Health Visiting", "West Midlands Police"]


def test_second_run_sees_everything_and_changes_nothing(ws):
    run_inbox(ws, Settings())
    before = {p: p.stat().st_mtime_ns for p in ws.root.rglob("*") if p.is_file()}
    summary = run_inbox(ws, Settings())
    assert summary.line() == "0 processed, 0 quarantined, 4 already seen"
    assert {p: p.stat().st_mtime_ns for p in ws.root.rglob("*") if p.is_file()} == before


def test_same_bytes_under_another_name_is_a_duplicate_not_a_second_record(ws):
    run_inbox(ws, Settings())
    (ws.inbox / "copy of hv-case1.docx").write_bytes((ws.inbox / "hv-case1.docx").read_bytes())
    summary = run_inbox(ws, Settings())
    assert summary.duplicates == 1 and summary.processed == 0
    assert len(list(ws.records.glob("*.json"))) == 2
    dup = [s for s in file_statuses(ws) if s["file"] == "copy of hv-case1.docx"]
    assert dup[0]["outcome"] == "duplicate" and "hv-case1.docx" in dup[0]["reason"]["message"]


def test_a_corrected_return_supersedes_the_first(ws):
    run_inbox(ws, Settings())
    sample_return(ws.inbox / "hv-case1 v2.docx", grade="Requires improvement")
    run_inbox(ws, Settings())
    outcomes = {s["file"]: s["outcome"] for s in file_statuses(ws)}
    assert outcomes["hv-case1.docx"] == "superseded" and outcomes["hv-case1 v2.docx"] == "processed"
    hv = [r for r in current_records(ws) if r.header.agency == "Health Visiting"]
    assert [r.grade.value for r in hv] == ["requires_improvement"]


def test_a_crash_after_a_record_is_written_loses_nothing_and_duplicates_nothing(ws, monkeypatch):
    calls = {"n": 0}
    real_append = run_module.append_ledger

    def crash_on_second(ws_, entry):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("power cut")
        real_append(ws_, entry)

    monkeypatch.setattr(run_module, "append_ledger", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        run_inbox(ws, Settings())
    monkeypatch.setattr(run_module, "append_ledger", real_append)
    summary = run_inbox(ws, Settings())
    assert summary.processed + summary.quarantined == 3 and summary.already_seen == 1
    statuses = file_statuses(ws)
    assert len(statuses) == 4 and len({s["file"] for s in statuses}) == 4
    assert len(list(ws.records.glob("*.json"))) == 2


def test_a_bug_in_one_file_quarantines_it_and_the_run_carries_on(ws, monkeypatch):
    import pipeline.intake.plan as intake

    real = intake.read_return

    def flaky(path, *a, **kw):
        if path.name == "hv-case1.docx":
            raise ValueError("boom")
        return real(path, *a, **kw)

    monkeypatch.setattr(intake, "read_return", flaky)
    summary = run_inbox(ws, Settings())
    assert summary.processed == 1 and summary.quarantined == 2 and summary.ignored == 1
    reason = json.loads((ws.quarantine / "hv-case1.docx.reason.json").read_text())
    assert reason["code"] == "internal_error" and "kept" in reason["message"]


def test_a_broken_workspace_template_stops_the_run_before_any_file_is_touched(ws):
    ws.templates.mkdir()
    (ws.templates / "ours.yaml").write_text("id: ours\nname: Ours\nversion: '1'\nsections: [{id: s, title: S, questions: [{id: q1}]}]\n")
    from models.errors import TemplateError

    with pytest.raises(TemplateError) as err:
        run_inbox(ws, Settings())
    assert "ours.yaml" in str(err.value) and "wording" in str(err.value)
    assert not ws.ledger.exists() and list(ws.quarantine.iterdir()) == []


def test_logs_name_no_one_and_quote_no_answer(ws, caplog, monkeypatch):
    import logging

    import pipeline.intake.plan as intake

    answer_text = "Amelia Thornbury was seen at home"

    def leaky(path, *a, **kw):
        raise ValueError(answer_text)

    monkeypatch.setattr(intake, "read_return", leaky)
    with caplog.at_level(logging.DEBUG):
        run_inbox(ws, Settings())
    assert "Amelia" not in caplog.text and "internal error ValueError" in caplog.text
