"""A named run read on in the payer's own numbering.

A payer paying consecutive invoices often names only some of them: the first ones before the
bank's field cut the list, or the first and last. The invoices it names are then a *named
run*, and the items that complete it are the payer's next (or previous) open invoices in its
own numbering (same series, ordered by number), not any subset of its items whose sum fits.

* :func:`window_completion`: when the named invoices fall short of the payment, the windows of
  consecutive open invoice numbers of the payer that hold the named run are tried; when
  exactly one of them makes up the payment to the cent it is the reading (none or several:
  nothing is read here, the subset search of :mod:`.named` goes on).
* :func:`read_on`: a text whose last number is cut short at the field's width (``INV 4401
  4402 44``: the next number, truncated) says the run goes on with that next item. When the
  payment is short of every window ending there or later (an item short-paid: a deduction),
  the run is read on to the first window whose total reaches the payment, the shortfall a
  deduction on one of its items. Which item carries the deduction is a guess, and so is the
  run's end: such a reading is always a suggestion (:func:`.gates.short_run`). A text whose
  named invoices are themselves a run (:func:`dense`: two or more, consecutive in the payer's
  numbering but for few holes) says as much without a cut number: the payer paid a run of
  its invoices, listed the first ones, and paid the last one in part. So does a text naming
  one invoice that the payment exceeds more than 1.5 times (an ``over_large`` excess is no
  overpayment one pays by mistake): that invoice is the first of the run, when the items
  read on carry its next numbers (``4401 4402 4403``, not merely the payer's next ones).
* :func:`payer_window`: a payment that names nothing and that several subsets of the payer's
  items make up to the cent (a tie of the subset search) is read as the one window of
  consecutive open numbers of the payer that makes it up, if exactly one does: a payer
  settling a statement pays a run of its items, and a window (a handful of them among the
  payer's items) rarely fits to the cent by chance, unlike any subset. Only its sum and the
  numbering pick it: always a suggestion (:func:`.gates.unnamed_run`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate, pairwise
from typing import Any

import numpy as np

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.group_context import GroupContext

__all__ = [
    "MIN_ROOM",
    "dense",
    "numbering",
    "payer_window",
    "read_on",
    "room",
    "series_items",
    "window_completion",
]

_SPLIT_NUMBER = re.compile(r"(\d+)")
_TOKEN = re.compile(r"[A-Z0-9]+")
_NOT_DIGIT = re.compile(r"[^0-9]+")
#: items a completion may add however many the text names (a text cut short)
MIN_ROOM = 3
_MIN_CUT = 2  # digits a cut number keeps at least (``44`` of ``4403``)


@lru_cache(maxsize=1 << 16)
def numbering(iid: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """An invoice number as its series (the text around its digit runs) and its numbers:
    ``F2025/000811`` → ``(("F", "/"), (2025, 811))``."""
    parts = _SPLIT_NUMBER.split(iid)
    return tuple(parts[0::2]), tuple(int(x) for x in parts[1::2])


def series_items(t: int, sign: int, cust: str, named: list[int], ctx: GroupContext) -> list[int]:
    """The open items of payer ``cust`` (of the payment's sign: no credit notes) in the series
    of the invoices ``named``, ordered by number: the payer's own numbering. Items issued
    after payment ``t`` (beyond 3 days) are left out, unless named. The last one worked out is
    kept (:func:`window_completion`, :func:`.named._completions` and :func:`read_on` ask for
    the same one in turn)."""
    key = (t, sign, cust, tuple(named))
    last = ctx.payer_numbers.get(("last", "series"))
    if last is not None and last[0] == key:
        return list(last[1])
    mine = _series_items(t, sign, cust, named, ctx)
    ctx.payer_numbers["last", "series"] = (key, mine)
    return list(mine)


def _series_items(t: int, sign: int, cust: str, named: list[int], ctx: GroupContext) -> list[int]:
    ids = ctx.index.numbers[0]
    day = int(ctx.days[t])
    series = {numbering(str(ids[k]))[0] for k in named if sign * int(ctx.open[k]) > 0}
    runs = _series_of(cust, ctx)
    mine: list[int] = []
    for name in sorted(series):  # by series, then by number: ``(numbering, position)``
        items = runs.get(name)
        if items is None:
            continue
        amounts = ctx.open[items]
        keep = amounts > 0 if sign > 0 else amounts < 0
        if day >= 0:
            late = ctx.issue[items] > day + 3
            if late.any():
                chosen = set(named)
                late &= ~np.fromiter((k in chosen for k in items.tolist()), bool, len(items))
                keep &= ~late
        mine.extend(items[keep].tolist())
    return mine


def _series_of(cust: str, ctx: GroupContext) -> dict[tuple[str, ...], np.ndarray[Any, Any]]:
    """The payer's items per series of its invoice numbers, each ordered by ``(numbering,
    position)``: arrays worked out once per shard (not per payment), no number kept."""
    runs = ctx.payer_numbers.get(("series", cust))
    if runs is None:
        items = ctx.index.payer_items(cust)
        split = numbering.__wrapped__  # (every number once: not through the shared cache)
        ids = ctx.index.numbers[0].take(items)
        ranked = sorted(zip(map(split, map(str, ids)), items.tolist(), strict=True))
        lists: dict[tuple[str, ...], list[int]] = {}
        for (name, _), k in ranked:
            lists.setdefault(name, []).append(k)
        runs = ctx.payer_numbers["series", cust] = {
            name: np.array(items, dtype=np.int64) for name, items in lists.items()
        }
    return runs


def _run(
    t: int, a: int, sign: int, named: list[int], cust: str, ctx: GroupContext
) -> tuple[list[int], list[int], int, int, int] | None:
    """The payer's numbering (:func:`series_items`), its open amounts' prefix sums, the first
    and last named positions in it, and what the window must make up (the payment less the
    named items outside the numbering: credit notes, another series); None without a run."""
    mine = series_items(t, sign, cust, named, ctx)
    chosen = set(named)
    where = [p for p, k in enumerate(mine) if k in chosen]
    if not where or len(mine) == len(where):
        return None
    inside = set(mine)
    need = a - sum(sign * int(ctx.open[k]) for k in named if k not in inside)
    sums = [0, *accumulate(sign * int(ctx.open[k]) for k in mine)]
    return mine, sums, where[0], where[-1], need


def window_completion(
    t: int,
    a: int,
    sign: int,
    named: list[int],
    cust: str,
    ctx: GroupContext,
    config: MatchConfig,
) -> tuple[list[int], bool, bool] | None:
    """The items completing the ``named`` invoices of payer ``cust`` to payment ``a`` as the
    one window of consecutive open numbers of the payer holding them that makes up the payment
    to the cent, ``max_wide_group_size`` items in all at most, as ``(items, interchangeable,
    wide)`` (``wide``: it adds more than :func:`room` items); None when no window or several
    do."""
    got = _run(t, a, sign, named, cust, ctx)
    if got is None:
        return None
    mine, sums, lo, hi, need = got
    most = max(config.max_wide_group_size, config.max_group_size) - _outside(named, mine)
    found: list[tuple[int, int]] = []  # windows ``mine[i:j]``
    for i in range(lo, max(-1, hi - most), -1):
        if sums[hi + 1] - sums[i] > need:
            break  # the windows starting earlier are larger still
        for j in range(hi + 1, min(len(mine), i + most) + 1):
            if sums[j] - sums[i] >= need:
                if sums[j] - sums[i] == need:
                    found.append((i, j))
                break
        if len(found) > 1:
            return None
    if len(found) != 1:
        return None
    ((i, j),) = found
    chosen = set(named)
    extra = [k for k in mine[i:j] if k not in chosen]
    return extra, False, len(extra) > room(len(named), config)


def payer_window(
    t: int, a: int, sign: int, cust: str, most: int, ctx: GroupContext
) -> list[int] | None:
    """The one window of two to ``most`` consecutive open items of payer ``cust`` (of the
    payment's sign, one series, ordered by number, issued by 3 days after payment ``t``)
    whose open amounts make up ``a`` to the cent; None when no window or several do."""
    day = int(ctx.days[t])
    found: list[list[int]] = []
    for items in _series_of(cust, ctx).values():
        keep = sign * ctx.open[items] > 0
        if day >= 0:
            keep &= ctx.issue[items] <= day + 3
        mine = items[keep].tolist()
        sums = [0, *accumulate(sign * int(ctx.open[k]) for k in mine)]
        for i in range(len(mine) - 1):
            for j in range(i + 2, min(len(mine), i + most) + 1):
                total = sums[j] - sums[i]
                if total >= a:
                    if total == a:
                        found.append(mine[i:j])
                    break
            if len(found) > 1:
                return None
    return found[0] if len(found) == 1 else None


def room(n_named: int, config: MatchConfig) -> int:
    """Most items a completion adds to ``n_named`` named invoices before it is ``wide`` (a
    suggestion, :func:`.gates.wide_group`): ``max_group_size`` in all, at least
    :data:`MIN_ROOM` however many the text names (a text cut short)."""
    return max(MIN_ROOM, config.max_group_size - n_named)


def _outside(named: list[int], mine: list[int]) -> int:
    """How many of the ``named`` items are not in the numbering ``mine``."""
    inside = set(mine)
    return sum(1 for k in named if k not in inside)


def dense(window: list[int], named: list[int]) -> bool:
    """Are the ``named`` items of ``window`` (the payer's numbering from the first named item
    to the last) a run: at least two of them, the items between them not named fewer than
    half of the named ones less one (``4401 4402 4404``: one hole among three named)?"""
    chosen = set(named)
    n = sum(1 for k in window if k in chosen)
    return n >= 2 and len(window) - n <= (n - 1) // 2


def _digits(x: object) -> str:
    return _NOT_DIGIT.sub("", str(x))


def _cut_before(t: int, nxt: int, cust: str, ctx: GroupContext) -> bool:
    """Does payment ``t``'s text end its numbers with ``nxt``'s invoice number cut short: its
    last token holding a digit a strict prefix of that number's digits (at least
    :data:`_MIN_CUT` of them), and no whole number of the payer's items?"""
    tokens = [tok for tok in _TOKEN.findall(ctx.text(t).upper()) if any(c.isdigit() for c in tok)]
    if not tokens:
        return False
    last, ids = tokens[-1], ctx.index.numbers[0]
    cut, whole = _digits(last), _digits(ids[nxt])
    if len(cut) < _MIN_CUT or len(cut) >= len(whole) or not whole.startswith(cut):
        return False
    return all(_digits(ids[k]) != cut for k in ctx.items[cust])


