"""Build the Word samples (samples/word-*.docx, and .doc/.rtf/.odt via LibreOffice) from Word-faithful XML.

Run ``python samples/make_word_samples.py`` from the repository root to regenerate them. Every name,
agency and answer is fictional. The XML follows what Word writes: w14 namespaces and mc:Ignorable,
sdtPr/sdtContent, fldChar begin/separate/end with w:ffData, w:ins/w:del with author and date, and a
comments part with its relationship and content type. Tests import ``write_docx`` and the helpers to
build edge cases in a temporary folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
NAMESPACES = (
    'xmlns:wpc="http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:wp14="http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word" '
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" '
    'xmlns:wpg="http://schemas.microsoft.com/office/word/2010/wordprocessingGroup" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
    'mc:Ignorable="w14 w15 wp14"'
)
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DATE = "2026-03-02T10:15:00Z"

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {NAMESPACES}>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>
<w:pPr><w:keepNext/><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/>
<w:pPr><w:ind w:left="720"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/>
<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="AuditBullet"><w:name w:val="Audit Bullet"/><w:basedOn w:val="ListBullet"/></w:style>
<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/></w:style>
<w:style w:type="character" w:styleId="PlaceholderText"><w:name w:val="Placeholder Text"/><w:rPr><w:color w:val="808080"/></w:rPr></w:style>
</w:styles>"""

NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering {NAMESPACES}>
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>
<w:lvlText w:val="\uf0b7"/><w:lvlJc w:val="left"/><w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol" w:hint="default"/></w:rPr></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
<w:lvlText w:val="%1."/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>"""


# ---- XML building helpers (Word's shapes, small enough to read) -----------------------------------

def r(text: str = "", rpr: str = "") -> str:
    """A run; tabs and line breaks in the text become w:tab and w:br as Word writes them."""
    inner = []
    for i, line in enumerate(text.split("\n")):
        if i:
            inner.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                inner.append("<w:tab/>")
            if piece:
                inner.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return f"<w:r>{'<w:rPr>' + rpr + '</w:rPr>' if rpr else ''}{''.join(inner)}</w:r>"


def p(*content: str, style: str = "", num: int | None = None, mark: str = "") -> str:
    """A paragraph of runs (plain strings become runs)."""
    ppr = ""
    if style or num is not None or mark:
        ppr = "<w:pPr>"
        ppr += f'<w:pStyle w:val="{style}"/>' if style else ""
        ppr += f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr>' if num is not None else ""
        ppr += f"<w:rPr>{mark}</w:rPr>" if mark else ""
        ppr += "</w:pPr>"
    runs = "".join(c if c.startswith("<") else r(c) for c in content)
    return f'<w:p w14:paraId="1A2B3C4D" w14:textId="77777777" w:rsidR="00A1B2C3" w:rsidRDefault="00A1B2C3">{ppr}{runs}</w:p>'


def tc(*blocks: str, width: int = 3000, span: int = 1, vmerge: str | None = None) -> str:
    """A table cell; vmerge is 'restart', 'continue' (written as Word does: no value) or None."""
    pr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    pr += f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    pr += {"restart": '<w:vMerge w:val="restart"/>', "continue": "<w:vMerge/>", None: ""}[vmerge]
    body = "".join(b if b.startswith("<") else p(b) for b in blocks) or p()
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{body}</w:tc>"


def tr(*cells: str, props: str = "") -> str:
    return f'<w:tr w:rsidR="00A1B2C3">{"<w:trPr>" + props + "</w:trPr>" if props else ""}{"".join(cells)}</w:tr>'


def tbl(*rows: str, grid: tuple[int, ...] = (3000, 3000, 3000)) -> str:
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            f'<w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>{cols}</w:tblGrid>{"".join(rows)}</w:tbl>')


def sdt(content: str, tag: str = "", alias: str = "", placeholder: bool = False, kind: str = "<w:text/>") -> str:
    """A content control around content (runs, paragraphs, rows or cells: Word uses one element for all)."""
    pr = f'<w:alias w:val="{alias}"/>' if alias else ""
    pr += f'<w:tag w:val="{tag}"/>' if tag else ""
    pr += '<w:id w:val="-1427768115"/>'
    pr += '<w:placeholder><w:docPart w:val="DefaultPlaceholder_-1854013440"/></w:placeholder>' if placeholder else ""
    pr += "<w:showingPlcHdr/>" if placeholder else ""
    return f"<w:sdt><w:sdtPr>{pr}{kind}</w:sdtPr><w:sdtEndPr/><w:sdtContent>{content}</w:sdtContent></w:sdt>"


def placeholder_run(text: str = "Click or tap here to enter text.") -> str:
    return r(text, '<w:rStyle w:val="PlaceholderText"/>')


def checkbox_sdt(checked: bool | None, tag: str = "", glyph: str | None = None) -> str:
    """A w14:checkbox content control showing ☒/☐ in MS Gothic; checked=None leaves out w14:checked."""
    state = "" if checked is None else f'<w14:checked w14:val="{int(checked)}"/>'
    kind = (f'<w14:checkbox>{state}<w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
            f'<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox>')
    shown = glyph if glyph is not None else ("☒" if checked else "☐")
    return sdt(r(shown, '<w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic" w:hint="eastAsia"/>'),
               tag=tag, kind=kind)


def field(ff_data: str, instr: str, result: str | None) -> str:
    """A legacy form field: begin (with w:ffData), the code, and the result runs between separate and end."""
    out = f'<w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Field1"/><w:enabled/><w:calcOnExit w:val="0"/>{ff_data}</w:ffData></w:fldChar></w:r>'
    out += f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
    if result is not None:
        out += '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + r(result)
    return out + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def formtext(result: str) -> str:
    return field("<w:textInput/>", "FORMTEXT", result)


def formcheckbox(state: str) -> str:
    """state is the inside of w:checkBox after the size, e.g. '<w:checked/>' or '<w:default w:val="1"/>'."""
    return field(f'<w:checkBox><w:sizeAuto/>{state}</w:checkBox>', "FORMCHECKBOX", None)


def formdropdown(entries: list[str], result: int | None) -> str:
    chosen = f'<w:result w:val="{result}"/>' if result is not None else ""
    items = "".join(f'<w:listEntry w:val="{escape(e)}"/>' for e in entries)
    return field(f"<w:ddList>{chosen}{items}</w:ddList>", "FORMDROPDOWN", None)


def ins(content: str, rev: int = 1) -> str:
    return f'<w:ins w:id="{rev}" w:author="Reviewer A" w:date="{DATE}">{content}</w:ins>'


def deleted(text: str, rev: int = 2) -> str:
    return (f'<w:del w:id="{rev}" w:author="Reviewer A" w:date="{DATE}"><w:r>'
            f'<w:delText xml:space="preserve">{escape(text)}</w:delText></w:r></w:del>')


def textbox(text: str) -> str:
    """A floating text box as Word 2010+ writes it: a wps shape in mc:Choice, the same box as VML in mc:Fallback."""
    inner = p(text)
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" '
        'distL="114300" distR="114300" simplePos="0" relativeHeight="251659264" behindDoc="0" locked="0" '
        'layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column">'
        '<wp:posOffset>0</wp:posOffset></wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>0'
        '</wp:posOffset></wp:positionV><wp:extent cx="2360930" cy="1404620"/><wp:wrapSquare wrapText="bothSides"/>'
        '<wp:docPr id="217" name="Text Box 2"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:cNvSpPr txBox="1">'
        '<a:spLocks noChangeArrowheads="1"/></wps:cNvSpPr><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext '
        'cx="2360930" cy="1404620"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr>'
        f'<wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx><wps:bodyPr rot="0" vert="horz" wrap="square">'
        '<a:spAutoFit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
        '<mc:Fallback><w:pict><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,'
        'l21600,xe"/><v:shape id="Text Box 2" o:spid="_x0000_s1026" type="#_x0000_t202" style="position:absolute;'
        f'width:185.9pt;height:110.6pt"><v:textbox style="mso-fit-shape-to-text:t"><w:txbxContent>{inner}'
        '</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>'
    )


def picture() -> str:
    """An inline picture (a logo): a drawing with no text."""
    return ('<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="952500" cy="476250"/>'
            '<wp:docPr id="1" name="Picture 1"/><a:graphic><a:graphicData '
            'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="0" '
            'name="logo.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rId99"/></pic:blipFill>'
            '<pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')


def write_docx(path: Path, body: str, *, comments: str | None = None, styles: str = STYLES,
               numbering: str | None = NUMBERING, extra_parts: dict[str, bytes] | None = None,
               page_parts: dict[str, str] | None = None, section_refs: str = "") -> Path:
    """Write a minimal but complete Word package: content types, relationships, document, styles, numbering, comments.

    page_parts maps a relationship id to a part made by header_part/footer_part/notes_part (word/<id>.xml);
    section_refs goes into the last section's properties (see page_ref).
    """
    if body.endswith("</w:tbl>"):
        body += p()  # Word always ends a body with a paragraph; a table last breaks conversions to .doc
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {NAMESPACES}><w:body>{body}'
                f'<w:sectPr>{section_refs}<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" '
                'w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>')
    overrides = {
        "/word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "/word/styles.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml",
    }
    rels = [("rId1", "styles", "styles.xml")]
    parts = {"word/document.xml": document, "word/styles.xml": styles}
    if numbering:
        overrides["/word/numbering.xml"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
        rels.append(("rId2", "numbering", "numbering.xml"))
        parts["word/numbering.xml"] = numbering
    if comments is not None:
        overrides["/word/comments.xml"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
        rels.append(("rId3", "comments", "comments.xml"))
        parts["word/comments.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                      f"<w:comments {NAMESPACES}>{comments}</w:comments>")
    for rid, xml in (page_parts or {}).items():
        kind = xml[xml.index("<w:") + 3:].split(" ", 1)[0]  # hdr, ftr, footnotes or endnotes
        rel_type, content = _PAGE_PART_TYPES[kind]
        overrides[f"/word/{rid}.xml"] = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{content}+xml"
        rels.append((rid, rel_type, f"{rid}.xml"))
        parts[f"word/{rid}.xml"] = xml
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{k}" ContentType="{v}"/>' for k, v in overrides.items()) + "</Types>")
    package_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/></Relationships>')
    document_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="{i}" Type="{REL}/{t}" Target="{target}"/>' for i, t, target in rels)
        + "</Relationships>")
    members = {"[Content_Types].xml": content_types, "_rels/.rels": package_rels,
               "word/_rels/document.xml.rels": document_rels, **parts, **(extra_parts or {})}
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            # A fixed timestamp keeps regenerated samples byte-identical when nothing changed.
            zf.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


_PAGE_PART_TYPES = {"hdr": ("header", "header"), "ftr": ("footer", "footer"), "footnotes": ("footnotes", "footnotes"),
                    "endnotes": ("endnotes", "endnotes")}


def header_part(*blocks: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:hdr {NAMESPACES}>{"".join(blocks)}</w:hdr>'


def footer_part(*blocks: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr {NAMESPACES}>{"".join(blocks)}</w:ftr>'


def page_ref(kind: str, rid: str, which: str = "default") -> str:
    """A section's reference to its header or footer part (kind 'header' or 'footer')."""
    return f'<w:{kind}Reference w:type="{which}" r:id="{rid}"/>'


