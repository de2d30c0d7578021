"""The cue sheet: density rules, pre-lap, silence before the biggest moment, beds, length."""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction

import numpy as np
import pytest

from sonics.core.cues import CueKind, CueSheet
from sonics.core.model import Cut, CutKind, Picture
from sonics.presets.schema import LayerSettings
from sonics.spotting import picture_length, spot
from sonics.testing import battle_edit
from sonics.testing.video import edit_truth


def _layer(name="hits", events=("impact",), **kw):
    return LayerSettings(name, list(events), "impact", **kw)


def _times(sheet, layer="hits"):
    return [c.time_s for c in sheet.for_layer(layer)]


# -- hits: min gap, density, weights, pre-lap -----------------------------------------------


def test_min_gap_keeps_the_strongest_and_allows_exactly_the_gap(make_analysis, make_preset):
    # Impacts at frames 24 (0.5), 29 (0.9), 41 (0.4; exactly 0.5 s after 29), 72 (0.3).
    a = make_analysis(96, 24, impacts=[(24, 0.5), (29, 0.9), (41, 0.4), (72, 0.3)])
    sheet = spot(a, make_preset(_layer(min_gap_s=0.5)))
    assert _times(sheet) == [round(29 / 24, 6), round(41 / 24, 6), 3.0]
    sheet = spot(a, make_preset(_layer(min_gap_s=0.6)))
    assert _times(sheet) == [round(29 / 24, 6), 3.0]
    sheet = spot(a, make_preset(_layer(min_gap_s=0.0)))
    assert len(_times(sheet)) == 4


def test_two_events_on_one_frame_give_one_cue(make_analysis, make_preset):
    a = make_analysis(48, 24, impacts=[(12, 0.3)], flashes=[(12, 2, 0.8)])
    (cue,) = spot(a, make_preset(_layer(events=("impact", "flash")))).cues
    assert (cue.event, cue.intensity) == ("flash", 0.8)


@pytest.mark.parametrize(("density", "n_expected"), [(1.0, 10), (0.7, 7), (0.25, 3), (0.01, 1), (0.0, 0)])
def test_density_keeps_the_strongest_ceil_share(make_analysis, make_preset, density, n_expected):
    weights = [round(0.1 * (i + 1), 4) for i in range(10)]  # 0.1 .. 1.0, one every second
    a = make_analysis(240, 24, impacts=[(24 * i, w) for i, w in enumerate(weights)])
    sheet = spot(a, make_preset(_layer(density=density)))
    assert len(sheet.cues) == n_expected == math.ceil(density * 10 - 1e-9)
    assert sorted(c.intensity for c in sheet.cues) == sorted(weights)[10 - n_expected :]


