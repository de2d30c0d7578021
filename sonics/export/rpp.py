"""A REAPER project (``.rpp``, plain text) that opens with the picture and every stem in place.

The project runs at the stems' sample rate with the picture's frame rate and its start
timecode as the project start, so REAPER's timecode ruler reads what the editor's does.
Track 1 holds the video (its own sound disabled: the dialogue stem carries it); then one
folder per bus (Dialogue, Music, Effects) holds a track per stem, each a single item from 0
for the stem's length, its source given by the path relative to the project file; stems of
other roles (the full mix) follow as muted reference tracks. Markers sit at the hits,
coloured by kind, and the score's tempo map is the project tempo: a ``TEMPO`` line and one
tempo-envelope point per segment (square for a held tempo, linear for a ramp).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from sonics.core.tempo import TempoMap
from sonics.export.delivery import Delivery, StemFile

__all__ = ["REAPER_VERSION", "rpp_bytes"]

REAPER_VERSION = "6.0/sonics"
"""The version the project header names (REAPER reads projects of any older version)."""

_SHAPE_SQUARE = 1
_SHAPE_LINEAR = 0
_COLOUR_SET = 0x1000000  # REAPER's flag for "a custom colour is set"
_DEFAULT_BPM = 120.0


def _quote(text: str) -> str:
    """Return ``text`` as one RPP token: double quotes, or single quotes or backticks around a ``"``."""
    text = " ".join(text.splitlines())
    for mark in ('"', "'", "`"):
        if mark not in text:
            return f"{mark}{text}{mark}"
    return '"' + text.replace('"', "'") + '"'


def _num(value: float | Fraction) -> str:
    """Return a number as REAPER writes it: at most 10 decimals, no trailing zeros."""
    text = f"{float(value):.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _colour(rgb: tuple[int, int, int]) -> int:
    red, green, blue = rgb
    return _COLOUR_SET | red | green << 8 | blue << 16


def _item(name: str, length_s: float | Fraction, source: Sequence[str], indent: str) -> list[str]:
    inner = indent + "  "
    return [
        f"{indent}<ITEM",
        f"{inner}POSITION 0",
        f"{inner}SNAPOFFS 0",
        f"{inner}LENGTH {_num(length_s)}",
        f"{inner}LOOP 0",
        f"{inner}ALLTAKES 0",
        f"{inner}FADEIN 1 0 0",
        f"{inner}FADEOUT 1 0 0",
        f"{inner}MUTE 0 0",
        f"{inner}NAME {_quote(name)}",
        f"{inner}VOLPAN 1 0 1 -1",
        f"{inner}SOFFS 0",
        f"{inner}PLAYRATE 1 1 0 -1",
        f"{inner}CHANMODE 0",
        *(inner + line for line in source),
        f"{indent}>",
    ]


def _track(name: str, *, folder: str = "0 0", muted: bool = False, items: Sequence[str] = ()) -> list[str]:
    return [
        "  <TRACK",
        f"    NAME {_quote(name)}",
        "    PEAKCOL 16576",
        "    BEAT -1",
        "    AUTOMODE 0",
        "    VOLPAN 1 0 -1 -1 1",
        f"    MUTESOLO {1 if muted else 0} 0 0",
        "    IPHASE 0",
        f"    ISBUS {folder}",
        "    NCHAN 2",
        *items,
        "  >",
    ]


def _stem_track(stem: StemFile, folder: str, muted: bool) -> list[str]:
    source = ["<SOURCE WAVE", f"  FILE {_quote(stem.path)}", ">"]
    # The stem's own length (exact to the sample); every stem is the picture's length.
    length_s = Fraction(stem.n_samples, stem.sample_rate)
    return _track(stem.name, folder=folder, muted=muted, items=_item(stem.name, length_s, source, "    "))


def _tempo_points(tempo_map: TempoMap) -> list[tuple[float, float, int]]:
    """Return ``(time_s, bpm, shape)`` tempo points from time 0: one per segment, two where a ramp jumps."""
    points: list[tuple[float, float, int]] = []
    segments = tempo_map.segments
    for i, segment in enumerate(segments):
        end_s = tempo_map.segment_end_s(i)
        if end_s <= 0:
            continue
        time_s = max(segment.start_s, 0.0)
        if not points and time_s > 0:
            points.append((0.0, float(tempo_map.bpm_at(0.0)), _SHAPE_SQUARE))
        shape = _SHAPE_LINEAR if segment.is_ramp else _SHAPE_SQUARE
        points.append((time_s, float(tempo_map.bpm_at(time_s)), shape))
        if segment.is_ramp and i + 1 < len(segments) and segments[i + 1].bpm != segment.end_bpm:
            points.append((end_s, segment.end_bpm, _SHAPE_SQUARE))  # the ramp's end, then the jump
    return points


