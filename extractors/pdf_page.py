"""Read one PDF page with pypdfium2 into plain data: character tokens, ruling edges, drawn marks, form widgets.

Coordinates are points with a top-left origin (x0, top, x1, bottom), as pdfplumber and models.raw use.
pdfium is the only library touched here: it gives text, character boxes and vector paths at about the cost of
``pdftotext`` (pdfplumber's pdfminer parse of the same page costs 10x more; see docs/pdf-extraction.md).
"""

from __future__ import annotations

import bisect
import ctypes
import math
import re
from dataclasses import dataclass, field, replace

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from models.raw import Checkbox

# A drawn path this thin in one direction is a ruling line, not a shape.
RULING_THICKNESS = 3.0
# Edges shorter than this are the ends of thin filled rectangles (Word draws borders that way), not rulings.
MIN_EDGE = 3.0
# A small closed square this size is an empty tick box glyph drawn as a path, not part of a table grid.
BOX_MAX = 20.0
# A mark (tick or cross) is a small path with diagonal or curved strokes.
MARK_MAX = 40.0


# A loose character box shorter than this share of the font size comes from a font whose descriptor gives no
# ascent (LibreOffice writes /Ascent 0, and some embedded subsets carry none either); such a box is rebuilt from
# the baseline with a typical ascent and descent.
SHORT_BOX = 0.8
ASCENT, DESCENT = 0.75, 0.2


_SENTENCE_ENDS = frozenset(".!?:")
_CLOSERS = frozenset(")]\"'\u2019\u201d")


# Tick-box glyphs of Word's symbol fonts, as the Unicode a reader sees. Word writes them as U+F0xx (or the raw
# byte); each font puts other pictures at the same codes, so a code is translated only in its own font.
WINGDINGS = {0x6F: "\u25a1", 0x78: "\u2327", 0xA8: "\u25fb", 0xFB: "\u2717", 0xFC: "\u2713", 0xFD: "\u2612",
             0xFE: "\u2611"}
# Wingdings 2: P tick, O cross, R box with tick, Q/S/T boxes with crosses, the pound sign an empty box.
WINGDINGS_2 = {0x4F: "\u2717", 0x50: "\u2713", 0x51: "\u2612", 0x52: "\u2611", 0x53: "\u2612", 0x54: "\u2612",
               0xA3: "\u25a1"}
# Wingdings 3 holds arrows and triangles only: nothing in it is a tick or a box, so nothing is translated.
WINGDINGS_3: dict[int, str] = {}
_SYMBOL_FONTS = {"": WINGDINGS, "2": WINGDINGS_2, "3": WINGDINGS_3}
_SYMBOL_CODES = {base + k for table in _SYMBOL_FONTS.values() for k in table for base in (0, 0xF000)}
_WINGDINGS_NAME = re.compile(r"wingdings[\s_-]*([23]?)")


@dataclass(frozen=True)
class Note:
    """A sticky note (or a free-text callout) someone added on a page (a PDF annotation): a comment, never an answer."""

    author: str
    text: str
    date: str | None
    page: int
    bbox: tuple[float, float, float, float]


