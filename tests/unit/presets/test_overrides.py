import pytest

from sonics.core.errors import PresetError
from sonics.presets import apply_overrides, load_preset, parse_preset, preset_to_toml


@pytest.fixture(scope="module")
def battle():
    return load_preset("battle")


def failures(preset, overrides):
    with pytest.raises(PresetError) as info:
        apply_overrides(preset, overrides)
    return info.value.problems


def test_overrides_set_values_by_layer_name_or_index(battle):
    changed = apply_overrides(
        battle,
        [
            "sfx.layers.whoosh.gain_db=-6",
            "spotting.swell_threshold=0.4",
            "sfx.layers[1].density = 0.25",
            "sfx.layers.2.min_gap_s=1",
            "spotting.shot_min_intensity=tension",
            'sfx.layers.hooves.params.gait="canter"',
            "sfx.layers.army_roar.params={ n_voices = 200 }",
            "sfx.layers.whoosh.duration_s=[0.3, 0.9]",
            "sfx.layers.whoosh.events=['cut']",
        ],
    )
    assert changed.sfx.layer("whoosh").gain_db == -6.0
    assert changed.spotting.swell_threshold == 0.4
    assert changed.sfx.layers[1].density == 0.25
    assert changed.sfx.layers[2].min_gap_s == 1.0
    assert changed.spotting.shot_min_intensity == "tension"
    assert dict(changed.sfx.layer("hooves").params) == {"gait": "canter", "n_horses": 8}
    assert dict(changed.sfx.layer("army_roar").params) == {"n_voices": 200}
    assert changed.sfx.layer("whoosh").duration_s == (0.3, 0.9)
    assert changed.sfx.layer("whoosh").events == ("cut",)
    assert changed.source == "battle (built-in) with overrides"
    # Everything else, and the original, are untouched.
    assert changed.sfx.layer("clash") == battle.sfx.layer("clash")
    assert battle.sfx.layer("whoosh").gain_db == -10.0
    assert parse_preset(preset_to_toml(changed)) == changed


def test_no_overrides_give_the_same_preset(battle):
    assert apply_overrides(battle, []) is battle


def test_later_overrides_win_and_see_renames(battle):
    changed = apply_overrides(
        battle,
        ["sfx.layers.whoosh.gain_db=-6", "sfx.layers.whoosh.name=swoosh", "sfx.layers.swoosh.gain_db=-3"],
    )
    assert changed.sfx.layer("swoosh").gain_db == -3.0


def test_override_values_get_the_same_checks(battle):
    # Problems come in the preset's key order (spotting before sfx), each naming its override.
    assert failures(battle, ["sfx.layers.whoosh.gain_db=6", "spotting.swel_threshold=0.4"]) == [
        "spotting.swel_threshold: unknown key (did you mean 'swell_threshold'?) "
        "(from override 'spotting.swel_threshold=0.4')",
        "sfx.layers[0].gain_db: 6 is outside [-60, 0] dB (from override 'sfx.layers.whoosh.gain_db=6')",
    ]
    assert failures(battle, ["spotting.shot_min_intensity=epic"]) == [
        "spotting.shot_min_intensity: 'epic' is not one of calm, tension, battle "
        "(from override 'spotting.shot_min_intensity=epic')"
    ]
    assert failures(battle, ["sfx.layers.swish.name=whoosh"]) == [
        "sfx.layers[1].name: 'whoosh' is already used by sfx.layers[0].name "
        "(from override 'sfx.layers.swish.name=whoosh')"
    ]
    assert failures(battle, ["sfx.layers.hooves.params={ a = { b = 1 } }"]) == [
        "sfx.layers[9].params.a: expected a string, number, boolean or array of them, got a table "
        "(from override 'sfx.layers.hooves.params={ a = { b = 1 } }')"
    ]


def test_bad_override_formats_are_all_listed(battle):
    with pytest.raises(PresetError) as info:
        apply_overrides(
            battle,
            [
                "nonsense",
                "spotting.swell_threshold=",
                "=3",
                "a..b=1",
                "sfx.layers.whosh.gain_db=-6",
                "sfx.layers[99].gain_db=-6",
                "sfx.layers.whoosh=3",
                "spotting.swell_threshold.x=1",
                "spotting.swell_threshold=[1,",
                "spotting[0]=1",
            ],
        )
    example = "(e.g. sfx.layers.whoosh.gain_db=-6)"
    layers = "whoosh, swish, impact, clash, cut_hit, flash_boom, war_drums, riser, braam, hooves, army_roar"
    assert info.value.source == "battle (built-in) with overrides"
    assert info.value.problems == [
        f"override 'nonsense': expected KEY=VALUE {example}",
        f"override 'spotting.swell_threshold=': expected KEY=VALUE {example}",
        f"override '=3': expected KEY=VALUE {example}",
        f"override 'a..b=1': 'a..b' is not a key path {example}",
        "override 'sfx.layers.whosh.gain_db=-6': no layer named 'whosh' (did you mean 'whoosh'?); "
        f"layers: {layers}",
        "override 'sfx.layers[99].gain_db=-6': sfx.layers has 11 entries; [99] is out of range",
        f"override 'sfx.layers.whoosh=3': sets a whole layer; set one of its keys {example}",
        "override 'spotting.swell_threshold.x=1': spotting.swell_threshold is a value, not a table",
        "override 'spotting.swell_threshold=[1,': cannot read '[1,' as a TOML value "
        '(quote text: key="...")',
        "override 'spotting[0]=1': spotting is a table, not an array",
    ]


def test_override_values_cannot_smuggle_keys(battle):
    assert failures(battle, ["spotting.swell_threshold=0.4\nname = 'x'"]) == [
        "override \"spotting.swell_threshold=0.4\\nname = 'x'\": "
        "cannot read \"0.4\\nname = 'x'\" as a TOML value "
        '(quote text: key="...")'
    ]
