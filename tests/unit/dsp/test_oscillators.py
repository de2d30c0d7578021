from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import sosfreqz

from sonics.core.errors import ParameterError
from sonics.dsp.filters import highpass_sos, lowpass_sos, peaking_sos
from sonics.dsp.noise import uniform_noise
from sonics.dsp.oscillators import pulse_voices, sawtooth_voices

SR = 48_000


def _spectrum(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zero-padded eight times, so that a peak's height does not depend on where it falls between bins."""
    n = 8 * x.size
    return np.fft.rfftfreq(n, 1 / SR), np.abs(np.fft.rfft(x * np.blackman(x.size), n))


@pytest.mark.parametrize("f0", [220.3, 1234.5])
def test_a_sawtooth_has_1_over_n_harmonics_and_no_aliases_below_10_khz(f0: float) -> None:
    x = sawtooth_voices(np.full((1, 201), f0), np.ones((1, 201)), 100.0, SR, SR)[0]
    freqs, spectrum = _spectrum(x)
    peak = spectrum.max()
    for k in (1, 2, 3, 5):
        level = spectrum[np.abs(freqs - k * f0) < 3].max() / peak
        assert 20 * np.log10(level) == pytest.approx(-20 * np.log10(k), abs=1.0)
    harmonic = np.zeros(freqs.size, bool)
    for k in range(1, int(24000 / f0) + 1):
        harmonic |= np.abs(freqs - k * f0) < 8
    alias = spectrum[~harmonic & (freqs > 50) & (freqs < 10000)].max() / peak
    assert 20 * np.log10(alias) < -60


def test_sawtooth_and_pulses_have_no_dc_even_with_a_fast_attack() -> None:
    t = np.arange(101) / 100.0
    amps = np.minimum(1.0, t / 0.01)[np.newaxis, :]  # full level after 10 ms
    period = 500  # 96 Hz
    for make in (sawtooth_voices, pulse_voices):
        x = make(np.full((1, 101), SR / period), amps, 100.0, SR // 2, SR)[0]
        # the mean over any one whole period once the tone has begun: no offset left, no drift
        running = np.convolve(x, np.ones(period) / period, mode="valid")[2 * period :]
        assert float(np.abs(running).max()) < 2e-3 * float(np.abs(x).max())


def test_many_voices_sum_into_stereo_with_their_own_gains_and_starts() -> None:
    f0 = np.array([[200.0] * 11, [300.0] * 11])
    gains = np.array([[1.0, 0.0], [0.0, 1.0]])  # voice 0 left, voice 1 right
    x = pulse_voices(
        f0, np.ones((2, 11)), 100.0, 4800, SR, channel_gains=gains, start_samples=np.array([0.0, 1000.0])
    )
    assert x.shape == (2, 4800)
    assert np.allclose(x[1, :1000], 0.0) and np.abs(x[1, 1000:1004]).max() > 0.1
    left_periods = np.diff(np.flatnonzero(x[0] > 0.3))
    assert np.all(left_periods == SR // 200)  # 200 Hz pulses, one a period
    with pytest.raises(ParameterError, match="channel_gains"):
        pulse_voices(f0, np.ones((2, 11)), 100.0, 4800, SR, channel_gains=np.ones((2, 3)))
    with pytest.raises(ParameterError, match="f0_hz"):
        sawtooth_voices(-f0, np.ones((2, 11)), 100.0, 4800, SR)


def test_peaking_and_butterworth_sections_have_their_gains() -> None:
    sos = peaking_sos(np.array([500.0, 3000.0]), 2.0, np.array([6.0, -9.0]), SR)
    _, h = sosfreqz(sos, worN=[500.0, 3000.0, 20.0, 20000.0], fs=SR)
    assert 20 * np.log10(np.abs(h)) == pytest.approx([6.0, -9.0, 0.0, 0.0], abs=0.3)
    _, lo = sosfreqz(lowpass_sos(1000.0, SR, order=4), worN=[1000.0], fs=SR)
    _, hi = sosfreqz(highpass_sos(1000.0, SR), worN=[1000.0], fs=SR)
    assert 20 * np.log10(abs(lo[0])) == pytest.approx(-3.01, abs=0.05)
    assert 20 * np.log10(abs(hi[0])) == pytest.approx(-3.01, abs=0.05)
    with pytest.raises(ParameterError):
        peaking_sos(30000.0, 1.0, 3.0, SR)


def test_uniform_noise_is_flat_unit_variance_and_seeded() -> None:
    a = uniform_noise(np.random.default_rng(1), 200_000, n_channels=2)
    b = uniform_noise(np.random.default_rng(1), 200_000, n_channels=2)
    assert a.dtype == np.float32 and np.array_equal(a, b)
    assert float(a.std()) == pytest.approx(1.0, abs=0.01) and abs(float(a.mean())) < 0.01
    assert abs(float(np.corrcoef(a[0], a[1])[0, 1])) < 0.01
