"""Gates: evidence an automatic allocation needs beyond its score.

The score is learned from labeled books; some readings are never automatic whatever a book
teaches, because the cost of a wrong one is a wrong balance on a customer's account:

* **an amount alone is not a payer**: with no reference, no known IBAN and no name, an exact
  amount (a tax refund, a loan drawdown that equals an open invoice) is a suggestion;
* **a long run picked by its sum**: a group of more items than ``max_group_size`` completed by
  the exact sum of items nothing names (:func:`wide_group`) is a suggestion;
* **a name near two customers is not a payer**: a payer named only approximately (``name =
  high``: no known IBAN, no reference) while a look-alike customer (its name at least
  ``medium``) has an open item the amount fits as well (``CORVAN CO`` paying 89.90 when
  ``Corvane`` and ``Corvina Co.`` both owe 89.90) is a suggestion: the spelling, not the
  evidence, picked one of them. So is a payer named exactly (its name less a legal form it
  does not state, or a learned alias) while another customer's name reads ``high`` or
  better with such an item (``DELGADO & SONS TOOL & DIE`` when ``… PC`` and ``… Inc.`` are
  two customers), and a payer named approximately while another customer's name reads
  ``exact`` with such an item (that item went to another payment);
* **a coin toss between look-alikes** (:func:`look_alike_toss`): payments of one amount, the
  same day, under one payer name, each held by the look-alike gate and taking items of
  look-alike customers (``BRENNAN & OKAFOR`` paying 2 193.34 twice when ``Brennan & Okafor
  PC`` and ``Brennan & Okafor Group LLC`` each owe 2 193.34): which pays which is only the
  order the lines were read in, a tie (issue 12, class 10): scored at most one chance in
  that many, listed in ``result.ambiguous``;
* **a reference against the payer**: the text names (by number, not by a checksummed
  reference) an item of one customer, paid from another customer's own account (``iban =
  other``) by a payer whose name is not the item's customer, while the payer's own item fits
  the amount as well: a mistyped number as likely as a payment for someone else, a suggestion;
* **a number's digits are not a payer**: one invoice paid in part, named only by the digits
  of its number or their tail (``REF 006581`` for ``SIN006581``: a number of another kind —
  an order, a cheque, a customer number — may share them), from a payer nothing identifies
  (no known IBAN, a name below ``high``): a suggestion (:func:`digits_part_payment`);
* **an IBAN paying for many is not a payer** (:func:`paid_for_many`): a payer IBAN known for
  several customers (a factor, a parent company, a payment agent) says the payment is for one
  of them, not which: with no reference and no exact or high name, a suggestion (its score
  also loses ``log k`` for ``k`` customers: :func:`.scoring.shared_iban`);
* **a run read on past a deduction**: the text names a run of the payer's invoices and its
  last number is the next one cut short, the payment short of the run (an item short-paid):
  the run read on to where it reaches the payment (:mod:`.run_on`) is a suggestion, its end
  and the short-paid item being guesses (:func:`short_run`);
* **a keying error is not a part payment**: a payment whose amount is the invoice's with two
  adjacent digits swapped (4 817.30 against 4 187.30) is a suggestion with that reason, not an
  overpayment or a part payment booked automatically.

Each gate that holds an allocation adds a zero-weight row to its explanation saying why.

Some readings are not worth a reviewer's time and are withheld (:func:`not_worth_review`),
whatever their score (weights fitted on other books may score a guess above their automatic
threshold): the payment stays unallocated and is listed in ``result.ambiguous`` with its
readings:

* **a far-fetched part payment**: one invoice paid in part while nothing names it (no
  reference, or only its digits in another order), no other payment makes up the rest, and
  the payer is not firmly identified (no known IBAN, no exact name): any open item larger
  than the payment, of any customer with a similar name, would fit as well;
* **a far-fetched overpayment**: one invoice paid with more than its open amount while
  nothing names it (no reference, or only its digits in another order) and nothing
  identifies the payer (no known IBAN, its name neither exact nor high): any smaller open
  item of any customer would fit as well (a loan drawdown, a card settlement read as an
  invoice with an excess on account);
* **a group short by a guessed fee**: several invoices whose sum only comes within a fee of
  the payment, nothing naming any of them, from a payer no known IBAN identifies: among a
  payer's open items some subset falls within a fee of almost any amount, and more so where
  many items share an amount (a shop's orders); an exact sum is still worth a look;
* **an invoice paid before it was issued, with another amount**: a payment made more than a
  few days before the invoice existed, short of it or above it, nothing naming it (no
  reference, or only its digits in another order), no other payment making up the rest: a
  prepayment is of the amount billed, or names what it pays; two weak links (the date and a
  guessed difference) make a coincidence, not a reading;
* **a guess among a third party's customers**: one invoice paid in part, or short by what
  could be a fee, nothing naming it, when the payer is known only as a third party's
  account (a factor, a parent, an accountant: learned, not a customer's own) that pays for
  several customers. The more customers it pays for, the likelier one of their open items is
  near the payment by chance; an exact amount is still worth a look.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .look_alikes import PAYER_IBAN, PAYER_NAME, look_alike, look_alike_toss, payer_disagrees

__all__ = [
    "SHORT_RUN",
    "UNNAMED_RUN",
    "amount_alone",
    "digits_part_payment",
    "gate_row",
    "identified",
    "look_alike",
    "look_alike_toss",
    "not_worth_review",
    "one_swap",
    "paid_for_many",
    "payer_disagrees",
    "short_run",
    "tie_row",
    "transposed",
    "unnamed_run",
    "wide_group",
]

#: Levels that identify the payer by itself (:data:`.look_alikes.PAYER_IBAN`, ``PAYER_NAME``).
_PAYER_IBAN = PAYER_IBAN
_PAYER_NAME = PAYER_NAME


def identified(hyp: Any) -> bool:
    """Does anything but the amount tie the payment to this invoice: a reference of any level
    (or a remittance-advice line), the payer's known IBAN, or its name?"""
    return (
        str(hyp.get("reference", "none")) != "none"
        or str(hyp.get("iban", "")) in _PAYER_IBAN
        or str(hyp.get("name", "")) in _PAYER_NAME
    )


