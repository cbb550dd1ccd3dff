"""Features of a hypothesis (a payment settling one invoice, or a group of them), as levels.

Every feature is a small set of named levels; the scorer turns each level into a learned
log-likelihood ratio. Levels (first of each list is the strongest or the most common):

* ``amount``: exact, discount (1-3 % taken, to the cent), fee (0.01-50 deducted), partial,
  over_small (a little more than open), over, over_large (more than 1.5 times the open amount),
  fraction (one of 2-4 equal parts), stated (a collector's report accounts for every cent,
  its deductions stated: :mod:`.payouts`)
* ``reference``: checksum, exact, normalized, digits, tail, transposed, none (single invoice);
  group_all, group_some (grouped: all / some members referenced), remittance (advice lines)
* ``iban``: known (payer IBAN known for this customer), other (known for another), unknown,
  collector (a collector's report: the payer is not the customer, :mod:`.payouts`)
* ``name``: exact (≥ 95), high (≥ 85), medium (≥ 70), low, collector (as for ``iban``)
* ``date``: before_issue, early, on_time, late, very_late, unknown (booking vs issue / due)
* ``size``: 1, 2-3, 4+ (invoices in the hypothesis)
* ``rivals``: 0, 1, 2+: other hypotheses of the same payment at least as good on amount (its
  class: exact, near, far) and reference, and on the payer (IBAN known, else name level) when
  the reference is equal, then on ``siblings`` (for a group: other subsets that fit)
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
from rapprochement.matching.gc_pause import paused
from rapprochement.matching.keys import LEVELS
from rapprochement.matching.rank_counts import (
    NAMED_OUTSIDE_REF,
    closer_amount_rivals,
    named_counts,
    rank_counts,
    repeat_counts,
)
from rapprochement.matching.siblings import (
    INSTALMENT_PARTS,
    even_share,
    instalment_pairs,
    instalment_rows,
    merged_pairs_column,
    merged_rows,
    siblings_codes,
)
from rapprochement.money import currency_exponent

__all__ = [
    "AMOUNT_CLASS",
    "FEATURES",
    "FEATURE_LEVELS",
    "INSTALMENT_PARTS",
    "TWIN_DAYS",
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
_AMOUNT_LEVELS += ("stated",)  # a collector's report (:mod:`.payouts`), appended last too
FEATURE_LEVELS: dict[str, tuple[str, ...]] = {
    "amount": _AMOUNT_LEVELS,
    "reference": (*LEVELS, "group_all", "group_some", "remittance"),
    "iban": ("known", "other", "unknown", "collector"),
    "name": ("exact", "high", "medium", "low", "collector"),
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
    "stated": "exact",
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
_FRACTION = FEATURE_LEVELS["amount"].index("fraction")  # amount code of an instalment
_NAMED_REF = LEVELS.index("normalized")
#: siblings code (none, sum, sum_rival) → its rank among the rivals (sum, sum_rival, none)
_SIBLINGS_RANK = np.array([2, 0, 1], dtype=np.int64)  # a reference naming one invoice (not a tail)
#: payments this close, identical but for the date (or naming one invoice whole), may be a
#: payment and its duplicate
TWIN_DAYS = 21
_NAMED_OUTSIDE_REF = NAMED_OUTSIDE_REF  # (digits or stronger: :mod:`.rank_counts`)
_DISCOUNT_STEPS = (100, 150, 200, 250, 300)  # basis points tried for an exact discount


def _minor(value: Any, currency: str) -> int:
    return int(value.scaleb(currency_exponent(currency)))


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
    share_bp = int(config.fee_max_share * 10000)
    fee = (d >= fee_lo) & (d <= fee_hi) & (d * 10000 <= o * share_bp)
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


def _codes(col: pd.Series) -> np.ndarray[Any, Any]:
    """A key column as integers when it is a ``Categorical`` (its codes: the same groups as
    its values, no Python string read per row), else its values."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        out: np.ndarray[Any, Any] = col.cat.codes.to_numpy()
        return out
    return col.to_numpy()


