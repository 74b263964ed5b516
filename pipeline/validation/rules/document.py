"""Rules about the return as a whole: header fields, the grade, tracked changes and comments."""

from __future__ import annotations

from collections.abc import Iterator

from models.record import FlagCode
from pipeline.validation.rules.context import Context, Finding


def missing_header(ctx: Context) -> Iterator[Finding]:
    """One flag per required header field the return leaves empty (or whose date is not a date)."""
    header = ctx.record.header
    for field in ctx.template.header:
        value = getattr(header, field.key)
        if not field.required:
            continue
        unread = ctx.record.extraction.unparsed_header.get(field.key)
        if unread:
            yield Finding(FlagCode.missing_header, None, f'The header field "{field.label}" says "{unread[:40]}", '
                          "which is not a full date we can read; write it as e.g. 14/05/2024.")
        elif not value or not str(value).strip():
            yield Finding(FlagCode.missing_header, None, f'The header field "{field.label}" is empty.')
        elif field.key == "date_of_audit" and ctx.audit_date is None:
            yield Finding(FlagCode.missing_header, None, f'The header field "{field.label}" is not a date we can read.')


def grade_missing(ctx: Context) -> Iterator[Finding]:
    """The template has a grade but none was marked."""
    grade = ctx.record.grade
    if ctx.template.grading is not None and (grade.problem == "none_marked" or (grade.value is None and grade.problem is None)):
        yield Finding(FlagCode.grade_missing, None, "No grade was marked.")


def grade_multiple(ctx: Context) -> Iterator[Finding]:
    """More than one grade was marked, so the record cannot say which one the auditor meant."""
    if ctx.template.grading is not None and ctx.record.grade.problem == "multiple_marked":
        yield Finding(FlagCode.grade_multiple, None, "More than one grade was marked; ask the auditor which one applies.")


def unresolved_revisions(ctx: Context) -> Iterator[Finding]:
    """Tracked changes were left in the document, so the text read may not be what the auditor settled on."""
    n = ctx.record.extraction.revisions
    if n:
        yield Finding(
            FlagCode.unresolved_revisions,
            None,
            f"The document still has {n} tracked change{'s' if n != 1 else ''}; check the answers read are the final ones.",
        )


def comments_left(ctx: Context) -> Iterator[Finding]:
    """Reviewer comments were left in the document (their text is kept apart from the answers)."""
    n = len(ctx.record.comments)
    if n:
        yield Finding(FlagCode.comments_left, None, f"The document has {n} comment{'s' if n != 1 else ''} left in it.")
