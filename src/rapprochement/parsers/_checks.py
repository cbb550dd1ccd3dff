"""What every entry must satisfy when it leaves a parser, checked in one place.

:func:`~rapprochement.parsers._common.stream` applies :class:`StatementChecks` to the events of
every format, so the rules below hold whatever the file:

* **A booked entry has a booking date.** Without one (an MT940 ``:61:`` without its optional
  entry date, a CAMT ``Ntry`` without ``BookgDt``, an OFX ``STMTTRN`` without ``DTPOSTED``...)
  the value date is used, with an ``info`` finding ``booking-date-from-value-date``. With
  neither date the entry is kept as the bank booked it (its amount counts in the statement's
  figures), its dates empty, with an ``error`` finding ``missing-date``: a date is never
  invented.
"""

from __future__ import annotations

from rapprochement.model import Entry, Finding, Severity, SourceRef, Statement

__all__ = ["StatementChecks"]


class StatementChecks:
    """The checks of one statement: entries one by one, then the statement itself."""

    __slots__ = ("findings",)

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def _add(self, code: str, severity: Severity, message: str, source: SourceRef | None) -> None:
        self.findings.append(
            Finding.model_construct(code=code, severity=severity, message=message, source=source)
        )

    def admit(self, entry: Entry) -> bool:
        """Apply the rules to a fresh entry (changed in place); False when it is dropped."""
        d = entry.__dict__
        if d["status"] == "booked" and d["booking_date"] is None:
            fields_set = entry.__pydantic_fields_set__
            if d["value_date"] is not None:
                d["booking_date"] = d["value_date"]
                fields_set.add("booking_date")
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
        return True

    def finish(self, stmt: Statement) -> Statement:
        """The statement with the findings of its entries added."""
        if not self.findings:
            return stmt
        return stmt.model_copy(update={"findings": (*stmt.findings, *self.findings)})
