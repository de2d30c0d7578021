"""A small generated scene to mix: music, hits, a bed and the cut's own speech, with known truth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

import numpy as np
import pytest
from scipy import signal

from sonics.core.model import Analysis, AudioRegion, Picture
from sonics.core.sound import Stem
from sonics.sfx.generators.impact import BodyImpact
from sonics.sfx.generators.metal import SwordClash
from sonics.testing.audio import speech_track

SR = 48_000
DURATION_S = 20.0
N = round(DURATION_S * SR)
SPEECH_S = ((2.0, 5.0), (12.0, 13.5))
"""Where the cut's own audio speaks [s]: each region is followed by time enough for the slowest
preset's release (aftermath: 0.3 s hold + 5 x 0.8 s)."""
HITS_S = (1.0, 3.5, 6.0, 7.0, 11.0, 16.0)
"""Where the effects hit [s]."""


@dataclass(frozen=True)
class Scene:
    """The stems of one seed; the class constants are the scene's truth."""

    SR: ClassVar[int] = SR
    N: ClassVar[int] = N
    DURATION_S: ClassVar[float] = DURATION_S
    SPEECH_S: ClassVar[tuple[tuple[float, float], ...]] = SPEECH_S

    music: Stem
    hits: Stem
    bed: Stem
    dialogue: np.ndarray
    analysis: Analysis

    @property
    def stems(self) -> list[Stem]:
        return [self.music, self.hits, self.bed]


def _music(rng: np.random.Generator) -> np.ndarray:
    """A D minor pad and plucked notes every quarter second: steady level, sharp onsets."""
    t = np.arange(N) / SR
    pad = sum(np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3)) for f in (146.8, 174.6, 220.0, 293.7))
    plucks = np.zeros(N)
    tail = np.arange(SR // 4) / SR
    for k, start in enumerate(range(0, N - tail.size, SR // 4)):
        f = (293.7, 349.2, 440.0, 587.3)[k % 4]
        plucks[start : start + tail.size] += np.sin(2 * np.pi * f * tail) * np.exp(-tail / 0.08)
    mono = 0.1 * pad + 0.3 * plucks
    return np.stack([mono, np.roll(mono, 24)]).astype(np.float32)


def _hits(rng: np.random.Generator) -> np.ndarray:
    out = np.zeros((2, N), dtype=np.float32)
    for i, time_s in enumerate(HITS_S):
        make = BodyImpact(duration_s=1.0) if i % 2 == 0 else SwordClash(duration_s=1.0)
        sound = make.render(rng, SR).audio[0]
        start = round(time_s * SR)
        stop = min(N, start + sound.size)
        pan = np.array([[0.8], [0.6]]) if i % 2 else np.array([[0.6], [0.8]])
        out[:, start:stop] += (pan * sound[: stop - start]).astype(np.float32)
    return out


def _bed(rng: np.random.Generator) -> np.ndarray:
    sos = signal.butter(2, [200.0, 2000.0], btype="bandpass", fs=SR, output="sos")
    return (0.05 * signal.sosfilt(sos, rng.standard_normal((2, N)), axis=-1)).astype(np.float32)


def make_scene(seed: int = 0) -> Scene:
    rng = np.random.default_rng(seed)
    dialogue = speech_track(DURATION_S, sample_rate=SR, regions=SPEECH_S, seed=seed + 3, level_db=-24.0)
    picture = Picture("cut.mp4", Fraction(24), round(DURATION_S * 24), 320, 180, DURATION_S, has_audio=True)
    regions = tuple(AudioRegion(a, b, "speech", -24.0) for a, b in SPEECH_S)
    analysis = Analysis(picture, np.arange(picture.n_frames) / 24.0, (), (), None, audio_regions=regions)
    return Scene(
        music=Stem("music_score", "music", _music(rng), SR),
        hits=Stem("sfx_impact", "effects", _hits(rng), SR),
        bed=Stem("sfx_wind", "effects", _bed(rng), SR),
        dialogue=dialogue,
        analysis=analysis,
    )


@pytest.fixture(scope="session")
def scene() -> Scene:
    return make_scene()


@pytest.fixture
def scene_factory() -> Callable[[int], Scene]:
    """``scene_factory(seed)``: a fresh scene (for determinism checks)."""
    return make_scene
