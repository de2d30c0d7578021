import json

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.core.model import Hit
from sonics.core.score import DRUM_CHANNEL, INSTRUMENTS, DrumKey, Score
from sonics.core.tempo import TempoMap
from sonics.music import SCALES, Scale, arrange
from sonics.presets import load_preset
from sonics.presets.builtin import builtin_presets
from sonics.presets.schema import MusicSettings

ALL = list(INSTRUMENTS)
MS = 1e-3


def seconds(score: Score, beats) -> np.ndarray:
    return np.atleast_1d(score.tempo_map.beats_to_seconds(np.asarray(beats, dtype=float)))


def spans(score: Score, part) -> tuple[np.ndarray, np.ndarray]:
    starts = seconds(score, [n.start_beat for n in part.notes])
    ends = seconds(score, [n.end_beat for n in part.notes])
    return starts, ends


def onsets_near(score: Score, part, time_s: float, tol_s: float = MS) -> list:
    starts, _ = spans(score, part)
    return [n for n, s in zip(part.notes, starts, strict=True) if abs(s - time_s) <= tol_s]


@pytest.fixture
def full_score(battle_picture) -> Score:
    return arrange(TempoMap.constant(120.0), battle_picture, settings=MusicSettings(parts=ALL), seed=3)


@pytest.fixture
def ramp_score(battle_picture, ramped_map) -> Score:
    # Hits on beats of a map with a pickup, a ramp and three tempos, all sync.
    beats = [3.0, 15.0, 19.0, 23.0, 31.0, 40.0, 47.0, 60.0]
    hits = [Hit(float(ramped_map.beats_to_seconds(b)), 1.0, f"cut:{round(b)}") for b in beats]
    return arrange(ramped_map, battle_picture, settings=MusicSettings(parts=ALL), hits=hits, seed=5)


def test_one_part_per_instrument_named_programmed_and_on_its_channel(full_score, battle_picture):
    names = [p.name for p in full_score.parts]
    assert names == ALL
    melodic = [p.channel for p in full_score.parts if p.name not in ("taiko", "cymbals")]
    assert len(set(melodic)) == len(melodic) and DRUM_CHANNEL not in melodic
    for part in full_score.parts:
        assert part.instrument == part.name
        assert part.program == INSTRUMENTS[part.name]
        assert part.notes, part.name
        assert part.is_drums == (part.name in ("taiko", "cymbals"))
        if part.is_drums:
            assert part.expression == ()
            assert {n.pitch for n in part.notes} <= {int(k) for k in DrumKey}
    programs = {"dizi": 77, "koto": 105, "taiko": 48, "cymbals": 48}
    settings = MusicSettings(parts=["koto", "dizi", "taiko", "cymbals"], gm_programs=programs)
    score = arrange(TempoMap.constant(120.0), battle_picture, settings=settings)
    assert {p.name: p.program for p in score.parts} == programs


@pytest.mark.parametrize("which", ["full_score", "ramp_score"])
def test_nothing_sounds_outside_the_picture(which, request, battle_picture):
    score = request.getfixturevalue(which)
    assert score.duration_s == battle_picture.picture.duration_s == 56.0
    for part in score.parts:
        starts, ends = spans(score, part)
        assert starts.min() >= -1e-9, part.name
        assert ends.max() <= score.duration_s + 1e-9, part.name


@pytest.mark.parametrize("which", ["full_score", "ramp_score"])
def test_silence_before_the_biggest_moment_then_the_hit(which, request):
    score = request.getfixturevalue(which)
    form_silence = next(s for s in score.sections if s.name == "silence")
    lo, hi = seconds(score, [form_silence.start_beat, form_silence.end_beat])
    assert hi - lo == pytest.approx(0.5, abs=1e-9)  # MusicSettings.silence_before_biggest_s
    for part in score.parts:
        starts, ends = spans(score, part)
        sounding = (starts < hi - 1e-9) & (ends > lo + 1e-9)
        assert not sounding.any(), (part.name, starts[sounding], ends[sounding])
    # The hit: the drums, the brass and the low strings strike together on the biggest moment.
    for name in ("taiko", "cymbals", "brass", "low_strings", "choir"):
        assert onsets_near(score, score.part(name), hi, 1e-9), name
    assert max(n.velocity for n in onsets_near(score, score.part("taiko"), hi)) == 127


