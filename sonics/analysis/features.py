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

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import fft as scipy_fft
from scipy.ndimage import gaussian_filter

from sonics.core.frames import LumaChunk

__all__ = ["FrameFeatures", "context_frames", "extract_features"]

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
        centred = frames - frames.mean(axis=(-2, -1), keepdims=True)
        return scipy_fft.rfft2(centred * self.window, axes=(-2, -1))

    def shift(self, spec_prev: np.ndarray, spec_cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return shifts (..., 2) as (dx, dy) and peak heights (...,) for spectra pairs."""
        # The normalised cross-power spectrum, in real arithmetic: numpy's complex product is
        # vectorised with fused multiply-adds except at the tail of an array, so it would round
        # a frame differently depending on where it sits in a batch, and features of the same
        # frames would depend on how the stream was cut into chunks.
        a, b, c, d = spec_cur.real, spec_cur.imag, spec_prev.real, spec_prev.imag
        real, imag = a * c + b * d, b * c - a * d
        scale = self.lowpass / (np.hypot(real, imag) + 1e-6)
        cross = np.empty(real.shape, spec_cur.dtype)
        cross.real, cross.imag = real * scale, imag * scale
        surface = scipy_fft.irfft2(cross, s=self.shape, axes=(-2, -1))
        h, w = self.shape
        flat = surface.reshape(*surface.shape[:-2], h * w)
        idx = flat.argmax(axis=-1)
        py, px = np.divmod(idx, w)
        peak = np.take_along_axis(flat, idx[..., None], axis=-1)[..., 0]
        lead = np.indices(py.shape)

        def parabolic(c: np.ndarray, m: np.ndarray, p: np.ndarray) -> np.ndarray:
            den = m - 2 * c + p
            return np.where(np.abs(den) > 1e-9, 0.5 * (m - p) / np.where(den == 0, 1, den), 0.0)

        ym = surface[(*lead, (py - 1) % h, px)]
        yp = surface[(*lead, (py + 1) % h, px)]
        xm = surface[(*lead, py, (px - 1) % w)]
        xp = surface[(*lead, py, (px + 1) % w)]
        dy = np.where(py > h // 2, py - h, py) + parabolic(peak, ym, yp)
        dx = np.where(px > w // 2, px - w, px) + parabolic(peak, xm, xp)
        total = np.abs(self.lowpass).sum() * 2
        return np.stack([dx, dy], axis=-1).astype(np.float32), (peak / total * h * w / 2).clip(0, 1)


class _BlockMatcher:
    """Brightness-invariant block matching around a given camera shift.

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
        # The same sums for every offset of the search window at once: the offsets stacked
        # into the summing matrices, so sums of the window itself cost two small products.
        span = 2 * r + 1
        rows = np.zeros((span, self.n_by, self.n_by * _BLOCK_PX + 2 * r), np.float32)
        cols = np.zeros((span, self.n_bx * _BLOCK_PX + 2 * r, self.n_bx), np.float32)
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

    def cost(self, prev: np.ndarray, cur: np.ndarray, shift_px: np.ndarray) -> float:
        """Return the share of ``prev``'s structure not found in ``cur`` (0..1)."""
        r, n = _SEARCH_PX, _BLOCK_PX**2
        h, w = self.shape
        bh, bw = self.n_by * _BLOCK_PX, self.n_bx * _BLOCK_PX
        a = prev[self.oy : self.oy + bh, self.ox : self.ox + bw]
        gy, gx = round(float(shift_px[1])), round(float(shift_px[0]))
        # Window of cur covering every offset: rows oy+gy-r .. oy+gy+bh+r. Blocks whose search
        # reaches past the frame abstain.
        y0, x0 = self.oy + gy - r, self.ox + gx - r
        pad_top, pad_left = max(0, -y0), max(0, -x0)
        pad_bottom, pad_right = max(0, y0 + bh + 2 * r - h), max(0, x0 + bw + 2 * r - w)
        if pad_top + pad_bottom >= bh or pad_left + pad_right >= bw:
            return float("nan")
        inner = cur[max(0, y0) : y0 + bh + 2 * r, max(0, x0) : x0 + bw + 2 * r]
        if pad_top or pad_bottom or pad_left or pad_right:
            window = np.zeros((bh + 2 * r, bw + 2 * r), np.float32)
            inside = np.zeros_like(window)
            rows = slice(pad_top, pad_top + inner.shape[0])
            cols = slice(pad_left, pad_left + inner.shape[1])
            window[rows, cols], inside[rows, cols] = inner, 1.0
        else:
            window, inside = inner, None
        views = np.lib.stride_tricks.sliding_window_view(window, (bh, bw))  # (2r+1, 2r+1, bh, bw)
        views = views.reshape(-1, bh, bw)
        a_sum, a_sq = self._blocks(np.stack([a, a * a]))
        a_var = a_sq - a_sum**2 / n
        b_sum, b_sq = self._offset_blocks(np.stack([window, window * window]))
        b_var = b_sq - b_sum**2 / n
        if inside is not None:  # blocks whose search reaches past the frame abstain
            b_var[self._offset_blocks(inside[None])[0] < n - 0.5] = np.nan
        ab = self._blocks(views * a) - a_sum * b_sum / n
        with np.errstate(invalid="ignore", divide="ignore"):
            ncc = ab / np.sqrt(np.maximum(a_var, 0) * np.maximum(b_var, 0) + 1e-6)
        ncc = np.where(np.isnan(ncc), -np.inf, ncc)
        best = ncc.argmax(axis=0)
        cols = np.arange(best.size)
        best_ncc = ncc[best, cols]
        valid = np.isfinite(best_ncc)
        flat_level, clear_level = n * _FLAT_STD**2, n * _CLEAR_STD**2
        b_best_var = b_var[best, cols]
        b_best_var[np.isnan(b_best_var)] = 0.0
        a_flat, b_flat = a_var < flat_level, b_best_var < flat_level
        # Clear structure that vanishes, or appears from nothing, in one frame is a full
        # change; faint structure (the first frames of a fade) says nothing either way.
        jump = (a_flat & (b_best_var > clear_level)) | (b_flat & (a_var > clear_level))
        cost = np.where(jump, 1.0, 1.0 - np.clip(best_ncc, 0.0, 1.0))
        keep = valid & (jump | ~(a_flat | b_flat))
        if keep.sum() < 3 or valid.mean() < _MIN_OVERLAP:
            return float("nan")
        kept = np.sort(cost[keep])
        return float(kept[: max(3, round(_KEPT_SHARE * kept.size))].mean())


def _match(
    matcher: _BlockMatcher,
    prev_half: np.ndarray,
    half: np.ndarray,
    shift_px: np.ndarray,
    confidence: float,
    *,
    retry: bool = True,
) -> float:
    """Match cost at the camera shift, or with no shift if that explains the frame better.

    Across a cut the phase-correlation peak is low and lands anywhere: below
    ``_TRUSTED_PEAK`` the shift is not used at all. A poor match at a trusted shift is
    checked again at zero shift (unless ``retry`` is off); the better of the two counts.
    """
    still = np.zeros(2, np.float32)
    if confidence < _TRUSTED_PEAK:
        return matcher.cost(prev_half, half, still)
    cost = matcher.cost(prev_half, half, shift_px / 2)
    if retry and not cost <= CANDIDATE_COST and np.abs(shift_px / 2).max() >= 0.5:
        at_rest = matcher.cost(prev_half, half, still)
        cost = float(np.nanmin([cost, at_rest])) if np.isfinite([cost, at_rest]).any() else float("nan")
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


def _compensated_residual(prev: np.ndarray, cur: np.ndarray, shift_px: np.ndarray) -> np.ndarray | None:
    """Absolute luma difference of two frames once the camera shift between them is removed.

    The shift is removed to a fraction of a pixel (bilinear), so a pan leaves almost no
    difference behind and what remains is change in the picture itself. None when the
    frames hardly overlap.
    """
    h, w = prev.shape
    dx, dy = float(shift_px[0]), float(shift_px[1])
    ix, iy = int(np.floor(dx)), int(np.floor(dy))
    fx, fy = dx - ix, dy - iy
    # cur(x + d) ~ prev(x): sample cur at x + d over the region where x + d stays inside.
    y0, y1 = max(0, -iy), min(h, h - iy - 1)
    x0, x1 = max(0, -ix), min(w, w - ix - 1)
    if y1 - y0 < 8 or x1 - x0 < 8:
        return None
    top = cur[y0 + iy : y1 + iy, x0 + ix : x1 + ix]
    top_right = cur[y0 + iy : y1 + iy, x0 + ix + 1 : x1 + ix + 1]
    bottom = cur[y0 + iy + 1 : y1 + iy + 1, x0 + ix : x1 + ix]
    bottom_right = cur[y0 + iy + 1 : y1 + iy + 1, x0 + ix + 1 : x1 + ix + 1]
    moved = (1 - fy) * ((1 - fx) * top + fx * top_right) + fy * ((1 - fx) * bottom + fx * bottom_right)
    return np.abs(moved - prev[y0:y1, x0:x1])


def _compensated_difference(prev: np.ndarray, cur: np.ndarray, shift_px: np.ndarray) -> float:
    """Mean of :func:`_compensated_residual` (NaN when the frames hardly overlap)."""
    residual = _compensated_residual(prev, cur, shift_px)
    return float("nan") if residual is None else float(residual.mean())


def _halves(luma: np.ndarray) -> np.ndarray:
    """Return the block-matching frames: half size, lightly blurred, broad shading removed.

    The light [1 2 1] blur keeps sub-pixel misregistration from reading as change.
    Removing the broad shading (sky gradients, vignettes) leaves texture, which tells two
    look-alike shots apart; smooth blocks become flat and abstain.
    """
    h, w = luma.shape[1] // 2 * 2, luma.shape[2] // 2 * 2
    f = luma[:, :h, :w]
    half = 0.25 * (f[:, 0::2, 0::2] + f[:, 1::2, 0::2] + f[:, 0::2, 1::2] + f[:, 1::2, 1::2])
    half[:, 1:-1] = 0.25 * (half[:, :-2] + 2 * half[:, 1:-1] + half[:, 2:])
    half[:, :, 1:-1] = 0.25 * (half[:, :, :-2] + 2 * half[:, :, 1:-1] + half[:, :, 2:])
    return half - gaussian_filter(half, (0, _SHADING_SIGMA_PX, _SHADING_SIGMA_PX), mode="nearest")


def _thumbs(luma: np.ndarray) -> np.ndarray:
    """Return (n, 18, 32) box-filtered thumbnails of (n, h, w) frames."""
    th, tw = _THUMB_SHAPE
    ys = np.linspace(0, luma.shape[1], th + 1).astype(int)
    xs = np.linspace(0, luma.shape[2], tw + 1).astype(int)
    rows = np.add.reduceat(luma, ys[:-1], axis=1) / np.diff(ys)[None, :, None]
    return np.add.reduceat(rows, xs[:-1], axis=2) / np.diff(xs)[None, None, :]


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


class _Extractor:
    """The streaming state of :func:`extract_features`: the last few frames, and the columns."""

    def __init__(self, height: int, width: int, max_flash_frames: int) -> None:
        self.correlator = _PhaseCorrelator(height, width)
        self.matcher = _BlockMatcher(height // 2, width // 2)
        self.size = (height, width)
        self.max_flash = max_flash_frames
        self.ring = 2 * max(SPAN_HALF_WIDTHS) + 1
        # The last `ring` frames, at slot frame % ring.
        self.frames = np.zeros((self.ring, height, width), np.float32)
        self.halves = np.zeros((self.ring, height // 2, width // 2), np.float32)
        self.spectra = np.zeros((self.ring, height, width // 2 + 1), np.complex64)
        # Per frame: camera shift (dx, dy) from the frame before [analysis px] and compensated
        # change. Spans add them up over their own frames, not as differences of running totals,
        # so a frame's features do not depend on where the stream began.
        self.steps = np.zeros((self.ring, 3))
        self.pending: list[int] = []  # flicker candidates still looking ahead
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

    def add(self, chunk: LumaChunk) -> None:
        """Measure a chunk of frames."""
        luma = chunk.luma
        first, n = self.n, len(luma)
        self.columns.reserve(first + n)
        col = self.columns.arrays
        spectra = self.correlator.spectrum(luma)
        col["times_s"][first : first + n] = chunk.times_s
        col["mean_luma"][first : first + n] = luma.mean(axis=(1, 2))
        col["contrast"][first : first + n] = luma.std(axis=(1, 2))
        col["thumbs"][first : first + n] = _thumbs(luma).reshape(n, -1)
        # Shifts of every frame against the one before, in one batch.
        if first > 0:
            before = np.concatenate([self.spectra[(first - 1) % self.ring][None], spectra[:-1]])
            shift, confidence = self.correlator.shift(before, spectra)
        else:
            shift, confidence = self.correlator.shift(spectra[:-1], spectra[1:])
            shift = np.concatenate([np.zeros((1, 2), np.float32), shift])
            confidence = np.concatenate([[1.0], confidence])
        col["shift_px"][first : first + n] = shift
        col["shift_confidence"][first : first + n] = confidence
        halves = _halves(luma)
        for k in range(n):
            self._step(luma[k], halves[k], spectra[k], shift[k])

    def _step(self, frame: np.ndarray, half: np.ndarray, spec: np.ndarray, shift: np.ndarray) -> None:
        j, ring, col = self.n, self.ring, self.columns.arrays
        slot, prev = j % ring, (j - 1) % ring
        if j > 0:
            cost = _match(self.matcher, self.halves[prev], half, shift, col["shift_confidence"][j])
            residual = _compensated_residual(self.frames[prev], frame, shift)
            walked = 0.0
            if residual is not None:
                col["moving_share"][j] = (residual > _MOVING_LUMA).mean()
                walked = float(residual.mean())
            col["match_cost"][j] = cost
            self.steps[slot] = (shift[0], shift[1], walked)
        else:
            cost = 0.0
            self.steps[slot] = 0.0
        self.frames[slot], self.halves[slot], self.spectra[slot] = frame, half, spec
        self._flicker(j, half, spec, cost)
        self._spans(j)
        self.n += 1

    def _match_to(self, j: int, half: np.ndarray, spec: np.ndarray) -> float:
        """Match cost of the current frame against frame ``j`` of the ring, at their shift."""
        slot = j % self.ring
        shift, confidence = self.correlator.shift(self.spectra[slot], spec)
        return _match(self.matcher, self.halves[slot], half, shift, float(confidence))

    def _flicker(self, j: int, half: np.ndarray, spec: np.ndarray, cost: float) -> None:
        """Run the flicker test: is a candidate a blip the picture comes back from."""
        flicker = self.columns.arrays["flicker_cost"]
        for cand in list(self.pending):
            lag = j - cand
            if lag > self.max_flash:
                self.pending.remove(cand)
                continue
            flicker[cand, self.max_flash + lag - 1] = self._match_to(cand - 1, half, spec)
        if j > 0 and not cost <= CANDIDATE_COST:
            for back in range(1, min(self.max_flash, j - 1) + 1):
                flicker[j, back - 1] = self._match_to(j - 1 - back, half, spec)
            self.pending.append(j)

    def _spans(self, j: int) -> None:
        """Match frame ``j - 2h`` against ``j`` where the frame between looks like a blend of them."""
        ring, col = self.ring, self.columns.arrays
        hs = np.array([h for h in SPAN_HALF_WIDTHS if j - 2 * h >= 0], dtype=int)
        if hs.size == 0:
            return
        thumbs = col["thumbs"]
        current = thumbs[j].astype(np.float32)
        starts, middles = thumbs[j - 2 * hs].astype(np.float32), thumbs[j - hs].astype(np.float32)
        looks_blended = (thumb_change(starts, current[None]) >= _SPAN_MIN_CHANGE) & (
            blend_residual(starts, middles, current[None]) <= _SPAN_MAX_RESIDUAL
        )
        for h in hs[looks_blended]:
            first = (j - 2 * h) % ring
            summed = self.steps[np.arange(j - 2 * h + 1, j + 1) % ring].sum(axis=0)
            moved, walked = summed[:2], summed[2]
            if np.hypot(*moved) > 0.35 * self.size[1]:
                continue
            net = _compensated_difference(self.frames[first], self.frames[j % ring], moved)
            consistency = net / (walked + 1e-6)
            if not consistency >= _SPAN_MIN_CONSISTENCY:
                continue
            # The camera travel is summed over trusted frame-to-frame shifts: no second try.
            cost = _match(self.matcher, self.halves[first], self.halves[j % ring], moved, 1.0, retry=False)
            col["span_cost"][j - h, SPAN_HALF_WIDTHS.index(int(h))] = (cost, consistency, net)

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


def extract_features(chunks: Iterable[LumaChunk], *, max_flash_frames: int = 3) -> FrameFeatures:
    """Measure every frame of a stream of luma chunks.

    Parameters
    ----------
    chunks : iterable of LumaChunk
        Frames in presentation order, all of the same size.
    max_flash_frames : int >= 1
        Longest flash or blip the flicker test looks past [frames].

    Returns
    -------
    FrameFeatures
    """
    extractor: _Extractor | None = None
    for chunk in chunks:
        if extractor is None:
            extractor = _Extractor(*chunk.luma.shape[1:], max_flash_frames)
        extractor.add(chunk)
    if extractor is None:  # no frames at all
        extractor = _Extractor(_BLOCK_PX * 4, _BLOCK_PX * 4, max_flash_frames)
    return extractor.features()
