"""The overall grade on tricky returns: marked by X, tick, box or formatting, written as text, or absent.

Every document is built in code; every name and answer is fictional. The last tests check that skipping the
units that cannot hold a grade (the speed-up in read_grade) never changes what is read.
"""

from __future__ import annotations

import random

import pytest

import pipeline.mapping.grades as grades
from models.raw import Paragraph, Span
from models.template import Template
from pipeline.mapping.grades import read_grade
from pipeline.mapping.layout import build_units
from pipeline.templates.registry import load_templates
from tests.rawbuild import checked, doc, para, table

GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
FILLER = [
    "Mother reported that the family had been supported by the health visitor since the birth.",
    "School attendance was 84% over the autumn term; the DSL made two referrals.",
    "No information was shared with police before the strategy discussion.",
    "The social worker graded the risk as medium at the time.",  # 'graded': not a grade label
    "Father was not seen; the worker relied on the mother's account.",
]


@pytest.fixture(scope="module")
def template():
    return load_templates()["west-midlands-maat"]


def grade_of(template, *blocks) -> tuple[str | None, str | None]:
    _units, value, problem = read_grade(build_units(doc(*blocks)), template)
    return value, problem


def grade_table(marks: dict[str, str | Paragraph], labels: dict[str, str] | None = None):
    """The West Midlands grade table ('Grading | Grade (X)', one row per grade), with the given marks."""
    labels = labels or {}
    return table([["Grading", "Grade (X)"], *([labels.get(g, g), marks.get(g, "")] for g in GRADES)])


def answers() -> list:
    return [para(text) for text in FILLER]


# ---- one grade marked ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mark", ["X", "x", "✓", "✔", "☒", "Yes", "tick"])
def test_a_mark_beside_one_grade_is_the_grade(template, mark):
    assert grade_of(template, *answers(), grade_table({"Requires improvement": mark})) == ("requires_improvement", None)


def test_a_ticked_checkbox_beside_a_grade_is_the_grade(template):
    row_table = grade_table({"Inadequate": checked()})
    assert grade_of(template, *answers(), row_table) == ("inadequate", None)


def test_a_grade_highlighted_in_its_own_cell_is_the_grade(template):
    text = "Good"
    highlighted = Paragraph(text=text, spans=[Span(start=0, end=4, style="emphasis", detail="highlight:yellow")])
    t = grade_table({})
    t.rows[2].cells[0].blocks = [highlighted]
    assert grade_of(template, *answers(), t) == ("good", None)


def test_boxes_on_one_line_read_only_the_ticked_box(template):
    line = "☐ Outstanding ☐ Good ☒ Requires improvement ☐ Inadequate"
    assert grade_of(template, *answers(), para("Overall grade"), para(line)) == ("requires_improvement", None)


# ---- grades written as text ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("Overall grade: Requires improvement", "requires_improvement"),
    ("overall grade:   requires    improvement", "requires_improvement"),
    ("OVERALL GRADE: REQUIRES IMPROVEMENT", "requires_improvement"),
    ("Grading: Good", "good"),
    ("Grade (X): Outstanding X", "outstanding"),
    ("Overall grade: RI", "requires_improvement"),
    ("Overall grade: Requires improvment", "requires_improvement"),  # a typo still reads
    ("Overall grade: Ｇｏｏｄ", "good"),  # full-width letters from a pasted form
])
def test_a_grade_written_after_its_label_is_read(template, text, value):
    assert grade_of(template, *answers(), para(text)) == (value, None)


def test_requires_improvement_broken_over_two_lines_in_its_cell_is_still_that_grade(template):
    t = grade_table({"Requires improvement": "X"}, labels={"Requires improvement": "Requires\nimprovement"})
    assert grade_of(template, *answers(), t) == ("requires_improvement", None)
    t = grade_table({"Requires improvement": "X"}, labels={"Requires improvement": "requires  IMPROVEMENT "})
    assert grade_of(template, *answers(), t) == ("requires_improvement", None)


# ---- none, several, grade words that are not grades ------------------------------------------------------------

def test_two_grades_marked_is_multiple_marked(template):
    assert grade_of(template, *answers(), grade_table({"Good": "X", "Inadequate": "X"})) == (None, "multiple_marked")


def test_a_grade_table_with_no_mark_is_none_marked(template):
    assert grade_of(template, *answers(), grade_table({})) == (None, "none_marked")


def test_grade_words_used_in_answers_are_not_a_grade(template):
    sentences = [para("Engagement with the family was good and attendance at meetings was outstanding."),
                 para("The housing provided was inadequate for a family of five."),
                 para("Record keeping requires improvement, as the audit found.")]
    assert grade_of(template, *answers(), *sentences) == (None, "none_marked")
    # ... and they do not outvote the grade table
    assert grade_of(template, *sentences, grade_table({"Good": "X"})) == ("good", None)


