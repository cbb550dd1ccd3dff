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
    "INSTALMENT_PARTS",
    "amount_level",
    "date_level",
    "even_share",
    "evidence_level",
    "instalment_pairs",
    "name_level",
    "siblings_level",
    "single_features",
]

_AMOUNT_LEVELS: tuple[str, ...] = ("exact", "discount", "fee", "partial", "over_small", "over")
_AMOUNT_LEVELS += ("over_large", "fraction")  # fraction appended last: codes stay as they were
FEATURE_LEVELS: dict[str, tuple[str, ...]] = {
    "amount": _AMOUNT_LEVELS,
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
    "fraction": "far",
}
FEATURES: tuple[str, ...] = tuple(FEATURE_LEVELS)
#: feature → its level names as an object array (a code indexes it)
_NAMES: dict[str, np.ndarray[Any, Any]] = {
    f: np.array(lv, dtype=object) for f, lv in FEATURE_LEVELS.items()
}
#: feature → the categorical dtype of its compact column (see :func:`levels`)
_DTYPES: dict[str, pd.CategoricalDtype] = {
    f: pd.CategoricalDtype(pd.Index(lv, dtype=object)) for f, lv in FEATURE_LEVELS.items()
}
#: amount code → code of its class in ("exact", "near", "far") (see :data:`AMOUNT_CLASS`)
_CLASS_CODE = np.array(
    [("exact", "near", "far").index(AMOUNT_CLASS[a]) for a in FEATURE_LEVELS["amount"]],
    dtype=np.int8,
)
_NAMED_OUTSIDE_REF = 3  # reference level (digits or stronger) counted by ``named_outside``
_DISCOUNT_STEPS = (100, 150, 200, 250, 300)  # basis points tried for an exact discount


def _minor(value: Any, currency: str) -> int:
    return int(value.scaleb(currency_exponent(currency)))


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


def amount_level(
    a: np.ndarray[Any, Any], o: np.ndarray[Any, Any], config: MatchConfig, currency: str
) -> np.ndarray[Any, Any]:
    """Amount relation of payments ``a`` against open amounts ``o`` (both > 0, minor units)."""
    return level_names("amount", amount_codes(a, o, config, currency))


def amount_codes(
    a: np.ndarray[Any, Any], o: np.ndarray[Any, Any], config: MatchConfig, currency: str
) -> np.ndarray[Any, Any]:
    """:func:`amount_level` as codes into ``FEATURE_LEVELS["amount"]`` (int8)."""
    fee_lo, fee_hi = _minor(config.fee_min, currency), _minor(config.fee_max, currency)
    d = o - a
    out = np.full(len(a), 3, dtype=np.int8)  # partial
    out[d < 0] = 5  # over
    # half as much again as the invoice: rather several invoices than one overpaid
    out[(d < 0) & (2 * a > 3 * o)] = 6  # over_large
    out[(d < 0) & (-d <= fee_hi)] = 4  # over_small
    fee = (d >= fee_lo) & (d <= fee_hi)
    out[fee] = 2  # fee
    disc = np.zeros(len(a), dtype=bool)
    lo_bp = int(config.discount_min * 10000)
    hi_bp = int(config.discount_max * 10000)
    for bp in _DISCOUNT_STEPS:
        if lo_bp <= bp <= hi_bp:
            taken = (o * bp + 5000) // 10000
            disc |= (d > 0) & (np.abs(d - taken) <= 1)
    out[disc] = 1  # discount
    out[d == 0] = 0  # exact
    return out


