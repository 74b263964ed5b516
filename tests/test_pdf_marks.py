"""Tick boxes, ticks and crosses drawn as vector paths in a PDF return read as the choices a reader sees.

Every PDF is built here in code (PDF coordinates: y grows up the page); every name and answer is fictional.
Helvetica 10 pt widths: 'Yes' 17.2 pt, 'No' 12.8 pt, 'N/A' 17.8 pt.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.pdf import extract
from extractors.pdf_marks import UNKNOWN_BOX, UNKNOWN_MARK
from models.raw import Paragraph, RawDocument, Table
from models.settings import Limits
from tests.test_extract_pdf import _with_annotations, hline, make_pdf, text, vline, write
from tests.test_pdf_gauntlet import answer_of, free_text


def box(x: float, y: float, size: float = 10) -> bytes:
    """An empty tick box drawn as a stroked square, lower-left corner at (x, y)."""
    return b"0.5 w %g %g %g %g re S" % (x, y, size, size)


def tick(x: float, y: float) -> bytes:
    """A tick drawn as one open path (two strokes meeting low down), over the 10 pt box at (x, y)."""
    return b"1 w %g %g m %g %g l %g %g l S" % (x + 1, y + 5, x + 4, y + 1, x + 11, y + 12)


def cross(x: float, y: float, separate: bool = False) -> bytes:
    """A cross over the 10 pt box at (x, y): one path of two strokes, or two paths."""
    a, b = b"%g %g m %g %g l" % (x + 1, y + 1, x + 9, y + 9), b"%g %g m %g %g l" % (x + 1, y + 9, x + 9, y + 1)
    return b"1 w " + (a + b" S " + b + b" S" if separate else a + b" " + b + b" S")


def yes_no_line(y: float = 700, ticked: tuple[str, ...] = (), mark=tick) -> list[bytes]:
    """'□ Yes □ No' on one line at baseline y, the named options ticked."""
    ops = [box(72, y - 2), text(86, y, "Yes"), box(110, y - 2), text(124, y, "No")]
    return ops + [mark(x, y - 2) for name, x in (("Yes", 72), ("No", 110)) if name in ticked]


def read(tmp_path: Path, ops: list[bytes], annots: list[bytes] = (), name: str = "marks.pdf") -> RawDocument:
    data = make_pdf([ops])
    if annots:
        data = _with_annotations(data, list(annots))
    return extract(write(tmp_path, name, data), Limits())


def texts(raw: RawDocument) -> list[str]:
    out = []
    for block in raw.blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
        else:
            out += [p.text for row in block.rows for cell in row.cells for p in cell.blocks]
    return out


QUESTION = "Was the child seen?"


def choices(raw: RawDocument) -> list[str]:
    """The choices and comments read from the document, less the printed question of answer_table."""
    return [line for line in answer_of(raw) if line != QUESTION]


def answer_table(answer_ops: list[bytes]) -> list[bytes]:
    """A question | answer grid (PDF x 72-300-520, y 720-680) with the answer cell's drawing given."""
    ops = [hline(72, 520, y) for y in (720, 680)] + [vline(x, 680, 720) for x in (72, 300, 520)]
    return ops + [text(76, 700, QUESTION)] + answer_ops


# ---- boxes on a line: ☐ and ☒ where they stand --------------------------------------------------------------

def test_a_tick_drawn_in_one_of_two_boxes_on_a_line_chooses_that_option(tmp_path):
    raw = read(tmp_path, yes_no_line(ticked=("No",)))
    assert texts(raw) == ["\u2610 Yes \u2612 No"]
    assert answer_of(raw) == ["No"] and raw.unknown == {}


def test_boxes_in_a_table_cell_with_three_options_choose_the_ticked_one(tmp_path):
    ops = [box(304, 696), text(318, 698, "Yes"), box(342, 696), text(356, 698, "No"), box(376, 696),
           text(390, 698, "N/A"), tick(376, 696)]
    raw = read(tmp_path, answer_table(ops))
    (table,) = [b for b in raw.blocks if isinstance(b, Table)]
    assert [p.text for p in table.rows[0].cells[1].blocks] == ["\u2610 Yes \u2610 No \u2612 N/A"]
    assert [len(row.cells) for row in table.rows] == [2]  # the boxes drew no cells
    assert choices(raw) == ["N/A"]


@pytest.mark.parametrize("separate", [False, True], ids=["one-path", "two-paths"])
def test_a_cross_drawn_in_a_box_ticks_it(tmp_path, separate):
    raw = read(tmp_path, yes_no_line(ticked=("Yes",), mark=lambda x, y: cross(x, y, separate)))
    assert texts(raw) == ["\u2612 Yes \u2610 No"] and answer_of(raw) == ["Yes"]


