"""What each ledger operation reports back: small frozen dataclasses with ``to_dict()``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ImportSummary", "InvoiceImportSummary", "ReconcileSummary", "StatementFindings"]


class _AsDict:
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (amounts as strings)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True)
class StatementFindings(_AsDict):
    """The findings one imported statement carried (balance mismatch, bad dates…)."""

    file: str | None
    statement_id: str | None
    account: str | None
    findings: list[dict[str, str]]


@dataclass(frozen=True)
class ImportSummary(_AsDict):
    """Outcome of :meth:`Ledger.import_statements`.

    Attributes:
        files: files read (paths as given; ``<models>`` for statements passed as objects).
        statements_new: statements not seen before.
        statements_known: statements already in the ledger (same account, id, period, balances).
        entries_new: entries added (by fingerprint).
        entries_known: entries already in the ledger (overlap or re-import).
        transactions_new: payment details added (a batch entry holds several).
        findings: the findings of each statement that had some.
        entries_same_booking: of ``entries_known``, entries that were in the ledger through
            another message (a camt.054 notification of a camt.053 batch, a camt.052 report
            of a booked line): linked, not added (their details replace a batch's single line).
        line_rules: what the line rules and return detection did after the import (rule set
            version, lines per category, returns found and linked, invoices reopened).
    """

    files: list[str]
    statements_new: int
    statements_known: int
    entries_new: int
    entries_known: int
    transactions_new: int
    findings: list[StatementFindings] = field(default_factory=list)
    entries_same_booking: int = 0
    line_rules: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InvoiceImportSummary(_AsDict):
    """Outcome of :meth:`Ledger.import_invoices`: rows read, invoices new/updated/unchanged.

    Attributes:
        import_id: the import's id in the ledger (to undo a snapshot's closings).
        snapshot: the file was taken as the complete list of open items.
        closed: invoices a snapshot closed as settled outside the bank (invoice_id,
            customer_id, open_amount, currency).
        reopened: invoices settled outside the bank that this file lists again.
    """

    rows: int
    new: int
    updated: int
    unchanged: int
    customers_new: int
    import_id: int | None = None
    snapshot: bool = False
    closed: list[dict[str, str]] = field(default_factory=list)
    reopened: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReconcileSummary(_AsDict):
    """Outcome of :meth:`Ledger.reconcile`.

    Attributes:
        run_id: id of the reconcile run in the ledger.
        transactions: open payment lines given to the matcher.
        invoices: open invoices given to the matcher.
        known_payers: learned payer IBANs and aliases passed as ``customers=``.
        auto_allocations: automatic allocations applied.
        auto_amount: their total by currency (amounts as strings).
        suggestions: suggestions queued for review.
        skipped_rejected: matcher proposals dropped because a person rejected that pair.
        matched_transactions: lines that received at least one automatic allocation.
        unmatched_transactions: lines given to the matcher that stay unallocated.
        seconds: wall time of the run.
        version: version of the matcher that produced the allocations.
        held_as_suggestions: automatic proposals kept as suggestions: their lines were
            suggestions in the previous run and nothing new bears on them
            (:mod:`rapprochement.store.evidence`).
        held_unmatched: proposals dropped: their lines were left unmatched by the previous run
            and nothing new bears on them.
        undated_transactions: open lines with neither a booking nor a value date, left out.
        line_rules: what the line rules and return detection did before matching (as for
            :class:`ImportSummary`); categorized lines and returns are not in ``transactions``.
        learned_from: decisions of this ledger the scores learned from (0: the shipped
            scores; see :mod:`rapprochement.store.learned_weights`).
    """

    run_id: int
    transactions: int
    invoices: int
    known_payers: int
    auto_allocations: int
    auto_amount: dict[str, str]
    suggestions: int
    skipped_rejected: int
    matched_transactions: int
    unmatched_transactions: int
    seconds: float
    version: str
    held_as_suggestions: int = 0
    held_unmatched: int = 0
    undated_transactions: int = 0
    line_rules: dict[str, Any] = field(default_factory=dict)
    learned_from: int = 0
