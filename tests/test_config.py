"""WORKSPACE/maap.yaml: limits and defaults a partnership sets once, overridden by the command line."""

import shutil
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli.main import main
from pipeline.config import load_settings

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_settings_file_then_command_line(tmp_path):
    (tmp_path / "maap.yaml").write_text("limits: {max_pages: 2, seconds_per_file: 30}\nconcurrency: 2\n")
    settings = load_settings(tmp_path, concurrency=6, template_id=None, pseudonymise=False)
    assert settings.limits.max_pages == 2 and settings.limits.seconds_per_file == 30
    assert settings.concurrency == 6  # the command line wins
    assert load_settings(None).limits.max_pages == 60  # defaults without a workspace


def test_a_page_limit_from_the_settings_file_quarantines_a_long_pdf(tmp_path):
    ws = tmp_path / "ws"
    (ws / "inbox").mkdir(parents=True)
    shutil.copy(SAMPLES / "pdf-page-break.pdf", ws / "inbox" / "long.pdf")
    (ws / "maap.yaml").write_text("limits:\n  max_pages: 1\n")
    result = CliRunner().invoke(main, ["run", str(ws), "--engine", "local"])
    assert "0 processed, 1 quarantined" in result.output
    reason = (ws / "quarantine" / "long.pdf.reason.json").read_text()
    assert "limit_exceeded" in reason and "max_pages" in reason


def test_a_mistake_in_the_settings_file_is_one_line_naming_the_field(tmp_path):
    ws = tmp_path / "ws"
    (ws / "inbox").mkdir(parents=True)
    (ws / "maap.yaml").write_text("limits:\n  max_pages: lots\n")
    result = CliRunner().invoke(main, ["run", str(ws), "--engine", "local"])
    assert result.exit_code == 1 and "maap.yaml" in result.output and "limits.max_pages" in result.output
    assert "Traceback" not in result.output


def test_the_readme_settings_example_is_valid_and_matches_the_defaults(tmp_path):
    import re

    import yaml

    from models.settings import Settings

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = re.search(r"### Settings.*?```yaml\n(.*?)```", readme, re.S).group(1)
    (tmp_path / "maap.yaml").write_text(block)
    assert load_settings(tmp_path) == Settings()
    assert yaml.safe_load(block)["limits"]["max_pages"] == Settings().limits.max_pages
