"""The undated-event flag on the answers issue 17 found it getting wrong, and the bench's fresh-set report.

Cases follow docs/undated-labelling-guide.md: an answer is flagged when it reports a specific event and
nothing in it dates that event. Fictional content only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.validation.rules.undated import undated_event_sentences

BENCH = Path(__file__).parents[1] / "bench"


def flagged(text: str) -> bool:
    [found] = undated_event_sentences([text])
    return bool(found)


@pytest.mark.parametrize(
    "text",
    [
        # a procedure used on one occasion
        "The escalation policy was used when CSC did not respond to the referral.",
        "Nursery invoked the resolution protocol after the case was closed without a visit.",
        # something done to or by a person in the case, with a verb the word lists never named
        "Mum was rehoused by the council after the flood.",
        "Dad was sentenced to twelve months in prison.",
        "The health visitor challenged mum about the smell of cannabis.",
        # a negation covers only its own clause
        "Health were not invited to the strategy meeting, but the school nurse later provided a report.",
        "It is not clear from the file why the case was closed.",
        # relative timing does not place an event on the timeline
        "School made a referral and the SW visited the next day.",
        # a date of birth dates no event
        "Child (DOB 14/09/2015) was seen alone at school by the SW.",
        "The young person went missing from the children's home and was found by police at a friend's flat.",
        "Mum failed to bring him to his hospital appointment.",
        "The nursery put a safety plan in place after the burn.",
        "Dad's contact with the children was stopped by the court.",
    ],
)
def test_undated_events_the_old_rule_missed_are_flagged(text):
    assert flagged(text)


@pytest.mark.parametrize(
    "text",
    [
        "The escalation policy is clear and staff are confident to use it.",
        "The referral was appropriate and well evidenced.",
        "The children were protected through a well coordinated multi-agency plan.",
        "The SW worked hard to engage dad and was persistent.",
        "Mum engaged well with the family support worker.",
        "Dad refused to engage with the perpetrator programme.",
        "I reviewed the records and spoke to the named nurse as part of this audit.",
        "Procedures were followed appropriately throughout.",
        "Children are always seen alone at each visit.",
        "This was a missed opportunity to hear from dad.",
        "Review booked with the paediatrician.",
        "If mum had been seen alone she might have disclosed sooner.",
        "I read the case notes and looked at the chronology.",
    ],
)
def test_reflection_policy_and_practice_are_not_flagged(text):
    assert not flagged(text)


def test_a_real_date_still_clears_the_answer_and_the_event_sentence_is_quoted():
    dated, undated = undated_event_sentences([
        "Child seen alone at school by the SW on 14/09/2024.",
        "Practice was good. The escalation policy was used when no reply came from the duty team.",
    ])
    assert dated == []
    assert undated == ["The escalation policy was used when no reply came from the duty team."]


@pytest.fixture()
def bench_flags():
    sys.path.insert(0, str(BENCH))
    try:
        import bench_flags

        yield bench_flags
    finally:
        sys.path.remove(str(BENCH))


def test_agreement_and_kappa_on_a_hand_computed_table(bench_flags):
    # both yes 3, first only 1, second only 1, both no 5 (n=10): p_o 0.8, p_e 0.4*0.4 + 0.6*0.6 = 0.52
    a = [True] * 3 + [True] + [False] + [False] * 5
    b = [True] * 3 + [False] + [True] + [False] * 5
    agree, kappa = bench_flags.agreement(a, b)
    assert agree == pytest.approx(0.8)
    assert kappa == pytest.approx((0.8 - 0.52) / (1 - 0.52))


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text(yaml.safe_dump({"answers": rows}), encoding="utf-8")


def test_fresh_set_report_compares_the_rule_with_both_labellers(bench_flags, tmp_path, capsys):
    rows = [
        {"id": "a1", "undated": True, "text": "SW visited the home and spoke with mum."},
        {"id": "a2", "undated": False, "text": "The plan was outcome focused."},
        {"id": "a3", "undated": True, "text": "The escalation policy is well understood."},
        {"id": "a4", "undated": False, "text": "Mum engages well."},
    ]
    _write(tmp_path / "undated_fresh.yaml", rows)
    # the second labeller disagrees on a3 only; rows come in another order and match by id
    _write(tmp_path / "undated_fresh_labeller2.yaml", [
        {"id": "a4", "undated": False}, {"id": "a3", "undated": False},
        {"id": "a2", "undated": False}, {"id": "a1", "undated": True},
    ])
    bench_flags.bench_fresh(False, tmp_path)
    out = capsys.readouterr().out
    assert "n=4 (labeller 1: 2 undated, labeller 2: 1 undated)" in out
    # the rule flags a1 only: one miss against labeller 1, perfect against labeller 2
    assert "rule vs labeller 1:  precision 1.000  recall 0.500" in out
    assert "rule vs labeller 2:  precision 1.000  recall 1.000  F1 1.000  agreement 1.000  kappa 1.000" in out
    assert "labeller 1 vs labeller 2: agreement 0.750  kappa 0.500" in out
    assert "rule on the 3 answers both labellers agree on" in out


def test_fresh_set_without_a_second_labelling_or_with_a_row_missing(bench_flags, tmp_path, capsys):
    bench_flags.bench_fresh(False, tmp_path)
    assert "undated_fresh.yaml: not present" in capsys.readouterr().out
    _write(tmp_path / "undated_fresh.yaml", [{"id": "b1", "undated": True, "text": "Police attended."},
                                             {"id": "b2", "undated": False, "text": "N/A"}])
    bench_flags.bench_fresh(False, tmp_path)
    out = capsys.readouterr().out
    assert "no second labelling yet" in out and "rule vs labeller 1" in out and "labeller 2" not in out
    _write(tmp_path / "undated_fresh_labeller2.yaml", [{"id": "b1", "undated": True}])
    with pytest.raises(SystemExit, match="no label for row 2 \\(id b2\\)"):
        bench_flags.bench_fresh(False, tmp_path)


def _guide_examples() -> list[tuple[str, bool]]:
    guide = (Path(__file__).parents[1] / "docs" / "undated-labelling-guide.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (.+?) \| `(true|false)` \|", guide, re.M)
    assert len(rows) >= 20, "the guide's table of worked hard cases has moved or lost rows"
    return [(text, label == "true") for text, label in rows]


@pytest.mark.parametrize("text, label", _guide_examples())
def test_the_rule_agrees_with_the_labelling_guides_worked_examples(text, label):
    assert flagged(text) is label
