"""PDF extractor: Word-printed forms, page breaks, running headers, drawn ticks, fillable forms, bad files."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from extractors.pdf import extract
from extractors.registry import extract as extract_any
from models.errors import FileLimitExceeded, UnreadableFile
from models.raw import Paragraph, RawDocument, Table
from models.settings import Limits
from pipeline.text import document_lines

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def tables(raw: RawDocument) -> list[Table]:
    return [b for b in raw.blocks if isinstance(b, Table)]


def grid(table: Table) -> list[list[str]]:
    """Each row's cell texts, paragraphs joined by ' | '."""
    return [[" | ".join(p.text for p in cell.blocks) for cell in row.cells] for row in table.rows]


def paragraphs(raw: RawDocument) -> list[str]:
    return [b.text for b in raw.blocks if isinstance(b, Paragraph)]


# ---- a tiny PDF writer, so edge cases are built here rather than kept as opaque files ------------------

def make_pdf(pages: list[list[bytes]], size=(595, 842)) -> bytes:
    """A PDF whose pages have the given content-stream operations (Helvetica as /F1)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for ops in pages:
        data = b"\n".join(ops)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (*size, len(objects), 3 + 2 * len(pages)))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def text(x, y, s: str) -> bytes:
    return b"BT /F1 10 Tf %d %d Td (%s) Tj ET" % (x, y, s.encode("latin-1"))


def hline(x0, x1, y) -> bytes:
    return b"0.5 w %d %d m %d %d l S" % (x0, y, x1, y)


def vline(x, y0, y1) -> bytes:
    return b"0.5 w %d %d m %d %d l S" % (x, y0, x, y1)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---- Word-printed forms ------------------------------------------------------------------------------

def test_word_form_tables_have_exact_cell_texts():
    raw = extract(SAMPLES / "pdf-word-form.pdf", Limits())
    assert raw.format == "pdf" and raw.file == "pdf-word-form.pdf" and not raw.ocr
    header, questions, grades = tables(raw)
    assert grid(header) == [
        ["Name of auditor completing form:", "A. Example"],
        ["Name of your agency/organisation:", "Northfield Health Trust"],
        ["Name of practitioner involved in the case:", "B. Sample"],
        ["Date of audit:", "12/03/2026"],
    ]
    assert grid(questions)[0] == [
        "PREVENTION /EARLY HELP/ THRESHOLDS",
        "1. How were opportunities for prevention/ early help considered and utilised?",
        "Early help assessment offered on 02/02/2026. | Family accepted support from the school nurse.",
    ]
    assert [row[0] for row in grid(questions)[1:]] == ["b.", "c."]
    assert grid(grades) == [["Grading", "Grade (X)"], ["Outstanding", ""], ["Good", "X"],
                            ["Requires improvement", ""], ["Inadequate", ""]]


def test_word_form_reading_order_and_positions():
    raw = extract(SAMPLES / "pdf-word-form.pdf", Limits())
    kinds = [b.kind if isinstance(b, Table) else b.text for b in raw.blocks]
    assert kinds[:4] == ["West Midlands Regional Multi-Agency Audit Tool", "Date: 12/03/2026", "Theme: Neglect", "table"]
    assert kinds.index("Please use the criteria above to give the case an overall grade:") == len(kinds) - 2
    cell = tables(raw)[0].rows[1].cells[1]
    assert cell.row == 1 and cell.col == 1 and cell.col_span == 1
    assert cell.location.page == 1 and cell.location.table == 0
    para = cell.blocks[0]
    x0, top, x1, bottom = para.location.bbox
    cx0, ctop, cx1, cbottom = cell.location.bbox
    assert cx0 <= x0 < x1 <= cx1 and ctop <= top < bottom <= cbottom
    # top-left origin: the title sits above the first table
    assert raw.blocks[0].location.bbox[1] < tables(raw)[0].location.bbox[1]


def test_registry_reads_pdf_by_suffix():
    raw = extract_any(SAMPLES / "pdf-word-form.pdf")
    assert "Northfield Health Trust" in document_lines(raw)


# ---- page breaks, running headers and footers ---------------------------------------------------------

def test_answer_across_page_breaks_is_one_row_in_one_table():
    raw = extract(SAMPLES / "pdf-page-break.pdf", Limits())
    header, questions, grades = tables(raw)
    rows = grid(questions)
    assert rows[0] == ["Ref", "Question", "Answer"]  # the repeated header row appears once
    assert [r[0] for r in rows] == ["Ref", "PREVENTION /EARLY HELP/ THRESHOLDS", "b.", "c.", "d."]
    answer = questions.rows[3].cells[2]
    assert [p.text for p in answer.blocks] == [f"Note {i:02d}: fictional visit recorded." for i in range(1, 41)]
    assert answer.location.pages == [1, 2, 3]
    split = [p for p in answer.blocks if p.location.pages]
    assert split and all(len(p.location.pages) == 2 for p in split)  # a paragraph cut by the break is joined
    # the question cell of row d runs onto page 4 and is read back as one sentence
    assert rows[4][1] == "4. If there is an escalation procedure, was it required and was it used appropriately?"
    assert questions.location.pages == [1, 2, 3, 4]
    assert grid(grades)[3] == ["Requires improvement", "X"]


def test_running_header_and_page_numbers_are_not_content():
    lines = document_lines(extract(SAMPLES / "pdf-page-break.pdf", Limits()))
    assert not [line for line in lines if "OFFICIAL" in line or line.startswith("Page ")]
    assert lines.count("Ref") == 1


def test_hand_made_header_footer_removed_but_body_repeat_kept(tmp_path):
    pages = [[text(72, 810, "Northfield Health Trust - audit return"), text(72, 600, "Please explain."),
              text(72, 700, f"Body text on page {n}."), text(280, 30, f"{n}")] for n in (1, 2, 3)]
    raw = extract(write(tmp_path, "hf.pdf", make_pdf(pages)), Limits())
    assert paragraphs(raw) == ["Body text on page 1.", "Please explain.", "Body text on page 2.", "Please explain.",
                               "Body text on page 3.", "Please explain."]
    assert [b.location.page for b in raw.blocks] == [1, 1, 2, 2, 3, 3]


def _three_col_table(y_top: int, labels: list[str]) -> list[bytes]:
    xs, ys = [72, 150, 300, 520], [y_top - 30 * i for i in range(len(labels) + 1)]
    ops = [vline(x, ys[-1], ys[0]) for x in xs] + [hline(72, 520, y) for y in ys]
    for i, label in enumerate(labels):
        ops += [text(76, ys[i] - 14, label), text(304, ys[i] - 14, f"answer {label or 'more'}")]
    return ops


def test_next_page_table_with_a_label_starts_new_rows_not_merged(tmp_path):
    pdf = make_pdf([_three_col_table(200, ["a.", "b."]), _three_col_table(800, ["c."])])
    raw = extract(write(tmp_path, "rows.pdf", pdf), Limits())
    (table,) = tables(raw)
    assert [row[0] for row in grid(table)] == ["a.", "b.", "c."]
    assert [row.cells[0].row for row in table.rows] == [0, 1, 2]


def _rows_table(y_top: int, rows: list[tuple[str, str, str]]) -> list[bytes]:
    """A label | question | answer grid with its top ruling at PDF height y_top, 30 pt per row."""
    xs, ys = [72, 150, 300, 520], [y_top - 30 * i for i in range(len(rows) + 1)]
    ops = [vline(x, ys[-1], ys[0]) for x in xs] + [hline(72, 520, y) for y in ys]
    for i, cells in enumerate(rows):
        ops += [text(x + 4, ys[i] - 14, s) for x, s in zip(xs, cells) if s]
    return ops


def _page_top_rows(tmp_path: Path, first_bottom: int, carried: tuple[str, str, str], answer: str = "Answer two.") -> Table:
    """Page 1 ends with rows a. and b. (the table's foot at PDF height first_bottom); page 2 starts with carried.

    Page 2's last line sits at the foot of the page (PDF height 60), so the pages' lowest content shows the margin.
    """
    page1 = _rows_table(first_bottom + 60, [("a.", "1. First?", "Answer one."), ("b.", "2. Second?", answer)])
    page2 = _rows_table(800, [carried, ("c.", "3. Third?", "Answer three.")]) + [text(72, 60, "Signed: A. Example")]
    (table,) = tables(extract(write(tmp_path, "rows.pdf", make_pdf([page1, page2])), Limits()))
    return table


def test_row_cut_at_the_page_foot_carries_on_with_only_its_answer(tmp_path):
    # the answer's second paragraph went over the break; the question was already complete above
    table = _page_top_rows(tmp_path, 60, ("", "", "Second paragraph."))
    assert grid(table) == [["a.", "1. First?", "Answer one."], ["b.", "2. Second?", "Answer two. | Second paragraph."],
                           ["c.", "3. Third?", "Answer three."]]
    assert table.rows[1].cells[2].location.pages == [1, 2]


def test_sentence_running_on_after_the_break_joins_the_row_even_with_room_left(tmp_path):
    table = _page_top_rows(tmp_path, 400, ("", "", "and then moved school."), answer="The family moved house")
    assert grid(table)[1] == ["b.", "2. Second?", "The family moved house | and then moved school."]


def test_new_question_at_page_top_with_empty_label_is_a_row_of_its_own(tmp_path):
    # a section label merged down over two questions leaves the second one's label cell empty on the new page
    table = _page_top_rows(tmp_path, 60, ("", "2b. Another question?", "Its own answer."))
    assert [row[1] for row in grid(table)] == ["1. First?", "2. Second?", "2b. Another question?", "3. Third?"]
    assert grid(table)[1][2] == "Answer two." and table.rows[2].cells[1].location.page == 2


def test_answer_in_a_column_that_was_empty_above_starts_a_new_row(tmp_path):
    pdf = make_pdf([_rows_table(120, [("a.", "1. First?", "Answer one."), ("b.", "2. Second?", "")]),
                    _rows_table(800, [("", "", "Answer to something else.")])])
    (table,) = tables(extract(write(tmp_path, "fresh.pdf", pdf), Limits()))
    assert grid(table)[1:] == [["b.", "2. Second?", ""], ["", "", "Answer to something else."]]


def test_row_that_ended_with_room_left_on_its_page_was_not_cut(tmp_path):
    table = _page_top_rows(tmp_path, 400, ("", "", "Answer placed after a page break."))
    assert len(table.rows) == 4 and grid(table)[2] == ["", "", "Answer placed after a page break."]


def test_printed_return_keeps_a_page_top_question_apart_and_joins_a_cut_one():
    # LibreOffice print of a Word return: question 6's row is cut mid-sentence at the foot of page 2; question 18
    # starts page 4 under 'MULTI AGENCY WORKING', whose cell is merged down from question 17's row
    raw = extract(SAMPLES / "returns" / "wm-case2-police-no-grade-printed.pdf", Limits())
    rows = {row[1][:3]: row for row in grid(tables(raw)[1])}
    assert rows["6. "][1].startswith("6. Which tools") and rows["6. "][1].endswith("assessment (and when)?")
    assert rows["6. "][2].count("•") == 4
    assert rows["17."][1].startswith("17. How are") and "18." not in rows["17."][1]
    assert rows["18."][0] == "" and rows["18."][2].startswith("Good information sharing")


def test_table_not_at_page_top_is_not_joined(tmp_path):
    pdf = make_pdf([_three_col_table(200, ["a."]), [text(72, 800, "Section two")] + _three_col_table(700, [""])])
    raw = extract(write(tmp_path, "sep.pdf", pdf), Limits())
    assert len(tables(raw)) == 2 and "Section two" in paragraphs(raw)


def test_merged_cell_appears_once_with_its_span(tmp_path):
    ops = [hline(72, 520, y) for y in (700, 670, 640)] + [vline(72, 640, 700), vline(520, 640, 700),
                                                           vline(300, 640, 670)]
    ops += [text(76, 686, "ASSESSMENT"), text(76, 656, "6. Which tools?"), text(304, 656, "A fictional tool.")]
    (table,) = tables(extract(write(tmp_path, "span.pdf", make_pdf([ops])), Limits()))
    assert grid(table) == [["ASSESSMENT"], ["6. Which tools?", "A fictional tool."]]
    assert table.rows[0].cells[0].col_span == 2 and table.rows[1].cells[1].col == 1


# ---- grade marks and fillable forms --------------------------------------------------------------------

def test_drawn_tick_is_a_checked_drawn_mark_in_its_cell():
    (grades,) = tables(extract(SAMPLES / "pdf-drawn-tick.pdf", Limits()))
    marked = {row.cells[0].blocks[0].text: [cb for p in row.cells[1].blocks for cb in p.checkboxes]
              for row in grades.rows[1:]}
    assert [cb.kind for cb in marked["Good"]] == ["drawn_mark"] and marked["Good"][0].checked
    assert marked["Outstanding"] == marked["Requires improvement"] == marked["Inadequate"] == []


def test_acroform_values_come_from_the_form_data_in_their_cells():
    raw = extract(SAMPLES / "pdf-acroform.pdf", Limits())
    header, questions, grades = tables(raw)
    assert grid(header) == [["Name of auditor completing form:", "A. Example"], ["Date of audit:", "12/03/2026"]]
    answer = questions.rows[0].cells[2].blocks[0]
    assert answer.text == "Early help offered (fictional)." and answer.tags == ["q1_answer"]
    boxes = {row.cells[0].blocks[0].text: row.cells[1].blocks[0].checkboxes[0] for row in grades.rows}
    assert {k: (b.checked, b.kind, b.label) for k, b in boxes.items()} == {
        "Outstanding": (False, "acroform", "grade_outstanding"), "Good": (True, "acroform", "grade_good"),
        "Requires improvement": (False, "acroform", "grade_requires_improvement"),
        "Inadequate": (False, "acroform", "grade_inadequate")}
    status = raw.blocks[-1]
    assert status.text == "Case status: Open Closed" and status.tags == ["case_status"]
    assert [(b.label, b.checked) for b in status.checkboxes] == [("case_status=Open", False), ("case_status=Closed", True)]


# ---- bad files and limits -----------------------------------------------------------------------------

def test_user_password_is_reported_as_password_protected():
    with pytest.raises(UnreadableFile) as info:
        extract(SAMPLES / "pdf-encrypted-user.pdf", Limits())
    assert info.value.code == "password_protected"
    assert "without a password" in str(info.value) and "pdf-encrypted-user.pdf" in str(info.value)


def test_owner_only_restrictions_read_normally():
    raw = extract(SAMPLES / "pdf-encrypted-owner.pdf", Limits())
    assert grid(tables(raw)[2])[2] == ["Good", "X"]


@pytest.mark.parametrize("data, reason", [
    (b"%PDF-1.4\nthis is not really a pdf", "No /Root object"),
    (b"PK\x03\x04 a zip renamed to pdf", ""),
])
def test_corrupt_file_is_corrupt_file_with_the_reason(tmp_path, data, reason):
    with pytest.raises(UnreadableFile) as info:
        extract(write(tmp_path, "broken.pdf", data), Limits())
    assert info.value.code == "corrupt_file" and "broken.pdf" in str(info.value)
    assert reason in str(info.value)


def test_truncated_pdf_is_corrupt_or_readable_never_a_crash(tmp_path):
    data = (SAMPLES / "pdf-word-form.pdf").read_bytes()
    path = write(tmp_path, "cut.pdf", data[: len(data) // 3])
    try:
        raw = extract(path, Limits())
    except UnreadableFile as e:
        assert e.code == "corrupt_file"
    else:
        assert raw.format == "pdf"


def test_too_many_pages_is_refused_with_the_count():
    with pytest.raises(FileLimitExceeded) as info:
        extract(SAMPLES / "pdf-page-break.pdf", Limits(max_pages=3))
    assert info.value.code == "limit_exceeded" and "4 pages" in str(info.value) and "3" in str(info.value)


def test_threads_reading_at_once_get_the_same_result():
    expected = extract(SAMPLES / "pdf-page-break.pdf", Limits()).model_dump()
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(extract(SAMPLES / "pdf-page-break.pdf", Limits())))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.model_dump() for r in results] == [expected] * 4


def test_borders_drawn_as_thin_filled_rectangles_make_the_same_grid(tmp_path):
    # Word's PDF export draws each border as a thin filled rectangle: two edges 0.5 pt apart
    ops = [b"%d %d 448 0.5 re f" % (72, y) for y in (700, 670, 640)]
    ops += [b"%d 640 0.5 60 re f" % x for x in (72, 300, 520)]
    ops += [text(76, 686, "Date of audit:"), text(304, 686, "12/03/2026"), text(76, 656, "Theme:"),
            text(304, 656, "Neglect")]
    (table,) = tables(extract(write(tmp_path, "rects.pdf", make_pdf([ops])), Limits()))
    assert grid(table) == [["Date of audit:", "12/03/2026"], ["Theme:", "Neglect"]]


def test_empty_tick_boxes_are_not_grid_lines_or_marks(tmp_path):
    ys = [700, 680, 660, 640]
    ops = [hline(72, 400, y) for y in ys] + [vline(x, 640, 700) for x in (72, 300, 400)]
    for i, name in enumerate(["Outstanding", "Good", "Inadequate"]):
        ops += [text(76, ys[i] - 14, name), b"0.5 w 344 %d 10 10 re S" % (ys[i] - 15)]
    ops.append(b"1 w 345 %d m 349 %d l 354 %d l S" % (ys[1] - 10, ys[1] - 14, ys[1] - 6))  # tick in 'Good'
    (table,) = tables(extract(write(tmp_path, "boxes.pdf", make_pdf([ops])), Limits()))
    assert [len(row.cells) for row in table.rows] == [2, 2, 2]
    marks = [[cb.kind for p in row.cells[1].blocks for cb in p.checkboxes] for row in table.rows]
    assert marks == [[], ["drawn_mark"], []]


def test_empty_acroform_field_keeps_its_name_with_no_text(tmp_path):
    data = (SAMPLES / "pdf-acroform.pdf").read_bytes()
    old = b"/V (Attendance improved.)"
    assert old in data
    path = write(tmp_path, "blank.pdf", data.replace(old, b"/V ()".ljust(len(old))))
    questions = tables(extract(path, Limits()))[1]
    (para,) = questions.rows[1].cells[2].blocks
    assert para.text == "" and para.tags == ["q2_answer"]


def test_dense_ruling_grid_is_read_whole(tmp_path):
    # pdfplumber's extract_tables can run for minutes on grids like this; our own ruling reader reads it whole
    # (its cost is bench/bench_pdf.py's business, not a timed test's)
    xs, ys = list(range(40, 560, 8)), list(range(40, 800, 6))
    ops = [hline(xs[0], xs[-1], y) for y in ys] + [vline(x, ys[0], ys[-1]) for x in xs]
    marks = [(x, y) for x in xs[:-1:5] for y in ys[:-1:5]]
    ops += [b"BT /F1 4 Tf %d %d Td (1) Tj ET" % (x + 2, y + 1) for x, y in marks]
    path = write(tmp_path, "dense.pdf", make_pdf([ops]))
    raw = extract(path, Limits())
    (table,) = tables(raw)
    assert [len(row.cells) for row in table.rows] == [len(xs) - 1] * (len(ys) - 1)
    assert sum(text == "1" for row in grid(table) for text in row) == len(marks)


_WORD_CMAP = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /W def 1 begincodespacerange "
              b"<00> <FF> endcodespacerange 3 beginbfchar <FC> <F0FC> <FD> <F0FD> <FE> <F0FE> endbfchar endcmap "
              b"CMapName currentdict /CMap defineresource pop end end")


@pytest.mark.parametrize("to_unicode", [True, False], ids=["word-pua", "raw-code"])
@pytest.mark.parametrize("code, seen", [(b"\\376", "\u2611"), (b"\\375", "\u2612"), (b"\\374", "\u2713")])
def test_wingdings_tick_box_reads_as_the_symbol_a_reader_sees(tmp_path, code, seen, to_unicode):
    # Word writes a Wingdings tick box as U+F0FE (a private-use code) through its ToUnicode map
    ops = [text(72, 700, "Good"), b"BT /F2 10 Tf 150 700 Td (" + code + b" ) Tj ET", text(72, 680, "box")]
    font = b"/Type /Font /Subtype /TrueType /BaseFont /ABCDEF+Wingdings-Regular /Flags 4"
    data = make_pdf([ops])
    if to_unicode:
        font += b" /ToUnicode 9 0 R"
        data = data.replace(b"xref", b"9 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\nxref"
                            % (len(_WORD_CMAP), _WORD_CMAP))
    data = data.replace(b"/Font << /F1 ", b"/Font << /F2 << " + font + b" >> /F1 ")
    raw = extract(write(tmp_path, "wing.pdf", data), Limits())
    assert paragraphs(raw) == [f"Good {seen}", "box"]  # ordinary 'o' and 'x' in Helvetica stay letters


def _symbol_font_pdf(font_name: bytes, codes: bytes) -> bytes:
    """'Good' in Helvetica, then ``codes`` set in a TrueType font of that name mapped to Word's U+F0xx codes."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /W def 1 begincodespacerange "
            b"<00> <FF> endcodespacerange %d beginbfchar %s endbfchar endcmap CMapName currentdict /CMap "
            b"defineresource pop end end" % (len(codes), b" ".join(b"<%02X> <F0%02X>" % (c, c) for c in codes)))
    escaped = b"".join(b"\\%03o" % c for c in codes)
    ops = [text(72, 700, "Good"), b"BT /F2 10 Tf 150 700 Td (" + escaped + b") Tj ET", text(72, 680, "OPRST")]
    data = make_pdf([ops]).replace(b"xref", b"9 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\nxref"
                                   % (len(cmap), cmap))
    font = b"/Type /Font /Subtype /TrueType /BaseFont /ABCDEF+" + font_name + b" /Flags 4 /ToUnicode 9 0 R"
    return data.replace(b"/Font << /F1 ", b"/Font << /F2 << " + font + b" >> /F1 ")


