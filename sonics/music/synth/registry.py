"""The synthesiser's instruments by registry name: what a :class:`~sonics.core.score.Part` names."""

from __future__ import annotations

from types import MappingProxyType

from sonics.core.errors import ParameterError
from sonics.music.synth.brass import BRASS
from sonics.music.synth.choir import CHOIR
from sonics.music.synth.drums import CYMBALS, TAIKO
from sonics.music.synth.pads import PAD
from sonics.music.synth.plucked import KOTO, PIPA
from sonics.music.synth.strings import HIGH_STRINGS, LOW_STRINGS
from sonics.music.synth.voice import Instrument
from sonics.music.synth.winds import DIZI

__all__ = ["INSTRUMENTS", "instrument_for"]

INSTRUMENTS = MappingProxyType(
    {i.name: i for i in (TAIKO, CYMBALS, LOW_STRINGS, HIGH_STRINGS, BRASS, PAD, CHOIR, KOTO, PIPA, DIZI)}
)
"""Registry name → instrument."""


def instrument_for(name: str) -> Instrument:
    """Return the instrument called ``name``; raise :class:`ParameterError` naming the known ones.

    Examples
    --------
    >>> instrument_for("brass").n_layers
    3
    """
    try:
        return INSTRUMENTS[name]
    except KeyError:
        raise ParameterError(
            f"unknown instrument {name!r}; known: {', '.join(sorted(INSTRUMENTS))}"
        ) from None
