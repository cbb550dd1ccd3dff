"""The growing synthetic book: customers, invoices, transactions and truth as column lists.

Internal to :mod:`benchmarks.generator`. Amounts are integer cents, dates are proleptic
ordinals (``date.toordinal()``) until the final frames are built.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from functools import lru_cache

from schwifty import IBAN

from benchmarks.gen_text import SCHEMES, invoice_number, structured_reference
from benchmarks.names import bank_variant

__all__ = ["PERIOD_DAYS", "PERIOD_START", "Book", "Customer", "new_iban"]

#: First booking day of the synthetic statements and how many days they cover.
PERIOD_START = dt.date(2026, 1, 5).toordinal()
PERIOD_DAYS = 360

_BANKS: dict[str, tuple[tuple[str, ...], int, int]] = {
    # country: (bank codes, account digits, branch digits)
    "FR": (("30004", "30003", "30002", "10278", "11306", "18206", "30066", "20041"), 11, 5),
    "BE": (("001", "068", "363", "750", "310"), 7, 0),
    "DE": (("37040044", "50010517", "10070000", "20041133", "70150000"), 10, 0),
    "ES": (("2100", "0049", "0182", "0081"), 10, 4),
    "IT": (("03069", "02008", "05034"), 12, 5),
    "NL": (("ABNA", "INGB", "RABO"), 10, 0),
    "CH": (("00230", "09000", "00762"), 12, 0),
    "LU": (("001", "003", "019"), 13, 0),
    "PT": (("0035", "0033", "0010"), 11, 4),
    "AT": (("20111", "12000"), 11, 0),
    "GB": (("NWBK", "BARC", "HBUK"), 8, 6),
}
_TERMS = (("30", 30), ("45eom", 45), ("60", 60), ("30eom", 30), ("0", 0))
_TERM_WEIGHTS = (0.45, 0.2, 0.15, 0.12, 0.08)


def new_iban(rng: random.Random, country: str) -> str:
    """A valid IBAN (compact) of a real bank code in ``country``, built with schwifty."""
    banks, n_acc, n_branch = _BANKS.get(country, _BANKS["FR"])
    acc = str(rng.randrange(10 ** (n_acc - 1), 10**n_acc))
    kw = {"branch_code": str(rng.randrange(10 ** (n_branch - 1), 10**n_branch))} if n_branch else {}
    cc = country if country in _BANKS else "FR"
    return str(IBAN.generate(cc, bank_code=rng.choice(banks), account_code=acc, **kw).compact)


@dataclass(slots=True)
class Customer:
    """A customer of the seller, with how it pays."""

    idx: int
    cid: str
    name: str
    country: str
    ibans: list[str]
    terms: str
    term_days: int
    scheme: int
    ref_kind: str | None
    sub_amount: int
    payer: tuple[str, str, str] | None = None  # (kind, name, iban)
    invoices: list[int] = field(default_factory=list)


@lru_cache(maxsize=8192)
def year_of(ordinal: int) -> int:
    """Calendar year of a date ordinal."""
    return dt.date.fromordinal(ordinal).year


@lru_cache(maxsize=65536)
def due_date(issue: int, terms: str, term_days: int) -> int:
    """Due date ordinal from the issue date ordinal and the payment terms."""
    due = issue + term_days
    if terms.endswith("eom"):
        d = dt.date.fromordinal(due)
        nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        due = nxt.toordinal() - 1
    return due


def business_day(ordinal: int) -> int:
    """``ordinal`` moved forward to a Monday when it falls on a weekend."""
    wd = (ordinal + 6) % 7  # == date.fromordinal(ordinal).weekday()
    return ordinal + (7 - wd if wd >= 5 else 0)


class Book:
    """Column lists of the dataset being generated."""

    def __init__(self, rng: random.Random, rates: dict[str, float]) -> None:
        self.rng = rng
        self.rates = rates
        self.customers: list[Customer] = []
        self.seq = [rng.randint(1, 900) for _ in SCHEMES]
        self.cn_seq = rng.randint(1, 300)
        # invoices
        self.inv_id: list[str] = []
        self.inv_cust: list[int] = []
        self.inv_amount: list[int] = []
        self.inv_issue: list[int] = []
        self.inv_due: list[int] = []
        self.inv_ref: list[str | None] = []
        # transactions (temporary index = position)
        self.tx_booking: list[int] = []
        self.tx_value: list[int] = []
        self.tx_amount: list[int] = []
        self.tx_currency: list[str] = []
        self.tx_name: list[str] = []
        self.tx_iban: list[str | None] = []
        self.tx_text: list[str] = []
        self.tx_sref: list[str | None] = []
        self.tx_e2e: list[str | None] = []
        # truth: (tx index, invoice index or -1, cents, kind, tags)
        self.truth: list[tuple[int, int, int, str, str]] = []
        # remittance advice: (tx index, reference, cents, memo)
        self.advice: list[tuple[int, str, int, str]] = []

    def period_day(self) -> int:
        """A random day of the statement period (ordinal)."""
        return PERIOD_START + self.rng.randrange(PERIOD_DAYS)

    # ---- customers -------------------------------------------------------------------------
    def add_customer(self, name: str, country: str, n_ibans: int) -> Customer:
        """Register a customer with payment terms, a journal and a reference habit."""
        rng = self.rng
        idx = len(self.customers)
        terms, days = rng.choices(_TERMS, weights=_TERM_WEIGHTS)[0]
        ref_kind: str | None = None
        if rng.random() < self.rates["structured_ref"]:
            ref_kind = {"BE": "ogm", "CH": "qr"}.get(country, "rf")
        sub = 0
        if rng.random() < self.rates["subscription"]:
            sub = rng.choice((4900, 9900, 19900, 24000, 35880, 60000, 120000))
        c = Customer(
            idx=idx,
            cid=f"C{idx + 1:06d}",
            name=name,
            country=country,
            ibans=[new_iban(rng, country) for _ in range(n_ibans)],
            terms=terms,
            term_days=days,
            scheme=rng.choices(range(len(SCHEMES)), weights=(0.5, 0.2, 0.2, 0.1))[0],
            ref_kind=ref_kind,
            sub_amount=sub,
        )
        self.customers.append(c)
        return c

    # ---- invoices --------------------------------------------------------------------------
    def add_invoice(self, c: Customer, cents: int, issue: int, *, credit_note: bool = False) -> int:
        """Append an invoice (or a credit note when ``credit_note``) and return its index."""
        year = year_of(issue)
        ref: str | None = None
        if credit_note:
            self.cn_seq += 1
            number = f"AV-{year}-{self.cn_seq:06d}"
            cents = -abs(cents)
        else:
            self.seq[c.scheme] += 1
            number = invoice_number(c.scheme, year, self.seq[c.scheme])
            if c.ref_kind is not None:
                ref = structured_reference(c.ref_kind, c.scheme, year, self.seq[c.scheme], c.idx)
        i = len(self.inv_id)
        self.inv_id.append(number)
        self.inv_cust.append(c.idx)
        self.inv_amount.append(cents)
        self.inv_issue.append(issue)
        self.inv_due.append(due_date(issue, c.terms, c.term_days))
        self.inv_ref.append(ref)
        c.invoices.append(i)
        return i

    # ---- transactions ----------------------------------------------------------------------
    def payer_of(self, c: Customer, tags: set[str]) -> tuple[str, str | None]:
        """Name as the bank shows it and IBAN of whoever pays for ``c`` this time."""
        rng = self.rng
        if c.payer is not None and rng.random() < 0.8:
            tags.add("payer_not_customer")
            name, iban = c.payer[1], c.payer[2]
        else:
            name, iban = c.name, rng.choice(c.ibans)
        shown, cut = bank_variant(rng, name, truncate_p=self.rates["name_truncated"])
        if cut:
            tags.add("name_truncated")
        if rng.random() < self.rates["missing_iban"]:
            tags.add("missing_iban")
            return shown, None
        return shown, iban

    def add_tx(
        self,
        booking: int,
        cents: int,
        name: str,
        iban: str | None,
        text: str,
        sref: str | None = None,
        e2e: str | None = None,
    ) -> int:
        """Append a bank transaction and return its temporary index."""
        booking = business_day(booking)
        i = len(self.tx_amount)
        self.tx_booking.append(booking)
        self.tx_value.append(booking - (1 if self.rng.random() < 0.15 else 0))
        self.tx_amount.append(cents)
        self.tx_currency.append("EUR")
        self.tx_name.append(name)
        self.tx_iban.append(iban)
        self.tx_text.append(text)
        self.tx_sref.append(sref)
        self.tx_e2e.append(e2e)
        return i
