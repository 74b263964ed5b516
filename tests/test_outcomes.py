"""Files that are not returns: covering letters set aside as not_an_audit_tool, lock and temporary files ignored."""

import random
import time

import docx
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import bench.blank_variants as tools
from extractors.registry import extract
from models.settings import Settings
from pipeline.cli import main
from pipeline.run import run_inbox
from pipeline.store.status import current_records, file_statuses
from pipeline.store.workspace import Workspace, read_ledger
from pipeline.templates.learn import learn, template_yaml
from tests.formbuild import sample_return

TEMPORARY = ["~$hv-case1.docx", ".~lock.hv-case1.docx#", "police.docx.crdownload", "upload.part", "~WRL0001.tmp",
             ".DS_Store", "Thumbs.db", ".hidden/inside.docx"]


def _letter(path):
    d = docx.Document()
    for text in ["Dear Ms Example,", "Re: Multi-agency safeguarding audit, case 1",
                 "Please find attached our completed audit tool for the child named in the audit.",
                 "Yours sincerely,", "A. Fictional, Safeguarding Lead"]:
        d.add_paragraph(text)
    d.save(path)
    return path


def _chronology(path):
    d = docx.Document()
    d.add_heading("Chronology of significant events", 1)
    table = d.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Date", "Event", "Agency"]):
        cell.text = text
    for n in range(8):
        for cell, text in zip(table.add_row().cells, [f"0{n + 1}/03/2025", "Home visit by health visitor", "Health"]):
            cell.text = text
    d.save(path)
    return path


@pytest.fixture
def ws(tmp_path):
    ws = Workspace(tmp_path / "ws").ensure()
    sample_return(ws.inbox / "hv-case1.docx")
    _letter(ws.inbox / "covering-letter.docx")
    _chronology(ws.inbox / "chronology.docx")
    return ws


def test_a_covering_letter_is_not_a_return_and_never_reaches_the_workbook_or_report(ws):
    summary = run_inbox(ws, Settings(isolate=False))
    assert (summary.processed, summary.quarantined, summary.not_audit_tools) == (1, 0, 2)
    assert "2 not an audit tool" in summary.line()
    statuses = {s["file"]: s for s in file_statuses(ws)}
    for name in ("covering-letter.docx", "chronology.docx"):
        assert statuses[name]["outcome"] == "not_an_audit_tool" and statuses[name]["record"] is None
        message = statuses[name]["reason"]["message"]
        assert "closest:" in message and "0%" in message and "maap templates learn" in message
        assert any(p.name.endswith(name) for p in ws.archive.iterdir())  # the original is kept
        assert not (ws.quarantine / name).exists()
    assert [r.source.file for r in current_records(ws)] == ["hv-case1.docx"]
    book = load_workbook(ws.output / "audit-workbook.xlsx")
    rows = list(book["Returns"].iter_rows(values_only=True))
    file_col = rows[0].index("File")
    assert [row[file_col] for row in rows[1:]] == ["hv-case1.docx"]
    quarantine = [row for row in book["Quarantine"].iter_rows(min_row=2, values_only=True) if any(row)]
    assert not any("letter" in str(cell) or "chronology" in str(cell) for row in quarantine for cell in row)
    summary_sheet = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary_sheet["Returns read"] == 1
    report = (ws.output / "summary-report.html").read_text(encoding="utf-8")
    assert "covering-letter" not in report and "chronology.docx" not in report

    shown = CliRunner().invoke(main, ["status", str(ws.root)])
    assert shown.exit_code == 0
    lines = [line for line in shown.output.splitlines() if "covering-letter.docx" in line]
    assert len(lines) == 1 and lines[0].startswith("not_an_audit_tool") and "maap templates learn" in lines[0]


def test_a_forced_template_reads_every_file_as_that_template(ws):
    summary = run_inbox(ws, Settings(isolate=False, template_id="west-midlands-maat"))
    assert summary.not_audit_tools == 0 and summary.processed == 3  # told what the files are: no floor
    hv = next(r for r in current_records(ws) if r.source.file == "hv-case1.docx")
    assert hv.header.agency == "Health Visiting" and hv.template.id == "west-midlands-maat"


def test_the_floor_is_a_setting(ws):
    (ws.root / "maap.yaml").write_text("not_a_return_below: 0\n")
    from pipeline.config import load_settings

    summary = run_inbox(ws, load_settings(ws.root).model_copy(update={"isolate": False}))
    assert summary.not_audit_tools == 0 and summary.processed == 3


