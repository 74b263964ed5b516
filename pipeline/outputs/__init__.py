"""Outputs: what the partnership team reads and publishes, rebuilt from the records on every run.

Owns the cross-agency Excel workbook (``workbook``, built from ``sheets``, ``summary_sheet``, ``learning`` and
``tracker_sheets``, and the Section 11 / 175 sheets from ``self_assessment`` and ``self_assessment_sheets``;
openpyxl is imported in ``excel``, ``summary_sheet``, ``tracker_sheets`` and ``self_assessment_sheets`` only), the
reviewers' corrections kept across rebuilds (``reviews``, plain data), the headline-findings report (``report``
with ``findings`` and ``charts``) and the audit-day pack (``pack``), both rendered with jinja2, ``pdf`` (the one
module that imports WeasyPrint), and ``pseudonymise`` with ``names`` (who a return names). May import models/,
``pipeline.text``, ``pipeline.dates``, ``pipeline.cases`` and the pure-text rules it reports on
(``pipeline.themes.polarity`` and ``people``, ``pipeline.validation.rules.actions``), never spaCy; it reads only
records, the workbook it wrote, reviews.jsonl, the report template and spacy-lookups-data's word lists.
"""
