"""Dizi: the Chinese transverse flute, breathy, with the buzz of its membrane.

Physics: an edge tone drives the air column, a nearly sinusoidal note with a few weak
harmonics at piano and more when overblown; the player's breath is heard as noise, part
of it shaped by the tube's resonances (so it follows the harmonics) and part of it a
broad hiss. The dizi's hole covered by a thin membrane (*dimo*) buzzes in sympathy: a
bright, nasal rasp of upper harmonics that grows as the player blows harder. A note
starts with a short chiff of air and a slightly flat pitch, and blooms into a vibrato.

Recipe: one voice, additive: the harmonics of the pitch contour summed with per-layer
amplitudes (the same phases in every layer), a soft-clipped copy high-passed for the
membrane's buzz, breath noise through resonances at the first harmonics plus a hiss,
the chiff, a release.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonics.dsp.filters import bandpass, resonator
from sonics.dsp.modal import sin_cycles
from sonics.dsp.noise import white_noise
from sonics.music.synth.voice import (
    CONTROL_RATE_HZ,
    Articulation,
    Overlapping,
    control_points,
    ensemble_contours,
    finish_layers,
    key_to_hz,
    place_mono,
    rise,
    sample_times,
)

__all__ = ["DIZI", "Dizi"]

_BLOWN = Articulation("blown", gated=True, release_s=0.12)
_HARMONICS = np.array([1.0, 0.22, 0.1, 0.05, 0.03, 0.02, 0.012, 0.008])
"""Soft tone's harmonic amplitudes; the loud tone's fall more slowly (see ``_LOUD_TILT``)."""
_LOUD_TILT = 0.9  # loud harmonic k gets (k ** _LOUD_TILT) times the soft amplitude


@dataclass(frozen=True, slots=True)
class Dizi(Overlapping):
    """A solo dizi (see the module docstring).

    Parameters
    ----------
    name : str
        Registry name.
    vibrato_cents : float
        Vibrato depth once it has bloomed (cents).
    buzz : float
        Level of the membrane's buzz at forte (0..1).
    position : float
        Place on the stage (-1..1).
    peak_db : float
        Peak of a loud note (dBFS).
    """

    name: str = "dizi"
    vibrato_cents: float = 18.0
    buzz: float = 0.5
    position: float = 0.1
    peak_db: float = -10.0
    n_layers: int = 3
    n_variants: int = 2
    render_ms_per_s: float = 23.0  # CPU per second of stroke: how the renderer weighs a part

    def articulation(self, key: int, duration_s: float) -> Articulation:
        """Return a blown note: held, then released."""
        return _BLOWN

    def render(
        self, key: int, articulation: Articulation, n_samples: int, rng: np.random.Generator, sample_rate: int
    ) -> np.ndarray:
        """Return the note on ``key``: ``(3, 2, n_samples)`` float32, soft to overblown."""
        f0 = key_to_hz(key)
        n_points = control_points(n_samples, sample_rate)
        contour = ensemble_contours(
            rng, f0, 1, n_points, detune_cents=0.0, vibrato_cents=self.vibrato_cents, vibrato_hz=(4.6, 5.6),
            vibrato_delay_s=0.2, vibrato_rise_s=0.4, scoop_cents=25.0, scoop_s=0.03, drift_cents=2.0,
        )[0]  # fmt: skip
        times = sample_times(n_samples, sample_rate)
        f_per_sample = np.interp(times, np.arange(n_points) / CONTROL_RATE_HZ, contour)
        cycles = np.cumsum(f_per_sample) / sample_rate
        cycles -= cycles[0]
        partials = [
            (k, sin_cycles(k * cycles)) for k in range(1, _HARMONICS.size + 1) if k * f0 < 0.45 * sample_rate
        ]
        breath = white_noise(rng, n_samples)
        tube = sum(
            resonator(breath, k * f0, 30.0, sample_rate) for k in (1, 2) if k * f0 < 0.45 * sample_rate
        )
        hiss = bandpass(breath, 2000.0, min(12000.0, 0.45 * sample_rate), sample_rate)
        chiff = hiss * np.exp(-times / 0.02)
        envelope = rise(times, 0.045)
        layers = np.empty((3, n_samples))
        for i, loudness in enumerate((0.0, 0.5, 1.0)):
            tone = np.zeros(n_samples)
            for k, partial in partials:
                tone += _HARMONICS[k - 1] * k ** (_LOUD_TILT * loudness) * partial
            # the membrane: a rasp of upper harmonics from the tone's own shape, a band above the tone
            rasp = bandpass(np.tanh(3.0 * tone), 2500.0, min(9000.0, 0.4 * sample_rate), sample_rate)
            layers[i] = (
                tone
                + self.buzz * loudness * rasp
                + (3.0 + 2.0 * loudness) * tube
                + 0.012 * hiss
                + (0.1 + 0.1 * loudness) * chiff
            ) * envelope
        return finish_layers(place_mono(layers, self.position), sample_rate, peak_db=self.peak_db)


DIZI = Dizi()
"""A dizi in D, breathy, with its membrane's buzz."""
