"""TempoMap, TempoSegment and TempoCandidate: exact conversions, JSON round trips, clear refusals."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import Hit
from sonics.core.tempo import TempoCandidate, TempoMap, TempoSegment

# 120 BPM from 0 s (beat 0), a ramp 120 -> 132 over beats 8..16, 132 held, then a step to 126.
RAMP_S = 8 * 60 / 120
RAMP_END_S = RAMP_S + 8 * 60 / 126  # the ramp's mean tempo is 126
STEP_S = RAMP_END_S + 16 * 60 / 132


def _ramp_map(**kwargs) -> TempoMap:
    return TempoMap(
        (
            TempoSegment(0.0, 0.0, 120.0),
            TempoSegment(RAMP_S, 8.0, 120.0, 132.0),
            TempoSegment(RAMP_END_S, 16.0, 132.0),
            TempoSegment(STEP_S, 32.0, 126.0),
        ),
        **kwargs,
    )


def test_constant_map_converts_exactly_both_ways():
    m = TempoMap.constant(120.0, offset_s=0.5)
    beats = np.arange(-1.0, 64.0, 0.25)
    times = m.beats_to_seconds(beats)
    np.testing.assert_array_equal(times, 0.5 + beats * 0.5)
    np.testing.assert_allclose(m.seconds_to_beats(times), beats, rtol=0, atol=1e-12)
    assert m.beats_to_seconds(4.0) == 2.5 and isinstance(m.beats_to_seconds(4.0), float)
    assert m.seconds_to_beats(2.5) == 4.0


def test_ramp_map_converts_exactly_both_ways():
    m = _ramp_map()
    # Closed form inside the ramp: beat = 8 + (120 tau + 0.5 slope tau^2) / 60.
    slope = 12.0 / (RAMP_END_S - RAMP_S)
    tau = np.linspace(0.0, RAMP_END_S - RAMP_S, 17)
    expected = 8.0 + (120.0 * tau + 0.5 * slope * tau**2) / 60.0
    np.testing.assert_allclose(m.seconds_to_beats(RAMP_S + tau), expected, rtol=0, atol=1e-12)
    # Segment starts land on their beats, and every beat converts back to itself.
    np.testing.assert_allclose(
        m.beats_to_seconds([8.0, 16.0, 32.0]), [RAMP_S, RAMP_END_S, STEP_S], atol=1e-12
    )
    beats = np.arange(-4.0, 64.0, 0.125)
    np.testing.assert_allclose(m.seconds_to_beats(m.beats_to_seconds(beats)), beats, rtol=0, atol=1e-10)
    times = np.linspace(-1.0, STEP_S + 10.0, 1001)
    np.testing.assert_allclose(m.beats_to_seconds(m.seconds_to_beats(times)), times, rtol=0, atol=1e-10)


def test_tempo_inside_a_ramp_moves_linearly_in_time_and_holds_outside():
    m = _ramp_map()
    assert m.bpm_at(-1.0) == 120.0
    assert m.bpm_at(RAMP_S) == 120.0
    assert m.bpm_at(0.5 * (RAMP_S + RAMP_END_S)) == pytest.approx(126.0, abs=1e-9)
    assert m.bpm_at(RAMP_END_S + 1.0) == 132.0
    assert m.bpm_at(STEP_S + 100.0) == 126.0
    # The ramp itself, then each neighbour: into the ramp, out of it, and the step.
    np.testing.assert_allclose(m.tempo_changes(), [0.1, 0.0, 0.0, 126.0 / 132.0 - 1.0], atol=1e-12)


def test_grid_offsets_bars_and_beat_times():
    m = TempoMap.constant(120.0, subdivision=2, frame_rate=24)  # grid line every 0.25 s = 6 frames
    assert m.frames_off(0.25 + 1 / 24) == pytest.approx(1.0)
    assert m.frames_off(1.0 - 2 / 24) == pytest.approx(-2.0)
    assert m.bar_and_beat(9.5) == (3, 1.5)
    bars, within = m.bar_and_beat(np.array([-1.0, 0.0, 4.0]))
    assert bars.tolist() == [0, 1, 2] and within.tolist() == [3.0, 0.0, 0.0]
    np.testing.assert_allclose(m.beat_times(0, 2, 0.5), [0.0, 0.25, 0.5, 0.75, 1.0])
    assert m.beat_error_s(1.02) == pytest.approx(0.02)
    np.testing.assert_allclose(m.segment_bars(10.0), [5.0])


def test_segment_bars_measures_each_segment_and_the_last_up_to_the_end():
    m = _ramp_map()
    np.testing.assert_allclose(m.segment_bars(STEP_S + 60 / 126 * 8), [2.0, 2.0, 4.0, 2.0], atol=1e-12)


def test_with_hits_derives_beats_and_marks_sync_hits():
    m = TempoMap.constant(120.0, frame_rate=24).with_hits(
        [Hit(1.0, 0.9, "cut:24"), Hit(0.5 + 1 / 24, 0.3, "impact:13")], sync_weight=0.8
    )
    assert [h.source for h in m.hits] == ["impact:13", "cut:24"]
    assert [h.sync for h in m.hits] == [False, True]
    assert m.hits[1].beat == 2.0 and m.hits[1].frames_off == 0.0
    assert m.hits[0].frames_off == pytest.approx(1.0)
    assert m.caught(1.0).tolist() == [True, True]
    assert m.caught(0.5).tolist() == [False, True]
    assert m.off_beat_sync() == ()
    late = m.with_hits([Hit(1.01, 1.0, "cut:x")])
    assert [h.source for h in late.off_beat_sync()] == ["cut:x"]
    assert late.off_beat_sync(max_error_s=0.02) == ()


def test_json_round_trip_keeps_segments_hits_and_warnings_exactly():
    m = _ramp_map(numerator=3, denominator=4, subdivision=3, frame_rate=Fraction(24000, 1001))
    m = m.with_hits([Hit(1.0, 1.0, "cut:24"), Hit(3.3, 0.4, "flash:79")])
    m = TempoMap(m.segments, m.numerator, m.denominator, m.subdivision, m.frame_rate, m.hits, ("a warning",))
    text = json.dumps(m.to_dict())
    back = TempoMap.from_dict(json.loads(text))
    assert back.segments == m.segments
    assert (back.numerator, back.denominator, back.subdivision) == (3, 4, 3)
    assert back.frame_rate == Fraction(24000, 1001)
    assert back.hits == m.hits
    assert back.warnings == ("a warning",)
    assert json.dumps(back.to_dict()) == text
    assert m.to_dict()["schema"] == "sonics.tempo/1"


def test_json_keeps_sync_marks_given_by_another_threshold():
    m = TempoMap.constant(100.0).with_hits([Hit(0.6, 0.5, "a")], sync_weight=0.4)
    assert TempoMap.from_dict(m.to_dict()).hits[0].sync


def test_candidate_round_trip_and_map():
    c = TempoCandidate(132.0, 0.25, 0.5, 9.0, 10.0, 4.0, 8.0, 10, 9, 1, 0.5, (0.0, -1.0), 2, 3, 4)
    assert TempoCandidate.from_dict(json.loads(json.dumps(c.to_dict()))) == c
    assert c.hit_rate == 0.9 and c.beat_s == pytest.approx(60 / 132)
    m = c.tempo_map(25)
    assert m.numerator == 3 and m.frame_rate == 25
    assert m.beats_to_seconds(0.0) == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: TempoMap(()), "a tempo map needs at least one segment"),
        (lambda: TempoMap((TempoSegment(0.0, 0.0, 120.0, 130.0),)), "the last tempo segment must hold"),
        (
            lambda: TempoMap((TempoSegment(0.0, 0.0, 120.0), TempoSegment(0.0, 1.0, 120.0))),
            "strictly increasing",
        ),
        (
            lambda: TempoMap((TempoSegment(0.0, 0.0, 120.0), TempoSegment(1.0, 3.0, 120.0))),
            r"segment 1 starts on beat 3.000000 but segment 0 ends on beat 2.000000",
        ),
        (lambda: TempoSegment(0.0, 0.0, -5.0), r"tempo segment bpm must be > 0, got -5.0"),
        (lambda: TempoSegment(0.0, 0.0, 120.0, 0.0), r"ramp_to_bpm must be > 0, got 0.0"),
        (lambda: TempoSegment(float("nan"), 0.0, 120.0), "tempo segment start must be finite"),
        (lambda: TempoMap.constant(0.0), r"bpm must be > 0, got 0.0"),
        (
            lambda: TempoMap.constant(120.0, numerator=0),
            r"meter numerator must be an integer in 1..32, got 0",
        ),
        (
            lambda: TempoMap.constant(120.0, denominator=3),
            r"meter denominator must be 1, 2, 4, 8, 16 or 32, got 3",
        ),
        (lambda: TempoMap.constant(120.0, subdivision=0), r"subdivision must be an integer in 1..16, got 0"),
        (lambda: TempoMap.constant(120.0, frame_rate="fast"), "frame rate"),
        (lambda: TempoMap.constant(120.0).beat_times(0, 4, 0), r"step must be > 0, got 0"),
    ],
)
def test_bad_parameters_raise_parameter_error_saying_what_is_wrong(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


def test_foreign_or_broken_documents_raise_media_error_naming_the_file():
    with pytest.raises(MediaError, match=r"x\.json: expected a sonics.tempo document"):
        TempoMap.from_dict({"schema": "sonics.analysis/1"}, "x.json")
    with pytest.raises(MediaError, match=r"x\.json: not a valid sonics tempo map"):
        TempoMap.from_dict({"schema": "sonics.tempo/1", "segments": [{"start_s": 0}]}, "x.json")
    with pytest.raises(MediaError, match="newer than this sonics reads"):
        TempoMap.from_dict({"schema": "sonics.tempo/2", "segments": []})
