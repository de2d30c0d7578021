"""Bench sonics' numpy beat tracker against librosa's numba one: the same beats, and what JIT costs.

Run from the repository root (librosa is in the ``test`` and ``bench`` extras)::

    python bench/beat_tracker.py [--quick] [--cold]

1. **Agreement**: on each track, :func:`sonics.music.beat_dp.track_beat_frames` and
   ``librosa.beat.beat_track`` (0.11) run on the same onset envelope (the one
   :func:`sonics.music.beats.track_beats` uses) with ``trim=False``, as sonics calls it. The
   tracks are ``bench/fit_music.py``'s four, then generated ones at other tempos, meters and
   seeds, with noise mixed in, varispeeded to tempos that are not a whole number of frames,
   and two without a beat (a pad, noise). Printed: F-measure at +-70 ms (beats matched one
   to one), mean offset of the matched beats, whether the frames are identical, the features
   (onset envelope, chroma, MFCC) against librosa's, and CPU time per track of each tracker
   (librosa warmed up first, so its compile is not counted here).
2. **Quality**: :func:`track_beats`' refined beats against the tracks' true beats (F-measure
   at +-70 ms and the largest error inside the track), which the tracker swap leaves as is.
3. **Import and first call** in a fresh interpreter (CPU time): ``track_beats`` as it is, and
   the librosa calls it used to make (``beat_track``, ``chroma_stft`` and the spectral
   features) on the same track. ``--cold`` adds librosa with an empty numba cache, as on a
   fresh install or a fresh CI venv.

The machine is shared (2 cores, other jobs running): read CPU times as relative.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sonics.dsp.resample import pitch_shift_by_resampling, resample
from sonics.dsp.spectral import chroma_stft, mfcc
from sonics.music import beats as beats_module
from sonics.music.beat_dp import track_beat_frames
from sonics.music.beats import track_beats
from sonics.testing.music import band_track, pad_track

RATE = 48000
SR = beats_module.ANALYSIS_RATE_HZ
HOP = 256
TOLERANCE_S = 0.07
REPO = Path(__file__).resolve().parents[1]


def f_measure(found_s: np.ndarray, reference_s: np.ndarray) -> tuple[float, float]:
    """Return the F-measure of beats within +-70 ms of the reference (one to one), and their mean offset."""
    if found_s.size == 0 or reference_s.size == 0:
        return (1.0 if found_s.size == reference_s.size else 0.0), 0.0
    used = np.zeros(reference_s.size, dtype=bool)
    offsets = []
    for t in found_s:
        gaps = np.where(used, np.inf, np.abs(reference_s - t))
        j = int(np.argmin(gaps))
        if gaps[j] <= TOLERANCE_S:
            used[j] = True
            offsets.append(t - reference_s[j])
    precision, recall = len(offsets) / found_s.size, len(offsets) / reference_s.size
    f = 0.0 if not offsets else 2 * precision * recall / (precision + recall)
    return f, float(np.mean(offsets)) if offsets else 0.0


def tracks(quick: bool) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """Return (name, audio at 48 kHz, true beat times or None) for every bench track."""
    out: list[tuple[str, np.ndarray, np.ndarray | None]] = []
    for bpm, meter, form, bars in [
        (120.0, 4, "ABA", 4),
        (97.0, 4, "ABAB", 4),
        (141.0, 3, "ABA", 4),
        (132.0, 4, "AB", 2),
    ]:
        truth = band_track(bpm=bpm, meter=meter, form=form, bars_per_section=bars, seed=int(bpm))
        out.append((f"fit_music {bpm:g} {meter}/4 {form}", truth.audio, truth.beat_times_s))
    generated = [(72.0, 4, 1), (88.0, 3, 2), (104.0, 4, 3), (116.0, 5, 4), (150.0, 4, 5), (174.0, 3, 6)]
    for bpm, meter, seed in generated[:2] if quick else generated:
        truth = band_track(bpm=bpm, meter=meter, form="ABAB", bars_per_section=4, lead_s=0.3, seed=seed)
        out.append((f"band {bpm:g} {meter}/4", truth.audio, truth.beat_times_s))
    rng = np.random.default_rng(7)
    truth = band_track(bpm=126.0, form="ABAB", bars_per_section=4, seed=8)
    for snr_db in (10.0, 0.0):
        noise = rng.standard_normal(truth.audio.shape)
        gain = np.sqrt(np.mean(truth.audio**2) / np.mean(noise**2)) * 10 ** (-snr_db / 20)
        out.append((f"band 126 + noise {snr_db:g} dB", truth.audio + gain * noise, truth.beat_times_s))
    for semitones in (0.37, -0.83):  # varispeed: 128.7 and 120.1 BPM, periods off the frame grid
        shifted = pitch_shift_by_resampling(truth.audio, semitones)
        ratio = truth.audio.shape[1] / shifted.shape[1]
        out.append((f"band {126 * ratio:.1f} varispeed", shifted, truth.beat_times_s / ratio))
    out.append(("pad (no beat)", pad_track(20.0, seed=3), None))
    out.append(("noise (no beat)", rng.standard_normal((2, 15 * RATE)) * 0.1, None))
    return out


def agreement(quick: bool) -> None:
    import librosa

    warm = band_track(bpm=120.0, form="A", bars_per_section=2)
    onset, *_ = beats_module._envelopes(resample(warm.audio.mean(axis=0), RATE, SR).astype(np.float32))
    librosa.beat.beat_track(onset_envelope=onset, sr=SR, hop_length=HOP, trim=False)  # compile, not timed
    print("1. sonics.music.beat_dp against librosa.beat.beat_track on the same onset envelope (trim=False)")
    print(
        f"{'track':<28}{'beats':>7}{'F(70ms)':>9}{'offset ms':>11}{'same':>6}{'onset':>9}{'chroma':>9}"
        f"{'mfcc':>9}{'ours ms':>9}{'librosa ms':>11}"
    )
    quality = []
    ours_cpu, theirs_cpu, fs = [], [], []
    for name, audio, truth_s in tracks(quick):
        y = resample(np.asarray(audio, np.float64).mean(axis=0), RATE, SR).astype(np.float32)
        onset, _, _, mel_db = beats_module._envelopes(y)
        started = time.process_time()
        ours = track_beat_frames(onset, SR / HOP, trim=False)
        mid = time.process_time()
        _, theirs = librosa.beat.beat_track(onset_envelope=onset, sr=SR, hop_length=HOP, trim=False)
        done = time.process_time()
        ours_cpu.append(mid - started)
        theirs_cpu.append(done - mid)
        f, offset_s = f_measure(ours * HOP / SR, librosa.frames_to_time(theirs, sr=SR, hop_length=HOP))
        fs.append(f)
        mel = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=2048, hop_length=HOP, n_mels=96)
        ref_onset = librosa.onset.onset_strength(
            S=librosa.power_to_db(mel, ref=np.max(mel)), sr=SR, hop_length=HOP
        )
        d_onset = float(np.abs(onset - ref_onset).max())
        d_chroma = float(
            np.abs(
                chroma_stft(y, SR, n_fft=4096, hop_length=HOP)
                - librosa.feature.chroma_stft(y=y, sr=SR, n_fft=4096, hop_length=HOP)
            ).max()
        )
        d_mfcc = float(np.abs(mfcc(mel_db, 13) - librosa.feature.mfcc(S=mel_db, n_mfcc=13)).max())
        same = "yes" if np.array_equal(ours, theirs) else "NO"
        print(
            f"{name:<28}{ours.size:>7}{f:>9.3f}{1000 * offset_s:>11.2f}{same:>6}{d_onset:>9.1e}"
            f"{d_chroma:>9.1e}{d_mfcc:>9.1e}{1000 * (mid - started):>9.1f}{1000 * (done - mid):>11.1f}"
        )
        if truth_s is not None:
            track = track_beats(audio, RATE)
            inside = track.beat_times_s[
                (track.beat_times_s >= truth_s[0] - TOLERANCE_S)
                & (track.beat_times_s <= truth_s[-1] + TOLERANCE_S)
            ]
            quality.append((name, *f_measure(inside, truth_s), track.bpm, track.steady))
    print(
        f"mean F {np.mean(fs):.3f}; CPU per track: ours median {1000 * np.median(ours_cpu):.1f} ms, "
        f"librosa median {1000 * np.median(theirs_cpu):.1f} ms (warm)"
    )
    print("\n2. track_beats (refined beats) against the true beats")
    print(f"{'track':<28}{'F(70ms)':>9}{'offset ms':>11}{'bpm':>8}{'steady':>8}")
    for name, f, offset_s, bpm, steady in quality:
        print(f"{name:<28}{f:>9.3f}{1000 * offset_s:>11.2f}{bpm:>8.1f}{steady!s:>8}")


_FIRST_CALL = {
    "sonics track_beats": """
