"""Labels: recognising a template's question wordings and header labels in a form's text, fuzzily and fast.

A form's printed numbers are ignored; wordings may be mistyped, shortened or edited; guidance lines printed
under a question are known so they are never taken for answers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

from models.template import Template
from pipeline.mapping.layout import Line, Unit
from pipeline.text import normalise

LABEL_THRESHOLD = 78
CACHE_SIZE = 20_000  # texts scored per matcher before its cache is emptied (a few MB)
NUMBER = re.compile(r"^\s*(?:q(?:uestion)?\s*)?(?:\d{1,2}|[a-z]|[ivx]{1,4})\s*[.):]\s*|^\s*\d{1,2}\s+(?=[A-Za-z])", re.I)
_WORD = re.compile(r"[a-z0-9']+")
_BRACKETED = re.compile(r"\s*\([^()]*\)")


@dataclass
class Field:
    """A thing the template asks for: a header field or a question."""

    key: str
    wordings: list[str]
    guidance: list[str]
    tags: list[str] = field(default_factory=list)
    section: str | None = None
    order: int = 0


class LabelMatch(NamedTuple):
    """A unit read as a field's label: the score (0-100), lines the label takes, a value after 'Label:'."""

    field: int  # position in the field list
    score: float
    consumed: int
    inline: str


def label_text(line: str) -> str:
    """A line as a label: printed number removed, trailing colon removed."""
    return NUMBER.sub("", line, count=1).strip().rstrip(":").strip()


