"""The mix stage: stems into DME buses, ducked, brought to a delivery loudness, true-peak limited.

Signal flow, per sample ``t`` (gains in dB, ``G`` the loudness gain, ``L(t)`` the limiter's
linear gain, sums in float32)::

    dialogue = (cut's audio + dialogue stems) * (dialogue_gain_db + G)
    music    = sum(music stems) * (music_gain_db + duck_music(t) + G)
    effects  = (sum(hit stems) + sum(bed stems) * duck_beds(t)) * (effects_gain_db + G)
    mix      = L(t) * (dialogue + music + effects)

The DME stems (:attr:`MixResult.buses`) are the three buses above: post-fader,
post-ducking, after the loudness gain and before the limiter, so ``dialogue + music +
effects`` is exactly the programme the limiter saw (summed in that order, in float32),
and the mix is that sum times :attr:`MixResult.limiter_gain`, one gain for both channels
(it rounds once to float32). A re-recording mixer rebuilds the print by summing the
three stems and limiting the sum at the ceiling, or exactly by applying the limiter gain.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sonics.core.cues import DELIVERY_RATE_HZ, CueSheet
from sonics.core.errors import ParameterError
from sonics.core.model import Analysis
from sonics.core.sound import Stem
from sonics.mix.buses import BUS_NAMES, route
from sonics.mix.ducking import duck_curves, impact_times, speech_spans
from sonics.mix.loudness import (
    METER_MARGIN_DB,
    LoudnessMeasurement,
    LoudnessTarget,
    loudness_target,
    normalize_loudness,
)
from sonics.presets.schema import MixSettings

__all__ = ["CURVE_RATE_HZ", "GainCurve", "MixResult", "mix_stems"]

CURVE_RATE_HZ = 100
"""Values per second of the gain curves kept for the report."""

_STEMS_SUM = "dialogue + music + effects = the mix before the limiter; mix = limiter gain x that sum"


@dataclass(frozen=True, slots=True, eq=False)
class GainCurve:
    """A gain over time for the report: the lowest gain [dB] in each ``1 / rate_hz`` s.

    Parameters
    ----------
    name : str
        ``"music"`` (ducking under speech and impacts), ``"beds"`` or ``"limiter"``.
    rate_hz : int
        Values per second.
    gain_db : numpy.ndarray
        Float32, ``ceil(n_samples * rate_hz / sample_rate)`` values, each <= 0.
    """

    name: str
    rate_hz: int
    gain_db: np.ndarray

    @classmethod
    def from_samples(cls, name: str, gain_db: np.ndarray, sample_rate: int) -> GainCurve:
        """Reduce a per-sample gain curve [dB] to its lowest value per report step."""
        step = sample_rate // CURVE_RATE_HZ
        n_steps = -(-gain_db.size // step)
        padded = np.zeros(n_steps * step, dtype=np.float32)
        padded[: gain_db.size] = gain_db
        return cls(name, CURVE_RATE_HZ, padded.reshape(n_steps, step).min(axis=1))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (dB to 0.01)."""
        return {"rate_hz": self.rate_hz, "gain_db": [round(float(v), 2) + 0.0 for v in self.gain_db]}


