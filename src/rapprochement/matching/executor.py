"""Executors: where the payment-shard stages of :func:`~rapprochement.reconcile` run.

The engine splits a currency partition's payments into shards (:meth:`Executor.shards`) and
hands a stage function, the read-only invoice side of the partition (``shared``) and one task
per shard to :meth:`Executor.run`; it gets back one result per task, in task order, and merges
them. Results never depend on the executor, the shard count or the shard membership
(``tests/matching/test_shards.py``).

* :class:`InProcess` (the default): the tasks one after the other in this process;
* :class:`ProcessPool`: ``concurrent.futures`` worker processes on one machine, the invoice
  side handed to each worker once (its initializer), not once per task; forked workers (the
  Linux default) inherit the invoice side and the tasks themselves: nothing is pickled to
  them, and the pages they only read stay shared with this process (each forked worker is
  replaced by a fresh fork after :data:`WORKER_TASKS` tasks: the pages it wrote to are
  given back);
* ``rapprochement.spark.SparkExecutor`` (the ``spark`` extra): Spark tasks, the invoice side
  broadcast.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.context import BaseContext
from typing import Any, Protocol, TypeVar

import numpy as np
import pyarrow as pa

from rapprochement.errors import ConfigError
from rapprochement.matching.long_lived import none_frozen, settle

__all__ = ["Executor", "InProcess", "ProcessPool", "release_heap", "split_payments"]

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")


def split_payments(n: int, shards: int) -> list[np.ndarray[Any, Any]]:
    """``shards`` contiguous runs of the positions ``0..n-1`` (sizes differing by one at most;
    fewer when there are fewer payments than shards)."""
    if shards < 1:
        raise ConfigError(
            f"an executor needs at least one shard, not {shards}",
            hint="pass shards=1 or more",
        )
    k = max(1, min(shards, n))
    return [np.asarray(p, dtype=np.int64) for p in np.array_split(np.arange(n), k)]


@functools.cache
def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): nothing to release
        return None


def release_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc ``malloc_trim``; nothing
    elsewhere), and those of Arrow's memory pool (the string columns' and Arrow string
    operations' buffers: its allocator, mimalloc or jemalloc, keeps what they freed). Arrays
    of a few megabytes freed by a stage otherwise stay in this process's resident memory:
    counted in its footprint while the next stage runs, and inherited by a forked worker,
    whose own allocations would then copy those pages."""
    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


class Executor(Protocol):
    """Where the shard stages run (see the module doc)."""

    def shards(self, n_payments: int) -> list[np.ndarray[Any, Any]]:
        """The payment positions of each shard: every position in exactly one shard."""
        ...

    def run(self, fn: Callable[[S, T], R], shared: S, tasks: Sequence[T]) -> list[R]:
        """``[fn(shared, task) for task in tasks]``, wherever the tasks run; ``fn`` is a
        module-level function and ``shared`` is read, never written."""
        ...


class InProcess:
    """The shard stages in this process, one shard after the other (``shards=1``, the default:
    the whole partition at once, exactly the unsharded engine)."""

    def __init__(self, shards: int = 1) -> None:
        self.n_shards = shards

    def shards(self, n_payments: int) -> list[np.ndarray[Any, Any]]:
        """Contiguous runs of payments (:func:`split_payments`)."""
        return split_payments(n_payments, self.n_shards)

    def run(self, fn: Callable[[S, T], R], shared: S, tasks: Sequence[T]) -> list[R]:
        """The tasks in order, in this process."""
        return [fn(shared, t) for t in tasks]


_SHARED: Any = None  # a worker process's copy of the invoice side (set by its initializer)
#: the tasks of the run a forked worker was started for (inherited: never pickled)
_TASKS: Sequence[Any] = ()


