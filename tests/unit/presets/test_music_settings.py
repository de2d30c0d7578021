import pytest

from sonics.core.errors import PresetError
from sonics.core.score import INSTRUMENTS
from sonics.presets import load_preset, parse_preset, preset_to_toml
from sonics.presets.builtin import builtin_presets
from sonics.presets.schema import MusicSettings

HEAD = 'schema = 1\nname = "t"\n[music]\n'


def test_defaults_are_a_battle_palette_in_d_minor():
    music = MusicSettings()
    assert (music.key, music.mode) == ("D", "minor")
    assert music.parts == ("taiko", "cymbals", "low_strings", "high_strings", "brass", "pad", "choir")
    assert [music.program(p) for p in ("taiko", "low_strings", "brass", "choir")] == [0, 48, 61, 52]


def test_a_music_table_is_read_and_written_back():
    text = HEAD + 'mode = "zhi"\nparts = ["koto", "dizi"]\ngm_programs = { dizi = 77 }\nsting = false\n'
    preset = parse_preset(text)
    assert preset.music.parts == ("koto", "dizi") and preset.music.program("dizi") == 77
    assert preset.music.program("koto") == INSTRUMENTS["koto"] and preset.music.sting is False
    assert parse_preset(preset_to_toml(preset)) == preset


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('parts = ["kotoo"]', r"parts\[0\]: 'kotoo' is not an instrument \(did you mean 'koto'\?\)"),
        ("parts = []", "parts: name at least one instrument"),
        ("gm_programs = { erhu = 110 }", "gm_programs.erhu: not an instrument"),
        (
            "gm_programs = { dizi = 128 }",
            r"gm_programs.dizi: a program must be an integer in 0\.\.127, got 128",
        ),
        ("gm_programs = { dizi = true }", "gm_programs.dizi: a program must be an integer"),
        ("gm_programs = { taiko = 48 }", "taiko and cymbals share the drum channel"),
    ],
)
def test_bad_palettes_name_the_key_and_the_rule(table, message):
    with pytest.raises(PresetError, match=message):
        parse_preset(HEAD + table + "\n")


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('parts = ["koto", "koto"]', "music.parts[1]: 'koto' is listed twice (also at [0])"),
        ('ostinato = "waltz"', "music.ostinato: 'waltz' is not one of eighths, gallop, sixteenths"),
        ("riser_beats = 40", "music.riser_beats: 40 is outside [0, 32] beats"),
        ("silence_before_biggest_s = -1", "music.silence_before_biggest_s: -1 is outside [0, 3] s"),
        ("humanize_velocity = 2.5", "music.humanize_velocity: expected an integer, got float 2.5"),
        ('sting = "yes"', "music.sting: expected true or false, got string 'yes'"),
    ],
)
def test_bad_values_are_preset_problems(table, problem):
    with pytest.raises(PresetError) as info:
        parse_preset(HEAD + table + "\n", "t.toml")
    assert info.value.problems == [problem]


def test_every_builtin_has_a_music_table_of_its_own():
    palettes = {name: load_preset(name).music for name in builtin_presets()}
    assert len({m.parts for m in palettes.values()}) == len(palettes)
    assert palettes["battle"].mode == "yu" and "taiko" in palettes["battle"].parts
    assert palettes["cavalry-charge"].ostinato == "gallop"
    assert {"koto", "pipa"} <= set(palettes["duel"].parts) and "taiko" not in palettes["duel"].parts
    aftermath = palettes["aftermath"]
    assert not {"taiko", "cymbals", "brass"} & set(aftermath.parts) and "dizi" in aftermath.parts
    assert not aftermath.sting and not aftermath.accents and aftermath.riser_beats == 0
    for name, music in palettes.items():
        spotting = load_preset(name).spotting
        # The music drops out with the effects before the biggest moment.
        assert music.silence_before_biggest_s == spotting.silence_before_biggest_s, name
