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

from collections import defaultdict
from typing import Any

import numpy as np

from rapprochement.matching.edits import MIN_LEN, deletions, key_of, one_edit
from rapprochement.matching.group_context import REF_OK, REF_WEAK, GroupContext

__all__ = ["TYPO_SOURCE", "AmountIndex", "typo_hits", "typo_read"]

#: source of an advice group one of whose lines was read as a typo
TYPO_SOURCE = "remittance_typo"
_PAYER_SIM = 85.0  # name similarity from which the payer is named (``high``)
_PAYER_IBAN = frozenset({"known", "collector"})
_PAYER_NAME = frozenset({"exact", "high"})


class AmountIndex:
    """Open items by absolute open amount, and within an amount by the one-deletion forms of
    their number and reference keys, built on first use (only advice lines that look mistyped
    read it; an amount's forms only when some line is read against it).

    Two keys one edit apart (:func:`.edits.one_edit`: a character changed, added, dropped or
    two neighbours swapped) share a form, the key itself or the key without one character
    (symmetric deletion, :func:`.edits.deletions`): the items one edit from a quoted key are
    found by a few dict probes, then checked by :func:`.edits.one_edit`, rather than by a
    scan of every item of the amount (many at a large book's round amounts)."""

    def __init__(self, ctx: GroupContext) -> None:
        self._ctx = ctx
        self._sorted: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None = None
        self._forms: dict[int, dict[str, list[int]]] = {}
        self._keys: dict[int, set[str]] = {}

    def items(self, amount: int) -> list[int]:
        """The open items whose absolute open amount is ``amount``, in position order."""
        if self._sorted is None:  # (two arrays, not a dict of every open item per shard)
            size = np.abs(np.asarray(self._ctx.open, dtype=np.int64))
            order = np.argsort(size, kind="stable")
            self._sorted = size[order], order
        size, order = self._sorted
        lo, hi = np.searchsorted(size, [amount, amount + 1])
        out: list[int] = order[lo:hi].tolist()
        return out

    def keys(self, k: int) -> set[str]:
        """The number and reference keys of open item ``k`` (:func:`.edits.key_of`, empty
        ones left out), worked out once."""
        got = self._keys.get(k)
        if got is None:
            got = self._keys[k] = _keys(self._ctx, k)
        return got

    def near(self, amount: int, quoted: set[str]) -> list[int]:
        """The open items of absolute open amount ``amount`` with a number or reference one
        edit away from one of the ``quoted`` keys, in position order: the items of
        :meth:`items` that a scan with :func:`.edits.one_edit` would keep."""
        quoted = {q for q in quoted if len(q) >= MIN_LEN}
        if not quoted or not self.items(amount):
            return []
        forms = self._forms.get(amount)
        if forms is None:
            forms = self._forms[amount] = self._index(amount)
        seen = {k for q in quoted for f in deletions(q) for k in forms.get(f, ())}
        return sorted(k for k in seen if any(one_edit(a, b) for a in quoted for b in self.keys(k)))

    def _index(self, amount: int) -> dict[str, list[int]]:
        forms: dict[str, list[int]] = defaultdict(list)
        for k in self.items(amount):
            for f in {f for key in self.keys(k) if len(key) >= MIN_LEN for f in deletions(key)}:
                forms[f].append(k)
        return dict(forms)


def _keys(ctx: GroupContext, k: int) -> set[str]:
    ids, refs = ctx.index.numbers
    out = {key_of(ids[k]), key_of(refs[k])}
    out.discard("")
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
