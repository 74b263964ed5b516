"""PDF returns filled in every way people do it: typed-on text, markup, bold or coloured choices, XFA forms,
passwords and sideways pages. Every PDF is built here in code; every name and answer is fictional."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from extractors.pdf import extract
from models.errors import UnreadableFile
from models.raw import Paragraph, RawDocument, Table
from models.settings import Limits
from models.template import AnswerKind
from pipeline.mapping.layout import build_units
from pipeline.intake.process import read_choices, read_formatting
from tests.test_extract_pdf import _with_annotations, hline, make_pdf, text, vline, write


def tables(raw: RawDocument) -> list[Table]:
    return [b for b in raw.blocks if isinstance(b, Table)]


def cell_texts(table: Table) -> list[list[list[str]]]:
    return [[[p.text for p in cell.blocks] for cell in row.cells] for row in table.rows]


def body(raw: RawDocument) -> list[str]:
    return [b.text for b in raw.blocks if isinstance(b, Paragraph)]


def answer_of(raw: RawDocument, kind=AnswerKind.yes_no_comments) -> list[str]:
    """What the shared choice logic reads from the document's lines (as mapping does for one answer)."""
    lines = [line.text for unit in build_units(raw) for line in unit.lines if line.text.strip()]
    kept, _struck = read_formatting(lines, kind, [])
    return read_choices(kept, kind, [])


def question_table() -> list[bytes]:
    """A two-row question | answer grid: PDF x 72-250-520, y 700-640-580."""
    ops = [hline(72, 520, y) for y in (700, 640, 580)] + [vline(x, 580, 700) for x in (72, 250, 520)]
    return ops + [text(76, 686, "1. Was the child seen?"), text(76, 626, "2. Any other agencies?"),
                  text(254, 626, "Printed prompt: please explain.")]


def free_text(rect: tuple[int, int, int, int], contents: bytes, extra: bytes = b"") -> bytes:
    return (b"<< /Type /Annot /Subtype /FreeText /Rect [%d %d %d %d] /Contents (%s) /DA (/Helv 10 Tf 0 g) %s >>"
            % (*rect, contents, extra))


# ---- 1. typed-on answers: free-text annotations ----------------------------------------------------------

def test_free_text_typed_in_a_cell_is_that_cells_answer_in_reading_order(tmp_path):
    data = _with_annotations(make_pdf([question_table()]), [
        free_text((254, 670, 500, 695), b"Seen alone at home on 02/02/2026."),
        # typed under the printed prompt of row 2, on two lines
        free_text((254, 585, 500, 615), b"Health visitor\\rSchool nurse", b"/IT /FreeTextTypeWriter"),
        b"<< /Type /Annot /Subtype /Text /Rect [500 690 520 700] /Contents (Check the date.) >>",
    ])
    raw = extract(write(tmp_path, "typed.pdf", data), Limits())
    (table,) = tables(raw)
    assert cell_texts(table) == [
        [["1. Was the child seen?"], ["Seen alone at home on 02/02/2026."]],
        [["2. Any other agencies?"], ["Printed prompt: please explain.", "Health visitor", "School nurse"]],
    ]
    assert [c.text for c in raw.comments] == ["Check the date."]  # a sticky note is still a comment
    assert raw.unknown == {}


def test_free_text_outside_cells_joins_the_line_it_was_typed_on_and_a_floating_box_is_a_comment(tmp_path):
    page = [text(72, 760, "Date of audit:"), text(72, 700, "Guidance for auditors."), text(72, 600, "Signed:"),
            hline(120, 300, 598)]
    data = _with_annotations(make_pdf([page]), [
        free_text((160, 755, 300, 771), b"12/03/2026"),  # level with the printed label
        free_text((125, 599, 300, 612), b"A. Example"),  # on the fill-in line after 'Signed:'
        free_text((300, 650, 500, 670), b"Reviewed by the panel."),  # floating: a remark
        free_text((300, 500, 500, 520), b"Typed with the typewriter tool.", b"/IT /FreeTextTypeWriter"),
        free_text((72, 450, 300, 470), b"Callout remark.", b"/IT /FreeTextCallout /CL [60 440 72 460]"),
    ])
    raw = extract(write(tmp_path, "body.pdf", data), Limits())
    assert body(raw) == ["Date of audit: 12/03/2026", "Guidance for auditors.", "Signed: A. Example",
                         "Typed with the typewriter tool."]
    assert [c.text for c in raw.comments] == ["Reviewed by the panel.", "Callout remark."]


