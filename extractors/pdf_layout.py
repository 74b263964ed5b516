"""Page layout from plain data: table grids from ruling edges, tokens into cells, lines and paragraphs.

Plain functions over the plain data of extractors.pdf_page; nothing here opens a file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace

from extractors.pdf_page import PageContent, Token

SNAP = 3.0  # edges this close are one ruling (Word draws a border as a thin filled rectangle: two edges)
_BULLET = re.compile(r"^[\u2022\u00b7\u25aa\u25cf\u2013\-\*]\s")


# a character's (struck through, colour of the highlight behind it, bold, colour of the glyph when not black)
Format = tuple[bool, str | None, bool, str | None]
PLAIN: Format = (False, None, False, None)


Styles = tuple[list[float], list]  # bold/coloured text boxes sorted by vertical centre, and those centres


def style_index(page: PageContent) -> Styles:
    """The page's bold or coloured text boxes (``PageContent.styles``) ready for make_lines to look up by line."""
    ordered = sorted(page.styles, key=lambda s: s[0][1] + s[0][3])
    return [(s[0][1] + s[0][3]) / 2 for s in ordered], ordered


NO_STYLES: Styles = ([], [])


@dataclass
class Line:
    """One text line: its tokens left to right, their box, and what a paragraph needs to decide wrapping."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    first_word: float  # width of the line's first word: would it have fitted on the line before?
    tokens: list[Token]
    ends_paragraph: bool = False  # the text layer says the paragraph ends here (extractors.pdf_page)
    formats: list[Format] = field(default_factory=list)  # per character of text (Format); [] when all plain

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


@dataclass
class Para:
    """Lines that read as one paragraph; pages lists every page it runs over."""

    lines: list[Line]
    page: int
    pages: list[int] = field(default_factory=list)
    right: float = 0.0  # where a full line ends in the paragraph's region


@dataclass
class CellDraft:
    row: int
    col: int
    row_span: int
    col_span: int
    bbox: tuple[float, float, float, float]
    page: int
    tokens: list[Token] = field(default_factory=list)
    marks: list[tuple[float, float, float, float]] = field(default_factory=list)
    paras: list[Para] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    shading: str | None = None  # hex colour of a filled rectangle covering the whole cell

    @property
    def text(self) -> str:
        return " ".join(line.text for p in self.paras for line in p.lines).strip()


@dataclass
class TableDraft:
    page: int
    bbox: tuple[float, float, float, float]
    xs: list[float]
    rows: list[list[CellDraft]]
    pages: list[int] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    units: dict[tuple[int, int], CellDraft] = field(default_factory=dict)  # grid unit -> the cell covering it


# ---- ruling edges -> grids ---------------------------------------------------------------------------

def merge_edges(edges: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Snap edges at nearly the same position into one and join the pieces of a broken ruling."""
    out: list[tuple[float, float, float]] = []
    groups: list[list[tuple[float, float, float]]] = []
    for edge in sorted(edges):
        if groups and edge[0] - groups[-1][-1][0] <= SNAP:
            groups[-1].append(edge)
        else:
            groups.append([edge])
    for group in groups:
        pos = sum(e[0] for e in group) / len(group)
        spans = sorted((a, b) for _, a, b in group)
        cur_a, cur_b = spans[0]
        for a, b in spans[1:]:
            if a <= cur_b + SNAP:
                cur_b = max(cur_b, b)
            else:
                out.append((pos, cur_a, cur_b))
                cur_a, cur_b = a, b
        out.append((pos, cur_a, cur_b))
    return out


def _cluster(values: list[float]) -> list[float]:
    values = sorted(values)
    groups: list[list[float]] = []
    for v in values:
        if groups and v - groups[-1][-1] <= SNAP:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _spans_at(edges, positions: list[float]) -> list[list[tuple[float, float]]]:
    """For each grid position, the spans of the rulings that lie on it (so coverage checks stay local)."""
    spans: list[list[tuple[float, float]]] = [[] for _ in positions]
    for pos, a, b in edges:
        k = min(range(len(positions)), key=lambda i: abs(positions[i] - pos))
        spans[k].append((a, b))
    return spans


def _covers(spans: list[tuple[float, float]], a: float, b: float) -> bool:
    """Is there a ruling running from a to b (ends forgiven by the snap tolerance)?"""
    return any(ea <= a + SNAP and eb >= b - SNAP for ea, eb in spans)


