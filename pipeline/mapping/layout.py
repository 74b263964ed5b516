"""Flatten a RawDocument into units: table cells and body paragraphs in reading order, with their lines.

Mapping works on units, so one mapping serves Word and PDF alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from models.raw import Block, Checkbox, Location, Paragraph, RawDocument, Table

# Typed bullets, and the private-use glyphs Word's Symbol/Wingdings bullets become in a PDF.
_BULLET = re.compile(r"^\s*(?:[•·▪◦●○■□➢➤►\-–—*\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf06e\uf0a8]|o(?=\s))\s*(?<=\s|[\uf000-\uf0ff•·▪◦●])")
_NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s+")


class Styled(str):
    """A line of text that remembers which of its characters are struck through or emphasised.

    ``spans`` holds (start, end, style, detail) as in models.raw.Span. Slicing, ``strip()`` and ``+`` keep
    the spans; any other str operation returns a plain str, which forgets the formatting but never changes
    the text, so every comparison and join works on a Styled exactly as on the str it is.
    """

    spans: tuple[tuple[int, int, str, str], ...]

    @staticmethod
    def of(text: str, spans) -> str:
        """``text`` with the spans that still cover some non-space character of it; plain str when none do."""
        kept = tuple((a, b, style, detail) for a, b, style, detail in spans
                     if 0 <= a < b <= len(text) and text[a:b].strip())
        if not kept:
            return str(text)
        styled = Styled(text)
        styled.spans = kept
        return styled

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            return str.__getitem__(self, key)
        start, stop, _ = key.indices(len(self))
        stop = max(start, stop)
        return Styled.of(str.__getitem__(self, key),
                         [(max(a, start) - start, min(b, stop) - start, st, d) for a, b, st, d in self.spans])

    def strip(self, chars=None):
        left = len(self) - len(str.lstrip(self, chars))
        return self[left:len(str.rstrip(self, chars))] if left < len(self) else ""

    def __add__(self, other):
        return Styled.of(str(self) + str(other), self.spans + _shifted(other, len(self)))

    def __radd__(self, other):
        return Styled.of(str(other) + str(self), _shifted(other, 0) + _shifted(self, len(other)))


def _shifted(text: str, by: int) -> tuple:
    return tuple((a + by, b + by, st, d) for a, b, st, d in getattr(text, "spans", ()))


def styled_text(p: Paragraph) -> str:
    """A paragraph's text, as a Styled when the extractor found struck or emphasised characters in it."""
    if not p.spans:
        return p.text
    return Styled.of(p.text, [(sp.start, sp.end, sp.style, sp.detail) for sp in p.spans])


def strip_list_numbers(lines: list[str]) -> list[str]:
    """Drop '1.', '2.'... from a run of lines numbered from 1 in sequence: list numbering, not answer text."""
    out = list(lines)
    i = 0
    while i < len(out):
        m = _NUMBERED.match(out[i])
        if m and m.group(1) == "1":
            j, expected = i, 1
            while j < len(out) and (n := _NUMBERED.match(out[j])) and int(n.group(1)) == expected:
                j, expected = j + 1, expected + 1
            if j - i >= 2:
                for k in range(i, j):
                    out[k] = out[k][_NUMBERED.match(out[k]).end():]  # a slice keeps a Styled line's spans
            i = max(j, i + 1)
        else:
            i += 1
    return out


@dataclass
class Line:
    """One paragraph or list item of text, with the flags the extractor gave it."""

    text: str
    list_item: bool = False
    placeholder: bool = False
    tags: tuple[str, ...] = ()


@dataclass
class Unit:
    """A table cell or a body paragraph: the smallest thing a label or an answer occupies."""

    index: int
    lines: list[Line]
    location: Location
    table: int | None = None
    row: int | None = None
    col: int | None = None
    checkboxes: list[Checkbox] = field(default_factory=list)
    style: str = ""  # the paragraph style of a body paragraph ('page-header' for page-header lines)
    group: int | None = None  # units split from one cell holding two questions share the cell's group
    span: int = 1  # grid columns the cell covers
    shading: str | None = None  # the cell's fill (hex) when the file shades the whole cell

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines if line.text.strip())

    @property
    def tags(self) -> set[str]:
        return {t for line in self.lines for t in line.tags}

    @property
    def in_table(self) -> bool:
        return self.table is not None


def strip_bullet(text: str) -> str:
    """Remove a typed bullet glyph at the start of a line."""
    found = _BULLET.match(text)
    return text[found.end():] if found else text  # a slice keeps a Styled line's spans


