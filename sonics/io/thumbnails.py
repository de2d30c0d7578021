"""Small pictures of chosen frames of a video, as JPEG or PNG bytes, made with PyAV alone.

Only the frames asked for are decoded (see :meth:`~sonics.io.video.VideoReader.frames_at`);
each is scaled with an area filter to ``width_px`` at the picture's display aspect ratio
and encoded with FFmpeg's own ``mjpeg`` or ``png`` encoder, bit-exact, so the same video
gives the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from fractions import Fraction

import av
import numpy as np

from sonics.core.errors import MediaError, ParameterError
from sonics.io.video import VideoReader

__all__ = ["read_thumbnails"]

_FORMATS = {"jpeg": ("mjpeg", "yuvj420p"), "png": ("png", "rgb24")}


def read_thumbnails(
    path: str | os.PathLike[str],
    frames: Iterable[int],
    *,
    frame_times_s: Sequence[float] | np.ndarray | None = None,
    width_px: int = 160,
    image_format: str = "jpeg",
    jpeg_qscale: int = 5,
) -> dict[int, bytes]:
    """Return a small picture of each of ``frames``, decoding only those frames.

    Parameters
    ----------
    path : str or Path
        The video file.
    frames : iterable of int
        0-based frame indices (repeats are made once).
    frame_times_s : array-like of float, optional
        Each frame's start time [s] from the first frame (``Analysis.frame_times_s``),
        which places frames exactly in a variable-frame-rate file. By default frame ``n``
        starts at ``n / frame_rate``.
    width_px : int in 16..1920
        Width of the pictures [px] (at most the video's; even). The height follows the
        display aspect ratio, rounded to an even number.
    image_format : {"jpeg", "png"}
        JPEG (4:2:0, small) or PNG (lossless RGB, larger).
    jpeg_qscale : int in 2..31
        JPEG quantiser scale: 2 is the best quality, 31 the smallest file.

    Returns
    -------
    dict of int to bytes
        Frame index to the encoded picture, in frame order.

    Raises
    ------
    ParameterError
        If a frame is negative or has no time in ``frame_times_s``, or an option is out
        of range.
    MediaError
        If the file cannot be read or a frame cannot be decoded.

    Examples
    --------
    >>> pictures = read_thumbnails("cut.mp4", [0, 48], width_px=160)  # doctest: +SKIP
    >>> pictures[0].startswith(bytes([0xFF, 0xD8]))  # a JPEG  # doctest: +SKIP
    True
    """
    if image_format not in _FORMATS:
        raise ParameterError(f"image_format must be 'jpeg' or 'png', got {image_format!r}")
    if not isinstance(width_px, int) or not 16 <= width_px <= 1920:
        raise ParameterError(f"width_px must be an integer in 16..1920, got {width_px!r}")
    if not isinstance(jpeg_qscale, int) or not 2 <= jpeg_qscale <= 31:
        raise ParameterError(f"jpeg_qscale must be an integer in 2..31, got {jpeg_qscale!r}")
    wanted = sorted({int(f) for f in frames})
    if wanted and wanted[0] < 0:
        raise ParameterError(f"frames must be >= 0, got {wanted[0]}")
    times = None if frame_times_s is None else np.asarray(frame_times_s, dtype=np.float64)
    if times is not None and wanted and wanted[-1] >= len(times):
        raise ParameterError(f"frame {wanted[-1]} has no time: frame_times_s holds {len(times)} frames")
    with VideoReader(path) as reader:
        if not wanted:
            return {}
        if times is None:
            times_s = [float(Fraction(f) / reader.frame_rate) for f in wanted]
        else:
            times_s = [float(times[f]) for f in wanted]
        width, height = _size(reader, width_px)
        codec, pix_fmt = _FORMATS[image_format]
        encoder = av.CodecContext.create(codec, "w")
        encoder.width, encoder.height, encoder.pix_fmt = width, height, pix_fmt
        encoder.time_base = Fraction(1, 25)
        encoder.flags |= av.codec.context.Flags.bitexact
        if codec == "mjpeg":
            # A fixed quantiser (not a bit rate), so every picture gets the same quality.
            encoder.options = {"qmin": str(jpeg_qscale), "qmax": str(jpeg_qscale)}
        pictures: dict[int, bytes] = {}
        for n, (position, frame) in enumerate(reader.frames_at(times_s)):
            small = frame.reformat(width=width, height=height, format=pix_fmt, interpolation="AREA")
            small.pts, small.time_base = n, encoder.time_base  # the encoder wants rising stamps
            pictures[wanted[position]] = b"".join(bytes(p) for p in encoder.encode(small))
    missing = [f for f in wanted if not pictures.get(f)]
    if missing:
        raise MediaError(f"{path}: cannot decode frame {missing[0]} for a thumbnail")
    return {f: pictures[f] for f in wanted}


def _size(reader: VideoReader, width_px: int) -> tuple[int, int]:
    """Return the thumbnail size: ``width_px`` (at most the video's) by the display aspect ratio."""
    aspect = reader.sample_aspect_ratio * reader.width / reader.height
    width = max(2, min(width_px, reader.width) // 2 * 2)
    height = max(2, int(width / aspect / 2 + 0.5) * 2)  # nearest even number, halves up
    return width, height
