"""A picture analysed in time chunks (apart, in other processes) is exactly the analysis of the whole.

The seams are put where a chunked analysis could go wrong: through a shot with riders, right
at a hard cut, one frame before and after another, inside a whip pan, between the two frames
of a flash, on an impact and in the middle of a dissolve. Exactly means exactly: the same cuts
(frames, kinds, scores), transitions, flashes, impacts, shots, motion envelope bit for bit, and
the same warnings.
"""

import itertools
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import av
import numpy as np
import pytest

import sonics
from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import Analysis, CutKind
from sonics.pipeline.analyze import ChunkSpec, analyze_chunk, analyze_joined, plan_chunks
from sonics.testing import Edit, Flash, Rider, Shot, Transition, render_edit
from sonics.testing.audio import speech_track

FPS = 24
SHOTS = (
    Shot(48, seed=11, pan_px_per_frame=(3.0, 0.0), riders=(Rider(0.7, 4.0, 40, seed=3),)),
    Shot(40, seed=12, pan_px_per_frame=(30.0, 2.0)),  # a blurred whip pan
    Shot(56, seed=13, pan_px_per_frame=(10.0, 0.0), stop_frame=30, flashes=(Flash(14, 2, 0.8),)),
    Shot(48, seed=14, pan_px_per_frame=(-2.0, 0.0), flashes=(Flash(30, 1, 0.9),)),
    Shot(40, seed=15, pan_px_per_frame=(0.5, 0.3)),
)
EDIT = Edit(
    SHOTS,
    (Transition("hard"), Transition("hard"), Transition("dissolve", 12), Transition("hard")),
    width=320,
    height=180,
    frame_rate=FPS,
)
# Hard cuts at 48, 88 and 180, a dissolve over 132..143, flashes at 102 (2 frames) and 162,
# the camera stops at 118: seams through each.
SEAM_FRAMES = (24, 48, 68, 103, 118, 138, 179, 181)


def _assert_same(joined: Analysis, whole: Analysis) -> None:
    assert joined.picture == whole.picture
    np.testing.assert_array_equal(joined.frame_times_s, whole.frame_times_s, strict=True)
    assert joined.cuts == whole.cuts
    assert joined.shots == whole.shots
    assert joined.impacts == whole.impacts
    assert joined.flashes == whole.flashes
    for name in ("values", "camera", "subject"):
        np.testing.assert_array_equal(getattr(joined.motion, name), getattr(whole.motion, name), strict=True)
    assert joined.audio_regions == whole.audio_regions
    assert joined.warnings == whole.warnings
    assert joined.to_dict() == whole.to_dict()


def _specs(frames: tuple[int, ...], times_s: np.ndarray) -> list[ChunkSpec]:
    edges = [0.0, *(float(times_s[f]) for f in frames), None]
    return [ChunkSpec(k, a, b) for k, (a, b) in enumerate(itertools.pairwise(edges))]


def _remux(source: Path, target: Path, fmt: str) -> Path:
    with av.open(str(source)) as src, av.open(str(target), "w", format=fmt) as dst:
        streams = {s.index: dst.add_stream_from_template(s) for s in src.streams}
        for packet in src.demux():
            if packet.dts is not None:  # not the demuxer's flush packets
                packet.stream = streams[packet.stream.index]
                dst.mux(packet)
    return target


@pytest.fixture(scope="module")
def battle(tmp_path_factory):
    """The edit with speech as its own sound, its truth, and its whole analysis."""
    n_frames = sum(s.n_frames for s in SHOTS) - 12
    audio = speech_track(n_frames / FPS, sample_rate=48000, regions=((1.0, 2.5), (5.0, 7.0)), seed=2)
    path = tmp_path_factory.mktemp("chunked") / "battle.mp4"
    truth = render_edit(EDIT, path, audio=audio)
    return path, truth, sonics.analyze(path)


def test_seams_through_cuts_pans_flashes_impacts_and_dissolves_join_exactly(battle):
    path, truth, whole = battle
    # The seams lie on real events: the whole analysis finds each one where it is.
    assert truth.hard_cuts == (48, 88, 180) and truth.dissolves == ((132, 143),)
    assert [c.frame for c in whole.cuts if c.kind is CutKind.HARD] == [48, 88, 180]
    assert [(c.kind, c.frame) for c in whole.cuts if c.is_gradual] == [(CutKind.DISSOLVE, 138)]
    assert [(f.frame, f.n_frames) for f in whole.flashes] == [(102, 2), (162, 1)]
    assert [i.frame for i in whole.impacts] == [118]
    chunks = [analyze_chunk(path, spec) for spec in _specs(SEAM_FRAMES, whole.frame_times_s)]
    joined = analyze_joined(path, chunks)
    _assert_same(joined, whole)
    # The cut that opens a chunk is reported once.
    assert [c.frame for c in joined.cuts].count(48) == 1


def test_analyze_in_chunks_of_a_few_seconds_is_the_whole(battle):
    path, _, whole = battle
    progress = []
    joined = sonics.analyze(path, chunk_s=2.0, on_progress=lambda *event: progress.append(event))
    _assert_same(joined, whole)
    done = [n for stage, n, _ in progress if stage == "picture"]
    assert len(done) == len(plan_chunks(path, chunk_s=2.0)) and done[-1] == whole.picture.n_frames


