from fractions import Fraction

import pytest

from sonics.core.errors import ParameterError
from sonics.core.timebase import (
    frame_to_timecode,
    frames_to_seconds,
    parse_frame_rate,
    seconds_to_frames,
    timecode_to_frame,
)

NTSC_24 = Fraction(24000, 1001)
NTSC_30 = Fraction(30000, 1001)
NTSC_60 = Fraction(60000, 1001)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("24000/1001", NTSC_24),
        (23.976, NTSC_24),
        ("29.97", NTSC_30),
        (59.94, NTSC_60),
        ("25", Fraction(25)),
        (24, Fraction(24)),
        (Fraction(30000, 1001), NTSC_30),
    ],
)
def test_parse_frame_rate_is_exact(given, expected):
    assert parse_frame_rate(given) == expected


@pytest.mark.parametrize("bad", ["0", "-24", "abc", "24/0", None])
def test_parse_frame_rate_rejects_nonsense(bad):
    with pytest.raises(ParameterError, match="frame rate"):
        parse_frame_rate(bad)


def test_frames_and_seconds_are_inverse_at_ntsc():
    for frame in range(0, 100_000, 997):
        assert seconds_to_frames(frames_to_seconds(frame, NTSC_24), NTSC_24) == frame
    assert frames_to_seconds(24000, NTSC_24) == pytest.approx(1001.0, abs=1e-9)


@pytest.mark.parametrize(
    ("frame", "rate", "timecode"),
    [
        (0, Fraction(24), "00:00:00:00"),
        (1439, Fraction(24), "00:00:59:23"),
        (90000, Fraction(25), "01:00:00:00"),
        (1799, NTSC_30, "00:00:59;29"),
        (1800, NTSC_30, "00:01:00;02"),  # frames 00 and 01 are skipped at minute 1
        (17982, NTSC_30, "00:10:00;00"),  # but not at minute 10
        (107892, NTSC_30, "01:00:00;00"),  # one hour of 29.97 drop-frame
        (3600, NTSC_60, "00:01:00;04"),  # 59.94 skips four frame numbers
        (86400, NTSC_24, "01:00:00:00"),  # 23.976 counts 24 per second, no drop
    ],
)
def test_smpte_timecode(frame, rate, timecode):
    assert frame_to_timecode(frame, rate) == timecode
    assert timecode_to_frame(timecode, rate) == frame


@pytest.mark.parametrize("rate", [Fraction(24), Fraction(25), NTSC_24, NTSC_30, NTSC_60])
def test_timecode_round_trip_over_two_hours(rate):
    for frame in range(0, int(2 * 3600 * rate), 1009):
        assert timecode_to_frame(frame_to_timecode(frame, rate), rate) == frame


def test_drop_frame_timecode_tracks_wall_clock():
    # After one hour of 29.97 material, drop-frame timecode is within 0.1 s of the clock.
    frame = seconds_to_frames(3600.0, NTSC_30)
    assert frame_to_timecode(frame, NTSC_30) == "01:00:00;00"


def test_bad_timecode():
    with pytest.raises(ParameterError, match="HH:MM:SS:FF"):
        timecode_to_frame("1:2:3", Fraction(24))
    with pytest.raises(ParameterError, match="out of range"):
        timecode_to_frame("00:00:00:24", Fraction(24))