def test_a_single_short_grade_word_answer_is_not_taken_for_the_grade_table(template):
    """'Good' alone in an answer cell is one option, not a block of options: the grade table still decides."""
    answers_table = table([["Was the plan effective?", "Good"], ["Was the child seen?", "Yes"]])
    assert grade_of(template, answers_table, grade_table({"Inadequate": "X"})) == ("inadequate", None)


def test_the_grade_block_units_cover_the_grade_table(template):
    units = build_units(doc(*answers(), grade_table({"Good": "X"})))
    block, value, _ = read_grade(units, template)
    table_units = {u.index for u in units if u.table is not None}
    assert value == "good" and block == table_units


# ---- the prefilter: skipping units that cannot hold a grade never changes the reading --------------------------

def _mutate(word: str, rng: random.Random) -> str:
    """A grade word as agencies type it: any case, doubled or broken spaces, a typo, full width, a glyph."""
    kind = rng.randrange(9)
    if kind == 0:
        return word.upper()
    if kind == 1:
        return word.lower().replace(" ", rng.choice(["  ", "\n", " \t "]))
    if kind == 2 and len(word) > 3:  # drop a letter
        i = rng.randrange(len(word))
        return word[:i] + word[i + 1:]
    if kind == 3:  # insert a letter
        i = rng.randrange(len(word) + 1)
        return word[:i] + rng.choice("aeioxz") + word[i:]
    if kind == 4:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)  # full width
    if kind == 5:
        return rng.choice(["X ", "☒ ", "☐ ", "✓"]) + word
    if kind == 6:
        return word + rng.choice([" X", " (x)", " ☒", "’"])
    if kind == 7:  # swap two neighbours
        i = rng.randrange(max(1, len(word) - 1))
        return word[:i] + word[i + 1:i + 2] + word[i:i + 1] + word[i + 2:]
    return word


def _random_return(rng: random.Random):
    words = GRADES + ["RI", "Grade", "Overall grade:", "Grading", "N/A", "Yes", "No", "X", "☒", ""]
    blocks = []
    for _ in range(rng.randrange(1, 6)):
        if rng.random() < 0.5:
            pieces = [_mutate(rng.choice(words), rng) for _ in range(rng.randrange(1, 5))]
            sep = rng.choice([" / ", " | ", " or ", " ", "\n", " ☐ ", " ☒ ", ": "])
            text = sep.join(pieces)
            if rng.random() < 0.3:
                text = rng.choice(["Overall grade: ", "grade ", "GRADING:"]) + text
            if rng.random() < 0.3:
                text = rng.choice(FILLER) + " " + text
            if rng.random() < 0.3 and text:
                start = rng.randrange(len(text))
                text = Paragraph(text=text, spans=[Span(start=start, end=len(text), style="emphasis",
                                                        detail=rng.choice(["bold", "highlight:yellow"]))])
            blocks.append(text if isinstance(text, Paragraph) else para(text))
        else:
            rows = [["Grading", "Grade (X)"]] if rng.random() < 0.5 else []
            for g in rng.sample(GRADES + FILLER[:2], rng.randrange(2, 6)):
                rows.append([_mutate(g, rng), rng.choice(["", "", "X", "✓", "Yes", "no", _mutate("Good", rng)])])
            blocks.append(table(rows))
    return build_units(doc(*blocks))


def test_skipping_units_that_cannot_hold_a_grade_reads_every_return_the_same(template, monkeypatch):
    rng = random.Random(20261122)
    returns = [_random_return(rng) for _ in range(600)]
    fast = [read_grade(units, template) for units in returns]
    monkeypatch.setattr(grades, "_may_hold_grade", lambda text, screen: True)
    slow = [read_grade(units, template) for units in returns]
    assert fast == slow
    found = {value for _block, value, _problem in slow}
    assert found >= {"outstanding", "good", "requires_improvement", "inadequate", None}  # the cases are varied


def test_the_prefilter_skips_answer_text_and_keeps_every_spelling_that_reads_as_a_grade(template):
    screen = grades._screen(grades._options(template))
    # answer text is skipped, unless it has the letters of the grade label ('graded')
    assert [grades._may_hold_grade(text, screen) for text in FILLER] == ["grad" in text for text in FILLER]
    options = grades._options(template)
    rng = random.Random(7)
    for _ in range(2000):
        text = _mutate(rng.choice(GRADES + ["RI"]), rng)
        if grades._option_of(grades._strip_marks(text)[0], options):
            assert grades._may_hold_grade(text, screen), text


