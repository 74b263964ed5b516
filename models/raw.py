"""RawDocument: what a file literally says, in document order, before any mapping to questions.

Extractors produce it; mapping consumes it. It knows nothing of questions.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Location(_Model):
    """Where a piece of text sits: table/row/col for Word, page and box (points, top-left origin) for PDF."""

    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    pages: list[int] | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    paragraph: int | None = None


class Checkbox(_Model):
    """A checkbox the file encodes as a control (not a typed glyph, which stays in the text)."""

    checked: bool
    kind: Literal["content_control", "legacy_field", "acroform", "drawn_mark"]  # drawn_mark: a PDF's vector tick
    label: str = ""


class Span(_Model):
    """Characters [start, end) of a paragraph's text that the file formats in a way that can answer a prompt.

    ``strike``: struck through (single or double line; not a tracked deletion, which is never in the text).
    ``emphasis``: formatted apart from the paragraph's own style; ``detail`` names how, as ``name[:value]``
    parts in a fixed order joined by '+', e.g. ``bold``, ``highlight:yellow``, ``bold+shading:FFFF00``
    (a double strikethrough is a ``strike`` with detail ``dstrike``).
    """

    start: int
    end: int
    style: Literal["strike", "emphasis"]
    detail: str = ""


class Paragraph(_Model):
    """One paragraph (or one PDF text line): its accepted text and what sits inside it."""

    kind: Literal["paragraph"] = "paragraph"
    text: str
    list_item: bool = False
    style: str = ""
    tags: list[str] = Field(default_factory=list, description="content-control tags/aliases around it")
    checkboxes: list[Checkbox] = Field(default_factory=list)
    placeholder: bool = False
    location: Location = Field(default_factory=Location)
    spans: list[Span] = Field(default_factory=list, description="struck-through or emphasised characters of text")


class Cell(_Model):
    """One grid cell; a merged cell appears once, with its span."""

    row: int
    col: int
    col_span: int = 1
    row_span: int = 1
    blocks: list["Block"] = Field(default_factory=list)
    location: Location = Field(default_factory=Location)
    shading: str | None = Field(None, description="the whole cell's fill colour as hex RGB ('FFFF00'); "
                                "None when the cell is unshaded, 'auto' or white")


class Row(_Model):
    cells: list[Cell] = Field(default_factory=list)


class Table(_Model):
    kind: Literal["table"] = "table"
    rows: list[Row] = Field(default_factory=list)
    location: Location = Field(default_factory=Location)


Block = Annotated[Union[Paragraph, Table], Field(discriminator="kind")]


class Comment(_Model):
    """A reviewer comment; never part of an answer."""

    author: str = ""
    date: str | None = None
    text: str
    anchor: str = Field("", description="the text the comment is attached to")
    location: Location = Field(default_factory=Location)


class RawDocument(_Model):
    """Everything an extractor read from one file."""

    file: str
    format: Literal["docx", "doc", "rtf", "odt", "pdf"]
    ocr: bool = False
    blocks: list[Block] = Field(default_factory=list)
    comments: list[Comment] = Field(default_factory=list)
    revisions: int = Field(0, description="tracked insertions/deletions left in the file")
    unknown: dict[str, int] = Field(default_factory=dict, description="elements met and not understood")
    warnings: list[str] = Field(default_factory=list)
    low_confidence_pages: list[int] = Field(default_factory=list)
    named_as: str | None = Field(None, description="the file's suffix when its content is another type "
                                 "(a Word document named .pdf), read by its real type")


Cell.model_rebuild()
