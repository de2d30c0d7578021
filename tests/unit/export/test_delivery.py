from fractions import Fraction

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.core.sound import Stem
from sonics.export.delivery import (
    Delivery,
    DeliveryMarker,
    MarkerKind,
    StemFile,
    delivery_markers,
    start_seconds,
    time_reference_samples,
)


def test_markers_merge_everything_on_one_frame_strongest_kind_first(delivery, truth):
    got = {m.frame: (m.kind, m.name) for m in delivery.markers}
    assert tuple(got) == truth.MARKER_FRAMES
    assert got[24] == (MarkerKind.CUT, "cut 1 · sync · whoosh")
    assert got[30] == (MarkerKind.SYNC, "sync · impact")
    assert got[48] == (MarkerKind.CUT, "cut 2 · sync · impact · clang, whoosh")
    assert got[60] == (MarkerKind.FLASH, "flash")
    assert got[72] == (MarkerKind.CUT, "cut 3 · whoosh")  # a dissolve (weight 0.5) is no sync hit
    assert [m.time_s for m in delivery.markers] == pytest.approx(
        [truth.frame_s(f) for f in truth.MARKER_FRAMES]
    )
    cut2 = next(m for m in delivery.markers if m.frame == 48)
    assert "hard cut, score 0.90" in cut2.comment and "music sync at bar 2 beat 1.00 (cut:48)" in cut2.comment
    assert "clang: clang on the cut" in cut2.comment


def test_markers_take_frames_from_pts_when_the_frame_rate_varies(truth):
    analysis = truth.make_analysis()
    times = np.cumsum(np.r_[0.0, np.where(np.arange(truth.N_FRAMES - 1) % 2, 1 / 20, 1 / 30)])
    varied = type(analysis)(analysis.picture, times, (), (), None)
    cues = truth.make_cues()
    markers = delivery_markers(varied, cues=cues)
    # each cue lands on the frame whose PTS is nearest to its time, not on time * nominal rate
    expected = sorted({int(np.argmin(np.abs(times - c.time_s))) for c in cues.cues if c.kind == "hit"})
    assert [m.frame for m in markers] == expected
    assert [m.time_s for m in markers] == [times[f] for f in expected]


def test_markers_need_a_picture():
    with pytest.raises(ParameterError, match="analysis or a picture"):
        delivery_markers()


def test_stem_groups_are_dialogue_music_effects_then_the_rest(delivery):
    groups = [(role, [s.name for s in stems]) for role, stems in delivery.stem_groups()]
    assert groups == [
        ("dialogue", ["dialogue"]),
        ("music", ["music_drums", "music_strings"]),
        ("effects", ["sfx_whoosh"]),
        ("mix", ["mix"]),
    ]


def test_delivery_times(delivery, truth):
    assert delivery.start_frame == 86400
    assert delivery.start_s == pytest.approx(3603.6, abs=1e-9)
    assert delivery.duration_s == truth.N_SAMPLES / 48000
    assert delivery.timecode(24) == "01:00:01:00"
    assert delivery.video_path == truth.VIDEO
    assert delivery.name == "battle cut"
    assert start_seconds("01:00:00;00", Fraction(30000, 1001)) == Fraction(107892 * 1001, 30000)
    assert time_reference_samples("00:00:01:00", Fraction(25), offset_samples=7) == 48007


def test_a_timeline_picture_has_no_video_file(truth):
    analysis = truth.make_analysis("edit.otio")
    delivery = Delivery(analysis.picture, truth.make_stems())
    assert delivery.video_path is None


def test_stem_file_of_a_rendered_stem():
    stem = Stem("sfx_whoosh", "effects", np.zeros((2, 480), np.float32), 48000)
    assert StemFile.of(stem) == StemFile("sfx_whoosh", "effects", "stems/sfx_whoosh.wav", 480, 48000, 2)


def test_refuses_bad_descriptions(truth):
    with pytest.raises(ParameterError, match="relative to the output folder"):
        StemFile("x", "music", "/abs/x.wav", 10)
    with pytest.raises(ParameterError, match="relative to the output folder"):
        StemFile("x", "music", "../x.wav", 10)
    with pytest.raises(ParameterError, match="without quotes"):
        StemFile('x"y', "music", "x.wav", 10)
    with pytest.raises(ParameterError, match="n_samples"):
        StemFile("x", "music", "x.wav", 0)
    with pytest.raises(ParameterError, match="frame must be >= 0"):
        DeliveryMarker(-1, 0.0, "x", MarkerKind.CUT)
    picture = truth.make_analysis().picture
    stems = truth.make_stems()
    with pytest.raises(ParameterError, match="unique"):
        Delivery(picture, (stems[0], stems[0]))
    with pytest.raises(ParameterError, match="timecode"):
        Delivery(picture, stems, start_timecode="one o'clock")
    with pytest.raises(ParameterError, match=r"drop-frame, which only 29.97 and 59.94"):
        Delivery(picture, stems, start_timecode="01:00:00;00")  # the picture runs at 23.976
    with pytest.raises(ParameterError, match="one sample rate"):
        Delivery(picture, (stems[0], StemFile("y", "music", "y.wav", 10, 44100)))
    with pytest.raises(ParameterError, match="offset_samples"):
        time_reference_samples("00:00:00:00", Fraction(24), offset_samples=-1)
