"""Tempo map: bend one tempo into a map whose beats land every sync hit exactly.

What a film composer does with lock points (Cubase Time Warp, Pro Tools Bar|Beat markers,
Digital Performer's conductor track) and with Auricle's "subtle, undetectable" changes:
start from the tempo that catches the most hits, hold it, and change it only where a hit
calls for it, by a bounded step or a short ramp, so that every sync hit falls exactly on a
beat (a downbeat where that costs little) and the other hits on the grid.

The search is a beam over the hits in time order. A state is the tempo in force (where it
started, on which beat, how fast), when it may next change (the hold), the last sync hit it
landed (a change never moves it), and its score. At each hit a state either keeps its tempo,
or changes it on one of its beats since its hold and its last sync hit, by a step, or by a
ramp that ends on the hit, so that the hit lands on a grid line (a beat for a sync hit); the
hits between the change and this one are scored again on the new grid.

The score: a hit caught within the tolerance of a grid line earns its weight (less between
beats), less what chance would have caught on that grid, as Find Tempo corrects for it; a
hit a change lands earns all of its weight, since it is on the grid by design; a sync hit off
its beat costs ten times its weight. A change costs a fixed part plus its size squared, a
step more steeply than a ramp, so small corrections are steps and larger ones ramps; it earns
a little when it falls on a hit (where the picture changes). Sync hits on the downbeats earn
a bonus. Changes are bounded (``max_change_pct`` between neighbours and across a ramp) and
each tempo holds ``min_hold_bars`` (ramps excepted), the last one to the end of the picture.

The beam starts from the best tempos of Find Tempo, for the whole picture and for its
opening, and gives each starting tempo an equal share, keeping the best state of each
distinct future and a few changes per state, so that no one tempo or state floods it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from sonics.core.errors import ParameterError
from sonics.core.model import Analysis, Hit
from sonics.core.tempo import TempoCandidate, TempoMap, TempoSegment
from sonics.core.timebase import frame_to_timecode, parse_frame_rate
from sonics.presets.schema import TempoSettings
from sonics.tempo.find import fit_tempo, score_tempo
from sonics.tempo.hits import as_hits

__all__ = ["map_tempo"]

_BEAM = 192
"""States kept after each hit."""
_PER_PARENT = 5
"""Changes kept per state and hit, the best first, so no one state floods the beam."""
_N_STARTS = 6
"""Tempos of the Find Tempo table the search starts from."""
_N_OPENING_STARTS = 3
"""Tempos of the Find Tempo table of the opening hits it starts from too."""
_OPENING_S = 12.0
_OPENING_HITS = 12
"""The opening: its first ``_OPENING_HITS`` hits, or its first ``_OPENING_S`` seconds if longer."""
_N_CHANGE_BEATS = 12
"""Beats (the latest allowed) on which a state may change its tempo before a hit."""
_TARGETS = np.array([0, -1, 1])
"""Grid lines tried per change, relative to where the hit falls without it."""
_MIN_RAMP_BEATS = 2
"""A ramp lasts at least this many beats (shorter is a step)."""
_MISSED_SYNC = 10.0
"""Cost of a sync hit off its beat, per unit of weight: far above anything a change costs."""
_NEAR_SYNC = 0.5
"""Credit (per unit of weight) for a sync hit missed but still within the tolerance."""
_STEP_COST = (0.25, 0.30)
"""Cost of a step change of tempo: a fixed part, plus this times (change / limit) squared."""
_RAMP_COST = (0.30, 0.10)
"""Cost of a ramp: a larger fixed part, a flatter growth; ramps win for large changes."""
_AT_CUT = 0.1
"""Credit for a change of tempo on a hit: where the picture changes."""
_DOWNBEAT_CREDIT = 0.5
"""Credit (per unit of weight) for the sync hits on the bar lines, when downbeats are preferred."""
_OFF_BEAT = 0.8
"""Credit (per unit of weight) for a hit caught between beats rather than on one."""
_CHANCE = 1.0
"""Share of what chance would catch that every hit gives back (as Find Tempo corrects for it)."""
_EXACT_S = 1e-7
"""A hit this close to a beat is on it."""
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class _Problem:
    times_s: np.ndarray
    weights: np.ndarray
    sync: np.ndarray
    tol_s: float
    sub: int
    numerator: int
    change: float
    hold_beats: float
    ramp_beats: float
    bpm_range: tuple[float, float]
    duration_s: float
    downbeats: bool


@dataclass(slots=True)
class _Beam:
    """States as parallel arrays; ``node`` indexes the tempo changes made (for the way back)."""

    t0: np.ndarray  # start of the tempo in force [s]
    b0: np.ndarray  # its start beat
    bpm: np.ndarray
    hold_beat: np.ndarray  # first beat on which the tempo may change again
    lock_s: np.ndarray  # the last sync hit landed; a change never moves it
    score: np.ndarray
    bars: np.ndarray  # (states, numerator): sync weight landed on each beat of the bar
    node: np.ndarray

    def take(self, index: np.ndarray) -> _Beam:
        return _Beam(*(getattr(self, f)[index] for f in _Beam.__slots__))

    def beat_at(self, t: Any) -> np.ndarray:
        """Return each state's beat at ``t`` (shape: states, or states x times)."""
        t = np.asarray(t, dtype=np.float64)
        shape = (-1,) + (1,) * t.ndim
        return self.b0.reshape(shape) + self.bpm.reshape(shape) * (t - self.t0.reshape(shape)) / 60.0


