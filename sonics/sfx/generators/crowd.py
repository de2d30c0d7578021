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
from scipy.signal import butter

from sonics.core.sound import Sound
from sonics.dsp.controls import SmoothRandom
from sonics.dsp.filters import lowpass_response, sos_response
from sonics.dsp.formants import formant_sos, glottal_sos, pulse_times
from sonics.dsp.noise import random_bytes
from sonics.dsp.pulses import poisson_times
from sonics.dsp.streams import ConvolveStream, NoiseStream
from sonics.sfx.generators._fields import check_bed, check_int, check_range, curve_reader, finish_stereo_bed

__all__ = ["ArmyRoar"]

_VOWELS = ("a", "ae", "o")
_VOWEL_SHARE = np.array([0.5, 0.25, 0.25])  # battle cries are mostly open "aah"
_MAX_VOICED = 48  # voices beyond this blur into the far roar (the noise wash), which grows instead
_CONTROL_HZ = 50.0  # pitch contours are drawn at this rate: 9 points a cycle of the 5.5 Hz wobble
# the voices lie below 3 kHz (their spectrum is 55 dB under its peak there): they are made at
# 1 / _DIVISOR of the output rate, 6 kHz, where the linear upsampler's images of their formants
# (near 5 kHz) stay 30 dB under them and 15 dB under the breath noise at the same frequencies
_DIVISOR = 8
_IR = 256  # samples kept of each vowel's response (43 ms at 6 kHz: 90 dB down)
_N_FFT = 2304  # FFT length of the vowels' convolution: a block's 16384 voice samples are 8 segments of 2049
_DESIGN_FFT = 1024  # points the responses are designed on: 170 ms, far beyond their 43 ms
_WASH_FFT = 4096  # frame length of the breath and rumble noise
_BLOCK = 1 << 17  # samples per block: long blocks spread the per-call costs


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
    rng: np.random.Generator, shouts: _Shouts, rate_hz: float, offset: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the glottal pulses of some shouts: index, left and right weight.

    A pulse's index is its sample (at ``rate_hz``) plus its shout's ``offset``: its place
    in the trains.
    """
    n_points = np.maximum(2, np.ceil(shouts.length_s * _CONTROL_HZ).astype(np.int64))
    firsts = np.repeat(np.cumsum(n_points) - n_points, n_points)
    x = (np.arange(firsts.size) - firsts) / np.repeat(n_points - 1, n_points)
    # pitch rises into the shout, holds, and falls off at its end; a slow wobble on top
    contour = 1.0 + 0.18 * np.minimum(x / 0.25, 1.0) - 0.3 * np.maximum(x - 0.75, 0.0) / 0.25
    cycles = x * np.repeat(shouts.length_s, n_points) * 5.5 + rng.random(x.size) * 0.05
    wobble = 1.0 + 0.02 * np.sin((2 * np.pi * cycles).astype(np.float32))
    times, of = pulse_times(np.repeat(shouts.f0_hz, n_points) * contour * wobble, _CONTROL_HZ, n_points)
    counts = np.bincount(of, minlength=n_points.size)

    def each(values: np.ndarray) -> np.ndarray:
        return np.repeat(values, counts)  # the pulses come shout by shout: values[of], for less

    phase = times / each(shouts.length_s)
    # swell in over ~15 %, hold, fade over the last ~25 %: a shout, not a note
    fall = np.clip((1.0 - phase) * 4.0, 0.0, 1.0)
    envelope = np.minimum(phase / 0.15, 1.0) * fall * np.sqrt(fall)
    # shimmer (1 dB) and jitter (1 % of the period) as uniform bytes (sd 73.9 out of +-128);
    # rounding to whole samples adds its own jitter (sd 1 / sqrt(12) sample): the drawn jitter
    # makes up the rest (above 208 Hz, rounding at 6 kHz alone is a little more: 1.2 % at 250 Hz)
    scatter = random_bytes(rng, 2 * times.size).reshape(2, -1)
    envelope *= 1.0 + scatter[0] * (0.115 / 73.9)
    jitter_sd_s = np.sqrt(np.maximum((0.01 / shouts.f0_hz) ** 2 - 1.0 / (12.0 * rate_hz**2), 0.0))
    jitter_s = scatter[1] * each(jitter_sd_s / 73.9)
    # one sample early: the upsampler delays the voices by one sample at ``rate_hz``
    first = shouts.start_s * rate_hz - 1.0 + offset
    index = np.rint((times + jitter_s) * rate_hz + each(first)).astype(np.int64)
    return index, each(shouts.gain[0]) * envelope, each(shouts.gain[1]) * envelope


def _shelf(sample_rate: int, *, corner_hz: float = 2500.0, gain_db: float = 12.0) -> np.ndarray:
    """Return a first-order high shelf (``1 + g * high-pass``) as one second-order section."""
    b, a = butter(1, corner_hz, "highpass", fs=sample_rate)
    g = 10.0 ** (gain_db / 20.0) - 1.0
    return np.array([[1.0 + g * b[0], a[1] + g * b[1], 0.0, 1.0, a[1], 0.0]])


def _voice_responses(sample_rate: int, shifts: np.ndarray, raise_hz: float) -> np.ndarray:
    """Return each vowel's impulse response (source and tract), at ``sample_rate / _DIVISOR``.

    The response is the one of the filters designed at the output rate, band-limited: an
    impulse at the low rate stands for ``_DIVISOR`` output samples, so it is scaled by
    ``1 / _DIVISOR``; the droop of the linear upsampler is made up; the response is cut to
    ``_IR`` samples with a short fade.
    """
    low_rate = sample_rate / _DIVISOR
    freqs = np.fft.rfftfreq(_DESIGN_FFT, 1.0 / low_rate)
    droop = np.sinc(freqs / low_rate) ** 2
    # pressed, bright voices: a flatter glottal spectrum; F4-F5's presence as a shelf (F1-F3 are filtered)
    source = np.concatenate([glottal_sos(sample_rate, corner_hz=250.0), _shelf(sample_rate)])
    n_taper = _IR // 8  # 5 ms
    taper = np.r_[np.ones(_IR - n_taper), np.cos(0.5 * np.pi * (np.arange(n_taper) + 0.5) / n_taper)]
    irs = []
    for v, s in zip(_VOWELS, shifts, strict=True):
        tract = formant_sos(v, sample_rate, shift=s, f1_raise_hz=raise_hz)[:3]
        response = sos_response(np.concatenate([source, tract]), freqs, sample_rate)
        irs.append(np.fft.irfft(response / (droop * _DIVISOR), n=_DESIGN_FFT)[:_IR] * taper)
    return np.asarray(irs)


class _Voices:
    """The shouts' glottal pulses as impulse trains, made a batch of shouts at a time as the blocks need them.

    A batch's pulses are laid into trains (per channel and vowel) at once, a ``bincount``
    a channel from the block's start to the batch's last pulse; what lies beyond the
    block is kept and added to the next block's trains, so each pulse is handled once.
    """

    def __init__(self, rng: np.random.Generator, shouts: _Shouts, rate_hz: float) -> None:
        self._rng, self._shouts, self._rate = rng, shouts, rate_hz
        self._next = 0  # first shout not yet turned into pulses
        self._ahead = np.zeros((2, len(_VOWELS), 0))  # trains already made from the next block's start

    def trains(self, start: int, n_samples: int) -> np.ndarray:
        """Return the impulse trains of samples ``[start, start + n_samples)``, shape ``(n_vowels, 2, n)``."""
        ahead, rate = self._ahead, self._rate
        # a shout's first pulse may come a few samples before its start (lead and jitter)
        last = int(np.searchsorted(self._shouts.start_s, (start + n_samples + 4) / rate))
        if last > self._next:
            batch = _Shouts(*(getattr(self._shouts, f)[..., self._next : last] for f in _Shouts.__slots__))
            self._next = last
            # a vowel's row reaches from the batch's first pulse (before the bed's start for
            # the shouts already under way) to its last (past the block's end, a contour's
            # last point and the jitter beyond the longest shout)
            lead = max(0, start - int(np.floor(batch.start_s[0] * rate)) + 4)
            reach = int(np.ceil(np.max(batch.start_s + batch.length_s) * rate + rate / _CONTROL_HZ)) + 4
            row = lead + max(n_samples, ahead.shape[-1], reach - start)
            index, left, right = _pulses(self._rng, batch, rate, batch.vowel * row + lead - start)
            size = len(_VOWELS) * row  # an index beyond it would make a longer row: reshape refuses it
            trains = np.stack(
                [np.bincount(index, left, minlength=size), np.bincount(index, right, minlength=size)]
            )
            trains = trains.reshape(2, len(_VOWELS), row)[..., lead:]
            trains[..., : ahead.shape[-1]] += ahead
        else:
            trains = np.zeros((2, len(_VOWELS), max(n_samples, ahead.shape[-1])))
            trains[..., : ahead.shape[-1]] = ahead
        self._ahead = trains[..., n_samples:]
        return trains[..., :n_samples].transpose(1, 0, 2)


class _Rise:
    """Bring the stereo voices up by ``_DIVISOR``, block after block: linear interpolation as matrix products.

    The samples of :class:`~sonics.dsp.streams.Upsampler` but for the last bit: low sample
    ``j`` lands on output sample ``(j + 1) * _DIVISOR``. Each output sample weighs two
    low ones, so a row's block is its ``(m, 2)`` pairs of neighbours times the
    ``(2, _DIVISOR)`` weights: one contiguous product instead of a strided pass per phase
    (a third of the time).
    """

    def __init__(self) -> None:
        ramp = np.arange(_DIVISOR, dtype=np.float32) / np.float32(_DIVISOR)
        self._weights = np.stack([1.0 - ramp, ramp])
        self._last = np.zeros((2, 1), dtype=np.float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Return the next block: ``(2, m * _DIVISOR)`` for ``x`` of ``(2, m)``, float32."""
        padded = np.concatenate([self._last, np.asarray(x, dtype=np.float32)], axis=1)
        self._last = padded[:, -1:].copy()
        out = np.empty((2, x.shape[1], _DIVISOR), dtype=np.float32)
        for row in range(2):
            pairs = np.stack([padded[row, :-1], padded[row, 1:]])  # (2, m): its transpose is the (m, 2) pairs
            np.matmul(pairs.T, self._weights, out=out[row])
        return out.reshape(2, -1)


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

    def render(
        self, rng: np.random.Generator, sample_rate: int = 48_000, *, out: np.ndarray | None = None
    ) -> Sound:
        """Render one variation: a fresh crowd.

        ``out``: an array to render into, as :class:`~sonics.core.sound.Generator` describes.
        """
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

        raise_hz = 120.0  # shouting opens the jaw: F1 up
        shifts = rng.uniform(0.95, 1.08, len(_VOWELS))
        # the voices are made at an eighth of the rate, each vowel's tract as one FFT
        # convolution, and brought up to the output rate
        low_rate = sample_rate / _DIVISOR
        voices = _Voices(rng, shouts, low_rate)
        tracts = ConvolveStream(_voice_responses(sample_rate, shifts, raise_hz), 2, n_fft=_N_FFT)
        up = _Rise()
        # breath and far roar: noise through the average shouted vowel; a low rumble under it
        freqs = np.fft.rfftfreq(1024, 1.0 / sample_rate)
        vowel_shape = np.zeros(freqs.size)
        for v, s in zip(_VOWELS, shifts, strict=True):
            tract = formant_sos(v, sample_rate, shift=s, f1_raise_hz=raise_hz)
            response = sos_response(tract, freqs, sample_rate)
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
        noise = NoiseStream(rng, sample_rate, n_channels=2, n_fft=_WASH_FFT)
        # the shapes were drawn on 1024 bins; the stream's frames have more
        wash_freqs = noise.freqs_hz[0]
        # single precision: the stream draws its bins in it
        vowel_shape = np.interp(wash_freqs, freqs, vowel_shape).astype(np.float32)
        rumble_shape = np.interp(wash_freqs, freqs, rumble_shape).astype(np.float32)

        def wash(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
            s = swell(times_s)
            out = ((0.02 + 0.06 * s**1.5) * crowd_size).astype(np.float32) * vowel_shape
            out += ((0.03 + 0.09 * s) * crowd_size).astype(np.float32) * rumble_shape
            return out

        def block(start: int, stop: int) -> np.ndarray:
            first, m = start // _DIVISOR, -(-(stop - start) // _DIVISOR)
            voiced = up(tracts(voices.trains(first, m)))
            out = noise.render(m * _DIVISOR, wash)
            out += voiced
            return out[:, : stop - start]

        audio = finish_stereo_bed(
            n_samples, block, sample_rate=sample_rate, intensity=self.intensity, out=out, block_samples=_BLOCK
        )
        return Sound(audio, sample_rate, 0)
