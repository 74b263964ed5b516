"""The headline-findings report built from records made in code: findings, audit facts, charts, one year on,
the template a partnership can replace."""

import re

import pytest

from models.errors import ConfigError
from models.record import Answer, Evidence, Grade, Status, ThemeTag
from pipeline.outputs.findings import owner_of, timescale_of
from pipeline.outputs.report import render_report, report_context, report_html
from tests.records import make_record


def _tag(tid, label, *sentences):
    """A theme tag whose evidence is (sentence, polarity) pairs."""
    return ThemeTag(id=tid, label=label, mentions=len(sentences), answers=["q1"],
                    evidence=[Evidence(answer="q1", sentence=s, polarity=p) for s, p in sentences])


def _record(n, agency, themes, child="Amelia Thornbury", grade="good", answers=()):
    record = make_record(agency=agency, child=child, grade=grade, sha=f"{n:064d}", file=f"{n}.docx")
    extra = [Answer(id=i, section=section, question=q, answer=a, status=Status.answered) for i, section, q, a in answers]
    return record.model_copy(update={"themes": themes, "answers": record.answers + extra})


SHARED = "The voice of the child was recorded at every visit and Amelia's wishes shaped the plan."


def _round():
    voice = lambda *s: _tag("voice_of_the_child", "Voice of the child", *s)  # noqa: E731
    return [
        _record(1, "Police", [voice((SHARED, "strength")), _tag("information_sharing", "Information sharing",
                                                                 (SHARED, "strength"),
                                                                 ("Police shared the report the same day.", "strength"))]),
        _record(2, "School", [voice(("Her views were not sought before the conference met.", "concern"))],
                grade="inadequate"),
        _record(3, "Health Visiting", [voice(("The health visitor saw Amelia alone and recorded what she said.",
                                              "strength"))], child="Kieran Mulholland", grade="requires_improvement",
                answers=[("learning_actions", "Learning", "Please record any actions for your agency",
                          "Named Nurse to deliver a briefing on chronologies by 30/06/2024.\nReminder to all staff.")]),
    ]


def test_findings_count_returns_by_polarity_and_never_quote_the_same_sentence_twice():
    context = report_context(_round(), [])
    [voice] = [f for f in context["worked_well"] if f.label == "Voice of the child"]
    assert (voice.strengths, voice.concerns) == (2, 1)
    [worry] = [f for f in context["worried"] if f.label == "Voice of the child"]
    assert [q.text for q in worry.quotes] == ["Her views were not sought before the conference met."]
    quoted = [q.text for f in context["worked_well"] + context["worried"] for q in f.quotes]
    assert len(quoted) == len(set(quoted)) and any("Child A's wishes" in q for q in quoted)
    html = report_html(_round(), [])
    assert "A strength in 2 returns, a concern in 1." in html and "1. What worked well" in html
    assert "4. Impact on the child" in html and "Amelia" not in html and "Kieran" not in html


def test_a_theme_every_return_mentions_is_named_as_asked_by_every_tool_not_reported_as_a_finding():
    html = report_html(_round(), [])
    assert "Every return mentioned voice of the child: every audit tool asks about it" in html
    assert "voice of the child: 3 of 3" not in html.lower()


def test_audit_facts_show_the_trackers_outstanding_returns_with_the_child_coded():
    tracker = {"expected": 5, "received": 3,
               "outstanding": [{"agency": "GP", "case": "Amelia Thornbury", "due": "12/04/2024"},
                               {"agency": "Housing", "case": "Kieran Mulholland"}]}
    html = report_html(_round(), [], tracker=tracker)
    assert "3 received of 5 expected" in html and re.search(r"<b>2</b>still outstanding", html)
    assert re.search(r"GP \(Child [AB]\), due 12/04/2024; Housing \(Child [AB]\)", html)
    assert "still outstanding" not in report_html(_round(), [])


def test_grades_by_agency_type_are_drawn_as_inline_svg_from_the_mapping():
    types = {"Police": "Police", "School": "Education", "Health Visiting": "Health"}
    context = report_context(_round(), [], agency_type=types)
    assert [row["label"] for row in context["type_chart"]["rows"]] == ["Education", "Health", "Police"]
    html = report_html(_round(), [], agency_type=lambda name: "Partner " + name[0])
    svg = html[html.index("<svg"):html.rindex("</svg>")]
    assert "Partner P" in svg and "Partner S" in svg and "<rect" in svg and "Inadequate: 1" in svg
    assert "1 of 3 graded returns judged practice good or outstanding" in html


