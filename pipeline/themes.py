"""Theme tagging: find codebook themes in answers, sentence by sentence, with negation and polarity.

One mention is one sentence of one answer that a theme's patterns match. Rules, documented in
docs/themes.md and tested in tests/test_themes.py:

- A child theme's mention is also a mention of each ancestor (cse -> exploitation), once per sentence.
- For negatable themes, a match inside a negation ("no evidence of CSE", "denied any self-harm",
  "domestic abuse was ruled out") or a hypothetical ("would have been referred if exploitation ...")
  is not a mention; the sentence is kept in ``ThemeTag.negated``. A sentence with both a negated and
  a plain match of the same theme counts as a mention.
- A theme with only negated sentences is not a theme of the return: it goes to ``record.negated_themes``
  (``mentions == 0``, no ``answers``), so an analyst can see it was considered and ruled out;
  ``record.themes``, ``answer.themes`` and the mention counts hold affirmed mentions only.
- Polarity of each sentence: cue words in the sentence decide ("delay", "robust", "not timely");
  when they balance or are absent, the question the answer sits under decides ("good practice" ->
  strength, "areas for development" / "improvement" / "worried" -> concern); otherwise neutral.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.errors import ConfigError
from models.record import AuditReturn, Evidence, Status, ThemeTag
from pipeline.codebook import Codebook
from pipeline.nlp import load_nlp, lower_lemma_lookup, matcher_classes
from pipeline.people import names_in_return
from pipeline.theme_model import load_model
from pipeline.text import normalise

# Words that open a negation whose scope runs forward over BRIDGE words to the match.
_PRE_TRIGGERS = {"no", "not", "n't", "never", "without", "denied", "denies", "deny", "denying", "none", "nil",
                 "nor", "neither", "nothing"}
# Words allowed between a negation and the theme it negates ("no [concerns about] DA").
_BRIDGE = {
    "any", "concern", "concerns", "evidence", "of", "about", "regarding", "re", "around", "in", "relation",
    "to", "relating", "related", "that", "the", "a", "an", "signs", "sign", "indication", "indications",
    "indicators", "indicator", "history", "known", "current", "previous", "further", "reported", "identified",
    "raised", "noted", "recorded", "disclosure", "disclosures", "disclosed", "disclose", "report", "reports",
    "suggest", "suggested", "suggesting", "suggestion", "issues", "issue", "worries", "worry", "risk", "risks",
    "at", "for", "from", "experiencing", "experienced", "subject", "victim", "involved", "involvement", "with",
    "there", "was", "were", "is", "are", "been", "be", "being", "has", "have", "had", "did", "does", "do",
    "and", "or", ",", "significant", "specific", "apparent", "evident", "obvious", "other", "child", "children",
    "young", "person", "people", "'s", "his", "her", "their", "by", "this", "these", "such", "form", "forms",
    "type", "types", "indicate", "indicated", "indicating", "suspicion", "suspicions", "suspected",
    "allegation", "allegations", "incident", "incidents", "episode", "episodes", "physical", "emotional",
    "sexual", "criminal", "domestic", "online", "ongoing", "recent", "new", "safeguarding", "welfare",
    "immediate", "serious", "mention", "mentioned", "sought", "either", "parent", "parents", "mother", "father",
    "mum", "dad", "family", "household", "he", "she", "they", "we", "it", "ever", "been", "engaged", "engaging",
    "engage", "involvement", "use", "of", "presenting", "presented", "shown", "showed", "show", "displayed",
    "exhibited", "i", "you", "seen", "observed", "found", "appeared", "drug", "drugs", "alcohol", "substance",
    # "denied any thoughts of self-harm", "no intention to harm herself"
    "thoughts", "thought", "intent", "intention", "intentions", "urges", "ideas", "feelings",
    "using", "misusing", "taking", "drinking",  # "no indication Jason is using drugs"
}
_PRONOUNS = {"she", "he", "they"}
_SPEECH = {"tell", "say", "describe", "explain", "disclose", "express", "ask", "want", "feel", "share", "report"}
_NOT_PEOPLE = {"i", "csc", "mash", "gp", "hv", "sw", "nhs", "camhs", "police", "school", "january", "february",
               "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
_CHILD_WORDS = {"child", "children", "boy", "girl", "son", "daughter", "baby", "toddler", "teenager", "yp", "cyp",
                "pupil", "student", "infant", "eldest", "youngest", "sibling", "siblings", "kids"}
# A check that came back empty affirms nothing it names: "checks with the drug service: not known".
_CHECK_WORDS = {"check", "checks", "checked", "enquiry", "enquiries", "search", "searches", "screening"}
_EMPTY_RESULTS = (("not", "known"), ("nothing", "known"), ("nil", "known"), ("no", "trace"), ("no", "record"),
                  ("no", "records"), ("came", "back", "clear"), ("nothing", "of", "note"), ("no", "information"),
                  ("nothing", "back"), ("nothing", "recorded"), ("no", "previous"))
# Words that end a negation's or condition's scope.
_TERMINATORS = {"but", "however", "although", "though", "except", "yet", "whereas", "while", "whilst", ";",
                ":", "despite", "because", "since", "until", "which", "who", "when", "after", "before", "."}
# After the match: "DA [was] ruled out", "exploitation [concerns were] unfounded", "X was not evident".
_POST_BRIDGE = {"was", "were", "is", "are", "been", "has", "have", "had", "be", "being", "concerns", "concern",
                "issues", "risk", "risks", "also", "subsequently", "later", "fully", "all", ":", "-",
                "allegations", "allegation", "suspicions", "therefore", "since", "now",
                "asked", "about", "enquired", "and"}  # "DA was asked about and denied"
_POST_TRIGGERS = {"unfounded", "unsubstantiated", "denied", "none", "nil", "disproved", "discounted", "clear", "negative"}
_POST_NOT_TARGETS = {"evident", "present", "identified", "disclosed", "indicated", "suspected", "found", "raised",
                     "reported", "substantiated", "known", "apparent", "evidenced", "issue", "concern", "feature",
                     "factor", "corroborated", "confirmed", "observed", "seen", "noted", "relevant", "disclose"}
_POST_NOT_SKIP = {"a", "an", "been", "considered", "deemed", "felt", "thought", "to", "be", "any", "of", "an",
                  "current", "significant", "longer"}
_CONDITIONALS = {"if", "unless", "whether"}
_INVERSIONS = {"should", "had", "were"}  # "Should concerns arise, ...", "Had the school shared ..., ..."
_MODALS = {"would", "could", "might"}
_CLAUSE_BREAKS = {",", ";", ":", "then"}

_STRENGTH_CUES = {
    "good", "well", "excellent", "effective", "effectively", "timely", "robust", "thorough", "thoroughly",
    "positive", "positively", "strong", "strength", "strengths", "appropriate", "appropriately", "proactive",
    "proactively", "prompt", "promptly", "swift", "swiftly", "comprehensive", "detailed", "thoughtful",
    "creative", "tenacious", "commended", "praised", "exemplary", "outstanding", "helpful", "successful",
    "successfully", "sensitive", "sensitively", "improved", "clear", "consistent", "consistently", "quickly",
    "persistent", "persistence", "child-centred", "collaborative", "responsive",
}
_CONCERN_CUES = {
    "poor", "poorly", "lack", "lacking", "lacked", "delay", "delayed", "delays", "late", "missed", "fail",
    "failed", "failure", "failing", "gap", "gaps", "insufficient", "inadequate", "inadequately", "limited",
    "inconsistent", "inconsistently", "unclear", "drift", "weak", "overlooked", "unable", "incomplete",
    "outdated", "superficial", "minimal", "little", "lost", "absent", "slow", "concerning", "worrying",
    "unsafe", "inappropriate", "inappropriately", "disjointed", "confusion", "omission",
}
_FLIPPERS = {"not", "n't", "no", "never", "without", "lack", "lacked", "lacking", "little"}
_STRENGTH_FIELDS = ("good practice", "worked well", "went well", "strength", "what is working", "positive practice")
_CONCERN_FIELDS = ("area for development", "areas for development", "worried", "worry", "improvement", "improve",
                   "what needs to change", "gaps", "learning for", "could have been done differently")


@dataclass(frozen=True)
class Mention:
    """One sentence of a text in which a theme is found; offsets are characters in that text."""

    theme: str
    sentence: str
    start: int
    end: int
    negated: bool
    polarity: str


def field_polarity(question: str) -> str:
    """Polarity a question's wording gives its answers: strength, concern, or neutral when unclear."""
    q = normalise(question)
    strength = any(cue in q for cue in _STRENGTH_FIELDS)
    concern = any(cue in q for cue in _CONCERN_FIELDS)
    if strength == concern:
        return "neutral"
    return "strength" if strength else "concern"


