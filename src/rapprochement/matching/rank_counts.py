"""Counts over the candidate pairs that :mod:`.features` reads as levels: a grouped rank
(how many rows of a group are at least as strong) and the invoices of a payer a payment's text
names (``named_outside``), each by one numbering of the groups rather than one pandas
groupby per count."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "NAMED_OUTSIDE_REF",
    "closer_amount_rivals",
    "named_counts",
    "rank_counts",
    "rank_max",
    "repeat_counts",
    "sorted_unique",
]

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
    return rank_counts(group, key).astype(np.float64)


def rank_counts(group: np.ndarray[Any, Any], key: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """:func:`rank_max` as the exact counts (int64): no float64 copy of them."""
    return _ranks(group, key, None)


def _ranks(
    group: np.ndarray[Any, Any], key: np.ndarray[Any, Any], top: int | None
) -> np.ndarray[Any, Any]:
    """:func:`rank_max` as int64, the rows whose key is ``top`` (the largest key) given the
    count of the rows of their group below it instead. Rows of equal (group, key) share their
    rank: the sort need not be stable, and the ranks are written run by run."""
    n = len(key)
    if not n:
        return np.zeros(0, dtype=np.int64)
    span = int(key.max()) + 1
    comp = group * span + key
    order = np.argsort(comp)
    sc = comp[order]
    del comp
    # the runs of equal (group, key) in sorted order: their starts and ends
    starts = np.flatnonzero(np.r_[True, sc[1:] != sc[:-1]])
    ends = np.r_[starts[1:], n]
    # the start of each run's group (a group is a series of runs, by increasing key)
    g, k = np.divmod(sc[starts], span)
    del sc
    group_start = np.maximum.accumulate(np.where(np.r_[True, g[1:] != g[:-1]], starts, 0))
    upto = ends if top is None else np.where(k == top, starts, ends)
    out = np.empty(n, dtype=np.int64)
    out[order] = np.repeat(upto - group_start, ends - starts)
    return out


def named_counts(
    pref: np.ndarray[Any, Any], keys: list[np.ndarray[Any, Any]]
) -> np.ndarray[Any, Any]:
    """Per pair, how many pairs of its payment and customer (``keys``) have a reference level
    ``pref`` at least as strong as its own (capped at :data:`NAMED_OUTSIDE_REF`). Keys that
    are all integer arrays (>= 0, e.g. positions and customer codes) are numbered by one
    sort (:func:`rank_max`), others by a pandas grouping."""
    group = _int_groups(keys)
    if group is not None:  # the count is the rank of the capped level within the group
        # (a weaker level counts the rows of its group at the strongest counted level)
        capped = np.minimum(pref, NAMED_OUTSIDE_REF + 1).astype(np.int64)
        return _ranks(group, capped, NAMED_OUTSIDE_REF + 1)
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


def _int_groups(keys: list[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any] | None:
    """One int64 group number per row of integer ``keys`` (each >= 0), in mixed radix; None
    for keys of another kind, a negative key, or numbers past int64."""
    if not keys or any(k.dtype.kind not in "iu" for k in keys):
        return None
    if any(len(k) and int(k.min()) < 0 for k in keys):
        return None
    group = keys[0].astype(np.int64)
    top = int(group.max(initial=0)) + 1
    for k in keys[1:]:
        span = int(k.max(initial=0)) + 1
        top *= span
        if top * (NAMED_OUTSIDE_REF + 1) >= 2**62:
            return None
        group = group * span + k
    return group


def closer_amount_rivals(
    tx: np.ndarray[Any, Any], cls: np.ndarray[Any, Any], key: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """For each candidate, how many candidates of the same payment ``tx`` have a closer
    amount class ``cls`` (0 exact, 1 near, 2 far) and a ``key`` (reference, payer, siblings:
    lower is stronger) at most its own: readings at least as good on every count."""
    out = np.zeros(len(tx), dtype=np.int64)
    span = int(key.max(initial=0)) + 1
    comp = tx.astype(np.int64) * span
    comp += key
    for c in (1, 2):
        q = np.flatnonzero(cls == c)
        if not len(q):
            continue
        data = np.sort(comp[cls < c])
        at = comp[q]
        hi = np.searchsorted(data, at, side="right")
        at -= key[q]  # (the payment's first composite key: ``tx * span``)
        out[q] = hi - np.searchsorted(data, at, side="left")
    return out


def repeat_counts(
    inv: np.ndarray[Any, Any],
    code: np.ndarray[Any, Any],
    named: np.ndarray[Any, Any],
    day: np.ndarray[Any, Any],
    days: int,
) -> np.ndarray[Any, Any]:
    """Per pair, how many other payments of the same amount name the same invoice whole as
    well (``named``) within ``days`` of each other: repeats of one payment, not
    rivals for the invoice (the earlier takes it, the later is its duplicate)."""
    out = np.zeros(len(inv), dtype=np.int64)
    if not named.any():
        return out
    sel = np.flatnonzero(named & (day >= 0))
    g = pd.DataFrame({"i": inv[sel], "c": code[sel], "d": day[sel]}).groupby(["i", "c"])["d"]
    span = (g.transform("max") - g.transform("min")).to_numpy()
    n = g.transform("size").to_numpy() - 1
    out[sel] = np.where(span <= days, n, 0)
    return out
