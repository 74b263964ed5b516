"""What a file really is, from its first bytes (its signature), whatever its name says.

``sniff(path)`` names the type as a suffix (".docx", ".pdf", ".doc", ".rtf", ".odt", or one maap does not read:
".msg", ".eml", ".xls", ".xlsx", ".pptx", ".html", ".mht", ".zip"), or None when the content matches no known signature.
It reads at most the first few kilobytes, plus a zip's central directory or an OLE file's directory sectors.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEAD = 4096
_ODF_TEXT = b"application/vnd.oasis.opendocument.text"

# Types maap recognises but does not read: what each is, and what the person who dropped it can do.
_RESAVE = "ask the agency to open it in Word and save it as a Word document (.docx), or print it to PDF"
_INSIDE = "if a return is inside it, save the return itself into the inbox"
NOT_READ: dict[str, tuple[str, str]] = {
    ".msg": ("an Outlook message", _INSIDE),
    ".eml": ("an email message", _INSIDE),
    ".xls": ("an Excel 97-2003 spreadsheet", _INSIDE),
    ".xlsx": ("an Excel spreadsheet", _INSIDE),
    ".pptx": ("a PowerPoint presentation", _INSIDE),
    ".ppt": ("a PowerPoint 97-2003 presentation", _INSIDE),
    # Web pages are not converted: LibreOffice would follow their links to other files and to the network.
    ".html": ("a web page (perhaps saved from Word as HTML)", _RESAVE),
    ".mht": ("a single-file web page (.mht, perhaps saved from Word)", _RESAVE),
    ".zip": ("a zip archive", "if returns are inside it, unzip them into the inbox"),
    ".odf": ("an OpenDocument file that is not a text document", _RESAVE),
}

# What each type maap reads is, in words, for the info flag on a file whose name said something else.
READ_AS: dict[str, str] = {
    ".docx": "a Word document (.docx)",
    ".doc": "a Word 97-2003 document (.doc)",
    ".rtf": "a Rich Text document (.rtf)",
    ".odt": "an OpenDocument text (.odt)",
    ".pdf": "a PDF",
}


def sniff(path: Path) -> str | None:
    """The file's real type as a suffix, from its content; None when no known signature matches."""
    with open(path, "rb") as f:
        head = f.read(_HEAD)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_type(path)
    if b"%PDF-" in head[:1024]:  # the PDF specification allows junk before the header
        return ".pdf"
    if head.startswith(OLE_MAGIC):
        return _ole_type(path)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{\\rtf"):
        return ".rtf"
    lower = text[:2048].lower()
    if _is_email(lower):
        return ".eml"
    if lower.startswith(b"mime-version:") or (b"content-type: multipart/related" in lower
                                              and b"content-location:" in lower):
        return ".mht"
    if re.match(rb"<(?:!doctype html|html|\?xml[^>]*>\s*<html)", lower) or b"<html" in lower[:512]:
        return ".html"
    return None


def _is_email(lower: bytes) -> bool:
    """An email message (RFC 5322): header lines, among them From: and one of Subject:, Received:, Message-ID:."""
    headers = set()
    for line in lower.split(b"\n"):
        if not line.strip():
            break
        m = re.match(rb"([a-z0-9-]+):", line)
        if m:
            headers.add(m.group(1))
        elif not line[:1].isspace():  # neither a header nor its continuation: not a message
            return False
    return b"from" in headers and bool(headers & {b"subject", b"received", b"message-id"})


def _zip_type(path: Path) -> str | None:
    """A Word, OpenDocument, Excel or PowerPoint package by its members; a damaged zip is None."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names or any(n.startswith("word/") and n.endswith(".xml") for n in names):
                return ".docx"
            if "mimetype" in names:
                info = zf.getinfo("mimetype")
                mime = zf.read(info)[:100] if info.file_size <= 100 else b""
                return ".odt" if mime.startswith(_ODF_TEXT) else ".odf"
            if any(n.startswith("xl/") for n in names):
                return ".xlsx"
            if any(n.startswith("ppt/") for n in names):
                return ".pptx"
            return ".zip"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return None


def _ole_type(path: Path) -> str:
    """Word 97-2003, an Outlook message, Excel, PowerPoint, or (anything else) an encrypted Office package.

    The names of an OLE file's streams are stored UTF-16 in its directory sectors, which may sit anywhere in
    the file: they are looked for in the whole file, which the callers' size limit has already bounded.
    """
    data = path.read_bytes()
    has = lambda name: name.encode("utf-16-le") in data  # noqa: E731 - four look-ups
    if has("EncryptedPackage"):
        return ".docx"  # a password-protected Word (or other Office) package: the Word reader says so
    if has("__substg1.0_"):
        return ".msg"
    if has("WordDocument"):
        return ".doc"
    if has("Workbook") or has("Book"):
        return ".xls"
    if has("PowerPoint Document"):
        return ".ppt"
    return ".docx"  # other OLE content in an Office name: the Word reader explains (password or damage)