def sentence_polarity(words: list[str], default: str = "neutral") -> str:
    """Polarity of one sentence (lower-case words) from cue words, negated cues flipped; else ``default``."""
    score = 0
    for i, w in enumerate(words):
        if w in ("should", "could") and i + 1 < len(words) and words[i + 1] == "have":
            score -= 1  # "should have referred": a counterfactual is a criticism
            continue
        if w == "well" and i > 0 and words[i - 1] == "as":
            continue  # "as well as"
        sign = 1 if w in _STRENGTH_CUES else -1 if w in _CONCERN_CUES else 0
        if not sign:
            continue
        if any(p in _FLIPPERS for p in words[max(0, i - 2):i]) and w not in _FLIPPERS:
            sign = -sign
        score += sign
    if score > 0:
        return "strength"
    if score < 0:
        return "concern"
    return default


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
            negated = negatable and _negated(doc, s, e, sent, covered)
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


def _is_trigger(doc, i: int, lo: int) -> bool:
    w = doc[i].lower_.strip("'\"‘’“”")  # "'no concerns re drugs'" quoted from the notes
    if w in _PRE_TRIGGERS:
        return True
    if w == "out" and i - 1 >= lo and doc[i - 1].lower_ == "ruled":
        return True
    nxt = doc[i + 1].lower_ if i + 1 < len(doc) else ""
    prev = doc[i - 1].lower_ if i - 1 >= lo else ""
    # "Routine enquiry about DA", "routinely asked about drugs": a question put to everyone is not a finding.
    # Only the question's own object: "at routine enquiry she disclosed DA" is a finding.
    routine = nxt in ("about", "regarding", "re", "into", "around") and (
        (w in ("enquiry", "enquiries", "enquire", "enquired") and prev == "routine")
        or (w in ("asked", "ask", "enquired") and prev == "routinely"))
    return routine or (w == "absence" and nxt == "of") or (w == "free" and nxt in ("from", "of"))


