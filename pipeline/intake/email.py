"""Open an email (.eml, Outlook .msg) into its attachments: plain data, nothing written, nothing decided.

Each attachment gets a stable ``part`` (``#2/return.docx``; ``#3/fwd.msg#1/return.docx`` inside a forwarded
message) from its place in the message, so the same bytes always give the same parts. The message body is
never an attachment; inline images (signatures, logos) and parts in formats maap does not read are listed
with why they are not returns. Names are made safe here, once: whatever an attachment calls itself, its
``name`` is a plain file name that cannot leave the folder it is written to.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath

from extractors.registry import supported_suffixes
from models.errors import UnreadableFile

MESSAGE_SUFFIXES = (".eml", ".msg")
MAX_DEPTH = 5  # a message in a message in a message...: deeper than this is not opened
MAX_NAME = 100
# What a mail program says a return is when the name has no suffix maap reads.
RETURN_TYPES = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-word.document.macroenabled.12": ".docm",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "application/vnd.oasis.opendocument.text": ".odt",
}
MESSAGE_TYPES = ("message/rfc822", "application/vnd.ms-outlook")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.I)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\/]')


@dataclass(frozen=True)
class Attachment:
    """One file attached to a message (or to a message inside it), with the message it came with."""

    part: str  # where it sits in the message file: "#2/return.docx"
    name: str  # a safe file name
    data: bytes
    sender: str | None
    sent: str | None  # ISO date and time the message was sent, when it says
    skipped: str | None = None  # why it is not a return (inline image, a format maap does not read), or None


@dataclass
class OpenedMessage:
    """A message's sender, date and every attachment, nested messages' attachments included."""

    sender: str | None
    sent: str | None
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def returns(self) -> list[Attachment]:
        return [a for a in self.attachments if a.skipped is None]


def is_message(name: str) -> bool:
    """Whether a file name is an email maap opens (.eml or .msg)."""
    return name.lower().endswith(MESSAGE_SUFFIXES)


def safe_name(raw: str | None, index: int) -> str:
    """A plain file name from whatever an attachment calls itself: no folders, no control characters or NUL, not
    hidden, not a Windows device name, at most MAX_NAME characters with its suffix kept."""
    text = (raw or "").replace("\\", "/").split("/")[-1]
    text = _UNSAFE.sub("_", text).strip().lstrip(".").strip()
    if not text or set(text) <= {"_", " ", "."}:
        text = f"attachment-{index}"
    if _RESERVED.match(text):
        text = f"_{text}"
    if len(text) > MAX_NAME:
        suffix = PurePosixPath(text).suffix
        suffix = suffix if len(suffix) <= 10 else ""
        text = text[:MAX_NAME - len(suffix)].rstrip() + suffix
    return text


def open_message(path: Path) -> OpenedMessage:
    """Open an .eml or .msg file into its sender, date and attachments; raises UnreadableFile (code
    ``unreadable_email``) when the file is not a message maap can open."""
    path = Path(path)
    data = path.read_bytes()
    return _open(data, path.suffix.lower(), "", 0, path.name)


def _open(data: bytes, suffix: str, prefix: str, depth: int, label: str) -> OpenedMessage:
    """By content, not name: an Outlook message is an OLE compound file; anything else is read as MIME text."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _open_msg(data, prefix, depth, label)
    return _open_eml(data, prefix, depth, label)


def _unreadable(label: str, why: str) -> UnreadableFile:
    return UnreadableFile(f"{label} could not be opened as an email ({why}). Save the message again from the mail "
                          "program (File > Save As), or save its attachments into the inbox.", code="unreadable_email")


def _iso(when: datetime | None) -> str | None:
    return when.isoformat(timespec="minutes") if when else None


def _return_name(name: str, mime: str) -> tuple[str, str | None]:
    """The name to read an attachment by, and why it is not a return (None when it is)."""
    suffix = PurePosixPath(name.lower()).suffix
    if suffix in supported_suffixes():
        return name, None
    if mime in RETURN_TYPES:  # "ATT00001" sent as application/pdf is read as the PDF it says it is
        return name + RETURN_TYPES[mime], None
    return name, f"not a format maap reads ({suffix or mime or 'no type'})"


