"""How alike the bars of a track are, and its sections (verse, chorus...) from that.

A bar is described by what each of its beats sounds like: chroma (harmony), MFCC (timbre)
and level, standardised over the track and laid beat after beat, so two bars match when the
same chords and sounds fall on the same beats. The bar self-similarity matrix is the
cosine between those vectors (negative values count as 0).

Sections follow Foote (2000): a checkerboard kernel slid along the diagonal of the
self-similarity matrix peaks where the bars before and after a point are alike among
themselves but unlike each other. A section whose bars match an earlier section's bar for
bar (the mean similarity of bar ``i`` of one to bar ``i`` of the other) takes its label (A B A).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sonics.music.beats import BeatTrack

__all__ = ["Section", "bar_features", "bar_similarity", "find_sections"]

_KERNEL_BARS = 4
_SAME_SECTION = 0.6


@dataclass(frozen=True, slots=True)
class Section:
    """A run of bars ``[start_bar, end_bar)`` and its label (sections alike share one)."""

    start_bar: int
    end_bar: int
    label: str


def bar_features(track: BeatTrack) -> np.ndarray:
    """Return one feature vector per whole bar: per-beat chroma, MFCC and level, standardised.

    Parameters
    ----------
    track : BeatTrack
        From :func:`~sonics.music.beats.track_beats`.

    Returns
    -------
    ndarray, float64, shape (n_bars, meter * 26)
        Row ``j`` describes bar ``j`` (beats ``first_downbeat + j * meter`` onwards).
    """
    per_beat = np.vstack([track.chroma, track.mfcc[1:], track.level_db[None, :] / 10.0]).T
    mean = per_beat.mean(axis=0)
    std = per_beat.std(axis=0) + 1e-6
    standard = (per_beat - mean) / std
    # Timbre and harmony weigh alike whatever their number of coefficients.
    standard[:, :12] /= np.sqrt(12.0)
    standard[:, 12:24] /= np.sqrt(12.0)
    rows = [
        standard[
            track.first_downbeat + j * track.meter : track.first_downbeat + (j + 1) * track.meter
        ].ravel()
        for j in range(track.n_bars)
    ]
    return np.asarray(rows, dtype=np.float64).reshape(track.n_bars, -1)


def bar_similarity(features: np.ndarray) -> np.ndarray:
    """Return the bar self-similarity matrix: cosine of the feature vectors, clipped to [0, 1].

    Parameters
    ----------
    features : ndarray, shape (n_bars, n_features)
        From :func:`bar_features`.

    Returns
    -------
    ndarray, float64, shape (n_bars, n_bars)
        Symmetric; 1 on the diagonal (for a bar with any feature).
    """
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    unit = features / np.maximum(norms, 1e-12)
    return np.clip(unit @ unit.T, 0.0, 1.0)


def _novelty(similarity: np.ndarray, half: int) -> np.ndarray:
    n = similarity.shape[0]
    taper = np.exp(-0.5 * ((np.arange(-half, half) + 0.5) / (0.5 * half)) ** 2)
    sign = np.sign(np.arange(-half, half) + 0.5)
    kernel = np.outer(sign * taper, sign * taper)
    padded = np.pad(similarity, half, mode="edge")
    return np.array([np.sum(kernel * padded[i : i + 2 * half, i : i + 2 * half]) for i in range(n + 1)])


def find_sections(similarity: np.ndarray, *, kernel_bars: int = _KERNEL_BARS) -> tuple[Section, ...]:
    """Split the bars into sections where the self-similarity changes, and label them.

    Parameters
    ----------
    similarity : ndarray, shape (n_bars, n_bars)
        From :func:`bar_similarity`.
    kernel_bars : int >= 1
        Half-width of the checkerboard kernel [bars]; sections shorter than it are not found.

    Returns
    -------
    tuple of Section
        Covering bars ``0 .. n_bars`` in order; labels ``"A"``, ``"B"``... by first
        appearance. A single section for fewer than two kernels of bars.

    Examples
    --------
    >>> s = np.kron(np.array([[1.0, 0.1, 1.0], [0.1, 1.0, 0.1], [1.0, 0.1, 1.0]]), np.ones((4, 4)))
    >>> [(x.start_bar, x.label) for x in find_sections(s)]
    [(0, 'A'), (4, 'B'), (8, 'A')]
    """
    n = similarity.shape[0]
    if n < 2 * kernel_bars:
        return (Section(0, n, "A"),) if n else ()
    novelty = _novelty(similarity, kernel_bars)
    peaks = [
        i
        for i in range(kernel_bars // 2, n - kernel_bars // 2 + 1)
        if novelty[i] == novelty[max(0, i - kernel_bars // 2) : i + kernel_bars // 2 + 1].max()
        and novelty[i] > 0.5 * novelty.max()
        and 0 < i < n
    ]
    bounds = [0, *peaks, n]
    labels: list[str] = []
    for i, (a, b) in enumerate(itertools.pairwise(bounds)):
        best, best_sim = None, _SAME_SECTION
        for j in range(i):
            c, d = bounds[j], bounds[j + 1]
            sim = float(np.diagonal(similarity[a:b, c:d]).mean())
            if sim >= best_sim:
                best, best_sim = labels[j], sim
        labels.append(best if best is not None else chr(ord("A") + len(set(labels))))
    return tuple(Section(a, b, label) for a, b, label in zip(bounds[:-1], bounds[1:], labels, strict=True))