def test_a_partnerships_own_grade_labels_are_screened_by_their_own_words():
    wm = load_templates()["west-midlands-maat"].model_dump()
    wm["grading"]["options"] = [{"value": "good", "label": "Met"},
                                {"value": "requires_improvement", "label": "Partially met"},
                                {"value": "inadequate", "label": "Not met"}]
    own = Template.model_validate(wm)
    t = table([["Grading", "Grade (X)"], ["Met", ""], ["Partially met", "X"], ["Not met", ""]])
    assert grade_of(own, *answers(), t) == ("requires_improvement", None)
    assert grade_of(own, *answers(), para("Overall grade: partialy met")) == ("requires_improvement", None)


def test_a_grade_row_at_the_end_of_a_question_table_leaves_the_questions_above_it():
    """A PDF joins tables that touch (and some forms end their question table with the grade): only the rows
    from the grade's title or first option on belong to the grade."""
    from models.template import GradeOption, Grading, Question, Section
    from pipeline.mapping.place import map_document

    template = Template(id="eastmere", name="Eastmere", version="1", sections=[Section(id="s", title="Investigation", questions=[
        Question(id="q2a", number="2a", wording="Was the child spoken to alone?"),
        Question(id="q2b", number="2b", wording="How was the investigation plan shared with partners?")])],
        grading=Grading(title="Overall grade", options=[GradeOption(value=v, label=g) for v, g in
                                                        zip(["outstanding", "good", "requires_improvement", "inadequate"],
                                                            GRADES)]))
    raw = doc(table([["2a) Was the child spoken to alone?", "No\nSeen with the foster carer present."],
                     ["2b) How was the investigation plan shared with partners?", "At the strategy meeting."],
                     ["Overall grade", "☐ Outstanding ☒ Good ☐ Requires improvement ☐ Inadequate"]]))
    block, value, problem = read_grade(build_units(raw), template)
    assert (value, problem) == ("good", None)
    assert len(block) == 2  # the grade row's two cells, not the question rows
    mapped = map_document(raw, template)
    assert mapped.answers["q2a"].lines == ["No", "Seen with the foster carer present."]
    assert mapped.answers["q2b"].lines == ["At the strategy meeting."]


def test_a_grade_the_template_does_not_expect_is_kept_and_not_taken_for_an_answer():
    """An Enfield-style tool has no grade block; a form that adds one keeps its grade out of the last answer."""
    from datetime import date

    from models.settings import Settings
    from pipeline.intake.process import build_record
    from pipeline.templates.registry import load_templates
    from tests.rawbuild import doc, para, table

    body = [para("Enfield Safeguarding Children Partnership Multi-Agency Audit Tool"), para("Impact"),
            table([["Key areas of good practice", "Seen alone on 02/02/2024."], ["Areas for development", "None."],
                   ["Recommendations for practice", "Keep the plan."]])]
    ways = {
        "good": [para("Overall grade: Good")],
        "inadequate": [table([["Overall grade", "Inadequate"]])],
        "requires_improvement": [table([["Outstanding", "Good", "Requires improvement", "Inadequate"],
                                        ["", "", "X", ""]])],
        "outstanding": [para("Overall grade: ☒ Outstanding ☐ Good ☐ Requires improvement ☐ Inadequate")],
    }
    template = load_templates()["enfield-escp"]
    assert template.grading is None
    for value, blocks in ways.items():
        r = build_record(doc(*body, *blocks), "a" * 64, template, 1.0, Settings(), date(2026, 1, 1))
        assert r.grade.value == value, blocks
        assert r.answer("impact_recommendations").answer == "Keep the plan."
        assert r.extraction.unmatched_text == []
        assert "grade_missing" not in {f.code.value for f in r.flags}
    unmarked = build_record(doc(*body, table([["Outstanding", "Good", "Requires improvement", "Inadequate"],
                                               ["", "", "", ""]])), "a" * 64, template, 1.0, Settings(), date(2026, 1, 1))
    assert unmarked.grade.value is None and unmarked.grade.problem is None
    assert "grade_missing" not in {f.code.value for f in unmarked.flags}
    # the grade row ending the question table; answers that happen to be grade words stay answers
    rows = [["Impact", ""], ["Key areas of good practice", "Good"], ["Areas for development", "Outstanding"],
            ["Recommendations for practice", "Keep the plan."]]
    for last, value in [(["Overall grade", "Good"], "good"),
                        (["Overall grade:", "☐ Outstanding ☐ Good ☒ Requires improvement ☐ Inadequate"],
                         "requires_improvement")]:
        r = build_record(doc(body[0], table([*rows, last])), "a" * 64, template, 1.0, Settings(), date(2026, 1, 1))
        assert r.grade.value == value
        assert [r.answer(f"impact_{k}").answer for k in ("good_practice", "areas_for_development", "recommendations")] \
            == ["Good", "Outstanding", "Keep the plan."]
