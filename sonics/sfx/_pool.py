"""Fill long float32 buffers on forked worker processes, a few shared buffers reused.

Rendering a layer is numpy work made of many small calls: threads contend for the GIL,
processes do not. Each job fills one zeroed stereo buffer held in an anonymous shared
memory map, so nothing is copied back; the buffers are handed back in job order and
reused, so memory holds ``processes + 1`` of them whatever the number of jobs, and what
the caller does with them does not depend on how many processes filled them.
"""

from __future__ import annotations

import mmap
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait

import numpy as np

FillFn = Callable[[int, np.ndarray, Callable[[], None]], None]
"""``fill(job, out, tick)``: add job ``job``'s audio into the silent ``out``; ``tick()`` counts progress."""

_POLL_S = 0.1
"""How often progress is read while waiting for a worker."""

_worker_state: dict[str, object] = {}
"""What a worker process inherits when it is forked: the fill function and the shared memory."""


def usable_processes(processes: int, n_jobs: int) -> int:
    """Return how many worker processes :func:`filled_buffers` uses: 1 means the jobs run here.

    Processes are forked (as on Linux), never spawned: a spawned worker would import
    everything afresh, which costs more than a short picture takes to render.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(processes, n_jobs))


def stem_buffer(n_samples: int) -> np.ndarray:
    """Return a silent stereo stem, shape ``(2, n_samples)``, float32, stored interleaved.

    The samples of both channels alternate in memory, as in a WAV file, so a stem is
    written out without being reordered; numpy reads it as any ``(2, n)`` array.

    Examples
    --------
    >>> stem = stem_buffer(4)
    >>> stem.shape, stem.dtype.name, stem.T.flags.c_contiguous
    ((2, 4), 'float32', True)
    """
    return np.zeros((n_samples, 2), dtype=np.float32).T


def _stereo_views(memory: mmap.mmap, n_buffers: int, n_samples: int) -> list[np.ndarray]:
    # interleaved like a WAV file's samples, seen as (2, n) arrays
    size = 2 * n_samples
    return [
        np.frombuffer(memory, dtype=np.float32, count=size, offset=4 * size * k).reshape(n_samples, 2).T
        for k in range(n_buffers)
    ]


def _counts_view(memory: mmap.mmap, n_buffers: int, n_samples: int, n_jobs: int) -> np.ndarray:
    return np.frombuffer(memory, dtype=np.int64, count=n_jobs, offset=8 * n_samples * n_buffers)


def _start_worker(fill: FillFn, memory: mmap.mmap, n_buffers: int, n_samples: int, n_jobs: int) -> None:
    _worker_state["fill"] = fill
    _worker_state["buffers"] = _stereo_views(memory, n_buffers, n_samples)
    _worker_state["counts"] = _counts_view(memory, n_buffers, n_samples, n_jobs)


def _run_job(job: int, buffer: int) -> None:
    out = _worker_state["buffers"][buffer]  # type: ignore[index]
    counts = _worker_state["counts"]
    out.fill(0.0)

    def tick() -> None:
        counts[job] += 1  # type: ignore[index]

    _worker_state["fill"](job, out, tick)  # type: ignore[operator]


def _in_process(
    n_jobs: int, fill: FillFn, n_samples: int, on_count: Callable[[int], None] | None
) -> Iterator[tuple[int, np.ndarray]]:
    out = stem_buffer(n_samples)
    done = [0]

    def tick() -> None:
        done[0] += 1
        if on_count is not None:
            on_count(done[0])

    for job in range(n_jobs):
        if job:
            out.fill(0.0)
        fill(job, out, tick)
        yield job, out


def filled_buffers(
    n_jobs: int,
    fill: FillFn,
    n_samples: int,
    *,
    processes: int,
    on_count: Callable[[int], None] | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(job, buffer)`` for jobs ``0 .. n_jobs - 1`` in order, each buffer filled by ``fill``.

    Parameters
    ----------
    n_jobs : int
        Number of jobs.
    fill : callable
        ``fill(job, out, tick)``, run in a forked worker (or here, with one process):
        adds the job's audio into ``out`` (silent, float32, shape ``(2, n_samples)``,
        interleaved) and calls ``tick()`` as it goes.
    n_samples : int
        Length of every buffer.
    processes : int
        Worker processes, from :func:`usable_processes`; with 1 the jobs run here, one
        after another, in one buffer.
    on_count : callable, optional
        Called here with the number of ticks so far, as they come.

    Yields
    ------
    job : int
        The job, in order.
    buffer : numpy.ndarray
        Its filled buffer, shape ``(2, n_samples)``; valid until the next item is asked for.
    """
    if processes <= 1:
        yield from _in_process(n_jobs, fill, n_samples, on_count)
        return
    n_buffers = min(processes + 1, n_jobs)
    # MAP_SHARED anonymous memory, made before the fork: the workers write where the caller reads
    memory = mmap.mmap(-1, 8 * n_samples * n_buffers + 8 * n_jobs)
    buffers = _stereo_views(memory, n_buffers, n_samples)
    counts = _counts_view(memory, n_buffers, n_samples, n_jobs)
    pool = ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(fill, memory, n_buffers, n_samples, n_jobs),
    )
    free, running = list(range(n_buffers)), deque[tuple[int, int, Future[None]]]()
    next_job, reported = 0, 0
    try:
        while next_job < n_jobs or running:
            while free and next_job < n_jobs:
                buffer = free.pop()
                running.append((next_job, buffer, pool.submit(_run_job, next_job, buffer)))
                next_job += 1
            job, buffer, future = running[0]
            while True:
                done = int(counts.sum())
                if on_count is not None and done != reported:
                    reported = done
                    on_count(done)
                if future.done():
                    break
                wait([future], timeout=_POLL_S)
            future.result()  # a worker's error is raised here
            running.popleft()
            yield job, buffers[buffer]
            free.append(buffer)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
