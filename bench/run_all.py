"""Every maap benchmark in one run, printed as one table: each figure beside a baseline measured in this same run.

Run:  .venv/bin/python bench/run_all.py            # the full table (about 15-25 min on 2 loaded cores)
      .venv/bin/python bench/run_all.py --quick    # a smoke version in a few minutes (small counts)
      .venv/bin/python bench/run_all.py --only docx,pdf,themes --repeat 30
      .venv/bin/python bench/run_all.py --growth 100,1000 --returns 500 --markdown

Sections (--only picks some; names in brackets):
  [docx]      read one .docx return: extractors.docx.extract and the whole read_return (extract, template
              detection, mapping, validation), CPU ms per file, against python-docx opening it and against a
              bare lxml parse of its word/document.xml.
  [pdf]       extractors.pdf.extract on each text PDF in samples/ against the `pdftotext` command (bench_pdf).
  [themes]    theme tagging of 1,000 returns (bench_themes' synthetic returns) against spaCy's bare nlp.pipe
              over the same answers.
  [workbook]  the workbook for 1,000 returns (bench_workbook) against openpyxl writing the answer rows plainly.
  [run]       `maap run` over --returns distinct generated returns (different children: nothing supersedes),
              with the Prefect engine and with --engine local, each in a fresh process: wall time, CPU time and
              peak memory of the whole process tree (reader processes and the Prefect server included, sampled
              from /proc), against python-docx opening the same files in a fresh process. Prefect's share is
              (prefect - local) / prefect. Then an idle night (the same command again, nothing new) against
              Prefect's bare start-up (a one-task flow in a fresh process).
  [growth]    `maap run` (Prefect engine) at each --growth count: seconds per return and peak memory.

Times are CPU seconds where the work is in one process, wall seconds where it is a process tree; every ratio's
two sides come from the same run, so the table compares across loaded machines better than its raw times.
Nothing here asserts a time. All returns are fictional (tests/formbuild.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ENV = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
       "PREFECT_LOGGING_LEVEL": "ERROR", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"}
AGENCIES = ["Health Visiting", "West Midlands Police", "Oakfield Primary School", "Children's Social Care",
            "Housing", "GP Practice", "CAMHS"]
GRADES = ["Outstanding", "Good", "Requires improvement", "Inadequate", None]
SECTIONS = ["docx", "pdf", "themes", "workbook", "run", "growth"]
ROWS: list[tuple[str, str, str, str, str]] = []  # measure, ours, baseline, ratio, target
CODE = ROOT  # the checkout whose `maap run` the run and growth sections time (--code)


def row(measure: str, ours: str, baseline: str, ratio: str = "", target: str = "") -> None:
    ROWS.append((measure, ours, baseline, ratio, target))
    print(f"  {measure}: {ours} | {baseline} | {ratio} {target}", flush=True)


# --- generated returns ------------------------------------------------------------------------------------------

def generate_inbox(inbox: Path, count: int) -> list[Path]:
    """COUNT distinct fictional West Midlands returns: one form per grade built with tests/formbuild.py, then
    copied with its child, agency and first answer replaced in word/document.xml (fast: 5,000 in seconds)."""
    from tests.formbuild import sample_return

    inbox.mkdir(parents=True, exist_ok=True)
    bases = []
    with tempfile.TemporaryDirectory() as tmp:
        for g, grade in enumerate(GRADES):
            path = sample_return(Path(tmp) / f"base{g}.docx", agency="AGENCYMARK", child="CHILDMARK", grade=grade,
                                 q1="Early help assessment completed on DAYMARK/03/2024 after referral number NUMMARK.",
                                 q2="Strategy discussion held with police and social care; actions agreed.")
            with zipfile.ZipFile(path) as z:
                bases.append([(info, z.read(info)) for info in z.infolist()])
    out = []
    for i in range(count):
        fills = {b"AGENCYMARK": AGENCIES[i % 7].encode(), b"CHILDMARK": f"Child {i:05d}".encode(),
                 b"DAYMARK": str(i % 28 + 1).encode(), b"NUMMARK": str(i).encode()}
        path = inbox / f"case{i // 7 + 1:04d}-{i % 7}.docx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in bases[i % len(GRADES)]:
                if info.filename == "word/document.xml":
                    for mark, value in fills.items():
                        data = data.replace(mark, value)
                z.writestr(info, data)
        out.append(path)
    return out


# --- timing helpers ---------------------------------------------------------------------------------------------

def cpu_ms(fn, arg, repeat: int) -> float:
    """Median CPU milliseconds of fn(arg), after one untimed warm-up call."""
    fn(arg)
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn(arg)
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def _tree(pid: int) -> list[int]:
    """pid and every descendant, from /proc (children of each process)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return found


