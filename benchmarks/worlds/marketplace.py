"""The marketplace world: an online shop in the EU paid through providers and a marketplace.

What sets it apart from the French/EU SME book (each rate in :data:`RATES`):

* **batched payouts net of fees**: one bank line from Stripe, Adyen, PayPal, Amazon or Klarna
  settles many orders, each minus the provider's fee (a share of the gross plus a fixed part),
  minus the refunds of earlier orders (credit notes); the payer is the provider, never the
  customer, and the text carries the payout's own id. The provider's itemized report, when the
  shop loads it, is the ``remittances`` frame: one line per charge (its gross), per refund
  (negative) and one fee line, adding up to the payout;
* **references that are not invoice numbers**: orders are ``ord-10234-ab``, their
  ``reference`` is the provider's payment id (``ch_3…``, a 16-digit Adyen PSP reference, a
  PayPal id, an Amazon order ``302-…``); some orders lack it;
* **many small equal amounts**: a price list of 14 prices, shipping 4.90, monthly plans;
* **bank transfers** for the rest: consumers prepaying an order ("Vorkasse", order id typed by
  hand, sometimes mistyped, shipping forgotten, paid twice, paid by a partner) and small
  businesses paying invoices, alone or several at once;
* issue-12 classes: customers registered twice (``Emma Schneider`` / ``Emma Schnieder``) with
  transfers spanning both accounts, IBANs typed into the shop with dashes or lower case,
  transposed amounts, a weekly box billed the same amount, look-alike businesses paid the same
  amount the same day, and tax refunds / carrier compensations equal to an open order.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import string
from dataclasses import dataclass

from benchmarks.gen_book import new_iban
from benchmarks.generator import Dataset
from benchmarks.worlds import market_payouts as pay
from benchmarks.worlds import market_text as txt
from benchmarks.worlds.book import (
    PERIOD_DAYS,
    PERIOD_START,
    WorldBook,
    draw_scenarios,
    resolve_rates,
)
from benchmarks.worlds.market_transfers import TRANSFERS
from benchmarks.worlds.noise import add_coincidences, messy_iban, twin_spelling

__all__ = ["RATES", "ShopBook", "Shopper", "generate"]

#: Shares of payment scenarios (the rest is a ``one_to_one`` transfer) and noise rates.
RATES: dict[str, float] = {
    # customer-payment bank lines
    "payout": 0.5, "grouped": 0.05, "partial": 0.03, "overpayment": 0.02, "duplicate": 0.02,
    "transposed": 0.01, "weekly": 0.004, "lookalike": 0.004,
    # noise
    "b2b": 0.4,                # transfers that pay a business invoice (else a consumer order)
    "b2b_customers": 0.12,     # customers that are businesses buying on invoice
    "refund": 0.04,            # provider orders refunded in a later payout
    "subscription": 0.12,      # consumers on a monthly plan (same amount every month)
    "missing_reference": 0.06,  # provider orders stored without the provider's payment id
    "payer_not_customer": 0.08,  # transfers from a partner's or employer's account
    "no_remittance": 0.10,     # transfers quoting nothing
    "ref_garbled": 0.15,       # order id mistyped by the buyer
    "twin_record": 0.06,       # customers registered twice (another spelling)
    "iban_unnormalized": 0.3,  # business IBANs typed into the shop's form
    "master_iban": 0.5,        # business customers with an IBAN in the master data
    "coincidence": 0.01,       # non-payments equal to an open order, per payment
    "unrelated": 0.15,         # ads, carriers, salaries, POS payouts, per payment
    "open_ratio": 0.5,         # unpaid orders and invoices, per payment
    "learned": 0.4,            # customers whose payer the ledger has learned
}  # fmt: skip
_COUNTRIES = {"DE": 0.4, "NL": 0.15, "FR": 0.15, "AT": 0.08, "BE": 0.08, "ES": 0.07, "IT": 0.07}
_PLANS = (900, 1900, 4900)


@dataclass(slots=True)
class Shopper:
    """A customer entity: master record(s), bank account, habits."""

    rec: int
    twin: int | None
    name: str
    b2b: bool
    iban: str
    plan: int
    payer: str | None = None  # partner / employer paying for it (name)
    payer_iban: str | None = None


class ShopBook(WorldBook):
    """A :class:`WorldBook` with the shop's numbering, providers and rates."""

    def __init__(self, rng: random.Random, rates: dict[str, float]) -> None:
        super().__init__(rng)
        self.rates = rates
        self.order_seq = rng.randint(10000, 20000)
        self.re_seq = rng.randint(100, 900)
        self.shoppers: list[Shopper] = []
        self.b2b: list[Shopper] = []
        self.consumers: list[Shopper] = []
        self.provider_iban = {p.key: new_iban(rng, p.country) for p, _ in txt.PROVIDERS}
        self.paid: dict[str, list[int]] = {p.key: [] for p, _ in txt.PROVIDERS}
        self.open_only: list[int] = []
        self.refunded: set[int] = set()
        self.cutoff: dict[str, int] = {}  # provider → last charge day its payouts settled

    def new_shopper(self, b2b: bool, name: str | None = None) -> Shopper:
        """Register a customer (maybe twice, under another spelling)."""
        rng, rates = self.rng, self.rates
        cc = rng.choices(list(_COUNTRIES), weights=list(_COUNTRIES.values()))[0]
        iban = new_iban(rng, cc)
        name = name or (txt.business_name(rng) if b2b else txt.consumer_name(rng))
        alnum = string.ascii_letters + string.digits
        cid = f"K{len(self.records) + 10001}" if b2b else "cus_" + "".join(rng.choices(alnum, k=14))
        master = iban if b2b and rng.random() < rates["master_iban"] else None
        if master and rng.random() < rates["iban_unnormalized"]:
            master = messy_iban(rng, master)
        rec = self.record(cid, name, master)
        twin = None
        if rng.random() < rates["twin_record"]:
            twin_cid = (
                cid[:-3] + "".join(rng.choices(string.ascii_letters, k=3))
                if not b2b
                else f"K{len(self.records) + 10001}"
            )
            twin = self.record(twin_cid, twin_spelling(rng, name))
        plan = rng.choice(_PLANS) if not b2b and rng.random() < rates["subscription"] else 0
        s = Shopper(rec, twin, name, b2b, iban, plan)
        if rng.random() < rates["payer_not_customer"]:
            words = name.split()
            partner = f"{rng.choice(('M.', 'J.', 'A.'))} UND {words[0][:1]}. {words[-1]}"
            s.payer = f"{words[1]} HOLDING" if b2b else partner
            s.payer_iban = new_iban(rng, cc)
        self.shoppers.append(s)
        (self.b2b if b2b else self.consumers).append(s)
        return s

    def record_of(self, s: Shopper) -> int:
        """The record an order of ``s`` is filed under (the twin one 40 % of the time)."""
        return s.twin if s.twin is not None and self.rng.random() < 0.4 else s.rec

    def order(self, s: Shopper, cents: int, day: int, reference: str | None = None) -> int:
        """A shop order (``ord-10234-ab``) paid at checkout or prepaid within a week."""
        self.order_seq += 1
        suffix = "".join(self.rng.choices(string.ascii_lowercase, k=2))
        due = day if reference is not None else day + 7
        return self.invoice(
            self.record_of(s), f"ord-{self.order_seq}-{suffix}", cents, day, due, "EUR", reference
        )

    def bill(self, s: Shopper, cents: int, day: int) -> int:
        """A business invoice (``RE-2026-00123``), 14 or 30 days."""
        self.re_seq += 1
        number = f"RE-{dt.date.fromordinal(day).year}-{self.re_seq:05d}"
        due = day + self.rng.choice((14, 30))
        return self.invoice(self.record_of(s), number, cents, day, due, "EUR")

    def b2b_amount(self) -> int:
        """A business invoice amount: log-normal net plus 19 % VAT."""
        net = max(2000, int(min(self.rng.lognormvariate(5.8, 1.0), 50_000.0) * 100))
        return net * 119 // 100

    def consumer_amount(self, s: Shopper) -> int:
        """An order: the customer's plan, else catalogue items plus shipping."""
        return s.plan if s.plan and self.rng.random() < 0.8 else txt.price_cents(self.rng)


