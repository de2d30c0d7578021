"""Envelope follower, true-peak meter, limiter and ducker against analytic answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal

from sonics.core.errors import ParameterError
from sonics.dsp import dynamics
from sonics.dsp.dynamics import (
    Ducker,
    EnvelopeFollower,
    TruePeakLimiter,
    oversampling_factor,
    peak_limit,
    true_peak_db,
    true_peak_envelope,
)

SR = 48_000
E1 = 1.0 - math.exp(-1.0)  # share of a step a one-pole covers in one time constant


def _resample_poly_tp_db(x: np.ndarray) -> float:
    """An independent 4x meter: scipy's polyphase resampler (another filter)."""
    return 20.0 * math.log10(float(np.abs(signal.resample_poly(np.atleast_2d(x), 4, 1, axis=-1)).max()))


def _reference_follow(x: np.ndarray, a_up: float, a_down: float) -> np.ndarray:
    y, prev = np.empty_like(x), 0.0
    for i, v in enumerate(x):
        prev += (a_up if v > prev else a_down) * (v - prev)
        y[i] = prev
    return y


# ------------------------------------------------------------------ nasty signals


def _square(freq_hz: float, n: int = SR, level: float = 1.0) -> np.ndarray:
    return level * np.sign(np.sin(2 * np.pi * freq_hz * np.arange(n) / SR + 0.1))


def _fs4_45(n: int = SR, level: float = 1.0) -> np.ndarray:
    """fs/4 sine at 45 degrees: samples at +-0.707, true peak 1 between them."""
    return level * np.sin(np.pi / 2 * np.arange(n) + np.pi / 4)


def _impulses(n: int = SR) -> np.ndarray:
    x = np.zeros(n)
    x[1000] = 1.0
    x[5000:5002] = (1.0, -1.0)  # a full-scale doublet: a large peak between the two samples
    x[9000::4000] = 1.0
    x[9001::4000] = 1.0
    return x


