"""The growing book of a world: master records, invoices, bank lines, advice lines and truth, as
column lists, turned into a :class:`~benchmarks.generator.Dataset` with the exact column
contract of :mod:`benchmarks.generator` (see its module docstring).

Amounts are integer minor units and dates proleptic ordinals until :meth:`WorldBook.dataset`.
A world keeps its own notion of a customer (the entity that pays); this book only knows the
*master records* the seller's ERP holds, so that one entity may have two records (two spellings).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from benchmarks.generator import Dataset, to_decimal

__all__ = [
    "PERIOD_DAYS",
    "PERIOD_START",
    "Record",
    "WorldBook",
    "business_day",
    "draw_scenarios",
    "obj",
    "resolve_rates",
]

#: First booking day of the worlds' statements and how many days they cover.
PERIOD_START = dt.date(2026, 1, 5).toordinal()
PERIOD_DAYS = 360


def obj(values: list[Any]) -> pd.Series:
    """An object column that keeps None as None (pandas would turn it into NaN)."""
    return pd.Series(values, dtype=object)


def business_day(ordinal: int) -> int:
    """``ordinal`` moved forward to a Monday when it falls on a weekend."""
    wd = (ordinal + 6) % 7  # == date.fromordinal(ordinal).weekday()
    return ordinal + (7 - wd if wd >= 5 else 0)


def resolve_rates(
    rates: Mapping[str, float], overrides: Mapping[str, float], n_payments: int
) -> dict[str, float]:
    """A world's ``rates`` with ``overrides`` applied.

    Raises:
        ValueError: ``n_payments < 1``, an unknown rate name or a negative rate.
    """
    if n_payments < 1:
        raise ValueError(f"n_payments must be >= 1, got {n_payments}")
    unknown = set(overrides) - set(rates)
    if unknown:
        raise ValueError(f"unknown rate(s) {sorted(unknown)}; known: {', '.join(sorted(rates))}")
    out = {**rates, **overrides}
    if any(v < 0 for v in out.values()):
        raise ValueError(f"rates must be >= 0: {dict(overrides)}")
    return out


def draw_scenarios(
    rng: random.Random,
    n_payments: int,
    shares: Mapping[str, float],
    run: Callable[[str, int], int],
) -> None:
    """Draw scenarios by ``shares`` (``one_to_one`` takes what the others leave) and
    ``run(scenario, budget)`` each until exactly ``n_payments`` customer payments exist;
    ``run`` returns how many it added, at most ``budget``."""
    names = ["one_to_one", *shares]
    weights = [max(0.0, 1.0 - sum(shares.values())), *shares.values()]
    cum = list(itertools.accumulate(weights))
    produced = 0
    while produced < n_payments:
        i = min(bisect.bisect_right(cum, rng.random() * cum[-1]), len(names) - 1)
        produced += run(names[i], n_payments - produced)


@dataclass(slots=True)
class Record:
    """One customer record of the seller's master data (an entity may have two)."""

    cid: str
    name: str
    iban: str | None = None  # as the ERP stores it (maybe unnormalized); None when unknown
    invoices: list[int] = field(default_factory=list)


