"""Repeats of one payment: of two identical payments the earlier takes the invoice.

Payments of one amount that each name the same invoice by its number and settle it whole,
within :data:`.features.TWIN_DAYS` of each other, are one payment and its repeat (a cheque
sent after a transfer, an ACH payment resubmitted). The earlier one takes the invoice; the
later is its duplicate (``result.duplicates``), even when the optimal one-to-one would rather
give the earlier one another item it fits less surely, and a later repeat is no claim on the
invoice against an earlier payment's remittance-advice group.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.assign_arrays import first_of, group_codes, group_reduce, text_in
from rapprochement.matching.features import TWIN_DAYS
from rapprochement.matching.group_assignment import Assignment
from rapprochement.matching.keys import LEVELS

__all__ = ["duplicates", "equal_items", "later_rows", "later_twins"]

_NAMED_REF = LEVELS.index("normalized")  # a reference naming one invoice by its number


def later_twins(s: pd.DataFrame) -> pd.DataFrame:
    """``s`` (scored single hypotheses) without the rows by which a later twin would settle
    whole an invoice an earlier twin at most ``TWIN_DAYS`` before may settle whole: of two
    identical payments the earlier takes the invoice, even when the optimal one-to-one would
    rather give the earlier one another item it fits less surely (the later one is then read
    as a duplicate by :func:`.twin_passes.twin_repeats`)."""
    drop = later_rows(s)
    if drop is None:
        return s
    out: pd.DataFrame = s.drop(index=s.index[drop])
    return out


def later_rows(s: pd.DataFrame) -> np.ndarray[Any, Any] | None:
    """Where the rows :func:`later_twins` drops are (a boolean per row of ``s``), or None when
    it drops none."""
    if not {"twin", "amount", "ref", "rivals", "day"} <= set(s.columns) or not len(s):
        return None
    # named by its own number (not a tail, nor a reference several items share) and paid whole
    day = s["day"].to_numpy()
    whole = (
        text_in(s["amount"], ("exact", "discount", "fee"))
        & (s["ref"].to_numpy() <= _NAMED_REF)
        & text_in(s["rivals"], ("0",))
        & (day >= 0)
    )
    if not whole.any():
        return None
    at = np.flatnonzero(whole)
    day, tx = day[at], s["tx"].to_numpy()[at]
    code = group_codes(s["twin"].to_numpy()[at], s["inv"].to_numpy()[at])
    # the earliest payment of each (twin, invoice) keeps its row; ties of one day by position
    order = np.lexsort((tx, day, code))
    starts = first_of(code[order])
    keep_tx = np.empty(len(at), dtype=tx.dtype)
    keep_tx[order] = tx[order][starts][np.cumsum(starts) - 1]
    later = (tx != keep_tx) & (day - group_reduce(code, day, "min") <= TWIN_DAYS)
    if not later.any():
        return None
    out = np.zeros(len(s), dtype=bool)
    out[at[later]] = True
    return out


def equal_items(pick: pd.DataFrame) -> set[int]:
    """Payments of ``pick`` (the chosen single pairs) settling an item of exactly their amount,
    nothing naming it, from a payer its IBAN or its name (exact or high) ties to the item's
    customer: when an earlier twin took the payment's best invoice, named no better, this is a
    second equal item paid by a second equal payment (two look-alike customers each owing the
    amount, paid the same day under one name), not a repeat of the first."""
    need = ("amount", "reference", "iban", "name")
    if any(c not in pick for c in need):
        return set()
    ok = (
        (pick["amount"].astype(str) == "exact")
        & (pick["reference"].astype(str) == "none")
        & ((pick["iban"].astype(str) == "known") | pick["name"].astype(str).isin(["exact", "high"]))
    )
    return {int(t) for t in pick.loc[ok, "tx"]}


def duplicates(
    best: pd.DataFrame, done: np.ndarray[Any, Any], out: Assignment, tx_amt: np.ndarray[Any, Any]
) -> None:
    """Payments left unallocated whose best hypothesis (``best``: each payment's best row,
    :func:`.assignment._best_rows`) is the whole of an invoice that an earlier payment of the
    same amount, with the same evidence, settled: a duplicate (the assignment's last pass)."""
    if not len(best):
        return
    whole: dict[int, tuple[int, float]] = {}
    for a in out.allocs:
        if a.group is None and a.inv >= 0 and a.kind in ("one_to_one", "discount", "fee"):
            whole.setdefault(a.inv, (a.tx, float(a.hyp["logit"])))
    tx = best["tx"].to_numpy()
    left = ~done[tx]  # (a payment done is never one: only the others are read)
    cols = (
        tx[left].tolist(),
        best["inv"].to_numpy()[left].tolist(),
        best["logit"].to_numpy()[left],
    )
    for t, i, lg in zip(*cols, strict=True):
        t, i = int(t), int(i)
        first = whole.get(i)
        if done[t] or first is None or first[0] == t:
            continue
        if tx_amt[first[0]] == tx_amt[t] and abs(first[1] - float(lg)) < 1e-6:
            out.duplicates[t] = (first[0], i)
