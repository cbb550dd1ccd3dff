"""``reconcile``: inputs → validated frames → per-currency partitions → hypotheses → scores →
global assignment → :class:`~rapprochement.matching.result.ReconciliationResult`.

Each currency is an independent partition (its own indexes, candidates, groups and
assignment; nothing shared across partitions but the read-only config and weights), so a later
step can run partitions — or the connected components inside them — on a distributed engine.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.assignment import assign
from rapprochement.matching.candidates import CustomerIndex, candidate_pairs, key_index
from rapprochement.matching.chance import book_chance, corrections
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.executor import Executor, release_heap
from rapprochement.matching.features import single_features
from rapprochement.matching.gc_pause import gc_paused
from rapprochement.matching.index_fork import key_index_beside
from rapprochement.matching.learning import adjust
from rapprochement.matching.long_lived import large_book, settle, stages
from rapprochement.matching.model_frames import statement_remittances
from rapprochement.matching.partition import (
    Inputs,
    Partition,
    as_entities,
    checked_customers,
    partitions,
    prepare,
)
from rapprochement.matching.refindex import BlockIndex
from rapprochement.matching.result import ReconciliationResult, notes_frame, rivals_frame
from rapprochement.matching.rivals import rival_rows, rivals
from rapprochement.matching.rows import (
    allocation_rows,
    ambiguity_reason,
    build_result,
    held_rows,
    mark_tosses,
    withhold,
)
from rapprochement.matching.scoring import (
    Weights,
    calibrate,
    load_weights,
    score_frame,
)
from rapprochement.matching.shards import (
    InvoiceSide,
    blocking_and_claims,
    group_pairs,
    narrow_positions,
    sharded_groups,
)
from rapprochement.matching.typos import drop_typo_readings
from rapprochement.matching.windows import notes, window_groups

__all__ = [
    "Partition",
    "book_weights",
    "count_candidates",
    "hypotheses",
    "partitions",
    "prepare",
    "reconcile",
]

_log = logging.getLogger("rapprochement.matching")


def _with_advice(tx: pd.DataFrame, remits: pd.DataFrame | None) -> pd.DataFrame:
    """Payments whose searchable text includes the references of their remittance-advice lines:
    what the payer names in the advice names an invoice as surely as the bank text does (an
    exact amount on another invoice of the payer no longer beats it)."""
    if remits is None or not len(remits):
        return tx
    refs = remits.groupby("transaction_id", sort=False)["reference"].agg(" ".join)
    extra = tx["transaction_id"].map(refs).fillna("")
    has = extra.to_numpy() != ""
    if not has.any():
        return tx
    out = tx.copy(deep=False)  # (the text column alone copied, when written: copy on write)
    out.loc[has, "text"] = out.loc[has, "text"].astype(str) + " " + extra[has]
    return out


def hypotheses(
    part: Partition,
    customers: pd.DataFrame | None,
    config: MatchConfig,
    executor: Executor | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Single-invoice and grouped hypotheses of one partition, with their feature levels;
    blocking and the group search per payment shard on ``executor`` (:mod:`.shards`)."""
    t0 = time.perf_counter()
    # the key index first: its temporaries (the largest of the indexes') are freed before the
    # payer index is built, and not inherited by the forked workers; with a pool of forked
    # workers it is built in a child process meanwhile (:mod:`.index_fork`)
    keys = key_index_beside(part.inv, executor)
    with gc_paused():  # (millions of acyclic dicts and sets: no full collection walks them)
        payers = CustomerIndex(part.inv, customers)
        blocks = BlockIndex(part.inv, config)
        side = InvoiceSide(part.inv, payers, keys(), config, part.currency, blocks, search=False)
    del payers, blocks
    release_heap()
    settle()
    _log.debug("%s: indexes %.2fs", part.currency, time.perf_counter() - t0)
    # (the advice lines' claims on open items read by the same shards)
    pairs, links, advice = blocking_and_claims(
        _with_advice(part.tx, part.remits), part.remits, side, executor
    )
    # the payer index (and its similarity cache) and blocking's open-item side end with it
    side = dataclasses.replace(side, customers=None, block=None)
    release_heap()  # (each stage's freed temporaries: not held while the next one runs)
    with gc_paused():  # the group search's index (built by the side), once blocking's are freed
        side = dataclasses.replace(side, search=True)
    settle()
    _log.debug("%s: %d candidate pairs %.2fs", part.currency, len(pairs), time.perf_counter() - t0)
    # kept through the group search: the pairs' columns it reads, the singles' later stages
    # read (the similarity is read as the ``name`` level, the sign as ``a`` and ``o``); the
    # rest of the pairs freed as the single-invoice features read them
    grouped = group_pairs(pairs)
    singles = single_features(pairs, part.tx, part.inv, config, part.currency, release=True)
    pairs = grouped
    del grouped
    # (positions narrowed first: the typo readings' rows are dropped from the narrower
    # frame, one column at a time, the frame given up as they are: never held twice)
    singles = narrow_positions(singles.drop(columns=_FEATURES_ONLY))
    singles = drop_typo_readings(singles, part.inv, part.tx, release=True)
    release_heap()
    settle()
    _log.debug("%s: features %.2fs", part.currency, time.perf_counter() - t0)
    groups = sharded_groups(part.tx, pairs, singles, links, part.remits, side, executor, advice)
    # collectors' payouts without their report: learned from every payment's report, so
    # after the sharded search (:mod:`.windows`)
    windows, theirs = window_groups(
        part.tx, part.inv, pairs, groups, _advised(part.remits), config, part.currency
    )
    if theirs:  # a collector's payout is not a payment of one of its customers
        singles = singles[~singles["tx"].isin(theirs)].reset_index(drop=True)
        groups = groups[~groups["tx"].isin(theirs)].reset_index(drop=True)
    if len(windows):
        groups = pd.concat([groups, windows], ignore_index=True)
    settle()
    _log.debug("%s: %d groups %.2fs", part.currency, len(groups), time.perf_counter() - t0)
    return singles, groups


