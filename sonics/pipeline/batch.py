"""``sonics.batch``: score a whole series, one Dask task per episode, on this machine or a cluster.

Each episode is scored by :func:`sonics.score` into ``OUTROOT/<episode>/`` (built beside
itself and moved into place whole, so a worker killed mid-episode leaves no half-written
folder). An episode whose inputs, preset and seed are unchanged since its last successful
run (the content key in its ``run.json``) is skipped unless ``force``. One bad episode fails
alone, with its error line in the summary; a worker that dies is replaced and its episode
retried once. The summary is written as ``batch.json`` and ``batch.csv``.

By default a :class:`dask.distributed.LocalCluster` of ``workers`` processes runs the tasks;
``scheduler="tcp://host:8786"`` uses a running cluster instead (its workers need sonics
installed and the episodes' files at the same paths).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sonics import __version__
from sonics.core.errors import ExportError, SonicsError
from sonics.core.model import Analysis
from sonics.export.files import json_bytes, remove_stale_staging, write_files_atomic
from sonics.pipeline.analyze import Progress, analyze_chunk, analyze_joined, plan_chunks
from sonics.pipeline.episodes import VIDEO_SUFFIXES, Episode, find_episodes
from sonics.pipeline.score import RUN_JSON, run_key, score
from sonics.presets import apply_overrides, load_preset

__all__ = ["BATCH_CSV", "BATCH_JSON", "BatchResult", "EpisodeResult", "batch", "episode_key", "run_episode"]

BATCH_JSON = "batch.json"
BATCH_CSV = "batch.csv"

_SUMMARY_FIELDS = ("duration_s", "n_cuts", "integrated_lufs", "true_peak_dbtp")


@dataclass(frozen=True, slots=True)
class EpisodeResult:
    """How one episode went.

    Parameters
    ----------
    name : str
        The episode (its folder under the output root).
    source : str
        Its input.
    status : str
        ``"done"``, ``"skipped"`` (unchanged since its last run) or ``"failed"``.
    duration_s : float or None
        The picture's length.
    n_cuts : int or None
        Hard cuts found.
    integrated_lufs, true_peak_dbtp : float or None
        The mix's loudness and true peak.
    wall_s : float
        Wall time of the task (0 for a skipped episode).
    error : str
        The error line of a failed episode.
    key : str
        The content key of its inputs.
    """

    name: str
    source: str
    status: str
    duration_s: float | None = None
    n_cuts: int | None = None
    integrated_lufs: float | None = None
    true_peak_dbtp: float | None = None
    wall_s: float = 0.0
    error: str = ""
    key: str = ""


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Every episode's outcome, in the order given."""

    out_root: Path
    episodes: tuple[EpisodeResult, ...]
    files: tuple[Path, ...] = field(default=())

    @property
    def n_failed(self) -> int:
        """Episodes that failed."""
        return sum(1 for e in self.episodes if e.status == "failed")

    def to_dict(self) -> dict[str, Any]:
        """Return the ``batch.json`` document (``schema: sonics.batch/1``)."""
        counts = {s: sum(1 for e in self.episodes if e.status == s) for s in ("done", "skipped", "failed")}
        return {
            "schema": "sonics.batch/1",
            "sonics": __version__,
            "counts": counts,
            "episodes": [asdict(e) for e in self.episodes],
        }

    def to_csv(self) -> str:
        """Return ``batch.csv``: one row per episode."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        names = [f.name for f in EpisodeResult.__dataclass_fields__.values()]
        writer.writerow(names)
        for episode in self.episodes:
            writer.writerow(["" if getattr(episode, n) is None else getattr(episode, n) for n in names])
        return buffer.getvalue()


def _previous_key(out_dir: Path) -> tuple[str, dict[str, Any]] | None:
    try:
        document = json.loads((out_dir / RUN_JSON).read_text(encoding="utf-8"))
        return str(document["key"]), dict(document.get("summary", {}))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def episode_key(episode: Episode) -> str:
    """Return the content key of an episode's inputs (see :func:`~sonics.pipeline.score.run_key`)."""
    preset = load_preset(episode.preset)
    preset = apply_overrides(preset, list(episode.overrides)) if episode.overrides else preset
    return run_key(episode.source, preset, episode.seed)


