"""Brass section (horns and trombones): lip-buzz pulses, a brightness that opens with the breath.

Physics: the player's lips buzz against the mouthpiece, a train of air puffs (a pulse per
period, a flat, buzzy spectrum) that the tube and bell filter: the bell radiates the upper
harmonics better the harder the player blows, and at forte the pressure wave steepens in
the tube (nonlinear propagation), so loud brass is not only louder but much brighter and
"brassy". A note speaks with a buzz: the lips find the pitch from a little below, and the
upper harmonics bloom a few tens of milliseconds after the fundamental.

Recipe: :func:`~sonics.dsp.oscillators.pulse_voices` for four players (each a few cents
off, lagging a few ms, sliding up into pitch), a steep low-pass per layer whose corner
rises with the dynamic (a few harmonics at piano, a dozen at forte), the bloom (the upper
band fades in over the attack), a bell resonance, a breath at the onset, and a soft
saturation on the loud layer. Short notes are stabs (a quick swell and decay), longer
ones sustained with a release.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import sosfilt

from sonics.dsp.filters import highpass_sos, lowpass, lowpass_sos, peaking_sos
from sonics.dsp.noise import uniform_noise
from sonics.dsp.oscillators import pulse_voices
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
    sample_times,
    seat_gains,
    struck_envelope,
    swell_envelope,
)

__all__ = ["BRASS", "BrassSection"]

_STAB = Articulation("stab", gated=False, length_s=0.7)
_SUSTAIN = Articulation("sustain", gated=True, release_s=0.25)


@dataclass(frozen=True, slots=True)
class BrassSection(Overlapping):
    """Horns and trombones in unison (see the module docstring).

    Parameters
    ----------
    name : str
        Registry name.
    n_players : int
        Players (>= 1).
    cutoffs : tuple of (float, float, float)
        Each layer's low-pass corner as ``(times f0, lowest_hz, highest_hz)``, soft to loud.
    bell : tuple of (float, float, float)
        The bell's resonances, ``(centre_hz, q, gain_db)``.
    stab_below_s : float
        Notes shorter than this are stabs.
    peak_db : float
        Peak of a loud stroke (dBFS).
    """

    name: str = "brass"
    n_players: int = 4
    cutoffs: tuple[tuple[float, float, float], ...] = (
        (2.0, 250.0, 700.0),
        (4.5, 600.0, 1800.0),
        (11.0, 1500.0, 5000.0),
    )
    bell: tuple[tuple[float, float, float], ...] = (
        (480.0, 1.5, 3.0),
        (1150.0, 2.0, 3.0),
        (2600.0, 2.0, -3.0),
    )
    stab_below_s: float = 0.35
    peak_db: float = -11.0
    n_layers: int = 3
    n_variants: int = 2
    render_ms_per_s: float = 16.0  # CPU per second of stroke: how the renderer weighs a part

    def articulation(self, key: int, duration_s: float) -> Articulation:
        """Return a stab for short notes, a sustained note otherwise."""
        return _STAB if duration_s < self.stab_below_s else _SUSTAIN

    def render(
        self, key: int, articulation: Articulation, n_samples: int, rng: np.random.Generator, sample_rate: int
    ) -> np.ndarray:
        """Return the section's note on ``key``: ``(3, 2, n_samples)`` float32, soft to loud."""
        f0 = key_to_hz(key)
        n_points = control_points(n_samples, sample_rate)
        t = np.arange(n_points) / CONTROL_RATE_HZ
        pitch = ensemble_contours(
            rng, f0, self.n_players, n_points, detune_cents=4.0, vibrato_cents=3.0, vibrato_delay_s=0.4,
            scoop_cents=35.0, scoop_s=0.025, drift_cents=2.0,
        )  # fmt: skip
        lag_s = np.r_[0.0, rng.uniform(0.003, 0.02, self.n_players - 1)]
        level = np.r_[1.0, rng.uniform(0.7, 1.0, self.n_players - 1)]
        amps = level[:, np.newaxis] * (0.05 + 0.95 * rise(t, 0.006))[np.newaxis, :]
        buzz = pulse_voices(
            pitch, amps, CONTROL_RATE_HZ, n_samples, sample_rate,
            channel_gains=seat_gains(rng, self.n_players, 0.5), start_samples=lag_s * sample_rate,
        )  # fmt: skip
        # a breath at the onset (110 dB down, gone, by its first half second)
        m = min(n_samples, round(0.5 * sample_rate))
        breath = uniform_noise(rng, m, n_channels=2)
        breath *= _breath(m, sample_rate)
        buzz[:, :m] += breath
        # the bell radiates the lowest partial weakly and rings at its own resonances (one cascade)
        belled = sosfilt(
            np.concatenate([highpass_sos(max(30.0, 0.6 * f0), sample_rate), _bell(self, sample_rate)]),
            buzz,
            axis=-1,
        )
        # what sounds before the upper harmonics bloom (only the first 0.1 s is ever used)
        dull = lowpass(belled[:, : round(0.1 * sample_rate)], max(300.0, 2.0 * f0), sample_rate)
        # a stab swells and dies away; a held note's swell and accent are over in its first second
        envelope = (
            struck_envelope(n_samples, sample_rate, 0.5, 0.012)
            if not articulation.gated
            else swell_envelope(min(n_samples, sample_rate), sample_rate, 0.05, 0.15, 0.15)
        )
        layers = []
        for i, (times_f0, low_hz, high_hz) in enumerate(self.cutoffs):
            corner = float(np.clip(times_f0 * f0, low_hz, min(high_hz, 0.4 * sample_rate)))
            layer = sosfilt(lowpass_sos(corner, sample_rate, order=4), belled, axis=-1)
            # the bloom: the upper harmonics arrive after the fundamental, sooner when loud
            bloom_s = (0.09, 0.06, 0.035)[i]
            m = min(n_samples, round(bloom_s * sample_rate))
            bloom = layer[:, :m]
            bloom -= dull[:, :m]
            bloom *= sample_rise(m, sample_rate, bloom_s)
            bloom += dull[:, :m]
            layer[:, : envelope.size] *= envelope
            layers.append(layer)
        # forte: the steepened wave of a hard-blown tube, a soft saturation that adds harmonics
        # (in single precision: its result is one); it is lopsided (the pulses are), so its DC is
        # taken out, with what it adds past 9 kHz
        loud = layers[2]
        peak = max(float(loud.max()), -float(loud.min())) + 1e-12
        saturated = np.empty(loud.shape, dtype=np.float32)
        np.multiply(loud, 2.2 / peak, out=saturated, casting="same_kind")
        np.tanh(saturated, out=saturated)
        saturated *= np.float32(peak / np.tanh(2.2))
        cleanup = np.concatenate(
            [highpass_sos(20.0, sample_rate), lowpass_sos(min(9000.0, 0.4 * sample_rate), sample_rate)]
        )
        layers[2] = sosfilt(cleanup, saturated, axis=-1)
        return finish_layers(layers, sample_rate, peak_db=self.peak_db, dc_cutoff_hz=None)


@lru_cache(maxsize=16)
def _breath(n_samples: int, sample_rate: int) -> np.ndarray:
    """Return the gain of the breath at a note's onset, float32 (shared: never written to)."""
    gain = (0.03 * np.exp(-sample_times(n_samples, sample_rate) / 0.04)).astype(np.float32)
    gain.flags.writeable = False
    return gain


@lru_cache(maxsize=16)
def _bell(section: BrassSection, sample_rate: int) -> np.ndarray:
    """Return the bell's resonances as second-order sections, designed once (shared: never written to)."""
    sections = peaking_sos(*np.array(section.bell).T, sample_rate)
    return sections


BRASS = BrassSection()
"""Four horns and trombones."""
