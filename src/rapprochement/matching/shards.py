"""The payment-shard stages of one currency partition: blocking and the grouped-payment search
run per shard of payments on an :class:`~rapprochement.matching.executor.Executor`, the
invoice-side indexes built once and shared read-only (:class:`InvoiceSide`).

Why payments, and only these two stages: every candidate pair, payer link and group row of a
payment is computed from that payment and the invoice side alone (blocking looks the payment
up in the invoice indexes; the group search reads the payment's own pairs, links and advice
lines). The features that cross payments (instalment pairs, invoice rivals, siblings, twins)
are keyed by invoice or customer and stay global, as do scoring and the assignment.

Merging restores the single-process order exactly: pairs by (payment, invoice), links by
payment (stable), group rows by (advice-line groups first, then payment) (stable), payment
positions mapped back from each shard's to the partition's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

import numpy as np
import pandas as pd

from rapprochement.matching.candidates import (
    CustomerIndex,
    KeyIndex,
    candidate_pairs,
    customer_column,
)
from rapprochement.matching.claimed import Claims, LineKeys, advice_claims, claimed_items
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.executor import Executor, InProcess
from rapprochement.matching.group_context import (
    ADVICE_SOURCES,
    REF_OK,
    GroupIndex,
    group_frame,
)
from rapprochement.matching.groups import group_search
from rapprochement.matching.refindex import BlockIndex

__all__ = [
    "AdviceRead",
    "InvoiceSide",
    "blocking_and_claims",
    "group_pairs",
    "narrow_positions",
    "sharded_blocking",
    "sharded_groups",
]

T = TypeVar("T")

#: payments a worker blocks at once (:func:`_block_shard`)
BLOCK_RUN = 50_000
#: the columns of the single-invoice features the group search reads
_SINGLE_COLUMNS = ["tx", "amount", "ref", "named_outside", "customer_id", "iban"]
#: the columns of the pairs, singles and links a shard's task takes (None: every one)
_TASK_COLUMNS = (None, _SINGLE_COLUMNS, None)
#: the columns of the candidate pairs the group search and the collectors' windows read
#: (:class:`~rapprochement.matching.group_context.GroupContext`)
_GROUP_PAIR_COLUMNS = ("tx", "inv", "ref", "iban", "name_sim")


@dataclass(frozen=True, slots=True)
class InvoiceSide:
    """What every shard of a partition reads and none writes: the open items, their indexes
    (payer and reference keys), the config and the currency. ``customers`` and ``block`` (the
    payer index and the open items' side of blocking, read by blocking only) are ``None`` for
    the group search (``block`` is only built with ``customers``)."""

    inv: pd.DataFrame
    customers: CustomerIndex | None
    keys: KeyIndex
    config: MatchConfig
    currency: str
    #: the open-item sides of blocking and of the group search (built once here when not
    #: given): no shard repeats a pass over every open item
    block: BlockIndex | None = None
    groups: GroupIndex | None = None

    def __post_init__(self) -> None:
        if self.block is None and self.customers is not None:
            object.__setattr__(self, "block", BlockIndex(self.inv, self.config))
        if self.groups is None:
            object.__setattr__(self, "groups", GroupIndex(self.inv))


@dataclass(frozen=True, slots=True)
class _GroupTask:
    """One shard's inputs to the group search (payment positions local to the shard)."""

    tx: pd.DataFrame
    pairs: pd.DataFrame
    singles: pd.DataFrame
    links: pd.DataFrame
    remits: pd.DataFrame | None
    #: open items settled outright (:mod:`.claimed`) over every shard: item → payment id
    claimed: Claims | None = None
    #: the advice lines' keys :func:`.claimed.claimed_items` read (shared by every shard)
    line_keys: LineKeys | None = None


@dataclass(slots=True)
class AdviceRead:
    """The advice lines' claims on open items (:func:`.claimed.advice_claims`) read per
    payment shard while blocking (a line is read alone: the same claims as read at once),
    and the keys of the texts read (:class:`.claimed.LineKeys`), gathered over the shards
    for :func:`sharded_groups` (which then reads no line again)."""

    claims: list[tuple[int, str]]
    known: LineKeys

    def add(self, other: AdviceRead) -> None:
        """``other``'s claims and keys added to these."""
        self.claims += other.claims
        self.known.texts.update(other.known.texts)
        self.known.tokens.update(other.known.tokens)


def _read_advice(side: InvoiceSide, remits: pd.DataFrame | None) -> AdviceRead:
    """:func:`.claimed.advice_claims` of the lines ``remits`` (none: nothing read)."""
    out = AdviceRead([], LineKeys({}, {}))
    if remits is not None and len(remits):
        assert side.groups is not None  # (built with the side)
        out.claims = advice_claims(remits, side.keys, side.groups.open, side.config, out.known)
    return out


def _block(side: InvoiceSide, tx: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    assert side.customers is not None, "blocking needs the payer index"
    assert side.block is not None, "blocking needs its open-item side"
    return candidate_pairs(tx, side.inv, side.customers, side.keys, side.config, side.block)


def _block_shard(
    side: InvoiceSide, task: tuple[pd.DataFrame, pd.DataFrame | None]
) -> tuple[pd.DataFrame, pd.DataFrame, AdviceRead]:
    """:func:`_block` of one shard (its payments and their advice lines, whose claims are
    read here too: :func:`_read_advice`), run over runs of :data:`BLOCK_RUN` payments (blocking
    reads each payment alone: the same pairs, as with more shards) so that the payer-name
    similarity cache is emptied after each run, not grown with the shard; its pairs compact to
    be sent back: positions as 32-bit integers, no ``customer_id`` (a Python string per pair,
    read again from the open items by :func:`_with_customers`)."""
    assert side.customers is not None, "blocking needs the payer index"
    tx, remits = task
    pairs, links = [], []
    for lo in range(0, max(len(tx), 1), BLOCK_RUN):
        p, lk = _block(side, tx.iloc[lo : lo + BLOCK_RUN].reset_index(drop=True))
        side.customers.forget_similarities()
        pairs.append(p.drop(columns="customer_id").assign(tx=p["tx"].to_numpy() + lo))
        links.append(lk.assign(tx=lk["tx"].to_numpy() + lo))
    out = _concat(pairs)
    if len(side.inv) < 2**31 and len(tx) < 2**31:
        out = out.astype({"tx": np.int32, "inv": np.int32})
    return out, _concat(links), _read_advice(side, remits)


def _with_customers(pairs: pd.DataFrame, side: InvoiceSide) -> pd.DataFrame:
    """Merged shard pairs as :func:`_block` gives them: 64-bit positions, ``customer_id``
    the open item's (the column dropped by :func:`_block_shard`), in its place."""
    assert side.block is not None  # (built with the side)
    inv = pairs["inv"].to_numpy().astype(np.int64)
    out = pairs.assign(inv=inv)
    out.insert(3, "customer_id", customer_column(side.block, inv))
    return out


def group_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """The candidate pairs as the group search reads them, once the single-invoice features
    are worked out (the largest frame a partition keeps through the group search): only the
    columns it reads, positions as 32-bit integers (:func:`narrow_positions`)."""
    cols = {c: pairs[c].to_numpy() for c in _GROUP_PAIR_COLUMNS}
    return narrow_positions(pd.DataFrame(cols, copy=False))


def narrow_positions(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its ``tx`` and ``inv`` positions as 32-bit integers when they fit (half the
    memory of a frame's two widest columns; every reader of them indexes arrays, groups or
    widens them before a pair key ``tx * len(inv) + inv`` is formed)."""
    t, i = df["tx"].to_numpy(), df["inv"].to_numpy()
    if t.dtype == np.int32 and i.dtype == np.int32:
        return df
    if len(t) >= 2**31 or max(t.max(initial=0), i.max(initial=0)) >= 2**31:
        return df
    return df.assign(tx=t.astype(np.int32), inv=i.astype(np.int32))


def _in_payment_order(df: pd.DataFrame, t: np.ndarray[Any, Any], n: int) -> pd.DataFrame:
    """``df`` (shards' rows merged: each payment's rows ``t`` next to each other, from the
    one shard that holds it) stably sorted by payment, untouched when already in order
    (contiguous shards merged in order: no copy). No sort: each run of a payment's rows goes
    where its payment's rows start (``bincount`` of the payments, then their offsets)."""
    if len(t) < 2 or bool(np.all(t[1:] >= t[:-1])):
        return df.reset_index(drop=True)
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(t, minlength=n), out=start[1:])
    new = np.ones(len(t), dtype=bool)
    new[1:] = t[1:] != t[:-1]
    at = np.arange(len(t), dtype=np.int64)
    first = np.maximum.accumulate(np.where(new, at, 0))
    order = np.empty(len(t), dtype=np.int64)
    order[start[t] + at - first] = at
    return df.iloc[order].reset_index(drop=True)


def _search(side: InvoiceSide, task: _GroupTask) -> list[dict[str, Any]]:
    ctx = group_search(
        task.tx,
        side.inv,
        task.pairs,
        task.singles,
        task.links,
        task.remits,
        side.keys,
        side.config,
        side.currency,
        side.groups,
        task.claimed,
        task.line_keys,
    )
    return ctx.rows


def _whole(shards: list[np.ndarray[Any, Any]], n: int) -> bool:
    """One shard holding every payment in order: the unsharded engine, nothing to map."""
    return len(shards) == 1 and len(shards[0]) == n


def _shards(
    executor: Executor, n: int, order: Callable[[], np.ndarray[Any, Any]] | None = None
) -> list[np.ndarray[Any, Any]]:
    """The executor's shards, each sorted (a shard keeps the partition's payment order).
    ``order``: the payments in an order that puts one payer's next to each other (a
    permutation of ``0..n-1``, :func:`_payer_order`; worked out only for several shards):
    the executor's shards are cut from it, so that a shard holds a payer's payments together
    and the per-payer caches of a worker (payer-name similarities, the payer's numbering,
    references and items) are worked out once, not once per shard (results never depend on
    the membership)."""
    cut = executor.shards(n)
    if order is not None and not _whole(cut, n):
        perm = order()
        cut = [perm[np.asarray(s, dtype=np.int64)] for s in cut]
    return [np.sort(np.asarray(s, dtype=np.int64)) for s in cut if len(s)]


def _codes(values: Any) -> np.ndarray[Any, Any]:
    """Each value's code (equal values, equal codes; missing and empty: -1)."""
    codes, _ = pd.factorize(pd.Series(values).replace("", None), use_na_sentinel=True)
    out: np.ndarray[Any, Any] = np.asarray(codes, dtype=np.int64)
    return out


def _blocking_order(tx: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Blocking's payments by payer: IBAN, then name (blocking caches the similarity of a
    payer name to each customer it may be)."""
    return _payer_order(_codes(tx["iban"].to_numpy()), _codes(tx["name"].to_numpy()))


def _search_order(
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
    return _payer_order(payer, _codes(tx["iban"].to_numpy()), _codes(tx["name"].to_numpy()))


def _first_per_payment(
    payer: np.ndarray[Any, Any], t: np.ndarray[Any, Any], code: np.ndarray[Any, Any]
) -> None:
    """``payer[p]`` set to the code of payment ``p``'s first row (``t`` sorted)."""
    first = np.ones(len(t), dtype=bool)
    first[1:] = t[1:] != t[:-1]
    payer[t[first]] = code[first]


def _payer_order(*keys: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The payments ordered by payer codes (``keys``, most significant first; -1 unknown, last
    within its key), ties in position order (a stable sort)."""
    big = [np.where(k < 0, np.iinfo(np.int64).max, k) for k in keys]
    order: np.ndarray[Any, Any] = np.lexsort(tuple(reversed(big)))
    return order


class _Lazy(Sequence[T]):
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


class _ShardTasks:
    """The shards' group-search tasks, each cut from the partition's frames when it is read:
    in a forked worker, which inherits the frames (nothing of the others' shards is copied
    in the driver), or one after the other in this process. The rows of each frame per shard
    in their order, ``tx`` renumbered within the shard (``local``); one stable sort of each
    frame's shard labels for every shard (``label``: each payment's shard)."""

    def __init__(
        self,
        tx: pd.DataFrame,
        frames: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
        shards: list[np.ndarray[Any, Any]],
        remits: pd.DataFrame | None,
        claimed: Claims | None,
        known: LineKeys | None,
    ) -> None:
        n, k = len(tx), len(shards)
        self.label = np.empty(n, dtype=np.int64)
        self.local = np.empty(n, dtype=np.int64)
        for s, pos in enumerate(shards):
            self.label[pos] = s
            self.local[pos] = np.arange(len(pos))
        self.tx, self.frames, self.shards = tx, frames, shards
        self.claimed, self.known = claimed, known
        #: per frame: its rows in shard order (32-bit when they fit) and each shard's bounds
        self.cuts = [self._cut(df, k) for df in frames]
        # an advice line goes with its payment (lines of no payment: none)
        self.remits = _lines_by_shard(remits, tx, self.label, k)[0]

    def _cut(self, df: pd.DataFrame, k: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        lab = self.label[df["tx"].to_numpy()]
        order = np.argsort(lab, kind="stable")
        bounds = np.searchsorted(lab[order], np.arange(k + 1))
        return (order.astype(np.int32) if len(order) < 2**31 else order), bounds

    def task(self, s: int) -> _GroupTask:
        """Shard ``s``'s task."""
        parts = []
        for df, (order, bounds), cols in zip(self.frames, self.cuts, _TASK_COLUMNS, strict=True):
            at = np.arange(df.shape[1]) if cols is None else df.columns.get_indexer(pd.Index(cols))
            part = df.iloc[order[bounds[s] : bounds[s + 1]], at].reset_index(drop=True)
            part["tx"] = self.local[part["tx"].to_numpy()]
            parts.append(part)
        pairs, singles, links = parts
        sub = self.tx.iloc[self.shards[s]].reset_index(drop=True)
        return _GroupTask(sub, pairs, singles, links, self.remits[s], self.claimed, self.known)


def _shard_labels(shards: list[np.ndarray[Any, Any]], n: int) -> np.ndarray[Any, Any]:
    """Each of the ``n`` payments' shard."""
    label = np.empty(n, dtype=np.int64)
    for s, pos in enumerate(shards):
        label[pos] = s
    return label


def _lines_by_shard(
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


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    filled = [f for f in frames if len(f)]
    if not filled:
        return frames[0]
    if len(filled) == 1:
        return filled[0]
    out: pd.DataFrame = pd.concat(filled, ignore_index=True)
    return out


def sharded_blocking(
    tx: pd.DataFrame, side: InvoiceSide, executor: Executor | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`~rapprochement.matching.candidates.candidate_pairs` of the payments ``tx`` run
    per payment shard: the same pairs and links, in the same order."""
    pairs, links, _ = blocking_and_claims(tx, None, side, executor)
    return pairs, links


def blocking_and_claims(
    tx: pd.DataFrame,
    remits: pd.DataFrame | None,
    side: InvoiceSide,
    executor: Executor | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, AdviceRead | None]:
    """:func:`sharded_blocking`, the claims of the advice lines ``remits`` on open items read
    by the same shards (:class:`AdviceRead`; None when not sharded or without lines:
    :func:`sharded_groups` then reads them)."""
    executor = executor or InProcess()
    n = len(tx)
    shards = _shards(executor, n, lambda: _blocking_order(tx))
    if not shards or _whole(shards, n):
        return (*_block(side, tx), None)
    has_lines = remits is not None and len(remits) > 0
    lines, orphans = _lines_by_shard(
        remits if has_lines else None, tx, _shard_labels(shards, n), len(shards)
    )
    # (each shard's payments cut when its task is read, as the group search's)
    cuts = _Lazy(len(shards), lambda s: (tx.iloc[shards[s]].reset_index(drop=True), lines[s]))
    out = executor.run(_block_shard, side, cuts)
    advice = _read_advice(side, orphans) if has_lines else None  # (lines of no payment)
    for _, _, read in out:
        if advice is not None:
            advice.add(read)
    both = list(zip(shards, out, strict=True))
    pairs = _concat([p.assign(tx=at[p["tx"].to_numpy()]) for at, (p, _, _) in both])
    links = _concat([lk.assign(tx=at[lk["tx"].to_numpy()]) for at, (_, lk, _) in both])
    del out, both  # (the shards' own pairs: not held with the merged ones)
    # (a shard's pairs are in (payment, item) order: the merged ones, in payment order)
    pairs = _in_payment_order(pairs, pairs["tx"].to_numpy(), n)
    links = _in_payment_order(links, links["tx"].to_numpy(), n)
    return _with_customers(pairs, side), links, advice


def sharded_groups(
    tx: pd.DataFrame,
    pairs: pd.DataFrame,
    singles: pd.DataFrame,
    links: pd.DataFrame,
    remits: pd.DataFrame | None,
    side: InvoiceSide,
    executor: Executor | None = None,
    advice: AdviceRead | None = None,
) -> pd.DataFrame:
    """:func:`~rapprochement.matching.groups.group_search` and its frame, run per payment
    shard: the same frame, rows in the same order. ``tx`` carries the payments' own text (not
    the advice); ``advice``: the lines' claims read while blocking (None: read here)."""
    executor = executor or InProcess()
    n = len(tx)
    assert side.groups is not None  # (built with the side)
    index = side.groups
    shards = _shards(executor, n, lambda: _search_order(tx, pairs, links, index))
    days, issue, due = tx["day"].to_numpy(), side.groups.issue, side.groups.due
    known = LineKeys({}, {}) if advice is None else advice.known
    advised = None if advice is None else advice.claims
    tids = tx["transaction_id"].to_numpy()
    claimed = Claims(
        claimed_items(
            singles, tids, remits, side.keys, side.groups.open, side.config, known, advised
        ),
        len(side.groups.open),
    )
    if not shards or _whole(shards, n):
        rows = _search(side, _GroupTask(tx, pairs, singles, links, remits, claimed, known))
        return group_frame(rows, days, issue, due)
    if remits is not None and len(remits):
        side.groups.by_amount  # noqa: B018 (worked out once here, read by every shard)
    cut = _ShardTasks(tx, (pairs, singles, links), shards, remits, claimed, known)
    tasks = _Lazy(len(shards), cut.task)
    found = executor.run(_search, side, tasks)
    del tasks, cut  # (the shards' cuts: not held while the rows are merged)
    rows = []
    for pos, shard_rows in zip(shards, found, strict=True):
        for r in shard_rows:
            r["tx"] = int(pos[r["tx"]])
        rows.extend(shard_rows)
    # the single process finds every advice-line group (payments in id order, which is their
    # position order) before any other group, then the others payment by payment
    rows.sort(key=lambda r: (r["source"] not in ADVICE_SOURCES, r["tx"]))
    return group_frame(rows, days, issue, due)
