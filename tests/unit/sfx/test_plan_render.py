"""Planning and rendering an SFX pass: every sync point lands on its sample, and the plan repeats."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import soundfile

from sonics.core.cues import Cue, CueKind, CueSheet
from sonics.core.errors import MediaError, ParameterError, PresetError
from sonics.core.sfxplan import SfxPlan
from sonics.io.samples import open_sample_library
from sonics.presets import parse_preset
from sonics.sfx.generators import GENERATORS
from sonics.sfx.plan import plan_sfx
from sonics.sfx.render import premix, render_sfx

SR = 48_000


def _preset(*layers: str, extra: str = "") -> object:
    text = 'schema = 1\nname = "test"\n' + extra + "".join(f"\n[[sfx.layers]]\n{layer}\n" for layer in layers)
    return parse_preset(text, "test.toml")


WHOOSH = 'name = "whoosh"\nevents = ["cut"]\ngenerator = "whoosh"\ngain_db = -6.0\nduration_s = [0.6, 0.9]'
IMPACT = 'name = "impact"\nevents = ["impact"]\ngenerator = "impact"\ngain_db = -6.0\nduration_s = [0.3, 0.5]'


def _sheet(cues: list[Cue], layers: tuple[str, ...], n_samples: int = 5 * SR) -> CueSheet:
    return CueSheet(n_samples / SR, n_samples, Fraction(24), "test", layers, tuple(cues))


def _hit(time_s: float, layer: str, intensity: float = 1.0, duration_s: float = 0.5) -> Cue:
    return Cue(time_s, CueKind.HIT, "cut", layer, intensity, duration_s, "test")


def _first_loud(stem: np.ndarray, start: int, stop: int, fraction: float = 1e-3) -> int:
    """Onset measured here, independently: the first sample in [start, stop) above a fraction of the peak."""
    magnitude = np.max(np.abs(stem[:, start:stop]), axis=0)
    return start + int(np.argmax(magnitude > fraction * magnitude.max()))


def _peak(stem: np.ndarray, start: int, stop: int) -> int:
    """Loudness peak measured here, independently: the centre of the loudest 10 ms (by convolution)."""
    power = np.mean(stem[:, start:stop].astype(np.float64) ** 2, axis=0)
    energy = np.convolve(power, np.ones(480), mode="same")
    return start + int(np.argmax(energy))


def test_each_hit_onset_lands_on_its_cue_sample():
    times_s = [0.5, 1.25, 2.0 + 1 / 24, 3.3333]
    sheet = _sheet([_hit(t, "impact", 0.6 + 0.1 * i) for i, t in enumerate(times_s)], ("impact",))
    plan = plan_sfx(sheet, _preset(IMPACT), seed=3)
    (stem,) = render_sfx(plan)
    for t in times_s:
        cue_sample = round(t * SR)
        assert _first_loud(stem.audio, cue_sample - SR // 4, cue_sample + SR // 10) == cue_sample


def test_each_whoosh_peaks_on_its_cue_sample():
    times_s = [1.0, 2.5, 4.0]
    sheet = _sheet([_hit(t, "whoosh", duration_s=0.8) for t in times_s], ("whoosh",))
    (stem,) = render_sfx(plan_sfx(sheet, _preset(WHOOSH), seed=5))
    for t in times_s:
        cue_sample = round(t * SR)
        assert abs(_peak(stem.audio, cue_sample - SR // 2, cue_sample + SR // 2) - cue_sample) <= 1


def test_stems_are_the_pictures_exact_length_and_sounds_are_cut_at_the_ends():
    n_samples = 2 * SR + 7
    sheet = _sheet([_hit(0.05, "whoosh"), _hit(1.99, "impact")], ("whoosh", "impact"), n_samples)
    stems = render_sfx(plan_sfx(sheet, _preset(WHOOSH, IMPACT), seed=1))
    assert [s.name for s in stems] == ["sfx_whoosh", "sfx_impact"]
    assert all(s.audio.shape == (2, n_samples) and s.sample_rate == SR for s in stems)
    # the whoosh started before the picture and the impact rings past its end: both are cut there
    assert np.abs(stems[0].audio[:, :10]).min() > 0
    assert np.abs(stems[1].audio[:, -10:]).min() > 0


def test_same_seed_same_bytes_other_seed_other_sounds():
    sheet = _sheet([_hit(1.0, "whoosh"), _hit(2.0, "impact")], ("whoosh", "impact"))
    preset = _preset(WHOOSH, IMPACT)
    first, second = plan_sfx(sheet, preset, seed=9), plan_sfx(sheet, preset, seed=9)
    assert first.to_dict() == second.to_dict()
    a, b = render_sfx(first), render_sfx(second)
    assert all(x.audio.tobytes() == y.audio.tobytes() for x, y in zip(a, b, strict=True))
    other = render_sfx(plan_sfx(sheet, preset, seed=10))
    assert a[0].audio.tobytes() != other[0].audio.tobytes()


def test_a_plan_read_back_from_json_renders_the_same_bytes():
    sheet = _sheet([_hit(1.0, "whoosh"), _hit(2.0, "impact", 0.3)], ("whoosh", "impact"))
    plan = plan_sfx(sheet, _preset(WHOOSH, IMPACT), seed=4)
    again = SfxPlan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again == plan
    assert [s.audio.tobytes() for s in render_sfx(again)] == [s.audio.tobytes() for s in render_sfx(plan)]


def test_the_stems_are_the_same_bytes_whatever_the_number_of_workers():
    sheet = _sheet(
        [_hit(0.4, "whoosh"), _hit(1.0, "impact"), _hit(1.2, "whoosh"), _hit(3.0, "impact", 0.2)],
        ("whoosh", "impact"),
    )
    plan = plan_sfx(sheet, _preset(WHOOSH, IMPACT), seed=6)
    renders = [render_sfx(plan, workers=workers) for workers in (1, 2, 3)]
    assert [[s.name for s in stems] for stems in renders] == [["sfx_whoosh", "sfx_impact"]] * 3
    first = [s.audio.tobytes() for s in renders[0]]
    assert all([s.audio.tobytes() for s in stems] == first for stems in renders[1:])


def test_a_rendering_error_in_a_worker_is_raised_with_its_message():
    sheet = _sheet([_hit(1.0, "whoosh"), _hit(2.0, "impact")], ("whoosh", "impact"))
    document = plan_sfx(sheet, _preset(WHOOSH, IMPACT), seed=1).to_dict()
    document["sounds"][1]["name"] = "no_such_generator"
    with pytest.raises(ParameterError, match="unknown generator 'no_such_generator'"):
        render_sfx(SfxPlan.from_dict(document), workers=2)


HOOVES = (
    'name = "hooves"\nevents = ["bed"]\ngenerator = "hooves"\ngain_db = -6.0\npan = 0.3\npan_spread = 0.0'
)


def test_a_bed_that_fills_its_stem_is_rendered_in_place_as_it_would_be_added():
    n_samples = 2 * SR
    curve = tuple(0.5 + 0.4 * np.sin(np.arange(201) / 30.0))
    bed = Cue(0.0, CueKind.BED, "motion", "hooves", 0.8, n_samples / SR, "test", curve, 100.0)
    plan = plan_sfx(_sheet([bed], ("hooves",), n_samples), _preset(HOOVES), seed=2)
    ((planned,), (stem,)) = plan.sounds, render_sfx(plan)
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in planned.params.items()}
    alone = GENERATORS["hooves"](**params).render(np.random.default_rng(planned.seed), SR).audio
    gains = np.array([[min(1.0, 1.0 - planned.pan)], [min(1.0, 1.0 + planned.pan)]], dtype=np.float32)
    np.testing.assert_array_equal(stem.audio, alone * (gains * np.float32(10 ** (planned.gain_db / 20))))


def test_one_layers_draws_do_not_depend_on_another_layer():
    sheet = _sheet([_hit(1.0, "whoosh"), _hit(2.0, "impact")], ("whoosh", "impact"))
    both = plan_sfx(sheet, _preset(WHOOSH, IMPACT), seed=2)
    alone = plan_sfx(_sheet([_hit(2.0, "impact")], ("impact",)), _preset(IMPACT), seed=2)
    assert both.for_layer("impact")[0].seed == alone.for_layer("impact")[0].seed


def test_bigger_cues_are_louder_and_gain_stays_in_the_presets_limits():
    sheet = _sheet([_hit(1.0, "impact", 0.0), _hit(3.0, "impact", 1.0)], ("impact",))
    plan = plan_sfx(sheet, _preset(IMPACT), seed=0)
    small, big = plan.sounds
    assert big.gain_db - small.gain_db == pytest.approx(12.0, abs=2 * 1.5)
    assert small.gain_db >= -6.0 - 12.0 - 1.5 and big.gain_db <= -6.0 + 1.5


def test_premix_sums_the_stems_and_respects_its_ceiling():
    sheet = _sheet([_hit(1.0, "whoosh"), _hit(1.0, "impact")], ("whoosh", "impact"))
    stems = render_sfx(plan_sfx(sheet, _preset(WHOOSH, IMPACT), seed=0))
    mix, trim_db = premix(stems, peak_db=-1.0)
    total = stems[0].audio.astype(np.float64) + stems[1].audio
    np.testing.assert_allclose(mix, total * 10 ** (trim_db / 20), atol=1e-7)
    assert np.abs(mix).max() <= 10 ** (-1 / 20) + 1e-6
    quiet, trim = premix(stems, peak_db=-40.0)
    assert trim < 0 and np.abs(quiet).max() == pytest.approx(10 ** (-40 / 20), rel=1e-5)


# --- sample mode ---------------------------------------------------------------------------------


def _write_hit(path: Path, rate: int, pre_roll_s: float, seed: int = 0) -> int:
    """A hit with low room tone before its transient; returns the transient's sample in the file."""
    rng = np.random.default_rng(seed)
    onset = round(pre_roll_s * rate)
    n = onset + rate // 2
    audio = rng.normal(0.0, 10 ** (-60 / 20), n)
    decay = np.exp(-np.arange(n - onset) / (0.05 * rate))
    audio[onset:] += 0.8 * decay * np.sign(rng.normal(size=n - onset)) * rng.uniform(0.5, 1.0, n - onset)
    audio[onset] = 0.8
    soundfile.write(
        path, audio.astype(np.float32), rate, subtype="FLOAT" if path.suffix == ".wav" else "PCM_24"
    )
    return onset


