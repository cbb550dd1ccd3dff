"""Counts over the candidate pairs that :mod:`.features` reads as levels: a grouped rank
(how many rows of a group are at least as strong) and the invoices of a payer a payment's text
names (``named_outside``), each by one numbering of the groups rather than one pandas
groupby per count."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NAMED_OUTSIDE_REF", "named_counts", "rank_max", "sorted_unique"]

NAMED_OUTSIDE_REF = 3  # reference level (digits or stronger) counted by ``named_outside``


def sorted_unique(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``np.unique(values)`` of an integer array: its distinct values, sorted. NumPy 2.4
    takes a hashing path for it that costs 1.3 s on 2 million positions (a sort of pandas'
    hashed distinct values: 0.06 s)."""
    out: np.ndarray[Any, Any] = np.sort(pd.unique(values))
    return out


def rank_max(group: np.ndarray[Any, Any], key: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``pd.Series(key).groupby(group).rank(method="max")`` for integer ``group`` and ``key``
    (both >= 0): how many rows of the row's group have a key at most its own, by one sort
    (the end of the row's run of equal keys less the start of its group, in sorted order)
    instead of pandas' grouped rank (float64, as pandas gives it)."""
    n = len(key)
    if not n:
        return np.zeros(0, dtype=np.float64)
    span = int(key.max()) + 1
    comp = group * span + key
    order = np.argsort(comp, kind="stable")
    sc = comp[order]
    pos = np.arange(n)
    # the last position of each run of equal (group, key), read back from the right
    new_run = np.r_[sc[1:] != sc[:-1], True]
    run_end = np.minimum.accumulate(np.where(new_run, pos, n)[::-1])[::-1]
    # the first position of each group
    g = sc // span
    new_group = np.r_[True, g[1:] != g[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
    out = np.empty(n, dtype=np.float64)
    out[order] = run_end + 1 - group_start
    return out


def named_counts(
    pref: np.ndarray[Any, Any], keys: list[np.ndarray[Any, Any]]
) -> np.ndarray[Any, Any]:
    """Per pair, how many pairs of its payment and customer (``keys``) have a reference level
    ``pref`` at least as strong as its own (capped at :data:`NAMED_OUTSIDE_REF`)."""
    n_named = np.zeros(len(pref), dtype=np.int64)
    gid = pd.Series(pref).groupby(keys, sort=False).ngroup().to_numpy()
    if gid.dtype.kind != "i":  # a missing key (numbered NaN): counted as pandas counts it
        for lvl in range(NAMED_OUTSIDE_REF + 1):
            at = (pref <= lvl).astype(np.int64)
            count = pd.Series(at).groupby(keys, sort=False).transform("sum").to_numpy()
            own = np.minimum(pref, NAMED_OUTSIDE_REF) == lvl
            n_named[own] = count[own]
        return n_named
    # the groups numbered once; a level's count per group by bincount (exact integers)
    n_groups = int(gid.max(initial=-1)) + 1
    for lvl in range(NAMED_OUTSIDE_REF + 1):
        count = np.bincount(gid, weights=(pref <= lvl), minlength=n_groups).astype(np.int64)
        own = np.minimum(pref, NAMED_OUTSIDE_REF) == lvl
        n_named[own] = count[gid[own]]
    return n_named