#: columns of the single-invoice features no stage after them reads
_FEATURES_ONLY = ["name_sim", "sign"]


def _advised(remits: pd.DataFrame | None) -> set[str]:
    """Ids of the payments with remittance-advice lines."""
    return set() if remits is None else {str(t) for t in remits["transaction_id"]}


def count_candidates(
    transactions: Inputs,
    invoices: Inputs,
    config: MatchConfig | None = None,
    customers: pd.DataFrame | None = None,
    *,
    dayfirst: bool | None = None,
) -> int:
    """How many candidate (payment, invoice) pairs blocking produces, before any scoring."""
    config = config or MatchConfig()
    tx, inv, _ = prepare(transactions, invoices, dayfirst=dayfirst)
    total = 0
    for part in partitions(tx, inv, None):
        if not len(part.inv):
            continue
        pairs, _ = candidate_pairs(
            part.tx, part.inv, CustomerIndex(part.inv, customers), key_index(part.inv), config
        )
        total += len(pairs)
    return total


def _score(df: pd.DataFrame, w: Weights, threshold: float) -> pd.DataFrame:
    """The hypotheses scored at least ``threshold``, with their ``logit`` and ``p`` (only the
    kept rows are copied: the unscored frame is the largest of a partition)."""
    if not len(df):
        return df.assign(logit=np.zeros(0), p=np.zeros(0))
    logit = score_frame(df, w)
    p = calibrate(logit, w)
    if w.adjustments or w.auto_adjustments:  # learned from a ledger (matching/learning.py)
        logit, p = adjust(df, logit, p, w)
    keep = p >= threshold
    # renumbered (the labels keep their order): no 64-bit label per kept row
    out: pd.DataFrame = df.loc[keep].reset_index(drop=True).assign(logit=logit[keep], p=p[keep])
    return out


