"""Blocking: candidate (payment, invoice) pairs through indexes, never all pairs.

Blocks, each an index lookup: reference keys (:mod:`.keys`, :mod:`.refindex`; checksummed
references, invoice numbers and their garbled forms, end-to-end ids), counterparty IBAN →
customer (invoices' ``customer_iban`` and the learned ``customers`` frame), payer name →
customer (token-prefix index, then rapidfuzz), exact open amount. A payment paired with a
customer is paired with that customer's open items (at most ``max_customer_items``). Works on
one currency partition, on integer pair keys (``tx * len(inv) + inv``) and in bounded chunks:
no per-pair Python object.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from rapprochement.matching.abbrev import abbreviated
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.customer_numbers import CustomerNumbers
from rapprochement.matching.keys import LEVELS, compact_iban, expand, normalize_name
from rapprochement.matching.legal_forms import cap_namesakes, legal_form
from rapprochement.matching.payer_links import customer_links
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
    "customer_links",
    "key_index",
    "lookup",
]

_NONE = len(LEVELS) - 1
_PARTIAL_ITEMS = 8  # a payer's items a payment may partly pay, nearest due first
_NAME_TOKENS = 2  # a payer name is looked up by its two rarest token prefixes
_NAME_BUCKET = 60  # token prefixes shared by more customers than this do not block
_PAIR_CHUNK = 1 << 20  # payer × item pairs screened at once in :func:`_customer_pairs`


_OWN_NAME = 70  # a learned payer named like the customer (WRatio) is the customer itself


def _own_name(norm: str, master: set[str]) -> bool:
    """Is a learned payer named ``norm`` the customer (one of its master-data names, ``master``)
    rather than a third party paying for it (a parent company, a factor, an accountant)?"""
    return any(fuzz.WRatio(norm, m) >= _OWN_NAME for m in master if m) or not master


class CustomerIndex:
    """Who is who: IBAN → customers, customer → names, name-token prefix → customers."""

    def __init__(self, inv: pd.DataFrame, customers: pd.DataFrame | None) -> None:
        self.by_iban: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, set[str]] = defaultdict(set)
        #: customer → the legal forms its names state (:mod:`.legal_forms`)
        self.forms: dict[str, set[str]] = defaultdict(set)
        #: IBANs that are a customer's own account (not a third party's paying for it)
        self.own_ibans: set[str] = set()
        who = inv[["customer_id", "customer_iban", "customer_name"]].drop_duplicates()
        #: customers by the numbers a payer may quote (each record's own id: :mod:`.entities`)
        records = inv["record"] if "record" in inv else inv["customer_id"]
        pairs = set(zip(records.astype(str), inv["customer_id"].astype(str), strict=True))
        self.numbers = CustomerNumbers(sorted(pairs))
        for cid, iban, name in zip(
            who["customer_id"], who["customer_iban"], who["customer_name"], strict=True
        ):
            if iban:
                self.by_iban[iban].add(cid)
                self.own_ibans.add(iban)
            self.names[cid].add(normalize_name(name))
            self.forms[cid].add(legal_form(str(name)))
        if customers is not None and len(customers):
            master = {c: set(n) for c, n in self.names.items()}
            for cid, iban, name in zip(
                customers["customer_id"].astype(str),
                customers["iban"].astype(object).where(customers["iban"].notna(), ""),
                customers["name"].astype(object).where(customers["name"].notna(), ""),
                strict=True,
            ):
                norm = normalize_name(str(name)) if name else ""
                if iban:
                    key = compact_iban(str(iban))
                    self.by_iban[key].add(cid)
                    if not norm or _own_name(norm, master.get(cid, set())):
                        self.own_ibans.add(key)
                if norm:
                    self.names[cid].add(norm)
                    self.forms[cid].add(legal_form(str(name)))
        self.by_prefix: dict[str, set[str]] = defaultdict(set)
        #: whole name word → customers (blocks where a prefix is shared by too many)
        self.by_word: dict[str, set[str]] = defaultdict(set)
        #: three-letter prefixes: a payer word that shares no four-letter prefix with any
        #: customer word may abbreviate one (``NATL`` National, ``INDS`` Industries)
        self.by_short: dict[str, set[str]] = defaultdict(set)
        for cid, names in self.names.items():
            for n in names:
                for tok in n.split():
                    self.by_prefix[tok[:4]].add(cid)
                    self.by_word[tok].add(cid)
                    if len(tok) > 4 and tok.isalpha():
                        self.by_short[tok[:3]].add(cid)
        self._sim: dict[tuple[str, str], float] = {}

    def similarity(self, norm_name: str, cid: str) -> float:
        """Best WRatio (0-100) between a normalized payer name and the customer's names."""
        if not norm_name:
            return 0.0
        key = (norm_name, cid)
        s = self._sim.get(key)
        if s is None:
            names = [n for n in self.names.get(cid, ()) if n]
            raw = np.array([fuzz.WRatio(norm_name, n) for n in names], dtype=np.float64)
            s = float(abbreviated([norm_name] * len(names), names, raw).max(initial=0.0))
            self._sim[key] = s
        return s

    def forget_similarities(self) -> None:
        """Empty the similarity cache (:meth:`similarity`, :meth:`prefill`): a worker blocking
        its shard run after run keeps no more than one run's names."""
        self._sim.clear()

    def prefill(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Compute the similarities of many (normalized name, customer) pairs in one batch
        (rapidfuzz ``cpdist`` over every alias of each customer)."""
        left: list[str] = []
        right: list[str] = []
        keys: list[tuple[str, str]] = []
        for norm, cid in set(wanted):
            if not norm or (norm, cid) in self._sim:
                continue
            self._sim[(norm, cid)] = 0.0
            for alias in self.names.get(cid, ()):
                if alias:
                    left.append(norm)
                    right.append(alias)
                    keys.append((norm, cid))
        if not left:
            return
        scores = abbreviated(left, right, cpdist(left, right, scorer=fuzz.WRatio, workers=1))
        for k, sc in zip(keys, scores.tolist(), strict=True):
            if sc > self._sim[k]:
                self._sim[k] = float(sc)

    def pair_similarities(self, norms: Sequence[str], cids: Sequence[str]) -> np.ndarray[Any, Any]:
        """:meth:`similarity` of many (normalized name, customer) pairs at once, vectorized
        (one rapidfuzz ``cpdist`` over every alias of each pair's customer; no cache)."""
        norm = np.asarray(norms, dtype=object)
        code, ucid = pd.factorize(np.asarray(cids, dtype=object))
        aliases = [sorted(a for a in self.names.get(str(c), ()) if a) for c in ucid]
        counts = np.array([len(a) for a in aliases], dtype=np.int64)
        flat = np.array([a for al in aliases for a in al], dtype=object)
        rows = np.flatnonzero((norm != "") & (counts[code] > 0))
        rep = counts[code[rows]]
        out = np.zeros(len(norm), dtype=np.float64)
        if not len(rows):
            return out
        left = np.repeat(norm[rows], rep)
        right = flat[expand(np.cumsum(counts) - counts, counts, code[rows])]
        scores = cpdist(left.tolist(), right.tolist(), scorer=fuzz.WRatio, workers=1)
        seg = np.cumsum(rep) - rep
        out[rows] = np.maximum.reduceat(np.asarray(scores, dtype=np.float64), seg)
        # a name read through abbreviations (:mod:`.abbrev`) is scored when the payer is
        # looked up by name (:meth:`prefill`): those scores are kept
        if self._sim:
            got = self._sim.get
            for k in rows.tolist():
                known = got((norm[k], ucid[code[k]]))
                if known is not None and known > out[k]:
                    out[k] = known
        return out

    def name_candidates(self, norm_name: str) -> set[str]:
        """Customers sharing one of the two rarest name-token prefixes of ``norm_name`` (a
        prefix shared by many customers, such as ``SOCI`` or ``GROU``, does not block). A
        prefix that too many customers share is replaced by the whole word when some customer
        has it: the more customers a book has, the more of them share a prefix (``LEMA`` of
        Lemaire, Lemaître, Lemarchand), and a payer whose every prefix is common would
        otherwise be looked up by none. A word sharing its first four letters with no customer
        word is looked up by its first three (it may abbreviate one)."""
        buckets = [self._bucket(tok) or self._abbreviating(tok) for tok in norm_name.split()]
        buckets = sorted((b for b in buckets if b), key=len)[:_NAME_TOKENS]
        cands: set[str] = set()
        for bucket in buckets:
            if len(bucket) <= _NAME_BUCKET:
                cands |= bucket
        return cands

    def _bucket(self, tok: str) -> set[str]:
        got = self.by_prefix.get(tok[:4], set())
        if len(got) > _NAME_BUCKET and len(tok) > 4:
            return self.by_word.get(tok) or got
        return got

    def _abbreviating(self, tok: str) -> set[str]:
        """Customers with a longer word that payer word ``tok`` may abbreviate (same first
        three letters; :mod:`.abbrev` then reads it), when no customer word shares its first
        four letters."""
        if len(tok) < 3 or not tok.isalpha():
            return set()
        return self.by_short.get(tok[:3], set())

    def by_name(self, norm_name: str, min_sim: float, limit: int = 5) -> list[tuple[str, float]]:
        """Customers whose name resembles ``norm_name`` (≥ ``min_sim``), best first, ties by id."""
        cands = self.name_candidates(norm_name)
        scored = [(c, self.similarity(norm_name, c)) for c in cands]
        scored = [x for x in scored if x[1] >= min_sim]
        scored.sort(key=lambda x: (-x[1], x[0]))
        return scored[:limit]


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
        ``name_sim``.
        links: the output of :func:`customer_links`.
    """
    links = customer_links(tx, idx, config)
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
    key = _unique(
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
    known = np.array(
        [
            bool(b) and b in idx.own_ibans and 0 < len(idx.by_iban.get(b, ())) <= shared
            for b in tx["iban"]
        ],
        dtype=bool,
    )
    # a payer that quoted its customer number is identified: another customer's item is
    # another payer's, as with a customer's own IBAN
    by_number = links["tx"].to_numpy()[links["by_number"].to_numpy(dtype=bool)]
    known[by_number] = True
    iban = np.where(link, 0, np.where(known[t], 1, 2)).astype(np.int64)
    # a third party's account (learned, not a customer's own) known for several customers: it
    # names the payer, not which of them it pays for (:func:`.gates.not_worth_review`)
    many = np.array(
        [
            bool(b) and b not in idx.own_ibans and len(idx.by_iban.get(b, ())) > 1
            for b in tx["iban"]
        ],
        dtype=bool,
    )
    many[by_number] = False
    norm = {n: normalize_name(n) for n in set(tx["name"])}
    ncode, nn = pd.factorize(np.array([norm[n] for n in tx["name"]], dtype=object))
    combo, back = np.unique(ncode[t].astype(np.int64) * n_c + c, return_inverse=True)
    sims = idx.pair_similarities(
        np.asarray(nn, dtype=object)[combo // n_c], np.asarray(cust, dtype=object)[combo % n_c]
    )
    name_sim = sims[back.ravel()] if len(key) else np.zeros(0)
    cap_namesakes(name_sim, tx["name"].to_numpy(dtype=object), t, block.cust_ids[i], idx.forms)
    pairs = pd.DataFrame(
        {
            "tx": t,
            "inv": i,
            "ref": ref_lvl.astype(np.int8),  # small codes: a byte each, not eight
            "customer_id": pd.Series(block.cust_ids[i], dtype=object),
            "iban": iban.astype(np.int8),
            "name_sim": name_sim,
            "third_party": link & many[t],
        }
    )
    return pairs, links


def _unique(x: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The sorted distinct values of an integer array (a sort, cheaper than ``np.unique``)."""
    x = np.sort(x)
    keep = np.ones(len(x), dtype=bool)
    keep[1:] = x[1:] != x[:-1]
    out: np.ndarray[Any, Any] = x[keep]
    return out


def _positions(
    sorted_keys: np.ndarray[Any, Any], keys: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """Position of each of ``keys`` in ``sorted_keys`` (-1 when absent)."""
    if not len(sorted_keys):
        return np.full(len(keys), -1, dtype=np.int64)
    p = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    out: np.ndarray[Any, Any] = np.where(sorted_keys[p] == keys, p, -1)
    return out
