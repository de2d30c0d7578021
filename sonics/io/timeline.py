"""Read the cuts of an edit from an editor's timeline, or from a cut list a script hands over.

Timelines are read with OpenTimelineIO and its adapter plugins, found through the
``opentimelineio.plugins`` entry points of the installed packages (nothing is fetched):
``.otio``/``.otioz``/``.otiod`` by OpenTimelineIO itself, FCP 7 ``.xml`` by
``otio-fcp-adapter``, CMX 3600 ``.edl`` by ``otio-cmx3600-adapter``, and FCP X
``.fcpxml`` by ``otio-fcpx-xml-adapter`` when it is installed.

The cuts are those of the first video track, on the record side, counted in frames
from the start of the timeline (its start timecode, such as 01:00:00:00, is dropped).
Frame arithmetic is exact: OpenTimelineIO stores rates as floats (23.976023976...),
which are turned back into exact fractions (24000/1001) before any frame is counted.
"""

from __future__ import annotations

import itertools
import math
import numbers
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import Cut, CutKind
from sonics.core.timebase import frames_to_seconds, is_drop_frame_rate, parse_frame_rate, seconds_to_frames

if TYPE_CHECKING:
    import opentimelineio as otio

__all__ = ["EditList", "edit_list_from_cuts", "is_timeline_path", "read_timeline"]


@dataclass(frozen=True, slots=True)
class EditList:
    """The cuts of an edit as an editor's timeline states them.

    Attributes
    ----------
    name : str
        The timeline's (sequence's) name.
    frame_rate : Fraction
        Exact frame rate of the timeline [frames/s].
    n_frames : int
        Record-side length of the track the cuts come from [frames].
    cuts : tuple of Cut
        Shot boundaries in frame order; ``frame`` counts from the timeline start (0).
        Hard cuts at clip boundaries (gaps are black shots); a transition between two
        clips is a ``dissolve`` over the transition's frames, one from or to black a
        ``fade_in`` or ``fade_out``. ``score`` is 1.0: the timeline is the truth.
    media_path : str or None
        The one media file the whole track plays straight through (every clip
        references it, at the same offset, as when the timeline holds the rendered cut
        split at its cuts), if it exists on disk; else None.
    source : str
        The timeline file as given, ``"otio timeline"`` or ``"python list"``.
    warnings : tuple of str
        What was assumed or left out while reading, one line each.
    """

    name: str
    frame_rate: Fraction
    n_frames: int
    cuts: tuple[Cut, ...]
    media_path: str | None
    source: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Format:
    label: str
    adapter: str
    package: str | None  # the pip package that provides the adapter; None: OpenTimelineIO itself


_FORMATS = {
    ".otio": _Format("OpenTimelineIO file", "otio_json", None),
    ".otioz": _Format("OpenTimelineIO bundle", "otioz", None),
    ".otiod": _Format("OpenTimelineIO folder", "otiod", None),
    ".xml": _Format("FCP 7 XML file", "fcp_xml", "otio-fcp-adapter"),
    ".fcpxml": _Format("FCP X XML file", "fcpx_xml", "otio-fcpx-xml-adapter"),
    ".edl": _Format("CMX 3600 EDL", "cmx_3600", "otio-cmx3600-adapter"),
}
_FCPX = _FORMATS[".fcpxml"]
_BLACK_GENERATORS = {"black", "blackvideo", "slug"}
_EDL_TIMECODE = re.compile(r"\b(\d{2}:\d{2}:\d{2})([:;.])(\d{2})\b")
_EDL_DEFAULT_RATE = Fraction(24)
_MAX_REASON = 120


def is_timeline_path(path: str | os.PathLike[str]) -> bool:
    """Return True if the path names a timeline file, judged by its suffix.

    ``.otio``, ``.otioz``, ``.otiod``, ``.xml`` (FCP 7), ``.edl`` (CMX 3600) and
    ``.fcpxml`` (FCP X; reading it needs ``otio-fcpx-xml-adapter``), in any case.

    Examples
    --------
    >>> is_timeline_path("reel1.EDL"), is_timeline_path("cut.mp4")
    (True, False)
    """
    return Path(path).suffix.lower() in _FORMATS