def _add(found: OpenedMessage, prefix: str, index: int, raw_name: str | None, mime: str, data: bytes,
         inline: bool, depth: int) -> None:
    name = safe_name(raw_name, index)
    part = f"{prefix}#{index}/{name}"
    if depth < MAX_DEPTH and (mime in MESSAGE_TYPES or name.lower().endswith(MESSAGE_SUFFIXES)):
        nested = _open(data, PurePosixPath(name.lower()).suffix, part, depth + 1, name)
        found.attachments.extend(nested.attachments)
        return
    image = mime.startswith("image/") or PurePosixPath(name.lower()).suffix in IMAGE_SUFFIXES
    if image and inline:
        found.attachments.append(Attachment(part, name, data, found.sender, found.sent, "inline image"))
        return
    name, why = _return_name(name, mime)  # an empty return is still a return: intake says it is empty
    found.attachments.append(Attachment(f"{prefix}#{index}/{name}", name, data, found.sender, found.sent, why))


# .eml -----------------------------------------------------------------------------------------------------------

def _open_eml(data: bytes, prefix: str, depth: int, label: str) -> OpenedMessage:
    msg = email.message_from_bytes(data, policy=policy.default)
    if not isinstance(msg, EmailMessage) or not (msg.keys() and (msg.get("From") or msg.get("Date")
                                                                   or msg.get("Subject") or msg.is_multipart())):
        raise _unreadable(label, "no mail headers")
    return _walk_eml(msg, prefix, depth)


def _header(msg, name: str) -> str | None:
    try:
        value = msg.get(name)
    except Exception:  # a malformed header: the message is still read, without it
        return None
    return str(value).strip() or None if value is not None else None


def _eml_date(msg) -> str | None:
    text = _header(msg, "Date")
    try:
        return _iso(parsedate_to_datetime(text)) if text else None
    except (TypeError, ValueError, IndexError):
        return None


def _walk_eml(msg: EmailMessage, prefix: str, depth: int) -> OpenedMessage:
    found = OpenedMessage(sender=_header(msg, "From"), sent=_eml_date(msg))
    index = 0
    for part in _leaves(msg):
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        mime = part.get_content_type()
        if mime in ("text/plain", "text/html") and not filename and disposition != "attachment":
            continue  # the body, never a return
        index += 1
        if mime == "message/rfc822":
            inner = part.get_payload()[0] if part.is_multipart() or isinstance(part.get_payload(), list) else None
            body = bytes(inner) if inner is not None else (part.get_payload(decode=True) or b"")
            _add(found, prefix, index, filename or f"message-{index}.eml", mime, body, False, depth)
            continue
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:
            payload = b""
        inline = disposition == "inline" or (disposition is None and bool(part.get("Content-ID")))
        _add(found, prefix, index, filename, mime, payload, inline, depth)
    return found


def _leaves(msg):
    """Every non-multipart part in order; a message/rfc822 part is a leaf (it is opened as its own message)."""
    if msg.get_content_type() == "message/rfc822" or not msg.is_multipart():
        yield msg
        return
    for sub in msg.get_payload():
        yield from _leaves(sub)


# .msg -----------------------------------------------------------------------------------------------------------

def _open_msg(data: bytes, prefix: str, depth: int, label: str) -> OpenedMessage:
    import extract_msg

    try:
        msg = extract_msg.openMsg(data, strict=False, delayAttachments=False)
    except Exception as e:  # extract-msg raises many kinds for a damaged file; each means the same here
        raise _unreadable(label, type(e).__name__) from e
    try:
        return _walk_msg(msg, prefix, depth)
    finally:
        msg.close()


def _walk_msg(msg, prefix: str, depth: int) -> OpenedMessage:
    found = OpenedMessage(sender=_msg_value(msg, "sender"), sent=_iso(_msg_value(msg, "date")))
    for index, att in enumerate(_msg_value(msg, "attachments") or [], start=1):
        raw = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or getattr(att, "name", None)
        mime = (getattr(att, "mimetype", None) or "").lower()
        data = getattr(att, "data", None)
        if data is not None and not isinstance(data, (bytes, bytearray)):  # an embedded Outlook message
            name = safe_name(raw, index)
            name = name if name.lower().endswith(".msg") else f"{name}.msg"
            part = f"{prefix}#{index}/{name}"
            if depth < MAX_DEPTH and hasattr(data, "attachments"):
                found.attachments.extend(_walk_msg(data, part, depth + 1).attachments)
            else:
                found.attachments.append(Attachment(part, name, b"", found.sender, found.sent, "nested too deep"))
            continue
        inline = bool(getattr(att, "hidden", False)) or bool(getattr(att, "cid", None))
        _add(found, prefix, index, raw, mime, bytes(data or b""), inline, depth)
    return found


def _msg_value(msg, name: str):
    try:
        value = getattr(msg, name)
    except Exception:  # a property extract-msg cannot decode: the rest of the message is still read
        return None
    return value.strip() or None if isinstance(value, str) else value
