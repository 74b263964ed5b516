"""A learned template that is an organisational self-assessment (Section 11 / 175) is marked as one.

``maap templates learn`` reads a blank form's questions the same way for every tool; this step then says
what a self-assessment's questions are for (``role``: period, rating, evidence, actions), so that the person
checking the learned file sees it, and returns read from it become self-assessment records.
"""

from __future__ import annotations

import re

from models.assessment import role_of, standards
from models.template import Template

_TITLE = re.compile(r"\bsection\s*(?:11|175|157)\b|\bs\.?\s?(?:11|175)\b|\bself[- ]?assessment\b|\bsafeguarding audit for schools\b",
                    re.I)


def looks_like_self_assessment(template: Template) -> bool:
    """No child asked for, and titled as a Section 11 / 175 / self-assessment, or two standards with a rating."""
    if any(h.key == "child" for h in template.header):
        return False
    titled = any(_TITLE.search(t) for t in [template.name, *template.titles])
    rated = sum(1 for s in standards(template) if s.rating)
    return rated >= 2 or (titled and rated >= 1)


def as_self_assessment(template: Template) -> Template:
    """The template marked ``kind: self_assessment`` with every question's role written out, when it is one;
    otherwise the template unchanged. Ratings, evidence, actions and the period are never dated events."""
    if template.kind == "self_assessment" or not looks_like_self_assessment(template):
        return template
    sections = []
    for s in template.sections:
        questions = []
        for q in s.questions:
            role = role_of(q, s.questions, template)
            update = {"role": role, "requires_date": False} if role else {}
            questions.append(q.model_copy(update=update))
        sections.append(s.model_copy(update={"questions": questions}))
    return template.model_copy(update={"kind": "self_assessment", "sections": sections})
