"""Grouped hypotheses from remittance-advice lines: read as a collector's itemized report
across customers (:mod:`.payouts`), else resolved within one payer by reference, else by exact
open amount, lines whose reference and amount agree first (split from
:mod:`rapprochement.matching.named`, which re-exports :func:`remittance_groups`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.matching.advice_typos import TYPO_SOURCE, AmountIndex, typo_hits
from rapprochement.matching.candidates import KeyIndex, lookup
from rapprochement.matching.claimed import LineKeys
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.group_context import REF_OK, GroupContext, fill, level_of
from rapprochement.matching.keys import free_text_keys, text_keys
from rapprochement.matching.payouts import STRONG, Lines, report_group
from rapprochement.matching.refindex import STRONG as BUCKET_STRONG
from rapprochement.matching.refindex import KeyDict

__all__ = ["remittance_groups"]


def _explained(
    ctx: GroupContext, c: str, parsed: list[tuple[dict[int, int], int]]
) -> tuple[int, int]:
    """How many advice lines payer ``c`` explains by reference, and by exact open amount."""
    by_ref = sum(any(ctx.cust[i] == c and lvl <= REF_OK for i, lvl in h.items()) for h, _ in parsed)
    amounts = set(np.abs(ctx.open[ctx.index.payer_items(c)]).tolist())
    by_amt = sum(amt in amounts for _, amt in parsed)
    return by_ref, by_amt


def _line_keys(
    texts: list[str],
    free: bool,
    cache: dict[str, set[str]] | None = None,
    known: dict[str, dict[str, int]] | None = None,
) -> list[dict[str, int]]:
    """Keys of advice lines: their references, and their free payment references (a
    provider's charge id ``4QD88NLKWSI72P6FW``) when some invoice has one (one pass over all
    the texts: :func:`free_text_keys` builds a frame); ``cache``: the keys of each token read
    (:func:`text_keys`); ``known``: the :func:`text_keys` of texts already read (copied, not
    changed)."""
    known = known or {}
    out = [
        text_keys(text, cache) if (got := known.get(text)) is None else dict(got) for text in texts
    ]
    if free and texts:
        fk = free_text_keys(texts)
        for r, k, lvl in zip(
            fk["row"].tolist(), fk["key"].tolist(), fk["lvl"].tolist(), strict=True
        ):
            keys = out[r]
            keys[str(k)] = min(int(lvl), keys.get(str(k), 99))
    return out


def _key_dict(index: KeyIndex, texts: Sequence[dict[str, int]], config: MatchConfig) -> KeyDict:
    """The invoices holding the keys of ``texts`` (:meth:`.refindex.KeyIndex.subset`), less
    the keys :func:`.refindex.lookup` reads nothing from: held by more than
    ``max_amount_bucket`` invoices and weak (:data:`.refindex.STRONG`) in every text that
    holds them (their many invoices are not listed to be skipped)."""
    best: dict[str, int] = {}
    for keys in texts:
        for k, lvl in keys.items():
            if best.get(k, 99) > lvl:
                best[k] = lvl
    weak = [k for k, lvl in best.items() if lvl >= BUCKET_STRONG]
    code = index.codes(weak) if weak else np.zeros(0, dtype=np.int64)
    large = (code >= 0) & (index.n[np.maximum(code, 0)] > config.max_amount_bucket)
    return index.subset(set(best).difference(np.asarray(weak, dtype=object)[large].tolist()))


def _shared_reference_pick(own: list[tuple[int, int]], amt: int, ctx: GroupContext) -> int:
    """The item an advice line names: its best-level hit; when several of the payer's items
    share that level (one reference on many invoices, such as a blanket purchase order), the
    first of them whose open amount is the line's amount, else the first."""
    best = [i for lvl, i in own if lvl == own[0][0]]
    same = [i for i in best if abs(int(ctx.open[i])) == amt]
    return same[0] if same else best[0]


def _agreeing_first(
    parsed: list[tuple[dict[int, int], int]], stated: list[int], cust: str, ctx: GroupContext
) -> list[int]:
    """Positions of advice lines, those whose reference names an item of payer ``cust`` with
    the line's amount (or its amount and stated discount) first: a line whose reference and
    amount agree outranks one quoting the same number with another amount (a mistyped
    reference, resolved by its amount once the item is taken)."""

    def agrees(n: int) -> bool:
        hits, amt = parsed[n]
        paid = {amt, amt + (stated[n] if stated else 0)}
        return any(
            lvl <= REF_OK and ctx.cust[i] == cust and abs(int(ctx.open[i])) in paid
            for i, lvl in hits.items()
        )

    return sorted(range(len(parsed)), key=lambda n: (not agrees(n), n))


