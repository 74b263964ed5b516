"""Fictional cases built in code for the case, tracker and pack tests: every child, agency and event is invented."""

from __future__ import annotations

import hashlib

from models.record import (
    Answer, AuditReturn, Evidence, Flag, FlagCode, Grade, Header, Quality, Severity, Source, Status, TemplateMatch,
    ThemeTag,
)
from pipeline.store.workspace import LedgerEntry, Reason, Workspace, append_ledger, write_atomic

QUESTIONS = [("context", "Context", "How long has the case been open to your service?"),
             ("q1", "Prevention / early help", "How were opportunities for prevention and early help used?"),
             ("q7", "Assessment", "Are assessments timely and proportionate to risk?")]


def make_return(child: str, agency: str, *, file: str | None = None, theme: str = "Neglect",
                audited: str = "2024-05-14", grade: str | None = "good", answer: str = "",
                dob_answer: str | None = None, theme_id: str = "neglect", version: int = 1) -> AuditReturn:
    """One fictional return: three answers (one left blank), a grade, a theme and a flag."""
    file = file or f"{agency.lower().replace(' ', '-')}-{child.lower().replace(' ', '-')}.docx"
    sha = hashlib.sha256(f"{child}|{agency}|{file}|{theme}|{audited}|{version}".encode()).hexdigest()
    said = answer or f"{agency} saw the child at home on 03/03/2024; the home was cold and there was little food."
    answers = [Answer(id="context", section="Context", question=QUESTIONS[0][2], answer=f"Open since 2023 ({agency}).",
                      status=Status.answered),
               Answer(id="q1", section=QUESTIONS[1][1], question=QUESTIONS[1][2], answer=said, status=Status.answered,
                      dates=["2024-03-03"], themes=[theme_id]),
               Answer(id="q7", section=QUESTIONS[2][1], question=QUESTIONS[2][2], status=Status.unanswered)]
    if dob_answer:
        answers.insert(0, Answer(id="dob", section="Child's details", question="Date of birth", answer=dob_answer,
                                 status=Status.answered))
    return AuditReturn(
        source=Source(file=file, sha256=sha, format="docx"),
        template=TemplateMatch(id="west-midlands-maat", version="1", confidence=0.95),
        header=Header(agency=agency, auditor="Auditor Example", practitioner="Practitioner Example", child=child,
                      date_of_audit=audited, theme=theme),
        answers=answers,
        grade=Grade(value=grade) if grade else Grade(problem="none_marked"),
        themes=[ThemeTag(id=theme_id, label=theme_id.replace("_", " ").capitalize(), mentions=1, answers=["q1"],
                         evidence=[Evidence(answer="q1", sentence=said, polarity="concern")])],
        flags=[Flag(code=FlagCode.unanswered, severity=Severity.warning, answer="q7",
                    message="Question 7 (assessment) was left blank.")],
        quality=Quality(score=72, breakdown={"completeness": 66}),
    )


def arrive(ws: Workspace, record: AuditReturn, at: str = "2024-05-20T09:00:00+00:00", inbox_name: str | None = None):
    """Record a return as read: its JSON in records/ and a 'processed' line in the ledger."""
    ws.ensure()
    rel = f"records/{record.source.sha256[:12]}.json"
    write_atomic(ws.root / rel, record.model_dump_json().encode())
    append_ledger(ws, LedgerEntry(file=inbox_name or record.source.file, sha256=record.source.sha256,
                                  outcome="processed", record=rel, at=at))


def quarantine(ws: Workspace, name: str, at: str = "2024-05-21T09:00:00+00:00", code: str = "password_protected"):
    """Record a file as quarantined (no record), as the intake does for a file it cannot read."""
    ws.ensure()
    append_ledger(ws, LedgerEntry(file=name, sha256=hashlib.sha256(name.encode()).hexdigest(), outcome="quarantined",
                                  reason=Reason(code=code, message="A password is needed to open it: ask the agency "
                                                "for a copy without one."), at=at))