@dataclass(frozen=True)
class Token:
    """One character (or one form widget's value) with its box; widgets carry a checkbox or a field tag."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    checkbox: Checkbox | None = None
    tag: str | None = None
    widget: bool = False
    ends_paragraph: bool = False  # last character before a line break, where the producer marks soft wraps
    struck: bool = False  # a thin horizontal line crosses the middle of its box (strikethrough)
    fill: str | None = None  # hex colour of a filled rectangle drawn behind it (a highlight); set by the layout


@dataclass
class Fill:
    """A filled rectangle: a highlight behind a word, or a shaded cell. ``behind_text``: about one line high
    with characters on it, so its outline is not a ruling."""

    bbox: tuple[float, float, float, float]
    color: str
    behind_text: bool = False
    edges: tuple[list, list] = ((), ())  # its outline as (horizontal, vertical) edges, until read_formats decides


@dataclass(frozen=True)
class Typed:
    """Text typed onto the page as a free-text annotation (Acrobat's Fill & Sign, a viewer's "add text").

    The layout decides what it is: inside a table cell it is that cell's answer; outside every cell it joins
    the body when it was typed on a line of the form (``typewriter``, or level with printed text), else it
    is kept as a comment (``note``)."""

    note: Note
    size: float  # font size of its text (from /DA), for the box its lines take
    typewriter: bool  # /IT /FreeTextTypeWriter: typed onto the form, never a remark pinned to it


@dataclass
class PageContent:
    """Everything the layout step needs from one page."""

    number: int
    width: float
    height: float
    tokens: list[Token] = field(default_factory=list)
    h_edges: list[tuple[float, float, float]] = field(default_factory=list)  # (y, x0, x1)
    v_edges: list[tuple[float, float, float]] = field(default_factory=list)  # (x, top, bottom)
    marks: list[tuple[float, float, float, float]] = field(default_factory=list)
    images: int = 0
    notes: list[Note] = field(default_factory=list)
    ink: object | None = None  # a scanned page's straightened image (extractors.pdf_scan.Ink), for drawn marks
    fills: list[Fill] = field(default_factory=list)
    # boxes of text set in bold or in a colour, with (bold, hex colour or None): pdf_layout styles the characters
    styles: list[tuple[tuple[float, float, float, float], bool, str | None]] = field(default_factory=list)
    typed: list[Typed] = field(default_factory=list)
    inked: list[tuple[float, float, float, float]] = field(default_factory=list)  # small ink annotations
    # small squares drawn as paths (tick boxes): (box, fill colour or None, stroked); read by pdf_marks
    boxes: list[tuple[tuple[float, float, float, float], str | None, bool]] = field(default_factory=list)
    # small open stroked paths with diagonal strokes: (box, their strokes as (x0, y0, x1, y1)); pdf_marks
    # decides which are ticks or crosses
    strokes: list[tuple[tuple[float, float, float, float], list[tuple[float, float, float, float]]]] = \
        field(default_factory=list)
    unknown: dict[str, int] = field(default_factory=dict)  # annotations met and not read, by kind
    turns: dict[int, int] = field(default_factory=dict)  # text objects by quarter turn of their direction

    @property
    def text_chars(self) -> int:
        return sum(1 for t in self.tokens if not t.widget and t.text.strip())


def _utf16(fn, *args) -> str:
    """Call a pdfium getter that fills a UTF-16LE buffer (size query first, then fill)."""
    n = fn(*args, None, 0)
    if n <= 2:
        return ""
    buf = ctypes.create_string_buffer(n)
    fn(*args, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)), n)
    return buf.raw[: n - 2].decode("utf-16-le", errors="replace")


def _symbol_table(textpage, index: int) -> dict[int, str] | None:
    """The tick-box table of the Wingdings font a character is set in, or None for any other font."""
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(textpage, index, buf, len(buf), flags)
    match = _WINGDINGS_NAME.search(buf.value.decode("latin-1").lower())
    return _SYMBOL_FONTS[match.group(1)] if match else None


def _read_chars(textpage, top_y: float) -> list[Token]:
    """Characters with loose (font-height) boxes, so a line's characters share one top and bottom."""
    tokens: list[Token] = []
    line_ends: list[int] = []  # index of the last real character before each line break
    generated: set[int] = set()
    last_height = math.inf
    rect = pdfium_c.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    count = textpage.count_chars()
    # one call for the whole page's text (one UTF-16 unit per char index) instead of one per character
    buf = (ctypes.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(textpage, 0, count, buf)
    for i in range(count):
        code = buf[i]
        if code in (10, 13) and tokens and (not line_ends or line_ends[-1] != len(tokens) - 1):
            line_ends.append(len(tokens) - 1)
        if code in (0, 0xFFFE, 0xFFFF) or code in (10, 13) or (0xD800 <= code <= 0xDFFF):
            continue
        ch = chr(code)
        if code in _SYMBOL_CODES and (table := _symbol_table(textpage, i)) and (code & 0xFF) in table:
            ch = table[code & 0xFF]
        if not pdfium_c.FPDFText_GetLooseCharBox(textpage, i, rect):
            continue
        if ch.isspace() and tokens and pdfium_c.FPDFText_IsGenerated(textpage, i):
            # pdfium inserts a space where it saw a word gap; its box may be empty, so sit it after the previous char
            prev = tokens[-1]
            generated.add(len(tokens))
            tokens.append(Token(" ", prev.x1, prev.top, prev.x1, prev.bottom))
            continue
        left, right, bottom, top = rect.left, rect.right, rect.bottom, rect.top
        # the font size is asked only of a box shorter than the one before (asking for every char costs 10%)
        if top - bottom < 0.9 * last_height:
            size = pdfium_c.FPDFText_GetFontSize(textpage, i)
            if top - bottom < SHORT_BOX * size and pdfium_c.FPDFText_GetCharOrigin(textpage, i, x, y):
                # the font claims (almost) no ascent, so pdfium shrank the box to the glyph: a full stop or a
                # space then sits below its line's centre and reads as a line of its own. Rebuild from the baseline.
                top, bottom = max(top, y.value + ASCENT * size), min(bottom, y.value - DESCENT * size)
        last_height = top - bottom if top - bottom > 0.5 else math.inf  # an empty box is no yardstick
        tokens.append(Token(ch, left, top_y - top, right, top_y - bottom))
    return _mark_paragraph_ends(tokens, [i for i in line_ends if i not in generated])


def _mark_paragraph_ends(tokens: list[Token], line_ends: list[int]) -> list[Token]:
    """Mark the line ends that close a paragraph, when the page shows how its producer writes soft wraps.

    LibreOffice (among others) keeps the space at which a line wrapped in the text layer, and writes none
    after a paragraph's last word. So on a page where some line ends in that space, a line that ends a
    sentence (. ! ? or : maybe inside a closing quote or bracket) with no space after it ends its paragraph,
    even when the next word would not have fitted after it (geometry alone reads that as a wrap). Other lines
    ending without a space are left to geometry: a wrap at a text-run boundary can drop the space too.
    Pages with no line ending in a space give no evidence, and nothing is marked.
    """
    if not any(tokens[i].text.isspace() for i in line_ends):
        return tokens
    for i in line_ends:
        k = i - 1 if tokens[i].text in _CLOSERS and i > 0 else i
        if tokens[k].text in _SENTENCE_ENDS:
            tokens[i] = replace(tokens[i], ends_paragraph=True)
    return tokens


def _matrix(obj_raw) -> tuple[float, ...]:
    m = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFPageObj_GetMatrix(obj_raw, m)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _visible(obj_raw) -> bool:
    """A path that is neither stroked nor filled, or drawn in white, draws no ruling a reader sees."""
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj_raw, fill_mode, stroke)
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    for used, getter in ((stroke.value, pdfium_c.FPDFPageObj_GetStrokeColor), (fill_mode.value, pdfium_c.FPDFPageObj_GetFillColor)):
        if used and getter(obj_raw, r, g, b, a) and a.value > 0 and min(r.value, g.value, b.value) < 245:
            return True
    return False


