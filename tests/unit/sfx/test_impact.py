"""Body impact physics: a broadband transient, a thump gliding down, sub and tail that grow with size."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from sonics.sfx.generators.impact import BodyImpact

SR = 48_000
SEEDS = (0, 1, 2)


def _render(seed: int, **fields: float) -> np.ndarray:
    return BodyImpact(**fields).render(np.random.default_rng(seed)).audio[0].astype(np.float64)


def _band(x: np.ndarray, low_hz: float, high_hz: float) -> np.ndarray:
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    return np.fft.irfft(spectrum * ((freqs >= low_hz) & (freqs < high_hz)), x.size)


def _share(x: np.ndarray, low_hz: float, high_hz: float) -> float:
    return float(np.sum(_band(x, low_hz, high_hz) ** 2) / np.sum(x**2))


def _envelope(x: np.ndarray, window_s: float = 0.001) -> np.ndarray:
    window = round(window_s * SR)
    return np.sqrt(np.convolve(x**2, np.ones(window) / window, mode="same"))


def _peak_hz(x: np.ndarray, high_hz: float) -> float:
    n = 16 * x.size
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size), n))
    freqs = np.fft.rfftfreq(n, 1 / SR)
    return float(freqs[freqs < high_hz][np.argmax(spectrum[freqs < high_hz])])


@pytest.mark.parametrize("seed", SEEDS)
def test_transient_is_broadband_and_first(seed: int) -> None:
    x = _render(seed)
    high = _envelope(signal.sosfilt(signal.butter(4, 3000.0, "highpass", fs=SR, output="sos"), x))
    assert int(np.argmax(high)) < round(0.002 * SR)  # the high end peaks within 2 ms
    assert high[round(0.05 * SR)] < 0.25 * high.max()  # and is over 12 dB down 50 ms later
    # harder surfaces click brighter
    soft, hard = _render(seed, hardness=0.0)[:240], _render(seed, hardness=1.0)[:240]
    assert _share(hard, 3000, 24000) > 1.4 * _share(soft, 3000, 24000)


@pytest.mark.parametrize("seed", SEEDS)
def test_body_thump_glides_down(seed: int) -> None:
    x = _render(seed, intensity=0.5)
    early = _peak_hz(x[round(0.003 * SR) : round(0.03 * SR)], 500.0)
    later = _peak_hz(x[round(0.06 * SR) : round(0.14 * SR)], 500.0)
    assert early > 1.15 * later


@pytest.mark.parametrize("seed", SEEDS)
def test_bigger_hits_have_more_sub_and_a_longer_tail(seed: int) -> None:
    big, small = _render(seed, intensity=1.0), _render(seed, intensity=0.2)
    assert _share(big, 0, 100) > 0.5  # real weight below 100 Hz
    assert _share(big, 0, 100) > _share(small, 0, 100) + 0.15

    def ring_s(x: np.ndarray) -> float:  # last time the 10 ms envelope is within 40 dB of its peak
        env = _envelope(x, 0.01)
        return float(np.flatnonzero(env > 0.01 * env.max())[-1] / SR)

    assert ring_s(big) > 2.0 * ring_s(small)
