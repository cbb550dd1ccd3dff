"""Payment scenarios of the US/UK accounts-receivable world (:mod:`benchmarks.worlds.us_ar`).

Each scenario adds the invoice(s), the bank line(s), the remittance-advice lines and the true
allocations for one buyer, and returns how many customer payments it added (never more than
the budget it is given). Truth amounts are the cash applied to each invoice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from benchmarks.worlds import us_text as txt
from benchmarks.worlds.noise import messy_iban, transpose_digits

if TYPE_CHECKING:
    from benchmarks.worlds.us_ar import Buyer, USBook

__all__ = ["KINDS", "SCENARIOS"]

#: Scenario names besides ``one_to_one``, each with a share in ``us_ar.RATES``.
KINDS = ("grouped", "short_pay", "discount", "partial", "overpayment", "duplicate",
         "credit_note", "fee", "transposed", "weekly", "lookalike")  # fmt: skip
_REASONS = ("PRICING", "SHORTAGE", "DAMAGED", "PROMO ALLOWANCE", "FREIGHT", "RETURN",
            "LATE DELIVERY", "CO-OP ADVERTISING")  # fmt: skip
_SHOWN = ("{n}", "{n}", "{n}", "INV {n}", "INV#{n}", "INV-{n}", "Invoice {n}", "INV{n}")
_OTHER = {"ach": "check", "check": "ach", "wire": "ach", "fps": "bacs", "bacs": "fps",
          "chaps": "fps"}  # fmt: skip


def _lateness(book: USBook) -> int:
    rng = book.rng
    days = int(rng.gauss(8, 12)) + (int(rng.expovariate(1 / 30)) if rng.random() < 0.25 else 0)
    return max(-10, min(days, 180))


def _invoice_for(book: USBook, b: Buyer, booking: int, cents: int | None = None) -> int:
    rng = book.rng
    issue = min(booking - b.terms - _lateness(book) - rng.randint(0, 10), booking - 1)
    return book.new_invoice(b, book.amount(b) if cents is None else cents, issue)


def _garble(book: USBook, number: str, tags: set[str]) -> str:
    rng = book.rng
    op = rng.choice(("transposed", "dropped", "zero", "suffix", "wrong"))
    tags.add(f"ref_garbled:{op}")
    head = "".join(c for c in number if not c.isdigit())
    d = list("".join(c for c in number if c.isdigit()))
    i = rng.randrange(len(d) - 1)
    if op == "transposed" and d[i] != d[i + 1]:
        d[i], d[i + 1] = d[i + 1], d[i]
    elif op == "dropped":
        del d[i]
    elif op == "zero":
        d.insert(0, "0")
    elif op == "suffix":
        d.append(rng.choice(("-1", "A", "/01")))
    else:
        d[-1] = str((int(d[-1]) + rng.randint(1, 9)) % 10)
    return (head if rng.random() < 0.5 else "") + "".join(d)


def _shown(book: USBook, inv: int, tags: set[str]) -> str:
    """How the payer's AP quotes invoice ``inv``: the PO, a mistyped number, or a format."""
    rng, po = book.rng, book.inv_ref[inv]
    if book.inv_amount[inv] < 0:  # a credit memo is quoted as it is
        return book.inv_id[inv]
    if po is not None and rng.random() < book.rates["ref_po"]:
        tags.add("ref_po")
        return po
    if rng.random() < book.rates["ref_garbled"]:
        return _garble(book, book.inv_id[inv], tags)
    number = book.inv_id[inv]
    return rng.choice(_SHOWN if number.isdigit() else _SHOWN[:3]).format(n=number)


