"""Generate music tracks whose beats, downbeats and sections are known exactly.

:func:`band_track` renders a small band: kick, snare and hi-hat, a bass line and chords,
in sections (``"ABA"``: verse, chorus, verse), ended by a last downbeat (a kick, a crash and
the tonic chord) that rings out. Every note starts on the sample its beat falls on, so the
beat and downbeat times it returns are the truth. :func:`pad_track` renders music with no
beat at all: slowly swelling chords over a soft noise bed.

Every generator is deterministic: the same arguments and ``seed`` give byte-identical output.
Arrays are float32, shape ``(2, n_samples)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from sonics.core.errors import ParameterError

__all__ = ["MusicTruth", "band_track", "pad_track"]

# One chord per bar (MIDI keys), cycling through a section; A and B differ in harmony and timbre.
_CHORDS = {
    "A": ((57, 60, 64), (53, 57, 60), (55, 60, 64), (55, 59, 62)),  # Am F C/G G
    "B": ((50, 53, 57), (58, 62, 65), (53, 57, 60), (52, 56, 59)),  # Dm Bb F E
}
_TONIC = (57, 60, 64, 69)
_PEAK = 0.8


@dataclass(frozen=True, slots=True, eq=False)
class MusicTruth:
    """A generated track and where its beats, bars and sections are.

    Attributes
    ----------
    audio : ndarray, float32, shape (2, n_samples)
        The track, peak 0.8.
    sample_rate : int
        Samples per second [Hz].
    bpm : float
        Tempo [beats per minute].
    meter : int
        Beats per bar.
    beat_times_s : ndarray, float64
        Every beat from the first downbeat to the last one (the ending's), [s].
    downbeat_times_s : ndarray, float64
        The first beat of every bar, the ending's included [s].
    section_starts_s : tuple of float
        Where each section starts [s]; the last is the ending's downbeat.
    section_labels : tuple of str
        The label of each section (``"A"``, ``"B"``...; ``"end"`` for the ending).
    """

    audio: np.ndarray
    sample_rate: int
    bpm: float
    meter: int
    beat_times_s: np.ndarray
    downbeat_times_s: np.ndarray
    section_starts_s: tuple[float, ...]
    section_labels: tuple[str, ...]

    @property
    def n_samples(self) -> int:
        """Length in samples."""
        return int(self.audio.shape[1])

    @property
    def ending_s(self) -> float:
        """Time of the ending's downbeat [s]."""
        return float(self.downbeat_times_s[-1])


def _hz(key: float) -> float:
    return 440.0 * 2.0 ** ((key - 69) / 12.0)


def _add(out: np.ndarray, sound: np.ndarray, at: int, gains: tuple[float, float]) -> None:
    end = min(out.shape[1], at + sound.size)
    if end > at:
        out[0, at:end] += gains[0] * sound[: end - at]
        out[1, at:end] += gains[1] * sound[: end - at]


def _kick(sr: int) -> np.ndarray:
    t = np.arange(round(0.35 * sr)) / sr
    freq = 50.0 + 90.0 * np.exp(-t / 0.03)
    body = np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t / 0.12)
    click = np.exp(-t / 0.002) * np.sin(2 * np.pi * 1800.0 * t)
    return body + 0.3 * click


