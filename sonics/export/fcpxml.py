"""FCP 7 XML (``xmeml``) for Premiere Pro and DaVinci Resolve: the same timeline as ``timeline.otio``.

The sequence is written by OpenTimelineIO's ``fcp_xml`` adapter from
:func:`sonics.export.otio.timeline_otio` (with frame ranges, as the adapter's timecode code
takes no sample rates), then completed where the adapter leaves out what an editor needs
to import the audio right:

- each audio file gets its sample rate, bit depth and channel count, each audio track is
  marked stereo for Premiere, and each clip names the source track it plays;
- the sequence gets its picture size, rate and audio format;
- paths become ``file://localhost/...`` URLs (relative to the output folder unless a media
  root is given), percent-encoded;
- markers become point markers (``out`` -1) with their comment;
- timecodes are written drop-frame when the start timecode is;
- the adapter's repeated ``rate`` inside each clip item is dropped.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import opentimelineio as otio

from sonics.core.errors import ExportError
from sonics.core.timebase import frame_to_timecode
from sonics.export.delivery import Delivery
from sonics.export.otio import timeline_otio

__all__ = ["fcp_xml_bytes"]


def _sub(parent: ET.Element, tag: str, text: str | None = None, index: int | None = None) -> ET.Element:
    element = ET.Element(tag)
    element.text = text
    if index is None:
        parent.append(element)
    else:
        parent.insert(index, element)
    return element


def _samples(parent: ET.Element, sample_rate: int) -> None:
    characteristics = _sub(parent, "samplecharacteristics")
    _sub(characteristics, "depth", "24")
    _sub(characteristics, "samplerate", str(sample_rate))


def _file_url(path: Path) -> str:
    return "file://localhost" + quote(path.resolve().as_posix())


def _fix_rates(clipitem: ET.Element) -> None:
    rates = clipitem.findall("rate")
    for extra in rates[1:]:
        clipitem.remove(extra)


def _source_track(clipitem: ET.Element, media_type: str) -> None:
    if clipitem.find("sourcetrack") is None:
        track = _sub(clipitem, "sourcetrack")
        _sub(track, "mediatype", media_type)
        if media_type == "audio":
            _sub(track, "trackindex", "1")


def _fix_video(delivery: Delivery, video: ET.Element) -> None:
    fmt = video.find("format")
    if fmt is None:
        fmt = _sub(video, "format", index=0)
    characteristics = _sub(fmt, "samplecharacteristics")
    rate = _sub(characteristics, "rate")
    _sub(rate, "timebase", str(round(delivery.frame_rate)))
    _sub(rate, "ntsc", "TRUE" if delivery.frame_rate.denominator == 1001 else "FALSE")
    _sub(characteristics, "width", str(delivery.picture.width))
    _sub(characteristics, "height", str(delivery.picture.height))
    for clipitem in video.iter("clipitem"):
        _fix_rates(clipitem)
        _source_track(clipitem, "video")
        file_e = clipitem.find("file")
        if file_e is None or delivery.video_path is None:
            continue
        pathurl = file_e.find("pathurl")
        if pathurl is not None:
            pathurl.text = _file_url(Path(delivery.video_path))
        media = file_e.find("media")
        if media is not None:
            video_media = media.find("video")
            if video_media is not None and video_media.find("samplecharacteristics") is None:
                sample = _sub(video_media, "samplecharacteristics")
                _sub(sample, "width", str(delivery.picture.width))
                _sub(sample, "height", str(delivery.picture.height))
            audio_media = media.find("audio")
            if audio_media is not None and not delivery.picture.has_audio:
                media.remove(audio_media)


def _fix_audio(delivery: Delivery, audio: ET.Element, media_root: Path | None) -> None:
    _sub(audio, "numOutputChannels", "2", index=0)
    fmt = _sub(audio, "format", index=1)
    _samples(fmt, delivery.sample_rate)
    stems = [stem for _, group in delivery.stem_groups() for stem in group]
    tracks = audio.findall("track")
    if len(tracks) != len(stems):
        raise ExportError(f"fcp xml: the adapter wrote {len(tracks)} audio tracks for {len(stems)} stems")
    for track, stem in zip(tracks, stems, strict=True):
        track.set("premiereTrackType", "Stereo" if stem.channels == 2 else "Mono")
        for clipitem in track.iter("clipitem"):
            _fix_rates(clipitem)
            _source_track(clipitem, "audio")
            file_e = clipitem.find("file")
            if file_e is None:
                continue
            pathurl = file_e.find("pathurl")
            if pathurl is not None:
                pathurl.text = (
                    _file_url(media_root / stem.path) if media_root is not None else quote(stem.path)
                )
            media = file_e.find("media")
            if media is None:
                media = _sub(file_e, "media")
            audio_media = media.find("audio")
            if audio_media is None:
                audio_media = _sub(media, "audio")
            _samples(audio_media, stem.sample_rate)
            _sub(audio_media, "channelcount", str(stem.channels))


def _fix_markers(delivery: Delivery, sequence: ET.Element) -> None:
    markers = sequence.findall("marker")
    if len(markers) != len(delivery.markers):
        raise ExportError(f"fcp xml: the adapter wrote {len(markers)} markers for {len(delivery.markers)}")
    for element, marker in zip(markers, delivery.markers, strict=True):
        out = element.find("out")
        if out is not None:
            out.text = "-1"
        comment = element.find("comment")
        if comment is None:
            comment = _sub(element, "comment", index=1)
        comment.text = marker.comment


def _fix_timecodes(delivery: Delivery, root: ET.Element) -> None:
    """Write every timecode in the start timecode's counting (the adapter writes non-drop only)."""
    drop = delivery.drop_frame
    for element in root.iter("timecode"):
        frame = int(element.findtext("frame") or 0)
        element.find("string").text = frame_to_timecode(frame, delivery.frame_rate, drop)
        element.find("displayformat").text = "DF" if drop else "NDF"


