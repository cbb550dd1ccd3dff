"""Chance agreement in the book at hand: Fellegi–Sunter u-probabilities, estimated without labels.

How often a payment and an open item that have nothing to do with each other agree anyway
(same amount, a similar name, the same IBAN, a plausible date) depends on the book: a
subscription business bills the same 49.00 to hundreds of customers, a wholesaler's amounts
are all distinct. The weights (:mod:`.scoring`) are learned on training books; for each
feature level they hold, in Fellegi–Sunter terms, ``log(m / u)`` with the ``u`` of the
training books. This module estimates ``u`` of the book being reconciled the way Splink and
fastLink do, from random (payment, open item) pairs, and corrects each level's weight by
``log(u_train / u_book)``: a book where 4 % of random pairs have equal amounts weighs amount
agreement less than one where 0.05 % do.

The estimate is deterministic and does not depend on input order or on shards: pairs are drawn
with a fixed seed from the payments and open items sorted by id (the whole cross product when
it is smaller than the sample). Amount and date agreement are counted among strangers only (the
payer is not the item's customer): a payment agrees with its own invoice for a reason, and in
a book of a few thousand items those pairs are as many as the chance agreements. A small book's
estimate is shrunk toward the training ``u`` (``prior_pairs`` pseudo-pairs at the training
rate), every correction is bounded, and corrections only ever weigh a level down: a book of a
few payments is not wrecked by the accident of two equal amounts, and a level the sample never
met is not trusted more than the training books trusted it.

Besides the levels, ``items``: a book with more open items than the training books makes any
one pair less likely right by chance alone (the Fellegi-Sunter prior, one match among that many
items), ``log(items_train / items_book)``; a smaller book keeps the training prior. A reading
with a level that singles out one item or one payer (:data:`UNIQUE`: a reference naming the
invoice, the payer's known IBAN, its exact name) is left alone: the chance share of such a level
falls as the book grows just as the prior does, and the two cancel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from rapprochement.matching.assign_arrays import text_in
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.features import (
    FEATURE_LEVELS,
    amount_codes,
    date_codes,
    name_codes,
)
from rapprochement.matching.keys import normalize_name

__all__ = [
    "CHANCE_FEATURES",
    "ITEMS",
    "JOINT",
    "UNIQUE",
    "Chance",
    "book_chance",
    "corrections",
    "pooled",
    "shift_frame",
    "shift_terms",
]

#: Features whose chance agreement is estimated (the ones a random pair can be scored on
#: without the engine's blocking and context: references, rivals and groups are not pairwise),
#: and ``payer``: IBAN and name levels jointly (both identify the payer; correcting each on its
#: own would count one agreement twice).
CHANCE_FEATURES: tuple[str, ...] = ("amount", "name", "iban", "date", "payer")
#: the features of a joint level, written ``iban/name`` (e.g. ``known/exact``)
JOINT: dict[str, tuple[str, str]] = {"payer": ("iban", "name")}
#: the key of the book-size term: the chance that a pair is right at all falls as the number
#: of open items grows (the Fellegi-Sunter prior, one match among that many items)
ITEMS = "items"
_AMONG_STRANGERS = frozenset({"amount", "date"})
#: Levels that single out one item or one payer however large the book: their chance share
#: falls as the book grows (one invoice in N has this number, one customer in C this IBAN),
#: which cancels the ``items`` term (Fellegi-Sunter: ``u`` and the prior both scale as 1/N)
UNIQUE: dict[str, frozenset[str]] = {
    "reference": frozenset({"checksum", "exact", "normalized", "group_all", "remittance"}),
    "iban": frozenset({"known"}),
    "name": frozenset({"exact"}),
}
_SEED = 20_170  # fixed: the same book always draws the same pairs


@dataclass(frozen=True, slots=True)
class Chance:
    """Shares of random (payment, open item) pairs at each level of :data:`CHANCE_FEATURES`.

    ``n`` is the number of pairs the shares rest on (sampled, or every pair when the book is
    small); ``share[feature][level]`` sums to 1 over a feature's levels (0 when ``n`` is 0).
    ``items``: the open items of the book. ``strangers``: the pairs whose payer is not the
    item's customer (neither its IBAN nor a name at least ``medium``), on which the amount and
    date shares rest (-1: ``n``).
    """

    n: int
    share: dict[str, dict[str, float]]
    items: int = 0
    strangers: int = -1


def _order(ids: pd.Series) -> np.ndarray[Any, Any]:
    """Positions of ``ids`` in id order (ties, which prepared frames do not have, by position)."""
    out: np.ndarray[Any, Any] = np.argsort(ids.astype(str).to_numpy(), kind="stable")
    return out


def _draw(n_tx: int, n_inv: int, sample: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Pair positions (in id order): every pair when there are at most ``sample``, else
    ``sample`` pairs drawn uniformly with the fixed seed."""
    if n_tx * n_inv <= sample:
        t, i = np.divmod(np.arange(n_tx * n_inv, dtype=np.int64), n_inv)
        return t, i
    rng = np.random.default_rng(_SEED)
    return rng.integers(0, n_tx, sample), rng.integers(0, n_inv, sample)


