"""``sonics tempo`` and ``sonics.tempo_pass`` end to end: the table, the map, tempo.json, bad input."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

import sonics
from sonics.core.model import Hit
from sonics.core.tempo import TempoMap
from sonics.export.files import write_json
from sonics.testing.tempo import random_cut_frames

DEMO_CUTS = Path(__file__).resolve().parents[2] / "samples" / "demo" / "demo_cut.cuts.csv"
FPS = 24


def _ok(result) -> None:
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.output


def _fails_with(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sonics: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def _shots(frames: np.ndarray, n_frames: int) -> list[tuple[int, int]]:
    bounds = [0, *(int(f) for f in frames), n_frames]
    return list(itertools.pairwise(bounds))


@pytest.fixture(scope="module")
def demo_analysis(tmp_path_factory) -> Path:
    """The demo cut's true cut list (hard cuts only, no media) as an analysis.json."""
    with DEMO_CUTS.open(newline="") as handle:
        frames = np.array([int(r["frame"]) for r in csv.DictReader(handle) if r["kind"] == "hard_cut"])
    analysis = sonics.analyze(_shots(frames, 720), frame_rate=FPS)
    path = tmp_path_factory.mktemp("tempo") / "analysis.json"
    write_json(path, analysis.to_dict())
    return path


def test_the_table_and_the_map_read_like_a_composers_tool(sonics_cli, demo_analysis):
    result = sonics_cli("tempo", demo_analysis, "--top", "5", "-q")
    _ok(result)
    out = result.stdout
    assert "Find Tempo (4/4, 2 grid lines a beat):" in out
    header = next(line for line in out.splitlines() if "BPM" in line and "score" in line)
    for column in ("weighted hits", "hits", "near", "median off", "bar 1 at"):
        assert column in header
    rows = [line for line in out.splitlines() if line[:3].strip().isdigit()]
    assert len(rows) == 5
    assert all(110.0 <= float(r.split()[1]) <= 170.0 for r in rows)  # the battle preset's range
    assert "Tempo map:" in out and "caught:" in out and "sync hits on a beat" in out
    assert "00:00:00:00.00" in out  # the map starts with the picture


def test_json_is_the_tempo_document_and_reads_back_as_a_map(sonics_cli, demo_analysis, tmp_path):
    out = tmp_path / "tempo.json"
    result = sonics_cli("tempo", demo_analysis, "--json", "-o", out, "-q")
    _ok(result)
    printed = json.loads(result.stdout)
    written = json.loads(out.read_text())
    assert printed == written
    assert written["schema"] == "sonics.tempo/1" and written["preset"] == "battle"
    assert written["settings"]["max_change_pct"] == 6.0
    scores = [c["score"] for c in written["candidates"]]
    assert len(scores) == 10 and scores == sorted(scores, reverse=True)
    m = TempoMap.from_dict(written, str(out))
    assert m.segments[0].start_s == 0.0 and m.frame_rate == FPS
    sync = np.array([h.time_s for h in m.hits if h.sync])
    assert sync.size >= 1
    nearest = np.round(np.asarray(m.seconds_to_beats(sync)))
    assert np.abs(np.asarray(m.beats_to_seconds(nearest)) - sync).max() <= 1e-3
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left beside it


def test_options_reach_the_search_and_the_map(sonics_cli, demo_analysis):
    args = ["--min-bpm", "90", "--max-bpm", "130", "--step", "0.05", "--meter", "3/4", "--subdivision", "3"]
    result = sonics_cli("tempo", demo_analysis, *args, "--tolerance-frames", "1.5", "--top", "3", "--json")
    _ok(result)
    doc = json.loads(result.stdout)
    assert doc["meter"] == {"numerator": 3, "denominator": 4} and doc["subdivision"] == 3
    assert doc["settings"]["tolerance_frames"] == 1.5 and doc["settings"]["step_bpm"] == 0.05
    assert len(doc["candidates"]) == 3
    assert all(90 <= c["bpm"] <= 130 for c in doc["candidates"])
    assert all(90 - 1e-9 <= s["bpm"] <= 130 + 1e-9 for s in doc["segments"])
    result = sonics_cli("tempo", demo_analysis, "--bpm", "120", "--set", "tempo.min_hold_bars=4", "--json")
    _ok(result)
    doc = json.loads(result.stdout)
    assert doc["segments"][0]["bpm"] == 120.0 and doc["settings"]["min_hold_bars"] == 4.0


