"""Outputs: what the partnership team reads and publishes, rebuilt from the records on every run.

Owns ``workbook`` (the cross-agency Excel workbook, the one module that imports openpyxl), ``report`` (the
headline-findings report, the one module that imports jinja2) with ``findings`` and ``charts``, ``pdf`` (the one
module that imports WeasyPrint), ``pseudonymise`` and ``names`` (who a return names). May import models/,
``pipeline.text`` and ``pipeline.dates``, and the pure-text rules it reports on (``pipeline.themes.polarity`` and
``people``, ``pipeline.validation.rules.actions``), never spaCy; it reads no files but records, the report
template and spacy-lookups-data's word lists.
"""
