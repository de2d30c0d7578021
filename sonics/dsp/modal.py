"""Modal synthesis: a struck or rubbed object as a bank of exponentially decaying sinusoids.

Each mode has a frequency, a decay time (T60) and an amplitude. :func:`modal_bank` gives
the bank's response to a strike (its impulse response, computed directly);
:func:`modal_filter` runs any excitation (friction noise, a burst) through the same bank
of two-pole resonators. :data:`BAR_RATIOS` are the inharmonic mode ratios of a free-free
bar (a blade, a bar chime), the template for metal.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from sonics.core.errors import ParameterError

__all__ = ["BAR_RATIOS", "modal_bank", "modal_filter"]

BAR_RATIOS: tuple[float, ...] = (1.0, 2.756, 5.404, 8.933, 13.344, 18.637, 24.812)
"""Mode frequencies of a free-free uniform bar relative to its first mode."""

_LN_1000 = np.log(1000.0)
_FLOOR = 1e-5  # a mode is computed until it has fallen 100 dB
_FFT_MODES = 8  # from this many modes, modal_filter convolves with the bank's response


def _modes(
    freqs_hz: np.ndarray, t60_s: np.ndarray, amps: np.ndarray, sample_rate: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    f, t60, a = (np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (freqs_hz, t60_s, amps))
    try:
        f, t60, a = np.broadcast_arrays(f, t60, a)
    except ValueError as exc:
        raise ParameterError(f"freqs_hz, t60_s and amps must have matching shapes: {exc}") from None
    if f.ndim != 1:
        raise ParameterError(f"modes must be 1-D arrays, got shape {f.shape}")
    if np.any(f <= 0) or np.any(t60 <= 0):
        raise ParameterError("mode frequencies and t60_s must be > 0")
    keep = f < 0.49 * sample_rate  # modes above Nyquist would alias: drop them
    return f[keep], t60[keep], a[keep], np.flatnonzero(keep)


def modal_bank(
    freqs_hz: np.ndarray,
    t60_s: np.ndarray,
    amps: np.ndarray,
    n_samples: int,
    sample_rate: int,
    *,
    phases: np.ndarray | None = None,
) -> np.ndarray:
    """Return the sum of decaying sinusoids ``a_k * exp(-t ln(1000) / T60_k) * sin(2 pi f_k t + phi_k)``.

    Each mode is computed only until it has decayed 100 dB, so many short high modes
    cost little. Modes at or above ``0.49 * sample_rate`` are dropped.

    Parameters
    ----------
    freqs_hz : numpy.ndarray
        Mode frequencies (Hz, > 0), shape ``(k,)``.
    t60_s : numpy.ndarray or float
        Decay times to -60 dB (s, > 0), broadcast to ``(k,)``.
    amps : numpy.ndarray or float
        Initial amplitudes, broadcast to ``(k,)``.
    n_samples : int
        Length in samples (>= 1).
    sample_rate : int
        Samples per second.
    phases : numpy.ndarray or None
        Start phases (radians), shape ``(k,)``; ``None`` starts every mode at 0 (sine
        phase, so the sound starts from zero without a click).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)``, float64.

    Raises
    ------
    ParameterError
        If shapes do not match or a frequency or decay is not positive.

    Examples
    --------
    >>> x = modal_bank(np.array([440.0, 1213.0]), np.array([1.0, 0.4]), 1.0, 48000, 48000)
    >>> x.shape, float(x[0])
    ((48000,), 0.0)
    """
    if isinstance(n_samples, bool) or int(n_samples) != n_samples or n_samples < 1:
        raise ParameterError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    f, t60, a, kept = _modes(freqs_hz, t60_s, amps, sample_rate)
    phi = np.zeros(f.shape)
    if phases is not None:
        all_phases = np.atleast_1d(np.asarray(phases, dtype=np.float64))
        if all_phases.shape != np.atleast_1d(np.asarray(freqs_hz)).shape:
            raise ParameterError(f"phases must have the shape of freqs_hz, got {all_phases.shape}")
        phi = all_phases[kept]
    out = np.zeros(int(n_samples))
    rates = _LN_1000 / t60
    for k in range(f.size):
        if a[k] == 0:
            continue
        length = min(
            int(n_samples), int(np.ceil(np.log(abs(a[k]) / _FLOOR + 1.0) / rates[k] * sample_rate)) + 1
        )
        # a * r**n * sin(w n + phi) is the imaginary part of a running product: a complex
        # cumulative product is exact to ~1e-11 here and several times faster than exp * sin
        steps = np.full(length, np.exp(complex(-rates[k] / sample_rate, 2.0 * np.pi * f[k] / sample_rate)))
        steps[0] = a[k] * np.exp(1j * phi[k])
        out[:length] += np.cumprod(steps).imag
    return out


def modal_filter(
    x: np.ndarray, freqs_hz: np.ndarray, t60_s: np.ndarray, amps: np.ndarray, sample_rate: int
) -> np.ndarray:
    """Return ``x`` through a parallel bank of two-pole resonators, one per mode.

    Mode ``k``'s impulse response is ``a_k * exp(-t ln(1000) / T60_k) * sin(2 pi f_k t)``,
    the same as one mode of :func:`modal_bank`: an impulse in gives the struck sound,
    noise in gives a rubbed or scraped one. From eight modes on, the bank runs as one FFT
    convolution with its impulse response (each mode cut 100 dB down), which is faster.

    Parameters
    ----------
    x : numpy.ndarray
        Excitation, shape ``(..., samples)``.
    freqs_hz : numpy.ndarray
        Mode frequencies (Hz, > 0), shape ``(k,)``.
    t60_s : numpy.ndarray or float
        Decay times to -60 dB (s, > 0), broadcast to ``(k,)``.
    amps : numpy.ndarray or float
        Mode gains, broadcast to ``(k,)``.
    sample_rate : int
        Samples per second.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``, float64.

    Examples
    --------
    >>> impulse = np.zeros(1000); impulse[0] = 1.0
    >>> y = modal_filter(impulse, np.array([1000.0]), 0.5, 1.0, 48000)
    >>> bool(np.allclose(y, modal_bank(np.array([1000.0]), 0.5, 1.0, 1000, 48000)))
    True
    """
    f, t60, a, _ = _modes(freqs_hz, t60_s, amps, sample_rate)
    data = np.asarray(x, dtype=np.float64)
    if f.size >= _FFT_MODES and data.shape[-1] > 0:
        # many modes: one FFT convolution with the bank's impulse response (each mode
        # computed until it is 100 dB down) is cheaper than a recursive filter per mode
        longest = (
            int(np.ceil(np.log(np.max(np.abs(a)) / _FLOOR + 1.0) * np.max(t60) / _LN_1000 * sample_rate)) + 1
        )
        impulse_response = modal_bank(f, t60, a, longest, sample_rate)
        shape = (1,) * (data.ndim - 1) + (impulse_response.size,)
        return signal.fftconvolve(data, impulse_response.reshape(shape), axes=-1)[..., : data.shape[-1]]
    r = np.exp(-_LN_1000 / (t60 * sample_rate))
    w = 2.0 * np.pi * f / sample_rate
    out = np.zeros_like(data)
    for k in range(f.size):
        if a[k] == 0:
            continue
        sos = np.array([[0.0, a[k] * r[k] * np.sin(w[k]), 0.0, 1.0, -2.0 * r[k] * np.cos(w[k]), r[k] ** 2]])
        out += signal.sosfilt(sos, data, axis=-1)
    return out