def test_chunks_run_in_other_processes(battle):
    path, _, whole = battle
    # The platform's default start method (fork on Linux): spawning costs seconds of imports per worker.
    with ProcessPoolExecutor(2) as pool:
        joined = sonics.analyze(path, chunk_s=3.5, map=pool.map)
    _assert_same(joined, whole)


def test_a_variable_frame_rate_file_joins_exactly(tmp_path):
    path = tmp_path / "vfr.mp4"
    truth = render_edit(EDIT, path, vfr=True, vfr_seed=3)
    whole = sonics.analyze(path)
    assert whole.picture.variable_frame_rate
    np.testing.assert_array_equal(whole.frame_times_s, truth.frame_times_s)
    _assert_same(sonics.analyze(path, chunk_s=1.7), whole)


def test_chunks_past_the_end_hold_nothing(battle):
    path, _, whole = battle
    specs = [ChunkSpec(0, 0.0, 4.0), ChunkSpec(1, 4.0, 20.0), ChunkSpec(2, 20.0, 30.0), ChunkSpec(3, 30.0)]
    chunks = [analyze_chunk(path, spec) for spec in specs]
    assert [c.features.features.n_frames for c in chunks[2:]] == [0, 0]
    assert all(c.damage is None for c in chunks)
    _assert_same(analyze_joined(path, reversed(chunks)), whole)  # in any order


@pytest.mark.parametrize("damage", ["truncated_mkv", "corrupt_mp4"])
def test_a_damaged_file_warns_once_as_a_whole_analysis_does(battle, tmp_path, damage):
    path, _, _ = battle
    if damage == "truncated_mkv":
        data = _remux(path, tmp_path / "whole.mkv", "matroska").read_bytes()
        data = data[: int(len(data) * 0.6)]
    else:
        data = bytearray(path.read_bytes())
        lo, hi = int(len(data) * 0.40), int(len(data) * 0.45)
        data[lo:hi] = np.random.default_rng(0).integers(0, 256, hi - lo, dtype=np.uint8).tobytes()
    broken = tmp_path / f"broken{'.mkv' if damage == 'truncated_mkv' else '.mp4'}"
    broken.write_bytes(bytes(data))
    whole = sonics.analyze(broken, audio=False)
    assert len(whole.warnings) == 1 and broken.name in whole.warnings[0]
    assert 0 < whole.picture.n_frames < 220
    _assert_same(sonics.analyze(broken, audio=False, chunk_s=2.5), whole)


def test_plan_cuts_the_stated_length_into_equal_picklable_chunks(battle, tmp_path):
    path, truth, _ = battle
    specs = plan_chunks(path, chunk_s=4.0)
    assert [s.index for s in specs] == [0, 1, 2]
    assert specs[0].start_s == 0.0 and specs[-1].end_s is None
    assert specs[1].end_s - specs[1].start_s == pytest.approx(truth.duration_s / 3, abs=0.05)
    assert pickle.loads(pickle.dumps(specs)) == specs
    assert plan_chunks(path, chunk_s=60.0) == (ChunkSpec(0, 0.0, None),)
    with pytest.raises(ParameterError, match="chunk_s must be > 0, got 0"):
        plan_chunks(path, chunk_s=0)
    with pytest.raises(ParameterError, match="chunk_s must be > 0, got -1"):
        sonics.analyze(path, chunk_s=-1)
    not_video = tmp_path / "notes.mp4"
    not_video.write_text("not a video", encoding="utf-8")
    with pytest.raises(MediaError, match=r"notes\.mp4"):
        plan_chunks(not_video)


@pytest.fixture(scope="module")
def planned(battle):
    path, _, _ = battle
    return [analyze_chunk(path, spec) for spec in plan_chunks(path, chunk_s=4.0)]


def test_a_chunk_comes_back_whole_from_a_pickle(planned):
    chunk = planned[1]
    back = pickle.loads(pickle.dumps(chunk))
    assert back.spec == chunk.spec and back.picture_start_s == chunk.picture_start_s
    np.testing.assert_array_equal(back.features.features.span_cost, chunk.features.features.span_cost)


def test_joining_needs_every_chunk(battle, planned):
    path, _, whole = battle
    chunks = planned
    _assert_same(analyze_joined(path, chunks), whole)
    with pytest.raises(ParameterError, match="without a gap"):
        analyze_joined(path, [chunks[0], chunks[2]])
    with pytest.raises(ParameterError, match="cover the whole video"):
        analyze_joined(path, chunks[:2])
    with pytest.raises(ParameterError, match="end_s must be > start_s"):
        ChunkSpec(0, 2.0, 1.0)


def test_a_cut_list_with_its_media_is_measured_in_chunks_too(edit_video):
    whole = sonics.analyze([18, 38, 54], frame_rate=24, media=edit_video.path, audio=False)
    joined = sonics.analyze([18, 38, 54], frame_rate=24, media=edit_video.path, audio=False, chunk_s=1.0)
    assert joined.source == "timeline"
    _assert_same(joined, whole)
