"""Plucked strings: the koto (zither) and the pipa (lute), as modal strings with a body.

Physics: a plucked string rings at its harmonics, slightly stretched by the string's
stiffness (``f_n = n f0 sqrt(1 + B n^2)``); plucking a fraction ``p`` along it gives the
n-th harmonic an amplitude ``|sin(n pi p)| / n^a`` (``a`` near 2 for a soft finger, lower
for a hard plectrum or nail, which is why a loud pluck is brighter); the upper harmonics
die faster; the two polarisations of the string's motion are a hair apart in pitch, so
the tone shimmers. The body (the koto's long paulownia box, the pipa's pear-shaped belly)
adds its wood resonances; the plectrum (the koto's ivory tsume, the pipa's nail) adds a
click at the very first sample.

The koto rings long and mellow; the pipa is brighter, shorter, and plays its long notes
as a tremolo (*lunzhi*: the fingers roll a quick run of plucks, ~14 a second). A new
note on the same string damps the old one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import sosfilt

from sonics.dsp.filters import dc_block, highpass_sos, peaking_sos, ring_samples
from sonics.dsp.modal import modal_bank
from sonics.dsp.noise import contact_click
from sonics.music.synth.voice import Articulation, finish_layers, key_to_hz, place_mono

__all__ = ["KOTO", "PIPA", "PluckedString"]

_N_MODES = 40
_DOUBLETS = 10  # the lowest modes ring in two slightly detuned polarisations
_TREMOLO_FADE_S = 0.012  # each roll of the tremolo damps the ring of the one before


@dataclass(frozen=True, slots=True)
class PluckedString:
    """A plucked string instrument (see the module docstring).

    Parameters
    ----------
    name : str
        Registry name.
    t60_s : float
        Ring of the fundamental at A3 (s); lower notes ring longer.
    pluck_position : float
        Where the string is plucked, as a fraction of its length (0..0.5).
    tilt : tuple of float
        Harmonic roll-off exponent ``a`` of the soft and the hard pluck.
    stiffness : float
        Inharmonicity ``B``.
    body : tuple of (float, float, float)
        Body resonances ``(centre_hz, q, gain_db)``.
    click_hz : float
        High-pass corner of the plectrum's click (Hz): brighter for a nail.
    tremolo_from_s : float or None
        Notes at least this long are played as a tremolo; None for never.
    tremolo_hz : float
        Plucks per second of the tremolo.
    position : float
        Place on the stage (-1..1).
    peak_db : float
        Peak of a hard pluck (dBFS).
    """

    name: str
    t60_s: float
    pluck_position: float
    tilt: tuple[float, float]
    stiffness: float
    body: tuple[tuple[float, float, float], ...]
    click_hz: float
    tremolo_from_s: float | None = None
    tremolo_hz: float = 14.0
    position: float = 0.0
    peak_db: float = -10.0
    n_layers: int = 2
    n_variants: int = 2
    render_ms_per_s: float = 6.5  # CPU per second of stroke: how the renderer weighs a part

    def damps(self, key: int) -> bool:
        """Return True: a string plucked again stops its old ring."""
        return True

    def _ring_s(self, key: int) -> float:
        return self.t60_s * (220.0 / key_to_hz(key)) ** 0.35

    def articulation(self, key: int, duration_s: float) -> Articulation:
        """Return a pluck that rings by itself, or a tremolo for long notes of the pipa."""
        if self.tremolo_from_s is not None and duration_s >= self.tremolo_from_s:
            return Articulation("tremolo", gated=True, release_s=0.6 * self._ring_s(key))
        return Articulation("pluck", gated=False, length_s=1.2 * self._ring_s(key))

    def _pluck(
        self, key: int, n: int, rng: np.random.Generator, sample_rate: int, click: float = 1.0
    ) -> np.ndarray:
        """Return two layers (soft, hard) of one pluck, mono ``(2, n)``, no DC; ``click`` scales the tick."""
        f0 = key_to_hz(key)
        harmonic = np.arange(1, _N_MODES + 1, dtype=np.float64)
        freqs = f0 * harmonic * np.sqrt(1.0 + self.stiffness * harmonic**2)
        keep = freqs < 0.45 * sample_rate
        harmonic, freqs = harmonic[keep], freqs[keep]
        position = self.pluck_position * rng.uniform(0.9, 1.1)
        shape = np.abs(np.sin(np.pi * harmonic * position)) * 10.0 ** (
            rng.uniform(-1.0, 1.0, harmonic.size) / 20
        )
        t60 = self._ring_s(key) * (f0 / freqs) ** 0.7
        # the second polarisation of the lowest modes, a fraction of a hertz away
        twin = slice(0, min(_DOUBLETS, harmonic.size))
        all_freqs = np.r_[freqs, freqs[twin] + rng.uniform(0.1, 0.5, freqs[twin].size)]
        all_t60 = np.r_[t60, 0.8 * t60[twin]]
        # the body's wood, and a DC block (the modes' sum has a little): the modes through it in
        # closed form, the tick (over in a few ms) through the filter until its ring has died
        body = np.concatenate(
            [peaking_sos(*np.array(self.body).T, sample_rate), highpass_sos(20.0, sample_rate)]
        )
        head = min(n, ring_samples(body) + round(0.01 * sample_rate))
        tick = sosfilt(body, contact_click(rng, head, sample_rate, t60_s=0.003, corner_hz=self.click_hz))
        layers = np.empty((2, n))
        for layer, exponent in enumerate(self.tilt):
            amps = shape / harmonic**exponent
            all_amps = np.r_[0.65 * amps, 0.35 * amps[twin]]
            layers[layer] = modal_bank(all_freqs, all_t60, all_amps, n, sample_rate, sos=body)
            layers[layer, :head] += (0.05 + 0.1 * layer) * click * tick
        return layers

    def render(
        self, key: int, articulation: Articulation, n_samples: int, rng: np.random.Generator, sample_rate: int
    ) -> np.ndarray:
        """Return the pluck (or tremolo) on ``key``: ``(2, 2, n_samples)`` float32, soft and hard."""
        if articulation.name != "tremolo":
            mono = self._pluck(key, n_samples, rng, sample_rate)
        else:
            # a roll of plucks, each damping the ring of the one before; the last one rings on
            period = round(sample_rate / self.tremolo_hz)
            ring = min(n_samples, round(1.2 * self._ring_s(key) * sample_rate))
            # the first stroke has the nail's full tick, the quick strokes of the roll a lighter one
            plucks = [self._pluck(key, ring, rng, sample_rate, click=c) for c in (1.0, 0.2, 0.2)]
            n_rolls = -(-n_samples // period)
            starts = np.arange(n_rolls) * period + rng.integers(-(period // 10), period // 10 + 1, n_rolls)
            starts[0] = 0
            starts = np.minimum(starts, n_samples - 1)
            # the fingers roll both ways: strokes alternate in direction (and their DC cancels)
            levels = 10.0 ** (rng.uniform(-3.0, 0.0, starts.size) / 20.0) * (-1.0) ** np.arange(starts.size)
            levels[0] = 1.0
            mono = np.zeros((2, n_samples))
            fade = round(_TREMOLO_FADE_S * sample_rate)
            for j, (start, level) in enumerate(zip(starts, levels, strict=True)):
                stop = n_samples if j == starts.size - 1 else min(n_samples, starts[j + 1] + fade)
                piece = plucks[0 if j == 0 else 1 + j % 2][:, : stop - start] * level
                if j < starts.size - 1 and piece.shape[1] > fade:
                    piece[:, -fade:] *= np.linspace(1.0, 0.0, fade)
                if j > 0:  # a brushing stroke of the roll: it speaks over a millisecond
                    brush = min(piece.shape[1], round(0.001 * sample_rate))
                    piece[:, :brush] *= np.linspace(0.0, 1.0, brush, endpoint=False)
                mono[:, start : start + piece.shape[1]] += piece
            mono = dc_block(mono, sample_rate)  # what the fades of the roll leave
        return finish_layers(
            place_mono(mono, self.position), sample_rate, peak_db=self.peak_db, dc_cutoff_hz=None
        )


KOTO = PluckedString(
    name="koto",
    t60_s=3.2,
    pluck_position=0.2,
    tilt=(2.7, 0.9),
    stiffness=2e-5,
    body=((190.0, 2.5, 4.0), (360.0, 3.0, 3.0), (820.0, 2.5, 2.0), (2400.0, 2.0, -2.0)),
    click_hz=1800.0,
    position=-0.2,
)
"""Koto: a long, mellow ring, its ivory plectrum's tick, a deep wooden box."""

PIPA = PluckedString(
    name="pipa",
    t60_s=1.4,
    pluck_position=0.12,
    tilt=(2.0, 0.7),
    stiffness=6e-5,
    body=((420.0, 3.0, 4.0), (760.0, 3.0, 3.0), (1900.0, 2.5, 3.0), (3500.0, 2.0, 2.0)),
    click_hz=3500.0,
    tremolo_from_s=0.5,
    position=0.25,
)
"""Pipa: a bright nail attack, a short ring, a tremolo on long notes."""
