"""``python -m sonics``: the command line."""

from sonics.cli import main

main()
