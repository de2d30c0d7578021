"""Shots between boundaries, each with a dramatic intensity.

A shot's intensity blends how hard its picture moves with the pace of the cutting: half
the shot's own length (as cuts per minute), half the cut rate within ``window_s``
around it. A long still shot in a fast sequence stays calm; short frantic shots read
as battle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonics.core.model import Shot, ShotIntensity

__all__ = ["ShotClassifier"]


@dataclass(frozen=True, slots=True)
class ShotClassifier:
    """Split the picture into shots and rate each one.

    Parameters
    ----------
    window_s : float > 0
        Width of the window centred on the shot that counts cuts [s].
    busy_cuts_per_min : float > 0
        Cut rate that counts as fully busy (a battle montage cuts 30-60 times a minute).
    tension_at, battle_at : float in 0..1
        Score from which a shot is ``tension`` or ``battle``.
    """

    window_s: float = 10.0
    busy_cuts_per_min: float = 45.0
    tension_at: float = 0.28
    battle_at: float = 0.5

    def __call__(self, boundaries: list[int], times_s: np.ndarray, motion: np.ndarray) -> tuple[Shot, ...]:
        """Return the shots; ``boundaries`` are first frames of new shots (not 0)."""
        n = len(times_s)
        if n == 0:
            return ()
        frame_s = float(np.median(np.diff(times_s))) if n > 1 else 1.0 / 24
        end_s = float(times_s[-1]) + frame_s
        starts = [0, *sorted(b for b in set(boundaries) if 0 < b < n)]
        ends = [*starts[1:], n]
        cut_times = np.asarray([times_s[b] for b in starts[1:]])
        shots = []
        for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
            start_s = float(times_s[s])
            stop_s = float(times_s[e]) if e < n else end_s
            centre = 0.5 * (start_s + stop_s)
            lo = max(0.0, centre - self.window_s / 2)
            hi = min(end_s, centre + self.window_s / 2)
            n_cuts = int(((cut_times >= lo) & (cut_times < hi)).sum())
            # Half the shot's own pace, half the pace of the edit around it.
            own_rate = 60.0 / max(stop_s - start_s, frame_s)
            cuts_per_min = 0.5 * own_rate + 0.5 * 60.0 * n_cuts / max(hi - lo, frame_s)
            motion_mean = float(np.mean(motion[s:e])) if e > s else 0.0
            score = 0.65 * motion_mean + 0.35 * min(1.0, cuts_per_min / self.busy_cuts_per_min)
            if score >= self.battle_at:
                intensity = ShotIntensity.BATTLE
            elif score >= self.tension_at:
                intensity = ShotIntensity.TENSION
            else:
                intensity = ShotIntensity.CALM
            shots.append(Shot(i, s, e, start_s, stop_s, motion_mean, cuts_per_min, intensity))
        return tuple(shots)
