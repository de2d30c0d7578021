"""Beat tracking by dynamic programming (Ellis 2007), in numpy: the tempo, then the best beat path.

1. **Tempo**: the onset envelope's autocorrelation in 8 s Hann windows (each normalised by
   its zero lag, then averaged over the track) is weighted by a log-normal prior around
   ``start_bpm`` (one octave standard deviation); the best lag below 320 BPM is the period.
2. **Local score**: the envelope over its standard deviation, smoothed by a Gaussian of a
   32nd of the period.
3. **Dynamic program**: the best score of a path of beats ending at frame ``t`` is
   ``C[t] = local[t] + max over tau in [t - 2P, t - P/2] of C[tau] - tightness * log((t - tau) / P)**2``;
   frames before the first clear onset (a hundredth of the largest) start no path. The
   path is traced back from the last local maximum of ``C`` that reaches half their median.
4. **Trim**: beats at the ends where the local score is no more than a threshold are
   dropped: zero (silence), or with ``trim`` half the RMS of the smoothed beat strengths.

This is librosa 0.11's ``beat.beat_track`` (the same definitions, so the same beats) without
its numba: the recursion's window max is taken for a block of ``P / 2`` frames at once (no
frame of a block can be another's predecessor), some 60 numpy steps for 30 s of music.

Reference: D. P. W. Ellis, "Beat tracking by dynamic programming", J. New Music Research
36(1), 2007.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import get_window

from sonics.core.errors import ParameterError

__all__ = ["estimate_bpm", "track_beat_frames"]

_AC_BLOCK_FRAMES = 512
"""Windows autocorrelated at once (bounds the memory for long tracks)."""
_FIRST_BEAT_SHARE = 0.01
"""A path starts only at a local score of this share of the largest."""


def _check_onset(onset: np.ndarray, frame_rate_hz: float) -> np.ndarray:
    env = np.asarray(onset)
    if env.ndim != 1 or env.size < 2 or not np.isfinite(env).all():
        raise ParameterError(f"onset must be finite with shape (n_frames >= 2,), got shape {env.shape}")
    if not np.isfinite(frame_rate_hz) or frame_rate_hz <= 0:
        raise ParameterError(f"frame_rate_hz must be > 0, got {frame_rate_hz}")
    return env


def estimate_bpm(
    onset: np.ndarray,
    frame_rate_hz: float,
    *,
    start_bpm: float = 120.0,
    std_octaves: float = 1.0,
    window_s: float = 8.0,
    max_bpm: float = 320.0,
) -> float:
    """Return the tempo of an onset envelope: its strongest periodicity, weighted towards ``start_bpm``.

    Parameters
    ----------
    onset : numpy.ndarray
        Onset strength, shape ``(n_frames,)``, finite, >= 0.
    frame_rate_hz : float > 0
        Frames per second of the envelope [Hz].
    start_bpm : float > 0
        Centre of the log-normal tempo prior [BPM].
    std_octaves : float > 0
        Its standard deviation [octaves].
    window_s : float > 0
        Autocorrelation window [s]; the longest period considered.
    max_bpm : float > 0
        Fastest tempo considered [BPM].

    Returns
    -------
    float
        ``60 * frame_rate_hz / lag`` for the best whole lag [BPM].

    Raises
    ------
    ParameterError
        If the envelope or a parameter is out of range.

    Examples
    --------
    >>> onset = np.zeros(2000); onset[::43] = 1.0  # a pulse every 43 frames
    >>> round(estimate_bpm(onset, 22050 / 256), 1)
    120.2
    """
    env = _check_onset(onset, frame_rate_hz)
    for name, value in (("start_bpm", start_bpm), ("std_octaves", std_octaves), ("max_bpm", max_bpm)):
        if not np.isfinite(value) or value <= 0:
            raise ParameterError(f"{name} must be > 0, got {value}")
    n_lags = int(np.floor(window_s * frame_rate_hz))
    if n_lags < 2:
        raise ParameterError(f"window_s must span at least 2 frames, got {window_s}")
    window = get_window("hann", n_lags, fftbins=True)
    padded = np.pad(env, n_lags // 2, mode="linear_ramp", end_values=0)
    windows = sliding_window_view(padded, n_lags)[: env.size]
    n_fft = scipy.fft.next_fast_len(2 * n_lags - 1, real=True)
    total = np.zeros(n_lags)
    for start in range(0, env.size, _AC_BLOCK_FRAMES):
        spectrum = scipy.fft.rfft(windows[start : start + _AC_BLOCK_FRAMES] * window, n=n_fft, axis=1)
        ac = scipy.fft.irfft(spectrum.real**2 + spectrum.imag**2, n=n_fft, axis=1)[:, :n_lags]
        peak = np.abs(ac).max(axis=1, keepdims=True)
        total += (ac / np.where(peak < np.finfo(np.float64).tiny, 1.0, peak)).sum(axis=0)
    strength = total[1:] / env.size
    lag_bpm = 60.0 * frame_rate_hz / np.arange(1, n_lags)
    log_prior = -0.5 * ((np.log2(lag_bpm) - np.log2(start_bpm)) / std_octaves) ** 2
    log_prior[lag_bpm >= max_bpm] = -np.inf
    return float(lag_bpm[np.argmax(np.log1p(1e6 * strength) + log_prior)])


def _local_score(onset: np.ndarray, period: int) -> np.ndarray:
    """Return the envelope over its standard deviation, smoothed by a Gaussian of ``period / 32`` frames.

    float64, and frame 0 left out of the smoothing, as librosa 0.11 has it (an onset
    envelope is zero there anyway: it is delayed by at least the one frame of its difference).
    """
    normed = onset / (onset.std(ddof=1) + np.finfo(onset.dtype).tiny)
    normed[0] = 0.0
    window = np.exp(-0.5 * (np.arange(-period, period + 1) * 32.0 / period) ** 2)
    return np.convolve(normed, window, mode="same")


def _dp(local: np.ndarray, period: int, tightness: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the back-links and cumulative scores of the beat dynamic program.

    Frame ``t`` may follow ``tau = t - d`` for ``d`` in ``[round(P / 2), 2 P]``. A block of
    ``round(P / 2)`` frames is solved at once: all its predecessors lie before it. The nearest
    predecessor wins a tie (``argmax`` takes the first, smallest ``d``).
    """
    n = local.size
    half = int(np.round(period / 2))
    gaps = np.arange(half, 2 * period + 1)
    penalty = tightness * (np.log(gaps) - np.log(period)) ** 2
    cumscore = np.empty(n)
    backlink = np.full(n, -1, dtype=np.int64)
    for start in range(0, n, half):
        frames = np.arange(start, min(start + half, n))
        before = frames[:, None] - gaps[None, :]
        scores = np.where(before >= 0, cumscore[np.maximum(before, 0)] - penalty, -np.inf)
        best = np.argmax(scores, axis=1)
        has = before[:, 0] >= 0
        best_score = scores[np.arange(frames.size), best]
        cumscore[frames] = local[frames] + np.where(has, best_score, 0.0)
        backlink[frames] = np.where(has, frames - gaps[best], -1)
    starts = local >= _FIRST_BEAT_SHARE * local.max()
    backlink[: int(np.argmax(starts)) if starts.any() else n] = -1
    return backlink, cumscore


