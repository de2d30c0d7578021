"""Bench the arrangement and the MIDI writer: CPU time per minute of picture.

Run from the repository root::

    python bench/arrange.py [--minutes 1 10] [--repeats 3] [--preset battle]

For generated cuts of random shot lengths (0.8-4.5 s, intensities rising and falling, a
motion envelope, impacts), on a constant 132 BPM map and on a map that ramps between tempos
every 16 bars, it times :func:`sonics.music.arrange` and :func:`sonics.export.midi.midi_bytes`
(CPU time, ``time.process_time``, median of ``--repeats``; the machine may be loaded) and
prints them with the notes written and the size of the file, as a multiple of real time.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from fractions import Fraction

import numpy as np

from sonics.core.model import Analysis, Cut, Impact, MotionEnvelope, Picture, Shot, ShotIntensity
from sonics.core.tempo import TempoMap, TempoSegment
from sonics.export.midi import midi_bytes
from sonics.music import arrange
from sonics.presets import load_preset

FPS = 24
_LEVELS = (ShotIntensity.CALM, ShotIntensity.TENSION, ShotIntensity.BATTLE)


def generated_cut(minutes: float, seed: int = 0) -> Analysis:
    """Return the analysis of a cut with random shot lengths whose intensity wanders up and down."""
    rng = np.random.default_rng(seed)
    n_frames = round(minutes * 60 * FPS)
    bounds = [0]
    while bounds[-1] < n_frames:
        bounds.append(min(n_frames, bounds[-1] + round(rng.uniform(0.8, 4.5) * FPS)))
    level = 0
    shots, motion = [], np.zeros(n_frames)
    for i, (a, b) in enumerate(itertools.pairwise(bounds)):
        level = int(np.clip(level + rng.choice([-1, 0, 0, 1]), 0, 2))
        m = float(np.clip(0.2 + 0.35 * level + rng.normal(0, 0.1), 0, 1))
        motion[a:b] = m
        shots.append(Shot(i, a, b, a / FPS, b / FPS, m, 30.0, _LEVELS[level]))
    cuts = tuple(Cut(f, f / FPS) for f in bounds[1:-1])
    impacts = tuple(
        Impact(f, f / FPS, float(rng.uniform(0.5, 1.0))) for f in rng.choice(n_frames, 8, replace=False)
    )
    picture = Picture("generated.mp4", Fraction(FPS), n_frames, 1920, 1080, n_frames / FPS)
    return Analysis(
        picture,
        np.arange(n_frames) / FPS,
        cuts,
        tuple(shots),
        MotionEnvelope(motion, motion, motion),
        impacts,
    )


def ramping_map(minutes: float) -> TempoMap:
    """Return a map that holds 16 bars, then ramps 4 bars to the next tempo (126, 134, 128, ...)."""
    tempos = [126.0, 134.0, 128.0, 138.0, 130.0]
    segments = [TempoSegment(0.0, 0.0, tempos[0])]
    t, beat, k = 0.0, 0.0, 0
    while t < minutes * 60:
        bpm, nxt = tempos[k % len(tempos)], tempos[(k + 1) % len(tempos)]
        t += 64 * 60.0 / bpm
        beat += 64
        segments.append(TempoSegment(t, beat, bpm, nxt))
        t += 16 * 60.0 / ((bpm + nxt) / 2)
        beat += 16
        segments.append(TempoSegment(t, beat, nxt))
        k += 1
    return TempoMap(tuple(segments), frame_rate=FPS)


def _cpu(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--preset", default="battle")
    args = parser.parse_args()
    settings = load_preset(args.preset).music
    print(f"preset {args.preset}: {', '.join(settings.parts)}; CPU seconds, median of {args.repeats}")
    heads = ("picture", "map", "notes", "arrange s", "x real", "midi s", "x real", "kB")
    print(" ".join(f"{h:>{w}}" for h, w in zip(heads, (8, 9, 7, 10, 7, 7, 7, 6), strict=True)))
    for minutes in args.minutes:
        analysis = generated_cut(minutes)
        for name, tm in (
            ("132 BPM", TempoMap.constant(132.0, frame_rate=FPS)),
            ("ramps", ramping_map(minutes)),
        ):
            t_arrange, score = _cpu(
                lambda tm=tm, analysis=analysis: arrange(tm, analysis, settings=settings, seed=1),
                args.repeats,
            )
            t_midi, data = _cpu(lambda score=score: midi_bytes(score), args.repeats)
            n_notes = sum(len(p.notes) for p in score.parts)
            length = minutes * 60
            print(
                f"{minutes:>6.1f} m {name:>9} {n_notes:>7} {t_arrange:>10.3f} {length / t_arrange:>7.0f} "
                f"{t_midi:>7.3f} {length / t_midi:>7.0f} {len(data) / 1000:>6.0f}"
            )


if __name__ == "__main__":
    main()
