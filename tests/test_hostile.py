"""Hostile and broken files in the inbox: each ends in quarantine with a reason, and the run carries on."""

import io
import json
import os
import zipfile

import pytest

from models.settings import Limits, Settings
from pipeline.run import run_inbox
from pipeline.store.status import file_statuses
from pipeline.store.workspace import Workspace
from tests.formbuild import sample_return


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def ws(tmp_path):
    ws = Workspace(tmp_path / "ws").ensure()
    sample_return(ws.inbox / "good.docx")
    good = (ws.inbox / "good.docx").read_bytes()
    inbox = ws.inbox
    (inbox / "empty.docx").write_bytes(b"")
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / "noise.pdf").write_bytes(os.urandom(4096))
    (inbox / "truncated.docx").write_bytes(good[: len(good) // 2])
    (inbox / "bomb.docx").write_bytes(_zip({"[Content_Types].xml": b"<Types/>",
                                            "word/document.xml": b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>"}))
    xxe = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
           b'<w:t>&x;</w:t></w:r></w:p></w:body></w:document>')
    (inbox / "xxe.docx").write_bytes(_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": xxe}))
    (inbox / "pdf-named.docx").write_bytes(b"%PDF-1.4\n%broken")
    (inbox / "report.xlsx").write_bytes(_zip({"xl/workbook.xml": b"<workbook/>"}))
    (inbox / "link.docx").symlink_to("/etc/passwd")
    (inbox / "sub").mkdir()
    (inbox / "sub" / "nested good.docx").write_bytes(good + b"")  # same bytes in a subfolder: a duplicate
    return ws


def test_every_hostile_file_is_quarantined_with_a_reason_and_good_ones_still_read(ws):
    summary = run_inbox(ws, Settings(limits=Limits(max_unzipped_mb=50)))
    outcomes = {s["file"]: (s["outcome"], (s["reason"] or {}).get("code")) for s in file_statuses(ws)}
    assert outcomes["good.docx"] == ("processed", None)
    assert outcomes["sub/nested good.docx"][0] == "duplicate"
    assert outcomes["bomb.docx"] == ("quarantined", "limit_exceeded")
    assert outcomes["xxe.docx"] == ("quarantined", "unsafe_xml")
    assert outcomes["report.xlsx"] == ("quarantined", "unsupported_format")
    assert outcomes["link.docx"] == ("quarantined", "link_not_file")
    assert outcomes["empty.docx"] == outcomes["empty.pdf"] == ("quarantined", "empty_file")
    for name in ["noise.pdf", "truncated.docx", "pdf-named.docx"]:
        assert outcomes[name][0] == "quarantined", name
        assert outcomes[name][1] in {"not_a_word_file", "corrupt_file"}, (name, outcomes[name])
    assert summary.processed == 1 and summary.quarantined == 9
    for path in ws.quarantine.glob("*.reason.json"):
        reason = json.loads(path.read_text())
        assert set(reason) == {"code", "message"} and len(reason["message"]) > 20
    assert not any("root:" in p.read_text(errors="ignore") for p in ws.root.rglob("*.json"))  # the link was not read
    assert not any(p.name.endswith("link.docx") for p in ws.archive.iterdir())
    again = run_inbox(ws, Settings(limits=Limits(max_unzipped_mb=50)))
    assert (again.processed, again.quarantined, again.already_seen) == (0, 0, 11)
