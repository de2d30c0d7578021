"""Find tempo: rank constant tempos by how many weighted hits they put on the grid.

What a film composer's Find Tempo does (Digital Performer, Dorico, CUE, Auricle): for every
tempo of a range, at the bar-1 offset that suits it best, count the weighted hits within a
tolerance (in frames) of a grid line (a beat split into ``subdivision`` parts). A fast tempo
has dense grid lines and catches hits by accident, so tempos are ranked by the
chance-corrected rate ``(caught - chance) / (total - chance)``, where ``chance`` is the weight a
random set of hits would catch: the share of the timeline within the tolerance of a grid
line. For hits on picture frames that share is counted in frames, since a grid that falls
on every fourth frame catches three frames in four at one frame of tolerance, not two.

How it stays fast: a coarse pass bins each hit's phase on every tempo of the range (one
weighted histogram per tempo, all tempos at once) and bounds the best catch from above; the
exact pass then finds the best phase of the most promising tempos by a sweep over the
sorted phases, in batches, until no tempo left can enter the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from sonics.core.errors import ParameterError
from sonics.core.model import Analysis, Hit
from sonics.core.tempo import TempoCandidate
from sonics.core.timebase import parse_frame_rate
from sonics.tempo.hits import as_hits

__all__ = ["fit_tempo", "score_tempo"]

_EPS_S = 1e-6
"""Slack on the tolerance, so a hit exactly one frame off a grid line counts at one frame."""
_N_BINS = 256
"""Phase bins per grid period in the coarse pass."""
_BATCH = 1024
"""Tempos per batch of the exact pass."""
_CHUNK = 2048
"""Tempos per chunk of the coarse pass (bounds its memory to about chunk x hits x 8 bytes)."""
_DENSITY_LINES = 240
"""Grid lines over which the share of frames near a grid line is counted."""
_SEPARATION = 0.005
"""Candidates closer than this (relative) to a better one are the same tempo and not listed."""
_OFF_BEAT_CREDIT = 0.25
"""Credit for a hit caught on a grid line between beats, relative to one on a beat."""
_LUCK_Z = 3.0
"""Standard deviations of a random catch taken off the score (see :func:`_score`).

