"""Frozen data types passed between the stages, with versioned JSON round trips.

Every document written to disk carries ``"schema": "sonics.<type>/<version>"``;
:func:`check_schema` refuses a document of another type or of a newer version.
Per-frame arrays are read-only ``float32`` numpy arrays.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

import numpy as np

from sonics.core.errors import MediaError, ParameterError
from sonics.core.timebase import frame_to_timecode, parse_frame_rate

__all__ = [
    "Analysis",
    "AudioRegion",
    "Cut",
    "CutKind",
    "Flash",
    "Hit",
    "Impact",
    "MotionEnvelope",
    "Picture",
    "Shot",
    "ShotIntensity",
    "check_schema",
]


def check_schema(data: dict[str, Any], name: str, version: int, source: str = "document") -> None:
    """Raise :class:`MediaError` unless ``data`` is a ``sonics.<name>`` document of a known version."""
    schema = data.get("schema") if isinstance(data, dict) else None
    if not isinstance(schema, str) or "/" not in schema:
        raise MediaError(f"{source}: not a sonics {name} document (no 'schema' field)")
    kind, _, ver = schema.partition("/")
    if kind != f"sonics.{name}":
        raise MediaError(f"{source}: expected a sonics.{name} document, got {kind}")
    if not ver.isdigit() or int(ver) > version:
        raise MediaError(f"{source}: {schema} is newer than this sonics reads (sonics.{name}/{version})")


def _frozen_array(values: Any) -> np.ndarray:
    array = np.array(values, dtype=np.float32, copy=True).reshape(-1)
    array.setflags(write=False)
    return array


def _rounded(values: np.ndarray, digits: int = 4) -> list[float]:
    return [round(float(v), digits) for v in values]


@dataclass(frozen=True, slots=True)
class Picture:
    """What the picture is: its source, exact frame rate, size and length.

    ``frame_rate`` is the nominal (average) rate; for variable-frame-rate files the
    analysis keeps each frame's own start time in ``Analysis.frame_times_s``.
    ``start_s`` is the presentation time of the first frame in the file: every time sonics
    gives is counted from it, and the file's own audio is aligned by it.
    """

    path: str
    frame_rate: Fraction
    n_frames: int
    width: int
    height: int
    duration_s: float
    has_audio: bool = False
    variable_frame_rate: bool = False
    start_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``fps`` as ``"num/den"``)."""
        return {
            "path": self.path,
            "fps": f"{self.frame_rate.numerator}/{self.frame_rate.denominator}",
            "n_frames": self.n_frames,
            "width": self.width,
            "height": self.height,
            "duration_s": self.duration_s,
            "has_audio": self.has_audio,
            "variable_frame_rate": self.variable_frame_rate,
            "start_s": self.start_s,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Picture:
        """Build from :meth:`to_dict` output."""
        return cls(
            path=data["path"],
            frame_rate=parse_frame_rate(data["fps"]),
            n_frames=int(data["n_frames"]),
            width=int(data["width"]),
            height=int(data["height"]),
            duration_s=float(data["duration_s"]),
            has_audio=bool(data.get("has_audio", False)),
            variable_frame_rate=bool(data.get("variable_frame_rate", False)),
            start_s=float(data.get("start_s", 0.0)),
        )


class CutKind(StrEnum):
    """How one shot becomes the next."""

    HARD = "hard"
    DISSOLVE = "dissolve"
    FADE_IN = "fade_in"
    FADE_OUT = "fade_out"


@dataclass(frozen=True, slots=True)
class Cut:
    """A shot boundary.

    ``frame`` is the first frame of the new shot (for a gradual transition, the frame
    where the incoming picture first outweighs the outgoing one). ``start_frame`` and
    ``end_frame`` bound the transition, inclusive: both equal ``frame`` for a hard cut;
    for a dissolve or fade they are the first and last frames that are blends.
    """

    frame: int
    time_s: float
    kind: CutKind = CutKind.HARD
    score: float = 1.0
    start_frame: int = -1
    end_frame: int = -1

    def __post_init__(self) -> None:
        if self.start_frame < 0:
            object.__setattr__(self, "start_frame", self.frame)
        if self.end_frame < 0:
            object.__setattr__(self, "end_frame", self.frame)
        object.__setattr__(self, "kind", CutKind(self.kind))
        if not self.start_frame <= self.frame <= self.end_frame + 1:
            raise ParameterError(
                f"cut frame {self.frame} must lie in its transition [{self.start_frame}, {self.end_frame}]"
            )

    @property
    def is_gradual(self) -> bool:
        """True for dissolves and fades."""
        return self.kind is not CutKind.HARD

    def to_dict(self, frame_rate: Fraction) -> dict[str, Any]:
        """Return the JSON form, with the SMPTE timecode of ``frame``."""
        return {
            "frame": self.frame,
            "time_s": self.time_s,
            "timecode": frame_to_timecode(self.frame, frame_rate),
            "kind": str(self.kind),
            "score": round(self.score, 4),
            "start_frame": self.start_frame,
            "end_frame": self.end_frame,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cut:
        """Build from :meth:`to_dict` output."""
        return cls(
            frame=int(data["frame"]),
            time_s=float(data["time_s"]),
            kind=CutKind(data.get("kind", "hard")),
            score=float(data.get("score", 1.0)),
            start_frame=int(data.get("start_frame", data["frame"])),
            end_frame=int(data.get("end_frame", data["frame"])),
        )


class ShotIntensity(StrEnum):
    """A shot's dramatic energy, from its motion and the cut rate around it."""

    CALM = "calm"
    TENSION = "tension"
    BATTLE = "battle"


@dataclass(frozen=True, slots=True)
class Shot:
    """A run of frames between two shot boundaries: ``[start_frame, end_frame)``."""

    index: int
    start_frame: int
    end_frame: int
    start_s: float
    end_s: float
    motion_mean: float
    cuts_per_min: float
    intensity: ShotIntensity

    def __post_init__(self) -> None:
        object.__setattr__(self, "intensity", ShotIntensity(self.intensity))

    @property
    def n_frames(self) -> int:
        """Number of frames in the shot."""
        return self.end_frame - self.start_frame

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        data = dataclasses.asdict(self)
        data["intensity"] = str(self.intensity)
        data["motion_mean"] = round(self.motion_mean, 4)
        data["cuts_per_min"] = round(self.cuts_per_min, 3)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Shot:
        """Build from :meth:`to_dict` output."""
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls)})


