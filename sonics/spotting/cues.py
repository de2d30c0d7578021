"""Spot the picture: turn weighted events and a preset into a cue sheet.

Each layer of the preset takes the events it listens to, drops the weak ones, keeps
its share of the strongest (``density``), never sounds twice within ``min_gap_s``,
and lands each sound ``lead_ms`` before its event (a whoosh that peaks on the cut).
Bed layers get one cue under the whole picture with a level curve that follows the
motion or the shot intensity. The biggest moment of the picture gets silence before
it: hits are cleared from the window before it and the beds dip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from sonics.core.cues import DELIVERY_RATE_HZ, Cue, CueKind, CueSheet, seconds_to_samples
from sonics.core.model import Analysis, Picture, ShotIntensity
from sonics.spotting.events import SHOT_LEVELS, Event, EventKind, find_events, keep_apart, timecode_at

if TYPE_CHECKING:
    from sonics.presets.schema import LayerSettings, Preset, SpottingSettings

__all__ = ["CURVE_RATE_HZ", "picture_length", "spot"]

CURVE_RATE_HZ = 100.0
"""Bed curves carry this many values per second."""

_BED = "bed"
_INTENSITY_SMOOTH_S = 0.5  # beds that follow shot intensity glide over this much time
_RAMP_S = 0.02  # the bed dip before the biggest moment ramps in and out over this long
_SAME_TIME_S = 1e-6
_WINDOW_TOLERANCE_S = 1e-9


@dataclass(frozen=True, slots=True)
class _Hit:
    cue: Cue
    event_time_s: float


@dataclass(frozen=True, slots=True)
class _Silence:
    """The window before the biggest moment: hits cleared, beds dipped by ``gain``."""

    start_s: float
    end_s: float
    depth_db: float
    gain: float
    moment: str

    def holds(self, hit: _Hit) -> bool:
        """Return True if ``hit`` must go: in the window and not sounding the moment itself."""
        t = hit.cue.time_s
        inside = self.start_s - _WINDOW_TOLERANCE_S <= t < self.end_s - _WINDOW_TOLERANCE_S
        return inside and not self.sounds_moment(hit)

    def sounds_moment(self, hit: _Hit) -> bool:
        """Return True if ``hit`` was called by an event on the biggest moment."""
        return abs(hit.event_time_s - self.end_s) < _SAME_TIME_S


def picture_length(picture: Picture, sample_rate: int = DELIVERY_RATE_HZ) -> tuple[float, int]:
    """Return the picture's length in seconds and in samples at ``sample_rate``.

    At a constant frame rate the length is exactly ``n_frames / frame_rate`` and the
    sample count ``n_frames * sample_rate / frame_rate``, rounded half up when it is
    not a whole number. For a variable frame rate it is the picture's measured
    ``duration_s``, rounded to the nearest sample.

    Parameters
    ----------
    picture : Picture
        The picture.
    sample_rate : int > 0
        Samples per second [Hz].

    Returns
    -------
    duration_s : float
        The length [s].
    n_samples : int
        The length [samples].

    Examples
    --------
    >>> from fractions import Fraction
    >>> picture_length(Picture("cut.mp4", Fraction(24000, 1001), 24, 320, 180, 1.001))
    (1.001, 48048)
    """
    if picture.variable_frame_rate:
        return float(picture.duration_s), seconds_to_samples(picture.duration_s, sample_rate)
    exact = Fraction(picture.n_frames) / picture.frame_rate
    return float(exact), math.floor(exact * sample_rate + Fraction(1, 2))


def _n_curve_points(picture: Picture, duration_s: float) -> int:
    if picture.variable_frame_rate:
        return max(0, math.ceil(duration_s * CURVE_RATE_HZ - 1e-9))
    return math.ceil(Fraction(picture.n_frames) / picture.frame_rate * int(CURVE_RATE_HZ))


def _curve_frames(analysis: Analysis, n_points: int) -> np.ndarray:
    """Return the frame on screen at each curve point ``k / CURVE_RATE_HZ``."""
    picture = analysis.picture
    k = np.arange(n_points, dtype=np.int64)
    if picture.variable_frame_rate and len(analysis.frame_times_s) == picture.n_frames:
        frames = np.searchsorted(analysis.frame_times_s, k / CURVE_RATE_HZ, side="right") - 1
    else:
        rate = picture.frame_rate
        frames = (k * rate.numerator) // (int(CURVE_RATE_HZ) * rate.denominator)
    return np.clip(frames, 0, max(picture.n_frames - 1, 0))


def _intensity_per_frame(analysis: Analysis) -> np.ndarray:
    levels = np.full(analysis.picture.n_frames, SHOT_LEVELS[ShotIntensity.CALM], dtype=np.float64)
    for shot in analysis.shots:
        levels[max(shot.start_frame, 0) : max(shot.end_frame, 0)] = SHOT_LEVELS[shot.intensity]
    return levels


def _smooth(curve: np.ndarray, width_s: float) -> np.ndarray:
    half = max(1, round(width_s * CURVE_RATE_HZ / 2))
    padded = np.pad(curve, half, mode="edge")
    kernel = np.full(2 * half + 1, 1.0 / (2 * half + 1))
    return np.convolve(padded, kernel, mode="valid")


def _bed_curve(analysis: Analysis, follow: str, n_points: int) -> tuple[np.ndarray, str]:
    """Return the bed's level curve (0..1 at CURVE_RATE_HZ) and what it follows, in words."""
    frames = _curve_frames(analysis, n_points)
    motion = analysis.motion
    values = None
    if motion is not None and len(motion.values) == analysis.picture.n_frames:
        values = np.asarray(motion.values, dtype=np.float64)
    has_shots = bool(analysis.shots)
    if follow == "motion" and values is not None:
        return values[frames], "the motion envelope"
    if follow in ("motion", "intensity") and has_shots:
        curve = _smooth(_intensity_per_frame(analysis)[frames], _INTENSITY_SMOOTH_S)
        said = "the shot intensity" if follow == "intensity" else "the shot intensity (no motion envelope)"
        return curve, said
    if follow == "intensity" and values is not None:
        return values[frames], "the motion envelope (no shots)"
    return np.ones(n_points), "a constant level"


