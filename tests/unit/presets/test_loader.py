import dataclasses
from pathlib import Path
from types import MappingProxyType

import pytest

from sonics.core.errors import ParameterError, PresetError
from sonics.presets import (
    EVENTS,
    LayerSettings,
    MixSettings,
    MusicSettings,
    Preset,
    SfxSettings,
    SpottingSettings,
    TempoSettings,
    describe_fields,
    load_preset,
    parse_preset,
    preset_to_toml,
)

HEAD = 'schema = 1\nname = "test"\n'
LAYER = '[[sfx.layers]]\nname = "whoosh"\nevents = ["cut"]\ngenerator = "whoosh"\n'


def problems(text, source="t.toml"):
    with pytest.raises(PresetError) as info:
        parse_preset(text, source)
    assert info.value.source == source
    return info.value.problems


def test_minimal_preset_takes_every_default():
    preset = parse_preset(HEAD + LAYER)
    assert preset.spotting == SpottingSettings()
    assert preset.sfx.premix_peak_db == -1.0
    layer = preset.sfx.layers[0]
    assert layer == LayerSettings("whoosh", ("cut",), "whoosh")
    assert layer.events == ("cut",) and layer.duration_s == (0.5, 1.5) and not layer.is_bed
    assert preset.source == "<string>"


def test_integers_are_accepted_for_floats_and_stored_as_floats():
    preset = parse_preset(HEAD + LAYER + "gain_db = -6\nduration_s = [1, 2]\n")
    layer = preset.sfx.layers[0]
    assert layer.gain_db == -6.0 and isinstance(layer.gain_db, float)
    assert layer.duration_s == (1.0, 2.0) and all(isinstance(v, float) for v in layer.duration_s)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            LAYER.replace("events", "evnts"),
            ["sfx.layers[0].evnts: unknown key (did you mean 'events'?)", "sfx.layers[0].events: missing"],
        ),
        (LAYER + "gain_db = 6.0\n", "sfx.layers[0].gain_db: 6.0 is outside [-60, 0] dB"),
        (LAYER + "lead_ms = -501\n", "sfx.layers[0].lead_ms: -501 is outside [-500, 500] ms"),
        (LAYER + "gain_db = 'loud'\n", "sfx.layers[0].gain_db: expected a number, got string 'loud'"),
        (LAYER + "gain_db = true\n", "sfx.layers[0].gain_db: expected a number, got boolean true"),
        (LAYER + "gain_db = nan\n", "sfx.layers[0].gain_db: nan is not a finite number"),
        (LAYER + "gain_db = -inf\n", "sfx.layers[0].gain_db: -inf is not a finite number"),
        (
            LAYER + "source = 'sample'\n",
            "sfx.layers[0].source: 'sample' is not one of auto, generator, samples (did you mean 'samples'?)",
        ),
        (
            LAYER + "sync = 'Peak'\n",
            "sfx.layers[0].sync: 'Peak' is not one of auto, onset, peak (did you mean 'peak'?)",
        ),
        (LAYER + "follow = 3\n", "sfx.layers[0].follow: expected a string, got integer 3"),
        (
            LAYER.replace('["cut"]', '["cuts"]'),
            "sfx.layers[0].events[0]: 'cuts' is not an event (did you mean 'cut'?); events: "
            + ", ".join(EVENTS),
        ),
        (
            LAYER.replace('["cut"]', "[]"),
            "sfx.layers[0].events: must name at least one event (" + ", ".join(EVENTS) + ")",
        ),
        (
            LAYER.replace('["cut"]', '"cut"'),
            "sfx.layers[0].events: expected an array of strings, got string 'cut'",
        ),
        (
            LAYER.replace('["cut"]', '["cut", "cut"]'),
            "sfx.layers[0].events[1]: 'cut' is listed twice (also at [0])",
        ),
        (
            LAYER.replace('["cut"]', '["cut", "bed"]'),
            "sfx.layers[0].events: 'bed' cannot be combined with other events "
            "(a layer is either a bed or hits)",
        ),
        (LAYER + "duration_s = [2.0, 1.0]\n", "sfx.layers[0].duration_s: min 2.0 is above max 1.0"),
        (LAYER + "duration_s = [0.01, 1.0]\n", "sfx.layers[0].duration_s[0]: 0.01 is outside [0.05, 600] s"),
        (LAYER + "duration_s = 1.0\n", "sfx.layers[0].duration_s: expected [min, max], got float 1.0"),
        (LAYER + "duration_s = [1.0]\n", "sfx.layers[0].duration_s: expected [min, max], got an array of 1"),
        (
            LAYER + "ucs = ['WEAP_Swrd']\n",
            "sfx.layers[0].ucs[0]: 'WEAP_Swrd' is not a UCS CatID (letters and digits, starting upper-case, "
            "e.g. 'WHSH' or 'WEAPSwrd')",
        ),
        (LAYER + "samples = ['']\n", "sfx.layers[0].samples[0]: must not be empty"),
        (
            LAYER + "params = { n = { a = 1 } }\n",
            "sfx.layers[0].params.n: expected a string, number, boolean or array of them, got a table",
        ),
        (
            LAYER + "params = 3\n",
            'sfx.layers[0].params: expected a table, e.g. { gait = "gallop" }, got integer 3',
        ),
        (
            LAYER.replace('"whoosh"\nevents', '"Whoosh 1"\nevents'),
            "sfx.layers[0].name: 'Whoosh 1' is not valid "
            "(lower-case letters, digits and _, starting with a letter)",
        ),
        (LAYER + LAYER, "sfx.layers[1].name: 'whoosh' is already used by sfx.layers[0].name"),
        (LAYER.replace('generator = "whoosh"\n', ""), "sfx.layers[0].generator: missing"),
        ("[sfx]\nlayers = 3\n", "sfx.layers: expected an array of tables ([[sfx.layers]]), got integer 3"),
        ("[sfx]\npremix_peak_db = 1.0\n", "sfx.premix_peak_db: 1.0 is outside [-20, 0] dB"),
        ("[sfx]\ndensity = 0.5\n", "sfx.density: unknown key (known keys: premix_peak_db, layers)"),
        ("[spotting]\nswell_threshold = 1.5\n", "spotting.swell_threshold: 1.5 is outside [0, 1]"),
        (
            "[spotting]\nshot_min_intensity = 'battel'\n",
            "spotting.shot_min_intensity: 'battel' is not one of calm, tension, battle "
            "(did you mean 'battle'?)",
        ),
        (
            "[spotting]\nswel_threshold = 0.4\n",
            "spotting.swel_threshold: unknown key (did you mean 'swell_threshold'?)",
        ),
        ("spotting = 3\n", "spotting: expected a table ([spotting]), got integer 3"),
        ("music = 3\n", "music: expected a table ([music]), got integer 3"),
        ("descripton = 'x'\n", "descripton: unknown key (did you mean 'description'?)"),
        (
            "[analysis]\n",
            "analysis: unknown key (known keys: schema, name, description, spotting, sfx, tempo, music, mix)",
        ),
        ('description = "a\\nb"\n', "description: 'a\\nb' is not valid (one line)"),
    ],
)
def test_each_problem_names_its_key_path(text, expected):
    assert problems(HEAD + text) == (expected if isinstance(expected, list) else [expected])