def _receipt(
    book: USBook,
    b: Buyer,
    invs: list[int],
    pays: list[int],
    kind: str,
    tags: set[str],
    day: int,
    *,
    excess: int = 0,
    lines: tuple[tuple[str, int, str], ...] = (),
    memo: str = "",
    channel: str | None = None,
) -> int:
    """The bank line paying ``pays`` on ``invs`` (plus ``excess`` on no invoice), with its
    text, payer and maybe remittance advice (``lines``: extra advice lines such as deductions);
    records the truth and returns the line's index."""
    rng, rates = book.rng, book.rates
    name, iban, short = b.name, b.iban, b.short
    if b.payer is not None and rng.random() < 0.8:
        tags.add("payer_not_customer")
        name, iban, short = b.payer[1], b.payer[2], False
        if b.payer[0] == "platform" and rng.random() < 0.5:
            memo = f"{memo} FOR {txt.abbreviate(rng, b.name)}".strip()
    elif short:
        tags.add("acronym")
    ch = channel or (b.channel if rng.random() < 0.9 else _OTHER[b.channel])
    shown = txt.payer_name(rng, name, ch, short)
    if iban is not None and rng.random() < rates["iban_unnormalized"]:
        tags.add("iban_unnormalized")
        iban = messy_iban(rng, iban)
    recs = {book.inv_rec[i] for i in invs if book.inv_amount[i] > 0}
    if b.twin is not None and len(recs) > 1:
        tags.add("twin_records")
    elif b.twin in recs:
        tags.add("twin_record")
    tx = len(book.tx)
    total = sum(pays) + excess
    refs = [_shown(book, i, tags) for i in invs]
    advised = False
    if len(invs) > 1 or lines or ch == "check":  # advice: e-mailed, AP platform, lockbox stub
        if rng.random() < rates["advice"]:
            tags.add("remittance_advice")
            advised = True
            for inv, ref, p in zip(invs, refs, pays, strict=True):
                # with extra lines (deductions, on account) the invoice lines show the gross
                book.remit(
                    tx,
                    ref,
                    book.inv_amount[inv] if lines else p,
                    rng.choice(("", "INVOICE", "INV")),
                )
            for ref, cents, note in lines:
                book.remit(tx, ref, cents, note)
            refs, memo = [], rng.choice(("REMITTANCE ADVICE SENT", "SEE REMITTANCE", ""))
        elif ch == "ach" and len(invs) > 1 and rng.random() < rates["ctx"] / (1 - rates["advice"]):
            ch = "ctx"
            tags.add("ctx_addenda")
    if not advised and rng.random() < rates["no_remittance"]:
        tags.add("no_remittance")
        refs, memo = [], ""
    book.add_tx(day, total, b.ccy, shown, iban, txt.bank_text(rng, ch, shown, refs, pays, memo))
    t = ",".join(sorted(tags))
    for inv, p in zip(invs, pays, strict=True):
        book.pay(tx, inv, p, kind, t)
    if excess:
        book.pay(tx, -1, excess, kind, t)
    return tx


