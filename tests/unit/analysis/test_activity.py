"""Foreground sound in the cut's own audio, on generated tracks whose regions are known.

Tolerance: a planted region's start and end are found within +-50 ms (the analysis
frames are 10 ms apart and 48 ms long; measured worst case over 20 seeds: 25 ms).
"""

import numpy as np
import pytest

from sonics.analysis.activity import find_audio_regions, foreground_envelope
from sonics.core.errors import ParameterError
from sonics.core.model import AudioRegion
from sonics.testing.audio import noise_burst_track, speech_track

RATE = 16000
TOLERANCE_S = 0.05
SPEECH = ((0.6, 2.4), (3.5, 6.0), (7.2, 7.7))
BURSTS = ((0.8, 1.6), (3.0, 3.4), (5.0, 6.2))


def _assert_found(
    regions: tuple[AudioRegion, ...], truth: tuple[tuple[float, float], ...], kind: str
) -> None:
    assert len(regions) == len(truth), regions
    for region, (start_s, end_s) in zip(regions, truth, strict=True):
        assert region.kind == kind, region
        assert abs(region.start_s - start_s) <= TOLERANCE_S, (region, start_s)
        assert abs(region.end_s - end_s) <= TOLERANCE_S, (region, end_s)


def _covered(regions: tuple[AudioRegion, ...], truth: tuple[tuple[float, float], ...], duration_s: float):
    """Return (share of the truth covered, seconds found outside it) on a 5 ms grid."""
    t = np.arange(0.0, duration_s, 0.005)
    planted = np.zeros(len(t), dtype=bool)
    found = np.zeros(len(t), dtype=bool)
    for start_s, end_s in truth:
        planted |= (t >= start_s) & (t < end_s)
    for region in regions:
        found |= (t >= region.start_s) & (t < region.end_s)
    return (found & planted).sum() / planted.sum(), (found & ~planted).sum() * 0.005


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_planted_speech_is_found_within_50_ms(seed):
    audio = speech_track(9.0, sample_rate=RATE, regions=SPEECH, seed=seed)
    regions = find_audio_regions(audio, RATE)
    _assert_found(regions, SPEECH, "speech")
    for region in regions:
        assert region.level_db == pytest.approx(-30.0, abs=1.0)


def test_speech_at_48_khz_stereo_gives_the_same_regions():
    mono = speech_track(9.0, sample_rate=48000, regions=SPEECH, seed=5)
    regions = find_audio_regions(np.vstack([mono, mono]), 48000)
    _assert_found(regions, SPEECH, "speech")


def test_speech_at_the_very_start_and_end_of_the_track():
    truth = ((0.0, 2.0), (4.5, 6.0))
    regions = find_audio_regions(speech_track(6.0, sample_rate=RATE, regions=truth, seed=4), RATE)
    _assert_found(regions, truth, "speech")


@pytest.mark.parametrize(("level_db", "background_db"), [(-30.0, -40.0), (-38.0, -45.0)])
def test_quiet_speech_under_a_steady_background(level_db, background_db):
    audio = speech_track(
        9.0, sample_rate=RATE, regions=SPEECH, seed=1, level_db=level_db, background_db=background_db
    )
    regions = find_audio_regions(audio, RATE)
    coverage, outside_s = _covered(regions, SPEECH, 9.0)
    assert coverage >= 0.9
    assert outside_s <= 0.1
    assert {r.kind for r in regions} == {"speech"}


def test_speech_10_db_over_background_keeps_exact_boundaries():
    audio = speech_track(9.0, sample_rate=RATE, regions=SPEECH, seed=2, background_db=-40.0)
    _assert_found(find_audio_regions(audio, RATE), SPEECH, "speech")


@pytest.mark.parametrize("style", ["noise", "tone"])
@pytest.mark.parametrize("background_db", [None, -40.0])
def test_steady_bursts_are_sound_not_speech(style, background_db):
    audio = noise_burst_track(
        7.0, sample_rate=RATE, regions=BURSTS, seed=3, style=style, background_db=background_db
    )
    _assert_found(find_audio_regions(audio, RATE), BURSTS, "sound")


