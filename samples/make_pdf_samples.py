"""Regenerate the PDF samples (samples/pdf-*.pdf) from code; all content is fictional.

Run:  .venv/bin/python samples/make_pdf_samples.py [outdir]

Word-printed samples are built as .docx with python-docx and converted with LibreOffice (private profile);
the fillable (AcroForm) and drawn-tick samples are written as PDF objects by hand, so no extra dependency.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

HERE = Path(__file__).resolve().parent

HEADER_ROWS = [
    ("Name of auditor completing form:", "A. Example"),
    ("Name of your agency/organisation:", "Northfield Health Trust"),
    ("Name of practitioner involved in the case:", "B. Sample"),
    ("Date of audit:", "12/03/2026"),
]
QUESTION_ROWS = [
    ("PREVENTION /EARLY HELP/ THRESHOLDS",
     "1. How were opportunities for prevention/ early help considered and utilised?",
     ["Early help assessment offered on 02/02/2026.", "Family accepted support from the school nurse."]),
    ("b.", "2. How did this impact on the situation?", ["Attendance improved over the term."]),
    ("c.", "3. Has the child/adult always received the right level of support? Please explain.",
     ["Yes, reviewed monthly."]),
]
GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
LONG_ANSWER = [f"Note {i:02d}: fictional visit recorded." for i in range(1, 41)]


def _borders(table) -> None:
    """Give a table single borders on every edge, as the real tool has (python-docx's default has none)."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)


def _widths(table, inches: list[float]) -> None:
    for row in table.rows:
        for cell, width in zip(row.cells, inches):
            cell.width = Inches(width)


def _fill_cell(cell, lines: list[str]) -> None:
    cell.paragraphs[0].text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


def _page_field(paragraph, instr: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _base_document() -> Document:
    doc = Document()
    doc.styles["Normal"].font.name = "Liberation Sans"
    doc.styles["Normal"].font.size = Pt(10)
    doc.add_paragraph("West Midlands Regional Multi-Agency Audit Tool")
    doc.add_paragraph("Date: 12/03/2026")
    doc.add_paragraph("Theme: Neglect")
    header = doc.add_table(rows=0, cols=2)
    _borders(header)
    for label, value in HEADER_ROWS:
        cells = header.add_row().cells
        cells[0].text, cells[1].text = label, value
    doc.add_paragraph("Context questions:")
    return doc


def _grade_table(doc, grade: str) -> None:
    doc.add_paragraph("Please use the criteria above to give the case an overall grade:")
    table = doc.add_table(rows=0, cols=2)
    _borders(table)
    cells = table.add_row().cells
    cells[0].text, cells[1].text = "Grading", "Grade (X)"
    for name in GRADES:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = name, "X" if name == grade else ""


def word_form() -> Document:
    """One-page West Midlands-style form: header table, label | question | answer table, grade table."""
    doc = _base_document()
    table = doc.add_table(rows=0, cols=3)
    _borders(table)
    for label, question, answer in QUESTION_ROWS:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, question
        _fill_cell(cells[2], answer)
    _widths(table, [1.3, 2.4, 2.8])
    _grade_table(doc, "Good")
    return doc


def page_break_form() -> Document:
    """Multi-page form: running header and 'Page N of M' footer, a repeated table header, an answer over a break."""
    doc = _base_document()
    section = doc.sections[0]
    section.header.paragraphs[0].text = "OFFICIAL - SENSITIVE (fictional sample)"
    footer = section.footer.paragraphs[0]
    footer.text = "Page "
    _page_field(footer, "PAGE")
    footer.add_run(" of ")
    _page_field(footer, "NUMPAGES")
    table = doc.add_table(rows=1, cols=3)
    _borders(table)
    head = table.rows[0]
    head.cells[0].text, head.cells[1].text, head.cells[2].text = "Ref", "Question", "Answer"
    tr_pr = head._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    rows = [*QUESTION_ROWS[:2], ("c.", QUESTION_ROWS[2][1], LONG_ANSWER),
            ("d.", "4. If there is an escalation procedure, was it required and was it used appropriately?",
             ["Not required."])]
    for label, question, answer in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, question
        _fill_cell(cells[2], answer)
    _widths(table, [1.3, 2.4, 2.8])
    _grade_table(doc, "Requires improvement")
    return doc


def convert(docx: Path, outdir: Path, filter_options: dict | None = None) -> Path:
    """Convert with LibreOffice in a private profile; filter_options become writer_pdf_Export JSON options."""
    target = "pdf"
    if filter_options:
        target = "pdf:writer_pdf_Export:" + json.dumps(filter_options)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
             "--outdir", str(outdir), str(docx)],
            check=True, capture_output=True, timeout=180,
        )
    return outdir / (docx.stem + ".pdf")


