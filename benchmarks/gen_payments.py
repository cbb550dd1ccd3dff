"""One function per payment kind: each adds the invoice(s), the bank transaction(s) and the true
allocations to a :class:`~benchmarks.gen_book.Book`.

Truth amounts are what the transaction applies to each invoice (the cash: after a discount,
fee, short-pay or FX loss the invoice is settled by less than its amount). The part of a
transaction that pays no invoice (an overpayment's excess, a duplicate payment) is a truth row
with invoice index -1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

from benchmarks.gen_book import Book, Customer
from benchmarks.gen_text import GARBLE_OPS, garble, po_number, remittance_for

__all__ = ["KIND_FUNCS", "amount_cents", "n_transactions"]


def amount_cents(book: Book, c: Customer | None = None) -> int:
    """An invoice amount in cents: log-normal, often a round net amount plus 20 % VAT."""
    rng = book.rng
    if c is not None and c.sub_amount and rng.random() < 0.8:
        return c.sub_amount
    euros = min(rng.lognormvariate(6.9, 1.1), 250_000.0)
    if rng.random() < 0.4:
        return max(500, int(euros) * 120)
    return max(500, int(euros * 100))


def _lateness(book: Book) -> int:
    rng = book.rng
    days = int(rng.gauss(3, 10))
    if rng.random() < 0.2:
        days += int(rng.expovariate(1 / 30))
    return max(-15, min(days, 150))


def _invoice_for(book: Book, c: Customer, booking: int, cents: int, tags: set[str]) -> int:
    """An invoice paid at ``booking``, issued one payment term (plus lateness) before."""
    rng = book.rng
    if rng.random() < book.rates["before_invoice"]:
        tags.add("before_invoice")
        issue = booking + rng.randint(1, 15)
    else:
        issue = booking - c.term_days - _lateness(book) - rng.randint(0, 10)
        issue = min(issue, booking - 1)
    return book.add_invoice(c, cents, issue)


def _ref_text(book: Book, inv: int, tags: set[str]) -> str:
    """How the payer writes invoice ``inv`` in free text (maybe garbled or a PO number)."""
    rng = book.rng
    number = book.inv_id[inv]
    if rng.random() < book.rates["ref_po"]:
        tags.add("ref_po")
        return po_number(rng)
    if rng.random() < book.rates["ref_garbled"]:
        op = rng.choice(GARBLE_OPS)
        tags.add(f"ref_garbled:{op}")
        return garble(rng, number, op)
    return number


@lru_cache(maxsize=4096)
def _date_text(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).strftime("%d/%m/%Y")


def _remit(
    book: Book, c: Customer, invs: list[int], booking: int, tags: set[str], extra: str = ""
) -> tuple[str, str | None, str | None]:
    """(remittance text, structured reference, end-to-end id) of a payment for ``invs``."""
    rng = book.rng
    code = c.cid[1:]
    date_txt = _date_text(booking)
    e2e = "NOTPROVIDED" if rng.random() < 0.5 else f"E2E{rng.randrange(10**11, 10**12)}"
    if rng.random() < book.rates["no_remittance"]:
        tags.add("no_remittance")
        return remittance_for(rng, c.country, [], code, date_txt, ""), None, e2e
    sref = book.inv_ref[invs[0]] if len(invs) == 1 else None
    if sref is not None and rng.random() < 0.75:
        tags.add("structured_ref")
        if sref.startswith("+++") and rng.random() < 0.5:  # Belgian payers type the OGM
            return sref + (f" {extra}" if extra else ""), None, e2e
        text = book.inv_id[invs[0]] if rng.random() < 0.3 else ""
        return (f"{text} {extra}".strip(), sref, e2e)
    refs = [_ref_text(book, i, tags) for i in invs]
    if len(refs) > 3 and rng.random() < 0.3:  # the payer lists only some of them
        refs = refs[: rng.randint(1, len(refs) - 1)]
        tags.add("refs_incomplete")
    return remittance_for(rng, c.country, refs, code, date_txt, extra), None, e2e


def _one(book: Book, c: Customer, paid: int | None, kind: str, extra: str = "") -> int:
    """A single transaction settling one new invoice; ``paid`` defaults to the invoice amount."""
    rng = book.rng
    tags: set[str] = set()
    booking = book.period_day()
    if kind == "discount":  # early payment, a week or two after issue
        cents = amount_cents(book, c)
        inv = book.add_invoice(c, cents, booking - rng.randint(5, 12))
    else:
        cents = amount_cents(book, c)
        inv = _invoice_for(book, c, booking, cents, tags)
    pay = cents if paid is None else paid
    if kind == "discount":
        pay = cents - round(cents * rng.choice((1.0, 1.5, 2.0, 2.5, 3.0)) / 100)
        extra = "ESCOMPTE" if rng.random() < 0.3 else ""
    elif kind == "fee":
        fee = rng.choice(
            (50, 100, 150, 250, 500, 1000, 1500, 2500, 3500, 5000, rng.randint(50, 5000))
        )
        pay = cents - min(fee, max(1, cents // 10))
    elif kind == "short_pay":
        pay = cents - max(100, round(cents * rng.uniform(0.02, 0.25)))
        extra = rng.choice(("DEDUCTION LITIGE", "RETENUE", "", "MOINS AVOIR A RECEVOIR"))
    elif kind == "fx":
        pay = round(cents * (1 - rng.uniform(0.002, 0.02)))
    elif kind == "partial":
        pay = round(cents * rng.uniform(0.2, 0.8))
        if rng.random() < 0.5 and pay > 2000:
            pay = pay // 1000 * 1000
        extra = "ACOMPTE" if rng.random() < 0.3 else ""
    name, iban = book.payer_of(c, tags)
    text, sref, e2e = _remit(book, c, [inv], booking, tags, extra)
    excess = 0
    if kind == "overpayment":
        up = (cents // 10000 + 1) * 10000 - cents
        excess = (
            up if rng.random() < 0.5 and up > 0 else max(1, round(cents * rng.uniform(0.01, 0.1)))
        )
    tx = book.add_tx(booking, pay + excess, name, iban, text, sref, e2e)
    t = ",".join(sorted(tags))
    book.truth.append((tx, inv, pay, kind, t))
    if excess:
        book.truth.append((tx, -1, excess, kind, t))
    return tx


def _simple(kind: str) -> Callable[[Book, Customer], int]:
    def run(book: Book, c: Customer) -> int:
        _one(book, c, None, kind)
        return 1

    return run


def _grouped(book: Book, c: Customer) -> int:
    rng = book.rng
    tags: set[str] = set()
    max_k = int(book.rates["max_group"])
    weights = [30, 22, 15, 10, 7, 5, 4, 4, 3][: max(1, max_k - 1)]
    k = rng.choices(range(2, 2 + len(weights)), weights=weights)[0]
    booking = book.period_day()
    invs = [_invoice_for(book, c, booking - rng.randint(0, 40), amount_cents(book, c), tags)
            for _ in range(k)]  # fmt: skip
    pays = [book.inv_amount[i] for i in invs]
    if rng.random() < book.rates["grouped_partial"]:
        tags.add("grouped_partial")
        pays[-1] = max(1, round(pays[-1] * rng.uniform(0.2, 0.8)))
    name, iban = book.payer_of(c, tags)
    advice = rng.random() < book.rates["remittance_advice"]
    total = sum(pays)
    tx = len(book.tx_amount)
    if advice:
        tags.add("remittance_advice")
        text = rng.choice(("VOIR AVIS DE PAIEMENT", "AVIS DE REGLEMENT", "PAYMENT ADVICE", ""))
        sref: str | None = None
        e2e: str | None = f"PAYRUN{rng.randrange(10**8, 10**9)}"
        for i, p in zip(invs, pays, strict=True):
            ref = _ref_text(book, i, tags) if rng.random() < 0.5 else book.inv_id[i]
            book.advice.append((tx, ref, p, rng.choice(("", "FACTURE", "INVOICE"))))
    else:
        text, sref, e2e = _remit(book, c, invs, booking, tags)
    book.add_tx(booking, total, name, iban, text, sref, e2e)
    t = ",".join(sorted(tags))
    book.truth.extend((tx, i, p, "grouped", t) for i, p in zip(invs, pays, strict=True))
    return 1


def _multi(book: Book, c: Customer, kind: str) -> int:
    """Several transactions for one invoice: ``instalment`` (monthly) or ``split`` (same days)."""
    rng = book.rng
    tags: set[str] = set()
    booking = book.period_day()
    cents = max(amount_cents(book, c), 3000)
    inv = _invoice_for(book, c, booking, cents, tags)
    m = rng.randint(2, 4) if kind == "instalment" else rng.choice((2, 2, 3))
    if kind == "instalment":
        parts = [cents // m] * (m - 1)
    else:
        cuts = sorted(rng.sample(range(1, cents), m - 1))
        parts = [b - a for a, b in zip([0, *cuts[:-1]], cuts, strict=True)]
    parts.append(cents - sum(parts))
    for j, p in enumerate(parts):
        ttags = set(tags)
        name, iban = book.payer_of(c, ttags)
        extra = f"ECHEANCE {j + 1}/{m}" if kind == "instalment" and rng.random() < 0.5 else ""
        text, sref, e2e = _remit(book, c, [inv], booking, ttags, extra)
        day = booking + (30 * j if kind == "instalment" else rng.randint(0, 3))
        tx = book.add_tx(day, p, name, iban, text, sref, e2e)
        book.truth.append((tx, inv, p, kind, ",".join(sorted(ttags))))
    return m


def _duplicate(book: Book, c: Customer) -> int:
    rng = book.rng
    first = _one(book, c, None, "one_to_one")
    tx = book.add_tx(
        book.tx_booking[first] + rng.randint(1, 20),
        book.tx_amount[first],
        book.tx_name[first],
        book.tx_iban[first],
        book.tx_text[first],
        book.tx_sref[first],
        book.tx_e2e[first],
    )
    tags = book.truth[-1][4]
    book.truth[-1] = (*book.truth[-1][:4], ",".join(filter(None, (tags, "duplicated"))))
    book.truth.append((tx, -1, book.tx_amount[first], "duplicate", tags))
    return 2


def _credit_note(book: Book, c: Customer) -> int:
    rng = book.rng
    tags: set[str] = set()
    booking = book.period_day()
    invs = [_invoice_for(book, c, booking, amount_cents(book, c), tags)
            for _ in range(1 if rng.random() < 0.7 else 2)]  # fmt: skip
    gross = sum(book.inv_amount[i] for i in invs)
    cn_cents = max(100, round(gross * rng.uniform(0.05, 0.4)))
    cn = book.add_invoice(
        c, cn_cents, book.inv_issue[invs[0]] + rng.randint(1, 20), credit_note=True
    )
    name, iban = book.payer_of(c, tags)
    extra = f"AVOIR {book.inv_id[cn]}" if rng.random() < 0.6 else ""
    text, sref, e2e = _remit(book, c, invs, booking, tags, extra)
    tx = book.add_tx(booking, gross - cn_cents, name, iban, text, sref, e2e)
    t = ",".join(sorted(tags))
    book.truth.extend((tx, i, book.inv_amount[i], "credit_note", t) for i in invs)
    book.truth.append((tx, cn, -cn_cents, "credit_note", t))
    return 1


#: kind → function(book, customer) adding one payment scenario; returns transactions added.
KIND_FUNCS: dict[str, Callable[[Book, Customer], int]] = {
    "one_to_one": _simple("one_to_one"),
    "grouped": _grouped,
    "partial": _simple("partial"),
    "instalment": lambda b, c: _multi(b, c, "instalment"),
    "split": lambda b, c: _multi(b, c, "split"),
    "overpayment": _simple("overpayment"),
    "duplicate": _duplicate,
    "discount": _simple("discount"),
    "short_pay": _simple("short_pay"),
    "fee": _simple("fee"),
    "fx": _simple("fx"),
    "credit_note": _credit_note,
}


def n_transactions(kind: str) -> int:
    """Most transactions one scenario of ``kind`` can add (to stop at ``n_payments``)."""
    return {"instalment": 4, "split": 3, "duplicate": 2}.get(kind, 1)
