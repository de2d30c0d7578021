"""Sample-rate conversion and varispeed transposition by polyphase resampling.

:func:`resample` converts between any two rates with :func:`scipy.signal.resample_poly`
at an exact rational ratio (``44100 -> 48000`` is ``160/147``; an irrational ratio such
as a transposed rate is approximated by the nearest fraction with a bounded
denominator). :func:`pitch_shift_by_resampling` is a sampler's transposition: the sound
is played faster or slower, so pitch and length change together.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly

from sonics.core.errors import ParameterError

__all__ = ["pitch_shift_by_resampling", "resample", "resample_ratio"]

MAX_RATIO = 256
"""Largest conversion factor either way (``to_hz / from_hz`` in ``[1/256, 256]``)."""

MAX_SEMITONES = 48.0
"""Largest transposition either way (four octaves)."""


def resample_ratio(from_hz: float, to_hz: float, *, max_denominator: int = 1000) -> Fraction:
    """Return the rational conversion factor ``up/down`` that :func:`resample` uses.

    Parameters
    ----------
    from_hz : float > 0
        Rate of the input [Hz]; any positive finite number (a transposed rate need not
        be an integer).
    to_hz : float > 0
        Rate of the output [Hz].
    max_denominator : int >= 1
        Bound on ``up`` and ``down``; a ratio that needs larger terms is approximated
        by the nearest fraction within the bound: at the default the relative error is
        typically a few parts per million and at most about 5e-4 (under 1 cent of
        pitch), while the filter stays short enough to design in a millisecond.

    Returns
    -------
    fractions.Fraction
        ``to_hz / from_hz`` exactly when its terms are within the bound (every pair of
        the usual rates 8k, 11.025k, 16k, 22.05k, 32k, 44.1k, 48k, 88.2k, 96k, 176.4k,
        192k), else its best approximation.

    Raises
    ------
    ParameterError
        If a rate is not a positive finite number, the ratio is outside
        ``[1/256, 256]``, or ``max_denominator < 1``.

    Examples
    --------
    >>> resample_ratio(44100, 48000)
    Fraction(160, 147)
    """
    rates = []
    for name, rate in (("from_hz", from_hz), ("to_hz", to_hz)):
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
            raise ParameterError(f"{name} must be a number, got {rate!r}")
        if not (math.isfinite(rate) and rate > 0):
            raise ParameterError(f"{name} must be a positive finite rate in Hz, got {rate}")
        rates.append(Fraction(int(rate)) if isinstance(rate, numbers.Integral) else Fraction(float(rate)))
    if isinstance(max_denominator, bool) or not isinstance(max_denominator, int) or max_denominator < 1:
        raise ParameterError(f"max_denominator must be an integer >= 1, got {max_denominator!r}")
    exact = rates[1] / rates[0]
    if not Fraction(1, MAX_RATIO) <= exact <= MAX_RATIO:
        raise ParameterError(
            f"to_hz / from_hz must be in [1/{MAX_RATIO}, {MAX_RATIO}], "
            f"got {to_hz} / {from_hz} = {float(exact):.6g}"
        )
    if exact.numerator <= max_denominator and exact.denominator <= max_denominator:
        return exact
    # Bound the numerator as well: approximate the reciprocal when the ratio is > 1.
    if exact > 1:
        return 1 / (1 / exact).limit_denominator(max_denominator)
    return exact.limit_denominator(max_denominator)


def resample(audio: np.ndarray, from_hz: float, to_hz: float, *, max_denominator: int = 1000) -> np.ndarray:
    """Return ``audio`` converted from ``from_hz`` to ``to_hz`` by polyphase filtering.

    Parameters
    ----------
    audio : numpy.ndarray
        Shape ``(channels, samples)`` or ``(samples,)``, real, finite.
    from_hz : float > 0
        Rate ``audio`` is played at [Hz] (a non-integer rate transposes: see
        :func:`pitch_shift_by_resampling`).
    to_hz : float > 0
        Rate of the result [Hz].
    max_denominator : int >= 1
        Bound on the terms of the conversion ratio (see :func:`resample_ratio`).

    Returns
    -------
    numpy.ndarray
        float32, the same number of dimensions as ``audio``, with
        ``ceil(n_samples * up / down)`` samples per channel where ``up/down`` is
        :func:`resample_ratio` (``44100`` samples at 44.1 kHz become exactly ``48000``
        at 48 kHz). The filter is linear-phase and its delay is compensated: sample
        ``i`` of the input lands on sample ``i * up / down`` of the output. Equal rates
        return a float32 copy.

    Raises
    ------
    ParameterError
        If ``audio`` is not 1-D or 2-D, or a rate or the ratio is out of range.

    Examples
    --------
    >>> resample(np.zeros((2, 44100), np.float32), 44100, 48000).shape
    (2, 48000)
    """
    ratio = resample_ratio(from_hz, to_hz, max_denominator=max_denominator)
    x = np.asarray(audio)
    if x.ndim not in (1, 2):
        raise ParameterError(f"audio must have shape (channels, samples) or (samples,), got {x.shape}")
    if ratio == 1:
        return x.astype(np.float32, copy=True)
    signal = x[np.newaxis, :] if x.ndim == 1 else x
    n_out = -(-signal.shape[1] * ratio.numerator // ratio.denominator)
    out = np.zeros((signal.shape[0], n_out), dtype=np.float32)
    if n_out:
        # One channel at a time: scipy filters in float64, so this bounds the extra memory.
        for channel in range(signal.shape[0]):
            out[channel] = resample_poly(signal[channel], ratio.numerator, ratio.denominator)
    return out[0] if x.ndim == 1 else out


def pitch_shift_by_resampling(
    audio: np.ndarray, semitones: float, *, max_denominator: int = 1000
) -> np.ndarray:
    """Return ``audio`` transposed by ``semitones`` the way a sampler does (varispeed).

    The sound is played ``2 ** (semitones / 12)`` times faster: every frequency is
    multiplied and the length divided by that factor, at the same sample rate.

    Parameters
    ----------
    audio : numpy.ndarray
        Shape ``(channels, samples)`` or ``(samples,)``, real, finite.
    semitones : float in [-48, 48]
        Transposition (+12: an octave up, half as long).
    max_denominator : int >= 1
        Bound on the terms of the speed ratio (see :func:`resample_ratio`).

    Returns
    -------
    numpy.ndarray
        float32, the same number of dimensions as ``audio``; 0 semitones returns a copy.

    Raises
    ------
    ParameterError
        If ``semitones`` is not finite or outside ``[-48, 48]``.

    Examples
    --------
    >>> pitch_shift_by_resampling(np.zeros(48000, np.float32), 12.0).shape
    (24000,)
    """
    if isinstance(semitones, bool) or not isinstance(semitones, numbers.Real):
        raise ParameterError(f"semitones must be a number, got {semitones!r}")
    if not (math.isfinite(semitones) and abs(semitones) <= MAX_SEMITONES):
        raise ParameterError(f"semitones must be in [-{MAX_SEMITONES:g}, {MAX_SEMITONES:g}], got {semitones}")
    # Played 2**(st/12) times faster: as if recorded at that multiple of the output rate.
    return resample(audio, 2.0 ** (semitones / 12.0), 1.0, max_denominator=max_denominator)
