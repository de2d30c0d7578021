"""Bench the built-in synthesiser: render speed of a full battle cue as a multiple of real time.

Run from the repository root::

    python bench/music.py [--seconds 60] [--repeats 3] [--workers 2]

It builds a realistic battle cue (a 60 s score in D minor, 4/4, tempo ramping 140 -> 150
BPM over the first half: taiko patterns, cymbal crashes, a low-string ostinato, high
strings, brass stabs and horn lines, a pad, a choir and a koto; about 1,800 notes, with
crescendos in the parts' expression) and renders it with
:func:`sonics.music.synth.render_score`. It prints, for ``--workers`` processes (this one
and forked helpers; threads where there is no fork) and for one, the median wall time and
the CPU time of a render (this process and its helpers) as multiples of real time (target:
over 50x wall on 2 cores), then the CPU time of each part alone, and the load average
before and after. The machine is shared: read the CPU figures, and the spread of the wall
times beside the load.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import time

import numpy as np

from sonics.core.score import DRUM_CHANNEL, Note, Part, Score
from sonics.core.tempo import TempoMap, TempoSegment
from sonics.music.synth import render_part, render_score

D_MINOR = (38, 40, 41, 43, 45, 46, 48)  # D E F G A Bb C in octave 2


def battle_tempo_map(seconds: float) -> TempoMap:
    """140 BPM ramping linearly to 150 over the first half, then holding."""
    half = seconds / 2.0
    return TempoMap((TempoSegment(0.0, 0.0, 140.0, 150.0), TempoSegment(half, 145.0 * half / 60.0, 150.0)))


def battle_score(seconds: float = 60.0, seed: int = 0) -> Score:
    """Return a realistic battle cue of ``seconds``: eight parts, ~30 notes per second."""
    rng = np.random.default_rng(seed)
    tempo = battle_tempo_map(seconds)
    n_beats = int(tempo.seconds_to_beats(seconds))
    half_beat = n_beats // 2
    build = ((0.0, 0.35), (float(half_beat), 1.0), (float(n_beats), 0.85))
    taiko, cymbals, low, high, brass, pad, choir, koto = ([] for _ in range(8))
    for bar in range(n_beats // 4):
        b0 = 4.0 * bar
        full = b0 >= half_beat
        # taiko: o-daiko on 1 and 3, nagado eighths, rims on the off-beats, shime sixteenths when full
        for beat in range(4):
            taiko.append(Note(b0 + beat, 0.5, 36 if beat % 2 == 0 else 41, 120 if beat == 0 else 100))
            taiko.append(Note(b0 + beat + 0.5, 0.25, (43, 45, 41, 37)[beat], 70 + int(rng.integers(0, 30))))
            if full:
                taiko += [Note(b0 + beat + q, 0.25, 38, 50 + int(rng.integers(0, 40))) for q in (0.25, 0.75)]
        if bar % 4 == 3:
            taiko += [Note(b0 + 3 + q, 0.25, 45 - int(4 * q), 110) for q in (0.0, 0.25, 0.5, 0.75)]
        # cymbals: a crash every four bars, a china on the last beat of each phrase, ride when full
        if bar % 4 == 0:
            cymbals.append(Note(b0, 2.0, 49 if bar % 8 == 0 else 57, 120))
        if bar % 4 == 3:
            cymbals.append(Note(b0 + 3.5, 0.5, 52, 110))
        if full:
            cymbals += [Note(b0 + beat, 1.0, 51, 80) for beat in range(1, 4)]
        # low strings: an eighth-note ostinato on the chord's root and fifth, sixteenths when full
        root = D_MINOR[(0, 0, 5, 3)[bar % 4]]
        step = 0.25 if full else 0.5
        for k in range(int(4 / step)):
            key = root + (0, 0, 7, 0, 12, 0, 7, 3)[k % 8] - 12 * (k % 4 == 0)
            low.append(Note(b0 + k * step, step * 0.8, key, 115 if k % 4 == 0 else 85))
        # high strings: long notes over the bar in the build, an eighth-note line when full
        if full:
            high += [Note(b0 + 0.5 * k, 0.45, root + 36 + (0, 3, 7, 10)[k % 4], 95) for k in range(8)]
        else:
            high += [Note(b0, 4.0, root + 24 + 7, 80), Note(b0, 4.0, root + 36, 80)]
        # brass: stabs on 1 and the "and" of 2 (a minor triad), a horn line when full
        for at in (0.0, 1.5):
            brass += [Note(b0 + at, 0.3, root + 12 + i, 120) for i in (0, 3, 7)]
        if full and bar % 2 == 0:
            brass += [Note(b0 + 2.0, 2.0, root + 24, 105), Note(b0 + 2.0, 2.0, root + 19, 100)]
        # pad: the chord held over the bar
        pad += [Note(b0, 4.0, root + 24 + i, 90) for i in (0, 3, 7)]
        # choir: two-bar chords in the second half
        if full and bar % 2 == 0:
            choir += [Note(b0, 8.0, root + 36 + i, 100) for i in (0, 7)] + [Note(b0, 8.0, root + 27, 90)]
        # koto: a pentatonic eighth-note figure in the first half
        if not full:
            figure = (62, 65, 67, 69, 72, 69, 67, 65)
            koto += [
                Note(b0 + 0.5 * k, 0.5, figure[(k + bar) % 8], 70 + int(rng.integers(0, 40)))
                for k in range(8)
            ]
    parts = (
        Part("taiko", "taiko", 116, DRUM_CHANNEL, notes=tuple(taiko)),
        Part("cymbals", "cymbals", 0, DRUM_CHANNEL, notes=tuple(cymbals), gain_db=-4.0),
        Part("low_strings", "low_strings", 42, 0, notes=tuple(low), expression=build, pan=-0.2),
        Part(
            "high_strings", "high_strings", 48, 1, notes=tuple(high), expression=build, pan=0.3, gain_db=-3.0
        ),
        Part("brass", "brass", 61, 2, notes=tuple(brass), pan=0.1, gain_db=-2.0),
        Part("pad", "pad", 48, 3, notes=tuple(pad), expression=build, gain_db=-6.0),
        Part("choir", "choir", 52, 4, notes=tuple(choir), gain_db=-4.0),
        Part("koto", "koto", 107, 5, notes=tuple(koto), pan=-0.4, gain_db=-3.0),
    )
    return Score(tempo, parts, duration_s=seconds, key="D", mode="minor", seed=seed)


def _cpu_s() -> float:
    """CPU time of this process and of its children that have ended (the forked helpers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _timed(render) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), _cpu_s()
    render()
    wall = time.perf_counter() - wall
    for helper in multiprocessing.active_children():  # still exiting (the render does not wait): count it
        helper.join()
    return wall, _cpu_s() - cpu


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    score = battle_score(args.seconds)
    n_notes = sum(len(p.notes) for p in score.parts)
    print(f"battle cue: {args.seconds:g} s, {len(score.parts)} parts, {n_notes} notes, 140 -> 150 BPM")
    print(f"load average before: {_load()} ({os.cpu_count()} cores)")
    render_score(score, workers=1)  # warm: imports, caches, the allocator's pool
    for workers in dict.fromkeys((args.workers, 1)):
        runs = [_timed(lambda w=workers: render_score(score, workers=w)) for _ in range(args.repeats)]
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        print(
            f"workers={workers}: wall {wall:.2f} s (range {min(walls):.2f}-{max(walls):.2f}) = "
            f"{args.seconds / wall:.0f}x real time; CPU {cpu:.2f} s (all processes) = "
            f"{args.seconds / cpu:.0f}x real time per core"
        )
    n_samples = round(args.seconds * 48000)
    print("CPU per part (one render each):")
    for part in score.parts:
        _, cpu = _timed(lambda p=part: render_part(p, score.tempo_map, n_samples))
        print(f"  {part.name:13s} {len(part.notes):5d} notes  {cpu:6.2f} s  ({args.seconds / cpu:5.0f}x)")
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