SAMPLED = (
    'name = "impact"\nevents = ["impact"]\ngenerator = "impact"\nsource = "samples"\n'
    'ucs = ["FGHTImpt"]\ngain_db = 0.0\npitch_semitones = 0.0\ngain_jitter_db = 0.0\npan_spread = 0.0'
)


@pytest.mark.parametrize(
    ("rate", "pre_roll_s"), [(48_000, 0.0), (48_000, 0.12), (44_100, 0.333), (96_000, 0.037)]
)
def test_a_sample_lands_by_its_transient_not_its_file_start(tmp_path, rate, pre_roll_s):
    _write_hit(tmp_path / "FGHTImpt_Punch_TEST_Lib.wav", rate, pre_roll_s)
    library = open_sample_library(tmp_path)
    times_s = [1.0, 2.0 + 1 / 24]
    sheet = _sheet([_hit(t, "impact") for t in times_s], ("impact",))
    plan = plan_sfx(sheet, _preset(SAMPLED), seed=0, library=library)
    assert {s.name for s in plan.sounds} == {"FGHTImpt_Punch_TEST_Lib.wav"}
    (stem,) = render_sfx(plan, library=library)
    for t in times_s:
        cue_sample = round(t * SR)
        # above the resampler's pre-ringing, which a band-limited step has at other rates
        found = _first_loud(stem.audio, cue_sample - SR // 2, cue_sample + SR // 10, fraction=0.3)
        assert abs(found - cue_sample) <= 1


def test_sample_variations_do_not_repeat_back_to_back(tmp_path):
    for k in range(3):
        _write_hit(tmp_path / f"FGHTImpt_Punch {k}_TEST_Lib.flac", 48_000, 0.01, seed=k)
    library = open_sample_library(tmp_path)
    sheet = _sheet([_hit(0.2 + 0.3 * k, "impact") for k in range(12)], ("impact",))
    names = [s.name for s in plan_sfx(sheet, _preset(SAMPLED), seed=0, library=library).sounds]
    assert all(a != b for a, b in itertools.pairwise(names))
    assert len(set(names)) == 3


def test_an_auto_layer_uses_the_generator_when_the_library_has_nothing_for_it(tmp_path):
    _write_hit(tmp_path / "FGHTImpt_Punch_TEST_Lib.wav", 48_000, 0.0)
    library = open_sample_library(tmp_path)
    sheet = _sheet([_hit(1.0, "whoosh")], ("whoosh",))
    (sound,) = plan_sfx(sheet, _preset(WHOOSH), seed=0, library=library).sounds
    assert (sound.source, sound.name) == ("generator", "whoosh")


def test_a_samples_layer_without_files_or_library_is_refused(tmp_path):
    _write_hit(tmp_path / "WHSH_Big_TEST_Lib.wav", 48_000, 0.0)
    sheet = _sheet([_hit(1.0, "impact")], ("impact",))
    with pytest.raises(MediaError, match=r"no samples for layer 'impact'.*FGHTImpt"):
        plan_sfx(sheet, _preset(SAMPLED), library=open_sample_library(tmp_path))
    with pytest.raises(PresetError, match=r"sfx.layers\[0\].source: 'samples' needs a sample folder"):
        plan_sfx(sheet, _preset(SAMPLED))


def test_unknown_generators_and_parameters_are_listed_with_their_key_paths():
    preset = _preset(
        'name = "a"\nevents = ["cut"]\ngenerator = "wooosh"',
        'name = "b"\nevents = ["impact"]\ngenerator = "impact"\nparams = { pitch_hz = 5000.0, hardnes = 1 }',
        'name = "c"\nevents = ["impact"]\ngenerator = "impact"\nparams = { intensity = 1.0 }',
    )
    with pytest.raises(PresetError) as caught:
        plan_sfx(_sheet([], ("a", "b", "c")), preset)
    problems = caught.value.problems
    assert problems[0] == "sfx.layers[0].generator: unknown generator 'wooosh' (did you mean 'whoosh'?)"
    assert (
        problems[1] == "sfx.layers[1].params.hardnes: unknown parameter of impact (did you mean 'hardness'?)"
    )
    assert problems[2] == "sfx.layers[2].params.intensity: set by each cue, not by the preset"
    assert len(problems) == 3


def test_a_bad_parameter_value_is_reported_with_the_generators_rule():
    preset = _preset('name = "b"\nevents = ["impact"]\ngenerator = "impact"\nparams = { pitch_hz = 5000.0 }')
    with pytest.raises(PresetError, match=r"sfx.layers\[0\].params: .*pitch_hz must be in \[30, 300\]"):
        plan_sfx(_sheet([], ("b",)), preset)


# --- every generator through the whole plan → render path ----------------------------------------

_PEAK_SYNCED = {"whoosh", "swish", "arrow_flyby", "arrow_volley", "riser"}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_every_generators_sync_point_lands_on_its_cue_sample(name):
    generator = GENERATORS[name]
    cue_s = 2.5
    layer = f'name = "x"\nevents = ["cut"]\ngenerator = "{name}"\ngain_db = 0.0\nduration_s = [1.5, 1.5]'
    sheet = _sheet([_hit(cue_s, "x", duration_s=1.5)], ("x",), n_samples=6 * SR)
    plan = plan_sfx(sheet, _preset(layer), seed=11)
    (planned,) = plan.sounds
    (stem,) = render_sfx(plan)
    cue_sample = round(cue_s * SR)
    if name in _PEAK_SYNCED:
        found = _peak(stem.audio, 0, stem.n_samples)
        assert abs(found - cue_sample) <= 1
    elif generator.kind == "bed":
        # a bed starts at its cue (fading in) and nothing of it sounds before
        assert not stem.audio[:, :cue_sample].any() and stem.audio[:, cue_sample:].any()
    else:
        # an onset-synced hit starts its transient on the cue, with silence before it
        assert not stem.audio[:, :cue_sample].any()
        assert _first_loud(stem.audio, 0, stem.n_samples, fraction=1e-3) == cue_sample
    assert (
        planned.params["duration_s"] == 1.5 or generator.kind == "bed" or "duration_s" not in planned.params
    )