def date_level(
    day: np.ndarray[Any, Any], issue: np.ndarray[Any, Any], due: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Date plausibility of a booking day against an invoice's issue and due days."""
    return level_names("date", date_codes(day, issue, due))


def date_codes(
    day: np.ndarray[Any, Any], issue: np.ndarray[Any, Any], due: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """:func:`date_level` as codes into ``FEATURE_LEVELS["date"]`` (int8)."""
    due = np.where(due < 0, issue + 30, due)
    g = day - due
    out = np.zeros(len(day), dtype=np.int8)  # on_time
    out[g < -45] = 1  # early
    out[g > 20] = 2  # late
    out[g > 90] = 3  # very_late
    out[day - issue < -3] = 4  # before_issue
    out[day < 0] = 5  # unknown
    return out


def name_level(sim: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Name level of WRatio similarities (0-100)."""
    return level_names("name", name_codes(sim))


def name_codes(sim: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """:func:`name_level` as codes into ``FEATURE_LEVELS["name"]`` (int8)."""
    out = np.full(len(sim), 3, dtype=np.int8)  # low
    out[sim >= 70] = 2  # medium
    out[sim >= 85] = 1  # high
    out[sim >= 95] = 0  # exact
    return out


def level_names(feature: str, codes: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The level names (one shared string object per level) of ``codes`` of ``feature``."""
    out: np.ndarray[Any, Any] = _NAMES[feature][codes]
    return out


def levels(feature: str, codes: np.ndarray[Any, Any]) -> pd.Categorical:
    """A column of ``feature`` levels stored compactly: a ``Categorical`` whose categories are
    ``FEATURE_LEVELS[feature]`` (in that order) and whose codes are ``codes`` (one byte per
    row instead of an 8-byte pointer; values, comparisons and ``to_dict`` read as the names)."""
    return pd.Categorical.from_codes(codes.astype(np.int8, copy=False), dtype=_DTYPES[feature])


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
    out: np.ndarray[Any, Any] = _COUNT_LEVELS[_count_code(n)]
    return out


def _count_code(n: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Codes of ``"0"``, ``"1"``, ``"2+"`` of counts (a missing count reads as 2+)."""
    out: np.ndarray[Any, Any] = np.where(n <= 0, 0, np.where(n == 1, 1, 2)).astype(np.int8)
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
    named_all = pd.Series((pairs["ref"].to_numpy() <= _NAMED_OUTSIDE_REF).astype(np.int64))
    n_named = (
        named_all.groupby([t, pairs["customer_id"].to_numpy()], sort=False)
        .transform("sum")
        .to_numpy()
    )
    del named_all
    keep = (np.sign(amt) == np.sign(opn)) & (amt != 0)
    keep &= (day < 0) | (np.abs(day - issue) <= config.date_window_days)
    f = pairs.loc[keep].reset_index(drop=True)
    del pairs  # (this function's copy, with the instalment pairs)
    # only the kept rows from here on: every full-length temporary is dropped as it is read
    t, i, amt, opn, day, issue = t[keep], i[keep], amt[keep], opn[keep], day[keep], issue[keep]
    n_named = n_named[keep]
    f["sign"] = np.sign(amt).astype(np.int8)
    f["day"] = day
    a, o = np.abs(amt), np.abs(opn)
    del amt, opn
    f["a"], f["o"] = a, o
    ref = f["ref"].to_numpy()
    tcol = f["tx"].to_numpy()
    amount = amount_codes(a, o, config, currency)
    # a partial payment that is one of 2-4 equal parts of the invoice: an instalment
    amount[(amount == 3) & even_share(a, o)] = 7  # fraction
    f["amount"] = levels("amount", amount)
    f["reference"] = levels("reference", ref)
    iban = f["iban"].to_numpy()
    f["iban"] = levels("iban", iban)
    f["name"] = levels("name", name_codes(f["name_sim"].to_numpy()))
    f["date"] = levels("date", date_codes(day, issue, inv["due_day"].to_numpy()[i]))
    del day, issue
    f["size"] = levels("size", np.zeros(len(f), dtype=np.int8))
    # rivals: other candidates of the same payment with the same amount level and a reference
    # level at least as strong (rank "max" within tx × amount level, by reference code)
    grp = pd.Series(ref).groupby([tcol, amount], sort=False)
    f["rivals"] = levels("rivals", _count_code(grp.rank(method="max").to_numpy() - 1))
    del grp
    strong = (amount == 0) & ((ref <= 4) | (iban == 0))
    inv_grp = pd.Series(ref).groupby([f["inv"].to_numpy(), strong], sort=False)
    n_inv = inv_grp.rank(method="max").to_numpy() - 1
    f["inv_rivals"] = levels("inv_rivals", _count_code(np.where(strong, n_inv, 0)))
    del inv_grp, n_inv
    # reference codes are the evidence's reference part ("checksum" first), 3 classes each
    f["evidence"] = levels("evidence", ref * 3 + _CLASS_CODE[amount])
    named = (ref <= _NAMED_OUTSIDE_REF).astype(np.int64)
    f["named_outside"] = levels("named_outside", _count_code(n_named - named))
    del n_named, named
    f["siblings"] = levels("siblings", _siblings_codes(f))
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
        return pairs
    # the payment's evidence for that payer (IBAN level, name similarity) from its own pairs
    # (only the payments that gain pairs are read)
    mine = pairs[np.isin(t, cross["tx"].unique())]
    who = mine.drop_duplicates(["tx", "customer_id"])[["tx", "customer_id", "iban", "name_sim"]]
    new = cross.merge(who, on=["tx", "customer_id"], how="left")
    new["ref"] = len(LEVELS) - 1
    new = new[list(pairs.columns)].astype(pairs.dtypes.to_dict())
    # merged in (tx, inv) order, one column at a time (keys are unique: any sort is stable)
    merged = np.concatenate([have_all, new["tx"].to_numpy() * n + new["inv"].to_numpy()])
    order = np.argsort(merged, kind="stable")
    del merged
    out = pd.DataFrame(
        {
            c: pd.Series(
                np.concatenate([pairs[c].to_numpy(), new[c].to_numpy()])[order],
                dtype=pairs[c].dtype,
            )
            for c in pairs.columns
        }
    )
    return out


_MAX_SIBLINGS = 4  # most payments of one invoice (instalments, split payment) looked for
_SIBLING_CANDIDATES = 16  # invoices with more short payments than this are not searched


def siblings_level(f: pd.DataFrame) -> np.ndarray[Any, Any]:
    """``siblings`` level of each pair: for the payments short of an invoice (``a < o``), the
    sets of 2-4 of them whose amounts add up exactly to the open amount; a pair in the one
    such set is ``sum``, in one of several ``sum_rival``, else ``none``."""
    return level_names("siblings", _siblings_codes(f))


def _siblings_codes(f: pd.DataFrame) -> np.ndarray[Any, Any]:
    """:func:`siblings_level` as codes (0 none, 1 sum, 2 sum_rival)."""
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
    ok = (sizes >= 2) & (sizes <= _SIBLING_CANDIDATES) & (totals >= opens)
    for k in np.flatnonzero(ok):
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
