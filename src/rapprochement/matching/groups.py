"""Grouped hypotheses: one payment settling several open items of one payer.

Three sources, in order of evidence:

1. **remittance advice** lines (``transaction_id, reference, amount``): each line's reference
   is looked up like a payment text and its amount is used as the allocation
   (:func:`.named.remittance_groups`);
2. **referenced groups**: the payment text names two or more invoices; their sum is compared to
   the payment (exact, discount, fee, or one of them only partly paid), and a shortfall may be
   completed by the payer's other open items (:func:`.named.referenced_group`);
3. **subset-sum** over the payer's open items (:mod:`.subsetsum`), exact cents first, then
   within the fee / discount window, counting the alternative subsets (this module).

The shared state of the search is a :class:`.group_context.GroupContext`.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pandas as pd

from rapprochement.matching.candidates import KeyIndex
from rapprochement.matching.claimed import ClaimedElsewhere, LineKeys
from rapprochement.matching.coincidence import chance_completion
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.features import AMOUNT_CLASS
from rapprochement.matching.gates import UNNAMED_RUN
from rapprochement.matching.group_context import (
    GROUP_COLUMNS,
    REF_OK,
    GroupContext,
    GroupIndex,
    fill,
)
from rapprochement.matching.mitm import ranked_subsets
from rapprochement.matching.named import referenced_group, remittance_groups
from rapprochement.matching.run_on import payer_window
from rapprochement.money import currency_exponent

__all__ = ["GROUP_COLUMNS", "group_search"]

_PAYER_SIM = 85.0  # name similarity (0-100) that lets a payer's open items be searched


def _payers(t: int, ctx: GroupContext, links: list[tuple[str, bool]]) -> list[str]:
    """The (at most two) customers a payment most likely comes from: a known IBAN first, then
    the most similar names; ties by id."""
    best: dict[str, tuple[bool, float]] = {}
    for c, ib in links:
        sim = ctx.sim(t, c)
        if ib or sim >= _PAYER_SIM:
            old = best.get(c, (False, 0.0))
            best[c] = (old[0] or ib, max(old[1], sim))
    return sorted(best, key=lambda c: (not best[c][0], -best[c][1], c))[:2]


def _by_chance(
    t: int, a: int, sol: tuple[int, ...], vals: list[int], items: list[int], ctx: GroupContext
) -> bool:
    """True when subset ``sol`` (positions in ``items``, amounts ``vals``) holds an item the
    payment names and reaches ``a`` with others, a credit note among them, that a chance
    subset of the payer's unnamed items would match as well (:mod:`.coincidence`)."""
    refs = ctx.refs.get(t)
    if not refs:
        return False
    named = {j for j, k in enumerate(items) if k in refs}
    inside = [j for j in sol if j in named]
    if not inside or len(inside) == len(sol):
        return False
    extra = [vals[j] for j in sol if j not in named]
    pool = [v for j, v in enumerate(vals) if j not in named]
    return chance_completion(sum(vals[j] for j in inside), extra, pool, a)


