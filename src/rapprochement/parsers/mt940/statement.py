"""One MT940/MT942 statement being read: header and balance fields, findings, the final model."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from rapprochement.model import Balance, Finding, Severity, SourceRef, Statement
from rapprochement.parsers._common import StatementBegin
from rapprochement.parsers._common.ident import parse_account
from rapprochement.parsers._common.values import (
    MODEL_ERRORS,
    NO_CURRENCY,
    checked_statement,
    model_problem,
    usable_currency,
)
from rapprochement.parsers.mt940.fields import FieldError, parse_amount, parse_balance

__all__ = ["StatementBuilder"]

_DATETIME = re.compile(r"\s*(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([+-]\d{4})?")
_TOTALS = re.compile(r"\s*([0-9]+)\s*([A-Z]{3})\s*([0-9][0-9,.]*)\s*$")
_FLOOR = re.compile(r"\s*([A-Z]{3})")


class StatementBuilder:
    """Collects the fields of one statement (everything but its entries) and builds it."""

    def __init__(self, index: int, source: SourceRef, message_type: str | None) -> None:
        self.index = index
        self.source = source
        self.file = source.file
        self.member = source.member
        self.findings: list[Finding] = []
        self.values: dict[str, object] = {}
        self.other: list[Balance] = []
        self.currency: str | None = None
        self.account_currency: str | None = None
        self.mt942 = message_type == "942"
        self.began = False
        self.entries = 0
        self.credit_count = 0
        self.debit_count = 0
        self.credit_sum = Decimal(0)
        self.debit_sum = Decimal(0)
        self.totals: dict[str, tuple[int, Decimal]] = {}
        self._warned_currency = False

    def finding(self, code: str, severity: Severity, message: str, line: int | None) -> None:
        """Record a finding at ``line`` of this statement."""
        src = self.source.model_copy(update={"line": line}) if line else self.source
        self.findings.append(Finding(code=code, severity=severity, message=message, source=src))

    def currency_code(self, code: str | None, tag: str, line: int) -> str | None:
        """``code`` when it is an ISO 4217 currency, else None (with a ``bad-currency``
        finding when the field gives one)."""
        if code is None or usable_currency(code):
            return code
        self.finding(
            "bad-currency",
            "warning",
            f":{tag}: {code!r} is not an ISO 4217 currency code; not used",
            line,
        )
        return None

    def begin_event(self) -> StatementBegin | None:
        """The StatementBegin event, once (None after the first call)."""
        if self.began:
            return None
        self.began = True
        acc = self.values.get("account_iban") or self.values.get("account_number")
        return StatementBegin(self.index, acc if isinstance(acc, str) else None)

    def entry_currency(self, line: int) -> str:
        """Currency of entries: the opening balance's, else :34F:'s, else the :25: suffix."""
        ccy = self.currency or self.account_currency
        if ccy:
            return ccy
        if not self._warned_currency:
            self._warned_currency = True
            self.finding(
                "no-currency",
                "warning",
                "no currency before the first entry (:60F:, :34F: or :25:); entries use XXX",
                line,
            )
        return NO_CURRENCY

    def count(self, amount: Decimal) -> None:
        """Count an entry for the MT942 :90D:/:90C: consistency check."""
        self.entries += 1
        if amount > 0:
            self.credit_count += 1
            self.credit_sum += amount
        else:
            self.debit_count += 1
            self.debit_sum -= amount

    def field(self, tag: str, lines: list[str], line: int) -> None:
        """Read one header, balance or MT942 field."""
        text = lines[0]
        v = self.values
        try:
            if tag == "20":
                v["statement_id"] = text.strip() or None
            elif tag == "25":
                if self.began and ("account_iban" in v or "account_number" in v):
                    self.finding(
                        "unexpected-field",
                        "warning",
                        f"second :25: {text.strip()!r} after entries ignored",
                        line,
                    )
                    return
                acc = parse_account(text)
                v["account_iban"], v["account_number"] = acc.iban, acc.number
                v["account_bic"] = acc.bic
                self.account_currency = self.currency_code(acc.currency, tag, line)
            elif tag in ("28C", "28"):
                v["sequence"] = text.strip() or None
            elif tag in ("60F", "60M", "60"):
                self._balance("opening_balance", tag, text, line)
            elif tag in ("62F", "62M", "62"):
                self._balance("closing_balance", tag, text, line)
            elif tag == "64":
                self._balance("available_balance", tag, text, line)
            elif tag == "65":
                b = parse_balance(text)
                self.other.append(Balance(amount=b.amount, date=b.date, type="65"))
            elif tag in ("13D", "13"):
                self.mt942 = True
                v["created_at"] = _datetime(text)
            elif tag == "34F":
                self.mt942 = True
                m = _FLOOR.match(text)
                if m and self.currency is None:
                    self.currency = self.currency_code(m.group(1), tag, line)
            elif tag in ("90D", "90C"):
                self._totals(tag, text, line)
            elif tag != "21":
                self.finding("unknown-field", "info", f"field :{tag}: not read", line)
        except FieldError as exc:
            self.finding("bad-field", "error", f":{tag}: {exc}", line)
        except MODEL_ERRORS as exc:
            self.finding("bad-field", "error", f":{tag}: {model_problem(exc)}", line)

    def _balance(self, name: str, tag: str, text: str, line: int) -> None:
        b = parse_balance(text)
        if b.date is None:
            self.finding(
                "bad-date",
                "warning",
                f":{tag}: impossible date {b.date_text!r}; date left empty",
                line,
            )
        if name in self.values:
            self.finding(
                "duplicate-field",
                "warning",
                f"a second :{tag}: replaces the earlier {name.replace('_', ' ')}",
                line,
            )
        self.values[name] = Balance(amount=b.amount, date=b.date, type=tag)
        ccy = self.currency_code(b.currency, tag, line)
        if ccy and (name == "opening_balance" or self.currency is None):
            self.currency = ccy

    def _totals(self, tag: str, text: str, line: int) -> None:
        m = _TOTALS.match(text)
        if m is None:
            raise FieldError(f"totals {text.strip()!r} are not <count><currency><amount>")
        n, ccy, amount_text = m.groups()
        total = parse_amount(amount_text)
        self.totals[tag] = (int(n), total)
        self.other.append(Balance(amount=-total if tag == "90D" else total, type=tag))
        if self.currency is None:
            self.currency = self.currency_code(ccy, tag, line)

    def _check_totals(self) -> None:
        for tag, (n, total) in self.totals.items():
            got_n, got = (
                (self.debit_count, self.debit_sum)
                if tag == "90D"
                else (self.credit_count, self.credit_sum)
            )
            if (n, total) != (got_n, got):
                kind = "debit" if tag == "90D" else "credit"
                self.finding(
                    "totals-mismatch",
                    "warning",
                    f":{tag}: states {n} {kind} entries for {total},"
                    f" the file has {got_n} for {got}",
                    None,
                )

    def build(self) -> Statement:
        """The statement (``entries=()``: they were streamed as events)."""
        self._check_totals()
        v = self.values
        opening = v.get("opening_balance")
        closing = v.get("closing_balance")
        created = v.get("created_at")
        return checked_statement(
            self.source,
            account_iban=v.get("account_iban"),
            account_number=v.get("account_number"),
            account_bic=v.get("account_bic"),
            currency=self.currency or self.account_currency,
            statement_id=v.get("statement_id"),
            sequence=v.get("sequence"),
            created_at=created,
            period_start=opening.date if isinstance(opening, Balance) else None,
            period_end=(
                closing.date
                if isinstance(closing, Balance)
                else created.date()
                if isinstance(created, dt.datetime)
                else None
            ),
            opening_balance=opening,
            closing_balance=closing,
            available_balance=v.get("available_balance"),
            other_balances=tuple(self.other),
            source_format="mt942" if self.mt942 else "mt940",
            source_version="MT942" if self.mt942 else "MT940",
            findings=tuple(self.findings),
        )


def _datetime(text: str) -> dt.datetime | None:
    m = _DATETIME.match(text)
    if m is None:
        raise FieldError(f"date-time {text.strip()!r} is not YYMMDDhhmm[+hhmm]")
    yy, mo, d, h, mi, off = m.groups()
    tz = None
    if off:
        sign = -1 if off[0] == "-" else 1
        tz = dt.timezone(sign * dt.timedelta(hours=int(off[1:3]), minutes=int(off[3:5])))
    try:
        return dt.datetime(2000 + int(yy), int(mo), int(d), int(h), int(mi), tzinfo=tz)
    except ValueError:
        return None
