"""Decoding a time range of a video alone: exactly the frames and times of a whole decode there."""

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.io.video import StreamDamage, VideoReader, stream_warning
from sonics.testing import render_edit, simple_edit


def _decode(path, **options):
    with VideoReader(path) as reader:
        chunks = list(reader.luma_chunks(**options))
        facts = (reader.start_s, list(reader.warnings), reader.damage)
    if not chunks:
        return np.zeros(0), np.zeros((0, 0, 0), np.float32), facts
    return np.concatenate([c.times_s for c in chunks]), np.concatenate([c.luma for c in chunks]), facts


@pytest.fixture(scope="module")
def whole(edit_video):
    return _decode(edit_video.path)


@pytest.fixture(scope="module")
def vfr_video(tmp_path_factory):
    """Five shots with irregular frame durations (1/30 .. 1/20 s), keyframes at the cuts only."""
    path = tmp_path_factory.mktemp("vfr") / "vfr.mp4"
    truth = render_edit(simple_edit((30, 26, 34, 22, 28), seed=8), path, vfr=True, vfr_seed=4)
    return path, truth


@pytest.mark.parametrize(
    ("start_s", "end_s", "before", "after"),
    [
        (0.0, None, 0, 0),  # the whole file
        (0.0, 1.0, 0, 5),  # the first second, nothing before it to give
        (0.4, 1.3, 36, 18),  # more context asked than there are frames before: all of them
        (1.0, 2.0, 4, 3),
        (38 / 24, 54 / 24, 6, 2),  # from a cut (a keyframe) to the next, exactly
        (2.1, None, 10, 18),  # to the end: fewer frames after than asked
        (1.5, 1.5, 2, 2),  # an empty range: its context only
    ],
)
def test_a_range_gives_the_frames_a_whole_decode_gives(edit_video, whole, start_s, end_s, before, after):
    times, luma, (first_s, _, _) = whole
    part_times, part_luma, (part_first_s, warnings, damage) = _decode(
        edit_video.path, start_s=start_s, end_s=end_s, before_frames=before, after_frames=after
    )
    first = int(np.searchsorted(times, start_s))
    last = len(times) if end_s is None else int(np.searchsorted(times, end_s))
    lo, hi = max(0, first - before), min(len(times), last + after)
    np.testing.assert_array_equal(part_times, times[lo:hi])
    np.testing.assert_array_equal(part_luma, luma[lo:hi])
    assert part_first_s == first_s
    assert warnings == [] and damage is None


def test_a_vfr_range_is_timed_from_the_files_first_frame(vfr_video):
    path, truth = vfr_video
    times, luma, _ = _decode(path)
    np.testing.assert_array_equal(times, truth.frame_times_s)
    for start_s, end_s in [(1.0, 2.5), (2.5, 3.7), (3.7, None)]:
        options = {"start_s": start_s, "end_s": end_s, "before_frames": 36, "after_frames": 18}
        part_times, part_luma, _ = _decode(path, **options)
        first = int(np.searchsorted(times, start_s))
        last = len(times) if end_s is None else int(np.searchsorted(times, end_s))
        lo, hi = max(0, first - 36), min(len(times), last + 18)
        np.testing.assert_array_equal(part_times, times[lo:hi])
        np.testing.assert_array_equal(part_luma, luma[lo:hi])


def test_a_range_past_the_end_holds_nothing_and_is_no_fault(edit_video):
    times, _, (first_s, warnings, damage) = _decode(
        edit_video.path, start_s=10.0, end_s=20.0, before_frames=36, after_frames=18
    )
    assert times.size == 0
    assert warnings == [] and damage is None
    assert first_s == 0.0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"start_s": 2.0, "end_s": 1.0}, "end_s must be >= start_s"),
        ({"before_frames": -1}, "context frames must be >= 0"),
        ({"chunk_frames": 0}, "chunk_frames must be >= 1"),
    ],
)
def test_bad_range_options_are_refused(edit_video, options, message):
    with VideoReader(edit_video.path) as reader, pytest.raises(ParameterError, match=message):
        next(reader.luma_chunks(**options))


def test_stream_warning_counts_the_frames_before_the_damage():
    times = np.arange(10) / 24
    damage = StreamDamage(times[3], "undecodable", "invalid data")
    line = stream_warning("x.mp4", damage, times, frame_rate=24, stated_duration_s=None)
    assert line == (
        "x.mp4: the video stream has undecodable data after 4 frames (at 0.125 s): invalid data; "
        "kept the 10 frames that decode"
    )
    short = stream_warning("x.mp4", None, times, frame_rate=24, stated_duration_s=2.0)
    assert short is not None and "ends at 0.417 s but says it lasts 2.000 s (truncated?)" in short
    assert stream_warning("x.mp4", None, times, frame_rate=24, stated_duration_s=10 / 24) is None
    assert stream_warning("x.mp4", None, times[:0], frame_rate=24, stated_duration_s=None) == (
        "x.mp4: the video stream holds no frames"
    )
