"""Filters: fixed Butterworth low/high/band-pass, resonators, DC blocking, moving filters.

Fixed filters are Butterworth second-order sections run with :func:`scipy.signal.sosfilt`
(causal, so a signal that starts from silence keeps its leading zeros). A moving filter
(:func:`time_varying_filter`) recomputes an RBJ biquad every short block and carries the
filter state across blocks. The ``*_response`` functions give analytic magnitudes for
shaping spectra directly (see :func:`sonics.dsp.noise.spectral_noise`). All functions
filter along the last axis and return float64.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from sonics.core.errors import ParameterError

__all__ = [
    "bandpass",
    "bandpass_response",
    "dc_block",
    "highpass",
    "lowpass",
    "lowpass_response",
    "resonator",
    "time_varying_filter",
]

_KINDS = ("lowpass", "highpass", "bandpass")


def _check_freq(name: str, freq_hz: float, sample_rate: int) -> float:
    if not 0.0 < freq_hz < sample_rate / 2:
        raise ParameterError(f"{name} must be in (0, {sample_rate / 2:g}) Hz, got {freq_hz}")
    return float(freq_hz)


def _sosfilt(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    return signal.sosfilt(sos, np.asarray(x, dtype=np.float64), axis=-1)


def lowpass(x: np.ndarray, cutoff_hz: float, sample_rate: int, *, order: int = 2) -> np.ndarray:
    """Return ``x`` through a Butterworth low-pass (-3 dB at ``cutoff_hz``).

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(..., samples)``.
    cutoff_hz : float
        Cutoff frequency (Hz, in ``(0, sample_rate / 2)``).
    sample_rate : int
        Samples per second.
    order : int
        Filter order (>= 1); the slope is ``6 * order`` dB per octave.

    Returns
    -------
    numpy.ndarray
        Filtered signal, same shape, float64.

    Raises
    ------
    ParameterError
        If ``cutoff_hz`` is outside ``(0, sample_rate / 2)``.

    Examples
    --------
    >>> y = lowpass(np.ones(4800), 100.0, 48000)
    >>> round(float(y[-1]), 3)
    1.0
    """
    wn = _check_freq("cutoff_hz", cutoff_hz, sample_rate)
    return _sosfilt(signal.butter(order, wn, "lowpass", fs=sample_rate, output="sos"), x)


def highpass(x: np.ndarray, cutoff_hz: float, sample_rate: int, *, order: int = 2) -> np.ndarray:
    """Return ``x`` through a Butterworth high-pass (-3 dB at ``cutoff_hz``).

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(..., samples)``.
    cutoff_hz : float
        Cutoff frequency (Hz, in ``(0, sample_rate / 2)``).
    sample_rate : int
        Samples per second.
    order : int
        Filter order (>= 1).

    Returns
    -------
    numpy.ndarray
        Filtered signal, same shape, float64.

    Raises
    ------
    ParameterError
        If ``cutoff_hz`` is outside ``(0, sample_rate / 2)``.

    Examples
    --------
    >>> y = highpass(np.ones(48000), 20.0, 48000)
    >>> abs(float(y[-1])) < 1e-3
    True
    """
    wn = _check_freq("cutoff_hz", cutoff_hz, sample_rate)
    return _sosfilt(signal.butter(order, wn, "highpass", fs=sample_rate, output="sos"), x)


def bandpass(x: np.ndarray, low_hz: float, high_hz: float, sample_rate: int, *, order: int = 2) -> np.ndarray:
    """Return ``x`` through a Butterworth band-pass between ``low_hz`` and ``high_hz``.

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(..., samples)``.
    low_hz, high_hz : float
        Band edges (Hz, ``0 < low_hz < high_hz < sample_rate / 2``).
    sample_rate : int
        Samples per second.
    order : int
        Order of each edge (>= 1).

    Returns
    -------
    numpy.ndarray
        Filtered signal, same shape, float64.

    Raises
    ------
    ParameterError
        If the band is empty or outside ``(0, sample_rate / 2)``.

    Examples
    --------
    >>> bandpass(np.zeros(10), 200.0, 2000.0, 48000).shape
    (10,)
    """
    lo = _check_freq("low_hz", low_hz, sample_rate)
    hi = _check_freq("high_hz", high_hz, sample_rate)
    if lo >= hi:
        raise ParameterError(f"low_hz must be below high_hz, got {low_hz} and {high_hz}")
    return _sosfilt(signal.butter(order, [lo, hi], "bandpass", fs=sample_rate, output="sos"), x)


def dc_block(x: np.ndarray, sample_rate: int, *, cutoff_hz: float = 20.0) -> np.ndarray:
    """Remove DC and subsonic drift with a second-order high-pass at ``cutoff_hz``.

    Causal: leading silence stays exactly zero, so onsets do not move.

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(..., samples)``.
    sample_rate : int
        Samples per second.
    cutoff_hz : float
        Corner frequency (Hz, > 0).

    Returns
    -------
    numpy.ndarray
        Filtered signal, same shape, float64.

    Examples
    --------
    >>> y = dc_block(np.full(48000, 0.5), 48000)
    >>> abs(float(y[-1])) < 1e-3
    True
    """
    return highpass(x, cutoff_hz, sample_rate, order=2)


def _rbj_sos(kind: str, freq_hz: np.ndarray, q: np.ndarray, sample_rate: int) -> np.ndarray:
    """RBJ cookbook biquads, one row ``[b0, b1, b2, 1, a1, a2]`` per frequency."""
    w0 = 2.0 * np.pi * freq_hz / sample_rate
    cos_w, alpha = np.cos(w0), np.sin(w0) / (2.0 * q)
    ones = np.ones_like(w0)
    if kind == "lowpass":
        b = np.stack([(1 - cos_w) / 2, 1 - cos_w, (1 - cos_w) / 2], axis=-1)
    elif kind == "highpass":
        b = np.stack([(1 + cos_w) / 2, -(1 + cos_w), (1 + cos_w) / 2], axis=-1)
    else:  # band-pass with 0 dB at the centre
        b = np.stack([alpha, 0 * ones, -alpha], axis=-1)
    a = np.stack([1 + alpha, -2 * cos_w, 1 - alpha], axis=-1)
    return np.concatenate([b, a], axis=-1) / a[..., :1]


def resonator(x: np.ndarray, centre_hz: float, q: float, sample_rate: int) -> np.ndarray:
    """Return ``x`` through a two-pole band-pass with 0 dB gain at ``centre_hz``.

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(..., samples)``.
    centre_hz : float
        Centre frequency (Hz, in ``(0, sample_rate / 2)``).
    q : float
        Quality factor (> 0): centre frequency over -3 dB bandwidth.
    sample_rate : int
        Samples per second.

    Returns
    -------
    numpy.ndarray
        Filtered signal, same shape, float64.

    Raises
    ------
    ParameterError
        If ``centre_hz`` or ``q`` is out of range.

    Examples
    --------
    >>> resonator(np.zeros(8), 1000.0, 4.0, 48000).shape
    (8,)
    """
    fc = _check_freq("centre_hz", centre_hz, sample_rate)
    if q <= 0:
        raise ParameterError(f"q must be > 0, got {q}")
    sos = _rbj_sos("bandpass", np.array([fc]), np.array([float(q)]), sample_rate)
    return _sosfilt(sos, x)


def time_varying_filter(
    x: np.ndarray,
    sample_rate: int,
    *,
    kind: str,
    freq_hz: float | np.ndarray,
    q: float | np.ndarray = 0.7071,
    block_size: int = 128,
) -> np.ndarray:
    """Return ``x`` through a biquad whose frequency and Q move over time.

    The RBJ low-pass, high-pass or band-pass (0 dB at the centre) is recomputed every
    ``block_size`` samples from the values at the block's centre; the filter state is
    carried across blocks, so a smooth trajectory gives a smooth output.

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(samples,)`` or ``(channels, samples)``.
    sample_rate : int
        Samples per second.
    kind : str
        ``"lowpass"``, ``"highpass"`` or ``"bandpass"``.
    freq_hz : float or numpy.ndarray
        Cutoff or centre frequency (Hz): a constant or one value per sample. Values are
        clipped to ``[10, 0.45 * sample_rate]``.
    q : float or numpy.ndarray
        Quality factor (> 0): a constant or one value per sample.
    block_size : int
        Samples between coefficient updates (16..4096).

    Returns
    -------
    numpy.ndarray
        Filtered signal, same shape as ``x``, float64.

    Raises
    ------
    ParameterError
        If ``kind`` is unknown, ``block_size`` out of range or an array has the wrong length.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal(4800)
    >>> sweep = np.linspace(500.0, 5000.0, 4800)
    >>> time_varying_filter(x, 48000, kind="bandpass", freq_hz=sweep, q=2.0).shape
    (4800,)
    """
    if kind not in _KINDS:
        raise ParameterError(f"kind must be one of {', '.join(_KINDS)}, got {kind!r}")
    if not 16 <= block_size <= 4096:
        raise ParameterError(f"block_size must be in [16, 4096], got {block_size}")
    data = np.asarray(x, dtype=np.float64)
    n = data.shape[-1]
    centres = np.minimum(np.arange(0, n, block_size) + block_size // 2, n - 1)

    def at_centres(name: str, value: float | np.ndarray) -> np.ndarray:
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim == 0:
            return np.full(centres.shape, float(arr))
        if arr.shape != (n,):
            raise ParameterError(f"{name} must be a number or have shape ({n},), got {arr.shape}")
        return arr[centres]

    freqs = np.clip(at_centres("freq_hz", freq_hz), 10.0, 0.45 * sample_rate)
    qs = at_centres("q", q)
    if np.any(qs <= 0):
        raise ParameterError("q must be > 0")
    sos = _rbj_sos(kind, freqs, qs, sample_rate)
    out = np.empty_like(data)
    zi = np.zeros((1, *data.shape[:-1], 2))
    for k, start in enumerate(range(0, n, block_size)):
        block = data[..., start : start + block_size]
        out[..., start : start + block_size], zi = signal.sosfilt(sos[k : k + 1], block, axis=-1, zi=zi)
    return out


def bandpass_response(
    freqs_hz: np.ndarray, centre_hz: np.ndarray | float, q: np.ndarray | float
) -> np.ndarray:
    """Return the magnitude of a two-pole band-pass (0 dB at the centre) at ``freqs_hz``.

    ``|H(f)| = 1 / sqrt(1 + q**2 * (f / fc - fc / f)**2)``; arguments broadcast.

    Parameters
    ----------
    freqs_hz : numpy.ndarray
        Frequencies (Hz, >= 0).
    centre_hz : float or numpy.ndarray
        Centre frequency (Hz, > 0).
    q : float or numpy.ndarray
        Quality factor (> 0).

    Returns
    -------
    numpy.ndarray
        Linear magnitude in ``[0, 1]``.

    Examples
    --------
    >>> float(bandpass_response(np.array(1000.0), 1000.0, 5.0))
    1.0
    """
    f = np.maximum(np.asarray(freqs_hz, dtype=np.float64), 1e-9)
    fc = np.asarray(centre_hz, dtype=np.float64)
    return 1.0 / np.sqrt(1.0 + np.asarray(q, dtype=np.float64) ** 2 * (f / fc - fc / f) ** 2)


def lowpass_response(freqs_hz: np.ndarray, cutoff_hz: np.ndarray | float, *, order: int = 2) -> np.ndarray:
    """Return the magnitude of a Butterworth low-pass of ``order`` at ``freqs_hz``.

    ``|H(f)| = 1 / sqrt(1 + (f / fc)**(2 * order))``; arguments broadcast.

    Parameters
    ----------
    freqs_hz : numpy.ndarray
        Frequencies (Hz, >= 0).
    cutoff_hz : float or numpy.ndarray
        -3 dB frequency (Hz, > 0).
    order : int
        Filter order (>= 1).

    Returns
    -------
    numpy.ndarray
        Linear magnitude in ``[0, 1]``.

    Examples
    --------
    >>> round(float(lowpass_response(np.array(1000.0), 1000.0)), 4)
    0.7071
    """
    ratio = np.asarray(freqs_hz, dtype=np.float64) / np.asarray(cutoff_hz, dtype=np.float64)
    return 1.0 / np.sqrt(1.0 + ratio ** (2 * order))
