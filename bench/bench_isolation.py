"""Measure what reader isolation costs: a run with files read in reader processes against the same run in-process.

Run: .venv/bin/python bench/bench_isolation.py [--repeat N] [--count N]

1. Runs: `run_inbox` over copies of samples/returns, isolation on and off in back-to-back pairs (after one
   warm-up run of each, so spaCy, templates and the forkserver are loaded); the median of each and of the
   pairs' ratios, and the same over --count generated returns.
2. First run of a process: the same two runs, each in a fresh process, so the ratio includes starting the
   forkserver (which imports the extractors) and the first reader.
3. Start methods: in a fresh process, the time from creating a reader to its first record, then for a
   replacement reader (as after a crash), with "forkserver" (maap's choice) and "spawn".
4. Cleanup: one look through /proc for the processes a reader started (made on every reader's exit or kill,
   and when a run starts its readers), against the machine's process count; then killing a busy reader,
   its converter and its folder.
Ratios against baselines measured in the same run; nothing here asserts a time. All returns are fictional.
"""

from __future__ import annotations

import argparse
import json
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

SAMPLES = ROOT / "samples" / "returns"
TODAY = date(2026, 11, 1)


def _fill(inbox: Path, source: Path | None, count: int = 0) -> None:
    if source is not None:
        shutil.copytree(source, inbox)
        return
    from bench.bench_pipeline import generate_inbox

    generate_inbox(inbox, count)


def timed_run(folder: Path, isolate: bool, source: Path | None, count: int = 0) -> float:
    """Seconds for one `run_inbox` over a fresh workspace (the outputs are built too, as in a real run)."""
    from models.settings import Settings
    from pipeline.run import run_inbox
    from pipeline.store.workspace import Workspace

    shutil.rmtree(folder, ignore_errors=True)
    _fill(folder / "inbox", source, count)
    start = time.perf_counter()
    run_inbox(Workspace(folder), Settings(isolate=isolate), today=TODAY)
    return time.perf_counter() - start


def compare(label: str, tmp: Path, repeat: int, source: Path | None, count: int = 0) -> None:
    files = len(list(source.iterdir())) if source else count
    timed_run(tmp / "warm-on", True, source, count)
    timed_run(tmp / "warm-off", False, source, count)
    times: dict[bool, list[float]] = {True: [], False: []}
    for i in range(repeat):
        for isolate in ((True, False) if i % 2 == 0 else (False, True)):  # alternate: no order advantage
            times[isolate].append(timed_run(tmp / f"run-{isolate}", isolate, source, count))
    on, off = statistics.median(times[True]), statistics.median(times[False])
    # Each pair ran back to back, so its ratio is spared most of the drift of a shared machine's load.
    pairs = sorted(a / b for a, b in zip(times[True], times[False]))
    print(f"{label} ({files} files, {repeat} pairs of runs):")
    print(f"  in-process {off:6.2f} s   isolated {on:6.2f} s (medians)   ratio of pairs: median {statistics.median(pairs):.2f}x"
          f" (range {pairs[0]:.2f}-{pairs[-1]:.2f})   +{(on - off) / files * 1000:.1f} ms per file")


def first_run_child(isolate: bool, folder: Path) -> None:
    """In a fresh process: one run, printed as JSON (seconds)."""
    print(json.dumps({"seconds": timed_run(folder, isolate, SAMPLES)}))


