"""Bench the mix stage: speed as a multiple of real time, the parts it spends it on, and memory.

Run from the repository root::

    python bench/mix.py [--minutes 3] [--repeats 3]

A generated scene as long as ``--minutes`` (music: a pad and plucked notes; effects: body
impacts and sword clashes every 2-6 s and a noise bed; dialogue: speech-like sound in a
third of the time) is mixed by :func:`sonics.mix.mixdown.mix_stems` to each named
loudness target. It prints the CPU time (``time.process_time``, the machine being shared)
of the whole mix and of its parts, each as a multiple of real time (median of
``--repeats``, fastest-slowest beside it), next to the peers the parts stand in for:
pyloudnorm's integrated loudness and a 4x ``scipy.signal.resample_poly`` true peak (the
method the research note validated against libebur128). It ends with the peak memory of
one mix (``tracemalloc``, numpy's buffers included) over the size of the stems, and the
measured loudness and true peak of each mix.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pyloudnorm
from scipy import signal

from sonics.core.model import Analysis, AudioRegion, Picture
from sonics.core.sound import Stem
from sonics.dsp.dynamics import TruePeakLimiter, true_peak_db
from sonics.mix.loudness import integrated_lufs, measure_loudness
from sonics.mix.mixdown import mix_stems
from sonics.presets import load_preset
from sonics.sfx.generators.impact import BodyImpact
from sonics.sfx.generators.metal import SwordClash
from sonics.testing.audio import speech_track

SR = 48_000


def scene(minutes: float, seed: int = 0) -> tuple[list[Stem], np.ndarray, Analysis]:
    """Return the stems, the dialogue and its analysis (speech regions) of a scene ``minutes`` long."""
    rng = np.random.default_rng(seed)
    n = round(minutes * 60 * SR)
    t = np.arange(n) / SR
    pad = sum(np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3)) for f in (146.8, 174.6, 220.0, 293.7))
    plucks = np.zeros(n)
    tail = np.arange(SR // 4) / SR
    note = np.sin(2 * np.pi * 440.0 * tail) * np.exp(-tail / 0.08)
    for start in range(0, n - tail.size, SR // 4):
        plucks[start : start + tail.size] += note
    music = (0.1 * pad + 0.3 * plucks).astype(np.float32)
    hits = np.zeros((2, n), dtype=np.float32)
    time_s = 0.5
    while time_s < minutes * 60 - 1.0:
        make = BodyImpact(duration_s=1.0) if rng.random() < 0.5 else SwordClash(duration_s=1.0)
        sound = make.render(rng, SR).audio[0]
        start = round(time_s * SR)
        hits[:, start : start + sound.size] += sound[: n - start]
        time_s += rng.uniform(2.0, 6.0)
    sos = signal.butter(2, [200.0, 2000.0], btype="bandpass", fs=SR, output="sos")
    bed = (0.05 * signal.sosfilt(sos, rng.standard_normal((2, n)), axis=-1)).astype(np.float32)
    regions = tuple((s, s + 6.0) for s in np.arange(5.0, minutes * 60 - 7.0, 20.0))
    dialogue = speech_track(minutes * 60, sample_rate=SR, regions=regions, seed=seed, level_db=-24.0)
    stems = [
        Stem("music_score", "music", np.stack([music, np.roll(music, 24)]), SR),
        Stem("sfx_impact", "effects", hits, SR),
        Stem("sfx_wind", "effects", bed, SR),
    ]
    n_frames = round(minutes * 60 * 24)
    picture = Picture("scene.mp4", Fraction(24), n_frames, 1920, 1080, minutes * 60, has_audio=True)
    speech = tuple(AudioRegion(float(a), float(b), "speech", -24.0) for a, b in regions)
    analysis = Analysis(picture, np.arange(n_frames) / 24.0, (), (), None, audio_regions=speech)
    return stems, dialogue, analysis


def cpu_times(run: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return times


def row(label: str, times: list[float], duration_s: float) -> str:
    median = statistics.median(times)
    return (
        f"{label:44s} {median:7.2f} s  {duration_s / median:7.0f}x real time"
        f"  ({duration_s / max(times):.0f}-{duration_s / min(times):.0f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    stems, dialogue, analysis = scene(args.minutes)
    duration_s = args.minutes * 60
    settings = load_preset("battle").mix
    beds = {"sfx_wind"}
    premix = sum(s.audio for s in stems) + np.repeat(dialogue, 2, axis=0)

    print(f"mix stage on a {args.minutes:g}-minute generated scene, CPU time, median of {args.repeats}")
    print("(shared 2-core machine: other jobs ran at the same time)\n")
    results = {}
    for loudness in ("streaming", "ebu-r128", "atsc", "-16"):
        chosen = replace(settings, loudness=loudness)

        def run(chosen=chosen, loudness=loudness) -> None:
            results[loudness] = mix_stems(
                stems, dialogue=dialogue, analysis=analysis, bed_stems=beds, settings=chosen
            )

        print(row(f"mix_stems, {loudness}", cpu_times(run, args.repeats), duration_s))
    print()
    parts = {
        "true_peak_db (sonics, 4x)": lambda: true_peak_db(premix, SR),
        "peer: resample_poly 4x max": lambda: np.abs(signal.resample_poly(premix, 4, 1, axis=-1)).max(),
        "TruePeakLimiter at -1.1 dBTP (premix +6 dB)": lambda: TruePeakLimiter(-1.1)(2.0 * premix, SR),
        "integrated_lufs (pyloudnorm)": lambda: integrated_lufs(premix, SR),
        "peer: pyloudnorm.Meter.integrated_loudness": lambda: pyloudnorm.Meter(SR).integrated_loudness(
            premix.T
        ),
        "measure_loudness (all figures)": lambda: measure_loudness(premix, SR),
    }
    for label, run in parts.items():
        print(row(label, cpu_times(run, args.repeats), duration_s))

    stem_bytes = sum(s.audio.nbytes for s in stems) + dialogue.nbytes
    tracemalloc.start()
    mix_stems(stems, dialogue=dialogue, analysis=analysis, bed_stems=beds, settings=settings)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"\npeak memory of one mix: {peak / 2**20:.0f} MiB, {peak / stem_bytes:.1f}x the stems' size")
    print("\nloudness reached (integrated LUFS / true peak dBTP / limiter passes / largest limiting):")
    for loudness, result in results.items():
        m = result.loudness
        most = 0.0 - float(result.curve("limiter").gain_db.min())
        print(
            f"  {loudness:10s} {m.integrated_lufs:7.2f} LUFS  {m.true_peak_dbtp:6.2f} dBTP"
            f"  {result.n_passes} pass(es)  {most:.1f} dB"
        )


if __name__ == "__main__":
    main()
