"""Arrow physics: Doppler by a retarded-time delay line, 1/r level and air absorption; a volley."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from sonics.dsp.delay import SPEED_OF_SOUND_M_S
from sonics.sfx.generators.arrows import ArrowFlyby, ArrowVolley, air_cutoff_hz

SR = 48_000
SEEDS = (0, 1, 2)


def _whistle_hz(x: np.ndarray, low_hz: float, high_hz: float) -> float:
    """Peak of the averaged (Welch) spectrum between two frequencies."""
    freqs, power = signal.welch(x, SR, nperseg=4096, noverlap=3072)
    smooth = np.convolve(power, np.ones(5) / 5, mode="same")
    band = (freqs > low_hz) & (freqs < high_hz)
    return float(freqs[band][np.argmax(smooth[band])])


def _centroid_hz(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    return float(np.sum(np.fft.rfftfreq(x.size, 1 / SR) * spectrum) / np.sum(spectrum))


@pytest.mark.parametrize("seed", SEEDS)
def test_flyby_pitch_falls_by_the_doppler_ratio(seed: int) -> None:
    speed = 60.0
    arrow = ArrowFlyby(duration_s=1.6, peak_fraction=0.5, speed_m_s=speed, miss_distance_m=2.0)
    x = arrow.render(np.random.default_rng(seed)).audio[0].astype(np.float64)
    approach = _whistle_hz(x[round(0.15 * SR) : round(0.65 * SR)], 800.0, 4000.0)
    recede = _whistle_hz(x[round(0.95 * SR) : round(1.45 * SR)], 500.0, 3000.0)
    # the arrow is 9..39 m away in those windows: within 3 % of head-on, so cos(angle) ≈ 0.99
    c, v = SPEED_OF_SOUND_M_S, 0.99 * speed
    assert approach == pytest.approx(arrow.whistle_hz / (1 - v / c), rel=0.06)
    assert recede == pytest.approx(arrow.whistle_hz / (1 + v / c), rel=0.06)
    assert approach / recede == pytest.approx((c + v) / (c - v), rel=0.08)


@pytest.mark.parametrize("seed", SEEDS)
def test_flyby_level_and_brightness_follow_distance(seed: int) -> None:
    near = ArrowFlyby(miss_distance_m=2.0).render(np.random.default_rng(seed))
    far = ArrowFlyby(miss_distance_m=30.0).render(np.random.default_rng(seed))

    def around(sound: object, half_s: float = 0.02) -> np.ndarray:
        at, half = sound.sync_sample, round(half_s * SR)  # type: ignore[attr-defined]
        return sound.audio[0, at - half : at + half].astype(np.float64)  # type: ignore[attr-defined]

    assert _centroid_hz(around(far)) < 0.75 * _centroid_hz(around(near))  # air absorption
    # a close pass is a sharp swell: 0.3 s before it the arrow is ~20 m away, 1/r is -20 dB
    x = near.audio[0].astype(np.float64)
    rms_pass = np.sqrt(np.mean(around(near, 0.005) ** 2))
    before = x[near.sync_sample - round(0.32 * SR) : near.sync_sample - round(0.28 * SR)]
    assert np.sqrt(np.mean(before**2)) < 0.15 * rms_pass


def test_air_cutoff_closes_with_distance() -> None:
    cutoffs = air_cutoff_hz(np.array([0.0, 6.0, 25.0, 70.0]))
    assert cutoffs[0] == 20_000.0 and cutoffs[1] == 10_000.0
    assert np.all(np.diff(cutoffs) < 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_volley_is_a_wide_hail_after_a_distant_release(seed: int) -> None:
    volley = ArrowVolley(duration_s=3.0, peak_fraction=0.6, n_arrows=24)
    sound = volley.render(np.random.default_rng(seed))
    left, right = sound.audio.astype(np.float64)
    assert abs(np.corrcoef(left, right)[0, 1]) < 0.95  # arrows on every side, not a mono copy
    # the bows: low string energy 1.4 s before the hero arrow, absent without the release
    quiet = ArrowVolley(duration_s=3.0, peak_fraction=0.6, n_arrows=24, release=False)
    silent = quiet.render(np.random.default_rng(seed)).audio.astype(np.float64).sum(axis=0)
    start = round((volley.peak_s - 1.4) * SR)

    def strings(x: np.ndarray) -> float:
        seg = x[start : start + round(0.3 * SR)]
        spectrum = np.abs(np.fft.rfft(seg)) ** 2
        freqs = np.fft.rfftfreq(seg.size, 1 / SR)
        return float(spectrum[(freqs > 80) & (freqs < 400)].sum())

    assert strings(left + right) > 10.0 * strings(silent)

    # more arrows, more sound around the hero (relative to its peak)
    def hail(n_arrows: int) -> float:
        many = ArrowVolley(duration_s=3.0, n_arrows=n_arrows, release=False).render(
            np.random.default_rng(seed)
        )
        x = many.audio.astype(np.float64).sum(axis=0)
        ring = np.r_[x[round(1.2 * SR) : round(1.7 * SR)], x[round(1.9 * SR) : round(2.4 * SR)]]
        return float(np.sqrt(np.mean(ring**2)) / np.max(np.abs(x)))

    assert hail(60) > 1.5 * hail(3)
