"""Spot a cut and render a sound-effects pass from Python, then write it for the editor.

Run: ``python examples/sfx_pass.py [VIDEO]``. Without a VIDEO it uses the shipped demo cut.
It prints the cue sheet's first lines, renders the ambush preset with louder arrows, and
writes the stems, cues and premix into a temporary folder.
"""

import sys
import tempfile
from pathlib import Path

import sonics

DEMO = Path(__file__).resolve().parent.parent / "samples" / "demo" / "demo_cut.mp4"


def main(video: Path) -> None:
    analysis = sonics.analyze(video, audio=False)
    preset = sonics.load_preset("ambush")
    sheet = sonics.spot(analysis, preset)
    print(f"{video.name}: {len(sheet.cues)} cues on {len(sheet.layers)} layers")
    for cue in sheet.cues[:6]:
        print(f"  {cue.time_s:7.3f} s  {cue.layer:<12} {cue.intensity:.2f}  {cue.why[:70]}")
    result = sonics.sfx_pass(
        analysis, preset="ambush", seed=7, overrides=("sfx.layers.arrow_flyby.gain_db=-4",)
    )
    with tempfile.TemporaryDirectory() as folder:
        written = sonics.write_sfx_pass(result, Path(folder) / "out")
        print(f"wrote {len(written)} files: " + ", ".join(sorted(p.name for p in written)))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEMO)
