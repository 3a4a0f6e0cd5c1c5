"""``python -m indexer`` runs the same command line as ``newsfind``."""

from .cli.commands import main

main()
