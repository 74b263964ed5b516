"""Template detection: score how well each template explains a document, in one vectorised pass.

Three measures are combined, because each alone is fooled:

* recall: the share of a template's distinct question wordings (weighted by length, so short generic
  phrases such as "Areas for development" count less) and section titles found in the document. Edited
  or renumbered questions still score: numbering is stripped and fuzzy matches earn partial credit.
* precision: the share of the document's own question lines (short lines ending in '?') that the
  template knows. A return from another audit tool is full of questions this template has never seen,
  which caps its score however many generic phrases happen to match.
* evidence: a saturating count of real questions (ending in '?') found word for word, so a truncated or
  partly deleted return of a form is still recognised; the title adds a small bonus.

confidence = min(1, max(recall, evidence) + title bonus) x (0.25 + 0.75 x precision).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from models.raw import RawDocument
from models.template import Template
from pipeline.text import document_lines, normalise

_NUMBERING = re.compile(r"^\s*(?:q?\d{1,2}[a-z]?[.):]|\(\d{1,2}[a-z]?\)|[a-z][.)]|[ivx]{1,4}[.)]|\d{1,2}[a-z](?=\s))\s*")
MAX_LINE = 400  # no printed question is longer; longer lines are answers and only cost time
TITLE_BONUS = 0.1
EVIDENCE_SCALE = 10.0  # weighted questions found for evidence 0.63 (a long question weighs 5, a short one 2-3)


@dataclass(frozen=True)
class TemplateScore:
    """How well one template explains a document."""

    template_id: str
    confidence: float
    recall: float
    precision: float | None  # None when the document has too few question lines to judge
    title_found: bool


def strip_numbering(text: str) -> str:
    """Normalised text without a leading printed number or letter ('7.', 'b)', 'Q3')."""
    return _NUMBERING.sub("", normalise(text), count=1).strip()


def candidate_lines(raw: RawDocument) -> tuple[list[str], int]:
    """Distinct normalised lines short enough to be printed form text, and how many are the document's own.

    For a PDF, neighbouring lines are also joined in pairs (after the document's own lines): a PDF wraps
    a long question over two lines, and the pair lets it match whole.
    """
    lines = [strip_numbering(line) for line in document_lines(raw)]
    lines = list(dict.fromkeys(line for line in lines if 2 <= len(line) <= MAX_LINE))
    own = len(lines)
    if raw.format == "pdf":
        pairs = [f"{a} {b}" for a, b in zip(lines, lines[1:]) if len(a) + len(b) < MAX_LINE]
        lines += [p for p in dict.fromkeys(pairs) if p not in set(lines[:own])]
    return lines, own


def rank_templates(raw: RawDocument, templates: dict[str, Template]) -> list[TemplateScore]:
    """Every template scored against the document, best first (ties broken by id)."""
    cands, own = candidate_lines(raw)
    if not cands or not templates:
        return sorted((TemplateScore(t, 0.0, 0.0, None, False) for t in templates), key=lambda s: s.template_id)
    phrases, owners = _phrases_cached(templates)
    partial, explains, whole = _line_scores(phrases, cands, _columns_for(phrases))
    best_partial = partial.max(axis=1).astype(int)  # uint8 would wrap round below 70
    best_whole = whole.max(axis=1).astype(int)
    qcols = [i for i, c in enumerate(cands[:own]) if c.endswith("?") and len(c.split()) >= 3]
    scores = [_score(tid, owners, best_partial, best_whole, explains, qcols) for tid in templates]
    return sorted(scores, key=lambda s: (-s.confidence, s.template_id))


# Per phrase list (one per set of templates): a candidate line -> its (gated partial, whole) score columns. The
# form's printed lines are the same in every return of it, so most of a document's lines were scored before.
_COLUMNS: dict[tuple[str, ...], dict[str, tuple[np.ndarray, np.ndarray]]] = {}
COLUMN_CACHE_SIZE = 50_000  # lines remembered per phrase list before the cache is emptied (tens of MB at most)


def _columns_for(phrases: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    key = tuple(phrases)
    if key not in _COLUMNS and len(_COLUMNS) >= 8:
        _COLUMNS.clear()
    return _COLUMNS.setdefault(key, {})


def _line_scores(phrases: list[str], cands: list[str],
                 columns: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """_gated_partial and the plain ratio of every phrase against every line, scoring only lines not seen before."""
    new = [c for c in dict.fromkeys(cands) if c not in columns]
    if new:
        if len(columns) + len(new) > COLUMN_CACHE_SIZE:
            columns.clear()
            new = list(dict.fromkeys(cands))
        gated, _explains = _gated_partial(phrases, new)
        whole = cdist(phrases, new, scorer=fuzz.ratio, dtype=np.uint8, workers=1)
        for j, c in enumerate(new):
            columns[c] = (gated[:, j].copy(), whole[:, j].copy())
    partial = np.stack([columns[c][0] for c in cands], axis=1)
    whole = np.stack([columns[c][1] for c in cands], axis=1)
    plen = np.array([len(p) for p in phrases])[:, None]
    clen = np.array([len(c) for c in cands])[None, :]
    explains = (partial >= 80) & (plen >= 0.6 * clen) & (clen >= 0.5 * plen)
    return partial, explains, whole


_PHRASE_CACHE: dict[tuple, tuple] = {}


def _phrases_cached(templates: dict[str, Template]):
    """_phrases, computed once per set of template objects (a run reads every file with the same set)."""
    key = tuple((tid, id(t)) for tid, t in templates.items())
    if key not in _PHRASE_CACHE:
        if len(_PHRASE_CACHE) > 8:
            _PHRASE_CACHE.clear()
        _PHRASE_CACHE[key] = (_phrases(templates), list(templates.values()))  # keep the objects alive
    return _PHRASE_CACHE[key][0]


def _phrases(templates: dict[str, Template]):
    """Flat phrase list for one cdist call, and for each template: (phrase index, role, item, weight)."""
    phrases: list[str] = []
    index: dict[str, int] = {}
    owners: dict[str, list[tuple[int, str, str, float]]] = {}

    def add(tid: str, text: str, role: str, item: str, weight: float = 1.0) -> None:
        p = strip_numbering(text)
        if len(p) < 2:
            return
        if p not in index:
            index[p] = len(phrases)
            phrases.append(p)
        owners[tid].append((index[p], role, item, weight))

    for t in templates.values():
        owners[t.id] = []
        for q in t.questions():
            item = strip_numbering(q.wording)  # repeated wordings (one per section) are one item
            weight = 1 + min(len(item.split()), 8) / 2
            # only real questions identify a form: a label such as 'Role of person completing the
            # audit' also matches other forms' header labels
            role = "question" if item.endswith("?") else "label"
            for text in [q.wording, *q.aliases]:
                add(t.id, text, role, item, weight)
            for g in q.guidance:
                add(t.id, g, "known", item)
        for s in t.sections:
            add(t.id, s.title, "section", "section:" + normalise(s.title), 1.5)
        for h in t.header:
            for text in [h.label, *h.aliases]:
                add(t.id, text, "known", "header")
        for title in t.titles:
            add(t.id, title, "title", "title")
    return phrases, owners


_STEM = re.compile(r"[a-z]{4,}")


def _stems(text: str) -> set[str]:
    """First four letters of each longer word: shared stems survive typos at a word's end."""
    return {w[:4] for w in _STEM.findall(text)}


def _gated_partial(phrases: list[str], cands: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """partial_ratio zeroed where lengths are too far apart to mean anything; and 'phrase explains line'.

    A line much shorter than the phrase ('Good') would be found inside it, and a line much longer is an
    answer. For explaining a document's question line the phrase must also cover most of that line, or a
    header alias such as 'Child' would explain every question that mentions a child.
    Only pairs that pass the length gate and share a word stem are scored: a line with no word in common
    with a phrase cannot reach the 70 that earns credit, and skipping the rest is most of the cost.
    """
    plen = np.array([len(p) for p in phrases])[:, None]
    clen = np.array([len(c) for c in cands])[None, :]
    in_gate = (clen >= 0.5 * plen) & (clen <= 3 * plen + 60)
    by_stem: dict[str, set[int]] = {}
    for j, c in enumerate(cands):
        for stem in _stems(c):
            by_stem.setdefault(stem, set()).add(j)
    scores = np.zeros((len(phrases), len(cands)), dtype=np.uint8)
    for i, p in enumerate(phrases):
        stems = _stems(p)
        near = set().union(*(by_stem.get(st, ()) for st in stems)) if stems else set(range(len(cands)))
        cols = [j for j in near if in_gate[i, j]]
        if cols:
            scores[i, cols] = cdist([p], [cands[j] for j in cols], scorer=fuzz.partial_ratio, dtype=np.uint8,
                                    workers=1)[0]
    gated = np.where(in_gate, scores, 0)
    explains = (scores >= 80) & (plen >= 0.6 * clen) & (clen >= 0.5 * plen)
    return gated, explains


def _score(tid, owners, best_partial, best_whole, explains, qcols) -> TemplateScore:
    items: dict[str, tuple[float, float]] = {}  # item -> (weight, best credit)
    questions: set[str] = set()
    title_found = False
    for idx, role, item, weight in owners[tid]:
        if role == "question":
            questions.add(item)
        if role in ("question", "label"):
            credit = min(1.0, max(0.0, (best_partial[idx] - 70) / 20))
        elif role == "section":
            credit = 1.0 if best_whole[idx] >= 88 else 0.0
        else:
            if role == "title" and best_partial[idx] >= 95:
                title_found = True
            continue
        w, c = items.get(item, (weight, 0.0))
        items[item] = (w, max(c, credit))
    total = sum(w for w, _ in items.values())
    recall = float(sum(w * c for w, c in items.values()) / total) if total else 0.0
    # a few long questions found word for word identify a form even when most are missing (a truncated
    # or partly deleted return); the evidence saturates, so short generic phrases never add up to much
    found = sum(w * c for item, (w, c) in items.items() if item in questions)
    evidence = 1 - math.exp(-found / EVIDENCE_SCALE)
    precision = None
    if len(qcols) >= 3:
        known = sorted({idx for idx, *_ in owners[tid]})
        matched = explains[np.ix_(known, qcols)].any(axis=0)
        precision = float(matched.mean())
    factor = 1.0 if precision is None else 0.25 + 0.75 * precision
    confidence = min(1.0, max(recall, evidence) + (TITLE_BONUS if title_found else 0.0)) * factor
    return TemplateScore(tid, round(float(confidence), 3), round(recall, 3),
                         None if precision is None else round(precision, 3), title_found)
