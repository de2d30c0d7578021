"""Jobs on forked worker processes: results in order, errors raised here, dead workers noticed."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from sonics.core.errors import ParameterError
from sonics.sfx._pool import WorkerError, run_jobs, usable_processes

pytestmark = pytest.mark.skipif(usable_processes(2, 2) == 1, reason="this platform does not fork")


def _square_after_ticks(k: int, tick) -> tuple[int, int]:
    for _ in range(k):
        tick()
    return k * k, os.getpid()


def test_results_come_back_in_job_order_from_several_processes_with_their_ticks():
    counts = []
    results = list(run_jobs(7, _square_after_ticks, processes=2, on_count=counts.append))
    assert [k for k, _ in results] == list(range(7))
    assert [value for _, (value, _) in results] == [k * k for k in range(7)]
    assert len({pid for _, (_, pid) in results}) == 2 and os.getpid() not in {pid for _, (_, pid) in results}
    assert counts == list(range(1, sum(range(7)) + 1))


def test_one_process_runs_the_jobs_here():
    assert {pid for _, (_, pid) in run_jobs(3, _square_after_ticks, processes=1)} == {os.getpid()}


def test_usable_processes_is_never_more_than_the_jobs():
    assert usable_processes(4, 2) == 2 and usable_processes(2, 0) == 1 and usable_processes(0, 5) == 1


def _fails_on_three(k: int, tick) -> int:
    if k == 3:
        raise ParameterError("job 3 must not run, got 3")
    return k


def test_an_error_in_a_worker_is_raised_here_with_its_message_and_the_workers_traceback():
    with pytest.raises(ParameterError, match="job 3 must not run") as caught:
        list(run_jobs(6, _fails_on_three, processes=2))
    assert "_fails_on_three" in str(caught.value.__cause__)


def _dies_on_two(k: int, tick) -> int:
    if k == 2:
        os._exit(3)
    return k


def test_a_worker_that_dies_is_an_error_not_a_hang():
    with pytest.raises(WorkerError, match="exit code 3"):
        list(run_jobs(5, _dies_on_two, processes=2))


def test_leaving_early_stops_the_workers():
    jobs = run_jobs(50, _square_after_ticks, processes=2)
    assert next(jobs)[0] == 0
    jobs.close()
    assert multiprocessing.active_children() == []