def _shoppers(book: ShopBook, n: int) -> list[float]:
    rng = book.rng
    for _ in range(n):
        book.new_shopper(rng.random() < book.rates["b2b_customers"])
    if not book.b2b:
        book.new_shopper(True)
    if not book.consumers:
        book.new_shopper(False)
    return list(itertools.accumulate(min(rng.paretovariate(1.8), 30.0) for _ in book.consumers))


def _open_items(book: ShopBook, n: int) -> None:
    rng = book.rng
    for _ in range(n):
        r = rng.random()
        if r < 0.5:  # prepayment orders never paid
            s = rng.choice(book.consumers)
            inv = book.order(s, book.consumer_amount(s), book.period_day())
        elif r < 0.8:  # charged in the last days, not yet paid out
            s = rng.choice(book.consumers)
            prov = rng.choices([p for p, _ in txt.PROVIDERS], [w for _, w in txt.PROVIDERS])[0]
            back = rng.randint(1, prov.lag + prov.window + 1)
            day = PERIOD_START + PERIOD_DAYS - back
            if prov.key in book.cutoff:  # after the last cut-off: its payouts settled the rest
                day = book.cutoff[prov.key] + back
            inv = book.order(s, book.consumer_amount(s), day, prov.charge_id(rng))
        else:
            inv = book.bill(rng.choice(book.b2b), book.b2b_amount(), book.period_day() - 20)
        book.open_only.append(inv)


