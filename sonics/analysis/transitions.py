"""Gradual transitions: fades through black, and dissolves.

**Fades.** A fade-out is a run of frames whose brightness and contrast fall steadily
into black; a fade-in rises out of black. Found from the mean-luma and contrast curves
around each run of black frames (and at the very start and end of the picture).

**Dissolves.** Mid-dissolve, a frame is a mix of the frames on either side of the
dissolve: ``M ~ (1 - a) A + a B``. For each frame ``t`` and half-widths ``h``, the
frames ``A = t - h`` and ``B = t + h`` are tested: they must differ like two shots do,
the frame between must be a blend of them (a pan or a rider crossing is not), and no
hard cut may lie between. The blend weight ``a`` of each frame then gives the exact
first and last blended frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonics.analysis.features import FrameFeatures
from sonics.core.model import CutKind

__all__ = ["Transition", "find_dissolves", "find_fades"]

_BLACK_LUMA = 26.0  # mean luma under which a frame is black (video-range black is 16)
_BLACK_CONTRAST = 6.0
_TREND_FRAMES = 3  # a fade goes on while the picture brightens over this many frames
_TREND_RISE = 0.5  # by at least this much (luma + contrast)
_FAINT = 1.0  # luma + contrast above a black run's floor where a fade begins


@dataclass(frozen=True, slots=True)
class Transition:
    """A gradual transition over frames ``[start_frame, end_frame]`` (inclusive)."""

    kind: CutKind
    start_frame: int
    end_frame: int
    frame: int
    score: float


def _is_black(features: FrameFeatures) -> np.ndarray:
    return (features.mean_luma < _BLACK_LUMA) & (features.contrast < _BLACK_CONTRAST)


def find_fades(features: FrameFeatures, *, min_frames: int = 3, min_change: float = 20.0) -> list[Transition]:
    """Return the fades to and from black.

    Parameters
    ----------
    features : FrameFeatures
        Per-frame measurements.
    min_frames : int >= 1
        Shortest ramp that is a fade rather than a cut to black [frames].
    min_change : float > 0
        Rise in mean luma from black to the end of the ramp (0..255).
    """
    luma = features.mean_luma.astype(np.float64)
    contrast = features.contrast.astype(np.float64)
    black = _is_black(features)
    n = len(luma)
    fades: list[Transition] = []
    level = luma + contrast  # grows with both brightness and contrast as a fade opens
    t = 0
    while t < n:
        if not black[t]:
            t += 1
            continue
        run_end = t
        while run_end + 1 < n and black[run_end + 1]:
            run_end += 1
        # The run's own darkest level; the faint first and last frames of a fade sit
        # just above it and belong to the fade, not to the black.
        floor = level[t : run_end + 1].min() + _FAINT
        first_black = t
        while first_black <= run_end and level[first_black] > floor:
            first_black += 1
        last_black = run_end
        while last_black >= first_black and level[last_black] > floor:
            last_black -= 1
        if first_black > last_black:  # no truly black frame: the fades meet at the darkest one
            first_black = last_black = t + int(np.argmin(level[t : run_end + 1]))
        # Fade-out into the black: walk back while the picture keeps getting brighter.
        s = first_black - 1
        while s - 1 >= 0 and level[max(0, s - _TREND_FRAMES)] > level[s] + _TREND_RISE:
            s -= 1
        if s >= 0 and first_black - s >= min_frames and luma[s] - luma[first_black] >= min_change:
            fades.append(Transition(CutKind.FADE_OUT, s, first_black - 1, first_black, 1.0))
        # Fade-in out of it: walk forward while the picture keeps getting brighter.
        e = last_black + 1
        while e + 1 < n and level[min(n - 1, e + _TREND_FRAMES)] > level[e] + _TREND_RISE:
            e += 1
        if e < n and e - last_black >= min_frames and luma[e] - luma[last_black] >= min_change:
            fades.append(Transition(CutKind.FADE_IN, last_black + 1, e, last_black + 1, 1.0))
        t = run_end + 1
    return fades


def _blend_fit(thumbs: np.ndarray, a: int, b: int, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return blend weights and relative residuals of ``frames`` between thumbs a and b."""
    ta, tb = thumbs[a], thumbs[b]
    diff = tb - ta
    norm2 = float((diff * diff).sum()) + 1e-6
    m = thumbs[frames] - ta
    alpha = (m @ diff) / norm2
    resid = np.linalg.norm(m - alpha[:, None] * diff[None, :], axis=1) / np.sqrt(norm2)
    return alpha, resid


