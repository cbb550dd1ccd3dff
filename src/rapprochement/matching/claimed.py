"""Open items another payment settles outright, left out of a group's subset-sum search.

An item is settled outright by a payment when that payment pays exactly the item's open
amount and names it by a strong reference (checksum, exact or normalized number): in its
text (a single-invoice reading, the payment's only such reading), or on one line of its
remittance advice (the line's amount is the item's open amount, its reference names that
item alone). An item two payments claim so is settled outright by neither (a duplicate).

Such an item is not open for another payment's subset-sum search: a payer with many
invoices pays most of them one by one or by advice, and searching its items due nearest a
grouped payment (``max_group_items``) would otherwise spend the window on items already
paid — the group's own items, older, falling outside it, and the items paid elsewhere making
up coincidental exact sums (a wrong group, or a rival that keeps the right one from being
found alone). A lockbox check paying a customer's older invoices with nothing but the
payer's name and the amount is read only once these are gone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.candidates import KeyIndex, lookup
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.keys import text_keys

__all__ = ["STRONG_REF", "ClaimedElsewhere", "claimed_items"]

#: reference codes that name an item outright (checksum, exact, normalized)
STRONG_REF = 2


class ClaimedElsewhere(Collection[int]):
    """The items settled outright by a payment other than ``tid``: what a subset-sum search
    of payment ``tid`` leaves out (a view of ``claims``, item position → payment id)."""

    def __init__(self, claims: Mapping[int, str], tid: str) -> None:
        self._claims, self._tid = claims, tid

    def __contains__(self, k: object) -> bool:
        if type(k) is int:  # (the common case, asked for every item of a payer searched)
            who = self._claims.get(k)
        elif isinstance(k, (int, np.integer)):
            who = self._claims.get(int(k))
        else:
            return False
        return who is not None and who != self._tid

    def __iter__(self) -> Iterator[int]:
        return (k for k, who in self._claims.items() if who != self._tid)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _from_singles(singles: pd.DataFrame, tids: np.ndarray[Any, Any]) -> list[tuple[int, str]]:
    s = singles[(singles["amount"] == "exact") & (singles["ref"] <= STRONG_REF)]
    s = s[~s["tx"].duplicated(keep=False)]
    return [(int(i), str(tids[t])) for i, t in zip(s["inv"], s["tx"], strict=True)]


def _from_advice(
    remits: pd.DataFrame, index: KeyIndex, open_: np.ndarray[Any, Any], config: MatchConfig
) -> list[tuple[int, str]]:
    # a line claims an item of its amount: lines of no open item's amount (or of none) are
    # not read
    amount = remits["amount"].to_numpy()
    remits = remits[(amount != 0) & np.isin(amount, open_)]
    texts = sorted(set(zip(remits["reference"], remits["memo"], strict=True)))
    tokens: dict[str, set[str]] = {}  # each token's keys, read once
    # only a strong key names an item outright: the weaker ones (and their many invoices)
    # are not looked up
    keys = {
        p: {k: lvl for k, lvl in text_keys(f"{p[0]} {p[1]}", tokens).items() if lvl <= STRONG_REF}
        for p in texts
    }
    keydict = index.subset({k for ks in keys.values() for k in ks})
    out = []
    for tid, ref, memo, amt in zip(
        remits["transaction_id"], remits["reference"], remits["memo"], remits["amount"],
        strict=True,
    ):  # fmt: skip
        hits = lookup(keydict, keys[(ref, memo)], config)
        strong = [i for i, lvl in hits.items() if lvl <= STRONG_REF]
        if len(strong) == 1 and int(amt) != 0 and int(amt) == int(open_[strong[0]]):
            out.append((strong[0], str(tid)))
    return out


def claimed_items(
    singles: pd.DataFrame,
    tids: np.ndarray[Any, Any],
    remits: pd.DataFrame | None,
    index: KeyIndex,
    open_: np.ndarray[Any, Any],
    config: MatchConfig,
) -> dict[int, str]:
    """Item position → the id of the one payment that settles it outright (module doc).
    ``singles``: the single-invoice features (``tx`` positions into ``tids``); ``remits``:
    the advice lines (amounts in minor units); ``open_``: each item's open amount."""
    found = _from_singles(singles, tids) if len(singles) else []
    if remits is not None and len(remits):
        found += _from_advice(remits, index, open_, config)
    by_item: dict[int, set[str]] = defaultdict(set)
    for i, tid in found:
        by_item[i].add(tid)
    return {i: next(iter(w)) for i, w in by_item.items() if len(w) == 1}