def notes_part(kind: str, notes: dict[int, str]) -> str:
    """word/footnotes.xml or endnotes.xml (kind 'footnote'/'endnote') with Word's two separator notes first."""
    separators = "".join(f'<w:{kind} w:type="{t}" w:id="{i}"><w:p><w:r><w:{t}/></w:r></w:p></w:{kind}>'
                         for i, t in ((-1, "separator"), (0, "continuationSeparator")))
    body = "".join(f'<w:{kind} w:id="{i}"><w:p><w:r><w:{kind}Ref/></w:r>{r(" " + text)}</w:p></w:{kind}>'
                   for i, text in notes.items())
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{kind}s {NAMESPACES}>{separators}{body}</w:{kind}s>'


def page_number_field(instr: str = "PAGE") -> str:
    """A complex PAGE/NUMPAGES field showing '1', as Word writes it in a footer."""
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


def comment(cid: int, author: str, text: str) -> str:
    return (f'<w:comment w:id="{cid}" w:author="{author}" w:date="{DATE}" w:initials="RA">'
            f'<w:p><w:pPr><w:pStyle w:val="CommentText"/></w:pPr><w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'
            f'<w:annotationRef/></w:r>{r(text)}</w:p></w:comment>')


def comment_ref(cid: int) -> str:
    return f'<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id="{cid}"/></w:r>'


