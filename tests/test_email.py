"""Returns that arrive by email: .eml and .msg opened, each attachment its own return, nothing lost or doubled."""

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.settings import Settings
from pipeline.intake.email import open_message, safe_name
from pipeline.run import run_inbox
from pipeline.store.status import current_records, file_statuses
from pipeline.store.workspace import Workspace, read_ledger
from tests.formbuild import sample_return
from tests.mailbuild import Mail, Part, eml_bytes, msg_bytes, write_eml, write_msg

ROOT = Path(__file__).resolve().parents[1]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "ws").ensure()


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    """Three different real returns, as bytes."""
    d = tmp_path_factory.mktemp("returns")
    return [sample_return(d / "hv.docx").read_bytes(),
            sample_return(d / "police.docx", agency="West Midlands Police", grade="Inadequate").read_bytes(),
            sample_return(d / "school.docx", agency="Kingsmere Academy", child="Noah Pemberton").read_bytes()]


def _rows(path: Path, sheet: str) -> list[dict]:
    rows = list(load_workbook(path)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _status(ws):
    return {s["file"]: s for s in file_statuses(ws)}


def test_an_eml_return_is_read_with_sender_and_date_and_the_body_and_logo_are_not(ws, returns):
    write_eml(ws.inbox / "hv-return.eml", Mail(parts=[
        Part("HV case 1.docx", returns[0], mime=DOCX),
        Part("image001.png", b"\x89PNG\r\n\x1a\n", mime="image/png", inline=True, content_id="logo@agency")]))
    summary = run_inbox(ws, Settings())
    assert summary.line() == "1 processed, 0 quarantined, 0 already seen, 1 email opened"
    [record] = current_records(ws)
    assert record.header.agency == "Health Visiting" and record.source.file == "HV case 1.docx"
    origin = record.source.email
    assert (origin.file, origin.part) == ("hv-return.eml", "#1/HV case 1.docx")
    assert origin.sender == "Ann Example <ann.example@agency.example>" and origin.sent == "2026-11-20T09:30+00:00"
    status = _status(ws)
    assert status["hv-return.eml#1/HV case 1.docx"]["outcome"] == "processed"
    opened = status["hv-return.eml"]
    assert opened["outcome"] == "opened"
    assert "ann.example@agency.example" in opened["reason"]["message"] and "20/11/2026 09:30" in opened["reason"]["message"]
    assert "#2/image001.png (inline image)" in opened["reason"]["message"]
    assert len(file_statuses(ws)) == 2  # the logo and the body are no return of their own
    [row] = _rows(ws.output / "audit-workbook.xlsx", "Returns")
    assert row["Emailed by"] == "Ann Example <ann.example@agency.example>" and row["Email sent"] == "20/11/2026 09:30"
    archived = sorted(p.name for p in ws.archive.iterdir())
    assert any(n.endswith("-hv-return.eml") for n in archived) and any(n.endswith("-HV case 1.docx") for n in archived)
    assert not list((ws.root / ".attachments").rglob("*.docx"))  # staged copies are gone once read


def test_an_outlook_msg_is_read_by_extract_msg_and_each_attachment_is_its_own_return(ws, returns):
    write_msg(ws.inbox / "police.msg", Mail(sender="Carl Demo <carl.demo@police.example>", parts=[
        Part("return-police.docx", returns[1]), Part("return-school.docx", returns[2])]))
    opened = open_message(ws.inbox / "police.msg")
    assert opened.sender == "Carl Demo <carl.demo@police.example>" and opened.sent == "2026-11-20T09:30+00:00"
    assert [a.part for a in opened.returns] == ["#1/return-police.docx", "#2/return-school.docx"]
    summary = run_inbox(ws, Settings())
    assert (summary.processed, summary.emails) == (2, 1)
    records = current_records(ws)
    assert sorted(r.header.agency for r in records) == ["Kingsmere Academy", "West Midlands Police"]
    assert {r.source.email.sender for r in records} == {"Carl Demo <carl.demo@police.example>"}


def test_nested_messages_are_opened_and_each_return_keeps_the_message_it_came_with(ws, returns):
    original = Mail(sender="Dee Sample <dee@school.example>", parts=[Part("school.docx", returns[2])])
    forwarded_msg = Mail(sender="Eve Test <eve@police.example>", parts=[Part("police.docx", returns[1])])
    write_eml(ws.inbox / "fwd.eml", Mail(parts=[Part("", message=original)]))  # a message/rfc822 part
    write_msg(ws.inbox / "outer.msg", Mail(parts=[
        Part("forwarded.msg", message=forwarded_msg),  # .msg inside .msg
        Part("original.eml", eml_bytes(Mail(sender="Fay Demo <fay@hv.example>", parts=[Part("hv.docx", returns[0])])),
             mime="message/rfc822")]))  # .eml attached to .msg
    summary = run_inbox(ws, Settings())
    assert (summary.processed, summary.quarantined, summary.emails) == (3, 0, 2)
    by_agency = {r.header.agency: r.source.email for r in current_records(ws)}
    assert by_agency["Kingsmere Academy"].sender == "Dee Sample <dee@school.example>"
    assert by_agency["Kingsmere Academy"].part == "#1/message-1.eml#1/school.docx"
    assert by_agency["West Midlands Police"].sender == "Eve Test <eve@police.example>"
    assert by_agency["West Midlands Police"].part == "#1/forwarded.msg#1/police.docx"
    assert by_agency["Health Visiting"].sender == "Fay Demo <fay@hv.example>"
    assert by_agency["Health Visiting"].file == "outer.msg"


@pytest.mark.parametrize("parts, found", [
    ([], "it has no attachment"),
    ([Part("logo.png", b"\x89PNG", mime="image/png", inline=True, content_id="l"),
      Part("figures.xlsx", b"PK\x03\x04", mime="application/vnd.ms-excel")], "not a format maap reads (.xlsx)"),
])
def test_an_email_with_no_return_attached_is_quarantined_saying_so(ws, parts, found):
    write_eml(ws.inbox / "forgot.eml", Mail(body="Please find attached our audit.", parts=parts))
    write_msg(ws.inbox / "forgot.msg", Mail(body="Please find attached our audit.", parts=parts))
    summary = run_inbox(ws, Settings())
    assert (summary.processed, summary.quarantined) == (0, 2)
    for name in ("forgot.eml", "forgot.msg"):
        reason = json.loads((ws.quarantine / f"{name}.reason.json").read_text())
        assert reason["code"] == "no_return_attached"
        assert "forgotten to attach" in reason["message"] and found in reason["message"]
        assert (ws.quarantine / name).read_bytes() == (ws.inbox / name).read_bytes()
    assert not current_records(ws)
    assert [r["File"] for r in _rows(ws.output / "audit-workbook.xlsx", "Quarantine")] == ["forgot.eml", "forgot.msg"]


def test_a_damaged_msg_is_quarantined_and_the_run_carries_on(ws, returns):
    (ws.inbox / "broken.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (ws.inbox / "not-mail.eml").write_bytes(b"\x00\x01\x02 binary, not a message")
    write_eml(ws.inbox / "good.eml", Mail(parts=[Part("r.docx", returns[0])]))
    summary = run_inbox(ws, Settings())
    assert (summary.processed, summary.quarantined) == (1, 2)
    for name in ("broken.msg", "not-mail.eml"):
        reason = json.loads((ws.quarantine / f"{name}.reason.json").read_text())
        assert reason["code"] == "unreadable_email" and "Save the message again" in reason["message"]


HOSTILE = ["../../escaped.docx", "/etc/cron.d/abs.docx", "..\\..\\win.docx", "nul\x00byte.docx", "CON.docx",
           "x" * 300 + ".docx", ".hidden.docx", "return.docx", "return.docx"]


def test_hostile_attachment_names_never_leave_the_workspace(ws, tmp_path, returns):
    parts = [Part(name, sample_return(tmp_path / f"r{i}.docx", child=f"Child Number{i}").read_bytes(), mime=DOCX)
             for i, name in enumerate(HOSTILE)]
    write_eml(ws.inbox / "hostile.eml", Mail(parts=parts))
    write_msg(ws.inbox / "hostile.msg", Mail(parts=[Part(n, p.data + b"") for n, p in zip(HOSTILE[:3], parts)]))
    before = {p for p in tmp_path.parent.rglob("*") if not p.is_relative_to(ws.root)}
    summary = run_inbox(ws, Settings())
    assert {p for p in tmp_path.parent.rglob("*") if not p.is_relative_to(ws.root)} == before
    assert not Path("/etc/cron.d/abs.docx").exists()
    # every hostile attachment is read, under a name of its own; the two called return.docx are both kept
    assert summary.processed == len(HOSTILE) and summary.duplicates == 3  # the .msg carries the same bytes again
    names = [r.source.file for r in current_records(ws)]
    assert len(names) == len(HOSTILE)
    for name in names:
        assert "/" not in name and "\\" not in name and "\x00" not in name and not name.startswith(".")
        assert len(name) <= 100 and name.endswith(".docx") and name.upper() != "CON.DOCX"
    assert names.count("return.docx") == 2
    for path in ws.root.rglob("*"):
        assert path.resolve().is_relative_to(ws.root.resolve())


def test_safe_name_keeps_a_plain_name_and_defuses_the_rest():
    assert safe_name("Audit return (HV).docx", 1) == "Audit return (HV).docx"
    assert safe_name("../../x.docx", 1) == "x.docx"
    assert safe_name("C:\\Users\\x\\y.pdf", 1) == "y.pdf"
    assert safe_name("a\x00b.docx", 1) == "a_b.docx"
    assert safe_name("aux.pdf", 1) == "_aux.pdf"
    assert safe_name("..", 4) == "attachment-4" and safe_name(None, 2) == "attachment-2"
    long = safe_name("y" * 500 + ".pdf", 1)
    assert len(long) == 100 and long.endswith(".pdf")


def test_a_second_run_reads_nothing_again_and_a_copy_of_an_email_or_attachment_is_a_duplicate(ws, returns):
    write_eml(ws.inbox / "hv.eml", Mail(parts=[Part("hv.docx", returns[0]), Part("police.docx", returns[1])]))
    run_inbox(ws, Settings())
    before = {p: p.stat().st_mtime_ns for p in ws.records.iterdir()}
    assert run_inbox(ws, Settings()).line() == "0 processed, 0 quarantined, 1 already seen"
    (ws.inbox / "hv (copy).eml").write_bytes((ws.inbox / "hv.eml").read_bytes())
    (ws.inbox / "police.docx").write_bytes(returns[1])  # also saved from the email by hand
    write_eml(ws.inbox / "resent.eml", Mail(subject="Re: audit", parts=[Part("hv-again.docx", returns[0])]))
    summary = run_inbox(ws, Settings())
    assert summary.processed == 0 and summary.duplicates == 3
    assert {p: p.stat().st_mtime_ns for p in ws.records.iterdir()} == before
    status = _status(ws)
    assert status["hv (copy).eml"]["outcome"] == "duplicate" and "hv.eml" in status["hv (copy).eml"]["reason"]["message"]
    assert status["resent.eml#1/hv-again.docx"]["outcome"] == "duplicate"
    assert len(current_records(ws)) == 2


def test_a_crash_between_attachments_loses_nothing_and_reads_nothing_twice(ws, returns, monkeypatch):
    import pipeline.intake.plan as plan

    write_eml(ws.inbox / "three.eml", Mail(parts=[Part(f"r{i}.docx", data) for i, data in enumerate(returns)]))
    real, calls = plan.process_file, []

    def crash_on_third(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 3:
            raise KeyboardInterrupt  # the run stops here, as at a power cut
        return real(*args, **kwargs)

    monkeypatch.setattr(plan, "process_file", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        run_inbox(ws, Settings())
    assert [e.file for e in read_ledger(ws)] == ["three.eml#1/r0.docx", "three.eml#2/r1.docx"]  # email not done yet
    monkeypatch.setattr(plan, "process_file", real)
    summary = run_inbox(ws, Settings())
    assert (summary.processed, summary.emails) == (3, 1)
    files = [e.file for e in read_ledger(ws)]
    assert files == ["three.eml#1/r0.docx", "three.eml#2/r1.docx", "three.eml#3/r2.docx", "three.eml"]
    assert len(list(ws.records.glob("*.json"))) == 3


KILLED_RUN = """
import sys, time
from pathlib import Path

import pipeline.intake.plan as plan

marker = Path(sys.argv[2])
real, seen = plan.process_file, []


def slow_on_second(ws, rel, sha, settings, today=None, src=None):
    if src is not None:  # an attachment
        seen.append(rel)
        if len(seen) == 2:
            marker.write_text(rel)
            time.sleep(600)  # the test kills the run here, while the second attachment is being read
    return real(ws, rel, sha, settings, today, src=src)


plan.process_file = slow_on_second

if __name__ == "__main__":
    from pipeline.cli.main import main

    main(["run", sys.argv[1], "--engine", "local"])
"""


def test_kill_9_while_an_email_is_read_then_a_rerun_gives_every_attachment_exactly_one_record(ws, tmp_path, returns):
    write_msg(ws.inbox / "agency.msg", Mail(parts=[Part(f"return-{i}.docx", data) for i, data in enumerate(returns)]))
    script, marker = tmp_path / "killed_run.py", tmp_path / "reading-second"
    script.write_text(KILLED_RUN)
    proc = subprocess.Popen([sys.executable, str(script), str(ws.root), str(marker)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the run never reached the second attachment"
            time.sleep(0.2)
        assert marker.read_text() == "agency.msg#2/return-1.docx"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    assert [e.file for e in read_ledger(ws)] == ["agency.msg#1/return-0.docx"]  # only the first was done
    summary = run_inbox(ws, Settings())
    assert (summary.processed, summary.emails, summary.quarantined) == (3, 1, 0)
    entries = read_ledger(ws)
    assert sorted(e.file for e in entries) == ["agency.msg", *(f"agency.msg#{i + 1}/return-{i}.docx" for i in range(3))]
    assert sorted(r.header.agency for r in current_records(ws)) == [
        "Health Visiting", "Kingsmere Academy", "West Midlands Police"]
    assert len(list(ws.records.glob("*.json"))) == 3
    assert run_inbox(ws, Settings()).line() == "0 processed, 0 quarantined, 1 already seen"


def test_logs_never_name_the_sender(ws, returns, caplog):
    caplog.set_level(logging.DEBUG)
    write_eml(ws.inbox / "hv.eml", Mail(sender="Gwen Fictional <gwen.fictional@agency.example>",
                                        parts=[Part("hv.docx", returns[0])]))
    write_eml(ws.inbox / "empty.eml", Mail(sender="Gwen Fictional <gwen.fictional@agency.example>"))
    run_inbox(ws, Settings())
    assert "Gwen" not in caplog.text and "gwen.fictional" not in caplog.text


def test_the_pseudonymised_workbook_does_not_name_the_sender(ws, returns):
    write_eml(ws.inbox / "hv.eml", Mail(parts=[Part("hv.docx", returns[0])]))
    run_inbox(ws, Settings(pseudonymise=True))
    [row] = _rows(ws.output / "audit-workbook.xlsx", "Returns")
    assert row["Emailed by"] == "" or row["Emailed by"] is None
    assert row["Email sent"] == "20/11/2026 09:30"


def test_status_shows_the_email_and_each_of_its_returns(ws, returns):
    from click.testing import CliRunner

    from pipeline.cli.main import main

    write_eml(ws.inbox / "hv.eml", Mail(parts=[Part("hv.docx", returns[0])]))
    run_inbox(ws, Settings())
    out = CliRunner().invoke(main, ["status", str(ws.root)]).output
    assert "processed    hv.eml#1/hv.docx" in out
    assert "opened       hv.eml  (Email from Ann Example <ann.example@agency.example>, sent 20/11/2026 09:30" in out


def test_msg_bytes_in_memory_open_the_same_as_a_file(tmp_path, returns):
    data = msg_bytes(Mail(parts=[Part("a.pdf", b"%PDF-1.4 x"), Part("scan", b"%PDF-1.4 y", mime="application/pdf")]))
    (tmp_path / "m.msg").write_bytes(data)
    opened = open_message(tmp_path / "m.msg")
    assert [a.name for a in opened.returns] == ["a.pdf", "scan.pdf"]  # a return without a suffix, by its type


def test_an_email_saved_under_the_other_suffix_is_opened_by_what_it_is(ws, returns):
    (ws.inbox / "really-mime.msg").write_bytes(eml_bytes(Mail(parts=[Part("hv.docx", returns[0])])))
    (ws.inbox / "really-outlook.eml").write_bytes(msg_bytes(Mail(parts=[Part("police.docx", returns[1])])))
    summary = run_inbox(ws, Settings())
    assert (summary.processed, summary.quarantined, summary.emails) == (2, 0, 2)


def test_a_fault_opening_an_email_quarantines_it_and_the_run_carries_on(ws, returns, monkeypatch, caplog):
    import pipeline.intake.email_intake as email_intake

    def broken(path):
        raise ValueError("Gwen Fictional wrote something maap trips on")

    monkeypatch.setattr(email_intake, "open_message", broken)
    write_eml(ws.inbox / "odd.eml", Mail(parts=[Part("hv.docx", returns[0])]))
    (ws.inbox / "police.docx").write_bytes(returns[1])
    summary = run_inbox(ws, Settings())
    assert (summary.processed, summary.quarantined) == (1, 1)
    reason = json.loads((ws.quarantine / "odd.eml.reason.json").read_text())
    assert reason["code"] == "internal_error" and "ValueError" in reason["message"]
    assert "Gwen" not in caplog.text


def test_an_email_far_larger_than_returns_need_is_quarantined_unopened(ws, returns):
    from models.settings import Limits

    write_eml(ws.inbox / "huge.eml", Mail(parts=[Part("hv.docx", returns[0])]))
    summary = run_inbox(ws, Settings(limits=Limits(max_file_mb=0.001)))
    assert summary.quarantined == 1
    reason = json.loads((ws.quarantine / "huge.eml.reason.json").read_text())
    assert reason["code"] == "limit_exceeded" and "save its attachments into the inbox" in reason["message"]


@pytest.mark.slow
def test_an_email_through_the_prefect_flow_counts_each_attachment(ws, returns):
    from click.testing import CliRunner

    from pipeline.cli.main import main

    write_msg(ws.inbox / "two.msg", Mail(parts=[Part("hv.docx", returns[0]), Part("police.docx", returns[1]),
                                                Part("sig.png", b"\x89PNG", inline=True, content_id="s")]))
    (ws.inbox / "school.docx").write_bytes(returns[2])
    result = CliRunner().invoke(main, ["run", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "3 processed, 0 quarantined, 0 already seen, 1 email opened" in result.output
    assert sorted(e.file for e in read_ledger(ws)) == ["school.docx", "two.msg", "two.msg#1/hv.docx",
                                                       "two.msg#2/police.docx"]


def test_an_email_saved_under_a_document_name_is_opened_as_an_email(ws, returns):
    # Outlook's "Save As" with the wrong type, or a message renamed by hand: its returns must still be read.
    write_msg(ws.inbox / "police return.docx", Mail(parts=[Part("Police case 1.docx", returns[1], mime=DOCX)]))
    write_eml(ws.inbox / "hv return.pdf", Mail(parts=[Part("HV case 1.docx", returns[0], mime=DOCX)]))
    summary = run_inbox(ws, Settings())
    assert (summary.processed, summary.quarantined, summary.emails) == (2, 0, 2)
    origins = sorted((r.source.email.file, r.header.agency) for r in current_records(ws))
    assert origins == [("hv return.pdf", "Health Visiting"), ("police return.docx", "West Midlands Police")]
    status = _status(ws)
    assert status["police return.docx"]["outcome"] == status["hv return.pdf"]["outcome"] == "opened"
