"""Fictional AuditReturn records built in code, for output tests."""

from models.record import (
    Answer, AuditReturn, Evidence, Flag, FlagCode, Grade, Header, Quality, Severity, Source, Status, TemplateMatch,
    ThemeTag,
)


def make_record(agency="Health Visiting", child="Amelia Thornbury", grade="good", sha="a" * 64,
                answer="Home visit on 03/03/2024: Amelia was seen with her mother.", file="hv.docx") -> AuditReturn:
    return AuditReturn(
        source=Source(file=file, sha256=sha, format="docx"),
        template=TemplateMatch(id="west-midlands-maat", version="1", confidence=0.97),
        header=Header(agency=agency, auditor="Priya Natarajan", practitioner="Tom Okafor", child=child,
                      date_of_audit="2024-05-14"),
        answers=[
            Answer(id="q1", section="Prevention", question="How were opportunities...", answer=answer,
                   status=Status.answered, dates=["2024-03-03"], themes=["neglect"]),
            Answer(id="q2", section="Prevention", question="How did this impact...", answer="",
                   status=Status.unanswered),
        ],
        grade=Grade(value=grade) if grade else Grade(problem="none_marked"),
        themes=[ThemeTag(id="neglect", label="Neglect", mentions=1, answers=["q1"],
                         evidence=[Evidence(answer="q1", sentence=answer, polarity="concern")])],
        flags=[Flag(code=FlagCode.unanswered, severity=Severity.warning, answer="q2",
                    message="Question 2 was left blank.")],
        quality=Quality(score=70, breakdown={"completeness": 50}),
    )
