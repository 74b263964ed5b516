"""Reviewers' work in the workbook: stable row ids, the append-only store, and corrections applied to records.

The workbook's Answers, Themes and Flags sheets carry review columns and a "Row id". Before each rebuild the
workbook module reads those columns back (``pipeline.outputs.excel.read_reviews``); this module decides which
cells are a reviewer's edits, appends them to ``WORKSPACE/reviews.jsonl`` (never rewritten), and applies the
latest review of each row to copies of the records. Plain data only: no openpyxl here.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from models.record import AuditReturn, Flag, Status, ThemeTag

ROW_ID = "Row id"
EARLIER = "Earlier review"
# Review fields per sheet: key in reviews.jsonl -> column header in the workbook. Keys are a public contract.
REVIEW_FIELDS: dict[str, dict[str, str]] = {
    "Answers": {"review": "Review", "corrected_answer": "Corrected answer", "corrected_status": "Corrected status",
                "note": "Reviewer note"},
    "Themes": {"agrees": "Reviewer agrees? (Y/N)", "adds": "Reviewer adds themes", "note": "Reviewer notes"},
    "Flags": {"dismissed": "Dismissed? (Y/N)", "note": "Reviewer note"},
}
REVIEW_CHOICES = ("Confirmed", "Corrected", "Query agency")
STATUS_LABELS = {"answered": "Answered", "not_applicable": "Not applicable", "unanswered": "Unanswered"}
_YES, _NO = {"y", "yes", "true", "1"}, {"n", "no", "false", "0"}


class Review(BaseModel):
    """One line of reviews.jsonl: a reviewer's cells on one workbook row, as read before a rebuild.

    ``fields`` holds the non-blank cells (keys of REVIEW_FIELDS); an empty dict means the reviewer cleared the row.
    ``by`` and ``saved`` are what the workbook says (last modified by, last saved); ``read`` is when maap read it.
    """

    model_config = ConfigDict(extra="forbid")
    row: str
    sheet: Literal["Answers", "Themes", "Flags"]
    fields: dict[str, str]
    by: str | None = None
    saved: str | None = None
    read: str = ""
    workbook: str = ""

    @property
    def record(self) -> str:
        return self.row.split(":", 1)[0]


def return_id(record: AuditReturn) -> str:
    """A short, stable id for a return that names no one: the start of its content hash."""
    return record.source.sha256[:12]


def answer_row_id(record: AuditReturn, question_id: str) -> str:
    return f"{return_id(record)}:answer:{question_id}"


def theme_row_id(rid: str, theme_id: str) -> str:
    """Row id of a Themes row; theme id "" is the row of a return with no themes."""
    return f"{rid}:theme:{theme_id}"


def flag_row_ids(record: AuditReturn) -> list[str]:
    """Row ids of a record's flags, in order: code, question and a counter for repeats of both."""
    seen: Counter = Counter()
    out = []
    for f in record.flags:
        key = (f.code.value, f.answer or "-")
        out.append(f"{return_id(record)}:flag:{key[0]}:{key[1]}:{seen[key]}")
        seen[key] += 1
    return out


def clean_fields(sheet: str, cells: dict[str, object]) -> dict[str, str]:
    """A reviewer's cells as text, blanks dropped (dates typed into a cell become ISO dates)."""
    out = {}
    for key in REVIEW_FIELDS[sheet]:
        value = cells.get(key)
        if isinstance(value, datetime):
            value = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        text = "" if value is None else str(value).strip()
        if text:
            out[key] = text
    return out


def load_reviews(store: Path) -> list[Review]:
    """Every review ever stored, oldest first; a torn last line (crash while writing) is skipped."""
    if not store.exists():
        return []
    out = []
    for line in store.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                out.append(Review.model_validate_json(line))
            except ValueError:
                continue
    return out


def latest_reviews(reviews: list[Review]) -> dict[str, Review]:
    """The latest review of each row (a cleared row is left out)."""
    latest: dict[str, Review] = {}
    for r in reviews:
        latest[r.row] = r
    return {row: r for row, r in latest.items() if r.fields}


def append_reviews(store: Path, reviews: list[Review]) -> None:
    """Append reviews to the store and flush them to disk before returning."""
    if not reviews:
        return
    store.parent.mkdir(parents=True, exist_ok=True)
    with open(store, "a", encoding="utf-8") as f:
        f.write("".join(r.model_dump_json() + "\n" for r in reviews))
        f.flush()
        os.fsync(f.fileno())


