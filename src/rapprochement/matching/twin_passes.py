"""Twin payments in the assignment: payments identical but for a date a few days apart
weighed on their best evidence (:func:`twin_evidence`), and the later one of a pair read as a
duplicate when the earlier took its invoice (:func:`twin_repeats`). Moved from
:mod:`.assignment`, on numpy columns."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.assign_arrays import (
    best_of_tx,
    group_codes,
    group_reduce,
    positions,
    text_in,
)
from rapprochement.matching.features import TWIN_DAYS
from rapprochement.matching.rank_counts import sorted_unique
from rapprochement.matching.repeats import equal_items

__all__ = ["twin_evidence", "twin_repeats"]

_TWIN_DAYS = TWIN_DAYS  # payments this close, identical but for the date, may be a duplicate pair
_TWIN_MARGIN = 1.0  # logit below its best by which a twin's other invoice is not an option


#: the columns the twin passes read (:func:`twin_evidence`'s frame keeps only these)
_ADJ = (
    *("tx", "inv", "logit", "p", "day", "due", "twin", "amount"),
    *("ref", "rivals", "siblings", "reference", "iban", "name"),
)


def _distinct(code: np.ndarray[Any, Any], other: np.ndarray[Any, Any], n: int) -> Any:
    """Per code in ``0..n-1``, how many distinct values of ``other`` its rows hold."""
    pairs = sorted_unique(code.astype(np.int64) * (int(other.max()) + 1) + other.astype(np.int64))
    return np.bincount(pairs // (int(other.max()) + 1), minlength=n)


def _separate(s: pd.DataFrame) -> np.ndarray[Any, Any]:
    """The ``twin`` codes of ``s`` where payments sharing a code that have as many equal
    items to settle as there are payments (an amount billed and paid every week) get codes of
    their own: separate payments of separate items, each read on its own dates, not repeats
    of one."""
    twin = s["twin"].to_numpy()
    if "amount" not in s:
        return twin
    whole = text_in(s["amount"], ("exact", "discount", "fee"))
    code, _ = pd.factorize(twin)
    n = int(code.max()) + 1
    tx, inv = s["tx"].to_numpy(), s["inv"].to_numpy()
    items = _distinct(code[whole], inv[whole], n)[code] if whole.any() else np.zeros(len(s))
    pays = _distinct(code, tx, n)[code]
    apart = (pays > 1) & (items >= pays)
    if not apart.any():
        return twin
    out = twin.astype(np.int64)
    out[apart] = -1 - tx[apart].astype(np.int64)
    return out


def twin_evidence(s: pd.DataFrame) -> pd.DataFrame:
    """``s`` where payments identical but for a date at most ``_TWIN_DAYS`` apart (column
    ``twin``) each get, for every invoice, the best score of any of them: the evidence is the
    same up to the date, and one is likely a duplicate of the other, so the earlier one takes
    the invoice (the tie-break of :func:`.assignment._one_to_one`) rather than the one paid
    closer to the due date. (Only the columns the twin passes read, :data:`_ADJ`, are kept.)"""
    if "twin" not in s or not len(s):
        return s
    twin = _separate(s)
    out = s[[c for c in s.columns if c in _ADJ]].assign(twin=twin)
    # a payment has one row per invoice: rows sharing (twin, invoice) are different payments
    inv = s["inv"].to_numpy()
    shared = group_reduce(group_codes(twin, inv), inv, "size") > 1
    at = np.flatnonzero(shared & (s["day"].to_numpy() >= 0))
    if not len(at):
        return out
    code = group_codes(twin[at], inv[at])
    day = s["day"].to_numpy()[at]
    span = group_reduce(code, day, "max") - group_reduce(code, day, "min")
    twins = (group_reduce(code, day, "size") > 1) & (span <= _TWIN_DAYS)
    if not twins.any():
        return out
    lab = at[twins]
    logit, p = out["logit"].to_numpy().copy(), out["p"].to_numpy().copy()
    logit[lab] = group_reduce(code, logit[at], "max")[twins]
    p[lab] = group_reduce(code, p[at], "max")[twins]
    return out.assign(logit=logit, p=p)


def twin_repeats(
    s: pd.DataFrame,
    picked: list[int],
    adj: pd.DataFrame | None = None,
    order: np.ndarray[Any, Any] | None = None,
) -> dict[int, tuple[int, int]]:
    """Payments whose best invoice (on twin evidence, :func:`twin_evidence`) went to an
    earlier twin at most ``_TWIN_DAYS`` before, and that have no other invoice nearly as
    likely: a duplicate → ``(earlier payment, invoice)``. Another invoice as likely (two
    equal invoices paid by two equal payments) keeps the payment, and so do payments that add
    up to their invoice together (siblings: a split), and payments given an item of exactly
    their amount by a payer tied to its customer when nothing names the taken invoice either
    (:func:`.repeats.equal_items`: a look-alike customer's equal item, which the coarser name level
    alone scores lower)."""
    if "twin" not in s or not picked:
        return {}
    adj = twin_evidence(s) if adj is None else adj  # (given: computed once by the caller)
    at = positions(adj, picked)
    tx, inv, twin = adj["tx"].to_numpy(), adj["inv"].to_numpy(), adj["twin"].to_numpy()
    day, logit = adj["day"].to_numpy(), adj["logit"].to_numpy()
    best = best_of_tx(adj, order)  # (order: adj's, given by the caller)
    # the picked logit of each payment (-inf: none picked); a payment whose own pick is
    # nearly as likely as its best is no repeat, whatever else holds
    own = np.full(int(tx.max()) + 1, -np.inf)
    own[tx[at]] = logit[at]
    best = best[own[tx[best]] < logit[best] - _TWIN_MARGIN]
    # ... nor one whose best invoice no pick of its twin code took
    span = int(inv.max()) + 1
    lo = int(twin.min())
    key_pick = (twin[at].astype(np.int64) - lo) * span + inv[at]
    best = best[np.isin((twin[best].astype(np.int64) - lo) * span + inv[best], key_pick)]
    if not len(best):
        return {}
    # (read on the picks of the payments still in question only: the same answers for them)
    equal = equal_items(adj.iloc[at[np.isin(tx[at], tx[best])]])
    at = at[np.isin(key_pick, (twin[best].astype(np.int64) - lo) * span + inv[best])]
    taken = {
        (int(w), int(i)): (int(t), int(d))
        for t, i, w, d in zip(tx[at], inv[at], twin[at], day[at], strict=True)
    }
    out: dict[int, tuple[int, int]] = {}
    # equal payments that add up to the invoice together are its parts (a split), not a
    # payment and its duplicate
    split = (
        ~text_in(adj["siblings"].iloc[best], ("none",))
        if "siblings" in adj
        else np.zeros(len(best), dtype=bool)
    )
    unnamed = (
        text_in(adj["reference"].iloc[best], ("none",))
        if "reference" in adj
        else np.zeros(len(best), dtype=bool)
    )
    cols = (tx[best], inv[best], twin[best], day[best], split, unnamed)
    for t, i, w, d, parts, loose in zip(*cols, strict=True):
        if parts or (loose and int(t) in equal):
            continue
        first = taken.get((int(w), int(i)))
        if first is None or first[0] == int(t) or not 0 <= int(d) - first[1] <= _TWIN_DAYS:
            continue
        out[int(t)] = (first[0], int(i))
    return out
