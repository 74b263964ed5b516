"""PDF extractor: a printed or fillable audit form as the same blocks a Word form gives (models.raw).

Tables come from ruling lines, text from pypdfium2 character boxes, form values from the AcroForm widgets,
and pages with no text layer from OCRmyPDF (extractors.ocr). Answers split by a page break are joined back;
running headers, footers, page numbers and repeated table headers are dropped. See docs/pdf-extraction.md.
"""

from __future__ import annotations

import math
import re
import tempfile
import threading
import time
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors import ocr, ocr_cleanup, pdf_marks, pdf_scan, scan_turn
from extractors.pdf_layout import (
    CellDraft, Format, Line, Para, TableDraft, apply_fills, assign, fill_cells, find_cell, find_tables, make_lines,
    make_paras, para_styled, style_index, wraps,
)
from extractors.pdf_page import Note, PageContent, Token, read_page
from models.errors import FileLimitExceeded, UnreadableFile, UnsupportedFormat
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
    with tempfile.TemporaryDirectory(prefix="maap-upright-") as tmp:
        upright = Path(tmp) / "upright.pdf"
        with _PDFIUM:
            turns = scan_turn.upright_copy(path, needs_ocr, upright)
        with ocr.ocr_pdf(upright if turns else path, limits, name=path.name) as result:
            with _PDFIUM:
                pages = _read(result.path, limits, name=path.name, scanned=set(needs_ocr),
                              deadline=start + limits.seconds_per_file)
            raw = _assemble(path, pages, ocr_pages=set(needs_ocr))
    raw.ocr = True
    if turns:
        raw.warnings.append("scanned page(s) set upright before OCR: " + ", ".join(
            f"page {n} {turn.describe()}" for n, turn in sorted(turns.items())))
    still_blank = [p.number for p in pages if p.text_chars == 0 and p.images > 0]
    if still_blank:
        raw.warnings.append(f"no text recognised on scanned page(s) {', '.join(map(str, still_blank))}")
    garbage = [p.number for p in pages if p.number in needs_ocr and p.number not in still_blank
               and _reads_as_garbage(p)]
    if garbage:
        raw.warnings.append(f"scanned page(s) {', '.join(map(str, garbage))} read as garbage even set upright: "
                            "ask the agency to scan them again (upright, in black and white, 300 dpi)")
    raw.low_confidence_pages = sorted(set(result.low_confidence_pages) | set(garbage))
    return raw


def _reads_as_garbage(page: PageContent) -> bool:
    """Is most of an OCR'd page's text not words (a page OCR could not read: upside down, blurred, noise)?"""
    share, counted = ocr_cleanup.readable_share(pdf_scan.word_texts(page.tokens))
    return counted >= ocr_cleanup.GARBAGE_WORDS and share < ocr_cleanup.GARBAGE


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
        form_type = pdfium_c.FPDF_GetFormType(pdf.raw)
        if form_type == pdfium_c.FORMTYPE_XFA_FULL:
            # a dynamic XFA (LiveCycle) form lays its pages out from XML only Adobe Reader runs: pdfium shows a
            # "Please wait..." page, and the answers have no place on any page to be read from
            raise UnsupportedFormat(
                f"{name}: this PDF is an XFA form (Adobe LiveCycle), which maap cannot read; ask the agency to "
                "print it to PDF (File > Print > Microsoft Print to PDF) or to send the Word file")
        with _quiet_pdfium():
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
        if form_type == pdfium_c.FORMTYPE_XFA_FOREGROUND and pages:
            _check_xfa_data(pdf, pages)
        return pages
    finally:
        pdf.close()


class _quiet_pdfium:
    """Silence pypdfium2's log line that its build cannot run XFA (a static XFA form is read without it)."""

    def __enter__(self):
        import logging

        self.logger = logging.getLogger("pypdfium2")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)

    def __exit__(self, *exc):
        self.logger.setLevel(self.level)


def _xfa_values(pdf: pdfium.PdfDocument) -> list[tuple[str, str]] | None:
    """(field name, value) for every filled field in a static XFA form's data packet; None when unreadable."""
    import ctypes

    from defusedxml import ElementTree

    for i in range(pdfium_c.FPDF_GetXFAPacketCount(pdf.raw)):
        size = pdfium_c.FPDF_GetXFAPacketName(pdf.raw, i, None, 0)
        label = ctypes.create_string_buffer(size)
        pdfium_c.FPDF_GetXFAPacketName(pdf.raw, i, label, size)
        if label.value != b"datasets":
            continue
        length = ctypes.c_ulong()
        pdfium_c.FPDF_GetXFAPacketContent(pdf.raw, i, None, 0, length)
        data = ctypes.create_string_buffer(length.value)
        pdfium_c.FPDF_GetXFAPacketContent(pdf.raw, i, data, length.value, length)
        try:
            root = ElementTree.fromstring(data.raw[: length.value])
        except Exception:  # noqa: BLE001 - malformed or hostile XML (entities): reported as not understood
            return None
        return [(el.tag.rpartition("}")[2], " ".join(el.text.split())) for el in root.iter()
                if len(el) == 0 and el.text and el.text.strip()]
    return []


