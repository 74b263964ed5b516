"""Cohen's kappa between machine theme tags and a reviewer's corrections in the workbook."""

from __future__ import annotations

import pytest

from pipeline.themes.agreement import cohen_kappa, kappa_from_rows, kappa_per_theme
from pipeline.themes.codebook import load_codebook


def test_kappa_on_a_hand_computed_table():
    # 10 returns: both 4, machine only 1, reviewer only 1, neither 4.
    # p_o = 0.8; p_e = 0.5*0.5 + 0.5*0.5 = 0.5; kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6
    assert cohen_kappa(4, 1, 1, 4) == pytest.approx(0.6)
    # Unbalanced: both 2, machine only 3, reviewer only 0, neither 5 (n=10).
    # p_o = 0.7; machine yes 0.5, reviewer yes 0.2; p_e = 0.1 + 0.4 = 0.5; kappa = 0.4
    assert cohen_kappa(2, 3, 0, 5) == pytest.approx(0.4)


def test_kappa_is_undefined_without_variation_and_negative_for_systematic_disagreement():
    assert cohen_kappa(0, 0, 0, 6) is None
    assert cohen_kappa(0, 3, 3, 0) == pytest.approx(-1.0)


def test_kappa_per_theme_treats_missing_keys_as_not_tagged():
    machine = {("r1", "neglect"): True, ("r2", "neglect"): True, ("r3", "neglect"): False}
    reviewer = {("r1", "neglect"): True, ("r2", "neglect"): False, ("r4", "neglect"): True}
    result = kappa_per_theme(machine, reviewer, returns=["r1", "r2", "r3", "r4"])
    a = result["neglect"]
    assert (a.both, a.machine_only, a.reviewer_only, a.neither) == (1, 1, 1, 1)
    assert a.n == 4 and a.observed == 0.5 and a.kappa == pytest.approx(0.0)


def test_kappa_from_workbook_rows_with_labels_parents_and_blanks():
    cb = load_codebook()
    rows = [
        {"Return": "r1", "Theme ID": "neglect", "Mentions": 2, "Reviewer agrees? (Y/N)": "Y", "Reviewer adds themes": ""},
        {"Return": "r1", "Theme ID": "housing", "Mentions": 1, "Reviewer agrees? (Y/N)": "n", "Reviewer adds themes": None},
        {"Return": "r2", "Theme ID": "neglect", "Mentions": 1, "Reviewer agrees? (Y/N)": "Y",
         "Reviewer adds themes": "County lines; Housing"},
        {"Return": "r3", "Theme ID": "neglect", "Mentions": 1, "Reviewer agrees? (Y/N)": None, "Reviewer adds themes": None},
    ]
    result = kappa_from_rows(rows, cb)
    assert set(result) == set(cb.ids())
    # r3 was not reviewed, so only r1 and r2 count.
    assert result["neglect"].n == 2 and result["neglect"].both == 2
    h = result["housing"]
    assert (h.both, h.machine_only, h.reviewer_only, h.neither) == (0, 1, 1, 0)
    assert result["county_lines"].reviewer_only == 1
    assert result["exploitation"].reviewer_only == 1  # an added child theme adds its parent
    assert result["self_harm"].neither == 2 and result["self_harm"].kappa is None


def test_kappa_from_rows_errors_name_the_row():
    cb = load_codebook()
    with pytest.raises(ValueError, match="row 2: reviewer added 'gangs'"):
        kappa_from_rows([{"Return": "r1", "Theme ID": "neglect", "Reviewer adds themes": "gangs"}], cb)
    with pytest.raises(ValueError, match="row 3: 'Reviewer agrees\\?' is 'maybe'"):
        kappa_from_rows([{"Return": "r1", "Theme ID": "neglect", "Reviewer agrees? (Y/N)": "Y"},
                         {"Return": "r1", "Theme ID": "housing", "Reviewer agrees? (Y/N)": "maybe"}], cb)
