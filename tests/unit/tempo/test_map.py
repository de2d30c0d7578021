"""The tempo map: sync hits exactly on beats, bounded changes, held tempos, planted maps recovered."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.core.model import Analysis, Cut, Hit, Picture
from sonics.core.rng import stage_rng
from sonics.core.tempo import TempoMap, TempoSegment
from sonics.presets.schema import TempoSettings
from sonics.tempo import fit_tempo, map_tempo, score_tempo
from sonics.testing.tempo import planted_hits, random_cut_frames, random_cut_hits

FPS = 24


def check_map(m: TempoMap, settings: TempoSettings, duration_s: float) -> None:
    """Assert what every map must be: whole, bounded, held, every sync hit on a beat or reported."""
    first = m.segments[0]
    assert first.start_s == 0.0
    assert -m.numerator < first.start_beat <= 0.0  # bar 1 starts within the first bar
    bpms = [s.bpm for s in m.segments] + [s.end_bpm for s in m.segments]
    assert settings.min_bpm - 1e-9 <= min(bpms) and max(bpms) <= settings.max_bpm + 1e-9
    assert m.segments[-1].start_s < duration_s
    changes = np.abs(m.tempo_changes())
    assert changes.size == 0 or changes.max() <= settings.max_change_pct / 100 + 1e-9
    bars = m.segment_bars(duration_s)
    for s, n_bars in zip(m.segments, bars, strict=True):
        if s.is_ramp:
            assert settings.allow_ramps and n_bars <= settings.max_ramp_bars + 1e-9
        else:
            assert n_bars >= settings.min_hold_bars - 1e-9
    for a, b in zip(m.segments, m.segments[1:], strict=False):
        assert abs(b.start_beat - round(b.start_beat)) < 1e-9  # tempo changes fall on beats
        assert not (a.is_ramp and b.is_ramp)  # a ramp reaches a held tempo
    # Every sync hit sits within 1 ms of its nearest beat, or the map says it does not.
    sync = [h for h in m.hits if h.sync]
    times = np.array([h.time_s for h in sync])
    if sync:
        nearest = np.round(np.asarray(m.seconds_to_beats(times)))
        error_s = np.abs(np.asarray(m.beats_to_seconds(nearest)) - times)
        off = {(h.time_s, h.source) for h, e in zip(sync, error_s, strict=True) if e > 1e-3}
        assert off == {(h.time_s, h.source) for h in m.off_beat_sync()}
    assert len(m.warnings) == len(m.off_beat_sync())


def _truth_4_4() -> TempoMap:
    """120 BPM; a ramp to 126 over bars 9-10; 126 held; a step down to 120.5 at bar 19; 4/4."""
    ramp_s = 32 * 0.5
    ramp_end_s = ramp_s + 8 * 60 / 123
    step_s = ramp_end_s + 32 * 60 / 126
    return TempoMap(
        (
            TempoSegment(0.0, -1.0, 120.0),
            TempoSegment(ramp_s + 0.5, 32.0, 120.0, 126.0),
            TempoSegment(ramp_end_s + 0.5, 40.0, 126.0),
            TempoSegment(step_s + 0.5, 72.0, 120.5),
        ),
        frame_rate=FPS,
    )


def _truth_3_4() -> TempoMap:
    """3/4 at 25 fps: 96 BPM, a step to 100 at bar 9, a step to 97 at bar 21."""
    return TempoMap(
        (
            TempoSegment(0.0, -0.4, 96.0),
            TempoSegment(24.4 * 60 / 96, 24.0, 100.0),
            TempoSegment(24.4 * 60 / 96 + 36 * 60 / 100, 60.0, 97.0),
        ),
        numerator=3,
        frame_rate=25,
    )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("make_truth", [_truth_4_4, _truth_3_4])
def test_a_planted_tempo_map_is_recovered_beat_for_beat(seed, make_truth):
    truth = make_truth()
    bar = truth.numerator
    duration_s = float(truth.beats_to_seconds(118.0))
    rng = stage_rng(seed, "test:planted-map")
    beats = np.sort(rng.choice(np.arange(0, 118), 45, replace=False)).astype(float)
    beats = np.union1d(beats, np.arange(0, 118, 4 * bar, dtype=float))  # a sync hit every 4 bars
    weights = np.where(beats % (4 * bar) == 0, 1.0, 0.5)
    hits = planted_hits(truth, beats, weights, seed=seed, jitter_frames=1.0)
    settings = TempoSettings(meter=f"{bar}/4")
    m = map_tempo(hits, settings=settings, frame_rate=truth.frame_rate, duration_s=duration_s)
    check_map(m, settings, duration_s)
    assert m.warnings == ()
    times = np.array([h.time_s for h in hits])
    found = np.round(np.asarray(m.seconds_to_beats(times)))
    shift = found - beats
    assert np.all(shift == shift[0]), "the beats between hits differ from the truth"
    assert shift[0] % bar == 0, "the bar lines moved"
    # Between hits the two maps cover the same beats in the same time; the tempo at a hit
    # differs only where one map changes a few beats before the other.
    ratio = np.asarray(m.bpm_at(times)) / np.asarray(truth.bpm_at(times))
    assert np.median(np.abs(ratio - 1)) < 0.01 and np.abs(ratio - 1).max() < 0.06
    assert m.caught(1.0).mean() >= 0.9  # the truth catches them all


@pytest.mark.parametrize("seed", range(3))
def test_random_cuts_land_on_the_eighth_grid_of_the_map_and_not_of_one_tempo(seed):
    duration_s = 90.0
    frames = random_cut_frames(seed, duration_s=duration_s)
    hits = random_cut_hits(frames, FPS, seed=seed)
    settings = TempoSettings()
    m = map_tempo(hits, settings=settings, frame_rate=FPS, duration_s=duration_s)
    check_map(m, settings, duration_s)
    assert m.warnings == ()
    assert any(h.sync for h in m.hits)
    cut_s = frames / FPS
    on_grid = np.abs(m.frames_off(cut_s)) <= 1.0 + 1e-6
    assert on_grid.mean() >= 0.9
    # One constant tempo: chance puts about a third of random cuts on its eighths, at its
    # best phase it catches about half, and the best tempo of the sweep not much more.
    typical = [score_tempo(hits, bpm, frame_rate=FPS) for bpm in (90.0, 100.0, 110.0)]
    assert all(0.25 <= c.weight_chance / c.weight_total <= 0.4 for c in typical)
    assert np.mean([c.n_caught / c.n_hits for c in typical]) <= 0.6
    best = fit_tempo(hits, min_bpm=settings.min_bpm, max_bpm=settings.max_bpm, frame_rate=FPS)[0]
    one = np.abs(best.tempo_map(FPS).frames_off(cut_s)) <= 1.0 + 1e-6
    assert one.mean() <= 0.75 and on_grid.mean() - one.mean() >= 0.2


def test_a_picture_one_tempo_catches_keeps_one_tempo():
    # Cuts every 12 frames of 120 BPM at 24 fps lie exactly on beats: nothing to bend.
    beats = np.array([2, 6, 7, 11, 16, 18, 23, 28, 30, 35, 40, 44, 47, 52, 56, 60], dtype=float)
    hits = [Hit(b * 0.5, 1.0 if b % 8 == 0 else 0.5, f"cut:{int(b * 12)}") for b in beats]
    m = map_tempo(hits, frame_rate=FPS, duration_s=32.0)
    assert len(m.segments) == 1 and m.segments[0].bpm == pytest.approx(120.0, abs=0.01)
    assert m.caught(0.0).all()
    check_map(m, TempoSettings(), 32.0)


def test_sync_hits_prefer_downbeats_where_it_costs_little():
    on_down = {}
    for prefer in (True, False):
        settings = TempoSettings(prefer_downbeats=prefer)
        share = []
        for seed in range(3):
            frames = random_cut_frames(seed + 10, duration_s=45.0)
            hits = random_cut_hits(frames, FPS, seed=seed, big_after_s=3.5)
            m = map_tempo(hits, settings=settings, frame_rate=FPS, duration_s=45.0)
            beats = np.array([h.beat for h in m.hits if h.sync])
            share.append(np.mean(np.abs(beats / 4 - np.round(beats / 4)) < 1e-6))
        on_down[prefer] = np.mean(share)
    assert on_down[True] >= 0.5 and on_down[True] > on_down[False]


def test_a_sync_hit_the_limits_cannot_reach_is_reported_not_missed_silently():
    # Two sync hits 7 frames apart: no tempo near 120 puts both on beats, and no change is
    # allowed between them (a tempo holds two bars).
    hits = [Hit(2.0, 1.0, "cut:48"), Hit(2.0 + 7 / FPS, 0.9, "cut:55"), Hit(6.0, 0.5, "cut:144")]
    settings = TempoSettings(min_bpm=100, max_bpm=140)
    m = map_tempo(hits, settings=settings, frame_rate=FPS, duration_s=10.0)
    check_map(m, settings, 10.0)
    missed = m.off_beat_sync()
    assert len(missed) == 1 and len(m.warnings) == 1
    assert missed[0].source in m.warnings[0]
    assert "cannot land on a beat within 6% tempo changes held 2 bars" in m.warnings[0]
    assert "00:00:02" in m.warnings[0]


@pytest.mark.parametrize(
    "settings",
    [
        TempoSettings(max_change_pct=2.0, min_hold_bars=4.0),
        TempoSettings(allow_ramps=False, subdivision=4, tolerance_frames=0.5),
        TempoSettings(meter="7/8", min_bpm=150, max_bpm=300, max_ramp_bars=1.0, sync_weight=0.9),
        TempoSettings(max_change_pct=0.0),
    ],
)
def test_every_setting_is_a_limit_the_map_keeps(settings):
    frames = random_cut_frames(4, duration_s=60.0)
    hits = random_cut_hits(frames, FPS, seed=4)
    m = map_tempo(hits, settings=settings, frame_rate=FPS, duration_s=60.0)
    check_map(m, settings, 60.0)
    assert (m.numerator, m.denominator, m.subdivision) == (*settings.meter_tuple, settings.subdivision)
    if settings.max_change_pct == 0:
        assert len(m.segments) == 1
    if not settings.allow_ramps:
        assert not any(s.is_ramp for s in m.segments)


def test_the_same_hits_give_the_same_map():
    frames = random_cut_frames(2, duration_s=45.0)
    hits = random_cut_hits(frames, FPS, seed=2)
    a = map_tempo(hits, frame_rate=FPS, duration_s=45.0).to_dict()
    b = map_tempo(list(reversed(hits)), frame_rate=FPS, duration_s=45.0).to_dict()
    assert a == b


def test_a_given_start_tempo_an_analysis_and_no_hits():
    m = map_tempo([(1.0, 0.5), (3.0, 0.5)], frame_rate=FPS, duration_s=8.0, bpm=96.0)
    assert m.segments[0].bpm == 96.0
    empty = map_tempo([], frame_rate=FPS, duration_s=8.0)
    assert len(empty.segments) == 1 and 70 <= empty.segments[0].bpm <= 170 and empty.hits == ()
    picture = Picture("x.mp4", Fraction(25), 250, 320, 180, 10.0)
    analysis = Analysis(picture, np.arange(250) / 25, (Cut(50, 2.0), Cut(150, 6.0)), (), None)
    m = map_tempo(analysis)
    assert m.frame_rate == 25 and [h.source for h in m.hits] == ["cut:50", "cut:150"]
    check_map(m, TempoSettings(), 10.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hits": [12.0]}, r"hit at 12.000 s \(no source\) is outside the picture \(0 to 10.000 s\)"),
        ({"hits": [Hit(-1.0, 1.0, "cut:x")]}, r"hit at -1.000 s \(cut:x\) is outside the picture"),
        ({"frame_rate": None}, r"map_tempo needs the picture's frame_rate"),
        ({"duration_s": None}, r"map_tempo needs the picture's duration_s"),
        ({"duration_s": 0.0}, r"duration_s must be > 0, got 0.0"),
        ({"bpm": 300.0}, r"bpm must be in 70..170, got 300.0"),
        ({"settings": {"min_bpm": 90}}, r"settings must be TempoSettings, got dict"),
        ({"hits": ["soon"]}, r"a hit must be a Hit, a time in seconds or \(time_s, weight\)"),
    ],
)
def test_bad_input_raises_parameter_error_saying_what_is_wrong(kwargs, message):
    options = {"hits": [1.0, 2.0], "frame_rate": FPS, "duration_s": 10.0, **kwargs}
    hits = options.pop("hits")
    with pytest.raises(ParameterError, match=message):
        map_tempo(hits, **options)