def paid_for_many(hyp: Any) -> bool:
    """Is a payer IBAN known for several customers (``iban_customers`` > 1: a factor, a
    parent company, a payment agent) all that names the payer, with no reference naming the
    invoice and no exact or high name? It says the payment is for one of them, not which."""
    try:
        k = int(hyp.get("iban_customers", 0) or 0)
    except (TypeError, ValueError):
        return False
    return (
        k > 1
        and str(hyp.get("iban", "")) == "known"
        and str(hyp.get("reference", "none")) in _UNNAMED
        and str(hyp.get("name", "")) not in _PAYER_NAME
    )


def amount_alone(hyp: Any) -> bool:
    """The amount is all that ties the payment to the invoice."""
    return not identified(hyp)


_UNNAMED = frozenset({"none", "transposed"})
#: amount levels of a payment larger than the invoice (the rest left on account)
_EXCESS = frozenset({"over_small", "over", "over_large"})
#: amount levels that guess at the difference (a part payment, a fee taken)
_GUESSED = frozenset({"partial", "fee"})


def not_worth_review(hyp: Any, grouped: bool) -> str:
    """Why a suggestion of hypothesis ``hyp`` (a grouped one when ``grouped``) is withheld, or
    ``""`` when it is worth a reviewer's time (see the module doc)."""
    if (
        not grouped
        and str(hyp.get("amount", "")) == "partial"
        and str(hyp.get("reference", "none")) in _UNNAMED
        and str(hyp.get("siblings", "none")) == "none"
        and str(hyp.get("iban", "")) not in _PAYER_IBAN
        and str(hyp.get("name", "")) != "exact"
    ):
        return "far-fetched: a part payment of an invoice nothing names"
    if (
        not grouped
        and str(hyp.get("amount", "")) in _EXCESS
        and str(hyp.get("reference", "none")) in _UNNAMED
        and str(hyp.get("siblings", "none")) == "none"
        and str(hyp.get("iban", "")) not in _PAYER_IBAN
        and str(hyp.get("name", "")) not in _PAYER_NAME
    ):
        return "far-fetched: more than an invoice nothing names, from a payer nothing identifies"
    if (
        grouped
        and str(hyp.get("amount", "")) == "fee"
        and str(hyp.get("reference", "none")) == "none"
        and str(hyp.get("iban", "")) not in _PAYER_IBAN
    ):
        return "far-fetched: a group short by a guessed fee, nothing naming its items"
    if (
        not grouped
        and str(hyp.get("date", "")) == "before_issue"
        and str(hyp.get("amount", "")) in _GUESSED | _EXCESS | {"fraction"}
        and str(hyp.get("reference", "none")) in _UNNAMED
        and str(hyp.get("siblings", "none")) == "none"
    ):
        return "far-fetched: paid before the invoice was issued, another amount, nothing naming it"
    if (
        not grouped
        and bool(hyp.get("third_party", False))
        and str(hyp.get("amount", "")) in _GUESSED
        and str(hyp.get("reference", "none")) in _UNNAMED
        and str(hyp.get("siblings", "none")) == "none"
    ):
        return "far-fetched: a third party paying for several customers, no invoice named"
    return ""


