"""The written MIDI, read back by two independent readers (pretty_midi and mido)."""

import io
import itertools
import math
from fractions import Fraction
from typing import NamedTuple

import mido
import numpy as np
import pretty_midi
import pytest

from sonics.core.errors import ParameterError
from sonics.core.model import Analysis, Cut, CutKind, Hit, MotionEnvelope, Picture, Shot, ShotIntensity
from sonics.core.score import INSTRUMENTS, Marker, Note, Part, Score
from sonics.core.tempo import TempoMap, TempoSegment
from sonics.export.midi import midi_bytes
from sonics.music import arrange
from sonics.presets.schema import MusicSettings

MS = 1e-3
FPS = 24


def picture(n_frames: int, cut_frames: list[int], kinds: list[str]) -> Analysis:
    bounds = [0, *cut_frames, n_frames]
    shots = tuple(
        Shot(i, a, b, a / FPS, b / FPS, 0.6, 30.0, ShotIntensity(kind))
        for i, ((a, b), kind) in enumerate(zip(itertools.pairwise(bounds), kinds, strict=True))
    )
    values = np.full(n_frames, 0.6)
    cuts = tuple(Cut(f, f / FPS, CutKind.HARD, 1.0) for f in cut_frames)
    pic = Picture("cut.mp4", Fraction(FPS), n_frames, 320, 180, n_frames / FPS)
    return Analysis(pic, np.arange(n_frames) / FPS, cuts, shots, MotionEnvelope(values, values, values))


def ramped_map() -> TempoMap:
    """A pickup of 1.5 beats, 120 BPM, a ramp to 138 over 6 beats, 138, a step down to 131, a ramp to 124."""
    s0 = TempoSegment(0.0, -1.5, 120.0)
    t1 = 0.75 + 10 * 0.5  # beat 10 at 5.75 s
    r1 = 6 * 60.0 / ((120.0 + 138.0) / 2)
    s1 = TempoSegment(t1, 10.0, 120.0, 138.0)
    s2 = TempoSegment(t1 + r1, 16.0, 138.0)
    t3 = t1 + r1 + 12 * 60.0 / 138.0
    s3 = TempoSegment(t3, 28.0, 131.0, 124.0)
    r3 = 8 * 60.0 / ((131.0 + 124.0) / 2)
    s4 = TempoSegment(t3 + r3, 36.0, 124.0)
    return TempoMap((s0, s1, s2, s3, s4), frame_rate=FPS)


def read(data: bytes) -> tuple[pretty_midi.PrettyMIDI, mido.MidiFile]:
    return pretty_midi.PrettyMIDI(io.BytesIO(data)), mido.MidiFile(file=io.BytesIO(data))


def sync_hits(tm: TempoMap, beats: list[float]) -> list[Hit]:
    return [Hit(float(tm.beats_to_seconds(b)), 1.0, f"cut:{k}") for k, b in enumerate(beats)]


class Written(NamedTuple):
    score: Score
    data: bytes
    pm: pretty_midi.PrettyMIDI
    mf: mido.MidiFile


@pytest.fixture(scope="module", params=["constant", "offset", "ramps"])
def written(request):
    """A full score on three maps, and its MIDI file."""
    if request.param == "constant":
        tm = TempoMap.constant(120.0)
    elif request.param == "offset":
        tm = TempoMap.constant(132.0, offset_s=0.37)  # beat 0 (bar 1) after a pickup of 0.81 beats
    else:
        tm = ramped_map()
    beats = [2.0, 8.0, 12.0, 14.0, 17.0, 24.0, 30.0, 31.0, 33.0, 40.0, 47.0]
    hits = sync_hits(tm, beats)
    cut_frames = [round(h.time_s * FPS) for h in hits[1::3]]
    n_frames = round(float(tm.beats_to_seconds(52.3)) * FPS)
    kinds = ["calm", "tension", "battle", "battle", "tension"][: len(cut_frames) + 1]
    analysis = picture(n_frames, cut_frames, kinds)
    score = arrange(tm, analysis, settings=MusicSettings(parts=list(INSTRUMENTS)), hits=hits, seed=4)
    data = midi_bytes(score)
    return Written(score, data, *read(data))


