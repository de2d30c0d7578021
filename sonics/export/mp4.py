"""``scored.mp4``: the input's video stream copied packet for packet, with the mix as AAC.

The picture is never decoded or re-encoded: every video packet keeps its bytes, its
presentation and decode times and its key-frame flag. The mix is encoded with FFmpeg's
native AAC encoder (48 kHz stereo) and its first sample plays with the first video frame,
so sound and picture line up exactly as in the input (when the picture starts less than one
AAC frame, 21 ms, after 0, the encoder's priming makes the audio track begin at 0).
Optionally the input's own first audio stream is kept as a second, non-default track
(copied packet for packet too). The file is written beside its target and moved into place
when complete. No creation time is written, so the same inputs give the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from sonics.core.cues import DELIVERY_RATE_HZ
from sonics.core.errors import ExportError, MediaError, ParameterError
from sonics.export.files import temporary_beside

__all__ = ["AAC_BIT_RATE", "mux_scored_video", "scored_video_suffix"]

AAC_BIT_RATE = 256_000
"""Bits per second of the mix's AAC track (stereo)."""

_FORMATS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}
_AAC_FRAME = 1024  # samples per AAC frame
_MUX_AHEAD_S = 0.1  # encode the mix this far ahead of the video packets being written


def _open_input(video_path: Path) -> av.container.InputContainer:
    if not video_path.is_file():
        raise MediaError(f"{video_path}: no such file")
    try:
        container = av.open(str(video_path))
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise MediaError(f"{video_path}: not a video file FFmpeg can read ({_reason(exc)})") from None
    if not container.streams.video:
        container.close()
        raise MediaError(f"{video_path}: has no video stream")
    return container


def _codec_name(stream: av.stream.Stream) -> str:
    return str(getattr(stream.codec, "canonical_name", None) or stream.codec.name)


def _supported(format_name: str) -> set[str]:
    with av.open(os.devnull, "w", format=format_name) as probe:
        return set(probe.supported_codecs)


def scored_video_suffix(video_path: str | os.PathLike[str], *, keep_original_audio: bool = False) -> str:
    """Return the container the scored video can use: ``.mp4`` when its streams fit, else ``.mkv``/``.mov``.

    VP8, Theora, ProRes or DNxHD video cannot go into MP4 without re-encoding. Then the
    input's own container is kept when it is QuickTime or Matroska, and Matroska (which
    holds nearly every codec) is chosen otherwise.

    Parameters
    ----------
    video_path : str or Path
        The input video.
    keep_original_audio : bool
        Whether its first audio stream will be kept too.

    Returns
    -------
    str
        ``".mp4"``, ``".mov"`` or ``".mkv"``.

    Raises
    ------
    MediaError
        If the file cannot be read or has no video stream.

    Examples
    --------
    >>> scored_video_suffix("cut.webm")  # VP8  # doctest: +SKIP
    '.mkv'
    """
    video_path = Path(video_path)
    with _open_input(video_path) as container:
        codecs = {_codec_name(container.streams.video[0]), "aac"}
        if keep_original_audio and container.streams.audio:
            codecs.add(_codec_name(container.streams.audio[0]))
    own = video_path.suffix.lower()
    for suffix in (".mp4", *((own,) if own in (".mov", ".mkv") else ()), ".mkv", ".mov"):
        if codecs <= _supported(_FORMATS[suffix]):
            return suffix
    return ".mkv"


def _check_mix(mix: np.ndarray, sample_rate: int) -> np.ndarray:
    mix = np.asarray(mix)
    if mix.ndim != 2 or mix.shape[0] not in (1, 2) or mix.shape[1] == 0:
        raise ParameterError(f"mix must have shape (1 or 2, n > 0), got {mix.shape}")
    if not np.issubdtype(mix.dtype, np.floating):
        raise ParameterError(f"mix must be float audio (full scale 1.0), got {mix.dtype}")
    if sample_rate <= 0:
        raise ParameterError(f"sample_rate must be > 0, got {sample_rate}")
    if not np.all(np.isfinite(mix)):
        raise ParameterError("mix holds NaN or infinite samples")
    return mix


def _stream_seconds(stream: av.stream.Stream) -> tuple[float, float | None]:
    """Return the stream's first presentation time and its stated length, in seconds."""
    base = stream.time_base or Fraction(1, 1)
    start_s = float(stream.start_time * base) if stream.start_time is not None else 0.0
    length_s = float(stream.duration * base) if stream.duration else None
    return start_s, length_s


def _mix_frames(mix: np.ndarray, sample_rate: int, start_sample: int) -> Iterator[av.AudioFrame]:
    """Yield the mix as stereo float frames of one AAC frame each, stamped from ``start_sample``."""
    for pos in range(0, mix.shape[1], _AAC_FRAME):
        block = mix[:, pos : pos + _AAC_FRAME]
        block = np.ascontiguousarray(
            np.repeat(block, 2, axis=0) if len(block) == 1 else block, dtype=np.float32
        )
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
        frame.sample_rate = sample_rate
        frame.time_base = Fraction(1, sample_rate)
        frame.pts = start_sample + pos
        yield frame


