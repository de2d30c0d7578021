"""A tempo report a composer reads: the ranked Find Tempo table and the tempo map's segments."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from sonics.core.tempo import TempoCandidate, TempoMap
from sonics.core.timebase import frame_to_timecode

__all__ = ["subframe_timecode", "tempo_report"]


def subframe_timecode(time_s: float, frame_rate: Fraction) -> str:
    """Return SMPTE timecode with hundredths of a frame, as Pro Tools shows sub-frames.

    Examples
    --------
    >>> subframe_timecode(1.5, Fraction(24))
    '00:00:01:12.00'
    """
    position = max(time_s, 0.0) * float(frame_rate)
    frame = math.floor(position + 1e-6)
    hundredths = min(max(round((position - frame) * 100), 0), 99)
    return f"{frame_to_timecode(frame, frame_rate)}.{hundredths:02d}"


def _table(candidates: Sequence[TempoCandidate], frame_rate: Fraction) -> list[str]:
    lines = [
        f"{'#':>3}  {'BPM':>7}  {'score':>6}  {'weighted hits':>15}  {'hits':>7}  {'near':>4}  "
        f"{'median off':>10}  bar 1 at",
    ]
    for rank, c in enumerate(candidates, start=1):
        weighted = f"{c.weight_caught:.2f} / {c.weight_total:.2f}"
        lines.append(
            f"{rank:>3}  {c.bpm:>7.2f}  {c.score:>6.3f}  {weighted:>15}  {f'{c.n_caught}/{c.n_hits}':>7}  "
            f"{c.n_near:>4}  {c.median_frames_off:>10.2f}  {subframe_timecode(c.offset_s, frame_rate)}"
        )
    return lines


def _segments(tempo_map: TempoMap) -> list[str]:
    lines = [f"{'bar':>5}  {'beat':>4}  {'at':<14}  tempo"]
    for i, s in enumerate(tempo_map.segments):
        bar, within = tempo_map.bar_and_beat(s.start_beat)
        beat = f"{within + 1:.2f}".rstrip("0").rstrip(".")
        tempo = f"{s.bpm:.2f} BPM"
        if s.is_ramp:
            n_beats = tempo_map.seconds_to_beats(tempo_map.segment_end_s(i)) - s.start_beat
            tempo += f" -> {s.end_bpm:.2f} BPM (ramp over {n_beats:g} beats)"
        lines.append(
            f"{bar:>5}  {beat:>4}  {subframe_timecode(s.start_s, tempo_map.frame_rate):<14}  {tempo}"
        )
    return lines


def _summary(tempo_map: TempoMap, tolerance_frames: float, duration_s: float) -> list[str]:
    hits = tempo_map.hits
    caught = tempo_map.caught(tolerance_frames)
    sync = [h for h in hits if h.sync]
    off = {(h.time_s, h.source) for h in tempo_map.off_beat_sync()}
    landed = [h for h in sync if (h.time_s, h.source) not in off]
    on_downbeat = sum(
        1 for h in landed if abs(h.beat / tempo_map.numerator - round(h.beat / tempo_map.numerator)) < 1e-6
    )
    lines = []
    if hits:
        lines.append(
            f"caught: {int(caught.sum())} of {len(hits)} hits within {tolerance_frames:g} frame(s) of the "
            f"grid ({100.0 * caught.mean():.0f} %); sync hits on a beat: {len(landed)} of {len(sync)}"
            f" ({on_downbeat} on downbeats)"
        )
    changes = np.abs(tempo_map.tempo_changes())
    bars = tempo_map.segment_bars(duration_s)
    holds = [b for b, s in zip(bars, tempo_map.segments, strict=True) if not s.is_ramp]
    if changes.size:
        lines.append(
            f"largest tempo change {100.0 * changes.max():.1f} %; shortest hold {min(holds):.2f} bars"
        )
    if tempo_map.warnings:
        lines.append(f"{len(tempo_map.warnings)} sync hit(s) off the beat: see the warnings")
    return lines


def tempo_report(
    candidates: Sequence[TempoCandidate],
    tempo_map: TempoMap,
    *,
    duration_s: float,
    tolerance_frames: float = 1.0,
    title: str = "",
) -> str:
    """Return the Find Tempo table and the tempo map as text, one row per line.

    Parameters
    ----------
    candidates : sequence of TempoCandidate
        The ranked constant tempos, best first.
    tempo_map : TempoMap
        The map, with its hits placed.
    duration_s : float
        The picture's length [s] (the last tempo holds to it).
    tolerance_frames : float
        What counts as caught in the summary, frames.
    title : str
        A first line (the input and the preset), or nothing.

    Returns
    -------
    str
        Text ending in a newline: the table (BPM, chance-corrected score, weighted hits
        caught of the total, hits caught, near misses, median frames off the grid, bar-1
        downbeat as timecode with hundredths of a frame), then the map's segments (bar,
        beat, timecode, tempo, ramps), then what the map catches and how many sync hits
        it could not land (the warnings themselves are the map's ``warnings``).
    """
    meter = f"{tempo_map.numerator}/{tempo_map.denominator}"
    lines = [title] if title else []
    lines += ["", f"Find Tempo ({meter}, {tempo_map.subdivision} grid lines a beat):"]
    lines += _table(candidates, tempo_map.frame_rate) if candidates else ["  no hits to fit"]
    n_ramps = sum(1 for s in tempo_map.segments if s.is_ramp)
    first = tempo_map.segments[0].bpm
    rank = next((i for i, c in enumerate(candidates, start=1) if abs(c.bpm - first) < 0.005 * c.bpm), None)
    start = f"starts at {first:.2f} BPM" + (f" (#{rank} of the table)" if rank else "")
    lines += [
        "",
        f"Tempo map: {len(tempo_map.segments)} segment(s), {n_ramps} ramp(s), {start}:",
        *_segments(tempo_map),
        *_summary(tempo_map, tolerance_frames, duration_s),
    ]
    return "\n".join(lines) + "\n"
