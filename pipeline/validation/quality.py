"""A 0-100 quality score for one return, from its flags, with a breakdown an analyst can read.

Weights (docs/flags.md): completeness 40, dating 25, actions 20, grade 15. Each part is scored 0-100 and the
total is the weighted mean, rounded.
"""

from __future__ import annotations

from models.record import AuditReturn, Flag, FlagCode, Quality
from models.template import Template
from pipeline.validation.rules.actions import action_lines, is_action_question

WEIGHTS = {"completeness": 40, "dating": 25, "actions": 20, "grade": 15}


def _share_ok(total: int, bad: int) -> int:
    return 100 if total == 0 else round(100 * max(0, total - bad) / total)


def score_quality(record: AuditReturn, template: Template, flags: list[Flag]) -> Quality:
    """Score how complete and usable a return is: answered questions, dated events, owned actions, a grade."""
    by_code: dict[FlagCode, set[str | None]] = {}
    counts: dict[FlagCode, int] = {}
    for f in flags:
        by_code.setdefault(f.code, set()).add(f.answer)
        counts[f.code] = counts.get(f.code, 0) + 1

    required = [q for q in template.questions() if q.required]
    empty = by_code.get(FlagCode.unanswered, set()) | by_code.get(FlagCode.answer_repeats_question, set())
    completeness = _share_ok(len(required), len({q.id for q in required} & empty))

    dated_questions = [q for s in template.sections if not s.learning for q in s.questions if q.requires_date]
    skipped = by_code.get(FlagCode.unanswered, set()) | by_code.get(FlagCode.not_applicable, set())
    answered = {q.id for q in dated_questions} - skipped
    undated = by_code.get(FlagCode.undated_answer, set()) | by_code.get(FlagCode.invalid_date, set())
    # No dated question answered earns no dating credit (an empty return is not "well dated").
    dating = _share_ok(len(answered), len(answered & undated)) if answered or not dated_questions else 0

    answers = {a.id: a for a in record.answers}
    action_ids = [q.id for s in template.sections for q in s.questions if is_action_question(s, q)]
    lines = sum(len(action_lines(answers[i].answer)) for i in action_ids if i in answers)
    if action_ids and action_ids[0] in by_code.get(FlagCode.unanswered, set()):
        actions = 0  # the auditor was asked for actions and gave none
    else:
        missing = counts.get(FlagCode.action_without_owner, 0) + counts.get(FlagCode.action_without_timescale, 0)
        actions = _share_ok(2 * lines, missing)

    if template.grading is None:
        grade = 100
    else:
        grade = 0 if FlagCode.grade_missing in by_code or FlagCode.grade_multiple in by_code else 100

    breakdown = {"completeness": completeness, "dating": dating, "actions": actions, "grade": grade}
    score = round(sum(breakdown[k] * w for k, w in WEIGHTS.items()) / sum(WEIGHTS.values()))
    return Quality(score=score, breakdown=breakdown)
