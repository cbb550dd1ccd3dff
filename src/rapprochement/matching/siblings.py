"""Relations between several payments of one invoice: instalment plans (a payment that is one
of 2-4 equal parts of an invoice, :func:`even_share`; payments of one payer with the same
amount sharing the invoices they are short of, :func:`instalment_pairs`) and split payments
(short payments that add up exactly to an invoice, :func:`siblings_codes`)."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.keys import LEVELS
from rapprochement.matching.subsetsum import find_subsets

__all__ = [
    "INSTALMENT_PARTS",
    "even_share",
    "instalment_pairs",
    "instalment_rows",
    "merged_column",
    "merged_pairs_column",
    "merged_rows",
    "siblings_codes",
]

#: an invoice paid in 2 to 4 equal parts (the last one takes the rounding cents)
INSTALMENT_PARTS = (2, 3, 4)


def even_share(a: np.ndarray[Any, Any], o: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """True where the payment ``a`` is one of 2-4 equal parts of the open amount ``o`` (both
    > 0, minor units): ``m`` parts of ``o // m`` with the rounding in one of them, which then
    differs from ``o / m`` by less than ``m - 1`` minor units."""
    out = np.zeros(len(a), dtype=bool)
    for m in INSTALMENT_PARTS:
        out |= np.abs(o - m * a) <= m * (m - 1)
    return out & (a < o)


_INSTALMENT_PAYMENTS = 6  # most payments of one amount from one payer shared as candidates
_INSTALMENT_ITEMS = 12  # most invoices they share


#: optional payer-evidence columns of the candidate pairs an implied pair carries too
_EVIDENCE = ("third_party", "iban_customers")


def instalment_pairs(pairs: pd.DataFrame, tx: pd.DataFrame, inv: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` plus the pairs that instalments imply: payments of one payer with the same
    amount (monthly instalments of one invoice) share the candidate invoices they are short
    of (a later instalment may be due far from that invoice, so blocking did not pair it).
    The new pairs copy the payment's IBAN and name evidence for that payer and carry no
    reference. (Sharing between payments booked a few days apart, for split payments, was
    tried: it found few more right pairs on the dev books for a 10 % slower match.)"""
    implied = instalment_rows(pairs, tx, inv)
    if implied is None:
        return pairs
    new, order = implied
    return pd.DataFrame({c: merged_column(pairs[c], new[c], order) for c in pairs.columns})


