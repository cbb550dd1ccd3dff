"""The result frames of a reconciliation (:class:`.result.ReconciliationResult`): the
allocation rows of every partition (:func:`.rows.allocation_rows`) sorted, and what they
leave of each payment and open item."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.gc_pause import paused
from rapprochement.matching.result import (
    ALLOCATION_COLUMNS,
    DUPLICATE_COLUMNS,
    ReconciliationResult,
)
from rapprochement.money import currency_exponent

__all__ = ["AMBIGUOUS_COLUMNS", "build_result"]

#: Columns of ``result.ambiguous``: the payment, its readings (tuples of invoice ids) and why
#: it is listed (:func:`.rows.ambiguity_reason`).
AMBIGUOUS_COLUMNS = ("transaction_id", "alternatives", "reason")


def _version() -> str:
    try:
        return version("rapprochement")
    except PackageNotFoundError:  # pragma: no cover
        return "0.0.0"


#: allocation columns kept as Python objects (ids, Decimal amounts, JSON text)
_OBJECT_COLUMNS = ("transaction_id", "invoice_id", "amount", "group_id", "explanation")


def _columns(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The allocation columns of every partition (:func:`allocation_rows`), one list or array
    each."""
    if len(parts) == 1:
        return parts[0]
    names = (*ALLOCATION_COLUMNS, "_minor")
    return {
        c: np.concatenate([p[c] for p in parts])
        if isinstance(parts[0][c], np.ndarray)
        else [v for p in parts for v in p[c]]
        for c in names
    }


def _frame(cols: dict[str, list[Any]], columns: list[str]) -> pd.DataFrame:
    """A result frame of columns (as ``pd.DataFrame`` of the rows as dicts would build it)."""
    if not cols[columns[0]]:
        return pd.DataFrame([], columns=columns)
    return pd.DataFrame(cols, columns=columns)


def _positions(ids: np.ndarray[Any, Any], values: list[Any]) -> np.ndarray[Any, Any]:
    """The position in ``ids`` (unique) of each of ``values`` (-1 for None)."""
    return np.asarray(pd.Index(ids, dtype=object).get_indexer(values), dtype=np.int64)


