"""Score a cut from an editor's script: hand sonics the cut list, get the scored folder back.

Run: ``python examples/score_a_cut_list.py [VIDEO]``. Without a VIDEO it uses the shipped demo
cut. The cuts come from a Python list (as an editor's script would pass them, here read from
the demo's own analysis so that they match the picture), the motion and the cut's own audio from
the video; the run is scored with the duel preset at EBU R128 loudness into a temporary folder.
"""

import sys
import tempfile
from pathlib import Path

import sonics

DEMO = Path(__file__).resolve().parent.parent / "samples" / "demo" / "demo_cut.mp4"


def main(video: Path) -> None:
    picture = sonics.analyze(video, audio=False)
    cut_frames = [c.frame for c in picture.cuts if c.kind == "hard"]
    edit = sonics.analyze(cut_frames, frame_rate=picture.picture.frame_rate, media=video)
    with tempfile.TemporaryDirectory() as folder:
        run = sonics.score(edit, preset="duel", out_dir=Path(folder) / "scored", seed=3, loudness="ebu-r128")
        summary = run.summary()
        print(f"{video.name}: {summary['n_cuts']} cuts from the list, {summary['n_cues']} cues")
        print(f"tempo {summary['bpm_first']} BPM over {summary['n_tempo_segments']} segments")
        print(f"mix {summary['integrated_lufs']} LUFS, true peak {summary['true_peak_dbtp']} dBTP")
        print("files: " + ", ".join(sorted(p.as_posix() for p in run.files if "/" not in p.as_posix())))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEMO)