def _set_shared(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


def _call(fn: Callable[[Any, Any], Any], task: Any) -> Any:
    return fn(_SHARED, task)


def _call_at(fn: Callable[[Any, Any], Any], k: int) -> Any:
    """``fn`` on the ``k``-th task of the run, in a forked worker (:data:`_TASKS`); the task's
    freed temporaries handed back before the worker takes its next task."""
    out = fn(_SHARED, _TASKS[k])
    release_heap()
    return out


#: payments per shard of a :class:`ProcessPool` by default: a worker's memory grows with the
#: payments of its task (the group search's per-payer caches), not with the partition's
#: (the group search of a 100k book: a worker's private memory at most 215 MiB in shards of
#: 14k payments, 295 MiB in shards of 55k)
SHARD_PAYMENTS = 50_000


#: tasks a forked worker takes before it is replaced by a fresh fork: a worker's private
#: memory grows with the tasks it has run (the pages of the shared side it has written to by
#: reading its objects, its heap's fragments: at 1M payments, a group-search worker went from
#: 380 MiB after its first task to 680 MiB after its eleventh), not with the task it runs
WORKER_TASKS = 3


def _forked_run(fn: Callable[[Any, Any], R], n: int, workers: int, context: BaseContext) -> list[R]:
    """The ``n`` tasks of :data:`_TASKS` on ``workers`` forked worker processes, each one a
    one-process pool replaced after :data:`WORKER_TASKS` tasks (a worker takes the next task
    as soon as it is free: no wave waits for its slowest task); results in task order. A
    worker that dies raises :class:`~concurrent.futures.process.BrokenProcessPool`."""
    out: list[Any] = [None] * n
    pools: list[ProcessPoolExecutor | None] = [None] * workers
    used = [0] * workers
    pending: dict[Future[Any], tuple[int, int]] = {}
    ahead = 0  # the next task to hand out

    def give(slot: int) -> None:
        nonlocal ahead
        pool = pools[slot]
        if pool is None or used[slot] >= WORKER_TASKS:
            if pool is not None:
                pool.shutdown(wait=True)  # (its worker is idle: its task is done)
            pool = pools[slot] = ProcessPoolExecutor(max_workers=1, mp_context=context)
            used[slot] = 0
        pending[pool.submit(_call_at, fn, ahead)] = (slot, ahead)
        used[slot] += 1
        ahead += 1

    try:
        for slot in range(min(workers, n)):
            give(slot)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                slot, k = pending.pop(fut)
                out[k] = fut.result()
                if ahead < n:
                    give(slot)
    finally:
        for pool in pools:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
    return out


class ProcessPool:
    """The shard stages in ``workers`` processes of this machine (``concurrent.futures``).

    Args:
        workers: worker processes (default: the CPUs this process may use).
        shards: payment shards per partition (default: ``workers``, or more for a large
            partition: as many multiples of ``workers`` as keep a shard within
            :data:`SHARD_PAYMENTS` payments; a worker takes one shard after the other).
        mp_context: the ``multiprocessing`` context (default: the platform's).
    """

    def __init__(
        self,
        workers: int | None = None,
        shards: int | None = None,
        mp_context: BaseContext | None = None,
    ) -> None:
        self.workers = workers or len(os.sched_getaffinity(0))
        self.n_shards = shards or self.workers
        self.fixed = shards is not None
        self.mp_context = mp_context

    def shards(self, n_payments: int) -> list[np.ndarray[Any, Any]]:
        """Contiguous runs of payments (:func:`split_payments`)."""
        k = self.n_shards
        if not self.fixed:  # waves of ``workers`` shards of at most SHARD_PAYMENTS payments
            k = self.workers * max(1, -(-n_payments // (self.workers * SHARD_PAYMENTS)))
        return split_payments(n_payments, k)

    def run(self, fn: Callable[[S, T], R], shared: S, tasks: Sequence[T]) -> list[R]:
        """The tasks on the pool's processes, results in task order."""
        if len(tasks) <= 1:
            return [fn(shared, t) for t in tasks]
        # the objects this process holds (the whole book, at scale) are frozen while the
        # workers start: a forked worker's garbage collections then never walk them (nor
        # write to their pages, which stay shared); they are collected here as before after
        # (a caller that freezes objects itself decides, and is left alone)
        freeze = none_frozen()
        if freeze:
            gc.freeze()
        else:  # (within a reconcile, which unfreezes when it ends: :mod:`.long_lived`)
            settle()
        release_heap()
        context = self.mp_context or multiprocessing.get_context()
        forked = context.get_start_method() == "fork"
        global _SHARED, _TASKS
        try:
            if forked:
                # the workers, forked below, inherit the invoice side and the tasks: only a
                # task's number goes to them (no pickled copy of its frames here, nor an
                # unpickled one there)
                _SHARED, _TASKS = shared, tasks
                return _forked_run(fn, len(tasks), min(self.workers, len(tasks)), context)
            with ProcessPoolExecutor(
                max_workers=min(self.workers, len(tasks)),
                mp_context=context,
                initializer=_set_shared,
                initargs=(shared,),
            ) as pool:
                return list(pool.map(_call, [fn] * len(tasks), tasks))
        finally:
            if forked:
                _SHARED, _TASKS = None, ()
            if freeze:
                gc.unfreeze()
