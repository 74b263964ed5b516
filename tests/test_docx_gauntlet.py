"""Word returns filled in every way Word allows, and hostile ones: each is read, or counted as unknown content.

Every document is built in code in a temporary folder; every name and answer is fictional.
"""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path

import pytest

from extractors import docx
from models.errors import FileLimitExceeded, UnreadableFile
from models.raw import Paragraph, RawDocument, Table
from models.settings import Limits
from pipeline.text import document_lines
from tests.rawbuild import paragraphs

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
_spec = importlib.util.spec_from_file_location("make_word_samples", SAMPLES / "make_word_samples.py")
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)

AF_CHUNK = f"{mk.REL}/aFChunk"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def with_parts(path: Path, parts: dict[str, tuple[bytes, str, str | None]], part: str = "word/document.xml") -> Path:
    """Add parts to a package written by make_word_samples.write_docx: name -> (bytes, content type, r:id or None).

    A part with an r:id gets a relationship from ``part`` of type aFChunk (or the type given after a '|' in the
    content type, e.g. 'image/png|image').
    """
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    folder, base = part.rsplit("/", 1)
    rels_name = f"{folder}/_rels/{base}.rels"
    rels = members[rels_name].decode()
    types = members["[Content_Types].xml"].decode()
    for name, (data, content_type, rid) in parts.items():
        content_type, _, rel_type = content_type.partition("|")
        members[name] = data
        if content_type:
            types = types.replace("</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>')
        if rid:
            target = name[len(folder) + 1:] if name.startswith(folder + "/") else "/" + name
            kind = f"{mk.REL}/{rel_type}" if rel_type else AF_CHUNK
            rels = rels.replace("</Relationships>",
                                f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/></Relationships>')
    members[rels_name], members["[Content_Types].xml"] = rels.encode(), types.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def chunk(rid: str) -> str:
    return f'<w:altChunk r:id="{rid}"/>'


def read(path: Path, limits: Limits | None = None) -> RawDocument:
    return docx.extract(path, limits or Limits())


def docx_bytes(tmp_path: Path, body: str, name: str = "inner.docx", **kw) -> bytes:
    return mk.write_docx(tmp_path / name, body, **kw).read_bytes()


def cell_paragraphs(raw: RawDocument, table: int, row: int, col: int) -> list[Paragraph]:
    tab = [b for b in raw.blocks if isinstance(b, Table)][table]
    cell = next(c for c in tab.rows[row].cells if c.col == col)
    return list(paragraphs(cell.blocks))


# ---- w:altChunk: a whole document pulled in where it stands ------------------------------------------------

HTML_ANSWER = (b"<html><head><title>not content</title><style>p {color: red}</style></head><body>"
               b"<p>Seen at home on 03/02/2026 &amp; at school.</p><p>Yes / <s>No</s></p>"
               b"<ul><li>Referral to <b>early help</b></li></ul>"
               b"<table><tr><td>Visit</td><td>12/01/2026</td></tr></table>"
               b"<p><input type='checkbox' checked> Strategy held <input type='checkbox'> Not held</p>"
               b"<script>alert('never text')</script></body></html>")


def test_html_chunk_in_an_answer_cell_is_read_in_place_with_its_strikes(tmp_path):
    body = mk.tbl(mk.tr(mk.tc("1. What was seen?"), mk.tc(mk.p("Typed first.") + chunk("rIdHtml")), mk.tc("")))
    path = with_parts(mk.write_docx(tmp_path / "html.docx", body),
                      {"word/afchunk.htm": (HTML_ANSWER, "text/html", "rIdHtml")})
    raw = read(path)
    cell = cell_paragraphs(raw, 0, 0, 1)
    assert [p.text for p in cell] == ["Typed first.", "Seen at home on 03/02/2026 & at school.", "Yes / No",
                                      "Referral to early help", "Visit | 12/01/2026",
                                      "☒ Strategy held ☐ Not held"]
    struck = cell[2]
    assert [(struck.text[s.start:s.end], s.style) for s in struck.spans] == [("No", "strike")]
    assert cell[3].list_item and cell[3].spans[0].detail == "bold"
    assert raw.unknown == {} and raw.warnings == []
    assert not any("alert" in line or "not content" in line for line in document_lines(raw))


def test_html_chunk_through_the_pipeline_reads_the_struck_option(tmp_path):
    from models.template import AnswerKind
    from pipeline.mapping.layout import styled_text
    from pipeline.intake.process import read_formatting

    path = with_parts(mk.write_docx(tmp_path / "yn.docx", chunk("rIdHtml")),
                      {"word/afchunk.htm": (b"<p>Yes / <strike>No</strike></p>", "text/html", "rIdHtml")})
    kept, struck = read_formatting([styled_text(p) for p in read(path).blocks], AnswerKind.yes_no_comments, [])
    assert kept == ["☒ Yes"] and struck == []


def test_web_archive_and_plain_text_chunks_at_body_level_count_as_body_paragraphs(tmp_path):
    mht = (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b1\"\r\n\r\n--b1\r\n"
           b"Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
           b"<html><body><p>Mother attended the core group =E2=80=93 twice.</p></body></html>\r\n--b1--\r\n")
    text = "Chronology checked.\r\n\r\nCaf\u00e9 visit noted.\n".encode("cp1252")
    body = mk.p("Before.") + chunk("rIdMht") + chunk("rIdTxt") + mk.p("After.")
    path = with_parts(mk.write_docx(tmp_path / "mix.docx", body),
                      {"word/chunk1.mht": (mht, "message/rfc822", "rIdMht"),
                       "word/chunk2.txt": (text, "text/plain", "rIdTxt")})
    raw = read(path)
    assert [(p.text, p.location.paragraph) for p in raw.blocks] == [
        ("Before.", 0), ("Mother attended the core group \u2013 twice.", 1), ("Chronology checked.", 2),
        ("Caf\u00e9 visit noted.", 3), ("After.", 4)]
    assert raw.unknown == {}


def test_embedded_docx_is_read_with_its_own_controls_tables_comments_and_revisions(tmp_path):
    inner_body = (mk.p(mk.sdt(mk.r("Kingsmere Primary (fictional)"), tag="agency")) +
                  mk.tbl(mk.tr(mk.tc("Date of visit"), mk.tc("04/03/2026"), mk.tc(""))) +
                  mk.p('<w:commentRangeStart w:id="7"/>', "Parent seen alone", mk.deleted(" once"),
                       '<w:commentRangeEnd w:id="7"/>', mk.comment_ref(7)))
    inner = docx_bytes(tmp_path, inner_body, comments=mk.comment(7, "QA", "Which parent?"))
    outer_body = mk.tbl(mk.tr(mk.tc("Q"), mk.tc("A"), mk.tc(""))) + chunk("rIdDoc") + mk.p("After the chunk.")
    path = with_parts(mk.write_docx(tmp_path / "outer.docx", outer_body),
                      {"word/chunk.docx": (inner, DOCX_MAIN, "rIdDoc")})
    raw = read(path)
    lines = document_lines(raw)
    assert lines[2:] == ["Kingsmere Primary (fictional)", "Date of visit", "04/03/2026", "Parent seen alone",
                         "After the chunk."]
    tables = [b for b in raw.blocks if isinstance(b, Table)]
    assert [t.location.table for t in tables] == [0, 1]  # the embedded table numbered after the outer one
    assert next(p for p in paragraphs(raw.blocks) if p.text.startswith("Kingsmere")).tags == ["agency"]
    assert [(c.text, c.anchor) for c in raw.comments] == [("Which parent?", "Parent seen alone")]
    assert raw.revisions == 1 and "once" not in " ".join(lines)
    assert raw.blocks[-1].text == "After the chunk."


def test_rtf_and_unknown_chunks_are_counted_with_a_reason_a_person_can_act_on(tmp_path):
    body = mk.p("Answer:") + chunk("rIdRtf") + chunk("rIdBin") + chunk("rIdMissing")
    path = with_parts(mk.write_docx(tmp_path / "rtf.docx", body), {
        "word/afchunk.rtf": (rb"{\rtf1\ansi The fictional answer.\par}", "application/rtf", "rIdRtf"),
        "word/afchunk.bin": (b"\x00\x01\x02binary", "application/octet-stream", "rIdBin")})
    raw = read(path)
    assert raw.unknown == {"w:altChunk": 3}  # RTF, an unknown file and a reference to no part at all
    rtf = next(w for w in raw.warnings if "afchunk.rtf" in w)
    assert "RTF" in rtf and "open the original" in rtf and "paste" in rtf
    assert any("afchunk.bin" in w for w in raw.warnings)
    assert "The fictional answer." not in " ".join(document_lines(raw))  # never read as garbage either


def test_unknown_chunk_reaches_the_record_as_an_unknown_content_flag(tmp_path):
    from models.record import FlagCode
    from models.settings import Settings
    from pipeline.intake.process import read_return
    from pipeline.templates.registry import load_templates

    path = with_parts(mk.write_docx(tmp_path / "rtf.docx", mk.p("Answer:") + chunk("rIdRtf")),
                      {"word/afchunk.rtf": (rb"{\rtf1 x\par}", "application/rtf", "rIdRtf")})
    record = read_return(path, Settings(isolate=False), load_templates())
    flag = next(f for f in record.flags if f.code == FlagCode.unknown_content)
    assert "w:altChunk" in flag.message
    assert any("RTF" in w for w in record.extraction.warnings)


def test_chunks_nested_deeper_than_the_limit_stop_with_a_warning(tmp_path):
    data = docx_bytes(tmp_path, mk.p("Level 5 text."), name="l5.docx")
    for level in range(4, 0, -1):
        path = with_parts(mk.write_docx(tmp_path / f"l{level}.docx", mk.p(f"Level {level} text.") + chunk("rIdC")),
                          {"word/chunk.docx": (data, DOCX_MAIN, "rIdC")})
        data = path.read_bytes()
    raw = read(path)
    assert document_lines(raw) == ["Level 1 text.", "Level 2 text.", "Level 3 text.", "Level 4 text."]
    assert raw.unknown == {"w:altChunk": 1}
    assert any("embedded more than 3 deep" in w for w in raw.warnings)


def test_a_zip_bomb_inside_a_chunk_hits_the_files_own_size_limit(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<a>" + b" " * 3_000_000 + b"</a>")  # 3 MB of spaces, tiny zipped
    path = with_parts(mk.write_docx(tmp_path / "bomb.docx", chunk("rIdB")),
                      {"word/chunk.docx": (buffer.getvalue(), DOCX_MAIN, "rIdB")})
    with pytest.raises(FileLimitExceeded) as info:
        read(path, Limits(max_unzipped_mb=1))
    assert "bomb.docx" in str(info.value)
    assert document_lines(read(path)) == []  # within the default limits it is only a damaged chunk


def test_damaged_embedded_docx_is_a_warning_not_a_refused_file(tmp_path):
    path = with_parts(mk.write_docx(tmp_path / "dmg.docx", mk.p("Kept.") + chunk("rIdD")),
                      {"word/chunk.docx": (b"PK\x03\x04" + b"\0" * 64, DOCX_MAIN, "rIdD")})
    raw = read(path)
    assert document_lines(raw) == ["Kept."] and raw.unknown == {"w:altChunk": 1}
    assert any("damaged" in w for w in raw.warnings)


def test_doctype_inside_an_embedded_docx_refuses_the_file(tmp_path):
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    inner = docx_bytes(tmp_path, mk.p("x"), extra_parts={"customXml/item1.xml": xxe})
    path = with_parts(mk.write_docx(tmp_path / "xxe.docx", chunk("rIdX")),
                      {"word/chunk.docx": (inner, DOCX_MAIN, "rIdX")})
    with pytest.raises(UnreadableFile) as info:
        read(path)
    assert info.value.code == "unsafe_xml"


# ---- what else Word can put in a form ----------------------------------------------------------------------

def build(tmp_path: Path, body: str, name: str = "case.docx", **kw) -> RawDocument:
    return read(mk.write_docx(tmp_path / name, body, **kw))


def picture(name: str = "Picture 1", descr: str = "") -> str:
    xml = mk.picture().replace('name="Picture 1"', f'name="{name}"' + (f' descr="{descr}"' if descr else ""))
    return xml


DRAWING_NS = " ".join(ns for ns in mk.NAMESPACES.split() if ns.startswith(("xmlns:a=", "xmlns:pic=", "xmlns:wp=")))
VML_PICTURE = ('<w:r><w:pict><v:shape id="_x0000_i1025" type="#_x0000_t75" style="width:90pt;height:30pt">'
               '<v:imagedata r:id="rId50" o:title="scan"/></v:shape></w:pict></w:r>')


def test_picture_in_an_answer_is_marked_where_it_stands_and_counted(tmp_path):
    body = mk.tbl(mk.tr(mk.tc("2. Describe the home."), mk.tc(mk.p("See my notes: ", picture())), mk.tc("")),
                  mk.tr(mk.tc("3. Voice of the child?"), mk.tc(mk.p(VML_PICTURE)), mk.tc("")))
    raw = build(tmp_path, body)
    assert [p.text for p in cell_paragraphs(raw, 0, 0, 1)] == ["See my notes: [picture]"]
    assert [p.text for p in cell_paragraphs(raw, 0, 1, 1)] == ["[picture]"]  # a pasted scan alone: not blank
    assert raw.unknown == {"pic:pic": 1, "w:pict": 1}  # what they show is not read: the record is flagged


def test_signature_pictures_are_marked_but_not_flagged_and_logos_in_page_headers_are_furniture(tmp_path):
    logo = mk.header_part(mk.p(picture("Company logo")), mk.p("Case ref: FICT-9"))
    body = mk.tbl(mk.tr(mk.tc("Signature of auditor:"), mk.tc(mk.p(picture())), mk.tc("")),
                  mk.tr(mk.tc("Auditor"), mk.tc(mk.p(picture("Picture 7", descr="Handwritten signature"))), mk.tc("")),
                  mk.tr(mk.tc("Signed: "), mk.tc(mk.p(VML_PICTURE)), mk.tc("")))
    raw = build(tmp_path, body, page_parts={"h1": logo}, section_refs=mk.page_ref("header", "h1"))
    assert [p.text for p in raw.blocks if isinstance(p, Paragraph)] == ["Case ref: FICT-9"]
    assert [cell_paragraphs(raw, 0, r, 1)[0].text for r in range(3)] == ["[signature]"] * 3
    assert raw.unknown == {}


def test_picture_answer_reaches_the_record_text_and_flags(tmp_path):
    from models.record import FlagCode, Status
    from models.settings import Settings
    from pipeline.intake.process import read_return
    from pipeline.templates.registry import load_templates
    from tests.formbuild import sample_return

    path = sample_return(tmp_path / "wm-picture.docx", q2="PLACEHOLDER-FOR-PICTURE")
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    members["word/document.xml"] = members["word/document.xml"].replace(
        b"<w:t>PLACEHOLDER-FOR-PICTURE</w:t></w:r>", b"<w:t></w:t></w:r>" + picture().replace(
            "<w:drawing>", f"<w:drawing {DRAWING_NS}>").encode())
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    record = read_return(path, Settings(isolate=False), load_templates())
    answer = record.answer("q2")
    assert answer.answer == "[picture]" and answer.status == Status.answered
    assert any(f.code == FlagCode.unknown_content and "pic:pic" in f.message for f in record.flags)


def test_embedded_object_is_marked_with_its_program_and_counted(tmp_path):
    ole = ('<w:r><w:object w:dxaOrig="1440" w:dyaOrig="1440"><v:shape id="_x0000_i1026" type="#_x0000_t75"/>'
           '<o:OLEObject Type="Embed" ProgID="Word.Document.12" ShapeID="_x0000_i1026" r:id="rId60"/></w:object></w:r>')
    raw = build(tmp_path, mk.p("Chronology attached:", ole))
    assert document_lines(raw) == ["Chronology attached: [embedded object: Word.Document.12]"]
    assert raw.unknown == {"w:object": 1}


def test_equations_are_read_as_linear_text_and_still_counted(tmp_path):
    m = "http://schemas.openxmlformats.org/officeDocument/2006/math"
    frac = ('<m:oMath><m:r><m:t>visits=</m:t></m:r><m:f><m:fPr/><m:num><m:r><m:t>3</m:t></m:r></m:num>'
            '<m:den><m:r><m:t>4</m:t></m:r></m:den></m:f><m:sSup><m:e><m:r><m:t>x</m:t></m:r></m:e>'
            '<m:sup><m:r><m:t>2</m:t></m:r></m:sup></m:sSup></m:oMath>')
    raw = build(tmp_path, mk.p("Attendance ", frac) + mk.p(f'<m:oMathPara xmlns:m="{m}">{frac}</m:oMathPara>'))
    assert document_lines(raw) == ["Attendance visits=3/4x^2", "visits=3/4x^2"]
    assert raw.unknown == {"m:oMath": 1, "m:oMathPara": 1}  # a layout flattened to one line: worth a look


def test_ruby_and_bidi_wrappers_are_read(tmp_path):
    ruby = ('<w:r><w:ruby><w:rubyPr><w:rubyAlign w:val="center"/></w:rubyPr><w:rt><w:r><w:t>Shah-na</w:t></w:r></w:rt>'
            '<w:rubyBase><w:r><w:t>Shana</w:t></w:r></w:rubyBase></w:ruby></w:r>')
    bidi = ('<w:dir w:val="rtl"><w:r><w:t>مرحبا</w:t></w:r></w:dir><w:bdo w:val="ltr"><w:r><w:t xml:space="preserve"> '
            'Ref 12</w:t></w:r></w:bdo>')
    raw = build(tmp_path, mk.p("Child known as ", ruby) + mk.p(bidi))
    assert document_lines(raw) == ["Child known as Shana (Shah-na)", "مرحبا Ref 12"]
    assert raw.unknown == {}


def test_controls_around_whole_rows_and_cells_keep_their_text_and_tags(tmp_path):
    body = mk.tbl(mk.sdt(mk.tr(mk.tc("Agency:"), mk.tc("Fictional Trust"), mk.tc("")), tag="agency_row"),
                  mk.tr(mk.tc("Theme:"), mk.sdt(mk.tc(mk.p("Neglect")), tag="theme_cell"), mk.tc("")),
                  mk.sdt(mk.tr(mk.tc("Date:"), mk.tc(mk.p(mk.placeholder_run())), mk.tc("")), tag="d", placeholder=True),
                  mk.tr(mk.tc("Seen?"), mk.sdt(mk.tc(mk.p("☒")), kind=mk.checkbox_sdt(True)[
                      mk.checkbox_sdt(True).index("<w14:checkbox>"):mk.checkbox_sdt(True).index("</w14:checkbox>") + 15]),
                        mk.tc("")))
    raw = build(tmp_path, body)
    (table,) = [b for b in raw.blocks if isinstance(b, Table)]
    assert [(p.text, p.tags) for p in cell_paragraphs(raw, 0, 0, 1)] == [("Fictional Trust", ["agency_row"])]
    assert [(p.text, p.tags) for p in cell_paragraphs(raw, 0, 1, 1)] == [("Neglect", ["theme_cell"])]
    assert [(p.text, p.placeholder) for p in cell_paragraphs(raw, 0, 2, 1)] == [("", True)]
    assert raw.unknown == {"w14:checkbox": 1}  # a checkbox control around a whole cell: Word cannot make one


# ---- content controls bound to custom XML, and glossary placeholders ----------------------------------------

STORE_ID = "{4A3B2C1D-0000-4000-8000-00000000FICT}"
CUSTOM = (b'<?xml version="1.0" encoding="UTF-8"?><audit xmlns="urn:fictional:audit">'
          b'<auditor>Jo Example</auditor><agency>Fictional Health</agency><date>2026-02-14</date></audit>')
ITEM_PROPS = (f'<?xml version="1.0" encoding="UTF-8" standalone="no"?><ds:datastoreItem ds:itemID="{STORE_ID}" '
              'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs/>'
              '</ds:datastoreItem>').encode()


def bound(content: str, field: str, xpath: str | None = None, placeholder: bool = False, store: str = STORE_ID) -> str:
    xpath = xpath or f"/ns0:audit[1]/ns0:{field}[1]"
    binding = (f'<w:dataBinding w:prefixMappings="xmlns:ns0=\'urn:fictional:audit\'" w:xpath="{xpath}" '
               f'w:storeItemID="{store}"/><w:text/>')
    return mk.sdt(content, tag=field, placeholder=placeholder, kind=binding)


def with_store(path: Path) -> Path:
    """The package with a custom XML data store (customXml/item1.xml, its properties naming STORE_ID)."""
    rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{mk.REL}/customXmlProps" Target="itemProps1.xml"/></Relationships>').encode()
    return with_parts(path, {
        "customXml/item1.xml": (CUSTOM, "", None), "customXml/_rels/item1.xml.rels": (rels, "", None),
        "customXml/itemProps1.xml": (ITEM_PROPS, "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
                                     None)})


def test_bound_controls_showing_nothing_give_their_stored_value(tmp_path):
    body = mk.tbl(
        mk.tr(mk.tc("Auditor:"), mk.tc(mk.p(bound(mk.placeholder_run(), "auditor", placeholder=True))), mk.tc("")),
        mk.tr(mk.tc("Agency:"), mk.tc(mk.p(bound("", "agency"))), mk.tc("")),
        mk.tr(mk.tc("Date:"), mk.tc(bound(mk.p(""), "date")), mk.tc("")),  # a block-level control, empty
        mk.tr(mk.tc("Typed:"), mk.tc(mk.p(bound(mk.r("Shown text"), "auditor"))), mk.tc("")))
    raw = read(with_store(mk.write_docx(tmp_path / "bound.docx", body)))
    values = [[(p.text, p.placeholder, p.tags) for p in cell_paragraphs(raw, 0, r, 1)] for r in range(4)]
    assert values == [[("Jo Example", False, ["auditor"])], [("Fictional Health", False, ["agency"])],
                      [("2026-02-14", False, ["date"])], [("Shown text", False, ["auditor"])]]


def test_a_bound_control_with_a_hostile_or_missing_xpath_stays_as_shown(tmp_path):
    hostile = "//*[count(//*[count(//*)&gt;0])&gt;0]"
    body = (mk.p(bound(mk.placeholder_run(), "auditor", xpath=hostile, placeholder=True)) +
            mk.p(bound("", "missing")) + mk.p(bound("", "agency", store="{00000000-0000-0000-0000-000000000000}")))
    raw = read(with_store(mk.write_docx(tmp_path / "hostile.docx", body)))
    assert [(p.text, p.placeholder) for p in raw.blocks] == [("", True), ("", False), ("Fictional Health", False)]


GLOSSARY_REL = f"{mk.REL}/glossaryDocument"


def glossary(parts: dict[str, str]) -> bytes:
    body = "".join(f'<w:docPart><w:docPartPr><w:name w:val="{name}"/></w:docPartPr><w:docPartBody>{mk.p(text)}'
                   f'</w:docPartBody></w:docPart>' for name, text in parts.items())
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:glossaryDocument {mk.NAMESPACES}>'
            f'<w:docParts>{body}</w:docParts></w:glossaryDocument>').encode()


def prompt_control(text: str, part: str, tag: str) -> str:
    # showingPlcHdr lost (a tool or a copy-paste dropped it), the docPart reference kept
    return (f'<w:sdt><w:sdtPr><w:tag w:val="{tag}"/><w:placeholder><w:docPart w:val="{part}"/></w:placeholder>'
            f'<w:text/></w:sdtPr><w:sdtContent>{text}</w:sdtContent></w:sdt>')


def test_text_that_is_still_the_glossary_placeholder_is_a_placeholder_and_the_glossary_is_never_content(tmp_path):
    body = (mk.p("Agency: ", prompt_control(mk.r("Enter the agency name."), "AgencyPrompt", "agency")) +
            prompt_control(mk.p("Describe what the child said."), "VoicePrompt", "voice") +
            mk.p(prompt_control(mk.r("Fictional Health"), "AgencyPrompt", "agency2")))
    path = with_parts(mk.write_docx(tmp_path / "glossary.docx", body), {
        "word/glossary/document.xml": (glossary({"AgencyPrompt": "Enter the agency name.",
                                                 "VoicePrompt": "Describe what the child said.",
                                                 "Unused": "Building block text never in the return."}),
                                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document."
                                       "glossary+xml|glossaryDocument", "rIdGloss")})
    raw = read(path)
    assert [(p.text, p.placeholder, p.tags) for p in raw.blocks] == [
        ("Agency:", True, ["agency"]), ("", True, ["voice"]), ("Fictional Health", False, ["agency2"])]
    assert "Building block" not in " ".join(document_lines(raw))
