"""An advice line quoting another customer's invoice that does not fit is read as a typo.

Issue 12, class 2, for remittance-advice lines (the payment text is :mod:`.typos`): a line
says ``109263``, 1 381.62, and ``109263`` is another customer's 3 042.26 invoice, while an
open item of exactly 1 381.62, ``109269``, is one character away from the number quoted. Read
as a part payment of ``109263`` the allocation puts a wrong balance on a customer who has not
paid; read as a typo the line settles the item that fits. A line's hit on an item is read as a
typo when

* the line names the item (tail or stronger) but its amount (with its stated discount) is not
  the item's open amount,
* the payer is not identified as that item's customer (no known IBAN, a name below ``high``),
  and
* an open item of another customer has exactly the line's amount and a number or reference
  one edit away from what the line quotes (:func:`.edits.one_edit`).

The hit is then replaced by the fitting items (at a level that does not count as named: the
line is resolved by its amount within their customer). A reading resting on such a typo is
never automatic while the payer is not identified as the customer of the items it settles
(:func:`typo_read`): a mistyped number and an amount are all it has. Nothing here depends on
a number format: the edit distance is taken on the numbers upper-cased without separators.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from rapprochement.matching.edits import _BINS, _LONG, MIN_LEN, key_of, keys_of, one_edit, shapes
from rapprochement.matching.group_context import REF_OK, REF_WEAK, GroupContext

__all__ = ["TYPO_SOURCE", "AmountIndex", "typo_hits", "typo_read"]

#: source of an advice group one of whose lines was read as a typo
TYPO_SOURCE = "remittance_typo"
_PAYER_SIM = 85.0  # name similarity from which the payer is named (``high``)
_PAYER_IBAN = frozenset({"known", "collector"})
_PAYER_NAME = frozenset({"exact", "high"})
_SCAN = 48  # keys of an amount compared one by one (more: their shapes first)


class AmountIndex:
    """Open items by absolute open amount, and the number and reference keys of an amount's
    items, worked out on first use (only advice lines that look mistyped read it; an amount's
    keys only when some line is read against it).

    The items one edit from a quoted key (:func:`.edits.one_edit`) are those of the amount
    that a scan with :func:`.edits.one_edit` keeps; on an amount holding many keys (a large
    book's round amounts) the scan compares only the keys that pass two necessary conditions
    of one edit, checked on all of them at once (lengths one apart at most, binned character
    counts two apart at most: :func:`.edits.shapes`), as :func:`.edits.typo_rows` does."""

    def __init__(self, ctx: GroupContext) -> None:
        self._ctx = ctx
        self._groups: dict[int, _Amount] = {}
        self._keys: dict[int, set[str]] = {}
        self._shapes: dict[str, tuple[int, np.ndarray[Any, Any]]] = {}

    def items(self, amount: int) -> list[int]:
        """The open items whose absolute open amount is ``amount``, in position order."""
        # (two arrays shared by every shard, not a dict of every open item per shard)
        size, order = self._ctx.index.by_amount
        lo, hi = np.searchsorted(size, [amount, amount + 1])
        out: list[int] = order[lo:hi].tolist()
        return out

    def keys(self, k: int) -> set[str]:
        """The number and reference keys of open item ``k`` (:func:`.edits.key_of`, empty
        ones left out), worked out once."""
        got = self._keys.get(k)
        if got is None:
            ids, refs = self._ctx.index.numbers
            got = self._keys[k] = {key_of(ids[k]), key_of(refs[k])}
            got.discard("")
        return got

    def near(self, amount: int, quoted: set[str]) -> list[int]:
        """The open items of absolute open amount ``amount`` with a number or reference one
        edit away from one of the ``quoted`` keys, in position order: the items of
        :meth:`items` that a scan with :func:`.edits.one_edit` would keep."""
        quoted = {q for q in quoted if len(q) >= MIN_LEN}
        if not quoted:
            return []
        group = self._groups.get(amount)
        if group is None:
            group = self._groups[amount] = self._group(amount)
        if not group.owner:
            return []
        if group.lens is None:  # few keys: each compared
            owner = group.owner
            return sorted(
                {owner[j] for a in quoted for j, b in enumerate(group.keys) if one_edit(a, b)}
            )
        assert group.counts is not None  # (with the lengths)
        found: set[int] = set()
        for a in quoted:
            size, counts = self._shape(a)
            # the keys one character longer or shorter at most: a run of them (by length)
            lo, hi = np.searchsorted(group.lens, [size - 1, size + 2]).tolist()
            if lo == hi:
                continue
            close: Iterable[int] = range(lo, hi)
            if size <= _LONG:
                dist = np.abs(group.counts[:, lo:hi] - counts[:, None]).sum(axis=0)
                close = (np.flatnonzero((dist <= 2) | (group.lens[lo:hi] > _LONG)) + lo).tolist()
            for j in close:
                if group.owner[j] not in found and one_edit(a, group.keys[j]):
                    found.add(group.owner[j])
        return sorted(found)

    def _shape(self, key: str) -> tuple[int, np.ndarray[Any, Any]]:
        """Length and binned character counts of a quoted ``key`` (:func:`.edits.shapes`),
        worked out once."""
        got = self._shapes.get(key)
        if got is None:  # (one key: counted in Python, as :func:`.edits.shapes` counts)
            counts = [0] * _BINS
            for ch in key:
                counts[ord(ch) % _BINS] += 1
            row = np.minimum(np.array(counts, dtype=np.int16), 127)
            got = self._shapes[key] = len(key), row
        return got

    def _group(self, amount: int) -> _Amount:
        """The keys of the items of ``amount`` (those of :data:`MIN_LEN` characters or more,
        each with its item), with their shapes when they are many."""
        items = self.items(amount)
        known = [k for k in items if k not in self._keys]
        for k, got in zip(known, _keys(self._ctx, known), strict=True):
            self._keys[k] = got
        owner, keys = [], []
        for k in items:
            for b in self._keys[k]:
                if len(b) >= MIN_LEN:
                    owner.append(k)
                    keys.append(b)
        if len(keys) <= _SCAN:
            return _Amount(owner, keys, None, None)
        lens, counts = shapes(keys)
        by_len = np.argsort(lens, kind="stable")  # (keys of a length range: one run)
        at = by_len.tolist()
        owner, keys = [owner[j] for j in at], [keys[j] for j in at]
        # (the counts by bin: summed over the bins as a few long rows, not many short ones)
        counts = np.ascontiguousarray(counts[by_len].T, dtype=np.int16)
        return _Amount(owner, keys, lens[by_len], counts)


class _Amount(NamedTuple):
    """The keys of one amount's items: ``owner[j]`` holds ``keys[j]``; their lengths and
    binned character counts (:func:`.edits.shapes`, bins × keys) when they are many (the
    keys then by length), else None."""

    owner: list[int]
    keys: list[str]
    lens: np.ndarray[Any, Any] | None
    counts: np.ndarray[Any, Any] | None


def _keys(ctx: GroupContext, at: list[int]) -> list[set[str]]:
    """The non-empty number and reference keys of the open items at positions ``at``."""
    if not at:
        return []
    ids, refs = ctx.index.numbers
    pos = np.asarray(at, dtype=np.int64)
    out = []
    for k, r in zip(keys_of(ids.take(pos)), keys_of(refs.take(pos)), strict=True):
        got = {k, r}
        got.discard("")
        out.append(got)
    return out


def _identified(t: int, cust: str, ctx: GroupContext) -> bool:
    ev = ctx.evidence(t, cust)
    return ev is not None and (ev[0] == "known" or ev[1] >= _PAYER_SIM)


def typo_hits(
    t: int,
    sign: int,
    hits: dict[int, int],
    paid: set[int],
    line: str,
    ctx: GroupContext,
    amounts: AmountIndex,
) -> tuple[dict[int, int], set[int]] | None:
    """``hits`` (item → reference level) of one advice line of payment ``t`` with its hits
    on items that do not fit read as typos (see the module doc): replaced by the fitting items
    one edit away, at :data:`REF_WEAK`. ``paid``: the amounts the line may settle (its amount,
    and with its stated discount); ``line``: its reference and memo. Returns the new hits and the
    fitting items they were read as; None when no hit is a typo."""
    wrong = [
        i
        for i, lvl in hits.items()
        if lvl <= REF_OK
        and abs(int(ctx.open[i])) not in paid
        and not _identified(t, ctx.cust[i], ctx)
    ]
    if not wrong:
        return None
    said = key_of(line)
    out = dict(hits)
    found: set[int] = set()
    for i in wrong:
        mine = {k for k in amounts.keys(i) if k in said} or amounts.keys(i)
        near = [
            k
            for amt in sorted(paid)
            for k in amounts.near(amt, mine)
            if sign * int(ctx.open[k]) > 0
            and ctx.cust[k] != ctx.cust[i]
            and hits.get(k, REF_WEAK) > REF_OK
        ]
        if near:
            found.update(near)
            del out[i]
            for k in near:
                out[k] = min(out.get(k, REF_WEAK), REF_WEAK)
    return (out, found) if found else None


def typo_read(hyp: Any) -> bool:
    """Is ``hyp`` an advice group resting on a line read as a typo while the payer is not
    identified as its customer (no known IBAN, a name below ``high``)? Such a reading is a
    suggestion, whatever its score."""
    return (
        str(hyp.get("source", "")) == TYPO_SOURCE
        and str(hyp.get("iban", "")) not in _PAYER_IBAN
        and str(hyp.get("name", "")) not in _PAYER_NAME
    )
