"""From per-frame features to the picture's events: cuts, transitions, flashes, motion, impacts, shots."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sonics.analysis.cuts import HardCutDetector
from sonics.analysis.features import FrameFeatures
from sonics.analysis.flashes import FlashDetector
from sonics.analysis.motion import MotionModel
from sonics.analysis.shots import ShotClassifier
from sonics.analysis.transitions import find_dissolves, find_fades
from sonics.core.model import Cut, CutKind, Flash, Impact, MotionEnvelope, Shot

__all__ = ["PictureAnalyzer", "PictureEvents"]


@dataclass(frozen=True, slots=True, eq=False)
class PictureEvents:
    """What the analysis found in the picture, before it is joined with the file's facts."""

    cuts: tuple[Cut, ...]
    shots: tuple[Shot, ...]
    motion: MotionEnvelope
    impacts: tuple[Impact, ...]
    flashes: tuple[Flash, ...]


@dataclass(frozen=True, slots=True)
class PictureAnalyzer:
    """The picture analysis, one detector per question; each is a small configurable object.

    Examples
    --------
    >>> analyzer = PictureAnalyzer(cuts=HardCutDetector(min_cost=0.5))
    """

    cuts: HardCutDetector = field(default_factory=HardCutDetector)
    flashes: FlashDetector = field(default_factory=FlashDetector)
    motion: MotionModel = field(default_factory=MotionModel)
    shots: ShotClassifier = field(default_factory=ShotClassifier)

    def __call__(
        self, features: FrameFeatures, *, known_cuts: tuple[Cut, ...] | None = None
    ) -> PictureEvents:
        """Find the picture's events in its features.

        Parameters
        ----------
        features : FrameFeatures
            Per-frame measurements of the whole picture (times from PTS).
        known_cuts : tuple of Cut, optional
            Cuts stated by an editor's timeline; used as they are instead of detected ones.
        """
        times = features.times_s
        n = features.n_frames
        flash_list = self.flashes(features.mean_luma)
        if known_cuts is None:
            cuts = self._detect_cuts(features, flash_list)
        else:
            cuts = tuple(c for c in known_cuts if 0 <= c.frame < n or (c.is_gradual and c.start_frame < n))
        masked = np.zeros(n, dtype=bool)
        for cut in cuts:
            masked[max(0, cut.start_frame) : min(n, cut.end_frame + 2)] = True
        for first, length, _ in flash_list:
            masked[first : min(n, first + length + 1)] = True
        values, camera, subject = self.motion.envelope(features, masked)
        motion = MotionEnvelope(values, camera, subject)
        impacts = tuple(
            Impact(frame, float(times[frame]), strength)
            for frame, strength in self.motion.impacts(features, masked)
        )
        flashes = tuple(Flash(f, float(times[f]), k, s) for f, k, s in flash_list)
        shots = self.shots([c.frame for c in cuts], times, values)
        return PictureEvents(cuts, shots, motion, impacts, flashes)

    def _detect_cuts(
        self, features: FrameFeatures, flash_list: list[tuple[int, int, float]]
    ) -> tuple[Cut, ...]:
        times = features.times_s
        edges = frozenset(f for first, length, _ in flash_list for f in (first, first + length))
        hard = self.cuts(features, edges)
        fades = find_fades(features)
        covered = [(t.start_frame, t.end_frame + 1) for t in fades]
        hard = [(f, s) for f, s in hard if not any(a <= f <= b for a, b in covered)]
        flashes = [(first - 1, first + length) for first, length, _ in flash_list]
        dissolves = find_dissolves(features, [f for f, _ in hard], exclude=covered + flashes)
        cuts = [Cut(f, float(times[f]), CutKind.HARD, s) for f, s in hard]
        cuts += [
            Cut(t.frame, float(times[t.frame]), t.kind, t.score, t.start_frame, t.end_frame)
            for t in (*fades, *dissolves)
            if t.frame < len(times)
        ]
        return tuple(sorted(cuts, key=lambda c: (c.frame, c.start_frame)))
