"""Acceptance: the percussion stems have their onsets where the notes say (+-5 ms), on a ramping tempo."""

from __future__ import annotations

import numpy as np

from sonics.core.score import DRUM_CHANNEL, Note, Part, Score
from sonics.music.synth import render_score

SR = 48_000
TOLERANCE = round(0.005 * SR)


def _pattern() -> tuple[tuple[Note, ...], tuple[Note, ...]]:
    """Eight bars of a battle pattern across the ramp (140 -> 150 BPM over the first 4 s)."""
    rng = np.random.default_rng(11)
    drums, cymbals = [], []
    for bar in range(4):
        b0 = 4.0 * bar
        for step in range(8):  # eighth notes, a drum on each
            key = (36, 37, 41, 38, 35, 45, 43, 40)[step]
            drums.append(Note(b0 + 0.5 * step, 0.5, key, int(rng.integers(70, 128))))
        cymbals += [Note(b0, 2.0, (49, 52, 55, 57)[bar], 120), Note(b0 + 2.0, 1.0, 51, 100)]
    return tuple(drums), tuple(cymbals)


def test_percussion_onsets_land_where_the_notes_say_on_a_ramping_tempo(m) -> None:
    drums, cymbals = _pattern()
    tempo_map = m.ramp_map()
    score = Score(
        tempo_map,
        (
            Part("drums", "taiko", 116, DRUM_CHANNEL, notes=drums),
            Part("cymbals", "cymbals", 0, DRUM_CHANNEL, notes=cymbals),
        ),
        duration_s=8.0,
    )
    for stem, notes in zip(render_score(score), (drums, cymbals), strict=True):
        expected = np.array([m.onset_sample(tempo_map, n.start_beat) for n in notes])
        found = m.energy_onsets(stem.audio)
        assert found.size == expected.size, stem.name  # every stroke, and nothing else
        assert np.max(np.abs(found - expected)) <= TOLERANCE, stem.name
        # the transient starts on the note's own sample: silence up to it, sound from it
        first = expected[0]
        assert not stem.audio[:, :first].any() and np.abs(stem.audio[:, first]).max() > 0