def _learn(book: ShopBook) -> None:
    rng = book.rng
    for s in book.shoppers:
        if not book.records[s.rec].invoices:  # a ledger learns from payments only
            continue
        if rng.random() < book.rates["learned"]:
            book.learn(s.rec, s.iban, txt.holder_name(rng, s.name))
            if s.payer is not None and s.payer_iban is not None:
                book.learn(s.rec, s.payer_iban, s.payer)
        elif not s.b2b and rng.random() < 0.1:  # a ledger that "learned" the provider
            p = rng.choice([p for p, _ in txt.PROVIDERS])
            book.learn(s.rec, book.provider_iban[p.key], p.names[0])


def generate(
    seed: int, n_payments: int, *, payout_draw: str = "period", **overrides: float
) -> Dataset:
    """A labeled marketplace book of exactly ``n_payments`` customer-payment bank lines.

    ``payout_draw`` is how a provider's payouts choose their orders
    (:mod:`benchmarks.worlds.market_payouts`): ``"period"`` (default) partitions each
    provider's charges by settlement period, as real collectors do; ``"overlapping"`` (a
    stress option) draws each payout's orders among the provider's recent days.

    Raises:
        ValueError: ``n_payments < 1``, an unknown rate name, a negative rate or an unknown
            ``payout_draw``.
    """
    if payout_draw not in pay.DRAWS:
        raise ValueError(f"payout_draw must be one of {pay.DRAWS}, got {payout_draw!r}")
    rates = resolve_rates(RATES, overrides, n_payments)
    book = ShopBook(random.Random(seed), rates)
    pick = _shoppers(book, max(20, n_payments))
    rng = book.rng
    counts: dict[str, int] = {}

    def run(kind: str, budget: int) -> int:
        if kind == "payout" and payout_draw == "overlapping":
            return pay.overlapping_payout(book, pick)
        if kind == "payout":  # placed in time once every provider's count is known
            key = pay.pick_provider(book).key
            counts[key] = counts.get(key, 0) + 1
            return 1
        if rng.random() < rates["b2b"] or kind in ("weekly", "lookalike"):
            s = rng.choice(book.b2b)
        else:
            s = book.consumers[bisect.bisect_right(pick, rng.random() * pick[-1])]
        return TRANSFERS[kind](book, s, budget)

    draw_scenarios(
        rng, n_payments, {k: rates[k] for k in ("payout", *TRANSFERS) if k in rates}, run
    )
    pay.period_payouts(book, pick, counts)
    for _ in range(round(rates["unrelated"] * n_payments)):
        who, text, cents = txt.unrelated_line(rng)
        tx = book.add_tx(book.period_day(), cents, "EUR", who, None, text)
        book.pay(tx, -1, cents, "unrelated", "")
    _open_items(book, round(rates["open_ratio"] * n_payments))
    add_coincidences(
        book, round(rates["coincidence"] * n_payments), book.open_only, txt.COINCIDENCES
    )
    _learn(book)
    return book.dataset(seed, "marketplace", rates)
