"""``report.html``: one self-contained page to review a run — picture, motion, cuts, beats, cues, sound.

The page is one file: its style sheet, script, pictures (``data:`` URIs) and drawings
(inline SVG) are all inside it; it loads nothing from the network and opens from disk
(``file://``). It refers to two kinds of neighbour files by relative path, for playing
only: the scored video and the stems. A playhead runs across every lane as the video
(or a stem) plays; clicking a lane seeks everything there; the space bar plays and pauses.

Every part but the analysis is optional, so the same page serves a run of ``sonics
analyze`` alone, of ``sonics sfx``, or a full ``sonics score``. :func:`report_html` is
pure: the caller decodes the thumbnails (:func:`sonics.io.thumbnails.read_thumbnails` on
the frames :func:`thumbnail_frames` names) and writes the text.
"""

from __future__ import annotations

import base64
import html
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import numpy as np

from sonics.core.cues import CueSheet
from sonics.core.errors import ParameterError
from sonics.core.model import Analysis
from sonics.core.score import Score
from sonics.core.sound import Stem
from sonics.core.tempo import TempoMap
from sonics.core.timebase import is_drop_frame_rate
from sonics.export import _report_lanes as lanes
from sonics.export._report_assets import CSS, JS

__all__ = ["LoudnessCurve", "report_html", "thumbnail_frames"]

_MIN_VIEW_S = 4.0  # the deepest zoom shows this much of the picture across the timeline


