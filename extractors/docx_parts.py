"""The parts of a Word package around its body: styles, comments, page headers and footers, footnotes and
endnotes, and the embedded documents a ``w:altChunk`` pulls in (HTML, web archives, plain text).

Plain functions over parsed parts; the body walk itself (extractors.docx._Reader) is passed in, so headers,
footers and notes are read exactly as body text is (content controls, fields, tracked changes, tables).
HTML is read with the standard library's parser (no new dependency).
"""

from __future__ import annotations

import codecs
import email
import email.policy
import html
import posixpath
import re
from html.parser import HTMLParser
from typing import Protocol

from extractors.package import Package
from models.raw import Block, Comment, Location, Paragraph, Span, Table

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
    part: str  # the part being walked, whose relationships its r:id references use
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
        reader.part = part
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
    reader.part = part
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



# ---- embedded documents (w:altChunk) ----------------------------------------------------------------

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "dt",
               "dd", "blockquote", "pre", "section", "article", "header", "footer", "hr", "caption", "body"}
_SKIPPED_TAGS = {"script", "style", "head", "title", "template", "noscript", "object", "iframe"}
_STRUCK_TAGS = {"s", "strike", "del"}
_EMPHASIS_TAGS = {"b": "bold", "strong": "bold", "u": "underline", "mark": "highlight", "i": "italic", "em": "italic"}
_SPACES = re.compile(r"\s+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)


def chunk_kind(data: bytes, content_type: str, part: str) -> str:
    """What an embedded part is: 'docx', 'word-xml', 'html', 'mht', 'rtf', 'text', or '' when not known.

    The bytes decide first (Word files a .docx chunk under the main-document content type; a name can lie),
    then the content type, then the extension.
    """
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    ext = posixpath.splitext(part)[1].lower()
    if head.startswith(b"pk\x03\x04"):
        return "docx"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if b"mime-version:" in head or content_type == "message/rfc822" or ext in (".mht", ".mhtml"):
        return "mht"
    if head.startswith((b"<?xml", b"<w:document")) and b"wordprocessingml" in data[:4096].lower():
        return "word-xml"
    if content_type in _HTML_TYPES or ext in (".htm", ".html", ".xhtml") or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if content_type == "text/plain" or ext == ".txt":
        return "text"
    return ""


def decode_text(data: bytes) -> str:
    """Bytes of a text or HTML chunk as text: a byte-order mark or an HTML charset decides, else UTF-8, else
    Windows-1252 (what Word writes for 'Western' text)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class _HtmlText(HTMLParser):
    """HTML as lines of text: block elements end a line, table cells are joined with ' | ', scripts and styles
    are skipped, ticked and unticked checkbox inputs become ☒ and ☐; struck and emphasised text give spans."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, bool, list[list]]] = []  # (text, list item, [start, end, style, detail])
        self.text: list[str] = []
        self.length = 0
        self.spans: list[list] = []
        self.skip = 0
        self.open: list[tuple[str, int]] = []  # formatting elements open: (tag, where they start)
        self.item = False
        self.cells = 0

    def _end_line(self) -> None:
        raw = "".join(self.text)
        text = raw.strip()
        if text:
            cut = len(raw) - len(raw.lstrip())
            spans = [[max(0, a - cut), min(len(text), b - cut), st, d] for a, b, st, d in self.spans]
            self.lines.append((text, self.item, [s for s in spans if s[1] > s[0]]))
        self.text, self.length, self.spans, self.item, self.cells = [], 0, [], False, 0
        self.open = [(tag, 0) for tag, _ in self.open]

    def _add(self, text: str) -> None:
        if text.startswith(" ") and self.text and self.text[-1].endswith(" "):
            text = text[1:]  # HTML shows one space where an element boundary meets two
        if not text:
            return
        self.text.append(text)
        self.length += len(text)

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self._end_line()
            self.item = tag == "li"
        elif tag in ("td", "th"):
            if self.cells:
                self._add(" | ")
            self.cells += 1
        elif tag == "input" and (dict(attrs).get("type") or "").lower() in ("checkbox", "radio"):
            self._add("☒ " if "checked" in dict(attrs) else "☐ ")
        if tag in _STRUCK_TAGS or tag in _EMPHASIS_TAGS:
            self.open.append((tag, self.length))

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self._end_line()
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                start = self.open.pop(i)[1]
                if self.length > start:
                    style = "strike" if tag in _STRUCK_TAGS else "emphasis"
                    self.spans.append([start, self.length, style, _EMPHASIS_TAGS.get(tag, "")])
                break

    def handle_data(self, data):
        if not self.skip:
            self._add(_SPACES.sub(" ", data))

    def close(self):
        super().close()
        self._end_line()


def html_paragraphs(html: str, loc: Location, tags: list[str]) -> list[Paragraph]:
    """An HTML document's text as paragraphs (one per block element or line break), with strike and emphasis spans."""
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return [Paragraph(text=text, list_item=item, tags=list(tags), location=loc,
                      spans=[Span(start=a, end=b, style=st, detail=d) for a, b, st, d in spans if text[a:b].strip()])
            for text, item, spans in parser.lines]


def text_paragraphs(text: str, loc: Location, tags: list[str]) -> list[Paragraph]:
    """Plain text as one paragraph per non-blank line."""
    return [Paragraph(text=line.strip(), tags=list(tags), location=loc) for line in text.splitlines() if line.strip()]


def mht_html(data: bytes) -> str | None:
    """The HTML (else plain text, as HTML-safe text) of a web archive (.mht: a MIME message), or None."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    for wanted in ("text/html", "text/plain"):
        for part in message.walk():
            if part.get_content_type() == wanted:
                try:
                    content = part.get_content()
                except (LookupError, ValueError):
                    continue
                if isinstance(content, bytes):
                    content = decode_text(content)
                return content if wanted == "text/html" else html.escape(content).replace("\n", "<br>")
    return None
