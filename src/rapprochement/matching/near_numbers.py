"""Invoice numbers a payer mistyped by one character, read where the amount already asks for
one more invoice of that payer.

A payer listing the invoices it pays may drop a digit (``10207`` for ``107207``), change one
(``107243`` for ``107248``) or swap two neighbours. Such a token names no invoice, and a
number one edit away from it is weak evidence on its own: every invoice number has many
neighbours. It is used only to complete a group the text already names by other invoices of
the same payer (:func:`.named.referenced_group`): when the named items fall short of the
payment, the payer's item whose number is one edit from a token that names nothing is the
first tried, exactly as a number written with two digits swapped is.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import OSA

from rapprochement.matching.group_context import GroupContext

__all__ = ["near_items"]

_TOKEN = re.compile(r"[A-Z0-9]+")
_NOT_DIGIT = re.compile(r"[^0-9]+")
_ALNUM = re.compile(r"[^0-9A-Z]+")
_MIN_DIGITS = 4  # a token (and a number) of fewer digits names too many items


def _digits(x: object) -> str:
    return _NOT_DIGIT.sub("", str(x)) if isinstance(x, str) and x else ""


def near_items(t: int, cust: str, named: list[int], ctx: GroupContext) -> list[int]:
    """The open items of payer ``cust`` (not in ``named``) whose invoice number is one edit
    (a digit dropped, added or changed, two neighbours swapped) from a token of payment
    ``t``'s text that is no number of the payer's items (invoice number or reference): at
    most one item per token, a token near two items says neither."""
    own, by_len = _payer_digits(cust, ctx)
    tokens = {
        d
        for tok in _TOKEN.findall(ctx.text(t).upper())
        if tok not in own and len(d := _digits(tok)) >= _MIN_DIGITS and d not in own
    }
    if not tokens:
        return []
    skip = set(named)
    out: list[int] = []
    for tok in sorted(tokens):
        # one edit changes the length by one at most
        hits = [
            k
            for size in (len(tok) - 1, len(tok), len(tok) + 1)
            for k, n in by_len.get(size, ())
            if k not in skip and OSA.distance(tok, n, score_cutoff=1) <= 1
        ]
        if len(hits) == 1 and hits[0] not in out:
            out.append(hits[0])
    return out


def _payer_digits(
    cust: str, ctx: GroupContext
) -> tuple[set[str], dict[int, list[tuple[int, str]]]]:
    """The numbers of payer ``cust``'s items (the digits of invoice numbers and references,
    references normalized), and its items by the length of their invoice number's digits (at
    least :data:`_MIN_DIGITS`), in the payer's order; once per shard, not per payment."""
    got = ctx.payer_numbers.get(("near", cust))
    if got is None:
        ids, refs = ctx.index.numbers
        items = ctx.items[cust]
        own = {_digits(ids[k]) for k in items} | {_digits(refs[k]) for k in items}
        own |= {_ALNUM.sub("", str(refs[k]).upper()) for k in items if isinstance(refs[k], str)}
        by_len: dict[int, list[tuple[int, str]]] = {}
        for k in items:
            if len(n := _digits(ids[k])) >= _MIN_DIGITS:
                by_len.setdefault(len(n), []).append((k, n))
        got = ctx.payer_numbers["near", cust] = (own, by_len)
    return got
