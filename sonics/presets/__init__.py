"""Layer 1: presets: the TOML schema, its loader and checks, and the built-in presets.

>>> from sonics.presets import load_preset
>>> [layer.name for layer in load_preset("aftermath").sfx.layers][:2]
['wind', 'fire']
"""

from sonics.presets.builtin import DEFAULT_PRESET, builtin_presets, builtin_source, read_builtin
from sonics.presets.loader import (
    apply_overrides,
    builtin_descriptions,
    load_preset,
    parse_preset,
    preset_to_dict,
    preset_to_toml,
)
from sonics.presets.schema import (
    EVENTS,
    SCHEMA_VERSION,
    STAGE_TABLES,
    FieldInfo,
    FieldSpec,
    LayerSettings,
    MixSettings,
    MusicSettings,
    Preset,
    SfxSettings,
    SpottingSettings,
    TempoSettings,
    describe_fields,
)

__all__ = [
    "DEFAULT_PRESET",
    "EVENTS",
    "SCHEMA_VERSION",
    "STAGE_TABLES",
    "FieldInfo",
    "FieldSpec",
    "LayerSettings",
    "MixSettings",
    "MusicSettings",
    "Preset",
    "SfxSettings",
    "SpottingSettings",
    "TempoSettings",
    "apply_overrides",
    "builtin_descriptions",
    "builtin_presets",
    "builtin_source",
    "describe_fields",
    "load_preset",
    "parse_preset",
    "preset_to_dict",
    "preset_to_toml",
    "read_builtin",
]
