from pathlib import Path

import pytest

from sonics.core.errors import PresetError
from sonics.core.model import ShotIntensity
from sonics.presets import (
    DEFAULT_PRESET,
    Preset,
    builtin_descriptions,
    builtin_presets,
    load_preset,
    parse_preset,
    preset_to_dict,
    preset_to_toml,
    read_builtin,
)

BUILTINS = ("aftermath", "ambush", "battle", "cavalry-charge", "duel")

# The generator registry names of issue 3 (sonics.sfx.generators checks them at run time).
GENERATORS = {
    "whoosh", "swish", "impact", "clash", "scrape", "arrow_flyby", "arrow_volley", "thunder", "boom",
    "hooves", "war_drums", "army_roar", "wind", "fire", "riser", "braam", "crows",
}  # fmt: skip

# UCS CatIDs the built-ins may use: all in the UCS catalogue (research note §2.1 and the v8 list).
UCS_CATIDS = {
    "WHSH", "SWSH", "DSGNWhsh", "DSGNImpt", "DSGNBoom", "DSGNRise", "DSGNBram", "FGHTImpt", "METLImpt",
    "WOODImpt", "WEAPSwrd", "WEAPArro", "WEAPBow", "FEETHors", "CRWDBatl", "EXPLReal", "MUSCPerc",
    "WIND", "WINDGust", "FIREBurn", "FIRECrkl", "BIRDCrow", "THUN",
}  # fmt: skip

PRESETS_DIR = Path(__file__).resolve().parents[3] / "presets"


@pytest.fixture(scope="module", params=BUILTINS)
def preset(request) -> Preset:
    return load_preset(request.param)


def test_the_five_builtins_are_found_and_battle_is_the_default():
    assert builtin_presets() == BUILTINS
    assert DEFAULT_PRESET == "battle"


def test_every_builtin_loads_with_its_file_name_and_a_one_line_description(preset):
    assert preset.name in BUILTINS
    assert preset.source == f"{preset.name} (built-in)"
    assert preset.description and "\n" not in preset.description
    assert preset.sfx.layers


def test_every_builtin_round_trips_through_toml_and_dict(preset):
    assert parse_preset(preset_to_toml(preset)) == preset
    assert parse_preset(preset_to_toml(preset, comments=True)) == preset
    assert preset_to_dict(parse_preset(preset_to_toml(preset))) == preset_to_dict(preset)


def test_every_builtin_names_known_generators_and_real_ucs_catids(preset):
    for layer in preset.sfx.layers:
        assert layer.generator in GENERATORS, layer.name
        assert set(layer.ucs) <= UCS_CATIDS, layer.name
        assert layer.source == "auto"
        if layer.generator == "hooves":
            assert set(layer.params) <= {"gait", "n_horses"}
        else:
            assert dict(layer.params) == {}


def test_the_checkout_files_are_the_builtins():
    for name in BUILTINS:
        path = PRESETS_DIR / f"{name}.toml"
        assert read_builtin(name) == path.read_bytes()
        assert load_preset(path) == load_preset(name)
        assert load_preset(str(path)).source == str(path)


def test_presets_list_gets_names_and_descriptions():
    rows = builtin_descriptions()
    assert [name for name, _ in rows] == list(BUILTINS)
    assert all(description for _, description in rows)


def test_unknown_builtin_suggests_the_closest_name():
    with pytest.raises(PresetError) as info:
        load_preset("batle")
    assert info.value.problems == [
        "no built-in preset 'batle' (did you mean 'battle'?); built-in: " + ", ".join(BUILTINS)
    ]


def _layers(preset: Preset) -> dict:
    return {layer.name: layer for layer in preset.sfx.layers}


def test_battle_is_a_full_pass():
    battle = load_preset("battle")
    layers = _layers(battle)
    whoosh = layers["whoosh"]
    # Whooshes sync on their peak (sync auto + whoosh generator), so lead 0 puts the peak on the cut.
    assert "cut" in whoosh.events and whoosh.sync == "auto" and whoosh.lead_ms == 0.0
    assert whoosh.density < 1.0 and whoosh.min_gap_s > 0
    assert layers["impact"].events == ("impact",)
    assert "impact" in layers["clash"].events
    assert layers["cut_hit"].min_weight >= 0.7
    assert layers["flash_boom"].events == ("flash",)
    assert layers["war_drums"].events == ("shot",)
    assert battle.spotting.shot_min_intensity is ShotIntensity.BATTLE
    hooves = layers["hooves"]
    assert hooves.is_bed and hooves.follow == "motion" and hooves.params["gait"] == "gallop"
    assert layers["army_roar"].is_bed
    # The riser stops just before the silence window of the biggest moment, so it is not cleared.
    assert layers["riser"].lead_ms / 1000.0 > battle.spotting.silence_before_biggest_s
    assert layers["riser"].min_weight >= 0.9


def test_cavalry_charge_is_a_herd_that_follows_the_motion():
    layers = _layers(load_preset("cavalry-charge"))
    herd = layers["herd"]
    assert herd.generator == "hooves" and herd.params["n_horses"] >= 20 and herd.params["gait"] == "gallop"
    assert herd.follow == "motion" and herd.floor_db <= -36.0
    assert {"passby", "whoosh", "impact", "army_roar"} <= set(layers)


def test_duel_is_intimate():
    layers = _layers(load_preset("duel"))
    generators = {layer.generator for layer in layers.values()}
    assert {"swish", "clash", "scrape", "wind"} <= generators
    assert not generators & {"army_roar", "war_drums", "hooves", "arrow_volley"}
    assert layers["scrape"].lead_ms < 0  # the scrape follows the clash


def test_ambush_is_arrows_and_drums():
    layers = _layers(load_preset("ambush"))
    assert {"swell", "shot"} <= set(layers["arrow_volley"].events)
    assert layers["arrow_flyby"].events == ("cut",)
    assert {"war_drums", "impact", "wind"} <= set(layers)


def test_aftermath_has_beds_only():
    aftermath = load_preset("aftermath")
    assert all(layer.events == ("bed",) for layer in aftermath.sfx.layers)
    assert {"wind", "fire", "crows"} <= {layer.generator for layer in aftermath.sfx.layers}
