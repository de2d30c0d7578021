"""Per-frame picture features, computed while the frames stream by.

For each frame ``t`` against frame ``t - 1`` (all on the ~160 px analysis frames):

* **camera shift** ``(dx, dy)`` [analysis px/frame] and its confidence, by phase
  correlation: the whole-frame displacement, immune to brightness changes.
* **match cost** in 0..1: how much of the picture cannot be found again in the
  previous frame. The frame is cut into blocks; each block is searched for around the
  camera shift (so pans and moving riders still match) and compared by normalised
  cross-correlation, which ignores gain and offset (so flashes and fades still match).
  A cut scores near 1, a pan or a flash near 0.
* **moving share**: the share of the picture that still changes once the camera shift
  is removed to a fraction of a pixel: riders, blades, smoke, things in the frame.
* **mean luma** and a 32x18 **thumbnail**, for flashes, fades and dissolves.

A frame whose match cost is high is a cut candidate. For each candidate, frame ``t`` is
also matched against a few frames before ``t - 1``, and the few frames after ``t``
against ``t - 1``. If the picture comes back, the candidate was the start or the end of
a flash or a blip, not a cut (the "flicker" test).

A frame's features depend only on the frames within :func:`context_frames` of it, bit for
bit, and not on how the stream is cut into chunks: a time range of a video measured with
that much context on each side gives exactly the whole run's features there (see
:mod:`sonics.analysis.chunks`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy import fft as scipy_fft

from sonics.core.frames import LumaChunk

__all__ = ["FrameFeatures", "MeasuredChunk", "context_frames", "extract_features", "measure_chunk"]

_BLOCK_PX = 8  # block side on the half-size (~80 px wide) matching frames
_SEARCH_PX = 2  # local search radius around the camera shift, half-size px
_FLAT_STD = 1.5  # a block with less contrast than this (luma levels) carries no structure
_CLEAR_STD = 6.0  # a block with more contrast than this carries clear structure
_SHADING_SIGMA_PX = 3.0  # broader shading than this (half-size px) is not texture
_MIN_OVERLAP = 0.85  # share of blocks whose search stays in the frame for a match to count
_KEPT_SHARE = 0.6  # the best-matching share of blocks decides: the rest may be foreground action
_MOVING_LUMA = 8.0  # compensated luma change above coding noise: something moved there
_THUMB_SHAPE = (18, 32)
_TRUSTED_PEAK = 0.1  # phase-correlation peak below which the shift is noise (a cut)
_BATCH = 8  # frames or frame pairs measured at once: more spill the cache, fewer cost calls
CANDIDATE_COST = 0.1  # match cost above which a frame is tested for flicker
SPAN_HALF_WIDTHS = (3, 5, 8, 12, 18)  # half-lengths of the dissolves looked for [frames]
_SPAN_MIN_CHANGE = 0.04  # thumbnail change (1 - correlation) worth a closer look
_SPAN_MAX_RESIDUAL = 0.5  # thumbnail blend residual worth a closer look
_SPAN_MIN_CONSISTENCY = 0.6  # net change / path walked worth a block match (a dissolve's least)


@dataclass(frozen=True, slots=True, eq=False)
class FrameFeatures:
    """Per-frame measurements of a whole video; index ``t`` compares frame t with t - 1.

    Attributes
    ----------
    times_s : ndarray, float64, shape (n,)
        Frame start times from PTS [s].
    width, height : int
        Size of the analysis frames [px].
    mean_luma : ndarray, float32, shape (n,)
        Mean luma, 0..255.
    contrast : ndarray, float32, shape (n,)
        Standard deviation of luma (structure present), 0..255.
    shift_px : ndarray, float32, shape (n, 2)
        Camera shift (dx, dy) from frame t - 1 to t [analysis px]; 0 for frame 0.
    shift_confidence : ndarray, float32, shape (n,)
        Phase-correlation peak height, 0..1.
    match_cost : ndarray, float32, shape (n,)
        Share of picture structure not found again in frame t - 1, 0..1; 0 for frame 0.
    moving_share : ndarray, float32, shape (n,)
        Share of the picture that changed once the camera shift is removed (things moving
        in the frame), 0..1.
    flicker_cost : ndarray, float32, shape (n, 2 * max_flash_frames)
        For cut candidates only (NaN elsewhere): first the match cost of frame t against
        frames t - 2, t - 3, ... (did the picture just come back from a blip?), then of
        frames t + 1, t + 2, ... against t - 1 (does it come back after this one?).
    thumbs : ndarray, float16, shape (n, 18, 32)
        Tiny luma thumbnails.
    span_cost : ndarray, float32, shape (n, len(SPAN_HALF_WIDTHS))
        Match cost between frames t - h and t + h (camera travel in between removed),
        for each half-width h; measured only where the thumbnails suggest frame t may be
        a blend of the two (NaN elsewhere). A dissolve centred on t scores like a cut.
    """

    times_s: np.ndarray
    width: int
    height: int
    mean_luma: np.ndarray
    contrast: np.ndarray
    shift_px: np.ndarray
    shift_confidence: np.ndarray
    match_cost: np.ndarray
    moving_share: np.ndarray
    flicker_cost: np.ndarray
    thumbs: np.ndarray
    span_cost: np.ndarray

    @property
    def n_frames(self) -> int:
        """Number of frames measured."""
        return len(self.times_s)


def _batches(n: int) -> Iterator[slice]:
    """Slices of ``range(n)`` of ``_BATCH`` items: small enough that a batch's scratch stays in cache."""
    return (slice(first, min(n, first + _BATCH)) for first in range(0, n, _BATCH))