def _joint_levels(key: str) -> list[str]:
    a, b = JOINT[key]
    return [f"{x}/{y}" for x in FEATURE_LEVELS[a] for y in FEATURE_LEVELS[b]]


def _shares(key: str, codes: np.ndarray[Any, Any]) -> dict[str, float]:
    """Share of ``codes`` at each level of a feature or a joint key (codes index its levels)."""
    levels = _joint_levels(key) if key in JOINT else list(FEATURE_LEVELS[key])
    counts = np.bincount(codes.astype(np.int64), minlength=len(levels))
    total = max(int(counts.sum()), 1)
    return {lvl: float(c) / total for lvl, c in zip(levels, counts.tolist(), strict=True)}


def _iban_codes(
    pay_iban: np.ndarray[Any, Any], inv_iban: np.ndarray[Any, Any], own: set[str]
) -> np.ndarray[Any, Any]:
    """``known`` (0) when the payer's IBAN is the item's customer's, ``other`` (1) when it is
    another customer's, else ``unknown`` (2)."""
    known = np.array([bool(b) and b in own for b in pay_iban], dtype=bool)
    same = (pay_iban == inv_iban) & (pay_iban != "")
    out: np.ndarray[Any, Any] = np.where(same, 0, np.where(known, 1, 2)).astype(np.int8)
    return out


def book_chance(tx: pd.DataFrame, inv: pd.DataFrame, config: MatchConfig, currency: str) -> Chance:
    """Chance agreement of one partition's prepared frames (:mod:`.frames`: ``amount``, ``day``,
    ``name``, ``iban`` of payments; ``open``, ``issue_day``, ``due_day``, ``customer_name``,
    ``customer_iban`` of open items), on ``config.chance_sample`` random pairs."""
    if not len(tx) or not len(inv):
        return Chance(0, {})
    tx = tx.iloc[_order(tx["transaction_id"])]
    inv = inv.iloc[_order(inv["invoice_id"])]
    t, i = _draw(len(tx), len(inv), config.chance_sample)
    amt = tx["amount"].to_numpy()[t]
    opn = inv["open"].to_numpy()[i]
    day, issue = tx["day"].to_numpy()[t], inv["issue_day"].to_numpy()[i]
    # the pairs the engine would score at all: same sign, within the date window
    keep = (np.sign(amt) == np.sign(opn)) & (amt != 0)
    keep &= (day < 0) | (np.abs(day - issue) <= config.date_window_days)
    t, i, amt, opn, day, issue = t[keep], i[keep], amt[keep], opn[keep], day[keep], issue[keep]
    if not len(t):
        return Chance(0, {})
    pay_names = tx["name"].to_numpy(dtype=object)[t]
    cust_names = inv["customer_name"].to_numpy(dtype=object)[i]
    norm: dict[str, str] = {}
    left = [norm.setdefault(str(x), normalize_name(str(x))) for x in pay_names]
    right = [norm.setdefault(str(x), normalize_name(str(x))) for x in cust_names]
    sims = np.asarray(cpdist(left, right, scorer=fuzz.WRatio, workers=1), dtype=np.float64)
    sims[[not a or not b for a, b in zip(left, right, strict=True)]] = 0.0
    name = name_codes(sims)
    inv_iban = inv["customer_iban"].astype(object).where(inv["customer_iban"].notna(), "")
    own = {str(b) for b in inv_iban if b}
    pay_iban = tx["iban"].astype(object).where(tx["iban"].notna(), "").to_numpy()[t]
    iban = _iban_codes(pay_iban, inv_iban.to_numpy()[i], own)
    share = {
        "name": _shares("name", name),
        "iban": _shares("iban", iban),
        "payer": _shares("payer", iban.astype(np.int64) * 4 + name),
    }
    # amount and date among strangers: a payer and another party's item (the payment's own
    # item, or another of its payer's, agrees for a reason, and in a small book those pairs
    # are not rare: every payment agrees with its own invoice, one pair in ``len(inv)``)
    apart = (iban != 0) & (name >= 2)
    amount = amount_codes(np.abs(amt[apart]), np.abs(opn[apart]), config, currency)
    share["amount"] = _shares("amount", amount)
    due = inv["due_day"].to_numpy()[i[apart]]
    share["date"] = _shares("date", date_codes(day[apart], issue[apart], due))
    return Chance(len(t), share, len(inv), int(apart.sum()))