def _field_leaf(name: str) -> str:
    """'form1[0].#subform[0].Name[0]' -> 'Name': an AcroForm field's name as its XFA data element is named."""
    return re.sub(r"\[\d+\]", "", name).rpartition(".")[2]


_OFF = {"", "0", "off", "false", "no", "n"}


def _check_xfa_data(pdf: pdfium.PdfDocument, pages: list[PageContent]) -> None:
    """A static XFA form keeps its answers twice, in the XFA data and in the form fields maap reads; a viewer
    other than Adobe Reader may update only one. Values in the data that no form field shows are counted as
    content not understood (on the first page), so the record is flagged for a reader to check the original."""
    values = _xfa_values(pdf)
    unread = pages[0].unknown
    if values is None:
        unread["XFA form data (unreadable XML)"] = 1
        return
    shown: dict[str, set[str]] = {}
    for page in pages:
        for t in page.tokens:
            if t.tag is None:
                continue
            leaf = _field_leaf(t.tag)
            if t.checkbox is not None:
                on = t.checkbox.checked
                export = t.checkbox.label.partition("=")[2]
                shown.setdefault(leaf, set()).update({export.lower()} if on and export else {"1", "on", "yes"} if on else _OFF)
            else:
                shown.setdefault(leaf, set()).add(" ".join(t.text.split()).lower())
    missing = sum(1 for leaf, value in values if leaf in shown and value.lower() not in shown[leaf]
                  and not (value.lower() in _OFF and shown[leaf] <= _OFF | {""}))
    orphans = sum(1 for leaf, _ in values if leaf not in shown)
    if missing:
        unread["XFA form data that differs from the form fields"] = missing
    if orphans:
        unread["XFA form data with no form field"] = orphans


def _render(pdf: pdfium.PdfDocument, index: int):
    """Page ``index`` as a grey image at pdf_scan.DPI (numpy array, rows from the top)."""
    page = pdf[index]
    try:
        gray = page.render(scale=pdf_scan.DPI / 72, grayscale=True).to_numpy()
    finally:
        page.close()
    return gray.reshape(gray.shape[:2])


# ---- assembling the document ---------------------------------------------------------------------------

def _assemble(path: Path, pages: list[PageContent], ocr_pages: set[int] = frozenset()) -> RawDocument:
    """Lay out every page, drop running headers and footers, join tables split by page breaks; the text of
    ``ocr_pages`` is cleaned of OCR misreadings (extractors.ocr_cleanup), counted in the warnings."""
    laid = []
    unknown: dict[str, int] = {}
    remarks: list[Note] = []
    for page in pages:
        tables = find_tables(page)
        apply_fills(page, tables)
        remarks += _place_typed(page, tables)
        tables, unread = pdf_marks.read_marks(page, tables)  # drawn tick boxes, ticks and crosses
        for name, n in [*unread.items(), *_place_ink(page, tables).items()]:
            unknown[name] = unknown.get(name, 0) + n
        if page.ink is not None:
            # tesseract reads a border it sits on as '|', 'l' or '_': not text anyone wrote
            page.tokens = pdf_scan.drop_rulings(page.tokens, page)
        styles = style_index(page)
        outside = make_lines(assign(page, tables), styles)
        for table in tables:
            fill_cells(table, styles)
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
    joined = _join_page_breaks(items, foot)
    corrected = _clean_ocr_text([item for _, _, item in joined], ocr_pages) if ocr_pages else 0
    blocks = []
    for page_no, _, item in joined:
        if isinstance(item, Para):
            blocks.extend(_paragraphs(item))
        else:
            blocks.append(_table(item, sum(1 for b in blocks if isinstance(b, Table))))
    # sticky notes, callouts and free text placed on no line of the form are remarks: comments, never answers
    comments = [Comment(author=n.author, date=n.date, text=n.text, location=Location(page=n.page, bbox=n.bbox))
                for n in sorted([n for page in pages for n in page.notes] + remarks, key=lambda n: (n.page, n.bbox[1]))]
    for page in pages:
        for name, n in page.unknown.items():
            unknown[name] = unknown.get(name, 0) + n
    warnings = [f"OCR clean-up corrected {corrected} word(s) (joined words, stray accents, letters misread, "
                "words hyphenated at a line break)"] if corrected else []
    return RawDocument(file=path.name, format="pdf", blocks=blocks, comments=comments, unknown=unknown,
                       warnings=warnings)


