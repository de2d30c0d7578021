"""Seeded noise sources: white, pink, brown, sparse impulses, contact clicks, shaped noise.

Every function draws only from the :class:`numpy.random.Generator` it is given, so the
same generator state gives the same samples. Outputs are float64 with unit RMS (white,
pink, brown) so a caller sets the level explicitly. :func:`spectral_noise` builds noise
whose spectrum changes over time (a moving resonance, a distance low-pass) directly in
the short-time Fourier domain: the fast way to make aerodynamic sounds.
:func:`contact_click` is the short noise burst of two hard things meeting.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.fft

from sonics.core.errors import ParameterError
from sonics.dsp.envelopes import exp_decay
from sonics.dsp.filters import highpass

__all__ = ["brown_noise", "contact_click", "dust", "pink_noise", "spectral_noise", "white_noise"]

MagnitudeFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _check_n(n_samples: int) -> int:
    if isinstance(n_samples, bool) or int(n_samples) != n_samples or n_samples < 1:
        raise ParameterError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    return int(n_samples)


def _unit_rms(x: np.ndarray) -> np.ndarray:
    rms = np.sqrt(np.mean(x**2, axis=-1, keepdims=True))
    return x / np.where(rms > 0, rms, 1.0)


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
    return rng.standard_normal(shape)


def _power_law(rng: np.random.Generator, n: int, exponent: float, n_channels: int | None) -> np.ndarray:
    """Noise whose power spectrum falls as ``1 / f**exponent``, DC removed, unit RMS."""
    x = white_noise(rng, n, n_channels=n_channels)
    spectrum = np.fft.rfft(x, axis=-1)
    bins = np.arange(spectrum.shape[-1], dtype=np.float64)
    bins[0] = np.inf  # no DC
    spectrum *= bins ** (-exponent / 2.0)
    return _unit_rms(np.fft.irfft(spectrum, n=n, axis=-1))


def pink_noise(rng: np.random.Generator, n_samples: int, *, n_channels: int | None = None) -> np.ndarray:
    """Return pink noise (power falls 3 dB per octave) with unit RMS and no DC.

    Shaped in the frequency domain, so the result is circular: its end joins its start.

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
    return out / np.max(np.abs(out))


def spectral_noise(
    rng: np.random.Generator,
    n_samples: int,
    sample_rate: int,
    magnitude: MagnitudeFn,
    *,
    n_fft: int = 1024,
) -> np.ndarray:
    """Return Gaussian noise whose magnitude spectrum follows ``magnitude(freqs, times)``.

    Random complex spectra are weighted frame by frame, inverse-transformed, sine-windowed
    and overlap-added with a hop of ``n_fft // 2`` (the squared windows sum to one). The
    result is noise with the requested time-varying power spectrum, smoothed over one
    frame (``n_fft / sample_rate`` seconds). This is the vectorised form of "white noise
    through a moving band-pass".

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
        frequency ``freqs_hz`` (Hz, shape ``(1, n_bins)``). Broadcasting is fine.
    n_fft : int
        Frame length in samples (a power of two >= 64).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)``, float64. A flat magnitude of 1 gives unit variance.

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
    hop = n_fft // 2
    n_frames = (n + n_fft) // hop + 1
    starts = np.arange(n_frames) * hop - n_fft  # frames also cover the first samples fully
    times_s = (starts + n_fft / 2)[:, np.newaxis] / sample_rate
    freqs_hz = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)[np.newaxis, :]
    gain = np.broadcast_to(
        np.asarray(magnitude(freqs_hz, times_s), dtype=np.float64), (n_frames, n_fft // 2 + 1)
    )
    spectra = (rng.standard_normal(gain.shape) + 1j * rng.standard_normal(gain.shape)) * gain
    # unit-power bins give frame samples of variance 2 / n_fft; sine**2 over hops of n_fft/2 sums to 1
    window = np.sin(np.pi * (np.arange(n_fft) + 0.5) / n_fft) * np.sqrt(n_fft / 2)
    frames = scipy.fft.irfft(spectra, n=n_fft, axis=1) * window
    out = np.zeros(n_frames * hop + n_fft)
    for k in range(2):  # frames k, k+2, ... do not overlap: add each set at once
        sel = frames[k::2]
        pos = k * hop + np.arange(sel.shape[0])[:, np.newaxis] * n_fft + np.arange(n_fft)
        out[pos.ravel()] += sel.ravel()
    return out[n_fft : n_fft + n].copy()
