"""Statuses and tick lists: what a box ticked or left empty means for an answer."""

from pipeline.intake.process import answer_status, ticked_options


def test_only_unticked_boxes_is_unanswered_and_a_ticked_one_is_an_answer():
    assert answer_status("☐ Yes ☐ No").value == "unanswered"
    assert answer_status("☐ Yes ☒ No").value == "answered"
    assert answer_status("N/A - no plan in place").value == "not_applicable"
    assert answer_status("Nan visited on Sunday").value == "answered"
    assert answer_status("").value == "unanswered"


def test_tick_list_gives_the_options_ticked():
    assert ticked_options("☐ Early Help ☒ Child in Need ☒ Child Protection ☐ Looked After") == [
        "Child in Need", "Child Protection"]
    assert ticked_options("Child in Need") is None
    assert ticked_options("☐ Early Help ☐ Child in Need") == []


def test_read_choices_puts_the_choice_first_and_leaves_other_kinds_alone():
    from models.template import AnswerKind
    from pipeline.intake.process import read_choices

    assert read_choices(["Seen weekly.", "no"], AnswerKind.yes_no_comments, []) == ["No", "Seen weekly."]
    assert read_choices(["Yes / No", "Not known."], AnswerKind.yes_no_comments, []) == ["Not known."]
    assert read_choices(["no"], AnswerKind.free_text, []) == ["no"]
    options = ["Early Help", "Child in Need", "Child Protection", "Looked After"]
    # a mistyped option still reads as the template's option; other lines stay as comments
    assert read_choices(["☒ Child in Ned ☐ Looked After", "Stepped down in May."], AnswerKind.tick_list,
                        options) == ["Child in Need", "Stepped down in May."]
    assert read_choices(["Early Help", "Child in Need X", "Child Protection", "Looked After"],
                        AnswerKind.tick_list, options) == ["Child in Need"]


def test_placeholder_guidance_or_a_dash_left_as_the_answer_is_unanswered(tmp_path):
    from datetime import date

    from models.settings import Settings
    from pipeline.intake.process import read_return
    from pipeline.templates.registry import load_templates
    from tests.formbuild import sample_return

    path = sample_return(tmp_path / "r.docx", q2="Click or tap here to enter text.", q3="Please explain.", q5="-",
                         q6="Assessed on 3rd March 2024.")
    record = read_return(path, Settings(), load_templates(), today=date(2024, 6, 1))
    assert [record.answer(q).status.value for q in ("q2", "q3", "q5", "q6")] == [
        "unanswered", "unanswered", "unanswered", "answered"]
    assert any(f.code.value == "placeholder_text" and f.answer == "q2" for f in record.flags)


def test_a_changed_file_is_hashed_again(tmp_path):
    import hashlib
    import os

    from pipeline.intake.process import sha256_of

    path = tmp_path / "r.docx"
    path.write_bytes(b"first")
    assert sha256_of(path) == hashlib.sha256(b"first").hexdigest()
    path.write_bytes(b"second version")
    os.utime(path, ns=(1, 1))
    assert sha256_of(path) == hashlib.sha256(b"second version").hexdigest()


def test_formatting_spans_survive_the_clean_up_mapping_does_to_a_line():
    from pipeline.mapping.layout import Styled, strip_bullet, strip_list_numbers

    line = Styled.of("  • Yes / No ", [(10, 12, "strike", "")])
    cleaned = strip_bullet(line.strip())
    assert (cleaned, cleaned.spans) == ("Yes / No", ((6, 8, "strike", ""),))
    numbered = strip_list_numbers([Styled.of("1. Seen weekly.", [(3, 7, "strike", "")]), "2. Plan reviewed."])
    assert numbered[0].spans == ((0, 4, "strike", ""),) and numbered[1] == "Plan reviewed."
    assert type(Styled.of("Yes", [(0, 3, "strike", "")]) + " / No") is Styled
    assert type(Styled.of("Yes", [])) is str  # no formatting: a plain str, nothing to carry


