"""Bench the picture analysis in time chunks: one pass against chunks on 2 processes.

Run from the repository root::

    python bench/chunks.py [--repeats N] [--workers N]

On a 2-minute 960x540 battle edit (rendered once into ``bench/_media/``, as ``bench/analysis.py``
does), it prints the wall time of ``sonics.analyze(path, audio=False)`` in one pass, in chunks one
after another (the cost of the seams: each chunk seeks back to a keyframe and decodes 54 frames
of context), and in chunks on a ``ProcessPoolExecutor`` of ``--workers`` processes started
beforehand (as a Dask cluster would be) -- and checks that every chunked analysis is the one-pass
analysis exactly. Wall times on a shared, loaded machine vary a lot: read the range beside each
median, and the load average printed with them.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
from analysis import cached_render, cpu_model, log, table

import sonics
from sonics.core.model import Analysis
from sonics.testing import Edit, battle_edit, edit_truth

EDIT_SEED = 2
N_FRAMES = 2 * 60 * 24  # 2 minutes at 24 fps


def two_minute_edit() -> Edit:
    """Return the 2-minute 960x540 battle edit: whip pans, riders, flashes, dissolves."""
    edit = battle_edit(
        EDIT_SEED, width=960, height=540, frame_rate=24, n_shots=52, n_dissolves=3, max_shot_frames=84
    )
    missing = N_FRAMES - edit_truth(edit).n_frames
    last = edit.shots[-1]
    return replace(edit, shots=(*edit.shots[:-1], replace(last, n_frames=max(12, last.n_frames + missing))))


def same(a: Analysis, b: Analysis) -> bool:
    """Tell if two analyses are exactly alike (cuts, events, motion bit for bit, warnings)."""
    motion = all(
        np.array_equal(getattr(a.motion, k), getattr(b.motion, k)) for k in ("values", "camera", "subject")
    )
    fields = ("cuts", "shots", "impacts", "flashes", "warnings")
    events = all(getattr(a, k) == getattr(b, k) for k in fields)
    return motion and events and np.array_equal(a.frame_times_s, b.frame_times_s)


def cpu_s(pids: Sequence[int]) -> float:
    """Return the CPU time of this process and of ``pids`` (the pool's workers) so far [s]."""
    total = time.process_time()
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each way (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="processes of the pool (default 2)")
    args = parser.parse_args(argv)
    path = cached_render(two_minute_edit(), "battle_540p_2min", "2 min 960x540 battle edit")

    print("sonics chunked picture analysis bench")
    print(f"machine:  {platform.system()} {platform.machine()}, nproc {os.cpu_count()}, {cpu_model()}")
    print(f"file:     {path.name} ({N_FRAMES} frames, 960x540, 24 fps)")
    print(f"load avg: {load()} (1, 5, 15 min) before")
    with ProcessPoolExecutor(args.workers) as pool:
        list(pool.map(abs, range(args.workers)))  # the workers are up before the clock starts
        workers = [process.pid for process in pool._processes.values()]
        ways: list[tuple[str, Callable[[], Analysis]]] = [
            ("one pass", lambda: sonics.analyze(path, audio=False)),
            ("chunks of 60 s, one after another", lambda: sonics.analyze(path, audio=False, chunk_s=60.0)),
            (
                f"chunks of 60 s, {args.workers} processes",
                lambda: sonics.analyze(path, audio=False, chunk_s=60.0, map=pool.map),
            ),
            (
                f"chunks of 30 s, {args.workers} processes",
                lambda: sonics.analyze(path, audio=False, chunk_s=30.0, map=pool.map),
            ),
        ]
        walls: dict[str, list[float]] = {name: [] for name, _ in ways}
        cpus: dict[str, list[float]] = {name: [] for name, _ in ways}
        alike: dict[str, bool] = {}
        whole = None
        for repeat in range(args.repeats):  # interleaved, so that a change of load hits every way
            for name, run in ways:
                log(f"run {repeat + 1}/{args.repeats}: {name}")
                cpu, started = cpu_s(workers), time.perf_counter()
                result = run()
                walls[name].append(time.perf_counter() - started)
                cpus[name].append(cpu_s(workers) - cpu)
                whole = whole or result
                alike[name] = alike.get(name, True) and same(result, whole)
    print(f"load avg: {load()} after")
    print()
    base = statistics.median(walls["one pass"])
    rows = [
        (
            name,
            f"{statistics.median(walls[name]):.2f}",
            f"{min(walls[name]):.2f}..{max(walls[name]):.2f}",
            f"{base / statistics.median(walls[name]):.2f}x",
            f"{statistics.median(cpus[name]):.2f}",
            "yes" if alike[name] else "NO",
        )
        for name, _ in ways
    ]
    headers = ["way", "wall s (median)", "wall range", "speed-up", "CPU s (all processes)", "same analysis"]
    print(table(headers, rows))
    return 0 if all(alike.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
