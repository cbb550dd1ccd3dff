"""Names, identifiers and bank text of the marketplace world (:mod:`benchmarks.worlds.marketplace`).

Payment providers as the seller's bank shows them (name, payout text, fee schedule, payout
rhythm, the shape of their payment ids), consumers and small businesses across the EU and UK,
shop order ids (``ord-10234-ab``), how buyers quote them in a bank transfer, and the bank lines
of an online shop that are no customer payment.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

__all__ = [
    "COINCIDENCES",
    "PROVIDERS",
    "Provider",
    "business_name",
    "consumer_name",
    "holder_name",
    "order_text",
    "price_cents",
    "unrelated_line",
]

_B62 = string.ascii_letters + string.digits
_UP = string.ascii_uppercase + string.digits


def _token(rng: random.Random, n: int, alphabet: str = _B62) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


@dataclass(frozen=True)
class Provider:
    """A payment provider or marketplace paying the seller out in batches."""

    key: str
    names: tuple[str, ...]  # as the seller's bank shows the payer
    country: str  # of the IBAN it pays from
    pct_bp: int  # fee per charge, basis points of the gross
    fixed: int  # plus this many cents per charge
    lag: int  # days from a charge to its availability (the first payout that can settle it)
    window: int  # days between two scheduled payouts: the settlement period
    mean_orders: float  # orders in a payout of ``window`` days, on average
    report: float  # share of payouts whose itemized report is loaded (remittance lines)
    on_demand: bool = False  # withdrawn when the seller asks (irregular periods), not scheduled

    def charge_id(self, rng: random.Random) -> str:
        """The provider's id of one payment, stored on the order as its ``reference``."""
        if self.key == "stripe":
            return rng.choice(("ch_3", "pi_3", "py_3")) + _token(rng, 23)
        if self.key == "adyen":
            return str(rng.randrange(10**15, 10**16))
        if self.key == "paypal":
            return _token(rng, 17, _UP)
        if self.key == "amazon":
            head = rng.choice(("302", "303", "304", "028"))
            return f"{head}-{rng.randrange(10**6, 10**7)}-{rng.randrange(10**6, 10**7)}"
        return f"{_token(rng, 8, '0123456789abcdef')}-{_token(rng, 4, '0123456789abcdef')}"

    def payout_text(self, rng: random.Random) -> str:
        """Statement text of one payout (its own id, never the orders')."""
        if self.key == "stripe":
            return rng.choice(("STRIPE PAYOUT {p}", "STRIPE TRANSFER {p}", "{p} STRIPE")).format(
                p="po_1" + _token(rng, 23)
            )
        if self.key == "adyen":
            return f"ADYEN N.V. PAYOUT BATCH {rng.randint(1, 999)} MERCHANTACCOUNT SHOPECOM"
        if self.key == "paypal":
            pp, n = rng.randrange(10**3, 10**4), rng.randrange(10**9, 10**10)
            return f"PP.{pp}.PP . AUSZAHLUNG VOM PAYPAL-KONTO {n}"
        if self.key == "amazon":
            return (
                f"AMAZON PAYMENTS EUROPE {rng.randrange(10**10, 10**11)} MARKETPLACE DE SETTLEMENT"
            )
        return f"KLARNA SETTLEMENT {_token(rng, 8, '0123456789abcdef')} PAYOUT"


PROVIDERS: tuple[tuple[Provider, float], ...] = (
    (Provider("stripe", ("STRIPE PAYMENTS EUROPE LTD", "STRIPE PAYMENTS UK LTD", "STRIPE"),
              "GB", 150, 25, 2, 1, 6.0, 0.7), 0.40),
    (Provider("adyen", ("ADYEN N.V.", "ADYEN NV", "ADYEN"), "NL", 120, 13, 1, 1, 9.0, 0.8), 0.12),
    (Provider("paypal", ("PAYPAL EUROPE S.A.R.L. ET CIE S.C.A", "PAYPAL EUROPE", "PAYPAL"),
              "LU", 249, 35, 1, 7, 8.0, 0.5, on_demand=True), 0.20),
    (Provider("amazon", ("AMAZON PAYMENTS EUROPE S.C.A.", "AMAZON EU SARL"), "LU", 1500, 0,
              3, 14, 14.0, 0.4), 0.18),
    (Provider("klarna", ("KLARNA BANK AB", "KLARNA BANK AB (PUBL)"), "DE", 299, 35, 2, 7, 5.0,
              0.6), 0.10),
)  # fmt: skip

_FIRST = ("Emma", "Lukas", "Sophie", "Jan", "Oliver", "Léa", "Mia", "Noah", "Hannah", "Luca",
          "Chloé", "Finn", "Julia", "Mateo", "Amélie", "Jonas", "Sara", "Lars", "Inès", "Tom",
          "Zoë", "Björn", "Élodie", "Marta", "Paul")  # fmt: skip
