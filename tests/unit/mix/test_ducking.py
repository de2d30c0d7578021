"""Which moments duck, and the gain curves they give, on hand-made cues and regions."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from sonics.core.cues import Cue, CueSheet
from sonics.core.model import Analysis, AudioRegion, Impact, Picture
from sonics.mix.ducking import duck_curves, impact_times, spans_to_key, speech_spans
from sonics.presets.schema import MixSettings

SR = 48_000


def _analysis(**kwargs) -> Analysis:
    picture = Picture("cut.mp4", Fraction(24), 240, 320, 180, 10.0)
    return Analysis(picture, np.arange(240) / 24, (), (), None, **kwargs)


def test_biggest_impacts_come_from_strong_hit_cues_on_transient_events() -> None:
    cues = (
        Cue(1.0, "hit", "impact", "impact", 0.9, 0.5, ""),
        Cue(1.0, "hit", "cut", "boom", 1.0, 2.0, ""),  # same moment, another layer: one dip
        Cue(2.0, "hit", "swell", "whoosh", 1.0, 1.0, ""),  # a swell is no impact
        Cue(3.0, "hit", "flash", "impact", 0.86, 0.5, ""),
        Cue(4.0, "hit", "cut", "impact", 0.5, 0.5, ""),  # too weak
        Cue(0.0, "bed", "bed", "wind", 1.0, 10.0, ""),
    )
    sheet = CueSheet(10.0, 10 * SR, Fraction(24), "t", ("impact", "boom", "whoosh", "wind"), cues)
    assert impact_times(sheet, None, 0.85) == (1.0, 3.0)
    # Without a cue sheet the analysis impacts stand in; with neither there are none.
    analysis = _analysis(impacts=(Impact(24, 1.0, 0.9), Impact(48, 2.0, 0.2)))
    assert impact_times(None, analysis, 0.85) == (1.0,)
    assert impact_times(sheet, analysis, 0.85) == (1.0, 3.0)
    assert impact_times(None, None, 0.0) == ()


def test_speech_comes_from_the_analysis_first() -> None:
    regions = (AudioRegion(1.0, 2.0, "speech", -20.0), AudioRegion(3.0, 4.0, "sound", -20.0))
    assert speech_spans(_analysis(audio_regions=regions), None, SR) == (((1.0, 2.0),), "analysis")
    assert speech_spans(None, None, SR) == ((), "none")
    assert speech_spans(None, np.zeros((2, SR)), SR) == ((), "dialogue")


def test_key_is_sample_exact() -> None:
    key = spans_to_key([(0.5, 1.0), (-1.0, 0.1), (9.9, 20.0)], 10 * SR, SR)
    assert key[0] == 1.0 and key[round(0.1 * SR) - 1] == 1.0 and key[round(0.1 * SR)] == 0.0
    assert key[24000 - 1] == 0.0 and key[24000] == 1.0 and key[48000 - 1] == 1.0 and key[48000] == 0.0
    assert key[-1] == 1.0 and key.sum() == round(0.1 * SR) + 24000 + round(0.1 * SR)


def test_impact_dip_adds_to_the_speech_dip_and_is_in_place_when_the_hit_lands() -> None:
    settings = MixSettings(
        duck_depth_db=-9.0, duck_beds_depth_db=-6.0, impact_duck_db=-3.0, impact_duck_ms=200.0
    )
    curves = duck_curves(6 * SR, SR, settings, speech_s=((1.0, 3.0),), impacts_s=(2.0, 5.5))
    music, beds = curves.music_db, curves.beds_db
    assert music.dtype == np.float32 and music.shape == (6 * SR,)
    assert music[2 * SR] == pytest.approx(-12.0, abs=0.03)  # speech and impact together
    # Impact alone (the speech dip released 7 time constants ago): 5 attack times in at the hit.
    assert music[round(5.5 * SR)] == pytest.approx(-3.0 * (1 - math.exp(-5)), abs=0.02)
    assert music[round(5.7 * SR)] == pytest.approx(-3.0, abs=0.02)
    assert beds[2 * SR] == pytest.approx(-6.0, abs=1e-3)  # beds ignore impacts
    assert music[round(0.9 * SR)] == 0.0 and beds[round(0.9 * SR)] == 0.0


def test_nothing_to_duck_and_a_disabled_impact_dip() -> None:
    curves = duck_curves(SR, SR, MixSettings(), impacts_s=())
    assert not curves.music_db.any() and not curves.beds_db.any()
    off = duck_curves(SR, SR, MixSettings(impact_duck_db=0.0), impacts_s=(0.5,))
    assert not off.music_db.any()
