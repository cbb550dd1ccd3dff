"""Forked pool workers are replaced after a few tasks (:data:`.executor.WORKER_TASKS`): the
results stay in task order, each worker takes at most that many tasks, and a worker that
dies fails the run (it never hangs)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from rapprochement.matching import executor
from rapprochement.matching.executor import ProcessPool

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="forked workers only"
)


def _pid_and_square(shared: int, task: int) -> tuple[int, int]:
    return os.getpid(), shared + task * task


def _dies_on_three(shared: int, task: int) -> int:
    if task == 3:
        os._exit(1)  # (a worker killed mid-task: out of memory, a signal)
    return task


def test_results_in_task_order_and_workers_replaced() -> None:
    pool = ProcessPool(workers=2, mp_context=multiprocessing.get_context("fork"))
    tasks = list(range(11))
    got = pool.run(_pid_and_square, 100, tasks)
    assert [v for _, v in got] == [100 + t * t for t in tasks]
    pids = [p for p, _ in got]
    assert os.getpid() not in pids  # (run in workers, not here)
    # no worker took more than WORKER_TASKS tasks, so 11 tasks took at least 4 workers
    assert max(pids.count(p) for p in set(pids)) <= executor.WORKER_TASKS
    assert len(set(pids)) >= -(-len(tasks) // executor.WORKER_TASKS)


def test_a_worker_that_dies_fails_the_run() -> None:
    pool = ProcessPool(workers=2, mp_context=multiprocessing.get_context("fork"))
    with pytest.raises(BrokenProcessPool):
        pool.run(_dies_on_three, 0, list(range(8)))