def _stat(pid: int) -> tuple[float, float] | None:
    """(CPU seconds so far, resident MB) of one process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(cmd: list[str]) -> dict:
    """Run a command and sample its process tree 10 times a second: wall seconds, CPU seconds of the whole tree
    (the larger of the sampled sum and what getrusage(RUSAGE_CHILDREN) saw reaped), the peak resident memory of
    any one process and of the tree at once."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = {**ENV, "PYTHONPATH": str(CODE)}
    proc = subprocess.Popen(cmd, cwd=CODE, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cpu: dict[int, float] = {}
    peak_one = peak_tree = 0.0
    while proc.poll() is None:
        tree_mb = 0.0
        for pid in _tree(proc.pid):
            got = _stat(pid)
            if got:
                cpu[pid] = max(cpu.get(pid, 0.0), got[0])
                tree_mb += got[1]
                peak_one = max(peak_one, got[1])
        peak_tree = max(peak_tree, tree_mb)
        time.sleep(0.1)
    wall = time.perf_counter() - start
    output = proc.stdout.read()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output[-2000:]}")
    # ru_maxrss is the largest single process reaped so far in this process's life: counted only if it grew
    peak_one = max(peak_one, after.ru_maxrss / 1024 if after.ru_maxrss > before.ru_maxrss else 0.0)
    return {"wall": wall, "cpu": max(reaped, sum(cpu.values())), "peak_one_mb": peak_one,
            "peak_tree_mb": max(peak_tree, peak_one), "output": output}


# --- sections ---------------------------------------------------------------------------------------------------

def bench_docx(tmp: Path, repeat: int) -> None:
    import docx as python_docx
    from lxml import etree

    from extractors.docx import extract
    from models.settings import Settings
    from pipeline.intake.process import read_return
    from pipeline.templates.registry import load_templates

    settings, templates, today = Settings(), load_templates(), date(2026, 1, 1)
    files = [*sorted((ROOT / "samples" / "returns").glob("*.docx")), *generate_inbox(tmp / "docx", 5)]

    def lxml_parse(path: Path):
        with zipfile.ZipFile(path) as z:
            return etree.fromstring(z.read("word/document.xml"))

    got = {"extract": [], "read_return": [], "python-docx": [], "lxml": []}
    for path in files:
        try:
            python_docx.Document(path)
            read_return(path, settings, templates, today)
        except Exception:  # the deliberate junk sample is refused by both: nothing to compare
            continue
        got["extract"].append(cpu_ms(lambda p: extract(p, settings.limits), path, repeat))
        got["read_return"].append(cpu_ms(lambda p: read_return(p, settings, templates, today), path, repeat))
        got["python-docx"].append(cpu_ms(python_docx.Document, path, repeat))
        got["lxml"].append(cpu_ms(lxml_parse, path, repeat))
    med = {k: statistics.median(v) for k, v in got.items()}
    n = len(got["extract"])
    for ours in ("extract", "read_return"):
        row(f".docx {ours}, CPU ms per file (median of {n} returns)", f"{med[ours]:.1f}",
            f"python-docx open {med['python-docx']:.1f}", f"{med[ours] / med['python-docx']:.1f}x")
        row(f".docx {ours} vs bare lxml parse of document.xml", f"{med[ours]:.1f}", f"lxml {med['lxml']:.2f}",
            f"{med[ours] / med['lxml']:.0f}x")


def bench_pdf_section(repeat: int) -> None:
    from bench_pdf import bench

    rows = bench(sorted((ROOT / "samples").glob("*.pdf")), repeat)
    if not rows:
        row("text PDF extract", "no text PDFs", "", "")
        return
    ours, theirs = sum(r[1] for r in rows), sum(r[2] for r in rows)
    ratios = sorted(r[1] / r[2] for r in rows)
    row(f"text PDF extract, wall ms per file ({len(rows)} samples)", f"{ours / len(rows):.1f}",
        f"pdftotext {theirs / len(rows):.1f}", f"{ours / theirs:.1f}x (median {statistics.median(ratios):.1f}x)")


def bench_themes_section(returns: int) -> None:
    from bench_themes import load_labelled, synthetic_returns
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.nlp import load_nlp
    from pipeline.themes.tag import tag_returns

    codebook, nlp = load_codebook(None), load_nlp()
    records = synthetic_returns(returns, [t for t, _ in load_labelled("all")])
    texts = [a.answer for r in records for a in r.answers]
    tag_returns(records[:5], codebook)  # compile the matchers outside the timing
    start = time.process_time()
    tag_returns(records, codebook)
    ours = time.process_time() - start
    start = time.process_time()
    for _doc in nlp.pipe(texts):
        pass
    bare = time.process_time() - start
    row(f"theme tagging, CPU s for {returns} returns ({len(texts)} answers)", f"{ours:.1f}",
        f"bare spaCy nlp.pipe {bare:.1f}", f"{ours / bare:.1f}x")


