"""Bench the SFX pass: render speed as a multiple of real time, CPU time, and peak memory.

Run from the repository root::

    python bench/sfx.py [--preset battle] [--minutes 10] [--repeats 3] [--workers 2]

For the shipped demo cut (30 s) and a long cut made by repeating the demo's analysis
(``--minutes``, default 10), it times spotting and planning, then the pass two ways:

* **render**: every stem of the preset rendered on the workers and dropped
  (:func:`sonics.sfx.render.render_stems`): the pass without its files;
* **render+write**: :func:`sonics.pipeline.sfx.write_sfx_pass` into a scratch folder: the
  stems written by the workers, the premix summed from them, the JSON and CSV, every file
  flushed to the disk (32-bit float stems: 4.6 MB per second of picture for the battle
  preset's 11 stems and the premix, so a slow disk bounds this figure).

Each is printed as a multiple of real time (target: over 100x on 2 cores) from the median
wall time, and from the CPU time of the process and its workers (``CPU``: the speed one
core alone would give; the machine is shared, so read both). Peak memory is the largest
proportional set size (PSS: shared pages split between the processes that map them) of
the process and its workers, sampled every 20 ms during one render+write (Linux).
For the long cut it also prints each layer's CPU time, rendered alone in this process,
and for every generator the render time per second of audio.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import sonics
from sonics.core.model import Analysis, Cut, Flash, Impact, MotionEnvelope
from sonics.pipeline.sfx import SfxResult, write_sfx_pass
from sonics.presets import load_preset
from sonics.sfx.generators import GENERATORS
from sonics.sfx.plan import plan_sfx
from sonics.sfx.render import render_layer, render_stems, stem_buffer
from sonics.spotting import spot

ROOT = Path(__file__).resolve().parent.parent
DEMO_VIDEO = ROOT / "samples" / "demo" / "demo_cut.mp4"


def repeat_analysis(analysis: Analysis, times: int) -> Analysis:
    """Return the analysis of ``times`` copies of the picture played one after the other."""
    n = analysis.picture.n_frames
    step_s = analysis.picture.duration_s
    cuts, shots, impacts, flashes = [], [], [], []
    for k in range(times):
        df, ds = k * n, k * step_s
        if k:
            cuts.append(Cut(df, ds))
        cuts += [
            dataclasses.replace(
                c,
                frame=c.frame + df,
                time_s=c.time_s + ds,
                start_frame=c.start_frame + df,
                end_frame=c.end_frame + df,
            )
            for c in analysis.cuts
        ]
        shots += [
            dataclasses.replace(
                s,
                index=len(shots) + i,
                start_frame=s.start_frame + df,
                end_frame=s.end_frame + df,
                start_s=s.start_s + ds,
                end_s=s.end_s + ds,
            )
            for i, s in enumerate(analysis.shots)
        ]
        impacts += [Impact(i.frame + df, i.time_s + ds, i.strength) for i in analysis.impacts]
        flashes += [Flash(f.frame + df, f.time_s + ds, f.n_frames, f.strength) for f in analysis.flashes]
    motion = analysis.motion
    assert motion is not None
    picture = dataclasses.replace(analysis.picture, n_frames=n * times, duration_s=step_s * times)
    return Analysis(
        picture=picture,
        frame_times_s=np.arange(n * times) / float(picture.frame_rate),
        cuts=tuple(cuts),
        shots=tuple(shots),
        motion=MotionEnvelope(
            np.tile(motion.values, times), np.tile(motion.camera, times), np.tile(motion.subject, times)
        ),
        impacts=tuple(impacts),
        flashes=tuple(flashes),
    )


def _cpu_s() -> float:
    """CPU time (user + system) of this process and of its workers that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _reap_helpers() -> None:
    """Wait for the helpers still exiting (the pass does not), so that their CPU time is counted."""
    for helper in multiprocessing.active_children():
        helper.join()


