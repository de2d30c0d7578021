"""The report's timeline: one lane per kind of event, all on the picture's time axis.

Every lane is drawn on the same axis: HTML elements placed in percent of the picture's
length (markers a person hovers and clicks), and inline SVG in a ``0..AXIS_UNITS`` wide
view box stretched to the lane (curves, grids, notes). Numbers are written with fixed
decimals, so the same data gives the same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from sonics.core.cues import Cue, CueKind, CueSheet
from sonics.core.model import Analysis, Cut, ShotIntensity
from sonics.core.score import Score
from sonics.core.sound import Stem
from sonics.core.tempo import TempoMap
from sonics.core.timebase import frame_to_timecode

AXIS_UNITS = 10000
"""Width of every lane's SVG view box: the whole picture, first frame to end."""

CURVE_POINTS = 2000
"""Most points a curve is drawn with; longer ones keep the peak of each stretch."""

_BED_POINTS = 300
_STEM_BUCKETS = 1200
_STEM_FLOOR_DB = -60.0
_LUFS_FLOOR = -60.0


@dataclass(frozen=True, slots=True)
class Lane:
    """One row of the timeline: its label (HTML), its content (HTML) and its height [px]."""

    key: str
    label: str
    body: str
    height_px: int
    title: str = ""


def attr(text: str) -> str:
    """Return ``text`` escaped for an HTML attribute value (newlines kept as line breaks)."""
    return html.escape(text, quote=True).replace("\n", "&#10;")


def _num(value: float, digits: int = 2) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class Axis:
    """The picture's time axis: seconds to lane positions, frames, and timecode."""

    def __init__(self, analysis: Analysis) -> None:
        picture = analysis.picture
        self.frame_rate: Fraction = picture.frame_rate
        self.frame_times_s = np.asarray(analysis.frame_times_s, dtype=np.float64)
        self.n_frames = max(1, picture.n_frames, len(self.frame_times_s))
        stated = picture.duration_s
        self.duration_s = float(stated) if stated > 0 else self.n_frames / float(self.frame_rate)

    def pct(self, time_s: float) -> str:
        """Return the position of ``time_s`` as a CSS percentage of the lane."""
        return f"{100.0 * min(max(time_s, 0.0), self.duration_s) / self.duration_s:.4f}%"

    def span_pct(self, start_s: float, end_s: float) -> str:
        """Return ``left`` and ``width`` CSS declarations for ``[start_s, end_s)``."""
        lo = min(max(start_s, 0.0), self.duration_s)
        hi = min(max(end_s, lo), self.duration_s)
        width = 100.0 * (hi - lo) / self.duration_s
        return f"left:{100.0 * lo / self.duration_s:.4f}%;width:{width:.4f}%"

    def x(self, time_s: float | np.ndarray) -> np.ndarray:
        """Return SVG x positions (``0..AXIS_UNITS``) of times."""
        t = np.clip(np.asarray(time_s, dtype=np.float64), 0.0, self.duration_s)
        return t * (AXIS_UNITS / self.duration_s)

    def frame_s(self, frame: int) -> float:
        """Return the start time of ``frame`` (the end of the picture past the last frame)."""
        if 0 <= frame < len(self.frame_times_s):
            return float(self.frame_times_s[frame])
        if frame >= self.n_frames:
            return self.duration_s
        return float(Fraction(frame) / self.frame_rate)

    def nearest_frame(self, time_s: float) -> int:
        """Return the frame whose start is nearest to ``time_s`` (as the cue sheet names it)."""
        if len(self.frame_times_s):
            i = int(np.searchsorted(self.frame_times_s, time_s))
            near = [j for j in (i - 1, i) if 0 <= j < len(self.frame_times_s)]
            return min(near, key=lambda j: (abs(self.frame_times_s[j] - time_s), j))
        return max(0, min(self.n_frames - 1, round(time_s * float(self.frame_rate))))

    def timecode(self, frame: int) -> str:
        """Return the SMPTE timecode of a frame."""
        return frame_to_timecode(max(0, frame), self.frame_rate)

    def at(self, time_s: float) -> str:
        """Return ``"<timecode> (<time> s)"`` for a moment."""
        return f"{self.timecode(self.nearest_frame(time_s))} ({time_s:.3f} s)"


def _svg(body: str, height_px: int, cls: str = "plot") -> str:
    return (
        f'<svg class="{cls}" viewBox="0 0 {AXIS_UNITS} {height_px}" preserveAspectRatio="none" '
        f'aria-hidden="true">{body}</svg>'
    )


