"""``sonics sfx`` and ``sonics presets`` end to end, checked with independent readers (soundfile, csv)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from sonics.presets import builtin_presets, load_preset

N_SAMPLES = 72 * 2000  # the shared edit: 72 frames at 24 fps, 2000 samples of 48 kHz per frame


def _ok(result) -> None:
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.output


def _fails_with(result, *fragments: str) -> None:
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines and lines[0].startswith("sonics: error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def battle_out(tmp_path_factory, edit_video) -> Path:
    from click.testing import CliRunner

    from sonics.cli import cli

    out = tmp_path_factory.mktemp("sfx") / "out"
    result = CliRunner().invoke(cli, ["sfx", str(edit_video.path), "-o", str(out), "--seed", "3", "-q"])
    _ok(result)
    return out


def test_a_pass_writes_one_exact_length_stem_per_layer_and_the_cue_files(battle_out):
    layers = [layer.name for layer in load_preset("battle").sfx.layers]
    assert sorted(p.name for p in (battle_out / "stems").iterdir()) == sorted(f"sfx_{n}.wav" for n in layers)
    for name in layers:
        info = soundfile.info(battle_out / "stems" / f"sfx_{name}.wav")
        assert (info.samplerate, info.channels, info.frames, info.subtype) == (48000, 2, N_SAMPLES, "FLOAT")
    mix, rate = soundfile.read(battle_out / "sfx.wav", dtype="float32")
    assert rate == 48000 and mix.shape == (N_SAMPLES, 2)
    assert 0 < np.abs(mix).max() <= 10 ** (load_preset("battle").sfx.premix_peak_db / 20) + 1e-6
    cues = json.loads((battle_out / "cues.json").read_text())
    assert cues["schema"] == "sonics.cues/1" and cues["n_samples"] == N_SAMPLES
    assert cues["layers"] == layers
    plan = json.loads((battle_out / "sfx_plan.json").read_text())
    assert plan["schema"] == "sonics.sfxplan/1" and len(plan["sounds"]) == len(cues["cues"])
    rows = list(csv.DictReader(io.StringIO((battle_out / "cues.csv").read_text())))
    assert len(rows) == len(cues["cues"])
    assert {"timecode", "layer", "what", "why"} <= set(rows[0])


def test_whooshes_peak_on_the_hard_cuts(battle_out, edit_video):
    cues = json.loads((battle_out / "cues.json").read_text())["cues"]
    whooshes = [c for c in cues if c["layer"] == "whoosh"]
    cut_times = {round(f / 24, 6) for f in edit_video.truth.hard_cuts}
    assert whooshes and {c["time_s"] for c in whooshes} <= cut_times
    stem, _ = soundfile.read(battle_out / "stems" / "sfx_whoosh.wav", dtype="float64")
    for cue in whooshes:
        at = round(cue["time_s"] * 48000)
        window = stem[max(0, at - 12000) : at + 12000]
        energy = np.convolve(np.mean(window**2, axis=1), np.ones(480), mode="same")
        assert abs(max(0, at - 12000) + int(np.argmax(energy)) - at) <= 1


def test_the_premix_is_the_sum_of_the_stems(battle_out):
    stems = [soundfile.read(p, dtype="float64")[0] for p in sorted((battle_out / "stems").glob("sfx_*.wav"))]
    mix, _ = soundfile.read(battle_out / "sfx.wav", dtype="float64")
    total = np.sum(stems, axis=0)
    scale = np.abs(mix).max() / np.abs(total).max()
    assert scale <= 1.0 + 1e-6
    np.testing.assert_allclose(mix, total * scale, atol=2e-7)


def test_same_seed_gives_byte_identical_files(sonics_cli, battle_out, edit_video, tmp_path):
    _ok(sonics_cli("sfx", edit_video.path, "-o", tmp_path / "again", "--seed", "3", "-q"))
    assert _files(tmp_path / "again") == _files(battle_out)
    _ok(sonics_cli("sfx", edit_video.path, "-o", tmp_path / "other", "--seed", "4", "-q"))
    assert _files(tmp_path / "other")["stems/sfx_whoosh.wav"] != _files(battle_out)["stems/sfx_whoosh.wav"]


def test_a_second_pass_adds_its_layers_and_keeps_the_others(sonics_cli, battle_out, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(battle_out, out)
    before = _files(out)
    # re-spot from the analysis the first pass wrote: no video needed
    _ok(sonics_cli("sfx", out / "analysis.json", "-o", out, "--preset", "aftermath", "--seed", "1", "-q"))
    after = _files(out)
    aftermath = [layer.name for layer in load_preset("aftermath").sfx.layers]
    battle = [layer.name for layer in load_preset("battle").sfx.layers]
    for name in battle:
        if name not in aftermath:
            assert after[f"stems/sfx_{name}.wav"] == before[f"stems/sfx_{name}.wav"]
    for name in aftermath:
        assert f"stems/sfx_{name}.wav" in after
    cues = json.loads(after["cues.json"])
    assert set(cues["layers"]) == set(battle) | set(aftermath)
    assert cues["preset"] == "battle+aftermath"
    assert after["analysis.json"] == before["analysis.json"]
    assert after["sfx.wav"] != before["sfx.wav"]


def test_a_pass_over_another_picture_is_refused_unless_forced(
    sonics_cli, battle_out, edit_video_ntsc, tmp_path
):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(battle_out, out)
    before = _files(out)
    _fails_with(sonics_cli("sfx", edit_video_ntsc.path, "-o", out, "-q"), "another picture", "--force")
    assert _files(out) == before
    _ok(sonics_cli("sfx", edit_video_ntsc.path, "-o", out, "-q", "--force"))


def test_sample_mode_uses_the_starter_library(sonics_cli, edit_video, tmp_path):
    starter = Path(__file__).resolve().parents[2] / "samples" / "sfx"
    out = tmp_path / "out"
    _ok(sonics_cli("sfx", edit_video.path, "-o", out, "--samples", starter, "-q"))
    plan = json.loads((out / "sfx_plan.json").read_text())
    used = {s["name"] for s in plan["sounds"] if s["source"] == "sample"}
    assert any(name.startswith("WHSH_") for name in used)
    assert plan["library"] == str(starter)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--preset", "batle"), ("batle", "did you mean 'battle'")),
        (("--samples", "no/such/folder"), ("no/such/folder",)),
        (("--set", "sfx.layers.whoosh.gain_db=6"), ("gain_db", "[-60, 0]")),
        (("--seed", "-1"), ()),
    ],
)
def test_bad_options_fail_cleanly_and_write_nothing(sonics_cli, edit_video, tmp_path, args, fragments):
    result = sonics_cli("sfx", edit_video.path, "-o", tmp_path / "out", "-q", *args)
    if args[0] == "--seed":
        assert result.exit_code == 2
    else:
        _fails_with(result, *fragments)
    assert not (tmp_path / "out").exists()


def test_a_bad_preset_file_lists_every_problem(sonics_cli, edit_video, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'schema = 1\nname = "bad"\n[[sfx.layers]]\nname = "a"\nevents = ["cut"]\ngenerator = "wooosh"\n'
        "gain_db = 3.0\n"
    )
    result = sonics_cli("sfx", edit_video.path, "-o", tmp_path / "out", "--preset", bad, "-q")
    _fails_with(result, "sfx.layers[0].gain_db", str(bad))
    result = sonics_cli("presets", "check", bad)
    _fails_with(result, "sfx.layers[0].gain_db")
    bad.write_text(
        'schema = 1\nname = "bad"\n[[sfx.layers]]\nname = "a"\nevents = ["cut"]\ngenerator = "wooosh"\n'
    )
    _fails_with(sonics_cli("presets", "check", bad), "sfx.layers[0].generator", "did you mean 'whoosh'")
    assert not (tmp_path / "out").exists()


def test_an_unwritable_output_folder_fails_cleanly(sonics_cli, edit_video, tmp_path):
    _fails_with(
        sonics_cli("sfx", edit_video.path, "-o", tmp_path / "missing" / "out", "-q"), "does not exist"
    )
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _fails_with(sonics_cli("sfx", edit_video.path, "-o", blocker, "-q"), "is a file")
    assert blocker.read_text() == "x"


def test_presets_list_show_and_check(sonics_cli, tmp_path):
    listed = sonics_cli("presets", "list")
    _ok(listed)
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(builtin_presets())
    shown = sonics_cli("presets", "show", "ambush")
    _ok(shown)
    copy = tmp_path / "mine.toml"
    copy.write_text(shown.stdout)
    checked = sonics_cli("presets", "check", copy)
    _ok(checked)
    assert "ok" in checked.stdout
    for name in builtin_presets():
        _ok(sonics_cli("presets", "check", name))


def _sample_preset(tmp_path: Path, samples: str = "") -> Path:
    preset = tmp_path / "hits.toml"
    preset.write_text(
        'schema = 1\nname = "hits"\n[[sfx.layers]]\nname = "hit"\nevents = ["cut"]\ngenerator = "impact"\n'
        f'source = "samples"\nucs = ["FGHTImpt"]\n{samples}\n'
    )
    return preset


@pytest.mark.parametrize(
    ("content", "fragment"),
    [("silent", "silent"), ("garbage", "FGHTImpt_Bad_TEST_Lib.wav")],
)
def test_an_unusable_sample_fails_cleanly_naming_the_file(
    sonics_cli, edit_video, tmp_path, content, fragment
):
    library = tmp_path / "library"
    library.mkdir()
    path = library / "FGHTImpt_Bad_TEST_Lib.wav"
    if content == "silent":
        soundfile.write(path, np.zeros(4800, dtype=np.float32), 48000)
    else:
        path.write_bytes(b"RIFF not really a wave file")
    before = path.read_bytes()
    result = sonics_cli(
        "sfx",
        edit_video.path,
        "-o",
        tmp_path / "out",
        "--samples",
        library,
        "--preset",
        _sample_preset(tmp_path),
        "-q",
    )
    _fails_with(result, fragment, str(path))
    assert not (tmp_path / "out").exists()
    assert path.read_bytes() == before


def test_a_named_sample_missing_from_the_library_fails_cleanly(sonics_cli, edit_video, tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    soundfile.write(library / "FGHTImpt_Punch_TEST_Lib.wav", np.ones(480, dtype=np.float32) * 0.5, 48000)
    preset = _sample_preset(tmp_path, 'samples = ["punches/FGHTImpt_Gone_TEST_Lib.wav"]')
    result = sonics_cli(
        "sfx", edit_video.path, "-o", tmp_path / "out", "--samples", library, "--preset", preset, "-q"
    )
    _fails_with(result, "FGHTImpt_Gone_TEST_Lib.wav")
    assert not (tmp_path / "out").exists()
