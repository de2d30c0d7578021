"""The part renderer's contract, for every instrument: length, level, DC, clicks, onsets, pan, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.core.score import DRUM_CHANNEL, Note, Part, Score
from sonics.core.tempo import TempoMap
from sonics.music.synth import INSTRUMENTS, render_part, render_score
from sonics.music.synth.render import CEILING_DB

SR = 48_000
NAMES = sorted(INSTRUMENTS)


def _key(name: str) -> int:
    return {"taiko": 36, "cymbals": 49, "low_strings": 43, "koto": 62, "pipa": 69, "dizi": 74}.get(name, 60)


def _phrase(name: str) -> tuple[Note, ...]:
    """Short and long notes, soft and loud, and a full-velocity chord (or a drum pattern)."""
    if name in ("taiko", "cymbals"):
        keys = (36, 41, 38, 37, 45, 35) if name == "taiko" else (49, 51, 52, 55, 57, 42)
        return tuple(Note(0.5 * i, 0.25, keys[i % len(keys)], 127 if i % 3 == 0 else 70) for i in range(12))
    k = _key(name)
    notes = [Note(0.5 * i, 0.4, k + (0, 3, 7, 12)[i % 4], 127 if i % 2 == 0 else 50) for i in range(6)]
    notes += [Note(3.0, 3.0, k + i, 127) for i in (0, 4, 7, 12)]  # a loud four-note chord
    return tuple(notes)


@pytest.mark.parametrize("name", NAMES)
def test_every_instrument_renders_clean_stereo_of_the_exact_length(name: str, m) -> None:
    n = round(4.0 * SR)
    part = Part("p", name, 0, DRUM_CHANNEL if name in ("taiko", "cymbals") else 0, notes=_phrase(name))
    audio = render_part(part, m.ramp_map(), n)
    assert audio.shape == (2, n) and audio.dtype == np.float32
    assert np.all(np.isfinite(audio))
    peak = float(np.abs(audio).max())
    assert 0.05 < peak <= 10 ** (CEILING_DB / 20) + 1e-6  # audible, never clipping
    assert abs(float(audio.mean(dtype=np.float64))) < 1e-3 * peak  # no DC
    assert float(np.abs(audio[:, -1]).max()) < 1e-4 * peak  # faded out at the picture's end
    # a low sawtooth's own corner, once a period, stands ~15 times above the ramp's steps; a cut
    # tail or an unfaded start stands hundreds of times above its neighbourhood
    attacks = [m.onset_sample(m.ramp_map(), note.start_beat) for note in part.notes]
    assert m.max_click_ratio(audio, attacks) < 20.0


@pytest.mark.parametrize("name", NAMES)
def test_a_note_sounds_from_exactly_its_onset_sample(name: str, m) -> None:
    tempo_map = m.ramp_map()
    for beat in (1.37, 7.81):  # on the ramp and after it, on fractional beats
        part = Part("p", name, 0, 0, notes=(Note(beat, 0.6, _key(name), 100),))
        audio = render_part(part, tempo_map, round(6.0 * SR))
        onset = m.onset_sample(tempo_map, beat)
        assert not audio[:, :onset].any()  # silence before it
        assert np.abs(audio[:, onset]).max() > 0  # sound on its own sample
        assert np.abs(audio[:, onset : onset + 2400]).max() > 1e-3 * np.abs(audio).max()  # within 50 ms


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_samples_other_seed_other_samples(name: str, m) -> None:
    part = Part("p", name, 0, 0, notes=_phrase(name)[:4])
    a = render_part(part, m.ramp_map(), SR * 2, seed=3)
    b = render_part(part, m.ramp_map(), SR * 2, seed=3)
    c = render_part(part, m.ramp_map(), SR * 2, seed=4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_pan_and_gain_place_and_scale_the_stem(m) -> None:
    notes = (Note(0.0, 1.0, 48, 100), Note(1.0, 1.0, 55, 100))
    centre = render_part(Part("p", "brass", 61, 0, notes=notes), m.ramp_map(), SR * 2)
    left = render_part(Part("p", "brass", 61, 0, notes=notes, pan=-1.0), m.ramp_map(), SR * 2)
    right = render_part(Part("p", "brass", 61, 0, notes=notes, pan=1.0), m.ramp_map(), SR * 2)
    quiet = render_part(Part("p", "brass", 61, 0, notes=notes, gain_db=-6.0), m.ramp_map(), SR * 2)
    assert not left[1].any() and np.allclose(left[0], centre[0])
    assert not right[0].any() and np.allclose(right[1], centre[1])
    assert np.allclose(quiet, centre * 10 ** (-6 / 20), atol=1e-6)
    assert 0.5 < m.rms(centre[0]) / m.rms(centre[1]) < 2.0  # the section sits in the middle


def test_expression_shapes_level_and_brightness_during_a_note(m) -> None:
    swell = ((0.0, 0.15), (8.0, 1.0))
    part = Part("p", "high_strings", 48, 0, notes=(Note(0.0, 8.0, 67, 127),), expression=swell)
    audio = render_part(part, TempoMap.constant(120.0), SR * 5)
    early, late = audio[:, SR // 2 : SR], audio[:, 3 * SR : int(3.5 * SR)]
    assert m.rms(late) > 4 * m.rms(early)
    assert m.centroid_hz(late) > 1.3 * m.centroid_hz(early)


@pytest.mark.parametrize("name", ["taiko", "koto", "low_strings"])
def test_a_re_struck_key_damps_its_ring_without_a_click(name: str, m) -> None:
    key = _key(name)
    notes = tuple(Note(0.25 * i, 0.25, key, 120) for i in range(8))  # the same key, again and again
    audio = render_part(Part("p", name, 0, 0, notes=notes), TempoMap.constant(120.0), SR * 3)
    attacks = [round(0.125 * i * SR) for i in range(8)]
    assert m.max_click_ratio(audio, attacks) < 20.0


def test_tails_are_cut_at_the_picture_end(m) -> None:
    part = Part("p", "pad", 48, 0, notes=(Note(0.0, 16.0, 57, 127),))  # held past the end
    audio = render_part(part, TempoMap.constant(120.0), SR * 3)
    assert audio.shape == (2, SR * 3)
    assert np.abs(audio[:, -round(0.05 * SR) :]).max() < np.abs(audio[:, -round(0.2 * SR) :]).max()
    assert float(np.abs(audio[:, -1]).max()) < 1e-4


def test_render_score_gives_one_music_stem_per_part_of_the_picture_length() -> None:
    parts = (
        Part("drums", "taiko", 116, DRUM_CHANNEL, notes=(Note(0.0, 0.5, 36), Note(1.0, 0.5, 41))),
        Part("cellos", "low_strings", 42, 0, notes=(Note(0.0, 2.0, 38),)),
    )
    score = Score(TempoMap.constant(140.0), parts, duration_s=2.5104)
    progress = []
    stems = render_score(score, workers=2, on_progress=lambda *a: progress.append(a))
    assert [(s.name, s.role, s.n_samples) for s in stems] == [
        ("music_drums", "music", round(2.5104 * SR)),
        ("music_cellos", "music", round(2.5104 * SR)),
    ]
    assert progress[0] == ("music", 0, 2) and progress[-1] == ("music", 2, 2)
    one = render_score(score, workers=1)
    assert all(np.array_equal(a.audio, b.audio) for a, b in zip(stems, one, strict=True))


def test_the_stems_are_the_same_bytes_for_any_number_of_workers(m) -> None:
    names = ("taiko", "high_strings", "koto", "choir", "pad")
    parts = tuple(
        Part(name, name, 0, DRUM_CHANNEL if name == "taiko" else i, notes=_phrase(name), pan=0.2 * i - 0.4)
        for i, name in enumerate(names)
    )
    score = Score(m.ramp_map(), parts, duration_s=3.0, seed=7)
    one = render_score(score, workers=1, seed=7)
    for workers in (2, 3):  # forked processes (threads where there is no fork)
        other = render_score(score, workers=workers, seed=7)
        assert [s.name for s in other] == [f"music_{name}" for name in names]
        assert all(np.array_equal(a.audio, b.audio) for a, b in zip(one, other, strict=True)), workers


def test_unknown_instrument_and_bad_arguments_fail_clearly() -> None:
    part = Part("p", "theremin", 0, 0, notes=(Note(0.0, 1.0, 60),))
    with pytest.raises(ParameterError, match="unknown instrument 'theremin'; known: brass, choir"):
        render_part(part, TempoMap.constant(120.0), SR)
    with pytest.raises(ParameterError, match=r"sample_rate must be in 32000\.\.192000, got 8000"):
        render_part(Part("p", "pad", 0, 0), TempoMap.constant(120.0), 100, sample_rate=8000)
    with pytest.raises(ParameterError, match="n_samples"):
        render_part(Part("p", "pad", 0, 0), TempoMap.constant(120.0), 0)
    with pytest.raises(ParameterError, match="workers"):
        render_score(Score(TempoMap.constant(120.0), (), duration_s=1.0), workers=0)


def test_an_empty_part_is_silence() -> None:
    audio = render_part(Part("p", "koto", 107, 0), TempoMap.constant(120.0), 1000)
    assert audio.shape == (2, 1000) and not audio.any()


def test_a_note_begun_before_the_picture_fades_in_on_its_first_sample(m) -> None:
    part = Part("p", "high_strings", 48, 0, notes=(Note(-1.0, 4.0, 67, 110),))  # from 0.5 s before
    audio = render_part(part, TempoMap.constant(120.0), SR)
    assert float(np.abs(audio[:, 0]).max()) == 0.0  # the cut head starts from silence
    assert np.abs(audio[:, 200:]).max() > 0.05
    assert m.max_click_ratio(audio) < 20.0
