"""Bench the main job: ``sonics score`` end to end, wall time and peak memory.

Run from the repository root::

    python bench/score.py [--quick] [--repeats 1]

For the shipped demo cut (30 s, 960x540) and, unless ``--quick``, a 3-minute 1080p synthetic
battle edit with a speech track (rendered once into ``bench/_media/``, a few minutes), it runs
``sonics.score`` in a fresh process per run and prints its wall and CPU time, as a multiple of the
cut's duration (real time) and as a ratio to pure PyAV decoding of the same file, its peak
resident memory, and where the time went, stage by stage (from the progress callback: each
stage's first to last report). Timings on a shared 2-core VM vary by +-30 %: the load average
is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av

from sonics.testing import battle_edit, edit_truth, render_edit
from sonics.testing.audio import speech_track

ROOT = Path(__file__).resolve().parent.parent
MEDIA_DIR = ROOT / "bench" / "_media"
DEMO_VIDEO = ROOT / "samples" / "demo" / "demo_cut.mp4"
AUDIO_RATE_HZ = 48000

_CHILD = r"""
import json, resource, sys, time
import sonics

def status_kb(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])

stages = {}
def progress(stage, done, total):
    now = time.perf_counter()
    first, _ = stages.get(stage, (now, now))
    stages[stage] = (first, now)

started = time.perf_counter()
cpu0 = time.process_time()
result = sonics.score(sys.argv[1], out_dir=sys.argv[2], seed=1, on_progress=progress)
wall = time.perf_counter() - started
summary = result.summary()
print(json.dumps({
    "wall_s": wall,
    "cpu_s": time.process_time() - cpu0,
    "peak_kb": status_kb("VmHWM"),
    "stages": {k: [a - started, b - started] for k, (a, b) in stages.items()},
    "duration_s": summary["duration_s"],
    "lufs": summary["integrated_lufs"],
    "n_cues": summary["n_cues"],
    "n_parts": summary["n_music_parts"],
}))
"""


def battle_3min_1080p() -> Path:
    """Return a 3-minute 1080p battle edit with speech in its own audio (rendered once)."""
    edit = battle_edit(
        11, width=1920, height=1080, frame_rate=24, n_shots=80, min_shot_frames=36, max_shot_frames=72
    )
    path = MEDIA_DIR / "score_battle_1080p_3min.mp4"
    if not path.exists():
        MEDIA_DIR.mkdir(parents=True, exist_ok=True)
        print(f"rendering {path.relative_to(ROOT)} once (a few minutes)", file=sys.stderr)
        duration_s = edit_truth(edit).n_frames / 24
        regions = tuple((t, t + 2.5) for t in range(5, int(duration_s) - 5, 12))
        audio = speech_track(duration_s, sample_rate=AUDIO_RATE_HZ, regions=regions, seed=2)
        render_edit(edit, path, audio=audio, audio_sample_rate=AUDIO_RATE_HZ)
    return path


def pure_decode_s(path: Path) -> float:
    started = time.perf_counter()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            pass
    return time.perf_counter() - started


def run_score(path: Path) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), str(Path(scratch) / "out")],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the demo cut only")
    parser.add_argument("--repeats", type=int, default=1, help="runs per cut (median)")
    args = parser.parse_args()
    clips = [("demo cut 960x540 30 s", DEMO_VIDEO)]
    if not args.quick:
        clips.append(("battle 1080p 3 min", battle_3min_1080p()))
    load = os.getloadavg()[0]
    print(f"sonics score, preset battle; load average {load:.1f} (2 cores); medians of {args.repeats}")
    head = ("length", "decode", "score", "x real", "/decode", "cpu", "peak")
    print(f"{'cut':<24} " + " ".join(f"{h:>8}" for h in head))
    for label, path in clips:
        decode = statistics.median(pure_decode_s(path) for _ in range(args.repeats))
        runs = [run_score(path) for _ in range(args.repeats)]
        wall = statistics.median(r["wall_s"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        peak = max(r["peak_kb"] for r in runs) / 1024
        duration = runs[0]["duration_s"]
        print(
            f"{label:<24} {duration:6.1f}s {decode:7.2f}s {wall:7.2f}s {duration / wall:6.1f}x "
            f"{wall / decode:7.1f}x {cpu:7.2f}s {peak:6.0f}MB"
        )
        stages = runs[len(runs) // 2]["stages"]
        spans = "  ".join(
            f"{k} {b - a:.1f}s" for k, (a, b) in sorted(stages.items(), key=lambda kv: kv[1][0])
        )
        print(f"{'':<24} stages: {spans}")
    print(f"(media cache: {MEDIA_DIR.relative_to(ROOT)}; the 3-minute render is made once)")


if __name__ == "__main__":
    main()
