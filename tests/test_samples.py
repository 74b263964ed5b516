"""The bundled sample returns: deterministic, current, fully described by samples/expected.yaml."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from samples import make_samples
from pipeline.templates.registry import load_templates

SAMPLES = Path(make_samples.__file__).parent
RETURNS = SAMPLES / "returns"
EXPECTED = SAMPLES / "expected.yaml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _document_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


def _paragraph_texts(path: Path) -> set[str]:
    root = ElementTree.fromstring(_document_xml(path))
    return {"".join(t.text or "" for t in p.iter(f"{W}t")).strip() for p in root.iter(f"{W}p")}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("samples")
    truth = make_samples.build(out / "returns", out / "expected.yaml", pdf=False)
    return out, truth


@pytest.fixture(scope="module")
def truth() -> dict:
    return yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))["samples"]


def test_generator_is_deterministic(built, tmp_path):
    first, _ = built
    make_samples.build(tmp_path / "returns", tmp_path / "expected.yaml", pdf=False)
    docx = sorted((first / "returns").glob("*.docx"))
    assert len(docx) >= 16
    for path in docx:
        again = tmp_path / "returns" / path.name
        if path.name == "not-an-audit.docx":
            assert again.read_bytes() == path.read_bytes()
            continue
        assert _document_xml(again) == _document_xml(path), path.name
        assert again.read_bytes() == path.read_bytes(), f"{path.name}: same content, different bytes"
    assert (tmp_path / "expected.yaml").read_text() == (first / "expected.yaml").read_text()


def test_committed_samples_match_the_generator(built):
    """Editing sample_content.yaml or the script without regenerating would leave stale files and ground truth."""
    first, _ = built
    assert (first / "expected.yaml").read_text() == EXPECTED.read_text(), "run samples/make_samples.py"
    for path in sorted((first / "returns").glob("*.docx")):
        assert (RETURNS / path.name).read_bytes() == path.read_bytes(), f"{path.name} is stale: run make_samples.py"


def test_every_sample_file_is_in_expected_and_back(truth):
    on_disk = {p.name for p in RETURNS.iterdir() if p.is_file()}
    assert on_disk == set(truth), f"not described: {on_disk - set(truth)}; missing: {set(truth) - on_disk}"


def test_ground_truth_covers_every_template_question(truth):
    templates = load_templates()
    for name, entry in truth.items():
        if entry["outcome"] != "processed":
            continue
        template = templates[entry["template"]]
        assert list(entry["answers"]) == [q.id for q in template.questions()], name
        for qid, answer in entry["answers"].items():
            assert answer["status"] in ("answered", "not_applicable", "unanswered"), (name, qid)
            assert (answer["status"] == "unanswered") == (answer["answer"] == ""), (name, qid)
            assert not re.search(r"^[•·]", answer["answer"], re.M), f"{name} {qid}: bullet glyph kept"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["header"]["date_of_audit"]), name


def test_expected_answers_are_what_the_documents_say(truth):
    """Each expected line is a paragraph of the Word file (typed bullet glyphs aside): truth and file agree."""
    for name, entry in truth.items():
        if entry["outcome"] != "processed" or not name.endswith(".docx"):
            continue
        paragraphs = {re.sub(r"^[•·\-–]\s+", "", p) for p in _paragraph_texts(RETURNS / name)}
        for qid, answer in entry["answers"].items():
            for line in filter(None, answer["answer"].split("\n")):
                assert line in paragraphs, f"{name} {qid}: {line[:40]!r} not in the document"
        for key in ("child", "agency", "auditor"):
            if entry["header"][key]:
                assert entry["header"][key] in paragraphs, (name, key)


def test_samples_exercise_what_their_names_promise(truth):
    processed = {n: e for n, e in truth.items() if e["outcome"] == "processed"}
    flags = {(n, f["code"]) for n, e in processed.items() for f in e["must_flag"]}
    statuses = {a["status"] for e in processed.values() for a in e["answers"].values()}
    assert statuses == {"answered", "not_applicable", "unanswered"}
    assert truth["wm-case2-police-no-grade.docx"]["grade"] == {"value": None, "problem": "none_marked"}
    assert truth["wm-case2-social-care-two-grades.docx"]["grade"] == {"value": None, "problem": "multiple_marked"}
    assert ("wm-case1-gp-missing-practitioner.docx", "missing_header") in flags
    assert any(code == "undated_answer" for _, code in flags)
    assert {code for _, code in flags} >= {"action_without_owner", "action_without_timescale"}
    assert truth["wm-case2-housing-row-deleted.docx"]["answers"]["q5"]["status"] == "unanswered"
    grades = {e["grade"]["value"] for e in processed.values()}
    assert grades >= {"outstanding", "good", "requires_improvement", "inadequate"}
    assert {e["template"] for e in processed.values()} == {
        "west-midlands-maat", "warrington-key-questions", "enfield-escp"}
    assert truth["not-an-audit.docx"]["outcome"] == "quarantined"
    assert not zipfile.is_zipfile(RETURNS / "not-an-audit.docx")
    printed = [e for e in truth.values() if e.get("printed_from")]
    assert {e["template"] for e in printed} == {"west-midlands-maat", "warrington-key-questions", "enfield-escp"}


def test_answers_typed_in_the_question_cell_leave_the_answer_cell_empty():
    root = ElementTree.fromstring(_document_xml(RETURNS / "wm-case3-camhs-some-answers-in-question-cell.docx"))
    for row in root.iter(f"{W}tr"):
        cells = ["\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in tc.iter(f"{W}p"))
                 for tc in row.findall(f"{W}tc")]
        if len(cells) == 3 and cells[1].startswith("20. "):
            assert "safety plan" in cells[1] and cells[2].strip() == ""
            break
    else:
        pytest.fail("question 20 row not found")


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_printed_pdf_is_deterministic_and_readable(tmp_path):
    source = RETURNS / "wm-case2-police-no-grade.docx"
    make_samples.print_to_pdf(source, tmp_path / "a.pdf")
    make_samples.print_to_pdf(source, tmp_path / "b.pdf")
    # bytes match run to run on one machine; another LibreOffice version may lay the page out differently
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "a.pdf"), "-"], capture_output=True, text=True).stdout
        assert "Kieran Mulholland" in text and "Grade (X)" in text