def _bed_cue(
    analysis: Analysis, layer: LayerSettings, duration_s: float, n_points: int, silence: _Silence | None
) -> Cue | None:
    if n_points <= 0:
        return None
    curve, follows = _bed_curve(analysis, layer.follow, n_points)
    curve = np.clip(curve, 0.0, 1.0)
    peak = round(float(curve.max()), 4)
    why = f"bed under the whole picture following {follows}"
    if follows != "a constant level":
        at = int(np.argmax(curve)) / CURVE_RATE_HZ
        why += f": peak {peak:.2f} at {timecode_at(analysis, at)}, mean {float(curve.mean()):.2f}"
    if silence is not None and silence.gain < 1.0:
        t = np.arange(n_points) / CURVE_RATE_HZ
        ramp = [silence.start_s - _RAMP_S, silence.start_s, silence.end_s, silence.end_s + _RAMP_S]
        curve = curve * np.interp(t, ramp, [1.0, silence.gain, silence.gain, 1.0])
        why += (
            f"; dips {-silence.depth_db:.0f} dB from {timecode_at(analysis, silence.start_s)} to "
            f"{timecode_at(analysis, silence.end_s)} before the biggest moment ({silence.moment})"
        )
    return Cue(
        time_s=0.0,
        kind=CueKind.BED,
        event=_BED,
        layer=layer.name,
        intensity=peak,
        duration_s=round(duration_s, 6),
        why=why,
        curve=np.round(curve, 4).tolist(),
        curve_rate_hz=CURVE_RATE_HZ,
    )


def _lead_words(lead_ms: float, clamped: bool) -> str:
    if clamped:
        return "; lands on the first frame (its pre-lap would start before the picture)"
    if lead_ms > 0:
        return f"; lands {lead_ms:.0f} ms before it (pre-lap)"
    if lead_ms < 0:
        return f"; lands {-lead_ms:.0f} ms after it"
    return ""


def _hit_cues(layer: LayerSettings, events: tuple[Event, ...]) -> list[_Hit]:
    wanted = set(layer.events)
    eligible = [e for e in events if e.event in wanted and e.weight >= layer.min_weight]
    n_keep = math.ceil(layer.density * len(eligible) - 1e-9)
    strongest = sorted(eligible, key=lambda e: (-e.weight, e.time_s, e.event))[:n_keep]
    lead_s = layer.lead_ms / 1000.0
    times = [max(0.0, e.time_s - lead_s) for e in strongest]
    kept = keep_apart(times, [e.weight for e in strongest], layer.min_gap_s)
    lo_s, hi_s = layer.duration_s
    hits = []
    for i in kept:
        event = strongest[i]
        clamped = event.time_s - lead_s < 0.0
        cue = Cue(
            time_s=round(times[i], 6),
            kind=CueKind.HIT,
            event=str(event.event),
            layer=layer.name,
            intensity=event.weight,
            duration_s=round(lo_s + (hi_s - lo_s) * event.weight, 4),
            why=event.why + _lead_words(layer.lead_ms, clamped and layer.lead_ms > 0),
        )
        hits.append(_Hit(cue, event.time_s))
    return hits


