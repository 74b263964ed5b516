"""Rules for learning actions: every action line should name who does it and by when."""

from __future__ import annotations

import re
from collections.abc import Iterator

from models.record import FlagCode
from models.template import Question, Section
from pipeline.dates import find_dates
from pipeline.validation.rules.context import Context, Finding, quote
from pipeline.text import normalise

# Numbered items may run on within a line ("1. ... 2. ..."); bullets count only at the start of a line, since
# " - " inside a line usually introduces the timescale ("... - by 30/06/2024").
_ITEM_START = re.compile(r"(?:^|\s)(?:\d{1,2}[.)]|[a-h][.)])\s+|^\s*[•·\-*–]\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_NO_ACTIONS = re.compile(r"^(?:none|nil|no|n/?a|not applicable|no actions?|none identified|no further actions?|nfa)\b[\s\w]{0,25}$", re.I)

# Who: a role, team or agency, a name ("J. Smith", "Jane Smith"), initials in brackets, or an "owner:" label.
_OWNER = re.compile(
    r"(?i:\b(?:dsl|ddsl|designated safeguarding lead|safeguarding (?:lead|team|adviser|advisor|nurse)|named (?:nurse|doctor|gp)"
    r"|social worker|sw|team manager|tm|service manager|manager|head ?teacher|head of \w+|deputy head|senco|hv"
    r"|health visitor|school nurse|midwife|gp|practitioner|supervisor|auditor|iro|chair|lead|officer|pc|ds|di|dci"
    r"|sergeant|inspector|fsw|worker|coordinator|co-ordinator|director|probation officer|yot worker)s?\b"
    r"|\b(?:mr|mrs|ms|miss|dr)\.?\s+[a-z]"
    r"|\b(?:owner|responsible|lead|by whom|who)\s*:"
    # an agency or group is an owner only as the subject ("School to review..."), not as a topic ("school attendance")
    r"|\b(?:school|health|police|agency|team|trust|nursery|csc|staff|service|practice|probation|yot|board|support|admin)"
    r"\s+(?:to|will|should|must)\b)"
    # names are case-sensitive: "J. Smith", "(JS)"; two capitalised words are too often a title to count
    r"|\b[A-Z]\.\s?[A-Z][a-z]+|\([A-Z]{2,3}\)",
)
# When: a date, or a timescale in words.
_WHEN = re.compile(
    r"\b(?:within \d+|within (?:a|one|two|three|four|six) (?:day|week|month)|by (?:the )?(?:end|start|close|beginning)"
    r"|by next|next (?:week|month|term|supervision|meeting|review|audit|core group)|immediately|ongoing|asap"
    r"|as soon as possible|timescales?:|deadline|q[1-4]\b|quarter|(?:this|next|summer|autumn|spring) term|half[- ]term"
    r"|weekly|monthly|fortnightly|annually|by (?:easter|christmas|september|summer)|\d+ (?:days|weeks|months))",
    re.I,
)


def is_action_question(section: Section, q: Question) -> bool:
    """Learning-section questions that collect actions (id contains "action" or the wording mentions actions)."""
    return section.learning and ("action" in q.id or re.search(r"\bactions?\b", q.wording, re.I) is not None)


def action_lines(text: str) -> list[str]:
    """Split an actions answer into one line per action: lines, numbered or bulleted items, then sentences."""
    lines: list[str] = []
    for line in text.splitlines():
        for item in _ITEM_START.split(line):
            lines.extend(_SENTENCE_END.split(item))
    kept = []
    for line in (part.strip(" \t;") for part in lines):
        if not line or line.endswith(":") or len(line.split()) < 3 or _NO_ACTIONS.match(normalise(line)):
            continue
        kept.append(line)
    return kept


def _action_texts(ctx: Context) -> Iterator[tuple[Question, str]]:
    for s, q, a in ctx.answered():
        if is_action_question(s, q):
            for line in action_lines(a.answer):
                yield q, line


def action_without_owner(ctx: Context) -> Iterator[Finding]:
    """An action line that names no person, role, team or agency to carry it out."""
    for q, line in _action_texts(ctx):
        if not _OWNER.search(line):
            yield Finding(FlagCode.action_without_owner, q.id, f"The action {quote(line, 7)} does not say who is responsible.")


def action_without_timescale(ctx: Context) -> Iterator[Finding]:
    """An action line with neither a date nor a timescale ("within 3 months", "by end of term")."""
    for q, line in _action_texts(ctx):
        if not _WHEN.search(line) and not find_dates(line, reference=ctx.reference):
            yield Finding(FlagCode.action_without_timescale, q.id, f"The action {quote(line, 7)} has no date or timescale.")
