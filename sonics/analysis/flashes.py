"""Flashes: short bursts of light that end where they began.

A muzzle flash, a lightning strike or the first frames of an explosion lift the
picture's brightness for one to a few frames, then it falls back to about where it
was. They are sound cues of their own, and must never read as cuts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonics.core.errors import ParameterError

__all__ = ["FlashDetector"]


@dataclass(frozen=True, slots=True)
class FlashDetector:
    """Find flashes in a per-frame mean-luma curve.

    Parameters
    ----------
    min_jump : float > 0
        Rise in mean luma (0..255) over the frame before that starts a flash.
    max_frames : int >= 1
        Longest flash [frames].
    settle : float in (0, 1)
        The flash has ended when the brightness is back within this share of the jump
        of the level before it.
    """

    min_jump: float = 18.0
    max_frames: int = 4
    settle: float = 0.4

    def __post_init__(self) -> None:
        if self.min_jump <= 0 or self.max_frames < 1 or not 0 < self.settle < 1:
            raise ParameterError("min_jump must be > 0, max_frames >= 1 and settle in (0, 1)")

    def __call__(self, mean_luma: np.ndarray) -> list[tuple[int, int, float]]:
        """Return ``(first_frame, n_frames, strength)`` for each flash; strength in 0..1."""
        luma = np.asarray(mean_luma, dtype=np.float64)
        n = len(luma)
        found: list[tuple[int, int, float]] = []
        t = 1
        while t < n:
            before = luma[t - 1]
            jump = luma[t] - before
            if jump < self.min_jump:
                t += 1
                continue
            end = None
            for k in range(1, self.max_frames + 1):
                if t + k >= n:
                    break
                if luma[t + k] - before <= self.settle * jump:
                    end = t + k
                    break
            if end is None:
                t += 1
                continue
            peak = luma[t:end].max()
            strength = float(np.clip((peak - before) / max(255.0 - before, 1.0), 0.0, 1.0))
            found.append((t, end - t, strength))
            t = end
        return found
