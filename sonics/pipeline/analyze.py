"""``sonics.analyze``: from a video file, a timeline or a cut list to an :class:`Analysis`."""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from sonics.analysis.features import FrameFeatures, extract_features
from sonics.analysis.picture import PictureAnalyzer
from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import Analysis, AudioRegion, Picture
from sonics.core.timebase import parse_frame_rate
from sonics.io.timeline import EditList, edit_list_from_cuts, is_timeline_path, read_timeline
from sonics.io.video import VideoReader

__all__ = ["analyze", "load_analysis"]

Progress = Callable[[str, int, int | None], None]
"""Progress callback: ``(stage, done, total)``; total is None when unknown."""

_ACTIVITY_RATE_HZ = 16000
_T = TypeVar("_T")


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

    Returns
    -------
    Analysis

    Raises
    ------
    MediaError
        If the source cannot be read or holds no picture.

    Examples
    --------
    >>> a = sonics.analyze("cut.mp4")  # doctest: +SKIP
    >>> [c.frame for c in a.cuts]  # doctest: +SKIP
    """
    analyzer = analyzer or PictureAnalyzer()
    if isinstance(source, Analysis):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.suffix.lower() == ".json":
            return load_analysis(path)
        if is_timeline_path(path):
            return _as_written(
                _analyze_edit_list(
                    read_timeline(path, frame_rate=_rate(frame_rate)), media, audio, analyzer, on_progress
                )
            )
        return _as_written(_analyze_media(path, audio, analyzer, on_progress))
    if isinstance(source, Sequence):
        if frame_rate is None:
            raise ParameterError("a cut list needs frame_rate (e.g. frame_rate='24000/1001')")
        edit = edit_list_from_cuts(source, frame_rate=_rate(frame_rate))
        return _as_written(_analyze_edit_list(edit, media, audio, analyzer, on_progress))
    return _as_written(
        _analyze_edit_list(
            read_timeline(source, frame_rate=_rate(frame_rate)), media, audio, analyzer, on_progress
        )
    )


def _as_written(analysis: Analysis) -> Analysis:
    """Return the analysis exactly as ``analysis.json`` holds it (values rounded as written).

    Every stage after the analysis then sees the same numbers whether it runs straight
    from the video or later from the JSON, so a re-run gives the same bytes.
    """
    return Analysis.from_dict(analysis.to_dict(), source=analysis.picture.path)


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


def _read_features(path: Path, on_progress: Progress | None) -> tuple[VideoReader, FrameFeatures]:
    reader = VideoReader(path)
    with reader:
        report = None if on_progress is None else (lambda done, total: on_progress("picture", done, total))
        features = extract_features(_prefetch(reader.luma_chunks(on_progress=report)))
    if features.n_frames == 0:
        raise MediaError(f"{path}: the video stream holds no decodable frames")
    return reader, features


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


def _picture(path: Path, reader: VideoReader, features: FrameFeatures) -> Picture:
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
        start_s=reader.start_s,
    )


def _analyze_media(
    path: Path,
    audio: bool,
    analyzer: PictureAnalyzer,
    on_progress: Progress | None,
    edit: EditList | None = None,
) -> Analysis:
    """Analyse a video file; with ``edit``, take the cuts from that timeline instead of detecting them."""
    reader, features = _read_features(path, on_progress)
    warnings = [*(edit.warnings if edit else ()), *reader.warnings]
    if edit is not None and abs(features.n_frames - edit.n_frames) > 1:
        warnings.append(
            f"{path}: has {features.n_frames} frames but the timeline {edit.source} has "
            f"{edit.n_frames}; cuts are taken from the timeline"
        )
    events = analyzer(features, known_cuts=edit.cuts if edit else None)
    has_audio = audio and reader.has_audio
    regions = _audio_regions(path, reader.start_s, warnings, on_progress) if has_audio else ()
    return Analysis(
        picture=_picture(path, reader, features),
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
    return _analyze_media(media_path, audio, analyzer, on_progress, edit)
