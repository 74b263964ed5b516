"""Benchmark: extractors.pdf.extract() cost per text PDF against `pdftotext` on the same files, same run.

Run:  .venv/bin/python bench/bench_pdf.py [PDF or folder ...] [--repeat N]

Prints the median milliseconds per file for each and the ratio extract/pdftotext (the aim is 3x or less).
Scanned files are skipped (their cost is OCR's). pdftotext is timed as a process, as a pipeline would run it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractors.pdf import extract  # noqa: E402
from models.errors import UnreadableFile  # noqa: E402
from models.settings import Limits  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench(paths: list[Path], repeat: int = 20) -> list[tuple[str, float, float]]:
    """(file name, extract ms, pdftotext ms) for every readable text PDF in paths."""
    rows = []
    limits = Limits()
    for path in paths:
        try:
            raw = extract(path, limits)  # warm-up, and skip what is not a text PDF
        except UnreadableFile:
            continue
        if raw.ocr:
            continue
        ours = _median_ms(lambda: extract(path, limits), repeat)
        theirs = _median_ms(lambda: subprocess.run(["pdftotext", "-q", str(path), "-"], check=False,
                                                   stdout=subprocess.DEVNULL), repeat)
        rows.append((path.name, ours, theirs))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     epilog="example: python bench/bench_pdf.py samples --repeat 30")
    parser.add_argument("paths", nargs="*", type=Path, default=[SAMPLES])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    files = sorted(p for arg in args.paths for p in ([arg] if arg.is_file() else arg.glob("*.pdf")))
    rows = bench(files, args.repeat)
    if not rows:
        print("no text PDFs found")
        return 1
    print(f"{'file':32} {'extract ms':>11} {'pdftotext ms':>13} {'ratio':>6}")
    for name, ours, theirs in rows:
        print(f"{name:32} {ours:11.1f} {theirs:13.1f} {ours / theirs:6.2f}")
    total_ours, total_theirs = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'all files':32} {total_ours:11.1f} {total_theirs:13.1f} {total_ours / total_theirs:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
