"""Shared fixtures: small generated edits with exact truth, made once per test session.

The media are rendered by :mod:`sonics.testing` into a session folder and must be treated as
read-only by the tests: a test that needs to damage a file copies it into its own ``tmp_path``.

Fixtures
--------
edit_video : RenderedEdit
    320x180, 24 fps, 72 frames (3 s), four gently panning shots joined by hard cuts at frames
    18, 38 and 54, with speech muxed as AAC in :data:`SPEECH_REGIONS_S`.
edit_video_ntsc : RenderedEdit
    The same shots at 30000/1001 fps (29.97, drop-frame timecode), no audio.
sonics_cli : callable
    Run the command line in-process: ``sonics_cli("analyze", path, "-o", out)`` returns the
    :class:`click.testing.Result` (``exit_code``, ``stdout``, ``stderr``, ``exception``).
sonics_run : callable
    Run ``python -m sonics ...`` in a real subprocess, as a user would; returns the
    :class:`subprocess.CompletedProcess` (text ``stdout`` and ``stderr``, ``returncode``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from sonics.testing import EditTruth, render_edit, simple_edit
from sonics.testing.audio import speech_track

SHOT_LENGTHS = (18, 20, 16, 18)
"""Frames per shot of the shared edits: hard cuts at frames 18, 38 and 54 of 72."""

SPEECH_REGIONS_S = ((0.5, 1.4), (2.0, 2.7))
"""Where the speech of :func:`edit_video` is [s]."""

AUDIO_RATE_HZ = 48000
_SUBPROCESS_TIMEOUT_S = 60
_REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class RenderedEdit:
    """A rendered edit and what it holds, frame-exact."""

    path: Path
    truth: EditTruth
    speech_regions_s: tuple[tuple[float, float], ...] = ()

    @property
    def frame_rate(self) -> Fraction:
        return self.truth.frame_rate

    @property
    def n_frames(self) -> int:
        return self.truth.n_frames


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Session folder holding the shared generated media (do not write into it)."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def edit_video(media_dir: Path) -> RenderedEdit:
    edit = simple_edit(SHOT_LENGTHS, width=320, height=180, frame_rate=24, seed=5)
    n_frames = sum(SHOT_LENGTHS)
    duration_s = n_frames / 24
    audio = speech_track(duration_s, sample_rate=AUDIO_RATE_HZ, regions=SPEECH_REGIONS_S, seed=3)
    path = media_dir / "edit.mp4"
    truth = render_edit(edit, path, audio=audio, audio_sample_rate=AUDIO_RATE_HZ)
    assert truth.hard_cuts == (18, 38, 54) and truth.n_frames == n_frames
    return RenderedEdit(path, truth, SPEECH_REGIONS_S)


@pytest.fixture(scope="session")
def edit_video_ntsc(media_dir: Path) -> RenderedEdit:
    edit = simple_edit(SHOT_LENGTHS, width=320, height=180, frame_rate=Fraction(30000, 1001), seed=5)
    path = media_dir / "edit_2997.mp4"
    truth = render_edit(edit, path)
    assert truth.hard_cuts == (18, 38, 54)
    return RenderedEdit(path, truth)


@pytest.fixture(scope="session")
def speech_wav(media_dir: Path) -> Path:
    """A mono 16-bit WAV of speech (an audio-only file: no video stream)."""
    import av

    audio = speech_track(1.0, sample_rate=16000, regions=((0.2, 0.8),), seed=1)
    path = media_dir / "speech.wav"
    pcm = np.round(np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=16000, layout="mono")
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in (*stream.encode(frame), *stream.encode(None)):
            container.mux(packet)
    return path


@pytest.fixture
def sonics_cli() -> Callable[..., Result]:
    """Run ``sonics`` in-process with click's runner; stdout and stderr are kept apart."""
    from sonics.cli import cli

    def run(*args: str | os.PathLike[str], input: str | None = None) -> Result:
        return CliRunner().invoke(cli, [os.fspath(a) for a in args], input=input, catch_exceptions=True)

    return run


@pytest.fixture
def sonics_run() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m sonics ...`` in a subprocess, from ``cwd`` (default: the repository)."""

    def run(*args: str | os.PathLike[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO_ROOT), env.get("PYTHONPATH")) if p)
        env.pop("PYTHONWARNINGS", None)
        return subprocess.run(
            [sys.executable, "-m", "sonics", *(os.fspath(a) for a in args)],
            cwd=cwd or _REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=_SUBPROCESS_TIMEOUT_S,
            check=False,
        )

    return run
