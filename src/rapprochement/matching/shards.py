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

from dataclasses import dataclass
from typing import Any

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
    GroupIndex,
    group_frame,
)
from rapprochement.matching.groups import group_search
from rapprochement.matching.refindex import BlockIndex
from rapprochement.matching.shard_cuts import (
    Lazy,
    blocking_order,
    columns,
    concat,
    cut_shards,
    lines_by_shard,
    merge_by_payment,
    search_order,
    shard_labels,
    whole,
)

__all__ = [
    "AdviceRead",
    "InvoiceSide",
    "blocking_and_claims",
    "group_pairs",
    "narrow_positions",
    "sharded_blocking",
    "sharded_groups",
]


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
    #: False: a side for blocking alone, whose group-search index is not built (the engine
    #: builds it once blocking's indexes are freed: they are not held together)
    search: bool = True

    def __post_init__(self) -> None:
        if self.block is None and self.customers is not None:
            object.__setattr__(self, "block", BlockIndex(self.inv, self.config))
        if self.groups is None and self.search:
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
    #: the shard's payments' positions in the partition (None: the partition's own)
    at: np.ndarray[Any, Any] | None = None


@dataclass(slots=True)
class AdviceRead:
    """The advice lines' claims on open items (:func:`.claimed.advice_claims`) read per
    payment shard while blocking (a line is read alone: the same claims as read at once),
    gathered over the shards for :func:`sharded_groups`. The keys of the lines' texts are
    not sent back with them: each group-search shard keys its own lines again (0.8 s of CPU
    for the 43k lines of a 300k book, shared by the workers), where holding every text's
    keys cost the driver ~110 MiB at 300k (~370 MiB at 1M), and each forked worker the
    pages of them it read."""

    claims: list[tuple[int, str]]

    def add(self, other: AdviceRead) -> None:
        """``other``'s claims added to these."""
        self.claims += other.claims


def _read_advice(side: InvoiceSide, remits: pd.DataFrame | None) -> AdviceRead:
    """:func:`.claimed.advice_claims` of the lines ``remits`` (none: nothing read)."""
    out = AdviceRead([])
    if remits is not None and len(remits):
        known = LineKeys({}, {})  # (the keys of this shard's texts: not sent back)
        open_ = side.inv["open"].to_numpy()
        out.claims = advice_claims(remits, side.keys, open_, side.config, known)
    return out


