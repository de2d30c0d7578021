"""Thunder and designed booms: low, long, starting on a hard front.

Thunder (Farnell, *Designing Sound* ch. 40): a lightning channel is kilometres of
tortuous segments, each launching a shock that arrives as an **N-wave** (a jump up, a
linear fall through zero, a jump back). The nearest segment arrives first as the crack;
the rest roll in as a damped train of N-waves that grow wider (lower) with distance,
with slow swells where the channel runs along the line of sight, plus reflections off
the ground and hills. A cinematic boom is simpler: a short click, a sine chirping down
from the low mids into the sub (the thump), and a long sub tail with a little rumble.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import scipy.fft
from scipy.signal import resample_poly

from sonics.core.sound import Sound
from sonics.dsp.envelopes import ad_envelope, finish, sample_times
from sonics.dsp.filters import dc_block, interpolation_factor, lowpass, lowpass_response, upsample
from sonics.dsp.modal import sin_cycles
from sonics.dsp.noise import brown_noise, complex_gaussian, contact_click, white_noise
from sonics.dsp.streams import Upsampler
from sonics.sfx.generators._fields import check_range, peak_db_for

__all__ = ["Boom", "Thunder", "n_wave_train"]


def n_wave_train(n: int, starts: np.ndarray, widths: np.ndarray, amps: np.ndarray) -> np.ndarray:
    """Return a sum of N-waves: ``a * (1 - (2k + 1) / w)`` for ``k = 0 .. w - 1`` from each start.

    Each N-wave is a jump up, a linear fall through zero and a jump back: symmetric, so it
    carries no DC. Built in linear time whatever the number of pulses, as jumps and slopes
    placed as impulses and integrated twice.

    Parameters
    ----------
    n : int
        Length of the result (samples).
    starts : numpy.ndarray
        First sample of each N-wave (integers >= 0).
    widths : numpy.ndarray
        Length of each N-wave (samples, >= 2).
    amps : numpy.ndarray
        Peak pressure of each N-wave (its first sample).

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, float64; pulses running past the end are cut.

    Examples
    --------
    >>> n_wave_train(6, np.array([1]), np.array([4]), np.array([1.0])).tolist()
    [0.0, 0.75, 0.25, -0.25, -0.75, 0.0]
    """
    s = np.asarray(starts, dtype=np.int64)
    w = np.maximum(np.asarray(widths, dtype=np.int64), 2)
    a = np.asarray(amps, dtype=np.float64)
    jumps, slopes = np.zeros(n + 1), np.zeros(n + 1)
    end = np.minimum(s + w, n)
    np.add.at(jumps, np.minimum(s, n), a * (w - 1) / w)
    np.add.at(jumps, end, a * (w - 1) / w)
    np.add.at(slopes, np.minimum(s + 1, n), -2.0 * a / w)
    np.add.at(slopes, end, 2.0 * a / w)
    return (np.cumsum(jumps) + np.cumsum(np.cumsum(slopes)))[:n]


def _thinned_times(rng: np.random.Generator, rate: np.ndarray, sample_rate: int) -> np.ndarray:
    """Return sample indices of a Poisson process with per-sample rate ``rate`` (events/s)."""
    peak = float(rate.max())
    if peak <= 0:
        return np.zeros(0, dtype=np.int64)
    count = rng.poisson(peak * rate.size / sample_rate)
    candidates = np.sort(rng.integers(0, rate.size, count))
    return candidates[rng.random(count) < rate[candidates] / peak]


def _rumble(rng: np.random.Generator, n: int, cutoff_hz: float, sample_rate: float) -> np.ndarray:
    """Return unit-RMS brown noise through a second-order Butterworth low-pass, shaped in its spectrum.

    What ``lowpass(brown_noise(rng, n), cutoff_hz, sample_rate)`` gives, in distribution: the
    same power in every bin (the filter's magnitude), random phases either way. Only the bins
    up to 16 times the cutoff are drawn: above it the low-pass's 12 dB an octave on brown's 6
    leave less than -72 dB of the level at the cutoff, itself far below the sub-hertz drift
    that sets the RMS.
    """
    size = scipy.fft.next_fast_len(n, real=True)
    n_bins = min(size // 2 + 1, int(16.0 * cutoff_hz * size / sample_rate) + 1)
    spectrum = np.zeros(size // 2 + 1, dtype=np.complex64)
    drawn = spectrum[1:n_bins]
    drawn[:] = complex_gaussian(rng, (n_bins - 1,))
    bins = np.arange(1, n_bins, dtype=np.float64)
    # brown_noise's unit RMS, from Parseval: the mean square of irfft is 2 sum |X_k|^2 / size^2
    weight = 1.0 / bins
    weight /= np.sqrt(2.0 * np.sum(np.abs(drawn) ** 2 * weight**2)) / size
    # the digital (bilinear) Butterworth's magnitude is the analogue one's at prewarped frequencies
    weight *= lowpass_response(np.tan(bins * (np.pi / size)), np.tan(np.pi * cutoff_hz / sample_rate))
    drawn *= weight.astype(np.float32)
    x = scipy.fft.irfft(spectrum, n=size)[:n].astype(np.float64)
    x -= np.mean(x)  # what the cut left of the lowest bins
    return x


def _upsample_settled(x: np.ndarray, factor: int, settled: int, n: int) -> np.ndarray:
    """Return ``upsample(x, factor)[:n]``, linearly interpolated from low sample ``settled`` on.

    Once a boom's chirp has settled, all it holds is the sub, the rumble and their low
    harmonics, mostly below a twentieth of the low rate: there the images of linear interpolation
    are more than 90 dB down and it costs a tenth of the FIR. The FIR's last output sample
    before ``settled`` reads a few low samples past it; the linear part lands low sample
    ``j`` on output sample ``factor * j`` like the FIR (its one-sample lag taken out).
    """
    head = min(n, settled * factor)
    out = np.empty(n)
    out[:head] = upsample(x[: settled + 16], factor)[:head]
    if head < n:
        # low sample settled - 1 + k lands on factor * (k + 1) of the block: drop its first two steps
        block = np.concatenate([x[settled - 1 :], np.zeros(1)])[np.newaxis]
        out[head:] = Upsampler(factor)(block)[0, 2 * factor : 2 * factor + n - head]
    return out


@dataclass(frozen=True, slots=True)
class Thunder:
    """A thunderclap: a crack of N-wave shocks, then a long rolling rumble with echoes.

    Parameters
    ----------
    duration_s : float
        Length (s, 1..30); the rumble decays within it.
    distance_m : float
        Distance to the nearest part of the strike (m, 50..20000): far thunder has a soft
        front, wider (lower) N-waves and less high end.
    intensity : float
        0..1: a bigger storm: harder crack, denser and longer rumble, level (-12..-6 dBFS).

    Examples
    --------
    >>> sound = Thunder(duration_s=2.0).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((1, 96000), 0)
    """

    name: ClassVar[str] = "thunder"
    kind: ClassVar[str] = "hit"

    duration_s: float = 6.0
    distance_m: float = 800.0
    intensity: float = 1.0

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 1.0, 30.0)
        check_range(self.name, "distance_m", self.distance_m, 50.0, 20_000.0)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation; ``sync_sample`` is 0, the front of the first shock."""
        n = round(self.duration_s * sample_rate)
        size, far = self.intensity, self.distance_m / 1000.0
        widen = 1.0 + 0.6 * far  # shocks spread as they travel
        # the crack and the front are sharp and short: full rate, over the first few hundred
        # ms only. The rumble, its bed and the echoes are low and long: a quarter rate.
        factor = interpolation_factor(sample_rate, 3000.0)
        low_rate = sample_rate / factor
        n_low = -(-n // factor)

        # the crack: the nearest segments, within a tenth of a second or two
        crack_s = 0.08 + 0.12 * size
        m = min(n, round((crack_s + 0.003 * widen + 0.05) * sample_rate))
        starts = _thinned_times(
            rng, np.full(min(m, round(crack_s * sample_rate)), 250.0 + 350.0 * size), sample_rate
        )
        widths = rng.uniform(0.8, 3.0, starts.size) * widen * sample_rate / 1000.0
        amps = rng.uniform(0.15, 0.8, starts.size) ** 2 * np.exp(-starts / (0.05 * sample_rate))
        crack = n_wave_train(m, starts, widths, amps * (0.5 + 0.5 * size) / (1.0 + 0.5 * far))
        crack = lowpass(crack, 7000.0 / (1.0 + far), sample_rate, order=2)

        # the rumble: wider N-waves arriving from further segments, rolling in slow swells
        t = sample_times(n_low, low_rate)
        tail_s = self.duration_s / (6.0 - 2.0 * size)
        roll = lowpass(white_noise(rng, n_low), rng.uniform(0.6, 1.5), low_rate, order=2)
        roll = 0.25 + (roll / (np.max(np.abs(roll)) + 1e-12)) ** 2 * 1.5
        swell = (1.0 - np.exp(-t / (0.1 + 0.1 * far))) * np.exp(-t / tail_s) * roll
        swell /= swell.max() + 1e-12
        starts = _thinned_times(rng, (150.0 + 350.0 * size) * swell, low_rate)
        widths = (
            (4.0 + 26.0 * starts / n_low) * rng.uniform(0.6, 1.6, starts.size) * widen * low_rate / 1000.0
        )
        amps = rng.uniform(0.0, 1.0, starts.size) ** 2 * np.sign(rng.uniform(-0.3, 1.0, starts.size))
        rumble = n_wave_train(n_low, starts, widths, 0.35 * amps * swell[starts])
        # the rumble's shocks have travelled further than the crack's: softer fronts
        low = lowpass(rumble, 1800.0 / (1.0 + 0.5 * far), low_rate, order=2)
        low += lowpass(brown_noise(rng, n_low), 140.0, low_rate, order=2) * swell * 0.25
        # reflections off the ground and hills: later, duller copies of everything so far,
        # the crack included (its low part is all that survives the echo's low-pass)
        crack_low = resample_poly(crack, 1, factor)[: min(n_low, -(-m // factor))]
        low[: crack_low.size] += crack_low
        for delay_s, gain in ((rng.uniform(0.2, 0.5), 0.35), (rng.uniform(0.7, 1.6), 0.2)):
            d = min(n_low - 1, round(delay_s * low_rate))
            low[d:] += gain * lowpass(low[: n_low - d], 900.0, low_rate, order=2)
        low[: crack_low.size] -= crack_low  # the crack itself is added at the full rate
        x = upsample(dc_block(low, low_rate, cutoff_hz=15.0), factor)[:n]
        x[:m] += crack  # N-waves carry no DC: only the low layers needed the high-pass
        # the front: the shock from the nearest segment, first and loudest; its edge stays
        # steep (one pole) so the sound starts on it, even from far away
        width = 2.5 * widen * sample_rate / 1000.0
        m = min(n, round(width + 0.01 * sample_rate))
        front = n_wave_train(m, np.array([0]), np.array([width]), np.array([1.0]))
        front = lowpass(front, 9000.0 / (1.0 + 0.5 * far), sample_rate, order=1)
        x[:m] += front / np.max(np.abs(front)) * np.max(np.abs(x)) * (0.8 + 0.4 * size)
        audio = finish(
            x, sample_rate, peak_db=peak_db_for(self.intensity), fade_out_s=0.05, dc_cutoff_hz=None
        )
        return Sound(audio, sample_rate, 0)


@dataclass(frozen=True, slots=True)
class Boom:
    """A cinematic boom: a click, a thump chirping down into the sub, a long sub tail.

    Parameters
    ----------
    duration_s : float
        Length (s, 0.5..12); the tail decays within it.
    pitch_hz : float
        Pitch the sub tail settles at (Hz, 25..120); the thump starts four times higher.
    intensity : float
        0..1: a bigger boom: lower and longer, more sub and rumble, level (-12..-6 dBFS).

    Examples
    --------
    >>> sound = Boom(duration_s=1.5).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((1, 72000), 0)
    """

    name: ClassVar[str] = "boom"
    kind: ClassVar[str] = "hit"

    duration_s: float = 3.0
    pitch_hz: float = 45.0
    intensity: float = 1.0

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.5, 12.0)
        check_range(self.name, "pitch_hz", self.pitch_hz, 25.0, 120.0)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation; ``sync_sample`` is 0, the click's first sample."""
        n = round(self.duration_s * sample_rate)
        size = self.intensity
        end_hz = self.pitch_hz * rng.uniform(0.94, 1.06) * (1.1 - 0.2 * size)
        room = 0.8 * self.duration_s
        # everything but the click is below a few kHz (even the saturation's harmonics of the
        # thump's start): render it at a quarter of the rate and upsample once
        factor = interpolation_factor(sample_rate, 3600.0)
        low_rate = sample_rate / factor
        n_low = -(-n // factor)
        t = sample_times(n_low, low_rate)

        # thump: exponential chirp from 4x down to the tail pitch in ~60 ms,
        # f(t) = end_hz * (1 + 3 exp(-t / glide)), its phase integrated in closed form;
        # the glide's share is computed until it is e^-25 (~1e-11 of a cycle) down
        glide_s = 0.03 + 0.03 * size
        n_glide = min(n_low, round(25.0 * glide_s * low_rate))
        glide = np.exp(t[:n_glide] * (-1.0 / glide_s))
        # sub tail: the same oscillator keeps ringing and sags a little lower, f(t) * (1 - sag t):
        # cycles = t + 3 g (1 - glide) - sag (t^2 / 2 + 3 g (g - glide (t + g))), for g = glide_s
        sag = 0.08 / self.duration_s
        cycles = t * (-0.5 * sag)
        cycles += 1.0
        cycles *= t
        cycles += 3.0 * glide_s * (1.0 - sag * glide_s)
        cycles[:n_glide] -= 3.0 * glide_s * glide * (1.0 - sag * (t[:n_glide] + glide_s))
        cycles *= end_hz
        sub = sin_cycles(cycles)  # single precision from here on: a gain needs no more
        sub *= ad_envelope(n_low, low_rate, attack_s=0.02, t60_s=min(room, 1.0 + 2.0 * size))
        body = sub
        body *= 0.4 + 0.5 * size
        # the thump is computed until it is 100 dB down (about a second at most)
        t60_s = min(room, 0.35 + 0.3 * size)
        m = min(n_low, round(100.0 / 60.0 * t60_s * low_rate) + 1)
        cycles = t[:m] + 3.0 * glide_s
        cycles[: min(m, n_glide)] -= 3.0 * glide_s * glide[:m]
        cycles *= end_hz
        thump = sin_cycles(cycles)
        thump *= ad_envelope(m, low_rate, attack_s=0.002, t60_s=t60_s)
        body[:m] += thump
        rumble = _rumble(rng, n_low, 110.0, low_rate)
        rumble *= (0.08 + 0.1 * size) * ad_envelope(
            n_low, low_rate, attack_s=0.05, t60_s=min(room, 0.8 + 1.5 * size)
        )
        body += rumble

        # saturation: harmonics that carry the sub on small speakers; DC goes before upsampling
        drive, norm = 1.6, np.tanh(1.6)
        low = dc_block(np.tanh(drive * body) / norm, low_rate, cutoff_hz=15.0)
        x = _upsample_settled(low, factor, min(n_low, round(10.0 * glide_s * low_rate) + 1), n)
        # the click, at the full rate, saturated together with the body under it: only its
        # first ~20 ms differ from the body alone
        m = min(n, round(0.02 * sample_rate))
        click = lowpass(contact_click(rng, m, sample_rate, t60_s=0.004, corner_hz=800.0), 5000.0, sample_rate)
        under = drive * upsample(body[: m // factor + 16], factor)[:m]
        x[:m] += (np.tanh(under + drive * 0.45 * click / np.max(np.abs(click))) - np.tanh(under)) / norm
        audio = finish(
            x, sample_rate, peak_db=peak_db_for(self.intensity), fade_out_s=0.05, dc_cutoff_hz=None
        )
        return Sound(audio, sample_rate, 0)
