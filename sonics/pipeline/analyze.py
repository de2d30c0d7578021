"""``sonics.analyze``: from a video file, a timeline or a cut list to an :class:`Analysis`.

The picture of a long video can be analysed in time chunks, each in a process of its own
(:func:`plan_chunks`, :func:`analyze_chunk`, :func:`analyze_joined`, or ``analyze(...,
chunk_s=..., map=...)``); the joined analysis is exactly the analysis of the whole.
"""

from __future__ import annotations

import builtins
import functools
import json
import math
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from sonics.analysis.chunks import FeatureChunk, join_features
from sonics.analysis.features import FrameFeatures, context_frames, extract_features
from sonics.analysis.picture import PictureAnalyzer
from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import Analysis, AudioRegion, Picture
from sonics.core.timebase import parse_frame_rate
from sonics.io.timeline import EditList, edit_list_from_cuts, is_timeline_path, read_timeline
from sonics.io.video import StreamDamage, VideoReader, stream_warning

__all__ = [
    "DEFAULT_CHUNK_S",
    "ChunkSpec",
    "PictureChunk",
    "analyze",
    "analyze_chunk",
    "analyze_joined",
    "load_analysis",
    "plan_chunks",
]

Progress = Callable[[str, int, int | None], None]
"""Progress callback: ``(stage, done, total)``; total is None when unknown."""

ChunkMap = Callable[
    [Callable[["ChunkSpec"], "PictureChunk"], Iterable["ChunkSpec"]], Iterable["PictureChunk"]
]
"""Runs chunk analyses like the builtin ``map``: ``map(function, specs)`` gives the results in order."""

DEFAULT_CHUNK_S = 120.0
"""Length of the time chunks a chunked analysis cuts a video into, by default [s]."""

_ACTIVITY_RATE_HZ = 16000
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ChunkSpec:
    """One time range of a video whose picture is analysed on its own.

    Attributes
    ----------
    index : int >= 0
        Position among the chunks of the video.
    start_s : float >= 0
        First time of the range, counted from the video's first frame [s].
    end_s : float or None
        End of the range (exclusive) [s]; None for the rest of the video.
    """

    index: int
    start_s: float
    end_s: float | None = None

    def __post_init__(self) -> None:
        if self.index < 0 or not self.start_s >= 0:
            raise ParameterError(
                f"a chunk needs index >= 0 and start_s >= 0, got {self.index}, {self.start_s}"
            )
        if self.end_s is not None and not self.end_s > self.start_s:
            raise ParameterError(f"a chunk's end_s must be > start_s, got {self.end_s} <= {self.start_s}")


@dataclass(frozen=True, slots=True, eq=False)
class PictureChunk:
    """What :func:`analyze_chunk` measured of one time range; joined by :func:`analyze_joined`.

    Attributes
    ----------
    spec : ChunkSpec
        The range.
    features : FeatureChunk
        Per-frame features of the range and of the context frames around it.
    damage : StreamDamage or None
        The first damage the decode met inside the range.
    picture_start_s : float
        Presentation time of the file's first frame [s] (see ``Picture.start_s``).
    stated_duration_s : float or None
        The picture's length as the container states it [s].
    """

    spec: ChunkSpec
    features: FeatureChunk
    damage: StreamDamage | None
    picture_start_s: float
    stated_duration_s: float | None