def _fill_color(obj_raw) -> str | None:
    """The hex colour a path is filled with, or None when it is not filled or filled white or transparent."""
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj_raw, fill_mode, stroke)
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not fill_mode.value or not pdfium_c.FPDFPageObj_GetFillColor(obj_raw, r, g, b, a) or a.value == 0 \
            or min(r.value, g.value, b.value) >= 245:
        return None
    return f"{r.value:02X}{g.value:02X}{b.value:02X}"


def _stroked(obj_raw) -> bool:
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj_raw, fill_mode, stroke)
    return bool(stroke.value)


def _outlines(lines, x0: float, top: float, x1: float, bottom: float) -> bool:
    """Do the path's straight lines draw all four sides of the box (a square drawn, not an L or a bracket)?"""
    sides = set()
    for a, b, c, d in lines:
        if abs(b - d) <= 0.5 and abs(c - a) >= 0.8 * (x1 - x0):
            sides.add("top" if abs(b - top) <= 0.5 else "bottom" if abs(b - bottom) <= 0.5 else "")
        elif abs(a - c) <= 0.5 and abs(d - b) >= 0.8 * (bottom - top):
            sides.add("left" if abs(a - x0) <= 0.5 else "right" if abs(a - x1) <= 0.5 else "")
    return {"top", "bottom", "left", "right"} <= sides


def _returns(start, end, drawn: int) -> bool:
    """Does a subpath of ``drawn`` segments end where it began (a ring, a box, a glyph's outline)?"""
    return start is not None and drawn >= 2 and abs(end[0] - start[0]) + abs(end[1] - start[1]) < 0.5


