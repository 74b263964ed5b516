"""Table rulings and hand-drawn marks recovered from a scanned page's image, for the same layout as printed PDFs.

A scan has no vector paths, so its table borders are found in the rendered page: binarise, keep ink that is
thin across its direction (a border, not a solid block or a letter's stem), estimate the sheet's skew from
those thin strokes, straighten, then read long horizontal and vertical runs as ruling edges in points. The
OCR text layer's characters are straightened the same way, so extractors.pdf_layout builds tables exactly as
for a printed PDF. All work is numpy over whole arrays: a letter page at 150 dpi takes tens of milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from extractors.pdf_layout import TableDraft
from extractors.pdf_page import PageContent, Token

DPI = 150  # enough for a 0.5 pt border (1 px) and a drawn mark; the page image is rendered at this resolution
THICK = 3.0  # pt: ink thicker than this across a line's direction is a solid block or a stroke, not a border
JOIN = 1.2  # pt: pieces this close across their direction are one border (a straightened border steps a pixel)
BRIDGE = 1.5  # pt: breaks this short inside a stroke are closed (a crossing ruling, a pixel dropout)
GAP = 3.0  # pt: pieces of one border this far apart end to end are joined (scanner dropouts)
MIN_RULE = 9.0  # pt: the shortest vertical ruling kept (a one-line row is about 12 pt tall)
MIN_RULE_H = 18.0  # pt: the shortest horizontal ruling kept (a narrow column); a bracketed '(X)' is shorter
ENDS = 1.5  # pt: a ruling must end this close to a crossing ruling, or it is a stroke of text, an underline
SKEW_PIECE = 20.0  # pt: thin strokes at least this long (in the skewed image) tell the skew; text has few
SKEW_EVIDENCE = 150.0  # pt: with less border than this on a page, it is taken as straight
SKEW_SAMPLE = 40000  # stroke pixels scored per direction: plenty for a tenth of a degree, and bounded
MIN_SKEW = 0.1  # degrees: less than this (under 1 pt across a page-wide table) is left alone
MAX_SKEW = 3.0  # degrees: a sheet fed more askew than this is not straightened (its rulings are not found)
BULLET_GAP = 3.0  # pt: space after a bullet's dot (measured from its ink) and before a line's first word
MARK_INK = 6.0  # pt^2: ink (after speckle removal) in an empty cell that counts as a drawn mark
MARK_HEIGHT = 45.0  # pt: a cell taller than this is for writing in, not for a mark
# What OCR makes of a tick or cross alone in a cell.
MARK_GLYPHS = {"x", "X", "v", "V", "/", "\\", "✓", "✔", "√", "✗", "✘", "×", "J", "><", "Xx", "xx", "XX", "Y", "y"}
_LINE_GLYPHS = set("|!l1I[]()_-—–=~")
_BAR_GLYPHS = set("|!l[]¦‖")  # what OCR makes of a vertical ruling, and never a word alone
BAR_REACH = 5.0  # pt: how far from a vertical ruling tesseract puts the box of the bar it read the ruling as
_SPECK_GLYPHS = set(".,:;'`\u2018\u2019")  # speckle OCR reads beside a ruling ("\u2018|")


@dataclass
class Ink:
    """A page's straightened binary image (True = ink) with its scale, for mark detection in cells."""

    dark: np.ndarray
    scale: float  # pixels per point

    def within(self, box: tuple[float, float, float, float]) -> tuple[float, tuple[float, float, float, float] | None]:
        """Ink inside ``box`` (points): its area in pt^2 and its bounding box, ignoring isolated speckles
        (a pixel with no inked 4-neighbour)."""
        s = self.scale
        x0, y0 = max(int(math.ceil(box[0] * s)), 1), max(int(math.ceil(box[1] * s)), 1)
        x1, y1 = min(int(box[2] * s), self.dark.shape[1] - 1), min(int(box[3] * s), self.dark.shape[0] - 1)
        if x1 <= x0 or y1 <= y0:
            return 0.0, None
        d = self.dark
        core = d[y0:y1, x0:x1]
        neighbour = d[y0 - 1:y1 - 1, x0:x1] | d[y0 + 1:y1 + 1, x0:x1] | d[y0:y1, x0 - 1:x1 - 1] | d[y0:y1, x0 + 1:x1 + 1]
        ink = core & neighbour
        rows, cols = np.nonzero(ink)
        if rows.size == 0:
            return 0.0, None
        found = ((x0 + cols.min()) / s, (y0 + rows.min()) / s, (x0 + cols.max() + 1) / s, (y0 + rows.max() + 1) / s)
        return rows.size / (s * s), found


