"""Cuts read from editors' timelines (OTIO, FCP 7 XML, CMX 3600 EDL) and cut lists, exactly."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import CutKind
from sonics.core.timebase import timecode_to_frame
from sonics.io.timeline import EditList, edit_list_from_cuts, is_timeline_path, read_timeline

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange

RATES = [Fraction(24), Fraction(25), Fraction(24000, 1001), Fraction(30000, 1001)]


def build(
    rate: Fraction, items: list[tuple], *, url: str = "render.mov", name: str = "battle"
) -> otio.schema.Timeline:
    """A one-video-track timeline: ("c", n) clip, ("g", n) gap, ("t", in, out) dissolve, in frames.

    Every clip plays ``url`` straight through: its source start is its record start.
    """
    r = float(rate)
    timeline = otio.schema.Timeline(name=name)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    at = 0
    for item in items:
        if item[0] == "c":
            ref = otio.schema.ExternalReference(target_url=url, available_range=TR(RT(0, r), RT(100_000, r)))
            track.append(
                otio.schema.Clip(
                    name=f"shot{at}", media_reference=ref, source_range=TR(RT(at, r), RT(item[1], r))
                )
            )
            at += item[1]
        elif item[0] == "g":
            track.append(otio.schema.Gap(source_range=TR(RT(0, r), RT(item[1], r))))
            at += item[1]
        else:
            track.append(
                otio.schema.Transition(
                    transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                    in_offset=RT(item[1], r),
                    out_offset=RT(item[2], r),
                )
            )
    return timeline


def summary(edit: EditList) -> list[tuple[int, str, int, int]]:
    return [(c.frame, str(c.kind), c.start_frame, c.end_frame) for c in edit.cuts]


def assert_exact_times(edit: EditList) -> None:
    for cut in edit.cuts:
        assert cut.time_s == float(Fraction(cut.frame) / edit.frame_rate)
        assert cut.score == 1.0


# A hard cut, a centred 12-frame dissolve, a cut to black and a cut out of it.
CUTS_AND_DISSOLVE = [("c", 48), ("c", 30), ("t", 6, 6), ("c", 40), ("g", 12), ("c", 20)]
CUTS_AND_DISSOLVE_TRUTH = [
    (48, "hard", 48, 48),
    (78, "dissolve", 72, 83),
    (118, "hard", 118, 118),
    (130, "hard", 130, 130),
]


@pytest.mark.parametrize("rate", RATES, ids=str)
@pytest.mark.parametrize("suffix", [".otio", ".xml", ".edl"])
def test_written_timeline_reads_back_exact_cuts(tmp_path: Path, rate: Fraction, suffix: str) -> None:
    path = tmp_path / f"cut{suffix}"
    otio.adapters.write_to_file(build(rate, CUTS_AND_DISSOLVE), str(path))
    edit = read_timeline(path, frame_rate=rate if suffix == ".edl" else None)
    assert edit.frame_rate == rate
    assert edit.n_frames == 150
    assert summary(edit) == CUTS_AND_DISSOLVE_TRUTH
    assert edit.source == str(path)
    assert_exact_times(edit)


def test_edl_in_drop_frame_needs_no_rate(tmp_path: Path) -> None:
    # The writer marks 29.97 drop-frame timecode with ';', which tells the rate.
    path = tmp_path / "cut.edl"
    otio.adapters.write_to_file(build(Fraction(30000, 1001), CUTS_AND_DISSOLVE), str(path))
    edit = read_timeline(path)
    assert edit.frame_rate == Fraction(30000, 1001)
    assert summary(edit) == CUTS_AND_DISSOLVE_TRUTH
    assert not any("frame rate" in w for w in edit.warnings)


FADES = [("g", 10), ("t", 3, 3), ("c", 20), ("c", 30), ("t", 3, 5), ("g", 12), ("c", 10)]
FADES_TRUTH = [
    (7, "fade_in", 7, 12),  # from black: the first frame of the fade
    (30, "hard", 30, 30),
    (65, "fade_out", 57, 64),  # to black: the first black frame
    (72, "hard", 72, 72),
]


@pytest.mark.parametrize("suffix", [".otio", ".xml"])
@pytest.mark.parametrize("rate", [Fraction(25), Fraction(24000, 1001)], ids=str)
def test_fades_from_and_to_gaps(tmp_path: Path, suffix: str, rate: Fraction) -> None:
    # FCP 7 XML also checks the repair of the reader's short gaps next to transitions.
    path = tmp_path / f"fades{suffix}"
    otio.adapters.write_to_file(build(rate, FADES), str(path))
    edit = read_timeline(path)
    assert edit.frame_rate == rate
    assert edit.n_frames == 82
    assert summary(edit) == FADES_TRUTH
    assert_exact_times(edit)


def test_dissolves_keep_their_frames_in_every_format(tmp_path: Path) -> None:
    # The EDL restates each dissolve as starting at the incoming event; the frames it
    # covers, and so the cut frame in its middle, stay the same.
    items = [("c", 20), ("t", 0, 6), ("c", 30), ("t", 6, 0), ("c", 10), ("t", 2, 3), ("c", 7)]
    truth = [(23, "dissolve", 20, 25), (47, "dissolve", 44, 49), (60, "dissolve", 58, 62)]
    for suffix in (".otio", ".xml", ".edl"):
        path = tmp_path / f"dissolves{suffix}"
        otio.adapters.write_to_file(build(Fraction(25), items), str(path))
        edit = read_timeline(path, frame_rate=Fraction(25))
        assert summary(edit) == truth, suffix
        assert edit.n_frames == 67


EDL_24 = """\
TITLE: BATTLE CUT
FCM: NON-DROP FRAME

