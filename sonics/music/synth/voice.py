"""What every instrument of the synthesiser shares: the protocol, articulations, layers, ensembles.

An instrument renders one *stroke*: a note of one key and articulation, from its onset on
sample 0, as ``n_layers`` coherent **timbre layers** (soft to loud) of shape
``(n_layers, 2, n_samples)``. The layers come from the same random draws and differ only
in brightness (filters, attack bite, mallet hardness), so a blend of two neighbours is a
timbre in between and not a chorus of two takes: the part renderer
(:mod:`sonics.music.synth.render`) blends them by each note's dynamics (velocity times
the part's expression) so that louder is brighter, sets the level, and places the stroke.
Strokes are cached: one render serves every note of that key and articulation.

A :class:`Articulation` says how a stroke lasts: a **gated** one (a bowed or blown note)
sustains while the note is held and is released after it; an ungated one (a drum stroke,
a pluck, a spiccato) decays by itself in ``length_s``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np

from sonics.core.errors import ParameterError
from sonics.dsp.envelopes import db_to_gain
from sonics.dsp.filters import dc_block

__all__ = [
    "CONTROL_RATE_HZ",
    "Articulation",
    "Instrument",
    "Overlapping",
    "cents_to_ratio",
    "control_points",
    "ensemble_contours",
    "finish_layers",
    "key_to_hz",
    "place_mono",
    "rise",
    "sample_rise",
    "sample_times",
    "seat_gains",
    "spread_gains",
    "struck_envelope",
    "swell_envelope",
]

CONTROL_RATE_HZ = 500.0
"""Points per second of the pitch and amplitude contours of an ensemble's voices."""


@dataclass(frozen=True, slots=True)
class Articulation:
    """How a stroke lasts.

    Parameters
    ----------
    name : str
        Cache key and label (``"spiccato"``, ``"sustain"``, ``"hit"``...).
    gated : bool
        True: the stroke sustains as long as it is rendered and is released after the
        note's end over ``release_s``. False: it decays by itself within ``length_s``.
    length_s : float
        Length of an ungated stroke (s, > 0); ignored when gated.
    release_s : float
        Release after the note's end of a gated stroke (s, > 0).
    """

    name: str
    gated: bool
    length_s: float = 1.0
    release_s: float = 0.3

    def __post_init__(self) -> None:
        if not (self.length_s > 0 and self.release_s > 0):
            raise ParameterError(
                f"articulation {self.name}: length_s and release_s must be > 0, "
                f"got {self.length_s} and {self.release_s}"
            )


@runtime_checkable
class Instrument(Protocol):
    """An instrument of the built-in synthesiser (see the module docstring).

    ``name`` is the registry key a :class:`~sonics.core.score.Part` names;
    ``n_layers`` the number of timbre layers of every stroke; ``n_variants`` how many
    different strokes of an ungated articulation (a hit, a pluck) play round-robin;
    ``render_ms_per_s`` about how many milliseconds of CPU one second of its stroke takes
    to render (on one core of the machine the figures were measured on): the part
    renderer shares parts out among its processes by it, so only the ratios matter.
    """

    name: str
    n_layers: int
    n_variants: int
    render_ms_per_s: float

    def damps(self, key: int) -> bool:
        """Return whether a new note on ``key`` stops the previous one's ring (a drum head, a string)."""
        ...

    def articulation(self, key: int, duration_s: float) -> Articulation:
        """Return how a note of ``key`` held ``duration_s`` seconds is played."""
        ...

    def render(
        self, key: int, articulation: Articulation, n_samples: int, rng: np.random.Generator, sample_rate: int
    ) -> np.ndarray:
        """Return the stroke's layers, shape ``(n_layers, 2, n_samples)``, float32, onset on sample 0."""
        ...


class Overlapping:
    """Mixin for instruments whose notes overlap freely: a section, a voice, a flute (no damping)."""

    __slots__ = ()

    def damps(self, key: int) -> bool:
        """Return False: a new note never stops the ring of an earlier one."""
        return False


