"""Modal synthesis: a struck or rubbed object as a bank of exponentially decaying sinusoids.

Each mode has a frequency, a decay time (T60) and an amplitude. :func:`modal_bank` gives
the bank's response to a strike (its impulse response, computed directly);
:func:`modal_filter` runs any excitation (friction noise, a burst) through the same bank
of two-pole resonators. :data:`BAR_RATIOS` are the inharmonic mode ratios of a free-free
bar (a blade, a bar chime), the template for metal; :data:`MEMBRANE_RATIOS` those of a
circular membrane (a drum head). A struck body whose pitch falls
(a drum skin, a thump) is one sinusoid with an exponential glide: :func:`glide_cycles`
integrates its frequency in closed form and :func:`sin_cycles` sounds it.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
from scipy import signal

from sonics.core.errors import ParameterError
from sonics.dsp.filters import pole_radius, ring_samples

__all__ = ["BAR_RATIOS", "MEMBRANE_RATIOS", "glide_cycles", "modal_bank", "modal_filter", "sin_cycles"]

BAR_RATIOS: tuple[float, ...] = (1.0, 2.756, 5.404, 8.933, 13.344, 18.637, 24.812)
"""Mode frequencies of a free-free uniform bar relative to its first mode."""

MEMBRANE_RATIOS: tuple[float, ...] = (
    1.0, 1.594, 2.136, 2.296, 2.653, 2.918, 3.156, 3.501, 3.6, 4.06, 4.601, 5.131, 5.65, 6.2,
)  # fmt: skip
"""Mode frequencies of an ideal circular membrane relative to its fundamental (0,1) mode
(the zeros of the Bessel functions; Fletcher & Rossing, *The Physics of Musical Instruments*, ch. 18)."""

_LN_1000 = np.log(1000.0)
_FLOOR = 1e-5  # a mode is computed until it has fallen 100 dB
_FFT_MODES = 8  # from this many modes, modal_filter convolves with the bank's response
_BLOCK = 128  # modal_bank evaluates the modes in blocks of this many samples
_RUN = 32  # and this many blocks per matrix product (modes that have died drop out between runs)


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
    sos: np.ndarray | None = None,
) -> np.ndarray:
    """Return the sum of decaying sinusoids ``a_k * exp(-t ln(1000) / T60_k) * sin(2 pi f_k t + phi_k)``.

    Each mode is computed until it has decayed at least 100 dB (to the end of the run of
    blocks it dies in), so many short high modes cost little. The modes are evaluated
    together, block by block, as matrix products of exactly computed complex exponentials.
    Modes at or above ``0.49 * sample_rate`` are dropped.

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
    sos : numpy.ndarray or None
        Second-order sections ``(n_sections, 6)`` of a fixed, stable filter (a body, a DC
        block) the bank is heard through. Each mode then takes the filter's complex gain
        at its own decaying frequency (its exact forced response), and the samples until
        the filter's own ring has died away (200 dB) are the filter run on the bank: the
        filtered bank to float precision, for the cost of filtering only its start.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)``, float64.

    Raises
    ------
    ParameterError
        If shapes do not match, a frequency or decay is not positive, or the filter is
        not stable.

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
    n = int(n_samples)
    out = np.zeros(-(-n // _BLOCK) * _BLOCK)
    live = a != 0
    f, t60, a, phi = f[live], t60[live], a[live], phi[live]
    if f.size == 0:
        return out[:n]
    rates = _LN_1000 / t60
    # mode k at sample m is Im(c_k z_k^m): c_k = a_k e^{i phi_k}, z_k = exp(-rate_k / sr + 2 pi i f_k / sr)
    log_z = (-rates + 2j * np.pi * f) / sample_rate
    initial = a * np.exp(1j * phi)
    if sos is not None:  # through a filter H: its forced response to the mode is Im(H(z_k) c_k z_k^m)
        sections = _stable_sections(sos)
        initial = initial * _response(sections, np.exp(log_z))
    lengths = np.minimum(
        n, np.ceil(np.log(np.abs(initial) / _FLOOR + 1.0) / rates * sample_rate).astype(np.int64) + 1
    )
    order = np.argsort(-lengths, kind="stable")  # longest first: the modes alive at a time are a prefix
    lengths, log_z, initial = lengths[order], log_z[order], initial[order]
    # in blocks, m = b * B + j: Im(start[b, k] * within[k, j]) = Re(start) Im(within) + Im(start)
    # Re(within), one real matrix product per run of blocks: the complex starts seen as float
    # pairs (re, im) against the rows (Im, Re) of each mode. Every factor is computed directly,
    # a run's start as z^(first B) times z^(b B) within the run (no running product, no drift)
    within = np.exp(log_z[:, np.newaxis] * np.arange(_BLOCK))
    rows = np.stack([within.imag, within.real], axis=1)  # (k, 2, B): a prefix of modes is contiguous
    steps = np.exp(np.arange(_RUN)[:, np.newaxis] * _BLOCK * log_z)  # (RUN, k)
    blocks = out.reshape(-1, _BLOCK)
    for first in range(0, blocks.shape[0], _RUN):
        alive = int(np.count_nonzero(lengths > first * _BLOCK))  # each mode stops once 100 dB down
        if alive == 0:
            break
        count = min(_RUN, blocks.shape[0] - first)
        start = steps[:count, :alive] * (initial[:alive] * np.exp(first * _BLOCK * log_z[:alive]))
        np.matmul(
            start.view(np.float64), rows[:alive].reshape(2 * alive, _BLOCK), out=blocks[first : first + count]
        )
    if sos is not None:  # the filter's own ring, excited at the onset, dies within its first samples
        head = min(n, ring_samples(sections))
        out[:head] = signal.sosfilt(
            sections, modal_bank(freqs_hz, t60_s, amps, head, sample_rate, phases=phases)
        )
    return out[:n]


def _stable_sections(sos: np.ndarray) -> np.ndarray:
    """Return ``sos`` as float64 sections, checked: the right shape, every pole inside the unit circle."""
    sections = np.atleast_2d(np.asarray(sos, dtype=np.float64))
    if sections.ndim != 2 or sections.shape[1] != 6 or np.any(sections[:, 3] == 0):
        raise ParameterError(f"sos must have shape (n_sections, 6) with a0 != 0, got {sections.shape}")
    if pole_radius(sections) >= 1.0:
        raise ParameterError("sos must be a stable filter (every pole inside the unit circle)")
    return sections


def _response(sections: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Return the cascade's transfer function ``H(z)`` at complex points ``z``."""
    inverse = 1.0 / z
    gain = np.ones(z.shape, dtype=np.complex128)
    for b0, b1, b2, a0, a1, a2 in sections:
        gain *= (b0 + inverse * (b1 + inverse * b2)) / (a0 + inverse * (a1 + inverse * a2))
    return gain


def modal_filter(
    x: np.ndarray, freqs_hz: np.ndarray, t60_s: np.ndarray, amps: np.ndarray, sample_rate: int
) -> np.ndarray:
    """Return ``x`` through a parallel bank of two-pole resonators, one per mode.

    Mode ``k``'s impulse response is ``a_k * exp(-t ln(1000) / T60_k) * sin(2 pi f_k t)``,
    the same as one mode of :func:`modal_bank`: an impulse in gives the struck sound,
    noise in gives a rubbed or scraped one. From eight modes on, the bank runs as one FFT
    convolution (single precision) with its impulse response (each mode cut 100 dB down),
    which is faster.

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
        # (the output's first n samples need no more than n samples of the response),
        # in single precision: its rounding is ~1e-7 of the peak, far below hearing
        n = data.shape[-1]
        longest = (
            int(np.ceil(np.log(np.max(np.abs(a)) / _FLOOR + 1.0) * np.max(t60) / _LN_1000 * sample_rate)) + 1
        )
        impulse_response = modal_bank(f, t60, a, min(n, longest), sample_rate).astype(np.float32)
        size = scipy.fft.next_fast_len(n + impulse_response.size - 1, real=True)
        spectrum = scipy.fft.rfft(data.astype(np.float32), size, axis=-1)
        spectrum *= scipy.fft.rfft(impulse_response, size)
        return scipy.fft.irfft(spectrum, size, axis=-1, overwrite_x=True)[..., :n].astype(np.float64)
    r = np.exp(-_LN_1000 / (t60 * sample_rate))
    w = 2.0 * np.pi * f / sample_rate
    out = np.zeros_like(data)
    for k in range(f.size):
        if a[k] == 0:
            continue
        sos = np.array([[0.0, a[k] * r[k] * np.sin(w[k]), 0.0, 1.0, -2.0 * r[k] * np.cos(w[k]), r[k] ** 2]])
        out += signal.sosfilt(sos, data, axis=-1)
    return out


def glide_cycles(times_s: np.ndarray, start_hz: float, end_hz: float, glide_s: float) -> np.ndarray:
    """Return the phase (in cycles) of a tone gliding exponentially from ``start_hz`` to ``end_hz``.

    The frequency is ``f(t) = end + (start - end) * exp(-t / glide_s)``; its integral is
    exact: ``end * t + (start - end) * glide_s * (1 - exp(-t / glide_s))``.

    Parameters
    ----------
    times_s : numpy.ndarray
        Times from the start of the glide (s, >= 0).
    start_hz, end_hz : float
        Frequency at ``t = 0`` and the one it settles at (Hz).
    glide_s : float
        Time constant of the glide (s, > 0).

    Returns
    -------
    numpy.ndarray
        Cycles elapsed at each time, float64.

    Raises
    ------
    ParameterError
        If ``glide_s`` is not positive.

    Examples
    --------
    >>> glide_cycles(np.array([0.0, 1.0]), 100.0, 100.0, 0.05).tolist()
    [0.0, 100.0]
    """
    if not glide_s > 0:
        raise ParameterError(f"glide_s must be > 0, got {glide_s}")
    t = np.asarray(times_s, dtype=np.float64)
    # the glide's share is at most (start - end) * glide_s cycles: in single precision it is
    # exact to ~1e-7 of that (and its exp many times cheaper than a double expm1)
    rest = (t * (-1.0 / glide_s)).astype(np.float32)
    rest = np.exp(rest, out=rest)
    np.subtract(np.float32(1.0), rest, out=rest)
    cycles = end_hz * t
    cycles += (start_hz - end_hz) * glide_s * rest
    return cycles


def sin_cycles(cycles: np.ndarray) -> np.ndarray:
    """Return ``sin(2 pi cycles)`` in single precision, the phase reduced to one cycle first.

    Reducing in double precision keeps long tones exact to ~1e-7 of a cycle, and the
    single-precision sine is many times faster than the double one.

    Parameters
    ----------
    cycles : numpy.ndarray
        Phase in cycles (turns), any shape.

    Returns
    -------
    numpy.ndarray
        float32, same shape.

    Examples
    --------
    >>> sin_cycles(np.array([0.0, 0.25, 1000.75])).round(6).tolist()
    [0.0, 1.0, -1.0]
    """
    c = np.asarray(cycles, dtype=np.float64)
    turn = (c - np.floor(c)).astype(np.float32)
    turn *= np.float32(2.0 * np.pi)
    return np.sin(turn, out=turn)