@dataclass(frozen=True, slots=True, eq=False)
class LoudnessCurve:
    """The mix's loudness over time and its delivery figures (BS.1770), as the report draws them.

    Parameters
    ----------
    curve : array-like, shape (n, 2)
        Rows of ``(time_s, short_term_lufs)``: the short-term (3 s) loudness at each time,
        times non-decreasing; ``-inf`` (silence) is allowed and drawn at -60 LUFS.
    integrated_lufs : float
        Integrated loudness of the whole mix [LUFS].
    true_peak_dbtp : float
        Highest true (oversampled) peak [dBTP].
    target_lufs : float, optional
        The loudness the mix was normalised to [LUFS].
    ceiling_dbtp : float, optional
        The true-peak ceiling the limiter held [dBTP].
    loudness_range_lu : float, optional
        Loudness range (EBU Tech 3342) [LU].
    name : str
        What was measured (``"mix"``).

    Raises
    ------
    ParameterError
        If the curve is not ``(n, 2)``, has times that are not finite or that go back.

    Examples
    --------
    >>> level = LoudnessCurve([(0.0, -20.0), (3.0, -14.2)], integrated_lufs=-14.0, true_peak_dbtp=-1.3)
    >>> level.summary()
    'I -14.0 LUFS · TP -1.3 dBTP'
    """

    curve: np.ndarray
    integrated_lufs: float
    true_peak_dbtp: float
    target_lufs: float | None = None
    ceiling_dbtp: float | None = None
    loudness_range_lu: float | None = None
    name: str = "mix"

    def __post_init__(self) -> None:
        curve = np.array(self.curve, dtype=np.float64, copy=True).reshape(-1, 2)
        if curve.size and (not np.all(np.isfinite(curve[:, 0])) or np.any(np.diff(curve[:, 0]) < 0)):
            raise ParameterError("loudness curve times must be finite and non-decreasing")
        if np.any(np.isnan(curve[:, 1])) or np.any(curve[:, 1] == np.inf):
            raise ParameterError("loudness curve values must be numbers or -inf (silence)")
        curve.setflags(write=False)
        object.__setattr__(self, "curve", curve)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoudnessCurve:
        """Build from a mapping with the same keys (``curve``: ``[time_s, lufs]`` rows, None for silence).

        Raises
        ------
        ParameterError
            If a key is missing or a value is not a number.
        """
        try:
            optional = {
                k: None if data.get(k) is None else float(data[k])
                for k in ("target_lufs", "ceiling_dbtp", "loudness_range_lu")
            }
            rows = [(float(t), -np.inf if v is None else float(v)) for t, v in data["curve"]]
            figures = (float(data["integrated_lufs"]), float(data["true_peak_dbtp"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ParameterError(
                f"loudness needs curve, integrated_lufs and true_peak_dbtp as numbers ({exc})"
            ) from None
        return cls(np.array(rows).reshape(-1, 2), *figures, name=str(data.get("name", "mix")), **optional)

    def to_dict(self) -> dict[str, Any]:
        """Return the plain form :meth:`from_dict` reads (``-inf`` written as None)."""
        return {
            "name": self.name,
            "integrated_lufs": self.integrated_lufs,
            "true_peak_dbtp": self.true_peak_dbtp,
            "target_lufs": self.target_lufs,
            "ceiling_dbtp": self.ceiling_dbtp,
            "loudness_range_lu": self.loudness_range_lu,
            "curve": [[float(t), float(v) if np.isfinite(v) else None] for t, v in self.curve],
        }

    def summary(self) -> str:
        """Return the figures in one line (``"I -14.0 LUFS (target -14) · TP -1.2 dBTP ..."``)."""
        text = f"I {self.integrated_lufs:.1f} LUFS"
        if self.target_lufs is not None:
            text += f" (target {self.target_lufs:g})"
        text += f" · TP {self.true_peak_dbtp:.1f} dBTP"
        if self.ceiling_dbtp is not None:
            text += f" (ceiling {self.ceiling_dbtp:g})"
        if self.loudness_range_lu is not None:
            text += f" · LRA {self.loudness_range_lu:.1f} LU"
        return text


def _shot_heads(analysis: Analysis) -> dict[int, int]:
    """Return each shot's first frame that is not part of a dissolve or fade (its middle if none)."""
    n = max(analysis.picture.n_frames, *(s.end_frame for s in analysis.shots), 1)
    blended = np.zeros(n + 1, dtype=bool)
    for cut in analysis.cuts:
        if cut.is_gradual:
            blended[max(cut.start_frame, 0) : cut.end_frame + 1] = True
    heads = {}
    for shot in analysis.shots:
        frames = np.arange(shot.start_frame, max(shot.end_frame, shot.start_frame + 1))
        clean = frames[~blended[np.clip(frames, 0, n)]]
        heads[shot.index] = int(clean[0]) if len(clean) else int(frames[len(frames) // 2])
    return heads


def _cut_sides(analysis: Analysis) -> list[tuple[int | None, int | None]]:
    """Return, per cut, the last frame before its transition and the first frame after it."""
    last = max(analysis.picture.n_frames - 1, 0)
    sides = []
    for cut in analysis.cuts:
        before = cut.start_frame - 1
        after = cut.end_frame + 1 if cut.is_gradual else cut.frame
        sides.append((before if before >= 0 else None, after if after <= last else None))
    return sides


def thumbnail_frames(analysis: Analysis) -> tuple[int, ...]:
    """Return the frames the report shows as pictures, in order.

    They are each shot's first clean frame (not part of a dissolve or fade), for the
    picture strip, and at each cut the last frame before the transition and the first
    frame after it, for the cut cards: about two per shot. Decode
    them with :func:`sonics.io.thumbnails.read_thumbnails` and pass the result to
    :func:`report_html`.

    Examples
    --------
    >>> frames = thumbnail_frames(analysis)  # doctest: +SKIP
    >>> pictures = read_thumbnails("cut.mp4", frames, frame_times_s=analysis.frame_times_s)  # doctest: +SKIP
    """
    frames = set(_shot_heads(analysis).values())
    for before, after in _cut_sides(analysis):
        frames.update(f for f in (before, after) if f is not None)
    last = analysis.picture.n_frames - 1
    return tuple(sorted(f for f in frames if 0 <= f <= last))


def _image_type(frame: int, data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    raise ParameterError(f"thumbnail of frame {frame} must be JPEG or PNG bytes, got {data[:8]!r}")


def _thumbnail_styles(thumbnails: Mapping[int, bytes]) -> str:
    """Return one CSS class per picture, so a picture shown twice is stored once."""
    rules = []
    for frame in sorted(thumbnails):
        data = bytes(thumbnails[frame])
        uri = f"data:{_image_type(frame, data)};base64,{base64.b64encode(data).decode('ascii')}"
        rules.append(f'.{lanes.picture_class(frame)}{{background-image:url("{uri}")}}')
    return "\n".join(rules)


def _facts(
    analysis: Analysis,
    axis: lanes.Axis,
    cues: CueSheet | None,
    tempo: TempoMap | None,
    loudness: LoudnessCurve | None,
) -> str:
    picture = analysis.picture
    rate = picture.frame_rate
    rate_text = (
        f"{rate.numerator}/{rate.denominator} ({float(rate):.3f})" if rate.denominator != 1 else f"{rate}"
    )
    facts = [
        ("picture", f"{os.path.basename(picture.path) or picture.path} · {picture.width}x{picture.height}"),
        ("fps", rate_text + (" VFR" if picture.variable_frame_rate else "")),
        (
            "length",
            f"{axis.timecode(picture.n_frames)} · {picture.n_frames} frames · {axis.duration_s:.3f} s",
        ),
        ("cuts", f"{len(analysis.cuts)} · {len(analysis.shots)} shots"),
        ("events", f"{len(analysis.impacts)} impacts · {len(analysis.flashes)} flashes"),
    ]
    if cues is not None:
        facts.append(("cues", f"{len(cues.cues)} on {len(cues.layers)} layers · preset {cues.preset}"))
    if tempo is not None:
        bpms = [s.bpm for s in tempo.segments] + [s.end_bpm for s in tempo.segments]
        span = f"{min(bpms):.2f}" if max(bpms) == min(bpms) else f"{min(bpms):.2f}-{max(bpms):.2f}"
        facts.append(("tempo", f"{span} BPM · {tempo.numerator}/{tempo.denominator}"))
    if loudness is not None:
        facts.append(("loudness", loudness.summary()))
    return " · ".join(f"{name} <b>{html.escape(value)}</b>" for name, value in facts)


def _players(video: str | None, stems: Sequence[Stem | str], stem_dir: str) -> str:
    parts = []
    if video is not None:
        parts.append(
            '<div class="video-box">'
            f'<video class="picture" src="{lanes.attr(quote(video))}" controls preload="metadata" '
            "playsinline></video>"
            '<p id="video-note" class="note" hidden></p></div>'
        )
    if stems:
        rows = []
        for i, stem in enumerate(stems):
            name = stem if isinstance(stem, str) else stem.name
            src = quote(f"{stem_dir}/{name}.wav" if stem_dir else f"{name}.wav")
            follow = (
                f'<label><input type="checkbox" class="follow" data-stem="{i}"> with picture</label>'
                if video is not None
                else ""
            )
            rows.append(
                f'<li><span class="name">{html.escape(name)}</span>'
                f'<audio class="stem" src="{lanes.attr(src)}" controls preload="metadata"></audio>'
                f"{follow}</li>"
            )
        parts.append(f'<div class="stems"><h2>Stems</h2><ul>{"".join(rows)}</ul></div>')
    return f'<section class="players">{"".join(parts)}</section>' if parts else ""


def _timeline(all_lanes: list[lanes.Lane], backdrop: str) -> str:
    labels = "".join(
        f'<div class="label" style="height:{lane.height_px}px" title="{lanes.attr(lane.title)}">'
        f"{lane.label}</div>"
        for lane in all_lanes
    )
    tracks = "".join(
        f'<div class="track {lane.key}" data-lane="{lanes.attr(lane.key)}" '
        f'style="height:{lane.height_px}px">{lane.body}</div>'
        for lane in all_lanes
    )
    keys = "space play/pause · ←/→ one frame · shift+←/→ one second · +/− zoom · click a lane to seek"
    return (
        '<section class="timeline-box">'
        '<div class="toolbar"><span id="readout"></span>'
        '<label>zoom <input id="zoom" type="range" min="0" max="1000" step="1" value="0"></label>'
        f'<span id="info"></span><span class="keys">{html.escape(keys)}</span></div>'
        f'<div class="timeline"><div class="labels">{labels}</div>'
        f'<div class="scroller"><div class="inner" style="width:100%">{backdrop}{tracks}'
        '<div class="playhead"></div></div></div></div></section>'
    )


def _cut_cards(analysis: Analysis, axis: lanes.Axis, shown: set[int]) -> str:
    if not analysis.cuts:
        return ""
    cards = []
    for number, (cut, sides) in enumerate(zip(analysis.cuts, _cut_sides(analysis), strict=True), start=1):
        frames = "".join(
            f'<div class="frame {lanes.picture_class(f)}" title="frame {f}"></div>'
            if f in shown
            else '<div class="frame"></div>'
            for f in sides
        )
        what = f"#{number} {cut.kind} · frame {cut.frame} · score {cut.score:.2f}"
        caption = f"<b>{axis.timecode(cut.frame)}</b> {what}"
        tip = lanes.attr(lanes.cut_tip(number, cut, axis))
        cards.append(
            f'<figure class="cutcard" data-t="{cut.time_s:.6f}" data-frame="{cut.frame}" title="{tip}">'
            f'<div class="pair">{frames}</div><figcaption>{caption}</figcaption></figure>'
        )
    return (
        f'<section class="cuts-box"><h2>Cuts <small>last frame before · first frame after</small></h2>'
        f'<div class="cutcards">{"".join(cards)}</div></section>'
    )


def _cue_table(cues: CueSheet, axis: lanes.Axis) -> str:
    rows = []
    for cue in cues.cues:
        cells = (
            axis.timecode(axis.nearest_frame(cue.time_s)),
            f"{cue.time_s:.3f}",
            cue.layer,
            f"{cue.kind} ({cue.event})",
            f"{cue.intensity:.2f}",
            cue.why,
        )
        tds = "".join(
            f"<td{' class=tc' if i == 0 else ''}>{html.escape(c)}</td>" for i, c in enumerate(cells)
        )
        rows.append(f'<tr data-t="{cue.time_s:.6f}">{tds}</tr>')
    head = "".join(f"<th>{h}</th>" for h in ("timecode", "s", "layer", "what", "intensity", "why"))
    return (
        f'<section class="cues-box"><details><summary>Cue sheet ({len(cues.cues)} cues)</summary>'
        f'<table class="cuesheet"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        "</details></section>"
    )


def report_html(
    *,
    analysis: Analysis,
    cues: CueSheet | None = None,
    tempo_map: TempoMap | None = None,
    score: Score | None = None,
    loudness: LoudnessCurve | Mapping[str, Any] | None = None,
    stems: Sequence[Stem | str] = (),
    thumbnails: Mapping[int, bytes] | None = None,
    video: str | None = "scored.mp4",
    stem_dir: str = "stems",
    title: str | None = None,
) -> str:
    """Return the review page of a run as HTML text: same inputs, same text.

    Parameters
    ----------
    analysis : Analysis
        The picture: cuts, shots, motion, impacts, flashes, its own audio.
    cues : CueSheet, optional
        The spotting pass: one lane per layer (hits at their sync point, beds over
        their span) and the cue sheet table.
    tempo_map : TempoMap, optional
        The beat and bar grid, the tempo curve and the hits on it with their frames off
        the grid. Defaults to the score's map.
    score : Score, optional
        The music: one piano-roll lane per part, sections and markers.
    loudness : LoudnessCurve or mapping, optional
        The mix's short-term loudness and figures (a mapping is read by
        :meth:`LoudnessCurve.from_dict`).
    stems : sequence of Stem or str
        The stems beside the report, in the order to list them: a :class:`Stem` also
        gets a lane with its level over time; a string is a stem's name alone. Each plays
        from ``<stem_dir>/<name>.wav``.
    thumbnails : mapping of int to bytes, optional
        JPEG or PNG pictures by frame index (see :func:`thumbnail_frames`); without
        them the page has no picture strip.
    video : str or None
        Path of the scored video relative to the report; None for no player (after
        ``sonics analyze`` alone).
    stem_dir : str
        Folder of the stems relative to the report.
    title : str, optional
        Page title; by default ``"sonics report: <picture file name>"``.

    Returns
    -------
    str
        The whole page, UTF-8 text with no external references but ``video`` and the stems.

    Raises
    ------
    ParameterError
        If a thumbnail is not JPEG or PNG, or ``loudness`` lacks its figures.

    Examples
    --------
    >>> page = report_html(analysis=analysis, cues=sheet)  # doctest: +SKIP
    >>> Path("out/report.html").write_text(page, encoding="utf-8")  # doctest: +SKIP
    """
    if loudness is not None and not isinstance(loudness, LoudnessCurve):
        loudness = LoudnessCurve.from_dict(loudness)
    tempo = tempo_map if tempo_map is not None else score.tempo_map if score is not None else None
    axis = lanes.Axis(analysis)
    heads = _shot_heads(analysis)
    used = set(heads.values()) | {f for sides in _cut_sides(analysis) for f in sides if f is not None}
    pictures = {f: data for f, data in (thumbnails or {}).items() if f in used}  # the page shows no others
    shown = set(pictures)
    stem_objects = [s for s in stems if isinstance(s, Stem)]

    all_lanes: list[lanes.Lane] = [lanes.Lane("ruler", "time", "", 22)]
    candidates = [
        lanes.picture_lane(analysis, axis, heads, shown),
        lanes.shots_lane(analysis, axis),
        lanes.cuts_lane(analysis, axis),
        lanes.motion_lane(analysis, axis),
        lanes.events_lane(analysis, axis),
        lanes.audio_lane(analysis, axis),
    ]
    if tempo is not None:
        candidates += [
            lanes.beats_lane(tempo, axis),
            lanes.tempo_lane(tempo, axis),
            lanes.hits_lane(tempo, axis),
        ]
    if score is not None:
        candidates.append(lanes.sections_lane(score, axis))
    if cues is not None:
        candidates += lanes.cue_lanes(cues, axis)
    if score is not None:
        candidates += lanes.part_lanes(score, axis)
    candidates += lanes.stem_lanes(stem_objects, axis)
    if loudness is not None:
        candidates.append(
            lanes.loudness_lane(
                loudness.curve, loudness.integrated_lufs, loudness.target_lufs, loudness.summary(), axis
            )
        )
    all_lanes += [lane for lane in candidates if lane is not None]

    rate = analysis.picture.frame_rate
    page_data: dict[str, Any] = {
        "duration_s": axis.duration_s,
        "fps": [rate.numerator, rate.denominator],
        "nominal_fps": round(rate),
        "drop_frame": is_drop_frame_rate(rate),
        "n_frames": axis.n_frames,
        "max_zoom": max(1.0, round(axis.duration_s / _MIN_VIEW_S, 3)),
        "frame_times_s": [round(float(t), 6) for t in axis.frame_times_s]
        if analysis.picture.variable_frame_rate
        else None,
    }
    script_data = json.dumps(page_data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    page_title = title if title is not None else f"sonics report: {os.path.basename(analysis.picture.path)}"
    aspect = f"{max(analysis.picture.width, 1)} / {max(analysis.picture.height, 1)}"
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in analysis.warnings)
    body = [
        f'<header><h1>{html.escape(page_title)}</h1><p class="facts">'
        f"{_facts(analysis, axis, cues, tempo, loudness)}</p>"
        + (f'<ul class="warnings">{warnings}</ul>' if warnings else "")
        + "</header>",
        _players(video, stems, stem_dir),
        _timeline(all_lanes, lanes.backdrop(analysis, tempo, axis)),
        _cut_cards(analysis, axis, shown),
        _cue_table(cues, axis) if cues is not None else "",
        "<footer>Made by sonics. Everything on this page is inside this file; "
        "the players read the scored video and the stems beside it.</footer>",
        f'<script type="application/json" id="sonics-data">{script_data}</script>',
        f"<script>{JS}</script>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(page_title)}</title>\n"
        f"<style>{CSS}:root {{ --aspect: {aspect}; }}\n</style>\n"
        f"<style>\n{_thumbnail_styles(pictures)}\n</style>\n"
        "</head>\n<body>\n" + "\n".join(part for part in body if part) + "\n</body>\n</html>\n"
    )
