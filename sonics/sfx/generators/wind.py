"""Wind: a gusting wind over open ground, with whistles and howls at some speeds.

Recipe (Farnell, *Designing Sound*, ch. 41): one control, the wind speed, drives
everything. Speed = the bed's level curve times slow gusts (band-limited noise, squared
so gusts rise suddenly) plus faster turbulence. The body is noise through a broad
band-pass whose centre and level rise with speed, over a low buffeting rumble. Whistles
(air over edges) and howls (cavities) are narrow resonances whose pitch follows speed
(Strouhal: f = St U / d) and which only sound inside their own range of speeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sonics.core.sound import Sound
from sonics.dsp.controls import SmoothRandom
from sonics.dsp.filters import bandpass_response, lowpass_response
from sonics.dsp.streams import NoiseStream
from sonics.sfx.generators._fields import check_bed, check_int, check_range, curve_reader, finish_stereo_bed

__all__ = ["Wind"]

_N_FFT = 4096  # 12 Hz bins: narrow enough for howls
_STEP = 256  # samples between two readings of the speed for the whistles
_TOP_SPEED = 1.5  # the speed never goes above this
_N_SPEEDS = 192  # speeds at which the spectrum is tabulated


class _SpeedTable:
    """The wind's magnitude spectrum against speed: tabulated as needed, interpolated between."""

    def __init__(self, shape: Callable[[np.ndarray], np.ndarray], n_bins: int) -> None:
        self._shape = shape
        self._speeds = np.linspace(0.0, _TOP_SPEED, _N_SPEEDS)
        self._rows = np.zeros((_N_SPEEDS, n_bins), dtype=np.float32)
        self._done = np.zeros(_N_SPEEDS, dtype=bool)

    def __call__(self, speed: np.ndarray) -> np.ndarray:
        """Return the magnitude at each speed, shape ``(len(speed), n_bins)``."""
        x = np.clip(speed / _TOP_SPEED * (_N_SPEEDS - 1), 0.0, _N_SPEEDS - 1.0 - 1e-9)
        below = np.floor(x).astype(np.int64)
        share = (x - below).astype(np.float32)[:, np.newaxis]
        need = np.unique(np.concatenate([below, below + 1]))
        missing = need[~self._done[need]]
        if missing.size:
            self._rows[missing] = self._shape(self._speeds[missing, np.newaxis])
            self._done[missing] = True
        return self._rows[below] * (1.0 - share) + self._rows[below + 1] * share


def _bump(x: np.ndarray) -> np.ndarray:
    """Raised-cosine window: 1 at 0, falling to 0 at |x| = 1."""
    return np.where(np.abs(x) < 1.0, 0.5 + 0.5 * np.cos(np.pi * np.clip(x, -1.0, 1.0)), 0.0)