def test_every_track_is_named_and_programmed_and_drums_are_on_channel_10(written):
    score, pm, mf = written.score, written.pm, written.mf
    assert mf.type == 1 and mf.ticks_per_beat == 960
    assert [t.name for t in mf.tracks] == ["conductor", *(p.name for p in score.parts)]
    for track, part in zip(mf.tracks[1:], score.parts, strict=True):
        messages = [m for m in track if not m.is_meta]
        program = next(i for i, m in enumerate(messages) if m.type == "program_change")
        first_note = next(i for i, m in enumerate(messages) if m.type == "note_on")
        assert program < first_note
        assert messages[program].program == part.program and messages[program].channel == part.channel
        assert {m.channel for m in messages} == {part.channel}
        controls = {m.control for m in messages if m.type == "control_change"}
        assert controls == (set() if part.is_drums else {7, 10, 11})
    by_name = {i.name: i for i in pm.instruments}
    assert set(by_name) == {p.name for p in score.parts}
    for part in score.parts:
        inst = by_name[part.name]
        assert inst.program == part.program
        assert inst.is_drum == (part.name in ("taiko", "cymbals"))
        assert len(inst.notes) == len(part.notes)


def test_every_note_is_where_the_tempo_map_puts_it(written):
    score, pm = written.score, written.pm
    by_name = {i.name: i for i in pm.instruments}
    tm = score.tempo_map
    for part in score.parts:
        notes = sorted(by_name[part.name].notes, key=lambda n: (n.start, n.pitch))
        starts = np.array([n.start for n in notes])
        want = np.sort(np.asarray(tm.beats_to_seconds([n.start_beat for n in part.notes])))
        assert np.abs(starts - want).max() < MS, part.name
        assert max(n.end for n in notes) <= score.duration_s + 1e-6


def test_every_beat_of_the_file_is_within_1_ms_of_the_map_and_step_boundaries_are_exact(written):
    score, pm = written.score, written.pm
    tm = score.tempo_map
    first = math.ceil(tm.seconds_to_beats(0.0))
    last = math.floor(tm.seconds_to_beats(score.duration_s))
    want = tm.beat_times(first, last)
    beats = pm.get_beats()
    # pretty_midi derives the beats from the tempo changes and time signatures it reads.
    assert len(beats) >= len(want)
    nearest = np.abs(beats[:, None] - want[None, :]).min(axis=0)
    assert nearest.max() < MS
    # Ramps are written as steps; at each step (and every segment start) the time is the map's.
    changes, _ = pm.get_tempo_changes()
    if any(s.is_ramp for s in tm.segments):
        assert len(changes) > 10
    exact = np.asarray(tm.beats_to_seconds(tm.seconds_to_beats(changes)))
    assert np.abs(changes - exact).max() < 1e-9  # each change sits on a map time...
    grid = [s.start_beat for s in tm.segments if s.start_beat > first]
    for beat in grid:
        tick = int(pm.time_to_tick(float(tm.beats_to_seconds(beat))))
        assert abs(pm.tick_to_time(tick) - tm.beats_to_seconds(beat)) < 20e-6  # ...to microseconds


def test_every_sync_hit_is_within_1_ms_of_a_beat_of_the_written_file(written):
    score, pm = written.score, written.pm
    beats = pm.get_beats()
    sync = [h for h in score.tempo_map.hits if h.sync]
    assert len(sync) == 11
    for hit in sync:
        assert np.abs(beats - hit.time_s).min() < MS, hit


def test_the_file_lasts_exactly_as_long_as_the_picture(written):
    score, pm, mf = written.score, written.pm, written.mf
    assert abs(mf.length - score.duration_s) < 1e-6
    assert all(abs(pm.tick_to_time(sum(m.time for m in t)) - score.duration_s) < 1e-6 for t in mf.tracks)


def test_markers_at_every_hit_and_section_start(written):
    score, pm, mf = written.score, written.pm, written.mf
    markers = []
    tick = 0
    for message in mf.tracks[0]:
        tick += message.time
        if message.type == "marker":
            markers.append((tick, message.text))
    texts = [t for _, t in markers]
    assert texts == [m.text for m in score.markers]
    for (tick, _), marker in zip(markers, score.markers, strict=True):
        assert abs(pm.tick_to_time(tick) - marker.time_s) < MS
    assert any(t.startswith("battle (bar ") for t in texts) and "cut 0" in texts


