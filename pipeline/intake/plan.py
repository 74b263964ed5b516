"""Intake: decide what in the inbox is new, read each new file into a record or quarantine, never lose one."""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from models.errors import ConfigError, TemplateError, UnreadableFile
from models.record import AuditReturn
from models.settings import Settings
from models.template import Template
from pipeline.intake.isolation import ReaderFault, read_return  # in a reader process the run can kill, if isolated
from pipeline.intake.email import is_message
from pipeline.intake.process import sha256_of
from pipeline.store.workspace import (
    LedgerEntry, Reason, Workspace, archived_name, copy_atomic, read_ledger, write_atomic,
)

log = logging.getLogger("maap.intake")

IGNORED_NAMES = {"Thumbs.db", "desktop.ini", "ehthumbs.db"}
TEMPORARY_SUFFIXES = {".tmp", ".temp", ".crdownload", ".part", ".partial", ".download", ".opdownload"}
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass
class Plan:
    """What a run will do: files to read, files already seen, new copies of bytes already read."""

    to_process: list[tuple[str, str]] = field(default_factory=list)  # (inbox-relative path, sha256)
    already_seen: int = 0
    duplicates: list[LedgerEntry] = field(default_factory=list)
    refused: list[LedgerEntry] = field(default_factory=list)  # quarantined without reading (links)
    waiting: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # could not be read from disk: the next run tries again
    ignored: list[LedgerEntry] = field(default_factory=list)  # lock and temporary files, recorded once per name


def ignored_reason(rel: str) -> Reason | None:
    """Why an inbox path is a lock, temporary or hidden file and not a return, or None when it may be one.

    Word's owner files (``~$name.docx``), LibreOffice's locks (``.~lock.name.docx#``), downloads and copies
    still in progress (``.crdownload``, ``.part``, ``.tmp``), hidden files and folders, and the thumbnail
    caches Windows and macOS leave behind.
    """
    parts = rel.split("/")
    name = parts[-1]
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
        return Reason(code="lock_file", message=(
            "A lock file Word or LibreOffice keeps beside a document that is open; not a return. It goes away "
            "when the document is closed, and the document itself is read."))
    if Path(name).suffix.lower() in TEMPORARY_SUFFIXES or (name.startswith("~") and name.lower().endswith(".tmp")):
        return Reason(code="temporary_file", message=(
            "A temporary file (a download or copy still in progress, or an editor's scratch file); not a return. "
            "When the finished file appears under its real name it is read."))
    if any(part.startswith(".") for part in parts) or name in IGNORED_NAMES:
        return Reason(code="hidden_file", message="A hidden or system file (such as .DS_Store or Thumbs.db); not a return.")
    return None


def _inbox_files(ws: Workspace) -> list[Path]:
    return sorted(p for p in ws.inbox.rglob("*") if p.is_file() or p.is_symlink())


def plan_run(ws: Workspace, settle_seconds: float = 0.0, templates_changed_at: str = "") -> Plan:
    """Compare the inbox with the ledger: same path and bytes is already seen; same bytes elsewhere is a duplicate.

    Lock and temporary files are recorded as ``ignored`` once per name and never read. A file found not to be an
    audit tool is read again once templates have changed since (``templates_changed_at``, an ISO time), so a
    return of a tool learned afterwards is not left behind.
    """
    ws.ensure()
    ledger = read_ledger(ws)
    seen_pairs = {(e.file, e.sha256) for e in ledger if not (
        e.outcome == "not_an_audit_tool" and templates_changed_at and e.at < templates_changed_at)}
    ignored_files = {e.file for e in ledger if e.outcome == "ignored"}
    first_by_sha = {}
    for e in ledger:
        if e.outcome in ("processed", "quarantined"):
            first_by_sha.setdefault(e.sha256, e.file)
    plan = Plan()
    now = time.time()
    for path in _inbox_files(ws):
        rel = path.relative_to(ws.inbox).as_posix()
        if (why := ignored_reason(rel)) is not None:
            if rel in ignored_files:
                plan.already_seen += 1
            else:
                ignored_files.add(rel)
                plan.ignored.append(LedgerEntry(file=rel, sha256=_ignored_sha(path, rel), outcome="ignored", reason=why))
            continue
        if path.is_symlink():
            entry = _link_entry(ws, path, rel)
            if (rel, entry.sha256) in seen_pairs:
                plan.already_seen += 1
            else:
                plan.refused.append(entry)
            continue
        try:
            if settle_seconds and now - path.stat().st_mtime < settle_seconds:
                plan.waiting.append(rel)  # still being written; the next run takes it
                continue
            sha = sha256_of(path)
        except OSError as e:
            log.warning("an inbox file could not be read (%s); it stays for the next run", type(e).__name__)
            plan.failed.append(rel)
            continue
        if (rel, sha) in seen_pairs:
            plan.already_seen += 1
            continue
        if sha in first_by_sha and sha != EMPTY_SHA256:  # every empty file is worth chasing, not just the first
            plan.duplicates.append(LedgerEntry(
                file=rel, sha256=sha, outcome="duplicate",
                reason=Reason(code="duplicate", message=f"Same content as {first_by_sha[sha]}, already read; nothing to do."),
            ))
            continue
        first_by_sha[sha] = rel
        plan.to_process.append((rel, sha))
    return plan


