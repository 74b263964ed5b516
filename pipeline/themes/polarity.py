"""Polarity: whether a tagged sentence reads as a strength or a concern, from cue words and the question asked."""

from __future__ import annotations

from pipeline.text import normalise

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
