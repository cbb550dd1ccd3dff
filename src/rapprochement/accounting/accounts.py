"""Which account each side of a settlement is posted to: the account map, as data (TOML).

The defaults follow the French chart of accounts (plan comptable général): the bank on 512000,
customers on 411000 with the customer id as auxiliary account, an overpayment nobody was found
for on 471000 (suspense), bank fees a customer left unpaid on 627000, early-payment discounts
granted on 665000. A TOML file changes any of them::

    [journals]
    bank = { code = "BQ1", label = "Banque Populaire" }
    write_off = { code = "OD", label = "Opérations diverses" }

    [accounts]
    bank = { number = "512100", label = "BPOP" }
    customers = { number = "411000", label = "Clients" }
    suspense = { number = "471000", label = "Compte d'attente" }
    fee_write_off = { number = "627000", label = "Services bancaires" }
    discount_write_off = { number = "665000", label = "Escomptes accordés" }

    [bank_accounts]            # one bank account of the ledger (IBAN) to its own 512 account
    "FR7630004000031234567890143" = { number = "512200", label = "BNP" }

    book_currency = "EUR"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rapprochement.errors import ConfigError

__all__ = ["Account", "AccountMap", "Journal", "load_account_map"]


class Account(BaseModel):
    """A general ledger account: its number and label (``CompteNum``, ``CompteLib``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    number: str = Field(min_length=1, max_length=40)
    label: str = ""


class Journal(BaseModel):
    """A journal: its code and label (``JournalCode``, ``JournalLib``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    code: str = Field(min_length=1, max_length=20)
    label: str = ""


class Journals(BaseModel):
    """The journals entries are written to: receipts to ``bank``, write-offs to ``write_off``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    bank: Journal = Journal(code="BQ", label="Banque")
    write_off: Journal = Journal(code="OD", label="Opérations diverses")


class Accounts(BaseModel):
    """The accounts of each side of a settlement."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    bank: Account = Account(number="512000", label="Banque")
    customers: Account = Account(number="411000", label="Clients")
    suspense: Account = Account(number="471000", label="Compte d'attente")
    fee_write_off: Account = Account(number="627000", label="Services bancaires")
    discount_write_off: Account = Account(number="665000", label="Escomptes accordés")


class AccountMap(BaseModel):
    """Journals and accounts the accountant's export posts to (see the module docstring).

    Attributes:
        journals: the bank journal (receipts) and the write-off journal.
        accounts: bank, customers (collective account), suspense, write-off accounts.
        bank_accounts: a ledger bank account (its IBAN or number as imported) → its own
            bank account number, when there are several banks.
        book_currency: the currency the books are kept in; lines in another currency are
            left out of the export (no exchange rate is guessed) and counted.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    journals: Journals = Journals()
    accounts: Accounts = Accounts()
    bank_accounts: dict[str, Account] = {}
    book_currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")

    def bank_account(self, account: str | None) -> Account:
        """The bank account a ledger account (IBAN) is posted to."""
        return self.bank_accounts.get(account or "", self.accounts.bank)

    def write_off_account(self, kind: str) -> Account:
        """The account a write-off row (``fee_write_off``, ``discount_write_off``) goes to."""
        return (
            self.accounts.discount_write_off
            if kind.startswith("discount")
            else (self.accounts.fee_write_off)
        )


def load_account_map(path: str | os.PathLike[str] | None) -> AccountMap:
    """The account map of a TOML file (None: the French defaults).

    Raises:
        ConfigError: the file cannot be read, is not TOML, or names an unknown key (the
            message names the file and the key).
    """
    if path is None:
        return AccountMap()
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=str(file)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not TOML: {exc}", file=str(file)) from None
    try:
        return AccountMap.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            first["msg"], file=str(file), location=where, hint="see docs/export.md"
        ) from None
