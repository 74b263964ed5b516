"""Measure the flag detectors on labelled, fictional data: undated_answer P/R/F1 and date-parser accuracy.

Run: .venv/bin/python bench/bench_flags.py [--errors]
answers_labelled.yaml: rows alternate "dev" / "held_out" halves (both were read while the rules were written).
answers_heldout.yaml: written after the first rules were frozen; first score F1 0.80, rules then generalised.
answers_final.yaml: written after that, scored once and not tuned on.
answers_dev2.yaml (issue 17): reflective answers, procedures used, decisions; pairs of rows alternate "tune" /
"check". answers_dev3.yaml, then answers_dev4.yaml: each written after the previous changes, first scored once
(docs/flags.md), then tuned on.
undated_fresh.yaml (when present): written and labelled by someone else with docs/undated-labelling-guide.md and
labelled again, blind, by a second person (undated_fresh_labeller2.yaml, or an ``undated_2`` key): the rule
against each labelling, and Cohen's kappa between the labellers and between the rule and each.
Cost: the undated check per 1,000 answers (the labelled answers, repeated), and as a ratio to spaCy's own
tokenising and sentence splitting of the same texts in the same run.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.dates import find_dates, parse_date  # noqa: E402
from pipeline.themes.agreement import cohen_kappa  # noqa: E402
from pipeline.themes.nlp import load_nlp  # noqa: E402
from pipeline.validation.rules.undated import undated_event_sentences  # noqa: E402

DATA = Path(__file__).parent / "data"


def _prf(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float]:
    tp = sum(1 for gold, got in pairs if gold and got)
    fp = sum(1 for gold, got in pairs if not gold and got)
    fn = sum(1 for gold, got in pairs if gold and not got)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def agreement(a: list[bool], b: list[bool]) -> tuple[float, float | None]:
    """(percent agreement, Cohen's kappa or None when undefined) between two yes/no labellings."""
    both = sum(1 for x, y in zip(a, b) if x and y)
    a_only = sum(1 for x, y in zip(a, b) if x and not y)
    b_only = sum(1 for x, y in zip(a, b) if y and not x)
    neither = len(a) - both - a_only - b_only
    return (both + neither) / len(a), cohen_kappa(both, a_only, b_only, neither)


def load_fresh(data: Path) -> tuple[list[dict], list[bool], list[bool] | None] | None:
    """(rows, first labels, second labels or None) of undated_fresh.yaml, or None when the set is not there.

    The second labelling is an ``undated_2`` key on each row, or undated_fresh_labeller2.yaml with the same ids
    (rows matched by ``id``, else by text). A row the second file lacks stops the bench with a clear message.
    """
    path = data / "undated_fresh.yaml"
    if not path.exists():
        return None
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
    first = [bool(r["undated"]) for r in rows]
    if all("undated_2" in r for r in rows):
        return rows, first, [bool(r["undated_2"]) for r in rows]
    second_path = data / "undated_fresh_labeller2.yaml"
    if not second_path.exists():
        return rows, first, None
    other = yaml.safe_load(second_path.read_text(encoding="utf-8"))
    other = other["answers"] if isinstance(other, dict) else other
    by_key = {str(r.get("id", r.get("text"))): bool(r["undated"]) for r in other}
    second = []
    for n, r in enumerate(rows, 1):
        key = str(r.get("id", r.get("text")))
        if key not in by_key:
            raise SystemExit(f"{second_path.name} has no label for row {n} (id {r.get('id', '?')}) of {path.name}")
        second.append(by_key[key])
    return rows, first, second


def _kappa(k: float | None) -> str:
    return "undefined" if k is None else f"{k:.3f}"


def bench_fresh(show_errors: bool, data: Path = DATA) -> None:
    """The rule on the fresh, independently labelled set, and how far the two labellers agree."""
    fresh = load_fresh(data)
    if fresh is None:
        print("  undated_fresh.yaml: not present (docs/undated-labelling-guide.md says how it is made)")
        return
    rows, first, second = fresh
    got = [bool(s) for s in undated_event_sentences([r["text"] for r in rows])]
    print(f"  undated_fresh.yaml n={len(rows)} (labeller 1: {sum(first)} undated"
          + (f", labeller 2: {sum(second)} undated)" if second is not None else ", no second labelling yet)"))
    labellings = [("labeller 1", first)] + ([("labeller 2", second)] if second is not None else [])
    for name, gold in labellings:
        p, r, f = _prf(list(zip(gold, got)))
        agree, k = agreement(gold, got)
        print(f"    rule vs {name}:  precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  "
              f"agreement {agree:.3f}  kappa {_kappa(k)}")
    if second is not None:
        agree, k = agreement(first, second)
        print(f"    labeller 1 vs labeller 2: agreement {agree:.3f}  kappa {_kappa(k)}")
        both = [(g, x) for g, h, x in zip(first, second, got) if g == h]
        if both:
            p, r, f = _prf(both)
            print(f"    rule on the {len(both)} answers both labellers agree on: "
                  f"precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
    if show_errors:
        for row, g, a, b in zip(rows, got, first, second if second is not None else first):
            if g != a or g != b:
                print(f"    rule {'yes' if g else 'no '} / labellers {'yes' if a else 'no '} "
                      f"{'yes' if b else 'no '}: {row['text']}")


def bench_cost(repeat: int = 5) -> None:
    """Milliseconds per 1,000 answers for the undated check, and the ratio to spaCy's pipe alone (same run)."""
    texts: list[str] = []
    for name in ("answers_labelled.yaml", "answers_heldout.yaml", "answers_final.yaml", "answers_dev2.yaml",
                 "answers_dev3.yaml", "answers_dev4.yaml"):
        texts += [r["text"] for r in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["answers"]]
    texts = texts * repeat
    nlp = load_nlp()
    undated_event_sentences(texts[:10])  # load and build once, outside the timing
    rule, pipe = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        list(nlp.pipe(texts, batch_size=256))
        pipe.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        undated_event_sentences(texts)
        rule.append(time.perf_counter() - t0)
    best_rule, best_pipe = min(rule), min(pipe)
    print(f"  cost: {best_rule / len(texts) * 1e6:.0f} ms per 1,000 answers ({len(texts)} answers, best of 3; "
          f"dated answers skip spaCy); {best_rule / best_pipe:.2f}x spaCy's pipe alone on the same texts")


def _split_report(name: str, rows: list[dict], got: list[bool], halves: tuple[str, str], show_errors: bool) -> None:
    """P/R/F1 on a set whose pairs of rows alternate between two halves (a text and its dated twin stay together)."""
    print(f"  {name}: {len(rows)} answers ({sum(r['undated'] for r in rows)} undated)")
    for label, keep in ((halves[0], 0), (halves[1], 1), ("all", None)):
        pairs = [(r["undated"], g) for i, (r, g) in enumerate(zip(rows, got)) if keep is None or (i // 2) % 2 == keep]
        p, r, f = _prf(pairs)
        print(f"    {label:7s} n={len(pairs):3d}  precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
    if show_errors:
        for i, (row, g) in enumerate(zip(rows, got)):
            if row["undated"] != g:
                print(f"    {'FP' if g else 'FN'} [{halves[(i // 2) % 2]}] {row['text']}")


def bench_undated(show_errors: bool) -> None:
    for extra in ("answers_heldout.yaml", "answers_final.yaml", "answers_dev3.yaml", "answers_dev4.yaml"):
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
    rows = yaml.safe_load((DATA / "answers_dev2.yaml").read_text(encoding="utf-8"))["answers"]
    _split_report("answers_dev2.yaml", rows, [bool(s) for s in undated_event_sentences([r["text"] for r in rows])],
                  ("tune", "check"), show_errors)
    bench_fresh(show_errors)
    bench_cost()


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
