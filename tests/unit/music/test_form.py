import numpy as np
import pytest

from sonics.core.model import Analysis, Hit
from sonics.core.rng import stage_rng
from sonics.core.tempo import TempoMap
from sonics.music.form import LEVELS, picture_energy, plan_form
from sonics.presets.schema import MusicSettings, SpottingSettings
from sonics.spotting import spot
from sonics.spotting.cues import _silence  # the SFX pass's own choice of the biggest moment
from sonics.spotting.events import find_events


def form_of(analysis: Analysis, tempo_map: TempoMap | None = None, **settings):
    tm = (tempo_map or TempoMap.constant(120.0)).with_hits(analysis.hits())
    return plan_form(tm, analysis, tm.hits, MusicSettings(**settings), stage_rng(0, "music:form"))


def section_at(form, beat: float) -> str:
    return next(s.name for s in form.sections if s.start_beat <= beat < s.end_beat)


def test_energy_is_shot_intensity_and_motion(make_picture):
    analysis = make_picture([(2, "calm"), (2, "tension"), (2, "battle")], motion=[0.0, 0.5, 1.0])
    times, energy = picture_energy(analysis)
    assert times[0] == 0.0 and len(energy) == analysis.picture.n_frames
    np.testing.assert_allclose(energy[[0, 48, 96]], [0.8 * 0.2, 0.8 * 0.55 + 0.1, 1.0])


def test_sections_follow_the_shot_intensity_build_and_fall(battle_picture):
    form = form_of(battle_picture)
    # At 120 BPM a beat is 0.5 s: the middle of each shot, in beats.
    shots = battle_picture.shots
    for shot, expected in zip(shots, ["drone", "ostinato", "battle", "battle", "drone", "ostinato",
                                      "battle", "battle"], strict=False):  # fmt: skip
        middle = shot.start_s + shot.end_s  # seconds * 2 = beats
        assert section_at(form, middle) == expected, shot
    names = [s.name for s in form.sections]
    assert names[0] == "drone" and names[-1] == "coda"
    # Contiguous from the picture's first to its last instant.
    assert form.sections[0].start_beat == form.start_beat == 0.0
    assert form.sections[-1].end_beat == form.end_beat == 2 * battle_picture.picture.duration_s
    assert all(a.end_beat == b.start_beat for a, b in zip(form.sections, form.sections[1:], strict=False))
    levels = [LEVELS.index(s.name) for s in form.sections if s.name in LEVELS]
    assert max(levels) == 2 and 0 in levels[1:]  # it builds to the battle and falls back


def test_short_runs_join_a_neighbour(make_picture):
    # A 2 s tension shot between calm ones is one bar at 120 BPM: no ostinato section of its own.
    analysis = make_picture([(8, "calm"), (2, "tension"), (6, "calm")], motion=0.1)
    quiet = {"sting": False, "silence_before_biggest_s": 0.0}
    assert [s.name for s in form_of(analysis, **quiet).sections] == ["drone"]
    assert [s.name for s in form_of(analysis, **quiet, min_section_bars=1).sections] == [
        "drone", "ostinato", "drone"
    ]  # fmt: skip


def test_intensity_scale_keeps_the_music_low_or_pushes_it_up(make_picture):
    analysis = make_picture([(8, "battle"), (8, "tension")], motion=0.5)
    quiet = {"sting": False, "silence_before_biggest_s": 0.0}
    assert {s.name for s in form_of(analysis, intensity_scale=0.5, **quiet).sections} <= {"drone", "ostinato"}
    assert {s.name for s in form_of(analysis, intensity_scale=2.0, **quiet).sections} == {"battle"}


def test_the_biggest_moment_is_the_one_the_sfx_pass_clears_silence_before(battle_picture):
    form = form_of(battle_picture, silence_before_biggest_s=0.5)
    silence = _silence(
        find_events(battle_picture, SpottingSettings()), SpottingSettings(silence_before_biggest_s=0.5)
    )
    assert form.biggest is not None and abs(form.biggest.time_s - silence.end_s) < 1e-9
    lo, hi = form.silence
    assert hi == form.biggest.beat and hi - lo == pytest.approx(1.0)  # 0.5 s at 120 BPM
    assert section_at(form, lo) == "silence"
    assert spot  # the SFX pass is what the music agrees with


def test_sting_on_the_last_hard_cut_and_the_coda_after_it(battle_picture):
    form = form_of(battle_picture)
    last = max(c.time_s for c in battle_picture.cuts)
    assert form.sting is not None and form.sting.time_s == last
    assert form.body_end_beat == form.sting.beat == 2 * last
    assert form.sections[-1].name == "coda" and form.sections[-1].start_beat == form.sting.beat
    assert form_of(battle_picture, sting=False).sting is None
    assert form_of(battle_picture, sting=False).sections[-1].name != "coda"


def test_risers_lead_into_the_biggest_cuts_and_stop_at_the_silence(battle_picture):
    form = form_of(battle_picture, riser_beats=4.0, riser_min_weight=0.9)
    assert form.risers
    targets = [r.target for r in form.risers]
    assert form.biggest in targets
    for riser in form.risers:
        assert (riser.target.sync and riser.target.size >= 0.9) or riser.target is form.biggest
        end = form.silence[0] if riser.target is form.biggest else riser.target.beat
        assert riser.end_beat == end and riser.end_beat - riser.start_beat == 4.0
    starts = sorted(r.start_beat for r in form.risers)
    ends = sorted(r.end_beat for r in form.risers)
    assert all(s >= e for s, e in zip(starts[1:], ends, strict=False))  # risers never overlap
    assert form_of(battle_picture, riser_beats=0.0).risers == ()


def test_accents_are_sized_by_spotting_and_labelled(battle_picture):
    form = form_of(battle_picture)
    sizes = {e.time_s: e.weight for e in find_events(battle_picture, SpottingSettings()) if e.event == "cut"}
    for accent in form.accents:
        assert accent.label == accent.label.replace(":", " ")
        if accent.kind == "cut":
            assert accent.size == sizes[accent.time_s]
            assert accent.label == f"cut {round(accent.time_s * 24)}"
    assert any(a.label.startswith("impact ") for a in form.accents)


def test_hits_in_the_map_are_used_and_a_picture_without_shots_still_has_a_form(make_picture):
    analysis = make_picture([(4, "calm"), (4, "battle")])
    bare = Analysis(analysis.picture, analysis.frame_times_s, analysis.cuts, (), None)
    tm = TempoMap.constant(100.0).with_hits([Hit(3.0, 1.0, "cut:72")])
    form = plan_form(tm, bare, tm.hits, MusicSettings(), stage_rng(0, "music:form"))
    assert [a.label for a in form.accents] == ["cut 72"]
    assert form.sections[0].name == "ostinato"  # no shots, no motion: tension energy
