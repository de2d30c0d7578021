"""Arrows: one arrow flying past the listener, and a volley of many.

Recipe (moving-source models, SC ``Doppler``, hsc3 ``doppler``): the arrow itself sounds
as the aeolian whistle of its shaft (a narrow band at ``0.2 * U / d``), broadband wake
hiss and the flutter of its fletching (amplitude modulation at tens of Hz). It flies a
straight line past the listener; what is heard at time ``t`` was emitted at ``tau`` with
``tau + r(tau) / c = t`` (a variable delay line read at the retarded time), which gives
the Doppler glide by itself, with ``1 / r`` level and air absorption (a low-pass that
closes with distance). A volley is a hero arrow passing close at the cue, many more
passing further off at scattered times and places, and, before them, the distant
release of the bows: a cluster of string twangs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sonics.core.errors import ParameterError
from sonics.core.sound import Sound
from sonics.dsp.delay import SPEED_OF_SOUND_M_S, fractional_read, straight_pass_emission_s
from sonics.dsp.envelopes import even_level, finish, interpolate_grid
from sonics.dsp.filters import bandpass_power, lowpass, lowpass_response
from sonics.dsp.modal import modal_bank, sin_cycles
from sonics.dsp.noise import MagnitudeFn, contact_click, spectral_noise
from sonics.dsp.sync import peak_sample
from sonics.sfx.generators._fields import check_int, check_range, peak_db_for

__all__ = ["ArrowFlyby", "ArrowVolley", "air_cutoff_hz"]

_STROUHAL = 0.2


def air_cutoff_hz(distance_m: np.ndarray | float) -> np.ndarray:
    """Return the low-pass corner that stands for air absorption and obstacles at a distance (Hz).

    20 kHz at the ear, about 4 kHz at 25 m, 1.7 kHz at 70 m: a perceptual distance cue
    rather than the (weaker) ISO 9613 absorption alone.
    """
    return 20_000.0 / (1.0 + np.asarray(distance_m, dtype=np.float64) / 6.0)


@dataclass(frozen=True, slots=True)
class _Pass:
    """One straight pass: speed (m/s), closest distance (m), time of the closest point heard (s)."""

    speed_m_s: float
    miss_m: float
    heard_s: float


def _pre_roll(n: int, sample_rate: int, flight: _Pass) -> int:
    """Return how many samples before the heard start the emitted sound must begin (to cover ``n`` heard)."""
    closest_s = flight.heard_s - flight.miss_m / SPEED_OF_SOUND_M_S  # emitted then, heard at heard_s
    far_m = np.hypot(flight.miss_m, flight.speed_m_s * max(closest_s, n / sample_rate - closest_s))
    return int(np.ceil(far_m / SPEED_OF_SOUND_M_S * sample_rate)) + 4


_STEP = 16
"""Samples between control points of a pass (a 3 kHz control rate)."""
_CHUNK = 16_000
"""Background arrows are mixed in chunks of this many samples: their float64 temporaries stay
below 128 KiB, where the C allocator recycles memory instead of mapping fresh pages."""


def _heard_grid(
    flight: _Pass, closest_s: float, m: int, sample_rate: int, flutter_hz: float, flutter_depth: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return, every ``_STEP`` heard samples from time 0 (past ``m``), the emission time (s) and the gain.

    The retarded time of a straight pass has a closed form; it and the gain (fletching
    flutter, ``1/r``) change slowly, so they are computed at a control rate and
    interpolated linearly to the samples.
    """
    heard_s = np.arange(0, m + 2 * _STEP, _STEP) / sample_rate
    emitted_s = straight_pass_emission_s(
        heard_s, closest_s=closest_s, miss_m=flight.miss_m, speed_m_s=flight.speed_m_s
    )
    distance_m = SPEED_OF_SOUND_M_S * (heard_s - emitted_s)
    return emitted_s, _flutter(emitted_s, closest_s, flutter_hz, flutter_depth) * (flight.miss_m / distance_m)


def _flutter(tau: np.ndarray, closest_s: float, rate_hz: float, depth: float) -> np.ndarray:
    """Fletching flutter: ``1 - depth`` to 1, at its maximum when the arrow is closest."""
    return 1.0 - depth * (0.5 - 0.5 * sin_cycles(rate_hz * (tau - closest_s) + 0.25))  # sin(x + pi/2) = cos x


