"""Hooves: horses at walk, trot, canter or gallop, one or a herd, on dirt, grass or stone.

Recipe (Farnell's procedural footsteps, moved to four legs): each footfall is a ground
reaction force shaped as a double pulse, the hoof wall's heel strike then the loading
of the toe 8-25 ms later, which excites the ground's texture: a low resonant thud and a
dirt-noise body (the mass on soft ground), a short band-passed click (the hoof wall or
shoe; ringing on stone) and a scatter of debris grains. Footfalls follow each gait's
limb order and timing per stride, with +-5-10 ms jitter; a herd is many desynchronised
horses at their own distance (level, high-frequency loss), pan and stride rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.fft import next_fast_len
from scipy.signal import butter, iirpeak, sosfreqz, tf2sos

from sonics.core.sound import Sound
from sonics.dsp.pulses import attack_decay_sos, impulses
from sonics.dsp.streams import NoiseLoop, SosStream, Upsampler, render_finished
from sonics.sfx.generators._fields import (
    check_bed,
    check_choice,
    check_int,
    check_range,
    curve_reader,
    peak_db_for,
)

__all__ = ["GAITS", "Gait", "Hooves", "footfalls"]


@dataclass(frozen=True, slots=True)
class Gait:
    """The footfall pattern of one gait.

    Parameters
    ----------
    beats : tuple of float
        When each hoof lands, as a fraction of the stride (0 = the stride's first hoof).
    limbs : tuple of str
        Which hoof lands at each beat (``LH`` left hind, ``RF`` right fore, ...; for the
        canter and gallop on the left lead, ``T`` trailing and ``L`` leading).
    accents : tuple of float
        Relative force of each footfall (the leading fore of a gallop lands hardest).
    stride_hz : tuple of float
        Stride rate from the slowest to the fastest pace of the gait (strides/s).
    toe_ms : tuple of float
        Range of the delay between a hoof's heel strike and its toe loading (ms).
    """

    beats: tuple[float, ...]
    limbs: tuple[str, ...]
    accents: tuple[float, ...]
    stride_hz: tuple[float, float]
    toe_ms: tuple[float, float]


GAITS: dict[str, Gait] = {
    # 4-beat lateral sequence, evenly spaced, three hooves on the ground, no suspension;
    # stride 1.0-1.2 s (about 0.85-1.0 strides/s, 3.4-4 footfalls/s) at 1.4-1.8 m/s.
    "walk": Gait(
        (0.0, 0.25, 0.5, 0.75), ("LH", "LF", "RH", "RF"), (0.8, 0.75, 0.8, 0.75), (0.85, 1.0), (15.0, 25.0)
    ),
    # 2-beat diagonal pairs (the hind lands a few ms before its diagonal fore), a short
    # suspension after each; stride 0.65-0.75 s (1.3-1.55 strides/s, 2.6-3.1 beats/s).
    "trot": Gait(
        (0.0, 0.008, 0.5, 0.508), ("LH", "RF", "RH", "LF"), (1.0, 0.9, 1.0, 0.9), (1.3, 1.55), (10.0, 18.0)
    ),
    # 3-beat: trailing hind, the diagonal pair together, leading fore, then suspension;
    # stride 0.53-0.62 s (1.6-1.9 strides/s).
    "canter": Gait(
        (0.0, 0.26, 0.27, 0.5), ("TH", "LH", "TF", "LF"), (0.85, 1.0, 0.9, 0.95), (1.6, 1.9), (8.0, 14.0)
    ),
    # 4-beat transverse gallop: trailing hind, leading hind, trailing fore, leading fore,
    # then a suspension of about half the stride; 2.0-2.5 strides/s (racing speed).
    "gallop": Gait(
        (0.0, 0.12, 0.33, 0.47), ("TH", "LH", "TF", "LF"), (0.8, 0.9, 0.85, 1.0), (2.0, 2.5), (6.0, 12.0)
    ),
}
"""Gaits with their footfall timing.

Sources: footfall sequences and suspension phases after Robilliard, Pfau & Wilson,
"Gait characterisation and classification in horses", J. Exp. Biol. 210:187-197 (2007)
(walk, trot, canter, gallop foot-fall timings and stride frequencies against speed);
stride rates after Heglund & Taylor, "Speed, stride frequency and energy cost per stride",
J. Exp. Biol. 138:301-318 (1988), whose allometry puts a 500 kg horse's trot-gallop
transition near 1.75 strides/s and its galloping stride near 2.2 strides/s; walk stride
durations of 1.0-1.2 s after Clayton, Am. J. Vet. Res. 56:849 (1995).
"""


@dataclass(frozen=True, slots=True)
class _Surface:
    body_hz: tuple[float, float]  # two resonances of the thud; each footfall mixes them
    body_band_hz: tuple[float, float]  # band of the dirt-noise body
    click: float  # level of the hoof-wall click
    click_band_hz: tuple[float, float]
    ring_hz: tuple[float, ...]  # resonances the click rings at (shoe on stone)
    debris_per_step: float  # mean debris grains kicked per footfall


_SURFACES = {
    "dirt": _Surface((72.0, 104.0), (90.0, 700.0), 0.22, (1500.0, 5000.0), (), 3.0),
    "grass": _Surface((62.0, 88.0), (70.0, 450.0), 0.06, (1200.0, 3500.0), (), 1.5),
    "stone": _Surface((110.0, 160.0), (150.0, 1400.0), 0.9, (1800.0, 7000.0), (2650.0, 3900.0), 0.8),
}

_DIVISOR = 4  # each slower path runs at 1 / _DIVISOR of the rate of the next faster one
_BLOCK = 1 << 17  # samples per block: long blocks spread the per-call costs
# seconds of ready-coloured noise that each burst path gates, read in a loop; the bursts land at
# random points of it, so a longer loop sounds no different and only costs more to make
_LOOP_S = 2.5
_JITTER_SD_S = 0.003  # footfall timing scatter, clipped at +-2.5 sd: +-7.5 ms
_STRIDE_SD = 0.015  # stride-to-stride variation of a horse's period


def footfalls(
    gait: str, stride_hz: float, duration_s: float, rng: np.random.Generator, *, jitter: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Return the footfall times of one horse.

    Parameters
    ----------
    gait : str
        A key of :data:`GAITS`.
    stride_hz : float
        Strides per second (> 0).
    duration_s : float
        Length (s, > 0); footfalls in ``[0, duration_s)`` are returned.
    rng : numpy.random.Generator
        Draws the starting phase, the stride-to-stride variation (1.5 %) and, with
        ``jitter``, each footfall's timing scatter (3 ms sd, clipped to +-7.5 ms).
    jitter : bool
        Scatter the footfalls (a real horse) or place them exactly.

    Returns
    -------
    times_s : numpy.ndarray
        Sorted footfall times (s).
    beat : numpy.ndarray
        Index into the gait's ``beats`` of each footfall (int64).

    Examples
    --------
    >>> t, b = footfalls("trot", 1.5, 2.0, np.random.default_rng(0), jitter=False)
    >>> len(set(b.tolist())), bool(np.all(np.diff(t) > 0))
    (4, True)
    """
    pattern = GAITS[gait]
    period_s = 1.0 / stride_hz
    n_strides = int(np.ceil(duration_s / period_s / (1.0 - 3 * _STRIDE_SD))) + 2
    periods = period_s * (1.0 + _STRIDE_SD * np.clip(rng.standard_normal(n_strides), -2.5, 2.5))
    starts = np.concatenate([[0.0], np.cumsum(periods[:-1])]) - rng.random() * period_s
    beats = np.asarray(pattern.beats)
    times = (starts[:, np.newaxis] + beats[np.newaxis, :] * periods[:, np.newaxis]).ravel()
    beat = np.tile(np.arange(beats.size), n_strides)
    if jitter:
        times = times + _JITTER_SD_S * np.clip(rng.standard_normal(times.size), -2.5, 2.5)
    keep = (times >= 0.0) & (times < duration_s)
    order = np.argsort(times[keep], kind="stable")
    return times[keep][order], beat[keep][order]


def _pan_gains(pan: np.ndarray) -> np.ndarray:
    angle = (np.asarray(pan) + 1.0) * np.pi / 4.0
    return np.stack([np.cos(angle), np.sin(angle)])


def _band(low_hz: float, high_hz: float, sample_rate: int) -> np.ndarray:
    # first-order edges: one section per path, soft skirts suit ground textures
    return butter(1, [low_hz, min(high_hz, 0.45 * sample_rate)], "bandpass", fs=sample_rate, output="sos")


@dataclass(frozen=True, slots=True)
class Hooves:
    """Horses' hooves: one horse or a herd at a gait (a bed).

    Parameters
    ----------
    gait : str
        ``"walk"``, ``"trot"``, ``"canter"`` or ``"gallop"`` (see :data:`GAITS`).
    n_horses : int
        Horses in the herd, 1..64; one horse renders mono, a herd stereo.
    duration_s : float
        Length (s, 0.1..600).
    distance_m : float
        Distance of the nearest horse (m, 1..500); the herd spreads behind it. Farther
        hooves lose their click and debris first, then level.
    surface : str
        ``"dirt"``, ``"grass"`` or ``"stone"`` (shod hooves ring on stone).
    intensity : float
        0..1: the pace within the gait (stride rate from the slowest to the fastest),
        the weight of the footfalls (deeper thud, more debris) and, without a curve,
        the share of the herd that is heard.
    curve : tuple of float
        Motion envelope in 0..1 at ``curve_rate_hz``: at each moment the share of the
        herd that is galloping in earshot and their level. Empty: constant ``intensity``.
    curve_rate_hz : float
        Points per second of ``curve`` (1..1000).

    Examples
    --------
    >>> sound = Hooves(gait="trot", n_horses=1, duration_s=1.0).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((1, 48000), 0)
    """

    name: ClassVar[str] = "hooves"
    kind: ClassVar[str] = "bed"

    gait: str = "gallop"
    n_horses: int = 8
    duration_s: float = 4.0
    distance_m: float = 15.0
    surface: str = "dirt"
    intensity: float = 1.0
    curve: tuple[float, ...] = ()
    curve_rate_hz: float = 100.0

    def __post_init__(self) -> None:
        check_choice(self.name, "gait", self.gait, GAITS)
        check_int(self.name, "n_horses", self.n_horses, 1, 64)
        check_range(self.name, "distance_m", self.distance_m, 1.0, 500.0)
        check_choice(self.name, "surface", self.surface, _SURFACES)
        object.__setattr__(self, "curve", check_bed(self))

    def render(
        self, rng: np.random.Generator, sample_rate: int = 48_000, *, out: np.ndarray | None = None
    ) -> Sound:
        """Render one variation: a fresh herd, fresh timing, fresh texture.

        ``out``: an array to render into, as :class:`~sonics.core.sound.Generator` describes.
        """
        read_curve = curve_reader(self.curve, self.curve_rate_hz, self.intensity)
        gait, ground = GAITS[self.gait], _SURFACES[self.surface]
        n_samples = round(self.duration_s * sample_rate)
        n_channels = 1 if self.n_horses == 1 else 2
        lo_hz, hi_hz = gait.stride_hz
        herd = self.n_horses > 1
        # the nearest horse first; the others spread up to ~3x farther, across the field
        distance = self.distance_m * np.concatenate([[1.0], 1.0 + 2.0 * rng.random(self.n_horses - 1)])
        pan = np.concatenate([[0.0], rng.uniform(-0.8, 0.8, self.n_horses - 1)]) if herd else np.zeros(1)
        if herd:
            pan[0] = rng.uniform(-0.3, 0.3)
        heel, toe, clicks, debris = [], [], [], []
        for horse in range(self.n_horses):
            stride = (lo_hz + (hi_hz - lo_hz) * self.intensity) * (
                1.0 + (0.04 * rng.uniform(-1, 1) if herd else 0)
            )
            times, beat = footfalls(self.gait, stride, self.duration_s, rng)
            control = read_curve(times)
            # density: horse k is heard while the control lets more than k horses in (the lead, always)
            share = np.clip(control * self.n_horses - horse, 0.0, 1.0) if herd else np.ones(times.size)
            if horse == 0:
                share = np.maximum(share, 0.25)
            force = np.asarray(gait.accents)[beat] * 10 ** (rng.uniform(-2, 2, times.size) / 20)
            level = force * share * (0.3 + 0.7 * control) * (self.distance_m / distance[horse])
            keep = level > 1e-4
            times, level = times[keep], level[keep]
            air = np.exp(-(distance[horse] - 1.0) / 60.0)  # high frequencies die out with distance
            gains = _pan_gains(np.full(times.size, pan[horse])) if herd else np.ones((1, times.size))
            mix = rng.random(times.size)  # which of the two body resonances this footfall rings
            delay_s = rng.uniform(*gait.toe_ms, times.size) / 1000.0
            heel.append((times, gains * level, mix))
            toe.append((times + delay_s, gains * level))
            clicks.append((times, gains * level * air))
            n_grains = rng.poisson(ground.debris_per_step * (0.5 + self.intensity), times.size)
            grain_of = np.repeat(np.arange(times.size), n_grains)
            grain_t = times[grain_of] + 0.004 + rng.exponential(0.025, grain_of.size)
            grain_w = gains[:, grain_of] * (level[grain_of] * air * rng.uniform(0.05, 0.2, grain_of.size))
            debris.append((grain_t, grain_w))
        # three rates: the thuds and the burst envelopes (below ~300 Hz) at a sixteenth, the
        # loading noise (below ~1 kHz) and the click envelopes at a quarter, the dirt and click
        # noise at the full rate; each upsampler delays by one of its input samples, so the
        # events are placed that much earlier
        mid_rate, low_rate = sample_rate / _DIVISOR, sample_rate / _DIVISOR**2
        heel_train = _merge(heel, low_rate, n_channels, lead=1.0 + 1.0 / _DIVISOR, with_mix=True)
        toe_train = _merge(toe, low_rate, n_channels, lead=1.0 + 1.0 / _DIVISOR)
        # the hoof's click and the kicked debris share one bright noise-burst path
        hard = ground.click + (0.5 if ground.ring_hz else 0.0)
        bright_train = _merge(
            [(t, w * hard) for t, w in clicks] + [(t, w * 0.3) for t, w in debris],
            mid_rate,
            n_channels,
            lead=1.0,
        )
        # heavier (more intense) footfalls ring lower; an impulse at the low rate carries
        # _DIVISOR**2 output samples' worth of force, so the resonators take that fraction of it
        body_hz = np.asarray(ground.body_hz) * (1.1 - 0.2 * self.intensity)
        bodies = []
        for f in body_hz:
            sos = tf2sos(*iirpeak(f, 2.5, fs=low_rate))
            sos[:, :3] *= 18.0 / _DIVISOR**2
            bodies.append(SosStream(sos, n_channels))
        # each burst is an attack-decay envelope gating noise of the path's colour (Farnell's
        # footsteps); the colour is made once, as loops of noise (levels included)
        # up to _LOOP_S, a loop at least as long as the sound (it never repeats) and of a length the
        # FFT is fast for: one with a large prime factor (a 4 s bed's 192016) costs thirty times more;
        # one loop serves every channel, each reading it from its own point (_gate)
        loop_n = min(round(_LOOP_S * sample_rate), next_fast_len(n_samples + 16, real=True))
        loop_mid = min(round(_LOOP_S * mid_rate), next_fast_len(n_samples // _DIVISOR + 16, real=True))
        dirt_env = SosStream(attack_decay_sos(0.001, 0.012, low_rate), n_channels)
        dirt_band = _band(*ground.body_band_hz, sample_rate)
        dirt_noise = _noise_loop(rng, dirt_band, 0.9, sample_rate, sample_rate, loop_n)
        # the toe's loading is the broad hump of the force curve: a softer, slower push;
        # quicker gaits have shorter stances, so their loading fades sooner
        load_band = _band(ground.body_band_hz[0] * 0.7, ground.body_band_hz[1] * 0.5, sample_rate)
        load_env = SosStream(attack_decay_sos(0.003, 0.0012 * sum(gait.toe_ms) / 2.0, low_rate), n_channels)
        load_noise = _noise_loop(rng, load_band, 0.35, sample_rate, mid_rate, loop_mid)
        click_sos = _band(*ground.click_band_hz, sample_rate)
        if ground.ring_hz:
            click_sos = np.concatenate(
                [click_sos, *(tf2sos(*iirpeak(f, 12.0, fs=sample_rate)) for f in ground.ring_hz)]
            )
        bright_env = SosStream(attack_decay_sos(0.0, 0.002, mid_rate), n_channels)
        bright_noise = _noise_loop(rng, click_sos, 1.0, sample_rate, sample_rate, loop_n)
        up_low, up_mid = Upsampler(_DIVISOR, 3 * n_channels), Upsampler(_DIVISOR, 3 * n_channels)
        ch = n_channels

        def block(start: int, stop: int) -> np.ndarray:
            first, m = start // _DIVISOR**2, -(-(stop - start) // _DIVISOR**2)
            low, high = heel_train.block(first, first + m)
            thud = bodies[0](low) + bodies[1](high)
            load = load_env(toe_train.block(first, first + m)[0])
            envs = up_low(np.concatenate([thud, load, dirt_env(low + high)], dtype=np.float32))
            first, m = first * _DIVISOR, m * _DIVISOR
            mid = envs[:ch]
            mid += _gate(envs[ch : 2 * ch], load_noise, first, loop_mid)
            envs[ch : 2 * ch] = bright_env(bright_train.block(first, first + m)[0])
            high_rate = up_mid(envs)
            audio = high_rate[:ch]
            audio += _gate(high_rate[ch : 2 * ch], bright_noise, start, loop_n)
            audio += _gate(high_rate[2 * ch :], dirt_noise, start, loop_n)
            return audio[:, : stop - start]  # every path is band-passed noise or a resonance: no DC

        audio = render_finished(
            n_samples,
            n_channels,
            block,
            sample_rate=sample_rate,
            peak_db=peak_db_for(self.intensity),
            fade_out_s=0.01,
            block_samples=_BLOCK,
            out=out,
        )
        return Sound(audio, sample_rate, 0)


def _gate(envelopes: np.ndarray, loop: NoiseLoop, start: int, loop_samples: int) -> np.ndarray:
    """Multiply each row of ``envelopes`` in place by ``loop`` read from ``start``; return them.

    Row ``r`` reads the mono loop ``r / rows`` of its length further on: each channel gets
    its own noise (half a loop apart: uncorrelated) for the cost of one channel's FFT.
    """
    n_rows, n = envelopes.shape
    for r in range(n_rows):
        envelopes[r] *= loop.read(start + r * loop_samples // n_rows, n)[0]
    return envelopes


def _noise_loop(
    rng: np.random.Generator,
    sos: np.ndarray,
    level: float,
    sample_rate: int,
    loop_rate: float,
    n_samples: int,
) -> NoiseLoop:
    """Return a mono loop of white noise at ``sample_rate`` through ``sos`` times ``level``, at ``loop_rate``.

    Below the output rate, the loop keeps the same power per hertz (the lower rate packs
    it in fewer samples) and fades out above a third of its Nyquist frequency, where the
    upsampler's images would start to show.
    """

    def magnitude(freqs_hz: np.ndarray) -> np.ndarray:
        _, response = sosfreqz(sos, worN=freqs_hz, fs=sample_rate)
        out = np.abs(response) * (level * np.sqrt(loop_rate / sample_rate))
        if loop_rate < sample_rate:
            out /= np.sqrt(1.0 + (freqs_hz / (loop_rate / 6.0)) ** 8)
        return out

    return NoiseLoop(rng, loop_rate, n_samples, magnitude)


@dataclass(frozen=True, slots=True)
class _Train:
    """Sorted impulse positions with per-channel weights, split in up to two mixes."""

    positions: np.ndarray
    weights: np.ndarray  # (n_mixes * n_channels, k): mix after mix
    n_mixes: int

    def block(self, start: int, stop: int) -> np.ndarray:
        """Return the impulses in ``[start, stop)``, shape ``(n_mixes, n_channels, stop - start)``."""
        lo, hi = np.searchsorted(self.positions, [start - 1, stop])
        rows = self.weights.shape[0]
        # every mix in one call: one pass over the events
        train = impulses(self.positions[lo:hi], self.weights[:, lo:hi], start, stop - start, n_channels=rows)
        return train.reshape(self.n_mixes, rows // self.n_mixes, stop - start)


def _merge(
    parts: list[tuple[np.ndarray, ...]],
    sample_rate: float,
    n_channels: int,
    *,
    lead: float,
    with_mix: bool = False,
) -> _Train:
    times = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
    weights = np.concatenate([p[1] for p in parts], axis=1) if parts else np.zeros((n_channels, 0))
    # positions at the path's rate, split between two samples so the timing stays exact; ``lead``
    # samples early, for the upsamplers delay the path by that much
    positions = np.maximum(times * sample_rate - lead, 0.0)
    order = np.argsort(positions)  # the SIMD sort; ties need no order (their weights add)
    if with_mix:
        mix = np.concatenate([p[2] for p in parts])[order]
        return _Train(
            positions[order], np.concatenate([weights[:, order] * mix, weights[:, order] * (1.0 - mix)]), 2
        )
    return _Train(positions[order], weights[:, order], 1)
