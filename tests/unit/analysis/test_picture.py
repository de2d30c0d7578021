"""Picture analysis against generated edits whose truth is exact.

Hard cuts are asserted to the frame (F1 = 1.0 at +-0 frames); no cut may fall on a flash
or inside a pan; every dissolve and fade must come back as one gradual transition.
"""

from fractions import Fraction

import numpy as np
import pytest

from sonics.analysis.features import extract_features
from sonics.analysis.picture import PictureAnalyzer
from sonics.core.model import CutKind
from sonics.io.video import VideoReader
from sonics.testing import Edit, Flash, Rider, Shot, Transition, battle_edit, render_edit

NTSC_24 = Fraction(24000, 1001)
NTSC_30 = Fraction(30000, 1001)


def _analyze(path, frame_rate):
    with VideoReader(path) as reader:
        features = extract_features(reader.luma_chunks())
    return features, PictureAnalyzer()(features)


def _hard(events):
    return [c.frame for c in events.cuts if c.kind is CutKind.HARD]


def _gradual(events):
    return [(c.kind, c.start_frame, c.end_frame) for c in events.cuts if c.is_gradual]


@pytest.fixture(scope="module", params=[(1, NTSC_24), (2, Fraction(25)), (3, NTSC_30), (4, Fraction(24))])
def battle(request, tmp_path_factory):
    seed, rate = request.param
    edit = battle_edit(
        seed, width=320, height=180, frame_rate=rate, n_shots=10, fade_in_frames=12 * (seed == 4)
    )
    path = tmp_path_factory.mktemp("battle") / f"battle_{seed}.mp4"
    truth = render_edit(edit, path)
    features, events = _analyze(path, rate)
    return truth, features, events


def test_every_hard_cut_is_found_to_the_frame(battle):
    truth, _, events = battle
    assert _hard(events) == list(truth.hard_cuts)


def test_no_cut_on_flashes(battle):
    truth, _, events = battle
    flash_frames = {f for first, n in truth.flashes for f in range(first, first + n + 1)}
    assert flash_frames, "the edit should contain flashes"
    assert not flash_frames & set(_hard(events))


def test_flashes_are_events_of_their_own(battle):
    truth, _, events = battle
    assert [(f.frame, f.n_frames) for f in events.flashes] == list(truth.flashes)


def test_each_gradual_transition_is_found_once(battle):
    truth, _, events = battle
    expected = [(CutKind.DISSOLVE, a, b) for a, b in truth.dissolves]
    expected += [(CutKind(kind), a, b) for a, b, kind in truth.fades]
    found = _gradual(events)
    assert len(found) == len(expected)
    for (kind, start, end), (want_kind, want_start, want_end) in zip(
        sorted(found, key=lambda g: g[1]), sorted(expected, key=lambda g: g[1]), strict=True
    ):
        assert kind is want_kind
        # The blend weights are fitted through moving pictures: ends within 3 frames.
        assert abs(start - want_start) <= 3
        assert abs(end - want_end) <= 3


def test_cut_times_come_from_pts(battle):
    truth, features, events = battle
    np.testing.assert_allclose(features.times_s, truth.frame_times_s, atol=1e-6)
    for cut in events.cuts:
        assert cut.time_s == pytest.approx(truth.frame_times_s[cut.frame], abs=1e-6)


@pytest.mark.parametrize("speed", [1.0, 3.0, 8.0, 20.0, 40.0], ids=lambda s: f"{s:g}px")
def test_pans_neither_cut_nor_hide_cuts(speed, tmp_path):
    # Pan speeds at a 960 px reference, scaled to 320 px; cuts into and out of the pan.
    px = speed / 3
    shots = (
        Shot(20, seed=11, pan_px_per_frame=(1.0, 0.0)),
        Shot(36, seed=12, pan_px_per_frame=(px, 0.1 * px), shake_px=0.3 * px if speed >= 20 else 0.0),
        Shot(20, seed=13, pan_px_per_frame=(-px, 0.0)),
    )
    edit = Edit(shots, (Transition(), Transition()), width=320, height=180, frame_rate=Fraction(24))
    truth = render_edit(edit, tmp_path / "pan.mp4")
    _, events = _analyze(tmp_path / "pan.mp4", Fraction(24))
    assert _hard(events) == list(truth.hard_cuts) == [20, 56]


