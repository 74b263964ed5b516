"""``python -m pipeline.cli``: the same as the ``maap`` command."""

from pipeline.cli.main import main

main()
