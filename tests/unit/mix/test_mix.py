"""The mix stage on a generated scene: loudness targets, true peak, ducking depth, DME stems."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pyloudnorm
import pytest
from scipy import signal

from sonics.core.cues import Cue, CueSheet
from sonics.core.errors import ParameterError
from sonics.core.sound import Stem
from sonics.mix.buses import bed_stem_names
from sonics.mix.mixdown import mix_stems
from sonics.presets.loader import load_preset
from sonics.presets.schema import MixSettings

BATTLE = load_preset("battle").mix
BEDS = {"sfx_wind"}
SR = 48_000
DURATION_S = 20.0  # the scene of conftest.py
N = round(DURATION_S * SR)
SPEECH_S = ((2.0, 5.0), (12.0, 13.5))


def _mix(scene, settings: MixSettings = BATTLE, **kwargs):
    kwargs.setdefault("dialogue", scene.dialogue)
    kwargs.setdefault("analysis", scene.analysis)
    return mix_stems(scene.stems, bed_stems=BEDS, settings=settings, **kwargs)


def _tp_4x_db(audio: np.ndarray) -> float:
    """True peak by an independent reader: scipy's 4x polyphase resampler."""
    return 20 * math.log10(float(np.abs(signal.resample_poly(audio, 4, 1, axis=-1)).max()))


def _rms_db(x: np.ndarray, start_s: float, end_s: float) -> float:
    part = x[:, round(start_s * SR) : round(end_s * SR)].astype(np.float64)
    return 10 * math.log10(float(np.mean(part**2)))


def _bus_gain_db(bus: np.ndarray, raw: np.ndarray, start_s: float, end_s: float) -> float:
    """How far a bus sits above (below) its raw stems over a stretch, by RMS."""
    return _rms_db(bus, start_s, end_s) - _rms_db(raw, start_s, end_s)


# The reference mix: battle's [mix] with bus gains, one weak and one big impact cue.
REFERENCE = replace(
    BATTLE,
    dialogue_gain_db=-3.0,
    music_gain_db=-6.0,
    effects_gain_db=2.0,
    impact_duck_db=-4.0,
    impact_duck_ms=300.0,
)
WEAK_S, BIG_S = 8.0, 9.5  # both well clear of the speech and its release


def _cue_sheet(intensities: dict[float, float]) -> CueSheet:
    cues = [Cue(t, "hit", "impact", "impact", i, 0.5, "test") for t, i in intensities.items()]
    cues.append(Cue(0.0, "bed", "bed", "wind", 1.0, DURATION_S, "bed"))
    return CueSheet(DURATION_S, N, Fraction(24), "test", ("impact", "wind"), tuple(cues))


def _reference(scene):
    return _mix(scene, REFERENCE, cues=_cue_sheet({WEAK_S: 0.5, BIG_S: 0.95}))


@pytest.fixture(scope="module")
def reference(scene):
    return _reference(scene)


# ------------------------------------------------------------------ loudness and peaks


@pytest.mark.parametrize(("loudness", "true_peak_db", "lufs", "ceiling"), [
    ("streaming", 0.0, -14.0, -1.0),
    ("ebu-r128", 0.0, -23.0, -1.0),
    ("atsc", 0.0, -24.0, -2.0),
    ("-16", 0.0, -16.0, -1.0),
    ("-16", -3.0, -16.0, -3.0),  # a ceiling override
])  # fmt: skip
def test_mix_measures_on_target_with_its_true_peak_under_the_ceiling(
    scene, loudness: str, true_peak_db: float, lufs: float, ceiling: float
) -> None:
    result = _mix(scene, replace(BATTLE, loudness=loudness, true_peak_db=true_peak_db))
    assert result.mix.shape == (2, N) and result.mix.dtype == np.float32
    measured = pyloudnorm.Meter(SR).integrated_loudness(result.mix.T.astype(np.float64))
    assert abs(measured - lufs) <= 0.5
    assert abs(measured - lufs) <= 0.1  # what the loop promises
    assert _tp_4x_db(result.mix) < ceiling
    assert result.loudness.true_peak_dbtp < ceiling
    assert result.normalized and not result.warnings
    assert result.target.true_peak_dbtp == ceiling
    if loudness == "streaming":
        # The scene's hits peak high: -14 LUFS needs the limiter, and the loop made up for it.
        assert float(result.curve("limiter").gain_db.min()) < -0.5


# ------------------------------------------------------------------ DME stems


def test_dme_stems_sum_to_the_mix_before_the_limiter(reference) -> None:
    assert [b.name for b in reference.buses] == ["dialogue", "music", "effects"]
    assert [b.role for b in reference.buses] == ["dialogue", "music", "effects"]
    total = np.zeros((2, N), dtype=np.float32)
    for bus in reference.buses:
        assert bus.audio.shape == (2, N) and bus.audio.dtype == np.float32
        total += bus.audio
    assert np.array_equal(total * reference.limiter_gain, reference.mix)
    assert reference.bus_stems == {
        "dialogue": ("dialogue",),
        "music": ("music_score",),
        "effects": ("sfx_impact", "sfx_wind"),
    }