_LAST = ("Schneider", "Müller", "Dubois", "de Vries", "Smith", "Rossi", "Janssen", "García",
         "Nowak", "Weber", "Lefèvre", "Fischer", "Bakker", "Moreau", "Jones", "Novak",
         "Hofmann", "Peeters", "Schröder", "Martínez", "Kowalski", "Brandt", "Lindgren",
         "O'Neill")  # fmt: skip
_TRADES = ("Café", "Studio", "Bloemenhuis", "Atelier", "Praxis", "Kanzlei", "Boutique",
           "Bäckerei", "Agentur", "Yoga Loft", "Design", "Werkstatt")  # fmt: skip
_FORMS = ("GmbH", "UG (haftungsbeschränkt)", "B.V.", "SARL", "Ltd", "e.K.", "GbR", "S.L.")
_PRICES = (990, 1490, 1900, 2490, 2900, 3490, 3900, 4900, 5900, 7900, 9900, 12900, 14900, 19900)


def consumer_name(rng: random.Random) -> str:
    """A consumer as registered in the shop (some type their name in lower case)."""
    name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    return name.lower() if rng.random() < 0.08 else name


def business_name(rng: random.Random) -> str:
    """A small business buying on invoice."""
    word = rng.choice((*_LAST, "Lumière", "Nordlicht", "Aurora", "Vesper", "Kaiser"))
    return f"{rng.choice(_TRADES)} {word} {rng.choice(_FORMS)}"


def holder_name(rng: random.Random, name: str) -> str:
    """``name`` as the payer's bank shows the account holder."""
    parts = name.split()
    r = rng.random()
    if len(parts) == 2 and r < 0.3:
        return f"{parts[1].upper()}, {parts[0].upper()}"
    if len(parts) == 2 and r < 0.4:
        return f"{parts[0][0].upper()}. {parts[1]}"
    return name.upper() if r < 0.75 else name


def price_cents(rng: random.Random) -> int:
    """A consumer order: one to three catalogue items plus 4.90 shipping under 50.00."""
    items = sum(rng.choice(_PRICES) for _ in range(rng.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]))
    return items + (490 if items < 5000 else 0)


def order_text(rng: random.Random, order: str, garbled: bool) -> str:
    """How a buyer quotes shop order ``order`` (``ord-10234-ab``) in a transfer."""
    num = order.split("-")[1]
    if garbled:
        shown = rng.choice(
            (
                num,
                order.upper().replace("-", " "),
                f"ord {num}",
                f"ord-{num[:-2]}{num[-1]}{num[-2]}-{order[-2:]}",
            )
        )
    else:
        shown = order
    return rng.choice(
        (
            "Bestellung {o}",
            "{o}",
            "Order {o}",
            "Bestellnr. {o}",
            "commande {o}",
            "Rechnung {o}",
            "{o} Danke",
        )
    ).format(o=shown)


_UNRELATED = (("GOOGLE IRELAND LTD", "GOOGLE ADS {n}", 5000, 300000, False),
              ("META PLATFORMS IRELAND LTD", "FACEBK ADS {n}", 5000, 200000, False),
              ("DHL PAKET GMBH", "RECHNUNG {n} VERSAND", 20000, 600000, False),
              ("SHOPIFY INTERNATIONAL", "SHOPIFY SUBSCRIPTION {n}", 2900, 29900, False),
              ("", "LOHN / GEHALT {n}", 150000, 450000, False),
              ("SUMUP PAYMENTS LIMITED", "SUMUP AUSZAHLUNG {n}", 2000, 150000, True),
              ("STRIPE PAYMENTS EUROPE LTD", "STRIPE DEBIT NEGATIVE BALANCE {n}", 1000, 50000,
               False),
              ("", "ZINSEN HABEN {n}", 10, 5000, True),
              ("FINANZAMT", "UMSATZSTEUER VORAUSZAHLUNG {n}", 50000, 800000, False))  # fmt: skip

#: Bank lines that equal an open order by coincidence: (payer, text).
COINCIDENCES = {"EUR": (("FINANZAMT MUENCHEN", "ERSTATTUNG UMSATZSTEUER {n}"),
                        ("KFW", "DARLEHENSAUSZAHLUNG {n}"),
                        ("DHL PAKET GMBH", "ERSTATTUNG SCHADENSFALL {n}"),
                        ("ALLIANZ VERSICHERUNGS-AG", "SCHADENREGULIERUNG {n}"))}  # fmt: skip


def unrelated_line(rng: random.Random) -> tuple[str, str, int]:
    """(counterparty name, text, signed cents) of a shop's bank line that pays no order."""
    who, text, lo, hi, credit = rng.choice(_UNRELATED)
    cents = rng.randint(lo, hi)
    return who, text.format(n=rng.randrange(10**6, 10**7)), cents if credit else -cents
