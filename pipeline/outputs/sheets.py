"""The workbook's data sheets, each one Excel Table: Returns, Agencies, Answers, By case, Grades, Learning,
Theme counts, Themes, Flags and Quarantine.

Answers, Themes and Flags show what maap extracted, with the reviewers' columns beside it; the other sheets
count from the corrected records (pipeline.outputs.reviews.apply_reviews).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from models.record import AuditReturn
from models.template import Template
from pipeline.outputs import excel
from pipeline.outputs.excel import Col
from pipeline.outputs.learning import learning_items
from pipeline.outputs.reviews import (
    EARLIER, REVIEW_CHOICES, REVIEW_FIELDS, ROW_ID, STATUS_LABELS, Review, answer_row_id, describe, flag_row_ids,
    return_id, theme_row_id, unusable,
)

GRADE_PROBLEMS = {"none_marked": "No grade marked", "multiple_marked": "More than one grade marked"}
GRADE_FILLS = {"Outstanding": "C6EFCE", "Good": "E2EFDA", "Requires improvement": "FFEB9C", "Inadequate": "FFC7CE"}


@dataclass
class Book:
    """Everything the sheets are built from."""

    records: list[AuditReturn]
    corrected: list[AuditReturn]
    statuses: list[dict]
    reviews: dict[str, Review] = field(default_factory=dict)
    earlier: dict[str, Review] = field(default_factory=dict)
    templates: dict[str, Template] = field(default_factory=dict)


def words(code: str | None) -> str:
    """A code as words: "action_without_owner" -> "Action without owner"."""
    return (code or "").replace("_", " ").capitalize()


def theme_labels(record: AuditReturn) -> dict[str, str]:
    return {t.id: t.label for t in [*record.doubted_themes, *record.negated_themes, *record.themes]}


def _review_cells(book: Book, sheet: str, row: str) -> list:
    review = book.reviews.get(row)
    fields = review.fields if review else {}
    earlier = book.earlier.get(row)
    return [*(fields.get(k, "") for k in REVIEW_FIELDS[sheet]), describe(earlier) if earlier else ""]


def _mark_unusable(ws, cols: list[Col], book: Book, sheet: str) -> None:
    excel.mark_cells(ws, cols, {row: bad for row, r in book.reviews.items() if r.sheet == sheet and (bad := unusable(r))})


def _review_cols(sheet: str, widths: list[int]) -> list[Col]:
    return [*(Col(h, w, review=True) for h, w in zip(REVIEW_FIELDS[sheet].values(), widths)), Col(EARLIER, 30)]


def returns_sheet(wb, book: Book, case_of, agency_of, grade_labels: dict[str, str]) -> None:
    cols = [Col("Case", 22), Col("Agency", 24), Col("Auditor", 18), Col("Practitioner", 18),
            Col("Date of audit", 13, "date"), Col("Template", 24), Col("Grade", 20), Col("Grade problem", 16),
            Col("Quality score", 9, "number"), Col("Answered", 10, "number"), Col("Not applicable", 11, "number"),
            Col("Unanswered", 12, "number"), Col("Flags", 8, "number"), Col("Rows reviewed", 10, "number"),
            Col("Other header fields", 30), Col("Return", 14, "text"), Col("File", 36), Col("Emailed by", 28),
            Col("Email sent", 16)]
    reviewed = Counter(r.record for r in book.reviews.values())
    rows = []
    for r in book.corrected:
        statuses = Counter(a.status.value for a in r.answers)
        rows.append([case_of(r), agency_of(r), r.header.auditor or "", r.header.practitioner or "",
                     excel.as_date(r.header.date_of_audit), _template_name(book, r),
                     grade_labels.get(r.grade.value or "", ""), GRADE_PROBLEMS.get(r.grade.problem or "", ""),
                     r.quality.score if r.quality else None, statuses["answered"], statuses["not_applicable"],
                     statuses["unanswered"], len(r.flags), reviewed[return_id(r)], other_header_fields(r),
                     return_id(r), r.source.file, *_emailed(r)])
    ws = excel.data_sheet(wb, "Returns", cols, rows)
    excel.fill_where(ws, cols, "Grade", GRADE_FILLS)


def _emailed(record: AuditReturn) -> list[str]:
    """Who emailed a return and when (dd/mm/yyyy hh:mm), blank for a file saved straight into the inbox."""
    origin = record.source.email
    if origin is None:
        return ["", ""]
    sent = origin.sent or ""
    if sent:
        try:
            sent = datetime.fromisoformat(sent).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            pass
    return [origin.sender or "", sent]


def other_header_fields(record: AuditReturn) -> str:
    """The header fields the form prints and its template lacks, one 'Label: value' a line, in the form's order."""
    return "\n".join(f"{label}: {value}" for label, value in record.header.extra.items())


def _template_name(book: Book, record: AuditReturn) -> str:
    template = book.templates.get(record.template.id)
    return f"{template.name if template else record.template.id} (v{record.template.version})"


