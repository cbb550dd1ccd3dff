"""The rows of a reconciliation: each allocation with its status and explanation (the gates
that hold an allocation from being automatic, ties, merged customer records, rivals), then the
result frames (remaining amounts of payments and open items)."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rapprochement.matching.advice_typos import typo_read
from rapprochement.matching.assignment import Assignment
from rapprochement.matching.coin_tosses import coin_tosses
from rapprochement.matching.customer_numbers import LABELS
from rapprochement.matching.explain_rows import (
    Explanations,
    comma_rows,
    entity_rows,
    note_row,
    number_rows,
)
from rapprochement.matching.gates import (
    amount_alone,
    digits_part_payment,
    gate_row,
    look_alike,
    look_alike_toss,
    not_worth_review,
    paid_for_many,
    payer_disagrees,
    short_run,
    tie_row,
    transposed,
    unnamed_run,
    wide_group,
)
from rapprochement.matching.gc_pause import paused
from rapprochement.matching.payouts import held_reason, note
from rapprochement.matching.result_frames import AMBIGUOUS_COLUMNS, build_result
from rapprochement.matching.scoring import Weights
from rapprochement.money import currency_exponent

if TYPE_CHECKING:
    from rapprochement.matching.partition import Partition

__all__ = [
    "AMBIGUOUS_COLUMNS",
    "allocation_rows",
    "ambiguity_reason",
    "build_result",
    "held_rows",
    "mark_tosses",
    "withhold",
]

#: The ``reason`` of a payment whose readings fit equally well (a tie: suggested, never auto).
TIE = "tie: several readings fit equally well"


_AMOUNT_ALONE = gate_row("payer not identified: the amount alone")
_TRANSPOSED = gate_row("amount looks mistyped: two digits swapped against the invoice")
_WIDE = gate_row("a long group picked by its sum: which of the payer's items it settles is a guess")
_SHORT_RUN = gate_row(
    "a named run read on past a deduction: the text's last number is cut short or its numbers "
    "are a run, the payment short of the run; where the run ends and which item was "
    "short-paid are guesses"
)
_UNNAMED_RUN = gate_row(
    "a payment naming nothing read as a run of the payer's items: other subsets fit as well"
)
_LOOK_ALIKE = gate_row("payer named only approximately: a look-alike customer's item fits as well")
_DISAGREE = gate_row("the number names another customer's item than the payer's, whose own fits")
_DIGITS = gate_row(
    "a part payment of an invoice named only by digits, from a payer nothing identifies"
)
_MANY = gate_row("the payer's IBAN pays for several customers: it alone does not say which")
_TYPO = gate_row(
    "an advice line's number names another customer's item: read as a typo of the item of its "
    "amount, one edit away, from a payer not identified as that item's customer"
)


def _held(part: Partition, res: Assignment, singles: pd.DataFrame | None) -> dict[int, str]:
    """Payment → the gate row that keeps its allocations from being automatic
    (:mod:`rapprochement.matching.gates`); every row of a payment shares its status.
    ``singles``: the scored one-invoice hypotheses (for the look-alike gate), if known."""
    amounts = part.tx["amount"].to_numpy()
    opens = part.inv["open"].to_numpy()
    held: dict[int, str] = {}
    if singles is not None:
        held.update(dict.fromkeys(look_alike(singles, res.allocs), _LOOK_ALIKE))
        held.update(dict.fromkeys(payer_disagrees(singles, res.allocs), _DISAGREE))
    for al in res.allocs:
        if al.inv < 0 or al.tx in held:  # (a payment's first gate holds it)
            continue
        report = held_reason(str(al.hyp.get("source", "")))
        if report is not None:
            held.setdefault(al.tx, gate_row(report))
        elif amount_alone(al.hyp):
            held.setdefault(al.tx, _AMOUNT_ALONE)
        elif paid_for_many(al.hyp):
            held.setdefault(al.tx, _MANY)
        elif wide_group(al.hyp):
            held.setdefault(al.tx, _WIDE)
        elif short_run(al.hyp):
            held.setdefault(al.tx, _SHORT_RUN)
        elif unnamed_run(al.hyp):
            held.setdefault(al.tx, _UNNAMED_RUN)
        elif typo_read(al.hyp):
            held.setdefault(al.tx, _TYPO)
        elif digits_part_payment(al.hyp, al.group is not None):
            held.setdefault(al.tx, _DIGITS)
        elif al.group is None and transposed(int(amounts[al.tx]), int(opens[al.inv])):
            held.setdefault(al.tx, _TRANSPOSED)
    return held


@paused
def held_rows(part: Partition, res: Assignment, singles: pd.DataFrame) -> dict[int, str]:
    """Payment → the gate row that keeps its allocations from being automatic, every gate of
    :mod:`rapprochement.matching.gates` included."""
    return _held(part, res, singles)


@paused
def mark_tosses(part: Partition, res: Assignment, singles: pd.DataFrame) -> set[int]:
    """Mark as ties the payments whose items only the order of the lines gave them
    (:func:`.gates.look_alike_toss`): each is ambiguous between the look-alike items its
    twins took and its own (scored at most one chance in that many, never automatic, listed
    in ``res.ambiguous``). Returns those payments."""
    customers = part.inv["customer_id"].to_numpy()
    toss = look_alike_toss(look_alike(singles, res.allocs), res.allocs, part.tx, customers)
    if not toss:
        return toss
    amounts, names, days = (part.tx[c].to_numpy() for c in ("amount", "name", "day"))
    items: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    for al in res.allocs:
        if al.tx in toss:
            items[(int(amounts[al.tx]), str(names[al.tx]), int(days[al.tx]))].add(al.inv)
    for al in res.allocs:
        if al.tx in toss:
            al.ambiguous = True
            key = (int(amounts[al.tx]), str(names[al.tx]), int(days[al.tx]))
            alts = res.ambiguous.get(al.tx, [])
            res.ambiguous[al.tx] = alts + [(i,) for i in sorted(items[key]) if (i,) not in alts]
    return toss


@paused
def withhold(
    part: Partition,
    res: Assignment,
    auto_t: float,
    singles: pd.DataFrame | None = None,
) -> dict[int, str]:
    """Drop the allocations of payments whose reading is not worth a reviewer's time
    (:func:`.gates.not_worth_review`), whatever its score: such a guess is no automatic
    allocation either, though weights fitted on other books may score it above ``auto_t``
    (kept in the signature; no longer read); nor those of payments whose reading is a coin
    toss on the order of the input (:mod:`.coin_tosses`). Each such payment is listed in
    ``res.ambiguous`` with its readings (its rivals) instead. Returns payment → reason."""
    by_tx: dict[int, list[int]] = {}
    for k, al in enumerate(res.allocs):
        by_tx.setdefault(al.tx, []).append(k)
    out: dict[int, str] = {}
    for t, ks in by_tx.items():
        # whatever its score: a reading not worth a reviewer's time is no automatic
        # allocation either (weights fitted on other books may score such a guess high)
        first = res.allocs[ks[0]]
        why = not_worth_review(first.hyp, first.group is not None)
        if why:
            out[t] = why
    # a reading that is a coin toss on the order of the input is no suggestion either
    for t, why in coin_tosses(part.tx, part.inv, res).items():
        out.setdefault(t, why)
    if out:
        for t in out:
            own = tuple(sorted(res.allocs[k].inv for k in by_tx[t] if res.allocs[k].inv >= 0))
            alts = res.ambiguous.get(t, [])
            res.ambiguous[t] = alts if own in alts else [own, *alts]
        res.allocs = [al for al in res.allocs if al.tx not in out]
    return out


def ambiguity_reason(withheld: str) -> str:
    """The ``reason`` column of ``result.ambiguous``: ``withheld: …`` with the reason
    :func:`withhold` gave (the payment was left unallocated), else :data:`TIE`."""
    return f"withheld: {withheld}" if withheld else TIE


#: what a text quoting a customer number holds (:mod:`.customer_numbers`): one of its labels
#: (any case, a word or not), or a character beyond ASCII (its decomposition may be one)
_LABEL_HINT = "|".join(LABELS) + r"|[^\x00-\x7f]"


def _quoting(col: pd.Series) -> np.ndarray[Any, Any]:
    """Per payment: whether its text (``str(text or "")``) may quote a customer number (a
    superset: :func:`.explain_rows.number_row` finds none in the others)."""
    if col.dtype != object:  # strings: one vectorized search
        return np.asarray(
            col.str.contains(_LABEL_HINT, case=False, regex=True, na=False), dtype=bool
        )
    parts = [str(t or "") for t in col.tolist()]
    if not parts:
        return np.zeros(0, dtype=bool)
    # the texts joined by a NUL (no label spans it), one scan; the end of each in the whole
    ends = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)) + 1)
    whole = "\0".join(parts)
    if whole.isascii():  # upper-cased, the search needs no case folding (much faster)
        found = re.finditer(_LABEL_HINT, whole.upper())
    else:
        found = re.finditer(_LABEL_HINT, whole, re.IGNORECASE | re.ASCII)
    hits = np.fromiter((m.start() for m in found), dtype=np.int64)
    out = np.zeros(len(parts), dtype=bool)
    out[np.searchsorted(ends, hits, side="right")] = True
    return out


def _flags(keys: Any, size: int) -> np.ndarray[Any, Any]:
    """A mask over ``size`` positions, set at ``keys``."""
    out = np.zeros(size, dtype=bool)
    out[np.fromiter(keys, dtype=np.int64)] = True
    return out


@paused
def allocation_rows(
    part: Partition,
    res: Assignment,
    auto_t: float,
    w: Weights,
    extra: dict[int, str],
    held: dict[int, str] | None = None,
    ids: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None = None,
    *,
    drain: bool = False,
) -> dict[str, Any]:
    """The allocation rows of one partition, as columns (:data:`.result.ALLOCATION_COLUMNS`,
    ``_minor``, the amount in minor units, ``_t`` and ``_i``, the positions of the payment
    and the item: one list or array each, not a dict per row); ``extra``: payment →
    explanation rows to append (its rivals); ``held``: payment → the gate row holding it
    (:func:`held_rows`), computed here without the look-alike gate when not given; ``ids``:
    the payments' and the items' ids (``to_numpy()``), if read; ``drain``: empty
    ``res.allocs`` once read (the caller's last use of them: the allocations and their
    hypotheses are not held while the rows are built). Each explanation is its reading's,
    then the rows that apply, in this order: the gate holding it, a payout report's note,
    merged customer records, a quoted customer number, a tie, its rivals."""
    held = _held(part, res, None) if held is None else held
    allocs = res.allocs
    n = len(allocs)
    t_of = np.fromiter(map(_TX, allocs), dtype=np.int64, count=n)
    i_of = np.fromiter(map(_INV, allocs), dtype=np.int64, count=n)
    minors = np.fromiter(map(_AMOUNT, allocs), dtype=np.int64, count=n)
    scores = np.fromiter(map(_SCORE, allocs), dtype=np.float64, count=n)
    amb = np.fromiter(map(_AMBIGUOUS, allocs), dtype=bool, count=n)
    is_group = np.fromiter((a.group is not None for a in allocs), dtype=bool, count=n)
    kinds = list(map(_KIND, allocs))
    hyps = list(map(_HYP, allocs))
    grouped = np.flatnonzero(is_group)
    text = Explanations(hyps, w)
    n_tx = len(part.tx)
    auto = (scores >= auto_t) & ~amb
    gated = np.flatnonzero(auto & _flags(held, n_tx)[t_of])
    auto[gated] = False
    text.add(gated, comma_rows([held[t] for t in t_of[gated].tolist()]))
    # a payout report's note
    told = [note(str(hyps[k].get("source", ""))) for k in grouped.tolist()]
    text.add(grouped, comma_rows(["" if x is None else note_row(x) for x in told]))
    if "record" in part.inv:  # customer records merged as one entity
        text.add(grouped, entity_rows(part, t_of, i_of, grouped, hyps))
    if "text" in part.tx:  # a customer number quoted in the text
        maybe = np.flatnonzero(_quoting(part.tx["text"])[t_of] & (i_of >= 0))
        text.add(maybe, number_rows(part, t_of, i_of, maybe, hyps))
    del hyps, allocs
    if drain:
        res.allocs = []
    if ids is None:
        ids = (part.tx["transaction_id"].to_numpy(), part.inv["invoice_id"].to_numpy())
    tids, iids = ids[0].tolist(), ids[1].tolist()
    for k in np.flatnonzero(amb).tolist():
        alts = res.ambiguous.get(int(t_of[k]))
        if alts and len(set(alts)) > 1:
            # a choice between readings that fit equally well is a coin toss, and says so
            keys = sorted({tuple(str(iids[i]) for i in a) for a in alts})
            scores[k], row = tie_row(float(scores[k]), keys)
            text.append(k, "," + row)
    riv = np.flatnonzero(_flags(extra, n_tx)[t_of]) if extra else np.zeros(0, dtype=np.int64)
    text.add(riv, [extra[t] for t in t_of[riv].tolist()])
    t_ids = [str(tids[t]) for t in t_of.tolist()]
    return {
        "transaction_id": t_ids,
        "invoice_id": [None if i < 0 else str(iids[i]) for i in i_of.tolist()],
        "amount": _amounts(minors, currency_exponent(part.currency)),
        "currency": [part.currency] * n,
        "status": [_STATUS[a] for a in auto.tolist()],
        "score": scores,
        "kind": kinds,
        "group_id": [t if g else None for g, t in zip(is_group.tolist(), t_ids, strict=True)],
        "explanation": text.texts(),
        "_minor": minors,
        # positions of the payment and the item (-1: none) in the partition of this size
        "_t": t_of,
        "_i": i_of,
        "_whole": [len(part.tx), len(part.inv)],
    }


_STATUS = ("suggested", "auto")  # an allocation's status by whether it is automatic


def _amounts(minors: np.ndarray[Any, Any], exp: int) -> list[Decimal]:
    """The amounts of ``minors`` (:func:`rapprochement.money.from_minor`, ``exp`` the
    currency's exponent), one Decimal per distinct amount."""
    made: dict[int, Decimal] = {}
    out = []
    for m in minors.tolist():
        d = made.get(m)
        if d is None:
            d = made[m] = Decimal(m).scaleb(-exp)
        out.append(d)
    return out


#: the fields of an allocation :func:`allocation_rows` reads
_TX, _INV, _AMOUNT, _KIND, _SCORE, _HYP, _AMBIGUOUS = map(
    attrgetter, ("tx", "inv", "amount", "kind", "score", "hyp", "ambiguous")
)
