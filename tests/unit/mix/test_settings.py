"""The [mix] table: every preset has one, bad values are listed with their key path."""

from __future__ import annotations

import pytest

from sonics.core.errors import PresetError
from sonics.mix.loudness import loudness_target
from sonics.presets.builtin import builtin_presets, read_builtin
from sonics.presets.loader import load_preset, parse_preset, preset_to_toml
from sonics.presets.schema import describe_fields

HEAD = 'schema = 1\nname = "test"\n'


def test_every_builtin_preset_has_a_mix_table_that_round_trips() -> None:
    for name in builtin_presets():
        text = read_builtin(name).decode()
        assert "\n[mix]\n" in text and "\n[" not in text.split("\n[mix]\n")[1], f"{name}: [mix] is not last"
        preset = load_preset(name)
        assert loudness_target(preset.mix.loudness).integrated_lufs <= -5.0
        assert parse_preset(preset_to_toml(preset)) == preset


def test_bad_mix_values_are_listed_with_their_key_paths() -> None:
    text = (
        HEAD + '[mix]\nloudness = "-3"\nduck_depth_db = 3.0\nduck_attack_ms = 0.0\nimpact_min_intensity = 2\n'
    )
    with pytest.raises(PresetError) as info:
        parse_preset(text, "t.toml")
    assert info.value.problems == [
        "mix.loudness: '-3' is not valid (streaming, ebu-r128, atsc or LUFS from -60 to -5 such as -16)",
        "mix.duck_depth_db: 3.0 is outside [-40, 0] dB",
        "mix.duck_attack_ms: 0.0 is outside [1, 2000] ms",
        "mix.impact_min_intensity: 2 is outside [0, 1]",
    ]


def test_mix_keys_are_documented_with_units() -> None:
    rows = {r.key: r for r in describe_fields() if r.key.startswith("mix.")}
    assert rows["mix.duck_depth_db"].range == "[-40, 0] dB"
    assert rows["mix.true_peak_db"].default == "0.0" and "0 keeps" in rows["mix.true_peak_db"].doc
    assert {"mix.duck_release_ms", "mix.duck_hold_ms", "mix.impact_duck_db", "mix.limiter_release_ms"} <= set(
        rows
    )
