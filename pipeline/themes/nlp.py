"""The one module that imports spaCy: loads an English pipeline once per process, offline."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def load_nlp(prefer_trained: bool = True):
    """Return a spaCy pipeline with sentences and lemmas that runs offline.

    Uses ``en_core_web_sm`` when it is installed (and ``prefer_trained``), otherwise a blank English
    pipeline with the rule sentencizer and the lookup lemmatizer from ``spacy-lookups-data``.
    """
    import spacy

    if prefer_trained:
        try:
            return spacy.load("en_core_web_sm", disable=["ner"])
        except OSError:
            pass
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def matcher_classes():
    """spaCy's (PhraseMatcher, Matcher) classes, so that no other module needs to import spaCy."""
    from spacy.matcher import Matcher, PhraseMatcher

    return PhraseMatcher, Matcher


def lower_lemma_lookup(nlp):
    """A function from a lower-case word to its lower-case lemma, or None when the pipeline has no lookup table.

    The lookup lemmatizer is case-sensitive ("Neglected" stays "Neglected"), so matching on lemmas
    needs the lemma of the lower-cased word.
    """
    if "lemmatizer" not in nlp.pipe_names:
        return None
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_lookup"):
        return None
    table = lookups.get_table("lemma_lookup")
    return lambda word: table.get(word, word)
