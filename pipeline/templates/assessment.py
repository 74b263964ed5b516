"""A learned template that is an organisational self-assessment (Section 11 / 175) is marked as one.

``maap templates learn`` reads a blank form's questions the same way for every tool; this step then says
what a self-assessment's questions are for (``role``: period, rating, evidence, actions), so that the person
checking the learned file sees it, and returns read from it become self-assessment records.
"""

from __future__ import annotations

import re

from models.assessment import period_question, role_of, standards
from models.raw import Paragraph, RawDocument, Table
from models.template import Question, Section, Template

_TITLE = re.compile(r"\bsection\s*(?:11|175|157)\b|\bs\.?\s?(?:11|175)\b|\bself[- ]?assessment\b|\bsafeguarding audit for schools\b",
                    re.I)


def looks_like_self_assessment(template: Template) -> bool:
    """No child asked for, and titled as a Section 11 / 175 / self-assessment, or two standards with a rating."""
    if any(h.key == "child" for h in template.header):
        return False
    titled = any(_TITLE.search(t) for t in [template.name, *template.titles])
    rated = sum(1 for s in standards(template) if s.rating)
    return rated >= 2 or (titled and rated >= 1)


_PERIOD_LABEL = re.compile(r"^\s*((?:audit|self[- ]?assessment|academic|financial|reporting|review)?\s*"
                           r"(?:year|period)(?: covered| of (?:audit|assessment))?)\s*:", re.I)


def _period_label(raw: RawDocument | None) -> str | None:
    """A 'Year:' / 'Audit year:' / 'Period covered:' label printed on the blank, which learning keeps no field for."""
    texts = []
    for b in raw.blocks if raw is not None else []:
        if isinstance(b, Paragraph):
            texts.append(b.text)
        elif isinstance(b, Table):
            texts += [p.text for row in b.rows for c in row.cells for p in c.blocks if isinstance(p, Paragraph)]
    return next((m.group(1).strip() for t in texts if (m := _PERIOD_LABEL.match(t))), None)


def as_self_assessment(template: Template, raw: RawDocument | None = None) -> Template:
    """The template marked ``kind: self_assessment`` with every question's role written out, when it is one;
    otherwise the template unchanged. Ratings, evidence, actions and the period are never dated events, and
    actions are asked for only where a standard is not met (a rule checks that), so they are not required.
    A period label on the blank (``raw``) that learning kept no field for becomes a first 'About' section."""
    if template.kind == "self_assessment" or not looks_like_self_assessment(template):
        return template
    sections = []
    for s in template.sections:
        questions = []
        for q in s.questions:
            role = role_of(q, s.questions, template)
            update = {"role": role, "requires_date": False} if role else {}
            if role == "actions":
                update["required"] = False
            questions.append(q.model_copy(update=update))
        sections.append(s.model_copy(update={"questions": questions}))
    if period_question(template) is None and (label := _period_label(raw)):
        about = Section(id="about", title="About this self-assessment", questions=[
            Question(id="period", wording=label, role="period", required=False, requires_date=False)])
        if not any(s.id == "about" for s in sections):
            sections.insert(0, about)
    return template.model_copy(update={"kind": "self_assessment", "sections": sections})
