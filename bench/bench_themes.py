"""Benchmark theme tagging: per-theme precision/recall/F1 on labelled sentences, and throughput.

Usage:
    .venv/bin/python bench/bench_themes.py                 # all splits, 1,000 synthetic returns
    .venv/bin/python bench/bench_themes.py --split fresh-tune --errors
    .venv/bin/python bench/bench_themes.py --split returns-heldout --returns 0
    .venv/bin/python bench/bench_themes.py --returns 200 --codebook WORKSPACE/codebook.yaml

Sentence splits (micro F1 over (sentence, theme) pairs): dev, holdout, unseen (themes_labelled.yaml),
fresh-tune and fresh-heldout (even and odd items of themes_fresh.yaml). Return splits (micro F1 over
(return, theme) pairs, the issue 7 measure): returns-tune and returns-heldout (even and odd returns of
themes_returns.yaml), round2-tune and round2-heldout (even and odd returns of themes_returns_round2.yaml,
labelled by the guide in docs/themes.md), round3-tune and round3-heldout (even and odd returns of
themes_returns_round3a.yaml followed by themes_returns_round3b.yaml, written blind to the tagger), round4-heldout
(all of themes_returns_round4a.yaml and round4b.yaml: other templates, never tuned on), round5-tune (all of
themes_returns_round5a.yaml and round5b.yaml: long Warrington answers, written to tune on), round6-tune (all of
round6a/b: Enfield sections, to tune on), round7-heldout (all of round7a/b; blind, scored, then tuned on),
round8-heldout ... round12-heldout (all of round8a/b ... 12a/b). Rounds 4, 7, 8, 9, 10 and 11 were scored
blind first and tuned on afterwards (docs/themes.md gives both); round12 is never tuned on.
Gold labels name the most specific themes; both gold and predictions are expanded
to ancestors, so a child theme counts for its parent. All text is fictional.

Return splits are scored with the trained model (pipeline.themes.model) unless --rules-only is given. The
shipped model is trained on every labelled round, so its scores here are scores on its own training data:
the honest figure for returns never seen is bench/train_theme_model.py --cv, which leaves a round out.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.record import Answer, AuditReturn, Source, Status, TemplateMatch  # noqa: E402
from pipeline.themes.codebook import Codebook, load_codebook  # noqa: E402
from pipeline.themes.nlp import load_nlp  # noqa: E402
from pipeline.themes.tag import tag_returns, tag_texts  # noqa: E402

DATA = Path(__file__).parent / "data" / "themes_labelled.yaml"
FRESH = Path(__file__).parent / "data" / "themes_fresh.yaml"
RETURNS = Path(__file__).parent / "data" / "themes_returns.yaml"
# The return rounds, bench/data/themes_returns_round<N><letter>.yaml, one file per writer (round 1 is
# themes_returns.yaml, round 2 a single file): their history is in docs/themes.md.
#   3: 48 West Midlands returns written blind to the tagger by two writers; halved into tune/heldout like 1 and 2.
#   4: 40 Warrington and Enfield returns, written blind, scored whole.  5, 6: written to tune on.
#   7-12: 32 Warrington and Enfield returns each, written blind; each scored once, then 4 and 7-11 tuned on.
#   13: 48 (West Midlands, Warrington, Enfield), scored once with the first trained model (rounds 1-12).
#   14: 48 (West Midlands, a template the writer made up, Enfield), scored once with the final model (1-13).
# The trained model (pipeline.themes.model) is then trained on every round.
WHOLE_ROUNDS = range(4, 15)  # scored as whole sets; rounds 1-3 are halved into -tune and -heldout


def round_files(n: int) -> list[Path]:
    """The labelled files of return round ``n``."""
    if n == 1:
        return [RETURNS]
    folder = Path(__file__).parent / "data"
    return sorted(folder.glob(f"themes_returns_round{n}[a-z].yaml")) or [folder / f"themes_returns_round{n}.yaml"]


SENTENCE_SPLITS = ["dev", "holdout", "unseen", "fresh-tune", "fresh-heldout"]
RETURN_SPLITS = ["returns-tune", "returns-heldout", "round2-tune", "round2-heldout", "round3-tune", "round3-heldout",
                 "round4-heldout", "round5-tune", "round6-tune", "round7-heldout", "round8-heldout",
                 "round9-heldout", "round10-heldout",
                 "round11-heldout", "round12-heldout", "round13-heldout",
                 "round14-heldout"]


def _half(items: list, split: str) -> list:
    """Even positions for a "-tune" split, odd for "-heldout": fixed before any tuning, never reshuffled."""
    return items[0::2] if split.endswith("-tune") else items[1::2]


def load_labelled(split: str) -> list[tuple[str, list[str]]]:
    """(sentence, gold theme ids) pairs of one sentence split, or of all of them."""
    if split == "all":
        return [item for s in SENTENCE_SPLITS for item in load_labelled(s)]
    if split.startswith("fresh-"):
        items = yaml.safe_load(FRESH.read_text(encoding="utf-8"))["fresh"]
        return [(text, list(themes)) for text, themes in _half(items, split)]
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return [(text, list(themes)) for text, themes in data.get(split) or []]


def load_returns(split: str) -> list[tuple[AuditReturn, list[list[str]]]]:
    """(fictional return, gold themes of each answer) pairs of one return split."""
    prefix = split.split("-")[0]
    paths = [p for p in round_files(1 if prefix == "returns" else int(prefix[5:])) if p.exists()]
    questions, returns = {}, []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        questions.update(data["questions"])
        returns += data["returns"]
    out = []
    for i, ret in enumerate(returns):
        answers = [Answer(id=f"{key}-{j}", section="s", question=questions[key], answer=text, status=Status.answered)
                   for j, (key, text, _) in enumerate(ret["answers"])]
        record = AuditReturn(
            source=Source(file=f"labelled-{i:02d}-{ret['agency']}.docx", sha256=f"{i:064d}", format="docx"),
            template=TemplateMatch(id="west-midlands-maat", version="1", confidence=1.0),
            answers=answers,
        )
        out.append((record, [list(themes) for _, _, themes in ret["answers"]]))
    whole = prefix != "returns" and int(prefix[5:]) in WHOLE_ROUNDS
    return out if whole else _half(out, split)


def expand(codebook: Codebook, ids) -> set[str]:
    out = set()
    for tid in ids:
        out.add(tid)
        out.update(codebook.ancestors(tid))
    return out


def score(codebook: Codebook, items, show_errors: bool = False) -> float:
    """Print per-theme precision, recall and F1 over (sentence, theme) pairs; return micro F1."""
    found = tag_texts([t for t, _ in items], codebook)
    pairs = [(text, gold, {m.theme for m in mentions if not m.negated}) for (text, gold), mentions in zip(items, found)]
    return _table(codebook, pairs, "sentences", show_errors)


def score_returns(codebook: Codebook, items, show_errors: bool = False) -> float:
    """Print per-theme precision, recall and F1 over (return, theme) pairs; return micro F1."""
    tagged = tag_returns([r for r, _ in items], codebook)
    pairs = []
    for (record, gold), result in zip(items, tagged):
        predicted = {t.id for t in result.themes if t.mentions}
        pairs.append((record.source.file, [tid for g in gold for tid in g], predicted))
        if show_errors:
            for answer, g, got in zip(record.answers, gold, result.answers):
                g, p = expand(codebook, g), set(got.themes)
                if g != p:
                    print(f"  {record.source.file}: missed {sorted(g - p)} extra {sorted(p - g)}: {answer.answer}")
    return _table(codebook, pairs, "returns", show_errors=False)


def _table(codebook: Codebook, pairs, unit: str, show_errors: bool) -> float:
    for _, gold, _ in pairs:
        unknown = set(gold) - set(codebook.ids())
        if unknown:
            raise SystemExit(f"labelled set uses unknown theme ids: {sorted(unknown)}")
    counts = {tid: [0, 0, 0] for tid in codebook.ids()}  # tp, fp, fn
    for text, gold, p in pairs:
        g = expand(codebook, gold)
        for tid in p & g:
            counts[tid][0] += 1
        for tid in p - g:
            counts[tid][1] += 1
        for tid in g - p:
            counts[tid][2] += 1
        if show_errors and p != g:
            print(f"  missed {sorted(g - p)} extra {sorted(p - g)}: {text}")
    print(f"{'theme':28} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5}")
    tp = fp = fn = 0
    for tid, (a, b, c) in counts.items():
        tp, fp, fn = tp + a, fp + b, fn + c
        if a + b + c == 0:
            continue
        prec = a / (a + b) if a + b else 0.0
        rec = a / (a + c) if a + c else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        print(f"{tid:28} {prec:6.2f} {rec:6.2f} {f1:6.2f} {a + c:5d}")
    # Practice themes (not negatable) on their own: where round 2 looked for precision.
    pa, pb, pc = (sum(counts[t][k] for t in counts if not codebook.is_negatable(t)) for k in range(3))
    if pa + pb + pc:
        pp, pr = pa / (pa + pb) if pa + pb else 0.0, pa / (pa + pc) if pa + pc else 0.0
        pf = 2 * pp * pr / (pp + pr) if pp + pr else 0.0
        print(f"{'practice themes':28} {pp:6.2f} {pr:6.2f} {pf:6.2f} {pa + pc:5d}")
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    micro = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    print(f"{'MICRO':28} {prec:6.2f} {rec:6.2f} {micro:6.2f} {tp + fn:5d}   ({len(pairs)} {unit})")
    return micro


def synthetic_returns(n: int, sentences: list[str], seed: int = 7) -> list[AuditReturn]:
    """n fictional returns of 30 answers, each answer 1-4 labelled sentences plus plain filler."""
    rng = random.Random(seed)
    filler = ["The case was discussed with the manager.", "This was recorded on the system.",
              "The plan was reviewed in line with procedures.", "Mother and the children were seen at home."]
    records = []
    for i in range(n):
        answers = []
        for q in range(30):
            text = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 3))) + " " + rng.choice(filler)
            answers.append(Answer(id=f"q{q}", section="s", question=f"Question {q}?", answer=text,
                                  status=Status.answered))
        records.append(AuditReturn(
            source=Source(file=f"return-{i}.docx", sha256=f"{i:064d}", format="docx"),
            template=TemplateMatch(id="west-midlands-maat", version="1", confidence=1.0),
            answers=answers,
        ))
    return records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="all", help=f"one of {', '.join(SENTENCE_SPLITS + RETURN_SPLITS)}, or all (default)")
    ap.add_argument("--returns", type=int, default=1000, help="synthetic returns for the throughput run (0: skip)")
    ap.add_argument("--codebook", type=Path, default=None, help="override codebook file")
    ap.add_argument("--errors", action="store_true", help="print each sentence tagged wrongly")
    ap.add_argument("--rules-only", action="store_true", help="the codebook's rules without the trained model")
    args = ap.parse_args()

    codebook = load_codebook(args.codebook)
    if args.rules_only:
        codebook = codebook.model_copy(update={"model": False})
    t0 = time.perf_counter()
    load_nlp()
    print(f"spaCy pipeline loaded in {time.perf_counter() - t0:.2f}s")
    splits = SENTENCE_SPLITS + RETURN_SPLITS if args.split == "all" else [args.split]
    for split in splits:
        if split not in SENTENCE_SPLITS + RETURN_SPLITS:
            raise SystemExit(f"unknown split {split!r}: use one of {', '.join(SENTENCE_SPLITS + RETURN_SPLITS)}")
        print(f"\n== {split} ==")
        if split in RETURN_SPLITS:
            score_returns(codebook, load_returns(split), args.errors)
        else:
            score(codebook, load_labelled(split), args.errors)
    if args.returns:
        sentences = [t for t, _ in load_labelled("all")]
        records = synthetic_returns(args.returns, sentences)
        n_answers = sum(len(r.answers) for r in records)
        tag_returns(records[:5], codebook)  # compile the matchers outside the timing
        t0 = time.perf_counter()
        tagged = tag_returns(records, codebook)
        dt = time.perf_counter() - t0
        mentions = sum(t.mentions for r in tagged for t in r.themes)
        print(f"\nthroughput: {len(records)} returns, {n_answers} answers, {mentions} mentions in {dt:.1f}s "
              f"= {len(records) / dt:.0f} forms/s, {n_answers / dt:.0f} answers/s (one core)")


if __name__ == "__main__":
    main()
