"""A statistical second opinion on the codebook's tags: one logistic regression per theme, per answer.

The codebook's rules (pipeline.themes.tag) find a theme where a pattern matches; they cannot weigh the hundred
ordinary ways a practitioner describes, say, working with dad. The model reads an answer as a bag of words
and word pairs, the words of its question, and which themes the rules found or ruled out in it, and gives
each theme a probability. It is trained on labelled fictional returns (bench/train_theme_model.py), ships as
``pipeline/data/theme_model.json`` and runs with numpy only: a dot product per answer.

It changes the rules' answer in two ways only, both kept visible in the record:

- it **adds** a theme the rules missed when its probability is above ``add`` and one sentence of the answer
  carries words the model weighs for that theme (that sentence is the tag's evidence, marked ``source: model``);
- it **doubts** a theme the rules found when its probability is below ``drop``; the rules' sentences move
  to ``record.doubted_themes`` so a reviewer can see what was set aside.

Themes the model was not trained on (a partnership's own) are left to the rules.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from models.errors import ConfigError

BUILTIN_MODEL = Path(str(resources.files("pipeline") / "data" / "theme_model.json"))

_WORD = re.compile(r"[a-z][a-z'\-]+|\d+")
_SUFFIXES = ("ing", "ed", "es", "s")
# Where an answer's sentences and list items end: full stops, semicolons, bullets and line breaks.
# Function words carry no theme alone; left out of single-word features, so the bias, not "the" and "of",
# holds each theme's base rate and a short answer or an unfamiliar question does not tip a theme over.
_STOP = frozenset("""a an the of in on at to for and or but is are was were be been being has have had do does did
it its this that these those with by from as i we he she they his her their our my me him them us you your there
here so if then than which who what when where while into about""".split())
_STEPS = 1000  # stored weight resolution: 0.001 changes no decision
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s+[-\u2022]\s+")


def stem(word: str) -> str:
    """A crude stem: enough to let "attended", "attends" and "attending" share a weight."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[:-len(suffix)]
    return word


def words(text: str) -> list[str]:
    """Lower-case stemmed words of a text, in order."""
    return [stem(w) for w in _WORD.findall(text.lower())]


def text_features(text: str) -> set[str]:
    """Word (``w:``, function words left out) and adjacent word pair (``b:``) features of a text."""
    ws = words(text)
    return {"w:" + w for w in ws if w not in _STOP} | {"b:" + a + "_" + b for a, b in zip(ws, ws[1:])}


def features(text: str, question: str, found: set[str], negated: set[str]) -> set[str]:
    """Everything the model reads about one answer: its words, its question's words (``q:``), the themes the
    rules affirmed in it (``R:``) and those they found only negated (``N:``)."""
    return (text_features(text) | {"q:" + w for w in words(question) if w not in _STOP}
            | {"R:" + t for t in found} | {"N:" + t for t in negated})


def sentences(text: str) -> list[str]:
    """The sentences and list items of an answer, stripped of spaces and bullets, empty ones dropped (each is
    still a piece of the answer's text, so evidence can be found in it)."""
    parts = (s.strip().lstrip("-\u2022*").strip() for s in _SENTENCE_END.split(text) if s)
    return [p for p in parts if p]


@dataclass(frozen=True)
class Opinion:
    """The model's view of one answer: themes to add with their evidence sentence, and rule themes it doubts."""

    added: dict[str, str]
    doubted: frozenset[str]