def answers_sheet(wb, book: Book, case_of, agency_of) -> None:
    cols = [Col("Case", 20), Col("Agency", 22), Col("Section", 20), Col("Question id", 10, "text"),
            Col("Question", 40), Col("Answer", 70), Col("Status", 14), Col("First date", 12, "date"),
            Col("Dates", 14), Col("Themes", 22), Col("Flags", 22), *_review_cols("Answers", [14, 50, 14, 30]),
            Col("File", 30), Col(ROW_ID, 16, "text")]

    def rows():
        for r in book.records:
            labels = theme_labels(r)
            flags: dict[str, set[str]] = defaultdict(set)
            for f in r.flags:
                flags[f.answer or ""].add(words(f.code.value))
            for a in r.answers:
                row = answer_row_id(r, a.id)
                dates = [excel.as_date(d) for d in a.dates]
                yield [case_of(r), agency_of(r), a.section, a.id, a.question, a.answer, STATUS_LABELS[a.status.value],
                       dates[0] if dates else None,
                       ", ".join(d.strftime("%d/%m/%Y") if hasattr(d, "strftime") else str(d) for d in dates),
                       ", ".join(labels.get(t, words(t)) for t in a.themes), ", ".join(sorted(flags[a.id])),
                       *_review_cells(book, "Answers", row), r.source.file, row]

    ws = excel.data_sheet(wb, "Answers", cols, rows())
    n = sum(len(r.answers) for r in book.records)
    excel.fill_where(ws, cols, "Status", {"Unanswered": "FCE4D6", "Not applicable": "EDEDED"})
    excel.drop_down(ws, cols, "Review", list(REVIEW_CHOICES), n, "Choose Confirmed, Corrected or Query agency.")
    excel.drop_down(ws, cols, "Corrected status", list(STATUS_LABELS.values()), n,
                    "Choose Answered, Not applicable or Unanswered.")
    _mark_unusable(ws, cols, book, "Answers")


def by_case_sheet(wb, book: Book, case_of, agency_of) -> None:
    """One row per case and question, one column per agency: what each agency said about the same child."""
    agencies = sorted({agency_of(r) for r in book.corrected})
    rows = []
    for case in sorted({case_of(r) for r in book.corrected}):
        mine = [r for r in book.corrected if case_of(r) == case]
        questions: dict[str, tuple[str, str]] = {}
        for r in mine:
            for a in r.answers:
                questions.setdefault(a.id, (a.section, a.question))
        for qid, (section, question) in questions.items():
            by_agency = {agency_of(r): next((a.answer or f"[{STATUS_LABELS[a.status.value].lower()}]"
                                             for a in r.answers if a.id == qid), "") for r in mine}
            rows.append([case, section, question, *(by_agency.get(ag, "") for ag in agencies)])
    cols = [Col("Case", 20), Col("Section", 18), Col("Question", 40), *(Col(ag, 45) for ag in _unique(agencies))]
    excel.data_sheet(wb, "By case", cols, rows)


def _unique(headers: list[str]) -> list[str]:
    """Agency names as Table headers: Excel needs them unique and not clashing with the fixed columns."""
    taken = {"case", "section", "question", "returns", "theme", "total", "strengths", "concerns"}
    out = []
    for h in headers:
        h = " ".join(h.split())[:200] or "(blank)"
        name, n = h, 2
        while name.lower() in taken:  # Excel compares Table headers ignoring case
            name, n = f"{h} ({n})", n + 1
        taken.add(name.lower())
        out.append(name)
    return out


def grades_sheet(wb, book: Book, case_of, agency_of, grade_labels: dict[str, str]) -> None:
    """Agency x case: each agency's overall grade for each child."""
    agencies = sorted({agency_of(r) for r in book.corrected})
    grid: dict[str, dict[str, str]] = defaultdict(dict)
    for r in book.corrected:
        grade = grade_labels.get(r.grade.value or "") or GRADE_PROBLEMS.get(r.grade.problem or "", "No grade on this tool")
        grid[case_of(r)][agency_of(r)] = grade
    rows = [[case, len(grid[case]), *(grid[case].get(ag, "") for ag in agencies)] for case in sorted(grid)]
    cols = [Col("Case", 22), Col("Returns", 9, "number"), *(Col(ag, 18) for ag in _unique(agencies))]
    ws = excel.data_sheet(wb, "Grades", cols, rows)
    for col in cols[2:]:
        excel.fill_where(ws, cols, col.header, GRADE_FILLS)


def learning_sheet(wb, book: Book, case_of, agency_of) -> None:
    cols = [Col("Case", 20), Col("Agency", 22), Col("Kind", 18), Col("Learning", 70), Col("Owner", 20),
            Col("Timescale", 18), Col("Question", 40), Col("File", 30)]
    rows = []
    for r in book.corrected:
        for item in learning_items(r, book.templates.get(r.template.id)):
            rows.append([case_of(r), agency_of(r), item.kind, item.text,
                         item.owner or ("(not named)" if item.kind == "Action" else ""),
                         item.timescale or ("(none given)" if item.kind == "Action" else ""), item.question,
                         r.source.file])
    excel.data_sheet(wb, "Learning", cols, rows, empty="(no learning recorded yet)")