class _PhaseCorrelator:
    """Whole-frame displacement between two frames by phase correlation."""

    def __init__(self, height: int, width: int) -> None:
        window = np.outer(np.hanning(height), np.hanning(width)).astype(np.float32)
        self.window = window
        fy = np.fft.fftfreq(height)[:, None]
        fx = np.fft.rfftfreq(width)[None, :]
        # Weigh down the finest frequencies: motion blur and coding noise live there.
        self.lowpass = np.exp(-(fx**2 + fy**2) / (2 * 0.18**2)).astype(np.float32)
        self.shape = (height, width)

    def spectrum(self, frames: np.ndarray) -> np.ndarray:
        """Return the windowed spectra (n, h, w // 2 + 1) of frames (n, h, w)."""
        h, w = self.shape
        spectra = np.empty((len(frames), h, w // 2 + 1), np.complex64)
        for batch in _batches(len(frames)):
            centred = frames[batch] - frames[batch].mean(axis=(-2, -1), keepdims=True)
            centred *= self.window
            spectra[batch] = scipy_fft.rfft2(centred, axes=(-2, -1))
        return spectra

    def shift(self, spec_prev: np.ndarray, spec_cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return shifts (..., 2) as (dx, dy) and peak heights (...) of spectra pairs (..., h, w // 2 + 1)."""
        lead = spec_cur.shape[:-2]
        prev = spec_prev.reshape(-1, *spec_prev.shape[-2:])
        cur = spec_cur.reshape(-1, *spec_cur.shape[-2:])
        h, w = self.shape
        # Each pair's correlation peak (flat index) and the surface there and one step up,
        # down, left and right; the sub-pixel shifts are then worked out for all pairs at once.
        at = np.empty(len(cur), np.int64)
        around = np.empty((len(cur), 5), np.float32)
        for batch in _batches(len(cur)):
            at[batch], around[batch] = self._peaks(prev[batch], cur[batch])
        py, px = np.divmod(at, w)
        peak, ym, yp, xm, xp = around.T

        def parabolic(c: np.ndarray, m: np.ndarray, p: np.ndarray) -> np.ndarray:
            den = m - 2 * c + p
            return np.where(np.abs(den) > 1e-9, 0.5 * (m - p) / np.where(den == 0, 1, den), 0.0)

        dy = np.where(py > h // 2, py - h, py) + parabolic(peak, ym, yp)
        dx = np.where(px > w // 2, px - w, px) + parabolic(peak, xm, xp)
        total = np.abs(self.lowpass).sum() * 2
        shifts = np.stack([dx, dy], axis=-1).astype(np.float32)
        peaks = (peak / total * h * w / 2).clip(0, 1)
        return shifts.reshape(*lead, 2), peaks.reshape(lead)

    def _peaks(self, spec_prev: np.ndarray, spec_cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the flat index (k,) of each pair's correlation peak and the surface (k, 5) around it.

        The five values are at the peak, one row up and down, one column left and right
        (wrapping round, as the correlation does).
        """
        k = len(spec_cur)
        # The normalised, weighed cross-power spectrum, in real arithmetic: numpy's complex
        # product is vectorised with fused multiply-adds except at the tail of an array, so it
        # would round a pair differently depending on where it sits in a batch, and features
        # of the same frames would depend on how the stream was cut into chunks.
        a, b, c, d = spec_cur.real, spec_cur.imag, spec_prev.real, spec_prev.imag
        real = a * c
        real += b * d
        imag = b * c
        imag -= a * d
        # The magnitude as np.hypot gives it in float32 (the double square root of the exact
        # squares, rounded), at a third of its cost.
        magnitude = np.square(real, dtype=np.float64)
        magnitude += np.square(imag, dtype=np.float64)
        np.sqrt(magnitude, out=magnitude)
        scale = magnitude.astype(np.float32)
        scale += 1e-6
        np.divide(self.lowpass, scale, out=scale)
        cross = np.empty(real.shape, spec_cur.dtype)
        np.multiply(real, scale, out=cross.real)
        np.multiply(imag, scale, out=cross.imag)
        surface = scipy_fft.irfft2(cross, s=self.shape, axes=(-2, -1), overwrite_x=True)
        h, w = self.shape
        idx = surface.reshape(k, h * w).argmax(axis=-1)
        py, px = np.divmod(idx, w)
        rows = np.stack([py, py - 1, py + 1, py, py], axis=-1) % h
        cols = np.stack([px, px, px, px - 1, px + 1], axis=-1) % w
        return idx, surface[np.arange(k)[:, None], rows, cols]


class _BlockMatcher:
    """Brightness-invariant block matching around a given camera shift, for many frame pairs at once.

    For each of the (2r+1)^2 offsets around the camera shift, the whole frame is
    multiplied with the shifted other frame once and summed per block, which is far
    cheaper than gathering each block's candidates one by one.
    """

    def __init__(self, height: int, width: int) -> None:
        r = _SEARCH_PX
        self.n_by = (height - 2 * r) // _BLOCK_PX
        self.n_bx = (width - 2 * r) // _BLOCK_PX
        self.oy = r + (height - 2 * r - self.n_by * _BLOCK_PX) // 2
        self.ox = r + (width - 2 * r - self.n_bx * _BLOCK_PX) // 2
        self.shape = (height, width)
        # Block sums as two small matrix products: rows @ x @ cols.
        self.sum_rows = np.kron(np.eye(self.n_by, dtype=np.float32), np.ones((1, _BLOCK_PX), np.float32))
        self.sum_cols = np.kron(np.eye(self.n_bx, dtype=np.float32), np.ones((_BLOCK_PX, 1), np.float32))
        # The same sums over rows as wide as the search window (the extra columns count
        # nothing): products at every offset are then read as one flat run each.
        span = 2 * r + 1
        self.window_shape = (self.n_by * _BLOCK_PX + 2 * r, self.n_bx * _BLOCK_PX + 2 * r)
        self.sum_window_cols = np.zeros((self.window_shape[1], self.n_bx), np.float32)
        self.sum_window_cols[: self.n_bx * _BLOCK_PX] = self.sum_cols
        # Sums of the window itself at every offset: the offsets stacked into the summing
        # matrices, so they cost two small products.
        rows = np.zeros((span, self.n_by, self.window_shape[0]), np.float32)
        cols = np.zeros((span, self.window_shape[1], self.n_bx), np.float32)
        for d in range(span):
            rows[d, :, d : d + self.n_by * _BLOCK_PX] = self.sum_rows
            cols[d, d : d + self.n_bx * _BLOCK_PX, :] = self.sum_cols
        self.offset_rows = rows.reshape(span * self.n_by, -1)
        self.offset_cols = cols.transpose(1, 0, 2).reshape(-1, span * self.n_bx)
        self.span = span

    def _blocks(self, x: np.ndarray) -> np.ndarray:
        """Sum (..., n_by * B, n_bx * B) over blocks -> (..., n_by * n_bx)."""
        summed = self.sum_rows @ x @ self.sum_cols
        return summed.reshape(*x.shape[:-2], -1)

    def _offset_blocks(self, windows: np.ndarray) -> np.ndarray:
        """Sum (k, window) over each block at each offset -> (k, offsets, n_by * n_bx)."""
        summed = self.offset_rows @ windows @ self.offset_cols  # (k, span * n_by, span * n_bx)
        k, span = len(windows), self.span
        summed = summed.reshape(k, span, self.n_by, span, self.n_bx).transpose(0, 1, 3, 2, 4)
        return summed.reshape(k, span * span, self.n_by * self.n_bx)

    def _offset_products(self, a: np.ndarray, windows: np.ndarray) -> np.ndarray:
        """Per-block sums of a (k, bh, bw) times the window (k, ...) at every offset: (k, offsets, blocks)."""
        k, (wh, ww), span = len(a), self.window_shape, self.span
        bh = self.n_by * _BLOCK_PX
        # The window flat, with room for the last offset's run; `a` as wide as the window.
        flat = np.zeros((k, wh * ww + span), np.float32)
        flat[:, : wh * ww] = windows.reshape(k, -1)
        wide = np.zeros((k, bh, ww), np.float32)
        wide[:, :, : a.shape[2]] = a
        stride = flat.strides
        runs = np.lib.stride_tricks.as_strided(
            flat, (k, span, span, bh * ww), (stride[0], ww * stride[1], stride[1], stride[1]), writeable=False
        )
        products = (runs * wide.reshape(k, 1, 1, -1)).reshape(k, span * span, bh, ww)
        return (self.sum_rows @ products @ self.sum_window_cols).reshape(k, span * span, -1)

    def cost(self, prev: np.ndarray, cur: np.ndarray, shift_px: np.ndarray) -> float:
        """Return the share of ``prev``'s structure not found in ``cur`` (0..1) for one pair."""
        pair = np.stack([prev, cur])
        return float(
            self.costs(pair, np.array([0]), np.array([1]), np.asarray(shift_px, np.float64)[None])[0]
        )

    def costs(
        self, frames: np.ndarray, earlier: np.ndarray, later: np.ndarray, shift_px: np.ndarray
    ) -> np.ndarray:
        """Return :meth:`cost` of ``frames[earlier[k]]`` against ``frames[later[k]]`` at shifts (k, 2).

        NaN where there is no match (too little of the picture to compare).
        """
        out = np.full(len(earlier), np.nan)
        for batch in _batches(len(earlier)):
            out[batch] = self._costs(frames, earlier[batch], later[batch], shift_px[batch])
        return out

    def _costs(
        self, frames: np.ndarray, earlier: np.ndarray, later: np.ndarray, shift_px: np.ndarray
    ) -> np.ndarray:
        r, n = _SEARCH_PX, _BLOCK_PX**2
        h, w = self.shape
        bh, bw = self.n_by * _BLOCK_PX, self.n_bx * _BLOCK_PX
        out = np.full(len(earlier), np.nan)
        # Window of cur covering every offset: rows oy+gy-r .. oy+gy+bh+r. Blocks whose search
        # reaches past the frame abstain.
        gx, gy = np.rint(shift_px[:, 0]).astype(int), np.rint(shift_px[:, 1]).astype(int)
        y0, x0 = self.oy + gy - r, self.ox + gx - r
        pad_top, pad_left = np.maximum(0, -y0), np.maximum(0, -x0)
        pad_bottom, pad_right = np.maximum(0, y0 + bh + 2 * r - h), np.maximum(0, x0 + bw + 2 * r - w)
        usable = np.flatnonzero((pad_top + pad_bottom < bh) & (pad_left + pad_right < bw))
        if usable.size == 0:
            return out
        windows = np.zeros((usable.size, *self.window_shape), np.float32)
        padded = (pad_top + pad_bottom + pad_left + pad_right)[usable] > 0
        inside = np.zeros((int(padded.sum()), *self.window_shape), np.float32)
        # Plain ints: this loop runs per pair, and numpy scalars index slowly.
        places = zip(*(v[usable].tolist() for v in (later, y0, x0, pad_top, pad_left)), strict=True)
        rim = 0
        for i, (frame, top, left, pad_y, pad_x) in enumerate(places):
            inner = frames[frame, max(0, top) : top + bh + 2 * r, max(0, left) : left + bw + 2 * r]
            rows = slice(pad_y, pad_y + inner.shape[0])
            cols = slice(pad_x, pad_x + inner.shape[1])
            windows[i, rows, cols] = inner
            if padded[i]:
                inside[rim, rows, cols] = 1.0
                rim += 1
        a = frames[earlier[usable], self.oy : self.oy + bh, self.ox : self.ox + bw]
        a_sum, a_sq = self._blocks(a), self._blocks(a * a)
        a_var = a_sq - a_sum**2 / n
        b_sum, b_sq = self._offset_blocks(windows), self._offset_blocks(windows * windows)
        b_var = b_sq - b_sum**2 / n
        if inside.size:  # blocks whose search reaches past the frame abstain
            rim_var = b_var[padded]
            rim_var[self._offset_blocks(inside) < n - 0.5] = np.nan
            b_var[padded] = rim_var
        ab = self._offset_products(a, windows) - a_sum[:, None] * b_sum / n
        with np.errstate(invalid="ignore", divide="ignore"):
            ncc = ab / np.sqrt(np.maximum(a_var, 0)[:, None] * np.maximum(b_var, 0) + 1e-6)
        ncc[np.isnan(ncc)] = -np.inf
        best = ncc.argmax(axis=1)[:, None]
        best_ncc = ncc.max(axis=1)
        valid = np.isfinite(best_ncc)
        flat_level, clear_level = n * _FLAT_STD**2, n * _CLEAR_STD**2
        b_best_var = np.take_along_axis(b_var, best, axis=1)[:, 0]
        b_best_var[np.isnan(b_best_var)] = 0.0
        a_flat, b_flat = a_var < flat_level, b_best_var < flat_level
        # Clear structure that vanishes, or appears from nothing, in one frame is a full
        # change; faint structure (the first frames of a fade) says nothing either way.
        jump = (a_flat & (b_best_var > clear_level)) | (b_flat & (a_var > clear_level))
        cost = np.where(jump, 1.0, 1.0 - np.clip(best_ncc, 0.0, 1.0))
        keep = valid & (jump | ~(a_flat | b_flat))
        n_keep = keep.sum(axis=1)
        # The best-matching share of the kept blocks decides: the rest may be foreground action.
        kept = np.sort(np.where(keep, cost, np.inf), axis=1)
        n_best = np.maximum(3, np.rint(_KEPT_SHARE * n_keep).astype(int))
        ranks = np.arange(kept.shape[1])[None, :]
        mean = np.where(ranks < n_best[:, None], kept, 0.0).sum(axis=1) / n_best
        enough = (n_keep >= 3) & (valid.mean(axis=1) >= _MIN_OVERLAP)
        out[usable] = np.where(enough, mean, np.nan)
        return out


def _match(
    matcher: _BlockMatcher,
    halves: np.ndarray,
    earlier: np.ndarray,
    later: np.ndarray,
    shift_px: np.ndarray,
    confidence: np.ndarray | float,
    *,
    retry: bool = True,
) -> np.ndarray:
    """Match costs (k,) of ``halves[earlier]`` against ``halves[later]`` at camera shifts (k, 2), or at rest.

    Across a cut the phase-correlation peak is low and lands anywhere: below
    ``_TRUSTED_PEAK`` the shift is not used at all. A poor match at a trusted shift is
    checked again at zero shift (unless ``retry`` is off); the better of the two counts.
    """
    trusted = np.broadcast_to(np.asarray(confidence) >= _TRUSTED_PEAK, (len(later),))
    half_shift = np.where(trusted[:, None], np.asarray(shift_px, np.float64) / 2, 0.0)
    cost = matcher.costs(halves, earlier, later, half_shift)
    if retry:
        again = np.flatnonzero(trusted & ~(cost <= CANDIDATE_COST) & (np.abs(half_shift).max(axis=1) >= 0.5))
        if again.size:
            at_rest = matcher.costs(halves, earlier[again], later[again], np.zeros((again.size, 2)))
            with np.errstate(invalid="ignore"):
                cost[again] = np.fmin(cost[again], at_rest)
    return cost


def blend_residual(first: np.ndarray, middle: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Return how far ``middle`` is from the mean of ``first`` and ``last``, relative to their difference.

    Arrays are (..., pixels); 0 for an exact mid-dissolve frame.
    """
    spread = np.linalg.norm(last - first, axis=-1) + 1e-6
    return np.linalg.norm(middle - 0.5 * (first + last), axis=-1) / spread


def thumb_change(first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Return 1 - the correlation of two thumbnails (..., pixels): 0 alike, 1 unrelated."""
    a = first - first.mean(axis=-1, keepdims=True)
    b = last - last.mean(axis=-1, keepdims=True)
    den = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1) + 1e-6
    return 1.0 - (a * b).sum(axis=-1) / den


def _compensated_change(
    frames: np.ndarray, earlier: np.ndarray, later: np.ndarray, shift_px: np.ndarray, *, share: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Luma change from ``frames[earlier]`` to ``frames[later]`` (k,) once the camera shift (k, 2) is removed.

    The shift is removed to a fraction of a pixel (bilinear), so a pan leaves almost no
    difference behind and what remains is change in the picture itself.

    Returns
    -------
    moving_share, mean_change : ndarray, float64, shape (k,)
        The share of the overlap whose absolute difference exceeds ``_MOVING_LUMA`` (NaN
        throughout unless ``share``), and the mean absolute difference there; NaN where
        the frames hardly overlap.
    """
    k, (h, w) = len(earlier), frames.shape[1:]
    shift = np.asarray(shift_px, np.float64)
    ix, iy = np.floor(shift[:, 0]).astype(int), np.floor(shift[:, 1]).astype(int)
    fx, fy = shift[:, 0] - ix, shift[:, 1] - iy
    # cur(x + d) ~ prev(x): sample cur at x + d over the region where x + d stays inside.
    y0, y1 = np.maximum(0, -iy), np.minimum(h, h - iy - 1)
    x0, x1 = np.maximum(0, -ix), np.minimum(w, w - ix - 1)
    moving_share, mean = np.full(k, np.nan), np.full(k, np.nan)
    overlap = np.flatnonzero((y1 - y0 >= 8) & (x1 - x0 >= 8))
    # Sums over the overlap as products with its row and column indicators (fast BLAS
    # sums, where numpy's own reductions are slow).
    rows = ((np.arange(h) >= y0[:, None]) & (np.arange(h) < y1[:, None])).astype(np.float32)[:, None, :]
    cols = ((np.arange(w) >= x0[:, None]) & (np.arange(w) < x1[:, None])).astype(np.float32)[:, :, None]
    area = (y1 - y0) * (x1 - x0)
    for batch in (overlap[s] for s in _batches(overlap.size)):
        # cur moved onto prev's grid, one pixel wider and taller for the bilinear corners.
        moved = np.zeros((batch.size, h + 1, w + 1), np.float32)
        places = zip(*(v[batch].tolist() for v in (later, y0, y1, x0, x1, iy, ix)), strict=True)
        for i, (frame, top, bottom, left, right, dy, dx) in enumerate(places):
            moved[i, top : bottom + 1, left : right + 1] = frames[
                frame, top + dy : bottom + dy + 1, left + dx : right + dx + 1
            ]
        # The same weights and roundings as interpolating each frame on its own.
        across = (1 - fx[batch, None, None]).astype(np.float32) * moved[:, :, :w]
        across += fx[batch, None, None].astype(np.float32) * moved[:, :, 1:]
        change = (1 - fy[batch, None, None]).astype(np.float32) * across[:, :h]
        change += fy[batch, None, None].astype(np.float32) * across[:, 1:]
        change -= frames[earlier[batch]]
        np.abs(change, out=change)
        if share:
            moving = (change > _MOVING_LUMA).astype(np.float32)
            moving_share[batch] = (rows[batch] @ moving @ cols[batch])[:, 0, 0] / area[batch]
        mean[batch] = (rows[batch] @ change @ cols[batch])[:, 0, 0] / area[batch]
    return moving_share, mean


def _halves(luma: np.ndarray) -> np.ndarray:
    """Return the block-matching frames: half size, lightly blurred, broad shading removed.

    The light [1 2 1] blur keeps sub-pixel misregistration from reading as change.
    Removing the broad shading (sky gradients, vignettes) leaves texture, which tells two
    look-alike shots apart; smooth blocks become flat and abstain. Worked out a batch of
    frames at a time, so that the steps' scratch stays in the cache.
    """
    h, w = luma.shape[1] // 2 * 2, luma.shape[2] // 2 * 2
    out = np.empty((len(luma), h // 2, w // 2), np.float32)
    for batch in _batches(len(luma)):
        f = luma[batch, :h, :w]
        half = f[:, 0::2, 0::2] + f[:, 1::2, 0::2]
        half += f[:, 0::2, 1::2]
        half += f[:, 1::2, 1::2]
        half *= 0.25
        for axis in (1, 2):
            inner = [slice(None)] * 3
            middle = half[(*inner[:axis], slice(1, -1))] * 2
            middle += half[(*inner[:axis], slice(None, -2))]
            middle += half[(*inner[:axis], slice(2, None))]
            middle *= 0.25
            half[(*inner[:axis], slice(1, -1))] = middle
        np.subtract(half, _shading(half), out=out[batch])
    return out


def _shading(half: np.ndarray) -> np.ndarray:
    """Gaussian blur of frames (n, h, w) by ``_SHADING_SIGMA_PX``, edges extended (float32).

    As ``scipy.ndimage.gaussian_filter(half, (0, s, s), mode="nearest")``, in float64 one
    axis at a time, but as matrix products (twice as fast); the two differ in the last bit
    of about one value in a million.
    """
    rows, cols = _gaussian_matrix(half.shape[1]), _gaussian_matrix(half.shape[2]).T
    blurred = np.empty_like(half)
    for batch in _batches(len(half)):
        down = (rows @ half[batch].astype(np.float64)).astype(np.float32)
        blurred[batch] = (down.astype(np.float64) @ cols).astype(np.float32)
    return blurred


@functools.lru_cache(maxsize=8)
def _gaussian_matrix(n: int) -> np.ndarray:
    """Return the (n, n) float64 matrix of a Gaussian blur along one axis, edges extended."""
    radius = int(4.0 * _SHADING_SIGMA_PX + 0.5)  # scipy's default truncation, 4 sigma
    taps = np.arange(-radius, radius + 1)
    weights = np.exp(-0.5 / _SHADING_SIGMA_PX**2 * taps**2)
    weights /= weights.sum()
    matrix = np.zeros((n, n))
    for tap, weight in zip(taps, weights, strict=True):
        np.add.at(matrix, (np.arange(n), np.clip(np.arange(n) + tap, 0, n - 1)), weight)
    return np.ascontiguousarray(matrix)


def _thumbs(luma: np.ndarray) -> np.ndarray:
    """Return (n, 18, 32) box-filtered thumbnails of (n, h, w) frames (float64).

    The same numbers, to the last bit, as summing each cell with ``np.add.reduceat`` (what
    sonics did first), at a fraction of its cost: the rows of a cell are summed by a
    matrix product, exact because luma comes in quarter levels; the columns are then
    added in the order ``reduceat`` adds them.
    """
    th, tw = _THUMB_SHAPE
    ys = np.linspace(0, luma.shape[1], th + 1).astype(int)
    xs = np.linspace(0, luma.shape[2], tw + 1).astype(int)
    in_cell = (np.arange(luma.shape[1]) >= ys[:-1, None]) & (np.arange(luma.shape[1]) < ys[1:, None])
    in_cell[ys[:-1] == ys[1:], np.minimum(ys[:-1], luma.shape[1] - 1)[ys[:-1] == ys[1:]]] = (
        True  # as reduceat
    )
    rows = (in_cell.astype(np.float32) @ luma) / np.diff(ys)[None, :, None]
    widths = np.diff(xs)
    summed = np.empty((len(luma), th, tw))
    for width in np.unique(widths):
        cells = np.flatnonzero(widths == width)
        terms = [rows[:, :, xs[cells] + k] for k in range(max(1, width))]
        # reduceat adds the first column to numpy's pairwise sum of the others.
        summed[:, :, cells] = terms[0] + _numpy_sum(terms[1:]) if width > 1 else terms[0]
    return summed / widths[None, None, :]


def _numpy_sum(terms: list[np.ndarray]) -> np.ndarray:
    """Add ``terms`` element-wise in the order of numpy's pairwise sum over an axis of that length."""
    n = len(terms)
    if n < 8:
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total
    if n > 128:  # numpy splits longer runs in halves
        half = n // 2 // 8 * 8
        return _numpy_sum(terms[:half]) + _numpy_sum(terms[half:])
    lanes = list(terms[:8])
    for first in range(8, n - n % 8, 8):
        lanes = [lane + term for lane, term in zip(lanes, terms[first : first + 8], strict=True)]
    total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
    for term in terms[n - n % 8 :]:
        total = total + term
    return total


class _Columns:
    """Per-frame arrays that grow in steps as frames arrive (no per-frame Python objects)."""

    def __init__(self, shapes: dict[str, tuple[tuple[int, ...], type, float]]) -> None:
        self.shapes = shapes
        self.capacity = 0
        self.arrays: dict[str, np.ndarray] = {}
        self.reserve(1024)

    def reserve(self, n: int) -> None:
        if n <= self.capacity:
            return
        capacity = max(n, self.capacity + max(1024, self.capacity // 4))
        for name, (shape, dtype, fill) in self.shapes.items():
            grown = np.full((capacity, *shape), fill, dtype=dtype)
            if name in self.arrays:
                grown[: self.capacity] = self.arrays[name]
            self.arrays[name] = grown
        self.capacity = capacity

    def trimmed(self, n: int) -> dict[str, np.ndarray]:
        # Views, not copies: a copy would briefly double the memory of a long video.
        return {name: array[:n] for name, array in self.arrays.items()}


class _Recent:
    """The last frames seen, kept in rings: frame ``j`` sits in slot ``j % capacity``.

    Enough for a chunk's own frames and the ``n_past`` before them, which is all a chunk
    compares with; storing a chunk overwrites only frames older than that.
    """

    def __init__(self, height: int, width: int, n_past: int) -> None:
        self.shape = (height, width)
        self.n_past = n_past
        self.capacity = 0
        self._allocate(n_past + 1, first=0)

    def _allocate(self, capacity: int, first: int) -> None:
        h, w = self.shape
        rings = (
            np.zeros((capacity, h, w), np.float32),  # analysis frames
            np.zeros((capacity, h // 2, w // 2), np.float32),  # block-matching frames
            np.zeros((capacity, h, w // 2 + 1), np.complex64),  # phase-correlation spectra
            # Camera shift (dx, dy) from the frame before [analysis px] and compensated change.
            np.zeros((capacity, 3)),
        )
        if self.capacity:  # move the frames still needed
            kept = np.arange(max(0, first - self.n_past), first)
            for ring, old in zip(rings, self._rings(), strict=True):
                ring[kept % capacity] = old[kept % self.capacity]
        self.frames, self.halves, self.spectra, self.steps = rings
        self.capacity = capacity

    def _rings(self) -> tuple[np.ndarray, ...]:
        return self.frames, self.halves, self.spectra, self.steps

    def slots(self, frames: np.ndarray | int) -> np.ndarray:
        """Return the ring slots of frame numbers."""
        return np.asarray(frames) % self.capacity

    def steps_between(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Return the steps (k, 3) from frames ``starts`` to ``ends``, summed over the frames after a start.

        Added frame by frame in time order, over those frames only (not as a difference of
        running totals), so a span's sum does not depend on where the stream began nor on
        the other spans measured with it.
        """
        summed = np.zeros((len(ends), 3))
        lengths = ends - starts
        for length in np.unique(lengths).tolist():
            spans = np.flatnonzero(lengths == length)
            total = self.steps[self.slots(starts[spans] + 1)]
            for k in range(2, length + 1):
                total += self.steps[self.slots(starts[spans] + k)]
            summed[spans] = total
        return summed

    def store(self, first: int, chunk: MeasuredChunk) -> np.ndarray:
        """Store a chunk's frames from frame number ``first`` on; return their slots."""
        if self.capacity < self.n_past + len(chunk):
            self._allocate(self.n_past + len(chunk), first)
        start = first % self.capacity
        head = min(len(chunk), self.capacity - start)  # up to the ring's end, the rest from its start
        rings, parts = (self.frames, self.halves, self.spectra), (chunk.luma, chunk.halves, chunk.spectra)
        for ring, part in zip(rings, parts, strict=True):
            ring[start : start + head] = part[:head]
            ring[: len(chunk) - head] = part[head:]
        return self.slots(np.arange(first, first + len(chunk)))


class _Extractor:
    """The streaming state of :func:`extract_features`: the last few frames, and the columns.

    Each chunk is measured as a whole: every comparison of a kind (frame to frame,
    flicker, dissolve span) is gathered over the chunk and done in one batch, so the work
    is a few large array operations, during which decoding goes on in its own thread.
    """

    def __init__(self, height: int, width: int, max_flash_frames: int) -> None:
        self.correlator = _correlator(height, width)
        self.matcher = _BlockMatcher(height // 2, width // 2)
        self.size = (height, width)
        self.max_flash = max_flash_frames
        # What a chunk looks back on: the context a frame's features are measured from.
        self.recent = _Recent(height, width, context_frames(max_flash_frames)[0])
        self.candidates: list[int] = []  # flicker candidates whose later frames may be still to come
        n_thumb = _THUMB_SHAPE[0] * _THUMB_SHAPE[1]
        self.columns = _Columns(
            {
                "times_s": ((), np.float64, 0.0),
                "mean_luma": ((), np.float32, 0.0),
                "contrast": ((), np.float32, 0.0),
                "shift_px": ((2,), np.float32, 0.0),
                "shift_confidence": ((), np.float32, 1.0),
                "match_cost": ((), np.float32, 0.0),
                "moving_share": ((), np.float32, 0.0),
                "flicker_cost": ((2 * max_flash_frames,), np.float32, np.nan),
                "thumbs": ((n_thumb,), np.float16, 0.0),
                "span_cost": ((len(SPAN_HALF_WIDTHS), 3), np.float32, np.nan),
            }
        )
        self.n = 0

    def add(self, chunk: MeasuredChunk) -> None:
        """Compare a chunk's frames with each other and with the frames before."""
        luma, spectra = chunk.luma, chunk.spectra
        first, n = self.n, len(luma)
        self.columns.reserve(first + n)
        col = self.columns.arrays
        col["times_s"][first : first + n] = chunk.times_s
        col["mean_luma"][first : first + n] = chunk.mean_luma
        col["contrast"][first : first + n] = chunk.contrast
        col["thumbs"][first : first + n] = chunk.thumbs
        # Shifts of every frame against the one before, in one batch.
        recent = self.recent
        if first > 0:
            before = np.concatenate([recent.spectra[recent.slots(first - 1)][None], spectra[:-1]])
            shift, confidence = self.correlator.shift(before, spectra)
        else:
            shift, confidence = self.correlator.shift(spectra[:-1], spectra[1:])
            shift = np.concatenate([np.zeros((1, 2), np.float32), shift])
            confidence = np.concatenate([[1.0], confidence])
        col["shift_px"][first : first + n] = shift
        col["shift_confidence"][first : first + n] = confidence
        slots = recent.store(first, chunk)
        # Each frame against the one before (frame 0 has none).
        cur = np.arange(max(first, 1), first + n)
        a, b = recent.slots(cur - 1), recent.slots(cur)
        cost = _match(self.matcher, recent.halves, a, b, shift[cur - first], confidence[cur - first])
        share, change = _compensated_change(recent.frames, a, b, shift[cur - first])
        overlap = np.isfinite(share)
        col["match_cost"][cur] = cost
        col["moving_share"][cur[overlap]] = share[overlap]
        # Each frame's step from the one before, which spans add up over their own frames
        # (frame 0 steps nowhere).
        recent.steps[slots, :2] = shift
        recent.steps[slots, 2] = 0.0
        recent.steps[slots[cur - first], 2] = np.where(overlap, change, 0.0)
        self._flicker(first, n, cur[~(cost <= CANDIDATE_COST)])
        self._spans(first, n)
        self.n += n

    def _flicker(self, first: int, n: int, new_candidates: np.ndarray) -> None:
        """Run the flicker test on the chunk: is a candidate a blip the picture comes back from.

        Candidate ``c`` is matched against the frames before ``c - 1`` (did the picture
        just come back?), and the frames after it against ``c - 1`` (does it come back?),
        as those frames arrive.
        """
        pairs: list[tuple[int, int, int, int]] = []  # candidate, slot, earlier frame, later frame
        for c in map(int, new_candidates):
            pairs += [(c, back - 1, c - 1 - back, c) for back in range(1, min(self.max_flash, c - 1) + 1)]
        self.candidates += map(int, new_candidates)
        for c in self.candidates:
            lags = range(max(1, first - c), min(self.max_flash, first + n - 1 - c) + 1)
            pairs += [(c, self.max_flash + lag - 1, c - 1, c + lag) for lag in lags]
        self.candidates = [c for c in self.candidates if c + self.max_flash >= first + n]
        if not pairs:
            return
        cand, slot, earlier, later = np.array(pairs).T
        # Candidates side by side share pairs (c + 1 against c - 1 for both): match each once.
        (earlier, later), which = np.unique(np.stack([earlier, later]), axis=1, return_inverse=True)
        recent = self.recent
        a, b = recent.slots(earlier), recent.slots(later)
        shift, confidence = self.correlator.shift(recent.spectra[a], recent.spectra[b])
        costs = _match(self.matcher, recent.halves, a, b, shift, confidence)
        self.columns.arrays["flicker_cost"][cand, slot] = costs[which.ravel()]

    def _spans(self, first: int, n: int) -> None:
        """Match frame ``j - 2h`` against ``j`` where the frame between looks like a blend of them."""
        thumbs = self.columns.arrays["thumbs"]
        widths = np.array(SPAN_HALF_WIDTHS)
        ends, hs = (x.ravel() for x in np.meshgrid(np.arange(first, first + n), widths, indexing="ij"))
        fits = ends - 2 * hs >= 0
        ends, hs = ends[fits], hs[fits]
        starts = thumbs[ends - 2 * hs].astype(np.float32)
        middles = thumbs[ends - hs].astype(np.float32)
        current = thumbs[ends].astype(np.float32)
        looks_blended = (thumb_change(starts, current) >= _SPAN_MIN_CHANGE) & (
            blend_residual(starts, middles, current) <= _SPAN_MAX_RESIDUAL
        )
        ends, hs = ends[looks_blended], hs[looks_blended]
        recent = self.recent
        a, b = recent.slots(ends - 2 * hs), recent.slots(ends)
        summed = recent.steps_between(ends - 2 * hs, ends)
        moved, walked = summed[:, :2], summed[:, 2]
        near = np.hypot(moved[:, 0], moved[:, 1]) <= 0.35 * self.size[1]
        ends, hs, a, b, moved, walked = ends[near], hs[near], a[near], b[near], moved[near], walked[near]
        _, net = _compensated_change(recent.frames, a, b, moved, share=False)
        consistency = net / (walked + 1e-6)
        steady = consistency >= _SPAN_MIN_CONSISTENCY
        ends, hs, a, b, moved = ends[steady], hs[steady], a[steady], b[steady], moved[steady]
        # The camera travel is summed over trusted frame-to-frame shifts: no second try.
        cost = _match(self.matcher, recent.halves, a, b, moved, 1.0, retry=False)
        found = np.stack([cost, consistency[steady], net[steady]], axis=-1)
        self.columns.arrays["span_cost"][ends - hs, np.searchsorted(widths, hs)] = found

    def features(self) -> FrameFeatures:
        """Return the measurements of every frame seen."""
        height, width = self.size
        col = self.columns.trimmed(self.n)
        return FrameFeatures(
            width=width,
            height=height,
            **{name: col[name] for name in col if name != "thumbs"},
            thumbs=col["thumbs"].reshape(-1, *_THUMB_SHAPE),
        )


@dataclass(frozen=True, slots=True, eq=False)
class MeasuredChunk:
    """A chunk of frames with what each frame gives on its own, before any comparison.

    Made by :func:`measure_chunk`; :func:`extract_features` then compares the frames.
    Measuring is the half of the work that needs no other chunk, so it can run ahead in
    another thread while the chunk before is being compared.

    Attributes
    ----------
    times_s : ndarray, float64, shape (n,)
        Frame start times from PTS [s].
    luma : ndarray, float32, shape (n, h, w)
        The analysis frames.
    spectra : ndarray, complex64, shape (n, h, w // 2 + 1)
        Windowed spectra, for phase correlation.
    halves : ndarray, float32, shape (n, h // 2, w // 2)
        Half-size texture frames, for block matching.
    thumbs : ndarray, float16, shape (n, 18 * 32)
        Tiny luma thumbnails, flattened.
    mean_luma, contrast : ndarray, float32, shape (n,)
        Mean and standard deviation of luma, 0..255.
    """

    times_s: np.ndarray
    luma: np.ndarray
    spectra: np.ndarray
    halves: np.ndarray
    thumbs: np.ndarray
    mean_luma: np.ndarray
    contrast: np.ndarray

    def __len__(self) -> int:
        return len(self.times_s)


def measure_chunk(chunk: LumaChunk) -> MeasuredChunk:
    """Measure what each frame of a chunk gives on its own: spectrum, texture, thumbnail, levels.

    Parameters
    ----------
    chunk : LumaChunk
        Consecutive analysis frames.

    Returns
    -------
    MeasuredChunk

    Examples
    --------
    >>> luma = np.zeros((2, 90, 160), np.float32)
    >>> measure_chunk(LumaChunk(np.array([0.0, 0.04]), luma)).spectra.shape
    (2, 90, 81)
    """
    luma = chunk.luma
    return MeasuredChunk(
        times_s=chunk.times_s,
        luma=luma,
        spectra=_correlator(*luma.shape[1:]).spectrum(luma),
        halves=_halves(luma),
        thumbs=_thumbs(luma).reshape(len(luma), -1).astype(np.float16),
        mean_luma=luma.mean(axis=(1, 2)),
        contrast=luma.std(axis=(1, 2)),
    )


@functools.lru_cache(maxsize=4)
def _correlator(height: int, width: int) -> _PhaseCorrelator:
    return _PhaseCorrelator(height, width)


def context_frames(max_flash_frames: int = 3) -> tuple[int, int]:
    """Return how many frames before and after a frame its features are measured from.

    A frame's features read the frames up to ``2 * max(SPAN_HALF_WIDTHS)`` before it (the
    dissolve spans centred on it reach half that far back; from this far on, every
    measurement runs exactly as deep inside the stream) and ``max(SPAN_HALF_WIDTHS)``, or
    the flicker look-ahead, after it. Features measured on a part of a stream that holds
    this much context around a frame are bit for bit those of the whole stream there.

    Parameters
    ----------
    max_flash_frames : int >= 1
        As given to :func:`extract_features`.

    Returns
    -------
    (int, int)
        Frames needed before and after [frames].

    Examples
    --------
    >>> context_frames()
    (36, 18)
    """
    reach = max(SPAN_HALF_WIDTHS)
    return max(2 * reach, max_flash_frames + 1), max(reach, max_flash_frames)


def extract_features(
    chunks: Iterable[LumaChunk | MeasuredChunk], *, max_flash_frames: int = 3
) -> FrameFeatures:
    """Measure every frame of a stream of luma chunks.

    Parameters
    ----------
    chunks : iterable of LumaChunk or MeasuredChunk
        Frames in presentation order, all of the same size; chunks already passed
        through :func:`measure_chunk` are not measured again.
    max_flash_frames : int >= 1
        Longest flash or blip the flicker test looks past [frames].

    Returns
    -------
    FrameFeatures
    """
    extractor: _Extractor | None = None
    for chunk in chunks:
        measured = chunk if isinstance(chunk, MeasuredChunk) else measure_chunk(chunk)
        if extractor is None:
            extractor = _Extractor(*measured.luma.shape[1:], max_flash_frames)
        extractor.add(measured)
    if extractor is None:  # no frames at all
        extractor = _Extractor(_BLOCK_PX * 4, _BLOCK_PX * 4, max_flash_frames)
    return extractor.features()
