"""Procedural sound generators: small frozen objects, unit-named parameters, one seeded variation per render.

:data:`GENERATORS` maps each registry name (what presets write in ``generator = ...``)
to its class. Every generator renders at 48 kHz by default, peaks at -6 dBFS at full
intensity, and returns a :class:`~sonics.core.sound.Sound` with its sync point.
"""

from __future__ import annotations

from types import MappingProxyType

from sonics.sfx.generators.arrows import ArrowFlyby, ArrowVolley
from sonics.sfx.generators.crowd import ArmyRoar
from sonics.sfx.generators.crows import Crows
from sonics.sfx.generators.designed import Braam, Riser
from sonics.sfx.generators.drums import WarDrums
from sonics.sfx.generators.fire import Fire
from sonics.sfx.generators.hooves import Hooves
from sonics.sfx.generators.impact import BodyImpact
from sonics.sfx.generators.metal import SwordClash, SwordScrape
from sonics.sfx.generators.thunder import Boom, Thunder
from sonics.sfx.generators.whoosh import Swish, Whoosh
from sonics.sfx.generators.wind import Wind

__all__ = [
    "GENERATORS",
    "ArmyRoar",
    "ArrowFlyby",
    "ArrowVolley",
    "BodyImpact",
    "Boom",
    "Braam",
    "Crows",
    "Fire",
    "Hooves",
    "Riser",
    "Swish",
    "SwordClash",
    "SwordScrape",
    "Thunder",
    "WarDrums",
    "Whoosh",
    "Wind",
]

GENERATORS = MappingProxyType(
    {
        g.name: g
        for g in (
            Whoosh,
            Swish,
            BodyImpact,
            SwordClash,
            SwordScrape,
            ArrowFlyby,
            ArrowVolley,
            Thunder,
            Boom,
            Hooves,
            WarDrums,
            Wind,
            Fire,
            Riser,
            Braam,
            ArmyRoar,
            Crows,
        )
    }
)
"""Registry name → generator class."""
