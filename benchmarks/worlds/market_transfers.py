"""Bank transfers of the marketplace world (:mod:`benchmarks.worlds.marketplace`): consumers
prepaying shop orders and small businesses paying invoices.

Each scenario adds the order(s) or invoice(s), the transfer(s) and the true allocations for
one customer and returns how many customer payments it added (never more than its budget).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from benchmarks.worlds import market_text as txt
from benchmarks.worlds.noise import messy_iban, transpose_digits

if TYPE_CHECKING:
    from benchmarks.worlds.marketplace import ShopBook, Shopper

__all__ = ["TRANSFERS"]

_BLANK = ("", "Überweisung", "Danke", "Zahlung", "paiement", "payment")


def _quote(book: ShopBook, inv: int, tags: set[str]) -> str:
    """How the buyer quotes order or invoice ``inv`` (maybe mistyped)."""
    rng = book.rng
    number = book.inv_id[inv]
    garbled = rng.random() < book.rates["ref_garbled"]
    if garbled:
        tags.add("ref_garbled:typed")
    if number.startswith("ord-"):
        return txt.order_text(rng, number, garbled)
    if garbled:
        _, year, seq = number.split("-")
        number = rng.choice(
            (
                f"RE {year} {int(seq)}",
                f"{year}-{seq}",
                f"RE-{year}-{seq[1:]}",
                f"RE-{year}-{seq[:-2]}{seq[-1]}{seq[-2]}",
            )
        )
    return rng.choice(("Rechnung {n}", "{n}", "RG {n}", "Invoice {n}", "Facture {n}")).format(
        n=number
    )


def _item(book: ShopBook, s: Shopper, day: int) -> int:
    """A new prepaid order (consumer) or invoice (business) that a transfer on ``day`` pays."""
    rng = book.rng
    if s.b2b:
        return book.bill(s, book.b2b_amount(), day - rng.randint(5, 40))
    return book.order(s, book.consumer_amount(s), day - rng.randint(0, 9))


def _send(
    book: ShopBook,
    s: Shopper,
    invs: list[int],
    pays: list[int],
    kind: str,
    tags: set[str],
    day: int,
    *,
    excess: int = 0,
    text: str | None = None,
) -> int:
    """The transfer paying ``pays`` on ``invs`` (plus ``excess`` on nothing); its index."""
    rng, rates = book.rng, book.rates
    name, iban = txt.holder_name(rng, s.name), s.iban
    if s.payer is not None and s.payer_iban is not None and rng.random() < 0.8:
        tags.add("payer_not_customer")
        name, iban = s.payer, s.payer_iban
    if iban is not None and rng.random() < 0.05:  # a CSV export keeping the payer's typing
        tags.add("iban_unnormalized")
        iban = messy_iban(rng, iban)
    recs = {book.inv_rec[i] for i in invs}
    if s.twin is not None and len(recs) > 1:
        tags.add("twin_records")
    elif s.twin in recs:
        tags.add("twin_record")
    if text is None:
        if rng.random() < rates["no_remittance"]:
            tags.add("no_remittance")
            text = rng.choice(_BLANK)
        else:
            text = " ".join(_quote(book, i, tags) for i in invs)[:140]
    tx = book.add_tx(day, sum(pays) + excess, "EUR", name, iban, text, None, "NOTPROVIDED")
    t = ",".join(sorted(tags))
    for inv, p in zip(invs, pays, strict=True):
        book.pay(tx, inv, p, kind, t)
    if excess:
        book.pay(tx, -1, excess, kind, t)
    return tx


def _single(kind: str) -> Callable[[ShopBook, Shopper, int], int]:
    def run(book: ShopBook, s: Shopper, budget: int) -> int:
        rng = book.rng
        day = book.period_day()
        inv = _item(book, s, day)
        cents = book.inv_amount[inv]
        tags: set[str] = set()
        pay, excess = cents, 0
        if kind == "partial":
            if not s.b2b and cents > 990 and rng.random() < 0.6:
                pay = cents - 490
                tags.add("shipping_forgotten")
            else:
                pay = cents * rng.randint(30, 70) // 100
        elif kind == "overpayment":
            up = (
                (cents // 1000 + 1) * 1000 - cents
                if not s.b2b
                else (cents // 10000 + 1) * 10000 - cents
            )
            excess = up if up > 0 and rng.random() < 0.5 else 490
        elif kind == "transposed":
            keyed = transpose_digits(rng, cents)
            if keyed is not None:
                tags.add("amount_transposed")
                pay, excess = min(keyed, cents), max(0, keyed - cents)
        _send(book, s, [inv], [pay], kind, tags, day + rng.randint(0, 3), excess=excess)
        return 1

    return run


def _grouped(book: ShopBook, s: Shopper, budget: int) -> int:
    rng = book.rng
    k = rng.randint(2, 6) if s.b2b else rng.choice((2, 2, 3))
    day = book.period_day()
    invs = [_item(book, s, day) for _ in range(k)]
    _send(book, s, invs, [book.inv_amount[i] for i in invs], "grouped", set(), day)
    return 1


def _duplicate(book: ShopBook, s: Shopper, budget: int) -> int:
    if budget < 2:
        return TRANSFERS["one_to_one"](book, s, budget)
    rng = book.rng
    day = book.period_day()
    inv = _item(book, s, day)
    first = _send(book, s, [inv], [book.inv_amount[inv]], "one_to_one", set(), day)
    tags = book.truth[-1][4]
    book.truth[-1] = (*book.truth[-1][:4], ",".join(filter(None, (tags, "duplicated"))))
    d, _, cents, ccy, name, iban, text, sref, e2e = book.tx[first]
    tx = book.add_tx(d + rng.randint(1, 10), cents, ccy, name, iban, text, sref, e2e)
    book.pay(tx, -1, cents, "duplicate", tags)
    return 2


def _weekly(book: ShopBook, s: Shopper, budget: int) -> int:
    """A weekly box billed the same amount each week, paid by standing order."""
    rng = book.rng
    m = min(budget, rng.randint(4, 10))
    cents = rng.choice((8900, 12900, 5950, 23800))
    start = book.period_day() - 7 * m
    quote = rng.random() < 0.3
    for w in range(m):
        inv = book.bill(s, cents, start + 7 * w)
        tags = {"weekly_equal"} | (set() if quote else {"no_remittance"})
        text = None if quote else "DAUERAUFTRAG WOCHENBOX"
        _send(
            book,
            s,
            [inv],
            [cents],
            "one_to_one",
            tags,
            start + 7 * w + rng.randint(2, 5),
            text=text,
        )
    return m


def _lookalike(book: ShopBook, s: Shopper, budget: int) -> int:
    """Two businesses whose names differ by their legal form only, each owing the same amount,
    paying the same day with nothing quoted: a tie."""
    if budget < 2:
        return TRANSFERS["one_to_one"](book, s, budget)
    rng = book.rng
    base = " ".join(txt.business_name(rng).split()[:2])
    day, cents = book.period_day(), book.b2b_amount()
    for form in rng.sample(("GmbH", "UG (haftungsbeschränkt)", "e.K.", "GbR"), 2):
        twin = book.new_shopper(True, f"{base} {form}")
        twin.payer = None
        inv = book.bill(twin, cents, day - 20)
        tx = book.add_tx(day, cents, "EUR", base.upper(), None, "", None, "NOTPROVIDED")
        book.pay(tx, inv, cents, "one_to_one", "lookalike_tie,no_remittance")
    return 2


#: scenario → function(book, shopper, budget) adding it; returns customer payments added.
TRANSFERS: dict[str, Callable[[ShopBook, Shopper, int], int]] = {
    "one_to_one": _single("one_to_one"),
    "grouped": _grouped,
    "partial": _single("partial"),
    "overpayment": _single("overpayment"),
    "duplicate": _duplicate,
    "transposed": _single("transposed"),
    "weekly": _weekly,
    "lookalike": _lookalike,
}
