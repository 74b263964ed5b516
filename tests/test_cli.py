"""The `maap` command line, called as a user calls it."""

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.cli.main import main
from tests.formbuild import sample_return

ROOT = Path(__file__).resolve().parent.parent


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


def test_every_command_has_help_with_an_example():
    missing = []
    for path, cmd in _commands(main):
        text = cmd.help or ""
        if isinstance(cmd, click.Group):
            ok = bool(text.strip())
        else:
            ok = bool(text.strip()) and "example" in text.lower()
        if not ok:
            missing.append(" ".join(path))
    assert missing == []
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and "run" in result.output and "extract" in result.output


def test_extract_prints_the_record_contract(tmp_path):
    path = sample_return(tmp_path / "hv.docx")
    result = CliRunner().invoke(main, ["extract", str(path), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["schema_version"] == 4
    assert list(record)[:10] == ["schema_version", "source", "template", "header", "answers", "grade", "themes",
                                 "negated_themes", "doubted_themes", "flags"]
    assert record["template"]["id"] == "west-midlands-maat"
    assert record["header"]["date_of_audit"] == "2024-05-14"
    assert [a["id"] for a in record["answers"]][:3] == ["c1", "c2", "q1"]
    assert record["grade"] == {"value": "good", "problem": None}
    q4 = next(a for a in record["answers"] if a["id"] == "q4")
    assert (q4["status"], q4["answer"]) == ("not_applicable", "N/A")


def test_extract_of_an_unreadable_file_is_one_line_and_non_zero(tmp_path):
    bad = tmp_path / "return.docx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)  # an OLE (encrypted) package
    result = CliRunner().invoke(main, ["extract", str(bad), "--json"])
    assert result.exit_code == 1
    lines = [line for line in result.output.strip().splitlines() if line]
    assert len(lines) == 1 and "password" in lines[0].lower() and "Traceback" not in result.output


def test_unknown_template_is_a_one_line_error(tmp_path):
    path = sample_return(tmp_path / "hv.docx")
    result = CliRunner().invoke(main, ["extract", str(path), "--template", "nope"])
    assert result.exit_code == 1 and "known templates" in result.output and "Traceback" not in result.output


def test_run_then_status_json_local_engine(tmp_path):
    ws = tmp_path / "ws"
    (ws / "inbox").mkdir(parents=True)
    sample_return(ws / "inbox" / "hv.docx")
    (ws / "inbox" / "minutes.txt").write_text("not a return")
    result = CliRunner().invoke(main, ["run", str(ws), "--engine", "local"])
    assert result.exit_code == 0, result.output
    assert "1 processed, 1 quarantined, 0 already seen" in result.output
    assert "audit-workbook.xlsx" in result.output and "summary-report.html" in result.output
    result = CliRunner().invoke(main, ["status", str(ws), "--json"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert {r["file"]: r["outcome"] for r in rows} == {"hv.docx": "processed", "minutes.txt": "quarantined"}
    assert all(set(r) == {"file", "sha256", "outcome", "reason", "record"} for r in rows)
    again = CliRunner().invoke(main, ["run", str(ws), "--engine", "local"])
    assert "0 processed, 0 quarantined, 2 already seen" in again.output


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^(bash \.ci/setup && [^#\n]+?)\s*(?:#.*)?$", readme, re.M)
    assert len(commands) >= 2 and "maap demo" in commands[0] and "pytest" in commands[1]
    assert commands[1].strip() in (ROOT / ".ci" / "run").read_text()


@pytest.mark.slow
def test_run_through_prefect_flow(tmp_path):
    ws = tmp_path / "ws"
    (ws / "inbox").mkdir(parents=True)
    sample_return(ws / "inbox" / "hv.docx")
    sample_return(ws / "inbox" / "police.docx", agency="Police")
    result = CliRunner().invoke(main, ["run", str(ws)])
    assert result.exit_code == 0, result.output
    assert "2 processed, 0 quarantined, 0 already seen" in result.output
    assert len(list((ws / "records").glob("*.json"))) == 2


def test_every_quarantine_code_in_the_code_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    sources = [*(ROOT / "extractors").glob("*.py"), *(ROOT / "pipeline").glob("*.py"), ROOT / "models" / "errors.py"]
    codes = set()
    for path in sources:
        text = path.read_text()
        codes |= set(re.findall(r'code\s*=\s*"([a-z_]+)"', text))
        codes |= set(re.findall(r'_quarantine\([^)]*?"([a-z_]+)"', text))
    codes -= {"duplicate", "superseded"}  # outcomes, not quarantine reasons
    assert codes and {c for c in codes if f"`{c}`" not in readme} == set()


def test_extract_uses_a_workspace_template_when_asked(tmp_path):
    import yaml

    from pipeline.templates.registry import load_templates

    path = sample_return(tmp_path / "hv.docx")
    ours = load_templates()["west-midlands-maat"].model_dump(mode="json", exclude_defaults=True)
    ours.update(id="our-maat", name="Our partnership's audit tool", version="2025")
    (tmp_path / "ws" / "templates").mkdir(parents=True)
    (tmp_path / "ws" / "templates" / "ours.yaml").write_text(yaml.safe_dump(ours))
    result = CliRunner().invoke(main, ["extract", str(path), "--json", "--template", "our-maat",
                                       "--workspace", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["template"] == {"id": "our-maat", "version": "2025", "confidence": 1.0}
    without = CliRunner().invoke(main, ["extract", str(path), "--template", "our-maat"])
    assert without.exit_code == 1 and "our-maat" in without.output
