"""Decode the first audio stream of a media file with PyAV, resampled to float32.

Any file FFmpeg reads will do: a video with sound (mp4, mov, mkv, webm) or an audio
file (wav, flac, ogg, mp3, m4a). Frames are resampled (and mixed down) as they are
decoded, straight into one output buffer sized from the header, so a 16 kHz mono read
of a long film holds little more than its result.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from sonics.core.errors import MediaError, ParameterError

__all__ = ["DecodedAudio", "has_audio_stream", "read_audio"]

_MAX_RATE_HZ = 768000
_PADDING_TOLERANCE_S = 0.05  # decoded beyond the header's end by less than this: encoder padding
_SHORT_TOLERANCE_S = 0.25  # decoded short of the header's end by more than this: truncated


@dataclass(frozen=True, slots=True, eq=False)
class DecodedAudio:
    """Samples of one audio stream, and what was learnt while decoding it.

    Unpacks as ``audio, sample_rate = read_audio(path)``.

    Attributes
    ----------
    audio : ndarray, float32, shape (channels, samples)
        The samples, full scale 1.0.
    sample_rate : int
        Sample rate of ``audio`` [Hz].
    start_s : float
        Presentation time of the first sample in the file [s] (the stream's first PTS);
        sample ``i`` plays at ``start_s + i / sample_rate``.
    source_sample_rate : int
        The stream's own sample rate [Hz].
    source_channels : int
        The stream's own channel count.
    warnings : tuple of str
        Problems met while decoding (a truncated or corrupt stream), one line each.
    """

    audio: np.ndarray
    sample_rate: int
    start_s: float
    source_sample_rate: int
    source_channels: int
    warnings: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Any]:
        yield self.audio
        yield self.sample_rate

    @property
    def n_samples(self) -> int:
        """Number of samples per channel."""
        return int(self.audio.shape[1])

    @property
    def duration_s(self) -> float:
        """Length of the audio [s]."""
        return self.n_samples / self.sample_rate


def read_audio(
    path: str | os.PathLike[str],
    *,
    sample_rate: int = 48000,
    mono: bool = False,
    max_duration_s: float | None = None,
) -> DecodedAudio:
    """Decode the first audio stream of a file, resampled to float32 at ``sample_rate``.

    Parameters
    ----------
    path : str or Path
        A file FFmpeg reads: a video with sound or an audio file.
    sample_rate : int in [8000, 768000]
        Output sample rate [Hz]; FFmpeg's resampler converts.
    mono : bool
        Mix the channels down to one: their mean.
    max_duration_s : float > 0 or None
        Stop after this much audio [s]; ``None`` reads to the end.

    Returns
    -------
    DecodedAudio
        ``audio`` float32 ``(channels, samples)``; unpacks as ``(audio, sample_rate)``.
        A stream that breaks off is kept up to the break, with a line in ``warnings``.
        Trailing encoder padding past the stream's declared end (AAC's last frame) is
        dropped; the leading priming samples are dropped by FFmpeg itself.

    Raises
    ------
    MediaError
        If the file does not exist, is not a media file, has no audio stream, or its
        audio cannot be decoded at all.
    ParameterError
        If ``sample_rate`` or ``max_duration_s`` is out of range.

    Examples
    --------
    >>> audio, rate = read_audio("cut.mp4", sample_rate=16000, mono=True)  # doctest: +SKIP
    """
    if int(sample_rate) != sample_rate or not 8000 <= sample_rate <= _MAX_RATE_HZ:
        raise ParameterError(
            f"sample_rate must be an integer in [8000, {_MAX_RATE_HZ}] Hz, got {sample_rate}"
        )
    sample_rate = int(sample_rate)
    if max_duration_s is not None and not max_duration_s > 0:
        raise ParameterError(f"max_duration_s must be > 0 or None, got {max_duration_s}")
    path = Path(path)
    container = _open(path)
    try:
        if not container.streams.audio:
            raise MediaError(f"{path}: has no audio stream")
        return _decode(path, container, container.streams.audio[0], sample_rate, mono, max_duration_s)
    finally:
        container.close()


def has_audio_stream(path: str | os.PathLike[str]) -> bool:
    """Return True if the media file has at least one audio stream.

    Parameters
    ----------
    path : str or Path
        A file FFmpeg reads.

    Returns
    -------
    bool
        Whether the container holds an audio stream (from its header; nothing is decoded).

    Raises
    ------
    MediaError
        If the file does not exist or is not a media file.
    """
    path = Path(path)
    container = _open(path)
    try:
        return bool(container.streams.audio)
    finally:
        container.close()


def _open(path: Path) -> Any:
    if not path.exists():
        raise MediaError(f"{path}: no such file")
    if path.is_dir():
        raise MediaError(f"{path}: is a folder, not a media file")
    try:
        return av.open(str(path))
    except PermissionError:
        raise MediaError(f"{path}: permission denied") from None
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise MediaError(f"{path}: not a media file FFmpeg can read ({_reason(exc)})") from None


class _Buffer:
    """A (channels, samples) float32 array that grows as frames arrive."""

    def __init__(self, capacity: int) -> None:
        self.data: np.ndarray | None = None
        self.capacity = max(capacity, 1024)
        self.n = 0

    def append(self, block: np.ndarray) -> None:
        if self.data is None:
            self.data = np.empty((block.shape[0], self.capacity), dtype=np.float32)
        end = self.n + block.shape[1]
        if end > self.data.shape[1]:
            grown = np.empty((self.data.shape[0], max(end, self.data.shape[1] * 3 // 2)), dtype=np.float32)
            grown[:, : self.n] = self.data[:, : self.n]
            self.data = grown
        self.data[:, self.n : end] = block
        self.n = end

    def result(self, n: int, n_channels: int) -> np.ndarray:
        if self.data is None:
            return np.zeros((n_channels, 0), dtype=np.float32)
        n = min(n, self.n)
        spare = self.data.shape[1] - n
        if spare == 0 or (self.data.shape[0] == 1 and spare <= self.capacity // 4):
            return self.data[:, :n]  # contiguous (one channel or no spare), little waste: no copy
        return self.data[:, :n].copy()


def _decode(
    path: Path, container: Any, stream: Any, sample_rate: int, mono: bool, max_duration_s: float | None
) -> DecodedAudio:
    source_rate = int(stream.rate or stream.codec_context.sample_rate or 0)
    source_channels = int(stream.codec_context.channels or 0)
    if source_rate <= 0 or source_channels <= 0:
        raise MediaError(f"{path}: the audio stream has no sample rate or channel layout")
    end_s = _header_end_s(container, stream)
    limit = round(max_duration_s * sample_rate) if max_duration_s is not None else None
    estimate = round((end_s or 60.0) * sample_rate) + sample_rate
    buffer = _Buffer(min(estimate, limit) if limit is not None else estimate)
    resampler = av.AudioResampler(format="fltp", layout=_layout(stream), rate=sample_rate)
    warnings: list[str] = []
    start_s: float | None = None
    time_base = Fraction(stream.time_base) if stream.time_base is not None else None
    packets_end: int | None = None  # end of the last packet, in time_base units
    breaks: list[str] = []
    for frame, packet in _frames(container, stream, breaks):
        if packet is not None and packet.pts is not None and packet.duration:
            packets_end = max(packets_end or 0, packet.pts + packet.duration)
        if frame is None:
            continue
        if start_s is None:
            start_s = float(frame.time) if frame.time is not None else 0.0
        for out in resampler.resample(frame):
            buffer.append(_samples(out, mono))
        if limit is not None and buffer.n >= limit:
            break
    else:
        for out in resampler.resample(None):  # the resampler's last buffered samples
            buffer.append(_samples(out, mono))
    n_channels = 1 if mono else source_channels
    if start_s is None:
        reason = breaks[0] if breaks else "it holds no samples"
        raise MediaError(f"{path}: the audio stream cannot be decoded ({reason})")
    n = buffer.n if limit is None else min(buffer.n, limit)
    if breaks:
        warnings.append(
            f"{path}: the audio stream breaks at {start_s + n / sample_rate:.3f} s ({breaks[0]}); "
            "kept the audio before it"
        )
    if limit is None or n < limit:
        # The codec pads its last frame (AAC: to 1024 samples); the packets say where it ends.
        if packets_end is not None and time_base is not None:
            declared = round((float(packets_end * time_base) - start_s) * sample_rate)
            if 0 < n - declared <= _PADDING_TOLERANCE_S * sample_rate:
                n = declared
        if end_s is not None and end_s - (start_s + n / sample_rate) > _SHORT_TOLERANCE_S and not warnings:
            warnings.append(
                f"{path}: the audio stream ends at {start_s + n / sample_rate:.3f} s, "
                f"before the {end_s:.3f} s its header declares (truncated?); kept what decodes"
            )
    return DecodedAudio(
        audio=buffer.result(n, n_channels),
        sample_rate=sample_rate,
        start_s=start_s,
        source_sample_rate=source_rate,
        source_channels=source_channels,
        warnings=tuple(warnings),
    )


def _samples(frame: Any, mono: bool) -> np.ndarray:
    block = frame.to_ndarray()
    return block.mean(axis=0, keepdims=True, dtype=np.float32) if mono and len(block) > 1 else block


def _frames(container: Any, stream: Any, breaks: list[str]) -> Iterator[tuple[Any, Any]]:
    """Yield ``(frame or None, packet)``; a read or decode error ends the stream, its reason in ``breaks``."""
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
            frames = packet.decode()
        except StopIteration:
            return
        except (av.error.FFmpegError, ValueError) as exc:
            breaks.append(_reason(exc))
            return
        if not frames:
            yield None, packet
        for frame in frames:
            yield frame, packet


def _header_end_s(container: Any, stream: Any) -> float | None:
    """Return the stream's end time from the header [s], if it declares one.

    An audio-only file's container duration stands in for a stream without one; in a
    video file it may be the picture's, so it does not.
    """
    if stream.duration is not None and stream.time_base is not None:
        start = stream.start_time if stream.start_time is not None else 0
        return float((start + stream.duration) * Fraction(stream.time_base))
    if container.duration is not None and len(container.streams) == 1:
        start_us = container.start_time if container.start_time is not None else 0
        return (start_us + container.duration) / av.time_base
    return None


def _layout(stream: Any) -> str:
    """Return a channel layout the resampler accepts for the stream's channels."""
    name = stream.codec_context.layout.name if stream.codec_context.layout is not None else ""
    if name and "channels" not in name:
        return str(name)
    channels = int(stream.codec_context.channels)
    return {1: "mono", 2: "stereo"}.get(channels, f"{channels}c")


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).strip().rstrip(".").lower()
