"""Frames at chosen times, and thumbnails of them: the right frames, decoded exactly, small and stable."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from sonics.core.errors import MediaError, ParameterError
from sonics.export.report import thumbnail_frames
from sonics.io.thumbnails import read_thumbnails
from sonics.io.video import VideoReader
from sonics.testing import Edit, Shot, Transition, render_edit, render_frames
from sonics.testing.analysis import truth_analysis


def _decode_all(path: Path) -> list[av.VideoFrame]:
    with av.open(str(path)) as container:
        return list(container.decode(video=0))


def _image(data: bytes) -> np.ndarray:
    with av.open(io.BytesIO(data)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")


@pytest.fixture(scope="module")
def long_gop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s at 24 fps, 96x64: eight 60-frame shots, so keyframes lie 2.5 s apart and seeks happen."""
    shots = tuple(Shot(60, seed=10 + i, pan_px_per_frame=(1.5 * (-1) ** i, 0.0)) for i in range(8))
    edit = Edit(shots, (Transition(),) * 7, width=96, height=64, frame_rate=Fraction(24))
    path = tmp_path_factory.mktemp("thumbs") / "long.mp4"
    render_edit(edit, path)
    return path


@pytest.fixture(scope="module")
def vfr_edit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shots = tuple(Shot(30, seed=30 + i, pan_px_per_frame=(2.0, 0.0)) for i in range(4))
    edit = Edit(shots, (Transition(),) * 3, width=96, height=64, frame_rate=Fraction(24))
    path = tmp_path_factory.mktemp("thumbs") / "vfr.mp4"
    render_edit(edit, path, vfr=True, vfr_seed=4)
    return path


@pytest.fixture(scope="module")
def graded_edit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Edit, object]:
    """Five shots of clearly different brightness, joined by a hard cut, a dissolve and a fade."""
    brightness = (0.35, 1.0, 0.55, 1.3, 0.75)
    shots = tuple(
        Shot(24, seed=50 + i, brightness=b, pan_px_per_frame=(1.0, 0.0), palette_seed=7)
        for i, b in enumerate(brightness)
    )
    transitions = (
        Transition(),
        Transition("dissolve", 6),
        Transition(),
        Transition("fade_out_in", 4, 2),
    )
    edit = Edit(shots, transitions, width=160, height=90, frame_rate=Fraction(24))
    path = tmp_path_factory.mktemp("thumbs") / "graded.mp4"
    truth = render_edit(edit, path)
    return path, edit, truth