def fcp_xml_bytes(delivery: Delivery, *, media_root: str | os.PathLike[str] | None = None) -> bytes:
    """Return the delivery as an FCP 7 XML (``xmeml`` version 4) sequence.

    Parameters
    ----------
    delivery : Delivery
        The picture, the stems, the markers and the start timecode.
    media_root : str or Path, optional
        The output folder as it will finally be: stem paths become absolute
        ``file://localhost/...`` URLs under it, which Premiere links without asking. Without it
        they stay relative to the folder (``stems/sfx_whoosh.wav``), for Resolve or a relink.

    Returns
    -------
    bytes
        UTF-8 XML: one sequence at the picture's rate and size, starting at the start
        timecode; video track 1 holds the picture, then one stereo audio track per stem
        (dialogue, music, effects, then other roles), each one clip from frame 0 for the
        picture's length; point markers at the hits.

    Raises
    ------
    ExportError
        If the adapter cannot write the sequence or writes something unexpected.

    Examples
    --------
    >>> xml = fcp_xml_bytes(delivery, media_root="/projects/cut_scored")  # doctest: +SKIP
    """
    try:
        text = otio.adapters.write_to_string(timeline_otio(delivery, sample_ranges=False), "fcp_xml")
    except (ValueError, TypeError, KeyError) as exc:
        raise ExportError(f"fcp xml: cannot write the sequence ({exc})") from None
    root = ET.fromstring(text)
    sequence = root.find("./project/children/sequence")
    media = sequence.find("media") if sequence is not None else None
    if sequence is None or media is None or media.find("video") is None or media.find("audio") is None:
        raise ExportError("fcp xml: the adapter wrote no sequence with video and audio")
    root_path = Path(media_root) if media_root is not None else None
    _fix_video(delivery, media.find("video"))
    _fix_audio(delivery, media.find("audio"), root_path)
    _fix_markers(delivery, sequence)
    _fix_timecodes(delivery, root)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n' + body + "\n").encode("utf-8")
