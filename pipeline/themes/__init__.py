"""Themes: safeguarding themes found in answers, sentence by sentence, with the evidence behind each tag.

Owns ``codebook`` (the themes as YAML data and a partnership's overrides), ``nlp`` (the one module that imports
spaCy), ``tag`` (``tag_returns``), ``negation``, ``polarity``, ``people`` (names that decide whose words a sentence
reports), ``model`` (the trained second opinion), ``agreement`` (Cohen's kappa against reviewers) and ``qda``
(REFI-QDA export). May import models/ and ``pipeline.text`` only.
"""