def test_brass_and_cymbals_on_every_sync_hit(full_score, ramp_score):
    for score in (full_score, ramp_score):
        sync = [h for h in score.tempo_map.hits if h.sync]
        assert len(sync) >= 6
        for hit in sync:
            brass = onsets_near(score, score.part("brass"), hit.time_s)
            cymbals = [n for n in onsets_near(score, score.part("cymbals"), hit.time_s)
                       if n.pitch in (DrumKey.CRASH, DrumKey.CRASH_2, DrumKey.CHINA)]  # fmt: skip
            assert len(brass) >= 3 and cymbals, hit
            big = [
                n for n in onsets_near(score, score.part("taiko"), hit.time_s) if n.pitch == DrumKey.TAIKO_BIG
            ]
            assert big, hit


def test_a_sting_on_the_last_cut_rings_to_the_end(full_score, battle_picture):
    last_s = max(c.time_s for c in battle_picture.cuts)
    tonic = Scale("D", "minor").tonic
    for name in (
        "taiko",
        "cymbals",
        "low_strings",
        "brass",
        "pad",
        "choir",
        "high_strings",
        "koto",
        "pipa",
        "dizi",
    ):
        notes = onsets_near(full_score, full_score.part(name), last_s)
        assert notes, name
        if name not in ("taiko", "cymbals"):
            assert notes[0].pitch % 12 == tonic, name  # the sting is the tonic chord
    end_beat = full_score.tempo_map.seconds_to_beats(full_score.duration_s)
    pad = full_score.part("pad")
    assert max(n.end_beat for n in pad.notes) == pytest.approx(end_beat)
    assert pad.expression[-1] == (pytest.approx(end_beat), 0.0)  # faded to nothing at the last frame
    coda = full_score.sections[-1]
    assert coda.name == "coda" and seconds(full_score, coda.start_beat)[0] == pytest.approx(last_s)


@pytest.mark.parametrize("mode", list(SCALES))
def test_every_pitched_note_is_in_the_mode(mode, battle_picture):
    key = "E" if mode in ("jue", "phrygian") else "D"
    score = arrange(TempoMap.constant(126.0, offset_s=0.3), battle_picture,
                    settings=MusicSettings(key=key, mode=mode, parts=ALL), seed=11)  # fmt: skip
    scale = Scale(key, mode)
    for part in score.parts:
        if part.is_drums:
            continue
        outside = sorted({n.pitch for n in part.notes if not scale.contains(n.pitch)})
        assert outside == [], (part.name, outside)
        assert all(0 <= n.pitch <= 127 for n in part.notes)


def test_the_music_builds_with_the_picture(full_score):
    """Busier and louder in battle than in the ostinato, and in the ostinato than in the drone."""

    def density(name: str) -> float:
        spans_ = [(s.start_beat, s.end_beat) for s in full_score.sections if s.name == name]
        n_beats = sum(b - a for a, b in spans_)
        notes = [
            n for p in full_score.parts for n in p.notes if any(a <= n.start_beat < b for a, b in spans_)
        ]
        return len(notes) / n_beats

    assert density("drone") < density("ostinato") < density("battle")
    taiko = full_score.part("taiko")

    def drum_loudness(name: str) -> float:
        spans_ = [(s.start_beat, s.end_beat) for s in full_score.sections if s.name == name]
        total = sum(n.velocity for n in taiko.notes if any(a <= n.start_beat < b for a, b in spans_))
        return total / sum(b - a for a, b in spans_)

    assert drum_loudness("drone") < drum_loudness("ostinato") < drum_loudness("battle")


def test_markers_at_every_hit_and_section(full_score):
    texts = {(round(m.time_s, 6), m.text) for m in full_score.markers}
    for hit in full_score.tempo_map.hits:
        kind, _, frame = hit.source.partition(":")
        assert (round(hit.time_s, 6), f"{kind} {frame}") in texts
    for section in full_score.sections:
        bar, _ = full_score.tempo_map.bar_and_beat(section.start_beat)
        start = round(float(max(0.0, full_score.tempo_map.beats_to_seconds(section.start_beat))), 6)
        assert (start, f"{section.name} (bar {bar})") in texts
    times = [m.time_s for m in full_score.markers]
    assert times == sorted(times)


def test_same_seed_same_bytes_other_seed_other_notes(battle_picture):
    def score_json(seed: int) -> bytes:
        score = arrange(
            TempoMap.constant(120.0), battle_picture, settings=MusicSettings(parts=ALL), seed=seed
        )
        return json.dumps(score.to_dict(), sort_keys=True).encode()

    assert score_json(7) == score_json(7)
    assert score_json(7) != score_json(8)
    a = json.loads(score_json(7))
    b = json.loads(score_json(8))
    assert a["sections"] == b["sections"]  # the picture decides the form; the seed only the variation
    assert [p["notes"] for p in a["parts"]] != [p["notes"] for p in b["parts"]]


