"""Benchmark: scanned returns read against what a person transcribed (samples/expected.yaml), per scan resolution.

Run:  .venv/bin/python bench/bench_scans.py [--dpi 150 200 300] [--skew 0.5] [--turn 90] [--pages 1] [--noise 0.0005]
                                           [--suite] [--verbose] [PDF ...]

Each *-printed.pdf sample (or the PDFs named) is rasterised with pdftoppm, saved as an image-only PDF (as a
scanner would), then read with pipeline.intake.process.read_return, so OCR (OCRmyPDF) runs for real. Prints, per
resolution, the share of answers exactly right (whitespace-normalised, as tests/test_accuracy.py compares
printed PDFs), grades right, header fields right, and seconds per page split into OCR time, the time spent
turning and straightening pages before OCR (extractors.scan_turn), and our own time. ``--suite`` runs the
standard sets at 200 dpi instead (clean, pages turned 90/180/270, sheets skewed 1-12 degrees), as reported in
docs/pdf-extraction.md. tests/test_scans.py uses make_scan() and score() from here.
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

from models.settings import Settings  # noqa: E402
from pipeline.intake.process import read_return  # noqa: E402
from pipeline.templates.registry import load_templates  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RETURNS = ROOT / "samples" / "returns"


def make_scan(pdf: Path, out: Path, dpi: int = 200, skew: float = 0.0, noise: float = 0.0, seed: int = 7,
              turn: int = 0, pages: set[int] | None = None) -> Path:
    """Rasterise ``pdf`` in grey and save the pages as an image-only PDF at ``out``: a scan with no text layer.

    ``skew`` rotates a page by that many degrees anticlockwise (a sheet fed askew), ``turn`` by a quarter-turn
    multiple (a sheet put in sideways or upside down: 90, 180, 270, anticlockwise), both only on ``pages``
    (1-based; all when None); ``noise`` is the share of pixels flipped to a random grey (scanner speckle).
    """
    with tempfile.TemporaryDirectory(prefix="maap-scan-") as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(Path(tmp) / "p")], check=True)
        images = [Image.open(p).convert("L") for p in sorted(Path(tmp).glob("p*.png"), key=lambda p: int(p.stem[2:]))]
        rng = random.Random(seed)
        for i, image in enumerate(images):
            chosen = pages is None or i + 1 in pages
            if turn % 360 and chosen:
                image = image.rotate(turn % 360, expand=True)
            if skew and chosen:
                image = image.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=255)
            if noise:
                pixels = image.load()
                w, h = image.size
                for _ in range(int(w * h * noise)):
                    pixels[rng.randrange(w), rng.randrange(h)] = rng.randrange(0, 256)
            images[i] = image
        images[0].save(out, save_all=True, append_images=images[1:], resolution=dpi)
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
    """Compare an AuditReturn with a sample's transcription in samples/expected.yaml (whitespace-normalised).

    Every transcribed answer counts: one the record lacks (read under another template, or lost) is wrong.
    """
    s = Score(ocr=record.source.ocr)
    got_answers = {a.id: a for a in record.answers} if record.template.id == truth.get("template") else {}
    for qid, want in truth["answers"].items():
        answer = got_answers.get(qid)
        s.answers += 1
        if answer is not None and answer.status.value == want["status"] and _norm(answer.answer) == _norm(want["answer"]):
            s.answers_right += 1
        else:
            s.wrong.append(qid)
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


class _Timer:
    """Wraps a function of ``module`` to add up the time it takes, so our own time can be told apart.

    ``context``: the function is a context manager (ocr.ocr_pdf), timed until it yields. A module without the
    function (an older checkout, for a before/after run) is timed as 0.
    """

    def __init__(self, module, name: str, context: bool = False) -> None:
        self.seconds = 0.0
        self.module, self.name, self.context = module, name, context
        self._real = getattr(module, name, None)

    def __enter__(self):
        real = self._real
        timer = self
        if real is None:
            return self

        import contextlib

        if self.context:
            @contextlib.contextmanager
            def timed(*args, **kwargs):
                start = time.perf_counter()
                with real(*args, **kwargs) as result:
                    timer.seconds += time.perf_counter() - start
                    yield result
        else:
            def timed(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return real(*args, **kwargs)
                finally:
                    timer.seconds += time.perf_counter() - start

        setattr(self.module, self.name, timed)
        return self

    def __exit__(self, *exc) -> None:
        if self._real is not None:
            setattr(self.module, self.name, self._real)


def _page_count(pdf: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


# The standard sets (200 dpi): name, make_scan options. Page 1 is the one a turned or skewed sheet most often is.
SUITE = [
    ("clean", {}),
    ("page 1 turned 90", {"turn": 90, "pages": {1}}),
    ("page 1 turned 180", {"turn": 180, "pages": {1}}),
    ("page 1 turned 270 + 8 deg", {"turn": 270, "skew": 8.0, "pages": {1}}),
    ("page 1 skewed 6 deg", {"skew": 6.0, "pages": {1}}),
    ("every page skewed 12 deg", {"skew": -12.0}),
]


def run_set(pdfs: list[Path], truths: dict, dpi: int, verbose: bool = False, **scan) -> dict:
    """Scan, read and score every PDF once with ``scan`` options; totals and seconds per page by step."""
    from extractors import ocr

    try:
        from extractors import scan_turn
    except ImportError:  # a checkout from before the turning step
        scan_turn = None
    total, pages, total_s = Score(), 0, 0.0
    with tempfile.TemporaryDirectory(prefix="maap-bench-scan-") as tmp, \
            _Timer(ocr, "ocr_pdf", context=True) as ocr_timer, _Timer(scan_turn, "upright_copy") as turn_timer:
        for pdf in pdfs:
            scanned = make_scan(pdf, Path(tmp) / pdf.name, dpi=dpi, **scan)
            pages += _page_count(scanned)
            start = time.perf_counter()
            record = read_scan(scanned)
            total_s += time.perf_counter() - start
            s = score(record, truths[pdf.name])
            total.add(s)
            if verbose and s.wrong:
                print(f"     {pdf.name}: differs at {', '.join(s.wrong)}")
    ocr_s, turn_s = ocr_timer.seconds, turn_timer.seconds
    return {"score": total, "pages": pages, "s": total_s / pages, "ocr": ocr_s / pages, "turn": turn_s / pages,
            "ours": (total_s - ocr_s - turn_s) / pages}


def _row(label: str, r: dict) -> str:
    t = r["score"]
    return (f"{label:<26} {t.answers_right:>3}/{t.answers:<3} {t.answers_right / max(t.answers, 1):>4.0%} "
            f"{t.grades_right:>3}/{t.grades:<3} {t.header_right:>3}/{t.header:<4}{r['s']:>7.2f} {r['ocr']:>10.2f} "
            f"{r['turn']:>11.3f} {r['ours']:>11.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pdfs", nargs="*", type=Path, help="printed PDFs with an entry in samples/expected.yaml")
    parser.add_argument("--dpi", nargs="+", type=int, default=[150, 200, 300])
    parser.add_argument("--skew", type=float, default=0.0, help="degrees each chosen page is rotated (anticlockwise)")
    parser.add_argument("--turn", type=int, default=0, choices=[0, 90, 180, 270],
                        help="quarter turns each chosen page is rotated by (anticlockwise)")
    parser.add_argument("--pages", type=int, nargs="+", help="the pages --skew and --turn apply to (default: all)")
    parser.add_argument("--noise", type=float, default=0.0, help="share of pixels turned to speckle")
    parser.add_argument("--suite", action="store_true", help="run the standard sets at 200 dpi (see SUITE)")
    parser.add_argument("--verbose", action="store_true", help="name the questions that differ")
    args = parser.parse_args(argv)
    pdfs = args.pdfs or sorted(RETURNS.glob("*-printed.pdf"))
    truths = expected()
    print(f"{'scan':<26} {'answers right':>12} {'grades':>7} {'header':>7} {'s/page':>7} {'OCR s/page':>10} "
          f"{'turn s/page':>11} {'ours s/page':>11}")
    if args.suite:
        for label, scan in SUITE:
            print(_row(label, run_set(pdfs, truths, 200, args.verbose, **scan)), flush=True)
        return
    scan = {"skew": args.skew, "turn": args.turn, "noise": args.noise,
            "pages": set(args.pages) if args.pages else None}
    for dpi in args.dpi:
        print(_row(f"{dpi} dpi", run_set(pdfs, truths, dpi, args.verbose, **scan)), flush=True)


if __name__ == "__main__":
    main()
