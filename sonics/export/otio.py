"""``timeline.otio``: the picture and every stem on tracks, markers at the hits, at the picture's timecode.

One video track holds the input video (or, for a picture read from a timeline, a gap of its
length); one audio track per stem holds its WAV, referenced by its path relative to the
output folder, from frame 0 for exactly the picture's length. Clip ranges are in frames at
the picture's exact rate; each stem's available range is in samples, so its length is exact
too. The timeline's global start time is the start timecode.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import opentimelineio as otio

from sonics.core.errors import ExportError
from sonics.export.delivery import Delivery, DeliveryMarker, StemFile

__all__ = ["otio_bytes", "timeline_otio"]

_SCHEMA = "sonics.delivery/1"


def _frames(value: int, delivery: Delivery) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(value, float(delivery.frame_rate))


def _picture_range(delivery: Delivery) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_frames(0, delivery), _frames(delivery.n_frames, delivery))


def _video_track(delivery: Delivery) -> otio.schema.Track:
    track = otio.schema.Track(name="Picture", kind=otio.schema.TrackKind.Video)
    if delivery.video_path is None:
        track.append(otio.schema.Gap(source_range=_picture_range(delivery)))
        return track
    video = Path(delivery.video_path).resolve()
    reference = otio.schema.ExternalReference(
        target_url=video.as_uri(), available_range=_picture_range(delivery)
    )
    name = video.name
    track.append(
        otio.schema.Clip(name=name, media_reference=reference, source_range=_picture_range(delivery))
    )
    return track


def _stem_track(delivery: Delivery, stem: StemFile, sample_ranges: bool) -> otio.schema.Track:
    if sample_ranges:
        rate = float(stem.sample_rate)
        available = otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(stem.n_samples, rate)
        )
    else:
        available = _picture_range(delivery)
    # A relative URL: the stems travel with the timeline in the output folder.
    reference = otio.schema.ExternalReference(target_url=quote(stem.path), available_range=available)
    metadata = {"sonics": {"role": stem.role, "n_samples": stem.n_samples, "sample_rate": stem.sample_rate}}
    clip = otio.schema.Clip(
        name=stem.name, media_reference=reference, source_range=_picture_range(delivery), metadata=metadata
    )
    track = otio.schema.Track(name=stem.name, kind=otio.schema.TrackKind.Audio)
    track.append(clip)
    return track


def _marker(marker: DeliveryMarker, delivery: Delivery) -> otio.schema.Marker:
    return otio.schema.Marker(
        name=marker.name,
        marked_range=otio.opentime.TimeRange(_frames(marker.frame, delivery), _frames(0, delivery)),
        color=marker.kind.colour,
        comment=marker.comment,
        metadata={"sonics": {"kind": str(marker.kind), "time_s": marker.time_s}},
    )


def timeline_otio(delivery: Delivery, *, sample_ranges: bool = True) -> otio.schema.Timeline:
    """Return the delivery as an OpenTimelineIO timeline.

    Parameters
    ----------
    delivery : Delivery
        The picture, the stems, the markers and the start timecode.
    sample_ranges : bool
        Give each stem's media reference its length in samples (exact). False gives it the
        picture's frames instead, for adapters that only take frame rates (FCP 7 XML).

    Returns
    -------
    opentimelineio.schema.Timeline
        Track 1 ``Picture`` (video), then one audio track per stem (dialogue, music, effects,
        then other roles), each a single clip over frames ``[0, n_frames)`` at the picture's
        rate, whose media reference is ``stems/<name>.wav`` with an available range of
        ``n_samples`` at the stem's sample rate. Markers sit on the timeline's stack at their
        frames, coloured by kind (cut red, sync green, impact orange, flash yellow, cue cyan).
        ``global_start_time`` is the start timecode's frame.

    Examples
    --------
    >>> timeline = timeline_otio(delivery)  # doctest: +SKIP
    >>> [t.name for t in timeline.audio_tracks()]  # doctest: +SKIP
    ['music_drums', 'sfx_whoosh']
    """
    rate = delivery.frame_rate
    timeline = otio.schema.Timeline(
        name=delivery.name,
        global_start_time=_frames(delivery.start_frame, delivery),
        metadata={
            "sonics": {
                "schema": _SCHEMA,
                "fps": f"{rate.numerator}/{rate.denominator}",
                "n_frames": delivery.n_frames,
                "start_timecode": delivery.start_timecode,
            }
        },
    )
    timeline.tracks.append(_video_track(delivery))
    for _, stems in delivery.stem_groups():
        for stem in stems:
            timeline.tracks.append(_stem_track(delivery, stem, sample_ranges))
    timeline.tracks.markers.extend(_marker(m, delivery) for m in delivery.markers)
    return timeline


def otio_bytes(delivery: Delivery) -> bytes:
    """Return ``timeline.otio`` (OTIO JSON, UTF-8) for the delivery; see :func:`timeline_otio`.

    Raises
    ------
    ExportError
        If OpenTimelineIO cannot serialise the timeline.
    """
    try:
        text = otio.adapters.write_to_string(timeline_otio(delivery), "otio_json")
    except (ValueError, TypeError) as exc:
        raise ExportError(f"timeline.otio: cannot write the timeline ({exc})") from None
    return (text.rstrip("\n") + "\n").encode("utf-8")