def _snare(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(round(0.25 * sr)) / sr
    sos = signal.butter(2, (1200.0, 7000.0), "bandpass", fs=sr, output="sos")
    noise = signal.sosfilt(sos, rng.standard_normal(t.size)) * np.exp(-t / 0.07)
    return 1.6 * noise + 0.5 * np.sin(2 * np.pi * 190.0 * t) * np.exp(-t / 0.04)


def _hat(sr: int, rng: np.random.Generator, decay_s: float) -> np.ndarray:
    t = np.arange(round(6 * decay_s * sr)) / sr
    sos = signal.butter(2, 7000.0, "highpass", fs=sr, output="sos")
    return signal.sosfilt(sos, rng.standard_normal(t.size)) * np.exp(-t / decay_s)


def _tone(sr: int, key: float, n: int, harmonics: int, tilt: float, attack_s: float) -> np.ndarray:
    """Return a harmonic note of ``n`` samples with a soft attack and a 30 ms release at its end."""
    t = np.arange(n) / sr
    f0 = _hz(key)
    wave = np.zeros(n)
    for k in range(1, harmonics + 1):
        if k * f0 < 0.45 * sr:
            wave += np.sin(2 * np.pi * k * f0 * t) / k**tilt
    envelope = np.minimum(1.0, t / attack_s) * np.minimum(1.0, (n - 1 - np.arange(n)) / (0.03 * sr))
    return wave * np.clip(envelope, 0.0, 1.0)


def _check(bpm: float, meter: int, form: str, bars_per_section: int, lead_s: float, tail_s: float) -> None:
    if not (np.isfinite(bpm) and 40.0 <= bpm <= 240.0):
        raise ParameterError(f"bpm must be in [40, 240], got {bpm}")
    if meter not in (2, 3, 4, 5, 6, 7):
        raise ParameterError(f"meter must be 2..7 beats per bar, got {meter!r}")
    if not form or any(c not in _CHORDS for c in form):
        raise ParameterError(f"form must be a string of section labels A and B, got {form!r}")
    if not isinstance(bars_per_section, int) or bars_per_section < 1:
        raise ParameterError(f"bars_per_section must be an integer >= 1, got {bars_per_section!r}")
    if not (np.isfinite(lead_s) and lead_s >= 0) or not (np.isfinite(tail_s) and tail_s > 0):
        raise ParameterError(f"lead_s must be >= 0 and tail_s > 0, got {lead_s} and {tail_s}")


def band_track(
    *,
    bpm: float = 120.0,
    meter: int = 4,
    form: str = "ABA",
    bars_per_section: int = 4,
    lead_s: float = 0.05,
    tail_s: float = 2.0,
    sample_rate: int = 48000,
    seed: int = 0,
) -> MusicTruth:
    """Render a drums, bass and chords track with known beats, downbeats and sections.

    Section A: kick on beats 1 and 3, snare on 2 and 4, closed hi-hat on eighths, a bass on
    eighths and soft chords (Am F C G). Section B: kick on 1 and the "and" of 2, a ride on
    quarters, bass on quarters an octave up on the off-beats, brighter chords (Dm Bb F E).
    In 3/4 the snare plays beats 2 and 3. The ending is one downbeat after the last section:
    a kick, a crash and the tonic chord, ringing for ``tail_s``.

    Parameters
    ----------
    bpm : float in [40, 240]
        Tempo [beats per minute].
    meter : int in 2..7
        Beats per bar.
    form : str
        The sections in order, each ``"A"`` or ``"B"``.
    bars_per_section : int >= 1
        Bars in each section.
    lead_s : float >= 0
        Silence before the first downbeat [s].
    tail_s : float > 0
        How long the ending rings after its downbeat [s].
    sample_rate : int
        Samples per second [Hz].
    seed : int
        Seed of the noise of the drums.

    Returns
    -------
    MusicTruth
        The stereo track and its beat, downbeat and section times. Beat ``k`` is at
        exactly ``round((lead_s + k * 60 / bpm) * sample_rate)`` samples.

    Raises
    ------
    ParameterError
        If an argument is outside its domain.

    Examples
    --------
    >>> truth = band_track(bpm=120.0, form="AB", bars_per_section=2)
    >>> truth.audio.shape[0], len(truth.downbeat_times_s), truth.section_labels
    (2, 5, ('A', 'B', 'end'))
    """
    _check(bpm, meter, form, bars_per_section, lead_s, tail_s)
    sr = int(sample_rate)
    rng = np.random.default_rng([seed, 17])
    beat_s = 60.0 / bpm
    n_bars = len(form) * bars_per_section
    n_beats = n_bars * meter
    beat_times = lead_s + beat_s * np.arange(n_beats + 1)
    n_samples = round((beat_times[-1] + tail_s) * sr)
    out = np.zeros((2, n_samples))
    kick, snare = _kick(sr), _snare(sr, rng)
    hat, ride = _hat(sr, rng, 0.015), _hat(sr, rng, 0.12)

    def at(beat: float) -> int:
        return round((lead_s + beat * beat_s) * sr)

    for bar in range(n_bars):
        label = form[bar // bars_per_section]
        chord = _CHORDS[label][bar % bars_per_section % 4]
        first = bar * meter
        snare_beats = (1, 2) if meter == 3 else tuple(range(1, meter, 2))
        if label == "A":
            kicks = tuple(range(0, meter, 2)) if meter != 3 else (0,)
            for b in kicks:
                _add(out, kick, at(first + b), (0.9, 0.9))
            for i in range(2 * meter):
                _add(out, hat, at(first + i / 2), (0.12, 0.2))
            bass_step, bass_up = 0.5, 0
            pad_harmonics, pad_tilt = 4, 2.0
        else:
            for b in (0.0, 1.5):
                if b < meter:
                    _add(out, kick, at(first + b), (0.9, 0.9))
            for i in range(meter):
                _add(out, ride, at(first + i), (0.12, 0.08))
            bass_step, bass_up = 1.0, 12
            pad_harmonics, pad_tilt = 8, 1.0
        for b in snare_beats:
            _add(out, snare, at(first + b), (0.35, 0.35))
        steps = round(meter / bass_step)
        for i in range(steps):
            start = at(first + i * bass_step)
            n = at(first + (i + 1) * bass_step) - start
            key = chord[0] - 24 + (bass_up if i % 2 else 0)
            _add(out, _tone(sr, key, n, 8, 1.0, 0.004), start, (0.3, 0.3))
        n_bar = at(first + meter) - at(first)
        for j, key in enumerate(chord):
            tone = _tone(sr, key, n_bar, pad_harmonics, pad_tilt, 0.02)
            _add(out, tone, at(first), (0.09, 0.05) if j % 2 else (0.05, 0.09))
    # The ending: a kick, a crash and the tonic ringing out, faded to silence by the end.
    end = at(n_beats)
    n_tail = n_samples - end
    decay = np.exp(-np.arange(n_tail) / (0.3 * n_tail)) * np.linspace(1.0, 0.0, n_tail)
    _add(out, kick, end, (1.0, 1.0))
    _add(out, _hat(sr, rng, 0.4)[:n_tail], end, (0.2, 0.2))
    for j, key in enumerate(_TONIC):
        _add(out, _tone(sr, key, n_tail, 6, 1.5, 0.005) * decay, end, (0.1, 0.07) if j % 2 else (0.07, 0.1))
    _add(out, _tone(sr, _TONIC[0] - 24, n_tail, 8, 1.0, 0.004) * decay, end, (0.35, 0.35))
    out *= _PEAK / np.abs(out).max()
    downbeats = beat_times[::meter]
    starts = (*tuple(float(downbeats[i * bars_per_section]) for i in range(len(form))), float(downbeats[-1]))
    return MusicTruth(
        audio=out.astype(np.float32),
        sample_rate=sr,
        bpm=float(bpm),
        meter=meter,
        beat_times_s=beat_times,
        downbeat_times_s=downbeats,
        section_starts_s=starts,
        section_labels=(*form, "end"),
    )


def pad_track(duration_s: float, *, sample_rate: int = 48000, seed: int = 0) -> np.ndarray:
    """Render music without a beat: chords that swell in and out over a soft noise bed.

    Each chord fades in and out over 3-5 s (no attack anywhere), overlapping the next.

    Parameters
    ----------
    duration_s : float > 0
        Length [s].
    sample_rate : int
        Samples per second [Hz].
    seed : int
        Seed of the chord lengths and the noise.

    Returns
    -------
    ndarray, float32, shape (2, n_samples)
        ``n_samples = round(duration_s * sample_rate)``, peak 0.8.

    Raises
    ------
    ParameterError
        If ``duration_s`` is not > 0.
    """
    if not (np.isfinite(duration_s) and duration_s > 0):
        raise ParameterError(f"duration_s must be > 0, got {duration_s}")
    sr = int(sample_rate)
    rng = np.random.default_rng([seed, 19])
    n = round(duration_s * sr)
    sos = signal.butter(2, 900.0, "lowpass", fs=sr, output="sos")
    out = np.tile(signal.sosfilt(sos, rng.standard_normal(n)) * 0.02, (2, 1))
    chords = [*_CHORDS["A"], *_CHORDS["B"]]
    start, i = -1.0, 0
    while start < duration_s:
        length_s = float(rng.uniform(3.0, 5.0))
        first = max(0, round(start * sr))
        m = round((start + length_s) * sr) - first
        swell = np.sin(np.pi * np.clip((np.arange(m) + first - start * sr) / (length_s * sr), 0, 1)) ** 2
        for j, key in enumerate(chords[i % len(chords)]):
            tone = _tone(sr, key, m, 3, 2.0, 0.5) * swell
            _add(out, tone, first, (0.1, 0.06) if j % 2 else (0.06, 0.1))
        start += 0.6 * length_s
        i += 1
    out *= _PEAK / np.abs(out).max()
    return out.astype(np.float32)
