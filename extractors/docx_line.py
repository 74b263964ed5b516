"""One paragraph as the Word body walk reads it: text pieces, checkboxes and spans, before it becomes a Paragraph.

Shared by the body walk (extractors.docx) and the readers mixed into it (extractors.docx_objects), so neither
imports the other for it.
"""

from __future__ import annotations

import re

from extractors.docx_format import Format
from models.raw import Block, Checkbox, Location, Paragraph, Span

_TYPED_BULLET = re.compile(r"(?:[•·▪◦●‣]\s*|[-–]\s+|o\s+)")
_BULLET_STARTS = set("•·▪◦●‣-–o")
# What is left of 'Page 2 of 5', '- 3 -' or '2/5' once the page-number fields are taken out.
_PAGE_FURNITURE = re.compile(r"[\s\-\u2013\u2014/|.]*(?:page|pg\.?)?[\s\-\u2013\u2014/|.]*(?:of)?[\s\-\u2013\u2014/|.]*",
                             re.IGNORECASE)


class Line:
    """One paragraph being read: text pieces and what sits among them, before it becomes a Paragraph."""

    __slots__ = ("parts", "length", "boxes", "tags", "placeholder", "extra", "list_item", "style", "loc",
                 "hide", "mark_deleted", "page_field", "spans", "base")

    def __init__(self, loc: Location, tags: list[str], hide: int):
        self.parts: list[str] = []
        self.length = 0
        self.boxes: list[tuple[int, bool, str]] = []  # (position in text, checked, kind)
        self.tags = list(tags)
        self.placeholder = False
        self.extra: list[Block] = []  # text boxes met inside, emitted after the paragraph
        self.list_item = False
        self.style = ""
        self.loc = loc
        self.hide = hide  # >0 inside a placeholder or a checkbox control: text is not an answer
        self.mark_deleted = False
        self.page_field = False  # held a page-number field (page headers and footers only)
        self.spans: list[list] = []  # [start, end, style, detail] of struck or emphasised text (extractors.docx_format)
        self.base: Format = {}  # the run formatting the paragraph's style gives every run

    def mark(self, start: int, styles: tuple[tuple[str, str], ...]) -> None:
        """Record that the text from ``start`` to the end so far carries ``styles``; a run continuing the
        previous span with the same style extends it."""
        for style, detail in styles:
            last = next((sp for sp in reversed(self.spans) if sp[2] == style), None)
            if last is not None and last[1] == start and last[3] == detail:
                last[1] = self.length
            else:
                self.spans.append([start, self.length, style, detail])

    def join(self, later: Line) -> Line:
        """This line with a later one appended: accepting a deleted paragraph mark merges the two."""
        self.boxes += [(pos + self.length, checked, kind) for pos, checked, kind in later.boxes]
        self.spans += [[start + self.length, end + self.length, style, detail]
                       for start, end, style, detail in later.spans]
        self.parts += later.parts
        self.length += later.length
        self.tags += [t for t in later.tags if t not in self.tags]
        self.placeholder |= later.placeholder
        self.extra += later.extra
        self.list_item |= later.list_item
        self.style = self.style or later.style
        self.mark_deleted = later.mark_deleted
        self.page_field |= later.page_field
        return self

    def finish(self) -> list[Block]:
        """The Paragraph (unless it says nothing at all) followed by any text-box blocks."""
        raw = "".join(self.parts)
        checkboxes = []
        cuts = [pos for pos, _, _ in self.boxes] + [len(raw)]
        for i, (pos, checked, kind) in enumerate(self.boxes):
            # The label is the text after the box up to the next one; a box at the end takes the text before.
            label = raw[pos:cuts[i + 1]].strip() or raw[(cuts[i - 1] if i else 0):pos].strip()
            checkboxes.append(Checkbox(checked=checked, kind=kind, label=label))
        text = raw.strip()
        cut = len(raw) - len(raw.lstrip())  # characters dropped from the front: spans move back by as many
        if self.page_field and _PAGE_FURNITURE.fullmatch(text):
            text = ""  # 'Page 2 of 5' says nothing about the case
        match = _TYPED_BULLET.match(text) if text[:1] in _BULLET_STARTS else None
        if match and match.end() < len(text):
            text, self.list_item = text[match.end():], True
            cut += match.end()
        blocks: list[Block] = []
        if text or checkboxes or self.placeholder or self.tags:
            blocks.append(Paragraph(text=text, list_item=self.list_item, style=self.style, tags=self.tags,
                                    checkboxes=checkboxes, placeholder=self.placeholder, location=self.loc,
                                    spans=_spans(self.spans, cut, text) if self.spans else []))
        return blocks + self.extra


def _spans(found: list[list], cut: int, text: str) -> list[Span]:
    """Spans moved back by ``cut`` characters and clipped to ``text``; any left covering only spaces are dropped."""
    spans = []
    for start, end, style, detail in found:
        start, end = max(0, start - cut), min(len(text), end - cut)
        if end > start and text[start:end].strip():
            spans.append(Span(start=start, end=end, style=style, detail=detail))
    return spans
