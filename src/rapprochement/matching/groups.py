"""Grouped hypotheses: one payment settling several open items of one payer.

Three sources, in order of evidence:

1. **remittance advice** lines (``transaction_id, reference, amount``): each line's reference
   is looked up like a payment text and its amount is used as the allocation;
2. **referenced groups**: the payment text names two or more invoices; their sum is compared to
   the payment (exact, discount, fee, or one of them only partly paid), and a shortfall may be
   completed by an exact subset of the payer's other open items;
3. **subset-sum** over the payer's open items (:mod:`.subsetsum`), exact cents first, then
   within the fee / discount window, counting the alternative subsets.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.candidates import KeyIndex, lookup
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.features import (
    AMOUNT_CLASS,
    amount_level,
    count_level,
    date_level,
    evidence_level,
    name_level,
)
from rapprochement.matching.keys import text_keys
from rapprochement.matching.subsetsum import find_subsets
from rapprochement.money import currency_exponent

__all__ = ["GROUP_COLUMNS", "group_hypotheses"]

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
    "interchangeable",
)
_REF_OK = 4  # reference level (tail or stronger) that counts as "this invoice is named"
_PAYER_SIM = 85.0  # name similarity (0-100) that lets a payer's open items be searched


class _Ctx:
    def __init__(
        self,
        tx: pd.DataFrame,
        inv: pd.DataFrame,
        pairs: pd.DataFrame,
        config: MatchConfig,
        currency: str,
    ) -> None:
        self.tx, self.inv, self.config, self.currency = tx, inv, config, currency
        self.open = inv["open"].to_numpy()
        self.amounts: np.ndarray[Any, Any] = tx["amount"].to_numpy()
        self.days: np.ndarray[Any, Any] = tx["day"].to_numpy()
        self.cust = inv["customer_id"].to_numpy()
        self.issue = inv["issue_day"].to_numpy()
        self.due = inv["due_day"].to_numpy()
        self.items: dict[str, list[int]] = defaultdict(list)
        for k, c in enumerate(self.cust):
            self.items[c].append(k)
        for c in self.items:
            self.items[c].sort(key=lambda k: (self.due[k], k))
        # per tx: {inv: ref level} and the best (iban, name_sim) per customer
        self.refs: dict[int, dict[int, int]] = defaultdict(dict)
        self.who: dict[tuple[int, str], tuple[str, float]] = {}
        # from all candidate pairs: a credit note named in the text counts too
        tcol, icol, rcol = pairs["tx"].to_numpy(), pairs["inv"].to_numpy(), pairs["ref"]
        ibans = np.array(["known", "other", "unknown"], dtype=object)[pairs["iban"].to_numpy()]
        for t, i, r, ib, ns in zip(
            tcol, icol, rcol.to_numpy(), ibans, pairs["name_sim"].to_numpy(), strict=True
        ):
            if r <= _REF_OK:
                self.refs[int(t)][int(i)] = int(r)
            self.who[(int(t), self.cust[i])] = (str(ib), float(ns))
        self.rows: list[dict[str, Any]] = []

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
    ) -> None:
        order = sorted(range(len(invs)), key=lambda k: invs[k])
        invs = [invs[k] for k in order]
        allocs = [allocs[k] for k in order]
        named = sum(1 for i in invs if i in self.refs.get(t, {}))
        ref = (
            "remittance"
            if source == "remittance"
            else ("group_all" if named == len(invs) else "group_some" if named else "none")
        )
        iban, sim = self.who.get((t, customer), ("unknown", 0.0))
        day = int(self.days[t])
        oldest = min(invs, key=lambda k: (self.due[k], k))
        date = date_level(np.array([day]), self.issue[[oldest]], self.due[[oldest]])[0]
        n = len(invs)
        self.rows.append(
            {
                "tx": t,
                "invs": tuple(invs),
                "allocs": tuple(allocs),
                "source": source,
                "amount": amount,
                "reference": ref,
                "iban": iban,
                "name": name_level(np.array([sim]))[0],
                "date": date,
                "size": "1" if n == 1 else "2-3" if n <= 3 else "4+",
                "rivals": count_level(rivals),
                "inv_rivals": "0",
                "evidence": evidence_level([ref], [amount])[0],
                "named_outside": count_level(
                    sum(
                        1
                        for i in self.refs.get(t, {})
                        if self.cust[i] == customer and i not in invs
                    )
                ),
                "interchangeable": interchangeable,
            }
        )


def _level(a: int, o: int, ctx: _Ctx) -> str:
    return str(amount_level(np.array([a]), np.array([o]), ctx.config, ctx.currency)[0])


def _fill(a: int, invs: list[int], ctx: _Ctx, sign: int) -> tuple[list[int], str]:
    """Allocations of ``a`` over ``invs`` (credit notes negative): full open amounts; a
    shortfall is a discount or fee spread in proportion, or else the last invoice (highest id)
    is only partly paid."""
    opens = [sign * int(ctx.open[k]) for k in invs]
    total = sum(opens)
    level = _level(a, total, ctx) if total > 0 else "over"
    if level in ("exact", "over", "over_small"):
        return [sign * o for o in opens], level
    short = total - a
    if level in ("discount", "fee"):
        parts = [o - short * o // total if o > 0 else o for o in opens]
        parts[-1] += a - sum(parts)
        return [sign * p for p in parts], level
    parts = list(opens)
    for k in sorted(range(len(invs)), key=lambda k: -invs[k]):
        if short <= 0:
            break
        if parts[k] > 0:
            take = min(short, parts[k] - 1)
            parts[k] -= take
            short -= take
    return [sign * p for p in parts], "partial"


def _explained(ctx: _Ctx, c: str, parsed: list[tuple[dict[int, int], int]]) -> tuple[int, int]:
    """How many advice lines payer ``c`` explains by reference, and by exact open amount."""
    by_ref = sum(
        any(ctx.cust[i] == c and lvl <= _REF_OK for i, lvl in h.items()) for h, _ in parsed
    )
    amounts = {abs(int(ctx.open[k])) for k in ctx.items[c]}
    by_amt = sum(amt in amounts for _, amt in parsed)
    return by_ref, by_amt


def _remittance(
    ctx: _Ctx,
    remits: pd.DataFrame,
    index: KeyIndex,
    tpos: dict[str, int],
    link_of: dict[int, list[tuple[str, bool]]],
) -> None:
    """One hypothesis per payment with advice lines: the lines are resolved within one payer
    (the one that explains most lines by reference or, failing that, by exact open amount)."""
    line_keys = {
        (r, m): text_keys(f"{r} {m}")
        for r, m in zip(remits["reference"], remits["memo"], strict=True)
    }
    keydict = index.subset({k for ks in line_keys.values() for k in ks})
    for tid, lines in remits.groupby("transaction_id", sort=True):
        t = tpos.get(str(tid))
        if t is None:
            continue
        sign = 1 if ctx.amounts[t] >= 0 else -1
        parsed = []
        custs = {c for c, _ in link_of.get(t, [])}
        for ref, memo, amt in zip(lines["reference"], lines["memo"], lines["amount"], strict=True):
            hits = lookup(keydict, line_keys[(ref, memo)], ctx.config)
            parsed.append((hits, abs(int(amt))))
            custs |= {ctx.cust[i] for i, lvl in hits.items() if lvl <= 2}
        if not custs:
            continue

        score = {c: _explained(ctx, c, parsed) for c in custs}
        cust = min(custs, key=lambda c: (-sum(score[c]), -score[c][0], c))
        invs: list[int] = []
        allocs: list[int] = []
        for hits, amt in parsed:
            own = sorted(
                (lvl, i) for i, lvl in hits.items() if ctx.cust[i] == cust and i not in invs
            )
            if own and own[0][0] <= _REF_OK:
                k = own[0][1]
            else:
                # unknown or garbled reference (a PO number): the payer's open item of that amount
                same = [
                    k for k in ctx.items[cust] if k not in invs and abs(int(ctx.open[k])) == amt
                ]
                if not same:
                    continue
                k = same[0]
            invs.append(k)
            allocs.append(sign * amt)
        if invs:
            a = abs(int(ctx.amounts[t]))
            level = _level(a, sum(abs(x) for x in allocs), ctx)
            ctx.add(t, invs, allocs, "remittance", level, 0, cust)


def _referenced(
    t: int, a: int, sign: int, named: list[int], ctx: _Ctx, config: MatchConfig
) -> bool:
    """Group of the invoices a payment names (and the credit notes it nets), maybe completed
    by the one exact subset of the payer's other open items; True when a hypothesis was added."""
    per: dict[str, int] = defaultdict(int)
    for k in named:
        per[ctx.cust[k]] += 1
    cust = min(per, key=lambda c: (-per[c], -ctx.who.get((t, c), ("", 0.0))[1], c))
    named = [k for k in named if ctx.cust[k] == cust]
    total = sum(sign * int(ctx.open[k]) for k in named)
    inter = False
    # complete the named set when the payment is larger than it (an invoice not named), or
    # smaller while the payer has an open credit note (netted without being named)
    nets = any(sign * int(ctx.open[k]) < 0 for k in ctx.items[cust])
    if total < a or (total > a and nets):
        day = int(ctx.days[t])
        others = sorted(
            (k for k in ctx.items[cust] if k not in named),
            key=lambda k: (abs(int(ctx.due[k]) - day), k),
        )
        others = others[: config.max_group_items]
        if others:
            vals = [sign * int(ctx.open[k]) for k in others]
            s = find_subsets(
                vals,
                a - total,
                a - total,
                min_size=1,
                max_size=max(1, config.max_group_size - len(named)),
                limit=2,
                max_nodes=config.max_search_nodes,
            )
            if len(s.solutions) == 1:
                named = sorted(named + [others[j] for j in s.solutions[0]])
                inter = s.interchangeable[0]
    if len(named) < 2:
        return False
    allocs, level = _fill(a, named, ctx, sign)
    ctx.add(t, named, allocs, "reference", level, 0, cust, inter)
    return True


