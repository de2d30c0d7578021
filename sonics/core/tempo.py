"""Tempo: ranked tempo candidates and the tempo map, the only converter between seconds and beats.

A *beat* is one note of the meter's denominator (a quarter note in 4/4) and ``bpm`` counts
them per minute. Beat 0 is the downbeat of bar 1; a pickup before it has negative beats.
The *grid* is the beat divided into ``subdivision`` equal parts (2: eighth notes in 4/4).

A :class:`TempoMap` is a list of :class:`TempoSegment` s. A segment holds its tempo from its
start until the next segment starts, or changes it linearly with time to ``ramp_to_bpm`` by
then (a ramp). Before the first segment the first tempo holds; the last segment holds to the
end, so it may not ramp. Hits are kept in absolute time (``time_s``); their beats and how far
they sit from the grid are derived from the map, never stored as the truth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np

from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import Hit, check_schema
from sonics.core.timebase import parse_frame_rate

__all__ = ["TempoCandidate", "TempoHit", "TempoMap", "TempoSegment"]

_BEAT_CONTINUITY = 1e-6
"""How far (in beats) a segment's start beat may sit from where the previous segment ends."""


def _check_meter(numerator: int, denominator: int, subdivision: int) -> None:
    if not isinstance(numerator, int) or not 1 <= numerator <= 32:
        raise ParameterError(f"meter numerator must be an integer in 1..32, got {numerator!r}")
    if denominator not in (1, 2, 4, 8, 16, 32):
        raise ParameterError(f"meter denominator must be 1, 2, 4, 8, 16 or 32, got {denominator!r}")
    if not isinstance(subdivision, int) or not 1 <= subdivision <= 16:
        raise ParameterError(f"subdivision must be an integer in 1..16, got {subdivision!r}")


