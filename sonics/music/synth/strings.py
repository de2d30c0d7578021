"""Bowed string sections: cellos and basses (``low_strings``), violins and violas (``high_strings``).

Physics: a bowed string moves in Helmholtz motion (the bow sticks, then slips once per
period), so the force on the bridge is a sawtooth whose harmonics fall as ``1/n``; the
wooden body then colours it with fixed resonances (the air mode, the main wood modes,
the bridge hill), which is why a vibrato makes each harmonic swell and fade as it sweeps
across them. Pressing harder brings out more upper harmonics. A section is many players,
each a few cents off, each with a vibrato of its own, so the sum shimmers.

Recipe: :func:`~sonics.dsp.oscillators.sawtooth_voices` for the whole section at once
(each player with its own detune, drift, vibrato, slide into pitch and start lag, placed
across the stereo stage), bow noise that follows the bow, a body of peaking resonances,
then the soft layer's low-pass (the loud layer is the whole bowed sound). Short notes are played
*spiccato* (the bow bounces: a quick bite that rings away), longer ones *sustained*
(a bowed swell into the note, a vibrato that blooms after it, a release).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import sosfilt

from sonics.dsp.filters import highpass_sos, lowpass_sos, peaking_sos
from sonics.dsp.noise import uniform_noise
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
    sample_times,
    seat_gains,
    struck_envelope,
    swell_envelope,
)

__all__ = ["HIGH_STRINGS", "LOW_STRINGS", "BowedSection"]

_SPICCATO = Articulation("spiccato", gated=False, length_s=0.45)
_SUSTAIN = Articulation("sustain", gated=True, release_s=0.35)


@dataclass(frozen=True, slots=True)
class BowedSection(Overlapping):
    """A section of bowed strings playing in unison (see the module docstring).

    Parameters
    ----------
    name : str
        Registry name.
    n_players : int
        Players in the section (>= 1).
    body : tuple of (float, float, float)
        The body's resonances: ``(centre_hz, q, gain_db)`` peaking bells.
    soft_cutoff : tuple of (float, float, float)
        Low-pass of the soft layer as ``(times f0, lowest_hz, highest_hz)`` (the loud layer
        is the whole bowed sound).
    top_hz : float
        Low-pass corner of the whole bowed sound (Hz): the highest partials die in the wood.
    spiccato_below_s : float
        Notes shorter than this are played spiccato.
    vibrato_cents : float
        Mean vibrato depth of a sustained note (cents).
    detune_cents : float
        Spread of the players' tuning (cents): wider is smoother, less focused.
    peak_db : float
        Peak of a loud stroke (dBFS).
    """

    name: str
    n_players: int
    body: tuple[tuple[float, float, float], ...]
    soft_cutoff: tuple[float, float, float]
    top_hz: float = 9000.0
    spiccato_below_s: float = 0.3
    vibrato_cents: float = 14.0
    detune_cents: float = 5.0
    peak_db: float = -12.0
    n_layers: int = 2
    n_variants: int = 2
    render_ms_per_s: float = 14.5  # CPU per second of stroke: how the renderer weighs a part

    def articulation(self, key: int, duration_s: float) -> Articulation:
        """Return spiccato for short notes, a sustained bow otherwise."""
        return _SPICCATO if duration_s < self.spiccato_below_s else _SUSTAIN

    def render(
        self, key: int, articulation: Articulation, n_samples: int, rng: np.random.Generator, sample_rate: int
    ) -> np.ndarray:
        """Return the section's stroke on ``key``: ``(2, 2, n_samples)`` float32, soft and loud."""
        f0 = key_to_hz(key)
        short = not articulation.gated
        n_points = control_points(n_samples, sample_rate)
        t = np.arange(n_points) / CONTROL_RATE_HZ
        pitch = ensemble_contours(
            rng,
            f0,
            self.n_players,
            n_points,
            detune_cents=self.detune_cents,
            vibrato_cents=0.0 if short else self.vibrato_cents,
            vibrato_delay_s=0.12,
            vibrato_rise_s=0.4,
            scoop_cents=0.0 if short else 10.0,
        )
        # the lead player is on the beat, the others a few ms behind (so their cycles do not
        # line up and the section does not start as one loud in-phase voice), each at its level
        lag_s = np.r_[0.0, rng.uniform(0.002, 0.02 if short else 0.035, self.n_players - 1)]
        level = np.r_[1.0, rng.uniform(0.6, 1.0, self.n_players - 1)]
        amps = level[:, np.newaxis] * (0.05 + 0.95 * rise(t, 0.004))[np.newaxis, :]
        source = sawtooth_voices(
            pitch,
            amps,
            CONTROL_RATE_HZ,
            n_samples,
            sample_rate,
            channel_gains=seat_gains(rng, self.n_players, 0.7) / np.sqrt(self.n_players),
            start_samples=lag_s * sample_rate,
        )
        # bow noise: a hiss that follows the bow (the body colours it), and the scratch of its
        # bite (gone, 130 dB down, by fifteen of its time constants)
        bite_s = 0.012 if short else 0.03
        noise = uniform_noise(rng, n_samples, n_channels=2)
        m = min(n_samples, round(15 * bite_s * sample_rate))
        noise[:, :m] *= _bite(m, sample_rate, bite_s)
        noise[:, m:] *= np.float32(0.012)
        excite = np.add(source, noise, out=source)
        times_f0, low_hz, high_hz = self.soft_cutoff
        soft_hz = float(np.clip(times_f0 * f0, low_hz, min(high_hz, 0.45 * sample_rate)))
        loud = _body(self, sample_rate)
        chains = (np.concatenate([loud, lowpass_sos(soft_hz, sample_rate)]), loud)
        # the bow bites and leaves the string, which rings away in the body; or the bowed swell
        # into a held note and the bite's accent, over by its first second
        envelopes = (
            [struck_envelope(n_samples, sample_rate, 0.36, attack_s) for attack_s in (0.010, 0.003)]
            if short
            else [
                swell_envelope(min(n_samples, sample_rate), sample_rate, attack_s, accent, 0.12)
                for attack_s, accent in ((0.16, 0.0), (0.045, 0.25))
            ]
        )
        layers = []
        for i, (chain, envelope) in enumerate(zip(chains, envelopes, strict=True)):
            if short:
                bowed = excite * envelope
            else:
                bowed = excite.copy() if i == 0 else excite  # the loud layer is the last to need it
                bowed[:, : envelope.size] *= envelope
            layers.append(sosfilt(chain, bowed, axis=-1))
        return finish_layers(layers, sample_rate, peak_db=self.peak_db, dc_cutoff_hz=None)