def test_schema_and_name_problems():
    assert problems('name = "x"\n') == ["schema: missing (put schema = 1 first)"]
    assert problems('schema = 2\nname = "x"\n') == ["schema: 2 is not supported (this sonics reads schema 1)"]
    assert problems('schema = "1"\nname = "x"\n') == ["schema: expected an integer, got string '1'"]
    assert problems("schema = 1\n") == ["name: missing"]
    assert problems('schema = 1\nname = "Battle Two"\n') == [
        "name: 'Battle Two' is not valid (lower-case letters, digits, _ and -, starting with a letter)"
    ]


def test_every_problem_is_listed_at_once_in_file_order():
    text = (
        'name = "x"\n[spotting]\nswell_threshold = 2\nshot_min_intensity = "epic"\n'
        + LAYER.replace("events", "evnts")
        + LAYER.replace('"whoosh"\nevents', '"hit"\nevents')
        + "gain_db = 3\npan = -2\n"
    )
    with pytest.raises(PresetError) as info:
        parse_preset(text, "many.toml")
    assert info.value.problems == [
        "schema: missing (put schema = 1 first)",
        "spotting.swell_threshold: 2 is outside [0, 1]",
        "spotting.shot_min_intensity: 'epic' is not one of calm, tension, battle",
        "sfx.layers[0].evnts: unknown key (did you mean 'events'?)",
        "sfx.layers[0].events: missing",
        "sfx.layers[1].gain_db: 3 is outside [-60, 0] dB",
        "sfx.layers[1].pan: -2 is outside [-1, 1]",
    ]
    message = str(info.value)
    assert message.startswith("invalid preset many.toml: 7 problem(s)\n")
    assert "  - sfx.layers[1].pan: -2 is outside [-1, 1]" in message


