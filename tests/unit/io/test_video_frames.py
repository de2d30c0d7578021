"""The analysis frames: each pixel the mean of four luma samples of its cell, for every frame size."""

import av
import numpy as np
import pytest

from sonics.io.video import VideoReader, _shrink
from sonics.testing import render_edit, simple_edit


def _cell_means(y: np.ndarray, step: int, width: int, height: int) -> np.ndarray:
    """Mean of the samples at offsets 0 and step // 2 of each step x step cell, one cell at a time."""
    out = np.empty((height, width))
    sub = step // 2
    for i in range(height):
        for j in range(width):
            top, left = i * step, j * step
            samples = y[[top, top, top + sub, top + sub], [left, left + sub, left, left + sub]]
            out[i, j] = samples.astype(float).mean()
    return out


@pytest.mark.parametrize(
    ("width", "height"),
    [(320, 180), (480, 270), (640, 360), (854, 480), (960, 540), (1280, 720), (1440, 1080), (1920, 1080)],
)
def test_each_analysis_pixel_is_the_mean_of_four_samples_of_its_cell(width, height):
    rng = np.random.default_rng(width)
    planes = rng.integers(16, 236, (height * 3 // 2, width), dtype=np.uint8)
    frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
    step = width // 160
    small = _shrink(frame, step, width // step, height // step)
    assert small.dtype == np.float32 and small.shape == (height // step, width // step)
    np.testing.assert_array_equal(small, _cell_means(planes[:height], step, width // step, height // step))


def test_a_small_frame_is_its_luma():
    planes = np.random.default_rng(1).integers(0, 256, (150, 200), dtype=np.uint8)
    frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
    np.testing.assert_array_equal(_shrink(frame, 1, 200, 100), planes[:100])


def test_a_480p_video_is_read_whole(tmp_path):
    # 854 px wide: an odd downscale factor (5), and a grid that does not halve evenly.
    path = tmp_path / "wide.mp4"
    render_edit(simple_edit((4, 4), width=854, height=480), path)
    with VideoReader(path) as reader:
        chunks = list(reader.luma_chunks())
    luma = np.concatenate([c.luma for c in chunks])
    assert luma.shape == (8, 96, 170)
    # The picture is read to its right and bottom edges: the last rows and columns are textured.
    assert luma[:, -8:, :].std() > 1 and luma[:, :, -8:].std() > 1
