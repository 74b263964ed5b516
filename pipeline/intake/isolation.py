"""Reader isolation: each return is read in a worker process the run can kill, so one bad file costs one file.

A hang inside pdfium or pdfplumber cannot be interrupted, and a crash in native code (a segfault, memory
exhaustion) would kill the whole run; worse, the file would still be in the inbox and kill every run after it.
Here the run keeps a small pool of warm reader processes (one per file read at once), hands each a file and
waits at most a little past ``limits.seconds_per_file``. A reader that runs over is killed with any converter
it started, one that dies is replaced; either way that file is quarantined with a reason and the run goes on.

Readers start from a ``forkserver`` that has already imported the extractors: the run's own process may hold
Prefect's threads and event loop, which a plain ``fork`` would copy half-locked, and a replacement reader is
then ready in milliseconds instead of re-importing everything as ``spawn`` would.

Nothing a reader starts outlives it. LibreOffice and OCRmyPDF run in sessions of their own (so their own time
limit can kill the whole group), out of reach of the reader's process group; once the reader dies they are
reparented to init, out of reach of its process tree; PR_SET_PDEATHSIG would reach only a converter's first
process, not the helpers it starts. So each reader marks its environment (the variable ``MARK``, naming the
reader and its run), which everything it starts inherits across exec, double forks and new sessions. The run
stops every process so marked whenever it kills a reader or finds one dead, and removes the reader's folder
(the ``TMPDIR`` of the reader and its converters, where LibreOffice profiles and OCR scratch files go). A run
killed outright cannot: its readers notice and clean up themselves (``_watch_run``), and what a reader killed
with the run left is stopped by the next run as it starts its readers (``sweep_orphans``). Marks are found
in /proc: on other systems converters are stopped only by their own time limits. Finding and stopping marked
processes is pipeline.intake.reader_cleanup.

    with readers(settings):                      # the run: up to settings.concurrency reader processes
        record = read_return(path, settings, templates, today)   # from any of the run's threads
    # every reader process has exited here, on success, error or Ctrl-C
"""

from __future__ import annotations

import errno
import logging
import multiprocessing
import os
import secrets
import shutil
import signal
import tempfile
import threading
import traceback
from contextlib import contextmanager
from datetime import date
from multiprocessing.connection import wait
from pathlib import Path
from typing import Iterator

from models.errors import ConfigError, FileLimitExceeded, TemplateError, UnreadableFile
from models.record import AuditReturn
from models.settings import Limits, Settings
from models.template import Template
from pipeline.intake.reader_cleanup import (  # noqa: F401  MARK, FOLDER_PREFIX, _marked are also imported from here
    FOLDER_PREFIX, MARK, _marked, _owner, _tool_groups, stop_marked, sweep_orphans,
)

log = logging.getLogger("maap.isolation")

START_METHOD = "forkserver"
# Imported once by the forkserver, so every reader (and every replacement) starts with them loaded: what
# read_return imports, lazily included (spaCy, for the validation rules, is half a second on its own).
PRELOAD = ["pipeline.intake.process", "extractors.docx", "extractors.pdf", "extractors.convert", "extractors.ocr",
           "pipeline.templates.detect", "pipeline.validation.validate", "pipeline.validation.rules.undated", "pipeline.validation.quality", "spacy",
           "spacy.matcher"]
Formats = dict[str, tuple[str, str]]


class ReaderFault(Exception):
    """A bug inside a reader process; ``kind`` is the original exception's type name, ``where`` its last frames."""

    def __init__(self, kind: str, where: str):
        super().__init__(kind)
        self.kind = kind
        self.where = where


class ReadersStopped(BaseException):
    """The run is stopping (Ctrl-C or an error elsewhere) and killed the reader mid-file.

    A BaseException, like KeyboardInterrupt: it is no fault of the file, so no ``except Exception`` turns it
    into a quarantine and no task retry reads the file again while the run shuts down.
    """