@pytest.mark.parametrize("fill, annots", [
    ([b"0 g 112 700 6 6 re f"], []),  # the box filled in with a smaller black square
    ([b"0 g 110 698 10 10 re B"], []),  # the box itself filled black
    ([text(111, 700, "X")], []),  # an X printed over it
    ([b"0 g 111 703 m 114 699 l 121 709 l 114 701.5 l h f"], []),  # a tick drawn as a filled outline
    ([], [free_text((110, 697, 122, 710), b"X")]),  # an X typed over it (Fill & Sign)
    ([], [b"<< /Type /Annot /Subtype /Ink /Rect [110 697 122 710] /InkList [[111 703 114 699 121 709]] >>"]),
], ids=["inner-fill", "filled-box", "printed-x", "filled-tick", "typed-x", "ink"])
def test_a_box_filled_in_or_marked_by_other_means_is_ticked(tmp_path, fill, annots):
    raw = read(tmp_path, yes_no_line() + fill, annots)
    assert texts(raw) == ["\u2610 Yes \u2612 No"]
    assert answer_of(raw) == ["No"] and raw.unknown == {}


def test_empty_boxes_choose_nothing(tmp_path):
    raw = read(tmp_path, yes_no_line())
    assert texts(raw) == ["\u2610 Yes \u2610 No"] and answer_of(raw) == []


def test_both_boxes_ticked_keeps_both_choices_for_the_conflict_flag(tmp_path):
    raw = read(tmp_path, yes_no_line(ticked=("Yes", "No")))
    assert answer_of(raw) == ["Yes", "No"]


def circle(cx: float, cy: float, r: float, paint: bytes = b"S") -> bytes:
    k = 0.552 * r
    return (b"0.5 w %g %g m %g %g %g %g %g %g c %g %g %g %g %g %g c %g %g %g %g %g %g c %g %g %g %g %g %g c %s"
            % (cx + r, cy, cx + r, cy + k, cx + k, cy + r, cx, cy + r, cx - k, cy + r, cx - r, cy + k, cx - r, cy,
               cx - r, cy - k, cx - k, cy - r, cx, cy - r, cx + k, cy - r, cx + r, cy - k, cx + r, cy, paint))


def test_round_radio_buttons_drawn_as_paths_read_as_boxes_the_dotted_one_ticked(tmp_path):
    ops = [circle(77, 703, 5), text(86, 700, "Yes"), circle(115, 703, 5), circle(115, 703, 2.5, b"f"),
           text(124, 700, "No")]
    raw = read(tmp_path, ops)
    assert texts(raw) == ["\u2610 Yes \u2612 No"] and answer_of(raw) == ["No"]


def test_an_empty_rounded_box_alone_in_a_cell_is_not_a_tick(tmp_path):
    rounded = b"0.5 w 342 700 m 348 700 l 350 700 350 702 350 702 c 350 708 l 350 710 348 710 348 710 c " \
              b"342 710 l 340 710 340 708 340 708 c 340 702 l 340 700 342 700 342 700 c h S"
    (table,) = read(tmp_path, answer_table([rounded])).blocks
    assert [p for p in table.rows[0].cells[1].blocks] == []


def test_a_light_grey_box_is_the_forms_design_and_a_dark_square_alone_is_not_a_box(tmp_path):
    ops = [b"0.9 g 72 698 10 10 re B", text(86, 700, "Yes"), b"0 g 110 700 4 4 re f", text(124, 700, "No")]
    assert texts(read(tmp_path, ops)) == ["\u2610 Yes No"]


def test_a_box_drawn_as_four_lines_is_a_box_not_a_one_cell_table(tmp_path):
    lines = [hline(110, 120, 698), hline(110, 120, 708), vline(110, 698, 708), vline(120, 698, 708)]
    raw = read(tmp_path, [box(72, 698), text(86, 700, "Yes")] + lines + [text(124, 700, "No"), tick(110, 698)])
    assert texts(raw) == ["\u2610 Yes \u2612 No"] and not any(isinstance(b, Table) for b in raw.blocks)


def test_a_comb_of_touching_boxes_for_digits_is_not_tick_boxes(tmp_path):
    ops = [text(72, 700, "Date of birth:")] + [box(150 + 10 * i, 698) for i in range(4)]
    ops += [text(152, 700, "0"), text(162, 700, "1")]
    assert texts(read(tmp_path, ops)) == ["Date of birth: 0 1"]


