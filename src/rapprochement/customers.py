"""Customers as master data: who a letter goes to (postal address, e-mails, contact), in which
language, and their company numbers (SIREN, VAT), read from a CSV file.

:func:`read_customers` reads the CSV exported by an ERP or a CRM. Headers are matched in French
or English, ignoring case, accents and punctuation (``Code client``, ``Raison sociale``,
``Adresse``, ``Code postal``, ``Ville``, ``Pays``, ``E-mail``, ``Langue``, ``SIREN``,
``N° TVA``, ``Contact``, ``Téléphone``), or renamed with ``column_map``. SIREN and VAT numbers
are checked with python-stdnum (check digits), e-mail addresses for shape, the language against
the languages letters exist in. Every row is checked before anything is used: a bad one raises an
:class:`~rapprochement.errors.InputError` naming the file, the line, the column and the fix.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pycountry
from babel import Locale
from pydantic import BaseModel, ConfigDict, Field
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from rapprochement.errors import ColumnError, DuplicateIdError, InputError

__all__ = ["LANGUAGES", "Customer", "read_customers"]

#: Languages the letters are written in.
LANGUAGES = ("fr", "en")

_FIELDS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer_id", "customer", "code_client", "client", "id_client", "n_client",
                    "numero_client", "account", "compte"),
    "name": ("name", "customer_name", "nom", "raison_sociale", "societe", "company"),
    "address": ("address", "adresse", "street", "rue", "address1", "adresse1", "address_1",
                "adresse_1", "ligne_1"),
    "address2": ("address2", "adresse2", "address_2", "adresse_2", "complement", "ligne_2",
                 "complement_d_adresse"),
    "postal_code": ("postal_code", "postcode", "zip", "zip_code", "code_postal", "cp"),
    "city": ("city", "ville", "localite", "town"),
    "country": ("country", "pays", "country_code", "code_pays"),
    "emails": ("email", "emails", "e_mail", "e_mails", "courriel", "mail", "adresse_e_mail"),
    "language": ("language", "langue", "lang", "locale"),
    "siren": ("siren", "siret", "siren_siret", "company_number", "registration_number"),
    "vat": ("vat", "vat_number", "tva", "n_tva", "numero_tva", "tva_intracommunautaire",
            "n_tva_intracommunautaire"),
    "contact": ("contact", "contact_name", "attention", "a_l_attention_de", "interlocuteur"),
    "phone": ("phone", "telephone", "tel", "phone_number"),
}  # fmt: skip
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


class Customer(BaseModel):
    """One customer's master data: what a letter needs to reach them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: str = Field(description="Customer id, as on the invoices.")
    name: str = Field(description="Legal name, first line of the address block.")
    contact: str | None = Field(None, description="Person the letter is for ('À l'attention de').")
    address: tuple[str, ...] = Field((), description="Street lines.")
    postal_code: str = Field("", description="Postal code.")
    city: str = Field("", description="City.")
    country: str = Field("FR", description="ISO 3166 alpha-2 country of the address.")
    emails: tuple[str, ...] = Field((), description="Addresses the reminders are e-mailed to.")
    language: Literal["fr", "en"] = Field("fr", description="Language of the letters.")
    siren: str | None = Field(None, description="French company number (9 digits), checked.")
    vat: str | None = Field(None, description="EU VAT number (compact), checked.")
    phone: str | None = Field(None, description="Phone number, for call tasks.")

    @property
    def address_block(self) -> tuple[str, ...]:
        """The lines of the address block (La Poste order: name, contact, street, postcode
        and city in capitals, and abroad the country's name in capitals, ``ROYAUME-UNI``)."""
        lines = [self.name]
        if self.contact:
            lines.append(self.contact)
        lines.extend(self.address)
        town = " ".join(p for p in (self.postal_code, self.city.upper()) if p)
        if town:
            lines.append(town)
        if self.country and self.country != "FR":  # the country's name in capitals, in French
            lines.append(str(Locale("fr").territories.get(self.country, self.country)).upper())
        return tuple(lines)


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _columns(headers: list[str], column_map: Mapping[str, str] | None, file: str) -> dict[str, int]:
    index = {_key(h): i for i, h in enumerate(headers)}
    out: dict[str, int] = {}
    for field, names in _FIELDS.items():
        wanted = [column_map[field]] if column_map and field in column_map else list(names)
        for name in wanted:
            if _key(name) in index:
                out[field] = index[_key(name)]
                break
    for field in column_map or {}:
        if field not in _FIELDS:
            raise ColumnError(
                f"--map names no field {field!r}", file=file, hint=f"fields: {', '.join(_FIELDS)}"
            )
    missing = [f for f in ("customer_id", "name") if f not in out]
    if missing:
        raise ColumnError(
            f"no column for {', '.join(missing)}",
            file=file,
            hint=f"columns present: {', '.join(headers) or '(none)'}; name them customer_id and "
            "name (or Code client and Raison sociale), or map them",
        )
    return out


