"""Bench ``sonics fit-music``: hits on beats before and after, time per fit, and the time-stretch.

Run from the repository root::

    python bench/fit_music.py [--quick]

1. **Fits**: generated tracks (drums, bass and chords at known tempos and meters, A/B/A sections
   and an ending) fitted to cut lists with random shot lengths (0.8-4.5 s, on 24 fps frames)
   of several lengths (shorter and longer than the track). For each: the weighted share of
   hits within one frame of a beat, before (the track as it is, laid from the first frame)
   and after the fit; sync hits on beats and downbeats; the stretch range; the CPU time of
   the fit (beat tracking, planning, rendering; librosa's first-call compile excluded by a
   warm-up fit).
2. **Stretch** quality against ``librosa.effects.time_stretch`` (a plain phase vocoder): a
   track rendered at 126 BPM is stretched to 120 BPM and compared with the same track
   rendered natively at 120 BPM: log-spectral distance (dB, lower is closer), transient
   sharpness (peak of the >4 kHz energy envelope at the beats relative to the native
   rendering's; 1 = as sharp), and CPU time.

The machine is shared (2 cores, other jobs running): read CPU times as relative.
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

import numpy as np
from scipy import signal

from sonics.core.model import Hit
from sonics.dsp.stretch import time_stretch
from sonics.music.fitter import fit_track
from sonics.testing.music import band_track

RATE = 48000
FPS = Fraction(24)


def cut_list(seed: int, duration_s: float) -> tuple[Hit, ...]:
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.uniform(0.8, 4.5, 400))
    frames = np.round(times[times < duration_s - 0.3] * 24).astype(int)
    return tuple(Hit(f / 24, 1.0, f"cut:{f}") for f in frames)


def fits(quick: bool) -> None:
    tracks = [(120.0, 4, "ABA", 4), (97.0, 4, "ABAB", 4), (141.0, 3, "ABA", 4), (132.0, 4, "AB", 2)]
    lengths = [0.6, 1.3] if quick else [0.5, 0.8, 1.3, 2.5]
    fit_track(
        band_track(bpm=120.0, form="A", bars_per_section=2).audio,
        RATE,
        (),
        n_samples=RATE * 5,
        frame_rate=FPS,
    )
    print("\n1. Hits on beats (+-1 frame at 24 fps), weighted share, before -> after")
    print(
        f"{'track':<22}{'picture':>9}{'hits':>6}{'before':>9}{'after':>8}{'sync on beat':>14}"
        f"{'on downbeat':>13}{'stretch':>16}{'cpu s':>8}  notes"
    )
    befores, afters = [], []
    for bpm, meter, form, bars in tracks:
        truth = band_track(bpm=bpm, meter=meter, form=form, bars_per_section=bars, seed=int(bpm))
        for k, factor in enumerate(lengths):
            duration = truth.n_samples / RATE * factor
            hits = cut_list(int(bpm) * 10 + k, duration)
            started = time.process_time()
            fitted = fit_track(truth.audio, RATE, hits, n_samples=round(duration * RATE), frame_rate=FPS)
            cpu = time.process_time() - started
            before, after = fitted.report["before"], fitted.report["after"]
            befores.append(before["share_on_beat"])
            afters.append(after["share_on_beat"])
            lo, hi = fitted.edit.info.get("stretch_range", (1.0, 1.0))
            name = f"{bpm:g} BPM {meter}/4 {form}"
            notes = "; ".join(n.split(":")[0] for n in fitted.notes)
            print(
                f"{name:<22}{duration:>8.1f}s{len(hits):>6}{100 * before['share_on_beat']:>8.0f}%"
                f"{100 * after['share_on_beat']:>7.0f}%{after['n_sync_on_beat']:>8}/{after['n_sync']:<5}"
                f"{after['n_sync_on_downbeat']:>9}/{after['n_sync']:<3}{lo:>8.3f}-{hi:.3f}"
                f"{cpu:>8.2f}  {notes}"
            )
    print(f"mean share on beats: before {100 * np.mean(befores):.0f} %, after {100 * np.mean(afters):.0f} %")


def _hf_sharpness(audio: np.ndarray, beats_s: np.ndarray) -> float:
    sos = signal.butter(4, 4000.0, "highpass", fs=RATE, output="sos")
    hf = signal.sosfilt(sos, audio.mean(axis=0).astype(np.float64))
    envelope = np.sqrt(np.convolve(hf**2, np.ones(48) / 48, mode="same"))
    peaks = [envelope[max(0, round(t * RATE) - 1440) : round(t * RATE) + 1440].max() for t in beats_s]
    return float(np.mean(peaks))


def _lsd_db(a: np.ndarray, b: np.ndarray) -> float:
    n = min(a.shape[1], b.shape[1])
    _, _, sa = signal.stft(a[:, :n].mean(axis=0), fs=RATE, nperseg=2048, noverlap=1536)
    _, _, sb = signal.stft(b[:, :n].mean(axis=0), fs=RATE, nperseg=2048, noverlap=1536)
    da = 20 * np.log10(np.abs(sa) + 1e-5)
    db = 20 * np.log10(np.abs(sb) + 1e-5)
    return float(np.sqrt(np.mean((da - db) ** 2)))


def stretch() -> None:
    import librosa

    ratio = 126.0 / 120.0
    source = band_track(bpm=126.0, form="AB", bars_per_section=2, seed=1, tail_s=0.5)
    native = band_track(bpm=120.0, form="AB", bars_per_section=2, seed=1, tail_s=0.5 * ratio)
    beats = native.beat_times_s[:-1]
    reference = _hf_sharpness(native.audio, beats)
    librosa.effects.time_stretch(source.audio[0, :RATE], rate=1.0)  # warm-up
    rows = []
    for name, run in (
        ("sonics.dsp.stretch", lambda: time_stretch(source.audio, ratio)),
        (
            "librosa.effects.time_stretch",
            lambda: np.stack([librosa.effects.time_stretch(c, rate=1 / ratio) for c in source.audio]),
        ),
    ):
        started = time.process_time()
        out = run()
        cpu = time.process_time() - started
        rows.append((name, _lsd_db(out, native.audio), _hf_sharpness(out, beats) / reference, cpu))
    print(
        f"\n2. Stretch 126 -> 120 BPM ({source.n_samples / RATE:.1f} s stereo) "
        "against a native 120 BPM rendering"
    )
    print(f"{'stretcher':<30}{'LSD dB':>8}{'sharpness':>11}{'cpu s':>8}")
    for name, lsd, sharp, cpu in rows:
        print(f"{name:<30}{lsd:>8.2f}{sharp:>11.2f}{cpu:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two picture lengths per track")
    args = parser.parse_args()
    fits(args.quick)
    stretch()


if __name__ == "__main__":
    main()
