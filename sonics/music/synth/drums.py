"""Percussion on the General MIDI drum map: taiko drums, a shime and a rim, and cymbals.

Keys (:data:`DRUM_MAP`): 35/36 an o-daiko (the big low taiko), 41/43/45/47/48/50 nagado
taiko of falling size, 38/40 a shime-daiko (small, tight, high), 37 the rim (kachi), 49/57
crash cymbals, 52 a china, 55 a splash, 51/59 a ride (53 its bell), 42/44/46 small closed
and open cymbals; any other key plays the drum of the nearest key listed.

Drums: a struck membrane rings at the Bessel-zero mode ratios
(:data:`~sonics.dsp.modal.MEMBRANE_RATIOS`), the upper modes dying faster; the stroke
stretches the head, so the pitch starts high and falls to rest over ~60 ms (the taiko's
"doon"); the shell's wood adds a short knock, the air inside a low sub, and the stick's
contact a click on the very first sample (the onset is exact). Harder strokes excite the
upper modes and bend the pitch further.

Cymbals: thousands of dense, inharmonic plate modes, heard as a metallic wash whose highs
die first: noise shaped in time and frequency (:func:`~sonics.dsp.noise.spectral_noise`,
each band decaying at its own rate), a few dozen strong modes for the ring and the bell,
the stick's tick. The china is trashier (a honk in the mids, a quicker decay), the splash
small and short, the ride a bell ping on a quiet wash.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sonics.dsp.filters import bandpass, dc_block, lowpass
from sonics.dsp.modal import MEMBRANE_RATIOS, glide_cycles, modal_bank, sin_cycles
from sonics.dsp.noise import contact_click, spectral_noise, white_noise
from sonics.music.synth.voice import Articulation, finish_layers, place_mono, spread_gains

__all__ = ["CYMBALS", "DRUM_MAP", "TAIKO", "Cymbal", "DrumKit", "Membrane"]

_LN_1000 = np.log(1000.0)


@dataclass(frozen=True, slots=True)
class Membrane:
    """A drum: rest pitch, ring, size (0 small .. 1 o-daiko) and place on the stage (-1..1)."""

    pitch_hz: float
    t60_s: float
    size: float
    position: float = 0.0
    rim: bool = False  # a wooden rim click rather than the head


@dataclass(frozen=True, slots=True)
class Cymbal:
    """A cymbal: the band and decay of its wash, its ring, its bell, and its place."""

    low_hz: float
    high_hz: float
    t60_s: float
    position: float = 0.0
    trash: float = 0.0  # 0 clean .. 1 china
    bell: float = 0.1  # level of the bell's ring


DRUM_MAP: dict[int, Membrane | Cymbal] = {
    35: Membrane(48.0, 2.6, 1.0, 0.0),
    36: Membrane(56.0, 2.2, 0.95, 0.0),
    37: Membrane(1100.0, 0.09, 0.0, 0.1, rim=True),
    38: Membrane(380.0, 0.35, 0.1, 0.15),
    40: Membrane(420.0, 0.3, 0.1, 0.15),
    41: Membrane(82.0, 1.6, 0.75, -0.35),
    43: Membrane(98.0, 1.4, 0.65, -0.2),
    45: Membrane(118.0, 1.2, 0.55, -0.05),
    47: Membrane(138.0, 1.0, 0.45, 0.1),
    48: Membrane(160.0, 0.9, 0.4, 0.25),
    50: Membrane(190.0, 0.8, 0.35, 0.4),
    42: Cymbal(3000.0, 14000.0, 0.25, 0.3, trash=0.2, bell=0.05),
    44: Cymbal(3000.0, 14000.0, 0.3, 0.3, trash=0.2, bell=0.05),
    46: Cymbal(2500.0, 14000.0, 1.1, 0.3, trash=0.2, bell=0.05),
    49: Cymbal(400.0, 15000.0, 3.2, -0.45, trash=0.0, bell=0.08),
    57: Cymbal(450.0, 15000.0, 2.9, 0.45, trash=0.05, bell=0.08),
    52: Cymbal(500.0, 12000.0, 2.2, 0.55, trash=1.0, bell=0.05),
    55: Cymbal(900.0, 16000.0, 1.2, -0.25, trash=0.1, bell=0.05),
    51: Cymbal(600.0, 13000.0, 3.0, 0.5, trash=0.0, bell=0.3),
    59: Cymbal(650.0, 13000.0, 2.8, 0.5, trash=0.0, bell=0.3),
    53: Cymbal(700.0, 12000.0, 2.5, 0.5, trash=0.0, bell=1.0),
}
"""General MIDI percussion key → drum or cymbal."""

_KEYS = np.array(sorted(DRUM_MAP))
# hand percussion (bongos, congas, timbales: 60-68) is skin; shakers and bells (69-81) are small metal
_GROUPS = {range(60, 69): (48, 50), range(69, 82): (42, 44, 46)}


def drum_for_key(key: int) -> Membrane | Cymbal:
    """Return the drum of a key: its own, else the nearest listed one (hand drums → small taiko).

    Examples
    --------
    >>> drum_for_key(36).pitch_hz, drum_for_key(39) == DRUM_MAP[38]
    (56.0, True)
    """
    if key in DRUM_MAP:
        return DRUM_MAP[key]
    for keys, choices in _GROUPS.items():
        if key in keys:
            return DRUM_MAP[choices[key % len(choices)]]
    return DRUM_MAP[int(_KEYS[np.argmin(np.abs(_KEYS - key))])]


_HARDNESS = (0.2, 1.0)  # a soft and a hard stroke: the two layers


def _membrane(drum: Membrane, n: int, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """Two layers of a head stroke, mono, shape ``(2, n)``, float32."""
    t64 = np.arange(n, dtype=np.float64) / sample_rate
    t = t64.astype(np.float32)
    ratios = np.asarray(MEMBRANE_RATIOS) * (1.0 + 0.008 * rng.standard_normal(len(MEMBRANE_RATIOS)))
    ratios[0] = 1.0
    amps = np.array([1.0, 0.6, 0.45, 0.35, 0.25, 0.2, 0.15, 0.12, 0.1, 0.08, 0.07, 0.06, 0.05, 0.04])
    amps *= 10.0 ** (rng.uniform(-1.5, 1.5, ratios.size) / 20.0)
    t60 = drum.t60_s / ratios**1.4
    relax_s = rng.uniform(0.045, 0.07) * (0.6 + 0.6 * drum.size)
    # the shell's knock, the stick's click and the punch are over in their first 0.2 s
    head = min(n, round(0.2 * sample_rate))
    shell_hz = rng.uniform(230.0, 330.0) * (1.6 - 0.8 * drum.size) * np.array([1.0, 1.71, 2.43])
    shell = modal_bank(shell_hz, np.array([0.08, 0.05, 0.035]), np.array([0.3, 0.2, 0.12]), head, sample_rate)
    click = contact_click(rng, head, sample_rate, t60_s=0.004, corner_hz=1200.0)
    n_punch = min(n, round(0.1 * sample_rate))
    punch = np.zeros(head)
    punch[:n_punch] = bandpass(
        white_noise(rng, n_punch) * np.exp(-t[:n_punch] / 0.012), 60.0, 900.0, sample_rate
    )
    punch /= np.max(np.abs(punch[:n_punch])) + 1e-12
    layers = np.zeros((2, n), dtype=np.float32)
    # each mode until it is 60 dB down; its decay is the same in both layers
    rings = [np.exp(t[: min(n, round(decay * sample_rate))] * np.float32(-_LN_1000 / decay)) for decay in t60]
    for layer, hard in enumerate(_HARDNESS):
        # the stroke stretches the head and it relaxes to its rest pitch: further when harder
        bend = 0.1 + 0.1 * hard
        cycles = glide_cycles(t64, drum.pitch_hz * (1.0 + bend), drum.pitch_hz, relax_s)
        tilt = (0.35 + 0.65 * hard) ** np.arange(ratios.size)  # a hard stick rings the upper modes
        for ratio, amp, fall, weight in zip(ratios, amps, rings, tilt, strict=True):
            m = fall.size
            ring = sin_cycles(ratio * cycles[:m])
            ring *= fall
            ring *= np.float32(amp * weight)
            layers[layer, :m] += ring
        layers[layer, :head] += (
            (0.5 + hard) * shell + (0.25 + 0.5 * hard) * punch + (0.15 + 0.55 * hard) * click
        )
    if drum.size > 0.8:  # the o-daiko's air: a sub below the head, gliding with it
        sub_cycles = glide_cycles(t64, 0.72 * drum.pitch_hz * 1.15, 0.72 * drum.pitch_hz, 2 * relax_s)
        sub = np.exp(t * np.float32(-_LN_1000 / (0.6 * drum.t60_s)))
        sub *= sin_cycles(sub_cycles)
        sub *= np.float32(0.5)
        sub[:head] *= -np.expm1(-t[:head] / np.float32(0.004))  # it swells in over 4 ms (and is 1 by then)
        layers += sub
    return layers


def _rim(drum: Membrane, n: int, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """Two layers of a wooden rim click, mono, shape ``(2, n)``."""
    freqs = drum.pitch_hz * rng.uniform(0.92, 1.08) * np.array([1.0, 2.32, 3.9])
    wood = modal_bank(freqs, np.array([0.06, 0.035, 0.02]), np.array([0.6, 0.3, 0.2]), n, sample_rate)
    click = contact_click(rng, n, sample_rate, t60_s=0.003, corner_hz=2500.0)
    return np.stack([wood * (0.6 + 0.4 * h) + (0.3 + 0.7 * h) * click for h in _HARDNESS])


def _cymbal(cymbal: Cymbal, n: int, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """Two layers of a cymbal stroke, stereo, shape ``(2, 2, n)``."""
    centre_hz = np.sqrt(cymbal.low_hz * cymbal.high_hz)
    width = np.log(cymbal.high_hz / cymbal.low_hz) / 2.0
    modes_hz = np.exp(rng.uniform(np.log(cymbal.low_hz), np.log(0.7 * cymbal.high_hz), 48))
    if cymbal.trash > 0:  # a china's honk: a cluster of strong modes in the low mids
        modes_hz[:12] = rng.uniform(500.0, 1400.0, 12)
    mode_t60 = cymbal.t60_s * (modes_hz / 1000.0) ** -0.5 * rng.uniform(0.5, 1.0, modes_hz.size)
    mode_amps = rng.uniform(0.2, 1.0, modes_hz.size) * (1.0 + 2.0 * cymbal.trash * (modes_hz < 1500))
    bell_hz = rng.uniform(700.0, 900.0) * np.array([1.0, 2.64, 4.3, 5.9])
    ring = modal_bank(modes_hz, mode_t60, mode_amps, n, sample_rate)
    bell = modal_bank(
        bell_hz,
        cymbal.t60_s * np.array([0.8, 0.5, 0.35, 0.25]),
        np.array([1.0, 0.6, 0.4, 0.3]),
        n,
        sample_rate,
    )
    tick = contact_click(rng, n, sample_rate, t60_s=0.002, corner_hz=4000.0)
    pans = spread_gains(np.array([cymbal.position - 0.15, cymbal.position + 0.15])).sum(axis=1) * 0.5
    level = 1.0 + 0.8 * cymbal.trash

    def magnitude(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
        f = np.maximum(freqs_hz, np.float32(1.0))
        shape = np.exp(-0.5 * (np.log(f / centre_hz) / width) ** 2) * (f / centre_hz) ** 0.3
        shape /= 1.0 + (cymbal.low_hz / f) ** 4  # a plate this size has no modes far below its lowest
        shape *= level
        rate = _LN_1000 / (cymbal.t60_s * (f / 1000.0) ** -0.35)  # the highs die first
        out = np.exp(times_s * -rate.astype(np.float32))
        out *= shape.astype(np.float32)
        # energy flows up into the high modes just after the stroke: the highs swell a little
        # (over within a third of a second: 1e-6 short of full by then)
        if float(times_s.min()) < 0.35:
            swell = 1.0 - 0.6 * np.exp(-times_s / np.array([0.004, 0.024], dtype=np.float32))
            out *= np.where(f > 6000.0, swell[:, 1:], swell[:, :1])
        return out

    wash = spectral_noise(rng, n, sample_rate, magnitude, n_channels=2, dtype=np.float32)
    # a soft stroke is the same wash with its highs closed; a hard one rings the modes harder
    layers = np.empty((2, 2, n), dtype=np.float32)
    layers[0] = lowpass(wash, min(3500.0, 0.4 * sample_rate), sample_rate)
    layers[1] = wash
    ring *= 0.02
    ring += (0.04 * cymbal.bell) * bell
    for layer, (share, tick_gain) in enumerate(((0.5, 0.08), (1.0, 0.2))):
        metal = (share * ring + tick_gain * tick).astype(np.float32)
        for channel in range(2):
            layers[layer, channel] += np.float32(pans[channel]) * metal
    return layers


@lru_cache(maxsize=128)
def _hit(key: int) -> Articulation:
    """Return the stroke of ``key``'s drum: it rings as long as the drum does (one per key)."""
    drum = drum_for_key(key)
    length = drum.t60_s * (1.1 if isinstance(drum, Membrane) else 1.0)
    return Articulation(f"hit{round(length * 1000)}", gated=False, length_s=max(0.1, length))