def _siren(raw: str, where: str, file: str) -> str | None:
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return None
    if len(digits) == 14 and fr_siret.is_valid(digits):
        return digits[:9]
    if fr_siren.is_valid(digits):
        return digits
    raise InputError(
        f"{raw!r} is not a valid SIREN (or SIRET): wrong length or check digit",
        file=file,
        location=where,
        hint="copy the 9 digits from the Kbis or annuaire-entreprises.data.gouv.fr",
    )


def _vat(raw: str, where: str, file: str) -> str | None:
    if not raw.strip():
        return None
    if eu_vat.is_valid(raw):
        return str(eu_vat.compact(raw))
    raise InputError(
        f"{raw!r} is not a valid EU VAT number",
        file=file,
        location=where,
        hint="a country prefix and the number, e.g. FR40303265045 (check it on "
        "the European Commission's VIES)",
    )


def _emails(raw: str, where: str, file: str) -> tuple[str, ...]:
    out = tuple(p.strip() for p in re.split(r"[;,\s]+", raw) if p.strip())
    for address in out:
        if not _EMAIL.match(address):
            raise InputError(
                f"{address!r} is not an e-mail address",
                file=file,
                location=where,
                hint="separate several addresses with ';'",
            )
    return out


def _language(raw: str, where: str, file: str) -> Literal["fr", "en"]:
    code = raw.strip().lower()[:2] or "fr"
    if code == "fr":
        return "fr"
    if code == "en":
        return "en"
    raise InputError(
        f"no letters in language {raw!r}",
        file=file,
        location=where,
        hint=f"use one of {', '.join(LANGUAGES)}",
    )


def _country(raw: str, where: str, file: str) -> str:
    text = raw.strip()
    if not text:
        return "FR"
    if len(text) == 2 and text.isalpha():
        return text.upper()
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        raise InputError(
            f"unknown country {raw!r}",
            file=file,
            location=where,
            hint="use the ISO 3166 code: FR, BE, DE, GB...",
        ) from None


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read file: {exc.strerror}", file=str(path), hint="check the path"
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_customers(
    path: str | Path, *, column_map: Mapping[str, str] | None = None
) -> list[Customer]:
    """Read and check a customers CSV (``,`` or ``;`` separated, UTF-8 or Windows-1252).

    Args:
        path: the file.
        column_map: field → header, for headers not recognised (``{"customer_id": "Tiers"}``).

    Raises:
        InputError: the file cannot be read, a required column is missing, a customer is listed
            twice, or a value is invalid (the line and column are named).
    """
    p = Path(path)
    text = _decode(p)
    dialect = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=dialect))
    if not rows:
        raise InputError("empty file", file=str(p), hint="the first line names the columns")
    cols = _columns(rows[0], column_map, str(p))
    out: dict[str, Customer] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row: list[str] = row) -> str:
            i = cols.get(field)
            return row[i].strip() if i is not None and i < len(row) else ""

        def at(field: str, n: int = n) -> str:
            return f"line {n}, column {field}"

        cid = cell("customer_id")
        if not cid or not cell("name"):
            raise InputError("customer without id or name", file=str(p), location=f"line {n}")
        if cid in out:
            raise DuplicateIdError(
                f"customer {cid} listed twice",
                file=str(p),
                location=at("customer_id"),
                hint="one line per customer",
            )
        street = [s.strip() for s in cell("address").splitlines() if s.strip()]
        if cell("address2"):
            street.append(cell("address2"))
        out[cid] = Customer(
            customer_id=cid,
            name=cell("name"),
            contact=cell("contact") or None,
            address=tuple(street),
            postal_code=cell("postal_code"),
            city=cell("city"),
            country=_country(cell("country"), at("country"), str(p)),
            emails=_emails(cell("emails"), at("email"), str(p)),
            language=_language(cell("language"), at("language"), str(p)),
            siren=_siren(cell("siren"), at("siren"), str(p)),
            vat=_vat(cell("vat"), at("vat"), str(p)),
            phone=cell("phone") or None,
        )
    return [out[k] for k in sorted(out)]
