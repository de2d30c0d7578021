"""Builders for spotting tests: analyses made directly from known events, no video decoding."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from sonics.core.model import (
    Analysis,
    Cut,
    CutKind,
    Flash,
    Impact,
    MotionEnvelope,
    Picture,
    Shot,
    ShotIntensity,
)
from sonics.presets.schema import LayerSettings, Preset, SfxSettings, SpottingSettings


def build_analysis(
    n_frames: int = 240,
    fps: Fraction | int = 24,
    *,
    cuts: Sequence[int | Cut] = (),
    intensities: Sequence[str] | None = None,
    motion: Sequence[float] | np.ndarray | None = None,
    impacts: Sequence[tuple[int, float]] = (),
    flashes: Sequence[tuple[int, int, float]] = (),
    frame_times_s: np.ndarray | None = None,
) -> Analysis:
    """Return an analysis with the given events; shots split at the cuts' frames.

    ``cuts`` are hard cuts (frames, score 1) or :class:`Cut` objects; ``intensities`` gives
    each shot's intensity (default calm); ``frame_times_s`` makes the picture VFR.
    """
    rate = Fraction(fps)
    vfr = frame_times_s is not None
    if frame_times_s is None:
        times = np.array([float(Fraction(i) / rate) for i in range(n_frames)])
        duration_s = float(Fraction(n_frames) / rate)
    else:
        times = np.asarray(frame_times_s, dtype=np.float64)
        duration_s = float(times[-1] + np.median(np.diff(times)))
    cut_list = [
        c if isinstance(c, Cut) else Cut(int(c), float(times[int(c)]), CutKind.HARD, 1.0) for c in cuts
    ]
    values = np.zeros(n_frames) if motion is None else np.asarray(motion, dtype=np.float64)
    bounds = sorted({c.frame for c in cut_list})
    starts, ends = [0, *bounds], [*bounds, n_frames]
    levels = list(intensities) if intensities is not None else ["calm"] * len(starts)
    shots = tuple(
        Shot(
            i,
            s,
            e,
            float(times[s]),
            float(times[e]) if e < n_frames else duration_s,
            float(values[s:e].mean()),
            30.0,
            ShotIntensity(levels[i]),
        )
        for i, (s, e) in enumerate(zip(starts, ends, strict=True))
    )
    picture = Picture("test.mp4", rate, n_frames, 320, 180, duration_s, variable_frame_rate=vfr)
    return Analysis(
        picture=picture,
        frame_times_s=times,
        cuts=tuple(cut_list),
        shots=shots,
        motion=MotionEnvelope(values, values, values) if motion is not None else None,
        impacts=tuple(Impact(f, float(times[f]), s) for f, s in impacts),
        flashes=tuple(Flash(f, float(times[f]), k, s) for f, k, s in flashes),
    )


def build_preset(*layers: LayerSettings, name: str = "test", **spotting: Any) -> Preset:
    """Return a preset with ``layers`` and the given ``[spotting]`` settings (silence off by default)."""
    spotting.setdefault("silence_before_biggest_s", 0.0)
    return Preset(name, "for tests", spotting=SpottingSettings(**spotting), sfx=SfxSettings(layers=layers))


@pytest.fixture
def make_analysis() -> Callable[..., Analysis]:
    """The :func:`build_analysis` builder."""
    return build_analysis


@pytest.fixture
def make_preset() -> Callable[..., Preset]:
    """The :func:`build_preset` builder."""
    return build_preset
