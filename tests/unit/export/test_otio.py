from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from sonics.export.delivery import Delivery
from sonics.export.otio import otio_bytes, timeline_otio


def _read(data: bytes) -> otio.schema.Timeline:
    return otio.adapters.read_from_string(data.decode("utf-8"), "otio_json")


def test_every_stem_is_a_clip_over_the_whole_picture(delivery, truth, tmp_path):
    path = tmp_path / "timeline.otio"
    path.write_bytes(otio_bytes(delivery))
    timeline = otio.adapters.read_from_file(str(path))
    rate = float(truth.RATE)
    picture = otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(96, rate)
    )
    samples = otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, 48000), otio.opentime.RationalTime(truth.N_SAMPLES, 48000)
    )
    video = timeline.video_tracks()
    assert len(video) == 1 and len(video[0]) == 1
    clip = video[0][0]
    assert clip.source_range == picture
    assert clip.media_reference.target_url == Path(truth.VIDEO).as_uri()  # "file:///footage/battle%20cut.mp4"
    assert clip.media_reference.available_range == picture
    audio = timeline.audio_tracks()
    assert [t.name for t in audio] == ["dialogue", "music_drums", "music_strings", "sfx_whoosh", "mix"]
    urls = [t[0].media_reference.target_url for t in audio]
    assert urls == [
        "mix/dialogue.wav",
        "stems/music_drums.wav",
        "stems/music_strings.wav",
        "stems/sfx%20whoosh.wav",
        "mix/mix.wav",
    ]
    for track in audio:
        assert len(track) == 1
        assert track.range_of_child_at_index(0) == picture  # from frame 0, the picture's length
        assert track[0].source_range == picture
        assert track[0].media_reference.available_range == samples
        assert track[0].duration().to_seconds() == pytest.approx(truth.N_SAMPLES / 48000, abs=1e-12)
    assert audio[1][0].metadata["sonics"] == {
        "role": "music",
        "n_samples": truth.N_SAMPLES,
        "sample_rate": 48000,
    }
    assert timeline.duration() == picture.duration


def test_markers_sit_on_their_frames_coloured_by_kind(delivery, truth):
    timeline = _read(otio_bytes(delivery))
    markers = timeline.tracks.markers
    assert [m.marked_range.start_time.value for m in markers] == list(truth.MARKER_FRAMES)
    assert all(m.marked_range.start_time.rate == float(truth.RATE) for m in markers)
    assert all(m.marked_range.duration.value == 0 for m in markers)
    assert [m.color for m in markers] == ["RED", "GREEN", "RED", "YELLOW", "RED"]
    assert [m.name for m in markers] == [m.name for m in delivery.markers]
    assert markers[2].comment == delivery.markers[2].comment
    assert markers[1].metadata["sonics"]["kind"] == "sync"


@pytest.mark.parametrize(
    ("rate", "timecode", "frame"),
    [
        (Fraction(24000, 1001), "01:00:00:00", 86400),
        (Fraction(25), "10:00:00:00", 900000),
        (Fraction(30000, 1001), "01:00:00;00", 107892),
    ],
)
def test_global_start_time_is_the_start_timecode(truth, rate, timecode, frame):
    picture = truth.make_picture(rate)
    timeline = _read(otio_bytes(Delivery(picture, truth.make_stems(), start_timecode=timecode)))
    start = timeline.global_start_time
    assert (start.value, start.rate) == (frame, float(rate))
    assert otio.opentime.to_timecode(start, float(rate), ";" in timecode) == timecode
    assert timeline.metadata["sonics"]["start_timecode"] == timecode


def test_same_delivery_same_bytes_and_no_clock(delivery):
    first = otio_bytes(delivery)
    assert first == otio_bytes(delivery)
    assert first.endswith(b"}\n")
    text = first.decode()
    assert "date" not in text.lower() and "created" not in text.lower()


def test_a_picture_from_a_timeline_gets_a_gap_of_its_length(truth):
    analysis = truth.make_analysis("edit.otio")
    timeline = timeline_otio(Delivery(analysis.picture, truth.make_stems()))
    video = timeline.video_tracks()[0]
    assert isinstance(video[0], otio.schema.Gap) and video[0].duration().value == 96
