"""The score in beats: notes, parts, sections and markers, laid on a tempo map.

Music is written in beats (see :mod:`sonics.core.tempo`): a :class:`Note` starts on a beat
and lasts some beats; the :class:`~sonics.core.tempo.TempoMap` of the :class:`Score` is the
only converter to seconds, samples and MIDI ticks. A :class:`Part` is one instrument: one
MIDI track, one synthesised stem (``stems/music_<name>.wav``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from itertools import pairwise
from types import MappingProxyType
from typing import Any

import numpy as np

from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import check_schema
from sonics.core.tempo import TempoMap

__all__ = [
    "DRUM_CHANNEL",
    "DRUM_INSTRUMENTS",
    "INSTRUMENTS",
    "DrumKey",
    "Marker",
    "Note",
    "Part",
    "Score",
    "Section",
]

DRUM_CHANNEL = 9
"""The General MIDI percussion channel (0-based; "channel 10" to musicians)."""

INSTRUMENTS: Mapping[str, int] = MappingProxyType(
    {
        "taiko": 0,
        "cymbals": 0,
        "low_strings": 48,
        "high_strings": 44,
        "brass": 61,
        "pad": 49,
        "choir": 52,
        "koto": 107,
        "pipa": 106,
        "dizi": 75,
    }
)
"""The instruments a score is written for, each with its General MIDI stand-in (0-based program).