@dataclass(frozen=True, slots=True)
class TempoCandidate:
    """One constant tempo and how well it catches the hits (a row of a Find Tempo table).

    Parameters
    ----------
    bpm : float
        Tempo in beats per minute.
    offset_s : float
        Time of a bar-1 downbeat, in ``[0, bar length)`` seconds: the bar phase that puts the
        most weighted hits on downbeats.
    score : float
        Chance-corrected weighted hit rate, ``(caught - chance - margin) / (total - chance)``,
        at most 1: 0 is what random hits would score at this tempo's grid density, less a
        margin of three standard deviations of a random catch (luck). The ranking key.
    weight_caught : float
        Summed weight of the hits within the tolerance of a grid line.
    weight_total : float
        Summed weight of all hits (the most that can be caught).
    weight_chance : float
        Weight a random set of hits with the same total would catch on this grid.
    weight_on_beat : float
        Summed weight of the caught hits that sit on a beat, not only on a subdivision.
    n_hits, n_caught, n_near : int
        Number of hits; of those caught; of near misses (between one and two tolerances off).
    median_frames_off : float
        Median distance of the caught hits from their grid line, in frames.
    frames_off : tuple of float
        Each hit's signed distance from the nearest grid line, in frames, in time order
        (positive: the hit comes after the grid line).
    subdivision, numerator, denominator : int
        The grid (parts per beat) and the meter the candidate was fitted with.
    """

    bpm: float
    offset_s: float
    score: float
    weight_caught: float
    weight_total: float
    weight_chance: float
    weight_on_beat: float
    n_hits: int
    n_caught: int
    n_near: int
    median_frames_off: float
    frames_off: tuple[float, ...] = ()
    subdivision: int = 2
    numerator: int = 4
    denominator: int = 4

    @property
    def hit_rate(self) -> float:
        """Weighted share of the hits caught, 0..1 (no chance correction)."""
        return self.weight_caught / self.weight_total if self.weight_total > 0 else 0.0

    @property
    def beat_s(self) -> float:
        """Length of one beat in seconds."""
        return 60.0 / self.bpm

    def tempo_map(self, frame_rate: Fraction | int | str = 24) -> TempoMap:
        """Return this tempo as a one-segment :class:`TempoMap` (no hits; see :meth:`TempoMap.with_hits`)."""
        return TempoMap.constant(
            self.bpm,
            offset_s=self.offset_s,
            numerator=self.numerator,
            denominator=self.denominator,
            subdivision=self.subdivision,
            frame_rate=frame_rate,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (frames off rounded to 3 decimals)."""
        return {
            "bpm": self.bpm,
            "offset_s": self.offset_s,
            "score": round(self.score, 6),
            "weight_caught": round(self.weight_caught, 6),
            "weight_total": round(self.weight_total, 6),
            "weight_chance": round(self.weight_chance, 6),
            "weight_on_beat": round(self.weight_on_beat, 6),
            "n_hits": self.n_hits,
            "n_caught": self.n_caught,
            "n_near": self.n_near,
            "median_frames_off": round(self.median_frames_off, 3),
            "frames_off": [round(f, 3) for f in self.frames_off],
            "subdivision": self.subdivision,
            "meter": {"numerator": self.numerator, "denominator": self.denominator},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TempoCandidate:
        """Build from :meth:`to_dict` output."""
        meter = data.get("meter", {})
        return cls(
            bpm=float(data["bpm"]),
            offset_s=float(data["offset_s"]),
            score=float(data["score"]),
            weight_caught=float(data["weight_caught"]),
            weight_total=float(data["weight_total"]),
            weight_chance=float(data["weight_chance"]),
            weight_on_beat=float(data.get("weight_on_beat", 0.0)),
            n_hits=int(data["n_hits"]),
            n_caught=int(data["n_caught"]),
            n_near=int(data["n_near"]),
            median_frames_off=float(data["median_frames_off"]),
            frames_off=tuple(float(f) for f in data.get("frames_off", ())),
            subdivision=int(data.get("subdivision", 2)),
            numerator=int(meter.get("numerator", 4)),
            denominator=int(meter.get("denominator", 4)),
        )


@dataclass(frozen=True, slots=True)
class TempoSegment:
    """A stretch of constant tempo, or of a linear ramp, starting at ``start_s`` on ``start_beat``.

    ``ramp_to_bpm`` is None for a constant tempo; otherwise the tempo moves linearly in time
    from ``bpm`` to ``ramp_to_bpm``, reached where the next segment starts.
    """

    start_s: float
    start_beat: float
    bpm: float
    ramp_to_bpm: float | None = None

    def __post_init__(self) -> None:
        if not np.isfinite(self.start_s) or not np.isfinite(self.start_beat):
            raise ParameterError(
                f"tempo segment start must be finite, got {self.start_s} s, beat {self.start_beat}"
            )
        for name in ("bpm", "ramp_to_bpm"):
            value = getattr(self, name)
            if value is not None and not (np.isfinite(value) and value > 0):
                raise ParameterError(f"tempo segment {name} must be > 0, got {value}")

    @property
    def is_ramp(self) -> bool:
        """True when the tempo changes across the segment."""
        return self.ramp_to_bpm is not None and self.ramp_to_bpm != self.bpm

    @property
    def end_bpm(self) -> float:
        """The tempo at the segment's end."""
        return self.ramp_to_bpm if self.ramp_to_bpm is not None else self.bpm

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (exact floats: the map converts beats to seconds from them)."""
        return {
            "start_s": self.start_s,
            "start_beat": self.start_beat,
            "bpm": self.bpm,
            "ramp_to_bpm": self.ramp_to_bpm,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TempoSegment:
        """Build from :meth:`to_dict` output."""
        ramp = data.get("ramp_to_bpm")
        return cls(
            float(data["start_s"]),
            float(data["start_beat"]),
            float(data["bpm"]),
            None if ramp is None else float(ramp),
        )


@dataclass(frozen=True, slots=True)
class TempoHit:
    """A hit placed on a tempo map: its absolute time, and the beat and grid offset derived from it.

    ``frames_off`` is the signed distance from the nearest grid line in frames (positive:
    after it); ``sync`` marks a hit that must land exactly on a beat.
    """

    time_s: float
    weight: float
    source: str
    beat: float
    frames_off: float
    sync: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class TempoMap:
    """Tempo over time: segments, meter, grid and the hits placed on it.

    Parameters
    ----------
    segments : tuple of TempoSegment
        In time order, at least one; start times and start beats strictly increasing, each
        start beat where the previous segment ends; the last segment does not ramp.
    numerator, denominator : int
        The meter (4, 4 for 4/4); ``bpm`` counts notes of the denominator.
    subdivision : int
        Grid lines per beat (2: eighth notes in 4/4).
    frame_rate : Fraction
        The picture's frame rate, for ``frames_off``.
    hits : tuple of TempoHit
        The hits in time order (see :meth:`with_hits`).
    warnings : tuple of str
        What the map could not do, one sentence each (e.g. a sync hit it could not land
        on a beat within the limits); see also :meth:`off_beat_sync`.

    Raises
    ------
    ParameterError
        If the segments or the meter are inconsistent.
    """

    SCHEMA_NAME = "tempo"
    SCHEMA_VERSION = 1

    segments: tuple[TempoSegment, ...]
    numerator: int = 4
    denominator: int = 4
    subdivision: int = 2
    frame_rate: Fraction = Fraction(24)
    hits: tuple[TempoHit, ...] = ()
    warnings: tuple[str, ...] = ()
    _start_s: np.ndarray = field(init=False, repr=False)
    _start_beat: np.ndarray = field(init=False, repr=False)
    _bpm: np.ndarray = field(init=False, repr=False)
    _slope: np.ndarray = field(init=False, repr=False)
    _end_s: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        segments = tuple(self.segments)
        object.__setattr__(self, "segments", segments)
        object.__setattr__(self, "hits", tuple(self.hits))
        object.__setattr__(self, "warnings", tuple(str(w) for w in self.warnings))
        object.__setattr__(self, "frame_rate", parse_frame_rate(self.frame_rate))
        _check_meter(self.numerator, self.denominator, self.subdivision)
        if not segments:
            raise ParameterError("a tempo map needs at least one segment")
        if segments[-1].is_ramp:
            raise ParameterError("the last tempo segment must hold its tempo (it has no end to ramp to)")
        start_s = np.array([s.start_s for s in segments], dtype=np.float64)
        start_beat = np.array([s.start_beat for s in segments], dtype=np.float64)
        if np.any(np.diff(start_s) <= 0) or np.any(np.diff(start_beat) <= 0):
            raise ParameterError("tempo segments must start at strictly increasing times and beats")
        bpm = np.array([s.bpm for s in segments], dtype=np.float64)
        end_s = np.r_[start_s[1:], np.inf]
        length_s = end_s - start_s
        slope = np.array(
            [(s.end_bpm - s.bpm) / length_s[i] if s.is_ramp else 0.0 for i, s in enumerate(segments)]
        )
        for name, value in (
            ("_start_s", start_s),
            ("_start_beat", start_beat),
            ("_bpm", bpm),
            ("_slope", slope),
            ("_end_s", end_s),
        ):
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        for i in range(len(segments) - 1):
            reached = start_beat[i] + (bpm[i] + segments[i].end_bpm) * length_s[i] / 120.0
            if abs(reached - start_beat[i + 1]) > _BEAT_CONTINUITY:
                raise ParameterError(
                    f"tempo segment {i + 1} starts on beat {start_beat[i + 1]:.6f} but segment {i} "
                    f"ends on beat {reached:.6f}"
                )

    # ------------------------------------------------------------------ construction

    @classmethod
    def constant(
        cls,
        bpm: float,
        *,
        offset_s: float = 0.0,
        numerator: int = 4,
        denominator: int = 4,
        subdivision: int = 2,
        frame_rate: Fraction | int | str = 24,
    ) -> TempoMap:
        """Return a map of one tempo whose bar-1 downbeat (beat 0) is at ``offset_s``.

        Examples
        --------
        >>> m = TempoMap.constant(120.0, offset_s=0.5)
        >>> float(m.beats_to_seconds(4.0))
        2.5
        """
        if not bpm > 0:
            raise ParameterError(f"bpm must be > 0, got {bpm}")
        return cls(
            (TempoSegment(0.0, -offset_s * bpm / 60.0, float(bpm)),),
            numerator=numerator,
            denominator=denominator,
            subdivision=subdivision,
            frame_rate=parse_frame_rate(frame_rate),
        )

    def with_hits(self, hits: Iterable[Hit], *, sync_weight: float = 0.8) -> TempoMap:
        """Return this map with ``hits`` placed on it: beats and frames off derived from their times.

        Parameters
        ----------
        hits : iterable of Hit
            Hits in absolute time; sorted by time here.
        sync_weight : float
            Hits weighing at least this are marked ``sync``.
        """
        ordered = sorted(hits, key=lambda h: (h.time_s, h.source))
        times = np.array([h.time_s for h in ordered], dtype=np.float64)
        beats = self.seconds_to_beats(times)
        frames_off = self.frames_off(times)
        placed = tuple(
            TempoHit(h.time_s, h.weight, h.source, float(b), float(f), h.weight >= sync_weight)
            for h, b, f in zip(ordered, np.atleast_1d(beats), np.atleast_1d(frames_off), strict=True)
        )
        return replace(self, hits=placed)

    # ------------------------------------------------------------------ conversions

    def seconds_to_beats(self, times_s: Any) -> Any:
        """Return the beat at each time (float for a scalar, else an array of the same shape).

        Exact for constant and ramping segments; before the first segment its tempo holds.
        """
        t = np.asarray(times_s, dtype=np.float64)
        idx = np.clip(np.searchsorted(self._start_s, t, side="right") - 1, 0, len(self.segments) - 1)
        tau = t - self._start_s[idx]
        slope = np.where(tau > 0, self._slope[idx], 0.0)
        beats = self._start_beat[idx] + (self._bpm[idx] * tau + 0.5 * slope * tau * tau) / 60.0
        return float(beats) if beats.ndim == 0 else beats

    def beats_to_seconds(self, beats: Any) -> Any:
        """Return the time of each beat (float for a scalar, else an array of the same shape).

        The exact inverse of :meth:`seconds_to_beats`.
        """
        b = np.asarray(beats, dtype=np.float64)
        idx = np.clip(np.searchsorted(self._start_beat, b, side="right") - 1, 0, len(self.segments) - 1)
        delta = b - self._start_beat[idx]
        slope = np.where(delta > 0, self._slope[idx], 0.0)
        bpm = self._bpm[idx]
        # Solve bpm*tau + slope*tau^2/2 = 60*delta in the form that stays exact as slope -> 0.
        root = np.sqrt(np.maximum(bpm * bpm + 120.0 * slope * delta, 0.0))
        times = self._start_s[idx] + 120.0 * delta / (bpm + root)
        return float(times) if times.ndim == 0 else times

    def bpm_at(self, times_s: Any) -> Any:
        """Return the tempo in beats per minute at each time."""
        t = np.asarray(times_s, dtype=np.float64)
        idx = np.clip(np.searchsorted(self._start_s, t, side="right") - 1, 0, len(self.segments) - 1)
        tau = np.clip(t - self._start_s[idx], 0.0, None)
        bpm = self._bpm[idx] + self._slope[idx] * np.minimum(tau, self._end_s[idx] - self._start_s[idx])
        return float(bpm) if bpm.ndim == 0 else bpm

    def frames_off(self, times_s: Any) -> Any:
        """Return each time's signed distance from the nearest grid line, in frames (positive: after it)."""
        t = np.asarray(times_s, dtype=np.float64)
        beats = np.asarray(self.seconds_to_beats(t))
        line = np.round(beats * self.subdivision) / self.subdivision
        off = (t - np.asarray(self.beats_to_seconds(line))) * float(self.frame_rate)
        return float(off) if off.ndim == 0 else off

    def bar_and_beat(self, beats: Any) -> tuple[Any, Any]:
        """Return the 1-based bar and the beat within it (0-based, fractional) of each beat."""
        b = np.asarray(beats, dtype=np.float64)
        bar = np.floor(b / self.numerator)
        within = b - bar * self.numerator
        if b.ndim == 0:
            return int(bar) + 1, float(within)
        return bar.astype(np.int64) + 1, within

    def beat_times(self, first_beat: float, last_beat: float, step: float = 1.0) -> np.ndarray:
        """Return the times of the beats ``first_beat, first_beat + step, ...`` up to ``last_beat``."""
        if not step > 0:
            raise ParameterError(f"step must be > 0, got {step}")
        n = int(np.floor((last_beat - first_beat) / step + 1e-9)) + 1
        return np.asarray(self.beats_to_seconds(first_beat + step * np.arange(max(n, 0))), dtype=np.float64)

    # ------------------------------------------------------------------ summaries

    @property
    def bar_beats(self) -> int:
        """Beats in one bar."""
        return self.numerator

    def segment_end_s(self, index: int) -> float:
        """Return where segment ``index`` ends (``inf`` for the last)."""
        return float(self._end_s[index])

    def segment_bars(self, end_s: float) -> np.ndarray:
        """Return how many bars each segment lasts, the last one up to ``end_s`` (the picture's end)."""
        ends = np.minimum(self._end_s, end_s)
        beats = np.asarray(self.seconds_to_beats(ends)) - self._start_beat
        return np.asarray(beats, dtype=np.float64).reshape(-1) / self.numerator

    def tempo_changes(self) -> np.ndarray:
        """Return each change of tempo as a ratio minus one: across every segment start and every ramp."""
        changes = [s.end_bpm / s.bpm - 1.0 for s in self.segments if s.is_ramp]
        changes += [b.bpm / a.end_bpm - 1.0 for a, b in zip(self.segments, self.segments[1:], strict=False)]
        return np.asarray(changes, dtype=np.float64)

    def beat_error_s(self, times_s: Any) -> Any:
        """Return each time's signed distance from the nearest beat, in seconds (positive: after it)."""
        t = np.asarray(times_s, dtype=np.float64)
        nearest = np.round(np.asarray(self.seconds_to_beats(t)))
        error = t - np.asarray(self.beats_to_seconds(nearest))
        return float(error) if error.ndim == 0 else error

    def off_beat_sync(self, max_error_s: float = 1e-3) -> tuple[TempoHit, ...]:
        """Return the sync hits that sit more than ``max_error_s`` from a beat (none on a good map)."""
        sync = [h for h in self.hits if h.sync]
        if not sync:
            return ()
        error = np.atleast_1d(self.beat_error_s([h.time_s for h in sync]))
        return tuple(h for h, e in zip(sync, error, strict=True) if abs(e) > max_error_s)

    def caught(self, tolerance_frames: float = 1.0) -> np.ndarray:
        """Return, per hit, whether it lies within ``tolerance_frames`` of a grid line."""
        off = np.array([h.frames_off for h in self.hits], dtype=np.float64)
        return np.abs(off) <= tolerance_frames + 1e-6

    # ------------------------------------------------------------------ JSON

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document (``schema: sonics.tempo/1``).

        Segments keep exact floats; a hit's ``beat``, ``bar`` and ``frames_off`` are written
        for readers and derived again from ``time_s`` when read back.
        """
        hits = []
        for h in self.hits:
            bar, within = self.bar_and_beat(h.beat)
            hits.append(
                {
                    "time_s": h.time_s,
                    "beat": round(h.beat, 6),
                    "bar": bar,
                    "beat_in_bar": round(within, 6),
                    "frames_off": round(h.frames_off, 3),
                    "weight": round(h.weight, 6),
                    "source": h.source,
                    "sync": h.sync,
                }
            )
        return {
            "schema": f"sonics.{self.SCHEMA_NAME}/{self.SCHEMA_VERSION}",
            "meter": {"numerator": self.numerator, "denominator": self.denominator},
            "subdivision": self.subdivision,
            "fps": f"{self.frame_rate.numerator}/{self.frame_rate.denominator}",
            "segments": [s.to_dict() for s in self.segments],
            "hits": hits,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "tempo.json") -> TempoMap:
        """Build from :meth:`to_dict` output; raise :class:`MediaError` on a foreign document."""
        check_schema(data, cls.SCHEMA_NAME, cls.SCHEMA_VERSION, source)
        try:
            meter = data.get("meter", {})
            base = cls(
                tuple(TempoSegment.from_dict(s) for s in data["segments"]),
                numerator=int(meter.get("numerator", 4)),
                denominator=int(meter.get("denominator", 4)),
                subdivision=int(data.get("subdivision", 2)),
                frame_rate=parse_frame_rate(data.get("fps", 24)),
                warnings=tuple(str(w) for w in data.get("warnings", ())),
            )
            hits = [
                (
                    Hit(float(h["time_s"]), float(h.get("weight", 1.0)), str(h.get("source", ""))),
                    bool(h["sync"]),
                )
                for h in data.get("hits", [])
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise MediaError(f"{source}: not a valid sonics tempo map ({exc!s})") from None
        placed = base.with_hits([h for h, _ in hits], sync_weight=np.inf)
        sync = {(h.time_s, h.source) for h, s in hits if s}
        return replace(base, hits=tuple(replace(h, sync=(h.time_s, h.source) in sync) for h in placed.hits))
