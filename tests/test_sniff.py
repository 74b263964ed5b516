"""Type by content: a file is read by what it is, not what its name says; a mismatch is an info flag."""

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from extractors.registry import extract
from extractors.sniff import sniff
from models.errors import UnreadableFile
from models.settings import Settings
from pipeline.run import run_inbox
from pipeline.store.status import current_records, file_statuses
from pipeline.store.workspace import Workspace
from tests.formbuild import sample_return

ROOT = Path(__file__).resolve().parent.parent
PDF_RETURN = ROOT / "samples" / "returns" / "wm-case1-health-visiting-printed.pdf"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole(tmp_path: Path, name: str, stream: str) -> Path:
    path = tmp_path / name
    path.write_bytes(OLE + b"\0" * 504 + stream.encode("utf-16-le") + b"\0" * 64)
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_signatures_name_the_real_type_whatever_the_name(tmp_path):
    docx = sample_return(tmp_path / "a.pdf")
    assert sniff(docx) == ".docx"
    assert sniff(shutil.copy(PDF_RETURN, tmp_path / "b.docx")) == ".pdf"
    assert sniff(_ole(tmp_path, "c.docx", "WordDocument")) == ".doc"
    assert sniff(_ole(tmp_path, "d.doc", "__substg1.0_0037001F")) == ".msg"
    assert sniff(_ole(tmp_path, "e.doc", "Workbook")) == ".xls"
    (tmp_path / "f.doc").write_bytes(b"{\\rtf1\\ansi Hello}")
    assert sniff(tmp_path / "f.doc") == ".rtf"
    odt = _zip(tmp_path / "g.docx", {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    assert sniff(odt) == ".odt"
    assert sniff(_zip(tmp_path / "h.docx", {"xl/workbook.xml": b"<workbook/>"})) == ".xlsx"
    (tmp_path / "i.doc").write_text('<html xmlns:w="urn:schemas-microsoft-com:office:word"><body>x</body></html>')
    assert sniff(tmp_path / "i.doc") == ".html"
    (tmp_path / "j.doc").write_text("MIME-Version: 1.0\nContent-Type: multipart/related; boundary=x\n")
    assert sniff(tmp_path / "j.doc") == ".mht"
    (tmp_path / "l.doc").write_text("From: dsl@example.org\nTo: audit@example.org\nSubject: Return\n"
                                    "MIME-Version: 1.0\n\nPlease find attached.\n")
    assert sniff(tmp_path / "l.doc") == ".eml"
    (tmp_path / "k.docx").write_text("just some notes")
    assert sniff(tmp_path / "k.docx") is None


def test_a_word_document_named_pdf_and_a_pdf_named_docx_are_read_with_an_info_flag(tmp_path):
    ws = Workspace(tmp_path / "ws").ensure()
    sample_return(ws.inbox / "hv-case1.pdf", agency="Housing")
    shutil.copy(PDF_RETURN, ws.inbox / "hv-printed.docx")
    sample_return(ws.inbox / "police-case1", agency="West Midlands Police")  # no extension at all
    summary = run_inbox(ws, Settings(isolate=False))
    assert (summary.processed, summary.quarantined) == (3, 0)
    by_file = {r.source.file: r for r in current_records(ws)}
    assert by_file["hv-case1.pdf"].source.format == "docx"
    assert by_file["hv-printed.docx"].source.format == "pdf"
    assert by_file["police-case1"].source.format == "docx"
    for name, said, really in [("hv-case1.pdf", ".pdf", "Word document"), ("hv-printed.docx", ".docx", "PDF"),
                               ("police-case1", "no extension", "Word document")]:
        flags = [f for f in by_file[name].flags if f.code.value == "format_mismatch"]
        assert len(flags) == 1 and flags[0].severity.value == "info", name
        assert said in flags[0].message and really in flags[0].message
    assert by_file["hv-case1.pdf"].header.agency == "Housing"  # really read, not an empty record
    assert any(a.status.value == "answered" for a in by_file["hv-printed.docx"].answers)


def test_a_correctly_named_file_gets_no_mismatch_flag(tmp_path):
    raw = extract(sample_return(tmp_path / "hv.docx"))
    assert raw.named_as is None and raw.format == "docx"


@pytest.mark.slow
def test_an_old_word_file_named_docx_is_converted_as_doc(tmp_path):
    path = shutil.copy(ROOT / "samples" / "word-filled-form.doc", tmp_path / "old-form.docx")
    raw = extract(path)
    assert (raw.format, raw.named_as, raw.file) == ("doc", ".docx", "old-form.docx")
    assert raw.blocks


@pytest.mark.parametrize("name,make,words", [
    ("sheet.docx", lambda p: _zip(p, {"xl/workbook.xml": b"<workbook/>"}), "an Excel spreadsheet"),
    ("mail.doc", lambda p: _ole(p.parent, p.name, "__substg1.0_0037001F"), "an Outlook message"),
    ("page.doc", lambda p: p.write_text("<!DOCTYPE html><html><body>Return</body></html>"), "a web page"),
    ("saved.mht", lambda p: p.write_text("MIME-Version: 1.0\nContent-Type: multipart/related; boundary=b\n"),
     "save it as a Word document"),
    ("bundle.pdf", lambda p: _zip(p, {"a.txt": b"x"}), "a zip archive"),
])
def test_a_known_type_maap_does_not_read_is_quarantined_saying_what_it_is(tmp_path, name, make, words):
    path = tmp_path / name
    make(path)
    with pytest.raises(UnreadableFile) as info:
        extract(path)
    assert info.value.code == "unsupported_format"
    assert words in str(info.value) and name in str(info.value) and Path(name).suffix in str(info.value)


def test_content_of_no_known_type_gets_a_clear_reason(tmp_path):
    ws = Workspace(tmp_path / "ws").ensure()
    (ws.inbox / "scan.dat").write_bytes(bytes(range(256)) * 4)
    (ws.inbox / "notes.pdf").write_text("meeting notes, not a PDF")
    run_inbox(ws, Settings(isolate=False))
    reasons = {s["file"]: s["reason"] for s in file_statuses(ws)}
    assert reasons["scan.dat"]["code"] == "unsupported_format"
    assert "'.dat' is not an audit return format" in reasons["scan.dat"]["message"]
    assert "send Word or PDF" in reasons["scan.dat"]["message"]
    assert reasons["notes.pdf"]["code"] != "internal_error"
    assert json.loads((ws.quarantine / "notes.pdf.reason.json").read_text())["message"]


def test_a_damaged_docx_keeps_its_own_reason(tmp_path):
    path = tmp_path / "broken.docx"
    data = sample_return(tmp_path / "good.docx").read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a zip cut short: no central directory, so no type from content
    with pytest.raises(UnreadableFile) as info:
        extract(path)
    assert info.value.code in {"corrupt_file", "not_a_word_file"} and "broken.docx" in str(info.value)
