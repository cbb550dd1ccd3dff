"""Weak references of a crowded key, kept for the payer the payment is linked to.

:func:`.refindex.ref_pairs` drops a weak key (digits, tail, transposed digits) that more than
``max_amount_bucket`` invoices hold: in a large book the sorted digits of ``FA-2026-003986``
are held by every invoice numbered with those digits in any order, and pairing them all would
name dozens of strangers. The more invoices a book has, the more keys are crowded so, and a
payer's own invoice written with two digits swapped (``FA-2026-003986`` for its
``FA-2026-003968``) is then no candidate at all: the payment goes to the stranger whose number
it happens to spell. Among the invoices of such a key, those of a customer the payment is
linked to (its IBAN, name or quoted customer number: :mod:`.payer_links`) are kept: a few
items, read at the key's weak level.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.keys import expand

__all__ = ["linked_pairs"]

#: a key held by more invoices than this many times the bucket limit is not read at all
_CROWD = 40


def linked_pairs(
    rows: np.ndarray[Any, Any],
    codes: np.ndarray[Any, Any],
    levels: np.ndarray[Any, Any],
    payments: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]],
    index: Any,
    linked: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]],
    limit: int,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``tx, inv, level`` of the dropped weak text keys (``rows``: distinct-text row, ``codes``:
    key code, ``levels``: the text's level) whose invoices belong to a customer the payment is
    linked to. ``payments``: ``(t_order, t_count)``, the payments of each distinct text;
    ``index``: the :class:`.refindex.KeyIndex`; ``linked``: ``(l_t, l_c, ccode)``, the links as
    payment and customer codes and each invoice's customer code."""
    l_t, l_c, ccode = linked
    empty = np.zeros(0, dtype=np.int64)
    keep = index.n[codes] <= limit * _CROWD
    rows, codes, levels = rows[keep], codes[keep], levels[keep]
    if not len(rows) or not len(l_t):
        return empty, empty, empty
    t_order, t_count = payments
    tpos = t_order[expand(np.cumsum(t_count) - t_count, t_count, rows)]
    rep = t_count[rows]
    text = pd.DataFrame(
        {"t": tpos, "k": np.repeat(codes, rep), "lt": np.repeat(levels, rep).astype(np.int64)}
    )
    text = text.merge(pd.DataFrame({"t": l_t, "c": l_c}), on="t")
    if not len(text):
        return empty, empty, empty
    ucodes = np.unique(text["k"].to_numpy())
    pos = expand(index.start, index.n, ucodes)
    inv = index.inv[pos].astype(np.int64)
    held = pd.DataFrame(
        {
            "k": np.repeat(ucodes, index.n[ucodes]),
            "c": ccode[inv],
            "inv": inv,
            "li": index.lvl[pos].astype(np.int64),
        }
    )
    got = text.merge(held, on=["k", "c"])
    lvl = np.maximum(got["lt"].to_numpy(), got["li"].to_numpy())
    return got["t"].to_numpy(), got["inv"].to_numpy(), lvl
