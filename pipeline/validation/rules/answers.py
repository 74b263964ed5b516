"""Rules about whether each question was answered, and answered usefully."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz import fuzz

from models.record import FlagCode
from models.template import AnswerKind
from pipeline.validation.rules.context import PLACEHOLDERS, Context, Finding, question_name, quote
from pipeline.text import normalise

# A question that asks for an explanation; "If not, why?" is conditional, so a plain "Yes" can be enough there.
_WANTS_EXPLANATION = re.compile(r"\bhow\b|\bdescribe\b|\bplease explain\b", re.I)
_THIN = {"yes", "no", "y", "n", "n/k", "nk", "not known", "unknown", "don't know", "dont know", "yes/no"}


def unanswered(ctx: Context) -> Iterator[Finding]:
    """One warning per required question that is blank, left as a placeholder, or missing (row deleted)."""
    for _, q, a in ctx.pairs():
        if not q.required or not ctx.is_empty(q, a):
            continue
        if a is None:
            why = "is missing from the return (the row may have been deleted)"
        elif a.answer.strip():
            why = "has only the form's placeholder or guidance text, no answer"
        else:
            why = "has no answer"
        yield Finding(FlagCode.unanswered, q.id, f"{question_name(q)} {why}.")


def not_applicable(ctx: Context) -> Iterator[Finding]:
    """Info: the agency answered N/A, which the analyst may want to confirm."""
    for _, q, a in ctx.pairs():
        if a is not None and ctx.is_not_applicable(a):
            yield Finding(FlagCode.not_applicable, q.id, f"{question_name(q)} was answered N/A.")


def placeholder_text(ctx: Context) -> Iterator[Finding]:
    """Placeholder text ("Click or tap here to enter text.") or the question's guidance left in the answer."""
    for _, q, a in ctx.pairs():
        if a is None or not a.answer.strip():
            continue
        text = normalise(a.answer)
        left = [p.capitalize() for p in PLACEHOLDERS if p in text]
        left += [g for g in q.guidance if len(g) >= 8 and normalise(g) in text]
        if left:
            yield Finding(
                FlagCode.placeholder_text, q.id, f"{question_name(q)} still contains the form's text {quote(left[0], 8)}."
            )


def answer_repeats_question(ctx: Context) -> Iterator[Finding]:
    """The answer is the question copied back, or starts by repeating it."""
    for _, q, a in ctx.answered():
        text, wording = normalise(a.answer), normalise(q.wording)
        if fuzz.ratio(text, wording) >= 90:
            yield Finding(FlagCode.answer_repeats_question, q.id, f"{question_name(q)}: the answer only repeats the question.")
        elif text.startswith(wording.rstrip("?. ")) and len(wording) >= 15:
            yield Finding(
                FlagCode.answer_repeats_question, q.id, f"{question_name(q)}: the answer starts by repeating the question."
            )


def thin_answer(ctx: Context) -> Iterator[Finding]:
    """A bare "Yes", "No" or "N/K" to a question that asks how, or asks the agency to explain or describe."""
    for _, q, a in ctx.answered():
        asks = " ".join([q.wording, *q.guidance])
        bare = re.sub(r"[.!\s]+$", "", normalise(a.answer))
        if bare in _THIN and _WANTS_EXPLANATION.search(asks):
            yield Finding(
                FlagCode.thin_answer, q.id, f'{question_name(q)} asks for an explanation but the answer is only "{a.answer.strip()}".'
            )


def section_unanswered(ctx: Context) -> Iterator[Finding]:
    """A whole section left empty: usually a page skipped or deleted, worth chasing as one item."""
    answers = ctx.answers
    for s in ctx.template.sections:
        if s.questions and all(ctx.is_empty(q, answers.get(q.id)) for q in s.questions):
            yield Finding(FlagCode.section_unanswered, None, f'No question in the section "{s.title}" was answered.')


def choices_conflict(ctx: Context) -> Iterator[Finding]:
    """A Yes/No question with both Yes and No marked: the reader cannot tell which the agency meant."""
    for _, q, a in ctx.pairs():
        if a is None or q.kind != AnswerKind.yes_no_comments:
            continue
        choices = {line.strip().lower() for line in a.answer.split("\n")[:3]}
        if {"yes", "no"} <= choices:
            yield Finding(FlagCode.choices_conflict, q.id,
                          f"{question_name(q)} has both Yes and No marked; check which the agency meant.")


def struck_text(ctx: Context) -> Iterator[Finding]:
    """One per passage struck through in an answer: left out as deleted on the page, quoted in full so it is never lost."""
    for _, q, a in ctx.pairs():
        for passage in ctx.struck.get(q.id, []) if a is not None else []:
            yield Finding(FlagCode.struck_text, q.id,
                          f'{question_name(q)} has text struck through, left out of the answer: "{passage}".')


def undated_answer(ctx: Context) -> Iterator[Finding]:
    """An answer that reports specific events (visits, referrals, meetings...) but gives no date at all."""
    for s, q, a in ctx.answered():
        if not q.requires_date or s.learning:
            continue
        sentences = ctx.undated.get(a.id)
        if sentences:
            more = f" (and {len(sentences) - 1} more)" if len(sentences) > 1 else ""
            yield Finding(
                FlagCode.undated_answer,
                q.id,
                f"{question_name(q)} describes events with no date, e.g. {quote(sentences[0])}{more}.",
            )


def undated_inputs(ctx: Context) -> dict[str, str]:
    """Answer id -> text for the answers undated_answer checks (what spaCy needs to see)."""
    return {a.id: a.answer for s, q, a in ctx.answered() if q.requires_date and not s.learning}