def load_analysis(path: str | os.PathLike[str]) -> Analysis:
    """Read an ``analysis.json`` written by :func:`analyze`.

    Raises
    ------
    MediaError
        If the file cannot be read or is not a sonics analysis.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MediaError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MediaError(f"{path}: not a readable JSON file ({str(exc).lower()})") from None
    return Analysis.from_dict(data, source=str(path))


def analyze(
    source: Any,
    *,
    media: str | os.PathLike[str] | None = None,
    frame_rate: Fraction | int | str | None = None,
    audio: bool = True,
    analyzer: PictureAnalyzer | None = None,
    on_progress: Progress | None = None,
    chunk_s: float | None = None,
    map: ChunkMap | None = None,
) -> Analysis:
    """Analyse a picture: cuts, transitions, motion, impacts, flashes, shots, and its own audio.

    Parameters
    ----------
    source : str, Path, opentimelineio Timeline, sequence or Analysis
        A video file; a timeline file (``.otio``, FCP 7 ``.xml``, CMX 3600 ``.edl``); an
        ``analysis.json``; an OpenTimelineIO ``Timeline`` object; or a list of cut
        positions in frames from an editor's script (needs ``frame_rate``).
    media : str or Path, optional
        The rendered video of a timeline or cut list, for motion, flashes and audio.
        By default the media a timeline references, when it is one file that exists.
    frame_rate : Fraction, int or str, optional
        Frame rate of a plain cut list, or to override a timeline's.
    audio : bool
        Also find speech and other foreground sound in the video's own audio.
    analyzer : PictureAnalyzer, optional
        Detector settings; the defaults suit fast battle edits.
    on_progress : callable, optional
        Called as ``on_progress(stage, done, total)``.
    chunk_s : float > 0, optional
        Measure the picture in time chunks of at most this length [s] (see
        :func:`plan_chunks`), joined into exactly the analysis of the whole. By default the
        video is read in one pass; with ``map`` given, chunks of :data:`DEFAULT_CHUNK_S`.
    map : callable, optional
        Runs the chunks: called as ``map(function, specs)`` like the builtin ``map``, it
        returns the function's results in order, e.g. ``ProcessPoolExecutor().map``. The
        function and its results are picklable. By default the chunks run one after another.

    Returns
    -------
    Analysis

    Raises
    ------
    MediaError
        If the source cannot be read or holds no picture.
    ParameterError
        If ``chunk_s`` is not positive.

    Examples
    --------
    >>> a = sonics.analyze("cut.mp4")  # doctest: +SKIP
    >>> [c.frame for c in a.cuts]  # doctest: +SKIP
    >>> with ProcessPoolExecutor(2) as pool:  # doctest: +SKIP
    ...     a = sonics.analyze("episode.mp4", chunk_s=60.0, map=pool.map)
    """
    analyzer = analyzer or PictureAnalyzer()
    chunking = None
    if chunk_s is not None or map is not None:
        chunking = _Chunking(DEFAULT_CHUNK_S if chunk_s is None else chunk_s, map or builtins.map)
        if not chunking.chunk_s > 0:
            raise ParameterError(f"chunk_s must be > 0, got {chunk_s}")
    if isinstance(source, Analysis):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.suffix.lower() == ".json":
            return load_analysis(path)
        if is_timeline_path(path):
            edit = read_timeline(path, frame_rate=_rate(frame_rate))
            return _as_written(_analyze_edit_list(edit, media, audio, analyzer, on_progress, chunking))
        return _as_written(_analyze_media(path, audio, analyzer, on_progress, chunking))
    if isinstance(source, Sequence):
        if frame_rate is None:
            raise ParameterError("a cut list needs frame_rate (e.g. frame_rate='24000/1001')")
        edit = edit_list_from_cuts(source, frame_rate=_rate(frame_rate))
        return _as_written(_analyze_edit_list(edit, media, audio, analyzer, on_progress, chunking))
    edit = read_timeline(source, frame_rate=_rate(frame_rate))
    return _as_written(_analyze_edit_list(edit, media, audio, analyzer, on_progress, chunking))


def _as_written(analysis: Analysis) -> Analysis:
    """Return the analysis exactly as ``analysis.json`` holds it (values rounded as written).

    Every stage after the analysis then sees the same numbers whether it runs straight
    from the video or later from the JSON, so a re-run gives the same bytes.
    """
    return Analysis.from_dict(analysis.to_dict(), source=analysis.picture.path)


def plan_chunks(path: str | os.PathLike[str], *, chunk_s: float = DEFAULT_CHUNK_S) -> tuple[ChunkSpec, ...]:
    """Cut a video's time into chunks of about ``chunk_s`` to analyse apart.

    The chunks are of equal length, as many as it takes for none to be longer than
    ``chunk_s`` by the length the container states; the last runs to the end of the
    stream, whatever it holds. A file that states no length is one chunk.

    Parameters
    ----------
    path : str or Path
        The video file.
    chunk_s : float > 0
        Longest chunk [s].

    Returns
    -------
    tuple of ChunkSpec
        In time order; picklable, for other processes.

    Raises
    ------
    ParameterError
        If ``chunk_s`` is not positive.
    MediaError
        If the file cannot be read or holds no video stream.

    Examples
    --------
    >>> specs = plan_chunks("episode.mp4", chunk_s=60.0)  # doctest: +SKIP
    >>> [(s.start_s, s.end_s) for s in specs]  # doctest: +SKIP
    [(0.0, 57.5), (57.5, None)]
    """
    if not chunk_s > 0:
        raise ParameterError(f"chunk_s must be > 0, got {chunk_s}")
    with VideoReader(path) as reader:
        duration_s = reader.stated_duration_s()
    n_chunks = 1 if not duration_s or duration_s <= 0 else math.ceil(duration_s / chunk_s)
    bounds = [duration_s * k / n_chunks for k in range(n_chunks)] if duration_s else [0.0]
    return tuple(
        ChunkSpec(k, start, bounds[k + 1] if k + 1 < n_chunks else None) for k, start in enumerate(bounds)
    )


def analyze_chunk(path: str | os.PathLike[str], spec: ChunkSpec) -> PictureChunk:
    """Measure the picture features of one time chunk of a video (one task of a chunked analysis).

    The decode seeks to a keyframe before the chunk and reads the context frames the
    features of its first and last frames depend on
    (:func:`~sonics.analysis.features.context_frames`), so its frames' features are bit
    for bit those of an analysis of the whole file.

    Parameters
    ----------
    path : str or Path
        The video file.
    spec : ChunkSpec
        The chunk, from :func:`plan_chunks`.

    Returns
    -------
    PictureChunk
        Picklable: it can come back from another process.

    Raises
    ------
    MediaError
        If the file cannot be read or holds no video stream.

    Examples
    --------
    >>> with ProcessPoolExecutor(2) as pool:  # doctest: +SKIP
    ...     chunks = list(pool.map(functools.partial(analyze_chunk, path), plan_chunks(path)))
    >>> analysis = analyze_joined(path, chunks)  # doctest: +SKIP
    """
    before, after = context_frames()
    reader = VideoReader(path)
    with reader:
        frames = reader.luma_chunks(
            start_s=spec.start_s, end_s=spec.end_s, before_frames=before, after_frames=after
        )
        features = extract_features(_prefetch(frames))
        stated_s = reader.stated_duration_s()
    return PictureChunk(
        spec, FeatureChunk(spec.start_s, spec.end_s, features), reader.damage, reader.start_s, stated_s
    )


def analyze_joined(
    path: str | os.PathLike[str],
    chunks: Iterable[PictureChunk],
    *,
    audio: bool = True,
    analyzer: PictureAnalyzer | None = None,
    on_progress: Progress | None = None,
) -> Analysis:
    """Join the chunks of a video's picture and finish its analysis, as :func:`analyze` does.

    The detectors run once over the joined features, and the file's own audio is analysed
    once, whole. The result equals ``analyze(path)``: the same cuts, transitions, flashes,
    impacts, shots, motion values and warnings.

    Parameters
    ----------
    path : str or Path
        The video file the chunks were measured from.
    chunks : iterable of PictureChunk
        Every chunk of :func:`plan_chunks`, from :func:`analyze_chunk`, in any order.
    audio : bool
        Also find speech and other foreground sound in the video's own audio.
    analyzer : PictureAnalyzer, optional
        Detector settings; the defaults suit fast battle edits.
    on_progress : callable, optional
        Called as ``on_progress(stage, done, total)``.

    Returns
    -------
    Analysis

    Raises
    ------
    MediaError
        If the file holds no decodable frames, or the chunks do not meet at a seam (the
        file does not decode alike after a seek: analyse it whole).

    Examples
    --------
    >>> specs = plan_chunks("episode.mp4")  # doctest: +SKIP
    >>> futures = [client.submit(analyze_chunk, "episode.mp4", s) for s in specs]  # doctest: +SKIP
    >>> analysis = analyze_joined("episode.mp4", client.gather(futures))  # doctest: +SKIP
    """
    path = Path(path)
    reader, start_s, features, warnings = _join_chunks(path, chunks)
    return _as_written(
        _analysis(
            path, reader, start_s, features, warnings, audio, analyzer or PictureAnalyzer(), on_progress
        )
    )


def _rate(frame_rate: Fraction | int | str | None) -> Fraction | None:
    return None if frame_rate is None else parse_frame_rate(frame_rate)


def _prefetch(items: Iterable[_T], depth: int = 3) -> Iterator[_T]:
    """Run ``items`` in a background thread so decoding overlaps with analysis."""
    buffer: queue.Queue[Any] = queue.Queue(depth)
    done = object()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            for item in items:
                buffer.put(item)
        except BaseException as exc:  # handed to the consumer, raised there
            failure.append(exc)
        finally:
            buffer.put(done)

    worker = threading.Thread(target=produce, name="sonics-decode", daemon=True)
    worker.start()
    while (item := buffer.get()) is not done:
        yield item
    worker.join()
    if failure:
        raise failure[0]


@dataclass(frozen=True, slots=True)
class _Chunking:
    chunk_s: float
    map: ChunkMap


def _read_features(
    path: Path, on_progress: Progress | None, chunking: _Chunking | None
) -> tuple[VideoReader, float, FrameFeatures, list[str]]:
    """Measure the picture, whole or in chunks; return the reader, first-frame time, features, warnings."""
    if chunking is not None:
        specs = plan_chunks(path, chunk_s=chunking.chunk_s)
        chunks = []
        n_done = 0
        for chunk in chunking.map(functools.partial(analyze_chunk, path), specs):
            chunks.append(chunk)
            n_done += chunk.features.kept.stop - chunk.features.kept.start
            if on_progress is not None:
                on_progress("picture", n_done, None)
        return _join_chunks(path, chunks)
    reader = VideoReader(path)
    with reader:
        report = None if on_progress is None else (lambda done, total: on_progress("picture", done, total))
        # The background thread only decodes and downscales, so the decoder's own threads are
        # never kept waiting; each chunk is measured and compared here meanwhile. (Measuring
        # in the decoding thread as well made the analysis of a 720p file a fifth slower.)
        features = extract_features(_prefetch(reader.luma_chunks(on_progress=report)))
    if features.n_frames == 0:
        raise MediaError(f"{path}: the video stream holds no decodable frames")
    return reader, reader.start_s, features, list(reader.warnings)


def _join_chunks(
    path: Path, chunks: Iterable[PictureChunk]
) -> tuple[VideoReader, float, FrameFeatures, list[str]]:
    """Join chunk measurements into the whole picture's, with the warning a whole decode gives."""
    ordered = sorted(chunks, key=lambda c: c.spec.start_s)
    if not ordered or ordered[0].spec.start_s != 0 or ordered[-1].spec.end_s is not None:
        raise ParameterError(
            f"{path}: the chunks must cover the whole video, from 0 s to the end (see plan_chunks)"
        )
    # A decode stops for good where the stream breaks: what later chunks read past it goes.
    broken = next((k for k, c in enumerate(ordered) if c.damage is not None and c.damage.stops), None)
    if broken is not None:
        ordered = ordered[: broken + 1]
    try:
        features = join_features([c.features for c in ordered])
    except MediaError as exc:
        raise MediaError(
            f"{path}: the time chunks of the picture do not join ({exc}); analyse it whole"
        ) from None
    if features.n_frames == 0:
        raise MediaError(f"{path}: the video stream holds no decodable frames")
    reader = VideoReader(path)
    reader.close()  # its facts are all that is needed
    last = ordered[-1]
    warning = stream_warning(
        path,
        next((c.damage for c in ordered if c.damage is not None), None),
        features.times_s,
        frame_rate=reader.frame_rate,
        stated_duration_s=last.stated_duration_s if last.spec.end_s is None else None,
    )
    return reader, ordered[0].picture_start_s, features, [] if warning is None else [warning]