def _kept(
    t: np.ndarray[Any, Any],
    i: np.ndarray[Any, Any],
    tx: pd.DataFrame,
    inv: pd.DataFrame,
    config: MatchConfig,
) -> np.ndarray[Any, Any]:
    """Which pairs (payment ``t``, invoice ``i`` positions) :func:`single_features` keeps:
    signs alike, a payment of some amount, dates within the window (one full-length
    temporary at a time)."""
    amt = tx["amount"].to_numpy()[t]
    keep: np.ndarray[Any, Any] = amt != 0
    keep &= np.sign(amt) == np.sign(inv["open"].to_numpy()[i])
    del amt
    day = tx["day"].to_numpy()[t]
    keep &= (day < 0) | (np.abs(day - inv["issue_day"].to_numpy()[i]) <= config.date_window_days)
    return keep


@paused
def single_features(
    pairs: pd.DataFrame,
    tx: pd.DataFrame,
    inv: pd.DataFrame,
    config: MatchConfig,
    currency: str,
    *,
    release: bool = False,
) -> pd.DataFrame:
    """Feature levels of each candidate pair read as "this payment settles this one invoice".

    Pairs whose signs differ (a credit note against money received) or whose dates are more
    than ``date_window_days`` apart are dropped. Adds ``a`` and ``o`` (absolute minor units),
    ``sign`` and one column per feature of :data:`FEATURES`. ``release``: the caller gives
    ``pairs`` up (it is emptied: each column is freed once its kept rows are copied).
    """
    # the pairs instalments imply, merged in one column at a time (not a merged copy of
    # every column beside the caller's pairs)
    implied = instalment_rows(pairs, tx, inv)
    t = merged_pairs_column(pairs, implied, "tx").to_numpy()
    # invoices (and credit notes) of the same payer named in the text, before any filter
    # (a tail match is too weak to count: "FA-2026-..." has the tail of invoice no. 2026)
    # only names at least as strong as a pair's own count against it: a structured,
    # checksummed reference is not contradicted by a number in the free text
    ref = merged_pairs_column(pairs, implied, "ref").to_numpy()
    n_named = named_counts(ref, [t, _codes(merged_pairs_column(pairs, implied, "customer_id"))])
    del ref
    i = merged_pairs_column(pairs, implied, "inv").to_numpy()
    keep = _kept(t, i, tx, inv, config)
    # only the kept rows from here on: every full-length temporary is dropped as it is read
    n_named = n_named[keep]
    n_named = n_named.astype(np.int32) if len(n_named) < 2**31 else n_named  # (counts)
    t, i = t[keep], i[keep]
    rows = np.flatnonzero(keep) if implied is None else implied[1][keep]
    del keep
    f = pd.DataFrame(index=pd.RangeIndex(len(rows)))
    for c in list(pairs.columns):  # (one column at a time: no consolidated copy of them all)
        f[c] = merged_rows(pairs.pop(c) if release else pairs[c], implied, rows)
    del rows, implied
    # each column is read back from ``f`` (a view), not kept beside it as its own array
    amt = tx["amount"].to_numpy()[t]
    f["sign"] = np.sign(amt).astype(np.int8)
    f["day"] = tx["day"].to_numpy()[t].astype(np.int32)  # (days since 1970: no 64 bits needed)
    del t
    f["a"] = np.abs(amt)
    del amt
    f["o"] = np.abs(inv["open"].to_numpy()[i])
    a, o = f["a"].to_numpy(), f["o"].to_numpy()
    ref = f["ref"].to_numpy()
    tcol = f["tx"].to_numpy()
    amount = amount_codes(a, o, config, currency)
    # a partial payment that is one of 2-4 equal parts of the invoice: an instalment
    amount[(amount == 3) & even_share(a, o)] = 7  # fraction
    del o
    f["amount"] = levels("amount", amount)
    f["reference"] = levels("reference", ref)
    iban = f["iban"].to_numpy()
    f["iban"] = levels("iban", iban)
    name_code = name_codes(f["name_sim"].to_numpy())
    f["name"] = levels("name", name_code)
    issue = inv["issue_day"].to_numpy()[i]
    due = inv["due_day"].to_numpy()[i]
    del i
    f["date"] = levels("date", date_codes(f["day"].to_numpy(), issue, due))
    # the day the invoice falls due (30 days after issue when unknown): equal payments of a
    # payer settle its equal items in date order (:func:`assignment._one_to_one`)
    f["due"] = np.where(due < 0, issue + 30, due).astype(np.int32)
    f["issue"] = issue.astype(np.int32)  # the day it was billed (the same date order)
    del issue, due
    f["size"] = levels("size", np.zeros(len(f), dtype=np.int8))
    # rivals: other candidates of the same payment at least as good on the amount (the same
    # class — a part payment and an overpayment are both far —, or a closer one: a fee-short
    # reading rivals a part payment) with a reference level at least as strong, the payer's
    # evidence (IBAN known, else name level) breaking ties: a candidate of another customer
    # that only shares the amount is no rival of the payer's own; then the payment's
    # siblings: a part payment that other payments complete to the cent (a split payment, an
    # instalment) is not rivalled by an invoice it only falls short of (rank "max" within
    # tx × amount class, by reference, payer, then siblings)
    sib = siblings_codes(f)
    cls = _CLASS_CODE[amount]
    # ((reference × 8 + party) × 3 + siblings rank) × 2 + plain, built in place: the party
    # (IBAN known, else 1 + name level), the siblings rank (sum, then sum_rival, then none),
    # and, within the far class, one of 2-4 equal parts (an instalment) before any part
    key = ref.astype(np.int64) * 8
    key += np.where(iban == 0, 0, 1 + name_code.astype(np.int64))
    key *= 3
    key += _SIBLINGS_RANK[sib]
    key *= 2
    key += amount != _FRACTION
    group = tcol.astype(np.int64) * 3 + cls
    n_riv = rank_counts(group, key) - 1
    del group
    n_riv += closer_amount_rivals(tcol, cls, key)
    del key
    f["rivals"] = levels("rivals", _count_code(n_riv))
    alone = n_riv == 0  # no other candidate of the payment as strong (read for twins below)
    del n_riv
    strong = (amount == 0) & ((ref <= 4) | (iban == 0))
    group = f["inv"].to_numpy().astype(np.int64) * 2 + strong
    n_inv = rank_counts(group, ref.astype(np.int64)) - 1
    del group
    f["evidence"] = levels("evidence", ref * 3 + cls)
    named = (ref <= _NAMED_OUTSIDE_REF).astype(np.int64)
    f["named_outside"] = levels("named_outside", _count_code(n_named - named))
    del n_named, named
    f["siblings"] = levels("siblings", sib)
    del sib, cls
    # payments identical but for their date (same amount, payer, IBAN, text) share a code:
    # the assignment reads a later one as a possible duplicate of the earlier
    fp = ["amount", "name", "iban", "text", "structured"]
    twin = tx.groupby([c for c in fp if c in tx], sort=False, dropna=False).ngroup().to_numpy()
    # so do payments of one amount that each settle the invoice in full, and it alone, and
    # are tied to it by more than the amount: its reference (a checksum, its number, or its
    # number with separators changed: not a tail, a digit match or a reference several
    # invoices share), the payer's known IBAN or its exact or high name (abbreviated on one
    # channel, in full on the other), whatever the channel (a cheque quoting the invoice
    # after a transfer that quoted nothing): a repeat of the same payment, which the earlier
    # one settles
    tied = (ref <= _NAMED_REF) | (iban == 0) | (name_code <= 1)
    named_whole = (amount == 0) & tied & alone
    by_amount = pd.factorize(a * f["sign"].to_numpy())[0].astype(np.int64)
    by_amount += int(twin.max(initial=-1)) + 1
    n_inv -= repeat_counts(
        f["inv"].to_numpy(), by_amount, named_whole & strong, f["day"].to_numpy(), TWIN_DAYS
    )
    twins = twin[tcol]
    twins[named_whole] = by_amount[named_whole]
    del by_amount
    # codes, fewer than payments and amounts: 32 bits (64 only past 2**31 of them)
    f["twin"] = twins.astype(np.int32) if twins.max(initial=0) < 2**31 else twins
    del twins
    n_inv[~strong] = 0
    f["inv_rivals"] = levels("inv_rivals", _count_code(n_inv))
    out: pd.DataFrame = f
    return out


def siblings_level(f: pd.DataFrame) -> np.ndarray[Any, Any]:
    """``siblings`` level of each pair: for the payments short of an invoice (``a < o``), the
    sets of 2-4 of them whose amounts add up exactly to the open amount; a pair in the one
    such set is ``sum``, in one of several ``sum_rival``, else ``none``."""
    return level_names("siblings", siblings_codes(f))
