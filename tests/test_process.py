"""Statuses and tick lists: what a box ticked or left empty means for an answer."""

from pipeline.process import answer_status, ticked_options


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
    from pipeline.process import read_choices

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
    from pipeline.process import read_return
    from pipeline.templates import load_templates
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

    from pipeline.process import sha256_of

    path = tmp_path / "r.docx"
    path.write_bytes(b"first")
    assert sha256_of(path) == hashlib.sha256(b"first").hexdigest()
    path.write_bytes(b"second version")
    os.utime(path, ns=(1, 1))
    assert sha256_of(path) == hashlib.sha256(b"second version").hexdigest()