def _unchanged(episode: Episode, out_root: str, key: str) -> EpisodeResult | None:
    """Return the skipped result of an episode whose last run has this key, else None."""
    previous = _previous_key(Path(out_root) / episode.name)
    if previous is None or previous[0] != key:
        return None
    summary = previous[1]
    return EpisodeResult(
        episode.name, episode.source, "skipped", key=key, **{k: summary.get(k) for k in _SUMMARY_FIELDS}
    )


def run_episode(
    episode: Episode,
    out_root: str,
    *,
    force: bool = False,
    threads: int = 1,
    analysis: Analysis | None = None,
) -> EpisodeResult:
    """Score one episode into ``out_root/<name>/`` (the task each Dask worker runs).

    Never raises for a bad episode: its error becomes the result's ``error`` line, so the
    other episodes go on.

    Parameters
    ----------
    episode : Episode
        What to score.
    out_root : str
        The series' output root (it exists).
    force : bool
        Score it even when its inputs are unchanged since its last run.
    threads : int
        Threads the run renders with (1 per worker process suits a machine full of workers).
    analysis : Analysis, optional
        The episode's analysis, made already (in time chunks by other tasks).

    Returns
    -------
    EpisodeResult
        ``"done"``, ``"skipped"`` or ``"failed"``.
    """
    started = time.perf_counter()
    out_dir = Path(out_root) / episode.name
    base = EpisodeResult(episode.name, episode.source, "failed")
    try:
        preset = load_preset(episode.preset)
        preset = apply_overrides(preset, list(episode.overrides)) if episode.overrides else preset
        key = run_key(episode.source, preset, episode.seed)
        skipped = None if force else _unchanged(episode, out_root, key)
        if skipped is not None:
            return skipped
        remove_stale_staging(out_dir)  # from a worker killed during an earlier try
        result = score(
            episode.source,
            preset=preset,
            out_dir=out_dir,
            seed=episode.seed,
            force=True,
            workers=threads,
            analysis=analysis,
        )
    except SonicsError as exc:
        message = str(exc).strip().splitlines()
        return _failed(base, " ".join(line.strip(" -") for line in message), started)
    except Exception as exc:  # a bug in one episode must not stop the series
        return _failed(base, f"internal error ({type(exc).__name__}: {exc})", started)
    summary = result.summary()
    return EpisodeResult(
        episode.name,
        episode.source,
        "done",
        wall_s=round(time.perf_counter() - started, 3),
        key=result.key,
        **{k: summary.get(k) for k in _SUMMARY_FIELDS},
    )


def _failed(base: EpisodeResult, error: str, started: float) -> EpisodeResult:
    return EpisodeResult(
        base.name, base.source, "failed", wall_s=round(time.perf_counter() - started, 3), error=error
    )


def _submit(
    client: Any,
    episode: Episode,
    index: int,
    out_root: str,
    force: bool,
    chunk_s: float | None,
    outcomes: dict[str, EpisodeResult],
) -> Any:
    """Submit one episode (its analysis chunks first when asked); None when it needs no task."""
    name = f"sonics-episode-{index}-{episode.name}"
    specs: tuple[Any, ...] = ()
    if chunk_s is not None and Path(episode.source).suffix.lower() in VIDEO_SUFFIXES:
        try:
            skipped = None if force else _unchanged(episode, out_root, episode_key(episode))
            if skipped is not None:
                outcomes[episode.name] = skipped
                return None
            specs = plan_chunks(episode.source, chunk_s=chunk_s)
        except SonicsError:
            specs = ()  # the episode's own task meets the same error and reports it
    if len(specs) < 2:
        return client.submit(run_episode, episode, out_root, force=force, key=name, pure=False)
    parts = [
        client.submit(analyze_chunk, episode.source, spec, key=f"{name}-chunk-{spec.index}", pure=False)
        for spec in specs
    ]
    joined = client.submit(analyze_joined, episode.source, parts, key=f"{name}-analysis", pure=False)
    return client.submit(run_episode, episode, out_root, force=True, analysis=joined, key=name, pure=False)


