"""Noise, filters, envelopes, modal bank and delay lines against analytic answers."""

from __future__ import annotations

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.dsp.delay import SPEED_OF_SOUND_M_S, fractional_read, retarded_positions, variable_delay
from sonics.dsp.envelopes import (
    ad_envelope,
    adsr_envelope,
    control_to_samples,
    db_to_gain,
    even_level,
    exp_decay,
    fade,
    finish,
    gain_to_db,
    normalize_peak,
    swell,
)
from sonics.dsp.filters import (
    bandpass,
    bandpass_response,
    dc_block,
    highpass,
    lowpass,
    lowpass_response,
    resonator,
    time_varying_filter,
)
from sonics.dsp.modal import BAR_RATIOS, modal_bank, modal_filter
from sonics.dsp.noise import brown_noise, dust, pink_noise, random_bytes, spectral_noise, white_noise

SR = 48_000


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x))))


def _band_power(x: np.ndarray, lo: float, hi: float) -> float:
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    return float(spectrum[(freqs >= lo) & (freqs < hi)].sum())


def _peak_hz(x: np.ndarray) -> float:
    n = 8 * x.size
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size), n))
    return float(np.fft.rfftfreq(n, 1 / SR)[np.argmax(spectrum)])


# noise ------------------------------------------------------------------------------


def test_noises_are_seeded_unit_rms_and_dc_free() -> None:
    for make in (white_noise, pink_noise, brown_noise):
        a = make(np.random.default_rng(3), SR)
        b = make(np.random.default_rng(3), SR)
        assert np.array_equal(a, b)
        assert not np.array_equal(a, make(np.random.default_rng(4), SR))
        assert _rms(a) == pytest.approx(1.0, rel=0.02)
        assert abs(float(np.mean(a))) < 0.02
    assert white_noise(np.random.default_rng(0), 10, n_channels=2).shape == (2, 10)


@pytest.mark.parametrize("n_values", [0, 1, 5, 8, 4099])
def test_random_bytes_are_the_generators_bytes_and_draws(n_values: int) -> None:
    ours, numpys = np.random.default_rng(9), np.random.default_rng(9)
    x = random_bytes(ours, n_values)
    assert x.dtype == np.int8 and x.shape == (n_values,)
    assert x.tobytes() == numpys.bytes(n_values)
    assert ours.bit_generator.state == numpys.bit_generator.state  # what is drawn next is the same too


def test_pink_and_brown_slopes() -> None:
    rng = np.random.default_rng(0)
    pink, brown = pink_noise(rng, 4 * SR), brown_noise(rng, 4 * SR)
    # power per octave: flat for pink, falls 3 dB per octave for brown (band power ∝ 1/f)
    ratio_pink = _band_power(pink, 1000, 2000) / _band_power(pink, 2000, 4000)
    ratio_brown = _band_power(brown, 1000, 2000) / _band_power(brown, 2000, 4000)
    assert ratio_pink == pytest.approx(1.0, rel=0.1)
    assert ratio_brown == pytest.approx(2.0, rel=0.1)


def test_dust_rate_and_bad_rate() -> None:
    x = dust(np.random.default_rng(0), 10 * SR, SR, rate_hz=50.0)
    assert 420 < np.count_nonzero(x) < 580
    assert 0.0 < x.max() <= 1.0
    with pytest.raises(ParameterError):
        dust(np.random.default_rng(0), 10, SR, rate_hz=-1.0)


def test_spectral_noise_level_and_moving_centre() -> None:
    def flat(freqs: np.ndarray, times: np.ndarray) -> np.ndarray:
        return np.ones((times.shape[0], freqs.shape[1]))

    x = spectral_noise(np.random.default_rng(0), SR, SR, flat)
    assert _rms(x) == pytest.approx(1.0, rel=0.03)

    def sweep(freqs: np.ndarray, times: np.ndarray) -> np.ndarray:
        return bandpass_response(freqs, 500.0 + 4000.0 * np.clip(times, 0.0, 1.0), 6.0)

    y = spectral_noise(np.random.default_rng(1), SR, SR, sweep)
    assert _peak_hz(y[:4800]) < 1000 < 4000 < _peak_hz(y[-4800:])
    with pytest.raises(ParameterError):
        spectral_noise(np.random.default_rng(0), 10, SR, flat, n_fft=1000)