def _ignored_sha(path: Path, rel: str) -> str:
    """The content hash of an ignored file; a lock file that vanished meanwhile (often) hashes its name instead."""
    try:
        if not path.is_symlink():
            return sha256_of(path)
    except OSError:
        pass
    return hashlib.sha256(f"ignored:{rel}".encode()).hexdigest()


def _link_entry(ws: Workspace, path: Path, rel: str) -> LedgerEntry:
    """A link in the inbox is not read: it could point anywhere on the machine. Only its reason is written."""
    target = str(path.readlink()) if hasattr(path, "readlink") else "elsewhere"
    sha = hashlib.sha256(f"link:{rel}->{target}".encode()).hexdigest()
    reason = Reason(code="link_not_file", message=(
        f"{path.name} is a link to another file, not a file saved into the inbox; maap does not follow links. "
        "Save the return itself into the inbox."))
    write_atomic(ws.quarantine / f"{path.name}.reason.json", (reason.model_dump_json(indent=2) + "\n").encode())
    return LedgerEntry(file=rel, sha256=sha, outcome="quarantined", reason=reason)


@lru_cache(maxsize=8)
def _templates_for(dirs: tuple[str, ...], stamp: tuple[float, ...]) -> dict[str, Template]:
    from pipeline.templates.registry import load_templates

    return load_templates([Path(d) for d in dirs])


def templates_for(ws: Workspace, settings: Settings) -> dict[str, Template]:
    """Built-in templates plus the workspace's and any configured folders, cached while unchanged."""
    dirs = tuple(str(d) for d in [*settings.template_dirs, ws.templates])
    stamp = tuple(max((p.stat().st_mtime for p in Path(d).glob("*.y*ml")), default=0.0) for d in dirs)
    return _templates_for(dirs, stamp)


def record_name(rel: str, sha: str) -> str:
    return f"{Path(rel).stem}-{sha[:12]}.json"


def _quarantine(ws: Workspace, src: Path, rel: str, sha: str, code: str, message: str) -> LedgerEntry:
    dest = ws.quarantine / Path(rel).name
    if dest.exists() and sha256_of(dest) != sha:
        dest = ws.quarantine / f"{Path(rel).stem}-{sha[:8]}{Path(rel).suffix}"
    copy_atomic(src, dest)
    reason = Reason(code=code, message=message)
    write_atomic(dest.with_name(dest.name + ".reason.json"), (reason.model_dump_json(indent=2) + "\n").encode())
    return LedgerEntry(file=rel, sha256=sha, outcome="quarantined", reason=reason)


