"""Find Tempo: planted tempos come out on top, chance does not win, the table reads right."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.core.model import Analysis, Cut, Hit, Picture
from sonics.core.rng import stage_rng
from sonics.core.tempo import TempoMap
from sonics.tempo import fit_tempo, score_tempo
from sonics.testing.tempo import planted_hits


def _planted(bpm, *, n_hits=60, n_beats=200, seed=0, frame_rate=24, offset_s=0.7, jitter=1.5, meter=(4, 4)):
    """Hits on random beats of a constant tempo, each within ``jitter`` frames of its beat."""
    truth = TempoMap.constant(
        bpm, offset_s=offset_s, numerator=meter[0], denominator=meter[1], frame_rate=frame_rate
    )
    rng = stage_rng(seed, "test:beats")
    beats = np.sort(rng.choice(np.arange(n_beats), n_hits, replace=False)).astype(float)
    return truth, planted_hits(truth, beats, np.ones(n_hits), seed=seed, jitter_frames=jitter)


@pytest.mark.parametrize("seed", range(5))
def test_cuts_on_beats_at_132_bpm_with_a_frame_of_jitter_put_132_on_top(seed):
    _, hits = _planted(132.0, seed=seed)
    best = fit_tempo(hits, min_bpm=40, max_bpm=220, step_bpm=0.01, frame_rate=24)[0]
    assert best.bpm == pytest.approx(132.0, abs=0.3)
    assert best.n_caught >= 0.75 * best.n_hits


@pytest.mark.parametrize(
    ("bpm", "frame_rate", "meter", "subdivision"),
    [
        (97.0, 24, (4, 4), 2),
        (148.5, 25, (3, 4), 2),
        (171.0, Fraction(30000, 1001), (4, 4), 1),
        (84.0, Fraction(24000, 1001), (5, 4), 2),
        (198.0, 30, (6, 8), 2),  # 6/8: the tempo counts eighth notes
        (62.0, 24, (4, 4), 4),
    ],
)
def test_other_planted_tempos_meters_and_frame_rates_are_found(bpm, frame_rate, meter, subdivision):
    _, hits = _planted(bpm, frame_rate=frame_rate, meter=meter, seed=3)
    table = fit_tempo(
        hits, min_bpm=40, max_bpm=220, frame_rate=frame_rate, meter=meter, subdivision=subdivision
    )
    assert table[0].bpm == pytest.approx(bpm, abs=0.3)
    assert (table[0].numerator, table[0].denominator, table[0].subdivision) == (*meter, subdivision)


@pytest.mark.parametrize("meter", [(4, 4), (3, 4), (7, 8)])
def test_bar_one_is_where_the_hits_on_downbeats_say(meter):
    bpm, offset_s = 120.0, 0.75
    truth = TempoMap.constant(bpm, offset_s=offset_s, numerator=meter[0], frame_rate=24)
    bars = np.arange(0, 30, dtype=float) * meter[0]  # every downbeat, weight 1
    off = np.arange(0, 30 * meter[0], dtype=float)
    off = off[off % meter[0] != 0][::3]  # some other beats, lighter
    hits = planted_hits(truth, bars, np.ones(bars.size), jitter_frames=0.5) + planted_hits(
        truth, off, np.full(off.size, 0.4), jitter_frames=0.5, seed=1
    )
    best = fit_tempo(hits, min_bpm=100, max_bpm=140, frame_rate=24, meter=meter)[0]
    assert best.bpm == pytest.approx(bpm, abs=0.05)
    bar_s = meter[0] * 60.0 / bpm
    assert best.offset_s == pytest.approx(offset_s % bar_s, abs=1 / 48)


def test_a_fast_tempo_does_not_win_by_chance():
    # Hits on 100 BPM beats plus random cuts: the double and other fast tempos catch as many
    # hits by accident (their grids are dense), but the chance correction ranks 100 first.
    for seed in range(4):
        rng = stage_rng(seed, "test:noise")
        _, beats = _planted(100.0, n_hits=30, n_beats=100, seed=seed)
        noise = [Hit(float(f) / 24, 1.0, "noise") for f in rng.integers(0, 24 * 60, 20)]
        table = fit_tempo([*beats, *noise], min_bpm=60, max_bpm=240, frame_rate=24)
        assert table[0].bpm == pytest.approx(100.0, abs=0.3), [c.bpm for c in table[:3]]
        double = score_tempo([*beats, *noise], 200.0, frame_rate=24)
        assert double.weight_caught >= table[0].weight_caught - 1  # it does catch about as much
        assert double.score < table[0].score


def test_random_hits_do_not_pile_up_at_the_fast_end_of_the_range():
    # Without chance correction the best "tempo" of random cuts is almost always near the top
    # of the range. With it, the winners spread over the range and score low.
    tops, scores = [], []
    for seed in range(12):
        rng = stage_rng(seed, "test:random")
        times = np.sort(rng.integers(0, 24 * 60, 40)) / 24
        best = fit_tempo(times.tolist(), min_bpm=60, max_bpm=200, step_bpm=0.05, frame_rate=24)[0]
        tops.append(best.bpm)
        scores.append(best.score)
    assert np.median(tops) < 150.0, tops
    assert sum(t > 170 for t in tops) <= 5, tops
    assert max(scores) < 0.25, scores


def test_hits_on_132_rank_132_above_its_half_whose_eighths_are_the_same_lines():
    _, hits = _planted(132.0, seed=11, jitter=0.5)
    table = fit_tempo(hits, min_bpm=60, max_bpm=140, frame_rate=24)
    assert table[0].bpm == pytest.approx(132.0, abs=0.1)
    assert any(c.bpm == pytest.approx(66.0, abs=0.2) for c in table[1:])


def test_the_table_row_describes_its_hits():
    _, hits = _planted(120.0, n_hits=40, seed=2, jitter=0.5)
    best = fit_tempo(hits, min_bpm=100, max_bpm=140, frame_rate=24, top=3)[0]
    assert best.n_hits == 40 and best.weight_total == 40.0
    assert best.n_caught == 40 and best.weight_caught == 40.0 and best.n_near == 0
    assert len(best.frames_off) == 40 and max(abs(f) for f in best.frames_off) <= 1.0 + 1e-6
    assert best.median_frames_off <= 0.5
    assert 0 < best.weight_chance < best.weight_total
    assert best.score == pytest.approx(1.0, abs=0.5) and best.score <= 1.0
    again = score_tempo(hits, best.bpm, frame_rate=24)
    assert again.n_caught == best.n_caught and again.score == pytest.approx(best.score)


def test_distinct_tempos_top_and_slower_first_on_ties():
    _, hits = _planted(120.0, n_hits=40, seed=5)
    table = fit_tempo(hits, min_bpm=60, max_bpm=200, frame_rate=24, top=8)
    assert len(table) == 8
    bpms = [c.bpm for c in table]
    assert all(abs(a - b) > 0.005 * min(a, b) for i, a in enumerate(bpms) for b in bpms[i + 1 :])
    assert [c.score for c in table] == sorted((c.score for c in table), reverse=True)


def test_input_forms_agree_and_an_analysis_brings_its_frame_rate():
    times = [i * 60 / 110 for i in range(0, 60, 3)]
    a = fit_tempo(times, min_bpm=90, max_bpm=130, frame_rate=1000)[0]
    b = fit_tempo([(t, 1.0) for t in times], min_bpm=90, max_bpm=130, frame_rate=1000)[0]
    c = fit_tempo([Hit(t, 1.0, "x") for t in reversed(times)], min_bpm=90, max_bpm=130, frame_rate=1000)[0]
    assert a == b == c
    rate = Fraction(25)
    frames = [round(t * 25) for t in times[1:]]
    picture = Picture("x.mp4", rate, 25 * 40, 320, 180, 40.0)
    cuts = tuple(Cut(f, f / 25) for f in frames)
    analysis = Analysis(picture, np.arange(1000) / 25, cuts, (), None)
    assert fit_tempo(analysis, min_bpm=90, max_bpm=130)[0].bpm == pytest.approx(110.0, abs=0.3)


def test_no_hits_or_no_weight_give_an_empty_table():
    assert fit_tempo([]) == ()
    assert fit_tempo([(1.0, 0.0), (2.0, 0.0)]) == ()
    assert score_tempo([], 120.0) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_bpm": 0}, r"min_bpm must be > 0, got 0"),
        ({"min_bpm": 150, "max_bpm": 100}, r"max_bpm must be >= min_bpm \(150\), got 100"),
        ({"step_bpm": 0}, r"step_bpm must be > 0, got 0"),
        ({"step_bpm": 1e-6}, r"over a million tempos; use a larger step_bpm"),
        ({"tolerance_frames": -1}, r"tolerance_frames must be >= 0, got -1"),
        ({"subdivision": 0}, r"subdivision must be an integer in 1..16, got 0"),
        ({"meter": (4,)}, r"meter must be \(numerator, denominator\), e.g. \(4, 4\), got \(4,\)"),
        ({"top": 0}, r"top must be an integer >= 1, got 0"),
        ({"frame_rate": "abc"}, "frame rate"),
    ],
)
def test_bad_options_raise_parameter_error_with_the_rule_and_the_value(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        fit_tempo([1.0, 2.0, 3.0], **kwargs)


@pytest.mark.parametrize(
    ("hits", "message"),
    [
        (["soon"], r"a hit must be a Hit, a time in seconds or \(time_s, weight\), got 'soon'"),
        ([float("nan")], r"hit times must be finite numbers of seconds, got nan"),
        ([(1.0, -0.5)], r"hit weights must be finite and >= 0, got -0.5"),
        (42, r"hits must be an iterable of hits, got int"),
    ],
)
def test_bad_hits_raise_parameter_error(hits, message):
    with pytest.raises(ParameterError, match=message):
        fit_tempo(hits)
    with pytest.raises(ParameterError, match=message):
        score_tempo(hits, 120.0)


def test_score_tempo_refuses_a_bad_tempo():
    with pytest.raises(ParameterError, match=r"min_bpm must be > 0, got -3"):
        score_tempo([1.0], -3)
