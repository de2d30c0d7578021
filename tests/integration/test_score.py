"""``sonics score`` end to end on a generated cut: every deliverable opens in an independent reader."""

from __future__ import annotations

import json
import os
import wave
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pretty_midi
import pyloudnorm
import pytest
import soundfile
from scipy.signal import resample_poly

from sonics.core.cues import CueSheet
from sonics.core.tempo import TempoMap
from sonics.mix.loudness import loudness_target
from sonics.presets import load_preset

RATE = 48000
EXPECTED = {
    "analysis.json",
    "cues.json",
    "cues.csv",
    "sfx_plan.json",
    "tempo.json",
    "score.json",
    "music.mid",
    "mix.json",
    "mix/dialogue.wav",
    "mix/music.wav",
    "mix/effects.wav",
    "mix/mix.wav",
    "scored.mp4",
    "timeline.otio",
    "timeline.xml",
    "edit.rpp",
    "markers.csv",
    "report.html",
    "run.json",
}


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def scored(edit_video, tmp_path_factory, sonics_cli_module):
    out = tmp_path_factory.mktemp("score") / "out"
    result = sonics_cli_module("score", edit_video.path, "-o", out, "--seed", "7")
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def sonics_cli_module():
    from click.testing import CliRunner

    from sonics.cli import cli

    return lambda *args: CliRunner().invoke(cli, [os.fspath(a) for a in args], catch_exceptions=True)


def test_every_deliverable_is_there(scored):
    names = set(_files(scored))
    assert names >= EXPECTED
    preset = load_preset("battle")
    stems = {n for n in names if n.startswith("stems/")}
    assert {f"stems/sfx_{layer.name}.wav" for layer in preset.sfx.layers} <= stems
    assert {f"stems/music_{part}.wav" for part in preset.music.parts} <= stems
    assert not [n for n in names if Path(n).name.startswith(".")]  # no staging left


def test_every_wav_is_48k_24bit_and_exactly_the_picture(scored, edit_video):
    n_samples = edit_video.n_frames * RATE // 24
    for path in [*scored.glob("stems/*.wav"), *scored.glob("mix/*.wav")]:
        with wave.open(str(path)) as handle:
            assert (handle.getframerate(), handle.getsampwidth(), handle.getnchannels()) == (RATE, 3, 2)
            assert handle.getnframes() == n_samples, path.name


def test_scored_video_copies_the_picture_packet_for_packet(scored, edit_video):
    def packets(path: Path, kind: str) -> list[tuple[bytes, int | None, int | None]]:
        with av.open(str(path)) as container:
            stream = next(s for s in container.streams if s.type == kind)
            return [(bytes(p), p.pts, p.dts) for p in container.demux(stream) if p.size]

    assert packets(scored / "scored.mp4", "video") == packets(edit_video.path, "video")
    with av.open(str(scored / "scored.mp4")) as container:
        (audio,) = container.streams.audio
        assert (audio.codec_context.name, audio.rate, audio.channels) == ("aac", RATE, 2)


def test_the_mix_meets_its_loudness_and_true_peak(scored):
    target = loudness_target("streaming")
    mix, rate = soundfile.read(scored / "mix/mix.wav", always_2d=True)
    lufs = pyloudnorm.Meter(rate).integrated_loudness(mix)
    assert abs(lufs - target.integrated_lufs) <= 0.5
    true_peak = 20 * np.log10(np.abs(resample_poly(mix, 4, 1, axis=0)).max())
    assert true_peak <= target.true_peak_dbtp
    report = json.loads((scored / "mix.json").read_text())
    assert report["measured"]["integrated_lufs"] == pytest.approx(lufs, abs=0.05)


def test_music_ducks_under_the_cut_s_own_speech(scored, edit_video):
    report = json.loads((scored / "mix.json").read_text())
    depth = load_preset("battle").mix.duck_depth_db
    curve = report["curves"]["music"]
    gain_db = np.asarray(curve["gain_db"], dtype=float)
    at = lambda t: gain_db[round(t * curve["rate_hz"])]  # noqa: E731
    start, end = edit_video.speech_regions_s[0]
    assert at(0.2) == pytest.approx(0.0, abs=0.1)  # before the speech
    assert at((start + end) / 2) == pytest.approx(depth, abs=1.0)  # under it


def test_midi_opens_in_pretty_midi_with_sync_hits_on_beats(scored):
    midi = pretty_midi.PrettyMIDI(str(scored / "music.mid"))
    assert midi.instruments and all(i.name for i in midi.instruments)
    assert any(i.is_drum for i in midi.instruments)
    tempo_map = TempoMap.from_dict(json.loads((scored / "tempo.json").read_text()))
    beats = midi.get_beats()
    for hit in tempo_map.hits:
        if hit.sync:
            assert np.min(np.abs(beats - hit.time_s)) < 1e-3


