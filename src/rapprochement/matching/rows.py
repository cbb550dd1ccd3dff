"""The rows of a reconciliation: each allocation with its status and explanation (the gates
that hold an allocation from being automatic, ties, merged customer records, rivals), then the
result frames (remaining amounts of payments and open items)."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rapprochement.matching.advice_typos import typo_read
from rapprochement.matching.assignment import Assignment
from rapprochement.matching.coin_tosses import coin_tosses
from rapprochement.matching.config import MatchConfig
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
from rapprochement.matching.result import (
    ALLOCATION_COLUMNS,
    DUPLICATE_COLUMNS,
    ReconciliationResult,
)
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

#: Columns of ``result.ambiguous``: the payment, its readings (tuples of invoice ids) and why
#: it is listed (:func:`ambiguity_reason`).
AMBIGUOUS_COLUMNS = ("transaction_id", "alternatives", "reason")
#: The ``reason`` of a payment whose readings fit equally well (a tie: suggested, never auto).
TIE = "tie: several readings fit equally well"


def _version() -> str:
    try:
        return version("rapprochement")
    except PackageNotFoundError:  # pragma: no cover
        return "0.0.0"


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
        if al.inv < 0:
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


@paused
def allocation_rows(
    part: Partition,
    res: Assignment,
    auto_t: float,
    w: Weights,
    extra: dict[int, str],
    held: dict[int, str] | None = None,
) -> dict[str, list[Any]]:
    """The allocation rows of one partition, as columns (:data:`.result.ALLOCATION_COLUMNS`
    and ``_minor``, the amount in minor units: one list each, not a dict per row);
    ``extra``: payment → explanation rows to append (its rivals); ``held``: payment → the
    gate row holding it (:func:`held_rows`), computed here without the look-alike gate when
    not given."""
    # columns read by position once per allocation: lists of the arrays' objects
    tids = part.tx["transaction_id"].to_numpy().tolist()
    iids = part.inv["invoice_id"].to_numpy().tolist()
    cache: dict[tuple[str, ...], str] = {}
    held = _held(part, res, None) if held is None else held
    records = part.inv["record"].to_numpy().tolist() if "record" in part.inv else None
    names = part.inv["customer_name"].to_numpy().tolist()
    owners = records if records is not None else part.inv["customer_id"].to_numpy().tolist()
    texts = part.tx["text"].to_numpy(dtype=object).tolist() if "text" in part.tx else None
    spans: dict[int, str] = {}
    items_of: dict[int, set[int]] = defaultdict(set)  # payment → the items it is allocated to
    for al in res.allocs:
        if al.inv >= 0:
            items_of[al.tx].add(al.inv)
    number_keys_of: dict[str, set[str]] = {}
    exp = currency_exponent(part.currency)
    statuses: list[str] = []
    scores: list[float] = []
    expls: list[str] = []
    for al in res.allocs:
        # the levels and what else the explanation reads (a payer IBAN shared by k customers)
        key = (*map(str, map(al.hyp.get, FEATURES, _BLANKS)), str(al.hyp.get("iban_customers")))
        expl = cache.get(key)
        if expl is None:
            expl = cache[key] = json.dumps(
                [c.model_dump() for c in contributions(al.hyp, w)], separators=(",", ":")
            )
        auto = al.score >= auto_t and not al.ambiguous
        if auto and al.tx in held:
            auto = False
            expl = expl[:-1] + "," + held[al.tx] + "]"
        told = note(str(al.hyp.get("source", ""))) if al.group is not None else None
        if told is not None:
            expl = (
                expl[:-1]
                + ","
                + json.dumps(
                    {"feature": "report", "value": told, "weight": 0.0}, separators=(",", ":")
                )
                + "]"
            )
        if al.group is not None and records is not None and al.hyp.get("iban") != "collector":
            row = spans.get(al.tx)
            if row is None:
                row = spans[al.tx] = entity_row(sorted(items_of[al.tx]), records, names)
            if row:
                expl = expl[:-1] + "," + row + "]"
        if texts is not None and al.inv >= 0 and al.hyp.get("iban") == "known":
            text = str(texts[al.tx] or "")
            row = number_row(text, str(owners[al.inv]), str(names[al.inv]), number_keys_of)
            if row:
                expl = expl[:-1] + "," + row + "]"
        score = float(al.score)
        alts = res.ambiguous.get(al.tx) if al.ambiguous else None
        if alts and len(set(alts)) > 1:
            # a choice between readings that fit equally well is a coin toss, and says so
            score, row = tie_row(score, sorted({tuple(str(iids[i]) for i in a) for a in alts}))
            expl = expl[:-1] + "," + row + "]"
        if al.tx in extra:
            expl = expl[:-1] + extra[al.tx] + "]"
        statuses.append("auto" if auto else "suggested")
        scores.append(score)
        expls.append(expl)
    allocs = res.allocs
    minors = [al.amount for al in allocs]
    t_ids = [str(tids[al.tx]) for al in allocs]
    return {
        "transaction_id": t_ids,
        "invoice_id": [None if al.inv < 0 else str(iids[al.inv]) for al in allocs],
        "amount": [Decimal(m).scaleb(-exp) for m in minors],  # from_minor
        "currency": [part.currency] * len(allocs),
        "status": statuses,
        "score": scores,
        "kind": [al.kind for al in allocs],
        "group_id": [None if al.group is None else t for al, t in zip(allocs, t_ids, strict=True)],
        "explanation": expls,
        "_minor": minors,
    }


def _used(ids: np.ndarray[Any, Any], used: dict[str, int]) -> np.ndarray[Any, Any]:
    """Minor units allocated to each of ``ids`` (0 for the ids ``used`` lacks)."""
    if not used:
        return np.zeros(len(ids), dtype=np.int64)
    got = pd.Series(used, dtype=np.int64)
    return pd.Series(ids, dtype=object).map(got).fillna(0).to_numpy(dtype=np.int64)


#: allocation columns kept as Python objects (ids, Decimal amounts, JSON text)
_OBJECT_COLUMNS = ("transaction_id", "invoice_id", "amount", "group_id", "explanation")


def _columns(parts: list[dict[str, list[Any]]]) -> dict[str, list[Any]]:
    """The allocation columns of every partition (:func:`allocation_rows`), one list each."""
    if len(parts) == 1:
        return parts[0]
    names = (*ALLOCATION_COLUMNS, "_minor")
    return {c: [v for p in parts for v in p[c]] for c in names}


def _sums(ids: list[Any], minor: list[int]) -> dict[Any, int]:
    """The sum of ``minor`` per id (``None`` ids left out)."""
    if not ids:
        return {}
    by = pd.Series(minor, dtype=np.int64).groupby(pd.Series(ids, dtype=object), sort=False)
    got = by.sum()
    return dict(zip(got.index.tolist(), got.tolist(), strict=True))


def _frame(cols: dict[str, list[Any]], columns: list[str]) -> pd.DataFrame:
    """A result frame of columns (as ``pd.DataFrame`` of the rows as dicts would build it)."""
    if not cols[columns[0]]:
        return pd.DataFrame([], columns=columns)
    return pd.DataFrame(cols, columns=columns)


@paused
def build_result(
    tx: pd.DataFrame,
    inv: pd.DataFrame,
    rows: list[dict[str, list[Any]]],
    amb_rows: list[dict[str, Any]],
    config: MatchConfig,
    dup_rows: list[dict[str, Any]] | None = None,
) -> ReconciliationResult:
    """The result frames of the allocation columns of each partition (``rows``:
    :func:`allocation_rows`'), the ambiguous payments' rows and the duplicates' rows."""
    cols = _columns(rows) if rows else {c: [] for c in (*ALLOCATION_COLUMNS, "_minor")}
    n = len(cols["transaction_id"])
    # the object columns built as such: no str inference of millions of cells, then undone
    al = pd.DataFrame(
        {
            c: pd.Series(cols[c], dtype=object) if c in _OBJECT_COLUMNS else cols[c]
            for c in ALLOCATION_COLUMNS
        }
        if n
        else [],
        columns=list(ALLOCATION_COLUMNS),
    )
    if not n:
        for col in _OBJECT_COLUMNS:
            al[col] = pd.Series([], dtype=object)
    al["score"] = al["score"].astype(np.float64)
    al = al.sort_values(["transaction_id", "invoice_id"], kind="stable", na_position="last")
    al = al.reset_index(drop=True)
    # remaining amounts in minor units (suggested allocations count as taken; a discount or
    # a fee allocation closes its invoice)
    t_col, i_col, kinds = cols["transaction_id"], cols["invoice_id"], cols["kind"]
    used_t = _sums(t_col, cols["_minor"])
    used_i = _sums(i_col, cols["_minor"])
    closed = {
        i for i, k in zip(i_col, kinds, strict=True) if i is not None and k in ("discount", "fee")
    }
    exps: dict[str, int] = {}

    def money(minor: int, ccy: str) -> Decimal:
        """:func:`rapprochement.money.from_minor`, each currency's exponent read once."""
        e = exps.get(ccy)
        if e is None:
            e = exps[ccy] = currency_exponent(ccy)
        return Decimal(minor).scaleb(-e)

    t_ids = tx["transaction_id"].to_numpy()
    t_left = tx["amount"].to_numpy(dtype=np.int64) - _used(t_ids, used_t)
    t_ccy, t_amt = tx["currency"].to_numpy(), tx["amount"].to_numpy()
    at = np.flatnonzero(t_left != 0)
    ccys = t_ccy[at].tolist()
    tx_rem = {
        "transaction_id": t_ids[at].tolist(),
        "currency": ccys,
        "amount": list(map(money, t_amt[at].astype(np.int64).tolist(), ccys)),
        "remaining": list(map(money, t_left[at].tolist(), ccys)),
    }
    i_ids = inv["invoice_id"].to_numpy()
    i_left = inv["open"].to_numpy(dtype=np.int64) - _used(i_ids, used_i)
    if closed:
        i_left[pd.Series(i_ids, dtype=object).isin(closed).to_numpy()] = 0
    i_cid, i_ccy, i_amt = (inv[c].to_numpy() for c in ("customer_id", "currency", "amount"))
    at = np.flatnonzero(i_left != 0)
    ccys = i_ccy[at].tolist()
    inv_rem = {
        "invoice_id": i_ids[at].tolist(),
        "customer_id": i_cid[at].tolist(),
        "currency": ccys,
        "amount": list(map(money, i_amt[at].astype(np.int64).tolist(), ccys)),
        "open_amount": list(map(money, i_left[at].tolist(), ccys)),
    }
    incoming = {str(k) for k in t_ids[tx["amount"].to_numpy() > 0].tolist()}
    auto_ids = {t for t, st in zip(t_col, cols["status"], strict=True) if st == "auto"}
    return ReconciliationResult(
        n_incoming=len(incoming),
        n_incoming_matched=len(incoming & auto_ids),
        allocations=al,
        unmatched_transactions=_frame(tx_rem, list(tx_rem)),
        open_invoices=_frame(inv_rem, list(inv_rem)),
        ambiguous=pd.DataFrame(amb_rows, columns=list(AMBIGUOUS_COLUMNS)),
        config=config,
        version=_version(),
        n_transactions=len(tx),
        n_invoices=len(inv),
        duplicates=pd.DataFrame(dup_rows or [], columns=list(DUPLICATE_COLUMNS), dtype=object),
    )