def test_read_formatting_reads_struck_and_emphasised_options_and_keeps_struck_text_apart():
    from models.template import AnswerKind
    from pipeline.mapping.layout import Styled
    from pipeline.intake.process import read_choices, read_formatting

    yes_no = AnswerKind.yes_no_comments
    struck_no = Styled.of("Yes / No / N/A", [(6, 8, "strike", ""), (11, 14, "strike", "")])
    lines, struck = read_formatting([struck_no, "Seen weekly."], yes_no, [])
    assert read_choices(lines, yes_no, []) == ["Yes", "Seen weekly."] and struck == []
    bold_na = Styled.of("Yes / No / N/A", [(11, 14, "emphasis", "bold")])
    assert read_choices(read_formatting([bold_na], yes_no, [])[0], yes_no, []) == ["N/A"]
    comment = Styled.of("Seen weekly. Seen daily.", [(13, 24, "strike", "")])
    assert read_formatting([comment], yes_no, []) == (["Seen weekly."], ["Seen daily."])
    assert read_formatting(["Yes / No"], yes_no, []) == (["Yes / No"], [])  # no formatting: untouched


def test_header_values_leave_struck_options_out_and_take_the_one_emphasised():
    from pipeline.mapping.layout import Styled
    from pipeline.intake.process import read_header_value

    def styled(text: str, *parts: str, style: str = "strike", detail: str = "") -> Styled:
        return Styled.of(text, [(text.index(p), text.index(p) + len(p), style, detail) for p in parts])

    assert read_header_value([styled("Open / Closed", "Closed")]) == "Open"
    assert read_header_value([styled("Open / Closed", "Open")]) == "Closed"
    assert read_header_value([styled("Open / Closed", "Closed", style="emphasis", detail="highlight:yellow")]) == \
        "Closed"
    assert read_header_value([styled("Amelia Thornbury (Child / Vulnerable adult)", "Vulnerable adult")]) == \
        "Amelia Thornbury (Child)"
    assert read_header_value([styled("Child / Young person / Vulnerable adult", "Young person")]) == \
        "Child / Vulnerable adult"
    # a bold date or name is not an option chosen; unformatted values are kept as typed
    assert read_header_value([styled("14/05/2024", "14/05/2024", style="emphasis", detail="bold")]) == "14/05/2024"
    assert read_header_value(["Child / Vulnerable adult", "Amelia"]) == "Child / Vulnerable adult Amelia"


def test_struck_text_is_a_validation_rule_with_configurable_severity():
    from datetime import date

    from models.record import FlagCode, Severity
    from pipeline.templates.registry import load_templates
    from pipeline.validation.validate import DEFAULT_SEVERITY, RULES, validate
    from pipeline.validation.rules.answers import struck_text
    from tests.test_validate import make_record

    template = load_templates()["west-midlands-maat"]
    assert struck_text in RULES and DEFAULT_SEVERITY[FlagCode.struck_text] == Severity.warning
    record = make_record(template)
    struck = {"q13": ["Reviewed at core group on 1/5/2024."]}
    flags = [f for f in validate(record, template, date(2024, 7, 1), undated={}, struck=struck)]
    assert [(f.code, f.answer, f.severity) for f in flags] == [(FlagCode.struck_text, "q13", Severity.warning)]
    assert "Reviewed at core group on 1/5/2024." in flags[0].message
    assert validate(record, template, date(2024, 7, 1), undated={}) == []  # nothing struck: nothing said
    # a partnership can turn it up for one question or off for the whole form
    strict = template.model_copy(deep=True)
    next(q for q in strict.questions() if q.id == "q13").checks["struck_text"] = "error"
    assert [f.severity for f in validate(record, strict, date(2024, 7, 1), undated={}, struck=struck)] == [
        Severity.error]
    quiet = template.model_copy(update={"checks": {"struck_text": "off"}})
    assert validate(record, quiet, date(2024, 7, 1), undated={}, struck=struck) == []