_DIGITS_ONLY = frozenset({"digits", "tail"})


def digits_part_payment(hyp: Any, grouped: bool) -> bool:
    """Is ``hyp`` (a grouped one when ``grouped``) a part payment of one invoice named only by
    its digits or their tail, from a payer nothing identifies (see the module doc)?"""
    return (
        not grouped
        and str(hyp.get("amount", "")) == "partial"
        and str(hyp.get("reference", "none")) in _DIGITS_ONLY
        and str(hyp.get("iban", "")) not in _PAYER_IBAN
        and str(hyp.get("name", "")) not in _PAYER_NAME
    )


def wide_group(hyp: Any) -> bool:
    """Is ``hyp`` a group larger than ``max_group_size`` whose items beyond the named ones
    only their sum picks (source ``reference_wide``, :mod:`.named`, :mod:`.cut_refs`)? Among
    many open items, more items make more coincidental exact sums: such a reading is a
    suggestion, whatever its score."""
    return str(hyp.get("source", "")) == "reference_wide"


#: Group source of a named run read on past a deduction (:func:`.run_on.read_on`).
SHORT_RUN = "reference_short_run"


def short_run(hyp: Any) -> bool:
    """Is ``hyp`` a named run read on past a deduction (source :data:`SHORT_RUN`,
    :mod:`.run_on`): the text's last number cut short says the run goes on, the
    payment falls short of it? Where the run ends and which item carries the deduction are
    guesses: such a reading is a suggestion, whatever its score."""
    return str(hyp.get("source", "")) == SHORT_RUN


#: Group source of the one window of a payer's numbering that makes up a payment naming
#: nothing, among several subsets that do (:func:`.run_on.payer_window`).
UNNAMED_RUN = "subset_run"


def unnamed_run(hyp: Any) -> bool:
    """Is ``hyp`` a payment naming nothing read as a window of consecutive open numbers of
    its payer among several subsets of its items that fit (source :data:`UNNAMED_RUN`)? Only
    the sum and the payer's numbering pick it: a suggestion, whatever its score."""
    return str(hyp.get("source", "")) == UNNAMED_RUN


def transposed(paid: int, due: int) -> bool:
    """Are ``paid`` and ``due`` (minor units) the same digits with two adjacent ones swapped?"""
    return one_swap(str(abs(paid)), str(abs(due)))


def one_swap(a: str, b: str) -> bool:
    """Is ``b`` the string ``a`` with exactly two adjacent (differing) characters exchanged?
    The same digits in another order is not enough (``261013`` and ``101362``)."""
    if len(a) != len(b) or a == b:
        return False
    k = 0
    while a[k] == b[k]:  # (a != b: stops at the first difference)
        k += 1
    # the next two exchanged (then they differ too) and the rest equal
    return (
        a[k + 1 : k + 2] == b[k : k + 1]
        and a[k : k + 1] == b[k + 1 : k + 2]
        and (a[k + 2 :] == b[k + 2 :])
    )


_SHOWN_RIVALS = 4


def tie_row(score: float, readings: list[tuple[str, ...]]) -> tuple[float, str]:
    """A payment with ``len(readings)`` equally fitting readings (each a tuple of invoice ids):
    its score capped at one chance in that many, and the explanation row naming them, whose
    weight is the change of log-odds (the contributions still add up to the score)."""
    capped = min(score, 1.0 / len(readings))
    eps = 1e-12

    def logit(p: float) -> float:
        p = min(max(p, eps), 1 - eps)
        return math.log(p / (1 - p))

    shown = " | ".join("+".join(r) for r in readings[:_SHOWN_RIVALS])
    more = len(readings) - _SHOWN_RIVALS
    value = f"tie between {len(readings)} readings: {shown}" + (
        f" (+{more} more)" if more > 0 else ""
    )
    row = {"feature": "rivals_tie", "value": value, "weight": logit(capped) - logit(score)}
    return capped, json.dumps(row, separators=(",", ":"))


def gate_row(reason: str) -> str:
    """The explanation row (JSON) of a gate that held an allocation."""
    return json.dumps({"feature": "gate", "value": reason, "weight": 0.0}, separators=(",", ":"))