class Matcher:
    """Scores text against every field's wordings at once (rapidfuzz matrices), caching per text.

    A score is the best of the plain similarity ratio and a 'shortened wording' score: every word of the
    text is in the wording and it keeps a good part of it (75-95).
    """

    def __init__(self, fields: list[Field]):
        self.fields = fields
        targets, owners, plain = [], [], []
        for i, f in enumerate(fields):
            for w in f.wordings:
                targets += [normalise(w)]
                owners.append(i)
                plain.append(True)
            for w in f.wordings if f.guidance else []:
                targets.append(normalise(" ".join([w, *f.guidance])))
                owners.append(i)
                plain.append(False)
        self.targets = targets
        self.plain = np.array(plain)
        self.starts = np.array([owners.index(i) for i in range(len(fields))])
        self.questions = np.array([not f.key.startswith("header:") for f in fields])
        self.target_words = [set(_WORD.findall(t)) for t in targets]
        self.word_index: dict[str, list[int]] = {}
        for t, words in enumerate(self.target_words):
            for w in words:
                self.word_index.setdefault(w, []).append(t)
        self.max_len = max(len(t) for t in targets)
        self.guidance = [[normalise(g) for g in f.guidance] for f in fields]
        self._cache: dict[tuple[str, bool], np.ndarray] = {}
        self._ratios: dict[tuple[str, ...], np.ndarray] = {}  # 'Label:' texts -> plain ratio against every target

    def _remember(self, cache: dict, key, value: np.ndarray) -> np.ndarray:
        # A matcher lives for a whole run (see matcher_for): the form's printed wordings repeat in every
        # return and hit, while typed answers do not, so the cache is emptied now and then, never grown unbounded.
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        cache[key] = value
        return value

    def _target_scores(self, cand: str, questionish: bool) -> np.ndarray:
        key = (cand, questionish)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if len(cand) > 2.6 * self.max_len:  # too long for any ratio or shortened wording to reach a label score
            scores = np.zeros(len(self.targets), dtype=np.float32)
        else:
            scores = process.cdist([cand], self.targets, scorer=fuzz.ratio, dtype=np.float32)[0]
            words = set(_WORD.findall(cand))
            if len(words) >= (3 if questionish else 4):
                for t, inside in Counter(t for w in words for t in self.word_index.get(w, ())).items():
                    share = inside / len(self.target_words[t])
                    if inside / len(words) >= 0.9 and share >= 0.35:
                        scores[t] = max(scores[t], 75 + 20 * share)
        return self._remember(self._cache, key, scores)

    def _per_field(self, target_scores: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(target_scores, self.starts)

    def scores(self, lines: list[Line]) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
        """Per field: best score of the unit's first 1-3 lines as its label, lines taken, inline values."""
        texts = [ln.text for ln in lines if ln.text.strip()]
        best = np.zeros(len(self.fields), dtype=np.float32)
        consumed = np.zeros(len(self.fields), dtype=np.int32)
        inline: dict[int, str] = {}
        if not texts:
            return best, consumed, inline
        for n in range(1, min(3, len(texts)) + 1):
            joined = " ".join(texts[:n])
            cand = normalise(label_text(joined))
            if cand:
                per = self._per_field(self._target_scores(cand, cand.endswith("?") or bool(NUMBER.match(joined))))
                better = per > best
                best[better], consumed[better] = per[better], n
        # "Label: value" on one line (header fields typed as paragraphs or in one cell).
        label, colon, value = texts[0].partition(":")
        if colon and len(label) < 80 and value.strip():
            # a note in brackets after a label ('Case status (open/closed):') is not part of it
            cands = tuple(dict.fromkeys(c for c in (normalise(label_text(label)),
                                                    normalise(label_text(_BRACKETED.sub("", label)))) if c)) or ("",)
            ratio = self._ratios.get(cands)
            if ratio is None:
                ratio = self._remember(self._ratios, cands, process.cdist(
                    list(cands), self.targets, scorer=fuzz.ratio, dtype=np.float32).max(axis=0))
            per = self._per_field(np.where(self.plain, ratio, 0))
            for i in np.flatnonzero(per > best):
                if not self.is_guidance(value, int(i)):  # 'Question: Please explain.' is all printed text
                    best[i], consumed[i], inline[int(i)] = per[i], 1, value.strip()
        return best, consumed, inline

    def match_unit(self, u: Unit, headers_only: bool = False) -> dict[int, LabelMatch]:
        """Fields this unit could be the label of (score at or above the threshold)."""
        best, consumed, inline = self.scores(u.lines)
        if headers_only:
            best = np.where(self.questions, 0, best)
        return {int(i): LabelMatch(int(i), float(best[i]), int(consumed[i]), inline.get(int(i), ""))
                for i in np.flatnonzero(best >= LABEL_THRESHOLD)}

    def best_question(self, lines: list[Line]) -> LabelMatch:
        """The question these lines most look like the label of."""
        best, consumed, _ = self.scores(lines)
        best = np.where(self.questions, best, 0)
        i = int(np.argmax(best))
        return LabelMatch(i, float(best[i]), int(consumed[i]), "")

    def is_guidance(self, line: str, pos: int) -> bool:
        """Whether a line in a question's cell is the template's guidance for it, not an answer."""
        norm = normalise(line)
        if not norm:
            return True
        return any(fuzz.ratio(norm, g) >= 85 for g in self.guidance[pos]) or (
            norm.startswith("(") and norm.endswith(")") and len(norm) < 120 and not self.questions[pos])


def template_fields(template: Template) -> list[Field]:
    fields = [Field(f"header:{h.key}", [h.label, *h.aliases], [], order=i) for i, h in enumerate(template.header)]
    for s in template.sections:
        for q in s.questions:
            fields.append(Field(q.id, [q.wording, *q.aliases], list(q.guidance), [*q.tags, q.id], s.title,
                                len(fields)))
    return fields


_MATCHERS: dict[tuple, tuple[list[Field], Matcher]] = {}


def matcher_for(template: Template) -> tuple[list[Field], Matcher]:
    """The template's fields and a Matcher over them, built once per distinct set of fields and reused by every
    document read with it: its score cache then already holds the form's printed wordings."""
    fields = template_fields(template)
    key = tuple((f.key, tuple(f.wordings), tuple(f.guidance), tuple(f.tags), f.section, f.order) for f in fields)
    hit = _MATCHERS.get(key)
    if hit is None:
        if len(_MATCHERS) >= 16:
            _MATCHERS.clear()
        hit = _MATCHERS[key] = (fields, Matcher(fields))
    return hit
