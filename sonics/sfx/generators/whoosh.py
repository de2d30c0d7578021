"""Whooshes and sword swishes: noise through resonances that move with the object's speed.

Recipe (Farnell; Selfridge, Moffat & Reiss 2017): an object moving through air sheds a
turbulent wake whose spectrum peaks at the Strouhal frequency ``f = St * U / d``
(St ≈ 0.2, U speed, d the shedding size), and radiates like a dipole, so its amplitude
grows as ``U**3``. A speed profile that rises to the pass and falls after it moves the
resonance up and down and swells the level: the peak of the sound is its sync point. A
sword swish is the same physics on a rotating blade: a few narrow "aeolian tone"
sources along the blade (six near the tip, one mid-blade, one at the hilt), each at its
own radius, speed and frequency.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import ClassVar

import numpy as np

from sonics.core.sound import Sound
from sonics.dsp.envelopes import even_level, finish, interpolate_grid
from sonics.dsp.filters import bandpass_power, lowpass_response
from sonics.dsp.noise import MagnitudeFn, spectral_noise
from sonics.dsp.sync import peak_sample
from sonics.sfx.generators._fields import check_range, peak_db_for

__all__ = ["STROUHAL", "Swish", "Whoosh"]

STROUHAL = 0.2
"""Strouhal number of vortex shedding behind a bluff body (f = St * U / d)."""


def _speed(times_s: np.ndarray, peak_s: float, duration_s: float) -> np.ndarray:
    """Speed relative to the peak (float32): a raised-cosine swell from 15 % to 1 at ``peak_s`` and back."""
    t = np.clip(times_s, 0.0, duration_s)
    # one raised cosine over a phase that runs 0 -> 1 up to the peak and 1 -> 2 after it
    phase = np.where(t < peak_s, t / peak_s, 1.0 + (t - peak_s) / (duration_s - peak_s)).astype(np.float32)
    phase *= np.float32(np.pi)
    bump = np.cos(phase, out=phase)
    bump *= -0.425  # 0.15 + 0.85 * (0.5 - 0.5 cos)
    bump += 0.575
    return bump


_SHAPE_STEPS = 8
"""Points a whoosh's spectrum is computed at over its shorter glide (up to the pass or after it), at least."""


