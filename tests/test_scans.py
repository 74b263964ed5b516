"""Scanned returns read as tables: rulings from the page image, skew, OCR bullets, drawn marks, accuracy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from extractors import pdf_scan, scan_turn
from extractors.pdf import extract
from extractors.pdf_layout import TableDraft, fill_cells, find_tables, assign
from extractors.pdf_page import PageContent, Token
from models.settings import Limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_scans import expected, make_scan, read_scan, score  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RETURNS = ROOT / "samples" / "returns"
DPI = pdf_scan.DPI
S = DPI / 72  # pixels per point


def _grid(xs, ys, width=612, height=792, angle=0.0, broken=False) -> Image.Image:
    """A white page with a ruled table (lines 1 px thick at DPI), optionally rotated and with scanner breaks."""
    image = Image.new("L", (round(width * S), round(height * S)), 255)
    draw = ImageDraw.Draw(image)
    for y in ys:
        draw.line([(xs[0] * S, y * S), (xs[-1] * S, y * S)], fill=0, width=1)
    for x in xs:
        draw.line([(x * S, ys[0] * S), (x * S, ys[-1] * S)], fill=0, width=1)
    if broken:  # a 1.5 pt dropout in every ruling, as a worn scanner leaves
        for y in ys:
            draw.line([((xs[0] + 40) * S, y * S), ((xs[0] + 41.5) * S, y * S)], fill=255, width=1)
        for x in xs:
            draw.line([(x * S, (ys[0] + 20) * S), (x * S, (ys[0] + 21.5) * S)], fill=255, width=1)
    if angle:
        image = image.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    return image


def _page(image: Image.Image, tokens=()) -> tuple[PageContent, pdf_scan.Ink]:
    page = PageContent(number=1, width=image.width / S, height=image.height / S, tokens=list(tokens), images=1)
    ink = pdf_scan.read_scan(page, np.asarray(image))
    return page, ink


XS, YS = [72, 180, 400, 540], [100, 130, 160, 220, 300]


@pytest.mark.parametrize("angle", [0.0, 0.6, -1.2])
def test_ruled_table_in_an_image_is_found_straightened(angle):
    page, _ = _page(_grid(XS, YS, angle=angle, broken=True))
    tables = find_tables(page)
    assert len(tables) == 1
    t = tables[0]
    assert len(t.xs) == len(XS) and len(t.ys) == len(YS)
    # straightened about the page centre: positions within a point of where the form drew them
    assert max(abs(a - b) for a, b in zip(t.xs, XS)) < 1.0
    assert max(abs(a - b) for a, b in zip(t.ys, YS)) < 1.0


@pytest.mark.parametrize("angle", [0.5, -1.0, 2.0])
def test_skew_is_measured_to_a_tenth_of_a_degree(angle):
    image = _grid(XS, YS, angle=angle)
    # PIL turns a positive angle anticlockwise: the right end rises, which is a negative skew here
    assert pdf_scan.estimate_skew(np.asarray(image) < 128, S) == pytest.approx(-angle, abs=0.1)


def test_text_strokes_underlines_and_solid_blocks_are_not_rulings():
    image = _grid(XS, YS)
    draw = ImageDraw.Draw(image)
    draw.line([(200 * S, 135 * S), (200 * S, 155 * S)], fill=0, width=1)  # a tall letter stroke inside a cell
    draw.line([(80 * S, 400 * S), (300 * S, 400 * S)], fill=0, width=1)  # a fill-in line under the table
    draw.rectangle([(420 * S, 165 * S), (530 * S, 215 * S)], fill=0)  # a black shaded block in a cell
    page, _ = _page(image)
    t = find_tables(page)
    assert len(t) == 1 and len(t[0].xs) == len(XS) and len(t[0].ys) == len(YS)


def test_a_letter_stroke_touching_both_borders_of_a_tight_row_is_not_a_column():
    image = _grid([72, 300], [100, 112, 124])
    ImageDraw.Draw(image).line([(150 * S, 102 * S), (150 * S, 111 * S)], fill=0, width=1)  # a 'j' filling the row
    word = [Token(ch, 140 + 4 * i, 102, 144 + 4 * i, 111) for i, ch in enumerate("Natarajan")]
    page, _ = _page(image, word)
    assert [len(row) for row in find_tables(page)[0].rows] == [1, 1]


def _grade_table(mark: str | None, noise: bool = False) -> TableDraft:
    """A two-column grade table; the 'Good' row's mark cell holds a drawn cross (or nothing); speckle optional."""
    xs, ys = [72, 250, 330], [100, 114, 128, 142, 156]
    image = _grid(xs, ys)
    draw = ImageDraw.Draw(image)
    if mark == "cross":
        draw.line([(283 * S, 130 * S), (293 * S, 140 * S)], fill=0, width=2)
        draw.line([(283 * S, 140 * S), (293 * S, 130 * S)], fill=0, width=2)
    if noise:
        rng = np.random.default_rng(3)
        pixels = np.asarray(image).copy()
        spots = rng.random(pixels.shape) < 0.002
        pixels[spots] = 0
        image = Image.fromarray(pixels)
    labels = ["Grading", "Outstanding", "Good", "Requires improvement"]
    tokens = [Token(ch, 76 + 5 * i, ys[r] + 3, 81 + 5 * i, ys[r] + 11) for r, text in enumerate(labels)
              for i, ch in enumerate(text)]
    page, ink = _page(image, tokens)
    table = find_tables(page)[0]
    assign(page, [table])
    fill_cells(table)
    pdf_scan.find_marks(table, ink)
    return table


