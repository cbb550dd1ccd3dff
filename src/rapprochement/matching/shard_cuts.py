"""Cutting a partition's payments into the executor's shards and merging the shards' rows
back (:mod:`.shards`): the shards cut from the payments ordered by payer (results never depend
on the membership; a worker's per-payer caches then hit), each shard's task made when it is
read (:class:`Lazy`), the merged rows put back in payment order without a sort."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

import numpy as np
import pandas as pd

from rapprochement.matching.assign_arrays import first_of
from rapprochement.matching.executor import Executor
from rapprochement.matching.group_context import REF_OK, GroupIndex

__all__ = [
    "Lazy",
    "blocking_order",
    "concat",
    "cut_shards",
    "in_payment_order",
    "lines_by_shard",
    "payer_order",
    "search_order",
    "shard_labels",
    "whole",
]

T = TypeVar("T")


def in_payment_order(df: pd.DataFrame, t: np.ndarray[Any, Any], n: int) -> pd.DataFrame:
    """``df`` (shards' rows merged: each payment's rows ``t`` next to each other, from the
    one shard that holds it) stably sorted by payment, untouched when already in order
    (contiguous shards merged in order: no copy). No sort: each run of a payment's rows goes
    where its payment's rows start (``bincount`` of the payments, then their offsets)."""
    if len(t) < 2 or bool(np.all(t[1:] >= t[:-1])):
        return df.reset_index(drop=True)
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(t, minlength=n), out=start[1:])
    at = np.arange(len(t), dtype=np.int64)
    first = np.maximum.accumulate(np.where(first_of(t), at, 0))
    order = np.empty(len(t), dtype=np.int64)
    order[start[t] + at - first] = at
    return df.iloc[order].reset_index(drop=True)


def whole(shards: list[np.ndarray[Any, Any]], n: int) -> bool:
    """One shard holding every payment in order: the unsharded engine, nothing to map."""
    return len(shards) == 1 and len(shards[0]) == n


def cut_shards(
    executor: Executor, n: int, order: Callable[[], np.ndarray[Any, Any]] | None = None
) -> list[np.ndarray[Any, Any]]:
    """The executor's shards, each sorted (a shard keeps the partition's payment order).
    ``order``: the payments in an order that puts one payer's next to each other (a
    permutation of ``0..n-1``, :func:`payer_order`; worked out only for several shards):
    the executor's shards are cut from it, so that a shard holds a payer's payments together
    and the per-payer caches of a worker (payer-name similarities, the payer's numbering,
    references and items) are worked out once, not once per shard (results never depend on
    the membership)."""
    cut = executor.shards(n)
    if order is not None and not whole(cut, n):
        perm = order()
        cut = [perm[np.asarray(s, dtype=np.int64)] for s in cut]
    return [np.sort(np.asarray(s, dtype=np.int64)) for s in cut if len(s)]


def _codes(values: Any) -> np.ndarray[Any, Any]:
    """Each value's code (equal values, equal codes; missing and empty: -1)."""
    codes, _ = pd.factorize(pd.Series(values).replace("", None), use_na_sentinel=True)
    out: np.ndarray[Any, Any] = np.asarray(codes, dtype=np.int64)
    return out


def blocking_order(tx: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Blocking's payments by payer: IBAN, then name (blocking caches the similarity of a
    payer name to each customer it may be)."""
    return payer_order(_codes(tx["iban"].to_numpy()), _codes(tx["name"].to_numpy()))


def search_order(
    tx: pd.DataFrame, pairs: pd.DataFrame, links: pd.DataFrame, groups: GroupIndex
) -> np.ndarray[Any, Any]:
    """The group search's payments by payer (the search caches each payer's items, numbering
    and references): the customer of the invoice a payment names best (its pair of the
    strongest reference, :data:`.group_context.REF_OK` at most), else of its first payer
    link (an IBAN link first); then IBAN, then name."""
    payer = np.full(len(tx), -1, dtype=np.int64)
    t = links["tx"].to_numpy()
    if len(t):
        code = links["customer_id"].map(groups.code_of).to_numpy(dtype=np.float64)
        by = np.lexsort((~links["iban_link"].to_numpy(dtype=bool), t))
        _first_per_payment(payer, t[by], np.nan_to_num(code[by], nan=-1).astype(np.int64))
    ref = pairs["ref"].to_numpy()
    named = np.flatnonzero(ref <= REF_OK)
    if len(named):
        t = pairs["tx"].to_numpy()[named]
        by = np.lexsort((ref[named], t))
        inv = pairs["inv"].to_numpy()[named][by]
        _first_per_payment(payer, t[by], groups.ccode[inv].astype(np.int64))
    return payer_order(payer, _codes(tx["iban"].to_numpy()), _codes(tx["name"].to_numpy()))


def _first_per_payment(
    payer: np.ndarray[Any, Any], t: np.ndarray[Any, Any], code: np.ndarray[Any, Any]
) -> None:
    """``payer[p]`` set to the code of payment ``p``'s first row (``t`` sorted)."""
    first = first_of(t)
    payer[t[first]] = code[first]


def payer_order(*keys: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The payments ordered by payer codes (``keys``, most significant first; -1 unknown, last
    within its key), ties in position order (a stable sort)."""
    big = [np.where(k < 0, np.iinfo(np.int64).max, k) for k in keys]
    order: np.ndarray[Any, Any] = np.lexsort(tuple(reversed(big)))
    return order


class Lazy(Sequence[T]):
    """``n`` items, each made when read (``make(k)``): the shards' tasks, cut from the
    partition's frames in a forked worker, which inherits them (nothing of the other shards'
    is copied in the driver), or one after the other in this process."""

    def __init__(self, n: int, make: Callable[[int], T]) -> None:
        self.n, self.make = n, make

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, k: int) -> T: ...

    @overload
    def __getitem__(self, k: slice) -> Sequence[T]: ...

    def __getitem__(self, k: int | slice) -> T | Sequence[T]:
        if isinstance(k, slice):
            return [self.make(j) for j in range(self.n)[k]]
        if not 0 <= k < self.n:
            raise IndexError(k)
        return self.make(k)


def shard_labels(shards: list[np.ndarray[Any, Any]], n: int) -> np.ndarray[Any, Any]:
    """Each of the ``n`` payments' shard."""
    label = np.empty(n, dtype=np.int64)
    for s, pos in enumerate(shards):
        label[pos] = s
    return label


def lines_by_shard(
    remits: pd.DataFrame | None, tx: pd.DataFrame, label: np.ndarray[Any, Any], k: int
) -> tuple[list[pd.DataFrame | None], pd.DataFrame | None]:
    """The advice lines of each of the ``k`` shards (``label``: each payment's), each line
    with its payment, and the lines of no payment."""
    if remits is None:
        return [None] * k, None
    tpos = pd.Series(np.arange(len(tx)), index=tx["transaction_id"].to_numpy())
    at = remits["transaction_id"].map(tpos).to_numpy(dtype=np.float64)
    found = ~np.isnan(at)
    lab = np.full(len(remits), -1, dtype=np.int64)
    lab[found] = label[at[found].astype(np.int64)]
    return [remits[lab == s] for s in range(k)], remits[lab < 0]


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The shards' frames end to end (one frame when only one holds rows)."""
    filled = [f for f in frames if len(f)]
    if not filled:
        return frames[0]
    if len(filled) == 1:
        return filled[0]
    out: pd.DataFrame = pd.concat(filled, ignore_index=True)
    return out
