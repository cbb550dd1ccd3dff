"""Shared state of the grouped-hypothesis search: the partition's arrays, what each payment
names, who each payment may come from, and the rows found so far (:class:`GroupContext`);
:func:`fill` spreads a payment over the items of a group."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from rapprochement.matching.abbrev import abbreviated
from rapprochement.matching.claimed import ClaimedElsewhere
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.features import (
    _DISCOUNT_STEPS,
    FEATURE_LEVELS,
    count_level,
    date_level,
    evidence_level,
    name_level,
)
from rapprochement.matching.group_index import GroupIndex
from rapprochement.matching.keys import normalize_name
from rapprochement.matching.legal_forms import CONFLICT_MAX, conflicting, legal_form
from rapprochement.money import currency_exponent

__all__ = [
    "ADVICE_SOURCES",
    "GROUP_COLUMNS",
    "MAX_CREDIT_NOTES",
    "REF_OK",
    "REF_WEAK",
    "GroupContext",
    "GroupIndex",
    "fill",
    "group_frame",
    "level_of",
]

GROUP_COLUMNS = (
    "tx",
    "invs",
    "allocs",
    "source",
    "amount",
    "reference",
    "iban",
    "name",
    "date",
    "size",
    "rivals",
    "inv_rivals",
    "evidence",
    "named_outside",
    "siblings",
    "interchangeable",
    "rank",
    "chance",
)
REF_OK = 4  # reference level (tail or stronger) that counts as "this invoice is named"
MAX_CREDIT_NOTES = 6  # open credit notes of a payer always searched with its invoices
REF_WEAK = 5  # a transposed number: not named, but the first item to complete a group with
_FEW = 16  # items excluded from a payer's (a set): compared with its items' array one by one
_IBAN_LEVELS = ("known", "other", "unknown")  # pair ``iban`` codes
#: the amount level of a payment equal to the total (code 0 of :func:`.features.amount_codes`)
_EXACT = str(FEATURE_LEVELS["amount"][0])
_AMOUNT_NAMES = tuple(str(x) for x in FEATURE_LEVELS["amount"])
#: group sources read from remittance-advice lines (a payer's advice, a collector's report)
ADVICE_SOURCES = (
    "remittance",
    "remittance_typo",
    "report",
    "report_unread",
    "report_partial",
)


class GroupContext:
    """Arrays and indexes of one partition (or payment shard) for the group search, and the
    rows found; the open-item side is a shared :class:`GroupIndex` (built here when none is
    given)."""

    def __init__(
        self,
        tx: pd.DataFrame,
        inv: pd.DataFrame,
        pairs: pd.DataFrame,
        config: MatchConfig,
        currency: str,
        index: GroupIndex | None = None,
    ) -> None:
        self.tx, self.inv, self.config, self.currency = tx, inv, config, currency
        index = index or GroupIndex(inv)
        self.open, self.cust = index.open, index.cust
        self.amounts: np.ndarray[Any, Any] = tx["amount"].to_numpy()
        self.days: np.ndarray[Any, Any] = tx["day"].to_numpy()
        self.issue, self.due = index.issue, index.due
        self.index = index
        self.items = index.items  # shared: a payer with no open item reads as none
        self.netting = index.netting
        # per tx: {inv: ref level} (only the few referenced pairs)
        self.refs: dict[int, dict[int, int]] = defaultdict(dict)
        self.weak: dict[int, set[int]] = defaultdict(set)
        # (iban, name_sim) of a payment for a customer is read from the candidate pairs'
        # arrays (sorted by payment; the last pair of that customer wins), not from a dict
        # entry per pair (gigabytes at a million payments); :meth:`sim` keeps the few it has
        # to compute in ``who``
        self.who: dict[tuple[int, str], tuple[str, float]] = {}
        tcol, icol = pairs["tx"].to_numpy(), pairs["inv"].to_numpy()
        order = None
        if len(tcol) > 1 and not bool((tcol[1:] >= tcol[:-1]).all()):
            order = np.argsort(tcol, kind="stable")
            tcol, icol = tcol[order], icol[order]
        self._pc: np.ndarray[Any, Any] = index.ccode[icol]
        iban = pairs["iban"].to_numpy()
        sims = pairs["name_sim"].to_numpy()
        self._pib: np.ndarray[Any, Any] = (iban if order is None else iban[order]).astype(np.int8)
        self._psim: np.ndarray[Any, Any] = sims if order is None else sims[order]
        self._pstart: np.ndarray[Any, Any] = np.searchsorted(tcol, np.arange(len(tx) + 1))
        #: the last payment :meth:`evidence` read: its last pair per payer code
        self._last_t, self._last_pair = -1, dict[int, tuple[int, float]]()
        self._code_of = index.code_of
        # from all candidate pairs: a credit note named in the text counts too
        rcol = pairs["ref"].to_numpy()
        sel = np.flatnonzero(rcol <= REF_WEAK)
        for t, i, r in zip(
            pairs["tx"].to_numpy()[sel].tolist(),
            pairs["inv"].to_numpy()[sel].tolist(),
            rcol[sel].tolist(),
            strict=True,
        ):
            if r <= REF_OK:
                self.refs[t][i] = r
            else:
                self.weak[t].add(i)
        self.rows: list[dict[str, Any]] = []
        self.cust_names = index.cust_names
        self.tx_names = tx["name"].to_numpy()
        self._texts: list[str] | None = None
        self.iban_links: set[tuple[int, str]] = set()
        #: per payer, how many of its open items carry each reference (normalized)
        self.held_refs: dict[str, dict[str, int]] = {}
        #: per payer, its items with their invoice numbers as :mod:`.cut_refs` and
        #: :mod:`.named` read them (normalized; as a series and numbers), worked out on the
        #: first payment that names the payer: not again for each of its payments
        self.payer_numbers: dict[tuple[str, str], Any] = {}
        self._nets: dict[tuple[str, int], bool] = {}

    @cached_property
    def amount_bounds(self) -> tuple[int, int, int, tuple[int, ...]]:
        """The config's bounds :func:`level_of` reads, in minor units of the currency: the
        fee window, the fee's largest share (basis points) and the discount steps tried (as
        :func:`.features.amount_codes` reads them)."""
        exp, cfg = currency_exponent(self.currency), self.config
        lo_bp, hi_bp = int(cfg.discount_min * 10000), int(cfg.discount_max * 10000)
        return (
            int(cfg.fee_min.scaleb(exp)),
            int(cfg.fee_max.scaleb(exp)),
            int(cfg.fee_max_share * 10000),
            tuple(bp for bp in _DISCOUNT_STEPS if lo_bp <= bp <= hi_bp),
        )

    def text(self, t: int) -> str:
        """Payment ``t``'s text as a string (the column read once, on the first call: a scalar
        read of an Arrow string column costs more than what the caller does with it)."""
        if self._texts is None:
            self._texts = [str(x) for x in self.tx["text"].tolist()]
        return self._texts[t]

    def sim(self, t: int, c: str) -> float:
        """Payer-name similarity of payment ``t`` to customer ``c`` (from the candidate pairs,
        else computed: a payer linked by name may have no candidate pair when every item of
        the customer is smaller than the payment)."""
        got = self.evidence(t, c)
        if got is not None:
            return got[1]
        raw, master = str(self.tx_names[t]), self.cust_names.get(c, "")
        a, b = normalize_name(raw), normalize_name(master)
        sim = float(abbreviated([a], [b], np.array([fuzz.WRatio(a, b)]))[0]) if a and b else 0.0
        if conflicting(legal_form(raw), [legal_form(master)]):  # a namesake (.legal_forms)
            sim = min(sim, CONFLICT_MAX)
        self.who[(t, c)] = ("known" if (t, c) in self.iban_links else "unknown", sim)
        return sim

    def evidence(self, t: int, c: str) -> tuple[str, float] | None:
        """``(iban level, name similarity)`` of payment ``t`` for customer ``c``: from its
        last candidate pair with an item of ``c``, else as computed by :meth:`sim`, else
        ``None``."""
        if t != self._last_t:  # the payment's pairs per payer code, for its next calls
            self._last_t, self._last_pair = t, self._pair_evidence(t)
        got = self._last_pair.get(self._code_of.get(c, -1))
        if got is not None:
            return _IBAN_LEVELS[got[0]], got[1]
        return self.who.get((t, c))

    def _pair_evidence(self, t: int) -> dict[int, tuple[int, float]]:
        """Payer code → ``(iban code, name similarity)`` of payment ``t``'s last candidate
        pair with an item of that payer (none for a position outside the payments)."""
        if not 0 <= t < len(self._pstart) - 1:
            return {}
        lo, hi = int(self._pstart[t]), int(self._pstart[t + 1])
        evidence = zip(self._pib[lo:hi].tolist(), self._psim[lo:hi].tolist(), strict=True)
        return dict(zip(self._pc[lo:hi].tolist(), evidence, strict=True))

    def nets(self, cust: str, sign: int) -> bool:
        """Has payer ``cust`` an open item of the other sign than a payment of ``sign`` (a
        credit note it may net)? Once per payer and sign."""
        got = self._nets.get((cust, sign))
        if got is None:
            got = self._nets[cust, sign] = bool(
                (sign * self.open[self.index.payer_items(cust)] < 0).any()
            )
        return got

    def nearby_items(self, t: int, cust: str, exclude: Collection[int] = ()) -> list[int]:
        """The open items of payer ``cust`` that payment ``t`` may settle, preferred first,
        at most ``config.max_group_items``: due nearest the payment first, and every credit
        note the payer has open (up to :data:`MAX_CREDIT_NOTES`) whatever its date, since a
        payer nets what it is owed. An item issued after the payment (beyond 3 days) is not
        among them."""
        day = int(self.days[t])
        sign = 1 if self.amounts[t] >= 0 else -1
        # the payer's items ordered in arrays (due nearest first, then by position), those
        # ``exclude`` holds marked at once
        idx = self.index.payer_items(cust)
        if day >= 0:
            idx = idx[self.issue[idx] <= day + 3]
        idx = idx[np.lexsort((idx, np.abs(self.due[idx] - day)))]
        ok = ~_excluded(idx, exclude)
        # the first notes not excluded, then the first others (further notes among them)
        notes = ((sign * self.open[idx] < 0) & ok).nonzero()[0][:MAX_CREDIT_NOTES]
        if len(notes):
            ok[notes] = False
        # (fewer items allowed than notes taken: all others but the last ones)
        at = ok.nonzero()[0][: self.config.max_group_items - len(notes)]
        if len(notes):
            at = np.concatenate((notes, at))
            at.sort()
        out: list[int] = idx[at].tolist()
        return out

    def due_distance(self, t: int, items: list[int]) -> list[int]:
        """Days between payment ``t`` and each item's due date (0 when the payment has no
        date): the cost by which subsets of items are ranked."""
        day = int(self.days[t])
        if day < 0:
            return [0] * len(items)
        out: list[int] = np.abs(self.due[items] - day).tolist()
        return out

    def add(
        self,
        t: int,
        invs: list[int],
        allocs: list[int],
        source: str,
        amount: str,
        rivals: int,
        customer: str,
        interchangeable: bool = False,
        rank: int = 0,
        chance: bool = False,
    ) -> None:
        """Record group ``invs`` of payment ``t`` (``chance``: its items beyond those the
        payment names add up to the rest by coincidence as likely as not, see
        :mod:`.coincidence`)."""
        if any(x == 0 and self.open[i] != 0 for i, x in zip(invs, allocs, strict=True)):
            return  # an invoice the money does not reach is not part of the group
        order = sorted(range(len(invs)), key=lambda k: invs[k])
        invs = [invs[k] for k in order]
        allocs = [allocs[k] for k in order]
        named = sum(1 for i in invs if i in self.refs.get(t, {}))
        ref = (
            "remittance"
            if source in ADVICE_SOURCES
            else ("group_all" if named == len(invs) else "group_some" if named else "none")
        )
        iban, sim = self.evidence(t, customer) or ("unknown", 0.0)
        oldest = min(invs, key=lambda k: (self.due[k], k))
        n = len(invs)
        outside = sum(
            1
            for i, lvl in self.refs.get(t, {}).items()
            if lvl < REF_OK and self.cust[i] == customer and i not in invs
        )
        # the level columns of the raw values (date, name, counts) are worked out once for
        # all rows, vectorized, by :meth:`frame`
        self.rows.append(
            {
                "tx": t,
                "invs": tuple(invs),
                "allocs": tuple(allocs),
                "source": source,
                "amount": amount,
                "reference": ref,
                "iban": iban,
                "name": sim,
                "date": oldest,
                "size": "1" if n == 1 else "2-3" if n <= 3 else "4+",
                "rivals": rivals,
                "inv_rivals": "0",
                "evidence": None,
                "named_outside": outside,
                "siblings": "none",
                "interchangeable": interchangeable,
                "rank": rank,
                "chance": chance,
            }
        )

    def frame(self) -> pd.DataFrame:
        """The rows found, as a frame of :data:`GROUP_COLUMNS` with their feature levels."""
        return group_frame(self.rows, self.days, self.issue, self.due)


def _excluded(items: np.ndarray[Any, Any], exclude: Collection[int]) -> np.ndarray[Any, Any]:
    """``k in exclude`` for each item position ``k`` of ``items`` (at once for the items
    other payments settle, :class:`.claimed.ClaimedElsewhere`)."""
    if isinstance(exclude, ClaimedElsewhere):
        return exclude.mask(items)
    out = np.zeros(len(items), dtype=bool)
    if not exclude:
        return out
    if isinstance(exclude, (set, frozenset)) and len(exclude) <= _FEW:
        for k in exclude:  # (a few named items: compared with the array, not item by item)
            out |= items == k
        return out
    return np.fromiter((k in exclude for k in items.tolist()), dtype=bool, count=len(items))


def group_frame(
    rows: list[dict[str, Any]],
    days: np.ndarray[Any, Any],
    issue: np.ndarray[Any, Any],
    due: np.ndarray[Any, Any],
) -> pd.DataFrame:
    """Rows of :meth:`GroupContext.add` as a frame of :data:`GROUP_COLUMNS` with their feature
    levels (row by row: the rows of several payment shards give the same frame)."""
    df = pd.DataFrame(rows, columns=list(GROUP_COLUMNS))
    if not len(df):
        return df
    oldest = df["date"].to_numpy(dtype=np.int64)
    day = days[df["tx"].to_numpy()]
    df["date"] = date_level(day, issue[oldest], due[oldest])
    df["name"] = name_level(df["name"].to_numpy(dtype=np.float64))
    # a collector's report (:mod:`.payouts`): the payer's name is no evidence either way
    df.loc[df["iban"] == "collector", "name"] = "collector"
    df["rivals"] = count_level(df["rivals"].to_numpy(dtype=np.int64))
    df["named_outside"] = count_level(df["named_outside"].to_numpy(dtype=np.int64))
    df["evidence"] = evidence_level(df["reference"].to_numpy(), df["amount"].to_numpy())
    return df


def level_of(a: int, o: int, ctx: GroupContext) -> str:
    """Amount level of a payment ``a`` against a total ``o`` (minor units, > 0): the level
    :func:`.features.amount_level` gives, worked out on the two integers (not on arrays of
    one: this is asked once per group)."""
    if a == o:  # no difference is exact whatever the config (:func:`.features.amount_codes`)
        return _EXACT
    fee_lo, fee_hi, share_bp, steps = ctx.amount_bounds
    d = o - a
    # the precedence of :func:`.features.amount_codes` (its later assignments win)
    if d > 0 and any(abs(d - (o * bp + 5000) // 10000) <= 1 for bp in steps):
        return _AMOUNT_NAMES[1]  # discount
    if fee_lo <= d <= fee_hi and d * 10000 <= o * share_bp:
        return _AMOUNT_NAMES[2]  # fee
    if d < 0:
        if -d <= fee_hi:
            return _AMOUNT_NAMES[4]  # over_small
        return _AMOUNT_NAMES[6] if 2 * a > 3 * o else _AMOUNT_NAMES[5]  # over_large, over
    return _AMOUNT_NAMES[3]  # partial


def fill(
    a: int, invs: list[int], ctx: GroupContext, sign: int, order: list[int] | None = None
) -> tuple[list[int], str]:
    """Allocations of ``a`` over ``invs`` (credit notes negative): full open amounts; an exact
    early-payment discount is each invoice's own share of it; any other shortfall (a bank fee,
    a short payment) is never spread: the invoices are paid in full in ``order`` (positions in
    ``invs``: the order the payer named them; by default by due date) and the last ones carry
    what is missing. An invoice the money does not reach gets nothing (no penny allocations).
    """
    opens = [sign * int(ctx.open[k]) for k in invs]
    total = sum(opens)
    level = level_of(a, total, ctx) if total > 0 else "over"
    if level in ("exact", "over", "over_small", "over_large"):
        return [sign * o for o in opens], level
    short = total - a
    if level == "discount":
        parts = [o - short * o // total if o > 0 else o for o in opens]
        parts[-1] += a - sum(parts)
        return [sign * p for p in parts], level
    seq = (
        order
        if order is not None
        else sorted(range(len(invs)), key=lambda k: (ctx.due[invs[k]], invs[k]))
    )
    parts = [o if o < 0 else 0 for o in opens]  # credit notes are netted in full
    left = a - sum(parts)
    # the shortfall is one deduction: it falls on the last invoice (in ``order``) that can
    # carry it whole, so a small last invoice does not drop out of the group it was named in
    missing = sum(o for o in opens if o > 0) - left
    carrier = next((k for k in reversed(seq) if opens[k] > missing), None)
    if carrier is not None and missing > 0:
        for k in seq:
            if opens[k] > 0:
                parts[k] = opens[k] - (missing if k == carrier else 0)
        return [sign * p for p in parts], "fee" if level == "fee" else "partial"
    for k in seq:
        if opens[k] > 0:
            parts[k] = min(opens[k], max(left, 0))
            left -= parts[k]
    return [sign * p for p in parts], "fee" if level == "fee" else "partial"
