"""Thunder and boom physics: energy low, a crack of N-waves then a long rumble; a chirped thump."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from sonics.sfx.generators.thunder import Boom, Thunder, n_wave_train

SR = 48_000
SEEDS = (0, 1, 2)


def _render(generator: object, seed: int) -> np.ndarray:
    return generator.render(np.random.default_rng(seed)).audio[0].astype(np.float64)  # type: ignore[attr-defined]


def _share(x: np.ndarray, low_hz: float, high_hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    return float(spectrum[(freqs >= low_hz) & (freqs < high_hz)].sum() / spectrum.sum())


def _envelope(x: np.ndarray, window_s: float) -> np.ndarray:
    window = round(window_s * SR)
    return np.sqrt(np.convolve(x**2, np.ones(window) / window, mode="same"))


def test_n_wave_shape_is_exact_and_dc_free() -> None:
    x = n_wave_train(40, np.array([2, 20]), np.array([10, 8]), np.array([1.0, -0.5]))
    expected = np.zeros(40)
    expected[2:12] = 1.0 * (1 - (2 * np.arange(10) + 1) / 10)
    expected[20:28] = -0.5 * (1 - (2 * np.arange(8) + 1) / 8)
    assert np.allclose(x, expected, atol=1e-12)
    assert abs(x.sum()) < 1e-12
    # thousands of pulses cost one pass, and still end at exactly zero
    rng = np.random.default_rng(0)
    many = n_wave_train(SR, rng.integers(0, SR - 2000, 5000), rng.integers(2, 1500, 5000), rng.random(5000))
    assert abs(many[-1]) < 1e-9 and abs(many.sum()) < 1e-6


@pytest.mark.parametrize("seed", SEEDS)
def test_thunder_is_low_with_a_crack_then_a_long_rumble(seed: int) -> None:
    x = _render(Thunder(duration_s=6.0), seed)
    assert _share(x, 0, 300) > 0.8  # its energy is low
    high = signal.sosfilt(signal.butter(4, 2000.0, "highpass", fs=SR, output="sos"), x) ** 2
    assert high[: round(0.3 * SR)].sum() > 0.6 * high.sum()  # the crack carries the high end
    env = _envelope(x, 0.05)
    assert env[3 * SR] > 10 ** (-40 / 20) * env.max()  # still rolling at 3 s
    assert env[round(5.5 * SR)] < env[SR]  # and dying away


@pytest.mark.parametrize("seed", SEEDS)
def test_far_thunder_is_duller(seed: int) -> None:
    near = _render(Thunder(distance_m=500.0), seed)
    far = _render(Thunder(distance_m=5000.0), seed)
    assert _share(far, 1000, 24000) < 0.5 * _share(near, 1000, 24000)


@pytest.mark.parametrize("seed", SEEDS)
def test_boom_chirps_down_into_a_long_sub_tail(seed: int) -> None:
    x = _render(Boom(duration_s=3.0, pitch_hz=45.0), seed)
    assert _share(x, 0, 300) > 0.9

    def peak_hz(seg: np.ndarray) -> float:
        n = 16 * seg.size
        spectrum = np.abs(np.fft.rfft(seg * np.hanning(seg.size), n))
        freqs = np.fft.rfftfreq(n, 1 / SR)
        return float(freqs[freqs < 1000][np.argmax(spectrum[freqs < 1000])])

    assert peak_hz(x[: round(0.03 * SR)]) > 2.0 * peak_hz(x[round(0.2 * SR) : round(0.5 * SR)])
    assert peak_hz(x[round(0.2 * SR) : round(0.5 * SR)]) == pytest.approx(45.0, rel=0.15)

    def ring_s(y: np.ndarray) -> float:
        env = _envelope(y, 0.01)
        return float(np.flatnonzero(env > 0.01 * env.max())[-1] / SR)

    assert ring_s(x) > 1.5 * ring_s(_render(Boom(duration_s=3.0, intensity=0.2), seed))
