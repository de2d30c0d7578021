"""``sonics.tempo_pass``: Find Tempo and the tempo map of a picture, and its ``tempo.json``.

The hits a composer syncs to come from spotting's weighted events, not from the bare cut
list: a hard cut weighs as big as it plays (the biggest cut of the picture weighs 1), an
impact as hard as the motion stops, a flash or a dissolve half as much (music phrases into a
dissolve, it does not hit it), and the last cut is always a sync hit (the button of the cue).
Shot starts (the cuts again) and motion swells (shapes, not moments) are left out, and so are
events too light to matter. Two hits at most two tolerances apart fall on one grid line, so
only the heavier is kept.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from sonics.core.errors import ParameterError
from sonics.core.model import Analysis, Hit
from sonics.core.tempo import TempoCandidate, TempoMap
from sonics.export.files import json_bytes, write_bytes_atomic
from sonics.pipeline.analyze import Progress, analyze
from sonics.presets import Preset, apply_overrides, load_preset, preset_to_dict
from sonics.presets.schema import SpottingSettings, TempoSettings, suggest
from sonics.spotting import EventKind, find_events, picture_length
from sonics.spotting.events import keep_apart
from sonics.tempo import fit_tempo, map_tempo
from sonics.tempo.hits import as_hits

__all__ = ["TEMPO_JSON", "TempoResult", "tempo_hits", "tempo_pass", "write_tempo_pass"]

TEMPO_JSON = "tempo.json"

_HIT_SHARE = {
    EventKind.CUT: 1.0,
    EventKind.IMPACT: 1.0,
    EventKind.FLASH: 0.5,
    EventKind.TRANSITION: 0.5,
}
"""Which spotting events are tempo hits, and what share of their weight they carry."""
_MIN_WEIGHT = 0.25
"""Events lighter than this are not hits a composer syncs to."""


@dataclass(frozen=True, slots=True, eq=False)
class TempoResult:
    """A tempo pass: the hits, the ranked constant tempos, and the tempo map over the picture."""

    analysis: Analysis
    preset: Preset
    hits: tuple[Hit, ...]
    candidates: tuple[TempoCandidate, ...]
    tempo_map: TempoMap

    @property
    def settings(self) -> TempoSettings:
        """The ``[tempo]`` settings the pass ran with."""
        return self.preset.tempo

    def to_dict(self) -> dict[str, Any]:
        """Return the ``tempo.json`` document (``schema: sonics.tempo/1``).

        The tempo map's document (:meth:`TempoMap.to_dict`: segments, meter, grid, hits,
        warnings), plus the preset name, the ``[tempo]`` settings and the ranked table.
        :meth:`TempoMap.from_dict` reads it back.
        """
        document = self.tempo_map.to_dict()
        document["preset"] = self.preset.name
        document["settings"] = preset_to_dict(self.preset)["tempo"]
        document["candidates"] = [c.to_dict() for c in self.candidates]
        return document


def tempo_hits(analysis: Analysis, spotting: SpottingSettings, tempo: TempoSettings) -> tuple[Hit, ...]:
    """Return the moments a score syncs to, weighted, from the picture's spotting events.

    Parameters
    ----------
    analysis : Analysis
        The picture.
    spotting : SpottingSettings
        The preset's ``[spotting]`` table (how events are weighted).
    tempo : TempoSettings
        The preset's ``[tempo]`` table: ``sync_weight`` (the last cut gets at least it) and
        ``tolerance_frames`` (hits at most two tolerances apart are one hit).

    Returns
    -------
    tuple of Hit
        In time order; ``source`` names the event and its frame (``"cut:72"``).

    Examples
    --------
    >>> analysis = sonics.analyze([72, 112], frame_rate=24)  # doctest: +SKIP
    >>> tempo_hits(analysis, SpottingSettings(), TempoSettings())  # doctest: +SKIP
    """
    events = find_events(analysis, spotting)
    last = next((e for e in reversed(events) if e.event is EventKind.LAST_CUT), None)
    found = []
    for e in events:
        share = _HIT_SHARE.get(e.event)
        if share is None:
            continue
        weight = share * e.weight
        if last is not None and e.event is EventKind.CUT and e.frame == last.frame:
            weight = max(weight, tempo.sync_weight)
        if weight >= _MIN_WEIGHT:
            found.append(Hit(e.time_s, round(weight, 4), f"{e.event}:{e.frame}"))
    # Hits at most two tolerances apart share a grid line (half a frame: they sit on frames).
    gap_s = (2.0 * tempo.tolerance_frames + 0.5) / float(analysis.picture.frame_rate)
    kept = keep_apart([h.time_s for h in found], [h.weight for h in found], gap_s)
    return tuple(found[i] for i in kept)


def _preset(preset: str | os.PathLike[str] | Preset, overrides: Iterable[str]) -> Preset:
    loaded = preset if isinstance(preset, Preset) else load_preset(preset)
    items = list(overrides)
    return apply_overrides(loaded, items) if items else loaded


def _tempo_settings(settings: TempoSettings, changes: Mapping[str, Any]) -> TempoSettings:
    known = [f.name for f in fields(TempoSettings)]
    for key in changes:
        if key not in known:
            raise ParameterError(
                f"unknown tempo setting {key!r}{suggest(key, known)}; known: {', '.join(known)}"
            )
    return replace(settings, **changes)


def tempo_pass(
    source: Any,
    *,
    preset: str | os.PathLike[str] | Preset = "battle",
    overrides: Iterable[str] = (),
    tempo: Mapping[str, Any] | None = None,
    hits: Iterable[Hit] | Iterable[float] | None = None,
    bpm: float | None = None,
    top: int = 10,
    on_progress: Progress | None = None,
) -> TempoResult:
    """Find the tempos that catch a picture's hits and build the tempo map that lands them.

    Parameters
    ----------
    source : str, Path, Analysis or anything :func:`sonics.analyze` takes
        The picture: a video, a timeline, an ``analysis.json`` or an ``Analysis``.
    preset : str, Path or Preset
        A built-in preset name, a TOML file or a loaded preset; its ``[tempo]`` table sets
        the search and the map, its ``[spotting]`` table how the hits are weighted.
    overrides : iterable of str
        ``key=value`` preset overrides (``"tempo.min_bpm=90"``, ``'tempo.meter="3/4"'``).
    tempo : mapping, optional
        :class:`TempoSettings` fields to change after the overrides (``{"meter": "3/4"}``).
    hits : iterable of Hit, of float or of (time_s, weight), optional
        The caller's own hits (a composer's markers) instead of the picture's.
    bpm : float, optional
        Start the map from this tempo instead of the best one found.
    top : int
        Rows of the ranked table, >= 1.
    on_progress : callable, optional
        Called as ``on_progress(stage, done, total)`` while the picture is analysed.

    Returns
    -------
    TempoResult
        The hits, the ranked table (best first) and the tempo map.

    Raises
    ------
    SonicsError
        On unreadable input, a bad preset, override or setting, or a hit outside the picture.

    Examples
    --------
    >>> result = sonics.tempo_pass("cut.mp4", preset="duel")  # doctest: +SKIP
    >>> result.candidates[0].bpm, len(result.tempo_map.segments)  # doctest: +SKIP
    """
    loaded = _preset(preset, overrides)
    if tempo:
        loaded = replace(loaded, tempo=_tempo_settings(loaded.tempo, tempo))
    settings = loaded.tempo
    analysis = analyze(source, on_progress=on_progress)
    duration_s, _ = picture_length(analysis.picture)
    rate = analysis.picture.frame_rate
    found = as_hits(hits) if hits is not None else tempo_hits(analysis, loaded.spotting, settings)
    candidates = fit_tempo(
        found,
        min_bpm=settings.min_bpm,
        max_bpm=settings.max_bpm,
        step_bpm=settings.step_bpm,
        tolerance_frames=settings.tolerance_frames,
        frame_rate=rate,
        subdivision=settings.subdivision,
        meter=settings.meter_tuple,
        top=top,
    )
    tempo_map = map_tempo(found, settings=settings, frame_rate=rate, duration_s=duration_s, bpm=bpm)
    return TempoResult(analysis, loaded, found, candidates, tempo_map)


def write_tempo_pass(result: TempoResult, path: str | os.PathLike[str]) -> Path:
    """Write ``tempo.json`` atomically (all of it or nothing) and return its path.

    Raises
    ------
    ExportError
        If the file cannot be written.
    """
    return write_bytes_atomic(path, json_bytes(result.to_dict()))