def _audio_regions(
    path: Path, picture_start_s: float, warnings: list[str], on_progress: Progress | None
) -> tuple[AudioRegion, ...]:
    """Find foreground sound in the file's audio, timed from the picture's first frame."""
    # Imported here: the audio analysis pulls in scipy.signal, a second of start-up that
    # runs without audio (and every error message) should not pay.
    from sonics.analysis.activity import find_audio_regions
    from sonics.io.audio import read_audio

    if on_progress is not None:
        on_progress("audio", 0, None)
    decoded = read_audio(path, sample_rate=_ACTIVITY_RATE_HZ, mono=True)
    warnings.extend(decoded.warnings)
    offset_s = decoded.start_s - picture_start_s
    regions = tuple(
        AudioRegion(max(0.0, r.start_s + offset_s), r.end_s + offset_s, r.kind, r.level_db)
        for r in find_audio_regions(decoded.audio, decoded.sample_rate)
        if r.end_s + offset_s > 0
    )
    if on_progress is not None:
        on_progress("audio", 1, 1)
    return regions


def _picture(path: Path, reader: VideoReader, start_s: float, features: FrameFeatures) -> Picture:
    times = features.times_s
    steps = np.diff(times)
    nominal = 1.0 / float(reader.frame_rate)
    variable = bool(steps.size and np.abs(steps - nominal).max() > 0.02 * nominal)
    duration_s = float(times[-1] + (np.median(steps) if steps.size else nominal))
    return Picture(
        path=str(path),
        frame_rate=reader.frame_rate,
        n_frames=features.n_frames,
        width=reader.width,
        height=reader.height,
        duration_s=duration_s,
        has_audio=reader.has_audio,
        variable_frame_rate=variable,
        start_s=start_s,
    )


