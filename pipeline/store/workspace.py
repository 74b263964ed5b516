"""The workspace on disk (a public contract) and its append-only ledger of every file ever dropped."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

FOLDERS = ("inbox", "archive", "quarantine", "records", "output")
# opened: an email whose attachments each have their own entry (``message.eml#2/return.docx``);
# ignored: a lock or temporary file (never read, never archived); not_an_audit_tool: read, and no template
# resembles it (a covering letter): kept in archive/, never a return.
Outcome = Literal["processed", "quarantined", "duplicate", "superseded", "opened", "ignored", "not_an_audit_tool"]


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    message: str


class LedgerEntry(BaseModel):
    """One line of ledger.jsonl: what happened to one file (path in the inbox + its bytes)."""

    model_config = ConfigDict(extra="forbid")
    file: str
    sha256: str
    outcome: Outcome
    reason: Reason | None = None
    record: str | None = None
    at: str = ""


@dataclass(frozen=True)
class Workspace:
    """Paths of a workspace: inbox/, archive/, quarantine/, records/, output/, templates/, ledger.jsonl."""

    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def records(self) -> Path:
        return self.root / "records"

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def codebook(self) -> Path:
        return self.root / "codebook.yaml"

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.jsonl"

    def ensure(self) -> "Workspace":
        for name in FOLDERS:
            (self.root / name).mkdir(parents=True, exist_ok=True)
        return self


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that a crash leaves either the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_atomic(src: Path, dest: Path) -> None:
    """Copy a file byte for byte, atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def append_ledger(ws: Workspace, entry: LedgerEntry) -> None:
    """Append one entry and flush it to disk before returning."""
    if not entry.at:
        entry = entry.model_copy(update={"at": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    with open(ws.ledger, "a", encoding="utf-8") as f:
        f.write(entry.model_dump_json() + "\n")
        f.flush()
        os.fsync(f.fileno())


def read_ledger(ws: Workspace) -> list[LedgerEntry]:
    """Every ledger entry in order; a torn last line (crash while writing) is skipped."""
    if not ws.ledger.exists():
        return []
    entries = []
    for line in ws.ledger.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            entries.append(LedgerEntry.model_validate_json(line))
        except ValueError:
            continue
    return entries


def archived_name(name: str, sha256: str) -> str:
    """Archive names carry the content hash, so two versions of one file name never collide."""
    return f"{sha256[:12]}-{name}"