def pooled(chances: list[Chance]) -> dict[str, dict[str, float]]:
    """The training ``u``: each level's share averaged over books (every book weighs the same,
    whatever its size), rounded to 6 significant digits for the weights file."""
    books = [c for c in chances if c.n]
    out: dict[str, dict[str, float]] = {}
    for f in CHANCE_FEATURES:
        per = [c.share[f] for c in books if f in c.share]
        levels = _joint_levels(f) if f in JOINT else FEATURE_LEVELS[f]
        if per:
            out[f] = {lvl: _g6(sum(s.get(lvl, 0.0) for s in per) / len(per)) for lvl in levels}
    if books:
        out[ITEMS] = {"open": _g6(sum(c.items for c in books) / len(books))}
    return out


def _g6(x: float) -> float:
    return float(f"{x:.6g}")


def corrections(
    book: Chance, train: dict[str, dict[str, float]], config: MatchConfig
) -> dict[str, dict[str, tuple[float, float]]]:
    """Feature → level → (``log(u_train / u_book)``, the book's share) for the levels whose
    correction is not 0. The book's share is shrunk toward the training one with
    ``config.chance_prior_pairs`` pseudo-pairs; the correction is bounded by
    ``config.chance_max_shift``; levels rarer than one pair in a million at training are left
    alone (no estimate of such a share is worth a weight)."""
    out: dict[str, dict[str, tuple[float, float]]] = {}
    k, cap = float(config.chance_prior_pairs), config.chance_max_shift
    items = train.get(ITEMS, {}).get("open", 0.0)
    if ITEMS in config.chance_features and items and book.items > items:
        # a larger book than the training ones: any one pair is less likely right (a smaller
        # one never raises the scores: the thresholds were learned at the training size)
        shift = max(-cap, math.log(items / book.items))
        if abs(shift) >= 0.005:
            out[ITEMS] = {"open": (round(shift, 4), float(book.items))}
    for f, levels in train.items():
        own = book.share.get(f)
        if own is None or f not in config.chance_features:
            continue
        n = book.strangers if f in _AMONG_STRANGERS and book.strangers >= 0 else book.n
        for lvl, u_train in levels.items():
            if u_train < 1e-6 or lvl not in own:
                continue
            u_book = (own[lvl] * n + k * u_train) / (n + k)
            # only ever down: a level seldom or never met in the book's random pairs is no
            # reason to trust it more than the training books did (its rarity may be the
            # sample's, and a wrong automatic allocation costs more than a missed one)
            shift = max(-cap, min(0.0, math.log(u_train / max(u_book, 1e-12))))
            if shift <= -0.005:
                out.setdefault(f, {})[lvl] = (round(shift, 4), own[lvl])
    return out