def _polyline(xs: np.ndarray, ys: np.ndarray, cls: str) -> str:
    points = " ".join(f"{_num(x, 1)},{_num(y, 1)}" for x, y in zip(xs, ys, strict=True))
    return f'<polyline class="{cls}" points="{points}"/>'


def _stretches(n: int, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the starts of ``n_points`` equal stretches of ``n`` values, and their centres."""
    edges = np.linspace(0, n, n_points + 1).astype(np.int64)
    return edges[:-1], 0.5 * (edges[:-1] + edges[1:] - 1)


def peaks(values: np.ndarray, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(index, value)`` of the largest value in each of ``n_points`` equal stretches."""
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    if n <= n_points:
        return np.arange(n, dtype=np.float64), values
    starts, centres = _stretches(n, n_points)
    return centres, np.maximum.reduceat(values, starts)


def audio_peaks(audio: np.ndarray, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(sample index, peak)`` of the largest absolute sample of any channel per stretch.

    Works on the samples as they are (no copy of a long stem): ``max(|x|)`` is
    ``max(max(x), -min(x))``.
    """
    n = audio.shape[1]
    if n == 0:
        return np.zeros(1), np.zeros(1)
    starts, centres = _stretches(n, min(n_points, n))
    top = np.zeros(len(starts))
    for channel in audio:
        top = np.maximum(top, np.maximum.reduceat(channel, starts))
        top = np.maximum(top, -np.minimum.reduceat(channel, starts))
    return centres, top


def _marker(cls: str, time_s: float, axis: Axis, tip: str, style: str = "") -> str:
    return (
        f'<div class="{cls} snap" style="left:{axis.pct(time_s)}{style}" data-t="{time_s:.6f}" '
        f'title="{attr(tip)}"></div>'
    )


# ------------------------------------------------------------------------------------ picture


def picture_class(frame: int) -> str:
    """Return the CSS class whose background is the picture of ``frame``."""
    return f"f{frame}"


def picture_lane(analysis: Analysis, axis: Axis, heads: dict[int, int], shown: set[int]) -> Lane | None:
    """Return the strip of one thumbnail per shot (its first clean frame), or None without pictures."""
    if not shown:
        return None
    items = []
    for shot in analysis.shots:
        frame = heads.get(shot.index)
        picture = f" {picture_class(frame)}" if frame in shown else ""
        tip = (
            f"shot {shot.index + 1}: {axis.timecode(shot.start_frame)} - {axis.timecode(shot.end_frame - 1)}"
        )
        items.append(
            f'<div class="thumb{picture}" style="{axis.span_pct(shot.start_s, shot.end_s)}" '
            f'data-t="{shot.start_s:.6f}" title="{attr(tip)}"></div>'
        )
    return Lane("picture", "picture", "".join(items), 54)


def shots_lane(analysis: Analysis, axis: Axis) -> Lane | None:
    """Return the shots coloured by intensity."""
    if not analysis.shots:
        return None
    items = []
    for shot in analysis.shots:
        tip = (
            f"shot {shot.index + 1} · {shot.intensity}\n"
            f"{axis.timecode(shot.start_frame)} - {axis.timecode(shot.end_frame - 1)} "
            f"({shot.n_frames} frames, {shot.end_s - shot.start_s:.2f} s)\n"
            f"motion {shot.motion_mean:.2f} · {shot.cuts_per_min:.0f} cuts/min"
        )
        items.append(
            f'<div class="shot {shot.intensity}" style="{axis.span_pct(shot.start_s, shot.end_s)}" '
            f'data-t="{shot.start_s:.6f}" title="{attr(tip)}"></div>'
        )
    legend = " ".join(f'<i class="key {k}"></i>{k}' for k in ShotIntensity)
    return Lane("shots", f"shots <small>{legend}</small>", "".join(items), 18)


def cut_tip(number: int, cut: Cut, axis: Axis) -> str:
    """Return the tooltip of a cut."""
    tip = (
        f"cut {number} · {cut.kind} · {axis.timecode(cut.frame)} (frame {cut.frame}) · score {cut.score:.2f}"
    )
    if cut.is_gradual:
        n_frames = cut.end_frame - cut.start_frame + 1
        span = f"{axis.timecode(cut.start_frame)} - {axis.timecode(cut.end_frame)}"
        tip += f"\n{cut.kind} over {n_frames} frames: {span}"
    return tip


def cuts_lane(analysis: Analysis, axis: Axis) -> Lane:
    """Return the cuts: hard cuts as lines, dissolves and fades as the span they blend over."""
    items = []
    for number, cut in enumerate(analysis.cuts, start=1):
        tip = cut_tip(number, cut, axis)
        if cut.is_gradual:
            span = axis.span_pct(axis.frame_s(cut.start_frame), axis.frame_s(cut.end_frame + 1))
            items.append(f'<div class="span {cut.kind}" style="{span}" title="{attr(tip)}"></div>')
        items.append(
            f'<div class="cut {cut.kind} snap" style="left:{axis.pct(cut.time_s)}" '
            f'data-t="{cut.time_s:.6f}" data-frame="{cut.frame}" title="{attr(tip)}"></div>'
        )
    hard = sum(not c.is_gradual for c in analysis.cuts)
    label = f"cuts <small>{hard} hard · {len(analysis.cuts) - hard} gradual</small>"
    return Lane("cuts", label, "".join(items), 26)


def motion_lane(analysis: Analysis, axis: Axis) -> Lane | None:
    """Return the motion envelope: combined, camera and subject, each 0..1."""
    motion = analysis.motion
    if motion is None or len(motion.values) == 0:
        return None
    height = 64
    n = len(motion.values)
    times = axis.frame_times_s[:n] if len(axis.frame_times_s) >= n else np.arange(n) / float(axis.frame_rate)
    lines = []
    for name in ("camera", "subject", "values"):
        index, top = peaks(getattr(motion, name), CURVE_POINTS)
        xs = axis.x(np.interp(index, np.arange(n), times))
        ys = (1.0 - np.clip(top, 0.0, 1.0)) * (height - 2) + 1
        lines.append(_polyline(xs, ys, f"motion {name}"))
    legend = (
        '<i class="key camera"></i>camera <i class="key subject"></i>subject <i class="key values"></i>both'
    )
    return Lane("motion", f"motion <small>{legend}</small>", _svg("".join(lines), height), height)


def events_lane(analysis: Analysis, axis: Axis) -> Lane | None:
    """Return the impacts (height by strength) and flashes (their frames)."""
    if not analysis.impacts and not analysis.flashes:
        return None
    items = []
    for flash in analysis.flashes:
        end_s = axis.frame_s(flash.frame + flash.n_frames)
        tip = (
            f"flash · {axis.timecode(flash.frame)} (frame {flash.frame}) · {flash.n_frames} frames · "
            f"strength {flash.strength:.2f}"
        )
        items.append(
            f'<div class="flash snap" style="{axis.span_pct(flash.time_s, end_s)};'
            f'height:{20 + 80 * flash.strength:.1f}%" data-t="{flash.time_s:.6f}" title="{attr(tip)}"></div>'
        )
    for impact in analysis.impacts:
        tip = (
            f"impact · {axis.timecode(impact.frame)} (frame {impact.frame}) · strength {impact.strength:.2f}"
        )
        items.append(_marker("impact", impact.time_s, axis, tip, f";height:{20 + 80 * impact.strength:.1f}%"))
    label = f"events <small>{len(analysis.impacts)} impacts · {len(analysis.flashes)} flashes</small>"
    return Lane("events", label, "".join(items), 30)


def audio_lane(analysis: Analysis, axis: Axis) -> Lane | None:
    """Return the speech and other foreground sound found in the cut's own audio."""
    if not analysis.audio_regions:
        return None
    items = []
    for region in analysis.audio_regions:
        when = f"{axis.at(region.start_s)} - {axis.at(region.end_s)}"
        tip = f"{region.kind} · {when} · {region.level_db:.1f} dBFS"
        items.append(
            f'<div class="region {attr(region.kind)}" style="{axis.span_pct(region.start_s, region.end_s)}" '
            f'data-t="{region.start_s:.6f}" title="{attr(tip)}"></div>'
        )
    return Lane("dialogue", "own audio <small>speech · sound</small>", "".join(items), 18)


# ------------------------------------------------------------------------------------ tempo


def beat_lines(tempo: TempoMap, axis: Axis) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the beats inside the picture: ``(times_s, beats, is_downbeat)``."""
    first = np.floor(tempo.seconds_to_beats(0.0))
    last = np.ceil(tempo.seconds_to_beats(axis.duration_s))
    beats = np.arange(first, last + 1.0)
    times = np.asarray(tempo.beats_to_seconds(beats), dtype=np.float64)
    inside = (times >= 0.0) & (times <= axis.duration_s)
    beats, times = beats[inside], times[inside]
    return times, beats, np.mod(beats, tempo.numerator) == 0


def _vertical_path(xs: Iterable[float], top: float, bottom: float) -> str:
    return "".join(f"M{_num(x, 1)} {_num(top)}V{_num(bottom)}" for x in xs)


def beats_lane(tempo: TempoMap, axis: Axis) -> Lane:
    """Return the beat and bar grid, with bar numbers."""
    height = 24
    times, beats, downbeat = beat_lines(tempo, axis)
    xs = axis.x(times)
    grid = (
        f'<path class="beat" d="{_vertical_path(xs[~downbeat], height * 0.55, height)}"/>'
        f'<path class="bar" d="{_vertical_path(xs[downbeat], 0, height)}"/>'
    )
    numbers = []
    for t, b in zip(times[downbeat], beats[downbeat], strict=True):
        bar = int(b // tempo.numerator) + 1
        numbers.append(f'<span class="barno" style="left:{axis.pct(float(t))}" data-bar="{bar}">{bar}</span>')
    label = f"beats <small>{tempo.numerator}/{tempo.denominator}</small>"
    return Lane("beats", label, _svg(grid, height) + "".join(numbers), height)


def tempo_lane(tempo: TempoMap, axis: Axis) -> Lane:
    """Return the tempo over time: steps at segment starts, straight lines along ramps."""
    height = 50
    points: list[tuple[float, float]] = []
    labels = []
    for i, segment in enumerate(tempo.segments):
        start = max(segment.start_s, 0.0)
        end = min(tempo.segment_end_s(i), axis.duration_s)
        if end <= start and i < len(tempo.segments) - 1:
            continue
        end = max(end, start)
        bpm_start = float(tempo.bpm_at(start))
        points += [(start, bpm_start), (end, float(tempo.bpm_at(end)) if segment.is_ramp else bpm_start)]
        text = (
            f"{segment.bpm:.2f} → {segment.end_bpm:.2f} BPM (ramp)"
            if segment.is_ramp
            else f"{segment.bpm:.2f} BPM"
        )
        tip = f"tempo segment {i + 1} from {axis.at(start)}: {text}"
        labels.append(
            f'<span class="segment" style="left:{axis.pct(start)}" data-t="{start:.6f}" '
            f'title="{attr(tip)}">{html.escape(text)}</span>'
        )
    bpms = np.array([p[1] for p in points])
    lo, hi = float(bpms.min()) - 4.0, float(bpms.max()) + 4.0
    xs = axis.x(np.array([p[0] for p in points]))
    ys = (hi - bpms) / (hi - lo) * (height - 4) + 2
    span = f"{lo + 4:.2f}" if hi - lo == 8.0 else f"{lo + 4:.2f}-{hi - 4:.2f}"
    label = f"tempo <small>{span} BPM</small>"
    return Lane("tempo", label, _svg(_polyline(xs, ys, "tempo"), height) + "".join(labels), height)


def hits_lane(tempo: TempoMap, axis: Axis) -> Lane | None:
    """Return the hits placed on the tempo map, coloured by how many frames they sit off the grid."""
    if not tempo.hits:
        return None
    items = []
    for hit in tempo.hits:
        bar, within = tempo.bar_and_beat(hit.beat)
        off = abs(hit.frames_off)
        grade = "on" if off <= 0.5 else "near" if off <= 1.0 else "off"
        sync = " sync" if hit.sync else ""
        tip = (
            f"hit {hit.source} · {axis.at(hit.time_s)}\nbar {bar} beat {within + 1:.2f} · "
            f"{hit.frames_off:+.2f} frames off the grid · weight {hit.weight:.2f}{sync and ' · sync'}"
        )
        items.append(
            _marker(f"hit {grade}{sync}", hit.time_s, axis, tip, f";height:{30 + 70 * hit.weight:.1f}%")
        )
    caught = int(np.count_nonzero(tempo.caught()))
    label = f"sync hits <small>{caught}/{len(tempo.hits)} within a frame</small>"
    return Lane("hits", label, "".join(items), 24)


# ------------------------------------------------------------------------------------ cues


def cue_tip(cue: Cue, axis: Axis) -> str:
    """Return the tooltip of a cue: when, what, why."""
    what = f"{cue.layer} · {cue.kind} ({cue.event}) · intensity {cue.intensity:.2f}"
    if cue.duration_s > 0:
        what += f" · {cue.duration_s:.2f} s"
    return f"{axis.at(cue.time_s)}\n{what}" + (f"\nwhy: {cue.why}" if cue.why else "")


def _bed_curve(cue: Cue, height: int) -> str:
    if not cue.curve:
        return ""
    index, top = peaks(np.asarray(cue.curve), _BED_POINTS)
    n = max(len(cue.curve) - 1, 1)
    xs = index / n * AXIS_UNITS
    ys = (1.0 - np.clip(top, 0.0, 1.0)) * (height - 2) + 1
    return _svg(_polyline(xs, ys, "bedcurve"), height, "bedplot")


def cue_lanes(cues: CueSheet, axis: Axis) -> list[Lane]:
    """Return one lane per layer of the cue sheet: hits at their sync point, beds over their span."""
    height = 28
    lanes = []
    for layer in cues.layers:
        items = []
        layer_cues = cues.for_layer(layer)
        for cue in layer_cues:
            tip = attr(cue_tip(cue, axis))
            common = f'data-t="{cue.time_s:.6f}" data-layer="{attr(layer)}" title="{tip}"'
            if cue.kind is CueKind.BED:
                span = axis.span_pct(cue.time_s, cue.time_s + cue.duration_s)
                items.append(f'<div class="cue bed" style="{span}" {common}>{_bed_curve(cue, height)}</div>')
            else:
                # Only the sync point: where a hit's sound starts and ends around it is the
                # plan's choice (a riser swells before it, a boom rings after it).
                style = f"left:{axis.pct(cue.time_s)};height:{25 + 75 * cue.intensity:.1f}%"
                items.append(f'<div class="cue hit snap" style="{style}" {common}></div>')
        label = f"{html.escape(layer)} <small>{len(layer_cues)} cues</small>"
        lanes.append(Lane(f"cues-{layer}", label, "".join(items), height, title=f"SFX layer {layer}"))
    return lanes


# ------------------------------------------------------------------------------------ music


def sections_lane(score: Score, axis: Axis) -> Lane | None:
    """Return the score's sections and markers."""
    if not score.sections and not score.markers:
        return None
    tempo = score.tempo_map
    items = []
    for section in score.sections:
        start, end = (float(tempo.beats_to_seconds(b)) for b in (section.start_beat, section.end_beat))
        tip = (
            f"section {section.name} · {axis.at(start)} - {axis.at(end)} · intensity {section.intensity:.2f}"
        )
        style = f"{axis.span_pct(start, end)};opacity:{0.35 + 0.65 * section.intensity:.2f}"
        items.append(
            f'<div class="section" style="{style}" data-t="{start:.6f}" '
            f'title="{attr(tip)}">{html.escape(section.name)}</div>'
        )
    for marker in score.markers:
        items.append(
            _marker("marker", marker.time_s, axis, f"marker {marker.text} · {axis.at(marker.time_s)}")
        )
    return Lane("sections", f"sections <small>{score.key} {score.mode}</small>", "".join(items), 20)


def part_lanes(score: Score, axis: Axis) -> list[Lane]:
    """Return one lane per music part: its notes as a piano roll on the time axis."""
    height = 40
    tempo = score.tempo_map
    lanes = []
    for part in score.parts:
        body = ""
        if part.notes:
            starts = np.asarray(tempo.beats_to_seconds([n.start_beat for n in part.notes]), dtype=np.float64)
            ends = np.asarray(tempo.beats_to_seconds([n.end_beat for n in part.notes]), dtype=np.float64)
            pitches = np.array([n.pitch for n in part.notes])
            lo, hi = int(pitches.min()), int(pitches.max())
            row = (height - 2) / (hi - lo + 1)
            x0, x1 = axis.x(starts), axis.x(ends)
            widths = np.maximum(x1 - x0, 2.0)  # a short note stays visible
            tall = _num(max(row, 1.0), 1)
            rects = "".join(
                f"M{_num(a, 1)} {_num(1 + (hi - p) * row, 1)}h{_num(w, 1)}v{tall}h{_num(-w, 1)}z"
                for a, w, p in zip(x0, widths, pitches, strict=True)
            )
            body = _svg(f'<path class="notes" d="{rects}"/>', height)
        tip = f"music part {part.name}: {part.instrument}, {len(part.notes)} notes, {part.gain_db:.1f} dB"
        label = f"{html.escape(part.name)} <small>{html.escape(part.instrument)}</small>"
        lanes.append(Lane(f"part-{part.name}", label, body, height, title=tip))
    return lanes


# ------------------------------------------------------------------------------------ sound


def stem_lanes(stems: Sequence[Stem], axis: Axis) -> list[Lane]:
    """Return one lane per rendered stem: its peak level over time, mirrored."""
    height = 30
    lanes = []
    for stem in stems:
        index, top = audio_peaks(stem.audio, _STEM_BUCKETS)
        xs = axis.x(index / stem.sample_rate)
        half = (height - 2) / 2
        # Drawn in dB, -60..0 dBFS, as a level meter reads: quiet layers still show.
        top_db = 20 * np.log10(np.maximum(top, 1e-6))
        top = np.clip(1.0 - top_db / _STEM_FLOOR_DB, 0.0, 1.0) * half
        upper = " ".join(f"{_num(x, 1)},{_num(half + 1 - y, 1)}" for x, y in zip(xs, top, strict=True))
        lower = " ".join(
            f"{_num(x, 1)},{_num(half + 1 + y, 1)}" for x, y in zip(xs[::-1], top[::-1], strict=True)
        )
        shape = f'<polygon class="wave {attr(stem.role)}" points="{upper} {lower}"/>'
        peak_db = float(top_db.max())
        tip = (
            f"stem {stem.name} ({stem.role}) · peak {peak_db:.1f} dBFS (drawn from {_STEM_FLOOR_DB:.0f} dBFS)"
        )
        label = f"{html.escape(stem.name)} <small>{html.escape(stem.role)}</small>"
        lanes.append(Lane(f"stem-{stem.name}", label, _svg(shape, height), height, title=tip))
    return lanes


def loudness_lane(
    curve: np.ndarray,
    integrated_lufs: float,
    target_lufs: float | None,
    summary: str,
    axis: Axis,
) -> Lane:
    """Return the short-term loudness over time, with the integrated and target levels."""
    height = 72
    times = curve[:, 0]
    lufs = np.maximum(np.nan_to_num(curve[:, 1], nan=_LUFS_FLOOR, neginf=_LUFS_FLOOR), _LUFS_FLOOR)
    levels = [*lufs, integrated_lufs, *(() if target_lufs is None else (target_lufs,))]
    top = min(0.0, np.ceil(max(levels) / 6.0) * 6.0 + 6.0)
    bottom = max(_LUFS_FLOOR, np.floor(min(levels) / 6.0) * 6.0)
    if top - bottom < 12.0:
        bottom = top - 12.0

    def y(v: np.ndarray | float) -> np.ndarray:
        return (top - np.clip(np.asarray(v, dtype=np.float64), bottom, top)) / (top - bottom) * (
            height - 2
        ) + 1

    index, peak = peaks(lufs, CURVE_POINTS)
    xs = axis.x(np.interp(index, np.arange(len(times)), times)) if len(times) else np.zeros(0)
    parts = [_polyline(xs, y(peak), "lufs")]
    for name, level in (("integrated", integrated_lufs), ("target", target_lufs)):
        if level is not None:
            parts.append(f'<path class="{name}" d="M0 {_num(float(y(level)), 1)}H{AXIS_UNITS}"/>')
    scale = f'<span class="scale top">{top:.0f}</span><span class="scale bottom">{bottom:.0f} LUFS</span>'
    label = f"loudness <small>{html.escape(summary)}</small>"
    return Lane("loudness", label, _svg("".join(parts), height) + scale, height, title=summary)


def backdrop(analysis: Analysis, tempo: TempoMap | None, axis: Axis) -> str:
    """Return the faint bar and cut lines drawn behind every lane."""
    body = ""
    if tempo is not None:
        times, _, downbeat = beat_lines(tempo, axis)
        body += f'<path class="bar" d="{_vertical_path(axis.x(times[downbeat]), 0, 1)}"/>'
    body += f'<path class="cut" d="{_vertical_path(axis.x([c.time_s for c in analysis.cuts]), 0, 1)}"/>'
    return (
        f'<svg class="backdrop" viewBox="0 0 {AXIS_UNITS} 1" preserveAspectRatio="none" '
        f'aria-hidden="true">{body}</svg>'
    )
