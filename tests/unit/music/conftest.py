"""Builders for music tests: pictures with known shots, motion, cuts and impacts; tempo maps with ramps;
and independent measurements of the synthesiser's output."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from sonics.core.model import Analysis, Cut, CutKind, Impact, MotionEnvelope, Picture, Shot, ShotIntensity
from sonics.core.tempo import TempoMap, TempoSegment


def build_picture(
    shots: Sequence[tuple[float, str]],
    *,
    fps: int = 24,
    motion: float | Sequence[float] = 0.5,
    impacts: Sequence[tuple[float, float]] = (),
) -> Analysis:
    """Return an analysis of shots ``(length_s, intensity)`` joined by hard cuts.

    ``motion`` is one level for every shot or one per shot; ``impacts`` are ``(time_s, strength)``.
    """
    rate = Fraction(fps)
    lengths = [round(length * fps) for length, _ in shots]
    n_frames = sum(lengths)
    starts = np.cumsum([0, *lengths[:-1]])
    times = np.arange(n_frames) / fps
    levels = [motion] * len(shots) if np.isscalar(motion) else list(motion)
    values = np.concatenate([np.full(n, float(m)) for n, m in zip(lengths, levels, strict=True)])
    shot_list = tuple(
        Shot(i, int(s), int(s + n), float(s / fps), float((s + n) / fps), float(m), 30.0, ShotIntensity(kind))
        for i, (s, n, m, (_, kind)) in enumerate(zip(starts, lengths, levels, shots, strict=True))
    )
    cuts = tuple(Cut(int(s), float(s / fps), CutKind.HARD, 1.0) for s in starts[1:])
    impact_list = tuple(Impact(round(t * fps), round(t * fps) / fps, w) for t, w in impacts)
    picture = Picture("test.mp4", rate, n_frames, 320, 180, float(Fraction(n_frames) / rate))
    return Analysis(picture, times, cuts, shot_list, MotionEnvelope(values, values, values), impact_list)


def ramp_map(fps: int = 24) -> TempoMap:
    """Return a map of three tempos and a ramp: 120 BPM, a ramp to 132 over 8 beats, 132, then 126."""
    seg0 = TempoSegment(0.0, -1.0, 120.0)
    # 120 BPM from beat -1 at 0 s: beat 15 at 8 s; a ramp 120 -> 132 over 8 beats.
    ramp_s = 8 * 120.0 / (120.0 + 132.0)
    seg1 = TempoSegment(8.0, 15.0, 120.0, 132.0)
    seg2 = TempoSegment(8.0 + ramp_s, 23.0, 132.0)
    seg3 = TempoSegment(8.0 + ramp_s + 16 * 60.0 / 132.0, 39.0, 126.0)
    return TempoMap((seg0, seg1, seg2, seg3), frame_rate=fps)


@pytest.fixture
def battle_picture() -> Analysis:
    """A 56 s cut that builds: calm, tension, battle, a calm fall, battle again, and the last shot."""
    return build_picture(
        [(8, "calm"), (8, "tension"), (6, "battle"), (4, "battle"), (8, "calm"), (6, "tension"),
         (6, "battle"), (5, "battle"), (5, "tension")],
        motion=[0.1, 0.4, 0.8, 0.9, 0.2, 0.5, 0.9, 1.0, 0.6],
        impacts=[(47.5, 1.0)],
    )  # fmt: skip


@pytest.fixture
def make_picture():
    """The :func:`build_picture` builder."""
    return build_picture


@pytest.fixture
def ramped_map() -> TempoMap:
    """The :func:`ramp_map` map (120, ramp to 132, 132, 126 BPM; a one-beat pickup)."""
    return ramp_map()


SR = 48_000


def rising_map() -> TempoMap:
    """140 BPM ramping to 150 over the first 4 s, then holding (beat 0 at 0 s)."""
    return TempoMap((TempoSegment(0.0, 0.0, 140.0, 150.0), TempoSegment(4.0, 145.0 * 4.0 / 60.0, 150.0)))


def onset_sample(tempo_map: TempoMap, beat: float) -> int:
    """Where the notes say a note on ``beat`` starts."""
    return round(float(tempo_map.beats_to_seconds(beat)) * SR)


def fundamental_hz(x: np.ndarray, expected_hz: float) -> float:
    """Power-weighted centre of the spectral peak within a quarter tone of ``expected_hz``.

    A long Blackman window, zero-padded; vibrato and an ensemble's detune spread the peak
    symmetrically, so its centre of power is the pitch.
    """
    mono = np.mean(np.atleast_2d(x), axis=0)
    n = 8 * mono.size
    spectrum = np.abs(np.fft.rfft(mono * np.blackman(mono.size), n)) ** 2
    freqs = np.fft.rfftfreq(n, 1 / SR)
    near = np.abs(1200 * np.log2(np.maximum(freqs, 1e-9) / expected_hz)) < 50
    return float(np.sum(freqs[near] * spectrum[near]) / np.sum(spectrum[near]))


def cents(f_hz: float, ref_hz: float) -> float:
    return float(1200 * np.log2(f_hz / ref_hz))


def centroid_hz(x: np.ndarray, *, power: bool = False) -> float:
    """Spectral centroid (Hz) of the magnitude spectrum, or of the power spectrum.

    The power centroid follows the harmonics of a tone, where the magnitude centroid is
    pulled towards a constant noise floor spread over thousands of bins (a breath).
    """
    mono = np.mean(np.atleast_2d(x), axis=0)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(mono.size))) ** (2 if power else 1)
    freqs = np.fft.rfftfreq(mono.size, 1 / SR)
    return float(np.sum(freqs * spectrum) / np.sum(spectrum))


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2)))


def max_click_ratio(audio: np.ndarray, attacks: np.ndarray | None = None) -> float:
    """Largest sample-to-sample step over the RMS step within +-1 ms around it (those samples left out).

    A click (a cut, a jump where a sound starts or stops) stands out of its neighbourhood;
    steps below -60 dB re the peak are ignored, and so are the first 2 ms from each sample
    of ``attacks``: a pluck's or a stick's transient is meant to be sharp.
    """
    step = np.abs(np.diff(audio.astype(np.float64), axis=1))
    power = np.mean(step**2, axis=0)
    width = round(0.001 * SR)
    around = np.convolve(power, np.ones(2 * width + 1), mode="same") - np.convolve(
        power, np.ones(5), mode="same"
    )
    local = np.sqrt(np.maximum(around, 0.0) / (2 * width - 4))
    floor = 1e-3 * float(np.abs(audio).max())
    ratio = np.max((step - floor) / (local + 1e-12), axis=0)
    for onset in np.asarray([] if attacks is None else attacks, dtype=np.int64):
        ratio[max(0, onset - 1) : onset + round(0.002 * SR)] = 0.0
    return float(np.max(ratio, initial=0.0))


def energy_onsets(audio: np.ndarray, *, rise_db: float = 15.0, within_db: float = 35.0) -> np.ndarray:
    """Onset samples found by an energy-rise detector, independent of the synthesiser.

    The signal is high-passed at 1 kHz (a stroke's contact is broadband, the drums' rings
    are low), its energy taken over 1 ms windows hopped by 0.25 ms; an onset is where the
    energy rises ``rise_db`` above its median over the 30 ms before (silence before the
    start) to within ``within_db`` of the loudest window, refractory 50 ms.
    """
    high = sosfilt(butter(4, 1000.0, "highpass", fs=SR, output="sos"), np.mean(audio, axis=0))
    hop, win = SR // 4000, SR // 1000
    power = np.convolve(high**2, np.ones(win) / win, mode="full")[win - 1 :][::hop]
    history = round(0.03 * SR / hop)
    level_db = np.concatenate([np.full(history, -200.0), 10 * np.log10(power + 1e-20)])
    loud_enough = level_db.max() - within_db
    found: list[int] = []
    for i in range(history, level_db.size):
        j = (i - history) * hop
        if found and j - found[-1] < 0.05 * SR:
            continue
        if level_db[i] > loud_enough and level_db[i] > np.median(level_db[i - history : i]) + rise_db:
            found.append(j)
    return np.asarray(found)


@pytest.fixture
def m() -> SimpleNamespace:
    """The shared maps and measurements, as ``m.ramp_map()``, ``m.fundamental_hz(...)`` and so on."""
    return SimpleNamespace(
        SR=SR,
        ramp_map=rising_map,
        onset_sample=onset_sample,
        fundamental_hz=fundamental_hz,
        cents=cents,
        centroid_hz=centroid_hz,
        rms=rms,
        max_click_ratio=max_click_ratio,
        energy_onsets=energy_onsets,
    )
