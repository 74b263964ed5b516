"""Forms that differ from the built-in templates (issue 17): shared header lines, fields and grades the template
lacks, section x sub-question grids, learned Yes/No questions. Share of cases read exactly right, per shape.

Every case is built in code from fictional values drawn with a seed, read as the pipeline does (map -> record;
for learned forms, learn the blank first) and compared with what was written.

    .venv/bin/python bench/bench_unlike.py [--seed 17]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.raw import Cell, Paragraph, RawDocument, Row, Span, Table  # noqa: E402
from models.settings import Settings  # noqa: E402
from pipeline.intake.process import build_record  # noqa: E402
from pipeline.templates.learn import learn  # noqa: E402
from pipeline.templates.registry import load_templates  # noqa: E402

TODAY = date(2026, 11, 1)
NAMES = ["Rowan Testfield", "Ellis Marchbank", "Jude Fenwick", "Sasha Pemberton", "Noor Halloway", "Kit Ashdown"]
STATUSES = ["Child Protection", "Child in Need", "Early Help", "Closed", "Open - CIN plan"]
GRADES = [("outstanding", "Outstanding"), ("good", "Good"), ("requires_improvement", "Requires improvement"),
          ("inadequate", "Inadequate")]
SECTION_SETS = [["Recognition", "Planning & intervention", "Assessment", "Joint working", "Impact", "Overall quality"],
                ["Early help", "Referral", "Assessment of need", "Planning", "Review", "Closure"]]
SUB_SETS = [["Key areas of good practice", "Areas for development", "Recommendations for practice"],
            ["What went well", "What could be better", "Actions agreed"]]


def para(text: str, **kw) -> Paragraph:
    return Paragraph(text=text, **kw)


def table(rows: list[list]) -> Table:
    out = []
    for r, values in enumerate(rows):
        cells = []
        for c, v in enumerate(values):
            blocks = [para(t) for t in v.split("\n")] if isinstance(v, str) else [v]
            cells.append(Cell(row=r, col=c, blocks=blocks))
        out.append(Row(cells=cells))
    return Table(rows=out)


def doc(*blocks) -> RawDocument:
    return RawDocument(file="bench.docx", format="docx", blocks=list(blocks))


def record(raw, template):
    return build_record(raw, "a" * 64, template, 1.0, Settings(), TODAY)


def extra_of(r) -> dict:
    return getattr(r.header, "extra", {})  # absent before records kept extra header fields


ENFIELD_BODY = [para("Recognition"), table([["Key areas of good practice", "Home visit on 02/02/2024."],
                                            ["Areas for development", "Earlier referral."],
                                            ["Recommendations for practice", "Use the neglect toolkit."]])]


def header_lines(rng: random.Random, tally) -> None:
    """Two labels on one line: date of audit + a case status, in the template's field or kept as extra."""
    templates = load_templates()
    for sep in ["   ", "\t", " | ", "  "]:
        for where in ["paragraph", "cell"]:
            for tid in ["west-midlands-maat", "enfield-escp"]:
                day, status = rng.randint(1, 28), rng.choice(STATUSES)
                line = f"Date of audit: {day:02d}/04/2024{sep}Case status (open/closed): {status}"
                block = para(line) if where == "paragraph" else table([[line]])
                r = record(doc(para("Audit tool"), block, *ENFIELD_BODY), templates[tid])
                status_got = r.header.case_status if tid == "west-midlands-maat" else \
                    extra_of(r).get("Case status (open/closed)")
                ok = r.header.date_of_audit == f"2024-04-{day:02d}" and status_got == status and \
                    not r.extraction.unparsed_header
                tally["header: two labels on one line"].append(ok)
    for _ in range(4):
        name, dob = rng.choice(NAMES), f"{rng.randint(1, 28):02d}/0{rng.randint(1, 9)}/2019"
        r = record(doc(para("Audit tool"), para(f"Name: {name}  DOB: {dob}"), *ENFIELD_BODY), templates["enfield-escp"])
        tally["header: two labels on one line"].append(extra_of(r) == {"Name": name, "DOB": dob})


def header_extra(rng: random.Random, tally) -> None:
    """Fields the template lacks (reviewer, chair, case status) as paragraphs or label | value rows."""
    template = load_templates()["enfield-escp"]
    for label in ["Reviewer", "Audit chair", "Case status", "Quality assurance lead", "Team"]:
        for shape in ["paragraph", "row"]:
            value = rng.choice(NAMES + STATUSES)
            block = para(f"{label}: {value}") if shape == "paragraph" else \
                table([["Agency / service:", "Testshire Health"], [label, value]])
            r = record(doc(para("Audit tool"), block, *ENFIELD_BODY), template)
            tally["header: field the template lacks kept"].append(extra_of(r).get(label) == value)


