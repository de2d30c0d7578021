"""Resampling and varispeed: exact lengths, sines that keep (or scale) their frequency."""

from fractions import Fraction

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.dsp.resample import pitch_shift_by_resampling, resample, resample_ratio
from sonics.dsp.sync import onset_sample


def _sine(freq_hz: float, n: int, rate: float, phase: float = 0.0) -> np.ndarray:
    return np.sin(2 * np.pi * freq_hz * np.arange(n) / rate + phase)


def _inner(x: np.ndarray, margin: int = 2000) -> np.ndarray:
    return x[..., margin:-margin]  # away from the filter's edge effects


@pytest.mark.parametrize(
    ("from_hz", "to_hz", "expected"),
    [
        (44100, 48000, Fraction(160, 147)),
        (48000, 44100, Fraction(147, 160)),
        (96000, 48000, Fraction(1, 2)),
        (88200, 48000, Fraction(80, 147)),
        (192000, 48000, Fraction(1, 4)),
        (22050, 48000, Fraction(320, 147)),
        (11025, 48000, Fraction(640, 147)),
        (8000, 48000, Fraction(6)),
        (32000, 48000, Fraction(3, 2)),
        (176400, 48000, Fraction(40, 147)),
        (np.int64(44100), 48000, Fraction(160, 147)),
        (48000, 48000, Fraction(1)),
    ],
)
def test_usual_rates_convert_at_their_exact_ratio(from_hz, to_hz, expected):
    assert resample_ratio(from_hz, to_hz) == expected


def test_irrational_ratio_is_approximated_within_the_bound():
    for semitones in np.linspace(-1.0, 1.0, 41):
        rate = 44100 * 2.0 ** (semitones / 12)
        ratio = resample_ratio(rate, 48000)
        assert ratio.numerator <= 1000 and ratio.denominator <= 1000
        assert abs(float(ratio) * rate / 48000 - 1) < 5e-4
    assert resample_ratio(44100, 48001, max_denominator=100000) == Fraction(48001, 44100)


@pytest.mark.parametrize("shape", [(44100,), (1, 44100), (2, 44100)])
def test_one_second_at_44k1_is_exactly_one_second_at_48k(shape):
    audio = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    out = resample(audio, 44100, 48000)
    assert out.shape == (*shape[:-1], 48000)
    assert out.dtype == np.float32


@pytest.mark.parametrize(("from_hz", "n", "n_out"), [(96000, 96001, 48001), (22050, 1, 3), (48000, 0, 0)])
def test_length_is_the_ceiling_of_n_times_the_ratio(from_hz, n, n_out):
    assert resample(np.ones((2, n), np.float32), from_hz, 48000).shape == (2, n_out)