def remittance_groups(
    ctx: GroupContext,
    remits: pd.DataFrame,
    index: KeyIndex,
    tpos: dict[str, int],
    link_of: dict[int, list[tuple[str, bool]]],
    known: LineKeys | None = None,
) -> None:
    """One hypothesis per payment with advice lines: the lines are resolved within one payer
    (the one that explains most lines by reference or, failing that, by exact open amount).
    Lines that state a discount (CAMT ``RfrdDocAmt/DscntApldAmt``) make the group a discount
    when each such line's amount and discount add up to its invoice's open amount and the
    lines add up to the payment: the discount is then the payer's word, not a guess.
    ``known``: the keys of advice-line texts and tokens already read (:mod:`.claimed`)."""
    pairs = sorted(set(zip(remits["reference"], remits["memo"], strict=True)))
    known = known or LineKeys({}, {})
    texts = [f"{r} {m}" for r, m in pairs]
    free, tokens, seen = index.has_free, known.tokens, known.texts
    line_keys = dict(zip(pairs, _line_keys(texts, free, tokens, seen), strict=True))
    # a collector's report reads each line's reference field, else its memo, alone
    parts = sorted({*remits["reference"].astype(str), *remits["memo"].astype(str)})
    part_keys = {  # (a report reads only the strong keys of a part: :data:`.payouts.STRONG`)
        part: {k: lvl for k, lvl in keys.items() if lvl <= STRONG}
        for part, keys in zip(parts, _line_keys(parts, free, tokens, seen), strict=True)
    }
    keydict = _key_dict(index, [*line_keys.values(), *part_keys.values()], ctx.config)

    def resolve(text: str) -> dict[int, int]:
        return lookup(keydict, part_keys[text], ctx.config)

    by_amount = AmountIndex(ctx)
    for tid, lines in _by_payment(remits):
        t = tpos.get(str(tid))
        if t is None:
            continue
        if report_group(ctx, t, lines, resolve):
            continue  # a collector's itemized report (:mod:`.payouts`)
        sign = 1 if ctx.amounts[t] >= 0 else -1
        parsed = []
        custs = {c for c, _ in link_of.get(t, [])}
        stated = [abs(int(d)) for d in lines["discount"]] if "discount" in lines else []
        typos: set[int] = set()  # items a mistyped line number was read as
        for n, (ref, memo, amt) in enumerate(
            zip(lines["reference"], lines["memo"], lines["amount"], strict=True)
        ):
            hits = lookup(keydict, line_keys[(ref, memo)], ctx.config)
            if sign * int(amt) > 0:  # a line naming another customer's item that does not fit
                paid = {abs(int(amt)), abs(int(amt)) + (stated[n] if stated else 0)}
                read = typo_hits(t, sign, hits, paid, f"{ref} {memo}", ctx, by_amount)
                if read is not None:
                    hits, new = read
                    typos |= new
                    custs |= {ctx.cust[i] for i in new}
            parsed.append((hits, abs(int(amt))))
            custs |= {ctx.cust[i] for i, lvl in hits.items() if lvl <= 2}
        if not custs:
            continue

        score = {c: _explained(ctx, c, parsed) for c in custs}
        cust = min(custs, key=lambda c: (-sum(score[c]), -score[c][0], c))
        invs: list[int] = []
        allocs: list[int] = []
        inter = False
        discounted = True  # every stated discount closes its invoice exactly
        signed = [sign * int(x) for x in lines["amount"]]
        deducted = 0  # negative lines naming no open item: deductions the payer states
        for n in _agreeing_first(parsed, stated, cust, ctx):
            hits, amt = parsed[n]
            taken_off = signed[n] < 0
            own = sorted(
                (lvl, i) for i, lvl in hits.items() if ctx.cust[i] == cust and i not in invs
            )
            if own and own[0][0] <= REF_OK:
                k = _shared_reference_pick(own, amt, ctx)
            else:
                # unknown or garbled reference (a PO number): the payer's open item of that amount
                same = [
                    k for k in ctx.items[cust] if k not in invs and abs(int(ctx.open[k])) == amt
                ]
                # the item a mistyped number is one edit from first (:mod:`.advice_typos`)
                same.sort(key=lambda k: k not in typos)
                if not same:
                    deducted += amt if taken_off else 0
                    continue
                k = same[0]
                # several open items of that amount: which one is paid cannot be told
                inter = inter or len(same) > 1
            invs.append(k)
            # a negative line netting a credit note takes it off the payment
            note = taken_off and sign * int(ctx.open[k]) < 0
            allocs.append(-sign * amt if note else sign * amt)
            if stated and stated[n]:
                discounted = discounted and abs(int(ctx.open[k])) == amt + stated[n]
        if invs:
            a = abs(int(ctx.amounts[t]))
            allocs = _deduct(allocs, deducted, a, sign)
            total = sum(sign * x for x in allocs)
            level = level_of(a, total, ctx) if total > 0 else "over"
            if level == "exact" and discounted and any(stated):
                level = "discount"  # stated by the payer or the bank, not inferred
            source = TYPO_SOURCE if typos.intersection(invs) else "remittance"
            ctx.add(t, invs, allocs, source, level, 0, cust, inter)
        _payout_group(ctx, t, sign, lines, parsed, len(invs))


