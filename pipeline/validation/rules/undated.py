"""Undated events: sentences that describe a specific event (a visit, referral, meeting...) in an answer with no date.

The audit guide asks that "specific events, issues and references should be dated"; what counts as an event is
written down in docs/undated-labelling-guide.md. An answer is undated when it has at least one event sentence
and no date anywhere (pipeline.dates finds none, dates of birth aside; "the next day" is not a date).
Reflective or evaluative sentences ("the referral was appropriate", "the children were protected"), habits
("visits regularly"), absences ("was not invited"), hypotheticals ("should have referred"), present-tense
descriptions ("referrals are made") and the auditor's own work ("as part of this audit") are not events.

spaCy gives the sentences, the lemma lookup and a PhraseMatcher for event nouns; the rules then run on the
sentence's lower-case words (plain strings, which is what keeps the check cheap). The blank English pipeline
has no tagger, so past tense is recognised by the word itself ("visited", not "visits"; "rehoused" because
its lemma is "rehouse"). A sentence is an event when it has
- an event verb ("visited", "disclosed", "did not attend"), or a weaker one near an event noun ("referral made");
- a case actor doing or undergoing something in the past ("the SW challenged mum", "Mum was rehoused"), unless
  the verb is a state or a judgement ("was supported", "engaged well");
- a procedure used ("the escalation policy was used when no response was received");
- or is a note with no verb ("Joint visit by HV and SW.", "There was a further police call-out").
A negation, modal or frequency word near the verb (a negation only within its own clause) cancels it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.dates import find_dates
from pipeline.themes.nlp import load_nlp, lower_lemma_lookup, matcher_classes

# An event verb on its own makes a sentence an event.
STRONG_VERBS = {
    "visited", "attended", "referred", "disclosed", "contacted", "phoned", "rang", "telephoned", "emailed",
    "e-mailed", "texted", "invited", "arrested", "convened", "chaired", "interviewed", "excluded", "reported",
    "consulted", "spoke", "spoken", "saw", "seen", "told", "accommodated", "diagnosed", "wrote", "called",
    "brought", "evicted", "noticed", "released", "cancelled", "canceled", "rearranged", "missed", "escalated",
    "convicted", "sentenced", "charged", "cautioned", "remanded", "rehoused", "tried", "attempted",
    "chased", "admitted", "removed", "re-referred", "self-referred", "handed",
}
# These need an event noun in the same sentence ("referral made", "strategy discussion held").
WEAK_VERBS = {
    "made", "held", "completed", "undertaken", "undertook", "conducted", "submitted", "sent", "received", "raised",
    "shared", "agreed", "discussed", "declined", "logged", "requested", "presented", "offered",
    "arranged", "notified", "informed", "placed", "returned", "occurred", "happened",
    "took", "carried", "turned", "went", "passed", "issued", "signposted", "noted", "found",
    "taken", "decided", "started", "allocated", "reviewed", "obtained", "provided", "recorded", "gave",
}
EVENT_NOUNS = [
    "visit", "home visit", "joint visit", "meeting", "strategy discussion", "strategy meeting", "strategy",
    "conference", "icpc", "rcpc", "core group", "taf", "appointment", "assessment", "check", "medical", "call",
    "phone call", "email", "e-mail", "letter", "message", "contact", "enquiry", "inquiry", "interview",
    "attendance", "arrest", "allegation", "review", "session", "consultation", "notification", "exclusion",
    "dash", "marac", "mash", "lado", "s47", "section 47", "referral", "disclosure", "incident", "report",
    "episode", "concern", "gcp2", "profile", "triage", "drop-in", "abe", "police protection", "intelligence",
    "programme", "call-out", "callout", "call out", "injury", "bruise", "bruising", "mark", "clinic", "ward", "a&e", "hospital", "tenancy",
    "eviction", "overdose", "caller", "phone", "telephone", "statement",
]
# A weak verb and its event noun must be this close (in tokens) to be read as one event.
NOUN_WINDOW = 8
# Words that make the verb near them a habit, a wish or a hypothesis rather than an event.
FREQUENCY = {"regularly", "routinely", "always", "usually", "consistently", "frequently", "often", "every", "each",
             "weekly", "monthly", "daily", "fortnightly", "throughout", "all", "continues", "continue", "generally",
             "whenever", "most"}
# The auditor's own work is not on the child's timeline ("I reviewed the records as part of this audit").
AUDIT_WORK = re.compile(
    r"\b(?:this|the|my|our) (?:audit|review of the records)\b"
    r"|^\W*(?:I|we)\s+(?:have\s+)?(?:reviewed|read|looked at|checked|examined|audited|sampled)\b",
    re.I,
)
# A date of birth places no event ("Child (DOB 04/05/2016) was seen at school"): such dates do not count.
BIRTH = re.compile(r"\b(?:born|dob|d\.o\.b\.?|date of birth|birthday)\b[^.;]{0,12}$", re.I)
# Verbs that report a finding rather than an event when followed by "that" ("the assessment found that...").
FINDING_VERBS = {"found", "noted", "agreed", "decided"}
# "informed" is an event only as a passive ("the GP was informed"), not as "her views informed the plan".
PASSIVE_ONLY = {"informed"}
MODALS = {"should", "would", "could", "might", "must", "will", "shall", "need", "needs", "'ll", "may", "to",
          "if", "unless"}
PRESENT_AUX = {"is", "are", "be", "being", "get", "gets", "am"}
NEGATIONS = {"not", "never", "no", "n't", "nor", "neither"}
# In a note these make the event a plan ("Review booked with the paediatrician").
PLANNED = {"booked", "planned", "due", "scheduled", "pending", "awaited", "awaiting"}
TELEGRAPHIC_LINKS = {"by", "with", "from", "to", "at", "on", "for", "-", ":", "completed", "made", "held"}
# A negation reaches back only to the start of its clause: in "Health were not invited, but the nurse later
# provided information" the second verb is an event. "whether" and "that" do not end a clause ("records do
# not show whether the child was seen"); "when" and "why" do ("not clear why the case was closed": it was).
CLAUSE_BREAKS = {",", ";", "but", "so", "then", "when", "why", "although", "though", "however", "once", "after"}
# People and agencies in a case: the subject of a past-tense verb ("The SW challenged mum") or of a passive
# ("Mum was rehoused", "the case was stepped down") that makes the sentence an event.
PEOPLE = {
    "mum", "mother", "dad", "father", "parent", "parents", "child", "children", "baby", "yp", "boy", "girl",
    "brother", "sister", "sibling", "siblings", "carer", "carers", "grandmother", "grandfather", "nan", "gran",
    "partner", "he", "she", "stepfather", "stepdad", "aunt", "uncle", "family", "tenant", "perpetrator",
}
AGENCIES = {
    "sw", "social worker", "hv", "health visitor", "gp", "police", "school", "dsl", "nurse", "midwife", "iro",
    "camhs", "yot", "probation", "nursery", "teacher", "paediatrician", "officer", "worker", "fsw", "idva",
    "senco", "dslo", "ewo", "hospital", "manager", "csc", "mash", "lado", "consultant", "practitioner",
}
DECIDED_THINGS = {"case", "referral", "plan", "application", "order", "placement", "tenancy", "enquiry"}
# Participles and past forms that describe a state, a view or the quality of practice, not an event.
STATE_VERBS = {
    "known", "considered", "supported", "included", "involved", "engaged", "encouraged", "heard", "listened",
    "valued", "described", "thought", "believed", "felt", "expected", "required", "needed", "concerned",
    "worried", "settled", "focused", "focussed", "based", "motivated", "committed", "interested", "affected",
    "impacted", "exposed", "used", "looked", "cared", "loved", "managed", "kept", "allowed", "assessed",
    "identified", "viewed", "regarded", "deemed", "recognised", "recognized", "understood", "reflected",
    "evidenced", "documented", "captured", "linked", "worked", "struggled", "seemed", "appeared", "wanted",
    "ensured", "continued", "remained", "lived", "liked", "helped", "benefited", "benefitted", "improved",
    "progressed", "developed", "responded", "communicated", "cooperated", "co-operated", "demonstrated",
    "showed", "shown", "married", "separated", "born", "aged", "named", "called", "followed", "noted",
    "agreed", "decided", "informed", "recorded", "reviewed", "received", "declined", "refused", "failed",
    "protected", "safeguarded", "empowered", "neglected", "abused", "exploited", "groomed", "bullied",
    "contributed", "participated",
}
# How a plan or document was made is a description of it, not an event ("the CIN plan was written from the
# assessment"); what was decided about it is ("the plan was ended", "the case was stepped down").
THING_STATES = {"written", "drawn", "developed", "shaped", "created", "designed", "tailored", "produced"}
# Words after a verb that make it a judgement of practice ("was managed well", "responded appropriately").
EVALUATIVE = {"well", "appropriately", "effectively", "positively", "promptly", "quickly", "timely", "badly",
              "poorly", "correctly", "properly", "thoroughly", "as", "hard", "together", "throughout"}
# Adverbs allowed between a subject and its verb ("the SW then visited", "mum was later seen").
LINK_ADVERBS = {"then", "later", "also", "immediately", "subsequently", "again", "finally", "eventually", "only"}
IRREGULAR_PAST = {"gave", "given", "took", "taken", "went", "came", "sent", "told", "saw", "seen", "spoke",
                  "spoken", "rang", "wrote", "written", "left", "brought", "made", "held", "met", "put", "shown"}
# A procedure used on an occasion ("the escalation policy was used when no response was received").
POLICY_NOUNS = {"policy", "procedure", "procedures", "process", "protocol", "pathway", "guidance", "route"}
POLICY_VERBS = {"used", "invoked", "applied", "triggered", "initiated", "implemented", "activated", "followed",
                "utilised", "utilized", "instigated"}
# Irregular past forms that are not also present forms or bare participles: "the SW saw mum" is past.
ACTIVE_IRREGULAR = {"gave", "took", "went", "came", "sent", "told", "saw", "spoke", "rang", "wrote", "left",
                    "brought"}
DNA_WORDS = {"dna", "dna'd", "wnb"}
MET_OBJECTS = {"with", "the", "mum", "mother", "dad", "father", "a", "her", "him", "them", "family", "child",
               "young", "yp", "parents", "both", "carers"}


@lru_cache(maxsize=None)
def _matchers():
    """The shared pipeline, its event-noun PhraseMatcher and its lemma lookup, built once per process."""
    nlp = load_nlp()
    PhraseMatcher, _ = matcher_classes()
    nouns = PhraseMatcher(nlp.vocab, attr="LOWER")
    forms = set(EVENT_NOUNS) | {n + "s" for n in EVENT_NOUNS} | {n + "es" for n in EVENT_NOUNS if n.endswith("h")}
    nouns.add("NOUN", [nlp.make_doc(f) for f in sorted(forms)])
    return nlp, nouns, lower_lemma_lookup(nlp) or (lambda word: word)


def _dated(text: str) -> bool:
    """Whether the text carries a date that places an event (any date found, dates of birth aside)."""
    return any(not BIRTH.search(text[max(0, fd.start - 20) : fd.start]) for fd in find_dates(text))


def _verb_label(w: list[str], i: int) -> str | None:
    """STRONG, WEAK, MET or DNA for the verb (or "did not attend") starting at word ``i``, else None."""
    word = w[i]
    nxt = w[i + 1] if i + 1 < len(w) else ""
    if word in DNA_WORDS or (word in {"did", "does"} and nxt in {"not", "n't"} and w[i + 2 : i + 3] == ["attend"]):
        return "DNA"
    if word in {"did", "was", "were"} and nxt == "not" and w[i + 2 : i + 3] in (["bring"], ["brought"]):
        return "DNA"  # "was not brought" to an appointment
    if word == "failed" and w[i + 1 : i + 3] in (["to", "attend"], ["to", "bring"]):
        return "DNA"
    if word == "met":
        return "MET" if nxt in MET_OBJECTS else None
    if word in STRONG_VERBS or (word == "followed" and nxt == "up") or (word == "went" and nxt == "missing"):
        return "STRONG"
    return "WEAK" if word in WEAK_VERBS else None


def _clause_before(w: list[str], i: int) -> set[str]:
    """The words of word ``i``'s clause that come before it."""
    start = i
    while start > 0 and w[start - 1] not in CLAUSE_BREAKS:
        start -= 1
    return set(w[start:i])


