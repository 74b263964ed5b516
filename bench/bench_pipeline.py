"""Measure the whole pipeline per return, its peak memory, and the Prefect flow's overhead, each against a baseline.

Run: .venv/bin/python bench/bench_pipeline.py [--repeat N] [--count N] [--batch-size N] [--skip-prefect]

1. Time: pipeline.intake.process.read_return on every samples/returns/*.docx against python-docx merely opening the
   same file, both measured in this run; prints the median of each and the ratio.
2. Memory: `run_inbox` (engine local) over --count generated returns against the same count of python-docx
   opens. Each runs in a fresh process; the figure is the growth of its peak resident set over what the
   process held after imports and a warm-up file (so libxml2's C allocations count, unlike tracemalloc).
3. Prefect: the intake flow against `run_inbox` on identical copies of one workspace: the first flow of a
   process (starts the temporary server) and a second one (server already up).
Ratios only: nothing here asserts a time. All returns are fictional, generated with tests/formbuild.py.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_docx import median_ms  # noqa: E402  (one timing helper for both benches)
for key, value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "ERROR",
                   "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"}.items():
    os.environ.setdefault(key, value)

AGENCIES = ["Health Visiting", "West Midlands Police", "Oakfield Primary School", "Children's Social Care",
            "Housing", "GP Practice", "CAMHS"]
GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate", None]


def generate_inbox(inbox: Path, count: int) -> None:
    """COUNT distinct fictional West Midlands returns (distinct bytes, so none is skipped as a duplicate)."""
    from tests.formbuild import sample_return

    inbox.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        sample_return(inbox / f"case{i // 7 + 1:03d}-{i % 7}.docx", agency=AGENCIES[i % 7], child=f"Child {i:04d}",
                      grade=GRADES[i % 5],
                      q1=f"Early help assessment completed on {i % 28 + 1}/03/2024 after referral number {i}.",
                      q2="Strategy discussion held with police and social care; actions agreed and reviewed.")


def time_per_return(repeat: int) -> None:
    import docx as python_docx

    from models.settings import Settings
    from pipeline.intake.process import read_return
    from pipeline.templates.registry import load_templates

    settings, templates, today = Settings(), load_templates(), date(2026, 1, 1)
    print(f"{'return':46s} {'read_return ms':>14s} {'python-docx open ms':>20s} {'ratio':>6s}")
    ratios = []
    for path in sorted((ROOT / "samples" / "returns").glob("*.docx")):
        try:
            python_docx.Document(path)
            read_return(path, settings, templates, today)
        except Exception:  # the deliberate junk sample is refused by both; there is nothing to compare
            continue
        ours = median_ms(lambda p: read_return(p, settings, templates, today), path, repeat)
        theirs = median_ms(python_docx.Document, path, repeat)
        ratios.append(ours / theirs)
        print(f"{path.name:46s} {ours:14.2f} {theirs:20.2f} {ours / theirs:6.1f}")
    print(f"read_return / python-docx open: median {statistics.median(ratios):.1f}x, worst {max(ratios):.1f}x "
          f"over {len(ratios)} returns\n")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory_child(mode: str, folder: Path) -> None:
    """In a fresh process: warm up on one file, then do the work; print peak RSS growth in MB as JSON."""
    import docx as python_docx

    from models.settings import Settings
    from pipeline.run import run_inbox
    from pipeline.store.workspace import Workspace

    files = sorted((folder / "inbox").glob("*.docx"))
    warm = Path(tempfile.mkdtemp())
    generate_inbox(warm / "inbox", 1)
    run_inbox(Workspace(warm), Settings())  # spaCy, templates, openpyxl: loaded before the baseline RSS
    python_docx.Document(files[0])
    before = _rss_mb()
    start = time.perf_counter()
    if mode == "local":
        run_inbox(Workspace(folder), Settings())
    else:
        for path in files:
            python_docx.Document(path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    shutil.rmtree(warm, ignore_errors=True)
    print(json.dumps({"before_mb": before, "peak_mb": peak, "growth_mb": max(peak - before, 0.0), "seconds": seconds}))


def _child(mode: str, folder: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--memory-child", mode, str(folder)], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory(count: int, tmp: Path) -> None:
    src = tmp / "mem-src"
    generate_inbox(src / "inbox", count)
    results = {}
    for mode in ("python-docx", "local"):
        folder = tmp / f"mem-{mode}"
        shutil.copytree(src, folder)
        results[mode] = _child(mode, folder)
    base, ours = results["python-docx"], results["local"]
    print(f"peak memory over {count} returns (growth of peak RSS after imports and warm-up, fresh process each):")
    for mode, r in results.items():
        print(f"  {mode:12s} growth {r['growth_mb']:7.1f} MB  (RSS after warm-up {r['before_mb']:.0f} MB, "
              f"peak {r['peak_mb']:.0f} MB, {r['seconds']:.1f} s)")
    growth_ratio = ours["growth_mb"] / base["growth_mb"] if base["growth_mb"] > 0.5 else float("nan")
    print(f"run_inbox / python-docx opens: peak growth {growth_ratio:.1f}x, peak RSS "
          f"{ours['peak_mb'] / base['peak_mb']:.2f}x\n")


def prefect_overhead(count: int, tmp: Path, batch_size: int | None) -> None:
    from flows.intake import run_flow
    from models.settings import Settings
    from pipeline.run import run_inbox
    from pipeline.store.workspace import Workspace

    src = tmp / "flow-src"
    generate_inbox(src / "inbox", count)
    settings = Settings()
    warm = tmp / "flow-warm"
    generate_inbox(warm / "inbox", 1)
    run_inbox(Workspace(warm), settings)  # spaCy and templates loaded once per process, for both engines

    def timed(fn, name: str) -> float:
        folder = tmp / name
        shutil.copytree(src, folder)
        start = time.perf_counter()
        fn(folder)
        return time.perf_counter() - start

    local = timed(lambda f: run_inbox(Workspace(f), settings), "flow-local")
    cold = timed(lambda f: run_flow(f, settings, batch_size=batch_size), "flow-prefect-cold")
    warm_s = timed(lambda f: run_flow(f, settings, batch_size=batch_size), "flow-prefect-warm")
    label = f"batch size {batch_size}" if batch_size else "default batching"
    print(f"Prefect flow vs --engine local on {count} returns (concurrency {settings.concurrency}, {label}):")
    print(f"  local {local:6.1f} s")
    print(f"  flow, first in process (starts temporary server) {cold:6.1f} s  ratio {cold / local:.2f}x")
    print(f"  flow, server already up                          {warm_s:6.1f} s  ratio {warm_s / local:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed reads per sample return (median reported)")
    parser.add_argument("--count", type=int, default=200, help="generated returns for the memory and Prefect runs")
    parser.add_argument("--batch-size", type=int, default=None, help="files per Prefect task (default: automatic)")
    parser.add_argument("--skip-prefect", action="store_true", help="leave out the Prefect comparison")
    parser.add_argument("--memory-child", nargs=2, metavar=("MODE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child[0], Path(args.memory_child[1]))
        return
    time_per_return(args.repeat)
    with tempfile.TemporaryDirectory(prefix="maap-bench-") as tmp:
        memory(args.count, Path(tmp))
        if not args.skip_prefect:
            prefect_overhead(args.count, Path(tmp), args.batch_size)


if __name__ == "__main__":
    main()
