"""Filters: fixed Butterworth low/high/band-pass, resonators, DC blocking, moving filters.

Fixed filters are Butterworth second-order sections run with :func:`scipy.signal.sosfilt`
(causal, so a signal that starts from silence keeps its leading zeros); their designs are
cached, since a generator asks for the same few corners again and again. A moving filter
(:func:`time_varying_filter`) recomputes an RBJ biquad every short block and carries the
filter state across blocks. The ``*_response`` functions give analytic magnitudes for
shaping spectra directly (see :func:`sonics.dsp.noise.spectral_noise`).
:func:`upsample` brings a layer rendered at a low internal rate (a sub, a rumble) up to
the delivery rate. All functions filter along the last axis and return float64.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import signal

from sonics.core.errors import ParameterError

__all__ = [
    "bandpass",
    "bandpass_power",
    "bandpass_response",
    "dc_block",
    "highpass",
    "highpass_sos",
    "interpolation_factor",
    "lowpass",
    "lowpass_response",
    "lowpass_sos",
    "peaking_sos",
    "pole_radius",
    "resonator",
    "ring_samples",
    "sos_response",
    "time_varying_filter",
    "upsample",
]

_KINDS = ("lowpass", "highpass", "bandpass")


def _check_freq(name: str, freq_hz: float, sample_rate: int) -> float:
    if not 0.0 < freq_hz < sample_rate / 2:
        raise ParameterError(f"{name} must be in (0, {sample_rate / 2:g}) Hz, got {freq_hz}")
    return float(freq_hz)


def _sosfilt(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    return signal.sosfilt(sos, np.asarray(x, dtype=np.float64), axis=-1)


@lru_cache(maxsize=512)
def _butter(order: int, wn: float | tuple[float, float], kind: str, sample_rate: float) -> np.ndarray:
    """Butterworth second-order sections, designed once per setting (shared: never written to)."""
    if order == 2 and kind != "bandpass":
        # the RBJ biquad at Q = 1/sqrt(2) is the same bilinear, prewarped Butterworth, in
        # closed form: ten times cheaper than scipy's general design (random corners miss the cache)
        return _rbj_sos(kind, np.array([wn]), np.array([np.sqrt(0.5)]), sample_rate)
    return signal.butter(order, wn, kind, fs=sample_rate, output="sos")


def lowpass_sos(cutoff_hz: float, sample_rate: int, *, order: int = 2) -> np.ndarray:
    """Return the second-order sections of :func:`lowpass`, to cascade with other filters in one pass.

    One :func:`scipy.signal.sosfilt` call costs about the same per sample for one section
    as for several, so a chain of fixed filters is cheapest run as one cascade.

    Examples
    --------
    >>> lowpass_sos(1000.0, 48000, order=4).shape
    (2, 6)
    """
    return _butter(order, _check_freq("cutoff_hz", cutoff_hz, sample_rate), "lowpass", sample_rate)


def highpass_sos(cutoff_hz: float, sample_rate: int, *, order: int = 2) -> np.ndarray:
    """Return the second-order sections of :func:`highpass` (see :func:`lowpass_sos`).

    Examples
    --------
    >>> highpass_sos(20.0, 48000).shape
    (1, 6)
    """
    return _butter(order, _check_freq("cutoff_hz", cutoff_hz, sample_rate), "highpass", sample_rate)


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
    return _sosfilt(_butter(order, wn, "lowpass", sample_rate), x)


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
    return _sosfilt(_butter(order, wn, "highpass", sample_rate), x)


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
    return _sosfilt(_butter(order, (lo, hi), "bandpass", sample_rate), x)


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


def peaking_sos(
    centre_hz: np.ndarray | float, q: np.ndarray | float, gain_db: np.ndarray | float, sample_rate: int
) -> np.ndarray:
    """Return RBJ peaking equalisers: a bell of ``gain_db`` at each ``centre_hz``, 0 dB far from it.

    A cascade of them is a fixed resonant body (an instrument's wood, a bell) laid on a
    source: the peaks boost, negative gains cut.

    Parameters
    ----------
    centre_hz : float or numpy.ndarray
        Bell centres (Hz, in ``(0, sample_rate / 2)``).
    q : float or numpy.ndarray
        Quality factors (> 0), broadcast with ``centre_hz``.
    gain_db : float or numpy.ndarray
        Gain at each centre (dB), broadcast with ``centre_hz``.
    sample_rate : int
        Samples per second.

    Returns
    -------
    numpy.ndarray
        Second-order sections, one per bell, shape ``(n_bells, 6)``; run them with
        :func:`scipy.signal.sosfilt`.

    Raises
    ------
    ParameterError
        If a centre is outside ``(0, sample_rate / 2)`` or a q is not positive.

    Examples
    --------
    >>> from scipy.signal import sosfreqz
    >>> sos = peaking_sos(1000.0, 2.0, 6.0, 48000)
    >>> _, h = sosfreqz(sos, worN=[1000.0, 50.0], fs=48000)
    >>> np.round(20 * np.log10(np.abs(h)), 2).tolist()
    [6.0, 0.0]
    """
    fc, qs, gains = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (centre_hz, q, gain_db))
    )
    if np.any(fc <= 0) or np.any(fc >= sample_rate / 2) or np.any(qs <= 0):
        raise ParameterError(f"peaking centres must be in (0, {sample_rate / 2:g}) Hz and q > 0")
    amp = 10.0 ** (gains / 40.0)
    w0 = 2.0 * np.pi * fc / sample_rate
    cos_w, alpha = np.cos(w0), np.sin(w0) / (2.0 * qs)
    b = np.stack([1 + alpha * amp, -2 * cos_w, 1 - alpha * amp], axis=-1)
    a = np.stack([1 + alpha / amp, -2 * cos_w, 1 - alpha / amp], axis=-1)
    return np.concatenate([b, a], axis=-1) / a[..., :1]


def pole_radius(sos: np.ndarray) -> float:
    """Return the largest pole magnitude of a cascade of second-order sections (< 1: stable).

    Examples
    --------
    >>> round(pole_radius(highpass_sos(20.0, 48000)), 5)
    0.99815
    """
    sections = np.atleast_2d(np.asarray(sos, dtype=np.float64))
    a = sections[:, 3:] / sections[:, 3:4]
    disc = a[:, 1] ** 2 - 4.0 * a[:, 2]
    root = np.sqrt(np.abs(disc))
    real_poles = np.maximum(np.abs(-a[:, 1] + root), np.abs(-a[:, 1] - root)) / 2.0
    return float(np.max(np.where(disc < 0, np.sqrt(np.abs(a[:, 2])), real_poles)))


def ring_samples(sos: np.ndarray) -> int:
    """Return how many samples a stable cascade takes to forget its input: its own ring 200 dB down.

    What a filter does to a signal's first samples is over after this many: past it, a
    decaying tone through the filter is the filter's steady (forced) response alone, and a
    burst that ended has left nothing (:func:`sonics.dsp.modal.modal_bank` uses it).

    Parameters
    ----------
    sos : numpy.ndarray
        Second-order sections ``(n_sections, 6)``, every pole inside the unit circle.

    Returns
    -------
    int
        Samples (a margin of two a section for repeated poles and the zeros).

    Raises
    ------
    ParameterError
        If the cascade is not stable.

    Examples
    --------
    >>> ring_samples(highpass_sos(20.0, 48000))  # 11 ms time constants: about a quarter second
    12442
    """
    sections = np.atleast_2d(np.asarray(sos, dtype=np.float64))
    radius = pole_radius(sections)
    if radius >= 1.0:
        raise ParameterError(f"sos must be a stable filter (every pole inside the unit circle), got {radius}")
    margin = 2 * sections.shape[0] + 1
    return margin if radius == 0.0 else int(np.ceil(np.log(1e-10) / np.log(radius))) + margin


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
        Linear magnitude in ``[0, 1]``: float32 when the array arguments are all float32,
        else float64.

    Examples
    --------
    >>> float(bandpass_response(np.array(1000.0), 1000.0, 5.0))
    1.0
    """
    power = bandpass_power(freqs_hz, centre_hz, q)
    return np.sqrt(power, out=power)


def bandpass_power(freqs_hz: np.ndarray, centre_hz: np.ndarray | float, q: np.ndarray | float) -> np.ndarray:
    """Return the power gain ``|H(f)|**2`` of :func:`bandpass_response` (no square root taken).

    For sums of resonances, which add in power: ``1 / (1 + q**2 * (f / fc - fc / f)**2)``.

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
        Power gain in ``[0, 1]``, float32 when the array arguments are all float32, else float64.

    Examples
    --------
    >>> round(float(bandpass_power(np.array(2000.0), 1000.0, 1.0)), 4)  # 1 / (1 + 1.5**2)
    0.3077
    """
    dtype = _real_dtype(freqs_hz, centre_hz, q)
    f = np.maximum(np.asarray(freqs_hz, dtype=dtype), 1e-9)
    fc = np.asarray(centre_hz, dtype=dtype)
    q2 = np.asarray(q, dtype=dtype) ** 2
    detune = np.asarray(f / fc - fc / f)
    detune *= detune  # in place where possible: these arrays are (frames, bins) large
    if np.broadcast_shapes(detune.shape, q2.shape) == detune.shape:
        detune *= q2
    else:
        detune = detune * q2
    detune += 1.0
    return np.reciprocal(detune, out=detune)


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
        Linear magnitude in ``[0, 1]``: float32 when the array arguments are all float32,
        else float64.

    Examples
    --------
    >>> round(float(lowpass_response(np.array(1000.0), 1000.0)), 4)
    0.7071
    """
    dtype = _real_dtype(freqs_hz, cutoff_hz)
    ratio = np.asarray(freqs_hz, dtype=dtype) / np.asarray(cutoff_hz, dtype=dtype)
    return 1.0 / np.sqrt(1.0 + ratio ** (2 * order))


def sos_response(sos: np.ndarray, freqs_hz: np.ndarray, sample_rate: float) -> np.ndarray:
    """Return the complex frequency response of second-order sections at ``freqs_hz``.

    What :func:`scipy.signal.sosfreqz` gives (to rounding), evaluated for all sections
    at once: a few times cheaper at a few thousand frequencies, where its per-section
    calls dominate.

    Parameters
    ----------
    sos : numpy.ndarray
        Shape ``(n_sections, 6)``: ``b0, b1, b2, a0, a1, a2`` per section.
    freqs_hz : numpy.ndarray
        Frequencies (Hz), any shape.
    sample_rate : float
        Samples per second the sections run at.

    Returns
    -------
    numpy.ndarray
        complex128, the shape of ``freqs_hz``.

    Examples
    --------
    >>> h = sos_response(lowpass_sos(1000.0, 48000), np.array([0.0, 1000.0]), 48000)
    >>> np.round(np.abs(h), 4).tolist()
    [1.0, 0.7071]
    """
    sections = np.atleast_2d(np.asarray(sos, dtype=np.float64))
    if sections.ndim != 2 or sections.shape[1] != 6:
        raise ParameterError(f"sos must have shape (n_sections, 6), got {sections.shape}")
    inverse = np.exp(-2j * np.pi * np.asarray(freqs_hz, dtype=np.float64) / sample_rate)[..., np.newaxis]
    b0, b1, b2, a0, a1, a2 = sections.T
    per_section = (b0 + inverse * (b1 + inverse * b2)) / (a0 + inverse * (a1 + inverse * a2))
    return np.prod(per_section, axis=-1)


def _real_dtype(*values: object) -> type:
    """float32 when every array argument is float32 (single-precision shaping), else float64."""
    arrays = [v for v in values if isinstance(v, np.ndarray)]
    return np.float32 if arrays and all(a.dtype == np.float32 for a in arrays) else np.float64


@lru_cache(maxsize=16)
def _interpolator(factor: int) -> np.ndarray:
    """Kaiser-windowed low-pass for ``factor``-times interpolation of a low band.

    Flat below 0.3 of the input rate, 80 dB down from 0.7 of it (where the first image of
    that band starts), so it needs only ~13 taps per output phase.
    """
    n_taps, beta = signal.kaiserord(80.0, 0.8 / factor)
    n_taps |= 1  # odd: linear phase with a whole-sample delay
    taps = signal.firwin(n_taps, 1.0 / factor, window=("kaiser", beta))
    taps.flags.writeable = False
    return taps


def interpolation_factor(sample_rate: int, top_hz: float) -> int:
    """Return the largest rate divisor that keeps ``top_hz`` inside :func:`upsample`'s flat band.

    A layer whose content stays below ``top_hz`` can be rendered at
    ``sample_rate / factor`` and brought up with ``upsample(x, factor)``.

    Parameters
    ----------
    sample_rate : int
        Delivery rate (samples per second).
    top_hz : float
        Highest frequency the layer holds (Hz, > 0).

    Returns
    -------
    int
        ``max(1, floor(0.3 * sample_rate / top_hz))``.

    Examples
    --------
    >>> interpolation_factor(48000, 3600.0), interpolation_factor(44100, 3600.0)
    (4, 3)
    """
    if not top_hz > 0:
        raise ParameterError(f"top_hz must be > 0, got {top_hz}")
    return max(1, int(0.3 * sample_rate / top_hz))


def upsample(x: np.ndarray, factor: int) -> np.ndarray:
    """Return a low-band signal at ``factor`` times its sample rate (polyphase FIR interpolation).

    Meant for layers rendered at a low internal rate because all they hold is low (a sub
    tail, a rumble, a thump): the interpolator is flat up to 0.3 of the input rate and
    stops from 0.7 of it, so keep the content below ``0.3 * input rate`` (what lies
    between 0.3 and 0.5 of it is rolled off). Zero phase: a sample at input index ``k``
    lands at output index ``factor * k``; the signal is taken as zero outside its span.

    Parameters
    ----------
    x : numpy.ndarray
        Signal, shape ``(..., samples)``.
    factor : int
        Rate multiplier (integer >= 1).

    Returns
    -------
    numpy.ndarray
        Shape ``(..., factor * samples)``, float64.

    Raises
    ------
    ParameterError
        If ``factor`` is not an integer >= 1.

    Examples
    --------
    >>> y = upsample(np.sin(2 * np.pi * 500.0 * np.arange(800) / 8000.0), 6)
    >>> exact = np.sin(2 * np.pi * 500.0 * np.arange(600, 4200) / 48000.0)
    >>> y.shape, bool(np.allclose(y[600:4200], exact, atol=1e-3))
    ((4800,), True)
    """
    if isinstance(factor, bool) or int(factor) != factor or factor < 1:
        raise ParameterError(f"factor must be an integer >= 1, got {factor!r}")
    data = np.asarray(x, dtype=np.float64)
    if factor == 1:
        return data.copy()
    return signal.resample_poly(data, int(factor), 1, axis=-1, window=_interpolator(int(factor)))
