"""Spectrograms and the music features built on them: mel power, dB, onset strength, chroma, MFCC.

numpy and scipy only: no numba, so nothing is compiled at import or first call, and parallel
worker processes share no JIT cache (numba's gufunc cache can pair files written by two
processes and crash them, numba issue #10128). The definitions are librosa 0.11's (centred
frames zero-padded by half a frame, a periodic Hann window, Slaney's mel scale and area
normalisation, spectral flux on dB mel bands, chroma after a tuning estimate), computed
in the same float32 precision, so the figures librosa gives carry over.

Spectrograms have shape ``(bins, frames)``; frame ``t`` is centred on sample ``t * hop_length``.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import get_window

from sonics.core.errors import ParameterError

__all__ = [
    "chroma_stft",
    "mel_filterbank",
    "mel_frequencies_hz",
    "mel_spectrogram",
    "mfcc",
    "onset_strength",
    "power_to_db",
    "stft_power",
]

_BLOCK_FRAMES = 256
"""Frames per block of FFTs (bounds the float64 temporaries to a few MB)."""
_MEL_BREAK_HZ = 1000.0
_MEL_LINEAR_HZ = 200.0 / 3.0
_MEL_LOG_STEP = np.log(6.4) / 27.0
_N_CHROMA = 12


def _check_frames(n_fft: int, hop_length: int) -> None:
    if isinstance(n_fft, bool) or int(n_fft) != n_fft or n_fft < 2 or n_fft % 2:
        raise ParameterError(f"n_fft must be an even integer >= 2, got {n_fft!r}")
    if isinstance(hop_length, bool) or int(hop_length) != hop_length or hop_length < 1:
        raise ParameterError(f"hop_length must be an integer >= 1, got {hop_length!r}")


def stft_power(y: np.ndarray, *, n_fft: int, hop_length: int) -> np.ndarray:
    """Return the power spectrogram ``|STFT|**2`` of a signal in centred, Hann-windowed frames.

    Parameters
    ----------
    y : numpy.ndarray
        Shape ``(samples,)``, finite.
    n_fft : int
        Frame length [samples], even.
    hop_length : int >= 1
        Samples between frames.

    Returns
    -------
    numpy.ndarray
        float32, shape ``(1 + n_fft // 2, 1 + samples // hop_length)``. The signal is padded
        with ``n_fft // 2`` zeros at each end, so frame ``t`` is centred on ``t * hop_length``.

    Raises
    ------
    ParameterError
        If ``y`` is not 1-D or the frame sizes are out of range.

    Examples
    --------
    >>> y = np.sin(2 * np.pi * 1000.0 * np.arange(22050) / 22050)
    >>> power = stft_power(y, n_fft=2048, hop_length=512)
    >>> power.shape, int(np.argmax(power[:, 10]))  # 1 kHz is bin 1000 * 2048 / 22050
    ((1025, 44), 93)
    """
    _check_frames(n_fft, hop_length)
    x = np.asarray(y)
    if x.ndim != 1:
        raise ParameterError(f"y must be 1-D, got shape {x.shape}")
    window = get_window("hann", n_fft, fftbins=True)
    frames = sliding_window_view(np.pad(x, n_fft // 2), n_fft)[::hop_length]
    power = np.empty((1 + n_fft // 2, frames.shape[0]), dtype=np.float32)
    for start in range(0, frames.shape[0], _BLOCK_FRAMES):
        block = frames[start : start + _BLOCK_FRAMES]
        # complex64 then float32, as librosa stores its STFT: the same numbers to the last bit or two.
        spectrum = scipy.fft.rfft(block * window, axis=1).astype(np.complex64)
        power[:, start : start + block.shape[0]] = (np.abs(spectrum) ** 2).T
    return power


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    mel = hz / _MEL_LINEAR_HZ
    log = hz >= _MEL_BREAK_HZ
    mel[log] = _MEL_BREAK_HZ / _MEL_LINEAR_HZ + np.log(hz[log] / _MEL_BREAK_HZ) / _MEL_LOG_STEP
    return mel


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    hz = _MEL_LINEAR_HZ * mel
    log = mel >= _MEL_BREAK_HZ / _MEL_LINEAR_HZ
    hz[log] = _MEL_BREAK_HZ * np.exp(_MEL_LOG_STEP * (mel[log] - _MEL_BREAK_HZ / _MEL_LINEAR_HZ))
    return hz


def mel_frequencies_hz(n_mels: int, *, fmin_hz: float = 0.0, fmax_hz: float) -> np.ndarray:
    """Return ``n_mels`` frequencies equally spaced on Slaney's mel scale from ``fmin_hz`` to ``fmax_hz``.

    The scale is linear below 1 kHz (200/3 Hz a mel) and logarithmic above (27 mels an
    octave of 6.4), as in the Auditory Toolbox and librosa (``htk=False``).

    Parameters
    ----------
    n_mels : int >= 1
        Number of frequencies.
    fmin_hz, fmax_hz : float >= 0
        First and last frequency [Hz].

    Returns
    -------
    numpy.ndarray
        float64, shape ``(n_mels,)`` [Hz], increasing.

    Examples
    --------
    >>> np.round(mel_frequencies_hz(3, fmax_hz=2000.0), 1)
    array([   0. ,  836.1, 2000. ])
    """
    if isinstance(n_mels, bool) or int(n_mels) != n_mels or n_mels < 1:
        raise ParameterError(f"n_mels must be an integer >= 1, got {n_mels!r}")
    if not 0 <= fmin_hz < fmax_hz:
        raise ParameterError(f"frequencies must satisfy 0 <= fmin_hz < fmax_hz, got {fmin_hz}, {fmax_hz}")
    lo, hi = _hz_to_mel(np.array([float(fmin_hz), float(fmax_hz)]))
    return _mel_to_hz(np.linspace(lo, hi, int(n_mels)))


def mel_filterbank(
    sample_rate: float, n_fft: int, n_mels: int, *, fmin_hz: float = 0.0, fmax_hz: float | None = None
) -> np.ndarray:
    """Return triangular mel filters of equal area (Slaney normalisation) over the FFT bins.

    Parameters
    ----------
    sample_rate : float > 0
        Rate of the analysed signal [Hz].
    n_fft : int
        Frame length of the spectrogram [samples], even.
    n_mels : int >= 1
        Number of bands.
    fmin_hz : float >= 0
        Lowest band edge [Hz].
    fmax_hz : float, optional
        Highest band edge [Hz]; by default the Nyquist frequency.

    Returns
    -------
    numpy.ndarray
        float32, shape ``(n_mels, 1 + n_fft // 2)``: band ``m`` rises from the ``m``-th to the
        ``m + 1``-th of ``n_mels + 2`` mel-spaced edges and falls to the ``m + 2``-th, scaled
        by ``2 / (upper - lower edge)``.

    Examples
    --------
    >>> bank = mel_filterbank(22050, 2048, 96)
    >>> bank.shape, bank.dtype.name
    ((96, 1025), 'float32')
    """
    _check_frames(n_fft, 1)
    top = sample_rate / 2.0 if fmax_hz is None else fmax_hz
    edges = mel_frequencies_hz(int(n_mels) + 2, fmin_hz=fmin_hz, fmax_hz=top)
    bins_hz = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    ramps = edges[:, None] - bins_hz[None, :]
    widths = np.diff(edges)
    rise = -ramps[:-2] / widths[:-1, None]
    fall = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rise, fall)).astype(np.float32)
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights


def mel_spectrogram(
    y: np.ndarray, sample_rate: float, *, n_fft: int, hop_length: int, n_mels: int
) -> np.ndarray:
    """Return the mel power spectrogram of a signal (:func:`stft_power` through :func:`mel_filterbank`).

    Parameters
    ----------
    y : numpy.ndarray
        Shape ``(samples,)``, finite.
    sample_rate : float > 0
        Samples per second [Hz].
    n_fft : int
        Frame length [samples], even.
    hop_length : int >= 1
        Samples between frames.
    n_mels : int >= 1
        Number of mel bands (0 Hz to Nyquist).

    Returns
    -------
    numpy.ndarray
        float32, shape ``(n_mels, 1 + samples // hop_length)``.

    Examples
    --------
    >>> y = np.random.default_rng(0).standard_normal(22050)
    >>> mel_spectrogram(y, 22050, n_fft=2048, hop_length=256, n_mels=64).shape
    (64, 87)
    """
    power = stft_power(y, n_fft=n_fft, hop_length=hop_length)
    # einsum, not @: its float32 sums are in the order librosa's are, so the bands match to the bit.
    return np.einsum("ft,mf->mt", power, mel_filterbank(sample_rate, n_fft, n_mels), optimize=True)


def power_to_db(
    power: np.ndarray, *, ref: float = 1.0, amin: float = 1e-10, top_db: float | None = 80.0
) -> np.ndarray:
    """Return ``10 * log10(power / ref)``, floored at ``amin`` and at ``top_db`` below the peak.

    Parameters
    ----------
    power : numpy.ndarray
        Non-negative powers, any shape.
    ref : float > 0
        Power of 0 dB.
    amin : float > 0
        Smallest power taken (and smallest ``ref``).
    top_db : float >= 0, optional
        Dynamic range kept below the loudest value [dB]; ``None`` keeps all.

    Returns
    -------
    numpy.ndarray
        Same shape and float precision as ``power`` [dB].

    Examples
    --------
    >>> power_to_db(np.array([1.0, 0.01, 0.0]))
    array([  0., -20., -80.])
    """
    if amin <= 0:
        raise ParameterError(f"amin must be > 0, got {amin}")
    if top_db is not None and top_db < 0:
        raise ParameterError(f"top_db must be >= 0, got {top_db}")
    s = np.asarray(power)
    log_spec = 10.0 * np.log10(np.maximum(amin, s))
    log_spec -= 10.0 * np.log10(np.maximum(amin, abs(ref)))
    if top_db is not None:
        log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def onset_strength(mel_db: np.ndarray, *, n_fft: int, hop_length: int) -> np.ndarray:
    """Return the spectral-flux onset envelope of a dB mel spectrogram.

    Each frame's value is the mean over bands of the rise in level since the previous frame
    (falls count as zero). The envelope is delayed by one frame for that difference and by
    ``n_fft // (2 * hop_length)`` frames so that a hit is reported where its frame ends up
    centred, and has as many frames as the spectrogram.

    Parameters
    ----------
    mel_db : numpy.ndarray
        Shape ``(bands, frames)`` [dB], as from :func:`power_to_db` of :func:`mel_spectrogram`.
    n_fft : int
        Frame length the spectrogram was made with [samples].
    hop_length : int >= 1
        Its hop [samples].

    Returns
    -------
    numpy.ndarray
        Shape ``(frames,)``, the precision of ``mel_db``, >= 0.

    Examples
    --------
    >>> mel_db = np.zeros((4, 20)); mel_db[:, 10:] = 12.0  # a step at frame 10
    >>> int(np.argmax(onset_strength(mel_db, n_fft=2048, hop_length=512)))  # 10 + 2 of centring
    12
    """
    _check_frames(n_fft, hop_length)
    s = np.atleast_2d(mel_db)
    flux = np.maximum(0.0, s[:, 1:] - s[:, :-1]).mean(axis=0)
    delay = 1 + n_fft // (2 * hop_length)
    return np.pad(flux, (delay, 0))[: s.shape[1]]


def _local_max(x: np.ndarray) -> np.ndarray:
    """Mark strict rises that do not fall on along the first axis (never the first, the last if it rose)."""
    peak = np.zeros(x.shape, dtype=bool)
    peak[1:-1] = (x[1:-1] > x[:-2]) & (x[1:-1] >= x[2:])
    peak[-1] = x[-1] > x[-2]
    return peak


def _parabolic_shift(x: np.ndarray) -> np.ndarray:
    """Return the offset of the parabola through each bin and its neighbours (0 beyond one bin)."""
    shift = np.zeros_like(x)
    a = x[2:] + x[:-2] - 2 * x[1:-1]
    b = (x[2:] - x[:-2]) / 2
    inside = np.abs(b) < np.abs(a)
    shift[1:-1] = np.where(inside, -b / np.where(inside, a, 1), 0)
    return shift


def _tuning(power: np.ndarray, sample_rate: float, n_fft: int) -> float:
    """Return the deviation from A440 tuning of the spectral peaks [fractions of a semitone].

    The peaks of 150 Hz to 4 kHz that reach a tenth of their frame's maximum are located by
    parabolic interpolation; the louder half vote in a histogram of 1-cent bins of their
    distance from the equal-tempered semitones.
    """
    bins_hz = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    in_band = ((bins_hz >= 150.0) & (bins_hz < min(4000.0, sample_rate / 2)))[:, None]
    shift = _parabolic_shift(power)
    skew = 0.5 * np.gradient(power, axis=0) * shift
    loud = power * (power > 0.1 * power.max(axis=0, keepdims=True))
    rows, cols = np.nonzero(in_band & _local_max(loud))
    if rows.size == 0:
        return 0.0
    pitch_hz = (rows + shift[rows, cols]) * float(sample_rate) / n_fft
    magnitude = power[rows, cols] + skew[rows, cols]
    voiced = pitch_hz > 0
    if not voiced.any():
        return 0.0
    chosen = pitch_hz[voiced & (magnitude >= np.median(magnitude[voiced]))]
    chosen = chosen[chosen > 0]
    if chosen.size == 0:
        return 0.0
    residual = np.mod(_N_CHROMA * np.log2(chosen / (440.0 / 16)), 1.0)
    residual[residual >= 0.5] -= 1.0
    counts, edges = np.histogram(residual, np.linspace(-0.5, 0.5, 101))
    return float(edges[np.argmax(counts)])


def _chroma_filterbank(sample_rate: float, n_fft: int, tuning: float) -> np.ndarray:
    """Return Gaussian pitch-class weights over the FFT bins (Ellis's chromagram), C first."""
    n = _N_CHROMA
    a440_hz = 440.0 * 2.0 ** (tuning / n)
    freqs_hz = np.linspace(0, sample_rate, n_fft, endpoint=False)[1:]
    frq_bins = n * np.log2(freqs_hz / (a440_hz / 16))
    frq_bins = np.concatenate(([frq_bins[0] - 1.5 * n], frq_bins))
    widths = np.concatenate((np.maximum(frq_bins[1:] - frq_bins[:-1], 1.0), [1]))
    distance = np.subtract.outer(frq_bins, np.arange(0, n, dtype="d")).T
    half = np.round(float(n) / 2)
    distance = np.remainder(distance + half + 10 * n, n) - half
    weights = np.exp(-0.5 * (2 * distance / widths[None, :]) ** 2)
    norms = np.sqrt(np.sum(weights**2, axis=0, keepdims=True))
    weights /= np.where(norms < np.finfo(float).tiny, 1.0, norms)
    weights *= np.exp(-0.5 * ((frq_bins / n - 5.0) / 2.0) ** 2)[None, :]  # octaves around C5
    return np.ascontiguousarray(np.roll(weights, -3, axis=0)[:, : 1 + n_fft // 2], dtype=np.float32)


def chroma_stft(y: np.ndarray, sample_rate: float, *, n_fft: int, hop_length: int) -> np.ndarray:
    """Return the chromagram of a signal: the energy of each of the 12 pitch classes, per frame.

    The tuning is estimated first (the spectral peaks' distance from A440 semitones), so a
    track a few cents sharp or flat is not smeared over two classes. Each frame is scaled so
    its largest class is 1.

    Parameters
    ----------
    y : numpy.ndarray
        Shape ``(samples,)``, finite.
    sample_rate : float > 0
        Samples per second [Hz].
    n_fft : int
        Frame length [samples], even (4096 at 22.05 kHz resolves a low bass line).
    hop_length : int >= 1
        Samples between frames.

    Returns
    -------
    numpy.ndarray
        float32, shape ``(12, 1 + samples // hop_length)``, rows C, C#, ..., B, in 0..1.

    Examples
    --------
    >>> y = np.sin(2 * np.pi * 440.0 * np.arange(22050) / 22050)
    >>> int(np.argmax(chroma_stft(y, 22050, n_fft=4096, hop_length=512)[:, 20]))  # A
    9
    """
    power = stft_power(y, n_fft=n_fft, hop_length=hop_length)
    tuning = _tuning(power, sample_rate, n_fft)
    # einsum, as in mel_spectrogram.
    raw = np.einsum("cf,ft->ct", _chroma_filterbank(sample_rate, n_fft, tuning), power, optimize=True)
    peak = np.abs(raw).astype(np.float64).max(axis=0, keepdims=True)
    peak[peak < np.finfo(np.float32).tiny] = 1.0
    return (raw / peak).astype(np.float32)


def mfcc(mel_db: np.ndarray, n_mfcc: int) -> np.ndarray:
    """Return the first ``n_mfcc`` mel-frequency cepstral coefficients (orthonormal DCT-II of the dB bands).

    Parameters
    ----------
    mel_db : numpy.ndarray
        Shape ``(bands, frames)`` [dB].
    n_mfcc : int
        Number of coefficients, 1..bands.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_mfcc, frames)``, the precision of ``mel_db``.

    Examples
    --------
    >>> mfcc(np.full((40, 3), -20.0), 13)[:2, 0].round(3)  # a flat spectrum is all in c0
    array([-126.491,    0.   ])
    """
    s = np.atleast_2d(mel_db)
    if isinstance(n_mfcc, bool) or int(n_mfcc) != n_mfcc or not 1 <= n_mfcc <= s.shape[0]:
        raise ParameterError(f"n_mfcc must be an integer in 1..{s.shape[0]}, got {n_mfcc!r}")
    return scipy.fft.dct(s, axis=0, type=2, norm="ortho")[: int(n_mfcc)]