A part's name is its instrument's name; the built-in synthesiser renders each by that name.
The stand-ins are what a DAW or a SoundFont plays: String Ensemble 1 (spiccato low
strings), Tremolo Strings, Brass Section, String Ensemble 2 (the sustained pad), Choir Aahs,
Koto (guzheng), Shamisen (pipa), Pan Flute (dizi). The two drum parts (:data:`DRUM_INSTRUMENTS`)
sit on the drum channel, where a program selects a kit: 0 is the Standard kit, whose keys
:class:`DrumKey` names.
"""

DRUM_INSTRUMENTS = frozenset({"taiko", "cymbals"})
"""Instruments played on :data:`DRUM_CHANNEL`, their notes keyed by :class:`DrumKey`."""


class DrumKey(IntEnum):
    """The General MIDI percussion keys the drum parts use, and what each one plays.

    ``taiko`` plays the drums (a taiko / Chinese war-drum ensemble); ``cymbals`` plays the
    cymbals, with :attr:`SWELL` as a suspended-cymbal roll (many soft-to-loud notes) for risers.
    A drum note's duration is how long it rings before it is damped.
    """

    TAIKO_BIG = 35
    """Acoustic Bass Drum: the biggest, lowest drum (o-daiko), for downbeats and big hits."""
    TAIKO_LOW = 36
    """Bass Drum 1: the main low drum."""
    RIM = 38
    """Acoustic Snare: a stick on the rim or shell (kizami), the click of the ensemble."""
    SHIME = 40
    """Electric Snare: the small, tight, high drum (shime-daiko) for fast ghost notes."""
    MID_LOW = 41
    """Low Floor Tom: the lower of the middle drums (chu-daiko)."""
    MID = 43
    """High Floor Tom: the middle drum."""
    MID_HIGH = 45
    """Low Tom: the higher of the middle drums."""
    CRASH = 49
    """Crash Cymbal 1."""
    RIDE = 51
    """Ride Cymbal 1."""
    CHINA = 52
    """Chinese Cymbal: the trashy crash for the biggest hits."""
    SPLASH = 55
    """Splash Cymbal: a short bright accent."""
    CRASH_2 = 57
    """Crash Cymbal 2: alternates with :attr:`CRASH` on successive hits."""
    SWELL = 59
    """Ride Cymbal 2, played as a roll: the suspended-cymbal swell."""


@dataclass(frozen=True, slots=True)
class Note:
    """One note: where it starts and how long it lasts in beats, its key and its velocity.

    Parameters
    ----------
    start_beat : float
        Onset, in beats of the score's tempo map (beat 0 is the downbeat of bar 1).
    duration_beats : float
        Length in beats, > 0.
    pitch : int
        MIDI key 0..127 (60 is middle C); on a drum part, the General MIDI percussion key.
    velocity : int
        MIDI velocity 1..127.
    """

    start_beat: float
    duration_beats: float
    pitch: int
    velocity: int = 96

    def __post_init__(self) -> None:
        if not math.isfinite(self.start_beat):
            raise ParameterError(f"note start_beat must be finite, got {self.start_beat}")
        if not (math.isfinite(self.duration_beats) and self.duration_beats > 0):
            raise ParameterError(f"note duration_beats must be > 0, got {self.duration_beats}")
        if not isinstance(self.pitch, int) or not 0 <= self.pitch <= 127:
            raise ParameterError(f"note pitch must be an integer in 0..127, got {self.pitch!r}")
        if not isinstance(self.velocity, int) or not 1 <= self.velocity <= 127:
            raise ParameterError(f"note velocity must be an integer in 1..127, got {self.velocity!r}")

    @property
    def end_beat(self) -> float:
        """Where the note ends, in beats."""
        return self.start_beat + self.duration_beats

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "start_beat": self.start_beat,
            "duration_beats": self.duration_beats,
            "pitch": self.pitch,
            "velocity": self.velocity,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Note:
        """Build from :meth:`to_dict` output."""
        return cls(
            float(data["start_beat"]),
            float(data["duration_beats"]),
            int(data["pitch"]),
            int(data["velocity"]),
        )


@dataclass(frozen=True, slots=True)
class Part:
    """One instrument of the score: a MIDI track and a stem.

    Parameters
    ----------
    name : str
        Track name and stem name (``stems/music_<name>.wav``), ``^[a-z][a-z0-9_]*$``.
    instrument : str
        The built-in synthesiser's instrument that renders it (``"taiko"``, ``"low_strings"``...).
    program : int
        General MIDI program 0..127 (0-based) written to the track, the stand-in a DAW or
        SoundFont plays.
    channel : int
        MIDI channel 0..15; :data:`DRUM_CHANNEL` for percussion.
    notes : tuple of Note
        Sorted by start beat, then pitch.
    expression : tuple of (float, float)
        Breakpoints ``(beat, level 0..1)`` of the part's dynamics, linear in between (MIDI
        CC 11); empty for a constant full level.
    gain_db : float
        Level of the part's stem in the music premix, dB <= 0.
    pan : float
        Stereo position, -1 (left) .. 1 (right).
    """

    name: str
    instrument: str
    program: int
    channel: int
    notes: tuple[Note, ...] = ()
    expression: tuple[tuple[float, float], ...] = ()
    gain_db: float = 0.0
    pan: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or not self.name[0].isalpha():
            raise ParameterError(f"part name must start with a letter, got {self.name!r}")
        if not isinstance(self.program, int) or not 0 <= self.program <= 127:
            raise ParameterError(f"part {self.name}: program must be in 0..127, got {self.program!r}")
        if not isinstance(self.channel, int) or not 0 <= self.channel <= 15:
            raise ParameterError(f"part {self.name}: channel must be in 0..15, got {self.channel!r}")
        if not -1.0 <= self.pan <= 1.0 or not self.gain_db <= 0.0:
            raise ParameterError(f"part {self.name}: need -1 <= pan <= 1 and gain_db <= 0")
        notes = tuple(sorted(self.notes, key=lambda n: (n.start_beat, n.pitch)))
        object.__setattr__(self, "notes", notes)
        points = tuple((float(b), float(v)) for b, v in self.expression)
        if any(not 0.0 <= v <= 1.0 for _, v in points) or any(
            b1 < b0 for (b0, _), (b1, _) in pairwise(points)
        ):
            raise ParameterError(f"part {self.name}: expression needs levels in 0..1 at non-decreasing beats")
        object.__setattr__(self, "expression", points)

    @property
    def is_drums(self) -> bool:
        """True for a percussion part (on the General MIDI drum channel)."""
        return self.channel == DRUM_CHANNEL

    def expression_at(self, beats: Any) -> Any:
        """Return the dynamics level 0..1 at each beat (1 where the part has no expression)."""
        b = np.asarray(beats, dtype=np.float64)
        if not self.expression:
            level = np.ones_like(b)
        else:
            xs, ys = zip(*self.expression, strict=True)
            level = np.interp(b, xs, ys)
        return float(level) if level.ndim == 0 else level

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "name": self.name,
            "instrument": self.instrument,
            "program": self.program,
            "channel": self.channel,
            "gain_db": self.gain_db,
            "pan": self.pan,
            "expression": [list(p) for p in self.expression],
            "notes": [n.to_dict() for n in self.notes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Part:
        """Build from :meth:`to_dict` output."""
        return cls(
            name=str(data["name"]),
            instrument=str(data["instrument"]),
            program=int(data["program"]),
            channel=int(data["channel"]),
            notes=tuple(Note.from_dict(n) for n in data.get("notes", [])),
            expression=tuple((float(b), float(v)) for b, v in data.get("expression", [])),
            gain_db=float(data.get("gain_db", 0.0)),
            pan=float(data.get("pan", 0.0)),
        )


@dataclass(frozen=True, slots=True)
class Section:
    """A stretch of the arrangement (``"drone"``, ``"ostinato"``, ``"battle"``, ``"silence"``...).

    ``start_beat`` and ``end_beat`` bound it; ``intensity`` (0..1) is how full it is.
    """

    name: str
    start_beat: float
    end_beat: float
    intensity: float

    def __post_init__(self) -> None:
        if not self.end_beat > self.start_beat or not 0.0 <= self.intensity <= 1.0:
            raise ParameterError(
                f"section {self.name}: need end_beat > start_beat and intensity in 0..1, got "
                f"{self.start_beat}..{self.end_beat}, {self.intensity}"
            )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "name": self.name,
            "start_beat": self.start_beat,
            "end_beat": self.end_beat,
            "intensity": self.intensity,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        """Build from :meth:`to_dict` output."""
        return cls(
            str(data["name"]), float(data["start_beat"]), float(data["end_beat"]), float(data["intensity"])
        )


@dataclass(frozen=True, slots=True)
class Marker:
    """A named moment of the score in absolute time (a hit, a section start), written as a MIDI marker."""

    time_s: float
    text: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"time_s": self.time_s, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Marker:
        """Build from :meth:`to_dict` output."""
        return cls(float(data["time_s"]), str(data["text"]))


@dataclass(frozen=True, slots=True, eq=False)
class Score:
    """A whole cue: parts in beats on a tempo map, ending with the picture.

    Parameters
    ----------
    tempo_map : TempoMap
        Beats to seconds (and the hits placed on it).
    parts : tuple of Part
        The instruments, with unique names.
    duration_s : float
        The picture's length; the music ends here.
    key : str
        Tonic (``"D"``, ``"F#"``).
    mode : str
        Scale (``"minor"``, ``"yu"``...).
    sections : tuple of Section
        The arrangement's sections in order.
    markers : tuple of Marker
        Named moments (hits, section starts) in time order.
    seed : int
        The seed the arrangement's variation was drawn from.
    """

    SCHEMA_NAME = "score"
    SCHEMA_VERSION = 1

    tempo_map: TempoMap
    parts: tuple[Part, ...]
    duration_s: float
    key: str = "D"
    mode: str = "minor"
    sections: tuple[Section, ...] = ()
    markers: tuple[Marker, ...] = ()
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", tuple(self.parts))
        object.__setattr__(self, "sections", tuple(self.sections))
        object.__setattr__(self, "markers", tuple(sorted(self.markers, key=lambda m: (m.time_s, m.text))))
        names = [p.name for p in self.parts]
        if len(set(names)) != len(names):
            raise ParameterError(f"score part names must be unique, got {names}")
        if not (np.isfinite(self.duration_s) and self.duration_s > 0):
            raise ParameterError(f"score duration_s must be > 0, got {self.duration_s}")

    def part(self, name: str) -> Part:
        """Return the part called ``name``; raise :class:`ParameterError` if there is none."""
        for part in self.parts:
            if part.name == name:
                return part
        raise ParameterError(
            f"no part named {name!r}; parts: {', '.join(p.name for p in self.parts) or 'none'}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document (``schema: sonics.score/1``)."""
        return {
            "schema": f"sonics.{self.SCHEMA_NAME}/{self.SCHEMA_VERSION}",
            "duration_s": self.duration_s,
            "key": self.key,
            "mode": self.mode,
            "seed": self.seed,
            "tempo": self.tempo_map.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
            "markers": [m.to_dict() for m in self.markers],
            "parts": [p.to_dict() for p in self.parts],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "score.json") -> Score:
        """Build from :meth:`to_dict` output; raise :class:`MediaError` on a foreign document."""
        check_schema(data, cls.SCHEMA_NAME, cls.SCHEMA_VERSION, source)
        try:
            return cls(
                tempo_map=TempoMap.from_dict(data["tempo"], source),
                parts=tuple(Part.from_dict(p) for p in data["parts"]),
                duration_s=float(data["duration_s"]),
                key=str(data.get("key", "D")),
                mode=str(data.get("mode", "minor")),
                sections=tuple(Section.from_dict(s) for s in data.get("sections", [])),
                markers=tuple(Marker.from_dict(m) for m in data.get("markers", [])),
                seed=int(data.get("seed", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MediaError(f"{source}: not a valid sonics score ({exc!s})") from None
