"""Template registry, validation with line numbers, shipped schema, detection, diff and the templates CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from models.errors import TemplateError
from models.raw import Paragraph, RawDocument
from models.settings import Settings
from pipeline.cli.templates import templates as templates_cli
from pipeline.templates.detect import rank_templates
from pipeline.templates.diff import diff_templates
from pipeline.templates.registry import (BUILTIN_DIR, SCHEMA_PATH, check_template_text, detect_template, get_template,
                                load_template_file, load_templates, template_json_schema)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
sys.path.insert(0, str(SAMPLES))
import make_blank_forms as forms  # noqa: E402

TEMPLATES = load_templates()
THRESHOLD = Settings().template_threshold
WM = BUILTIN_DIR / "west-midlands-maat.yaml"


def _returned(template, answers=forms.fill_answers, file="return.docx"):
    return forms.to_raw(forms.layout_for(template), file=file, answers=answers)


# --- registry and validation ---------------------------------------------------------------------------

def test_builtin_templates_are_installed():
    assert {"west-midlands-maat", "warrington-key-questions", "enfield-escp", "school-case-file-audit"} <= set(TEMPLATES)
    assert len(TEMPLATES["warrington-key-questions"].questions()) == 4
    enfield = TEMPLATES["enfield-escp"]
    assert [s.id for s in enfield.sections] == ["recognition", "planning_intervention", "assessment",
                                                "joint_working", "impact", "overall_quality"]
    assert enfield.questions()[0].id == "recognition_good_practice"
    assert "docsbay.net" in TEMPLATES["school-case-file-audit"].description  # its public source


def test_shipped_schema_is_current_and_accepts_every_builtin():
    shipped = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert shipped == template_json_schema(), "run 'maap templates schema --write' and commit the result"
    for path in BUILTIN_DIR.glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), shipped)


def test_workspace_template_with_the_same_id_replaces_the_builtin(tmp_path):
    text = WM.read_text(encoding="utf-8").replace('version: "1"', 'version: "2"')
    (tmp_path / "wm.yaml").write_text(text, encoding="utf-8")
    assert load_templates([tmp_path])["west-midlands-maat"].version == "2"


def test_get_template_names_the_known_ids():
    with pytest.raises(TemplateError, match="known templates: enfield-escp"):
        get_template("nope", TEMPLATES)


GOOD = """id: tiny
name: Tiny
version: "1"
sections:
  - id: main
    title: Main
    questions:
      - id: q1
        wording: What worked well?