def edits(found: dict[str, tuple[str, dict[str, str]]], written: dict[str, dict[str, str]] | None,
          stored: dict[str, Review]) -> list[tuple[str, str, dict[str, str]]]:
    """The rows a reviewer changed: (row, sheet, fields) not yet in the store.

    ``found`` is what the workbook holds now; ``written`` what maap wrote into that same file (None when unknown,
    e.g. a workbook from an older maap: then only non-blank rows count, and a blank never clears a review).
    """
    out = []
    for row, (sheet, fields) in found.items():
        if written is not None:
            if fields == written.get(row, {}):
                continue
        elif not fields:
            continue
        previous = stored.get(row)
        if (previous.fields if previous else {}) == fields:
            continue
        out.append((row, sheet, fields))
    return out


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def load_written(path: Path) -> dict:
    """What maap last wrote into each workbook it made: {file name: {"sha256": ..., "rows": {row: fields}}}."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save_written(path: Path, manifest: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(manifest), encoding="utf-8")
    tmp.replace(path)


def is_yes(value: str | None) -> bool:
    return (value or "").strip().lower() in _YES


def is_no(value: str | None) -> bool:
    return (value or "").strip().lower() in _NO


def status_from_label(text: str | None) -> Status | None:
    """The status a reviewer chose ("Answered", "Not applicable", "Unanswered", or the code); None if neither."""
    key = re.sub(r"[\s/-]+", "_", (text or "").strip().lower())
    key = {"n_a": "not_applicable", "na": "not_applicable"}.get(key, key)
    return Status(key) if key in STATUS_LABELS else None


def split_names(text: str | None) -> list[str]:
    return [s.strip() for s in re.split(r"[,;\n]", text or "") if s.strip()]


def apply_reviews(records: list[AuditReturn], reviews: dict[str, Review],
                  theme_names: dict[str, tuple[str, str]] | None = None) -> list[AuditReturn]:
    """Copies of the records with each row's latest review applied; records nobody reviewed come back as they are.

    Answers: a corrected answer replaces the text (an unanswered question becomes answered unless a corrected
    status says otherwise) and a corrected status replaces the status. Themes: "N" removes the theme; added
    themes (ids or labels, resolved with ``theme_names``: lower-case id or label -> (id, label)) are added.
    Flags: "Y" in dismissed removes the flag.
    """
    by_record: dict[str, dict[str, Review]] = {}
    for row, review in reviews.items():
        by_record.setdefault(review.record, {})[row] = review
    return [_apply(r, by_record[return_id(r)], theme_names or {}) if return_id(r) in by_record else r
            for r in records]


def _apply(record: AuditReturn, reviews: dict[str, Review], theme_names: dict[str, tuple[str, str]]) -> AuditReturn:
    rid = return_id(record)
    answers, changed = [], set()
    for a in record.answers:
        review = reviews.get(answer_row_id(record, a.id))
        fields = review.fields if review else {}
        text, status = fields.get("corrected_answer"), status_from_label(fields.get("corrected_status"))
        if text is None and status is None:
            answers.append(a)
            continue
        update: dict = {}
        if text is not None:
            update["answer"] = text
            update["status"] = Status.answered
        if status is not None:
            update["status"] = status
        changed.add(a.id)
        answers.append(a.model_copy(update=update))
    new_status = {a.id: a.status for a in answers}
    flags = [f for f, row in zip(record.flags, flag_row_ids(record))
             if not is_yes(reviews.get(row).fields.get("dismissed") if row in reviews else None)
             and not _no_longer_holds(f, changed, new_status)]
    themes = [t for t in record.themes if not is_no(_field(reviews, theme_row_id(rid, t.id), "agrees"))]
    have = {t.id for t in themes}
    for row, review in reviews.items():
        if review.sheet != "Themes":
            continue
        for name in split_names(review.fields.get("adds")):
            tid, label = theme_names.get(name.lower(), (name, name))
            if tid not in have:
                themes.append(ThemeTag(id=tid, label=label, mentions=1, answers=[]))
                have.add(tid)
    return record.model_copy(update={"answers": answers, "flags": flags, "themes": themes})


def _field(reviews: dict[str, Review], row: str, key: str) -> str | None:
    review = reviews.get(row)
    return review.fields.get(key) if review else None


def _no_longer_holds(flag: Flag, changed: set[str], status: dict[str, Status]) -> bool:
    """An unanswered / not-applicable flag on an answer a reviewer corrected to another status."""
    if flag.answer not in changed or flag.code.value not in ("unanswered", "not_applicable"):
        return False
    return status[flag.answer].value != flag.code.value


def unusable(review: Review) -> list[str]:
    """The cells of a review maap cannot act on (a status or Y/N it does not recognise), by column header."""
    labels, f = REVIEW_FIELDS[review.sheet], review.fields
    bad = [k for k in ("agrees", "dismissed") if k in f and not (is_yes(f[k]) or is_no(f[k]))]
    if "corrected_status" in f and status_from_label(f["corrected_status"]) is None:
        bad.append("corrected_status")
    if "review" in f and f["review"].lower() not in {c.lower() for c in REVIEW_CHOICES}:
        bad.append("review")
    return [labels[k] for k in bad]


def earlier_reviews(successors: dict[str, str], reviews: dict[str, Review]) -> dict[str, Review]:
    """Reviews on superseded returns, keyed by the matching row of the return that replaced them.

    ``successors`` maps an old return id to the id of the current return that supersedes it.
    """
    out: dict[str, Review] = {}
    for row, review in sorted(reviews.items(), key=lambda kv: kv[1].read):
        new = successors.get(review.record)
        if new:
            out[new + row[len(review.record):]] = review
    return out


def describe(review: Review) -> str:
    """One cell's worth of text about a review on an earlier version of the return."""
    labels = REVIEW_FIELDS[review.sheet]
    parts = [f"{labels[k]}: {v}" for k, v in review.fields.items()]
    who = f" by {review.by}" if review.by else ""
    when = f" on {review.saved[8:10]}/{review.saved[5:7]}/{review.saved[:4]}" if review.saved else ""
    return f"Review on an earlier version{who}{when} - " + "; ".join(parts)


def theme_review_rows(records: list[AuditReturn], reviews: dict[str, Review]) -> list[dict]:
    """Themes rows as the workbook's Themes sheet has them (Return, Theme ID, Mentions and the reviewer's
    columns), for every record, superseded ones included: what ``kappa_from_rows`` reads."""
    columns = REVIEW_FIELDS["Themes"]
    out = []
    for r in records:
        rid = return_id(r)
        found = [t for t in r.themes if t.mentions]
        for tid, mentions in [(t.id, t.mentions) for t in found] or [("", 0)]:
            fields = reviews[row].fields if (row := theme_row_id(rid, tid)) in reviews else {}
            out.append({"Return": rid, "Theme ID": tid, "Mentions": mentions,
                        **{h: fields.get(k, "") for k, h in columns.items()}})
    return out
