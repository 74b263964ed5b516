"""The audit-day pack: for one case, every agency's answers side by side per question, their grades, the flags
worth raising and the themes each agency raised; what the pair of auditors reads before the discussion.

Renders plain data (records, their case links, the case's tracker cells) to one self-contained HTML page
(pipeline/data/pack.html.j2, autoescaped); ``pipeline.outputs.pdf.write_pdf`` prints it. Pseudonymising is the
caller's choice: pass pseudonymised records and ``names=False``, and no name or date of birth is shown.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from importlib import resources

from jinja2 import Environment, select_autoescape

from models.record import AuditReturn

GRADE_LABELS = {"outstanding": "Outstanding", "good": "Good", "requires_improvement": "Requires improvement",
                "inadequate": "Inadequate"}
# Flags an auditor raises in the discussion; bookkeeping flags (tracked changes, unknown content) stay in the workbook.
_WORTH_RAISING = {"unanswered", "section_unanswered", "grade_missing", "grade_multiple", "undated_answer",
                  "action_without_owner", "action_without_timescale", "date_in_future", "invalid_date",
                  "thin_answer", "answer_repeats_question", "placeholder_text", "choices_conflict"}


def _template(name: str = "pack.html.j2"):
    source = (resources.files("pipeline") / "data" / name).read_text(encoding="utf-8")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(source)


def _column(r: AuditReturn, agency_label: str) -> dict:
    return {"agency": r.header.agency or "(agency not given)", "type": agency_label,
            "grade": GRADE_LABELS.get(r.grade.value or "", "Two grades marked" if r.grade.problem == "multiple_marked"
                                      else "No grade marked" if r.grade.problem else "Not graded"),
            "grade_class": r.grade.value or "none", "date": _uk(r.header.date_of_audit),
            "practitioner": r.header.practitioner or "", "quality": r.quality.score if r.quality else None}


def _uk(iso: str | None) -> str:
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""
    except ValueError:
        return iso or ""


def pack_context(case_id: str, child: str, records: list[AuditReturn], links: dict, agency_labels: dict[str, str],
                 cells: list | None = None, round_label: str = "", dob: date | None = None,
                 names: bool = False) -> dict:
    """What one case's pack shows, as plain data: returns by tool, questions with every agency's answer,
    flags worth raising, themes by agency, agencies still to return, and matches to check."""
    tools = []
    for template_id in dict.fromkeys(r.template.id for r in records):
        mine = [r for r in records if r.template.id == template_id]
        columns = [_column(r, agency_labels.get(r.source.sha256, "")) for r in mine]
        sections: dict[str, list] = {}
        for qid in dict.fromkeys(a.id for r in mine for a in r.answers):
            first = next(a for r in mine for a in r.answers if a.id == qid)
            cells_q = []
            for r in mine:
                a = next((x for x in r.answers if x.id == qid), None)
                flags = [f.code.value.replace("_", " ") for f in r.flags if f.answer == qid and
                         f.code.value in _WORTH_RAISING and f.code.value != "unanswered"]
                cells_q.append({"text": a.answer if a else "", "status": a.status.value if a else "absent",
                                "flags": flags})
            if any(c["status"] != "absent" for c in cells_q):
                sections.setdefault(first.section, []).append({"question": first.question, "answers": cells_q})
        tools.append({"template": template_id, "columns": columns, "sections": list(sections.items()),
                      "width": max(1, len(columns))})
    flags = [{"agency": r.header.agency or "(agency not given)", "severity": f.severity.value, "message": f.message}
             for r in records for f in r.flags
             if f.code.value in _WORTH_RAISING and f.severity.value in ("error", "warning")]
    agencies = [r.header.agency or "(agency not given)" for r in records]
    theme_rows = []
    labels = {t.id: t.label for r in records for t in r.themes if t.mentions}
    for theme_id, label in sorted(labels.items(), key=lambda kv: kv[1]):
        row = []
        for r in records:
            tag = next((t for t in r.themes if t.id == theme_id and t.mentions), None)
            polarity = Counter(e.polarity for e in tag.evidence) if tag else Counter()
            row.append({"mentions": tag.mentions if tag else 0, "concerns": polarity.get("concern", 0),
                        "strengths": polarity.get("strength", 0),
                        "quote": tag.evidence[0].sentence if tag and tag.evidence else ""})
        raised = sum(1 for c in row if c["mentions"])
        theme_rows.append({"label": label, "cells": row, "raised": raised})
    missing = [c for c in cells or [] if c.status != "received" and (c.expected or c.status == "quarantined")]
    uncertain = [{"agency": r.header.agency or "(agency not given)", "method": links[r.source.sha256].method,
                  "confidence": round(100 * links[r.source.sha256].confidence),
                  "note": links[r.source.sha256].note}
                 for r in records if links[r.source.sha256].uncertain]
    return {"case_id": case_id, "child": child, "dob": dob.strftime("%d/%m/%Y") if names and dob else "",
            "names": names, "round": round_label, "built": datetime.now().strftime("%d %B %Y, %H:%M"),
            "returns": [_column(r, agency_labels.get(r.source.sha256, "")) | {"flags": sum(
                f.code.value in _WORTH_RAISING and f.severity.value in ("error", "warning") for f in r.flags)}
                for r in records],
            "tools": tools, "flags": flags, "agencies": agencies, "themes": theme_rows,
            "missing": [{"agency": c.agency_label, "status": c.status, "due": c.due.strftime("%d/%m/%Y") if c.due else "",
                         "reason": c.reason} for c in missing],
            "uncertain": uncertain}


def render_pack(context: dict) -> str:
    """The pack's HTML: one self-contained page (inline CSS, no scripts, nothing fetched)."""
    return _template().render(**context)


def render_pack_index(contexts: list[dict], pdf: bool, names: bool) -> str:
    """The packs' index page: each case with its round, returns, agencies not returned and matches to check."""
    cases = [{"case_id": c["case_id"], "child": c["child"], "round": c["round"], "returns": len(c["returns"]),
              "missing": [m["agency"] for m in c["missing"]], "uncertain": len(c["uncertain"]),
              "html": f"{c['case_id']}.html", "pdf": f"{c['case_id']}.pdf" if pdf else ""} for c in contexts]
    return _template("pack-index.html.j2").render(cases=cases, names=names,
                                                  built=datetime.now().strftime("%d %B %Y, %H:%M"))
