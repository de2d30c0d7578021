"""The SFX plan: every sound of a pass, with every random draw recorded.

A plan is what the SFX stage decided before rendering a sample: for each cue, which
generator (with all its parameters and its seed) or which library file (with its
pitch), at which gain and pan, and on which sample its sync point lands. Rendering a
plan needs nothing else, so the same plan always gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sonics.core.cues import DELIVERY_RATE_HZ
from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import check_schema

__all__ = ["PlannedSound", "SfxPlan", "SoundSource"]


class SoundSource(StrEnum):
    """Where a planned sound comes from."""

    GENERATOR = "generator"
    SAMPLE = "sample"


@dataclass(frozen=True, slots=True)
class PlannedSound:
    """One sound of the plan.

    Parameters
    ----------
    layer : str
        The layer (stem) it sounds on.
    sync_at_sample : int
        Sample of the stem where the sound's sync point lands.
    source : str
        ``"generator"`` or ``"sample"``.
    name : str
        The generator's registry name, or the sample's library key.
    seed : int
        Generator: the seed of its variation. Sample: 0.
    params : dict
        Generator: every field of the generator (JSON values). Sample bed: its
        ``duration_s`` and level ``curve``. Sample hit: empty.
    sync : str
        Sample: how its sync point is found: ``"onset"`` (transient), ``"peak"``
        (loudness peak) or ``"start"`` (beds: the file start). Generator: ``""``.
    pitch_semitones : float
        Sample: varispeed transposition. Generator: 0.
    gain_db : float
        Gain applied to the rendered sound (layer gain, intensity and jitter together).
    pan : float
        -1 (left) .. 1 (right), equal-power; a stereo sound is balanced instead.
    cue : int
        Index of the cue in the cue sheet that called for it.
    """

    layer: str
    sync_at_sample: int
    source: SoundSource
    name: str
    params: dict[str, Any]
    seed: int
    sync: str
    pitch_semitones: float
    gain_db: float
    pan: float
    cue: int

    def __post_init__(self) -> None:
        if self.source not in tuple(SoundSource):
            raise ParameterError(f"planned sound source must be 'generator' or 'sample', got {self.source!r}")
        object.__setattr__(self, "source", SoundSource(self.source))
        if not -1.0 <= self.pan <= 1.0:
            raise ParameterError(f"pan must be in [-1, 1], got {self.pan}")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "layer": self.layer,
            "sync_at_sample": self.sync_at_sample,
            "source": str(self.source),
            "name": self.name,
            "params": self.params,
            "seed": self.seed,
            "sync": self.sync,
            "pitch_semitones": self.pitch_semitones,
            "gain_db": self.gain_db,
            "pan": self.pan,
            "cue": self.cue,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlannedSound:
        """Build from :meth:`to_dict` output."""
        return cls(
            layer=str(data["layer"]),
            sync_at_sample=int(data["sync_at_sample"]),
            source=str(data["source"]),
            name=str(data["name"]),
            params=dict(data.get("params", {})),
            seed=int(data.get("seed", 0)),
            sync=str(data.get("sync", "")),
            pitch_semitones=float(data.get("pitch_semitones", 0.0)),
            gain_db=float(data["gain_db"]),
            pan=float(data.get("pan", 0.0)),
            cue=int(data.get("cue", -1)),
        )


@dataclass(frozen=True, slots=True)
class SfxPlan:
    """Every sound of one SFX pass, ready to render.

    ``layers`` are the stems the pass owns (in preset order, including silent ones);
    ``library`` is the sample folder the plan's sample keys are relative to (``""``
    when it uses none); every stem has ``n_samples`` samples at ``sample_rate``.
    """

    SCHEMA_NAME = "sfxplan"
    SCHEMA_VERSION = 1

    preset: str
    seed: int
    n_samples: int
    layers: tuple[str, ...]
    sounds: tuple[PlannedSound, ...]
    library: str = ""
    sample_rate: int = DELIVERY_RATE_HZ

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "sounds", tuple(self.sounds))
        unknown = sorted({s.layer for s in self.sounds} - set(self.layers))
        if unknown:
            raise ParameterError(f"planned sounds name layers the plan does not own: {', '.join(unknown)}")

    def for_layer(self, layer: str) -> tuple[PlannedSound, ...]:
        """Return the sounds of one layer, in plan order."""
        return tuple(s for s in self.sounds if s.layer == layer)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document (``schema: sonics.sfxplan/1``)."""
        return {
            "schema": f"sonics.{self.SCHEMA_NAME}/{self.SCHEMA_VERSION}",
            "preset": self.preset,
            "seed": self.seed,
            "sample_rate": self.sample_rate,
            "n_samples": self.n_samples,
            "library": self.library,
            "layers": list(self.layers),
            "sounds": [s.to_dict() for s in self.sounds],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "sfx_plan.json") -> SfxPlan:
        """Build from :meth:`to_dict` output; raise :class:`MediaError` on a foreign document."""
        check_schema(data, cls.SCHEMA_NAME, cls.SCHEMA_VERSION, source)
        try:
            return cls(
                preset=str(data["preset"]),
                seed=int(data["seed"]),
                n_samples=int(data["n_samples"]),
                layers=tuple(str(x) for x in data["layers"]),
                sounds=tuple(PlannedSound.from_dict(s) for s in data["sounds"]),
                library=str(data.get("library", "")),
                sample_rate=int(data.get("sample_rate", DELIVERY_RATE_HZ)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MediaError(f"{source}: malformed sfx plan ({exc})") from None
