"""The open-item side of the grouped-payment search (:class:`GroupIndex`): built once per
partition, read by every payment shard."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["GroupIndex", "TextColumn"]


class _Items(Mapping[Any, list[int]]):
    """Payer → its open items by (due, position), read off one sorted array of every item
    (``order``, payer code ``c`` at ``order[bounds[c]:bounds[c+1]]``) as a fresh list: no
    Python list nor int per item kept, none for a forked worker to copy by touching it. A
    payer with none reads as an empty list (a read-only view: unlike a ``defaultdict``,
    reading never adds an entry to the shared index)."""

    def __init__(
        self, code_of: dict[Any, int], order: np.ndarray[Any, Any], bounds: np.ndarray[Any, Any]
    ) -> None:
        self._code_of, self._order, self._bounds = code_of, order, bounds

    def run(self, key: Any) -> np.ndarray[Any, Any]:
        """Payer ``key``'s items as an array view (empty when it has none)."""
        code = self._code_of.get(key)
        if code is None:
            return self._order[:0]
        return self._order[self._bounds[code] : self._bounds[code + 1]]

    def __getitem__(self, key: Any) -> list[int]:
        out: list[int] = self.run(key).tolist()
        return out

    def __contains__(self, key: object) -> bool:
        return key in self._code_of

    def __iter__(self) -> Iterator[Any]:
        return iter(self._code_of)

    def __len__(self) -> int:
        return len(self._code_of)


class TextColumn:
    """A column of strings read at some positions: an Arrow string column's values read
    where asked, one Python string per value read (``col.to_numpy()`` would make one per
    row: at 2.1M open items, two columns of them cost a forked worker ~190 MiB of its own),
    or the column's NumPy values when it is not all Arrow strings."""

    def __init__(self, col: pd.Series) -> None:
        arr: Any = None
        if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
            got = pa.array(col.array)
            arr = got.combine_chunks() if isinstance(got, pa.ChunkedArray) else got
        self._arrow: pa.Array | None = arr if arr is not None and arr.null_count == 0 else None
        self._values = None if self._arrow is not None else col.to_numpy()

    def __getitem__(self, k: int) -> Any:
        """The value at position ``k`` (an integer: :meth:`take` reads several)."""
        k = operator.index(k)
        if self._arrow is not None:
            return self._arrow[k].as_py()
        assert self._values is not None
        return self._values[k]

    def __len__(self) -> int:
        if self._arrow is not None:
            return len(self._arrow)
        assert self._values is not None
        return len(self._values)

    def take(self, at: Any) -> list[Any]:
        """The values at the positions ``at`` (a sequence of ints), in that order."""
        if self._arrow is not None:
            out: list[Any] = self._arrow.take(pa.array(np.asarray(at, dtype=np.int64))).to_pylist()
            return out
        assert self._values is not None
        got: list[Any] = self._values[np.asarray(at, dtype=np.int64)].tolist()
        return got


def _last_names(ids: pd.Series, names: pd.Series) -> dict[str, str]:
    """``dict(zip(ids, names))`` read off each customer's first and last rows only (not a
    Python pair per open item: 4.2x the time for 3x the book)."""
    last = ~ids.duplicated(keep="last").to_numpy()
    name_of = dict(zip(ids[last].tolist(), names[last].tolist(), strict=True))
    return {c: name_of[c] for c in ids[~ids.duplicated(keep="first").to_numpy()].tolist()}


class GroupIndex:
    """The open-item side of the group search, built once per partition and read by every
    payment shard (:class:`~rapprochement.matching.shards.InvoiceSide`): the items' arrays,
    each payer's items by due date, customer codes and names, the payers that have a credit
    note open. A shard then costs what its payments cost, not a pass over every open item."""

    def __init__(self, inv: pd.DataFrame) -> None:
        self.open = inv["open"].to_numpy()
        self.issue = inv["issue_day"].to_numpy()
        self.due = inv["due_day"].to_numpy()
        ccode, cnames = pd.factorize(inv["customer_id"].to_numpy(), use_na_sentinel=False)
        #: each item's customer: one string per customer, not per item (2.1M items at 1M
        #: payments: ~130 MiB fewer in the driver, and fewer pages a forked worker copies by
        #: reading them)
        self.cust = np.asarray(cnames, dtype=object)[ccode]
        assert len(cnames) < 2**31, "customer codes overflow int32"
        #: customer code of each open item, and the code of each customer
        self.ccode: np.ndarray[Any, Any] = ccode.astype(np.int32)
        self.code_of: dict[Any, int] = {c: k for k, c in enumerate(cnames)}
        # each payer's items by (due, position): one sort of every item, split per payer
        order = np.lexsort((np.arange(len(ccode)), self.due, ccode))
        bounds = np.flatnonzero(np.diff(ccode[order])) + 1
        bounds = np.concatenate(([0], bounds, [len(order)])).astype(np.int64)
        self.items = _Items(self.code_of, order, bounds)
        #: payers with an open credit note (netted with their invoices)
        self.netting: set[Any] = set(pd.unique(self.cust[self.open < 0]).tolist())
        #: customer → its name (the last item's), customers in order of their first item
        self.cust_names: dict[str, str] = _last_names(inv["customer_id"], inv["customer_name"])
        self._inv = inv

    def payer_items(self, cust: Any) -> np.ndarray[Any, Any]:
        """The open items of payer ``cust`` by (due, position), as an array (a view: the same
        items as ``items[cust]``; none when the payer has no open item)."""
        return self.items.run(cust)

    @cached_property
    def by_amount(self) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """The items' absolute open amounts sorted, and the items in that order (stable):
        the items of one amount are a run of both (:class:`.advice_typos.AmountIndex`)."""
        size = np.abs(np.asarray(self.open, dtype=np.int64))
        order = np.argsort(size, kind="stable")
        return size[order], order

    @cached_property
    def numbers(self) -> tuple[TextColumn, TextColumn]:
        """The items' invoice numbers and printed references (:class:`TextColumn`: read
        where asked, no Python string per item made in each worker)."""
        return TextColumn(self._inv["invoice_id"]), TextColumn(self._inv["reference"])
