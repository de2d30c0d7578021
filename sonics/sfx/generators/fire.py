"""Fire: a burning fire's lapping roar, crackles and hiss.

Recipe (Farnell, *Designing Sound*, ch. 34): *lapping* is noise through a narrow
band-pass at ~30 Hz, driven hard into a clipper and DC-blocked (the flames' turbulent
flapping), then coloured by a broad band-pass; *crackling* is a sparse Poisson train
("Dust") of 20-30 ms noise bursts, each through a resonant band-pass at a random
100-1000 Hz, plus sharper snaps; *hissing* is noise above ~1 kHz whose level is a slow
random wander raised to the 4th power (squared twice), so it flares up rarely and
suddenly. The crackle density follows the same expanded flicker, so crackles come in
bursts. A bigger fire laps lower and louder and crackles more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import scipy.fft
from scipy.signal import butter, sosfreqz

from sonics.core.sound import Sound
from sonics.dsp.controls import SmoothRandom, expand
from sonics.dsp.filters import bandpass_response, lowpass_response
from sonics.dsp.pulses import poisson_times
from sonics.dsp.streams import NoiseStream, SosStream, Upsampler
from sonics.sfx.generators._fields import check_bed, check_range, curve_reader, finish_stereo_bed

__all__ = ["Fire"]

_GRAIN = 2048  # samples per crackle grain (43 ms at 48 kHz)
_LEAD = 128  # the burst starts this far into its grain, so the zero-phase colouring can ring before it
_BANK = 96  # different crackles made per render
_HISS_FFT = 4096  # frame length of the hiss noise
_LAP_FFT = 4096  # frame length of the lapping band's noise, at a quarter of the rate (3 Hz bins)


def _crackles(rng: np.random.Generator, n_grains: int, sample_rate: int, *, size: float) -> np.ndarray:
    """Return ``n_grains`` different crackles (rows, mono), each ``_GRAIN`` samples long."""
    n = np.arange(_GRAIN - _LEAD)
    # Farnell: a 20 ms percussive burst, stretched 1-1.5x, through a BPF at 100-1000 Hz (rq 1)
    decay = rng.uniform(0.02, 0.03, (n_grains, 1)) * sample_rate / 5.0
    burst = rng.uniform(-1.0, 1.0, (n_grains, n.size)) * np.exp(-n / decay)
    grains = np.zeros((n_grains, _GRAIN))
    grains[:, _LEAD:] = burst
    spectra = scipy.fft.rfft(grains, axis=1)
    freqs = np.fft.rfftfreq(_GRAIN, 1.0 / sample_rate)[np.newaxis, :]
    resonance = np.exp(rng.uniform(np.log(100.0), np.log(1000.0), (n_grains, 1)))
    # a bigger fire's crackles are woodier (lower); some are sharp snaps of split wood
    snap = (rng.random((n_grains, 1)) < 0.25) * bandpass_response(
        freqs, rng.uniform(2500, 5000, (n_grains, 1)), 1.5
    )
    shape = 0.35 + bandpass_response(freqs, resonance * (1.2 - 0.4 * size), 1.0) * 2.0 + snap * 1.5
    shape *= lowpass_response(freqs, 9000.0, order=2) * (freqs > 40.0)
    return scipy.fft.irfft(spectra * shape, n=_GRAIN, axis=1).astype(np.float32)


@dataclass(frozen=True, slots=True)
class Fire:
    """A fire burning (a bed): lapping flames, crackles, hiss.

    Parameters
    ----------
    duration_s : float
        Length (s, 0.1..600).
    crackle : float
        0..1: how much it crackles (dry wood) against how much it roars.
    intensity : float
        0..1: size of the fire: more and lower lapping, more crackles, more hiss;
        without a curve, also its level over time.
    curve : tuple of float
        Level envelope in 0..1 at ``curve_rate_hz`` (the fire flares with it). Empty:
        constant ``intensity``.
    curve_rate_hz : float
        Points per second of ``curve`` (1..1000).

    Examples
    --------
    >>> sound = Fire(duration_s=1.0).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((2, 48000), 0)
    """

    name: ClassVar[str] = "fire"
    kind: ClassVar[str] = "bed"

    duration_s: float = 10.0
    crackle: float = 0.5
    intensity: float = 1.0
    curve: tuple[float, ...] = ()
    curve_rate_hz: float = 100.0

    def __post_init__(self) -> None:
        check_range(self.name, "crackle", self.crackle, 0.0, 1.0)
        object.__setattr__(self, "curve", check_bed(self))

    def render(
        self, rng: np.random.Generator, sample_rate: int = 48_000, *, out: np.ndarray | None = None
    ) -> Sound:
        """Render one variation: fresh flames, fresh crackles.

        ``out``: an array to render into, as :class:`~sonics.core.sound.Generator` describes.
        """
        read_curve = curve_reader(self.curve, self.curve_rate_hz, self.intensity)
        n_samples = round(self.duration_s * sample_rate)
        size = self.intensity
        flicker = SmoothRandom.draw(rng, low_hz=0.2, high_hz=1.5, n_components=8)
        bound = 0.7 * flicker.bound  # peaks reach the top of the expanded range now and then

        def level(times_s: np.ndarray) -> np.ndarray:
            return 0.25 + 0.75 * read_curve(times_s)

        # crackles: Dust whose density follows the squared flicker, so they come in bursts
        control_hz = 50.0
        grid = np.arange(int(np.ceil(self.duration_s * control_hz)) + 1) / control_hz
        burstiness = expand(flicker(grid), 2.0, low=-bound, high=bound)
        rate_hz = (2.0 + 30.0 * self.crackle * (0.4 + 0.6 * size)) * (0.2 + 1.6 * burstiness) * level(grid)
        times = poisson_times(rng, rate_hz, control_hz, self.duration_s)
        pans = rng.uniform(-0.8, 0.8, times.size)
        gains = np.stack([np.cos((pans + 1) * np.pi / 4), np.sin((pans + 1) * np.pi / 4)])
        gains *= (0.3 + 0.7 * self.crackle) * level(times) * 3.0
        # a bank of different crackles, each placed with its own level, polarity and pan: a
        # crackle lasts 40 ms, so a few dozen of them never sound alike in a fire's din
        bank = _crackles(rng, min(times.size, _BANK), sample_rate, size=size)
        pick = rng.integers(0, bank.shape[0], times.size)
        gains *= rng.uniform(0.2, 1.0, times.size) ** 2 * rng.choice([-1.0, 1.0], times.size)
        gains = gains.astype(np.float32)  # many small crackles, a few loud ones
        first_samples = np.round(times * sample_rate).astype(np.int64) - _LEAD
        spill = np.zeros((2, _GRAIN), dtype=np.float32)  # the ends of the grains begun in the last block

        # lapping: a 30 Hz band of noise, overdriven and clipped, then DC-blocked and coloured;
        # made at a quarter of the rate (below ~3 kHz: the colour's skirt is 30 dB down at 6 kHz).
        # The band is white noise through a first-order band-pass, whose skirt (broadband, 40 dB
        # down) the overdrive makes part of the roar: drawn as shaped noise with the same power
        # per hertz as uniform noise at the output rate through that filter.
        mid_rate = sample_rate / 4
        _, band = sosfreqz(
            butter(1, [24.0, 36.0], "bandpass", fs=sample_rate, output="sos"),
            worN=np.fft.rfftfreq(_LAP_FFT, 1.0 / mid_rate),
            fs=sample_rate,
        )
        lap_shape = (np.abs(band) * np.sqrt(1.0 / 12.0 * mid_rate / sample_rate)).astype(np.float32)
        lap_band = NoiseStream(rng, mid_rate, n_channels=2, n_fft=_LAP_FFT)
        centre = 500.0 - 250.0 * size
        lap_colour = SosStream(
            np.concatenate(
                [
                    butter(1, 20.0, "highpass", fs=mid_rate, output="sos"),
                    butter(1, [centre * 0.3, centre * 4.0], "bandpass", fs=mid_rate, output="sos"),
                ]
            ),
            2,
        )
        up = Upsampler(4, 2)
        drive = 60.0
        hiss_shape = (
            (noise_freqs := np.fft.rfftfreq(_HISS_FFT, 1.0 / sample_rate)[np.newaxis, :]) ** 2
            / (1e6 + noise_freqs**2)
            * lowpass_response(noise_freqs, 9000.0)
        ).astype(np.float32)

        def hiss(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
            flare = expand(flicker(times_s * 1.7 + 13.0), 4.0, low=-bound, high=bound)
            return ((0.02 + 0.5 * flare) * (0.4 + 0.6 * size) * level(times_s)).astype(
                np.float32
            ) * hiss_shape

        noise = NoiseStream(rng, sample_rate, n_channels=2, n_fft=_HISS_FFT)

        def block(start: int, stop: int) -> np.ndarray:
            m = stop - start
            first, n_mid = start // 4, -(-m // 4)
            # the upsampler delays by one of its input samples: the swell is read that much later
            coarse = first + np.arange(0, n_mid + 64, 64)
            swell = np.interp(first + np.arange(n_mid), coarse, level((coarse - 1) / mid_rate))
            lap = lap_band.render(n_mid, lambda f, t: lap_shape) * drive
            np.clip(lap, -0.9, 0.9, out=lap)
            lap *= (swell * (0.5 + 0.5 * size)).astype(np.float32)
            out = up(lap_colour(lap))[:, :m]
            out += noise.render(m, hiss)
            # the crackles that begin in this block (the first block also takes those just before 0)
            canvas = np.zeros((2, m + _GRAIN), dtype=np.float32)
            canvas[:, :_GRAIN] += spill
            lo, hi = np.searchsorted(first_samples, [start if start else -_GRAIN, stop])
            for i in range(lo, hi):
                at = first_samples[i] - start
                cut = max(0, -at)
                canvas[:, at + cut : at + _GRAIN] += gains[:, i : i + 1] * bank[pick[i], cut:]
            spill[:] = canvas[:, m:]
            out += canvas[:, :m]
            return out

        audio = finish_stereo_bed(
            n_samples, block, sample_rate=sample_rate, intensity=self.intensity, out=out
        )
        return Sound(audio, sample_rate, 0)