def _every_few_frames(shape: MagnitudeFn, every: int) -> MagnitudeFn:
    """Return ``shape`` computed at every ``every``-th frame of a run (and its last), linear in between.

    A spectrum that glides with the speed over a second changes little from one 10.7 ms
    frame to the next, so most of its (frames, bins) values need not be computed.
    """
    if every <= 1:
        return shape

    def coarse(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
        n_frames = times_s.shape[0]
        if n_frames <= 2:
            return np.asarray(shape(freqs_hz, times_s))
        n_seg = -(-(n_frames - 1) // every)
        picks = np.minimum(np.arange(n_seg + 1) * every, n_frames - 1)
        points = np.asarray(shape(freqs_hz, times_s[picks]), dtype=np.float32)
        # frames between picks: the picks' values, weighted by where the frame's time falls
        out = np.empty((n_seg * every + 1, points.shape[1]), dtype=np.float32)
        segments = out[:-1].reshape(n_seg, every, -1)
        weight = (np.arange(every, dtype=np.float32) / every)[np.newaxis, :, np.newaxis]
        np.multiply(np.diff(points, axis=0)[:, np.newaxis, :], weight, out=segments)
        segments += points[:-1, np.newaxis, :]
        # the last segment may be shorter than ``every``: its frames are re-weighted on its own span
        last = picks[-1] - picks[-2]
        if last < every:
            span = np.arange(1, last, dtype=np.float32)[:, np.newaxis] / last
            out[picks[-2] + 1 : picks[-1]] = points[-2] + (points[-1] - points[-2]) * span
        out[n_frames - 1] = points[-1]
        return out[:n_frames]

    return coarse


_N_FFT = 1024
"""Frame length of the shaped noise (21 ms at 48 kHz)."""

_LEVEL_STEPS_PER_TAU = 24
"""Points per time constant of the loudness's fall from the pass (linear between: within 0.3 %)."""


def _loudness_at(positions: np.ndarray, sample_rate: int, peak_s: float, duration_s: float) -> np.ndarray:
    """Dipole level (speed cubed) at sample ``positions`` (ascending), sharpened into a point at the pass."""
    delta = (positions / sample_rate - peak_s).astype(np.float32)
    speed = _speed(delta + np.float32(peak_s), peak_s, duration_s)
    level = speed * speed
    level *= speed
    # exp(-|delta| / tau), tau a quarter of the time before (after) the pass
    before = int(np.searchsorted(delta, 0.0))
    delta[:before] /= peak_s / 4.0
    delta[before:] /= -(duration_s - peak_s) / 4.0
    level *= np.exp(delta, out=delta)
    return level


def _loudness_step(sample_rate: int, peak_s: float, duration_s: float) -> int:
    """Return how far apart the loudness can be computed (samples): a 24th of its shorter tau (8..256)."""
    tau_s = min(peak_s, duration_s - peak_s) / 4.0
    return int(np.clip(tau_s * sample_rate / _LEVEL_STEPS_PER_TAU, 8, 256))


def _loudness(n: int, sample_rate: int, peak_s: float, duration_s: float) -> np.ndarray:
    """:func:`_loudness_at` every sample, computed at points :func:`_loudness_step` apart, one on the pass."""
    step = _loudness_step(sample_rate, peak_s, duration_s)
    offset = min(n - 1, round(peak_s * sample_rate)) % step
    grid = offset + np.arange(-(-(n - offset) // step) + 1) * step  # the last point at or past the end
    return interpolate_grid(_loudness_at(grid, sample_rate, peak_s, duration_s), step, n, offset=offset)


_LEVELLER_STEP_S = 0.01 / 8
"""The steps :func:`~sonics.dsp.envelopes.even_level` measures the noise's level in (an eighth of 10 ms)."""


def _render_aero(
    rng: np.random.Generator,
    sample_rate: int,
    duration_s: float,
    peak_s: float,
    intensity: float,
    shape: MagnitudeFn,
    *,
    odd_bytes: bool,
) -> Sound:
    """Shared tail of both generators: shaped noise × loudness, finished, synced on its peak."""
    n = max(2, round(duration_s * sample_rate))
    # the noise's own swells are evened out (over the 10 ms the sync point is measured
    # on), so the loudness peak is where the envelope puts it
    noise = spectral_noise(rng, n, sample_rate, shape, n_fft=_N_FFT, odd_bytes=odd_bytes)
    if _loudness_step(sample_rate, peak_s, duration_s) >= _LEVELLER_STEP_S * sample_rate:
        # the loudness is as smooth as the leveller's own steps: one gain curve for both
        level = partial(_loudness_at, sample_rate=sample_rate, peak_s=peak_s, duration_s=duration_s)
        x = even_level(noise, sample_rate, envelope=level)
    else:
        x = even_level(noise, sample_rate)
        x *= _loudness(n, sample_rate, peak_s, duration_s)
    audio = finish(x, sample_rate, peak_db=peak_db_for(intensity), fade_in_s=0.005, fade_out_s=0.01)
    return Sound(audio, sample_rate, peak_sample(audio, sample_rate))


@dataclass(frozen=True, slots=True)
class Whoosh:
    """A whoosh: something big passing close and fast (a body, a cloak, a shield, a camera move).

    A broad band of wake noise centred on the Strouhal frequency of the speed profile,
    a narrower edge tone above it, and a low "air push" that grows with intensity; the
    level follows the dipole law and points at the pass. A higher ``intensity`` is a
    faster pass: brighter, with more low push.

    Parameters
    ----------
    duration_s : float
        Length (s, 0.1..10).
    peak_fraction : float
        Where the pass is, as a share of the length (0.1..0.95); the design peak is
        :attr:`peak_s` and the sync point is the measured loudness peak near it.
    speed_m_s : float
        Peak speed of the pass at intensity 1 (m/s, 2..120).
    size_m : float
        Wake-shedding size of the object (m, 0.0005..0.5); smaller is brighter
        (centre ``0.2 * speed / size``, clipped to 150..9000 Hz).
    intensity : float
        0..1: speed (55 %..100 % of ``speed_m_s``), low push and level (-12..-6 dBFS).

    Examples
    --------
    >>> sound = Whoosh(duration_s=0.6).render(np.random.default_rng(1))
    >>> sound.audio.shape, abs(sound.sync_sample - round(0.36 * 48000)) < 480
    ((1, 28800), True)
    """

    name: ClassVar[str] = "whoosh"
    kind: ClassVar[str] = "hit"

    duration_s: float = 0.8
    peak_fraction: float = 0.6
    speed_m_s: float = 30.0
    size_m: float = 0.003
    intensity: float = 1.0

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.1, 10.0)
        check_range(self.name, "peak_fraction", self.peak_fraction, 0.1, 0.95)
        check_range(self.name, "speed_m_s", self.speed_m_s, 2.0, 120.0)
        check_range(self.name, "size_m", self.size_m, 0.0005, 0.5)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    @property
    def peak_s(self) -> float:
        """Designed time of the pass (s from the start): the loudness peak."""
        return self.duration_s * self.peak_fraction

    def centre_hz(self, speed_m_s: np.ndarray | float) -> np.ndarray:
        """Return the wake's centre frequency at a speed (Hz): Strouhal, clipped to 150..9000 Hz."""
        return np.clip(STROUHAL * np.asarray(speed_m_s, dtype=np.float64) / self.size_m, 150.0, 9000.0)

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation; ``sync_sample`` is the measured loudness peak."""
        peak_s, duration_s = self.peak_s, self.duration_s
        top_speed = self.speed_m_s * (0.55 + 0.45 * self.intensity) * rng.uniform(0.92, 1.08)
        push = 0.25 + 0.45 * self.intensity  # low air push: bigger passes move more air
        edge = rng.uniform(0.15, 0.35)  # a faint edge tone: how "whistly" this object is
        edge_ratio = rng.uniform(1.5, 2.2)

        def shape(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
            centre = self.centre_hz(top_speed * _speed(times_s, peak_s, duration_s)).astype(freqs_hz.dtype)
            power = bandpass_power(freqs_hz, centre, 0.9)  # the wake
            power += edge**2 * bandpass_power(freqs_hz, centre * edge_ratio, 5.0)  # the edge tone
            power += push**2 * bandpass_power(freqs_hz, centre / 4.0, 0.7)  # the low push
            power = np.sqrt(power, out=power)
            return power * lowpass_response(freqs_hz, 14_000.0, order=2)  # no fizz above the air's roll-off

        # a broad band: every sample sums many bins, so the cheap bins are as Gaussian; its
        # smooth glide is computed at an eighth of its shorter half at most (0.05 dB in any octave)
        glide_s = min(peak_s, duration_s - peak_s)
        frames_per_step = int(glide_s * sample_rate / (_SHAPE_STEPS * _N_FFT // 2))
        coarse = _every_few_frames(shape, frames_per_step)
        return _render_aero(rng, sample_rate, duration_s, peak_s, self.intensity, coarse, odd_bytes=True)


@dataclass(frozen=True, slots=True)
class Swish:
    """A sword or blade swing: aeolian tones from the blade rushing through the air.

    Eight compact sources on the blade (six spaced seven thicknesses apart at the tip,
    one mid-blade, one at the hilt), each a narrow band of vortex-shedding noise at
    ``0.2 * U / d`` for its own speed ``U`` (radius × angular speed), with its second
    harmonic (the drag dipole) and amplitude ``U**3``. The tip sources dominate and beat
    against each other; the whole chord glides up to the peak of the swing and down.

    Parameters
    ----------
    duration_s : float
        Length (s, 0.08..3).
    peak_fraction : float
        Where the blade is fastest, as a share of the length (0.1..0.95); the design
        peak is :attr:`peak_s`.
    tip_speed_m_s : float
        Tip speed at the peak at intensity 1 (m/s, 5..100; a hard sword cut is 30..50).
    blade_length_m : float
        Blade length (m, 0.2..2).
    blade_thickness_m : float
        Thickness the air sees (m, 0.001..0.05); thinner is higher.
    intensity : float
        0..1: swing speed (55 %..100 %), brightness and level (-12..-6 dBFS).

    Examples
    --------
    >>> sound = Swish().render(np.random.default_rng(2))
    >>> sound.audio.shape
    (1, 16800)
    """

    name: ClassVar[str] = "swish"
    kind: ClassVar[str] = "hit"

    duration_s: float = 0.35
    peak_fraction: float = 0.55
    tip_speed_m_s: float = 40.0
    blade_length_m: float = 0.9
    blade_thickness_m: float = 0.006
    intensity: float = 1.0

    _ARM_M: ClassVar[float] = 0.6
    """Distance from the swing's pivot (shoulder) to the hilt."""

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.08, 3.0)
        check_range(self.name, "peak_fraction", self.peak_fraction, 0.1, 0.95)
        check_range(self.name, "tip_speed_m_s", self.tip_speed_m_s, 5.0, 100.0)
        check_range(self.name, "blade_length_m", self.blade_length_m, 0.2, 2.0)
        check_range(self.name, "blade_thickness_m", self.blade_thickness_m, 0.001, 0.05)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    @property
    def peak_s(self) -> float:
        """Designed time of the fastest point of the swing (s): the loudness peak."""
        return self.duration_s * self.peak_fraction

    def source_radii_m(self) -> np.ndarray:
        """Return the radii of the eight aeolian sources from the pivot (m), tip first."""
        d, hilt = self.blade_thickness_m, self._ARM_M
        tip = hilt + self.blade_length_m
        tips = tip - 7.0 * d * np.arange(6)
        return np.concatenate([np.maximum(tips, hilt), [hilt + self.blade_length_m / 2, hilt]])

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation; ``sync_sample`` is the measured loudness peak."""
        peak_s, duration_s, d = self.peak_s, self.duration_s, self.blade_thickness_m
        radii = self.source_radii_m()
        rel_speed = radii / radii[0] * rng.uniform(0.97, 1.03, radii.size)  # blade flex, jitter
        weights = rel_speed**3 * np.array([1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.35, 0.15])
        tip_speed = self.tip_speed_m_s * (0.55 + 0.45 * self.intensity) * rng.uniform(0.93, 1.07)
        q = rng.uniform(6.0, 10.0)

        def shape(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
            tip = tip_speed * _speed(times_s, peak_s, duration_s)  # (frames, 1)
            # the wake, then each source's lift tone and its drag dipole at twice the frequency
            power = 0.12**2 * bandpass_power(freqs_hz, np.clip(STROUHAL * tip / d, 80.0, 10_000.0), 0.8)
            for rel, weight in zip(rel_speed.astype(np.float32), weights.astype(np.float32), strict=True):
                f0 = np.clip(STROUHAL * tip * rel / d, 80.0, 10_000.0)
                power += weight * bandpass_power(freqs_hz, f0, q)
                power += 0.3**2 * weight * bandpass_power(freqs_hz, 2.0 * f0, q)
            return np.sqrt(power, out=power)

        # the aeolian tones are a few bins wide: Gaussian bins, whose sums stay Gaussian however few
        return _render_aero(rng, sample_rate, duration_s, peak_s, self.intensity, shape, odd_bytes=False)
