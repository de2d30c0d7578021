"""Gradual transitions: fades through black, and dissolves.

**Fades.** A fade-out is a run of frames whose brightness and contrast fall steadily
into black; a fade-in rises out of black. Found from the mean-luma and contrast curves
around each run of black frames (and at the very start and end of the picture).

**Dissolves.** Mid-dissolve, a frame is a mix of the frames on either side of the
dissolve, ``M ~ (1 - a) A + a B``, and every pixel walks steadily from A to B. Windows
``[t - h, t + h]`` whose ends differ like two shots do, and whose pixels walked there
in a straight line, hold a dissolve; the blend weight ``a`` of each frame between the
clean ends of the widest such window gives the first and last blended frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonics.analysis.features import SPAN_HALF_WIDTHS, FrameFeatures, thumb_change
from sonics.core.model import CutKind

__all__ = ["Transition", "find_dissolves", "find_fades"]

_BLACK_LUMA = 26.0  # mean luma under which a frame is black (video-range black is 16)
_BLACK_CONTRAST = 6.0
_DARK_SHARE = 0.25  # a frame this much darker than its surroundings is a fade's deep end
_SAME_PICTURE_CHANGE = 0.3  # thumbnail change (1 - correlation) still "the same picture"
_DIM_RATIO_SLACK = 1.4  # how far contrast / brightness may drift along a fade
_VISIBLE_LUMA = 12.0  # luma above black from which a faint picture can be compared
_TREND_FRAMES = 3  # a fade goes on while the picture brightens over this many frames
_TREND_RISE = 0.5  # by at least this much (luma + contrast)
_TREND_SHARE = 0.02  # plus this share of its level, so a shot's own drift does not extend it
_VIDEO_BLACK = 16.0  # luma of black in video range; full-range black (0) is lower still
_FAINT = 1.0  # luma + contrast above a black run's floor where a fade begins


@dataclass(frozen=True, slots=True)
class Transition:
    """A gradual transition over frames ``[start_frame, end_frame]`` (inclusive)."""

    kind: CutKind
    start_frame: int
    end_frame: int
    frame: int
    score: float


def _is_dark(features: FrameFeatures) -> np.ndarray:
    """Black frames, and frames far darker than the picture around them (a fade's deep end)."""
    luma, contrast = features.mean_luma, features.contrast
    level = luma + contrast
    reach = 2 * max(SPAN_HALF_WIDTHS)
    padded = np.pad(level, reach, mode="edge")
    nearby = np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1).max(axis=1)
    black = (luma < _BLACK_LUMA) & (contrast < _BLACK_CONTRAST)
    return black | ((level < _DARK_SHARE * nearby) & (luma < 2 * _BLACK_LUMA))


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
    black = _is_dark(features)
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
        floor = min(level[t : run_end + 1].min(), _VIDEO_BLACK) + _FAINT
        first_black = t
        while first_black <= run_end and level[first_black] > floor:
            first_black += 1
        last_black = run_end
        while last_black >= first_black and level[last_black] > floor:
            last_black -= 1
        if first_black > last_black:  # no truly black frame: the fades meet at the darkest one
            first_black = last_black = t + int(np.argmin(level[t : run_end + 1]))
            if first_black == 0:  # the picture opens mid-fade: its first frame is already faint
                last_black = -1
            elif first_black == n - 1:  # and closes on a faint frame
                first_black = n
        # Fade-out into the black: walk back while the picture keeps getting brighter.
        s = first_black - 1
        while s - 1 >= 0 and level[max(0, s - _TREND_FRAMES)] > level[s] * (1 + _TREND_SHARE) + _TREND_RISE:
            s -= 1
        # s is the last frame at full level; the ramp starts after it.
        black_luma = luma[min(first_black, n - 1)] if first_black < n else min(luma[-1], _VIDEO_BLACK)
        if (
            s >= 0
            and first_black - s > min_frames
            and luma[s] - black_luma >= min_change
            and _same_picture(features, min(first_black, n - 1), s)
        ):
            fades.append(Transition(CutKind.FADE_OUT, s + 1, first_black - 1, first_black, 1.0))
        # Fade-in out of it: walk forward while the picture keeps getting brighter.
        e = last_black + 1
        while (
            e + 1 < n and level[min(n - 1, e + _TREND_FRAMES)] > level[e] * (1 + _TREND_SHARE) + _TREND_RISE
        ):
            e += 1
        # e is the first frame at full level; the ramp ends before it.
        black_luma = luma[last_black] if last_black >= 0 else min(luma[0], _VIDEO_BLACK)
        if (
            e < n
            and e - last_black > min_frames
            and luma[e] - black_luma >= min_change
            and _same_picture(features, max(last_black, 0), e)
        ):
            fades.append(Transition(CutKind.FADE_IN, last_black + 1, e - 1, last_black + 1, 1.0))
        t = run_end + 1
    return fades


