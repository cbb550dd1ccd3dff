"""A reference to another customer's invoice that does not fit is read as a typo.

Issue 12, class 2: a payer quotes F-0106, which is another customer's 40 000.00 invoice,
and pays 636.00; an open item of exactly 636.00, F-0107, is one character away from the
number quoted. Read as a part payment of F-0106 the allocation puts a wrong balance on a
customer who has not paid; read as a typo it settles the item that fits. The reading
"this payment settles the invoice it names, in part" is dropped from the hypotheses when

* the text names the invoice (a reference level from ``exact`` to ``transposed``; a
  checksummed reference is validated by its check digits and is never a typo),
* the amount does not settle it (any amount level but ``exact`` and ``stated``),
* the payer is not identified as that invoice's customer (no known IBAN, no exact or high
  name), and
* another candidate of the same payment, of another customer, fits the amount exactly, or
  is an item of the payer identified (a known IBAN, an exact or high name: the payer's own
  item paid in part, short of a fee or with an excess), and its number or reference is one
  edit away (a character changed, added, dropped, or two neighbours swapped) from the named
  invoice's. The more invoices a book has, the more numbers one edit from the payer's own
  are another customer's: a mistyped number then names an invoice that exists.

The other reading stays and is scored on its own evidence (with no reference and an unknown
payer, the amount-alone gate makes it a suggestion): the typo is never automatic against the
other customer. Nothing here depends on a number format: the edit distance is taken on the
numbers upper-cased without separators.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.edits import (
    MIN_LEN,
    deletions,
    key_of,
    keys_of,
    one_edit,
    typo_rows,
)
from rapprochement.matching.gc_pause import paused
from rapprochement.matching.keys import LEVELS

__all__ = ["MIN_LEN", "deletions", "drop_typo_readings", "key_of", "one_edit"]

_NAMING = frozenset(LEVELS[1:]) - {"none"}  # every reference level but checksum and none
_FITS = frozenset({"exact", "stated"})
_PAYER_IBAN = frozenset({"known", "collector"})
_PAYER_NAME = frozenset({"exact", "high"})


def _keys(inv: pd.DataFrame, positions: Any) -> dict[int, set[str]]:
    """The number and reference keys of the open items at ``positions`` (read once per item:
    a scalar read of an Arrow string column costs more than the comparison)."""
    at = np.unique(np.asarray(positions, dtype=np.int64))
    numbers = keys_of(inv["invoice_id"].iloc[at].tolist())
    if "reference" not in inv:  # (asked once, not per item)
        return {pos: {k} if k else set() for pos, k in zip(at.tolist(), numbers, strict=True)}
    refs = keys_of(inv["reference"].iloc[at].tolist())
    return {  # the non-empty keys (one set built per item)
        pos: ({k, r} if r else {k}) if k else ({r} if r else set())
        for pos, k, r in zip(at.tolist(), numbers, refs, strict=True)
    }


def _among(col: pd.Series, values: frozenset[str]) -> np.ndarray[Any, Any]:
    """``col.astype(str).isin(values)`` as an array, read on a categorical's categories (one
    test per category, not a string built per row)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        hit = [str(c) in values for c in col.cat.categories]
        # (a missing value, code -1, is in no set of level names)
        return np.array([*hit, False], dtype=bool)[col.cat.codes.to_numpy()]
    return col.astype(str).isin(values).to_numpy()


def _quoted(keys: set[str], text: str) -> set[str]:
    """The keys the payment's text quotes as they are (an invoice named by its payment
    reference is a typo of nothing its invoice number resembles); all of them when the text
    quotes none literally (a garbled number)."""
    said = {k for k in keys if k in text}
    return said or keys


@paused
def drop_typo_readings(
    singles: pd.DataFrame, inv: pd.DataFrame, tx: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``singles`` without the readings of a named invoice that are typos of another
    candidate's (see the module doc). ``tx``: the payments (their ``text``), so that only
    what the text quotes is compared."""
    if not len(singles):
        return singles
    payer = _among(singles["iban"], _PAYER_IBAN) | _among(singles["name"], _PAYER_NAME)
    suspect = _among(singles["reference"], _NAMING) & ~_among(singles["amount"], _FITS) & ~payer
    if not suspect.any():
        return singles
    # the readings a typo may be of: an exact amount, or an item of the identified payer
    fits = _among(singles["amount"], frozenset({"exact"})) | payer
    txs = singles["tx"].to_numpy()
    with_fit = set(txs[fits].tolist())
    suspect &= np.isin(txs, list(with_fit))
    if not suspect.any():
        return singles
    invs = singles["inv"].to_numpy()
    rows = np.flatnonzero(suspect)
    # the fitting readings of the suspects' payments, by payment
    fit = np.flatnonzero(fits & np.isin(txs, txs[rows]))
    fit = fit[np.argsort(txs[fit], kind="stable")]
    # customer codes of the readings compared (the others are never read)
    cust = np.full(len(singles), -1, dtype=np.int64)
    read = np.concatenate([rows, fit])
    cust[read] = pd.factorize(singles["customer_id"].iloc[read].astype(str).to_numpy())[0]
    keys = _keys(inv, np.concatenate([invs[rows], invs[fit]]))
    mine = [keys[i] for i in invs[rows].tolist()]
    if tx is not None and "text" in tx:  # only what the text quotes (each text keyed once)
        seen = np.unique(txs[rows])
        texts = dict(zip(seen.tolist(), map(key_of, tx["text"].iloc[seen].tolist()), strict=True))
        mine = [_quoted(m, texts[t]) for m, t in zip(mine, txs[rows].tolist(), strict=True)]

    def apart(s: Any, f: Any) -> Any:  # another customer's reading, of another item
        r, j = rows[s], fit[f]
        return (cust[r] != cust[j]) & (invs[r] != invs[j])

    drop = np.zeros(len(singles), dtype=bool)
    items, fit_item = np.unique(invs[fit], return_inverse=True)
    theirs = [keys[i] for i in items.tolist()]
    drop[rows] = typo_rows(mine, txs[rows], theirs, fit_item.ravel(), txs[fit], apart)
    if not drop.any():
        return singles
    out: pd.DataFrame = singles.loc[~drop].reset_index(drop=True)
    return out
