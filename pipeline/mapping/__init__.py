"""Mapping: placing what a file literally says under a template's header fields, questions and grade. Done once.

Owns ``layout`` (a RawDocument flattened into units and lines, choices and emphasis), ``labels`` (recognising
question wordings and header labels fuzzily), ``headers`` (two 'Label: value' pairs on one line; header fields the template
lacks, kept by the form's label), ``grids`` (section x sub-question tables), ``grades`` (the overall grade however it was marked) and ``place``
(``map_document``: everything under its question). May import models/ and ``pipeline.text`` only.
"""
