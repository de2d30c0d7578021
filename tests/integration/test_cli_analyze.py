"""``sonics analyze`` end to end on generated edits whose cuts and speech are known exactly.

In-process runs use click's runner on ``sonics.cli.cli``; a few runs go through a real
``python -m sonics`` subprocess, to see exit codes and streams exactly as a user does.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
import stat
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

import sonics

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange

CUT_KEYS = {"frame", "time_s", "timecode", "kind", "score", "start_frame", "end_frame"}
CSV_HEADER = ["n", "timecode", "frame", "time_s", "kind", "start_timecode", "end_timecode", "score"]


# ------------------------------------------------------------------------------------------ helpers


def _ok(result) -> None:
    """Assert an in-process run succeeded quietly (no uncaught exception, no stderr)."""
    assert result.exception is None or (isinstance(result.exception, SystemExit) and result.exit_code == 0), (
        result.stderr
    )
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.output


def _non_drop_timecode(frame: int, fps: int) -> str:
    """SMPTE non-drop timecode, written independently of sonics.core.timebase."""
    ff = frame % fps
    s = frame // fps
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}:{ff:02d}"


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _only(folder: Path, *names: str) -> None:
    """Assert ``folder`` holds exactly these files (no temporary leftovers)."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


def _timeline(rate: Fraction, cuts: list[int], n_frames: int, url: str | None) -> otio.schema.Timeline:
    """One video track whose clips play ``url`` straight through, cut at ``cuts``.

    With ``url=None`` the clips reference no media (a missing reference).
    """
    r = float(rate)
    timeline = otio.schema.Timeline(name="cut")
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    bounds = [0, *cuts, n_frames]
    for a, b in itertools.pairwise(bounds):
        if url is None:
            ref = otio.schema.MissingReference()
        else:
            ref = otio.schema.ExternalReference(target_url=url, available_range=TR(RT(0, r), RT(n_frames, r)))
        track.append(
            otio.schema.Clip(name=f"shot{a}", media_reference=ref, source_range=TR(RT(a, r), RT(b - a, r)))
        )
    return timeline