def theme_counts_sheet(wb, book: Book, agency_of) -> None:
    """Theme x agency: returns mentioning each theme, with a colour scale, then strengths and concerns."""
    agencies = sorted({agency_of(r) for r in book.corrected})
    counts: dict[str, Counter] = defaultdict(Counter)
    polarity: dict[str, Counter] = defaultdict(Counter)
    labels: dict[str, str] = {}
    for r in book.corrected:
        for t in r.themes:
            if t.mentions:
                counts[t.id][agency_of(r)] += 1
                labels[t.id] = t.label
                polarity[t.id].update(e.polarity for e in t.evidence)
    order = sorted(counts, key=lambda t: (-sum(counts[t].values()), labels[t]))
    rows = [[labels[t], *(counts[t][ag] for ag in agencies), sum(counts[t].values()), polarity[t]["strength"],
             polarity[t]["concern"]] for t in order]
    cols = [Col("Theme", 30), *(Col(ag, 14, "number") for ag in _unique(agencies)), Col("Total", 9, "number"),
            Col("Strengths", 10, "number"), Col("Concerns", 10, "number")]
    ws = excel.data_sheet(wb, "Theme counts", cols, rows, empty="(no themes found yet)")
    if rows and agencies:
        excel.colour_scale(ws, f"B2:{excel.column_of(cols, cols[len(agencies)].header)}{len(rows) + 1}")


def themes_sheet(wb, book: Book, case_of, agency_of) -> None:
    """One row per (return, theme) found, and one per return with none, with the reviewers' columns."""
    rows = []
    for r in book.records:
        rid = return_id(r)
        found = [t for t in r.themes if t.mentions]
        for t in found:
            polarities = [e.polarity for e in t.evidence]
            row = theme_row_id(rid, t.id)
            rows.append([rid, case_of(r), agency_of(r), t.id, t.label, t.mentions, polarities.count("strength"),
                         polarities.count("concern"), len(t.negated), t.evidence[0].sentence if t.evidence else "",
                         _found_by(t), *_review_cells(book, "Themes", row), r.source.file, row])
        if not found:
            row = theme_row_id(rid, "")
            rows.append([rid, case_of(r), agency_of(r), "", "(no themes found)", 0, 0, 0, 0, "", "",
                         *_review_cells(book, "Themes", row), r.source.file, row])
    cols = [Col("Return", 14, "text"), Col("Case", 20), Col("Agency", 22), Col("Theme ID", 22, "text"),
            Col("Theme", 26), Col("Mentions", 9, "number"), Col("Strengths", 9, "number"),
            Col("Concerns", 9, "number"), Col("Negated", 8, "number"), Col("First evidence", 70),
            Col("Found by", 13), *_review_cols("Themes", [12, 26, 30]), Col("File", 30), Col(ROW_ID, 18, "text")]
    ws = excel.data_sheet(wb, "Themes", cols, rows)
    excel.drop_down(ws, cols, REVIEW_FIELDS["Themes"]["agrees"], ["Y", "N"], len(rows),
                    "Write Y if the theme is right for this return, N if not.")
    _mark_unusable(ws, cols, book, "Themes")


def _found_by(tag) -> str:
    """Who found a theme: the codebook's patterns, the trained model (pipeline.themes.model), or both."""
    sources = {e.source for e in tag.evidence}
    return "rules + model" if len(sources) > 1 else next(iter(sources), "")


def flags_sheet(wb, book: Book, case_of, agency_of) -> None:
    cols = [Col("Case", 20), Col("Agency", 22), Col("Severity", 10), Col("Flag", 24), Col("Question id", 11, "text"),
            Col("Message", 70), *_review_cols("Flags", [12, 30]), Col("File", 30), Col(ROW_ID, 18, "text")]
    rows = [[case_of(r), agency_of(r), words(f.severity.value), words(f.code.value), f.answer or "", f.message,
             *_review_cells(book, "Flags", row), r.source.file, row]
            for r in book.records for f, row in zip(r.flags, flag_row_ids(r))]
    ws = excel.data_sheet(wb, "Flags", cols, rows, empty="(no flags)")
    excel.fill_where(ws, cols, "Severity", {"Error": "F8CBAD", "Warning": "FFF2CC"})
    excel.drop_down(ws, cols, REVIEW_FIELDS["Flags"]["dismissed"], ["Y", "N"], len(rows),
                    "Write Y to dismiss the flag (it then leaves the counts), N or blank to keep it.")
    _mark_unusable(ws, cols, book, "Flags")


def quarantine_sheet(wb, book: Book) -> None:
    cols = [Col("File", 36), Col("Reason", 22), Col("What to do", 90), Col("SHA-256", 16, "text")]
    rows = [[s["file"], words(s["reason"]["code"]), s["reason"]["message"], s["sha256"][:12]]
            for s in book.statuses if s["outcome"] == "quarantined" and s["reason"]]
    excel.data_sheet(wb, "Quarantine", cols, rows, empty="(no files in quarantine)")