def _verb_is_event(w: list[str], i: int, label: str, noun_starts: list[int]) -> bool:
    """Whether the verb at word ``i`` reports something that happened once."""
    word = w[i]
    nxt = w[i + 1] if i + 1 < len(w) else ""
    before = w[max(0, i - 4) : i]
    if label == "DNA":
        return not (MODALS & set(before[-2:]))
    if label == "WEAK" and not any(abs(n - i) <= NOUN_WINDOW for n in noun_starts):
        return False
    if word == "seen" and nxt in {"as", "to"}:
        return False  # "seen as a priority", "seen to be engaging": a judgement, not a sighting
    if word == "called" and nxt in {"for", "into"}:
        return False
    if word == "missed" and nxt in {"opportunity", "opportunities", "chance", "chances"}:
        return False  # "a missed opportunity" is a judgement
    if word in FINDING_VERBS and nxt == "that":
        return False
    if "than" in w[i + 1 : i + 4]:
        return False  # "the assessment started later than it should have": a judgement of timeliness
    if word in PASSIVE_ONLY and not (before and before[-1] in {"was", "were", "been", "and"}):
        return False
    # A negation earlier in the clause frames the verb as an absence or a doubt ("records do not show whether
    # the child was seen"); after it, it is part of the event ("was invited but did not attend").
    if NEGATIONS & _clause_before(w, i) or MODALS & set(before) or PRESENT_AUX & set(before[-3:]):
        return False
    return not (FREQUENCY & set(w[max(0, i - 4) : i + 5]))


