"""Variable (fractional) delay lines and moving sources: Doppler without a pitch shifter.

A moving source is heard at time ``t`` as it sounded when it *emitted* at ``tau``, with
``tau + r(tau) / c = t``. :func:`retarded_positions` solves that for every output
sample (the reception time is monotonic in the emission time while the source is
slower than sound); :func:`straight_pass_emission_s` solves it in closed form for a
straight pass; :func:`fractional_read` then reads the source there with cubic
interpolation. Pitch rises by ``1 / (1 - v/c)`` as the source approaches and falls by
``1 / (1 + v/c)`` as it recedes, exactly as it should.
"""

from __future__ import annotations

import numpy as np

from sonics.core.errors import ParameterError

__all__ = [
    "SPEED_OF_SOUND_M_S",
    "fractional_read",
    "retarded_positions",
    "straight_pass_emission_s",
    "variable_delay",
]

SPEED_OF_SOUND_M_S = 343.0
"""Speed of sound in air at 20 °C (m/s)."""

_CHUNK = 8192  # fractional_read works in chunks of this many positions (64 KB temporaries stay in cache)


def fractional_read(x: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Return ``x`` read at fractional sample ``positions`` (cubic Catmull-Rom interpolation).

    Positions outside ``[0, len(x) - 1]`` (and NaN) read as 0.

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(..., samples)``.
    positions : numpy.ndarray
        Read positions in samples, shape ``(m,)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., m)``, float64.

    Examples
    --------
    >>> fractional_read(np.arange(5.0), np.array([1.5, 2.0, 9.0])).tolist()
    [1.5, 2.0, 0.0]
    """
    data = np.asarray(x, dtype=np.float64)
    n = data.shape[-1]
    pos = np.asarray(positions, dtype=np.float64)
    out = np.empty((*data.shape[:-1], pos.size))
    for first in range(0, pos.size, _CHUNK):  # in cache-sized chunks: a few times faster
        p = pos[first : first + _CHUNK]
        valid = (p >= 0) & (p <= n - 1)  # NaN compares false
        p = np.where(valid, p, 0.0)
        whole = np.floor(p)
        u = p - whole
        i = whole.astype(np.intp)
        # samples i-1 .. i+2 around each position, with zeros beyond both ends: from a
        # zero-padded copy of just the stretch this chunk reads
        low, high = int(i.min()), int(i.max())
        near = np.zeros((*data.shape[:-1], high - low + 4))
        stop = min(n, high + 3)
        near[..., max(0, 1 - low) : stop - low + 1] = data[..., max(0, low - 1) : stop]
        i -= low
        xm1, x0, x1, x2 = near[..., i], near[..., i + 1], near[..., i + 2], near[..., i + 3]
        # Catmull-Rom cubic, exact at the samples, continuous first derivative:
        # x0 + u/2 * ((x1 - xm1) + u * ((2 xm1 - 5 x0 + 4 x1 - x2) + u * (3 (x0 - x1) + x2 - xm1)))
        y = x0 - x1
        y *= 3.0
        y += x2
        y -= xm1
        y *= u
        y += 2.0 * xm1 - 5.0 * x0 + 4.0 * x1 - x2
        y *= u
        y += x1 - xm1
        y *= 0.5 * u
        y += x0
        y[..., ~valid] = 0.0
        out[..., first : first + _CHUNK] = y
    return out


def straight_pass_emission_s(
    heard_s: np.ndarray,
    *,
    closest_s: float,
    miss_m: float,
    speed_m_s: float,
    speed_of_sound_m_s: float = SPEED_OF_SOUND_M_S,
) -> np.ndarray:
    """Return when a source flying a straight line emitted the sound heard at ``heard_s``.

    The closed form of :func:`retarded_positions` for a constant-speed straight pass:
    the source is ``r(tau) = hypot(miss_m, speed * (tau - closest_s))`` away, and
    ``tau + r(tau) / c = t`` is a quadratic in ``tau`` with one root before ``t``:
    ``tau = closest_s + (c**2 T - sqrt(c**2 v**2 T**2 + (c**2 - v**2) miss**2)) / (c**2 - v**2)``
    with ``T = t - closest_s``. The distance at emission is ``c * (t - tau)``.

    Parameters
    ----------
    heard_s : numpy.ndarray
        Reception times (s).
    closest_s : float
        Emission time of the closest point (s, same clock).
    miss_m : float
        Closest distance (m, >= 0).
    speed_m_s : float
        Source speed (m/s, ``0 <= speed < speed_of_sound_m_s``).
    speed_of_sound_m_s : float
        Speed of sound (m/s, > 0).

    Returns
    -------
    numpy.ndarray
        Emission times (s), float64, same shape as ``heard_s``.

    Raises
    ------
    ParameterError
        If the source is not slower than sound or the miss distance is negative.

    Examples
    --------
    >>> tau = straight_pass_emission_s(np.array([1.0]), closest_s=0.0, miss_m=343.0, speed_m_s=0.0)
    >>> tau.tolist()
    [0.0]
    """
    c, v = float(speed_of_sound_m_s), float(speed_m_s)
    if not 0.0 <= v < c or miss_m < 0:
        raise ParameterError(f"need 0 <= speed < {c} m/s and miss_m >= 0, got {v} and {miss_m}")
    elapsed = np.asarray(heard_s, dtype=np.float64) - closest_s
    root = np.sqrt((c * v) ** 2 * elapsed**2 + (c * c - v * v) * miss_m**2)
    return closest_s + (c * c * elapsed - root) / (c * c - v * v)


def variable_delay(x: np.ndarray, delay_samples: np.ndarray | float) -> np.ndarray:
    """Return ``y[n] = x[n - delay[n]]`` with a fractional, time-varying delay.

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(..., samples)``.
    delay_samples : numpy.ndarray or float
        Delay per output sample (samples, >= 0), a constant or shape ``(samples,)``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``, float64; samples read from before the start are 0.

    Raises
    ------
    ParameterError
        If a delay is negative or the array has the wrong length.

    Examples
    --------
    >>> variable_delay(np.arange(8.0), 2.5)[4:].tolist()
    [1.5, 2.5, 3.5, 4.5]
    """
    data = np.asarray(x, dtype=np.float64)
    n = data.shape[-1]
    delay = (
        np.broadcast_to(np.asarray(delay_samples, dtype=np.float64), (n,))
        if np.ndim(delay_samples) == 0
        else (np.asarray(delay_samples, dtype=np.float64))
    )
    if delay.shape != (n,):
        raise ParameterError(f"delay_samples must be a number or have shape ({n},), got {delay.shape}")
    if np.any(delay < 0):
        raise ParameterError("delay_samples must be >= 0")
    pos = np.arange(n) - delay
    # a read before the first sample is silence, not an interpolation with the padding
    return np.where(pos >= 0, fractional_read(data, pos), 0.0)


def retarded_positions(
    distance_m: np.ndarray, sample_rate: int, n_out: int, *, speed_of_sound_m_s: float = SPEED_OF_SOUND_M_S
) -> np.ndarray:
    """Return, for each output sample, the emission sample of a moving source heard then.

    The source's distance ``distance_m[k]`` is given at each emission sample ``k``; sound
    emitted at ``k`` arrives at ``k + distance_m[k] * sample_rate / c``. Output sample
    ``n`` hears the emission position ``tau(n)`` where that arrival equals ``n``. Use the
    result with :func:`fractional_read` (for the audio) and :func:`numpy.interp` (for the
    distance at emission, for ``1/r`` gain and air absorption).

    Parameters
    ----------
    distance_m : numpy.ndarray
        Source-listener distance at each emission sample (m, >= 0), shape ``(k,)``.
    sample_rate : int
        Samples per second.
    n_out : int
        Number of output samples (>= 1).
    speed_of_sound_m_s : float
        Speed of sound (m/s, > 0).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_out,)``, float64 emission positions; ``NaN`` where nothing emitted
        in ``distance_m``'s span has arrived yet or any longer.

    Raises
    ------
    ParameterError
        If the source moves at or above the speed of sound (the arrival time would not
        be monotonic: a sonic boom).

    Examples
    --------
    >>> r = np.full(100, 343.0 / 48000 * 10)  # a still source 10 samples away
    >>> retarded_positions(r, 48000, 12)[10:].tolist()
    [0.0, 1.0]
    """
    r = np.asarray(distance_m, dtype=np.float64)
    if r.ndim != 1 or r.size < 2 or np.any(r < 0):
        raise ParameterError("distance_m must be a 1-D array of at least 2 distances >= 0")
    arrival = np.arange(r.size) + r * (sample_rate / speed_of_sound_m_s)
    if np.any(np.diff(arrival) <= 0):
        raise ParameterError("the source moves at or above the speed of sound: no retarded time")
    return np.interp(
        np.arange(int(n_out)), arrival, np.arange(r.size, dtype=np.float64), left=np.nan, right=np.nan
    )
