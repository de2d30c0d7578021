"""Find the picture events a sound editor spots, each weighted by how big it plays.

A battle is spotted by size: a hard cut into a battle shot after a long hold, with the
motion jumping across it, plays bigger than a cut between two busy shots; an impact
plays as hard as the motion stops. Events are cuts, transitions (dissolves and fades),
impacts, flashes, shot starts, motion swells and the last cut. Each carries a weight
in 0..1 and a sentence, with the SMPTE timecode, that says why.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from sonics.core.errors import ParameterError
from sonics.core.model import Analysis, CutKind, Shot, ShotIntensity
from sonics.core.timebase import frame_to_timecode

if TYPE_CHECKING:
    from sonics.presets.schema import SpottingSettings

__all__ = [
    "SHOT_LEVELS",
    "Event",
    "EventKind",
    "find_events",
    "frame_at",
    "keep_apart",
    "timecode_at",
]

SHOT_LEVELS: dict[ShotIntensity, float] = {
    ShotIntensity.CALM: 0.2,
    ShotIntensity.TENSION: 0.55,
    ShotIntensity.BATTLE: 1.0,
}
"""How much energy each shot intensity carries, 0..1 (weights and beds that follow intensity)."""

_RANK = {ShotIntensity.CALM: 0, ShotIntensity.TENSION: 1, ShotIntensity.BATTLE: 2}

# A hard cut's size, from five terms in 0..1 (their weights sum to 1).
_CUT_SCORE_W = 0.30  # how clean the picture change is (detector score; 1 for a timeline cut)
_CUT_INTO_W = 0.25  # the energy of the shot it cuts into
_CUT_RISE_W = 0.15  # how far the shot intensity climbs across the cut
_CUT_MOTION_W = 0.15  # how far the motion jumps (or drops) across the cut
_CUT_HOLD_W = 0.15  # how long the shot before it held
_CUT_NORM_FLOOR = 0.5
"""Cut weights are divided by max(biggest raw cut weight, this): the biggest cut of a
picture weighs 1 unless every cut of it is small."""
_MOTION_WINDOW_S = 0.5  # motion is compared over this much picture on each side of a cut
_HOLD_SHORT_S = 0.5  # a hold this short adds nothing; each doubling adds a third, up to 4 s
_SWELL_RISE_S = 2.0  # a swell's "from" level is the lowest motion this long before its peak
_SAME_TIME_S = 1e-6  # events closer than this are on the same moment
_GAP_TOLERANCE_S = 1e-9

_ARTICLE = {
    ShotIntensity.CALM: "a calm",
    ShotIntensity.TENSION: "a tension",
    ShotIntensity.BATTLE: "a battle",
}


class EventKind(StrEnum):
    """What happened in the picture (the names a preset layer's ``events`` lists)."""

    CUT = "cut"
    TRANSITION = "transition"
    IMPACT = "impact"
    FLASH = "flash"
    SHOT = "shot"
    SWELL = "swell"
    LAST_CUT = "last_cut"


_KIND_ORDER = {kind: i for i, kind in enumerate(EventKind)}


@dataclass(frozen=True, slots=True)
class Event:
    """One moment of the picture that may call for a sound.

    Parameters
    ----------
    time_s : float
        When it happens, in seconds from the first frame.
    event : EventKind
        ``"cut"``, ``"transition"``, ``"impact"``, ``"flash"``, ``"shot"``, ``"swell"``
        or ``"last_cut"``.
    weight : float
        How big it plays, 0..1.
    why : str
        A sentence for the cue sheet, with the SMPTE timecode.
    frame : int
        The 0-based frame it happens on, or -1 if unknown.
    """

    time_s: float
    event: EventKind
    weight: float
    why: str
    frame: int = -1

    def __post_init__(self) -> None:
        object.__setattr__(self, "event", EventKind(self.event))
        if not 0.0 <= self.weight <= 1.0:
            raise ParameterError(f"event weight must be in [0, 1], got {self.weight}")


def keep_apart(times_s: Sequence[float], weights: Sequence[float], min_gap_s: float) -> list[int]:
    """Return the indices of the moments kept when no two may be closer than ``min_gap_s``.

    Greedy by descending weight (ties: the earlier moment): each moment is kept unless
    a heavier kept one is within ``min_gap_s``. Two moments at the same time never both
    survive, even when ``min_gap_s`` is 0.

    Parameters
    ----------
    times_s : sequence of float
        The moments [s].
    weights : sequence of float
        Their weights, same length.
    min_gap_s : float >= 0
        The smallest distance between two kept moments [s].

    Returns
    -------
    list of int
        Indices into ``times_s`` of the kept moments, in time order.

    Examples
    --------
    >>> keep_apart([0.0, 0.2, 1.0], [0.5, 0.9, 0.1], 0.5)
    [1, 2]
    """
    gap = max(min_gap_s - _GAP_TOLERANCE_S, _SAME_TIME_S)
    order = sorted(range(len(times_s)), key=lambda i: (-weights[i], times_s[i], i))
    kept_times: list[float] = []
    kept: list[int] = []
    for i in order:
        t = times_s[i]
        j = bisect_left(kept_times, t)
        if j < len(kept_times) and kept_times[j] - t < gap:
            continue
        if j > 0 and t - kept_times[j - 1] < gap:
            continue
        kept_times.insert(j, t)
        kept.append(i)
    return sorted(kept, key=lambda i: (times_s[i], i))


def _frame_times(analysis: Analysis) -> np.ndarray:
    picture = analysis.picture
    times = analysis.frame_times_s
    if len(times) == picture.n_frames:
        return times
    return np.arange(picture.n_frames, dtype=np.float64) / float(picture.frame_rate)


def frame_at(analysis: Analysis, time_s: float) -> int:
    """Return the 0-based frame on screen at ``time_s`` (clamped to the picture).

    Parameters
    ----------
    analysis : Analysis
        The picture; a variable-frame-rate one is read through its frame times.
    time_s : float
        Time from the first frame [s].

    Returns
    -------
    int
        The last frame that starts at or before ``time_s``, in ``[0, n_frames - 1]``.
    """
    picture = analysis.picture
    if picture.n_frames <= 0:
        return 0
    if picture.variable_frame_rate:
        frame = int(np.searchsorted(_frame_times(analysis), time_s, side="right")) - 1
    else:
        frame = math.floor(Fraction(time_s) * picture.frame_rate + Fraction(1, 10**6))
    return min(max(frame, 0), picture.n_frames - 1)


def timecode_at(analysis: Analysis, time_s: float) -> str:
    """Return the SMPTE timecode of the frame on screen at ``time_s``.

    Parameters
    ----------
    analysis : Analysis
        The picture (its frame rate decides drop-frame counting).
    time_s : float
        Time from the first frame [s].

    Returns
    -------
    str
        ``HH:MM:SS:FF`` (``HH:MM:SS;FF`` at 29.97 and 59.94 fps).
    """
    return frame_to_timecode(frame_at(analysis, time_s), analysis.picture.frame_rate)


def _clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


class _Picture:
    """What the weighting reads from an analysis, indexed once."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.rate = analysis.picture.frame_rate
        self.n_frames = analysis.picture.n_frames
        self.times = _frame_times(analysis)
        self.end_s = float(analysis.picture.duration_s)
        self.shots = tuple(sorted(analysis.shots, key=lambda s: s.start_frame))
        self.shot_starts = np.asarray([s.start_frame for s in self.shots], dtype=np.int64)
        motion = analysis.motion
        if motion is not None and len(motion.values) > 0:
            self.motion: np.ndarray | None = np.asarray(motion.values, dtype=np.float64)
            self.motion_sum = np.concatenate([[0.0], np.cumsum(self.motion)])
        else:
            self.motion = None
            self.motion_sum = np.zeros(1)
        self.boundaries = sorted({c.frame for c in analysis.cuts})
        self.window_frames = max(1, round(_MOTION_WINDOW_S * float(self.rate)))

    def tc(self, frame: int) -> str:
        return frame_to_timecode(max(frame, 0), self.rate)

    def shot_at(self, frame: int) -> Shot | None:
        if not self.shots:
            return None
        i = int(np.searchsorted(self.shot_starts, frame, side="right")) - 1
        return self.shots[max(i, 0)]

    def mean_motion(self, start: int, stop: int) -> float | None:
        if self.motion is None:
            return None
        start, stop = max(start, 0), min(stop, len(self.motion))
        if stop <= start:
            return None
        return float((self.motion_sum[stop] - self.motion_sum[start]) / (stop - start))

    def time_of(self, frame: int) -> float:
        if 0 <= frame < len(self.times):
            return float(self.times[frame])
        return float(Fraction(frame) / self.rate)


def _in_shot(shot: Shot | None) -> str:
    return f" in {_ARTICLE[shot.intensity]} shot" if shot is not None else ""


def _cut_events(pic: _Picture) -> list[Event]:
    hard = sorted((c for c in pic.analysis.cuts if c.kind is CutKind.HARD), key=lambda c: c.frame)
    raws: list[tuple[float, str]] = []
    for cut in hard:
        f = cut.frame
        j = bisect_left(pic.boundaries, f)
        prev_b = pic.boundaries[j - 1] if j > 0 else 0
        next_b = pic.boundaries[j + 1] if j + 1 < len(pic.boundaries) else pic.n_frames
        hold_s = max(0.0, cut.time_s - (pic.time_of(prev_b) if j > 0 else 0.0))
        hold = _clip01(math.log2(max(hold_s, 1e-9) / _HOLD_SHORT_S) / 3.0)
        into = pic.shot_at(f)
        before_shot = pic.shot_at(f - 1) if f > 0 else None
        m_before = pic.mean_motion(max(prev_b, f - pic.window_frames), f)
        m_after = pic.mean_motion(f, min(next_b, f + pic.window_frames))
        jump = 0.0 if m_before is None or m_after is None else m_after - m_before
        if into is not None:
            into_level = SHOT_LEVELS[into.intensity]
            from_level = SHOT_LEVELS[before_shot.intensity] if before_shot is not None else into_level
        else:
            into_level = m_after if m_after is not None else 0.5
            from_level = m_before if m_before is not None else into_level
        raw = (
            _CUT_SCORE_W * _clip01(cut.score)
            + _CUT_INTO_W * into_level
            + _CUT_RISE_W * _clip01((into_level - from_level) / 0.8)
            + _CUT_MOTION_W * _clip01(2.0 * abs(jump))
            + _CUT_HOLD_W * hold
        )
        what = f"hard cut at {pic.tc(f)}"
        if into is not None:
            what += f" into {_ARTICLE[into.intensity]} shot"
            if before_shot is not None and before_shot.intensity is not into.intensity:
                what += f" from {_ARTICLE[before_shot.intensity]} one"
        what += f" after a {hold_s:.1f} s hold"
        if m_before is not None and m_after is not None and abs(jump) >= 0.15:
            verb = "jumps" if jump > 0 else "drops"
            what += f", motion {verb} {m_before:.2f} → {m_after:.2f}"
        raws.append((raw, what))
    norm = max([_CUT_NORM_FLOOR, *(r for r, _ in raws)])
    events = []
    for cut, (raw, what) in zip(hard, raws, strict=True):
        weight = round(_clip01(raw / norm), 4)
        events.append(Event(cut.time_s, EventKind.CUT, weight, f"{what} (weight {weight:.2f})", cut.frame))
    return events


def _transition_events(pic: _Picture) -> list[Event]:
    events = []
    for cut in pic.analysis.cuts:
        if cut.kind is CutKind.HARD:
            continue
        n = cut.end_frame - cut.start_frame + 1
        span_s = n / float(pic.rate)
        shot = pic.shot_at(cut.frame - 1 if cut.kind is CutKind.FADE_OUT else cut.frame)
        level = SHOT_LEVELS[shot.intensity] if shot is not None else 0.5
        weight = round(_clip01(0.4 * _clip01(cut.score) + 0.3 * level + 0.3 * min(1.0, span_s / 2.0)), 4)
        frames = f"{n} frame{'s' if n != 1 else ''}"
        tc = pic.tc(cut.frame)
        if cut.kind is CutKind.DISSOLVE:
            what = f"dissolve at {tc} over {frames}"
        elif cut.kind is CutKind.FADE_IN:
            what = f"fade in from black at {tc} over {frames}"
        else:
            what = f"fade to black at {tc} over {frames}"
        if shot is not None:
            what += f" {'out of' if cut.kind is CutKind.FADE_OUT else 'into'} {_ARTICLE[shot.intensity]} shot"
        events.append(
            Event(cut.time_s, EventKind.TRANSITION, weight, f"{what} (weight {weight:.2f})", cut.frame)
        )
    return events


def _impact_events(pic: _Picture) -> list[Event]:
    events = []
    for impact in pic.analysis.impacts:
        weight = round(_clip01(impact.strength), 4)
        why = (
            f"impact at {pic.tc(impact.frame)}: the motion stops or turns hard"
            f"{_in_shot(pic.shot_at(impact.frame))} (strength {weight:.2f})"
        )
        events.append(Event(impact.time_s, EventKind.IMPACT, weight, why, impact.frame))
    return events


def _flash_events(pic: _Picture) -> list[Event]:
    events = []
    for flash in pic.analysis.flashes:
        weight = round(_clip01(flash.strength), 4)
        n = flash.n_frames
        why = (
            f"flash at {pic.tc(flash.frame)} lasting {n} frame{'s' if n != 1 else ''}"
            f"{_in_shot(pic.shot_at(flash.frame))} (strength {weight:.2f})"
        )
        events.append(Event(flash.time_s, EventKind.FLASH, weight, why, flash.frame))
    return events


def _shot_events(pic: _Picture, min_intensity: ShotIntensity) -> list[Event]:
    events = []
    for shot in pic.shots:
        if _RANK[shot.intensity] < _RANK[min_intensity]:
            continue
        weight = round(_clip01(0.8 * SHOT_LEVELS[shot.intensity] + 0.2 * _clip01(shot.motion_mean)), 4)
        why = (
            f"{shot.intensity} shot starts at {pic.tc(shot.start_frame)}: {shot.end_s - shot.start_s:.1f} s, "
            f"motion {shot.motion_mean:.2f}, {shot.cuts_per_min:.0f} cuts a minute (weight {weight:.2f})"
        )
        events.append(Event(shot.start_s, EventKind.SHOT, weight, why, shot.start_frame))
    return events


def _swell_events(pic: _Picture, threshold: float, min_gap_s: float) -> list[Event]:
    v = pic.motion
    if v is None or len(v) < 2:
        return []
    n = min(len(v), len(pic.times))
    v = v[:n]
    # A swell is where the motion arrives at a local top: higher than the frame before,
    # at least as high as the frame after (the first frame of a plateau).
    right = np.concatenate([v[2:], [-np.inf]])
    inner = v[1:]
    peaks = np.flatnonzero((inner > v[:-1]) & (inner >= right) & (inner >= threshold)) + 1
    times = pic.times[peaks]
    kept = keep_apart(times.tolist(), v[peaks].tolist(), min_gap_s)
    rise_frames = max(1, round(_SWELL_RISE_S * float(pic.rate)))
    events = []
    for k in kept:
        f = int(peaks[k])
        level = round(_clip01(float(v[f])), 4)
        low = float(v[max(0, f - rise_frames) : f + 1].min())
        why = f"motion swells from {low:.2f} to {level:.2f} at {pic.tc(f)} (weight {level:.2f})"
        events.append(Event(float(times[k]), EventKind.SWELL, level, why, f))
    return events


def _last_cut_event(pic: _Picture, cuts: list[Event]) -> list[Event]:
    if not cuts:
        return []
    last = max(cuts, key=lambda e: e.time_s)
    left_s = max(0.0, pic.end_s - last.time_s)
    why = f"last hard cut at {pic.tc(last.frame)}, {left_s:.1f} s before the end (weight {last.weight:.2f})"
    return [Event(last.time_s, EventKind.LAST_CUT, last.weight, why, last.frame)]


def find_events(analysis: Analysis, settings: SpottingSettings) -> tuple[Event, ...]:
    """Return every moment of the picture that may call for a sound, weighted.

    Parameters
    ----------
    analysis : Analysis
        The picture's cuts, shots, motion envelope, impacts and flashes.
    settings : SpottingSettings
        The preset's ``[spotting]`` table: ``shot_min_intensity`` (shot starts at or
        above it are events), ``swell_threshold`` (0..1 motion level of a swell) and
        ``swell_min_gap_s`` (seconds between two swells).

    Returns
    -------
    tuple of Event
        In time order (same time: cut, transition, impact, flash, shot, swell, last_cut).
        Weights, all in 0..1:

        - ``cut`` (hard cuts): from the cut's score (30 %), the energy of the shot it
          enters (25 %), how far the shot intensity climbs (15 %), how far the motion
          jumps across it (15 %) and how long the shot before it held (15 %; 0.5 s
          adds nothing, 4 s or more adds all), divided by the biggest of the picture
          (or by 0.5 if every cut is smaller), so the biggest cut weighs 1.
        - ``transition`` (dissolves, fades, at their ``frame``): score, shot energy
          and length (2 s or more counts fully).
        - ``impact``, ``flash``: their strength.
        - ``shot``: 0.8 x its intensity level (calm 0.2, tension 0.55, battle 1) +
          0.2 x its mean motion.
        - ``swell``: the motion level at a local top of the envelope at or above
          ``swell_threshold``, the strongest kept when two are closer than
          ``swell_min_gap_s``.
        - ``last_cut``: the last hard cut, with its cut weight.

    Raises
    ------
    ParameterError
        If ``shot_min_intensity`` is not calm, tension or battle.
    """
    try:
        min_intensity = ShotIntensity(settings.shot_min_intensity)
    except ValueError:
        raise ParameterError(
            f"shot_min_intensity must be calm, tension or battle, got {settings.shot_min_intensity!r}"
        ) from None
    pic = _Picture(analysis)
    cuts = _cut_events(pic)
    events = [
        *cuts,
        *_transition_events(pic),
        *_impact_events(pic),
        *_flash_events(pic),
        *_shot_events(pic, min_intensity),
        *_swell_events(pic, float(settings.swell_threshold), float(settings.swell_min_gap_s)),
        *_last_cut_event(pic, cuts),
    ]
    return tuple(sorted(events, key=lambda e: (e.time_s, _KIND_ORDER[e.event], e.frame)))
