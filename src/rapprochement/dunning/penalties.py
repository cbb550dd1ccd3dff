"""Statutory late-payment penalties: France (L441-10), EU (Directive 2011/7/EU), Germany (§288 BGB).

Interest is simple, actual/365 (also in leap years), runs from the day after the due date to
``as_of`` inclusive, and is split into half-year segments because the reference rate is fixed
on 1 January and 1 July. Each segment's interest is rounded half-up to the cent; the total is
the sum of the rounded segments.

==============  ===========================================  ===========================
jurisdiction    rate                                         fixed indemnity
==============  ===========================================  ===========================
FR (B2B)        ECB MRO + 10 points; a contractual rate       €40 per invoice (D441-5)
                replaces it but never below 3 × legal rate
EU (B2B)        ECB MRO + 8 points (or the contractual rate)  €40 per invoice
DE, B2B         Basiszinssatz + 9 points                      €40 Pauschale (§288 V)
DE, consumer    Basiszinssatz + 5 points                      none
==============  ===========================================  ===========================

A rate is never guessed, and a missing one never stops a run: a half-year the tables do not
hold yet becomes a finding on the result (``rate-missing``: that segment's interest is left out
and ``complete`` is False), and a French contractual rate whose floor cannot be checked is
applied as agreed with a ``floor-not-verified`` finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rapprochement.dunning.rates import (
    RatePeriod,
    RateTable,
    RateTables,
    default_rate_tables,
    half_year_bounds,
)
from rapprochement.dunning.rates import half_year_of as _half_year_of
from rapprochement.errors import AmountError, DunningError
from rapprochement.model import Finding

__all__ = [
    "FIXED_INDEMNITY",
    "JURISDICTIONS",
    "PenaltyResult",
    "PenaltySegment",
    "compute_penalties",
]

Jurisdiction = Literal["FR", "EU", "DE"]
JURISDICTIONS: tuple[str, ...] = ("FR", "EU", "DE")
#: Fixed recovery indemnity per invoice, in EUR (FR D441-5, Directive art. 6, BGB §288 V).
FIXED_INDEMNITY = Decimal("40.00")
_CENT = Decimal("0.01")
_DAYS_IN_YEAR = Decimal(365)


class PenaltySegment(BaseModel):
    """Interest over one half-year (or the part of it inside the delay)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    period: str = Field(description="Half-year label, 2025-H2.")
    start: dt.date = Field(description="First day of interest in this segment.")
    end: dt.date = Field(description="Last day of interest in this segment (inclusive).")
    days: int = Field(description="Number of days of interest (end - start + 1).")
    principal: Decimal = Field(description="Amount the interest runs on in this segment.")
    reference_rate: Decimal | None = Field(
        description="ECB MRO or Basiszinssatz of the half-year, %; None when not yet known "
        "(a contractual rate does not need it)."
    )
    rate: Decimal = Field(description="Annual rate applied, % (reference + margin, or contract).")
    floor_applied: bool = Field(False, description="3 × legal rate replaced the contract.")
    interest: Decimal = Field(description="amount × rate/100 × days/365, rounded to the cent.")


class PenaltyResult(BaseModel):
    """Late-payment interest and fixed indemnity for one invoice."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Decimal = Field(description="Principal the interest runs on.")
    due_date: dt.date = Field(description="Due date; interest starts the day after.")
    as_of: dt.date = Field(description="Last day of interest (inclusive).")
    jurisdiction: str = Field(description="FR, EU or DE.")
    b2b: bool = Field(description="True between professionals.")
    days_late: int = Field(description="as_of - due_date, or 0 when not late.")
    interest: Decimal = Field(description="Sum of the segments' interest.")
    indemnity: Decimal = Field(description="Fixed recovery indemnity (EUR), 0 when not due.")
    total: Decimal = Field(description="interest + indemnity.")
    segments: tuple[PenaltySegment, ...] = Field(
        (), description="One per half-year crossed, per principal (open amount, late parts)."
    )
    warnings: tuple[str, ...] = Field(
        (), description="The findings' messages (low-confidence rates, missing rates...)."
    )
    findings: tuple[Finding, ...] = Field(
        (),
        description="rate-missing (a half-year's interest left out), floor-not-verified (a "
        "contractual rate applied without its legal floor), rate-low-confidence.",
    )
    complete: bool = Field(
        True, description="False when a rate-missing finding left some interest out."
    )


def _check_inputs(amount: Decimal, jurisdiction: str, b2b: bool) -> None:
    if not isinstance(amount, Decimal):
        raise AmountError(
            f"amount must be a Decimal, got {type(amount).__name__} {amount!r}",
            hint="use Decimal('1234.56'); floats cannot carry cents exactly",
        )
    if amount < 0:
        raise AmountError(f"negative principal {amount}", hint="penalties run on what is owed")
    if jurisdiction not in JURISDICTIONS:
        raise DunningError(
            f"unknown jurisdiction {jurisdiction!r}",
            hint=f"use one of {', '.join(JURISDICTIONS)} (EU for other euro-area countries)",
        )
    if not b2b and jurisdiction in ("FR", "EU"):
        raise DunningError(
            f"{jurisdiction} late-payment penalties apply between professionals only",
            hint="for a consumer debtor use the legal interest rate; pass b2b=True for a business",
        )


def _segments(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    out: list[tuple[str, dt.date, dt.date]] = []
    day = start
    while day <= end:
        label = _half_year_of(day)
        _, last = half_year_bounds(label)
        seg_end = min(last, end)
        out.append((label, day, seg_end))
        day = seg_end + dt.timedelta(days=1)
    return out


class _Notes:
    """Findings collected while computing, one per (code, table, half-year)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str], Finding] = {}

    def add(self, code: str, table: RateTable, label: str, message: str) -> None:
        sev = "info" if code == "rate-low-confidence" else "warning"
        self.items.setdefault((code, table.name, label), Finding(code=code, severity=sev,
                                                                 message=message))  # fmt: skip

    def row(self, table: RateTable, label: str, start: dt.date) -> RatePeriod | None:
        row = table.find(start)
        if row is not None and row.confidence == "low":
            self.add("rate-low-confidence", table, label,
                     f"{table.name} {label}: {row.note or 'low-confidence value'}")  # fmt: skip
        return row


