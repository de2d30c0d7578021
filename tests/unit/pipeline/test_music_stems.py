"""music_stems: every part's stem in score order, the same bytes however many processes render them."""

from __future__ import annotations

import numpy as np

from sonics.core.score import DRUM_CHANNEL, Note, Part, Score
from sonics.core.tempo import TempoMap
from sonics.music.synth import render_score
from sonics.pipeline.music import music_stems

SR = 48000


def _score() -> Score:
    drums = Part("drums", "taiko", 0, DRUM_CHANNEL, notes=tuple(Note(0.5 * i, 0.25, 36) for i in range(6)))
    cellos = Part("cellos", "low_strings", 42, 0, notes=(Note(0.0, 2.0, 45), Note(2.0, 1.0, 48, 110)))
    koto = Part("koto", "koto", 107, 1, notes=tuple(Note(0.25 * i, 0.25, 62 + i % 5) for i in range(8)))
    return Score(TempoMap.constant(140.0), (drums, cellos, koto), duration_s=1.8, seed=3)


def test_the_stems_come_in_score_order_with_the_same_bytes_for_any_workers():
    score = _score()
    n_samples = round(score.duration_s * SR)
    progress = []
    alone = list(music_stems(score, n_samples, seed=3, workers=1))
    shared = list(music_stems(score, n_samples, seed=3, workers=2, on_progress=lambda *a: progress.append(a)))
    assert [s.name for s in shared] == ["music_drums", "music_cellos", "music_koto"]
    assert progress == [("music", k, 3) for k in range(4)]
    reference = render_score(score, seed=3, workers=1)
    for a, b, c in zip(alone, shared, reference, strict=True):
        assert a.audio.shape == (2, n_samples) and a.audio.any()
        assert np.array_equal(a.audio, b.audio) and np.array_equal(a.audio, c.audio)
