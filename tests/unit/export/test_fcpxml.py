import xml.etree.ElementTree as ET

import opentimelineio as otio

from sonics.export.delivery import Delivery
from sonics.export.fcpxml import fcp_xml_bytes


def _read(data: bytes) -> otio.schema.Timeline:
    return otio.adapters.read_from_string(data.decode("utf-8"), "fcp_xml")


def test_the_adapter_reads_back_every_track_clip_and_marker(delivery, truth):
    data = fcp_xml_bytes(delivery)
    timeline = _read(data)
    rate = float(truth.RATE)
    picture = otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(96, rate)
    )
    assert timeline.global_start_time == otio.opentime.RationalTime(86400, rate)
    assert len(timeline.video_tracks()) == 1
    assert (
        timeline.video_tracks()[0][0].media_reference.target_url
        == "file://localhost/footage/battle%20cut.mp4"
    )
    audio = timeline.audio_tracks()
    assert [t[0].name for t in audio] == ["dialogue", "music_drums", "music_strings", "sfx_whoosh", "mix"]
    for track in audio:
        assert len(track) == 1
        assert track.range_of_child_at_index(0) == picture
        assert track[0].source_range == picture
    assert audio[3][0].media_reference.target_url == "stems/sfx%20whoosh.wav"
    markers = timeline.tracks.markers
    assert [m.marked_range.start_time.value for m in markers] == list(truth.MARKER_FRAMES)
    assert all(m.marked_range.duration.value == 0 for m in markers)
    assert [m.name for m in markers] == [m.name for m in delivery.markers]


def test_audio_files_say_48_khz_24_bit_stereo_and_clips_name_their_source_track(delivery):
    root = ET.fromstring(fcp_xml_bytes(delivery))
    sequence = root.find("project/children/sequence")
    assert sequence.findtext("media/audio/format/samplecharacteristics/samplerate") == "48000"
    assert sequence.findtext("media/video/format/samplecharacteristics/width") == "320"
    assert sequence.findtext("timecode/string") == "01:00:00:00"
    tracks = sequence.findall("media/audio/track")
    assert len(tracks) == 5
    for track in tracks:
        assert track.get("premiereTrackType") == "Stereo"
        clip = track.find("clipitem")
        assert len(clip.findall("rate")) == 1
        assert clip.findtext("sourcetrack/mediatype") == "audio"
        assert clip.findtext("sourcetrack/trackindex") == "1"
        assert clip.findtext("file/media/audio/samplecharacteristics/samplerate") == "48000"
        assert clip.findtext("file/media/audio/samplecharacteristics/depth") == "24"
        assert clip.findtext("file/media/audio/channelcount") == "2"
        assert (clip.findtext("in"), clip.findtext("out"), clip.findtext("start"), clip.findtext("end")) == (
            "0",
            "96",
            "0",
            "96",
        )
    for element, marker in zip(sequence.findall("marker"), delivery.markers, strict=True):
        assert element.findtext("out") == "-1"
        assert element.findtext("comment") == marker.comment


def test_a_media_root_gives_absolute_urls(delivery, tmp_path):
    root_dir = tmp_path / "scored cut"
    timeline = _read(fcp_xml_bytes(delivery, media_root=root_dir))
    url = timeline.audio_tracks()[3][0].media_reference.target_url
    assert (
        url == "file://localhost" + (root_dir / "stems").as_posix().replace(" ", "%20") + "/sfx%20whoosh.wav"
    )


def test_drop_frame_start_and_determinism(truth):
    delivery = truth.ntsc_delivery("01:00:00;00")
    data = fcp_xml_bytes(delivery)
    assert data == fcp_xml_bytes(delivery)
    sequence = ET.fromstring(data).find("project/children/sequence")
    assert sequence.findtext("timecode/string") == "01:00:00;00"
    assert sequence.findtext("timecode/frame") == "107892"
    assert sequence.findtext("timecode/displayformat") == "DF"
    assert sequence.findtext("rate/timebase") == "30" and sequence.findtext("rate/ntsc") == "TRUE"


def test_a_picture_without_a_video_file_and_without_stems_still_writes(truth):
    empty = Delivery(truth.make_analysis("edit.otio").picture, ())
    data = fcp_xml_bytes(empty)
    assert _read(data).audio_tracks() == []
    assert ET.fromstring(data).findtext("project/children/sequence/duration") == "96"
    with_stems = Delivery(empty.picture, truth.make_stems())
    assert len(_read(fcp_xml_bytes(with_stems)).audio_tracks()) == 5
