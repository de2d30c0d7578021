"""Designed sounds of the trailer palette: the riser that builds into a cut, the braam that lands on it.

Recipes. **Riser**: tension is a rise on every axis at once: a noise band whose centre
sweeps up (200 Hz to several kHz) and a detuned saw stack gliding up in pitch,
accelerating, with a tremolo that speeds up, all swelling exponentially to the peak,
then cut off in a short release; the peak is the sync point. **Braam**: a low brass
cluster (root, fifth, octave, twelfth, each a few detuned band-limited saws whose pitch
falls in from a little below, as brass players do), through a resonant low-pass that
snaps open and slowly closes, driven into soft distortion, over a sub; it starts on an
impact whose first sample is the sync point.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar

import numpy as np
from scipy.signal import lfilter

from sonics.core.sound import Sound
from sonics.dsp.envelopes import finish, sample_times
from sonics.dsp.filters import bandpass_response, lowpass
from sonics.dsp.noise import contact_click, spectral_noise
from sonics.dsp.streams import Upsampler
from sonics.dsp.sync import peak_sample
from sonics.sfx.generators._fields import check_range, peak_db_for

__all__ = ["Braam", "Riser"]

_CONTROL_STEP = 16  # samples between two readings of the riser's controls
_FILTER_BLOCK = 256  # samples (at half the rate: 11 ms) between settings of the braam's filter as it snaps
_SLOW_BLOCK = 1024  # the same as it closes (43 ms: the cutoff falls 3.5 % a step)
_SNAP_S = 0.3  # the snap: open in ~0.1 s, held to 0.25 s


def _phase(freq_hz: np.ndarray, sample_rate: int, start: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Return the running phase (cycles) and per-sample step of a frequency track."""
    step = freq_hz / sample_rate
    return start + np.cumsum(step) - step, step