@pytest.mark.parametrize("font_name", [b"Wingdings2", b"Wingdings-2-Regular"])
def test_wingdings_2_tick_boxes_read_as_the_symbols_a_reader_sees(tmp_path, font_name):
    # Word's Wingdings 2 tick boxes: R box with tick, T and S boxes with crosses, P tick, O cross, the pound sign a box
    raw = extract(write(tmp_path, "wing2.pdf", _symbol_font_pdf(font_name, b"RTSPO\xa3")), Limits())
    assert paragraphs(raw) == ["Good \u2611\u2612\u2612\u2713\u2717\u25a1", "OPRST"]  # Helvetica letters stay letters


def test_wingdings_3_codes_are_not_read_as_tick_boxes(tmp_path):
    # Wingdings 3 draws arrows at the codes Wingdings uses for tick boxes: no box or tick may be invented
    raw = extract(write(tmp_path, "wing3.pdf", _symbol_font_pdf(b"Wingdings3", b"\xfe\xfdR")), Limits())
    assert not any(ch in paragraphs(raw)[0] for ch in "\u2611\u2612\u2713")


def _with_annotations(data: bytes, annots: list[bytes]) -> bytes:
    """Attach annotation dictionaries (objects 20, 21, ...) to the first page of a make_pdf document."""
    numbers = range(20, 20 + len(annots))
    objs = b"".join(b"%d 0 obj\n%s\nendobj\n" % (n, body) for n, body in zip(numbers, annots))
    data = data.replace(b"xref", objs + b"xref", 1)
    return data.replace(b"/Type /Page /Parent", b"/Annots [%s] /Type /Page /Parent"
                        % b" ".join(b"%d 0 R" % n for n in numbers), 1)