def test_tempo_music_and_mix_tables_are_checked_like_the_others():
    preset = parse_preset(
        HEAD + "[tempo]\nmeter = '3/4'\n[music]\nmode = 'yu'\n[mix]\nloudness = 'ebu-r128'\n" + LAYER
    )
    assert (preset.tempo.meter_tuple, preset.music.mode, preset.mix.loudness) == ((3, 4), "yu", "ebu-r128")
    assert parse_preset(preset_to_toml(preset)) == preset
    assert problems(HEAD + "[music]\ntempo = 'x'\n[mix]\nloudness = -23\n[tempo]\nmeter = '4/5'\n") == [
        "music.tempo: unknown key (known keys: key, mode, gain_db, parts, gm_programs, intensity_scale, "
        "min_section_bars, ostinato, accents, accent_min_weight, riser_beats, riser_min_weight, "
        "silence_before_biggest_s, sting, humanize_velocity, humanize_ms)",
        "mix.loudness: expected a string, got integer -23",
        "tempo.meter: '4/5' is not valid (numerator/denominator, e.g. 4/4 or 6/8)",
    ]


def test_toml_syntax_error_gives_line_and_column():
    assert problems(HEAD + "[spotting]\nswell_threshold = \n") == [
        "toml syntax error at line 4, column 19: invalid value"
    ]
    assert problems(HEAD + "a = [1,") == ["toml syntax error at end of document: invalid value"]
    assert problems(HEAD + "schema = 1\n")[0].startswith("toml syntax error at line 3, column")


def test_bytes_must_be_utf8_and_a_bom_is_ignored():
    assert problems((HEAD + 'description = "caf\xe9"\n').encode("latin-1")) == [
        "not UTF-8 text (byte 0xe9 on line 3); save it as UTF-8"
    ]
    assert parse_preset(b"\xef\xbb\xbf" + HEAD.encode()).name == "test"
    assert parse_preset(HEAD + 'description = "café ⚔"\n').description == "café ⚔"


def test_file_errors(tmp_path):
    missing = tmp_path / "none.toml"
    with pytest.raises(PresetError) as info:
        load_preset(missing)
    assert (info.value.source, info.value.problems) == (str(missing), ["no such file"])
    with pytest.raises(PresetError) as info:
        load_preset(str(missing))
    assert info.value.problems == ["no such file"]
    with pytest.raises(PresetError) as info:
        load_preset(tmp_path)
    assert info.value.problems == ["is a folder, not a preset file"]
    bad = tmp_path / "bad.toml"
    bad.write_text(HEAD + LAYER + "gain_db = 6.0\n")
    with pytest.raises(PresetError) as info:
        load_preset(bad)
    assert info.value.source == str(bad)
    assert info.value.problems == ["sfx.layers[0].gain_db: 6.0 is outside [-60, 0] dB"]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (PermissionError(13, "Permission denied"), "cannot read the file (permission denied)"),
        (OSError(5, "Input/output error"), "cannot read the file (Input/output error)"),
    ],
)
def test_unreadable_file(tmp_path, monkeypatch, error, expected):
    # Simulated: the tests may run as root, who reads any file.
    locked = tmp_path / "locked.toml"
    locked.write_text(HEAD)

    def refuse(self):
        raise error

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(PresetError) as info:
        load_preset(locked)
    assert info.value.problems == [expected]


def test_a_preset_file_in_the_working_folder_is_found_by_path(tmp_path, monkeypatch):
    (tmp_path / "mine.toml").write_text(HEAD.replace("test", "mine"))
    monkeypatch.chdir(tmp_path)
    assert load_preset("mine.toml").name == "mine"


def test_toml_text_escapes_round_trip():
    preset = Preset("odd", 'quotes " and \\ and tab\t and é ⚔ \x7f')
    assert parse_preset(preset_to_toml(preset)) == preset


