"""The cyclic garbage collector paused over a serial stage of the driver.

The assignment and the result rows build millions of small acyclic objects (hypothesis
dicts, allocations, rivals, rows) while the book's own objects are alive: every full
collection they trigger walks the whole heap (3.5 s at 300 000 payments) and frees nothing
(10 objects of cyclic garbage over all of those stages). :func:`gc_paused` turns the
collector off over such a stage; after it, the objects it left are moved to the oldest
generation (``gc.freeze()`` then ``gc.unfreeze()``: two list splices, no walk) instead of
being walked by the next young collections only to be promoted anyway (as
``parsers._common.collect`` does). Within a reconcile that sets each stage's survivors
aside (:mod:`.long_lived`), the stage's objects join them (``gc.freeze()`` alone: the
reconcile unfreezes them all when it ends); a caller that froze objects of its own is left
alone. Not for a stage that forks workers: they would inherit the collector turned off.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from rapprochement.matching.long_lived import active, none_frozen

__all__ = ["gc_paused", "paused"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off within the block (see the module doc); nested blocks leave
    it to the outermost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if none_frozen():
                gc.freeze()
                gc.unfreeze()
            elif active():  # set aside with the earlier stages' objects
                gc.freeze()
            gc.enable()


def paused(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """``fn`` run within :func:`gc_paused`."""

    @functools.wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with gc_paused():
            return fn(*args, **kwargs)

    return run