def test_sticky_notes_and_floating_free_text_boxes_are_comments_not_answers(tmp_path):
    page = [text(72, 700, "Date of audit:"), text(250, 700, "12/03/2026"), text(72, 650, "Answer text.")]
    data = _with_annotations(make_pdf([page, [text(72, 700, "Page two.")]]), [
        b"<< /Type /Annot /Subtype /Text /Rect [300 690 320 710] /T (A. Reviewer) /Contents (Please check this date.)"
        b" /M (D:20260314093000Z) /Open false >>",
        b"<< /Type /Annot /Subtype /FreeText /Rect [72 600 300 620] /T (B. Manager) /Contents (Typed over the form)"
        b" /DA (/Helv 10 Tf 0 g) >>",
        b"<< /Type /Annot /Subtype /Text /Rect [72 560 92 580] /Contents () >>",  # an empty note says nothing
    ])
    raw = extract(write(tmp_path, "notes.pdf", data), Limits())
    assert [(c.author, c.text, c.date, c.location.page) for c in raw.comments] == [
        ("A. Reviewer", "Please check this date.", "2026-03-14T09:30:00", 1), ("B. Manager", "Typed over the form", None, 1)]
    assert raw.comments[0].location.bbox == (300, 132, 320, 152)  # top-left origin, like every other box
    lines = document_lines(raw)
    assert "Answer text." in lines and not [line for line in lines if "check this date" in line or "Typed over" in line]


