"""Army roar: a battle crowd of many shouting voices over the rumble of an army.

Recipe (the source-filter model of the voice, crowd-sized): each shout is a glottal
pulse train whose pitch rises into the shout and falls at its end, with jitter and
shimmer, and a shouted vowel ("aah", "ae", "oh"; F1 raised as the jaw opens).
Shouts start at random (a Poisson process) so that the number of voices sounding follows
the bed's curve; each has its own pitch (men shouting: 150-350 Hz, higher as the crowd
gets excited), length, loudness and place in the stereo field, a few near and loud, most
far. All pulses of one vowel share one formant filter (filtering is linear), so the
cost does not grow with the number of voices. Under the voices, formant-shaped breath
noise (the unresolved roar of the far crowd) and a low rumble of armour and feet swell
with the same curve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.signal import butter, sosfreqz

from sonics.core.sound import Sound
from sonics.dsp.controls import SmoothRandom
from sonics.dsp.filters import lowpass_response
from sonics.dsp.formants import formant_sos, glottal_sos, pulse_times
from sonics.dsp.pulses import impulses, poisson_times
from sonics.dsp.streams import NoiseStream, SosStream, finish_in_place, render_in_blocks
from sonics.sfx.generators._fields import check_bed, check_int, check_range, curve_reader, peak_db_for

__all__ = ["ArmyRoar"]

_VOWELS = ("a", "ae", "o")
_VOWEL_SHARE = np.array([0.5, 0.25, 0.25])  # battle cries are mostly open "aah"
_MAX_VOICED = 48  # voices beyond this blur into the far roar (the noise wash), which grows instead
_CONTROL_HZ = 100.0  # pitch contours are drawn at this rate


@dataclass(frozen=True, slots=True)
class _Shouts:
    """Every shout of the render, sorted by start."""

    start_s: np.ndarray
    length_s: np.ndarray
    f0_hz: np.ndarray
    vowel: np.ndarray
    gain: np.ndarray  # (2, k): level times pan


def _shouts(
    rng: np.random.Generator, times_s: np.ndarray, control: np.ndarray, *, near_share: float
) -> _Shouts:
    k = times_s.size
    excited = control  # an excited crowd shouts longer, higher and louder
    length = rng.uniform(0.35, 1.2, k) * (1.0 + 1.2 * excited * rng.random(k))
    f0 = np.exp(rng.normal(np.log(170.0), 0.22, k)) * (1.0 + 0.45 * excited)
    vowel = rng.choice(len(_VOWELS), size=k, p=_VOWEL_SHARE)
    near = rng.random(k) < near_share
    level = np.where(near, rng.uniform(0.6, 1.0, k), rng.uniform(0.08, 0.35, k)) * (0.35 + 0.65 * control)
    pan = np.where(near, rng.uniform(-0.9, 0.9, k), rng.uniform(-1.0, 1.0, k))
    angle = (pan + 1.0) * np.pi / 4.0
    gain = np.stack([np.cos(angle), np.sin(angle)]) * level
    return _Shouts(times_s, length, f0, vowel, gain)


def _pulses(
    rng: np.random.Generator, shouts: _Shouts, sample_rate: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the glottal pulses of some shouts: positions (samples), weights (2, m), vowel index."""
    n_points = np.maximum(2, np.ceil(shouts.length_s * _CONTROL_HZ).astype(np.int64))
    which = np.repeat(np.arange(n_points.size), n_points)
    x = (np.arange(which.size) - np.repeat(np.cumsum(n_points) - n_points, n_points)) / np.repeat(
        n_points - 1, n_points
    )
    # pitch rises into the shout, holds, and falls off at its end; a slow wobble on top
    contour = 1.0 + 0.18 * np.minimum(x / 0.25, 1.0) - 0.3 * np.maximum(x - 0.75, 0.0) / 0.25
    wobble = 1.0 + 0.02 * np.sin(
        2 * np.pi * (x * np.repeat(shouts.length_s, n_points) * 5.5 + rng.random(which.size) * 0.05)
    )
    f0 = np.repeat(shouts.f0_hz, n_points) * contour * wobble
    times, of = pulse_times(f0, _CONTROL_HZ, n_points)
    phase = times / shouts.length_s[of]
    # swell in over ~15 %, hold, fade over the last ~25 %: a shout, not a note
    envelope = np.minimum(phase / 0.15, 1.0) * np.clip((1.0 - phase) / 0.25, 0.0, 1.0) ** 1.5
    shimmer = 10.0 ** (rng.normal(0.0, 1.0, times.size) / 20.0)
    jitter_s = rng.normal(0.0, 0.01, times.size) / np.repeat(
        shouts.f0_hz, np.bincount(of, minlength=of.max() + 1)
    )
    positions = (shouts.start_s[of] + times + jitter_s) * sample_rate
    weights = shouts.gain[:, of] * (envelope * shimmer)
    return positions, weights, shouts.vowel[of]


