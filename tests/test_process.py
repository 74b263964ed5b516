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
