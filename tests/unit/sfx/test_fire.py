from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from sonics.core.errors import ParameterError
from sonics.sfx.generators.fire import Fire

SR = 48_000


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_output_is_clean_stereo(checks, seed: int) -> None:
    sound = Fire(duration_s=2.0).render(np.random.default_rng(seed))
    checks.assert_clean(sound, n_samples=2 * SR, channels=2)
    assert sound.sync_sample == 0


def test_same_seed_same_samples(checks) -> None:
    checks.assert_deterministic(lambda rng: Fire(duration_s=1.0).render(rng))


def _band_envelope(audio: np.ndarray, low_hz: float, frame_s: float = 0.01) -> np.ndarray:
    high = sosfilt(butter(4, low_hz, "highpass", fs=SR, output="sos"), audio.mean(axis=0))
    frame = round(frame_s * SR)
    n = high.size // frame
    return np.sqrt(np.mean(high[: n * frame].reshape(n, frame) ** 2, axis=1))


def test_crackles_are_sparse_loud_transients_that_follow_the_crackle_amount() -> None:
    def n_crackles(crackle: float) -> int:
        audio = Fire(duration_s=8.0, crackle=crackle).render(np.random.default_rng(3)).audio
        env = _band_envelope(audio, 1500.0, 0.002)
        loud = env > 4.0 * np.median(env)
        return int(np.sum(loud[1:] & ~loud[:-1]))

    dry, damp = n_crackles(1.0), n_crackles(0.0)
    assert dry > 2 * max(damp, 1)
    assert dry > 8  # more than one a second on dry wood


def test_hiss_flares_rarely_and_suddenly() -> None:
    # the hiss level is a wander raised to the 4th power: mostly low, with rare loud bursts
    audio = Fire(duration_s=20.0, crackle=0.0).render(np.random.default_rng(5)).audio
    env = _band_envelope(audio, 6000.0, 0.05)
    assert np.percentile(env, 95) > 3.0 * np.median(env)


def test_the_flames_lap_low() -> None:
    audio = Fire(duration_s=4.0, crackle=0.0).render(np.random.default_rng(2)).audio.mean(axis=0)
    power = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(audio.size, 1 / SR)
    assert power[freqs < 500].sum() > 0.6 * power.sum()


def test_curve_sets_the_level() -> None:
    curve = tuple(np.r_[np.full(200, 0.05), np.full(200, 1.0)])
    audio = Fire(duration_s=4.0, curve=curve).render(np.random.default_rng(1)).audio
    quiet, loud = (float(np.sqrt(np.mean(audio[:, a * SR : b * SR] ** 2))) for a, b in ((0, 2), (2, 4)))
    assert loud > 2.5 * quiet


@pytest.mark.parametrize(
    ("field", "value"), [("duration_s", 601.0), ("crackle", 1.1), ("intensity", -0.5), ("curve", (-0.1,))]
)
def test_bad_fields_are_refused(field: str, value: object) -> None:
    with pytest.raises(ParameterError, match=field):
        Fire(**{field: value})


def test_embers_still_burn(checks) -> None:
    sound = Fire(duration_s=1.0, intensity=0.0, crackle=0.0, curve=(0.0,) * 100).render(
        np.random.default_rng(0)
    )
    checks.assert_clean(sound, n_samples=SR, peak=10 ** (-12 / 20), channels=2)
