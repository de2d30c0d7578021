from __future__ import annotations

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.sfx.generators.crowd import ArmyRoar

SR = 48_000


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_output_is_clean_stereo(checks, seed: int) -> None:
    sound = ArmyRoar(duration_s=2.0).render(np.random.default_rng(seed))
    checks.assert_clean(sound, n_samples=2 * SR, channels=2)
    assert sound.sync_sample == 0
    left, right = sound.audio.astype(np.float64)
    assert abs(np.corrcoef(left, right)[0, 1]) < 0.7  # voices spread across the field


def test_same_seed_same_samples(checks) -> None:
    checks.assert_deterministic(lambda rng: ArmyRoar(duration_s=1.0).render(rng))


def _band_power(x: np.ndarray, low_hz: float, high_hz: float) -> float:
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    return float(power[(freqs >= low_hz) & (freqs < high_hz)].sum() / (high_hz - low_hz))


def test_voices_are_shaped_by_shouted_vowels() -> None:
    x = ArmyRoar(duration_s=3.0).render(np.random.default_rng(4)).audio.mean(axis=0).astype(np.float64)
    # the first two formants of shouted open vowels (F1 ~ 650-850 Hz, F2 ~ 1-1.8 kHz) dominate
    formants = _band_power(x, 550.0, 1400.0)
    assert formants > 5 * _band_power(x, 2800.0, 6000.0)
    assert formants > 5 * _band_power(x, 60.0, 300.0)


def _periodicity(x: np.ndarray) -> float:
    """Median over 60 ms frames of the autocorrelation peak at glottal periods (2.2-9 ms)."""
    frame = round(0.06 * SR)
    lags = np.arange(round(SR / 450), round(SR / 110))
    peaks = []
    for start in range(0, x.size - frame, frame):
        seg = x[start : start + frame] - x[start : start + frame].mean()
        ac = np.correlate(seg, seg, mode="full")[frame - 1 :]
        peaks.append(ac[lags].max() / ac[0])
    return float(np.median(peaks))


def test_a_few_near_voices_are_pitched_a_big_crowd_blurs() -> None:
    def periodicity(**fields: object) -> float:
        sound = ArmyRoar(duration_s=2.0, **fields).render(np.random.default_rng(2))
        return _periodicity(sound.audio.mean(axis=0).astype(np.float64))

    few = periodicity(n_voices=4, near=1.0)
    assert few > 0.4
    assert few > 1.6 * periodicity(n_voices=200, near=0.0)


def test_the_roar_swells_with_the_curve() -> None:
    sound = ArmyRoar(duration_s=6.0, curve=tuple(np.linspace(0.0, 1.0, 600))).render(np.random.default_rng(1))
    first, last = (float(np.sqrt(np.mean(sound.audio[:, i * SR : (i + 1) * SR] ** 2))) for i in (0, 5))
    assert last > 3 * first


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration_s", 0.0),
        ("n_voices", 2),
        ("n_voices", 500),
        ("near", 2.0),
        ("intensity", -1.0),
        ("curve", (3.0,)),
    ],
)
def test_bad_fields_are_refused(field: str, value: object) -> None:
    with pytest.raises(ParameterError, match=field):
        ArmyRoar(**{field: value})


def test_a_calm_crowd_still_murmurs(checks) -> None:
    sound = ArmyRoar(duration_s=1.0, intensity=0.0, curve=(0.0,) * 100).render(np.random.default_rng(0))
    checks.assert_clean(sound, n_samples=SR, peak=10 ** (-12 / 20), channels=2)