def binarise(gray: np.ndarray) -> np.ndarray:
    """Ink mask of a grey image: Otsu's threshold, kept within 100..200 so a blank or a black page stays sane."""
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = total - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (m0[-1] * w0 / total - m0) ** 2 / (w0 * w1)
    between = np.nan_to_num(between)
    threshold = int(np.clip(np.argmax(between), 100, 200))
    return gray < threshold


def _long_runs(mask: np.ndarray, n: int, axis: int) -> np.ndarray:
    """Pixels in a run of at least ``n`` True along ``axis`` (a morphological opening with a line of n pixels)."""
    size = mask.shape[axis]
    if n > size:
        return np.zeros_like(mask)
    core = np.ones_like(mask)
    for k in range(n):  # erosion: the n pixels from here on are all ink
        core[tuple(slice(0, size - k) if a == axis else slice(None) for a in range(mask.ndim))] &= \
            mask[tuple(slice(k, size) if a == axis else slice(None) for a in range(mask.ndim))]
    core[tuple(slice(size - n + 1, size) if a == axis else slice(None) for a in range(mask.ndim))] = False
    out = core.copy()
    for k in range(1, n):  # dilation back over the run
        out[tuple(slice(k, size) if a == axis else slice(None) for a in range(mask.ndim))] |= \
            core[tuple(slice(0, size - k) if a == axis else slice(None) for a in range(mask.ndim))]
    return out


