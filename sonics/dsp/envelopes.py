"""Envelopes and levels: decays, AD/ADSR, swells, fades, control curves, dB, peak level.

Envelopes are float64 arrays of one gain per sample. Decays are given as T60 (seconds
to fall 60 dB), the time a sound designer reads off a meter. :func:`finish` is the last
step of every generator: remove DC, fade the tail to zero and set the peak level.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from sonics.core.errors import ParameterError
from sonics.dsp.filters import dc_block

__all__ = [
    "ad_envelope",
    "adsr_envelope",
    "control_to_samples",
    "db_to_gain",
    "even_level",
    "exp_decay",
    "fade",
    "finish",
    "gain_to_db",
    "interpolate_grid",
    "normalize_peak",
    "sample_times",
    "swell",
]

_LN_1000 = np.log(1000.0)  # 60 dB of amplitude


def db_to_gain(db: float | np.ndarray) -> float | np.ndarray:
    """Return the linear amplitude gain of ``db`` decibels (``10 ** (db / 20)``).

    Examples
    --------
    >>> round(db_to_gain(-6.0), 6)
    0.501187
    """
    return 10.0 ** (np.asarray(db, dtype=np.float64) / 20.0) if np.ndim(db) else 10.0 ** (float(db) / 20.0)


def gain_to_db(gain: float | np.ndarray, *, floor_db: float = -200.0) -> float | np.ndarray:
    """Return ``20 * log10(|gain|)`` in dB, never below ``floor_db``.

    Examples
    --------
    >>> round(gain_to_db(0.5), 3)
    -6.021
    """
    g = np.maximum(np.abs(np.asarray(gain, dtype=np.float64)), 10.0 ** (floor_db / 20.0))
    db = 20.0 * np.log10(g)
    return db if np.ndim(gain) else float(db)


def _check_n(n_samples: int) -> int:
    if isinstance(n_samples, bool) or int(n_samples) != n_samples or n_samples < 1:
        raise ParameterError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    return int(n_samples)


def sample_times(n_samples: int, sample_rate: float) -> np.ndarray:
    """Return the time of each of ``n_samples`` samples, ``k / sample_rate`` (s), float64.

    The same values as ``np.arange(n_samples) / sample_rate``, made several times faster:
    numpy divides an integer array by a float through a slow conversion.

    Examples
    --------
    >>> sample_times(3, 4.0).tolist()
    [0.0, 0.25, 0.5]
    """
    return np.arange(n_samples, dtype=np.float64) / sample_rate


def exp_decay(n_samples: int, sample_rate: int, *, t60_s: float | np.ndarray) -> np.ndarray:
    """Return an exponential decay from 1 that falls 60 dB in ``t60_s`` seconds.

    Parameters
    ----------
    n_samples : int
        Length in samples (>= 1).
    sample_rate : int
        Samples per second.
    t60_s : float or numpy.ndarray
        Decay time to -60 dB (s, > 0). An array of shape ``(k, 1)`` gives ``k`` decays.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)`` (or broadcast with ``t60_s``), float64.

    Examples
    --------
    >>> env = exp_decay(48001, 48000, t60_s=1.0)
    >>> round(float(env[-1]), 6)
    0.001
    """
    t60 = np.asarray(t60_s, dtype=np.float64)
    if np.any(t60 <= 0):
        raise ParameterError(f"t60_s must be > 0, got {t60_s}")
    t = sample_times(_check_n(n_samples), sample_rate)
    return np.exp(-_LN_1000 * t / t60)


def ad_envelope(n_samples: int, sample_rate: int, *, attack_s: float, t60_s: float) -> np.ndarray:
    """Return a rise from 0 to 1 over ``attack_s`` (half-cosine), then an exponential decay.

    Parameters
    ----------
    n_samples : int
        Length in samples (>= 1).
    sample_rate : int
        Samples per second.
    attack_s : float
        Rise time (s, >= 0); 0 starts at full level.
    t60_s : float
        Decay time to -60 dB after the attack (s, > 0).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)``, float64, maximum 1.

    Examples
    --------
    >>> env = ad_envelope(4800, 48000, attack_s=0.01, t60_s=0.05)
    >>> int(np.argmax(env))
    480
    """
    if attack_s < 0 or t60_s <= 0:
        raise ParameterError(f"attack_s must be >= 0 and t60_s > 0, got {attack_s} and {t60_s}")
    n = _check_n(n_samples)
    # the decay in single precision, in samples: its exp is four times cheaper, and a gain is
    # exact to ~1e-7 (-140 dB) that way
    decay = np.arange(n, dtype=np.float32)
    decay -= np.float32(attack_s * sample_rate)
    np.maximum(decay, np.float32(0.0), out=decay)
    decay *= np.float32(-_LN_1000 / (t60_s * sample_rate))
    decay = np.exp(decay, out=decay).astype(np.float64)
    if attack_s == 0:
        return decay
    # the rise is 1 from the end of the attack on: shape only the samples before it
    t = sample_times(min(n, int(attack_s * sample_rate) + 2), sample_rate)
    n_rise = int(np.searchsorted(t, attack_s))
    decay[:n_rise] *= 0.5 - 0.5 * np.cos(np.pi * (t[:n_rise] / attack_s))
    return decay


def adsr_envelope(
    n_samples: int,
    sample_rate: int,
    *,
    attack_s: float,
    decay_s: float,
    sustain: float,
    release_s: float,
) -> np.ndarray:
    """Return a linear attack-decay-sustain-release envelope that ends at 0 on the last sample.

    Parameters
    ----------
    n_samples : int
        Length in samples (>= 1); the release occupies its last ``release_s``.
    sample_rate : int
        Samples per second.
    attack_s, decay_s, release_s : float
        Segment lengths (s, >= 0).
    sustain : float
        Level held between decay and release (0..1).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)``, float64.

    Examples
    --------
    >>> env = adsr_envelope(480, 48000, attack_s=0.001, decay_s=0.002, sustain=0.5, release_s=0.002)
    >>> float(env[200]), float(env[-1])
    (0.5, 0.0)
    """
    if min(attack_s, decay_s, release_s) < 0 or not 0.0 <= sustain <= 1.0:
        raise ParameterError("adsr times must be >= 0 s and sustain in [0, 1]")
    n = _check_n(n_samples)
    t = sample_times(n, sample_rate)
    end_s = (n - 1) / sample_rate
    knots_t = [0.0, attack_s, attack_s + decay_s, max(end_s - release_s, attack_s + decay_s), end_s]
    knots_v = [0.0 if attack_s > 0 else 1.0, 1.0, sustain, sustain, 0.0 if release_s > 0 else sustain]
    return np.interp(t, np.maximum.accumulate(knots_t), knots_v)


def swell(n_samples: int, sample_rate: int, *, peak_s: float, rise_s: float, fall_s: float) -> np.ndarray:
    """Return a smooth bump: 0 → 1 at ``peak_s`` → 0 (raised-cosine rise and fall).

    Parameters
    ----------
    n_samples : int
        Length in samples (>= 1).
    sample_rate : int
        Samples per second.
    peak_s : float
        Time of the maximum (s).
    rise_s, fall_s : float
        Lengths of the rise before and the fall after the peak (s, > 0). Outside
        ``[peak_s - rise_s, peak_s + fall_s]`` the bump is 0.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)``, float64 in ``[0, 1]``.

    Examples
    --------
    >>> env = swell(48000, 48000, peak_s=0.6, rise_s=0.5, fall_s=0.3)
    >>> int(np.argmax(env)), float(env[0])
    (28800, 0.0)
    """
    if rise_s <= 0 or fall_s <= 0:
        raise ParameterError(f"rise_s and fall_s must be > 0, got {rise_s} and {fall_s}")
    t = sample_times(_check_n(n_samples), sample_rate) - peak_s
    phase = np.where(t < 0, t / rise_s, t / fall_s)
    return np.where(np.abs(phase) < 1.0, 0.5 + 0.5 * np.cos(np.pi * np.clip(phase, -1.0, 1.0)), 0.0)


def fade(x: np.ndarray, sample_rate: int, *, in_s: float = 0.0, out_s: float = 0.005) -> np.ndarray:
    """Return ``x`` with raised-cosine fades: from 0 over ``in_s`` and to exactly 0 over ``out_s``.

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(..., samples)``.
    sample_rate : int
        Samples per second.
    in_s, out_s : float
        Fade lengths (s, >= 0); each is cut to the signal length.

    Returns
    -------
    numpy.ndarray
        A faded copy, float64.

    Examples
    --------
    >>> y = fade(np.ones(1000), 48000, in_s=0.001, out_s=0.001)
    >>> float(y[0]), float(y[500]), float(y[-1])
    (0.0, 1.0, 0.0)
    """
    if in_s < 0 or out_s < 0:
        raise ParameterError(f"fade lengths must be >= 0 s, got {in_s} and {out_s}")
    y = np.array(x, dtype=np.float64)
    _fade_in_place(y, sample_rate, in_s, out_s)
    return y


def _fade_in_place(y: np.ndarray, sample_rate: int, in_s: float, out_s: float) -> None:
    n = y.shape[-1]
    n_in, n_out = min(n, round(in_s * sample_rate)), min(n, round(out_s * sample_rate))
    if n_in > 0:
        y[..., :n_in] *= 0.5 - 0.5 * np.cos(np.pi * np.arange(n_in) / n_in)
    if n_out > 0:
        y[..., n - n_out :] *= 0.5 + 0.5 * np.cos(np.pi * np.arange(1, n_out + 1) / n_out)


def normalize_peak(x: np.ndarray, *, peak_db: float = -6.0) -> np.ndarray:
    """Return ``x`` scaled so that its largest magnitude is exactly ``peak_db`` dBFS.

    Parameters
    ----------
    x : numpy.ndarray
        Signal, any shape, not all zero.
    peak_db : float
        Target peak (dBFS, <= 0).

    Returns
    -------
    numpy.ndarray
        Scaled copy, float64.

    Raises
    ------
    ParameterError
        If ``x`` is silent or not finite.

    Examples
    --------
    >>> round(float(np.max(np.abs(normalize_peak(np.array([0.1, -0.2]), peak_db=-6.0)))), 6)
    0.501187
    """
    y = np.asarray(x, dtype=np.float64)
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if not np.isfinite(peak) or peak == 0.0:
        raise ParameterError(f"cannot normalise a silent or non-finite signal (peak {peak})")
    return y * (db_to_gain(peak_db) / peak)


def finish(
    x: np.ndarray,
    sample_rate: int,
    *,
    peak_db: float = -6.0,
    fade_in_s: float = 0.0,
    fade_out_s: float = 0.01,
    dc_cutoff_hz: float | None = 20.0,
) -> np.ndarray:
    """Return a generator's output ready to deliver: DC removed, faded, peak set, float32.

    The steps, in order: :func:`~sonics.dsp.filters.dc_block` at ``dc_cutoff_hz``
    (causal, so leading silence and onsets stay where they are), :func:`fade`, then
    :func:`normalize_peak` so the peak is exactly ``peak_db`` after conversion to float32.

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(samples,)`` or ``(channels, samples)``.
    sample_rate : int
        Samples per second.
    peak_db : float
        Peak level (dBFS, <= 0).
    fade_in_s, fade_out_s : float
        Fade lengths (s, >= 0). Hits keep ``fade_in_s = 0`` so their transient is intact.
    dc_cutoff_hz : float or None
        High-pass corner (Hz, > 0); ``None`` when the caller has already high-passed the
        signal (for instance a low layer at its internal rate, before upsampling).

    Returns
    -------
    numpy.ndarray
        Shape ``(channels, samples)``, float32.

    Examples
    --------
    >>> y = finish(np.random.default_rng(0).standard_normal(4800), 48000)
    >>> y.shape, y.dtype.name, round(float(np.max(np.abs(y))), 6)
    ((1, 4800), 'float32', 0.501187)
    """
    if fade_in_s < 0 or fade_out_s < 0:
        raise ParameterError(f"fade lengths must be >= 0 s, got {fade_in_s} and {fade_out_s}")
    y = np.atleast_2d(
        np.asarray(x, dtype=np.float64)
        if dc_cutoff_hz is None
        else dc_block(x, sample_rate, cutoff_hz=dc_cutoff_hz)
    )
    n = y.shape[-1]
    n_in, n_out = min(n, round(fade_in_s * sample_rate)), min(n, round(fade_out_s * sample_rate))
    if n_in + n_out > n:  # the fades overlap: fade a copy
        y = fade(y, sample_rate, in_s=fade_in_s, out_s=fade_out_s)
        n_in = n_out = 0
    # long signals: fade only copies of the two ends and write the scaled float32 result
    # directly, so the only full-length arrays are the high-pass output and the result
    head = y[..., :n_in] * (0.5 - 0.5 * np.cos(np.pi * np.arange(n_in) / max(n_in, 1)))
    tail = y[..., n - n_out :] * (0.5 + 0.5 * np.cos(np.pi * np.arange(1, n_out + 1) / max(n_out, 1)))
    body = y[..., n_in : n - n_out]
    peak = max(_magnitude(head), _magnitude(body), _magnitude(tail))
    if not np.isfinite(peak) or peak == 0.0:
        raise ParameterError(f"cannot normalise a silent or non-finite signal (peak {peak})")
    target = db_to_gain(peak_db)
    gain = target / peak
    out = np.empty(y.shape, dtype=np.float32)
    np.multiply(y, gain, out=out, casting="same_kind")
    out[..., :n_in] = head * gain
    out[..., n - n_out :] = tail * gain
    # float32 rounding can put the peak a hair off the target: set the largest sample exactly
    flat = out.reshape(-1)
    high, low = int(np.argmax(flat)), int(np.argmin(flat))
    largest = high if (flat[high], -low) >= (-flat[low], -high) else low  # the first of equal magnitudes
    flat[largest] = np.float32(np.sign(flat[largest]) * target)
    return out


def _magnitude(x: np.ndarray) -> float:
    """Largest absolute value (0 for an empty array; NaN if any sample is NaN)."""
    return max(float(x.max()), -float(x.min())) if x.size else 0.0


def even_level(
    x: np.ndarray,
    sample_rate: int,
    *,
    window_s: float = 0.01,
    envelope: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Return noise divided by its own short-term RMS, so that its level is flat.

    Random noise swells and dips by itself; a designed sound that must peak exactly where
    it is told (a whoosh, a flyby) takes its level only from its envelope. Multiply the
    result by that envelope, or pass it as ``envelope``. The RMS is measured over a
    centred window of ``window_s``, in steps of an eighth of it, and interpolated
    linearly in between.

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(samples,)``.
    sample_rate : int
        Samples per second.
    window_s : float
        Length of the centred RMS window (s, > 0).
    envelope : callable or None
        ``envelope(positions) -> levels``: a level to give the result, evaluated only at
        the centres of the RMS steps (sample positions, float64, shape ``(k,)``) and
        interpolated with the RMS, so the result costs one pass less than multiplying
        afterwards. For an envelope that is close to linear over a step (``window_s / 8``).

    Returns
    -------
    numpy.ndarray
        Same shape, float64, RMS about 1 (or ``envelope``) in every window (silence stays
        near silent: the divisor is never below 1/1000 of the loudest window).

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal(4800) * np.linspace(0.1, 2.0, 4800)
    >>> y = even_level(x, 48000)
    >>> 0.8 < float(np.std(y[:480])) < 1.2 and 0.8 < float(np.std(y[-480:])) < 1.2
    True
    """
    if window_s <= 0:
        raise ParameterError(f"window_s must be > 0, got {window_s}")
    data = np.asarray(x, dtype=np.float64)
    n = data.shape[-1]
    window = max(1, round(window_s * sample_rate))
    step = max(1, window // 8)
    n_steps = -(-n // step)
    whole = n // step
    energy = np.empty(n_steps)
    blocks = data[: whole * step].reshape(whole, step)
    energy[:whole] = np.einsum("ij,ij->i", blocks, blocks)  # no temporary the size of x
    if whole < n_steps:  # the last, partial step: padded with the edge sample ("nearest")
        tail = data[whole * step :]
        energy[whole] = float(tail @ tail) + (step - tail.size) * float(tail[-1]) ** 2
    # mean square over the window centred on each step, edges extended
    k = max(1, round(window / step))
    padded = np.concatenate([np.full(k // 2, energy[0]), energy, np.full(k - 1 - k // 2, energy[-1])])
    sums = np.cumsum(np.concatenate([[0.0], padded]))
    rms = np.sqrt(np.maximum(sums[k:] - sums[:-k], 0.0) / (k * step))
    divisor = np.maximum(rms, 1e-3 * float(rms.max()) + 1e-12)
    # the value of a step belongs to its centre; interpolate between centres
    if envelope is None:
        out = interpolate_grid(divisor, step, n, offset=step // 2)
        return np.divide(data, out, out=out)
    centres = step // 2 + step * np.arange(divisor.size, dtype=np.float64)
    out = interpolate_grid(
        np.asarray(envelope(centres), dtype=np.float64) / divisor, step, n, offset=step // 2
    )
    return np.multiply(data, out, out=out)


def interpolate_grid(values: np.ndarray, step: int, n_samples: int, *, offset: float = 0.0) -> np.ndarray:
    """Return values given every ``step`` samples, linearly interpolated at every sample.

    ``values[k]`` belongs to sample ``offset + k * step``; before the first and after the
    last point the end values are held. Much cheaper than :func:`numpy.interp` for this
    regular case (no search, a few passes over the output).

    Parameters
    ----------
    values : numpy.ndarray
        Control points, shape ``(k,)`` with ``k >= 1``.
    step : int
        Samples between control points (>= 1).
    n_samples : int
        Length of the result (>= 1).
    offset : float
        Sample position of ``values[0]`` (may be fractional).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)``, float64.

    Examples
    --------
    >>> interpolate_grid(np.array([0.0, 1.0, 3.0]), 2, 7).tolist()
    [0.0, 0.5, 1.0, 2.0, 3.0, 3.0, 3.0]
    """
    n = _check_n(n_samples)
    if isinstance(step, bool) or int(step) != step or step < 1:
        raise ParameterError(f"step must be an integer >= 1, got {step!r}")
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or v.size < 1:
        raise ParameterError(f"values must be a non-empty 1-D array, got shape {v.shape}")
    step = int(step)
    if float(offset) != round(offset) or offset < 0:
        return np.interp(np.arange(n), offset + step * np.arange(v.size), v)
    lead = round(offset)
    out = np.empty(n)
    out[: min(lead, n)] = v[0]
    if lead >= n:
        return out
    # whole segments between points k and k + 1: v[k] + (v[k+1] - v[k]) * j / step
    n_seg = min(v.size - 1, (n - lead) // step)
    if n_seg > 0:
        ramp = np.arange(step) / step
        seg = out[lead : lead + n_seg * step].reshape(n_seg, step)
        np.multiply(np.diff(v[: n_seg + 1])[:, np.newaxis], ramp, out=seg)
        seg += v[:n_seg, np.newaxis]
    rest = lead + n_seg * step
    if rest < n:  # a last partial segment, then the held end value
        j = np.arange(n - rest)
        if n_seg < v.size - 1:
            out[rest:] = v[n_seg] + (v[n_seg + 1] - v[n_seg]) * (j / step)
        else:
            out[rest:] = v[-1]
    return out


def control_to_samples(
    curve: Sequence[float] | np.ndarray, curve_rate_hz: float, n_samples: int, sample_rate: int
) -> np.ndarray:
    """Return a control curve (e.g. a 100 Hz motion envelope) as one value per sample.

    Linear interpolation between points at ``k / curve_rate_hz`` seconds; the last value
    is held past the end. An empty curve gives ones.

    Parameters
    ----------
    curve : sequence of float
        Control values (any range; usually 0..1).
    curve_rate_hz : float
        Points per second (> 0).
    n_samples : int
        Length of the result in samples (>= 1).
    sample_rate : int
        Samples per second.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)``, float64.

    Examples
    --------
    >>> control_to_samples([0.0, 1.0], 100.0, 5, 400).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    n = _check_n(n_samples)
    values = np.asarray(curve, dtype=np.float64)
    if values.size == 0:
        return np.ones(n)
    if curve_rate_hz <= 0:
        raise ParameterError(f"curve_rate_hz must be > 0, got {curve_rate_hz}")
    return np.interp(sample_times(n, sample_rate), np.arange(values.size) / curve_rate_hz, values)