def _path(obj_raw, matrix, top_y: float, page: PageContent) -> None:
    """Split one path into axis-aligned ruling edges; a small path with diagonal or curved strokes is a mark
    (kept as strokes too when open and stroked: a tick or cross, see pdf_marks); a small drawn square is a
    tick box; a filled rectangle is kept as a Fill (its outline becomes edges unless it is a highlight,
    see read_formats)."""
    if not _visible(obj_raw):
        return
    x, y = ctypes.c_float(), ctypes.c_float()
    a, b, c, d, e, f = matrix
    points: list[tuple[float, float]] = []
    lines: list[tuple[float, float, float, float]] = []
    chords: list[tuple[float, float, float, float]] = []  # a curve's start to its end
    curved = closed = False
    start = cur = curve_from = None
    bezier = drawn = 0  # curve points so far; segments drawn in the current subpath
    for i in range(pdfium_c.FPDFPath_CountSegments(obj_raw)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj_raw, i)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        pt = (a * x.value + c * y.value + e, top_y - (b * x.value + d * y.value + f))
        points.append(pt)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            closed = closed or _returns(start, cur, drawn)
            start = cur = pt
            drawn = 0
        else:
            drawn += 1
            if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
                curved = True
                bezier += 1  # pdfium gives a curve as three points: two controls, then its end
                if bezier % 3 == 1:
                    curve_from = cur
                elif bezier % 3 == 0 and curve_from is not None:
                    chords.append((*curve_from, *pt))
            elif cur is not None:
                lines.append((*cur, *pt))
            cur = pt
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None and cur is not None:
            closed = True
            if cur != start:
                lines.append((*cur, *start))
            cur = start
    if not points:
        return
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    box = (min(xs), min(ys), max(xs), max(ys))
    diagonal = any(abs(x0 - x1) > 0.5 and abs(y0 - y1) > 0.5 for x0, y0, x1, y1 in lines)
    if curved or diagonal:
        if curved and RULING_THICKNESS < w <= BOX_MAX and RULING_THICKNESS < h <= BOX_MAX and 0.7 <= w / h <= 1.4 \
                and (closed or _returns(start, cur, drawn)) and _stroked(obj_raw) and not _fill_color(obj_raw):
            page.boxes.append((box, None, True))  # a box with rounded corners, or a round radio button
            return
        if w <= MARK_MAX and h <= MARK_MAX and max(w, h) > 2:
            page.marks.append(box)
            if not (closed or _returns(start, cur, drawn)) and _stroked(obj_raw):
                page.strokes.append((box, lines + chords))
        return
    color = _fill_color(obj_raw) if w > RULING_THICKNESS and h > RULING_THICKNESS else None
    fill = Fill((min(xs), min(ys), max(xs), max(ys)), color, edges=([], [])) if color is not None else None
    if fill is not None:
        page.fills.append(fill)
    if RULING_THICKNESS < w <= BOX_MAX and RULING_THICKNESS < h <= BOX_MAX:
        # a tick box drawn as a square: not a table border (pdf_marks reads it as a box, ticked or not)
        if 0.7 <= w / h <= 1.4 and _outlines(lines, *box):
            page.boxes.append((box, color, _stroked(obj_raw)))
        return
    h_edges, v_edges = fill.edges if fill is not None else (page.h_edges, page.v_edges)
    for x0, y0, x1, y1 in lines:
        if abs(y0 - y1) <= 0.5 and abs(x1 - x0) >= MIN_EDGE:
            h_edges.append((y0, min(x0, x1), max(x0, x1)))
        elif abs(x0 - x1) <= 0.5 and abs(y1 - y0) >= MIN_EDGE:
            v_edges.append((x0, min(y0, y1), max(y0, y1)))


# Where a strikethrough crosses a character's (loose) box, as shares of its height from the top: an underline
# sits below the baseline, an overline or a cell border above the letters.
STRIKE_BAND = (0.3, 0.72)
# A filled rectangle at most this many times the height of the characters on it is a highlight behind them.
HIGHLIGHT_HEIGHT = 2.2


