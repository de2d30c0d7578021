"""Beat, downbeat and section tracking on generated tracks with known truth."""

from __future__ import annotations

import numpy as np
import pytest

from sonics.music.beats import track_beats
from sonics.music.sections import bar_features, bar_similarity, find_sections
from sonics.testing.music import band_track, pad_track

RATE = 48000


@pytest.mark.parametrize(("bpm", "meter", "lead_s"), [(120.0, 4, 0.05), (97.0, 4, 0.4), (141.0, 3, 0.0)])
def test_beats_and_downbeats_are_found_within_10_ms(bpm, meter, lead_s):
    truth = band_track(bpm=bpm, meter=meter, form="ABA", bars_per_section=4, lead_s=lead_s, seed=2)
    track = track_beats(truth.audio, RATE)
    assert track.steady and track.meter == meter
    assert track.bpm == pytest.approx(bpm, rel=0.01)
    inside = (track.beat_times_s >= truth.beat_times_s[0] - 0.01) & (
        track.beat_times_s <= truth.ending_s + 0.01
    )
    found = track.beat_times_s[inside]
    assert found.size == truth.beat_times_s.size
    assert np.abs(found - truth.beat_times_s).max() < 0.010
    downbeats = track.downbeat_times_s
    near = np.abs(downbeats[:, None] - truth.downbeat_times_s[None, :]).min(axis=1)
    assert np.all(near[downbeats <= truth.ending_s] < 0.010)


def test_music_without_a_beat_and_noise_are_not_steady():
    assert not track_beats(pad_track(15.0, seed=3), RATE).steady
    noise = np.random.default_rng(1).standard_normal((2, 12 * RATE)).astype(np.float32) * 0.1
    assert not track_beats(noise, RATE).steady


def test_sections_are_found_and_labelled_a_b_a_b():
    truth = band_track(bpm=124.0, form="ABAB", bars_per_section=8, seed=3)
    track = track_beats(truth.audio, RATE)
    sections = find_sections(bar_similarity(bar_features(track)))
    starts = [s.start_bar for s in sections]
    labels = [s.label for s in sections]
    assert starts[:4] == [0, 8, 16, 24]
    assert labels[:4] == ["A", "B", "A", "B"]
