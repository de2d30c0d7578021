from __future__ import annotations

import itertools

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.dsp.sync import onset_sample, peak_sample
from sonics.sfx.generators.designed import Braam, Riser

SR = 48_000


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    "riser", [Riser(), Riser(duration_s=1.0, release_s=0.05, intensity=0.3, octaves=0.5)]
)
def test_riser_is_clean_and_syncs_on_its_designed_peak(checks, riser: Riser, seed: int) -> None:
    sound = riser.render(np.random.default_rng(seed))
    peak = checks.PEAK_6DB * 10 ** (6 * (riser.intensity - 1) / 20)
    # the saws have steep (band-limited) edges: allow them
    checks.assert_clean(
        sound, n_samples=round(riser.duration_s * SR), channels=1, peak=peak, click_ratio=25.0
    )
    assert sound.sync_sample == peak_sample(sound.audio, SR)
    assert abs(sound.sync_sample - round(riser.peak_s * SR)) <= round(0.005 * SR)


def test_riser_rises_in_brightness_pitch_and_level(checks) -> None:
    riser = Riser(duration_s=4.0, release_s=0.2)
    audio = riser.render(np.random.default_rng(4)).audio
    quarters = [audio[:, round(i * 0.95 * SR) : round((i + 1) * 0.95 * SR)] for i in range(4)]
    centroids = [checks.centroid_hz(q) for q in quarters]
    levels = [float(np.sqrt(np.mean(q**2))) for q in quarters]
    assert all(a < b for a, b in itertools.pairwise(centroids))
    assert centroids[3] > 1.8 * centroids[0]
    assert all(a < b for a, b in itertools.pairwise(levels))
    # after the peak it falls away fast
    after = audio[:, round((riser.peak_s + riser.release_s * 0.75) * SR) :]
    assert np.max(np.abs(after)) < 0.1 * np.max(np.abs(audio))


def test_riser_same_seed_same_samples(checks) -> None:
    checks.assert_deterministic(lambda rng: Riser(duration_s=1.0).render(rng))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_braam_is_clean_and_syncs_on_its_first_sample(checks, seed: int) -> None:
    sound = Braam(duration_s=2.0).render(np.random.default_rng(seed))
    # the distorted saws have steep (band-limited) edges: allow them
    checks.assert_clean(sound, n_samples=2 * SR, channels=2, click_ratio=25.0)
    assert sound.sync_sample == 0
    assert onset_sample(sound.audio, SR) == 0


def test_braam_is_a_low_cluster_that_opens_then_closes() -> None:
    braam = Braam(duration_s=4.0, pitch_hz=41.2)
    audio = braam.render(np.random.default_rng(2)).audio.mean(axis=0).astype(np.float64)

    def spectrum(a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
        seg = audio[round(a * SR) : round(b * SR)]
        return np.fft.rfftfreq(seg.size, 1 / SR), np.abs(np.fft.rfft(seg * np.hanning(seg.size))) ** 2

    freqs, power = spectrum(0.0, 4.0)
    assert power[freqs < 500].sum() > 0.7 * power.sum()  # low and heavy
    freqs, power = spectrum(0.5, 2.5)
    for ratio in (1.0, 1.5, 2.0, 3.0):  # root, fifth, octave, twelfth
        near = np.abs(freqs - 41.2 * ratio) < 2.0
        around = (np.abs(freqs - 41.2 * ratio) > 4.0) & (np.abs(freqs - 41.2 * ratio) < 9.0)
        assert power[near].max() > 10 * np.median(power[around])

    def bright(a: float, b: float) -> float:
        f, p = spectrum(a, b)
        return float(p[f > 1000].sum() / p.sum())

    assert bright(0.15, 0.45) > 3 * bright(3.0, 3.6)


def test_braam_same_seed_same_samples(checks) -> None:
    checks.assert_deterministic(lambda rng: Braam(duration_s=1.0).render(rng))


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Riser(duration_s=0.2), "duration_s"),
        (lambda: Riser(duration_s=1.0, release_s=0.8), "release_s"),
        (lambda: Riser(pitch_hz=5.0), "pitch_hz"),
        (lambda: Riser(octaves=5.0), "octaves"),
        (lambda: Braam(duration_s=40.0), "duration_s"),
        (lambda: Braam(pitch_hz=200.0), "pitch_hz"),
        (lambda: Braam(intensity=1.5), "intensity"),
    ],
)
def test_bad_fields_are_refused(make, field: str) -> None:
    with pytest.raises(ParameterError, match=field):
        make()
