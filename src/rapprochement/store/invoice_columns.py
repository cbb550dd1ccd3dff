"""Which column of an ERP export is which invoice field: French and English header names,
``--map`` and saved profiles (TOML); and the reading of ``.xlsx`` exports.

A header is recognised when, lower-cased with accents, ``°`` and punctuation dropped, it is one
of a field's names (``"N° facture"`` → ``n facture`` → ``invoice_id``; ``"Reste dû"`` →
``open_amount``). An explicit mapping (``--map`` or a profile) wins over the names; a mapping
whose left side names no field is an error with the closest field names.

A profile is a small TOML file::

    # rapprochement invoice import profile
    [columns]
    invoice_id = "N° pièce"
    open_amount = "Solde TTC"
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rapprochement.errors import ColumnError, ConfigError, InputError

__all__ = [
    "FIELD_NAMES",
    "INVOICE_FIELDS",
    "check_mapping",
    "header_key",
    "load_profile",
    "read_xlsx",
    "resolve_columns",
    "save_profile",
]

#: Every field an invoice import reads (required first).
INVOICE_FIELDS = (
    "invoice_id", "customer_id", "customer_name", "amount", "currency", "issue_date",
    "due_date", "open_amount", "reference", "customer_iban", "segment", "credit_limit",
)  # fmt: skip

#: Header names each field is known by (compared through :func:`header_key`), best first.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "invoice_id": ("invoice_id", "n facture", "no facture", "numero facture",
                   "numero de facture", "facture", "num facture", "n piece", "piece",
                   "invoice", "invoice number", "invoice no", "invoice id", "document number"),
    "customer_id": ("customer_id", "code client", "n client", "no client", "numero client",
                    "compte client", "id client", "customer id", "customer number",
                    "customer no", "account", "siren", "siret"),
    "customer_name": ("customer_name", "client", "nom client", "nom du client",
                      "raison sociale", "customer", "customer name", "name"),
    "amount": ("amount", "montant ttc", "montant", "total ttc", "montant facture",
               "amount incl tax", "total", "invoice amount", "gross amount"),
    "currency": ("currency", "devise", "monnaie", "ccy"),
    "issue_date": ("issue_date", "date facture", "date de facture", "date d emission",
                   "date emission", "date", "invoice date", "issue date", "document date"),
    "due_date": ("due_date", "echeance", "date echeance", "date d echeance", "due date",
                 "due", "date limite de paiement"),
    "open_amount": ("open_amount", "reste du", "reste a payer", "solde", "solde du",
                    "montant restant", "open amount", "amount due", "balance", "outstanding",
                    "remaining"),
    "reference": ("reference", "ref", "reference paiement", "payment reference",
                  "structured reference"),
    "customer_iban": ("customer_iban", "iban", "iban client", "customer iban"),
    "segment": ("segment", "categorie client", "customer segment"),
    "credit_limit": ("credit_limit", "plafond", "encours autorise", "plafond d encours",
                     "credit limit"),
}  # fmt: skip


def header_key(text: str) -> str:
    """A header as compared: lower case, no accents, ``°``/punctuation as spaces, one space."""
    folded = unicodedata.normalize("NFKD", text.replace("°", " ").replace("º", " "))
    plain = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9_]+", " ", plain).split())


def check_mapping(mapping: Mapping[str, str], where: str) -> None:
    """Raise :class:`ColumnError` for a left side that names no field (with did-you-mean)."""
    for ours in mapping:
        if ours in INVOICE_FIELDS:
            continue
        close = difflib.get_close_matches(ours, INVOICE_FIELDS, n=2, cutoff=0.5)
        guess = f"did you mean {' or '.join(close)}? " if close else ""
        raise ColumnError(
            f"--map {ours}=…: {ours!r} is not an invoice field",
            file=where,
            hint=f"{guess}the fields are {', '.join(INVOICE_FIELDS)}",
        )


def resolve_columns(
    header: list[str], mapping: Mapping[str, str], where: str
) -> tuple[dict[str, int], dict[str, str]]:
    """(field → column index, field → header used) for ``header``.

    Raises:
        ColumnError: a mapping names no field, or a column the header does not have.
    """
    check_mapping(mapping, where)
    index: dict[str, int] = {}
    for field, theirs in mapping.items():
        if theirs in header:
            index[field] = header.index(theirs)
            continue
        keyed = [header_key(h) for h in header]
        if header_key(theirs) in keyed:
            index[field] = keyed.index(header_key(theirs))
            continue
        raise ColumnError(
            f"--map {field}={theirs}: no column {theirs!r}",
            file=where,
            location=f"header: {', '.join(header)}",
        )
    taken = set(index.values())
    keys = [header_key(h) for h in header]
    for field in INVOICE_FIELDS:
        if field in index:
            continue
        for name in FIELD_NAMES[field]:
            j = next((j for j, k in enumerate(keys) if k == name and j not in taken), None)
            if j is not None:
                index[field] = j
                taken.add(j)
                break
    return index, {f: header[j] for f, j in index.items()}


def load_profile(path: str | Path) -> dict[str, str]:
    """The ``[columns]`` mapping of a profile file.

    Raises:
        ConfigError: unreadable, not TOML, or a left side that is no field.
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read profile: {exc.strerror}", file=str(p)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"profile is not TOML: {exc}", file=str(p)) from None
    cols = data.get("columns", {})
    if not isinstance(cols, dict) or not all(isinstance(v, str) for v in cols.values()):
        raise ConfigError(
            'profile has no [columns] table of field = "Header"',
            file=str(p),
            hint='write [columns] then lines such as invoice_id = "N° facture"',
        )
    try:
        check_mapping(cols, str(p))
    except ColumnError as exc:
        raise ConfigError(str(exc.args[0]), file=str(p), hint=exc.hint) from None
    return dict(cols)


def save_profile(path: str | Path, columns: Mapping[str, str]) -> Path:
    """Write ``columns`` (field → header) as a profile; returns the path."""
    p = Path(path)
    lines = ["# rapprochement invoice import profile", "[columns]"]
    lines += [
        f"{field} = {json.dumps(columns[field], ensure_ascii=False)}"
        for field in INVOICE_FIELDS
        if field in columns
    ]
    try:
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write profile: {exc.strerror}", file=str(p)) from None
    return p


def read_xlsx(path: Path, sheet: str | None = None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a sheet (the first, or ``sheet``) of an ``.xlsx`` file; the header is
    its first non-empty row. Cells keep their types (dates, numbers)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError("file not found", file=str(path), hint="check the path") from None
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(f"cannot read the workbook: {exc}", file=str(path)) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise InputError(
                f"no sheet {sheet!r}", file=str(path), hint=f"sheets: {', '.join(book.sheetnames)}"
            )
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [
            list(r) for r in ws.iter_rows(values_only=True) if any(c not in (None, "") for c in r)
        ]
    finally:
        book.close()
    if not rows:
        raise InputError("the sheet is empty", file=str(path), hint="expected a header row")
    header = ["" if c is None else str(c).strip() for c in rows[0]]
    return header, rows[1:]
