"""Read .doc/.rtf/.odt by converting them to .docx with LibreOffice headless, then reading that like any .docx.

Each conversion runs with its own LibreOffice profile and scratch files in a private temporary folder
(parallel conversions sharing a profile collide) under limits.seconds_per_file; on timeout the whole
process group is killed. Macros never run: LibreOffice headless converts without executing them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from extractors import docx
from extractors.external import run_with_time_limit
from models.errors import FileLimitExceeded, MissingTool, UnreadableFile
from models.raw import RawDocument
from models.settings import Limits

FORMATS = {".doc": "doc", ".rtf": "rtf", ".odt": "odt"}
_MB = 1024 * 1024


def find_soffice() -> str:
    """Path of LibreOffice's soffice; raises MissingTool saying what to install when there is none."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise MissingTool(
            "LibreOffice is not installed, so .doc, .rtf and .odt returns cannot be read; install the Debian "
            "package libreoffice-writer-nogui (or run the project's setup) and process the file again"
        )
    return found


def to_docx(path: Path, outdir: Path, limits: Limits) -> Path:
    """Convert one file to .docx in outdir with LibreOffice; raises UnreadableFile on failure or timeout."""
    soffice = find_soffice()
    # A fixed, plain input name: odd characters or a leading '-' in an agency's file name cannot reach the
    # command line, and the output name is known.
    source = outdir / ("input" + path.suffix.lower())
    shutil.copyfile(path, source)
    profile = outdir / "profile"
    command = [soffice, "--headless", "--norestore", "--nologo", f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", "docx", "--outdir", str(outdir), str(source)]
    # LibreOffice writes scratch files (lu*.tmp) in TMPDIR: here, so one killed on its time limit leaves none
    # outside the folder the caller removes
    env = {**os.environ, "TMPDIR": str(outdir)}
    try:
        run_with_time_limit(command, limits.seconds_per_file, cwd=outdir, env=env)
    except TimeoutError:
        raise FileLimitExceeded(
            f"{path.name}: converting it with LibreOffice took longer than {limits.seconds_per_file:g} s and was "
            "stopped; ask the agency to save it as .docx, or raise limits.seconds_per_file"
        ) from None
    result = outdir / "input.docx"
    if not result.is_file() or result.stat().st_size == 0:
        raise UnreadableFile(
            f"{path.name}: LibreOffice could not convert it (it may be damaged or password-protected); ask the "
            "agency to open it in Word and save it as .docx without a password",
            code="conversion_failed",
        )
    return result


def extract(path: Path, limits: Limits) -> RawDocument:
    """Read a .doc/.rtf/.odt through a LibreOffice conversion; the record keeps the original name and format."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableFile(f"{path.name}: not a .doc, .rtf or .odt file", code="unsupported_format")
    size = path.stat().st_size
    if size > limits.max_file_mb * _MB:
        raise FileLimitExceeded(
            f"{path.name}: the file is {size / _MB:.1f} MB, over the {limits.max_file_mb:g} MB limit; ask the agency "
            "to remove large pictures and resend it, or raise limits.max_file_mb"
        )
    with tempfile.TemporaryDirectory(prefix="maap-convert-") as tmp:
        converted = to_docx(path, Path(tmp), limits)
        try:
            raw = docx.extract(converted, limits)
        except UnreadableFile as e:
            # The message should name the agency's file, not our temporary copy.
            raise type(e)(str(e).replace(converted.name, path.name), code=e.code) from e
    return raw.model_copy(update={"file": path.name, "format": fmt})