@pytest.mark.parametrize("share_of_nyquist", [0.005, 0.05, 0.3, 0.7])
@pytest.mark.parametrize(
    ("from_hz", "to_hz"), [(44100, 48000), (48000, 44100), (96000, 48000), (22050, 48000)]
)
def test_a_sine_keeps_its_frequency_and_phase(share_of_nyquist, from_hz, to_hz):
    # Sample by sample against the analytic sine at the new rate: the frequency is kept
    # and the filter's delay is compensated (input sample i lands on output i * to/from).
    freq_hz = share_of_nyquist * min(from_hz, to_hz) / 2
    x = _sine(freq_hz, from_hz // 2, from_hz, phase=0.3)
    y = resample(x, from_hz, to_hz)
    reference = _sine(freq_hz, y.size, to_hz, phase=0.3)
    assert np.max(np.abs(_inner(y - reference))) < 3e-3


def test_content_above_the_new_nyquist_is_filtered_out():
    x = _sine(30000.0, 96000, 96000)
    y = resample(x, 96000, 48000)
    assert np.sqrt(np.mean(_inner(y) ** 2)) < 0.01 * np.sqrt(0.5)  # below -40 dB


def test_equal_rates_return_a_float32_copy():
    audio = np.arange(10, dtype=np.float64).reshape(2, 5)
    out = resample(audio, 48000, 48000)
    assert out.dtype == np.float32 and out is not audio
    np.testing.assert_array_equal(out, audio)


def test_same_input_gives_identical_output():
    audio = np.random.default_rng(3).standard_normal((2, 10000)).astype(np.float32)
    assert (
        resample(audio, 44100 * 1.03, 48000).tobytes()
        == resample(audio.copy(), 44100 * 1.03, 48000).tobytes()
    )


def test_a_transient_stays_where_it_was_within_a_fraction_of_a_millisecond():
    # A hit from silence at sample k of a 44.1 kHz file lands at k * 160/147 at 48 kHz;
    # the filter's pre-ringing may move the measured onset a few samples early, never late.
    rng = np.random.default_rng(5)
    for k in (1000, 12345, 30001):
        x = np.zeros(44100)
        x[k:] = rng.standard_normal(44100 - k) * np.exp(-np.arange(44100 - k) / 900.0)
        x[k] = 1.0
        error = onset_sample(resample(x, 44100, 48000), 48000) - k * 160 / 147
        assert -0.2e-3 * 48000 <= error <= 1.0


@pytest.mark.parametrize(("semitones", "factor"), [(12.0, 2.0), (-12.0, 0.5), (24.0, 4.0)])
def test_octaves_scale_the_length_and_the_frequency_exactly(semitones, factor):
    x = _sine(440.0, 48000, 48000)
    y = pitch_shift_by_resampling(x, semitones)
    assert y.size == round(48000 / factor)
    np.testing.assert_allclose(_inner(y, 1000), _inner(_sine(440.0 * factor, y.size, 48000), 1000), atol=3e-3)


def test_stereo_octave_up_halves_the_length():
    audio = np.stack([_sine(300.0, 48000, 48000), _sine(500.0, 48000, 48000)]).astype(np.float32)
    assert pitch_shift_by_resampling(audio, 12.0).shape == (2, 24000)


@pytest.mark.parametrize("semitones", [1.0, -1.0, 0.5, -0.37])
def test_a_semitone_changes_speed_by_two_to_the_one_twelfth(semitones):
    x = _sine(440.0, 48000, 48000)
    y = pitch_shift_by_resampling(x, semitones)
    speed = 1 / float(resample_ratio(2.0 ** (semitones / 12), 1.0))
    assert abs(1200 * np.log2(speed) - 100 * semitones) < 1.0  # within a cent
    assert abs(y.size - 48000 / speed) <= 1
    np.testing.assert_allclose(_inner(y), _inner(_sine(440.0 * speed, y.size, 48000)), atol=3e-3)


def test_zero_semitones_is_a_copy():
    x = np.random.default_rng(1).standard_normal((2, 1000)).astype(np.float32)
    y = pitch_shift_by_resampling(x, 0.0)
    assert y is not x
    np.testing.assert_array_equal(y, x)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: resample(np.zeros(10), 0, 48000), "from_hz must be a positive finite rate in Hz, got 0"),
        (lambda: resample(np.zeros(10), 44100, -1.0), "to_hz must be a positive finite rate"),
        (lambda: resample(np.zeros(10), float("nan"), 48000), "from_hz must be a positive finite rate"),
        (lambda: resample(np.zeros(10), float("inf"), 48000), "from_hz must be a positive finite rate"),
        (lambda: resample(np.zeros(10), True, 48000), "from_hz must be a number, got True"),
        (lambda: resample(np.zeros(10), "44100", 48000), "from_hz must be a number"),
        (lambda: resample(np.zeros(10), 100, 48000), r"to_hz / from_hz must be in \[1/256, 256\]"),
        (lambda: resample(np.zeros((1, 2, 3)), 44100, 48000), r"audio must have shape \(channels, samples\)"),
        (lambda: resample(np.zeros(10), 44100, 48000, max_denominator=0), "max_denominator must be"),
        (lambda: pitch_shift_by_resampling(np.zeros(10), 49.0), r"semitones must be in \[-48, 48\], got 49"),
        (lambda: pitch_shift_by_resampling(np.zeros(10), float("nan")), "semitones must be in"),
        (lambda: pitch_shift_by_resampling(np.zeros(10), None), "semitones must be a number"),
    ],
)
def test_refuses_bad_arguments(call, message):
    with pytest.raises(ParameterError, match=message):
        call()
