"""Small text helpers shared by mapping, detection and validation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from models.raw import Block, Paragraph, RawDocument, Table

_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


# How to mark the printed choices, said after them: 'Yes / No (delete as appropriate)', '(please circle)'
CHOICE_NOTE = re.compile(r"\s*[(\[]\s*(?:please\s+)?(?:delete|circle|tick|underline|strike|highlight|select|ring)\b"
                         r"[^()\[\]]*[)\]]\s*$", re.I)


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Lower-case, straight quotes, single spaces: the form used for every comparison."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _SPACES.sub(" ", text).strip()


def block_lines(block: Block) -> list[str]:
    """Text lines of a block in order; a table gives the lines of each cell, row by row."""
    if isinstance(block, Paragraph):
        return [block.text]
    lines: list[str] = []
    for row in block.rows:
        for cell in row.cells:
            for inner in cell.blocks:
                lines.extend(block_lines(inner))
    return lines


def document_lines(raw: RawDocument) -> list[str]:
    """Every text line of a document in reading order."""
    return [line for block in raw.blocks for line in block_lines(block)]


def iter_tables(blocks: list[Block]):
    """Top-level tables in document order (nested tables stay inside their cells)."""
    return [b for b in blocks if isinstance(b, Table)]