"""


def _problems(text):
    template, problems = check_template_text(text, "t.yaml")
    return template, problems


def test_a_valid_template_has_no_problems():
    template, problems = _problems(GOOD)
    assert template is not None and problems == []


@pytest.mark.parametrize("edit, line, field, words", [
    (lambda t: t.replace("wording: What", "wordng: What"), 9, "sections.0.questions.0.wordng", "did you mean 'wording'?"),
    (lambda t: t.replace("      - id: q1\n", "      - id: Q 1\n"), 8, "sections.0.questions.0.id", "lower-case"),
    (lambda t: t.replace("        wording: What worked well?\n", "        number: '1'\n"), 8, "sections.0.questions.0.wording", "is required"),
    (lambda t: t.replace('version: "1"', "version: 1"), 3, "version", "quotes"),
    (lambda t: t + "      - id: q1\n        wording: Again?\n", 10, "sections.0.questions.1.id", "used twice"),
    (lambda t: t.replace("name: Tiny\n", "name: Tiny\nname: Other\n"), 3, "name", "appears twice"),
    (lambda t: t + "        checks: {undated_answr: 'off'}\n", 10, "sections.0.questions.0.checks.undated_answr", "unknown flag code"),
    (lambda t: t + "        checks: {undated_answer: off}\n", 10, "sections.0.questions.0.checks.undated_answer", "bare off"),
    (lambda t: t + "        kind: tick_list\n", 8, "sections.0.questions.0.options", "has no options"),
])
def test_check_names_line_field_and_fix(edit, line, field, words):
    template, problems = _problems(edit(GOOD))
    assert template is None
    p = problems[0]
    assert (p.line, p.field) == (line, field)
    assert words in f"{p.message} ({p.fix})"


def test_yaml_syntax_error_names_its_line_and_says_to_quote():
    template, problems = _problems(GOOD.replace("wording: What worked well?", "aliases: [What worked well?]"))
    assert template is None and problems[0].line == 9 and "quotes" in problems[0].fix


def test_load_template_file_raises_one_line_with_the_line_number(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("wording:", "wordng:"), encoding="utf-8")
    with pytest.raises(TemplateError) as e:
        load_template_file(path)
    assert str(e.value).startswith(f"{path}:9: sections.0.questions.0.wordng: error: unknown field")
    assert "\n" not in str(e.value)


# --- detection -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_a_return_is_detected_as_its_own_template_and_no_other_scores_high(template_id):
    ranked = rank_templates(_returned(TEMPLATES[template_id]), TEMPLATES)
    assert ranked[0].template_id == template_id and ranked[0].confidence >= 0.9
    assert all(s.confidence < 0.3 for s in ranked[1:]), ranked


def test_renumbered_and_edited_questions_still_score_high():
    wm = TEMPLATES["west-midlands-maat"]
    edited = wm.model_copy(deep=True)
    for i, q in enumerate(edited.questions()):
        if q.number:
            q.number = str(int(q.number) + 3)  # the agency inserted three questions of its own
        if i % 4 == 0:
            q.wording = q.wording.replace("?", " for this family?").replace("How ", "In what way ")
    template, confidence = detect_template(_returned(edited), TEMPLATES)
    assert template.id == "west-midlands-maat" and confidence >= 0.8


def test_a_truncated_return_is_still_recognised():
    wm = TEMPLATES["west-midlands-maat"].model_copy(deep=True)
    wm.sections = wm.sections[:2]
    template, confidence = detect_template(_returned(wm), TEMPLATES)
    assert template.id == "west-midlands-maat" and confidence >= THRESHOLD


def test_an_unknown_form_is_below_the_threshold():
    raw = RawDocument(file="x.docx", format="docx", blocks=[Paragraph(text=t) for t in (
        "Staff wellbeing survey", "How satisfied are you with your workload?", "Do you feel supported by your manager?",
        "What would make your job easier?", "Assessment", "Areas for development")])
    template, confidence = detect_template(raw, TEMPLATES)
    assert confidence < THRESHOLD


def test_a_pdf_question_wrapped_over_two_lines_still_matches():
    wm = TEMPLATES["west-midlands-maat"]
    lines = []
    for q in wm.questions():
        words = q.wording.split()
        lines += [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2:]), "Fictional answer."]
    raw = RawDocument(file="x.pdf", format="pdf", blocks=[Paragraph(text=t) for t in lines])
    template, confidence = detect_template(raw, TEMPLATES)
    assert template.id == "west-midlands-maat" and confidence >= 0.8


def test_detection_without_templates_or_text():
    with pytest.raises(TemplateError):
        detect_template(RawDocument(file="x.docx", format="docx"), {})
    _, confidence = detect_template(RawDocument(file="x.docx", format="docx"), TEMPLATES)
    assert confidence == 0.0


# --- diff ----------------------------------------------------------------------------------------------

def test_diff_lists_added_removed_reworded_moved_and_renamed():
    old = TEMPLATES["west-midlands-maat"]
    new = old.model_copy(deep=True)
    new.version = "2"
    sections = new.sections
    sections[1].questions[0].wording = "How was early help offered?"  # q1 reworded
    sections[2].questions.append(sections[1].questions.pop(1))  # q2 moved to assessment
    sections[3].questions[0].id = "q10_plans"  # renamed, same wording
    removed = sections[4].questions.pop()  # q18 removed
    sections[4].questions.append(removed.model_copy(update={"id": "q18b", "wording": "Who else was told?"}))
    d = diff_templates(old, new)
    assert d.reworded == [("q1", old.questions()[2].wording, "How was early help offered?")]
    assert d.moved == [("q2", "prevention_early_help_thresholds", "assessment")]
    assert d.renamed == [("q10", "q10_plans", "How are plans informed by assessment?")]
    assert d.removed == [("q18", removed.wording)] and d.added == [("q18b", "Who else was told?")]
    assert not d.same_version and any("renamed  q10 -> q10_plans" in line for line in d.lines())


def test_diff_of_identical_templates_says_so():
    assert diff_templates(TEMPLATES["enfield-escp"], TEMPLATES["enfield-escp"]).lines()[-1] == "  no question changes"


# --- CLI -----------------------------------------------------------------------------------------------

def _run(*args):
    return CliRunner().invoke(templates_cli, [str(a) for a in args])


def test_every_command_has_help_with_an_example():
    for name, command in templates_cli.commands.items():
        result = _run(name, "--help")
        assert result.exit_code == 0 and command.help and "Example:" in result.output, name


def test_list_shows_builtins_workspace_and_invalid_files(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tiny.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "templates" / "broken.yaml").write_text(GOOD.replace("wording:", "wordng:"), encoding="utf-8")
    result = _run("list", "--workspace", tmp_path)
    assert result.exit_code == 1
    assert "west-midlands-maat  v1  30 questions  built-in" in result.output
    assert "tiny  v1  1 questions" in result.output and "INVALID  broken.yaml" in result.output


def test_show_prints_questions_and_unknown_id_is_one_line():
    result = _run("show", "school-case-file-audit")
    assert result.exit_code == 0 and "plan_type: Which plan" in result.output and "[tick_list: Early Help" in result.output
    result = _run("show", "nope")
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "Traceback" not in result.output


def test_check_exits_non_zero_with_the_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("id: q1", "id: Q1"), encoding="utf-8")
    result = _run("check", bad)
    assert result.exit_code == 1 and f"{bad}:8: sections.0.questions.0.id" in result.output
    result = _run("check", WM)
    assert result.exit_code == 0 and "OK: west-midlands-maat v1" in result.output


def test_diff_command_takes_files_or_ids(tmp_path):
    new = tmp_path / "wm2.yaml"
    new.write_text(WM.read_text(encoding="utf-8").replace("How were disagreements resolved?", "How were disputes resolved?")
                   .replace('version: "1"', 'version: "2"'), encoding="utf-8")
    result = _run("diff", "west-midlands-maat", new)
    assert result.exit_code == 0
    assert "reworded q5: 'How were disagreements resolved?' -> 'How were disputes resolved?'" in result.output


def test_learn_writes_a_template_that_checks_and_refuses_to_overwrite(tmp_path, monkeypatch):
    import extractors.registry

    raw = forms.to_raw(forms.layout_for(TEMPLATES["warrington-key-questions"]))
    monkeypatch.setattr(extractors.registry, "extract", lambda path, limits=None: raw)
    blank = tmp_path / "blank.docx"
    blank.write_bytes(b"stand-in: extract is replaced above")
    out = tmp_path / "templates" / "wsp.yaml"
    result = _run("learn", blank, "--id", "wsp-thematic", "--out", out)
    assert result.exit_code == 0, result.output
    assert "4 questions" in result.output
    learned = load_template_file(out)
    assert [q.wording for q in learned.questions()] == [q.wording for q in TEMPLATES["warrington-key-questions"].questions()]
    again = _run("learn", blank, "--id", "wsp-thematic", "--out", out)
    assert again.exit_code == 1 and "--force" in again.output


def test_learn_errors_are_one_line(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a form", encoding="utf-8")
    result = _run("learn", notes, "--id", "x", "--out", tmp_path / "x.yaml")
    assert result.exit_code == 1 and "not an audit return format" in result.output and "Traceback" not in result.output


def test_learn_from_the_real_blank_docx(tmp_path):
    pytest.importorskip("extractors.docx")
    out = tmp_path / "wm.yaml"
    result = _run("learn", SAMPLES / "blank-west-midlands-maat.docx", "--id", "wm-learned", "--out", out)
    assert result.exit_code == 0, result.output
    learned = load_template_file(out)
    assert [q.wording for q in learned.questions()] == [q.wording for q in TEMPLATES["west-midlands-maat"].questions()]


# --- docs ----------------------------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs" / "templates.md"


def test_docs_name_every_builtin_and_command_and_the_uncertain_rule():
    text = DOCS.read_text(encoding="utf-8")
    for template_id in TEMPLATES:
        assert f"`{template_id}`" in text, template_id
    for name in templates_cli.commands:
        assert f"maap templates {name}" in text, name
    assert "template_uncertain" in text and "template_threshold" in text


def test_the_format_example_in_the_docs_is_a_valid_template():
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    template, problems = check_template_text(example, "docs/templates.md")
    assert template is not None, [str(p) for p in problems]
    assert template.questions()[0].checks == {"thin_answer": "off", "undated_answer": "warning"}
