"""Validation: data-quality flags for one return, returned as data, never raised, and its 0-100 quality score.

Owns ``validate`` (the list of rules and their severities), ``rules/`` (one small function per check, grouped by
what they read) and ``quality``. May import models/, ``pipeline.text``, ``pipeline.dates`` and, for sentence
splitting in the undated-event rule, ``pipeline.themes.nlp``.
"""
