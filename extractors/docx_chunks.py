"""Documents a ``w:altChunk`` pulls into a Word file, read where they stand: Word (.docx or its XML), HTML, web
archives and plain text; anything else (RTF...) is counted unknown with a warning saying what to do.

``EmbeddedDocuments`` is part of the body walk (extractors.docx._Reader): it needs the walk's ``walk_for``, ``blocks``,
``unknown``, ``warnings``, counters and package. HTML, web archives and text are turned into paragraphs by
extractors.docx_parts.
"""

from __future__ import annotations

from collections import Counter

from extractors.docx_parts import (
    R_ID, chunk_kind, decode_text, html_paragraphs, mht_html, read_comments, text_paragraphs,
)
from extractors.docx_xml import NS, _revisions, _targets
from extractors.package import Package, open_embedded
from models.errors import FileLimitExceeded, UnreadableFile
from models.raw import Block, Comment, Location

MAX_CHUNK_DEPTH = 3  # a document embedded in an embedded document...: deeper than any real form goes
_CHUNK_NAMES = {"rtf": "RTF document", "mht": "web archive (.mht)", "": "file"}


def _w(name: str) -> str:
    return "{%s}%s" % (NS["w"], name)


class EmbeddedDocuments:
    """The body walk's reading of ``w:altChunk`` (mixed into extractors.docx._Reader)."""

    package: Package | None
    part: str
    depth: int
    unknown: Counter[str]
    warnings: list[str]
    chunk_comments: list[Comment]
    chunk_revisions: int
    body_index: int
    table_index: int

    def alt_chunk(self, el, loc: Location, tags: list[str], body: bool) -> list[Block]:
        """The blocks of a document a w:altChunk pulls in where it stands: Word (.docx or its XML), HTML, a web
        archive or plain text; anything else (RTF...) is counted unknown with a warning saying what to do."""
        target = self.package.relationships(self.part).get(el.get(R_ID, ""), ("", ""))[1] if self.package else ""
        data = self.package.member(target) if target else None
        if data is None:  # a dangling reference: nothing to read, but the file claims content here
            self.unknown["w:altChunk"] += 1
            return []
        kind = chunk_kind(data, self.package.content_type(target), target)
        if kind in ("docx", "word-xml"):
            return self.embedded_word(data, target, kind, loc, tags, body)
        if kind in ("html", "mht", "text"):
            text = mht_html(data) if kind == "mht" else decode_text(data)
            if text is not None:
                found = html_paragraphs(text, loc, tags) if kind != "text" else text_paragraphs(text, loc, tags)
                for paragraph in found:
                    if body:
                        paragraph.location = Location(paragraph=self.body_index)
                        self.body_index += 1
                return found
        return self.chunk_unread(target, f"an embedded {_CHUNK_NAMES.get(kind, kind)}")

    def chunk_unread(self, target: str, what: str, why: str = "maap cannot read that kind of file") -> list[Block]:
        self.unknown["w:altChunk"] += 1
        self.warnings.append(f"{what} ({target}) was not read ({why}): open the original in Word to see what it "
                             "says, or ask the agency to paste the text into the form instead of inserting a file")
        return []

    def embedded_word(self, data: bytes, target: str, kind: str, loc: Location, tags: list[str],
                      body: bool) -> list[Block]:
        """A Word document inside this one, walked with its own styles and counted with this walk's numbers."""
        if self.depth >= MAX_CHUNK_DEPTH:
            return self.chunk_unread(target, "an embedded Word document",
                                     f"documents embedded more than {MAX_CHUNK_DEPTH} deep are not followed")
        if kind == "word-xml":
            package, main = self.package, target
        else:
            try:
                package = open_embedded(data, self.package, target)
                main = package.main_part()
            except FileLimitExceeded:
                raise  # the same size limits as the file itself: a bomb hidden inside is still a bomb
            except UnreadableFile as e:
                if e.code == "unsafe_xml":
                    raise
                return self.chunk_unread(target, "an embedded Word document", "it is damaged")
        root = package.parse(main)
        doc_body = root.find(_w("body")) if root is not None else None
        if doc_body is None:
            return self.chunk_unread(target, "an embedded Word document", "it has no body")
        inner = self.walk_for(package, main, self.depth + 1)
        inner.unknown, inner.warnings = self.unknown, self.warnings
        inner.table_index, inner.body_index = self.table_index, self.body_index
        blocks = inner.blocks(doc_body, loc, tags, body=body)
        self.table_index, self.body_index = inner.table_index, inner.body_index
        if package is not self.package:
            self.package.budget = package.budget
            targets = _targets(package, main)
            self.chunk_comments += inner.chunk_comments + read_comments(
                package.parse(targets["comments"]) if "comments" in targets else None, inner)
        self.chunk_revisions += inner.chunk_revisions + _revisions(doc_body)
        return blocks
