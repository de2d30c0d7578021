"""Designed sounds of the trailer palette: the riser that builds into a cut, the braam that lands on it.

Recipes. **Riser**: tension is a rise on every axis at once: a noise band whose centre
sweeps up (200 Hz to several kHz) and a detuned saw stack gliding up in pitch,
accelerating, with a tremolo that speeds up, all swelling exponentially to the peak,
then cut off in a short release; the peak is the sync point. **Braam**: a low brass
cluster (root, fifth, octave, twelfth, each a few detuned band-limited saws whose pitch
falls in from a little below, as brass players do), through a resonant low-pass that
snaps open and slowly closes, driven into soft distortion, over a sub; it starts on an
impact whose first sample is the sync point.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sonics.core.sound import Sound
from sonics.dsp.envelopes import finish
from sonics.dsp.filters import bandpass_response, dc_block, lowpass, time_varying_filter
from sonics.dsp.noise import contact_click, spectral_noise
from sonics.dsp.sync import peak_sample
from sonics.sfx.generators._fields import check_range, peak_db_for

__all__ = ["Braam", "Riser"]


def _saw(phase_cycles: np.ndarray, step_cycles: np.ndarray) -> np.ndarray:
    """Band-limited sawtooth (PolyBLEP) from a running phase in cycles and its per-sample step."""
    t = phase_cycles % 1.0
    dt = np.maximum(step_cycles, 1e-9)
    saw = 2.0 * t - 1.0
    head = t < dt  # just after the wrap
    x = t[head] / dt[head]
    saw[head] -= 2.0 * x - x * x - 1.0
    tail = t > 1.0 - dt  # just before the wrap
    x = (t[tail] - 1.0) / dt[tail]
    saw[tail] -= x * x + 2.0 * x + 1.0
    return saw


def _phase(freq_hz: np.ndarray, sample_rate: int, start: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Return the running phase (cycles) and per-sample step of a frequency track."""
    step = freq_hz / sample_rate
    return start + np.cumsum(step) - step, step


