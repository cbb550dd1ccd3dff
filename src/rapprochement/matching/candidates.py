"""Blocking: candidate (payment, invoice) pairs through indexes, never all pairs.

Blocks, each an index lookup: reference keys (:mod:`.keys`; checksummed references, invoice
numbers and their garbled forms, end-to-end ids), counterparty IBAN → customer (invoices'
``customer_iban`` and the learned ``customers`` frame), payer name → customer (token-prefix
index, then rapidfuzz), exact open amount. A payment paired with a customer is paired with that
customer's open items (at most ``max_customer_items``). Works on one currency partition.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.keys import LEVELS, invoice_keys, normalize_name, text_keys

__all__ = ["CustomerIndex", "KeyIndex", "candidate_pairs", "customer_links", "key_index", "lookup"]

_NONE = len(LEVELS) - 1
_STRONG = 3  # key levels below this are never dropped for a large bucket
_PARTIAL_ITEMS = 8  # a payer's items a payment may partly pay, nearest due first


class CustomerIndex:
    """Who is who: IBAN → customers, customer → names, name-token prefix → customers."""

    def __init__(self, inv: pd.DataFrame, customers: pd.DataFrame | None) -> None:
        self.by_iban: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, set[str]] = defaultdict(set)
        for cid, iban, name in zip(
            inv["customer_id"], inv["customer_iban"], inv["customer_name"], strict=True
        ):
            if iban:
                self.by_iban[iban].add(cid)
            self.names[cid].add(normalize_name(name))
        if customers is not None and len(customers):
            for cid, iban, name in zip(
                customers["customer_id"].astype(str),
                customers["iban"].astype(object).where(customers["iban"].notna(), ""),
                customers["name"].astype(object).where(customers["name"].notna(), ""),
                strict=True,
            ):
                if iban:
                    self.by_iban["".join(str(iban).split()).upper()].add(cid)
                if name:
                    self.names[cid].add(normalize_name(str(name)))
        self.by_prefix: dict[str, set[str]] = defaultdict(set)
        for cid, names in self.names.items():
            for n in names:
                for tok in n.split():
                    self.by_prefix[tok[:4]].add(cid)
        self._sim: dict[tuple[str, str], float] = {}

    def similarity(self, norm_name: str, cid: str) -> float:
        """Best WRatio (0-100) between a normalized payer name and the customer's names."""
        if not norm_name:
            return 0.0
        key = (norm_name, cid)
        s = self._sim.get(key)
        if s is None:
            s = max((fuzz.WRatio(norm_name, n) for n in self.names.get(cid, ()) if n), default=0.0)
            self._sim[key] = s
        return s

    def by_name(self, norm_name: str, min_sim: float, limit: int = 5) -> list[tuple[str, float]]:
        """Customers whose name resembles ``norm_name`` (≥ ``min_sim``), best first, ties by id."""
        cands: set[str] = set()
        for tok in norm_name.split():
            bucket = self.by_prefix.get(tok[:4])
            if bucket is not None and len(bucket) <= 200:
                cands |= bucket
        scored = [(c, self.similarity(norm_name, c)) for c in cands]
        scored = [x for x in scored if x[1] >= min_sim]
        scored.sort(key=lambda x: (-x[1], x[0]))
        return scored[:limit]


def customer_links(tx: pd.DataFrame, idx: CustomerIndex, config: MatchConfig) -> pd.DataFrame:
    """(tx, customer_id, iban_known, name_sim) for customers linked by IBAN or payer name."""
    rows_t: list[int] = []
    rows_c: list[str] = []
    rows_i: list[bool] = []
    by_name_cache: dict[str, list[tuple[str, float]]] = {}
    for t, (iban, name) in enumerate(zip(tx["iban"], tx["name"], strict=True)):
        seen: set[str] = set()
        for c in sorted(idx.by_iban.get(iban, ())) if iban else ():
            rows_t.append(t)
            rows_c.append(c)
            rows_i.append(True)
            seen.add(c)
        norm = normalize_name(name)
        if norm:
            hits = by_name_cache.get(norm)
            if hits is None:
                hits = by_name_cache[norm] = idx.by_name(norm, config.name_min_similarity)
            for c, _ in hits:
                if c not in seen:
                    rows_t.append(t)
                    rows_c.append(c)
                    rows_i.append(False)
    return pd.DataFrame(
        {
            "tx": np.array(rows_t, dtype=np.int64),
            "customer_id": pd.Series(rows_c, dtype=object),
            "iban_link": np.array(rows_i, dtype=bool),
        }
    )


KeyIndex = dict[str, list[tuple[int, int]]]


def key_index(inv: pd.DataFrame) -> KeyIndex:
    """Reference key → [(invoice position, level)] over invoice ids and printed references."""
    index: KeyIndex = defaultdict(list)
    for i, (iid, ref) in enumerate(zip(inv["invoice_id"], inv["reference"], strict=True)):
        for k, lvl in invoice_keys((iid, ref)).items():
            index[k].append((i, lvl))
    return index


def lookup(index: KeyIndex, keys: dict[str, int], config: MatchConfig) -> dict[int, int]:
    """Invoice position → best reference level for the keys of one text."""
    out: dict[int, int] = {}
    for k, lt in keys.items():
        hits = index.get(k)
        if not hits:
            continue
        if len(hits) > config.max_amount_bucket and max(lt, hits[0][1]) >= _STRONG:
            continue
        for i, li in hits:
            lvl = max(lt, li)
            if out.get(i, 99) > lvl:
                out[i] = lvl
    return out