def _arrow_shape(speed_m_s: float, shaft_m: float = 0.008) -> MagnitudeFn:
    """Return the emitted spectrum of an arrow: shaft whistle, wake hiss, the fletching's low buzz."""
    whistle_hz = _STROUHAL * speed_m_s / shaft_m

    def shape(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
        power = bandpass_power(freqs_hz, whistle_hz, 8.0)  # the whistle
        power += 0.35**2 * bandpass_power(freqs_hz, 2.5 * whistle_hz, 0.8)  # the hiss
        power += 0.3**2 * bandpass_power(freqs_hz, 450.0, 1.2)  # the feathers
        return np.sqrt(power, out=power) + 0.0 * times_s

    return shape


def _fly_from_pool(
    rng: np.random.Generator,
    out: np.ndarray,
    pans: tuple[float, float],
    level: float,
    pool: tuple[np.ndarray, np.ndarray],
    sample_rate: int,
    flight: _Pass,
    window_s: float,
    pool_speed_m_s: float,
) -> None:
    """Add one background arrow over ``heard_s ± window_s``, read from a shared emitted source, to ``out``.

    ``out`` is the stereo mix (``(2, n)``), ``pans`` the arrow's gain in each channel and
    ``level`` its overall gain; ``pool`` is the source and its sample-to-sample slope (for
    a linear read). The arrow fades in and out over 50 ms.
    """
    n = out.shape[-1]
    pool, slope = pool
    start = max(0, round((flight.heard_s - window_s) * sample_rate))
    stop = min(n, round((flight.heard_s + window_s) * sample_rate))
    m = (stop - start) // _STEP * _STEP  # whole control steps (the last is deep in the fade-out)
    closest_s = flight.heard_s - start / sample_rate - flight.miss_m / SPEED_OF_SOUND_M_S
    where, gain = _heard_grid(
        flight, closest_s, m, sample_rate, rng.uniform(35.0, 60.0), rng.uniform(0.2, 0.4)
    )
    # read the pool faster for a faster arrow: its whistle is higher by the speed ratio
    far_m = np.hypot(flight.miss_m, flight.speed_m_s * window_s * 2.0)
    pre = int(np.ceil(far_m / SPEED_OF_SOUND_M_S * sample_rate / _STEP)) * _STEP + _STEP
    ratio = flight.speed_m_s / pool_speed_m_s
    offset = rng.uniform(0.0, pool.size - ratio * (m + pre) - 4) + ratio * pre
    where *= ratio * sample_rate
    where += offset
    # faded in and out over 50 ms (raised cosine), at the control rate too
    edge = max(1, min(m // 2, round(0.05 * sample_rate)))
    at_grid = np.arange(where.size) * _STEP
    from_end = np.minimum(at_grid, np.maximum(m - 1 - at_grid, 0))
    gain *= 0.5 - 0.5 * sin_cycles(0.5 * np.minimum(from_end / edge, 1.0) + 0.25)  # 0.5 - 0.5 cos(pi x)
    gain *= level
    # positions and gains between control points (linear), then a linear read of the pool
    where_step, gain_step = np.diff(where) / _STEP, np.diff(gain) / _STEP
    ramp = np.arange(_STEP, dtype=np.float64)
    for k in range(0, m // _STEP, _CHUNK // _STEP):
        cut = min(_CHUNK // _STEP, m // _STEP - k)
        at = (where[k : k + cut, np.newaxis] + where_step[k : k + cut, np.newaxis] * ramp).ravel()
        g = (gain[k : k + cut, np.newaxis] + gain_step[k : k + cut, np.newaxis] * ramp).ravel()
        whole = np.floor(at)
        i = whole.astype(np.intp)
        at -= whole
        at *= slope[i]
        at += pool[i]
        at *= g
        first = start + k * _STEP
        for channel, pan_gain in enumerate(pans):
            out[channel, first : first + at.size] += pan_gain * at


def _fly(
    rng: np.random.Generator,
    n: int,
    sample_rate: int,
    flight: _Pass,
    *,
    shaft_m: float,
    flutter_hz: float,
    flutter_depth: float,
) -> np.ndarray:
    """Render one arrow pass as heard (mono, float64, peak near 1 at the closest point)."""
    pre = _pre_roll(n, sample_rate, flight)
    closest_s = flight.heard_s - flight.miss_m / SPEED_OF_SOUND_M_S
    arrow = _arrow_shape(flight.speed_m_s, shaft_m)

    def shape(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
        # emission time of each frame → distance, and the Doppler factor it will be heard with
        t = times_s - pre / sample_rate
        dist = np.hypot(flight.miss_m, flight.speed_m_s * (t - closest_s))
        closing = flight.speed_m_s**2 * (t - closest_s) / dist  # dr/dt
        doppler = 1.0 / (1.0 + closing / SPEED_OF_SOUND_M_S)
        # air absorption acts on what is heard: the corner seen in emitted frequencies is lower
        air = lowpass_response(freqs_hz, (air_cutoff_hz(dist) / doppler).astype(freqs_hz.dtype), order=2)
        return arrow(freqs_hz, times_s) * air

    # the emitted sound starts pre samples early; each heard sample reads it at its retarded time
    source = even_level(spectral_noise(rng, n + pre, sample_rate, shape, n_fft=1024), sample_rate)
    emitted_s, gain = _heard_grid(flight, closest_s, n, sample_rate, flutter_hz, flutter_depth)
    heard = fractional_read(source, interpolate_grid(emitted_s * sample_rate + pre, _STEP, n))
    heard *= interpolate_grid(gain, _STEP, n)
    return heard


@dataclass(frozen=True, slots=True)
class ArrowFlyby:
    """One arrow whistling past: Doppler glide down, ``1 / r`` swell, fletching flutter.

    Parameters
    ----------
    duration_s : float
        Length (s, 0.3..6).
    peak_fraction : float
        When the arrow is heard closest, as a share of the length (0.1..0.9); the design
        peak is :attr:`peak_s` and the sync point the measured loudness peak near it.
    speed_m_s : float
        Arrow speed (m/s, 20..120; a war bow shoots 50..80).
    miss_distance_m : float
        Closest distance to the listener (m, 0.3..50).
    shaft_diameter_m : float
        Shaft diameter (m, 0.003..0.03): sets the whistle (``0.2 * speed / diameter``).
    intensity : float
        0..1: closeness (the miss distance shrinks to 60 % at 1), flutter and level
        (-12..-6 dBFS).

    Examples
    --------
    >>> sound = ArrowFlyby(duration_s=0.8).render(np.random.default_rng(0))
    >>> sound.audio.shape, abs(sound.sync_sample - 0.4 * 48000) < 480
    ((1, 38400), True)
    """

    name: ClassVar[str] = "arrow_flyby"
    kind: ClassVar[str] = "hit"

    duration_s: float = 1.2
    peak_fraction: float = 0.5
    speed_m_s: float = 60.0
    miss_distance_m: float = 2.0
    shaft_diameter_m: float = 0.008
    intensity: float = 1.0

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.3, 6.0)
        check_range(self.name, "peak_fraction", self.peak_fraction, 0.1, 0.9)
        check_range(self.name, "speed_m_s", self.speed_m_s, 20.0, 120.0)
        check_range(self.name, "miss_distance_m", self.miss_distance_m, 0.3, 50.0)
        check_range(self.name, "shaft_diameter_m", self.shaft_diameter_m, 0.003, 0.03)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    @property
    def peak_s(self) -> float:
        """Designed time the arrow is heard closest (s): the loudness peak."""
        return self.duration_s * self.peak_fraction

    @property
    def whistle_hz(self) -> float:
        """Frequency of the shaft's aeolian whistle as emitted (Hz)."""
        return _STROUHAL * self.speed_m_s / self.shaft_diameter_m

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation; ``sync_sample`` is the measured loudness peak."""
        n = round(self.duration_s * sample_rate)
        miss = self.miss_distance_m * (1.0 - 0.4 * self.intensity)
        flight = _Pass(self.speed_m_s, miss, self.peak_s)
        x = _fly(
            rng,
            n,
            sample_rate,
            flight,
            shaft_m=self.shaft_diameter_m,
            flutter_hz=rng.uniform(35.0, 60.0),
            flutter_depth=0.2 + 0.25 * self.intensity,
        )
        # the far approach and the far tail are faded as a designer would: in from silence
        fade_in_s, fade_out_s = 0.5 * self.peak_s, 0.5 * (self.duration_s - self.peak_s)
        audio = finish(
            x, sample_rate, peak_db=peak_db_for(self.intensity), fade_in_s=fade_in_s, fade_out_s=fade_out_s
        )
        return Sound(audio, sample_rate, peak_sample(audio, sample_rate))


def _twang(rng: np.random.Generator, n: int, sample_rate: int) -> np.ndarray:
    """One bowstring release: a slap and a stiff string ringing for a tenth of a second."""
    f0 = rng.uniform(90.0, 170.0)
    k = np.arange(1, 13)
    freqs = f0 * k * np.sqrt(1.0 + 0.0015 * k**2)  # a stiff string: partials stretch upwards
    t60 = rng.uniform(0.08, 0.16) / k**0.4
    amps = rng.uniform(0.5, 1.0, k.size) / k**0.8
    string = modal_bank(freqs, t60, amps, n, sample_rate)
    slap = contact_click(rng, n, sample_rate, t60_s=0.004, corner_hz=300.0)
    return string / np.max(np.abs(string)) + 0.5 * slap


@dataclass(frozen=True, slots=True)
class ArrowVolley:
    """A volley of arrows: distant release, then a hail of flybys around a hero arrow at the cue.

    Stereo (decorrelated): every arrow has its own side, distance, speed and time.

    Parameters
    ----------
    duration_s : float
        Length (s, 0.8..12).
    peak_fraction : float
        When the hero arrow passes closest, as a share of the length (0.2..0.9): the
        design peak :attr:`peak_s`; the sync point is the measured loudness peak.
    n_arrows : int
        Number of arrows (1..200).
    spread_s : float
        Standard deviation of the other arrows' pass times around the peak (s, 0..3).
    speed_m_s : float
        Mean arrow speed (m/s, 20..120).
    release : bool
        Add the distant twang of the bows, 1.4 s (flight time minus sound travel)
        before the peak when there is room.
    intensity : float
        0..1: how close the arrows come, how many of them are near, and level.

    Examples
    --------
    >>> sound = ArrowVolley(duration_s=2.0, n_arrows=8).render(np.random.default_rng(0))
    >>> sound.audio.shape
    (2, 96000)
    """

    name: ClassVar[str] = "arrow_volley"
    kind: ClassVar[str] = "hit"

    duration_s: float = 3.0
    peak_fraction: float = 0.6
    n_arrows: int = 24
    spread_s: float = 0.5
    speed_m_s: float = 60.0
    release: bool = True
    intensity: float = 1.0

    _WINDOW_S: ClassVar[float] = 1.0
    """Background arrows are computed this long before and after their pass (s)."""
    _MAX_MISS_M: ClassVar[float] = 60.0
    """The furthest a background arrow passes (m)."""
    _CLASSES_M: ClassVar[tuple[float, ...]] = (8.0, 20.0, 40.0)
    """Distances whose air absorption stands for the background arrows' (m, upper bounds)."""

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.8, 12.0)
        check_range(self.name, "peak_fraction", self.peak_fraction, 0.2, 0.9)
        check_int(self.name, "n_arrows", self.n_arrows, 1, 200)
        check_range(self.name, "spread_s", self.spread_s, 0.0, 3.0)
        check_range(self.name, "speed_m_s", self.speed_m_s, 20.0, 120.0)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)
        if not isinstance(self.release, bool):
            raise ParameterError(f"{self.name} release must be true or false, got {self.release!r}")

    @property
    def peak_s(self) -> float:
        """Designed time the hero arrow is heard closest (s)."""
        return self.duration_s * self.peak_fraction

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation; ``sync_sample`` is the measured loudness peak (the hero arrow)."""
        n = round(self.duration_s * sample_rate)
        near = 1.0 - 0.5 * self.intensity

        hero = _Pass(self.speed_m_s * rng.uniform(0.95, 1.05), 1.5 + 1.0 * near * rng.random(), self.peak_s)
        x = _fly(
            rng, n, sample_rate, hero, shaft_m=0.008, flutter_hz=rng.uniform(35.0, 60.0), flutter_depth=0.35
        )
        pan = rng.uniform(-0.25, 0.25)
        out = np.empty((2, n))
        np.multiply(x, np.cos((pan + 1) * np.pi / 4), out=out[0])
        np.multiply(x, np.sin((pan + 1) * np.pi / 4), out=out[1])

        # the others: passes further off, scattered in time. Their emitted sound is cut from
        # one shared source (a random place, transposed by their speed), each is computed
        # only over the two seconds around its pass, and distance dulls them by class
        # long enough for the fastest, furthest arrow's window and pre-roll, read 15 % fast
        reach_m = np.hypot(self._MAX_MISS_M, 1.15 * hero.speed_m_s * 2.0 * self._WINDOW_S)
        pool_s = 1.15 * (2.0 * self._WINDOW_S + reach_m / SPEED_OF_SOUND_M_S) + 0.1
        pool = even_level(
            spectral_noise(rng, round(pool_s * sample_rate), sample_rate, _arrow_shape(hero.speed_m_s)),
            sample_rate,
        )
        # distance dulls the pool once per class, when an arrow first needs it (the Doppler
        # read then shifts that corner a little)
        pools: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        release_s = max(0.05, self.peak_s - 1.4)  # heard 1.4 s before the hero: flight minus sound travel
        first_s = min(release_s + 0.5, self.peak_s) if self.release else 0.05
        # a big volley is a denser hail, but the hero arrow stays on top at the cue
        crowd = 0.8 * min(1.0, np.sqrt(24.0 / self.n_arrows))
        for _ in range(self.n_arrows - 1):
            heard_s = float(
                np.clip(self.peak_s + rng.normal(0.0, self.spread_s), first_s, self.duration_s - 0.1)
            )
            miss = min(self._MAX_MISS_M, rng.uniform(3.0, 8.0) + rng.exponential(10.0 * near))
            flight = _Pass(hero.speed_m_s * rng.uniform(0.85, 1.15), miss, heard_s)
            k = min(int(np.searchsorted(self._CLASSES_M, miss)), len(self._CLASSES_M) - 1)
            pan = rng.uniform(-1.0, 1.0)
            pans = (float(np.cos((pan + 1) * np.pi / 4)), float(np.sin((pan + 1) * np.pi / 4)))
            level = crowd * hero.miss_m / miss
            if k not in pools:
                dull = lowpass(pool, float(air_cutoff_hz(self._CLASSES_M[k])), sample_rate, order=2)
                pools[k] = (dull, np.diff(dull, append=0.0))
            _fly_from_pool(
                rng, out, pans, level, pools[k], sample_rate, flight, self._WINDOW_S, hero.speed_m_s
            )

        if self.release:
            first = min(n, round(release_s * sample_rate))
            burst = self._release(rng, sample_rate)
            stop = min(n, first + burst.shape[1])
            out[:, first:stop] += burst[:, : stop - first]
        audio = finish(
            out, sample_rate, peak_db=peak_db_for(self.intensity), fade_in_s=0.005, fade_out_s=0.02
        )
        return Sound(audio, sample_rate, peak_sample(audio, sample_rate))

    def _release(self, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
        """Return the bows' release, 80-150 m away: twangs within a quarter second, dull and quiet."""
        twang_n = round(0.3 * sample_rate)
        variants = [_twang(rng, twang_n, sample_rate) for _ in range(4)]
        span = round(0.4 * sample_rate)  # every release falls within 0.4 s
        burst = np.zeros((2, span + twang_n - 1))
        offsets = np.minimum(np.abs(rng.normal(0.0, 0.12, self.n_arrows)), 0.39)
        for offset_s in offsets:
            pan = rng.uniform(-0.8, 0.8)
            twang, at = variants[rng.integers(len(variants))], round(offset_s * sample_rate)
            burst[0, at : at + twang_n] += np.cos((pan + 1) * np.pi / 4) * twang
            burst[1, at : at + twang_n] += np.sin((pan + 1) * np.pi / 4) * twang
        level = 0.25 * (1.0 + 0.5 * self.intensity) / np.sqrt(max(1, self.n_arrows) / 8.0)
        return level * lowpass(burst, 2500.0, sample_rate, order=2)