def kill_after(limits: Limits) -> float:
    """Seconds a reader may spend on one file: ``seconds_per_file`` plus a quarter (1 to 30 s more), so the
    extractors' own limit, whose message says which step was slow, usually fires first."""
    return limits.seconds_per_file + min(30.0, max(1.0, limits.seconds_per_file / 4))


class Reader:
    """One warm reader process, fed one file at a time over a pipe."""

    def __init__(self, context, memory_mb: int, formats: Formats | None = None):
        self.token = f"{_owner()}.{secrets.token_hex(4)}"
        # The reader's temporary folder: converters' profiles and scratch files go here, so that one rmtree
        # clears whatever a killed conversion left.
        self.folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{self.token}-"))
        self.conn, child = context.Pipe()
        # daemon: multiprocessing terminates it at interpreter exit even if nobody called close()
        self.process = context.Process(target=_serve, args=(child, memory_mb, dict(formats or {}), self.token,
                                                            str(self.folder)), name="maap-reader", daemon=True)
        try:
            self.process.start()
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        child.close()
        self.memory_mb = memory_mb
        self._templates: dict[str, Template] | None = None
        self._ended = False
        self._killing = threading.Lock()

    def read(self, path: Path, settings: Settings, templates: dict[str, Template],
             today: date | None = None) -> AuditReturn:
        """The record for ``path``; raises what reading it raised, or UnreadableFile when the reader had to be
        killed (too slow) or died (crash, memory). A reader that raised about the file is dead afterwards."""
        path = Path(path)
        # The templates go once per reader, not once per file: they are the same object while unchanged.
        fresh = None if templates is self._templates else templates
        self.conn.send((str(path), settings, fresh, today))
        self._templates = templates
        seconds = kill_after(settings.limits)
        ready = wait([self.conn, self.process.sentinel], timeout=seconds)
        if not ready:
            self.kill()
            raise FileLimitExceeded(
                f"{path.name}: took longer than {settings.limits.seconds_per_file:g} s to read and was stopped; it "
                "may be damaged or very large: open and re-save it, or raise limits.seconds_per_file in maap.yaml")
        try:
            reply = self.conn.recv()
        except (EOFError, OSError):
            reply = None
        if reply is None:  # the process died before answering
            self.process.join(5.0)
            exitcode = self.process.exitcode
            self.kill()
            raise UnreadableFile(_crash_message(path.name, exitcode), code="reader_crashed")
        return self._unpack(reply, path.name)

    def _unpack(self, reply: tuple, name: str) -> AuditReturn:
        kind, *rest = reply
        if kind == "ok":
            return rest[0]
        if kind == "unreadable":
            raise UnreadableFile(rest[1], code=rest[0])
        if kind == "memory":
            self.kill()  # its heap is in no state to read another file
            raise FileLimitExceeded(
                f"{name}: reading it needed more than {self.memory_mb} MB of memory and was stopped; it may be "
                "damaged or very large: open and re-save it, or raise limits.memory_mb in maap.yaml")
        if kind == "os":
            raise OSError(rest[0], rest[1])  # the disk, not the file: the caller retries it like any OSError
        if kind == "template":
            raise TemplateError(rest[0])
        if kind == "config":
            raise ConfigError(rest[0])
        raise ReaderFault(rest[0], rest[1])

    @property
    def alive(self) -> bool:
        with self._killing:
            return not self._ended and self.process.is_alive()

    def kill(self, reap: bool = True) -> None:
        """Kill the process now, and every process it started (LibreOffice, OCRmyPDF, tesseract), whether it is
        still running or has died already, leaving those behind.

        ``reap=False`` leaves waiting for it, closing the pipe and removing its folder to the thread that is
        reading with it.
        """
        with self._killing:  # the run's closing thread and the reading thread may both get here
            if self._ended:
                return
            if self.process.is_alive():
                groups = _tool_groups(self.process.pid)
                self.process.kill()
                for group in groups:
                    try:
                        os.killpg(group, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
            stop_marked(lambda token: token == self.token)
            if reap:
                self._reap()

    def stop(self) -> None:
        """Ask an idle reader to exit, killing it if it does not within a second."""
        if not self.alive:
            self.kill()
            return
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(1.0)
        self.kill()

    def _reap(self) -> None:
        self.process.join(5.0)
        self.conn.close()
        if self.process.exitcode is not None:
            self.process.close()
            self._ended = True
            # A reader that exited on its own may still have left a converter's helper running
            stop_marked(lambda token: token == self.token)
            shutil.rmtree(self.folder, ignore_errors=True)


def _crash_message(name: str, exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            how = f"stopped by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"stopped by signal {-exitcode}"
        if exitcode == -signal.SIGKILL:
            how += ", perhaps by the system running out of memory"
    else:
        how = f"exit code {exitcode}"
    return (f"{name}: maap's reader crashed on this file ({how}); the file may be damaged. Open it and save it "
            "again (or print it to PDF) and drop the new copy in the inbox; if that crashes too, report it "
            "with the file's hash. The original is kept.")


class ReaderPool:
    """Up to ``size`` readers shared by the run's threads: a read borrows an idle one (starting one if none is
    idle), and a reader that was killed or died is not given back, so the next read starts a fresh one."""

    def __init__(self, size: int, memory_mb: int = 0, formats: Formats | None = None,
                 start_method: str = START_METHOD):
        sweep_orphans()
        self.context = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            self.context.set_forkserver_preload(PRELOAD)  # no effect once this process's forkserver runs
        self.memory_mb = memory_mb
        self.formats = dict(formats or {})
        self.started = 0  # readers started so far: 1 per concurrent reader, plus 1 per replacement
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[Reader] = []
        self._busy: set[Reader] = set()
        self._closed = False

    def read(self, path: Path, settings: Settings, templates: dict[str, Template],
             today: date | None = None) -> AuditReturn:
        """Read one file in a reader process (see Reader.read); raises ReadersStopped if the pool closes meanwhile."""
        with self._slots:
            reader = self._borrow()
            try:
                return reader.read(path, settings, templates, today)
            except (UnreadableFile, OSError, ReaderFault):
                if self._closed:
                    raise ReadersStopped("the run is stopping") from None
                raise
            except BaseException:  # Ctrl-C while it reads, say: it is mid-file, so it is of no further use
                reader.kill()
                raise
            finally:
                self._give_back(reader)

    def _borrow(self) -> Reader:
        with self._lock:
            if self._closed:
                raise ReadersStopped("the run is stopping")
            reader = None
            while self._idle and reader is None:
                reader = self._idle.pop()
                if not reader.alive:  # died while idle (the kernel's OOM killer, say): not this file's fault
                    reader.kill()
                    reader = None
            if reader is None:
                reader = Reader(self.context, self.memory_mb, self.formats)
                self.started += 1
            self._busy.add(reader)
            return reader

    def _give_back(self, reader: Reader) -> None:
        with self._lock:
            self._busy.discard(reader)
            keep = not self._closed and reader.alive
            if keep:
                self._idle.append(reader)
        if not keep:
            reader.kill()

    def close(self) -> None:
        """Stop every reader: idle ones are asked to exit, busy ones (and their converters) are killed."""
        with self._lock:
            self._closed = True
            idle, busy = self._idle, list(self._busy)
            self._idle = []
        for reader in busy:
            reader.kill(reap=False)  # its thread wakes up, sees the pool closed, and reaps it
        for reader in idle:
            reader.stop()

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_active: ReaderPool | None = None
_active_lock = threading.Lock()
_warned_daemon = False


@contextmanager
def readers(settings: Settings, formats: Formats | None = None) -> Iterator[ReaderPool | None]:
    """The run's reader pool for the block (None when ``settings.isolate`` is off); every reader process has
    exited when the block ends, however it ends. Inside a block that already has one, that pool is reused.

    ``formats`` adds suffix -> (extractor module, format name) entries to the readers' own format table only:
    a reader for a format of a partnership's own, or a test's deliberately broken one.
    """
    global _active
    if not settings.isolate or not _may_start_processes():
        yield None
        return
    with _active_lock:
        outer = _active is None
        if outer:
            _active = ReaderPool(settings.concurrency, settings.limits.memory_mb, formats)
        pool = _active
    if not outer:
        yield pool
        return
    try:
        yield pool
    finally:
        with _active_lock:
            _active = None
        pool.close()


def read_return(path: Path, settings: Settings, templates: dict[str, Template],
                today: date | None = None) -> AuditReturn:
    """pipeline.intake.process.read_return, in one of the run's reader processes when ``settings.isolate`` is on (in a
    reader started for this file alone when called outside a run); raises UnreadableFile when it cannot."""
    if not settings.isolate or not _may_start_processes():
        from pipeline.intake.process import read_return as read_here

        return read_here(Path(path), settings, templates, today)
    pool = _active
    if pool is not None:
        return pool.read(path, settings, templates, today)
    with ReaderPool(1, settings.limits.memory_mb) as alone:
        return alone.read(path, settings, templates, today)


def _may_start_processes() -> bool:
    """False in a daemonic process (a Dask worker), which multiprocessing forbids to have children."""
    global _warned_daemon
    if not multiprocessing.current_process().daemon:
        return True
    if not _warned_daemon:
        _warned_daemon = True
        log.warning("files are read without isolation: this is a daemonic process (a Dask worker?); set Dask's "
                    "distributed.worker.daemon to false to isolate readers")
    return False


# --- inside the reader process -----------------------------------------------------------------------------------

def _serve(conn, memory_mb: int, formats: Formats, token: str, folder: str) -> None:
    """The reader's loop: receive (path, settings, templates or None, today), send back one reply, until told
    to stop (None) or the run goes away (the pipe closes)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole terminal group; the run decides
    _die_with_parent()
    # Everything this reader starts inherits the mark, and writes its temporary files in the reader's folder
    os.environ[MARK] = token
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder
    _watch_run(token, folder)
    _cap_memory(memory_mb)
    if formats:
        from extractors.registry import FORMATS

        FORMATS.update(formats)
    templates = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        path, settings, fresh, today = message
        templates = fresh if fresh is not None else templates
        reply = _read_one(Path(path), settings, templates, today)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        except Exception as e:  # a record that does not pickle is a bug in maap, not in the file
            conn.send(("bug", type(e).__name__, "".join(traceback.format_tb(e.__traceback__)[-3:])))
        if reply[0] == "memory":
            return


def _read_one(path: Path, settings: Settings, templates: dict[str, Template], today: date | None) -> tuple:
    """Read one file into a reply tuple; nothing raised inside reading escapes (the parent rebuilds it)."""
    from pipeline.intake.process import read_return as read_here

    try:
        return ("ok", read_here(path, settings, templates, today))
    except UnreadableFile as e:
        return ("unreadable", e.code, str(e))
    except MemoryError:
        return ("memory",)
    except OSError as e:
        if e.errno == errno.ENOMEM:
            return ("memory",)
        return ("os", e.errno, e.strerror)
    except TemplateError as e:
        return ("template", str(e))
    except ConfigError as e:
        return ("config", str(e))
    except Exception as e:  # the message may quote answer text: only the type and where it happened go back
        return ("bug", type(e).__name__, "".join(traceback.format_tb(e.__traceback__)[-3:]))


def _watch_run(token: str, folder: str) -> None:
    """Stop this reader, what it started and its folder as soon as the run is gone, even mid-file.

    PR_SET_PDEATHSIG alone does not do it: a reader's parent is the forkserver, which lives on while any
    reader does, and a reader stuck in a file never reads the pipe that would tell it the run has gone.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        stop_marked(lambda t: t == token)
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(1)

    threading.Thread(target=watch, name="maap-reader-watch", daemon=True).start()


def _die_with_parent() -> None:
    """Ask Linux to kill this reader when its parent, the forkserver, dies. The forkserver lives on while any
    reader does (each holds its 'alive' pipe), so this is a backstop: _watch_run is what ends a reader stuck in
    a file when the run is killed outright."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _cap_memory(memory_mb: int) -> None:
    """Cap this reader's address space, so a file that would exhaust the machine fails with MemoryError here."""
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # not on this platform: reading is still isolated, only not capped
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
