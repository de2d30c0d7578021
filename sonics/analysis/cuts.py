"""Hard cuts from the per-frame match cost.

A hard cut at frame ``t`` is a frame whose structure cannot be found in frame
``t - 1`` (match cost high, and well above the cost of the frames around it), and
whose picture does not come back within a few frames (the flicker test rules out
flashes, explosions and things passing in front of the lens).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonics.analysis.features import CANDIDATE_COST, FrameFeatures
from sonics.core.errors import ParameterError

__all__ = ["HardCutDetector"]

# A candidate is a blip if the picture on either side of it matches across it this much
# better than across the candidate itself (a cut matches no better anywhere). Where the
# brightness says a flash starts or ends, the picture may come back blurred by a fast
# pan, so less is asked.
_BLIP_SHARE = 0.5
_FLASH_BLIP_SHARE = 0.65


@dataclass(frozen=True, slots=True)
class HardCutDetector:
    """Find hard cuts.

    Parameters
    ----------
    min_cost : float in [0.1, 1]
        Match cost a frame needs to be a cut: the share of the picture's structure
        not found in the previous frame.
    min_rise : float in [0, 1]
        How far the cost must rise above the median cost of the frames around it, so a
        shot full of churning smoke does not cut on every frame.
    min_ratio : float >= 1
        How many times that median the cost must be.
    context_frames : int >= 1
        Frames on each side that give that median.
    min_shot_frames : int >= 1
        Shortest shot: of two candidates closer than this, the stronger one wins.
    """

    min_cost: float = 0.13
    min_rise: float = 0.1
    min_ratio: float = 2.5
    context_frames: int = 6
    min_shot_frames: int = 3

    def __post_init__(self) -> None:
        if not CANDIDATE_COST <= self.min_cost <= 1:
            raise ParameterError(f"min_cost must be in [{CANDIDATE_COST}, 1], got {self.min_cost}")
        if not 0 <= self.min_rise <= 1:
            raise ParameterError(f"min_rise must be in [0, 1], got {self.min_rise}")
        if self.context_frames < 1 or self.min_shot_frames < 1:
            raise ParameterError("context_frames and min_shot_frames must be >= 1")

    def __call__(
        self, features: FrameFeatures, flash_edges: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """Return ``(frame, score)`` for each hard cut, frame = first frame of the new shot.

        ``flash_edges`` are the first frames of flashes and the first frames after them.
        """
        cost = features.match_cost.astype(np.float64)
        n = len(cost)
        candidates: list[tuple[int, float]] = []
        for t in range(1, n):
            c = cost[t]
            if not c >= self.min_cost:  # also False for NaN
                continue
            lo, hi = max(1, t - self.context_frames), min(n, t + self.context_frames + 1)
            around = np.concatenate([cost[lo:t], cost[t + 1 : hi]])
            around = around[np.isfinite(around)]
            baseline = float(np.median(around)) if around.size else 0.0
            if c - baseline < self.min_rise or c < self.min_ratio * baseline:
                continue
            flicker = features.flicker_cost[t]
            measured = flicker[np.isfinite(flicker)]
            # The picture before the candidate comes back: a flash or a blip, not a cut.
            share = _FLASH_BLIP_SHARE if t in flash_edges else _BLIP_SHARE
            if measured.size and measured.min() < max(baseline + share * (c - baseline), 0.5 * self.min_cost):
                continue
            candidates.append((t, float(min(1.0, (c - baseline) / (1.0 - baseline + 1e-9)))))
        return _thin(candidates, self.min_shot_frames)


def _thin(candidates: list[tuple[int, float]], min_gap: int) -> list[tuple[int, float]]:
    """Keep the strongest of candidates closer than ``min_gap`` frames."""
    kept: list[tuple[int, float]] = []
    for frame, score in sorted(candidates, key=lambda c: -c[1]):
        if all(abs(frame - f) >= min_gap for f, _ in kept):
            kept.append((frame, score))
    return sorted(kept)
