"""The reference-key index of a partition's invoices and the pairs it gives; the open-item
side of blocking (:class:`BlockIndex`).

:class:`KeyIndex` keeps every distinct key of the invoices (:mod:`.keys`) once, compactly,
with the invoices holding it; :func:`ref_pairs` looks the keys of every payment text up in it
(each distinct text once, the join done on integer codes in bounded chunks). A key held by
more than ``max_amount_bucket`` invoices only pairs at a strong level (checksum, exact,
normalized).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.executor import release_heap
from rapprochement.matching.key_bytes import encode, invoice_key_bytes, unique_bytes
from rapprochement.matching.keys import (
    LEVELS,
    expand,
    free_text_keys,
    invoice_key_arrays,
    text_key_codes,
    text_tokens,
)
from rapprochement.matching.linked_refs import linked_pairs

__all__ = ["BlockIndex", "KeyDict", "KeyIndex", "key_index", "lookup", "ref_pairs"]

STRONG = 3  # key levels below this are never dropped for a large bucket
_SWAPPED = LEVELS.index("transposed")
_LVL_SPAN = 8  # reference level codes are below this (packed with a pair key)
_CHUNK = 1 << 18  # text keys joined at once in :func:`ref_pairs`


KeyDict = dict[str, list[tuple[int, int]]]


class KeyIndex:
    """Reference keys of the invoices of one partition, built with vectorized string operations
    and kept compact: each distinct key once, as UTF-8 bytes in one sorted fixed-width array
    per byte length (exact lookups by binary search, no Python string or hash table kept; keys
    are a prefix and alphanumerics, never a NUL byte), and per key its invoice positions and
    levels in CSR arrays (``int32`` / ``int8``). A key's code is its rank in that order."""

    def __init__(self, inv: pd.DataFrame) -> None:
        # (the keys as bytes: no Python string per key held, :mod:`.key_bytes`)
        made = invoice_key_bytes(inv["invoice_id"], inv["reference"])
        raw_inv, raw_key, raw_lvl = made or invoice_key_arrays(inv["invoice_id"], inv["reference"])
        del made
        release_heap()  # (the slices' temporaries: not resident while the index is sorted)
        #: each invoice's number and printed reference: their digits confirm a ``transposed``
        #: pair as one swap (:func:`_swaps_only`, :meth:`digits_of`), read for those items only
        self.numbers = (inv["invoice_id"], inv["reference"])
        # each distinct key's code: its rank in byte order among the keys of its byte length
        # (the lengths ascending), the keys of a length sorted and made unique at once
        fixed, lens = encode(raw_key)
        del raw_key  # (the key strings: cut from their encoded bytes from now on)
        codes = np.empty(len(lens), dtype=np.int32 if len(lens) < 2**31 else np.int64)
        #: per byte length: the sorted keys of that length and the code of the first
        self.by_len: dict[int, tuple[np.ndarray[Any, Any], int]] = {}
        first = 0
        for length in np.unique(lens).tolist():
            where = np.flatnonzero(lens == length)
            arr, back = unique_bytes(fixed(where, length))
            codes[where] = first + back
            self.by_len[length] = (arr, first)
            first += len(arr)
        del fixed, lens
        # each key of an invoice once (:func:`invoice_key_frame`, on codes): its first row,
        # the strongest level, as a key's prefix gives its level (one level per code)
        pair = codes.astype(np.int64) * max(len(inv), 1) + raw_inv
        by = np.argsort(pair, kind="stable")
        pair = pair[by]
        head = np.ones(len(by), dtype=bool)
        head[1:] = pair[1:] != pair[:-1]
        del pair
        keep = np.sort(by[head])
        del by, head
        codes = codes[keep]
        inv_pos, lvl = raw_inv[keep], raw_lvl[keep]
        del raw_inv, raw_lvl, keep
        #: some invoice has a free reference (``F:`` key): texts are searched for them too
        #: (the first key from ``F:`` on in byte order starts with it if any does)
        self.has_free = any(
            (at := int(np.searchsorted(arr, b"F:"))) < len(arr) and arr[at][:2] == b"F:"
            for arr, _ in self.by_len.values()
        )
        order = np.argsort(codes, kind="stable")  # invoice-frame order within a key
        #: number of invoices holding each key, and where its invoices start in :attr:`inv`
        #: (32-bit: 29 MiB for the 3.8 million keys of 634 000 open items, not 58)
        wide = np.int32 if len(codes) < 2**31 else np.int64
        self.n = np.bincount(codes, minlength=first).astype(wide)
        self.start = (np.cumsum(self.n) - self.n).astype(wide)
        self.inv = inv_pos[order].astype(np.int32)
        self.lvl = lvl[order].astype(np.int8)

    def digits_of(self, items: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], ...]:
        """The digits of the numbers and of the printed references of the invoices at
        positions ``items`` (ASCII bytes, ``b""`` for none)."""
        ids, refs = self.numbers
        return _digit_bytes(ids.iloc[items]), _digit_bytes(refs.iloc[items])

    def codes(self, keys: Any) -> np.ndarray[Any, Any]:
        """Code of each key string (-1 when no invoice holds it)."""
        fixed, lens = encode(keys)
        out = np.full(len(lens), -1, dtype=np.int64)
        for length in np.unique(lens).tolist():
            got = self.by_len.get(length)
            if got is None:
                continue
            arr, first = got
            where = np.flatnonzero(lens == length)
            q = fixed(where, length)
            pos = np.minimum(np.searchsorted(arr, q), len(arr) - 1)
            hit = arr[pos] == q
            out[where[hit]] = first + pos[hit]
        return out

    def subset(self, keys: set[str]) -> KeyDict:
        """Key → [(invoice position, level)] for the given keys only."""
        wanted = sorted(keys)
        code = self.codes(wanted)
        out: KeyDict = defaultdict(list)
        for k, c in zip(wanted, code.tolist(), strict=True):
            if c >= 0:
                s, e = int(self.start[c]), int(self.start[c] + self.n[c])
                out[k].extend(zip(self.inv[s:e].tolist(), self.lvl[s:e].tolist(), strict=True))
        return out


