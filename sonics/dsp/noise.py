"""Seeded noise sources: white, pink, brown, sparse impulses, contact clicks, shaped noise.

Every function draws only from the :class:`numpy.random.Generator` it is given, so the
same generator state gives the same samples. Gaussian samples come from the Box-Muller
transform of single-precision uniforms (several times cheaper than NumPy's float64
normals, and just as Gaussian for sound). Outputs are float64 with unit RMS (white,
pink, brown) so a caller sets the level explicitly. :func:`spectral_noise` builds noise
whose spectrum changes over time (a moving resonance, a distance low-pass) directly in
the short-time Fourier domain: the fast way to make aerodynamic sounds.
:func:`contact_click` is the short noise burst of two hard things meeting.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import scipy.fft

from sonics.core.errors import ParameterError
from sonics.dsp.envelopes import exp_decay
from sonics.dsp.filters import highpass

__all__ = [
    "ODD_BYTE_POWER",
    "brown_noise",
    "complex_gaussian",
    "contact_click",
    "dust",
    "odd_byte_bins",
    "pink_noise",
    "random_bytes",
    "spectral_noise",
    "uniform_noise",
    "white_noise",
]

MagnitudeFn = Callable[[np.ndarray, np.ndarray], np.ndarray]

_RUN_BYTES = 480_000
"""spectral_noise shapes at most this many bytes of float32 frames at a time (about 2.5 s
of sound at n_fft 1024), so the memory a long sound needs stays bounded and cache-sized."""


def _check_n(n_samples: int) -> int:
    if isinstance(n_samples, bool) or int(n_samples) != n_samples or n_samples < 1:
        raise ParameterError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    return int(n_samples)


def _unit_rms(x: np.ndarray) -> np.ndarray:
    rms = np.sqrt(np.mean(x**2, axis=-1, keepdims=True))
    return x / np.where(rms > 0, rms, 1.0)


def complex_gaussian(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Return circular complex Gaussian samples (real and imaginary parts independent, unit variance).

    Box-Muller on float32 uniforms: ``sqrt(-2 ln(1 - u1)) * exp(2j pi u2)``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    shape : tuple of int
        Shape of the result.

    Returns
    -------
    numpy.ndarray
        complex64, ``E|z|^2 = 2``.

    Examples
    --------
    >>> z = complex_gaussian(np.random.default_rng(0), (100_000,))
    >>> z.dtype.name, round(float(np.mean(np.abs(z) ** 2)), 1)
    ('complex64', 2.0)
    """
    radius, angle = rng.random((2, *shape), dtype=np.float32)
    trig = np.empty(shape, dtype=np.float32)
    # log(1 - u): 1 - u in (0, 1], never log(0), and exact (the uniforms are multiples of
    # 2**-24); numpy's single-precision log is several times faster than its log1p
    np.subtract(np.float32(1.0), radius, out=radius)
    np.log(radius, out=radius)
    radius *= -2.0
    np.sqrt(radius, out=radius)
    angle *= 2.0 * np.pi
    z = np.empty(shape, dtype=np.complex64)
    np.multiply(radius, np.cos(angle, out=trig), out=z.real)
    np.multiply(radius, np.sin(angle, out=trig), out=z.imag)
    return z


ODD_BYTE_POWER = 2.0 * (128.0**2 - 1.0) / 3.0
"""Mean ``|z|**2`` of a bin drawn by :func:`odd_byte_bins` (``E x**2 = 5461`` per part)."""


_ODD_BYTE_SCALE = np.float32(np.sqrt(2.0 / ODD_BYTE_POWER))
"""Scales a bin of :func:`odd_byte_bins` to the power of a :func:`complex_gaussian` one."""


