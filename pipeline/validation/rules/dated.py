"""Rules about the dates written in answers: impossible, after the audit, or older than the audit window."""

from __future__ import annotations

import re
from collections.abc import Iterator

from models.record import FlagCode
from pipeline.validation.rules.context import Context, Finding, question_name

# A future date after one of these is a plan ("review due 12/09/2024"), not a mistake.
_PLANNED = re.compile(
    r"\b(?:next|due|planned|booked|scheduled|will|by|until|till|expected|deadline|review(?:ed)? on|arranged for|"
    r"to be|end of|before)\b[^.;]{0,25}$",
    re.I,
)
# Dates of birth are old by nature, not outside the audit window.
_BIRTH = re.compile(r"\b(?:born|dob|d\.o\.b\.?|date of birth|birthday)\b[^.;]{0,12}$", re.I)


def _display(d) -> str:
    return d.strftime("%d/%m/%Y")


def invalid_date(ctx: Context) -> Iterator[Finding]:
    """A date that cannot exist, such as 31/02/2024: one flag per such date, quoting it."""
    for _, q, a in ctx.answered():
        for fd in ctx.dates(a):
            if not fd.valid:
                yield Finding(FlagCode.invalid_date, q.id, f'{question_name(q)} gives "{fd.text}", which is not a real date.')


def date_in_future(ctx: Context) -> Iterator[Finding]:
    """An event date after the date of audit (or after today when the header has none); plans are exempt."""
    if ctx.audit_date and ctx.audit_date > ctx.today:
        yield Finding(FlagCode.date_in_future, None, f"The date of audit ({_display(ctx.audit_date)}) is after today.")
    ref = ctx.reference
    against = "the date of audit" if ctx.audit_date else "today"
    for s, q, a in ctx.answered():
        if s.learning:
            continue  # learning fields carry timescales, which are meant to be in the future
        for fd in ctx.dates(a):
            if fd.valid and fd.first_day > ref and not _PLANNED.search(a.answer[max(0, fd.start - 40) : fd.start]):
                yield Finding(
                    FlagCode.date_in_future,
                    q.id,
                    f'{question_name(q)} gives "{fd.text}", which is after {against} ({_display(ref)}).',
                )


def date_outside_window(ctx: Context) -> Iterator[Finding]:
    """Info, one per answer: dates before the 12 months the audit covers (dates of birth are skipped)."""
    start = ctx.window_start
    for s, q, a in ctx.answered():
        if s.learning:
            continue
        old = [
            fd
            for fd in ctx.dates(a)
            if fd.valid and fd.last_day < start and not _BIRTH.search(a.answer[max(0, fd.start - 20) : fd.start])
        ]
        if old:
            more = f" and {len(old) - 1} other date{'s' if len(old) > 2 else ''}" if len(old) > 1 else ""
            yield Finding(
                FlagCode.date_outside_window,
                q.id,
                f'{question_name(q)} refers to "{old[0].text}"{more}, before the audit window (from {_display(start)}).',
            )
