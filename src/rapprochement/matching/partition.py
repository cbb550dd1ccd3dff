"""The engine's inputs: frames, lists of dicts or models validated into the internal frames
(sorted by id, :mod:`.frames`), the customer records that are one entity merged, and one
partition per currency (:class:`Partition`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.errors import ColumnError
from rapprochement.matching.entities import entities
from rapprochement.matching.frames import (
    prepare_invoices,
    prepare_remittances,
    prepare_transactions,
)
from rapprochement.matching.model_frames import models_to_frame

__all__ = ["Inputs", "Partition", "as_entities", "checked_customers", "partitions", "prepare"]

Inputs = pd.DataFrame | Sequence[Any]


@dataclass(slots=True)
class Partition:
    """One currency's payments and open items (positions follow the ids)."""

    currency: str
    tx: pd.DataFrame
    inv: pd.DataFrame
    remits: pd.DataFrame | None


def _frame(x: Inputs, what: str) -> pd.DataFrame:
    if isinstance(x, pd.DataFrame):
        return x
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise ColumnError(
            f"{what} must be a DataFrame, a list of models or a list of dicts", file=what
        )
    if len(x) == 0:
        from rapprochement.matching.frames import INVOICE_COLUMNS, TRANSACTION_COLUMNS

        cols = TRANSACTION_COLUMNS if what == "transactions" else INVOICE_COLUMNS
        return pd.DataFrame({c: [] for c in cols})
    if all(isinstance(r, Mapping) for r in x):
        # rows as dicts: a frame of Python objects, read and checked like any other frame
        return pd.DataFrame.from_records(list(x)).astype(object)
    frame, _ = models_to_frame(list(x))
    return frame


def checked_customers(df: pd.DataFrame | None) -> pd.DataFrame | None:
    """``df`` (learned payers), refused when it lacks a column matching reads."""
    if df is None:
        return None
    missing = [c for c in ("customer_id", "iban", "name") if c not in df.columns]
    if missing:
        raise ColumnError(
            f"customers frame lacks column(s) {', '.join(missing)}",
            file="customers",
            hint="columns: customer_id, iban, name",
        )
    return df


def as_entities(
    inv: pd.DataFrame, customers: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The invoices (and learned payers) with the customer records that are one entity merged
    (:mod:`.entities`) for matching; ``record`` keeps each invoice's own customer id."""
    merged = entities(inv)
    if not merged:
        return inv, customers
    one = inv.assign(record=inv["customer_id"])
    one["customer_id"] = one["customer_id"].map(lambda c: merged.get(c, c))
    if customers is not None:
        customers = customers.assign(
            customer_id=customers["customer_id"].map(lambda c: merged.get(str(c), c))
        )
    return one, customers


def prepare(
    transactions: Inputs,
    invoices: Inputs,
    remittances: pd.DataFrame | None = None,
    *,
    dayfirst: bool | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Validated internal frames, sorted by id (see :mod:`.frames`)."""
    tx = prepare_transactions(_frame(transactions, "transactions"), dayfirst=dayfirst)
    inv = prepare_invoices(_frame(invoices, "invoices"), dayfirst=dayfirst)
    if remittances is not None and remittances.attrs.get("from_statements"):
        # lines of payments the rules took out are not advice for the ones left
        remittances = remittances[remittances["transaction_id"].isin(set(tx["transaction_id"]))]
    rem = prepare_remittances(remittances, tx) if remittances is not None else None
    tx = tx.sort_values("transaction_id", kind="stable").reset_index(drop=True)
    inv = inv.sort_values("invoice_id", kind="stable").reset_index(drop=True)
    if rem is not None:
        rem = rem.sort_values(["transaction_id", "reference", "amount", "memo"], kind="stable")
    return tx, inv, rem


def partitions(tx: pd.DataFrame, inv: pd.DataFrame, rem: pd.DataFrame | None) -> list[Partition]:
    """One partition per currency of the payments, with the open items of that currency."""
    out = []
    for ccy in sorted(set(tx["currency"].tolist())):
        t = _rows_where(tx, (tx["currency"] == ccy).to_numpy())
        i = _rows_where(inv, ((inv["currency"] == ccy) & (inv["open"] != 0)).to_numpy())
        r = None
        if rem is not None:
            ids = set(t["transaction_id"].tolist())  # (each a str: :func:`prepare`)
            r = rem[np.array([x in ids for x in rem["transaction_id"].tolist()], dtype=bool)]
        out.append(Partition(ccy, t, i, r))
    return out


def _rows_where(df: pd.DataFrame, mask: np.ndarray[Any, Any]) -> pd.DataFrame:
    """The rows of ``df`` where ``mask`` holds, renumbered (``df`` itself, not a copy, when
    every row does: one currency and no settled item is the common case at scale)."""
    if mask.all() and df.index.equals(pd.RangeIndex(len(df))):
        return df
    return df[mask].reset_index(drop=True)
