"""Real email files built in code for tests: .eml with the stdlib, Outlook .msg as an OLE compound file.

extract-msg cannot write a message, but its ``OleWriter`` writes a compound file; the streams laid out here
are the ones [MS-OXMSG] describes (a properties stream, ``__substg1.0_`` value streams, one storage per
attachment, an embedded message as a ``3701000D`` storage), enough for extract-msg to read sender, date,
subject, body and attachments. Every person named here is fictional.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from extract_msg.ole_writer import OleWriter

PT_LONG, PT_BOOLEAN, PT_SYSTIME, PT_UNICODE, PT_BINARY, PT_OBJECT = 0x0003, 0x000B, 0x0040, 0x001F, 0x0102, 0x000D


@dataclass
class Part:
    """One attachment: a file (``data``) or a whole message (``message``)."""

    name: str
    data: bytes = b""
    mime: str = "application/octet-stream"
    inline: bool = False
    content_id: str | None = None
    message: "Mail | None" = None


@dataclass
class Mail:
    sender: str = "Ann Example <ann.example@agency.example>"
    to: str = "audit@partnership.example"
    subject: str = "Audit return"
    date: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc))
    body: str = "Please find our return attached."
    parts: list[Part] = field(default_factory=list)


def eml_message(mail: Mail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = mail.sender, mail.to, mail.subject
    msg["Date"] = format_datetime(mail.date)
    msg.set_content(mail.body)
    for p in mail.parts:
        if p.message is not None:
            if p.name.lower().endswith(".msg"):
                msg.add_attachment(msg_bytes(p.message), maintype="application", subtype="vnd.ms-outlook",
                                   filename=p.name)
            else:
                msg.add_attachment(eml_message(p.message))  # a message/rfc822 part
            continue
        maintype, subtype = p.mime.split("/", 1)
        msg.add_attachment(p.data, maintype=maintype, subtype=subtype, filename=p.name,
                           disposition="inline" if p.inline else "attachment", cid=p.content_id)
    return msg


def eml_bytes(mail: Mail) -> bytes:
    return bytes(eml_message(mail))


def write_eml(path: Path, mail: Mail) -> Path:
    path.write_bytes(eml_bytes(mail))
    return path


def _filetime(when: datetime) -> int:
    return int((when - datetime(1601, 1, 1, tzinfo=timezone.utc)).total_seconds() * 10_000_000)


def _properties(writer: OleWriter, prefix: str, props: list[tuple[int, int, object]], header: bytes) -> None:
    """Write each property: fixed ones inside the properties stream, strings and bytes as their own streams."""
    table = bytearray(header)
    for prop_id, kind, value in props:
        tag = (prop_id << 16) | kind
        if kind in (PT_UNICODE, PT_BINARY):
            data = value.encode("utf-16-le") if kind == PT_UNICODE else value
            writer.addEntry(f"{prefix}__substg1.0_{tag:08X}", data)
            table += struct.pack("<IIII", tag, 6, len(data), 0)
        elif kind == PT_OBJECT:
            table += struct.pack("<IIII", tag, 6, 0xFFFFFFFF, 0)
        elif kind == PT_SYSTIME:
            table += struct.pack("<IIQ", tag, 6, _filetime(value))
        else:
            table += struct.pack("<IIII", tag, 6, int(value), 0)
    writer.addEntry(f"{prefix}__properties_version1.0", bytes(table))


def _address(sender: str) -> tuple[str, str]:
    if "<" in sender:
        name, addr = sender.split("<", 1)
        return name.strip(), addr.rstrip(">").strip()
    return sender, sender


def _write_message(writer: OleWriter, mail: Mail, prefix: str, top: bool) -> None:
    name, addr = _address(mail.sender)
    props = [(0x001A, PT_UNICODE, "IPM.Note"), (0x0037, PT_UNICODE, mail.subject), (0x1000, PT_UNICODE, mail.body),
             (0x0C1A, PT_UNICODE, name), (0x0C1F, PT_UNICODE, addr), (0x5D01, PT_UNICODE, addr),
             (0x0065, PT_UNICODE, addr), (0x0E04, PT_UNICODE, mail.to),
             (0x0039, PT_SYSTIME, mail.date), (0x0E06, PT_SYSTIME, mail.date), (0x0E07, PT_LONG, 0)]
    n = len(mail.parts)
    header = struct.pack("<8xIIII", 0, n, 0, n) + (b"\0" * 8 if top else b"")
    if top:
        writer.addEntry("__nameid_version1.0", storage=True)
        for s in ("00020102", "00030102", "00040102"):
            writer.addEntry(f"__nameid_version1.0/__substg1.0_{s}", b"")
    _properties(writer, prefix, props, header)
    for i, p in enumerate(mail.parts):
        att = f"{prefix}__attach_version1.0_#{i:08X}/"
        writer.addEntry(att.rstrip("/"), storage=True)
        aprops = [(0x3707, PT_UNICODE, p.name), (0x3704, PT_UNICODE, p.name[:12]), (0x370E, PT_UNICODE, p.mime),
                  (0x0E21, PT_LONG, i)]
        if p.content_id:
            aprops.append((0x3712, PT_UNICODE, p.content_id))
        if p.inline:
            aprops.append((0x7FFE, PT_BOOLEAN, 1))
        if p.message is not None:
            aprops += [(0x3705, PT_LONG, 5), (0x3701, PT_OBJECT, None)]
            _properties(writer, att, aprops, b"\0" * 8)
            writer.addEntry(f"{att}__substg1.0_3701000D", storage=True)
            _write_message(writer, p.message, f"{att}__substg1.0_3701000D/", top=False)
        else:
            aprops += [(0x3705, PT_LONG, 1), (0x3701, PT_BINARY, p.data)]
            _properties(writer, att, aprops, b"\0" * 8)


def write_msg(path: Path, mail: Mail) -> Path:
    writer = OleWriter()
    _write_message(writer, mail, "", top=True)
    writer.write(path)
    return path


def msg_bytes(mail: Mail) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        return write_msg(Path(d) / "m.msg", mail).read_bytes()