def book_weights(part: Partition, w: Weights, config: MatchConfig) -> Weights:
    """``w`` corrected for this partition's chance agreement (:mod:`.chance`): ``w`` itself
    when the correction is off or the weights carry no training rates."""
    if not config.chance_correction or not w.chance:
        return w
    shifts = corrections(book_chance(part.tx, part.inv, config, part.currency), w.chance, config)
    return w.model_copy(update={"book": shifts}) if shifts else w


@dataclass(slots=True)
class _Rows:
    """The result rows of every partition, gathered by :func:`_partition_rows`."""

    rows: list[dict[str, list[Any]]] = dataclasses.field(default_factory=list)  # columns
    ambiguous: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    duplicates: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    rivals: list[dict[str, list[Any]]] = dataclasses.field(default_factory=list)  # columns
    notes: list[dict[str, str]] = dataclasses.field(default_factory=list)


def _partition_rows(
    part: Partition,
    customers: pd.DataFrame | None,
    config: MatchConfig,
    executor: Executor | None,
    w: Weights,
    thresholds: tuple[float, float],
    out: _Rows,
) -> None:
    """One partition's hypotheses, scores and assignment, its result rows added to ``out``
    (a function of its own: what it holds is released when it returns)."""
    auto_t, sugg_t = thresholds
    singles, groups = hypotheses(part, customers, config, executor)
    release_heap()
    t0 = time.perf_counter()
    pw = book_weights(part, w, config)
    singles = _score(singles, pw, sugg_t)
    groups = _score(groups, pw, sugg_t)
    settle()
    _log.debug("%s: scoring %.2fs", part.currency, time.perf_counter() - t0)
    res = assign(
        singles, groups, len(part.tx), part.inv["open"].to_numpy(), part.tx["amount"].to_numpy()
    )
    iids = part.inv["invoice_id"].to_numpy()
    tids = part.tx["transaction_id"].to_numpy()
    withheld = withhold(part, res, auto_t, singles)
    mark_tosses(part, res, singles)
    held = held_rows(part, res, singles)
    recs, extra = rival_rows(rivals(singles, groups, res, pw), iids, tids)
    done = {a.tx for a in res.allocs}
    out.notes += notes(part.tx, groups, part.inv, done, _advised(part.remits))
    del singles, groups
    release_heap()
    settle()
    _log.debug("%s: assignment %.2fs", part.currency, time.perf_counter() - t0)
    out.rows.append(allocation_rows(part, res, auto_t, pw, extra, held, (tids, iids), drain=True))
    out.rivals.append(recs)
    for t, (f, i) in sorted(res.duplicates.items()):
        out.duplicates.append(
            {"transaction_id": tids[t], "duplicate_of": tids[f], "invoice_id": iids[i]}
        )
    for t, alts in sorted(res.ambiguous.items()):
        out.ambiguous.append(
            {
                "transaction_id": str(tids[t]),
                "alternatives": [tuple(str(iids[i]) for i in a) for a in alts],
                "reason": ambiguity_reason(withheld.get(t, "")),
            }
        )


