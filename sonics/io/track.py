"""Read a music track at its own sample rate (resampling is left to :mod:`sonics.dsp`)."""

from __future__ import annotations

import os
from pathlib import Path

import av

from sonics.core.errors import MediaError
from sonics.io.audio import DecodedAudio, read_audio

__all__ = ["read_track"]


def _native_rate(path: Path) -> int:
    """Return the sample rate of the file's first audio stream [Hz] (read from its header)."""
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError, OSError):
        return 48000  # read_audio says what is wrong with the file
    try:
        streams = container.streams.audio
        rate = int(streams[0].rate or streams[0].codec_context.sample_rate or 0) if streams else 0
    finally:
        container.close()
    return rate if 8000 <= rate <= 768000 else 48000


def read_track(path: str | os.PathLike[str]) -> DecodedAudio:
    """Decode a music track (wav, flac, ogg, mp3, m4a, or a video's sound) at its own rate.

    Parameters
    ----------
    path : str or Path
        A file FFmpeg reads.

    Returns
    -------
    DecodedAudio
        float32 ``(channels, samples)`` at the stream's own sample rate, so the caller
        resamples once, with sonics' own resampler.

    Raises
    ------
    MediaError
        If the file does not exist, is not a media file, or has no decodable audio.

    Examples
    --------
    >>> decoded = read_track("cue.flac")  # doctest: +SKIP
    >>> decoded.sample_rate  # doctest: +SKIP
    44100
    """
    path = Path(path)
    if not path.exists():
        raise MediaError(f"{path}: no such file")
    return read_audio(path, sample_rate=_native_rate(path))
