"""Measure the workbook: write time, file size and peak memory for 1,000 fictional returns (about 30,000 answer
rows), against openpyxl writing the same answer rows plainly (one sheet, no styles), in the same run.

Run: .venv/bin/python bench/bench_workbook.py [--returns N] [--reviews]
Each variant runs in its own process, so peak memory (ru_maxrss) is that variant's own. --reviews also times a
rebuild that first reads every review column back from the workbook (what each nightly run does).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.record import (  # noqa: E402
    Answer, AuditReturn, Evidence, Flag, FlagCode, Grade, Header, Quality, Severity, Source, Status, TemplateMatch,
    ThemeTag,
)

AGENCIES = ["Health Visiting", "West Midlands Police", "Kingsmere Academy", "Children's Social Care", "CAMHS",
            "Brookside Surgery"]
GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]
SENTENCE = ("The family was seen at home on 03/03/2024 and the child's wishes were recorded; the plan was reviewed "
            "with the school and the health visitor, and concerns about home conditions were shared. ")


def fictional_returns(n: int, answers: int = 30) -> list[AuditReturn]:
    """``n`` fictional returns of ``answers`` answers each, a theme and a flag apiece."""
    out = []
    for i in range(n):
        sha = f"{i:064x}"
        rows = [Answer(id=f"q{q}", section=f"Section {q // 5 + 1}", question=f"Question {q} about the child's plan?",
                       answer=(SENTENCE * (1 + (i + q) % 3)).strip() if (i + q) % 7 else "",
                       status=Status.answered if (i + q) % 7 else Status.unanswered,
                       dates=["2024-03-03"] if (i + q) % 7 else [], themes=["neglect"] if q == 1 else [])
                for q in range(1, answers + 1)]
        out.append(AuditReturn(
            source=Source(file=f"return-{i:04d}.docx", sha256=sha, format="docx"),
            template=TemplateMatch(id="west-midlands-maat", version="1", confidence=0.95),
            header=Header(agency=AGENCIES[i % len(AGENCIES)], auditor="Fictional Auditor",
                          practitioner="Fictional Practitioner", child=f"Child {i // 4:03d}", date_of_audit="2024-05-14"),
            answers=rows, grade=Grade(value=GRADES[i % 4]),
            themes=[ThemeTag(id="neglect", label="Neglect", mentions=1, answers=["q1"],
                             evidence=[Evidence(answer="q1", sentence=SENTENCE.strip(), polarity="concern")])],
            flags=[Flag(code=FlagCode.unanswered, severity=Severity.warning, answer=a.id, message="Left blank.")
                   for a in rows if a.status is Status.unanswered],
            quality=Quality(score=60 + i % 40)))
    return out


def _answer_rows(records):
    for r in records:
        for a in r.answers:
            yield [r.header.child, r.header.agency, a.section, a.id, a.question, a.answer, a.status.value,
                   ", ".join(a.dates), ", ".join(a.themes), r.source.file]


def _plain(records, path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Answers"
    ws.append(["Case", "Agency", "Section", "Question id", "Question", "Answer", "Status", "Dates", "Themes", "File"])
    for row in _answer_rows(records):
        ws.append(row)
    wb.save(path)


def _maap(records, path: Path) -> None:
    from pipeline.outputs.workbook import build_workbook
    from pipeline.templates.registry import load_templates

    build_workbook(records, [], path, templates=load_templates())


def _rebuild(records, path: Path) -> None:
    """What a nightly run does with an existing workbook: read the reviews back, then write it again."""
    from pipeline.outputs.reviews import apply_reviews
    from pipeline.outputs.workbook import build_workbook, gather_reviews
    from pipeline.templates.registry import load_templates

    store = path.with_name("reviews.jsonl")
    gathered = gather_reviews(path, store)
    build_workbook(records, [], path, corrected=apply_reviews(records, gathered.latest), reviews=gathered.latest,
                   templates=load_templates(), store=store, keep_existing=gathered.keep_existing)


def _child(variant: str, n: int, folder: str, queue) -> None:
    records = fictional_returns(n)
    path = Path(folder) / f"{variant}.xlsx"
    if variant == "rebuild":  # the workbook the "maap" variant wrote, as if a reviewer had saved it since
        path.write_bytes((Path(folder) / "maap.xlsx").read_bytes())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    {"plain": _plain, "maap": _maap, "rebuild": _rebuild}[variant](records, path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((variant, seconds, path.stat().st_size, peak / 1024, (peak - before) / 1024))


def measure_variants(variants: list[str], returns: int) -> dict[str, tuple]:
    """Each variant in its own process, in order: variant -> (name, seconds, bytes, peak MB, added MB)."""
    ctx = multiprocessing.get_context("spawn")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for variant in variants:
            queue = ctx.Queue()
            proc = ctx.Process(target=_child, args=(variant, returns, folder, queue))
            proc.start()
            results[variant] = queue.get()
            proc.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=1000)
    parser.add_argument("--reviews", action="store_true", help="also time a rebuild that reads reviews back")
    args = parser.parse_args()
    variants = ["plain", "maap"] + (["rebuild"] if args.reviews else [])
    results = measure_variants(variants, args.returns)
    rows = sum(len(r.answers) for r in fictional_returns(args.returns))
    print(f"{args.returns} returns, {rows} answer rows")
    print(f"{'variant':<10} {'seconds':>8} {'size MB':>8} {'peak MB':>8} {'added MB':>9}")
    for variant, seconds, size, peak, added in results.values():
        print(f"{variant:<10} {seconds:>8.2f} {size / 1e6:>8.1f} {peak:>8.0f} {added:>9.0f}")
    plain = results["plain"]
    for variant in variants[1:]:
        r = results[variant]
        print(f"{variant} / plain: time {r[1] / plain[1]:.1f}x, size {r[2] / plain[2]:.1f}x, "
              f"added memory {r[4] / max(plain[4], 1):.1f}x")


if __name__ == "__main__":
    main()
