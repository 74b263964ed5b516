"""Train the theme model (pipeline/data/theme_model.json) on the labelled return sets, or cross-validate it.

Usage:
    .venv/bin/python bench/train_theme_model.py                  # train on every round, write the shipped model
    .venv/bin/python bench/train_theme_model.py --cv r10,r11,r12  # leave each named round out in turn, score it
    .venv/bin/python bench/train_theme_model.py --exclude r13     # train without a round kept back for scoring

Each answer of each labelled fictional return is one example: its features are what pipeline.themes.model
reads (words, word pairs, the question's words, what the codebook's rules found and ruled out), its labels the
writer's themes expanded to their ancestors. The rules are run with the current codebook, so retrain after
changing the codebook. Cross-validation scores micro F1 over (return, theme) pairs, the issue 7 measure, for
the rules alone and for rules plus the model trained without that round: a round's writers never seen by the
model is the nearest thing to returns from another partnership.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_themes as bt  # noqa: E402
from pipeline.themes.codebook import BUILTIN_CODEBOOK, Codebook, load_codebook  # noqa: E402
from pipeline.themes.model import BUILTIN_MODEL, ThemeModel, features, train  # noqa: E402
from pipeline.themes.tag import _asked, tag_returns  # noqa: E402

# Round name -> the bench splits that together hold all of its returns.
ROUNDS = {"r1": ["returns-tune", "returns-heldout"], "r2": ["round2-tune", "round2-heldout"],
          "r3": ["round3-tune", "round3-heldout"], "r5": ["round5-tune"], "r6": ["round6-tune"],
          **{f"r{k}": [f"round{k}-heldout"] for k in (4, 7, 8, 9, 10, 11, 12, 13, 14)}}


def load_round(name: str) -> list:
    """(return, gold themes per answer) of every return of one round."""
    return [item for split in ROUNDS[name] for item in bt.load_returns(split)]


def examples(codebook: Codebook, items: list) -> tuple[list[set[str]], list[set[str]]]:
    """Features and expanded gold labels of every answer of ``items``, the rules run without the model."""
    rules_only = codebook.model_copy(update={"model": False})
    tagged = tag_returns([r for r, _ in items], rules_only)
    feats, labels = [], []
    for (record, gold), result in zip(items, tagged):
        negated: dict[str, set[str]] = {}
        for tag in [*result.themes, *result.negated_themes]:
            for ev in tag.negated:
                negated.setdefault(ev.answer, set()).add(tag.id)
        for answer, g, got in zip(record.answers, gold, result.answers):
            feats.append(features(answer.answer, _asked(answer), set(got.themes), negated.get(answer.id, set())))
            labels.append(bt.expand(codebook, g))
    return feats, labels


def fit(codebook: Codebook, names: list[str]) -> ThemeModel:
    feats, labels = [], []
    for name in names:
        f, lab = examples(codebook, load_round(name))
        feats += f
        labels += lab
    sha = hashlib.sha256(BUILTIN_CODEBOOK.read_bytes()).hexdigest()
    return train(feats, labels, codebook.ids(), trained_on=",".join(names), codebook_sha256=sha)


def micro_f1(codebook: Codebook, items: list, model: ThemeModel | None) -> float:
    """Micro F1 over (return, theme) pairs of labelled ``items``: the rules alone when ``model`` is None."""
    cb = codebook if model else codebook.model_copy(update={"model": False})
    tagged = tag_returns([r for r, _ in items], cb, model=model)
    tp = fp = fn = 0
    for (_, gold), result in zip(items, tagged):
        g = bt.expand(codebook, [t for answer in gold for t in answer])
        p = {t.id for t in result.themes if t.mentions}
        tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv", help="comma-separated rounds to leave out one at a time and score (never trained on --exclude)")
    ap.add_argument("--exclude", default="", help="comma-separated rounds to leave out of the shipped model")
    ap.add_argument("--out", type=Path, default=BUILTIN_MODEL)
    args = ap.parse_args()
    codebook = load_codebook()
    excluded = set(args.exclude.split(","))
    available = [n for n in ROUNDS if n not in excluded and load_round(n)]
    if args.cv:
        print(f"{'round':6} {'returns':>7} {'rules':>6} {'+model':>7}")
        for name in args.cv.split(","):
            model = fit(codebook, [n for n in available if n != name])
            items = load_round(name)
            print(f"{name:6} {len(items):7d} {micro_f1(codebook, items, None):6.3f} "
                  f"{micro_f1(codebook, items, model):7.3f}", flush=True)
        return
    names = available
    start = time.perf_counter()
    model = fit(codebook, names)
    args.out.write_text(json.dumps(model.to_json(), separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"trained on {','.join(names)} ({len(model.index)} features) in {time.perf_counter() - start:.0f} s; "
          f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
