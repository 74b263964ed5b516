"""Templates: the audit tools maap knows (built-in YAML and a workspace's own), detecting which one a return is,
learning one from a blank form, and comparing two versions.

Owns ``registry`` (loading, validating, the JSON Schema), ``detect`` (scoring every template against a document),
``learn`` (blank form in, editable template out) and ``diff``. May import models/ and ``pipeline.text`` only.
"""
