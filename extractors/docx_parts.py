"""The parts of a Word package around its body: styles, comments, page headers and footers, footnotes and endnotes.

Plain functions over parsed parts; the body walk itself (extractors.docx._Reader) is passed in, so headers,
footers and notes are read exactly as body text is (content controls, fields, tracked changes, tables).
"""

from __future__ import annotations

from typing import Protocol

from extractors.package import Package
from models.raw import Block, Comment, Location, Paragraph, Table

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
TRUE = {"1", "true", "on"}

PAGE_HEADER, PAGE_FOOTER, FOOTNOTE = "page-header", "page-footer", "footnote"


def _w(name: str) -> str:
    return "{%s}%s" % (W_NS, name)


P, T, VAL = _w("p"), _w("t"), _w("val")
HEADER_REF, FOOTER_REF, SECT_PR, SECT_PR_CHANGE = (_w(n) for n in ("headerReference", "footerReference", "sectPr",
                                                                   "sectPrChange"))


class BlockReader(Protocol):
    """What these functions need from the body walk: blocks of a container, and its table counter."""

    table_index: int
    anchors: dict[str, list[str]]
    comment_locs: dict[str, Location]

    def blocks(self, container, loc: Location, tags: list[str]) -> list[Block]: ...


# ---- styles and comments -------------------------------------------------------------------------

def read_styles(root) -> tuple[dict[str, tuple[str, bool]], str]:
    """style id -> (display name, numbered through its own or an inherited w:numPr); and the default style id."""
    if root is None:
        return {}, ""
    raw: dict[str, tuple[str, str | None, bool | None]] = {}
    default = ""
    for style in root.iter(_w("style")):
        if style.get(_w("type"), "paragraph") != "paragraph":
            continue
        sid = style.get(_w("styleId"), "")
        name_el, based_el = style.find(_w("name")), style.find(_w("basedOn"))
        num_id = style.find(f"{_w('pPr')}/{_w('numPr')}/{_w('numId')}")
        numbered = None if num_id is None else num_id.get(VAL) != "0"
        raw[sid] = (name_el.get(VAL, sid) if name_el is not None else sid,
                    based_el.get(VAL) if based_el is not None else None, numbered)
        if (style.get(_w("default")) or "").lower() in TRUE:
            default = sid
    resolved: dict[str, tuple[str, bool]] = {}
    for sid, (name, _, _) in raw.items():
        seen, current, numbered = set(), sid, False
        while current in raw and current not in seen:  # basedOn chains can loop in damaged files
            seen.add(current)
            _, based, own = raw[current]
            if own is not None:
                numbered = own
                break
            current = based
        resolved[sid] = (name, numbered)
    return resolved, default


def read_comments(root, reader: BlockReader) -> list[Comment]:
    """Comments of word/comments.xml, with the text they anchor to as the body walk collected it."""
    if root is None:
        return []
    comments = []
    for el in root.iter(_w("comment")):
        comment_id = el.get(_w("id"), "")
        text = "\n".join("".join(t.text or "" for t in p.iter(T)) for p in el.iter(P)).strip()
        anchor = " ".join("".join(reader.anchors.get(comment_id, [])).split())
        comments.append(Comment(author=el.get(_w("author"), ""), date=el.get(_w("date")), text=text,
                                anchor=anchor, location=reader.comment_locs.get(comment_id, Location())))
    return comments


# ---- page headers and footers, footnotes and endnotes ----------------------------------------------

def page_parts(body, rels: dict[str, tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Header and footer part names the document's sections refer to, in section order, each part once."""
    headers: list[str] = []
    footers: list[str] = []
    for sect in body.iter(SECT_PR):
        parent = sect.getparent()
        if parent is not None and parent.tag == SECT_PR_CHANGE:
            continue  # a tracked change's old section properties: not what the document shows
        for ref in sect:
            if ref.tag not in (HEADER_REF, FOOTER_REF):
                continue
            target = rels.get(ref.get(R_ID, ""), ("", ""))[1]
            found = headers if ref.tag == HEADER_REF else footers
            if target and target not in found:
                found.append(target)
    return headers, footers


def page_blocks(package: Package, parts: list[str], reader: BlockReader, style: str) -> list[Block]:
    """Blocks of header (or footer) parts, styled ``style``; an empty one is skipped, a repeated one kept once.

    Sections unlinked from the previous one often carry a copy of the same header: a reader sees one header.
    """
    out: list[Block] = []
    seen: set[str] = set()
    for part in parts:
        root = package.parse(part)
        if root is None:
            continue
        first_table = reader.table_index
        blocks = reader.blocks(root, Location(), [])
        key = repr([_without_locations(b.model_dump()) for b in blocks])
        if not blocks or key in seen:
            reader.table_index = first_table  # numbers stay dense: a dropped copy's tables give theirs back
            continue
        seen.add(key)
        out += restyle(blocks, style)
    return out


def note_blocks(package: Package, part: str | None, reader: BlockReader) -> list[Block]:
    """Blocks of every footnote (or endnote) in a part, styled 'footnote'; Word's separator notes are skipped."""
    root = package.parse(part) if part else None
    if root is None:
        return []
    out: list[Block] = []
    for note in root:
        if not isinstance(note.tag, str) or note.get(_w("type"), "normal") != "normal":
            continue
        out += reader.blocks(note, Location(), [])
    return restyle(out, FOOTNOTE)


def restyle(blocks: list[Block], style: str) -> list[Block]:
    """Give every paragraph in blocks (table cells included) the style ``style``; returns blocks."""
    for block in blocks:
        if isinstance(block, Paragraph):
            block.style = style
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    restyle(cell.blocks, style)
    return blocks


def _without_locations(value):
    if isinstance(value, dict):
        return {k: _without_locations(v) for k, v in value.items() if k != "location"}
    if isinstance(value, list):
        return [_without_locations(v) for v in value]
    return value

