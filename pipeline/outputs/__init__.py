"""Outputs: what the partnership team reads, rebuilt from the records on every run.

Owns ``workbook`` (the cross-agency Excel workbook, the one module that imports openpyxl), ``report`` (the
summary report, the one module that imports jinja2) and ``pseudonymise``. May import models/ and
``pipeline.text`` only; it never reads files other than records.
"""
