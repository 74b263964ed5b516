"""Benchmark: scanned returns read against what a person transcribed (samples/expected.yaml), per scan resolution.

Run:  .venv/bin/python bench/bench_scans.py [--dpi 150 200 300] [--skew 0.5] [--noise] [--verbose] [PDF ...]

Each *-printed.pdf sample (or the PDFs named) is rasterised with pdftoppm, saved as an image-only PDF (as a
scanner would), then read with pipeline.intake.process.read_return, so OCR (OCRmyPDF) runs for real. Prints, per
resolution, the share of answers exactly right (whitespace-normalised, as tests/test_accuracy.py compares
printed PDFs), grades right, header fields right, and seconds per page split into OCR time and our own time.
tests/test_scans.py uses make_scan() and score() from here.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402
from PIL import Image  # noqa: E402

from extractors import ocr  # noqa: E402
from models.settings import Settings  # noqa: E402
from pipeline.intake.process import read_return  # noqa: E402
from pipeline.templates.registry import load_templates  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RETURNS = ROOT / "samples" / "returns"


def make_scan(pdf: Path, out: Path, dpi: int = 200, skew: float = 0.0, noise: float = 0.0, seed: int = 7) -> Path:
    """Rasterise ``pdf`` in grey and save the pages as an image-only PDF at ``out``: a scan with no text layer.

    ``skew`` rotates each page by that many degrees (a sheet fed slightly askew); ``noise`` is the share of
    pixels flipped to a random grey (scanner speckle).
    """
    with tempfile.TemporaryDirectory(prefix="maap-scan-") as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(Path(tmp) / "p")], check=True)
        pages = [Image.open(p).convert("L") for p in sorted(Path(tmp).glob("p*.png"))]
        rng = random.Random(seed)
        for i, image in enumerate(pages):
            if skew:
                image = image.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=255)
            if noise:
                pixels = image.load()
                w, h = image.size
                for _ in range(int(w * h * noise)):
                    pixels[rng.randrange(w), rng.randrange(h)] = rng.randrange(0, 256)
            pages[i] = image
        pages[0].save(out, save_all=True, append_images=pages[1:], resolution=dpi)
    return out


def _norm(text: str | None) -> str | None:
    return None if text is None else re.sub(r"\s+", " ", text).strip()


@dataclass
class Score:
    """How one scanned return compares with its transcription."""

    answers: int = 0
    answers_right: int = 0
    grades: int = 0
    grades_right: int = 0
    header: int = 0
    header_right: int = 0
    ocr: bool = False
    wrong: list[str] = field(default_factory=list)  # question ids / fields that differ (no answer text)

    def add(self, other: "Score") -> None:
        for name in ("answers", "answers_right", "grades", "grades_right", "header", "header_right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wrong.extend(other.wrong)


def score(record, truth: dict) -> Score:
    """Compare an AuditReturn with a sample's transcription in samples/expected.yaml (whitespace-normalised)."""
    s = Score(ocr=record.source.ocr)
    for answer in record.answers:
        want = truth["answers"][answer.id]
        s.answers += 1
        if answer.status.value == want["status"] and _norm(answer.answer) == _norm(want["answer"]):
            s.answers_right += 1
        else:
            s.wrong.append(answer.id)
    grade = truth.get("grade") or {}
    s.grades = 1
    if (record.grade.value, record.grade.problem) == (grade.get("value"), grade.get("problem")):
        s.grades_right = 1
    else:
        s.wrong.append(f"grade={record.grade.value}/{record.grade.problem}")
    got = record.header.model_dump()
    for key, value in truth["header"].items():
        s.header += 1
        if _norm(got.get(key)) == _norm(value):
            s.header_right += 1
        else:
            s.wrong.append(f"header.{key}")
    return s


def expected() -> dict:
    return yaml.safe_load((ROOT / "samples" / "expected.yaml").read_text(encoding="utf-8"))["samples"]


def read_scan(path: Path, settings: Settings | None = None):
    """read_return on a scan, with a fixed 'today' as tests/test_accuracy.py uses."""
    return read_return(path, settings or Settings(), load_templates(), today=date(2026, 11, 1))


class _OcrTimer:
    """Wraps ocr.ocr_pdf to add up the time OCRmyPDF takes, so our own time can be told apart."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._real = ocr.ocr_pdf

    def __enter__(self):
        real = self._real
        timer = self

        import contextlib

        @contextlib.contextmanager
        def timed(path, limits):
            start = time.perf_counter()
            with real(path, limits) as result:
                timer.seconds += time.perf_counter() - start
                yield result

        ocr.ocr_pdf = timed
        return self

    def __exit__(self, *exc) -> None:
        ocr.ocr_pdf = self._real


def _page_count(pdf: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pdfs", nargs="*", type=Path, help="printed PDFs with an entry in samples/expected.yaml")
    parser.add_argument("--dpi", nargs="+", type=int, default=[150, 200, 300])
    parser.add_argument("--skew", type=float, default=0.0, help="degrees each page is rotated")
    parser.add_argument("--noise", type=float, default=0.0, help="share of pixels turned to speckle")
    parser.add_argument("--verbose", action="store_true", help="name the questions that differ")
    args = parser.parse_args(argv)
    pdfs = args.pdfs or sorted(RETURNS.glob("*-printed.pdf"))
    truths = expected()
    print(f"{'dpi':>4} {'answers right':>14} {'grades':>7} {'header':>8} {'s/page':>7} {'ocr s/page':>10} "
          f"{'ours s/page':>11} {'ours/ocr':>8}")
    for dpi in args.dpi:
        total, pages, total_s = Score(), 0, 0.0
        with tempfile.TemporaryDirectory(prefix="maap-bench-scan-") as tmp, _OcrTimer() as timer:
            for pdf in pdfs:
                scan = make_scan(pdf, Path(tmp) / pdf.name, dpi=dpi, skew=args.skew, noise=args.noise)
                pages += _page_count(scan)
                start = time.perf_counter()
                record = read_scan(scan)
                total_s += time.perf_counter() - start
                s = score(record, truths[pdf.name])
                total.add(s)
                if args.verbose and s.wrong:
                    print(f"     {pdf.name}: differs at {', '.join(s.wrong)}")
            ocr_s = timer.seconds
        ours = total_s - ocr_s
        print(f"{dpi:>4} {total.answers_right:>4}/{total.answers:<4}{total.answers_right / max(total.answers, 1):>5.0%} "
              f"{total.grades_right:>3}/{total.grades:<3} {total.header_right:>3}/{total.header:<4}"
              f"{total_s / pages:>7.2f} {ocr_s / pages:>10.2f} {ours / pages:>11.3f} {ours / max(ocr_s, 1e-9):>8.3f}")


if __name__ == "__main__":
    main()
