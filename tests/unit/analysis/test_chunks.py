"""Features measured in time chunks join into exactly the features of the whole stream."""

import dataclasses
import itertools

import numpy as np
import pytest

from sonics.analysis.chunks import FeatureChunk, join_features
from sonics.analysis.features import FrameFeatures, context_frames, extract_features
from sonics.core.errors import MediaError, ParameterError
from sonics.core.frames import LumaChunk
from sonics.io.video import VideoReader

BEFORE, AFTER = context_frames()


@pytest.fixture(scope="module")
def stream(edit_video):
    """The shared edit's analysis frames: four panning shots, hard cuts at 18, 38 and 54."""
    with VideoReader(edit_video.path) as reader:
        chunks = list(reader.luma_chunks())
    return np.concatenate([c.times_s for c in chunks]), np.concatenate([c.luma for c in chunks])


@pytest.fixture(scope="module")
def whole(stream):
    return extract_features([LumaChunk(*stream)])


def _assert_same(a: FrameFeatures, b: FrameFeatures) -> None:
    for field in dataclasses.fields(FrameFeatures):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, field.name
            np.testing.assert_array_equal(x, y, err_msg=field.name, strict=True)
        else:
            assert x == y, field.name


def _measure(times, luma, start_s, end_s, before=BEFORE, after=AFTER, sizes=(48,)) -> FeatureChunk:
    """What a chunk sees: its range with context, cut into LumaChunks of the given sizes."""
    first = int(np.searchsorted(times, start_s))
    last = len(times) if end_s is None else int(np.searchsorted(times, end_s))
    lo, hi = max(0, first - before), min(len(times), last + after)
    if first >= len(times):  # past the end: a decode finds nothing
        lo = hi = len(times)
    pieces, at, k = [], lo, 0
    while at < hi:
        n = sizes[k % len(sizes)]
        pieces.append(LumaChunk(times[at : min(hi, at + n)], luma[at : min(hi, at + n)]))
        at, k = at + n, k + 1
    return FeatureChunk(start_s, end_s, extract_features(pieces))


def _chunks(times, luma, bounds_s, **options) -> list[FeatureChunk]:
    edges = [0.0, *bounds_s, None]
    return [_measure(times, luma, a, b, **options) for a, b in itertools.pairwise(edges)]


def test_context_reaches_the_longest_dissolve_span():
    assert context_frames() == (36, 18)
    assert context_frames(max_flash_frames=40) == (41, 40)


@pytest.mark.parametrize("sizes", [(1,), (7,), (5, 48, 2, 13), (72,)])
def test_features_do_not_depend_on_how_the_frames_are_chunked(stream, whole, sizes):
    times, luma = stream
    _assert_same(_measure(times, luma, 0.0, None, sizes=sizes).features, whole)


@pytest.mark.parametrize(
    "seam_frames",
    [
        (18, 38, 54),  # right at each cut: the cut frame opens a chunk
        (29, 37),  # mid-shot, and one frame before a cut: the cut frame is a chunk's second
        (5, 6, 60),  # chunks of one frame
        (10, 25, 40, 55),  # chunks shorter than their context
    ],
)
def test_chunks_join_into_the_whole_bit_for_bit(stream, whole, seam_frames):
    times, luma = stream
    chunks = _chunks(times, luma, [float(times[f]) for f in seam_frames], sizes=(48, 5))
    _assert_same(join_features(chunks), whole)


def test_a_chunk_in_a_hole_of_the_stream_holds_nothing(stream):
    times, luma = stream
    times = np.where(np.arange(len(times)) < 30, times, times + 2.0)  # 2 s without a frame after frame 29
    whole = extract_features([LumaChunk(times, luma)])
    chunks = _chunks(times, luma, [1.3, 1.8, 3.0])
    assert chunks[2].features.n_frames == 0 or chunks[2].kept.stop == chunks[2].kept.start
    _assert_same(join_features(chunks), whole)


def test_chunks_past_the_end_add_nothing(stream, whole):
    times, luma = stream
    chunks = _chunks(times, luma, [2.0, 4.0, 9.0])
    assert chunks[-1].features.n_frames == 0 and chunks[-2].features.n_frames == 0
    _assert_same(join_features(chunks), whole)


def test_a_chunk_short_of_context_is_refused(stream):
    times, luma = stream
    chunks = _chunks(times, luma, [2.0])
    chunks[1] = _measure(times, luma, 2.0, None, before=BEFORE - 1)
    with pytest.raises(MediaError, match="35 frames of context before it; it needs 36"):
        join_features(chunks)
    chunks = _chunks(times, luma, [2.0])
    chunks[0] = _measure(times, luma, 0.0, 2.0, after=AFTER - 1)
    with pytest.raises(MediaError, match="17 frames of context after it; it needs 18"):
        join_features(chunks)


def test_a_frame_lost_at_a_seam_is_found(stream):
    times, luma = stream
    keep = np.arange(len(times)) != 40  # the second chunk's decode lost frame 40, in its context
    chunks = [_measure(times, luma, 0.0, 2.5), _measure(times[keep], luma[keep], 2.5, None)]
    with pytest.raises(MediaError, match=f"lacks the frame at {times[40]:.6f} s"):
        join_features(chunks)


def test_frames_that_decode_differently_after_a_seek_are_found(stream):
    times, luma = stream
    other = luma.copy()
    other[20] += 1.0  # the second chunk's decode of frame 20 (in its context) differs
    chunks = [_measure(times, luma, 0.0, 1.5), _measure(times, other, 1.5, None)]
    with pytest.raises(MediaError, match=f"frames at {times[20]:.6f} s differ"):
        join_features(chunks)


def test_ranges_must_follow_each_other(stream):
    times, luma = stream
    with pytest.raises(ParameterError, match="at least one chunk"):
        join_features([])
    gap = [_measure(times, luma, 0.0, 1.0), _measure(times, luma, 1.5, None)]
    with pytest.raises(ParameterError, match="without a gap or an overlap"):
        join_features(gap)
