"""Features of a video measured in time chunks, and their join into exactly the features of the whole.

A chunk measures the frames of its time range ``[start_s, end_s)`` from a stream of frames
that also holds :func:`~sonics.analysis.features.context_frames` frames of context on each
side. Its frames' features are then bit for bit those of a run over the whole video, so the
chunks can be measured apart (in other processes, on other machines) and joined: the
context is dropped by time, and the seams are checked (every frame kept once, none missing,
the overlapping frames alike in both chunks).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sonics.analysis.features import FrameFeatures, context_frames
from sonics.core.errors import MediaError, ParameterError

__all__ = ["FeatureChunk", "join_features"]

_FRAME_OWN = ("times_s", "mean_luma", "contrast", "thumbs")  # what a frame alone decides: its identity
_PER_FRAME = tuple(f.name for f in dataclasses.fields(FrameFeatures) if f.name not in ("width", "height"))


@dataclass(frozen=True, slots=True, eq=False)
class FeatureChunk:
    """The features of one time range of a video, with the context frames they were measured from.

    Attributes
    ----------
    start_s : float
        First time of the range, counted from the video's first frame [s].
    end_s : float or None
        End of the range (exclusive) [s]; None for the rest of the video.
    features : FrameFeatures
        Features of every frame measured: the context before the range, the range, the
        context after it.
    """

    start_s: float
    end_s: float | None
    features: FrameFeatures

    @property
    def kept(self) -> slice:
        """Return the frames of :attr:`features` that lie in the range."""
        times = self.features.times_s
        first = int(np.searchsorted(times, self.start_s, "left"))
        last = len(times) if self.end_s is None else int(np.searchsorted(times, self.end_s, "left"))
        return slice(first, max(first, last))


def join_features(chunks: Sequence[FeatureChunk]) -> FrameFeatures:
    """Join the features of consecutive time chunks into the features of the time they cover.

    Parameters
    ----------
    chunks : sequence of FeatureChunk
        In time order, each starting where the one before ends; chunks holding no frames
        (past the end of the video, or within a long still frame) are allowed.

    Returns
    -------
    FrameFeatures
        The frames of every range once, in order: what one run over the frames from the
        first chunk's start to the last chunk's end gives.

    Raises
    ------
    ParameterError
        If there are no chunks, the ranges leave a gap or overlap, or the chunks were
        measured differently.
    MediaError
        If the chunks do not meet at a seam: a chunk lacks context other chunks' frames show
        exists, or the frames two chunks share differ (the video decodes differently after
        a seek).

    Examples
    --------
    >>> chunks = [FeatureChunk(0.0, 60.0, first), FeatureChunk(60.0, None, rest)]  # doctest: +SKIP
    >>> whole = join_features(chunks)  # doctest: +SKIP
    """
    if not chunks:
        raise ParameterError("join_features needs at least one chunk")
    for k in range(1, len(chunks)):
        end = chunks[k - 1].end_s
        if end is None or end != chunks[k].start_s:
            raise ParameterError(
                f"chunk {k} starts at {chunks[k].start_s} s but chunk {k - 1} ends at {end} s; "
                "chunks must follow each other without a gap or an overlap"
            )
    full = [c for c in chunks if c.features.n_frames]
    if not full:
        return chunks[0].features
    first = full[0].features
    for chunk in full[1:]:
        if _layout(chunk.features) != _layout(first):
            width, height, n_flash = _layout(chunk.features)
            raise ParameterError(
                f"the chunk {_range(chunk)} was measured at {width}x{height} px with {n_flash} flash "
                f"frames, the first at {first.width}x{first.height} px with {_layout(first)[2]}; "
                "measure every chunk alike"
            )
    joined = FrameFeatures(
        width=first.width,
        height=first.height,
        **{name: np.concatenate([getattr(c.features, name)[c.kept] for c in full]) for name in _PER_FRAME},
    )
    _check_seams(chunks, joined)
    return joined


def _check_seams(chunks: Sequence[FeatureChunk], joined: FrameFeatures) -> None:
    """Check each chunk's context against the joined frames around its range."""
    n_before, n_after = context_frames(joined.flicker_cost.shape[1] // 2)
    join_start = chunks[0].start_s
    join_end = np.inf if chunks[-1].end_s is None else chunks[-1].end_s
    at = 0  # index in ``joined`` of the chunk's first kept frame
    for chunk in chunks:
        kept, own = chunk.kept, chunk.features
        if kept.start == kept.stop:
            continue
        where = f"the chunk {_range(chunk)}"
        # Before its range: the frames it saw inside the joined time are the joined frames there.
        seen = kept.start - min(kept.start, int(np.searchsorted(own.times_s, join_start, "left")))
        if kept.start < min(n_before, at):
            raise MediaError(f"{where} has {kept.start} frames of context before it; it needs {n_before}")
        if seen > at:
            raise MediaError(f"{where} saw {seen - at} frames before it that no chunk kept")
        problem = _mismatch(own, slice(kept.start - seen, kept.start), joined, slice(at - seen, at))
        if problem:
            raise MediaError(f"{where} does not meet the chunk before it: {problem}")
        # After it: likewise.
        at += kept.stop - kept.start
        later = joined.n_frames - at
        have = own.n_frames - kept.stop
        seen = max(0, min(own.n_frames, int(np.searchsorted(own.times_s, join_end, "left"))) - kept.stop)
        if have < min(n_after, later):
            raise MediaError(f"{where} has {have} frames of context after it; it needs {n_after}")
        if seen > later:
            raise MediaError(f"{where} saw {seen - later} frames after it that no chunk kept")
        problem = _mismatch(own, slice(kept.stop, kept.stop + seen), joined, slice(at, at + seen))
        if problem:
            raise MediaError(f"{where} does not meet the chunk after it: {problem}")


def _mismatch(a: FrameFeatures, a_frames: slice, b: FrameFeatures, b_frames: slice) -> str | None:
    """Say how two runs of frames are not the same frames (times, pictures), or None if they are."""
    times_a, times_b = a.times_s[a_frames], b.times_s[b_frames]
    if times_a.size == 0:
        return None
    if not np.array_equal(times_a, times_b):
        missing, extra = np.setdiff1d(times_b, times_a), np.setdiff1d(times_a, times_b)
        if missing.size:
            return f"it lacks the frame at {missing[0]:.6f} s"
        return f"it holds a frame at {extra[0]:.6f} s that the other lacks"
    for name in _FRAME_OWN[1:]:
        values_a, values_b = getattr(a, name)[a_frames], getattr(b, name)[b_frames]
        differ = (values_a != values_b).reshape(len(values_a), -1).any(axis=1)
        if differ.any():
            at_s = times_a[int(np.argmax(differ))]
            return f"their frames at {at_s:.6f} s differ (the video does not decode alike after a seek)"
    return None


def _layout(features: FrameFeatures) -> tuple[int, int, int]:
    """Return what the chunks of one video share: analysis width, height and flash look-back."""
    return features.width, features.height, features.flicker_cost.shape[1] // 2


def _range(chunk: FeatureChunk) -> str:
    end = "the end" if chunk.end_s is None else f"{chunk.end_s:.3f} s"
    return f"{chunk.start_s:.3f} s .. {end}"
