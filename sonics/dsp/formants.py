"""Voices: glottal pulse trains and formant filters (the source-filter model of speech).

A voiced sound is a train of glottal pulses (one per period of the pitch contour) shaped
by the vocal tract's resonances, the formants. :func:`pulse_times` turns pitch contours
into pulse instants (vectorised over many voices at once); :func:`glottal_sos` is the
source's spectral tilt (a two-pole low-pass and the lips' radiation, net -6 dB per
octave, flatter when shouting); :func:`formant_sos` is a Klatt cascade of two-pole
resonators (unit gain at DC) for a vowel of :data:`VOWELS` (Peterson & Barney 1952, adult
male averages) or for explicit formants. The same model serves birds' calls (a syrinx
source through a beak-and-throat filter).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sonics.core.errors import ParameterError

__all__ = ["VOWELS", "formant_sos", "glottal_sos", "pulse_times"]

VOWELS: dict[str, tuple[tuple[float, float], ...]] = {
    # (frequency Hz, bandwidth Hz) for F1..F4; Peterson & Barney (1952) male means,
    # bandwidths after Klatt (1980); F4 at a typical 3.3-3.5 kHz.
    "a": ((730.0, 90.0), (1090.0, 110.0), (2440.0, 170.0), (3400.0, 250.0)),
    "ae": ((660.0, 80.0), (1720.0, 110.0), (2410.0, 170.0), (3400.0, 250.0)),
    "uh": ((640.0, 80.0), (1190.0, 100.0), (2390.0, 160.0), (3400.0, 250.0)),
    "o": ((570.0, 80.0), (840.0, 90.0), (2410.0, 160.0), (3300.0, 250.0)),
    "e": ((530.0, 70.0), (1840.0, 110.0), (2480.0, 170.0), (3500.0, 250.0)),
    "u": ((300.0, 60.0), (870.0, 90.0), (2240.0, 150.0), (3300.0, 250.0)),
    "i": ((270.0, 60.0), (2290.0, 120.0), (3010.0, 200.0), (3600.0, 250.0)),
}
"""Formants of English vowels spoken by men: ``name -> ((F1, B1), ..., (F4, B4))`` in Hz."""


def pulse_times(
    f0_hz: np.ndarray, control_rate_hz: float, lengths: Sequence[int] | np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the pulse instants of one or many pitch contours.

    A pulse falls wherever the running phase ``integral f0 dt`` crosses an integer; the
    crossing time is interpolated linearly between control points, so the train follows
    a glide exactly and pulses need not fall on samples.

    Parameters
    ----------
    f0_hz : numpy.ndarray
        Pitch (Hz, >= 0) at ``k / control_rate_hz`` seconds; for several contours,
        their values concatenated (see ``lengths``).
    control_rate_hz : float
        Points per second of the contours (> 0).
    lengths : sequence of int, optional
        Number of points of each contour (each >= 1), summing to ``f0_hz.size``;
        ``None`` means one contour.

    Returns
    -------
    times_s : numpy.ndarray
        Pulse times from the start of their own contour (s), float64; each contour's
        first pulse is at 0.
    contour : numpy.ndarray
        Index of the contour of each pulse (int64); pulses are ordered by contour, then
        time.

    Raises
    ------
    ParameterError
        If a pitch is negative or not finite, or the lengths do not add up.

    Examples
    --------
    >>> t, c = pulse_times(np.full(25, 100.0), 1000.0)
    >>> np.round(t * 1000.0, 6).tolist(), c.tolist()
    ([0.0, 10.0, 20.0], [0, 0, 0])
    """
    f0 = np.asarray(f0_hz, dtype=np.float64)
    if f0.ndim != 1 or not np.all(np.isfinite(f0)) or np.any(f0 < 0):
        raise ParameterError("f0_hz must be a 1-D array of finite pitches >= 0 Hz")
    if control_rate_hz <= 0:
        raise ParameterError(f"control_rate_hz must be > 0, got {control_rate_hz}")
    sizes = np.array([f0.size] if lengths is None else lengths, dtype=np.int64)
    if np.any(sizes < 1) or sizes.sum() != f0.size:
        raise ParameterError(f"lengths must be >= 1 and add up to {f0.size}, got {sizes.tolist()}")
    firsts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    # phase at each point (in periods), restarting at 0 at each contour's first point
    steps = np.empty_like(f0)
    steps[0] = 0.0
    steps[1:] = (f0[1:] + f0[:-1]) / (2.0 * control_rate_hz)
    steps[firsts] = 0.0
    phase = np.cumsum(steps)
    phase -= np.repeat(phase[firsts], sizes)
    # a pulse at each whole period 0, 1, ..., floor(end phase) of each contour; laid end to
    # end with a gap of more than a period between contours, all the phases make one rising
    # curve, so a single interpolation finds every pulse's time inside its own contour
    n_pulses = np.floor(phase[firsts + sizes - 1]).astype(np.int64) + 1
    offsets = np.concatenate([[0], np.cumsum(n_pulses + 1)[:-1]]).astype(np.float64)
    rising = phase + np.repeat(offsets, sizes)
    local_s = (np.arange(f0.size) - np.repeat(firsts, sizes)) / control_rate_hz
    contours = np.repeat(np.arange(sizes.size), n_pulses)
    first_pulse = np.concatenate([[0], np.cumsum(n_pulses)[:-1]])
    targets = np.arange(contours.size, dtype=np.float64) - np.repeat(first_pulse - offsets, n_pulses)
    times = np.interp(targets, rising, local_s)
    times[first_pulse] = 0.0  # exact, even where a contour starts at zero pitch
    return times, contours


