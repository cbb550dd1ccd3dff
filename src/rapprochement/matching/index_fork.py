"""The reference-key index built beside the payer index (:func:`key_index_beside`).

The indexes of a partition are built in the driver before blocking, one after the other, while
a :class:`~rapprochement.matching.executor.ProcessPool`'s cores are idle. With a pool whose
workers are forked, the :class:`~rapprochement.matching.refindex.KeyIndex` (vectorized string
work over every invoice's keys) is built in a forked child process while the driver builds the
payer index and the open-item sides of blocking and of the group search; the child sends back
only the index's arrays (a few compact NumPy arrays, no Python object per key), the same index
as one built here.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.executor import Executor, ProcessPool, release_heap
from rapprochement.matching.gc_pause import gc_paused
from rapprochement.matching.long_lived import none_frozen, settle
from rapprochement.matching.refindex import KeyIndex, key_index

__all__ = ["key_index_beside"]

#: the invoices the forked child indexes (inherited at the fork: never pickled)
_INV: pd.DataFrame | None = None


def _forked_state() -> dict[str, Any]:
    """In the forked child: the :class:`KeyIndex` of :data:`_INV`, as its arrays, compact:
    without what the parent sets again (``numbers``, columns of the invoice frame) or derives
    (``start``, from the counts: :func:`_index`)."""
    assert _INV is not None, "the invoices are set before the fork"
    state = dict(vars(KeyIndex(_INV)))
    del state["numbers"], state["start"]
    return state


def _index(state: dict[str, Any], inv: pd.DataFrame) -> KeyIndex:
    """The :class:`KeyIndex` of ``inv`` from the state :func:`_forked_state` sent back."""
    index = KeyIndex.__new__(KeyIndex)
    vars(index).update(state)
    index.start = (np.cumsum(index.n) - index.n).astype(index.n.dtype)
    index.numbers = (inv["invoice_id"], inv["reference"])
    return index


def _forks(executor: Executor | None) -> bool:
    """Whether ``executor`` is a pool of forked worker processes."""
    if not isinstance(executor, ProcessPool):
        return False
    context = executor.mp_context or multiprocessing.get_context()
    return bool(context.get_start_method() == "fork")


def key_index_beside(inv: pd.DataFrame, executor: Executor | None) -> Callable[[], KeyIndex]:
    """The :class:`KeyIndex` of ``inv``, as a function that returns it: built in a forked child
    process when ``executor`` is a pool of forked workers (the call waits for it), so that the
    caller builds its other indexes meanwhile; else built here and now (its temporaries handed
    back before the caller's next index)."""
    if not _forks(executor):
        with gc_paused():  # (vectorized: next to no container; no reference cycle)
            index = key_index(inv)
        release_heap()
        return lambda: index
    assert isinstance(executor, ProcessPool)
    global _INV
    # what this process holds is set aside first (as for the shard workers): the child's
    # collections never walk it, nor copy its pages by writing to them
    freeze = none_frozen()
    if freeze:
        gc.freeze()
    else:
        settle()
    release_heap()
    _INV = inv
    pool = ProcessPoolExecutor(max_workers=1, mp_context=executor.mp_context)
    try:
        future = pool.submit(_forked_state)  # (the child is forked here)
    finally:
        _INV = None
        if freeze:
            gc.unfreeze()

    def ready() -> KeyIndex:
        try:
            state = future.result()
        except BrokenProcessPool:  # the child died (killed for memory?): built here instead
            return key_index(inv)
        finally:
            pool.shutdown(wait=True)
        return _index(state, inv)

    return ready
