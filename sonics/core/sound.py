"""Rendered sounds and the two places they come from: generators and sample libraries.

A :class:`Sound` is audio with a known **sync point**: the sample that must land on
the cue's time (the transient onset of a hit, the loudness peak of a whoosh).
:class:`Generator` and :class:`SampleLibrary` are the protocols the SFX stage renders
through; the procedural generators live in ``sonics.sfx``, the sample library reader
in ``sonics.io``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from sonics.core.errors import ParameterError

__all__ = ["Generator", "SampleLibrary", "SampleRef", "Sound", "Stem"]


@dataclass(frozen=True, slots=True, eq=False)
class Sound:
    """Audio of shape ``(channels, samples)`` (float32) with its sync point.

    Parameters
    ----------
    audio : numpy.ndarray
        Shape ``(channels, n_samples)``, 1 or 2 channels, float32, peak below 1.
    sample_rate : int
        Samples per second.
    sync_sample : int
        Index of the sample that lands on the cue time, in ``[0, n_samples)``.
    """

    audio: np.ndarray
    sample_rate: int
    sync_sample: int

    def __post_init__(self) -> None:
        audio = np.asarray(self.audio, dtype=np.float32)
        if audio.ndim == 1:
            audio = audio[np.newaxis, :]
        if audio.ndim != 2 or audio.shape[0] not in (1, 2) or audio.shape[1] == 0:
            raise ParameterError(f"sound audio must have shape (1 or 2, n > 0), got {audio.shape}")
        if not 0 <= self.sync_sample < audio.shape[1]:
            last = audio.shape[1] - 1
            raise ParameterError(f"sync_sample {self.sync_sample} is outside the sound (0..{last})")
        object.__setattr__(self, "audio", audio)

    @property
    def n_samples(self) -> int:
        """Length in samples."""
        return int(self.audio.shape[1])

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.n_samples / self.sample_rate


@dataclass(frozen=True, slots=True, eq=False)
class Stem:
    """One rendered layer or part, exactly as long as the picture.

    Parameters
    ----------
    name : str
        File stem: ``"sfx_whoosh"``, ``"music_drums"``.
    role : str
        Which bus it feeds: ``"effects"``, ``"music"`` or ``"dialogue"``.
    audio : numpy.ndarray
        Shape ``(2, n_samples)``, float32.
    sample_rate : int
        Samples per second (48 000 for everything sonics delivers).
    """

    name: str
    role: str
    audio: np.ndarray
    sample_rate: int

    def __post_init__(self) -> None:
        audio = np.asarray(self.audio, dtype=np.float32)
        if audio.ndim != 2 or audio.shape[0] != 2:
            raise ParameterError(f"stem {self.name} must have shape (2, n), got {audio.shape}")
        object.__setattr__(self, "audio", audio)

    @property
    def n_samples(self) -> int:
        """Length in samples."""
        return int(self.audio.shape[1])


@runtime_checkable
class Generator(Protocol):
    """A procedural sound: a frozen dataclass of unit-named parameters that renders.

    ``name`` is the registry key presets use (``"whoosh"``, ``"hooves"``, ...).
    ``render`` must be a pure function of the parameters and ``rng``: the same
    parameters and the same generator state give the same samples. Beds (``kind =
    "bed"``) also take ``out=``: a float32 array of shape ``(>= channels, n_samples)``
    to render into, so a bed minutes long needs no array of its own.
    """

    name: ClassVar[str]

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation."""
        ...


@dataclass(frozen=True, slots=True)
class SampleRef:
    """One file of a sample library.

    ``key`` is the file's path relative to the library root (POSIX separators); it is
    what plans record. ``catid`` is its UCS CatID (``"WHSH"``, ``"WEAPSwrd"``), or
    ``""`` when the name carries none.
    """

    key: str
    catid: str
    fx_name: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"key": self.key, "catid": self.catid, "fx_name": self.fx_name}


@runtime_checkable
class SampleLibrary(Protocol):
    """A user's sound library, indexed by UCS CatID; loading is lazy."""

    root: str

    def find(self, catid: str) -> tuple[SampleRef, ...]:
        """Return the files of one CatID (exact, case-sensitive), sorted by key."""
        ...

    def get(self, key: str) -> SampleRef:
        """Return the file with this key; raise ``MediaError`` if it is not in the library."""
        ...

    def load(self, ref: SampleRef) -> tuple[np.ndarray, int]:
        """Decode a file: ``(audio (channels, samples) float32, sample_rate)``."""
        ...
