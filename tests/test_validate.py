"""Data-quality flags: each rule fires on the problem an analyst would chase, and stays quiet otherwise."""

from datetime import date

import pytest

from models.record import AuditReturn, Answer, FlagCode, Grade, Header, Severity, Source, Status, TemplateMatch
from models.raw import Comment
from pipeline.templates.registry import load_templates
from pipeline.validation.validate import config_problems, precompute_undated, validate

TODAY = date(2024, 7, 1)
GOOD = "Practice was good and the plan was outcome focused."
ACTION = "DSL to deliver chronology training to staff by end of September 2024."


@pytest.fixture(scope="module")
def template():
    return load_templates()["west-midlands-maat"]


def make_record(template, answers: dict[str, str] | None = None, drop=(), **changes) -> AuditReturn:
    """A complete, clean return (every question answered with a reflective sentence), then the given changes."""
    answers = answers or {}
    rows = []
    for s in template.sections:
        for q in s.questions:
            if q.id in drop:
                continue
            text = answers.get(q.id, ACTION if q.id == "learning_actions" else GOOD)
            status = Status.not_applicable if text.strip().upper() == "N/A" else (Status.answered if text.strip() else Status.unanswered)
            rows.append(Answer(id=q.id, section=s.id, question=q.wording, answer=text, status=status))
    header = Header(agency="Police", auditor="Auditor", practitioner="Practitioner", child="Child", date_of_audit="2024-06-30")
    record = AuditReturn(
        source=Source(file="return.docx", sha256="0" * 64, format="docx"),
        template=TemplateMatch(id=template.id, version=template.version, confidence=1.0),
        header=header,
        answers=rows,
        grade=Grade(value="good"),
    )
    return record.model_copy(update=changes)


def codes(flags, answer=None):
    return [f.code for f in flags if answer is None or f.answer == answer]


def run(template, record, **kw):
    return validate(record, template, TODAY, **kw)


def test_a_clean_return_has_no_flags(template):
    assert run(template, make_record(template)) == []


def test_blank_placeholder_and_deleted_rows_are_unanswered_once_each(template):
    record = make_record(template, {"q1": "", "q2": "Click or tap here to enter text.", "q3": "Please explain."}, drop=["q4"])
    flags = [f for f in run(template, record) if f.code == FlagCode.unanswered]
    assert [(f.answer, f.severity) for f in flags] == [(q, Severity.warning) for q in ("q1", "q2", "q3", "q4")]
    assert "deleted" in flags[3].message and "placeholder" in flags[1].message


def test_not_applicable_is_info_and_not_unanswered(template):
    flags = run(template, make_record(template, {"q4": "N/A"}))
    assert [(f.code, f.severity) for f in flags] == [(FlagCode.not_applicable, Severity.info)]


def test_missing_required_header_fields_are_named(template):
    record = make_record(template)
    record = record.model_copy(update={"header": record.header.model_copy(update={"child": None, "date_of_audit": None, "theme": None})})
    flags = [f for f in run(template, record) if f.code == FlagCode.missing_header]
    assert len(flags) == 2  # theme is optional
    assert any("Name of Child" in f.message for f in flags) and any("Date of audit" in f.message for f in flags)


def test_grade_missing_and_multiple(template):
    assert codes(run(template, make_record(template, grade=Grade()))) == [FlagCode.grade_missing]
    flags = run(template, make_record(template, grade=Grade(problem="multiple_marked")))
    assert [(f.code, f.severity) for f in flags] == [(FlagCode.grade_multiple, Severity.error)]


def test_placeholder_left_beside_a_real_answer(template):
    flags = run(template, make_record(template, {"q5": "Resolved by discussion between managers. Click or tap here to enter text."}))
    assert codes(flags) == [FlagCode.placeholder_text]
    assert "Click or tap here" in flags[0].message


def test_answer_that_repeats_the_question(template):
    wording = template.questions()[2].wording  # q1
    assert codes(run(template, make_record(template, {"q1": wording}))) == [FlagCode.answer_repeats_question]
    assert codes(run(template, make_record(template, {"q1": "Early help was offered and considered."}))) == []


def test_thin_answer_only_where_an_explanation_is_asked(template):
    flags = run(template, make_record(template, {"q3": "Yes", "q1": "No.", "q13": "Yes", "c2": "No"}))
    assert [f.answer for f in flags if f.code == FlagCode.thin_answer] == ["q1", "q3"]  # q13 says "If not, why?"