def _digit_bytes(values: pd.Series) -> np.ndarray[Any, Any]:
    """The digits of each value as ASCII bytes (``b""`` for none or a missing value)."""
    digits = values.astype(object).fillna("").astype(str).str.replace(r"[^0-9]+", "", regex=True)
    return np.asarray(digits.to_numpy(dtype=object).astype("S"))


def key_index(inv: pd.DataFrame) -> KeyIndex:
    """The :class:`KeyIndex` of a partition's invoices."""
    return KeyIndex(inv)


def lookup(index: KeyDict, keys: dict[str, int], config: MatchConfig) -> dict[int, int]:
    """Invoice position → best reference level for the keys of one text."""
    out: dict[int, int] = {}
    for k, lt in keys.items():
        hits = index.get(k)
        if not hits:
            continue
        large = len(hits) > config.max_amount_bucket
        if large and lt >= STRONG:
            continue  # (every level of the key is weak: none kept)
        for i, li in hits:
            lvl = max(lt, li)
            if large and lvl >= STRONG:
                continue
            if out.get(i, 99) > lvl:
                out[i] = lvl
    return out


def ref_pairs(
    tx: pd.DataFrame,
    inv: pd.DataFrame,
    config: MatchConfig,
    index: KeyIndex,
    linked: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]] | None = None,
) -> pd.DataFrame:
    """``tx, inv, ref`` sorted by ``tx, inv``: pairs sharing a key, with the strongest level
    (a key held by more than ``max_amount_bucket`` invoices only pairs at a strong level, or
    with the items of a customer the payment is linked to: ``linked``, see
    :func:`.linked_refs.linked_pairs`)."""
    tokens_of: dict[str, list[str]] = {}  # each text's tokens, read again by _swaps_only
    # distinct texts in first-seen order, as ``text_code`` numbers them
    free = free_text_keys(pd.unique(tx["text"].to_numpy())) if index.has_free else None
    # distinct texts → key codes, the strongest level of each (keys no invoice holds dropped)
    text_code, (u_row, u_code, u_lt) = text_key_codes(tx["text"], index.codes, tokens_of, free)
    del free
    n = index.n[u_code]
    use = (n <= config.max_amount_bucket) | (u_lt < STRONG)  # else every level is weak
    # the payments of each distinct text
    t_order = np.argsort(text_code, kind="stable")
    t_count = np.bincount(text_code, minlength=int(text_code.max(initial=-1)) + 1)
    n_inv = max(len(inv), 1)
    parts_key: list[np.ndarray[Any, Any]] = []
    parts_lvl: list[np.ndarray[Any, Any]] = []
    if linked is not None:
        lt, li, ll = linked_pairs(
            u_row[~use],
            u_code[~use],
            u_lt[~use],
            (t_order, t_count),
            index,
            linked,
            config.max_amount_bucket,
        )
        parts_key.append(lt * n_inv + li)
        parts_lvl.append(ll)
    u_row, u_code, u_lt = u_row[use], u_code[use], u_lt[use].astype(np.int8)
    for lo in range(0, len(u_row), _CHUNK):  # bounded memory: a slice of the text keys at once
        r, c, lt = u_row[lo : lo + _CHUNK], u_code[lo : lo + _CHUNK], u_lt[lo : lo + _CHUNK]
        # text key × invoices holding it
        pos = expand(index.start, index.n, c)
        rep = index.n[c]
        lvl = np.maximum(np.repeat(lt, rep), index.lvl[pos])
        keep = (np.repeat(index.n[c], rep) <= config.max_amount_bucket) | (lvl < STRONG)
        pos, lvl, rr = pos[keep], lvl[keep], np.repeat(r, rep)[keep]
        # × the payments with that text
        tpos = t_order[expand(np.cumsum(t_count) - t_count, t_count, rr)]
        rep = t_count[rr]
        parts_key.append(tpos * n_inv + np.repeat(index.inv[pos].astype(np.int64), rep))
        parts_lvl.append(np.repeat(lvl.astype(np.int64), rep))
    key = np.concatenate(parts_key) if parts_key else np.zeros(0, dtype=np.int64)
    lvl = np.concatenate(parts_lvl) if parts_lvl else np.zeros(0, dtype=np.int64)
    both = np.sort(key * _LVL_SPAN + lvl)  # by pair, strongest level first
    key = both // _LVL_SPAN
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key = key[first]
    out = pd.DataFrame({"tx": key // n_inv, "inv": key % n_inv, "ref": both[first] % _LVL_SPAN})
    return _swaps_only(out, tx, index, tokens_of)


_NOT_DIGIT = re.compile(r"[^0-9]+")


@lru_cache(maxsize=1 << 16)
def _swapped(b: str) -> frozenset[str]:
    """Every ``a`` with :func:`.gates.one_swap` ``(a, b)``: ``b`` with two adjacent differing
    characters exchanged (cached: a worker's shards ask for the same invoices' numbers)."""
    return frozenset(
        {b[:k] + b[k + 1] + b[k] + b[k + 2 :] for k in range(len(b) - 1) if b[k] != b[k + 1]}
    )


def _swaps_only(
    pairs: pd.DataFrame,
    tx: pd.DataFrame,
    index: KeyIndex,
    tokens_of: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """``pairs`` without the ``transposed`` ones that are no transposition: the sorted-digits
    key (``S:``) only says a number of the text has the invoice's digits in some order
    (``DESC DATE:261013`` and invoice ``101362``); it names the invoice only when one such
    number is the invoice's number (or printed reference) with exactly two adjacent digits
    exchanged (:func:`.gates.one_swap`). ``tokens_of``: the texts' tokens already read
    (:func:`.keys.text_tokens`), by text."""
    known = tokens_of or {}
    weak = np.flatnonzero(pairs["ref"].to_numpy() == _SWAPPED)
    if not len(weak):
        return pairs
    texts = tx["text"].to_numpy(dtype=object)
    tx_at, inv_at = pairs["tx"].to_numpy()[weak], pairs["inv"].to_numpy()[weak]
    # each invoice's numbers with two adjacent differing digits exchanged, once: the numbers
    # ``a`` with ``one_swap(a, b)`` for its number or reference ``b`` (:func:`_swapped`)
    items = np.unique(inv_at)
    ids, refs = index.digits_of(items)
    own: dict[int, frozenset[str]] = {
        i: _swapped(a.decode()) | _swapped(b.decode())
        for i, a, b in zip(items.tolist(), ids.tolist(), refs.tolist(), strict=True)
    }
    numbers: dict[int, set[str]] = {}  # per payment, its numbers' digits
    drop = []
    for row, t, i in zip(weak.tolist(), tx_at.tolist(), inv_at.tolist(), strict=True):
        said = numbers.get(t)
        if said is None:
            text = str(texts[t])
            toks = known.get(text)
            said = numbers[t] = {
                _NOT_DIGIT.sub("", x) for x in (text_tokens(text)[1] if toks is None else toks)
            }
        if own[i].isdisjoint(said):
            drop.append(row)
    if not drop:
        return pairs
    return pairs.drop(index=pairs.index[drop]).reset_index(drop=True)


class BlockIndex:
    """The open-item side of blocking, built once per partition and read by every payment
    shard (:class:`~rapprochement.matching.shards.InvoiceSide`): customer codes, the open
    amounts' buckets and each payer's items by due date. A shard's blocking then costs what
    its payments cost, not a pass over every open item."""

    def __init__(self, inv: pd.DataFrame, config: MatchConfig) -> None:
        self.n_inv = len(inv)
        ids = inv["customer_id"].to_numpy(dtype=object)
        ccode, cust = pd.factorize(ids)
        #: customer code of each item, the customers (codes are positions), their ids per item
        #: (one string per customer, not per item: ~100 MiB fewer at 2.1M items)
        self.ccode = ccode.astype(np.int64)
        self.cust = pd.Index(cust, dtype=object)
        self.cust_ids = ids if (ccode < 0).any() else np.asarray(cust, dtype=object)[ccode]
        del ids
        self.due, self.opens = inv["due_day"].to_numpy(), inv["open"].to_numpy()
        # exact open amounts held by at most ``max_amount_bucket`` items (:func:`_amount_pairs`)
        vals, code, counts = np.unique(self.opens, return_inverse=True, return_counts=True)
        ok = counts[code] <= config.max_amount_bucket
        self.amount_items = np.flatnonzero(ok)[np.argsort(code[ok], kind="stable")]
        self.amount_vals = vals
        self.amount_n = np.where(counts <= config.max_amount_bucket, counts, 0)
        self.amount_start = np.cumsum(self.amount_n) - self.amount_n
        # each payer's items due first, at most ``max_customer_items`` (:func:`_customer_pairs`)
        order = np.lexsort((self.due, self.ccode))  # per customer, due then position (stable)
        per = np.bincount(self.ccode, minlength=int(self.ccode.max(initial=-1)) + 1)
        first = np.cumsum(per) - per
        rank = np.arange(self.n_inv) - first[self.ccode[order]]
        self.kept = order[rank < config.max_customer_items]
        self.n_kept = np.minimum(per, config.max_customer_items)
        self.kept_start = np.cumsum(self.n_kept) - self.n_kept
