from __future__ import annotations

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.sfx.generators.hooves import GAITS, Hooves, footfalls

SR = 48_000


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("n_horses", "channels"), [(1, 1), (10, 2)])
def test_output_is_clean(checks, seed: int, n_horses: int, channels: int) -> None:
    sound = Hooves(n_horses=n_horses, duration_s=1.5).render(np.random.default_rng(seed))
    checks.assert_clean(sound, n_samples=round(1.5 * SR), channels=channels)
    assert sound.sync_sample == 0


def test_lower_intensity_is_quieter_but_never_louder(checks) -> None:
    sound = Hooves(n_horses=1, duration_s=1.0, intensity=0.0).render(np.random.default_rng(0))
    checks.assert_clean(sound, n_samples=SR, peak=10 ** (-12 / 20))


def test_same_seed_same_samples(checks) -> None:
    checks.assert_deterministic(lambda rng: Hooves(n_horses=4, duration_s=1.0).render(rng))


def _strides(times: np.ndarray, long_gap_s: float) -> np.ndarray:
    """Start times of strides: the footfalls that follow a gap longer than ``long_gap_s``."""
    ioi = np.diff(times)
    return times[1:][ioi > long_gap_s]


@pytest.mark.parametrize("gait", ["walk", "trot"])
def test_even_gaits_have_even_beats_at_their_stride_rate(checks, gait: str) -> None:
    pattern = GAITS[gait]
    n_beats = {"walk": 4, "trot": 2}[gait]
    for seed in (1, 2):
        for intensity in (0.0, 1.0):
            sound = Hooves(gait=gait, n_horses=1, duration_s=5.0, intensity=intensity, surface="stone")
            found = checks.onsets(sound.render(np.random.default_rng(seed)).audio)
            ioi = np.diff(found)
            # walk: 4 footfalls a stride; trot: the diagonal pairs land together, 2 beats a stride
            stride_s = np.median(ioi) * n_beats
            lo, hi = pattern.stride_hz
            assert lo * 0.95 <= 1.0 / stride_s <= hi * 1.05
            assert np.max(ioi) / np.min(ioi) < 1.35  # even beats, +-10 ms jitter
            assert len(found) == pytest.approx(5.0 / stride_s * n_beats, abs=1.5)


@pytest.mark.parametrize(("gait", "n_beats"), [("canter", 3), ("gallop", 4)])
def test_leaping_gaits_have_their_beats_then_a_suspension(checks, gait: str, n_beats: int) -> None:
    lo, hi = GAITS[gait].stride_hz
    for seed in (1, 2, 3):
        sound = Hooves(gait=gait, n_horses=1, duration_s=5.0, intensity=0.5).render(
            np.random.default_rng(seed)
        )
        found = checks.onsets(sound.audio)
        ioi = np.diff(found)
        gap = np.median(ioi) * 1.6
        strides = _strides(found, gap)
        # every stride: n_beats footfalls, then the suspension (the longest interval)
        per_stride = np.diff(np.searchsorted(found, strides))
        assert np.all(per_stride == n_beats)
        stride_hz = 1.0 / np.median(np.diff(strides))
        assert lo * 0.97 <= stride_hz <= hi * 1.03
        long = ioi[ioi > gap]
        short = ioi[ioi <= gap]
        assert long.size == pytest.approx(ioi.size / n_beats, abs=1.5)
        assert np.median(long) > 1.8 * np.median(short)


def test_footfall_order_follows_the_gait() -> None:
    for name, gait in GAITS.items():
        times, beat = footfalls(name, gait.stride_hz[0], 10.0, np.random.default_rng(0), jitter=False)
        first = int(np.flatnonzero(beat == 0)[0])
        cycle = beat[first : first + 4 * 3]
        assert cycle.tolist() == list(range(4)) * 3
        assert np.all((times >= 0) & (times < 10.0))


def test_curve_brings_in_more_horses_and_more_level(checks) -> None:
    def gappiness(x: np.ndarray) -> float:
        env = checks.envelope_db(x, 5.0)
        return float(np.mean(env < -24.0))

    sparse = Hooves(n_horses=16, duration_s=3.0, curve=(0.1,) * 300).render(np.random.default_rng(1))
    dense = Hooves(n_horses=16, duration_s=3.0, curve=(1.0,) * 300).render(np.random.default_rng(1))
    assert gappiness(sparse.audio) > gappiness(dense.audio) + 0.15
    ramp = Hooves(n_horses=16, duration_s=4.0, curve=tuple(np.linspace(0.05, 1.0, 400))).render(
        np.random.default_rng(2)
    )
    rms = [float(np.sqrt(np.mean(ramp.audio[:, i * SR : (i + 1) * SR] ** 2))) for i in range(4)]
    assert rms[0] < rms[1] < rms[3]
    assert rms[3] > 4 * rms[0]


@pytest.mark.parametrize(
    ("field", "value"),
    [("gait", "amble"), ("n_horses", 0), ("n_horses", 2.5), ("duration_s", 700.0), ("surface", "ice"),
     ("intensity", 1.5), ("distance_m", 0.0), ("curve", (0.5, 2.0)), ("curve_rate_hz", 0.0)],
)  # fmt: skip
def test_bad_fields_are_refused(field: str, value: object) -> None:
    with pytest.raises(ParameterError, match=field.split("_rate")[0]):
        Hooves(**{field: value})


def test_a_herd_at_rest_still_has_its_lead_horse(checks) -> None:
    sound = Hooves(n_horses=8, duration_s=1.0, intensity=0.0, curve=(0.0,) * 100).render(
        np.random.default_rng(0)
    )
    checks.assert_clean(sound, n_samples=SR, peak=10 ** (-12 / 20), channels=2)