def test_buses_carry_the_loudness_gain_and_the_bus_gains(scene, reference) -> None:
    g = reference.gain_db
    # Before the first speech nothing ducks: a bus is its stems times its gains.
    music = _bus_gain_db(reference.bus("music").audio, scene.music.audio, 0.2, 1.9)
    assert music == pytest.approx(g - 6.0, abs=0.01)
    mono = np.repeat(scene.dialogue, 2, axis=0)
    assert _bus_gain_db(reference.bus("dialogue").audio, mono, 2.0, 5.0) == pytest.approx(g - 3.0, abs=0.01)
    effects = scene.hits.audio + scene.bed.audio
    assert _bus_gain_db(reference.bus("effects").audio, effects, 0.2, 1.9) == pytest.approx(g + 2.0, abs=0.01)


# ------------------------------------------------------------------ ducking


def _speech_depths(result, scene, settings: MixSettings) -> tuple[list[float], list[float]]:
    """Music-bus dips [dB] in the steady part of each speech region, and after each release."""
    attack_s = 10 * settings.duck_attack_ms / 1000
    back_s = (settings.duck_hold_ms + 5 * settings.duck_release_ms) / 1000
    music = result.bus("music").audio
    quiet = _bus_gain_db(music, scene.music.audio, 0.2, 1.9)  # before anything ducks
    inside = [_bus_gain_db(music, scene.music.audio, a + attack_s, b) - quiet for a, b in SPEECH_S]
    after = [
        _bus_gain_db(music, scene.music.audio, b + back_s, b + back_s + 0.3) - quiet for _, b in SPEECH_S
    ]
    return inside, after


def _assert_ducks(result, scene, settings: MixSettings) -> None:
    inside, after = _speech_depths(result, scene, settings)
    assert inside == pytest.approx([settings.duck_depth_db] * 2, abs=1.0)
    assert inside == pytest.approx([settings.duck_depth_db] * 2, abs=0.05)  # it is a gain, not a gate
    assert after == pytest.approx([0.0, 0.0], abs=0.1)


def test_music_dips_by_the_battle_depth_under_speech_and_comes_back(scene, reference) -> None:
    assert (scene.N, scene.SPEECH_S) == (N, SPEECH_S)
    _assert_ducks(reference, scene, REFERENCE)
    assert reference.speech_source == "analysis" and reference.speech_s == SPEECH_S


@pytest.mark.parametrize("preset", ["duel", "aftermath"])
def test_music_dips_by_each_presets_depth(scene, preset: str) -> None:
    settings = load_preset(preset).mix
    _assert_ducks(_mix(scene, settings), scene, settings)


def test_beds_dip_under_speech_and_hits_do_not(scene, reference) -> None:
    effects = reference.bus("effects").audio
    # Between 2.2 s and 3.4 s only the bed sounds (the hit at 1.0 s has died away, the next is at 3.5 s).
    assert np.abs(scene.hits.audio[:, round(2.2 * SR) : round(3.4 * SR)]).max() < 1e-3
    outside = _bus_gain_db(effects, scene.bed.audio, 0.2, 0.9)
    ducked = _bus_gain_db(effects, scene.bed.audio, 2.2, 3.4) - outside
    assert ducked == pytest.approx(REFERENCE.duck_beds_depth_db, abs=0.05)
    # The hit at 3.5 s is not ducked: the effects bus there is the hit plus the ducked bed.
    hits_gain = 10 ** ((reference.gain_db + 2.0) / 20)
    bed_gain = 10 ** ((reference.gain_db + 2.0 + REFERENCE.duck_beds_depth_db) / 20)
    window = slice(round(3.5 * SR), round(3.6 * SR))
    expected = hits_gain * scene.hits.audio[:, window] + bed_gain * scene.bed.audio[:, window]
    assert np.allclose(effects[:, window], expected, atol=2e-4)


def test_speech_is_found_in_the_dialogue_without_an_analysis(scene) -> None:
    result = _mix(scene, BATTLE, analysis=None)
    assert result.speech_source == "dialogue"
    assert len(result.speech_s) == 2
    for (a, b), (found_a, found_b) in zip(SPEECH_S, result.speech_s, strict=True):
        assert abs(found_a - a) < 0.05 and abs(found_b - b) < 0.05
    _assert_ducks(result, scene, BATTLE)


