"""Decode video with PyAV: the picture's facts, and small luma frames timed by PTS.

Frames are streamed in chunks, so memory stays flat however long the video is. Only
the luma plane is read, sampled on a grid and box-filtered to about
``analysis_width`` pixels wide; the in-loop deblocking filter is skipped, since it
changes nothing at that size and costs a fifth of the decode time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from sonics.core.errors import MediaError
from sonics.core.frames import LumaChunk
from sonics.core.timebase import parse_frame_rate

__all__ = ["VideoReader"]

ProgressCallback = Callable[[int, int | None], None]


class VideoReader:
    """Open a video file for analysis.

    Parameters
    ----------
    path : str or Path
        A video file PyAV (FFmpeg) can read.

    Raises
    ------
    MediaError
        If the path cannot be read, is not a media file, or has no video stream.

    Attributes
    ----------
    frame_rate : Fraction
        The stream's average frame rate (exact).
    width, height : int
        Coded picture size [px].
    n_frames_estimate : int or None
        Frame count from the container header, if it says.
    has_audio : bool
        True if the file has an audio stream.
    warnings : list of str
        Problems met while decoding (a truncated or corrupt stream), one line each.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise MediaError(f"{self.path}: no such file")
        if self.path.is_dir():
            raise MediaError(f"{self.path}: is a folder, not a video file")
        try:
            self._container = av.open(str(self.path))
        except PermissionError:
            raise MediaError(f"{self.path}: permission denied") from None
        except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
            raise MediaError(f"{self.path}: not a video file FFmpeg can read ({_reason(exc)})") from None
        if not self._container.streams.video:
            self._container.close()
            raise MediaError(f"{self.path}: has no video stream")
        self._stream = self._container.streams.video[0]
        rate = self._stream.average_rate or self._stream.guessed_rate or self._stream.base_rate
        if not rate:
            self._container.close()
            raise MediaError(f"{self.path}: the video stream has no frame rate")
        self.frame_rate: Fraction = parse_frame_rate(Fraction(rate.numerator, rate.denominator))
        self.width = int(self._stream.codec_context.width)
        self.height = int(self._stream.codec_context.height)
        if self.width <= 0 or self.height <= 0:
            self._container.close()
            raise MediaError(f"{self.path}: the video stream has no picture size")
        self.n_frames_estimate: int | None = int(self._stream.frames) or None
        self.has_audio = bool(self._container.streams.audio)
        self.warnings: list[str] = []

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the file."""
        self._container.close()

    def analysis_size(self, analysis_width: int) -> tuple[int, int, int]:
        """Return ``(step_px, width, height)`` of the analysis frames for a target width.

        ``step_px`` is the integer downscale factor; frames are ``width`` x ``height``.
        """
        step = max(1, self.width // analysis_width)
        return step, self.width // step, self.height // step

    def luma_chunks(
        self,
        analysis_width: int = 160,
        chunk_frames: int = 48,
        on_progress: ProgressCallback | None = None,
    ) -> Iterator[LumaChunk]:
        """Yield the video's frames as small luma pictures, in chunks, in presentation order.

        Parameters
        ----------
        analysis_width : int > 0
            Target width of the analysis frames [px]; the downscale factor is the
            integer ``width // analysis_width``.
        chunk_frames : int > 0
            Frames per chunk.
        on_progress : callable, optional
            Called as ``on_progress(n_frames_done, n_frames_estimate)`` after each chunk.

        Yields
        ------
        LumaChunk
            ``times_s`` from each frame's PTS relative to the first frame.

        Notes
        -----
        A corrupt or truncated stream stops the decode where it breaks; the frames before
        it are kept and one line is added to :attr:`warnings`.
        """
        step, width, height = self.analysis_size(analysis_width)
        sub = max(1, step // 2)
        pair = 2 if step >= 2 else 1
        stream = self._stream
        stream.thread_type = "AUTO"
        stream.codec_context.options = {"skip_loop_filter": "all"}
        time_base = stream.time_base
        fallback_step_s = float(1 / self.frame_rate)
        times: list[float] = []
        frames = np.empty((chunk_frames, height, width), dtype=np.float32)
        first_pts: int | None = None
        last_time_s = -fallback_step_s
        n_done = 0
        decoded = self._container.decode(stream)
        while True:
            try:
                frame = next(decoded)
            except StopIteration:
                break
            except (av.error.FFmpegError, ValueError) as exc:
                self.warnings.append(
                    f"{self.path}: the video stream breaks after {n_done + len(times)} frames "
                    f"(at {max(last_time_s, 0.0):.3f} s): {_reason(exc)}; kept the frames before it"
                )
                break
            if frame.pts is not None and time_base is not None:
                if first_pts is None:
                    first_pts = frame.pts
                time_s = float((frame.pts - first_pts) * time_base)
            else:
                time_s = last_time_s + fallback_step_s
            if time_s <= last_time_s:  # duplicated or out-of-order stamp: keep frames monotonic
                time_s = last_time_s + fallback_step_s
            last_time_s = time_s
            plane = frame.planes[0]
            y = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)
            grid = y[: height * step : sub, : width * step : sub]
            if pair == 2:
                small = grid[0::2, 0::2].astype(np.float32)
                small += grid[1::2, 0::2]
                small += grid[0::2, 1::2]
                small += grid[1::2, 1::2]
                small *= 0.25
            else:
                small = grid
            frames[len(times)] = small[:height, :width]
            times.append(time_s)
            if len(times) == chunk_frames:
                yield LumaChunk(np.array(times), frames.copy())
                n_done += len(times)
                times.clear()
                if on_progress is not None:
                    on_progress(n_done, self.n_frames_estimate)
        if times:
            yield LumaChunk(np.array(times), frames[: len(times)].copy())
            n_done += len(times)
            if on_progress is not None:
                on_progress(n_done, self.n_frames_estimate)
        if n_done == 0 and not self.warnings:
            self.warnings.append(f"{self.path}: the video stream holds no frames")


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).strip().rstrip(".").lower()