def _negated(doc, start: int, end: int, sent, covered: set[int]) -> bool:
    """Whether the match doc[start:end] sits in a negation or a hypothetical within its sentence."""
    return (_pre_negated(doc, start, sent, covered) or _post_negated(doc, end, sent)
            or _hypothetical(doc, start, end, sent) or _empty_check(sent))


def _empty_check(sent) -> bool:
    """A sentence reporting a check that found nothing ("Checks with the drug service came back not known")."""
    words = [t.lower_.strip("'\"‘’“”") for t in sent]
    if not _CHECK_WORDS.intersection(words):
        return False
    return any(tuple(words[i:i + len(p)]) == p for p in _EMPTY_RESULTS for i in range(len(words) - len(p) + 1))


def _pre_negated(doc, start: int, sent, covered: set[int]) -> bool:
    i, steps = start - 1, 0
    while i >= sent.start and steps < 10:
        w = doc[i].lower_
        if w in _TERMINATORS:
            return False
        if _is_trigger(doc, i, sent.start):
            return True
        if w == ",":
            # A comma continues a list ("no drugs, alcohol or DA") but not a new clause ("..., concerns about X").
            nxt = doc[i + 1]
            if not (i + 1 in covered or nxt.lower_ in ("and", "or", "nor")):
                return False
        elif w not in _BRIDGE and i not in covered and w not in ("ruled", "absence", "free", "routine", "routinely") \
                and not (doc[i].is_title and i > sent.start):  # a name: "no indication Jason is using drugs"
            return False
        i -= 1
        steps += 1
    return False


