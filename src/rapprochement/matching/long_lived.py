"""The garbage collector during one reconcile: what a stage leaves to the next ones is set
aside as long-lived.

A reconcile of a large book holds millions of container objects for most of its run (the
indexes' dicts and lists, per-payer caches, candidate and result rows). CPython's full
collections walk every tracked object, and the next stage's allocations keep triggering them:
at 100 000 payments 29 full collections took 11 s of a 140 s run, and they grow with the book.
At each stage end of a book of at least :data:`SETTLE_MIN` payments the engine calls
:func:`settle`: the collector's generations are collected (the stage's own reference cycles go;
what earlier stages set aside is not walked again), then everything alive is moved out of the
collector's generations (``gc.freeze``, a list splice), so the next stage's collections walk
only what it creates. Small books are left to the collector as usual: a collection at each
stage end would cost a program with a large heap of its own more than it saves. When the
reconcile ends everything is handed back (``gc.unfreeze``): cyclic garbage
among the set-aside objects is then collected as before, by the caller's next full collection.

A caller that disabled the collector or froze objects of its own (``gc.get_freeze_count()``)
is left alone: nothing is frozen for it. (``gc.get_freeze_count()`` walks every frozen object,
0.1 s at 1M payments: :func:`none_frozen` answers without it once this module has frozen.)
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["SETTLE_MIN", "active", "large_book", "none_frozen", "settle", "stages"]

_lock = threading.Lock()
#: payments from which a reconcile settles the heap: below, full collections are rare and
#: cheap, and a full collection at each stage end would cost more than it saves
SETTLE_MIN = 20_000
_owner = False  # a reconcile of this process owns the set-aside objects (at most one)
_active = False  # ... and its book is large enough to settle
_froze = False  # ... and :func:`settle` has set objects aside (frozen) since


@contextmanager
def stages() -> Iterator[None]:
    """The span of one reconcile whose stage ends may :func:`settle` the heap (once
    :func:`large_book` says so): owned by the outermost reconcile of the process when the
    collector is on and nothing is frozen."""
    global _owner, _active, _froze
    with _lock:
        own = not _owner and gc.isenabled() and gc.get_freeze_count() == 0
        _owner = _owner or own
    try:
        yield
    finally:
        if own:
            with _lock:
                froze, _owner, _active, _froze = _active, False, False, False
                if froze:
                    gc.unfreeze()


def large_book(n_payments: int) -> None:
    """Within the owning :func:`stages`: settle at each stage end from now on when the book
    holds at least :data:`SETTLE_MIN` payments."""
    global _active
    if _owner and n_payments >= SETTLE_MIN:
        _active = True


def active() -> bool:
    """Whether the stage ends of a reconcile now set objects aside (:func:`settle`)."""
    return _active


def settle() -> None:
    """At a stage end within :func:`stages` of a large book: the collector's generations
    collected (only the objects set aside are not walked again), then every object alive set
    aside until the reconcile ends (nothing otherwise)."""
    global _froze
    if _active:
        gc.collect()
        gc.freeze()
        _froze = True


def none_frozen() -> bool:
    """Whether no object is frozen (``gc.get_freeze_count() == 0``), without walking the
    frozen objects when :func:`settle` has frozen some."""
    return not _froze and gc.get_freeze_count() == 0