def test_score_json_round_trip(ramp_score):
    data = ramp_score.to_dict()
    again = Score.from_dict(json.loads(json.dumps(data)))
    assert again.to_dict() == data
    assert [h.sync for h in again.tempo_map.hits] == [h.sync for h in ramp_score.tempo_map.hits]


def test_notes_on_hits_are_not_humanised(battle_picture):
    settings = MusicSettings(parts=["brass", "taiko"], humanize_ms=30, humanize_velocity=30)
    score = arrange(TempoMap.constant(120.0), battle_picture, settings=settings, seed=1)
    for hit in score.tempo_map.hits:
        if hit.sync:
            assert onsets_near(score, score.part("brass"), hit.time_s, 1e-9)
    # Pattern notes do move (by up to 30 ms), so not every onset sits on the sixteenth grid.
    grid = np.array([n.start_beat * 4 for n in score.part("taiko").notes])
    assert np.abs(grid - np.round(grid)).max() > 0.01


@pytest.mark.parametrize("meter", [(3, 4), (6, 8), (7, 8), (5, 4)])
def test_other_meters(meter, battle_picture):
    tm = TempoMap.constant(150.0 if meter[1] == 8 else 100.0, numerator=meter[0], denominator=meter[1])
    score = arrange(tm, battle_picture, settings=MusicSettings(parts=ALL), seed=2)
    breaks = ("silence", "coda")
    after_a_break = {s.end_beat for s in score.sections if s.name in breaks}
    levels = [s for s in score.sections if s.name not in breaks and s.start_beat not in after_a_break]
    assert all(s.start_beat % meter[0] == 0 for s in levels)  # sections begin on bar lines
    taiko = score.part("taiko")
    bigs = [n.start_beat % meter[0] for n in taiko.notes if n.pitch == DrumKey.TAIKO_BIG]
    assert min(bigs) == pytest.approx(0.0, abs=0.02)


def test_an_aftermath_palette_without_drums_or_a_sting(make_picture):
    picture = make_picture([(10, "calm"), (10, "tension"), (10, "calm")], motion=0.2)
    settings = MusicSettings(key="G", mode="yu", parts=["pad", "dizi", "low_strings"], sting=False,
                             intensity_scale=0.5, riser_beats=0.0, silence_before_biggest_s=0.0)  # fmt: skip
    score = arrange(TempoMap.constant(72.0), picture, settings=settings)
    assert {s.name for s in score.sections} <= {"drone", "ostinato"}
    end = score.tempo_map.seconds_to_beats(score.duration_s)
    for part in score.parts:
        assert part.expression[-1] == (pytest.approx(end), 0.0)
        assert part.expression[-2][0] < end - 1  # faded over the last bar


def test_every_builtin_presets_music_arranges(battle_picture):
    for name in builtin_presets():
        music = load_preset(name).music
        score = arrange(TempoMap.constant(120.0), battle_picture, settings=music, seed=1)
        assert [p.name for p in score.parts] == list(music.parts)
        assert all(p.notes for p in score.parts), name


def test_bad_seed():
    with pytest.raises(ParameterError, match="seed must be an integer"):
        arrange(TempoMap.constant(120.0), None, seed=-1)  # type: ignore[arg-type]


def test_accents_off_strikes_no_hit(battle_picture):
    tm = TempoMap.constant(100.0)  # the cuts fall inside bars
    on = arrange(tm, battle_picture, settings=MusicSettings(parts=ALL))
    off = arrange(tm, battle_picture, settings=MusicSettings(parts=ALL, accents=False))
    sync = [h for h in on.tempo_map.hits if h.sync and h.time_s != max(c.time_s for c in battle_picture.cuts)]
    inside_bars = [h for h in sync if abs(h.beat % 4) > 0.01]
    assert inside_bars
    for hit in inside_bars:
        assert onsets_near(on, on.part("brass"), hit.time_s)
        crashes = (DrumKey.CRASH, DrumKey.CRASH_2, DrumKey.CHINA)
        assert not [n for n in onsets_near(off, off.part("cymbals"), hit.time_s) if n.pitch in crashes]
        drums = onsets_near(off, off.part("taiko"), hit.time_s)
        assert not [n for n in drums if n.pitch == DrumKey.TAIKO_BIG]
    assert [s.name for s in on.sections] == [s.name for s in off.sections]
