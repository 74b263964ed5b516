"""Scanned pages turned upright and straightened before OCR: quarter turns (90/180/270) and skew up to 15 degrees.

A sheet fed sideways, upside down or well askew reads as noise to tesseract, and its tables are not found
(extractors.pdf_scan straightens only up to 3 degrees). Each page to be OCR'd is rendered small, its ink
projected along candidate angles: text lines and rulings stack into sharp rows only along the page's own
direction, which gives the skew and whether the page lies sideways. Which way up it is comes from the shape of
its text lines: Latin text has more ink above its x-height band (capitals, b d f h k l t, digits) than below its
baseline (g j p q y). A page that needs it is rendered again at its scan's own resolution, turned and
straightened, and put in a copy of the PDF that OCRmyPDF reads instead. All numpy and Pillow: tens of
milliseconds a page to measure, a few hundred to rewrite one.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from extractors.pdf_scan import binarise

DPI = 100  # the page is measured at this resolution: a text line is 10+ pixels tall, a page about 1 M pixels
MAX_SKEW = 15.0  # degrees: the widest skew searched for
MIN_SKEW = 0.5  # degrees: a page skewed less than this is left for OCR and pdf_scan to handle as it is
SAMPLE = 60000  # ink pixels projected per angle: plenty for a tenth of a degree, and bounded
MIN_INK = 2000  # ink pixels: a page with less (blank, a signature) is left as it is
SIDEWAYS = 1.15  # the across-the-page profile must be this much sharper than the down-the-page one to turn
ALIGNED = 0.08  # left-edge alignment beyond this (either way) tells which way up a page is
UPSIDE_DOWN = -0.08  # otherwise, text-line asymmetry below this (more ink under the baselines) means upside down
MIN_LINES = 6  # text lines needed to tell which way up a page is from their shape; with fewer, upright
WORD_GAP = 15  # pixels at DPI: ink further apart than this along a row is two runs of text (two cells, columns)
SCAN_DPI = (150, 300)  # a turned page is rendered again at its scan's resolution, kept within this range


@dataclass(frozen=True)
class Turn:
    """How to set a page upright: turn it ``quarter`` degrees anticlockwise (0, 90, 180, 270), then a further
    ``skew`` degrees anticlockwise (Pillow's ``Image.rotate`` sense) to straighten it."""

    quarter: int = 0
    skew: float = 0.0

    @property
    def needed(self) -> bool:
        return bool(self.quarter) or abs(self.skew) >= MIN_SKEW

    def describe(self) -> str:
        parts = [f"turned {self.quarter} degrees"] if self.quarter else []
        if abs(self.skew) >= MIN_SKEW:
            parts.append(f"straightened {abs(self.skew):.1f} degrees")
        return " and ".join(parts)


def _sharpness(pos: np.ndarray) -> float:
    """How sharply projected positions stack into rows: the summed squared step between neighbouring bins."""
    hist = np.bincount(pos, minlength=2).astype(np.float64)
    return float(np.square(np.diff(hist)).sum())


def find_skew(dark: np.ndarray) -> tuple[float, bool]:
    """The page's skew (degrees anticlockwise to straighten it, Pillow's sense) and whether it lies sideways.

    Each candidate angle in +-MAX_SKEW is scored by how sharply ink stacks when projected along it, down the page
    (rows: text lines, horizontal rulings) and across it (columns): an upright page's text makes its rows far
    sharper than its columns; a sideways page's the other way round.
    """
    ys, xs = np.nonzero(dark)
    if ys.size < MIN_INK:
        return 0.0, False
    if ys.size > SAMPLE:
        keep = np.random.default_rng(0).choice(ys.size, SAMPLE, replace=False)
        ys, xs = ys[keep], xs[keep]
    h, w = dark.shape
    x, y = xs - w / 2.0, ys - h / 2.0
    pad = int(math.hypot(h, w)) // 2 + 2

    def score(angle: float) -> tuple[float, float]:
        t = math.tan(math.radians(angle))
        # a line that Pillow's rotate(angle) makes level has y - x*t constant (image rows run downwards)
        rows = np.floor(y - x * t).astype(np.int64) + pad
        cols = np.floor(x + y * t).astype(np.int64) + pad  # floor: round() to even would alias
        return _sharpness(rows), _sharpness(cols)

    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5)
    scores = [score(a) for a in coarse]
    best_row = max(range(len(coarse)), key=lambda i: (scores[i][0], -abs(coarse[i])))
    best_col = max(range(len(coarse)), key=lambda i: (scores[i][1], -abs(coarse[i])))
    sideways = scores[best_col][1] > SIDEWAYS * scores[best_row][0]
    which = 1 if sideways else 0
    start = coarse[best_col if sideways else best_row]
    fine = np.arange(start - 0.5, start + 0.5 + 1e-9, 0.1)
    angle = max(fine, key=lambda a: (score(a)[which], -abs(a)))
    return round(float(angle), 1), sideways


