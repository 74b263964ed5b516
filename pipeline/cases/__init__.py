"""Cases and audit rounds: which child each return is about, who was expected to return, and who has.

Owns ``agencies`` (agency names as written -> agency types, from pipeline/data/agencies.yaml and the workspace's
own agencies.yaml), ``names`` (reading a header's child field: names, initials, date of birth), ``register`` (the
optional WORKSPACE/cases.csv), ``linking`` (returns joined to cases, with a confidence and a method), ``rounds``
(audit rounds, and the earlier round on the same theme), ``select`` (each return's round, one round's returns)
and ``tracker`` (case x expected agency, and the chase list). May import models/, ``pipeline.text``,
``pipeline.dates`` and ``pipeline.store`` only (and rapidfuzz, PyYAML). Nothing here logs a name.
"""