def _clean_ocr_text(items: list, ocr_pages: set[int]) -> int:
    """Clean every paragraph (in tables too) that starts on an OCR'd page; returns the words changed."""
    paras = []
    for item in items:
        if isinstance(item, Para):
            paras.append(item)
        else:
            paras += [p for row in item.rows for cell in row for p in cell.paras]
    return sum(ocr_cleanup.clean_para(p) for p in paras if p.page in ocr_pages)


# A line of typed free text takes about this many times its font size from the top of its box.
LINE_SPACING = 1.25


def _place_typed(page: PageContent, tables: list[TableDraft]) -> list[Note]:
    """Free text typed onto the page (Fill & Sign, a viewer's "add text") as answer text where it was typed;
    returns those that are remarks instead (comments).

    Inside a table cell it is that cell's text, read in order with what the cell prints. Outside every cell it
    joins the body when it was typed onto a line of the form: the typewriter tool's text, text level with a
    printed line ("Date of audit: 12/03/2026"), or text on a fill-in line or over a form field. A box floating
    anywhere else (a margin, the gap between two paragraphs of guidance) is kept as a comment: a remark is
    never read into an answer, and a comment stays in the record for a reader to see.
    """
    remarks = []
    for typed in page.typed:
        x0, top, x1, bottom = typed.note.bbox
        lines = typed.note.text.count("\n") + 1
        # the box can be drawn larger than its text: the text starts at its top
        box = (x0, top, x1, min(bottom, top + lines * LINE_SPACING * typed.size))
        first = (top, min(bottom, top + LINE_SPACING * typed.size))
        start = (x0 + min(typed.size, (x1 - x0) / 2), (first[0] + first[1]) / 2)  # where its first letter sits
        in_cell = find_cell(tables, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2) or find_cell(tables, *start)
        if in_cell is None and not (typed.typewriter or _on_a_line(page, box, first)):
            remarks.append(typed.note)
            continue
        page.tokens.append(Token(typed.note.text, *box, widget=True))
    return remarks


def _on_a_line(page: PageContent, box, first: tuple[float, float]) -> bool:
    """Is typed text at ``box`` level with printed text, on a fill-in line, or over a form field?"""
    for t in page.tokens:
        cy = (t.top + t.bottom) / 2
        if t.widget and t.x0 < box[2] and box[0] < t.x1 and t.top < box[3] and box[1] < t.bottom:
            return True
        if not t.widget and t.text.strip() and first[0] <= cy <= first[1]:
            return True
    height = first[1] - first[0]
    return any(first[0] <= y <= first[1] + 0.5 * height and a < box[2] and box[0] < b for y, a, b in page.h_edges)


def _place_ink(page: PageContent, tables: list[TableDraft]) -> dict[str, int]:
    """A small ink stroke (a tick drawn with a pen tool) in a table cell that prints no text is a drawn mark,
    as a vector tick is; one anywhere else is counted as content not understood, never dropped unseen."""
    unread: dict[str, int] = {}
    for mark in page.inked:
        cell = find_cell(tables, (mark[0] + mark[2]) / 2, (mark[1] + mark[3]) / 2)
        if cell is not None and not any(t.text.strip() for t in page.tokens
                                        if find_cell(tables, (t.x0 + t.x1) / 2, (t.top + t.bottom) / 2) is cell):
            page.marks.append(mark)
        else:
            unread["annotation /Ink"] = unread.get("annotation /Ink", 0) + 1
    return unread


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


def _emphasis(f: Format) -> str | None:
    """A character's emphasis as a Word run's reads ('bold', 'shading:<hex>', 'color:<hex>', joined by '+')."""
    parts = [p for p in ("bold" if f[2] else "", f"shading:{f[1]}" if f[1] else "", f"color:{f[3]}" if f[3] else "") if p]
    return "+".join(parts) or None


def _spans(formats: list[Format], text: str) -> list[Span]:
    """Runs of struck characters as 'strike' spans and of emphasised ones (bold, highlighted, coloured) as
    'emphasis' spans, detailed as a Word run's formatting reads, over ``text``."""
    spans = []
    for style, key in (("strike", lambda f: f[0] or None), ("emphasis", _emphasis)):
        i = 0
        while i < len(formats):
            value = key(formats[i])
            j = i
            while j < len(formats) and key(formats[j]) == value:
                j += 1
            if value and text[i:j].strip():
                spans.append(Span(start=i, end=j, style=style, detail="" if style == "strike" else value))
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
