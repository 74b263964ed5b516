"""Theme tagging: find codebook themes in answers, sentence by sentence, with negation and polarity.

One mention is one sentence of one answer that a theme's patterns match. Rules, documented in
docs/themes.md and tested in tests/test_themes.py:

- A child theme's mention is also a mention of each ancestor (cse -> exploitation), once per sentence.
- For negatable themes, a match inside a negation ("no evidence of CSE", "denied any self-harm",
  "domestic abuse was ruled out") or a hypothetical ("would have been referred if exploitation ...")
  is not a mention (pipeline.themes.negation); the sentence is kept in ``ThemeTag.negated``. A sentence with both
  a negated and a plain match of the same theme counts as a mention.
- A theme with only negated sentences is not a theme of the return: it goes to ``record.negated_themes``
  (``mentions == 0``, no ``answers``), so an analyst can see it was considered and ruled out;
  ``record.themes``, ``answer.themes`` and the mention counts hold affirmed mentions only.
- Polarity of each sentence: cue words in the sentence decide ("delay", "robust", "not timely");
  when they balance or are absent, the question the answer sits under decides ("good practice" ->
  strength, "areas for development" / "improvement" / "worried" -> concern); otherwise neutral
  (pipeline.themes.polarity).
- Then the trained model (pipeline.themes.model) may add themes the rules missed and set aside weak matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.errors import ConfigError
from models.record import AuditReturn, Evidence, Status, ThemeTag
from pipeline.themes.codebook import Codebook
from pipeline.themes.nlp import load_nlp, lower_lemma_lookup, matcher_classes
from pipeline.themes.negation import is_negated
from pipeline.themes.people import names_in_return
from pipeline.themes.polarity import field_polarity, sentence_polarity  # noqa: F401 (also imported from here)
from pipeline.themes.model import load_model

# Words as spaCy splits them for polarity cues: "wasn't" -> "was", "n't".
_WORDS = re.compile(r"[a-z]+(?=n't)|n't|[a-z]+(?:'[a-z]+)?")
_PRONOUNS = {"she", "he", "they"}
_SPEECH = {"tell", "say", "describe", "explain", "disclose", "express", "ask", "want", "feel", "share", "report"}
_NOT_PEOPLE = {"i", "csc", "mash", "gp", "hv", "sw", "nhs", "camhs", "police", "school", "january", "february",
               "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
_CHILD_WORDS = {"child", "children", "boy", "girl", "son", "daughter", "baby", "toddler", "teenager", "yp", "cyp",
                "pupil", "student", "infant", "eldest", "youngest", "sibling", "siblings", "kids"}


@dataclass(frozen=True)
class Mention:
    """One sentence of a text in which a theme is found; offsets are characters in that text."""

    theme: str
    sentence: str
    start: int
    end: int
    negated: bool
    polarity: str


class _Tagger:
    """The codebook compiled into spaCy matchers for one pipeline."""

    def __init__(self, codebook: Codebook, nlp):
        PhraseMatcher, _ = matcher_classes()
        self.codebook = codebook
        self.nlp = nlp
        self.lookup = lower_lemma_lookup(nlp)
        self._norm_cache: dict[int, str] = {}
        self.order = {tid: i for i, tid in enumerate(codebook.ids())}
        self.ancestors = {tid: codebook.ancestors(tid) for tid in codebook.ids()}
        self.negatable = {tid: codebook.is_negatable(tid) for tid in codebook.ids()}
        self.lemma = PhraseMatcher(nlp.vocab, attr="NORM")
        self.exact = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.excl = PhraseMatcher(nlp.vocab, attr="NORM")
        # One Matcher per token pattern, run only on docs holding its anchor word: token patterns cost
        # about 1 microsecond per token each, phrase matchers almost nothing, and a theme-wide anchor set
        # would run all of a theme's patterns whenever one common anchor ("she", "work") appears.
        self.token_rules: list[tuple[object, list[tuple[str, set[str]]] | None]] = []
        # Context cues: phrases that code a theme only under a question about it (see Theme).
        self.question_cues = PhraseMatcher(nlp.vocab, attr="NORM")
        self.context = PhraseMatcher(nlp.vocab, attr="NORM")
        self.context_rules: list[tuple[object, list[tuple[str, set[str]]] | None]] = []
        self.context_negatable = {
            t.id: self.negatable[t.id] if t.context_negatable is None else t.context_negatable for t in codebook.themes}
        self._question_themes: dict[str, frozenset[str]] = {}
        self.blockers = {t.id: {w.lower() for w in t.context_not_after} for t in codebook.themes if t.context_not_after}
        for theme in codebook.themes:
            if theme.question_patterns:
                self.question_cues.add(theme.id, self._phrase_docs(theme.question_patterns))
            if theme.context_patterns:
                self.context.add(theme.id, self._phrase_docs(theme.context_patterns))
            self.context_rules += self._token_rules(theme.id, theme.context_token_patterns, "context_token_patterns")
        for theme in codebook.themes:
            if theme.patterns:
                self.lemma.add(theme.id, self._phrase_docs(theme.patterns))
            if theme.exact:
                self.exact.add(theme.id, [nlp.make_doc(p.lower()) for p in _variants(theme.exact)])
            if theme.exclude:
                self.excl.add(theme.id, self._phrase_docs(theme.exclude))
            self.token_rules += self._token_rules(theme.id, theme.token_patterns, "token_patterns")

    def _token_rules(self, theme_id: str, patterns: list[list[dict]], field: str) -> list[tuple[object, list | None]]:
        """One Matcher per token pattern with the anchor words a doc must hold for it to run."""
        _, Matcher = matcher_classes()
        rules = []
        try:
            for pattern in patterns:
                pattern = _lemma_to_norm(pattern, self.lemma_of)
                matcher = Matcher(self.nlp.vocab, validate=True)
                matcher.add(theme_id, [pattern])
                rules.append((matcher, _anchors([pattern], self.nlp.Defaults.stop_words)))
        except Exception as e:  # spaCy's validation error, rewrapped with the theme id
            detail = [ln.strip("- ") for ln in str(e).splitlines() if ln.startswith("- [")]
            raise ConfigError(
                f"theme {theme_id!r}: invalid {field}: {'; '.join(detail[:2]) or str(e).splitlines()[0]}"
                "; see https://spacy.io/usage/rule-based-matching for the pattern format"
            ) from e
        return rules

    def _after_blocker(self, doc, theme: str, start: int) -> bool:
        """Whether one of the theme's ``context_not_after`` words comes before ``start`` in its sentence."""
        blockers = self.blockers.get(theme)
        return bool(blockers) and any(t.lower_ in blockers or t.norm_ in blockers
                                      for t in doc[doc[start].sent.start:start])

    def _spoken_by_blocked(self, doc, theme: str, start: int, child_named: bool) -> bool:
        """Whether a match is someone else's words, for a theme with ``context_not_after`` words (the voice of
        the child): one that opens with a name other than the child's, when the child's name is known ("Jess
        told the officer"), or one that opens with a pronoun or a speech verb whose nearest person before it
        (this sentence or the one before) is a parent: "Mum had low mood and told me she is not sleeping"."""
        blockers = self.blockers.get(theme)
        first = doc[start]
        if not blockers:
            return False
        if child_named and first.is_title and first.norm_ != "child" and first.lower_ not in _CHILD_WORDS \
                and first.lower_ not in self.nlp.Defaults.stop_words:
            return True  # "Jess told the officer ...": with the child's name known, another name is someone else
        if not (first.lower_ in _PRONOUNS or first.norm_ in _SPEECH):
            return False
        sent = first.sent
        lo = doc[sent.start - 1].sent.start if sent.start > 0 else sent.start
        for t in reversed(doc[lo:start]):
            if t.norm_ in ("mother", "father") or t.lower_ in blockers:
                return True
            if t.norm_ == "child" or t.lower_ in _CHILD_WORDS:
                return False
            # With the child's name known, another first name before the words is someone else's.
            # A capital opening a sentence is only read as a name right before the words ("Jess told ...").
            if child_named and t.is_title and t.is_alpha and t.lower_ not in _NOT_PEOPLE \
                    and t.lower_ not in self.nlp.Defaults.stop_words and (t.i != t.sent.start or t.i + 1 == start):
                return True
        return False

    def question_themes(self, question: str) -> frozenset[str]:
        """Themes a question (and its section title) is about, by their ``question_patterns``; cached."""
        hit = self._question_themes.get(question)
        if hit is None:
            doc = self.nlp.make_doc(question.lower())
            self.set_norms(doc)
            strings = self.nlp.vocab.strings
            hit = frozenset(strings[m] for m, _s, _e in self.question_cues(doc))
            if len(self._question_themes) > 10_000:
                self._question_themes.clear()
            self._question_themes[question] = hit
        return hit

    def lemma_of(self, word: str) -> str:
        """The lower-case lemma this tagger gives a single word (as set in NORM)."""
        if self.lookup is not None:
            # Lemma of the lemma: the table maps "meetings" to "meeting" but "meeting" to "meet".
            word = word.lower()
            for _ in range(3):
                lemma = self.lookup(word)
                if lemma == word:
                    break
                word = lemma
            return word
        doc = self.nlp(word.lower())
        return doc[0].lemma_.lower() if len(doc) == 1 else word.lower()

    def _phrase_docs(self, phrases: list[str]):
        docs = list(self.nlp.pipe(p.lower() for p in _variants(phrases)))
        for doc in docs:
            self.set_norms(doc)
        return docs

    def set_norms(self, doc) -> None:
        """Set each token's NORM to its lower-case lemma, which the lemma matchers compare."""
        if self.lookup is None:
            for t in doc:
                t.norm_ = t.lemma_.lower() if t.lemma_ else t.lower_
            return
        cache = self._norm_cache
        for t in doc:
            norm = cache.get(t.lower)
            if norm is None:
                norm = cache[t.lower] = self.lemma_of(t.lower_)
            t.norm_ = norm

    def _run(self, rules, doc, words) -> list[tuple[str, int, int]]:
        """Matches of the token rules whose anchor words the doc holds."""
        strings = self.nlp.vocab.strings
        out = []
        for matcher, anchors in rules:
            if anchors is None or all(words[attr] & values for attr, values in anchors):
                out += [(strings[m], s, e) for m, s, e in matcher(doc)]
        return out

    def mentions(self, doc, question: str = "", names: dict[str, str] | None = None,
                 set_aside: set[str] | None = None) -> list[Mention]:
        """Mentions in one processed doc: one per (theme, sentence), ancestors included, codebook order.

        ``names`` maps first names in the return to the role they read as ("Mia" -> "child", "Dean" ->
        "father"), so "Mia told the officer" is the child's voice and "Dean was not seen" is about a father.
        A ``set_aside`` set receives the themes whose matches an exclusion or whose-words rule cancelled.
        """
        self.set_norms(doc)
        child_named = bool(names) and "child" in names.values()
        if names:
            for t in doc:
                role = names.get(t.text)
                if role:
                    t.norm_ = role
        strings = self.nlp.vocab.strings
        # (theme, start, end, negatable)
        found = [(strings[m], s, e, self.negatable[strings[m]]) for m, s, e in self.lemma(doc)]
        found += [(strings[m], s, e, self.negatable[strings[m]]) for m, s, e in self.exact(doc)]
        words = None
        if self.token_rules:
            words = _words(doc)
            found += [(t, s, e, self.negatable[t]) for t, s, e in self._run(self.token_rules, doc, words)]
        asked = self.question_themes(question) if question else frozenset()
        if asked:
            hits = [(strings[m], s, e) for m, s, e in self.context(doc)]
            hits += self._run(self.context_rules, doc, words or _words(doc))
            hits = [(t, s, e) for t, s, e in hits if t in asked]
            kept = [(t, s, e) for t, s, e in hits if not self._after_blocker(doc, t, s)]
            if set_aside is not None and len(kept) < len(hits):
                set_aside.update(t for t, _, _ in set(hits) - set(kept))
            found += [(t, s, e, self.context_negatable[t]) for t, s, e in kept]
        if not found:
            return []
        excluded: dict[str, list[tuple[int, int]]] = {}
        for m, s, e in self.excl(doc):
            excluded.setdefault(strings[m], []).append((s, e))
        kept = [(t, s, e, n) for t, s, e, n in found
                if not any(s < xe and xs < e for xs, xe in excluded.get(t, ()))
                and not self._spoken_by_blocked(doc, t, s, child_named)]
        if set_aside is not None and len(kept) < len(found):
            set_aside.update(t for t, _, _, _ in set(found) - set(kept))
        found = kept
        # Risk themes listed together share one negation: "no drugs, alcohol or DA".
        covered = {i for t, s, e, n in found if n for i in range(s, e)}
        # (theme, sentence start token) -> affirmed?
        state: dict[tuple[str, int], bool] = {}
        sents: dict[int, object] = {}
        for theme, s, e, negatable in found:
            sent = doc[s].sent
            sents[sent.start] = sent
            negated = negatable and is_negated(doc, s, e, sent, covered)
            for tid in (theme, *self.ancestors[theme]):
                key = (tid, sent.start)
                state[key] = state.get(key, False) or not negated
        default = field_polarity(question) if question else "neutral"
        polarity: dict[int, str] = {}
        out = []
        for (tid, start), affirmed in sorted(state.items(), key=lambda kv: (kv[0][1], self.order[kv[0][0]])):
            sent = sents[start]
            if start not in polarity:
                polarity[start] = sentence_polarity([t.lower_ for t in sent], default)
            text = sent.text.strip()
            offset = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            out.append(Mention(tid, text, offset, offset + len(text), not affirmed, polarity[start]))
        return out


