"""``sonics batch`` on a real Dask LocalCluster: a series with a corrupt episode, re-runs, a killed worker."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import dask
import pytest
from dask.distributed import Client, LocalCluster

from sonics.pipeline.batch import batch
from sonics.pipeline.episodes import find_episodes
from sonics.testing import render_edit, simple_edit


def _render(path: Path, seed: int) -> None:
    render_edit(simple_edit((12, 12, 12), width=160, height=90, frame_rate=24, seed=seed), path)


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    folder = tmp_path_factory.mktemp("series")
    for i in (1, 2):
        _render(folder / f"ep0{i}.mp4", seed=i)
    (folder / "ep03.mp4").write_bytes(b"this is not a video")
    return folder


@pytest.fixture(scope="module")
def cluster():
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    yield local
    local.close()


def _statuses(result):
    return {e.name: e.status for e in result.episodes}


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_series_scores_its_good_episodes_and_fails_the_bad_one_alone(series, cluster, tmp_path):
    out = tmp_path / "scored"
    result = batch([series], out_root=out, scheduler=cluster.scheduler_address)
    assert _statuses(result) == {"ep01": "done", "ep02": "done", "ep03": "failed"}
    failed = result.episodes[2]
    assert "ep03.mp4: not a video file" in failed.error and "\n" not in failed.error
    assert result.n_failed == 1
    summary = json.loads((out / "batch.json").read_text())
    assert summary["counts"] == {"done": 2, "skipped": 0, "failed": 1}
    rows = (out / "batch.csv").read_text().splitlines()
    assert rows[0].startswith("name,source,status,duration_s,n_cuts,integrated_lufs")
    assert [r.split(",")[2] for r in rows[1:]] == ["done", "done", "failed"]
    for name in ("ep01", "ep02"):
        assert (out / name / "scored.mp4").is_file() and (out / name / "run.json").is_file()
    assert not (out / "ep03").exists() and _hidden(out) == []

    # unchanged episodes are skipped; a re-cut one is scored again; --force redoes all
    again = batch([series], out_root=out, scheduler=cluster.scheduler_address)
    assert _statuses(again) == {"ep01": "skipped", "ep02": "skipped", "ep03": "failed"}
    assert again.episodes[0].integrated_lufs == result.episodes[0].integrated_lufs
    _render(series / "ep02.mp4", seed=7)
    recut = batch([series], out_root=out, scheduler=cluster.scheduler_address)
    assert _statuses(recut) == {"ep01": "skipped", "ep02": "done", "ep03": "failed"}
    forced = batch([series], out_root=out, scheduler=cluster.scheduler_address, force=True)
    assert _statuses(forced) == {"ep01": "done", "ep02": "done", "ep03": "failed"}

    # the analysis split into time chunks (one task each) gives the same bytes as one task
    chunked = batch(
        [series / "ep01.mp4"], out_root=tmp_path / "chunked", scheduler=cluster.scheduler_address, chunk_s=0.5
    )
    assert _statuses(chunked) == {"ep01": "done"}
    for name in ("analysis.json", "cues.json", "tempo.json", "mix/mix.wav"):
        assert (tmp_path / "chunked" / "ep01" / name).read_bytes() == (out / "ep01" / name).read_bytes()


def test_a_worker_killed_mid_episode_is_replaced_and_the_episode_retried(series, cluster, tmp_path):
    out = tmp_path / "scored"
    episodes = find_episodes([series / "ep01.mp4"])
    done: list = []
    runner = threading.Thread(
        target=lambda: done.append(batch(episodes, out_root=out, scheduler=cluster.scheduler_address))
    )
    runner.start()
    with Client(cluster.scheduler_address) as client:
        deadline = time.monotonic() + 120
        while not (out.exists() and _hidden(out)):  # the episode is writing its staging folder
            assert time.monotonic() < deadline and runner.is_alive()
            time.sleep(0.01)
        busy = [w for w, keys in client.processing().items() if keys]
        assert len(busy) == 1
        pid = client.run(os.getpid, workers=busy)[busy[0]]
        os.kill(pid, signal.SIGKILL)
        runner.join(timeout=180)
    (result,) = done
    assert _statuses(result) == {"ep01": "done"}
    assert (out / "ep01" / "scored.mp4").is_file()
    assert _hidden(out) == []  # the killed try's staging folder was cleared by the retry
