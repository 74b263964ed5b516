"""Measure extractors.docx.extract per file against python-docx merely opening the same file, in the same run.

Run: .venv/bin/python bench/bench_docx.py [--repeat N]
Files: every samples/word-*.docx (minimal packages: document, styles, numbering only), the bundled
returns in samples/returns/ (full packages as Word libraries write them), and a long West Midlands form
(header, 27 question rows with three-paragraph answers, grade table) built in a temporary folder.
Prints the median time of each and the ratio extract / python-docx open; the goal is <= 2x.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

import docx as python_docx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.docx import extract  # noqa: E402
from models.settings import Limits  # noqa: E402

_spec = importlib.util.spec_from_file_location("make_word_samples", ROOT / "samples" / "make_word_samples.py")
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)


def full_form(folder: Path) -> Path:
    """A filled-in two-page West Midlands form (fictional answers) in Word's shapes."""
    answer = ["Contact with the family was weekly from 03/09/2025; the school nurse saw the child on 12/10/2025.",
              "A strategy discussion was held on 20/11/2025 with police and children's social care.",
              "The plan was reviewed at the core group on 15/01/2026 and actions were updated."]
    rows = [mk.question_row("SECTION" if i % 5 == 0 else "", f"{i}. Question wording number {i}?",
                            [mk.p(a) for a in answer], vmerge="restart" if i % 5 == 0 else "continue")
            for i in range(1, 28)]
    body = (mk.TITLE + mk.header_rows({"Name of auditor completing form:": "Alex Example",
                                       "Name of your agency/organisation:": "Fictional Health Trust",
                                       "Name of practitioner involved in the case:": "Sam Sample",
                                       "Date of audit:": "14/02/2026"})
            + mk.tbl(*rows) + mk.grade_table({"Good": mk.p(mk.checkbox_sdt(True))}))
    return mk.write_docx(folder / "wm-full-form.docx", body)


def median_ms(fn, path: Path, repeat: int) -> float:
    fn(path)  # warm caches (imports, first parse) outside the timing
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def per_row_ms(folder: Path, rows: int, repeat: int) -> float:
    """Milliseconds per row to extract one table of ``rows`` rows with vertical merges (best of ``repeat``)."""
    body = mk.tbl(*(mk.tr(mk.tc(f"Q{i}"), mk.tc(f"Answer {i}"), mk.tc("", vmerge="restart" if i % 2 else "continue"))
                    for i in range(rows)))
    path = mk.write_docx(folder / f"rows{rows}.docx", body)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        extract(path, Limits())
        best = min(best, time.perf_counter() - start)
    return best * 1000 / rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per file (median reported)")
    args = parser.parse_args()
    limits = Limits()
    with tempfile.TemporaryDirectory() as tmp:
        files = [full_form(Path(tmp)), *sorted((ROOT / "samples").glob("word-*.docx")),
                 *sorted((ROOT / "samples" / "returns").glob("*-*.docx"))]
        print(f"{'file':34s} {'extract ms':>10s} {'python-docx open ms':>20s} {'ratio':>6s}")
        ratios = []
        for path in files:
            try:
                python_docx.Document(path)
            except Exception:  # the junk samples (not a zip) are refused by both; nothing to compare
                continue
            ours = median_ms(lambda p: extract(p, limits), path, args.repeat)
            theirs = median_ms(python_docx.Document, path, args.repeat)
            ratios.append(ours / theirs)
            print(f"{path.name:34s} {ours:10.2f} {theirs:20.2f} {ours / theirs:6.2f}")
    print(f"median ratio {statistics.median(ratios):.2f} (goal <= 2.00); worst {max(ratios):.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        small, large = per_row_ms(Path(tmp), 500, 3), per_row_ms(Path(tmp), 5000, 3)
    print(f"table scaling: {small:.3f} ms/row at 500 rows, {large:.3f} at 5,000: ratio {large / small:.2f} "
          "(linear ~1; a quadratic walk ~10)")


if __name__ == "__main__":
    main()
