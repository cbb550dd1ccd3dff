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
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from rapprochement.matching.candidates import KeyIndex, lookup
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.keys import text_keys

__all__ = [
    "STRONG_REF",
    "ClaimedElsewhere",
    "Claims",
    "LineKeys",
    "advice_claims",
    "claimed_items",
]

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

    def mask(self, items: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """``k in self`` for each item position ``k`` of ``items``, as a boolean array (at
        once when the claims are :class:`Claims`)."""
        claims = self._claims
        if isinstance(claims, Claims):
            return claims.elsewhere(items, self._tid)
        return np.fromiter((k in self for k in items.tolist()), dtype=bool, count=len(items))


class Claims(Mapping[int, str]):
    """Item position → the id of the payment that settles it outright, as one array over the
    open items (the claimant's number, -1 for none) and the claimants' ids: read by
    :class:`ClaimedElsewhere` for all of a payer's items at once, and shared by every payment
    shard without a Python object per claim."""

    def __init__(self, claims: Mapping[int, str], n_items: int) -> None:
        self._ids: list[str] = sorted(set(claims.values()))
        self._code = {tid: c for c, tid in enumerate(self._ids)}
        assert len(self._ids) < 2**31, "claimant numbers overflow int32"
        self._owner: np.ndarray[Any, Any] = np.full(n_items, -1, dtype=np.int32)
        if claims:
            at = np.fromiter(claims.keys(), dtype=np.int64, count=len(claims))
            who = [self._code[tid] for tid in claims.values()]
            self._owner[at] = who
        self._n = int((self._owner >= 0).sum())

    def elsewhere(self, items: np.ndarray[Any, Any], tid: str) -> np.ndarray[Any, Any]:
        """For each item position of ``items``: claimed by a payment other than ``tid``."""
        owner = self._owner[items]
        out: np.ndarray[Any, Any] = (owner >= 0) & (owner != self._code.get(tid, -2))
        return out

    def __getitem__(self, k: int) -> str:
        if not 0 <= k < len(self._owner) or self._owner[k] < 0:
            raise KeyError(k)
        return self._ids[int(self._owner[k])]

    def __iter__(self) -> Iterator[int]:
        return iter(np.flatnonzero(self._owner >= 0).tolist())

    def __len__(self) -> int:
        return self._n


def _from_singles(singles: pd.DataFrame, tids: np.ndarray[Any, Any]) -> list[tuple[int, str]]:
    s = singles[(singles["amount"] == "exact") & (singles["ref"] <= STRONG_REF)]
    s = s[~s["tx"].duplicated(keep=False)]
    return [(int(i), str(tids[t])) for i, t in zip(s["inv"], s["tx"], strict=True)]


class LineKeys(NamedTuple):
    """The keys (:func:`.keys.text_keys`) of advice-line texts read by :func:`claimed_items`
    (``reference memo`` → keys; not to be changed) and of each token read, for the group
    search's reading of the same lines (:func:`.advice_groups.remittance_groups`): each
    text's keys worked out once."""

    texts: dict[str, dict[str, int]]
    tokens: dict[str, set[str]]


def advice_claims(
    remits: pd.DataFrame,
    index: KeyIndex,
    open_: np.ndarray[Any, Any],
    config: MatchConfig,
    known: LineKeys,
) -> list[tuple[int, str]]:
    """The (item position, payment id) of each advice line of ``remits`` that settles an
    item outright (module doc), line by line: each line read alone, so that the lines of
    several payment shards read apart give the same claims (:func:`claimed_items` then
    takes them as ``advised``); the keys of the texts read kept in ``known``."""
    # a line claims an item of its amount: lines of no open item's amount (or of none) are
    # not read
    amount = remits["amount"].to_numpy()
    remits = remits[(amount != 0) & np.isin(amount, open_)]
    texts = sorted(set(zip(remits["reference"], remits["memo"], strict=True)))
    # only a strong key names an item outright: the weaker ones (and their many invoices)
    # are not looked up
    keys = {}
    for p in texts:
        text = f"{p[0]} {p[1]}"
        got = known.texts[text] = text_keys(text, known.tokens)
        keys[p] = {k: lvl for k, lvl in got.items() if lvl <= STRONG_REF}
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
    known: LineKeys | None = None,
    advised: list[tuple[int, str]] | None = None,
) -> dict[int, str]:
    """Item position → the id of the one payment that settles it outright (module doc).
    ``singles``: the single-invoice features (``tx`` positions into ``tids``); ``remits``:
    the advice lines (amounts in minor units); ``open_``: each item's open amount;
    ``known``: where the advice lines' keys read are kept (:class:`LineKeys`);
    ``advised``: the lines' claims already read (:func:`advice_claims` of every line of
    ``remits``, e.g. per payment shard while blocking): the lines are then not read again."""
    found = _from_singles(singles, tids) if len(singles) else []
    if advised is not None:
        found += advised
    elif remits is not None and len(remits):
        found += advice_claims(remits, index, open_, config, known or LineKeys({}, {}))
    by_item: dict[int, set[str]] = defaultdict(set)
    for i, tid in found:
        by_item[i].add(tid)
    return {i: next(iter(w)) for i, w in by_item.items() if len(w) == 1}
