"""The analysis a perfect detector would return for a rendered edit, built from its truth.

Tests of the stages after the analysis (spotting, reports, delivery) start from it, so
they check their own work on exact cuts, shots and events, without detecting them.
"""

from __future__ import annotations

import numpy as np

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
from sonics.testing.video import EditTruth

__all__ = ["truth_analysis"]

_FLASH_STRENGTH = 0.7


def _cuts(truth: EditTruth, times: np.ndarray) -> list[Cut]:
    cuts = [Cut(f, float(times[f]), CutKind.HARD, 1.0) for f in truth.hard_cuts]
    for first, last in truth.dissolves:
        # The first blended frame where the incoming shot weighs more than half.
        frame = first + (last - first) // 2 + 1
        cuts.append(Cut(frame, float(times[frame]), CutKind.DISSOLVE, 1.0, first, last))
    for first, last, kind in truth.fades:
        if kind == "fade_in" and first == 0:
            continue  # the edit opens from black: no shot ends here
        frame = first if kind == "fade_in" else min(last + 1, truth.n_frames - 1)
        cuts.append(Cut(frame, float(times[frame]), CutKind(kind), 1.0, first, last))
    return sorted(cuts, key=lambda c: c.frame)


def truth_analysis(truth: EditTruth, path: str = "edit.mp4") -> Analysis:
    """Return the :class:`~sonics.core.model.Analysis` of a rendered edit, from its truth.

    Parameters
    ----------
    truth : EditTruth
        What :func:`~sonics.testing.render_edit` returned.
    path : str
        The picture's path to record.

    Returns
    -------
    Analysis
        Hard cuts on their first frame; a dissolve's cut on its first blended frame where
        the incoming shot outweighs the outgoing one; a fade out on the frame after it, a
        fade in on its first frame. Shots split at the cuts, all calm; the motion
        envelope is the camera speed scaled to 0..1; impacts at full strength; flashes
        at 0.7.

    Examples
    --------
    >>> truth = render_edit(simple_edit((24, 24)), "edit.mp4")  # doctest: +SKIP
    >>> [c.frame for c in truth_analysis(truth).cuts]  # doctest: +SKIP
    [24]
    """
    times = np.asarray(truth.frame_times_s, dtype=np.float64)
    n = truth.n_frames
    cuts = _cuts(truth, times)
    speed = np.hypot(truth.camera_px_per_frame[:, 0], truth.camera_px_per_frame[:, 1])
    motion = speed / speed.max() if n and speed.max() > 0 else np.zeros(n)
    bounds = sorted({c.frame for c in cuts if 0 < c.frame < n})
    starts, ends = [0, *bounds], [*bounds, n]
    duration_s = truth.duration_s
    shots = tuple(
        Shot(
            index=i,
            start_frame=s,
            end_frame=e,
            start_s=float(times[s]),
            end_s=float(times[e]) if e < n else duration_s,
            motion_mean=float(motion[s:e].mean()),
            cuts_per_min=60.0 / max(float(times[e] if e < n else duration_s) - float(times[s]), 1e-9),
            intensity=ShotIntensity.CALM,
        )
        for i, (s, e) in enumerate(zip(starts, ends, strict=True))
    )
    picture = Picture(
        path=path,
        frame_rate=truth.frame_rate,
        n_frames=n,
        width=truth.width,
        height=truth.height,
        duration_s=duration_s,
        variable_frame_rate=truth.variable_frame_rate,
    )
    return Analysis(
        picture=picture,
        frame_times_s=times,
        cuts=tuple(cuts),
        shots=shots,
        motion=MotionEnvelope(motion, motion, np.zeros(n)),
        impacts=tuple(Impact(f, float(times[f]), 1.0) for f in truth.impacts),
        flashes=tuple(Flash(f, float(times[f]), k, _FLASH_STRENGTH) for f, k in truth.flashes),
    )
