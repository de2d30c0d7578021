"""What a delivery holds: the picture, the stem files beside it, the markers and the start timecode.

The project writers (:mod:`sonics.export.otio`, :mod:`sonics.export.fcpxml`,
:mod:`sonics.export.rpp`, :mod:`sonics.export.markers`) all read one :class:`Delivery`, so
every file an editor or a DAW opens shows the same tracks at the same times. Stem paths are
relative to the output folder (``stems/sfx_whoosh.wav``), so the folder can be moved whole.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from pathlib import Path, PurePosixPath

import numpy as np

from sonics.core.cues import DELIVERY_RATE_HZ, CueKind, CueSheet
from sonics.core.errors import ParameterError
from sonics.core.model import Analysis, Picture
from sonics.core.sound import Stem
from sonics.core.tempo import TempoMap
from sonics.core.timebase import frame_to_timecode, is_drop_frame_rate, seconds_to_frames, timecode_to_frame

__all__ = [
    "STEM_ROLES",
    "Delivery",
    "DeliveryMarker",
    "MarkerKind",
    "StemFile",
    "delivery_markers",
    "start_seconds",
    "time_reference_samples",
    "uses_drop_frame",
]

STEM_ROLES = ("dialogue", "music", "effects")
"""The buses a stem feeds, in the order DAW projects list them; other roles (``"mix"``) are references."""

_NOT_MEDIA_SUFFIXES = {".otio", ".otioz", ".otiod", ".xml", ".fcpxml", ".edl", ".json"}


def uses_drop_frame(timecode: str) -> bool:
    """Return True when a timecode counts drop-frame: ``;`` (or ``.``) before the frames."""
    return ";" in timecode or "." in timecode


def start_seconds(start_timecode: str, frame_rate: Fraction) -> Fraction:
    """Return the exact time of day, in seconds, of a start timecode at a frame rate.

    ``;`` before the frames marks drop-frame counting (29.97 and 59.94), as in
    :func:`sonics.core.timebase.timecode_to_frame`; the frame count is then converted at the
    real rate, so ``01:00:00:00`` at 24000/1001 is 3603.6 s and ``01:00:00;00`` at
    30000/1001 is 3599.9964 s.

    Examples
    --------
    >>> float(start_seconds("01:00:00:00", Fraction(24000, 1001)))
    3603.6
    """
    return Fraction(timecode_to_frame(start_timecode, frame_rate)) / frame_rate


def time_reference_samples(
    start_timecode: str, frame_rate: Fraction, sample_rate: int = DELIVERY_RATE_HZ, offset_samples: int = 0
) -> int:
    """Return a BWF ``TimeReference``: samples since midnight of a sound starting at a timecode.

    Parameters
    ----------
    start_timecode : str
        The picture's first frame, ``HH:MM:SS:FF`` (``;`` for drop-frame).
    frame_rate : Fraction
        The picture's exact frame rate.
    sample_rate : int
        Samples per second of the sound.
    offset_samples : int >= 0
        Where the sound starts after the picture's first frame.

    Returns
    -------
    int
        The time of day of the sound's first sample, rounded to the nearest sample.

    Examples
    --------
    >>> time_reference_samples("01:00:00:00", Fraction(24))
    172800000
    >>> time_reference_samples("01:00:00;00", Fraction(30000, 1001))
    172799827
    """
    if offset_samples < 0:
        raise ParameterError(f"offset_samples must be >= 0, got {offset_samples}")
    exact = start_seconds(start_timecode, frame_rate) * sample_rate
    return math.floor(exact + Fraction(1, 2)) + offset_samples


@dataclass(frozen=True, slots=True)
class StemFile:
    """One audio file of the delivery, as the project files reference it.

    Parameters
    ----------
    name : str
        Track name (``"sfx_whoosh"``, ``"music_drums"``).
    role : str
        The bus it feeds: one of :data:`STEM_ROLES`, or another word (``"mix"``) for a
        reference track that DAW projects keep muted.
    path : str
        POSIX path relative to the output folder (``"stems/sfx_whoosh.wav"``).
    n_samples : int
        Length in samples; every stem is exactly the picture's length.
    sample_rate : int
        Samples per second.
    channels : int
        1 or 2.
    """

    name: str
    role: str
    path: str
    n_samples: int
    sample_rate: int = DELIVERY_RATE_HZ
    channels: int = 2

    def __post_init__(self) -> None:
        if not self.name or any(c in self.name for c in '\r\n"'):
            raise ParameterError(f"stem name must be one line without quotes, got {self.name!r}")
        path = PurePosixPath(self.path)
        if path.is_absolute() or ".." in path.parts or not path.name:
            raise ParameterError(f"stem path must be relative to the output folder, got {self.path!r}")
        if self.n_samples <= 0 or self.sample_rate <= 0:
            raise ParameterError(
                f"stem {self.name}: n_samples and sample_rate must be > 0, "
                f"got {self.n_samples} and {self.sample_rate}"
            )
        if self.channels not in (1, 2):
            raise ParameterError(f"stem {self.name}: channels must be 1 or 2, got {self.channels}")

    @classmethod
    def of(cls, stem: Stem, folder: str = "stems") -> StemFile:
        """Describe a rendered stem written as ``<folder>/<name>.wav``."""
        return cls(stem.name, stem.role, f"{folder}/{stem.name}.wav", stem.n_samples, stem.sample_rate, 2)

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.n_samples / self.sample_rate


class MarkerKind(StrEnum):
    """What a marker marks, strongest first: a merged marker takes the first kind it holds."""

    CUT = "cut"
    SYNC = "sync"
    IMPACT = "impact"
    FLASH = "flash"
    CUE = "cue"

    @property
    def colour(self) -> str:
        """The marker colour by name, as OpenTimelineIO and Resolve spell it (``"RED"``)."""
        return _COLOURS[self][0]

    @property
    def rgb(self) -> tuple[int, int, int]:
        """The marker colour as 8-bit red, green, blue."""
        return _COLOURS[self][1]


_PRIORITY = {kind: i for i, kind in enumerate(MarkerKind)}
_COLOURS = {
    MarkerKind.CUT: ("RED", (220, 40, 40)),
    MarkerKind.SYNC: ("GREEN", (40, 190, 80)),
    MarkerKind.IMPACT: ("ORANGE", (240, 140, 20)),
    MarkerKind.FLASH: ("YELLOW", (235, 215, 30)),
    MarkerKind.CUE: ("CYAN", (40, 190, 220)),
}


@dataclass(frozen=True, slots=True)
class DeliveryMarker:
    """A named moment on a picture frame.

    ``frame`` is 0-based from the picture's first frame; ``time_s`` is the frame's start
    (from its PTS for a variable-frame-rate picture). ``comment`` says what is there.
    """

    frame: int
    time_s: float
    name: str
    kind: MarkerKind
    comment: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", MarkerKind(self.kind))
        if self.frame < 0:
            raise ParameterError(f"marker frame must be >= 0, got {self.frame}")


@dataclass(frozen=True, slots=True)
class Delivery:
    """Everything the project files of one run describe.

    Parameters
    ----------
    picture : Picture
        The picture the sound is cut to.
    stems : tuple of StemFile
        The audio files, in the order their tracks appear.
    markers : tuple of DeliveryMarker
        Sorted by frame (see :func:`delivery_markers`).
    start_timecode : str
        Timecode of the picture's first frame (``"01:00:00:00"``; ``;`` for drop-frame).
    tempo_map : TempoMap, optional
        The score's tempo map, for DAW projects.
    video_path : str, optional
        The video file the projects show; by default ``picture.path`` when it is a media
        file (not a timeline or an ``analysis.json``).
    name : str
        Timeline and project name; by default the picture's file stem.

    Raises
    ------
    ParameterError
        If the start timecode is malformed, two stems share a name or a path, or a stem is
        not at the delivery sample rate.
    """

    picture: Picture
    stems: tuple[StemFile, ...]
    markers: tuple[DeliveryMarker, ...] = ()
    start_timecode: str = "00:00:00:00"
    tempo_map: TempoMap | None = None
    video_path: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "stems", tuple(self.stems))
        object.__setattr__(self, "markers", tuple(sorted(self.markers, key=lambda m: (m.frame, m.name))))
        timecode_to_frame(self.start_timecode, self.picture.frame_rate)  # refuse a malformed one now
        if self.drop_frame and not is_drop_frame_rate(self.picture.frame_rate):
            raise ParameterError(
                f"start timecode {self.start_timecode} counts drop-frame, which only 29.97 and 59.94 "
                f"fps use; the picture runs at {self.picture.frame_rate} fps (write it with ':')"
            )
        if self.picture.n_frames <= 0:
            raise ParameterError(f"{self.picture.path}: the picture has no frames")
        for attr in ("name", "path"):
            values = [getattr(s, attr) for s in self.stems]
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                raise ParameterError(f"stem {attr}s must be unique, got {', '.join(twice)} twice")
        rates = sorted({s.sample_rate for s in self.stems})
        if len(rates) > 1:
            raise ParameterError(f"stems must share one sample rate, got {rates}")
        if self.video_path is None and Path(self.picture.path).suffix.lower() not in _NOT_MEDIA_SUFFIXES:
            object.__setattr__(self, "video_path", self.picture.path)
        if not self.name:
            object.__setattr__(self, "name", Path(self.picture.path).stem or "sonics")

    @property
    def frame_rate(self) -> Fraction:
        """The picture's exact frame rate."""
        return self.picture.frame_rate

    @property
    def n_frames(self) -> int:
        """The picture's length in frames."""
        return self.picture.n_frames

    @property
    def duration_s(self) -> float:
        """The picture's length in seconds: its frames at its rate."""
        return float(Fraction(self.n_frames) / self.frame_rate)

    @property
    def drop_frame(self) -> bool:
        """True when the start timecode, and so every timecode written, counts drop-frame."""
        return uses_drop_frame(self.start_timecode)

    @property
    def start_frame(self) -> int:
        """Frames since midnight of the picture's first frame."""
        return timecode_to_frame(self.start_timecode, self.frame_rate)

    @property
    def start_s(self) -> float:
        """Seconds since midnight of the picture's first frame."""
        return float(start_seconds(self.start_timecode, self.frame_rate))

    @property
    def sample_rate(self) -> int:
        """The stems' sample rate (48 000 when there are none)."""
        return self.stems[0].sample_rate if self.stems else DELIVERY_RATE_HZ

    def stem_groups(self) -> tuple[tuple[str, tuple[StemFile, ...]], ...]:
        """Return the stems by role: dialogue, music, effects, then other roles, each in the given order."""
        roles = [*STEM_ROLES, *dict.fromkeys(s.role for s in self.stems if s.role not in STEM_ROLES)]
        groups = ((role, tuple(s for s in self.stems if s.role == role)) for role in roles)
        return tuple((role, stems) for role, stems in groups if stems)

    def timecode(self, frame: int) -> str:
        """Return the record timecode of a picture frame (its timecode on the timeline)."""
        return frame_to_timecode(self.start_frame + frame, self.frame_rate, self.drop_frame)


