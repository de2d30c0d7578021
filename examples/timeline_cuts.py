"""Hand sonics the cuts from an editor's timeline, and let it measure the motion.

Run: ``python examples/timeline_cuts.py``. Builds an OpenTimelineIO timeline that plays the
demo cut in pieces (as an editor's project holding the rendered cut would), analyses it, and
shows that the cuts come from the timeline while the motion comes from the picture.
"""

import itertools
from pathlib import Path

import opentimelineio as otio

import sonics

DEMO = Path(__file__).resolve().parent.parent / "samples" / "demo" / "demo_cut.mp4"
RATE = 24.0


def demo_timeline(cut_frames: list[int], n_frames: int) -> otio.schema.Timeline:
    """Return a timeline whose clips play the demo cut straight through, split at ``cut_frames``."""
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    bounds = [0, *cut_frames, n_frames]
    for start, end in itertools.pairwise(bounds):
        track.append(
            otio.schema.Clip(
                media_reference=otio.schema.ExternalReference(target_url=str(DEMO)),
                source_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(start, RATE), otio.opentime.RationalTime(end - start, RATE)
                ),
            )
        )
    timeline = otio.schema.Timeline(name="demo")
    timeline.tracks.append(track)
    return timeline


def main() -> None:
    analysis = sonics.analyze(demo_timeline([72, 112, 134, 164], 720))
    print(f"cuts from the timeline: {[c.frame for c in analysis.cuts]}")
    print(f"motion measured on {analysis.picture.path}: peak {analysis.motion.values.max():.2f}")


if __name__ == "__main__":
    main()
