"""Undated events: sentences that describe a specific event (a visit, referral, meeting...) in an answer with no date.

The audit guide asks that "specific events, issues and references should be dated". An answer is undated when
it has at least one event sentence and no date anywhere (pipeline.dates finds none). Reflective or evaluative
sentences, habits ("visits regularly"), absences ("was not invited"), hypotheticals ("should have referred")
and present-tense descriptions ("referrals are made") are not events.

Detection runs on spaCy sentences with a small Matcher over surface forms: the blank English pipeline has no
tagger, so past tense is recognised by the word itself ("visited", not "visits").
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.dates import find_dates
from pipeline.themes.nlp import load_nlp

# An event verb on its own makes a sentence an event.
STRONG_VERBS = {
    "visited", "attended", "referred", "disclosed", "contacted", "phoned", "rang", "telephoned", "emailed",
    "e-mailed", "texted", "invited", "arrested", "convened", "chaired", "interviewed", "excluded", "reported",
    "consulted", "spoke", "spoken", "saw", "seen", "told", "accommodated", "diagnosed", "wrote", "called",
    "brought", "evicted", "noticed", "released", "cancelled", "canceled", "rearranged", "missed", "escalated",
}
# These need an event noun in the same sentence ("referral made", "strategy discussion held").
WEAK_VERBS = {
    "made", "held", "completed", "undertaken", "undertook", "conducted", "submitted", "sent", "received", "raised",
    "shared", "agreed", "discussed", "declined", "logged", "requested", "presented", "offered", "booked",
    "arranged", "notified", "informed", "placed", "returned", "occurred", "happened", "admitted",
    "took", "carried", "turned", "went", "passed", "issued", "signposted", "noted", "found",
    "taken", "decided", "started", "allocated", "reviewed", "obtained", "provided", "recorded",
}
EVENT_NOUNS = [
    "visit", "home visit", "joint visit", "meeting", "strategy discussion", "strategy meeting", "strategy",
    "conference", "icpc", "rcpc", "core group", "taf", "appointment", "assessment", "check", "medical", "call",
    "phone call", "email", "e-mail", "letter", "message", "contact", "enquiry", "inquiry", "interview",
    "attendance", "arrest", "allegation", "review", "session", "consultation", "notification", "exclusion",
    "dash", "marac", "mash", "lado", "s47", "section 47", "referral", "disclosure", "incident", "report",
    "episode", "concern", "gcp2", "profile", "triage", "drop-in", "abe", "police protection", "intelligence",
    "programme", "call-out", "callout", "call out", "injury", "bruise", "bruising", "mark", "clinic", "ward", "a&e", "hospital", "tenancy",
    "eviction", "overdose", "caller", "phone", "telephone",
]
# A weak verb and its event noun must be this close (in tokens) to be read as one event.
NOUN_WINDOW = 8
# Words that make the verb near them a habit, a wish or a hypothesis rather than an event.
FREQUENCY = {"regularly", "routinely", "always", "usually", "consistently", "frequently", "often", "every", "each",
             "weekly", "monthly", "daily", "fortnightly", "throughout", "all", "continues", "continue", "generally",
             "whenever"}
# Timing relative to another event ("within 2 working days of the referral") dates a sentence well enough.
RELATIVE_TIMING = re.compile(
    r"\b(?:within|in|after|over)\s+(?:\d+|one|two|three|four|five|six|seven|a)\s+(?:working\s+)?(?:hours?|days?|weeks?)\b"
    r"|\b(?:the same|the next|the following|that|on the) (?:day|morning|afternoon|evening|week)\b"
    r"|\b\d+ (?:days?|weeks?) later\b",
    re.I,
)
# Verbs that report a finding rather than an event when followed by "that" ("the assessment found that...").
FINDING_VERBS = {"found", "noted", "agreed", "decided"}
# "informed" is an event only as a passive ("the GP was informed"), not as "her views informed the plan".
PASSIVE_ONLY = {"informed"}
MODALS = {"should", "would", "could", "might", "must", "will", "shall", "need", "needs", "'ll", "may", "to"}
PRESENT_AUX = {"is", "are", "be", "being", "get", "gets", "am"}
NEGATIONS = {"not", "never", "no", "n't", "nor", "neither"}
TELEGRAPHIC_LINKS = {"by", "with", "from", "to", "at", "on", "for", "-", ":", "completed", "made", "held"}
MET_OBJECTS = {"with", "the", "mum", "mother", "dad", "father", "a", "her", "him", "them", "family", "child",
               "young", "yp", "parents", "both", "carers"}


@lru_cache(maxsize=None)
def _matchers():
    """Build the matchers once per process, against the one shared pipeline."""
    # spacy.matcher is loaded only here, after load_nlp() has imported spaCy anyway.
    from spacy.matcher import Matcher, PhraseMatcher

    nlp = load_nlp()
    verbs = Matcher(nlp.vocab)
    verbs.add("STRONG", [[{"LOWER": {"IN": sorted(STRONG_VERBS)}}]])
    verbs.add("WEAK", [[{"LOWER": {"IN": sorted(WEAK_VERBS)}}]])
    verbs.add("MET", [[{"LOWER": "met"}, {"LOWER": {"IN": sorted(MET_OBJECTS)}}]])
    verbs.add("DNA", [
        [{"LOWER": {"IN": ["did", "does"]}}, {"LOWER": {"IN": ["not", "n't"]}}, {"LOWER": "attend"}],
        [{"LOWER": "failed"}, {"LOWER": "to"}, {"LOWER": "attend"}],
        [{"LOWER": {"IN": ["dna", "dna'd", "wnb"]}}],
    ])
    nouns = PhraseMatcher(nlp.vocab, attr="LOWER")
    forms = set(EVENT_NOUNS) | {n + "s" for n in EVENT_NOUNS} | {n + "es" for n in EVENT_NOUNS if n.endswith("h")}
    nouns.add("NOUN", [nlp.make_doc(f) for f in sorted(forms)])
    return nlp, verbs, nouns


def _verb_is_event(sent, i: int, label: str, noun_starts: list[int]) -> bool:
    """Whether the verb at token ``i`` of ``sent`` reports something that happened once."""
    word = sent[i].lower_
    before = [t.lower_ for t in sent[max(0, i - 4) : i]]
    around = {t.lower_ for t in sent[max(0, i - 4) : i + 5]}
    if label == "DNA":
        return not (MODALS & set(before[-2:]))
    if label == "WEAK" and not any(abs(n - i) <= NOUN_WINDOW for n in noun_starts):
        return False
    if word == "seen" and i + 1 < len(sent) and sent[i + 1].lower_ in {"as", "to"}:
        return False  # "seen as a priority", "seen to be engaging": a judgement, not a sighting
    if word == "called" and i + 1 < len(sent) and sent[i + 1].lower_ in {"for", "into"}:
        return False
    if word in FINDING_VERBS and i + 1 < len(sent) and sent[i + 1].lower_ == "that":
        return False
    if word in PASSIVE_ONLY and not (before and before[-1] in {"was", "were", "been", "and"}):
        return False
    # A negation anywhere before the verb frames it as an absence or a doubt ("records do not show whether
    # the child was seen"); after it, it is part of the event ("was invited but did not attend").
    if NEGATIONS & {t.lower_ for t in sent[:i]} or MODALS & set(before) or PRESENT_AUX & set(before[-3:]):
        return False
    return not (FREQUENCY & around)


def _telegraphic(sent, noun_starts: list[int]) -> bool:
    """A note-style event with no verb: "Joint visit by HV and SW.", "ED attendance with head injury."."""
    words = {t.lower_ for t in sent}
    # "to" is left out here: in a note it is a direction ("call to duty"), not an infinitive.
    if words & (PRESENT_AUX | (MODALS - {"to"}) | FREQUENCY | {"has", "have", "include", "includes", "was", "were"}):
        return False
    for start in noun_starts:
        if start <= 3:
            end = start + 1
            while end < len(sent) and sent[end].lower_ not in TELEGRAPHIC_LINKS and end - start < 3:
                end += 1
            if end < len(sent) and sent[end].lower_ in TELEGRAPHIC_LINKS:
                return True
    return False


def _existential(sent, noun_starts: list[int]) -> bool:
    """ "There was a further police call-out": an event reported with no verb of its own."""
    words = [t.lower_ for t in sent]
    for i in range(len(words) - 1):
        if words[i] == "there" and words[i + 1] in {"was", "were"}:
            return any(i + 1 < n <= i + 6 for n in noun_starts) and not NEGATIONS & set(words[i : i + 4])
    return False


def event_sentences(doc) -> list[str]:
    """The sentences of a parsed answer that report a specific event."""
    _, verbs, nouns = _matchers()
    found: list[str] = []
    for sent in doc.sents:
        span_doc = sent.as_doc()
        noun_starts = [start for _, start, _ in nouns(span_doc)]
        if RELATIVE_TIMING.search(sent.text):
            continue
        hits = verbs(span_doc)
        if any(_verb_is_event(span_doc, start, doc.vocab.strings[mid], noun_starts) for mid, start, _ in hits):
            found.append(sent.text.strip())
        elif not hits and (_telegraphic(span_doc, noun_starts) or _existential(span_doc, noun_starts)):
            found.append(sent.text.strip())
    return found


def undated_event_sentences(texts: list[str], batch_size: int = 256) -> list[list[str]]:
    """For each answer text, its event sentences when the answer carries no date at all, else an empty list.

    Texts with a date are not sent through spaCy; the rest go through one ``nlp.pipe`` call, so a run can
    check every answer of many returns at once.
    """
    results: list[list[str]] = [[] for _ in texts]
    todo = [i for i, t in enumerate(texts) if t and t.strip() and not find_dates(t)]
    if not todo:
        return results
    nlp, _, _ = _matchers()
    for i, doc in zip(todo, nlp.pipe((texts[i] for i in todo), batch_size=batch_size)):
        results[i] = event_sentences(doc)
    return results