def test_damaged_page_is_corrupt_file_naming_the_page(tmp_path):
    data = make_pdf([[text(72, 700, "one")], [text(72, 700, "two")]])
    path = write(tmp_path, "damaged.pdf", data.replace(b"/Kids [4 0 R 6 0 R]", b"/Kids [4 0 R 99 0 R]"))
    with pytest.raises(UnreadableFile) as info:
        extract(path, Limits())
    assert info.value.code == "corrupt_file" and "page 2" in str(info.value)


def test_a_pdf_that_takes_too_long_is_stopped_with_a_clear_reason(monkeypatch):
    import extractors.pdf as pdf_module
    from models.errors import FileLimitExceeded
    from models.settings import Limits

    real = pdf_module.read_page
    clock = {"t": 0.0}

    def slow_page(*args, **kwargs):
        clock["t"] += 10.0  # each page "takes" 10 s
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf_module, "read_page", slow_page)
    monkeypatch.setattr(pdf_module.time, "monotonic", lambda: clock["t"])
    with pytest.raises(FileLimitExceeded) as err:
        pdf_module.extract(SAMPLES / "pdf-page-break.pdf", Limits(seconds_per_file=15))
    assert "took longer than 15 s" in str(err.value) and "page 2" in str(err.value)


# ---- paragraph ends that geometry alone reads as soft wraps ----------------------------------------------

