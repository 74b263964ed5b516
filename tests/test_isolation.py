"""Reader isolation: a file that hangs, crashes or eats memory costs that file, never the night or the next run.

The misbehaving readers are registered only for these tests, by import path, in the reader processes' own
format table (``readers(settings, FAKES)``): this module's ``extract`` is what they import.
"""

import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from models.settings import Limits, Settings
from pipeline.intake.isolation import ReadersStopped, kill_after, readers
from pipeline.run import run_inbox
from pipeline.store.workspace import Workspace, read_ledger
from tests.formbuild import sample_return

ROOT = Path(__file__).resolve().parents[1]
FAKES = {suffix: ("tests.test_isolation", "fake") for suffix in (".hang", ".crash", ".exit", ".hog", ".tool",
                                                                    ".toolcrash", ".escape", ".pid", ".bug")}
TODAY = date(2026, 11, 1)


def extract(path, limits):
    """A test-only extractor: misbehaves as its suffix says, inside whatever process reads the file."""
    path = Path(path)
    if path.suffix == ".hang":
        time.sleep(600)  # stands in for pdfium stuck on one page: nothing inside can interrupt it
    if path.suffix == ".crash":
        os.abort()  # stands in for a segfault in native code
    if path.suffix == ".exit":
        os._exit(3)
    if path.suffix == ".hog":
        hog = bytearray(8 * 1024 ** 3)  # far past any cap the tests set
        return hog
    if path.suffix == ".bug":
        raise ValueError(path.read_text())  # a bug whose message quotes the answer it choked on
    pid_file, form, *_name = path.read_text().splitlines()
    if path.suffix in (".tool", ".toolcrash", ".escape"):
        # A converter's scratch folder (LibreOffice's profile), where a real conversion would put it
        scratch = Path(tempfile.mkdtemp(prefix="maap-convert-")) / "profile"
        scratch.mkdir()
        Path(pid_file + ".scratch").write_text(str(scratch))
        Path(pid_file + ".reader").write_text(str(os.getpid()))
    if path.suffix in (".tool", ".toolcrash"):  # a converter in a session of its own (as LibreOffice runs)
        tool = subprocess.Popen(["sleep", "600"], start_new_session=True)
        Path(pid_file).write_text(str(tool.pid))
        if path.suffix == ".toolcrash":
            os.abort()  # the reader dies on its own while the converter runs
        time.sleep(600)
    if path.suffix == ".escape":  # a converter whose helper leaves its session and its parent (as daemons do)
        subprocess.run([sys.executable, "-c", "import subprocess, sys; p = subprocess.Popen(['sleep', '600'], "
                        "start_new_session=True); open(sys.argv[1], 'w').write(str(p.pid))", pid_file],
                       start_new_session=True, check=True)
        time.sleep(600)
    with open(pid_file, "a") as f:  # ".pid": say which process read it, then read a real form
        f.write(f"{os.getpid()}\n")
    from extractors.docx import extract as read_docx

    return read_docx(Path(form), limits)


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "ws").ensure()


def _reason(ws: Workspace, name: str) -> dict:
    return json.loads((ws.quarantine / f"{name}.reason.json").read_text())


def _outcomes(ws: Workspace) -> dict[str, str]:
    return {e.file: e.outcome for e in read_ledger(ws)}


def _pid_file(ws: Workspace, tmp_path: Path, name: str) -> Path:
    """An inbox file the fake reader answers with its process id (in ``pids.txt``) and a real form's record."""
    form = tmp_path / "form.docx"
    if not form.exists():
        sample_return(form)
    (ws.inbox / name).write_text(f"{tmp_path / 'pids.txt'}\n{form}\n{name}")  # the name: distinct bytes
    return tmp_path / "pids.txt"


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has stopped; only its exit status is left to collect


