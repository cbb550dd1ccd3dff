"""Grouped hypotheses from what the payer names: remittance-advice lines read as a collector's
itemized report across customers (:mod:`.payouts`), else resolved within one payer (by
reference, else by exact open amount: :mod:`.advice_groups`), and the invoices named in the
payment text, completed when the payment is larger (or smaller, netting a credit note) than
their sum."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from rapprochement.matching.advice_groups import remittance_groups
from rapprochement.matching.coincidence import chance_completion
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.cut_refs import cut_completion, cut_items
from rapprochement.matching.gates import SHORT_RUN
from rapprochement.matching.group_context import REF_OK, GroupContext, fill
from rapprochement.matching.mitm import ranked_subsets
from rapprochement.matching.near_numbers import near_items
from rapprochement.matching.run_on import read_on, series_items, window_completion
from rapprochement.matching.run_on import room as run_room
from rapprochement.matching.subsetsum import find_subsets

__all__ = ["referenced_group", "remittance_groups"]

_PARTIAL_REF = 3  # reference level (digits or stronger) that allows a partly paid completion
_ALNUM = re.compile(r"[^0-9A-Z]+")
_DIGITS = re.compile(r"[^0-9]+")
_NUMBER = re.compile(r"[0-9]+")


def named_order(t: int, invs: list[int], ctx: GroupContext) -> list[int]:
    """Positions in ``invs`` in the order the payment's text names them (by invoice number or
    reference, separators and case aside, else by its digits: a mistyped prefix, the number
    alone); the invoices it does not name after them, by due date. A shortfall falls on the
    last (:func:`fill`)."""
    flat = _ALNUM.sub("", ctx.text(t).upper())
    ids, refs = ctx.index.numbers

    def needles(keys: tuple[str, str]) -> Iterator[str]:
        yield from (_ALNUM.sub("", x.upper()) for x in keys)
        yield from (_DIGITS.sub("", x) for x in keys)  # a mistyped prefix
        yield from (m[-1].lstrip("0") for x in keys if (m := _NUMBER.findall(x)))  # its number

    def where(k: int) -> int:
        i = invs[k]
        for needle in needles((str(ids[i]), str(refs[i]))):  # (worked out until one is found)
            p = flat.find(needle) if len(needle) >= 3 else -1
            if p >= 0:
                return p
        return 1 << 30

    return sorted(range(len(invs)), key=lambda k: (where(k), ctx.due[invs[k]], invs[k]))


def _run_neighbours(
    t: int, sign: int, cust: str, named: list[int], reach: int, ctx: GroupContext
) -> dict[int, int]:
    """The payer's open invoices next to the invoices the text names in the payer's own
    numbering (same series, ordered by number), each with its distance in that order to the
    nearest named one: up to ``reach`` items before the first named invoice and after the
    last, and those between them. A text cut at the channel's width lists the first invoices
    of a run; the payer pays the run. Credit notes are not runs (every open one is searched
    anyway); items issued after the payment (beyond 3 days) are left out, as in the group
    search."""
    mine = series_items(t, sign, cust, named, ctx)
    chosen = set(named)
    where = [p for p, k in enumerate(mine) if k in chosen]
    if not where or len(mine) == len(where):
        return {}
    lo, hi = max(0, where[0] - reach), min(len(mine), where[-1] + reach + 1)
    return {mine[p]: min(abs(p - w) for w in where) for p in range(lo, hi) if mine[p] not in chosen}


def _completions(
    t: int,
    a: int,
    sign: int,
    named: list[int],
    cust: str,
    ctx: GroupContext,
    config: MatchConfig,
    partial: bool,
) -> list[tuple[list[int], bool, bool]]:
    """Ways to complete the named invoices of payer ``cust`` to the payment ``a``, each
    ``(items, interchangeable, wide)``: the exact subsets of the payer's other open items (at
    most two, counted as rivals), else the one exact subset making the group larger than
    ``max_group_size`` (up to ``max_wide_group_size``: ``wide``), else, when the
    payment exceeds the named items, the subsets that reach it with one item only partly paid
    (a payer listing some invoices, the last one paid in part), when ``partial``."""
    total = sum(sign * int(ctx.open[k]) for k in named)
    # the named items are not searched: the bound is on the items added to them
    room = run_room(len(named), config)
    # the items continuing the run the text names come first, then those due nearest
    gap = _run_neighbours(t, sign, cust, named, room, ctx)
    run = sorted(gap, key=lambda k: (gap[k], k))
    near = [k for k in ctx.nearby_items(t, cust, set(named)) if k not in gap]
    # as many items searched as without a run: those due farthest give way (not credit notes)
    extra = len(run) + len(near) - config.max_group_items
    if extra > 0:
        drop = set([k for k in reversed(near) if sign * int(ctx.open[k]) > 0][:extra])
        near = [k for k in near if k not in drop]
    others = run + near
    if not others:
        return []
    vals = [sign * int(ctx.open[k]) for k in others]
    # every exact completion, best first: the run's items (the next numbers first), then
    # those due nearest the payment
    cost = [gap[k] for k in run] + ctx.due_distance(t, others[len(run) :])
    s, _ = ranked_subsets(
        vals, a - total, a - total, cost, min_size=1, max_size=room, limit=2,
        max_nodes=config.max_search_nodes,
    )  # fmt: skip
    if s.solutions or not s.complete or total > a or not partial:
        return [
            ([others[j] for j in sol], inter, False)
            for sol, inter in zip(s.solutions, s.interchangeable, strict=True)
        ]
    # nothing of the usual size completes it: a longer run of which the text lists the first
    # invoices (cut at the field's width), when exactly one fits (a suggestion: ``wide``)
    w, n = ranked_subsets(
        vals, a - total, a - total, cost, min_size=room + 1,
        max_size=config.max_wide_group_size - len(named), limit=2,
        max_nodes=config.max_search_nodes,
    )  # fmt: skip
    if w.complete and n == 1:
        return [([others[j] for j in w.solutions[0]], w.interchangeable[0], True)]
    rem = a - total
    # an invoice number written transposed, or mistyped by one character, completes the
    # group, maybe partly paid
    mistyped = set(near_items(t, cust, named, ctx))
    weak = [k for k in others if k in ctx.weak.get(t, ()) or k in mistyped]
    first: list[int] = []
    if weak:
        wv = [sign * int(ctx.open[k]) for k in weak]
        if sum(wv) == rem or (sum(wv) > rem and max(wv) > sum(wv) - rem):
            return [(weak, False, False)]
        if sum(wv) < rem and len(weak) < room:
            # short of the payment: they are taken as named, the rest completed as below
            first, rem, room = weak, rem - sum(wv), room - len(weak)
            vals = [v for k, v in zip(others, vals, strict=True) if k not in first]
            others = [k for k in others if k not in first]
    top = max(vals, default=0)
    if top <= 0:
        return []
    # fewest items first: one more invoice, partly paid (nearest due first)
    one = [k for k, v in zip(others, vals, strict=True) if v > rem]
    if one:
        return [([*first, k], False, False) for k in one[:2]]
    s = find_subsets(
        vals, rem + 1, rem + top - 1, min_size=1, max_size=room, limit=3,
        max_nodes=config.max_search_nodes,
    )  # fmt: skip
    out: list[tuple[list[int], bool, bool]] = []
    for sol, inter in zip(s.solutions, s.interchangeable, strict=True):
        part = [vals[j] for j in sol]
        # one item (the partly paid one) must exceed the shortfall
        if max(part) > sum(part) - rem:
            out.append(([*first, *(others[j] for j in sol)], inter, False))
    return out[:2]


def _by_shared_reference(t: int, named: list[int], cust: str, ctx: GroupContext) -> list[int]:
    """The named items of payer ``cust`` that the text names only by a reference several of
    its open items carry (one purchase order for many invoices): their own number is not in
    the text, so the reference says "some of these", not which."""
    ids, refs = ctx.index.numbers
    if not any(isinstance(refs[k], str) and refs[k] for k in named):
        return []

    def norm(x: object) -> str:
        return _ALNUM.sub("", str(x).upper()) if isinstance(x, str) else ""

    held = ctx.held_refs.get(cust)
    if held is None:
        held = ctx.held_refs[cust] = defaultdict(int)
        for k in ctx.items[cust]:
            if r := norm(refs[k]):
                held[r] += 1
    flat = _ALNUM.sub("", ctx.text(t).upper())
    out = []
    for k in named:
        if held.get(norm(refs[k]), 0) < 2:
            continue
        own = norm(ids[k])
        digits = _DIGITS.sub("", own).lstrip("0")
        if own in flat or (len(digits) >= 3 and digits in flat):
            continue  # named by its own number as well
        out.append(k)
    return out


def _shared_completion(
    t: int,
    a: int,
    sign: int,
    named: list[int],
    shared: list[int],
    cust: str,
    ctx: GroupContext,
    config: MatchConfig,
) -> bool:
    """Groups of the items named by number plus those of the items named by a shared
    reference (``shared``) that make up the payment exactly (the two nearest due kept, the
    others counted as rivals); True when there is one."""
    sure = [k for k in named if k not in shared]
    rest = a - sum(sign * int(ctx.open[k]) for k in sure)
    day = int(ctx.days[t])
    pool = sorted(shared, key=lambda k: (abs(int(ctx.due[k]) - day), k))
    pool = pool[: config.max_group_items]
    vals = [sign * int(ctx.open[k]) for k in pool]
    s, count = ranked_subsets(
        vals, rest, rest, ctx.due_distance(t, pool), min_size=1,
        max_size=config.max_group_size, limit=2, max_nodes=config.max_search_nodes,
    )  # fmt: skip
    if not s.solutions:
        return False
    rivals = count - 1 + (0 if s.complete else 1)
    for rank, (sol, inter) in enumerate(zip(s.solutions, s.interchangeable, strict=True)):
        invs = sorted(sure + [pool[j] for j in sol])
        if len(invs) < 2:
            continue
        allocs, level = fill(a, invs, ctx, sign, named_order(t, invs, ctx))
        ctx.add(t, invs, allocs, "reference", level, rivals, cust, inter, rank)
    return True


def _run_rivals(
    t: int,
    a: int,
    sign: int,
    own: list[int],
    cust: str,
    ctx: GroupContext,
    config: MatchConfig,
    n0: int,
) -> None:
    """The invoices the text names by their own number (``own``) completed exactly by the run
    of numbers they start (:func:`_completions`), beside the groups a shared reference gave
    (the rows of ``ctx`` from ``n0``): a reference several items carry says "some of these",
    the numbers may say "these and the next ones". Each reading of one kind counts those of
    the other as rivals."""
    if not own or len(ctx.rows) <= n0:
        return
    have = {tuple(r["invs"]) for r in ctx.rows[n0:]}
    found = []
    for extra, inter, wide in _completions(t, a, sign, own, cust, ctx, config, False):
        invs = sorted(own + extra)
        if len(invs) >= 2 and not wide and tuple(invs) not in have:
            found.append((invs, inter))
    if not found:
        return
    for r in ctx.rows[n0:]:
        r["rivals"] = int(r["rivals"]) + len(found)
    n_shared = len(ctx.rows) - n0
    for invs, inter in found:
        allocs, level = fill(a, invs, ctx, sign, named_order(t, invs, ctx))
        ctx.add(t, invs, allocs, "reference", level, n_shared + len(found) - 1, cust, inter)


def _sum(items: list[int], sign: int, ctx: GroupContext) -> int:
    """The open amounts of ``items`` (credit notes negative), in the payment's sign."""
    return sum(sign * int(ctx.open[k]) for k in items)


