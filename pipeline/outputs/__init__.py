"""Outputs: what the partnership team reads, rebuilt from the records on every run.

Owns the cross-agency Excel workbook (``workbook``, built from ``sheets``, ``summary_sheet`` and ``learning``;
openpyxl is imported in ``excel`` and ``summary_sheet`` only), the reviewers' corrections kept across rebuilds
(``reviews``, plain data), the summary report (``report``, the one module that imports jinja2) and
``pseudonymise``. May import models/, ``pipeline.text``, ``pipeline.dates`` and, for learning actions,
``pipeline.validation.rules.actions``; it reads only records, the workbook it wrote and reviews.jsonl.
"""
