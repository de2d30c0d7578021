"""Builders for music tests: pictures with known shots, motion, cuts and impacts; tempo maps with ramps."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import pytest

from sonics.core.model import Analysis, Cut, CutKind, Impact, MotionEnvelope, Picture, Shot, ShotIntensity
from sonics.core.tempo import TempoMap, TempoSegment


def build_picture(
    shots: Sequence[tuple[float, str]],
    *,
    fps: int = 24,
    motion: float | Sequence[float] = 0.5,
    impacts: Sequence[tuple[float, float]] = (),
) -> Analysis:
    """Return an analysis of shots ``(length_s, intensity)`` joined by hard cuts.

    ``motion`` is one level for every shot or one per shot; ``impacts`` are ``(time_s, strength)``.
    """
    rate = Fraction(fps)
    lengths = [round(length * fps) for length, _ in shots]
    n_frames = sum(lengths)
    starts = np.cumsum([0, *lengths[:-1]])
    times = np.arange(n_frames) / fps
    levels = [motion] * len(shots) if np.isscalar(motion) else list(motion)
    values = np.concatenate([np.full(n, float(m)) for n, m in zip(lengths, levels, strict=True)])
    shot_list = tuple(
        Shot(i, int(s), int(s + n), float(s / fps), float((s + n) / fps), float(m), 30.0, ShotIntensity(kind))
        for i, (s, n, m, (_, kind)) in enumerate(zip(starts, lengths, levels, shots, strict=True))
    )
    cuts = tuple(Cut(int(s), float(s / fps), CutKind.HARD, 1.0) for s in starts[1:])
    impact_list = tuple(Impact(round(t * fps), round(t * fps) / fps, w) for t, w in impacts)
    picture = Picture("test.mp4", rate, n_frames, 320, 180, float(Fraction(n_frames) / rate))
    return Analysis(picture, times, cuts, shot_list, MotionEnvelope(values, values, values), impact_list)


def ramp_map(fps: int = 24) -> TempoMap:
    """Return a map of three tempos and a ramp: 120 BPM, a ramp to 132 over 8 beats, 132, then 126."""
    seg0 = TempoSegment(0.0, -1.0, 120.0)
    # 120 BPM from beat -1 at 0 s: beat 15 at 8 s; a ramp 120 -> 132 over 8 beats.
    ramp_s = 8 * 120.0 / (120.0 + 132.0)
    seg1 = TempoSegment(8.0, 15.0, 120.0, 132.0)
    seg2 = TempoSegment(8.0 + ramp_s, 23.0, 132.0)
    seg3 = TempoSegment(8.0 + ramp_s + 16 * 60.0 / 132.0, 39.0, 126.0)
    return TempoMap((seg0, seg1, seg2, seg3), frame_rate=fps)


@pytest.fixture
def battle_picture() -> Analysis:
    """A 56 s cut that builds: calm, tension, battle, a calm fall, battle again, and the last shot."""
    return build_picture(
        [(8, "calm"), (8, "tension"), (6, "battle"), (4, "battle"), (8, "calm"), (6, "tension"),
         (6, "battle"), (5, "battle"), (5, "tension")],
        motion=[0.1, 0.4, 0.8, 0.9, 0.2, 0.5, 0.9, 1.0, 0.6],
        impacts=[(47.5, 1.0)],
    )  # fmt: skip


@pytest.fixture
def make_picture():
    """The :func:`build_picture` builder."""
    return build_picture


@pytest.fixture
def ramped_map() -> TempoMap:
    """The :func:`ramp_map` map (120, ramp to 132, 132, 126 BPM; a one-beat pickup)."""
    return ramp_map()