def _same_picture(features: FrameFeatures, a: int, b: int) -> bool:
    """Whether a ramp between its dark end ``a`` and bright end ``b`` dims one picture, not mixes two.

    A truly black end carries no picture and agrees with anything; a frame that is only
    dark must still show the picture at the other end of the ramp, or the ramp is a
    dissolve into a dark shot.
    """
    luma, contrast = features.mean_luma, features.contrast
    truly_black = (luma < _BLACK_LUMA) & (contrast < _BLACK_CONTRAST)
    if truly_black[a] or truly_black[b]:
        return True
    black = min(_VIDEO_BLACK, float(luma[a]))  # video-range black, or lower in a full-range file
    # Judge the dark end where the picture is bright enough to rise above coding noise.
    step = 1 if b > a else -1
    while a != b and luma[a] - black < _VISIBLE_LUMA:
        a += step
    if a == b:
        return True
    # Dimming scales brightness above black and contrast alike: their ratio holds.
    ratio_a = contrast[a] / max(luma[a] - black, 1.0)
    ratio_b = contrast[b] / max(luma[b] - black, 1.0)
    if not 1 / _DIM_RATIO_SLACK < ratio_b / max(ratio_a, 1e-6) < _DIM_RATIO_SLACK:
        return False
    first = features.thumbs[a].astype(np.float32).ravel()
    last = features.thumbs[b].astype(np.float32).ravel()
    return bool(thumb_change(first, last) < _SAME_PICTURE_CHANGE)


def _blend_fit(thumbs: np.ndarray, a: int, b: int, frames: np.ndarray) -> np.ndarray:
    """Return each frame's blend weight between thumbnails ``a`` (0) and ``b`` (1)."""
    ta, tb = thumbs[a].astype(np.float32).ravel(), thumbs[b].astype(np.float32).ravel()
    diff = tb - ta
    norm2 = float((diff * diff).sum()) + 1e-6
    between = thumbs[frames].astype(np.float32).reshape(len(frames), -1)
    return ((between - ta) @ diff) / norm2