def test_a_hand_drawn_cross_in_an_empty_grade_cell_is_a_mark():
    table = _grade_table("cross")
    marked = [row[0].text for row in table.rows if row[1].marks]
    assert marked == ["Good"]


def test_speckle_and_borders_are_not_marks():
    table = _grade_table(None, noise=True)
    assert not any(row[1].marks for row in table.rows)


def test_a_mark_ocr_read_as_v_or_slash_becomes_a_drawn_mark():
    for glyph in ("v", "/", "X"):
        xs, ys = [72, 250, 330], [100, 114, 128, 142]
        tokens = [Token(ch, 76 + 5 * i, ys[r] + 3, 81 + 5 * i, ys[r] + 11)
                  for r, text in enumerate(["Grading", "Good", "Inadequate"]) for i, ch in enumerate(text)]
        tokens.append(Token(glyph, 287, 117, 292, 125))
        page, ink = _page(_grid(xs, ys), tokens)
        table = find_tables(page)[0]
        assign(page, [table])
        fill_cells(table)
        pdf_scan.find_marks(table, ink)
        good = table.rows[1][1]
        assert good.marks and not good.paras, glyph


def test_an_unread_row_label_is_not_taken_for_a_mark():
    # a question table: labels down the first column, one of which OCR missed ('d.' drawn, no text)
    xs, ys = [72, 110, 330, 540], [100, 114, 128, 142]
    image = _grid(xs, ys)
    ImageDraw.Draw(image).text((78 * S, 130 * S), "d.", fill=0)
    tokens = [Token(ch, 76 + 5 * i, ys[r] + 3, 81 + 5 * i, ys[r] + 11)
              for r, text in enumerate(["a.", "b."]) for i, ch in enumerate(text)]
    tokens += [Token("Q", 120, ys[r] + 3, 126, ys[r] + 11) for r in range(3)]
    page, ink = _page(image, tokens)
    table = find_tables(page)[0]
    assign(page, [table])
    fill_cells(table)
    pdf_scan.find_marks(table, ink)
    assert not table.rows[2][0].marks


def test_a_bullet_ocr_misread_is_restored_but_a_letter_is_not():
    image = Image.new("L", (round(300 * S), round(100 * S)), 255)
    draw = ImageDraw.Draw(image)
    draw.ellipse([(20 * S, 21 * S), (23.5 * S, 24.5 * S)], fill=0)  # a bullet's solid dot
    draw.ellipse([(20 * S, 51 * S), (24.5 * S, 55.5 * S)], outline=0, width=2)  # a ring: an 'o' or 'e'
    words = []
    for top, first in ((18, "¢"), (48, "e")):
        words += [Token(first, 19.5, top, 24.5, top + 9), Token(" ", 24.5, top, 34, top + 9)]
        words += [Token(ch, 34 + 5 * i, top, 39 + 5 * i, top + 9) for i, ch in enumerate("Weekly")]
        words.append(Token(" ", 64, top, 66, top + 9))
    ink = pdf_scan.Ink(np.asarray(image) < 128, S)
    out = pdf_scan.restore_bullets(words, ink)
    texts = "".join(t.text for t in out)
    assert texts.startswith("\u2022 Weekly") and "e Weekly" in texts


# ---- real OCR ------------------------------------------------------------------------------------------

