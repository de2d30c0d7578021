"""Analyse a cut from Python: cuts, transitions, flashes, impacts and shots.

Run: ``python examples/analyze_a_cut.py [VIDEO]``. Without a VIDEO it analyses the shipped
demo cut. Prints the cut list with timecodes, and the busiest shots.
"""

import sys
from pathlib import Path

import sonics
from sonics.core.timebase import frame_to_timecode

DEMO = Path(__file__).resolve().parent.parent / "samples" / "demo" / "demo_cut.mp4"


def main(video: Path) -> None:
    analysis = sonics.analyze(video)
    rate = analysis.picture.frame_rate
    print(f"{video.name}: {analysis.picture.n_frames} frames at {rate} fps")
    for cut in analysis.cuts:
        span = "" if not cut.is_gradual else f" (frames {cut.start_frame}-{cut.end_frame})"
        print(f"  {frame_to_timecode(cut.frame, rate)}  {cut.kind}{span}")
    print(f"  {len(analysis.flashes)} flashes, {len(analysis.impacts)} impacts")
    busiest = sorted(analysis.shots, key=lambda s: -s.motion_mean)[:3]
    for shot in busiest:
        print(f"  shot {shot.index} at {shot.start_s:.2f} s: {shot.intensity}, motion {shot.motion_mean:.2f}")
    for region in analysis.audio_regions:
        print(f"  {region.kind} from {region.start_s:.2f} s to {region.end_s:.2f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEMO)