def _silence(events: tuple[Event, ...], settings: SpottingSettings) -> _Silence | None:
    """Return the silence before the biggest moment (the heaviest cut or impact), if any."""
    candidates = [e for e in events if e.event in (EventKind.CUT, EventKind.IMPACT)]
    window_s = float(settings.silence_before_biggest_s)
    if not candidates or window_s <= 0.0:
        return None
    biggest = min(candidates, key=lambda e: (-e.weight, e.time_s, e.event))
    start_s = max(0.0, biggest.time_s - window_s)
    if biggest.time_s - start_s <= _WINDOW_TOLERANCE_S:
        return None
    depth_db = float(settings.silence_depth_db)
    moment = biggest.why.split(" (weight", 1)[0].split(" (strength", 1)[0]
    return _Silence(start_s, biggest.time_s, depth_db, 10.0 ** (depth_db / 20.0), moment)


def _clear(hits: list[_Hit], silence: _Silence) -> list[Cue]:
    """Remove the hits in the silence and say so in the cues of the biggest moment."""
    kept = [h for h in hits if not silence.holds(h)]
    n_cleared = len(hits) - len(kept)
    span = f"the {silence.end_s - silence.start_s:.2f} s before it"
    if n_cleared:
        hits_word = "hit" if n_cleared == 1 else "hits"
        note = f"; the biggest moment of the picture: {n_cleared} {hits_word} cleared from {span}"
    else:
        note = f"; the biggest moment of the picture: {span} left clear"
    return [replace(h.cue, why=h.cue.why + note) if silence.sounds_moment(h) else h.cue for h in kept]


def spot(analysis: Analysis, preset: Preset) -> CueSheet:
    """Decide every cue of one SFX pass: which layer sounds where, how big, and why.

    For each layer of ``preset.sfx.layers``:

    - hit layers take the events their ``events`` name with ``weight >= min_weight``,
      keep the strongest ``ceil(density * n)`` of them, then, strongest first, drop
      any within ``min_gap_s`` of a kept one (two events on the same moment give one
      cue). Each cue's sync point is ``lead_ms`` before its event (clamped to 0), its
      intensity the event's weight, its length ``duration_s[0]`` to ``duration_s[1]``
      by intensity;
    - bed layers (``"bed"`` in ``events``) get one cue from 0 to the end whose curve
      (100 values a second) follows the motion envelope (held per frame), the shot
      intensity (calm 0.2, tension 0.55, battle 1, smoothed over 0.5 s) or a constant
      1, as ``follow`` says; the layer's ``floor_db`` is applied by the renderer.

    Then the biggest moment (the heaviest cut or impact; the earlier on a tie) gets
    silence: every hit cue whose sync point falls in the ``silence_before_biggest_s``
    before it is removed, except the cues sounding the biggest moment itself, and the
    bed curves dip by ``silence_depth_db`` over that window, with 20 ms ramps down before
    it and up after the moment.

    Parameters
    ----------
    analysis : Analysis
        The picture's events.
    preset : Preset
        The checked preset: its ``spotting`` settings and ``sfx.layers``.

    Returns
    -------
    CueSheet
        At 48 kHz, as long as the picture (see :func:`picture_length`), listing every
        layer of the preset, with one readable ``why`` per cue.

    Examples
    --------
    >>> import numpy as np
    >>> from sonics.core.model import Cut
    >>> from sonics.presets.schema import LayerSettings, Preset, SfxSettings
    >>> picture = Picture("cut.mp4", Fraction(24), 96, 320, 180, 4.0)
    >>> analysis = Analysis(picture, np.arange(96) / 24, (Cut(48, 2.0),), (), None)
    >>> whoosh = LayerSettings("whoosh", ["cut"], "whoosh", lead_ms=100)
    >>> sheet = spot(analysis, Preset("demo", sfx=SfxSettings(layers=[whoosh])))
    >>> sheet.n_samples, [(c.time_s, c.layer, c.intensity) for c in sheet.cues]
    (192000, [(1.9, 'whoosh', 1.0)])
    >>> print(sheet.cues[0].why)  # doctest: +ELLIPSIS
    hard cut at 00:00:02:00 after a 2.0 s hold (weight 1.00); lands 100 ms before it (pre-lap); ...
    """
    settings = preset.spotting
    events = find_events(analysis, settings)
    duration_s, n_samples = picture_length(analysis.picture)
    n_points = _n_curve_points(analysis.picture, duration_s)
    silence = _silence(events, settings)
    hits: list[_Hit] = []
    cues: list[Cue] = []
    for layer in preset.sfx.layers:
        if _BED in layer.events:
            bed = _bed_cue(analysis, layer, duration_s, n_points, silence)
            if bed is not None:
                cues.append(bed)
        else:
            hits += _hit_cues(layer, events)
    cues += _clear(hits, silence) if silence is not None else [h.cue for h in hits]
    return CueSheet(
        duration_s=duration_s,
        n_samples=n_samples,
        frame_rate=analysis.picture.frame_rate,
        preset=preset.name,
        layers=tuple(layer.name for layer in preset.sfx.layers),
        cues=tuple(cues),
        sample_rate=DELIVERY_RATE_HZ,
    )
