"""Buses: which stem feeds which bus, and the sums.

Three buses, as a re-recording mixer lays out a DME (dialogue, music, effects) mix:
``dialogue`` (the cut's own audio, and any stem of role ``"dialogue"``), ``music``
(stems of role ``"music"``) and ``effects`` (stems of role ``"effects"``). Within the
effects bus the beds (the stems named in ``bed_stems``: SFX layers whose preset layer
sounds on ``"bed"``) are kept apart from the hits, since beds dip under speech and hits
do not. Sums run in float32, stem by stem in the given order, so they repeat bit for bit.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from sonics.core.errors import ParameterError
from sonics.core.sound import Stem
from sonics.presets.schema import SfxSettings

__all__ = ["BUS_NAMES", "BusInputs", "bed_stem_names", "route"]

BUS_NAMES = ("dialogue", "music", "effects")
"""The buses, in the order they are listed and summed."""


def bed_stem_names(sfx: SfxSettings) -> frozenset[str]:
    """Return the stem names of the bed layers of an ``[sfx]`` table (``sfx_<layer>``).

    Examples
    --------
    >>> from sonics.presets.schema import LayerSettings
    >>> layers = [LayerSettings("wind", ["bed"], "wind"), LayerSettings("hit", ["cut"], "impact")]
    >>> sfx = SfxSettings(layers=layers)
    >>> sorted(bed_stem_names(sfx))
    ['sfx_wind']
    """
    return frozenset(f"sfx_{layer.name}" for layer in sfx.layers if layer.is_bed)


@dataclass(frozen=True, slots=True, eq=False)
class BusInputs:
    """The raw (unscaled) sums of the stems feeding each bus, each ``(2, n)`` float32.

    ``dialogue`` is None when there is no dialogue at all; ``beds`` and ``hits`` together
    are the effects bus. ``names`` lists, per bus, the stems that feed it (the dialogue
    signal itself is ``"dialogue"``).
    """

    n_samples: int
    dialogue: np.ndarray | None
    music: np.ndarray
    beds: np.ndarray
    hits: np.ndarray
    names: Mapping[str, tuple[str, ...]]


def _stereo(audio: np.ndarray, what: str) -> np.ndarray:
    x = np.asarray(audio)
    if x.ndim == 1:
        x = x[np.newaxis, :]
    if x.ndim != 2 or x.shape[0] not in (1, 2) or not np.issubdtype(x.dtype, np.floating):
        raise ParameterError(
            f"{what} must be a float array of shape (1 or 2, samples), got {x.dtype} {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ParameterError(f"{what} must be finite (no NaN or inf samples)")
    x = x.astype(np.float32, copy=False)
    return np.repeat(x, 2, axis=0) if x.shape[0] == 1 else x


def _sum(parts: Sequence[np.ndarray], n_samples: int) -> np.ndarray:
    total = np.zeros((2, n_samples), dtype=np.float32)
    for part in parts:
        total += part
    return total


def route(
    stems: Sequence[Stem],
    *,
    dialogue: np.ndarray | None,
    bed_stems: Collection[str],
    sample_rate: int,
) -> BusInputs:
    """Sort stems onto the buses and sum them.

    Parameters
    ----------
    stems : sequence of Stem
        Music, effects and dialogue stems, all ``(2, n)`` at ``sample_rate``.
    dialogue : numpy.ndarray or None
        The cut's own audio, ``(1 or 2, n)`` (mono is put in the centre of both sides).
    bed_stems : collection of str
        Names of the effects stems that are beds.
    sample_rate : int
        Samples per second every stem must have.

    Returns
    -------
    BusInputs

    Raises
    ------
    ParameterError
        If there is nothing to mix, lengths or rates differ, a role is unknown, two stems
        share a name, or a bed name is not an effects stem.
    """
    lengths = {s.name: s.n_samples for s in stems}
    dialogue_audio = None if dialogue is None else _stereo(dialogue, "dialogue")
    if dialogue_audio is not None:
        lengths["dialogue"] = dialogue_audio.shape[1]
    if not lengths:
        raise ParameterError("the mix needs at least one stem or the dialogue")
    if len(set(lengths.values())) != 1:
        listed = ", ".join(f"{name} {n}" for name, n in lengths.items())
        raise ParameterError(f"every stem and the dialogue must have one length (samples): {listed}")
    n_samples = next(iter(lengths.values()))
    seen: set[str] = set()
    parts: dict[str, list[np.ndarray]] = {"dialogue": [], "music": [], "beds": [], "hits": []}
    names: dict[str, list[str]] = {bus: [] for bus in BUS_NAMES}
    if dialogue_audio is not None:
        parts["dialogue"].append(dialogue_audio)
        names["dialogue"].append("dialogue")
    for stem in stems:
        if stem.name in seen:
            raise ParameterError(f"two stems are named {stem.name!r}")
        seen.add(stem.name)
        if stem.sample_rate != sample_rate:
            raise ParameterError(f"stem {stem.name} is at {stem.sample_rate} Hz, the mix at {sample_rate} Hz")
        if stem.role not in BUS_NAMES:
            raise ParameterError(f"stem {stem.name} has role {stem.role!r}; roles: {', '.join(BUS_NAMES)}")
        if stem.role == "effects":
            parts["beds" if stem.name in bed_stems else "hits"].append(stem.audio)
        else:
            parts[stem.role].append(stem.audio)
        names[stem.role].append(stem.name)
    effects = {s.name for s in stems if s.role == "effects"}
    strays = sorted(set(bed_stems) - effects)
    if strays:
        raise ParameterError(f"bed_stems names no effects stem: {', '.join(strays)}")
    return BusInputs(
        n_samples=n_samples,
        dialogue=_sum(parts["dialogue"], n_samples) if parts["dialogue"] else None,
        music=_sum(parts["music"], n_samples),
        beds=_sum(parts["beds"], n_samples),
        hits=_sum(parts["hits"], n_samples),
        names=MappingProxyType({bus: tuple(v) for bus, v in names.items()}),
    )
