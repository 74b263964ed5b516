"""PDF extractor: a printed or fillable audit form as the same blocks a Word form gives (models.raw).

Tables come from ruling lines, text from pypdfium2 character boxes, form values from the AcroForm widgets,
and pages with no text layer from OCRmyPDF (extractors.ocr). Answers split by a page break are joined back;
running headers, footers, page numbers and repeated table headers are dropped. See docs/pdf-extraction.md.
"""

from __future__ import annotations

import math
import re
import threading
import time
from pathlib import Path

import pypdfium2 as pdfium

from extractors import ocr, pdf_scan
from extractors.pdf_layout import (
    CellDraft, Format, Line, Para, TableDraft, apply_fills, assign, fill_cells, find_tables, make_lines, make_paras,
    para_styled, wraps,
)
from extractors.pdf_page import PageContent, read_page
from models.errors import FileLimitExceeded, UnreadableFile
from models.raw import Cell, Checkbox, Comment, Location, Paragraph, RawDocument, Row, Span, Table
from models.settings import Limits

# pdfium is not thread-safe, and flows run files on a thread pool: one document at a time through pdfium.
_PDFIUM = threading.Lock()
# Share of a page's height at the top and bottom where running headers and footers live.
MARGIN_ZONE = 0.12
_PAGE_NUMBER = re.compile(r"^(page\s*)?[-\u2013 ]*\d+[-\u2013 ]*((of|/)\s*\d+)?$")


def extract(path: Path, limits: Limits) -> RawDocument:
    """Read a PDF into a RawDocument (format "pdf"); raises UnreadableFile subclasses for expected failures.

    Pages with no text layer are OCR'd first (RawDocument.ocr=True). A file with more than limits.max_pages
    pages is refused (FileLimitExceeded) rather than read in part, so no answer is silently lost; so is one whose
    reading (OCR included) runs past limits.seconds_per_file, checked after each page.
    """
    path = Path(path)
    start = time.monotonic()
    with _PDFIUM:
        pages = _read(path, limits, deadline=start + limits.seconds_per_file)
    needs_ocr = [p.number for p in pages if p.text_chars == 0 and p.images > 0]
    if not needs_ocr:
        return _assemble(path, pages)
    with ocr.ocr_pdf(path, limits) as result:
        with _PDFIUM:
            pages = _read(result.path, limits, name=path.name, scanned=set(needs_ocr),
                          deadline=start + limits.seconds_per_file)
        raw = _assemble(path, pages)
    raw.ocr = True
    raw.low_confidence_pages = result.low_confidence_pages
    still_blank = [p.number for p in pages if p.text_chars == 0 and p.images > 0]
    if still_blank:
        raw.warnings.append(f"no text recognised on scanned page(s) {', '.join(map(str, still_blank))}")
    return raw