def _rate(
    tables: RateTables,
    label: str,
    start: dt.date,
    jurisdiction: str,
    b2b: bool,
    contractual_rate: Decimal | None,
    notes: _Notes,
) -> tuple[Decimal | None, Decimal, bool] | None:
    """(reference rate, applied rate, floor applied) for the half-year starting at ``start``;
    None when the rate cannot be known (a rate-missing finding is recorded)."""
    table = tables.de_base if jurisdiction == "DE" else tables.ecb_mro
    row = notes.row(table, label, start)
    reference = None if row is None else row.rate
    if row is None and contractual_rate is None:
        notes.add(
            "rate-missing", table, label,
            f"no {table.name} rate for {label} (table covers {table.covered}): interest from "
            f"{start.isoformat()} left out; run `rapprochement rates update` or pass --rates",
        )  # fmt: skip
        return None
    if jurisdiction == "FR":
        if contractual_rate is None:
            assert reference is not None
            return reference, reference + 10, False
        legal = notes.row(tables.fr_legal, label, start)
        if legal is None:
            notes.add(
                "floor-not-verified", tables.fr_legal, label,
                f"contractual rate {contractual_rate} % applied for {label} without checking "
                f"the L441-10 floor (3 × legal rate): no {tables.fr_legal.name} rate for "
                f"{label} (table covers {tables.fr_legal.covered})",
            )  # fmt: skip
            return reference, contractual_rate, False
        floor = legal.rate * 3
        return reference, max(contractual_rate, floor), contractual_rate < floor
    if contractual_rate is not None:
        return reference, contractual_rate, False
    assert reference is not None
    margin = 8 if jurisdiction == "EU" else (9 if b2b else 5)
    return reference, reference + margin, False


def compute_penalties(
    amount: Decimal,
    due_date: dt.date,
    as_of: dt.date,
    *,
    jurisdiction: str = "FR",
    b2b: bool = True,
    contractual_rate: Decimal | None = None,
    rates: RateTables | None = None,
    paid_late: Sequence[tuple[dt.date, Decimal]] = (),
) -> PenaltyResult:
    """Late-payment interest and the fixed indemnity owed on ``amount`` at ``as_of``.

    Args:
        amount: principal still unpaid (Decimal, ≥ 0).
        due_date: the invoice's due date; interest runs from the next day.
        as_of: the last day of interest, inclusive (the clock is injected, never ``today()``).
        jurisdiction: ``"FR"``, ``"EU"`` or ``"DE"``.
        b2b: True between professionals; False (a consumer debtor) is only defined for DE.
        contractual_rate: agreed annual rate in percent. FR: never below 3 × the legal rate of
            the half-year (the floor is applied and flagged); EU/DE: replaces the statutory rate.
        rates: your own :class:`RateTables`; default: the tables shipped with the package.
        paid_late: ``(payment date, amount)`` of parts already paid after the due date: each
            bears interest from the day after the due date to its payment date (inclusive).
            Payments on or before the due date, or after ``as_of``, are ignored.

    Raises:
        AmountError: a float or negative amount.
        DunningError: unknown jurisdiction, or a consumer debtor where the law is B2B only.
    A half-year missing from the tables is a finding, never an error (see the module doc).
    """
    _check_inputs(amount, jurisdiction, b2b)
    tranches = [(amount, as_of)]
    for day, part in sorted(paid_late):
        _check_inputs(part, jurisdiction, b2b)
        if due_date < day <= as_of and part > 0:
            tranches.append((part, day))
    tables = rates if rates is not None else default_rate_tables()
    days_late = max(0, (as_of - due_date).days)
    segments: list[PenaltySegment] = []
    notes = _Notes()
    complete = True
    for principal, until in tranches:
        for label, start, end in _segments(due_date + dt.timedelta(days=1), until):
            got = _rate(tables, label, start, jurisdiction, b2b, contractual_rate, notes)
            if got is None:
                complete = False
                continue
            reference, rate, floored = got
            days = (end - start).days + 1
            interest = (principal * rate / 100 * days / _DAYS_IN_YEAR).quantize(
                _CENT, ROUND_HALF_UP
            )
            segments.append(
                PenaltySegment(
                    period=label,
                    start=start,
                    end=end,
                    days=days,
                    principal=principal,
                    reference_rate=reference,
                    rate=rate,
                    floor_applied=floored,
                    interest=interest,
                )
            )
    total_interest = sum((s.interest for s in segments), Decimal("0.00"))
    indemnity = FIXED_INDEMNITY if b2b and days_late > 0 else Decimal("0.00")
    return PenaltyResult(
        amount=amount,
        due_date=due_date,
        as_of=as_of,
        jurisdiction=jurisdiction,
        b2b=b2b,
        days_late=days_late,
        interest=total_interest,
        indemnity=indemnity,
        total=total_interest + indemnity,
        segments=tuple(segments),
        warnings=tuple(f.message for f in notes.items.values()),
        findings=tuple(notes.items.values()),
        complete=complete,
    )
