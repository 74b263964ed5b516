"""REFI-QDA export: files an analyst opens in NVivo / ATLAS.ti / QualCoder parse and point at the right text."""

from __future__ import annotations

import zipfile
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from models.record import Answer, AuditReturn, Header, Source, Status, TemplateMatch
from pipeline.cli.codebook import codebook_group
from pipeline.themes.codebook import load_codebook
from pipeline.themes.qda import CODEBOOK_NS, PROJECT_NS, codebook_xml, guid, write_project
from pipeline.themes.tag import tag_returns

CB = f"{{{CODEBOOK_NS}}}"
PR = f"{{{PROJECT_NS}}}"


def record(sha: str = "a" * 64) -> AuditReturn:
    return AuditReturn(
        source=Source(file="health-return.docx", sha256=sha, format="docx"),
        template=TemplateMatch(id="west-midlands-maat", version="1", confidence=0.9),
        header=Header(agency="Health", child="Fictional Child", practitioner="Fictional Nurse"),
        answers=[
            Answer(id="q1", section="s", question="How were opportunities for early help considered?",
                   answer="The family were offered early help.\r\nThere was no evidence of domestic abuse.",
                   status=Status.answered),
            Answer(id="q2", section="s", question="Anything else?", answer="", status=Status.unanswered),
            Answer(id="q21", section="s", question="How is the voice of the child heard?",
                   answer="Café visits were used. She told her teacher about CSE concerns.", status=Status.answered),
        ],
    )


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


def test_qdc_codebook_nests_children_with_definitions(cb):
    root = ET.fromstring(codebook_xml(cb))
    assert root.tag == f"{CB}CodeBook"
    top = root.find(f"{CB}Codes")
    exploitation = next(c for c in top.findall(f"{CB}Code") if c.get("name") == "Exploitation")
    assert {c.get("name") for c in exploitation.findall(f"{CB}Code")} == {
        "Child sexual exploitation", "Child criminal exploitation", "County lines"}
    assert exploitation.find(f"{CB}Description").text.startswith("Children coerced")
    all_codes = list(root.iter(f"{CB}Code"))
    assert len(all_codes) == len(cb.themes)
    assert all(c.get("isCodable") == "true" and len(c.get("guid")) == 36 for c in all_codes)
    assert exploitation.get("guid") == guid("code", "exploitation")


def test_qdpx_project_codes_sentences_at_the_right_offsets(tmp_path, cb):
    [tagged] = tag_returns([record()], cb)
    path = tmp_path / "themes.qdpx"
    summary = write_project([tagged], cb, path)
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("project.qde"))
        [source] = root.iter(f"{PR}TextSource")
        member = "Sources/" + source.get("plainTextPath").removeprefix("internal://")
        text = z.read(member).decode("utf-8")
    assert root.tag == f"{PR}Project"
    assert [u.get("name") for u in root.iter(f"{PR}User")] == ["maap"]
    code_names = {c.get("guid"): c.get("name") for c in root.find(f"{PR}CodeBook").iter(f"{PR}Code")}
    coded = {}
    for sel in source.findall(f"{PR}PlainTextSelection"):
        span = text[int(sel.get("startPosition")):int(sel.get("endPosition"))]
        coded[span] = {code_names[ref.get("targetGUID")] for ref in sel.iter(f"{PR}CodeRef")}
    assert coded["The family were offered early help."] == {"Early help and prevention"}
    # Most specific code only: the QDA tool rolls CSE up to Exploitation itself.
    assert coded["She told her teacher about CSE concerns."] == {"Child sexual exploitation", "Voice of the child"}
    assert not any("domestic abuse" in s for s in coded)  # negated mentions are not coded
    assert summary.sources == 1 and summary.selections == len(coded) and summary.not_found == 0
    assert "\r" not in text and "Fictional" not in text  # no header names in what analysts code
    assert "Café" in text  # offsets count characters, not bytes: the selection after it still lines up


def test_export_is_stable_across_runs(tmp_path, cb):
    tagged = tag_returns([record()], cb)
    a, b = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    write_project(tagged, cb, a)
    write_project(tagged, cb, b)
    guids = []
    for p in (a, b):
        with zipfile.ZipFile(p) as z:
            guids.append([e.get("guid") for e in ET.fromstring(z.read("project.qde")).iter() if e.get("guid")])
    assert guids[0] == guids[1]


def test_cli_export_project_and_codebook(tmp_path, cb):
    records = tmp_path / "records"
    records.mkdir()
    [tagged] = tag_returns([record()], cb)
    (records / "a.json").write_text(tagged.model_dump_json(), encoding="utf-8")
    (records / "ledger-summary.json").write_text('{"files": 1}', encoding="utf-8")  # not a record: skipped
    out, qdc = tmp_path / "out.qdpx", tmp_path / "cb.qdc"
    result = CliRunner().invoke(codebook_group, ["export-qda", str(records), "--out", str(out),
                                                 "--codebook-only", str(qdc)])
    assert result.exit_code == 0, result.output
    assert "1 returns" in result.output
    assert ET.parse(qdc).getroot().tag == f"{CB}CodeBook"
    with zipfile.ZipFile(out) as z:
        assert "project.qde" in z.namelist()


def test_cli_export_retag_codes_untagged_records(tmp_path):
    records = tmp_path / "records"
    records.mkdir()
    (records / "a.json").write_text(record().model_dump_json(), encoding="utf-8")
    out = tmp_path / "out.qdpx"
    result = CliRunner().invoke(codebook_group, ["export-qda", str(records), "--out", str(out), "--retag"])
    assert result.exit_code == 0, result.output
    assert "0 coded" not in result.output


@pytest.mark.parametrize("args, message", [
    (["export-qda"], "nothing to write"),
    (["export-qda", "--out", "x.qdpx"], "needs RECORDS_DIR"),
    (["export-qda", "missing-dir", "--out", "x.qdpx"], "not a folder of records"),
])
def test_cli_export_errors_are_one_line(tmp_path, args, message):
    result = CliRunner().invoke(codebook_group, args)
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_invalid_record_names_the_file(tmp_path):
    records = tmp_path / "records"
    records.mkdir()
    (records / "bad.json").write_text('{"schema_version": 1, "source": {}}', encoding="utf-8")
    result = CliRunner().invoke(codebook_group, ["export-qda", str(records), "--out", str(tmp_path / "o.qdpx")])
    assert result.exit_code != 0 and "bad.json" in result.output and "Traceback" not in result.output


def test_cli_export_names_no_one_unless_asked(tmp_path):
    records = tmp_path / "records"
    records.mkdir()
    named = record().model_copy(update={"header": Header(agency="Police", child="Skye Marlowe")})
    named.answers[0] = named.answers[0].model_copy(update={"answer": "Skye told the officer that home was cold."})
    [tagged] = tag_returns([named], load_codebook())
    (records / "a.json").write_text(tagged.model_dump_json(), encoding="utf-8")

    def exported(*extra) -> str:
        out = tmp_path / f"out{len(extra)}.qdpx"
        result = CliRunner().invoke(codebook_group, ["export-qda", str(records), "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        with zipfile.ZipFile(out) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())

    assert "Skye" not in exported() and "Child A" in exported()
    assert "Skye" in exported("--names")