def test_every_sample_and_generated_return_of_a_known_or_learned_template_is_above_the_floor(tmp_path):
    from pipeline.templates.registry import detect_template, load_templates
    from tests.formbuild import write_wm_form

    floor = Settings().not_a_return_below
    builtin = load_templates([])
    samples = [p for p in (tools.ROOT / "samples" / "returns").iterdir() if p.suffix in (".docx", ".pdf")
               and p.name != "not-an-audit.docx"]
    assert len(samples) >= 15
    for path in samples:
        assert detect_template(extract(path), builtin)[1] >= floor, path.name
    import bench.variants as variants

    for v in variants.make_variants(tmp_path / "variants", per_template=3):  # every layout the bench generates
        assert detect_template(extract(v.path), builtin)[1] >= floor, v.path.name
    sparse = write_wm_form(tmp_path / "sparse.docx", {"agency": "Housing"}, {}, grade=None)  # a return left blank
    assert detect_template(extract(sparse), builtin)[1] >= floor
    rng = random.Random(5)
    for tool in tools.TOOLS[:3]:
        blank = tools.write_form(tool, tmp_path / f"blank-{tool.id}.docx").path
        folder = tmp_path / tool.id
        folder.mkdir()
        (folder / f"{tool.id}.yaml").write_text(template_yaml(learn(extract(blank), tool.id)), encoding="utf-8")
        filled = tools.write_form(tool, tmp_path / f"{tool.id}-filled.docx", rng).path
        template, score = detect_template(extract(filled), load_templates([folder]))
        assert template.id == tool.id and score >= floor


def test_a_return_of_an_unknown_tool_is_read_once_its_template_is_learned(tmp_path):
    ws = Workspace(tmp_path / "ws").ensure()
    tool = next(t for t in tools.TOOLS if t.id == "coastal-learning-review")  # a tool maap has no template for
    tools.write_form(tool, ws.inbox / "coastal-return.docx", random.Random(0))
    first = run_inbox(ws, Settings(isolate=False))
    assert first.not_audit_tools == 1
    assert run_inbox(ws, Settings(isolate=False)).not_audit_tools == 0  # nothing changed: not read again

    blank = tools.write_form(tool, tmp_path / "blank.docx").path
    time.sleep(1.1)  # the template file is newer than the ledger line, to the second
    ws.templates.mkdir(exist_ok=True)
    (ws.templates / f"{tool.id}.yaml").write_text(template_yaml(learn(extract(blank), tool.id)), encoding="utf-8")
    again = run_inbox(ws, Settings(isolate=False))
    assert again.processed == 1
    assert [r.template.id for r in current_records(ws)] == [tool.id]
    assert [s["outcome"] for s in file_statuses(ws)] == ["superseded", "processed"]  # the set-aside line is history


def test_lock_and_temporary_files_are_ignored_counted_and_never_archived(tmp_path):
    ws = Workspace(tmp_path / "ws").ensure()
    sample_return(ws.inbox / "hv-case1.docx")
    for name in TEMPORARY:
        (ws.inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (ws.inbox / name).write_bytes(b"\x00partial " + name.encode())
    summary = run_inbox(ws, Settings(isolate=False))
    assert (summary.processed, summary.quarantined, summary.ignored) == (1, 0, len(TEMPORARY))
    outcomes = {s["file"]: (s["outcome"], s["reason"]["code"] if s["reason"] else None) for s in file_statuses(ws)}
    assert outcomes["~$hv-case1.docx"] == ("ignored", "lock_file")
    assert outcomes[".~lock.hv-case1.docx#"] == ("ignored", "lock_file")
    assert outcomes["police.docx.crdownload"] == ("ignored", "temporary_file")
    assert outcomes[".hidden/inside.docx"] == ("ignored", "hidden_file")
    assert sorted(p.name for p in ws.archive.iterdir()) == [p.name for p in ws.archive.iterdir()
                                                           if p.name.endswith("-hv-case1.docx")]
    assert [p for p in ws.quarantine.iterdir()] == []
    book = load_workbook(ws.output / "audit-workbook.xlsx")
    assert not [row for row in book["Quarantine"].iter_rows(min_row=2, values_only=True) if any(row)
                and "(no files" not in str(row[0])]

    lines = len(read_ledger(ws))
    (ws.inbox / "~$hv-case1.docx").write_bytes(b"\x00lock changed")  # Word rewrites its lock: not news
    again = run_inbox(ws, Settings(isolate=False))
    assert (again.processed, again.ignored, len(read_ledger(ws))) == (0, 0, lines)

    shown = CliRunner().invoke(main, ["status", str(ws.root)])
    assert f"ignored      {len(TEMPORARY)} lock or temporary files" in shown.output
    assert "~$hv-case1.docx" not in shown.output  # counted, not listed as something to act on

    # The download finishes and the real file appears: it is read like any other.
    (ws.inbox / "police.docx.crdownload").unlink()
    sample_return(ws.inbox / "police.docx", agency="West Midlands Police")
    done = run_inbox(ws, Settings(isolate=False))
    assert done.processed == 1
    assert {r.source.file for r in current_records(ws)} == {"hv-case1.docx", "police.docx"}