def find_dissolves(
    features: FrameFeatures,
    hard_cuts: list[int],
    *,
    min_consistency: float = 0.6,
    min_change: float = 0.1,
    min_net_share: float = 0.25,
    min_windows: int = 2,
    min_frames: int = 4,
    exclude: list[tuple[int, int]] | None = None,
) -> list[Transition]:
    """Return the dissolves.

    A window ``[t - h, t + h]`` holds a dissolve when the picture changes a lot between
    its ends (``min_change``, the match cost between them) and changes steadily on the
    way, in one direction: the net luma change, camera travel removed, is at least
    ``min_consistency`` of the sum of the frame-to-frame changes. A pan or a rider
    crossing walks far and ends near where it began; a dissolve walks straight.

    Parameters
    ----------
    features : FrameFeatures
        Per-frame measurements, with ``span_cost``.
    hard_cuts : list of int
        Hard cut frames; no dissolve spans one.
    min_consistency : float in [0.6, 1]
        Least share of the frame-to-frame change that adds up between the ends (the
        features measure only windows from 0.6 up, so a lower value changes nothing).
    min_change : float in (0, 1]
        Least match cost between the ends.
    min_net_share : float > 0
        Least net luma change, as a share of the ends' contrast (standard deviation).
    min_windows : int >= 1
        Least number of overlapping windows that must agree on a dissolve.
    min_frames : int >= 2
        Shortest dissolve [frames]; a shorter blend is motion, not an editor's transition.
    exclude : list of (int, int), optional
        Inclusive frame ranges no window may touch (fades, flashes).
    """
    thumbs = features.thumbs  # float16; only the frames around a candidate are widened
    n = len(thumbs)
    touched = np.zeros(n + 1, dtype=np.int64)
    for c in hard_cuts:
        touched[c] = 1
    for s, e in exclude or []:
        touched[max(0, s) : min(n, e + 1)] = 1
    touched_count = np.concatenate([[0], np.cumsum(touched)])
    match, consistency, net = (features.span_cost[:, :, i] for i in range(3))
    contrast = features.contrast
    windows: list[tuple[int, int]] = []
    for k, h in enumerate(SPAN_HALF_WIDTHS):
        if n <= 2 * h:
            break
        ends = np.full(n, np.inf, dtype=np.float32)
        ends[h : n - h] = 0.5 * (contrast[: n - 2 * h] + contrast[2 * h :])
        ok = (match[:, k] >= min_change) & (consistency[:, k] >= min_consistency)
        ok &= net[:, k] >= min_net_share * ends
        for t in np.flatnonzero(ok):
            a, b = int(t) - h, int(t) + h
            if touched_count[b + 1] - touched_count[a] == 0:
                windows.append((a, b))
    # Overlapping windows describe one dissolve; its widest window reaches its clean ends.
    dissolves: list[Transition] = []
    for group in _overlapping(windows):
        if len(group) < min_windows:
            continue
        # The windows' union reaches past the blend on both sides: its ends are clean.
        lo, hi = group[0][0], max(w[1] for w in group)
        frames = np.arange(lo, hi + 1)
        alpha = _blend_fit(thumbs, lo, hi, frames)
        start, end, error = _fit_ramp(alpha)
        if end - start + 1 < min_frames or error > 0.1:
            continue
        ramp = np.clip((np.arange(start, end + 1) - start + 1) / (end - start + 2), 0, 1)
        first_new = lo + start + int(np.argmax(ramp >= 0.5))
        dissolves.append(Transition(CutKind.DISSOLVE, lo + start, lo + end, first_new, 1.0))
    return dissolves


def _fit_ramp(alpha: np.ndarray) -> tuple[int, int, float]:
    """Fit 0 ... linear ramp over [s, e] ... 1 to blend weights; return s, e and the rms error.

    Outside a dissolve the weights drift as the shots move; the knees of the best
    clamped ramp mark where the blend really starts and ends.
    """
    n = len(alpha)
    t = np.arange(n)[None, None, :]
    s = np.arange(n)[:, None, None]
    e = np.arange(n)[None, :, None]
    ramp = np.clip((t - s + 1) / np.maximum(e - s + 2, 1), 0.0, 1.0)
    error = ((ramp - alpha[None, None, :]) ** 2).mean(axis=2)
    error[np.tril_indices(n)] = np.inf  # e > s
    best = int(np.argmin(error))
    start, end = divmod(best, n)
    return start, end, float(np.sqrt(error[start, end]))


def _overlapping(windows: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    groups: list[list[tuple[int, int]]] = []
    for window in sorted(windows):
        if groups and window[0] <= max(w[1] for w in groups[-1]):
            groups[-1].append(window)
        else:
            groups.append([window])
    return groups
