"""Intake: from a file in the inbox to a record or a quarantined original with a reason, never losing one.

Owns ``plan`` (what in the inbox is new, preflight, one file's outcome), ``process`` (one return read: extract,
detect the template, map, validate, tag, score), ``isolation`` (reading in reader processes the run can stop),
``reader_cleanup`` (stopping what readers started), ``email`` (opening .eml and .msg into attachments),
``email_intake`` (each attachment of an email read as its own return) and ``imap`` (fetching emails into the
inbox). May import extractors/, models/, ``pipeline.store`` and
the reading stages (``templates``, ``mapping``, ``validation``, ``themes``).
"""