001  BL       V     C        00:00:00:00 00:00:00:00 01:00:00:00 01:00:00:00
001  AX       V     D 012    00:00:10:00 00:00:12:00 01:00:00:00 01:00:02:00
* FROM CLIP NAME: shot_a.mov
002  AX       V     C        00:00:20:00 00:00:21:12 01:00:02:00 01:00:03:12
* FROM CLIP NAME: shot_b.mov
003  AX       V     C        00:00:21:12 00:00:21:12 01:00:03:12 01:00:03:12
003  AX       V     D 012    00:00:30:00 00:00:32:00 01:00:03:12 01:00:05:12
* FROM CLIP NAME: shot_b.mov
* TO CLIP NAME: shot_c.mov
004  BL       V     C        00:00:00:00 00:00:00:12 01:00:05:12 01:00:06:00
005  AX       V     C        00:00:40:00 00:00:41:00 01:00:06:00 01:00:07:00
* FROM CLIP NAME: shot_d.mov
006  AX       V     C        00:00:41:00 00:00:41:00 01:00:07:00 01:00:07:00
006  BL       V     D 024    00:00:00:00 00:00:01:00 01:00:07:00 01:00:08:00
"""
EDL_24_TRUTH = [
    (0, "fade_in", 0, 11),  # fade up from black at the head
    (48, "hard", 48, 48),  # 01:00:02:00
    (90, "dissolve", 84, 95),  # D 012 from 01:00:03:12: the middle of its 12 frames
    (132, "hard", 132, 132),  # cut to black (BL) at 01:00:05:12
    (144, "hard", 144, 144),  # and out of it at 01:00:06:00
    (192, "fade_out", 168, 191),  # D 024 to black over the last second
]


def test_hand_written_edl_counts_from_its_first_record_timecode(tmp_path: Path) -> None:
    path = tmp_path / "reel1.edl"
    path.write_text(EDL_24)
    edit = read_timeline(path, frame_rate=Fraction(24000, 1001))
    assert edit.name == "BATTLE CUT"
    assert edit.frame_rate == Fraction(24000, 1001)
    assert edit.n_frames == 192
    assert summary(edit) == EDL_24_TRUTH
    assert edit.cuts[1].time_s == float(Fraction(48 * 1001, 24000))
    assert edit.media_path is None
    assert edit.warnings == ()
    assert_exact_times(edit)


def test_edl_without_a_rate_is_read_at_24_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "reel1.edl"
    path.write_text(EDL_24)
    edit = read_timeline(path)
    assert edit.frame_rate == 24
    assert summary(edit) == EDL_24_TRUTH
    assert len(edit.warnings) == 1 and "assumed 24 fps" in edit.warnings[0]


EDL_DF = """\
TITLE: DF TEST
FCM: DROP FRAME
001  AX       V     C        01:00:00:00 01:00:59:28 01:00:00:00 01:00:59:28
002  AX       V     C        01:00:59:28 01:01:10:00 01:00:59:28 01:01:10:00
003  AX       V     C        01:01:10:00 01:01:20:00 01:01:10:00 01:01:20:00
"""


@pytest.mark.parametrize("separator", [":", ";"])
@pytest.mark.parametrize("rate", [None, Fraction(30000, 1001)])
def test_drop_frame_edl(tmp_path: Path, separator: str, rate: Fraction | None) -> None:
    # 01:01:00;00 and ;01 do not exist in drop-frame: read as non-drop, the cuts after
    # the minute would land 2 frames late. Colons under FCM: DROP FRAME mean drop-frame too.
    text = EDL_DF if separator == ":" else EDL_DF.replace("FCM: DROP FRAME\n", "")
    if separator == ";":
        text = "\n".join(
            " ".join(tc[:8] + ";" + tc[9:] if tc.count(":") == 3 else tc for tc in line.split(" "))
            for line in text.splitlines()
        )
    path = tmp_path / "df.edl"
    path.write_text(text)
    edit = read_timeline(path, frame_rate=rate)
    ntsc = Fraction(30000, 1001)
    start = timecode_to_frame("01:00:00;00", ntsc)
    assert edit.frame_rate == ntsc
    assert [c.frame for c in edit.cuts] == [
        timecode_to_frame("01:00:59;28", ntsc) - start,
        timecode_to_frame("01:01:10;00", ntsc) - start,
    ]
    assert [c.frame for c in edit.cuts] == [1798, 2098]
    assert edit.n_frames == 2398
    assert edit.warnings == ()


def test_drop_frame_edl_refuses_a_non_drop_rate(tmp_path: Path) -> None:
    path = tmp_path / "df.edl"
    path.write_text(EDL_DF)
    with pytest.raises(MediaError, match=r"df\.edl: drop-frame timecode needs a 30000/1001"):
        read_timeline(path, frame_rate=Fraction(25))


def test_edl_counting_past_24_frames_asks_for_the_rate(tmp_path: Path) -> None:
    path = tmp_path / "pal.edl"
    path.write_text("001  AX  V  C  00:00:00:00 00:00:01:24 01:00:00:00 01:00:01:24\n")
    with pytest.raises(MediaError, match=r"pal\.edl: .*give the frame rate"):
        read_timeline(path)
    edit = read_timeline(path, frame_rate=Fraction(25))
    assert edit.n_frames == 49 and edit.cuts == ()


# ------------------------------------------------------------------ the media the track plays


@pytest.mark.parametrize("suffix", [".otio", ".xml", ".edl"])
def test_media_path_when_every_clip_plays_one_existing_file(tmp_path: Path, suffix: str) -> None:
    (tmp_path / "render.mov").write_bytes(b"not decoded here")
    path = tmp_path / f"cut{suffix}"
    otio.adapters.write_to_file(build(Fraction(24), CUTS_AND_DISSOLVE), str(path))
    edit = read_timeline(path, frame_rate=Fraction(24))
    assert edit.media_path == str(tmp_path / "render.mov")
    assert edit.warnings == ()


def test_media_path_from_a_file_url(tmp_path: Path) -> None:
    media = tmp_path / "the render.mov"
    media.write_bytes(b"")
    edit = read_timeline(build(Fraction(25), [("c", 10), ("c", 10)], url=media.as_uri()))
    assert edit.media_path == str(media)


def test_media_path_is_none_unless_one_file_plays_straight_through(tmp_path: Path) -> None:
    (tmp_path / "render.mov").write_bytes(b"")
    path = tmp_path / "cut.otio"

    otio.adapters.write_to_file(build(Fraction(24), [("c", 10), ("c", 10)], url="missing.mov"), str(path))
    edit = read_timeline(path)
    assert edit.media_path is None
    assert len(edit.warnings) == 1 and "missing.mov" in edit.warnings[0]

    two_files = build(Fraction(24), [("c", 10), ("c", 10)])
    two_files.tracks[0][1].media_reference.target_url = "other.mov"
    otio.adapters.write_to_file(two_files, str(path))
    assert read_timeline(path).media_path is None

    shuffled = build(Fraction(24), [("c", 10), ("c", 10)])
    shuffled.tracks[0][1].source_range = TR(RT(500, 24), RT(10, 24))  # source clips, not the render
    otio.adapters.write_to_file(shuffled, str(path))
    assert read_timeline(path).media_path is None


# ------------------------------------------------------------------ timeline objects


def test_timeline_object_from_a_script_ignores_its_start_timecode() -> None:
    timeline = build(Fraction(24000, 1001), CUTS_AND_DISSOLVE)
    timeline.global_start_time = RT(86_400, 24000 / 1001)  # 01:00:00:00
    edit = read_timeline(timeline)
    assert edit.source == "otio timeline"
    assert edit.name == "battle"
    assert edit.frame_rate == Fraction(24000, 1001)
    assert summary(edit) == CUTS_AND_DISSOLVE_TRUTH


def test_the_first_video_track_gives_the_cuts() -> None:
    timeline = build(Fraction(24), [("c", 24), ("c", 24)])
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    audio.append(otio.schema.Clip(source_range=TR(RT(0, 48000), RT(48000 * 3, 48000))))
    timeline.tracks.insert(0, audio)
    timeline.tracks.append(build(Fraction(24), [("c", 7), ("c", 41)]).tracks[0].clone())
    edit = read_timeline(timeline)
    assert [c.frame for c in edit.cuts] == [24]
    assert any("first video track only; 1 more ignored" in w for w in edit.warnings)


def test_mixed_rate_clips_are_counted_at_the_timeline_rate() -> None:
    timeline = build(Fraction(24), [("c", 24)])
    timeline.tracks[0].append(otio.schema.Clip(source_range=TR(RT(0, 25), RT(50, 25))))  # 2 s
    timeline.tracks[0].append(otio.schema.Clip(source_range=TR(RT(0, 24), RT(12, 24))))
    edit = read_timeline(timeline)
    assert edit.frame_rate == 24
    assert [c.frame for c in edit.cuts] == [24, 72]
    assert edit.n_frames == 84


def test_a_given_rate_retimes_a_stated_one() -> None:
    edit = read_timeline(build(Fraction(25), [("c", 50), ("c", 50)]), frame_rate=Fraction(50))
    assert edit.frame_rate == 50
    assert [c.frame for c in edit.cuts] == [100]
    assert edit.n_frames == 200


def test_a_trimmed_track_plays_its_source_range_and_disabled_clips_are_black() -> None:
    timeline = build(Fraction(24), [("c", 48), ("c", 48), ("c", 48), ("c", 48)])
    track = timeline.tracks[0]
    track.source_range = TR(RT(24, 24), RT(130, 24))  # frames 24..153 of the track play
    track[2].enabled = False
    edit = read_timeline(timeline)
    assert edit.n_frames == 130
    assert [c.frame for c in edit.cuts] == [24, 72, 120]
    assert edit.media_path is None


def test_a_trimmed_render_does_not_start_at_frame_0(tmp_path: Path) -> None:
    media = tmp_path / "render.mov"
    media.write_bytes(b"")
    timeline = build(Fraction(24), [("c", 48), ("c", 48)], url=str(media))
    assert read_timeline(timeline).media_path == str(media)
    timeline.tracks[0].source_range = TR(RT(24, 24), RT(48, 24))
    edit = read_timeline(timeline)
    assert ([c.frame for c in edit.cuts], edit.n_frames, edit.media_path) == ([24], 48, None)


def test_track_object_and_collection_are_accepted() -> None:
    timeline = build(Fraction(24), [("c", 10), ("c", 10)])
    assert [c.frame for c in read_timeline(timeline.tracks[0].clone()).cuts] == [10]
    collection = otio.schema.SerializableCollection(children=[timeline.clone()])
    assert [c.frame for c in read_timeline(collection).cuts] == [10]


def test_read_timeline_refuses_other_objects() -> None:
    with pytest.raises(ParameterError, match="opentimelineio Timeline, got dict"):
        read_timeline({"cuts": [1, 2]})  # type: ignore[arg-type]


# ------------------------------------------------------------------ cut lists from a script


def test_cut_list_in_frames() -> None:
    edit = edit_list_from_cuts([96, 0, 48, 48, 120], frame_rate=24, n_frames=120)
    assert [c.frame for c in edit.cuts] == [48, 96]
    assert all(c.kind is CutKind.HARD for c in edit.cuts)
    assert (edit.source, edit.n_frames, edit.frame_rate, edit.media_path) == ("python list", 120, 24, None)
    assert_exact_times(edit)


def test_cut_list_in_seconds_snaps_to_the_nearest_frame() -> None:
    edit = edit_list_from_cuts([2.0, 4.01], frame_rate=Fraction(25), duration_s=6.0, unit="seconds")
    assert [c.frame for c in edit.cuts] == [50, 100]
    assert edit.n_frames == 150
    ntsc = edit_list_from_cuts([2.0], frame_rate="24000/1001", duration_s=10.0, unit="seconds")
    assert [c.frame for c in ntsc.cuts] == [48]  # 2 s is frame 47.95
    assert ntsc.n_frames == 240
    assert ntsc.cuts[0].time_s == float(Fraction(48 * 1001, 24000))


def test_cut_list_of_shots_with_a_black_hole() -> None:
    edit = edit_list_from_cuts([(48, 100), (0, 48), (110, 150)], frame_rate=24)
    assert [c.frame for c in edit.cuts] == [48, 100, 110]
    assert edit.n_frames == 150
    trailing_black = edit_list_from_cuts([(0, 48), (48, 100)], frame_rate=24, n_frames=120)
    assert [c.frame for c in trailing_black.cuts] == [48, 100]


def test_cut_list_without_a_length_ends_after_its_last_cut() -> None:
    assert edit_list_from_cuts([48, 96], frame_rate=24).n_frames == 97


@pytest.mark.parametrize(
    ("cuts", "options", "message"),
    [
        ([12.5], {}, "not a whole frame"),
        ([-1], {}, ">= 0"),
        ([130], {"n_frames": 120}, "past the end"),
        ([(0, 50), (40, 90)], {}, "overlap"),
        ([(10, 10)], {}, "empty"),
        ([(0, 10), 20], {}, "not a mix"),
        ([(0, 10, 20)], {}, r"\(start, end\) pair"),
        ([(0, 130)], {"n_frames": 120}, "ends after"),
        ([], {}, "needs n_frames or duration_s"),
        ([10], {"n_frames": 100, "duration_s": 4.0}, "not both"),
        ([10], {"unit": "beats"}, "unit must be"),
        ([True], {}, "numbers"),
    ],
)
def test_cut_list_errors(cuts: list, options: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        edit_list_from_cuts(cuts, frame_rate=24, **options)


# ------------------------------------------------------------------ errors and suffixes


def assert_one_clear_line(exc: pytest.ExceptionInfo[MediaError], path: Path, words: str) -> None:
    message = str(exc.value)
    assert message.startswith(f"{path}: ")
    assert words in message
    assert "\n" not in message and "Traceback" not in message and len(message) - len(str(path)) < 200


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("garbage.edl", b"\x00\x01\x02binary\xff", "not a CMX 3600 EDL"),
        ("words.edl", b"these are not the events you are looking for\n", "not a readable CMX 3600 EDL"),
        ("bad_event.edl", b"001  AX  V  C  00:00:00:00 00:00:01:00\n", "not a readable CMX 3600 EDL"),
        ("empty.edl", b"TITLE: NOTHING\n", "has no video clips"),
        ("svg.xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a readable FCP 7 XML file"),
        ("broken.xml", b"<xmeml><sequence>", "not a readable FCP 7 XML file"),
        ("broken.otio", b"{ not json", "not a readable OpenTimelineIO file"),
        ("clip.mov", b"", "unknown timeline format '.mov'"),
    ],
)
def test_bad_timeline_files(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MediaError) as exc:
        read_timeline(path)
    assert_one_clear_line(exc, path, words)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(MediaError) as exc:
        read_timeline(tmp_path / "nope.otio")
    assert_one_clear_line(exc, tmp_path / "nope.otio", "no such file")
    (tmp_path / "dir.xml").mkdir()
    with pytest.raises(MediaError) as exc:
        read_timeline(tmp_path / "dir.xml")
    assert_one_clear_line(exc, tmp_path / "dir.xml", "is a folder")


def test_timeline_with_only_sound_has_no_video_clips(tmp_path: Path) -> None:
    timeline = otio.schema.Timeline(name="sound only")
    audio = otio.schema.Track(kind=otio.schema.TrackKind.Audio)
    audio.append(otio.schema.Clip(source_range=TR(RT(0, 24), RT(48, 24))))
    timeline.tracks.append(audio)
    path = tmp_path / "sound.otio"
    otio.adapters.write_to_file(timeline, str(path))
    with pytest.raises(MediaError) as exc:
        read_timeline(path)
    assert_one_clear_line(exc, path, "has no video clips")


def test_missing_adapter_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cut.xml"
    otio.adapters.write_to_file(build(Fraction(24), [("c", 10)]), str(path))
    real_from_name = otio.adapters.from_name

    def without_fcp(name: str) -> object:
        if name == "fcp_xml":
            raise otio.exceptions.NotSupportedError(f"adapter not supported: {name}")
        return real_from_name(name)

    monkeypatch.setattr(otio.adapters, "from_name", without_fcp)
    with pytest.raises(MediaError) as exc:
        read_timeline(path)
    assert_one_clear_line(exc, path, "needs the otio-fcp-adapter package (pip install otio-fcp-adapter)")


def test_fcp_x_xml_needs_its_adapter(tmp_path: Path) -> None:
    try:
        otio.adapters.from_name("fcpx_xml")
        pytest.skip("otio-fcpx-xml-adapter is installed")
    except otio.exceptions.NotSupportedError:
        pass
    for name in ("cut.fcpxml", "exported.xml"):  # an .xml whose root is <fcpxml> is FCP X too
        path = tmp_path / name
        path.write_text('<?xml version="1.0"?>\n<fcpxml version="1.9"><resources/></fcpxml>\n')
        with pytest.raises(MediaError) as exc:
            read_timeline(path)
        assert_one_clear_line(exc, path, "needs the otio-fcpx-xml-adapter package")


def test_adapters_are_found_through_installed_plugins() -> None:
    names = {adapter.name for adapter in otio.plugins.ActiveManifest().adapters}
    assert {"otio_json", "fcp_xml", "cmx_3600"} <= names


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("cut.otio", True),
        ("cut.OTIOZ", True),
        ("sequence.xml", True),
        ("reel1.EDL", True),
        ("cut.fcpxml", True),
        ("cut.mp4", False),
        ("analysis.json", False),
        ("edl", False),
    ],
)
def test_is_timeline_path(path: str, expected: bool) -> None:
    assert is_timeline_path(path) is expected
    assert is_timeline_path(Path(path)) is expected