# ---- the samples ----------------------------------------------------------------------------------

TITLE = p("West Midlands Regional Multi-Agency Audit Tool", style="Heading1")
GRADES = ("Outstanding", "Good", "Requires improvement", "Inadequate")


def header_rows(values: dict[str, str]) -> str:
    return tbl(*(tr(tc(label, width=4500), tc(value, width=4500)) for label, value in values.items()), grid=(4500, 4500))


def question_row(label: str, question: str, answer: str | list[str], vmerge: str | None = None) -> str:
    answer_blocks = answer if isinstance(answer, list) else [answer]
    return tr(tc(label, width=2000, vmerge=vmerge), tc(question, width=3500), tc(*answer_blocks, width=3500))


def grade_table(mark: dict[str, str]) -> str:
    """The grade table 'Grading | Grade (X)'; mark maps a grade to the XML (or text) in its Grade cell."""
    rows = [tr(tc("Grading", width=4500), tc("Grade (X)", width=4500))]
    rows += [tr(tc(g, width=4500), tc(mark.get(g, ""), width=4500)) for g in GRADES]
    return tbl(*rows, grid=(4500, 4500))


def sample_filled_form() -> str:
    return TITLE + header_rows({
        "Name of auditor completing form:": "Alex Example",
        "Name of your agency/organisation:": "Northfield Community Health (fictional)",
        "Date of audit:": "14/02/2026",
    }) + p("Context questions:") + tbl(
        question_row("", "How long has the case been open to your service?", "Eight months, since June 2025."),
        question_row("PREVENTION /EARLY HELP/ THRESHOLDS",
                     "1. How were opportunities for prevention/ early help considered and utilised?",
                     ["An early help assessment was offered at the first school contact.",
                      "The family accepted a parenting course."], vmerge="restart"),
        question_row("", "2. How did this impact on the situation?", "School attendance rose to 92%.",
                     vmerge="continue"),
    ) + p("Please use the criteria above to give the case an overall grade:") + grade_table({"Good": "X"})


def sample_content_controls() -> str:
    return TITLE + tbl(
        tr(tc("Name of auditor completing form:", width=4500),
           tc(p(sdt(r("Alex Example"), tag="auditor", alias="Auditor")), width=4500)),
        tr(tc("Name of your agency/organisation:", width=4500),
           tc(p(sdt(placeholder_run(), tag="agency", alias="Agency", placeholder=True)), width=4500)),
        tr(tc("Date of audit:", width=4500),
           tc(p(sdt(r("14/02/2026"), tag="date_of_audit", kind='<w:date w:fullDate="2026-02-14T00:00:00Z">'
                    '<w:dateFormat w:val="dd/MM/yyyy"/><w:lid w:val="en-GB"/><w:calendar w:val="gregorian"/></w:date>')),
              width=4500)),
        tr(tc("Case status", width=4500),
           tc(p(sdt(r("Child in need"), tag="case_status", kind='<w:dropDownList w:lastValue="CIN">'
                    '<w:listItem w:displayText="Child protection" w:value="CP"/>'
                    '<w:listItem w:displayText="Child in need" w:value="CIN"/></w:dropDownList>')), width=4500)),
        # A control around a whole row, and one around a cell holding a control around a paragraph.
        sdt(tr(tc("Name of practitioner involved in the case:", width=4500), tc("Sam Sample", width=4500)),
            tag="practitioner_row"),
        tr(tc("Theme:", width=4500),
           sdt(tc(sdt(p("Neglect"), tag="theme", alias="Theme"), width=4500), tag="theme_cell")),
        grid=(4500, 4500),
    ) + sdt(p("An answer written inside a block content control around the paragraph."), tag="q1", alias="Question 1") \
        + sdt(tbl(tr(tc("Table inside a control"), tc("kept"), tc(""))), tag="wrapped_table") \
        + p("Inline: ", sdt(r("outer "), tag="outer") + sdt(sdt(r("inner"), tag="inner"), tag="middle"), " end.")


