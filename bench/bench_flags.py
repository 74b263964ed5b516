"""Measure the flag detectors on labelled, fictional data: undated_answer P/R/F1 and date-parser accuracy.

Run: .venv/bin/python bench/bench_flags.py [--errors]
answers_labelled.yaml: rows alternate "dev" / "held_out" halves (both were read while the rules were written).
answers_heldout.yaml: written after the first rules were frozen; first score F1 0.80, rules then generalised.
answers_final.yaml: written after that, scored once and not tuned on: the honest figure.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.dates import find_dates, parse_date  # noqa: E402
from pipeline.validation.rules.undated import undated_event_sentences  # noqa: E402

DATA = Path(__file__).parent / "data"


def _prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    tp = sum(1 for gold, got in pairs if gold and got)
    fp = sum(1 for gold, got in pairs if not gold and got)
    fn = sum(1 for gold, got in pairs if gold and not got)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bench_undated(show_errors: bool) -> None:
    for extra in ("answers_heldout.yaml", "answers_final.yaml"):
        rows = yaml.safe_load((DATA / extra).read_text(encoding="utf-8"))["answers"]
        got = [bool(s) for s in undated_event_sentences([r["text"] for r in rows])]
        p, r, f = _prf([(row["undated"], g) for row, g in zip(rows, got)])
        print(f"  {extra:22s} n={len(rows):3d}  precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
        if show_errors:
            for row, g in zip(rows, got):
                if row["undated"] != g:
                    print(f"    {'FP' if g else 'FN'} {row['text']}")
    rows = yaml.safe_load((DATA / "answers_labelled.yaml").read_text(encoding="utf-8"))["answers"]
    t0 = time.perf_counter()
    got = [bool(s) for s in undated_event_sentences([r["text"] for r in rows])]
    elapsed = time.perf_counter() - t0
    print(f"  answers_labelled.yaml: {len(rows)} answers ({sum(r['undated'] for r in rows)} undated), {elapsed * 1000:.0f} ms")
    for name, keep in (("dev", 0), ("held_out", 1), ("all", None)):
        pairs = [(r["undated"], g) for i, (r, g) in enumerate(zip(rows, got)) if keep is None or i % 2 == keep]
        p, r, f = _prf(pairs)
        print(f"  {name:9s} n={len(pairs):3d}  precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
    if show_errors:
        for i, (row, g) in enumerate(zip(rows, got)):
            if row["undated"] != g:
                print(f"  {'FP' if g else 'FN'} [{'dev' if i % 2 == 0 else 'held_out'}] {row['text']}")


def bench_dates(show_errors: bool) -> None:
    data = yaml.safe_load((DATA / "dates_labelled.yaml").read_text(encoding="utf-8"))
    reference = date.fromisoformat(data["reference"])
    rows = data["dates"]
    right = 0
    for row in rows:
        if "whole" in row:
            fd = parse_date(row["whole"], reference)
            got = None if fd is None else (fd.iso if fd.valid else "invalid")
            want = row["expect"]
        else:
            got = [f.iso if f.valid else "invalid" for f in find_dates(row["text"], reference)]
            want = row["expect"] or []
        right += got == want
        if show_errors and got != want:
            print(f"  date miss: {row.get('whole', row.get('text'))!r}: got {got!r}, want {want!r}")
    print(f"date parser: exact match {right}/{len(rows)} = {right / len(rows):.3f} (reference {reference})")


if __name__ == "__main__":
    errors = "--errors" in sys.argv
    bench_dates(errors)
    print("undated_answer:")
    bench_undated(errors)
