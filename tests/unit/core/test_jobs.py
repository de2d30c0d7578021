"""Jobs on forked worker processes: results in order, errors raised here, dead workers noticed."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from sonics.core.errors import ParameterError
from sonics.core.jobs import WorkerError, run_jobs, usable_processes

pytestmark = pytest.mark.skipif(usable_processes(2, 2) == 1, reason="this platform does not fork")


def _square_after_ticks(k: int, tick) -> tuple[int, int]:
    for _ in range(k):
        tick()
    return k * k, os.getpid()


def _slow_square(k: int, tick) -> tuple[int, int]:
    for _ in range(k):
        time.sleep(0.002)
        tick()
    return k * k, os.getpid()


def test_results_come_back_in_job_order_from_this_process_and_its_helpers_with_their_ticks():
    counts = []
    results = list(run_jobs(9, _slow_square, processes=3, on_count=counts.append))
    assert [k for k, _ in results] == list(range(9))
    assert [value for _, (value, _) in results] == [k * k for k in range(9)]
    pids = {pid for _, (_, pid) in results}
    assert len(pids) == 3 and os.getpid() in pids
    assert counts == list(range(1, sum(range(9)) + 1))


def test_helpers_whose_jobs_are_done_end_on_their_own():
    helpers = {pid for _, (_, pid) in run_jobs(6, _slow_square, processes=3)} - {os.getpid()}
    assert helpers  # the run does not wait for their exit; they end without being told to
    for helper in multiprocessing.active_children():
        helper.join(timeout=10)
        assert helper.exitcode == 0
    assert multiprocessing.active_children() == []


def test_one_process_runs_the_jobs_here():
    assert {pid for _, (_, pid) in run_jobs(3, _square_after_ticks, processes=1)} == {os.getpid()}


def test_usable_processes_is_never_more_than_the_jobs():
    assert usable_processes(4, 2) == 2 and usable_processes(2, 0) == 1 and usable_processes(0, 5) == 1


def _fails_on_three(k: int, tick) -> int:
    if k == 3:
        raise ParameterError("job 3 must not run, got 3")
    return k


def test_an_error_is_raised_here_with_its_message_wherever_it_happened():
    for _ in range(3):  # job 3 runs here or in the helper, as the two happen to be free
        with pytest.raises(ParameterError, match="job 3 must not run") as caught:
            list(run_jobs(6, _fails_on_three, processes=2))
        if caught.value.__cause__ is not None:
            assert "_fails_on_three" in str(caught.value.__cause__)


_PARENT = os.getpid()


def _dies_in_a_helper(k: int, tick) -> int:
    if os.getpid() != _PARENT:
        os._exit(3)
    time.sleep(0.05)  # long enough for the helper to take a job
    return k


def test_a_helper_that_dies_is_an_error_not_a_hang():
    with pytest.raises(WorkerError, match="exit code 3"):
        list(run_jobs(5, _dies_in_a_helper, processes=2))


def test_leaving_early_stops_the_workers():
    for finished in multiprocessing.active_children():  # earlier tests' helpers, ending on their own
        finished.join()
    jobs = run_jobs(50, _square_after_ticks, processes=2)
    assert next(jobs)[0] == 0
    jobs.close()
    assert multiprocessing.active_children() == []


def _report_usable(conn) -> None:
    conn.send(usable_processes(2, 4))


def test_a_daemonic_process_forks_no_helpers():
    ours, theirs = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_report_usable, args=(theirs,), daemon=True)
    child.start()
    assert ours.recv() == 1
    child.join()
