"""OCR of scanned PDFs: text recovered, the ocr flag, low-confidence pages, time limit, missing tools, and the
clean-up of OCR text against an English word list."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFilter

from extractors import ocr, ocr_cleanup, pdf
from extractors.pdf import extract
from extractors.pdf_layout import Line, Para, para_text
from extractors.pdf_page import PageContent, Token
from models.errors import FileLimitExceeded, MissingTool
from models.settings import Limits
from pipeline.text import document_lines

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def scan(tmp_path: Path, blur: bool = False) -> Path:
    """Rasterise the Word-printed sample with pdftoppm and wrap the image as an image-only PDF."""
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "-singlefile", str(SAMPLES / "pdf-word-form.pdf"),
                    str(tmp_path / "page")], check=True)
    image = Image.open(tmp_path / "page.png").convert("L")
    if blur:
        w, h = image.size
        image = image.resize((w // 7, h // 7)).resize((w, h)).filter(ImageFilter.GaussianBlur(2))
    path = tmp_path / ("blurred.pdf" if blur else "scanned.pdf")
    image.save(path, resolution=200)
    return path


def _cells(raw) -> list[list[list[str]]]:
    return [[[" ".join(b.text for b in c.blocks) for c in row.cells] for row in t.rows]
            for t in raw.blocks if t.kind == "table"]


@pytest.mark.slow
def test_scanned_pdf_is_ocrd_and_read_as_the_printed_tables(tmp_path):
    raw = extract(scan(tmp_path), Limits())
    assert raw.ocr is True and raw.low_confidence_pages == []
    lines = document_lines(raw)
    assert "Date: 12/03/2026" in lines
    assert all(b.location.page == 1 and b.location.bbox for b in raw.blocks)
    # the scan's tables have the printed form's rows and columns, each answer in its own cell
    printed = _cells(extract(SAMPLES / "pdf-word-form.pdf", Limits()))
    scanned = _cells(raw)
    assert [[len(row) for row in t] for t in scanned] == [[len(row) for row in t] for t in printed]
    assert scanned[0][1] == ["Name of your agency/organisation:", "Northfield Health Trust"]
    grades = {row[0]: row[1] for row in scanned[-1]}
    assert grades["Outstanding"] == "" and grades["Requires improvement"] == ""
    mark = raw.blocks[-1].rows[2].cells[1].blocks[0]
    assert mark.checkboxes[0].checked and mark.checkboxes[0].kind == "drawn_mark"  # the typed X in 'Good'


@pytest.mark.slow
def test_unreadable_scan_is_listed_as_low_confidence(tmp_path):
    raw = extract(scan(tmp_path, blur=True), Limits())
    assert raw.ocr is True and raw.low_confidence_pages == [1]


@pytest.mark.slow
def test_only_pages_without_text_are_ocrd(tmp_path):
    scanned = pdfium.PdfDocument(scan(tmp_path))
    mixed = pdfium.PdfDocument(SAMPLES / "pdf-word-form.pdf")
    mixed.import_pages(scanned)
    path = tmp_path / "mixed.pdf"
    mixed.save(path)
    mixed.close()
    scanned.close()
    raw = extract(path, Limits())
    assert raw.ocr is True
    # page 1 keeps its real tables; page 2's text comes from OCR
    first = [b for b in raw.blocks if b.location.page == 1]
    assert sum(1 for b in first if b.kind == "table") == 3
    assert "Theme: Neglect" in [b.text for b in raw.blocks if b.location.page == 2 and b.kind == "paragraph"]


@pytest.mark.slow
def test_ocr_time_limit_stops_the_run(tmp_path):
    path = scan(tmp_path)
    start = time.monotonic()
    with pytest.raises(FileLimitExceeded) as info:
        extract(path, Limits(seconds_per_file=0.2))
    assert time.monotonic() - start < 10
    assert "OCR took longer than 0.2 s" in str(info.value)


def test_missing_ocrmypdf_names_the_debian_packages(tmp_path, monkeypatch):
    image = Image.new("L", (850, 1100), 255)
    ImageDraw.Draw(image).rectangle((100, 100, 700, 300), outline=0, width=3)
    path = tmp_path / "scan.pdf"
    image.save(path, resolution=100)
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(MissingTool) as info:
        extract(path, Limits())
    assert info.value.code == "missing_tool"
    assert "ocrmypdf tesseract-ocr" in str(info.value) and "scan.pdf" in str(info.value)


def test_page_confidence_is_the_mean_word_confidence():
    hocr = ("<span class='ocrx_word' title='bbox 1 2 3 4; x_wconf 90'>a</span>"
            "<span class='ocrx_word' title='bbox 1 2 3 4; x_wconf 20'>b</span>")
    assert ocr.page_confidence(hocr) == 55
    assert ocr.page_confidence("<div class='ocr_page'></div>") is None
    result = ocr.OcrResult(Path("x.pdf"), {1: 95.0, 2: 55.0, 3: 0.0})
    assert result.low_confidence_pages == [2, 3]


# ---- OCR text clean-up (extractors.ocr_cleanup) ---------------------------------------------------------

@pytest.mark.parametrize("read,meant", [
    ("Shannon.to", "Shannon to"),  # a space read as a full stop; the name is kept as it is
    ("day,she", "day, she"),
    ("énough", "enough"),
    ("(énough),", "(enough),"),
    ("tirne", "time"), ("cornmunity", "community"), ("sorneone", "someone"),
    ("he1p", "help"), ("helIo", "hello"), ("he|p", "help"), ("c0uld", "could"), ("0ffice", "office"),
])
def test_ocr_misreadings_become_the_word_on_the_page(read, meant):
    assert ocr_cleanup.fix_word(read) == meant


@pytest.mark.parametrize("word", [
    "Zoë", "José", "Renée", "Tyrese", "Adebayo-Clarke", "Iearning",  # capitalised: may be a name, never changed
    "12/04/2024", "10am", "1st", "Y10", "2O24", "14:30",  # dates, times, numbers
    "gov.uk", "www.nhs.uk", "e.g.", "i.e.",  # addresses and abbreviations keep their dots
    "modern", "genogram", "perinatal", "MASH", "multi-agency",  # known or unknown, nothing nearer to correct
])
def test_names_dates_and_real_words_are_left_as_read(word):
    assert ocr_cleanup.fix_word(word) is None


def test_clean_text_counts_the_words_it_changed():
    text, changed = ocr_cleanup.clean_text("Referred by Shannon.to the tearn, énough  times on 12/04/2024.")
    assert text == "Referred by Shannon to the team, enough  times on 12/04/2024."
    assert changed == 3


def _line(text: str, top: float) -> Line:
    return Line(text, 72, top, 72 + 5 * len(text), top + 10, 20, [])


def test_a_word_hyphenated_at_a_line_break_is_joined_but_a_compound_is_not():
    para = Para([_line("the school's safeguard-", 100), _line("ing lead and the multi-", 112),
                 _line("agency tearn", 124)], 1, [1])
    assert ocr_cleanup.clean_para(para) == 2
    assert para_text(para) == "the school's safeguarding lead and the multi-agency team"


def test_scanned_text_is_cleaned_and_the_count_noted_without_the_text():
    page = PageContent(number=1, width=612, height=792, images=1)
    x = 72.0
    for ch in "Shannon.to visit énough":
        page.tokens.append(Token(ch, x, 100, x + 5, 110))
        x += 5
    raw = pdf._assemble(Path("scan.pdf"), [page], ocr_pages={1})
    assert [b.text for b in raw.blocks] == ["Shannon to visit enough"]
    assert raw.warnings == ["OCR clean-up corrected 2 word(s) (joined words, stray accents, letters misread, "
                            "words hyphenated at a line break)"]
    # a page with a text layer of its own is the author's text: never changed
    page.tokens = [Token(ch, 72 + 5 * i, 100, 77 + 5 * i, 110) for i, ch in enumerate("Shannon.to visit")]
    assert [b.text for b in pdf._assemble(Path("typed.pdf"), [page]).blocks] == ["Shannon.to visit"]


def test_text_ocr_made_of_a_page_it_could_not_read_is_told_from_words():
    share, counted = ocr_cleanup.readable_share(
        "The health visitor saw Tyrese at home on 12/04/2024 and MASH was told the same day".split())
    assert share > 0.9 and counted == 15
    # what tesseract made of a fictional return's page fed upside down
    upside_down = ('pep apnjou| Eainyny ul Aquasayip op noA pjnom yey, “uojonpul Aiasanu siy 0} uaye} jou sem ay pure pacejap si yoveds s,yeon “aWOY ay} 0} yno-|/e9 aaljod Jayny & sem asay} pue aoiuas Aue YM pabebusa jou sey peg éAjjwey')
    share, _ = ocr_cleanup.readable_share(upside_down.split())
    assert share < ocr_cleanup.GARBAGE


@pytest.mark.parametrize("read,meant", [
    ("The school did not link the Friday. absences to risk", "The school did not link the Friday absences to risk"),
    ("from September 2023 . Safe route", "from September 2023 Safe route"),  # a speck alone between words
    ("with Tyrese and his. mum, then.a full return", "with Tyrese and his mum, then a full return"),
    ("improved from 71% to. 89% this term", "improved from 71% to 89% this term"),
])
def test_speckle_read_as_punctuation_between_words_is_dropped(read, meant):
    assert ocr_cleanup.clean_text(read)[0] == meant


@pytest.mark.parametrize("text", ["seen weekly etc. and reviewed", "Seen by Dr. Shah on 3 May.", "It ended. Next, the",
                                  "see gov.uk for more", "at 9 a.m. each day", "Outcome: closed"])
def test_real_punctuation_is_kept(text):
    assert ocr_cleanup.clean_text(text) == (text, 0)


def test_a_border_read_as_a_bar_at_a_line_end_is_never_an_answer_or_a_value():
    # "label: |" would make '|' the header value; a cell holding only '|' or "\u2018|" an answer
    assert ocr_cleanup.clean_text("Name of your agency/organisation: |") == ("Name of your agency/organisation:", 1)
    assert ocr_cleanup.clean_text("|| Health Visiting [")[0] == "Health Visiting"
    assert ocr_cleanup.clean_text("\u2018|")[0] == "" and ocr_cleanup.clean_text("[")[0] == ""
    # a bar between words, brackets around a word and the word 'I' are text
    assert ocr_cleanup.clean_text("Yes | No [see notes] I")[0] == "Yes | No [see notes] I"
    para = Para([_line("CONTEXT QUESTIONS |", 100), _line("|", 112)], 1, [1])
    ocr_cleanup.clean_para(para)
    assert para_text(para) == "CONTEXT QUESTIONS"