def first_run(tmp: Path) -> None:
    results = {}
    for isolate in (False, True):
        out = subprocess.run([sys.executable, __file__, "--first-run-child", str(isolate), str(tmp / f"first-{isolate}")],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        results[isolate] = json.loads(out.stdout.strip().splitlines()[-1])["seconds"]
    print("first run of a fresh process (samples/returns; includes loading spaCy and templates):")
    print(f"  in-process {results[False]:6.2f} s   isolated {results[True]:6.2f} s   "
          f"ratio {results[True] / results[False]:.2f}x")


def start_method_child(method: str) -> None:
    """In a fresh process: seconds to a first record from a new reader, then from a replacement reader."""
    from models.settings import Settings
    from pipeline.intake.isolation import ReaderPool
    from pipeline.templates.registry import load_templates

    settings, templates = Settings(), load_templates()
    sample = SAMPLES / "wm-case1-health-visiting.docx"
    figures = []
    with ReaderPool(1, settings.limits.memory_mb, start_method=method) as pool:
        for _ in range(3):
            start = time.perf_counter()
            reader = pool._borrow()
            reader.read(sample, settings, templates, TODAY)
            figures.append(time.perf_counter() - start)
            reader.kill()  # as after a crash: the next read needs a new reader
            pool._give_back(reader)
    print(json.dumps({"first": figures[0], "replacement": statistics.median(figures[1:])}))


def start_methods() -> None:
    print("a reader's start, to its first record (fresh process each; median of 2 replacements):")
    for method in ("forkserver", "spawn"):
        out = subprocess.run([sys.executable, __file__, "--start-method-child", method], capture_output=True,
                             text=True, check=True, cwd=ROOT)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  {method:10s} first reader {r['first'] * 1000:7.0f} ms   replacement {r['replacement'] * 1000:7.0f} ms")


def cleanup() -> None:
    """The cost of making sure nothing a reader started outlives it."""
    import os
    import threading

    from pipeline.intake.isolation import ReaderPool, _marked, sweep_orphans

    processes = sum(1 for name in os.listdir("/proc") if name.isdigit()) if os.path.isdir("/proc") else 0
    scans, sweeps = [], []
    for _ in range(50):
        start = time.perf_counter()
        _marked()
        scans.append(time.perf_counter() - start)
        start = time.perf_counter()
        sweep_orphans()
        sweeps.append(time.perf_counter() - start)
    print(f"cleanup ({processes} processes on this machine):")
    print(f"  one look for a reader's processes {statistics.median(scans) * 1000:6.2f} ms   "
          f"sweep at a run's start {statistics.median(sweeps) * 1000:6.2f} ms (medians of 50)")
    with tempfile.TemporaryDirectory(prefix="maap-bench-cleanup-") as tmp:
        stuck = Path(tmp) / "stuck.tool"
        stuck.write_text(f"{Path(tmp) / 'pid'}\n-\n")
        figures = []
        for _ in range(3):
            pool = ReaderPool(1, formats={".tool": ("tests.test_isolation", "fake")})
            thread = threading.Thread(target=lambda: _read_quietly(pool, stuck))
            thread.start()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not (Path(tmp) / "pid").exists():
                time.sleep(0.01)
            start = time.perf_counter()
            pool.close()  # kills the busy reader, its converter ('sleep', in a session of its own) and its folder
            thread.join()
            figures.append(time.perf_counter() - start)
            (Path(tmp) / "pid").unlink()
    print(f"  killing a busy reader with its converter and folder {statistics.median(figures) * 1000:6.1f} ms "
          "(median of 3)")


def _read_quietly(pool, path: Path) -> None:
    from models.settings import Settings
    from pipeline.intake.isolation import ReadersStopped

    try:
        pool.read(path, Settings(), {}, TODAY)
    except (ReadersStopped, Exception):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per mode (median reported)")
    parser.add_argument("--count", type=int, default=100, help="generated returns for the second comparison")
    parser.add_argument("--first-run-child", nargs=2, metavar=("ISOLATE", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--start-method-child", metavar="METHOD", help=argparse.SUPPRESS)
    parser.add_argument("--cleanup-only", action="store_true", help="only measure cleanup (section 4)")
    args = parser.parse_args()
    if args.cleanup_only:
        cleanup()
        return
    if args.first_run_child:
        first_run_child(args.first_run_child[0] == "True", Path(args.first_run_child[1]))
        return
    if args.start_method_child:
        start_method_child(args.start_method_child)
        return
    with tempfile.TemporaryDirectory(prefix="maap-bench-isolation-") as tmp:
        compare("run_inbox over samples/returns", Path(tmp), args.repeat, SAMPLES)
        compare("run_inbox over generated returns", Path(tmp), max(1, args.repeat // 2), None, args.count)
        first_run(Path(tmp))
    start_methods()
    cleanup()


if __name__ == "__main__":
    main()