The top of the table is the best of thousands of tempos, each at its best phase: a maximum
of many random catches, largest on dense grids. At 3 the best tempo of random hits lands
anywhere in the range (median 109 BPM over 60..200 in 20 seeded trials; at 1 it was 180).
"""


@dataclass(frozen=True, slots=True)
class _Hits:
    """Hits as arrays, sorted by time."""

    times_s: np.ndarray
    weights: np.ndarray
    sources: tuple[str, ...]
    frame_rate: Fraction
    on_frames: bool

    @property
    def total(self) -> float:
        return float(self.weights.sum())


def _hits(hits: Any, frame_rate: Fraction | int | str | None) -> _Hits:
    """Return hits as sorted arrays; accept Hit objects, times, (time, weight) pairs or an Analysis."""
    if isinstance(hits, Analysis):
        if frame_rate is None:
            frame_rate = hits.picture.frame_rate
        hits = hits.hits()
    rate = parse_frame_rate(24 if frame_rate is None else frame_rate)
    found = as_hits(hits)
    times = np.array([h.time_s for h in found], dtype=np.float64)
    weights = np.array([h.weight for h in found], dtype=np.float64)
    frames = times * float(rate)
    on_frames = bool(times.size) and bool(np.all(np.abs(frames - np.round(frames)) < _EPS_S * float(rate)))
    return _Hits(times, weights, tuple(h.source for h in found), rate, on_frames)


def _check_options(
    min_bpm: float,
    max_bpm: float,
    step_bpm: float,
    tolerance_frames: float,
    subdivision: int,
    meter: tuple[int, int],
    top: int,
) -> None:
    if not (np.isfinite(min_bpm) and min_bpm > 0):
        raise ParameterError(f"min_bpm must be > 0, got {min_bpm}")
    if not (np.isfinite(max_bpm) and max_bpm >= min_bpm):
        raise ParameterError(f"max_bpm must be >= min_bpm ({min_bpm}), got {max_bpm}")
    if not (np.isfinite(step_bpm) and step_bpm > 0):
        raise ParameterError(f"step_bpm must be > 0, got {step_bpm}")
    if (max_bpm - min_bpm) / step_bpm > 1_000_000:
        raise ParameterError(
            f"{min_bpm}..{max_bpm} BPM in steps of {step_bpm} is over a million tempos; use a larger step_bpm"
        )
    if not (np.isfinite(tolerance_frames) and tolerance_frames >= 0):
        raise ParameterError(f"tolerance_frames must be >= 0, got {tolerance_frames}")
    if not isinstance(subdivision, int) or not 1 <= subdivision <= 16:
        raise ParameterError(f"subdivision must be an integer in 1..16, got {subdivision!r}")
    if len(meter) != 2 or not all(isinstance(m, int) and m > 0 for m in meter):
        raise ParameterError(f"meter must be (numerator, denominator), e.g. (4, 4), got {meter!r}")
    if not isinstance(top, int) or top < 1:
        raise ParameterError(f"top must be an integer >= 1, got {top!r}")


def _tempo_grid(min_bpm: float, max_bpm: float, step_bpm: float) -> np.ndarray:
    n = int(np.floor((max_bpm - min_bpm) / step_bpm + 1e-9)) + 1
    return np.round(min_bpm + step_bpm * np.arange(n), 9)


def _upper_bounds(hits: _Hits, beat_rates: np.ndarray, tol_s: float, sub: int) -> np.ndarray:
    """Return, per tempo (beats per second), an upper bound of the best weighted hit credit.

    Each hit's phase within the beat is binned into ``n_bins`` bins; a window of ``2 tol``
    lies inside at most ``ceil(2 tol / bin) + 1`` neighbouring bins, whose summed weight
    bounds what any grid line catches near that phase. A phase's credit is its beat line's
    window plus ``_OFF_BEAT_CREDIT`` times the windows of the lines between beats.
    """
    n_bins = sub * -(-_N_BINS // sub)
    per_line = n_bins // sub
    tol = tol_s + _EPS_S
    bounds = np.empty(beat_rates.size)
    t = hits.times_s
    w = hits.weights
    for lo in range(0, beat_rates.size, _CHUNK):
        r = beat_rates[lo : lo + _CHUNK]
        k = r.size
        phase = t[None, :] * r[:, None]
        bins = ((phase - np.floor(phase)) * n_bins).astype(np.int64)
        np.minimum(bins, n_bins - 1, out=bins)
        bins += (np.arange(k) * n_bins)[:, None]
        hist = np.bincount(bins.ravel(), weights=np.broadcast_to(w, bins.shape).ravel(), minlength=k * n_bins)
        hist = hist.reshape(k, n_bins)
        cum = np.zeros((k, 2 * n_bins + 1))
        np.cumsum(np.concatenate([hist, hist], axis=1), axis=1, out=cum[:, 1:])
        span = np.minimum(np.ceil(2.0 * tol * r * n_bins).astype(np.int64) + 1, n_bins)
        starts = np.arange(n_bins)[None, :]
        window = np.take_along_axis(cum, starts + span[:, None], axis=1) - cum[:, :n_bins]
        lines = window.reshape(k, sub, per_line).sum(axis=1)
        credit = (1.0 - _OFF_BEAT_CREDIT) * window + _OFF_BEAT_CREDIT * np.tile(lines, (1, sub))
        bounds[lo : lo + _CHUNK] = np.minimum(credit.max(axis=1), hits.total)
    return bounds


@dataclass(frozen=True, slots=True)
class _Fit:
    """Exact best phase per tempo of a batch."""

    caught: np.ndarray  # weighted catch at the best phase
    phase_s: np.ndarray  # best grid phase, in [0, period)
    sq_err: np.ndarray  # weighted sum of squared offsets of the caught hits [s^2]


def _exact(hits: _Hits, periods: np.ndarray, tol_s: float) -> _Fit:
    """Return the best phase and catch of each grid period, exactly.

    A phase catches hit ``i`` when it lies within ``tol`` of the hit's phase ``r_i``. The
    best catch is reached with some hit at the far end of the window, so for each hit ``j``
    the window holds the hits with phases in ``[r_j - 2 tol, r_j]``; among the best windows
    the phase is the weighted mean of its hits (clipped to where all stay caught), which
    makes the fit tightest.
    """
    k, n = periods.size, hits.times_s.size
    tol = tol_s + _EPS_S
    p = periods[:, None]
    phase = hits.times_s[None, :] - np.floor(hits.times_s[None, :] / p) * p
    order = np.argsort(phase, axis=1, kind="stable")
    r = np.take_along_axis(phase, order, axis=1)
    w = hits.weights[order]
    ext = np.concatenate([r - p, r], axis=1)
    wext = np.concatenate([w, w], axis=1)
    row_offset = (np.arange(k) * (4.0 * float(periods.max()) + 8.0 * tol))[:, None]
    flat = (ext + row_offset).ravel()
    query = (r - 2.0 * tol + row_offset).ravel()
    stop = np.arange(n, 2 * n)[None, :] + 1  # window ends at hit j (second copy), inclusive
    start = np.searchsorted(flat, query, side="left").reshape(k, n) - (np.arange(k) * 2 * n)[:, None]
    start = np.maximum(start, stop - n)  # at most one period of hits (a grid denser than 2 tol)
    s0 = np.zeros((k, 2 * n + 1))
    s1 = np.zeros((k, 2 * n + 1))
    s2 = np.zeros((k, 2 * n + 1))
    np.cumsum(wext, axis=1, out=s0[:, 1:])
    np.cumsum(wext * ext, axis=1, out=s1[:, 1:])
    np.cumsum(wext * ext * ext, axis=1, out=s2[:, 1:])
    stop_b = np.broadcast_to(stop, (k, n))
    sum0 = np.take_along_axis(s0, stop_b, 1) - np.take_along_axis(s0, start, 1)
    sum1 = np.take_along_axis(s1, stop_b, 1) - np.take_along_axis(s1, start, 1)
    sum2 = np.take_along_axis(s2, stop_b, 1) - np.take_along_axis(s2, start, 1)
    lowest = np.take_along_axis(ext, np.minimum(start, 2 * n - 1), 1)
    mean = np.divide(sum1, sum0, out=r.copy(), where=sum0 > 0)
    phi = np.clip(mean, r - tol, np.maximum(lowest + tol, r - tol))
    err = np.maximum(sum2 - 2.0 * phi * sum1 + phi * phi * sum0, 0.0)
    best = sum0.max(axis=1)
    err = np.where(sum0 >= best[:, None] - 1e-9, err, np.inf)
    pick = np.argmin(err, axis=1)
    rows = np.arange(k)
    return _Fit(best, np.mod(phi[rows, pick], periods), err[rows, pick])


def _line_frames(phase_s: np.ndarray, periods: np.ndarray, tol_s: float, frame_rate: float) -> np.ndarray:
    """Return, per tempo and grid line ``n`` from the phase on, the frames within ``tol_s`` of it."""
    lines = phase_s[:, None] + periods[:, None] * np.arange(_DENSITY_LINES)[None, :]
    tol = tol_s + _EPS_S
    first = np.ceil((lines - tol) * frame_rate - 1e-9)
    last = np.floor((lines + tol) * frame_rate + 1e-9)
    return np.clip(last - first + 1, 0, None)


def _continuous_shares(periods: np.ndarray, tol_s: float, sub: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the shares of the timeline within ``tol_s`` of a beat line and of the lines between."""
    share = np.minimum(2.0 * tol_s / periods, 1.0)
    return share / sub, share * (sub - 1) / sub


