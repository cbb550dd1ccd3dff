"""Cutting a partition's payments into the executor's shards and merging the shards' rows
back (:mod:`.shards`): the shards cut from the payments ordered by payer (results never depend
on the membership; a worker's per-payer caches then hit), each shard's task made when it is
read (:class:`Lazy`), the merged rows put back in payment order without a sort."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rapprochement.matching.assign_arrays import first_of
from rapprochement.matching.executor import Executor
from rapprochement.matching.group_context import REF_OK, GroupIndex

__all__ = [
    "Lazy",
    "blocking_order",
    "columns",
    "concat",
    "cut_shards",
    "lines_by_shard",
    "merge_by_payment",
    "payer_order",
    "payment_of",
    "payment_slots",
    "search_order",
    "shard_labels",
    "whole",
]

T = TypeVar("T")


def payment_slots(
    ts: list[np.ndarray[Any, Any]], n: int
) -> tuple[list[np.ndarray[Any, Any]], np.ndarray[Any, Any]]:
    """Where each shard's rows go once merged in payment order (a stable sort by payment), and
    where each of the ``n`` payments' rows start (``n + 1`` offsets): ``ts`` the payments of
    each shard's rows (a payment's rows next to each other, in one shard only). No sort: each
    run of a payment's rows goes where its payment's rows start (``bincount`` of the payments,
    then their offsets)."""
    start = np.zeros(n + 1, dtype=np.int64)
    for t in ts:
        start[1:] += np.bincount(t, minlength=n)
    np.cumsum(start, out=start)
    out = []
    for t in ts:
        at = np.arange(len(t), dtype=np.int64)
        first = np.maximum.accumulate(np.where(first_of(t), at, 0))
        at -= first
        at += start[t]
        out.append(at)
    return out, start


def merge_by_payment(parts: list[dict[str, np.ndarray[Any, Any]]], n: int) -> pd.DataFrame:
    """The shards' rows (columns as arrays: ``tx`` the partition's payment positions, each
    payment's rows next to each other, in one shard only) merged in payment order (stable), as
    the shards' frames concatenated and stably sorted by ``tx`` would be (``tx`` as 64-bit
    integers; each other column of the dtype the shards' share). Column by column, each
    written once where it goes (:func:`payment_slots`); a shard's column is dropped from its
    dict once written, so that the shards' rows and the merged ones are not both held whole."""
    slots, start = payment_slots([p.pop("tx") for p in parts], n)
    total = int(start[-1])
    tx = np.repeat(np.arange(n, dtype=np.int64), np.diff(start))
    cols: dict[str, np.ndarray[Any, Any]] = {"tx": tx}
    for c in list(parts[0]):
        filled = [p[c].dtype for p in parts if len(p[c])] or [parts[0][c].dtype]
        col = np.empty(total, dtype=np.result_type(*filled))
        for p, at in zip(parts, slots, strict=True):
            col[at] = p.pop(c)
        cols[c] = col
    # (object columns stay object: not inferred as strings)
    kept = {
        c: pd.Series(v, dtype=object, copy=False) if v.dtype == object else v
        for c, v in cols.items()
    }
    return pd.DataFrame(kept, copy=False)


def columns(df: pd.DataFrame) -> dict[str, np.ndarray[Any, Any]]:
    """``df``'s columns as arrays, in order (what :func:`merge_by_payment` merges)."""
    return {c: df[c].to_numpy() for c in df.columns}


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
        # (each distinct customer read once: no Series built from the whole dict)
        at, ids = pd.factorize(links["customer_id"].to_numpy(dtype=object))
        got = [groups.code_of.get(c, -1) for c in ids.tolist()] + [-1]  # (-1: a missing id)
        code = np.asarray(got, dtype=np.int64)[at]
        by = np.lexsort((~links["iban_link"].to_numpy(dtype=bool), t))
        _first_per_payment(payer, t[by], code[by])
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
    at = payment_of(remits["transaction_id"], tx["transaction_id"])
    found = at >= 0
    lab = np.full(len(remits), -1, dtype=np.int64)
    lab[found] = label[at[found]]
    return [remits[lab == s] for s in range(k)], remits[lab < 0]


def payment_of(ids: pd.Series, tids: pd.Series) -> np.ndarray[Any, Any]:
    """The position in ``tids`` (unique payment ids) of each of ``ids``, -1 for none. Arrow
    strings are matched by Arrow (a hash of the distinct ``ids``, probed by every payment:
    no Python string per payment hashed)."""
    if ids.dtype == object or tids.dtype == object:
        tpos = pd.Series(np.arange(len(tids)), index=tids.to_numpy())
        got = ids.map(tpos).to_numpy(dtype=np.float64)
        return np.where(np.isnan(got), -1, got).astype(np.int64)
    enc = pa.chunked_array(pa.array(ids)).combine_chunks().dictionary_encode()
    pay = pa.array(tids)
    hit = pc.index_in(pay, value_set=enc.dictionary.cast(pay.type)).to_numpy(zero_copy_only=False)
    ok = ~np.isnan(hit)
    of_id = np.full(len(enc.dictionary), -1, dtype=np.int64)
    of_id[hit[ok].astype(np.int64)] = np.flatnonzero(ok)
    code = enc.indices.to_numpy(zero_copy_only=False)  # (a missing id: NaN)
    out = np.full(len(code), -1, dtype=np.int64)
    known = ~np.isnan(code)
    out[known] = of_id[code[known].astype(np.int64)]
    return out


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The shards' frames end to end (one frame when only one holds rows)."""
    filled = [f for f in frames if len(f)]
    if not filled:
        return frames[0]
    if len(filled) == 1:
        return filled[0]
    out: pd.DataFrame = pd.concat(filled, ignore_index=True)
    return out
