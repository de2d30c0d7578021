"""Fit a music track to a picture: its length to the sample, its beats onto the hits.

What an editor does by hand with a library cue, in four steps (beats, bars and sections
from :mod:`sonics.music.beats` and :mod:`sonics.music.sections`):

1. **Global stretch and start offset.** Find Tempo (:func:`sonics.tempo.fit_tempo`) over the
   picture's weighted hits, within ``max_stretch_pct`` of the track's own tempo, gives the
   tempos and bar phases that put the most weight on beats; each becomes a start offset into
   the track (where the source starts playing at the picture's first frame). Starting at the
   track's very beginning is always a candidate too.
2. **Length by whole bars.** The body between the track's opening and its ending (its last
   ``ending_bars`` bars and their ring-out, always kept) is filled with as many whole bars as
   the picture needs, cutting or repeating bars where the music allows: a dynamic programme
   over (output bar, source bar) whose jump from bar ``i`` to bar ``j`` costs how unlike bar
   ``j`` is to bar ``i + 1`` (the bar it replaces) and bar ``j - 1`` to bar ``i`` (the bar it
   follows), in chroma and timbre, plus a price per jump; jumps keep a distance of
   ``min_bars_between_jumps`` and prefer the same place in a phrase.
3. **Warp onto the sync hits.** Between anchors (the start, chosen sync hits, the end) the
   tempo is constant; a dynamic programme picks which beat each sync hit lands on (a downbeat
   counts more) so that the most weight lands, with every segment's stretch within
   ``max_stretch_pct`` of the source and the last one ending the ending on the picture's last
   sample. Beats between anchors keep the source's own timing, scaled.
4. **The result** is a :class:`~sonics.music.edit.FitEdit` (pieces with their time maps) and
   the output's :class:`~sonics.core.tempo.TempoMap`, with a before/after count of the hits on
   beats. A track without a steady beat is fitted by length alone (:func:`plan_length_fit`):
   cut or looped at quiet, alike moments, with longer crossfades.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from sonics.core.errors import ParameterError
from sonics.core.model import Hit
from sonics.core.tempo import TempoMap, TempoSegment
from sonics.music.beats import BeatTrack
from sonics.music.edit import FitEdit, Piece
from sonics.music.sections import Section
from sonics.tempo import fit_tempo

__all__ = ["FitOptions", "hits_on_beats", "plan_fit", "plan_length_fit", "source_tempo_map"]

_JUMP_PRICE = 0.35
_PHRASE_PRICE = 0.1
_PHRASE_BARS = 4
_DOWNBEAT_BONUS = 1.0
_STRETCH_PRICE = 2.0
_START_LATE_PRICE = 0.05
_MAX_CANDIDATES = 24


@dataclass(frozen=True, slots=True)
class FitOptions:
    """How a track may be fitted (proposed preset keys: ``[fit]`` table).

    Parameters
    ----------
    max_stretch_pct : float in [0, 25]
        Largest change of speed anywhere, either way, in percent of the source's (6: from
        94 % to 106 % of its tempo).
    tolerance_frames : float >= 0
        A hit is on a beat within this many frames of it.
    sync_weight : float in [0, 1]
        Hits weighing at least this are sync hits: the warp tries to land them on beats.
    ending_bars : int >= 1
        How many of the track's last bars are always kept as its ending.
    min_bars_between_jumps : int >= 1
        Least number of bars played between two cuts or repeats.
    crossfade_ms : float > 0
        Length of a crossfade between bars [ms].
    crossfade_lead_ms : float >= 0
        How far before the new bar's downbeat the crossfade ends [ms].
    length_crossfade_ms : float > 0
        Length of a crossfade in a fit by length alone [ms].
    """

    max_stretch_pct: float = 6.0
    tolerance_frames: float = 1.0
    sync_weight: float = 0.8
    ending_bars: int = 2
    min_bars_between_jumps: int = 2
    crossfade_ms: float = 10.0
    crossfade_lead_ms: float = 4.0
    length_crossfade_ms: float = 60.0

    def __post_init__(self) -> None:
        checks = (
            ("max_stretch_pct", 0.0 <= self.max_stretch_pct <= 25.0, "in [0, 25]"),
            ("tolerance_frames", self.tolerance_frames >= 0.0, ">= 0"),
            ("sync_weight", 0.0 <= self.sync_weight <= 1.0, "in [0, 1]"),
            ("ending_bars", isinstance(self.ending_bars, int) and self.ending_bars >= 1, "an integer >= 1"),
            (
                "min_bars_between_jumps",
                isinstance(self.min_bars_between_jumps, int) and self.min_bars_between_jumps >= 1,
                "an integer >= 1",
            ),
            ("crossfade_ms", self.crossfade_ms > 0.0, "> 0"),
            ("crossfade_lead_ms", self.crossfade_lead_ms >= 0.0, ">= 0"),
            ("length_crossfade_ms", self.length_crossfade_ms > 0.0, "> 0"),
        )
        for name, ok, rule in checks:
            if not ok:
                raise ParameterError(f"{name} must be {rule}, got {getattr(self, name)!r}")

    @property
    def max_ratio_change(self) -> float:
        """``max_stretch_pct`` as a fraction."""
        return self.max_stretch_pct / 100.0


@dataclass(frozen=True, slots=True)
class _Hits:
    times_s: np.ndarray
    weights: np.ndarray
    sources: tuple[str, ...]
    sync: np.ndarray

    @classmethod
    def of(cls, hits: tuple[Hit, ...], sync_weight: float) -> _Hits:
        ordered = sorted(hits, key=lambda h: (h.time_s, h.source))
        times = np.array([h.time_s for h in ordered], dtype=np.float64)
        weights = np.array([h.weight for h in ordered], dtype=np.float64)
        return cls(times, weights, tuple(h.source for h in ordered), weights >= sync_weight)


@dataclass(frozen=True, slots=True)
class _Sequence:
    """The output as source beats: point ``i`` is output beat ``q[i]``, ``src_s[i]`` seconds in the source.

    ``cum_s`` is the source time played up to each point; ``piece`` which piece it belongs to
    (a jump starts a new piece; its first point repeats the last one's output beat).
    """

    q: np.ndarray
    src_s: np.ndarray
    cum_s: np.ndarray
    piece: np.ndarray
    bars: tuple[tuple[int, ...], ...]
    jumps: tuple[tuple[int, int, float], ...]  # (after bar, to bar, cost)
    trim_s: float = 0.0


@dataclass(frozen=True, slots=True)
class _Candidate:
    start_s: float
    label: str


@dataclass(frozen=True, slots=True)
class _Plan:
    sequence: _Sequence
    anchors: tuple[tuple[float, int, int], ...]  # (time_s, point index, hit index or -1)
    times_s: np.ndarray  # output time of every point
    score: float
    start_s: float
    label: str
    notes: tuple[str, ...] = field(default=())


def source_tempo_map(track: BeatTrack, frame_rate: Fraction) -> TempoMap:
    """Return the track's own beat grid as a tempo map (beat 0 on its first downbeat).

    Parameters
    ----------
    track : BeatTrack
        The tracked grid.
    frame_rate : Fraction
        The picture's frame rate (for the hits' frames off).

    Returns
    -------
    TempoMap
        One segment per beat (merged where the tempo holds), meter ``track.meter``/4.
    """
    q = np.arange(track.n_beats, dtype=np.float64) - track.first_downbeat
    return _tempo_map(q, track.beat_times_s, track.meter, frame_rate)


def _tempo_map(q: np.ndarray, t: np.ndarray, meter: int, frame_rate: Fraction) -> TempoMap:
    """Return the map through the points (integer beats ``q`` at times ``t``), merging equal tempos."""
    keep = np.r_[True, np.diff(q) > 1e-9] & np.isclose(q, np.round(q))
    q, t = np.round(q[keep]), t[keep]
    segments: list[TempoSegment] = []
    for i in range(q.size - 1):
        bpm = 60.0 * (q[i + 1] - q[i]) / (t[i + 1] - t[i])
        if segments and abs(bpm / segments[-1].bpm - 1.0) < 1e-9:
            continue
        segments.append(TempoSegment(float(t[i]), float(q[i]), float(bpm)))
    if not segments:
        segments.append(TempoSegment(float(t[0]), float(q[0]), 120.0))
    # Rebuild each merged segment's start beat from the one before, so the map is continuous.
    fixed = [segments[0]]
    for s in segments[1:]:
        prev = fixed[-1]
        reached = prev.start_beat + prev.bpm * (s.start_s - prev.start_s) / 60.0
        fixed.append(TempoSegment(s.start_s, reached, s.bpm))
    return TempoMap(tuple(fixed), numerator=meter, denominator=4, subdivision=2, frame_rate=frame_rate)


def hits_on_beats(
    tempo_map: TempoMap, hits: tuple[Hit, ...], *, tolerance_frames: float, sync_weight: float
) -> dict[str, Any]:
    """Count the hits on beats and on downbeats of a tempo map.

    Parameters
    ----------
    tempo_map : TempoMap
        The music's beats.
    hits : tuple of Hit
        The picture's hits.
    tolerance_frames : float
        A hit is on a beat within this many frames of it.
    sync_weight : float
        Hits weighing at least this are sync hits.

    Returns
    -------
    dict
        ``n_hits``, ``weight_total``, ``weight_on_beat``, ``share_on_beat`` (weighted),
        ``weight_on_downbeat``, ``share_on_downbeat``, ``n_sync``, ``n_sync_on_beat``,
        ``n_sync_on_downbeat`` and ``median_frames_off`` (of all hits from their nearest beat).
    """
    fps = float(tempo_map.frame_rate)
    times = np.array([h.time_s for h in hits], dtype=np.float64)
    weights = np.array([h.weight for h in hits], dtype=np.float64)
    if times.size == 0:
        return {"n_hits": 0, "weight_total": 0.0, "share_on_beat": 0.0, "share_on_downbeat": 0.0}
    beats = np.round(np.asarray(tempo_map.seconds_to_beats(times)))
    off = (times - np.asarray(tempo_map.beats_to_seconds(beats))) * fps
    on_beat = np.abs(off) <= tolerance_frames + 1e-6
    bars = np.round(beats / tempo_map.numerator) * tempo_map.numerator
    off_bar = (times - np.asarray(tempo_map.beats_to_seconds(bars))) * fps
    on_down = np.abs(off_bar) <= tolerance_frames + 1e-6
    sync = weights >= sync_weight
    total = float(weights.sum())
    return {
        "n_hits": int(times.size),
        "weight_total": round(total, 6),
        "weight_on_beat": round(float(weights[on_beat].sum()), 6),
        "share_on_beat": round(float(weights[on_beat].sum()) / total, 4) if total > 0 else 0.0,
        "weight_on_downbeat": round(float(weights[on_down].sum()), 6),
        "share_on_downbeat": round(float(weights[on_down].sum()) / total, 4) if total > 0 else 0.0,
        "n_sync": int(sync.sum()),
        "n_sync_on_beat": int((sync & on_beat).sum()),
        "n_sync_on_downbeat": int((sync & on_down).sum()),
        "median_frames_off": round(float(np.median(np.abs(off))), 3),
    }


# ---------------------------------------------------------------------------------------- bars


def _jump_costs(similarity: np.ndarray, sections: tuple[Section, ...], n_body: int) -> np.ndarray:
    """Return ``cost[i + 1, j]``: playing bar ``j`` after bar ``i`` (row 0: after the opening)."""
    n = similarity.shape[0]
    cost = np.full((n_body + 1, n_body + 1), np.inf)
    position = np.zeros(n, dtype=np.int64)
    for s in sections:
        position[s.start_bar : s.end_bar] = np.arange(s.end_bar - s.start_bar) % _PHRASE_BARS
    for i in range(-1, n_body):
        for j in range(n_body + 1):
            if j == i + 1:
                cost[i + 1, j] = 0.0
                continue
            follows = similarity[i + 1, j] if i + 1 < n else 0.0
            context = similarity[i, j - 1] if i >= 0 and j >= 1 else follows
            phrase = _PHRASE_PRICE if i + 1 < n and position[i + 1] != position[j] else 0.0
            cost[i + 1, j] = 1.0 - 0.5 * (follows + context) + _JUMP_PRICE + phrase
    return cost


def _bar_path(
    jump: np.ndarray, first: int, ending: int, n_bars_out: int, min_gap: int
) -> tuple[list[int], list[tuple[int, int, float]]] | None:
    """Return the body bars (source indices) and the jumps that fill ``n_bars_out`` bars best.

    The body starts after the opening (whose next bar is ``first``) and flows into bar
    ``ending``. A dynamic programme over (output bar, source bar, bars since the last jump).
    """
    n_src = ending  # body bars are 0 .. ending - 1
    if n_bars_out == 0:
        c = jump[first, ending] if first <= ending else np.inf
        return ([], [] if first == ending else [(first - 1, ending, float(c))]) if np.isfinite(c) else None
    if n_src == 0:
        return None
    states = min_gap + 1
    inf = np.inf
    cost = np.full((n_bars_out, n_src, states), inf)
    back = np.zeros((n_bars_out, n_src, states, 2), dtype=np.int64)
    # First body bar: the opening's next bar (no jump) or a jump from the opening.
    for j in range(n_src):
        c = jump[first, j] if first <= n_src else inf
        if j == first:
            cost[0, j, min_gap] = 0.0  # no jump yet: free to jump
        elif np.isfinite(c):
            cost[0, j, 0] = c
    for k in range(1, n_bars_out):
        for j in range(n_src):
            # Natural: from bar j - 1, counter + 1.
            if j >= 1:
                for c in range(states):
                    prev = cost[k - 1, j - 1, c]
                    nc = min(c + 1, min_gap)
                    if prev < cost[k, j, nc]:
                        cost[k, j, nc] = prev
                        back[k, j, nc] = (j - 1, c)
            # Jump: from any bar i != j - 1 whose counter reached min_gap.
            prev = cost[k - 1, :, min_gap] + jump[1 : n_src + 1, j]
            if j >= 1:
                prev[j - 1] = inf
            i = int(np.argmin(prev))
            if prev[i] < cost[k, j, 0]:
                cost[k, j, 0] = prev[i]
                back[k, j, 0] = (i, min_gap)
    # Into the ending.
    best, best_state = inf, None
    for j in range(n_src):
        for c in range(states):
            if not np.isfinite(cost[-1, j, c]):
                continue
            add = 0.0 if j == ending - 1 else (jump[j + 1, ending] if c == min_gap else inf)
            if cost[-1, j, c] + add < best:
                best, best_state = cost[-1, j, c] + add, (j, c)
    if best_state is None:
        return None
    bars = [0] * n_bars_out
    j, c = best_state
    for k in range(n_bars_out - 1, -1, -1):
        bars[k] = j
        if k:
            j, c = (int(v) for v in back[k, j, c])
    jumps: list[tuple[int, int, float]] = []
    prev_bar = first - 1
    for b in [*bars, ending]:
        if b != prev_bar + 1:
            jumps.append((prev_bar, b, float(jump[prev_bar + 1, b])))
        prev_bar = b
    return bars, jumps


def _sequence(
    track: BeatTrack, start_s: float, body: list[int], ending: int, source_s: float, trim_s: float
) -> _Sequence:
    """Lay the opening (from ``start_s``), the body bars and the ending as output beats."""
    m, first_db = track.meter, track.first_downbeat
    beats = track.beat_times_s
    start_beat = float(track.beat_at(start_s))
    # The opening runs from start_beat to the first downbeat at or after it.
    first_bar = max(0, int(np.ceil((start_beat - first_db) / m - 1e-9)))
    open_end = first_db + first_bar * m
    q: list[float] = [start_beat - open_end]
    src: list[float] = [start_s]
    piece: list[int] = [0]
    index = 0
    q.extend(float(b - open_end) for b in range(int(np.floor(start_beat)) + 1, open_end + 1))
    src.extend(float(beats[b]) for b in range(int(np.floor(start_beat)) + 1, open_end + 1))
    piece.extend([0] * (len(q) - len(piece)))
    bars_by_piece: list[list[int]] = [[]]
    jumps: list[tuple[int, int, float]] = []
    prev_bar = first_bar - 1
    out_beat = 0
    end_src = source_s - trim_s
    for bar in [*body, ending]:
        if bar != prev_bar + 1:
            index += 1
            bars_by_piece.append([])
            q.append(float(out_beat))
            src.append(float(beats[first_db + bar * m]))
            piece.append(index)
        bars_by_piece[-1].append(bar)
        last = bar == ending
        top = track.n_beats - 1 if last else first_db + (bar + 1) * m
        for b in range(first_db + bar * m + 1, top + 1):
            q.append(float(out_beat + b - (first_db + bar * m)))
            src.append(float(beats[b]))
            piece.append(index)
        out_beat += m
        prev_bar = bar
    # The last point is the end of the source (or of its trimmed ring-out); only the
    # ending's points can lie past it, all earlier ones are before the ending's downbeat.
    q_arr, src_arr, piece_arr = np.array(q), np.array(src), np.array(piece)
    k = int(np.flatnonzero(src_arr < end_src - 1e-9)[-1])
    if k + 1 < src_arr.size:
        q_end = q_arr[k] + (q_arr[k + 1] - q_arr[k]) * (end_src - src_arr[k]) / (src_arr[k + 1] - src_arr[k])
    else:
        q_end = q_arr[k] + (end_src - src_arr[k]) / float(beats[-1] - beats[-2])
    q_arr = np.r_[q_arr[: k + 1], q_end]
    src_arr = np.r_[src_arr[: k + 1], end_src]
    piece_arr = np.r_[piece_arr[: k + 1], piece_arr[k]]
    steps = np.diff(src_arr)
    steps[np.diff(piece_arr) > 0] = 0.0  # a jump takes no time
    cum = np.r_[0.0, np.cumsum(steps)]
    prev = first_bar - 1
    for bar in [*body, ending]:
        if bar != prev + 1:
            jumps.append((prev, bar, 0.0))
        prev = bar
    return _Sequence(
        q_arr, src_arr, cum, piece_arr, tuple(tuple(b) for b in bars_by_piece), tuple(jumps), trim_s
    )


# ---------------------------------------------------------------------------------------- warp


def _anchor_path(
    seq: _Sequence, hits: _Hits, total_s: float, meter: int, options: FitOptions
) -> tuple[float, list[tuple[float, int, int]]]:
    """Return the best score and anchors ``(time_s, point, hit)`` from the start to the end."""
    p = options.max_ratio_change
    lo, hi = 1.0 - p, 1.0 + p
    integral = np.flatnonzero(np.isclose(seq.q, np.round(seq.q)))
    # A point repeated at a jump keeps only its first copy.
    integral = integral[np.r_[True, np.diff(seq.q[integral]) > 0.5]] if integral.size else integral
    cum_end = seq.cum_s[-1]
    nodes_t = [0.0]
    nodes_c = [0.0]
    nodes_point = [0]
    nodes_hit = [-1]
    nodes_gain = [0.0]
    for h in np.flatnonzero(hits.sync):
        t = hits.times_s[h]
        if not 0.0 < t < total_s:
            continue
        c = seq.cum_s[integral]
        ok = (
            (c * lo <= t)
            & (t <= c * hi)
            & ((cum_end - c) * lo <= total_s - t)
            & (total_s - t <= (cum_end - c) * hi)
        )
        chosen = integral[ok]
        if chosen.size > _MAX_CANDIDATES:
            # Keep the beats nearest to where a constant stretch would put the hit.
            expect = t * cum_end / total_s
            chosen = chosen[np.argsort(np.abs(seq.cum_s[chosen] - expect))[:_MAX_CANDIDATES]]
        for point in chosen:
            down = abs(seq.q[point] / meter - round(seq.q[point] / meter)) < 1e-9
            nodes_t.append(float(t))
            nodes_c.append(float(seq.cum_s[point]))
            nodes_point.append(int(point))
            nodes_hit.append(int(h))
            nodes_gain.append(float(hits.weights[h]) * (1.0 + (_DOWNBEAT_BONUS if down else 0.0)))
    nodes_t.append(total_s)
    nodes_c.append(float(cum_end))
    nodes_point.append(int(seq.q.size - 1))
    nodes_hit.append(-1)
    nodes_gain.append(0.0)
    t_arr, c_arr = np.array(nodes_t), np.array(nodes_c)
    pt_arr, hit_arr, gain = np.array(nodes_point), np.array(nodes_hit), np.array(nodes_gain)
    order = np.lexsort((c_arr, t_arr))
    t_arr, c_arr, pt_arr, hit_arr, gain = (
        t_arr[order],
        c_arr[order],
        pt_arr[order],
        hit_arr[order],
        gain[order],
    )
    n = t_arr.size
    best = np.full(n, -np.inf)
    back = np.full(n, -1)
    best[0] = 0.0
    for j in range(1, n):
        dt = t_arr[j] - t_arr[:j]
        dc = c_arr[j] - c_arr[:j]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(dc > 0, dt / dc, np.inf)
        feasible = (
            (dt > 0) & (dc > 0) & (ratio >= lo - 1e-12) & (ratio <= hi + 1e-12) & (pt_arr[:j] < pt_arr[j])
        )
        feasible &= hit_arr[:j] != hit_arr[j] if hit_arr[j] >= 0 else True
        value = np.where(
            feasible, best[:j] - _STRETCH_PRICE * np.abs(ratio - 1.0) * dt / max(total_s, 1e-9), -np.inf
        )
        i = int(np.argmax(value))
        if np.isfinite(value[i]):
            best[j] = value[i] + gain[j]
            back[j] = i
    end = n - 1
    if not np.isfinite(best[end]):
        return -np.inf, []
    path = []
    j = end
    while j >= 0:
        path.append((float(t_arr[j]), int(pt_arr[j]), int(hit_arr[j])))
        j = back[j]
    return float(best[end]), path[::-1]


def _point_times(seq: _Sequence, anchors: list[tuple[float, int, int]]) -> np.ndarray:
    """Return the output time of every point: linear in played source time between anchors."""
    anchor_c = np.array([seq.cum_s[p] for _, p, _ in anchors])
    anchor_t = np.array([t for t, _, _ in anchors])
    return np.interp(seq.cum_s, anchor_c, anchor_t)


def _edit(
    seq: _Sequence, times_s: np.ndarray, sample_rate: int, n_out: int, source_n: int, options: FitOptions
) -> tuple[Piece, ...]:
    pieces = []
    n_pieces = int(seq.piece.max()) + 1
    for k in range(n_pieces):
        idx = np.flatnonzero(seq.piece == k)
        out = times_s[idx] * sample_rate
        src = seq.src_s[idx] * sample_rate
        start = 0 if k == 0 else round(out[0])
        end = (
            n_out
            if k == n_pieces - 1
            else round(times_s[np.flatnonzero(seq.piece == k + 1)[0]] * sample_rate)
        )
        if k == n_pieces - 1:
            out[-1] = float(n_out)
            src[-1] = min(src[-1], float(source_n))
        keep = np.r_[True, (np.diff(out) > 1e-6) & (np.diff(src) > 1e-6)]
        out, src = out[keep], src[keep]
        if out.size < 2:
            slope = 1.0
            out = np.r_[out[0], out[0] + 1.0]
            src = np.r_[src[0], src[0] + slope]
        pieces.append(
            Piece(int(start), int(end), tuple(map(float, out)), tuple(map(float, src)), seq.bars[k])
        )
    return tuple(pieces)


def plan_fit(
    track: BeatTrack,
    similarity: np.ndarray,
    sections: tuple[Section, ...],
    hits: tuple[Hit, ...],
    *,
    n_samples: int,
    source_n_samples: int,
    sample_rate: int,
    frame_rate: Fraction,
    options: FitOptions | None = None,
) -> tuple[FitEdit, TempoMap] | None:
    """Plan the fit of a track with a steady beat: bars cut or repeated, beats warped onto hits.

    Parameters
    ----------
    track : BeatTrack
        The source's beat grid (``track.steady`` should be True).
    similarity : ndarray, shape (n_bars, n_bars)
        Bar self-similarity (:func:`~sonics.music.sections.bar_similarity`).
    sections : tuple of Section
        The source's sections (:func:`~sonics.music.sections.find_sections`).
    hits : tuple of Hit
        The picture's hits, in seconds from its first frame.
    n_samples : int >= 1
        The picture's length [samples]: the output's.
    source_n_samples : int >= 1
        The source's length [samples].
    sample_rate : int
        Rate of source and output [Hz].
    frame_rate : Fraction
        The picture's frame rate.
    options : FitOptions, optional
        Limits and lengths; the defaults when omitted.

    Returns
    -------
    (FitEdit, TempoMap) or None
        The pieces (with what was decided in ``edit.info``) and the output's beats with the
        hits placed on them; None when no whole-bar fit exists within the stretch limit
        (the caller falls back to :func:`plan_length_fit`).

    Raises
    ------
    ParameterError
        If a length is not positive.
    """
    options = options or FitOptions()
    if n_samples < 1 or source_n_samples < 1:
        raise ParameterError(f"lengths must be >= 1 sample, got {n_samples} and {source_n_samples}")
    hit_data = _Hits.of(hits, options.sync_weight)
    total_s = n_samples / sample_rate
    source_s = source_n_samples / sample_rate
    m = track.meter
    downbeats = track.downbeat_times_s
    sounding = np.flatnonzero(downbeats[:-1] < source_s - 0.05)
    last_bar = int(sounding[-1]) if sounding.size else 0
    ending = max(0, last_bar - options.ending_bars + 1)
    jump = _jump_costs(similarity, sections, ending)
    bar_s = float(np.median(np.diff(downbeats)))
    p = options.max_ratio_change
    candidates = [_Candidate(0.0, "track start")]
    if hit_data.times_s.size:
        found = fit_tempo(
            [
                Hit(t, w, s)
                for t, w, s in zip(hit_data.times_s, hit_data.weights, hit_data.sources, strict=True)
            ],
            min_bpm=max(1.0, track.bpm / (1.0 + p)),
            max_bpm=track.bpm / max(1.0 - p, 1e-3),
            step_bpm=0.01,
            tolerance_frames=options.tolerance_frames,
            frame_rate=frame_rate,
            subdivision=1,
            meter=(m, 4),
            top=3,
        )
        for c in found:
            s = track.bpm / c.bpm
            start = float(np.mod(downbeats[0] - c.offset_s / s, bar_s))
            if start < source_s - (source_s - downbeats[ending]) - bar_s:
                candidates.append(_Candidate(start, f"find tempo {c.bpm:.2f} BPM"))
    plans: list[_Plan] = []
    for cand in candidates:
        plan = _plan_from(track, cand, jump, ending, hit_data, total_s, source_s, options)
        if plan is not None:
            plans.append(plan)
    if not plans:
        return None
    plan = max(plans, key=lambda pl: (pl.score, -pl.start_s))
    pieces = _edit(plan.sequence, plan.times_s, sample_rate, n_samples, source_n_samples, options)
    q_points = plan.sequence.q
    tempo_map = _tempo_map(q_points, plan.times_s, m, frame_rate).with_hits(
        hits, sync_weight=options.sync_weight
    )
    before = source_tempo_map(track, frame_rate)
    fade_out = (
        round(min(1.0, 0.5 * (source_s - downbeats[ending])) * sample_rate) if plan.sequence.trim_s else 0
    )
    info = _info(track, sections, plan, hits, tempo_map, before, options, pieces)
    edit = FitEdit(
        sample_rate=sample_rate,
        n_samples=n_samples,
        source_n_samples=source_n_samples,
        pieces=pieces,
        crossfade_samples=max(1, round(options.crossfade_ms * sample_rate / 1000)),
        crossfade_lead_samples=round(options.crossfade_lead_ms * sample_rate / 1000),
        fade_in_samples=round(0.005 * sample_rate) if plan.start_s > 0 else 0,
        fade_out_samples=fade_out,
        mode="beats",
        info=info,
    )
    return edit, tempo_map


def _plan_from(
    track: BeatTrack,
    cand: _Candidate,
    jump: np.ndarray,
    ending: int,
    hits: _Hits,
    total_s: float,
    source_s: float,
    options: FitOptions,
) -> _Plan | None:
    """Plan the bars and the warp from one start offset; None if nothing fits."""
    p = options.max_ratio_change
    m, first_db = track.meter, track.first_downbeat
    beats = track.beat_times_s
    downbeats = track.downbeat_times_s
    start_beat = float(track.beat_at(cand.start_s))
    first_bar = max(0, int(np.ceil((start_beat - first_db) / m - 1e-9)))
    if first_bar > ending:
        return None
    open_s = float(beats[first_db + first_bar * m]) - cand.start_s
    ending_s = source_s - float(downbeats[ending])
    bar_s = float(np.median(np.diff(downbeats)))
    # How many body bars: the count that needs the least stretch, and its neighbours.
    exact = (total_s - open_s - ending_s) / bar_s
    best: _Plan | None = None
    counts = sorted(
        {
            max(0, int(np.floor(exact))),
            max(0, int(np.ceil(exact))),
            max(0, round(exact) - 1),
            round(exact) + 1,
        }
    )
    for n_bars in counts:
        played = open_s + n_bars * bar_s + ending_s
        trim = 0.0
        if played * (1.0 - p) > total_s:
            # Too long even at the fastest: cut the ending's ring-out short (faded out).
            trim = min(played - total_s / (1.0 - p) + 1e-6, max(0.0, ending_s - bar_s * options.ending_bars))
            if (played - trim) * (1.0 - p) > total_s + 1e-9:
                continue
        elif played * (1.0 + p) < total_s:
            continue
        path = _bar_path(jump, first_bar, ending, n_bars, options.min_bars_between_jumps)
        if path is None:
            continue
        body, _ = path
        seq = _sequence(track, cand.start_s, body, ending, source_s, trim)
        score, anchors = _anchor_path(seq, hits, total_s, m, options)
        if not anchors:
            continue
        times = _point_times(seq, anchors)
        jump_cost = sum(c for _, _, c in path[1])
        total = score - 0.1 * jump_cost - (_START_LATE_PRICE if cand.start_s > 0 else 0.0)
        notes = []
        repeats = sum(1 for a, b, _ in seq.jumps if b <= a)
        cuts = sum(1 for a, b, _ in seq.jumps if b > a + 1)
        if repeats:
            far = " far" if source_s < 0.5 * total_s else ""
            notes.append(
                f"the track ({source_s:.1f} s) is{far} shorter than the picture ({total_s:.1f} s): "
                f"looped by bars ({repeats} repeat(s), {n_bars} bars between its start and its ending)"
            )
        if cuts:
            notes.append(f"{cuts} cut(s) by whole bars at alike bars")
        if trim:
            notes.append(f"the ending's ring-out is cut short by {trim:.2f} s and faded out")
        plan = _Plan(seq, tuple(anchors), times, total, cand.start_s, cand.label, tuple(notes))
        if best is None or plan.score > best.score:
            best = plan
    return best


def _info(
    track: BeatTrack,
    sections: tuple[Section, ...],
    plan: _Plan,
    hits: tuple[Hit, ...],
    tempo_map: TempoMap,
    before: TempoMap,
    options: FitOptions,
    pieces: tuple[Piece, ...],
) -> dict[str, Any]:
    seq = plan.sequence
    anchors = []
    ordered = sorted(hits, key=lambda h: (h.time_s, h.source))
    for t, point, h in plan.anchors:
        q = float(seq.q[point])
        entry: dict[str, Any] = {"time_s": round(t, 6), "beat": round(q, 6)}
        if h >= 0:
            entry.update(
                bar=int(np.floor(q / track.meter)) + 1,
                downbeat=bool(abs(q / track.meter - round(q / track.meter)) < 1e-9),
                hit=ordered[h].source,
                weight=round(ordered[h].weight, 6),
            )
        else:
            entry["what"] = "start" if point == 0 else "end"
        anchors.append(entry)
    stretches = [s for piece in pieces for _, _, s in piece.segments()]
    jumps = [
        {"after_bar": a, "to_bar": b, "kind": "repeat" if b <= a else ("cut" if b > a + 1 else "natural")}
        for a, b, _ in seq.jumps
    ]
    return {
        "track": {
            "bpm": round(track.bpm, 3),
            "meter": track.meter,
            "steady_beat": track.steady,
            "pulse_clarity": round(track.pulse_clarity, 4),
            "n_bars": track.n_bars,
            "first_downbeat_s": round(float(track.downbeat_times_s[0]), 6),
            "sections": [
                {"label": s.label, "start_bar": s.start_bar, "end_bar": s.end_bar} for s in sections
            ],
        },
        "start_offset_s": round(plan.start_s, 6),
        "start_choice": plan.label,
        "global_stretch": round(float(plan.times_s[-1] / max(seq.cum_s[-1], 1e-9)), 6),
        "stretch_range": [round(min(stretches), 6), round(max(stretches), 6)],
        "jumps": jumps,
        "anchors": anchors,
        "report": {
            "tolerance_frames": options.tolerance_frames,
            "before": hits_on_beats(
                before, hits, tolerance_frames=options.tolerance_frames, sync_weight=options.sync_weight
            ),
            "after": hits_on_beats(
                tempo_map, hits, tolerance_frames=options.tolerance_frames, sync_weight=options.sync_weight
            ),
        },
        "notes": list(plan.notes),
    }


# ------------------------------------------------------------------------------ length only


def _quiet_points(level_db: np.ndarray, hop: int) -> np.ndarray:
    """Return the sample positions of the local minima of a level curve."""
    inner = (level_db[1:-1] <= level_db[:-2]) & (level_db[1:-1] <= level_db[2:])
    return (np.flatnonzero(inner) + 1) * hop


def plan_length_fit(
    audio: np.ndarray,
    *,
    n_samples: int,
    sample_rate: int,
    options: FitOptions | None = None,
    info: dict[str, Any] | None = None,
) -> FitEdit:
    """Plan a fit by length alone (no steady beat): cut or loop at quiet, alike moments.

    The start and the end of the source are kept. A longer source loses one stretch of its
    middle, a shorter one repeats one (as often as needed); the cut is placed where both
    sides are quiet and alike in spectrum, and its length is exact to the sample, so the
    output ends on the picture's last sample with the source's own end. Nothing is stretched.

    Parameters
    ----------
    audio : numpy.ndarray
        The source, shape ``(channels, samples)``.
    n_samples : int >= 1
        Output length [samples].
    sample_rate : int
        Samples per second [Hz].
    options : FitOptions, optional
        ``length_crossfade_ms`` is used.
    info : dict, optional
        Written into the edit's ``info`` (notes are added to its ``notes``).

    Returns
    -------
    FitEdit
        ``mode = "length"``.
    """
    options = options or FitOptions()
    x = np.asarray(audio, dtype=np.float64)
    mono = x.mean(axis=0) if x.ndim == 2 else x
    n_src = mono.size
    fade = max(1, round(options.length_crossfade_ms * sample_rate / 1000))
    lead = fade // 2
    info = dict(info or {})
    notes = list(info.get("notes", []))
    hop = max(1, sample_rate // 100)
    n_frames = n_src // hop
    frames = mono[: n_frames * hop].reshape(n_frames, hop) if n_frames else np.zeros((1, 1))
    level_db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    level_db = np.convolve(level_db, np.ones(5) / 5, mode="same")
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(frames.shape[1]), axis=1)) + 1e-9
    bands = np.log(
        np.add.reduceat(spectrum, np.unique(np.geomspace(1, spectrum.shape[1], 20).astype(int) - 1), axis=1)
    )

    def level(pos: float) -> float:
        return float(level_db[min(max(int(pos // hop), 0), level_db.size - 1)])

    def unlike(a: float, b: float) -> float:
        fa = bands[min(max(int(a // hop), 0), bands.shape[0] - 1)]
        fb = bands[min(max(int(b // hop), 0), bands.shape[0] - 1)]
        return float(np.sqrt(np.mean((fa - fb) ** 2)))

    keep_head = min(n_src // 4, 2 * sample_rate)
    keep_tail = min(n_src // 4, 4 * sample_rate)
    quiet = _quiet_points(level_db, hop)
    quiet = quiet[(quiet > keep_head) & (quiet < n_src - keep_tail)]
    if quiet.size == 0:
        quiet = np.array([n_src // 2])
    pieces: list[Piece]
    if n_samples == n_src:
        pieces = [Piece(0, n_samples, (0.0, float(n_src)), (0.0, float(n_src)))]
    elif n_samples < n_src and n_samples > keep_head + keep_tail + 2 * fade:
        removed = n_src - n_samples
        best, best_cost = None, np.inf
        for a in quiet:
            b = a + removed
            if b >= n_src - keep_tail + 1:
                continue
            cost = level(a) + level(b) + 10.0 * unlike(a, b)
            if cost < best_cost:
                best, best_cost = int(a), cost
        if best is None:
            best = max(keep_head, (n_samples - keep_tail) // 2)
        b = best + removed
        pieces = [
            Piece(0, best, (0.0, float(best)), (0.0, float(best))),
            Piece(best, n_samples, (float(best), float(n_samples)), (float(b), float(n_src))),
        ]
        notes.append(f"cut {removed / sample_rate:.2f} s at {best / sample_rate:.2f} s of the track")
    elif n_samples < n_src:
        # Shorter than the kept start and end: the source's last part, faded in.
        start = n_src - n_samples
        pieces = [Piece(0, n_samples, (0.0, float(n_samples)), (float(start), float(n_src)))]
        notes.append(
            f"the picture is shorter than the track's start and end: its last {n_samples / sample_rate:.2f} s"
        )
    else:
        added = n_samples - n_src
        best, best_cost, best_loops = None, np.inf, 1
        for a in quiet:
            loops = max(1, int(np.ceil(added / max(a - fade, 1))))
            span = added / loops
            b = a - span
            if b < fade:
                continue
            cost = level(a) + level(b) + 10.0 * unlike(a, b) + 3.0 * loops
            if cost < best_cost:
                best, best_cost, best_loops = int(a), cost, loops
        if best is None:
            best, best_loops = (
                n_src - keep_tail,
                max(1, int(np.ceil(added / max(n_src - keep_tail - fade, 1)))),
            )
        loops = best_loops
        # Whole samples: the first loops take the rounding so the total is exact.
        spans = [added // loops + (1 if i < added % loops else 0) for i in range(loops)]
        pieces = [Piece(0, best, (0.0, float(best)), (0.0, float(best)))]
        out_at = best
        for i, span in enumerate(spans):
            src_from = best - span
            length = span if i < loops - 1 else n_samples - out_at
            end_src = src_from + length
            pieces.append(
                Piece(
                    out_at,
                    out_at + length,
                    (float(out_at), float(out_at + length)),
                    (float(src_from), float(end_src)),
                )
            )
            out_at += length
        notes.append(
            f"the track ({n_src / sample_rate:.1f} s) is shorter than the picture "
            f"({n_samples / sample_rate:.1f} s): looped {loops} time(s) from {best / sample_rate:.2f} s "
            f"back by {spans[0] / sample_rate:.2f} s"
        )
    info["notes"] = notes
    return FitEdit(
        sample_rate=sample_rate,
        n_samples=n_samples,
        source_n_samples=n_src,
        pieces=tuple(pieces),
        crossfade_samples=fade,
        crossfade_lead_samples=lead,
        fade_in_samples=round(0.005 * sample_rate) if pieces[0].source_start > 0 else 0,
        mode="length",
        info=info,
    )
