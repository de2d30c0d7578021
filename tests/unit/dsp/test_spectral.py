"""Spectrograms and music features on signals whose spectra are known exactly."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.dsp.spectral import (
    chroma_stft,
    mel_filterbank,
    mel_frequencies_hz,
    mel_spectrogram,
    mfcc,
    onset_strength,
    power_to_db,
    stft_power,
)

SR = 22050


def test_frames_are_centred_on_their_hop_and_a_bin_tone_peaks_in_its_bin():
    n = 10 * 512 + 37
    click = np.zeros(n)
    click[7 * 512] = 1.0
    power = stft_power(click, n_fft=2048, hop_length=512)
    assert power.shape == (1025, 1 + n // 512) and power.dtype == np.float32
    assert int(np.argmax(power.sum(axis=0))) == 7
    k = 93
    tone = np.cos(2 * np.pi * k * SR / 2048 * np.arange(n) / SR)
    spectrum = stft_power(tone, n_fft=2048, hop_length=512)[:, 3:-3]
    assert np.all(np.argmax(spectrum, axis=0) == k)
    # A periodic Hann window has its energy in the bin and its two neighbours only.
    assert spectrum[[k - 1, k, k + 1]].sum(axis=0) / spectrum.sum(axis=0) == pytest.approx(1.0, abs=1e-5)


def test_the_mel_scale_is_linear_to_1_khz_then_27_mels_to_6_4_times():
    assert np.allclose(mel_frequencies_hz(16, fmax_hz=1000.0), np.arange(16) * 200.0 / 3.0)
    octave = mel_frequencies_hz(28, fmin_hz=1000.0, fmax_hz=6400.0)
    assert np.allclose(octave[1:] / octave[:-1], 6.4 ** (1 / 27))


def test_mel_filters_have_unit_area_and_peak_at_their_centres():
    bank = mel_filterbank(SR, 2048, 96)
    bin_hz = SR / 2048
    edges = mel_frequencies_hz(98, fmax_hz=SR / 2)
    wide = (edges[2:] - edges[:-2]) / bin_hz > 8  # bands a few bins wide sample the triangle well
    assert wide.sum() > 50
    assert np.allclose(bank.sum(axis=1)[wide] * bin_hz, 1.0, atol=0.015)
    centres_hz = np.fft.rfftfreq(2048, 1 / SR)[np.argmax(bank, axis=1)]
    assert np.all(np.abs(centres_hz - edges[1:-1])[wide] <= bin_hz / 2 + 1e-6)
    assert np.all(bank >= 0)


def test_a_tone_lands_in_the_mel_band_around_it():
    tone = np.sin(2 * np.pi * 3000.0 * np.arange(SR) / SR)
    mel = mel_spectrogram(tone, SR, n_fft=2048, hop_length=256, n_mels=64)
    edges = mel_frequencies_hz(66, fmax_hz=SR / 2)
    band = int(np.argmax(mel[:, 40]))
    assert edges[band] < 3000.0 < edges[band + 2]


def test_decibels_are_exact_and_floored():
    assert np.array_equal(power_to_db(np.array([100.0, 1.0, 1e-3])), [20.0, 0.0, -30.0])
    assert np.array_equal(power_to_db(np.array([100.0, 1.0]), ref=100.0), [0.0, -20.0])
    assert np.array_equal(power_to_db(np.array([1.0, 1e-12]), top_db=None), [0.0, -100.0])
    assert np.array_equal(power_to_db(np.array([1.0, 1e-12])), [0.0, -80.0])


def test_onset_strength_is_the_mean_rise_reported_at_the_centred_frame():
    mel_db = np.zeros((8, 40), dtype=np.float32)
    mel_db[:4, 20:] = 10.0  # half the bands rise 10 dB at frame 20
    mel_db[:, 30:] -= 5.0  # a fall is no onset
    onset = onset_strength(mel_db, n_fft=2048, hop_length=512)
    assert onset.shape == (40,) and onset.dtype == np.float32
    expected = np.zeros(40)
    expected[20 + 2048 // (2 * 512)] = 5.0
    assert np.array_equal(onset, expected)


@pytest.mark.parametrize("cents", [-40.0, 40.0])
def test_chroma_name_the_pitch_class_even_when_the_track_is_out_of_tune(cents):
    t = np.arange(2 * SR) / SR

    def chroma_of(f_hz: float) -> np.ndarray:
        y = sum(np.sin(2 * np.pi * h * f_hz * t) / h for h in (1, 2, 3)).astype(np.float32)
        return chroma_stft(y, SR, n_fft=4096, hop_length=512)[:, 10:-10].mean(axis=1)

    for semitone in range(12):
        f_hz = 440.0 * 2 ** ((semitone - 9) / 12)  # C4 .. B4
        assert int(np.argmax(chroma_of(f_hz))) == semitone
    in_tune = chroma_of(440.0)
    detuned = chroma_of(440.0 * 2 ** (cents / 1200))
    assert in_tune.max() == pytest.approx(1.0) and detuned.max() == pytest.approx(1.0)
    assert np.abs(detuned - in_tune).max() < 0.03  # the tuning estimate keeps A whole


def test_mfcc_of_a_flat_spectrum_is_all_in_c0_and_a_cosine_in_its_coefficient():
    flat = mfcc(np.full((40, 2), -20.0), 13)
    assert flat[0, 0] == pytest.approx(-20.0 * np.sqrt(40)) and np.allclose(flat[1:], 0.0)
    bands = np.arange(40)
    ripple = mfcc(np.cos(np.pi * 3 * (bands + 0.5) / 40)[:, None], 13)[:, 0]
    assert int(np.argmax(np.abs(ripple))) == 3 and ripple[3] == pytest.approx(np.sqrt(20))


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: stft_power(np.zeros(100), n_fft=511, hop_length=64), "n_fft must be an even integer"),
        (lambda: stft_power(np.zeros(100), n_fft=512, hop_length=0), "hop_length must be an integer >= 1"),
        (lambda: stft_power(np.zeros((2, 100)), n_fft=512, hop_length=64), "y must be 1-D"),
        (lambda: mel_frequencies_hz(0, fmax_hz=100.0), "n_mels must be an integer >= 1"),
        (lambda: mel_frequencies_hz(4, fmin_hz=200.0, fmax_hz=100.0), "0 <= fmin_hz < fmax_hz"),
        (lambda: power_to_db(np.ones(3), amin=0.0), "amin must be > 0"),
        (lambda: mfcc(np.zeros((10, 3)), 11), "n_mfcc must be an integer in 1..10"),
    ],
)
def test_bad_parameters_are_refused(call, fragment):
    with pytest.raises(ParameterError, match=fragment):
        call()


def test_docstring_examples():
    result = doctest.testmod(importlib.import_module("sonics.dsp.spectral"), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
