"""Generate test and demo audio whose truth is known: speech, noise bursts, room tone.

Every generator is deterministic: the same arguments and ``seed`` give byte-identical
output. Arrays are float32, shape ``(1, n_samples)`` with ``n_samples =
round(duration_s * sample_rate)``. A region ``(start_s, end_s)`` is exactly where the
foreground sound is non-zero: it starts at ``round(start_s * sample_rate)`` and ends
before ``round(end_s * sample_rate)``.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy import signal

from sonics.core.errors import ParameterError

__all__ = ["noise_burst_track", "speech_track"]

Regions = tuple[tuple[float, float], ...]

# (F1, F2, F3) of a few vowels [Hz], after Peterson & Barney (1952), adult male.
_VOWELS_HZ = np.array(
    [
        [730.0, 1090.0, 2440.0],  # a
        [270.0, 2290.0, 3010.0],  # i
        [300.0, 870.0, 2240.0],  # u
        [530.0, 1840.0, 2480.0],  # e
        [570.0, 840.0, 2410.0],  # o
        [660.0, 1720.0, 2410.0],  # ae
        [490.0, 1350.0, 1690.0],  # er
    ]
)
_FORMANT_BANDWIDTHS_HZ = (90.0, 110.0, 170.0)
_BLOCK_S = 0.005  # formant tracks are updated every 5 ms
_BURST_STYLES = ("noise", "impacts", "tone")
_TABLE_SIZE = 4096


def speech_track(
    duration_s: float,
    *,
    sample_rate: int = 48000,
    regions: Regions,
    seed: int,
    level_db: float = -30.0,
    background_db: float | None = None,
    room_tone_db: float | None = -70.0,
) -> np.ndarray:
    """Synthesise speech-like sound inside ``regions`` and quiet room tone elsewhere.

    Each region is filled with words of one to four syllables (100-300 ms each) with
    pauses of up to 200 ms between words, so a region reads as one stretch of talk.
    A syllable is a glottal pulse train at a drifting pitch (90-220 Hz) through three
    moving formant resonators (a vowel gliding to another), often led or closed by an
    unvoiced fricative burst (band-passed noise, 2.5-7 kHz); syllable envelopes give
    the 4-5 Hz amplitude modulation of running speech. The first syllable starts at
    each region's start and the last one ends at its end.

    Parameters
    ----------
    duration_s : float > 0
        Length of the track [s].
    sample_rate : int >= 8000
        Sample rate [Hz].
    regions : tuple of (start_s, end_s)
        Where the speech is [s]; sorted or not, not overlapping, inside
        ``[0, duration_s]``, each at least 50 ms long.
    seed : int
        Seed of the random generator (voice, words, noise).
    level_db : float
        RMS level of the speech over all samples inside the regions [dBFS].
    background_db : float or None
        If given, add a steady background (pink noise and a low harmonic drone, like
        traffic under music) at this RMS level over the whole track [dBFS].
    room_tone_db : float or None
        RMS level of a quiet pink-noise room tone over the whole track [dBFS];
        ``None`` for digital silence outside the speech.

    Returns
    -------
    ndarray, float32, shape (1, n_samples)
        The track; ``n_samples = round(duration_s * sample_rate)``.

    Raises
    ------
    ParameterError
        If an argument is outside its domain.

    Examples
    --------
    >>> audio = speech_track(3.0, sample_rate=16000, regions=((0.5, 2.0),), seed=1)
    >>> audio.shape, audio.dtype
    ((1, 48000), dtype('float32'))
    """
    n_samples, spans = _check(duration_s, sample_rate, regions, min_region_s=0.05)
    rng = np.random.default_rng(seed)
    base_f0_hz = float(rng.uniform(105.0, 170.0))
    speech = np.zeros(n_samples)
    for start, end in spans:
        speech[start:end] = _speech_region(end - start, sample_rate, rng, base_f0_hz)
    out = _scaled_inside(speech, spans, level_db)
    out += _beds(n_samples, sample_rate, rng, background_db, room_tone_db)
    return out.astype(np.float32).reshape(1, -1)


def noise_burst_track(
    duration_s: float,
    *,
    sample_rate: int = 48000,
    regions: Regions,
    seed: int,
    style: str = "noise",
    level_db: float = -25.0,
    background_db: float | None = None,
    room_tone_db: float | None = -70.0,
) -> np.ndarray:
    """Synthesise non-speech foreground sound inside ``regions``: noise, impacts or a tone.

    Parameters
    ----------
    duration_s : float > 0
        Length of the track [s].
    sample_rate : int >= 8000
        Sample rate [Hz].
    regions : tuple of (start_s, end_s)
        Where the sound is [s]; not overlapping, inside ``[0, duration_s]``, each at
        least 50 ms long.
    seed : int
        Seed of the random generator.
    style : {"noise", "impacts", "tone"}
        ``"noise"``: a steady broadband rush (wind, engine, rain) with 10 ms ramps.
        ``"impacts"``: door slams and hits (a low thump plus a broadband crack, each
        decaying in 30-120 ms) every 120-450 ms from the region's start; the last
        decay is faded out to end at the region's end. ``"tone"``: a steady harmonic
        tone (a horn or a machine whine) at one pitch in 150-400 Hz.
    level_db : float
        RMS level of the sound over all samples inside the regions [dBFS].
    background_db : float or None
        If given, add the same steady background as :func:`speech_track` [dBFS].
    room_tone_db : float or None
        RMS level of a pink-noise room tone over the whole track [dBFS]; ``None`` for
        digital silence outside the sound.

    Returns
    -------
    ndarray, float32, shape (1, n_samples)
        The track; ``n_samples = round(duration_s * sample_rate)``.

    Raises
    ------
    ParameterError
        If an argument is outside its domain.
    """
    if style not in _BURST_STYLES:
        raise ParameterError(f"style must be one of {', '.join(_BURST_STYLES)}, got {style!r}")
    n_samples, spans = _check(duration_s, sample_rate, regions, min_region_s=0.05)
    rng = np.random.default_rng(seed)
    sound = np.zeros(n_samples)
    make = {"noise": _noise_burst, "impacts": _impacts, "tone": _tone_burst}[style]
    for start, end in spans:
        sound[start:end] = make(end - start, sample_rate, rng)
    out = _scaled_inside(sound, spans, level_db)
    out += _beds(n_samples, sample_rate, rng, background_db, room_tone_db)
    return out.astype(np.float32).reshape(1, -1)


def _check(
    duration_s: float, sample_rate: int, regions: Regions, *, min_region_s: float
) -> tuple[int, list[tuple[int, int]]]:
    if not duration_s > 0:
        raise ParameterError(f"duration_s must be > 0, got {duration_s}")
    if int(sample_rate) != sample_rate or sample_rate < 8000:
        raise ParameterError(f"sample_rate must be an integer >= 8000 Hz, got {sample_rate}")
    n_samples = round(duration_s * sample_rate)
    spans = []
    for region in sorted(tuple(r) for r in regions):
        if len(region) != 2:
            raise ParameterError(f"each region must be (start_s, end_s), got {region}")
        start_s, end_s = float(region[0]), float(region[1])
        if not 0 <= start_s < end_s <= duration_s:
            raise ParameterError(f"region {region} must satisfy 0 <= start_s < end_s <= {duration_s}")
        if end_s - start_s < min_region_s:
            raise ParameterError(f"region {region} is shorter than {min_region_s * 1000:.0f} ms")
        spans.append((round(start_s * sample_rate), round(end_s * sample_rate)))
    for (_, end_a), (start_b, _) in itertools.pairwise(spans):
        if start_b < end_a:
            raise ParameterError("regions must not overlap")
    return n_samples, spans


def _scaled_inside(x: np.ndarray, spans: list[tuple[int, int]], level_db: float) -> np.ndarray:
    """Scale ``x`` so its RMS over the samples inside ``spans`` is ``level_db`` dBFS."""
    if not spans:
        return x
    energy = sum(float(np.sum(x[a:b] ** 2)) for a, b in spans)
    count = sum(b - a for a, b in spans)
    rms = np.sqrt(energy / count)
    return x * (10.0 ** (level_db / 20.0) / rms) if rms > 0 else x


def _rms_to(x: np.ndarray, level_db: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(x**2)))
    return x * (10.0 ** (level_db / 20.0) / rms) if rms > 0 else x


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    # Paul Kellet's economy 1/f filter: within 0.5 dB of pink over the audio band.
    b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
    a = [1.0, -2.494956002, 2.017265875, -0.522189400]
    return signal.lfilter(b, a, rng.standard_normal(n + 2000))[2000:]


def _beds(
    n: int,
    sample_rate: int,
    rng: np.random.Generator,
    background_db: float | None,
    room_tone_db: float | None,
) -> np.ndarray:
    out = np.zeros(n)
    if room_tone_db is not None:
        out += _rms_to(_pink(n, rng), room_tone_db)
    if background_db is not None:
        drone = np.zeros(n)
        table_phase = 2 * np.pi * np.arange(_TABLE_SIZE) / _TABLE_SIZE
        for root_hz in (55.0, 82.4, 110.0 * 1.0012):  # A1, E2, slightly sharp A2: a slow beat
            # One period of the harmonic stack, read back at the root's rate (a wavetable).
            table = np.zeros(_TABLE_SIZE + 1)
            for harmonic in range(1, 9):
                if root_hz * harmonic < 0.45 * sample_rate:
                    table[:-1] += np.sin(harmonic * table_phase + rng.uniform(0, 2 * np.pi)) / harmonic**1.5
            table[-1] = table[0]
            position = (np.arange(n) * (root_hz / sample_rate) % 1.0) * _TABLE_SIZE
            drone += np.interp(position, np.arange(_TABLE_SIZE + 1), table)
        bed = _rms_to(_pink(n, rng), 0.0) + _rms_to(drone, -3.0)
        out += _rms_to(bed, background_db)
    return out


def _ramp(n: int) -> np.ndarray:
    """Raised-cosine rise over ``n`` samples (0 to 1, exclusive of 1)."""
    return 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / max(n, 1))


def _band_noise(
    n: int, low_hz: float, high_hz: float, sample_rate: int, rng: np.random.Generator
) -> np.ndarray:
    sos = signal.butter(4, [low_hz, high_hz], btype="bandpass", fs=sample_rate, output="sos")
    x = signal.sosfilt(sos, rng.standard_normal(n + 512))[512:]
    return _rms_to(x, 0.0)


def _speech_plan(length_s: float, rng: np.random.Generator) -> list[tuple[bool, float]]:
    """Return ``(is_syllable, duration_s)`` items that exactly fill ``length_s``."""
    items: list[tuple[bool, float]] = []
    total = 0.0
    left_in_word = int(rng.integers(1, 5))
    while True:
        duration = float(rng.uniform(0.10, 0.30))
        items.append((True, duration))
        total += duration
        if total >= length_s:
            break
        left_in_word -= 1
        if left_in_word > 0:
            gap = float(rng.uniform(0.0, 0.04))
        else:
            gap = float(rng.uniform(0.06, 0.20))
            left_in_word = int(rng.integers(1, 5))
        items.append((False, gap))
        total += gap
    scale = length_s / total  # <= 1: the plan only ever shrinks, pauses stay short
    return [(is_syllable, d * scale) for is_syllable, d in items]


def _speech_region(n: int, sample_rate: int, rng: np.random.Generator, base_f0_hz: float) -> np.ndarray:
    """Return ``n`` samples of speech whose first syllable starts at 0 and last ends at ``n``."""
    plan = _speech_plan(n / sample_rate, rng)
    f0 = np.zeros(n)  # per-sample pitch, 0 where unvoiced
    formants = np.zeros((3, n))
    voiced_env = np.zeros(n)
    fricative_env = np.zeros(n)
    bounds = np.round(np.cumsum([0.0] + [d for _, d in plan]) * sample_rate).astype(int)
    bounds[-1] = n
    vowel = _VOWELS_HZ[rng.integers(len(_VOWELS_HZ))]
    for (is_syllable, _), start, end in zip(plan, bounds[:-1], bounds[1:], strict=True):
        m = end - start
        if not is_syllable or m <= 0:
            formants[:, start:end] = vowel[:, None]
            continue
        # Optional unvoiced onset and coda, each at most a third of the syllable.
        onset = round(m * rng.uniform(0.15, 0.33)) if rng.random() < 0.4 else 0
        coda = round(m * rng.uniform(0.10, 0.25)) if rng.random() < 0.25 else 0
        v0, v1 = start + onset, end - coda
        stress = 10.0 ** (rng.normal(0.0, 3.0) / 20.0)
        for a, b in ((start, v0), (v1, end)):
            if b > a:
                k = b - a
                env = np.ones(k)
                edge = min(k // 3, round(0.008 * sample_rate))
                env[:edge] = _ramp(edge)
                if edge:
                    env[k - edge :] = _ramp(edge)[::-1]
                fricative_env[a:b] = 0.35 * stress * env
        k = v1 - v0
        target = _VOWELS_HZ[rng.integers(len(_VOWELS_HZ))]
        glide = np.linspace(0.0, 1.0, k)
        formants[:, v0:v1] = vowel[:, None] + (target - vowel)[:, None] * glide
        vowel = target
        f_start = base_f0_hz * 2.0 ** rng.normal(0.0, 0.2)
        f_end = f_start * 2.0 ** rng.uniform(-0.35, 0.2)
        vibrato = 1.0 + 0.015 * np.sin(2 * np.pi * 5.5 * np.arange(k) / sample_rate + rng.uniform(0, 6.3))
        f0[v0:v1] = np.clip(np.linspace(f_start, f_end, k) * vibrato, 90.0, 220.0)
        env = np.exp(-glide * rng.uniform(0.2, 0.9))  # nuclei fade a little
        attack = min(k // 3, round(0.012 * sample_rate))
        release = min(k // 3, round(0.025 * sample_rate))
        env[:attack] *= _ramp(attack)
        if release:
            env[k - release :] *= _ramp(release)[::-1]
        voiced_env[v0:v1] = stress * env
    # Glottal source: one pulse per pitch period, spectral tilt of -12 dB/octave above
    # about 150 Hz (two real poles), +6 dB/octave lip radiation (a first difference).
    phase = np.cumsum(f0 / sample_rate)
    pulses = np.zeros(n)
    pulses[1:][np.diff(np.floor(phase)) > 0] = 1.0
    pole = np.exp(-2 * np.pi * 150.0 / sample_rate)
    source = signal.lfilter([1.0, -1.0], np.convolve([1.0, -pole], [1.0, -pole]), pulses)
    source += 0.02 * rng.standard_normal(n) * (f0 > 0)  # breathiness
    voiced = _formant_filter(source, formants, sample_rate)
    voiced = _rms_to(voiced * voiced_env, 0.0)
    hiss = _band_noise(n, min(2500.0, 0.3 * sample_rate), min(7000.0, 0.45 * sample_rate), sample_rate, rng)
    return voiced + hiss * fricative_env


def _formant_filter(x: np.ndarray, formants_hz: np.ndarray, sample_rate: int) -> np.ndarray:
    """Run ``x`` through a cascade of three resonators whose centres follow ``formants_hz``."""
    n = len(x)
    block = max(1, round(_BLOCK_S * sample_rate))
    y = x.copy()
    for k, bandwidth_hz in enumerate(_FORMANT_BANDWIDTHS_HZ):
        r = np.exp(-np.pi * bandwidth_hz / sample_rate)
        state = np.zeros(2)
        out = np.empty(n)
        for start in range(0, n, block):
            end = min(n, start + block)
            centre_hz = formants_hz[k, (start + end) // 2]
            a1 = -2.0 * r * np.cos(2 * np.pi * centre_hz / sample_rate)
            a = [1.0, a1, r * r]
            out[start:end], state = signal.lfilter([1.0 + a1 + r * r], a, y[start:end], zi=state)
        y = out
    return y


def _noise_burst(n: int, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    sos = signal.butter(2, min(6000.0, 0.45 * sample_rate), fs=sample_rate, output="sos")
    x = signal.sosfilt(sos, rng.standard_normal(n))
    edge = min(n // 4, round(0.010 * sample_rate))
    x[:edge] *= _ramp(edge)
    x[n - edge :] *= _ramp(edge)[::-1]
    return x


def _impacts(n: int, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    x = np.zeros(n)
    t0 = 0
    while t0 < n:
        tau_s = rng.uniform(0.03, 0.12)
        k = min(n - t0, round(6 * tau_s * sample_rate))
        t = np.arange(k) / sample_rate
        crack = rng.standard_normal(k) * np.exp(-t / tau_s)
        thump = np.sin(2 * np.pi * rng.uniform(50.0, 110.0) * t) * np.exp(-t / (1.5 * tau_s))
        x[t0 : t0 + k] += rng.uniform(0.5, 1.0) * (crack + 2.0 * thump)
        t0 += round(rng.uniform(0.12, 0.45) * sample_rate)
    edge = min(n // 4, round(0.010 * sample_rate))
    x[n - edge :] *= _ramp(edge)[::-1]
    return x


def _tone_burst(n: int, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / sample_rate
    f0_hz = rng.uniform(150.0, 400.0)
    x = np.zeros(n)
    for harmonic in range(1, 13):
        if harmonic * f0_hz < 0.45 * sample_rate:
            x += np.sin(2 * np.pi * harmonic * f0_hz * t + rng.uniform(0, 2 * np.pi)) / harmonic
    edge = min(n // 4, round(0.010 * sample_rate))
    x[:edge] *= _ramp(edge)
    x[n - edge :] *= _ramp(edge)[::-1]
    return x