def _analyze_media(
    path: Path,
    audio: bool,
    analyzer: PictureAnalyzer,
    on_progress: Progress | None,
    chunking: _Chunking | None,
    edit: EditList | None = None,
) -> Analysis:
    """Analyse a video file; with ``edit``, take the cuts from that timeline instead of detecting them."""
    reader, start_s, features, warnings = _read_features(path, on_progress, chunking)
    return _analysis(path, reader, start_s, features, warnings, audio, analyzer, on_progress, edit)


def _analysis(
    path: Path,
    reader: VideoReader,
    start_s: float,
    features: FrameFeatures,
    video_warnings: list[str],
    audio: bool,
    analyzer: PictureAnalyzer,
    on_progress: Progress | None,
    edit: EditList | None = None,
) -> Analysis:
    """Run the detectors over a picture's features, analyse its audio, and gather the analysis."""
    warnings = [*(edit.warnings if edit else ()), *video_warnings]
    if edit is not None and abs(features.n_frames - edit.n_frames) > 1:
        warnings.append(
            f"{path}: has {features.n_frames} frames but the timeline {edit.source} has "
            f"{edit.n_frames}; cuts are taken from the timeline"
        )
    events = analyzer(features, known_cuts=edit.cuts if edit else None)
    has_audio = audio and reader.has_audio
    regions = _audio_regions(path, start_s, warnings, on_progress) if has_audio else ()
    return Analysis(
        picture=_picture(path, reader, start_s, features),
        frame_times_s=features.times_s,
        cuts=events.cuts,
        shots=events.shots,
        motion=events.motion,
        impacts=events.impacts,
        flashes=events.flashes,
        audio_regions=regions,
        source="video" if edit is None else "timeline",
        warnings=tuple(warnings),
    )


def _analyze_edit_list(
    edit: EditList,
    media: str | os.PathLike[str] | None,
    audio: bool,
    analyzer: PictureAnalyzer,
    on_progress: Progress | None,
    chunking: _Chunking | None,
) -> Analysis:
    media_path = Path(media) if media is not None else (Path(edit.media_path) if edit.media_path else None)
    if media_path is None:
        times = np.arange(edit.n_frames) / float(edit.frame_rate)
        zeros = np.zeros(edit.n_frames)
        shots = analyzer.shots([c.frame for c in edit.cuts], times, zeros)
        picture = Picture(
            edit.source, edit.frame_rate, edit.n_frames, 0, 0, edit.n_frames / float(edit.frame_rate)
        )
        return Analysis(picture, times, edit.cuts, shots, None, source="timeline", warnings=edit.warnings)
    return _analyze_media(media_path, audio, analyzer, on_progress, chunking, edit)