def test_white_flash_and_lightning_are_not_cuts(tmp_path):
    shots = (
        Shot(30, seed=21, pan_px_per_frame=(6.0, 0.0), flashes=(Flash(8, 1, 1.0), Flash(20, 3, 0.5))),
        Shot(30, seed=22, pan_px_per_frame=(-13.0, 0.0), flashes=(Flash(10, 2, 0.9),)),
    )
    edit = Edit(shots, (Transition(),), width=320, height=180, frame_rate=Fraction(25))
    truth = render_edit(edit, tmp_path / "flash.mp4")
    _, events = _analyze(tmp_path / "flash.mp4", Fraction(25))
    assert _hard(events) == [30]
    assert [(f.frame, f.n_frames) for f in events.flashes] == list(truth.flashes)
    assert events.flashes[0].strength > 0.6


def test_fade_out_to_black_and_in_is_two_fades_not_cuts(tmp_path):
    shots = (Shot(30, seed=31, pan_px_per_frame=(2.0, 0.0)), Shot(30, seed=32, pan_px_per_frame=(-2.0, 0.0)))
    edit = Edit(shots, (Transition("fade_out_in", 10, 4),), width=320, height=180, frame_rate=NTSC_30)
    truth = render_edit(edit, tmp_path / "fade.mp4")
    _, events = _analyze(tmp_path / "fade.mp4", NTSC_30)
    assert _hard(events) == []
    found = [(kind, start, end) for kind, start, end in _gradual(events)]
    expected = [(CutKind(kind), a, b) for a, b, kind in truth.fades]
    assert found == expected


def test_variable_frame_rate_cuts_land_on_their_times(tmp_path):
    edit = battle_edit(7, width=320, height=180, frame_rate=Fraction(30), n_shots=6, n_dissolves=0)
    truth = render_edit(edit, tmp_path / "vfr.mp4", vfr=True)
    assert truth.variable_frame_rate
    features, events = _analyze(tmp_path / "vfr.mp4", Fraction(30))
    np.testing.assert_allclose(features.times_s, truth.frame_times_s, atol=1e-6)
    assert _hard(events) == list(truth.hard_cuts)
    for cut in events.cuts:
        assert cut.time_s == pytest.approx(truth.frame_times_s[cut.frame], abs=1e-6)


def test_camera_stop_is_an_impact_on_its_frame(tmp_path):
    shots = (Shot(40, seed=41, pan_px_per_frame=(12.0, 0.0), stop_frame=20), Shot(20, seed=42))
    edit = Edit(shots, (Transition(),), width=320, height=180, frame_rate=Fraction(24))
    truth = render_edit(edit, tmp_path / "stop.mp4")
    _, events = _analyze(tmp_path / "stop.mp4", Fraction(24))
    assert truth.impacts == (20,)
    strongest = max(events.impacts, key=lambda i: i.strength)
    assert strongest.frame == 20


def test_motion_separates_camera_from_subject(tmp_path):
    riders = tuple(Rider(0.5 + 0.12 * k, 4.0 + k, 44, seed=k, start_x_frac=0.1 + 0.1 * k) for k in range(3))
    shots = (
        Shot(30, seed=51),  # still
        Shot(30, seed=52, pan_px_per_frame=(8.0, 0.0)),  # camera pans
        Shot(30, seed=53, riders=riders),  # still camera, riders gallop through
    )
    edit = Edit(shots, (Transition(), Transition()), width=320, height=180, frame_rate=Fraction(24))
    render_edit(edit, tmp_path / "motion.mp4")
    _, events = _analyze(tmp_path / "motion.mp4", Fraction(24))
    camera, subject, values = events.motion.camera, events.motion.subject, events.motion.values
    still, pan, charge = slice(3, 27), slice(33, 57), slice(63, 87)
    assert values[still].mean() < 0.1
    assert camera[pan].mean() > 0.5 > subject[pan].mean() + 0.3
    assert subject[charge].mean() > 0.2 > camera[charge].mean() + 0.1
    assert subject[still].mean() < 0.05
    assert values.min() >= 0.0 and values.max() <= 1.0
    # The cut frames are bridged, not read as a burst of motion.
    assert values[30] <= max(values[28], values[32]) + 0.05


def test_shot_intensity_follows_motion_and_cut_rate(tmp_path):
    fast = tuple(Shot(12, seed=60 + k, pan_px_per_frame=(12.0 * (-1) ** k, 0.0)) for k in range(6))
    calm = (Shot(120, seed=70, pan_px_per_frame=(0.3, 0.0)),)
    edit = Edit(calm + fast, tuple(Transition() for _ in range(6)), width=320, height=180)
    render_edit(edit, tmp_path / "shots.mp4")
    _, events = _analyze(tmp_path / "shots.mp4", Fraction(24))
    assert [s.start_frame for s in events.shots] == [0, 120, 132, 144, 156, 168, 180]
    assert events.shots[0].intensity == "calm"
    assert all(s.intensity == "battle" for s in events.shots[2:-1])
