"""The rows of a reconciliation: each allocation with its status and explanation (the gates
that hold an allocation from being automatic, ties, merged customer records, rivals), then the
result frames (remaining amounts of payments and open items)."""

from __future__ import annotations

import json
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
from rapprochement.matching.explain_rows import entity_row, number_row
from rapprochement.matching.features import FEATURES
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
from rapprochement.matching.rank_counts import sorted_unique
from rapprochement.matching.result_frames import AMBIGUOUS_COLUMNS, build_result
from rapprochement.matching.scoring import Weights, contributions
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


_BLANKS = ("",) * len(FEATURES)  # the default of each feature's level read from a hypothesis


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


def _bodies(hyps: list[dict[str, Any]], w: Weights) -> list[str]:
    """Per allocation: its hypothesis' explanation (:func:`.scoring.contributions`, compact
    JSON) without its closing bracket, computed once per distinct reading."""
    cache: dict[tuple[str, ...], str] = {}
    by_hyp: dict[int, str] = {}  # id of a hypothesis (allocations of one reading share it)
    out = []
    for hyp in hyps:
        body = by_hyp.get(id(hyp))
        if body is None:
            # the levels and what else the explanation reads (a payer IBAN shared by k
            # customers)
            key = (*map(str, map(hyp.get, FEATURES, _BLANKS)), str(hyp.get("iban_customers")))
            body = cache.get(key)
            if body is None:
                body = cache[key] = json.dumps(
                    [c.model_dump() for c in contributions(hyp, w)], separators=(",", ":")
                )[:-1]
            by_hyp[id(hyp)] = body
        out.append(body)
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
) -> dict[str, list[Any]]:
    """The allocation rows of one partition, as columns (:data:`.result.ALLOCATION_COLUMNS`,
    ``_minor``, the amount in minor units, ``_t`` and ``_i``, the positions of the payment
    and the item: one list each, not a dict per row); ``extra``: payment → explanation rows
    to append (its rivals); ``held``: payment → the gate row holding it (:func:`held_rows`),
    computed here without the look-alike gate when not given; ``ids``: the payments' and the
    items' ids (``to_numpy()``), if read. Each explanation is its reading's, then the rows
    that apply, in this order: the gate holding it, a payout report's note, merged customer
    records, a quoted customer number, a tie, its rivals."""
    held = _held(part, res, None) if held is None else held
    allocs = res.allocs
    n = len(allocs)
    cols = list(zip(*map(_FIELDS, allocs), strict=True)) if n else [()] * 8
    a_tx, a_inv, minors, kinds, a_score, hyps, groups, a_amb = cols
    t_of = np.fromiter(a_tx, dtype=np.int64, count=n)
    i_of = np.fromiter(a_inv, dtype=np.int64, count=n)
    grouped = np.flatnonzero(np.fromiter((g is not None for g in groups), dtype=bool, count=n))
    body = np.empty(n, dtype=object)
    body[:] = _bodies(list(hyps), w)

    def add(rows: np.ndarray[Any, Any], parts: list[str]) -> None:
        """Append ``parts`` (each ``""`` or rows preceded by a comma) to the ``rows``."""
        some = np.fromiter(map(bool, parts), dtype=bool, count=len(parts))
        if some.any():
            at = rows[some]
            body[at] = body[at] + np.array(parts, dtype=object)[some]

    n_tx = len(part.tx)
    amb = np.fromiter(a_amb, dtype=bool, count=n)
    auto = (np.fromiter(a_score, dtype=np.float64, count=n) >= auto_t) & ~amb
    gated = np.flatnonzero(auto & _flags(held, n_tx)[t_of])
    auto[gated] = False
    add(gated, ["," + held[t] for t in t_of[gated].tolist()])
    # a payout report's note
    told = [note(str(hyps[k].get("source", ""))) for k in grouped.tolist()]
    add(grouped, ["" if x is None else "," + _note_row(x) for x in told])
    if "record" in part.inv:  # customer records merged as one entity
        add(grouped, _entity_rows(part, t_of, i_of, grouped, hyps))
    if "text" in part.tx:  # a customer number quoted in the text
        maybe = np.flatnonzero(_quoting(part.tx["text"])[t_of] & (i_of >= 0))
        add(maybe, _number_rows(part, t_of, i_of, maybe, hyps))
    if ids is None:
        ids = (part.tx["transaction_id"].to_numpy(), part.inv["invoice_id"].to_numpy())
    tids, iids = ids[0].tolist(), ids[1].tolist()
    scores = list(a_score)
    for k in np.flatnonzero(amb).tolist():
        alts = res.ambiguous.get(a_tx[k])
        if alts and len(set(alts)) > 1:
            # a choice between readings that fit equally well is a coin toss, and says so
            keys = sorted({tuple(str(iids[i]) for i in a) for a in alts})
            scores[k], row = tie_row(float(a_score[k]), keys)
            body[k] = body[k] + "," + row
    riv = np.flatnonzero(_flags(extra, n_tx)[t_of]) if extra else np.zeros(0, dtype=np.int64)
    add(riv, [extra[t] for t in t_of[riv].tolist()])
    exp = currency_exponent(part.currency)
    t_ids = [str(tids[t]) for t in a_tx]
    return {
        "transaction_id": t_ids,
        "invoice_id": [None if i < 0 else str(iids[i]) for i in a_inv],
        "amount": [Decimal(m).scaleb(-exp) for m in minors],  # from_minor
        "currency": [part.currency] * n,
        "status": np.where(auto, "auto", "suggested").tolist(),
        "score": list(map(float, scores)),
        "kind": list(kinds),
        "group_id": [None if g is None else t for g, t in zip(groups, t_ids, strict=True)],
        "explanation": (body + "]").tolist() if n else [],
        "_minor": list(minors),
        # positions of the payment and the item (-1: none) in the partition of this size
        "_t": list(a_tx),
        "_i": list(a_inv),
        "_whole": [len(part.tx), len(part.inv)],
    }


