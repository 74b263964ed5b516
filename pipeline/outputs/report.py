"""The summary report: one self-contained HTML page of headline findings. The one module that imports jinja2."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from importlib import resources
from pathlib import Path

from jinja2 import Environment, select_autoescape

from models.record import AuditReturn
from pipeline.outputs.workbook import GRADE_LABELS, agency_of, agency_rows, case_of


def _template():
    source = (resources.files("pipeline") / "data" / "report.html.j2").read_text(encoding="utf-8")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(source)


def report_context(records: list[AuditReturn], statuses: list[dict]) -> dict:
    """The numbers the report shows, as plain data (also handy for tests)."""
    outcomes = Counter(s["outcome"] for s in statuses)
    graded = [r for r in records if r.grade.value or r.grade.problem]  # tools without a grade are left out
    grades = Counter(r.grade.value or r.grade.problem for r in graded)
    theme_returns: dict[str, set[int]] = defaultdict(set)
    theme_labels: dict[str, str] = {}
    evidence: dict[str, list[str]] = defaultdict(list)
    for i, r in enumerate(records):
        for t in r.themes:
            if t.mentions:
                theme_returns[t.id].add(i)
                theme_labels[t.id] = t.label
                evidence[t.id].extend(e.sentence for e in t.evidence[:1])
    themes = sorted(((len(v), k) for k, v in theme_returns.items()), reverse=True)
    cases = defaultdict(list)
    for r in records:
        cases[case_of(r)].append(r)
    flag_counts = Counter((f.code.value, f.severity.value) for r in records for f in r.flags)
    return {
        "built": datetime.now().strftime("%d %B %Y, %H:%M"),
        "returns": len(records),
        "agencies": len({agency_of(r) for r in records}),
        "cases": [(case, [(agency_of(r), GRADE_LABELS.get(r.grade.value or "", "not graded"),
                           r.quality.score if r.quality else None, len(r.flags)) for r in rs])
                  for case, rs in sorted(cases.items())],
        "outcomes": outcomes,
        "agency_rows": [(row[0], row[1], row[2], row[-3]) for row in agency_rows(records)],
        "grades": [(GRADE_LABELS[g], grades.get(g, 0)) for g in GRADE_LABELS]
        + [("No grade marked", grades.get("none_marked", 0)), ("More than one grade marked", grades.get("multiple_marked", 0))],
        "ungraded_tools": len(records) - len(graded),
        "themes": [(theme_labels[k], n, evidence[k][:2]) for n, k in themes],
        "flags": [(code.replace("_", " "), sev, n) for (code, sev), n in flag_counts.most_common()],
        "quarantined": [s for s in statuses if s["outcome"] == "quarantined"],
        "unanswered": sum(a.status.value == "unanswered" for r in records for a in r.answers),
        "answers": sum(len(r.answers) for r in records),
    }


def render_report(records: list[AuditReturn], statuses: list[dict], path: Path) -> Path:
    """Write the HTML report (no external assets) and return its path."""
    html = _template().render(**report_context(records, statuses))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
