"""Negation and hypotheticals: whether a theme's match in a sentence is denied, ruled out or only supposed.

"No concerns about DA", "denied any self-harm", "exploitation was ruled out", "checks with the drug service:
not known" and "would have referred if exploitation had been suspected" do not affirm the theme they name.
Rules in docs/themes.md ("Negation and hypotheticals"), tested in tests/test_themes.py.
"""

from __future__ import annotations

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


def is_negated(doc, start: int, end: int, sent, covered: set[int]) -> bool:
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
