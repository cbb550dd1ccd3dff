"""Who is who in a partition's master data (:class:`CustomerIndex`): IBAN → customers,
customer → names and the legal forms they state, name words and prefixes → customers, the
customer numbers a payer may quote; and the payer-name similarity (rapidfuzz WRatio, read
through abbreviations) that blocking and the ``name`` feature use."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from rapprochement.matching.abbrev import abbreviated
from rapprochement.matching.customer_numbers import CustomerNumbers
from rapprochement.matching.keys import compact_iban, expand, normalize_name
from rapprochement.matching.legal_forms import form_position, legal_form

__all__ = ["CustomerIndex"]

_NAME_TOKENS = 2  # a payer name is looked up by its two rarest token prefixes
_NAME_BUCKET = 60  # token prefixes shared by more customers than this do not block
_OWN_NAME = 70  # a learned payer named like the customer (WRatio) is the customer itself


def _own_name(norm: str, master: set[str]) -> bool:
    """Is a learned payer named ``norm`` the customer (one of its master-data names, ``master``)
    rather than a third party paying for it (a parent company, a factor, an accountant)?"""
    return any(fuzz.WRatio(norm, m) >= _OWN_NAME for m in master if m) or not master


class _NameReader:
    """A name's normalized form, legal forms and their position, read once per distinct name
    (the invoices' and the master data's names repeat: 79k reads of 37k names at 300k)."""

    def __init__(self) -> None:
        self._read: dict[str, tuple[str, str, str]] = {}

    def __call__(self, name: str) -> tuple[str, str, str]:
        got = self._read.get(name)
        if got is None:
            got = (normalize_name(name), legal_form(name), form_position(name))
            self._read[name] = got
        return got


class CustomerIndex:
    """Who is who: IBAN → customers, customer → names, name-token prefix → customers."""

    def __init__(self, inv: pd.DataFrame, customers: pd.DataFrame | None) -> None:
        self.by_iban: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, set[str]] = defaultdict(set)
        # customer → the legal forms its names state (:mod:`.legal_forms`), and where its
        # names state one (:func:`.legal_forms.form_position`): kept as ``forms`` and
        # ``positions``, shared frozensets, once built
        forms: dict[str, set[str]] = defaultdict(set)
        positions: dict[str, set[str]] = defaultdict(set)
        #: IBANs that are a customer's own account (not a third party's paying for it)
        self.own_ibans: set[str] = set()
        who = inv[["customer_id", "customer_iban", "customer_name"]].drop_duplicates()
        #: customers by the numbers a payer may quote (each record's own id: :mod:`.entities`)
        records = inv["record"] if "record" in inv else inv["customer_id"]
        # (the distinct pairs found vectorized: a tuple per invoice cost 4.7x for 3x the book)
        pairs = pd.DataFrame(
            {"record": records.astype(str), "customer": inv["customer_id"].astype(str)}
        ).drop_duplicates()
        self.numbers = CustomerNumbers(
            sorted(set(zip(pairs["record"].tolist(), pairs["customer"].tolist(), strict=True)))
        )
        read = _NameReader()
        for cid, iban, name in zip(
            who["customer_id"].tolist(),
            who["customer_iban"].tolist(),
            who["customer_name"].tolist(),
            strict=True,
        ):
            if iban:
                self.by_iban[iban].add(cid)
                self.own_ibans.add(iban)
            norm, form, position = read(name)
            self.names[cid].add(norm)
            forms[cid].add(form)
            positions[cid].add(position)
        if customers is not None and len(customers):
            master = {c: set(n) for c, n in self.names.items()}
            for cid, iban, name in zip(
                customers["customer_id"].astype(str),
                customers["iban"].astype(object).where(customers["iban"].notna(), ""),
                customers["name"].astype(object).where(customers["name"].notna(), ""),
                strict=True,
            ):
                norm, form, position = read(str(name)) if name else ("", "", "")
                if iban:
                    key = compact_iban(str(iban))
                    self.by_iban[key].add(cid)
                    if not norm or _own_name(norm, master.get(cid, set())):
                        self.own_ibans.add(key)
                if norm:
                    self.names[cid].add(norm)
                    forms[cid].add(form)
                    positions[cid].add(position)
        by_norm: dict[str, set[str]] = defaultdict(set)
        for cid, names in self.names.items():
            for n in names:
                if n:
                    by_norm[n].add(cid)
        #: customer → where the names of its namesakes (the other customers with one of its
        #: names, forms aside) state a legal form: only the customers that have namesakes (a
        #: name held by one customer gives none). All :func:`.legal_forms.cap_moved_forms`
        #: reads of them: not each customer's namesakes (at 300k, 40k sets of them: 79 MiB)
        sakes: dict[str, set[str]] = {}
        for holders in by_norm.values():
            if len(holders) > 1:
                held = Counter(p for cid in holders for p in positions[cid])
                for cid in holders:
                    mine = positions[cid]
                    got = sakes.setdefault(cid, set())
                    got.update(p for p, k in held.items() if k > (p in mine))
        #: each distinct set of forms or positions one shared frozenset (a handful of distinct
        #: ones: not a set per customer held, nor copied by each worker that reads it)
        shared: dict[frozenset[str], frozenset[str]] = {}

        def one(values: set[str]) -> frozenset[str]:
            key = frozenset(values)
            return shared.setdefault(key, key)

        self.namesake_positions: dict[str, frozenset[str]] = {c: one(v) for c, v in sakes.items()}
        del sakes
        self.forms: dict[str, frozenset[str]] = {c: one(v) for c, v in forms.items()}
        self.positions: dict[str, frozenset[str]] = {c: one(v) for c, v in positions.items()}
        del forms, positions
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
        #: whole name word → how many customers hold it (:mod:`.name_words`), once per book
        self.word_counts: dict[str, int] = {w: len(c) for w, c in self.by_word.items()}
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
