"""Decode video with PyAV: the picture's facts, small luma frames timed by PTS, and chosen frames.

Frames are streamed in chunks, so memory stays flat however long the video is. Only
the luma plane is read, sampled on a grid and box-filtered to about
``analysis_width`` pixels wide; the in-loop deblocking filter is skipped, since it
changes nothing at that size and costs a fifth of the decode time.
:meth:`VideoReader.frames_at` decodes only the frames shown at chosen times, in full.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
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
_GAP_FRAMES = 2.5  # a jump in time stamps of more frames than this means frames are missing
_SHORT_S = 0.25  # a stream this much shorter than its header says is truncated
_SHORT_SHARE = 0.05  # or this share of it, as a file's sound may outlast its picture
_SEEK_AHEAD_S = 4.0  # a wanted frame further ahead than this is reached by seeking, not by reading on
_SAME_FRAME_S = 1e-4  # a frame starting this close to a wanted time is the frame wanted


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
    sample_aspect_ratio : Fraction
        Shape of one pixel, width over height (1 for square pixels; anamorphic video
        displays at ``width * sample_aspect_ratio`` by ``height``).
    n_frames_estimate : int or None
        Frame count from the container header, if it says.
    has_audio : bool
        True if the file has an audio stream.
    start_s : float
        Presentation time of the first frame in the file [s], once decoding has begun;
        frame times are counted from it.
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
        sar = self._stream.sample_aspect_ratio or self._stream.codec_context.sample_aspect_ratio
        self.sample_aspect_ratio = Fraction(sar.numerator, sar.denominator) if sar else Fraction(1)
        self.n_frames_estimate: int | None = int(self._stream.frames) or None
        self.has_audio = bool(self._container.streams.audio)
        self.start_s = 0.0
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
        nominal_s = float(1 / self.frame_rate)
        times: list[float] = []
        frames = np.empty((chunk_frames, height, width), dtype=np.float32)
        first_pts: int | None = None
        last_time_s = -nominal_s
        n_done = 0
        damage: str | None = None  # where the stream first shows damage, said once at the end
        for frame in self._frames():
            if isinstance(frame, str):
                damage = damage or frame
                if frame.startswith("breaks"):
                    break
                continue
            if frame.pts is not None and time_base is not None:
                if first_pts is None:
                    first_pts = frame.pts
                    self.start_s = float(frame.pts * time_base)
                time_s = float((frame.pts - first_pts) * time_base)
            else:
                time_s = last_time_s + nominal_s
            if time_s <= last_time_s:  # duplicated or out-of-order stamp: keep frames monotonic
                time_s = last_time_s + nominal_s
            if time_s - last_time_s > _GAP_FRAMES * nominal_s and last_time_s >= 0:
                damage = damage or f"skips {time_s - last_time_s:.3f} s of picture at {last_time_s:.3f} s"
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
        expected_s = self._stated_duration_s()
        if damage is None and expected_s is not None and n_done:
            decoded_s = last_time_s + nominal_s
            if expected_s - decoded_s > max(_SHORT_S, 2 * nominal_s, _SHORT_SHARE * expected_s):
                damage = f"ends at {decoded_s:.3f} s but says it lasts {expected_s:.3f} s (truncated?)"
        if damage is not None:
            kept = f"kept the {n_done} frames that decode"
            self.warnings.append(f"{self.path}: the video stream {damage}; {kept}")
        elif n_done == 0:
            self.warnings.append(f"{self.path}: the video stream holds no frames")

    def frames_at(self, times_s: Sequence[float]) -> Iterator[tuple[int, av.VideoFrame]]:
        """Yield the frame on screen at each of ``times_s``, decoding only what those frames need.

        Parameters
        ----------
        times_s : sequence of float
            Times [s] counted from the first frame, as ``Analysis.frame_times_s`` holds
            them, in any order (repeats allowed).

        Yields
        ------
        (int, av.VideoFrame)
            The index into ``times_s`` and the last frame that starts at or before that
            time (the first frame for a time before it), in time order. A time after the
            end gives the last frame.

        Notes
        -----
        Packets are read in order, but a group of pictures is decoded only when it holds a
        wanted frame, from its keyframe up to that frame, skipping the frames no other
        frame refers to; a wanted frame more than ``_SEEK_AHEAD_S`` ahead is reached by
        seeking. Undecodable packets are skipped.
        Use a reader that has not run :meth:`luma_chunks`, which turns off the
        deblocking filter for the analysis.

        Examples
        --------
        >>> with VideoReader("cut.mp4") as reader:  # doctest: +SKIP
        ...     for i, frame in reader.frames_at([0.0, 1.5]):
        ...         print(i, frame.pts)
        """
        stream = self._stream
        stream.thread_type = "AUTO"
        codec = stream.codec_context
        time_base = stream.time_base
        wanted = deque(sorted((float(t), i) for i, t in enumerate(times_s)))
        first_pts: int | None = stream.start_time
        backlog: list[av.Packet] = []  # packets since the last keyframe, not decoded yet
        live = False  # the decoder has been given every packet since the last keyframe
        shown: av.VideoFrame | None = None  # the last frame decoded
        sought: float | None = None  # the wanted time the last seek went to

        longest_s = _GAP_FRAMES / float(self.frame_rate)  # a frame shows at most this long

        def seconds(pts: int) -> float:
            return float((pts - (first_pts or 0)) * time_base)

        def shows_wanted(at_s: float | None) -> bool:
            """Whether the frame starting at ``at_s`` may be the one on screen at a wanted time."""
            if at_s is None:
                return True
            for time_s, _ in wanted:
                if time_s > at_s + longest_s:
                    return False
                if time_s >= at_s - _SAME_FRAME_S:
                    return True
            return False

        def decode(packet: av.Packet | None) -> Iterator[tuple[int, av.VideoFrame]]:
            nonlocal shown
            # A frame no later frame refers to, and not wanted, is skipped: a third of a
            # typical H.264 stream need not be decoded at all.
            wanted_here = packet is None or shows_wanted(
                seconds(packet.pts) if packet.pts is not None else None
            )
            codec.skip_frame = "DEFAULT" if wanted_here else "NONREF"
            try:
                frames = codec.decode(packet)
            except (av.error.FFmpegError, ValueError):
                return
            for frame in frames:
                if frame.pts is None:
                    continue
                start_s = seconds(frame.pts)
                while wanted and wanted[0][0] < start_s - _SAME_FRAME_S:
                    yield wanted.popleft()[1], shown if shown is not None else frame
                while wanted and wanted[0][0] <= start_s + _SAME_FRAME_S:
                    yield wanted.popleft()[1], frame
                shown = frame

        packets = self._container.demux(stream)
        while wanted:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except (av.error.FFmpegError, ValueError):
                break
            if packet.size == 0:
                continue
            if first_pts is None and packet.pts is not None:
                first_pts = packet.pts
            at_s = seconds(packet.pts) if packet.pts is not None else None
            target_s = wanted[0][0]
            before = at_s is not None and at_s < target_s - _SAME_FRAME_S
            if packet.is_keyframe and at_s is not None and at_s <= target_s + _SAME_FRAME_S:
                # A group of pictures starting at or before the wanted frame: the one before
                # it is not needed, and a far one is reached faster by seeking.
                if live:
                    codec.flush_buffers()
                    live = False
                backlog = [packet]
                if sought != target_s and target_s - at_s > _SEEK_AHEAD_S:
                    sought = target_s
                    self._container.seek(
                        int((first_pts or 0) + target_s / time_base), backward=True, stream=stream
                    )
                    packets = self._container.demux(stream)
                    backlog, shown = [], None
                continue
            if not live:
                if not backlog and not packet.is_keyframe:
                    continue  # nothing to decode this packet from (just after a seek)
                if before:
                    backlog.append(packet)
                    continue
                codec.flush_buffers()
                live = True
                for held in backlog:
                    yield from decode(held)
                backlog = []
            yield from decode(packet)
        if wanted and not live:
            codec.flush_buffers()
            for held in backlog:
                yield from decode(held)
        if wanted:
            yield from decode(None)
        while wanted and shown is not None:
            yield wanted.popleft()[1], shown

    def _frames(self) -> Iterator[av.VideoFrame | str]:
        """Decode packet by packet; yield frames, and a short note where the stream is damaged."""
        stream = self._stream
        n_frames = 0
        last_s = 0.0
        packets = self._container.demux(stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except (av.error.FFmpegError, ValueError) as exc:
                yield f"breaks after {n_frames} frames (at {last_s:.3f} s): {_reason(exc)}"
                return
            if packet.is_corrupt:
                yield f"has damaged data after {n_frames} frames (at {last_s:.3f} s)"
            try:
                decoded = packet.decode()
            except (av.error.FFmpegError, ValueError) as exc:
                yield f"has undecodable data after {n_frames} frames (at {last_s:.3f} s): {_reason(exc)}"
                continue
            for frame in decoded:
                n_frames += 1
                if frame.time is not None:
                    last_s = float(frame.time) - self.start_s
                yield frame

    def _stated_duration_s(self) -> float | None:
        """Return the picture's length as the container states it, if it does."""
        stream = self._stream
        if stream.duration and stream.time_base:
            return float(stream.duration * stream.time_base)
        if self._container.duration:  # the whole file's; sound may run a little longer
            return self._container.duration / 1_000_000 - self.start_s
        return None


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).strip().rstrip(".").lower()
