"""Every stage of maap as plain functions, one subpackage per stage of the architecture drawing.

    intake/ ─▶ templates/ + mapping/ ─▶ validation/ ─▶ themes/ ─▶ store/ ─▶ outputs/
                                 (run.py drives a whole run; cli/ is the thin `maap` command line)

Shared helpers stay at this level: ``text`` (normalising wording), ``dates`` (the one date parser and its
day-first policy) and ``config`` (loading the run's settings at the edge). A stage imports only from stages
before it in the drawing and from these helpers; only ``run`` and ``cli`` see every stage.
"""
