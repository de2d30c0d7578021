"""Decode video with PyAV: the picture's facts, small luma frames timed by PTS, and chosen frames.

Frames are streamed in chunks, so memory stays flat however long the video is. Only
the luma plane is read, sampled on a grid and box-filtered to about
``analysis_width`` pixels wide; the in-loop deblocking filter is skipped, since it
changes nothing at that size and costs a fifth of the decode time. A time range of the
file can be decoded alone (by seeking), giving exactly the frames and times a decode of
the whole file gives there, so that the parts of a long video can be analysed apart.
:meth:`VideoReader.frames_at` decodes only the frames shown at chosen times, in full.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from sonics.core.errors import MediaError, ParameterError
from sonics.core.frames import LumaChunk
from sonics.core.timebase import parse_frame_rate

__all__ = ["StreamDamage", "VideoReader", "stream_warning"]

ProgressCallback = Callable[[int, int | None], None]
_GAP_FRAMES = 2.5  # a jump in time stamps of more frames than this means frames are missing
_SHORT_S = 0.25  # a stream this much shorter than its header says is truncated
_SHORT_SHARE = 0.05  # or this share of it, as a file's sound may outlast its picture
_SEEK_AHEAD_S = 4.0  # a wanted frame further ahead than this is reached by seeking, not by reading on
_SAME_FRAME_S = 1e-4  # a frame starting this close to a wanted time is the frame wanted
_SEEK_TRIES = 3  # seeks ever further back before a range is decoded from the start of the file


@dataclass(frozen=True, slots=True)
class StreamDamage:
    """Where a decode found a video stream damaged.

    Attributes
    ----------
    after_s : float or None
        Time of the last frame decoded before the damage [s]; None before the first frame.
    kind : {"breaks", "damaged", "undecodable", "gap"}
        The stream cannot be read on (decoding stops), a packet is flagged corrupt, a packet
        does not decode, or the time stamps skip frames.
    reason : str
        The demuxer's or decoder's own words, lower-case (may be empty).
    gap_s : float
        Length of the skipped stretch, for a gap [s].
    """

    after_s: float | None
    kind: str
    reason: str = ""
    gap_s: float = 0.0

    @property
    def stops(self) -> bool:
        """True if decoding stops here."""
        return self.kind == "breaks"

    def describe(self, n_frames_before: int) -> str:
        """Return the words after "the video stream", with the count of frames decoded before it."""
        at_s = 0.0 if self.after_s is None else self.after_s
        if self.kind == "gap":
            return f"skips {self.gap_s:.3f} s of picture at {at_s:.3f} s"
        what = {"breaks": "breaks", "damaged": "has damaged data", "undecodable": "has undecodable data"}
        reason = f": {self.reason}" if self.reason else ""
        return f"{what[self.kind]} after {n_frames_before} frames (at {at_s:.3f} s){reason}"


def stream_warning(
    path: str | os.PathLike[str],
    damage: StreamDamage | None,
    frame_times_s: np.ndarray,
    *,
    frame_rate: Fraction,
    stated_duration_s: float | None,
) -> str | None:
    """Return the one warning line for a video stream's decode, or None if it decoded cleanly.

    Parameters
    ----------
    path : str or Path
        The file, named in the line.
    damage : StreamDamage or None
        The first damage the decode met.
    frame_times_s : ndarray, float64, shape (n,)
        Times of the frames kept, increasing [s].
    frame_rate : Fraction
        Nominal frame rate [frames/s].
    stated_duration_s : float or None
        The length the container states, to tell a truncated file; None when the decode
        did not run to the end of the stream, or the container does not say.

    Returns
    -------
    str or None

    Examples
    --------
    >>> damage = StreamDamage(0.125, "undecodable", "invalid data")
    >>> times_s = np.arange(10) / 24
    >>> line = stream_warning("x.mp4", damage, times_s, frame_rate=Fraction(24), stated_duration_s=None)
    >>> print(line)  # doctest: +ELLIPSIS
    x.mp4: the video stream has undecodable data after 4 frames (at 0.125 s): invalid data; kept the 10 ...
    """
    n_frames = len(frame_times_s)
    text = None
    if damage is not None:
        before = 0 if damage.after_s is None else np.searchsorted(frame_times_s, damage.after_s, "right")
        text = damage.describe(int(before))
    elif n_frames and stated_duration_s is not None:
        nominal_s = float(1 / frame_rate)
        decoded_s = float(frame_times_s[-1]) + nominal_s
        if stated_duration_s - decoded_s > max(_SHORT_S, 2 * nominal_s, _SHORT_SHARE * stated_duration_s):
            text = f"ends at {decoded_s:.3f} s but says it lasts {stated_duration_s:.3f} s (truncated?)"
    if text is not None:
        return f"{path}: the video stream {text}; kept the {n_frames} frames that decode"
    if n_frames == 0:
        return f"{path}: the video stream holds no frames"
    return None


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
    damage : StreamDamage or None
        The first damage the last decode met inside its time range.
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
        self.damage: StreamDamage | None = None
        self._origin: int | None = None  # PTS of the file's first frame, once known
        self._touched = False  # the container has been read from (a decode from the start reopens it)

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
        *,
        start_s: float = 0.0,
        end_s: float | None = None,
        before_frames: int = 0,
        after_frames: int = 0,
    ) -> Iterator[LumaChunk]:
        """Yield the video's frames as small luma pictures, in chunks, in presentation order.

        By default every frame of the file. With a time range, the frames whose time falls
        in ``[start_s, end_s)``, plus ``before_frames`` frames before it and ``after_frames``
        frames after it as context: the decode seeks to a keyframe far enough before the
        range and drops what it does not need, so a range costs about its own length. Every
        frame comes out exactly as a decode of the whole file gives it: the same pixels and
        the same time (from its PTS, relative to the file's first frame).

        Parameters
        ----------
        analysis_width : int > 0
            Target width of the analysis frames [px]; the downscale factor is the
            integer ``width // analysis_width``.
        chunk_frames : int > 0
            Frames per chunk.
        on_progress : callable, optional
            Called as ``on_progress(n_frames_done, n_frames_estimate)`` after each chunk.
        start_s : float
            First time of the range, counted from the file's first frame [s].
        end_s : float, optional
            End of the range (exclusive) [s]; by default the end of the stream.
        before_frames, after_frames : int >= 0
            Context frames to yield before and after the range [frames].

        Yields
        ------
        LumaChunk
            ``times_s`` from each frame's PTS relative to the first frame of the file.

        Raises
        ------
        ParameterError
            If a count is negative or the range is reversed.

        Notes
        -----
        A corrupt or truncated stream stops the decode where it breaks; the frames before
        it are kept and one line is added to :attr:`warnings`. :attr:`damage` keeps the first
        damage met inside the range (not in its context), for joining the warnings of ranges.

        Examples
        --------
        >>> with VideoReader("cut.mp4") as reader:  # doctest: +SKIP
        ...     chunks = list(reader.luma_chunks(start_s=60.0, end_s=120.0, before_frames=36))
        """
        if chunk_frames < 1:
            raise ParameterError(f"chunk_frames must be >= 1, got {chunk_frames}")
        if before_frames < 0 or after_frames < 0:
            raise ParameterError(f"context frames must be >= 0, got {before_frames} and {after_frames}")
        if end_s is not None and end_s < start_s:
            raise ParameterError(f"end_s must be >= start_s, got {end_s} < {start_s}")
        shape = self.analysis_size(analysis_width)
        end = math.inf if end_s is None else end_s
        times: list[float] = []
        frames = np.empty((chunk_frames, shape[2], shape[1]), dtype=np.float32)
        kept_times: list[float] = []
        notes: list[StreamDamage] = []
        n_done = 0
        for item in self._range_frames(start_s, end, before_frames, after_frames, shape):
            if isinstance(item, StreamDamage):
                notes.append(item)
                continue
            time_s, small = item
            frames[len(times)] = small
            times.append(time_s)
            if start_s <= time_s < end:
                kept_times.append(time_s)
            if len(times) == chunk_frames:
                yield LumaChunk(np.array(times), frames)
                frames = np.empty_like(frames)  # the chunk handed out keeps its own
                n_done += len(times)
                times.clear()
                if on_progress is not None:
                    on_progress(n_done, self.n_frames_estimate)
        if times:
            yield LumaChunk(np.array(times), frames[: len(times)].copy())
            n_done += len(times)
            if on_progress is not None:
                on_progress(n_done, self.n_frames_estimate)
        self.damage = next((n for n in notes if _inside(n.after_s, start_s, end)), None)
        warning = stream_warning(
            self.path,
            self.damage,
            np.array(kept_times),
            frame_rate=self.frame_rate,
            stated_duration_s=self.stated_duration_s() if end_s is None else None,
        )
        if warning is not None and (kept_times or start_s <= 0 or self.damage is not None):
            self.warnings.append(warning)  # a range past the end is no fault of the stream

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

    def _range_frames(
        self, start_s: float, end_s: float, before: int, after: int, shape: tuple[int, int, int]
    ) -> Iterator[tuple[float, np.ndarray] | StreamDamage]:
        """Yield ``(time_s, analysis frame)`` of the range with its context, and the damage met.

        Seeks to a keyframe before the range; if that does not reach back far enough for the
        context, seeks further back, and at last decodes from the start of the file.
        """
        for seek_pts in self._seek_points(start_s, before):
            try:
                yield from self._range_attempt(seek_pts, start_s, end_s, before, after, shape)
                return
            except _SeekMissed:
                continue

    def _seek_points(self, start_s: float, before: int) -> Iterator[int | None]:
        """Yield where to seek for a range (PTS), nearest first; None means the start of the file."""
        if start_s > 0:
            origin = self._origin_pts()
            time_base = self._stream.time_base
            if origin is not None and time_base:
                # Frames of a variable-rate file may be shorter than the nominal rate's.
                margin_s = (before + 2) * 1.25 / float(self.frame_rate)
                for _ in range(_SEEK_TRIES):
                    target_s = start_s - margin_s
                    if target_s <= 0:
                        break
                    yield origin + math.floor(Fraction(target_s) / time_base)
                    margin_s *= 4
        if self._touched:
            self._reopen()
        yield None

    def _range_attempt(
        self,
        seek_pts: int | None,
        start_s: float,
        end_s: float,
        before: int,
        after: int,
        shape: tuple[int, int, int],
    ) -> Iterator[tuple[float, np.ndarray] | StreamDamage]:
        """Decode from ``seek_pts`` (or the start); raise _SeekMissed before yielding if it lands late."""
        step, width, height = shape
        context: deque[tuple[float, np.ndarray]] = deque(maxlen=before)
        notes: list[StreamDamage] = []
        first_s: float | None = None
        started = False
        n_after = 0
        for item in self._timed_frames(seek_pts):
            if isinstance(item, StreamDamage):
                if started:
                    yield item
                else:
                    notes.append(item)
                continue
            time_s, frame = item
            if first_s is None:
                first_s = time_s
            if time_s < start_s:
                if before:
                    context.append((time_s, _shrink(frame, step, width, height).copy()))
                continue
            if not started:
                reaches = first_s == 0.0 or (first_s < start_s and len(context) == before)
                if seek_pts is not None and not reaches:
                    raise _SeekMissed
                started = True
                yield from notes
                yield from context
            if time_s >= end_s:
                if n_after == after:
                    return
                n_after += 1
            yield time_s, _shrink(frame, step, width, height)
        if not started:  # the stream ends before the range
            if seek_pts is not None and first_s is None:
                raise _SeekMissed  # the seek found nothing: cannot tell that the range is empty
            yield from notes

    def _timed_frames(self, seek_pts: int | None) -> Iterator[tuple[float, av.VideoFrame] | StreamDamage]:
        """Decode from the start, or from the keyframe at or before ``seek_pts``; time each frame.

        Yields ``(time_s, frame)`` with the time from the frame's PTS relative to the file's
        first frame, and a :class:`StreamDamage` where the stream is damaged.
        """
        stream = self._stream
        if not self._touched:
            _fast_luma(stream)
        time_base = stream.time_base
        nominal_s = float(1 / self.frame_rate)
        first_pts = None if seek_pts is None else self._origin
        self._touched = True
        if seek_pts is not None:
            try:
                self._container.seek(seek_pts, stream=stream, backward=True)
            except (av.error.FFmpegError, ValueError):
                raise _SeekMissed from None
        keyed = seek_pts is None  # after a seek, frames count from the first stamped keyframe on
        last_time_s = -nominal_s
        any_frame = False
        for item in self._frames():
            if isinstance(item, tuple):
                kind, reason = item
                yield StreamDamage(last_time_s if any_frame else None, kind, reason)
                continue
            frame = item
            if not keyed:
                if not frame.key_frame or frame.pts is None:
                    continue
                keyed = True
            if frame.pts is not None and time_base is not None:
                if first_pts is None:
                    first_pts = self._origin = frame.pts
                    self.start_s = float(frame.pts * time_base)
                time_s = float((frame.pts - first_pts) * time_base)
            else:
                time_s = last_time_s + nominal_s
            if time_s <= last_time_s:  # duplicated or out-of-order stamp: keep frames monotonic
                time_s = last_time_s + nominal_s
            if any_frame and time_s - last_time_s > _GAP_FRAMES * nominal_s:
                yield StreamDamage(last_time_s, "gap", gap_s=time_s - last_time_s)
            last_time_s = time_s
            any_frame = True
            yield time_s, frame

    def _origin_pts(self) -> int | None:
        """Return the PTS of the file's first frame, decoding as little as it takes."""
        if self._origin is not None:
            return self._origin
        try:
            with av.open(str(self.path)) as container:
                stream = container.streams.video[0]
                _fast_luma(stream)
                for packet in container.demux(stream):
                    for frame in packet.decode():
                        if frame.pts is not None and stream.time_base is not None:
                            self._origin = frame.pts
                            self.start_s = float(frame.pts * stream.time_base)
                            return self._origin
        except (av.error.FFmpegError, ValueError):
            pass
        return None

    def _reopen(self) -> None:
        """Open the file afresh, to decode it from its start exactly as a first decode does."""
        self._container.close()
        self._container = av.open(str(self.path))
        self._stream = self._container.streams.video[0]
        self._touched = False

    def _frames(self) -> Iterator[av.VideoFrame | tuple[str, str]]:
        """Decode packet by packet; yield frames, and ``(kind, reason)`` where the stream is damaged."""
        packets = self._container.demux(self._stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except (av.error.FFmpegError, ValueError) as exc:
                yield "breaks", _reason(exc)
                return
            if packet.is_corrupt:
                yield "damaged", ""
            try:
                decoded = packet.decode()
            except (av.error.FFmpegError, ValueError) as exc:
                yield "undecodable", _reason(exc)
                continue
            yield from decoded

    def stated_duration_s(self) -> float | None:
        """Return the picture's length as the container states it [s], if it does.

        Counted from the first frame once decoding has begun (see :attr:`start_s`).
        """
        stream = self._stream
        if stream.duration and stream.time_base:
            return float(stream.duration * stream.time_base)
        if self._container.duration:  # the whole file's; sound may run a little longer
            return self._container.duration / 1_000_000 - self.start_s
        return None


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).strip().rstrip(".").lower()


def _fast_luma(stream: av.video.stream.VideoStream) -> None:
    """Set a stream's decoder up for analysis frames: threads, no deblocking (before it opens)."""
    stream.thread_type = "AUTO"
    stream.codec_context.options = {"skip_loop_filter": "all"}


def _inside(time_s: float | None, start_s: float, end_s: float) -> bool:
    """Tell if damage after the frame at ``time_s`` (None: before any frame) lies in the range."""
    return start_s <= 0 if time_s is None else start_s <= time_s < end_s


def _shrink(frame: av.VideoFrame, step: int, width: int, height: int) -> np.ndarray:
    """Return a frame's luma downscaled by ``step`` to ``height`` x ``width``.

    Each analysis pixel is the mean of four luma samples of its ``step`` x ``step`` cell,
    at offsets 0 and ``step // 2`` across and down (``step`` 1 keeps the luma as it is).
    """
    plane = frame.planes[0]
    y = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)
    if step < 2:
        return y[:height, :width]
    sub = step // 2
    # Whole rows first (two contiguous runs per output row), in exact integers: the
    # decoded frame is read once, row by row, and the four samples' sum is exact.
    rows = np.add(y[0 : height * step : step], y[sub : height * step : step], dtype=np.uint16)
    total = rows[:, 0 : width * step : step] + rows[:, sub : width * step : step]
    small = total.astype(np.float32)
    small *= 0.25
    return small


class _SeekMissed(Exception):
    """A seek did not land early enough for the range's context (or could not be done)."""