def _check(name: str, tmp_path: Path, **scan) -> None:
    path = make_scan(RETURNS / name, tmp_path / name, **scan)
    record = read_scan(path)
    s = score(record, expected()[name])
    print(f"{name}: {s.answers_right}/{s.answers} answers exactly right; differ at {s.wrong}")
    assert record.source.ocr is True
    assert s.answers_right / s.answers >= 0.9, s.wrong
    assert s.grades_right == 1 and s.header_right >= s.header - 1, s.wrong


@pytest.mark.slow
def test_scanned_return_reads_as_transcribed(tmp_path):
    _check("warrington-case4-health-visiting-printed.pdf", tmp_path, dpi=200)


@pytest.mark.slow
def test_skewed_noisy_scan_reads_as_transcribed(tmp_path):
    _check("enfield-case5-school-dsl-printed.pdf", tmp_path, dpi=200, skew=0.5, noise=0.0005)


@pytest.mark.slow
def test_grade_crossed_by_hand_on_a_scan_is_read(tmp_path):
    """The grade page of a printed return, scanned, its typed X whited out and a cross drawn in 'Good'."""
    printed = RETURNS / "wm-case1-health-visiting-printed.pdf"
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "-f", "6", "-l", "6", "-singlefile", str(printed),
                    str(tmp_path / "grade")], check=True)
    image = Image.open(tmp_path / "grade.png").convert("L")
    k = 200 / 72
    draw = ImageDraw.Draw(image)
    draw.rectangle([(286 * k, 197 * k), (365 * k, 205 * k)], fill=255)  # the typed X in 'Requires improvement'
    draw.line([(318 * k, 184 * k), (330 * k, 193.5 * k)], fill=30, width=4)
    draw.line([(318 * k, 193.5 * k), (331 * k, 184.5 * k)], fill=30, width=4)
    path = tmp_path / "grade-scan.pdf"
    image.save(path, resolution=200)
    raw = extract(path, Limits())
    grade = [b for b in raw.blocks if b.kind == "table"][-1]
    marked = [row.cells[0].blocks[0].text for row in grade.rows
              if any(cb.kind == "drawn_mark" for b in row.cells[1].blocks for cb in b.checkboxes)]
    assert raw.ocr is True and marked == ["Good"]


# ---- pages turned and skewed (extractors.scan_turn) -----------------------------------------------------

def _rendered(name: str, page: int = 0, dpi: int = scan_turn.DPI) -> Image.Image:
    """A page of a printed fictional return as a scanner would see it laid straight, grey."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(RETURNS / name)
    try:
        return pdf[page].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        pdf.close()


def _as_fed(image: Image.Image, quarter: int, skew: float) -> Image.Image:
    """The page as fed: turned ``quarter`` degrees, then ``skew`` degrees (anticlockwise), corners white."""
    if quarter:
        image = image.rotate(quarter, expand=True)
    return image.rotate(skew, resample=Image.BICUBIC, fillcolor=255) if skew else image


@pytest.mark.parametrize("name,page", [("enfield-case5-school-dsl-printed.pdf", 0),
                                       ("wm-case1-health-visiting-printed.pdf", 5),  # the grade page: tables only
                                       ("warrington-case4-health-visiting-printed.pdf", 0)])
@pytest.mark.parametrize("quarter,skew", [(0, 0.0), (90, 0.0), (180, 0.0), (270, 0.0), (0, 12.0), (0, -5.0),
                                          (90, -8.0), (180, 15.0), (270, 6.5)])
def test_a_page_fed_sideways_upside_down_or_askew_is_told_how_to_turn_upright(name, page, quarter, skew):
    fed = _as_fed(_rendered(name, page), quarter, skew)
    turn = scan_turn.find_turn(np.asarray(fed))
    assert turn.quarter == (360 - quarter) % 360
    assert turn.skew == pytest.approx(-skew, abs=0.3)
    # set upright as the turn says, the page measures straight
    again = scan_turn.find_turn(np.asarray(scan_turn.turn_image(fed, turn)))
    assert again == scan_turn.Turn() and not again.needed


def test_a_blank_page_and_a_slight_skew_are_left_alone():
    assert scan_turn.find_turn(np.full((1100, 850), 255, dtype=np.uint8)) == scan_turn.Turn()
    slight = _as_fed(_rendered("enfield-case5-school-dsl-printed.pdf"), 0, 0.3)
    assert not scan_turn.find_turn(np.asarray(slight)).needed  # OCR and pdf_scan straighten this little


def test_upright_copy_turns_only_the_pages_that_need_it(tmp_path):
    straight = _rendered("enfield-case5-school-dsl-printed.pdf", 1, dpi=150)
    turned = _as_fed(_rendered("enfield-case5-school-dsl-printed.pdf", 0, dpi=150), 90, 7.0)
    fed = tmp_path / "fed.pdf"
    turned.save(fed, save_all=True, append_images=[straight], resolution=150)
    out = tmp_path / "upright.pdf"
    turns = scan_turn.upright_copy(fed, [1, 2], out)
    assert turns == {1: scan_turn.Turn(quarter=270, skew=-7.0)}
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(out)
    try:
        assert len(pdf) == 2
        width, height = pdf[0].get_size()
        assert height > width  # a portrait page again
        first = pdf[0].render(scale=scan_turn.DPI / 72, grayscale=True).to_numpy()
        assert scan_turn.find_turn(first.reshape(first.shape[:2])) == scan_turn.Turn()
    finally:
        pdf.close()
    assert scan_turn.upright_copy(out, [1, 2], tmp_path / "again.pdf") == {}
    assert not (tmp_path / "again.pdf").exists()  # nothing to turn: no copy written


@pytest.mark.slow
def test_a_first_page_fed_sideways_and_askew_keeps_its_answers(tmp_path):
    """The issue's return: page 1 (its first answers) fed sideways and 8 degrees askew, with speckle."""
    name = "enfield-case5-school-dsl-printed.pdf"
    path = make_scan(RETURNS / name, tmp_path / name, dpi=200, turn=90, skew=8.0, pages={1}, noise=0.0005)
    record = read_scan(path)
    s = score(record, expected()[name])
    print(f"{name}: {s.answers_right}/{s.answers} answers exactly right; differ at {s.wrong}")
    first = [a for a in record.answers if a.location and a.location.page == 1]
    assert len(first) >= 7 and all(a.status.value == "answered" for a in first[:3])
    assert s.answers_right / s.answers >= 0.9 and s.grades_right == 1 and s.header_right >= s.header - 1, s.wrong
    assert "page 1 turned 270 degrees and straightened 8.0 degrees" in " ".join(record.extraction.warnings)