def _payers(t: int, ctx: _Ctx, links: list[tuple[str, bool]]) -> list[str]:
    """The (at most two) customers a payment most likely comes from: a known IBAN first, then
    the most similar names; ties by id."""
    best: dict[str, tuple[bool, float]] = {}
    for c, ib in links:
        sim = ctx.who.get((t, c), ("unknown", 0.0))[1]
        if ib or sim >= _PAYER_SIM:
            old = best.get(c, (False, 0.0))
            best[c] = (old[0] or ib, max(old[1], sim))
    return sorted(best, key=lambda c: (not best[c][0], -best[c][1], c))[:2]


def group_hypotheses(
    tx: pd.DataFrame,
    inv: pd.DataFrame,
    pairs: pd.DataFrame,
    singles: pd.DataFrame,
    links: pd.DataFrame,
    remits: pd.DataFrame | None,
    index: KeyIndex,
    config: MatchConfig,
    currency: str,
) -> pd.DataFrame:
    """All grouped hypotheses of one currency partition (see module doc), as a frame.

    ``pairs`` are the candidate pairs (all signs), ``singles`` their scored-feature subset.
    """
    ctx = _Ctx(tx, inv, pairs, config, currency)
    tpos = {tid: k for k, tid in enumerate(tx["transaction_id"])}
    link_of: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for t, c, ib in zip(links["tx"], links["customer_id"], links["iban_link"], strict=True):
        link_of[int(t)].append((c, bool(ib)))
    if remits is not None and len(remits):
        _remittance(ctx, remits, index, tpos, link_of)
    done = {r["tx"] for r in ctx.rows}
    # a payment that clearly settles one invoice is not searched for a group: exact or near
    # amount with a reference or a known IBAN, or one invoice named by a strong reference
    # (checksum, exact, normalized) while the text names no other
    cls = singles["amount"].map(AMOUNT_CLASS)
    strong = (cls != "far") & ((singles["ref"] <= _REF_OK) | (singles["iban"] == "known"))
    netting = {c for c, ks in ctx.items.items() if any(ctx.open[k] < 0 for k in ks)}
    strong |= (
        (singles["ref"] <= 2)
        & (singles["named_outside"] == "0")
        & ~singles["customer_id"].isin(netting)
    )
    strong_single = set(singles.loc[strong, "tx"].tolist())
    exp = currency_exponent(currency)
    fee_hi = int(config.fee_max.scaleb(exp))
    fee_lo = int(config.fee_min.scaleb(exp))
    deadline = time.monotonic() + config.time_limit_s

    def hi_of(a: int) -> int:
        return max(a + fee_hi, a * 10000 // (10000 - int(config.discount_max * 10000)) + 1)

    amounts = tx["amount"].to_numpy()
    days = tx["day"].to_numpy()
    for t in range(len(tx)):
        if t in done or amounts[t] == 0:
            continue
        sign = 1 if amounts[t] > 0 else -1
        a = abs(int(amounts[t]))
        named = sorted(ctx.refs.get(t, {}))
        if named and _referenced(t, a, sign, named, ctx, config):
            continue
        if t in strong_single or time.monotonic() > deadline:
            continue
        for cust in _payers(t, ctx, link_of.get(t, [])):
            items = [k for k in ctx.items[cust] if days[t] < 0 or ctx.issue[k] <= days[t] + 3]
            if len(items) < 2:
                continue
            # preferred first: due nearest the payment (equal amounts are taken in this order)
            items = sorted(items, key=lambda k: (abs(int(ctx.due[k]) - int(days[t])), k))
            items = items[: config.max_group_items]
            vals = [sign * int(ctx.open[k]) for k in items]
            # two items at least: none fits when even the two smallest exceed the window
            if min(vals) > 0 and 2 * min(vals) > hi_of(a):
                continue
            s = find_subsets(
                vals,
                a,
                a,
                max_size=config.max_group_size,
                limit=3,
                max_nodes=config.max_search_nodes,
            )
            level = "exact"
            # the fee / discount window only when the exact search was conclusive: a search
            # the budget stopped would be stopped again, wider
            if not s.solutions and s.complete:
                hi = hi_of(a)
                s = find_subsets(
                    vals,
                    a + fee_lo,
                    hi,
                    max_size=config.max_group_size,
                    limit=3,
                    max_nodes=config.max_search_nodes,
                )
                level = ""
            rivals = len(s.solutions) - 1 + (0 if s.complete else 1)
            for sol, inter in zip(s.solutions, s.interchangeable, strict=True):
                invs = [items[j] for j in sol]
                allocs, lvl = _fill(a, invs, ctx, sign)
                ctx.add(t, invs, allocs, "subset", level or lvl, rivals, cust, inter)
    return pd.DataFrame(ctx.rows, columns=list(GROUP_COLUMNS))