@pytest.mark.parametrize("background_db", [None, -40.0])
def test_impacts_are_sound_not_speech(background_db):
    audio = noise_burst_track(
        7.0, sample_rate=RATE, regions=BURSTS, seed=1, style="impacts", background_db=background_db
    )
    regions = find_audio_regions(audio, RATE)
    assert {r.kind for r in regions} == {"sound"}
    # Each hit decays into the floor before the next, so a burst may end early or split.
    coverage, outside_s = _covered(regions, BURSTS, 7.0)
    assert coverage >= 0.8
    assert outside_s <= 0.2
    starts = [min(abs(r.start_s - start_s) for r in regions) for start_s, _ in BURSTS]
    assert max(starts) <= TOLERANCE_S  # each burst's first hit starts a region


def test_speech_and_a_door_slam_are_told_apart():
    audio = speech_track(10.0, sample_rate=RATE, regions=((1.0, 3.0),), seed=4)
    audio += noise_burst_track(
        10.0, sample_rate=RATE, regions=((6.0, 6.8),), seed=2, style="impacts", room_tone_db=None
    )
    regions = find_audio_regions(audio, RATE)
    assert [r.kind for r in regions] == ["speech", "sound"]
    assert abs(regions[0].start_s - 1.0) <= TOLERANCE_S and abs(regions[0].end_s - 3.0) <= TOLERANCE_S
    assert abs(regions[1].start_s - 6.0) <= TOLERANCE_S


def test_silence_gives_no_regions():
    assert find_audio_regions(np.zeros((1, 10 * RATE), dtype=np.float32), RATE) == ()
    assert find_audio_regions(np.zeros((2, 0), dtype=np.float32), RATE) == ()


@pytest.mark.parametrize("background_db", [-60.0, -30.0, -12.0])
def test_steady_background_alone_gives_no_regions(background_db):
    audio = speech_track(20.0, sample_rate=RATE, regions=(), seed=2, background_db=background_db)
    assert find_audio_regions(audio, RATE) == ()


def test_room_tone_alone_gives_no_regions():
    audio = speech_track(10.0, sample_rate=RATE, regions=(), seed=3, room_tone_db=-50.0)
    assert find_audio_regions(audio, RATE) == ()


@pytest.mark.parametrize("order", ["quiet_first", "loud_first"])
def test_a_background_that_changes_at_a_shot_cut_gives_no_regions(order):
    quiet = speech_track(20.0, sample_rate=RATE, regions=(), seed=1, background_db=-50.0)
    loud = speech_track(20.0, sample_rate=RATE, regions=(), seed=2, background_db=-35.0)
    first, second = (quiet, loud) if order == "quiet_first" else (loud, quiet)
    audio = np.concatenate([first[:, : 10 * RATE], second[:, 10 * RATE :]], axis=1)
    assert find_audio_regions(audio, RATE) == ()


def test_regions_are_deterministic():
    audio = speech_track(9.0, sample_rate=RATE, regions=SPEECH, seed=7, background_db=-42.0)
    assert find_audio_regions(audio, RATE) == find_audio_regions(audio.copy(), RATE)
    first = foreground_envelope(audio, RATE)
    assert first.tobytes() == foreground_envelope(audio, RATE).tobytes()


def test_merge_gap_and_min_region():
    truth = ((1.0, 1.6), (1.9, 2.5), (4.0, 4.15))
    audio = noise_burst_track(6.0, sample_rate=RATE, regions=truth, seed=0)
    assert len(find_audio_regions(audio, RATE, merge_gap_s=0.25, min_region_s=0.2)) == 2
    merged = find_audio_regions(audio, RATE, merge_gap_s=0.4, min_region_s=0.0)
    assert [(round(r.start_s, 1), round(r.end_s, 1)) for r in merged] == [(1.0, 2.5), (4.0, 4.2)]


