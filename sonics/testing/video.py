"""Synthetic battle edits: a video whose cuts, dissolves, fades, flashes and camera are known exactly.

An :class:`Edit` is a list of :class:`Shot` joined by :class:`Transition`. Each shot is a
procedural landscape (sky band, hazy ridges, multi-octave value noise, banners and spears)
painted on a canvas larger than the frame; the camera pans over it at sub-pixel positions,
with a box motion blur along the pan above :data:`BLUR_MIN_PX_PER_FRAME`, optional shake, an
abrupt stop ("impact"), riders galloping across the frame and white flashes.
:func:`render_edit` streams the frames to an H.264 MP4 with PyAV and returns an
:class:`EditTruth` built from the same schedule, so every frame index in it is exact.

Time layout (0-based frame indices on the output):

- ``hard``: shot B's first frame follows shot A's last frame; ``hard_cuts`` holds B's first frame.
- ``dissolve`` over ``n`` frames: A's last ``n`` frames and B's first ``n`` frames overlap; blended
  frame ``k`` (0..n-1) is ``(1 - w) A + w B`` with ``w = (k + 1) / (n + 1)``, so no blended frame
  is a pure shot. The edit is ``n`` frames shorter than the sum of the shots.
- ``fade_out_in`` over ``n`` frames: A's last ``n`` frames ramp to black with gain
  ``1 - (k + 1) / (n + 1)``, then ``n_black_frames`` black frames, then B's first ``n`` frames ramp
  up with gain ``(k + 1) / (n + 1)``.
- ``Edit.fade_in_frames``: the first frames of the edit ramp up from black the same way.

Camera convention: ``pan_px_per_frame = (dx, dy)`` moves the camera right/down over the canvas,
so the picture content moves by ``(-dx, -dy)`` pixels per frame.
"""

from __future__ import annotations

import json
import math
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np

from sonics.core.errors import ExportError, ParameterError

__all__ = [
    "BLUR_MIN_PX_PER_FRAME",
    "Edit",
    "EditTruth",
    "Flash",
    "Rider",
    "Shot",
    "Transition",
    "battle_edit",
    "edit_truth",
    "render_edit",
    "render_frames",
    "simple_edit",
]

BLUR_MIN_PX_PER_FRAME = 8.0
"""Pans faster than this many px/frame get motion blur (when ``Shot.motion_blur``)."""

_VFR_TIME_BASE = Fraction(1, 90000)
# Frame durations (in 1/90000 s) a variable-frame-rate render draws from: 1/30, 1/25, 1/24, 1/20 s.
_VFR_DURATIONS_TICKS = (3000, 3600, 3750, 4500)


# --------------------------------------------------------------------------------------------
# Description of an edit
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flash:
    """A white flash inside a shot (muzzle flash, lightning, explosion).

    Parameters
    ----------
    offset_frames : int >= 0
        First flashed frame, counted from the shot's own first frame.
    n_frames : int >= 1
        Number of flashed frames.
    strength : float in (0, 1]
        Blend toward white; 1.0 makes a fully white frame.
    """

    offset_frames: int
    n_frames: int = 2
    strength: float = 0.7


@dataclass(frozen=True, slots=True)
class Rider:
    """A dark horse-and-rider figure galloping across the frame (non-rigid: legs swing, body bobs).

    Parameters
    ----------
    y_frac : float in [0, 1]
        Vertical position of the horse's body centre, as a fraction of the frame height.
    speed_px_per_frame : float
        Horizontal speed across the frame [px/frame]; negative gallops right to left.
    size_px : int >= 4
        Body length of the horse [px].
    seed : int
        Seed of the colour, gait phase and (unless given) the start position.
    start_x_frac : float, optional
        Horizontal position of the body centre at the shot's first frame, as a fraction of the
        frame width; by default drawn from the seed in [-0.2, 0.6] (mirrored for negative speed).
    """

    y_frac: float
    speed_px_per_frame: float
    size_px: int
    seed: int
    start_x_frac: float | None = None


@dataclass(frozen=True, slots=True)
class Shot:
    """One shot: a landscape canvas and a camera moving over it.

    Parameters
    ----------
    n_frames : int >= 1
        Length of the shot, including frames it shares with a dissolve or fade.
    seed : int
        Seed of the landscape layout, the shake and the rider details.
    pan_px_per_frame : (float, float)
        Camera velocity ``(dx, dy)`` in output pixels per frame.
    shake_px : float >= 0
        Each frame gets a random offset, uniform in ``[-shake_px, shake_px]`` on both axes.
    motion_blur : bool
        Blur along the pan when it is faster than :data:`BLUR_MIN_PX_PER_FRAME`.
    riders : tuple of Rider
        Figures crossing the frame.
    flashes : tuple of Flash
        White flashes at frames of this shot.
    brightness : float > 0
        Gain on the picture before flashes.
    stop_frame : int, optional
        Shot-relative frame from which the camera stands still (the abrupt stop of a pan: an
        impact). ``None`` keeps the pan going through the shot.
    palette_seed : int, optional
        Seed of the colours; give two shots the same ``palette_seed`` to make a hard cut between
        look-alike shots. Defaults to ``seed``.
    """

    n_frames: int
    seed: int
    pan_px_per_frame: tuple[float, float] = (0.0, 0.0)
    shake_px: float = 0.0
    motion_blur: bool = True
    riders: tuple[Rider, ...] = ()
    flashes: tuple[Flash, ...] = ()
    brightness: float = 1.0
    stop_frame: int | None = None
    palette_seed: int | None = None


@dataclass(frozen=True, slots=True)
class Transition:
    """How a shot ends and the next begins.

    Parameters
    ----------
    kind : {"hard", "dissolve", "fade_out_in"}
        A straight cut, a cross-fade, or a fade to black and back.
    n_frames : int >= 0
        Length of the dissolve, or of each fade ramp; 0 for a hard cut.
    n_black_frames : int >= 0
        Black frames between the fade out and the fade in (``fade_out_in`` only).
    """

    kind: Literal["hard", "dissolve", "fade_out_in"] = "hard"
    n_frames: int = 0
    n_black_frames: int = 0


