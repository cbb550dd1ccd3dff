"""Write the bundled demo data (``python -m demo.make_data``): deterministic, seed 7.

A small French company with 30 customers and 120 invoices (December 2025 – March 2026), paid the way
real customers pay: most with the invoice number, some several invoices in one transfer, some
with no reference, partly, net of bank fees, or through a parent company; plus bank fees and
salaries that match nothing. The bank sends January as CAMT.053, February as MT940 (with a
re-sent second half that overlaps it) and March as OFX.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from schwifty import IBAN

from demo.writers import Line, camt053, mt940, ofx

__all__ = ["ACCOUNT", "DATA", "main"]

DATA = Path(__file__).resolve().parent / "data"
ACCOUNT = "FR7630004000031234567890143"
_NAMES = [
    "Dupont et Fils", "Boulangerie Martin", "Garage Lefebvre", "Atelier Moreau", "Cabinet Roux",
    "Transports Girard", "Pharmacie Bonnet", "Hotel du Lac", "Menuiserie Fournier",
    "Bistro Lambert",
    "Imprimerie Mercier", "Clinique Vétérinaire Blanc", "Fromagerie Guerin", "Librairie Faure",
    "Optique Andre", "Plomberie Henry", "Agence Rousseau", "Cave Vincent", "Ferme Muller",
    "Studio Lefevre", "Nordwind GmbH", "Schmidt Logistik GmbH", "Brouwerij Janssens",
    "Bakkerij de Vries", "Café Colombo", "Electricité Chevalier", "Fleurs Gauthier",
    "Pressing Perrin", "Quincaillerie Robin", "Traiteur Clement",
]  # fmt: skip
_FORMS = ["SARL", "SAS", "SA", "EURL", ""]


def _iban(n: int) -> str:
    if n >= 20:
        return IBAN.generate("DE", bank_code="37040044", account_code=f"{n:010d}").compact
    return IBAN.generate("FR", bank_code="30006", account_code=f"{n + 100:011d}").compact


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def main() -> None:
    """Write invoices.csv and the statement files into demo/data."""
    rng = random.Random(7)
    DATA.mkdir(exist_ok=True)
    customers = [
        (f"C{n + 1:03d}", f"{name} {rng.choice(_FORMS)}".strip(), _iban(n))
        for n, name in enumerate(_NAMES)
    ]
    invoices = []
    for k in range(120):
        cid, name, iban = customers[rng.randrange(len(customers))]
        issue = dt.date(2025, 12, 1) + dt.timedelta(days=rng.randrange(105))
        invoices.append(
            {
                "invoice_id": f"FA-2026-{k + 1:04d}",
                "customer_id": cid,
                "customer_name": name,
                "amount": _money(rng, 80, 4800),
                "currency": "EUR",
                "issue_date": issue,
                "due_date": issue + dt.timedelta(days=30),
                "reference": f"FA-2026-{k + 1:04d}",
                "customer_iban": iban if rng.random() < 0.5 else "",
            }
        )
    iban_of = {c: i for c, _, i in customers}
    lines: list[Line] = []
    end = dt.date(2026, 3, 31)
    by_customer: dict[str, list[dict[str, object]]] = {}
    for inv in invoices:
        by_customer.setdefault(str(inv["customer_id"]), []).append(inv)
    n = 0
    for inv in invoices:
        pay_day = inv["due_date"] + dt.timedelta(days=rng.randint(-12, 25))  # type: ignore[operator]
        if pay_day > end or rng.random() < 0.15 or inv.get("paid"):
            continue
        n += 1
        cid, amount, ref = (
            str(inv["customer_id"]),
            Decimal(str(inv["amount"])),
            str(inv["reference"]),
        )
        name, iban = str(inv["customer_name"]).upper(), iban_of[cid]
        roll = rng.random()
        text = f"FACTURE {ref}"
        if roll < 0.12:  # several open invoices of the customer in one transfer
            group = [i for i in by_customer[cid] if not i.get("paid") and i is not inv][:2]
            for g in group:
                g["paid"] = True
            amount += sum((Decimal(str(g["amount"])) for g in group), Decimal(0))
            text = "REGLEMENT " + " ".join([ref, *[str(g["reference"]) for g in group]])
        elif roll < 0.22:
            text = f"VIREMENT {name[:20]}"
        elif roll < 0.28:
            amount = (amount / 2).quantize(Decimal("0.01"))
            text = f"ACOMPTE {ref}"
        elif roll < 0.34:
            amount -= Decimal(rng.choice(["1.50", "7.50", "15.00"]))
        elif roll < 0.40:
            # paid by the parent company, from its own account, without the invoice number
            name, iban = f"HOLDING {name.split()[0]}", _iban(90 + int(cid[1:]))
            text = f"PAIEMENT {str(inv['customer_name']).upper()[:18]}"
        lines.append(Line(pay_day, amount, name, iban, text, f"P{n:04d}"))
    for month in (1, 2, 3):
        lines.append(Line(dt.date(2026, month, 28), Decimal("-2400.00"), "SALAIRES", "",
                          "SALAIRES DU MOIS", f"S{month}"))  # fmt: skip
        lines.append(Line(dt.date(2026, month, 5), Decimal("-18.90"), "BANQUE", "",
                          "FRAIS TENUE DE COMPTE", f"F{month}"))  # fmt: skip
    lines.sort(key=lambda x: (x.date, x.ref))
    month = {m: [x for x in lines if x.date.month == m] for m in (1, 2, 3)}
    balance = Decimal("25000.00")
    (DATA / "2026-01.camt053.xml").write_text(
        camt053(ACCOUNT, "DEMO-2026-01", balance, month[1]), encoding="utf-8"
    )
    balance += sum((x.amount for x in month[1]), Decimal(0))
    (DATA / "2026-02.sta").write_text(mt940(ACCOUNT, "DEMO-2026-02", balance, month[2]), "latin-1")
    half = [x for x in month[2] if x.date.day >= 15]
    before = balance + sum((x.amount for x in month[2] if x.date.day < 15), Decimal(0))
    (DATA / "2026-02-15-resent.sta").write_text(
        mt940(ACCOUNT, "DEMO-2026-02B", before, half), encoding="latin-1"
    )
    balance += sum((x.amount for x in month[2]), Decimal(0))
    (DATA / "2026-03.ofx").write_text(ofx(ACCOUNT, balance, month[3]), encoding="cp1252")
    with (DATA / "invoices.csv").open("w", newline="", encoding="utf-8") as fh:
        cols = ["invoice_id", "customer_id", "customer_name", "amount", "currency",
                "issue_date", "due_date", "reference", "customer_iban"]  # fmt: skip
        w = csv.DictWriter(fh, cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(invoices)
    print(f"wrote {len(invoices)} invoices and {len(lines)} bank lines to {DATA}")


if __name__ == "__main__":
    main()
