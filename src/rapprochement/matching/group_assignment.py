"""Grouped hypotheses in the assignment: which groups are taken before the single-invoice
pairs, which wait for them, and which get a second chance (:func:`take_groups`); and the
allocation records the assignment produces (:class:`Alloc`, :class:`Assignment`).

A group is taken first when it beats every single-invoice hypothesis of its payment, or when
it settles the payment to the cent with the invoice that the payment's best single hypothesis
reads only approximately (:func:`exact_supersets`). It waits when another payment claims one
of its invoices alone, more strongly (:func:`claims`), or, for a group naming nothing, when a
part payment naming one of its invoices claims it: the single-invoice pairs go first, and
the group is then taken on what they left open, never with an invoice such a part payment
took a part of. With ``remnant``, a group that lost some
invoices meanwhile is still taken for the rest, as a suggestion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype
from pandas.core.dtypes.cast import maybe_box_native  # type: ignore[attr-defined]

from rapprochement.matching.assign_arrays import first_of, group_reduce, text_in
from rapprochement.matching.group_context import ADVICE_SOURCES as _ADVICE

__all__ = [
    "CLOSED_KINDS",
    "SINGLE_KIND",
    "Alloc",
    "Assignment",
    "approximate_best",
    "approximate_supersets",
    "claims",
    "exact_best",
    "exact_supersets",
    "records",
    "take_groups",
]


def _boxed(dtype: Any) -> bool:
    """Whether ``to_dict`` boxes a column of ``dtype`` to Python scalars where its ``tolist``
    may not have: object and extension columns, but for text ones (strings, or categories
    that are all strings), whose values already are ``str`` or the missing value."""
    if isinstance(dtype, pd.StringDtype):
        return False
    if isinstance(dtype, pd.CategoricalDtype):
        return not all(type(c) is str for c in dtype.categories)
    return dtype == np.dtype(object) or isinstance(dtype, ExtensionDtype)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """``df.to_dict("records")``, built from one list per column (the same keys, values and
    value types: a column's ``tolist`` is what iterating it yields, and the object and
    extension columns are boxed to Python scalars as ``to_dict`` boxes them); the dicts
    share their keys (:func:`row_dict`)."""
    cols, lists = _record_columns(df)
    new = row_dict(cols)
    return [new(row) for row in zip(*lists, strict=True)]


def row_dict(keys: list[str]) -> Callable[[tuple[Any, ...]], dict[str, Any]]:
    """A function making ``dict(zip(keys, values))`` of a row's values, as a dict whose keys
    are shared with every other dict it makes (the ``__dict__`` of an instance of a class of
    its own: CPython's key-sharing dicts hold a row's values alone, a third of a dict's size
    at 25 keys; the same dict otherwise: its keys in that order, ``get`` as fast). An
    allocation keeps its row's dict until the result is built, a million of them at 1M."""
    if len(set(keys)) != len(keys):  # (a column name twice: the last value, as ``dict``)
        return lambda values: dict(zip(keys, values, strict=True))
    cls = _ROW_CLASSES.get(tuple(keys))
    if cls is None:
        cls = _ROW_CLASSES[tuple(keys)] = type("_Row", (), {"__slots__": ("__dict__",)})

    def new(values: tuple[Any, ...]) -> dict[str, Any]:
        out: dict[str, Any] = cls().__dict__
        out.update(zip(keys, values, strict=True))
        return out

    return new


#: the class of each column list's row dicts (:func:`row_dict`: one set of shared keys each)
_ROW_CLASSES: dict[tuple[str, ...], type] = {}