def _client(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """Return a Dask client (and the local cluster it owns, or None)."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise SonicsError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
    # a worker that dies is replaced and its task run once more; a second death fails the episode
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,  # a worker's last heartbeat at shutdown is no error of the run
        )
    return Client(cluster), cluster


def batch(
    inputs: Iterable[str | os.PathLike[str]] | Sequence[Episode],
    *,
    out_root: str | os.PathLike[str],
    preset: str = "battle",
    seed: int = 0,
    workers: int = 2,
    scheduler: str | None = None,
    force: bool = False,
    chunk_s: float | None = None,
    on_progress: Progress | None = None,
) -> BatchResult:
    """Score every episode of a series on Dask, each into its own folder, and write the summary.

    Parameters
    ----------
    inputs : iterable of path, or sequence of Episode
        Video files, folders of videos, ``.txt`` or ``.csv`` lists (see
        :func:`~sonics.pipeline.episodes.find_episodes`), or the episodes themselves.
    out_root : str or Path
        The series' output root; made if missing (its parent must exist).
    preset : str
        Preset of the episodes a list gives none.
    seed : int
        Seed of the episodes a list gives none.
    workers : int
        Worker processes of the local cluster (ignored with ``scheduler``).
    scheduler : str, optional
        Address of a running Dask scheduler (``"tcp://host:8786"``).
    force : bool
        Score every episode, even those unchanged since their last run.
    chunk_s : float, optional
        Split the picture analysis of every video longer than this (s) into time chunks,
        one task each, joined bit for bit (a cut at a seam is reported once); the rest of
        the episode is one task.
    on_progress : callable, optional
        Called as ``on_progress("batch", episodes_done, n_episodes)``.

    Returns
    -------
    BatchResult
        Every episode's outcome; ``n_failed`` says whether some failed.

    Raises
    ------
    SonicsError
        If the inputs name no episode, the output root cannot be made, or the scheduler
        cannot be reached (a bad episode does not raise: it fails alone).

    Examples
    --------
    >>> result = sonics.batch(["series/"], out_root="scored", workers=2)  # doctest: +SKIP
    >>> result.n_failed  # doctest: +SKIP
    0
    """
    from dask.distributed import as_completed

    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SonicsError(f"workers must be an integer >= 1, got {workers!r}")
    items = list(inputs)
    episodes = (
        tuple(items)
        if items and all(isinstance(e, Episode) for e in items)
        else find_episodes(items, preset=preset, seed=seed)
    )
    root = Path(out_root)
    if not root.parent.resolve().is_dir():
        raise ExportError(f"{root}: the folder {root.parent} does not exist")
    try:
        root.mkdir(exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{root}: cannot create the folder ({str(exc.strerror or exc).lower()})") from None
    outcomes: dict[str, EpisodeResult] = {}
    client, cluster = _client(workers, scheduler)
    try:
        futures = {}
        for i, episode in enumerate(episodes):
            submitted = _submit(client, episode, i, str(root), force, chunk_s, outcomes)
            if submitted is not None:
                futures[submitted] = episode
        if on_progress is not None:
            on_progress("batch", 0, len(episodes))
        for n_done, future in enumerate(as_completed(futures), start=len(outcomes) + 1):
            episode = futures[future]
            try:
                outcomes[episode.name] = future.result()
            except Exception as exc:  # the worker died twice (KilledWorker), or the task could not run
                reason = f"{type(exc).__name__}: {exc}".strip()
                outcomes[episode.name] = EpisodeResult(episode.name, episode.source, "failed", error=reason)
            if on_progress is not None:
                on_progress("batch", n_done, len(episodes))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    result = BatchResult(root, tuple(outcomes[e.name] for e in episodes))
    written = write_files_atomic(
        {root / BATCH_JSON: json_bytes(result.to_dict()), root / BATCH_CSV: result.to_csv().encode("utf-8")}
    )
    return BatchResult(root, result.episodes, tuple(written))