def _is_past(word: str, lemma) -> bool:
    """A past tense or participle by its form: "rehoused" (lemma "rehouse"), "given"; not "need", "focus"."""
    if word in IRREGULAR_PAST:
        return True
    return word.endswith("ed") and len(word) > 4 and lemma(word) != word


def _subject_before(w: list[str], raw: list[str], i: int) -> str | None:
    """ "person", "agency" or "thing" for the word just before the verb at ``i`` (skipping "then", "was"...)."""
    j = i - 1
    while j >= 0 and (w[j] in LINK_ADVERBS or w[j] in {"was", "were", "had", "been"}):
        j -= 1
    if j < 0:
        return None
    word = w[j]
    two = f"{w[j - 1]} {word}" if j > 0 else word
    for kind, names in (("person", PEOPLE), ("agency", AGENCIES), ("thing", DECIDED_THINGS)):
        if word in names or two in names or (word.endswith("s") and word[:-1] in names):
            return kind
    if j > 0 and raw[j].istitle() and raw[j].isalpha():
        return "person"  # a name in mid-sentence: "... and Kai was excluded"
    return None


def _actor_event(w: list[str], raw: list[str], i: int, lemma) -> bool:
    """A case actor did something, or had something done ("The SW challenged mum", "Mum was rehoused")."""
    word = w[i]
    if word in STATE_VERBS or not _is_past(word, lemma):
        return False
    passive = (i > 0 and w[i - 1] in {"was", "were"}) or (
        i > 1 and w[i - 1] in LINK_ADVERBS and w[i - 2] in {"was", "were"}
    )
    kind = _subject_before(w, raw, i)
    if kind is None or (kind == "thing" and (not passive or word in THING_STATES)):
        return False
    # "The school put a plan in place" is past ("puts" would be present); "schools put..." may be either.
    put_in_place = word == "put" and "in place" in " ".join(w[i + 1 : i + 7]) and not (i and w[i - 1].endswith("s"))
    if not passive and not word.endswith("ed") and word not in ACTIVE_IRREGULAR and not put_in_place:
        return False  # "mum seen" is a note, left to _telegraphic
    if word == "found" and (not passive or w[i + 1 : i + 2] in (["that"], ["to"])):
        return False  # "the assessment found that", "was found to be": findings; "was found at a friend's": an event
    before = set(w[max(0, i - 4) : i])
    # "to" counts only right before the verb ("to visit"): "access to the children was stopped" is an event.
    if (EVALUATIVE & set(w[i + 1 : i + 3]) or "than" in w[i + 1 : i + 4] or (MODALS - {"to"}) & before or w[i - 1 : i] == ["to"]
            or PRESENT_AUX & before or {"has", "have"} & before):
        return False
    return not (NEGATIONS & _clause_before(w, i) or FREQUENCY & set(w[max(0, i - 4) : i + 5]))