def _edl(cuts: list[int], n_frames: int, fps: int, clip_name: str) -> str:
    """A CMX 3600 EDL whose events play one source straight through (source = record)."""
    lines = ["TITLE: cut", "FCM: NON-DROP FRAME", ""]
    bounds = [0, *cuts, n_frames]
    for i, (a, b) in enumerate(itertools.pairwise(bounds), start=1):
        tc_a, tc_b = _non_drop_timecode(a, fps), _non_drop_timecode(b, fps)
        lines += [
            f"{i:03d}  AX       V     C        {tc_a} {tc_b} {tc_a} {tc_b}",
            f"* FROM CLIP NAME: {clip_name}",
            "",
        ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ video


def test_analyze_video_writes_exact_cuts(sonics_cli, edit_video, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = sonics_cli("analyze", edit_video.path, "-o", out / "analysis.json", "--csv", out / "cuts.csv")
    _ok(result)
    assert result.stderr == ""
    _only(out, "analysis.json", "cuts.csv")

    doc = _read_json(out / "analysis.json")
    assert doc["schema"] == "sonics.analysis/1"
    assert doc["source"] == "video"
    assert doc["warnings"] == []
    truth = edit_video.truth
    picture = doc["picture"]
    assert picture["path"] == str(edit_video.path)
    assert picture["fps"] == "24/1"
    assert picture["n_frames"] == truth.n_frames == 72
    assert (picture["width"], picture["height"]) == (320, 180)
    assert picture["duration_s"] == pytest.approx(3.0, abs=1e-9)
    assert picture["has_audio"] is True
    assert picture["variable_frame_rate"] is False
    assert picture["start_s"] == 0.0  # the first frame's PTS: times count from it

    assert [c["frame"] for c in doc["cuts"]] == list(truth.hard_cuts) == [18, 38, 54]
    for cut in doc["cuts"]:
        assert set(cut) == CUT_KEYS
        assert cut["kind"] == "hard"
        assert cut["start_frame"] == cut["end_frame"] == cut["frame"]
        assert cut["time_s"] == pytest.approx(truth.frame_times_s[cut["frame"]], abs=1e-9)
        assert cut["timecode"] == _non_drop_timecode(cut["frame"], 24)
        assert 0 < cut["score"] <= 1
    # Shots tile the picture between the cuts.
    bounds = [0, *truth.hard_cuts, truth.n_frames]
    assert [(s["start_frame"], s["end_frame"]) for s in doc["shots"]] == list(itertools.pairwise(bounds))


def test_csv_has_one_row_per_cut_with_smpte_timecode(sonics_cli, edit_video, tmp_path):
    result = sonics_cli("analyze", edit_video.path, "-o", tmp_path / "a.json", "--csv", tmp_path / "cuts.csv")
    _ok(result)
    rows = _read_csv(tmp_path / "cuts.csv")
    assert rows[0] == CSV_HEADER
    assert rows[1:] == [
        ["1", "00:00:00:18", "18", "0.750000", "hard", "00:00:00:18", "00:00:00:18", rows[1][7]],
        ["2", "00:00:01:14", "38", "1.583333", "hard", "00:00:01:14", "00:00:01:14", rows[2][7]],
        ["3", "00:00:02:06", "54", "2.250000", "hard", "00:00:02:06", "00:00:02:06", rows[3][7]],
    ]
    assert all(0 < float(row[7]) <= 1 for row in rows[1:])


def test_ntsc_video_gets_drop_frame_timecode(sonics_cli, edit_video_ntsc, tmp_path):
    result = sonics_cli(
        "analyze", edit_video_ntsc.path, "-o", tmp_path / "a.json", "--csv", tmp_path / "cuts.csv"
    )
    _ok(result)
    doc = _read_json(tmp_path / "a.json")
    assert doc["picture"]["fps"] == "30000/1001"
    assert doc["picture"]["has_audio"] is False
    assert doc["audio"] == []
    assert [c["frame"] for c in doc["cuts"]] == [18, 38, 54]
    # Drop-frame timecode separates the frames with ';' (no frame numbers drop before 1 min).
    assert [c["timecode"] for c in doc["cuts"]] == ["00:00:00;18", "00:00:01;08", "00:00:01;24"]
    rows = _read_csv(tmp_path / "cuts.csv")
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [
        ("00:00:00;18", "18", "0.600600"),
        ("00:00:01;08", "38", "1.267933"),
        ("00:00:01;24", "54", "1.801800"),
    ]


def test_drop_frame_timecode_skips_frame_numbers_each_minute(sonics_cli, tmp_path):
    # A timeline alone (no media) is enough to reach the first minutes of 29.97 drop-frame.
    rate = Fraction(30000, 1001)
    timeline = tmp_path / "long.otio"
    otio.adapters.write_to_file(_timeline(rate, [5, 1799, 1800, 17982], 18100, url=None), str(timeline))
    result = sonics_cli("analyze", timeline, "-o", tmp_path / "a.json", "--csv", tmp_path / "cuts.csv")
    _ok(result)
    doc = _read_json(tmp_path / "a.json")
    assert doc["source"] == "timeline"
    assert doc["picture"]["n_frames"] == 18100
    expected = ["00:00:00;05", "00:00:59;29", "00:01:00;02", "00:10:00;00"]
    assert [c["timecode"] for c in doc["cuts"]] == expected
    rows = _read_csv(tmp_path / "cuts.csv")
    assert [r[1] for r in rows[1:]] == expected
    assert [r[2] for r in rows[1:]] == ["5", "1799", "1800", "17982"]
    assert rows[4][3] == f"{17982 * 1001 / 30000:.6f}"


def test_speech_regions_found_where_they_were_put(sonics_cli, edit_video, tmp_path):
    result = sonics_cli("analyze", edit_video.path, "-o", tmp_path / "a.json")
    _ok(result)
    regions = _read_json(tmp_path / "a.json")["audio"]
    assert [r["kind"] for r in regions] == ["speech"] * len(edit_video.speech_regions_s)
    for found, (start_s, end_s) in zip(regions, edit_video.speech_regions_s, strict=True):
        assert found["start_s"] == pytest.approx(start_s, abs=0.1)
        assert found["end_s"] == pytest.approx(end_s, abs=0.1)
        assert math.isfinite(found["level_db"]) and found["level_db"] < 0


def test_no_audio_skips_the_audio(sonics_cli, edit_video, tmp_path):
    result = sonics_cli("-q", "analyze", edit_video.path, "-o", tmp_path / "a.json", "--no-audio")
    _ok(result)
    doc = _read_json(tmp_path / "a.json")
    assert doc["audio"] == []
    assert [c["frame"] for c in doc["cuts"]] == [18, 38, 54]


def test_reading_analysis_json_round_trips(sonics_cli, edit_video, tmp_path):
    first, again = tmp_path / "analysis.json", tmp_path / "again.json"
    _ok(sonics_cli("analyze", edit_video.path, "-o", first))
    before = first.read_bytes()
    result = sonics_cli("analyze", first, "-o", again, "--csv", tmp_path / "cuts.csv")
    _ok(result)
    assert again.read_bytes() == before
    assert first.read_bytes() == before
    assert [r[2] for r in _read_csv(tmp_path / "cuts.csv")[1:]] == ["18", "38", "54"]
    # The library reads it back to an equal document.
    assert sonics.load_analysis(again).to_dict() == json.loads(before)


def test_output_file_has_the_usual_permissions(sonics_cli, edit_video, tmp_path):
    # The user's umask decides, as for any file a program writes; not 0600 from a temporary file.
    out = tmp_path / "analysis.json"
    umask = os.umask(0o022)
    try:
        result = sonics_cli("analyze", edit_video.path, "-o", out, "--no-audio")
    finally:
        os.umask(umask)
    _ok(result)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


# ------------------------------------------------------------------------------------------ timelines


@pytest.mark.parametrize("url_style", ["relative", "file_url"])
def test_otio_timeline_gives_its_cuts_and_finds_its_media(sonics_cli, edit_video, tmp_path, url_style):
    # The timeline lives beside its media, away from the working folder: a relative URL is
    # resolved against the timeline's folder. It states one cut (10) the picture does not show.
    folder = tmp_path / "project"
    folder.mkdir()
    media = folder / "render.mp4"
    media.write_bytes(edit_video.path.read_bytes())
    url = "render.mp4" if url_style == "relative" else media.as_uri()
    timeline = folder / "cut.otio"
    otio.adapters.write_to_file(_timeline(Fraction(24), [10, 18, 38, 54], 72, url), str(timeline))
    out = tmp_path / "analysis.json"
    result = sonics_cli("analyze", timeline, "-o", out, "--csv", tmp_path / "cuts.csv")
    _ok(result)
    assert result.stderr == ""
    doc = _read_json(out)
    assert doc["source"] == "timeline"
    assert [c["frame"] for c in doc["cuts"]] == [10, 18, 38, 54]
    assert all(c["kind"] == "hard" and c["score"] == 1.0 for c in doc["cuts"])
    assert Path(doc["picture"]["path"]).resolve() == media.resolve()
    assert doc["picture"]["n_frames"] == 72 and doc["picture"]["width"] == 320
    assert doc["motion"] is not None
    assert len(doc["audio"]) == 2  # the media's own speech
    assert [r[1] for r in _read_csv(tmp_path / "cuts.csv")[1:]] == [
        "00:00:00:10",
        "00:00:00:18",
        "00:00:01:14",
        "00:00:02:06",
    ]


def test_otio_timeline_with_media_option(sonics_cli, edit_video, tmp_path):
    timeline = tmp_path / "cut.otio"
    otio.adapters.write_to_file(_timeline(Fraction(24), [18, 38, 54], 72, url=None), str(timeline))
    without = tmp_path / "without.json"
    _ok(sonics_cli("analyze", timeline, "-o", without))
    assert _read_json(without)["picture"]["width"] == 0  # no media: cuts only
    assert _read_json(without)["motion"] is None

    out = tmp_path / "with.json"
    result = sonics_cli("analyze", timeline, "--media", edit_video.path, "-o", out, "--no-audio")
    _ok(result)
    assert result.stderr == ""
    doc = _read_json(out)
    assert [c["frame"] for c in doc["cuts"]] == [18, 38, 54]
    assert doc["picture"]["path"] == str(edit_video.path)
    assert (doc["picture"]["width"], doc["picture"]["n_frames"]) == (320, 72)
    assert doc["motion"] is not None
    assert doc["audio"] == []


def test_edl_with_media_and_fps(sonics_cli, edit_video, tmp_path):
    edl = tmp_path / "reel1.edl"
    edl.write_text(_edl([18, 38, 54], 72, 24, "render.mp4"), encoding="utf-8")
    out = tmp_path / "a.json"
    result = sonics_cli(
        "analyze", edl, "--fps", "24", "--media", edit_video.path, "-o", out, "--csv", tmp_path / "c.csv"
    )
    _ok(result)
    assert result.stderr == ""
    doc = _read_json(out)
    assert doc["source"] == "timeline"
    assert [c["frame"] for c in doc["cuts"]] == [18, 38, 54]
    assert doc["picture"]["path"] == str(edit_video.path)
    assert doc["picture"]["n_frames"] == 72
    assert [r[1] for r in _read_csv(tmp_path / "c.csv")[1:]] == ["00:00:00:18", "00:00:01:14", "00:00:02:06"]


def test_edl_without_fps_warns_once_that_it_assumed_24(sonics_cli, tmp_path):
    edl = tmp_path / "reel1.edl"
    edl.write_text(_edl([18, 38, 54], 72, 24, "render.mp4"), encoding="utf-8")
    result = sonics_cli("analyze", edl, "-o", tmp_path / "a.json")
    _ok(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sonics: warning: ") and "reel1.edl" in lines[0] and "24" in lines[0]
    doc = _read_json(tmp_path / "a.json")
    assert [c["frame"] for c in doc["cuts"]] == [18, 38, 54]
    assert doc["picture"]["n_frames"] == 72
    assert doc["warnings"] == [lines[0].removeprefix("sonics: warning: ")]


# ------------------------------------------------------------------------------------------ as a user runs it


def test_subprocess_version(sonics_run):
    done = sonics_run("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"sonics, version {sonics.__version__}"
    assert done.stderr == ""


def test_subprocess_analyze_succeeds_quietly(sonics_run, edit_video, tmp_path):
    done = sonics_run("analyze", edit_video.path, "-o", "analysis.json", "--csv", "cuts.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    _only(tmp_path, "analysis.json", "cuts.csv")
    doc = _read_json(tmp_path / "analysis.json")
    assert doc["schema"] == "sonics.analysis/1"
    assert [c["frame"] for c in doc["cuts"]] == [18, 38, 54]
    assert len(_read_csv(tmp_path / "cuts.csv")) == 4


def test_subprocess_usage_errors_exit_2(sonics_run, edit_video, tmp_path):
    missing_arg = sonics_run("analyze", cwd=tmp_path)
    assert missing_arg.returncode == 2
    assert "Missing argument" in missing_arg.stderr and "Traceback" not in missing_arg.stderr
    bad_option = sonics_run("analyze", edit_video.path, "--bogus", cwd=tmp_path)
    assert bad_option.returncode == 2
    assert "--bogus" in bad_option.stderr and "Traceback" not in bad_option.stderr
    assert list(tmp_path.iterdir()) == []


def test_quiet_and_debug_are_accepted_after_the_command(sonics_cli, edit_video, tmp_path):
    # As documented: sonics analyze INPUT -o analysis.json [...] [-q] [--debug]
    result = sonics_cli("analyze", edit_video.path, "-o", tmp_path / "a.json", "--no-audio", "-q", "--debug")
    _ok(result)
    assert (tmp_path / "a.json").is_file()
