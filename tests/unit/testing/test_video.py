"""The synthetic edit generator: the file holds exactly what its truth says."""

from __future__ import annotations

import hashlib
import json
import math
from fractions import Fraction

import av
import numpy as np
import pytest

from sonics.core.errors import ExportError, ParameterError
from sonics.testing import (
    Edit,
    EditTruth,
    Flash,
    Rider,
    Shot,
    Transition,
    battle_edit,
    edit_truth,
    render_edit,
    render_frames,
    simple_edit,
)

W, H = 192, 108


def _decode(path):
    """Return (full-range luma frames as float arrays, frame times from PTS, stream average rate)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate
        lumas, times = [], []
        for frame in container.decode(stream):
            lumas.append(frame.to_ndarray(format="gray").astype(np.float64))
            times.append(float(frame.pts * frame.time_base))
    return lumas, np.array(times), Fraction(rate.numerator, rate.denominator)


def _edit(shots, transitions, **kw):
    return Edit(shots=tuple(shots), transitions=tuple(transitions), width=W, height=H, **kw)


def test_cfr_render_matches_truth_frames_rate_and_times(tmp_path):
    edit = simple_edit((10, 14, 8), width=W, height=H, frame_rate=Fraction(24000, 1001), seed=3)
    truth = render_edit(edit, tmp_path / "a.mp4")
    lumas, times, rate = _decode(tmp_path / "a.mp4")
    assert truth.n_frames == len(lumas) == 32
    assert rate == truth.frame_rate == Fraction(24000, 1001)
    assert truth.hard_cuts == (10, 24)
    assert truth.shots == ((0, 9), (10, 23), (24, 31))
    expected = np.array([float(Fraction(i * 1001, 24000)) for i in range(32)])
    np.testing.assert_allclose(times, expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(truth.frame_times_s, expected, rtol=0, atol=1e-12)
    assert truth.duration_s == pytest.approx(32 * 1001 / 24000)


def test_vfr_render_has_irregular_durations_and_exact_times(tmp_path):
    edit = simple_edit((12, 12), width=W, height=H, seed=4)
    truth = render_edit(edit, tmp_path / "v.mp4", vfr=True, vfr_seed=2)
    lumas, times, _ = _decode(tmp_path / "v.mp4")
    assert truth.variable_frame_rate
    assert len(lumas) == truth.n_frames == 24
    np.testing.assert_allclose(times, truth.frame_times_s, rtol=0, atol=1e-9)
    durations = np.round(np.diff(truth.frame_times_s) * 90000).astype(int)
    assert set(durations) <= {3000, 3600, 3750, 4500}
    assert len(set(durations)) >= 3
    assert truth.hard_cuts == (12,)


def test_flash_frames_are_brighter_and_full_strength_is_white(tmp_path):
    shot = Shot(20, seed=1, pan_px_per_frame=(1.5, 0.0), flashes=(Flash(6, 2, 0.6), Flash(14, 1, 1.0)))
    truth = render_edit(_edit([shot], []), tmp_path / "f.mp4")
    assert truth.flashes == ((6, 2), (14, 1))
    lumas, _, _ = _decode(tmp_path / "f.mp4")
    mean = np.array([y.mean() for y in lumas])
    assert mean[6] > mean[5] + 30 and mean[7] > mean[8] + 30
    assert abs(mean[6] - mean[7]) < 3
    assert mean[14] > 250  # white (decoded to full-range gray)
    assert abs(mean[10] - mean[11]) < 3


def test_dissolve_frames_are_exact_blends_of_both_moving_shots(tmp_path):
    a = Shot(20, seed=10, pan_px_per_frame=(3.0, 0.0))
    b = Shot(20, seed=20, pan_px_per_frame=(-2.0, 1.0), palette_seed=99)
    edit = _edit([a, b], [Transition("dissolve", 7)])
    frames = np.array(list(render_frames(edit)), dtype=np.float64)
    alone_a = np.array(list(render_frames(_edit([a], []))), dtype=np.float64)
    alone_b = np.array(list(render_frames(_edit([b], []))), dtype=np.float64)
    assert len(frames) == 33  # 20 + 20 - 7
    for k in range(7):
        w = (k + 1) / 8
        blend = (1 - w) * alone_a[13 + k] + w * alone_b[k]
        assert np.abs(frames[13 + k] - blend).max() <= 1.0
    np.testing.assert_array_equal(frames[:13], alone_a[:13])
    np.testing.assert_array_equal(frames[20:], alone_b[7:])

    truth = render_edit(edit, tmp_path / "d.mp4")
    assert truth.dissolves == ((13, 19),) and truth.hard_cuts == ()
    assert truth.shots == ((0, 19), (13, 32))
    lumas, _, _ = _decode(tmp_path / "d.mp4")
    mid = lumas[16]
    pure_a, pure_b = _gray(alone_a[16]), _gray(alone_b[3])
    err_blend = np.abs(mid - (pure_a + pure_b) / 2).mean()
    assert err_blend < 0.5 * np.abs(mid - pure_a).mean()
    assert err_blend < 0.5 * np.abs(mid - pure_b).mean()
    # The camera truth blends the two velocities.
    np.testing.assert_allclose(truth.camera_px_per_frame[16], [0.5 * 3 - 0.5 * 2, 0.5])


def _gray(rgb):
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def test_fade_out_in_and_opening_fade_in_truth_and_pixels(tmp_path):
    shots = [Shot(16, seed=1), Shot(16, seed=2)]
    edit = _edit(shots, [Transition("fade_out_in", 5, n_black_frames=3)], fade_in_frames=4)
    truth = render_edit(edit, tmp_path / "o.mp4")
    assert truth.n_frames == 35
    assert truth.fades == ((0, 3, "fade_in"), (11, 15, "fade_out"), (19, 23, "fade_in"))
    assert truth.hard_cuts == () and truth.shots == ((0, 15), (19, 34))
    lumas, _, _ = _decode(tmp_path / "o.mp4")
    mean = np.array([y.mean() for y in lumas])
    assert np.all(np.diff(mean[:5]) > 0)  # ramps up from black
    assert np.all(np.diff(mean[10:16]) < 0)  # fade out
    assert np.all(mean[16:19] < 1.5)  # black frames
    assert np.all(np.diff(mean[18:25]) > 0)  # fade in
    assert np.all(truth.camera_px_per_frame[16:19] == 0)


def test_pan_moves_content_by_the_camera_velocity_at_subpixel_positions():
    shot = Shot(6, seed=5, pan_px_per_frame=(4.0, 0.0))
    frames = np.array(list(render_frames(_edit([shot], []))), dtype=np.int16)
    # The camera moves right by 4 px/frame: content moves left by exactly 4 px.
    np.testing.assert_array_equal(frames[1][:, :-4], frames[0][:, 4:])
    slow = np.array(list(render_frames(_edit([Shot(5, seed=5, pan_px_per_frame=(0.25, 0.0))], []))))
    diffs = [np.abs(slow[i + 1].astype(int) - slow[i]).mean() for i in range(4)]
    assert all(0 < d < 3 for d in diffs)  # sub-pixel steps: every frame moves, a little


def test_whip_pan_is_motion_blurred_along_the_pan():
    def h_detail(blur):
        shot = Shot(3, seed=8, pan_px_per_frame=(30.0, 0.0), motion_blur=blur)
        frame = list(render_frames(_edit([shot], [])))[1].astype(np.float64).mean(axis=2)
        return np.abs(np.diff(frame, axis=1)).mean(), np.abs(np.diff(frame, axis=0)).mean()

    sharp_h, _ = h_detail(False)
    blurred_h, blurred_v = h_detail(True)
    assert blurred_h < 0.3 * sharp_h
    assert blurred_v > blurred_h  # blur is along x only


def test_camera_stop_is_an_impact_with_zero_motion_after_it():
    shots = [Shot(10, seed=1), Shot(20, seed=2, pan_px_per_frame=(30.0, 0.0), stop_frame=12, shake_px=1.0)]
    edit = _edit(shots, [Transition("hard")])
    truth = edit_truth(edit)
    assert truth.impacts == (22,)
    assert np.all(truth.camera_px_per_frame[10:22, 0] == 30.0)
    assert np.all(truth.camera_px_per_frame[22:] == 0.0)
    assert np.all(truth.shake_px[10:] == 1.0) and np.all(truth.shake_px[:10] == 0.0)
    still_shot = Shot(20, seed=2, pan_px_per_frame=(30.0, 0.0), stop_frame=12)
    frames = np.array(list(render_frames(Edit(shots=(still_shot,), width=W, height=H))), dtype=np.float64)
    moving = np.abs(frames[11] - frames[10]).mean()
    assert np.array_equal(frames[12], frames[13]) and np.array_equal(frames[13], frames[19])
    assert moving > 3.0


def test_riders_move_across_the_frame_non_rigidly():
    rider = Rider(y_frac=0.6, speed_px_per_frame=6.0, size_px=60, seed=3, start_x_frac=0.2)
    with_rider = np.array(
        list(render_frames(_edit([Shot(8, seed=4, riders=(rider,))], []))), dtype=np.float64
    )
    plain = np.array(list(render_frames(_edit([Shot(8, seed=4)], []))), dtype=np.float64)
    masks = np.abs(with_rider - plain).max(axis=3) > 20
    xs = [np.nonzero(m.any(axis=0))[0].mean() for m in masks]
    assert np.allclose(np.diff(xs), 6.0, atol=2.0)
    shapes = [np.roll(masks[i], -round(6 * i), axis=1) for i in range(8)]
    assert not all(np.array_equal(shapes[0], s) for s in shapes[1:])  # the legs move


def test_truth_json_round_trip(tmp_path):
    truth = edit_truth(battle_edit(5, width=W, height=H, n_shots=5))
    text = truth.to_json(tmp_path / "t.json", note="x")
    data = json.loads(text)
    assert data["schema"] == "sonics.edit_truth/1" and data["note"] == "x"
    back = EditTruth.from_dict(data)
    assert back.hard_cuts == truth.hard_cuts and back.dissolves == truth.dissolves
    assert back.flashes == truth.flashes and back.frame_rate == truth.frame_rate
    np.testing.assert_array_equal(back.frame_times_s, truth.frame_times_s)
    np.testing.assert_allclose(back.camera_px_per_frame, truth.camera_px_per_frame, atol=1e-4)


def test_render_is_byte_identical_for_the_same_edit(tmp_path):
    edit = battle_edit(2, width=W, height=H, n_shots=3, max_shot_frames=20)
    audio = (0.1 * np.sin(np.arange(48000) * 0.05)).astype(np.float32)[None, :]
    digests = set()
    for name in ("1.mp4", "2.mp4"):
        render_edit(edit, tmp_path / name, audio=audio)
        digests.add(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert len(digests) == 1


def test_audio_is_muxed_as_aac_48k(tmp_path):
    n = 48000
    audio = np.stack([np.sin(2 * np.pi * 440 * np.arange(n) / 48000)] * 2).astype(np.float32) * 0.25
    truth = render_edit(simple_edit((24,), width=W, height=H), tmp_path / "s.mp4", audio=audio)
    with av.open(str(tmp_path / "s.mp4")) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac" and stream.sample_rate == 48000 and stream.channels == 2
        decoded = np.concatenate([f.to_ndarray() for f in container.decode(stream)], axis=1)
    assert abs(decoded.shape[1] - n) <= 2048
    assert np.sqrt(np.mean(decoded[:, 4800:40000] ** 2)) == pytest.approx(0.25 / math.sqrt(2), rel=0.05)
    assert truth.n_frames == 24


def test_battle_edit_is_varied_and_keeps_flashes_away_from_cuts():
    for seed in range(6):
        edit = battle_edit(seed, width=960, height=540, n_shots=10, fade_in_frames=6)
        assert edit == battle_edit(seed, width=960, height=540, n_shots=10, fade_in_frames=6)
        truth = edit_truth(edit)
        assert len(truth.dissolves) == 1 and len(truth.hard_cuts) == 8
        boundaries = [s for s, _ in truth.shots[1:]] + [e + 1 for _, e in truth.shots[:-1]]
        for first, n in truth.flashes:
            assert min(min(abs(first - b), abs(first + n - 1 - b)) for b in boundaries) >= 4
            assert first >= 6 + 4
        speeds = [math.hypot(*s.pan_px_per_frame) for s in edit.shots]
        assert max(speeds) <= 40 + 1e-6 and min(speeds) >= 1 - 1e-6
        assert all(12 <= s.n_frames <= 60 for s in edit.shots)
        pairs = [
            (a.palette_seed or a.seed) == b.palette_seed and a.brightness == b.brightness
            for a, b in zip(edit.shots, edit.shots[1:], strict=False)
        ]
        assert sum(pairs) == 1
    assert any(s.riders for s in battle_edit(1, n_shots=12).shots)
    assert any(s.stop_frame for seed in range(4) for s in battle_edit(seed, n_shots=12).shots)


def test_battle_edit_scales_to_frame_rate_and_width():
    edit = battle_edit(0, width=480, height=270, frame_rate=48, n_shots=6, n_dissolves=0)
    assert all(24 <= s.n_frames <= 120 for s in edit.shots)
    assert max(math.hypot(*s.pan_px_per_frame) for s in edit.shots) <= 20 + 1e-6
    assert all(t.kind == "hard" for t in edit.transitions)


def test_equal_shots_render_to_their_exact_frame_count(tmp_path):
    edit = battle_edit(
        9, width=320, height=180, n_shots=4, min_shot_frames=24, max_shot_frames=24, n_dissolves=0
    )
    truth = render_edit(edit, tmp_path / "q.mp4")
    assert truth.n_frames == 96
    assert truth.hard_cuts == (24, 48, 72)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (Edit(shots=(Shot(5, 1), Shot(5, 2))), "transitions"),
        (Edit(shots=(Shot(5, 1),), width=101), "even"),
        (Edit(shots=(Shot(5, 1, flashes=(Flash(4, 2),)),)), "does not fit"),
        (
            Edit(shots=(Shot(5, 1), Shot(5, 2)), transitions=(Transition("dissolve", 6),)),
            "longer than a shot",
        ),
        (Edit(shots=(Shot(5, 1, stop_frame=5),)), "stop_frame"),
        (Edit(shots=(Shot(5, 1), Shot(5, 2)), transitions=(Transition("wipe"),)), "kind"),  # type: ignore[arg-type]
    ],
)
def test_inconsistent_edits_are_refused(tmp_path, edit, message):
    with pytest.raises(ParameterError, match=message):
        render_edit(edit, tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()


def test_unwritable_path_is_an_export_error(tmp_path):
    with pytest.raises(ExportError, match="cannot write"):
        render_edit(simple_edit((4,), width=W, height=H), tmp_path / "missing" / "x.mp4")