def read_timeline(
    source: str | os.PathLike[str] | otio.schema.Timeline,
    *,
    frame_rate: Fraction | None = None,
) -> EditList:
    """Read the cuts of an editor's timeline.

    Parameters
    ----------
    source : str, Path or opentimelineio.schema.Timeline
        A timeline file (``.otio``, ``.otioz``, ``.otiod``, FCP 7 ``.xml``, CMX 3600
        ``.edl``, FCP X ``.fcpxml``), or a timeline object built by an editor's script.
    frame_rate : Fraction, optional
        Frame rate to count in [frames/s]. An EDL does not state its rate: by default
        drop-frame timecode reads as 30000/1001 and anything else as 24 (with a
        warning). Other formats state theirs; a different ``frame_rate`` re-times
        every boundary to the nearest frame of that rate.

    Returns
    -------
    EditList
        The cuts of the first video track, frame 0 at the timeline's start.

    Raises
    ------
    MediaError
        If the file is missing, of an unknown format, malformed, needs an adapter
        plugin that is not installed, or has no video clips.
    ParameterError
        If ``source`` is neither a path nor a timeline object.

    Examples
    --------
    >>> edit = read_timeline("reel1.edl", frame_rate=Fraction(24000, 1001))  # doctest: +SKIP
    >>> [c.frame for c in edit.cuts]  # doctest: +SKIP
    [48, 90, 132]
    """
    otio = _otio()
    if isinstance(source, (str, os.PathLike)):
        return _read_file(Path(source), frame_rate)
    if isinstance(source, (otio.schema.Timeline, otio.schema.SerializableCollection, otio.schema.Track)):
        timeline = _first_timeline(source)
        if timeline is None:
            raise MediaError("otio timeline: the collection holds no timeline")
        return _edit_list(timeline, "otio timeline", "", Path.cwd(), frame_rate, [], fcp_gaps=False)
    raise ParameterError(
        f"source must be a timeline file or an opentimelineio Timeline, got {type(source).__name__}"
    )


def edit_list_from_cuts(
    cuts: Sequence[float | int | tuple[float, float]],
    *,
    frame_rate: Fraction | int | str,
    n_frames: int | None = None,
    duration_s: float | None = None,
    unit: Literal["frames", "seconds"] = "frames",
) -> EditList:
    """Make an edit list from cut positions or shot ranges an editor's script hands over.

    Parameters
    ----------
    cuts : sequence of numbers, or of (start, end) pairs
        Either the positions of the cuts (first frame of each new shot; 0 and the end
        are dropped, the order does not matter), or the shots as ``(start, end)``
        pairs, end exclusive; a hole between two shots is black, cut at both ends.
    frame_rate : Fraction, int or str
        Exact frame rate [frames/s], e.g. ``Fraction(24000, 1001)`` or ``"25"``.
    n_frames : int, optional
        Length of the edit [frames].
    duration_s : float, optional
        Length of the edit [s], rounded to the nearest frame; instead of ``n_frames``.
        Without either, the edit ends with the last shot, or one frame after the
        last cut.
    unit : {"frames", "seconds"}
        Unit of ``cuts``; seconds snap to the nearest frame.

    Returns
    -------
    EditList
        Hard cuts, ``source="python list"``.

    Raises
    ------
    ParameterError
        If a position is not a whole frame (unit "frames"), is negative or past the
        end, shots overlap or are empty, or the lengths disagree.

    Examples
    --------
    >>> edit = edit_list_from_cuts([0, 48, 96], frame_rate=24, n_frames=120)
    >>> [c.frame for c in edit.cuts], edit.cuts[1].time_s
    ([48, 96], 4.0)
    """
    rate = parse_frame_rate(frame_rate)
    if unit not in ("frames", "seconds"):
        raise ParameterError(f"unit must be 'frames' or 'seconds', got {unit!r}")
    if n_frames is not None and duration_s is not None:
        raise ParameterError("give n_frames or duration_s, not both")
    length = n_frames
    if duration_s is not None:
        if not _is_number(duration_s) or not math.isfinite(duration_s) or duration_s <= 0:
            raise ParameterError(f"duration_s must be > 0, got {duration_s!r}")
        length = seconds_to_frames(duration_s, rate)
    if length is not None and (
        isinstance(length, bool) or not isinstance(length, numbers.Integral) or length < 1
    ):
        raise ParameterError(f"n_frames must be a whole number >= 1, got {length!r}")

    def to_frame(value: Any) -> int:
        if not _is_number(value) or not math.isfinite(value) or value < 0:
            raise ParameterError(f"cut positions must be numbers >= 0, got {value!r}")
        if unit == "seconds":
            return seconds_to_frames(float(value), rate)
        if value != int(value):
            raise ParameterError(f"cut position {value!r} is not a whole frame (use unit='seconds')")
        return int(value)

    items = list(cuts)
    pairs = [isinstance(c, (tuple, list)) for c in items]
    if any(pairs) and not all(pairs):
        raise ParameterError("cuts must be all positions or all (start, end) shots, not a mix")
    if items and all(pairs):
        shots = []
        for item in items:
            if len(item) != 2:
                raise ParameterError(f"a shot must be a (start, end) pair, got {item!r}")
            start, end = to_frame(item[0]), to_frame(item[1])
            if end <= start:
                raise ParameterError(f"shot {tuple(item)!r} is empty: its end must come after its start")
            shots.append((start, end))
        shots.sort()
        for (s0, e0), (s1, _) in itertools.pairwise(shots):
            if s1 < e0:
                raise ParameterError(f"shots ({s0}, {e0}) and ({s1}, ...) overlap")
        last = shots[-1][1]
        if length is None:
            length = last
        elif last > length:
            raise ParameterError(f"shot ({shots[-1][0]}, {last}) ends after the edit's {length} frames")
        # A shot's start is a cut, and so is its end when black follows.
        positions = {s for s, _ in shots} | {e for _, e in shots}
    else:
        positions = {to_frame(c) for c in items}
        if length is None:
            if not positions - {0}:
                raise ParameterError("a cut list without cuts needs n_frames or duration_s")
            length = max(positions) + 1
        elif positions and max(positions) > length:
            raise ParameterError(f"cut {max(positions)} is past the end of the edit ({length} frames)")
    frames = sorted(p for p in positions if 0 < p < length)
    return EditList(
        name="cut list",
        frame_rate=rate,
        n_frames=int(length),
        cuts=tuple(Cut(f, frames_to_seconds(f, rate)) for f in frames),
        media_path=None,
        source="python list",
    )


