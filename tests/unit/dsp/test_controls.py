from __future__ import annotations

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.dsp.controls import SmoothRandom, expand


def test_smooth_random_wanders_inside_its_band_with_unit_rms() -> None:
    control = SmoothRandom.draw(np.random.default_rng(0), low_hz=0.1, high_hz=0.5, n_components=8)
    assert np.all((control.freqs_hz >= 0.1) & (control.freqs_hz <= 0.5))
    t = np.arange(0.0, 2000.0, 0.05)
    x = control(t)
    assert np.sqrt(np.mean(x**2)) == pytest.approx(1.0, rel=0.1)
    assert np.max(np.abs(x)) <= control.bound
    # the same control read in two pieces is the same curve: no state
    assert np.array_equal(control(t[:100]), x[:100])
    # slow: consecutive values 50 ms apart barely move
    assert np.max(np.abs(np.diff(x))) < 2 * np.pi * 0.5 * 0.05 * control.bound
    with pytest.raises(ParameterError):
        SmoothRandom.draw(np.random.default_rng(0), low_hz=1.0, high_hz=0.5)


def test_expand_makes_rare_peaks() -> None:
    x = SmoothRandom.draw(np.random.default_rng(1), low_hz=0.2, high_hz=1.0)(np.arange(0.0, 600.0, 0.01))
    y = expand(x, 4.0, low=-2.5, high=2.5)
    assert y.min() >= 0.0 and y.max() <= 1.0
    # raised to the 4th power: the median is far below the peaks
    assert np.median(y) < 0.2 * np.percentile(y, 99.5)
    assert expand(np.array([-3.0, 3.0]), 2.0).tolist() == [0.0, 1.0]  # clipped
    with pytest.raises(ParameterError):
        expand(x, 0.0)
