"""An email in the inbox: each attachment that is a return is read as its own return, the message never is.

Crash safety comes from the ledger. Each attachment has its own entry, under a stable virtual path
(``message.eml#2/return.docx``) and its own sha256, appended the moment it is done; the email's own entry
(``opened``, or ``quarantined`` when nothing attached is a return) is returned last, for the caller to append
once every attachment is recorded. A run killed half way through an email finds the email not yet done, opens
it again, skips every attachment already in the ledger and reads the rest: each attachment ends as exactly
one entry.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
from datetime import date, datetime
from pathlib import Path

from models.errors import UnreadableFile
from models.record import AuditReturn, EmailOrigin
from models.settings import Settings
from pipeline.intake.email import Attachment, OpenedMessage, is_message, open_message
from pipeline.store.workspace import (
    LedgerEntry, Reason, Workspace, append_ledger, archived_name, copy_atomic, read_ledger, write_atomic,
)

log = logging.getLogger("maap.intake")

STAGING = ".attachments"  # under the workspace: attachments written out while they are read, removed after
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
EMAIL_SIZE_FACTOR = 4  # an email may carry a few returns, base64 adding a third: 4 x limits.max_file_mb
# One email at a time in this process: two emails carrying the same attachment, read at once by two of a flow's
# threads, would each find it new. Attachments still read alongside files saved straight into the inbox.
_ONE_EMAIL_AT_A_TIME = threading.Lock()

__all__ = ["is_message", "process_message", "message_parts"]


def message_parts(entries: list[LedgerEntry], email_file: str) -> list[LedgerEntry]:
    """The entries of the attachments of the latest opening of ``email_file`` (virtual paths ``email_file#...``),
    in ledger order: only those since the email's entry before it, so an earlier version's are left out."""
    opened = [i for i, e in enumerate(entries) if e.file == email_file and e.outcome == "opened"]
    found = []
    for e in reversed(entries[:opened[-1]] if opened else []):
        if e.file == email_file:
            break
        if e.file.startswith(email_file + "#"):
            found.append(e)
    return found[::-1]


def process_message(ws: Workspace, rel: str, sha: str, settings: Settings, today: date | None = None) -> LedgerEntry:
    """Archive an email, read each attachment that is a return through the same path as an inbox file (appending
    its ledger entry as soon as it is done), and return the email's own entry for the caller to append."""
    with _ONE_EMAIL_AT_A_TIME:
        return _process_message(ws, rel, sha, settings, today)


def _process_message(ws: Workspace, rel: str, sha: str, settings: Settings, today: date | None) -> LedgerEntry:
    from pipeline.intake.plan import _quarantine, process_file  # plan.py hands emails to this module

    src = ws.inbox / rel
    archive = ws.archive / archived_name(Path(rel).name, sha)
    if not archive.exists():
        copy_atomic(src, archive)
    ledger = read_ledger(ws)
    for e in ledger:
        if e.outcome == "opened" and e.sha256 == sha and e.file != rel:
            return LedgerEntry(file=rel, sha256=sha, outcome="duplicate", reason=Reason(
                code="duplicate", message=f"Same email as {e.file}, already opened; nothing to do."))
    limit_mb = settings.limits.max_file_mb * EMAIL_SIZE_FACTOR
    if src.stat().st_size > limit_mb * 1024 * 1024:
        return _quarantine(ws, src, rel, sha, "limit_exceeded", (
            f"{Path(rel).name} is larger than {limit_mb:g} MB, more than an email of returns needs; save its "
            "attachments into the inbox instead."))
    try:
        opened = open_message(src)
    except UnreadableFile as e:
        log.info("email %s quarantined: %s", sha[:12], e.code)
        return _quarantine(ws, src, rel, sha, e.code, str(e))
    except OSError:
        raise  # the disk, not the email: the next run tries again
    except Exception as e:  # a fault in opening it: keep the night going, and say so (its text may name people)
        log.error("email %s: internal error %s while opening it", sha[:12], type(e).__name__)
        return _quarantine(ws, src, rel, sha, "internal_error", (
            f"maap failed opening this email ({type(e).__name__}); this is a fault in maap, not in the email. The "
            "original is kept; save its attachments into the inbox meanwhile, and please report it with the file's hash."))
    done = {(e.file, e.sha256) for e in ledger}
    first_by_sha: dict[str, str] = {}
    for e in ledger:
        if e.outcome in ("processed", "quarantined"):
            first_by_sha.setdefault(e.sha256, e.file)
    staging = ws.root / STAGING / sha[:12]
    for i, att in enumerate(opened.returns, start=1):
        part_file = f"{rel}{att.part}"
        att_sha = hashlib.sha256(att.data).hexdigest()
        if (part_file, att_sha) in done:
            continue  # recorded before a crash: never read twice
        if att_sha in first_by_sha and att_sha != EMPTY_SHA256:
            entry = LedgerEntry(file=part_file, sha256=att_sha, outcome="duplicate", reason=Reason(
                code="duplicate", message=f"Same content as {first_by_sha[att_sha]}, already read; nothing to do."))
        else:
            staged = staging / str(i) / att.name  # its own folder: two attachments may share a name
            write_atomic(staged, att.data)
            entry = process_file(ws, part_file, att_sha, settings, today, src=staged)
            if entry.outcome == "processed" and entry.record:
                _add_origin(ws.root / entry.record, rel, att)
        append_ledger(ws, entry)
        done.add((part_file, att_sha))
        first_by_sha.setdefault(att_sha, part_file)
    shutil.rmtree(staging, ignore_errors=True)
    if not opened.returns:
        log.info("email %s quarantined: no_return_attached", sha[:12])
        return _quarantine(ws, src, rel, sha, "no_return_attached", _nothing_attached(Path(rel).name, opened))
    return LedgerEntry(file=rel, sha256=sha, outcome="opened",
                       reason=Reason(code="email_opened", message=_opened_message(opened)))


def _add_origin(record_path: Path, rel: str, att: Attachment) -> None:
    """Write the email a return came with (file, part, sender, date) into its record."""
    record = AuditReturn.model_validate_json(record_path.read_text(encoding="utf-8"))
    origin = EmailOrigin(file=rel, part=att.part, sender=att.sender, sent=att.sent)
    record = record.model_copy(update={"source": record.source.model_copy(update={"email": origin})})
    write_atomic(record_path, (record.model_dump_json(indent=2) + "\n").encode())


def _when(sent: str | None) -> str:
    if not sent:
        return "with no date"
    try:
        return "sent " + datetime.fromisoformat(sent).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return f"sent {sent}"


def _skipped(opened: OpenedMessage) -> str:
    other = [f"{a.part} ({a.skipped})" for a in opened.attachments if a.skipped]
    return f"; not returns: {', '.join(other)}" if other else ""


def _opened_message(opened: OpenedMessage) -> str:
    n = len(opened.returns)
    return (f"Email from {opened.sender or 'an unknown sender'}, {_when(opened.sent)}: {n} attachment"
            f"{'s' if n != 1 else ''} read as {'returns' if n != 1 else 'a return'} "
            f"({', '.join(a.part for a in opened.returns)}){_skipped(opened)}.")


def _nothing_attached(name: str, opened: OpenedMessage) -> str:
    found = (f"its attachments are not returns: {', '.join(f'{a.part} ({a.skipped})' for a in opened.attachments)}"
             if opened.attachments else "it has no attachment")
    return (f"{name} is an email from {opened.sender or 'an unknown sender'}, {_when(opened.sent)}, with no return "
            f"attached ({found}). The agency may have forgotten to attach it: ask them to send the return as a Word "
            "or PDF attachment.")
