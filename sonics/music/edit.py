"""The edit list of a fitted track: which stretches of the source play where, and how fast.

A :class:`FitEdit` is what :func:`sonics.music.fit.plan_fit` decides and
:func:`sonics.music.render.render_fit` plays: a list of :class:`Piece` s, each a run of the
source played without a jump along its own time map (output samples to source samples,
linear between points), joined by short crossfades placed just before each piece's start.
It round-trips through JSON (``schema: sonics.fit/1``), so a fit can be re-rendered, or
edited by hand, from ``fit.json`` alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import check_schema

__all__ = ["FitEdit", "Piece"]


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of the source played without a jump.

    Parameters
    ----------
    out_start, out_end : int
        The output samples it fills, ``[out_start, out_end)``; the crossfade into the
        next piece lies before ``out_end``.
    map_out, map_in : tuple of float
        Its time map: output sample ``map_out[i]`` plays source sample ``map_in[i]``;
        at least two points, increasing; continued with the end slopes past the ends.
    bars : tuple of int
        The source bars it plays, in order (empty when the fit has no bars).
    """

    out_start: int
    out_end: int
    map_out: tuple[float, ...]
    map_in: tuple[float, ...]
    bars: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.out_start < self.out_end:
            raise ParameterError(
                f"a piece must fill 0 <= start < end samples, got {self.out_start}..{self.out_end}"
            )
        if len(self.map_out) != len(self.map_in) or len(self.map_out) < 2:
            raise ParameterError("a piece's time map needs at least two (out, in) points")
        if np.any(np.diff(self.map_out) <= 0) or np.any(np.diff(self.map_in) <= 0):
            raise ParameterError("a piece's time map must increase in both output and source")

    @property
    def source_start(self) -> float:
        """Source sample played at ``out_start``."""
        return float(np.interp(self.out_start, self.map_out, self.map_in))

    @property
    def source_end(self) -> float:
        """Source sample played at ``out_end``."""
        return float(np.interp(self.out_end, self.map_out, self.map_in))

    @property
    def stretch(self) -> float:
        """Output length over source length over the piece (1.05: played 5 % slower)."""
        return (self.out_end - self.out_start) / max(self.source_end - self.source_start, 1e-9)

    def segments(self) -> list[tuple[float, float, float]]:
        """Return each map segment as ``(out_start, out_end, stretch)``."""
        out = np.asarray(self.map_out)
        src = np.asarray(self.map_in)
        return [
            (float(out[i]), float(out[i + 1]), float((out[i + 1] - out[i]) / (src[i + 1] - src[i])))
            for i in range(out.size - 1)
        ]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        stretches = [s for _, _, s in self.segments()]
        return {
            "output_start_sample": self.out_start,
            "output_end_sample": self.out_end,
            "source_start_sample": round(self.source_start, 3),
            "source_end_sample": round(self.source_end, 3),
            "source_bars": list(self.bars),
            "stretch": round(self.stretch, 6),
            "stretch_min": round(min(stretches), 6),
            "stretch_max": round(max(stretches), 6),
            "map": [[float(o), float(i)] for o, i in zip(self.map_out, self.map_in, strict=True)],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Piece:
        """Build from :meth:`to_dict` output."""
        points = data["map"]
        return cls(
            int(data["output_start_sample"]),
            int(data["output_end_sample"]),
            tuple(float(p[0]) for p in points),
            tuple(float(p[1]) for p in points),
            tuple(int(b) for b in data.get("source_bars", ())),
        )


@dataclass(frozen=True, slots=True)
class FitEdit:
    """The whole edit: the pieces in output order and how they are joined.

    Parameters
    ----------
    sample_rate : int
        Rate of the source and the output [Hz].
    n_samples : int
        Output length [samples]: the picture's.
    source_n_samples : int
        Source length [samples].
    pieces : tuple of Piece
        In output order, touching: each starts where the one before ends; the first at 0,
        the last ends at ``n_samples``.
    crossfade_samples : int
        Length of each crossfade between pieces [samples].
    crossfade_lead_samples : int
        How far before a piece's start its crossfade ends [samples] (so a downbeat's hit
        is played from the new piece alone).
    fade_in_samples, fade_out_samples : int
        A fade at the very start (when the source starts mid-sound) and at the very end
        (when the ending's ring-out is cut short) [samples]; 0 for none.
    mode : str
        ``"beats"`` (bars cut, beats warped) or ``"length"`` (no steady beat: length only).
    info : dict
        What the fit found and decided (tempo, bars, sections, anchors, report, notes),
        written to JSON as it is.
    """

    SCHEMA_NAME = "fit"
    SCHEMA_VERSION = 1

    sample_rate: int
    n_samples: int
    source_n_samples: int
    pieces: tuple[Piece, ...]
    crossfade_samples: int
    crossfade_lead_samples: int = 0
    fade_in_samples: int = 0
    fade_out_samples: int = 0
    mode: str = "beats"
    info: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pieces", tuple(self.pieces))
        if not self.pieces:
            raise ParameterError("an edit needs at least one piece")
        if self.pieces[0].out_start != 0 or self.pieces[-1].out_end != self.n_samples:
            raise ParameterError(
                f"the pieces must fill 0..{self.n_samples}, got "
                f"{self.pieces[0].out_start}..{self.pieces[-1].out_end}"
            )
        for a, b in zip(self.pieces[:-1], self.pieces[1:], strict=True):
            if a.out_end != b.out_start:
                raise ParameterError(
                    f"pieces must touch: one ends at {a.out_end}, the next starts at {b.out_start}"
                )

    def crossfades(self) -> list[tuple[int, int]]:
        """Return each crossfade's output span ``(start, end)`` [samples], in order."""
        return [
            (
                p.out_start - self.crossfade_lead_samples - self.crossfade_samples,
                p.out_start - self.crossfade_lead_samples,
            )
            for p in self.pieces[1:]
        ]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document (``schema: sonics.fit/1``)."""
        return {
            "schema": f"sonics.{self.SCHEMA_NAME}/{self.SCHEMA_VERSION}",
            "mode": self.mode,
            "sample_rate": self.sample_rate,
            "n_samples": self.n_samples,
            "source_n_samples": self.source_n_samples,
            "crossfade_samples": self.crossfade_samples,
            "crossfade_lead_samples": self.crossfade_lead_samples,
            "fade_in_samples": self.fade_in_samples,
            "fade_out_samples": self.fade_out_samples,
            "pieces": [p.to_dict() for p in self.pieces],
            "crossfades": [
                {"output_start_sample": a, "output_end_sample": b, "law": "correlation-matched"}
                for a, b in self.crossfades()
            ],
            **self.info,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "fit.json") -> FitEdit:
        """Build from :meth:`to_dict` output; raise :class:`MediaError` on a foreign document."""
        check_schema(data, cls.SCHEMA_NAME, cls.SCHEMA_VERSION, source)
        known = {
            "schema",
            "mode",
            "sample_rate",
            "n_samples",
            "source_n_samples",
            "crossfade_samples",
            "crossfade_lead_samples",
            "fade_in_samples",
            "fade_out_samples",
            "pieces",
            "crossfades",
        }
        try:
            return cls(
                sample_rate=int(data["sample_rate"]),
                n_samples=int(data["n_samples"]),
                source_n_samples=int(data["source_n_samples"]),
                pieces=tuple(Piece.from_dict(p) for p in data["pieces"]),
                crossfade_samples=int(data["crossfade_samples"]),
                crossfade_lead_samples=int(data.get("crossfade_lead_samples", 0)),
                fade_in_samples=int(data.get("fade_in_samples", 0)),
                fade_out_samples=int(data.get("fade_out_samples", 0)),
                mode=str(data.get("mode", "beats")),
                info={k: v for k, v in data.items() if k not in known},
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise MediaError(f"{source}: not a valid sonics fit edit ({exc!s})") from None
