"""Quality score: a complete, dated, graded return scores high; gaps an analyst would chase pull it down."""

from datetime import date

from pipeline.validation.quality import WEIGHTS, score_quality
from pipeline.validation.validate import validate
from tests.test_validate import make_record, template  # noqa: F401  (fixture)

TODAY = date(2024, 7, 1)


def score(template, record):
    return score_quality(record, template, validate(record, template, TODAY, undated={}))


def test_clean_return_scores_full_marks(template):
    q = score(template, make_record(template))
    assert q.score == 100 and set(q.breakdown) == set(WEIGHTS) == {"completeness", "dating", "actions", "grade"}


def test_each_gap_lowers_its_own_part(template):
    n_required = len([q for q in template.questions() if q.required])
    q = score(template, make_record(template, {"q1": "", "q2": ""}))
    assert q.breakdown["completeness"] == round(100 * (n_required - 2) / n_required) and q.score < 100

    graded = score(template, make_record(template, grade=make_record(template).grade.model_copy(update={"value": None})))
    assert graded.breakdown["grade"] == 0 and graded.score == 100 - WEIGHTS["grade"]

    actions = score(template, make_record(template, {"learning_actions": "Refresher training on chronologies."}))
    assert actions.breakdown["actions"] == 0
    assert score(template, make_record(template, {"learning_actions": ""})).breakdown["actions"] == 0


def test_undated_and_invalid_dates_lower_dating(template):
    record = make_record(template, {"q1": "Strategy discussion held with police.", "q6": "GCP2 done 31/02/2024."})
    q = score_quality(record, template, validate(record, template, TODAY))
    assert q.breakdown["dating"] < 100 and q.breakdown["completeness"] == 100


def test_empty_return_scores_low(template):
    record = make_record(template, {q.id: "" for q in template.questions()})
    record = record.model_copy(update={"grade": record.grade.model_copy(update={"value": None})})
    q = score(template, record)
    assert q.score == 0 and q.breakdown == {"completeness": 0, "dating": 0, "actions": 0, "grade": 0}
