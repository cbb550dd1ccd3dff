"""Features of a hypothesis (a payment settling one invoice, or a group of them), as levels.

Every feature is a small set of named levels; the scorer turns each level into a learned
log-likelihood ratio. Levels (first of each list is the strongest or the most common):

* ``amount``: exact, discount (1-3 % taken, to the cent), fee (0.01-50 deducted), partial,
  over_small (a little more than open), over, over_large (more than 1.5 times the open amount)
* ``reference``: checksum, exact, normalized, digits, tail, transposed, none (single invoice);
  group_all, group_some (grouped: all / some members referenced), remittance (advice lines)
* ``iban``: known (payer IBAN known for this customer), other (known for another), unknown
* ``name``: exact (≥ 95), high (≥ 85), medium (≥ 70), low
* ``date``: before_issue, early, on_time, late, very_late, unknown (booking vs issue / due)
* ``size``: 1, 2-3, 4+ (invoices in the hypothesis)
* ``rivals``: 0, 1, 2+: other hypotheses of the same payment at least as good on amount and
  reference (for a group: other subsets that fit)
* ``inv_rivals``: 0, 1, 2+: other payments claiming the same invoice with equal evidence
* ``evidence``: the reference level joined with the amount class (exact / near / far), so
  that "checksum reference but partial amount" (an instalment) is weighed on its own
* ``named_outside``: 0, 1, 2+: invoices of the same payer named in the text (digits or a
  stronger reference) but left out
* ``siblings``: none, sum, sum_rival: this payment and other payments short of the same
  invoice add up exactly to its open amount (instalments, a split payment): one such set, or
  several
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.keys import LEVELS
from rapprochement.matching.subsetsum import find_subsets
from rapprochement.money import currency_exponent

__all__ = [
    "AMOUNT_CLASS",
    "FEATURES",
    "FEATURE_LEVELS",
    "amount_level",
    "date_level",
    "evidence_level",
    "instalment_pairs",
    "name_level",
    "siblings_level",
    "single_features",
]

FEATURE_LEVELS: dict[str, tuple[str, ...]] = {
    "amount": ("exact", "discount", "fee", "partial", "over_small", "over", "over_large"),
    "reference": (*LEVELS, "group_all", "group_some", "remittance"),
    "iban": ("known", "other", "unknown"),
    "name": ("exact", "high", "medium", "low"),
    "date": ("on_time", "early", "late", "very_late", "before_issue", "unknown"),
    "size": ("1", "2-3", "4+"),
    "rivals": ("0", "1", "2+"),
    "inv_rivals": ("0", "1", "2+"),
    "evidence": tuple(
        f"{r}/{a}"
        for r in ("checksum", *LEVELS[1:], "group_all", "group_some", "remittance")
        for a in ("exact", "near", "far")
    ),
    "named_outside": ("0", "1", "2+"),
    "siblings": ("none", "sum", "sum_rival"),
}
#: amount level → coarse class used by the joint ``evidence`` feature
AMOUNT_CLASS: dict[str, str] = {
    "exact": "exact",
    "discount": "near",
    "fee": "near",
    "over_small": "near",
    "partial": "far",
    "over": "far",
    "over_large": "far",
}
FEATURES: tuple[str, ...] = tuple(FEATURE_LEVELS)
_NAMED_OUTSIDE_REF = 3  # reference level (digits or stronger) counted by ``named_outside``
_DISCOUNT_STEPS = (100, 150, 200, 250, 300)  # basis points tried for an exact discount


def _minor(value: Any, currency: str) -> int:
    return int(value.scaleb(currency_exponent(currency)))


def amount_level(
    a: np.ndarray[Any, Any], o: np.ndarray[Any, Any], config: MatchConfig, currency: str
) -> np.ndarray[Any, Any]:
    """Amount relation of payments ``a`` against open amounts ``o`` (both > 0, minor units)."""
    fee_lo, fee_hi = _minor(config.fee_min, currency), _minor(config.fee_max, currency)
    d = o - a
    out = np.full(len(a), "partial", dtype=object)
    out[d < 0] = "over"
    # half as much again as the invoice: rather several invoices than one overpaid
    out[(d < 0) & (2 * a > 3 * o)] = "over_large"
    out[(d < 0) & (-d <= fee_hi)] = "over_small"
    fee = (d >= fee_lo) & (d <= fee_hi)
    out[fee] = "fee"
    disc = np.zeros(len(a), dtype=bool)
    lo_bp = int(config.discount_min * 10000)
    hi_bp = int(config.discount_max * 10000)
    for bp in _DISCOUNT_STEPS:
        if lo_bp <= bp <= hi_bp:
            taken = (o * bp + 5000) // 10000
            disc |= (d > 0) & (np.abs(d - taken) <= 1)
    out[disc] = "discount"
    out[d == 0] = "exact"
    return out


def date_level(
    day: np.ndarray[Any, Any], issue: np.ndarray[Any, Any], due: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Date plausibility of a booking day against an invoice's issue and due days."""
    due = np.where(due < 0, issue + 30, due)
    g = day - due
    out = np.full(len(day), "on_time", dtype=object)
    out[g < -45] = "early"
    out[g > 20] = "late"
    out[g > 90] = "very_late"
    out[day - issue < -3] = "before_issue"
    out[day < 0] = "unknown"
    return out