# ---- hand-written PDFs -------------------------------------------------------------------------------

def _pdf_bytes(objects: list[bytes]) -> bytes:
    """Serialise numbered objects (1-based, object 1 is the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _grid(x_edges: list[float], y_edges: list[float]) -> bytes:
    """Content-stream ruling lines for a full grid (PDF coordinates, bottom-left origin)."""
    ops = [b"0.5 w"]
    for x in x_edges:
        ops.append(b"%.1f %.1f m %.1f %.1f l S" % (x, y_edges[0], x, y_edges[-1]))
    for y in y_edges:
        ops.append(b"%.1f %.1f m %.1f %.1f l S" % (x_edges[0], y, x_edges[-1], y))
    return b"\n".join(ops)


def _text(x: float, y: float, s: str, size: int = 10) -> bytes:
    s = s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"BT /F1 %d Tf %.1f %.1f Td (%s) Tj ET" % (size, x, y, s.encode("latin-1"))


def drawn_tick_pdf() -> bytes:
    """A grade table whose chosen grade is a drawn tick (a vector path), with no text in that cell."""
    xs, ys = [72, 300, 400], [700, 680, 660, 640, 620, 600]
    content = [_grid(xs, ys), _text(72, 740, "West Midlands Regional Multi-Agency Audit Tool", 12),
               _text(76, 686, "Grading"), _text(304, 686, "Grade")]
    for i, name in enumerate(GRADES):
        content.append(_text(76, 666 - 20 * i, name))
    # tick in the 'Good' row (second grade row: between y=660 and y=640)
    content.append(b"1.2 w 340 650 m 346 644 l 360 658 l S")
    page = b"\n".join(content)
    return _pdf_bytes([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(page),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ])


def acroform_pdf() -> bytes:
    """A fillable form: header text fields, answer fields inside a question table, grade checkboxes, a radio group."""
    xs_head, ys_head = [72, 260, 520], [760, 740, 720]
    xs_q, ys_q = [72, 110, 300, 520], [690, 650, 610]
    xs_g, ys_g = [72, 300, 400], [580, 560, 540, 520, 500]
    content = [_grid(xs_head, ys_head), _grid(xs_q, ys_q), _grid(xs_g, ys_g),
               _text(76, 746, "Name of auditor completing form:"), _text(76, 726, "Date of audit:"),
               _text(76, 676, "a."), _text(114, 676, "1. How were opportunities for prevention"),
               _text(114, 664, "considered and utilised?"),
               _text(76, 636, "b."), _text(114, 636, "2. How did this impact on the situation?")]
    for i, name in enumerate(GRADES):
        content.append(_text(76, 566 - 20 * i, name))
    content.append(_text(72, 470, "Case status:"))
    content.append(_text(160, 470, "Open"))
    content.append(_text(230, 470, "Closed"))
    page = b"\n".join(content)

    objects: list[bytes] = [b"", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"", _stream(page),
                            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    ap_on = len(objects) + 1
    objects.append(_stream(b"q 0 g 2 2 m 12 12 l 2 12 m 12 2 l S Q", b"/Type /XObject /Subtype /Form /BBox [0 0 14 14] "))
    ap_off = len(objects) + 1
    objects.append(_stream(b"", b"/Type /XObject /Subtype /Form /BBox [0 0 14 14] "))
    fields: list[int] = []
    annots: list[int] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def text_field(name: str, rect: tuple, value: str) -> None:
        v = value.replace("(", "\\(").replace(")", "\\)").encode("latin-1")
        n = add(b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (%s) /V (%s) /Rect [%d %d %d %d] /P 3 0 R "
                b"/DA (/F1 10 Tf 0 g) /F 4 /Ff 4096 >>" % (name.encode(), v, *rect))
        fields.append(n)
        annots.append(n)

    def checkbox(name: str, rect: tuple, on: bool) -> None:
        state = b"/Yes" if on else b"/Off"
        n = add(b"<< /Type /Annot /Subtype /Widget /FT /Btn /T (%s) /V %s /AS %s /Rect [%d %d %d %d] /P 3 0 R "
                b"/F 4 /AP << /N << /Yes %d 0 R /Off %d 0 R >> >> >>" % (name.encode(), state, state, *rect, ap_on, ap_off))
        fields.append(n)
        annots.append(n)

    text_field("auditor", (262, 722 + 20, 518, 758), "A. Example")
    text_field("date_of_audit", (262, 722, 518, 738), "12/03/2026")
    text_field("q1_answer", (302, 652, 518, 688), "Early help offered (fictional).")
    text_field("q2_answer", (302, 612, 518, 648), "Attendance improved.")
    for i, name in enumerate(GRADES):
        top = 580 - 20 * i
        checkbox(f"grade_{name.lower().replace(' ', '_')}", (343, top - 17, 357, top - 3), name == "Good")
    # radio group: parent field with two kids
    parent = add(b"")
    kids = []
    for i, (export, on) in enumerate([(b"Open", False), (b"Closed", True)]):
        state = b"/" + export if on else b"/Off"
        x = 145 + 70 * i
        kid = add(b"<< /Type /Annot /Subtype /Widget /Parent %d 0 R /AS %s /Rect [%d 467 %d 481] /P 3 0 R /F 4 "
                  b"/AP << /N << /%s %d 0 R /Off %d 0 R >> >> >>" % (parent, state, x, x + 14, export, ap_on, ap_off))
        kids.append(kid)
        annots.append(kid)
    objects[parent - 1] = (b"<< /FT /Btn /Ff 49152 /T (case_status) /V /Closed /Kids [%s] >>"
                           % b" ".join(b"%d 0 R" % k for k in kids))
    fields.append(parent)
    objects[0] = (b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%s] /DA (/F1 10 Tf 0 g) "
                  b"/DR << /Font << /F1 5 0 R >> >> /NeedAppearances true >> >>"
                  % b" ".join(b"%d 0 R" % f for f in fields))
    objects[2] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                  b"/Resources << /Font << /F1 5 0 R >> >> /Annots [%s] >>" % b" ".join(b"%d 0 R" % a for a in annots))
    return _pdf_bytes(objects)


def main(outdir: Path = HERE) -> list[Path]:
    """Write every sample into outdir and return their paths."""
    if shutil.which("soffice") is None:
        sys.exit("soffice not found: install the Debian package libreoffice-writer")
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, build in [("pdf-word-form", word_form), ("pdf-page-break", page_break_form)]:
            docx = tmp / f"{name}.docx"
            build().save(docx)
            pdf = convert(docx, tmp)
            written.append(Path(shutil.copy(pdf, outdir / f"{name}.pdf")))
        docx = tmp / "pdf-encrypted-user.docx"
        word_form().save(docx)
        pdf = convert(docx, tmp, {"EncryptFile": {"type": "boolean", "value": "true"},
                                  "DocumentOpenPassword": {"type": "string", "value": "fictional"}})
        written.append(Path(shutil.copy(pdf, outdir / "pdf-encrypted-user.pdf")))
        docx = tmp / "pdf-encrypted-owner.docx"
        word_form().save(docx)
        pdf = convert(docx, tmp, {"RestrictPermissions": {"type": "boolean", "value": "true"},
                                  "PermissionPassword": {"type": "string", "value": "fictional"},
                                  "Printing": {"type": "long", "value": "0"},
                                  "Changes": {"type": "long", "value": "0"}})
        written.append(Path(shutil.copy(pdf, outdir / "pdf-encrypted-owner.pdf")))
    for name, data in [("pdf-drawn-tick", drawn_tick_pdf()), ("pdf-acroform", acroform_pdf())]:
        path = outdir / f"{name}.pdf"
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(p)
