"""Features of a hypothesis (a payment settling one invoice, or a group of them), as levels.

Every feature is a small set of named levels; the scorer turns each level into a learned
log-likelihood ratio. Levels (first of each list is the strongest or the most common):

* ``amount``: exact, discount (1-3 % taken, to the cent), fee (0.01-50 deducted), partial,
  over_small (a little more than open), over
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
* ``named_outside``: 0, 1, 2+: invoices of the same payer named in the text but left out
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.keys import LEVELS
from rapprochement.money import currency_exponent

__all__ = [
    "AMOUNT_CLASS",
    "FEATURES",
    "FEATURE_LEVELS",
    "amount_level",
    "date_level",
    "evidence_level",
    "name_level",
    "single_features",
]

FEATURE_LEVELS: dict[str, tuple[str, ...]] = {
    "amount": ("exact", "discount", "fee", "partial", "over_small", "over"),
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
}
#: amount level → coarse class used by the joint ``evidence`` feature
AMOUNT_CLASS: dict[str, str] = {
    "exact": "exact",
    "discount": "near",
    "fee": "near",
    "over_small": "near",
    "partial": "far",
    "over": "far",
}
FEATURES: tuple[str, ...] = tuple(FEATURE_LEVELS)
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
    """Joint ``reference/amount-class`` level of arrays of levels."""
    return np.array(
        [f"{r}/{AMOUNT_CLASS[a]}" for r, a in zip(ref, amount, strict=True)], dtype=object
    )


def count_level(n: Any) -> Any:
    """``"0"``, ``"1"`` or ``"2+"`` of counts (arrays or ints)."""
    if isinstance(n, (int, np.integer)):
        return "0" if n <= 0 else "1" if n == 1 else "2+"
    return _count_level(n)


def _count_level(n: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.where(n <= 0, "0", np.where(n == 1, "1", "2+")).astype(object)


def single_features(
    pairs: pd.DataFrame, tx: pd.DataFrame, inv: pd.DataFrame, config: MatchConfig, currency: str
) -> pd.DataFrame:
    """Feature levels of each candidate pair read as "this payment settles this one invoice".

    Pairs whose signs differ (a credit note against money received) or whose dates are more
    than ``date_window_days`` apart are dropped. Adds ``a`` and ``o`` (absolute minor units),
    ``sign`` and one column per feature of :data:`FEATURES`.
    """
    t = pairs["tx"].to_numpy()
    i = pairs["inv"].to_numpy()
    amt = tx["amount"].to_numpy()[t]
    opn = inv["open"].to_numpy()[i]
    day = tx["day"].to_numpy()[t]
    issue = inv["issue_day"].to_numpy()[i]
    # invoices (and credit notes) of the same payer named in the text, before any filter
    named_all = (pairs["ref"].to_numpy() <= 4).astype(np.int64)
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
    named = (f["ref"].to_numpy() <= 4).astype(np.int64)
    f["named_outside"] = _count_level(n_named[keep] - named)
    out: pd.DataFrame = f
    return out
