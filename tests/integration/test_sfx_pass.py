"""``write_sfx_pass`` from the library: the files do not depend on the number of workers."""

from __future__ import annotations

from pathlib import Path

from sonics.pipeline.sfx import sfx_pass, write_sfx_pass


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_one_worker_or_several_write_the_same_bytes(edit_video, tmp_path):
    result = sfx_pass(edit_video.path, seed=5)
    progress: list[tuple[str, int, int | None]] = []
    for workers in (1, 2, 3):
        written = write_sfx_pass(
            result, tmp_path / f"w{workers}", workers=workers, on_progress=lambda *a: progress.append(a)
        )
        assert {p.name for p in written} >= {"sfx.wav", "cues.json", "sfx_plan.json"}
    one = _files(tmp_path / "w1")
    assert len(one) == len(result.plan.layers) + 5  # stems, premix, analysis, cues json and csv, plan
    assert _files(tmp_path / "w2") == one and _files(tmp_path / "w3") == one
    assert progress[-1] == ("sfx", len(result.plan.sounds), len(result.plan.sounds))