def test_meter_key_and_pickup(written):
    score, pm, mf = written.score, written.pm, written.mf
    conductor = [m for m in mf.tracks[0] if m.is_meta]
    assert any(m.type == "key_signature" and m.key == "Dm" for m in conductor)
    signatures = [(ts.numerator, ts.denominator, ts.time) for ts in pm.time_signature_changes]
    tm = score.tempo_map
    bar1 = float(tm.beats_to_seconds(0.0))
    assert signatures[-1][:2] == (4, 4) and abs(signatures[-1][2] - bar1) < MS
    downbeats = pm.get_downbeats()
    for bar in range(0, 12):
        assert np.abs(downbeats - tm.beats_to_seconds(4.0 * bar)).min() < MS


def test_same_score_same_bytes(written):
    score, data = written.score, written.data
    assert midi_bytes(score) == data
    assert midi_bytes(score, ticks_per_beat=480) != data


def test_expression_is_written_as_cc11_steps():
    tm = TempoMap.constant(120.0)
    pad = Part(
        "pad", "pad", 49, 0, (Note(0.0, 8.0, 62, 80),), expression=((0.0, 0.0), (4.0, 1.0), (8.0, 0.5))
    )
    _, mf = read(midi_bytes(Score(tm, (pad,), duration_s=4.0)))
    tick, values = 0, []
    for m in mf.tracks[1]:
        tick += m.time
        if m.type == "control_change" and m.control == 11:
            values.append((tick, m.value))
    assert values[0] == (0, 0) and (3840, 127) in values and values[-1][1] == 64
    rising = [v for v in values if v[0] <= 3840]
    assert all(b[1] - a[1] in (1, 2) for a, b in itertools.pairwise(rising))  # in small steps


def test_a_six_eight_score_counts_eighths():
    tm = TempoMap.constant(180.0, numerator=6, denominator=8)  # 180 eighths a minute
    part = Part("taiko", "taiko", 0, 9, tuple(Note(float(b), 0.5, 36, 100) for b in range(0, 12, 3)))
    pm, mf = read(midi_bytes(Score(tm, (part,), duration_s=4.0), ticks_per_beat=960))
    assert [(t.numerator, t.denominator) for t in pm.time_signature_changes] == [(6, 8)]
    # A quarter is 666 666.67 us: the file's whole microseconds keep every beat within a few of it.
    np.testing.assert_allclose([n.start for n in pm.instruments[0].notes], [0.0, 1.0, 2.0, 3.0], atol=1e-5)
    assert abs(mf.length - 4.0) < 1e-6


def test_bad_inputs():
    tm = TempoMap.constant(120.0)
    drums = Part("taiko", "taiko", 0, 9, (Note(0.0, 1.0, 36),))
    score = Score(tm, (drums,), duration_s=2.0, markers=(Marker(1.0, "cut 24"),))
    for bad in (0, 23, 40000, 1.5, True):
        with pytest.raises(ParameterError, match=r"ticks_per_beat must be an integer in 24\.\.32767"):
            midi_bytes(score, ticks_per_beat=bad)
    clash = Part("cymbals", "cymbals", 48, 9, (Note(0.0, 1.0, 49),))
    with pytest.raises(ParameterError, match="share channel 9 but not a program"):
        midi_bytes(Score(tm, (drums, clash), duration_s=2.0))
    early = Score(TempoMap.constant(120.0, offset_s=1.0), (drums,), duration_s=2.0)  # beat 0 at 1 s
    assert midi_bytes(early)
    before = Score(
        TempoMap.constant(120.0, offset_s=1.0), (Part("taiko", "taiko", 0, 9, (Note(-3.0, 1.0, 36),)),), 2.0
    )
    with pytest.raises(ParameterError, match="before the picture"):
        midi_bytes(before)
    thirty_two = TempoMap.constant(120.0, numerator=7, denominator=32)
    with pytest.raises(ParameterError, match="whole ticks per 1/32 note"):
        midi_bytes(Score(thirty_two, (drums,), duration_s=2.0), ticks_per_beat=100)
