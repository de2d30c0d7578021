"""``sonics music``: the score of a generated cut, read back with independent readers."""

from __future__ import annotations

import json
import wave

import numpy as np
import pretty_midi

from sonics.core.tempo import TempoMap
from sonics.io.soundfont import soundfont_renderer
from sonics.presets import load_preset


def test_music_writes_the_score_its_midi_and_a_stem_per_part(sonics_cli, edit_video, tmp_path):
    out = tmp_path / "music"
    result = sonics_cli("music", edit_video.path, "-o", out, "--preset", "duel", "--seed", "2")
    assert result.exit_code == 0, result.stderr
    parts = load_preset("duel").music.parts
    assert sorted(p.name for p in (out / "stems").iterdir()) == sorted(f"music_{p}.wav" for p in parts)
    n_samples = edit_video.n_frames * 2000
    for path in [*(out / "stems").iterdir(), out / "music.wav"]:
        with wave.open(str(path)) as handle:
            assert (handle.getframerate(), handle.getsampwidth(), handle.getnframes()) == (
                48000,
                3,
                n_samples,
            )
    midi = pretty_midi.PrettyMIDI(str(out / "music.mid"))
    assert sorted(i.name for i in midi.instruments) == sorted(parts)
    tempo_map = TempoMap.from_dict(json.loads((out / "tempo.json").read_text()))
    beats = midi.get_beats()
    assert all(np.min(np.abs(beats - h.time_s)) < 1e-3 for h in tempo_map.hits if h.sync)
    again = tmp_path / "again"
    assert sonics_cli("music", edit_video.path, "-o", again, "--preset", "duel", "--seed", "2").exit_code == 0
    assert all(
        (out / n).read_bytes() == (again / n).read_bytes() for n in ("music.mid", "music.wav", "score.json")
    )


def test_a_soundfont_without_a_renderer_or_file_is_one_clear_line(sonics_cli, edit_video, tmp_path):
    out = tmp_path / "music"
    result = sonics_cli("music", edit_video.path, "-o", out, "--soundfont", tmp_path / "none.sf2")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "none.sf2" in result.stderr or soundfont_renderer() is None
    assert not out.exists()
