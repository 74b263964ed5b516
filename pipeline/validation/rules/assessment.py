"""Rules for an organisational self-assessment (Section 11 / 175): every rating backed by evidence, every
"Not met" with an action, every action with an owner and a date or timescale.

They read ``record.self_assessment`` (pipeline.intake.assessment). A self-assessment has no child, case dates
or overall grade, so validate() runs these instead of the case-audit rules that ask for them (``CASE_ONLY``).
"""

from __future__ import annotations

from collections.abc import Iterator

from models.record import FlagCode
from pipeline.validation.rules import dated
from pipeline.validation.rules.context import Context, Finding, quote


def _standards(ctx: Context):
    sa = ctx.record.self_assessment
    return sa.standards if sa is not None else []


def _rating_id(ctx: Context, section: str) -> str | None:
    from models.assessment import standards

    return next((p.rating for p in standards(ctx.template) if p.section == section), None)


def rating_missing(ctx: Context) -> Iterator[Finding]:
    """A standard whose rating box holds something that is no rating (a blank one is already 'unanswered')."""
    answers = {a.id: a for a in ctx.record.answers}
    for s in _standards(ctx):
        rid = _rating_id(ctx, s.standard)
        if s.problem == "none_marked" and rid and answers[rid].answer.strip():
            yield Finding(FlagCode.rating_missing, rid, f'"{s.title}": the rating {quote(answers[rid].answer, 4)} '
                          "is not one of the form's ratings; choose one.")


def rating_multiple(ctx: Context) -> Iterator[Finding]:
    """A standard given two different ratings (two boxes ticked, two colours)."""
    for s in _standards(ctx):
        if s.problem == "multiple_marked":
            yield Finding(FlagCode.rating_multiple, _rating_id(ctx, s.standard),
                          f'"{s.title}" is given more than one rating; it should have one.')


def rated_without_evidence(ctx: Context) -> Iterator[Finding]:
    """A standard rated with no evidence written against any of its sub-standards."""
    for s in _standards(ctx):
        if s.level and not s.evidence:
            yield Finding(FlagCode.rated_without_evidence, _rating_id(ctx, s.standard),
                          f'"{s.title}" is rated "{s.rating}" with no evidence given.')


def not_met_without_action(ctx: Context) -> Iterator[Finding]:
    """A standard rated Not met (Red) with no action to meet it."""
    for s in _standards(ctx):
        if s.level == "not_met" and not s.actions:
            yield Finding(FlagCode.not_met_without_action, _rating_id(ctx, s.standard),
                          f'"{s.title}" is rated "{s.rating}" with no action to meet it.')


def _actions(ctx: Context):
    from models.assessment import standards

    ids = {p.section: (p.actions[0] if p.actions else None) for p in standards(ctx.template)}
    for s in _standards(ctx):
        for action in s.actions:
            yield ids.get(s.standard), s, action


def action_without_owner(ctx: Context) -> Iterator[Finding]:
    """A self-assessment action that names no one to carry it out."""
    for qid, s, action in _actions(ctx):
        if not action.owner:
            yield Finding(FlagCode.action_without_owner, qid,
                          f'"{s.title}": the action {quote(action.text, 7)} does not say who is responsible.')


def action_without_timescale(ctx: Context) -> Iterator[Finding]:
    """A self-assessment action with neither a date nor a timescale."""
    for qid, s, action in _actions(ctx):
        if not action.timescale:
            yield Finding(FlagCode.action_without_timescale, qid,
                          f'"{s.title}": the action {quote(action.text, 7)} has no date or timescale.')


def date_in_future(ctx: Context) -> Iterator[Finding]:
    """A date after the date of audit in the evidence; an action's date is meant to be in the future."""
    from models.assessment import standards

    actions = {i for p in standards(ctx.template) for i in p.actions}
    yield from (f for f in dated.date_in_future(ctx) if f.answer not in actions)


RULES = [date_in_future, rating_missing, rating_multiple, rated_without_evidence, not_met_without_action, action_without_owner,
         action_without_timescale]
