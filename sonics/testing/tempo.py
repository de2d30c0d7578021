"""Hit lists with known truth for the tempo stage: random cut lists, and hits planted on a tempo map."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from sonics.core.model import Hit
from sonics.core.rng import stage_rng
from sonics.core.tempo import TempoMap
from sonics.core.timebase import parse_frame_rate

__all__ = ["planted_hits", "random_cut_frames", "random_cut_hits"]


def random_cut_frames(
    seed: int,
    *,
    duration_s: float = 180.0,
    shot_s: tuple[float, float] = (0.8, 4.5),
    frame_rate: Fraction | int | str = 24,
) -> np.ndarray:
    """Return the frames of the hard cuts of an edit whose shots last uniformly ``shot_s`` seconds.

    The cuts follow no tempo at all; the last shot ends at least one second before
    ``duration_s``.

    Examples
    --------
    >>> frames = random_cut_frames(1, duration_s=60.0)
    >>> bool(frames[0] > 0 and np.all(np.diff(frames) >= 19))
    True
    """
    rng = stage_rng(seed, "testing:cuts")
    rate = float(parse_frame_rate(frame_rate))
    frames, t = [], 0.0
    while True:
        t += rng.uniform(*shot_s)
        if t > duration_s - 1.0:
            return np.array(frames, dtype=np.int64)
        frames.append(round(t * rate))


def random_cut_hits(
    frames: np.ndarray,
    frame_rate: Fraction | int | str = 24,
    *,
    seed: int = 0,
    big_after_s: float = 4.0,
    light: tuple[float, float] = (0.3, 0.7),
) -> tuple[Hit, ...]:
    """Return the cuts as hits, weighted as a spotting pass does by the shot each one ends.

    A cut after a shot of at least ``big_after_s`` seconds plays big (weight 1, a sync
    hit); the others weigh uniformly ``light``.
    """
    rng = stage_rng(seed, "testing:cut-weights")
    rate = parse_frame_rate(frame_rate)
    times = np.asarray(frames, dtype=np.float64) / float(rate)
    holds = np.diff(np.r_[0.0, times])
    weights = np.where(holds >= big_after_s, 1.0, rng.uniform(*light, size=times.size))
    return tuple(
        Hit(float(t), round(float(w), 4), f"cut:{int(f)}")
        for t, w, f in zip(times, weights, frames, strict=True)
    )


def planted_hits(
    tempo_map: TempoMap,
    beats: np.ndarray,
    weights: np.ndarray,
    *,
    seed: int = 0,
    jitter_frames: float = 1.0,
) -> tuple[Hit, ...]:
    """Return hits on ``beats`` of ``tempo_map``, each moved to a picture frame within ``jitter_frames``.

    Each true time is moved by a uniform jitter of at most ``jitter_frames - 0.5`` frames and
    rounded to the nearest frame, so no hit lies more than ``jitter_frames`` frames from its
    beat. ``source`` records the true beat (``"beat:12.5"``).
    """
    rng = stage_rng(seed, "testing:planted")
    rate = float(tempo_map.frame_rate)
    beats = np.asarray(beats, dtype=np.float64)
    true_s = np.asarray(tempo_map.beats_to_seconds(beats), dtype=np.float64).reshape(-1)
    spread = max(jitter_frames - 0.5, 0.0)
    frames = np.round(true_s * rate + rng.uniform(-spread, spread, true_s.size))
    return tuple(
        Hit(float(f / rate), float(w), f"beat:{b:g}")
        for f, w, b in zip(np.maximum(frames, 0), np.asarray(weights, dtype=np.float64), beats, strict=True)
    )