def group_search(
    tx: pd.DataFrame,
    inv: pd.DataFrame,
    pairs: pd.DataFrame,
    singles: pd.DataFrame,
    links: pd.DataFrame,
    remits: pd.DataFrame | None,
    index: KeyIndex,
    config: MatchConfig,
    currency: str,
    shared: GroupIndex | None = None,
    claimed: Mapping[int, str] | None = None,
    line_keys: LineKeys | None = None,
) -> GroupContext:
    """The group search of one currency partition (see module doc), its rows in the returned
    context's ``rows``: the advice lines' groups first, then the other groups payment by
    payment (each payment's rows read only that payment's pairs, links and lines). ``shared``:
    the open-item side built once for every shard (:class:`.group_context.GroupIndex`).
    ``claimed``: open items settled outright (:mod:`.claimed`; item → payment id), left out
    of the subset-sum search of every other payment; ``line_keys``: the advice lines' keys
    it read (:class:`.claimed.LineKeys`)."""
    ctx = GroupContext(tx, inv, pairs, config, currency, shared)
    tpos = {tid: k for k, tid in enumerate(tx["transaction_id"])}
    link_of: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    columns = (links[c].tolist() for c in ("tx", "customer_id", "iban_link"))
    for t, c, ib in zip(*columns, strict=True):  # (the columns read as lists once)
        link_of[int(t)].append((c, bool(ib)))
        if ib:
            ctx.iban_links.add((int(t), c))
    if remits is not None and len(remits):
        remittance_groups(ctx, remits, index, tpos, link_of, line_keys)
    done = {r["tx"] for r in ctx.rows}
    # a payment that clearly settles one invoice is not searched for a group: exact or near
    # amount with a reference, or one invoice named by a strong reference (checksum, exact,
    # normalized) while the text names no other. A known IBAN with an exact amount alone does
    # not stop the search: the payer's group competes with the single invoice on its score.
    cls = singles["amount"].map(AMOUNT_CLASS)
    strong = (cls != "far") & (singles["ref"] <= REF_OK)
    netting = ctx.netting
    strong |= (
        (singles["ref"] <= 2)
        & (singles["named_outside"] == "0")
        & ~singles["customer_id"].isin(netting)
    )
    strong_single = set(singles.loc[strong, "tx"].tolist())
    # a payment that one invoice of a known payer explains alone: a group found as well is
    # a rival explanation, never automatic
    known_single = set(singles.loc[(cls != "far") & (singles["iban"] == "known"), "tx"].tolist())
    exp = currency_exponent(currency)
    fee_hi = int(config.fee_max.scaleb(exp))
    fee_lo = int(config.fee_min.scaleb(exp))
    limit = config.time_limit_s
    deadline = None if limit is None else time.monotonic() + limit

    def hi_of(a: int) -> int:
        return max(a + fee_hi, a * 10000 // (10000 - int(config.discount_max * 10000)) + 1)

    amounts: list[int] = tx["amount"].to_numpy(dtype=np.int64).tolist()
    tids = [str(x) for x in tx["transaction_id"]]
    size, nodes = config.max_group_size, config.max_search_nodes
    claims = {} if claimed is None else claimed
    for t in range(len(tx)):
        if t in done or amounts[t] == 0:
            continue
        sign = 1 if amounts[t] > 0 else -1
        a = abs(amounts[t])
        named = sorted(ctx.refs[t]) if t in ctx.refs else []
        if named and referenced_group(t, a, sign, named, ctx, config):
            continue
        if t in strong_single or (deadline is not None and time.monotonic() > deadline):
            continue
        for cust in _payers(t, ctx, link_of.get(t, [])):
            # preferred first: due nearest the payment (equal amounts are taken in this order)
            items = ctx.nearby_items(t, cust, ClaimedElsewhere(claims, tids[t]))
            if len(items) < 2:
                continue
            vals: list[int] = (sign * ctx.open[items]).tolist()
            # two items at least: none fits when even the two smallest exceed the window
            if min(vals) > 0 and 2 * min(vals) > hi_of(a):
                continue
            # nor when even its largest items (as many as a group holds) fall short of the
            # payment: no window searched below starts under it (nothing found, nothing kept)
            if sum(sorted((v for v in vals if v > 0), reverse=True)[:size]) < a:
                continue
            # every subset that fits, best first: the items due nearest the payment
            cost = ctx.due_distance(t, items)
            s, count = ranked_subsets(vals, a, a, cost, max_size=size, max_nodes=nodes)
            level = "exact"
            # the fee / discount window only when the exact search was conclusive: a search
            # the budget stopped would be stopped again, wider; and not when one of the
            # payer's items is the payment to the cent (that one item reads it better than a
            # group short by a guessed fee)
            if not s.solutions and s.complete and a not in vals:
                s, count = ranked_subsets(
                    vals, a + fee_lo, hi_of(a), cost, max_size=size, max_nodes=nodes
                )
                level = ""
            rivals = count - 1 + (0 if s.complete else 1) + (t in known_single)
            run: list[int] = []
            if level == "exact" and count > 1 and not named:
                # several subsets fit: the one window of the payer's numbering that does is
                # read first (:func:`.run_on.payer_window`), the subsets its rivals
                run = payer_window(t, a, sign, cust, size, ctx) or []
                if run:
                    allocs, lvl = fill(a, run, ctx, sign)
                    ctx.add(t, run, allocs, UNNAMED_RUN, lvl, int(t in known_single), cust)
                    rivals += 1
            for rank, (sol, inter) in enumerate(zip(s.solutions, s.interchangeable, strict=True)):
                invs = [items[j] for j in sol]
                if run and sorted(invs) == sorted(run):
                    continue  # read as the window above
                allocs, lvl = fill(a, invs, ctx, sign)
                chance = level == "exact" and _by_chance(t, a, sol, vals, items, ctx)
                ctx.add(
                    t, invs, allocs, "subset", level or lvl, rivals + chance, cust, inter, rank,
                    chance=chance,
                )  # fmt: skip
    return ctx