def test_free_text_with_only_rich_text_is_read(tmp_path):
    rich = b"/RC (<?xml version=\"1.0\"?><body><p>Seen <span>weekly</span>.</p></body>)"
    data = _with_annotations(make_pdf([question_table()]), [free_text((254, 670, 500, 695), b"", rich)])
    (table,) = tables(extract(write(tmp_path, "rich.pdf", data), Limits()))
    assert table.rows[0].cells[1].blocks[0].text == "Seen weekly ."


def grade_table() -> list[bytes]:
    ys = [700, 680, 660, 640]
    ops = [hline(72, 400, y) for y in ys] + [vline(x, 640, 700) for x in (72, 300, 400)]
    return ops + [text(76, ys[i] - 14, name) for i, name in enumerate(["Outstanding", "Good", "Inadequate"])]


def test_ink_tick_in_an_empty_cell_is_a_drawn_mark_and_other_markup_is_flagged_not_dropped(tmp_path):
    data = _with_annotations(make_pdf([grade_table()]), [
        b"<< /Type /Annot /Subtype /Ink /Rect [340 662 356 678] /InkList [[342 670 346 664 355 677]] >>",
        b"<< /Type /Annot /Subtype /Ink /Rect [100 662 116 678] /InkList [[102 670 106 664 115 677]] >>",
        b"<< /Type /Annot /Subtype /Square /Rect [72 500 200 560] >>",
        b"<< /Type /Annot /Subtype /Link /Rect [72 400 200 420] >>",  # navigation: nothing written
    ])
    raw = extract(write(tmp_path, "ink.pdf", data), Limits())
    (table,) = tables(raw)
    marks = [[cb.kind for p in row.cells[1].blocks for cb in p.checkboxes] for row in table.rows]
    assert marks == [[], ["drawn_mark"], []]
    # the tick drawn over the printed word 'Good' and the box drawn on the page are counted, never lost
    assert raw.unknown == {"annotation /Ink": 1, "annotation /Square": 1}


def test_unknown_annotations_raise_the_unknown_content_flag(tmp_path):
    from pipeline.intake.process import _extraction_flags
    from pipeline.templates.registry import load_templates
    from models.settings import Settings

    data = _with_annotations(make_pdf([grade_table()]), [b"<< /Type /Annot /Subtype /Stamp /Rect [72 500 200 560] >>"])
    raw = extract(write(tmp_path, "stamp.pdf", data), Limits())
    template = next(iter(load_templates().values())) if isinstance(load_templates(), dict) else load_templates()[0]
    flags = _extraction_flags(raw, template, 1.0, Settings())
    assert [f.code.value for f in flags] == ["unknown_content"] and "annotation /Stamp (1)" in flags[0].message


# ---- 3. choices by formatting: markup, bold, colour --------------------------------------------------------

def _options_pdf(tmp_path: Path, ops: list[bytes], annots: list[bytes] = (), fonts: bytes = b"") -> RawDocument:
    data = make_pdf([ops])
    if fonts:
        data = data.replace(b"/Font << /F1 ", b"/Font << " + fonts + b" /F1 ")
    if annots:
        data = _with_annotations(data, list(annots))
    return extract(write(tmp_path, "options.pdf", data), Limits())


# Helvetica at 10 pt: 'Yes / ' is 28.35 pt wide, 'No' 13.33
YES_NO_AT_72 = [text(72, 700, "Yes / No")]


def test_highlight_annotation_over_an_option_chooses_it(tmp_path):
    quad = b"/QuadPoints [100 711 114 711 100 697 114 697]"
    raw = _options_pdf(tmp_path, YES_NO_AT_72, [
        b"<< /Type /Annot /Subtype /Highlight /Rect [99 696 115 712] /C [1 1 0] %s >>" % quad])
    (p,) = raw.blocks
    assert [(p.text[s.start:s.end], s.detail) for s in p.spans] == [("No", "shading:FFFF00")]
    assert answer_of(raw) == ["No"]


def test_strike_out_annotation_over_an_option_rules_it_out(tmp_path):
    quad = b"/QuadPoints [100 711 114 711 100 697 114 697]"
    raw = _options_pdf(tmp_path, YES_NO_AT_72, [
        b"<< /Type /Annot /Subtype /StrikeOut /Rect [99 696 115 712] /C [1 0 0] %s >>" % quad])
    assert answer_of(raw) == ["Yes"]


BOLD_FONT = b"/F2 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"


