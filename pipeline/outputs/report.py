"""The headline-findings report: one self-contained HTML page (and its PDF) a partnership can publish.

The one module that imports jinja2. People's names are replaced by codes unless ``names=True`` (see
pipeline.outputs.pseudonymise). A partnership may replace the template (WORKSPACE/report.html.j2): it is rendered
in a sandbox with autoescaping on and no ``safe`` filter, so submitted text is always escaped.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from models.errors import ConfigError
from models.record import AuditReturn
from pipeline.outputs.charts import GRADE_NAMES, stacked_bars
from pipeline.outputs.findings import draft_actions, key_findings, theme_polarity
from pipeline.outputs.pseudonymise import Pseudonymiser
from pipeline.outputs.workbook import GRADE_LABELS, agency_of, agency_rows, case_of

AgencyType = Callable[[str], str] | Mapping[str, str] | None
BUILTIN_TEMPLATE = "report.html.j2"


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.pop("safe", None)  # no template, built in or a partnership's, can unescape submitted text
    return env


def _template(path: Path | None):
    name = str(path) if path else BUILTIN_TEMPLATE
    source = path.read_text(encoding="utf-8") if path else \
        (resources.files("pipeline") / "data" / BUILTIN_TEMPLATE).read_text(encoding="utf-8")
    try:
        return _environment().from_string(source)
    except TemplateError as e:
        line = getattr(e, "lineno", None)
        raise ConfigError(f"{name}{f', line {line}' if line else ''}: the report template does not compile ({e})") from e


def _type_function(agency_type: AgencyType) -> Callable[[str], str]:
    if agency_type is None:
        return lambda name: name
    if isinstance(agency_type, Mapping):
        return lambda name: agency_type.get(name, name)
    return agency_type


def _month_year(iso: str) -> str:
    try:
        return date.fromisoformat(iso[:10]).strftime("%B %Y")
    except ValueError:
        return ""


def audit_period(records: list[AuditReturn]) -> str:
    """The months the returns were audited in: "April 2024" or "January 2024 to July 2024"."""
    days = sorted(r.header.date_of_audit for r in records if r.header.date_of_audit)
    if not days:
        return "not stated"
    first, last = _month_year(days[0]), _month_year(days[-1])
    return first if first == last else f"{first} to {last}"


def _grade_counts(records: list[AuditReturn]) -> Counter:
    return Counter(r.grade.value or r.grade.problem for r in records if r.grade.value or r.grade.problem)


def _good_or_better(counts: Counter) -> tuple[int, int]:
    graded = sum(counts.get(g, 0) for g in GRADE_LABELS)
    return counts.get("outstanding", 0) + counts.get("good", 0), graded


def _tracker(tracker: Mapping | None, scrub: Callable[[str], str]) -> dict | None:
    """Issue 14's tracker summary, read leniently: expected, received, outstanding (a number or a list of
    {agency, case, due})."""
    if tracker is None:
        return None
    outstanding = tracker.get("outstanding", 0)
    items = []
    if isinstance(outstanding, (list, tuple)):
        items = [{"agency": str(o.get("agency") or ""), "case": scrub(str(o.get("case") or "")),
                  "due": str(o.get("due") or "")} for o in outstanding]
        outstanding = len(items)
    return {"expected": tracker.get("expected"), "received": tracker.get("received"), "outstanding": int(outstanding),
            "pending": items}


def _words(text: str) -> set[str]:
    import re
    return {w for w in re.findall(r"[a-z]{4,}", text.lower())} - {"with", "that", "this", "will", "from", "have",
                                                                    "been", "their", "about", "when", "where"}


def one_year_on(records: list[AuditReturn], earlier: list[AuditReturn], type_of: Callable[[str], str]) -> dict:
    """The earlier round beside this one: grade shift, themes judged better or worse, actions carried over."""
    now_counts, then_counts = _grade_counts(records), _grade_counts(earlier)
    now_good, now_graded = _good_or_better(now_counts)
    then_good, then_graded = _good_or_better(then_counts)
    label = lambda r: agency_of(r)  # noqa: E731
    now_t, then_t = theme_polarity(records, label), theme_polarity(earlier, label)

    def balance(row, n):
        return (len(row["strength"]) - len(row["concern"])) / n if n else 0.0

    changes = []
    for tid in set(now_t) | set(then_t):
        now_row, then_row = now_t.get(tid), then_t.get(tid)
        row = now_row or then_row
        delta = balance(now_row, len(records)) if now_row else 0.0
        delta -= balance(then_row, len(earlier)) if then_row else 0.0
        changes.append({"label": row["label"], "delta": round(100 * delta),
                        "now": (len(now_row["strength"]), len(now_row["concern"])) if now_row else (0, 0),
                        "then": (len(then_row["strength"]), len(then_row["concern"])) if then_row else (0, 0)})
    up = sorted((c for c in changes if c["delta"] > 0), key=lambda c: (-c["delta"], c["label"]))[:4]
    down = sorted((c for c in changes if c["delta"] < 0), key=lambda c: (c["delta"], c["label"]))[:4]
    then_actions = draft_actions(earlier, label)
    now_text = [_words(a.text) for a in draft_actions(records, label)]
    now_text += [_words(a.answer) for r in records for a in r.answers if a.answer]
    carried = [a for a in then_actions
               if (w := _words(a.text)) and any(len(w & n) / len(w) >= 0.5 for n in now_text if n)]
    return {"period": audit_period(earlier), "returns": len(earlier),
            "themes": sorted({r.header.theme for r in earlier if r.header.theme}),
            "good_now": now_good, "graded_now": now_graded, "good_then": then_good, "graded_then": then_graded,
            "pct_now": round(100 * now_good / now_graded) if now_graded else None,
            "pct_then": round(100 * then_good / then_graded) if then_graded else None,
            "better": up, "worse": down, "actions_then": len(then_actions), "carried": carried}


def report_context(records: list[AuditReturn], statuses: list[dict], *, names: bool = False, salt: bytes = b"",
                   tracker: Mapping | None = None, agency_type: AgencyType = None,
                   earlier: list[AuditReturn] | None = None, partnership: str = "",
                   cases: Mapping[str, str] | None = None, self_assessment: Mapping | None = None) -> dict:
    """Everything the report shows, as plain data (the template's variables; see README "The report").

    ``names=False`` (the default) replaces everyone's names with codes first; ``salt`` orders the codes (pass the
    workspace's, from load_salt). ``tracker`` is the returns tracker's summary (expected, received, outstanding),
    ``agency_type`` maps an agency's name to its type for the grades chart (default: the name itself), and
    ``earlier`` holds the earlier round's records on the same theme for "one year on"; ``cases`` (record sha256 ->
    case id, from pipeline.cases.linking) gives every return the case linker joined one child code;
    ``self_assessment`` is the Section 11 / 175 section (pipeline.outputs.self_assessment.report_section)."""
    earlier = earlier or []
    scrub: Callable[[str], str] = lambda text: text  # noqa: E731
    file_name: Callable[[str], str] = scrub
    if not names:
        p = Pseudonymiser.for_records(records + earlier, salt, cases)
        records, earlier = [p.record(r) for r in records], [p.record(r) for r in earlier]
        scrub, file_name = p.text, p.file_name
    type_of = _type_function(agency_type)
    outcomes = Counter(s["outcome"] for s in statuses)
    counts = _grade_counts(records)
    good, graded = _good_or_better(counts)
    findings = key_findings(records, agency_of)
    actions = draft_actions(records, agency_of)
    by_type: dict[str, Counter] = defaultdict(Counter)
    for r in records:
        if r.grade.value or r.grade.problem:
            by_type[type_of(agency_of(r))][r.grade.value or r.grade.problem] += 1
    cases = defaultdict(list)
    for r in records:
        cases[case_of(r)].append(r)
    flags_by_agency: dict[str, Counter] = defaultdict(Counter)
    for r in records:
        for f in r.flags:
            flags_by_agency[agency_of(r)][f.code.value] += 1
    themes = Counter(r.header.theme for r in records if r.header.theme)
    quarantined = [{"file": file_name(s["file"]), "reason": scrub((s.get("reason") or {}).get("message", ""))}
                   for s in statuses if s["outcome"] == "quarantined"]
    return {
        "self_assessment": self_assessment,
        "built": datetime.now().strftime("%d %B %Y"),
        "partnership": partnership,
        "names_shown": names,
        "audit": {"themes": [t for t, _ in themes.most_common()], "period": audit_period(records),
                  "cases": len(cases), "agencies": len({agency_of(r) for r in records}), "returns": len(records),
                  "unread": outcomes.get("quarantined", 0), "tracker": _tracker(tracker, scrub)},
        "returns": len(records),
        "agencies": len({agency_of(r) for r in records}),
        "good_or_better": good, "graded": graded,
        "grades": [(GRADE_LABELS[g], counts.get(g, 0)) for g in GRADE_LABELS]
        + [("No grade marked", counts.get("none_marked", 0)), ("More than one grade marked", counts.get("multiple_marked", 0))],
        "ungraded_tools": len(records) - sum(counts.values()),
        "overall_chart": stacked_bars([("All graded returns", counts)]) if counts else None,
        "type_chart": stacked_bars(sorted(by_type.items())) if by_type else None,
        "theme_table": [{"label": row["label"], "returns": len(row["returns"]), "strengths": len(row["strength"]),
                         "concerns": len(row["concern"])}
                        for row in sorted(theme_polarity(records, agency_of).values(),
                                          key=lambda row: (-len(row["returns"]), row["label"]))],
        "worked_well": findings["worked_well"], "worried": findings["worried"],
        "every_return": findings["every_return"], "differently": findings["differently"],
        "impact": findings["impact"], "recommendations": findings["recommendations"],
        "actions": actions,
        "actions_incomplete": sum(1 for a in actions if not a.owner or not a.timescale),
        "one_year_on": one_year_on(records, earlier, type_of) if earlier else None,
        "cases": [{"case": case, "agencies": [agency_of(r) for r in rs],
                   "grades": [GRADE_NAMES.get(r.grade.value or r.grade.problem or "", "no grade on this tool")
                              for r in rs]} for case, rs in sorted(cases.items())],
        "agency_rows": [{"agency": row[0], "returns": row[1], "score": row[2], "unanswered": row[-3],
                         "errors": row[-2], "warnings": row[-1],
                         "top_flags": [c.replace("_", " ") for c, _ in flags_by_agency[row[0]].most_common(3)]}
                        for row in agency_rows(records)],
        "quarantined": quarantined,
    }


def report_html(records: list[AuditReturn], statuses: list[dict], template: Path | None = None, **options) -> str:
    """The report as one HTML string (inline CSS and SVG, no external request); ``options`` as for report_context."""
    try:
        return _template(template).render(**report_context(records, statuses, **options))
    except TemplateError as e:
        raise ConfigError(f"{template or BUILTIN_TEMPLATE}: the report template failed ({e})") from e


def render_report(records: list[AuditReturn], statuses: list[dict], path: Path, template: Path | None = None,
                  **options) -> Path:
    """Write the HTML report (names replaced unless ``names=True``) atomically and return its path."""
    html = report_html(records, statuses, template, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