#: the fields of an allocation :func:`allocation_rows` reads, in one tuple
_FIELDS = attrgetter("tx", "inv", "amount", "kind", "score", "hyp", "group", "ambiguous")


def _note_row(told: str) -> str:
    """The zero-weight explanation row of a payout report's note."""
    return json.dumps({"feature": "report", "value": told, "weight": 0.0}, separators=(",", ":"))


def _entity_rows(
    part: Partition,
    t_of: np.ndarray[Any, Any],
    i_of: np.ndarray[Any, Any],
    grouped: np.ndarray[Any, Any],
    hyps: tuple[dict[str, Any], ...],
) -> list[str]:
    """Per allocation of a group (``grouped``): its payment's merged-records row preceded by
    a comma (:func:`.explain_rows.entity_row`), or ``""`` (a collector's payout: none)."""
    items_of: dict[int, set[int]] = defaultdict(set)  # payment → the items it is allocated to
    mine = np.flatnonzero(np.isin(t_of, t_of[grouped]) & (i_of >= 0))
    for t, i in zip(t_of[mine].tolist(), i_of[mine].tolist(), strict=True):
        items_of[t].add(i)
    # the records and names of those items alone (by position)
    at = sorted_unique(i_of[mine])
    records = dict(zip(at.tolist(), _values(part.inv["record"], at), strict=True))
    names = dict(zip(at.tolist(), _values(part.inv["customer_name"], at), strict=True))
    spans: dict[int, str] = {}
    out = []
    for k in grouped.tolist():
        row = ""
        if hyps[k].get("iban") != "collector":
            t = int(t_of[k])
            got = spans.get(t)
            if got is None:
                got = spans[t] = entity_row(sorted(items_of[t]), records, names)
            row = got
        out.append("," + row if row else "")
    return out


def _values(col: pd.Series, at: np.ndarray[Any, Any]) -> list[Any]:
    """The values of ``col`` at the positions ``at`` (as ``col.to_numpy()[at]``)."""
    return list(col.iloc[at].to_numpy(dtype=object))


def _number_rows(
    part: Partition,
    t_of: np.ndarray[Any, Any],
    i_of: np.ndarray[Any, Any],
    rows: np.ndarray[Any, Any],
    hyps: tuple[dict[str, Any], ...],
) -> list[str]:
    """Per allocation of ``rows``: the quoted customer number's row preceded by a comma
    (:func:`.explain_rows.number_row`, for a payer known by its IBAN), or ``""``."""
    known = np.fromiter(
        (hyps[k].get("iban") == "known" for k in rows.tolist()), dtype=bool, count=len(rows)
    )
    out = [""] * len(rows)
    if not known.any():
        return out
    ts, its = t_of[rows[known]], i_of[rows[known]]
    texts = _values(part.tx["text"], ts)
    names = _values(part.inv["customer_name"], its)
    owners = _values(part.inv["record" if "record" in part.inv else "customer_id"], its)
    keys: dict[str, set[str]] = {}
    for j, text, owner, name in zip(
        np.flatnonzero(known).tolist(), texts, owners, names, strict=True
    ):
        row = number_row(str(text or ""), str(owner), str(name), keys)
        out[j] = "," + row if row else ""
    return out
