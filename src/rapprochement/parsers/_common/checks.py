"""What every entry must satisfy when it leaves a parser, checked in one place.

:func:`~rapprochement.parsers._common.stream` applies :class:`StatementChecks` to the events of
every format, so the rules below hold whatever the file:

* **A booked entry has a booking date.** Without one (an MT940 ``:61:`` without its optional
  entry date, a CAMT ``Ntry`` without ``BookgDt``, an OFX ``STMTTRN`` without ``DTPOSTED``...)
  the value date is used, with an ``info`` finding ``booking-date-from-value-date``. With
  neither date the entry is kept as the bank booked it (its amount counts in the statement's
  figures), its dates empty, with an ``error`` finding ``missing-date``: a date is never
  invented.
* **Amounts are bounded.** An entry with an amount (its own, a detail's, charges, an instructed
  amount, a referred document's) beyond :data:`~rapprochement.money.MAX_ABS_MINOR` minor units
  of its currency is dropped, a balance beyond it ignored, each with an ``error`` finding
  ``amount-too-large``: never kept with a value an int64 column would wrap.
* **Currencies are ISO 4217 codes.** An entry, detail or statement currency that is not one
  (:func:`~rapprochement.parsers._common.values.usable_currency`) is a ``bad-currency`` finding: an
  entry's becomes ``XXX`` (no currency), an instructed amount's and the statement's are left
  empty. Parsers check the codes where they read them (one finding at the place); this is the
  net under them.

Each code is listed at most :data:`FINDINGS_PER_CODE` times per statement; one more finding of
the same code and severity gives the count of the rest.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from rapprochement.model import Balance, Entry, Finding, Severity, SourceRef, Statement
from rapprochement.money import CURRENCY_EXPONENTS, MAX_ABS_MINOR
from rapprochement.parsers._common.values import NO_CURRENCY, usable_currency

__all__ = ["FINDINGS_PER_CODE", "StatementChecks", "largest_amount"]

#: Findings of one code listed one by one per statement; beyond it, one finding gives the count
#: (a file of a million lines without an entry date gets 100 findings and a count, not a
#: million findings: memory stays bounded and the list stays readable).
FINDINGS_PER_CODE = 100

_DOC_AMOUNTS = ("amount", "due_amount", "discount", "credit_note_amount", "adjustment")


@lru_cache(maxsize=256)
def largest_amount(currency: str | None) -> Decimal:
    """The largest absolute amount accepted in ``currency``: :data:`MAX_ABS_MINOR` minor
    units at its ISO 4217 exponent (2 when the currency is unknown)."""
    exponent = CURRENCY_EXPONENTS.get(currency or "", 2)
    return Decimal(MAX_ABS_MINOR).scaleb(-exponent)


# currency -> (largest, -largest): entries come by the hundred thousand, few currencies.
_BOUNDS: dict[str | None, tuple[Decimal, Decimal]] = {}


def _bounds(currency: str | None) -> tuple[Decimal, Decimal]:
    found = _BOUNDS.get(currency)
    if found is None:
        limit = largest_amount(currency)
        found = (limit, -limit)
        if len(_BOUNDS) < 256:
            _BOUNDS[currency] = found
    return found


def _too_large(amount: Decimal | None, currency: str | None) -> bool:
    if amount is None:
        return False
    high, low = _bounds(currency)
    return not low <= amount <= high


def _show(amount: Decimal | None) -> str:
    """An amount for a message: as written, or in scientific notation past 30 characters."""
    text = str(amount)
    return text if len(text) <= 30 else f"{amount:.6E}"


def _oversized(entry: dict[str, Any]) -> str | None:
    """What in an entry is beyond the bound (``"amount 1E+20 EUR"``), None when nothing is.

    The hot path (every entry of every file) is spelled out: an entry whose one detail carries
    the entry's own amount and nothing else costs two comparisons.
    """
    ccy = entry["currency"]
    high, low = _BOUNDS.get(ccy) or _bounds(ccy)
    amount = entry["amount"]
    if not low <= amount <= high:
        return f"amount {_show(amount)} {ccy}"
    for tx in entry["transactions"]:
        t = tx.__dict__
        value = t["amount"]
        if (
            value is amount
            and t["charges"] is None
            and t["instructed_amount"] is None
            and not t["referred_documents"]
        ):
            continue
        tccy = t["currency"]
        for field in ("amount", "charges"):
            value = t[field]
            if _too_large(value, tccy):
                return f"detail {field} {_show(value)} {tccy}"
        instructed = t["instructed_amount"]
        if _too_large(instructed, t["instructed_currency"]):
            return f"instructed amount {_show(instructed)} {t['instructed_currency']}"
        for doc in t["referred_documents"]:
            for field in _DOC_AMOUNTS:
                value = getattr(doc, field)
                if _too_large(value, tccy):
                    return f"referred document {field} {_show(value)} {tccy}"
    return None


# The currencies an entry may carry: the usable codes found so far, and XXX (no currency, with
# the parser's finding). The hot path is one set lookup per entry.
_ACCEPTED: set[str] = {NO_CURRENCY}


def _accepted(code: str | None) -> bool:
    if code in _ACCEPTED:
        return True
    if not usable_currency(code):
        return False
    if code is not None and len(_ACCEPTED) < 512:
        _ACCEPTED.add(code)
    return True


class StatementChecks:
    """The checks of one statement: entries one by one, then the statement itself."""

    __slots__ = ("counts", "findings")

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.counts: dict[tuple[str, Severity], int] = {}

    def _add(self, code: str, severity: Severity, message: str, source: SourceRef | None) -> None:
        seen = self.counts.get((code, severity), 0)
        self.counts[(code, severity)] = seen + 1
        if seen < FINDINGS_PER_CODE:
            self.findings.append(
                Finding.model_construct(
                    code=code, severity=severity, message=message, source=source
                )
            )

    def _more(self, source: SourceRef) -> list[Finding]:
        """One finding per code beyond :data:`FINDINGS_PER_CODE`, with the count."""
        return [
            Finding.model_construct(
                code=code,
                severity=severity,
                message=f"and {count - FINDINGS_PER_CODE} more {code!r} findings in this"
                f" statement, not listed one by one (the first {FINDINGS_PER_CODE} are)",
                source=source,
            )
            for (code, severity), count in self.counts.items()
            if count > FINDINGS_PER_CODE
        ]

    def admit(self, entry: Entry) -> bool:
        """Apply the rules to a fresh entry (changed in place); False when it is dropped."""
        d = entry.__dict__
        ccy, amount = d["currency"], d["amount"]
        high, low = _BOUNDS.get(ccy) or _bounds(ccy)
        # The hot path, spelled out (every entry of every file): an accepted currency, an amount
        # within bounds, and details that carry the entry's own amount in an accepted currency
        # and nothing else need neither _oversized nor the currency fixes.
        plain = ccy in _ACCEPTED and low <= amount <= high
        if plain:
            for tx in d["transactions"]:
                t = tx.__dict__
                if (
                    t["amount"] is not amount
                    or t["charges"] is not None
                    or t["instructed_amount"] is not None
                    or t["referred_documents"]
                    or t["currency"] not in _ACCEPTED
                    or t["instructed_currency"] is not None
                ):
                    plain = False
                    break
        if not plain and not self._amounts_and_currencies(d):
            return False
        if d["status"] == "booked" and d["booking_date"] is None:
            self._booking_date(entry, d)
        return True

    def _amounts_and_currencies(self, d: dict[str, Any]) -> bool:
        """Drop an entry with an amount beyond the bound (False); fix unusable currencies."""
        too_large = _oversized(d)
        if too_large is not None:
            self._add(
                "amount-too-large",
                "error",
                f"entry dropped: {too_large} is beyond the largest amount accepted"
                f" ({MAX_ABS_MINOR} minor units)",
                d["source"],
            )
            return False
        if d["currency"] not in _ACCEPTED:
            self._currency(d)
        for tx in d["transactions"]:
            t = tx.__dict__
            if t["currency"] not in _ACCEPTED or t["instructed_currency"] is not None:
                self._detail_currencies(t, d)
        return True

    def _booking_date(self, entry: Entry, d: dict[str, Any]) -> None:
        """A booked entry without a booking date: its value date, else a finding."""
        if d["value_date"] is not None:
            d["booking_date"] = d["value_date"]
            entry.__pydantic_fields_set__.add("booking_date")
            self._add(
                "booking-date-from-value-date",
                "info",
                f"no booking date: the value date {d['value_date']} is used",
                d["source"],
            )
        else:
            self._add(
                "missing-date",
                "error",
                "a booked entry with neither a booking nor a value date: kept as the bank"
                " booked it, without a date (it cannot be matched or imported as it is)",
                d["source"],
            )

    def _bad_currency(self, code: str | None, what: str, instead: str, where: SourceRef) -> None:
        self._add(
            "bad-currency",
            "warning",
            f"{what} {code!r} is not an ISO 4217 currency code; {instead}",
            where,
        )

    def _currency(self, d: dict[str, Any]) -> None:
        if not _accepted(d["currency"]):
            self._bad_currency(d["currency"], "currency", f"{NO_CURRENCY} used", d["source"])
            d["currency"] = NO_CURRENCY

    def _detail_currencies(self, t: dict[str, Any], d: dict[str, Any]) -> None:
        if not _accepted(t["currency"]):
            self._bad_currency(
                t["currency"], "detail currency", f"{d['currency']} used", d["source"]
            )
            t["currency"] = d["currency"]
        instructed = t["instructed_currency"]
        if instructed is not None and not usable_currency(instructed):
            self._bad_currency(instructed, "instructed currency", "left empty", d["source"])
            t["instructed_currency"] = None

    def finish(self, stmt: Statement) -> Statement:
        """The statement with a bad currency and balances beyond the bound removed, and the
        findings added."""
        update: dict[str, Any] = {}
        if stmt.currency is not None and not usable_currency(stmt.currency):
            self._bad_currency(stmt.currency, "statement currency", "left empty", stmt.source)
            update["currency"] = None
            stmt = stmt.model_copy(update=update)
        for name in ("opening_balance", "closing_balance", "available_balance"):
            balance = getattr(stmt, name)
            if balance is not None and self._ignored(balance, stmt):
                update[name] = None
        others = tuple(b for b in stmt.other_balances if not self._ignored(b, stmt))
        if len(others) != len(stmt.other_balances):
            update["other_balances"] = others
        if self.findings:
            update["findings"] = (*stmt.findings, *self.findings, *self._more(stmt.source))
        return stmt.model_copy(update=update) if update else stmt

    def _ignored(self, balance: Balance, stmt: Statement) -> bool:
        if not _too_large(balance.amount, stmt.currency):
            return False
        self._add(
            "amount-too-large",
            "error",
            f"balance {balance.type or ''} ignored: {_show(balance.amount)}"
            f" {stmt.currency or ''} is beyond the largest amount accepted"
            f" ({MAX_ABS_MINOR} minor units)",
            stmt.source,
        )
        return True