def read_on(
    t: int,
    a: int,
    sign: int,
    named: list[int],
    cust: str,
    ctx: GroupContext,
    config: MatchConfig,
) -> list[int] | None:
    """The items that read the named run of payer ``cust`` on past a deduction (see the module
    doc): when the text's last number is the next item's number cut short, the named
    invoices are themselves a run (:func:`dense`), or the one invoice named is paid more
    than 1.5 times over (the items read on then its next numbers), the run from the
    first named invoice to the first item whose window total exceeds the payment ``a``
    (without it the window falls short); None when the text is not cut there, a window makes
    up the payment exactly (that is :func:`window_completion`'s to read), or the run would
    grow beyond ``max_group_size`` items in all."""
    got = _run(t, a, sign, named, cust, ctx)
    if got is None:
        return None
    mine, sums, lo, hi, need = got
    if hi + 1 >= len(mine):
        return None
    named_sum = sums[hi + 1] - sums[lo]
    # one invoice named, paid more than 1.5 times over (``over_large``): the first of a run
    lone = hi == lo and 2 * need > 3 * named_sum
    if not (lone or dense(mine[lo : hi + 1], named) or _cut_before(t, mine[hi + 1], cust, ctx)):
        return None
    # read on within ``max_group_size``: beyond it, where the run ends is too long a guess
    most = config.max_group_size - _outside(named, mine)
    if sums[hi + 1] - sums[lo] >= need:
        return None  # the named run alone makes up the payment: nothing to read on
    for j in range(hi + 2, min(len(mine), lo + most) + 1):
        total = sums[j] - sums[lo]
        if total == need:
            return None
        if total > need:
            if lone and not _consecutive(mine[lo:j], ctx):
                return None  # one invoice named: only a run of next numbers says "a run"
            chosen = set(named)
            return [k for k in mine[lo:j] if k not in chosen]
    return None


def _consecutive(items: list[int], ctx: GroupContext) -> bool:
    """Do ``items`` (one series, in order) carry consecutive numbers (``4401 4402 4403``)?"""
    ids = ctx.index.numbers[0]
    nums = [numbering(str(ids[k]))[1] for k in items]
    return all(a[:-1] == b[:-1] and bool(a) and b[-1] == a[-1] + 1 for a, b in pairwise(nums))