@dataclass(frozen=True, slots=True)
class Wind:
    """Wind over open ground (a bed): gusts, a broad rushing body, whistles and howls.

    Parameters
    ----------
    duration_s : float
        Length (s, 0.1..600).
    speed : float
        Mean wind speed, 0.05..1 (a breeze to a gale): the bed's level curve scales it.
    gustiness : float
        0..1: how much and how suddenly gusts vary the speed.
    n_whistles : int
        Edges that whistle (0..6), each in its own range of speeds.
    intensity : float
        0..1: overall strength; without a curve it is the constant level curve.
    curve : tuple of float
        Level envelope in 0..1 at ``curve_rate_hz``: scales the wind speed (so a rising
        curve also brightens it and brings in the whistles). Empty: constant ``intensity``.
    curve_rate_hz : float
        Points per second of ``curve`` (1..1000).

    Examples
    --------
    >>> sound = Wind(duration_s=1.0).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((2, 48000), 0)
    """

    name: ClassVar[str] = "wind"
    kind: ClassVar[str] = "bed"

    duration_s: float = 10.0
    speed: float = 0.6
    gustiness: float = 0.6
    n_whistles: int = 3
    intensity: float = 1.0
    curve: tuple[float, ...] = ()
    curve_rate_hz: float = 100.0

    def __post_init__(self) -> None:
        check_range(self.name, "speed", self.speed, 0.05, 1.0)
        check_range(self.name, "gustiness", self.gustiness, 0.0, 1.0)
        check_int(self.name, "n_whistles", self.n_whistles, 0, 6)
        object.__setattr__(self, "curve", check_bed(self))

    def render(
        self, rng: np.random.Generator, sample_rate: int = 48_000, *, out: np.ndarray | None = None
    ) -> Sound:
        """Render one variation: fresh gusts, fresh whistles.

        ``out``: an array to render into, as :class:`~sonics.core.sound.Generator` describes.
        """
        read_curve = curve_reader(self.curve, self.curve_rate_hz, self.intensity)
        n_samples = round(self.duration_s * sample_rate)
        gusts = SmoothRandom.draw(rng, low_hz=0.04, high_hz=0.35, n_components=8)
        turbulence = SmoothRandom.draw(rng, low_hz=0.7, high_hz=4.0, n_components=8)

        def wind_speed(times_s: np.ndarray) -> np.ndarray:
            level = read_curve(times_s)
            g = gusts(times_s) / 1.4  # mostly within +-1
            # squaring the positive excursions makes gusts swell suddenly and die slowly
            gust = 1.0 + self.gustiness * (0.35 * g + 0.45 * np.maximum(g, 0.0) ** 2 - 0.15)
            wander = 1.0 + 0.08 * self.gustiness * turbulence(times_s)
            return np.clip(self.speed * (0.35 + 0.65 * level) * gust * wander, 0.0, 1.5)

        # whistles: Strouhal tones f = St U / d; each edge sounds only around its own speed
        whistle_hz = np.exp(rng.uniform(np.log(500.0), np.log(2200.0), self.n_whistles))
        whistle_at = rng.uniform(0.35, 1.0, self.n_whistles)  # speed at which each sings loudest
        whistle_pan = rng.uniform(-0.7, 0.7, self.n_whistles)
        flutter = [
            SmoothRandom.draw(rng, low_hz=2.0, high_hz=9.0, n_components=6) for _ in range(self.n_whistles)
        ]
        howl_hz = rng.uniform(280.0, 480.0)

        noise = NoiseStream(rng, sample_rate, n_channels=2, n_fft=_N_FFT)
        freqs_hz = noise.freqs_hz
        subsonic = (freqs_hz / 25.0) ** 4 / (1.0 + (freqs_hz / 25.0) ** 4)  # nothing below ~25 Hz

        def shape(u: np.ndarray) -> np.ndarray:
            # a broad rushing band, brighter with speed (the hiss opens up as the wind rises)
            body = u**1.5 * bandpass_response(freqs_hz, 180.0 + 900.0 * u, 0.6)
            body *= lowpass_response(freqs_hz, 800.0 + 5000.0 * u**2, order=1)
            rumble = 0.8 * u**2 * lowpass_response(freqs_hz, 70.0 + 60.0 * u, order=2)
            howl = 0.6 * _bump((u - 1.0) / 0.4) * bandpass_response(freqs_hz, howl_hz * (0.4 + 0.8 * u), 9.0)
            return (body + rumble + howl) * subsonic

        shapes = _SpeedTable(shape, freqs_hz.shape[1])

        def magnitude(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
            return shapes(wind_speed(times_s)[:, 0])

        phases = np.zeros(self.n_whistles)  # radians, at the start of the next block
        pans = np.stack([np.cos((whistle_pan + 1) * np.pi / 4), np.sin((whistle_pan + 1) * np.pi / 4)])
        ramp = (np.arange(_STEP) / _STEP).astype(np.float32)

        def whistles(start: int, n: int) -> np.ndarray:
            """Return the whistles of samples ``[start, start + n)`` (n a multiple of _STEP), shape (2, n)."""
            # the speed is read every _STEP samples: pitch and level move in straight lines between
            coarse = (start + _STEP * np.arange(n // _STEP + 1)) / sample_rate
            u = wind_speed(coarse)
            tones = np.zeros((self.n_whistles, n // _STEP, _STEP), dtype=np.float32)
            for k in range(self.n_whistles):
                amp = 0.1 * _bump((u - whistle_at[k]) / 0.3) * (0.6 + 0.4 * flutter[k](coarse * 0.37))
                freq = whistle_hz[k] * (0.55 + 0.9 * u) * (1.0 + 0.02 * flutter[k](coarse))
                turn = 2.0 * np.pi * freq[:-1] * _STEP / sample_rate  # radians over each step
                at = phases[k] + np.concatenate([[0.0], np.cumsum(turn)])
                phases[k] = at[-1] % (2.0 * np.pi)
                if np.any(amp > 0):
                    tone = (at[:-1] % (2.0 * np.pi)).astype(np.float32)[:, np.newaxis] + turn.astype(
                        np.float32
                    )[:, np.newaxis] * ramp
                    np.sin(tone, out=tone)
                    tone *= (
                        amp[:-1, np.newaxis].astype(np.float32)
                        + np.diff(amp).astype(np.float32)[:, np.newaxis] * ramp
                    )
                    tones[k] = tone
            return pans.astype(np.float32) @ tones.reshape(self.n_whistles, n)

        def block(start: int, stop: int) -> np.ndarray:
            m = -(-(stop - start) // _STEP) * _STEP
            out = noise.render(m, magnitude)
            if self.n_whistles:
                out += whistles(start, m)
            return out[:, : stop - start]

        audio = finish_stereo_bed(
            n_samples, block, sample_rate=sample_rate, intensity=self.intensity, out=out
        )
        return Sound(audio, sample_rate, 0)