def test_foreground_envelope_follows_the_speech():
    audio = speech_track(9.0, sample_rate=RATE, regions=SPEECH, seed=0, background_db=-45.0)
    envelope = foreground_envelope(audio, RATE)
    assert envelope.dtype == np.float32
    assert envelope.shape == (9 * RATE // 160 + 1,)
    assert envelope.min() >= 0.0 and envelope.max() <= 1.0
    t = np.arange(len(envelope)) * 0.01
    inside = np.zeros(len(t), dtype=bool)
    for start_s, end_s in SPEECH:
        inside |= (t >= start_s + 0.05) & (t < end_s - 0.05)
    outside = np.ones(len(t), dtype=bool)
    for start_s, end_s in SPEECH:
        outside &= (t < start_s - 0.05) | (t >= end_s + 0.05)
    assert envelope[outside].max() == 0.0
    assert envelope[inside].mean() > 0.5


@pytest.mark.parametrize("hop_s", [0.005, 0.02, 0.1])
def test_foreground_envelope_hop(hop_s):
    audio = speech_track(3.0, sample_rate=48000, regions=((1.0, 2.0),), seed=0)
    envelope = foreground_envelope(audio, 48000, hop_s=hop_s)
    assert envelope.shape == (3 * RATE // round(hop_s * RATE) + 1,)
    t = np.arange(len(envelope)) * hop_s
    assert envelope[(t > 1.1) & (t < 1.9)].mean() > 0.5
    assert envelope[(t < 0.9) | (t > 2.1)].max() == 0.0


def test_ten_minutes_give_every_region_in_place():
    # speed belongs to the benches; here a long input must lose nothing at block seams
    ten_s = speech_track(10.0, sample_rate=RATE, regions=((1.0, 4.0), (6.0, 9.0)), seed=0, background_db=-45)
    regions = find_audio_regions(np.tile(ten_s, 60), RATE)
    assert len(regions) == 120
    starts = np.array([r.start_s for r in regions]).reshape(60, 2) - 10.0 * np.arange(60)[:, None]
    assert np.ptp(starts, axis=0).max() < 0.05


@pytest.mark.parametrize(
    ("audio", "sample_rate", "options"),
    [
        (np.zeros((1, 1000), dtype=np.int16), RATE, {}),
        (np.zeros((1, 1, 1000), dtype=np.float32), RATE, {}),
        (np.full((1, 1000), np.nan, dtype=np.float32), RATE, {}),
        (np.zeros((1, 1000), dtype=np.float32), 4000, {}),
        (np.zeros((1, 1000), dtype=np.float32), RATE, {"low_db": 6.0, "high_db": 3.0}),
        (np.zeros((1, 1000), dtype=np.float32), RATE, {"merge_gap_s": -1.0}),
    ],
)
def test_bad_arguments_raise_parameter_error(audio, sample_rate, options):
    with pytest.raises(ParameterError):
        find_audio_regions(audio, sample_rate, **options)


def test_envelope_rejects_a_bad_hop():
    with pytest.raises(ParameterError, match="hop_s"):
        foreground_envelope(np.zeros(1000, dtype=np.float32), RATE, hop_s=0.5)


# The generators' own truths.


def test_speech_track_is_deterministic_and_exact():
    first = speech_track(4.0, sample_rate=RATE, regions=((1.0, 3.0),), seed=11, background_db=-50.0)
    again = speech_track(4.0, sample_rate=RATE, regions=((1.0, 3.0),), seed=11, background_db=-50.0)
    other = speech_track(4.0, sample_rate=RATE, regions=((1.0, 3.0),), seed=12, background_db=-50.0)
    assert first.shape == (1, 4 * RATE) and first.dtype == np.float32
    assert first.tobytes() == again.tobytes()
    assert first.tobytes() != other.tobytes()


def test_speech_track_sound_lies_exactly_inside_its_regions():
    audio = speech_track(3.0, sample_rate=48000, regions=((0.5, 2.25),), seed=3, room_tone_db=None)[0]
    start, end = 24000, 108000
    assert not audio[:start].any() and not audio[end:].any()
    assert audio[start : start + 480].any() and audio[end - 480 : end].any()
    rms_db = 10 * np.log10(np.mean(audio[start:end].astype(np.float64) ** 2))
    assert rms_db == pytest.approx(-30.0, abs=0.01)


def test_noise_burst_track_level_and_styles():
    for style in ("noise", "impacts", "tone"):
        audio = noise_burst_track(
            2.0,
            sample_rate=RATE,
            regions=((0.5, 1.5),),
            seed=0,
            style=style,
            level_db=-20.0,
            room_tone_db=None,
        )[0]
        assert not audio[: RATE // 2].any() and not audio[3 * RATE // 2 :].any()
        rms_db = 10 * np.log10(np.mean(audio[RATE // 2 : 3 * RATE // 2].astype(np.float64) ** 2))
        assert rms_db == pytest.approx(-20.0, abs=0.01)


@pytest.mark.parametrize("regions", [((1.0, 0.5),), ((0.5, 5.0),), ((0.5, 1.5), (1.0, 2.0)), ((1.0, 1.01),)])
def test_generators_reject_bad_regions(regions):
    with pytest.raises(ParameterError):
        speech_track(3.0, regions=regions, seed=0)


def test_noise_burst_track_rejects_an_unknown_style():
    with pytest.raises(ParameterError, match="style"):
        noise_burst_track(3.0, regions=((1.0, 2.0),), seed=0, style="whistle")