def _chance_moments(on: np.ndarray, off: np.ndarray, hits: _Hits) -> tuple[np.ndarray, np.ndarray]:
    """Return the mean credit share of a random hit and the standard deviation of a random total credit."""
    mean = on + _OFF_BEAT_CREDIT * off
    var = np.maximum(on + _OFF_BEAT_CREDIT**2 * off - mean * mean, 0.0)
    return mean, np.sqrt(var * float(np.sum(hits.weights**2)))


def _chance_shares(
    hits: _Hits, phase_s: np.ndarray, periods: np.ndarray, tol_s: float, sub: int, beat_res: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the shares of random hits that a grid catches by accident on beats and off them.

    Continuous time: each line holds ``2 tol / period`` of the timeline. Hits on frames: the
    share of frames near a line, at the chosen phase or the nearest frame-aligned one
    (whichever is larger), so a grid locked to the frames gets no free catches.
    """
    on, off = _continuous_shares(periods, tol_s, sub)
    if hits.on_frames:
        rate = float(hits.frame_rate)
        beat_line = np.mod(np.arange(_DENSITY_LINES)[None, :] - beat_res[:, None], sub) == 0
        frames_per_line = (_DENSITY_LINES * periods * rate)[:, None]
        for phase in (phase_s, np.round(phase_s * rate) / rate):
            counts = _line_frames(phase, periods, tol_s, rate) / frames_per_line
            on_f = np.where(beat_line, counts, 0.0).sum(axis=1)
            off_f = counts.sum(axis=1) - on_f
            better = on_f + _OFF_BEAT_CREDIT * off_f > on + _OFF_BEAT_CREDIT * off
            on = np.where(better, on_f, on)
            off = np.where(better, off_f, off)
    total = on + off
    scale = np.where(total > 1.0, 1.0 / np.maximum(total, 1e-300), 1.0)
    return on * scale, off * scale


@dataclass(frozen=True, slots=True)
class _Scored:
    score: np.ndarray  # chance-corrected, with a margin for luck
    on_beat: np.ndarray  # weighted catch on beats
    chance: np.ndarray  # weighted catch expected by chance (all grid lines)
    beat_res: np.ndarray  # which grid line (mod subdivision) is a beat


def _score(hits: _Hits, fit: _Fit, periods: np.ndarray, tol_s: float, sub: int) -> _Scored:
    """Score each tempo at its best phase: weighted hit credit against what chance gives.

    A caught hit earns its weight on a beat and ``_OFF_BEAT_CREDIT`` of it between beats, so
    hits on the beats of 132 BPM rank 132 above 66 BPM (whose eighths are the same lines).
    The score is ``(credit - chance - _LUCK_Z * sd) / (total - chance)``: the chance-corrected
    rate less a margin of ``_LUCK_Z`` standard deviations of what random hits would score,
    so that a dense grid, whose catch varies most by luck, does not top the table by it.
    """
    t, w = hits.times_s, hits.weights
    lines = np.round((t[None, :] - fit.phase_s[:, None]) / periods[:, None])
    off = t[None, :] - (fit.phase_s[:, None] + lines * periods[:, None])
    caught_w = np.where(np.abs(off) <= tol_s + _EPS_S, w[None, :], 0.0)
    residue = np.mod(lines, sub)
    per_res = np.stack([np.where(residue == s, caught_w, 0.0).sum(axis=1) for s in range(sub)], axis=1)
    beat_res = np.argmax(per_res, axis=1)
    on_beat = per_res[np.arange(periods.size), beat_res]
    credit = on_beat + _OFF_BEAT_CREDIT * (caught_w.sum(axis=1) - on_beat)
    on, off_share = _chance_shares(hits, fit.phase_s, periods, tol_s, sub, beat_res)
    mean = on + _OFF_BEAT_CREDIT * off_share
    _, sd = _chance_moments(*_continuous_shares(periods, tol_s, sub), hits)
    total = hits.total
    room = total * (1.0 - mean)
    score = np.where(room > 1e-12, (credit - total * mean - _LUCK_Z * sd) / np.maximum(room, 1e-12), 0.0)
    return _Scored(score, on_beat, total * (on + off_share), beat_res)


def _order(score: np.ndarray, on_beat: np.ndarray, sq_err: np.ndarray, bpm: np.ndarray) -> np.ndarray:
    """Return indices best first: chance-corrected score, then catch on beats, tightness, slower."""
    return np.lexsort((bpm, sq_err, -np.round(on_beat, 9), -np.round(score, 12)))


def _distinct(order: np.ndarray, bpm: np.ndarray, top: int) -> list[int]:
    """Keep the best of each group of tempos closer than ``_SEPARATION`` (greedy, best first)."""
    kept: list[int] = []
    for i in order:
        if all(abs(bpm[i] - bpm[j]) > _SEPARATION * bpm[j] for j in kept):
            kept.append(int(i))
            if len(kept) == top:
                break
    return kept


def _candidate(
    hits: _Hits,
    bpm: float,
    phase_s: float,
    score: float,
    chance: float,
    tol_s: float,
    sub: int,
    meter: tuple[int, int],
) -> TempoCandidate:
    period = 60.0 / (bpm * sub)
    t, w = hits.times_s, hits.weights
    lines = np.round((t - phase_s) / period).astype(np.int64)
    off_s = t - (phase_s + lines * period)
    caught = np.abs(off_s) <= tol_s + _EPS_S
    near = ~caught & (np.abs(off_s) <= 2.0 * tol_s + _EPS_S)
    # Which grid line is a beat, then which beat is a downbeat: the most weighted hits on each.
    beat_res = max(range(sub), key=lambda s: (float(w[caught & (np.mod(lines, sub) == s)].sum()), -s))
    bar_lines = sub * meter[0]
    down_res = max(
        range(beat_res, bar_lines, sub),
        key=lambda s: (float(w[caught & (np.mod(lines, bar_lines) == s)].sum()), -s),
    )
    bar_s = bar_lines * period
    offset_s = float(np.mod(phase_s + down_res * period, bar_s))
    frames = off_s * float(hits.frame_rate)
    return TempoCandidate(
        bpm=float(bpm),
        offset_s=round(offset_s, 9),
        score=float(score),
        weight_caught=float(w[caught].sum()),
        weight_total=hits.total,
        weight_chance=float(chance),
        weight_on_beat=float(w[caught & (np.mod(lines, sub) == beat_res)].sum()),
        n_hits=int(t.size),
        n_caught=int(caught.sum()),
        n_near=int(near.sum()),
        median_frames_off=float(np.median(np.abs(frames[caught]))) if caught.any() else 0.0,
        frames_off=tuple(np.round(frames, 6).tolist()),
        subdivision=sub,
        numerator=meter[0],
        denominator=meter[1],
    )


def fit_tempo(
    hits: Iterable[Hit] | Iterable[float] | Analysis,
    *,
    min_bpm: float = 60.0,
    max_bpm: float = 200.0,
    step_bpm: float = 0.01,
    tolerance_frames: float = 1.0,
    frame_rate: Fraction | int | str | None = None,
    subdivision: int = 2,
    meter: tuple[int, int] = (4, 4),
    top: int = 10,
) -> tuple[TempoCandidate, ...]:
    """Rank constant tempos by how many weighted hits land on their grid, corrected for chance.

    Parameters
    ----------
    hits : iterable of Hit, of float or of (time_s, weight); or Analysis
        The moments to catch, in seconds from the first frame, with weights >= 0 (1 for a
        bare time). An :class:`Analysis` gives its :meth:`~Analysis.hits` and frame rate.
    min_bpm, max_bpm : float
        Tempo range, beats per minute, inclusive; 0 < min_bpm <= max_bpm.
    step_bpm : float
        Tempo step, > 0 (0.01 gives 14,001 tempos from 60 to 200).
    tolerance_frames : float
        A hit is caught within this many frames of a grid line, >= 0; a near miss within twice.
    frame_rate : Fraction, int or str, optional
        The picture's frame rate; default the analysis's, else 24.
    subdivision : int
        Grid lines per beat, 1..16 (2: eighth notes in 4/4).
    meter : (int, int)
        Numerator and denominator; ``bpm`` counts notes of the denominator, and the bar-1
        offset puts the most weighted hits on downbeats.
    top : int
        How many distinct tempos to return (tempos within 0.5 % of a better one are the same).

    Returns
    -------
    tuple of TempoCandidate
        Best first, by chance-corrected score, then weighted hits on beats, then how tight
        the caught hits sit, then the slower tempo. Empty if there are no hits.

    Raises
    ------
    ParameterError
        If an option is out of its domain or a hit is not a time.

    Examples
    --------
    >>> times = [i * 60 / 132 for i in range(40)]
    >>> best = fit_tempo(times, min_bpm=90, max_bpm=180, frame_rate=1000)[0]
    >>> round(best.bpm)
    132
    """
    _check_options(min_bpm, max_bpm, step_bpm, tolerance_frames, subdivision, meter, top)
    data = _hits(hits, frame_rate)
    if data.times_s.size == 0 or data.total <= 0:
        return ()
    tol_s = tolerance_frames / float(data.frame_rate)
    bpm = _tempo_grid(min_bpm, max_bpm, step_bpm)
    rates = bpm * subdivision / 60.0
    periods = 1.0 / rates
    total = data.total
    on, off = _continuous_shares(periods, tol_s, subdivision)
    mean, sd = _chance_moments(on, off, data)
    room = total * (1.0 - mean)
    credit_bound = _upper_bounds(data, bpm / 60.0, tol_s, subdivision)
    bound = np.where(
        room > 1e-12, (credit_bound - total * mean - _LUCK_Z * sd) / np.maximum(room, 1e-12), 0.0
    )
    queue = np.argsort(-bound, kind="stable")

    parts: list[tuple[np.ndarray, _Fit, _Scored]] = []
    kept: list[int] = []
    for lo in range(0, queue.size, _BATCH):
        batch = queue[lo : lo + _BATCH]
        fit = _exact(data, periods[batch], tol_s)
        parts.append((batch, fit, _score(data, fit, periods[batch], tol_s, subdivision)))
        index = np.concatenate([b for b, _, _ in parts])
        score = np.concatenate([s.score for _, _, s in parts])
        on_beat = np.concatenate([s.on_beat for _, _, s in parts])
        sq_err = np.concatenate([f.sq_err for _, f, _ in parts])
        kept = _distinct(_order(score, on_beat, sq_err, bpm[index]), bpm[index], 2 * top)
        nxt = lo + _BATCH
        if nxt >= queue.size or (len(kept) == 2 * top and bound[queue[nxt]] < score[kept[-1]] - 1e-12):
            break
    phase = np.concatenate([f.phase_s for _, f, _ in parts])
    chance = np.concatenate([s.chance for _, _, s in parts])
    found = []
    for i in kept:
        tempo, phase_s, score_i, chance_i = _refine(
            data,
            bpm[index[i]],
            phase[i],
            score[i],
            chance[i],
            tol_s,
            subdivision,
            (min_bpm, max_bpm, step_bpm),
        )
        found.append(_candidate(data, tempo, phase_s, score_i, chance_i, tol_s, subdivision, meter))
    found.sort(key=lambda c: (-round(c.score, 12), -round(c.weight_on_beat, 9), c.bpm))
    distinct: list[TempoCandidate] = []
    for candidate in found:
        if all(abs(candidate.bpm - c.bpm) > _SEPARATION * c.bpm for c in distinct):
            distinct.append(candidate)
    return tuple(distinct[:top])


def _refine(
    hits: _Hits,
    bpm: float,
    phase_s: float,
    score: float,
    chance: float,
    tol_s: float,
    sub: int,
    grid: tuple[float, float, float],
) -> tuple[float, float, float, float]:
    """Return the tempo of a peak that fits its hits best, if it catches within one hit of the peak.

    Which tempo of a family catches the most hits hangs on a frame of jitter here and there;
    a weighted least-squares line through the hits near the grid (within two tolerances,
    twice over) is the family's tempo. It replaces the peak when its score is lower by no
    more than one hit of median weight, or than one standard deviation of a random catch
    (a difference chance alone makes).
    """
    t, w = hits.times_s, hits.weights
    period, phase = 60.0 / (bpm * sub), phase_s
    for _ in range(2):
        lines = np.round((t - phase) / period)
        near = np.abs(t - phase - lines * period) <= 2.0 * tol_s + _EPS_S
        if np.count_nonzero(near) < 3 or np.ptp(lines[near]) == 0:
            return bpm, phase_s, score, chance
        slope, intercept = np.polyfit(lines[near], t[near], 1, w=np.sqrt(w[near]))
        if not slope > 0:
            return bpm, phase_s, score, chance
        period, phase = float(slope), float(intercept)
    lo, hi, step = grid
    fitted = float(np.clip(np.round(lo + step * np.round((60.0 / (period * sub) - lo) / step), 9), lo, hi))
    if fitted == bpm:
        return bpm, phase_s, score, chance
    periods = np.array([60.0 / (fitted * sub)])
    fit = _exact(hits, periods, tol_s)
    scored = _score(hits, fit, periods, tol_s, sub)
    mean, sd = _chance_moments(*_continuous_shares(periods, tol_s, sub), hits)
    room = hits.total * (1.0 - float(mean[0]))
    slack = max(float(np.median(w)), float(sd[0])) / room if room > 1e-12 else 0.0
    if scored.score[0] < score - slack:
        return bpm, phase_s, score, chance
    return fitted, float(fit.phase_s[0]), float(scored.score[0]), float(scored.chance[0])


def score_tempo(
    hits: Iterable[Hit] | Iterable[float] | Analysis,
    bpm: float,
    *,
    tolerance_frames: float = 1.0,
    frame_rate: Fraction | int | str | None = None,
    subdivision: int = 2,
    meter: tuple[int, int] = (4, 4),
) -> TempoCandidate | None:
    """Return how one given tempo catches the hits, at its best bar-1 offset (None without hits).

    Parameters are as for :func:`fit_tempo`, with ``bpm`` > 0 the tempo to score.
    """
    _check_options(bpm, bpm, 1.0, tolerance_frames, subdivision, meter, 1)
    data = _hits(hits, frame_rate)
    if data.times_s.size == 0 or data.total <= 0:
        return None
    tol_s = tolerance_frames / float(data.frame_rate)
    periods = np.array([60.0 / (bpm * subdivision)])
    fit = _exact(data, periods, tol_s)
    scored = _score(data, fit, periods, tol_s, subdivision)
    return _candidate(
        data,
        bpm,
        float(fit.phase_s[0]),
        float(scored.score[0]),
        float(scored.chance[0]),
        tol_s,
        subdivision,
        meter,
    )