@pytest.mark.parametrize("ops, chosen", [
    ([text(72, 700, "Yes / "), b"BT /F2 10 Tf 100 700 Td (No) Tj ET"], ["No"]),  # bold face
    ([b"q 1 0 0 rg BT /F1 10 Tf 72 700 Td (Yes) Tj ET Q", text(94, 700, "/ No")], ["Yes"]),  # red text
    ([b"q BT 2 Tr 0.3 w /F1 10 Tf 72 700 Td (Yes) Tj ET Q", text(94, 700, "/ No")], ["Yes"]),  # fake bold: fill+stroke
], ids=["bold", "red", "fill-and-stroke"])
def test_an_option_set_in_bold_or_colour_apart_from_the_rest_is_chosen(tmp_path, ops, chosen):
    raw = _options_pdf(tmp_path, ops, fonts=BOLD_FONT)
    (p,) = raw.blocks
    assert p.text == "Yes / No" and p.spans
    assert answer_of(raw) == chosen


def test_options_all_in_bold_or_all_in_blue_choose_nothing(tmp_path):
    plain = answer_of(_options_pdf(tmp_path, YES_NO_AT_72))
    for ops in ([b"BT /F2 10 Tf 72 700 Td (Yes / No) Tj ET"], [b"BT 0 0 1 rg /F1 10 Tf 72 700 Td (Yes / No) Tj ET"]):
        raw = _options_pdf(tmp_path, ops, fonts=BOLD_FONT)
        assert raw.blocks[0].spans  # read as emphasis...
        assert answer_of(raw) == plain  # ...but the form's own design chooses nothing, as plain text does


def test_black_and_white_text_is_not_emphasis(tmp_path):
    raw = _options_pdf(tmp_path, [b"BT 0.1 0.1 0.1 rg /F1 10 Tf 72 700 Td (Yes / No) Tj ET"])
    assert raw.blocks[0].spans == []


# ---- 2. XFA forms ------------------------------------------------------------------------------------------

DATASETS = (b'<xfa:datasets xmlns:xfa="http://www.xfa.org/schema/xfa-data/1.0/"><xfa:data><form1>'
            b"<Q1>Seen at home.</Q1><Seen>1</Seen></form1></xfa:data></xfa:datasets>")


def _xfa_pdf(dynamic: bool, fields: list[bytes] = ()) -> bytes:
    """A page with an AcroForm holding an /XFA array (template + datasets), dynamic or static."""
    template = b'<template xmlns="http://www.xfa.org/schema/xfa-template/2.8/"><subform name="form1"/></template>'
    data = make_pdf([[text(72, 700, "Please wait...")]])
    objs = b"".join(b"%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (n, len(body), body)
                    for n, body in ((30, template), (31, DATASETS)))
    data = data.replace(b"xref", objs + b"xref", 1)
    acro = b"/AcroForm << /Fields [%s] /XFA [(template) 30 0 R (datasets) 31 0 R] >>" % b" ".join(
        b"%d 0 R" % (20 + i) for i in range(len(fields)))
    data = data.replace(b"/Type /Catalog", (b"/NeedsRendering true " if dynamic else b"") + acro + b" /Type /Catalog")
    return _with_annotations(data, list(fields)) if fields else data


def test_dynamic_xfa_form_is_refused_with_what_to_ask_the_agency(tmp_path):
    with pytest.raises(UnreadableFile) as info:
        extract(write(tmp_path, "livecycle.pdf", _xfa_pdf(dynamic=True)), Limits())
    assert info.value.code == "unsupported_format"
    assert "livecycle.pdf" in str(info.value) and "XFA form" in str(info.value)
    assert "print it to PDF" in str(info.value) and "Word file" in str(info.value)


def _field(name: bytes, value: bytes, rect: bytes) -> bytes:
    return (b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (%s) /V (%s) /Rect [%s] /F 4 /DA (/Helv 10 Tf 0 g) >>"
            % (name, value, rect))


def test_static_xfa_form_reads_its_fields_and_flags_data_they_do_not_show(tmp_path):
    same = [_field(b"Q1", b"Seen at home.", b"72 600 300 620"), _field(b"Seen", b"1", b"72 560 300 580")]
    raw = extract(write(tmp_path, "static.pdf", _xfa_pdf(dynamic=False, fields=same)), Limits())
    assert "Seen at home." in body(raw) and raw.unknown == {}
    stale = [_field(b"Q1", b"", b"72 600 300 620"), _field(b"Seen", b"1", b"72 560 300 580")]
    raw = extract(write(tmp_path, "stale.pdf", _xfa_pdf(dynamic=False, fields=stale)), Limits())
    assert raw.unknown == {"XFA form data that differs from the form fields": 1}
    raw = extract(write(tmp_path, "nofields.pdf", _xfa_pdf(dynamic=False)), Limits())
    assert raw.unknown == {"XFA form data with no form field": 2}


# ---- 4. passwords --------------------------------------------------------------------------------------------

