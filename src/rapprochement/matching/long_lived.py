"""The garbage collector during one reconcile: what a stage leaves to the next ones is set
aside as long-lived.

A reconcile of a large book holds millions of container objects for most of its run (the
indexes' dicts and lists, per-payer caches, candidate and result rows). CPython's full
collections walk every tracked object, and the next stage's allocations keep triggering them:
at 100 000 payments 29 full collections took 11 s of a 140 s run, and they grow with the book.
At each stage end the engine calls :func:`settle`: the young generations are collected (the
stage's own reference cycles go), then everything alive is moved out of the collector's
generations (``gc.freeze``, a list splice), so the next stage's collections walk only what it
creates. When the reconcile ends everything is handed back (``gc.unfreeze``): cyclic garbage
among the set-aside objects is then collected as before, by the caller's next full collection.

A caller that disabled the collector or froze objects of its own (``gc.get_freeze_count()``)
is left alone: nothing is frozen for it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["active", "settle", "stages"]

_lock = threading.Lock()
_active = 0  # reconciles in this process that own the frozen objects (0 or 1)


@contextmanager
def stages() -> Iterator[None]:
    """The span of one reconcile whose stage ends :func:`settle` the heap: owned by the
    outermost reconcile of the process when the collector is on and nothing is frozen."""
    global _active
    with _lock:
        own = not _active and gc.isenabled() and gc.get_freeze_count() == 0
        _active += own
    try:
        yield
    finally:
        if own:
            with _lock:
                _active -= 1
                gc.unfreeze()


def active() -> bool:
    """Whether a reconcile of this process sets the heap aside (within :func:`stages`)."""
    return bool(_active)


def settle() -> None:
    """At a stage end within :func:`stages`: the young generations collected, then every
    object alive set aside until the reconcile ends (nothing outside :func:`stages`)."""
    if _active:
        gc.collect()
        gc.freeze()