def _words(doc) -> dict[str, set[str]]:
    """The word forms a doc holds, by attribute, for checking token patterns' anchors."""
    return {"orth": {t.text for t in doc}, "lower": {t.lower_ for t in doc}, "norm": {t.norm_ for t in doc},
            "shape": {t.shape_ for t in doc}, "flags": {"like_num"} if any(t.like_num for t in doc) else set()}


def _variants(phrases: list[str]) -> list[str]:
    """Each phrase, plus a spaced and a joined form of a hyphenated one ("self-harm", "self harm", "selfharm")."""
    out: list[str] = []
    for p in phrases:
        p = " ".join(p.split())
        forms = [p]
        if "-" in p:
            forms += [p.replace("-", " "), p.replace("-", "")]
        for f in forms:
            if f not in out:
                out.append(f)
    return out


def _lemma_to_norm(pattern: list[dict], lemma_of) -> list[dict]:
    """A token pattern with LEMMA compared as NORM, the lower-case lemma (lookup lemmas keep capitals).

    Values are lemmatised the same way as the text, so a pattern may say "data" or "fathers".
    """
    out = []
    for spec in pattern:
        spec = dict(spec)
        if "LEMMA" in spec:
            value = spec.pop("LEMMA")
            if isinstance(value, str):
                value = lemma_of(value)
            elif isinstance(value, dict):
                value = {k: [lemma_of(v) for v in vs] if isinstance(vs, list) else vs for k, vs in value.items()}
            spec["NORM"] = value
        out.append(spec)
    return out