def instalment_rows(
    pairs: pd.DataFrame, tx: pd.DataFrame, inv: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray[Any, Any]] | None:
    """The pairs :func:`instalment_pairs` adds (``pairs``' columns and dtypes) and the order
    of ``pairs`` then them in (tx, inv) order (positions into both, concatenated: a column
    of the merged pairs is :func:`merged_column`, read one column at a time, not as a whole
    frame beside ``pairs``); None when it adds none."""
    if not len(pairs):
        return None
    amt = tx["amount"].to_numpy()
    opn = inv["open"].to_numpy()
    t, i = pairs["tx"].to_numpy(), pairs["inv"].to_numpy()
    short = np.flatnonzero((np.sign(amt[t]) == np.sign(opn[i])) & (np.abs(amt[t]) < np.abs(opn[i])))
    if not len(short):
        return None
    st, si = t[short], i[short]
    sa = amt[st]
    # the (payer, amount) groups (a missing payer in none, as a grouping leaves it out) and
    # how many payments and invoices each has, by one numbering of its distinct members
    cust = _payer_codes(pairs["customer_id"], short)
    a_code = pd.factorize(sa)[0].astype(np.int64)
    group = np.where(cust >= 0, cust * (int(a_code.max()) + 1) + a_code, -1)
    n_tx, n_inv = _distinct_per_group(group, st), _distinct_per_group(group, si)
    ok = (group >= 0) & (n_tx >= 2) & (n_tx <= _INSTALMENT_PAYMENTS) & (n_inv <= _INSTALMENT_ITEMS)
    if not ok.any():
        return None
    base = pd.DataFrame(
        {
            "tx": st[ok],
            "inv": si[ok],
            "customer_id": pairs["customer_id"].array[short[ok]],  # (a Categorical stays one)
            "a": sa[ok],
        }
    )
    key = ["customer_id", "a"]
    cross = (
        base[[*key, "tx"]]
        .drop_duplicates()
        .merge(base[[*key, "inv"]].drop_duplicates(), on=key)[["tx", "inv", "customer_id"]]
    )
    # pair keys (payment × invoice position; no overflow below 3e9 × 3e9) instead of a
    # MultiIndex: a few int64 arrays rather than hash tables over every pair
    n = max(len(inv), 1)
    have = have_all = t.astype(np.int64) * n + i
    if len(have) > 1 and not bool((have[1:] > have[:-1]).all()):
        have = np.sort(have)
    ckey = cross["tx"].to_numpy().astype(np.int64) * n + cross["inv"].to_numpy()
    pos = np.minimum(np.searchsorted(have, ckey), max(len(have) - 1, 0))
    cross = cross[have[pos] != ckey]
    if not len(cross):
        return None
    # the payment's evidence for that payer (IBAN level, name similarity) from its own pairs
    # (only the payments that gain pairs are read)
    mine = pairs[np.isin(t, cross["tx"].unique())]
    evidence = ["iban", "name_sim", *(c for c in _EVIDENCE if c in pairs)]
    who = mine.drop_duplicates(["tx", "customer_id"])[["tx", "customer_id", *evidence]]
    new = cross.merge(who, on=["tx", "customer_id"], how="left")
    new["ref"] = len(LEVELS) - 1
    new = new[list(pairs.columns)].astype(pairs.dtypes.to_dict())
    nkey = new["tx"].to_numpy().astype(np.int64) * n + new["inv"].to_numpy()
    if have is have_all:  # (the pairs in (tx, inv) order: each new pair inserted at its place)
        first = np.argsort(nkey)
        at = np.searchsorted(have_all, nkey[first])
        # (np.insert's order: the new pair sorted j-th lands at ``at[j] + j``)
        order = np.empty(len(have_all) + len(first), dtype=np.int64)
        slot = at + np.arange(len(first))
        mask = np.ones(len(order), dtype=bool)
        mask[slot] = False
        order[mask] = np.arange(len(have_all))
        order[slot] = len(have_all) + first
        return new, order
    # merged in (tx, inv) order (keys are unique: any sort is stable)
    merged = np.concatenate([have_all, nkey])
    return new, np.argsort(merged, kind="stable")


