"""Delivery loudness: targets by name, BS.1770 measurement, and normalising under a true-peak ceiling.

Integrated loudness is pyloudnorm's (ITU-R BS.1770-4: K-weighting, 400 ms blocks, the
-70 LUFS absolute and -10 LU relative gates). The short-term curve (3 s windows every
0.1 s) and the loudness range (EBU Tech 3342: short-term values gated at -70 LUFS and
20 LU under their mean, 10th to 95th percentile) use the same K-weighting filters. True
peak is :func:`sonics.dsp.dynamics.true_peak_db` (oversampled 4x at 48 kHz).

Normalising is a loop: one gain brings the programme to the target, the true-peak
limiter holds it :data:`METER_MARGIN_DB` under the ceiling, and the limited programme
is measured again; when limiting pulled it under the target, the gain is raised by the
shortfall over the measured slope of loudness against gain, until it lands within
:data:`TOLERANCE_LU`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pyloudnorm
from pyloudnorm.iirfilter import IIRfilter
from scipy import signal

from sonics.core.errors import ParameterError
from sonics.dsp.dynamics import TruePeakLimiter, true_peak_db

__all__ = [
    "LOUDNESS_TARGETS",
    "METER_MARGIN_DB",
    "SHORT_TERM_STEP_S",
    "SHORT_TERM_WINDOW_S",
    "TOLERANCE_LU",
    "LoudnessMeasurement",
    "LoudnessTarget",
    "Normalized",
    "integrated_lufs",
    "loudness_target",
    "measure_loudness",
    "normalize_loudness",
]

METER_MARGIN_DB = 0.1
"""The limiter holds the true peak this far under the ceiling, so that other 4x meters
(whose interpolation filters read full-band material up to a few hundredths of a dB
higher) also find it under."""

TOLERANCE_LU = 0.1
"""Normalising stops once the integrated loudness is this close to the target."""

SHORT_TERM_WINDOW_S = 3.0
SHORT_TERM_STEP_S = 0.1

_MIN_MEASURABLE_S = 0.4  # one BS.1770 gating block
_HOPS_PER_BLOCK = 100  # the K-weighting runs 10 s at a time
_MOMENTARY_WINDOW_S = 0.4
_ABSOLUTE_GATE_LUFS = -70.0
_LRA_RELATIVE_GATE_LU = -20.0
_MAX_PASSES = 8
_MAX_LIMITING_DB = 30.0  # gain is never pushed more than this past the linear estimate
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_TARGET_RANGE_LUFS = (-60.0, -5.0)


@dataclass(frozen=True, slots=True)
class LoudnessTarget:
    """A delivery loudness: integrated level and true-peak ceiling.

    Parameters
    ----------
    name : str
        ``"streaming"``, ``"ebu-r128"``, ``"atsc"``, or ``"-16 LUFS"`` for a number.
    integrated_lufs : float
        Integrated programme loudness (LUFS, BS.1770).
    true_peak_dbtp : float
        Largest true peak (dBTP).
    """

    name: str
    integrated_lufs: float
    true_peak_dbtp: float

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "name": self.name,
            "integrated_lufs": self.integrated_lufs,
            "true_peak_dbtp": self.true_peak_dbtp,
        }


LOUDNESS_TARGETS: Mapping[str, LoudnessTarget] = MappingProxyType(
    {
        "streaming": LoudnessTarget("streaming", -14.0, -1.0),
        "ebu-r128": LoudnessTarget("ebu-r128", -23.0, -1.0),
        "atsc": LoudnessTarget("atsc", -24.0, -2.0),
    }
)
"""The named targets: streaming platforms (YouTube plays at -14 LUFS), EBU R128, ATSC A/85."""


def loudness_target(spec: str | float, *, true_peak_dbtp: float | None = None) -> LoudnessTarget:
    """Return the target a name or a number of LUFS stands for.

    Parameters
    ----------
    spec : str or float
        ``"streaming"`` (-14 LUFS, -1 dBTP), ``"ebu-r128"`` (-23, -1), ``"atsc"`` (-24 LKFS,
        -2 dBTP), or a loudness in LUFS in [-60, -5] (a number or a string such as
        ``"-16"``), whose ceiling is -1 dBTP.
    true_peak_dbtp : float, optional
        A ceiling (dBTP, -12..0) to use instead of the target's own.

    Returns
    -------
    LoudnessTarget

    Raises
    ------
    ParameterError
        If the name is unknown or a number is out of range.

    Examples
    --------
    >>> loudness_target("atsc")
    LoudnessTarget(name='atsc', integrated_lufs=-24.0, true_peak_dbtp=-2.0)
    >>> loudness_target("-16")
    LoudnessTarget(name='-16 LUFS', integrated_lufs=-16.0, true_peak_dbtp=-1.0)
    """
    if isinstance(spec, str) and spec in LOUDNESS_TARGETS:
        target = LOUDNESS_TARGETS[spec]
    elif (isinstance(spec, int | float) and not isinstance(spec, bool)) or (
        isinstance(spec, str) and _NUMBER.fullmatch(spec)
    ):
        lufs = float(spec)
        low, high = _TARGET_RANGE_LUFS
        if not low <= lufs <= high:
            raise ParameterError(f"loudness must be in [{low:g}, {high:g}] LUFS, got {lufs:g}")
        target = LoudnessTarget(f"{lufs:g} LUFS", lufs, -1.0)
    else:
        names = ", ".join(LOUDNESS_TARGETS)
        raise ParameterError(f"loudness must be {names} or a number of LUFS such as -16, got {spec!r}")
    if true_peak_dbtp is None:
        return target
    if not -12.0 <= true_peak_dbtp <= 0.0:
        raise ParameterError(f"true_peak_dbtp must be in [-12, 0] dBTP, got {true_peak_dbtp:g}")
    return LoudnessTarget(target.name, target.integrated_lufs, float(true_peak_dbtp))


def _check_audio(audio: np.ndarray) -> np.ndarray:
    x = np.asarray(audio)
    if x.ndim != 2 or x.shape[0] not in (1, 2) or not np.issubdtype(x.dtype, np.floating):
        raise ParameterError(
            f"audio must be a float array of shape (1 or 2, samples), got {x.dtype} {x.shape}"
        )
    return x


def integrated_lufs(audio: np.ndarray, sample_rate: int) -> float | None:
    """Return the integrated loudness (LUFS, pyloudnorm's BS.1770-4), or None when unmeasurable.

    ``None`` for audio shorter than one 400 ms gating block and for audio with no block
    above the -70 LUFS absolute gate (silence).

    Examples
    --------
    >>> t = np.arange(480000) / 48000
    >>> tone = np.tile(10 ** (-23 / 20) * np.sin(2 * np.pi * 1000 * t), (2, 1))
    >>> round(integrated_lufs(tone, 48000), 1)  # EBU Tech 3341 case 1: -23 LUFS
    -23.0
    >>> integrated_lufs(np.zeros((2, 48000)), 48000) is None
    True
    """
    x = _check_audio(audio)
    if x.shape[1] < _MIN_MEASURABLE_S * sample_rate:
        return None
    # float32 is enough for the block powers and halves what pyloudnorm copies
    lufs = float(pyloudnorm.Meter(sample_rate).integrated_loudness(np.asarray(x.T, dtype=np.float32)))
    return lufs if math.isfinite(lufs) and lufs >= _ABSOLUTE_GATE_LUFS else None


def _hop_powers(x: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """K-weighted energy (channels summed, L and R weighing 1) of each 0.1 s hop, and its length.

    The filters run block by block with their state carried, so memory stays flat; the
    last hop may be shorter than the others.
    """
    # The same two stages pyloudnorm's "K-weighting" meter applies.
    stages = (
        IIRfilter(4.0, 1.0 / math.sqrt(2.0), 1500.0, sample_rate, "high_shelf"),
        IIRfilter(0.0, 0.5, 38.0, sample_rate, "high_pass"),
    )
    sos = np.array([np.concatenate([stage.b, stage.a]) for stage in stages])
    hop = round(SHORT_TERM_STEP_S * sample_rate)
    n = x.shape[1]
    n_hops = -(-n // hop)
    energy = np.zeros(n_hops)
    state = np.zeros((sos.shape[0], x.shape[0], 2))
    block = hop * _HOPS_PER_BLOCK
    for a in range(0, n, block):
        b = min(n, a + block)
        weighted, state = signal.sosfilt(sos, x[:, a:b].astype(np.float64), axis=-1, zi=state)
        power = np.sum(weighted * weighted, axis=0)
        padded = np.zeros(-(-(b - a) // hop) * hop)
        padded[: b - a] = power
        energy[a // hop : a // hop + padded.size // hop] = padded.reshape(-1, hop).sum(axis=1)
    lengths = np.full(n_hops, hop)
    if n_hops:
        lengths[-1] = n - (n_hops - 1) * hop
    return energy, lengths


def _to_lufs(mean_power: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10.0 * np.log10(mean_power)


def _centred(energy: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Loudness of the 3 s centred on every multiple of 0.1 s (the window cut at the ends)."""
    n_hops = energy.size
    half = round(SHORT_TERM_WINDOW_S / SHORT_TERM_STEP_S) // 2
    total_energy = np.concatenate([[0.0], np.cumsum(energy)])
    total_length = np.concatenate([[0], np.cumsum(lengths)])
    centres = np.arange(n_hops + 1)  # a hop boundary is a multiple of 0.1 s, up to the end
    if lengths.size and lengths[-1] != lengths[0]:
        centres = centres[:-1]  # the end is not a multiple of 0.1 s
    lo, hi = np.maximum(centres - half, 0), np.minimum(centres + half, n_hops)
    mean_power = (total_energy[hi] - total_energy[lo]) / np.maximum(total_length[hi] - total_length[lo], 1)
    return _to_lufs(mean_power).astype(np.float32)


def _ending(energy: np.ndarray, lengths: np.ndarray, window_s: float) -> np.ndarray:
    """Loudness of every full ``window_s`` window ending at a multiple of 0.1 s (what EBU meters show)."""
    window = round(window_s / SHORT_TERM_STEP_S)
    total_energy = np.concatenate([[0.0], np.cumsum(energy)])
    total_length = np.concatenate([[0], np.cumsum(lengths)])
    ends = np.arange(window, energy.size + 1)
    samples = total_length[ends] - total_length[ends - window]
    full = samples == window * (lengths[0] if lengths.size else 0)  # not the short last hop
    ends, samples = ends[full], samples[full]
    return _to_lufs((total_energy[ends] - total_energy[ends - window]) / np.maximum(samples, 1))


def _highest(lufs: np.ndarray) -> float | None:
    top = float(lufs.max(initial=-math.inf))
    return top if top >= _ABSOLUTE_GATE_LUFS else None


def _loudness_range(short_term_lufs: np.ndarray) -> float | None:
    gated = short_term_lufs[short_term_lufs >= _ABSOLUTE_GATE_LUFS]
    if not gated.size:
        return None
    mean_lufs = 10.0 * math.log10(float(np.mean(10.0 ** (gated / 10.0))))
    gated = gated[gated >= mean_lufs + _LRA_RELATIVE_GATE_LU]
    low, high = np.percentile(gated, [10.0, 95.0])
    return float(high - low)


@dataclass(frozen=True, slots=True, eq=False)
class LoudnessMeasurement:
    """How loud a programme is.

    Parameters
    ----------
    integrated_lufs : float or None
        Integrated loudness (LUFS); None for silence or audio under 0.4 s.
    true_peak_dbtp : float or None
        True peak (dBTP); None for digital silence.
    sample_peak_dbfs : float or None
        Largest sample (dBFS); None for digital silence.
    loudness_range_lu : float or None
        EBU Tech 3342 loudness range (LU); None under 3 s or for silence.
    short_term_lufs : numpy.ndarray
        Float32, one value every :data:`SHORT_TERM_STEP_S` from 0: the loudness of the
        3 s centred there (cut to the programme at its ends); ``-inf`` for silence.
    max_momentary_lufs, max_short_term_lufs : float or None
        The loudest 400 ms and 3 s (EBU meter windows, ending on each 0.1 s; LUFS), as a
        ``bext`` chunk records them; None when the programme is shorter than the window
        or no window is above -70 LUFS.
    """

    integrated_lufs: float | None
    true_peak_dbtp: float | None
    sample_peak_dbfs: float | None
    loudness_range_lu: float | None
    short_term_lufs: np.ndarray
    max_momentary_lufs: float | None = None
    max_short_term_lufs: float | None = None

    @property
    def short_term_times_s(self) -> np.ndarray:
        """Return the time [s] of each value of ``short_term_lufs``."""
        return np.arange(self.short_term_lufs.size) * SHORT_TERM_STEP_S

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form; short-term values under -70 LUFS are ``null``."""

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 2)

        curve = [round(float(v), 2) if v >= _ABSOLUTE_GATE_LUFS else None for v in self.short_term_lufs]
        return {
            "integrated_lufs": rounded(self.integrated_lufs),
            "true_peak_dbtp": rounded(self.true_peak_dbtp),
            "sample_peak_dbfs": rounded(self.sample_peak_dbfs),
            "loudness_range_lu": rounded(self.loudness_range_lu),
            "max_momentary_lufs": rounded(self.max_momentary_lufs),
            "max_short_term_lufs": rounded(self.max_short_term_lufs),
            "short_term": {"window_s": SHORT_TERM_WINDOW_S, "step_s": SHORT_TERM_STEP_S, "lufs": curve},
        }


def measure_loudness(
    audio: np.ndarray, sample_rate: int, *, integrated: float | None = None
) -> LoudnessMeasurement:
    """Measure integrated loudness, true peak, sample peak, loudness range and the short-term curve.

    Parameters
    ----------
    audio : numpy.ndarray
        Shape ``(1 or 2, samples)``, float, full scale 1.0.
    sample_rate : int
        Samples per second.
    integrated : float, optional
        The integrated loudness if already measured (saves measuring it again).

    Returns
    -------
    LoudnessMeasurement

    Raises
    ------
    ParameterError
        If ``audio`` has the wrong shape or is not finite.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> m = measure_loudness(0.1 * rng.standard_normal((2, 5 * 48000)), 48000)
    >>> m.short_term_lufs.shape, m.integrated_lufs is not None
    ((51,), True)
    """
    x = _check_audio(audio)
    lufs = integrated_lufs(x, sample_rate) if integrated is None else integrated
    peak = true_peak_db(x, sample_rate)
    sample_peak = float(np.abs(x).max(initial=0.0))
    energy, lengths = _hop_powers(x, sample_rate)
    short_term = _ending(energy, lengths, SHORT_TERM_WINDOW_S)
    return LoudnessMeasurement(
        integrated_lufs=lufs,
        true_peak_dbtp=peak if math.isfinite(peak) else None,
        sample_peak_dbfs=20.0 * math.log10(sample_peak) if sample_peak > 0.0 else None,
        loudness_range_lu=_loudness_range(short_term) if short_term.size else None,
        short_term_lufs=_centred(energy, lengths),
        max_momentary_lufs=_highest(_ending(energy, lengths, _MOMENTARY_WINDOW_S)),
        max_short_term_lufs=_highest(short_term),
    )


@dataclass(frozen=True, slots=True, eq=False)
class Normalized:
    """The result of :func:`normalize_loudness`.

    Parameters
    ----------
    audio : numpy.ndarray
        ``(channels, samples)`` float32: the programme after the gain and the limiter.
    gain_db : float
        The gain applied before the limiter (dB).
    limiter_gain : numpy.ndarray
        ``(samples,)`` float32, the limiter's gain in (0, 1]: ``audio`` is
        ``limiter_gain`` times the programme after ``gain_db``.
    measurement : LoudnessMeasurement
        Of ``audio``.
    input_lufs : float or None
        Integrated loudness before anything was done.
    n_passes : int
        Limiter passes the loop took.
    warnings : tuple of str
        What could not be done (silence cannot be normalised; a target out of reach).
    """

    audio: np.ndarray
    gain_db: float
    limiter_gain: np.ndarray
    measurement: LoudnessMeasurement
    input_lufs: float | None
    n_passes: int
    warnings: tuple[str, ...]

    @property
    def normalized(self) -> bool:
        """Return True if the programme was brought to a measured target."""
        return self.input_lufs is not None


def normalize_loudness(
    render: Callable[[float], np.ndarray],
    sample_rate: int,
    target: LoudnessTarget,
    *,
    release_ms: float = 50.0,
    lookahead_ms: float = 1.5,
) -> Normalized:
    """Bring a programme to a target loudness with its true peak under the target's ceiling.

    Parameters
    ----------
    render : callable
        ``render(gain_db) -> (channels, samples)`` float32: the programme at that gain
        (a function, so a mix can scale its buses and sum them, keeping them exact).
    sample_rate : int
        Samples per second.
    target : LoudnessTarget
        Integrated loudness and ceiling; the limiter holds the true peak
        :data:`METER_MARGIN_DB` under the ceiling.
    release_ms, lookahead_ms : float
        The limiter's release time constant and look-ahead (ms).

    Returns
    -------
    Normalized
        Within :data:`TOLERANCE_LU` of the target unless a warning says otherwise.
        Silence (nothing above -70 LUFS) or a programme under 0.4 s cannot be measured:
        it is left at 0 dB and only limited, with a warning.

    Raises
    ------
    ParameterError
        If the limiter settings are out of range.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> noise = (0.05 * rng.standard_normal((2, 10 * 48000))).astype(np.float32)
    >>> def render(gain_db):
    ...     return noise * np.float32(10 ** (gain_db / 20))
    >>> done = normalize_loudness(render, 48000, loudness_target("streaming"))
    >>> abs(done.measurement.integrated_lufs + 14.0) <= TOLERANCE_LU, done.measurement.true_peak_dbtp <= -1.0
    (True, True)
    """
    limiter = TruePeakLimiter(
        ceiling_db=target.true_peak_dbtp - METER_MARGIN_DB, release_ms=release_ms, lookahead_ms=lookahead_ms
    )
    programme = render(0.0)
    input_lufs = integrated_lufs(programme, sample_rate)
    warnings: list[str] = []
    if input_lufs is None:
        why = "shorter than 0.4 s" if programme.shape[1] < _MIN_MEASURABLE_S * sample_rate else "silent"
        warnings.append(f"the mix is {why}: it cannot be measured, so it was not normalised")
        audio, gain = limiter.process(programme, sample_rate)
        measurement = measure_loudness(audio, sample_rate)
        return Normalized(audio, 0.0, gain, measurement, None, 1, tuple(warnings))
    goal = target.integrated_lufs
    gain_db = goal - input_lufs
    tried: list[tuple[float, float]] = []
    for _ in range(_MAX_PASSES):
        audio, gain = limiter.process(render(gain_db), sample_rate)
        lufs = integrated_lufs(audio, sample_rate)
        lufs = -math.inf if lufs is None else lufs
        tried.append((gain_db, lufs))
        if abs(lufs - goal) <= TOLERANCE_LU:
            break
        gain_db = _next_gain(tried, goal)
        if gain_db > goal - input_lufs + _MAX_LIMITING_DB:
            break
    if abs(lufs - goal) > TOLERANCE_LU:
        warnings.append(
            f"the mix reached {lufs:.1f} LUFS, not {goal:g}: the {target.true_peak_dbtp:g} dBTP ceiling "
            "allows no louder without limiting it flat"
        )
    measurement = measure_loudness(audio, sample_rate, integrated=lufs if math.isfinite(lufs) else None)
    return Normalized(audio, tried[-1][0], gain, measurement, input_lufs, len(tried), tuple(warnings))


def _next_gain(tried: list[tuple[float, float]], goal: float) -> float:
    """Next gain to try: the shortfall over the slope of loudness against gain.

    The slope is 1 until two passes give a secant; limiting flattens it (more gain,
    less loudness gained), and it is kept in [0.1, 1] so a step never runs away.
    """
    gain_db, lufs = tried[-1]
    slope = 1.0
    if len(tried) >= 2:
        (g0, l0), (g1, l1) = tried[-2], tried[-1]
        if g1 != g0 and math.isfinite(l0) and math.isfinite(l1):
            slope = min(1.0, max(0.1, (l1 - l0) / (g1 - g0)))
    return gain_db + (goal - lufs) / slope