def _record_columns(df: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """The keys and the value lists of :func:`records` (one list per column)."""
    cols = [str(c) for c in df.columns]
    lists = []
    for k in range(df.shape[1]):
        col = df.iloc[:, k]
        values = _shared(col)
        if values is None:
            values = col.tolist()
            if _boxed(col.dtype):
                values = list(map(maybe_box_native, values))
        lists.append(values)
    return cols, lists


def _shared(col: pd.Series) -> list[Any] | None:
    """``col.tolist()`` of a numeric column with few distinct values (days, scores), each
    value one object shared by its rows (equal bits, the same type: a value of ``tolist``
    of the distinct ones), or None for another column. The rows' dicts outlive the stage: a
    day or a score boxed per row was a fifth of a single hypothesis' size."""
    dtype = col.dtype
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iuf" or dtype.itemsize < 4:
        return None
    arr = col.to_numpy()
    bits = arr.view(np.int64 if arr.dtype.itemsize == 8 else np.int32)  # (-0.0 is not 0.0)
    codes, uniques = pd.factorize(bits)
    if 2 * len(uniques) > len(arr):
        return None
    boxed = np.empty(len(uniques), dtype=object)
    boxed[:] = uniques.view(arr.dtype).tolist()
    out: list[Any] = boxed[codes].tolist()
    return out


@dataclass(slots=True)
class Alloc:
    """One allocation in minor units (``inv`` = -1 for an overpayment excess)."""

    tx: int
    inv: int
    amount: int
    kind: str
    score: float
    hyp: dict[str, Any]
    group: str | None = None
    ambiguous: bool = False


@dataclass(slots=True)
class Assignment:
    """Allocations of one partition and the ambiguous payments with their alternatives."""

    allocs: list[Alloc] = field(default_factory=list)
    ambiguous: dict[int, list[tuple[int, ...]]] = field(default_factory=dict)
    #: payment → (the earlier payment it repeats, the invoice that one settled)
    duplicates: dict[int, tuple[int, int]] = field(default_factory=dict)


SINGLE_KIND = {
    "exact": "one_to_one",
    "discount": "discount",
    "fee": "fee",
    "stated": "fee",
    "partial": "partial",
    "fraction": "partial",
    "over": "one_to_one",
    "over_large": "one_to_one",
    "over_small": "one_to_one",
}


def take_groups(
    g: pd.DataFrame,
    best_single: np.ndarray[Any, Any] | None,
    cap: np.ndarray[Any, Any],
    done: np.ndarray[Any, Any],
    out: Assignment,
    tx_amt: np.ndarray[Any, Any],
    claimed: dict[int, list[tuple[float, int]]] | None = None,
    remnant: bool = False,
    approx: dict[int, int] | None = None,
    exact: dict[int, int] | None = None,
) -> set[int]:
    """Take the groups best first; return the payments whose groups wait (another payment
    claims one of their invoices alone, more strongly: :func:`claims`).

    With ``remnant``, a group some of whose invoices went to other payments meanwhile is
    still taken for the invoices it has left (at least two, and at least half of it), as a
    suggestion: the rest of the payment stays unallocated.
    """
    beats = g["logit"].to_numpy() > _best_of(g, best_single)
    if approx:
        beats |= exact_supersets(g, approx)
    if exact:
        beats &= ~approximate_supersets(g, exact)
    g = g[beats]
    waiting: set[int] = set()
    if claimed:
        # once the single-invoice pairs are assigned (``remnant``), a claim stands only if
        # its payment took (a part of) the invoice it claims
        after = {(a.tx, a.inv) for a in out.allocs if a.group is None} if remnant else None
        refs = g["reference"].astype(str).to_numpy()
        free = np.fromiter(
            (
                _unclaimed(int(t), invs, float(lg), claimed, r == "none", after)
                for t, invs, lg, r in zip(g["tx"], g["invs"], g["logit"], refs, strict=True)
            ),
            dtype=bool,
            count=len(g),
        )
        waiting = {int(t) for t in g["tx"].to_numpy()[~free]}
        g = g[free]
    g = g.iloc[_group_order(g)]
    alts: dict[int, list[tuple[int, ...]]] = {}
    for t, invs in zip(g["tx"].tolist(), g["invs"].tolist(), strict=True):
        alts.setdefault(int(t), []).append(tuple(invs))
    # each row's dict (:func:`records`'s) built only for the payments not done when it
    # comes: a payment done stays done
    keys, lists = _record_columns(g[~done[g["tx"].to_numpy(dtype=np.int64)]])
    at_tx, new = keys.index("tx"), row_dict(keys)
    for values in zip(*lists, strict=True):
        t = int(values[at_tx])
        if done[t]:
            continue
        row = new(values)
        allocs = [abs(int(x)) for x in row["allocs"]]
        cut = any(cap[i] < x for i, x in zip(row["invs"], allocs, strict=True))
        if cut:
            if not remnant or not _keep_remnant(row, cap, int(tx_amt[t])):
                continue
            allocs = [abs(int(x)) for x in row["allocs"]]
        done[t] = True
        ambiguous = row["rivals"] != "0" or bool(row["interchangeable"])
        if ambiguous:
            out.ambiguous[t] = alts[t]
        sign = 1 if tx_amt[t] >= 0 else -1
        gid = f"G{t}"
        for i, x, signed in zip(row["invs"], allocs, row["allocs"], strict=True):
            under = x < cap[i]
            short = under and row["amount"] not in _CLOSING
            kind = "credit_note" if signed * sign < 0 else "partial" if short else "grouped"
            if under and not short:  # the invoice that bears the fee or its own discount
                kind = SINGLE_KIND.get(str(row["amount"]), "grouped")
            if row["size"] == "1":
                kind = "partial" if short else SINGLE_KIND.get(row["amount"], "one_to_one")
            # a fee or a discount writes the shortfall off: the invoice is settled, with no
            # room left for another payment (as in the result, :func:`.rows` closes it)
            cap[i] = 0 if kind in CLOSED_KINDS else cap[i] - x
            if signed != 0:  # a share rounded to nothing is not an allocation
                out.allocs.append(
                    Alloc(t, int(i), int(signed), kind, row["p"], row, gid, ambiguous or cut)
                )
        excess = abs(int(tx_amt[t])) - sum(abs(int(x)) for x in row["allocs"])
        if excess > 0 and row["amount"] in ("over", "over_small", "over_large") and not cut:
            out.allocs.append(
                Alloc(t, -1, sign * excess, "overpayment", row["p"], row, gid, ambiguous)
            )
    return {t for t in waiting if not done[t]}


def _best_of(g: pd.DataFrame, best_single: np.ndarray[Any, Any] | None) -> Any:
    """Per group, its payment's best single score in ``best_single`` (by payment position),
    -inf for none (as ``g["tx"].map(a dict).fillna(-np.inf)``: a missing score too)."""
    if best_single is None:
        return np.full(len(g), -np.inf)
    out = best_single[g["tx"].to_numpy(dtype=np.int64)]
    return np.where(np.isnan(out), -np.inf, out)


def _group_order(g: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Positions in the order of ``sort_values(["logit", "tx", "rank", "invs"], ascending=
    [False, True, True, True], kind="stable")``: the groups best first, then by payment and
    rank; the rare runs equal in all three by their invoices (tuples compared in order)."""
    lg, tx, rank = g["logit"].to_numpy(), g["tx"].to_numpy(), g["rank"].to_numpy()
    order: np.ndarray[Any, Any] = np.lexsort((rank, tx, -lg))
    if len(order) < 2:
        return order
    same = (lg[order][1:] == lg[order][:-1]) & (tx[order][1:] == tx[order][:-1])
    same &= rank[order][1:] == rank[order][:-1]
    if not same.any():
        return order
    invs = g["invs"].to_numpy()
    # runs of equal keys: each run's positions sorted (stably) by their invoices
    edges = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)))
    for lo, hi in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        run = order[lo : hi + 1].tolist()
        order[lo : hi + 1] = sorted(run, key=lambda k: tuple(invs[k]))
    return order


_WHOLE = ("exact", "discount", "fee")
#: allocation kinds that close their invoice: the shortfall is written off, not left open
CLOSED_KINDS = ("discount", "fee")
#: group amount levels whose shortfall closes the invoices: a discount, a fee (guessed or
#: stated by a collector's report, :mod:`.payouts`)
_CLOSING = ("discount", "fee", "stated")
_TIE = 1e-9


def _keep_remnant(row: dict[str, Any], cap: np.ndarray[Any, Any], amount: int) -> bool:
    """Cut ``row`` (in place) to the invoices that still have room, each allocated at most
    its room, when what is left is worth suggesting: at least two invoices and at least half
    of the group, and no credit note netted (dropping either side of a netting would allocate
    more than the payment, or a credit note alone). False when it is not."""
    signed = [int(x) for x in row["allocs"]]
    left = [k for k, i in enumerate(row["invs"]) if cap[i] > 0 and signed[k] != 0]
    if len(left) < 2 or 2 * len(left) < len(signed) or any(x * amount < 0 for x in signed):
        return False
    sign = 1 if amount >= 0 else -1
    row["allocs"] = [sign * min(abs(signed[k]), int(cap[row["invs"][k]])) for k in left]
    row["invs"] = [row["invs"][k] for k in left]
    return True


def claims(singles: pd.DataFrame) -> dict[int, list[tuple[float, int]]]:
    """Per invoice, its two strongest single-invoice hypotheses that settle it whole (exact
    amount, or less a fee or discount) as (logit, payment), among those that are their
    payment's one best reading (a payment that fits several equal invoices equally well
    claims none of them); and every part payment that names it (reference evidence) as its
    one best reading, with the logit :data:`PART_CLAIM`: a group naming nothing never takes
    that invoice, whatever its score (the payer said which item it pays in part; the group
    only adds up)."""
    inv, lg, tx = singles["inv"].to_numpy(), singles["logit"].to_numpy(), singles["tx"].to_numpy()
    near = lg >= group_reduce(tx, lg, "max") - _TIE
    one = near & (group_reduce(tx, near, "sum") == 1)
    own = np.flatnonzero(one & text_in(singles["amount"], _WHOLE))
    # the two strongest of each invoice: by invoice, best first, then by payment
    top = own[np.lexsort((tx[own], -lg[own], inv[own]))]
    starts = first_of(inv[top])
    run = np.arange(len(top)) - np.flatnonzero(starts)[np.cumsum(starts) - 1]
    top = top[run < 2]
    out: dict[int, list[tuple[float, int]]] = {}
    for i, x, t in zip(inv[top].tolist(), lg[top].tolist(), tx[top].tolist(), strict=True):
        out.setdefault(int(i), []).append((float(x), int(t)))
    if "reference" in singles:
        named = ~text_in(singles["reference"], _UNNAMED)
        part = one & named & text_in(singles["amount"], _PART)
        for i, t in zip(inv[part].tolist(), tx[part].tolist(), strict=True):
            out.setdefault(int(i), []).append((PART_CLAIM, int(t)))
    return out


#: the logit a claim of a part payment naming its invoice is recorded with (:func:`claims`)
PART_CLAIM = float("inf")
_PART = ("partial", "fraction")
_UNNAMED = ("none", "transposed")


def _unclaimed(
    t: int,
    invs: Any,
    logit: float,
    claims: dict[int, list[tuple[float, int]]],
    unnamed: bool,
    taken: set[tuple[int, int]] | None = None,
) -> bool:
    """True when no invoice of the group is claimed more strongly by another payment alone
    (that payment names it, with its amount): the group then waits until singles are
    assigned, and is taken only if its invoices are still open. A part payment naming an
    invoice claims it against a group naming nothing (``unnamed``) only. With ``taken`` (the
    singles assigned: their (payment, invoice) pairs), only the claims of part payments that
    took a part of their invoice still stand: a whole claim already left it no room."""
    for i in invs:
        for lg, other in claims.get(int(i), ()):
            if other == t:
                continue
            if lg == PART_CLAIM:
                if unnamed and (taken is None or (other, int(i)) in taken):
                    return False
            elif taken is None and lg > logit:
                return False
    return True


def approximate_best(best: pd.DataFrame) -> dict[int, int]:
    """Payment → invoice of its best single hypothesis (``best``: one row per payment, with
    ``tx, inv, amount``), when that one explains the amount only approximately (a fee, a
    discount, a partial or an overpayment)."""
    best = best[best["amount"] != "exact"]
    return dict(zip(best["tx"].astype(int), best["inv"].astype(int), strict=True))


def exact_best(best: pd.DataFrame) -> dict[int, int]:
    """Payment → invoice of its best single hypothesis, when that one settles it exactly."""
    best = best[best["amount"] == "exact"]
    return dict(zip(best["tx"].astype(int), best["inv"].astype(int), strict=True))


def _targets(g: pd.DataFrame, best: dict[int, int]) -> np.ndarray[Any, Any]:
    """Per group, the invoice ``best`` gives its payment (-1: none)."""
    get = best.get
    return np.array([get(t, -1) for t in g["tx"].tolist()], dtype=np.int64)


def _holds(
    g: pd.DataFrame, target: np.ndarray[Any, Any], ask: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Per group, whether it was asked (``ask``) and its invoices hold ``target``."""
    out = np.zeros(len(g), dtype=bool)
    at = np.flatnonzero(ask & (target >= 0))
    invs = g["invs"].to_numpy()
    out[at] = [int(target[k]) in invs[k] for k in at.tolist()]
    return out


def approximate_supersets(g: pd.DataFrame, exact: dict[int, int]) -> np.ndarray[Any, Any]:
    """Groups that settle the payment only approximately (a fee, a discount, a part payment)
    and contain the invoice its best single hypothesis settles to the cent: the payer paid
    that one (a text naming R-50 and R-500 with 500.00 paid means R-500 alone); the group
    would turn its exact reading into a guessed shortfall. Such a group never beats it."""
    not_exact = ~g["amount"].eq("exact").to_numpy(dtype=bool, na_value=False)
    return _holds(g, _targets(g, exact), not_exact)


def exact_supersets(g: pd.DataFrame, approx: dict[int, int]) -> np.ndarray[Any, Any]:
    """Groups that settle the payment to the cent and contain the invoice its best single
    hypothesis reads only approximately: the same invoice, with the difference explained by
    the payer's other open items (a credit note netted, a second invoice) rather than
    guessed as a fee or a part payment; or whose remittance advice accounts for the whole
    payment, fees included (a provider's payout report). Such a group is preferred."""
    lvl = g["amount"]
    ask = lvl.eq("exact").to_numpy(dtype=bool, na_value=False)
    if "source" in g:
        advice = g["source"].isin(_ADVICE).to_numpy(dtype=bool)
        ask = ask | (advice & lvl.isin(_CLOSING).to_numpy(dtype=bool))
    if "chance" in g:
        ask = ask & ~g["chance"].to_numpy(dtype=bool)
    return _holds(g, _targets(g, approx), ask)
