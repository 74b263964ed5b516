"""Compare two versions of a template by question id: what an analyst must know before mixing returns.

Records carry the template id and version, and the workbook lines answers up by question id, so the
things that matter are ids that appear, disappear, change wording (same id, new question: answers no
longer comparable), move section, or change id while keeping their wording (same question, new id:
answers would split across two columns).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from models.template import Template
from pipeline.text import normalise

SAME_WORDING = 90  # rapidfuzz ratio at or above which two wordings are the same question


@dataclass
class TemplateDiff:
    """Question-level differences from an old template to a new one."""

    old: str
    new: str
    added: list[tuple[str, str]] = field(default_factory=list)  # (id, wording)
    removed: list[tuple[str, str]] = field(default_factory=list)
    reworded: list[tuple[str, str, str]] = field(default_factory=list)  # (id, old wording, new wording)
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # (id, old section, new section)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (old id, new id, wording)
    changed: list[tuple[str, str]] = field(default_factory=list)  # (id, what changed: kind, options)
    same_version: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.reworded or self.moved or self.renamed or self.changed)

    def lines(self) -> list[str]:
        """The differences as lines for a terminal or a change log."""
        out = [f"{self.old} -> {self.new}"]
        out += [f"  renamed  {a} -> {b}: {w!r} (answers would split across two workbook columns)"
                for a, b, w in self.renamed]
        out += [f"  added    {i}: {w!r}" for i, w in self.added]
        out += [f"  removed  {i}: {w!r}" for i, w in self.removed]
        out += [f"  reworded {i}: {a!r} -> {b!r}" for i, a, b in self.reworded]
        out += [f"  moved    {i}: section {a} -> {b}" for i, a, b in self.moved]
        out += [f"  changed  {i}: {what}" for i, what in self.changed]
        if self.empty:
            out.append("  no question changes")
        elif self.same_version:
            out.append("  note: both files have the same version; bump 'version' so records tell them apart")
        return out


def diff_templates(old: Template, new: Template) -> TemplateDiff:
    """Questions added, removed, reworded, moved, renamed and changed from ``old`` to ``new``."""
    d = TemplateDiff(old=f"{old.id} v{old.version}", new=f"{new.id} v{new.version}")
    old_q = {q.id: q for q in old.questions()}
    new_q = {q.id: q for q in new.questions()}
    for qid, q in old_q.items():
        if qid not in new_q:
            continue
        n = new_q[qid]
        if normalise(q.wording) != normalise(n.wording):
            d.reworded.append((qid, q.wording, n.wording))
        old_s, new_s = old.section_of(qid).id, new.section_of(qid).id
        if old_s != new_s:
            d.moved.append((qid, old_s, new_s))
        if q.kind != n.kind:
            d.changed.append((qid, f"kind {q.kind.value} -> {n.kind.value}"))
        elif q.options != n.options:
            d.changed.append((qid, f"options {q.options} -> {n.options}"))
    added = [q for qid, q in new_q.items() if qid not in old_q]
    removed = [q for qid, q in old_q.items() if qid not in new_q]
    for r in list(removed):
        match = next((a for a in added if fuzz.ratio(normalise(r.wording), normalise(a.wording)) >= SAME_WORDING), None)
        if match:
            d.renamed.append((r.id, match.id, match.wording))
            removed.remove(r)
            added.remove(match)
    d.added = [(q.id, q.wording) for q in added]
    d.removed = [(q.id, q.wording) for q in removed]
    d.same_version = old.id == new.id and old.version == new.version
    return d
