"""A self-assessment's ratings, evidence and actions read from its mapped answers (Section 11 / 175).

Mapping has already placed every answer under its question and read ticks, marks in Met / Partially met /
Not met columns, drop-downs and shaded option cells as the option chosen. What is left for here: naming the
rating's level on the common scale, a rating shown only by the fill colour of its cell (red / amber / green),
the period covered, and splitting each action into what, who and by when.
"""

from __future__ import annotations

import colorsys
import re
from datetime import date

from models.assessment import (
    LEVEL_LABELS, Level, RatedAction, SelfAssessment, StandardRating, period_question, rating_level, standards,
)
from models.raw import RawDocument, Table
from models.record import Answer, Header, Status
from models.template import Template

_MARKS = re.compile(r"[☒☑✓✔√■⊠☐□]|\b[xX]\b")


def colour_level(fill: str | None) -> Level | None:
    """The RAG level a cell's fill colour shows: red, amber (orange or yellow) or green; None for greys, blues,
    white or no fill."""
    if not fill or not re.fullmatch(r"[0-9A-Fa-f]{6}", fill):
        return None
    r, g, b = (int(fill[i:i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(r, g, b)
    if sat < 0.35 or light < 0.15 or light > 0.9:
        return None
    degrees = hue * 360
    if degrees < 18 or degrees >= 330:
        return "not_met"
    if degrees < 70:
        return "partially_met"
    if 75 <= degrees < 170:
        return "met"
    return None


def _label_for(level: Level, template: Template, options: list[str]) -> str:
    """How this form prints a level: its own option for it ('Amber'), else the common label ('Partially met')."""
    return next((o for o in options if rating_level(o, template) == level), LEVEL_LABELS[level])


def _row_fills(raw: RawDocument, answer: Answer) -> list[str]:
    """Fills of the cells beside the rating's label, in the table row the rating was found in."""
    loc = answer.location
    if loc is None or loc.table is None or loc.row is None:
        return []
    tables = [b for b in raw.blocks if isinstance(b, Table)]
    for t in tables:
        for row in t.rows:
            cells = [c for c in row.cells if c.location.table == loc.table and c.location.row == loc.row]
            if cells:
                return [c.shading for c in cells if c.shading and c.col != loc.col]
    return []


def _rating(answer: Answer, printed: list[str], raw: RawDocument, template: Template,
            options: list[str]) -> tuple[str | None, Level | None, str | None, str | None]:
    """(rating as printed, level, marked_by, problem) of one standard."""
    lines = [ln.strip(" ☒☑✓✔.") for ln in answer.answer.splitlines() if ln.strip()]
    found = [(ln, lv) for ln in lines if (lv := rating_level(ln, template))]
    levels = list(dict.fromkeys(lv for _ln, lv in found))
    choice = any(_MARKS.search(str(p)) for p in printed) or sum(bool(rating_level(str(p).strip(), template))
                                                                for p in printed) > 1
    if len(levels) > 1:
        return None, None, "choice" if choice else "text", "multiple_marked"
    if levels:  # named as the form prints it ('amber' typed is 'Amber')
        label = next((o for o in options if rating_level(o, template) == levels[0]), found[0][0])
        return label, levels[0], "choice" if choice else "text", None
    shown = list(dict.fromkeys(lv for f in _row_fills(raw, answer) if (lv := colour_level(f))))
    if len(shown) == 1:
        return _label_for(shown[0], template, options), shown[0], "colour", None
    return None, None, None, "multiple_marked" if len(shown) > 1 else "none_marked"


_PARTS = re.compile(r"\s+[-–—|]\s+|\t+|\s*\|\s*")
_LABELLED = re.compile(r"\b(owner|lead|by whom|responsible|who|timescale|by when|deadline|due|target date|status)\s*:\s*",
                       re.I)
_TIMESCALE = re.compile(r"\b(?:by|within|end of|next|ongoing|immediately|term|month|week|quarter|q[1-4]|annual|"
                        r"january|february|march|april|may|june|july|august|september|october|november|december)\b|\d",
                        re.I)
_STATUS = re.compile(r"^(?:complete[d]?|done|in progress|on track|not started|open|overdue|ongoing)$", re.I)
_NONE = re.compile(r"^(?:none|n/?a|nil|no actions?(?: needed| required)?|not applicable)\.?$", re.I)


def parse_action(line: str, reference: date) -> RatedAction:
    """One action line as what, who and by when: 'Train two panel members - HR manager - by 30/06/2026',
    'Owner: J. Patel; Timescale: July 2026', or a grid row's cells joined by ' | '."""
    from pipeline.dates import find_dates

    fields: dict[str, str] = {}
    pieces = _LABELLED.split(line)
    text = pieces[0]
    for name, value in zip(pieces[1::2], pieces[2::2]):
        key = name.lower()
        key = "status" if key == "status" else "timescale" if key in ("timescale", "by when", "deadline", "due",
                                                                       "target date") else "owner"
        fields[key] = value.strip(" ;,.")
    parts = [p.strip(" ;,") for p in _PARTS.split(text) if p.strip(" ;,")]
    text = parts[0] if parts else text.strip(" ;,")
    rest = parts[1:]
    if rest and _STATUS.match(rest[-1]) and "status" not in fields:
        fields["status"] = rest.pop()
    for part in rest:
        if "timescale" not in fields and _TIMESCALE.search(part) and (find_dates(part, reference) or len(rest) == 1
                                                                       or "owner" in fields):
            fields["timescale"] = part
        elif "owner" not in fields:
            fields["owner"] = part
        elif "timescale" not in fields:
            fields["timescale"] = part
    return RatedAction(text=text.strip(), owner=fields.get("owner") or None, due=due_date(fields.get("timescale"), reference),
                       timescale=fields.get("timescale") or None, status=fields.get("status") or None)


def action_lines(text: str) -> list[str]:
    """An actions answer split into one line per action; 'None' and headings ('Action | Owner | Timescale') left out."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:\d{1,2}[.)]|[•·*\-–])\s+", "", line).strip()
        if not line or _NONE.match(line) or re.fullmatch(r"(?i)actions?\s*[|\-–]\s*(?:owner|by whom|lead).*", line):
            continue
        out.append(line)
    return out


_OWNER_HEAD = re.compile(r"\b(?:lead|owner|by whom|who|responsible|person|officer)\b", re.I)
_WHEN_HEAD = re.compile(r"\b(?:when|timescale|date|deadline|target|due)\b", re.I)
_STATUS_HEAD = re.compile(r"\b(?:status|progress|complete[d]?)\b", re.I)


def due_date(timescale: str | None, reference: date) -> str | None:
    """The ISO date a timescale ends on: its last date; 'June 2026' is the end of June, '2027' the end of 2027."""
    import calendar

    from pipeline.dates import find_dates

    found = [d for d in find_dates(timescale, reference) if d.valid and d.value] if timescale else []
    if not found:
        return None
    d = found[-1]
    if d.precision == "month":
        return d.value.replace(day=calendar.monthrange(d.value.year, d.value.month)[1]).isoformat()
    if d.precision == "year":
        return d.value.replace(month=12, day=31).isoformat()
    return d.value.isoformat()


def _cell_text(cell) -> str:
    from models.raw import Paragraph

    return " ".join(p.text.strip() for p in cell.blocks if isinstance(p, Paragraph) and p.text.strip())


def grid_actions(raw: RawDocument, template: Template, reference: date) -> dict[str, list[RatedAction]]:
    """Actions typed in an ``Action | Lead | By when`` grid, row by row, by actions question id.

    Learning makes such a grid one question (the first heading its wording, the others its guidance), and the
    answer's text runs the cells together; the raw tables keep the rows. Grids are matched to questions by
    their headings, in document order; when the counts differ, nothing is returned and the text is read instead.
    """
    from pipeline.text import normalise

    wanted: dict[tuple, list[str]] = {}
    for part in standards(template):
        for qid in part.actions:
            q = next(q for q in template.questions() if q.id == qid)
            if q.guidance and all(len(g.split()) <= 4 for g in q.guidance):
                wanted.setdefault(tuple(normalise(h) for h in [q.wording, *q.guidance]), []).append(qid)
    if not wanted:
        return {}
    found: dict[tuple, list[list[list[str]]]] = {k: [] for k in wanted}
    for t in (b for b in raw.blocks if isinstance(b, Table)):
        if not t.rows:
            continue
        head = tuple(normalise(_cell_text(c)) for c in t.rows[0].cells)
        if head in found:
            found[head].append([[_cell_text(c) for c in row.cells] for row in t.rows[1:]])
    out: dict[str, list[RatedAction]] = {}
    for head, qids in wanted.items():
        if len(found[head]) != len(qids):
            continue
        for qid, rows in zip(qids, found[head]):
            actions = []
            for cells in rows:
                if not any(cells):
                    continue
                fields = {"text": [], "owner": [], "timescale": [], "status": []}
                for h, value in zip(head, cells):
                    if not value:
                        continue
                    key = ("owner" if _OWNER_HEAD.search(h) else "timescale" if _WHEN_HEAD.search(h)
                           else "status" if _STATUS_HEAD.search(h) else "text")
                    fields[key].append(value)
                when = " ".join(fields["timescale"]) or None
                actions.append(RatedAction(text=" ".join(fields["text"]) or "(no action written)",
                                           owner=" ".join(fields["owner"]) or None, timescale=when,
                                           due=due_date(when, reference),
                                           status=" ".join(fields["status"]) or None))
            out[qid] = actions
    return out


_YEARS = re.compile(r"\b((?:19|20)\d{2})(?:\s*(?:/|-|–|to)\s*((?:19|20)?\d{2}))?\b")


def read_period(text: str, date_of_audit: str | None) -> str | None:
    """'2025/26' for an academic or financial year however written ('2025-2026', 'April 2025 to March 2026'),
    '2026' for a single year; from the date of audit's year when the form gives none."""
    years = [int(y) for m in _YEARS.finditer(text or "") for y in (m.group(1), m.group(2)) if y]
    years = [y + 2000 if y < 100 else y for y in years]
    if years:
        first, last = min(years), max(years)
        return f"{first}/{str(last)[2:]}" if last == first + 1 else str(first)
    return date_of_audit[:4] if date_of_audit else None


def read_self_assessment(template: Template, header: Header, answers: list[Answer], raw: RawDocument,
                         printed: dict[str, list[str]], reference: date) -> SelfAssessment:
    """The organisation, period and every standard's rating, evidence and actions; ``printed`` holds the lines
    mapping placed under each question, before choices were read (to tell a tick from a typed word)."""
    by_id = {a.id: a for a in answers}
    options = {q.id: q.options for q in template.questions()}
    grids = grid_actions(raw, template, reference)
    out = []
    for part in standards(template):
        rating = level = marked_by = problem = None
        if part.rating:
            rating, level, marked_by, problem = _rating(by_id[part.rating], printed.get(part.rating, []), raw, template,
                                                        options[part.rating])
        evidence = [i for i in part.evidence if by_id[i].status == Status.answered]
        actions = [a for i in part.actions for a in (
            grids[i] if i in grids else
            [parse_action(line, reference) for line in action_lines(by_id[i].answer)]
            if by_id[i].status == Status.answered else [])]
        out.append(StandardRating(standard=part.section, title=part.title, rating=rating, level=level,
                                  marked_by=marked_by, problem=problem, evidence=evidence, actions=actions))
    period_id = period_question(template)
    period = read_period(by_id[period_id].answer if period_id else "", header.date_of_audit)
    return SelfAssessment(organisation=header.agency, period=period, standards=out)


def with_colour_ratings(answers: list[Answer], assessment: SelfAssessment, template: Template) -> list[Answer]:
    """The answers with a rating shown only by its cell's colour written in as the rating ('Red'), so the
    record's answers, the workbook and the unanswered check all see it."""
    by_section = {p.section: p.rating for p in standards(template)}
    coloured = {by_section[s.standard]: s.rating for s in assessment.standards if s.marked_by == "colour"}
    return [a.model_copy(update={"answer": coloured[a.id], "status": Status.answered}) if coloured.get(a.id) else a
            for a in answers]