def test_tracked_changes_and_comments_are_flagged(template):
    record = make_record(template)
    record = record.model_copy(
        update={
            "extraction": record.extraction.model_copy(update={"revisions": 3}),
            "comments": [Comment(author="Reviewer", text="Please add a date.")],
        }
    )
    flags = run(template, record)
    assert codes(flags) == [FlagCode.unresolved_revisions, FlagCode.comments_left]
    assert "3 tracked changes" in flags[0].message and "Please add" not in flags[1].message


def test_actions_need_an_owner_and_a_timescale(template):
    text = (
        "1. Refresher training on chronologies for the team.\n"
        "2. DSL to audit CPOMS records by end of May 2024.\n"
        "3. Team Manager to review supervision policy.\n"
        "4. Share the learning brief within 3 months."
    )
    flags = run(template, make_record(template, {"learning_actions": text}))
    owner = [f.message for f in flags if f.code == FlagCode.action_without_owner]
    when = [f.message for f in flags if f.code == FlagCode.action_without_timescale]
    assert len(owner) == 2 and "Refresher training" in owner[0] and "Share the learning" in owner[1]
    assert len(when) == 2 and "Refresher training" in when[0] and "Team Manager" in when[1]


def test_no_actions_means_no_action_flags(template):
    for text in ("None identified.", "No actions", "N/A"):
        assert not {FlagCode.action_without_owner, FlagCode.action_without_timescale} & set(
            codes(run(template, make_record(template, {"learning_actions": text})))
        )


def test_impossible_and_future_dates(template):
    flags = run(template, make_record(template, {"q6": "GCP2 completed 31/02/2024 and DASH on 12/12/2024."}))
    assert [(f.code, f.severity) for f in flags] == [(FlagCode.invalid_date, Severity.error), (FlagCode.date_in_future, Severity.error)]
    assert '"31/02/2024"' in flags[0].message and "30/06/2024" in flags[1].message


def test_future_is_measured_from_today_without_an_audit_date_and_plans_are_exempt(template):
    record = make_record(template, {"q6": "DASH on 12/12/2024.", "q14": "Next review due 12/12/2024."})
    record = record.model_copy(update={"header": record.header.model_copy(update={"date_of_audit": None})})
    future = [f for f in run(template, record) if f.code == FlagCode.date_in_future]
    assert [f.answer for f in future] == ["q6"] and "after today" in future[0].message


def test_dates_before_the_audit_window_are_info_once_per_answer(template):
    flags = run(template, make_record(template, {"c2": "Referred 3/3/2021 and 4/4/2022. Child born 05/06/2019.", "q6": "GCP2 in Sept 2023."}))
    old = [f for f in flags if f.code == FlagCode.date_outside_window]
    assert [(f.answer, f.severity) for f in old] == [("c2", Severity.info)]
    assert '"3/3/2021" and 1 other date' in old[0].message


def test_section_left_empty(template):
    flags = run(template, make_record(template, {"q17": "", "q18": "Click or tap here to enter text."}))
    [section] = [f for f in flags if f.code == FlagCode.section_unanswered]
    assert "Multi Agency Working" in section.message and section.answer is None


def test_undated_answer_uses_spacy_and_skips_questions_that_need_no_date(template):
    events = "HV visited the home and saw baby with mum. Referral made to MASH."
    flags = run(template, make_record(template, {"q1": events, "c1": events, "q2": GOOD, "q3": events + " Seen 12/03/2024."}))
    undated = [f for f in flags if f.code == FlagCode.undated_answer]
    assert [f.answer for f in undated] == ["q1"]  # c1 has requires_date false; q3 carries a date
    assert '"HV visited the home' in undated[0].message


def test_precomputed_undated_sentences_are_used_for_many_returns(template):
    records = [make_record(template, {"q1": "Strategy discussion held with police."}), make_record(template)]
    pre = precompute_undated([(r, template) for r in records])
    assert pre[0]["q1"] and not pre[1]["q1"]
    assert codes(validate(records[0], template, TODAY, undated=pre[0])) == [FlagCode.undated_answer]
    # validate trusts the mapping it is given, so a run pays for spaCy once
    assert codes(validate(records[0], template, TODAY, undated={})) == []


def test_severity_and_off_configurable_per_template_and_question(template):
    custom = template.model_copy(deep=True)
    custom.checks = {"unanswered": "error", "not_applicable": "off"}
    custom.sections[1].questions[1].checks = {"unanswered": "info"}  # q2
    flags = validate(make_record(template, {"q1": "", "q2": "", "q3": "N/A"}), custom, TODAY)
    assert [(f.answer, f.severity) for f in flags if f.code == FlagCode.unanswered] == [("q1", Severity.error), ("q2", Severity.info)]
    assert FlagCode.not_applicable not in codes(flags)