def _policy_used(w: list[str]) -> bool:
    """A procedure used on an occasion: "the escalation policy was used", "school followed the escalation process"."""
    for i, word in enumerate(w):
        if word in POLICY_VERBS and POLICY_NOUNS & set(w[max(0, i - 4) : i + 5]):
            before = set(w[max(0, i - 3) : i])
            if not (EVALUATIVE & set(w[i + 1 : i + 3]) or FREQUENCY & set(w[max(0, i - 4) : i + 5])
                    or MODALS & before or PRESENT_AUX & before or NEGATIONS & _clause_before(w, i)):
                return True
    return False


def _telegraphic(w: list[str], noun_starts: list[int]) -> bool:
    """A note-style event with no verb: "Joint visit by HV and SW.", "ED attendance with head injury."."""
    words = set(w)
    # "to" is left out here: in a note it is a direction ("call to duty"), not an infinitive.
    not_notes = PRESENT_AUX | (MODALS - {"to"}) | FREQUENCY | PLANNED
    if words & (not_notes | {"has", "have", "include", "includes", "was", "were"}):
        return False
    for start in noun_starts:
        if start <= 3:
            end = start + 1
            while end < len(w) and w[end] not in TELEGRAPHIC_LINKS and end - start < 3:
                end += 1
            if end < len(w) and w[end] in TELEGRAPHIC_LINKS:
                return True
    return False