# SHAPE anchors a year ("dddd"): a pattern led by "in" / "since" would otherwise run on nearly every answer.
_ANCHOR_ATTRS = {"ORTH": "orth", "TEXT": "orth", "LOWER": "lower", "NORM": "norm", "SHAPE": "shape"}


def _anchors(patterns: list[list[dict]], common: set[str] = frozenset()) -> list[tuple[str, set[str]]] | None:
    """What a doc must hold for this token pattern to match: for each required token with a literal value
    (no OP, or OP "+"), one of its values; None when no token is literal (the pattern runs on every doc).

    Every requirement must be met, so "[a number] incidents" runs only on docs with both a number and
    "incident", and a pattern led by a common word ("in 2019") is kept off most answers by its other tokens.
    """
    [pattern] = patterns
    reqs: list[tuple[str, set[str]]] = []
    for spec in pattern:
        if spec.get("OP", "1") not in ("1", "+"):
            continue
        if spec.get("LIKE_NUM") is True:
            reqs.append(("flags", {"like_num"}))
        for key, attr in _ANCHOR_ATTRS.items():
            value = spec.get(key)
            values = {value} if isinstance(value, str) else set(value.get("IN", [])) if isinstance(value, dict) and set(value) == {"IN"} else None
            if values:
                reqs.append((attr, values))
    # Most selective first, so the check usually fails on its first test.
    return sorted(reqs, key=lambda r: _selectivity(r[1], common)) or None


