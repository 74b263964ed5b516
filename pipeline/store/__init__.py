"""Store: the workspace on disk (a public contract), its append-only ledger, and what became of every file.

Owns ``workspace`` (folders, atomic writes, the ledger), ``lock`` (one run at a time per workspace) and
``status`` (every file's outcome, which records are current). May import models/ and ``pipeline.text`` only.
"""