def grades(rng: random.Random, tally) -> None:
    """A grade on a form whose template has no grade block (Enfield)."""
    template = load_templates()["enfield-escp"]
    for value, label in GRADES:
        labels = [g[1] for g in GRADES]
        ways = [[para(f"Overall grade: {label}")], [table([["Overall grade", label]])],
                [table([labels, ["X" if g == label else "" for g in labels]])],
                [para("Overall grade: " + " ".join(("☒ " if g == label else "☐ ") + g for g in labels))]]
        for blocks in ways:
            r = record(doc(para("Audit tool"), *ENFIELD_BODY, *blocks), template)
            tally["grade the template lacks"].append(r.grade.value == value and
                                                     r.answers[2].answer == "Use the neglect toolkit.")


def _grid_form(layout: str, sections, subs, answers: dict | None) -> RawDocument:
    blocks = [para("Testshire Partnership Audit Tool"), table([["Agency:", "Testshire Health" if answers else ""],
                                                               ["Date of audit:", "12/04/2024" if answers else ""]])]
    a = answers or {}
    if layout == "grid":
        blocks.append(table([["Area", *subs], *[[s, *(a.get((s, q), "") for q in subs)] for s in sections]]))
    elif layout == "rows":
        rows = []
        for s in sections:
            rows += [[s, ""], *[[q, a.get((s, q), "")] for q in subs]]
        blocks.append(table(rows))
    else:
        for s in sections:
            blocks.append(para(s, style="Heading 2"))
            for q in subs:
                blocks += [para(q), table([[a.get((s, q), "")]])]
    return doc(*blocks)


def grids(rng: random.Random, tally) -> None:
    """Learn a blank whose sections repeat the same sub-questions, then read a filled copy."""
    for layout in ["grid", "rows", "paragraphs"]:
        for sections, subs in zip(SECTION_SETS, SUB_SETS):
            t = learn(_grid_form(layout, sections, subs, None), "bench-grid")
            learned = [s.title for s in t.sections] == sections and \
                all([q.wording for q in s.questions] == subs for s in t.sections)
            tally["grid: learned as sections x questions"].append(learned)
            answers = {(s, q): f"{rng.choice(NAMES).split()[0]} was seen on {rng.randint(1, 28):02d}/03/2024."
                       for s in sections for q in subs}
            r = record(_grid_form(layout, sections, subs, answers), t)
            right = sum(a.section == s and a.answer == answers[(s, a.question)] for a in r.answers
                        for s in [a.section] if (s, a.question) in answers)
            tally["grid: answers in the right section"] += [True] * right + [False] * (len(answers) - right)
            false = sum(f.code.value in ("unanswered", "section_unanswered") for f in r.flags)
            tally["grid: returns with no false unanswered flag"].append(false == 0)


Q = "Was the plan reviewed on time?"
YN_LAYOUTS = {
    "answer cell": lambda v: [table([[f"1. {Q}", v], ["2. What happened next?", ""]])],
    "question cell line": lambda v: [table([[f"1. {Q}\n{v}", ""], ["2. What happened next?", ""]])],
    "after the ?": lambda v: [table([[f"1. {Q} {v}", ""], ["2. What happened next?", ""]])],
    "paragraph": lambda v: [para(f"1. {Q}"), para(v), para("2. What happened next?"), table([[""]])],
    "answer box": lambda v: [para(f"1. {Q}"), table([[v]]), para("2. What happened next?"), table([[""]])],
}


def _yn_form(blocks) -> RawDocument:
    return doc(para("Testshire Case Audit Tool"), table([["Agency:", "Testshire Health"], ["Date of audit:", "01/02/2024"]]),
               para("Practice"), *blocks)


def yes_no(rng: random.Random, tally) -> None:
    """A learned Yes/No question: blank is unanswered; X, bold or the other deleted reads the option."""
    for name, layout in YN_LAYOUTS.items():
        for printed in ["Yes / No", "Yes/No/N/A", "Yes or No", "☐ Yes ☐ No"]:
            if "☐" in printed and name != "answer cell":
                continue
            t = learn(_yn_form(layout(printed)), "bench-yn")
            qid = t.questions()[0].id

            def read(value):
                r = record(_yn_form(layout(value)), t)
                return next((a for a in r.answers if a.id == qid), None)

            blank = read(printed)
            tally["yes/no: blank reads unanswered"].append(blank is not None and blank.status.value == "unanswered")
            marked = printed.replace("☐ No", "☒ No") if "☐" in printed else printed.replace("No", "X No", 1)
            got = read(marked)
            tally["yes/no: marked reads the option"].append(got is not None and got.answer == "No")
            if name == "answer cell" and "☐" not in printed:
                at = printed.index("No")
                got = read(para(printed, spans=[Span(start=at, end=at + 2, style="emphasis", detail="bold")]))
                tally["yes/no: marked reads the option"].append(got is not None and got.answer == "No")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tally: dict[str, list[bool]] = defaultdict(list)
    for shape in (header_lines, header_extra, grades, grids, yes_no):
        shape(rng, tally)
    for name, results in tally.items():
        print(f"  {name:48s} {sum(results):4d}/{len(results):<4d} {100 * sum(results) / len(results):5.1f}%")


if __name__ == "__main__":
    main()