@pytest.mark.slow
def test_a_page_fed_upside_down_and_well_askew_reads_as_transcribed(tmp_path):
    _check("warrington-case4-health-visiting-printed.pdf", tmp_path, dpi=200, turn=180, skew=-12.0)


@pytest.mark.slow
def test_a_page_that_still_reads_as_garbage_is_flagged_for_a_rescan(tmp_path):
    """A page scanned through from the back (mirrored): no turn sets it right, so it is named for a rescan."""
    from PIL import ImageOps

    image = ImageOps.mirror(_rendered("warrington-case4-health-visiting-printed.pdf", dpi=200))
    path = tmp_path / "mirrored.pdf"
    image.save(path, resolution=200)
    raw = extract(path, Limits())
    assert raw.ocr is True and raw.low_confidence_pages == [1]  # the record is flagged ocr_low_confidence
    assert any("page(s) 1 read as garbage" in w and "scan them again" in w for w in raw.warnings)


def test_a_border_ocr_read_as_a_bar_beside_it_is_dropped_and_the_words_are_kept():
    # a straightened scan: tesseract read the header table's borders as '|' words whose boxes stop a few points
    # short of the ruling, so a label cell read "Name of your agency/organisation: |" and '|' became the value
    page = PageContent(number=1, width=600, height=800, images=1,
                       v_edges=[(90.0, 100.0, 160.0), (308.0, 100.0, 160.0), (520.0, 100.0, 160.0)],
                       h_edges=[(100.0, 90.0, 520.0), (130.0, 90.0, 520.0), (160.0, 90.0, 520.0)])

    def word(text, x, top, width=5.0):
        return [Token(ch, x + width * i, top, x + width * (i + 1), top + 10) for i, ch in enumerate(text)] + \
            [Token(" ", x + width * len(text), top, x + width * len(text) + 2, top + 10)]

    page.tokens = (word("agency:", 96, 104) + word("|", 302.8, 104, 5.4) + word("Health", 314, 104)
                   + word("Visiting", 348, 104) + word("\u2018|", 301, 134, 2.0) + word("||", 513, 134, 2.0)
                   + word("I", 96, 134) + word("l", 150, 134) + word("1", 200, 134))
    kept = pdf_scan.word_texts(pdf_scan.drop_rulings(page.tokens, page))
    # every word written is kept (a lone 'l', 'I' or '1' far from a border too); no border read as a bar is
    assert kept == ["agency:", "Health", "Visiting", "I", "l", "1"]
