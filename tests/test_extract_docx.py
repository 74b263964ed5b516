"""Word extraction: what an analyst would see wrong if the .docx reader lost, doubled or misplaced anything."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import pytest

from extractors import docx
from models.errors import FileLimitExceeded, UnreadableFile
from models.raw import Paragraph, Table
from models.settings import Limits
from tests.rawbuild import paragraphs
from pipeline.text import document_lines

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
_spec = importlib.util.spec_from_file_location("make_word_samples", SAMPLES / "make_word_samples.py")
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)


def read(name: str):
    return docx.extract(SAMPLES / name, Limits())


def build(tmp_path: Path, body: str, **kw):
    return docx.extract(mk.write_docx(tmp_path / "case.docx", body, **kw), Limits())


def cell_text(table: Table, row: int, col: int) -> str:
    cell = next(c for c in table.rows[row].cells if c.col == col)
    return "\n".join(p.text for p in paragraphs(cell.blocks))


def tables(raw):
    return [b for b in raw.blocks if isinstance(b, Table)]


# ---- samples -------------------------------------------------------------------------------------

def test_content_controls_text_tags_and_placeholder():
    raw = read("word-content-controls.docx")
    header = tables(raw)[0]
    assert cell_text(header, 0, 1) == "Alex Example"
    assert header.rows[0].cells[1].blocks[0].tags == ["auditor", "Auditor"]
    agency = header.rows[1].cells[1].blocks[0]
    assert agency.text == "" and agency.placeholder is True  # "Click or tap here" is not an answer
    assert cell_text(header, 2, 1) == "14/02/2026"  # date picker: displayed text
    assert cell_text(header, 3, 1) == "Child in need"  # drop-down: selected item
    assert header.rows[4].cells[1].blocks[0].tags == ["practitioner_row"]  # control around a whole row
    assert cell_text(header, 4, 1) == "Sam Sample"
    theme = header.rows[5].cells[1].blocks[0]
    assert (theme.text, theme.tags) == ("Neglect", ["theme_cell", "theme", "Theme"])
    lines = document_lines(raw)
    assert "An answer written inside a block content control around the paragraph." in lines
    assert "kept" in lines  # a table inside a control
    inline = next(p for p in paragraphs(raw.blocks) if p.text.startswith("Inline"))
    assert inline.text == "Inline: outer inner end." and inline.tags == ["outer", "middle", "inner"]
    assert not any("Click or tap" in line for line in lines)


def test_legacy_form_fields_give_results_states_and_selection():
    raw = read("word-legacy-formfields.docx")
    answers, grades = tables(raw)
    assert cell_text(answers, 0, 1) == "Jo Placeholder-Free"
    assert cell_text(answers, 1, 1) == "Stepped down"  # FORMDROPDOWN result index 2
    assert cell_text(answers, 2, 1) == "Since May 2025"  # tab read as a space
    assert not any("FORM" in line for line in document_lines(raw))  # field codes never leak
    states = [grades.rows[i].cells[1].blocks[0].checkboxes[0] for i in range(1, 5)]
    # w:checked val=0 / bare w:checked (checked) / w:default=1 only / w:default=0 only
    assert [b.checked for b in states] == [False, True, True, False]
    assert {b.kind for b in states} == {"legacy_field"}


def test_grade_checkbox_controls_state_without_their_glyph():
    raw = read("word-grade-checkbox.docx")
    grades = tables(raw)[0]
    boxes = {grades.rows[i].cells[0].blocks[0].text: grades.rows[i].cells[1].blocks[0].checkboxes for i in range(1, 5)}
    assert {g: [b.checked for b in bs] for g, bs in boxes.items()} == {
        "Outstanding": [False], "Good": [True], "Requires improvement": [False], "Inadequate": [False]}
    assert all(b.kind == "content_control" for bs in boxes.values() for b in bs)
    lines = document_lines(raw)
    assert not any(g in line for line in lines[:-1] for g in "☒☐")  # control glyphs are not text
    inline = next(p for p in paragraphs(raw.blocks) if p.text.startswith("Multi-agency"))
    assert [(b.checked, b.label) for b in inline.checkboxes] == [(True, "Yes"), (False, "No")]
    assert lines[-1] == "Typed glyphs stay as typed: ☒ Yes ☐ No"


def test_tracked_changes_accepted_view_and_comments_apart():
    raw = read("word-tracked-changes.docx")
    lines = document_lines(raw)
    assert "The family was offered an early help assessment in March." in lines
    assert "Chronology: reviewed monthly." in lines  # moveFrom dropped
    assert "moved words" in lines  # moveTo kept
    assert "First half of a sentence joined to its second half." in lines  # deleted paragraph mark merges
    assert raw.revisions == 5
    [note] = raw.comments
    assert (note.author, note.text, note.anchor) == ("Reviewer A", "Please give the exact date of the offer.", "in March.")
    assert (note.location.table, note.location.row, note.location.col) == (0, 0, 2)
    assert not any("exact date" in line for line in lines)


def test_merged_cells_appear_once_with_their_span():
    table = tables(read("word-merged-cells.docx"))[0]
    section = [c for row in table.rows for c in row.cells if any(p.text == "ASSESSMENT" for p in c.blocks)]
    assert len(section) == 1 and (section[0].row, section[0].col, section[0].row_span) == (1, 0, 3)
    assert [c.col for c in table.rows[2].cells] == [1, 2]  # continuation cell not emitted again
    learning, answer = table.rows[4].cells
    assert (learning.col, learning.col_span, answer.col) == (0, 2, 2)
    assert answer.location.col == 2 and answer.location.row == 4


def test_nested_table_stays_inside_its_cell_in_order():
    outer = tables(read("word-nested-table.docx"))[0]
    blocks = outer.rows[0].cells[2].blocks
    assert [b.kind for b in blocks] == ["paragraph", "table", "paragraph"]
    assert cell_text(blocks[1], 1, 1) == "Telephone call to school"


def test_lists_numbering_styles_and_typed_bullets():
    items = {p.text: p.list_item for p in paragraphs(read("word-lists.docx").blocks)}
    assert items["Numbered action one"] and items["Bullet through the List Bullet style"]
    assert items["Bullet through a style based on it"]
    assert items["Typed bullet with a tab"] and items["Typed hyphen bullet"] and items["Typed letter-o bullet"]
    assert items["-5 degrees is not a bullet"] is False
    assert items["Not numbered: numId 0 switches the style off"] is False
    assert items["Line one\nLine two after a tab"] is False


def test_textbox_read_once_in_order_and_picture_counted():
    raw = read("word-textbox.docx")
    lines = document_lines(raw)
    assert lines[1:] == ["Before the box.", "Text inside a floating text box.", "After the box.", "[picture]"]
    assert raw.unknown == {"pic:pic": 1}  # marked where it stands, and counted: what it shows is not read


def test_objects_not_understood_are_counted():
    raw = read("word-unknown-objects.docx")
    assert raw.unknown == {"m:oMath": 1, "w:object": 1, "w:pict": 1, "w:altChunk": 1}
    # the equation is read as linear text and still counted; the object is marked where it stands
    assert document_lines(raw)[1:] == ["Formula: x=1", "[embedded object: Excel.Sheet.12]",
                                       "The answer after the objects."]


def test_docm_reads_like_docx():
    assert document_lines(read("word-filled-form.docm")) == document_lines(read("word-filled-form.docx"))


def test_body_paragraph_locations_count_every_body_paragraph():
    raw = read("word-filled-form.docx")
    body = [b for b in raw.blocks if isinstance(b, Paragraph)]
    assert [(p.text[:7], p.location.paragraph) for p in body] == [("West Mi", 0), ("Context", 1), ("Please ", 2)]


# ---- edge cases built here -----------------------------------------------------------------------

def test_checkbox_state_from_glyph_when_control_has_no_state(tmp_path):
    raw = build(tmp_path, mk.p(mk.checkbox_sdt(None, glyph="☒"), " Yes"))
    [para] = raw.blocks
    assert para.text == "Yes" and para.checkboxes[0].checked is True


def test_field_result_split_over_runs_and_nested_field(tmp_path):
    nested = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
              '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    begin = mk.field("<w:textInput/>", "FORMTEXT", None).removesuffix(end)
    body = mk.p(begin, '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', mk.r("Seen "), mk.r("by GP, page "),
                nested, end)
    assert document_lines(build(tmp_path, body)) == ["Seen by GP, page 3"]


def test_unclosed_field_code_does_not_swallow_later_answers(tmp_path):
    broken = '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> FORMTEXT </w:instrText></w:r>'
    raw = build(tmp_path, mk.p("Before", broken) + mk.p("The next answer."))
    assert document_lines(raw) == ["Before", "The next answer."]
    assert raw.warnings and "field" in raw.warnings[0]


def test_word_prompt_as_field_result_is_a_placeholder(tmp_path):
    # What LibreOffice writes for an unanswered Word content control after a trip through .odt.
    fillin = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> FILLIN "" </w:instrText></w:r>'
              '<w:r><w:fldChar w:fldCharType="separate"/></w:r>{}<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    raw = build(tmp_path, mk.p(fillin.format(mk.r("Click or tap here to enter text."))) +
                mk.p(fillin.format(mk.r("Kingsmere Health"))))
    assert [(p.text, p.placeholder) for p in raw.blocks] == [("", True), ("Kingsmere Health", False)]


def test_grid_before_and_deleted_row(tmp_path):
    deleted_row = mk.tr(mk.tc("gone"), mk.tc("gone"), mk.tc("gone"),
                        props=f'<w:del w:id="9" w:author="A" w:date="{mk.DATE}"/>')
    body = mk.tbl(mk.tr(mk.tc("a"), mk.tc("b"), mk.tc("c")), deleted_row,
                  mk.tr(mk.tc("only"), props='<w:gridBefore w:val="2"/>'))
    raw = build(tmp_path, body)
    table = raw.blocks[0]
    assert len(table.rows) == 2 and table.rows[1].cells[0].col == 2
    assert "gone" not in document_lines(raw) and raw.revisions == 1


def test_comment_spanning_paragraphs_and_inside_deleted_text(tmp_path):
    body = (mk.p('<w:commentRangeStart w:id="1"/>', "Mother attended", mk.deleted(" twice")) +
            mk.p("the meeting.", '<w:commentRangeEnd w:id="1"/>', mk.comment_ref(1)))
    raw = build(tmp_path, body, comments=mk.comment(1, "QA", "Which meeting?"))
    assert raw.comments[0].anchor == "Mother attended the meeting."
    assert raw.comments[0].location.paragraph == 0
    assert document_lines(raw) == ["Mother attended", "the meeting."]


def test_chart_is_counted_but_a_footnote_reference_is_not(tmp_path):
    # the note itself is read from footnotes.xml (below), so its reference is understood, not unknown
    picture = mk.picture().replace("drawingml/2006/picture", "drawingml/2006/chart")
    chart = picture[:picture.index("<pic:pic>")] + '<c:chart r:id="rId5"/>' + picture[picture.index("</pic:pic>") + 10:]
    raw = build(tmp_path, mk.p("See chart", chart, '<w:r><w:footnoteReference w:id="1"/></w:r>'))
    assert raw.unknown == {"c:chart": 1}
    assert document_lines(raw) == ["See chart"]


# ---- page headers and footers, footnotes and endnotes --------------------------------------------------

def _two_sections(tmp_path, **parts):
    """Section 1 (header h1, footer f1) then section 2 (headers h2 default, h3 first page, h4 even; footer f2)."""
    first = ('<w:p><w:pPr><w:sectPr>' + mk.page_ref("header", "h1") + mk.page_ref("footer", "f1")
             + '</w:sectPr></w:pPr>' + mk.r("Body of section one.") + "</w:p>")
    body = first + mk.tbl(mk.tr(mk.tc(mk.p("1. Question?")), mk.tc(mk.p("Answer.")), mk.tc(mk.p(""))))
    refs = (mk.page_ref("header", "h2") + mk.page_ref("header", "h3", "first") + mk.page_ref("header", "h4", "even")
            + mk.page_ref("footer", "f2"))
    return docx.extract(mk.write_docx(tmp_path / "pages.docx", body, page_parts=parts, section_refs=refs), Limits())


def test_page_headers_and_footers_come_first_once_each_and_styled(tmp_path):
    dated = mk.header_part(mk.p("Date: 12/03/2026"), mk.p("Theme: Neglect"))
    raw = _two_sections(
        tmp_path,
        h1=dated, h2=dated,  # section 2 unlinked from section 1 but the same header: one header for a reader
        h3=mk.header_part(mk.tbl(mk.tr(mk.tc(mk.p("Agency:")), mk.tc(mk.p("Northfield Health Trust"))))),
        h4=mk.header_part(mk.p("")),  # empty even-page header
        f1=mk.footer_part(mk.p("OFFICIAL - SENSITIVE (fictional)")),
        f2=mk.footer_part(mk.p("Page ", mk.page_number_field("PAGE"), " of ", mk.page_number_field("NUMPAGES"))),
    )
    head = raw.blocks[:4]
    assert [(b.text, b.style) for b in head if isinstance(b, Paragraph)] == [
        ("Date: 12/03/2026", "page-header"), ("Theme: Neglect", "page-header"),
        ("OFFICIAL - SENSITIVE (fictional)", "page-footer")]
    header_table = head[2]
    assert isinstance(header_table, Table) and cell_text(header_table, 0, 1) == "Northfield Health Trust"
    assert {p.style for p in paragraphs([header_table])} == {"page-header"}
    assert raw.blocks[4].text == "Body of section one." and raw.blocks[4].style == "Normal"
    # body tables keep their numbers; the header's table is numbered after them
    assert tables(raw)[1].location.table == 0 and header_table.location.table == 1
    lines = document_lines(raw)
    assert not [line for line in lines if line.startswith("Page") or line in ("1", "of")]
    assert lines.count("Date: 12/03/2026") == 1


def test_page_number_fields_alone_make_no_footer_but_text_around_them_stays(tmp_path):
    raw = _two_sections(
        tmp_path, h1=mk.header_part(mk.p("Case ref: FICT-001")), h2=mk.header_part(mk.p("")),
        h3=mk.header_part(), h4=mk.header_part(),
        f1=mk.footer_part(mk.p('<w:fldSimple w:instr=" PAGE "><w:r><w:t>3</w:t></w:r></w:fldSimple>')),
        f2=mk.footer_part(mk.p("Version 2 - ", mk.page_number_field("PAGE"))),
    )
    assert [(b.text, b.style) for b in raw.blocks[:2]] == [("Case ref: FICT-001", "page-header"),
                                                           ("Version 2 -", "page-footer")]
    assert raw.blocks[2].text == "Body of section one."


def test_footnotes_and_endnotes_are_read_last_as_footnote_paragraphs(tmp_path):
    body = mk.p("Seen at home", '<w:r><w:footnoteReference w:id="1"/></w:r>', " and at school.",
                '<w:r><w:endnoteReference w:id="1"/></w:r>')
    parts = {"fn": mk.notes_part("footnote", {1: "Visit date from the fictional case file."}),
             "en": mk.notes_part("endnote", {1: "Checked by the fictional team manager."})}
    raw = docx.extract(mk.write_docx(tmp_path / "notes.docx", body, page_parts=parts), Limits())
    assert [(b.text, b.style) for b in raw.blocks] == [
        ("Seen at home and at school.", "Normal"), ("Visit date from the fictional case file.", "footnote"),
        ("Checked by the fictional team manager.", "footnote")]
    assert raw.unknown == {}  # Word's separator notes are neither text nor unknown


def test_symbol_font_tick_and_unknown_symbol(tmp_path):
    body = mk.p('<w:r><w:sym w:font="Wingdings" w:char="F0FE"/></w:r>', " Good",
                '<w:r><w:sym w:font="Webdings" w:char="F021"/></w:r>')
    raw = build(tmp_path, body)
    assert document_lines(raw) == ["☑ Good"] and raw.unknown == {"w:sym": 1}


def test_text_box_inside_a_table_cell_stays_in_the_cell(tmp_path):
    raw = build(tmp_path, mk.tbl(mk.tr(mk.tc("Q"), mk.tc(mk.p("A", mk.textbox("boxed"))), mk.tc(""))))
    assert [p.text for p in raw.blocks[0].rows[0].cells[1].blocks] == ["A", "boxed"]


def test_row_and_cell_level_placeholders(tmp_path):
    body = mk.tbl(mk.tr(mk.tc("Date of audit:"), mk.sdt(mk.tc(mk.p(mk.placeholder_run())), tag="d", placeholder=True),
                        mk.tc("")))
    cell = build(tmp_path, body).blocks[0].rows[0].cells[1]
    assert [(p.text, p.placeholder, p.tags) for p in cell.blocks] == [("", True, ["d"])]


def test_empty_template_paragraphs_are_not_blocks(tmp_path):
    raw = build(tmp_path, mk.p() + mk.p("Answer") + mk.p("  "))
    assert [(p.text, p.location.paragraph) for p in raw.blocks] == [("Answer", 1)]


# ---- package safety --------------------------------------------------------------------------------

def _code(path: Path, limits: Limits | None = None) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as info:
        docx.extract(path, limits or Limits())
    assert path.name in str(info.value)  # every message names the file
    return info.value


def test_encrypted_docx_is_password_protected(tmp_path):
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le"))
    err = _code(path)
    assert err.code == "password_protected" and "without a password" in str(err)


def test_old_word_file_named_docx(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "WordDocument".encode("utf-16-le"))
    err = _code(path)
    assert err.code == "not_a_word_file" and ".doc" in str(err)


def test_not_a_zip_and_zip_without_document(tmp_path):
    text = tmp_path / "notes.docx"
    text.write_text("just some text")
    assert _code(text).code == "not_a_word_file"
    other = tmp_path / "sheet.docx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    assert _code(other).code == "not_a_word_file"


def test_corrupt_deflate_stream(tmp_path):
    path = mk.write_docx(tmp_path / "broken.docx", mk.p("x" * 2000))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + 40):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    assert _code(path).code == "corrupt_file"


def test_doctype_in_any_xml_part_is_refused(tmp_path):
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    path = mk.write_docx(tmp_path / "xxe.docx", mk.p("ok"), extra_parts={"customXml/item1.xml": xxe})
    err = _code(path)
    assert err.code == "unsafe_xml" and "customXml/item1.xml" in str(err)
    utf16 = mk.write_docx(tmp_path / "xxe16.docx", mk.p("ok"),
                          extra_parts={"customXml/item2.xml": b"\xff\xfe" + xxe.decode().encode("utf-16-le")})
    assert _code(utf16).code == "unsafe_xml"


def test_size_limits(tmp_path):
    path = mk.write_docx(tmp_path / "big.docx", mk.p("Lorem ipsum " * 20000))  # ~240 KB of XML, tiny zipped
    err = _code(path, Limits(max_unzipped_mb=0.1))
    assert isinstance(err, FileLimitExceeded) and err.code == "limit_exceeded"
    assert _code(path, Limits(max_file_mb=0.000001)).code == "limit_exceeded"
    assert document_lines(docx.extract(path, Limits()))  # the same file within limits reads


def test_damaged_xml_is_corrupt(tmp_path):
    path = mk.write_docx(tmp_path / "bad.docx", "<w:p><w:r><w:t>unclosed</w:r></w:p>")
    assert _code(path).code == "corrupt_file"
    deep = mk.write_docx(tmp_path / "deep.docx", mk.p("<w:hyperlink>" * 5000 + mk.r("x") + "</w:hyperlink>" * 5000))
    assert _code(deep).code == "corrupt_file"  # refused by the parser, not a crash in the walk


def test_damaged_numbers_fall_back(tmp_path):
    raw = build(tmp_path, mk.tbl(mk.tr(mk.tc("a").replace('<w:tcW w:w="3000" w:type="dxa"/>',
                                                          '<w:gridSpan w:val="two"/>'), mk.tc("b"))))
    assert [c.col for c in raw.blocks[0].rows[0].cells] == [0, 1]


# ---- cost ----------------------------------------------------------------------------------------

def test_a_long_table_with_vertical_merges_is_read_row_for_row(tmp_path):
    # Its cost per row (linear, not quadratic) is measured in bench/bench_docx.py, never timed in a test.
    rows = 2000
    body = mk.tbl(*(mk.tr(mk.tc(f"Q{i}"), mk.tc(f"Answer {i}"), mk.tc("", vmerge="restart" if i % 2 else "continue"))
                    for i in range(rows)))
    raw = docx.extract(mk.write_docx(tmp_path / "rows.docx", body), Limits())
    table = raw.blocks[0]
    assert len(table.rows) == rows
    assert [c.blocks[0].text for c in table.rows[-1].cells[:2]] == [f"Q{rows - 1}", f"Answer {rows - 1}"]
