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

IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
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


def _inbox_files(ws: Workspace) -> list[Path]:
    return sorted(p for p in ws.inbox.rglob("*") if p.is_file() and p.name not in IGNORED_NAMES
                  and not p.name.startswith("."))


def plan_run(ws: Workspace, settle_seconds: float = 0.0) -> Plan:
    """Compare the inbox with the ledger: same path and bytes is already seen; same bytes elsewhere is a duplicate."""
    ws.ensure()
    ledger = read_ledger(ws)
    seen_pairs = {(e.file, e.sha256) for e in ledger}
    first_by_sha = {}
    for e in ledger:
        if e.outcome in ("processed", "quarantined"):
            first_by_sha.setdefault(e.sha256, e.file)
    plan = Plan()
    now = time.time()
    for path in _inbox_files(ws):
        rel = path.relative_to(ws.inbox).as_posix()
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


def _is_lock_file(name: str) -> bool:
    return name.startswith("~$")


def process_file(ws: Workspace, rel: str, sha: str, settings: Settings, today: date | None = None,
                 src: Path | None = None) -> LedgerEntry:
    """Archive one inbox file, read it into a record (with themes), or quarantine it with a reason. Never raises
    for a bad file; the ledger entry it returns is appended by the caller. ``src`` is where the bytes are when
    they are not at ``inbox/rel`` (an email's attachment); an email is opened by ``email_intake``."""
    if src is None and is_message(rel):
        return _process_email(ws, rel, sha, settings, today)
    src = ws.inbox / rel if src is None else src
    archive = ws.archive / archived_name(Path(rel).name, sha)
    if not archive.exists():
        copy_atomic(src, archive)
    if sha == EMPTY_SHA256:
        return _quarantine(ws, src, rel, sha, "empty_file", (
            f"{Path(rel).name} is empty (0 bytes): the attachment was probably lost on the way; ask the agency to "
            "send it again."))
    if _is_lock_file(Path(rel).name):
        return _quarantine(ws, src, rel, sha, "not_a_return", (
            "This is a lock file Word leaves beside a document that is open; it is not a return and can be deleted."))
    try:
        record = read_return(src, settings, templates_for(ws, settings), today)
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


def _process_email(ws: Workspace, rel: str, sha: str, settings: Settings, today: date | None) -> LedgerEntry:
    """An email: each attachment that is a return goes through process_file as its own return (see email_intake)."""
    from pipeline.intake.email_intake import process_message

    return process_message(ws, rel, sha, settings, today)


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