def sample_legacy_formfields() -> str:
    return TITLE + tbl(
        tr(tc("Name of auditor completing form:", width=4500), tc(p(formtext("Jo Placeholder-Free")), width=4500)),
        tr(tc("Case status", width=4500),
           tc(p(formdropdown(["Open", "Closed", "Stepped down"], 2)), width=4500)),
        tr(tc("How long has the case been open to your service?", width=4500),
           tc(p(formtext("Since\tMay 2025")), width=4500)),
        grid=(4500, 4500),
    ) + p("Please use the criteria above to give the case an overall grade:") + grade_table({
        "Outstanding": p(formcheckbox('<w:default w:val="0"/><w:checked w:val="0"/>')),
        "Good": p(formcheckbox('<w:default w:val="0"/><w:checked/>')),
        "Requires improvement": p(formcheckbox('<w:default w:val="1"/>')),
        "Inadequate": p(formcheckbox('<w:default w:val="0"/>')),
    })


def sample_tracked_changes() -> tuple[str, str]:
    body = TITLE + tbl(question_row(
        "", "1. How were opportunities for prevention/ early help considered and utilised?",
        p(r("The family was offered "), deleted("a referral", 2), ins(r("an early help assessment"), 3),
          '<w:commentRangeStart w:id="0"/>', r(" in March."), '<w:commentRangeEnd w:id="0"/>', comment_ref(0)),
    )) + p(r("Chronology: "), '<w:moveFrom w:id="4" w:author="Reviewer A" w:date="' + DATE + '"><w:r><w:t>moved words'
           '</w:t></w:r></w:moveFrom>', r("reviewed monthly.")) \
        + p('<w:moveTo w:id="5" w:author="Reviewer A" w:date="' + DATE + '"><w:r><w:t>moved words</w:t></w:r></w:moveTo>') \
        + p(r("First half of a sentence "),
            mark=f'<w:del w:id="6" w:author="Reviewer A" w:date="{DATE}"/>') + p(r("joined to its second half."))
    comments = comment(0, "Reviewer A", "Please give the exact date of the offer.")
    return body, comments


def sample_merged_cells() -> str:
    return TITLE + tbl(
        tr(tc("Section", width=2000), tc("Question", width=3500), tc("Answer", width=3500)),
        question_row("ASSESSMENT", "6. Which tools have been used for assessment (and when)?",
                     "Neglect toolkit, January 2026.", vmerge="restart"),
        question_row("", "7. Are assessments timely and proportionate to risk?", "Yes, within 10 working days.",
                     vmerge="continue"),
        question_row("", "8. How do they consider the family history?", "A chronology was started.",
                     vmerge="continue"),
        tr(tc("Learning: any actions for your agency identified by the auditor", width=5500, span=2),
           tc("Refresh training on chronologies by June 2026.", width=3500)),
    )


def sample_nested_table() -> str:
    inner = tbl(tr(tc("Date", width=1500), tc("Contact", width=2000)),
                tr(tc("03/01/2026", width=1500), tc("Telephone call to school", width=2000)), grid=(1500, 2000))
    return TITLE + tbl(question_row("", "Chronology of contacts with other agencies:",
                                    [p("Contacts in the period:"), inner, p("No further contact.")]))