def _selectivity(values: set[str], common: set[str]) -> tuple[int, int]:
    return (len(values & common), len(values))


_TAGGERS: dict[tuple[str, int], _Tagger] = {}


def compile_codebook(codebook: Codebook, nlp=None) -> _Tagger:
    """The codebook compiled for a pipeline (cached); raises ConfigError on an invalid token pattern."""
    nlp = nlp or load_nlp()
    key = (codebook.model_dump_json(), id(nlp))
    if key not in _TAGGERS:
        if len(_TAGGERS) > 4:
            _TAGGERS.clear()
        _TAGGERS[key] = _Tagger(codebook, nlp)
    return _TAGGERS[key]


def tag_texts(texts: list[str], codebook: Codebook, questions: list[str] | None = None, nlp=None,
              names: list[dict[str, str]] | None = None, set_aside: list[set[str]] | None = None
              ) -> list[list[Mention]]:
    """Mentions in each text, batched through spaCy; optionally with the question each answers (context
    cues and polarity) and the people's first names with the role each reads as (see Tagger.mentions).
    ``set_aside``, if given, gets one set per text of the themes a rule cancelled there."""
    tagger = compile_codebook(codebook, nlp)
    questions = questions or [""] * len(texts)
    names = names or [{}] * len(texts)
    # With a lookup table the tagger lemmatises for itself, so spaCy's lemmatizer need not run.
    skip = ["lemmatizer"] if tagger.lookup is not None and "lemmatizer" in tagger.nlp.pipe_names else []
    docs = tagger.nlp.pipe(texts, batch_size=256, disable=skip)
    if set_aside is not None:
        set_aside[:] = [set() for _ in texts]
    return [tagger.mentions(doc, q, n, set_aside[i] if set_aside is not None else None)
            for i, (doc, q, n) in enumerate(zip(docs, questions, names))]


