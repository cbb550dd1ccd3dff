"""The ledger's tables (SQLAlchemy 2.x Core), one block per concept.

Money is stored as integer minor units (``*_minor`` BIGINT) beside its ISO 4217 currency, never
as a float; :func:`rapprochement.money.from_minor` turns it back into ``Decimal``. Natural keys
(entry fingerprint, transaction id, invoice id, customer id) are unique, so an import is
idempotent by construction. The schema version lives in ``schema_version`` and is moved forward
by :mod:`rapprochement.store.migrate`. Text columns are :class:`~.columns.LedgerText`: free text
unbounded, ids bounded, NUL removed, the same on SQLite and PostgreSQL (see :mod:`.columns`).

::

    accounts ─< statement_entries >─ statements          (an entry may be in several statements)
    entries ─< transactions ─< allocations >─ invoices >─ customers ─< customer_ibans
                                  ^                                 └─< customer_aliases
    reconcile_runs ─< suggestions ─< decisions
    invoice_events (disputes, promises) · dunning_actions · ledger_lock
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    UniqueConstraint,
)

from rapprochement.store.columns import (
    ALIAS_LENGTH,
    IBAN_LENGTH,
    ID_LENGTH,
    LedgerText,
    name_columns,
)

__all__ = [
    "accounts",
    "allocations",
    "customer_aliases",
    "customer_ibans",
    "customers",
    "decisions",
    "dunning_actions",
    "entries",
    "invoice_events",
    "invoices",
    "ledger_lock",
    "line_categories",
    "line_details",
    "line_returns",
    "metadata",
    "pair_rejections",
    "reconcile_runs",
    "rule_sets",
    "schema_version",
    "statement_entries",
    "statements",
    "suggestions",
    "transactions",
    "undone_allocations",
]

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("description", LedgerText(200), nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

ledger_lock = Table(
    "ledger_lock",
    metadata,
    Column("name", LedgerText(40), primary_key=True),
    Column("holder", LedgerText(), nullable=True),
    Column("acquired_at", DateTime, nullable=True),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", LedgerText(ID_LENGTH), nullable=False, unique=True),
    Column("currency", LedgerText(3), nullable=True),
    Column("owner", LedgerText(), nullable=True),
)

statements = Table(
    "statements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("statement_key", LedgerText(64), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=True),
    Column("statement_id", LedgerText(), nullable=True),
    Column("source_format", LedgerText(), nullable=False),
    Column("file", LedgerText(), nullable=True),
    Column("period_start", Date, nullable=True),
    Column("period_end", Date, nullable=True),
    Column("currency", LedgerText(3), nullable=True),
    Column("opening_minor", BigInteger, nullable=True),
    Column("closing_minor", BigInteger, nullable=True),
    Column("entry_count", Integer, nullable=False),
    Column("findings", LedgerText(), nullable=False, default="[]"),
    Column("imported_at", DateTime, nullable=False),
)

entries = Table(
    "entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", LedgerText(64), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=True),
    Column("booking_date", Date, nullable=True),
    Column("value_date", Date, nullable=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", LedgerText(3), nullable=False),
    Column("status", LedgerText(8), nullable=False),
    Column("reversal", Boolean, nullable=False),
    Column("bank_reference", LedgerText(), nullable=True),
    Column("additional_info", LedgerText(), nullable=True),
    Column("source", LedgerText(), nullable=True),
    Column("imported_at", DateTime, nullable=False),
)

statement_entries = Table(
    "statement_entries",
    metadata,
    Column("statement_pk", Integer, ForeignKey("statements.id"), primary_key=True),
    Column("entry_pk", Integer, ForeignKey("entries.id"), primary_key=True),
)

transactions = Table(
    "transactions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transaction_id", LedgerText(80), nullable=False, unique=True),
    Column("entry_pk", Integer, ForeignKey("entries.id"), nullable=False),
    Column("status", LedgerText(8), nullable=False),
    Column("booking_date", Date, nullable=True),
    Column("value_date", Date, nullable=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("allocated_minor", BigInteger, nullable=False, default=0),
    Column("currency", LedgerText(3), nullable=False),
    Column("counterparty_name", LedgerText(), nullable=False, default=""),
    Column("counterparty_iban", LedgerText(), nullable=False, default=""),
    Column("remittance_info", LedgerText(), nullable=False, default=""),
    Column("structured_reference", LedgerText(), nullable=False, default=""),
    Column("end_to_end_id", LedgerText(), nullable=False, default=""),
    # the first reconcile run that saw the line, and what the last one made of it
    # ("suggested" | "unmatched"): see rapprochement.store.evidence
    Column("seen_run", Integer, nullable=True),
    Column("last_outcome", LedgerText(12), nullable=True),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", LedgerText(ID_LENGTH), nullable=False, unique=True),
    Column("name", LedgerText(), nullable=False),
    Column("segment", LedgerText(), nullable=True),
    Column("credit_limit_minor", BigInteger, nullable=True),
    Column("credit_currency", LedgerText(3), nullable=True),
)

customer_ibans = Table(
    "customer_ibans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", LedgerText(ID_LENGTH), nullable=False),
    Column("iban", LedgerText(IBAN_LENGTH), nullable=False),
    Column("source", LedgerText(16), nullable=False),  # "invoice" | "learned"
    Column("learned_from", Integer, nullable=True),  # allocation id
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("customer_id", "iban", name="uq_customer_iban"),
)

customer_aliases = Table(
    "customer_aliases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", LedgerText(ID_LENGTH), nullable=False),
    Column("alias", LedgerText(ALIAS_LENGTH), nullable=False),
    Column("learned_from", Integer, nullable=True),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("customer_id", "alias", name="uq_customer_alias"),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_id", LedgerText(ID_LENGTH), nullable=False, unique=True),
    Column("customer_id", LedgerText(ID_LENGTH), nullable=False, index=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("base_open_minor", BigInteger, nullable=False),
    Column("allocated_minor", BigInteger, nullable=False, default=0),
    Column("currency", LedgerText(3), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=True),
    Column("reference", LedgerText(), nullable=False, default=""),
    Column("customer_iban", LedgerText(IBAN_LENGTH), nullable=False, default=""),
    Column("updated_at", DateTime, nullable=False),
    Column("seen_run", Integer, nullable=True),  # first run that saw it as it is; None: new
)

reconcile_runs = Table(
    "reconcile_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("as_of", Date, nullable=True),
    Column("matcher", LedgerText(), nullable=False),
    Column("version", LedgerText(), nullable=False),
    Column("config", LedgerText(), nullable=False),
    Column("summary", LedgerText(), nullable=False, default="{}"),
    # the last decision, allocation and undo ids the run had seen (new evidence is above them)
    Column("decision_mark", Integer, nullable=True),
    Column("allocation_mark", Integer, nullable=True),
    Column("undo_mark", Integer, nullable=True),
)

allocations = Table(
    "allocations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transaction_id", LedgerText(80), nullable=False, index=True),
    Column("invoice_id", LedgerText(ID_LENGTH), nullable=True, index=True),  # None: excess
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", LedgerText(3), nullable=False),
    Column("kind", LedgerText(40), nullable=False),
    Column("score", Float, nullable=True),  # a probability, not money
    Column("source", LedgerText(16), nullable=False),  # "auto" | "accepted" | "manual"
    Column("made_by", LedgerText(), nullable=False),
    Column("group_id", LedgerText(), nullable=True),
    Column("explanation", LedgerText(), nullable=False, default=""),
    Column("run_id", Integer, ForeignKey("reconcile_runs.id"), nullable=True),
    Column("suggestion_id", Integer, nullable=True),
    Column("config", LedgerText(), nullable=False, default="{}"),
    Column("version", LedgerText(), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

suggestions = Table(
    "suggestions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("reconcile_runs.id"), nullable=False),
    Column("transaction_id", LedgerText(80), nullable=False, index=True),
    Column("invoice_id", LedgerText(ID_LENGTH), nullable=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", LedgerText(3), nullable=False),
    Column("kind", LedgerText(40), nullable=False),
    Column("score", Float, nullable=True),
    Column("group_id", LedgerText(), nullable=True),
    Column("explanation", LedgerText(), nullable=False, default=""),
    Column("state", LedgerText(12), nullable=False),  # pending|accepted|rejected|superseded
    Column("created_at", DateTime, nullable=False),
    Index("ix_suggestions_state", "state"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("suggestion_id", Integer, ForeignKey("suggestions.id"), nullable=False),
    Column("decision", LedgerText(12), nullable=False),  # accepted | rejected
    Column("transaction_id", LedgerText(80), nullable=False),
    Column("invoice_id", LedgerText(ID_LENGTH), nullable=True),
    Column("decided_by", LedgerText(), nullable=False),
    Column("decided_at", DateTime, nullable=False),
    Column("note", LedgerText(), nullable=False, default=""),
)

invoice_events = Table(
    "invoice_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_id", LedgerText(ID_LENGTH), nullable=False, index=True),
    Column("kind", LedgerText(12), nullable=False),  # dispute | promise
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=True),
    Column("note", LedgerText(), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
)

dunning_actions = Table(
    "dunning_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # action_key: a hash of customer, invoices, level and day
    Column("action_key", LedgerText(64), nullable=False, unique=True),
    Column("action_id", LedgerText(), nullable=False),
    Column("customer_id", LedgerText(ID_LENGTH), nullable=False, index=True),
    Column("invoice_ids", LedgerText(), nullable=False),  # JSON list, sorted
    Column("level", LedgerText(), nullable=False),  # a level index or name, as given
    Column("channel", LedgerText(), nullable=False),
    Column("action_date", Date, nullable=False),
    Column("payload", LedgerText(), nullable=False, default="{}"),
    Column("created_at", DateTime, nullable=False),
)

# ---- bank lines that are not customer payments, returns, undo (schema version 5) ----------
#
#   transactions ─1 line_details            codes, entry text, reversal, return reason
#   rule_sets                               every version of the line rules, JSON
#   transactions ─1 line_categories         the winning rule's category, why
#   transactions ─1 line_returns ─1 transactions   a return and the payment it returns
#   undone_allocations                      allocations undone or reversed by a return
#   pair_rejections                         (line, invoice) pairs not to propose again

line_details = Table(
    "line_details",
    metadata,
    Column("transaction_id", LedgerText(80), primary_key=True),
    Column("codes", LedgerText(), nullable=False, default="{}"),  # JSON {scheme: code}
    Column("entry_text", LedgerText(), nullable=False, default=""),
    Column("reversal", Boolean, nullable=False, default=False),
    Column("return_reason", LedgerText(), nullable=False, default=""),
)

rule_sets = Table(
    "rule_sets",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("rules", LedgerText(), nullable=False),  # JSON {"rules": [...]}
    Column("note", LedgerText(), nullable=False, default=""),
    Column("created_by", LedgerText(), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

line_categories = Table(
    "line_categories",
    metadata,
    Column("transaction_id", LedgerText(80), primary_key=True),
    Column("category", LedgerText(), nullable=False, index=True),
    Column("account_code", LedgerText(), nullable=True),
    Column("rule_id", LedgerText(80), nullable=False),
    Column("rule_set_version", Integer, nullable=False),
    Column("reason", LedgerText(), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

line_returns = Table(
    "line_returns",
    metadata,
    Column("transaction_id", LedgerText(80), primary_key=True),  # the return line
    Column("original_id", LedgerText(80), nullable=True, unique=True),
    Column("reason_code", LedgerText(), nullable=False, default=""),
    Column("signals", LedgerText(), nullable=False),
    Column("evidence", LedgerText(), nullable=False, default=""),
    Column("invoices", LedgerText(), nullable=False, default="[]"),  # JSON list reopened
    Column("created_at", DateTime, nullable=False),
    Column("linked_at", DateTime, nullable=True),
)

undone_allocations = Table(
    "undone_allocations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("allocation_id", Integer, nullable=False, unique=True),
    Column("transaction_id", LedgerText(80), nullable=False, index=True),
    Column("invoice_id", LedgerText(ID_LENGTH), nullable=True, index=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", LedgerText(3), nullable=False),
    Column("kind", LedgerText(), nullable=False),
    Column("score", Float, nullable=True),
    Column("source", LedgerText(), nullable=False),
    Column("made_by", LedgerText(), nullable=False),
    Column("group_id", LedgerText(), nullable=True),
    Column("run_id", Integer, nullable=True),
    Column("explanation", LedgerText(), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("undone_by", LedgerText(), nullable=False),
    Column("undone_at", DateTime, nullable=False),
    Column("undo_kind", LedgerText(), nullable=False),  # undo | rollback | return
    Column("reason", LedgerText(), nullable=False, default=""),
)

pair_rejections = Table(
    "pair_rejections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("transaction_id", LedgerText(80), nullable=False, index=True),
    Column("invoice_id", LedgerText(ID_LENGTH), nullable=False),
    Column("evidence", LedgerText(64), nullable=False),
    Column("reason", LedgerText(), nullable=False, default=""),
    Column("created_by", LedgerText(), nullable=False),
    Column("created_at", DateTime, nullable=False),
)
name_columns(metadata)
