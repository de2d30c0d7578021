"""Sync points: where a sound must land on its cue.

A hit lands by its **transient onset**; a whoosh or flyby by its **loudness peak**
(the sound rises into the moment and falls away after it). Both are measured on the
sound itself, so a library file with silence or room tone before its transient is
placed by the transient, not by the file start.
"""

from __future__ import annotations

import numpy as np

from sonics.core.errors import ParameterError

__all__ = ["onset_sample", "peak_sample"]


def _channels(audio: np.ndarray) -> np.ndarray:
    """Return ``audio`` as finite float64 of shape ``(channels, n > 0)``, or raise."""
    x = np.asarray(audio, dtype=np.float64)
    if x.ndim == 1:
        x = x[np.newaxis, :]
    if x.ndim != 2 or x.shape[1] == 0:
        raise ParameterError(f"audio must have shape (channels, n > 0), got {x.shape}")
    if not np.isfinite(x).all():
        raise ParameterError("audio holds NaN or infinite samples")
    return x


def _magnitude(audio: np.ndarray) -> np.ndarray:
    return np.max(np.abs(_channels(audio)), axis=0)


def onset_sample(
    audio: np.ndarray, sample_rate: int, threshold_db: float = -20.0, floor_db: float = -40.0
) -> int:
    """Return the sample where the sound's first transient starts.

    The loud part is found first on a 1 ms trailing RMS envelope (the first point within
    ``threshold_db`` of its maximum), which ignores low pre-roll; the onset is then the
    first sample of the run leading up to it whose magnitude stays above ``floor_db``
    relative to the sound's peak.

    Parameters
    ----------
    audio : numpy.ndarray
        Shape ``(channels, samples)`` or ``(samples,)``.
    sample_rate : int
        Samples per second.
    threshold_db : float
        Level re the envelope's maximum that marks the loud part (dB, < 0).
    floor_db : float
        Level re the peak magnitude below which a sample counts as quiet (dB, < 0).

    Returns
    -------
    int
        Sample index of the onset. For a transient that starts from silence this is
        its first non-silent sample.

    Examples
    --------
    >>> x = np.zeros(1000); x[400:] = np.exp(-np.arange(600) / 50.0)
    >>> onset_sample(x, 48000)
    400
    """
    magnitude = _magnitude(audio)
    if not magnitude.any():
        raise ParameterError("audio is silent: it has no onset")
    window = max(1, round(sample_rate / 1000))
    power = np.concatenate([np.zeros(window), np.cumsum(magnitude**2)])
    rms = np.sqrt(np.maximum(power[window:] - power[:-window], 0.0) / window)
    loud = int(np.argmax(rms >= rms.max() * 10 ** (threshold_db / 20)))
    floor = magnitude.max() * 10 ** (floor_db / 20)
    # Room tone before the transient lifts the floor above its own peaks: five times its
    # level (estimated from the median magnitude, robust to the odd click), measured up
    # to 5 ms before the loud point so the transient's rise does not count.
    head = magnitude[: max(0, loud - round(sample_rate * 0.005))]
    if head.size:
        floor = max(floor, 5.0 * float(np.median(head)) / 0.6745)
    quiet = magnitude[: loud + 1] < floor
    # The onset follows the last stretch of quiet (at least 0.25 ms) before the loud
    # point; single quiet samples inside a noisy rise are zero crossings, not silence.
    # The start of the sound counts as quiet, however short the silence after it.
    gap = max(1, round(sample_rate / 4000))
    counts = np.concatenate([[0], np.cumsum(np.concatenate([np.ones(gap, bool), quiet]))])
    ends = np.flatnonzero(counts[gap:] - counts[:-gap] == gap)
    return min(int(ends[-1]), loud)


def peak_sample(audio: np.ndarray, sample_rate: int, window_ms: float = 10.0) -> int:
    """Return the sample at the centre of the loudest ``window_ms`` of the sound.

    Parameters
    ----------
    audio : numpy.ndarray
        Shape ``(channels, samples)`` or ``(samples,)``.
    sample_rate : int
        Samples per second.
    window_ms : float
        Length of the centred RMS window (ms, > 0).

    Returns
    -------
    int
        Index of the first maximum of the centred mean-square envelope (the mean of the
        squares over all channels). It is measured only where the loudest window can be:
        a window's energy is at most that of the two back-to-back ``window_ms`` blocks it
        overlaps and the loudest window's at least the loudest block's, so only centres
        near a pair of blocks that reaches it are summed.

    Examples
    --------
    >>> t = np.arange(48000) / 48000.0
    >>> peak_sample(np.exp(-((t - 0.6) ** 2) / 0.01) * np.sin(2e3 * t), 48000) in range(28700, 28900)
    True
    """
    if window_ms <= 0:
        raise ParameterError(f"window_ms must be > 0, got {window_ms}")
    x = _channels(audio)
    if not x.any():
        raise ParameterError("audio is silent: it has no peak")
    window = max(1, round(window_ms * sample_rate / 1000))
    # the mean square over the channels, summed row by row (as numpy's mean sums them, and
    # several times faster than its reduction over a short first axis)
    power = x[0] ** 2
    for row in x[1:]:
        power += row**2
    if x.shape[0] > 1:
        power /= x.shape[0]
    lo, hi = _loudest_span(power, window)
    # sums over the window centred on each sample of [lo, hi) (samples beyond the ends count as
    # zero), from running totals of the power around it: their argmax is the centred mean's
    half = window // 2
    first = lo - half  # the first sample the window centred on lo reads
    around = np.zeros(hi - lo + window)
    a, b = max(first, 0), min(hi - half + window - 1, power.size)
    around[a - first + 1 : b - first + 1] = power[a:b]
    totals = np.cumsum(around)
    return lo + int(np.argmax(totals[window:] - totals[: hi - lo]))


def _loudest_span(power: np.ndarray, window: int) -> tuple[int, int]:
    """Return the samples ``[lo, hi)`` whose centred ``window`` of ``power`` can be the loudest."""
    n_blocks = power.size // window
    if n_blocks < 4:
        return 0, power.size
    energy = power[: n_blocks * window].reshape(n_blocks, window).sum(axis=1)
    tail = float(power[n_blocks * window :].sum())  # the last, partial block
    # pair k: the windows that overlap blocks k - 1 and k (block -1, before the sound, is silence);
    # 1e-9: the running totals round differently from these sums
    pairs = np.concatenate([energy[:1], energy[:-1] + energy[1:], [energy[-1] + tail]])
    candidates = np.flatnonzero(pairs >= float(energy.max()) * (1.0 - 1e-9))
    return max(0, (int(candidates[0]) - 2) * window), min(power.size, (int(candidates[-1]) + 2) * window)