def test_draft_action_plan_reads_owner_and_timescale_from_each_action_line():
    html = report_html(_round(), [])
    row = re.search(r"<tr><td>Named Nurse to deliver.*?</tr>", html).group(0)
    assert "<td>Named Nurse</td><td>by 30/06/2024</td>" in row
    row = re.search(r"<tr><td>Reminder to all staff\..*?</tr>", html).group(0)
    assert row.count("not stated") == 2
    assert "2 actions were proposed; 1 still needs an owner or a timescale" in html


def test_owner_and_timescale_of_action_lines():
    assert owner_of("HV team leader to audit 10 records by September 2024.") == "HV team leader"
    assert timescale_of("HV team leader to audit 10 records by September 2024.") == "by September 2024"
    assert timescale_of("Admin team to inform referrers - immediately.") == "immediately"
    assert owner_of("Update the chronology.") == "" and timescale_of("Update the chronology.") == ""


def test_one_year_on_shows_the_grade_shift_themes_better_and_worse_and_actions_carried_over():
    earlier = [
        _record(11, "Police", [_tag("voice_of_the_child", "Voice of the child", ("Views not recorded.", "concern"))],
                grade="inadequate",
                answers=[("learning_actions", "Learning", "Actions", "Named Nurse to deliver a briefing on "
                          "chronologies by 31/03/2023.\nSchool to buy new laptops by June 2023.")]),
        _record(12, "School", [_tag("information_sharing", "Information sharing", ("Nothing was shared.", "concern"))],
                grade="inadequate"),
    ]
    html = report_html(_round(), [], earlier=earlier)
    section = html[html.index('id="one-year-on"'):html.index('id="annex-cases"')]
    assert "Good or outstanding: 33% of graded returns (1 of 3), up from 0% (0 of 2)" in section
    assert "Better: voice of the child" in section and "Better: information sharing" in section
    assert "1 of the 2 earlier actions come up again" in section and "briefing on chronologies" in section
    assert "laptops" not in section
    assert 'id="one-year-on"' not in report_html(_round(), [])


def test_names_are_shown_only_when_asked_and_then_the_page_says_not_to_share_it(tmp_path):
    shown = render_report(_round(), [], tmp_path / "r.html", names=True).read_text()
    assert "Amelia" in shown and "do not share or publish it" in shown
    hidden = render_report(_round(), [], tmp_path / "r.html").read_text()
    assert "Amelia" not in hidden and "Priya" not in hidden and "do not share" not in hidden


def test_a_partnership_template_replaces_the_built_in_one_and_still_escapes_submitted_text(tmp_path):
    template = tmp_path / "report.html.j2"
    template.write_text("<h1>Kingsmere SCP</h1>{% for f in worried %}<p>{{ f.label }}: "
                        "{% for q in f.quotes %}{{ q.text }}{% endfor %}</p>{% endfor %}", encoding="utf-8")
    record = _record(1, "Police", [_tag("neglect", "Neglect", ("<img src=x onerror=alert(1)> was seen.", "concern"))])
    html = report_html([record], [], template=template)
    assert html.startswith("<h1>Kingsmere SCP</h1><p>Neglect: ") and "&lt;img src=x" in html and "<img" not in html
    template.write_text("{% for f in worried %}{{ f.quotes[0].text|safe }}{% endfor %}", encoding="utf-8")
    with pytest.raises(ConfigError, match="report.html.j2.*does not compile"):
        report_html([record], [], template=template)


def test_tools_without_a_grade_are_counted_apart_from_returns_with_no_grade_marked():
    no_tool_grade = make_record(sha="e" * 64).model_copy(update={"grade": Grade()})
    html = report_html([make_record(), make_record(grade=None, sha="f" * 64), no_tool_grade], [])
    assert "1 return was on audit tools that ask for no grade" in html
    assert re.search(r"<td>No grade marked</td><td class=\"num\">1</td>", html)
