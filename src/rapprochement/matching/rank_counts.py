"""Counts over the candidate pairs that :mod:`.features` reads as levels: a grouped rank
(how many rows of a group are at least as strong) and the invoices of a payer a payment's text
names (``named_outside``), each by one numbering of the groups rather than one pandas
groupby per count."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["NAMED_OUTSIDE_REF", "named_counts", "rank_max"]

NAMED_OUTSIDE_REF = 3  # reference level (digits or stronger) counted by ``named_outside``


def rank_max(group: np.ndarray[Any, Any], key: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``pd.Series(key).groupby(group).rank(method="max")`` for integer ``group`` and ``key``
    (both >= 0): how many rows of the row's group have a key at most its own, by one sort and
    two binary searches instead of pandas' grouped rank (float64, as pandas gives it)."""
    span = int(key.max(initial=0)) + 1
    base = group * span
    comp = base + key
    data = np.sort(comp)
    le = np.searchsorted(data, comp, side="right") - np.searchsorted(data, base, side="left")
    out: np.ndarray[Any, Any] = le.astype(np.float64)
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
