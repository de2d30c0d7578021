"""Run numbered jobs on this process and forked helpers, and hand the results back in order.

Rendering a layer of effects or a part of the score is numpy work made of many small
calls: threads contend for the GIL, processes do not. The helpers are forked, so they
start with everything this process holds (the plan, the job function) without pickling
it; this process works too (a fresh process pays for every page it touches first, a cost
worth avoiding where it can be). Each takes the next job from a shared counter as soon as
it is free, and the results come back in job order, so what the caller does with them
does not depend on how many processes there are.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from sonics.core.memory import release_freed_memory, steady_heap

__all__ = ["JobFn", "WorkerError", "run_jobs", "usable_processes"]

T = TypeVar("T")
JobFn = Callable[[int, Callable[[], None]], T]
"""``job(k, tick)``: do job ``k`` and return its result; ``tick()`` counts progress."""


class WorkerError(RuntimeError):
    """A helper process ended without finishing its job."""


class _RemoteTraceback(Exception):
    """Where an error raised in a helper process came from (shown as its cause)."""

    def __str__(self) -> str:
        return str(self.args[0])


def usable_processes(processes: int, n_jobs: int) -> int:
    """Return how many processes :func:`run_jobs` uses, this one included (1: only this one).

    Helpers are forked, never spawned: a spawned process would import everything
    afresh, which costs more than a short picture takes to render. macOS's system
    libraries are not safe to fork, and Windows cannot: there it is 1. So it is in a
    daemonic process (a Dask or multiprocessing pool's worker), which may have no children.
    """
    if sys.platform == "darwin" or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if multiprocessing.current_process().daemon:
        return 1
    return max(1, min(processes, n_jobs))


def _claim(counter: Any, n_jobs: int) -> int | None:
    """Take the next job from the counter shared by every process; ``None`` when none is left."""
    with counter.get_lock():
        k = int(counter.value)
        if k >= n_jobs:
            return None
        counter.value = k + 1
    return k


def _help(conn: Connection, job: JobFn[Any], counter: Any, n_jobs: int) -> None:
    """Take jobs until none is left, answering each on ``conn`` (a helper process's whole life)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # on Ctrl-C the parent stops its helpers
    # new standard streams: a thread of the parent may have held their locks when it forked
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115

    def tick() -> None:
        conn.send(("tick",))

    while (k := _claim(counter, n_jobs)) is not None:
        conn.send(("claim", k))
        try:
            result = job(k, tick)
        except BaseException as exc:  # handed to the parent, which raises it
            where = traceback.format_exc()
            try:
                conn.send(("error", exc, where))
            except Exception:  # the error does not pickle: send what it says
                conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}"), where))
            return
        conn.send(("done", k, result))


class _Helpers:
    """The forked helpers as seen from here: their answers, read as they come."""

    def __init__(self, job: JobFn[Any], counter: Any, n_jobs: int, n_helpers: int) -> None:
        context = multiprocessing.get_context("fork")
        self.processes: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
        self.claimed: dict[int, int] = {}  # helper -> the job it works on
        for _ in range(n_helpers):
            ours, theirs = context.Pipe(duplex=False)
            process = context.Process(target=_help, args=(theirs, job, counter, n_jobs), daemon=True)
            process.start()
            theirs.close()
            self.processes.append((process, ours))
        self.open = set(range(n_helpers))

    def read(self, results: dict[int, Any], on_tick: Callable[[], None], *, block: bool) -> None:
        """Read every answer waiting (wait for one first if ``block``) into ``results``."""
        if block:
            if not self.open:  # every helper has ended, and the job waited for is not done
                raise WorkerError("a job was lost: no helper process is left to finish it")
            wait([self.processes[h][1] for h in self.open])
        for helper in list(self.open):
            process, conn = self.processes[helper]
            while helper in self.open and conn.poll():
                try:
                    message = conn.recv()
                except EOFError:  # it has ended: fine once it has no job left
                    self.open.discard(helper)
                    if helper in self.claimed:
                        process.join()
                        raise WorkerError(
                            f"a helper process ended during its job (exit code {process.exitcode})"
                        ) from None
                    break
                if message[0] == "tick":
                    on_tick()
                elif message[0] == "claim":
                    self.claimed[helper] = message[1]
                elif message[0] == "done":
                    results[message[1]] = message[2]
                    del self.claimed[helper]
                else:
                    raise message[1] from _RemoteTraceback(message[2])

    def stop(self, *, finished: bool) -> None:
        """Stop the helpers at once if the jobs are not ``finished``; else let them end on their own.

        A helper whose jobs are done has only to exit, which takes a forked copy of a process
        this size some milliseconds (its mappings torn down); this process does not wait for
        that. multiprocessing reaps it when it next starts a process, or at exit.
        """
        for process, conn in self.processes:
            conn.close()
            if not finished:
                process.terminate()
        if not finished:
            for process, _ in self.processes:
                process.join()


def run_jobs(
    n_jobs: int, job: JobFn[T], *, processes: int, on_count: Callable[[int], None] | None = None
) -> Iterator[tuple[int, T]]:
    """Yield ``(k, job(k, tick))`` for ``k`` in ``0 .. n_jobs - 1``, in that order.

    Parameters
    ----------
    n_jobs : int
        Number of jobs.
    job : callable
        ``job(k, tick)``, run here or in a forked helper; its result must pickle. It may
        call ``tick()`` to count progress.
    processes : int
        Processes working, this one included, from :func:`usable_processes`.
    on_count : callable, optional
        Called here with the number of ticks so far (the helpers' as this process reads
        them, between its own jobs and ticks).

    Raises
    ------
    WorkerError
        If a helper process ends before finishing its job (killed, out of memory).
    Exception
        Whatever ``job`` raised, here or in a helper (then with its traceback as the cause).
    """
    count = [0]

    def tick() -> None:
        count[0] += 1
        if on_count is not None:
            on_count(count[0])

    with steady_heap():
        if processes <= 1:
            for k in range(n_jobs):
                yield k, job(k, tick)
        else:
            yield from _run_forked(n_jobs, job, processes, tick)


def _run_forked(
    n_jobs: int, job: JobFn[T], processes: int, tick: Callable[[], None]
) -> Iterator[tuple[int, T]]:
    """:func:`run_jobs` on this process and ``processes - 1`` forked helpers."""
    counter = multiprocessing.get_context("fork").Value("q", 0)
    release_freed_memory()  # a kept page written after the fork would be copied first
    helpers = _Helpers(job, counter, n_jobs, processes - 1)
    results: dict[int, T] = {}

    def tick_and_read() -> None:  # this process's own ticks also read the helpers' news
        tick()
        helpers.read(results, tick, block=False)

    finished = False
    try:
        for wanted in range(n_jobs):
            while wanted not in results:
                helpers.read(results, tick, block=False)
                if wanted in results:
                    break
                k = _claim(counter, n_jobs)
                if k is not None:
                    results[k] = job(k, tick_and_read)
                else:  # every job is taken and this one is a helper's: wait for it
                    helpers.read(results, tick, block=True)
            yield wanted, results.pop(wanted)
        finished = True
    finally:
        helpers.stop(finished=finished)