@dataclass(frozen=True, slots=True, eq=False)
class MixResult:
    """A finished mix, its DME stems and how it measures.

    Parameters
    ----------
    mix : numpy.ndarray
        ``(2, n)`` float32: the delivered mix.
    buses : tuple of Stem
        The DME stems (see the module notes): ``dialogue`` (role ``"dialogue"``, only when
        there is dialogue), ``music`` and ``effects``, each ``(2, n)``.
    sample_rate : int
        Samples per second.
    target : LoudnessTarget
        The loudness asked for, with the ceiling in force.
    loudness : LoudnessMeasurement
        Of ``mix``.
    input_lufs : float or None
        Integrated loudness of the buses' sum before the loudness gain; None when the
        mix is silent or too short to measure (then it is not normalised).
    gain_db : float
        The loudness gain applied to every bus.
    limiter_gain : numpy.ndarray
        ``(n,)`` float32 in (0, 1]: ``mix = limiter_gain * (dialogue + music + effects)``.
    curves : tuple of GainCurve
        ``music``, ``beds`` and ``limiter`` gains for the report.
    speech_s : tuple of (start_s, end_s)
        The speech the music and beds ducked under.
    speech_source : str
        ``"analysis"``, ``"dialogue"`` or ``"none"``.
    impacts_s : tuple of float
        The biggest impacts the music dipped under [s].
    bus_stems : mapping of str to tuple of str
        Which stems fed each bus (``"dialogue"`` is the cut's own audio).
    bed_stems : tuple of str
        The effects stems that ducked as beds.
    settings : MixSettings
        The settings used.
    n_passes : int
        Limiter passes the loudness loop took.
    warnings : tuple of str
        What could not be done, in words (silence is not normalised; a target out of reach).
    """

    SCHEMA_NAME = "mix"
    SCHEMA_VERSION = 1

    mix: np.ndarray
    buses: tuple[Stem, ...]
    sample_rate: int
    target: LoudnessTarget
    loudness: LoudnessMeasurement
    input_lufs: float | None
    gain_db: float
    limiter_gain: np.ndarray
    curves: tuple[GainCurve, ...]
    speech_s: tuple[tuple[float, float], ...]
    speech_source: str
    impacts_s: tuple[float, ...]
    bus_stems: Mapping[str, tuple[str, ...]]
    bed_stems: tuple[str, ...]
    settings: MixSettings
    n_passes: int
    warnings: tuple[str, ...]

    @property
    def n_samples(self) -> int:
        """Length of the mix in samples."""
        return int(self.mix.shape[1])

    @property
    def normalized(self) -> bool:
        """Return True if the mix was brought to the target loudness (it was measurable)."""
        return self.input_lufs is not None

    def bus(self, name: str) -> Stem:
        """Return the DME stem ``"dialogue"``, ``"music"`` or ``"effects"``.

        Raises
        ------
        ParameterError
            If there is no such bus (``"dialogue"`` when the cut had no audio).
        """
        for stem in self.buses:
            if stem.name == name:
                return stem
        raise ParameterError(f"the mix has no {name} bus (it has: {', '.join(s.name for s in self.buses)})")

    def curve(self, name: str) -> GainCurve:
        """Return the report curve ``"music"``, ``"beds"`` or ``"limiter"``."""
        for curve in self.curves:
            if curve.name == name:
                return curve
        raise ParameterError(f"no gain curve named {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """Return the ``mix.json`` document (``schema: sonics.mix/1``): loudness report and mix notes."""
        s = self.settings
        limiter_db = self.curve("limiter").gain_db
        bus_gains = {"dialogue": s.dialogue_gain_db, "music": s.music_gain_db, "effects": s.effects_gain_db}
        return {
            "schema": f"sonics.{self.SCHEMA_NAME}/{self.SCHEMA_VERSION}",
            "sample_rate": self.sample_rate,
            "n_samples": self.n_samples,
            "duration_s": round(self.n_samples / self.sample_rate, 6),
            "target": self.target.to_dict(),
            "normalized": self.normalized,
            "input_lufs": None if self.input_lufs is None else round(self.input_lufs, 2),
            "gain_db": round(self.gain_db, 3),
            "measured": self.loudness.to_dict(),
            "limiter": {
                "ceiling_dbtp": round(self.target.true_peak_dbtp - METER_MARGIN_DB, 3),
                "release_ms": s.limiter_release_ms,
                "lookahead_ms": s.limiter_lookahead_ms,
                "max_reduction_db": round(-float(limiter_db.min(initial=0.0)), 2) + 0.0,
                "n_passes": self.n_passes,
            },
            "buses": [
                {"name": b.name, "gain_db": bus_gains[b.name], "stems": list(self.bus_stems[b.name])}
                for b in self.buses
            ],
            "stems_sum": _STEMS_SUM,
            "ducking": {
                "speech_source": self.speech_source,
                "speech_s": [[round(a, 6), round(b, 6)] for a, b in self.speech_s],
                "impacts_s": [round(t, 6) for t in self.impacts_s],
                "beds": list(self.bed_stems),
                "music_depth_db": s.duck_depth_db,
                "beds_depth_db": s.duck_beds_depth_db,
                "attack_ms": s.duck_attack_ms,
                "release_ms": s.duck_release_ms,
                "hold_ms": s.duck_hold_ms,
                "impact_duck_db": s.impact_duck_db,
                "impact_duck_ms": s.impact_duck_ms,
                "impact_min_intensity": s.impact_min_intensity,
            },
            "curves": {c.name: c.to_dict() for c in self.curves},
            "warnings": list(self.warnings),
        }


_DB_TO_LOG_GAIN = np.float32(np.log(10.0) / 20.0)


def _db(gain_db: float | np.ndarray) -> Any:
    """Linear float32 gain of ``gain_db`` (a number or a per-sample curve)."""
    return np.exp(np.asarray(gain_db, dtype=np.float32) * _DB_TO_LOG_GAIN)


def mix_stems(
    stems: Sequence[Stem],
    *,
    dialogue: np.ndarray | None = None,
    analysis: Analysis | None = None,
    cues: CueSheet | None = None,
    bed_stems: Collection[str] = (),
    settings: MixSettings | None = None,
    sample_rate: int = DELIVERY_RATE_HZ,
) -> MixResult:
    """Mix stems and the cut's own audio into a delivery mix and its DME stems.

    Parameters
    ----------
    stems : sequence of Stem
        The SFX layer stems (role ``"effects"``) and music part stems (role ``"music"``);
        stems of role ``"dialogue"`` join the dialogue bus. All ``(2, n)`` at ``sample_rate``.
    dialogue : numpy.ndarray, optional
        The cut's own audio, ``(1 or 2, n)`` float, exactly as long as the stems.
    analysis : Analysis, optional
        Its speech regions key the ducking (else speech is searched for in ``dialogue``),
        and its impacts are the biggest ones when there is no cue sheet.
    cues : CueSheet, optional
        Its strongest hit cues are the biggest impacts the music dips under.
    bed_stems : collection of str
        Names of the effects stems that are beds (they dip under speech); see
        :func:`sonics.mix.buses.bed_stem_names`.
    settings : MixSettings, optional
        The ``[mix]`` table (default: ``MixSettings()``, streaming loudness).
    sample_rate : int
        Samples per second of everything (48 000 for delivery).

    Returns
    -------
    MixResult
        The mix within 0.1 LU of the target (0.5 LU is the delivery tolerance) with its
        true peak under the ceiling, unless ``warnings`` says why not (a silent mix is
        limited only; a target the ceiling cannot allow is missed and said so).

    Raises
    ------
    ParameterError
        If there is nothing to mix, lengths or rates differ, a stem's role is unknown,
        a bed name is not an effects stem, or a setting is out of range.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> strings = (0.05 * rng.standard_normal((2, 480000))).astype(np.float32)
    >>> music = Stem("music_strings", "music", strings, 48000)
    >>> result = mix_stems([music], settings=MixSettings(loudness="ebu-r128"))
    >>> round(result.loudness.integrated_lufs), result.loudness.true_peak_dbtp <= -1.0
    (-23, True)
    >>> [b.name for b in result.buses]
    ['music', 'effects']
    """
    settings = MixSettings() if settings is None else settings
    if not isinstance(settings, MixSettings):
        raise ParameterError(f"settings must be MixSettings, got {type(settings).__name__}")
    if isinstance(sample_rate, bool) or int(sample_rate) != sample_rate or sample_rate < 8000:
        raise ParameterError(f"sample_rate must be an integer >= 8000 Hz, got {sample_rate!r}")
    target = loudness_target(settings.loudness, true_peak_dbtp=settings.true_peak_db or None)
    inputs = route(stems, dialogue=dialogue, bed_stems=bed_stems, sample_rate=sample_rate)
    n = inputs.n_samples
    speech_s, speech_source = speech_spans(analysis, inputs.dialogue, sample_rate)
    impacts_s = impact_times(cues, analysis, settings.impact_min_intensity)
    ducks = duck_curves(n, sample_rate, settings, speech_s=speech_s, impacts_s=impacts_s)

    # Each bus at the loudness gain 0 dB, processed in place (the sums are the mix's own);
    # the loop scales all three by one gain.
    buses: dict[str, np.ndarray] = {}
    if inputs.dialogue is not None:
        buses["dialogue"] = inputs.dialogue
        buses["dialogue"] *= _db(settings.dialogue_gain_db)
    buses["music"] = inputs.music
    buses["music"] *= _db(ducks.music_db + np.float32(settings.music_gain_db))
    buses["effects"] = inputs.beds
    buses["effects"] *= _db(ducks.beds_db)
    buses["effects"] += inputs.hits
    buses["effects"] *= _db(settings.effects_gain_db)
    bus_stems = inputs.names
    del inputs  # its sums are the buses now

    def render(gain_db: float) -> np.ndarray:
        gain = _db(gain_db)
        total = np.zeros((2, n), dtype=np.float32)
        scaled = np.empty_like(total)
        for bus in buses.values():
            total += np.multiply(bus, gain, out=scaled)  # the very products the stems will hold
        return total

    done = normalize_loudness(
        render,
        sample_rate,
        target,
        release_ms=settings.limiter_release_ms,
        lookahead_ms=settings.limiter_lookahead_ms,
    )
    gain = _db(done.gain_db)
    for bus in buses.values():
        bus *= gain
    stems_out = tuple(Stem(name, name, buses[name], sample_rate) for name in BUS_NAMES if name in buses)
    with np.errstate(divide="ignore"):
        limiter_db = 20.0 * np.log10(done.limiter_gain)
    curves = (
        GainCurve.from_samples("music", ducks.music_db, sample_rate),
        GainCurve.from_samples("beds", ducks.beds_db, sample_rate),
        GainCurve.from_samples("limiter", limiter_db.astype(np.float32), sample_rate),
    )
    return MixResult(
        mix=done.audio,
        buses=stems_out,
        sample_rate=int(sample_rate),
        target=target,
        loudness=done.measurement,
        input_lufs=done.input_lufs,
        gain_db=float(done.gain_db),
        limiter_gain=done.limiter_gain,
        curves=curves,
        speech_s=tuple(speech_s),
        speech_source=speech_source,
        impacts_s=impacts_s,
        bus_stems=bus_stems,
        bed_stems=tuple(sorted(bed_stems)),
        settings=settings,
        n_passes=done.n_passes,
        warnings=done.warnings,
    )
