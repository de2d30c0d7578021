"""The frames the analysis reads: small luma pictures in chunks, timed by PTS."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LumaChunk"]


@dataclass(frozen=True, slots=True, eq=False)
class LumaChunk:
    """Consecutive decoded frames, downscaled to the analysis size.

    Attributes
    ----------
    times_s : ndarray, float64, shape (n,)
        Each frame's start time from its PTS, relative to the first frame of the video [s].
    luma : ndarray, float32, shape (n, height, width)
        Luma (BT.601 Y, 0..255 video range as decoded), box-filtered to about 160 px wide.
    """

    times_s: np.ndarray
    luma: np.ndarray

    def __len__(self) -> int:
        return len(self.times_s)