def _shelf(sample_rate: int, *, corner_hz: float = 2500.0, gain_db: float = 12.0) -> np.ndarray:
    """Return a first-order high shelf (``1 + g * high-pass``) as one second-order section."""
    b, a = butter(1, corner_hz, "highpass", fs=sample_rate)
    g = 10.0 ** (gain_db / 20.0) - 1.0
    return np.array([[1.0 + g * b[0], a[1] + g * b[1], 0.0, 1.0, a[1], 0.0]])


class _Voices:
    """The shouts' glottal pulses, made a batch of shouts at a time as the blocks need them."""

    def __init__(self, rng: np.random.Generator, shouts: _Shouts, sample_rate: int) -> None:
        self._rng, self._shouts, self._rate = rng, shouts, sample_rate
        self._next = 0  # first shout not yet turned into pulses
        self._positions = np.zeros(0)
        self._weights = np.zeros((2, 0))
        self._vowel = np.zeros(0, dtype=np.int64)

    def pulses_before(self, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the pulses that touch samples before ``stop``; keep those that reach past it."""
        last = int(np.searchsorted(self._shouts.start_s, stop / self._rate))
        if last > self._next:
            batch = _Shouts(*(getattr(self._shouts, f)[..., self._next : last] for f in _Shouts.__slots__))
            positions, weights, vowel = _pulses(self._rng, batch, self._rate)
            self._positions = np.concatenate([self._positions, positions])
            self._weights = np.concatenate([self._weights, weights], axis=1)
            self._vowel = np.concatenate([self._vowel, vowel])
            self._next = last
        use = self._positions < stop
        keep = self._positions >= stop - 1  # a pulse in [stop - 1, stop) spills into the next block
        out = self._positions[use], self._weights[:, use], self._vowel[use]
        self._positions, self._weights, self._vowel = (
            self._positions[keep],
            self._weights[:, keep],
            self._vowel[keep],
        )
        return out


@dataclass(frozen=True, slots=True)
class ArmyRoar:
    """An army's roar (a bed): many shouting voices, breath and rumble, swelling with the curve.

    Parameters
    ----------
    duration_s : float
        Length (s, 0.1..600).
    n_voices : int
        Voices shouting at once at full swell (4..400); at a low curve only a few.
    near : float
        0..1: share of voices close to the camera (distinct, loud shouts) against the
        far, blended crowd.
    intensity : float
        0..1: excitement: higher, longer, louder shouts; without a curve, also the
        constant swell.
    curve : tuple of float
        Swell in 0..1 at ``curve_rate_hz``: how many shout, how excited, how loud.
        Empty: constant ``intensity``.
    curve_rate_hz : float
        Points per second of ``curve`` (1..1000).

    Examples
    --------
    >>> sound = ArmyRoar(duration_s=1.0).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((2, 48000), 0)
    """

    name: ClassVar[str] = "army_roar"
    kind: ClassVar[str] = "bed"

    duration_s: float = 10.0
    n_voices: int = 40
    near: float = 0.15
    intensity: float = 1.0
    curve: tuple[float, ...] = ()
    curve_rate_hz: float = 100.0

    def __post_init__(self) -> None:
        check_int(self.name, "n_voices", self.n_voices, 4, 400)
        check_range(self.name, "near", self.near, 0.0, 1.0)
        object.__setattr__(self, "curve", check_bed(self))

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation: a fresh crowd."""
        read_curve = curve_reader(self.curve, self.curve_rate_hz, self.intensity)
        n_samples = round(self.duration_s * sample_rate)
        breathing = SmoothRandom.draw(rng, low_hz=0.05, high_hz=0.4, n_components=6)  # the crowd's own swells

        def swell(times_s: np.ndarray) -> np.ndarray:
            control = read_curve(times_s)
            return np.clip(control * (1.0 + 0.15 * breathing(times_s)), 0.0, 1.0)

        # shouts start so that about n_voices * (0.1 + 0.9 swell) sound at once (at most _MAX_VOICED)
        grid = np.arange(int(np.ceil(self.duration_s * 20.0)) + 1) / 20.0
        mean_length_s = 0.78 * (1.0 + 0.6 * swell(grid))
        rate = min(self.n_voices, _MAX_VOICED) * (0.1 + 0.9 * swell(grid)) / mean_length_s
        # shouts may start before the bed so that it does not open on silence
        lead_s = 1.5
        starts = poisson_times(
            rng, np.concatenate([np.full(30, rate[0]), rate]), 20.0, self.duration_s + lead_s
        )
        starts -= lead_s
        shouts = _shouts(rng, starts, swell(np.maximum(starts, 0.0)), near_share=self.near)
        voices = _Voices(rng, shouts, sample_rate)

        raise_hz = 120.0  # shouting opens the jaw: F1 up
        shifts = rng.uniform(0.95, 1.08, len(_VOWELS))
        tracts = [
            SosStream(formant_sos(v, sample_rate, shift=s, f1_raise_hz=raise_hz)[:3], 2)
            for v, s in zip(_VOWELS, shifts, strict=True)
        ]
        # pressed, bright voices: a flatter glottal spectrum; F4-F5's presence as a shelf (F1-F3 are filtered)
        source = SosStream(
            np.concatenate([glottal_sos(sample_rate, corner_hz=250.0), _shelf(sample_rate)]), 2
        )
        # breath and far roar: noise through the average shouted vowel; a low rumble under it
        freqs = np.fft.rfftfreq(1024, 1.0 / sample_rate)
        vowel_shape = np.zeros(freqs.size)
        for v, s in zip(_VOWELS, shifts, strict=True):
            _, response = sosfreqz(
                formant_sos(v, sample_rate, shift=s, f1_raise_hz=raise_hz), worN=freqs, fs=sample_rate
            )
            vowel_shape += np.abs(response) * _VOWEL_SHARE[_VOWELS.index(v)]
        vowel_shape *= (freqs / 200.0) / (1.0 + freqs / 200.0) / (1.0 + freqs / 6000.0)
        # breath and consonants: the hiss of shouting, broad from 1.5 to 8 kHz
        vowel_shape += (
            0.15
            * vowel_shape.max()
            * (1.0 - lowpass_response(freqs, 1500.0))
            * lowpass_response(freqs, 8000.0)
        )
        rumble_shape = lowpass_response(freqs, 180.0, order=2) * (freqs > 25.0)

        crowd_size = np.sqrt(self.n_voices / 40.0)  # the far roar is as big as the crowd

        def wash(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
            s = swell(times_s)
            return crowd_size * ((0.02 + 0.06 * s**1.5) * vowel_shape + (0.03 + 0.09 * s) * rumble_shape)

        noise = NoiseStream(rng, sample_rate, n_channels=2)

        def block(start: int, stop: int) -> np.ndarray:
            positions, weights, vowel = voices.pulses_before(stop)
            voiced = np.zeros((2, stop - start))
            for v, tract in enumerate(tracts):
                pick = vowel == v
                voiced += tract(
                    impulses(positions[pick], weights[:, pick], start, stop - start, n_channels=2)
                )
            return source(voiced) + noise.render(stop - start, wash)

        audio = render_in_blocks(n_samples, 2, block)
        finish_in_place(
            audio, sample_rate, peak_db=peak_db_for(self.intensity), fade_in_s=0.05, fade_out_s=0.05
        )
        return Sound(audio, sample_rate, 0)
