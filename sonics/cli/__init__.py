"""The ``sonics`` command line. It parses options, calls the library, and reports; no logic of its own.

Exit codes: 0 on success, 1 on a sonics error (one line on stderr, no traceback; add
``--debug`` to see it), 2 on a usage error. One module per command; importing this package
registers them all on :data:`cli`.
"""

from __future__ import annotations

import sys

import click

from sonics.cli import analyze, batch, fit_music, music, presets, score, sfx, tempo  # noqa: F401
from sonics.cli._app import cli

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the ``sonics`` console script)."""
    try:
        cli.main(args=argv, prog_name="sonics", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("sonics: interrupted", err=True)
        sys.exit(130)