def find_dissolves(
    features: FrameFeatures,
    hard_cuts: list[int],
    *,
    half_widths: tuple[int, ...] = (3, 5, 8, 12, 18, 24),
    min_difference: float = 0.45,
    max_residual: float = 0.3,
    exclude: list[tuple[int, int]] | None = None,
) -> list[Transition]:
    """Return the dissolves.

    Parameters
    ----------
    features : FrameFeatures
        Per-frame measurements.
    hard_cuts : list of int
        Hard cut frames; no dissolve spans one.
    half_widths : tuple of int
        Half-lengths of the dissolves looked for [frames]; 24 finds dissolves up to
        about two seconds at 24 fps.
    min_difference : float in (0, 1)
        How unlike the two ends must be (1 - their correlation).
    max_residual : float > 0
        How far the middle frame may be from a blend of the ends, relative to the
        difference between the ends.
    exclude : list of (int, int), optional
        Frame ranges already explained (fades), left alone.
    """
    thumbs = features.thumbs.reshape(len(features.thumbs), -1).astype(np.float32)
    n = len(thumbs)
    centred = thumbs - thumbs.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1) + 1e-6
    cum_shift = np.concatenate([[0.0], np.cumsum(np.linalg.norm(features.shift_px[1:], axis=1))])
    cut_mask = np.zeros(n + 1, dtype=np.int64)
    for c in hard_cuts:
        cut_mask[c] = 1
    cut_count = np.cumsum(cut_mask)
    blocked = np.zeros(n, dtype=bool)
    for s, e in exclude or []:
        blocked[max(0, s) : min(n, e + 1)] = True
    blocked_count = np.concatenate([[0], np.cumsum(blocked)])
    flat = features.contrast < _BLACK_CONTRAST
    candidates: list[tuple[float, int, int]] = []
    for h in half_widths:
        if 2 * h >= n:
            break
        a = np.arange(0, n - 2 * h)
        b, m = a + 2 * h, a + h
        corr = (centred[a] * centred[b]).sum(axis=1) / (norms[a] * norms[b])
        difference = 1.0 - corr
        mid = 0.5 * (thumbs[a] + thumbs[b])
        resid = np.linalg.norm(thumbs[m] - mid, axis=1) / (np.linalg.norm(thumbs[b] - thumbs[a], axis=1) + 1e-6)
        no_cut = cut_count[b] - cut_count[a] == 0
        free = blocked_count[b + 1] - blocked_count[a] == 0
        # Long camera travel makes any two frames unlike; a dissolve is judged on steady ground.
        steady = cum_shift[b] - cum_shift[a] < 0.35 * features.width
        ok = (difference > min_difference) & (resid < max_residual) & no_cut & free & steady
        ok &= ~flat[a] & ~flat[b]
        for i in np.flatnonzero(ok):
            candidates.append((float(resid[i]) - 0.2 * float(difference[i]), int(m[i]), h))
    dissolves: list[Transition] = []
    for _, centre, h in sorted(candidates):
        a, b = centre - h, centre + h
        if any(t.start_frame - 1 <= centre <= t.end_frame + 1 for t in dissolves):
            continue
        # Extend outwards to the unblended frames, then fit each frame's blend weight.
        lo, hi = max(0, a - h), min(n - 1, b + h)
        lo = max([lo, *[c for c in hard_cuts if c <= a]])
        hi = min([hi, *[c - 1 for c in hard_cuts if c > b]])
        frames = np.arange(lo, hi + 1)
        alpha, resid = _blend_fit(thumbs, a, b, frames)
        inside = (alpha > 0.04) & (alpha < 0.96) & (resid < 2 * max_residual)
        idx = int(np.searchsorted(frames, centre))
        if not inside[idx]:
            continue
        s = idx
        while s - 1 >= 0 and inside[s - 1] and alpha[s - 1] < alpha[s] + 0.02:
            s -= 1
        e = idx
        while e + 1 < len(frames) and inside[e + 1] and alpha[e + 1] > alpha[e] - 0.02:
            e += 1
        if e - s < 1:
            continue
        start, end = int(frames[s]), int(frames[e])
        first_new = int(frames[s + int(np.argmax(alpha[s : e + 1] >= 0.5))])
        if any(not (end < t.start_frame or start > t.end_frame) for t in dissolves):
            continue
        dissolves.append(Transition(CutKind.DISSOLVE, start, end, first_new, 1.0))
    return sorted(dissolves, key=lambda t: t.start_frame)