def _block(side: InvoiceSide, tx: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    assert side.customers is not None, "blocking needs the payer index"
    assert side.block is not None, "blocking needs its open-item side"
    return candidate_pairs(tx, side.inv, side.customers, side.keys, side.config, side.block)


def _block_shard(
    side: InvoiceSide, task: tuple[pd.DataFrame, pd.DataFrame | None, np.ndarray[Any, Any]]
) -> tuple[dict[str, np.ndarray[Any, Any]], dict[str, np.ndarray[Any, Any]], AdviceRead]:
    """:func:`_block` of one shard (its payments, their advice lines, whose claims are read
    here too: :func:`_read_advice`, and their positions in the partition), run over runs of
    :data:`BLOCK_RUN` payments (blocking reads each payment alone: the same pairs, as with more
    shards) so that the payer-name similarity cache is emptied after each run, not grown with
    the shard. Its pairs and links go back as columns (:func:`.shard_cuts.merge_by_payment`),
    ``tx`` the partition's positions; the pairs compact: positions as 32-bit integers, no
    ``customer_id`` (a code per pair, read again from the open items by :func:`_merged_pairs`)."""
    assert side.customers is not None, "blocking needs the payer index"
    tx, remits, at = task
    pairs, links = [], []
    for lo in range(0, max(len(tx), 1), BLOCK_RUN):
        p, lk = _block(side, tx.iloc[lo : lo + BLOCK_RUN].reset_index(drop=True))
        side.customers.forget_similarities()
        pairs.append(p.drop(columns="customer_id").assign(tx=p["tx"].to_numpy() + lo))
        links.append(lk.assign(tx=lk["tx"].to_numpy() + lo))
    out, lks = columns(concat(pairs)), columns(concat(links))
    del pairs, links
    out["tx"], lks["tx"] = at[out["tx"]], at[lks["tx"]]
    if len(side.inv) < 2**31 and len(at) and at[-1] < 2**31:
        out["tx"], out["inv"] = out["tx"].astype(np.int32), out["inv"].astype(np.int32)
    return out, lks, _read_advice(side, remits)


def _merged_pairs(
    parts: list[dict[str, np.ndarray[Any, Any]]], n: int, side: InvoiceSide
) -> pd.DataFrame:
    """The shards' pairs merged as :func:`_block` gives them (:func:`.shard_cuts.merge_by_payment`):
    64-bit positions, ``customer_id`` the open item's (the column :func:`_block_shard` drops),
    in its place."""
    assert side.block is not None  # (built with the side)
    out = merge_by_payment(parts, n)
    out["inv"] = out["inv"].to_numpy().astype(np.int64)
    out.insert(3, "customer_id", customer_column(side.block, out["inv"].to_numpy()))
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


def _search(side: InvoiceSide, task: _GroupTask) -> pd.DataFrame:
    """The group search's frame of one shard (:func:`.group_context.group_frame`, row by row:
    the shards' frames end to end hold the rows of one frame), ``tx`` the partition's
    positions."""
    assert side.groups is not None  # (built with the side)
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
    days = task.tx["day"].to_numpy()
    out = group_frame(ctx.rows, days, side.groups.issue, side.groups.due)
    if task.at is not None and len(out):
        out["tx"] = task.at[out["tx"].to_numpy()]
    return out


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
        self.label = shard_labels(shards, n)
        if k < 2**15:  # (a stable sort of 16-bit labels is a radix sort: no comparisons)
            self.label = self.label.astype(np.int16)
        self.local = np.empty(n, dtype=np.int64)
        for pos in shards:
            self.local[pos] = np.arange(len(pos))
        self.tx, self.frames, self.shards = tx, frames, shards
        self.claimed, self.known = claimed, known
        #: per frame: its rows in shard order (32-bit when they fit) and each shard's bounds
        self.cuts = [self._cut(df, k) for df in frames]
        # an advice line goes with its payment (lines of no payment: none)
        self.remits = lines_by_shard(remits, tx, self.label, k)[0]

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
        remits, at = self.remits[s], self.shards[s]
        return _GroupTask(sub, pairs, singles, links, remits, self.claimed, self.known, at)


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
    shards = cut_shards(executor, n, lambda: blocking_order(tx))
    if not shards or whole(shards, n):
        return (*_block(side, tx), None)
    has_lines = remits is not None and len(remits) > 0
    lines, orphans = lines_by_shard(
        remits if has_lines else None, tx, shard_labels(shards, n), len(shards)
    )
    # (each shard's payments cut when its task is read, as the group search's)
    cuts = Lazy(
        len(shards), lambda s: (tx.iloc[shards[s]].reset_index(drop=True), lines[s], shards[s])
    )
    out = executor.run(_block_shard, side, cuts)
    advice = _read_advice(side, orphans) if has_lines else None  # (lines of no payment)
    for _, _, read in out:
        if advice is not None:
            advice.add(read)
    parts = [p for p, _, _ in out]
    lks = [lk for _, lk, _ in out]
    del out  # (each shard's columns dropped once merged: not held with the merged ones)
    links = merge_by_payment(lks, n)
    return _merged_pairs(parts, n, side), links, advice


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
    shards = cut_shards(executor, n, lambda: search_order(tx, pairs, links, index))
    known = LineKeys({}, {})  # (the lines' keys read here: filled by each shard's search)
    advised = None if advice is None else advice.claims
    tids = tx["transaction_id"].to_numpy()
    claimed = Claims(
        claimed_items(
            singles, tids, remits, side.keys, side.groups.open, side.config, known, advised
        ),
        len(side.groups.open),
    )
    if not shards or whole(shards, n):
        return _search(side, _GroupTask(tx, pairs, singles, links, remits, claimed, known))
    if remits is not None and len(remits):
        side.groups.by_amount  # noqa: B018 (worked out once here, read by every shard)
    cut = _ShardTasks(tx, (pairs, singles, links), shards, remits, claimed, known)
    tasks = Lazy(len(shards), cut.task)
    found = executor.run(_search, side, tasks)
    del tasks, cut  # (the shards' cuts: not held while the rows are merged)
    out = concat(found)
    # the single process finds every advice-line group (payments in id order, which is their
    # position order) before any other group, then the others payment by payment
    if len(out) > 1:
        late = ~out["source"].isin(ADVICE_SOURCES).to_numpy(dtype=bool)
        out = out.iloc[np.lexsort((out["tx"].to_numpy(), late))]
    return out.reset_index(drop=True)