@dataclass(frozen=True, slots=True, eq=False)
class MotionEnvelope:
    """Per-frame motion, each array in 0..1 with one value per frame.

    ``camera`` is the whole-frame (camera) motion, ``subject`` the motion inside the
    frame once the camera motion is removed, ``values`` their combination, the envelope
    the later stages follow. Frames at and around cuts are bridged from their
    neighbours, so a cut does not read as motion.
    """

    values: np.ndarray
    camera: np.ndarray
    subject: np.ndarray

    def __post_init__(self) -> None:
        for name in ("values", "camera", "subject"):
            object.__setattr__(self, name, _frozen_array(getattr(self, name)))
        if not len(self.values) == len(self.camera) == len(self.subject):
            raise ParameterError("motion arrays must have one value per frame each")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (values rounded to 4 decimals)."""
        return {
            "values": _rounded(self.values),
            "camera": _rounded(self.camera),
            "subject": _rounded(self.subject),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MotionEnvelope:
        """Build from :meth:`to_dict` output."""
        return cls(data["values"], data.get("camera", data["values"]), data.get("subject", data["values"]))


@dataclass(frozen=True, slots=True)
class Impact:
    """A visual beat: motion stops or turns sharply at ``frame``; ``strength`` in 0..1."""

    frame: int
    time_s: float
    strength: float

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"frame": self.frame, "time_s": self.time_s, "strength": round(self.strength, 4)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Impact:
        """Build from :meth:`to_dict` output."""
        return cls(int(data["frame"]), float(data["time_s"]), float(data["strength"]))


@dataclass(frozen=True, slots=True)
class Flash:
    """A burst of light (muzzle flash, lightning, explosion) starting at ``frame``.

    ``n_frames`` is how long it lasts; ``strength`` in 0..1 is its brightness jump.
    """

    frame: int
    time_s: float
    n_frames: int
    strength: float

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "frame": self.frame,
            "time_s": self.time_s,
            "n_frames": self.n_frames,
            "strength": round(self.strength, 4),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Flash:
        """Build from :meth:`to_dict` output."""
        return cls(int(data["frame"]), float(data["time_s"]), int(data["n_frames"]), float(data["strength"]))


@dataclass(frozen=True, slots=True)
class AudioRegion:
    """A stretch of the cut's own audio with foreground sound.

    ``kind`` is ``"speech"`` or ``"sound"`` (other foreground sound); ``level_db`` its
    mean level in dBFS.
    """

    start_s: float
    end_s: float
    kind: str
    level_db: float

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "start_s": round(self.start_s, 6),
            "end_s": round(self.end_s, 6),
            "kind": self.kind,
            "level_db": round(self.level_db, 2),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AudioRegion:
        """Build from :meth:`to_dict` output."""
        return cls(float(data["start_s"]), float(data["end_s"]), str(data["kind"]), float(data["level_db"]))


@dataclass(frozen=True, slots=True)
class Hit:
    """A moment the sound should hit: ``time_s``, a ``weight`` in 0..1, and why (``source``)."""

    time_s: float
    weight: float
    source: str


@dataclass(frozen=True, slots=True, eq=False)
class Analysis:
    """Everything sonics knows about the picture.

    ``frame_times_s`` holds each frame's start time from its PTS, relative to the first
    frame (exact for variable frame rates). ``source`` says where the cuts came from:
    ``"video"`` (detected) or ``"timeline"`` (read from an edit decision list).
    """

    SCHEMA_NAME = "analysis"
    SCHEMA_VERSION = 1

    picture: Picture
    frame_times_s: np.ndarray
    cuts: tuple[Cut, ...]
    shots: tuple[Shot, ...]
    motion: MotionEnvelope | None
    impacts: tuple[Impact, ...] = ()
    flashes: tuple[Flash, ...] = ()
    audio_regions: tuple[AudioRegion, ...] = ()
    source: str = "video"
    warnings: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        times = np.array(self.frame_times_s, dtype=np.float64, copy=True).reshape(-1)
        times.setflags(write=False)
        object.__setattr__(self, "frame_times_s", times)

    def hits(self) -> tuple[Hit, ...]:
        """Return the moments a score or effects should hit, sorted by time.

        Hard cuts weigh 1.0, gradual transitions 0.5, impacts their strength, and
        flashes half their strength.
        """
        found = [Hit(c.time_s, 1.0 if not c.is_gradual else 0.5, f"cut:{c.frame}") for c in self.cuts]
        found += [Hit(i.time_s, i.strength, f"impact:{i.frame}") for i in self.impacts]
        found += [Hit(f.time_s, 0.5 * f.strength, f"flash:{f.frame}") for f in self.flashes]
        return tuple(sorted(found, key=lambda h: (h.time_s, h.source)))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document (``schema: sonics.analysis/1``)."""
        rate = self.picture.frame_rate
        data: dict[str, Any] = {
            "schema": f"sonics.{self.SCHEMA_NAME}/{self.SCHEMA_VERSION}",
            "source": self.source,
            "picture": self.picture.to_dict(),
            "cuts": [c.to_dict(rate) for c in self.cuts],
            "shots": [s.to_dict() for s in self.shots],
            "motion": self.motion.to_dict() if self.motion is not None else None,
            "impacts": [i.to_dict() for i in self.impacts],
            "flashes": [f.to_dict() for f in self.flashes],
            "audio": [r.to_dict() for r in self.audio_regions],
            "warnings": list(self.warnings),
        }
        if self.picture.variable_frame_rate:
            data["frame_times_s"] = [float(t) for t in self.frame_times_s]  # exact: PTS times round-trip
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "analysis.json") -> Analysis:
        """Build from :meth:`to_dict` output; raise :class:`MediaError` on a foreign document."""
        check_schema(data, cls.SCHEMA_NAME, cls.SCHEMA_VERSION, source)
        try:
            picture = Picture.from_dict(data["picture"])
            if "frame_times_s" in data:
                times = np.asarray(data["frame_times_s"], dtype=np.float64)
            else:
                times = np.arange(picture.n_frames, dtype=np.float64) / float(picture.frame_rate)
            return cls(
                picture=picture,
                frame_times_s=times,
                cuts=tuple(Cut.from_dict(c) for c in data["cuts"]),
                shots=tuple(Shot.from_dict(s) for s in data["shots"]),
                motion=MotionEnvelope.from_dict(data["motion"]) if data.get("motion") else None,
                impacts=tuple(Impact.from_dict(i) for i in data.get("impacts", ())),
                flashes=tuple(Flash.from_dict(f) for f in data.get("flashes", ())),
                audio_regions=tuple(AudioRegion.from_dict(r) for r in data.get("audio", ())),
                source=str(data.get("source", "video")),
                warnings=tuple(data.get("warnings", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MediaError(f"{source}: malformed analysis document ({exc})") from None