def _last_beat(cumscore: np.ndarray) -> int:
    """Return the last local maximum of the cumulative score that reaches half their median."""
    peak = np.zeros(cumscore.size, dtype=bool)
    peak[1:-1] = (cumscore[1:-1] > cumscore[:-2]) & (cumscore[1:-1] >= cumscore[2:])
    peak[-1] = cumscore[-1] > cumscore[-2]
    if not peak.any():
        return cumscore.size - 1
    good = np.flatnonzero(peak & (cumscore >= 0.5 * np.median(cumscore[peak])))
    return int(good[-1]) if good.size else cumscore.size - 1


def _trim(local: np.ndarray, beats: np.ndarray, trim: bool) -> np.ndarray:
    """Drop the beats at either end where the local score is at most the threshold."""
    threshold = 0.0
    if trim:
        # librosa 0.11: the Hann-smoothed beat strengths as a full convolution less its first
        # two samples, so its RMS (and the beats kept) are librosa's.
        smooth = np.convolve(local[beats], np.hanning(5))[2 : local.size + 2]
        threshold = 0.5 * float(np.sqrt(np.mean(smooth**2)))
    strong = np.flatnonzero(local > threshold)
    if strong.size == 0:
        return beats[:0]
    return beats[(beats >= strong[0]) & (beats <= strong[-1])]


def track_beat_frames(
    onset: np.ndarray,
    frame_rate_hz: float,
    *,
    start_bpm: float = 120.0,
    bpm: float | None = None,
    tightness: float = 100.0,
    trim: bool = True,
) -> np.ndarray:
    """Return the frames of the beats of an onset envelope, by dynamic programming.

    Parameters
    ----------
    onset : numpy.ndarray
        Onset strength, shape ``(n_frames,)``, finite, >= 0.
    frame_rate_hz : float > 0
        Frames per second of the envelope [Hz].
    start_bpm : float > 0
        Centre of the tempo prior of :func:`estimate_bpm` [BPM].
    bpm : float > 0, optional
        The tempo, if known; by default :func:`estimate_bpm`. The beat period is rounded to
        whole frames and must be at least 2.
    tightness : float > 0
        How strongly the beats keep to the period (the weight of the squared log deviation).
    trim : bool
        Drop weak beats at the ends (below half the RMS of the smoothed beat strengths);
        without it only beats in silence at the ends are dropped.

    Returns
    -------
    numpy.ndarray
        int64 frame indices, increasing; empty if the envelope is all zero.

    Raises
    ------
    ParameterError
        If the envelope or a parameter is out of range.

    Examples
    --------
    >>> onset = np.zeros(1000); onset[20::43] = 1.0
    >>> frames = track_beat_frames(onset, 22050 / 256)
    >>> frames[:4], bool(np.all(np.diff(frames) == 43))
    (array([ 20,  63, 106, 149]), True)
    """
    env = _check_onset(onset, frame_rate_hz)
    if not np.isfinite(tightness) or tightness <= 0:
        raise ParameterError(f"tightness must be > 0, got {tightness}")
    if bpm is not None and (not np.isfinite(bpm) or bpm <= 0):
        raise ParameterError(f"bpm must be > 0, got {bpm}")
    if not env.any():
        return np.zeros(0, dtype=np.int64)
    if bpm is None:
        bpm = estimate_bpm(env, frame_rate_hz, start_bpm=start_bpm)
    period = int(np.round(frame_rate_hz * 60.0 / bpm))
    if period < 2:
        raise ParameterError(f"the beat period must be at least 2 frames, got {period} at {bpm} BPM")
    if env.dtype not in (np.float32, np.float64):
        env = env.astype(np.float64)
    local = _local_score(env, period)
    backlink, cumscore = _dp(local, period, float(tightness))
    path = [_last_beat(cumscore)]
    while backlink[path[-1]] >= 0:
        path.append(int(backlink[path[-1]]))
    return _trim(local, np.array(path[::-1], dtype=np.int64), trim)
