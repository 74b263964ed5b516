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
