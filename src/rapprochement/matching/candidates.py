"""Blocking: candidate (payment, invoice) pairs through indexes, never all pairs.

Blocks, each an index lookup: reference keys (:mod:`.keys`; checksummed references, invoice
numbers and their garbled forms, end-to-end ids), counterparty IBAN → customer (invoices'
``customer_iban`` and the learned ``customers`` frame), payer name → customer (token-prefix
index, then rapidfuzz), exact open amount. A payment paired with a customer is paired with that
customer's open items (at most ``max_customer_items``). Works on one currency partition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.keys import (
    LEVELS,
    invoice_key_frame,
    normalize_name,
    text_key_frame,
)

__all__ = [
    "CustomerIndex",
    "KeyDict",
    "KeyIndex",
    "candidate_pairs",
    "customer_links",
    "key_index",
    "lookup",
]

_NONE = len(LEVELS) - 1
_STRONG = 3  # key levels below this are never dropped for a large bucket
_PARTIAL_ITEMS = 8  # a payer's items a payment may partly pay, nearest due first
_NAME_TOKENS = 2  # a payer name is looked up by its two rarest token prefixes
_NAME_BUCKET = 60  # token prefixes shared by more customers than this do not block


class CustomerIndex:
    """Who is who: IBAN → customers, customer → names, name-token prefix → customers."""

    def __init__(self, inv: pd.DataFrame, customers: pd.DataFrame | None) -> None:
        self.by_iban: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, set[str]] = defaultdict(set)
        who = inv[["customer_id", "customer_iban", "customer_name"]].drop_duplicates()
        for cid, iban, name in zip(
            who["customer_id"], who["customer_iban"], who["customer_name"], strict=True
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
        scores = cpdist(left, right, scorer=fuzz.WRatio, workers=1)
        for k, sc in zip(keys, scores.tolist(), strict=True):
            if sc > self._sim[k]:
                self._sim[k] = float(sc)

    def name_candidates(self, norm_name: str) -> set[str]:
        """Customers sharing one of the two rarest name-token prefixes of ``norm_name`` (a
        prefix shared by many customers, such as ``SOCI`` or ``GROU``, does not block)."""
        buckets = [self.by_prefix.get(tok[:4], set()) for tok in norm_name.split()]
        buckets = sorted((b for b in buckets if b), key=len)[:_NAME_TOKENS]
        cands: set[str] = set()
        for bucket in buckets:
            if len(bucket) <= _NAME_BUCKET:
                cands |= bucket
        return cands

    def by_name(self, norm_name: str, min_sim: float, limit: int = 5) -> list[tuple[str, float]]:
        """Customers whose name resembles ``norm_name`` (≥ ``min_sim``), best first, ties by id."""
        cands = self.name_candidates(norm_name)
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
    norms = {n: normalize_name(n) for n in set(tx["name"])}
    idx.prefill((nn, c) for nn in set(norms.values()) for c in idx.name_candidates(nn))
    for t, (iban, name) in enumerate(zip(tx["iban"], tx["name"], strict=True)):
        seen: set[str] = set()
        for c in sorted(idx.by_iban.get(iban, ())) if iban else ():
            rows_t.append(t)
            rows_c.append(c)
            rows_i.append(True)
            seen.add(c)
        norm = norms[name]
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


KeyDict = dict[str, list[tuple[int, int]]]


class KeyIndex:
    """Reference keys of the invoices of one partition (``inv, key, lvl, n`` with ``n`` the
    number of invoices sharing the key), built with vectorized string operations."""

    def __init__(self, inv: pd.DataFrame) -> None:
        frame = invoice_key_frame(inv["invoice_id"], inv["reference"])
        frame["n"] = frame.groupby("key")["inv"].transform("size").to_numpy()
        self.frame = frame

    def subset(self, keys: set[str]) -> KeyDict:
        """Key → [(invoice position, level)] for the given keys only."""
        sub = self.frame[self.frame["key"].isin(keys)]
        out: KeyDict = defaultdict(list)
        for k, i, lvl in zip(sub["key"], sub["inv"], sub["lvl"], strict=True):
            out[k].append((int(i), int(lvl)))
        return out


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
        for i, li in hits:
            lvl = max(lt, li)
            if len(hits) > config.max_amount_bucket and lvl >= _STRONG:
                continue
            if out.get(i, 99) > lvl:
                out[i] = lvl
    return out


def _ref_pairs(
    tx: pd.DataFrame, inv: pd.DataFrame, config: MatchConfig, index: KeyIndex
) -> pd.DataFrame:
    tk = text_key_frame(tx["text"]).rename(columns={"row": "tx", "lvl": "lt"})
    m = tk.merge(index.frame, on="key")
    lvl = np.maximum(m["lt"].to_numpy(), m["lvl"].to_numpy())
    keep = (m["n"].to_numpy() <= config.max_amount_bucket) | (lvl < _STRONG)
    df = pd.DataFrame({"tx": m["tx"].to_numpy()[keep], "inv": m["inv"].to_numpy()[keep],
                       "ref": lvl[keep].astype(np.int64)})  # fmt: skip
    df = df.sort_values(["tx", "inv", "ref"], kind="stable")
    return df.drop_duplicates(["tx", "inv"]).reset_index(drop=True)


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
    pairs = pairs.reset_index(drop=True).astype({"tx": np.int64, "inv": np.int64})
    ref = ref.astype({"tx": np.int64, "inv": np.int64, "ref": np.int64})
    pairs = pairs.merge(ref, on=["tx", "inv"], how="left")
    pairs["ref"] = pairs["ref"].fillna(_NONE).astype(np.int64)
    pairs["customer_id"] = inv["customer_id"].to_numpy()[pairs["inv"].to_numpy()]
    pairs = pairs.merge(links, on=["tx", "customer_id"], how="left")
    pairs["iban_link"] = pairs["iban_link"].astype(object).where(pairs["iban_link"].notna(), False)
    tx_iban = tx["iban"].to_numpy()[pairs["tx"].to_numpy()]
    has_known = np.array([bool(b) and b in idx.by_iban for b in tx_iban], dtype=bool)
    link = pairs["iban_link"].to_numpy(dtype=bool)
    pairs["iban"] = np.where(link, 0, np.where(has_known, 1, 2)).astype(np.int64)
    norm = {n: normalize_name(n) for n in set(tx["name"])}
    tx_norm = np.array([norm[n] for n in tx["name"]], dtype=object)
    who = pd.DataFrame({"nn": tx_norm[pairs["tx"].to_numpy()], "c": pairs["customer_id"]})
    uniq = who.drop_duplicates()
    idx.prefill(zip(uniq["nn"], uniq["c"], strict=True))
    sim = idx._sim
    uniq = uniq.assign(
        name_sim=[sim.get((a, b), 0.0) for a, b in zip(uniq["nn"], uniq["c"], strict=True)]
    )
    pairs["name_sim"] = (
        who.merge(uniq, on=["nn", "c"], how="left")["name_sim"].fillna(0.0).to_numpy()
    )
    return pairs.drop(columns=["iban_link"]), links
