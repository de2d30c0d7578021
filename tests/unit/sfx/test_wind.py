from __future__ import annotations

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.sfx.generators.wind import Wind

SR = 48_000


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_output_is_clean_stereo(checks, seed: int) -> None:
    sound = Wind(duration_s=2.0).render(np.random.default_rng(seed))
    checks.assert_clean(sound, n_samples=2 * SR, channels=2)
    assert sound.sync_sample == 0
    left, right = sound.audio.astype(np.float64)
    assert abs(np.corrcoef(left, right)[0, 1]) < 0.5  # decorrelated, a diffuse bed


def test_same_seed_same_samples(checks) -> None:
    checks.assert_deterministic(lambda rng: Wind(duration_s=1.0).render(rng))


def test_a_rising_curve_makes_it_louder_and_brighter(checks) -> None:
    sound = Wind(duration_s=6.0, gustiness=0.0, curve=tuple(np.linspace(0.0, 1.0, 600))).render(
        np.random.default_rng(1)
    )
    first, last = sound.audio[:, SR : 2 * SR], sound.audio[:, 5 * SR : 6 * SR]
    assert np.sqrt(np.mean(last**2)) > 2.0 * np.sqrt(np.mean(first**2))
    assert checks.centroid_hz(last) > 1.3 * checks.centroid_hz(first)


def test_gusts_make_the_level_wander() -> None:
    def wander_db(gustiness: float) -> float:
        audio = Wind(duration_s=20.0, gustiness=gustiness).render(np.random.default_rng(4)).audio
        frames = audio[:, : 20 * SR].reshape(2, 40, -1)
        return float(np.std(10 * np.log10(np.mean(frames**2, axis=(0, 2)))))

    assert wander_db(1.0) > 2.0 * wander_db(0.0)
    assert wander_db(1.0) > 2.0  # dB


def test_whistles_are_tones_that_come_and_go_with_speed() -> None:
    def peakiness(n_whistles: int) -> np.ndarray:
        audio = Wind(duration_s=12.0, speed=1.0, n_whistles=n_whistles, curve=tuple(np.linspace(0, 1, 1200)))
        x = audio.render(np.random.default_rng(7)).audio.mean(axis=0)
        freqs = np.fft.rfftfreq(SR // 2, 1 / SR)
        band = (freqs > 400) & (freqs < 5000)
        out = []
        for i in range(24):
            spec = np.abs(np.fft.rfft(x[i * SR // 2 : (i + 1) * SR // 2] * np.hanning(SR // 2)))[band]
            out.append(spec.max() / np.median(spec))
        return np.asarray(out)

    plain, whistling = peakiness(0), peakiness(6)
    assert whistling.max() > 3 * plain.max()
    # each whistle sings in its own range of speeds: not all the time
    assert np.mean(whistling > 3 * plain.max()) < 0.9


@pytest.mark.parametrize(
    ("field", "value"),
    [("duration_s", 0.0), ("speed", 1.2), ("speed", 0.0), ("gustiness", -1.0), ("n_whistles", 7),
     ("intensity", 2.0), ("curve_rate_hz", 5000.0)],
)  # fmt: skip
def test_bad_fields_are_refused(field: str, value: object) -> None:
    with pytest.raises(ParameterError, match=field):
        Wind(**{field: value})


def test_the_calmest_wind_still_blows(checks) -> None:
    sound = Wind(duration_s=1.0, speed=0.05, intensity=0.0, curve=(0.0,) * 100).render(
        np.random.default_rng(0)
    )
    checks.assert_clean(sound, n_samples=SR, peak=10 ** (-12 / 20), channels=2)
