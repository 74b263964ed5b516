"""Extractors: one module per file format, each with one public ``extract(path, limits)``.

They return what a file literally says (a RawDocument) and know nothing of questions.
"""
