"""Blocking: candidate (payment, invoice) pairs through indexes, never all pairs.

Blocks, each an index lookup: reference keys (:mod:`.keys`, :mod:`.refindex`; checksummed
references, invoice numbers and their garbled forms, end-to-end ids), counterparty IBAN →
customer (invoices' ``customer_iban`` and the learned ``customers`` frame), payer name →
customer (token-prefix index, then rapidfuzz), exact open amount. A payment paired with a
customer is paired with that customer's open items (at most ``max_customer_items``). Works on
one currency partition, on integer pair keys (``tx * len(inv) + inv``) and in bounded chunks:
no per-pair Python object. Who is who (:class:`CustomerIndex`) lives in :mod:`.customer_index`
and is re-exported here.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.customer_index import CustomerIndex
from rapprochement.matching.keys import LEVELS, expand, normalize_name
from rapprochement.matching.legal_forms import cap_moved_forms, cap_namesakes
from rapprochement.matching.name_words import cap_common_words
from rapprochement.matching.payer_links import customer_links
from rapprochement.matching.rank_counts import sorted_unique
from rapprochement.matching.refindex import (
    BlockIndex,
    KeyDict,
    KeyIndex,
    key_index,
    lookup,
    ref_pairs,
)
from rapprochement.matching.siblings import even_share

__all__ = [
    "BlockIndex",
    "CustomerIndex",
    "KeyDict",
    "KeyIndex",
    "candidate_pairs",
    "customer_column",
    "customer_links",
    "key_index",
    "lookup",
]

_NONE = len(LEVELS) - 1
_PARTIAL_ITEMS = 8  # a payer's items a payment may partly pay, nearest due first
_PAIR_CHUNK = 1 << 20  # payer × item pairs screened at once in :func:`_customer_pairs`


def _amount_pairs(tx: pd.DataFrame, block: BlockIndex) -> np.ndarray[Any, Any]:
    """Pair keys (``tx * len(inv) + inv``) of payments equal to an open amount held by at most
    ``max_amount_bucket`` invoices."""
    vals, i_sorted = block.amount_vals, block.amount_items
    small, start = block.amount_n, block.amount_start
    amt = tx["amount"].to_numpy()
    p = np.clip(np.searchsorted(vals, amt), 0, max(len(vals) - 1, 0))
    t = np.flatnonzero((vals[p] == amt) & (small[p] > 0)) if len(vals) else np.zeros(0, np.int64)
    c = p[t]
    i = i_sorted[expand(start, small, c)]
    key: np.ndarray[Any, Any] = np.repeat(t.astype(np.int64), small[c]) * block.n_inv + i
    return key


def _customer_pairs(
    tx: pd.DataFrame,
    link_t: np.ndarray[Any, Any],
    link_c: np.ndarray[Any, Any],
    block: BlockIndex,
    config: MatchConfig,
) -> np.ndarray[Any, Any]:
    """Pair keys of the payer's open items that could be this payment alone: amount equal or
    near (fee, discount, a little over), 2-4 times as large (an instalment), or larger (a
    partial payment) among the ``_PARTIAL_ITEMS`` items due nearest the payment.

    ``link_t, link_c``: the payer links (payment position, customer code of ``block``), in
    link order; a payer's items are taken due date first (at most ``max_customer_items``),
    ties of distance broken in that order."""
    due, n_inv = block.due, block.n_inv
    kept, n_kept, start = block.kept, block.n_kept, block.kept_start
    amounts, days = tx["amount"].to_numpy(), tx["day"].to_numpy()
    opens, fee = block.opens, int(config.fee_max * 100)
    # chunks of whole payments (links are in payment order), a bounded number of pairs each
    size = np.cumsum(n_kept[link_c])
    out: list[np.ndarray[Any, Any]] = []
    lo = 0
    while lo < len(link_t):
        hi = int(np.searchsorted(size, (size[lo - 1] if lo else 0) + _PAIR_CHUNK, "right"))
        hi = max(hi, lo + 1)
        hi = int(np.searchsorted(link_t, link_t[hi - 1], "right"))  # whole payments only
        t = np.repeat(link_t[lo:hi], n_kept[link_c[lo:hi]])
        i = kept[expand(start, n_kept, link_c[lo:hi])]
        amt, opn = amounts[t], opens[i]
        a, o = np.abs(amt), np.abs(opn)
        same = np.sign(amt) == np.sign(opn)
        near = np.abs(o - a) <= np.maximum(o * 4 // 100, fee)
        # a partial payment: rank by due-date distance within the payment, ties in pair order
        part = np.flatnonzero(same & (a < o))
        pt = t[part]
        dist = np.abs(due[i[part]] - days[pt])
        by = np.argsort(pt * (int(dist.max(initial=0)) + 1) + dist, kind="stable")
        new_t = np.ones(len(part), dtype=bool)
        new_t[1:] = pt[by][1:] != pt[by][:-1]
        first_of = np.maximum.accumulate(np.where(new_t, np.arange(len(part)), 0))
        rank = np.empty(len(part), dtype=np.int64)
        rank[by] = np.arange(len(part)) - first_of + 1
        keep = same & near
        keep[part[rank <= _PARTIAL_ITEMS]] = True
        # one of 2-4 equal parts of the item (an instalment plan), however far it is due
        keep |= same & even_share(a, o)
        # the payer's one open item, smaller than the payment (up to 1.5 times): paid with an
        # excess on account
        n_of = n_kept[link_c[lo:hi]]
        keep |= same & (o < a) & (2 * a <= 3 * o) & (np.repeat(n_of, n_of) == 1)
        out.append(t[keep].astype(np.int64) * n_inv + i[keep])
        lo = hi
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def candidate_pairs(
    tx: pd.DataFrame,
    inv: pd.DataFrame,
    idx: CustomerIndex,
    keys: KeyIndex,
    config: MatchConfig,
    block: BlockIndex | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidate pairs of one currency partition (or payment shard: ``block``, the open-item
    side built once, :class:`BlockIndex`) and the payer → customer links.

    Returns:
        pairs: ``tx, inv`` (positions in the partition frames, sorted), ``ref`` (level code in
        :data:`~rapprochement.matching.keys.LEVELS`), ``customer_id``, ``iban`` (0 known payer
        IBAN of this customer, 1 IBAN known for another customer only, 2 no information),
        ``name_sim``, ``third_party`` and ``iban_customers`` (with ``iban`` 0: how many
        customers that IBAN is known for; else 0).
        links: the output of :func:`customer_links`.
    """
    names = tx["name"].tolist()  # read once (no Arrow scalar per row)
    norm = {n: normalize_name(n) for n in set(names)}  # each distinct payer name once
    links = customer_links(tx, idx, config, norm)
    block = block or BlockIndex(inv, config)
    n_inv, ccode, cust = block.n_inv, block.ccode, block.cust
    n_c = max(len(cust), 1)
    l_code = cust.get_indexer(links["customer_id"].to_numpy(dtype=object))
    has_items = l_code >= 0  # a payer with no open item here pairs with nothing
    l_t = links["tx"].to_numpy()[has_items].astype(np.int64)
    l_c = l_code[has_items].astype(np.int64)
    l_iban = links["iban_link"].to_numpy(dtype=bool)[has_items]
    # a weak key too many invoices hold still pairs the payer's own items (.linked_refs)
    ref = ref_pairs(tx, inv, config, keys, (l_t, l_c, ccode))
    ref_key = ref["tx"].to_numpy() * n_inv + ref["inv"].to_numpy()
    key = sorted_unique(
        np.concatenate(
            [
                ref_key,
                _amount_pairs(tx, block),
                _customer_pairs(tx, l_t, l_c, block, config),
            ]
        )
    )
    t, i = key // n_inv, key % n_inv
    ref_lvl = np.full(len(key), _NONE, dtype=np.int64)
    found = _positions(ref_key, key)
    ref_lvl[found >= 0] = ref["ref"].to_numpy()[found[found >= 0]]
    c = ccode[i]
    link_key = l_t * n_c + l_c
    lorder = np.argsort(link_key, kind="stable")
    lfound = _positions(link_key[lorder], t * n_c + c)
    link = np.zeros(len(key), dtype=bool)
    link[lfound >= 0] = l_iban[lorder][lfound[lfound >= 0]]
    # an IBAN paying for many customers says nothing about which (see customer_links); one a
    # third party paid from for another customer (a learned parent, factor, accountant) says
    # nothing against this one: only a customer's own account is evidence of another payer
    shared = config.max_iban_customers
    ibans = tx["iban"].tolist()  # read once (no Arrow scalar per row)
    known = np.array(
        [
            bool(b) and b in idx.own_ibans and 0 < len(idx.by_iban.get(b, ())) <= shared
            for b in ibans
        ],
        dtype=bool,
    )
    # a payer that quoted its customer number is identified: another customer's item is
    # another payer's, as with a customer's own IBAN
    by_number = links["tx"].to_numpy()[links["by_number"].to_numpy(dtype=bool)]
    known[by_number] = True
    iban = np.where(link, 0, np.where(known[t], 1, 2)).astype(np.int64)
    # how many customers the payer's IBAN is known for (a factor, a parent, a payment agent
    # paying for several): it names one of them, not which (``iban_customers``); a payer
    # that quoted its customer number named one
    n_cust = np.array([len(idx.by_iban.get(b, ())) if b else 0 for b in ibans], np.int64)
    n_cust[by_number] = 1
    # a third party's account (learned, not a customer's own) known for several customers: it
    # names the payer, not which of them it pays for (:func:`.gates.not_worth_review`)
    many = (n_cust > 1) & np.array([b not in idx.own_ibans for b in ibans], dtype=bool)
    ncode, nn = pd.factorize(np.array([norm[n] for n in names], dtype=object))
    combo, back = np.unique(ncode[t].astype(np.int64) * n_c + c, return_inverse=True)
    sims = idx.pair_similarities(
        np.asarray(nn, dtype=object)[combo // n_c], np.asarray(cust, dtype=object)[combo % n_c]
    )
    name_sim = sims[back.ravel()] if len(key) else np.zeros(0)
    payer_names = tx["name"].to_numpy(dtype=object)
    by_code = (c, cust.tolist())  # each pair's customer, as its code (no string factorized)
    cap_namesakes(name_sim, payer_names, t, by_code, idx.forms)
    cap_moved_forms(name_sim, payer_names, t, by_code, idx.positions, idx.namesake_positions)
    pair_norm = np.asarray(nn, dtype=object)[ncode[t]] if len(key) else np.zeros(0, object)
    cap_common_words(name_sim, pair_norm, block.cust_ids[i], idx.names, idx.word_counts)
    pairs = pd.DataFrame(
        {
            "tx": t,
            "inv": i,
            "ref": ref_lvl.astype(np.int8),  # small codes: a byte each, not eight
            "customer_id": customer_column(block, i),
            "iban": iban.astype(np.int8),
            "name_sim": name_sim,
            "third_party": link & many[t],
            "iban_customers": np.where(link, n_cust[t], 0).astype(np.int16),
        }
    )
    return pairs, links


#: per open-item side: each item's customer as a code into the sorted customer ids, and the
#: categorical dtype of those ids (worked out once per side, in each process that reads it)
_CUSTOMERS: weakref.WeakKeyDictionary[BlockIndex, tuple[np.ndarray[Any, Any], pd.CategoricalDtype]]
_CUSTOMERS = weakref.WeakKeyDictionary()


def customer_column(block: BlockIndex, inv: np.ndarray[Any, Any]) -> pd.Series:
    """The customer ids of the open items at positions ``inv`` as a ``Categorical``: a 32-bit
    code per pair into the partition's customer ids (not a pointer per pair to a Python
    string that a forked worker's reads would copy). Its categories are the ids sorted, so
    that grouping or sorting by it orders as by the strings; its values, ``to_numpy`` and
    ``to_dict`` read as the ids."""
    got = _CUSTOMERS.get(block)
    if got is None:
        cust = block.cust.to_numpy(dtype=object)
        order = np.argsort(cust, kind="stable")
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        dtype = pd.CategoricalDtype(pd.Index(cust[order], dtype=object))
        got = _CUSTOMERS[block] = (rank[block.ccode] if len(cust) else block.ccode, dtype)
    codes, dtype = got
    return pd.Series(pd.Categorical.from_codes(codes[inv], dtype=dtype))


def _positions(
    sorted_keys: np.ndarray[Any, Any], keys: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Position of each of ``keys`` in ``sorted_keys`` (-1 when absent)."""
    if not len(sorted_keys):
        return np.full(len(keys), -1, dtype=np.int64)
    p = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    out: np.ndarray[Any, Any] = np.where(sorted_keys[p] == keys, p, -1)
    return out
