"""The `maap` command line: a thin wrapper over the stages. Errors are one line, never a traceback.

Owns ``main`` (the command group, run, status, extract, outputs, serve, demo), ``templates`` and ``codebook``
(their subcommands) and ``mail`` (fetch-mail). May import every stage; holds no business logic.
"""

from pipeline.cli.main import main

__all__ = ["main"]