def test_params_keep_their_types_and_are_read_only():
    preset = parse_preset(
        HEAD + LAYER + 'params = { gait = "gallop", n_horses = 24, spread = [0.1, 0.2], on = true }\n'
    )
    params = preset.sfx.layers[0].params
    assert dict(params) == {"gait": "gallop", "n_horses": 24, "spread": (0.1, 0.2), "on": True}
    assert isinstance(params["n_horses"], int)
    assert isinstance(params, MappingProxyType)
    with pytest.raises(TypeError):
        params["gait"] = "walk"
    assert parse_preset(preset_to_toml(preset)) == preset


def test_settings_built_in_python_are_coerced_and_checked():
    layer = LayerSettings(
        "hooves", ["bed"], "hooves", duration_s=[1, 2], params={"gait": "walk"}, ucs=["FEETHors"]
    )
    assert layer.events == ("bed",) and layer.is_bed and layer.duration_s == (1.0, 2.0)
    assert layer.ucs == ("FEETHors",) and dict(layer.params) == {"gait": "walk"}
    with pytest.raises(ParameterError, match=r"layer 'x': gain_db: 6 is outside \[-60, 0\] dB"):
        LayerSettings("x", ["cut"], "whoosh", gain_db=6)
    with pytest.raises(ParameterError, match=r"events\[0\]: 'cuts' is not an event"):
        LayerSettings("x", ["cuts"], "whoosh")
    with pytest.raises(ParameterError, match="shot_min_intensity"):
        SpottingSettings(shot_min_intensity="epic")
    with pytest.raises(ParameterError, match="'a' is used twice"):
        SfxSettings(layers=[LayerSettings("a", ["cut"], "whoosh"), LayerSettings("a", ["bed"], "wind")])
    with pytest.raises(dataclasses.FrozenInstanceError):
        layer.gain_db = 0.0  # type: ignore[misc]


def test_sfx_layer_lookup():
    sfx = load_preset("battle").sfx
    assert sfx.layer("hooves").generator == "hooves"
    with pytest.raises(ParameterError, match=r"no layer named 'hoves' \(did you mean 'hooves'\?\)"):
        sfx.layer("hoves")


def test_describe_fields_covers_every_key_once():
    rows = describe_fields()
    keys = [row.key for row in rows]
    assert len(keys) == len(set(keys))
    expected = ["schema", "name", "description"]
    expected += [f"spotting.{f.name}" for f in dataclasses.fields(SpottingSettings)]
    expected += ["sfx.premix_peak_db"]
    expected += [f"sfx.layers[].{f.name}" for f in dataclasses.fields(LayerSettings)]
    for table, cls in (("tempo", TempoSettings), ("music", MusicSettings), ("mix", MixSettings)):
        expected += [f"{table}.{f.name}" for f in dataclasses.fields(cls)]
    assert keys == expected
    by_key = {row.key: row for row in rows}
    gain = by_key["sfx.layers[].gain_db"]
    assert (gain.type, gain.range, gain.unit, gain.default) == ("float", "[-60, 0] dB", "dB", "-12.0")
    assert by_key["sfx.layers[].events"].default == "required"
    assert by_key["sfx.layers[].sync"].range == "auto|onset|peak"
    assert by_key["sfx.layers[].duration_s"].default == "[0.5, 1.5]"
    assert by_key["spotting.shot_min_intensity"].default == '"tension"'
    assert all(row.doc for row in rows)


def test_describe_fields_defaults_are_what_a_file_without_the_key_gets():
    rows = describe_fields()
    spotting = [
        f"{row.key.split('.', 1)[1]} = {row.default}" for row in rows if row.key.startswith("spotting.")
    ]
    layer = [
        f"{row.key.split('.', 2)[2]} = {row.default}"
        for row in rows
        if row.key.startswith("sfx.layers[].") and row.default != "required"
    ]
    text = HEAD + "[spotting]\n" + "\n".join(spotting) + "\n" + LAYER + "\n".join(layer) + "\n"
    assert parse_preset(text) == parse_preset(HEAD + LAYER)


def test_a_rule_across_keys_names_the_file():
    with pytest.raises(PresetError) as info:
        parse_preset(HEAD + "[tempo]\nmin_bpm = 150\nmax_bpm = 90\n" + LAYER, source="odd.toml")
    assert str(info.value).startswith("invalid preset odd.toml: 1 problem(s)")
    assert "min_bpm 150.0 is above max_bpm 90.0" in str(info.value)