def random_bytes(rng: np.random.Generator, n_values: int) -> np.ndarray:
    """Return ``n_values`` uniform random bytes as int8: those of ``rng.bytes(n_values)``, made for less.

    The same bytes, and the same draws from the generator, as :meth:`numpy.random.Generator.bytes`,
    which makes them as 32-bit words too but then copies them three times into a Python
    ``bytes`` (about a fifth of the time for a few hundred thousand).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_values : int
        How many (>= 0).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_values,)``, int8.

    Examples
    --------
    >>> x = random_bytes(np.random.default_rng(0), 10)
    >>> x.tobytes() == np.random.default_rng(0).bytes(10)
    True
    """
    n = int(n_values)
    # whole words, and one even for no bytes, as Generator.bytes draws them
    words = rng.integers(0, 1 << 32, size=max(1, -(-n // 4)), dtype=np.uint32)
    little_endian = words.astype("<u4", copy=False)  # as Generator.bytes reads them
    return little_endian.view(np.int8)[:n]


def odd_byte_bins(rng: np.random.Generator, n_values: int) -> np.ndarray:
    """Return ``n_values`` random odd integers in ``[-127, 127]`` as float32: noise bins made cheap.

    Uniform bytes with the lowest bit set: mean 0, variance ``(128**2 - 1) / 3``, and no
    logarithm or trigonometry to draw. Viewed as complex64 (real and imaginary parts
    alternating), they are the bins of a noise spectrum: each sample of its inverse
    transform sums hundreds of independent bins, so it is Gaussian all the same.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness (:func:`random_bytes`, the bytes of ``rng.bytes``).
    n_values : int
        How many (>= 0).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_values,)``, float32.

    Examples
    --------
    >>> x = odd_byte_bins(np.random.default_rng(0), 100_000)
    >>> x.dtype.name, bool(np.all(x % 2 == 1)), round(2 * float(np.mean(x**2)) / ODD_BYTE_POWER, 2)
    ('float32', True, 1.0)
    """
    return (random_bytes(rng, n_values) | np.int8(1)).astype(np.float32)


def white_noise(rng: np.random.Generator, n_samples: int, *, n_channels: int | None = None) -> np.ndarray:
    """Return Gaussian white noise with unit variance.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_samples : int
        Length in samples (>= 1).
    n_channels : int or None
        ``None`` gives shape ``(n_samples,)``; an integer gives ``(n_channels, n_samples)``
        of independent channels.

    Returns
    -------
    numpy.ndarray
        float64 noise.

    Examples
    --------
    >>> white_noise(np.random.default_rng(0), 4).shape
    (4,)
    """
    n = _check_n(n_samples)
    shape = (n,) if n_channels is None else (int(n_channels), n)
    size = int(np.prod(shape))
    pairs = complex_gaussian(rng, ((size + 1) // 2,)).view(np.float32)  # re, im, re, im, ...
    return pairs[:size].reshape(shape).astype(np.float64)


def uniform_noise(rng: np.random.Generator, n_samples: int, *, n_channels: int | None = None) -> np.ndarray:
    """Return flat-spectrum noise with unit variance, uniform in ``[-sqrt(3), sqrt(3))``, float32.

    Several times cheaper than :func:`white_noise` (no logarithm, no trigonometry): for
    breath, bow hiss and other noise that a filter or an envelope shapes, where the
    Gaussian shape of each sample does not matter.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_samples : int
        Length in samples (>= 1).
    n_channels : int or None
        ``None`` gives shape ``(n_samples,)``; an integer ``(n_channels, n_samples)``.

    Returns
    -------
    numpy.ndarray
        float32 noise.

    Examples
    --------
    >>> x = uniform_noise(np.random.default_rng(0), 100_000)
    >>> x.dtype.name, round(float(x.std()), 2)
    ('float32', 1.0)
    """
    n = _check_n(n_samples)
    shape = (n,) if n_channels is None else (int(n_channels), n)
    x = rng.random(shape, dtype=np.float32)
    x -= np.float32(0.5)
    x *= np.float32(2.0 * np.sqrt(3.0))
    return x


def _power_law(rng: np.random.Generator, n: int, exponent: float, n_channels: int | None) -> np.ndarray:
    """Noise whose power spectrum falls as ``1 / f**exponent``, DC removed, unit RMS."""
    # shaped over the next length the FFT is fast for (a prime length costs some 20 times more);
    # the spectrum of white Gaussian noise is drawn directly (independent complex Gaussian bins),
    # so one inverse transform makes it
    size = scipy.fft.next_fast_len(n, real=True)
    n_bins = size // 2 + 1
    spectrum = complex_gaussian(rng, (n_bins,) if n_channels is None else (int(n_channels), n_bins))
    bins = np.arange(n_bins, dtype=np.float32)
    bins[0] = np.inf  # no DC
    if exponent == 2.0:
        weight = np.reciprocal(bins, out=bins)
    elif exponent == 1.0:
        weight = np.reciprocal(np.sqrt(bins, out=bins), out=bins)
    else:
        weight = bins ** np.float32(-exponent / 2.0)
    spectrum *= weight
    x = scipy.fft.irfft(spectrum, n=size, axis=-1)[..., :n].astype(np.float64)
    x -= np.mean(x, axis=-1, keepdims=True)  # what the cut left of the lowest bins
    return _unit_rms(x)


def pink_noise(rng: np.random.Generator, n_samples: int, *, n_channels: int | None = None) -> np.ndarray:
    """Return pink noise (power falls 3 dB per octave) with unit RMS and no DC.

    Shaped in the frequency domain, over the next length an FFT is fast for (a few
    samples more than ``n_samples``), then cut to ``n_samples``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_samples : int
        Length in samples (>= 1).
    n_channels : int or None
        ``None`` gives shape ``(n_samples,)``; an integer gives ``(n_channels, n_samples)``.

    Returns
    -------
    numpy.ndarray
        float64 noise.

    Examples
    --------
    >>> x = pink_noise(np.random.default_rng(0), 48000)
    >>> round(float(np.sqrt(np.mean(x**2))), 6)
    1.0
    """
    return _power_law(rng, _check_n(n_samples), 1.0, n_channels)


def brown_noise(rng: np.random.Generator, n_samples: int, *, n_channels: int | None = None) -> np.ndarray:
    """Return brown (red) noise (power falls 6 dB per octave) with unit RMS and no DC.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_samples : int
        Length in samples (>= 1).
    n_channels : int or None
        ``None`` gives shape ``(n_samples,)``; an integer gives ``(n_channels, n_samples)``.

    Returns
    -------
    numpy.ndarray
        float64 noise.

    Examples
    --------
    >>> brown_noise(np.random.default_rng(0), 100, n_channels=2).shape
    (2, 100)
    """
    return _power_law(rng, _check_n(n_samples), 2.0, n_channels)


def dust(rng: np.random.Generator, n_samples: int, sample_rate: int, *, rate_hz: float) -> np.ndarray:
    """Return sparse random impulses (a Poisson process) with amplitudes uniform in (0, 1].

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_samples : int
        Length in samples (>= 1).
    sample_rate : int
        Samples per second.
    rate_hz : float
        Mean number of impulses per second (>= 0, below the sample rate).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)``, float64, mostly zeros.

    Raises
    ------
    ParameterError
        If ``rate_hz`` is negative or not below ``sample_rate``.

    Examples
    --------
    >>> x = dust(np.random.default_rng(1), 48000, 48000, rate_hz=100.0)
    >>> 60 < int(np.count_nonzero(x)) < 140
    True
    """
    n = _check_n(n_samples)
    if not 0.0 <= rate_hz < sample_rate:
        raise ParameterError(f"rate_hz must be in [0, {sample_rate}), got {rate_hz}")
    hits = rng.random(n) < rate_hz / sample_rate
    out = np.zeros(n)
    out[hits] = 1.0 - rng.random(int(hits.sum()))
    return out


def contact_click(
    rng: np.random.Generator, n_samples: int, sample_rate: int, *, t60_s: float, corner_hz: float
) -> np.ndarray:
    """Return a contact click: high-passed noise that decays in ``t60_s``, first sample at full level.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_samples : int
        Length of the returned array (samples, >= 1); the click itself lasts ``t60_s``.
    sample_rate : int
        Samples per second.
    t60_s : float
        Decay time to -60 dB (s, > 0), a few ms.
    corner_hz : float
        High-pass corner (Hz): higher for harder materials.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, float64, peak magnitude 1; the first sample is the largest
        (about +1), so an onset detector finds sample 0 exactly.

    Examples
    --------
    >>> x = contact_click(np.random.default_rng(0), 960, 48000, t60_s=0.003, corner_hz=2000.0)
    >>> int(np.argmax(np.abs(x))), int(np.count_nonzero(x[400:]))
    (0, 0)
    """
    n = _check_n(n_samples)
    length = min(n, max(8, round(2.0 * t60_s * sample_rate)))
    burst = white_noise(rng, length) * exp_decay(length, sample_rate, t60_s=t60_s)
    burst[0] = 3.0  # the contact: one sample well above the noise, so the onset is exact
    out = np.zeros(n)
    out[:length] = highpass(burst, corner_hz, sample_rate)
    out[:length] /= np.max(np.abs(out[:length]))
    return out


def spectral_noise(
    rng: np.random.Generator,
    n_samples: int,
    sample_rate: int,
    magnitude: MagnitudeFn,
    *,
    n_fft: int = 1024,
    n_channels: int | None = None,
    dtype: type = np.float64,
    odd_bytes: bool = False,
) -> np.ndarray:
    """Return Gaussian noise whose magnitude spectrum follows ``magnitude(freqs, times)``.

    Random complex spectra are weighted frame by frame, inverse-transformed, sine-windowed
    and overlap-added with a hop of ``n_fft // 2`` (the squared windows sum to one). The
    result is noise with the requested time-varying power spectrum, smoothed over one
    frame (``n_fft / sample_rate`` seconds). This is the vectorised form of "white noise
    through a moving band-pass". The transforms run in single precision.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_samples : int
        Length in samples (>= 1).
    sample_rate : int
        Samples per second.
    magnitude : callable
        ``magnitude(freqs_hz, times_s) -> array (n_frames, n_bins)``: linear magnitude
        wanted at each frame centre ``times_s[i]`` (s, shape ``(n_frames, 1)``) and bin
        frequency ``freqs_hz`` (Hz, shape ``(1, n_bins)``). Both are float32, so shaping
        written with them runs in single precision (a float64 result is fine too).
        Broadcasting is fine. It is called once per run of a few dozen consecutive
        frames, so it must depend only on the times and frequencies it is given.
    n_fft : int
        Frame length in samples (a power of two >= 64).
    n_channels : int or None
        ``None`` gives shape ``(n_samples,)``; an integer ``(n_channels, n_samples)`` of
        independent channels with the same spectrum (``magnitude`` is evaluated once for all).
    dtype : type
        ``numpy.float64`` or ``numpy.float32`` (the transforms run in single precision either way).
    odd_bytes : bool
        Draw the bins with :func:`odd_byte_bins` instead of :func:`complex_gaussian`:
        several times cheaper, and as Gaussian once transformed (each sample sums
        ``n_fft / 2`` independent bins), but other samples for the same seed.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)`` or ``(n_channels, n_samples)``, of ``dtype``. A flat magnitude
        of 1 gives unit variance.

    Examples
    --------
    >>> flat = lambda f, t: np.ones((t.shape[0], f.shape[1]))
    >>> x = spectral_noise(np.random.default_rng(0), 48000, 48000, flat)
    >>> 0.9 < float(np.std(x)) < 1.1
    True
    """
    n = _check_n(n_samples)
    if n_fft < 64 or n_fft & (n_fft - 1):
        raise ParameterError(f"n_fft must be a power of two >= 64, got {n_fft}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ParameterError(f"dtype must be float32 or float64, got {np.dtype(dtype).name}")
    n_rows = 1 if n_channels is None else int(n_channels)
    hop = n_fft // 2
    n_frames = n // hop + 3  # frame k covers [(k - 2) * hop, k * hop): the first samples fully
    freqs_hz = np.fft.rfftfreq(n_fft, 1.0 / sample_rate).astype(np.float32)[np.newaxis, :]
    window = _sine_window(n_fft)
    out = np.empty(
        (n_rows, n_frames - 2, hop), dtype=dtype
    )  # hop j: frame j + 2's first half + j + 1's second
    carry = np.zeros((n_rows, hop), dtype=np.float32)  # the second half of the frame before the run
    run = max(1, _RUN_BYTES // (4 * n_fft * n_rows))  # frames at a time: every temporary stays small
    for first in range(0, n_frames, run):
        frame = np.arange(first, min(first + run, n_frames))
        times_s = (((frame - 2) * hop + n_fft / 2) / sample_rate).astype(np.float32)[:, np.newaxis]
        shape = (n_rows, frame.size, hop + 1)
        if odd_bytes:
            spectra = odd_byte_bins(rng, 2 * int(np.prod(shape))).view(np.complex64).reshape(shape)
            # broadcasts (and checks) the shape; scaled to bins of a Gaussian's power (E|z|^2 = 2)
            spectra *= np.asarray(magnitude(freqs_hz, times_s)) * _ODD_BYTE_SCALE
        else:
            spectra = complex_gaussian(rng, shape)
            spectra *= np.asarray(magnitude(freqs_hz, times_s))  # broadcasts (and checks) the shape
        # unit-power bins give frame samples of variance 2 / n_fft; sine**2 over hops of n_fft/2 sums to 1
        frames = scipy.fft.irfft(spectra, n=n_fft, axis=-1, overwrite_x=True)
        frames *= window
        heads = frames[:, :, :hop]
        heads[:, 0] += carry
        heads[:, 1:] += frames[:, :-1, hop:]
        carry = frames[:, -1, hop:].copy()
        keep = frame >= 2  # the first two frames only lead in
        out[:, frame[keep] - 2] = heads[:, keep]
    out = out.reshape(n_rows, -1)[:, :n]
    return out[0] if n_channels is None else out


@lru_cache(maxsize=8)
def _sine_window(n_fft: int) -> np.ndarray:
    window = (np.sin(np.pi * (np.arange(n_fft) + 0.5) / n_fft) * np.sqrt(n_fft / 2)).astype(np.float32)
    window.flags.writeable = False
    return window