def process_file(ws: Workspace, rel: str, sha: str, settings: Settings, today: date | None = None,
                 src: Path | None = None) -> LedgerEntry:
    """Archive one inbox file, read it into a record (with themes), or quarantine it with a reason. Never raises
    for a bad file; the ledger entry it returns is appended by the caller. ``src`` is where the bytes are when
    they are not at ``inbox/rel`` (an email's attachment); an email is opened by ``email_intake``."""
    if (why := ignored_reason(rel)) is not None:  # planning leaves these out; a caller naming one gets the same
        return LedgerEntry(file=rel, sha256=sha, outcome="ignored", reason=why)
    if src is None and (is_message(rel) or _is_message_inside(ws.inbox / rel)):
        return _process_email(ws, rel, sha, settings, today)
    src = ws.inbox / rel if src is None else src
    archive = ws.archive / archived_name(Path(rel).name, sha)
    if not archive.exists():
        copy_atomic(src, archive)
    if sha == EMPTY_SHA256:
        return _quarantine(ws, src, rel, sha, "empty_file", (
            f"{Path(rel).name} is empty (0 bytes): the attachment was probably lost on the way; ask the agency to "
            "send it again."))
    try:
        templates = templates_for(ws, settings)
        record = read_return(src, settings, templates, today)
        if not settings.template_id and record.template.confidence < settings.not_a_return_below:
            return _not_an_audit_tool(ws, rel, sha, record, templates, settings)
        record = tag_record(record, ws, settings)
    except UnreadableFile as e:
        log.info("file %s quarantined: %s", sha[:12], e.code)
        return _quarantine(ws, src, rel, sha, e.code, str(e))
    except OSError:
        raise  # the disk, not the file: the caller retries or leaves the file for the next run
    except (TemplateError, ConfigError):
        raise  # a template or the codebook is wrong, not this file: stop the run and say so
    except Exception as e:  # a bug: keep the night going, but say so plainly
        # The exception's message may quote answer text, so only its type and where it happened are logged.
        if isinstance(e, ReaderFault):  # raised in a reader process: its type and frames came back as text
            kind, where = e.kind, e.where
        else:
            kind, where = type(e).__name__, "".join(traceback.format_tb(e.__traceback__)[-3:])
        log.error("file %s: internal error %s\n%s", sha[:12], kind, where)
        return _quarantine(ws, src, rel, sha, "internal_error", (
            f"maap failed on this file ({kind}); this is a fault in maap, not in the file. "
            "The original is kept; please report it with the file's hash."))
    name = record_name(rel, sha)
    write_atomic(ws.records / name, (record.model_dump_json(indent=2) + "\n").encode())
    log.info("file %s processed: %d flags", sha[:12], len(record.flags))
    return LedgerEntry(file=rel, sha256=sha, outcome="processed", record=f"records/{name}")


def _is_message_inside(path: Path) -> bool:
    """An email or Outlook message saved under another name ('return.docx' that is really a .msg)."""
    from extractors.sniff import sniff

    try:
        return sniff(path) in (".eml", ".msg")
    except OSError:
        return False


def _process_email(ws: Workspace, rel: str, sha: str, settings: Settings, today: date | None) -> LedgerEntry:
    """An email: each attachment that is a return goes through process_file as its own return (see email_intake)."""
    from pipeline.intake.email_intake import process_message

    return process_message(ws, rel, sha, settings, today)


def _not_an_audit_tool(ws: Workspace, rel: str, sha: str, record: AuditReturn, templates: dict[str, Template],
                       settings: Settings) -> LedgerEntry:
    """The outcome of a file no template resembles (a covering letter, a chronology): kept in archive/, not a return."""
    best = templates.get(record.template.id)
    name = f"'{best.name}' ({best.id})" if best else record.template.id
    log.info("file %s is not an audit tool (best match %.2f)", sha[:12], record.template.confidence)
    return LedgerEntry(file=rel, sha256=sha, outcome="not_an_audit_tool", reason=Reason(
        code="not_an_audit_tool", message=(
            f"Not read as a return: it does not resemble any audit tool maap knows (closest: {name} at "
            f"{record.template.confidence:.0%}, below the {settings.not_a_return_below:.0%} a return needs). A covering "
            "letter or other paperwork needs nothing more (the original is kept in archive/). If it is a return of "
            "a tool maap does not know yet, learn that tool's blank form: maap templates learn BLANK.docx --id TOOL "
            f"--out {ws.templates}/TOOL.yaml; the next run reads this file again. Or run it with --template ID.")))


@lru_cache(maxsize=8)
def _codebook_for(path: str | None, stamp: float):
    from pipeline.themes.codebook import load_codebook

    return load_codebook(Path(path) if path else None)


def codebook_for(ws: Workspace, settings: Settings):
    """The built-in codebook merged with the workspace's codebook.yaml (or a configured one), cached while unchanged."""
    override = settings.codebook or (ws.codebook if ws.codebook.exists() else None)
    return _codebook_for(str(override) if override else None, override.stat().st_mtime if override else 0.0)


def preflight(ws: Workspace, settings: Settings) -> None:
    """Load templates, codebook and the trained theme model once before reading any file, so a mistake in them
    stops the run with one clear message instead of quarantining every return."""
    from pipeline.templates.registry import get_template

    templates = templates_for(ws, settings)
    if settings.template_id:
        get_template(settings.template_id, templates)
    if codebook_for(ws, settings).model:
        from pipeline.themes.model import load_model

        load_model()  # a damaged model file stops the run here, once, with what to do


def tag_record(record: AuditReturn, ws: Workspace, settings: Settings) -> AuditReturn:
    """Add themes to one record with the workspace codebook."""
    from pipeline.themes.tag import tag_returns

    return tag_returns([record], codebook_for(ws, settings))[0]