def _tempo(tempo_map: TempoMap | None) -> list[str]:
    if tempo_map is None:
        return [f"  TEMPO {_num(_DEFAULT_BPM)} 4 4"]
    meter = f"{tempo_map.numerator} {tempo_map.denominator}"
    points = _tempo_points(tempo_map)
    signature = tempo_map.denominator * 65536 + tempo_map.numerator  # REAPER's packed time signature
    lines = [f"  TEMPO {_num(points[0][1])} {meter}", "  <TEMPOENVEX", "    ACT 1 -1", "    VIS 1 0 1"]
    lines += ["    LANEHEIGHT 0 0", "    ARM 0", "    DEFSHAPE 1 -1 -1"]
    for i, (time_s, bpm, shape) in enumerate(points):
        lines.append(f"    PT {_num(time_s)} {_num(bpm)} {shape}" + (f" {signature}" if i == 0 else ""))
    return [*lines, "  >"]


def _timecode_lines(delivery: Delivery) -> list[str]:
    rate = delivery.frame_rate
    base = round(rate)
    # REAPER's frame-rate mode: 0 whole rates, 1 drop-frame (29.97/59.94 DF), 2 NTSC non-drop.
    if delivery.drop_frame:
        ntsc = 1
    elif rate.denominator == 1001:
        ntsc = 2
    else:
        ntsc = 0
    return [
        f"  PROJOFFS {_num(Fraction(delivery.start_frame) / rate)} 0 0",
        f"  TIMEMODE 1 5 -1 {base} {ntsc} 0 -1",
        f"  SMPTESYNC 0 {base} 100 40 1000 300 0 0 1 0 0",
        f"  SAMPLERATE {delivery.sample_rate} 1 0",
    ]


def _markers(delivery: Delivery) -> list[str]:
    return [
        f"  MARKER {i} {_num(m.time_s)} {_quote(m.name)} 0 {_colour(m.kind.rgb)} 1"
        for i, m in enumerate(delivery.markers, start=1)
    ]


def _tracks(delivery: Delivery) -> list[str]:
    lines: list[str] = []
    if delivery.video_path is not None:
        video = Path(delivery.video_path).resolve()
        # AUDIO 0 disables the video file's own sound: the dialogue stem carries it.
        source = ["<SOURCE VIDEO", "  AUDIO 0", f"  FILE {_quote(str(video))}", ">"]
        length_s = Fraction(delivery.n_frames) / delivery.frame_rate
        lines += _track("Picture", items=_item(video.name, length_s, source, "    "))
    for role, stems in delivery.stem_groups():
        if role in ("dialogue", "music", "effects"):
            lines += _track(role.capitalize(), folder="1 1")
            for i, stem in enumerate(stems):
                lines += _stem_track(stem, "2 -1" if i == len(stems) - 1 else "0 0", muted=False)
        else:
            lines += [line for stem in stems for line in _stem_track(stem, "0 0", muted=True)]
    return lines


def rpp_bytes(delivery: Delivery) -> bytes:
    """Return a REAPER project holding the delivery.

    Parameters
    ----------
    delivery : Delivery
        The picture, the stems (paths relative to the folder the project is written in), the
        markers, the start timecode and, optionally, the tempo map.

    Returns
    -------
    bytes
        UTF-8 text: ``<REAPER_PROJECT`` with the sample rate, the frame rate, ``PROJOFFS`` at
        the start timecode's time of day, ``TEMPO`` and a ``TEMPOENVEX`` from the tempo map
        (120 BPM 4/4 without one), one ``MARKER`` per marker, a ``Picture`` track with the
        video, folder tracks ``Dialogue``, ``Music``, ``Effects`` with one track and one item
        (``POSITION 0``, ``LENGTH`` the stem's length, ``SOURCE WAVE`` with its relative
        ``FILE``) per stem, then muted reference tracks for other roles.

    Examples
    --------
    >>> text = rpp_bytes(delivery).decode()  # doctest: +SKIP
    >>> text.splitlines()[0]  # doctest: +SKIP
    '<REAPER_PROJECT 0.1 "6.0/sonics" 0'
    """
    notes = f"Scored by sonics: {delivery.name}, {delivery.n_frames} frames from {delivery.start_timecode}"
    lines = [
        f"<REAPER_PROJECT 0.1 {_quote(REAPER_VERSION)} 0",  # 0: no save time, so the file is reproducible
        "  <NOTES 0 2",
        f"    |{' '.join(notes.splitlines())}",
        "  >",
        "  RIPPLE 0",
        "  AUTOXFADE 1",
        "  PANLAW 1",
        "  MAXPROJLEN 0 0",
        *_timecode_lines(delivery),
        *_tempo(delivery.tempo_map),
        *_markers(delivery),
        *_tracks(delivery),
        ">",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")