def _credit(pr: _Problem, k: np.ndarray, beat: np.ndarray, bpm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return what hits ``k`` earn at these beats (tempo ``bpm`` there), and which sync hits are exact.

    A hit within the tolerance of a grid line earns its weight; a sync hit earns it only
    exactly on a beat, and costs ``_MISSED_SYNC`` times it otherwise.
    """
    w, sync = pr.weights[k], pr.sync[k]
    beat_off_s = np.abs(beat - np.round(beat)) * 60.0 / bpm
    line_off_s = np.abs(beat * pr.sub - np.round(beat * pr.sub)) * 60.0 / (bpm * pr.sub)
    exact = sync & (beat_off_s <= _EXACT_S)
    near = beat_off_s <= pr.tol_s + 1e-6
    missed = np.where(near, _NEAR_SYNC * w, 0.0) - _MISSED_SYNC * w
    fit = np.where(near, 1.0, _OFF_BEAT)
    plain = np.where(line_off_s <= pr.tol_s + 1e-6, w * fit, 0.0)
    share = np.minimum(2.0 * pr.tol_s * bpm * pr.sub / 60.0, 1.0)
    plain = plain - _CHANCE * w * share * (1.0 + _OFF_BEAT * (pr.sub - 1)) / pr.sub
    return np.where(sync, np.where(exact, w, missed), plain), exact


def _cost(change: np.ndarray, limit: float, base_slope: tuple[float, float]) -> np.ndarray:
    base, slope = base_slope
    return base + slope * (change / limit) ** 2


@dataclass(frozen=True, slots=True)
class _Changes:
    """Children of the beam that change tempo to land hit ``i`` (flat arrays, one row per child)."""

    parent: np.ndarray
    ramp: np.ndarray  # False: a step at ``p_s``; True: a ramp from ``p_s`` to the hit
    p_s: np.ndarray
    p_beat: np.ndarray
    bpm: np.ndarray  # the new tempo (after the step, or at the ramp's end)
    hit_beat: np.ndarray  # where the hit lands
    score: np.ndarray


def _changes(beam: _Beam, pr: _Problem, i: int) -> _Changes | None:
    """Return every allowed step or ramp that lands hit ``i`` on a grid line (a beat if sync).

    A change falls on a beat of the tempo in force, after its hold and after the last sync
    hit landed, at most ``_N_CHANGE_BEATS`` beats before the hit; the hits between the
    change and hit ``i`` are scored again on the new grid.
    """
    if pr.change <= 0:
        return None
    t = pr.times_s[i]
    beat = beam.beat_at(t)
    lock_beat = beam.beat_at(0.0) + beam.bpm * np.maximum(beam.lock_s, beam.t0) / 60.0
    first = np.maximum(np.ceil(beam.hold_beat - _EPS), np.ceil(lock_beat - _EPS))
    last = np.ceil(beat - _EPS) - 1.0
    j = last[:, None] - np.arange(_N_CHANGE_BEATS)[None, :]  # (states, beats)
    ok = j >= first[:, None]
    if not ok.any():
        return None
    rows, cols = np.nonzero(ok)
    j = j[rows, cols]
    bpm0 = beam.bpm[rows]
    p_s = beam.t0[rows] + 60.0 * (j - beam.b0[rows]) / bpm0
    dt = t - p_s
    lo_bpm, hi_bpm = pr.bpm_range
    # The hits between the earliest change and hit i, scored as the states have them now.
    lo = int(np.searchsorted(pr.times_s, p_s.min() + _EPS, side="left"))
    window = np.arange(lo, i)
    old = _credit(pr, window[None, :], beam.beat_at(pr.times_s[window]), beam.bpm[:, None])[0]
    parts = []
    for ramp in (False, True) if pr.ramp_beats >= _MIN_RAMP_BEATS else (False,):
        unit = 1 if (pr.sync[i] or ramp) else pr.sub  # sync hits land on beats, ramps end on them
        target = (np.round(beat[rows] * unit)[:, None] + _TARGETS[None, :]) / unit  # (children, targets)
        span = target - j[:, None]  # beats from the change to the hit
        if ramp:
            new = 120.0 * span / dt[:, None] - bpm0[:, None]
            ok = (span >= _MIN_RAMP_BEATS - _EPS) & (span <= pr.ramp_beats + _EPS)
            after_s = pr.duration_s - t
        else:
            new = 60.0 * span / dt[:, None]
            ok = np.ones(new.shape, dtype=bool)
            after_s = pr.duration_s - p_s[:, None]
        ratio = np.abs(new / bpm0[:, None] - 1.0)
        ok &= (span > 0) & (ratio <= pr.change + 1e-12) & (new >= lo_bpm - _EPS) & (new <= hi_bpm + _EPS)
        ok &= after_s * new / 60.0 >= pr.hold_beats - 1e-6  # the new tempo holds before the end
        r, c = np.nonzero(ok)
        if r.size == 0:
            continue
        start, before, after = p_s[r], bpm0[r], new[r, c]
        tau = pr.times_s[window][None, :] - start[:, None]
        if ramp:
            slope = ((after - before) / dt[r])[:, None]
            tau_c = np.clip(tau, 0.0, None)
            beats = j[r][:, None] + (before[:, None] * tau_c + 0.5 * slope * tau_c * tau_c) / 60.0
            local = before[:, None] + slope * tau_c
        else:
            beats = j[r][:, None] + after[:, None] * tau / 60.0
            local = np.broadcast_to(after[:, None], tau.shape)
        rescored = _credit(pr, window[None, :], beats, local)[0] - old[rows[r]]
        gain = pr.weights[i] - _cost(ratio[r, c], pr.change, _RAMP_COST if ramp else _STEP_COST)
        gain = gain + _AT_CUT * _near_hit(pr, start)
        gain = gain + np.where(tau > _EPS, rescored, 0.0).sum(axis=1)
        parts.append((rows[r], np.full(r.size, ramp), start, j[r], after, target[r, c], gain))
    if not parts:
        return None
    parent, is_ramp, p_s, p_beat, bpm, hit_beat, gain = (
        np.concatenate(col) for col in zip(*parts, strict=True)
    )
    order = np.lexsort((-gain, parent))
    rank = np.arange(order.size) - np.searchsorted(parent[order], parent[order], side="left")
    best = np.sort(order[rank < _PER_PARENT])
    return _Changes(
        parent[best], is_ramp[best], p_s[best], p_beat[best], bpm[best], hit_beat[best],
        beam.score[parent[best]] + gain[best],
    )  # fmt: skip


def _near_hit(pr: _Problem, times_s: np.ndarray) -> np.ndarray:
    """Return 1 where a time lies within the tolerance of a hit, else 0."""
    k = np.clip(np.searchsorted(pr.times_s, times_s), 1, max(pr.times_s.size - 1, 1))
    gap = np.minimum(
        np.abs(pr.times_s[k - 1] - times_s), np.abs(pr.times_s[np.minimum(k, pr.times_s.size - 1)] - times_s)
    )
    return (gap <= pr.tol_s + 1e-6).astype(np.float64)


def _dedupe_order(beam: _Beam, total: np.ndarray, t: float, pr: _Problem) -> np.ndarray:
    """Return the indices of the best state of each distinct future, best first."""
    beat = beam.beat_at(t)
    bar_phase = np.mod(np.floor(beat + 1e-6) - np.argmax(beam.bars, axis=1), pr.numerator)
    keys = np.stack(
        [
            np.round(np.log(beam.bpm) * 2e4),
            np.round(np.mod(beat * pr.sub, 1.0) * 1e3),
            np.round(np.clip(beam.hold_beat - beat, 0.0, 64.0) * 2.0),
            np.round(np.clip(t - beam.lock_s, 0.0, 30.0)),
            bar_phase,
        ],
        axis=1,
    )
    order = np.argsort(-total, kind="stable")
    _, first = np.unique(keys[order], axis=0, return_index=True)
    return order[np.sort(first)]


def _select(order: np.ndarray, family: np.ndarray) -> np.ndarray:
    """Return the states kept, best first: an equal share of the beam for each starting tempo.

    Which tempo a map starts from is its one global choice; a family that starts worse but
    fits the later hits better must survive long enough to show it.
    """
    fam = family[order]
    by_family = np.argsort(fam, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[by_family] = np.arange(order.size) - np.searchsorted(fam[by_family], fam[by_family], side="left")
    chosen = rank < max(_BEAM // (int(family.max()) + 1), 1)
    spare = _BEAM - int(chosen.sum())
    if spare > 0:
        chosen |= ~chosen & (np.cumsum(~chosen) <= spare)
    return order[chosen]


def _total(beam: _Beam, pr: _Problem) -> np.ndarray:
    if not pr.downbeats:
        return beam.score
    return beam.score + _DOWNBEAT_CREDIT * beam.bars.max(axis=1)


def _grow(beam: _Beam, pr: _Problem, i: int, children: _Changes | None) -> _Beam:
    """Return the beam's states after hit ``i``: each kept as it is, then each child."""
    t, w = pr.times_s[i], pr.weights[i]
    k = np.array([i])
    kept, exact = _credit(pr, k, beam.beat_at(t)[:, None], beam.bpm[:, None])
    exact = exact[:, 0]
    bars = beam.bars.copy()
    bars[exact, np.round(beam.beat_at(t)[exact]).astype(np.int64) % pr.numerator] += w
    kept_beam = _Beam(
        beam.t0, beam.b0, beam.bpm, beam.hold_beat, np.where(exact, t, beam.lock_s),
        beam.score + kept[:, 0], bars, beam.node,
    )  # fmt: skip
    if children is None:
        return kept_beam
    parent, ramp = children.parent, children.ramp
    child_bars = beam.bars[parent].copy()
    if pr.sync[i]:
        child_bars[np.arange(parent.size), np.round(children.hit_beat).astype(np.int64) % pr.numerator] += w
    start_beat = np.where(ramp, children.hit_beat, children.p_beat)
    return _Beam(
        t0=np.r_[kept_beam.t0, np.where(ramp, t, children.p_s)],
        b0=np.r_[kept_beam.b0, start_beat],
        bpm=np.r_[kept_beam.bpm, children.bpm],
        hold_beat=np.r_[kept_beam.hold_beat, start_beat + pr.hold_beats],
        lock_s=np.r_[kept_beam.lock_s, np.where(pr.sync[i], t, beam.lock_s[parent])],
        score=np.r_[kept_beam.score, children.score],
        bars=np.concatenate([kept_beam.bars, child_bars]),
        node=np.r_[kept_beam.node, np.full(parent.size, -2)],
    )


def _record(children: _Changes, c: int, old_bpm: float, t: float) -> tuple[tuple[float, ...], ...]:
    """Return the segments child ``c`` adds, as (start_s, start_beat, bpm[, ramp_to_bpm]) rows.

    A step adds one segment; a ramp adds the ramp and the tempo it reaches at the hit.
    """
    p_s, p_beat, bpm = float(children.p_s[c]), float(children.p_beat[c]), float(children.bpm[c])
    if not children.ramp[c]:
        return ((p_s, p_beat, bpm),)
    return ((p_s, p_beat, old_bpm, bpm), (float(t), float(children.hit_beat[c]), bpm))


def _search(pr: _Problem, starts: list[tuple[float, float]]) -> tuple[list[TempoSegment], np.ndarray]:
    """Return the best map's segments (beats not yet aligned to bars) and its bar tally."""
    n = len(starts)
    bpm = np.array([s[0] for s in starts])
    b0 = np.array([s[1] for s in starts])
    beam = _Beam(
        t0=np.zeros(n),
        b0=b0,
        bpm=bpm,
        hold_beat=b0 + pr.hold_beats,
        lock_s=np.full(n, -np.inf),
        score=np.zeros(n),
        bars=np.zeros((n, pr.numerator)),
        node=np.full(n, -1, dtype=np.int64),
    )
    start_of = np.arange(n)  # which start each state descends from
    family = np.unique(bpm, return_inverse=True)[1]  # starts of one tempo are one family
    nodes: list[tuple[int, tuple[tuple[float, ...], ...]]] = []
    for i in range(pr.times_s.size):
        t = pr.times_s[i]
        children = _changes(beam, pr, i)
        grown = _grow(beam, pr, i, children)
        n_old = beam.t0.size
        origin = start_of if children is None else np.r_[start_of, start_of[children.parent]]
        keep = _select(_dedupe_order(grown, _total(grown, pr), t, pr), family[origin])
        for k in keep[keep >= n_old]:
            c = int(k - n_old)
            p = int(children.parent[c])  # type: ignore[union-attr]
            nodes.append((int(beam.node[p]), _record(children, c, float(beam.bpm[p]), t)))  # type: ignore[arg-type]
            grown.node[k] = len(nodes) - 1
        beam = grown.take(keep)
        start_of = origin[keep]
    best = int(np.argmax(_total(beam, pr)))
    rows: list[tuple[float, ...]] = []
    node = int(beam.node[best])
    while node >= 0:
        parent, added = nodes[node]
        rows[:0] = added
        node = parent
    s = int(start_of[best])
    rows.insert(0, (0.0, float(b0[s]), float(bpm[s])))
    return [TempoSegment(*row) for row in rows], beam.bars[best]


def _picture_hits(
    hits: Any, frame_rate: Any, duration_s: float | None
) -> tuple[tuple[Hit, ...], Fraction, float]:
    """Return the hits, the frame rate and the picture length; refuse hits outside the picture."""
    if isinstance(hits, Analysis):
        if frame_rate is None:
            frame_rate = hits.picture.frame_rate
        if duration_s is None:
            duration_s = float(hits.picture.duration_s)
        hits = hits.hits()
    if frame_rate is None:
        raise ParameterError("map_tempo needs the picture's frame_rate (e.g. '24000/1001')")
    if duration_s is None:
        raise ParameterError("map_tempo needs the picture's duration_s")
    rate = parse_frame_rate(frame_rate)
    if not (np.isfinite(duration_s) and duration_s > 0):
        raise ParameterError(f"duration_s must be > 0, got {duration_s}")
    found = as_hits(hits)
    for h in found:
        if not -_EPS <= h.time_s <= duration_s + _EPS:
            raise ParameterError(
                f"hit at {h.time_s:.3f} s ({h.source or 'no source'}) is outside the picture "
                f"(0 to {duration_s:.3f} s)"
            )
    return found, rate, float(duration_s)


def _starts(
    hits: list[Hit], settings: TempoSettings, rate: Fraction, bpm: float | None, pr: _Problem
) -> list[tuple[float, float]]:
    """Return (tempo, beat at time 0) pairs to start from.

    The best tempos of the whole picture and of its opening, each at its best phase and at
    the phases that put each of the first sync hits (or the first hit) exactly on a beat.
    """
    meter = settings.meter_tuple
    options = dict(
        tolerance_frames=settings.tolerance_frames, frame_rate=rate, subdivision=pr.sub, meter=meter
    )
    weighted = [h for h in hits if h.weight > 0]
    if bpm is not None:
        one = score_tempo(weighted, bpm, **options)
        candidates: tuple[TempoCandidate, ...] = () if one is None else (one,)
        if one is None:
            return [(float(bpm), 0.0)]
    else:
        search = dict(min_bpm=settings.min_bpm, max_bpm=settings.max_bpm, step_bpm=settings.step_bpm)
        candidates = fit_tempo(weighted, top=_N_STARTS, **search, **options)
        if not candidates:
            return [(_default_bpm(settings), 0.0)]
        # The first tempo holds over the opening, whatever comes later: fit it there too.
        end_s = max(_OPENING_S, weighted[min(_OPENING_HITS, len(weighted)) - 1].time_s)
        opening = [h for h in weighted if h.time_s <= end_s]
        if len(opening) < len(weighted):
            local = fit_tempo(opening, top=_N_OPENING_STARTS, **search, **options)
            seen = {c.bpm for c in candidates}
            candidates += tuple(c for c in local if c.bpm not in seen)
    early = [i for i in range(pr.times_s.size) if pr.sync[i]][:3] or [0]
    starts = []
    for c in candidates:
        b0 = -c.offset_s * c.bpm / 60.0
        starts.append((c.bpm, b0))
        for i in early:
            beat = b0 + c.bpm * pr.times_s[i] / 60.0
            starts.append((c.bpm, b0 + np.round(beat) - beat))
    return starts


def _default_bpm(settings: TempoSettings) -> float:
    """Return a tempo for a picture without hits: the middle of the range, on a whole BPM."""
    return float(
        np.clip(round(math.sqrt(settings.min_bpm * settings.max_bpm)), settings.min_bpm, settings.max_bpm)
    )


def _align_bars(segments: list[TempoSegment], downbeat_residue: int, numerator: int) -> list[TempoSegment]:
    """Renumber the beats: ``downbeat_residue`` beats become downbeats, bar 1 starts in the first bar."""
    x = segments[0].start_beat - downbeat_residue
    shift = -downbeat_residue - numerator * math.ceil(x / numerator - 1e-9)
    return [TempoSegment(s.start_s, s.start_beat + shift, s.bpm, s.ramp_to_bpm) for s in segments]


def map_tempo(
    hits: Iterable[Hit] | Iterable[float] | Analysis,
    *,
    settings: TempoSettings | None = None,
    frame_rate: Fraction | int | str | None = None,
    duration_s: float | None = None,
    bpm: float | None = None,
) -> TempoMap:
    """Build a tempo map over the whole picture that lands every sync hit exactly on a beat.

    Starts from the tempos Find Tempo ranks best (or from ``bpm``), holds a tempo while it
    catches the hits and changes it, by a step or a short ramp on a beat, where a hit
    calls for it. Sync hits (weight >= ``settings.sync_weight``) land exactly on a beat,
    on a downbeat where that costs little (``settings.prefer_downbeats``); the other hits
    land within ``settings.tolerance_frames`` of the grid where the limits allow. Hits stay
    in absolute time; their bars and beats are derived from the map.

    Parameters
    ----------
    hits : iterable of Hit, of float or of (time_s, weight); or Analysis
        The moments to catch, in seconds from the first frame, weights in 0..1 (1 for a
        bare time); all within the picture. An :class:`Analysis` gives its hits, frame
        rate and length.
    settings : TempoSettings
        The preset's ``[tempo]`` table: tempo range and step, tolerance, grid, meter,
        ``sync_weight``, ``max_change_pct`` (largest change between neighbouring segments
        and across a ramp), ``min_hold_bars`` (each tempo holds at least this long, ramps
        excepted, the last to the end of the picture), ``prefer_downbeats``,
        ``allow_ramps`` and ``max_ramp_bars``.
    frame_rate : Fraction, int or str
        The picture's frame rate (required unless ``hits`` is an Analysis).
    duration_s : float
        The picture's length in seconds, > 0 (required unless ``hits`` is an Analysis).
    bpm : float, optional
        Start from this tempo instead of the best one found.

    Returns
    -------
    TempoMap
        Segments from time 0, bar 1 starting within the first bar of the picture, the
        hits placed on it (``sync`` marked). A sync hit the limits cannot land on a beat
        is named in ``warnings`` and returned by :meth:`TempoMap.off_beat_sync`.

    Raises
    ------
    ParameterError
        If a hit is not a time, lies outside the picture, or an option is out of range.

    Examples
    --------
    >>> m = map_tempo([0.5, 2.5, 4.5], frame_rate=24, duration_s=8.0)
    >>> [round(float(x), 6) for x in m.beat_error_s([0.5, 2.5, 4.5])]
    [0.0, 0.0, 0.0]
    """
    settings = TempoSettings() if settings is None else settings
    if not isinstance(settings, TempoSettings):
        raise ParameterError(f"settings must be TempoSettings, got {type(settings).__name__}")
    if bpm is not None and not (np.isfinite(bpm) and settings.min_bpm <= bpm <= settings.max_bpm):
        raise ParameterError(f"bpm must be in {settings.min_bpm:g}..{settings.max_bpm:g}, got {bpm}")
    found, rate, duration = _picture_hits(hits, frame_rate, duration_s)
    numerator, denominator = settings.meter_tuple
    used = [h for h in found if h.weight > 0]
    pr = _Problem(
        times_s=np.array([h.time_s for h in used], dtype=np.float64),
        weights=np.array([h.weight for h in used], dtype=np.float64),
        sync=np.array([h.weight >= settings.sync_weight for h in used], dtype=bool),
        tol_s=settings.tolerance_frames / float(rate),
        sub=settings.subdivision,
        numerator=numerator,
        change=settings.max_change_pct / 100.0,
        hold_beats=settings.min_hold_bars * numerator,
        ramp_beats=settings.max_ramp_bars * numerator if settings.allow_ramps else 0.0,
        bpm_range=(settings.min_bpm, settings.max_bpm),
        duration_s=duration,
        downbeats=settings.prefer_downbeats,
    )
    starts = _starts(used, settings, rate, bpm, pr)
    segments, bars = _search(pr, starts)
    draft = TempoMap(tuple(segments), numerator, denominator, pr.sub, rate)
    segments = _align_bars(segments, _downbeat_residue(draft, pr, bars), numerator)
    tempo_map = TempoMap(tuple(segments), numerator, denominator, pr.sub, rate).with_hits(
        found, sync_weight=settings.sync_weight
    )
    missed = tempo_map.off_beat_sync()
    warnings = tuple(
        f"sync hit at {frame_to_timecode(max(0, round(h.time_s * float(rate))), rate)} "
        f"({h.source or f'{h.time_s:.3f} s'}, weight {h.weight:.2f}) cannot land on a beat within "
        f"{settings.max_change_pct:g}% tempo changes held {settings.min_hold_bars:g} bars; "
        f"it sits {tempo_map.beat_error_s(h.time_s) * float(rate):+.2f} frames off its beat"
        for h in missed
    )
    return TempoMap(tempo_map.segments, numerator, denominator, pr.sub, rate, tempo_map.hits, warnings)


def _downbeat_residue(draft: TempoMap, pr: _Problem, bars: np.ndarray) -> int:
    """Return which beat of the bar the downbeat is: the one the sync hits favour, then the caught hits."""
    if pr.times_s.size == 0:
        return 0
    beats = np.asarray(draft.seconds_to_beats(pr.times_s))
    nearest = np.round(beats)
    on_beat = np.abs(pr.times_s - np.asarray(draft.beats_to_seconds(nearest))) <= pr.tol_s + 1e-6
    tally = np.bincount(
        (nearest[on_beat].astype(np.int64) % pr.numerator),
        weights=pr.weights[on_beat],
        minlength=pr.numerator,
    )
    return int(np.argmax(1e3 * np.round(bars, 9) + tally)) if pr.downbeats else int(np.argmax(tally))
