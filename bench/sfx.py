"""Bench the SFX pass: render speed as a multiple of real time, and peak memory.

Run from the repository root::

    python bench/sfx.py [--preset battle] [--minutes 10] [--repeats 3]

For the shipped demo cut (30 s) and a long cut made by repeating the demo's analysis
(``--minutes``, default 10), it times spotting, planning and rendering the preset's stems
(the analysis itself is benched by ``bench/analysis.py`` and is not counted), and prints
each as a multiple of real time (target: over 100x on 2 cores) with the peak memory of
rendering and writing the stems into a scratch folder, measured by ``tracemalloc``
(numpy's buffers included). It also prints the
render time per generator, per second of audio.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

import sonics
from sonics.core.model import Analysis, Cut, Flash, Impact, MotionEnvelope
from sonics.pipeline.sfx import SfxResult, write_sfx_pass
from sonics.presets import load_preset
from sonics.sfx.generators import GENERATORS
from sonics.sfx.plan import plan_sfx
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


def _timed(function, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_pass(label: str, analysis: Analysis, preset_name: str, repeats: int, workers: int) -> None:
    preset = load_preset(preset_name)
    duration_s = analysis.picture.duration_s
    t_spot, sheet = _timed(lambda: spot(analysis, preset), repeats)
    t_plan, plan = _timed(lambda: plan_sfx(sheet, preset, seed=1), repeats)
    result = SfxResult(analysis, preset, sheet, plan)
    with tempfile.TemporaryDirectory() as scratch:
        t_write, _ = _timed(
            lambda: write_sfx_pass(result, Path(scratch) / "out", force=True, workers=workers), repeats
        )
        tracemalloc.start()
        write_sfx_pass(result, Path(scratch) / "out", force=True, workers=workers)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    total = t_spot + t_plan + t_write
    stem_mb = 2 * 4 * plan.n_samples / 2**20
    print(
        f"{label:<14} {duration_s:6.0f} s {len(sheet.cues):5d} cues {len(plan.layers):3d} layers  "
        f"spot {t_spot * 1e3:5.1f} ms  plan {t_plan * 1e3:5.1f} ms  render+write {t_write:6.2f} s  "
        f"-> {duration_s / total:6.1f}x real time  peak {peak / 2**20:6.0f} MB (one stem {stem_mb:.0f} MB)"
    )


def bench_generators(repeats: int) -> None:
    print("\nper generator (default parameters), ms of render per second of audio:")
    for name, generator in sorted(GENERATORS.items()):
        instance = generator()
        t, sound = _timed(lambda g=instance: g.render(np.random.default_rng(0)), repeats)
        per_s_ms = t * 1e3 / sound.duration_s
        print(f"  {name:<14} {sound.duration_s:6.2f} s  {t * 1e3:8.2f} ms  {per_s_ms:8.2f} ms/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="battle")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="threads rendering sounds ahead")
    args = parser.parse_args()
    demo = sonics.analyze(DEMO_VIDEO, audio=False)
    print(f"SFX pass, preset {args.preset!r}, median of {args.repeats}")
    bench_pass("demo cut", demo, args.preset, args.repeats, args.workers)
    times = max(1, round(args.minutes * 60 / demo.picture.duration_s))
    bench_pass(
        f"{times * demo.picture.duration_s / 60:.0f}-minute cut",
        repeat_analysis(demo, times),
        args.preset,
        max(1, args.repeats // 2),
        args.workers,
    )
    bench_generators(args.repeats)


if __name__ == "__main__":
    main()
