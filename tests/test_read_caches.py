"""The caches that make reading cheap (issue 18) never change what a return reads as.

Mapping keeps one label matcher per template and detection remembers each line's scores, both for the whole
process; the codebook is parsed with libyaml when PyYAML has it. Each test compares against the same work done
with the caches emptied, or checks that an edited template or codebook is read afresh.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from extractors.registry import extract
from models.errors import ConfigError
from models.settings import Settings
from pipeline.intake.process import read_return
from pipeline.mapping import labels
from pipeline.mapping.place import map_document
from pipeline.templates import detect
from pipeline.templates.detect import rank_templates
from pipeline.templates.registry import load_templates
from pipeline.themes import codebook
from pipeline.themes.codebook import load_codebook

RETURNS = sorted(p for p in (Path(__file__).parents[1] / "samples" / "returns").glob("*-case*.docx"))
TODAY = date(2026, 1, 1)


def _empty_caches() -> None:
    labels._MATCHERS.clear()
    detect._COLUMNS.clear()


def _dump(record) -> str:
    return record.model_dump_json()


def test_a_return_read_with_warm_caches_reads_exactly_as_with_cold_ones():
    settings, templates = Settings(), load_templates()
    cold = []
    for path in RETURNS:
        _empty_caches()
        cold.append(_dump(read_return(path, settings, templates, TODAY)))
    warm = [_dump(read_return(path, settings, templates, TODAY)) for path in RETURNS]  # caches full of all of them
    assert warm == cold
    assert len(RETURNS) >= 5


def test_detection_scores_do_not_depend_on_what_was_read_before():
    templates = load_templates()
    raws = [extract(p, Settings().limits) for p in RETURNS]
    cold = []
    for raw in raws:
        _empty_caches()
        cold.append(rank_templates(raw, templates))
    assert [rank_templates(raw, templates) for raw in reversed(raws)] == list(reversed(cold))


def test_an_edited_question_wording_is_matched_as_edited(tmp_path):
    """A cached matcher for the old wording must not map a return of the edited template."""
    templates = load_templates()
    wm = templates["west-midlands-maat"]
    raw = extract(next(p for p in RETURNS if p.name.startswith("wm-")), Settings().limits)
    before = map_document(raw, wm)
    question = wm.sections[1].questions[0]
    assert before.answers[question.id].found
    edited_q = question.model_copy(update={"wording": "An unrelated question about parking permits?", "aliases": []})
    section = wm.sections[1].model_copy(update={"questions": [edited_q, *wm.sections[1].questions[1:]]})
    edited = wm.model_copy(update={"sections": [wm.sections[0], section, *wm.sections[2:]]})
    after = map_document(raw, edited)
    assert not after.answers[question.id].found
    assert map_document(raw, wm).answers[question.id].lines == before.answers[question.id].lines


def _message(path: Path) -> str:
    with pytest.raises(ConfigError) as e:
        load_codebook(path)
    return str(e.value)


@pytest.mark.parametrize("text", [
    "version: 1\nthemes:\n  - id: neglect\n    label: Neglect\n    patterns: [neglect\n",  # not valid YAML
    "version: 1\nthemes:\n  - id: neglect\n    label: Neglect\n  - id: Bad Id\n    label: Bad\n",  # line of a theme
])
def test_codebook_reads_and_fails_the_same_with_libyaml_as_without(tmp_path, monkeypatch, text):
    path = tmp_path / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    fast_error, fast_builtin = _message(path), load_codebook(None)
    monkeypatch.setattr(codebook, "_FastLineLoader", codebook._LineLoader)
    assert _message(path) == fast_error
    assert ":" in fast_error.split("codebook.yaml", 1)[1][:3]  # the message points at a line
    assert load_codebook(None) == fast_builtin