def _encrypt(tmp_path: Path, user: str, owner: str) -> Path:
    """The question table, encrypted by Ghostscript (installed with OCRmyPDF) with the given passwords."""
    plain = write(tmp_path, "plain.pdf", make_pdf([question_table()]))
    out = tmp_path / f"locked-{bool(user)}.pdf"
    subprocess.run(["gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=pdfwrite", f"-sOwnerPassword={owner}",
                    f"-sUserPassword={user}", "-dEncryptionR=3", "-dKeyLength=128", "-dPermissions=-3904",
                    f"-sOutputFile={out}", str(plain)], check=True, capture_output=True, timeout=60)
    return out


needs_gs = pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (installed with ocrmypdf) is missing")


@needs_gs
def test_owner_password_only_reads_normally(tmp_path):
    path = _encrypt(tmp_path, user="", owner="restrict-editing")
    assert b"/Encrypt" in path.read_bytes()
    (table,) = tables(extract(path, Limits()))
    assert cell_texts(table)[0] == [["1. Was the child seen?"], []]


@needs_gs
def test_open_password_is_quarantined_as_password_protected(tmp_path):
    path = _encrypt(tmp_path, user="secret", owner="owner")
    with pytest.raises(UnreadableFile) as info:
        extract(path, Limits())
    assert info.value.code == "password_protected" and "without a password" in str(info.value)


# ---- 5. sideways and landscape pages ---------------------------------------------------------------------------

def _sideways(ops: list[bytes], rotate: int, size=(595, 842)) -> bytes:
    """A portrait page whose content is drawn turned a quarter, shown upright by /Rotate (a landscape form)."""
    w, _h = size
    turn = b"q 0 1 -1 0 %d 0 cm" % w if rotate == 90 else b"q 0 -1 1 0 0 %d cm" % size[1]
    data = make_pdf([[turn, *ops, b"Q"]], size=size)
    return data.replace(b"/Type /Page /Parent", b"/Rotate %d /Type /Page /Parent" % rotate, 1)


def _landscape_form() -> list[bytes]:
    """The question grid on a landscape sheet (842 x 595), its answers in reading order."""
    ops = [hline(72, 770, y) for y in (500, 440, 380)] + [vline(x, 380, 500) for x in (72, 300, 770)]
    return ops + [text(76, 486, "1. Was the child seen?"), text(304, 486, "Seen alone."),
                  text(304, 472, "Then at school."), text(76, 426, "2. Any other agencies?"),
                  text(304, 426, "School nurse."), text(72, 540, "West Midlands audit (landscape)")]


EXPECTED = [[["1. Was the child seen?"], ["Seen alone.", "Then at school."]],
            [["2. Any other agencies?"], ["School nurse."]]]


@pytest.mark.parametrize("rotate", [90, 270])
def test_a_rotated_page_reads_its_form_in_order(tmp_path, rotate):
    raw = extract(write(tmp_path, "rotated.pdf", _sideways(_landscape_form(), rotate)), Limits())
    assert body(raw) == ["West Midlands audit (landscape)"]
    (table,) = tables(raw)
    assert cell_texts(table) == EXPECTED
    x0, top, x1, bottom = table.location.bbox  # in the page as read: landscape, top-left origin
    assert x1 - x0 > bottom - top and x1 <= 842


def test_a_landscape_page_reads_its_form_in_order(tmp_path):
    raw = extract(write(tmp_path, "landscape.pdf", make_pdf([_landscape_form()], size=(842, 595))), Limits())
    (table,) = tables(raw)
    assert body(raw) == ["West Midlands audit (landscape)"] and cell_texts(table) == EXPECTED


def test_a_page_rotated_with_upright_text_is_left_as_drawn(tmp_path):
    # someone turned the page in a viewer and saved it: the text still runs across the page as drawn
    data = make_pdf([[text(72, 700, "First line."), text(72, 600, "Second line.")]])
    data = data.replace(b"/Type /Page /Parent", b"/Rotate 90 /Type /Page /Parent", 1)
    assert body(extract(write(tmp_path, "turned.pdf", data), Limits())) == ["First line.", "Second line."]


def test_free_text_on_a_rotated_page_lands_in_its_cell(tmp_path):
    # a Fill & Sign answer on a sideways form: its box is in the page's own (unturned) space
    data = _with_annotations(_sideways(_landscape_form(), 90), [free_text((160, 400, 174, 600), b"Typed answer.")])
    (table,) = tables(extract(write(tmp_path, "rot-typed.pdf", data), Limits()))
    assert table.rows[1].cells[1].blocks[-1].text == "School nurse. Typed answer."
