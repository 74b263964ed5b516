"""The workspace lock: one run at a time per workspace (CLI, flow or served deployment), a stale one cleared.

The lock is the file WORKSPACE/.maap.lock, created exclusively, holding who took it: pid, host, when, what,
and the process's start time (so a pid the system has since given to another process is not mistaken for
the holder). A lock is stale, and is cleared with a warning, when its holder was on this host and that
process is gone, or when it is older than ``stale_after_hours`` (a holder on another host cannot be checked).
The same process may take the lock again (a CLI run that starts the flow): only the outermost release removes it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from models.errors import WorkspaceBusy
from pipeline.store.workspace import Workspace

log = logging.getLogger("maap.store")

LOCK_NAME = ".maap.lock"
STALE_AFTER_HOURS = 24.0  # longer than any night's run; a lock from another host is only cleared by age
_held: dict[str, int] = {}  # lock path -> depth, for the locks this process holds
_held_guard = threading.Lock()


@dataclass(frozen=True)
class Holder:
    """Who holds a workspace lock, as written in the lock file."""

    pid: int
    host: str
    since: str
    command: str = ""
    started: str = ""  # the process's start time on its host (Linux: /proc/PID/stat field 22), "" if unknown

    def describe(self) -> str:
        what = f" ({self.command})" if self.command else ""
        return f"process {self.pid} on {self.host}{what}, since {self.since}"


def _start_time(pid: int) -> str:
    """A process's start time in clock ticks since boot, or "" where /proc is not available."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(holder: Holder) -> bool:
    """Whether the holder, on this host, is still running (and is the same process, not a reused pid)."""
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # running, as another user
    return not (holder.started and _start_time(holder.pid) not in ("", holder.started))


def read_holder(ws: Workspace) -> Holder | None:
    """The holder of the workspace's lock, or None when it is free (or the file is torn: then it is stale)."""
    try:
        data = json.loads((ws.root / LOCK_NAME).read_text(encoding="utf-8"))
        return Holder(**{k: data[k] for k in ("pid", "host", "since", "command", "started") if k in data})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError):
        return Holder(pid=0, host="?", since="")


def stale_reason(holder: Holder, stale_after_hours: float = STALE_AFTER_HOURS) -> str | None:
    """Why a lock is stale (its run is gone, or it is too old), or None while it is held."""
    if holder.pid == 0:
        return "its lock file is unreadable"
    if holder.host == socket.gethostname() and not _alive(holder):
        return "that process is no longer running"
    try:
        age = (datetime.now(timezone.utc) - datetime.fromisoformat(holder.since)).total_seconds() / 3600
    except ValueError:
        return "its start time is unreadable"
    if age > stale_after_hours:
        return f"it is {age:.0f} hours old, more than the {stale_after_hours:g} hours any run takes"
    return None


class WorkspaceLock:
    """``with WorkspaceLock(ws, "maap run"):`` holds the workspace for one run; raises WorkspaceBusy when another
    run holds it (after waiting up to ``wait_seconds``). ``cleared`` says which stale lock was removed, if any."""

    def __init__(self, ws: Workspace, command: str = "", wait_seconds: float = 0.0,
                 stale_after_hours: float = STALE_AFTER_HOURS, poll_seconds: float = 1.0):
        self.path = ws.root / LOCK_NAME
        self.ws, self.command, self.wait_seconds = ws, command, wait_seconds
        self.stale_after_hours, self.poll_seconds = stale_after_hours, poll_seconds
        self.cleared: str | None = None

    def __enter__(self) -> "WorkspaceLock":
        key = str(self.path.resolve())
        with _held_guard:
            if _held.get(key):
                _held[key] += 1
                return self
        deadline = time.monotonic() + self.wait_seconds
        while not self._try_create():
            holder = read_holder(self.ws)
            if holder is None:
                continue  # released between our attempt and the read: try again at once
            why = stale_reason(holder, self.stale_after_hours)
            if why:
                self._clear(holder, why)
                continue
            if time.monotonic() >= deadline:
                waited = f" (waited {self.wait_seconds:g} s)" if self.wait_seconds else ""
                raise WorkspaceBusy(
                    f"{self.ws.root}: another maap run is using this workspace: {holder.describe()}{waited}. "
                    f"Wait for it to finish (or use --wait SECONDS); if that run is known to be dead, delete "
                    f"{self.path}")
            time.sleep(min(self.poll_seconds, max(0.0, deadline - time.monotonic())))
        with _held_guard:
            _held[key] = 1
        return self

    def __exit__(self, *exc) -> None:
        key = str(self.path.resolve())
        with _held_guard:
            _held[key] -= 1
            if _held[key]:
                return
            del _held[key]
        holder = read_holder(self.ws)
        if holder is not None and holder.pid == os.getpid() and holder.host == socket.gethostname():
            self.path.unlink(missing_ok=True)

    def _try_create(self) -> bool:
        self.ws.root.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        me = {"pid": os.getpid(), "host": socket.gethostname(), "command": self.command,
              "since": datetime.now(timezone.utc).isoformat(timespec="seconds"), "started": _start_time(os.getpid())}
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(me) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return True

    def _clear(self, holder: Holder, why: str) -> None:
        """Remove a stale lock, unless another run replaced it meanwhile (only that exact file is removed)."""
        moved = self.path.with_name(f"{LOCK_NAME}.stale-{os.getpid()}-{threading.get_ident()}")
        try:
            os.replace(self.path, moved)
        except FileNotFoundError:
            return
        try:
            data = json.loads(moved.read_text(encoding="utf-8"))
            same = (data.get("pid"), data.get("since")) == (holder.pid, holder.since)
        except (OSError, ValueError):
            same = holder.pid == 0
        if not same and not self.path.exists():  # a live run's lock taken by mistake: put it back
            os.replace(moved, self.path)
            return
        moved.unlink(missing_ok=True)
        self.cleared = f"cleared a stale workspace lock left by {holder.describe()}: {why}"
        log.warning(self.cleared)