def _single(kind: str) -> Callable[[USBook, Buyer, int], int]:
    def run(book: USBook, b: Buyer, budget: int) -> int:
        rng = book.rng
        day = book.period_day()
        inv = _invoice_for(book, b, day)
        cents = book.inv_amount[inv]
        tags: set[str] = set()
        pay, excess, memo = cents, 0, ""
        lines: tuple[tuple[str, int, str], ...] = ()
        channel = None
        if kind == "short_pay":
            ded = max(500, round(cents * rng.uniform(0.02, 0.3)))
            reason = rng.choice(_REASONS)
            pay, memo = cents - ded, f"SHORT PAY {reason}"
            lines = ((f"DM{rng.randrange(10**4, 10**5)}", -ded, f"DEDUCTION {reason}"),)
        elif kind == "discount":
            book.inv_issue[inv] = day - rng.randint(3, 10) if b.two_ten else book.inv_issue[inv]
            book.inv_due[inv] = book.inv_issue[inv] + b.terms
            tags.add("discount_earned" if b.two_ten else "discount_unearned")
            pay, memo = (
                cents - round(cents * 0.02),
                rng.choice(("2% 10 NET 30", "LESS 2% DISC", "")),
            )
        elif kind == "partial":
            pay = round(cents * rng.uniform(0.2, 0.8))
            memo = rng.choice(("PARTIAL PAYMENT", "PMT 1 OF 2", ""))
        elif kind == "overpayment":
            up = (cents // 100_000 + 1) * 100_000 - cents
            excess = up if rng.random() < 0.4 else max(100, round(cents * rng.uniform(0.02, 0.5)))
            memo = rng.choice(("ON ACCOUNT", "PREPAYMENT", "DEPOSIT NEXT ORDER", ""))
            lines = (("ON ACCOUNT", excess, "UNAPPLIED"),) if rng.random() < 0.4 else ()
        elif kind == "fee":
            channel = "wire" if b.ccy == "USD" else "chaps"
            fee = rng.choice((1000, 1500, 2000, 2500, 3000, 3500)) // (2 if b.ccy == "GBP" else 1)
            pay = cents - min(fee, cents // 10)
            tags.add("wire_fee")
        elif kind == "transposed":
            keyed = transpose_digits(rng, cents)
            if keyed is not None:
                tags.add("amount_transposed")
                pay, excess = min(keyed, cents), max(0, keyed - cents)
        _receipt(
            book,
            b,
            [inv],
            [pay],
            kind,
            tags,
            day,
            excess=excess,
            lines=lines,
            memo=memo,
            channel=channel,
        )
        return 1

    return run


def _grouped(book: USBook, b: Buyer, budget: int) -> int:
    rng = book.rng
    k = rng.choices(range(2, 13), weights=(26, 18, 13, 10, 8, 6, 5, 4, 4, 3, 3))[0]
    day = book.period_day()
    invs = [_invoice_for(book, b, day - rng.randint(0, 45)) for _ in range(k)]
    pays = [book.inv_amount[i] for i in invs]
    tags: set[str] = set()
    lines: tuple[tuple[str, int, str], ...] = ()
    if rng.random() < 0.15:  # one invoice short-paid inside the run
        j = rng.randrange(k)
        ded = max(500, round(pays[j] * rng.uniform(0.02, 0.2)))
        pays[j] -= ded
        tags.add("grouped_deduction")
        lines = ((f"DM{rng.randrange(10**4, 10**5)}", -ded, rng.choice(_REASONS)),)
    _receipt(book, b, invs, pays, "grouped", tags, day, lines=lines)
    return 1


def _duplicate(book: USBook, b: Buyer, budget: int) -> int:
    if budget < 2:
        return SCENARIOS["one_to_one"](book, b, budget)
    rng = book.rng
    day = book.period_day()
    inv = _invoice_for(book, b, day)
    first = _receipt(book, b, [inv], [book.inv_amount[inv]], "one_to_one", set(), day)
    tags = book.truth[-1][4]
    book.truth[-1] = (*book.truth[-1][:4], ",".join(filter(None, (tags, "duplicated"))))
    d, _, cents, ccy, name, iban, text, sref, e2e = book.tx[first]
    later = d + rng.randint(1, 25)
    if rng.random() < 0.6:  # the same payment run sent twice
        tx = book.add_tx(later, cents, ccy, name, iban, text, sref, e2e)
    else:  # paid again by another channel (a check after the ACH)
        ch = _OTHER[b.channel]
        shown = txt.payer_name(rng, b.name, ch, b.short)
        refs = [_shown(book, inv, set())]
        tx = book.add_tx(
            later, cents, ccy, shown, iban, txt.bank_text(rng, ch, shown, refs, [cents])
        )
        tags = ",".join(filter(None, (tags, "other_channel")))
    book.pay(tx, -1, cents, "duplicate", tags)
    return 2


def _credit_note(book: USBook, b: Buyer, budget: int) -> int:
    rng = book.rng
    day = book.period_day()
    invs = [_invoice_for(book, b, day) for _ in range(1 if rng.random() < 0.7 else 2)]
    gross = sum(book.inv_amount[i] for i in invs)
    cm_cents = max(500, round(gross * rng.uniform(0.05, 0.4)))
    cm = book.new_invoice(b, cm_cents, book.inv_issue[invs[0]] + rng.randint(1, 20), credit=True)
    pays = [book.inv_amount[i] for i in invs] + [-cm_cents]
    _receipt(
        book,
        b,
        [*invs, cm],
        pays,
        "credit_note",
        set(),
        day,
        memo=f"LESS {book.inv_id[cm]}" if rng.random() < 0.6 else "",
    )
    return 1


def _weekly(book: USBook, b: Buyer, budget: int) -> int:
    """A weekly service billed the same amount each week; each payment settles the week's
    invoice (the nearest in date), often with nothing quoted."""
    rng = book.rng
    m = min(budget, rng.randint(4, 10))
    cents = rng.choice((120000, 250000, 320000, 185000, 99500))
    start = book.period_day() - 7 * m
    for w in range(m):
        issue = start + 7 * w
        inv = book.new_invoice(b, cents, issue)
        tags = {"weekly_equal"}
        if rng.random() < 0.6:
            tags.add("no_remittance")
        memo = "" if "no_remittance" in tags else "WEEKLY SERVICE"
        day = issue + rng.randint(5, 9)
        shown = txt.payer_name(rng, b.name, b.channel, b.short)
        refs = [] if "no_remittance" in tags else [_shown(book, inv, tags)]
        tx = book.add_tx(day, cents, b.ccy, shown, b.iban,
                         txt.bank_text(rng, b.channel, shown, refs, [cents], memo))  # fmt: skip
        book.pay(tx, inv, cents, "one_to_one", tags)
    return m


def _lookalike(book: USBook, b: Buyer, budget: int) -> int:
    """Two customers whose names differ by their legal form only, each owing the same amount,
    paying by check the same day with nothing quoted: a tie nobody can break from the line."""
    if budget < 2:
        return SCENARIOS["one_to_one"](book, b, budget)
    rng = book.rng
    base = " ".join(txt.company_name(rng, "US").split()[:-1])
    day, cents = book.period_day(), book.amount(b)
    shown = txt.abbreviate(rng, base)[:35]
    for form in rng.sample(("LLC", "Inc.", "PC", "Corp.", "Group LLC"), 2):
        twin = book.new_buyer(f"{base} {form}", "US")
        inv = _invoice_for(book, twin, day, cents)
        tx = book.add_tx(day, cents, "USD", shown, None, txt.bank_text(rng, "check", shown, [], []))
        book.pay(tx, inv, cents, "one_to_one", "lookalike_tie,no_remittance")
    return 2


#: scenario → function(book, buyer, budget) adding it; returns customer payments added.
SCENARIOS: dict[str, Callable[[USBook, Buyer, int], int]] = {
    "one_to_one": _single("one_to_one"),
    "grouped": _grouped,
    "short_pay": _single("short_pay"),
    "discount": _single("discount"),
    "partial": _single("partial"),
    "overpayment": _single("overpayment"),
    "duplicate": _duplicate,
    "credit_note": _credit_note,
    "fee": _single("fee"),
    "transposed": _single("transposed"),
    "weekly": _weekly,
    "lookalike": _lookalike,
}