def test_music_dips_under_the_biggest_impacts_only(scene, reference) -> None:
    assert reference.impacts_s == (BIG_S,)
    music = reference.bus("music").audio
    quiet = _bus_gain_db(music, scene.music.audio, 0.2, 1.9)
    dip = _bus_gain_db(music, scene.music.audio, BIG_S, BIG_S + 0.3) - quiet
    assert dip == pytest.approx(-4.0, abs=0.1)
    assert _bus_gain_db(music, scene.music.audio, BIG_S - 0.5, BIG_S - 0.1) - quiet == pytest.approx(
        0.0, abs=0.01
    )
    assert _bus_gain_db(music, scene.music.audio, WEAK_S, WEAK_S + 0.3) - quiet == pytest.approx(
        0.0, abs=0.01
    )
    curve = reference.curve("music")
    assert curve.rate_hz == 100 and curve.gain_db.size == round(DURATION_S * 100)
    steady = curve.gain_db[round(BIG_S * 100) + 1 : round(BIG_S * 100) + 30]
    assert np.allclose(steady - float(curve.gain_db[100]), -4.0, atol=0.05)


# ------------------------------------------------------------------ edge cases


def test_only_music_no_dialogue(scene) -> None:
    result = mix_stems([scene.music], settings=BATTLE)
    assert [b.name for b in result.buses] == ["music", "effects"]
    assert not result.bus("effects").audio.any()
    assert result.speech_source == "none" and result.speech_s == ()
    assert not result.curve("music").gain_db.any()  # nothing ducks
    assert result.loudness.integrated_lufs == pytest.approx(-14.0, abs=0.1)


def test_silence_is_limited_not_normalised(scene) -> None:
    silent = Stem("music_score", "music", np.zeros((2, N), dtype=np.float32), SR)
    result = mix_stems([silent], dialogue=np.zeros((1, N), dtype=np.float32), settings=BATTLE)
    assert not result.normalized and result.gain_db == 0.0
    assert result.warnings and "silent" in result.warnings[0]
    assert not result.mix.any()
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["normalized"] is False and data["measured"]["integrated_lufs"] is None


def test_mix_json_document(reference) -> None:
    data = reference.to_dict()
    assert data["schema"] == "sonics.mix/1"
    text = json.dumps(data, allow_nan=False)  # no NaN or inf anywhere
    assert json.loads(text) == data
    assert data["n_samples"] == N and data["target"]["name"] == "streaming"
    assert data["measured"]["integrated_lufs"] == pytest.approx(-14.0, abs=0.1)
    assert len(data["measured"]["short_term"]["lufs"]) == round(DURATION_S * 10) + 1
    assert [b["name"] for b in data["buses"]] == ["dialogue", "music", "effects"]
    assert data["ducking"]["speech_s"] == [list(s) for s in SPEECH_S]
    assert data["ducking"]["impacts_s"] == [BIG_S] and data["ducking"]["beds"] == ["sfx_wind"]
    assert set(data["curves"]) == {"music", "beds", "limiter"}


def test_same_input_same_bytes(scene_factory, reference) -> None:
    a, b = _reference(scene_factory(0)), reference
    assert np.array_equal(a.mix, b.mix)
    assert all(np.array_equal(x.audio, y.audio) for x, y in zip(a.buses, b.buses, strict=True))
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())


def test_bed_stems_from_a_preset_are_its_bed_layers() -> None:
    names = bed_stem_names(load_preset("battle").sfx)
    assert names and all(n.startswith("sfx_") for n in names)
    assert "sfx_hooves" in names and "sfx_army_roar" in names


def test_bad_input_and_settings_raise_parameter_errors(scene) -> None:
    for bad in (
        {"duck_depth_db": 3.0},
        {"loudness": "loud"},
        {"duck_attack_ms": 0.0},
        {"impact_min_intensity": 2.0},
        {"true_peak_db": 1.0},
    ):
        with pytest.raises(ParameterError):
            MixSettings(**bad)
    short = Stem("music_short", "music", np.zeros((2, N - 1), dtype=np.float32), SR)
    with pytest.raises(ParameterError, match="one length"):
        mix_stems([scene.music, short])
    with pytest.raises(ParameterError, match="role"):
        mix_stems([Stem("x", "foley", scene.music.audio, SR)])
    with pytest.raises(ParameterError, match="bed_stems"):
        mix_stems(scene.stems, bed_stems={"sfx_nothing"})
    with pytest.raises(ParameterError, match="Hz"):
        mix_stems([Stem("music_score", "music", scene.music.audio, 44100)])
    with pytest.raises(ParameterError, match="at least one"):
        mix_stems([])
    with pytest.raises(ParameterError, match="named"):
        mix_stems([scene.music, scene.music])
    with pytest.raises(ParameterError, match="dialogue"):
        mix_stems([scene.music], dialogue=np.zeros((3, N), dtype=np.float32))
    with pytest.raises(ParameterError, match="settings"):
        mix_stems([scene.music], settings=load_preset("battle"))  # type: ignore[arg-type]