def test_timeline_holds_the_picture_and_every_stem(scored, edit_video):
    timeline = otio.adapters.read_from_file(str(scored / "timeline.otio"))
    video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    audio = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio]
    assert len(video) == 1
    urls = {clip.media_reference.target_url for track in audio for clip in track.find_clips()}
    stems = {p.relative_to(scored).as_posix() for p in scored.glob("stems/*.wav")}
    assert stems <= urls
    for track in audio:
        for clip in track.find_clips():
            assert clip.duration().to_frames() == edit_video.n_frames
    fcp = otio.adapters.read_from_file(str(scored / "timeline.xml"), adapter_name="fcp_xml")
    assert len([t for t in fcp.tracks if t.kind == otio.schema.TrackKind.Audio]) >= len(stems)


def test_the_same_seed_gives_the_same_bytes(scored, edit_video, tmp_path, sonics_cli_module):
    again = tmp_path / "again"
    assert sonics_cli_module("score", edit_video.path, "-o", again, "--seed", "7").exit_code == 0
    first, second = _files(scored), _files(again)
    assert first.keys() == second.keys()
    # FCP XML links the stems by absolute path, so that Premiere finds them: the folder differs
    for files, folder in ((first, scored), (second, again)):
        files["timeline.xml"] = files["timeline.xml"].replace(str(folder.resolve()).encode(), b"OUT")
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_a_rerun_from_the_analysis_and_an_edited_tempo_map(scored, tmp_path, sonics_cli_module):
    tempo = json.loads((scored / "tempo.json").read_text())
    first = tempo["segments"][0]
    edited = TempoMap.constant(100.0, offset_s=0.25, frame_rate=24).to_dict()
    edited["hits"] = tempo["hits"]
    (tmp_path / "tempo.json").write_text(json.dumps(edited))
    out = tmp_path / "rerun"
    result = sonics_cli_module(
        "score", scored / "analysis.json", "--tempo", tmp_path / "tempo.json", "-o", out, "--seed", "7"
    )
    assert result.exit_code == 0, result.stderr
    rerun = TempoMap.from_dict(json.loads((out / "tempo.json").read_text()))
    assert [s.bpm for s in rerun.segments] == [100.0] != [first["bpm"]]
    assert (out / "analysis.json").read_bytes() == (scored / "analysis.json").read_bytes()
    sheet = CueSheet.from_dict(json.loads((out / "cues.json").read_text()))
    assert sheet.to_dict() == CueSheet.from_dict(json.loads((scored / "cues.json").read_text())).to_dict()


def test_an_existing_folder_needs_force_and_an_input_inside_is_refused(scored, tmp_path, sonics_cli_module):
    result = sonics_cli_module("score", scored / "analysis.json", "-o", scored)
    assert result.exit_code == 1
    assert "holds the input" in result.stderr
    target = tmp_path / "exists"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    result = sonics_cli_module("score", scored / "analysis.json", "-o", target)
    assert result.exit_code == 1 and "already exists; use --force" in result.stderr
    assert sorted(os.listdir(target)) == ["keep.txt"]


def test_a_bad_preset_or_an_unwritable_folder_leaves_nothing(scored, tmp_path, sonics_cli_module):
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = 1\nname = "bad"\n[mix]\nloudness = "loud"\n')
    out = tmp_path / "out"
    result = sonics_cli_module("score", scored / "analysis.json", "--preset", bad, "-o", out)
    assert result.exit_code == 1 and "mix.loudness" in result.stderr
    result = sonics_cli_module("score", scored / "analysis.json", "-o", tmp_path / "missing" / "out")
    assert result.exit_code == 1 and "does not exist" in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["bad.toml"]


def test_a_run_that_fails_late_leaves_no_folder_behind(scored, tmp_path, sonics_cli_module, monkeypatch):
    import errno

    from sonics.pipeline import deliver

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(deliver, "mux_scored_video", full_disk)
    out = tmp_path / "out"
    result = sonics_cli_module("score", scored / "analysis.json", "-o", out)
    assert result.exit_code == 1
    assert os.listdir(tmp_path) == []


def test_a_report_without_pictures_says_so(scored, tmp_path, sonics_cli_module, monkeypatch):
    from sonics.core.errors import MediaError
    from sonics.pipeline import deliver

    def undecodable(path, *args, **kwargs):
        raise MediaError(f"{path}: cannot decode frame 12")

    monkeypatch.setattr(deliver, "read_thumbnails", undecodable)
    out = tmp_path / "out"
    result = sonics_cli_module("score", scored / "analysis.json", "-o", out)
    assert result.exit_code == 0, result.stderr
    said = "cannot decode frame 12; the report has no picture strip"
    assert said in result.stderr
    assert any(said in w for w in json.loads((out / "run.json").read_text())["warnings"])