@pytest.mark.parametrize("rotate", [90, 270])
def test_boxes_and_ticks_on_a_sideways_page_are_read_as_it_is_turned(tmp_path, rotate):
    from tests.test_pdf_gauntlet import _sideways

    ops = yes_no_line(500, ticked=("No",)) + [text(72, 540, "Was the child seen at home on the visit?")]
    raw = extract(write(tmp_path, "sideways.pdf", _sideways(ops, rotate)), Limits())
    assert texts(raw) == ["Was the child seen at home on the visit?", "\u2610 Yes \u2612 No"]


def test_a_form_checkbox_over_a_printed_box_is_the_answer_not_a_second_box(tmp_path):
    widget = (b"<< /Type /Annot /Subtype /Widget /FT /Btn /T (seen_no) /V /Yes /AS /Yes /Rect [110 698 120 708] "
              b"/F 4 /MK << >> >>")
    data = make_pdf([yes_no_line()]).replace(b"/Type /Catalog", b"/AcroForm << /Fields [20 0 R] >> /Type /Catalog")
    raw = extract(write(tmp_path, "widget.pdf", _with_annotations(data, [widget])), Limits())
    (p,) = raw.blocks
    assert p.text.count("\u2610") == 1 and "\u2612" not in p.text  # the box under the field is not read twice
    assert [(cb.kind, cb.checked) for cb in p.checkboxes] == [("acroform", True)]


# ---- a box alone ----------------------------------------------------------------------------------------------

def test_a_ticked_box_alone_in_an_empty_cell_is_a_drawn_mark_and_an_empty_one_is_nothing(tmp_path):
    ys = [720, 700, 680]
    ops = [hline(72, 400, y) for y in ys] + [vline(x, 680, 720) for x in (72, 300, 400)]
    ops += [text(76, 706, "Yes"), text(76, 686, "No"), box(340, 705), box(340, 685), b"0 g 342 687 6 6 re f"]
    (table,) = read(tmp_path, ops).blocks
    marks = [[(cb.kind, cb.checked) for p in row.cells[1].blocks for cb in p.checkboxes] for row in table.rows]
    assert marks == [[], [("drawn_mark", True)]]
    assert [p.text for row in table.rows for p in row.cells[1].blocks] == [""]  # no ☐ text in empty cells


def test_a_ticked_box_with_no_text_near_it_is_flagged_not_dropped(tmp_path):
    raw = read(tmp_path, [text(72, 760, "Guidance."), box(300, 500), tick(300, 500), box(300, 400)])
    assert texts(raw) == ["Guidance."] and raw.unknown == {UNKNOWN_BOX: 1}


# ---- ticks and crosses with no box ------------------------------------------------------------------------------

def test_a_tick_drawn_after_an_option_word_marks_it(tmp_path):
    raw = read(tmp_path, [text(72, 700, "Yes / No"), tick(116, 698)])  # after 'No' (100-112.8)
    assert texts(raw) == ["Yes / No \u2713"] and answer_of(raw) == ["No"] and raw.unknown == {}


def test_a_cross_drawn_over_an_option_word_follows_it_and_never_splits_it(tmp_path):
    raw = read(tmp_path, answer_table([text(304, 698, "Yes / No"), cross(306, 696)]))  # over 'Yes'
    assert "Yes X / No" in texts(raw) and choices(raw) == ["Yes"]


def test_a_tick_in_an_empty_cell_is_still_a_drawn_mark(tmp_path):
    (table,) = read(tmp_path, answer_table([tick(400, 695)])).blocks
    assert [cb.kind for p in table.rows[0].cells[1].blocks for cb in p.checkboxes] == ["drawn_mark"]


def test_a_stray_drawn_mark_is_counted_as_unknown_content(tmp_path):
    raw = read(tmp_path, answer_table([text(304, 698, "Seen at home."), tick(480, 684)])
               + [text(72, 600, "Guidance."), cross(300, 400)])
    assert "Seen at home." in texts(raw) and "Guidance." in texts(raw)
    assert raw.unknown == {UNKNOWN_MARK: 2}