def _column_levels(df: pd.DataFrame, key: str) -> np.ndarray[Any, Any] | None:
    """The level of ``key`` (a feature, or a joint ``a/b`` level) of each row, as strings."""
    cols = JOINT.get(key, (key,))
    if any(c not in df.columns for c in cols):
        return None
    parts = [df[c].astype(str).to_numpy(dtype=object) for c in cols]
    out: np.ndarray[Any, Any] = parts[0] if len(parts) == 1 else parts[0] + "/" + parts[1]
    return out


def _unique_rows(df: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Rows with a level of :data:`UNIQUE` (the ``items`` term leaves them alone)."""
    out = np.zeros(len(df), dtype=bool)
    for f, lv in UNIQUE.items():
        if f in df.columns:
            out |= text_in(df[f], tuple(lv))
    return out


def shift_frame(df: pd.DataFrame, book: dict[str, dict[str, tuple[float, float]]]) -> Any:
    """The per-book correction of the log-odds of each row of a frame of feature levels."""
    out = np.zeros(len(df), dtype=np.float64)
    for key, shifts in book.items():
        if key == ITEMS:
            out += sum(s for s, _ in shifts.values()) * ~_unique_rows(df)
            continue
        coded = _category_levels(df, key)
        uniq: Any
        if coded is None:
            lv = _column_levels(df, key)
            if lv is None or not len(lv):
                continue
            code, uniq = pd.factorize(lv)
        else:
            code, uniq = coded
        table = np.array([shifts.get(str(u), (0.0, 0.0))[0] for u in uniq], dtype=np.float64)
        out += table[code]
    return out


def _category_levels(df: pd.DataFrame, key: str) -> tuple[np.ndarray[Any, Any], list[str]] | None:
    """:func:`_column_levels` of a key whose columns are all categorical, none missing, as
    (a code per row, the level of each code), read on the codes; None otherwise."""
    cols = JOINT.get(key, (key,))
    if not len(df) or any(
        c not in df.columns or not isinstance(df[c].dtype, pd.CategoricalDtype) for c in cols
    ):
        return None
    code = np.zeros(len(df), dtype=np.int64)
    levels = [""]
    for k, c in enumerate(cols):
        at = df[c].cat.codes.to_numpy()
        if (at < 0).any():
            return None
        cats = [str(x) for x in df[c].cat.categories]
        code = code * len(cats) + at
        levels = [f"{a}/{b}" if k else b for a in levels for b in cats]
    return code, levels


def shift_terms(
    row: Any, book: dict[str, dict[str, tuple[float, float]]], train: dict[str, dict[str, float]]
) -> list[tuple[str, float]]:
    """The explanation of one hypothesis' correction: (text, log-odds) per term, e.g.
    ``amount=exact weighed down: 4.1 % of random pairs of this book agree so (0.05 % in
    training)``."""
    out: list[tuple[str, float]] = []
    for key, shifts in book.items():
        if key == ITEMS:
            if any(str(row.get(f, "")) in lv for f, lv in UNIQUE.items()):
                continue
            for shift, n in shifts.values():
                items = train.get(ITEMS, {}).get("open", 0.0)
                text = f"{int(n)} open items (training books: {int(items)}): any one pair is less"
                out.append((text + " likely right by chance alone", shift))
            continue
        cols = JOINT.get(key, (key,))
        lvl = "/".join(str(row.get(c, "")) for c in cols)
        if lvl not in shifts:
            continue
        shift, share = shifts[lvl]
        how = "weighed down" if shift < 0 else "weighed up"
        was = train.get(key, {}).get(lvl, 0.0)
        name = "=".join(("/".join(cols), lvl))
        text = f"{name} {how}: {_pct(share)} of random pairs of this book agree so"
        out.append((f"{text} ({_pct(was)} in training)", shift))
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %" if x >= 0.1 else f"{100 * x:.2g} %"
