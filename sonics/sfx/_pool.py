"""Run numbered jobs on forked worker processes and hand their results back in order.

Rendering a layer is numpy work made of many small calls: threads contend for the GIL,
processes do not. Workers are forked, so they start with everything the caller holds
(the plan, the job function) without pickling it; each takes the next job as soon as it
is free, and the results come back in job order, so what the caller does with them does
not depend on how many workers there are.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

T = TypeVar("T")
JobFn = Callable[[int, Callable[[], None]], T]
"""``job(k, tick)``: do job ``k`` and return its result; ``tick()`` counts progress."""


class WorkerError(RuntimeError):
    """A worker process ended without finishing its job."""


class _RemoteTraceback(Exception):
    """Where an error raised in a worker process came from (shown as its cause)."""

    def __str__(self) -> str:
        return str(self.args[0])


def usable_processes(processes: int, n_jobs: int) -> int:
    """Return how many worker processes :func:`run_jobs` uses: 1 means the jobs run here.

    Processes are forked (as on Linux), never spawned: a spawned worker would import
    everything afresh, which costs more than a short picture takes to render.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(processes, n_jobs))


def _work(conn: Connection, job: JobFn[Any]) -> None:
    """A worker: run the jobs sent on ``conn`` until it sends ``None``; answer each."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # on Ctrl-C the parent stops its workers
    # new standard streams: a thread of the parent may have held their locks when it forked
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115

    def tick() -> None:
        conn.send(("tick",))

    while (k := conn.recv()) is not None:
        try:
            result = job(k, tick)
        except BaseException as exc:  # handed to the parent, which raises it
            where = traceback.format_exc()
            try:
                conn.send(("error", exc, where))
            except Exception:  # the error does not pickle: send what it says
                conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}"), where))
        else:
            conn.send(("done", k, result))


def _receive(process: multiprocessing.process.BaseProcess, conn: Connection) -> tuple[Any, ...]:
    try:
        return conn.recv()
    except EOFError:  # its end of the pipe closed: the process is gone
        process.join()
        raise WorkerError(f"a worker process ended during its job (exit code {process.exitcode})") from None


def _in_process(
    n_jobs: int, job: JobFn[T], on_count: Callable[[int], None] | None
) -> Iterator[tuple[int, T]]:
    count = [0]

    def tick() -> None:
        count[0] += 1
        if on_count is not None:
            on_count(count[0])

    for k in range(n_jobs):
        yield k, job(k, tick)


def run_jobs(
    n_jobs: int, job: JobFn[T], *, processes: int, on_count: Callable[[int], None] | None = None
) -> Iterator[tuple[int, T]]:
    """Yield ``(k, job(k, tick))`` for ``k`` in ``0 .. n_jobs - 1``, in that order.

    Parameters
    ----------
    n_jobs : int
        Number of jobs.
    job : callable
        ``job(k, tick)``, run in a forked worker (or here, with one process); its result
        must pickle. It may call ``tick()`` to count progress.
    processes : int
        Worker processes, from :func:`usable_processes`; with 1 the jobs run here, one
        after another.
    on_count : callable, optional
        Called here with the number of ticks so far, as they come.

    Raises
    ------
    WorkerError
        If a worker process ends before finishing its job (killed, out of memory).
    Exception
        Whatever ``job`` raised in a worker, with the worker's traceback as its cause.
    """
    if processes <= 1:
        yield from _in_process(n_jobs, job, on_count)
        return
    context = multiprocessing.get_context("fork")
    workers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    finished = False
    try:
        for _ in range(processes):
            ours, theirs = context.Pipe()
            process = context.Process(target=_work, args=(theirs, job), daemon=True)
            process.start()
            theirs.close()
            workers.append((process, ours))
        idle, busy = list(range(processes)), set[int]()
        results: dict[int, T] = {}
        next_job = count = 0
        for wanted in range(n_jobs):
            while wanted not in results:
                while idle and next_job < n_jobs:  # every free worker takes the next job
                    worker = idle.pop()
                    workers[worker][1].send(next_job)
                    busy.add(worker)
                    next_job += 1
                ready = wait([workers[w][1] for w in busy])
                for worker in [w for w in busy if workers[w][1] in ready]:
                    process, conn = workers[worker]
                    while worker in busy and conn.poll():
                        message = _receive(process, conn)
                        if message[0] == "tick":
                            count += 1
                            if on_count is not None:
                                on_count(count)
                        elif message[0] == "done":
                            results[message[1]] = message[2]
                            busy.discard(worker)
                            idle.append(worker)
                        else:
                            raise message[1] from _RemoteTraceback(message[2])
            yield wanted, results.pop(wanted)
        finished = True
    finally:
        for process, conn in workers:
            if finished:
                conn.send(None)  # every worker is idle now: let it end
            else:
                process.terminate()
        for process, conn in workers:
            process.join()
            conn.close()