def test_min_weight_is_inclusive_and_applies_before_density(make_analysis, make_preset):
    a = make_analysis(240, 24, impacts=[(24 * i, round(0.1 * (i + 1), 4)) for i in range(10)])
    sheet = spot(a, make_preset(_layer(min_weight=0.4)))
    assert [c.intensity for c in sheet.cues] == [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    sheet = spot(a, make_preset(_layer(min_weight=0.4, density=0.5)))  # ceil(3.5) of the 7
    assert [c.intensity for c in sheet.cues] == [0.7, 0.8, 0.9, 1.0]


def test_bigger_events_get_bigger_longer_sounds(make_analysis, make_preset):
    a = make_analysis(96, 24, impacts=[(12, 0.25), (48, 1.0), (72, 0.5)])
    sheet = spot(a, make_preset(_layer(duration_s=[0.4, 1.2])))
    assert [(c.intensity, c.duration_s) for c in sheet.cues] == [(0.25, 0.6), (1.0, 1.2), (0.5, 0.8)]
    assert all(c.kind is CueKind.HIT and c.layer == "hits" for c in sheet.cues)


def test_bigger_cuts_win_the_gap_and_the_density(make_analysis, make_preset):
    # The cut at 96 (into battle after a 4 s hold) beats the cut 6 frames later in the gap;
    # the cut at 180 (after a 3.25 s hold) outweighs the one at 102 (after 0.25 s).
    a = make_analysis(240, 24, cuts=[96, 102, 180], intensities=["calm", "battle", "tension", "calm"])
    events = {c.time_s: c.intensity for c in spot(a, make_preset(_layer("whoosh", ("cut",)))).cues}
    assert events[4.0] == 1.0 > events[7.5] > events[4.25]
    for density, expected in ((1.0, [4.0, 7.5]), (0.34, [4.0, 7.5]), (0.33, [4.0])):
        sheet = spot(a, make_preset(_layer("whoosh", ("cut",), min_gap_s=0.5, density=density)))
        assert _times(sheet, "whoosh") == expected


def test_pre_lap_lands_the_sync_point_before_the_event(make_analysis, make_preset):
    a = make_analysis(96, 24, impacts=[(1, 0.5), (48, 0.9)])
    whoosh = _layer("whoosh", lead_ms=120.0)
    late = _layer("late", lead_ms=-80.0)
    sheet = spot(a, make_preset(whoosh, late))
    assert _times(sheet, "whoosh") == [0.0, round(2.0 - 0.12, 6)]  # 1/24 s - 120 ms clamps to 0
    assert _times(sheet, "late") == [round(1 / 24 + 0.08, 6), 2.08]
    first, second = sheet.for_layer("whoosh")
    assert first.why.endswith("lands on the first frame (its pre-lap would start before the picture)")
    assert second.why.endswith("; lands 120 ms before it (pre-lap)")
    assert sheet.for_layer("late")[1].why.endswith("; lands 80 ms after it")


def test_the_gap_is_measured_between_sync_points(make_analysis, make_preset):
    # Impacts 0.333 s apart; the lead clamps the first to 0, leaving 0.275 s between the
    # sync points: under the 0.3 s gap, so only the stronger sounds.
    a = make_analysis(48, 24, impacts=[(1, 0.5), (9, 0.9)])
    sheet = spot(a, make_preset(_layer(lead_ms=100.0, min_gap_s=0.3)))
    assert _times(sheet) == [0.275]


def test_layers_only_hear_their_events(make_analysis, make_preset):
    a = make_analysis(240, 24, cuts=[60, 200], impacts=[(100, 0.5)], flashes=[(150, 1, 0.6)])
    sheet = spot(
        a,
        make_preset(
            _layer("whoosh", ("cut",)),
            _layer("impact", ("impact",)),
            _layer("boom", ("last_cut",)),
            _layer("unused", ("swell",)),
        ),
    )
    assert sheet.layers == ("whoosh", "impact", "boom", "unused")
    assert _times(sheet, "whoosh") == [2.5, round(200 / 24, 6)]
    assert _times(sheet, "impact") == [round(100 / 24, 6)]
    assert [(c.time_s, c.event) for c in sheet.for_layer("boom")] == [(round(200 / 24, 6), "last_cut")]
    assert sheet.for_layer("unused") == ()


# -- silence before the biggest moment ------------------------------------------------------


def _silence_case(make_analysis):
    # The biggest moment: the hard cut at frame 48 (t = 2 s) into battle after a 2 s hold.
    # Impacts at frames 35 (1.4583 s: before the window), 36 (exactly 1.5 s: the window's
    # start), 47 (in it), 48 (on the moment) and 60 (after it).
    return make_analysis(
        120,
        24,
        cuts=[48],
        intensities=["calm", "battle"],
        impacts=[(35, 0.2), (36, 0.3), (47, 0.4), (48, 0.5), (60, 0.6)],
    )


def test_silence_clears_hits_before_the_biggest_moment_on_every_layer(make_analysis, make_preset):
    a = _silence_case(make_analysis)
    preset = make_preset(
        _layer("impact", ("impact",)),
        _layer("whoosh", ("cut",), lead_ms=200.0),  # its pre-lap lands inside the window
        _layer("echo", ("impact",), lead_ms=-30.0),  # 47 + 30 ms is still before the cut
        silence_before_biggest_s=0.5,
    )
    sheet = spot(a, preset)
    assert _times(sheet, "impact") == [round(35 / 24, 6), 2.0, 2.5]
    assert _times(sheet, "echo") == [round(35 / 24 + 0.03, 6), 2.03, 2.53]
    (whoosh,) = sheet.for_layer("whoosh")
    assert whoosh.time_s == 1.8  # sounds the biggest moment itself: kept
    assert whoosh.why.endswith("the biggest moment of the picture: 4 hits cleared from the 0.50 s before it")
    (on_cut,) = [c for c in sheet.for_layer("impact") if c.time_s == 2.0]
    assert "biggest moment" in on_cut.why
    assert all("biggest" not in c.why for c in sheet.cues if c.time_s not in (1.8, 2.0, 2.03))
    # Without silence every hit stays.
    assert len(spot(a, make_preset(*preset.sfx.layers, silence_before_biggest_s=0.0)).cues) == 11


def test_silence_dips_bed_curves_over_the_window_with_20_ms_ramps(make_analysis, make_preset):
    a = _silence_case(make_analysis)
    bed = LayerSettings("wind", ["bed"], "wind", follow="constant")
    sheet = spot(a, make_preset(bed, silence_before_biggest_s=0.5, silence_depth_db=-20.0))
    (cue,) = sheet.cues
    curve = np.asarray(cue.curve)
    assert len(curve) == 500 and cue.curve_rate_hz == 100.0
    assert np.all(curve[:149] == 1.0)  # up to 1.48 s
    assert curve[149] == 0.55  # half way down the ramp
    assert np.all(curve[150:201] == 0.1)  # [1.5 s, 2.0 s], held down on the moment itself
    assert curve[201] == 0.55  # half way up after the moment
    assert np.all(curve[202:] == 1.0)
    assert cue.intensity == 1.0
    assert cue.why == (
        "bed under the whole picture following a constant level; dips 20 dB from 00:00:01:12 to "
        "00:00:02:00 before the biggest moment (hard cut at 00:00:02:00 into a battle shot from a "
        "calm one after a 2.0 s hold)"
    )
    # 0 dB: no dip.
    flat = spot(a, make_preset(bed, silence_before_biggest_s=0.5, silence_depth_db=0.0)).cues[0]
    assert set(flat.curve) == {1.0}


def test_the_biggest_moment_is_the_heaviest_cut_or_impact(make_analysis, make_preset):
    # A weak cut (weight 0.1) and a strength-0.8 impact: the impact is the biggest moment.
    a = make_analysis(
        120, 24, cuts=[Cut(12, 0.5, CutKind.HARD, 0.0)], impacts=[(80, 0.8)], flashes=[(70, 1, 0.9)]
    )
    sheet = spot(a, make_preset(_layer(events=("impact", "flash", "cut")), silence_before_biggest_s=0.5))
    assert [c.event for c in sheet.cues] == ["cut", "impact"]  # the flash 10 frames before is cleared
    assert "1 hit cleared from the 0.50 s before it" in sheet.cues[1].why
    # Flashes, swells and shots are never the biggest moment; on a tie the earlier wins.
    b = make_analysis(240, 24, impacts=[(100, 0.8), (200, 0.8)], flashes=[(190, 1, 1.0)])
    sheet = spot(b, make_preset(_layer(events=("impact", "flash")), silence_before_biggest_s=0.5))
    assert [c.time_s for c in sheet.cues] == [round(100 / 24, 6), round(190 / 24, 6), round(200 / 24, 6)]


def test_a_biggest_moment_near_the_start_clears_from_zero(make_analysis, make_preset):
    a = make_analysis(48, 24, impacts=[(0, 0.3), (6, 1.0)])
    sheet = spot(a, make_preset(_layer(), silence_before_biggest_s=1.0))
    assert _times(sheet) == [0.25]


# -- beds --------------------------------------------------------------------------------------


def test_bed_follows_the_motion_held_per_frame(make_analysis, make_preset):
    motion = (np.arange(240) % 24) / 23.0
    a = make_analysis(240, 24, motion=motion)
    sheet = spot(a, make_preset(LayerSettings("hooves", ["bed"], "hooves")))
    (cue,) = sheet.cues
    assert (cue.kind, cue.event, cue.time_s, cue.duration_s) == (CueKind.BED, "bed", 0.0, 10.0)
    k = np.arange(1000)
    assert np.array_equal(np.asarray(cue.curve), np.round(motion[(k * 24) // 100], 4))
    assert cue.intensity == 1.0
    assert cue.why.startswith(
        "bed under the whole picture following the motion envelope: peak 1.00 at 00:00:00:23"
    )


def test_bed_follows_shot_intensity_smoothly(make_analysis, make_preset):
    a = make_analysis(240, 24, cuts=[120], intensities=["calm", "battle"])
    bed = LayerSettings("roar", ["bed"], "army_roar", follow="intensity")
    (cue,) = spot(a, make_preset(bed)).cues
    curve = np.asarray(cue.curve)
    assert np.all(curve[:470] == 0.2) and np.all(curve[531:] == 1.0)
    assert np.all(np.diff(curve) >= 0) and 0.2 < curve[490] < curve[510] < 1.0
    assert abs(curve[500] - 0.6) < 0.02
    assert "following the shot intensity" in cue.why


def test_a_motion_bed_without_motion_follows_the_shots(make_analysis, make_preset):
    a = make_analysis(96, 24, cuts=[48], intensities=["tension", "battle"])
    (cue,) = spot(a, make_preset(LayerSettings("hooves", ["bed"], "hooves"))).cues
    assert cue.curve[0] == 0.55 and cue.curve[-1] == 1.0
    assert "the shot intensity (no motion envelope)" in cue.why


@pytest.mark.parametrize(
    ("n_frames", "fps", "n_points"),
    [(240, 24, 1000), (250, 25, 1000), (100, Fraction(24000, 1001), 418), (1, Fraction(30000, 1001), 4)],
)
def test_bed_curve_length_is_ceil_duration_times_100(make_analysis, make_preset, n_frames, fps, n_points):
    a = make_analysis(n_frames, fps)
    sheet = spot(a, make_preset(LayerSettings("wind", ["bed"], "wind", follow="constant")))
    (cue,) = sheet.cues
    assert len(cue.curve) == n_points == math.ceil(Fraction(n_frames) / Fraction(fps) * 100)
    assert cue.curve_rate_hz == 100.0 and cue.duration_s == round(sheet.duration_s, 6)


# -- picture length ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_frames", "fps", "n_samples"),
    [
        (240, 24, 480_000),
        (250, 25, 480_000),
        (100, Fraction(24000, 1001), 200_200),
        (5, Fraction(30000, 1001), 8_008),
        (1, Fraction(30000, 1001), 1_602),  # 1601.6 rounds up
        (1, 96_000, 1),  # 0.5 rounds half up
    ],
)
def test_n_samples_is_the_exact_picture_length(make_analysis, make_preset, n_frames, fps, n_samples):
    if fps == 96_000:
        picture = Picture("x.mp4", Fraction(fps), n_frames, 2, 2, 1 / 96_000)
        assert picture_length(picture) == (1 / 96_000, 1)
        return
    sheet = spot(make_analysis(n_frames, fps), make_preset())
    assert sheet.n_samples == n_samples
    assert sheet.duration_s == float(Fraction(n_frames) / Fraction(fps))
    assert sheet.frame_rate == Fraction(fps) and sheet.sample_rate == 48_000


def test_n_samples_of_a_vfr_picture_rounds_its_duration(make_analysis, make_preset):
    times = np.cumsum(np.r_[0.0, np.tile([0.03, 0.05], 40)])[:80]  # last frame 3.15 s, median step 0.03 s
    a = make_analysis(80, 25, frame_times_s=times, motion=np.linspace(0, 1, 80))
    assert a.picture.variable_frame_rate
    sheet = spot(a, make_preset(LayerSettings("hooves", ["bed"], "hooves")))
    assert sheet.duration_s == a.picture.duration_s
    assert sheet.n_samples == round(a.picture.duration_s * 48_000) == 152_640
    (cue,) = sheet.cues
    assert len(cue.curve) == math.ceil(a.picture.duration_s * 100 - 1e-9) == 318
    # held per frame on the real frame times: 0.30 s falls in frame 7 (0.27 .. 0.32 s)
    assert cue.curve[30] == round(float(a.motion.values[7]), 4)


# -- the sheet --------------------------------------------------------------------------------


def _battle_like(make_analysis):
    rng = np.random.default_rng(3)
    motion = np.clip(np.convolve(rng.uniform(size=480), np.ones(12) / 12, "same") * 1.5 - 0.2, 0, 1)
    return make_analysis(
        480,
        24,
        cuts=[40, 90, 100, 170, 260, Cut(330, 330 / 24, CutKind.DISSOLVE, 0.8, 325, 334), 400],
        intensities=["calm", "tension", "battle", "battle", "tension", "battle", "calm", "battle"],
        motion=motion,
        impacts=[(60, 0.7), (95, 0.9), (300, 0.4)],
        flashes=[(200, 2, 0.8)],
    )


def _battle_preset(make_preset):
    return make_preset(
        _layer("whoosh", ("cut", "transition"), lead_ms=150.0, min_gap_s=0.3, min_weight=0.2, density=0.8),
        _layer("impact", ("impact", "flash"), min_gap_s=0.2),
        _layer("drums", ("shot", "swell"), min_gap_s=1.0),
        _layer("boom", ("last_cut",)),
        LayerSettings("hooves", ["bed"], "hooves"),
        LayerSettings("roar", ["bed"], "army_roar", follow="intensity"),
        name="battle",
        silence_before_biggest_s=0.5,
    )


def test_cue_sheet_json_round_trip(make_analysis, make_preset):
    sheet = spot(_battle_like(make_analysis), _battle_preset(make_preset))
    assert sheet.preset == "battle" and len(sheet.cues) > 10
    data = json.loads(json.dumps(sheet.to_dict()))
    again = CueSheet.from_dict(data)
    assert again == sheet
    assert again.to_dict() == sheet.to_dict()


def test_spotting_is_deterministic(make_analysis, make_preset):
    a, preset = _battle_like(make_analysis), _battle_preset(make_preset)
    assert spot(a, preset).to_dict() == spot(a, preset).to_dict()


def test_every_cue_says_why_with_a_timecode(make_analysis, make_preset):
    sheet = spot(_battle_like(make_analysis), _battle_preset(make_preset))
    for cue in sheet.cues:
        assert cue.why and cue.why[0].islower()
        assert re.search(r"\b\d\d:\d\d:\d\d:\d\d\b", cue.why), cue.why


def test_battle_edit_truth_every_hard_cut_impact_and_flash_is_spotted(make_preset):
    truth = edit_truth(battle_edit(11, n_shots=10))
    from sonics.core.model import Analysis, Flash, Impact, MotionEnvelope
    from sonics.core.model import Picture as Pic

    speed = np.hypot(*truth.camera_px_per_frame.T)
    motion = speed / max(float(speed.max()), 1e-9)
    times = truth.frame_times_s
    cuts = [Cut(f, float(times[f])) for f in truth.hard_cuts]
    cuts += [
        Cut((a + b + 1) // 2, float(times[(a + b + 1) // 2]), CutKind.DISSOLVE, 1.0, a, b)
        for a, b in truth.dissolves
    ]
    duration = truth.n_frames / float(truth.frame_rate)
    analysis = Analysis(
        Pic("battle.mp4", truth.frame_rate, truth.n_frames, truth.width, truth.height, duration),
        times,
        tuple(sorted(cuts, key=lambda c: c.frame)),
        (),
        MotionEnvelope(motion, motion, motion),
        impacts=tuple(Impact(f, float(times[f]), 1.0) for f in truth.impacts),
        flashes=tuple(Flash(f, float(times[f]), n, 0.7) for f, n in truth.flashes),
    )
    sheet = spot(
        analysis,
        make_preset(_layer("whoosh", ("cut",)), _layer("impact", ("impact",)), _layer("flash", ("flash",))),
    )
    assert _times(sheet, "whoosh") == [round(float(times[f]), 6) for f in truth.hard_cuts]
    assert _times(sheet, "impact") == [round(float(times[f]), 6) for f in truth.impacts]
    assert _times(sheet, "flash") == [round(float(times[f]), 6) for f, _ in truth.flashes]
    assert sheet.n_samples == truth.n_frames * 2000


def test_a_ten_minute_cut_with_hundreds_of_events_spots(make_analysis, make_preset):
    rng = np.random.default_rng(0)
    n = 14_400
    frames = np.sort(rng.choice(np.arange(5, n - 5), 600, replace=False)).tolist()
    levels = ["calm", "tension", "battle"]
    a = make_analysis(
        n,
        24,
        cuts=frames,
        intensities=[levels[i] for i in rng.integers(0, 3, 601)],
        motion=np.clip(np.convolve(rng.uniform(size=n), np.ones(24) / 24, "same") * 1.6 - 0.3, 0, 1),
        impacts=[
            (int(f), float(s))
            for f, s in zip(rng.choice(n, 300, replace=False), rng.uniform(size=300), strict=True)
        ],
        flashes=[
            (int(f), 2, float(s))
            for f, s in zip(rng.choice(n, 100, replace=False), rng.uniform(size=100), strict=True)
        ],
    )
    preset = _battle_preset(make_preset)
    sheet = spot(a, preset)
    assert len(sheet.cues) > 500
    assert sheet.n_samples == n * 2000
