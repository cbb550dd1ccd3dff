"""Line rules as data: :class:`LineRule` and :class:`RuleSet` (frozen pydantic, JSON round-trip).

A rule says which bank lines are *not* customer payments and what they are: a category (fees,
payroll, tax…) and optionally an account code for the accounting export. Every condition a rule
states must hold (they are ANDed); a rule must state at least one. Conditions:

==========================  =================================================================
``direction``               ``in`` (money received), ``out`` (money paid) or ``any``
``amount_min/amount_max``   bounds on the absolute amount, inclusive
``currency``                ISO 4217 code
``name``                    regular expression searched in the counterparty name
``iban``                    counterparty IBANs (compact); ``"own"`` = an account of the ledger
``text``                    regular expression searched in the remittance and entry text
``bank_codes``              ``scheme:pattern`` (``camt:PMNT/*/CHRG``, ``mt940:NCHG``,
                            ``gvc:805``, ``ofx:FEE``, ``cfonb:B1``); ``*`` matches one part
==========================  =================================================================

Text and names are compared case- and accent-insensitively (``é`` = ``e``). Among the rules that
match a line the highest ``priority`` wins; equal priorities go to the rule declared first.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["CATEGORIES", "CODE_SCHEMES", "Category", "LineRule", "RuleSet"]

Category = Literal[
    "fees",
    "payroll",
    "tax",
    "social_charges",
    "loan",
    "internal_transfer",
    "card_settlement",
    "supplier_payment",
    "ignore",
]
#: The categories a rule may assign.
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
#: Bank transaction code schemes: CAMT BkTxCd (``Domain/Family/SubFamily`` or proprietary),
#: MT940 ``:61:`` transaction type (``NTRF``, ``NCHG``…), German GVC (``:86:`` first three
#: digits), OFX ``TRNTYPE``, CFONB 120 interbank operation code.
CODE_SCHEMES = ("camt", "mt940", "gvc", "ofx", "cfonb")


class LineRule(BaseModel):
    """One rule: conditions on a bank line and the category it assigns."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=80, description="Unique name of the rule.")
    category: Category = Field(description="What a matching line is.")
    account_code: str | None = Field(None, max_length=40, description="Account for the export.")
    priority: int = Field(100, ge=0, le=10_000, description="Higher wins among matching rules.")
    direction: Literal["in", "out", "any"] = Field("any", description="in, out or any.")
    amount_min: Decimal | None = Field(None, ge=0, description="Smallest absolute amount.")
    amount_max: Decimal | None = Field(None, ge=0, description="Largest absolute amount.")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="ISO 4217 code.")
    name: str | None = Field(None, min_length=1, description="Regex on the counterparty name.")
    iban: tuple[str, ...] = Field((), description="Counterparty IBANs; 'own' = ledger account.")
    text: str | None = Field(None, min_length=1, description="Regex on remittance + entry text.")
    bank_codes: tuple[str, ...] = Field((), description="scheme:pattern bank transaction codes.")
    description: str = Field("", description="Free text shown beside the rule.")

    @field_validator("name", "text")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return v

    @field_validator("iban")
    @classmethod
    def _ibans(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        out = tuple("".join(x.split()).upper() if x != "own" else x for x in v)
        for x in out:
            if x != "own" and not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}", x):
                raise ValueError(f"{x!r} is not an IBAN (or 'own' for the ledger's accounts)")
        return out

    @field_validator("bank_codes")
    @classmethod
    def _codes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for code in v:
            scheme, sep, pattern = code.partition(":")
            if not sep or scheme not in CODE_SCHEMES or not pattern:
                raise ValueError(
                    f"{code!r} is not 'scheme:pattern' with scheme one of {', '.join(CODE_SCHEMES)}"
                )
        return v

    @model_validator(mode="after")
    def _conditions(self) -> LineRule:
        lo, hi = self.amount_min, self.amount_max
        if lo is not None and hi is not None and lo > hi:
            raise ValueError("amount_min is above amount_max")
        stated = (
            self.amount_min is not None
            or self.amount_max is not None
            or self.name
            or self.iban
            or self.text
            or self.bank_codes
        )
        if not stated:
            raise ValueError(
                "the rule states no condition on the line (name, iban, text, bank_codes or an "
                "amount bound): it would take every line"
            )
        return self


class RuleSet(BaseModel):
    """An ordered set of rules with unique ids (the order breaks priority ties)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: tuple[LineRule, ...] = Field((), description="The rules, in declaration order.")

    @model_validator(mode="after")
    def _unique(self) -> RuleSet:
        seen: set[str] = set()
        for r in self.rules:
            if r.id in seen:
                raise ValueError(f"two rules are named {r.id!r}; rule ids must be unique")
            seen.add(r.id)
        return self

    def __len__(self) -> int:
        return len(self.rules)

    def merged(self, other: RuleSet) -> RuleSet:
        """This set with ``other``'s rules added (one of the same id replaces the old one)."""
        theirs = {r.id: r for r in other.rules}
        kept = [theirs.pop(r.id, r) for r in self.rules]
        return RuleSet(rules=(*kept, *(r for r in other.rules if r.id in theirs)))
