"""Errors raised by sonics.

Every error a user can cause is a :class:`SonicsError`; the command line prints its
message on one line (no traceback) and exits with code 1.
"""

from __future__ import annotations

__all__ = ["ExportError", "MediaError", "ParameterError", "PresetError", "SonicsError"]


class SonicsError(Exception):
    """Base class of every error sonics raises on purpose."""


class ParameterError(SonicsError, ValueError):
    """A function argument is outside its domain."""


class MediaError(SonicsError):
    """A media or timeline file cannot be read, or holds nothing usable."""


class PresetError(SonicsError):
    """A preset file is invalid; ``problems`` lists every problem with its key path."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid preset {source}: {len(self.problems)} problem(s)\n{lines}")


class ExportError(SonicsError):
    """An output file cannot be written."""