class WorldBook:
    """Column lists of a world's dataset being generated (one :class:`random.Random`)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.records: list[Record] = []
        self.inv_id: list[str] = []
        self.inv_rec: list[int] = []
        self.inv_amount: list[int] = []
        self.inv_ccy: list[str] = []
        self.inv_issue: list[int] = []
        self.inv_due: list[int] = []
        self.inv_ref: list[str | None] = []
        self.tx: list[tuple[int, int, int, str, str, str | None, str, str | None, str | None]] = []
        self.truth: list[tuple[int, int, int, str, str]] = []
        self.advice: list[tuple[int, str, int, str]] = []
        self.learned: list[tuple[str, str | None, str]] = []

    def period_day(self) -> int:
        """A random day of the statement period (ordinal)."""
        return PERIOD_START + self.rng.randrange(PERIOD_DAYS)

    def record(self, cid: str, name: str, iban: str | None = None) -> int:
        """Register a master record; returns its index."""
        self.records.append(Record(cid, name, iban))
        return len(self.records) - 1

    def invoice(
        self,
        rec: int,
        number: str,
        cents: int,
        issue: int,
        due: int,
        currency: str,
        reference: str | None = None,
    ) -> int:
        """Append an invoice (negative ``cents``: a credit note) filed under record ``rec``."""
        i = len(self.inv_id)
        self.inv_id.append(number)
        self.inv_rec.append(rec)
        self.inv_amount.append(cents)
        self.inv_ccy.append(currency)
        self.inv_issue.append(issue)
        self.inv_due.append(due)
        self.inv_ref.append(reference)
        self.records[rec].invoices.append(i)
        return i

    def add_tx(
        self,
        booking: int,
        cents: int,
        currency: str,
        name: str,
        iban: str | None,
        text: str,
        sref: str | None = None,
        e2e: str | None = None,
    ) -> int:
        """Append a bank line booked on the next business day from ``booking``; its index."""
        day = business_day(booking)
        value = day - (1 if self.rng.random() < 0.1 else 0)
        self.tx.append((day, value, cents, currency, name, iban, text, sref, e2e))
        return len(self.tx) - 1

    def pay(self, tx: int, inv: int, cents: int, kind: str, tags: set[str] | str) -> None:
        """A true allocation (``inv`` -1: the part of ``tx`` that pays no invoice)."""
        t = tags if isinstance(tags, str) else ",".join(sorted(tags))
        self.truth.append((tx, inv, cents, kind, t))

    def remit(self, tx: int, reference: str, cents: int, memo: str = "") -> None:
        """A remittance-advice line of bank line ``tx``."""
        self.advice.append((tx, reference, cents, memo))

    def learn(self, rec: int, iban: str | None, name: str) -> None:
        """What a ledger learned from past payments: this IBAN / payer name pays ``rec``."""
        self.learned.append((self.records[rec].cid, iban, name))

    def dataset(self, seed: int, world: str, rates: Mapping[str, float]) -> Dataset:
        """The frames, transactions sorted by booking date (ids ``TX0000001``...)."""
        order = sorted(range(len(self.tx)), key=lambda i: (self.tx[i][0], i))
        width = max(7, len(str(len(order))))
        tx_ids = [""] * len(order)
        for new, old in enumerate(order):
            tx_ids[old] = f"TX{new + 1:0{width}d}"
        rows = [self.tx[i] for i in order]
        date = dt.date.fromordinal
        transactions = pd.DataFrame(
            {
                "transaction_id": [tx_ids[i] for i in order],
                "booking_date": [date(r[0]) for r in rows],
                "value_date": [date(r[1]) for r in rows],
                "amount": to_decimal([r[2] for r in rows]),
                "currency": [r[3] for r in rows],
                "counterparty_name": [r[4] for r in rows],
                "counterparty_iban": obj([r[5] for r in rows]),
                "remittance_info": [r[6] for r in rows],
                "structured_reference": obj([r[7] for r in rows]),
                "end_to_end_id": obj([r[8] for r in rows]),
            }
        )
        recs = [self.records[r] for r in self.inv_rec]
        invoices = pd.DataFrame(
            {
                "invoice_id": self.inv_id,
                "customer_id": [r.cid for r in recs],
                "customer_name": [r.name for r in recs],
                "amount": to_decimal(self.inv_amount),
                "currency": self.inv_ccy,
                "issue_date": [date(o) for o in self.inv_issue],
                "due_date": [date(o) for o in self.inv_due],
                "open_amount": to_decimal(self.inv_amount),
                "reference": obj(self.inv_ref),
                "customer_iban": obj([r.iban for r in recs]),
            }
        )
        dup = invoices.duplicated(["customer_id", "amount"], keep=False).to_numpy()
        truth_rows = []
        for tx, inv, cents, kind, tags in self.truth:
            if inv >= 0 and dup[inv]:
                tags = ",".join(sorted({*filter(None, tags.split(",")), "equal_amounts"}))
            truth_rows.append(
                (tx_ids[tx], self.inv_id[inv] if inv >= 0 else None, cents, kind, tags)
            )
        truth_rows.sort(key=lambda r: (r[0], r[1] or ""))
        truth = pd.DataFrame(
            {
                "transaction_id": [r[0] for r in truth_rows],
                "invoice_id": obj([r[1] for r in truth_rows]),
                "amount": to_decimal([r[2] for r in truth_rows]),
                "kind": [r[3] for r in truth_rows],
                "tags": [r[4] for r in truth_rows],
            }
        )
        remittances = pd.DataFrame(
            [(tx_ids[t], ref, Decimal(c).scaleb(-2), memo) for t, ref, c, memo in self.advice],
            columns=["transaction_id", "reference", "amount", "memo"],
        )
        customers = pd.DataFrame(
            {
                "customer_id": [c for c, _, _ in self.learned],
                "iban": obj([i for _, i, _ in self.learned]),
                "name": [n for _, _, n in self.learned],
            }
        )
        return Dataset(
            transactions=transactions,
            invoices=invoices,
            remittances=remittances,
            customers=customers,
            truth=truth,
            seed=seed,
            difficulty=world,
            rates=dict(rates),
        )
