from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import mido
import numpy as np
import pytest

from sonics.core.errors import MediaError, ParameterError
from sonics.io import soundfont
from sonics.io.soundfont import render_soundfont, soundfont_renderer

SR = 48_000


def _midi() -> bytes:
    """Two tracks: a piano chord and a drum hit, programs on every channel, 120 BPM."""
    mid = mido.MidiFile(ticks_per_beat=480)
    for channel, program, note in ((0, 0, 60), (9, 0, 36)):
        track = mido.MidiTrack()
        track.append(mido.MetaMessage("track_name", name=f"ch{channel}"))
        track.append(mido.Message("program_change", channel=channel, program=program, time=0))
        track.append(mido.Message("note_on", channel=channel, note=note, velocity=110, time=0))
        track.append(mido.Message("note_off", channel=channel, note=note, velocity=0, time=480))
        mid.tracks.append(track)
    buffer = io.BytesIO()
    mid.save(file=buffer)
    return buffer.getvalue()


def _a_soundfont() -> Path | None:
    candidates = sorted(Path("/usr/share/sounds/sf2").glob("*.sf2")) + sorted(
        Path("/usr/share/sounds/sf3").glob("*.sf3")
    )
    try:
        import pretty_midi

        candidates.append(Path(pretty_midi.__file__).parent / "TimGM6mb.sf2")
    except ImportError:
        pass
    return next((p for p in candidates if p.is_file()), None)


def test_a_missing_or_foreign_soundfont_is_named(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"nope\.sf2: no such SoundFont file"):
        render_soundfont(_midi(), tmp_path / "nope.sf2", n_samples=SR)
    text = tmp_path / "font.txt"
    text.write_text("not a soundfont")
    with pytest.raises(MediaError, match=r"must be an \.sf2 or \.sf3 file"):
        render_soundfont(_midi(), text, n_samples=SR)
    with pytest.raises(ParameterError, match="Standard MIDI File"):
        render_soundfont(b"RIFF....", text, n_samples=SR)


def test_without_a_renderer_the_error_says_what_is_missing(tmp_path: Path, monkeypatch) -> None:
    font = tmp_path / "font.sf2"
    font.write_bytes(b"RIFF\x00\x00\x00\x00sfbk")
    monkeypatch.setattr(soundfont.shutil, "which", lambda name: None)
    monkeypatch.setitem(sys.modules, "fluidsynth", None)  # importing it now fails
    assert soundfont_renderer() is None
    with pytest.raises(MediaError, match="needs the fluidsynth command or the pyfluidsynth module"):
        render_soundfont(_midi(), font, n_samples=SR)


@pytest.mark.skipif(shutil.which("fluidsynth") is None, reason="the fluidsynth command is not installed")
def test_fluidsynth_renders_the_midi_to_the_picture_length() -> None:
    font = _a_soundfont()
    if font is None:
        pytest.skip("no SoundFont file found on this machine")
    audio = render_soundfont(_midi(), font, n_samples=SR // 2)
    assert audio.shape == (2, SR // 2) and audio.dtype == np.float32
    assert np.abs(audio).max() > 1e-3  # it played
    assert np.abs(audio[:, -1]).max() < 1e-3  # the note's tail was cut with a fade
