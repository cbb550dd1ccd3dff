"""Suggestions that are coin tosses on the order of the input: withheld as ambiguous.

"Ties must look like ties." The assignment gives a payment whose readings fit equally well
(:func:`.assignment._ties`: scored alike, nothing telling them apart) the first of them, and
marks it a tie. Two such readings stay a suggestion (scored one chance in two, listed as a
tie); the readings below are no suggestion a reviewer can confirm from the data, so the
payment is left unallocated and listed in ``result.ambiguous`` with every reading instead
(:func:`.rows.withhold`):

(a) a payment of exactly the amount of **three or more equal items of its payer**, tied on the
    evidence (no reference, or one naming them all alike), some of which were billed by the
    day of the payment and are left open: which of them it settles is one chance in three or
    worse. Equal items that the payer's equal payments all settle (an amount billed and paid
    every week) are not: :mod:`.date_order` pairs them in date order, and none is left over.
(b) a **part payment** tied between two or more items of its payer that each still have room
    for it (after every allocation): which item it pays in part, nothing says.

A reading that evidence separates (a reference naming one item, a date level) is no tie and
is never withheld here.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from rapprochement.matching.group_assignment import Assignment

__all__ = ["MANY_EQUAL", "coin_tosses"]

#: equal items of a payer a whole payment is tied between, from which it is withheld
MANY_EQUAL = 3
_MANY = (
    "a coin toss: the amount of {n} equal items of its payer nothing tells apart, some left open"
)
_PART = "a coin toss: a part payment of any of {n} items of its payer alike, each with room for it"
_WHOLE_LEVELS = ("exact",)
_PART_LEVELS = ("partial", "fraction")


def coin_tosses(tx: pd.DataFrame, inv: pd.DataFrame, res: Assignment) -> dict[int, str]:
    """Payment → why it is withheld, for the single-invoice allocations of ``res`` that are
    coin tosses (see the module doc). ``tx``, ``inv``: the partition's frames (``amount``,
    ``day``; ``open``, ``customer_id``, ``issue_day``)."""
    if not res.ambiguous:
        return {}
    rows: dict[int, list[int]] = defaultdict(list)  # the allocations of each tied payment
    amb = res.ambiguous
    for k, al in enumerate(res.allocs):
        if al.tx in amb:
            rows[al.tx].append(k)
    # minor units allocated to each item (one array, not a dict over every allocation)
    used = np.zeros(len(inv), dtype=np.int64)
    at = np.fromiter((al.inv for al in res.allocs), dtype=np.int64, count=len(res.allocs))
    size = np.fromiter((abs(al.amount) for al in res.allocs), np.int64, count=len(res.allocs))
    np.add.at(used, at[at >= 0], size[at >= 0])
    opens = np.abs(inv["open"].to_numpy(dtype=np.int64))
    owner = inv["customer_id"].to_numpy()
    issued = inv["issue_day"].to_numpy() if "issue_day" in inv else None
    paid = np.abs(tx["amount"].to_numpy(dtype=np.int64))
    days = tx["day"].to_numpy() if "day" in tx else None
    out: dict[int, str] = {}
    for t, alts in res.ambiguous.items():
        ks = rows.get(t, [])
        if len(ks) != 1 or len(alts) < 2:
            continue
        al = res.allocs[ks[0]]
        level = str(al.hyp.get("amount", ""))
        if al.group is not None or al.inv < 0 or level not in _WHOLE_LEVELS + _PART_LEVELS:
            continue
        # the tied items of the payer, of the same open amount when the payment is whole
        items = {
            int(a[0])
            for a in alts
            if len(a) == 1
            and owner[a[0]] == owner[al.inv]
            and (level in _PART_LEVELS or opens[a[0]] == opens[al.inv])
        } | {al.inv}
        day = int(days[t]) if days is not None else -1
        if level in _WHOLE_LEVELS:
            left = [
                i
                for i in items
                if i != al.inv
                and used[i] == 0
                and (issued is None or day < 0 or int(issued[i]) <= day)
            ]
            if len(items) >= MANY_EQUAL and left:
                out[t] = _MANY.format(n=len(items))
        else:
            room = [i for i in items if i == al.inv or opens[i] - used[i] >= paid[t]]
            if len(room) >= 2:
                out[t] = _PART.format(n=len(room))
    return out