# --------------------------------------------------------------------------- reading files


def _otio() -> Any:
    # Imported on first use: it costs a tenth of a second that a video-only run need not pay.
    import opentimelineio

    return opentimelineio


def _read_file(path: Path, frame_rate: Fraction | None) -> EditList:
    name = str(path)
    suffix = path.suffix.lower()
    fmt = _FORMATS.get(suffix)
    if fmt is None:
        known = ", ".join(_FORMATS)
        raise MediaError(f"{name}: unknown timeline format {suffix or '(no suffix)'!r}; sonics reads {known}")
    if not path.exists():
        raise MediaError(f"{name}: no such file")
    if path.is_dir() != (suffix == ".otiod"):
        raise MediaError(
            f"{name}: is a folder, not a timeline file" if path.is_dir() else f"{name}: not a folder"
        )
    warnings: list[str] = []
    rate = frame_rate
    if suffix == ".edl":
        text, edl_rate = _prepare_edl(path, frame_rate, warnings)
        rate = edl_rate
        obj = _run_adapter(
            path, fmt, lambda otio: _read_string(otio, text, fmt.adapter, rate=float(edl_rate))
        )
    else:
        if suffix == ".xml" and _looks_like_fcpx(path):
            fmt = _FCPX
        obj = _run_adapter(path, fmt, lambda otio: _read_path(otio, path, fmt.adapter))
    timeline = _first_timeline(obj)
    if timeline is None:
        raise MediaError(f"{name}: holds no timeline")
    if timeline is not obj:
        warnings.append(f"{name}: holds several sequences; read the first, {timeline.name!r}")
    return _edit_list(
        timeline, name, path.stem, path.parent, rate, warnings, fcp_gaps=fmt.adapter == "fcp_xml"
    )


def _read_path(otio: Any, path: Path, adapter: str) -> Any:
    policy = otio.media_linker.MediaLinkingPolicy.DoNotLinkMedia
    return otio.adapters.read_from_file(str(path), adapter_name=adapter, media_linker_name=policy)


def _read_string(otio: Any, text: str, adapter: str, **options: Any) -> Any:
    policy = otio.media_linker.MediaLinkingPolicy.DoNotLinkMedia
    return otio.adapters.read_from_string(text, adapter_name=adapter, media_linker_name=policy, **options)