CHECKED, UNCHECKED = "☒", "☐"


def marked_text(p: Paragraph) -> str:
    """The paragraph's text with each checkbox control shown as ☒ or ☐ where it stands (before its label),
    so a ticked box is never lost from an answer."""
    text = styled_text(p)
    if not p.checkboxes:
        return text
    pieces, pos, unplaced = [], 0, []
    for cb in p.checkboxes:
        mark = CHECKED if cb.checked else UNCHECKED
        at = text.find(cb.label, pos) if cb.label else -1
        if at < 0:
            unplaced.append(mark)
            continue
        pieces += [text[pos:at], f"{mark} "]
        pos = at
    body = text[pos:]
    for piece in reversed(pieces):  # '+' rather than join: a Styled body keeps its spans
        body = piece + body
    body = body.strip()
    return (" ".join(unplaced) + " " + body).strip() if unplaced else body


def _paragraph_lines(p: Paragraph) -> list[Line]:
    text = marked_text(p)
    parts, start = [], 0
    while text and start <= len(text):  # slices, not split(): a Styled text keeps its spans
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        parts.append(text[start:end])
        start = end + 1
    parts = parts or [""]
    return [
        Line(strip_bullet(part).strip() if p.list_item or _BULLET.match(part) else part.strip(),
             p.list_item, p.placeholder, tuple(p.tags))
        for part in parts
    ]


def _table_as_lines(table: Table) -> list[Line]:
    """A nested table becomes one line per row, cells joined with ' | '."""
    out: list[Line] = []
    for row in table.rows:
        cells = [" ".join(ln.text for ln in _blocks_lines(c.blocks) if ln.text.strip()) for c in row.cells]
        if any(cells):
            out.append(Line(" | ".join(cells)))
    return out


def _blocks_lines(blocks: list[Block]) -> list[Line]:
    lines: list[Line] = []
    for b in blocks:
        lines.extend(_paragraph_lines(b) if isinstance(b, Paragraph) else _table_as_lines(b))
    return lines


def _checkboxes(blocks: list[Block]) -> list[Checkbox]:
    found: list[Checkbox] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            found.extend(b.checkboxes)
        else:
            for row in b.rows:
                for cell in row.cells:
                    found.extend(_checkboxes(cell.blocks))
    return found


CELL_SHADING = "cell-shading"


def _shaded(line: Line, fill: str) -> Line:
    """The line with its cell's shading as emphasis over all of it, so an option shaded in its own cell
    reads like an option highlighted in the text."""
    spans = (*getattr(line.text, "spans", ()), (0, len(line.text), "emphasis", f"{CELL_SHADING}:{fill}"))
    return Line(Styled.of(line.text, spans), line.list_item, line.placeholder, line.tags)


def build_units(raw: RawDocument) -> list[Unit]:
    """Every top-level paragraph and every cell of every top-level table, in reading order."""
    units: list[Unit] = []
    table_no = 0
    for block in raw.blocks:
        if isinstance(block, Paragraph):
            units.append(Unit(len(units), _paragraph_lines(block), block.location,
                              checkboxes=list(block.checkboxes), style=block.style))
            continue
        for r, row in enumerate(block.rows):
            for cell in row.cells:
                loc = cell.location.model_copy(update={"table": table_no, "row": r, "col": cell.col})
                lines = _blocks_lines(cell.blocks)
                if cell.shading:
                    lines = [_shaded(line, cell.shading) for line in lines]
                units.append(Unit(len(units), lines, loc, table_no, r, cell.col,
                                  _checkboxes(cell.blocks), span=cell.col_span, shading=cell.shading))
        table_no += 1
    return units


# ---- options chosen by formatting: struck out, emphasised, shaded -------------------------------------------

BOX_SEGMENT = re.compile(r"([☒☐])\s*([^☒☐\n]*)")
_BOX_AFTER = re.compile(r"([^☒☐\n]*?)\s*([☒☐])")


def box_segments(line: str) -> list[tuple[str, int, int]]:
    """Each box on a line with its label: (mark, start, end of the label), the label unstripped.

    The label follows its box ('☐ Yes ☐ No'), or, when the line starts with text and ends with a box,
    comes before it ('Yes ☐   No ☐'). No boxes: [].
    """
    text = line.strip()
    if text and text[0] not in "☒☐" and text[-1] in "☒☐":
        return [(m.group(2), m.start(1), m.end(1)) for m in _BOX_AFTER.finditer(line)]
    return [(m.group(1), m.start(2), m.end(2)) for m in BOX_SEGMENT.finditer(line)]