def key_to_hz(key: float) -> float:
    """Return the equal-tempered frequency of a MIDI key (A4 = key 69 = 440 Hz).

    Examples
    --------
    >>> key_to_hz(69), round(key_to_hz(60), 3)
    (440.0, 261.626)
    """
    return 440.0 * 2.0 ** ((float(key) - 69.0) / 12.0)


def cents_to_ratio(cents: float | np.ndarray) -> float | np.ndarray:
    """Return the frequency ratio of an interval in cents (1200 to the octave).

    Examples
    --------
    >>> cents_to_ratio(1200.0)
    2.0
    """
    return (
        2.0 ** (np.asarray(cents, dtype=np.float64) / 1200.0) if np.ndim(cents) else 2.0 ** (cents / 1200.0)
    )


def rise(times_s: np.ndarray, attack_s: float) -> np.ndarray:
    """Return a raised-cosine rise from 0 at ``t = 0`` to 1 at ``attack_s``, 1 after it (0 before 0).

    Examples
    --------
    >>> rise(np.array([-1.0, 0.0, 0.05, 0.1, 1.0]), 0.1).round(3).tolist()
    [0.0, 0.0, 0.5, 1.0, 1.0]
    """
    u = np.clip(np.asarray(times_s, dtype=np.float64) / max(attack_s, 1e-9), 0.0, 1.0)
    out = np.ones_like(u)
    rising = u < 1.0  # the cosine only where it is not yet 1: attacks are short, notes long
    out[rising] = 0.5 - 0.5 * np.cos(np.pi * u[rising])
    return out


@lru_cache(maxsize=64)
def sample_rise(n_samples: int, sample_rate: int, attack_s: float) -> np.ndarray:
    """Return :func:`rise` over a stroke's first ``n_samples`` (at :func:`sample_times`), shared.

    Strokes of an instrument swell alike, so the curve is computed once (float64, read-only).

    Examples
    --------
    >>> sample_rise(4, 1000, 0.004).round(3).tolist()
    [0.146, 0.5, 0.854, 1.0]
    """
    curve = rise(sample_times(n_samples, sample_rate), attack_s)
    curve.flags.writeable = False
    return curve


@lru_cache(maxsize=64)
def struck_envelope(n_samples: int, sample_rate: int, ring_s: float, attack_s: float) -> np.ndarray:
    """Return a struck or bitten stroke's envelope: a rise over ``attack_s``, then 60 dB down in ``ring_s``.

    Shared by every stroke alike (float64, read-only).

    Examples
    --------
    >>> struck_envelope(4, 1000, 0.5, 0.002).round(3).tolist()
    [0.493, 0.973, 0.959, 0.946]
    """
    envelope = np.exp(sample_times(n_samples, sample_rate) * (-6.9 / ring_s))
    a = min(n_samples, int(np.ceil(attack_s * sample_rate)))
    envelope[:a] *= sample_rise(a, sample_rate, attack_s)
    envelope.flags.writeable = False
    return envelope


@lru_cache(maxsize=64)
def swell_envelope(
    n_samples: int, sample_rate: int, attack_s: float, accent: float, accent_s: float
) -> np.ndarray:
    """Return a held note's swell over ``attack_s`` with an ``accent`` that fades with ``accent_s``.

    The gain is ``rise * (1 + accent * exp(-t / accent_s))``; shared by every stroke
    alike (float64, read-only).

    Examples
    --------
    >>> swell_envelope(3, 1000, 0.002, 0.5, 0.01).round(3).tolist()
    [0.726, 1.409, 1.37]
    """
    head = sample_times(n_samples, sample_rate)
    swell = rise(head, attack_s) * (1.0 + accent * np.exp(-head / accent_s))
    swell.flags.writeable = False
    return swell


def sample_times(n_samples: int, sample_rate: int) -> np.ndarray:
    """Return the time at the end of each sample of a stroke, ``(k + 1) / sample_rate`` (s).

    Envelopes are read at these times, so one that rises from 0 is already above 0 on
    the onset sample: a note sounds from its own sample, not the one after.

    Examples
    --------
    >>> sample_times(3, 1000).tolist()
    [0.001, 0.002, 0.003]
    """
    return np.arange(1, n_samples + 1, dtype=np.float64) / sample_rate  # a float arange: no slow int cast


