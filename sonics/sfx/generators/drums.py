"""War drums: an ensemble of big taiko-like drums, one hit or a pattern at a tempo.

Recipe: a big drum head is a circular membrane; its modes sit at the Bessel-zero ratios
1 : 1.594 : 2.136 : 2.296 : 2.653 : 2.918 : 3.156 : 3.501 (Fletcher & Rossing, *The
Physics of Musical Instruments*, ch. 18), the higher ones dying faster. A hard strike
stretches the head, so the pitch starts high and falls to rest over ~60 ms (tension
modulation). The stick's slap is a broadband noise burst at the first sample, the head's
first push a low-mid burst (the punch); rim
strokes ("ka") are short wooden clicks. Several drummers hit the same pattern a few
milliseconds apart, each drum tuned and placed differently.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.signal import butter, sosfilt

from sonics.core.sound import Sound
from sonics.dsp.envelopes import db_to_gain, sample_times
from sonics.dsp.filters import dc_block
from sonics.dsp.modal import MEMBRANE_RATIOS
from sonics.dsp.streams import finish_in_place
from sonics.sfx.generators._fields import (
    check_bed,
    check_choice,
    check_int,
    check_range,
    curve_reader,
    peak_db_for,
)

__all__ = ["MEMBRANE_RATIOS", "PATTERNS", "WarDrums"]

PATTERNS: dict[str, tuple[int, tuple[tuple[int, float], ...]]] = {
    # (steps per beat, ((step in a 4-beat bar, accent), ...)); accents below 0.5 are rim strokes
    "single": (4, ((0, 1.0),)),
    "march": (4, ((0, 1.0), (4, 0.7), (8, 0.85), (12, 0.7))),
    "battle": (4, ((0, 1.0), (3, 0.45), (4, 0.8), (6, 0.4), (8, 1.0), (11, 0.45), (12, 0.75), (14, 0.65))),
    "gallop": (3, ((0, 1.0), (2, 0.55), (3, 0.85), (5, 0.55), (6, 0.95), (8, 0.55), (9, 0.85), (11, 0.6))),
}
"""Drum patterns: a bar of 4 beats divided in steps, with the accent of each stroke."""

_RIM = 0.5  # strokes with a lower accent are played on the rim ("ka")
_N_VARIANTS = 3  # different strokes per drum and kind (strong, soft, rim), picked at random per hit
_FLAM_S = (0.004, 0.018)  # how late the other drummers land after the lead
_DAMP = 4800  # samples over which a re-struck head's previous ring fades (0.1 s at 48 kHz)


def _membrane_hit(
    rng: np.random.Generator, sample_rate: int, *, pitch_hz: float, t60_s: float, hardness: float
) -> np.ndarray:
    """Return one centre stroke: membrane modes with a falling pitch, the slap and the punch."""
    n = round(t60_s * sample_rate)
    t = np.arange(n, dtype=np.float32) / np.float32(sample_rate)
    ratios = np.asarray(MEMBRANE_RATIOS) * (1.0 + 0.01 * rng.standard_normal(len(MEMBRANE_RATIOS)))
    ratios[0] = 1.0
    amps = np.array([1.0, 0.55, 0.4, 0.3, 0.22, 0.16, 0.12, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.035])
    amps *= db_to_gain(rng.uniform(-2, 2, ratios.size))
    amps[1:] *= 0.5 + 0.7 * hardness  # a hard stroke excites the upper modes more
    t60 = t60_s / ratios**1.6
    # tension modulation: the head is stretched by the stroke and relaxes to its rest pitch
    bend, relax_s = (0.06 + 0.16 * hardness) * rng.uniform(0.85, 1.15), rng.uniform(0.045, 0.075)
    warped_t = t + np.float32(bend * relax_s) * (1.0 - np.exp(-t / np.float32(relax_s)))
    body = np.zeros(n, dtype=np.float32)
    for ratio, amp, decay in zip(ratios, amps, t60, strict=True):
        length = min(n, round(decay * sample_rate))  # until the mode has fallen 60 dB
        phase = warped_t[:length] * np.float32(2.0 * np.pi * pitch_hz * ratio)
        body[:length] += np.float32(amp) * np.exp(t[:length] * np.float32(-6.91 / decay)) * np.sin(phase)
    # the stick's slap on the head, then the push of the head's first excursion (the punch)
    slap = _burst(rng, sample_rate, decay_s=0.0015 + 0.0015 * hardness, band_hz=(300.0, 6000.0))
    punch = _burst(rng, sample_rate, decay_s=0.02 + 0.01 * hardness, band_hz=(70.0, 700.0))
    body[: slap.size] += slap * (0.25 + 0.35 * hardness)
    body[: punch.size] += punch * (0.35 + 0.35 * hardness)
    fade = min(n, round(0.05 * sample_rate))  # the modes are cut at -60 dB: end at exactly zero
    body[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return body


@functools.lru_cache(maxsize=32)
def _bandpass_sos(low_hz: float, high_hz: float, sample_rate: int) -> np.ndarray:
    return butter(2, [low_hz, high_hz], "bandpass", fs=sample_rate, output="sos")


def _burst(
    rng: np.random.Generator, sample_rate: int, *, decay_s: float, band_hz: tuple[float, float]
) -> np.ndarray:
    """Return a noise burst at full level on its first sample, decaying, band-passed, peak 1."""
    n = round(decay_s * 8 * sample_rate)
    noise = rng.uniform(-1.0, 1.0, n) * np.exp(-sample_times(n, decay_s * sample_rate))
    noise[0] = 1.0
    out = sosfilt(_bandpass_sos(*band_hz, sample_rate), noise)
    return out / np.max(np.abs(out))


def _rim_hit(rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """Return a rim stroke: a wooden click ringing briefly at the shell's modes."""
    click = _burst(rng, sample_rate, decay_s=0.0015, band_hz=(800.0, 6000.0))
    n = round(0.08 * sample_rate)
    t = sample_times(n, sample_rate)
    freqs = rng.uniform(900.0, 1300.0) * np.array([1.0, 2.32, 3.9])
    amps, decays_s = np.array([0.5, 0.3, 0.2]), np.array([0.012, 0.007, 0.004])
    wood = np.sum(
        amps[:, None] * np.exp(-t / decays_s[:, None]) * np.sin(2 * np.pi * freqs[:, None] * t), axis=0
    )
    wood[: click.size] += click
    return wood