def _by_payment(remits: pd.DataFrame) -> Iterator[tuple[Any, Lines]]:
    """The advice lines of each payment id, in id order, each payment's in their order (as
    ``groupby("transaction_id", sort=True)``), as lists of the columns read (the columns
    read once, not a frame built per payment)."""
    cols = [c for c in ("reference", "memo", "amount", "discount") if c in remits]
    values = {c: list(remits[c]) for c in cols}
    codes, ids = pd.factorize(remits["transaction_id"], sort=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(ids) + 1))
    for g, tid in enumerate(ids):
        rows = order[bounds[g] : bounds[g + 1]].tolist()
        yield tid, {c: [v[r] for r in rows] for c, v in values.items()}


def _deduct(allocs: list[int], deducted: int, a: int, sign: int) -> list[int]:
    """``allocs`` (one per advice line, in the order read) less the deductions the advice
    states on lines naming no open item (a debit memo: pricing, shortage, co-op advertising),
    when the lines then add up to the payment ``a`` to the cent: the deduction falls on the
    last invoice line that can carry it whole (the invoice stays partly open); else
    ``allocs`` unchanged."""
    if deducted <= 0 or sum(sign * x for x in allocs) - deducted != a:
        return allocs
    for j in range(len(allocs) - 1, -1, -1):
        if sign * allocs[j] > deducted:
            out = list(allocs)
            out[j] -= sign * deducted
            return out
    return allocs


def _payout_group(
    ctx: GroupContext,
    t: int,
    sign: int,
    lines: Lines,
    parsed: list[tuple[dict[int, int], int]],
    own: int,
) -> None:
    """A payout of a payment provider, marketplace or factor: its report names, line by line,
    items of many customers (the payer is the provider, not any of them). When more lines name
    one item each by a strong reference across customers than resolve within one payer, and
    the report adds up to the payout (its negative lines being the provider's fees), the items
    so named are one hypothesis; the fees fall on the last item, in the report's order."""
    invs: list[int] = []
    signed = [int(x) for x in lines["amount"]]
    for (hits, _amt), amount in zip(parsed, signed, strict=True):
        if amount <= 0:
            continue  # the provider's fees and adjustments
        strong = sorted((lvl, i) for i, lvl in hits.items() if lvl <= 2 and i not in invs)
        if not strong or (len(strong) > 1 and strong[0][0] == strong[1][0]):
            return  # a charge the report does not tie to one item: not read as a payout
        invs.append(strong[0][1])
    a = abs(int(ctx.amounts[t]))
    if len(invs) < 2 or len(invs) <= own or len({ctx.cust[k] for k in invs}) < 2:
        return
    if abs(sum(signed)) != a or len(invs) > ctx.config.max_group_items:
        return
    allocs, level = fill(a, invs, ctx, sign, list(range(len(invs))))
    ctx.add(t, invs, allocs, "remittance", level, 0, str(ctx.cust[invs[0]]), False)
