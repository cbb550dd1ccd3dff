"""The demo's collections: the customers' master data (addresses, e-mails, language, SIREN) as
an ERP would export it, the creditor's letterhead, then a dunning run whose letters are PDF
files with a manifest of who gets what (a dry run: nothing is e-mailed from the demo).

The master data is derived from ``invoices.csv`` (same ids and names), deterministically.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from stdnum import luhn

from demo.make_data import DATA

__all__ = ["write_creditor", "write_customers"]

_STREETS = ["rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo",
            "place du Marché", "rue des Lilas", "chemin des Vignes"]  # fmt: skip
_TOWNS = [("69003", "Lyon"), ("33000", "Bordeaux"), ("44000", "Nantes"), ("31000", "Toulouse"),
          ("59000", "Lille"), ("13001", "Marseille")]  # fmt: skip
_ABROAD = {"GmbH": ("DE", "10115", "Berlin", "en"), "Brouwerij": ("BE", "2000", "Antwerpen", "en"),
           "Bakkerij": ("NL", "1012 AB", "Amsterdam", "en")}  # fmt: skip


def _siren(n: int) -> str:
    body = f"{812_000_00 + n * 7919:08d}"[-8:]
    return body + luhn.calc_check_digit(body)


def write_customers(path: Path) -> Path:
    """Write the customers' master data CSV (French headers, ';' separated) to ``path``."""
    names: dict[str, str] = {}
    with (DATA / "invoices.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            names.setdefault(r["customer_id"], r["customer_name"])
    rows = []
    for n, (cid, name) in enumerate(sorted(names.items())):
        abroad = next((v for k, v in _ABROAD.items() if k in name), None)
        country, postcode, town, lang = abroad or ("FR", *_TOWNS[n % len(_TOWNS)], "fr")
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:16]
        rows.append({
            "Code client": cid, "Raison sociale": name,
            "Adresse": f"{3 + n * 7 % 90} {_STREETS[n % len(_STREETS)]}",
            "Code postal": postcode, "Ville": town, "Pays": country,
            # every fifth customer has no e-mail address: their letters go by post
            "E-mail": "" if n % 5 == 4 else f"compta@{slug}.example",
            "Langue": lang, "SIREN": _siren(n) if country == "FR" else "",
            "Contact": "Service comptabilité" if lang == "fr" else "Accounts payable",
        })  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_creditor(path: Path) -> Path:
    """Write the creditor's letterhead (``--creditor``) to ``path``."""
    path.write_text(
        json.dumps(
            {"name": "Démo Distribution SAS", "address": ["8 rue du Faubourg", "75011 Paris"],
             "city": "Paris", "country": "FR", "legal_id": "552 100 554",
             "iban": "FR7630004000031234567890143", "bic": "BNPAFRPP",
             "email": "compta@demo-distribution.example", "phone": "01 23 45 67 89",
             "signatory": "Claire Petit, responsable du recouvrement"},
            ensure_ascii=False, indent=2,
        ),
        encoding="utf-8",
    )  # fmt: skip
    return path