def _run_adapter(path: Path, fmt: _Format, read: Any) -> Any:
    """Run an adapter; turn whatever it raises into one short MediaError naming the file."""
    otio = _otio()
    try:
        otio.adapters.from_name(fmt.adapter)
    except otio.exceptions.NotSupportedError:
        raise MediaError(
            f"{path}: reading an {fmt.label} needs the {fmt.package} package (pip install {fmt.package})"
        ) from None
    try:
        return read(otio)
    except MediaError:
        raise
    except PermissionError:
        raise MediaError(f"{path}: permission denied") from None
    except Exception as exc:  # adapters raise anything on malformed input; the user needs one line
        raise MediaError(f"{path}: not a readable {fmt.label} ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0].strip().rstrip(".") if lines else ""
    if not text:
        return type(exc).__name__
    text = text[0].lower() + text[1:]
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 3] + "..."


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except PermissionError:
        raise MediaError(f"{path}: permission denied") from None
    except OSError as exc:
        raise MediaError(f"{path}: cannot be read ({_reason(exc)})") from None
    if b"\0" in data:
        raise MediaError(f"{path}: not a CMX 3600 EDL (binary data, not text)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _looks_like_fcpx(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
    except OSError:
        return False
    return b"<fcpxml" in head


def _prepare_edl(path: Path, frame_rate: Fraction | None, warnings: list[str]) -> tuple[str, Fraction]:
    """Return the EDL text with drop-frame timecode marked by ``;``, and the rate to read it at.

    The adapter knows drop-frame only from a ``;`` separator and ignores ``FCM: DROP
    FRAME``, so timecodes of events under that header are rewritten ``HH:MM:SS;FF``.
    """
    drop = False
    any_drop = False
    max_ff = 0
    lines = []
    for line in _read_text(path).splitlines():
        head = line.strip().upper()
        if head.startswith("FCM"):
            drop = "DROP" in head and "NON" not in head
            any_drop |= drop
        elif head[:1].isdigit() or head.startswith("M2"):
            for _, sep, ff in _EDL_TIMECODE.findall(line):
                any_drop |= sep in ";."
                max_ff = max(max_ff, int(ff))
            if drop:
                line = _EDL_TIMECODE.sub(r"\1;\3", line)
            else:
                line = _EDL_TIMECODE.sub(lambda m: f"{m[1]}{';' if m[2] == '.' else m[2]}{m[3]}", line)
        lines.append(line)
    text = "\n".join(_black_before_first_dissolves(lines)) + "\n"
    if frame_rate is not None:
        rate = parse_frame_rate(frame_rate)
        if any_drop and not is_drop_frame_rate(rate):
            needs = "a 30000/1001 or 60000/1001 frame rate"
            raise MediaError(f"{path}: drop-frame timecode needs {needs}, not {_rate_text(rate)}")
        return text, rate
    if any_drop:
        return text, Fraction(60000, 1001) if max_ff >= 30 else Fraction(30000, 1001)
    if max_ff >= _EDL_DEFAULT_RATE:
        raise MediaError(
            f"{path}: an EDL does not state its frame rate and its timecodes count to frame {max_ff}; "
            "give the frame rate (frame_rate= or --fps)"
        )
    warnings.append(
        f"{path}: an EDL does not state its frame rate; assumed 24 fps (give frame_rate or --fps)"
    )
    return text, _EDL_DEFAULT_RATE


def _black_before_first_dissolves(lines: list[str]) -> list[str]:
    """Put an empty black event before a track's first event when it is a dissolve.

    A fade up from black at the head of a track (``001 BL V C`` then ``001 AX V D 012``)
    is standard CMX 3600, but the reader drops the black and then refuses a transition
    at the very beginning of a track.
    """
    events = [(i, line.split()) for i, line in enumerate(lines) if line.strip()[:1].isdigit()]
    seen: set[str] = set()
    inserts: dict[int, str] = {}
    for (i, fields), (_, following) in zip(events, [*events[1:], (0, [])], strict=False):
        if len(fields) < 8:
            continue
        channel = fields[2]
        pair = len(following) == 9 and following[0] == fields[0]
        if channel not in seen and pair:
            rec_in = fields[-2]  # the outgoing (black) side's record in: where the track starts
            zero = f"00:00:00{rec_in[8:9] or ':'}00"
            inserts[i] = f"000  BL  {channel}  C  {zero} {zero} {rec_in} {rec_in}"
        seen.add(channel)
    out = []
    for i, line in enumerate(lines):
        if i in inserts:
            out.append(inserts[i])
        out.append(line)
    return out


def _rate_text(rate: Fraction) -> str:
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


def _first_timeline(obj: Any) -> Any:
    otio = _otio()
    if isinstance(obj, otio.schema.Timeline):
        return obj
    if isinstance(obj, otio.schema.Track):
        timeline = otio.schema.Timeline(name=obj.name)
        timeline.tracks.append(obj.clone())
        return timeline
    if isinstance(obj, otio.schema.SerializableCollection):
        for child in obj:
            found = _first_timeline(child)
            if found is not None:
                return found
    return None


# --------------------------------------------------------------------------- cuts of a track


@dataclass(frozen=True, slots=True)
class _Segment:
    start: int
    end: int
    black: bool
    item: Any


def _edit_list(
    timeline: Any,
    name: str,
    default_name: str,
    base_dir: Path,
    frame_rate: Fraction | None,
    warnings: list[str],
    *,
    fcp_gaps: bool,
) -> EditList:
    otio = _otio()
    tracks = _picture_tracks(timeline)
    if not tracks:
        raise MediaError(f"{name}: has no video clips")
    track = tracks[0]
    if len(tracks) > 1:
        warnings.append(
            f"{name}: the cuts are read from the first video track only; {len(tracks) - 1} more ignored"
        )
    try:
        rate = parse_frame_rate(frame_rate) if frame_rate is not None else _track_rate(track, name)
        segments, transitions = _layout(track, rate, fcp_gaps)
        window = _window(track, rate, segments)
        cuts = _cuts(segments, transitions, rate, window)
    except (ParameterError, otio.exceptions.OTIOError) as exc:
        raise MediaError(f"{name}: {_reason(exc)}") from None
    media = _media_path(segments, rate, window[0], base_dir, name, warnings)
    return EditList(
        name=timeline.name or default_name,
        frame_rate=rate,
        n_frames=window[1] - window[0],
        cuts=cuts,
        media_path=media,
        source=name,
        warnings=tuple(warnings),
    )


def _is_black(item: Any) -> bool:
    otio = _otio()
    if isinstance(item, otio.schema.Gap) or not item.enabled:
        return True
    ref = getattr(item, "media_reference", None)
    return isinstance(ref, otio.schema.GeneratorReference) and ref.generator_kind.lower() in _BLACK_GENERATORS


def _picture_tracks(timeline: Any) -> list[Any]:
    """Return the video tracks holding a picture (a clip that is not black), first track first."""
    otio = _otio()
    tracks = [t for t in timeline.tracks if isinstance(t, otio.schema.Track)]
    video = [t for t in tracks if t.kind == otio.schema.TrackKind.Video]
    if not video:  # kinds not set: any track that is not sound
        video = [t for t in tracks if t.kind != otio.schema.TrackKind.Audio]
    return [
        t for t in video if any(not isinstance(c, otio.schema.Transition) and not _is_black(c) for c in t)
    ]


def _track_rate(track: Any, name: str) -> Fraction:
    otio = _otio()
    for item in track:
        if not isinstance(item, otio.schema.Transition) and not _is_black(item):
            rate = float(item.duration().rate)
            if 1.0 <= rate <= 1000.0:
                return parse_frame_rate(rate)
            break
    raise MediaError(f"{name}: cannot tell the timeline's frame rate; give frame_rate")


def _seconds(time: Any) -> Fraction:
    """Return an OpenTimelineIO RationalTime as exact seconds."""
    return Fraction(time.value) / parse_frame_rate(float(time.rate))


def _frames(time_s: Fraction, rate: Fraction) -> int:
    return math.floor(time_s * rate + Fraction(1, 2))


def _layout(track: Any, rate: Fraction, fcp_gaps: bool) -> tuple[list[_Segment], dict[int, tuple[int, int]]]:
    """Lay out the track's items on the record side, in frames.

    Returns the segments (clips and black) and the transitions, keyed by the index of
    the segment they lead into, as (in, out) frames around that segment's start.
    Boundaries are rounded from exact cumulative seconds, so mixed rates do not drift.
    """
    otio = _otio()
    children = list(track)
    segments: list[_Segment] = []
    transitions: dict[int, tuple[int, int]] = {}
    at_s = Fraction(0)
    for i, item in enumerate(children):
        if isinstance(item, otio.schema.Transition):
            transitions.setdefault(
                len(segments),
                (_frames(_seconds(item.in_offset), rate), _frames(_seconds(item.out_offset), rate)),
            )
            continue
        length_s = _seconds(item.duration())
        if fcp_gaps and isinstance(item, otio.schema.Gap):
            # The FCP 7 reader sizes a gap from the far edge of a neighbouring transition
            # instead of its cut point, so the gap (and all after it) comes out short.
            if i > 0 and isinstance(children[i - 1], otio.schema.Transition):
                length_s += _seconds(children[i - 1].out_offset)
            if i + 1 < len(children) and isinstance(children[i + 1], otio.schema.Transition):
                length_s += _seconds(children[i + 1].in_offset)
        start = _frames(at_s, rate)
        at_s += max(length_s, Fraction(0))
        if _frames(at_s, rate) > start:  # an empty item (an EDL's 0-frame black before a fade) plays nothing
            segments.append(_Segment(start, _frames(at_s, rate), _is_black(item), item))
    return segments, transitions


def _window(track: Any, rate: Fraction, segments: list[_Segment]) -> tuple[int, int]:
    """Return the [first, end) frames of the track that play.

    A trimmed track plays only its ``source_range``. A negative start is the CMX 3600
    reader's record offset of the first event (e.g. -01:00:00:00), not a trim.
    """
    end = segments[-1].end if segments else 0
    trim = track.source_range
    if trim is None or trim.start_time.value < 0:
        return 0, end
    first = _frames(_seconds(trim.start_time), rate)
    return first, first + _frames(_seconds(trim.duration), rate)


def _cuts(
    segments: list[_Segment], transitions: dict[int, tuple[int, int]], rate: Fraction, window: tuple[int, int]
) -> tuple[Cut, ...]:
    first, end = window
    n_frames = end - first
    if not segments:
        return ()
    found: dict[int, Cut] = {}
    for k in range(len(segments) + 1):
        before = segments[k - 1] if k > 0 else None
        after = segments[k] if k < len(segments) else None
        at = (after.start if after is not None else segments[-1].end) - first
        before_black = before is None or before.black
        after_black = after is None or after.black
        if before_black and after_black:
            continue
        in_frames, out_frames = transitions.get(k, (0, 0))
        start = max(0, at - in_frames)
        stop = min(n_frames - 1, at + out_frames - 1)
        if in_frames + out_frames > 0 and start <= stop:
            if before_black:
                kind, frame = CutKind.FADE_IN, start
            elif after_black:
                kind, frame = CutKind.FADE_OUT, stop + 1
            else:  # the first frame where the incoming shot outweighs the outgoing one
                kind, frame = CutKind.DISSOLVE, start + (stop - start + 1) // 2
            cut = Cut(frame, frames_to_seconds(frame, rate), kind, 1.0, start, stop)
        elif before is not None and after is not None and 0 < at < n_frames:
            cut = Cut(at, frames_to_seconds(at, rate))
        else:
            continue
        if cut.frame not in found or not found[cut.frame].is_gradual:
            found[cut.frame] = cut
    return tuple(found[f] for f in sorted(found))


def _media_path(
    segments: list[_Segment], rate: Fraction, first: int, base_dir: Path, name: str, warnings: list[str]
) -> str | None:
    """Return the one existing file the track plays straight through, if there is one.

    Straight through: every clip's source frame minus its timeline frame (from ``first``,
    the first frame that plays) is the same, and is the media's first frame when the
    media states its range; so timeline frame 0 is that file's frame 0.
    """
    otio = _otio()
    urls = set()
    offsets = set()
    for seg in segments:
        if seg.black:
            continue
        ref = getattr(seg.item, "media_reference", None)
        if not isinstance(ref, otio.schema.ExternalReference) or not ref.target_url:
            return None
        urls.add(ref.target_url)
        source = seg.item.source_range
        if source is None:
            return None
        media_start = ref.available_range.start_time if ref.available_range is not None else None
        offset = _frames(_seconds(source.start_time), rate) - (seg.start - first)
        if media_start is not None:
            offset -= _frames(_seconds(media_start), rate)
            if offset != 0:
                return None
        offsets.add(offset)
    if len(urls) != 1 or len(offsets) != 1:
        return None
    path = Path(otio.url_utils.filepath_from_url(urls.pop()))
    if not path.is_absolute():
        path = base_dir / path
    if not path.is_file():
        warnings.append(f"{name}: the media it plays, {path}, does not exist")
        return None
    return str(path)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
