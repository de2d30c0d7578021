"""Event trains: random event times, impulses placed in blocks, envelopes driven by impulses.

Many battle sounds are crowds of short events (footfalls, crackles, glottal pulses,
debris): scheduling them as times and weights, dropping them into a signal as impulses
and shaping them with a filter (an attack-decay envelope, a resonance) costs the same
whatever the number of events, and is exact to the sample. :func:`poisson_times` draws
the times of a Poisson process whose rate follows a control curve (Farnell's ``Dust``
with a moving density); :func:`impulses` places weighted events in one block of a
longer signal, sub-sample positions split between the two neighbouring samples;
:func:`attack_decay_sos` is the filter that turns each impulse into an envelope.
"""

from __future__ import annotations

import numpy as np

from sonics.core.errors import ParameterError

__all__ = ["attack_decay_sos", "impulses", "poisson_times"]


def poisson_times(
    rng: np.random.Generator, rate_hz: np.ndarray | float, control_rate_hz: float, duration_s: float
) -> np.ndarray:
    """Return the event times of a Poisson process whose rate follows a control curve.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    rate_hz : numpy.ndarray or float
        Events per second (>= 0): a constant, or values at ``k / control_rate_hz``
        seconds (linear in between, the last value held to the end).
    control_rate_hz : float
        Points per second of ``rate_hz`` (> 0).
    duration_s : float
        Length of the process (s, >= 0).

    Returns
    -------
    numpy.ndarray
        Sorted event times in ``[0, duration_s)`` (s), float64.

    Raises
    ------
    ParameterError
        If a rate is negative or not finite, or ``control_rate_hz <= 0``.

    Examples
    --------
    >>> t = poisson_times(np.random.default_rng(0), 100.0, 10.0, 10.0)
    >>> 900 < t.size < 1100, bool(np.all(np.diff(t) >= 0))
    (True, True)
    """
    if control_rate_hz <= 0:
        raise ParameterError(f"control_rate_hz must be > 0, got {control_rate_hz}")
    rate = np.atleast_1d(np.asarray(rate_hz, dtype=np.float64))
    if not np.all(np.isfinite(rate)) or np.any(rate < 0):
        raise ParameterError("rate_hz must be finite and >= 0")
    if duration_s <= 0:
        return np.zeros(0)
    # knots of the rate curve up to the end; the integral is exact for a piecewise-linear rate
    n_knots = max(2, int(np.ceil(duration_s * control_rate_hz)) + 1)
    knots_s = np.minimum(np.arange(n_knots) / control_rate_hz, duration_s)
    knots_s[-1] = duration_s
    values = np.interp(knots_s, np.arange(rate.size) / control_rate_hz, rate)
    expected = np.concatenate([[0.0], np.cumsum(np.diff(knots_s) * (values[1:] + values[:-1]) / 2.0)])
    n_events = int(rng.poisson(expected[-1]))
    if n_events == 0:
        return np.zeros(0)
    # given the count, the events are the expected-count quantiles of sorted uniforms in (0, total]
    targets = np.sort(1.0 - rng.random(n_events)) * expected[-1]
    # invert the expected count inside the segment that holds each target (never a flat one)
    seg = np.clip(np.searchsorted(expected, targets, side="left") - 1, 0, expected.size - 2)
    share = (targets - expected[seg]) / np.maximum(expected[seg + 1] - expected[seg], 1e-300)
    times = knots_s[seg] + np.clip(share, 0.0, 1.0) * (knots_s[seg + 1] - knots_s[seg])
    return np.minimum(times, np.nextafter(duration_s, 0.0))


