"""Whoosh and swish physics: Strouhal resonance that follows the speed, aeolian tones of a blade."""

from __future__ import annotations

import numpy as np
import pytest

from sonics.sfx.generators.whoosh import STROUHAL, Swish, Whoosh, _every_few_frames

SR = 48_000
SEEDS = (0, 1, 2)


def _centroid_hz(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    return float(np.sum(np.fft.rfftfreq(x.size, 1 / SR) * spectrum) / np.sum(spectrum))


def _peak_hz(x: np.ndarray) -> float:
    n = 8 * x.size
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size), n))
    return float(np.fft.rfftfreq(n, 1 / SR)[np.argmax(spectrum)])


def _around(x: np.ndarray, centre: int, half_s: float) -> np.ndarray:
    half = round(half_s * SR)
    return x[centre - half : centre + half]


@pytest.mark.parametrize("seed", SEEDS)
def test_whoosh_centroid_rises_to_the_pass_and_falls(seed: int) -> None:
    whoosh = Whoosh(duration_s=0.8)
    audio = whoosh.render(np.random.default_rng(seed)).audio[0]
    early, late = (
        _centroid_hz(audio[round(0.08 * SR) : round(0.16 * SR)]),
        _centroid_hz(audio[-round(0.12 * SR) :]),
    )
    at_peak = _centroid_hz(_around(audio, round(whoosh.peak_s * SR), 0.04))
    assert at_peak > 1.6 * early
    assert at_peak > 1.6 * late


@pytest.mark.parametrize("seed", SEEDS)
def test_faster_whoosh_is_brighter(seed: int) -> None:
    centroids = []
    for speed in (10.0, 30.0, 60.0):
        sound = Whoosh(speed_m_s=speed).render(np.random.default_rng(seed))
        centroids.append(_centroid_hz(_around(sound.audio[0], sound.sync_sample, 0.025)))
    assert centroids[0] < centroids[1] < centroids[2]
    assert centroids[2] > 2.5 * centroids[0]
    # intensity is a faster pass, not only a louder one
    soft = Whoosh(intensity=0.2).render(np.random.default_rng(seed))
    hard = Whoosh(intensity=1.0).render(np.random.default_rng(seed))
    assert _centroid_hz(_around(hard.audio[0], hard.sync_sample, 0.025)) > 1.2 * _centroid_hz(
        _around(soft.audio[0], soft.sync_sample, 0.025)
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_whoosh_level_swells_into_the_pass(seed: int) -> None:
    sound = Whoosh(duration_s=1.0).render(np.random.default_rng(seed))
    audio = sound.audio[0].astype(np.float64)

    def rms(a: np.ndarray) -> float:
        return float(np.sqrt(np.mean(a**2)))

    at_pass = rms(_around(audio, sound.sync_sample, 0.01))
    assert rms(audio[round(0.1 * SR) : round(0.15 * SR)]) < 0.1 * at_pass  # -20 dB well before
    assert rms(audio[-round(0.1 * SR) :]) < 0.1 * at_pass


@pytest.mark.parametrize("seed", SEEDS)
def test_swish_sings_at_the_strouhal_frequency_of_its_tip(seed: int) -> None:
    swish = Swish(tip_speed_m_s=40.0, blade_thickness_m=0.006)
    sound = swish.render(np.random.default_rng(seed))
    window = _around(sound.audio[0].astype(np.float64), sound.sync_sample, 0.02)
    expected = STROUHAL * 40.0 / 0.006  # 1333 Hz at the tip at full speed
    assert _peak_hz(window) == pytest.approx(expected, rel=0.15)
    # aeolian tones are narrow: the peak stands far above the broadband floor
    spectrum = np.abs(np.fft.rfft(window * np.hanning(window.size), 4 * window.size)) ** 2
    freqs = np.fft.rfftfreq(4 * window.size, 1 / SR)
    band = (freqs > 200) & (freqs < 8000)
    assert spectrum[band].max() > 50 * np.median(spectrum[band])
    # half the thickness, twice the frequency
    thin = Swish(tip_speed_m_s=40.0, blade_thickness_m=0.003).render(np.random.default_rng(seed))
    ratio = _peak_hz(_around(thin.audio[0].astype(np.float64), thin.sync_sample, 0.02)) / _peak_hz(window)
    assert 1.7 < ratio < 2.4


def test_swish_sources_sit_along_the_blade() -> None:
    radii = Swish(blade_length_m=0.9, blade_thickness_m=0.006).source_radii_m()
    assert radii.size == 8
    assert radii[0] == pytest.approx(1.5)  # arm 0.6 m + blade 0.9 m
    assert np.allclose(np.diff(radii[:6]), -7 * 0.006)  # six tip sources, seven thicknesses apart
    assert radii[-1] == pytest.approx(0.6)  # one at the hilt


@pytest.mark.parametrize("every", [2, 3, 5])
@pytest.mark.parametrize("n_frames", [1, 2, 3, 7, 11, 16])
def test_spectrum_every_few_frames_is_exact_where_linear_in_time(every: int, n_frames: int) -> None:
    freqs_hz = np.arange(4, dtype=np.float32)[np.newaxis, :] * 1000
    times_s = (np.arange(n_frames, dtype=np.float32) * 0.0107)[:, np.newaxis]

    def ramp(f: np.ndarray, t: np.ndarray) -> np.ndarray:
        return (1.0 + f / 1000 + 30.0 * t).astype(np.float32)

    coarse = _every_few_frames(ramp, every)(freqs_hz, times_s)
    assert coarse.shape == (n_frames, 4)
    np.testing.assert_allclose(coarse, ramp(freqs_hz, times_s), rtol=1e-6)