def line_asymmetry(dark: np.ndarray, strips: int = 6) -> tuple[float, int]:
    """(ink above the text lines' x-height band - ink below their baselines) / both, and the lines counted.

    The page is cut into vertical strips so lines in side-by-side table cells are measured apart; rows that are
    mostly ink (a ruling) are ignored. Positive for upright Latin text, negative for text upside down.
    """
    h, w = dark.shape
    above = below = 0.0
    lines = 0
    step = max(1, w // strips)
    for x0 in range(0, w - step + 1, step):
        profile = dark[:, x0:x0 + step].sum(axis=1).astype(np.float64)
        profile[profile > 0.5 * step] = 0  # a horizontal ruling across the strip
        inked = profile > 0
        edges = np.diff(np.concatenate(([0], inked.view(np.int8), [0])))
        starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
        for a, b in zip(starts, ends):
            if not 6 <= b - a <= 40:  # a text line at DPI is about 8-30 pixels tall
                continue
            band = profile[a:b]
            core = np.nonzero(band >= 0.5 * band.max())[0]
            top, bottom = core[0], core[-1]
            if bottom - top < 2:
                continue
            above += band[:top].sum()
            below += band[bottom + 1:].sum()
            lines += 1
    total = above + below
    return (float((above - below) / total) if total else 0.0), lines


def edge_alignment(dark: np.ndarray) -> float:
    """How much better the left ends of text runs line up than their right ends, from -1 to 1.

    Forms and letters are set ranged left (a cell's text starts at its left border, a paragraph at the margin,
    its lines end where the words run out): positive when upright, negative upside down, near 0 when justified.
    """
    w = dark.shape[1]
    lefts, rights = np.zeros(w + 2), np.zeros(w + 2)
    for row in dark[::2]:
        xs = np.flatnonzero(row)
        if xs.size == 0:
            continue
        cut = np.flatnonzero(np.diff(xs) > WORD_GAP)
        np.add.at(lefts, np.concatenate(([xs[0]], xs[cut + 1])), 1)
        np.add.at(rights, np.concatenate((xs[cut], [xs[-1]])), 1)
    kernel = np.ones(3)  # a pixel's wobble either way still lines up
    lefts, rights = np.convolve(lefts, kernel, "same"), np.convolve(rights, kernel, "same")
    a, b = float(np.square(lefts).sum()), float(np.square(rights).sum())
    return (a - b) / (a + b) if a + b else 0.0


def upside_down(dark: np.ndarray) -> bool:
    """Is this straightened page upside down? Told by its text's left edges, or else its text lines' shape."""
    aligned = edge_alignment(dark)
    if abs(aligned) > ALIGNED:
        return aligned < 0
    asym, lines = line_asymmetry(dark)
    return lines >= MIN_LINES and asym < UPSIDE_DOWN


def find_turn(gray: np.ndarray) -> Turn:
    """How to set upright a page rendered at DPI (grey levels, 0 = black, rows from the top)."""
    dark = binarise(gray)
    if int(dark.sum()) < MIN_INK:
        return Turn()
    skew, sideways = find_skew(dark)
    quarter = 90 if sideways else 0
    straight = _rotate_mask(dark, quarter, skew)
    if upside_down(straight):
        quarter = (quarter + 180) % 360  # turning a further half keeps the straightening's sense
    return Turn(quarter=quarter, skew=skew if abs(skew) >= MIN_SKEW else 0.0)


def _rotate_mask(dark: np.ndarray, quarter: int, skew: float) -> np.ndarray:
    """``dark`` set upright as Turn(quarter, skew) says: turn a quarter (exactly), then straighten by skew."""
    image = Image.fromarray(dark.astype(np.uint8) * 255)
    if quarter:
        image = image.rotate(quarter, expand=True)
    if abs(skew) >= MIN_SKEW:
        image = image.rotate(skew, resample=Image.NEAREST, fillcolor=0)
    return np.asarray(image) > 127


def turn_image(image: Image.Image, turn: Turn) -> Image.Image:
    """A page image set upright: turned a quarter exactly, then straightened (bicubic, corners filled white)."""
    if turn.quarter:
        image = image.rotate(turn.quarter, expand=True)
    if abs(turn.skew) >= MIN_SKEW:
        image = image.rotate(turn.skew, resample=Image.BICUBIC, fillcolor=255)
    return image


def _scan_dpi(page: pdfium.PdfPage) -> float:
    """The resolution of the largest image on the page (its pixels over its size in points), within SCAN_DPI."""
    best = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        try:
            px_w, px_h = obj.get_px_size()
            left, bottom, right, top = obj.get_bounds()
        except Exception:  # noqa: BLE001 - an image pdfium cannot size is simply not used for the resolution
            continue
        size = max(right - left, top - bottom)
        if size > 0:
            best = max(best, max(px_w, px_h) / size * 72)
    return float(min(max(best or SCAN_DPI[0], SCAN_DPI[0]), SCAN_DPI[1]))


def _render(page: pdfium.PdfPage, dpi: float) -> np.ndarray:
    gray = page.render(scale=dpi / 72, grayscale=True).to_numpy()
    return gray.reshape(gray.shape[:2])


def upright_copy(path: Path, pages: list[int], out: Path) -> dict[int, Turn]:
    """Measure each of ``pages`` (1-based) of the PDF at ``path``; when any needs turning or straightening, write
    a copy with those pages upright (images at their scan's resolution) to ``out``. Returns the pages changed.

    The caller holds the pdfium lock (pdfium is not thread-safe).
    """
    src = pdfium.PdfDocument(path)
    try:
        turns: dict[int, Turn] = {}
        for number in pages:
            page = src[number - 1]
            try:
                turn = find_turn(_render(page, DPI))
                if turn.needed:
                    turns[number] = turn
            finally:
                page.close()
        if not turns:
            return {}
        copy = pdfium.PdfDocument.new()
        try:
            singles = []
            for i in range(len(src)):
                turn = turns.get(i + 1)
                if turn is None:
                    copy.import_pages(src, [i])
                    continue
                page = src[i]
                try:
                    dpi = _scan_dpi(page)
                    image = turn_image(Image.fromarray(_render(page, dpi)), turn)
                finally:
                    page.close()
                buffer = io.BytesIO()
                image.save(buffer, format="PDF", resolution=dpi)
                single = pdfium.PdfDocument(buffer.getvalue())
                singles.append(single)
                copy.import_pages(single)
            copy.save(out)
            for single in singles:
                single.close()
        finally:
            copy.close()
        return turns
    finally:
        src.close()
