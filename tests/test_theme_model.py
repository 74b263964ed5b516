"""The trained theme model: what it may add and set aside, what it must never do, and the shipped model itself."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
import pytest

from models.record import Header
from pipeline.themes.codebook import BUILTIN_CODEBOOK, load_codebook
from pipeline.outputs.pseudonymise import pseudonymise
from pipeline.themes.model import ThemeModel, features, load_model, sentences
from pipeline.themes.tag import tag_returns
from tests.test_themes import record

BENCH = Path(__file__).parents[1] / "bench"


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


def tiny_model(cb, weights: dict[str, dict[str, float]], bias: float = -6.0) -> ThemeModel:
    """A model over every codebook theme that knows only the given features' weights."""
    themes = tuple(cb.ids())
    names = sorted(weights)
    w = np.zeros((len(names), len(themes)), np.float32)
    for row, name in enumerate(names):
        for theme, value in weights[name].items():
            w[row, themes.index(theme)] = value
    return ThemeModel(themes, {n: i for i, n in enumerate(names)}, w, np.full(len(themes), bias, np.float32))


def test_model_adds_a_theme_the_rules_missed_with_the_sentence_that_carries_it(cb):
    model = tiny_model(cb, {"w:grandad": {"engagement_with_fathers": 9.0}})
    rec = record(("q1", "What worked well?", "The HV visited weekly. Grandad was never spoken to by anyone."))
    [plain] = tag_returns([rec], cb.model_copy(update={"model": False}))
    [out] = tag_returns([rec], cb, model=model)
    assert "engagement_with_fathers" not in [t.id for t in plain.themes]
    [tag] = [t for t in out.themes if t.id == "engagement_with_fathers"]
    [ev] = tag.evidence
    assert ev.source == "model" and ev.sentence == "Grandad was never spoken to by anyone."
    assert "engagement_with_fathers" in out.answer("q1").themes


def test_an_added_child_theme_brings_its_parent(cb):
    model = tiny_model(cb, {"w:runner": {"cce": 9.0}})
    [out] = tag_returns([record(("q1", "Q?", "He was used as a runner by older boys."))], cb, model=model)
    ids = [t.id for t in out.themes]
    assert "cce" in ids and "exploitation" in ids


def test_model_needs_the_answers_own_words_not_just_the_question(cb):
    # The question alone makes the theme likely, but "Yes, see above." says nothing the model weighs.
    model = tiny_model(cb, {"q:voice": {"voice_of_the_child": 12.0}})
    [out] = tag_returns([record(("q1", "How is the voice of the child heard?", "Yes, see above."))], cb, model=model)
    assert "voice_of_the_child" not in [t.id for t in out.themes]


def test_model_never_adds_what_the_rules_ruled_out(cb):
    model = tiny_model(cb, {"w:cse": {"cse": 12.0}, "w:concern": {"cse": 12.0}})
    [out] = tag_returns([record(("q1", "Q?", "There were no concerns about CSE."))], cb, model=model)
    assert "cse" not in [t.id for t in out.themes]
    assert "cse" in [t.id for t in out.negated_themes]


def test_model_never_adds_the_childs_voice_to_someone_elses_words(cb):
    model = tiny_model(cb, {"w:told": {"voice_of_the_child": 12.0}})
    rec = record(("q1", "What are you worried about?", "Jess told the officer the bruise was from the cot."))
    [out] = tag_returns([rec.model_copy(update={"header": Header(child="Mia Brown")})], cb, model=model)
    assert "voice_of_the_child" not in out.answer("q1").themes


def test_a_doubted_rule_match_is_set_aside_not_lost(cb):
    model = tiny_model(cb, {"R:domestic_abuse": {"domestic_abuse": -20.0}}, bias=0.0)
    text = "Police attended a domestic abuse incident in March."
    [out] = tag_returns([record(("q1", "Q?", text))], cb, model=model)
    assert "domestic_abuse" not in [t.id for t in out.themes]
    assert "domestic_abuse" not in out.answer("q1").themes
    [tag] = [t for t in out.doubted_themes if t.id == "domestic_abuse"]
    assert tag.mentions == 0 and [e.sentence for e in tag.doubted] == [text]


def test_a_parent_is_not_doubted_while_its_child_theme_stands(cb):
    model = tiny_model(cb, {"R:exploitation": {"exploitation": -20.0}, "R:cse": {"cse": 20.0}}, bias=0.0)
    [out] = tag_returns([record(("q1", "Q?", "She is at risk of child sexual exploitation."))], cb, model=model)
    ids = [t.id for t in out.themes]
    assert "cse" in ids and "exploitation" in ids


def test_codebook_can_turn_the_model_off(cb, tmp_path):
    override = tmp_path / "codebook.yaml"
    override.write_text("model: false\nthemes: []\n", encoding="utf-8")
    off = load_codebook(override)
    assert off.model is False and cb.model is True
    model = tiny_model(cb, {"w:grandad": {"engagement_with_fathers": 9.0}})
    [out] = tag_returns([record(("q1", "Q?", "Grandad was never spoken to."))], off, model=model)
    assert "engagement_with_fathers" not in [t.id for t in out.themes]