def _timed(function: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """Return the median wall time, the median CPU time and the last result of ``repeats`` calls."""
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        cpu, start = _cpu_s(), time.perf_counter()
        result = function()
        walls.append(time.perf_counter() - start)
        _reap_helpers()
        cpus.append(_cpu_s() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration, ValueError):
        return 0


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    # the fields after the command name (which may hold spaces): state, ppid, ...
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _peak_pss_mb(function: Callable[[], object]) -> float:
    """Run ``function`` and return the largest PSS of this process and its children (MB), or NaN."""
    if not os.path.exists("/proc/self/smaps_rollup"):
        function()
        return float("nan")
    me, peak, done = os.getpid(), [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _pss_kb(me) + sum(_pss_kb(child) for child in _children(me)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        function()
    finally:
        done.set()
        sampler.join()
    return peak[0] / 1024


def _render(plan, workers: int) -> None:
    """Render every stem on the workers and keep none: the pass without its files."""
    for _ in render_stems(plan, lambda stem: None, workers=workers):
        pass


def _speed(duration_s: float, wall_s: float, cpu_s: float) -> str:
    return f"{wall_s:6.2f} s {duration_s / wall_s:6.1f}x (CPU {cpu_s:6.2f} s {duration_s / cpu_s:6.1f}x)"


def bench_pass(label: str, analysis: Analysis, preset_name: str, repeats: int, workers: int) -> None:
    preset = load_preset(preset_name)
    duration_s = analysis.picture.duration_s
    t_spot, _, sheet = _timed(lambda: spot(analysis, preset), repeats)
    t_plan, _, plan = _timed(lambda: plan_sfx(sheet, preset, seed=1), repeats)
    result = SfxResult(analysis, preset, sheet, plan)
    t_render, c_render, _ = _timed(lambda: _render(plan, workers), repeats)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        t_write, c_write, _ = _timed(
            lambda: write_sfx_pass(result, out, force=True, workers=workers), repeats
        )
        peak_mb = _peak_pss_mb(lambda: write_sfx_pass(result, out, force=True, workers=workers))
    stem_mb = 2 * 4 * plan.n_samples / 2**20
    print(
        f"{label:<14} {duration_s:4.0f} s  {len(sheet.cues):4d} cues {len(plan.layers):2d} layers  "
        f"spot {t_spot * 1e3:5.1f} ms  plan {t_plan * 1e3:5.1f} ms  peak {peak_mb:5.0f} MB "
        f"(one stem {stem_mb:.0f} MB)\n"
        f"{'':<16}render       {_speed(duration_s, t_render, c_render)}\n"
        f"{'':<16}render+write {_speed(duration_s, t_write, c_write)}"
    )


def bench_layers(analysis: Analysis, preset_name: str) -> None:
    preset = load_preset(preset_name)
    plan = plan_sfx(spot(analysis, preset), preset, seed=1)
    duration_s = analysis.picture.duration_s
    out = stem_buffer(plan.n_samples)
    print(f"\nper layer ({duration_s:.0f} s, rendered alone here), CPU ms per second of picture:")
    total = 0.0
    for layer in plan.layers:
        out.fill(0.0)
        cpu = time.process_time()
        render_layer(plan, layer, workers=1, out=out)
        cpu = time.process_time() - cpu
        total += cpu
        n_sounds = len(plan.for_layer(layer))
        print(f"  {layer:<12} {n_sounds:4d} sounds  {cpu:6.2f} s  {cpu * 1e3 / duration_s:6.2f} ms/s")
    print(f"  {'all':<12} {len(plan.sounds):4d} sounds  {total:6.2f} s  {total * 1e3 / duration_s:6.2f} ms/s")


def bench_generators(repeats: int) -> None:
    print("\nper generator (default parameters), ms of render per second of audio:")
    for name, generator in sorted(GENERATORS.items()):
        instance = generator()
        t, _, sound = _timed(lambda g=instance: g.render(np.random.default_rng(0)), repeats)
        per_s_ms = t * 1e3 / sound.duration_s
        print(f"  {name:<14} {sound.duration_s:6.2f} s  {t * 1e3:8.2f} ms  {per_s_ms:8.2f} ms/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="battle")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="processes rendering layers at once")
    args = parser.parse_args()
    demo = sonics.analyze(DEMO_VIDEO, audio=False)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"SFX pass, preset {args.preset!r}, {args.workers} workers, median of {args.repeats} "
        f"({os.cpu_count()} CPUs, load average {load})"
    )
    bench_pass("demo cut", demo, args.preset, args.repeats, args.workers)
    times = max(1, round(args.minutes * 60 / demo.picture.duration_s))
    long_cut = repeat_analysis(demo, times)
    label = f"{times * demo.picture.duration_s / 60:.0f}-minute cut"
    bench_pass(label, long_cut, args.preset, max(1, args.repeats // 2), args.workers)
    bench_layers(long_cut, args.preset)
    bench_generators(args.repeats)


if __name__ == "__main__":
    main()
