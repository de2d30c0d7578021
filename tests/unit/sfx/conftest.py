"""Checks every generator's output must pass: length, level, DC, clicks, finiteness, determinism."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sonics.core.sound import Sound

PEAK_6DB = 10 ** (-6 / 20)
SR = 48_000


def assert_clean(
    sound: Sound,
    *,
    n_samples: int,
    peak: float = PEAK_6DB,
    channels: int | None = None,
    click_ratio: float = 10.0,
) -> None:
    """Length, exact peak, finite float32, no DC, a tail faded to zero, no clicks."""
    audio = sound.audio
    assert audio.dtype == np.float32
    assert audio.shape[1] == n_samples
    if channels is not None:
        assert audio.shape[0] == channels
    assert np.all(np.isfinite(audio))
    assert float(np.max(np.abs(audio))) == pytest.approx(peak, abs=1e-6)
    assert float(np.max(np.abs(audio))) <= 1.0
    assert abs(float(np.mean(audio, dtype=np.float64))) < 1e-3 * peak
    # the sound fades to zero at its end: no jump when it stops
    assert float(np.max(np.abs(audio[:, -1]))) < 1e-3 * peak
    assert float(np.sqrt(np.mean(audio[:, -round(0.0005 * SR) :] ** 2))) < 0.05 * peak
    # no sample-to-sample step much bigger than the steps within +-1 ms around it (those two
    # samples left out): a click stands out of its neighbourhood, bright noise does not; steps
    # below -66 dB re the peak are ignored
    step = np.abs(np.diff(audio.astype(np.float64), axis=1))
    power = np.mean(step**2, axis=0)
    width = round(0.001 * SR)
    around = np.convolve(power, np.ones(2 * width + 1), mode="same") - np.convolve(
        power, np.ones(5), mode="same"
    )
    local = np.sqrt(np.maximum(around, 0.0) / (2 * width - 4))
    assert np.all(step <= click_ratio * local + 1e-3 * peak)


def assert_deterministic(make_sound, *, seeds=(1, 2)) -> None:
    """Same seed: identical samples; another seed: different samples."""
    a = make_sound(np.random.default_rng(seeds[0])).audio
    b = make_sound(np.random.default_rng(seeds[0])).audio
    c = make_sound(np.random.default_rng(seeds[1])).audio
    assert np.array_equal(a, b)
    assert a.shape != c.shape or not np.array_equal(a, c)


def envelope_db(x: np.ndarray, window_ms: float = 1.0) -> np.ndarray:
    """Centred RMS envelope of a mono or multichannel signal in dB re its maximum."""
    power = np.mean(np.atleast_2d(x).astype(np.float64) ** 2, axis=0)
    width = max(1, round(window_ms * SR / 1000))
    env = np.sqrt(np.convolve(power, np.ones(width) / width, mode="same"))
    return 20 * np.log10(env / env.max() + 1e-12)


def onsets(
    x: np.ndarray, *, threshold_db: float = -16.0, rearm_db: float = -24.0, refractory_s: float = 0.035
):
    """Times (s) where the 2 ms envelope rises through ``threshold_db`` (re its max), each
    after the smoother 8 ms envelope fell below ``rearm_db`` and ``refractory_s`` after the last."""
    env = envelope_db(x, 2.0)
    smooth = envelope_db(x, 8.0)
    ups = np.flatnonzero((env[1:] >= threshold_db) & (env[:-1] < threshold_db)) + 1
    found: list[int] = []
    for i in ups:
        if found and ((i - found[-1]) / SR < refractory_s or smooth[found[-1] : i].min() >= rearm_db):
            continue
        found.append(int(i))
    return np.asarray(found) / SR


def centroid_hz(x: np.ndarray) -> float:
    """Spectral centroid of a mono or multichannel excerpt (Hz)."""
    mono = np.mean(np.atleast_2d(x), axis=0)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(mono.size)))
    freqs = np.fft.rfftfreq(mono.size, 1 / SR)
    return float(np.sum(freqs * spectrum) / np.sum(spectrum))


@pytest.fixture
def checks() -> SimpleNamespace:
    """The shared assertions and measurements, as ``checks.assert_clean(...)`` and so on."""
    return SimpleNamespace(
        SR=SR,
        PEAK_6DB=PEAK_6DB,
        assert_clean=assert_clean,
        assert_deterministic=assert_deterministic,
        envelope_db=envelope_db,
        onsets=onsets,
        centroid_hz=centroid_hz,
    )