def _post_negated(doc, end: int, sent) -> bool:
    i, steps = end, 0
    while i < sent.end and steps < 6:
        w = doc[i].lower_
        if w in _POST_TRIGGERS or (w == "ruled" and i + 1 < sent.end and doc[i + 1].lower_ == "out"):
            return True
        if w in ("not", "n't", "never"):
            j = i + 1
            while j < sent.end and j <= i + 4 and doc[j].lower_ in _POST_NOT_SKIP:
                j += 1
            return j < sent.end and doc[j].lower_ in _POST_NOT_TARGETS
        if w not in _POST_BRIDGE:
            return False
        i += 1
        steps += 1
    return False


def _hypothetical(doc, start: int, end: int, sent) -> bool:
    """Inside an if/unless clause, or in a would/could/might clause of a sentence that has one."""
    i = start - 1
    while i >= sent.start and doc[i].lower_ not in _CLAUSE_BREAKS and doc[i].lower_ not in _TERMINATORS:
        if doc[i].lower_ in _CONDITIONALS or (doc[i].lower_ == "event" and i > sent.start and doc[i - 1].lower_ == "the"):
            return True
        i -= 1
    # "Had there been any sign of DA, we would have asked" (with or without the comma).
    inverted = i < sent.start and doc[sent.start].lower_ in _INVERSIONS and (
        "," in sent.text or any(t.lower_ in _MODALS for t in sent))
    if inverted and start > sent.start:
        return True  # inside the inverted conditional clause that opens the sentence
    words = [t.lower_ for t in sent]
    if not inverted and not any(w in _CONDITIONALS for w in words):
        return False
    lo = start - 1
    while lo >= sent.start and doc[lo].lower_ not in _CLAUSE_BREAKS:
        lo -= 1
    hi = end
    while hi < sent.end and doc[hi].lower_ not in _CLAUSE_BREAKS and doc[hi].lower_ not in _CONDITIONALS:
        hi += 1
    return any(doc[k].lower_ in _MODALS for k in range(lo + 1, hi))


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
    Unless the codebook says ``model: false``, the trained model (pipeline.theme_model) then adds themes the
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
        for m in mentions:
            ev = Evidence(answer=answer.id, sentence=m.sentence, polarity=m.polarity)
            where = 1 if m.negated else 2 if m.theme in doubted else 0
            per_record[ri].setdefault(m.theme, [[], [], []])[where].append(ev)
        for theme, sentence in (opinion.added.items() if opinion else ()):
            polarity = sentence_polarity(re.findall(r"[a-z]+(?:'[a-z]+)?", sentence.lower()), field_polarity(asked_))
            for tid in [theme, *codebook.ancestors(theme)]:
                slot = per_record[ri].setdefault(tid, [[], [], []])
                if not any(e.answer == answer.id for e in slot[0]):
                    slot[0].append(Evidence(answer=answer.id, sentence=sentence, polarity=polarity, source="model"))
        affirmed = {tid for tid, slot in per_record[ri].items() if any(e.answer == answer.id for e in slot[0])}
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
                          [{t for t in c} | {a for t in c for a in codebook.ancestors(t)} for c in cancelled])


def _doubted(codebook: Codebook, mentions: list[Mention], opinion) -> set[str]:
    """The rule themes of one answer the model doubts, keeping any theme a kept child theme implies."""
    if opinion is None or not opinion.doubted:
        return set()
    kept = {m.theme for m in mentions if not m.negated} - opinion.doubted
    implied = {a for t in kept for a in codebook.ancestors(t)}
    return set(opinion.doubted) - implied