def _runs(mask: np.ndarray, gap: int, min_len: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Horizontal runs (row, start, end) of True at least ``min_len`` long, bridging gaps up to ``gap`` pixels."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    rows, starts = np.nonzero(step == 1)
    _, ends = np.nonzero(step == -1)
    if rows.size == 0:
        return rows, starts, ends
    # a run continues the previous one when it is on the same row and the gap is short
    joined = np.ones(rows.size, dtype=bool)
    joined[1:] = (rows[1:] != rows[:-1]) | (starts[1:] - ends[:-1] > gap)
    first = np.nonzero(joined)[0]
    last = np.append(first[1:] - 1, rows.size - 1)
    g_rows, g_starts, g_ends = rows[first], starts[first], ends[last]
    keep = g_ends - g_starts >= min_len
    return g_rows[keep], g_starts[keep], g_ends[keep]


def _thin(dark: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Ink thin across the horizontal and across the vertical direction: candidates for h and v borders."""
    return dark & ~_long_runs(dark, limit + 1, 0), dark & ~_long_runs(dark, limit + 1, 1)


def _loose(mask: np.ndarray) -> np.ndarray:
    """The mask with one pixel of slack across its rows: a border that steps a pixel (skew, or the pixel grid
    of a straightened image) still reads as one long run."""
    loose = mask.copy()
    loose[1:] |= mask[:-1]
    loose[:-1] |= mask[1:]
    return loose


def estimate_skew(dark: np.ndarray, scale: float, thin: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """The sheet's skew in degrees (positive: lines fall to the right), from long thin horizontal and vertical
    strokes; 0 when there are too few to tell (a page of text only).

    Each candidate angle is scored by how tightly the strokes' pixels stack when projected along it (the sum
    of squared bin counts): a border is one sharp peak only at its own angle.
    """
    thin_h, thin_v = thin or _thin(dark, max(2, round(THICK * scale)))
    piece = max(8, round(SKEW_PIECE * scale))
    points = []
    for mask, vertical in ((thin_h, False), (thin_v.T, True)):
        rows, starts, ends = _runs(_loose(mask), 1, piece)
        marks = np.zeros((mask.shape[0], mask.shape[1] + 1), dtype=np.int8)
        marks[rows, starts] = 1  # runs never touch, so each place starts or ends at most one
        marks[rows, ends] = -1
        across, along = np.nonzero((np.cumsum(marks, axis=1, dtype=np.int8)[:, :-1] > 0) & mask)
        if across.size > SKEW_SAMPLE:
            keep = np.linspace(0, across.size - 1, SKEW_SAMPLE).astype(np.int64)
            across, along = across[keep], along[keep]
        points.append((across.astype(np.float64), along.astype(np.float64), vertical))
    if sum(p[0].size for p in points) < SKEW_EVIDENCE * scale:
        return 0.0
    h, w = dark.shape

    def score(a: float) -> float:
        t = math.tan(math.radians(a))
        total = 0.0
        for across, along, vertical in points:
            if across.size:
                # a horizontal line falling at angle a has y - (x - w/2) t constant; a vertical one x + (y - h/2) t
                pos = across + (along - h / 2) * t if vertical else across - (along - w / 2) * t
                hist = np.bincount(np.round(pos).astype(np.int64).clip(0, None))
                total += float(np.dot(hist, hist))
        return total

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.1), key=lambda a: (score(a), -abs(a)))
    best = max(np.arange(best - 0.1, best + 0.1 + 1e-9, 0.02), key=lambda a: (score(a), -abs(a)))
    best = round(float(best), 2)
    return best if abs(best) >= MIN_SKEW else 0.0


def straighten(dark: np.ndarray, angle: float) -> np.ndarray:
    """The ink mask rotated by ``angle`` degrees about its centre, so lines falling at that angle run level."""
    if abs(angle) < MIN_SKEW:
        return dark
    image = Image.fromarray(dark.astype(np.uint8) * 255).rotate(angle, resample=Image.NEAREST, fillcolor=0)
    return np.asarray(image) > 127


def turn_point(x: float, y: float, angle: float, cx: float, cy: float) -> tuple[float, float]:
    """Where a point lands when its page is straightened by ``angle`` degrees about (cx, cy), as straighten()."""
    a = math.radians(angle)
    dx, dy = x - cx, y - cy
    return cx + dx * math.cos(a) + dy * math.sin(a), cy - dx * math.sin(a) + dy * math.cos(a)


def find_rulings(dark: np.ndarray, scale: float, words: list[tuple[float, float, float, float]] = (),
                 thin: tuple[np.ndarray, np.ndarray] | None = None
                 ) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Ruling edges of a straightened ink mask, in points: h as (y, x0, x1), v as (x, top, bottom).

    A ruling must end at a crossing ruling (both ends, within ENDS): underlines, letters' stems and fill-in
    lines do not, so they never become table borders. A vertical stroke that runs through the middle of OCR'd
    ``words`` (boxes in points) for most of its length is a letter (the 'j' of a name in a tight row), not a border.
    """
    thin_h, thin_v = thin or _thin(dark, max(2, round(THICK * scale)))
    thin_h, thin_v = _loose(thin_h), _loose(thin_v.T)
    gap, short = max(2, round(BRIDGE * scale)), max(4, round(MIN_RULE * scale / 2))
    # pieces of one border (a pixel step left by straightening, a dropout) are joined before lengths count
    h = [e for e in _join(_edges(*_runs(thin_h, gap, short), scale)) if e[2] - e[1] >= MIN_RULE_H]
    v = [e for e in _join([e for e in _edges(*_runs(thin_v, gap, short), scale) if not _inside_words(e, words)])
         if e[2] - e[1] >= MIN_RULE]
    for _ in range(3):
        h2 = [e for e in h if _anchored(e, v)]
        v2 = [e for e in v if _anchored(e, h)]
        if len(h2) == len(h) and len(v2) == len(v):
            break
        h, v = h2, v2
    return h, v


def _edges(rows, starts, ends, scale: float) -> list[tuple[float, float, float]]:
    """Runs in consecutive pixel rows that overlap are one ruling (a border is a few pixels thick)."""
    out: list[list[float]] = []
    open_: list[list[float]] = []  # [first_row, last_row, start, end, rows_sum, count]
    for r, a, b in sorted(zip(rows.tolist(), starts.tolist(), ends.tolist())):
        for e in open_:
            if r - e[1] <= 1 and a < e[3] and b > e[2]:
                e[1], e[2], e[3], e[4], e[5] = r, min(e[2], a), max(e[3], b), e[4] + r, e[5] + 1
                break
        else:
            open_.append([r, r, a, b, r, 1])
        still = []
        for e in open_:
            (still if r - e[1] <= 1 else out).append(e)
        open_ = still
    out.extend(open_)
    return [((e[4] / e[5] + 0.5) / scale, e[2] / scale, e[3] / scale) for e in out]


def _join(edges: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Pieces of one border (within a pixel or two of each other, end to end) as one edge at their weighted
    position; unlike pdf_layout's snapping this stays tight, so a text stroke 3 pt off never moves a border."""
    out: list[tuple[float, float, float]] = []
    group: list[tuple[float, float, float]] = []
    for edge in sorted(edges) + [(math.inf, 0.0, 0.0)]:
        if group and edge[0] - group[-1][0] > JOIN:
            cur: list[tuple[float, float, float]] = []
            for piece in sorted(group, key=lambda e: e[1]) + [(0.0, math.inf, math.inf)]:
                if cur and piece[1] > max(e[2] for e in cur) + GAP:
                    weight = sum(e[2] - e[1] for e in cur)
                    pos = sum(e[0] * (e[2] - e[1]) for e in cur) / weight if weight else cur[0][0]
                    out.append((pos, min(e[1] for e in cur), max(e[2] for e in cur)))
                    cur = []
                cur.append(piece)
            group = []
        group.append(edge)
    return out


def _inside_words(edge: tuple[float, float, float], words) -> bool:
    x, top, bottom = edge
    cut = sum(max(0.0, min(bottom, w[3]) - max(top, w[1])) for w in words if w[0] + 1.5 < x < w[2] - 1.5)
    return cut > 0.5 * (bottom - top)


def _word_runs(tokens: list[Token]) -> list[list[int]]:
    """Indexes of each word's characters (characters between spaces, in the text layer's order)."""
    out, cur = [], []
    for i, t in enumerate(tokens):
        if t.text.strip() and not t.widget and (not cur or abs(t.top - tokens[cur[-1]].top) < 1.0):
            cur.append(i)
            continue
        if cur:
            out.append(cur)
        cur = [i] if t.text.strip() and not t.widget else []
    if cur:
        out.append(cur)
    return out


def _box(tokens: list[Token]) -> tuple[float, float, float, float]:
    return min(t.x0 for t in tokens), min(t.top for t in tokens), max(t.x1 for t in tokens), max(t.bottom for t in tokens)


def words_of(tokens: list[Token]) -> list[tuple[float, float, float, float]]:
    """Boxes of the words in a page's OCR text."""
    return [_box([tokens[i] for i in run]) for run in _word_runs(tokens)]


def word_texts(tokens: list[Token]) -> list[str]:
    """The words of a page's OCR text (characters between spaces, in the text layer's order)."""
    return ["".join(tokens[i].text for i in run) for run in _word_runs(tokens)]


def restore_bullets(tokens: list[Token], ink: Ink) -> list[Token]:
    """A list bullet OCR read as a letter or sign ('e', '¢', '«', '+') becomes '•' again.

    A bullet is a word of one or two characters followed on its line by a tab-sized gap, whose ink is one small
    round solid dot; letters such as 'e' or 'o' have holes, so they never fill enough of their box.
    """
    runs = _word_runs(tokens)
    replace: dict[int, Token] = {}
    drop: set[int] = set()
    for k, (run, nxt) in enumerate(zip(runs, runs[1:])):
        word = [tokens[i] for i in run]
        after = tokens[nxt[0]]
        if len(word) > 2 or word[0].text == "\u2022" or abs(after.top - word[0].top) > 2:
            continue
        before = tokens[runs[k - 1][-1]] if k else None
        if before is not None and abs(before.top - word[0].top) <= 2 and 0 <= word[0].x0 - before.x1 < 2 * BULLET_GAP:
            continue  # a short word inside a line of text, not the first thing on its line
        x0, top, x1, bottom = _box(word)
        area, found = ink.within((x0 - 0.5, top, x1 + 0.5, bottom))
        if found is None or after.x0 - found[2] < BULLET_GAP:
            continue
        w, h = found[2] - found[0], found[3] - found[1]
        if 1.5 <= w <= 6 and 1.5 <= h <= 6 and abs(w - h) <= 1.2 and area >= 0.65 * w * h:
            replace[run[0]] = Token("\u2022", *found)
            drop.update(run[1:])
    return [replace.get(i, t) for i, t in enumerate(tokens) if i not in drop]




def _anchored(edge: tuple[float, float, float], cross: list[tuple[float, float, float]]) -> bool:
    """Does each end of ``edge`` meet a crossing ruling (within ENDS, or overshooting it by up to GAP)?"""
    pos, a, b = edge

    def meets(low: float, high: float) -> bool:
        return any(c_a - ENDS <= pos <= c_b + ENDS and low <= c_pos <= high for c_pos, c_a, c_b in cross)

    # a border may overshoot its crossing a little (a speck of dirt bridged on), never stop short of it
    return meets(a - ENDS, a + ENDS + GAP) and meets(b - ENDS - GAP, b + ENDS)


def read_scan(page: PageContent, gray: np.ndarray) -> Ink:
    """Give an OCR'd page its rulings from the page image, straighten its characters to match, return its ink.

    ``gray`` is the page rendered at DPI (grey levels, 0 = black), covering the page from its top-left corner.
    """
    scale = gray.shape[1] / page.width
    dark = binarise(gray)
    thin = _thin(dark, max(2, round(THICK * scale)))
    angle = estimate_skew(dark, scale, thin)
    straight, tokens = dark, page.tokens
    if angle:
        straight = straighten(dark, angle)
        cx, cy = page.width / 2, page.height / 2
        tokens = [_turn(t, angle, cx, cy) for t in page.tokens]
        page.h_edges, page.v_edges = find_rulings(straight, scale, words_of(tokens))
    if not angle or not (page.h_edges and page.v_edges):
        # no table to straighten for: keep the page (and its text) as scanned
        straight, tokens = dark, page.tokens
        page.h_edges, page.v_edges = find_rulings(dark, scale, words_of(tokens), thin)
    ink = Ink(straight, scale)
    page.tokens = restore_bullets(tokens, ink)
    return ink


def _turn(token: Token, angle: float, cx: float, cy: float) -> Token:
    """A character moved with its page's straightening (its centre turns; the box keeps its size)."""
    x, y = turn_point((token.x0 + token.x1) / 2, (token.top + token.bottom) / 2, angle, cx, cy)
    dx, dy = x - (token.x0 + token.x1) / 2, y - (token.top + token.bottom) / 2
    return Token(token.text, token.x0 + dx, token.top + dy, token.x1 + dx, token.bottom + dy, token.checkbox,
                 token.tag, token.widget)


def on_ruling(token: Token, page: PageContent) -> bool:
    """Is this OCR character a ruling read as text (tesseract often reads a border as '|', 'l' or '_')?"""
    if token.text not in _LINE_GLYPHS:
        return False
    x, y = (token.x0 + token.x1) / 2, (token.top + token.bottom) / 2
    return any(abs(x - pos) <= ENDS and a - ENDS <= y <= b + ENDS for pos, a, b in page.v_edges) or \
        any(abs(y - pos) <= ENDS and a - ENDS <= x <= b + ENDS for pos, a, b in page.h_edges)


def drop_rulings(tokens: list[Token], page: PageContent) -> list[Token]:
    """An OCR'd page's characters without the rulings tesseract read as text.

    A character on a ruling (on_ruling) goes; so does a whole word made only of bar glyphs ('|', '||', 'l', '[',
    with a speck read as a quote mark: "‘|") whose box comes within BAR_REACH of a vertical ruling. Tesseract's box for such a word is
    often set beside the border's ink rather than on it (seen most on a page straightened before OCR), so its
    centre can be a few points off the ruling; no word of text is a bar alone, so nothing written is lost.
    """
    drop = {i for i, t in enumerate(tokens) if on_ruling(t, page)}
    for run in _word_runs(tokens):
        text = [tokens[i].text for i in run]
        if not all(c in _BAR_GLYPHS or c in _SPECK_GLYPHS for c in text) or all(c in _SPECK_GLYPHS for c in text):
            continue
        x0, top, x1, bottom = _box([tokens[i] for i in run])
        y = (top + bottom) / 2
        if any(x0 - BAR_REACH <= pos <= x1 + BAR_REACH and a - ENDS <= y <= b + ENDS for pos, a, b in page.v_edges):
            drop.update(run)
    return [t for i, t in enumerate(tokens) if i not in drop]


def find_marks(table: TableDraft, ink: Ink) -> None:
    """Marks in a scanned table's mark cells: a mark OCR'd as text ('X', 'v', '/', ...), or ink OCR found no
    text in, becomes a drawn mark (CellDraft.marks), as a vector tick is in a printed PDF.

    A mark cell is one below the header row, at most MARK_HEIGHT tall, whose other cells down its column or
    along its row hold no text but marks (a grade table's 'Grade (X)' column, or the row under options printed
    across). So an unread label ('d.') or an answer OCR could not read is never taken for a tick.
    """
    def bare(cell) -> bool:
        text = "".join(cell.text.split())
        return not text or text in MARK_GLYPHS

    for row in table.rows[1:]:
        for cell in row:
            x0, top, x1, bottom = cell.bbox
            if cell.marks or bottom - top > MARK_HEIGHT or not bare(cell):
                continue
            column = [c for r in table.rows[1:] for c in r if c.col == cell.col and c is not cell]
            across = [c for c in row if c is not cell]
            if not ((column and all(bare(c) for c in column)) or (across and all(bare(c) for c in across))):
                continue
            glyphs = [t for t in cell.tokens if t.text.strip()]
            if glyphs:
                cell.marks.append((min(t.x0 for t in glyphs), min(t.top for t in glyphs),
                                   max(t.x1 for t in glyphs), max(t.bottom for t in glyphs)))
                cell.paras = []
                continue
            area, box = ink.within((x0 + THICK - 1, top + THICK - 1, x1 - THICK + 1, bottom - THICK + 1))
            if area >= MARK_INK and box is not None:
                cell.marks.append(box)
