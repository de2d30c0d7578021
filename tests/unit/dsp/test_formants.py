from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import sosfilt, sosfreqz

from sonics.core.errors import ParameterError
from sonics.dsp.formants import VOWELS, formant_sos, glottal_sos, pulse_times

SR = 48_000


def test_pulse_times_follow_a_constant_pitch_exactly() -> None:
    times, contour = pulse_times(np.full(101, 200.0), 100.0)  # 1 s at 200 Hz
    assert np.allclose(np.diff(times), 1 / 200.0)
    assert times[0] == 0.0 and times.size == 201 and np.all(contour == 0)


def test_pulse_times_follow_a_glide_and_many_contours_at_once() -> None:
    glide = np.linspace(100.0, 300.0, 101)  # 1 s from 100 to 300 Hz
    times, _ = pulse_times(glide, 100.0)
    periods = np.diff(times)
    assert periods[0] == pytest.approx(1 / 100.0, rel=0.02) and periods[-1] == pytest.approx(
        1 / 300.0, rel=0.02
    )
    assert times.size == pytest.approx(200, abs=2)  # the mean pitch over the second
    # two contours in one call: each starts at its own zero
    both, which = pulse_times(np.r_[np.full(11, 100.0), np.full(21, 50.0)], 100.0, [11, 21])
    assert both[which == 0].tolist() == pytest.approx(
        [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1]
    )
    assert both[which == 1].tolist() == pytest.approx(
        [0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2]
    )
    with pytest.raises(ParameterError, match="lengths"):
        pulse_times(np.ones(5), 100.0, [2, 2])
    with pytest.raises(ParameterError, match="f0_hz"):
        pulse_times(np.array([100.0, -1.0]), 100.0)


@pytest.mark.parametrize("vowel", sorted(VOWELS))
def test_formant_filters_peak_at_the_vowel_formants(vowel: str) -> None:
    sos = formant_sos(vowel, SR)
    freqs, response = sosfreqz(sos, worN=np.arange(50.0, 5000.0, 5.0), fs=SR)
    gain_db = 20 * np.log10(np.abs(response))
    assert abs(float(np.abs(sosfreqz(sos, worN=[0.0], fs=SR)[1][0])) - 1.0) < 1e-9  # unit gain at DC
    for formant_hz, _ in VOWELS[vowel][:2]:
        near = np.flatnonzero(np.abs(freqs - formant_hz) < 40.0)
        # a local maximum of the response sits within 40 Hz of each of F1 and F2
        top = near[np.argmax(gain_db[near])]
        assert top not in (near[0], near[-1])


def test_formant_options_move_and_widen_the_formants() -> None:
    freqs = np.arange(200.0, 1500.0, 2.0)

    def f1(**kw: float) -> float:
        response = np.abs(sosfreqz(formant_sos("a", SR, **kw)[:1], worN=freqs, fs=SR)[1])
        return float(freqs[np.argmax(response)])

    assert f1() == pytest.approx(730.0, abs=10.0)
    assert f1(f1_raise_hz=150.0) == pytest.approx(880.0, abs=10.0)
    assert f1(shift=1.2) == pytest.approx(876.0, abs=10.0)
    with pytest.raises(ParameterError, match="unknown vowel"):
        formant_sos("y", SR)


def test_glottal_source_rolls_off_6_db_per_octave_with_no_dc() -> None:
    sos = glottal_sos(SR, corner_hz=150.0)
    _, response = sosfreqz(sos, worN=[0.0, 2000.0, 4000.0], fs=SR)
    mag = np.abs(response)
    assert mag[0] < 1e-12
    assert 20 * np.log10(mag[1] / mag[2]) == pytest.approx(6.0, abs=0.6)
    train = np.zeros(4800)
    train[::240] = 1.0
    assert abs(sosfilt(sos, train)[2400:].mean()) < 1e-3