def _ref_pairs(
    tx: pd.DataFrame, inv: pd.DataFrame, config: MatchConfig, index: KeyIndex
) -> pd.DataFrame:
    cache: dict[str, dict[str, int]] = {}
    ts: list[int] = []
    is_: list[int] = []
    ls: list[int] = []
    for t, text in enumerate(tx["text"]):
        keys = cache.get(text)
        if keys is None:
            keys = cache[text] = text_keys(text)
        for i, lvl in lookup(index, keys, config).items():
            ts.append(t)
            is_.append(i)
            ls.append(lvl)
    df = pd.DataFrame(
        {
            "tx": np.array(ts, dtype=np.int64),
            "inv": np.array(is_, dtype=np.int64),
            "ref": np.array(ls, dtype=np.int64),
        }
    )
    return df


def _amount_pairs(tx: pd.DataFrame, inv: pd.DataFrame, config: MatchConfig) -> pd.DataFrame:
    o = pd.DataFrame({"amount": inv["open"].to_numpy(), "inv": np.arange(len(inv), dtype=np.int64)})
    counts = o.groupby("amount")["inv"].transform("size")
    o = o[counts <= config.max_amount_bucket]
    t = pd.DataFrame({"amount": tx["amount"].to_numpy(), "tx": np.arange(len(tx), dtype=np.int64)})
    return t.merge(o, on="amount")[["tx", "inv"]]


def _customer_pairs(
    tx: pd.DataFrame, links: pd.DataFrame, inv: pd.DataFrame, config: MatchConfig
) -> pd.DataFrame:
    """The payer's open items that could be this payment alone: amount equal or near (fee,
    discount, a little over), or larger (a partial payment) among the ``_PARTIAL_ITEMS``
    items due nearest the payment."""
    items = pd.DataFrame(
        {
            "customer_id": inv["customer_id"].to_numpy(),
            "inv": np.arange(len(inv), dtype=np.int64),
            "due": inv["due_day"].to_numpy(),
        }
    )
    items = items.sort_values(["customer_id", "due", "inv"], kind="stable")
    items = items[items.groupby("customer_id").cumcount() < config.max_customer_items]
    pairs = links[["tx", "customer_id"]].merge(items[["customer_id", "inv"]], on="customer_id")
    t, i = pairs["tx"].to_numpy(), pairs["inv"].to_numpy()
    amt, opn = tx["amount"].to_numpy()[t], inv["open"].to_numpy()[i]
    a, o = np.abs(amt), np.abs(opn)
    same = np.sign(amt) == np.sign(opn)
    near = np.abs(o - a) <= np.maximum(o * 4 // 100, int(config.fee_max * 100))
    partial = same & (a < o)
    dist = np.abs(inv["due_day"].to_numpy()[i] - tx["day"].to_numpy()[t])
    rank = pairs.assign(_d=dist, _p=partial).groupby(["tx", "_p"])["_d"].rank(method="first")
    keep = same & (near | (partial & (rank.to_numpy() <= _PARTIAL_ITEMS)))
    out: pd.DataFrame = pairs.loc[keep, ["tx", "inv"]]
    return out


def candidate_pairs(
    tx: pd.DataFrame, inv: pd.DataFrame, idx: CustomerIndex, keys: KeyIndex, config: MatchConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidate pairs of one currency partition and the payer → customer links.

    Returns:
        pairs: ``tx, inv`` (positions in the partition frames), ``ref`` (level code in
        :data:`~rapprochement.matching.keys.LEVELS`), ``iban`` (0 known payer IBAN of this
        customer, 1 IBAN known for another customer only, 2 no information), ``name_sim``.
        links: the output of :func:`customer_links`.
    """
    links = customer_links(tx, idx, config)
    ref = _ref_pairs(tx, inv, config, keys)
    parts = [
        ref[["tx", "inv"]],
        _amount_pairs(tx, inv, config),
        _customer_pairs(tx, links, inv, config),
    ]
    pairs = pd.concat(parts, ignore_index=True).drop_duplicates().sort_values(["tx", "inv"])
    pairs = pairs.reset_index(drop=True)
    pairs = pairs.merge(ref, on=["tx", "inv"], how="left")
    pairs["ref"] = pairs["ref"].fillna(_NONE).astype(np.int64)
    pairs["customer_id"] = inv["customer_id"].to_numpy()[pairs["inv"].to_numpy()]
    pairs = pairs.merge(links, on=["tx", "customer_id"], how="left")
    pairs["iban_link"] = pairs["iban_link"].astype(object).where(pairs["iban_link"].notna(), False)
    tx_iban = tx["iban"].to_numpy()[pairs["tx"].to_numpy()]
    has_known = np.array([bool(b) and b in idx.by_iban for b in tx_iban], dtype=bool)
    link = pairs["iban_link"].to_numpy(dtype=bool)
    pairs["iban"] = np.where(link, 0, np.where(has_known, 1, 2)).astype(np.int64)
    names = tx["name"].to_numpy()[pairs["tx"].to_numpy()]
    norm: dict[str, str] = {}
    sims = np.empty(len(pairs), dtype=np.float64)
    for k, (n, c) in enumerate(zip(names, pairs["customer_id"].to_numpy(), strict=True)):
        nn = norm.get(n)
        if nn is None:
            nn = norm[n] = normalize_name(n)
        sims[k] = idx.similarity(nn, c)
    pairs["name_sim"] = sims
    return pairs.drop(columns=["iban_link"]), links
