"""Tick boxes, ticks and crosses drawn as vector paths, read into the page's text where they stand.

A form printed with "□ Yes □ No" draws each box as a small square path; the agency ticks one with a pen tool,
a shape, an ink stroke or a typed X. Each box becomes a ☐ or ☒ character in reading order, so the shared
choice logic (pipeline.mapping.layout) reads "☒ Yes ☐ No" as it does a Word form's. A tick or cross drawn beside a
word with no box becomes ✓ or X where it stands; one beside nothing is counted as content not understood.
Plain functions over extractors.pdf_page's plain data; nothing here opens a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractors.pdf_layout import TableDraft, find_cell
from extractors.pdf_page import BOX_MAX, MARK_MAX, RULING_THICKNESS, PageContent, Token

Box = tuple[float, float, float, float]

CHECKED, EMPTY = "\u2612", "\u2610"
# what a drawn mark beside a word (no box) becomes: what pipeline.intake.process and pipeline.mapping.grades read as 'marked'
TICK, CROSS = "\u2713", "X"
# a glyph typed or printed over a drawn box that ticks it
_MARK_GLYPHS = frozenset("\u2713\u2714\u2717\u2718\u2612\u2611\u221axX")
# a box filled darker than this (its lightest channel) is filled in, not shaded as the form's design
DARK = 0x80
# strokes closer than this (points) belong to one mark (a cross drawn as two lines, a tick as two)
JOIN = 1.5

UNKNOWN_MARK = "drawn mark outside any box"
UNKNOWN_BOX = "ticked box with no text beside it"


@dataclass
class _Square:
    bbox: Box
    checked: bool = False
    why: set[str] = field(default_factory=set)


def read_marks(page: PageContent, tables: list[TableDraft]) -> tuple[list[TableDraft], dict[str, int]]:
    """Drawn tick boxes and marks into the page (in place); returns the tables left and what was not understood.

    A box with text on its line (or in its cell) becomes a ☐/☒ token where it stands; one alone in an empty
    table cell, ticked, becomes a drawn mark as a vector tick there does; one alone elsewhere, ticked, is
    counted. A tick or cross outside every box beside a word becomes a ✓/X token; outside any text, or in a
    cell's text but beside no word, it is counted (``UNKNOWN_MARK``). A tick in an empty cell is left to
    the layout (a drawn mark), as before. A grid of one small square cell is a box drawn as four lines.
    Call after free text is placed and before ink annotations are (ink over a box ticks it).
    """
    tables = _boxes_from_tiny_tables(page, tables)
    ticks = _ticks(page.strokes)
    if not page.boxes and not ticks:  # most pages: nothing to do
        return tables, {}
    region = {id(t): find_cell(tables, (t.x0 + t.x1) / 2, (t.top + t.bottom) / 2) for t in page.tokens}
    squares = _squares(page)
    unread: dict[str, int] = {}
    # anything drawn over a box ticks it: a tick, a cross, a scribble, a dot, an ink stroke
    for mark in page.marks:
        square = _box_under(squares, mark)
        if square is not None:
            square.checked = True
    ticks = [(kind, mark) for kind, mark in ticks if _box_under(squares, mark) is None]
    for ink in list(page.inked):
        square = _box_under(squares, ink)
        if square is not None:
            square.checked = True
            page.inked.remove(ink)
    added = []
    for square in squares:
        cell = find_cell(tables, (square.bbox[0] + square.bbox[2]) / 2, (square.bbox[1] + square.bbox[3]) / 2)
        near = [t for t in page.tokens if t.text.strip() and region[id(t)] is cell]
        line = _same_line(near, square.bbox)
        if line or (cell is not None and near):
            at = min(line, key=lambda t: _gap(t, square.bbox)) if line else None
            top, bottom = (at.top, at.bottom) if at else (square.bbox[1], square.bbox[3])
            added.append(Token(f" {CHECKED if square.checked else EMPTY} ", square.bbox[0], top,
                               square.bbox[2], bottom))
        elif square.checked and cell is not None:
            page.marks.append(square.bbox)  # alone in an empty cell: a drawn mark, as a tick there is
        elif square.checked:
            unread[UNKNOWN_BOX] = unread.get(UNKNOWN_BOX, 0) + 1
    for kind, mark in ticks:
        cell = find_cell(tables, (mark[0] + mark[2]) / 2, (mark[1] + mark[3]) / 2)
        near = [t for t in page.tokens if region[id(t)] is cell]  # spaces too: they part the words
        if cell is not None and not any(t.text.strip() for t in near):
            continue  # in an empty cell: the layout reads it as a drawn mark
        token = _beside_word(near, mark, TICK if kind == "tick" else CROSS)
        if token is None:
            unread[UNKNOWN_MARK] = unread.get(UNKNOWN_MARK, 0) + 1
        else:
            added.append(token)
    page.tokens = page.tokens + added
    return tables, unread


# ---- boxes ------------------------------------------------------------------------------------------------

def _boxes_from_tiny_tables(page: PageContent, tables: list[TableDraft]) -> list[TableDraft]:
    """A 'table' of one small square cell is a tick box drawn as four separate lines: a box, not a table."""
    kept = []
    for table in tables:
        x0, top, x1, bottom = table.bbox
        w, h = x1 - x0, bottom - top
        if len(table.rows) == 1 and len(table.rows[0]) == 1 and RULING_THICKNESS < w <= BOX_MAX \
                and RULING_THICKNESS < h <= BOX_MAX and 0.7 <= w / h <= 1.4:
            page.boxes.append((table.bbox, None, True))
        else:
            kept.append(table)
    return kept


def _dark(color: str | None) -> bool:
    return color is not None and max(int(color[i:i + 2], 16) for i in (0, 2, 4)) < DARK


def _inside(inner: Box, outer: Box, pad: float = 0.5) -> bool:
    return inner[0] >= outer[0] - pad and inner[1] >= outer[1] - pad and inner[2] <= outer[2] + pad \
        and inner[3] <= outer[3] + pad


def _squares(page: PageContent) -> list[_Square]:
    """The page's tick boxes, each ticked or not by what is drawn or typed inside it.

    A box holding a smaller box is one box, ticked when the inner one is filled dark; a box filled dark and
    outlined is ticked (filled in); a dark square with no outline is a bullet or a design mark, not a box.
    Boxes in a touching row (a comb for digits or letters), boxes under a form field's widget and boxes
    holding printed text are not tick boxes. A tick glyph over a box (✓ ✔ ✗ X ☒, typed or printed) ticks it
    and is taken out of the text.
    """
    boxes = sorted(page.boxes, key=lambda b: -(b[0][2] - b[0][0]) * (b[0][3] - b[0][1]))  # largest first
    squares: list[_Square] = []
    for bbox, color, stroked in boxes:
        outer = next((s for s in squares if _inside(bbox, s.bbox) and bbox != s.bbox), None)
        if outer is not None:
            outer.checked = outer.checked or _dark(color)  # an inner square filled in
            continue
        same = next((s for s in squares if s.bbox == bbox), None)
        if same is not None:  # the same square drawn twice (an outline, and a fill filling it in)
            same.checked = same.checked or _dark(color)
            continue
        if _dark(color) and not stroked:
            continue
        squares.append(_Square(bbox, checked=_dark(color)))
    comb = {id(a) for a in squares for b in squares if a is not b and abs(a.bbox[1] - b.bbox[1]) <= 1.0
            and min(abs(a.bbox[2] - b.bbox[0]), abs(b.bbox[2] - a.bbox[0])) < 2.0}
    squares = [s for s in squares if id(s) not in comb]
    glyphs: set[int] = set()
    kept = []
    for square in squares:
        over = [t for t in page.tokens if _centre_in(t, square.bbox)]
        if any(t.tag or t.checkbox for t in over):
            continue  # a form field sits on it: the field's own value is the answer
        marks = [t for t in over if t.text.strip() in _MARK_GLYPHS]
        if any(t.text.strip() and t not in marks for t in over):
            continue  # it frames printed text: a label's border, not a tick box
        if marks:
            square.checked = True
            glyphs.update(id(t) for t in marks)
        kept.append(square)
    if glyphs:
        page.tokens = [t for t in page.tokens if id(t) not in glyphs]
    return kept


def _centre_in(t: Token, box: Box, pad: float = 1.0) -> bool:
    cx, cy = (t.x0 + t.x1) / 2, (t.top + t.bottom) / 2
    return box[0] - pad <= cx <= box[2] + pad and box[1] - pad <= cy <= box[3] + pad


def _box_under(squares: list[_Square], mark: Box) -> _Square | None:
    """The box a mark is drawn in: the one it covers most, when it covers a third of it or is centred in it
    (a tick drawn with a flourish overshoots its box)."""
    best, most = None, 0.0
    cx, cy = (mark[0] + mark[2]) / 2, (mark[1] + mark[3]) / 2
    for square in squares:
        b = square.bbox
        share = max(0.0, min(mark[2], b[2]) - max(mark[0], b[0])) * max(0.0, min(mark[3], b[3]) - max(mark[1], b[1])) \
            / max((b[2] - b[0]) * (b[3] - b[1]), 1e-6)
        if (share >= 0.33 or (b[0] <= cx <= b[2] and b[1] <= cy <= b[3])) and share > most:
            best, most = square, share
    return best


# ---- lines and words ----------------------------------------------------------------------------------------

def _same_line(tokens: list[Token], box: Box) -> list[Token]:
    """Text tokens on the line a box or mark stands on: its vertical centre within theirs, or they half
    inside its height."""
    cy = (box[1] + box[3]) / 2
    out = []
    for t in tokens:
        height = t.bottom - t.top
        covered = min(t.bottom, box[3]) - max(t.top, box[1])
        if t.top <= cy <= t.bottom or (height > 0 and covered >= 0.5 * height):
            out.append(t)
    return out


def _gap(t: Token, box: Box) -> float:
    return max(box[0] - t.x1, t.x0 - box[2], 0.0)


def _beside_word(tokens: list[Token], mark: Box, glyph: str) -> Token | None:
    """A ✓/X token where a drawn mark stands beside a word: right after the word when drawn over it, else at
    the mark's place between words; None when no word is within a line's height of it."""
    line = sorted(_same_line(tokens, mark), key=lambda t: t.x0)
    printed = [t for t in line if t.text.strip()]
    if not printed:
        return None
    height = max(t.bottom - t.top for t in printed)
    top, bottom = min(t.top for t in printed), max(t.bottom for t in printed)
    if min(_gap(t, mark) for t in printed) > 1.5 * height:
        return None
    cx = (mark[0] + mark[2]) / 2
    word: list[Token] = []
    for t in line + [None]:
        if t is None or t.text.isspace() or (word and t.x0 - word[-1].x1 > 0.25 * height):
            if word and word[0].x0 <= cx <= word[-1].x1:
                end = word[-1].x1  # drawn over the word: the mark follows it, never splits it
                return Token(f" {glyph} ", end + 0.01, top, end + 0.02, bottom)
            word = []
        if t is not None and not t.text.isspace():
            word.append(t)
    return Token(f" {glyph} ", cx, top, cx + 0.01, bottom)


# ---- ticks and crosses ------------------------------------------------------------------------------------

def _ticks(strokes) -> list[tuple[str, Box]]:
    """Open strokes grouped into marks (touching strokes are one mark) and kept when shaped as a tick (two
    diagonal strokes meeting at their lowest point, a V) or a cross (two diagonal strokes crossing, an X).
    Rulings, underlines and strike lines are straight across or down, so they never make one."""
    if not strokes:
        return []
    groups: list[tuple[list[float], list]] = []
    for box, lines in strokes:
        box = list(box)
        touching = [g for g in groups if box[0] - JOIN <= g[0][2] and g[0][0] <= box[2] + JOIN
                    and box[1] - JOIN <= g[0][3] and g[0][1] <= box[3] + JOIN]
        for g in touching:
            groups.remove(g)
            box = [min(box[0], g[0][0]), min(box[1], g[0][1]), max(box[2], g[0][2]), max(box[3], g[0][3])]
            lines = lines + g[1]
        groups.append((box, lines))
    out = []
    for box, lines in groups:
        w, h = box[2] - box[0], box[3] - box[1]
        if w > MARK_MAX or h > MARK_MAX or max(w, h) < 4:
            continue
        kind = _shape([s for s in lines if abs(s[2] - s[0]) > 0.5 and abs(s[3] - s[1]) > 0.5
                       and abs(s[2] - s[0]) + abs(s[3] - s[1]) >= 2.0])
        if kind:
            out.append((kind, tuple(box)))
    return out


def _shape(diagonals: list[tuple[float, float, float, float]]) -> str | None:
    """'cross' when two strokes of opposite slope cross, 'tick' when two meet at the lowest point of both."""
    segs = [(s if s[0] <= s[2] else (s[2], s[3], s[0], s[1])) for s in diagonals]  # left to right
    found = None
    for i, a in enumerate(segs):
        for b in segs[i + 1:]:
            if (a[3] > a[1]) == (b[3] > b[1]):
                continue  # same slope: parallel strokes (hatching, an italic stroke), not a mark
            if _cross(a, b):
                return "cross"
            size = min(abs(a[2] - a[0]) + abs(a[3] - a[1]), abs(b[2] - b[0]) + abs(b[3] - b[1]))
            near = max(1.0, 0.2 * size)
            for p in ((a[0], a[1]), (a[2], a[3])):
                for q in ((b[0], b[1]), (b[2], b[3])):
                    lowest = max(a[1], a[3], b[1], b[3])  # y grows down the page
                    if abs(p[0] - q[0]) + abs(p[1] - q[1]) <= near and min(p[1], q[1]) >= lowest - near:
                        found = "tick"
    return found


def _cross(a, b) -> bool:
    """Do two strokes cross each other away from their ends (an X, not a V)?"""
    (x1, y1, x2, y2), (x3, y3, x4, y4) = a, b
    den = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3)
    if abs(den) < 1e-9:
        return False
    t = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / den
    u = ((x3 - x1) * (y2 - y1) - (y3 - y1) * (x2 - x1)) / den
    return 0.15 < t < 0.85 and 0.15 < u < 0.85