def test_rulings_of_short_segments_underlines_strikes_and_shading_are_not_ticks(tmp_path):
    # a grid drawn in 4 pt dashes with rounded corners (open arcs), a shaded cell, an underline and a strike line
    ops = [b"0.5 w %d %d m %d %d l S" % (x, y, x + 4, y) for y in (720, 680, 640) for x in range(75, 517, 4)]
    ops += [b"0.5 w %d %d m %d %d l S" % (x, y, x, y + 4) for x in (72, 300, 520) for y in range(643, 717, 4)]
    ops += [b"0.5 w 72 717 m 72 719 73 720 75 720 c S", b"0.5 w 517 720 m 519 720 520 719 520 717 c S",
            b"0.5 w 72 643 m 72 641 73 640 75 640 c S", b"0.5 w 517 640 m 519 640 520 641 520 643 c S"]
    ops += [b"0.8 g 301 641 218 38 re f 0 g", text(76, 700, "Was the child seen?"), text(304, 700, "Yes / No"),
            hline(304, 321, 698), b"0.5 w 328 703.5 m 341 703.5 l S", text(76, 660, "Any other agencies?")]
    raw = read(tmp_path, ops)
    (table,) = [b for b in raw.blocks if isinstance(b, Table)]
    assert [[p.text for c in row.cells for p in c.blocks] for row in table.rows] == [
        ["Was the child seen?", "Yes / No"], ["Any other agencies?"]]
    assert raw.unknown == {}
    assert answer_of(raw)[0] == "Yes" and "No" not in answer_of(raw)  # the strike through 'No' rules it out


def test_circles_chevrons_and_carets_drawn_beside_words_are_not_ticks(tmp_path):
    circle = b"0.5 w 95 703 m 95 706 92 708 90 708 c 87 708 85 706 85 703 c 85 700 87 698 90 698 c 93 698 95 700 95 703 c S"
    chevron = b"1 w 150 708 m 156 703 l 150 698 l S"  # '>' points right: its corner is not its lowest point
    caret = b"1 w 200 698 m 205 708 l 210 698 l S"  # '^': meets at the top
    raw = read(tmp_path, [text(100, 700, "Yes"), circle, chevron, text(160, 700, "next"), caret])
    assert texts(raw) == ["\u2610 Yes next"] and raw.unknown == {}  # the circle is an empty radio button


# ---- end to end -------------------------------------------------------------------------------------------------

def _school_form(ticks: dict[str, str]) -> bytes:
    """The school case-file audit tool as a printed PDF: a header table and one question | '□ Yes □ No' row per
    question (two pages), the option in ``ticks`` (question id -> 'Yes' or 'No') ticked with a drawn tick."""
    from pipeline.templates.registry import load_templates

    template = load_templates()["school-case-file-audit"]
    header = [("Date:", "14/05/2026"), ("Name of person completing the audit:", "A. Example"),
              ("Name of school or setting:", "Fictional Primary School"),
              ("Child's initials and date of birth:", "AB 01/02/2016")]
    questions = [q for s in template.sections for q in s.questions]
    pages, ops, y = [], [text(72, 780, "Case file audit tool")], 760
    rows = [(label, value, None) for label, value in header] + [("", "", None)] + [(q.wording, "", q) for q in questions]
    for label, value, q in rows:
        if y < 100:
            pages.append(ops)
            ops, y = [], 780
        if not label:  # a gap between the header table and the questions
            y -= 20
            continue
        ops += [hline(60, 540, y), hline(60, 540, y - 24), vline(60, y - 24, y), vline(380, y - 24, y),
                vline(540, y - 24, y), b"BT /F1 7 Tf 63 %g Td (%s) Tj ET" % (y - 14, label.encode("latin-1"))]
        if value:
            ops.append(text(384, y - 15, value))
        elif q is not None and q.kind.value == "yes_no_comments":
            ops += [box(390, y - 17), text(404, y - 15, "Yes"), box(430, y - 17), text(444, y - 15, "No")]
            if q.id in ticks:
                ops.append(tick(390 if ticks[q.id] == "Yes" else 430, y - 17))
        y -= 24
    return make_pdf(pages + [ops])


def test_a_yes_no_question_answered_by_a_drawn_tick_gets_that_answer_in_the_record(tmp_path):
    from models.settings import Settings
    from pipeline.intake.process import read_return
    from pipeline.templates.registry import load_templates

    path = write(tmp_path, "school-ticks.pdf", _school_form({"lado_involved": "No", "send": "Yes"}))
    record = read_return(path, Settings(), load_templates())
    assert record.template.id == "school-case-file-audit"
    answers = {a.id: a for a in record.answers}
    assert answers["lado_involved"].answer == "No" and answers["send"].answer == "Yes"
    assert answers["absence_patterns"].status.value == "unanswered"  # boxes left empty: nothing chosen
    assert not any(f.code.value == "unknown_content" for f in record.flags)
