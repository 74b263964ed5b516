"""Build RawDocuments in code, the shape extractors give, for mapping tests."""

from models.raw import Cell, Checkbox, Paragraph, RawDocument, Row, Table


def para(text: str, **kw) -> Paragraph:
    return Paragraph(text=text, **kw)


def cell(r: int, c: int, *content) -> Cell:
    blocks = [para(x) if isinstance(x, str) else x for x in content]
    return Cell(row=r, col=c, blocks=blocks)


def table(rows: list[list]) -> Table:
    """rows of cells; a cell is a string (lines split on \\n into paragraphs), a Paragraph, a Table or a list."""
    out = []
    for r, values in enumerate(rows):
        cells = []
        for c, v in enumerate(values):
            if isinstance(v, str):
                content = [para(line) for line in v.split("\n")] if v else [para("")]
            elif isinstance(v, list):
                content = v
            else:
                content = [v]
            cells.append(cell(r, c, *content))
        out.append(Row(cells=cells))
    return Table(rows=out)


def doc(*blocks, fmt: str = "docx") -> RawDocument:
    return RawDocument(file="test.docx", format=fmt, blocks=list(blocks))


def checked(text: str = "", state: bool = True) -> Paragraph:
    return Paragraph(text=text, checkboxes=[Checkbox(checked=state, kind="content_control")])


def paragraphs(blocks):
    """Every paragraph, depth first, including those in cells and nested tables."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block
        else:
            for row in block.rows:
                for cell in row.cells:
                    yield from paragraphs(cell.blocks)
