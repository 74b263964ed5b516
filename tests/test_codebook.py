"""The codebook: the built-in themes, a partnership's override file, and errors an analyst can act on."""

from __future__ import annotations

import textwrap

import pytest

from models.errors import ConfigError
from pipeline.themes.codebook import load_codebook

REQUIRED = """neglect physical_abuse sexual_abuse emotional_abuse domestic_abuse exploitation cse cce county_lines
online_harm self_harm parental_mental_health substance_misuse non_mobile_injury missing_from_home education
attendance exclusion housing transitions_to_adulthood voice_of_the_child lived_experience information_sharing
escalation professional_curiosity multi_agency_working early_help thresholds assessment_quality chronology
timeliness engagement_with_fathers disguised_compliance""".split()


def write(tmp_path, text: str, name: str = "codebook.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_builtin_codebook_has_every_required_theme_with_label_definition_and_patterns():
    cb = load_codebook()
    assert set(REQUIRED) <= set(cb.ids())
    for t in cb.themes:
        assert t.label and t.definition, t.id
        assert t.patterns or t.exact or t.token_patterns, t.id


def test_builtin_hierarchy_and_parents_listed_before_children():
    cb = load_codebook()
    assert {t.id for t in cb.children("exploitation")} == {"cse", "cce", "county_lines"}
    assert {t.id for t in cb.children("education")} == {"attendance", "exclusion"}
    assert cb.ancestors("county_lines") == ["exploitation"]
    ids = cb.ids()
    assert ids.index("exploitation") < ids.index("cse")


def test_negatable_is_inherited_and_false_for_practice_themes():
    cb = load_codebook()
    assert cb.is_negatable("cse") and cb.is_negatable("domestic_abuse")
    assert not cb.is_negatable("chronology")
    assert not cb.is_negatable("voice_of_the_child")


def test_override_adds_overrides_appends_and_disables(tmp_path):
    path = write(tmp_path, """
        version: local-2
        themes:
          - id: radicalisation
            label: Radicalisation
            definition: Risk of being drawn into extremism.
            patterns: [radicalisation, prevent referral]
          - id: cse
            label: CSE (local wording)
            add_patterns: [party house]
          - id: housing
            disabled: true
          - id: exploitation
            children:
              - id: modern_slavery
                label: Modern slavery
                patterns: [modern slavery]
    """)
    cb = load_codebook(path)
    assert cb.get("radicalisation").parent is None
    assert cb.get("cse").label == "CSE (local wording)"
    assert "party house" in cb.get("cse").patterns and "cse" in cb.get("cse").patterns
    assert "housing" not in cb.ids()
    assert cb.get("modern_slavery").parent == "exploitation"
    assert cb.version == "1+local-2"
    assert str(path) in cb.sources


def test_disabling_a_parent_disables_its_children(tmp_path):
    path = write(tmp_path, "themes:\n  - id: exploitation\n    disabled: true\n")
    ids = load_codebook(path).ids()
    assert "exploitation" not in ids and "cse" not in ids and "county_lines" not in ids


def test_unknown_field_names_file_line_theme_and_suggests_the_fix(tmp_path):
    path = write(tmp_path, """
        themes:
          - id: gangs
            label: Gangs
            pattern: [gang]
    """)
    with pytest.raises(ConfigError) as e:
        load_codebook(path)
    msg = str(e.value)
    assert str(path) in msg and ":3:" in msg and "'gangs'" in msg and "did you mean 'patterns'" in msg


def test_parent_that_does_not_exist_is_named(tmp_path):
    path = write(tmp_path, "themes:\n  - id: gangs\n    label: Gangs\n    parent: exploitaton\n    patterns: [gang]\n")
    with pytest.raises(ConfigError, match=r"codebook.yaml:2: theme 'gangs': parent 'exploitaton' does not exist"):
        load_codebook(path)


def test_theme_without_patterns_is_refused(tmp_path):
    path = write(tmp_path, "themes:\n  - id: gangs\n    label: Gangs\n")
    with pytest.raises(ConfigError, match="can never be tagged"):
        load_codebook(path)


def test_bad_id_and_missing_label_are_named(tmp_path):
    with pytest.raises(ConfigError, match="theme 'Gangs': id"):
        load_codebook(write(tmp_path, "themes:\n  - id: Gangs\n    label: G\n    patterns: [gang]\n"))
    with pytest.raises(ConfigError, match="theme 'gangs': label"):
        load_codebook(write(tmp_path, "themes:\n  - id: gangs\n    patterns: [gang]\n"))


def test_disabling_an_unknown_theme_suggests_close_ids(tmp_path):
    path = write(tmp_path, "themes:\n  - id: neglct\n    disabled: true\n")
    with pytest.raises(ConfigError, match="neglect"):
        load_codebook(path)


def test_yaml_syntax_error_gives_the_line(tmp_path):
    path = write(tmp_path, "themes:\n  - id: a\n    label: x: y\n")
    with pytest.raises(ConfigError, match=r"codebook.yaml:3: not valid YAML"):
        load_codebook(path)


def test_missing_override_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_codebook(tmp_path / "nope.yaml")


def test_duplicate_id_in_one_file_is_refused(tmp_path):
    path = write(tmp_path, """
        themes:
          - {id: gangs, label: Gangs, patterns: [gang]}
          - {id: gangs, label: Gangs again, patterns: [gangs]}
    """)
    with pytest.raises(ConfigError, match="appears twice"):
        load_codebook(path)


# ---- maap codebook check (CLI) ----

from click.testing import CliRunner  # noqa: E402

from pipeline.cli.codebook import codebook_group  # noqa: E402


def test_cli_check_builtin_and_override(tmp_path):
    result = CliRunner().invoke(codebook_group, ["check"])
    assert result.exit_code == 0 and result.output.startswith("OK: codebook 1 (built-in)")
    path = write(tmp_path, "themes:\n  - id: gangs\n    label: Gangs\n    patterns: [gang]\n")
    result = CliRunner().invoke(codebook_group, ["check", str(path)])
    assert result.exit_code == 0 and str(path) in result.output
    # The partnership learns that the trained model does not know its own theme.
    assert "left to the patterns (gangs)" in result.output


def test_cli_check_says_when_the_trained_model_is_off(tmp_path):
    path = write(tmp_path, "model: false\nthemes: []\n")
    result = CliRunner().invoke(codebook_group, ["check", str(path)])
    assert result.exit_code == 0 and "trained model: off" in result.output


def test_cli_check_reports_one_line_errors(tmp_path):
    path = write(tmp_path, "themes:\n  - id: gangs\n    label: Gangs\n    pattern: [gang]\n")
    result = CliRunner().invoke(codebook_group, ["check", str(path)])
    assert result.exit_code == 1
    assert "did you mean 'patterns'" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_check_compiles_token_patterns(tmp_path):
    path = write(tmp_path, """
        themes:
          - id: gangs
            label: Gangs
            token_patterns:
              - [{LOWERCASE: gang}]
    """)
    result = CliRunner().invoke(codebook_group, ["check", str(path)])
    assert result.exit_code == 1 and "theme 'gangs': invalid token_patterns" in result.output


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    assert "Example" in runner.invoke(codebook_group, ["--help"]).output
    for name in codebook_group.commands:
        out = runner.invoke(codebook_group, [name, "--help"]).output
        assert "Example:" in out and "maap codebook " + name in out, name


def test_override_example_in_the_docs_loads(tmp_path):
    import re
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "themes.md").read_text(encoding="utf-8")
    section = doc[doc.index("### A partnership's override"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    cb = load_codebook(write(tmp_path, example))
    assert "radicalisation" in cb.ids() and "housing" not in cb.ids()
    assert cb.get("gangs").parent == "exploitation" and "party house" in cb.get("cse").patterns