@dataclass(frozen=True, slots=True)
class DrumKit:
    """The percussion instrument: every key a drum or cymbal of :data:`DRUM_MAP`.

    ``name`` is ``"taiko"`` for the drum part and ``"cymbals"`` for a part of cymbals
    alone: the same map, so either plays whatever keys it is given.
    """

    name: str
    n_layers: int = 2
    n_variants: int = 3
    render_ms_per_s: float = 10.0  # CPU per second of stroke: how the renderer weighs a part
    peak_db: float = -8.0

    def damps(self, key: int) -> bool:
        """Return True for a drum head (a re-strike stops its ring), False for a cymbal."""
        return isinstance(drum_for_key(key), Membrane)

    def articulation(self, key: int, duration_s: float) -> Articulation:
        """Return a stroke that rings as long as its drum does, whatever the note's length."""
        return _hit(key)

    def render(
        self, key: int, articulation: Articulation, n_samples: int, rng: np.random.Generator, sample_rate: int
    ) -> np.ndarray:
        """Return the stroke of ``key``'s drum: ``(2, 2, n_samples)`` float32, soft and hard."""
        drum = drum_for_key(key)
        if isinstance(drum, Cymbal):
            layers = _cymbal(drum, n_samples, rng, sample_rate)  # all above a few hundred Hz: no DC
            return finish_layers(layers, sample_rate, peak_db=self.peak_db - 4.0, dc_cutoff_hz=None)
        mono = dc_block((_rim if drum.rim else _membrane)(drum, n_samples, rng, sample_rate), sample_rate)
        layers = place_mono(mono, drum.position)
        peak_db = self.peak_db - (0.0 if drum.size > 0.8 else 3.0)
        return finish_layers(layers, sample_rate, peak_db=peak_db, dc_cutoff_hz=None)


TAIKO = DrumKit("taiko")
"""The drum part's kit."""

CYMBALS = DrumKit("cymbals")
"""The same kit for a separate cymbal part."""
