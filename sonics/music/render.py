"""Play a :class:`~sonics.music.edit.FitEdit`: every piece warped along its map, joined by crossfades.

Each piece is rendered from a little before its start (the crossfade and its lead) to a
little before its end, time-stretched by :func:`sonics.dsp.stretch.warp` (pitch kept,
transients copied), and overlapped with its neighbours. The crossfade law follows how alike
the two sides are: equal gain for correlated signals (the same bar played twice), equal
power for uncorrelated ones, and in between by their correlation, so the join neither dips
nor swells. Every crossfade ends ``crossfade_lead_samples`` before the new piece's downbeat,
so the hit on it is heard from the new piece alone.
"""

from __future__ import annotations

import numpy as np

from sonics.dsp.stretch import find_transients, warp
from sonics.music.edit import FitEdit

__all__ = ["render_fit"]


def _fade_gains(x: int, correlation: float) -> tuple[np.ndarray, np.ndarray]:
    """Return (fade-out, fade-in) gains over ``x`` samples for two signals of this correlation."""
    t = (np.arange(x) + 0.5) / x
    rho = float(np.clip(correlation, 0.0, 1.0))
    power_in, power_out = np.sin(0.5 * np.pi * t), np.cos(0.5 * np.pi * t)
    gain_in = 0.5 - 0.5 * np.cos(np.pi * t)
    return (1 - rho) * power_out + rho * (1 - gain_in), (1 - rho) * power_in + rho * gain_in


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.mean(axis=0), b.mean(axis=0)
    denominator = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    return float(np.dot(a, b) / denominator) if denominator > 0 else 0.0


def render_fit(audio: np.ndarray, edit: FitEdit, *, transients: np.ndarray | None = None) -> np.ndarray:
    """Render the fitted track: exactly ``edit.n_samples`` samples, as many channels as ``audio``.

    Parameters
    ----------
    audio : numpy.ndarray
        The source, shape ``(channels, edit.source_n_samples)``, at ``edit.sample_rate``.
    edit : FitEdit
        What to play where.
    transients : numpy.ndarray, optional
        The source's onsets [samples], kept rigid by the stretch; found when not given.

    Returns
    -------
    numpy.ndarray, float32
        Shape ``(channels, edit.n_samples)``.

    Examples
    --------
    >>> from sonics.music.edit import FitEdit, Piece
    >>> edit = FitEdit(48000, 960, 1000, (Piece(0, 960, (0.0, 960.0), (20.0, 980.0)),), 0)
    >>> render_fit(np.ones((2, 1000), np.float32), edit).shape
    (2, 960)
    """
    x = np.asarray(audio, dtype=np.float32)
    if transients is None:
        transients = find_transients(x, edit.sample_rate)
    n_out = edit.n_samples
    out = np.zeros((x.shape[0], n_out), dtype=np.float64)
    fade, lead = edit.crossfade_samples, edit.crossfade_lead_samples
    previous_tail: tuple[int, np.ndarray] | None = None
    last = len(edit.pieces) - 1
    for i, piece in enumerate(edit.pieces):
        start = piece.out_start - (fade + lead if i else 0)
        end = piece.out_end - (lead if i < last else 0)
        first = max(start, 0)
        chunk = warp(
            x,
            np.asarray(piece.map_out) - first,
            np.asarray(piece.map_in),
            end - first,
            sample_rate=edit.sample_rate,
            transients=transients,
        ).astype(np.float64)
        if i and fade:
            head = chunk[:, start - first : start - first + fade] if start >= 0 else chunk[:, :0]
            at, tail = previous_tail if previous_tail is not None else (0, chunk[:, :0])
            n = min(head.shape[1], tail.shape[1])
            if n:
                gain_out, gain_in = _fade_gains(n, _correlation(tail[:, :n], head[:, :n]))
                out[:, at : at + n] *= gain_out
                chunk[:, start - first : start - first + n] *= gain_in
        if i < last and fade:
            tail_at = end - fade
            out_slice = chunk[:, : end - first]
            out[:, first:end] += out_slice
            previous_tail = (tail_at, out[:, tail_at:end].copy())
        else:
            out[:, first:end] += chunk[:, : end - first]
    if edit.fade_in_samples:
        n = min(edit.fade_in_samples, n_out)
        out[:, :n] *= np.sin(0.5 * np.pi * (np.arange(n) + 0.5) / n) ** 2
    if edit.fade_out_samples:
        n = min(edit.fade_out_samples, n_out)
        out[:, n_out - n :] *= np.cos(0.5 * np.pi * (np.arange(n) + 0.5) / n) ** 2
    return out.astype(np.float32)
