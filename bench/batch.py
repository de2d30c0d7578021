"""Bench ``sonics batch``: episodes per minute on 1 and 2 Dask workers, and the overhead over a loop.

Run from the repository root::

    python bench/batch.py [--episodes 6] [--seconds 20]

It renders a small series once into ``bench/_media/series/`` (640x360 battle edits of
``--seconds`` each, with speech), then times, each into a fresh output root:

1. ``sonics score`` run in a loop, one process per episode (what a script would do);
2. ``sonics.batch`` on a local cluster of 1 worker (the overhead of Dask against the loop);
3. ``sonics.batch`` on 2 workers (the throughput a 2-core machine gets);
4. ``sonics.batch`` again over the scored series (every episode unchanged: skipped).

Timings on a shared 2-core VM vary by +-30 %: the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sonics
from sonics.testing import battle_edit, edit_truth, render_edit
from sonics.testing.audio import speech_track

ROOT = Path(__file__).resolve().parent.parent
SERIES_DIR = ROOT / "bench" / "_media" / "series"
RATE_HZ = 48000


def series(n_episodes: int, seconds: float) -> list[Path]:
    """Return the series' episodes, rendering those missing."""
    SERIES_DIR.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_episodes):
        path = SERIES_DIR / f"ep{i + 1:02d}_{seconds:g}s.mp4"
        if not path.exists():
            n_shots = max(2, round(seconds / 2))
            edit = battle_edit(100 + i, width=640, height=360, frame_rate=24, n_shots=n_shots)
            duration_s = edit_truth(edit).n_frames / 24
            audio = speech_track(duration_s, sample_rate=RATE_HZ, regions=((1.0, 3.0),), seed=i)
            print(f"rendering {path.name} ({duration_s:.1f} s)", file=sys.stderr)
            render_edit(edit, path, audio=audio, audio_sample_rate=RATE_HZ)
        paths.append(path)
    return paths


def timed(label: str, run) -> float:
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    print(f"  {label:<34} {seconds:7.1f} s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    episodes = series(args.episodes, args.seconds)
    length_s = sonics.analyze(episodes[0], audio=False).picture.duration_s
    print(
        f"{len(episodes)} episodes of about {length_s:.0f} s, 640x360; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)

        def loop() -> None:
            for path in episodes:
                out = root / "loop" / path.stem
                out.parent.mkdir(parents=True, exist_ok=True)
                subprocess.run(
                    [sys.executable, "-m", "sonics", "score", str(path), "-o", str(out)], check=True
                )

        def batched(workers: int, name: str, force: bool = True) -> None:
            result = sonics.batch(episodes, out_root=root / name, workers=workers, force=force)
            assert result.n_failed == 0, [e.error for e in result.episodes]

        t_loop = timed("sonics score in a loop", loop)
        t_one = timed("sonics batch, 1 worker", lambda: batched(1, "one"))
        t_two = timed("sonics batch, 2 workers", lambda: batched(2, "two"))
        t_skip = timed("sonics batch again (all unchanged)", lambda: batched(2, "two", force=False))
        shutil.rmtree(root, ignore_errors=True)
    per_minute = lambda s: 60.0 * len(episodes) / s  # noqa: E731
    print(
        f"episodes per minute: loop {per_minute(t_loop):.1f}, batch 1 worker {per_minute(t_one):.1f}, "
        f"2 workers {per_minute(t_two):.1f} ({t_one / t_two:.2f}x of 1 worker); "
        f"Dask overhead on 1 worker {100 * (t_one / t_loop - 1):+.0f} % of the loop; "
        f"an unchanged series re-checked in {t_skip:.1f} s"
    )


if __name__ == "__main__":
    main()
