"""Pad: a slow, wide bed of strings and voices under the drone and the build.

A pad is what an orchestrator gets from divided strings playing *sul tasto* with a choir
humming: many detuned voices, a slow swell in and out, no attack to speak of, a soft
vowel colour. Recipe: a wide sawtooth ensemble
(:func:`~sonics.dsp.oscillators.sawtooth_voices`: fourteen voices spread across the
stage, a slow vibrato each), the bells of an "ah" vowel's first formants, a low-pass per layer
(dark when soft, open when loud) and a slow attack and release.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import sosfilt

from sonics.dsp.filters import lowpass_sos, peaking_sos
from sonics.dsp.oscillators import sawtooth_voices
from sonics.music.synth.voice import (
    CONTROL_RATE_HZ,
    Articulation,
    Overlapping,
    control_points,
    ensemble_contours,
    finish_layers,
    key_to_hz,
    rise,
    sample_rise,
    seat_gains,
)

__all__ = ["PAD", "Pad"]

_HELD = Articulation("held", gated=True, release_s=1.6)


@dataclass(frozen=True, slots=True)
class Pad(Overlapping):
    """A slow string-and-choir pad (see the module docstring).

    Parameters
    ----------
    name : str
        Registry name.
    n_voices : int
        Voices (>= 1).
    attack_s : float
        Swell into the note (s).
    cutoffs_hz : tuple of float
        Low-pass corner of each layer, soft to loud (Hz).
    peak_db : float
        Peak of a loud note (dBFS).
    """

    name: str = "pad"
    n_voices: int = 14
    attack_s: float = 0.9
    cutoffs_hz: tuple[float, ...] = (800.0, 3500.0)
    peak_db: float = -14.0
    n_layers: int = 2
    n_variants: int = 2
    render_ms_per_s: float = 9.0  # CPU per second of stroke: how the renderer weighs a part

    def articulation(self, key: int, duration_s: float) -> Articulation:
        """Return the pad's only way: swell in, hold, fade out."""
        return _HELD

    def render(
        self, key: int, articulation: Articulation, n_samples: int, rng: np.random.Generator, sample_rate: int
    ) -> np.ndarray:
        """Return the pad's note on ``key``: ``(2, 2, n_samples)`` float32, dark and open."""
        f0 = key_to_hz(key)
        n_points = control_points(n_samples, sample_rate)
        pitch = ensemble_contours(
            rng, f0, self.n_voices, n_points, detune_cents=10.0, vibrato_cents=5.0, vibrato_hz=(3.5, 5.0),
            vibrato_delay_s=0.3, vibrato_rise_s=1.0, drift_cents=4.0,
        )  # fmt: skip
        t = np.arange(n_points) / CONTROL_RATE_HZ
        lag_s = rng.uniform(0.0, 0.05, self.n_voices)
        lag_s[0] = 0.0
        amps = rng.uniform(0.6, 1.0, (self.n_voices, 1)) * (0.05 + 0.95 * rise(t, 0.01))
        source = sawtooth_voices(
            pitch, amps, CONTROL_RATE_HZ, n_samples, sample_rate,
            channel_gains=seat_gains(rng, self.n_voices, 0.9) / np.sqrt(self.n_voices),
            start_samples=lag_s * sample_rate,
        )  # fmt: skip
        # the voices' vowel as soft bells on the first two formants of "ah", then each layer's low-pass
        vowel = peaking_sos(np.array([730.0, 1090.0]), 2.5, 5.0, sample_rate)
        m = min(n_samples, round(self.attack_s * sample_rate))
        swell = sample_rise(m, sample_rate, self.attack_s)
        layers = []
        for c in self.cutoffs_hz:
            layer = sosfilt(np.concatenate([vowel, lowpass_sos(c, sample_rate)]), source, axis=-1)
            layer[:, :m] *= swell
            layers.append(layer)
        return finish_layers(layers, sample_rate, peak_db=self.peak_db, dc_cutoff_hz=None)


PAD = Pad()
"""Fourteen voices, a 0.9 s swell, a 1.6 s release."""