def test_a_video_works_like_its_analysis(sonics_cli, edit_video):
    result = sonics_cli("tempo", edit_video.path, "--json", "-q")
    _ok(result)
    doc = json.loads(result.stdout)
    assert {h["source"] for h in doc["hits"]} >= {"cut:18", "cut:38", "cut:54"}


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["missing.json"], ["missing.json", "no such file"]),
        (["{analysis}", "--min-bpm", "150", "--max-bpm", "120"], ["min_bpm 150.0 is above max_bpm 120.0"]),
        (["{analysis}", "--meter", "4/5"], ["tempo settings: meter: '4/5' is not valid"]),
        (["{analysis}", "--tolerance-frames", "-1"], ["tolerance_frames: -1.0 is outside [0, 12] frames"]),
        (["{analysis}", "--subdivision", "0"], ["subdivision: 0 is outside [1, 16]"]),
        (["{analysis}", "--bpm", "300"], ["bpm must be in 110..170, got 300.0"]),
        (["{analysis}", "-o", "{tmp}/no/such/folder/tempo.json"], ["does not exist"]),
        (["{analysis}", "-o", "{analysis}"], ["refusing to overwrite an input"]),
    ],
)
def test_bad_input_is_one_line_and_exit_1(sonics_cli, demo_analysis, tmp_path, args, fragments):
    before = demo_analysis.read_bytes()
    filled = [a.format(analysis=demo_analysis, tmp=tmp_path) for a in args]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        result = sonics_cli("tempo", *filled)
    _fails_with(result, *fragments)
    assert demo_analysis.read_bytes() == before
    assert list(tmp_path.iterdir()) == []


def test_a_bad_preset_is_reported_like_every_preset_problem(sonics_cli, demo_analysis):
    result = sonics_cli("tempo", demo_analysis, "--preset", "nope")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("sonics: error: invalid preset nope")
    assert "no built-in preset 'nope'" in result.stderr
    result = sonics_cli("tempo", demo_analysis, "--set", "tempo.max_change_pct=80")
    assert result.exit_code == 1 and "tempo.max_change_pct: 80 is outside [0, 50] %" in result.stderr


def test_an_unreachable_sync_hit_is_a_warning(sonics_cli, tmp_path):
    analysis = sonics.analyze(_shots(np.array([48, 50, 96, 150]), 200), frame_rate=FPS)
    path = tmp_path / "analysis.json"
    write_json(path, analysis.to_dict())
    result = sonics_cli("tempo", path, "--set", "tempo.sync_weight=0.1", "--json")
    _ok(result)
    doc = json.loads(result.stdout)
    assert doc["warnings"]
    assert all(f"sonics: warning: {w}" in result.stderr for w in doc["warnings"])


def test_a_broken_analysis_is_one_line_and_exit_1(sonics_cli, tmp_path):
    bad = tmp_path / "analysis.json"
    bad.write_text('{"schema": "sonics.analysis/1", "picture": {}}')
    _fails_with(sonics_cli("tempo", bad), "analysis.json", "malformed analysis document")


def test_a_generated_cut_lands_on_the_maps_eighths_through_the_whole_pass():
    # Random shot lengths 0.8-4.5 s, weighted by spotting as a composer's hits.
    for seed in (0, 1):
        frames = random_cut_frames(seed, duration_s=90.0)
        analysis = sonics.analyze(_shots(frames, 90 * FPS), frame_rate=FPS)
        result = sonics.tempo_pass(analysis)
        m = result.tempo_map
        assert np.mean(np.abs(m.frames_off(frames / FPS)) <= 1.0 + 1e-6) >= 0.9
        assert m.off_beat_sync() == () and m.warnings == ()
        assert np.abs(m.tempo_changes()).max() <= 0.06 + 1e-9
        assert m.segment_bars(90.0)[[not s.is_ramp for s in m.segments]].min() >= 2.0 - 1e-9


def test_the_library_takes_a_composers_own_hits():
    analysis = sonics.analyze(_shots(np.array([48, 96, 160]), 240), frame_rate=FPS)
    hits = [Hit(1.0, 1.0, "marker:a"), Hit(2.5, 0.9, "marker:b"), Hit(7.0, 0.4, "marker:c")]
    result = sonics.tempo_pass(analysis, preset="duel", hits=hits, top=2)
    assert [h.source for h in result.tempo_map.hits] == ["marker:a", "marker:b", "marker:c"]
    assert len(result.candidates) == 2 and result.settings.max_change_pct == 4.0
    assert result.tempo_map.off_beat_sync() == ()
    assert sonics.fit_tempo is not None and sonics.map_tempo is not None


def test_the_hits_are_what_a_composer_syncs_to():
    analysis = sonics.analyze(_shots(np.array([48, 50, 150, 200]), 240), frame_rate=FPS)
    result = sonics.tempo_pass(analysis)
    sources = [h.source for h in result.hits]
    assert all(s.startswith(("cut:", "impact:", "flash:", "transition:")) for s in sources)
    assert result.hits[sources.index("cut:200")].weight >= result.settings.sync_weight  # the button
    # Cuts 2 frames apart fall on one grid line (within a frame each): only one is a hit.
    assert ("cut:48" in sources) != ("cut:50" in sources)
    with pytest.raises(
        sonics.ParameterError, match=r"unknown tempo setting 'metre' \(did you mean 'meter'\?\)"
    ):
        sonics.tempo_pass(analysis, tempo={"metre": "3/4"})
