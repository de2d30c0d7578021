"""Sync points: transient onsets and loudness peaks, measured on sounds with a planted truth."""

import numpy as np
import pytest
from scipy.signal import lfilter

from sonics.core.errors import ParameterError
from sonics.dsp.sync import onset_sample, peak_sample

RATE = 48000
PRE_ROLLS_MS = (0, 37, 120, 333)


def _hit(rng: np.random.Generator, n: int, *, click: bool = True, rate: int = RATE) -> np.ndarray:
    """A body impact: noise crack decaying in ~20 ms over a 60 Hz thump, peak 1.

    With ``click`` the first sample is a contact click at full level; without, the sound
    starts on a plain noise sample (a noisy transient: its first samples may be small).
    """
    t = np.arange(n) / rate
    crack = rng.standard_normal(n) * np.exp(-t / 0.02) * (0.3 + 0.7 * np.exp(-t / 0.002))
    thump = 0.8 * np.cos(2 * np.pi * 60.0 * t) * np.exp(-t / 0.15)
    x = crack + thump
    if click:
        x[: rate // 2000] += 2.0 * np.linspace(1.0, 0.0, rate // 2000)
    return x / np.max(np.abs(x))


def _room_tone(rng: np.random.Generator, n: int, level_db: float, *, measure: str = "peak") -> np.ndarray:
    """Low-passed noise (room rumble and hiss) whose peak (or RMS) is ``level_db`` re 1."""
    if n == 0:
        return np.zeros(0)
    noise = lfilter([0.3], [1.0, -0.7], rng.standard_normal(n))
    scale = np.max(np.abs(noise)) if measure == "peak" else np.sqrt(np.mean(noise**2))
    return noise / scale * 10 ** (level_db / 20)


def _with_pre_roll(rng, pre_ms: float, level_db: float, *, click: bool = True, measure: str = "peak"):
    k = round(pre_ms * RATE / 1000)
    return np.concatenate(
        [_room_tone(rng, k, level_db, measure=measure), _hit(rng, RATE // 2, click=click)]
    ), k


# --- onset_sample --------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
@pytest.mark.parametrize("k", [0, 30, 100, 4321, 20000])
def test_onset_is_exact_for_a_transient_from_silence(rate, k):
    n = 24000
    decay = np.zeros(n)
    decay[k:] = np.exp(-np.arange(n - k) / 50.0)
    burst = np.zeros(n)
    burst[k:] = _hit(np.random.default_rng(k), n - k, click=True, rate=rate)
    cosine = np.zeros(n)
    cosine[k:] = np.cos(2 * np.pi * 200.0 * np.arange(n - k) / rate) * np.exp(-np.arange(n - k) / 2000.0)
    for x in (decay, burst, cosine):
        assert onset_sample(x, rate) == k
        assert onset_sample(x[np.newaxis, :].astype(np.float32), rate) == k


@pytest.mark.parametrize("k", [1, 5, 11])
def test_onset_after_a_few_samples_of_leading_silence(k):
    x = np.zeros(4800)
    x[k:] = np.exp(-np.arange(4800 - k) / 50.0)
    assert onset_sample(x, RATE) == k


def test_onset_near_the_end_of_the_sound():
    x = np.zeros(5000)
    x[4900:] = np.exp(-np.arange(100) / 20.0)
    assert onset_sample(x, RATE) == 4900


def test_onset_of_stereo_is_the_earlier_channel():
    x = np.zeros((2, 20000))
    x[1, 7000:] = np.exp(-np.arange(13000) / 300.0)
    assert onset_sample(x, RATE) == 7000
    x[0, 6000:] = 0.8 * np.exp(-np.arange(14000) / 300.0)
    assert onset_sample(x, RATE) == 6000


def test_onset_ignores_a_small_early_tick_followed_by_silence():
    # A tick 30 dB down, then 10 ms of silence, then the hit: the hit is the onset.
    x = np.zeros(RATE // 2)
    x[1000:1010] = 0.03
    x[1480:] = _hit(np.random.default_rng(0), x.size - 1480)
    assert onset_sample(x, RATE) == 1480


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("pre_ms", PRE_ROLLS_MS)
@pytest.mark.parametrize("click", [True, False])
def test_onset_of_a_hit_after_low_level_room_tone(seed, pre_ms, click):
    # Room tone peaking 50 dB under the hit (the research's case: 0/37/120/333 ms of it).
    x, k = _with_pre_roll(np.random.default_rng(seed), pre_ms, -50.0, click=click)
    assert abs(onset_sample(x, RATE) - k) <= 1


@pytest.mark.parametrize("seed", range(25))
def test_noisy_transient_from_silence(seed):
    # A crack that starts on plain noise samples (some near zero) with no click.
    rng = np.random.default_rng(100 + seed)
    k = int(rng.integers(0, 20000))
    x = np.concatenate([np.zeros(k), _hit(rng, RATE // 4, click=False)])
    assert abs(onset_sample(x, RATE) - k) <= 1


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("pre_ms", PRE_ROLLS_MS)
def test_onset_after_white_room_tone_at_minus_50_db_rms(seed, pre_ms):
    # White noise at -50 dB RMS peaks near -38 dB, above the -40 dB floor: the onset may
    # come early by up to the 0.25 ms quiet run the detector looks for, never late.
    rng = np.random.default_rng(seed)
    k = round(pre_ms * RATE / 1000)
    x = np.concatenate([rng.standard_normal(k) * 10 ** (-50 / 20), _hit(rng, RATE // 2)])
    assert -RATE // 4000 <= onset_sample(x, RATE) - k <= 1


def test_onset_after_room_tone_at_minus_40_db_rms():
    errors = []
    for seed in range(4):
        for pre_ms in PRE_ROLLS_MS:
            x, k = _with_pre_roll(np.random.default_rng(seed), pre_ms, -40.0, measure="rms")
            errors.append(onset_sample(x, RATE) - k)
    assert all(abs(e) <= RATE // 4000 for e in errors), errors


def test_onset_on_silence_is_an_error():
    with pytest.raises(ParameterError, match="audio is silent: it has no onset"):
        onset_sample(np.zeros((2, 1000)), RATE)


@pytest.mark.parametrize("audio", [np.zeros(0), np.zeros((2, 0)), np.zeros((1, 2, 3))])
def test_onset_and_peak_refuse_empty_or_misshapen_audio(audio):
    with pytest.raises(ParameterError, match="audio must have shape"):
        onset_sample(audio, RATE)
    with pytest.raises(ParameterError, match="audio must have shape"):
        peak_sample(audio, RATE)


# --- peak_sample ---------------------------------------------------------------------------------


@pytest.mark.parametrize("centre_s", [0.3, 0.61])
def test_peak_of_a_gaussian_tone_burst_is_its_centre(centre_s):
    t = np.arange(RATE) / RATE
    x = np.exp(-((t - centre_s) ** 2) / (2 * 0.03**2)) * np.sin(2 * np.pi * 1000.0 * t)
    assert abs(peak_sample(x, RATE) - centre_s * RATE) <= RATE // 2000  # 0.5 ms


@pytest.mark.parametrize("seed", range(10))
def test_peak_of_a_gaussian_noise_burst_is_within_a_few_ms(seed):
    # A 15 ms (sigma) noise swell: the 10 ms window's argmax wanders with the noise by
    # about 0.15 sigma (measured: within 2.3 ms on these seeds).
    rng = np.random.default_rng(seed)
    n, centre = RATE // 2, int(rng.integers(6000, 18000))
    t = (np.arange(n) - centre) / RATE
    x = rng.standard_normal((2, n)) * np.exp(-0.5 * (t / 0.015) ** 2)
    assert abs(peak_sample(x, RATE) - centre) <= 0.004 * RATE


def test_peak_uses_both_channels_and_the_window():
    x = np.zeros((2, 10000))
    x[0, 2000:2100] = 1.0  # 100 loud samples on the left
    x[1, 6000:6400] = 0.6  # 400 softer samples on the right: more energy in a 10 ms window
    assert 6000 <= peak_sample(x, RATE) < 6400
    assert 2000 <= peak_sample(x, RATE, window_ms=2.0) < 2100


def test_peak_refuses_a_bad_window():
    with pytest.raises(ParameterError, match="window_ms must be > 0, got 0"):
        peak_sample(np.ones(100), RATE, window_ms=0)


def test_peak_on_silence_is_an_error():
    with pytest.raises(ParameterError, match="audio is silent"):
        peak_sample(np.zeros((2, 1000)), RATE)


def _peak_everywhere(audio: np.ndarray, window: int) -> int:
    """The centred mean-square window's first maximum, from running totals over every sample."""
    x = np.asarray(audio, dtype=np.float64)
    power = np.sum(x**2, axis=0) / x.shape[0]
    half = window // 2
    totals = np.cumsum(np.concatenate([np.zeros(half + 1), power, np.zeros(window - half)]))
    return int(np.argmax(totals[window : window + power.size] - totals[: power.size]))


def test_peak_sample_measured_where_it_can_be_is_the_peak_measured_everywhere() -> None:
    rng = np.random.default_rng(7)
    for i in range(200):
        n = int(rng.integers(1, 20_000))
        centre = rng.integers(0, n)
        swell = np.exp(-np.abs(np.arange(n) - centre) / rng.uniform(10.0, 5000.0)) if i % 2 else 1.0
        audio = (rng.standard_normal((1 + i % 2, n)) * swell).astype(np.float32)
        assert peak_sample(audio, RATE) == _peak_everywhere(audio, round(0.01 * RATE))