def _open(path: Path, name: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise UnreadableFile(
                f"{name}: the PDF needs a password to open; ask the agency to send it again without a password",
                code="password_protected",
            ) from e
        raise UnreadableFile(f"{name}: not a readable PDF ({_pdfminer_reason(path) or e}); "
                             "ask the agency to send the file again", code="corrupt_file") from e


def _pdfminer_reason(path: Path) -> str:
    """pdfminer's own words for a broken file (more specific than pdfium's); only on the failure path."""
    try:
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            _ = pdf.pages[0] if pdf.pages else None
    except Exception as e:  # noqa: BLE001 - any reason is better than none; the file already failed to open
        inner = e.args[0] if e.args else e
        return str(inner) or type(inner).__name__
    return ""


def _read(path: Path, limits: Limits, name: str | None = None, scanned: set[int] = frozenset(),
          deadline: float = math.inf) -> list[PageContent]:
    """Every page's content; ``scanned`` pages (1-based) get their rulings from the page image (pdf_scan)."""
    name = name or path.name
    pdf = _open(path, name)
    try:
        count = len(pdf)
        if count > limits.max_pages:
            raise FileLimitExceeded(
                f"{name}: has {count} pages; maap reads at most {limits.max_pages} (limits.max_pages). "
                "Check it is one audit return, or raise the limit"
            )
        pdf.init_forms()
        pages = []
        for i in range(count):
            try:
                pages.append(read_page(pdf, i))
                if i + 1 in scanned:
                    pages[-1].ink = pdf_scan.read_scan(pages[-1], _render(pdf, i))
            except pdfium.PdfiumError as e:
                raise UnreadableFile(f"{name}: page {i + 1} of the PDF is damaged and cannot be read ({e}); "
                                     "ask the agency to send the file again", code="corrupt_file") from e
            if time.monotonic() > deadline:
                raise FileLimitExceeded(
                    f"{name}: reading it took longer than {limits.seconds_per_file:g} s (limits.seconds_per_file) "
                    f"and was stopped at page {i + 1}; ask the agency to send it again (a text PDF or Word file), "
                    "or raise the limit")
        return pages
    finally:
        pdf.close()


def _render(pdf: pdfium.PdfDocument, index: int):
    """Page ``index`` as a grey image at pdf_scan.DPI (numpy array, rows from the top)."""
    page = pdf[index]
    try:
        gray = page.render(scale=pdf_scan.DPI / 72, grayscale=True).to_numpy()
    finally:
        page.close()
    return gray.reshape(gray.shape[:2])


# ---- assembling the document ---------------------------------------------------------------------------

def _assemble(path: Path, pages: list[PageContent]) -> RawDocument:
    """Lay out every page, drop running headers and footers, join tables split by page breaks."""
    laid = []
    for page in pages:
        tables = find_tables(page)
        apply_fills(page, tables)
        if page.ink is not None:
            # tesseract reads a border it sits on as '|', 'l' or '_': not text anyone wrote
            page.tokens = [t for t in page.tokens if not pdf_scan.on_ruling(t, page)]
        outside = make_lines(assign(page, tables))
        for table in tables:
            fill_cells(table)
            if page.ink is not None:
                pdf_scan.find_marks(table, page.ink)
        laid.append((page, tables, outside))
    furniture = _running_lines([(page, lines) for page, _, lines in laid])
    items: list[tuple[int, float, object]] = []
    for page, tables, lines in laid:
        lines = [line for line in lines if id(line) not in furniture]
        body = sorted([(t.bbox[1], t) for t in tables] + [(line.top, line) for line in lines], key=lambda x: x[0])
        right = page.width - min((t.x0 for t in page.tokens if t.text.strip()), default=72.0)
        run: list[Line] = []
        for _, item in body:
            if isinstance(item, Line):
                run.append(item)
                continue
            items.extend((page.number, p.lines[0].top, p) for p in make_paras(run, page.number, right))
            run = []
            items.append((page.number, item.bbox[1], item))
        items.extend((page.number, p.lines[0].top, p) for p in make_paras(run, page.number, right))
    foot = max((bottom for page, tables, lines in laid for bottom in
                [t.bbox[3] for t in tables] + [line.bottom for line in lines if id(line) not in furniture]), default=0.0)
    blocks = []
    for page_no, _, item in _join_page_breaks(items, foot):
        if isinstance(item, Para):
            blocks.extend(_paragraphs(item))
        else:
            blocks.append(_table(item, sum(1 for b in blocks if isinstance(b, Table))))
    # sticky notes and free-text boxes are reviewers' remarks: comments, never answer text
    comments = [Comment(author=n.author, date=n.date, text=n.text, location=Location(page=n.page, bbox=n.bbox))
                for page in pages for n in page.notes]
    return RawDocument(file=path.name, format="pdf", blocks=blocks, comments=comments)


def _running_lines(pages: list[tuple[PageContent, list[Line]]]) -> set[int]:
    """Lines in the top or bottom margin that are page numbers, or repeat at one place on most pages."""
    seen: dict[str, list[tuple[int, float]]] = {}
    for page, lines in pages:
        for line in lines:
            seen.setdefault(_shape(line.text), []).append((page.number, line.top))
    need = max(2, math.ceil(len(pages) / 2))
    found: set[int] = set()
    for page, lines in pages:
        for line in lines:
            if MARGIN_ZONE * page.height < line.top and line.bottom < (1 - MARGIN_ZONE) * page.height:
                continue
            same = {n for n, top in seen[_shape(line.text)] if abs(top - line.top) <= 3}
            if _PAGE_NUMBER.match(line.text.strip().lower()) or (len(pages) >= 2 and len(same) >= need):
                found.add(id(line))
    return found


def _shape(text: str) -> str:
    """A line's text with digits blurred, so 'Page 2 of 5' and 'Page 3 of 5' count as one running line."""
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _join_page_breaks(items, foot: float):
    """A table that ends a page and one that starts the next with the same columns are one table.

    The continuing table's first row is dropped when it repeats the header row; it is merged into the last
    row when that row was cut by the break (see _carries_on). ``foot`` is the lowest body content on any page.
    """
    out: list = []
    part_bottom: dict[int, float] = {}  # joined table -> bottom of its part on the latest page
    for n, (page_no, top, item) in enumerate(items):
        prev = out[-1][2] if out else None
        starts_page = n == 0 or items[n - 1][0] != page_no
        if (isinstance(item, TableDraft) and isinstance(prev, TableDraft) and starts_page
                and prev.pages[-1] == page_no - 1 and _same_columns(prev, item)):
            _continue_table(prev, item, foot - part_bottom.get(id(prev), prev.bbox[3]))
            part_bottom[id(prev)] = item.bbox[3]
            continue
        if isinstance(item, Para) and isinstance(prev, Para) and starts_page and prev.pages[-1] == page_no - 1 \
                and wraps(prev.lines[-1], item.lines[0], prev.right):
            prev.lines.extend(item.lines)
            prev.pages.append(page_no)
            continue
        out.append((page_no, top, item))
    return out


def _same_columns(a: TableDraft, b: TableDraft) -> bool:
    return len(a.xs) == len(b.xs) and all(abs(x - y) <= 3 for x, y in zip(a.xs, b.xs))


def _row_text(row: list[CellDraft]) -> tuple[str, ...]:
    return tuple(" ".join(cell.text.lower().split()) for cell in row)


def _continue_table(first: TableDraft, more: TableDraft, room: float) -> None:
    """Append ``more`` (the next page's part) to ``first``; ``room`` is the space left below ``first``'s part."""
    rows = list(more.rows)
    if rows and first.rows and _row_text(rows[0]) == _row_text(first.rows[0]) and any(_row_text(rows[0])):
        rows = rows[1:]
    if rows and first.rows:
        last, carried = first.rows[-1], rows[0]
        label = min(carried, key=lambda c: c.col)
        if (not label.text and not label.marks and [(c.col, c.col_span) for c in last] == [(c.col, c.col_span) for c in carried]
                and _carries_on(last, carried, room)):
            for old, new in zip(last, carried):
                _join_cell(old, new)
            rows = rows[1:]
    for row in rows:
        for cell in row:
            cell.row = len(first.rows)
        first.rows.append(row)
    first.pages.append(more.page)


def _carries_on(last: list[CellDraft], carried: list[CellDraft], room: float) -> bool:
    """Is ``carried`` (a row starting a page with an empty label cell) the rest of ``last``, cut by the break?

    Yes when a cell's paragraph runs on across the break. No when a column that was empty above has text now
    (nothing there to continue), or when the row's first text column (the question, in an audit form) starts a
    paragraph of its own: that is a new row whose label cell is empty, e.g. a section label merged down from
    the row above. Otherwise (only later columns carry on) yes, unless the row above ended with room for more
    lines before the foot of the page, i.e. it was not cut at all.
    """
    pairs = list(zip(last, carried))[1:]  # the label column is empty in ``carried`` by the caller's test
    if any(_runs_on(old, new) for old, new in pairs):
        return True
    if any((new.paras or new.marks) and not (old.paras or old.marks) for old, new in pairs):
        return False
    first = next((new for old, new in pairs if old.paras), None)
    if first is not None and first.paras:
        return False
    lines = [p.lines[0] for c in carried for p in c.paras[:1]]
    height = max((line.height for line in lines), default=12.0)
    # Word and LibreOffice keep up to two lines together (widow control); more room than that means no cut
    return room < 2.5 * height


def _runs_on(old: CellDraft, new: CellDraft) -> bool:
    """Does ``new``'s first paragraph continue ``old``'s last one (a soft wrap, or a sentence going on)?"""
    if not (old.paras and new.paras):
        return False
    before, after = old.paras[-1].lines[-1], new.paras[0].lines[0]
    if wraps(before, after, old.paras[-1].right):
        return True
    return after.text[:1].islower() and not before.text.rstrip().endswith((".", "?", "!", ":"))


def _join_cell(old: CellDraft, new: CellDraft) -> None:
    """Append a cell's continuation; a paragraph cut by the break (a soft wrap) becomes one paragraph again."""
    paras = list(new.paras)
    if old.paras and paras and wraps(old.paras[-1].lines[-1], paras[0].lines[0], old.paras[-1].right):
        old.paras[-1].lines.extend(paras[0].lines)
        old.paras[-1].pages.append(new.page)
        paras = paras[1:]
    old.paras.extend(paras)
    old.marks.extend(new.marks)
    if new.paras or new.marks:
        old.pages.append(new.page)


# ---- drafts -> models ------------------------------------------------------------------------------------

def _box(lines: list[Line]) -> tuple[float, float, float, float]:
    return (round(min(line.x0 for line in lines), 2), round(min(line.top for line in lines), 2),
            round(max(line.x1 for line in lines), 2), round(max(line.bottom for line in lines), 2))


def _paragraphs(para: Para) -> list[Paragraph]:
    """One Paragraph per paragraph; a multi-line form field value gives one Paragraph per line, as Word does."""
    pages = sorted(set(para.pages))
    location = Location(page=para.page, bbox=_box(para.lines[: _first_page_count(para)]),
                        pages=pages if len(pages) > 1 else None)
    tokens = [t for line in para.lines for t in line.tokens]
    checkboxes = [t.checkbox for t in tokens if t.checkbox is not None]
    tags = list(dict.fromkeys(t.tag for t in tokens if t.tag))
    text, formats = para_styled(para)
    out, start = [], 0
    for i, piece in enumerate(text.split("\n")):
        cut = len(piece) - len(piece.lstrip())
        stripped = piece.strip()
        spans = _spans(formats[start + cut:start + cut + len(stripped)], stripped) if formats else []
        out.append(Paragraph(text=stripped, tags=tags, checkboxes=checkboxes if i == 0 else [], location=location,
                             spans=spans))
        start += len(piece) + 1
    return out


def _spans(formats: list[Format], text: str) -> list[Span]:
    """Runs of struck characters as 'strike' spans and of highlighted ones as 'emphasis' spans
    (detail 'shading:<hex>', as a Word run shading reads), over ``text``."""
    spans = []
    for style, key in (("strike", lambda f: f[0] or None), ("emphasis", lambda f: f[1])):
        i = 0
        while i < len(formats):
            value = key(formats[i])
            j = i
            while j < len(formats) and key(formats[j]) == value:
                j += 1
            if value and text[i:j].strip():
                spans.append(Span(start=i, end=j, style=style, detail="" if style == "strike" else f"shading:{value}"))
            i = j
    return sorted(spans, key=lambda s: (s.start, s.style))


def _first_page_count(para: Para) -> int:
    """How many of a paragraph's lines sit on its first page (lines run top-down, and restart at a new page)."""
    count = 1
    for prev, line in zip(para.lines, para.lines[1:]):
        if line.top < prev.top:
            break
        count += 1
    return count


def _clip(para: Paragraph, cell: tuple[float, float, float, float]) -> Paragraph:
    """Keep a cell paragraph's box inside its cell (font ascenders can poke above the ruling)."""
    x0, top, x1, bottom = para.location.bbox
    box = (max(x0, cell[0]), max(top, cell[1]), min(x1, cell[2]), min(bottom, cell[3]))
    return para.model_copy(update={"location": para.location.model_copy(update={"bbox": tuple(round(v, 2) for v in box)})})


def _table(draft: TableDraft, index: int) -> Table:
    rows = []
    for r, row in enumerate(draft.rows):
        cells = []
        for c in row:
            # paragraphs carried over from a later page keep their own page's box
            blocks = [_clip(p, c.bbox) if p.location.page == c.page else p
                      for para in c.paras for p in _paragraphs(para)]
            if c.marks and not any(b.text for b in blocks):
                # a drawn tick in a cell with no text is the mark a reader sees as 'chosen'
                x0 = min(m[0] for m in c.marks)
                box = (x0, min(m[1] for m in c.marks), max(m[2] for m in c.marks), max(m[3] for m in c.marks))
                blocks = [Paragraph(text="", checkboxes=[Checkbox(checked=True, kind="drawn_mark")],
                                    location=Location(page=c.page, bbox=tuple(round(v, 2) for v in box)))]
            pages = sorted(set(c.pages))
            cells.append(Cell(row=r, col=c.col, col_span=c.col_span, row_span=c.row_span, blocks=blocks,
                              shading=c.shading,
                              location=Location(page=c.page, bbox=tuple(round(v, 2) for v in c.bbox),
                                                pages=pages if len(pages) > 1 else None,
                                                table=index, row=r, col=c.col)))
        rows.append(Row(cells=cells))
    pages = sorted(set(draft.pages))
    return Table(rows=rows, location=Location(page=draft.page, bbox=tuple(round(v, 2) for v in draft.bbox),
                                              pages=pages if len(pages) > 1 else None, table=index))