def name_level(sim: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Name level of WRatio similarities (0-100)."""
    out = np.full(len(sim), "low", dtype=object)
    out[sim >= 70] = "medium"
    out[sim >= 85] = "high"
    out[sim >= 95] = "exact"
    return out


def evidence_level(ref: Any, amount: Any) -> np.ndarray[Any, Any]:
    """Joint ``reference/amount-class`` level of arrays of levels (each distinct level one
    shared string: a frame of millions of rows holds pointers, not copies)."""
    r_code, r_lv = pd.factorize(np.asarray(ref, dtype=object))
    a_code, a_lv = pd.factorize(np.asarray(amount, dtype=object))
    table = np.array([f"{r}/{AMOUNT_CLASS[a]}" for r in r_lv for a in a_lv] or [""], dtype=object)
    out: np.ndarray[Any, Any] = table[r_code * max(len(a_lv), 1) + a_code]
    return out


def count_level(n: Any) -> Any:
    """``"0"``, ``"1"`` or ``"2+"`` of counts (arrays or ints)."""
    if isinstance(n, (int, np.integer)):
        return "0" if n <= 0 else "1" if n == 1 else "2+"
    return _count_level(n)


_COUNT_LEVELS = np.array(["0", "1", "2+"], dtype=object)


def _count_level(n: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    out: np.ndarray[Any, Any] = _COUNT_LEVELS[np.where(n <= 0, 0, np.where(n == 1, 1, 2))]
    return out


def single_features(
    pairs: pd.DataFrame, tx: pd.DataFrame, inv: pd.DataFrame, config: MatchConfig, currency: str
) -> pd.DataFrame:
    """Feature levels of each candidate pair read as "this payment settles this one invoice".

    Pairs whose signs differ (a credit note against money received) or whose dates are more
    than ``date_window_days`` apart are dropped. Adds ``a`` and ``o`` (absolute minor units),
    ``sign`` and one column per feature of :data:`FEATURES`.
    """
    pairs = instalment_pairs(pairs, tx, inv)
    t = pairs["tx"].to_numpy()
    i = pairs["inv"].to_numpy()
    amt = tx["amount"].to_numpy()[t]
    opn = inv["open"].to_numpy()[i]
    day = tx["day"].to_numpy()[t]
    issue = inv["issue_day"].to_numpy()[i]
    # invoices (and credit notes) of the same payer named in the text, before any filter
    # (a tail match is too weak to count: "FA-2026-..." has the tail of invoice no. 2026)
    named_all = (pairs["ref"].to_numpy() <= _NAMED_OUTSIDE_REF).astype(np.int64)
    n_named = (
        pairs.assign(_n=named_all)
        .groupby(["tx", "customer_id"], sort=False)["_n"]
        .transform("sum")
        .to_numpy()
    )
    keep = (np.sign(amt) == np.sign(opn)) & (amt != 0)
    keep &= (day < 0) | (np.abs(day - issue) <= config.date_window_days)
    f = pairs.loc[keep].reset_index(drop=True)
    t, i = t[keep], i[keep]
    f["sign"] = np.sign(amt[keep])
    f["day"] = day[keep]
    f["a"] = np.abs(amt[keep])
    f["o"] = np.abs(opn[keep])
    f["amount"] = amount_level(f["a"].to_numpy(), f["o"].to_numpy(), config, currency)
    f["reference"] = np.array(LEVELS, dtype=object)[f["ref"].to_numpy()]
    f["iban"] = np.array(["known", "other", "unknown"], dtype=object)[f["iban"].to_numpy()]
    f["name"] = name_level(f["name_sim"].to_numpy())
    f["date"] = date_level(day[keep], issue[keep], inv["due_day"].to_numpy()[i])
    f["size"] = "1"
    exact_amt = (f["amount"] == "exact").to_numpy()
    # rivals: other candidates of the same payment with the same amount level and a reference
    # level at least as strong (rank "max" within tx × amount level, by reference code)
    grp = f.groupby(["tx", "amount"], sort=False)["ref"]
    f["rivals"] = _count_level(grp.rank(method="max").to_numpy() - 1)
    strong = exact_amt & ((f["ref"].to_numpy() <= 4) | (f["iban"].to_numpy() == "known"))
    inv_grp = f.assign(_s=strong).groupby(["inv", "_s"], sort=False)["ref"]
    n_inv = inv_grp.rank(method="max").to_numpy() - 1
    f["inv_rivals"] = _count_level(np.where(strong, n_inv, 0))
    f["evidence"] = evidence_level(f["reference"].to_numpy(), f["amount"].to_numpy())
    named = (f["ref"].to_numpy() <= _NAMED_OUTSIDE_REF).astype(np.int64)
    f["named_outside"] = _count_level(n_named[keep] - named)
    f["siblings"] = siblings_level(f)
    # payments identical but for their date (same amount, payer, IBAN, text) share a code:
    # the assignment reads a later one as a possible duplicate of the earlier
    fp = ["amount", "name", "iban", "text", "structured"]
    twin = tx.groupby([c for c in fp if c in tx], sort=False, dropna=False).ngroup()
    f["twin"] = twin.to_numpy()[t]
    out: pd.DataFrame = f
    return out


_INSTALMENT_PAYMENTS = 6  # most payments of one amount from one payer shared as candidates
_INSTALMENT_ITEMS = 12  # most invoices they share


def instalment_pairs(pairs: pd.DataFrame, tx: pd.DataFrame, inv: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` plus the pairs that instalments imply: payments of one payer with the same
    amount (monthly instalments of one invoice) share the candidate invoices they are short
    of (a later instalment may be due far from that invoice, so blocking did not pair it).
    The new pairs copy the payment's IBAN and name evidence for that payer and carry no
    reference. (Sharing between payments booked a few days apart, for split payments, was
    tried: it found few more right pairs on the dev books for a 10 % slower match.)"""
    if not len(pairs):
        return pairs
    amt = tx["amount"].to_numpy()
    opn = inv["open"].to_numpy()
    t, i = pairs["tx"].to_numpy(), pairs["inv"].to_numpy()
    short = (np.sign(amt[t]) == np.sign(opn[i])) & (np.abs(amt[t]) < np.abs(opn[i]))
    base = pd.DataFrame(
        {
            "tx": t[short],
            "inv": i[short],
            "customer_id": pairs["customer_id"].to_numpy()[short],
            "a": amt[t[short]],
        }
    )
    if not len(base):
        return pairs
    key = ["customer_id", "a"]
    n_tx = base.groupby(key)["tx"].transform("nunique").to_numpy()
    n_inv = base.groupby(key)["inv"].transform("nunique").to_numpy()
    base = base[(n_tx >= 2) & (n_tx <= _INSTALMENT_PAYMENTS) & (n_inv <= _INSTALMENT_ITEMS)]
    if not len(base):
        return pairs
    cross = (
        base[[*key, "tx"]]
        .drop_duplicates()
        .merge(base[[*key, "inv"]].drop_duplicates(), on=key)[["tx", "inv", "customer_id"]]
    )
    have = pd.MultiIndex.from_arrays([pairs["tx"], pairs["inv"]])
    cross = cross[~pd.MultiIndex.from_arrays([cross["tx"], cross["inv"]]).isin(have)]
    if not len(cross):
        return pairs
    # the payment's evidence for that payer (IBAN level, name similarity) from its own pairs
    who = pairs.drop_duplicates(["tx", "customer_id"])[["tx", "customer_id", "iban", "name_sim"]]
    new = cross.merge(who, on=["tx", "customer_id"], how="left")
    new["ref"] = len(LEVELS) - 1
    new = new[list(pairs.columns)].astype(pairs.dtypes.to_dict())
    out: pd.DataFrame = pd.concat([pairs, new], ignore_index=True)
    out = out.sort_values(["tx", "inv"], kind="stable").reset_index(drop=True)
    return out


_MAX_SIBLINGS = 4  # most payments of one invoice (instalments, split payment) looked for
_SIBLING_CANDIDATES = 16  # invoices with more short payments than this are not searched


def siblings_level(f: pd.DataFrame) -> np.ndarray[Any, Any]:
    """``siblings`` level of each pair: for the payments short of an invoice (``a < o``), the
    sets of 2-4 of them whose amounts add up exactly to the open amount; a pair in the one
    such set is ``sum``, in one of several ``sum_rival``, else ``none``."""
    out = np.full(len(f), "none", dtype=object)
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
    ok = (sizes >= 2) & (sizes <= _SIBLING_CANDIDATES) & (totals >= opens)
    for k in np.flatnonzero(ok):
        seg = rows[starts[k] : ends[k]]
        vals = a_all[seg].tolist()
        o = int(opens[k])
        s = find_subsets(vals, o, o, min_size=2, max_size=_MAX_SIBLINGS, limit=2, max_nodes=500)
        if not s.solutions:
            continue
        alone = len(s.solutions) == 1 and s.complete and not s.interchangeable[0]
        level = "sum" if alone else "sum_rival"
        for sol in s.solutions:
            # equal amounts are interchangeable: any of them may be the one that belongs
            used = {vals[m] for m in sol}
            for j, v in zip(seg, vals, strict=True):
                if v in used and out[j] != "sum_rival":
                    out[j] = level
    return out
