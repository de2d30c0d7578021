from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from sonics.core.errors import ParameterError
from sonics.dsp.sync import onset_sample
from sonics.sfx.generators.drums import WarDrums

SR = 48_000


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    ("drums", "channels"),
    [(WarDrums(), 1), (WarDrums(pattern="battle", n_drums=4, duration_s=3.0, tempo_bpm=120), 2)],
)
def test_output_is_clean_and_syncs_on_its_first_stroke(
    checks, drums: WarDrums, channels: int, seed: int
) -> None:
    sound = drums.render(np.random.default_rng(seed))
    checks.assert_clean(sound, n_samples=round(drums.duration_s * SR), channels=channels)
    assert sound.sync_sample == 0
    assert onset_sample(sound.audio, SR) == sound.sync_sample
    assert abs(float(sound.audio[0, 0])) > 0.01 * checks.PEAK_6DB  # the slap's first sample


def test_same_seed_same_samples(checks) -> None:
    checks.assert_deterministic(lambda rng: WarDrums(pattern="march", n_drums=2, duration_s=1.5).render(rng))


def _stroke_onsets(audio: np.ndarray, times_s: np.ndarray) -> np.ndarray:
    """The first sample near each designed time where the stick's high-frequency slap jumps out."""
    high = np.abs(sosfilt(butter(4, 2000.0, "highpass", fs=SR, output="sos"), audio.mean(axis=0)))
    found = []
    for t in times_s:
        s = round(t * SR)
        before = high[max(0, s - 240) : max(1, s - 24)].max()
        window = high[max(0, s - 48) : s + 240]
        found.append(max(0, s - 48) + int(np.argmax(window > 8 * before + 1e-6)))
    return np.asarray(found)


@pytest.mark.parametrize("pattern", ["march", "battle", "gallop"])
@pytest.mark.parametrize("n_drums", [1, 3])
def test_strokes_land_on_the_pattern_grid(pattern: str, n_drums: int) -> None:
    drums = WarDrums(pattern=pattern, tempo_bpm=110.0, duration_s=4.0, n_drums=n_drums)
    times, accents = drums.hits()
    step_s = 60.0 / 110.0 / (3 if pattern == "gallop" else 4)
    assert np.allclose(times / step_s, np.round(times / step_s))  # on the grid
    assert times[0] == 0.0 and accents[0] == 1.0
    for seed in (1, 2):
        sound = drums.render(np.random.default_rng(seed))
        found = _stroke_onsets(sound.audio, times)
        assert np.all(np.abs(found - np.round(times * SR)) <= 48)  # within 1 ms


def test_a_single_hit_is_a_low_membrane_whose_pitch_falls_to_rest() -> None:
    drums = WarDrums(pitch_hz=60.0, intensity=1.0)
    audio = drums.render(np.random.default_rng(4)).audio[0].astype(np.float64)
    rest_hz = 60.0 * (1.15 - 0.3)
    late = audio[round(0.5 * SR) : round(1.5 * SR)]
    spectrum = np.abs(np.fft.rfft(late * np.hanning(late.size)))
    freqs = np.fft.rfftfreq(late.size, 1 / SR)
    assert abs(freqs[np.argmax(spectrum)] - rest_hz) < 2.0
    # the fundamental's period, read from zero crossings of the low band: shorter at first
    low = sosfilt(butter(4, rest_hz * 1.3, "lowpass", fs=SR, output="sos"), audio)

    def pitch(a: float, b: float) -> float:
        seg = low[round(a * SR) : round(b * SR)]
        crossings = np.flatnonzero((seg[:-1] < 0) & (seg[1:] >= 0))
        return SR / float(np.mean(np.diff(crossings)))

    assert pitch(0.02, 0.12) > 1.04 * pitch(0.6, 1.0)
    assert pitch(0.6, 1.0) == pytest.approx(rest_hz, rel=0.03)
    # most of the energy is low: the body, not the slap
    full = np.abs(np.fft.rfft(audio)) ** 2
    all_freqs = np.fft.rfftfreq(audio.size, 1 / SR)
    assert full[all_freqs < 300].sum() > 0.8 * full.sum()


def test_bigger_drums_are_lower_and_ring_longer() -> None:
    def tail_energy(intensity: float) -> float:
        audio = WarDrums(intensity=intensity, duration_s=3.0).render(np.random.default_rng(1)).audio[0]
        return float(np.sum(audio[round(1.0 * SR) :] ** 2) / np.sum(audio**2))

    assert tail_energy(1.0) > 2 * tail_energy(0.2)


def test_curve_thins_the_pattern_to_its_strongest_strokes() -> None:
    full = WarDrums(pattern="battle", duration_s=4.0, curve=(1.0,) * 400)
    calm = WarDrums(pattern="battle", duration_s=4.0, curve=(0.15,) * 400)
    t_full, _ = full.hits()
    t_calm, a_calm = calm.hits()
    assert t_calm.size < t_full.size / 2
    assert np.all(a_calm[1:] >= 0.85)
    assert set(np.round(t_calm, 9)) <= set(np.round(t_full, 9))
    loud = full.render(np.random.default_rng(1)).audio
    ramp = WarDrums(pattern="march", duration_s=4.0, curve=tuple(np.linspace(0.0, 1.0, 400)))
    audio = ramp.render(np.random.default_rng(1)).audio
    first, last = (float(np.sqrt(np.mean(audio[:, i * SR : (i + 1) * SR] ** 2))) for i in (0, 3))
    assert last > 1.5 * first
    assert loud.shape == (1, 4 * SR)


@pytest.mark.parametrize(
    ("field", "value"),
    [("pattern", "waltz"), ("tempo_bpm", 300.0), ("duration_s", 0.1), ("n_drums", 0), ("pitch_hz", 10.0),
     ("intensity", -0.1), ("curve", (1.5,))],
)  # fmt: skip
def test_bad_fields_are_refused(field: str, value: object) -> None:
    with pytest.raises(ParameterError, match=field):
        WarDrums(**{field: value})


def test_a_silent_curve_still_plays_the_first_stroke(checks) -> None:
    drums = WarDrums(pattern="battle", duration_s=2.0, intensity=0.0, curve=(0.0,) * 200)
    checks.assert_clean(drums.render(np.random.default_rng(0)), n_samples=2 * SR, peak=10 ** (-12 / 20))