def without_unticked(line: str) -> str:
    """The line with every unticked box and its label removed (either order, see box_segments)."""
    text = line.strip()
    boxes = _BOX_AFTER if text and text[0] not in "☒☐" and text[-1] in "☒☐" else BOX_SEGMENT
    return boxes.sub(lambda m: m.group(0) if "☒" in m.group(0) else "", line)


def box_labels(line: str) -> list[tuple[str, str]]:
    """(mark, label) for each box on a line, in either order (see box_segments)."""
    return [(mark, line[a:b]) for mark, a, b in box_segments(line)]
# Options on one line: '/', '|' or 'or' between them, but never the '/' of 'N/A'.
OPTION_SEP = re.compile(r"\s*(?:(?<![Nn])/|/(?![Aa]\b)|\||\bor\b)\s*")


class Option:
    """One option printed in an answer or a grade table, and what its formatting says: struck, emphasised, ticked.

    ``struck`` means every visible character is struck ('N/A' with only the 'N' struck decides nothing);
    ``emphasis`` holds the emphasis parts (name -> value) every visible character shares, plus any given
    in ``extra`` (the shading of the empty cell a grade is marked in). The colour of a struck option is
    part of the strike (red-pen style), not a second answer.
    """

    __slots__ = ("label", "choice", "struck", "emphasis", "ticked")

    def __init__(self, line: str, start: int, end: int, choice, ticked: bool | None = None,
                 extra: dict[str, str] | None = None):
        self.label, self.choice, self.ticked = line[start:end], choice, ticked
        chars = [i for i in range(start, end) if not line[i].isspace()]
        spans = getattr(line, "spans", ())
        self.struck = bool(chars) and all(any(a <= i < b for a, b, st, _d in spans if st == "strike") for i in chars)
        common: set[str] | None = None
        for i in chars:
            here = {part for a, b, st, d in spans if st == "emphasis" and a <= i < b for part in d.split("+")}
            common = here if common is None else common & here
        self.emphasis = dict(part.partition(":")[::2] for part in (common or ()))
        self.emphasis.update(extra or {})
        if self.struck:
            self.emphasis.pop("color", None)


def options_in(line: str, read) -> list[Option] | None:
    """The options a line prints when it is only options ('Yes / No', '☐ Yes ☐ No', 'Child in Need'), else None.

    ``read`` names the choice a piece of text is, or None when it is not an option.
    """
    found = []
    boxes = box_segments(line)
    if boxes:
        text = line.strip()
        if text[0] not in "☒☐" and text[-1] not in "☒☐":  # text before the first box: not only options
            return None
        cuts = [(a, b, mark == "☒") for mark, a, b in boxes]
    else:
        cuts, start = [], 0
        for sep in [*OPTION_SEP.finditer(line), None]:
            end = sep.start() if sep else len(line)
            cuts.append((start, end, None))
            start = sep.end() if sep else end
    for start, end, ticked in cuts:
        while start < end and line[start].isspace():
            start += 1
        while end > start and line[end - 1].isspace():
            end -= 1
        if start == end:
            continue
        choice = read(line[start:end])
        if choice is None:
            return None
        found.append(Option(line, start, end, choice, ticked))
    return found or None


def set_apart(emphases: list[dict[str, str]]) -> set[int]:
    """The indices of the options whose emphasis sets them apart from the rest.

    For each property (bold, highlight, cell shading...) the options' usual value is the one most of them
    have, plain when plain ties with a value: options with another value are set apart. When values tie
    (Yes in red, No in blue; a grade table printed red, amber and green) there is no usual value and the
    property is the form's design, setting nothing apart.
    """
    apart: set[int] = set()
    if len(emphases) < 2:
        return apart
    for name in {k for e in emphases for k in e}:
        values = [e.get(name) for e in emphases]
        counts = {v: values.count(v) for v in values}
        top = max(counts.values())
        usual = [v for v, n in counts.items() if n == top]
        if len(usual) > 1 and None not in usual:
            continue
        base = None if len(usual) > 1 else usual[0]
        apart |= {i for i, v in enumerate(values) if v != base}
    return apart


def emphasised_one(emphases: list[dict[str, str]]) -> int | None:
    """The index of the one option emphasised apart from the others (``set_apart``), or None (none, or several)."""
    apart = set_apart(emphases)
    return apart.pop() if len(apart) == 1 else None


