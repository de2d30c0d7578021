"""What each instrument sounds like, measured: pitch, dynamics, and the spectra of drums and cymbals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from sonics.core.score import DRUM_CHANNEL, Note, Part
from sonics.core.tempo import TempoMap
from sonics.music.synth import render_part
from sonics.music.synth.drums import DRUM_MAP, drum_for_key
from sonics.music.synth.voice import key_to_hz

SR = 48_000
TEMPO = TempoMap.constant(120.0)  # a beat is 0.5 s
PITCHED = ["low_strings", "high_strings", "brass", "pad", "choir", "koto", "pipa", "dizi"]
KEYS = {
    "low_strings": 48,
    "high_strings": 69,
    "brass": 53,
    "pad": 57,
    "choir": 60,
    "koto": 62,
    "pipa": 69,
    "dizi": 74,
}


def _note(name: str, velocity: int, *, key: int | None = None, beats: float = 6.0) -> np.ndarray:
    part = Part("p", name, 0, 0, notes=(Note(0.0, beats, KEYS[name] if key is None else key, velocity),))
    return render_part(part, TEMPO, SR * 4)


@pytest.mark.parametrize("name", PITCHED)
def test_the_pitch_is_where_the_key_says(name: str, m) -> None:
    for key in (KEYS[name], KEYS[name] + 7):
        audio = _note(name, 100, key=key)
        steady = (
            audio[:, round(0.25 * SR) : round(1.25 * SR)]
            if name in ("koto", "pipa")
            else audio[:, SR : 3 * SR]
        )
        expected = key_to_hz(key)
        assert abs(m.cents(m.fundamental_hz(steady, expected), expected)) < 4.0, key


@pytest.mark.parametrize("name", PITCHED)
def test_louder_is_louder_and_brighter(name: str, m) -> None:
    soft, loud = _note(name, 45), _note(name, 120)
    span = slice(round(0.1 * SR), round(0.6 * SR)) if name in ("koto", "pipa") else slice(SR, 2 * SR)
    assert m.rms(loud[:, span]) > 4.0 * m.rms(soft[:, span])  # about 17 dB by the 40 log10 law
    assert m.centroid_hz(loud[:, span], power=True) > 1.15 * m.centroid_hz(soft[:, span], power=True)


def test_strings_have_a_harmonic_series_shaped_by_the_body(m) -> None:
    audio = _note("low_strings", 110, key=36)  # C2, 65.4 Hz
    x = audio.mean(axis=0)[SR : 3 * SR]
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    f0 = key_to_hz(36)
    harmonics = np.array([spectrum[np.abs(freqs - k * f0) < 3.0].max() for k in range(1, 41)])
    between = np.array([spectrum[np.abs(freqs - (k + 0.5) * f0) < 3.0].max() for k in range(1, 40)])
    assert np.median(harmonics[:20] / between[:20]) > 10  # a clear harmonic series
    assert np.count_nonzero(harmonics > 1e-3 * harmonics.max()) >= 30  # a rich, bowed one
    # the body's air resonance (~100 Hz) lifts the harmonics near it over those near its dip (~720 Hz)
    near_air = harmonics[np.argmin(np.abs(np.arange(1, 41) * f0 - 100.0))]
    near_dip = harmonics[np.argmin(np.abs(np.arange(1, 41) * f0 - 720.0))]
    assert near_air > 2 * near_dip


def test_short_strings_notes_are_spiccato_and_long_ones_sustain(m) -> None:
    short = _note("low_strings", 110, beats=0.4)  # 0.2 s
    long = _note("low_strings", 110, beats=4.0)  # 2 s
    env = lambda x, a, b: m.rms(x[:, round(a * SR) : round(b * SR)])  # noqa: E731
    assert env(short, 0.35, 0.45) < 0.25 * env(short, 0.02, 0.08)  # bounced off: rings away
    assert env(long, 1.5, 1.9) > 0.6 * env(long, 0.3, 0.7)  # bowed on
    assert env(long, 0.0, 0.02) < 0.5 * env(long, 0.3, 0.7)  # and swelled into


def test_the_pipa_plays_long_notes_as_a_tremolo(m) -> None:
    audio = _note("pipa", 110, beats=3.0)  # 1.5 s
    envelope = np.sqrt(np.convolve(audio.mean(axis=0) ** 2, np.ones(240) / 240, mode="same"))[::240]
    segment = envelope[round(0.3 * SR / 240) : round(1.3 * SR / 240)]  # 200 points a second
    spectrum = np.abs(np.fft.rfft(segment - segment.mean()))
    rate_hz = np.fft.rfftfreq(segment.size, 240 / SR)[np.argmax(spectrum)]
    assert 12.0 < rate_hz < 16.0  # the roll of plucks, ~14 a second


def test_the_big_taiko_is_a_low_membrane_whose_pitch_falls_to_rest() -> None:
    part = Part("drums", "taiko", 116, DRUM_CHANNEL, notes=(Note(0.0, 1.0, 36, 127),))
    audio = render_part(part, TEMPO, SR * 3).mean(axis=0).astype(np.float64)
    rest_hz = DRUM_MAP[36].pitch_hz
    low = sosfilt(butter(4, rest_hz * 1.4, "lowpass", fs=SR, output="sos"), audio)

    def pitch(a: float, b: float) -> float:
        seg = low[round(a * SR) : round(b * SR)]
        crossings = np.flatnonzero((seg[:-1] < 0) & (seg[1:] >= 0))
        return SR / float(np.mean(np.diff(crossings)))

    assert pitch(0.01, 0.09) > 1.08 * pitch(0.5, 1.0)  # the stroke stretches the head
    assert pitch(0.5, 1.0) == pytest.approx(rest_hz, rel=0.05)
    power = np.abs(np.fft.rfft(audio)) ** 2
    freqs = np.fft.rfftfreq(audio.size, 1 / SR)
    assert power[freqs < 200].sum() > 0.7 * power.sum()  # a deep drum, not a click


@pytest.mark.parametrize("key", [49, 52, 55, 51])
def test_cymbals_are_dense_inharmonic_and_high(key: int, m) -> None:
    part = Part("cymbals", "cymbals", 0, DRUM_CHANNEL, notes=(Note(0.0, 1.0, key, 120),))
    audio = render_part(part, TEMPO, SR * 2)
    x = audio.mean(axis=0)[round(0.01 * SR) : round(0.5 * SR)]
    assert m.centroid_hz(x) > 3000.0
    power = np.abs(np.fft.rfft(x * np.hanning(x.size))) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    band = power[(freqs > 2000) & (freqs < 12000)]
    flatness = np.exp(np.mean(np.log(band + 1e-30))) / np.mean(band)
    assert flatness > 0.1  # a dense wash, not a few tones
    assert drum_for_key(key) is DRUM_MAP[key]


def test_keys_outside_the_map_play_the_nearest_sensible_drum() -> None:
    assert drum_for_key(34) is DRUM_MAP[35]  # below the map: the big drum
    assert drum_for_key(39) is DRUM_MAP[38]  # a hand clap: the shime
    assert drum_for_key(62) in (DRUM_MAP[48], DRUM_MAP[50])  # a conga: a small taiko
    assert drum_for_key(75) in (DRUM_MAP[42], DRUM_MAP[44], DRUM_MAP[46])  # claves: a small metal
    assert drum_for_key(127) is DRUM_MAP[59]
