"""Render MIDI with a SoundFont, for users who have one and a SoundFont renderer (optional).

The built-in synthesiser (:mod:`sonics.music.synth`) needs neither; this is the route a
user takes with ``--soundfont FILE``. Two renderers are used, whichever is found first:
the ``fluidsynth`` command line (``fluidsynth -ni``, writing a float WAV that is read
back), or the ``pyfluidsynth`` module with its ``libfluidsynth`` library (the synth's
own MIDI player, stepped sample by sample). sonics installs neither: without one,
:func:`render_soundfont` raises a :class:`~sonics.core.errors.MediaError` that says
what is missing. The MIDI comes as bytes (written by :mod:`sonics.export`); the result
is cut or padded to the picture's length, a short fade where a tail was cut.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile

from sonics.core.errors import MediaError, ParameterError

__all__ = ["SOUNDFONT_SUFFIXES", "render_soundfont", "soundfont_renderer"]

SOUNDFONT_SUFFIXES = (".sf2", ".sf3")
"""File types a SoundFont renderer reads."""

_END_FADE_S = 0.01
_TIMEOUT_S = 600
_BLOCK = 4096


def soundfont_renderer() -> str | None:
    """Return the installed SoundFont renderer: ``"fluidsynth"`` (the command), ``"pyfluidsynth"`` or None.

    Examples
    --------
    >>> soundfont_renderer() in (None, "fluidsynth", "pyfluidsynth")
    True
    """
    if shutil.which("fluidsynth"):
        return "fluidsynth"
    try:  # the module raises ImportError when its C library is missing, too
        importlib.import_module("fluidsynth")
    except (ImportError, OSError):
        return None
    return "pyfluidsynth"


def _check_soundfont(soundfont: str | os.PathLike[str]) -> Path:
    path = Path(soundfont)
    if not path.is_file():
        raise MediaError(f"{path}: no such SoundFont file")
    if path.suffix.lower() not in SOUNDFONT_SUFFIXES:
        raise MediaError(
            f"{path}: a SoundFont must be an .sf2 or .sf3 file, got {path.suffix or 'no suffix'!r}"
        )
    return path


def _with_cli(midi_path: Path, soundfont: Path, out: Path, sample_rate: int, gain: float) -> np.ndarray:
    command = [
        "fluidsynth", "-ni", "-q", "-g", f"{gain:g}", "-r", str(sample_rate),
        "-T", "wav", "-O", "float", "-F", str(out), str(soundfont), str(midi_path),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MediaError(f"{soundfont}: fluidsynth did not run ({exc})") from None
    if done.returncode != 0 or not out.is_file():
        last = (done.stderr or done.stdout).strip().splitlines()
        raise MediaError(
            f"{soundfont}: fluidsynth failed ({last[-1] if last else f'exit {done.returncode}'})"
        )
    audio, rate = soundfile.read(str(out), dtype="float32", always_2d=True)
    if rate != sample_rate:
        raise MediaError(f"{soundfont}: fluidsynth wrote {rate} Hz, asked for {sample_rate} Hz")
    return audio.T


def _with_module(
    midi_path: Path, soundfont: Path, n_samples: int, sample_rate: int, gain: float
) -> np.ndarray:
    fluidsynth = importlib.import_module("fluidsynth")
    synth = fluidsynth.Synth(gain=gain, samplerate=float(sample_rate), **{"player.timing-source": "sample"})
    try:
        if synth.sfload(str(soundfont)) < 0:
            raise MediaError(f"{soundfont}: fluidsynth cannot load this SoundFont")
        if synth.play_midi_file(str(midi_path)) != 0:
            raise MediaError(f"{soundfont}: fluidsynth cannot play the MIDI")
        blocks, done = [], 0
        while done < n_samples:  # the player advances with the samples asked for
            count = min(_BLOCK, n_samples - done)
            blocks.append(np.asarray(synth.get_samples(count), dtype=np.float32).reshape(-1, 2))
            done += count
    finally:
        synth.delete()
    return (np.concatenate(blocks) / 32768.0).T


def render_soundfont(
    midi: bytes,
    soundfont: str | os.PathLike[str],
    *,
    n_samples: int,
    sample_rate: int = 48_000,
    gain_db: float = -6.0,
) -> np.ndarray:
    """Render a Standard MIDI File with a SoundFont, exactly ``n_samples`` long.

    Parameters
    ----------
    midi : bytes
        A Standard MIDI File (with a program change on every channel: a channel without
        one may stay silent in some renderers).
    soundfont : str or os.PathLike
        An ``.sf2`` or ``.sf3`` file.
    n_samples : int
        Length of the result (samples, >= 1): the picture's length.
    sample_rate : int
        Samples per second.
    gain_db : float
        The renderer's master gain (dB, <= 0); -6 dB keeps a dense score from clipping.

    Returns
    -------
    numpy.ndarray
        Shape ``(2, n_samples)``, float32; what rings past the end is cut, with a fade.

    Raises
    ------
    MediaError
        If the SoundFont is missing or not one, no renderer is installed, or the
        renderer fails.
    ParameterError
        If ``midi`` is not a MIDI file or a setting is out of range.

    Examples
    --------
    >>> render_soundfont(b"MThd", "missing.sf2", n_samples=48000)
    Traceback (most recent call last):
    ...
    sonics.core.errors.MediaError: missing.sf2: no such SoundFont file
    """
    if not isinstance(midi, bytes | bytearray) or not bytes(midi[:4]) == b"MThd":
        raise ParameterError("midi must be the bytes of a Standard MIDI File (starting with MThd)")
    if isinstance(n_samples, bool) or int(n_samples) != n_samples or n_samples < 1 or gain_db > 0:
        raise ParameterError(f"need n_samples >= 1 and gain_db <= 0, got {n_samples!r} and {gain_db}")
    path = _check_soundfont(soundfont)
    renderer = soundfont_renderer()
    if renderer is None:
        raise MediaError(
            f"{path}: rendering with a SoundFont needs the fluidsynth command or the pyfluidsynth module "
            "(with libfluidsynth), and neither is installed; install one, or render without --soundfont "
            "to use the built-in synthesiser"
        )
    gain = 10.0 ** (gain_db / 20.0)
    with tempfile.TemporaryDirectory(prefix="sonics-sf-") as folder:
        midi_path = Path(folder) / "score.mid"
        midi_path.write_bytes(bytes(midi))
        if renderer == "fluidsynth":
            audio = _with_cli(midi_path, path, Path(folder) / "render.wav", sample_rate, gain)
        else:
            audio = _with_module(midi_path, path, int(n_samples), sample_rate, gain)
    if audio.shape[0] == 1:
        audio = np.repeat(audio, 2, axis=0)
    out = np.zeros((2, int(n_samples)), dtype=np.float32)
    kept = min(int(n_samples), audio.shape[1])
    out[:, :kept] = audio[:2, :kept]
    if audio.shape[1] > n_samples:  # a tail rang past the picture: fade it out on the last sample
        n_fade = min(kept, round(_END_FADE_S * sample_rate))
        out[:, kept - n_fade :] *= np.cos(0.5 * np.pi * np.arange(1, n_fade + 1) / n_fade).astype(np.float32)
    return out
