"""Fetch emailed returns from an IMAP mailbox into the inbox, then move them to a processed folder on the server.

Each message is saved into the inbox as ``mail-<sent>-<hash>.eml``, atomically (the run never sees half a
message) and named by its content, before it is moved on the server (UID MOVE where the server has it, else
UID COPY, \\Deleted and EXPUNGE). A crash between the two fetches the message again next time, under the same
name with the same bytes: the run has already seen it. Nothing is deleted on the server that is not first on disk.
"""

from __future__ import annotations

import hashlib
import imaplib
import logging
import re
import socket
import ssl
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime

from models.errors import MailboxError
from models.settings import MailSettings
from pipeline.store.workspace import Workspace, write_atomic

log = logging.getLogger("maap.intake")


@dataclass
class FetchResult:
    """What a fetch did: the inbox files written (or already there), and the messages moved on the server."""

    saved: list[str] = field(default_factory=list)
    moved: int = 0

    def line(self) -> str:
        n = len(self.saved)
        return (f"{n} message{'s' if n != 1 else ''} saved into the inbox, {self.moved} moved to the processed "
                "folder on the server")


def inbox_name(data: bytes) -> str:
    """The inbox file name of a fetched message: its sent date (when it has one) and its content hash, so the
    same message fetched twice is the same file. No subject or sender in it: they may name someone."""
    sha = hashlib.sha256(data).hexdigest()[:12]
    try:
        when = parsedate_to_datetime(str(BytesHeaderParser().parsebytes(data).get("Date", "")))
        stamp = when.strftime("%Y%m%d-%H%M-") if when else ""
    except (TypeError, ValueError, IndexError):
        stamp = ""
    return f"mail-{stamp}{sha}.eml"


def connect(mail: MailSettings) -> imaplib.IMAP4:
    """An IMAP connection to the configured server (TLS unless ``ssl: false``); MailboxError when it is down."""
    where = f"{mail.host}:{mail.server_port}"
    try:
        if mail.ssl:
            return imaplib.IMAP4_SSL(mail.host, mail.server_port, ssl_context=ssl.create_default_context(),
                                     timeout=mail.timeout_seconds)
        return imaplib.IMAP4(mail.host, mail.server_port, timeout=mail.timeout_seconds)
    except (OSError, imaplib.IMAP4.error) as e:
        raise MailboxError(f"could not reach the IMAP server at {where} ({_why(e)}); check mail.host and mail.port "
                           "in maap.yaml and that the server is up") from None


def _why(e: Exception) -> str:
    if isinstance(e, socket.timeout):
        return "no answer in time"
    if isinstance(e, ssl.SSLError):
        return f"TLS failed: {e.reason or type(e).__name__}"
    return type(e).__name__


def fetch_mail(ws: Workspace, mail: MailSettings, user: str, password: str,
               conn: imaplib.IMAP4 | None = None) -> FetchResult:
    """Save every message in ``mail.folder`` into WORKSPACE/inbox as .eml, then move each one, once it is on disk,
    to ``mail.processed_folder``. Raises MailboxError (one line, no password) when the server is down, refuses
    the login or has no such folder; messages saved before a failure stay saved."""
    ws.ensure()
    conn = conn or connect(mail)
    result = FetchResult()
    try:
        try:
            conn.login(user, password)
        except imaplib.IMAP4.error:
            raise MailboxError(f"the IMAP server at {mail.host} refused the login: check the user name and password "
                               f"in {mail.user_env} and {mail.password_env}") from None
        _ok(conn.select(_folder(mail.folder)), f"no folder '{mail.folder}' on the IMAP server (mail.folder)")
        _ensure_folder(conn, mail.processed_folder)
        typ, data = conn.uid("SEARCH", None, "ALL")
        _ok((typ, data), "the IMAP server would not list the folder's messages")
        uids = (data[0] or b"").split()
        moving = "MOVE" in {str(c).upper() for c in conn.capabilities}
        for uid in uids:
            raw = _fetch(conn, uid)
            if raw is None:
                log.warning("message %s could not be fetched; it stays on the server", uid.decode())
                continue
            name = inbox_name(raw)
            if not (ws.inbox / name).exists():
                write_atomic(ws.inbox / name, raw)
            result.saved.append(name)
            if moving:
                _ok(conn.uid("MOVE", uid, _folder(mail.processed_folder)), "the IMAP server would not move a message")
            else:
                _ok(conn.uid("COPY", uid, _folder(mail.processed_folder)), "the IMAP server would not copy a message")
                _ok(conn.uid("STORE", uid, "+FLAGS", r"(\Deleted)"), "the IMAP server would not mark a message deleted")
            result.moved += 1
        if not moving and uids:
            conn.expunge()
        log.info("fetched %d message(s) from the mailbox", len(result.saved))
    except (OSError, imaplib.IMAP4.abort) as e:
        raise MailboxError(f"the connection to the IMAP server at {mail.host} was lost ({_why(e)}); "
                           f"{len(result.saved)} message(s) were saved first and the rest stay on the server") from None
    finally:
        try:
            conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return result


def _folder(name: str) -> str:
    """A folder name as IMAP wants it: quoted when it has spaces or quotes."""
    if re.fullmatch(r"[A-Za-z0-9._/\-]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(reply: tuple, message: str) -> None:
    if reply[0] != "OK":
        raise MailboxError(message)


def _ensure_folder(conn: imaplib.IMAP4, name: str) -> None:
    typ, _ = conn.create(_folder(name))  # NO when it exists already: either way it is there
    if typ != "OK":
        typ, listed = conn.list('""', _folder(name))
        if typ != "OK" or not any(listed or [None]):
            raise MailboxError(f"could not create the folder '{name}' on the IMAP server (mail.processed_folder)")


def _fetch(conn: imaplib.IMAP4, uid: bytes) -> bytes | None:
    typ, data = conn.uid("FETCH", uid, "(BODY.PEEK[])")  # PEEK: the message is not marked read until it is moved
    if typ != "OK":
        return None
    for item in data or []:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None
