"""Dynamics: an offline peak limiter that keeps a long signal under a ceiling without pumping the rest.

:func:`peak_limit` looks ahead as far as it looks back: the gain needed at every sample
(``ceiling / |x|`` where the signal is over, 1 elsewhere) is spread to a minimum over a
window, then smoothed by a moving mean over the same window. Every value averaged for a
sample comes from a window that contains that sample, so the smoothed gain is never more
than the sample needs: the output never exceeds the ceiling, and the gain glides down and
back up over one window instead of stepping. Only the stretches around overs are touched.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from sonics.core.errors import ParameterError

__all__ = ["peak_limit"]


def peak_limit(
    audio: np.ndarray, sample_rate: int, *, ceiling_db: float = -1.0, window_ms: float = 5.0
) -> float:
    """Limit ``audio`` in place so that no sample exceeds ``ceiling_db``; return the deepest gain cut.

    Parameters
    ----------
    audio : numpy.ndarray
        Shape ``(channels, samples)``, float32 or float64, modified in place; every
        channel gets the same gain, so the stereo image stays.
    sample_rate : int
        Samples per second.
    ceiling_db : float
        Largest magnitude allowed (dBFS, <= 0).
    window_ms : float
        Half the time the gain takes to fall and recover around an over (ms, > 0).

    Returns
    -------
    float
        The deepest gain reduction applied (dB, <= 0; 0 when nothing was over).

    Raises
    ------
    ParameterError
        If ``audio`` is not 2-D or a setting is out of range.

    Examples
    --------
    >>> x = np.zeros((2, 4800)); x[:, 2400] = 2.0; x[:, 2300] = 0.5
    >>> round(peak_limit(x, 48000, ceiling_db=-6.0), 2), bool(np.abs(x).max() <= 10 ** (-6 / 20))
    (-12.02, True)
    """
    if audio.ndim != 2:
        raise ParameterError(f"audio must have shape (channels, samples), got {audio.shape}")
    if ceiling_db > 0 or window_ms <= 0:
        raise ParameterError(f"need ceiling_db <= 0 and window_ms > 0, got {ceiling_db} and {window_ms}")
    ceiling = 10.0 ** (ceiling_db / 20.0)
    if max(float(audio.max(initial=0.0)), -float(audio.min(initial=0.0))) <= ceiling:
        return 0.0  # the usual case, found without a copy of the signal
    magnitude = np.max(np.abs(audio), axis=0)
    over = np.flatnonzero(magnitude > ceiling)
    if over.size == 0:
        return 0.0
    half = max(1, round(window_ms * sample_rate / 1000.0))
    # stretches of overs closer than four windows are limited together
    breaks = np.flatnonzero(np.diff(over) > 4 * half)
    deepest = 1.0
    n = audio.shape[1]
    for first, last in zip(np.r_[over[0], over[breaks + 1]], np.r_[over[breaks], over[-1]], strict=True):
        lo, hi = max(0, first - 2 * half), min(n, last + 2 * half + 1)
        need = np.minimum(1.0, ceiling / np.maximum(magnitude[lo:hi], 1e-30))
        gain = uniform_filter1d(
            minimum_filter1d(need, 2 * half + 1, mode="nearest"), 2 * half + 1, mode="nearest"
        )
        gain = np.minimum(gain, need)  # the mean's rounding may sit a hair above what is needed
        audio[:, lo:hi] *= gain.astype(audio.dtype)
        deepest = min(deepest, float(gain.min()))
    return 20.0 * float(np.log10(deepest))