class _Drum:
    """One drum of the ensemble; its strokes are rendered when first played."""

    def __init__(self, pitch_hz: float, t60_s: float, hardness: tuple[float, float]) -> None:
        self.pitch_hz, self.t60_s, self.hardness = pitch_hz, t60_s, hardness
        self.strokes: dict[tuple[int, int], np.ndarray] = {}

    def stroke(self, kind: int, pick: int, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
        """Return variant ``pick`` of a strong (0) or soft (1) centre stroke, or a rim stroke (2)."""
        if (kind, pick) not in self.strokes:
            if kind == 2:
                self.strokes[kind, pick] = _rim_hit(rng, sample_rate)
            else:
                hit = _membrane_hit(
                    rng, sample_rate, pitch_hz=self.pitch_hz, t60_s=self.t60_s, hardness=self.hardness[kind]
                )
                self.strokes[kind, pick] = dc_block(hit, sample_rate)
        return self.strokes[kind, pick]


@dataclass(frozen=True, slots=True)
class WarDrums:
    """Big battle drums (taiko-like): a single hit or a pattern at a tempo.

    The first stroke lands on the sound's first sample (the sync point), so a single hit
    sits on its cue and a pattern starts on it. As a bed, ``curve`` thins the pattern
    to its strongest strokes when the picture calms down, and fills it when it moves.

    Parameters
    ----------
    pattern : str
        ``"single"``, ``"march"``, ``"battle"`` or ``"gallop"`` (see :data:`PATTERNS`).
    tempo_bpm : float
        Beats per minute (40..240).
    duration_s : float
        Length (s, 0.3..600); a pattern repeats to fill it.
    n_drums : int
        Drummers (1..12): one drum renders mono, an ensemble stereo.
    pitch_hz : float
        Rest pitch of the lead drum's fundamental (Hz, 30..200); ~50-60 Hz for an
        o-daiko. The others are tuned around it.
    intensity : float
        0..1: how big and hard: a lower, longer-ringing drum with a harder slap and a
        deeper pitch drop; without a curve, also how full the pattern is.
    curve : tuple of float
        Level/density envelope in 0..1 at ``curve_rate_hz`` (empty: constant
        ``intensity``).
    curve_rate_hz : float
        Points per second of ``curve`` (1..1000).

    Examples
    --------
    >>> sound = WarDrums(duration_s=2.0).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((1, 96000), 0)
    """

    name: ClassVar[str] = "war_drums"
    kind: ClassVar[str] = "hit"

    pattern: str = "single"
    tempo_bpm: float = 90.0
    duration_s: float = 3.0
    n_drums: int = 1
    pitch_hz: float = 55.0
    intensity: float = 1.0
    curve: tuple[float, ...] = ()
    curve_rate_hz: float = 100.0

    def __post_init__(self) -> None:
        check_choice(self.name, "pattern", self.pattern, PATTERNS)
        check_range(self.name, "tempo_bpm", self.tempo_bpm, 40.0, 240.0)
        check_int(self.name, "n_drums", self.n_drums, 1, 12)
        check_range(self.name, "pitch_hz", self.pitch_hz, 30.0, 200.0)
        object.__setattr__(self, "curve", check_bed(self, min_duration_s=0.3))

    def hits(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the lead drum's strokes: times (s) and accents (0..1, < 0.5 on the rim).

        Strokes fall on the pattern's grid exactly; those whose accent is below what the
        control (curve, or ``intensity``) lets through are left out, except the first.
        """
        steps_per_beat, strokes = PATTERNS[self.pattern]
        step_s = 60.0 / self.tempo_bpm / steps_per_beat
        bar_steps = 4 * steps_per_beat
        if self.pattern == "single":
            return np.zeros(1), np.ones(1)
        n_bars = int(np.ceil(self.duration_s / (bar_steps * step_s)))
        steps = np.array([s for s, _ in strokes])
        accents = np.array([a for _, a in strokes])
        grid = (np.arange(n_bars)[:, np.newaxis] * bar_steps + steps).ravel()
        times = grid * step_s
        accent = np.tile(accents, n_bars)
        control = curve_reader(self.curve, self.curve_rate_hz, self.intensity)(times)
        keep = (times < self.duration_s) & ((accent >= 1.02 - control) | (np.arange(times.size) == 0))
        return times[keep], accent[keep]

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation: fresh strokes, tunings and flams."""
        n_samples = round(self.duration_s * sample_rate)
        n_channels = 1 if self.n_drums == 1 else 2
        out = np.zeros((n_channels, n_samples), dtype=np.float32)
        times, accents = self.hits()
        control = curve_reader(self.curve, self.curve_rate_hz, self.intensity)(times)
        level = accents * (0.35 + 0.65 * control)
        size = self.intensity
        for drum in range(self.n_drums):
            lead = drum == 0
            pitch = self.pitch_hz * (1.15 - 0.3 * size) * (1.0 if lead else rng.uniform(0.8, 1.35))
            t60_s = (1.0 + 1.6 * size) * (1.0 if lead else rng.uniform(0.7, 1.0))
            # strong and soft centre strokes, a few of each so repeats never sound identical
            voice = _Drum(pitch, t60_s, (0.4 + 0.6 * size, 0.15 + 0.35 * size))
            pan = 0.0 if lead else rng.uniform(-0.9, 0.9)
            angle = (pan + 1.0) * np.pi / 4.0
            gains = (
                np.array([1.0]) if n_channels == 1 else np.array([np.cos(angle), np.sin(angle)]) * np.sqrt(2)
            )
            drum_gain = 1.0 if lead else db_to_gain(rng.uniform(-8.0, -3.0))
            flams = np.zeros(times.size) if lead else rng.uniform(*_FLAM_S, times.size)
            picks = rng.integers(0, _N_VARIANTS, times.size)
            jitter_db = rng.uniform(-1.5, 1.5, times.size)
            jitter_db[0] = 0.0
            kinds = np.where(accents < _RIM, 2, np.where(accents >= 0.8, 0, 1))
            starts = np.round((times + flams) * sample_rate).astype(np.int64)
            # a new centre stroke damps the head: the previous ring fades out under it
            centre_starts = np.where(kinds < 2, starts, n_samples + _DAMP)
            later = np.minimum.accumulate(np.concatenate([[n_samples + _DAMP], centre_starts[::-1]]))[::-1]
            ends = later[1:] + _DAMP  # the next centre stroke's start, plus the fade
            for start, end, kind, pick, gain, jit in zip(
                starts, ends, kinds, picks, level, jitter_db, strict=True
            ):
                if start >= n_samples:
                    continue
                piece = voice.stroke(int(kind), int(pick), rng, sample_rate)[: min(n_samples, end) - start]
                piece = piece * (gain * drum_gain * db_to_gain(jit))
                if start + piece.size == end:
                    piece[-_DAMP:] *= np.linspace(1.0, 0.0, _DAMP)
                out[:, start : start + piece.size] += (gains[:, np.newaxis] * piece).astype(np.float32)
        fade_s = min(0.05, self.duration_s / 10)
        finish_in_place(out, sample_rate, peak_db=peak_db_for(self.intensity), fade_out_s=fade_s)
        return Sound(out, sample_rate, 0)