@pytest.mark.parametrize("fixture", ["long_gop", "vfr_edit"])
def test_frames_at_gives_exactly_the_frame_on_screen(fixture: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue(fixture)
    frames = _decode_all(path)
    start = frames[0].pts
    times = [float((f.pts - start) * f.time_base) for f in frames]
    last = len(frames) - 1
    # Sparse (seeks), dense (reads on), repeated, out of order, in between frames, outside the picture.
    wanted = [last, 5, 200, 201, 201, 470, 0, 61, 119, 120] if last > 470 else [last, 5, 6, 6, 60, 0, 90, 30]
    queries = [times[i] for i in wanted]
    queries += [-1.0, times[-1] + 10.0, times[7] + 0.4 * (times[8] - times[7])]
    expected = [*wanted, 0, last, 7]
    with VideoReader(path) as reader:
        got = list(reader.frames_at(queries))
    assert sorted(i for i, _ in got) == list(range(len(queries)))
    assert [queries[i] for i, _ in got] == sorted(queries)
    for i, frame in got:
        want = frames[expected[i]]
        assert frame.pts == want.pts, (i, expected[i])
        assert np.array_equal(frame.to_ndarray(format="gray"), want.to_ndarray(format="gray"))


def test_frames_at_every_time_gives_every_frame(vfr_edit: Path) -> None:
    frames = _decode_all(vfr_edit)
    times = [float((f.pts - frames[0].pts) * f.time_base) for f in frames]
    with VideoReader(vfr_edit) as reader:
        got = [frame for _, frame in reader.frames_at(times)]
    assert [f.pts for f in got] == [f.pts for f in frames]
    assert all(
        np.array_equal(a.to_ndarray(format="gray"), b.to_ndarray(format="gray"))
        for a, b in zip(got, frames, strict=True)
    )


def test_png_thumbnails_are_the_frames_scaled_exactly(long_gop: Path) -> None:
    frames = _decode_all(long_gop)
    wanted = [3, 150, 151, 400, 479]
    pictures = read_thumbnails(long_gop, wanted, width_px=48, image_format="png")
    assert list(pictures) == wanted
    for f in wanted:
        expected = frames[f].reformat(width=48, height=32, format="rgb24", interpolation="AREA").to_ndarray()
        assert np.array_equal(_image(pictures[f]), expected), f


def test_each_shot_thumbnail_comes_from_inside_that_shot(graded_edit: tuple[Path, Edit, object]) -> None:
    path, edit, truth = graded_edit
    analysis = truth_analysis(truth, str(path))
    rendered = list(render_frames(edit))
    frames = thumbnail_frames(analysis)
    pictures = read_thumbnails(path, frames, frame_times_s=analysis.frame_times_s)
    shot_means = [np.mean([rendered[f].mean() for f in range(a, b + 1)]) for a, b in truth.shots]
    blended = {f for a, b in truth.dissolves for f in range(a, b + 1)}
    blended |= {f for a, b, _ in truth.fades for f in range(a, b + 1)}
    for f in frames:
        assert f not in blended, f
        image = _image(pictures[f])
        assert image.shape == (90, 160, 3)
        # The thumbnail shows its frame: mean level within a few steps of the rendered frame's ...
        assert abs(image.mean() - rendered[f].mean()) < 3.0, f
        # ... and of the shot that frame belongs to, not of any other.
        owner = [i for i, (a, b) in enumerate(truth.shots) if a <= f <= b and f not in blended]
        if owner:
            nearest = int(np.argmin([abs(image.mean() - m) for m in shot_means]))
            assert nearest == owner[0], (f, nearest, owner)


def test_thumbnails_are_small_stable_jpegs_at_the_display_aspect(
    graded_edit: tuple[Path, Edit, object],
) -> None:
    path, _, _ = graded_edit
    first = read_thumbnails(path, [0, 30, 60], width_px=80)
    again = read_thumbnails(path, [60, 30, 0, 30], width_px=80)
    assert first == again
    for data in first.values():
        assert data[:3] == b"\xff\xd8\xff" and data[-2:] == b"\xff\xd9"
        assert len(data) < 4000
        assert _image(data).shape == (46, 80, 3)  # 16:9 at 80 px wide, even height
    coarse = read_thumbnails(path, [30], width_px=80, jpeg_qscale=20)
    assert len(coarse[30]) < len(first[30])


def test_thumbnail_sizes_never_exceed_the_video(graded_edit: tuple[Path, Edit, object]) -> None:
    path, _, _ = graded_edit
    assert _image(read_thumbnails(path, [1], width_px=640)[1]).shape == (90, 160, 3)


def test_bad_thumbnail_requests_say_what_is_wrong(
    graded_edit: tuple[Path, Edit, object], tmp_path: Path
) -> None:
    path, _, truth = graded_edit
    assert read_thumbnails(path, []) == {}
    with pytest.raises(ParameterError, match="frames must be >= 0"):
        read_thumbnails(path, [-1])
    with pytest.raises(ParameterError, match="has no time"):
        read_thumbnails(path, [truth.n_frames], frame_times_s=truth.frame_times_s)
    with pytest.raises(ParameterError, match="image_format"):
        read_thumbnails(path, [0], image_format="gif")
    with pytest.raises(ParameterError, match="jpeg_qscale"):
        read_thumbnails(path, [0], jpeg_qscale=1)
    with pytest.raises(ParameterError, match="width_px"):
        read_thumbnails(path, [0], width_px=8)
    with pytest.raises(MediaError, match="no such file"):
        read_thumbnails(tmp_path / "missing.mp4", [0])
