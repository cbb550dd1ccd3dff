"""Gates on look-alike customers and on a payer that disagrees with the number its text
quotes (see :mod:`.gates` for the rules they enforce): which payments' one-invoice
allocations an item of another customer fits as well."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PAYER_IBAN", "PAYER_NAME", "look_alike", "look_alike_toss", "payer_disagrees"]

#: Levels that identify the payer by itself (a learned alias counts as a name; a collector's
#: account, whose reports the book reads, identifies the collector: :mod:`.windows`).
PAYER_IBAN = frozenset({"known", "collector"})
PAYER_NAME = frozenset({"exact", "high"})


#: name level of the chosen customer → the levels of another customer's name that make it a
#: look-alike: a payer named approximately is near any customer named at least ``medium``;
#: one named exactly (its name less a legal form it does not state, or a learned alias) is
#: near another customer whose name it reads as ``high`` or better (``DELGADO & SONS TOOL &
#: DIE`` when ``… PC`` and ``… Inc.`` are two customers; ``INTL ELECTRIC`` learned for one
#: of ``International Electric PC`` and ``International Electric Group LLC``)
_LOOK_ALIKE = {
    "high": frozenset({"exact", "high", "medium"}),
    "exact": frozenset({"exact", "high"}),
}


def look_alike(singles: pd.DataFrame, allocs: Iterable[Any]) -> set[int]:
    """Payments (positions) whose one-invoice allocation rests on an approximate name that a
    look-alike customer shares with an item fitting the amount as well (see the module doc).
    ``singles``: the scored one-invoice hypotheses (``tx, inv, customer_id`` and levels)."""
    chosen = {
        int(al.tx): (int(al.inv), str(al.hyp.get("name", "")))
        for al in allocs
        if al.group is None
        and al.inv >= 0
        and str(al.hyp.get("name", "")) in _LOOK_ALIKE
        and str(al.hyp.get("iban", "")) not in PAYER_IBAN
        and str(al.hyp.get("reference", "none")) == "none"
    }
    if not chosen or not len(singles) or "customer_id" not in singles:
        return set()
    s = singles[singles["tx"].isin(list(chosen)) & (singles["reference"] == "none")]
    own = {t: inv for t, (inv, _) in chosen.items()}
    high = {t for t, (_, level) in chosen.items() if level == "high"}
    fits, tx = _fits_elsewhere(s, own)
    name = s["name"]
    is_high = pd.Series(tx).isin(list(high)).to_numpy()
    alike = np.where(
        is_high,
        name.isin(_LOOK_ALIKE["high"]).to_numpy(),
        name.isin(_LOOK_ALIKE["exact"]).to_numpy(),
    )
    return set(tx[fits & alike].tolist())


def _fits_elsewhere(
    s: pd.DataFrame, own: dict[int, int]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Per row of ``s`` (one-invoice hypotheses of the payments in ``own``, payment → its
    allocated invoice): is it an item of another customer than the payment's own item (its
    first row of that invoice in ``s``) at the same amount level; and each row's payment.
    A payment with no row of its own invoice in ``s`` has no row that fits. Columns read once,
    not a frame per payment (a loop over ``groupby`` cost a frame lookup per payment)."""
    tx = s["tx"].to_numpy(dtype=np.int64)
    if not len(s):
        return np.zeros(0, dtype=bool), tx
    inv = s["inv"].to_numpy(dtype=np.int64)
    mine = inv == pd.Series(tx).map(own).to_numpy(dtype=np.int64)
    first = np.flatnonzero(mine)
    first = first[~pd.Series(tx[first]).duplicated().to_numpy()]
    cust = s["customer_id"].to_numpy(dtype=object)
    amt = s["amount"]
    # amount levels compared as values (a missing level equals nothing, as ``==`` reads it)
    code = (
        amt.cat.codes.to_numpy(dtype=np.int64)
        if isinstance(amt.dtype, pd.CategoricalDtype)
        else pd.factorize(amt)[0].astype(np.int64)
    )
    at = pd.Series(np.arange(len(first)), index=tx[first])
    k = at.reindex(tx).to_numpy(dtype=np.float64)
    has = ~np.isnan(k)
    ki = np.where(has, k, 0).astype(np.int64)
    own_cust, own_code = cust[first][ki], code[first][ki]
    fits = has & (cust != own_cust) & (code == own_code) & (own_code >= 0)
    return fits, tx


def look_alike_toss(
    look: set[int], allocs: Iterable[Any], tx: pd.DataFrame, customers: Any
) -> set[int]:
    """Among the payments ``look`` held by :func:`look_alike`, those paid the same day, with
    the same amount, under the same payer name as another of them that took an item of
    another customer: which payment settles which look-alike's item is then only the order
    the lines were read in, a coin toss (see the module doc). ``tx``: the partition's
    payments (``amount, name, day``); ``customers``: each item's customer (by position)."""
    if len(look) < 2:
        return set()
    amounts = tx["amount"].to_numpy()
    names = tx["name"].to_numpy(dtype=object)
    days = tx["day"].to_numpy()
    by_key: dict[tuple[Any, ...], set[Any]] = {}
    members: dict[tuple[Any, ...], list[int]] = {}
    for al in allocs:
        if al.tx in look and al.inv >= 0 and al.group is None:
            key = (int(amounts[al.tx]), str(names[al.tx]), int(days[al.tx]))
            by_key.setdefault(key, set()).add(customers[al.inv])
            members.setdefault(key, []).append(int(al.tx))
    return {t for key, ts in members.items() if len(by_key[key]) > 1 for t in ts}


def payer_disagrees(singles: pd.DataFrame, allocs: Iterable[Any]) -> set[int]:
    """Payments (positions) whose one-invoice allocation follows a number in the text to an
    item of one customer against the payer's own account and name, when the payer's own item
    fits the amount as well (see the module doc)."""
    chosen = {
        int(al.tx): int(al.inv)
        for al in allocs
        if al.group is None
        and al.inv >= 0
        and str(al.hyp.get("iban", "")) == "other"
        and str(al.hyp.get("name", "")) not in PAYER_NAME
        and str(al.hyp.get("reference", "none")) not in ("none", "checksum")
    }
    if not chosen or not len(singles) or "customer_id" not in singles:
        return set()
    s = singles[singles["tx"].isin(list(chosen))]
    fits, tx = _fits_elsewhere(s, chosen)
    payer = ((s["iban"] == "known") | (s["name"] == "exact")).to_numpy(dtype=bool)
    return set(tx[fits & payer].tolist())