def _frame_finder(analysis: Analysis | None, frame_rate: Fraction, n_frames: int):
    times = analysis.frame_times_s if analysis is not None else None

    def frame_of(time_s: float) -> int:
        if times is not None and len(times):
            # Nearest frame start by PTS: exact for variable frame rates too.
            i = int(np.searchsorted(times, time_s))
            if i > 0 and (i == len(times) or time_s - times[i - 1] <= times[i] - time_s):
                i -= 1
            return min(i, n_frames - 1)
        return min(max(seconds_to_frames(time_s, frame_rate), 0), n_frames - 1)

    return frame_of


def delivery_markers(
    analysis: Analysis | None = None,
    *,
    cues: CueSheet | None = None,
    tempo_map: TempoMap | None = None,
    picture: Picture | None = None,
) -> tuple[DeliveryMarker, ...]:
    """Return one marker per picture frame where something happens, strongest kind first.

    Cuts, impacts and flashes come from ``analysis``; the hits the music lands on exactly
    (``sync``) from ``tempo_map``; the hit cues (one-shot sounds, by layer) from ``cues``.
    Everything on one frame is merged into one marker whose name lists it all
    (``"cut 2 · sync · whoosh, clang"``), so a timeline shows one flag per moment.

    Parameters
    ----------
    analysis : Analysis, optional
        The picture's analysis: cuts, impacts, flashes and the frame times.
    cues : CueSheet, optional
        The spotting pass; bed cues are left out (they last, they do not hit).
    tempo_map : TempoMap, optional
        The score's tempo map with its hits placed.
    picture : Picture, optional
        The picture, when no analysis is given.

    Returns
    -------
    tuple of DeliveryMarker
        Sorted by frame.

    Raises
    ------
    ParameterError
        If neither ``analysis`` nor ``picture`` says what the picture is.

    Examples
    --------
    >>> markers = delivery_markers(analysis, cues=sheet, tempo_map=tempo)  # doctest: +SKIP
    >>> markers[0].name  # doctest: +SKIP
    'cut 1 · sync · whoosh'
    """
    picture = analysis.picture if analysis is not None else picture
    if picture is None:
        raise ParameterError("delivery_markers needs an analysis or a picture")
    rate, n_frames = picture.frame_rate, picture.n_frames
    frame_of = _frame_finder(analysis, rate, n_frames)
    found: dict[int, list[tuple[MarkerKind, str, str]]] = {}

    def add(frame: int, kind: MarkerKind, label: str, comment: str) -> None:
        if 0 <= frame < n_frames:
            found.setdefault(frame, []).append((kind, label, comment))

    if analysis is not None:
        for i, cut in enumerate(analysis.cuts, start=1):
            add(cut.frame, MarkerKind.CUT, f"cut {i}", f"{cut.kind} cut, score {cut.score:.2f}")
        for impact in analysis.impacts:
            add(impact.frame, MarkerKind.IMPACT, "impact", f"impact, strength {impact.strength:.2f}")
        for flash in analysis.flashes:
            add(flash.frame, MarkerKind.FLASH, "flash", f"flash of {flash.n_frames} frames")
    if tempo_map is not None:
        for hit in tempo_map.hits:
            if hit.sync:
                bar, within = tempo_map.bar_and_beat(hit.beat)
                where = f"music sync at bar {bar} beat {within + 1:.2f} ({hit.source})"
                add(frame_of(hit.time_s), MarkerKind.SYNC, "sync", where)
    if cues is not None:
        for cue in cues.cues:
            if cue.kind is CueKind.HIT:
                add(frame_of(cue.time_s), MarkerKind.CUE, cue.layer, f"{cue.layer}: {cue.why}")
    return tuple(_merged(frame, items, analysis, rate) for frame, items in sorted(found.items()))


def _merged(
    frame: int, items: Iterable[tuple[MarkerKind, str, str]], analysis: Analysis | None, rate: Fraction
) -> DeliveryMarker:
    ordered = sorted(items, key=lambda item: _PRIORITY[item[0]])
    labels = list(dict.fromkeys(label for kind, label, _ in ordered if kind is not MarkerKind.CUE))
    layers = list(dict.fromkeys(label for kind, label, _ in ordered if kind is MarkerKind.CUE))
    if layers:
        labels.append(", ".join(layers))
    comment = "; ".join(dict.fromkeys(c for _, _, c in ordered))
    if analysis is not None and len(analysis.frame_times_s) > frame:
        time_s = float(analysis.frame_times_s[frame])
    else:
        time_s = float(Fraction(frame) / rate)
    return DeliveryMarker(frame, time_s, " · ".join(labels), ordered[0][0], comment)