def find_tables(page: PageContent) -> list[TableDraft]:
    """Tables drawn with ruling lines on one page: each connected set of edges with at least a 2x2 grid."""
    hs, vs = merge_edges(page.h_edges), merge_edges(page.v_edges)
    parent = list(range(len(hs) + len(vs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, x0, x1) in enumerate(hs):
        for j, (x, y0, y1) in enumerate(vs):
            if x0 - SNAP <= x <= x1 + SNAP and y0 - SNAP <= y <= y1 + SNAP:
                parent[root(i)] = root(len(hs) + j)
    components: dict[int, tuple[list, list]] = {}
    for i, edge in enumerate(hs):
        components.setdefault(root(i), ([], []))[0].append(edge)
    for j, edge in enumerate(vs):
        components.setdefault(root(len(hs) + j), ([], []))[1].append(edge)
    tables = [_grid(page.number, h, v) for h, v in components.values() if len(h) >= 2 and len(v) >= 2]
    return sorted((t for t in tables if t.rows), key=lambda t: (t.bbox[1], t.bbox[0]))


def _grid(page_no: int, hs, vs) -> TableDraft:
    """Cells of one ruled grid; a unit with no ruling to its right or below is merged into its neighbour."""
    ys, xs = _cluster([e[0] for e in hs]), _cluster([e[0] for e in vs])
    h_at, v_at = _spans_at(hs, ys), _spans_at(vs, xs)
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = {(i, j): (i, j) for i in range(n_rows) for j in range(n_cols)}

    def root(u):
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for i in range(n_rows):
        for j in range(n_cols):
            if j + 1 < n_cols and not _covers(v_at[j + 1], ys[i], ys[i + 1]):
                parent[root((i, j))] = root((i, j + 1))
            if i + 1 < n_rows and not _covers(h_at[i + 1], xs[j], xs[j + 1]):
                parent[root((i, j))] = root((i + 1, j))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for unit in parent:
        groups.setdefault(root(unit), []).append(unit)
    cells = []
    lookup: dict[tuple[int, int], CellDraft] = {}
    for units in groups.values():
        r0, r1 = min(u[0] for u in units), max(u[0] for u in units) + 1
        c0, c1 = min(u[1] for u in units), max(u[1] for u in units) + 1
        # a region outside the table's outline (an L-shaped table's notch) has no ruling around it
        if not (_covers(h_at[r0], xs[c0], xs[c1]) and _covers(h_at[r1], xs[c0], xs[c1])
                and _covers(v_at[c0], ys[r0], ys[r1]) and _covers(v_at[c1], ys[r0], ys[r1])):
            continue
        cell = CellDraft(r0, c0, r1 - r0, c1 - c0, (xs[c0], ys[r0], xs[c1], ys[r1]), page_no)
        cells.append(cell)
        for unit in units:
            lookup[unit] = cell
    rows: dict[int, list[CellDraft]] = {}
    for cell in sorted(cells, key=lambda c: (c.row, c.col)):
        rows.setdefault(cell.row, []).append(cell)
    ordered = [rows[k] for k in sorted(rows)]
    for index, row in enumerate(ordered):
        for cell in row:
            cell.row = index
    bbox = (xs[0], ys[0], xs[-1], ys[-1])
    return TableDraft(page_no, bbox, xs, ordered, [page_no], ys, lookup)


def find_cell(tables: list[TableDraft], x: float, y: float) -> CellDraft | None:
    """The cell of ``tables`` that holds the point (x, y), or None."""
    for table in tables:
        x0, top, x1, bottom = table.bbox
        if not (x0 <= x <= x1 and top <= y <= bottom):
            continue
        # a point exactly on the far border belongs to the last row/column
        i = bisect.bisect_right(table.ys, y) - 1
        j = bisect.bisect_right(table.xs, x) - 1
        cell = table.units.get((i if i < len(table.ys) - 1 else i - 1, j if j < len(table.xs) - 1 else j - 1))
        if cell is not None:
            return cell
    return None


def assign(page: PageContent, tables: list[TableDraft]) -> list[Token]:
    """Put each token and mark in the cell that holds its centre; return the tokens outside every table."""
    outside: list[Token] = []
    for token in page.tokens:
        cell = find_cell(tables, (token.x0 + token.x1) / 2, (token.top + token.bottom) / 2)
        if cell is None:
            outside.append(token)
        else:
            cell.tokens.append(token)
    for mark in page.marks:
        cell = find_cell(tables, (mark[0] + mark[2]) / 2, (mark[1] + mark[3]) / 2)
        if cell is not None and not _rounds_corner(mark, cell.bbox):
            cell.marks.append(mark)
    return outside


def _rounds_corner(mark: tuple[float, float, float, float], cell: tuple[float, float, float, float]) -> bool:
    """Does a small curve sit in a corner of its cell, touching a side and the top or bottom (a rounded
    corner of the table's ruling, never a tick)?"""
    side = abs(mark[0] - cell[0]) <= 1.0 or abs(mark[2] - cell[2]) <= 1.0
    end = abs(mark[1] - cell[1]) <= 1.0 or abs(mark[3] - cell[3]) <= 1.0
    return side and end and max(mark[2] - mark[0], mark[3] - mark[1]) <= 2 * SNAP + 4


# ---- tokens -> lines -> paragraphs ---------------------------------------------------------------------

def make_lines(tokens: list[Token], styles: Styles = NO_STYLES) -> list[Line]:
    """Group tokens into lines by vertical centre, then read each line left to right; ``styles`` (style_index)
    says which characters are bold or coloured."""
    groups: list[list[Token]] = []
    centres: list[float] = []
    heights: list[float] = []
    for token in sorted(tokens, key=lambda t: ((t.top + t.bottom) / 2, t.x0)):
        cy, h = (token.top + token.bottom) / 2, max(token.bottom - token.top, 1.0)
        if groups and abs(cy - centres[-1]) <= 0.5 * min(h, heights[-1]):
            groups[-1].append(token)
        else:
            groups.append([token])
            centres.append(cy)
            heights.append(h)
    lines = [_line(sorted(g, key=lambda t: t.x0), styles) for g in groups]
    return [line for line in lines if line.text or any(t.checkbox or t.widget for t in line.tokens)]


def _styled(token: Token, here) -> Format:
    """A character's Format, bold or coloured when its centre lies in one of the style boxes ``here``."""
    cx, cy = (token.x0 + token.x1) / 2, (token.top + token.bottom) / 2
    for (x0, top, x1, bottom), bold, color in here:
        if x0 - 0.5 <= cx <= x1 + 0.5 and top - 0.5 <= cy <= bottom + 0.5:
            return (token.struck, token.fill, bold, color)
    return (token.struck, token.fill, False, None) if token.struck or token.fill else PLAIN


def _line(tokens: list[Token], styles: Styles = NO_STYLES) -> Line:
    parts: list[tuple[str, Format]] = []
    height = max(t.bottom - t.top for t in tokens)
    top, bottom = min(t.top for t in tokens), max(t.bottom for t in tokens)
    centres, boxes = styles
    # only the style boxes centred within this line's height are looked at: a handful, usually none
    here = boxes[bisect.bisect_left(centres, top):bisect.bisect_right(centres, bottom)] if centres else ()
    prev: Token | None = None
    first_word_end = None
    for token in tokens:
        fmt = _styled(token, here) if here else \
            (token.struck, token.fill, False, None) if token.struck or token.fill else PLAIN
        if token.text.isspace() or not token.text:
            if token.widget:
                parts.append((" ", PLAIN))
                prev = token
            elif parts:
                parts.append((" ", fmt))
            continue
        if prev is not None and (token.widget or prev.widget or token.x0 - prev.x1 > 0.25 * height):
            parts.append((" ", PLAIN))
        if parts and parts[-1][0] == " " and first_word_end is None and prev is not None:
            first_word_end = prev.x1
        parts.append((token.text, fmt))
        prev = token
    text, formats = _collapse_spaces(parts)
    visible = [t for t in tokens if t.text.strip() or t.widget]
    x0 = min((t.x0 for t in visible), default=tokens[0].x0)
    x1 = max((t.x1 for t in visible), default=tokens[-1].x1)
    end = first_word_end if first_word_end is not None else x1
    last = max((t for t in tokens if t.text.strip()), key=lambda t: t.x1, default=None)
    return Line(text, x0, top, x1, bottom, end - x0, tokens,
                ends_paragraph=last is not None and last.ends_paragraph,
                formats=formats if any(f != PLAIN for f in formats) else [])


def _collapse_spaces(parts: list[tuple[str, Format]]) -> tuple[str, list[Format]]:
    """The pieces joined with runs of spaces and tabs made one space and the ends stripped, and each kept
    character's format (a space between two characters formatted alike takes their format)."""
    chars: list[str] = []
    formats: list[Format] = []
    for piece, fmt in parts:
        for ch in piece:
            if ch in " \t":
                if not chars or chars[-1] == " ":
                    continue
                ch = " "
            chars.append(ch)
            formats.append(fmt)
    while chars and chars[-1] == " ":
        chars.pop()
        formats.pop()
    for i in range(1, len(chars) - 1):
        if chars[i] == " " and formats[i - 1] == formats[i + 1]:
            formats[i] = formats[i - 1]
    return "".join(chars), formats


def wraps(prev: Line, nxt: Line, right: float) -> bool:
    """Did ``prev`` end only because ``nxt``'s first word would not fit after it (a soft wrap)?"""
    if any(t.widget for t in prev.tokens + nxt.tokens) or _BULLET.match(nxt.text):
        return False
    # a next line starting in lower case goes on a sentence (a long word or link broken without a space)
    if prev.ends_paragraph and not nxt.text[:1].islower():
        return False
    space = 0.3 * prev.height
    return prev.x1 + space + nxt.first_word > right - 1.0


def make_paras(lines: list[Line], page: int, right: float) -> list[Para]:
    """Join lines into paragraphs: no extra vertical gap and a soft wrap means the same paragraph."""
    paras: list[Para] = []
    for line in lines:
        if paras:
            prev = paras[-1].lines[-1]
            if line.top - prev.bottom < 0.5 * prev.height and wraps(prev, line, right):
                paras[-1].lines.append(line)
                continue
        paras.append(Para([line], page, [page], right))
    return paras


def para_text(para: Para) -> str:
    """A paragraph's text: lines joined by a space, or by nothing after a word-joining hyphen or slash."""
    return para_styled(para)[0]


def para_styled(para: Para) -> tuple[str, list[Format]]:
    """A paragraph's text (as para_text) and each character's format ([] when no character is formatted)."""
    text = ""
    formats: list[Format] = []
    for line in para.lines:
        if text and not (len(text) > 1 and text[-1] in "-/" and text[-2].isalnum()):
            text += " "
            formats.append(PLAIN)
        text += line.text
        formats += line.formats or [PLAIN] * len(line.text)
    cut = len(text) - len(text.lstrip())
    text = text.strip()
    formats = formats[cut:cut + len(text)]
    return text, formats if any(f != PLAIN for f in formats) else []


def apply_fills(page: PageContent, tables: list[TableDraft]) -> None:
    """Filled rectangles as shading: one covering a whole table cell shades the cell (``CellDraft.shading``),
    one behind words on a single line highlights them (``Token.fill``). Call before ``assign``."""
    highlights = []
    for fill in page.fills:
        cell = _shaded_cell(tables, fill.bbox)
        if cell is not None:
            cell.shading = cell.shading or fill.color
        elif fill.behind_text:
            highlights.append(fill)
    if not highlights:
        return
    out = []
    for token in page.tokens:
        cx, cy = (token.x0 + token.x1) / 2, (token.top + token.bottom) / 2
        hit = next((f for f in highlights if f.bbox[0] <= cx <= f.bbox[2] and f.bbox[1] <= cy <= f.bbox[3]), None)
        out.append(replace(token, fill=hit.color) if hit is not None and not token.widget else token)
    page.tokens = out


def _shaded_cell(tables: list[TableDraft], box: tuple[float, float, float, float]) -> CellDraft | None:
    """The cell a filled rectangle covers (most of its area, and not beyond its borders), if any."""
    x0, top, x1, bottom = box
    cell = find_cell(tables, (x0 + x1) / 2, (top + bottom) / 2)
    if cell is None:
        return None
    cx0, ctop, cx1, cbottom = cell.bbox
    inside = x0 >= cx0 - SNAP and x1 <= cx1 + SNAP and top >= ctop - SNAP and bottom <= cbottom + SNAP
    covered = (min(x1, cx1) - max(x0, cx0)) * (min(bottom, cbottom) - max(top, ctop))
    return cell if inside and covered >= 0.8 * (cx1 - cx0) * (cbottom - ctop) else None


def fill_cells(table: TableDraft, styles: Styles = NO_STYLES) -> None:
    """Lines and paragraphs of each cell, wrapping at the cell's right edge less its left padding."""
    for row in table.rows:
        for cell in row:
            lines = make_lines(cell.tokens, styles)
            pad = min((line.x0 - cell.bbox[0] for line in lines), default=2.0)
            right = cell.bbox[2] - min(max(pad, 1.0), 10.0)
            cell.paras = make_paras(lines, cell.page, right)
            cell.pages = [cell.page]
