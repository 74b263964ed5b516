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
                    out[k] = _NUMBERED.sub("", out[k], count=1)
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
    return _BULLET.sub("", text, count=1)


CHECKED, UNCHECKED = "☒", "☐"


def marked_text(p: Paragraph) -> str:
    """The paragraph's text with each checkbox control shown as ☒ or ☐ where it stands (before its label),
    so a ticked box is never lost from an answer."""
    text = p.text
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
    body = ("".join(pieces) + text[pos:]).strip()
    return " ".join([*unplaced, body]).strip()


def _paragraph_lines(p: Paragraph) -> list[Line]:
    text = marked_text(p)
    parts = text.split("\n") if text else [""]
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
                units.append(Unit(len(units), _blocks_lines(cell.blocks), loc, table_no, r, cell.col,
                                  _checkboxes(cell.blocks)))
        table_no += 1
    return units