def test_codebook_model_key_must_be_a_boolean(tmp_path):
    from models.errors import ConfigError

    override = tmp_path / "codebook.yaml"
    override.write_text("model: maybe\nthemes: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'model' must be true or false"):
        load_codebook(override)


def test_model_never_adds_a_theme_the_partnership_disabled(cb, tmp_path):
    override = tmp_path / "codebook.yaml"
    override.write_text("themes:\n  - id: engagement_with_fathers\n    disabled: true\n", encoding="utf-8")
    model = tiny_model(cb, {"w:grandad": {"engagement_with_fathers": 9.0}})
    [out] = tag_returns([record(("q1", "Q?", "Grandad was never spoken to."))], load_codebook(override), model=model)
    assert "engagement_with_fathers" not in [t.id for t in out.themes]


def test_pseudonymised_records_name_no_one_in_any_quoted_sentence(cb):
    model = tiny_model(cb, {"R:domestic_abuse": {"domestic_abuse": -20.0}}, bias=0.0)
    rec = record(("q1", "Q?", "Kayden disclosed domestic abuse at home."),
                 ("q2", "Q?", "Kayden said there was no CSE concern."))
    rec = rec.model_copy(update={"header": Header(child="Kayden Frost")})
    [tagged] = tag_returns([rec], cb, model=model)
    assert tagged.doubted_themes and tagged.negated_themes
    out = pseudonymise(tagged, b"0" * 16)
    text = out.model_dump_json()
    assert "Kayden" not in text and "Child A disclosed" in text


def test_saved_model_reads_back_to_the_same_probabilities(cb):
    model = tiny_model(cb, {"w:grandad": {"engagement_with_fathers": 1.2345, "neglect": -0.5},
                            "q:voice": {"voice_of_the_child": 2.0}}, bias=-1.0)
    again = ThemeModel.from_json(model.to_json())
    f = [features("Grandad was not seen", "How is the voice heard?", set(), set())]
    assert np.allclose(model.probabilities(f), again.probabilities(f), atol=1e-3)
    with pytest.raises(ValueError, match="retrain"):
        ThemeModel.from_json({**model.to_json(), "format": 1})


def test_sentences_split_at_full_stops_semicolons_bullets_and_lines():
    assert sentences("Seen at home; dad not seen.\n- school not told\nGP informed") == [
        "Seen at home;", "dad not seen.", "school not told", "GP informed"]


def test_shipped_model_knows_every_builtin_theme_and_the_current_codebook():
    model = load_model()
    assert model is not None, "pipeline/data/theme_model.json is missing"
    assert set(model.themes) == set(load_codebook().ids())
    assert model.codebook_sha256 == hashlib.sha256(BUILTIN_CODEBOOK.read_bytes()).hexdigest(), (
        "the codebook changed since the model was trained: run .venv/bin/python bench/train_theme_model.py")


def test_shipped_model_was_trained_on_every_labelled_round():
    sys.path.insert(0, str(BENCH))
    from train_theme_model import ROUNDS, load_round

    present = {name for name in ROUNDS if load_round(name)}
    assert set(load_model().trained_on.split(",")) == present, (
        "a labelled round is missing from the model: run .venv/bin/python bench/train_theme_model.py")


@pytest.mark.slow
def test_model_trained_without_the_last_round_improves_on_the_rules_there(cb):
    """Round 14 (48 returns on three templates, one of them new, written blind) scored 0.917 by the rules alone
    and 0.932 with the model trained on rounds 1-13; a model or codebook change that loses that should be
    noticed."""
    sys.path.insert(0, str(BENCH))
    from train_theme_model import ROUNDS, fit, load_round, micro_f1

    model = fit(cb, [n for n in ROUNDS if n != "r14" and load_round(n)])
    items = load_round("r14")
    rules, both = micro_f1(cb, items, None), micro_f1(cb, items, model)
    assert len(items) == 48
    assert both >= 0.91 and both > rules


def test_added_evidence_reads_its_polarity_as_the_rules_would(cb):
    model = tiny_model(cb, {"w:grandad": {"engagement_with_fathers": 9.0}})
    rec = record(("q1", "What worked well?", "Contact with grandad wasn't timely."),
                 ("q2", "What worked well?", "Grandad was seen promptly and often."))
    [out] = tag_returns([rec], cb, model=model)
    [tag] = [t for t in out.themes if t.id == "engagement_with_fathers"]
    assert {e.answer: e.polarity for e in tag.evidence} == {"q1": "concern", "q2": "strength"}


def test_a_damaged_model_file_is_a_clear_configuration_error(tmp_path):
    from models.errors import ConfigError

    path = tmp_path / "theme_model.json"
    path.write_text('{"format": 2, "themes": ["neglect"], "features": ["w:x"], "weights": "!!", '
                    '"bias": [0], "steps_per_unit": 1000}', encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read.*model: false"):
        load_model(str(path))
    assert load_model(str(tmp_path / "absent.json")) is None  # no model: the rules alone decide
