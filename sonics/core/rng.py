"""Seeded randomness: one child generator per stage, all from the run's seed.

Randomness in sonics only flows through :class:`numpy.random.Generator` objects made
here, so the same seed gives the same bytes on every machine.
"""

from __future__ import annotations

import zlib

import numpy as np

from sonics.core.errors import ParameterError

__all__ = ["MAX_SEED", "check_seed", "draw_seed", "stage_rng"]

MAX_SEED = 2**32 - 1


def check_seed(seed: int) -> int:
    """Return ``seed`` if it is an integer in ``[0, 2**32 - 1]``; raise ``ParameterError`` otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ParameterError(f"seed must be an integer in [0, {MAX_SEED}], got {seed!r}")
    return seed


def stage_rng(seed: int, stage: str) -> np.random.Generator:
    """Return the generator of one named stage (``"spotting"``, ``"sfx:whoosh"``, ...).

    Stages draw from independent streams, so adding a layer does not change the draws
    of another.
    """
    key = zlib.crc32(stage.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence([check_seed(seed), key]))


def draw_seed(rng: np.random.Generator) -> int:
    """Draw a seed for one rendered sound (recorded in plans so the sound can be re-made)."""
    return int(rng.integers(0, MAX_SEED, endpoint=True))
