"""What became of every file ever dropped, and which records are current (not superseded by a later version)."""

from __future__ import annotations

from models.record import AuditReturn
from pipeline.text import normalise
from pipeline.store.workspace import LedgerEntry, Reason, Workspace, read_ledger


def _load(ws: Workspace, entry: LedgerEntry) -> AuditReturn | None:
    path = ws.root / entry.record if entry.record else None
    if path is None or not path.exists():
        return None
    return AuditReturn.model_validate_json(path.read_text(encoding="utf-8"))


def _identity(record: AuditReturn) -> tuple[str, str, str, str] | None:
    """Who a return is about and from: template, agency, child and audit theme (a child audited again in a
    later round, under another theme, is a new return, not a re-send)."""
    agency, child = record.header.agency, record.header.child
    if not agency or not child:
        return None
    return record.template.id, normalise(agency), normalise(child), normalise(record.header.theme or "")


def resolve(ws: Workspace) -> list[tuple[LedgerEntry, AuditReturn | None]]:
    """Every ledger entry with its record; an older version of a re-sent return is marked superseded.

    A return is superseded by a later one with the same inbox path, or the same template, agency, child and
    audit theme.
    """
    entries = read_ledger(ws)
    loaded = [(e, _load(ws, e) if e.outcome == "processed" else None) for e in entries]
    latest: dict[object, int] = {}
    for i, (e, rec) in enumerate(loaded):
        if e.outcome != "processed":
            continue
        latest[("path", e.file)] = i
        if rec is not None and (ident := _identity(rec)):
            latest[("who", ident)] = i
    read_again = {(e.file, e.sha256): i for i, (e, _r) in enumerate(loaded) if e.outcome != "not_an_audit_tool"}
    out = []
    for i, (e, rec) in enumerate(loaded):
        if e.outcome == "not_an_audit_tool" and read_again.get((e.file, e.sha256), -1) > i:
            e = e.model_copy(update={"outcome": "superseded", "reason": Reason(
                code="superseded", message="Read again once its audit tool's template was learned; see the later entry.")})
        if e.outcome == "processed":
            keys = [("path", e.file)] + ([("who", ident)] if rec is not None and (ident := _identity(rec)) else [])
            newer = [latest[k] for k in keys if latest.get(k, i) > i]
            if newer:
                by = loaded[max(newer)][0].file
                e = e.model_copy(update={"outcome": "superseded", "reason": Reason(
                    code="superseded", message=f"A later version ({by}) replaces this return.")})
        out.append((e, rec))
    return out


def current_records(ws: Workspace) -> list[AuditReturn]:
    """Records of processed returns that no later version supersedes, in arrival order."""
    return [rec for e, rec in resolve(ws) if e.outcome == "processed" and rec is not None]


def file_statuses(ws: Workspace, resolved: list | None = None) -> list[dict]:
    """One object per file ever dropped: file, sha256, outcome, reason, record (from ``resolved``, the
    ledger already resolved, when the caller has it)."""
    return [
        {"file": e.file, "sha256": e.sha256, "outcome": e.outcome,
         "reason": e.reason.model_dump() if e.reason else None, "record": e.record}
        for e, _ in (resolve(ws) if resolved is None else resolved)
    ]
