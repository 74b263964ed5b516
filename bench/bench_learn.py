"""How well templates learned from blank forms of unseen tools work, against the tools' true templates.

For each invented tool in bench/blank_variants.py (``--set 2``: bench/blank_variants2.py, six tools written
apart from the learning rules): learn its blank form, compare the learned template with the true one
(questions found, wording exact, order, header keys, section titles, kinds, grade options), then install the learned template in a temporary workspace and read the filled copies with
``pipeline.intake.process.read_return`` (detection among all installed templates, as a run does): answers,
header fields and grades exactly right. The same filled forms read with the TRUE template are the ceiling.
Generated files live in a temporary folder and are never kept.

    .venv/bin/python bench/bench_learn.py [--filled 5] [--pdf] [--show 5] [--set 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz  # noqa: E402

import bench.blank_variants as set1  # noqa: E402
import bench.blank_variants2 as set2  # noqa: E402
from extractors.registry import extract  # noqa: E402
from models.settings import Settings  # noqa: E402
from models.template import Template  # noqa: E402
from pipeline.intake.process import read_return  # noqa: E402
from pipeline.templates.learn import learn, template_yaml  # noqa: E402
from pipeline.templates.registry import load_templates  # noqa: E402
from pipeline.text import normalise  # noqa: E402

TODAY = date(2026, 11, 1)


def pair_questions(true: Template, learned: Template) -> dict[str, str]:
    """True question id -> learned question id: same wording, else the closest wording (ratio >= 80)."""
    pairs: dict[str, str] = {}
    free = {q.id: normalise(q.wording) for q in learned.questions()}
    for q in true.questions():
        want = normalise(q.wording)
        exact = [i for i, w in free.items() if w == want]
        if exact:
            pairs[q.id] = exact[0]
        elif free:
            best = max(free, key=lambda i: fuzz.ratio(free[i], want))
            if fuzz.ratio(free[best], want) >= 80:
                pairs[q.id] = best
        if q.id in pairs:
            free.pop(pairs[q.id])
    return pairs


def _in_order(ids: list[str], learned: Template) -> int:
    """How many of the paired questions keep their order (longest increasing run of learned positions)."""
    pos = {q.id: i for i, q in enumerate(learned.questions())}
    seq = [pos[i] for i in ids]
    best = [1] * len(seq)
    for i in range(len(seq)):
        for j in range(i):
            if seq[j] < seq[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)


def compare(true: Template, learned: Template) -> dict[str, tuple[int, int]]:
    """Right/total per aspect of the learned template."""
    pairs = pair_questions(true, learned)
    tq = {q.id: q for q in true.questions()}
    lq = {q.id: q for q in learned.questions()}
    got = [(tq[t], lq[l]) for t, l in pairs.items()]
    titles = {s.title.lower() for s in learned.sections}
    grades_true = [(o.value, o.label) for o in true.grading.options] if true.grading else []
    grades_learned = [(o.value, o.label) for o in learned.grading.options] if learned.grading else []
    return {
        "questions found": (len(pairs), len(tq)),
        "wording exact": (sum(a.wording == b.wording for a, b in got), len(tq)),
        "guidance exact": (sum(a.guidance == b.guidance for a, b in got), len(tq)),
        "in order": (_in_order(list(pairs.values()), learned), len(tq)),
        "extra questions (lower is better)": (len(lq) - len(pairs), len(tq)),
        "kind + options": (sum((a.kind, a.options) == (b.kind, b.options) for a, b in got), len(tq)),
        "header keys": (len({h.key for h in true.header} & {h.key for h in learned.header}), len(true.header)),
        "wrong header keys (lower is better)": (len({h.key for h in learned.header} - {h.key for h in true.header}),
                                                len(true.header)),
        "section titles": (sum(s.title.lower() in titles for s in true.sections if s.id != "details"),
                           sum(s.id != "details" for s in true.sections)),
        "grade options": (int(grades_true == grades_learned), 1),
    }


def read_forms(forms, template: Template, true: Template, folder: Path, show: int) -> dict[str, tuple[int, int]]:
    """Answers, header fields and grades exactly right when the filled forms are read with template installed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{template.id}.yaml").write_text(template_yaml(template), encoding="utf-8")
    templates = load_templates([folder])
    pairs = pair_questions(true, template)
    tally = {"detected": [0, 0], "answers": [0, 0], "header": [0, 0], "grade": [0, 0]}
    for f in forms:
        record = read_return(f.path, Settings(), templates, TODAY)
        tally["detected"][0] += record.template.id == template.id
        tally["detected"][1] += 1
        for qid, text in f.answers.items():
            tally["answers"][1] += 1
            got = record.answer(pairs[qid]).answer if qid in pairs and record.template.id == template.id else None
            tally["answers"][0] += got == text
            if got != text and show > 0:
                show -= 1
                print(f"    {f.path.name} {qid}: want {text!r} got {got!r}")
        header = record.header.model_dump()
        for key, value in f.header.items():
            tally["header"][1] += 1
            tally["header"][0] += header[key] == value
            if header[key] != value and show > 0:
                show -= 1
                print(f"    {f.path.name} header {key}: want {value!r} got {header[key]!r}")
        if true.grading:
            tally["grade"][1] += 1
            tally["grade"][0] += record.grade.value == f.grade
    return {k: (v[0], v[1]) for k, v in tally.items()}


def _pct(right: int, total: int) -> str:
    return f"{right:>3}/{total:<3} {100 * right / total:5.1f}%" if total else "    -          "


def run(filled: int, pdf: bool, show: int, tool_set: int = 1) -> dict[str, float]:
    """Learn every tool of a set, compare, read its filled forms with learned and true templates; print tables."""
    tools = {1: set1, 2: set2}[tool_set]
    totals: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for tool, fmt, blank, forms in tools.make_all(tmp / "forms", filled, pdf=pdf):
            true = tools.true_template(tool)
            learned = learn(extract(blank), tool.id)
            rows = compare(true, learned)
            print(f"\n{tool.id} ({fmt}): {len(learned.questions())} questions learned, {len(true.questions())} true")
            if show:
                print(f"    learned: {[q.wording for q in learned.questions()]}")
                print(f"    header: {[(h.key, h.label) for h in learned.header]}; sections: "
                      f"{[s.title for s in learned.sections]}")
            reads = read_forms(forms, learned, true, tmp / "ws" / f"{tool.id}-{fmt}", show)
            ceiling = read_forms(forms, true, true, tmp / "true" / f"{tool.id}-{fmt}", 0)
            rows.update({f"read: {k}": v for k, v in reads.items()})
            rows.update({f"ceiling: {k}": v for k, v in ceiling.items()})
            for name, (r, n) in rows.items():
                print(f"  {name:<40} {_pct(r, n)}")
                t = totals.setdefault(name, [0, 0])
                t[0] += r
                t[1] += n
    print("\nALL TOOLS")
    for name, (r, n) in totals.items():
        print(f"  {name:<40} {_pct(r, n)}")
    return {k: v[0] / v[1] for k, v in totals.items() if v[1]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filled", type=int, default=5, help="filled copies per tool")
    parser.add_argument("--pdf", action="store_true", help="also print some tools to PDF (LibreOffice, slow)")
    parser.add_argument("--show", type=int, default=0, help="print up to N mismatches per tool (fictional text only)")
    parser.add_argument("--set", type=int, choices=(1, 2), default=1, dest="tool_set",
                        help="1: bench/blank_variants.py (eight tools); 2: bench/blank_variants2.py (six tools "
                             "written apart from the learning rules)")
    args = parser.parse_args()
    run(args.filled, args.pdf, args.show, args.tool_set)