def decide(options: list[Option]) -> list[Option] | None:
    """The options chosen by strikethrough, emphasis or ticks, or None when formatting decides nothing.

    Struck options are not chosen. Ticks decide over emphasis; otherwise the one option emphasised apart
    (``emphasised_one``) is chosen. When the readings disagree (the option emphasised or ticked is also
    struck out), both readings are kept, so a Yes/No question shows both and is flagged choices_conflict.
    """
    standing = [p for p in options if not p.struck]
    struck = len(standing) < len(options)
    picked = [p for p in options if p.ticked]
    if not picked:
        one = emphasised_one([p.emphasis for p in options])
        picked = [options[one]] if one is not None else []
    if not struck:
        return picked or None
    if not picked:
        return standing
    return picked if all(not p.struck for p in picked) else standing + [p for p in picked if p not in standing]


# ---- choice columns: "Question | Yes | No | Comments" tables and option cells with a mark beside them ----

_MARK_GLYPHS = "☒☑✓✔✗✘√■⊠🗹"


def _has_mark_glyph(text: str) -> bool:
    """Whether a text holds a tick, cross or checked-box glyph (the text is built once, not per glyph)."""
    return any(g in text for g in _MARK_GLYPHS)
_MARK_WORDS = {"x", "xx", "tick", "ticked", "selected", "*", "yes", "y"}
_CHOICE_WORDS = {"yes": "Yes", "y": "Yes", "no": "No", "n": "No", "n/a": "N/A", "na": "N/A", "n.a.": "N/A",
                 "not applicable": "N/A"}
_HEADING_NOTE = re.compile(r"\s*\((?:x|tick|✓|please tick|tick one|mark with x)\)\s*$", re.I)


def choice_word(text: str) -> str | None:
    """'Yes', 'No' or 'N/A' for a cell or line that says only that ('y', 'NO', 'Yes.', 'n/a'), else None."""
    from pipeline.text import normalise

    return _CHOICE_WORDS.get(normalise(_HEADING_NOTE.sub("", text)).strip(" .:"))


def choice_tail(lines: list[Line]) -> str | None:
    """The Yes/No choices printed after a question's '?' on its first line ('Was it reviewed? Yes / No'),
    with their formatting, or None when nothing but choices follows the '?'."""
    first = next((ln.text for ln in lines if ln.text.strip()), "")
    at = first.rfind("?")
    if at < 0 or not first[at + 1:].strip():
        return None
    tail = first[at + 1:].strip()
    unmarked = re.sub(r"(?<!\w)[xX](?!\w)|[☒☑✓✔√■⊠☐]", " ", tail)  # 'X Yes / No', '☒ Yes ☐ No'
    return tail if options_in(" ".join(unmarked.split()), choice_word) else None


def _heading(text: str, options: dict[str, str]) -> str | None:
    """The choice a column heading (or option cell) names: Yes/No/N/A or a tick-list option, else None."""
    from pipeline.text import normalise

    if not text or "\n" in text or any(g in text for g in _MARK_GLYPHS + UNCHECKED):
        return None
    return choice_word(text) or options.get(normalise(_HEADING_NOTE.sub("", text)).strip(" .:"))


def _mark(u: Unit, heading: str) -> tuple[bool, list[Line]] | None:
    """Whether a cell under a choice heading is marked, and any text typed after the mark; None when the
    cell holds something other than a mark (a comment typed in the Yes column stays as typed)."""
    from pipeline.text import normalise

    text = u.text.strip()
    if not text or all(ch in UNCHECKED + "□ " for ch in text):
        return False, []
    first, _, rest = text.partition("\n")
    norm = normalise(first)
    words = norm.split(" ", 1)
    if norm in _MARK_WORDS or all(ch in _MARK_GLYPHS + " " for ch in first) or norm == normalise(heading) or \
            choice_word(first) == heading:
        return True, [Line(t) for t in rest.split("\n") if t.strip()]
    if words[0] in {"x", *_MARK_GLYPHS} and len(words) > 1:
        return True, [Line(words[1].strip(" -:"))] + [Line(t) for t in rest.split("\n") if t.strip()]
    return None