@dataclass(frozen=True, slots=True)
class Edit:
    """A whole edit: shots, the transitions between them, picture size and frame rate.

    Parameters
    ----------
    shots : tuple of Shot
        At least one shot.
    transitions : tuple of Transition
        ``len(shots) - 1`` transitions; ``transitions[i]`` joins ``shots[i]`` and ``shots[i + 1]``.
    width, height : int, even, >= 16
        Picture size [px] (even, as yuv420p needs).
    frame_rate : Fraction
        Exact frame rate [frames/s].
    fade_in_frames : int >= 0
        The edit opens with a ramp up from black over this many frames.
    """

    shots: tuple[Shot, ...]
    transitions: tuple[Transition, ...] = ()
    width: int = 320
    height: int = 180
    frame_rate: Fraction = Fraction(24)
    fade_in_frames: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class EditTruth:
    """What an :class:`Edit` render contains, frame-exact.

    Attributes
    ----------
    n_frames : int
        Frames in the video.
    frame_rate : Fraction
        Nominal frame rate (the exact rate of a constant-frame-rate render).
    width, height : int
        Picture size [px].
    hard_cuts : tuple of int
        First frame of each shot that starts with a straight cut.
    dissolves : tuple of (int, int)
        First and last blended frame of each dissolve (inclusive).
    fades : tuple of (int, int, str)
        First and last frame of each fade ramp (inclusive) and ``"fade_in"`` or ``"fade_out"``.
    flashes : tuple of (int, int)
        First frame and number of frames of each flash.
    shots : tuple of (int, int)
        First and last frame of each shot on the output (dissolve overlaps included).
    impacts : tuple of int
        Frames where the camera stops abruptly (first still frame).
    camera_px_per_frame : ndarray, float64, shape (n_frames, 2)
        Camera velocity of the visible picture [px/frame], without shake; during a dissolve the
        two shots' velocities weighted by their blend; zero on black frames.
    shake_px : ndarray, float64, shape (n_frames,)
        Shake amplitude of the visible picture [px], weighted like ``camera_px_per_frame``.
    frame_times_s : ndarray, float64, shape (n_frames,)
        Each frame's start time from the PTS written [s].
    variable_frame_rate : bool
        True if the frame durations were made irregular.
    """

    n_frames: int
    frame_rate: Fraction
    width: int
    height: int
    hard_cuts: tuple[int, ...]
    dissolves: tuple[tuple[int, int], ...]
    fades: tuple[tuple[int, int, str], ...]
    flashes: tuple[tuple[int, int], ...]
    shots: tuple[tuple[int, int], ...]
    impacts: tuple[int, ...]
    camera_px_per_frame: np.ndarray
    shake_px: np.ndarray
    frame_times_s: np.ndarray
    variable_frame_rate: bool = False

    @property
    def duration_s(self) -> float:
        """Return the length of the video [s] (end of the last frame)."""
        if self.n_frames == 0:
            return 0.0
        if not self.variable_frame_rate:
            return float(Fraction(self.n_frames) / self.frame_rate)
        last = self.frame_times_s[-1] - (self.frame_times_s[-2] if self.n_frames > 1 else 0.0)
        return float(self.frame_times_s[-1] + last)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``schema: sonics.edit_truth/1``, ``fps`` as ``"num/den"``)."""
        return {
            "schema": "sonics.edit_truth/1",
            "n_frames": self.n_frames,
            "fps": f"{self.frame_rate.numerator}/{self.frame_rate.denominator}",
            "width": self.width,
            "height": self.height,
            "variable_frame_rate": self.variable_frame_rate,
            "hard_cuts": list(self.hard_cuts),
            "dissolves": [list(d) for d in self.dissolves],
            "fades": [list(f) for f in self.fades],
            "flashes": [list(f) for f in self.flashes],
            "shots": [list(s) for s in self.shots],
            "impacts": list(self.impacts),
            "camera_px_per_frame": [
                [round(float(x), 4), round(float(y), 4)] for x, y in self.camera_px_per_frame
            ],
            "shake_px": [round(float(s), 4) for s in self.shake_px],
            "frame_times_s": [float(t) for t in self.frame_times_s],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EditTruth:
        """Build from :meth:`to_dict` output."""
        num, _, den = str(data["fps"]).partition("/")
        return cls(
            n_frames=int(data["n_frames"]),
            frame_rate=Fraction(int(num), int(den or 1)),
            width=int(data["width"]),
            height=int(data["height"]),
            hard_cuts=tuple(int(f) for f in data["hard_cuts"]),
            dissolves=tuple((int(a), int(b)) for a, b in data["dissolves"]),
            fades=tuple((int(a), int(b), str(k)) for a, b, k in data["fades"]),
            flashes=tuple((int(a), int(n)) for a, n in data["flashes"]),
            shots=tuple((int(a), int(b)) for a, b in data["shots"]),
            impacts=tuple(int(f) for f in data["impacts"]),
            camera_px_per_frame=np.array(data["camera_px_per_frame"], dtype=np.float64).reshape(-1, 2),
            shake_px=np.array(data["shake_px"], dtype=np.float64),
            frame_times_s=np.array(data["frame_times_s"], dtype=np.float64),
            variable_frame_rate=bool(data.get("variable_frame_rate", False)),
        )

    def to_json(self, path: str | os.PathLike[str] | None = None, **extra: Any) -> str:
        """Return the JSON text (with ``extra`` top-level keys); also write it to ``path`` if given."""
        text = json.dumps({**self.to_dict(), **extra}, indent=1) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


# --------------------------------------------------------------------------------------------
# Schedule: which shot frames make each output frame
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Schedule:
    # Per output frame: up to two (shot index, shot-relative frame, weight) and a fade gain.
    shot_a: np.ndarray  # int, -1 = none (black)
    local_a: np.ndarray
    shot_b: np.ndarray  # int, -1 = none
    local_b: np.ndarray
    weight_b: np.ndarray  # float, weight of shot b
    gain: np.ndarray
    shot_starts: tuple[int, ...]
    hard_cuts: tuple[int, ...]
    dissolves: tuple[tuple[int, int], ...]
    fades: tuple[tuple[int, int, str], ...]


def _check_edit(edit: Edit) -> None:
    if not edit.shots:
        raise ParameterError("edit must have at least one shot")
    if len(edit.transitions) != len(edit.shots) - 1:
        raise ParameterError(
            f"edit needs len(shots) - 1 = {len(edit.shots) - 1} transitions, got {len(edit.transitions)}"
        )
    if edit.width < 16 or edit.height < 16 or edit.width % 2 or edit.height % 2:
        raise ParameterError(f"width and height must be even and >= 16, got {edit.width}x{edit.height}")
    rate = Fraction(edit.frame_rate)
    if rate <= 0:
        raise ParameterError(f"frame_rate must be > 0, got {edit.frame_rate}")
    if edit.fade_in_frames < 0 or edit.fade_in_frames > edit.shots[0].n_frames:
        raise ParameterError(
            f"fade_in_frames must be in [0, {edit.shots[0].n_frames}], got {edit.fade_in_frames}"
        )
    for i, shot in enumerate(edit.shots):
        if shot.n_frames < 1:
            raise ParameterError(f"shots[{i}].n_frames must be >= 1, got {shot.n_frames}")
        if shot.shake_px < 0 or shot.brightness <= 0:
            raise ParameterError(f"shots[{i}]: shake_px must be >= 0 and brightness > 0")
        if shot.stop_frame is not None and not 0 < shot.stop_frame < shot.n_frames:
            raise ParameterError(
                f"shots[{i}].stop_frame must be in [1, {shot.n_frames - 1}], got {shot.stop_frame}"
            )
        for flash in shot.flashes:
            if flash.n_frames < 1 or not 0 < flash.strength <= 1:
                raise ParameterError(
                    f"shots[{i}]: flash needs n_frames >= 1 and strength in (0, 1], got {flash}"
                )
            if flash.offset_frames < 0 or flash.offset_frames + flash.n_frames > shot.n_frames:
                raise ParameterError(f"shots[{i}]: flash {flash} does not fit in {shot.n_frames} frames")
        for rider in shot.riders:
            if rider.size_px < 4:
                raise ParameterError(f"shots[{i}]: rider size_px must be >= 4, got {rider.size_px}")
    for i, tr in enumerate(edit.transitions):
        a, b = edit.shots[i], edit.shots[i + 1]
        if tr.kind == "hard":
            if tr.n_frames or tr.n_black_frames:
                raise ParameterError(f"transitions[{i}]: a hard cut has n_frames = n_black_frames = 0")
        elif tr.kind in ("dissolve", "fade_out_in"):
            if tr.n_frames < 1 or tr.n_black_frames < 0:
                raise ParameterError(f"transitions[{i}]: a {tr.kind} needs n_frames >= 1, got {tr.n_frames}")
            if tr.kind == "dissolve" and tr.n_black_frames:
                raise ParameterError(f"transitions[{i}]: a dissolve has no black frames")
            if tr.n_frames > min(a.n_frames, b.n_frames):
                raise ParameterError(
                    f"transitions[{i}]: {tr.kind} of {tr.n_frames} frames is longer than a shot "
                    f"({a.n_frames} and {b.n_frames} frames)"
                )
        else:
            raise ParameterError(
                f"transitions[{i}].kind must be hard, dissolve or fade_out_in, got {tr.kind!r}"
            )
    if edit.transitions and edit.fade_in_frames + edit.transitions[0].n_frames > edit.shots[0].n_frames:
        raise ParameterError(
            f"shots[0] is too short ({edit.shots[0].n_frames} frames) for the fade-in and its transition"
        )
    for i in range(1, len(edit.transitions)):
        shared = edit.transitions[i - 1].n_frames + edit.transitions[i].n_frames
        if shared > edit.shots[i].n_frames:
            raise ParameterError(
                f"shots[{i}] is too short ({edit.shots[i].n_frames} frames) for its two transitions"
            )


def _schedule(edit: Edit) -> _Schedule:
    shots, transitions = edit.shots, edit.transitions
    starts = [0]
    for i, tr in enumerate(transitions):
        end_a = starts[i] + shots[i].n_frames
        if tr.kind == "dissolve":
            starts.append(end_a - tr.n_frames)
        elif tr.kind == "fade_out_in":
            starts.append(end_a + tr.n_black_frames)
        else:
            starts.append(end_a)
    n = starts[-1] + shots[-1].n_frames
    shot_a = np.full(n, -1, dtype=np.int64)
    local_a = np.zeros(n, dtype=np.int64)
    shot_b = np.full(n, -1, dtype=np.int64)
    local_b = np.zeros(n, dtype=np.int64)
    weight_b = np.zeros(n)
    gain = np.ones(n)
    # Lay the shots down in order; a dissolve's incoming shot goes into the "b" slot.
    for i, shot in enumerate(shots):
        s = starts[i]
        frames = np.arange(s, s + shot.n_frames)
        free = shot_a[frames] < 0
        shot_a[frames[free]] = i
        local_a[frames[free]] = frames[free] - s
        shot_b[frames[~free]] = i
        local_b[frames[~free]] = frames[~free] - s
    hard_cuts: list[int] = []
    dissolves: list[tuple[int, int]] = []
    fades: list[tuple[int, int, str]] = []
    if edit.fade_in_frames:
        f = edit.fade_in_frames
        gain[:f] = np.arange(1, f + 1) / (f + 1)
        fades.append((0, f - 1, "fade_in"))
    for i, tr in enumerate(transitions):
        s_b = starts[i + 1]
        end_a = starts[i] + shots[i].n_frames
        k = np.arange(1, tr.n_frames + 1) / (tr.n_frames + 1)
        if tr.kind == "hard":
            hard_cuts.append(s_b)
        elif tr.kind == "dissolve":
            weight_b[s_b : s_b + tr.n_frames] = k
            dissolves.append((s_b, s_b + tr.n_frames - 1))
        else:
            gain[end_a - tr.n_frames : end_a] *= 1.0 - k
            gain[s_b : s_b + tr.n_frames] *= k
            gain[end_a:s_b] = 0.0
            fades.append((end_a - tr.n_frames, end_a - 1, "fade_out"))
            fades.append((s_b, s_b + tr.n_frames - 1, "fade_in"))
    return _Schedule(
        shot_a,
        local_a,
        shot_b,
        local_b,
        weight_b,
        gain,
        tuple(starts),
        tuple(hard_cuts),
        tuple(dissolves),
        tuple(fades),
    )


# --------------------------------------------------------------------------------------------
# Procedural landscape
# --------------------------------------------------------------------------------------------

# Moods: sky top, sky at horizon, far ridge, near ridge, ground light, ground dark (RGB 0..255).
_MOODS = (
    ((70, 60, 90), (235, 150, 80), (120, 90, 100), (70, 50, 45), (120, 90, 60), (45, 35, 25)),  # dusk
    (
        (110, 125, 140),
        (190, 195, 195),
        (120, 130, 130),
        (75, 90, 70),
        (105, 115, 80),
        (50, 60, 40),
    ),  # overcast
    (
        (120, 170, 215),
        (225, 215, 180),
        (170, 150, 120),
        (150, 115, 75),
        (200, 165, 110),
        (120, 90, 55),
    ),  # desert
    ((15, 20, 45), (60, 70, 110), (35, 40, 60), (20, 22, 30), (40, 40, 45), (12, 12, 16)),  # night
    ((90, 85, 80), (170, 140, 110), (110, 95, 85), (70, 60, 50), (110, 95, 75), (40, 35, 30)),  # smoke
    ((70, 120, 190), (200, 220, 235), (100, 130, 140), (50, 90, 50), (90, 140, 60), (35, 60, 30)),  # meadow
)
_BANNER_COLOURS = ((200, 30, 30), (235, 235, 225), (220, 180, 40), (30, 60, 160), (20, 20, 20))


def _smooth_axis(n_out: int, cell: float, n_grid: int, phase: float) -> tuple[np.ndarray, np.ndarray]:
    pos = np.arange(n_out) / cell + phase
    idx = np.floor(pos).astype(np.int64)
    frac = pos - idx
    frac = frac * frac * (3.0 - 2.0 * frac)
    return np.clip(idx, 0, n_grid - 2), frac.astype(np.float32)


def _value_noise(
    rng: np.random.Generator, height: int, width: int, cell: float, cell_y: float | None = None
) -> np.ndarray:
    """Return smooth value noise in [-1, 1], float32 (height, width), features about ``cell`` px."""
    cell_y = cell if cell_y is None else cell_y
    gh = int(height / cell_y) + 3
    gw = int(width / cell) + 3
    grid = rng.uniform(-1.0, 1.0, size=(gh, gw)).astype(np.float32)
    iy, fy = _smooth_axis(height, cell_y, gh, rng.uniform(0, 1))
    ix, fx = _smooth_axis(width, cell, gw, rng.uniform(0, 1))
    rows = grid[iy] * (1 - fy)[:, None] + grid[iy + 1] * fy[:, None]
    return rows[:, ix] * (1 - fx) + rows[:, ix + 1] * fx


def _fbm(rng: np.random.Generator, height: int, width: int, cell: float, min_cell: float) -> np.ndarray:
    out = np.zeros((height, width), dtype=np.float32)
    amp, total = 1.0, 0.0
    while cell >= min_cell:
        out += amp * _value_noise(rng, height, width, cell)
        total += amp
        amp *= 0.55
        cell /= 2.0
    return out / total


def _noise_1d(rng: np.random.Generator, n: int, cell: float, n_octaves: int) -> np.ndarray:
    out = np.zeros(n)
    amp = 1.0
    for _ in range(n_octaves):
        grid = rng.uniform(-1, 1, int(n / cell) + 3)
        idx, frac = _smooth_axis(n, cell, len(grid), rng.uniform(0, 1))
        out += amp * (grid[idx] * (1 - frac) + grid[idx + 1] * frac)
        amp *= 0.5
        cell /= 2.0
    return out


def _palette(seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, 7])
    mood = np.array(_MOODS[int(rng.integers(len(_MOODS)))], dtype=np.float32)
    tint = rng.uniform(-18, 18, size=3).astype(np.float32)
    return np.clip(mood * rng.uniform(0.85, 1.15) + tint, 0, 255)


def _paint_canvas(shot: Shot, canvas_h: int, canvas_w: int, scale: float) -> np.ndarray:
    """Return a landscape, float32 (canvas_h, canvas_w, 3), values 0..255."""
    rng = np.random.default_rng([shot.seed, 1])
    pal = _palette(shot.seed if shot.palette_seed is None else shot.palette_seed)
    sky_top, sky_low, far, near, g_light, g_dark = pal
    y = np.arange(canvas_h, dtype=np.float32)[:, None]
    horizon = canvas_h * rng.uniform(0.3, 0.5)
    far_line = (horizon - scale * 18 * (1 + _noise_1d(rng, canvas_w, 200 * scale, 4)))[None, :].astype(
        np.float32
    )
    near_line = (horizon + scale * 14 * (0.5 + _noise_1d(rng, canvas_w, 140 * scale, 5)))[None, :].astype(
        np.float32
    )
    t = np.clip(y / max(horizon, 1.0), 0, 1)  # sky gradient, 0 at the top
    clouds = _fbm(rng, canvas_h, canvas_w, 90 * scale, 6 * scale)
    clouds *= 28 * (1 - t)
    far_tex = _fbm(rng, canvas_h, canvas_w, 40 * scale, 3 * scale)
    far_tex *= 25
    ground_tex = _fbm(rng, canvas_h, canvas_w, 60 * scale, 1.5 * scale)
    a_far = np.clip(y - far_line + 0.5, 0, 1)  # hazy far ridge
    a_near = np.clip(y - near_line + 0.5, 0, 1)  # near ground
    depth = np.clip((y - near_line) / max(canvas_h - horizon, 1.0), 0, 1)  # darker toward the bottom
    ground_gain = 0.65 * (0.925 + 0.15 * ground_tex)
    ground_tex *= 55
    # Grass: fine vertical streaks, strongest near the camera (bottom of the frame).
    grass = _value_noise(rng, canvas_h, canvas_w, max(1.2, 1.5 * scale), max(3.0, 7 * scale))
    grass += 0.6 * _value_noise(rng, canvas_h, canvas_w, max(1.0, 2.5 * scale))
    grass *= 10 + 22 * depth
    ground_tex += grass
    img = np.empty((3, canvas_h, canvas_w), dtype=np.float32)
    for c in range(3):
        out = img[c]
        np.add(sky_top[c] * (1 - t) + sky_low[c] * t, clouds, out=out)
        out += a_far * (far[c] + far_tex - out)
        ground = g_light[c] + (g_dark[c] - g_light[c]) * depth
        ground += ground_tex
        ground *= ground_gain
        ground += 0.35 * near[c]
        ground -= out
        ground *= a_near
        out += ground
    img = np.ascontiguousarray(img.transpose(1, 2, 0))

    # Hard-edged shapes on the near ridge: banners on poles and clusters of spears.
    n_banners = max(1, int(canvas_w / (150 * scale) * rng.uniform(0.4, 1.0)))
    for _ in range(n_banners):
        x = int(rng.uniform(0, canvas_w))
        base = int(near_line[0, min(x, canvas_w - 1)] + rng.uniform(0, 30) * scale)
        pole_h = int(rng.uniform(35, 80) * scale)
        _banner(img, rng, x, base, pole_h, scale)
    n_spears = int(canvas_w / (90 * scale) * rng.uniform(0.3, 1.0))
    for _ in range(n_spears):
        x = rng.uniform(0, canvas_w)
        base = near_line[0, min(int(x), canvas_w - 1)] + rng.uniform(5, 60) * scale
        for _ in range(int(rng.integers(2, 6))):
            _line(
                img,
                x + rng.uniform(-12, 12) * scale,
                base,
                rng.uniform(-0.45, 0.45),
                rng.uniform(40, 70) * scale,
                max(1.0, 1.2 * scale),
                (25, 20, 18),
            )
    return np.clip(img, 0, 255)


def _banner(img: np.ndarray, rng: np.random.Generator, x: int, base: int, pole_h: int, scale: float) -> None:
    h, w = img.shape[:2]
    pw = max(1, round(1.5 * scale))
    top = base - pole_h
    y0, y1 = max(top, 0), min(base, h)
    if y0 < y1 and 0 <= x < w:
        img[y0:y1, x : x + pw] = (30, 25, 20)
    colour = np.array(_BANNER_COLOURS[int(rng.integers(len(_BANNER_COLOURS)))], dtype=np.float32)
    fw, fh = int(rng.uniform(18, 34) * scale), int(rng.uniform(10, 18) * scale)
    xs = np.arange(x + pw, min(x + pw + fw, w))
    if xs.size == 0 or top >= h:
        return
    if rng.uniform() < 0.5:  # rectangle
        ys0, ys1 = max(top, 0), min(top + fh, h)
        if ys0 < ys1:
            img[ys0:ys1, xs[0] : xs[-1] + 1] = colour
    else:  # pennant (triangle)
        for xi in xs:
            half = fh / 2 * (1 - (xi - xs[0]) / fw)
            ys0, ys1 = max(int(top + fh / 2 - half), 0), min(int(top + fh / 2 + half) + 1, h)
            if ys0 < ys1:
                img[ys0:ys1, xi] = colour


def _line(
    img: np.ndarray,
    x0: float,
    y0: float,
    slope: float,
    length: float,
    width: float,
    colour: tuple[int, int, int],
) -> None:
    """Draw a hard-edged line from (x0, y0) upward with dx/dy = slope."""
    h, w = img.shape[:2]
    dy = length / math.hypot(1, slope)
    x1, y1 = x0 + slope * dy, y0 - dy
    bx0, bx1 = max(int(min(x0, x1) - width - 1), 0), min(int(max(x0, x1) + width + 2), w)
    by0, by1 = max(int(y1 - width - 1), 0), min(int(y0 + width + 2), h)
    if bx0 >= bx1 or by0 >= by1:
        return
    yy, xx = np.mgrid[by0:by1, bx0:bx1].astype(np.float32)
    dist = _segment_distance(xx, yy, x0, y0, x1, y1)
    img[by0:by1, bx0:bx1][dist <= width / 2] = colour


def _segment_distance(
    xx: np.ndarray, yy: np.ndarray, x0: float, y0: float, x1: float, y1: float
) -> np.ndarray:
    vx, vy = x1 - x0, y1 - y0
    t = np.clip(((xx - x0) * vx + (yy - y0) * vy) / max(vx * vx + vy * vy, 1e-9), 0, 1)
    return np.hypot(xx - (x0 + t * vx), yy - (y0 + t * vy))


# --------------------------------------------------------------------------------------------
# Riders
# --------------------------------------------------------------------------------------------


def _draw_rider(frame: np.ndarray, rider: Rider, t: int, fps: float) -> None:
    """Draw a galloping horse and rider on ``frame`` (float32 HxWx3) at shot frame ``t``."""
    h, w = frame.shape[:2]
    rng = np.random.default_rng([rider.seed, 3])
    s = float(rider.size_px)
    direction = 1.0 if rider.speed_px_per_frame >= 0 else -1.0
    start = rider.start_x_frac if rider.start_x_frac is not None else rng.uniform(-0.2, 0.6)
    if direction < 0 and rider.start_x_frac is None:
        start = 1.0 - start
    stride_hz = rng.uniform(1.8, 2.4)
    phase0 = rng.uniform(0, 2 * math.pi)
    colour = np.array((28, 22, 18), dtype=np.float32) * rng.uniform(0.6, 1.4)
    phase = phase0 + 2 * math.pi * stride_hz * t / fps
    cx = start * w + rider.speed_px_per_frame * t
    cy = rider.y_frac * h - 0.06 * s * abs(math.sin(phase))
    bx0, bx1 = max(int(cx - 0.95 * s), 0), min(int(cx + 0.95 * s) + 1, w)
    by0, by1 = max(int(cy - 0.85 * s), 0), min(int(cy + 0.75 * s) + 1, h)
    if bx0 >= bx1 or by0 >= by1:
        return
    # u runs forward along the horse, v down; u depends on the column only, v on the row only.
    u = ((np.arange(bx0, bx1, dtype=np.float32) - cx) * direction)[None, :]
    v = (np.arange(by0, by1, dtype=np.float32) - cy)[:, None]
    cover = np.zeros((by1 - by0, bx1 - bx0), dtype=np.float32)

    def region(u_lo: float, u_hi: float, v_lo: float, v_hi: float) -> tuple[slice, slice] | None:
        # Pixels of ``cover`` whose (u, v) fall in a box (one pixel of margin for anti-aliasing).
        x_a, x_b = sorted((cx + direction * u_lo, cx + direction * u_hi))
        c0, c1 = max(int(x_a) - 2 - bx0, 0), min(int(x_b) + 3 - bx0, bx1 - bx0)
        r0, r1 = max(int(cy + v_lo) - 2 - by0, 0), min(int(cy + v_hi) + 3 - by0, by1 - by0)
        return (slice(r0, r1), slice(c0, c1)) if c0 < c1 and r0 < r1 else None

    def ellipse(cu: float, cv: float, au: float, av: float) -> None:
        box = region(cu - au, cu + au, cv - av, cv + av)
        if box is None:
            return
        d = np.sqrt(((u[:, box[1]] - cu) / au) ** 2 + ((v[box[0]] - cv) / av) ** 2)
        np.maximum(cover[box], np.clip((1.0 - d) * min(au, av) + 0.5, 0, 1), out=cover[box])

    def limb(u0: float, v0: float, u1: float, v1: float, width: float) -> None:
        r = width / 2 + 1
        box = region(min(u0, u1) - r, max(u0, u1) + r, min(v0, v1) - r, max(v0, v1) + r)
        if box is None:
            return
        d = _segment_distance(u[:, box[1]], v[box[0]], u0, v0, u1, v1)
        np.maximum(cover[box], np.clip(width / 2 - d + 0.5, 0, 1), out=cover[box])

    ellipse(0.0, 0.0, 0.42 * s, 0.17 * s)  # barrel
    nod = 0.04 * s * math.sin(phase + 1.0)
    limb(0.28 * s, -0.04 * s, 0.45 * s, -0.36 * s + nod, 0.17 * s)  # neck
    limb(0.45 * s, -0.38 * s + nod, 0.64 * s, -0.22 * s + nod, 0.1 * s)  # head, muzzle down
    limb(0.43 * s, -0.42 * s + nod, 0.45 * s, -0.5 * s + nod, 0.035 * s)  # ear
    limb(-0.4 * s, -0.05 * s, -0.6 * s, 0.2 * s + 0.05 * s * math.sin(phase), 0.06 * s)  # tail
    ellipse(0.02 * s, -0.33 * s, 0.08 * s, 0.2 * s)  # rider torso
    ellipse(0.06 * s, -0.58 * s, 0.065 * s, 0.065 * s)  # rider head
    limb(0.05 * s, -0.4 * s, 0.75 * s, -0.75 * s, 0.025 * s)  # lance
    leg_len = 0.48 * s
    for hip_u, offset in ((0.3, 0.0), (0.22, 0.6), (-0.28, 2.2), (-0.34, 2.8)):
        swing = 0.7 * math.sin(phase + offset)
        knee_u = hip_u * s + 0.5 * leg_len * math.sin(swing)
        knee_v = 0.1 * s + 0.5 * leg_len * math.cos(swing)
        bend = swing + (0.6 if math.sin(phase + offset + 1.2) > 0 else 0.0)
        foot_u = knee_u + 0.5 * leg_len * math.sin(bend - 0.3)
        foot_v = knee_v + 0.5 * leg_len * math.cos(bend - 0.3)
        limb(hip_u * s, 0.08 * s, knee_u, knee_v, 0.07 * s)
        limb(knee_u, knee_v, foot_u, foot_v, 0.045 * s)
    patch = frame[by0:by1, bx0:bx1]
    patch += (colour - patch) * cover[..., None]


# --------------------------------------------------------------------------------------------
# Shot rendering
# --------------------------------------------------------------------------------------------


class _ShotRenderer:
    """Canvas and camera path of one shot; renders its frames on demand."""

    def __init__(self, shot: Shot, width: int, height: int, fps: float) -> None:
        self.shot, self.width, self.height, self.fps = shot, width, height, fps
        n = shot.n_frames
        vx, vy = (float(c) for c in shot.pan_px_per_frame)
        t = np.arange(n, dtype=np.float64)
        moving = t if shot.stop_frame is None else np.minimum(t, shot.stop_frame)
        self.velocity = np.zeros((n, 2))
        self.velocity[:, 0], self.velocity[:, 1] = vx, vy
        if shot.stop_frame is not None:
            self.velocity[shot.stop_frame :] = 0.0
        shake = np.random.default_rng([shot.seed, 2]).uniform(-1, 1, size=(n, 2)) * shot.shake_px
        pos = np.stack([vx * moving, vy * moving], axis=1) + shake
        blur_x, blur_y = abs(vx) / 2 + 2, abs(vy) / 2 + 2
        margin = 4
        x_min, y_min = pos[:, 0].min() - blur_x - margin, pos[:, 1].min() - blur_y - margin
        x_max, y_max = pos[:, 0].max() + blur_x + margin, pos[:, 1].max() + blur_y + margin
        canvas_w = math.ceil(x_max - x_min) + width
        canvas_h = math.ceil(y_max - y_min) + height
        self.pos = pos - [x_min, y_min]
        self.canvas = _paint_canvas(shot, canvas_h, canvas_w, scale=height / 360.0)
        self.blurred: np.ndarray | None = None
        self.flash = np.zeros(n, dtype=np.float32)
        for flash in shot.flashes:
            sl = slice(flash.offset_frames, flash.offset_frames + flash.n_frames)
            self.flash[sl] = np.maximum(self.flash[sl], flash.strength)

    def frame(self, t: int) -> np.ndarray:
        shot, w, h = self.shot, self.width, self.height
        x, y = self.pos[t]
        vx, vy = self.velocity[t]
        blur = shot.motion_blur and math.hypot(vx, vy) > BLUR_MIN_PX_PER_FRAME
        if blur and self.blurred is None:
            # A box over one frame's travel (a 360-degree shutter). The pan is constant while it
            # moves, and blur and shift commute, so the canvas is blurred once per shot.
            self.blurred = _box_blur(_box_blur(self.canvas, abs(vx), axis=1), abs(vy), axis=0)
        img = _sample(self.blurred if blur else self.canvas, x, y, w, h)
        img = np.ascontiguousarray(img)  # a fresh array: riders and flashes draw on it
        if shot.brightness != 1.0:
            img *= shot.brightness
        for rider in shot.riders:
            _draw_rider(img, rider, t, self.fps)
        if self.flash[t] > 0:
            img += (255.0 - img) * self.flash[t]
        return img


def _sample(canvas: np.ndarray, x: float, y: float, w: int, h: int) -> np.ndarray:
    """Return canvas[y:y+h, x:x+w] at a sub-pixel position, by bilinear interpolation."""
    x0, y0 = math.floor(x), math.floor(y)
    fx, fy = np.float32(x - x0), np.float32(y - y0)
    block = canvas[y0 : y0 + h + 1, x0 : x0 + w + 1]
    if fx:
        rows = np.multiply(block[:, :w], 1 - fx)
        rows += np.multiply(block[:, 1:], fx)
    else:
        rows = block[:, :w].copy()
    if not fy:
        return rows[:h]
    out = np.multiply(rows[:h], 1 - fy)
    out += np.multiply(rows[1:], fy, out=rows[1:])
    return out


def _box_blur(img: np.ndarray, length: float, axis: int) -> np.ndarray:
    """Average over ``length`` px along ``axis`` (centred; the two end samples weighted fractionally)."""
    if length < 1.5:
        return img
    half = length / 2
    r = math.floor(half)
    frac = half - r
    a = np.moveaxis(img, axis, 0)
    n = a.shape[0]
    padded = np.concatenate([np.repeat(a[:1], r + 1, axis=0), a, np.repeat(a[-1:], r + 1, axis=0)])
    c = np.empty((padded.shape[0] + 1, *a.shape[1:]), dtype=np.float64)
    c[0] = 0.0
    np.cumsum(padded, axis=0, out=c[1:])
    # Output i is centred on padded index i + r + 1: full samples [i + 1, i + 2r + 2).
    total = c[2 * r + 2 : 2 * r + 2 + n] - c[1 : 1 + n]
    if frac > 0:
        total += frac * (padded[:n] + padded[2 * r + 2 : 2 * r + 2 + n])
    total /= 2 * r + 1 + 2 * frac
    return np.ascontiguousarray(np.moveaxis(total.astype(np.float32), 0, axis))


def render_frames(edit: Edit) -> Iterator[np.ndarray]:
    """Yield the frames of an edit as uint8 RGB arrays of shape (height, width, 3), in order.

    Parameters
    ----------
    edit : Edit
        The edit to draw.

    Yields
    ------
    ndarray, uint8, shape (height, width, 3)
        One picture per output frame.

    Raises
    ------
    ParameterError
        If the edit is inconsistent (see :func:`render_edit`).
    """
    _check_edit(edit)
    sched = _schedule(edit)
    fps = float(edit.frame_rate)
    renderers: dict[int, _ShotRenderer] = {}
    black = np.zeros((edit.height, edit.width, 3), dtype=np.uint8)

    def get(i: int) -> _ShotRenderer:
        if i not in renderers:
            for old in [k for k in renderers if k < i - 1]:
                del renderers[old]
            renderers[i] = _ShotRenderer(edit.shots[i], edit.width, edit.height, fps)
        return renderers[i]

    for f in range(len(sched.gain)):
        a, b, gain = int(sched.shot_a[f]), int(sched.shot_b[f]), float(sched.gain[f])
        if a < 0 or gain == 0.0:
            yield black
            continue
        img = get(a).frame(int(sched.local_a[f]))
        if b >= 0:
            wb = np.float32(sched.weight_b[f])
            img = img * (1 - wb) + get(b).frame(int(sched.local_b[f])) * wb
        if gain != 1.0:
            img *= np.float32(gain)
        np.clip(img, 0, 255, out=img)
        yield (img + 0.5).astype(np.uint8)


def _truth(edit: Edit, sched: _Schedule, frame_times_s: np.ndarray, vfr: bool) -> EditTruth:
    n = len(sched.gain)
    camera = np.zeros((n, 2))
    shake = np.zeros(n)
    for i, shot in enumerate(edit.shots):
        vel = np.zeros((shot.n_frames, 2))
        vel[:] = shot.pan_px_per_frame
        if shot.stop_frame is not None:
            vel[shot.stop_frame :] = 0.0
        for slot, local, weight in (
            (sched.shot_a, sched.local_a, 1.0 - sched.weight_b),
            (sched.shot_b, sched.local_b, sched.weight_b),
        ):
            mask = slot == i
            camera[mask] += vel[local[mask]] * weight[mask, None]
            shake[mask] += shot.shake_px * weight[mask]
    camera[sched.gain == 0] = 0.0
    shake[sched.gain == 0] = 0.0
    flashes: list[tuple[int, int]] = []
    impacts: list[int] = []
    shots: list[tuple[int, int]] = []
    for i, shot in enumerate(edit.shots):
        s = sched.shot_starts[i]
        shots.append((s, s + shot.n_frames - 1))
        flashes += [(s + fl.offset_frames, fl.n_frames) for fl in shot.flashes]
        if shot.stop_frame is not None and any(shot.pan_px_per_frame):
            impacts.append(s + shot.stop_frame)
    return EditTruth(
        n_frames=n,
        frame_rate=Fraction(edit.frame_rate),
        width=edit.width,
        height=edit.height,
        hard_cuts=sched.hard_cuts,
        dissolves=sched.dissolves,
        fades=tuple(sorted(sched.fades)),
        flashes=tuple(sorted(flashes)),
        shots=tuple(shots),
        impacts=tuple(impacts),
        camera_px_per_frame=camera,
        shake_px=shake,
        frame_times_s=frame_times_s,
        variable_frame_rate=vfr,
    )


def edit_truth(edit: Edit) -> EditTruth:
    """Return the truth of a constant-frame-rate render of ``edit`` without rendering it.

    Parameters
    ----------
    edit : Edit
        The edit.

    Returns
    -------
    EditTruth
        What :func:`render_edit` would return for ``vfr=False``.

    Raises
    ------
    ParameterError
        If the edit is inconsistent.
    """
    _check_edit(edit)
    sched = _schedule(edit)
    n = len(sched.gain)
    times = np.array([float(Fraction(i) / Fraction(edit.frame_rate)) for i in range(n)])
    return _truth(edit, sched, times, vfr=False)


# --------------------------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------------------------


def _vfr_ticks(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, 5])
    durations = np.array(_VFR_DURATIONS_TICKS)[rng.integers(len(_VFR_DURATIONS_TICKS), size=n)]
    return np.concatenate([[0], np.cumsum(durations[:-1])]).astype(np.int64)


def render_edit(
    edit: Edit,
    path: str | os.PathLike[str],
    *,
    vfr: bool = False,
    vfr_seed: int = 0,
    audio: np.ndarray | None = None,
    audio_sample_rate: int = 48000,
    crf: int = 20,
    preset: str = "veryfast",
    encoder_threads: int = 2,
) -> EditTruth:
    """Render an edit to an H.264 (yuv420p) MP4 and return its exact truth.

    Parameters
    ----------
    edit : Edit
        Shots, transitions, size and frame rate.
    path : str or Path
        Output ``.mp4`` (overwritten).
    vfr : bool
        Write irregular frame durations (1/30, 1/25, 1/24 or 1/20 s, drawn from ``vfr_seed``) in a
        1/90000 s time base, instead of the constant ``edit.frame_rate``.
    vfr_seed : int
        Seed of the frame durations when ``vfr``.
    audio : ndarray, float32, shape (channels, samples), optional
        Sound to mux as AAC (1 or 2 channels, values in [-1, 1]).
    audio_sample_rate : int
        Sample rate of ``audio`` [Hz].
    crf : int in [0, 51]
        x264 constant rate factor (lower is better and bigger).
    preset : str
        x264 preset.
    encoder_threads : int >= 1
        x264 frame threads. Fixed (not "auto") because x264's output depends on its thread
        count; with a fixed count the same edit gives a byte-identical file on any machine.

    Returns
    -------
    EditTruth
        Cuts, dissolves, fades, flashes, impacts, camera motion and frame times of the file.

    Raises
    ------
    ParameterError
        If the edit is inconsistent (transition counts, lengths, flashes outside their shot,
        odd picture size) or ``audio`` has the wrong shape.
    ExportError
        If the file cannot be written.
    """
    _check_edit(edit)
    if not 0 <= crf <= 51:
        raise ParameterError(f"crf must be in [0, 51], got {crf}")
    if encoder_threads < 1:
        raise ParameterError(f"encoder_threads must be >= 1, got {encoder_threads}")
    if audio is not None:
        audio = np.asarray(audio, dtype=np.float32)
        if audio.ndim != 2 or audio.shape[0] not in (1, 2) or audio.shape[1] == 0:
            raise ParameterError(f"audio must be float32 of shape (1 or 2, samples), got {audio.shape}")
    sched = _schedule(edit)
    n = len(sched.gain)
    rate = Fraction(edit.frame_rate)
    if vfr:
        time_base = _VFR_TIME_BASE
        pts = _vfr_ticks(n, vfr_seed)
    else:
        time_base = 1 / rate
        pts = np.arange(n, dtype=np.int64)
    frame_times_s = np.array([float(int(p) * time_base) for p in pts])

    path = Path(path)
    # Written beside the target and moved into place, so a failed render leaves no broken file.
    partial = path.with_name(f".{path.name}.part")
    try:
        _encode(
            edit,
            partial,
            pts,
            frame_times_s,
            time_base,
            audio,
            audio_sample_rate,
            crf,
            preset,
            encoder_threads,
        )
        os.replace(partial, path)
    except (OSError, av.error.FFmpegError) as exc:
        raise ExportError(f"{path}: cannot write the video ({exc})") from None
    finally:
        partial.unlink(missing_ok=True)
    return _truth(edit, sched, frame_times_s, vfr)


def _encode(
    edit: Edit,
    path: Path,
    pts: np.ndarray,
    frame_times_s: np.ndarray,
    time_base: Fraction,
    audio: np.ndarray | None,
    audio_sample_rate: int,
    crf: int,
    preset: str,
    encoder_threads: int,
) -> None:
    rate = Fraction(edit.frame_rate)
    with av.open(str(path), mode="w", format="mp4") as container:
        container.metadata.clear()
        stream = container.add_stream(
            "libx264",
            rate=rate,
            options={
                "preset": preset,
                "crf": str(crf),
                "threads": str(encoder_threads),
                # mb-tree makes x264's output vary from run to run here; without it, it is reproducible.
                "x264-params": "mbtree=0",
            },
        )
        stream.width, stream.height, stream.pix_fmt = edit.width, edit.height, "yuv420p"
        stream.codec_context.time_base = time_base
        stream.time_base = time_base
        stream.codec_context.flags |= av.codec.context.Flags.bitexact
        # Frame threads: sliced threads make x264's lookahead depend on timing (not reproducible).
        stream.codec_context.thread_type = "FRAME"
        a_stream = None
        if audio is not None:
            layout = "mono" if audio.shape[0] == 1 else "stereo"
            a_stream = container.add_stream("aac", rate=audio_sample_rate, layout=layout)
            a_stream.codec_context.flags |= av.codec.context.Flags.bitexact
            a_stream.bit_rate = 96000 * audio.shape[0]
        audio_pos = 0
        chunk = 1024
        for f, rgb in enumerate(_prefetch(render_frames(edit), depth=4)):
            # RGB to BT.601 limited-range yuv420p, as decoders assume for untagged H.264.
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            frame.pts = int(pts[f])
            frame.time_base = time_base
            container.mux(stream.encode(frame))
            if a_stream is not None:
                # Interleave: encode the audio up to this frame's time.
                until = min(audio.shape[1], math.ceil(frame_times_s[f] * audio_sample_rate) + chunk)
                audio_pos = _encode_audio(
                    container, a_stream, audio, audio_pos, until, audio_sample_rate, chunk
                )
        container.mux(stream.encode(None))
        if a_stream is not None:
            _encode_audio(container, a_stream, audio, audio_pos, audio.shape[1], audio_sample_rate, chunk)
            container.mux(a_stream.encode(None))


def _prefetch(frames: Iterator[np.ndarray], depth: int) -> Iterator[np.ndarray]:
    """Yield ``frames`` in order, drawn ahead in a second thread (numpy and x264 overlap)."""
    items: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for frame in frames:
                if not put(("frame", frame)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed to the consumer, raised there
            put(("error", exc))

    worker = threading.Thread(target=work, name="sonics-render", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = items.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join()


def _encode_audio(
    container: Any, stream: Any, audio: np.ndarray, pos: int, until: int, sample_rate: int, chunk: int
) -> int:
    layout = "mono" if audio.shape[0] == 1 else "stereo"
    while pos < until:
        block = np.ascontiguousarray(audio[:, pos : pos + chunk])
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
        frame.sample_rate = sample_rate
        frame.pts = pos
        frame.time_base = Fraction(1, sample_rate)
        container.mux(stream.encode(frame))
        pos += block.shape[1]
    return pos


# --------------------------------------------------------------------------------------------
# Ready-made edits for tests and benches
# --------------------------------------------------------------------------------------------


def simple_edit(
    shot_lengths: tuple[int, ...] = (24, 24, 24, 24),
    *,
    width: int = 320,
    height: int = 180,
    frame_rate: Fraction | int = 24,
    seed: int = 0,
    pan_px_per_frame: float = 2.0,
) -> Edit:
    """Return an edit of distinct shots joined by hard cuts, each gently panning.

    Parameters
    ----------
    shot_lengths : tuple of int
        Frames per shot.
    width, height : int
        Picture size [px].
    frame_rate : Fraction or int
        Frame rate [frames/s].
    seed : int
        Seed of the shots.
    pan_px_per_frame : float
        Horizontal pan of every shot, alternating direction [px/frame].

    Returns
    -------
    Edit
    """
    shots = tuple(
        Shot(n_frames=n, seed=seed * 1000 + i, pan_px_per_frame=((-1) ** i * pan_px_per_frame, 0.0))
        for i, n in enumerate(shot_lengths)
    )
    return Edit(
        shots=shots,
        transitions=tuple(Transition("hard") for _ in shots[1:]),
        width=width,
        height=height,
        frame_rate=Fraction(frame_rate),
    )


def battle_edit(
    seed: int,
    *,
    width: int = 320,
    height: int = 180,
    frame_rate: Fraction | int = 24,
    n_shots: int = 8,
    min_shot_frames: int = 12,
    max_shot_frames: int = 60,
    n_dissolves: int = 1,
    dissolve_frames: int = 10,
    flash_rate: float = 0.4,
    rider_rate: float = 0.4,
    stop_rate: float = 0.25,
    similar_pair: bool = True,
    fade_in_frames: int = 0,
) -> Edit:
    """Return a varied battle edit drawn from ``seed``: the hard cases a cut detector must survive.

    Shots last ``min_shot_frames``..``max_shot_frames`` (given at 24 fps and scaled to
    ``frame_rate``); pans run 1..40 px/frame at a 960 px wide reference (scaled to ``width``),
    with fast whip pans (blurred) and shake; some shots carry 1..2-frame flashes (never within
    4 frames of a shot boundary), galloping riders or an abrupt camera stop; ``n_dissolves``
    transitions are dissolves; with ``similar_pair`` one cut joins two shots of the same palette
    and brightness.

    Parameters
    ----------
    seed : int
        Seed of every choice; the same seed gives the same edit.
    width, height : int
        Picture size [px], even.
    frame_rate : Fraction or int
        Frame rate [frames/s].
    n_shots : int >= 1
        Number of shots.
    min_shot_frames, max_shot_frames : int
        Range of shot lengths at 24 fps [frames].
    n_dissolves : int >= 0
        Number of dissolves among the transitions (the rest are hard cuts).
    dissolve_frames : int >= 2
        Length of each dissolve at 24 fps [frames].
    flash_rate, rider_rate, stop_rate : float in [0, 1]
        Probability that a shot has flashes, riders, a camera stop.
    similar_pair : bool
        Make one hard cut join two look-alike shots.
    fade_in_frames : int >= 0
        Open from black over this many frames.

    Returns
    -------
    Edit

    Raises
    ------
    ParameterError
        If ``n_shots < 1`` or the shot length range is empty.
    """
    if n_shots < 1 or min_shot_frames < 1 or max_shot_frames < min_shot_frames:
        raise ParameterError(
            f"battle_edit needs n_shots >= 1 and 1 <= min_shot_frames <= max_shot_frames, "
            f"got {n_shots}, {min_shot_frames}, {max_shot_frames}"
        )
    rng = np.random.default_rng([seed, 11])
    rate = Fraction(frame_rate)
    time_scale = float(rate) / 24.0
    px_scale = width / 960.0
    n_trans = n_shots - 1
    dissolve_at = (
        set(rng.choice(n_trans, size=min(n_dissolves, n_trans), replace=False).tolist()) if n_trans else set()
    )
    d_frames = max(2, round(dissolve_frames * time_scale))
    similar_at = -1
    if similar_pair and n_trans:
        candidates = [i for i in range(n_trans) if i not in dissolve_at]
        if candidates:
            similar_at = int(rng.choice(candidates))
    guard = 4  # no flash within this many frames of a boundary or transition
    shots: list[Shot] = []
    for i in range(n_shots):
        n = max(1, round(rng.integers(min_shot_frames, max_shot_frames + 1) * time_scale))
        shared_in = d_frames if i - 1 in dissolve_at else 0
        shared_out = d_frames if i in dissolve_at else 0
        n = max(n, shared_in + shared_out + 2)
        style = rng.uniform()
        if style < 0.3:  # whip pan
            speed = rng.uniform(20, 40)
        elif style < 0.5:
            speed = rng.uniform(8, 20)
        else:
            speed = rng.uniform(1, 8)
        angle = rng.uniform(-0.35, 0.35) + (math.pi if rng.uniform() < 0.5 else 0.0)
        pan = (round(speed * px_scale * math.cos(angle), 3), round(speed * px_scale * math.sin(angle), 3))
        shake = round(float(rng.uniform(0.5, 3.0) * px_scale), 3) if rng.uniform() < 0.3 else 0.0
        stop = None
        if speed > 6 and rng.uniform() < stop_rate and n - shared_out > shared_in + 8:
            stop = int(rng.integers(shared_in + 4, n - shared_out - 3))
        flashes: list[Flash] = []
        lo, hi = guard + shared_in + (fade_in_frames if i == 0 else 0), n - guard - shared_out
        if rng.uniform() < flash_rate and hi - lo >= 3:
            f_len = int(rng.integers(1, 3))
            off = int(rng.integers(lo, hi - f_len + 1))
            flashes.append(Flash(off, f_len, round(float(rng.uniform(0.5, 1.0)), 3)))
        riders: tuple[Rider, ...] = ()
        if rng.uniform() < rider_rate:
            direction = 1 if rng.uniform() < 0.5 else -1
            riders = tuple(
                Rider(
                    y_frac=round(float(rng.uniform(0.55, 0.85)), 3),
                    speed_px_per_frame=round(
                        direction * float(rng.uniform(3, 12)) * px_scale / time_scale, 3
                    ),
                    size_px=max(6, round(float(rng.uniform(50, 120)) * px_scale)),
                    seed=int(rng.integers(1 << 30)),
                )
                for _ in range(int(rng.integers(1, 4)))
            )
        palette_seed = None
        brightness = round(float(rng.uniform(0.8, 1.15)), 3)
        shot_seed = int(rng.integers(1 << 30))
        if similar_at >= 0 and i - 1 == similar_at:
            prev = shots[-1]
            palette_seed = prev.palette_seed if prev.palette_seed is not None else prev.seed
            brightness = prev.brightness
        shots.append(
            Shot(
                n_frames=n,
                seed=shot_seed,
                pan_px_per_frame=pan,
                shake_px=shake,
                riders=riders,
                flashes=tuple(flashes),
                brightness=brightness,
                stop_frame=stop,
                palette_seed=palette_seed,
            )
        )
    transitions = tuple(
        Transition("dissolve", d_frames) if i in dissolve_at else Transition("hard") for i in range(n_trans)
    )
    return Edit(
        shots=tuple(shots),
        transitions=transitions,
        width=width,
        height=height,
        frame_rate=rate,
        fade_in_frames=min(fade_in_frames, shots[0].n_frames - (d_frames if 0 in dissolve_at else 0)),
    )