@dataclass(frozen=True, slots=True)
class Riser:
    """A riser: noise, tone and tremolo building to a peak (a hit synced on its peak).

    Parameters
    ----------
    duration_s : float
        Length (s, 0.5..30). The peak is at ``duration_s - release_s`` (:attr:`peak_s`).
    release_s : float
        How long it falls away after the peak (s, 0.02..2, less than half the length).
    pitch_hz : float
        Starting pitch of the tone (Hz, 40..1000).
    octaves : float
        How far the tone rises (octaves, 0..4).
    intensity : float
        0..1: how far and bright it rises (the noise band reaches 3-9 kHz), how fast
        the tremolo gets, and level.

    Examples
    --------
    >>> r = Riser(duration_s=2.0, release_s=0.1)
    >>> sound = r.render(np.random.default_rng(0))
    >>> abs(sound.sync_sample - round(r.peak_s * 48000)) < 240
    True
    """

    name: ClassVar[str] = "riser"
    kind: ClassVar[str] = "hit"

    duration_s: float = 3.0
    release_s: float = 0.15
    pitch_hz: float = 110.0
    octaves: float = 2.0
    intensity: float = 1.0

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.5, 30.0)
        check_range(self.name, "release_s", self.release_s, 0.02, min(2.0, self.duration_s / 2))
        check_range(self.name, "pitch_hz", self.pitch_hz, 40.0, 1000.0)
        check_range(self.name, "octaves", self.octaves, 0.0, 4.0)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    @property
    def peak_s(self) -> float:
        """Designed time of the peak (s): where the riser lands on its cue."""
        return self.duration_s - self.release_s

    def _envelope(self, t: np.ndarray) -> np.ndarray:
        rise = self.peak_s
        x = np.clip(t / rise, 0.0, 1.0)
        # exponential swell, steepest at the top so the loudest 10 ms is the last before the peak
        top = 1.0 + 0.6 * np.clip((t - rise + 0.06) / 0.06, 0.0, 1.0) ** 2  # a last push into the peak
        swell = (np.exp(4.0 * x) - 1.0) / (np.exp(4.0) - 1.0) * top  # constant after the peak
        return swell * np.exp(-np.maximum(t - rise, 0.0) / (self.release_s / 4.0))

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation: fresh noise, detuning and tremolo."""
        n = round(self.duration_s * sample_rate)
        rise = self.peak_s
        top_hz = 3000.0 + 6000.0 * self.intensity

        def band(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
            x = np.clip(times_s / rise, 0.0, 1.0)
            centre = 200.0 * (top_hz / 200.0) ** (x**1.5)  # accelerating sweep
            return bandpass_response(freqs_hz, centre, 1.2) + 0.15 * bandpass_response(
                freqs_hz, centre * 2.0, 0.7
            )

        noise = spectral_noise(rng, n, sample_rate, band, n_fft=1024, odd_bytes=True)
        # the controls (level, tremolo, pitch) are read every _CONTROL_STEP samples and joined by
        # straight lines; the upsampler lags one control step, so the knots start a step early
        t = (np.arange(n // _CONTROL_STEP + 2) - 1.0) * _CONTROL_STEP / sample_rate
        progress = np.clip(t / rise, 0.0, 1.0)
        # a tremolo that speeds up: 3 Hz to 14-28 Hz
        tremolo_hz = 3.0 + (11.0 + 14.0 * self.intensity) * progress**2
        turns = np.cumsum(tremolo_hz * _CONTROL_STEP / sample_rate)
        tremolo = 1.0 - 0.35 * progress * (0.5 + 0.5 * np.cos(2.0 * np.pi * (turns % 1.0)))
        # the tone: three detuned saws gliding up, accelerating
        glide = self.pitch_hz * 2.0 ** (self.octaves * progress**1.7)
        gain, glide = Upsampler(_CONTROL_STEP, 2)(np.stack([tremolo * self._envelope(t), glide]))[:, :n]
        ratios = 2.0 ** (rng.uniform(-12.0, 12.0, 3) / 1200.0)
        starts = np.array([rng.random() for _ in ratios])
        root_phase, root_step = _phase(glide.astype(np.float64), sample_rate)
        tone = _saw_stack(root_phase, root_step, ratios, starts, np.ones((1, 3)))[0]
        tone = lowpass(tone, 2000.0 + 6000.0 * self.intensity, sample_rate) / 3.0
        x = (noise * 0.6 + tone * 0.8) * gain
        audio = finish(
            x, sample_rate, peak_db=peak_db_for(self.intensity), fade_out_s=min(0.01, self.release_s / 2)
        )
        return Sound(audio, sample_rate, peak_sample(audio, sample_rate))


@dataclass(frozen=True, slots=True)
class Braam:
    """A braam: a huge low brass cluster that snaps open on an impact (a hit synced on its onset).

    Parameters
    ----------
    duration_s : float
        Length (s, 0.5..30).
    pitch_hz : float
        Root of the cluster (Hz, 25..110); E1 = 41.2 Hz is the classic.
    intensity : float
        0..1: how far the filter opens, how hard it is driven, how heavy the impact and
        sub, and level.

    Examples
    --------
    >>> sound = Braam(duration_s=1.0).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((2, 48000), 0)
    """

    name: ClassVar[str] = "braam"
    kind: ClassVar[str] = "hit"

    duration_s: float = 4.0
    pitch_hz: float = 41.2
    intensity: float = 1.0

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.5, 30.0)
        check_range(self.name, "pitch_hz", self.pitch_hz, 25.0, 110.0)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation: fresh detuning, fresh impact."""
        n = round(self.duration_s * sample_rate)
        size = self.intensity
        # the cluster, its filter, the sub and the envelope are made at half the rate (the filter
        # keeps the brass below ~6 kHz) and brought up to the full rate for the drive
        rate = sample_rate / 2
        n_low = n // 2 + 2  # one more for the upsampler's delay
        t = sample_times(n_low, rate)
        # brass falls in from a little below the note and settles within ~0.1 s
        fall_in = 2.0 ** (-rng.uniform(0.6, 1.2) / 12.0 * np.exp(-t / 0.05))
        # four notes (root, fifth, octave, twelfth), three detuned saws each, spread across the field
        ratios = np.repeat([1.0, 1.5, 2.0, 3.0], 3) * 2.0 ** (rng.uniform(-15.0, 15.0, 12) / 1200.0)
        levels = np.repeat([1.0, 0.7, 0.8, 0.45], 3)
        root_phase, root_step = _phase(self.pitch_hz * fall_in, rate)
        starts = rng.random(12)
        angle = (rng.uniform(-0.8, 0.8, 12) + 1.0) * np.pi / 4.0
        stack = _saw_stack(
            root_phase, root_step, ratios, starts, np.stack([np.cos(angle), np.sin(angle)]) * levels
        )
        # the resonant low-pass snaps open in ~0.1 s, then closes slowly: the "blat"
        top_hz = 900.0 + 2200.0 * size
        snap = min(n_low, -(-round(_SNAP_S * rate) // _FILTER_BLOCK) * _FILTER_BLOCK)
        edges = np.r_[np.arange(0, snap, _FILTER_BLOCK), np.arange(snap, n_low, _SLOW_BLOCK), n_low]
        mid_s = (edges[:-1] + edges[1:]) / (2.0 * rate)
        cutoff = 90.0 + (top_hz - 90.0) * (1.0 - np.exp(-mid_s / 0.06)) * np.exp(
            -np.maximum(mid_s - 0.25, 0.0) / 1.2
        )
        brass = _moving_lowpass(stack / 6.0, edges, np.maximum(cutoff, 120.0), 3.0, rate)
        sub = np.sin((2.0 * np.pi * (root_phase % 1.0)).astype(np.float32)) * np.float32(0.4 + 0.4 * size)
        # rows: brass left and right, sub; the upsampler lags by one low sample
        high = Upsampler(2, 3)(np.concatenate([brass, sub[np.newaxis]]))[:, 2 : n + 2]
        drive = np.float32(1.5 + 3.0 * size)
        x = high[:2] * drive
        x += np.float32(0.15)
        np.tanh(x, out=x)
        x -= np.float32(np.tanh(0.15))  # asymmetric: even harmonics, brassy
        x += high[2]
        x *= np.exp(np.arange(n, dtype=np.float32) * np.float32(-1.0 / ((1.5 + 2.0 * size) * sample_rate)))
        x = x.astype(np.float64)
        # the impact and the click are short: made only as long as they last
        t60_s = 0.25 + 0.3 * size
        n_hit = min(n, round((2.0 * t60_s + 0.05) * sample_rate))
        impact = contact_click(rng, n_hit, sample_rate, t60_s=t60_s, corner_hz=30.0)
        x[:, :n_hit] += lowpass(impact, 400.0, sample_rate) * (0.6 + 0.6 * size)
        n_click = min(n, round(0.05 * sample_rate))
        x[:, :n_click] += contact_click(rng, n_click, sample_rate, t60_s=0.01, corner_hz=1500.0) * 0.5
        audio = finish(x, sample_rate, peak_db=peak_db_for(size), fade_out_s=min(0.3, self.duration_s / 4))
        return Sound(audio, sample_rate, 0)


def _saw_stack(
    root_phase: np.ndarray, root_step: np.ndarray, ratios: np.ndarray, starts: np.ndarray, gains: np.ndarray
) -> np.ndarray:
    """Return a mix of band-limited (PolyBLEP) sawtooths on one root phase, shape ``(rows, n)``.

    Saw ``k`` runs at ``ratios[k]`` times the root phase (cycles, per-sample step
    ``root_step``) from ``starts[k]`` (in [0, 1)) and enters row ``r`` with gain
    ``gains[r, k]``. Summed, the naive saws ``2 * frac(p) - 1`` are one ramp in the root
    phase minus a staircase (a step at each saw's wrap), so the cost is a few passes
    whatever the number of saws; the PolyBLEP corrections touch only the two samples
    around each wrap.
    """
    n = root_phase.size
    # saw k wraps for the m-th time at the first sample where r_k phase + start_k >= m
    n_wraps = np.floor(ratios * root_phase[-1] + starts).astype(np.int64)
    saw = np.repeat(np.arange(ratios.size), n_wraps)
    m = np.arange(saw.size) - np.repeat(np.cumsum(n_wraps) - n_wraps, n_wraps) + 1
    at = np.searchsorted(root_phase, (m - starts[saw]) / ratios[saw])
    order = np.argsort(at, kind="stable")
    saw, m, at = saw[order], m[order], at[order]
    # sum_k g_k (2 (r_k phase + start_k) - 1) - 2 sum_k g_k floor(r_k phase + start_k): the floor
    # sum is a staircase, rising by g_k at each wrap of saw k
    out = np.outer(2.0 * gains @ ratios, root_phase) + (gains @ (2.0 * starts - 1.0))[:, np.newaxis]
    levels = np.concatenate([np.zeros((gains.shape[0], 1)), np.cumsum(gains[:, saw], axis=1)], axis=1)
    lengths = np.diff(np.concatenate([[0], at, [n]]))
    out -= 2.0 * np.repeat(levels, lengths, axis=1)
    # PolyBLEP: after the wrap (t < dt) subtract 2x - x^2 - 1 (x = t / dt); before it
    # (t > 1 - dt) subtract x^2 + 2x + 1 (x = (t - 1) / dt)
    after = at < n
    k, a, mm = saw[after], at[after], m[after]
    t = ratios[k] * root_phase[a] + starts[k] - mm
    dt = ratios[k] * root_step[a]
    x = t / dt
    fix_after = np.where(t < dt, 2.0 * x - x * x - 1.0, 0.0)
    before = a >= 1
    k_b, b, m_b = k[before], a[before] - 1, mm[before]
    x_b = (ratios[k_b] * root_phase[b] + starts[k_b] - m_b) / (ratios[k_b] * root_step[b])
    fix_before = np.where(x_b > -1.0, x_b * x_b + 2.0 * x_b + 1.0, 0.0)
    for row, g in enumerate(gains):
        np.subtract.at(out[row], a, g[k] * fix_after)
        np.subtract.at(out[row], b, g[k_b] * fix_before)
    return out


def _moving_lowpass(
    x: np.ndarray, edges: np.ndarray, cutoff_hz: np.ndarray, q: float, sample_rate: float
) -> np.ndarray:
    """Return ``x`` through a resonant low-pass (RBJ) whose cutoff is set anew at each of ``edges``.

    ``edges`` runs from 0 to ``x``'s length; ``cutoff_hz`` holds one value per block between
    two edges. The filter state carries across the blocks, so a smooth sweep gives a
    smooth output.
    """
    w0 = 2.0 * np.pi * np.asarray(cutoff_hz) / sample_rate
    cos_w, alpha = np.cos(w0), np.sin(w0) / (2.0 * q)
    b = (
        np.stack([(1.0 - cos_w) / 2.0, 1.0 - cos_w, (1.0 - cos_w) / 2.0], axis=1)
        / (1.0 + alpha)[:, np.newaxis]
    )
    a = np.stack([np.ones_like(w0), -2.0 * cos_w / (1.0 + alpha), (1.0 - alpha) / (1.0 + alpha)], axis=1)
    out = np.empty_like(x)
    state = np.zeros((x.shape[0], 2))
    for k, (start, stop) in enumerate(pairwise(edges)):  # lfilter: the cheapest call
        block = slice(start, stop)
        out[:, block], state = lfilter(b[k], a[k], x[:, block], axis=-1, zi=state)
    return out