def _order(
    cols: dict[str, Any],
    t_pos: np.ndarray[Any, Any],
    i_pos: np.ndarray[Any, Any],
    t_ids: np.ndarray[Any, Any],
    i_ids: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    """The rows sorted by ``transaction_id, invoice_id`` (stable, None last): by the ids'
    positions in the frames when those are sorted by id (the internal frames are), else by
    the ids themselves."""
    if (
        pd.Index(t_ids, dtype=object).is_monotonic_increasing
        and pd.Index(i_ids, dtype=object).is_monotonic_increasing
    ):
        return np.lexsort((np.where(i_pos < 0, len(i_ids), i_pos), t_pos))
    keys = pd.DataFrame(
        {c: pd.Series(cols[c], dtype=object) for c in ("transaction_id", "invoice_id")}
    )
    keys = keys.sort_values(["transaction_id", "invoice_id"], kind="stable", na_position="last")
    return keys.index.to_numpy()


def _allocations(cols: dict[str, Any], order: np.ndarray[Any, Any]) -> pd.DataFrame:
    """The ``allocations`` frame: the columns' rows in ``order``."""
    if not len(order):
        al = pd.DataFrame([], columns=list(ALLOCATION_COLUMNS))
        for col in _OBJECT_COLUMNS:
            al[col] = pd.Series([], dtype=object)
        al["score"] = al["score"].astype(np.float64)
        return al
    out: dict[str, pd.Series] = {}
    for c in ALLOCATION_COLUMNS:
        if c == "score":
            out[c] = pd.Series(np.asarray(cols[c], dtype=np.float64)[order], copy=False)
            continue
        vals = np.empty(len(order), dtype=object)
        vals[:] = cols[c]
        # the object columns built as such: no str inference of millions of cells
        out[c] = pd.Series(vals[order], dtype=object if c in _OBJECT_COLUMNS else None, copy=False)
    # each column as built (not copied into blocks of one dtype)
    return pd.DataFrame(out, columns=list(ALLOCATION_COLUMNS), copy=False)


def _values(col: pd.Series, at: np.ndarray[Any, Any]) -> list[Any]:
    """``col.to_numpy()[at].tolist()``, only the values at the positions ``at`` read."""
    out: list[Any] = col.iloc[at].to_numpy().tolist()
    return out


def _money_pair(
    money: Callable[[int, str], Decimal],
    amount: np.ndarray[Any, Any],
    left: np.ndarray[Any, Any],
    ccys: list[str],
) -> tuple[list[Decimal], list[Decimal]]:
    """The Decimal amounts (``money``) of ``amount`` and ``left`` (minor units, in ``ccys``);
    a row whose amount is all that is left has one Decimal for both."""
    amounts = list(map(money, amount.tolist(), ccys))
    same = (amount == left).tolist()
    lefts = [
        a if s else money(m, c)
        for a, s, m, c in zip(amounts, same, left.tolist(), ccys, strict=True)
    ]
    return amounts, lefts


@paused
def build_result(
    tx: pd.DataFrame,
    inv: pd.DataFrame,
    rows: list[dict[str, Any]],
    amb_rows: list[dict[str, Any]],
    config: MatchConfig,
    dup_rows: list[dict[str, Any]] | None = None,
) -> ReconciliationResult:
    """The result frames of the allocation columns of each partition (``rows``:
    :func:`allocation_rows`'), the ambiguous payments' rows and the duplicates' rows."""
    cols = _columns(rows) if rows else {c: [] for c in (*ALLOCATION_COLUMNS, "_minor")}
    t_ids, i_ids = tx["transaction_id"].to_numpy(), inv["invoice_id"].to_numpy()
    # each allocation's payment and item as positions in ``tx`` and ``inv`` (-1: no item)
    if len(rows) == 1 and rows[0].get("_whole") == [len(tx), len(inv)]:
        # one partition of every payment and item: its positions are the frames'
        t_pos = np.asarray(cols["_t"], dtype=np.int64)
        i_pos = np.asarray(cols["_i"], dtype=np.int64)
    else:
        t_pos = _positions(t_ids, cols["transaction_id"])
        i_pos = _positions(i_ids, cols["invoice_id"])
    al = _allocations(cols, _order(cols, t_pos, i_pos, t_ids, i_ids))
    # remaining amounts in minor units (suggested allocations count as taken; a discount or
    # a fee allocation closes its invoice)
    minors = np.asarray(cols["_minor"], dtype=np.int64)
    has = i_pos >= 0
    used_t = np.zeros(len(t_ids), dtype=np.int64)
    np.add.at(used_t, t_pos, minors)
    used_i = np.zeros(len(i_ids), dtype=np.int64)
    np.add.at(used_i, i_pos[has], minors[has])
    kinds = np.asarray(cols["kind"], dtype=object)
    closed = i_pos[has & ((kinds == "discount") | (kinds == "fee"))]
    exps: dict[str, int] = {}

    def money(minor: int, ccy: str) -> Decimal:
        """:func:`rapprochement.money.from_minor`, each currency's exponent read once."""
        e = exps.get(ccy)
        if e is None:
            e = exps[ccy] = currency_exponent(ccy)
        return Decimal(minor).scaleb(-e)

    t_amt = tx["amount"].to_numpy(dtype=np.int64)
    t_left = t_amt - used_t
    at = np.flatnonzero(t_left != 0)
    ccys = _values(tx["currency"], at)
    amounts, left = _money_pair(money, t_amt[at], t_left[at], ccys)
    unmatched = {
        "transaction_id": t_ids[at].tolist(),
        "currency": ccys,
        "amount": amounts,
        "remaining": left,
    }
    unmatched_frame = _frame(unmatched, list(unmatched))
    del unmatched, ccys, amounts, left
    i_left = inv["open"].to_numpy(dtype=np.int64) - used_i
    i_left[closed] = 0
    at = np.flatnonzero(i_left != 0)
    ccys = _values(inv["currency"], at)
    amounts, left = _money_pair(money, inv["amount"].to_numpy(dtype=np.int64)[at], i_left[at], ccys)
    inv_rem = {
        "invoice_id": i_ids[at].tolist(),
        "customer_id": _values(inv["customer_id"], at),
        "currency": ccys,
        "amount": amounts,
        "open_amount": left,
    }
    del ccys, amounts, left
    incoming = tx["amount"].to_numpy() > 0
    auto = np.zeros(len(t_ids), dtype=bool)
    auto[t_pos[np.asarray(cols["status"], dtype=object) == "auto"]] = True
    return ReconciliationResult(
        n_incoming=int(incoming.sum()),
        n_incoming_matched=int((incoming & auto).sum()),
        allocations=al,
        unmatched_transactions=unmatched_frame,
        open_invoices=_frame(inv_rem, list(inv_rem)),
        ambiguous=pd.DataFrame(amb_rows, columns=list(AMBIGUOUS_COLUMNS)),
        config=config,
        version=_version(),
        n_transactions=len(tx),
        n_invoices=len(inv),
        duplicates=pd.DataFrame(dup_rows or [], columns=list(DUPLICATE_COLUMNS), dtype=object),
    )
