"""Mapping accuracy on generated form variants: answers, header fields and grades exactly right, per transformation.

Generates variants of every built-in template (bench/variants.py) in a temporary folder, reads each one
as the pipeline does (extract -> detect template -> map -> record) and compares with the generator's
truth. Prints accuracy per transformation, unmatched-text catches and noise, and time per form.

    .venv/bin/python bench/bench_mapping.py [--per-template 40] [--seed 7] [--show 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.variants import make_variants  # noqa: E402
from extractors.registry import extract  # noqa: E402
from models.settings import Settings  # noqa: E402
from pipeline.mapping.place import map_document  # noqa: E402
from pipeline.intake.process import build_record, choose_template  # noqa: E402
from pipeline.templates.registry import load_templates  # noqa: E402

TODAY = date(2026, 11, 1)


class Tally:
    """Right / total per transformation."""

    def __init__(self) -> None:
        self.right: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)

    def add(self, transforms: list[str], ok: bool) -> None:
        for t in ["ALL", *transforms]:
            self.total[t] += 1
            self.right[t] += ok

    def print(self, title: str) -> None:
        print(f"\n{title}")
        for t in sorted(self.total, key=lambda k: (k != "ALL", k)):
            n, r = self.total[t], self.right[t]
            print(f"  {t:<32} {r:>5}/{n:<5} {100 * r / n:6.1f}%")


def run(per_template: int, seed: int, show: int) -> dict[str, float]:
    templates = load_templates()
    settings = Settings()
    answers, headers, grades = Tally(), Tally(), Tally()
    wrong_template = 0
    stray_caught = stray_total = noisy_forms = 0
    extract_s = map_s = 0.0
    shown = 0
    with tempfile.TemporaryDirectory() as tmp:
        variants = make_variants(Path(tmp), per_template, seed)
        for v in variants:
            t0 = time.perf_counter()
            raw = extract(v.path, settings.limits)
            t1 = time.perf_counter()
            template, confidence = choose_template(raw, templates, settings)
            t2 = time.perf_counter()
            map_document(raw, template)
            map_s += time.perf_counter() - t2
            extract_s += t1 - t0
            record = build_record(raw, "0" * 64, template, confidence, settings, TODAY)
            truth = v.truth
            if template.id != truth.template:
                wrong_template += 1
                print(f"{v.name}: detected as {template.id}")
                continue
            for qid, (text, status) in truth.answers.items():
                got = record.answer(qid)
                ok = (got.answer, got.status.value) == (text, status)
                answers.add(truth.answer_transforms[qid], ok)
                if not ok and shown < show:
                    shown += 1
                    print(f"--- {v.name} {qid} {truth.answer_transforms[qid]}\n  want {status}: {text!r}\n"
                          f"  got  {got.status.value}: {got.answer!r}")
            got_header = record.header.model_dump()
            for h in template.header:
                ok = got_header[h.key] == truth.header[h.key]
                headers.add([*truth.header_transforms, f"field:{h.key}"], ok)
                if not ok and shown < show:
                    shown += 1
                    print(f"--- {v.name} header {h.key} {truth.header_transforms}\n  want {truth.header[h.key]!r}\n"
                          f"  got  {got_header[h.key]!r}")
            if template.grading:
                ok = (record.grade.value, record.grade.problem) == truth.grade
                grades.add(truth.grade_transforms, ok)
                if not ok and shown < show:
                    shown += 1
                    print(f"--- {v.name} grade {truth.grade_transforms}: want {truth.grade}, "
                          f"got {(record.grade.value, record.grade.problem)}")
            unmatched = record.extraction.unmatched_text
            for s in truth.stray:
                stray_total += 1
                stray_caught += any(s[:40] in u for u in unmatched)
            noise = [u for u in unmatched if not any(s[:40] in u for s in truth.stray)]
            noisy_forms += bool(noise)
            if noise and shown < show:
                shown += 1
                print(f"--- {v.name} unmatched noise: {noise[:3]}")
    n = len(variants)
    answers.print("Answers exactly right (text and status)")
    headers.print("Header fields right")
    grades.print("Grades right")
    print(f"\nforms {n}, template misdetected {wrong_template}")
    print(f"unmatched text: stray answers caught {stray_caught}/{stray_total}; forms with noise {noisy_forms}/{n}")
    print(f"time per form: extract {1000 * extract_s / n:.1f} ms, map {1000 * map_s / n:.2f} ms")
    return {"answers": answers.right["ALL"] / max(1, answers.total["ALL"]),
            "headers": headers.right["ALL"] / max(1, headers.total["ALL"]),
            "grades": grades.right["ALL"] / max(1, grades.total["ALL"])}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-template", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=0, help="print up to N mismatches (fictional text only)")
    args = parser.parse_args()
    run(args.per_template, args.seed, args.show)