def read_formats(page: PageContent) -> None:
    """Strikethrough and highlights drawn on a page printed from Word, read off its paths (in place).

    A horizontal edge crossing the middle band of characters is a strikethrough: those tokens are ``struck``
    and the edge is no ruling. A filled rectangle about one line high with characters on it is a highlight
    (``Fill.behind_text``): its outline is no ruling; the layout, which knows the table cells, decides whether
    it shades a whole cell or the words on it. Any other fill's outline is kept as ruling edges (a shaded
    cell's outline is its border).
    """
    text = sorted((t for t in page.tokens if not t.widget and t.text.strip()), key=lambda t: t.top)
    tops = [t.top for t in text]
    tallest = max((t.bottom - t.top for t in text), default=0.0)

    def near(top: float, bottom: float):
        return text[bisect.bisect_left(tops, top - tallest):bisect.bisect_right(tops, bottom)]

    for fill in page.fills:
        x0, top, x1, bottom = fill.bbox
        under = [t for t in near(top, bottom)
                 if x0 <= (t.x0 + t.x1) / 2 <= x1 and top <= (t.top + t.bottom) / 2 <= bottom]
        fill.behind_text = bool(under) and bottom - top <= HIGHLIGHT_HEIGHT * max(t.bottom - t.top for t in under)
        if not fill.behind_text:
            page.h_edges += fill.edges[0]
            page.v_edges += fill.edges[1]
        fill.edges = ((), ())
    struck: set[int] = set()
    kept = []
    for edge in page.h_edges:
        y, a, b = edge
        crossed = [t for t in near(y, y) if a - 0.5 <= (t.x0 + t.x1) / 2 <= b + 0.5 and t.bottom > t.top
                   and STRIKE_BAND[0] <= (y - t.top) / (t.bottom - t.top) <= STRIKE_BAND[1]]
        if crossed:
            struck.update(id(t) for t in crossed)
        else:
            kept.append(edge)
    page.h_edges = kept
    if struck:
        tokens = page.tokens
        # a space between struck characters is struck too: pdfium's generated word gaps have no width to cross
        page.tokens = [replace(t, struck=True) if id(t) in struck or (
            t.text == " " and 0 < i < len(tokens) - 1 and id(tokens[i - 1]) in struck and id(tokens[i + 1]) in struck)
            else t for i, t in enumerate(tokens)]


