"""Column helpers of the assignment: the orders, group reductions and text tests it reads
over the scored hypotheses, on numpy arrays (the same rows and ties as the pandas sorts and
group-bys they replace, without copying the frame's other columns)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "best_first",
    "best_of_tx",
    "first_of",
    "group_codes",
    "group_reduce",
    "positions",
    "text_in",
]

Array = np.ndarray[Any, Any]


def best_first(tx: Array, logit: Array, inv: Array) -> Array:
    """Positions in the order of ``sort_values(["tx", "logit", "inv"], ascending=[True,
    False, True], kind="stable")``: by payment, best score first, then by invoice (a stable
    lexicographic sort; the descending score is the negated one, ties staying ties). Rows
    already in (payment, invoice) order, as the engine makes them, are sorted on the first two
    keys alone (the stable sort keeps them by invoice within ties: a third of the time)."""
    neg = -np.asarray(logit, dtype=np.float64)
    if _in_order(tx, inv):
        two: Array = np.lexsort((neg, tx))
        return two
    out: Array = np.lexsort((inv, neg, tx))
    return out


def _in_order(tx: Array, inv: Array) -> bool:
    """Whether the rows are sorted by ``tx`` then ``inv`` (ascending, equal pairs allowed)."""
    if len(tx) < 2:
        return True
    dt = np.diff(np.asarray(tx, dtype=np.int64))
    di = np.diff(np.asarray(inv, dtype=np.int64))
    return bool(((dt > 0) | ((dt == 0) & (di >= 0))).all())


def first_of(keys: Array) -> Array:
    """Where ``keys`` (sorted, or at least grouped) starts a new value: the first row of each
    (``~duplicated()`` on grouped keys)."""
    out = np.ones(len(keys), dtype=bool)
    if len(keys) > 1:
        out[1:] = keys[1:] != keys[:-1]
    return out


def group_codes(*cols: Array) -> Array:
    """One integer code per distinct combination of the integer ``cols`` (row by row; the
    codes are not dense)."""
    code = np.zeros(len(cols[0]), dtype=np.int64)
    if not len(code):
        return code
    for c in cols:
        c = np.asarray(c).astype(np.int64)
        lo, span = int(c.min()), int(c.max()) - int(c.min()) + 1
        if int(code.max()) * span + span >= 2**62:  # (never at book sizes) dense codes first
            code = pd.factorize(code)[0].astype(np.int64)
        code = code * span + (c - lo)
    return code


def group_reduce(codes: Array, values: Array, how: str) -> Array:
    """Per row, the ``how`` ("max", "min", "sum", "size") of ``values`` over the rows sharing
    its code (``groupby(codes).transform(how)``; a boolean sum counts)."""
    n = len(codes)
    if not n:
        return np.zeros(0, dtype=np.int64 if how == "size" else np.asarray(values).dtype)
    if how == "size":
        at, _ = pd.factorize(codes)
        size: Array = np.bincount(at)[at]
        return size
    order = np.argsort(codes, kind="stable")
    starts = first_of(codes[order])
    ufunc = {"max": np.maximum, "min": np.minimum, "sum": np.add}[how]
    vals = np.asarray(values)[order]
    if vals.dtype == bool:
        vals = vals.astype(np.int64)
    per = ufunc.reduceat(vals, np.flatnonzero(starts))
    out = np.empty(n, dtype=per.dtype)
    out[order] = per[np.cumsum(starts) - 1]
    return out


def text_in(col: pd.Series, values: tuple[str, ...]) -> Array:
    """``col.astype(str).isin(values)`` as a boolean array, read on the categories of a
    categorical column (the missing value is in none of ``values``)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        hit = np.array([str(c) in values for c in col.cat.categories] + [False], dtype=bool)
        out: Array = hit[col.cat.codes.to_numpy()]
        return out
    res: Array = col.astype(str).isin(values).to_numpy(dtype=bool)
    return res


def positions(s: pd.DataFrame, labels: list[int]) -> Array:
    """Positions in ``s`` of the rows labelled ``labels``, in their order."""
    out: Array = s.index.get_indexer(pd.Index(labels, dtype=np.int64))
    return out


def best_of_tx(s: pd.DataFrame, order: Array | None = None) -> Array:
    """Positions in ``s`` of each payment's best row (:func:`best_first`'s first row of each
    payment), by payment; ``order``: that order of ``s`` when the caller has it."""
    tx = s["tx"].to_numpy()
    if order is None:
        order = best_first(tx, s["logit"].to_numpy(), s["inv"].to_numpy())
    out: Array = order[first_of(tx[order])]
    return out