def _existential(w: list[str], noun_starts: list[int]) -> bool:
    """ "There was a further police call-out": an event reported with no verb of its own."""
    for i in range(len(w) - 1):
        if w[i] == "there" and w[i + 1] in {"was", "were"}:
            return any(i + 1 < n <= i + 6 for n in noun_starts) and not NEGATIONS & set(w[i : i + 4])
    return False


def _sentence_is_event(w: list[str], raw: list[str], noun_starts: list[int], lemma) -> bool:
    verbs = [(i, label) for i in range(len(w)) if (label := _verb_label(w, i))]
    return (
        any(_verb_is_event(w, i, label, noun_starts) for i, label in verbs)
        or (not verbs and _telegraphic(w, noun_starts))
        or _existential(w, noun_starts)
        or _policy_used(w)
        or any(_actor_event(w, raw, i, lemma) for i in range(len(w)))
    )


def event_sentences(doc) -> list[str]:
    """The sentences of a parsed answer that report a specific event."""
    _, nouns, lemma = _matchers()
    raw_all = [t.text for t in doc]
    low_all = [t.lower() for t in raw_all]
    noun_starts_all = sorted(start for _, start, _ in nouns(doc))
    found: list[str] = []
    for sent in doc.sents:
        if AUDIT_WORK.search(sent.text):
            continue
        a, b = sent.start, sent.end
        noun_starts = [n - a for n in noun_starts_all if a <= n < b]
        if _sentence_is_event(low_all[a:b], raw_all[a:b], noun_starts, lemma):
            found.append(sent.text.strip())
    return found


def undated_event_sentences(texts: list[str], batch_size: int = 256) -> list[list[str]]:
    """For each answer text, its event sentences when the answer carries no date at all, else an empty list.

    Texts with a date (a date of birth aside) are not sent through spaCy; the rest go through one ``nlp.pipe``
    call, so a run can check every answer of many returns at once.
    """
    results: list[list[str]] = [[] for _ in texts]
    todo = [i for i, t in enumerate(texts) if t and t.strip() and not _dated(t)]
    if not todo:
        return results
    nlp, _, _ = _matchers()
    for i, doc in zip(todo, nlp.pipe((texts[i] for i in todo), batch_size=batch_size)):
        results[i] = event_sentences(doc)
    return results
