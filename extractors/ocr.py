"""OCR runner: give a scanned PDF a text layer with OCRmyPDF, within a time limit, and rate each page.

OCRmyPDF runs with ``--skip-text`` (pages that already have text are left alone) into a private temporary
folder, in its own process group so a timeout kills tesseract too. Tesseract's word confidences come from
the hOCR files OCRmyPDF keeps with ``-k``; a page whose mean word confidence is under LOW_CONFIDENCE is listed
in ``OcrResult.low_confidence_pages`` so an analyst knows to check its answers against the scan.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from extractors.external import run_with_time_limit
from models.errors import FileLimitExceeded, MissingTool, UnreadableFile
from models.settings import Limits

LOW_CONFIDENCE = 60.0  # mean tesseract word confidence (0-100) below which a page is flagged
_WCONF = re.compile(r"x_wconf (\d+)")
_HOCR_PAGE = re.compile(r"^(\d+)_ocr_hocr\.hocr$")


@dataclass
class OcrResult:
    """The OCR'd copy (valid only inside ocr_pdf's with-block) and the 1-based pages read with low confidence."""

    path: Path
    confidence: dict[int, float] = field(default_factory=dict)

    @property
    def low_confidence_pages(self) -> list[int]:
        return sorted(p for p, c in self.confidence.items() if c < LOW_CONFIDENCE)


def page_confidence(hocr: str) -> float | None:
    """Mean word confidence of one hOCR page, or None when tesseract found no words."""
    values = [int(v) for v in _WCONF.findall(hocr)]
    return sum(values) / len(values) if values else None


@contextlib.contextmanager
def ocr_pdf(path: Path, limits: Limits, name: str | None = None) -> Iterator[OcrResult]:
    """OCR ``path`` into a temporary PDF and yield it with per-page confidence; the copy is deleted afterwards.

    ``name`` is the file's name in messages (``path`` may be a copy with its pages set upright)."""
    name = name or Path(path).name
    if shutil.which("ocrmypdf") is None or shutil.which("tesseract") is None:
        raise MissingTool(
            f"{name}: is a scanned PDF and OCR is not installed; install the Debian packages "
            "ocrmypdf tesseract-ocr (and tesseract-ocr-<lang> for languages other than English)"
        )
    with tempfile.TemporaryDirectory(prefix="maap-ocr-") as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        out = Path(tmp) / "ocr.pdf"
        cmd = ["ocrmypdf", "--skip-text", "-l", limits.ocr_language, "--pdf-renderer", "hocr",
               "--output-type", "pdf", "--optimize", "0", "-k", "-q", str(Path(path).resolve()), str(out)]
        # TMPDIR keeps OCRmyPDF's working folder (and its hOCR files) inside our own temporary folder
        env = {**os.environ, "TMPDIR": str(work)}
        try:
            returncode, err = run_with_time_limit(cmd, limits.seconds_per_file, env=env)
        except TimeoutError:
            raise FileLimitExceeded(
                f"{name}: OCR took longer than {limits.seconds_per_file:g} s (limits.seconds_per_file); "
                "ask for a text PDF or Word file, or raise the limit"
            ) from None
        if returncode != 0 or not out.exists():
            raise UnreadableFile(f"{name}: OCR failed ({_last_line(err)}); ask the agency for a text PDF "
                                 "or Word file", code="ocr_failed")
        yield OcrResult(out, _confidences(work))


def _confidences(work: Path) -> dict[int, float]:
    found: dict[int, float] = {}
    for hocr in work.rglob("*_ocr_hocr.hocr"):
        match = _HOCR_PAGE.match(hocr.name)
        if match:
            conf = page_confidence(hocr.read_text(encoding="utf-8", errors="replace"))
            found[int(match.group(1))] = conf if conf is not None else 0.0
    return found


def _last_line(stderr: bytes) -> str:
    """OCRmyPDF's last stderr line: its own summary of what went wrong (no document text is in it)."""
    lines = [line for line in stderr.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1].strip()[:200] if lines else "no message"
