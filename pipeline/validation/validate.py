"""Data-quality flags for one return: small rule functions in one list, severities configurable per template.

``validate(record, template, today)`` is pure: it never raises on the record's content and returns flags as
data. Each rule reads a ``Context`` and yields ``Finding``s; severity comes from, in order, the question's
``checks``, the template's ``checks``, then ``DEFAULT_SEVERITY``. A setting of ``"off"`` drops the flag.
Flags that belong to no answer (header, grade, sections) use the template setting only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date

from models.record import AuditReturn, Flag, FlagCode, Severity
from models.template import Template
from pipeline.validation.rules import actions, answers, assessment, dated, document
from pipeline.validation.rules.context import Context, Finding

Rule = Callable[[Context], Iterable[Finding]]
HEADER_KEY = "header:"  # ``struck`` keys for header fields: 'header:case_status'


def header_struck_text(ctx: Context) -> Iterator[Finding]:
    """One per passage struck through in a header value (not an option deleted), quoted in full, as for answers."""
    labels = {f.key: f.label for f in ctx.template.header}
    for key, passages in ctx.struck.items():
        if key.startswith(HEADER_KEY):
            label = labels.get(key[len(HEADER_KEY):], key[len(HEADER_KEY):])
            for passage in passages:
                yield Finding(FlagCode.struck_text, None,
                              f'The header field "{label}" has text struck through, left out of it: "{passage}".')


# In the order flags are listed to an analyst: whole-document problems first, then answer by answer.
RULES: list[Rule] = [
    document.missing_header,
    document.grade_missing,
    document.grade_multiple,
    document.unresolved_revisions,
    document.comments_left,
    answers.section_unanswered,
    answers.unanswered,
    answers.not_applicable,
    answers.placeholder_text,
    answers.answer_repeats_question,
    answers.thin_answer,
    answers.choices_conflict,
    answers.struck_text,
    header_struck_text,
    answers.undated_answer,
    dated.invalid_date,
    dated.date_in_future,
    dated.date_outside_window,
    actions.action_without_owner,
    actions.action_without_timescale,
]

# A self-assessment (Section 11 / 175) has no child, case dates, grade or learning section: these rules ask for
# them (and its actions' dates are meant to be ahead), so it gets the rest and its own
# (pipeline/validation/rules/assessment.py) instead.
CASE_ONLY = {document.grade_missing, document.grade_multiple, answers.undated_answer, dated.date_outside_window,
             dated.date_in_future, actions.action_without_owner, actions.action_without_timescale}
SELF_ASSESSMENT_RULES: list[Rule] = [r for r in RULES if r not in CASE_ONLY] + assessment.RULES

DEFAULT_SEVERITY: dict[FlagCode, Severity] = {
    FlagCode.unanswered: Severity.warning,
    FlagCode.not_applicable: Severity.info,
    FlagCode.undated_answer: Severity.warning,
    FlagCode.missing_header: Severity.warning,
    FlagCode.grade_missing: Severity.warning,
    FlagCode.grade_multiple: Severity.error,
    FlagCode.placeholder_text: Severity.warning,
    FlagCode.answer_repeats_question: Severity.warning,
    FlagCode.thin_answer: Severity.warning,
    FlagCode.unresolved_revisions: Severity.warning,
    FlagCode.comments_left: Severity.info,
    FlagCode.action_without_owner: Severity.warning,
    FlagCode.action_without_timescale: Severity.warning,
    FlagCode.invalid_date: Severity.error,
    FlagCode.date_in_future: Severity.error,
    FlagCode.date_outside_window: Severity.info,
    FlagCode.section_unanswered: Severity.warning,
    FlagCode.choices_conflict: Severity.warning,
    FlagCode.struck_text: Severity.warning,
    FlagCode.rated_without_evidence: Severity.warning,
    FlagCode.not_met_without_action: Severity.warning,
    FlagCode.rating_missing: Severity.warning,
    FlagCode.rating_multiple: Severity.error,
}

_SETTINGS = {"error", "warning", "info", "off"}


def config_problems(template: Template) -> list[str]:
    """Unknown flag codes or severities in a template's ``checks`` settings, one readable line each.

    validate() ignores such settings (it falls back to the default), so call this when templates are loaded.
    """
    codes = {c.value for c in FlagCode}
    problems = []
    places = [("template", template.checks)] + [(f"question {q.id}", q.checks) for q in template.questions()]
    for where, checks in places:
        for code, setting in checks.items():
            if code not in codes:
                problems.append(f"{template.id}: {where}: unknown flag code {code!r}")
            if setting not in _SETTINGS:
                problems.append(f"{template.id}: {where}: {code}: {setting!r} should be one of error, warning, info, off")
    return problems


def _severity(code: FlagCode, answer: str | None, template: Template, questions: dict) -> Severity | None:
    setting = None
    q = questions.get(answer) if answer else None
    if q is not None:
        setting = q.checks.get(code.value)
    if setting not in _SETTINGS:
        setting = template.checks.get(code.value)
    if setting == "off":
        return None
    return Severity(setting) if setting in _SETTINGS else DEFAULT_SEVERITY.get(code, Severity.warning)


def undated_inputs(record: AuditReturn, template: Template) -> dict[str, str]:
    """Answer id -> text of the answers the undated_answer check reads, for batching spaCy over many returns."""
    return answers.undated_inputs(Context(record, template, date.today()))


def precompute_undated(pairs: list[tuple[AuditReturn, Template]]) -> list[dict[str, list[str]]]:
    """Undated event sentences for many returns in one spaCy pass; pass each result to validate(undated=...)."""
    from pipeline.validation.rules.undated import undated_event_sentences

    inputs = [undated_inputs(record, template) for record, template in pairs]
    texts = [text for one in inputs for text in one.values()]
    found = iter(undated_event_sentences(texts))
    return [{answer_id: next(found) for answer_id in one} for one in inputs]


def _findings(ctx: Context) -> Iterator[Finding]:
    for rule in SELF_ASSESSMENT_RULES if ctx.template.kind == "self_assessment" else RULES:
        yield from rule(ctx)


def validate(
    record: AuditReturn, template: Template, today: date, undated: dict[str, list[str]] | None = None,
    struck: dict[str, list[str]] | None = None,
) -> list[Flag]:
    """Every data-quality flag for one return, in a stable order, with severities from the template's settings.

    ``undated`` maps answer id to its undated event sentences (see ``precompute_undated``); without it, spaCy
    runs here for this record's answers. ``struck`` maps answer id to the passages struck through on the page
    (``pipeline.intake.process.read_formatting`` leaves them out of the answer, so the record alone does not hold
    them), and ``HEADER_KEY + field`` to those struck in a header value. Never raises on the record's content.
    """
    wanted = template.kind != "self_assessment" and (_severity(FlagCode.undated_answer, None, template, {}) is not None or any(
        q.checks.get(FlagCode.undated_answer.value) in ("error", "warning", "info") for q in template.questions()
    ))
    if undated is None and wanted:
        undated = precompute_undated([(record, template)])[0]
    ctx = Context(record, template, today, undated or {}, struck or {})
    questions = {q.id: q for q in template.questions()}
    flags: list[Flag] = []
    for f in _findings(ctx):
        severity = _severity(f.code, f.answer, template, questions)
        if severity is not None:
            flags.append(Flag(code=f.code, severity=severity, answer=f.answer, message=f.message))
    return flags
