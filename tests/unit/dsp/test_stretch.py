"""The time-stretch: exact lengths, pitch kept, transients kept in place and sharp."""

from __future__ import annotations

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.dsp.stretch import find_transients, time_stretch, warp

RATE = 48000


def _peak_hz(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.argmax(spectrum) * RATE / x.size)


@pytest.mark.parametrize("ratio", [0.94, 1.0005, 1.06])
def test_stretch_keeps_the_pitch_and_gives_the_exact_length(ratio):
    tone = np.sin(2 * np.pi * 440.0 * np.arange(RATE) / RATE).astype(np.float32)
    out = time_stretch(tone, ratio)
    assert out.shape == (round(RATE * ratio),)
    assert _peak_hz(out[2000:-2000]) == pytest.approx(440.0, abs=1.5)
    # No phasiness: the steady tone keeps a steady level.
    level = np.sqrt(np.convolve(out[4000:-4000] ** 2, np.ones(960) / 960, mode="valid"))
    assert level.min() > 0.9 * level.max()


def test_clicks_land_where_the_map_puts_them_and_stay_sharp():
    x = np.zeros((2, 4 * RATE), np.float32)
    hit = np.exp(-np.arange(2400) / 200.0) * np.sin(2 * np.pi * 1500 * np.arange(2400) / RATE)
    starts = [RATE // 2 + k * RATE // 2 for k in range(6)]
    for s in starts:
        x[:, s : s + hit.size] += hit
    # Anchors on the clicks: the first three 5 % slower, the next ones 4 % faster.
    in_pts = np.array([0.0, starts[0], starts[3], starts[5], x.shape[1]])
    out_pts = np.r_[0.0, starts[0], starts[0] + 1.05 * (starts[3] - starts[0])]
    out_pts = np.r_[out_pts, out_pts[-1] + 0.96 * (starts[5] - starts[3])]
    out_pts = np.r_[out_pts, out_pts[-1] + (x.shape[1] - starts[5])]
    n_out = round(out_pts[-1])
    y = warp(x, out_pts, in_pts, n_out)
    assert y.shape == (2, n_out)
    for k in (0, 3, 5):
        at = round(np.interp(starts[k], in_pts, out_pts))
        segment = y[0, at - 200 : at + hit.size]
        onset = int(np.argmax(np.abs(segment) > 0.05)) - 200
        assert abs(onset) <= 48  # within 1 ms
        # Copied, not smeared: the hit's waveform is the input's.
        corr = np.corrcoef(segment[200 : 200 + 1200], hit[:1200])[0, 1]
        assert corr > 0.99


def test_transients_are_found_near_the_onsets():
    x = np.zeros(2 * RATE)
    for s in (12000, 36000, 60000):
        x[s : s + 480] = np.hanning(960)[480:]
    found = find_transients(x, RATE)
    assert len(found) == 3
    assert np.all(np.abs(found - np.array([12000, 36000, 60000])) <= 300)


def test_a_bad_map_is_refused():
    with pytest.raises(ParameterError, match="increase"):
        warp(np.zeros(1000), [0, 0], [0, 10], 10)
    with pytest.raises(ParameterError, match="ratio"):
        time_stretch(np.zeros(1000), 3.0)
