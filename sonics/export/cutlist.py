"""A cut list a person reads: one row per shot boundary, with SMPTE timecode."""

from __future__ import annotations

import csv
import io

from sonics.core.model import Analysis
from sonics.core.timebase import frame_to_timecode

__all__ = ["cut_list_csv"]


def cut_list_csv(analysis: Analysis) -> str:
    """Return the cut list as CSV text.

    Columns: ``n`` (1-based), ``timecode`` and ``frame`` of the first frame of the new
    shot, ``time_s``, ``kind``, ``start_timecode`` / ``end_timecode`` of the
    transition (equal to ``timecode`` for a hard cut), ``score``.
    """
    rate = analysis.picture.frame_rate
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["n", "timecode", "frame", "time_s", "kind", "start_timecode", "end_timecode", "score"])
    for i, cut in enumerate(analysis.cuts, start=1):
        writer.writerow(
            [
                i,
                frame_to_timecode(cut.frame, rate),
                cut.frame,
                f"{cut.time_s:.6f}",
                str(cut.kind),
                frame_to_timecode(cut.start_frame, rate),
                frame_to_timecode(cut.end_frame, rate),
                f"{cut.score:.3f}",
            ]
        )
    return out.getvalue()
