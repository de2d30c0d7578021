"""A small delivery with known truth, shared by the project-file tests.

96 frames at 24000/1001 from 01:00:00:00; hard cuts at frames 24 and 48, a dissolve at 72, an
impact at 30 and one on the cut at 48, a flash at 60; whoosh cues on the cuts, a clang on 48;
a 120 BPM tempo map whose sync hits are the hard cuts and the impacts (weight >= 0.8). Five
stems: dialogue, two music parts, one effect (with a space in its path) and the full mix.

Fixtures
--------
delivery : Delivery
    That delivery.
truth : SimpleNamespace
    Its constants (``RATE``, ``N_FRAMES``, ``N_SAMPLES``, ``VIDEO``, ``MARKER_FRAMES``) and
    builders (``make_delivery(start_timecode, **changes)``, ``ntsc_delivery(start_timecode,
    n_frames, markers)``, ``make_picture(rate, n_frames, path)``, ``make_analysis``,
    ``make_cues``, ``make_stems``).
"""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from sonics.core.cues import Cue, CueKind, CueSheet
from sonics.core.model import Analysis, Cut, CutKind, Flash, Impact, Picture
from sonics.core.tempo import TempoMap
from sonics.export.delivery import Delivery, StemFile, delivery_markers

RATE = Fraction(24000, 1001)
N_FRAMES = 96
N_SAMPLES = N_FRAMES * 2002  # 96 frames of 1001/24000 s at 48 kHz, exactly
VIDEO = "/footage/battle cut.mp4"
MARKER_FRAMES = (24, 30, 48, 60, 72)


def frame_s(frame: int) -> float:
    return float(Fraction(frame) / RATE)


def make_analysis(path: str = VIDEO) -> Analysis:
    return Analysis(
        picture=make_picture(path=path),
        frame_times_s=np.arange(N_FRAMES) / float(RATE),
        cuts=(
            Cut(24, frame_s(24)),
            Cut(48, frame_s(48), CutKind.HARD, 0.9),
            Cut(72, frame_s(72), CutKind.DISSOLVE, 0.7, 68, 76),
        ),
        shots=(),
        motion=None,
        impacts=(Impact(30, frame_s(30), 0.9), Impact(48, frame_s(48), 0.85)),
        flashes=(Flash(60, frame_s(60), 2, 0.6),),
    )


def make_cues() -> CueSheet:
    def hit(frame: int, layer: str) -> Cue:
        return Cue(frame_s(frame), CueKind.HIT, "cut", layer, 0.8, 0.5, f"{layer} on the cut")

    cues = (hit(24, "whoosh"), hit(48, "whoosh"), hit(48, "clang"), hit(72, "whoosh"))
    bed = Cue(0.0, CueKind.BED, "bed", "wind", 0.5, frame_s(N_FRAMES), "wind bed")
    return CueSheet(frame_s(N_FRAMES), N_SAMPLES, RATE, "battle", ("whoosh", "clang", "wind"), (*cues, bed))


def make_stems() -> tuple[StemFile, ...]:
    return (
        StemFile("sfx_whoosh", "effects", "stems/sfx whoosh.wav", N_SAMPLES),
        StemFile("music_drums", "music", "stems/music_drums.wav", N_SAMPLES),
        StemFile("dialogue", "dialogue", "mix/dialogue.wav", N_SAMPLES),
        StemFile("music_strings", "music", "stems/music_strings.wav", N_SAMPLES),
        StemFile("mix", "mix", "mix/mix.wav", N_SAMPLES),
    )


def make_delivery(start_timecode: str = "01:00:00:00", **changes) -> Delivery:
    analysis = make_analysis()
    tempo = TempoMap.constant(120.0, frame_rate=RATE).with_hits(analysis.hits())
    markers = delivery_markers(analysis, cues=make_cues(), tempo_map=tempo)
    fields = {"start_timecode": start_timecode, "tempo_map": tempo, **changes}
    return Delivery(analysis.picture, make_stems(), markers, **fields)


def make_picture(rate: Fraction = RATE, n_frames: int = N_FRAMES, path: str = VIDEO) -> Picture:
    return Picture(path, rate, n_frames, 320, 180, float(n_frames / rate), True)


def ntsc_delivery(start_timecode: str = "01:00:00;00", n_frames: int = N_FRAMES, markers=()) -> Delivery:
    """The stems over a picture at 30000/1001 (drop-frame timecode when written with ';')."""
    return Delivery(make_picture(Fraction(30000, 1001), n_frames), make_stems(), markers, start_timecode)


@pytest.fixture
def delivery() -> Delivery:
    return make_delivery()


@pytest.fixture
def truth() -> SimpleNamespace:
    return SimpleNamespace(
        RATE=RATE,
        N_FRAMES=N_FRAMES,
        N_SAMPLES=N_SAMPLES,
        VIDEO=VIDEO,
        MARKER_FRAMES=MARKER_FRAMES,
        frame_s=frame_s,
        make_analysis=make_analysis,
        make_cues=make_cues,
        make_stems=make_stems,
        make_delivery=make_delivery,
        make_picture=make_picture,
        ntsc_delivery=ntsc_delivery,
    )