# filters ----------------------------------------------------------------------------


def test_butterworth_corners_are_minus_3_db() -> None:
    t = np.arange(SR) / SR
    for filt, f_pass in ((lowpass, 100.0), (highpass, 10000.0)):
        tone = np.sin(2 * np.pi * 1000.0 * t)
        assert _rms(filt(tone, 1000.0, SR)[SR // 2 :]) / _rms(tone) == pytest.approx(0.7071, abs=0.01)
        passing = np.sin(2 * np.pi * f_pass * t)
        assert _rms(filt(passing, 1000.0, SR)[SR // 2 :]) / _rms(passing) == pytest.approx(1.0, abs=0.02)
    tone = np.sin(2 * np.pi * 1000.0 * t)
    assert _rms(bandpass(tone, 500.0, 2000.0, SR)[SR // 2 :]) / _rms(tone) == pytest.approx(1.0, abs=0.05)
    with pytest.raises(ParameterError):
        lowpass(tone, 30000.0, SR)
    with pytest.raises(ParameterError):
        bandpass(tone, 2000.0, 500.0, SR)


def test_resonator_and_responses() -> None:
    t = np.arange(SR) / SR
    at_centre = resonator(np.sin(2 * np.pi * 2000.0 * t), 2000.0, 8.0, SR)
    assert _rms(at_centre[SR // 2 :]) / np.sqrt(0.5) == pytest.approx(1.0, abs=0.01)
    assert float(bandpass_response(np.array(2000.0), 2000.0, 8.0)) == pytest.approx(1.0)
    # -3 dB at the band edges fc * (sqrt(1 + 1/(4q^2)) ± 1/(2q))
    q = 8.0
    edge = 2000.0 * (np.sqrt(1 + 1 / (4 * q * q)) + 1 / (2 * q))
    assert float(bandpass_response(np.array(edge), 2000.0, q)) == pytest.approx(0.7071, abs=1e-3)
    assert float(lowpass_response(np.array(500.0), 500.0, order=4)) == pytest.approx(0.7071, abs=1e-4)


def test_dc_block_keeps_leading_silence() -> None:
    x = np.zeros(SR)
    x[1000:] = 0.5
    y = dc_block(x, SR)
    assert not y[:1000].any()
    assert y[1000] != 0
    assert abs(float(y[-1])) < 1e-3


def test_time_varying_filter_tracks_its_centre_and_keeps_state() -> None:
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(SR)
    centre = np.geomspace(300.0, 6000.0, SR)
    y = time_varying_filter(noise, SR, kind="bandpass", freq_hz=centre, q=8.0)
    assert _peak_hz(y[2000:6800]) < 600
    assert _peak_hz(y[-4800:]) > 4000
    # a constant setting equals the fixed filter; blocks join seamlessly
    fixed = time_varying_filter(noise, SR, kind="lowpass", freq_hz=1000.0, block_size=100)
    whole = time_varying_filter(noise, SR, kind="lowpass", freq_hz=1000.0, block_size=4096)
    assert np.allclose(fixed, whole)
    stereo = time_varying_filter(np.stack([noise, noise]), SR, kind="highpass", freq_hz=centre)
    assert stereo.shape == (2, SR)
    assert np.allclose(stereo[0], stereo[1])
    with pytest.raises(ParameterError):
        time_varying_filter(noise, SR, kind="notch", freq_hz=1000.0)
    with pytest.raises(ParameterError):
        time_varying_filter(noise, SR, kind="lowpass", freq_hz=np.ones(10))


# envelopes --------------------------------------------------------------------------


def test_db_and_gain() -> None:
    assert db_to_gain(-6.0) == pytest.approx(0.501187, abs=1e-6)
    assert gain_to_db(db_to_gain(-12.5)) == pytest.approx(-12.5)
    assert gain_to_db(0.0) == -200.0
    assert np.allclose(db_to_gain(np.array([0.0, -20.0])), [1.0, 0.1])


def test_decays_and_shapes() -> None:
    env = exp_decay(SR + 1, SR, t60_s=1.0)
    assert env[0] == 1.0
    assert env[SR] == pytest.approx(1e-3)
    ad = ad_envelope(SR, SR, attack_s=0.01, t60_s=0.5)
    assert ad[0] == 0.0
    assert int(np.argmax(ad)) == 480
    assert ad[480 + SR // 2] == pytest.approx(1e-3, rel=1e-3)
    adsr = adsr_envelope(SR, SR, attack_s=0.1, decay_s=0.1, sustain=0.5, release_s=0.1)
    assert adsr[0] == 0.0
    assert adsr[4800] == pytest.approx(1.0)
    assert adsr[SR // 2] == pytest.approx(0.5)
    assert adsr[-1] == 0.0
    bump = swell(SR, SR, peak_s=0.7, rise_s=0.6, fall_s=0.2)
    assert int(np.argmax(bump)) == round(0.7 * SR)
    assert bump[0] == 0.0 and bump[-1] == 0.0
    with pytest.raises(ParameterError):
        exp_decay(10, SR, t60_s=0.0)


def test_fade_normalise_finish() -> None:
    y = fade(np.ones((2, 4800)), SR, in_s=0.01, out_s=0.01)
    assert y[:, 0].tolist() == [0.0, 0.0] and y[:, -1].tolist() == [0.0, 0.0]
    assert np.max(np.abs(normalize_peak(np.array([0.2, -0.4]), peak_db=0.0))) == 1.0
    with pytest.raises(ParameterError):
        normalize_peak(np.zeros(5))
    x = np.zeros(SR)
    x[100:] = np.random.default_rng(0).standard_normal(SR - 100) + 0.3
    out = finish(x, SR, peak_db=-6.0)
    assert out.dtype == np.float32 and out.shape == (1, SR)
    assert float(np.max(np.abs(out))) == np.float32(db_to_gain(-6.0))
    assert not out[0, :100].any() and out[0, 100] != 0
    assert out[0, -1] == 0.0
    assert abs(float(np.mean(out))) < 1e-3 * float(np.max(np.abs(out)))


def test_control_to_samples() -> None:
    assert control_to_samples([], 100.0, 4, SR).tolist() == [1.0] * 4
    ramp = control_to_samples([0.0, 1.0, 0.5], 100.0, SR, SR)
    assert ramp[0] == 0.0 and ramp[480] == 1.0 and ramp[960] == 0.5 and ramp[-1] == 0.5
    with pytest.raises(ParameterError):
        control_to_samples([0.0, 1.0], 0.0, 4, SR)


# modal ------------------------------------------------------------------------------


def test_modal_bank_frequencies_and_decays() -> None:
    freqs = 400.0 * np.array(BAR_RATIOS[:3])
    x = modal_bank(freqs, np.array([1.0, 0.5, 0.25]), np.ones(3), SR, SR)
    assert x[0] == 0.0
    for f in freqs:  # each mode is a spectral peak
        assert abs(_peak_hz(bandpass(x, f * 0.9, f * 1.1, SR)) - f) < 3.0
    # a single mode falls exactly 60 dB in its T60
    one = modal_bank(np.array([1000.0]), 0.5, 1.0, SR, SR, phases=np.array([np.pi / 2]))
    assert one[0] == pytest.approx(1.0)
    assert one[SR // 2] == pytest.approx(1e-3, rel=1e-6)
    # modes above Nyquist are dropped, not aliased
    assert not modal_bank(np.array([30000.0]), 1.0, 1.0, 100, SR).any()
    with pytest.raises(ParameterError):
        modal_bank(np.array([100.0, 200.0]), np.array([1.0, 1.0, 1.0]), 1.0, 100, SR)


def test_a_bank_heard_through_a_filter_is_the_filter_run_on_the_bank() -> None:
    from scipy.signal import sosfilt

    from sonics.dsp.filters import highpass_sos, peaking_sos

    body = np.concatenate(
        [peaking_sos(np.array([190.0, 820.0]), 2.5, np.array([4.0, -3.0]), SR), highpass_sos(20.0, SR)]
    )
    freqs = 294.0 * np.arange(1, 13)
    t60, amps, phases = 3.0 * (294.0 / freqs) ** 0.7, 1.0 / np.arange(1, 13), np.linspace(0.0, 3.0, 12)
    n = SR // 2  # every mode still far above its 100 dB cut: the filtered bank is exact
    heard = modal_bank(freqs, t60, amps, n, SR, phases=phases, sos=body)
    filtered = sosfilt(body, modal_bank(freqs, t60, amps, n, SR, phases=phases))
    assert np.max(np.abs(heard - filtered)) < 1e-9 * np.max(np.abs(filtered))
    with pytest.raises(ParameterError, match="stable"):
        modal_bank(freqs, t60, amps, n, SR, sos=np.array([[1.0, 0.0, 0.0, 1.0, -2.0, 1.01]]))


def test_modal_filter_impulse_response_is_the_bank() -> None:
    impulse = np.zeros(SR // 2)
    impulse[0] = 1.0
    freqs, t60, amps = np.array([523.0, 1441.0, 2827.0]), np.array([0.8, 0.3, 0.1]), np.array([1.0, 0.5, 0.3])
    bank = modal_bank(freqs, t60, amps, SR // 2, SR)  # computed until each mode is 100 dB down
    assert np.allclose(modal_filter(impulse, freqs, t60, amps, SR), bank, rtol=0.0, atol=2e-5)


# delay ------------------------------------------------------------------------------


def test_fractional_read_and_variable_delay() -> None:
    x = np.sin(2 * np.pi * 100.0 * np.arange(SR) / SR)
    half = fractional_read(x, np.arange(10, 1000) + 0.5)
    assert np.allclose(half, np.sin(2 * np.pi * 100.0 * (np.arange(10, 1000) + 0.5) / SR), atol=1e-6)
    assert variable_delay(x, 48.0)[48:].tolist() == x[:-48].tolist()
    assert not variable_delay(x, 48.0)[:48].any()
    with pytest.raises(ParameterError):
        variable_delay(x, -1.0)


def test_doppler_of_a_flyby_is_exact() -> None:
    speed, f0, n = 60.0, 1000.0, 2 * SR
    t = np.arange(n) / SR
    distance = np.sqrt(2.0**2 + (speed * (t - 1.0)) ** 2)
    heard = fractional_read(np.sin(2 * np.pi * f0 * t), retarded_positions(distance, SR, n))
    approach, recede = _peak_hz(heard[SR // 4 : SR // 2]), _peak_hz(heard[3 * SR // 2 : 7 * SR // 4])
    assert approach == pytest.approx(f0 / (1 - speed / SPEED_OF_SOUND_M_S), rel=2e-3)
    assert recede == pytest.approx(f0 / (1 + speed / SPEED_OF_SOUND_M_S), rel=2e-3)
    # nothing is heard before the first emitted sound arrives
    first = int(np.ceil(distance[0] * SR / SPEED_OF_SOUND_M_S))
    assert not heard[: first - 1].any()
    with pytest.raises(ParameterError):
        retarded_positions(np.linspace(400.0, 0.0, SR), SR, SR)  # 400 m/s: faster than sound


def test_modal_filter_of_many_modes_matches_mode_by_mode() -> None:
    x = np.random.default_rng(0).standard_normal((2, 20_000))
    freqs, t60 = np.geomspace(300.0, 9000.0, 10), np.linspace(0.5, 0.05, 10)
    amps = np.linspace(1.0, 0.2, 10)
    together = modal_filter(x, freqs, t60, amps, SR)  # ten modes: one FFT convolution
    one_by_one = sum(modal_filter(x, freqs[k : k + 1], t60[k], amps[k], SR) for k in range(10))
    assert together.shape == (2, 20_000)
    assert np.max(np.abs(together - one_by_one)) < 1e-5 * np.max(np.abs(one_by_one))


def test_even_level_with_an_envelope_takes_its_level() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal(48_000) * np.linspace(0.2, 3.0, 48_000)
    ramp = np.linspace(0.0, 2.0, 48_000)
    y = even_level(x, SR, envelope=lambda at: at / 24_000)
    flat = even_level(x, SR)
    # a linear envelope: the product, to the interpolation of the divisor's reciprocal and the held ends
    np.testing.assert_allclose(y[60:-60], (flat * ramp)[60:-60], rtol=1e-3, atol=1e-9)