@lru_cache(maxsize=16)
def _bite(n_samples: int, sample_rate: int, bite_s: float) -> np.ndarray:
    """Return the bow noise's gain over its bite, float32 (shared: never written to)."""
    gain = (0.012 + 0.1 * np.exp(-sample_times(n_samples, sample_rate) / bite_s)).astype(np.float32)
    gain.flags.writeable = False
    return gain


@lru_cache(maxsize=16)
def _body(section: BowedSection, sample_rate: int) -> np.ndarray:
    """Return the section's loud chain, designed once (shared: never written to).

    A DC block (the bow's envelope makes each saw period a little lopsided), the body's
    resonances, and the wood's loss of the highest partials.
    """
    chain = np.concatenate(
        [
            highpass_sos(20.0, sample_rate),
            peaking_sos(*np.array(section.body).T, sample_rate),
            lowpass_sos(section.top_hz, sample_rate),
        ]
    )
    return chain


LOW_STRINGS = BowedSection(
    name="low_strings",
    n_players=8,
    body=((100.0, 4.0, 5.0), (205.0, 3.0, 4.0), (420.0, 2.5, 3.0), (720.0, 3.0, -3.0), (1250.0, 2.0, 2.0),
          (2400.0, 1.5, 2.0), (6500.0, 0.7, -9.0)),
    soft_cutoff=(3.5, 300.0, 1200.0),
    top_hz=7500.0,
    vibrato_cents=12.0,
)  # fmt: skip
"""Cellos and basses: eight players, a deep air resonance, a dark body."""

HIGH_STRINGS = BowedSection(
    name="high_strings",
    n_players=10,
    body=((280.0, 4.0, 4.0), (470.0, 3.0, 4.0), (1050.0, 3.0, -3.0), (2300.0, 1.6, 3.0), (3200.0, 2.0, 3.0),
          (4800.0, 1.2, -4.0), (10000.0, 0.7, -8.0)),
    soft_cutoff=(3.0, 900.0, 2500.0),
    top_hz=12000.0,
    vibrato_cents=16.0,
    detune_cents=8.0,
)  # fmt: skip
"""Violins and violas: ten players, the bright bridge hill around 2-3 kHz."""
