"""The report built from the bundled fictional samples, as a reader gets it: no one named, the page and its PDF
self-contained and readable, its structure pinned by a golden outline.

Regenerate the outline with MAAP_REGENERATE_GOLDEN=1 (then review the diff), like tests/test_golden.py."""

import json
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from models.settings import Settings
from pipeline.run import REPORT_NAME, REPORT_PDF_NAME, build_outputs, run_inbox
from pipeline.store.workspace import Workspace
from tests.browser import not_blank, render
from tests.test_golden import REGENERATE

ROOT = Path(__file__).resolve().parent.parent
# In its own folder: samples/golden/*.json are records, and tests/test_golden.py validates each one as a record.
GOLDEN = ROOT / "samples" / "golden" / "report" / "samples-outline.json"
TITLES = {"Mr", "Mrs", "Ms", "Miss", "Dr", "DS", "DC", "DI", "PC"}
# People the sample answers name besides the header's people (read from samples/sample_content.yaml): family
# members introduced by a relation and named again alone ("Mason's previous CIN plan").
FAMILY = {"Mason", "Dean", "Ryan", "Finn", "Ellie"}


def sample_names() -> set[str]:
    """Every name part of every person in the samples: children, auditors, practitioners and family members."""
    content = yaml.safe_load((ROOT / "samples" / "sample_content.yaml").read_text(encoding="utf-8"))
    people = [case["child"] for case in content["cases"].values()]
    for r in content["returns"]:
        for key in ("auditor", "practitioner"):
            people.append(re.split(r"[,(]", r["header"].get(key) or "")[0])
    parts = set(FAMILY)
    for person in people:
        for token in person.split():
            if token not in TITLES:
                parts |= {token, *token.split("-")}
    return parts


def leaked(text: str, names: set[str]) -> list[str]:
    """Names found in ``text`` as words: capitalised as written, or in capitals."""
    return sorted(n for n in names if re.search(rf"(?<![\w-])(?:{n}|{n.upper()})(?![a-z])", text))


@pytest.fixture(scope="module")
def sample_ws(tmp_path_factory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("report-samples")).ensure()
    (ws.root / ".pseudonym-salt").write_text("00" * 16 + "\n")  # fixed, so the codes are the same every run
    for src in sorted((ROOT / "samples" / "returns").iterdir()):
        shutil.copy2(src, ws.inbox / src.name)
    run_inbox(ws, Settings(), today=date(2026, 11, 1))
    return ws


def test_no_sample_persons_name_survives_in_the_report_or_its_pdf(sample_ws):
    names = sample_names()
    assert len(names) >= 80 and {"Amelia", "Thornbury", "Brennan", "Shaw", "Mason", "Whitfield"} <= names
    html = (sample_ws.output / REPORT_NAME).read_text(encoding="utf-8")
    pdf_text = subprocess.run(["pdftotext", str(sample_ws.output / REPORT_PDF_NAME), "-"], capture_output=True,
                              text=True, check=True).stdout
    assert leaked(html, names) == []
    assert leaked(pdf_text, names) == []
    assert "Child A" in html and "Person " in html and "of Child " in html


def test_with_names_the_same_check_finds_them(sample_ws, tmp_path):
    from click.testing import CliRunner

    from pipeline.cli.main import main

    shown = Workspace(tmp_path / "ws")
    shutil.copytree(sample_ws.root, shown.root)
    result = CliRunner().invoke(main, ["outputs", str(shown.root), "--names"])
    assert result.exit_code == 0 and "summary-report.pdf" in result.output, result.output
    html = (shown.output / REPORT_NAME).read_text(encoding="utf-8")
    found = set(leaked(html, sample_names()))
    assert {"Amelia", "Kieran", "Isla", "Noah", "Tyrese"} <= found and len(found) >= 10


def test_page_renders_in_chromium_loading_nothing_external(sample_ws, tmp_path):
    png = tmp_path / "report.png"
    assert render(sample_ws.output / REPORT_NAME, png) == []
    assert not_blank(png) > 0.03


def test_pdf_has_pages_and_the_findings_as_text(sample_ws):
    pdf = sample_ws.output / REPORT_PDF_NAME
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for heading in ("The audit", "1. What worked well", "2. What we are worried about",
                    "3. What we would do differently", "4. Impact on the child's lived experience", "Grades",
                    "Draft action plan", "Annex B: data quality"):
        assert heading in text
    assert re.search(r"A strength in \d+ returns, a concern in \d+", text)


class _Outline(HTMLParser):
    """Headings, tallies, quotes, summary points and table rows, in page order."""

    KEEP = {"h1", "h2", "h3", "li", "blockquote", "tr", "dd", "dt"}

    def __init__(self):
        super().__init__()
        self.stack: list[list] = []
        self.items: list[str] = []

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag in self.KEEP or (tag == "p" and "tally" in cls):
            self.stack.append([tag, []])

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1][0] == tag:
            name, parts = self.stack.pop()
            text = " ".join(" ".join(parts).split())
            if self.stack:
                self.stack[-1][1].append(text)
            else:
                self.items.append(f"{name}: {text}")

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][1].append(data)


def outline(html: str) -> list[str]:
    parser = _Outline()
    parser.feed(html[html.index("<body>"):])
    return [re.sub(r"Report built \d{2} \w+ \d{4}", "Report built <date>", item) for item in parser.items]


def test_report_structure_matches_the_golden_outline(sample_ws):
    actual = outline((sample_ws.output / REPORT_NAME).read_text(encoding="utf-8"))
    if REGENERATE:
        GOLDEN.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert GOLDEN.exists(), "no golden outline for the report: run with MAAP_REGENERATE_GOLDEN=1 and review it"
    assert actual == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_a_workspace_template_replaces_the_report_and_the_pdf(sample_ws, tmp_path):
    own = Workspace(tmp_path / "own")
    shutil.copytree(sample_ws.root, own.root)
    (own.root / "report.html.j2").write_text(
        "<html><body><h1>Kingsmere SCP audit</h1><p>{{ audit.returns }} returns; worst: "
        "{{ worried[0].label }}</p></body></html>", encoding="utf-8")
    build_outputs(own, Settings())
    html = (own.output / REPORT_NAME).read_text(encoding="utf-8")
    assert re.fullmatch(r"<html><body><h1>Kingsmere SCP audit</h1><p>\d+ returns; worst: [A-Z][\w -]+</p></body></html>",
                        html)
    text = subprocess.run(["pdftotext", str(own.output / REPORT_PDF_NAME), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Kingsmere SCP audit" in text
