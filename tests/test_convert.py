"""Old Word, RTF and OpenDocument returns: read through LibreOffice, failures named, hung conversions stopped."""

from __future__ import annotations

import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from extractors import convert
from models.errors import MissingTool, UnreadableFile
from models.raw import Table
from models.settings import Limits
from pipeline.text import document_lines

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def fake_soffice(tmp_path: Path, script: str) -> str:
    """A stand-in for soffice: a shell script, so failure paths run without LibreOffice."""
    path = tmp_path / "fake-soffice"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["doc", "rtf", "odt"])
def test_converted_formats_read_like_the_docx(suffix):
    raw = convert.extract(SAMPLES / f"word-filled-form.{suffix}", Limits())
    assert (raw.file, raw.format) == (f"word-filled-form.{suffix}", suffix)
    lines = document_lines(raw)
    assert "Alex Example" in lines and "School attendance rose to 92%." in lines
    grades = [b for b in raw.blocks if isinstance(b, Table)][-1]
    marked = [row.cells[0].blocks[0].text for row in grades.rows if any(p.text == "X" for p in row.cells[1].blocks)]
    assert marked == ["Good"]


@pytest.mark.slow
def test_parallel_conversions_do_not_collide():
    files = [SAMPLES / "word-filled-form.doc", SAMPLES / "word-filled-form.rtf", SAMPLES / "word-filled-form.odt"]
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda f: convert.extract(f, Limits()), files))
    assert [r.format for r in results] == ["doc", "rtf", "odt"]
    assert all("Alex Example" in document_lines(r) for r in results)


def test_missing_libreoffice_says_what_to_install(monkeypatch):
    monkeypatch.setattr(convert.shutil, "which", lambda name: None)
    with pytest.raises(MissingTool) as info:
        convert.extract(SAMPLES / "word-filled-form.rtf", Limits())
    assert info.value.code == "missing_tool" and "libreoffice-writer-nogui" in str(info.value)


def test_hung_conversion_is_killed_with_its_children(tmp_path, monkeypatch):
    pid_file = tmp_path / "child.pid"
    # The launcher starts a child (as soffice does) and both hang.
    script = fake_soffice(tmp_path, f"sleep 60 &\necho $! > {pid_file}\nwait\n")
    monkeypatch.setattr(convert, "find_soffice", lambda: script)
    start = time.monotonic()
    with pytest.raises(UnreadableFile) as info:
        convert.extract(SAMPLES / "word-filled-form.rtf", Limits(seconds_per_file=1))
    assert info.value.code == "limit_exceeded" and "word-filled-form.rtf" in str(info.value)
    assert time.monotonic() - start < 30
    assert not alive(int(pid_file.read_text()))


def alive(pid: int) -> bool:
    """True while a process runs; a zombie (dead, not yet reaped by init) counts as gone."""
    for _ in range(20):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        if state == "Z":
            return False
        time.sleep(0.05)
    return True


def test_conversion_without_output(tmp_path, monkeypatch):
    monkeypatch.setattr(convert, "find_soffice", lambda: fake_soffice(tmp_path, "exit 0\n"))
    with pytest.raises(UnreadableFile) as info:
        convert.extract(SAMPLES / "word-filled-form.doc", Limits())
    assert info.value.code == "conversion_failed" and "word-filled-form.doc" in str(info.value)


def test_oversized_file_is_not_converted(tmp_path, monkeypatch):
    monkeypatch.setattr(convert, "find_soffice", lambda: pytest.fail("must not start LibreOffice"))
    with pytest.raises(UnreadableFile) as info:
        convert.extract(SAMPLES / "word-filled-form.odt", Limits(max_file_mb=0.001))
    assert info.value.code == "limit_exceeded"