def _clipped_drums(seed: int = 0, n: int = 2 * SR) -> np.ndarray:
    """A drum loop pushed 12 dB into a hard clip: flat tops and full-band edges."""
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    t = np.arange(SR // 4) / SR
    kick = np.sin(2 * np.pi * (50 + 100 * np.exp(-t / 0.03)) * t) * np.exp(-t / 0.15)
    snare = rng.standard_normal(t.size) * np.exp(-t / 0.06)
    for beat, start in enumerate(range(0, n - t.size, SR // 4)):
        x[start : start + t.size] += kick if beat % 2 == 0 else 0.6 * snare
    return np.clip(4.0 * x, -1.0, 1.0)


NASTY = {
    "square_997": lambda: _square(997.0),
    "square_1000": lambda: _square(1000.0),
    "square_11025": lambda: _square(11025.0),
    "square_hot": lambda: _square(60.0, level=1.9),
    "fs4_45": lambda: _fs4_45(),
    "impulses": _impulses,
    "clipped_drums": _clipped_drums,
    "clipped_noise": lambda: np.clip(np.random.default_rng(1).standard_normal(SR), -1.0, 1.0),
}


# ------------------------------------------------------------------ envelope follower


def test_attack_covers_63_percent_in_attack_ms_and_release_falls_to_37() -> None:
    follower = EnvelopeFollower(attack_ms=10.0, release_ms=100.0)
    x = np.concatenate([np.ones(SR // 2), np.zeros(SR // 2)])
    y = follower(x, SR)
    attack, release = 480, 4800  # 10 ms and 100 ms in samples
    assert y[attack - 1] == pytest.approx(E1, abs=1e-12)
    assert y[5 * attack - 1] == pytest.approx(1.0 - math.exp(-5.0), abs=1e-12)
    top = y[SR // 2 - 1]
    assert y[SR // 2 - 1 + release] == pytest.approx(top * math.exp(-1.0), abs=1e-12)
    assert np.all(np.diff(y[: SR // 2]) >= 0) and np.all(np.diff(y[SR // 2 :]) <= 0)


def test_follower_matches_the_sample_by_sample_recursion_on_any_input() -> None:
    rng = np.random.default_rng(0)
    for x in (
        np.abs(rng.standard_normal(20000)),  # a raw waveform: the branch flips all the time
        np.repeat(rng.random(40), 500),  # steps
        np.abs(np.sin(np.arange(30000) / 700.0)),  # slow swings
    ):
        follower = EnvelopeFollower(attack_ms=2.0, release_ms=30.0)
        a_up, a_down = -math.expm1(-1000 / (2.0 * SR)), -math.expm1(-1000 / (30.0 * SR))
        assert np.allclose(follower(x, SR), _reference_follow(x, a_up, a_down), rtol=0, atol=1e-12)


def test_zero_times_follow_at_once_and_rows_are_independent() -> None:
    x = np.random.default_rng(1).random((2, 1000))
    assert np.array_equal(EnvelopeFollower(attack_ms=0.0, release_ms=0.0)(x, SR), x)
    y = EnvelopeFollower(attack_ms=1.0, release_ms=5.0)(x, SR)
    assert np.array_equal(y[1], EnvelopeFollower(attack_ms=1.0, release_ms=5.0)(x[1], SR))


# ------------------------------------------------------------------ true-peak meter


def test_oversampling_reaches_192_khz() -> None:
    assert oversampling_factor(48000) == 4
    assert oversampling_factor(192000) == 1
    assert oversampling_factor(44100) * 44100 >= 192000


def test_fs4_sine_at_45_degrees_reads_its_true_peak() -> None:
    x = np.hanning(SR) * _fs4_45()
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-3.01, abs=0.01)
    assert true_peak_db(x, SR) == pytest.approx(0.0, abs=0.001)
    # Steady state, sample by sample: every other interval [n, n+1) holds a crest of the
    # sine (at n + 1/2); the ones between cross zero and peak at their ends, 0.707.
    envelope = true_peak_envelope(_fs4_45(), SR)
    assert np.allclose(envelope[100:-100:2], 1.0, atol=1e-4)
    assert np.allclose(envelope[101:-100:2], math.sqrt(0.5), atol=1e-6)


def test_sines_read_their_amplitude_from_100_hz_to_20_khz() -> None:
    t = np.arange(SR) / SR
    window = np.hanning(SR)  # no onset: a steady amplitude of 0.5 in the middle
    for freq_hz in (100.0, 1000.0, 5000.0, 11000.0, 15000.0, 18000.0, 20000.0):
        x = 0.5 * window * np.sin(2 * np.pi * freq_hz * t + 0.3)
        # 4x oversampling can read up to cos(pi f / 4 fs) low, 0.47 dB at 20 kHz.
        grid_loss_db = 20 * math.log10(math.cos(math.pi * freq_hz / (4 * SR)))
        assert grid_loss_db - 0.01 <= true_peak_db(x, SR) - 20 * math.log10(0.5) <= 0.01


def test_meter_agrees_with_resample_poly_on_band_limited_signals() -> None:
    rng = np.random.default_rng(2)
    lowpass = signal.firwin(401, 20000, fs=SR)
    for _ in range(3):
        x = signal.lfilter(lowpass, [1.0], rng.standard_normal((2, SR)), axis=-1)
        assert true_peak_db(x, SR) == pytest.approx(_resample_poly_tp_db(x), abs=0.02)


def test_meter_never_reads_below_the_sample_peak_and_silence_is_minus_inf() -> None:
    for make in NASTY.values():
        x = make()
        assert true_peak_db(x, SR) >= 20 * np.log10(np.abs(x).max())
    assert true_peak_db(np.zeros((2, 100)), SR) == -math.inf
    assert true_peak_envelope(np.zeros((2, 0)), SR).shape == (0,)


def test_envelope_is_exact_where_it_matters() -> None:
    x = _clipped_drums()[None, :] * np.array([[1.0], [0.5]])
    full = true_peak_envelope(x, SR)
    assert full.shape == (x.shape[1],)
    assert float(full.max()) == pytest.approx(10 ** (true_peak_db(x, SR) / 20), rel=1e-12)
    assert np.all(full >= np.abs(x).max(axis=0))


# ------------------------------------------------------------------ limiter


@pytest.mark.parametrize("name", sorted(NASTY))
@pytest.mark.parametrize("ceiling_db", [-1.0, -2.0])
def test_limiter_never_exceeds_its_ceiling(name: str, ceiling_db: float) -> None:
    x = np.stack([NASTY[name](), 0.8 * NASTY[name]()]).astype(np.float32)
    out = TruePeakLimiter(ceiling_db=ceiling_db)(x, SR)
    assert out.dtype == np.float32 and out.shape == x.shape
    assert true_peak_db(out, SR) <= ceiling_db
    # Another 4x meter differs on full-band material by a few hundredths of a dB at most.
    assert _resample_poly_tp_db(out) <= ceiling_db + 0.1


def test_limiter_holds_random_loud_signals_under_the_ceiling() -> None:
    rng = np.random.default_rng(7)
    limiter = TruePeakLimiter(ceiling_db=-1.0, release_ms=20.0, lookahead_ms=0.5)
    for _ in range(6):
        n = int(rng.integers(2000, 20000))
        x = rng.standard_normal((2, n)) * 10 ** (rng.uniform(0, 24, size=(1, n)) / 20)
        x = signal.lfilter([1.0], [1.0, -rng.uniform(-0.9, 0.9)], x, axis=-1)
        assert true_peak_db(limiter(x, SR), SR) <= -1.0


def test_limiter_is_transparent_under_the_ceiling() -> None:
    rng = np.random.default_rng(3)
    x = (0.1 * rng.standard_normal((2, SR))).astype(np.float32)
    assert true_peak_db(x, SR) < -1.0
    out, gain = TruePeakLimiter(ceiling_db=-1.0).process(x, SR)
    assert np.array_equal(out, x) and np.all(gain == 1.0)


def test_limiter_touches_only_the_neighbourhood_of_a_peak_and_keeps_time() -> None:
    rng = np.random.default_rng(4)
    x = (0.05 * rng.standard_normal((2, SR))).astype(np.float32)
    x[:, 24000:24048] += np.float32(1.5) * np.hanning(48).astype(np.float32)  # a burst 4 dB over
    limiter = TruePeakLimiter(ceiling_db=-1.0, release_ms=10.0, lookahead_ms=2.0)
    out, gain = limiter.process(x, SR)
    assert np.array_equal(out, (x * gain).astype(np.float32))  # a gain per sample: no delay
    first_over = int(np.flatnonzero(true_peak_envelope(x, SR) > 10 ** (-1 / 20))[0])
    reach = 96 + 17  # the look-ahead (2 ms) plus the interpolator's reach (17 samples)
    assert np.array_equal(out[:, : first_over - reach], x[:, : first_over - reach])
    assert gain[first_over - reach + 1] < 1.0
    # After the burst the gain recovers with the release time constant (10 ms = 480 samples).
    reduction_db = -20 * np.log10(gain)
    start = 24048 + reach + 200
    assert reduction_db[start + 480] == pytest.approx(reduction_db[start] * math.exp(-1.0), rel=1e-6)
    assert np.array_equal(out[:, start + 480 * 40 :], x[:, start + 480 * 40 :])
    assert true_peak_db(out, SR) <= -1.0


def test_limiter_on_silence_and_empty_input() -> None:
    out, gain = TruePeakLimiter().process(np.zeros((2, 1000), dtype=np.float32), SR)
    assert not out.any() and np.all(gain == 1.0)
    assert TruePeakLimiter()(np.zeros((2, 0), dtype=np.float32), SR).shape == (2, 0)


def test_processors_show_their_settings_and_refuse_bad_ones() -> None:
    assert repr(TruePeakLimiter()) == "TruePeakLimiter(ceiling_db=-1.0, release_ms=50.0, lookahead_ms=1.5)"
    assert repr(Ducker()) == "Ducker(depth_db=-9.0, attack_ms=20.0, release_ms=350.0, hold_ms=150.0)"
    assert repr(EnvelopeFollower(1.0, 2.0)) == "EnvelopeFollower(attack_ms=1.0, release_ms=2.0)"
    for make in (
        lambda: TruePeakLimiter(ceiling_db=0.5),
        lambda: TruePeakLimiter(release_ms=0.0),
        lambda: TruePeakLimiter(lookahead_ms=math.nan),
        lambda: Ducker(depth_db=3.0),
        lambda: Ducker(hold_ms=-1.0),
        lambda: EnvelopeFollower(attack_ms=-1.0),
    ):
        with pytest.raises(ParameterError):
            make()
    with pytest.raises(ParameterError, match="finite"):
        TruePeakLimiter()(np.array([[0.0, np.nan]]), SR)
    with pytest.raises(ParameterError, match="sample_rate"):
        true_peak_db(np.zeros(10), 0)


def test_limiter_gain_does_not_depend_on_where_the_blocks_fall(monkeypatch: pytest.MonkeyPatch) -> None:
    x = np.stack([_clipped_drums(2), _clipped_drums(3)]).astype(np.float32)
    limiter = TruePeakLimiter(ceiling_db=-3.0, release_ms=30.0, lookahead_ms=1.0)
    gain = limiter.process(x, SR)[1]
    monkeypatch.setattr(dynamics, "_GAIN_BLOCK", 1000)
    out_small, gain_small = limiter.process(x, SR)
    assert np.allclose(gain_small, gain, rtol=0, atol=1e-6)
    assert true_peak_db(out_small, SR) <= -3.0


# ------------------------------------------------------------------ ducker


def test_ducker_settles_at_its_depth_holds_and_releases() -> None:
    ducker = Ducker(depth_db=-9.0, attack_ms=20.0, release_ms=350.0, hold_ms=150.0)
    key = np.zeros(3 * SR)
    key[SR // 2 : SR] = 1.0  # 0.5 s .. 1.0 s
    gain_db = ducker.gain_db(key, SR)
    attack, hold, release = 960, 7200, 16800
    assert np.all(gain_db[: SR // 2] == 0.0)
    assert gain_db[SR // 2 + attack - 1] == pytest.approx(-9.0 * E1, abs=1e-9)
    assert gain_db[SR - 1] == pytest.approx(-9.0, abs=1e-6)  # 25 attack times in
    # Held at the depth for hold_ms after the key falls, then released.
    assert np.allclose(gain_db[SR : SR + hold], -9.0, atol=1e-6)
    released_at = SR + hold - 1  # the last sample the held ask still reaches
    assert gain_db[released_at + release] == pytest.approx(-9.0 * math.exp(-1.0), abs=1e-6)
    assert gain_db[-1] == pytest.approx(-9.0 * math.exp(-(3 * SR - 1 - released_at) / release), abs=1e-6)
    assert np.all(gain_db <= 0.0) and np.all(gain_db >= -9.0)


def test_ducker_does_not_depend_on_where_the_blocks_fall(monkeypatch: pytest.MonkeyPatch) -> None:
    key = (np.random.default_rng(8).random(3 * SR) > 0.999).astype(np.float32)  # scattered clicks
    key[SR : 2 * SR] = 0.5
    ducker = Ducker(depth_db=-10.0, attack_ms=3.0, release_ms=200.0, hold_ms=50.0)
    whole = ducker.gain_db(key, SR)
    monkeypatch.setattr(dynamics, "_GAIN_BLOCK", 777)
    assert np.allclose(ducker.gain_db(key, SR), whole, rtol=0, atol=1e-5)


def test_half_a_key_is_half_the_depth_and_audio_follows_the_gain() -> None:
    ducker = Ducker(depth_db=-12.0, attack_ms=5.0, release_ms=50.0, hold_ms=0.0)
    key = np.full(SR, 0.5)
    assert ducker.gain_db(key, SR)[-1] == pytest.approx(-6.0, abs=1e-9)
    audio = np.ones((2, SR), dtype=np.float32)
    out = ducker(audio, SR, key=key)
    assert out.dtype == np.float32
    assert float(out[0, -1]) == pytest.approx(10 ** (-6 / 20), rel=1e-6)
    with pytest.raises(ParameterError, match=r"\[0, 1\]"):
        ducker.gain_db(np.full(10, 2.0), SR)
    with pytest.raises(ParameterError, match="samples"):
        ducker(audio, SR, key=key[:10])


def test_the_limiter_holds_the_ceiling_and_leaves_the_rest_alone() -> None:
    rng = np.random.default_rng(0)
    x = (0.2 * rng.standard_normal((2, SR))).astype(np.float32)
    x[:, 24000:24100] *= 8.0  # a burst far over the ceiling
    original = x.copy()
    cut_db = peak_limit(x, SR, ceiling_db=-1.0)
    assert float(np.abs(x).max()) <= 10 ** (-1 / 20) + 1e-6
    assert cut_db < -6.0
    assert np.array_equal(x[:, :20000], original[:, :20000])  # far from the over: untouched
    ratio = x[:, 23000:25500] / original[:, 23000:25500]
    assert np.allclose(ratio[0], ratio[1])  # one gain for both channels
    assert float(np.max(np.abs(np.diff(ratio[0])))) < 0.02  # it glides, it does not step


def test_nothing_over_nothing_changed_and_bad_settings_refused() -> None:
    x = np.full((2, 100), 0.5, dtype=np.float32)
    assert peak_limit(x, SR) == 0.0 and np.all(x == 0.5)
    with pytest.raises(ParameterError):
        peak_limit(x, SR, ceiling_db=1.0)
    with pytest.raises(ParameterError):
        peak_limit(x[0], SR)
