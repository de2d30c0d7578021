"""Beds render into a given array (a stem buffer) exactly what they render on their own."""

from __future__ import annotations

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.sfx.generators import GENERATORS

SR = 48_000
BEDS = sorted(name for name, g in GENERATORS.items() if g.kind == "bed")


@pytest.mark.parametrize("name", BEDS)
def test_a_bed_rendered_into_an_interleaved_stem_is_the_same_sound(name):
    bed = GENERATORS[name](duration_s=1.5, intensity=0.8)
    alone = bed.render(np.random.default_rng(4), SR)
    stem = np.full((SR * 3 // 2, 2), 7.0, dtype=np.float32).T  # not silent: the bed overwrites its rows
    into = bed.render(np.random.default_rng(4), SR, out=stem)
    assert np.shares_memory(into.audio, stem) and into.sync_sample == alone.sync_sample
    np.testing.assert_array_equal(into.audio, alone.audio)
    if alone.audio.shape[0] == 1:
        assert np.all(stem[1] == 7.0)


def test_a_mono_bed_uses_the_first_row_and_a_wrong_array_is_refused():
    herd_of_one = GENERATORS["hooves"](n_horses=1, duration_s=1.0)
    stem = np.zeros((2, SR), dtype=np.float32)
    assert herd_of_one.render(np.random.default_rng(0), SR, out=stem).audio.shape == (1, SR)
    with pytest.raises(ParameterError, match="out must be float32"):
        herd_of_one.render(np.random.default_rng(0), SR, out=np.zeros((2, SR - 1), dtype=np.float32))
    with pytest.raises(ParameterError, match="out must be float32"):
        GENERATORS["wind"](duration_s=1.0).render(
            np.random.default_rng(0), SR, out=np.zeros((1, SR), np.float32)
        )