def test_a_reader_that_hangs_is_killed_after_the_limit_and_the_next_file_is_read(ws):
    (ws.inbox / "a-stuck.hang").write_text("stuck")
    sample_return(ws.inbox / "b-hv-case1.docx")
    settings = Settings(limits=Limits(seconds_per_file=1))
    start = time.monotonic()
    with readers(settings, FAKES):
        summary = run_inbox(ws, settings, today=TODAY)
    assert time.monotonic() - start < kill_after(settings.limits) + 20  # not the fake's 600 s
    assert summary.line() == "1 processed, 1 quarantined, 0 already seen"
    assert _outcomes(ws) == {"a-stuck.hang": "quarantined", "b-hv-case1.docx": "processed"}
    reason = _reason(ws, "a-stuck.hang")
    assert reason["code"] == "limit_exceeded"
    assert "took longer than 1 s" in reason["message"] and "limits.seconds_per_file" in reason["message"]
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(("suffix", "how"), [(".crash", "SIGABRT"), (".exit", "exit code 3")])
def test_a_reader_that_dies_quarantines_that_file_is_replaced_and_the_run_goes_on(ws, suffix, how):
    (ws.inbox / f"a-poison{suffix}").write_text("poison")
    sample_return(ws.inbox / "b-hv-case1.docx")
    sample_return(ws.inbox / "c-police-case1.docx", agency="West Midlands Police")
    with readers(Settings(), FAKES) as pool:
        summary = run_inbox(ws, Settings(), today=TODAY)
    assert summary.line() == "2 processed, 1 quarantined, 0 already seen"
    reason = _reason(ws, f"a-poison{suffix}")
    assert reason["code"] == "reader_crashed"
    assert "reader crashed" in reason["message"] and how in reason["message"] and "save it" in reason["message"]
    assert pool.started == 2  # one died on the poison file; its replacement read both returns
    assert multiprocessing.active_children() == []
    # The poison file is in the ledger now: the next run skips it instead of dying on it again.
    with readers(Settings(), FAKES) as pool:
        again = run_inbox(ws, Settings(), today=TODAY)
    assert again.line() == "0 processed, 0 quarantined, 3 already seen" and pool.started == 0


def test_a_reader_over_its_memory_cap_quarantines_the_file_with_the_setting_to_raise(ws):
    (ws.inbox / "a-huge.hog").write_text("huge")
    sample_return(ws.inbox / "b-hv-case1.docx")
    settings = Settings(limits=Limits(memory_mb=512))
    with readers(settings, FAKES):
        summary = run_inbox(ws, settings, today=TODAY)
    assert summary.line() == "1 processed, 1 quarantined, 0 already seen"
    reason = _reason(ws, "a-huge.hog")
    assert reason["code"] == "limit_exceeded" and "512 MB" in reason["message"]
    assert "limits.memory_mb" in reason["message"]


def test_a_killed_reader_takes_the_converter_it_started_with_it(ws, tmp_path):
    tool_pid_file = _pid_file(ws, tmp_path, "stuck-conversion.tool")
    settings = Settings(limits=Limits(seconds_per_file=1))
    with readers(settings, FAKES):
        run_inbox(ws, settings, today=TODAY)
    assert _reason(ws, "stuck-conversion.tool")["code"] == "limit_exceeded"
    tool = int(tool_pid_file.read_text())
    deadline = time.monotonic() + 5
    while _running(tool) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(tool), "the converter the killed reader started is still running"