def reconcile(
    transactions: Inputs,
    invoices: Inputs,
    *,
    remittances: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    config: MatchConfig | None = None,
    rules: Any = None,
    dayfirst: bool | None = None,
    executor: Executor | None = None,
    weights: Weights | None = None,
) -> ReconciliationResult:
    """Match payments to open invoices.

    Args:
        transactions: a DataFrame (``transaction_id, booking_date, amount, currency,
            counterparty_name, counterparty_iban, remittance_info`` + optional
            ``structured_reference, end_to_end_id, value_date``), a list of such rows as
            dicts, or a list of :class:`~rapprochement.Transaction` or
            :class:`~rapprochement.Statement` models.
        invoices: a DataFrame (``invoice_id, customer_id, customer_name, amount, currency,
            issue_date, due_date`` + optional ``open_amount, reference, customer_iban``), a
            list of such rows as dicts, or a list of :class:`~rapprochement.Invoice`.
            Negative amounts are credit notes.
        remittances: optional remittance-advice lines ``transaction_id, reference, amount, memo``
            (+ optional ``discount``: a discount the advice states). None with statements: the
            lines their CAMT referred documents state (:func:`.statement_remittances`).
        customers: optional learned payers ``customer_id, iban, name`` (several rows per
            customer: parent companies, factors, name variants).
        config: thresholds and bounds (:class:`MatchConfig`); defaults are safe.
        rules: optional line rules (a :class:`~rapprochement.rules.RuleSet`, e.g.
            ``starter_rules()``; an empty ``RuleSet()`` for returns only): lines they
            categorize, returns and the payments they return are taken out before matching
            and listed in ``result.categorized`` (see :mod:`rapprochement.rules.split`).
        dayfirst: how to read dates written ``03/04/2026`` in every date column: True day
            first, False month first; None (default) decides per column from its values and
            refuses a column where every such date reads both ways (docs/matching.md).
        executor: where blocking and the group search run, per shard of payments
            (:mod:`rapprochement.matching.executor`: ``InProcess()``, the default, or
            ``ProcessPool()``); the result is the same whichever (docs/spark.md).
        weights: scores to use instead of ``config.weights_path``'s (a ledger passes the
            shipped weights with what its decisions taught, :mod:`.learning`).

    Raises:
        InputError: a typed subclass naming the column and rows of unusable input.
        ConfigError: ``config.weights_path`` names a missing or invalid weights file.
    """
    with stages():  # (the heap settled at each stage end: :mod:`.long_lived`)
        return _reconcile(
            transactions,
            invoices,
            remittances,
            customers,
            config,
            rules,
            dayfirst,
            executor,
            weights,
        )


def _reconcile(
    transactions: Inputs,
    invoices: Inputs,
    remittances: pd.DataFrame | None,
    customers: pd.DataFrame | None,
    config: MatchConfig | None,
    rules: Any,
    dayfirst: bool | None,
    executor: Executor | None,
    weights: Weights | None,
) -> ReconciliationResult:
    config = config or MatchConfig()
    w = weights if weights is not None else load_weights(config.weights_path)
    auto_t = w.auto_threshold if config.auto_threshold is None else config.auto_threshold
    sugg_t = w.suggest_threshold if config.suggest_threshold is None else config.suggest_threshold
    t0 = time.perf_counter()
    categorized = None
    if remittances is None:  # the discounts and amounts statements state per invoice (CAMT)
        remittances = statement_remittances(transactions)
    if rules is not None:  # a stage before matching: lines that are not customer payments
        from rapprochement.rules.load import load_rules
        from rapprochement.rules.split import split_lines

        transactions, categorized = split_lines(transactions, load_rules(rules))
    tx, inv, rem = prepare(transactions, invoices, remittances, dayfirst=dayfirst)
    customers = checked_customers(customers)
    large_book(len(tx))
    settle()
    _log.debug("inputs validated %.2fs", time.perf_counter() - t0)
    out = _Rows()
    one, customers = as_entities(inv, customers)
    for part in partitions(tx, one, rem):
        if len(part.inv):
            _partition_rows(part, customers, config, executor, w, (auto_t, sugg_t), out)
        del part  # (the last partition's frames: not held while the result frames are built)
    del one, customers
    release_heap()
    t0 = time.perf_counter()
    result = build_result(tx, inv, out.rows, out.ambiguous, config, out.duplicates)
    out.rows.clear()  # (the allocation columns: not held while the other frames are built)
    result = dataclasses.replace(
        result, rivals=rivals_frame(parts=out.rivals), notes=notes_frame(out.notes)
    )
    _log.debug("result frames %.2fs", time.perf_counter() - t0)
    if categorized is not None:
        result = dataclasses.replace(result, categorized=categorized)
    return result