def _objects(container_raw, count_fn, get_fn, matrix, top_y: float, page: PageContent, scratch: _Scratch) -> None:
    for i in range(count_fn(container_raw)):
        obj = get_fn(container_raw, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            _text_object(obj, matrix, top_y, page, scratch)
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            _path(obj, _compose(_matrix(obj), matrix), top_y, page)
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            page.images += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            # a form XObject's contents are in its own space: compose its matrix with the parent's
            _objects(obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject,
                     _compose(_matrix(obj), matrix), top_y, page, scratch)


# A font whose name says one of these is a bold face (Word embeds 'Calibri-Bold', LibreOffice 'NimbusSansBold').
_BOLD_NAME = re.compile(r"bold|black|heavy|demi|semibold", re.I)
# Text whose darkest-to-lightest channels all sit at or below this is black: Word's automatic colour.
BLACK_MAX = 0x40


def _bold_font(font) -> bool:
    buf = ctypes.create_string_buffer(128)
    pdfium_c.FPDFFont_GetBaseFontName(font, buf, len(buf))
    return bool(_BOLD_NAME.search(buf.value.decode("latin-1"))) or pdfium_c.FPDFFont_GetWeight(font) >= 600


class _Scratch:
    """A page's reusable ctypes out-parameters and its font cache (allocating them per object costs more than
    the calls that fill them)."""

    def __init__(self):
        self.matrix = pdfium_c.FS_MATRIX()
        self.rgba = tuple(ctypes.c_uint() for _ in range(4))
        self.box = tuple(ctypes.c_float() for _ in range(4))
        self.bold: dict[int | None, bool] = {}  # font handle -> bold face


def _text_object(obj, matrix, top_y: float, page: PageContent, scratch: _Scratch) -> None:
    """Count the text's direction (for turning a sideways page) and keep the box of bold or coloured text.

    Asked once per text object (a run of characters), not per character: per character costs 3x the page."""
    m = scratch.matrix
    pdfium_c.FPDFPageObj_GetMatrix(obj, m)
    a, b = (m.a, m.b) if matrix[:4] == (1.0, 0.0, 0.0, 1.0) else _compose((m.a, m.b, m.c, m.d, m.e, m.f), matrix)[:2]
    quarter = (0 if a > 0 else 2) if abs(b) < abs(a) else (1 if b > 0 else 3)
    page.turns[quarter] = page.turns.get(quarter, 0) + 1
    mode = pdfium_c.FPDFTextObj_GetTextRenderMode(obj)
    if mode in (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP):
        return  # an OCR text layer or a clip: nobody sees its face or colour
    font = pdfium_c.FPDFTextObj_GetFont(obj)
    key = ctypes.cast(font, ctypes.c_void_p).value
    if key not in scratch.bold:
        scratch.bold[key] = _bold_font(font) if font else False
    bold = scratch.bold[key] or mode == pdfium_c.FPDF_TEXTRENDERMODE_FILL_STROKE
    rgba = scratch.rgba
    getter = pdfium_c.FPDFPageObj_GetStrokeColor if mode == pdfium_c.FPDF_TEXTRENDERMODE_STROKE \
        else pdfium_c.FPDFPageObj_GetFillColor
    color = None
    if getter(obj, *rgba) and rgba[3].value:
        r, g, b_ = rgba[0].value, rgba[1].value, rgba[2].value
        if BLACK_MAX < max(r, g, b_) and min(r, g, b_) < 245:
            color = f"{r:02X}{g:02X}{b_:02X}"
    if not bold and color is None:
        return
    left, bottom, right, top = scratch.box
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return
    # bounds are in the object's container space: a form XObject's contents need its matrix
    a_, b_, c_, d_, e_, f_ = matrix
    xs, ys = [], []
    for x, y in ((left.value, bottom.value), (right.value, top.value), (left.value, top.value), (right.value, bottom.value)):
        xs.append(a_ * x + c_ * y + e_)
        ys.append(top_y - (b_ * x + d_ * y + f_))
    page.styles.append(((min(xs), min(ys), max(xs), max(ys)), bold, color))


# Annotations that carry nothing an agency wrote: the window of a sticky note, links, printers' marks.
_IGNORED = {pdfium_c.FPDF_ANNOT_POPUP, pdfium_c.FPDF_ANNOT_LINK, pdfium_c.FPDF_ANNOT_WATERMARK,
            pdfium_c.FPDF_ANNOT_PRINTERMARK, pdfium_c.FPDF_ANNOT_TRAPNET}
_HIDDEN = pdfium_c.FPDF_ANNOT_FLAG_HIDDEN | pdfium_c.FPDF_ANNOT_FLAG_INVISIBLE | pdfium_c.FPDF_ANNOT_FLAG_NOVIEW
# pdfium's subtype numbers as the names a PDF writes, for the unknown-content count
_SUBTYPE_NAMES = {getattr(pdfium_c, f"FPDF_ANNOT_{k.upper()}"): k for k in (
    "Text", "Link", "FreeText", "Line", "Square", "Circle", "Polygon", "PolyLine", "Highlight", "Underline",
    "Squiggly", "StrikeOut", "Stamp", "Caret", "Ink", "Popup", "FileAttachment", "Sound", "Movie", "Widget",
    "Screen", "PrinterMark", "TrapNet", "Watermark", "ThreeD", "RichMedia", "XFAWidget", "Redact")}
_FONT_SIZE = re.compile(rb"([\d.]+)\s+Tf")


def _pdf_date(value: str) -> str | None:
    """A PDF date ('D:20260312101500Z', any prefix of it) as ISO 8601 text; None when it is not one."""
    m = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?", value.strip())
    if not m:
        return None
    year, month, day, hour, minute, second = m.groups()
    date = f"{year}-{month or '01'}-{day or '01'}"
    return date if hour is None else f"{date}T{hour}:{minute or '00'}:{second or '00'}"


def _note(annot, number: int, box: tuple[float, float, float, float], text: str | None = None) -> Note | None:
    text = (_utf16(pdfium_c.FPDFAnnot_GetStringValue, annot, b"Contents") if text is None else text).strip()
    if not text:
        return None
    author = _utf16(pdfium_c.FPDFAnnot_GetStringValue, annot, b"T").strip()
    date = _utf16(pdfium_c.FPDFAnnot_GetStringValue, annot, b"M") or \
        _utf16(pdfium_c.FPDFAnnot_GetStringValue, annot, b"CreationDate")
    return Note(author, text, _pdf_date(date), number, tuple(round(v, 2) for v in box))


def _box(rect, top_y: float) -> tuple[float, float, float, float]:
    return (min(rect.left, rect.right), top_y - max(rect.top, rect.bottom),
            max(rect.left, rect.right), top_y - min(rect.top, rect.bottom))


def _quads(annot, rect, top_y: float) -> list[tuple[float, float, float, float]]:
    """The boxes a text markup annotation (highlight, strike-out) covers: one per line, else its rectangle."""
    quad = pdfium_c.FS_QUADPOINTSF()
    boxes = []
    for i in range(pdfium_c.FPDFAnnot_CountAttachmentPoints(annot)):
        if pdfium_c.FPDFAnnot_GetAttachmentPoints(annot, i, quad):
            xs, ys = (quad.x1, quad.x2, quad.x3, quad.x4), (quad.y1, quad.y2, quad.y3, quad.y4)
            boxes.append((min(xs), top_y - max(ys), max(xs), top_y - min(ys)))
    return boxes or [_box(rect, top_y)]


def _annot_color(annot, default: str) -> str:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not pdfium_c.FPDFAnnot_GetColor(annot, pdfium_c.FPDFANNOT_COLORTYPE_Color, r, g, b, a):
        return default
    return f"{r.value:02X}{g.value:02X}{b.value:02X}"


def _typed(annot, number: int, box) -> Typed | Note | None:
    """A free-text annotation: a callout (it points at something, a reviewer's remark) is a Note; any other is
    Typed, for the layout to place. Its text is /Contents, else the rich text (/RC) with its markup removed."""
    string = lambda key: _utf16(pdfium_c.FPDFAnnot_GetStringValue, annot, key)  # noqa: E731
    text = string(b"Contents") or re.sub(r"<[^>]*>", " ", string(b"RC"))
    text = "\n".join(" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    note = _note(annot, number, box, text.strip("\n "))
    if note is None:
        return None
    intent = string(b"IT").lower()
    if "callout" in intent or pdfium_c.FPDFAnnot_HasKey(annot, b"CL"):
        return note
    size = _FONT_SIZE.search(string(b"DA").encode("latin-1", "replace"))
    return Typed(note, float(size.group(1)) if size and float(size.group(1)) > 0 else 10.0, "typewriter" in intent)


def _annotations(page_raw, form, top_y: float, number: int, page: PageContent) -> None:
    """Annotations into the page (in place): form fields as tokens at their widget rectangles (text values,
    checkbox and radio states); sticky notes as Notes; free text as Typed; highlight and strike-out markup
    as fills and strike lines (read_formats reads them as it reads Word's); a small ink stroke as a mark.
    Any other kind someone added is counted in ``page.unknown``. ``form`` may be None (no widget values)."""
    rect = pdfium_c.FS_RECTF()
    for i in range(pdfium_c.FPDFPage_GetAnnotCount(page_raw)):
        annot = pdfium_c.FPDFPage_GetAnnot(page_raw, i)
        try:
            subtype = pdfium_c.FPDFAnnot_GetSubtype(annot)
            if subtype in _IGNORED or pdfium_c.FPDFAnnot_GetFlags(annot) & _HIDDEN \
                    or not pdfium_c.FPDFAnnot_GetRect(annot, rect):
                continue
            box = _box(rect, top_y)
            if subtype == pdfium_c.FPDF_ANNOT_WIDGET:
                if form is not None:
                    _widget(form, annot, box, page)
            elif subtype == pdfium_c.FPDF_ANNOT_TEXT:
                page.notes.extend(n for n in [_note(annot, number, box)] if n)
            elif subtype == pdfium_c.FPDF_ANNOT_FREETEXT:
                typed = _typed(annot, number, box)
                (page.typed if isinstance(typed, Typed) else page.notes).extend([typed] if typed else [])
            elif subtype == pdfium_c.FPDF_ANNOT_HIGHLIGHT:
                color = _annot_color(annot, "FFFF00")
                page.fills += [Fill(q, color, edges=([], [])) for q in _quads(annot, rect, top_y)]
            elif subtype == pdfium_c.FPDF_ANNOT_STRIKEOUT:
                # a line through the middle of each marked line: read_formats strikes the characters it crosses
                page.h_edges += [((q[1] + q[3]) / 2, q[0], q[2]) for q in _quads(annot, rect, top_y)]
            elif subtype == pdfium_c.FPDF_ANNOT_INK and 2 < max(box[2] - box[0], box[3] - box[1]) \
                    and box[2] - box[0] <= MARK_MAX and box[3] - box[1] <= MARK_MAX:
                page.inked.append(box)
            else:
                name = f"annotation /{_SUBTYPE_NAMES.get(subtype, subtype)}"
                page.unknown[name] = page.unknown.get(name, 0) + 1
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)


def _widget(form, annot, box, page: PageContent) -> None:
    kind = pdfium_c.FPDFAnnot_GetFormFieldType(form, annot)
    name = _utf16(pdfium_c.FPDFAnnot_GetFormFieldName, form, annot)
    if kind in (pdfium_c.FPDF_FORMFIELD_CHECKBOX, pdfium_c.FPDF_FORMFIELD_RADIOBUTTON):
        label = name
        if kind == pdfium_c.FPDF_FORMFIELD_RADIOBUTTON:
            label = f"{name}={_utf16(pdfium_c.FPDFAnnot_GetFormFieldExportValue, form, annot)}"
        checked = bool(pdfium_c.FPDFAnnot_IsChecked(form, annot))
        page.tokens.append(Token("", *box, checkbox=Checkbox(checked=checked, kind="acroform", label=label),
                                 tag=name, widget=True))
    elif kind in (pdfium_c.FPDF_FORMFIELD_TEXTFIELD, pdfium_c.FPDF_FORMFIELD_COMBOBOX,
                  pdfium_c.FPDF_FORMFIELD_LISTBOX):
        page.tokens.append(Token(_utf16(pdfium_c.FPDFAnnot_GetFormFieldValue, form, annot), *box, tag=name,
                                 widget=True))


def _moved(content: PageContent, point, width: float, height: float) -> None:
    """Map every position on the page through ``point`` (x, top) -> (x, top), in place; boxes stay min/max."""
    def box(b):
        (x0, y0), (x1, y1) = point(b[0], b[1]), point(b[2], b[3])
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    def edges(hs, vs):
        out_h, out_v = [], []
        for (ax, ay), (bx, by) in [(point(a, y), point(b, y)) for y, a, b in hs] + \
                                   [(point(x, a), point(x, b)) for x, a, b in vs]:
            if abs(ay - by) <= abs(ax - bx):
                out_h.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
            else:
                out_v.append(((ax + bx) / 2, min(ay, by), max(ay, by)))
        return out_h, out_v

    def note(n):
        return Note(n.author, n.text, n.date, n.page, box(n.bbox))

    content.width, content.height = width, height
    content.tokens = [replace(t, **dict(zip(("x0", "top", "x1", "bottom"), box((t.x0, t.top, t.x1, t.bottom)))))
                      for t in content.tokens]
    content.h_edges, content.v_edges = edges(content.h_edges, content.v_edges)
    content.marks = [box(m) for m in content.marks]
    content.inked = [box(m) for m in content.inked]
    content.boxes = [(box(b), color, stroked) for b, color, stroked in content.boxes]
    content.strokes = [(box(b), [(*point(s[0], s[1]), *point(s[2], s[3])) for s in strokes])
                       for b, strokes in content.strokes]
    content.fills = [replace(f, bbox=box(f.bbox), edges=edges(*f.edges)) for f in content.fills]
    content.styles = [(box(b), bold, color) for b, bold, color in content.styles]
    content.notes = [note(n) for n in content.notes]
    content.typed = [replace(t, note=note(t.note)) for t in content.typed]


def _turn(content: PageContent) -> None:
    """Turn a page whose text runs sideways (a landscape form on a /Rotate'd portrait page, or the other way)
    so that most of its text reads left to right, as a reader turns the sheet."""
    quarter = max(content.turns, key=content.turns.get, default=0)
    w, h = content.width, content.height
    if quarter == 1:  # text runs up the page: turn the sheet a quarter clockwise
        _moved(content, lambda x, y: (h - y, x), h, w)
    elif quarter == 2:
        _moved(content, lambda x, y: (w - x, h - y), w, h)
    elif quarter == 3:
        _moved(content, lambda x, y: (y, w - x), h, w)


def read_page(pdf: pdfium.PdfDocument, index: int) -> PageContent:
    """Read page ``index`` (0-based) of an open document; call pdf.init_forms() first to get form values.

    Positions are in points from the top-left corner of the page as a reader holds it: the media box's
    offset is removed, and a page whose text runs sideways is turned (``_turn``)."""
    page = pdf[index]
    try:
        left, bottom, right, top_y = page.get_mediabox()
        content = PageContent(number=index + 1, width=right - left, height=top_y - bottom)
        textpage = page.get_textpage()
        try:
            content.tokens = _read_chars(textpage, top_y)
        finally:
            textpage.close()
        identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        _objects(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, identity, top_y, content, _Scratch())
        _annotations(page.raw, pdf.formenv.raw if pdf.formenv else None, top_y, index + 1, content)
        if left:
            # keep x relative to the visible page's left edge
            _moved(content, lambda x, y: (x - left, y), content.width, content.height)
        _turn(content)
        read_formats(content)
        return content
    finally:
        page.close()