def _asked(answer) -> str:
    """What an answer answers: its section title (when it is more than an id) and its question."""
    section = answer.section if " " in answer.section.strip() or answer.section[:1].isupper() else ""
    return f"{section}: {answer.question}" if section else answer.question


def tag_returns(records: list[AuditReturn], codebook: Codebook, nlp=None, model=None) -> list[AuditReturn]:
    """New records with each answer's ``themes`` and the record's ``themes`` filled from the codebook.

    All answers of all records go through ``nlp.pipe`` in one batch; answers marked not applicable are skipped.
    Unless the codebook says ``model: false``, the trained model (pipeline.themes.model) then adds themes the
    rules missed and sets aside rule matches it doubts; ``model`` replaces the shipped one (a ThemeModel, for
    training and cross-validation). Existing theme data is replaced.
    """
    # An N/A answer ("N/A - no escalation needed") is not evidence about the case, so it is not coded.
    jobs = [(ri, a) for ri, r in enumerate(records) for a in r.answers
            if a.answer.strip() and a.status != Status.not_applicable]
    # The section title reads as part of the question: "Joint working" / "Key areas of good practice".
    people = [names_in_return(r.header.child, [a.answer for a in r.answers]) for r in records]
    asked = [_asked(a) for _, a in jobs]
    cancelled: list[set[str]] = []
    found = tag_texts([a.answer for _, a in jobs], codebook, asked, nlp, [people[ri] for ri, _ in jobs], cancelled)
    opinions = _second_opinions(codebook, jobs, asked, found, cancelled, model)
    order = {tid: i for i, tid in enumerate(codebook.ids())}
    # per record: theme -> [affirmed, negated, doubted] evidence
    per_record: list[dict[str, list[list[Evidence]]]] = [{} for _ in records]
    answer_themes: list[dict[str, list[str]]] = [{} for _ in records]
    for (ri, answer), mentions, asked_, opinion in zip(jobs, found, asked, opinions):
        doubted = _doubted(codebook, mentions, opinion)
        affirmed = set()
        for m in mentions:
            ev = Evidence(answer=answer.id, sentence=m.sentence, polarity=m.polarity)
            where = 1 if m.negated else 2 if m.theme in doubted else 0
            per_record[ri].setdefault(m.theme, [[], [], []])[where].append(ev)
            if where == 0:
                affirmed.add(m.theme)
        for theme, sentence in (opinion.added.items() if opinion else ()):
            polarity = sentence_polarity(_WORDS.findall(sentence.lower()), field_polarity(asked_))
            # An added child theme brings its parents, once per answer, as a rules mention does.
            for tid in {theme, *codebook.ancestors(theme)} - affirmed:
                evidence = Evidence(answer=answer.id, sentence=sentence, polarity=polarity, source="model")
                per_record[ri].setdefault(tid, [[], [], []])[0].append(evidence)
                affirmed.add(tid)
        answer_themes[ri][answer.id] = sorted(affirmed, key=order.__getitem__)
    out = []
    for ri, record in enumerate(records):
        tags, ruled_out, set_aside = [], [], []
        for tid in sorted(per_record[ri], key=order.__getitem__):
            evidence, negated, doubted = per_record[ri][tid]
            answers = list(dict.fromkeys(e.answer for e in evidence))
            tag = ThemeTag(id=tid, label=codebook.get(tid).label, mentions=len(evidence),
                           answers=answers, evidence=evidence, negated=negated, doubted=doubted)
            (tags if evidence else set_aside if doubted else ruled_out).append(tag)
        answers = [a.model_copy(update={"themes": answer_themes[ri].get(a.id, [])}) for a in record.answers]
        out.append(record.model_copy(update={"answers": answers, "themes": tags, "negated_themes": ruled_out,
                                             "doubted_themes": set_aside}))
    return out


def _second_opinions(codebook: Codebook, jobs, asked: list[str], found: list[list[Mention]],
                     cancelled: list[set[str]], model=None) -> list:
    """The trained model's opinion of each answer (None each when the codebook turns it off or none ships).

    The model may not add a theme the rules saw and set aside in that answer: negated, or cancelled by an
    exclusion or a whose-words rule ("Jess told the officer" when Jess is not the child)."""
    model = (model or load_model()) if codebook.model else None
    if model is None or not jobs:
        return [None] * len(jobs)
    return model.opinions([a.answer for _, a in jobs], asked,
                          [{m.theme for m in ms if not m.negated} for ms in found],
                          [{m.theme for m in ms if m.negated} for ms in found], set(codebook.ids()),
                          [c | {a for t in c for a in codebook.ancestors(t)} for c in cancelled])


def _doubted(codebook: Codebook, mentions: list[Mention], opinion) -> set[str]:
    """The rule themes of one answer the model doubts, keeping any theme a kept child theme implies."""
    if opinion is None or not opinion.doubted:
        return set()
    kept = {m.theme for m in mentions if not m.negated} - opinion.doubted
    implied = {a for t in kept for a in codebook.ancestors(t)}
    return set(opinion.doubted) - implied