def read_choice_cells(units: list[Unit], options: list[str]) -> list[Unit]:
    """Units with marked choice cells read as the choice they mark; returns new units, same count and order.

    A table row whose cells name two or more choices ('Yes', 'No', 'N/A', 'Y', 'N', or options of a tick
    list) and hold no mark is a heading row: its choice cells are printed, not answers, and in the rows
    after it a one-column cell under a choice heading that holds a mark (X, a tick, a checked box, 'Yes')
    reads as the heading's choice ('Yes', 'No', 'N/A' or the option), an unmarked one as nothing. A row
    that is only a choice cell and the mark cell beside it (options listed down a column) reads the same.

    Formatting marks too: an empty cell under a heading shaded apart from the row's other choice cells is
    marked; options down a column are chosen by their formatting (one shaded, highlighted or bold, or the
    others struck out) when no mark cell holds a mark; and a row of choice cells whose formatting chooses
    one is an answer, not a heading row (its lines keep their formatting for the answer to be read from).
    """
    from pipeline.text import normalise

    known = {normalise(o): o for o in options}
    out = [Unit(u.index, list(u.lines), u.location, u.table, u.row, u.col, u.checkboxes, u.style, u.group, u.span,
                u.shading) for u in units]
    rows: dict[tuple[int, int], list[Unit]] = {}
    for u in out:
        if u.in_table:
            rows.setdefault((u.table, u.row), []).append(u)
    columns: dict[int, dict[int, str]] = {}  # table -> column -> choice heading in force
    designs: dict[int, str | None] = {}  # table -> the fill its empty choice cells are printed with
    pairs: dict[int, list[tuple[Unit, Unit, str, bool]]] = {}  # table -> (option, mark cell, choice, marked)
    for (table, _row), cells in sorted(rows.items()):
        named = {u.col: h for u in cells if u.span == 1 and (h := _heading(u.text, known))}
        marked = [u for u in cells if _has_mark_glyph(u.text) or any(c.checked for c in u.checkboxes)]
        yes_no = {"Yes", "No"} <= set(named.values())
        if len(named) >= 2 and not marked and (yes_no or sum(h not in ("Yes", "No", "N/A") for h in named.values()) >= 2):
            if decide([_cell_option(u, named[u.col]) for u in cells if u.col in named]) is None:
                columns[table] = named
                for u in cells:
                    if u.col in named:
                        u.lines = []  # the printed heading is not an answer
            continue
        full = [u for u in cells if u.text.strip()]
        pair = sorted(cells, key=lambda c: c.col or 0)
        if len(pair) >= 2 and (h := _heading(pair[-2].text, known)) and full and full[0] is pair[-2] and \
                (m := _mark(pair[-1], h)) is not None and not m[1]:
            pairs.setdefault(table, []).append((pair[-2], pair[-1], h, m[0]))
            continue
        heads = columns.get(table, {})
        under = [(u, heads[u.col]) for u in cells if u.col in heads and u.span == 1]
        found = {u.index: m for u, heading in under if (m := _mark(u, heading)) is not None}
        if under and not any(m[0] for m in found.values()):  # no mark typed: an empty cell shaded by hand marks
            if table not in designs:
                designs[table] = _design_shading(units, table, columns[table])  # as printed
            found.update({u.index: (True, []) for u, _h in under
                          if u.shading and not u.text.strip() and u.shading != designs[table]})
        for u, heading in under:
            if u.index in found:
                u.lines = ([Line(heading)] if found[u.index][0] else []) + found[u.index][1]
    for found in pairs.values():
        chosen = [marked for _o, _mark, _h, marked in found]
        if not any(chosen):  # no mark cell marked: the options' own formatting may choose
            as_options = [_cell_option(o, h, mark) for o, mark, h, _m in found]
            picked = decide(as_options) or []
            chosen = [any(p is option for p in picked) for option in as_options]
        for (o, mark, h, _m), yes in zip(found, chosen):
            o.lines, mark.lines = ([Line(h)] if yes else []), []
    return out


def _design_shading(units: list[Unit], table: int, columns: dict[int, str]) -> str | None:
    """The fill most of a table's empty choice cells share (more than half): the form's design, not a mark.

    An agency marks at most one choice cell per row, so its shading never covers more than half of them;
    a form that prints its answer columns shaded covers them all.
    """
    fills = [u.shading for u in units if u.table == table and u.col in columns and u.span == 1 and not u.text.strip()]
    top = max(set(fills), key=fills.count) if fills else None
    return top if top is not None and fills.count(top) * 2 > len(fills) else None


def _cell_option(u: Unit, choice: str, mark: Unit | None = None) -> Option:
    """A choice cell as an Option: its text's formatting and shading, and the shading of its mark cell."""
    line = next((ln.text for ln in u.lines if ln.text.strip()), "")
    extra = {"mark-cell-shading": mark.shading} if mark is not None and mark.shading else None
    return Option(line, 0, len(line), choice, extra=extra)
