"""Seeded generator of a labeled receivables book: customers, invoices, bank transactions and
the true allocations between them, with the noise of ``../shared/DOMAIN.md`` §4.

>>> from benchmarks.generator import generate
>>> ds = generate(seed=1000, n_payments=2000, difficulty="hard")   # doctest: +SKIP
>>> ds.truth.groupby("kind").size()                                 # doctest: +SKIP

Frames (all amounts :class:`decimal.Decimal`, all dates :class:`datetime.date`):

``transactions``
    ``transaction_id, booking_date, value_date, amount, currency, counterparty_name,
    counterparty_iban, remittance_info, structured_reference, end_to_end_id`` — positive amount
    = money received; unrelated lines (fees, salaries, taxes) are often negative.
``invoices``
    ``invoice_id, customer_id, customer_name, amount, currency, issue_date, due_date,
    open_amount, reference, customer_iban`` — credit notes have a negative amount.
``remittances``
    ``transaction_id, reference, amount, memo`` — remittance-advice lines of some grouped
    payments (the reference may be garbled like free text).
``customers``
    ``customer_id, iban, name`` — what a ledger would have learned from past payments: for a
    share of customers (rate ``learned_iban``) the IBAN that pays them and the payer name as the
    bank shows it, including parent companies, factors and accountants that pay for them.
``truth``
    ``transaction_id, invoice_id, amount, kind, tags`` — one row per true allocation.
    ``invoice_id`` is None for the part of a transaction that pays no invoice: the excess of
    an ``overpayment``, a whole ``duplicate`` payment, and ``unrelated`` bank lines. For every
    transaction the truth rows add up exactly to its amount. ``kind`` is the structure of the
    payment (see :data:`benchmarks.gen_rates.KINDS`, plus ``one_to_one`` and ``unrelated``);
    ``tags`` is a comma-separated list of the noise applied (``payer_not_customer``,
    ``name_truncated``, ``ref_garbled:<op>``, ``ref_po``, ``no_remittance``, ``structured_ref``,
    ``remittance_advice``, ``grouped_partial``, ``before_invoice``, ``missing_iban``,
    ``equal_amounts``, ``duplicated``, ``refs_incomplete``).

Determinism: one :class:`random.Random` seeded with ``seed``; no global state. Same seed, same
size, same rates → identical frames.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from benchmarks.gen_book import Book, Customer, new_iban
from benchmarks.gen_payments import KIND_FUNCS, amount_cents, n_transactions
from benchmarks.gen_rates import KINDS, resolve_rates
from benchmarks.gen_text import unrelated_line
from benchmarks.names import ACCOUNTANTS, COUNTRY_WEIGHTS, FACTORS, bank_variant, company_name

__all__ = ["Dataset", "generate", "to_decimal"]

#: Payments per customer on average (the size of a payer block stays constant as n grows).
PAYMENTS_PER_CUSTOMER = 6


@dataclass(frozen=True)
class Dataset:
    """A generated book and its ground truth (see the module docstring for the columns)."""

    transactions: pd.DataFrame
    invoices: pd.DataFrame
    remittances: pd.DataFrame
    customers: pd.DataFrame
    truth: pd.DataFrame
    seed: int
    difficulty: str
    rates: Mapping[str, float] = field(default_factory=dict)

    def reconcile(self, **options: Any) -> Any:
        """``rapprochement.reconcile`` of this book (its remittances and learned payers
        included); ``options``: its keyword arguments (``executor``, ``config``...)."""
        import rapprochement

        return rapprochement.reconcile(
            self.transactions,
            self.invoices,
            remittances=self.remittances,
            customers=self.customers,
            **options,
        )


def to_decimal(cents: list[int]) -> list[Decimal]:
    """Integer cents → Decimal with two places (``1234`` → ``Decimal("12.34")``)."""
    return [Decimal(c).scaleb(-2) for c in cents]


def _obj(values: list[Any]) -> pd.Series:
    """An object column that keeps None as None (pandas 3 would turn it into NaN)."""
    return pd.Series(values, dtype=object)


def _dates(ordinals: list[int]) -> list[dt.date]:
    cache: dict[int, dt.date] = {}
    out = []
    for o in ordinals:
        d = cache.get(o)
        if d is None:
            d = cache[o] = dt.date.fromordinal(o)
        out.append(d)
    return out


def _make_customers(book: Book, n: int) -> tuple[list[Customer], list[float]]:
    rng = book.rng
    countries, cw = zip(*COUNTRY_WEIGHTS.items(), strict=True)
    parents = [
        (
            f"{company_name(rng, 'FR').split()[0]} GROUPE {rng.choice(('SA', 'SAS', 'HOLDING'))}",
            "FR",
        )
        for _ in range(max(1, n // 25))
    ]
    parent_ibans = [new_iban(rng, cc) for _, cc in parents]
    factor_ibans = [new_iban(rng, "FR") for _ in FACTORS]
    acct_ibans = [new_iban(rng, "FR") for _ in ACCOUNTANTS]
    custs: list[Customer] = []
    for _ in range(n):
        country = rng.choices(countries, weights=cw)[0]
        c = book.add_customer(company_name(rng, country), country, 2 if rng.random() < 0.15 else 1)
        if rng.random() < book.rates["payer_not_customer"]:
            r = rng.random()
            if r < 0.5:
                j = rng.randrange(len(parents))
                c.payer = ("parent", parents[j][0], parent_ibans[j])
            elif r < 0.8:
                j = rng.randrange(len(FACTORS))
                c.payer = ("factor", FACTORS[j], factor_ibans[j])
            else:
                j = rng.randrange(len(ACCOUNTANTS))
                c.payer = ("accountant", ACCOUNTANTS[j], acct_ibans[j])
        custs.append(c)
    weights = [min(rng.paretovariate(1.6), 40.0) for _ in custs]
    return custs, list(itertools.accumulate(weights))


def _pick(rng: random.Random, custs: list[Customer], cum: list[float]) -> Customer:
    return custs[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _fill(book: Book, n_payments: int) -> None:
    rng, rates = book.rng, book.rates
    custs, cum = _make_customers(book, max(10, n_payments // PAYMENTS_PER_CUSTOMER))
    fx_custs = [c for c in custs if c.country in ("CH", "GB")] or custs
    kinds = ["one_to_one", *KINDS]
    kind_cum = list(itertools.accumulate(rates[k] for k in kinds))
    produced = 0
    while produced < n_payments:
        kind = kinds[min(bisect.bisect_right(kind_cum, rng.random()), len(kinds) - 1)]
        if n_transactions(kind) > n_payments - produced:
            kind = "one_to_one"
        c = rng.choice(fx_custs) if kind == "fx" else _pick(rng, custs, cum)
        produced += KIND_FUNCS[kind](book, c)
    # unrelated bank lines
    for _ in range(round(rates["unrelated"] * n_payments)):
        day = book.period_day()
        who, text, cents = unrelated_line(rng, dt.date.fromordinal(day).month)
        tx = book.add_tx(day, cents, who, None, text)
        book.truth.append((tx, -1, cents, "unrelated", ""))
    # open invoices no payment settles: the rivals
    for _ in range(round(rates["open_ratio"] * n_payments)):
        c = _pick(rng, custs, cum)
        if c.invoices and rng.random() < rates["equal_amount_distractor"]:
            cents = abs(book.inv_amount[rng.choice(c.invoices)])
        else:
            cents = amount_cents(book, c)
        book.add_invoice(c, cents, book.period_day() - rng.randint(0, 90))


def _frames(book: Book) -> dict[str, pd.DataFrame]:
    rng = book.rng
    order = sorted(range(len(book.tx_amount)), key=lambda i: (book.tx_booking[i], i))
    width = max(7, len(str(len(order))))
    tx_ids = [""] * len(order)
    for new, old in enumerate(order):
        tx_ids[old] = f"TX{new + 1:0{width}d}"

    def col(values: list[Any]) -> list[Any]:
        return [values[i] for i in order]

    transactions = pd.DataFrame({
        "transaction_id": col(tx_ids),
        "booking_date": _dates(col(book.tx_booking)),
        "value_date": _dates(col(book.tx_value)),
        "amount": to_decimal(col(book.tx_amount)),
        "currency": col(book.tx_currency),
        "counterparty_name": col(book.tx_name),
        "counterparty_iban": _obj(col(book.tx_iban)),
        "remittance_info": col(book.tx_text),
        "structured_reference": _obj(col(book.tx_sref)),
        "end_to_end_id": _obj(col(book.tx_e2e)),
    })  # fmt: skip
    custs = book.customers
    master = {c.idx: c.ibans[0] for c in custs if rng.random() < book.rates["master_iban"]}
    invoices = pd.DataFrame({
        "invoice_id": book.inv_id,
        "customer_id": [custs[i].cid for i in book.inv_cust],
        "customer_name": [custs[i].name for i in book.inv_cust],
        "amount": to_decimal(book.inv_amount),
        "currency": "EUR",
        "issue_date": _dates(book.inv_issue),
        "due_date": _dates(book.inv_due),
        "open_amount": to_decimal(book.inv_amount),
        "reference": _obj(book.inv_ref),
        "customer_iban": _obj([master.get(i) for i in book.inv_cust]),
    })  # fmt: skip
    # invoices of one customer sharing an amount with another open invoice of that customer
    dup = invoices.duplicated(["customer_id", "amount"], keep=False).to_numpy()
    equal = {book.inv_id[i] for i in range(len(book.inv_id)) if dup[i]}
    truth_rows = []
    for tx, inv, cents, kind, tags in book.truth:
        inv_id = book.inv_id[inv] if inv >= 0 else None
        if inv_id in equal:
            tags = ",".join(sorted({*filter(None, tags.split(",")), "equal_amounts"}))
        truth_rows.append((tx_ids[tx], inv_id, cents, kind, tags))
    truth_rows.sort(key=lambda r: (r[0], r[1] or ""))
    truth = pd.DataFrame({
        "transaction_id": [r[0] for r in truth_rows],
        "invoice_id": _obj([r[1] for r in truth_rows]),
        "amount": to_decimal([r[2] for r in truth_rows]),
        "kind": [r[3] for r in truth_rows],
        "tags": [r[4] for r in truth_rows],
    })  # fmt: skip
    remittances = pd.DataFrame(
        [(tx_ids[t], ref, Decimal(c).scaleb(-2), memo) for t, ref, c, memo in book.advice],
        columns=["transaction_id", "reference", "amount", "memo"],
    )
    learned: list[tuple[str, str, str]] = []
    for c in custs:
        if rng.random() < book.rates["learned_iban"]:
            learned.append((c.cid, c.ibans[0], bank_variant(rng, c.name)[0]))
            if c.payer is not None and rng.random() < 0.7:
                learned.append((c.cid, c.payer[2], bank_variant(rng, c.payer[1])[0]))
    customers = pd.DataFrame(learned, columns=["customer_id", "iban", "name"])
    return {
        "transactions": transactions,
        "invoices": invoices,
        "remittances": remittances,
        "customers": customers,
        "truth": truth,
    }


def generate(seed: int, n_payments: int, difficulty: str = "hard", **rates: float) -> Dataset:
    """A labeled book of about ``n_payments`` customer payments (plus unrelated bank lines).

    ``difficulty`` is ``"easy"``, ``"medium"`` or ``"hard"``; keyword ``rates`` override the
    shares and noise rates of :mod:`benchmarks.gen_rates` (e.g. ``grouped=0.3``).
    Exactly ``n_payments`` customer-payment transactions are produced.

    Raises:
        ValueError: unknown difficulty or rate name, negative rate, ``n_payments < 1``.
    """
    if n_payments < 1:
        raise ValueError(f"n_payments must be >= 1, got {n_payments}")
    resolved = resolve_rates(difficulty, rates)
    book = Book(random.Random(seed), resolved)
    _fill(book, n_payments)
    frames = _frames(book)
    return Dataset(**frames, seed=seed, difficulty=difficulty, rates=dict(resolved))
