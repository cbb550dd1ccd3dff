"""The columns of the matcher's input frames (required ones; optional ones are named where read)."""

from __future__ import annotations

__all__ = ["INVOICE_COLUMNS", "TRANSACTION_COLUMNS"]

#: Required columns of the transactions frame.
TRANSACTION_COLUMNS = (
    "transaction_id",
    "booking_date",
    "amount",
    "currency",
    "counterparty_name",
    "counterparty_iban",
    "remittance_info",
)
#: Required columns of the invoices frame.
INVOICE_COLUMNS = (
    "invoice_id",
    "customer_id",
    "customer_name",
    "amount",
    "currency",
    "issue_date",
    "due_date",
)
