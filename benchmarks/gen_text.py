"""Text of the synthetic book: invoice numbering schemes, structured references (RF / OGM / QR),
the ways payers garble an invoice number, remittance wording, and unrelated bank lines.

All functions take a :class:`random.Random`; none keeps state.
"""

from __future__ import annotations

import random

from rapprochement.references import ogm, qr, rf

__all__ = [
    "GARBLE_OPS",
    "SCHEMES",
    "garble",
    "invoice_number",
    "po_number",
    "remittance_for",
    "structured_reference",
    "unrelated_line",
]

#: Invoice numbering schemes of the seller's journals: (name, format).
SCHEMES: tuple[tuple[str, str], ...] = (
    ("fa", "FA-{year}-{seq:06d}"),
    ("slash", "F{year}/{seq:06d}"),
    ("inv", "INV{seq:07d}"),
    ("digits", "{year}{seq:07d}"),
)

#: Garbling operations, each a realistic payer mistake.
GARBLE_OPS: tuple[str, ...] = (
    "separators", "zeros", "transposed", "wrap", "glued", "digits_only", "typo_prefix",
)  # fmt: skip


def invoice_number(scheme: int, year: int, seq: int) -> str:
    """The invoice number of sequence ``seq`` in journal ``scheme`` for ``year``."""
    return SCHEMES[scheme][1].format(year=year, seq=seq)


def structured_reference(kind: str, scheme: int, year: int, seq: int, cust: int) -> str:
    """A checksummed payment reference printed on an invoice: ``rf``, ``ogm`` or ``qr``."""
    if kind == "rf":
        return rf.make(f"{scheme}{year % 100:02d}{seq:07d}")
    if kind == "ogm":
        return ogm.make(f"{scheme}{year % 100:02d}{seq:07d}")
    return qr.make(f"{cust:010d}{scheme}{year:04d}{seq:09d}")


def po_number(rng: random.Random) -> str:
    """A customer purchase-order number, in one of the usual ERP shapes."""
    r = rng.random()
    if r < 0.4:
        return f"PO {rng.randint(4500000000, 4599999999)}"
    if r < 0.7:
        return f"BC {rng.randint(2025, 2026)}-{rng.randint(1, 9999):04d}"
    return f"CDE{rng.randint(10000, 99999)}"


def _digits_part(num: str) -> tuple[int, int]:
    """Start and end of the last run of digits in ``num``."""
    end = len(num)
    while end > 0 and not num[end - 1].isdigit():
        end -= 1
    start = end
    while start > 0 and num[start - 1].isdigit():
        start -= 1
    return start, end


def garble(rng: random.Random, num: str, op: str) -> str:
    """``num`` as a payer might type it after mistake ``op`` (one of :data:`GARBLE_OPS`)."""
    start, end = _digits_part(num)
    digits = num[start:end]
    if op == "separators":
        return num.replace("-", rng.choice(("", " ", "/", "."))).replace(
            "/", rng.choice(("", " ", "-"))
        )
    if op == "zeros":
        stripped = digits.lstrip("0") or "0"
        if len(digits) > 7 and digits[:4].isdigit() and num.isdigit():  # year glued in front
            stripped = digits[:4] + (digits[4:].lstrip("0") or "0")
        return num[:start] + stripped + num[end:]
    if op == "transposed" and len(digits) >= 2:
        tail = digits.lstrip("0")
        lo = len(digits) - len(tail)
        if len(tail) >= 2:
            i = rng.randrange(lo, len(digits) - 1)
            if digits[i] != digits[i + 1]:
                d = list(digits)
                d[i], d[i + 1] = d[i + 1], d[i]
                return num[:start] + "".join(d) + num[end:]
        return num[:start] + digits[::-1][:2] + digits[2:] + num[end:]
    if op == "wrap":
        cut = rng.randrange(max(1, len(num) - 5), len(num))
        return num[:cut] + " " + num[cut:]
    if op == "glued":
        return num + rng.choice(("PAIEMENT", "REGLEMENT", "MERCI", "FACT", "DU"))
    if op == "digits_only":
        return digits.lstrip("0") if rng.random() < 0.5 else digits
    if op == "typo_prefix":
        return rng.choice(("FACT", "FAC", "FCT", "N°", "NO")) + num[start:]
    return num


