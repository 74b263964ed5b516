"""The cross-agency Excel workbook: the partnership team's main screen, and the loop that keeps their reviews.

Before a rebuild, ``gather_reviews`` reads the reviewers' columns back from the existing workbook (and from any
copy maap had to write beside it) into ``WORKSPACE/reviews.jsonl``; ``build_workbook`` writes the new workbook
with every review back beside its row. A workbook that is open, locked or edited out of shape is never replaced:
the new one goes beside it. openpyxl is used through pipeline.outputs.excel and .summary_sheet only.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from models.record import AuditReturn
from models.template import Template
from pipeline.outputs import excel, sheets
from pipeline.outputs.excel import Col, UnreadableWorkbook, read_sheet
from pipeline.outputs.reviews import (
    REVIEW_FIELDS, Review, append_reviews, edits, latest_reviews, load_reviews, load_written, now_iso,
    return_id, save_written,
)
from pipeline.outputs.self_assessment_sheets import add_self_assessment_sheets
from pipeline.outputs.summary_sheet import summary_sheet
from pipeline.outputs.tracker_sheets import add_tracker_sheets

__all__ = ["GRADE_LABELS", "REVIEW_COLUMNS", "UnreadableWorkbook", "agency_of", "agency_rows", "build_workbook", "case_of",
           "gather_reviews", "read_sheet", "return_id", "successors"]

log = logging.getLogger("maap.workbook")
GRADE_LABELS = {"outstanding": "Outstanding", "good": "Good", "requires_improvement": "Requires improvement",
                "inadequate": "Inadequate"}
REVIEW_COLUMNS = tuple(REVIEW_FIELDS["Themes"].values())


def case_of(record: AuditReturn) -> str:
    return record.header.child or "(child not given)"


def agency_of(record: AuditReturn) -> str:
    return record.header.agency or "(agency not given)"


def agency_rows(records: list[AuditReturn]) -> list[list]:
    """Per agency: returns, mean quality score, grades, share of questions unanswered, flags by severity."""
    rows = []
    for agency in sorted({agency_of(r) for r in records}):
        mine = [r for r in records if agency_of(r) == agency]
        scores = [r.quality.score for r in mine if r.quality]
        answers = [a for r in mine for a in r.answers]
        grades = Counter(r.grade.value for r in mine)
        severities = Counter(f.severity.value for r in mine for f in r.flags)
        rows.append([agency, len(mine), round(sum(scores) / len(scores)) if scores else None,
                     *(grades.get(g, 0) for g in GRADE_LABELS), grades.get(None, 0),
                     round(100 * sum(a.status.value == "unanswered" for a in answers) / len(answers)) if answers else 0,
                     severities.get("error", 0), severities.get("warning", 0)])
    return rows


def successors(current: list[AuditReturn], superseded: list[AuditReturn]) -> dict[str, str]:
    """Old return id -> id of the current return replacing it (same template, case, agency and audit theme,
    or else the same file name)."""
    def key(r):
        return r.template.id, case_of(r), agency_of(r), r.header.theme or ""

    by_key = {key(r): return_id(r) for r in current}
    by_file = {r.source.file: return_id(r) for r in current}
    out = {}
    for r in superseded:
        new = by_key.get(key(r)) or by_file.get(r.source.file)
        if new and new != return_id(r):
            out[return_id(r)] = new
    return out


# --- the correction loop ------------------------------------------------------------------------------------


@dataclass
class Gathered:
    """Reviews after reading the workbooks back: the latest per row, and why the workbook must not be replaced."""

    latest: dict[str, Review] = field(default_factory=dict)
    keep_existing: str | None = None
    added: int = 0


def _manifest_path(store: Path) -> Path:
    return store.with_name(".reviews-written.json")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gather_reviews(path: Path, store: Path) -> Gathered:
    """Read reviewers' columns from the workbook at ``path`` (and copies maap wrote beside it) into ``store``.

    Only cells a reviewer changed since maap last wrote or read that file are appended to the store
    (append-only, with who and when as the workbook records them). Returns the latest review of every row; ``keep_existing`` says
    why the workbook must be left as it is (unreadable, or a reviewed sheet out of shape).
    """
    manifest = load_written(_manifest_path(store))
    stored = latest_reviews(load_reviews(store))
    candidates = {p for name in manifest if (p := path.with_name(name)).exists()}
    if path.exists():
        candidates.add(path)
    gathered = Gathered()
    for candidate in sorted(candidates, key=lambda p: p.stat().st_mtime):
        written = manifest.get(candidate.name)
        try:
            sha = _sha(candidate)
            if written and written.get("sha256") == sha:  # untouched since maap wrote or last read it
                if candidate == path and written.get("problem"):
                    gathered.keep_existing = written["problem"]  # still out of shape: still not to be replaced
                continue
            found = excel.read_reviews(candidate)
        except (UnreadableWorkbook, OSError) as e:
            if candidate == path:
                gathered.keep_existing = str(e)
            continue
        problem = f"{path.name} was edited out of shape ({'; '.join(found.problems)})" if found.problems else None
        if problem and candidate == path:
            gathered.keep_existing = problem
        new = [Review(row=row, sheet=sheet, fields=fields, by=found.by, saved=found.saved, read=now_iso(),
                      workbook=candidate.name)
               for row, sheet, fields in edits(found.rows, written.get("rows") if written else None, stored)]
        append_reviews(store, new)
        gathered.added += len(new)
        stored.update({r.row: r for r in new})
        # From now on only changes made after this reading count, so an older copy read later cannot undo them.
        manifest[candidate.name] = {"sha256": sha, "read": now_iso(), "problem": problem,
                                    "rows": {row: fields for row, (_, fields) in found.rows.items()}}
    save_written(_manifest_path(store), manifest)
    gathered.latest = {row: r for row, r in stored.items() if r.fields}
    return gathered


def lock_files(path: Path) -> list[Path]:
    """Owner files an office suite leaves beside an open workbook (LibreOffice, Excel; Excel may shorten the name)."""
    names = [f".~lock.{path.name}#", f"~${path.name}", f"~${path.name[2:]}"]
    return [p for p in (path.with_name(n) for n in names) if p.exists()]


def _beside(path: Path, store: Path | None) -> Path:
    """Where the new workbook goes when ``path`` must be left alone: an earlier copy that is not open, unchanged
    since maap last wrote or read it and in shape (so copies do not pile up night after night), or a new name."""
    manifest = load_written(_manifest_path(store)) if store is not None else {}
    for name, written in sorted(manifest.items()):
        copy = path.with_name(name)
        if (name.startswith(f"{path.stem}-rebuilt-") and copy.exists() and not lock_files(copy)
                and not written.get("problem") and written.get("sha256") == _sha(copy)):
            return copy
    return path.with_name(f"{path.stem}-rebuilt-{datetime.now():%Y%m%d-%H%M%S}{path.suffix}")


# --- writing -------------------------------------------------------------------------------------------------


def build_workbook(records: list[AuditReturn], statuses: list[dict], path: Path, *,
                   corrected: list[AuditReturn] | None = None, reviews: dict[str, Review] | None = None,
                   earlier: dict[str, Review] | None = None, templates: dict[str, Template] | None = None,
                   store: Path | None = None, keep_existing: str | None = None,
                   case_names: Mapping[str, str] | None = None, tracker=None,
                   assessments: list[AuditReturn] | None = None, names: bool = True) -> Path:
    """Write the workbook and return where it went.

    ``records`` are shown as extracted on Answers, Themes and Flags, with ``reviews`` (row id -> latest review)
    in the reviewers' columns and ``earlier`` (reviews of superseded versions) beside them; counts come from
    ``corrected`` (default: ``records``). With ``store`` (reviews.jsonl), what was written is remembered so the
    next ``gather_reviews`` sees only reviewers' edits, and a workbook that is open, locked, cannot be replaced
    or must be kept (``keep_existing``) is left alone: the new one is written beside it and one line logged.
    ``case_names`` (record sha256 -> the case's name, from pipeline.cases.linking) puts every return the case
    linker joined on one case, however each agency wrote the child; ``tracker`` (cells, chase items) adds the
    Tracker and Chase sheets (pipeline/outputs/tracker_sheets.py). ``assessments`` (Section 11 / 175
    self-assessments, never among ``records``) add the matrix and actions sheets (self_assessment_sheets.py);
    ``names=False`` replaces their named action owners.
    """
    shown = {return_id(r) for r in records}
    book = sheets.Book(records=records, corrected=corrected if corrected is not None else records, statuses=statuses,
                       reviews={row: r for row, r in (reviews or {}).items() if r.record in shown},
                       earlier=earlier or {}, templates=templates or {})
    named = dict(case_names or {})
    wb = _workbook(book, (lambda r: named.get(r.source.sha256) or case_of(r)) if named else case_of)
    add_tracker_sheets(wb, tracker)
    add_self_assessment_sheets(wb, assessments or [], templates or {}, names=names)
    path.parent.mkdir(parents=True, exist_ok=True)
    target, reason = path, keep_existing
    if store is not None and reason is None and (locks := lock_files(path)):
        reason = f"{path.name} is open ({locks[0].name} beside it)"
    if reason:
        target = _beside(path, store)
    tmp = target.with_name(f".{target.name}.tmp")
    excel.save(wb, tmp)
    try:
        tmp.replace(target)
    except OSError as e:
        if target != path:
            raise
        reason = f"{path.name} could not be replaced ({e.strerror or type(e).__name__})"
        target = _beside(path, store)
        tmp.replace(target)
    if store is not None:
        _remember(store, target, book)
    if reason:
        log.warning("%s: left as it is, wrote %s beside it; reviews are kept in %s", reason, target.name,
                    store.name if store else "the workbook")
    return target


def _remember(store: Path, target: Path, book: sheets.Book) -> None:
    manifest = load_written(_manifest_path(store))
    rows = {row: review.fields for row, review in book.reviews.items()}
    manifest[target.name] = {"sha256": _sha(target), "written": now_iso(), "rows": rows}
    save_written(_manifest_path(store), manifest)


def _workbook(book: sheets.Book, case_of: Callable[[AuditReturn], str] = case_of):
    wb = excel.new_workbook()
    summary_sheet(wb, book, case_of, agency_of, GRADE_LABELS)
    sheets.returns_sheet(wb, book, case_of, agency_of, GRADE_LABELS)
    _agencies(wb, book.corrected)
    sheets.answers_sheet(wb, book, case_of, agency_of)
    sheets.by_case_sheet(wb, book, case_of, agency_of)
    sheets.grades_sheet(wb, book, case_of, agency_of, GRADE_LABELS)
    sheets.learning_sheet(wb, book, case_of, agency_of)
    sheets.theme_counts_sheet(wb, book, agency_of)
    sheets.themes_sheet(wb, book, case_of, agency_of)
    sheets.flags_sheet(wb, book, case_of, agency_of)
    sheets.quarantine_sheet(wb, book)
    return wb


def _agencies(wb, records: list[AuditReturn]) -> None:
    cols = [Col("Agency", 28), Col("Returns", 9, "number"), Col("Mean quality score", 12, "number"),
            *(Col(g, 12, "number") for g in GRADE_LABELS.values()), Col("No single grade", 10, "number"),
            Col("% questions unanswered", 14, "number"), Col("Error flags", 10, "number"),
            Col("Warning flags", 10, "number")]
    excel.data_sheet(wb, "Agencies", cols, agency_rows(records))