@dataclass(frozen=True, slots=True)
class Riser:
    """A riser: noise, tone and tremolo building to a peak (a hit synced on its peak).

    Parameters
    ----------
    duration_s : float
        Length (s, 0.5..30). The peak is at ``duration_s - release_s`` (:attr:`peak_s`).
    release_s : float
        How long it falls away after the peak (s, 0.02..2, less than half the length).
    pitch_hz : float
        Starting pitch of the tone (Hz, 40..1000).
    octaves : float
        How far the tone rises (octaves, 0..4).
    intensity : float
        0..1: how far and bright it rises (the noise band reaches 3-9 kHz), how fast
        the tremolo gets, and level.

    Examples
    --------
    >>> r = Riser(duration_s=2.0, release_s=0.1)
    >>> sound = r.render(np.random.default_rng(0))
    >>> abs(sound.sync_sample - round(r.peak_s * 48000)) < 240
    True
    """

    name: ClassVar[str] = "riser"
    kind: ClassVar[str] = "hit"

    duration_s: float = 3.0
    release_s: float = 0.15
    pitch_hz: float = 110.0
    octaves: float = 2.0
    intensity: float = 1.0

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.5, 30.0)
        check_range(self.name, "release_s", self.release_s, 0.02, min(2.0, self.duration_s / 2))
        check_range(self.name, "pitch_hz", self.pitch_hz, 40.0, 1000.0)
        check_range(self.name, "octaves", self.octaves, 0.0, 4.0)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    @property
    def peak_s(self) -> float:
        """Designed time of the peak (s): where the riser lands on its cue."""
        return self.duration_s - self.release_s

    def _envelope(self, t: np.ndarray) -> np.ndarray:
        rise = self.peak_s
        x = np.clip(t / rise, 0.0, 1.0)
        # exponential swell, steepest at the top so the loudest 10 ms is the last before the peak
        top = 1.0 + 0.6 * np.clip((t - rise + 0.06) / 0.06, 0.0, 1.0) ** 2  # a last push into the peak
        swell = (np.exp(4.0 * x) - 1.0) / (np.exp(4.0) - 1.0) * top  # constant after the peak
        return swell * np.exp(-np.maximum(t - rise, 0.0) / (self.release_s / 4.0))

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation: fresh noise, detuning and tremolo."""
        n = round(self.duration_s * sample_rate)
        t = np.arange(n) / sample_rate
        rise = self.peak_s
        progress = np.clip(t / rise, 0.0, 1.0)
        env = self._envelope(t)
        top_hz = 3000.0 + 6000.0 * self.intensity

        def band(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
            x = np.clip(times_s / rise, 0.0, 1.0)
            centre = 200.0 * (top_hz / 200.0) ** (x**1.5)  # accelerating sweep
            return bandpass_response(freqs_hz, centre, 1.2) + 0.15 * bandpass_response(
                freqs_hz, centre * 2.0, 0.7
            )

        noise = spectral_noise(rng, n, sample_rate, band, n_fft=1024)
        # the tone: three detuned saws gliding up, accelerating
        glide = self.pitch_hz * 2.0 ** (self.octaves * progress**1.7)
        tone = np.zeros(n)
        for cents in rng.uniform(-12.0, 12.0, 3):
            phase, step = _phase(glide * 2.0 ** (cents / 1200.0), sample_rate, rng.random())
            tone += _saw(phase, step)
        tone = lowpass(tone, 2000.0 + 6000.0 * self.intensity, sample_rate) / 3.0
        # a tremolo that speeds up: 3 Hz to 14-28 Hz
        tremolo_hz = 3.0 + (11.0 + 14.0 * self.intensity) * progress**2
        tremolo_phase = 2.0 * np.pi * np.cumsum(tremolo_hz) / sample_rate
        tremolo = 1.0 - 0.35 * progress * (0.5 + 0.5 * np.cos(tremolo_phase))
        x = (noise * 0.6 + tone * 0.8) * tremolo * env
        audio = finish(
            x, sample_rate, peak_db=peak_db_for(self.intensity), fade_out_s=min(0.01, self.release_s / 2)
        )
        return Sound(audio, sample_rate, peak_sample(audio, sample_rate))


@dataclass(frozen=True, slots=True)
class Braam:
    """A braam: a huge low brass cluster that snaps open on an impact (a hit synced on its onset).

    Parameters
    ----------
    duration_s : float
        Length (s, 0.5..30).
    pitch_hz : float
        Root of the cluster (Hz, 25..110); E1 = 41.2 Hz is the classic.
    intensity : float
        0..1: how far the filter opens, how hard it is driven, how heavy the impact and
        sub, and level.

    Examples
    --------
    >>> sound = Braam(duration_s=1.0).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((2, 48000), 0)
    """

    name: ClassVar[str] = "braam"
    kind: ClassVar[str] = "hit"

    duration_s: float = 4.0
    pitch_hz: float = 41.2
    intensity: float = 1.0

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.5, 30.0)
        check_range(self.name, "pitch_hz", self.pitch_hz, 25.0, 110.0)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation: fresh detuning, fresh impact."""
        n = round(self.duration_s * sample_rate)
        t = np.arange(n) / sample_rate
        size = self.intensity
        # brass falls in from a little below the note and settles within ~0.1 s
        fall_in = 2.0 ** (-rng.uniform(0.6, 1.2) / 12.0 * np.exp(-t / 0.05))
        # four notes (root, fifth, octave, twelfth), three detuned saws each, spread across the field
        ratios = np.repeat([1.0, 1.5, 2.0, 3.0], 3) * 2.0 ** (rng.uniform(-15.0, 15.0, 12) / 1200.0)
        levels = np.repeat([1.0, 0.7, 0.8, 0.45], 3)
        root_phase, root_step = _phase(self.pitch_hz * fall_in, sample_rate)
        saws = _saw(
            ratios[:, np.newaxis] * root_phase + rng.random((12, 1)), ratios[:, np.newaxis] * root_step
        )
        angle = (rng.uniform(-0.8, 0.8, 12) + 1.0) * np.pi / 4.0
        stack = (np.stack([np.cos(angle), np.sin(angle)]) * levels) @ saws
        # the resonant low-pass snaps open in ~0.1 s, then closes slowly: the "blat"
        top_hz = 900.0 + 2200.0 * size
        cutoff = 90.0 + (top_hz - 90.0) * (1.0 - np.exp(-t / 0.06)) * np.exp(-np.maximum(t - 0.25, 0.0) / 1.2)
        brass = time_varying_filter(
            stack / 6.0, sample_rate, kind="lowpass", freq_hz=np.maximum(cutoff, 120.0), q=3.0, block_size=512
        )
        drive = 1.5 + 3.0 * size
        brass = np.tanh(drive * brass + 0.15) - np.tanh(0.15)  # asymmetric: even harmonics, brassy
        sustain = np.exp(-t / (1.5 + 2.0 * size))
        sub = np.sin(2.0 * np.pi * np.cumsum(self.pitch_hz * fall_in) / sample_rate) * (0.4 + 0.4 * size)
        impact = lowpass(
            contact_click(rng, n, sample_rate, t60_s=0.25 + 0.3 * size, corner_hz=30.0), 400.0, sample_rate
        )
        click = contact_click(rng, n, sample_rate, t60_s=0.01, corner_hz=1500.0)
        x = (brass + sub) * sustain + (impact * (0.6 + 0.6 * size) + click * 0.5)
        x = dc_block(x, sample_rate, cutoff_hz=20.0)
        audio = finish(x, sample_rate, peak_db=peak_db_for(size), fade_out_s=min(0.3, self.duration_s / 4))
        return Sound(audio, sample_rate, 0)