def impulses(
    positions: np.ndarray,
    weights: np.ndarray | float,
    start: int,
    n_samples: int,
    *,
    n_channels: int | None = None,
) -> np.ndarray:
    """Return the block ``[start, start + n_samples)`` of a train of weighted impulses.

    An impulse at a fractional sample position ``p`` is split between samples
    ``floor(p)`` and ``floor(p) + 1`` in proportion (linear interpolation), so a pulse
    train keeps its exact timing (and pitch); an integer position puts all its weight on
    one sample. Impulses outside the block are ignored, so the same event list can be
    passed for every block of a long signal.

    Parameters
    ----------
    positions : numpy.ndarray
        Event positions in samples from the signal's start (>= 0), shape ``(k,)``.
    weights : numpy.ndarray or float
        Event weights, broadcast to ``(k,)``, or ``(n_channels, k)`` for a weight per
        channel (a pan).
    start : int
        First sample of the block.
    n_samples : int
        Block length (>= 0).
    n_channels : int or None
        ``None`` returns shape ``(n_samples,)``; an integer ``(n_channels, n_samples)``.

    Returns
    -------
    numpy.ndarray
        float64, zero where there is no impulse.

    Examples
    --------
    >>> impulses(np.array([1.0, 2.25]), 1.0, 0, 4).tolist()
    [0.0, 1.0, 0.75, 0.25]
    """
    pos = np.asarray(positions, dtype=np.float64)
    channels = 1 if n_channels is None else int(n_channels)
    w = np.broadcast_to(np.asarray(weights, dtype=np.float64), (channels, pos.size))
    if pos.size == 0 or n_samples <= 0:
        out = np.zeros((channels, max(n_samples, 0)))
    else:
        base = np.floor(pos).astype(np.int64) - start
        frac = pos - np.floor(pos)
        # both neighbours of every impulse on every channel, in one pass: flat index ch * n + sample
        index = np.concatenate([base, base + 1])
        share = np.concatenate([1.0 - frac, frac])
        keep = (index >= 0) & (index < n_samples) & (share > 0)
        index, share = index[keep], share[keep]
        rows = np.arange(channels)[:, np.newaxis] * n_samples
        flat = (rows + index).ravel()
        values = (np.concatenate([w, w], axis=1)[:, keep] * share).ravel()
        out = np.bincount(flat, weights=values, minlength=channels * n_samples).reshape(channels, n_samples)
    return out[0] if n_channels is None else out


def attack_decay_sos(attack_s: float, decay_s: float, sample_rate: int) -> np.ndarray:
    """Return a filter whose impulse response is an attack-decay envelope peaking at 1.

    The response is ``g * (exp(-t / decay_s) - exp(-t / attack_s))`` (the difference of
    two one-pole decays, as a resonance-free "swell then fade"), scaled so its maximum
    is exactly 1; with ``attack_s`` under one sample it is ``exp(-t / decay_s)``, at full
    level on the impulse's own sample. Run an impulse train through it (with
    :class:`~sonics.dsp.streams.SosStream` for a long signal) to get every event's
    envelope at once.

    Parameters
    ----------
    attack_s : float
        Rise time constant (s, >= 0, below ``decay_s``).
    decay_s : float
        Decay time constant (s, > 0): the envelope falls by ``e`` every ``decay_s``
        (60 dB in about ``6.9 * decay_s``).
    sample_rate : int
        Samples per second.

    Returns
    -------
    numpy.ndarray
        Second-order sections, shape ``(1, 6)``.

    Raises
    ------
    ParameterError
        If the time constants are out of range.

    Examples
    --------
    >>> from scipy.signal import sosfilt
    >>> x = np.zeros(4800); x[0] = 1.0
    >>> env = sosfilt(attack_decay_sos(0.002, 0.02, 48000), x)
    >>> round(float(env.max()), 6), 0 < int(np.argmax(env)) < 480
    (1.0, True)
    """
    if not 0.0 <= attack_s < decay_s:
        raise ParameterError(f"attack_s must be in [0, decay_s), got {attack_s} and decay_s {decay_s}")
    pole_d = np.exp(-1.0 / (decay_s * sample_rate))
    if attack_s * sample_rate < 1.0:
        return np.array([[1.0, 0.0, 0.0, 1.0, -pole_d, 0.0]])
    pole_a = np.exp(-1.0 / (attack_s * sample_rate))
    # h[n] = pole_d**n - pole_a**n; find its peak sample to scale it to 1
    n_peak = np.log(np.log(pole_a) / np.log(pole_d)) / np.log(pole_d / pole_a)
    around = np.array([np.floor(n_peak), np.ceil(n_peak)])
    peak = float(np.max(pole_d**around - pole_a**around))
    return np.array([[0.0, (pole_d - pole_a) / peak, 0.0, 1.0, -(pole_d + pole_a), pole_d * pole_a]])