def _payer_codes(col: pd.Series, rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Codes (int64, -1 for a missing payer) of the customer ids ``col`` at ``rows``: equal
    codes for equal ids (a categorical's own codes, else the values factorized)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes: np.ndarray[Any, Any] = col.cat.codes.to_numpy()
    else:
        codes = pd.factorize(col.array[rows])[0]
        rows = np.arange(len(rows))
    out: np.ndarray[Any, Any] = codes[rows].astype(np.int64)
    return out


def _distinct_per_group(group: np.ndarray[Any, Any], member: np.ndarray[Any, Any]) -> Any:
    """Per row, how many distinct ``member`` values its ``group`` (>= 0; -1: none) has (a
    grouped ``nunique`` by one sort of the distinct (group, member) pairs)."""
    span = int(member.max(initial=0)) + 1
    has = group >= 0
    pair = np.sort(group[has] * span + member[has])
    if not len(pair):
        return np.zeros(len(group), dtype=np.int64)
    own = pair[np.r_[True, pair[1:] != pair[:-1]]] // span  # (distinct pairs, sorted)
    del pair
    starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
    counts = np.diff(np.r_[starts, len(own)])
    return counts[np.minimum(np.searchsorted(own[starts], group), len(starts) - 1)]


def merged_column(a: pd.Series, b: pd.Series, order: np.ndarray[Any, Any]) -> pd.Series:
    """``a`` then ``b`` (of ``a``'s dtype) in ``order``; a ``Categorical`` by its codes."""
    if isinstance(a.dtype, pd.CategoricalDtype):
        codes = np.concatenate([a.cat.codes.to_numpy(), b.cat.codes.to_numpy()])[order]
        return pd.Series(pd.Categorical.from_codes(codes, dtype=a.dtype))
    return pd.Series(np.concatenate([a.to_numpy(), b.to_numpy()])[order], dtype=a.dtype)


def merged_pairs_column(
    pairs: pd.DataFrame, implied: tuple[pd.DataFrame, np.ndarray[Any, Any]] | None, c: str
) -> pd.Series:
    """Column ``c`` of the ``pairs`` with the ``implied`` ones (:func:`instalment_rows`)
    merged in."""
    return pairs[c] if implied is None else merged_column(pairs[c], implied[0][c], implied[1])


def merged_rows(
    col: pd.Series,
    implied: tuple[pd.DataFrame, np.ndarray[Any, Any]] | None,
    rows: np.ndarray[Any, Any],
) -> pd.Series:
    """The values of ``col`` (a column of the pairs, then of the implied pairs' when
    ``implied``) at ``rows`` (positions into both), of its dtype."""
    if implied is None:
        return col.take(rows).reset_index(drop=True)
    return merged_column(col, implied[0][col.name], rows)


_MAX_SIBLINGS = 4  # most payments of one invoice (instalments, split payment) looked for
_SIBLING_CANDIDATES = 16  # invoices with more short payments than this are not searched


def _combos(size: int) -> list[np.ndarray[Any, Any]]:
    """Index arrays (one per subset size 2.._MAX_SIBLINGS) of every subset of ``size`` items."""
    return [
        np.array(list(combinations(range(size), k)), dtype=np.intp)
        for k in range(2, min(_MAX_SIBLINGS, size) + 1)
    ]


_CHUNK = 4096  # segments summed at once (bounds the temporary: chunk × subsets of one size)


def _any_sum(
    a_all: np.ndarray[Any, Any],
    rows: np.ndarray[Any, Any],
    starts: np.ndarray[Any, Any],
    sizes: np.ndarray[Any, Any],
    opens: np.ndarray[Any, Any],
    segs: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    """Which segments ``segs`` have 2 to :data:`_MAX_SIBLINGS` amounts adding up exactly to
    their open amount (every subset tried, by size class, in numpy): the search finds sets
    only among these, so the others need none (exact: the search only reports such sets)."""
    out = np.zeros(len(segs), dtype=bool)
    for size in np.unique(sizes[segs]).tolist():
        at = np.flatnonzero(sizes[segs] == size)
        combos = _combos(size)
        for lo in range(0, len(at), _CHUNK):
            part = at[lo : lo + _CHUNK]
            k = segs[part]
            vals = a_all[rows[starts[k][:, None] + np.arange(size)]]
            target = opens[k][:, None]
            hit = np.zeros(len(part), dtype=bool)
            for idx in combos:
                hit |= (vals[:, idx].sum(axis=2) == target).any(axis=1)
            out[part] = hit
    return out


def siblings_codes(f: pd.DataFrame) -> np.ndarray[Any, Any]:
    """The ``siblings`` level of each pair as a code (0 none, 1 sum, 2 sum_rival): for the
    payments short of an invoice (``a < o``), the sets of 2-4 of them whose amounts add up
    exactly to the open amount; a pair in the one such set is ``sum``, in one of several
    ``sum_rival`` (:func:`rapprochement.matching.features.siblings_level` names them)."""
    out = np.zeros(len(f), dtype=np.int8)
    a_all, o_all = f["a"].to_numpy(), f["o"].to_numpy()
    short = np.flatnonzero(a_all < o_all)
    if len(short) < 2:
        return out
    inv = f["inv"].to_numpy()[short]
    order = np.argsort(inv, kind="stable")
    rows, inv = short[order], inv[order]
    starts = np.flatnonzero(np.r_[True, inv[1:] != inv[:-1]])
    ends = np.r_[starts[1:], len(inv)]
    sizes = ends - starts
    amounts = a_all[rows]
    totals = np.add.reduceat(amounts, starts)
    opens = o_all[rows[starts]]
    ok = np.flatnonzero((sizes >= 2) & (sizes <= _SIBLING_CANDIDATES) & (totals >= opens))
    ok = ok[_any_sum(a_all, rows, starts, sizes, opens, ok)]
    # two payments adding up to the invoice: that one set, both in it whole (``sum``), as
    # the search below would find
    two = ok[sizes[ok] == 2]
    out[rows[starts[two]]] = 1
    out[rows[starts[two] + 1]] = 1
    for k in ok[sizes[ok] > 2]:
        seg = rows[starts[k] : ends[k]]
        vals = a_all[seg].tolist()
        o = int(opens[k])
        s = find_subsets(vals, o, o, min_size=2, max_size=_MAX_SIBLINGS, limit=2, max_nodes=500)
        if not s.solutions:
            continue
        alone = len(s.solutions) == 1 and s.complete and not s.interchangeable[0]
        level = 1 if alone else 2  # sum, sum_rival
        for sol in s.solutions:
            # equal amounts are interchangeable: any of them may be the one that belongs
            used = {vals[m] for m in sol}
            for j, v in zip(seg, vals, strict=True):
                if v in used and out[j] != 2:
                    out[j] = level
    return out