def _resonator_rows(freqs_hz: np.ndarray, bandwidths_hz: np.ndarray, sample_rate: int) -> np.ndarray:
    """Klatt resonators ``A / (1 - B z^-1 - C z^-2)`` with unit gain at DC, as sos rows."""
    radius = np.exp(-np.pi * bandwidths_hz / sample_rate)
    b = 2.0 * radius * np.cos(2.0 * np.pi * freqs_hz / sample_rate)
    c = -(radius**2)
    a = 1.0 - b - c
    zeros = np.zeros_like(a)
    return np.stack([a, zeros, zeros, np.ones_like(a), -b, -c], axis=-1)


def formant_sos(
    vowel: str | Sequence[tuple[float, float]],
    sample_rate: int,
    *,
    shift: float = 1.0,
    f1_raise_hz: float = 0.0,
    bandwidth_scale: float = 1.0,
) -> np.ndarray:
    """Return a cascade of formant resonators for a vowel (an all-pole vocal tract).

    Parameters
    ----------
    vowel : str or sequence of (float, float)
        A key of :data:`VOWELS`, or ``(frequency_hz, bandwidth_hz)`` pairs.
    sample_rate : int
        Samples per second.
    shift : float
        Factor on every formant frequency (> 0): ``1.15`` for a shorter tract (a
        younger or smaller voice), below 1 for a larger one.
    f1_raise_hz : float
        Added to F1 (Hz): shouting raises F1 by 100-200 Hz as the jaw opens wider.
    bandwidth_scale : float
        Factor on every bandwidth (> 0); above 1 for a breathier, less resonant voice.

    Returns
    -------
    numpy.ndarray
        Second-order sections, one per formant below 0.45 * ``sample_rate``, each with
        unit gain at 0 Hz, shape ``(n_formants, 6)``.

    Raises
    ------
    ParameterError
        If the vowel is unknown or a factor is not positive.

    Examples
    --------
    >>> formant_sos("a", 48000).shape
    (4, 6)
    """
    if isinstance(vowel, str):
        if vowel not in VOWELS:
            raise ParameterError(f"unknown vowel {vowel!r} (known: {', '.join(VOWELS)})")
        pairs = np.array(VOWELS[vowel], dtype=np.float64)
    else:
        pairs = np.asarray(vowel, dtype=np.float64)
        if pairs.ndim != 2 or pairs.shape[1] != 2 or np.any(pairs <= 0):
            raise ParameterError("formants must be (frequency_hz, bandwidth_hz) pairs of positive numbers")
    if shift <= 0 or bandwidth_scale <= 0:
        raise ParameterError(f"shift and bandwidth_scale must be > 0, got {shift} and {bandwidth_scale}")
    freqs = pairs[:, 0] * shift
    freqs[0] += f1_raise_hz
    keep = (freqs > 0) & (freqs < 0.45 * sample_rate)
    return _resonator_rows(freqs[keep], pairs[keep, 1] * bandwidth_scale, sample_rate)


def glottal_sos(sample_rate: int, *, corner_hz: float = 150.0) -> np.ndarray:
    """Return the glottal source's spectrum: two poles at ``corner_hz``, one zero at DC.

    An impulse train through it has the -12 dB per octave roll-off of glottal flow
    above ``corner_hz`` plus the +6 dB per octave of radiation from the lips: a net
    -6 dB per octave, no DC. A higher corner (300-600 Hz) is the flatter, brighter
    spectrum of a pressed, shouted voice.

    Parameters
    ----------
    sample_rate : int
        Samples per second.
    corner_hz : float
        Corner frequency of the glottal low-pass (Hz, in ``(0, sample_rate / 4)``).

    Returns
    -------
    numpy.ndarray
        One second-order section, shape ``(1, 6)`` (the caller sets the level).

    Raises
    ------
    ParameterError
        If ``corner_hz`` is out of range.

    Examples
    --------
    >>> glottal_sos(48000).shape
    (1, 6)
    """
    if not 0.0 < corner_hz < sample_rate / 4:
        raise ParameterError(f"corner_hz must be in (0, {sample_rate / 4:g}), got {corner_hz}")
    pole = np.exp(-2.0 * np.pi * corner_hz / sample_rate)
    return np.array([[1.0 - pole, -(1.0 - pole), 0.0, 1.0, -2.0 * pole, pole**2]])
