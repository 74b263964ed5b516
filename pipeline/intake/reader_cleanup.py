"""Finding and stopping what a run's readers started, wherever it went: converters in sessions of their own,
reparented to init after a double fork, or left by a run that was killed outright; and the readers' folders.

Each reader marks its environment (``MARK``, naming the reader and its run), which everything it starts inherits;
pipeline.intake.isolation stops every process so marked when it kills a reader or finds one dead, and the next run
stops what a killed run left (``sweep_orphans``). Processes and marks are found in /proc: on other systems
nothing is found, and converters are stopped only by their own time limits.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

# The logger reader isolation has always used, so logging set up for it still shows what a sweep stopped.
log = logging.getLogger("maap.isolation")

# Every process a reader starts inherits this variable, whose value names the reader and the run that owns it,
# so the run can find and stop them wherever they end up: in a session of their own, reparented to init after a
# double fork, or orphaned by a reader that crashed.
MARK = "MAAP_READER"
FOLDER_PREFIX = "maap-reader-"


def _tool_groups(pid: int) -> set[int]:
    """Process groups of ``pid``'s descendants other than ours: converters run in their own session, so killing
    the reader alone would leave them running. Linux only (reads /proc); elsewhere nothing is found.

    The environment mark (stop_marked) finds more (orphans, double forks); this also finds a converter started
    with an environment of its own that dropped the mark, as long as the reader is alive to be its ancestor.
    """
    parent_of: dict[int, int] = {}
    group_of: dict[int, int] = {}
    try:
        entries = list(os.scandir("/proc"))
    except OSError:
        return set()
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "stat"), "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()  # the command name may hold spaces and ')'
        except (OSError, IndexError):
            continue
        parent_of[int(entry.name)], group_of[int(entry.name)] = int(fields[1]), int(fields[2])
    children: dict[int, list[int]] = {}
    for child, parent in parent_of.items():
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            found.add(group_of[child])
    return found - {os.getpgrp()}


# --- finding what readers started, wherever it went ---------------------------------------------------------------

def _start_ticks(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, /proc), so a reused pid is not taken for it."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return None


def _owner() -> str:
    """This process as a reader token's owner: pid and start time."""
    return f"{os.getpid()}.{_start_ticks(os.getpid()) or 0}"


def _owner_alive(token: str) -> bool:
    """Whether the run that started the reader named by ``token`` is still running (when unsure, yes)."""
    pid, _, rest = token.partition(".")
    ticks = rest.partition(".")[0]
    if not pid.isdigit():
        return True
    if ticks == "0":  # no /proc when the token was made: a live pid is all there is to go on
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except OSError:
            pass
        return True
    return _start_ticks(int(pid)) == ticks


def _marked() -> dict[int, str]:
    """Process id -> reader token, for every process of ours that inherited a reader's MARK. Linux only (reads
    /proc); elsewhere nothing is found, and readers' converters are stopped only by their own time limits."""
    found: dict[int, str] = {}
    needle = f"\0{MARK}=".encode()
    try:
        entries = list(os.scandir("/proc"))
    except OSError:
        return found
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "environ"), "rb") as f:
                env = b"\0" + f.read()  # a zombie's is empty: it has stopped already
        except OSError:  # gone, or another user's
            continue
        at = env.find(needle)
        if at >= 0:
            end = env.find(b"\0", at + len(needle))
            found[int(entry.name)] = env[at + len(needle):end if end >= 0 else None].decode(errors="replace")
    return found


def stop_marked(which) -> list[int]:
    """SIGKILL every process whose reader token ``which(token)`` picks, until none is left (a process may fork
    while we look); returns the pids stopped."""
    stopped: list[int] = []
    for _round in range(20):
        targets = [pid for pid, token in _marked().items() if which(token) and pid != os.getpid()]
        if not targets:
            break
        for pid in targets:
            try:
                os.kill(pid, signal.SIGKILL)
                stopped.append(pid)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.02)  # let the kills land before looking again
    return stopped


def sweep_orphans() -> None:
    """Stop what readers of runs that no longer exist left running, and remove their folders.

    A run killed outright (the OOM killer, a service manager's timeout) cannot clean up; its readers notice
    and stop their own converters, but a reader killed with it cannot. The next run's readers start here.
    """
    stopped = stop_marked(lambda token: not _owner_alive(token))
    if stopped:
        log.warning("stopped %d converter process(es) left running by an earlier run that was killed", len(stopped))
    try:
        folders = list(Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"))
    except OSError:
        return
    for folder in folders:
        token = folder.name[len(FOLDER_PREFIX):].rpartition("-")[0]
        if token.count(".") == 2 and not _owner_alive(token):
            shutil.rmtree(folder, ignore_errors=True)