def control_points(n_samples: int, sample_rate: int) -> int:
    """Return how many :data:`CONTROL_RATE_HZ` contour points cover a stroke of ``n_samples`` (two spare).

    Examples
    --------
    >>> control_points(48000, 48000)
    502
    """
    return int(np.ceil(n_samples / sample_rate * CONTROL_RATE_HZ)) + 2


def seat_gains(rng: np.random.Generator, n_voices: int, width: float) -> np.ndarray:
    """Return the stereo gains ``(2, n_voices)`` of players seated across ``-width..width``, shuffled.

    Examples
    --------
    >>> seat_gains(np.random.default_rng(0), 4, 0.5).shape
    (2, 4)
    """
    seats = np.linspace(-width, width, n_voices)
    rng.shuffle(seats)
    return spread_gains(seats)


def place_mono(layers: np.ndarray, position: float) -> np.ndarray:
    """Return mono layers ``(n_layers, n)`` placed at ``position`` (-1..1), ``(n_layers, 2, n)``, unity at 0.

    Examples
    --------
    >>> place_mono(np.ones((1, 3)), 0.0)[0].round(3).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """
    gains = spread_gains(np.array([position]))[:, 0] * np.sqrt(2.0)
    return layers[:, np.newaxis, :] * gains[np.newaxis, :, np.newaxis]


def spread_gains(positions: np.ndarray) -> np.ndarray:
    """Return equal-power left/right gains, shape ``(2, n)``, for voices at ``positions`` in -1..1.

    Examples
    --------
    >>> spread_gains(np.array([-1.0, 0.0])).round(3).tolist()
    [[1.0, 0.707], [0.0, 0.707]]
    """
    angle = (np.clip(np.asarray(positions, dtype=np.float64), -1.0, 1.0) + 1.0) * np.pi / 4.0
    return np.stack([np.cos(angle), np.sin(angle)])


def ensemble_contours(
    rng: np.random.Generator,
    f0_hz: float,
    n_voices: int,
    n_points: int,
    *,
    detune_cents: float,
    vibrato_cents: float = 0.0,
    vibrato_hz: tuple[float, float] = (4.8, 6.2),
    vibrato_delay_s: float = 0.0,
    vibrato_rise_s: float = 0.3,
    scoop_cents: float = 0.0,
    scoop_s: float = 0.06,
    drift_cents: float = 3.0,
) -> np.ndarray:
    """Return the pitch contours of an ensemble playing one note, shape ``(n_voices, n_points)`` (Hz).

    Each player is detuned by a fixed offset (the offsets have zero mean, so the section is
    in tune), drifts slowly (a few cents over seconds), may start flat and slide up to pitch
    (``scoop_cents`` below, over ``scoop_s``), and sings or bows a vibrato of its own rate,
    depth and phase that fades in after ``vibrato_delay_s``. Vibrato and drift are sine
    sums, so every contour stays centred on its player's pitch. The contours are sampled
    at :data:`CONTROL_RATE_HZ`.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the players' differences.
    f0_hz : float
        The note's frequency (Hz, > 0).
    n_voices, n_points : int
        Players and contour points (>= 1 and >= 2).
    detune_cents : float
        Standard deviation of the players' fixed offsets (cents, >= 0).
    vibrato_cents : float
        Mean vibrato depth, peak (cents, >= 0).
    vibrato_hz : tuple of float
        Range of the players' vibrato rates (Hz).
    vibrato_delay_s, vibrato_rise_s : float
        When the vibrato starts to fade in and how long it takes (s).
    scoop_cents, scoop_s : float
        How far below pitch the players start, and how fast they reach it.
    drift_cents : float
        Peak slow intonation drift (cents, >= 0).

    Returns
    -------
    numpy.ndarray
        Pitch in Hz, float64.

    Examples
    --------
    >>> f = ensemble_contours(np.random.default_rng(0), 440.0, 8, 1000, detune_cents=5.0)
    >>> f.shape, bool(abs(np.mean(1200 * np.log2(f / 440.0))) < 1.0)
    ((8, 1000), True)
    """
    t = np.arange(n_points) / CONTROL_RATE_HZ
    t32 = t.astype(np.float32)  # the sines in single precision: a few cents deep, exact to 1e-5 cent
    offsets = rng.normal(0.0, detune_cents, n_voices) if n_voices > 1 else np.zeros(1)
    offsets -= offsets.mean()
    cents = np.repeat(offsets[:, np.newaxis], n_points, axis=1)
    if drift_cents > 0:
        rates = rng.uniform(0.08, 0.35, (n_voices, 2))
        phases = rng.uniform(0.0, 2.0 * np.pi, (n_voices, 2))
        turns = (2.0 * np.pi * rates).astype(np.float32)[:, :, np.newaxis] * t32
        turns += phases.astype(np.float32)[:, :, np.newaxis]
        wander = np.sin(turns, out=turns).sum(axis=1)
        cents += 0.5 * drift_cents * wander
    if vibrato_cents > 0:
        rate = rng.uniform(*vibrato_hz, n_voices)[:, np.newaxis]
        depth = vibrato_cents * rng.uniform(0.6, 1.3, n_voices)[:, np.newaxis]
        phase = rng.uniform(0.0, 2.0 * np.pi, n_voices)[:, np.newaxis]
        onset = vibrato_delay_s * rng.uniform(0.7, 1.3, n_voices)[:, np.newaxis]
        wave = (2.0 * np.pi * rate).astype(np.float32) * t32
        wave += phase.astype(np.float32)
        np.sin(wave, out=wave)
        wave *= rise(t[np.newaxis, :] - onset, vibrato_rise_s)
        cents += depth * wave
    if scoop_cents > 0:
        speed = scoop_s * rng.uniform(0.6, 1.5, n_voices)[:, np.newaxis]
        cents -= scoop_cents * rng.uniform(0.5, 1.5, n_voices)[:, np.newaxis] * np.exp(-t / speed)
    return f0_hz * 2.0 ** (cents / 1200.0)