_SINGLE = {
    "FR": ("FACTURE {r}", "FACT {r}", "Fact. {r}", "REGLEMENT FACTURE {r}", "{r}", "PAIEMENT {r}",
           "VIR {r} CLIENT {c}", "Règlement fact. {r} du {d}"),
    "BE": ("FACTUUR {r}", "FACTURE {r}", "{r}", "BETALING {r}"),
    "DE": ("RECHNUNG {r}", "Rg.-Nr. {r}", "RE {r} KD {c}", "{r}"),
    "ES": ("FRA {r}", "FACTURA {r}", "{r}"),
    "IT": ("FATTURA {r}", "FT {r} DEL {d}", "SALDO FT {r}"),
    "NL": ("FACTUUR {r}", "{r}", "BETALING FACTUUR {r}"),
    "OTHER": ("INVOICE {r}", "INV {r}", "{r}", "PAYMENT {r}"),
}  # fmt: skip
_GENERIC = ("VIREMENT", "PAIEMENT", "REGLEMENT", "VIR SEPA", "PAYMENT", "ZAHLUNG", "",
            "REGLEMENT FOURNISSEUR", "VIREMENT FACTURES")  # fmt: skip


def remittance_for(
    rng: random.Random, country: str, refs: list[str], cust_code: str, date_txt: str, extra: str
) -> str:
    """Free remittance text for ``refs`` (already garbled), capped at 140 characters."""
    if not refs:
        text = rng.choice(_GENERIC) + (f" CLIENT {cust_code}" if rng.random() < 0.3 else "")
        return text.strip()
    templates = _SINGLE.get(country, _SINGLE["OTHER"])
    if len(refs) == 1:
        text = rng.choice(templates).format(r=refs[0], c=cust_code, d=date_txt)
    else:
        head = rng.choice(("FACTURES ", "FACT ", "REGLEMENT ", "INV ", ""))
        text = head + rng.choice((" ", ", ", "/", " + ")).join(refs)
    if extra:
        text = f"{text} {extra}"
    return text[:140].strip()


_UNRELATED: tuple[tuple[str, str, int, int, float], ...] = (
    # (counterparty, text, min cents, max cents, sign probability of a credit)
    ("", "FRAIS TENUE DE COMPTE", 500, 6000, 0.0),
    ("", "COMMISSION D'INTERVENTION", 800, 3200, 0.0),
    ("DGFIP", "PRLV SEPA DGFIP TVA {m}", 50000, 5000000, 0.0),
    ("URSSAF", "PRLV SEPA URSSAF COTISATIONS {m}", 100000, 3000000, 0.0),
    ("{person}", "VIR SEPA SALAIRE {m}", 150000, 600000, 0.0),
    ("EDF", "PRLV SEPA EDF FACTURE {n}", 5000, 200000, 0.0),
    ("CB REMISE", "REMISE CB {n} {d}", 2000, 800000, 1.0),
    ("", "INTERETS CREDITEURS", 10, 50000, 1.0),
    ("{person}", "REMBOURSEMENT NOTE DE FRAIS", 1000, 80000, 0.0),
    ("AMERICAN EXPRESS", "AMEX SETTLEMENT {n}", 5000, 500000, 1.0),
)
_PEOPLE = ("DURAND MARIE", "LEFEVRE PAUL", "NGUYEN THI", "MARTIN LUCAS", "BENALI SARAH")


def unrelated_line(rng: random.Random, month: int) -> tuple[str, str, int]:
    """(counterparty name, remittance text, signed amount in cents) of a non-invoice bank line."""
    who, text, lo, hi, credit_p = rng.choice(_UNRELATED)
    cents = rng.randint(lo, hi)
    person = rng.choice(_PEOPLE)
    fill = {"m": f"{month:02d}/2026", "n": str(rng.randint(100000, 999999)), "d": f"{month:02d}"}
    sign = 1 if rng.random() < credit_p else -1
    return who.format(person=person), text.format(**fill), sign * cents
