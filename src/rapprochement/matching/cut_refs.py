"""Invoice numbers cut short by a bank's field width, and the groups they complete.

Bank channels carry the payer's reference in a field of fixed width (18 characters for UK
Faster Payments and Bacs, 80 for an ACH addenda, 140 for SEPA): a payer listing several
invoices loses the end of the list, and the last number shown is often cut
(``SIN006601 SIN00660``). Such a token is no invoice number, but it says two things: the text
was cut (more invoices were paid than it lists), and the next invoice paid is one of the
payer's open items whose number starts with it.

A completion of the named invoices must then take one of those items: the search runs per
cut item over the payer's other open items (exact cents only), and may go beyond
``max_group_size`` up to ``max_wide_group_size`` in all (the list was cut, however long it
was). It is read only when exactly one completion fits; a group beyond ``max_group_size`` is
a suggestion (:func:`.gates.wide_group`): its items after the cut one are picked by their sum
alone.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.group_context import GroupContext
from rapprochement.matching.mitm import ranked_subsets

__all__ = ["MAX_CUT_ITEMS", "cut_completion", "cut_items"]

#: Most open items of the payer one cut token may stand for (a shorter cut names too many to
#: be evidence).
MAX_CUT_ITEMS = 3
_TOKEN = re.compile(r"[A-Z0-9]+")
_ALNUM = re.compile(r"[^0-9A-Z]+")
_MIN_DIGITS = 3  # a cut token keeps at least this many digits of the number
_MIN_SHARE = 0.6  # ... and at least this share of its characters


def _norm(x: object) -> str:
    return _ALNUM.sub("", str(x).upper())


def cut_items(t: int, cust: str, named: list[int], ctx: GroupContext) -> list[int]:
    """The open items of payer ``cust`` (not in ``named``) whose invoice number payment
    ``t``'s text holds cut short: a token of the text (at least 3 digits and 60 % of the
    number's characters) that is a strict prefix of the number and no whole number of the
    payer's items. Empty when no token qualifies or one stands for more than
    :data:`MAX_CUT_ITEMS` items (too short to say which)."""
    text = ctx.text(t).upper()
    tokens = {
        tok
        for tok in _TOKEN.findall(text)
        if not tok.isalpha() and sum(map(str.isdigit, tok)) >= _MIN_DIGITS
    }
    if not tokens:
        return []
    numbers, places = _payer_numbers(cust, ctx)
    size = len(numbers)
    items: list[int] | None = None
    skip: set[int] = set()
    out: list[int] = []
    for tok in sorted(tokens):
        j = bisect_left(numbers, tok)
        if j == size or numbers[j] == tok or not numbers[j].startswith(tok):
            continue  # a whole number of the payer's items, or the start of none
        if items is None:
            items, skip = ctx.items[cust], set(named)
        run = []
        while j < size and numbers[j].startswith(tok):
            run.append((places[j], numbers[j]))
            j += 1
        hits = [
            items[p]
            for p, number in sorted(run)
            if items[p] not in skip
            and len(tok) < len(number)
            and len(tok) >= _MIN_SHARE * len(number)
        ]
        if len(hits) > MAX_CUT_ITEMS:
            return []
        out.extend(k for k in hits if k not in out)
    return out


def _payer_numbers(cust: str, ctx: GroupContext) -> tuple[list[str], list[int]]:
    """The invoice numbers of payer ``cust``'s items (normalized) sorted, and the place of
    each among the payer's items: the numbers a token starts are a run of them (found by
    bisection, not by reading every number). Once per shard, not per payment naming it."""
    got = ctx.payer_numbers.get(("cut", cust))
    if got is None:
        ids = ctx.index.numbers[0].take(ctx.items.run(cust))
        ranked = sorted((_norm(x), p) for p, x in enumerate(ids))
        got = ctx.payer_numbers["cut", cust] = ([x for x, _ in ranked], [p for _, p in ranked])
    return got


def cut_completion(
    t: int,
    a: int,
    sign: int,
    named: list[int],
    cut: list[int],
    cust: str,
    ctx: GroupContext,
    config: MatchConfig,
) -> tuple[list[int], bool, bool] | None:
    """The one completion of the ``named`` items of payer ``cust`` to payment ``a`` that takes
    one of the ``cut`` items (:func:`cut_items`) and other open items of the payer, to the
    cent, ``max_wide_group_size`` items in all at most, as ``(items, interchangeable,
    wide)`` (``wide``: more than ``max_group_size`` in all); None when there is none, several,
    or a search did not finish (a cut number is evidence for one reading only)."""
    rest = a - sum(sign * int(ctx.open[k]) for k in named)
    room = max(config.max_wide_group_size, config.max_group_size) - len(named)
    if not cut or rest <= 0 or room < 1:
        return None
    nearby = ctx.nearby_items(t, cust, set(named))
    found: dict[tuple[int, ...], bool] = {}
    for c in cut:
        need = rest - sign * int(ctx.open[c])
        if need == 0:
            found[(c,)] = False
            continue
        others = [k for k in nearby if k != c]
        if need < 0 or room < 2 or not others:
            continue
        vals = [sign * int(ctx.open[k]) for k in others]
        s, n = ranked_subsets(
            vals, need, need, ctx.due_distance(t, others), min_size=1, max_size=room - 1,
            limit=2, max_nodes=config.max_search_nodes,
        )  # fmt: skip
        if not s.complete or n > 1:
            return None
        for sol, inter in zip(s.solutions, s.interchangeable, strict=True):
            found[tuple(sorted([c, *(others[j] for j in sol)]))] = inter
    if len(found) != 1:
        return None
    ((items, inter),) = found.items()
    return list(items), inter, len(named) + len(items) > config.max_group_size