def _gone(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _running(pid)


@pytest.mark.parametrize(("suffix", "code"), [(".toolcrash", "reader_crashed"), (".escape", "limit_exceeded")])
def test_no_converter_or_scratch_folder_outlives_a_reader_that_crashed_or_whose_helper_left_its_session(
        ws, tmp_path, suffix, code):
    """A reader that dies on its own mid-conversion, or is killed while a converter's helper that left the
    converter's session runs: either way no converter process and no scratch folder is left behind."""
    pid_file = _pid_file(ws, tmp_path, f"conversion{suffix}")
    settings = Settings(limits=Limits(seconds_per_file=1))
    try:
        with readers(settings, FAKES):
            run_inbox(ws, settings, today=TODAY)
        assert _reason(ws, f"conversion{suffix}")["code"] == code
        tool = int(pid_file.read_text())
        assert _gone(tool), "the converter the reader started is still running"
        scratch = Path(Path(str(pid_file) + ".scratch").read_text())
        assert not scratch.parent.exists(), "the converter's scratch folder was left behind"
    finally:
        if pid_file.exists() and _running(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)  # the test's own sleep: never leave it


def _run_then_be_killed(root: str, name: str) -> None:
    """In a process of its own: a run whose reader starts a converter and hangs (the test then kills the run)."""
    with readers(Settings(), FAKES):
        run_inbox(Workspace(Path(root)), Settings(), today=TODAY)


@pytest.mark.parametrize("reader_too", [False, True])
def test_nothing_a_run_killed_outright_started_is_left_running(ws, tmp_path, reader_too):
    """The run itself killed (the OOM killer, a service timeout) while a reader is stuck mid-conversion: the
    reader stops its converter, removes its folder and exits at once. Killed with the run, it cannot: then
    the next run stops what it left as soon as it starts its readers."""
    pid_file = _pid_file(ws, tmp_path, "left-behind.tool")
    run = subprocess.Popen([sys.executable, "-c", "import sys; from tests.test_isolation import _run_then_be_killed; "
                            "_run_then_be_killed(sys.argv[1], sys.argv[2])", str(ws.root), "left-behind.tool"],
                           cwd=ROOT, start_new_session=True)
    tool = reader = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (pid_file.exists() and pid_file.read_text()):
            time.sleep(0.05)
        tool, reader = int(pid_file.read_text()), int(Path(f"{pid_file}.reader").read_text())
        scratch = Path(Path(f"{pid_file}.scratch").read_text())
        if reader_too:
            os.kill(reader, signal.SIGSTOP)  # frozen, so it cannot clean up before it is killed
        run.kill()
        run.wait(10)
        if reader_too:
            os.kill(reader, signal.SIGKILL)
            assert _gone(reader)
            # The converter is orphaned now: nothing of the killed run is left to stop it (only another run
            # on this machine, starting its readers, may beat ours to it).
            with readers(Settings(), FAKES):
                pass
        assert _gone(tool), "the killed run's converter is still running"
        assert _gone(reader), "the killed run's reader is still running"
        assert not scratch.parent.exists()
    finally:
        if run.poll() is None:
            run.kill()
        for pid in (tool, reader):
            if pid is not None and _running(pid):
                os.kill(pid, signal.SIGKILL)  # processes this test started: never leave them behind


def test_a_bug_inside_the_reader_is_an_internal_error_and_the_log_quotes_nothing(ws, caplog):
    import logging

    (ws.inbox / "a-buggy.bug").write_text("Amelia Thornbury was seen at home")
    with caplog.at_level(logging.DEBUG), readers(Settings(), FAKES):
        run_inbox(ws, Settings(), today=TODAY)
    reason = _reason(ws, "a-buggy.bug")
    assert reason["code"] == "internal_error" and "(ValueError)" in reason["message"]
    assert "internal error ValueError" in caplog.text and "test_isolation.py" in caplog.text  # where it broke
    assert "Amelia" not in caplog.text


def test_files_are_read_in_one_warm_reader_process_or_in_the_run_itself_when_isolation_is_off(ws, tmp_path,
                                                                                             monkeypatch):
    pids = _pid_file(ws, tmp_path, "one.pid")
    _pid_file(ws, tmp_path, "two.pid")
    _pid_file(ws, tmp_path, "three.pid")
    with readers(Settings(concurrency=1), FAKES):
        summary = run_inbox(ws, Settings(concurrency=1), today=TODAY)
    assert summary.processed == 3
    seen = pids.read_text().split()
    assert len(seen) == 3 and len(set(seen)) == 1 and int(seen[0]) != os.getpid()

    import extractors.registry

    other = Workspace(tmp_path / "debugging").ensure()
    pids.unlink()
    _pid_file(other, tmp_path, "one.pid")
    for suffix, entry in FAKES.items():
        monkeypatch.setitem(extractors.registry.FORMATS, suffix, entry)
    off = Settings(isolate=False)
    with readers(off, FAKES) as pool:
        assert pool is None
        run_inbox(other, off, today=TODAY)
    assert pids.read_text().split() == [str(os.getpid())]


def test_isolation_on_and_off_give_the_same_records_for_the_bundled_samples(tmp_path):
    results = {}
    for isolate in (True, False):
        ws = Workspace(tmp_path / f"isolate-{isolate}").ensure()
        for path in (ROOT / "samples" / "returns").iterdir():
            shutil.copy(path, ws.inbox / path.name)
        summary = run_inbox(ws, Settings(isolate=isolate), today=TODAY)
        records = {p.name: json.loads(p.read_text()) for p in ws.records.glob("*.json")}
        reasons = {p.name: json.loads(p.read_text()) for p in ws.quarantine.glob("*.reason.json")}
        results[isolate] = (summary.line(), records, reasons)
    assert results[True][1] and results[True][2]  # both records and quarantined samples are compared
    assert results[True] == results[False]
    assert multiprocessing.active_children() == []


def test_no_reader_outlives_a_run_that_is_interrupted(ws):
    for name in ("hv-case1.docx", "police-case1.docx"):
        sample_return(ws.inbox / name, agency=name)

    def ctrl_c(_entry):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_inbox(ws, Settings(), on_file=ctrl_c, today=TODAY)
    assert multiprocessing.active_children() == []


def test_ctrl_c_while_a_file_is_stuck_stops_the_run_at_once_and_leaves_no_process(ws):
    (ws.inbox / "stuck.hang").write_text("stuck")
    ctrl_c = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        ctrl_c.start()
        with readers(Settings(), FAKES):
            run_inbox(ws, Settings(), today=TODAY)
    assert time.monotonic() - start < 10  # not the 180 s time limit
    assert multiprocessing.active_children() == []
    assert read_ledger(ws) == [] and list(ws.quarantine.iterdir()) == []  # the next run reads it again


def test_a_workspace_can_turn_isolation_off_in_maap_yaml(ws, tmp_path, monkeypatch):
    from click.testing import CliRunner

    import extractors.registry
    from pipeline.cli.main import main

    for suffix, entry in FAKES.items():
        monkeypatch.setitem(extractors.registry.FORMATS, suffix, entry)
    pids = _pid_file(ws, tmp_path, "one.pid")
    (ws.root / "maap.yaml").write_text("isolate: false\n")
    result = CliRunner().invoke(main, ["run", str(ws.root), "--engine", "local"])
    assert result.exit_code == 0, result.output
    assert pids.read_text().split() == [str(os.getpid())]  # read by the run itself, where a debugger can reach


def test_readers_shared_by_threads_stop_mid_file_when_the_run_stops_without_quarantining_it(ws):
    """Ctrl-C in a Prefect run: other threads' files are left for the next run, not blamed."""
    (ws.inbox / "stuck.hang").write_text("stuck")
    from pipeline.intake.plan import process_file, templates_for

    settings = Settings(concurrency=2)
    outcome = {}

    def read_in_thread():
        try:
            outcome["entry"] = process_file(ws, "stuck.hang", "0" * 64, settings, TODAY)
        except ReadersStopped:
            outcome["stopped"] = True

    templates_for(ws, settings)
    with readers(settings, FAKES) as pool:
        thread = threading.Thread(target=read_in_thread)
        thread.start()
        deadline = time.monotonic() + 10
        while pool.started == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # the reader has the file
    thread.join(10)
    assert not thread.is_alive() and outcome == {"stopped": True}
    assert list(ws.quarantine.iterdir()) == []
    assert multiprocessing.active_children() == []


def _run_here(root: str, answer) -> None:
    answer.put(run_inbox(Workspace(Path(root)), Settings(), today=TODAY).line())


def test_a_run_inside_a_daemonic_process_like_a_dask_worker_reads_in_process_rather_than_failing(ws):
    """multiprocessing forbids a daemonic process children: there maap reads in that process, and says so."""
    sample_return(ws.inbox / "hv-case1.docx")
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    worker = context.Process(target=_run_here, args=(str(ws.root), answer), daemon=True)
    worker.start()
    line = answer.get(timeout=120)
    worker.join(30)
    assert line == "1 processed, 0 quarantined, 0 already seen" and worker.exitcode == 0


def test_the_readme_documents_the_isolation_settings():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("### Settings", 1)[1].split("```", 2)[1]
    assert "isolate: true" in block and f"memory_mb: {Limits().memory_mb}" in block
    assert "`reader_crashed`" in readme


@pytest.mark.slow
def test_the_prefect_flow_reads_around_a_hanging_and_a_crashing_file_with_a_reader_per_thread(ws):
    import flows.intake as intake_module

    (ws.inbox / "a-stuck.hang").write_text("stuck")
    (ws.inbox / "b-poison.crash").write_text("poison")
    sample_return(ws.inbox / "c-hv-case1.docx")
    sample_return(ws.inbox / "d-police-case1.docx", agency="West Midlands Police")
    settings = Settings(concurrency=2, limits=Limits(seconds_per_file=2))
    with readers(settings, FAKES) as pool:
        result = intake_module.run_flow(ws.root, settings)
    assert result["summary"] == "2 processed, 2 quarantined, 0 already seen"
    assert _reason(ws, "a-stuck.hang")["code"] == "limit_exceeded"
    assert _reason(ws, "b-poison.crash")["code"] == "reader_crashed"
    assert 2 <= pool.started <= 4  # two at once, each replaced at most once
    assert multiprocessing.active_children() == []


@pytest.mark.slow
def test_libreoffice_and_ocr_run_inside_a_reader_under_the_default_memory_cap(tmp_path):
    """The converters inherit the reader's address-space cap: they must still work under the default."""
    from tests.test_ocr import scan

    samples = ROOT / "samples"
    results = {}
    for isolate in (True, False):
        ws = Workspace(tmp_path / f"isolate-{isolate}").ensure()
        for name in ("word-filled-form.doc", "word-filled-form.rtf", "word-filled-form.odt"):
            shutil.copy(samples / name, ws.inbox / name)
        if isolate:  # OCR once is enough (about 15 s): it is the isolated read that is in question
            shutil.copy(scan(tmp_path), ws.inbox / "scanned.pdf")
        summary = run_inbox(ws, Settings(isolate=isolate), today=TODAY)
        records = {p.name: json.loads(p.read_text()) for p in ws.records.glob("*.json")}
        results[isolate] = {k: v for k, v in records.items() if not k.startswith("scanned")}
        if isolate:
            assert summary.line() == "4 processed, 0 quarantined, 0 already seen"
            scanned = [v for k, v in records.items() if k.startswith("scanned")][0]
            assert scanned["source"]["ocr"] is True
            printed = json.loads((samples / "golden" / "pdf-word-form.pdf.json").read_text())
            answered = {a["id"] for a in printed["answers"] if a["status"] == "answered"}
            assert answered and answered <= {a["id"] for a in scanned["answers"] if a["status"] == "answered"}
    assert len(results[True]) == 3 and results[True] == results[False]
    assert multiprocessing.active_children() == []


def _descendants(pid: int) -> dict[int, str]:
    """Process id -> command name of every descendant of ``pid`` (read from /proc)."""
    parent_of, name_of = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                head, tail = (entry / "stat").read_text().rsplit(")", 1)
            except OSError:
                continue
            parent_of[int(entry.name)], name_of[int(entry.name)] = int(tail.split()[1]), head.split("(", 1)[1]
    found, todo = {}, [pid]
    while todo:
        here = todo.pop()
        for child, parent in parent_of.items():
            if parent == here and child not in found:
                found[child] = name_of[child]
                todo.append(child)
    return found


def _cmdlines_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes() and _running(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


CONVERTERS = {"LibreOffice": ("soffice", ("soffice", "oosplash")), "OCR": ("ocrmypdf", ("ocrmypdf", "tesseract"))}


@pytest.mark.slow
@pytest.mark.parametrize(("converter", "how"), [("LibreOffice", "stopped by the run"),
                                                ("LibreOffice", "killed by the system"), ("OCR", "killed by the system")])
def test_a_reader_stopped_mid_conversion_leaves_no_converter_and_no_scratch_files(tmp_path, converter, how):
    from models.errors import UnreadableFile
    from pipeline.intake.isolation import ReaderPool
    from pipeline.templates.registry import load_templates

    tool, names = CONVERTERS[converter]
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    if converter == "OCR":
        from tests.test_ocr import scan

        source = scan(tmp_path)
    else:
        source = tmp_path / "return.doc"
        shutil.copy(ROOT / "samples" / "word-filled-form.doc", source)
    settings, templates, outcome = Settings(), load_templates(), {}
    pool = ReaderPool(1, settings.limits.memory_mb)

    def read():
        try:
            outcome["record"] = pool.read(source, settings, templates, TODAY)
        except (UnreadableFile, ReadersStopped) as e:
            outcome["error"] = e

    thread = threading.Thread(target=read)
    thread.start()
    try:
        running, reader = {}, None
        deadline = time.monotonic() + 60
        while not running and time.monotonic() < deadline and thread.is_alive():
            for process in multiprocessing.active_children():
                if process.name == "maap-reader":
                    reader = process.pid
                    running = {p: n for p, n in _descendants(reader).items() if any(n.startswith(x) for x in names)}
            time.sleep(0.01)
        assert running, f"{converter} was not seen converting inside the reader"
        first = next(iter(running))
        environ = Path(f"/proc/{first}/environ").read_bytes().split(b"\0")
        scratch = Path(next(v for v in environ if v.startswith(b"TMPDIR=")).decode().split("=", 1)[1])
        command = Path(f"/proc/{first}/cmdline").read_bytes().split(b"\0")
        profile = next((a.decode().split("file://", 1)[1] for a in command if a.startswith(b"-env:UserInstall")), None)
        started = set(_descendants(reader))
        if how == "stopped by the run":
            pool.close()  # as on Ctrl-C; a reader over its time limit is killed the same way
        else:
            os.kill(reader, signal.SIGKILL)  # as the kernel's OOM killer would
        thread.join(30)
        assert not thread.is_alive()
        expected = ReadersStopped if how == "stopped by the run" else UnreadableFile
        assert isinstance(outcome.get("error"), expected), outcome
        assert all(_gone(pid) for pid in started), "a process the reader started is still running"
        assert not scratch.exists(), f"{converter}'s scratch folder was left behind"
        if profile:
            assert _cmdlines_mentioning(profile) == [], "LibreOffice is still running with the reader's profile"
            assert not Path(profile).exists(), "the LibreOffice profile was left behind"
    finally:
        pool.close()
        thread.join(30)
    assert multiprocessing.active_children() == []
