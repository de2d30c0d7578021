from __future__ import annotations

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.sfx.generators.crows import Crows

SR = 48_000


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_output_is_clean_stereo(checks, seed: int) -> None:
    crows = Crows(duration_s=4.0)
    sound = crows.render(np.random.default_rng(seed))
    peak = checks.PEAK_6DB * 10 ** (6 * (crows.intensity - 1) / 20)
    checks.assert_clean(sound, n_samples=4 * SR, channels=2, peak=peak)
    assert sound.sync_sample == 0


def test_same_seed_same_samples(checks) -> None:
    checks.assert_deterministic(lambda rng: Crows(duration_s=2.0).render(rng))


def test_caws_come_in_bursts_of_a_few_with_silence_between(checks) -> None:
    sizes = []
    for seed in range(3):
        sound = Crows(duration_s=20.0, calls_per_min=10.0, n_crows=1).render(np.random.default_rng(seed))
        found = checks.onsets(sound.audio, threshold_db=-12.0, rearm_db=-17.0, refractory_s=0.15)
        gaps = np.diff(found)
        assert np.all(gaps[gaps < 0.7] > 0.25)  # caws a quarter second or more apart within a burst
        sizes += np.diff(np.flatnonzero(np.r_[True, gaps > 0.9, True])).tolist()
        quiet = checks.envelope_db(sound.audio, 10.0) < -45.0
        assert np.mean(quiet) > 0.5  # a sparse bed: mostly the silence of the field
    sizes = np.asarray(sizes)
    assert np.all((sizes >= 1) & (sizes <= 5))
    assert np.mean((sizes >= 2) & (sizes <= 4)) > 0.6


def test_caws_are_harsh_harmonic_calls_with_nasal_resonances() -> None:
    x = Crows(duration_s=6.0, calls_per_min=40.0, n_crows=1, distance_m=10.0).render(np.random.default_rng(2))
    mono = x.audio.mean(axis=0).astype(np.float64)
    power = np.abs(np.fft.rfft(mono)) ** 2
    freqs = np.fft.rfftfreq(mono.size, 1 / SR)

    def band(lo: float, hi: float) -> float:
        return float(power[(freqs >= lo) & (freqs < hi)].mean())

    assert band(1000, 3200) > 10 * band(50, 300)  # little below the call's pitch
    assert band(1000, 3200) > 10 * band(6000, 12000)  # distance and the tract take the top off


def test_farther_crows_lose_their_highs() -> None:
    def highs(distance_m: float) -> float:
        crows = Crows(duration_s=6.0, calls_per_min=30.0, n_crows=1, distance_m=distance_m)
        mono = crows.render(np.random.default_rng(3)).audio.mean(axis=0).astype(np.float64)
        power = np.abs(np.fft.rfft(mono)) ** 2
        freqs = np.fft.rfftfreq(mono.size, 1 / SR)
        return float(power[(freqs > 4000) & (freqs < 10000)].sum() / power.sum())

    assert highs(400.0) < 0.1 * highs(15.0)  # air absorbs more than 10 dB of the highs


def test_the_curve_sets_how_often_they_call() -> None:
    busy = Crows(duration_s=600.0, curve=(1.0,) * 100, curve_rate_hz=1.0).bursts(np.random.default_rng(1))
    calm = Crows(duration_s=600.0, curve=(0.05,) * 100, curve_rate_hz=1.0).bursts(np.random.default_rng(1))
    assert busy.size > 4 * calm.size
    assert busy.size == pytest.approx(8.0 * 10, rel=0.35)
    one = Crows(duration_s=1.0, calls_per_min=0.5).bursts(np.random.default_rng(0))
    assert one.size >= 1  # always at least one burst


@pytest.mark.parametrize(
    ("field", "value"),
    [("duration_s", 0.1), ("calls_per_min", 100.0), ("n_crows", 0), ("distance_m", 5.0), ("intensity", 1.5)],
)
def test_bad_fields_are_refused(field: str, value: object) -> None:
    with pytest.raises(ParameterError, match=field):
        Crows(**{field: value})


def test_a_calm_short_bed_still_has_a_crow(checks) -> None:
    sound = Crows(duration_s=1.0, intensity=0.0, curve=(0.0,) * 100).render(np.random.default_rng(0))
    checks.assert_clean(sound, n_samples=SR, peak=10 ** (-12 / 20), channels=2)