@dataclass(frozen=True)
class ThemeModel:
    """Weights of a trained model: ``weights[feature row, theme column]``, a bias per theme, two thresholds."""

    themes: tuple[str, ...]
    index: dict[str, int]
    weights: np.ndarray
    bias: np.ndarray
    add: float = 0.3
    drop: float = 0.05
    trained_on: str = ""
    codebook_sha256: str = ""  # of the codebook file whose rules the model was trained with

    def probabilities(self, feature_sets: list[set[str]]) -> np.ndarray:
        """An (answers x themes) array of probabilities."""
        scores = np.tile(self.bias, (len(feature_sets), 1))
        for i, fs in enumerate(feature_sets):
            rows = [self.index[f] for f in fs if f in self.index]
            if rows:
                scores[i] += self.weights[rows].sum(axis=0)
        return 0.5 * (1.0 + np.tanh(0.5 * scores))

    def sentence_weights(self, text: str) -> tuple[list[str], np.ndarray]:
        """The answer's sentences, and how much each one's own words speak for each theme: an (sentences x
        themes) array of the sums of their positive word weights."""
        parts = sentences(text)
        out = np.zeros((len(parts), len(self.themes)), np.float32)
        for i, part in enumerate(parts):
            rows = [self.index[f] for f in text_features(part) if f in self.index]
            if rows:
                out[i] = np.clip(self.weights[rows], 0, None).sum(axis=0)
        return parts, out

    def opinions(self, texts: list[str], questions: list[str], found: list[set[str]],
                 negated: list[set[str]], allowed: set[str], vetoed: list[set[str]] | None = None) -> list[Opinion]:
        """The model's opinion of each answer, limited to the ``allowed`` theme ids (the codebook's); it never
        adds a theme the rules found negated, nor one in that answer's ``vetoed`` set."""
        probs = self.probabilities([features(t, q, f, n) for t, q, f, n in zip(texts, questions, found, negated)])
        out = []
        vetoed = vetoed or [set()] * len(texts)
        for text, rules, negs, veto, p in zip(texts, found, negated, vetoed, probs):
            nope = negs | veto
            doubted = frozenset(t for col, t in enumerate(self.themes)
                                if t in rules and t in allowed and p[col] < self.drop)
            candidates = [col for col in np.flatnonzero(p > self.add)
                          if self.themes[col] in allowed and self.themes[col] not in rules
                          and self.themes[col] not in nope]
            added: dict[str, str] = {}
            if candidates:
                # The tag must rest on the answer's own words: the sentence that weighs most for the theme.
                parts, weights = self.sentence_weights(text)
                for col in candidates:
                    if len(parts) and weights[:, col].max() > 0:
                        added[self.themes[col]] = parts[int(weights[:, col].argmax())]
            out.append(Opinion(added, doubted))
        return out

    def to_json(self) -> dict:
        """The model as JSON data: weights in steps of 1/1000, as zlib-compressed little-endian int16 in base64
        (about half a megabyte, against seven as plain JSON numbers)."""
        steps = np.clip(np.rint(self.weights * _STEPS), -32767, 32767).astype("<i2")
        return {"format": 2, "trained_on": self.trained_on, "codebook_sha256": self.codebook_sha256,
                "add": self.add, "drop": self.drop,
                "themes": list(self.themes), "bias": [round(float(b), 4) for b in self.bias],
                "features": sorted(self.index, key=self.index.__getitem__), "steps_per_unit": _STEPS,
                "weights": base64.b64encode(zlib.compress(steps.tobytes(), 9)).decode("ascii")}

    @classmethod
    def from_json(cls, data: dict) -> "ThemeModel":
        if data.get("format") != 2:
            raise ValueError(f"theme model format {data.get('format')!r} is not 2; retrain it with "
                             "bench/train_theme_model.py")
        themes, names = tuple(data["themes"]), data["features"]
        steps = np.frombuffer(zlib.decompress(base64.b64decode(data["weights"])), "<i2")
        weights = (steps.reshape(len(names), len(themes)) / float(data["steps_per_unit"])).astype(np.float32)
        return cls(themes, {n: i for i, n in enumerate(names)}, weights, np.asarray(data["bias"], np.float32),
                   float(data.get("add", 0.3)), float(data.get("drop", 0.05)), data.get("trained_on", ""),
                   data.get("codebook_sha256", ""))


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> ThemeModel | None:
    """The model at ``path`` (default: the shipped one), loaded once per process; None if there is none."""
    p = Path(path) if path else BUILTIN_MODEL
    if not p.exists():
        return None
    try:
        return ThemeModel.from_json(json.loads(p.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, zlib.error) as e:  # JSON, base64 and shape errors alike
        raise ConfigError(f"{p}: the trained theme model cannot be read ({e}); reinstall maap, retrain it with "
                          "bench/train_theme_model.py, or set 'model: false' in the codebook") from None


def train(feature_sets: list[set[str]], labels: list[set[str]], themes: list[str], l2: float = 1e-3,
          epochs: int = 150, lr: float = 0.2, min_count: int = 2, **meta) -> ThemeModel:
    """Fit one L2-regularised logistic regression per theme on answer features (full-batch Adam, from zeros,
    so the same data always gives the same model). Features seen in fewer than ``min_count`` answers are
    left out, except the rules' own (``R:``/``N:``); the bias is not regularised.

    ``l2`` and the thresholds were chosen by leaving rounds 12 and 13 out in turn (docs/themes.md)."""
    counts: dict[str, int] = {}
    for fs in feature_sets:
        for f in fs:
            counts[f] = counts.get(f, 0) + 1
    names = sorted(f for f, n in counts.items() if n >= min_count or f[:2] in ("R:", "N:"))
    index = {f: i for i, f in enumerate(names)}
    x = np.zeros((len(feature_sets), len(names) + 1), np.float32)
    x[:, -1] = 1  # the bias column
    for i, fs in enumerate(feature_sets):
        x[i, [index[f] for f in fs if f in index]] = 1
    col = {t: i for i, t in enumerate(themes)}
    y = np.zeros((len(labels), len(themes)), np.float32)
    for i, ls in enumerate(labels):
        y[i, [col[t] for t in ls if t in col]] = 1
    w = np.zeros((x.shape[1], len(themes)), np.float32)
    m, v = np.zeros_like(w), np.zeros_like(w)
    reg = np.full((x.shape[1], 1), l2, np.float32)
    reg[-1] = 0.0  # the bias
    for step in range(1, epochs + 1):
        p = 0.5 * (1.0 + np.tanh(0.5 * (x @ w)))  # the logistic function, without overflow
        grad = x.T @ (p - y) / len(x) + reg * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= lr * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return ThemeModel(tuple(themes), index, w[:-1], w[-1], **meta)
