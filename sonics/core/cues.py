"""Cues: what the sound should do, where, and why.

A :class:`Cue` is one decision of the spotting stage: a layer sounds at ``time_s``
(its sync point: the moment the sound's transient or peak must land on) with an
``intensity``. Beds (``kind == "bed"``) last ``duration_s`` and follow ``curve``, a
level envelope in 0..1 sampled at ``curve_rate_hz`` from ``time_s``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import check_schema
from sonics.core.timebase import parse_frame_rate

__all__ = ["DELIVERY_RATE_HZ", "Cue", "CueKind", "CueSheet", "seconds_to_samples"]

DELIVERY_RATE_HZ = 48_000
"""The sample rate of everything sonics renders and delivers."""


def seconds_to_samples(time_s: float, sample_rate: int = DELIVERY_RATE_HZ) -> int:
    """Return the sample index that starts at ``time_s`` (rounded to the nearest sample)."""
    return round(time_s * sample_rate)


class CueKind(StrEnum):
    """A one-shot sound on a moment, or a bed that lasts and follows a curve."""

    HIT = "hit"
    BED = "bed"


@dataclass(frozen=True, slots=True)
class Cue:
    """One sound decided by the spotting stage.

    Parameters
    ----------
    time_s : float
        The sync point in seconds from the first picture frame: where the sound's
        transient (hits) or loudness peak (whooshes) lands. For beds, the start.
    kind : CueKind
        ``"hit"`` or ``"bed"``.
    event : str
        The picture event that called for it (``"cut"``, ``"impact"``, ``"flash"``,
        ``"shot"``, ``"swell"``, ``"transition"``, ``"last_cut"``, ``"bed"``).
    layer : str
        The preset layer that sounds it (its stem is ``stems/sfx_<layer>.wav``).
    intensity : float
        How big the sound is, 0..1.
    duration_s : float
        How long the sound should last (for beds: until the end of the bed).
    why : str
        A sentence a sound editor reads in the cue sheet.
    curve : tuple of float
        Beds only: level envelope in 0..1, ``curve_rate_hz`` values per second.
    curve_rate_hz : float
        Rate of ``curve``; 0 when there is no curve.
    """

    time_s: float
    kind: CueKind
    event: str
    layer: str
    intensity: float
    duration_s: float
    why: str
    curve: tuple[float, ...] = ()
    curve_rate_hz: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", CueKind(self.kind))
        object.__setattr__(self, "curve", tuple(float(v) for v in self.curve))
        if not 0.0 <= self.intensity <= 1.0:
            raise ParameterError(f"cue intensity must be in [0, 1], got {self.intensity}")
        if self.duration_s < 0:
            raise ParameterError(f"cue duration_s must be >= 0, got {self.duration_s}")
        if self.curve and self.curve_rate_hz <= 0:
            raise ParameterError("a cue with a curve needs curve_rate_hz > 0")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        data: dict[str, Any] = {
            "time_s": round(self.time_s, 6),
            "kind": str(self.kind),
            "event": self.event,
            "layer": self.layer,
            "intensity": round(self.intensity, 4),
            "duration_s": round(self.duration_s, 6),
            "why": self.why,
        }
        if self.curve:
            data["curve"] = [round(v, 4) for v in self.curve]
            data["curve_rate_hz"] = self.curve_rate_hz
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cue:
        """Build from :meth:`to_dict` output."""
        return cls(
            time_s=float(data["time_s"]),
            kind=CueKind(data["kind"]),
            event=str(data["event"]),
            layer=str(data["layer"]),
            intensity=float(data["intensity"]),
            duration_s=float(data["duration_s"]),
            why=str(data.get("why", "")),
            curve=tuple(float(v) for v in data.get("curve", ())),
            curve_rate_hz=float(data.get("curve_rate_hz", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class CueSheet:
    """Every cue of one spotting pass over one picture.

    ``n_samples`` is the picture's length at ``sample_rate``: every stem rendered from
    this sheet has exactly that many samples. ``preset`` names the preset whose layers
    made the cues; ``layers`` lists those layers (including ones that got no cue), so a
    pass knows which stems it owns.
    """

    SCHEMA_NAME = "cues"
    SCHEMA_VERSION = 1

    duration_s: float
    n_samples: int
    frame_rate: Fraction
    preset: str
    layers: tuple[str, ...]
    cues: tuple[Cue, ...]
    sample_rate: int = DELIVERY_RATE_HZ

    def __post_init__(self) -> None:
        object.__setattr__(self, "cues", tuple(sorted(self.cues, key=lambda c: (c.time_s, c.layer))))
        object.__setattr__(self, "layers", tuple(self.layers))
        unknown = sorted({c.layer for c in self.cues} - set(self.layers))
        if unknown:
            raise ParameterError(f"cues name layers the sheet does not list: {', '.join(unknown)}")

    def for_layer(self, layer: str) -> tuple[Cue, ...]:
        """Return the cues of one layer, in time order."""
        return tuple(c for c in self.cues if c.layer == layer)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document (``schema: sonics.cues/1``)."""
        return {
            "schema": f"sonics.{self.SCHEMA_NAME}/{self.SCHEMA_VERSION}",
            "preset": self.preset,
            "fps": f"{self.frame_rate.numerator}/{self.frame_rate.denominator}",
            "duration_s": self.duration_s,
            "sample_rate": self.sample_rate,
            "n_samples": self.n_samples,
            "layers": list(self.layers),
            "cues": [c.to_dict() for c in self.cues],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "cues.json") -> CueSheet:
        """Build from :meth:`to_dict` output; raise :class:`MediaError` on a foreign document."""
        check_schema(data, cls.SCHEMA_NAME, cls.SCHEMA_VERSION, source)
        try:
            return cls(
                duration_s=float(data["duration_s"]),
                n_samples=int(data["n_samples"]),
                frame_rate=parse_frame_rate(data["fps"]),
                preset=str(data["preset"]),
                layers=tuple(str(x) for x in data["layers"]),
                cues=tuple(Cue.from_dict(c) for c in data["cues"]),
                sample_rate=int(data.get("sample_rate", DELIVERY_RATE_HZ)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MediaError(f"{source}: malformed cue sheet ({exc})") from None