def _strongest(t: int, named: list[int], custs: list[str], ctx: GroupContext) -> str:
    """The payer (of ``custs``, those of the ``named`` items) whose invoices payment ``t``'s
    text names most strongly: by how many it names at each reference level or stronger
    (checksum, exact, normalized, digits), then by how many in all, then by the payer-name
    similarity (looked up only among payers tied on the counts), then by name."""
    refs = ctx.refs[t]
    score: dict[str, list[int]] = {}  # the counts per level, then the count in all
    for k, c in zip(named, custs, strict=True):
        got = score.get(c)
        if got is None:
            got = score[c] = [0] * (REF_OK + 1)
        for lvl in range(refs[k], REF_OK):
            got[lvl] += 1
        got[REF_OK] += 1
    if len(score) == 1:
        return custs[0]
    best = max(score.values())
    tied = [c for c, got in score.items() if got == best]
    if len(tied) == 1:
        return tied[0]
    return min(tied, key=lambda c: (-ctx.sim(t, c), c))


def referenced_group(
    t: int, a: int, sign: int, named: list[int], ctx: GroupContext, config: MatchConfig
) -> bool:
    """Group of the invoices a payment names (and the credit notes it nets), maybe completed
    by the payer's other open items (see :func:`_completions`; transposed invoice numbers in
    the text are taken first); True when it is conclusive (the payment is not larger than the
    group): the payer's items are then not searched for another group."""
    custs = [ctx.cust[k] for k in named]
    # the payer whose invoices the text names most strongly: one number read as the exact
    # invoice number of one payer is also the digits of another payer's invoice in another
    # series (F2026/002480 and INV0002480); that weaker reading names nobody. Then the payer
    # named by number before one whose invoices only share a number's tail with it.
    cust = _strongest(t, named, custs, ctx)
    named = [k for k, c in zip(named, custs, strict=True) if c == cust]
    total = sum(sign * int(ctx.open[k]) for k in named)
    # (a reference several items carry is read only when the named items are not the payment)
    shared = _by_shared_reference(t, named, cust, ctx) if total != a else []
    if shared:
        n0 = len(ctx.rows)
        if _shared_completion(t, a, sign, named, shared, cust, ctx, config):
            _run_rivals(t, a, sign, [k for k in named if k not in shared], cust, ctx, config, n0)
            return True
        named = [k for k in named if k not in shared]
        if not named:
            return False
        total = sum(sign * int(ctx.open[k]) for k in named)
    # an invoice matched only by the tail of a number cannot be paid as well when the
    # invoices named by their number already exceed the payment
    sure = [k for k in named if ctx.refs[t][k] < REF_OK]
    if len(sure) < len(named) and sum(sign * int(ctx.open[k]) for k in sure) >= a:
        named = sure
        total = sum(sign * int(ctx.open[k]) for k in named)
    # complete the named set when the payment is larger than it (an invoice not named), or
    # smaller while the payer has an open credit note (netted without being named)
    options: list[tuple[list[int], bool, bool]] = []
    short = False  # a run read on past a deduction (:func:`.run_on.read_on`)
    # a number cut short by the bank's field: the group goes on with that item (one reading)
    # (only a payment larger than the named items is completed with a cut one)
    cut = cut_items(t, cust, named, ctx) if total < a else []
    one = cut_completion(t, a, sign, named, cut, cust, ctx, config) if cut else None
    if one is not None:
        options = [one]
    elif total < a and (window := window_completion(t, a, sign, named, cust, ctx, config)):
        options = [window]  # the one window of the payer's numbering that makes it up
    elif total < a or (total > a and ctx.nets(cust, sign)):
        # a partly paid completion only when an invoice is named by its number (digits at
        # least), not by a tail that may be a customer or order number
        strong = any(ctx.refs[t][k] <= _PARTIAL_REF for k in named)
        options = _completions(t, a, sign, named, cust, ctx, config, strong)
        exact = any(_sum(named + extra, sign, ctx) == a for extra, _, _ in options)
        if total < a and not exact:
            # no exact completion: a cut number reads the run on past a deduction
            more = read_on(t, a, sign, named, cust, ctx, config)
            if more is not None:
                options = [(more, False, len(more) > run_room(len(named), config))]
                short = True
    if not options:
        options = [([], False, False)]
    if total > a and len(named) >= 3:
        # a number in the text that is not one of the invoices paid: the named items
        # without it may pay exactly
        vals = [sign * int(ctx.open[k]) for k in named]
        s = find_subsets(vals, a, a, min_size=2, max_size=len(named) - 1, limit=2)
        if len(s.solutions) == 1 and s.complete:
            keep = [named[j] for j in s.solutions[0]]
            allocs, level = fill(a, keep, ctx, sign, named_order(t, keep, ctx))
            ctx.add(t, keep, allocs, "reference", level, 0, cust, s.interchangeable[0])
    conclusive = False
    for extra, inter, wide in options:
        invs = sorted(named + extra)
        if len(invs) < 2:
            continue
        allocs, level = fill(a, invs, ctx, sign, named_order(t, invs, ctx))
        source = SHORT_RUN if short else "reference_wide" if wide else "reference"
        # items the text does not name that make up the rest to the cent only as a chance
        # subset of the payer's items would: an unlisted rival, never preferred (.coincidence)
        added = [sign * int(ctx.open[k]) for k in extra]
        chance = (
            one is None
            and level == "exact"
            and any(v < 0 for v in added)  # (invoices alone are not questioned)
            and chance_completion(
                total,
                added,
                [sign * int(ctx.open[k]) for k in ctx.nearby_items(t, cust, set(named))],
                a,
            )
        )
        rivals = len(options) - 1 + chance
        ctx.add(t, invs, allocs, source, level, rivals, cust, inter, chance=chance)
        # a payment short of the named items (one partly paid) is read; one larger than
        # them ("over") may still be a group of the payer's items found by subset-sum
        conclusive = conclusive or level not in ("over", "over_large")
    return conclusive