def finish_layers(
    layers: np.ndarray | Sequence[np.ndarray],
    sample_rate: int,
    *,
    peak_db: float,
    dc_cutoff_hz: float | None = 20.0,
) -> np.ndarray:
    """Return a stroke's layers DC-free, at one loudness, the loudest peak at ``peak_db``.

    The high-pass is causal (the onset stays on sample 0). Each layer is brought to the
    RMS of the loudest one, so the part renderer's blend between layers changes the timbre
    and its dynamics curve alone the level.

    Parameters
    ----------
    layers : numpy.ndarray or sequence of numpy.ndarray
        Shape ``(n_layers, 2, n_samples)``, or ``n_layers`` arrays ``(2, n_samples)``.
    sample_rate : int
        Samples per second.
    peak_db : float
        Peak of the loudest layer (dBFS, <= 0).
    dc_cutoff_hz : float or None
        Corner of the causal DC high-pass (Hz); None for a stroke with nothing low in it.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_layers, 2, n_samples)``, float32.

    Examples
    --------
    >>> x = finish_layers(np.ones((2, 2, 100)) * [[[1.0]], [[0.5]]], 48000, peak_db=-6.0)
    >>> x.dtype.name, round(float(np.abs(x).max()), 4)
    ('float32', 0.5012)
    """
    clean = [
        np.asarray(layer) if dc_cutoff_hz is None else dc_block(layer, sample_rate, cutoff_hz=dc_cutoff_hz)
        for layer in layers
    ]
    flats = [layer.reshape(-1) for layer in clean]
    n = max(flats[0].size, 1)
    rms = np.sqrt(np.array([np.einsum("i,i->", f, f) for f in flats]) / n)  # no squared copy
    level = np.where(rms > 0, rms.max() / np.where(rms > 0, rms, 1.0), 0.0)
    peaks = np.array([max(float(f.max()), -float(f.min())) for f in flats]) * level
    gain = db_to_gain(peak_db) / float(peaks.max()) if peaks.max() > 0 else 0.0
    out = np.empty((len(clean), *clean[0].shape), dtype=np.float32)
    for i, layer in enumerate(clean):  # one pass per layer: its level and the common gain at once
        np.multiply(layer, gain * level[i], out=out[i], casting="same_kind")
    return out
