"""Fitting a track to a picture, on generated tracks whose beats, bars and sections are known.

Hits landing on beats are measured on the fitted audio itself, with an energy-rise onset
detector written for the tests (independent of sonics' tracker and stretcher), not read from
the edit list.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from sonics.core.errors import MediaError
from sonics.core.model import Hit
from sonics.music.edit import FitEdit
from sonics.music.fit import FitOptions
from sonics.music.fitter import fit_track
from sonics.music.render import render_fit
from sonics.testing.music import band_track, pad_track
from tests.unit.music.conftest import energy_onsets

RATE = 48000
FPS = Fraction(24)
FRAME_S = 1 / 24


def _cuts(seed: int, duration_s: float) -> tuple[Hit, ...]:
    """Hard cuts after random shot lengths of 0.8-4.5 s, on frames."""
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.uniform(0.8, 4.5, 64))
    frames = np.round(times[times < duration_s - 0.5] * 24).astype(int)
    return tuple(Hit(f / 24, 1.0, f"cut:{f}") for f in frames)


def _onsets_s(audio: np.ndarray) -> np.ndarray:
    return energy_onsets(audio, rise_db=9.0) / RATE


def _max_jump(audio: np.ndarray) -> float:
    return float(np.abs(np.diff(audio.astype(np.float64), axis=1)).max())


@pytest.fixture(scope="module")
def band():
    return band_track(bpm=120.0, form="ABA", bars_per_section=4, seed=1)


@pytest.fixture(scope="module")
def cut_fit(band):
    hits = _cuts(3, 20.0)
    n = round(20.0 * RATE) + 17  # not a whole number of frames' worth of anything
    return hits, n, fit_track(band.audio, RATE, hits, n_samples=n, frame_rate=FPS)


def test_the_fitted_track_is_the_picture_length_to_the_sample(cut_fit):
    _, n, fitted = cut_fit
    assert fitted.audio.shape == (2, n) and fitted.audio.dtype == np.float32
    assert fitted.edit.n_samples == n and fitted.edit.mode == "beats"


def test_anchored_sync_hits_land_on_an_onset_of_the_output_within_one_frame(cut_fit):
    hits, _, fitted = cut_fit
    anchored = [a["time_s"] for a in fitted.edit.info["anchors"] if "hit" in a]
    assert len(anchored) >= len(hits) // 2
    onsets = _onsets_s(fitted.audio)
    misses = [t for t in anchored if np.abs(onsets - t).min() > FRAME_S]
    assert not misses, f"no onset within a frame of {misses}"


def test_more_hits_land_on_beats_after_the_fit_than_before(cut_fit):
    _, _, fitted = cut_fit
    report = fitted.report
    assert report["after"]["share_on_beat"] > report["before"]["share_on_beat"]
    assert report["after"]["n_sync_on_beat"] >= len([a for a in fitted.edit.info["anchors"] if "hit" in a])
    low, high = fitted.edit.info["stretch_range"]
    assert 0.94 - 1e-9 <= low <= high <= 1.06 + 1e-9


def test_the_tempo_map_puts_the_anchored_hits_on_beats(cut_fit):
    _, _, fitted = cut_fit
    anchored = {a["hit"] for a in fitted.edit.info["anchors"] if "hit" in a}
    placed = {h.source: h for h in fitted.tempo_map.hits}
    for source in anchored:
        beat = placed[source].beat
        assert abs(beat - round(beat)) * 60 / 120 * 24 < 0.2  # well within a frame


def test_edit_points_do_not_click(cut_fit, band):
    _, _, fitted = cut_fit
    limit = _max_jump(band.audio)
    for start, end in fitted.edit.crossfades():
        window = fitted.audio[:, max(0, start - 960) : end + 960]
        assert _max_jump(window) <= limit


def test_the_track_ends_with_its_own_ending(cut_fit, band):
    _, _, fitted = cut_fit
    last = fitted.edit.pieces[-1]
    assert last.source_end == pytest.approx(band.n_samples)
    assert band.ending_s * RATE < last.map_in[-1]
    # The ending's final hit (its last downbeat) is heard in the output, ringing to the end.
    tail = np.abs(fitted.audio[:, -RATE // 2 :]).max()
    assert 0 < tail < 0.2


def test_the_edit_list_round_trips_and_renders_the_same_bytes(cut_fit, band):
    _, _, fitted = cut_fit
    again = FitEdit.from_dict(fitted.edit.to_dict())
    assert again.pieces == fitted.edit.pieces
    assert np.array_equal(render_fit(band.audio, again), fitted.audio)


def test_a_far_shorter_track_is_looped_by_bars():
    short = band_track(bpm=126.0, form="AB", bars_per_section=2, seed=4)
    n = round(30.0 * RATE)
    fitted = fit_track(short.audio, RATE, _cuts(5, 30.0), n_samples=n, frame_rate=FPS)
    assert fitted.audio.shape == (2, n)
    assert any("looped by bars" in note for note in fitted.notes)
    assert any(j["kind"] == "repeat" for j in fitted.edit.info["jumps"])
    for start, end in fitted.edit.crossfades():
        assert _max_jump(fitted.audio[:, max(0, start - 960) : end + 960]) <= _max_jump(short.audio)


@pytest.mark.parametrize("seconds", [9.0, 23.5])
def test_a_track_without_a_steady_beat_is_fitted_by_length_only(seconds):
    pad = pad_track(15.0, seed=2)
    n = round(seconds * RATE)
    fitted = fit_track(pad, RATE, _cuts(1, seconds), n_samples=n, frame_rate=FPS)
    assert fitted.audio.shape == (2, n)
    assert fitted.edit.mode == "length"
    assert any("no steady beat" in note for note in fitted.notes)
    assert fitted.edit.pieces[-1].source_end == pytest.approx(pad.shape[1])
    assert _max_jump(fitted.audio) <= _max_jump(pad) * 1.01


def test_a_silent_or_too_short_track_is_refused():
    with pytest.raises(MediaError, match="silent"):
        fit_track(np.zeros((2, RATE * 3), np.float32), RATE, (), n_samples=RATE, frame_rate=FPS, name="x.wav")
    with pytest.raises(MediaError, match="at least"):
        fit_track(np.ones((2, RATE // 4), np.float32) * 0.1, RATE, (), n_samples=RATE, frame_rate=FPS)


def test_options_are_checked():
    with pytest.raises(ValueError, match="max_stretch_pct"):
        FitOptions(max_stretch_pct=40.0)
