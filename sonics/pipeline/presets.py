"""Check a preset completely: its schema (``sonics.presets``) and what only the stages know."""

from __future__ import annotations

import os

from sonics.presets import Preset, load_preset
from sonics.sfx.plan import check_layers

__all__ = ["check_preset"]


def check_preset(preset: str | os.PathLike[str]) -> Preset:
    """Load a preset and check it against every stage.

    Returns
    -------
    Preset
        The loaded preset, when it has no problem.

    Raises
    ------
    PresetError
        Listing every problem with its key path.
    """
    loaded = load_preset(preset)
    check_layers(loaded)
    return loaded