from sonics.testing.music import band_track
truth = band_track(bpm=120.0, form="ABA", bars_per_section=4, seed=2)
import resource, sys
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0 = cpu()
from sonics.music.beats import track_beats
track_beats(truth.audio, 48000)
print(cpu() - t0, "numba" in sys.modules)
""",
    "librosa calls of the old track_beats": """
import numpy as np
from sonics.testing.music import band_track
from sonics.dsp.resample import resample
truth = band_track(bpm=120.0, form="ABA", bars_per_section=4, seed=2)
y = resample(truth.audio.mean(axis=0), 48000, 22050).astype(np.float32)
import resource, sys
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0 = cpu()
import librosa
mel = librosa.feature.melspectrogram(y=y, sr=22050, n_fft=2048, hop_length=256, n_mels=96)
mel_db = librosa.power_to_db(mel, ref=np.max(mel))
onset = librosa.onset.onset_strength(S=mel_db, sr=22050, hop_length=256)
librosa.onset.onset_strength(y=y, sr=22050, hop_length=64, n_fft=512, n_mels=64)
librosa.beat.beat_track(onset_envelope=onset, sr=22050, hop_length=256, trim=False)
librosa.feature.chroma_stft(y=y, sr=22050, n_fft=4096, hop_length=256)
librosa.feature.mfcc(S=mel_db, n_mfcc=13)
print(cpu() - t0, "numba" in sys.modules)
""",
}


def first_call(cold: bool) -> None:
    print("\n3. Import and first call in a fresh interpreter, CPU s (median of 3)")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    )
    env.pop("NUMBA_DISABLE_JIT", None)
    runs = [(name, script, None) for name, script in _FIRST_CALL.items()]
    if cold:
        runs.append(
            ("  same, empty numba cache", _FIRST_CALL["librosa calls of the old track_beats"], "cold")
        )
    for name, script, cache in runs:
        times = []
        for _ in range(1 if cache else 3):
            run_env = dict(env)
            with tempfile.TemporaryDirectory() as folder:
                if cache:
                    run_env["NUMBA_CACHE_DIR"] = folder
                result = subprocess.run(
                    [sys.executable, "-c", script], env=run_env, capture_output=True, text=True, check=True
                )
            seconds, numba = result.stdout.split()
            times.append(float(seconds))
        print(f"{name:<40}{np.median(times):>7.2f}   numba imported: {numba}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer generated tracks")
    parser.add_argument("--cold", action="store_true", help="also librosa with an empty numba cache (slow)")
    args = parser.parse_args()
    agreement(args.quick)
    first_call(args.cold)


if __name__ == "__main__":
    main()
