"""``sonics fit-music`` end to end: files read back with independent readers (soundfile, json)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from sonics.testing.music import band_track

N_SAMPLES = 72 * 2000  # the shared edit: 72 frames at 24 fps


@pytest.fixture(scope="module")
def track_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tracks")
    truth = band_track(bpm=120.0, form="A", bars_per_section=2, tail_s=1.0, sample_rate=44100, seed=6)
    files = {}
    for suffix, subtype in ((".wav", "PCM_16"), (".flac", "PCM_16")):
        path = folder / f"cue{suffix}"
        soundfile.write(path, truth.audio.T, 44100, subtype=subtype)
        files[suffix] = path
    silent = folder / "silent.wav"
    soundfile.write(silent, np.zeros((44100 * 2, 2)), 44100, subtype="PCM_16")
    files["silent"] = silent
    broken = folder / "broken.mp3"
    broken.write_bytes(b"this is not audio" * 100)
    files["broken"] = broken
    return files


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_fit_music_writes_the_fitted_track_edit_list_and_tempo_map(
    sonics_cli, edit_video, track_files, tmp_path, suffix
):
    out = tmp_path / "out"
    result = sonics_cli("fit-music", edit_video.path, track_files[suffix], "-o", out, "-q")
    assert result.exit_code == 0, result.stderr
    audio, rate = soundfile.read(out / "music.wav", dtype="float32")
    assert rate == 48000 and audio.shape == (N_SAMPLES, 2)
    assert np.abs(audio).max() > 0.1
    fit = json.loads((out / "fit.json").read_text())
    assert fit["schema"] == "sonics.fit/1" and fit["n_samples"] == N_SAMPLES
    assert (
        fit["pieces"][0]["output_start_sample"] == 0 and fit["pieces"][-1]["output_end_sample"] == N_SAMPLES
    )
    assert {"before", "after"} <= set(fit["report"])
    tempo = json.loads((out / "tempo.json").read_text())
    assert tempo["schema"] == "sonics.tempo/1" and len(tempo["hits"]) == 3
    assert "hits on beats" in result.stdout or result.stdout == ""


def test_the_same_input_gives_the_same_bytes(sonics_cli, edit_video, track_files, tmp_path):
    digests = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert sonics_cli("fit-music", edit_video.path, track_files[".wav"], "-o", out, "-q").exit_code == 0
        digests.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert digests[0] == digests[1]


@pytest.mark.parametrize(("key", "fragment"), [("broken", "broken.mp3"), ("silent", "silent")])
def test_a_bad_track_gives_one_line_and_no_output(
    sonics_cli, edit_video, track_files, tmp_path, key, fragment
):
    out = tmp_path / "out"
    result = sonics_cli("fit-music", edit_video.path, track_files[key], "-o", out, "-q")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sonics: error: ") and fragment in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_an_existing_fit_is_kept_without_force(sonics_cli, edit_video, track_files, tmp_path):
    out = tmp_path / "out"
    assert sonics_cli("fit-music", edit_video.path, track_files[".wav"], "-o", out, "-q").exit_code == 0
    again = sonics_cli("fit-music", edit_video.path, track_files[".wav"], "-o", out, "-q")
    assert again.exit_code == 1 and "--force" in again.stderr
    assert (
        sonics_cli("fit-music", edit_video.path, track_files[".wav"], "-o", out, "-q", "--force").exit_code
        == 0
    )
