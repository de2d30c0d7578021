"""Events and their weights, on analyses built with known truth."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.core.model import Cut, CutKind
from sonics.presets.schema import SpottingSettings
from sonics.spotting import Event, EventKind, find_events
from sonics.spotting.events import keep_apart, timecode_at


def _of(events, kind):
    return [e for e in events if e.event == kind]


def test_cut_weight_follows_the_documented_terms_exactly(make_analysis):
    # 10 s at 24 fps. Cut A (frame 96): a 4 s still calm hold, then a battle shot at full
    # motion: every term is 1. Cut B (frame 120, score 0.5): battle to battle, no motion
    # change, 1 s hold (a third of the hold term).
    motion = np.r_[np.zeros(96), np.ones(144)]
    a = make_analysis(
        240,
        24,
        cuts=[96, Cut(120, 5.0, CutKind.HARD, 0.5)],
        intensities=["calm", "battle", "battle"],
        motion=motion,
    )
    cuts = _of(find_events(a, SpottingSettings()), "cut")
    assert [e.frame for e in cuts] == [96, 120]
    assert cuts[0].weight == 1.0
    assert cuts[1].weight == 0.45  # (0.30 * 0.5 + 0.25 * 1 + 0.15 / 3) / 1.0
    assert cuts[0].why == (
        "hard cut at 00:00:04:00 into a battle shot from a calm one after a 4.0 s hold, "
        "motion jumps 0.00 → 1.00 (weight 1.00)"
    )
    assert cuts[1].why == "hard cut at 00:00:05:00 into a battle shot after a 1.0 s hold (weight 0.45)"


def test_bigger_cuts_weigh_more(make_analysis):
    # Same score everywhere; each cut differs in one thing from a plain one.
    # frames: 48 plain (calm -> calm, 2 s hold), 60 short hold (0.5 s), 108 long hold (2 s)
    # into battle from calm, 132 into tension from battle.
    a = make_analysis(
        240,
        24,
        cuts=[48, 60, 108, 132],
        intensities=["calm", "calm", "calm", "battle", "tension"],
    )
    w = {e.frame: e.weight for e in _of(find_events(a, SpottingSettings()), "cut")}
    assert w[108] == 1.0  # the biggest cut of the picture weighs exactly 1
    assert w[108] > w[48] > w[60]  # into battle > plain 2 s hold > plain 0.5 s hold
    assert w[132] > w[48]  # into tension beats into calm even from a battle shot


def test_a_picture_of_small_cuts_keeps_small_weights(make_analysis):
    # One cut of score 0 into a calm shot after 0.5 s: raw weight 0.25 * 0.2 = 0.05,
    # divided by the floor 0.5.
    a = make_analysis(48, 24, cuts=[Cut(12, 0.5, CutKind.HARD, 0.0)])
    (cut,) = _of(find_events(a, SpottingSettings()), "cut")
    assert cut.weight == 0.1


def test_transitions_impacts_flashes_and_last_cut(make_analysis):
    dissolve = Cut(100, 100 / 24, CutKind.DISSOLVE, 1.0, 95, 104)
    fade = Cut(200, 200 / 24, CutKind.FADE_OUT, 0.5, 190, 209)
    a = make_analysis(
        240,
        24,
        cuts=[48, 72, dissolve, fade],
        intensities=["calm", "tension", "battle", "battle", "calm"],
        impacts=[(30, 0.81234), (150, 0.4)],
        flashes=[(60, 2, 0.7)],
    )
    events = find_events(a, SpottingSettings())
    trans = _of(events, "transition")
    assert [e.frame for e in trans] == [100, 200]
    # 0.4 * score + 0.3 * shot level + 0.3 * min(1, length / 2 s)
    assert trans[0].weight == round(0.4 + 0.3 + 0.3 * (10 / 24) / 2, 4)
    assert trans[0].why.startswith("dissolve at 00:00:04:04 over 10 frames into a battle shot")
    assert trans[1].weight == round(0.2 + 0.3 + 0.3 * (20 / 24) / 2, 4)
    assert trans[1].why.startswith("fade to black at 00:00:08:08 over 20 frames out of a battle shot")
    assert [(e.frame, e.weight) for e in _of(events, "impact")] == [(30, 0.8123), (150, 0.4)]
    assert _of(events, "impact")[0].why == (
        "impact at 00:00:01:06: the motion stops or turns hard in a calm shot (strength 0.81)"
    )
    (flash,) = _of(events, "flash")
    assert (flash.frame, flash.weight) == (60, 0.7)
    assert flash.why == "flash at 00:00:02:12 lasting 2 frames in a tension shot (strength 0.70)"
    # The last hard cut, not the later dissolve or fade, with its cut weight.
    (last,) = _of(events, "last_cut")
    cut72 = next(e for e in _of(events, "cut") if e.frame == 72)
    assert (last.frame, last.time_s, last.weight) == (72, 3.0, cut72.weight)
    assert last.why.startswith("last hard cut at 00:00:03:00, 7.0 s before the end")


def test_no_hard_cut_no_last_cut(make_analysis):
    a = make_analysis(96, 24, cuts=[Cut(48, 2.0, CutKind.DISSOLVE, 1.0, 44, 52)])
    events = find_events(a, SpottingSettings())
    assert not _of(events, "cut") and not _of(events, "last_cut")


@pytest.mark.parametrize(
    ("floor", "expected"), [("calm", [0, 48, 96]), ("tension", [48, 96]), ("battle", [96])]
)
def test_shot_starts_at_or_above_the_floor(make_analysis, floor, expected):
    motion = np.r_[np.full(48, 0.1), np.full(48, 0.5), np.full(48, 1.0)]
    a = make_analysis(144, 24, cuts=[48, 96], intensities=["calm", "tension", "battle"], motion=motion)
    shots = _of(find_events(a, SpottingSettings(shot_min_intensity=floor)), "shot")
    assert [e.frame for e in shots] == expected
    weights = {0: round(0.8 * 0.2 + 0.2 * 0.1, 4), 48: round(0.8 * 0.55 + 0.2 * 0.5, 4), 96: 1.0}
    assert [e.weight for e in shots] == [weights[f] for f in expected]
    assert shots[-1].why.startswith("battle shot starts at 00:00:04:00: 2.0 s, motion 1.00")


def _triangle(n: int, peaks: dict[int, float], half_width: int = 6) -> np.ndarray:
    v = np.zeros(n)
    for centre, level in peaks.items():
        k = np.arange(n)
        v = np.maximum(v, level * np.clip(1 - np.abs(k - centre) / half_width, 0, None))
    return v


def test_swells_are_local_tops_above_the_threshold_at_least_the_gap_apart(make_analysis):
    # Peaks at frames 48 (0.9), 60 (0.7: 0.5 s after a bigger one), 120 (0.6) and 200
    # (0.5: under the threshold).
    motion = _triangle(240, {48: 0.9, 60: 0.7, 120: 0.6, 200: 0.5})
    a = make_analysis(240, 24, motion=motion)
    swells = _of(find_events(a, SpottingSettings(swell_threshold=0.55, swell_min_gap_s=2.0)), "swell")
    assert [(e.frame, e.weight) for e in swells] == [(48, 0.9), (120, 0.6)]
    assert swells[0].time_s == 2.0
    assert swells[0].why == "motion swells from 0.00 to 0.90 at 00:00:02:00 (weight 0.90)"
    # With no gap both close tops count; exactly 0.5 s apart is far enough for a 0.5 s gap.
    for gap in (0.0, 0.5):
        swells = _of(find_events(a, SpottingSettings(swell_threshold=0.55, swell_min_gap_s=gap)), "swell")
        assert [e.frame for e in swells] == [48, 60, 120]
    # A top exactly at the threshold counts.
    swells = _of(find_events(a, SpottingSettings(swell_threshold=0.6, swell_min_gap_s=0.0)), "swell")
    assert [e.frame for e in swells] == [48, 60, 120]


def test_a_plateau_swells_on_its_first_frame_and_the_first_frame_never_swells(make_analysis):
    motion = np.r_[np.full(10, 0.9), np.full(20, 0.2), np.full(10, 0.8), np.full(20, 0.1)]
    a = make_analysis(60, 24, motion=motion)
    swells = _of(find_events(a, SpottingSettings(swell_threshold=0.5, swell_min_gap_s=0.0)), "swell")
    assert [e.frame for e in swells] == [30]


def test_no_motion_no_swells(make_analysis):
    a = make_analysis(48, 24, cuts=[24])
    assert not _of(find_events(a, SpottingSettings(swell_threshold=0.0)), "swell")


def test_events_are_sorted_and_deterministic(make_analysis):
    motion = _triangle(240, {48: 0.9, 120: 0.7})
    a = make_analysis(
        240, 24, cuts=[48, 120], intensities=["calm", "battle", "tension"], motion=motion, impacts=[(48, 0.5)]
    )
    first = find_events(a, SpottingSettings(shot_min_intensity="calm"))
    assert first == find_events(a, SpottingSettings(shot_min_intensity="calm"))
    keys = [(e.time_s, list(EventKind).index(e.event)) for e in first]
    assert keys == sorted(keys)
    at_48 = [str(e.event) for e in first if e.frame == 48]
    assert at_48 == ["cut", "impact", "shot", "swell"]


def test_drop_frame_timecode_in_why(make_analysis):
    a = make_analysis(1900, Fraction(30000, 1001), cuts=[1800])
    (cut,) = _of(find_events(a, SpottingSettings()), "cut")
    assert cut.why.startswith("hard cut at 00:01:00;02 ")
    assert timecode_at(a, cut.time_s) == "00:01:00;02"
    assert timecode_at(a, cut.time_s - 1e-4) == "00:00:59;29"  # ;00 and ;01 are dropped


def test_vfr_timecode_uses_the_frame_on_screen(make_analysis):
    times = np.cumsum(np.r_[0.0, np.tile([0.03, 0.05], 50)])[:100]
    a = make_analysis(100, 25, frame_times_s=times)
    assert timecode_at(a, float(times[11])) == "00:00:00:11"
    assert timecode_at(a, float(times[11]) + 0.01) == "00:00:00:11"
    assert timecode_at(a, 99.0) == "00:00:03:24"


def test_keep_apart():
    assert keep_apart([0.0, 0.2, 1.0], [0.5, 0.9, 0.1], 0.5) == [1, 2]
    # ties go to the earlier moment; the same moment never survives twice
    assert keep_apart([1.0, 1.0, 2.0], [0.5, 0.5, 0.5], 0.0) == [0, 2]
    assert keep_apart([0.0, 0.3, 0.6], [0.5, 0.5, 0.5], 0.3) == [0, 1, 2]
    assert keep_apart([], [], 1.0) == []


def test_event_checks_weight():
    with pytest.raises(ParameterError, match="weight must be in"):
        Event(0.0, EventKind.CUT, 1.5, "")
    assert Event(0.0, "impact", 0.5, "x").event is EventKind.IMPACT