def bench_workbook_section(returns: int) -> None:
    from bench_workbook import measure_variants

    results = measure_variants(["plain", "maap"], returns)
    plain, ours = results["plain"], results["maap"]
    row(f"workbook for {returns} returns, wall s", f"{ours[1]:.1f}", f"plain openpyxl {plain[1]:.1f}",
        f"{ours[1] / plain[1]:.1f}x")
    row(f"workbook for {returns} returns, peak MB (added)", f"{ours[3]:.0f} ({ours[4]:.0f})",
        f"plain openpyxl {plain[3]:.0f} ({plain[4]:.0f})", f"{ours[4] / max(plain[4], 1):.1f}x added")


def _docx_opens(inbox: Path) -> dict:
    """python-docx opening every file of an inbox, in a fresh process: CPU seconds and peak MB."""
    code = ("import sys, time, docx, resource, json; from pathlib import Path\n"
            "fs = sorted(Path(sys.argv[1]).glob('*.docx'))\n"
            "docx.Document(fs[0]); t = time.process_time()\nfor f in fs: docx.Document(f)\n"
            "print(json.dumps({'cpu': time.process_time() - t, "
            "'peak': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))")
    out = subprocess.run([sys.executable, "-c", code, str(inbox)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def maap_run(folder: Path, engine: str) -> dict:
    return measure([sys.executable, "-m", "pipeline.cli", "run", str(folder), "--engine", engine])


def prefect_startup() -> dict:
    """A one-task Prefect flow in a fresh process: Prefect's own start-up (temporary server included)."""
    code = ("from prefect import flow, task\n@task\ndef one():\n    return 1\n@flow\ndef bare():\n    return one()\n"
            "bare()\n")
    return measure([sys.executable, "-c", code])


def bench_run(tmp: Path, count: int) -> dict:
    src = tmp / f"run-src-{count}"
    generate_inbox(src / "inbox", count)
    opens = _docx_opens(src / "inbox")
    per_open = opens["cpu"] / count * 1000
    results = {}
    for engine in ("local", "prefect"):
        folder = tmp / f"run-{engine}-{count}"
        shutil.copytree(src, folder)
        results[engine] = maap_run(folder, engine)
    local, pref = results["local"], results["prefect"]
    for engine, r in (("prefect (default)", pref), ("--engine local", local)):
        per_wall, per_cpu = r["wall"] / count * 1000, r["cpu"] / count * 1000
        target = f"<= 5x: {'met' if per_cpu <= 5 * per_open else 'NOT met'}" if engine.startswith("prefect") else ""
        row(f"maap run {engine}, {count} new returns: CPU ms per return (whole process tree)", f"{per_cpu:.1f}",
            f"python-docx open {per_open:.1f}", f"{per_cpu / per_open:.1f}x", target)
        row(f"maap run {engine}, {count} new returns: wall ms per return", f"{per_wall:.1f}",
            f"python-docx open {per_open:.1f} (CPU)", f"{per_wall / per_open:.1f}x", "")
        row(f"maap run {engine}, {count} returns: peak RSS of any process / of the tree at once, MB",
            f"{r['peak_one_mb']:.0f} / {r['peak_tree_mb']:.0f}", f"python-docx opens {opens['peak']:.0f}",
            f"{r['peak_one_mb'] / opens['peak']:.1f}x")
    row(f"Prefect orchestration share of maap run ({count} returns)",
        f"wall {max(pref['wall'] - local['wall'], 0) / pref['wall']:.0%}, CPU "
        f"{max(pref['cpu'] - local['cpu'], 0) / pref['cpu']:.0%}",
        f"local {local['wall']:.1f} s wall, {local['cpu']:.1f} s CPU",
        f"prefect {pref['wall']:.1f} s wall, {pref['cpu']:.1f} s CPU")
    idle = maap_run(tmp / f"run-prefect-{count}", "prefect")
    idle_local = maap_run(tmp / f"run-local-{count}", "local")
    bare = prefect_startup()
    for name, r in (("maap run", idle), ("maap run --engine local", idle_local)):
        over_wall, over_cpu = r["wall"] - bare["wall"], r["cpu"] - bare["cpu"]
        met = "met" if over_cpu < 2 else "NOT met"
        row(f"idle night: {name}, nothing new ({count} returns on file): wall s / CPU s",
            f"{r['wall']:.1f} / {r['cpu']:.1f}", f"Prefect bare start-up {bare['wall']:.1f} / {bare['cpu']:.1f}",
            f"{over_wall:+.1f} s wall, {over_cpu:+.1f} s CPU", f"< +2 s: {met} (CPU)")
    shutil.rmtree(src, ignore_errors=True)
    return {"per_return_ms": pref["wall"] / count * 1000, "cpu_per_return_ms": pref["cpu"] / count * 1000,
            "peak_one_mb": pref["peak_one_mb"], "peak_tree_mb": pref["peak_tree_mb"]}


def bench_growth(tmp: Path, counts: list[int], known: dict[int, dict]) -> None:
    points = {}
    for count in counts:
        if count in known:
            points[count] = known[count]
            continue
        src = tmp / f"growth-{count}"
        generate_inbox(src / "inbox", count)
        r = maap_run(src, "prefect")
        points[count] = {"per_return_ms": r["wall"] / count * 1000, "cpu_per_return_ms": r["cpu"] / count * 1000,
                         "peak_one_mb": r["peak_one_mb"],
                         "peak_tree_mb": r["peak_tree_mb"]}
        shutil.rmtree(src, ignore_errors=True)
    first = points[counts[0]]
    for count in counts:
        p = points[count]
        target = ""
        if count == counts[-1]:
            linear = p["cpu_per_return_ms"] <= 1.25 * first["cpu_per_return_ms"]
            small = p["peak_one_mb"] < 1024
            target = f"linear: {'met' if linear else 'NOT met'}; < 1 GB (any process): {'met' if small else 'NOT met'}"
        row(f"growth: maap run over {count} returns: CPU / wall ms per return; peak MB any process / tree",
            f"{p['cpu_per_return_ms']:.1f} / {p['per_return_ms']:.1f}; "
            f"{p['peak_one_mb']:.0f} / {p['peak_tree_mb']:.0f}",
            f"at {counts[0]}: {first['cpu_per_return_ms']:.1f} / {first['per_return_ms']:.1f}",
            f"{p['cpu_per_return_ms'] / first['cpu_per_return_ms']:.2f}x CPU", target)


# --- the table --------------------------------------------------------------------------------------------------

def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown CPU")
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores, {ram:.0f} GB RAM, {model}; Python {platform.python_version()}; "
            f"load average at the end {load}; {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")


def table(markdown: bool) -> str:
    head = ("measure", "maap", "baseline (same run)", "ratio", "target")
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in ROWS]
        return "\n".join(lines)
    widths = [max(len(x[i]) for x in [head, *ROWS]) for i in range(len(head))]
    fmt = "  ".join(f"{{:{w}}}" for w in widths)
    return "\n".join(fmt.format(*r) for r in [head, tuple("-" * w for w in widths), *ROWS])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke version: --repeat 3, 100 returns for run, themes and workbook, growth 50,100")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections ({', '.join(SECTIONS)})")
    parser.add_argument("--repeat", type=int, default=None, help="timed repeats per file in docx and pdf (default 10)")
    parser.add_argument("--returns", type=int, default=None, help="returns for run, themes and workbook (default 1000)")
    parser.add_argument("--growth", default=None, help="comma-separated counts for growth (default 100,1000,5000)")
    parser.add_argument("--code", type=Path, default=None,
                        help="time `maap run` from this other checkout (a before/after pair: run once with each)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    args = parser.parse_args(argv)
    global CODE
    CODE = (args.code or ROOT).resolve()
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    if unknown := [s for s in only if s not in SECTIONS]:
        parser.error(f"unknown section(s) {', '.join(unknown)}: use {', '.join(SECTIONS)}")
    repeat = args.repeat or (3 if args.quick else 10)
    returns = args.returns or (100 if args.quick else 1000)
    growth = [int(x) for x in (args.growth or ("50,100" if args.quick else "100,1000,5000")).split(",")]
    with tempfile.TemporaryDirectory(prefix="maap-bench-") as tmp:
        known = {}
        for section in only:
            print(f"[{section}]", flush=True)
            if section == "docx":
                bench_docx(Path(tmp), repeat)
            elif section == "pdf":
                bench_pdf_section(repeat)
            elif section == "themes":
                bench_themes_section(returns)
            elif section == "workbook":
                bench_workbook_section(returns)
            elif section == "run":
                known[returns] = bench_run(Path(tmp), returns)
            elif section == "growth":
                bench_growth(Path(tmp), growth, known)
    print()
    print(table(args.markdown))
    print(f"\nmachine: {machine()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
