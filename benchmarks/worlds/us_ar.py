"""The US/UK accounts-receivable world: a US distributor with a UK branch invoicing companies.

What sets it apart from the French/EU SME book (each rate in :data:`RATES`):

* **customers**: American and British companies (``Inc.``, ``Corp.``, ``LLC``, ``Ltd``,
  ``PLC``), paying in USD (ACH, check, Fedwire) or GBP (Faster Payments, Bacs, CHAPS); US
  payers carry no IBAN at all; some go by their acronym (``IBM CORP``) or abbreviations
  (``INTL``, ``MFG``, ``&`` / ``AND``), cut at the channel's width (ACH 16, UK 18 characters);
* **references**: bare six-digit invoice numbers (``104233``, Sage ``SIN004233`` in the UK);
  the invoice's ``reference`` is the customer's **PO number**, sometimes a blanket PO shared by
  many invoices; payers quote the PO instead of the invoice a quarter of the time;
* **remittance advice** (the ``remittances`` frame: lockbox stubs, e-mailed advice, AP
  platforms) for most grouped payments, deduction lines (``DM…``, negative) with short pays,
  ``ON ACCOUNT`` lines with overpayments, credit memos; EDI 820 ``RMR`` addenda in ACH CTX text;
* **payer ≠ customer**: parent companies, AP payment platforms (AvidXchange, Bill.com...) and
  supply-chain-finance banks paying for many buyers;
* 2/10 net 30 discounts (some unearned), wire fees, duplicates re-sent by another channel;
* issue-12 classes: two master records of one company (grouped payments spanning both), UK
  IBANs typed with dashes or lower case, transposed amounts, equal weekly amounts, look-alike
  customers paid the same amount the same day, tax refunds / loans equal to an open invoice.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass

from benchmarks.gen_book import new_iban
from benchmarks.generator import Dataset
from benchmarks.worlds import us_text as txt
from benchmarks.worlds.book import WorldBook, draw_scenarios, resolve_rates
from benchmarks.worlds.noise import add_coincidences, messy_iban, twin_spelling
from benchmarks.worlds.us_kinds import KINDS, SCENARIOS

__all__ = ["RATES", "Buyer", "generate"]

#: Shares of payment scenarios (the rest is ``one_to_one``) and noise rates of this world.
RATES: dict[str, float] = {
    # payment scenarios, per customer payment
    "grouped": 0.20, "short_pay": 0.08, "discount": 0.05, "partial": 0.02,
    "overpayment": 0.04, "duplicate": 0.03, "credit_note": 0.03, "fee": 0.03,
    "transposed": 0.01, "weekly": 0.005, "lookalike": 0.005,
    # noise
    "gbp": 0.2,                # customers in the UK, paying in GBP
    "payer_not_customer": 0.15,  # customers paid (80 % of the time) by a parent / platform / SCF
    "acronym": 0.12,           # payers that go by their initials
    "no_remittance": 0.12,     # nothing quoted at all
    "ref_po": 0.25,            # the PO number quoted instead of the invoice number
    "ref_garbled": 0.10,       # the invoice number keyed wrong
    "advice": 0.65,            # grouped payments with remittance-advice lines
    "ctx": 0.15,               # grouped ACH payments with EDI 820 addenda in the text
    "po_on_invoice": 0.7,      # invoices carrying the customer's PO number
    "blanket_po": 0.1,         # customers using one PO for all their invoices
    "twin_record": 0.06,       # customers with a second master record (another spelling)
    "iban_unnormalized": 0.25,  # UK IBANs typed with dashes, spaces, lower case
    "coincidence": 0.01,       # non-payments equal to an open invoice, per payment
    "unrelated": 0.12,         # payroll, taxes, card deposits, transfers, per payment
    "open_ratio": 0.6,         # open invoices nothing pays, per payment
    "equal_amount_distractor": 0.15,
    "learned": 0.5,            # customers whose payer the ledger has learned
    "master_iban": 0.3,        # UK customers whose IBAN is in the master data
}  # fmt: skip

_CHANNELS = {"USD": (("ach", 0.55), ("check", 0.3), ("wire", 0.15)),
             "GBP": (("fps", 0.55), ("bacs", 0.3), ("chaps", 0.15))}  # fmt: skip
_TERMS = ((30, False, 0.45), (45, False, 0.12), (60, False, 0.1), (30, True, 0.15),
          (90, False, 0.05), (0, False, 0.05), (31, False, 0.08))  # fmt: skip
_COINCIDENCES = {
    "USD": (("IRS TREAS 310", "IRS TREAS 310 TAX REF {n}"), ("SBA", "SBA LOAN PROCEEDS {n}"),
            ("NYS DTF", "NYS DTF PIT REFUND {n}"), ("", "LOAN ADVANCE CREDIT {n}"),
            ("HARTFORD FIRE INS", "INSURANCE CLAIM PMT {n}")),
    "GBP": (("HMRC", "HMRC VAT REPAYMENT {n}"), ("FUNDING CIRCLE", "LOAN DRAWDOWN {n}"),
            ("", "R&D TAX CREDIT {n}")),
}  # fmt: skip


@dataclass(slots=True)
class Buyer:
    """A customer entity: its master record(s) and how it pays."""

    rec: int
    twin: int | None
    name: str
    ccy: str
    channel: str
    short: bool
    terms: int
    two_ten: bool
    po_style: int
    blanket: str | None
    iban: str | None
    payer: tuple[str, str, str | None] | None = None  # (kind, name, iban)


class USBook(WorldBook):
    """A :class:`WorldBook` with the seller's numbering and the world's rates."""

    def __init__(self, rng: random.Random, rates: dict[str, float]) -> None:
        super().__init__(rng)
        self.rates = rates
        self.seq = {"USD": rng.randint(100000, 110000), "GBP": rng.randint(1000, 9000)}
        self.cm_seq = rng.randint(1000, 5000)
        self.buyers: list[Buyer] = []
        self.open_only: list[int] = []

    def po_number(self, b: Buyer) -> str:
        """A purchase-order number in the buyer's ERP style (its blanket PO when it has one)."""
        if b.blanket is not None:
            return b.blanket
        r = self.rng
        return (
            f"4500{r.randrange(10**5, 10**6)}",
            f"PO-{r.randrange(10**4, 10**5)}",
            f"{r.choice('ABCDEFGHJK')}{r.choice('MNPRST')}{r.randrange(10**5, 10**6)}",
            f"P{r.randrange(10**6, 10**7)}",
        )[b.po_style]

    def new_buyer(self, name: str, country: str) -> Buyer:
        """Register a customer entity (maybe with a twin record) and its habits."""
        rng, rates = self.rng, self.rates
        ccy = "GBP" if country == "GB" else "USD"
        iban = new_iban(rng, "GB") if ccy == "GBP" else None
        cid = f"CUST-{len(self.records) + 1:05d}"
        master = iban if iban and rng.random() < rates["master_iban"] else None
        if master and rng.random() < rates["iban_unnormalized"]:
            master = messy_iban(rng, master)
        rec = self.record(cid, name, master)
        twin = None
        if rng.random() < rates["twin_record"]:
            twin = self.record(f"CUST-{len(self.records) + 1:05d}", twin_spelling(rng, name))
        chans = [c for c, _ in _CHANNELS[ccy]]
        cw = [w for _, w in _CHANNELS[ccy]]
        days, two_ten, _ = rng.choices(_TERMS, weights=[t[2] for t in _TERMS])[0]
        po_style = rng.randrange(4)
        b = Buyer(
            rec,
            twin,
            name,
            ccy,
            rng.choices(chans, weights=cw)[0],
            rng.random() < rates["acronym"] and len(txt.acronym(name).split()[0]) >= 3,
            days,
            two_ten,
            po_style,
            None,
            iban,
        )
        if rng.random() < rates["blanket_po"]:
            b.blanket = self.po_number(b)
        self.buyers.append(b)
        return b

    def amount(self, b: Buyer) -> int:
        """An invoice amount in cents: log-normal; US sales tax on some, UK VAT on most."""
        rng = self.rng
        major = min(rng.lognormvariate(7.4, 1.2), 400_000.0)
        if b.ccy == "GBP" and rng.random() < 0.7:
            return max(1000, int(major) * 120)
        if b.ccy == "USD" and rng.random() < 0.4:  # sales tax, in thousandths of a percent
            rate = rng.choice((6000, 6250, 7000, 8250, 8875))
            return max(1000, (int(major) * 100 * (100_000 + rate) + 50_000) // 100_000)
        return max(1000, int(major * 100))

    def new_invoice(self, b: Buyer, cents: int, issue: int, *, credit: bool = False) -> int:
        """An invoice (or credit memo) of ``b``, filed under its twin record 40 % of the time."""
        rng = self.rng
        rec = b.twin if b.twin is not None and rng.random() < 0.4 else b.rec
        if credit:
            self.cm_seq += 1
            number = f"CM-{self.cm_seq}" if b.ccy == "USD" else f"SCN{self.cm_seq:06d}"
            return self.invoice(rec, number, -abs(cents), issue, issue, b.ccy)
        self.seq[b.ccy] += 1
        s = self.seq[b.ccy]
        number = str(s) if b.ccy == "USD" else f"SIN{s:06d}"
        po_rate = self.rates["po_on_invoice"] * (1.0 if b.ccy == "USD" else 0.6)
        ref = self.po_number(b) if b.blanket or rng.random() < po_rate else None
        return self.invoice(rec, number, cents, issue, issue + b.terms, b.ccy, ref)


def _buyers(book: USBook, n: int) -> list[float]:
    rng = book.rng
    parents: dict[str, list[tuple[str, str | None]]] = {"US": [], "GB": []}
    for cc, count in (("US", max(2, n // 40)), ("GB", max(1, n // 160))):
        for _ in range(count):
            base = txt.company_name(rng, cc).split()[0].upper()
            iban = new_iban(rng, "GB") if cc == "GB" else None
            parents[cc].append((f"{base} HOLDINGS {'LTD' if cc == 'GB' else 'INC'}", iban))
    firms = {k: [(name, new_iban(rng, "GB") if cc == "GB" else None) for name in names]
             for k, names, cc in txt.FIRM_GROUPS}  # fmt: skip
    for _ in range(n):
        cc = "GB" if rng.random() < book.rates["gbp"] else "US"
        b = book.new_buyer(txt.company_name(rng, cc), cc)
        if rng.random() < book.rates["payer_not_customer"]:
            r = rng.random()
            kind = "parent" if r < 0.4 else "platform" if r < 0.8 else "scf"
            pool = parents[cc] if kind == "parent" else firms[f"{kind}_{cc}"]
            b.payer = (kind, *rng.choice(pool))
    weights = [min(rng.paretovariate(1.5), 50.0) for _ in book.buyers]
    return list(itertools.accumulate(weights))


def _learn(book: USBook) -> None:
    rng = book.rng
    for b in book.buyers:
        if not book.records[b.rec].invoices:  # a ledger learns from payments only
            continue
        if rng.random() < book.rates["learned"]:
            shown = txt.payer_name(rng, b.name, b.channel, b.short) or b.name.upper()
            book.learn(b.rec, b.iban, shown)
            if b.payer is not None and rng.random() < 0.7:
                book.learn(b.rec, b.payer[2], b.payer[1])


def generate(seed: int, n_payments: int, **overrides: float) -> Dataset:
    """A labeled US/UK receivables book of exactly ``n_payments`` customer payments.

    Raises:
        ValueError: ``n_payments < 1`` or an unknown rate name.
    """
    rates = resolve_rates(RATES, overrides, n_payments)
    book = USBook(random.Random(seed), rates)
    cum = _buyers(book, max(10, n_payments // 6))
    rng = book.rng

    def run(kind: str, budget: int) -> int:
        b = book.buyers[bisect.bisect_right(cum, rng.random() * cum[-1])]
        return SCENARIOS[kind](book, b, budget)

    draw_scenarios(rng, n_payments, {k: rates[k] for k in KINDS}, run)
    for _ in range(round(rates["unrelated"] * n_payments)):
        ccy = "GBP" if rng.random() < rates["gbp"] else "USD"
        who, text, cents = txt.unrelated_line(rng, ccy)
        tx = book.add_tx(book.period_day(), cents, ccy, who, None, text)
        book.pay(tx, -1, cents, "unrelated", "")
    paid = [b for b in book.buyers if book.records[b.rec].invoices]
    for _ in range(round(rates["open_ratio"] * n_payments)):
        b = rng.choice(paid)
        items = book.records[b.rec].invoices
        copy = items and rng.random() < rates["equal_amount_distractor"]
        cents = abs(book.inv_amount[rng.choice(items)]) if copy else book.amount(b)
        book.open_only.append(book.new_invoice(b, cents, book.period_day() - rng.randint(0, 90)))
    add_coincidences(book, round(rates["coincidence"] * n_payments), book.open_only, _COINCIDENCES)
    _learn(book)
    return book.dataset(seed, "us_ar", rates)