def test_config_problems_name_bad_settings(template):
    custom = template.model_copy(deep=True)
    custom.checks = {"unanswerd": "warning", "thin_answer": "warn"}
    problems = config_problems(custom)
    assert len(problems) == 2 and "unanswerd" in problems[0] and "'warn'" in problems[1]
    assert config_problems(template) == []


def test_odd_records_do_not_raise(template):
    record = make_record(template)
    record = record.model_copy(
        update={
            "header": record.header.model_copy(update={"date_of_audit": "sometime in June"}),
            "answers": [*record.answers, Answer(id="extra", section="x", question="?", answer="31/31/31")],
        }
    )
    flags = run(template, record)
    assert codes(flags) == [FlagCode.missing_header]


@pytest.mark.parametrize(
    "text, flagged",
    [
        ("Police attended the address and both children were seen and spoken to.", True),
        ("Strategy discussion held with police and health; agreed S47.", True),
        ("Joint visit by HV and SW.", True),
        ("Dad was invited to the ICPC but did not attend.", True),
        ("Police attended the address on 2nd December 2023 and both children were seen.", False),
        ("Practice was good and the plan was outcome focused.", False),
        ("The case has been open to the service for 14 months.", False),
        ("The health visitor has visited regularly and has a good relationship with mum.", False),
        ("We should have referred to CAMHS sooner.", False),
        ("Referrals are made appropriately and information is shared.", False),
        ("Records do not show whether the child was seen alone.", False),
        ("1. DSL to refresh training. 2. Team manager to audit supervision.", False),
    ],
)
def test_undated_event_sentences_tell_events_from_reflection(text, flagged):
    from pipeline.validation.rules.undated import undated_event_sentences

    [found] = undated_event_sentences([text])
    assert bool(found) is flagged


def test_action_lines_keep_their_dash_timescale_and_recipients_are_not_owners(template):
    text = (
        "Named Nurse to deliver a briefing on GCP2 - by 30/06/2024.\n"
        "Admin team to inform referrers when referrals are merged - immediately.\n"
        "Reminder to all staff of the escalation policy."
    )
    flags = run(template, make_record(template, {"learning_actions": text}))
    assert [(f.code, f.message.split('"')[1][:8]) for f in flags] == [
        (FlagCode.action_without_owner, "Reminder"),
        (FlagCode.action_without_timescale, "Reminder"),
    ]


def test_na_with_a_reason_is_not_applicable(template):
    record = make_record(template, {"q6": "N/A - GP does not complete formal assessments"})
    record.answer("q6").status = Status.answered  # mapping may not recognise it
    assert codes(run(template, record)) == [FlagCode.not_applicable]


def test_a_date_of_audit_that_is_not_a_date_is_named_not_called_empty(tmp_path):
    from datetime import date as _date

    from models.settings import Settings
    from pipeline.intake.process import read_return
    from pipeline.templates.registry import load_templates
    from tests.formbuild import write_wm_form

    path = write_wm_form(tmp_path / "r.docx", {"agency": "Police", "child": "A Child", "date_of_audit": "Spring term"},
                         {"q1": "Seen on 03/03/2024."})
    record = read_return(path, Settings(), load_templates(), today=_date(2024, 6, 1))
    assert record.header.date_of_audit is None
    messages = [f.message for f in record.flags if f.code.value == "missing_header" and "Date of audit" in f.message]
    assert messages and "Spring term" in messages[0] and "empty" not in messages[0]


def test_yes_and_no_both_marked_is_flagged_once():
    from models.record import Answer, AuditReturn, Source, Status, TemplateMatch
    from pipeline.templates.registry import load_templates
    from pipeline.validation.validate import validate

    t = load_templates()["school-case-file-audit"]
    q = next(q for q in t.questions() if q.kind.value == "yes_no_comments")
    answers = [Answer(id=x.id, section="s", question=x.wording, answer=("Yes\nNo\nSee notes." if x.id == q.id else ""),
                      status=Status.answered if x.id == q.id else Status.unanswered) for x in t.questions()]
    record = AuditReturn(source=Source(file="f.docx", sha256="0" * 64, format="docx"),
                         template=TemplateMatch(id=t.id, version=t.version, confidence=1.0), answers=answers)
    flags = [f for f in validate(record, t, date(2024, 6, 1)) if f.code.value == "choices_conflict"]
    assert [f.answer for f in flags] == [q.id] and "both Yes and No" in flags[0].message
