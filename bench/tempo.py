"""Bench the tempo stage: hits caught by sonics' tempo map, by one constant tempo, and by a naive search.

Run from the repository root::

    python bench/tempo.py [--repeats 3] [--quick]

For each cut list (generated lists with random shot lengths of 0.8-4.5 s, a planted 128 BPM
list with random extra cuts, the demo cut's true cut list ``samples/demo/demo_cut.cuts.csv``,
and a 10-minute generated list) the hits are spotted as ``sonics tempo`` spots them (an
analysis of the cut list, weighted by spotting) and three fits are compared:

- **map**: ``sonics.map_tempo`` with the battle preset's ``[tempo]`` table;
- **const**: the top of ``sonics.fit_tempo`` (one constant tempo, chance-corrected);
- **naive**: a grid search without chance correction: every tempo of the range at 0.01 BPM
  and every phase in quarter frames, keeping the one that catches the most weighted hits.

It prints, per list, the share of the hard cuts within 1 frame of each fit's eighth-note grid,
the sync hits within 1 ms of a beat, the tempos found, and CPU time per fit (median of
``--repeats`` runs; ``time.process_time``, so a loaded machine slows the wall clock, not the
figures). Then the speed of Find Tempo alone on hundreds of hits over 40-220 BPM at 0.01 steps.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import sonics
from sonics.core.model import Hit
from sonics.core.rng import stage_rng
from sonics.core.tempo import TempoMap
from sonics.pipeline.tempo import tempo_hits
from sonics.presets import load_preset
from sonics.tempo import fit_tempo, map_tempo, score_tempo
from sonics.testing.tempo import random_cut_frames

ROOT = Path(__file__).resolve().parent.parent
DEMO_CUTS = ROOT / "samples" / "demo" / "demo_cut.cuts.csv"
FPS = 24


def _shots(frames: np.ndarray, n_frames: int) -> list[tuple[int, int]]:
    bounds = [0, *(int(f) for f in frames), n_frames]
    return list(itertools.pairwise(bounds))


def cut_lists(quick: bool) -> list[tuple[str, np.ndarray, int]]:
    """Return (name, hard-cut frames, picture length in frames) for each list benched."""
    lists = []
    for seed in range(2 if quick else 5):
        lists.append((f"random {seed} (90 s)", random_cut_frames(seed, duration_s=90.0), 90 * FPS))
    rng = stage_rng(7, "bench:planted")
    beats = np.sort(rng.choice(np.arange(4, 190), 50, replace=False))
    planted = np.round(beats * 60 / 128 * FPS + rng.integers(-1, 2, beats.size))
    noise = rng.integers(FPS, 89 * FPS, 20)
    lists.append(("128 BPM + 20 random cuts", np.unique(np.r_[planted, noise]).astype(np.int64), 90 * FPS))
    with DEMO_CUTS.open(newline="") as handle:
        demo = np.array([int(r["frame"]) for r in csv.DictReader(handle) if r["kind"] == "hard_cut"])
    lists.append(("demo cut (true cuts, 30 s)", demo, 720))
    if not quick:
        lists.append(("random 9 (10 min)", random_cut_frames(9, duration_s=600.0), 600 * FPS))
    return lists


def naive_search(
    hits: tuple[Hit, ...], min_bpm: float, max_bpm: float, tol_frames: float
) -> tuple[float, float]:
    """Return (bpm, phase_s) catching the most weighted hits on the eighths, no chance correction."""
    t = np.array([h.time_s for h in hits])
    w = np.array([h.weight for h in hits])
    tol_s = tol_frames / FPS + 1e-6
    bpm = np.round(np.arange(min_bpm, max_bpm + 1e-9, 0.01), 2)
    steps = np.arange(int(np.ceil(30.0 / min_bpm * 4 * FPS))) / (4 * FPS)  # quarter frames
    best = (-1.0, 0.0, 0.0)
    for lo in range(0, bpm.size, 256):
        period = (30.0 / bpm[lo : lo + 256])[:, None, None]  # one eighth note
        phase = np.mod(steps[None, :, None], period)
        off = np.mod(t[None, None, :] - phase + period / 2, period) - period / 2
        caught = (np.abs(off) <= tol_s) @ w
        k, p = np.unravel_index(np.argmax(caught), caught.shape)
        if caught[k, p] > best[0]:
            best = (float(caught[k, p]), float(bpm[lo + k]), float(phase[k, p, 0]))
    return best[1], best[2]


def _on_grid(tempo_map: TempoMap, cut_s: np.ndarray) -> float:
    return float(np.mean(np.abs(tempo_map.frames_off(cut_s)) <= 1.0 + 1e-6))


def _sync_on_beat(tempo_map: TempoMap) -> tuple[int, int]:
    sync = [h for h in tempo_map.hits if h.sync]
    return len(sync) - len(tempo_map.off_beat_sync()), len(sync)


def _timed(fn: Callable[[], Any], repeats: int) -> tuple[Any, float]:
    times, result = [], None
    for _ in range(repeats):
        start = time.process_time()
        result = fn()
        times.append(time.process_time() - start)
    return result, statistics.median(times)


def bench_lists(repeats: int, quick: bool) -> None:
    settings = load_preset("battle").tempo
    spotting = load_preset("battle").spotting
    print(
        "hard cuts within 1 frame of the eighth-note grid (chance: what random cuts would score); "
        f"sync hits (weight >= {settings.sync_weight}) within 1 ms of a beat; "
        f"{settings.min_bpm:g}-{settings.max_bpm:g} BPM"
    )
    head = (
        f"{'cut list':<27} {'cuts':>4} {'sync':>4} | {'map':>4} {'segs':>4} {'sync ok':>7} {'cpu s':>5} | "
        f"{'const':>5} {'chance':>6} {'BPM':>6} {'cpu s':>5} | "
        f"{'naive':>5} {'chance':>6} {'BPM':>6} {'cpu s':>5}"
    )
    print(head)
    print("-" * len(head))
    totals: dict[str, list[float]] = {"map": [], "const": [], "naive": []}
    for name, frames, n_frames in cut_lists(quick):
        analysis = sonics.analyze(_shots(frames, n_frames), frame_rate=FPS)
        hits = tempo_hits(analysis, spotting, settings)
        duration_s = n_frames / FPS
        cut_s = frames / FPS
        tempo_map, map_s = _timed(
            lambda h=hits, d=duration_s: map_tempo(h, settings=settings, frame_rate=FPS, duration_s=d),
            repeats,
        )
        table, fit_s = _timed(
            lambda h=hits: fit_tempo(
                h,
                min_bpm=settings.min_bpm,
                max_bpm=settings.max_bpm,
                step_bpm=settings.step_bpm,
                frame_rate=FPS,
            ),
            repeats,
        )
        const = table[0].tempo_map(FPS).with_hits(hits, sync_weight=settings.sync_weight)
        (naive_bpm, naive_phase), naive_s = _timed(
            lambda h=hits: naive_search(h, settings.min_bpm, settings.max_bpm, settings.tolerance_frames), 1
        )
        naive = TempoMap.constant(naive_bpm, offset_s=naive_phase, frame_rate=FPS)
        row = {
            "map": _on_grid(tempo_map, cut_s),
            "const": _on_grid(const, cut_s),
            "naive": _on_grid(naive, cut_s),
        }
        for key, value in row.items():
            totals[key].append(value)
        m_ok, n_sync = _sync_on_beat(tempo_map)
        chance = {
            bpm: score_tempo(hits, bpm, frame_rate=FPS).weight_chance / sum(h.weight for h in hits)
            for bpm in (table[0].bpm, naive_bpm)
        }
        print(
            f"{name:<27} {frames.size:>4} {n_sync:>4} | {row['map']:>4.0%} {len(tempo_map.segments):>4} "
            f"{f'{m_ok}/{n_sync}':>7} {map_s:>5.2f} | {row['const']:>5.0%} {chance[table[0].bpm]:>6.0%} "
            f"{table[0].bpm:>6.1f} {fit_s:>5.2f} | {row['naive']:>5.0%} {chance[naive_bpm]:>6.0%} "
            f"{naive_bpm:>6.1f} {naive_s:>5.2f}"
        )
    print("-" * len(head))
    means = {key: f"{np.mean(values):.0%}" for key, values in totals.items()}
    print(f"{'mean':<37} | {means['map']:>4} {'':>18} | {means['const']:>5} {'':>20} | {means['naive']:>5}")


def bench_speed(repeats: int) -> None:
    print("\nFind Tempo alone: 40-220 BPM at 0.01 BPM steps (18,001 tempos), tolerance 1 frame, 24 fps")
    print(f"{'hits':>5} {'random cuts s':>14} {'planted 128 BPM s':>18}")
    for n in (100, 300, 600):
        rng = stage_rng(n, "bench:speed")
        random_s = np.sort(rng.integers(0, FPS * 900, n)) / FPS
        beats = np.sort(rng.choice(np.arange(4 * n), n, replace=False))
        planted = np.round(beats * 60 / 128 * FPS + rng.integers(-1, 2, n)) / FPS
        timings = []
        for times in (random_s, planted):
            _, cpu_s = _timed(
                lambda x=times: fit_tempo(x.tolist(), min_bpm=40, max_bpm=220, frame_rate=FPS), repeats
            )
            timings.append(cpu_s)
        print(f"{n:>5} {timings[0]:>14.2f} {timings[1]:>18.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per timing (the median is printed)")
    parser.add_argument("--quick", action="store_true", help="fewer lists, no 10-minute list")
    args = parser.parse_args()
    bench_lists(args.repeats, args.quick)
    bench_speed(args.repeats)


if __name__ == "__main__":
    main()
