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
    typo_ids,
)
from rapprochement.matching.gc_pause import paused
from rapprochement.matching.keys import LEVELS
from rapprochement.matching.rank_counts import sorted_unique

__all__ = ["MIN_LEN", "deletions", "drop_typo_readings", "key_of", "one_edit"]

Array = np.ndarray[Any, Any]

_NAMING = frozenset(LEVELS[1:]) - {"none"}  # every reference level but checksum and none
_FITS = frozenset({"exact", "stated"})
_PAYER_IBAN = frozenset({"known", "collector"})
_PAYER_NAME = frozenset({"exact", "high"})


def _key_ids(inv: pd.DataFrame, at: Any) -> tuple[list[str], Array, Array, Array, Array]:
    """The number and reference keys of the open items at positions ``at`` (read once per
    item: a scalar read of an Arrow string column costs more than the comparison): the
    distinct keys (``vocab``), then per item its number key and reference key (``""`` when
    empty), and their ids into ``vocab`` (-1: shorter than :data:`MIN_LEN`, never compared,
    or a reference equal to the number: an item's keys are a set)."""
    num = np.array(keys_of(inv["invoice_id"].iloc[at].tolist()), dtype=object)
    if "reference" in inv:  # (asked once, not per item)
        ref = np.array(keys_of(inv["reference"].iloc[at].tolist()), dtype=object)
    else:
        ref = np.full(len(at), "", dtype=object)
    codes, uniq = pd.factorize(np.concatenate([num, ref]))
    vocab: list[str] = uniq.tolist()
    long_ = np.array([len(k) >= MIN_LEN for k in vocab], dtype=bool)
    n_id = np.where(long_[codes[: len(at)]], codes[: len(at)], -1)
    r_id = np.where(long_[codes[len(at) :]] & (ref != num), codes[len(at) :], -1)
    return vocab, num, ref, n_id.astype(np.int64), r_id.astype(np.int64)


def _id_lists(a: Array, b: Array) -> tuple[Array, Array, Array]:
    """Rows of at most two key ids (``a``, ``b``; -1 for none) as starts, counts and ids."""
    ids = np.stack([a, b], axis=1)
    ok = ids >= 0
    counts = ok.sum(axis=1).astype(np.int64)
    return np.cumsum(counts) - counts, counts, ids[ok]


def _within(keys: list[str], texts: list[str]) -> Array:
    """Whether each key occurs in the text beside it."""
    return np.fromiter(map(str.__contains__, texts, keys), dtype=bool, count=len(keys))


def _among(col: pd.Series, values: frozenset[str]) -> np.ndarray[Any, Any]:
    """``col.astype(str).isin(values)`` as an array, read on a categorical's categories (one
    test per category, not a string built per row)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        hit = [str(c) in values for c in col.cat.categories]
        # (a missing value, code -1, is in no set of level names)
        return np.array([*hit, False], dtype=bool)[col.cat.codes.to_numpy()]
    return col.astype(str).isin(values).to_numpy()


def _customer_codes(col: pd.Series, read: Array) -> Array:
    """Codes of the customer ids ``col`` at rows ``read`` (equal codes: equal ids): the
    codes of a categorical column as they are (no string built per row), else the ids'
    strings factorized."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        out: Array = col.cat.codes.to_numpy()[read].astype(np.int64)
        return out
    return pd.factorize(col.iloc[read].astype(str).to_numpy())[0]


@paused
def drop_typo_readings(
    singles: pd.DataFrame,
    inv: pd.DataFrame,
    tx: pd.DataFrame | None = None,
    *,
    release: bool = False,
) -> pd.DataFrame:
    """``singles`` without the readings of a named invoice that are typos of another
    candidate's (see the module doc). ``tx``: the payments (their ``text``), so that only
    what the text quotes is compared. ``release``: the caller gives ``singles`` up (it is
    emptied when rows are dropped: each column is freed once its kept rows are copied, so
    that the frame is never held twice)."""
    drop = _typo_rows(singles, inv, tx)
    if drop is None:
        return singles
    keep = ~drop
    if not release:
        out: pd.DataFrame = singles.loc[keep].reset_index(drop=True)
        return out
    cols: dict[Any, pd.Series] = {}
    for c in list(singles.columns):
        cols[c] = singles.pop(c)[keep].reset_index(drop=True)
    return pd.DataFrame(cols, copy=False)


def _typo_rows(singles: pd.DataFrame, inv: pd.DataFrame, tx: pd.DataFrame | None) -> Array | None:
    """Which rows of ``singles`` :func:`drop_typo_readings` drops (None: none)."""
    if not len(singles):
        return None
    payer = _among(singles["iban"], _PAYER_IBAN) | _among(singles["name"], _PAYER_NAME)
    suspect = _among(singles["reference"], _NAMING) & ~_among(singles["amount"], _FITS) & ~payer
    if not suspect.any():
        return None
    # the readings a typo may be of: an exact amount, or an item of the identified payer
    fits = _among(singles["amount"], frozenset({"exact"})) | payer
    del payer
    txs = singles["tx"].to_numpy()
    suspect &= np.isin(txs, sorted_unique(txs[fits]))
    if not suspect.any():
        return None
    invs = singles["inv"].to_numpy()
    rows = np.flatnonzero(suspect)
    # the fitting readings of the suspects' payments, by payment
    fit = np.flatnonzero(fits & np.isin(txs, txs[rows]))
    fit = fit[np.argsort(txs[fit], kind="stable")]
    # customer codes of the readings compared (the others are never read)
    cust = _customer_codes(singles["customer_id"], np.concatenate([rows, fit]))
    cust_rows, cust_fit = cust[: len(rows)], cust[len(rows) :]
    del cust
    at = sorted_unique(np.concatenate([invs[rows], invs[fit]]))
    vocab, num, ref, n_id, r_id = _key_ids(inv, at)
    mine = np.searchsorted(at, invs[rows])  # each suspect's item
    use_n, use_r = num[mine] != "", (ref[mine] != "") & (ref[mine] != num[mine])
    if tx is not None and "text" in tx:  # only what the text quotes (each text keyed once)
        seen = sorted_unique(txs[rows])
        texts = dict(zip(seen.tolist(), keys_of(tx["text"].iloc[seen].tolist()), strict=True))
        said = [texts[t] for t in txs[rows].tolist()]
        # the keys the payment's text quotes as they are (an invoice named by its payment
        # reference is a typo of nothing its invoice number resembles); all of them when the
        # text quotes none literally (a garbled number)
        q_n = use_n & _within(num[mine].tolist(), said)
        q_r = use_r & _within(ref[mine].tolist(), said)
        quoted = q_n | q_r
        use_n, use_r = np.where(quoted, q_n, use_n), np.where(quoted, q_r, use_r)
    m_ids = _id_lists(np.where(use_n, n_id[mine], -1), np.where(use_r, r_id[mine], -1))

    def apart(s: Any, f: Any) -> Any:  # another customer's reading, of another item
        return (cust_rows[s] != cust_fit[f]) & (invs[rows[s]] != invs[fit[f]])

    drop = np.zeros(len(singles), dtype=bool)
    items, fit_item = np.unique(invs[fit], return_inverse=True)
    their = np.searchsorted(at, items)
    theirs = _id_lists(n_id[their], r_id[their])
    drop[rows] = typo_ids(vocab, m_ids, txs[rows], theirs, fit_item.ravel(), txs[fit], apart)
    return drop if drop.any() else None
