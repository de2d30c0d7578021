"""Plan an SFX pass: decide every sound of every cue before rendering a sample.

For each layer of the preset and each of its cues, the planner chooses the source (a
procedural generator, or a file of the user's sample library found by UCS CatID or
named in the preset), draws the variation (generator seed, sample pick without
immediate repeats, pitch, gain and pan within the preset's limits, timing jitter for
rhythmic layers) and fixes the sample the sound's sync point lands on. Every draw is
recorded in the :class:`~sonics.core.sfxplan.SfxPlan`, so rendering is a pure function
of the plan.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sonics.core.cues import Cue, CueKind, CueSheet, seconds_to_samples
from sonics.core.errors import MediaError, ParameterError, PresetError
from sonics.core.rng import draw_seed, stage_rng
from sonics.core.sfxplan import PlannedSound, SfxPlan, SoundSource
from sonics.core.sound import SampleLibrary, SampleRef
from sonics.presets.schema import LayerSettings, Preset
from sonics.sfx.generators import GENERATORS
from sonics.sfx.variation import RoundRobin

__all__ = ["check_layers", "generator_params", "plan_sfx", "sync_rule"]

_PEAK_SYNC_GENERATORS = frozenset({"whoosh", "swish", "arrow_flyby", "riser"})
"""Generators whose sound builds into the moment: samples standing in for them sync on their peak."""

_PEAK_SYNC_CATIDS = frozenset({"WHSH", "SWSH", "DSGNWhsh", "FIREWhsh", "DSGNRise"})
"""UCS CatIDs of sounds that sync on their loudness peak rather than their onset."""

_PER_CUE_FIELDS = frozenset({"intensity", "duration_s", "curve", "curve_rate_hz"})
"""Generator fields the planner sets from each cue; a preset may not fix them."""


def _intensity_db(intensity: float) -> float:
    # A cue at intensity 0 is 12 dB under one at intensity 1; the generators also make
    # bigger sounds bigger in character, so the level range can stay moderate.
    return 20.0 * math.log10(0.25 + 0.75 * intensity)


def sync_rule(layer: LayerSettings, ref: SampleRef | None = None) -> str:
    """Return how a sample of ``layer`` is synced: ``"onset"`` or ``"peak"``.

    ``layer.sync`` decides when it is not ``"auto"``; otherwise whooshes, swishes,
    flybys and risers (by generator name or the sample's UCS CatID) sync on their
    loudness peak and everything else on its transient onset.
    """
    if layer.sync != "auto":
        return layer.sync
    if layer.generator in _PEAK_SYNC_GENERATORS or (ref is not None and ref.catid in _PEAK_SYNC_CATIDS):
        return "peak"
    return "onset"


def _field_names(generator: type) -> list[str]:
    return [f.name for f in dataclasses.fields(generator)]


def generator_params(layer: LayerSettings, cue: Cue) -> dict[str, Any]:
    """Return the full parameters of the generator that sounds ``cue`` on ``layer``.

    The generator's defaults, overridden by the preset's ``params``, then by what the
    cue decides: its intensity, its length, and for beds the level curve lifted by the
    layer's ``floor_db`` (a bed at rest still breathes).

    Raises
    ------
    PresetError
        If the generator is unknown.
    """
    generator = GENERATORS[layer.generator]
    names = set(_field_names(generator))
    params: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(generator)}
    params.update(dict(layer.params))
    if "intensity" in names:
        params["intensity"] = cue.intensity
    if "duration_s" in names and cue.duration_s > 0:
        params["duration_s"] = cue.duration_s
    if cue.kind is CueKind.BED and cue.curve and "curve" in names:
        floor = 10.0 ** (layer.floor_db / 20.0)
        params["curve"] = [round(floor + (1.0 - floor) * v, 6) for v in cue.curve]
        params["curve_rate_hz"] = cue.curve_rate_hz
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}


def _make(generator: type, params: Mapping[str, Any]) -> Any:
    return generator(**{k: tuple(v) if isinstance(v, list) else v for k, v in params.items()})


def check_layers(preset: Preset) -> None:
    """Check what only the SFX stage knows: generator names and their ``params``.

    Raises
    ------
    PresetError
        Listing every unknown generator, unknown parameter (with a suggestion) and
        parameter value the generator refuses, each with its key path.
    """
    problems: list[str] = []
    for i, layer in enumerate(preset.sfx.layers):
        path = f"sfx.layers[{i}]"
        generator = GENERATORS.get(layer.generator)
        if generator is None:
            hint = difflib.get_close_matches(layer.generator, sorted(GENERATORS), n=1)
            known = f"did you mean {hint[0]!r}?" if hint else f"known: {', '.join(sorted(GENERATORS))}"
            problems.append(f"{path}.generator: unknown generator {layer.generator!r} ({known})")
            continue
        names = _field_names(generator)
        bad_keys = False
        for key in layer.params:
            if key in _PER_CUE_FIELDS:
                problems.append(f"{path}.params.{key}: set by each cue, not by the preset")
                bad_keys = True
            elif key not in names:
                hint = difflib.get_close_matches(key, names, n=1)
                tail = (
                    f" (did you mean {hint[0]!r}?)"
                    if hint
                    else f" ({layer.generator} has: {', '.join(names)})"
                )
                problems.append(f"{path}.params.{key}: unknown parameter of {layer.generator}{tail}")
                bad_keys = True
        if bad_keys:
            continue
        try:
            _make(generator, dict(layer.params))
        except (ParameterError, TypeError, ValueError) as exc:
            problems.append(f"{path}.params: {exc}")
    if problems:
        raise PresetError(preset.source, problems)


def _candidates(layer: LayerSettings, library: SampleLibrary) -> tuple[SampleRef, ...]:
    found: dict[str, SampleRef] = {}
    for key in layer.samples:
        ref = library.get(key)
        found[ref.key] = ref
    for catid in layer.ucs:
        for ref in library.find(catid):
            found.setdefault(ref.key, ref)
    return tuple(found.values())


def _layer_sources(
    layer: LayerSettings, index: int, library: SampleLibrary | None, source: str
) -> tuple[SampleRef, ...]:
    if layer.source == "generator":
        return ()
    if library is None:
        if layer.source == "samples":
            raise PresetError(
                source, [f"sfx.layers[{index}].source: 'samples' needs a sample folder (--samples)"]
            )
        return ()
    refs = _candidates(layer, library)
    if not refs and layer.source == "samples":
        wanted = ", ".join([*layer.ucs, *layer.samples]) or "nothing (no ucs or samples given)"
        raise MediaError(f"{library.root}: no samples for layer {layer.name!r} (looked for {wanted})")
    return refs


def _plan_layer(
    layer: LayerSettings,
    cues: Sequence[tuple[int, Cue]],
    refs: tuple[SampleRef, ...],
    rng: np.random.Generator,
    sample_rate: int,
) -> list[PlannedSound]:
    picker = RoundRobin(len(refs), rng) if refs else None
    planned = []
    for cue_index, cue in cues:
        seed = draw_seed(rng)
        pitch = float(rng.uniform(-layer.pitch_semitones, layer.pitch_semitones))
        jitter_db = float(rng.uniform(-layer.gain_jitter_db, layer.gain_jitter_db))
        jitter_ms = float(rng.uniform(-layer.timing_jitter_ms, layer.timing_jitter_ms))
        pan = float(np.clip(layer.pan + rng.uniform(-layer.pan_spread, layer.pan_spread), -1.0, 1.0))
        # A bed's level follows its curve; only hits are scaled by their intensity.
        level_db = _intensity_db(cue.intensity) if cue.kind is CueKind.HIT else 0.0
        gain_db = layer.gain_db + level_db + jitter_db
        time_s = max(0.0, cue.time_s + jitter_ms / 1000.0) if cue.kind is CueKind.HIT else cue.time_s
        common = {
            "layer": layer.name,
            "sync_at_sample": seconds_to_samples(time_s, sample_rate),
            "gain_db": round(gain_db, 4),
            "pan": round(pan, 4),
            "cue": cue_index,
        }
        if picker is not None:
            ref = refs[picker.pick()]
            sync = "start" if cue.kind is CueKind.BED else sync_rule(layer, ref)
            params = {"duration_s": cue.duration_s} if cue.kind is CueKind.BED else {}
            if cue.kind is CueKind.BED and cue.curve:
                floor = 10.0 ** (layer.floor_db / 20.0)
                params["curve"] = [round(floor + (1.0 - floor) * v, 6) for v in cue.curve]
                params["curve_rate_hz"] = cue.curve_rate_hz
            planned.append(
                PlannedSound(
                    source=SoundSource.SAMPLE,
                    name=ref.key,
                    params=params,
                    seed=0,
                    sync=sync,
                    pitch_semitones=round(pitch, 4),
                    **common,
                )
            )
        else:
            planned.append(
                PlannedSound(
                    source=SoundSource.GENERATOR,
                    name=layer.generator,
                    params=generator_params(layer, cue),
                    seed=seed,
                    sync="",
                    pitch_semitones=0.0,
                    **common,
                )
            )
    return planned


def plan_sfx(
    sheet: CueSheet, preset: Preset, *, seed: int = 0, library: SampleLibrary | None = None
) -> SfxPlan:
    """Plan every sound of one SFX pass.

    Parameters
    ----------
    sheet : CueSheet
        The cues of the pass (from :func:`sonics.spotting.spot`).
    preset : Preset
        The preset whose layers the cues name.
    seed : int
        The run's seed, in ``[0, 2**32 - 1]``; each layer draws from its own stream,
        so editing one layer leaves the others' variations unchanged.
    library : SampleLibrary, optional
        The user's sample library (``--samples``). Layers with ``source = "auto"``
        use it when it has files for them; ``"samples"`` layers require it.

    Returns
    -------
    SfxPlan
        Every sound with its recorded draws, in layer then cue order.

    Raises
    ------
    PresetError
        If a layer names an unknown generator or parameter, or needs samples without a
        library.
    MediaError
        If a ``"samples"`` layer finds no files, or a named sample is not in the library.
    """
    check_layers(preset)
    layers = {layer.name: (i, layer) for i, layer in enumerate(preset.sfx.layers)}
    missing = sorted(set(sheet.layers) - set(layers))
    if missing:
        raise ParameterError(f"the cue sheet names layers preset {preset.name!r} lacks: {', '.join(missing)}")
    sounds: list[PlannedSound] = []
    indexed = list(enumerate(sheet.cues))
    for name, (i, layer) in layers.items():
        refs = _layer_sources(layer, i, library, preset.source)
        cues = [(k, c) for k, c in indexed if c.layer == name]
        rng = stage_rng(seed, f"sfx:{name}")
        sounds += _plan_layer(layer, cues, refs, rng, sheet.sample_rate)
    return SfxPlan(
        preset=preset.name,
        seed=seed,
        n_samples=sheet.n_samples,
        layers=tuple(layers),
        sounds=tuple(sounds),
        library=library.root if library is not None else "",
        sample_rate=sheet.sample_rate,
    )
