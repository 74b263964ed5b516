"""A learned Yes/No question: left blank it is unanswered; with one option marked it reads that option."""

from datetime import date

import pytest

from models.raw import Span
from models.settings import Settings
from models.template import AnswerKind
from pipeline.intake.process import build_record
from pipeline.templates.learn import learn
from tests.rawbuild import doc, para, table

Q = "Was the plan reviewed on time?"
LAYOUTS = {
    "answer cell": lambda v: [table([[f"1. {Q}", v], ["2. What happened next?", ""]])],
    "line in the question cell": lambda v: [table([[f"1. {Q}\n{v}", ""], ["2. What happened next?", ""]])],
    "after the question mark": lambda v: [table([[f"1. {Q} {v}", ""], ["2. What happened next?", ""]])],
    "paragraph under the question": lambda v: [para(f"1. {Q}"), para(v), para("2. What happened next?"),
                                               table([[""]])],
    "answer box": lambda v: [para(f"1. {Q}"), table([[v]]), para("2. What happened next?"), table([[""]])],
}


def _form(blocks):
    return doc(para("Eastfield Case Audit Tool"), table([["Agency:", "Eastfield Health"], ["Date of audit:", "01/02/2024"]]),
               para("Practice"), *blocks)


def _bold(text: str, word: str):
    at = text.index(word)
    return para(text, spans=[Span(start=at, end=at + len(word), style="emphasis", detail="bold")])


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("printed", ["Yes / No", "Yes/No/N/A", "Y / N", "Yes or No"])
def test_a_learned_yes_no_question_blank_is_unanswered_and_marked_reads_the_option(layout, printed):
    template = learn(_form(LAYOUTS[layout](printed)), "eastfield")
    question = template.questions()[0]
    assert (question.wording, question.kind) == (Q, AnswerKind.yes_no_comments)
    assert not question.guidance

    def read(value):
        r = build_record(_form(LAYOUTS[layout](value)), "a" * 64, template, 1.0, Settings(), date(2026, 1, 1))
        return r.answer(question.id)

    blank = read(printed)
    assert (blank.answer, blank.status.value) == ("", "unanswered")
    no = "N" if printed.startswith("Y ") else "No"
    yes = "Y" if printed.startswith("Y ") else "Yes"
    assert read(printed.replace(yes, "X " + yes, 1)).answer == "Yes"
    if layout == "answer cell":
        assert read(_bold(printed, no)).answer == "No"
        assert read("No").answer == "No"


def test_tick_box_yes_no_blank_is_unanswered_and_ticked_is_the_option():
    template = learn(_form(LAYOUTS["answer cell"]("☐ Yes ☐ No ☐ N/A")), "eastfield")
    question = template.questions()[0]

    def read(value):
        r = build_record(_form(LAYOUTS["answer cell"](value)), "a" * 64, template, 1.0, Settings(), date(2026, 1, 1))
        return r.answer(question.id)

    assert read("☐ Yes ☐ No ☐ N/A").status.value == "unanswered"
    assert read("☐ Yes ☒ No ☐ N/A").answer == "No"