def _cell_lines(tmp_path: Path, lines: list[str]) -> list[str]:
    """One ruled cell holding the given lines 12 pt apart; its paragraphs' texts."""
    ops = [hline(300, 390, 700), hline(300, 390, 640), vline(300, 640, 700), vline(390, 640, 700)]
    ops += [text(304, 688 - 12 * i, s) for i, s in enumerate(lines)]
    (table,) = tables(extract(write(tmp_path, "cell.pdf", make_pdf([ops])), Limits()))
    return [p.text for p in table.rows[0].cells[0].blocks]


def test_sentence_end_with_no_wrap_space_ends_the_paragraph_where_wraps_keep_their_space(tmp_path):
    # LibreOffice keeps the space a line wrapped at; "home." has none, so the next word starts a new paragraph
    # even though it would not have fitted after "home." (two answers the agency typed as two paragraphs)
    assert _cell_lines(tmp_path, ["Seen with the ", "child at home.", "Mother agreed to ", "the plan."]) == [
        "Seen with the child at home.", "Mother agreed to the plan."]


def test_without_wrap_spaces_on_the_page_a_full_line_still_wraps(tmp_path):
    # a producer that drops every wrap space gives no evidence: geometry decides, as before
    assert _cell_lines(tmp_path, ["Seen with the", "child at home.", "Mother agreed to", "the plan."]) == [
        "Seen with the child at home. Mother agreed to the plan."]