def sample_lists() -> str:
    return TITLE + p("Actions agreed:") \
        + p("Numbered action one", style="ListParagraph", num=2) \
        + p("Bullet through the List Bullet style", style="ListBullet") \
        + p("Bullet through a style based on it", style="AuditBullet") \
        + p("•\tTyped bullet with a tab") + p("- Typed hyphen bullet") + p("o Typed letter-o bullet") \
        + p("-5 degrees is not a bullet") + p("Not numbered: numId 0 switches the style off", style="ListBullet", num=0) \
        + p(r("Line one\nLine two\tafter a tab"))


def sample_textbox() -> str:
    return TITLE + p(r("Before the box."), textbox("Text inside a floating text box.")) + p("After the box.") \
        + p(picture())


def sample_grade_checkbox() -> str:
    return TITLE + p("Please use the criteria above to give the case an overall grade:") + grade_table({
        "Outstanding": p(checkbox_sdt(False, tag="grade_outstanding")),
        "Good": p(checkbox_sdt(True, tag="grade_good")),
        "Requires improvement": p(checkbox_sdt(False, tag="grade_ri")),
        "Inadequate": p(checkbox_sdt(None, tag="grade_inadequate", glyph="☐")),
    }) + p("Multi-agency meeting attended? ", checkbox_sdt(True), r(" Yes "), checkbox_sdt(False), r(" No")) \
        + p("Typed glyphs stay as typed: ☒ Yes ☐ No")


def sample_unknown_objects() -> str:
    return TITLE + p(r("Formula: "), '<m:oMath><m:r><m:t>x=1</m:t></m:r></m:oMath>') \
        + p('<w:r><w:object w:dxaOrig="1440" w:dyaOrig="1440"><v:shape id="_x0000_i1025" type="#_x0000_t75" '
            'style="width:72pt;height:72pt"/><o:OLEObject Type="Embed" ProgID="Excel.Sheet.12" ShapeID="_x0000_i1025" '
            'DrawAspect="Content" ObjectID="_1234567890" r:id="rId98"/></w:object></w:r>') \
        + p('<w:r><w:pict><v:rect style="width:50pt;height:20pt"/></w:pict></w:r>') \
        + '<w:altChunk r:id="rId97"/>' + p("The answer after the objects.")


SAMPLES = {
    "word-filled-form.docx": lambda: (sample_filled_form(), None),
    "word-content-controls.docx": lambda: (sample_content_controls(), None),
    "word-legacy-formfields.docx": lambda: (sample_legacy_formfields(), None),
    "word-tracked-changes.docx": sample_tracked_changes,
    "word-merged-cells.docx": lambda: (sample_merged_cells(), None),
    "word-nested-table.docx": lambda: (sample_nested_table(), None),
    "word-lists.docx": lambda: (sample_lists(), None),
    "word-textbox.docx": lambda: (sample_textbox(), None),
    "word-grade-checkbox.docx": lambda: (sample_grade_checkbox(), None),
    "word-unknown-objects.docx": lambda: (sample_unknown_objects(), None),
}
CONVERTED = {"doc": "MS Word 97", "rtf": "Rich Text Format", "odt": "writer8"}


def main(folder: Path = HERE) -> None:
    for name, build in SAMPLES.items():
        body, comments = build()
        write_docx(folder / name, body, comments=comments)
        print("wrote", name)
    # word-filled-form.docx also as .docm (same XML, macro-enabled name) and as LibreOffice conversions.
    shutil.copyfile(folder / "word-filled-form.docx", folder / "word-filled-form.docm")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("LibreOffice not found: .doc/.rtf/.odt samples not regenerated", file=sys.stderr)
        return
    for suffix, filter_name in CONVERTED.items():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                            "--convert-to", f"{suffix}:{filter_name}", "--outdir", tmp,
                            str(folder / "word-filled-form.docx")], check=True, capture_output=True, timeout=180)
            shutil.copyfile(Path(tmp) / f"word-filled-form.{suffix}", folder / f"word-filled-form.{suffix}")
            print("wrote", f"word-filled-form.{suffix}")


if __name__ == "__main__":
    main()