def mux_scored_video(
    video_path: str | os.PathLike[str],
    mix: np.ndarray,
    out_path: str | os.PathLike[str],
    *,
    sample_rate: int = DELIVERY_RATE_HZ,
    keep_original_audio: bool = False,
    bit_rate: int = AAC_BIT_RATE,
) -> Path:
    """Write the input's video stream, untouched, with the mix as its sound.

    Parameters
    ----------
    video_path : str or Path
        The input video (``.mp4``, ``.mov``, ``.mkv``, ``.webm``...).
    mix : numpy.ndarray
        Shape ``(2, n_samples)`` (or ``(1, n_samples)``, written as stereo), float, full scale
        1.0; exactly the picture's length.
    out_path : str or Path
        The file to write; its suffix chooses the container (``.mp4``, ``.m4v``, ``.mov``,
        ``.mkv``; see :func:`scored_video_suffix`). Its folder must exist.
    sample_rate : int
        Samples per second of ``mix``.
    keep_original_audio : bool
        Also copy the input's first audio stream, packet for packet, as a second audio track
        (not the default one).
    bit_rate : int
        AAC bits per second.

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    ParameterError
        If the mix has the wrong shape or is not the video's length (within a frame and an
        AAC frame).
    MediaError
        If the input cannot be read or has no video stream.
    ExportError
        If the container cannot hold the input's streams without re-encoding (say which
        one to use instead), or the file cannot be written; nothing is left behind.

    Examples
    --------
    >>> mux_scored_video("cut.mp4", mix, "out/scored.mp4")  # doctest: +SKIP
    PosixPath('out/scored.mp4')
    """
    mix = _check_mix(mix, sample_rate)
    if bit_rate <= 0:
        raise ParameterError(f"bit_rate must be > 0, got {bit_rate}")
    video_path, out_path = Path(video_path), Path(out_path)
    format_name = _FORMATS.get(out_path.suffix.lower())
    if format_name is None:
        raise ExportError(f"{out_path}: the scored video must end in .mp4, .m4v, .mov or .mkv")
    with _open_input(video_path) as source:
        video_in = source.streams.video[0]
        audio_in = source.streams.audio[0] if keep_original_audio and source.streams.audio else None
        start_s, length_s = _stream_seconds(video_in)
        frame_s = 1.0 / float(video_in.average_rate or 24)
        mix_s = mix.shape[1] / sample_rate
        if length_s is not None and abs(mix_s - length_s) > frame_s + _AAC_FRAME / sample_rate:
            raise ParameterError(
                f"the mix lasts {mix_s:.3f} s but the video of {video_path} {length_s:.3f} s; "
                "the mix must be the picture's length"
            )
        supported = _supported(format_name)
        for stream in (video_in, audio_in):
            if stream is not None and _codec_name(stream) not in supported:
                better = scored_video_suffix(video_path, keep_original_audio=keep_original_audio)
                raise ExportError(
                    f"{out_path}: the {stream.type} codec {_codec_name(stream)} cannot go into "
                    f"{out_path.suffix} without re-encoding; write {out_path.stem}{better} instead"
                )
        tmp = temporary_beside(out_path)
        try:
            _mux(source, video_in, audio_in, mix, sample_rate, bit_rate, start_s, str(tmp), format_name)
            os.replace(tmp, out_path)
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            raise ExportError(f"{out_path}: cannot write the scored video ({_reason(exc)})") from None
        finally:
            tmp.unlink(missing_ok=True)
    return out_path


def _mux(
    source: av.container.InputContainer,
    video_in: av.stream.Stream,
    audio_in: av.stream.Stream | None,
    mix: np.ndarray,
    sample_rate: int,
    bit_rate: int,
    start_s: float,
    tmp_name: str,
    format_name: str,
) -> None:
    options = {"movflags": "+faststart"} if format_name in ("mp4", "mov") else {}
    with av.open(tmp_name, "w", format=format_name, options=options) as out:
        out.metadata.clear()
        video_out = out.add_stream_from_template(video_in)
        mix_out = out.add_stream("aac", rate=sample_rate, layout="stereo")
        mix_out.bit_rate = bit_rate
        mix_out.codec_context.flags |= av.codec.context.Flags.bitexact
        mix_out.metadata["title"] = "sonics mix"
        mix_out.disposition = av.stream.Disposition.default
        copy_out = None
        if audio_in is not None:
            copy_out = out.add_stream_from_template(audio_in)
            copy_out.metadata["title"] = "original audio"
            copy_out.disposition = av.stream.Disposition(0)
        frames = _mix_frames(mix, sample_rate, round(start_s * sample_rate))
        next_frame = next(frames, None)
        streams = (video_in,) if audio_in is None else (video_in, audio_in)
        for packet in source.demux(*streams):
            if packet.size == 0:  # the demuxer's end-of-stream marker (a frame has bytes)
                continue
            if packet.stream is video_in:
                # Interleave: encode the mix up to a little past this packet's time.
                # Matroska stores no decode time for the first reordered frames: use their pts.
                stamp = packet.dts if packet.dts is not None else (packet.pts or 0)
                until_s = float(stamp * packet.time_base) + _MUX_AHEAD_S
                while next_frame is not None and next_frame.pts / sample_rate <= until_s:
                    out.mux(mix_out.encode(next_frame))
                    next_frame = next(frames, None)
                packet.stream = video_out
            else:
                packet.stream = copy_out
            out.mux(packet)
        while next_frame is not None:
            out.mux(mix_out.encode(next_frame))
            next_frame = next(frames, None)
        out.mux(mix_out.encode(None))


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).strip().rstrip(".").lower()
