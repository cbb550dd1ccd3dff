"""What the planner produces: a :class:`DunningAction` (one letter or task: a customer's
statement of account in one currency) made of :class:`DunningItem` rows (invoices, each at its
own level, and the credit notes and payments on account netted against them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rapprochement.dunning.penalties import PenaltyResult

__all__ = ["DunningAction", "DunningItem", "ItemKind"]

_ZERO = Decimal("0.00")

ItemKind = Literal["invoice", "credit_note", "on_account"]


def _version() -> str:
    try:
        return version("rapprochement")
    except PackageNotFoundError:  # pragma: no cover - source tree without install
        return "0.0.0"


class DunningItem(BaseModel):
    """One line of a statement of account: an invoice, a credit note or a payment on account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    invoice_id: str = Field(description="Invoice or credit note id; the payment's id on account.")
    kind: ItemKind = Field("invoice", description="invoice, credit_note or on_account.")
    reference: str | None = Field(None, description="Payment reference printed on the invoice.")
    issue_date: dt.date | None = Field(None, description="Invoice date.")
    due_date: dt.date = Field(description="Due date (a credit's date for credits).")
    amount: Decimal = Field(description="Invoice amount (negative for credits).")
    open_amount: Decimal = Field(description="What is still owed (negative for credits).")
    days_late: int = Field(description="as_of - due date (negative = not yet due; 0 for credits).")
    level: int | None = Field(
        None,
        description="The invoice's own level after this action (None: credits, or an "
        "invoice listed that reached no level yet).",
    )
    level_name: str | None = Field(None, description="Name of that level.")
    escalated: bool = Field(False, description="The invoice reached its level in this action.")
    penalty: PenaltyResult | None = Field(None, description="Statutory penalties, when stated.")
    returned_on: dt.date | None = Field(
        None, description="Date the payment that had settled it came back (a return), if any."
    )
    return_reason: str | None = Field(
        None, description="SEPA reason code of that return (AM04, MD06, AC04...), if given."
    )


class DunningAction(BaseModel):
    """One reminder to send (or task to do): one customer, one currency, one run.

    Its level is the highest level among its invoices; ``total_open`` is the balance claimed:
    the open invoices listed minus the credit notes and payments on account (never ≤ 0: a
    customer whose balance is nil or in their favour is not dunned)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action_id: str = Field(description="Deterministic id: same inputs, same id.")
    policy: str = Field(description="Name of the policy that planned it.")
    customer_id: str = Field(description="Customer id.")
    customer_name: str = Field(description="Customer name.")
    segment: str | None = Field(None, description="Customer segment used to pick the policy.")
    level: int = Field(description="Index of the level in the policy (the highest of its items).")
    level_name: str = Field(description="Name of the level.")
    channel: str = Field(description="email, letter, phone, registered_letter, litigation.")
    template: str = Field(description="Template name.")
    language: str = Field(description="Letter language.")
    action_date: dt.date = Field(description="Date of the action (the run's as_of).")
    deadline: dt.date = Field(description="Date by which the customer is asked to pay.")
    currency: str = Field(description="Currency of the amounts.")
    items: tuple[DunningItem, ...] = Field(
        description="Invoices sorted by due date and id, then credits."
    )
    total_open: Decimal = Field(description="Sum of open amounts (credits netted).")
    total_credits: Decimal = Field(_ZERO, description="Credits netted (a positive amount).")
    total_interest: Decimal = Field(_ZERO, description="Sum of late-payment interest stated.")
    total_indemnity: Decimal = Field(_ZERO, description="Sum of fixed indemnities stated.")
    fee: Decimal = Field(_ZERO, description="Level fee.")
    total_claimed: Decimal = Field(description="open + interest + indemnity + fee.")

    @property
    def invoice_ids(self) -> tuple[str, ...]:
        """Ids of the invoices in the action (credits left out)."""
        return tuple(i.invoice_id for i in self.items if i.kind == "invoice")

    @property
    def invoices(self) -> tuple[DunningItem, ...]:
        """The invoice rows."""
        return tuple(i for i in self.items if i.kind == "invoice")

    @property
    def credits(self) -> tuple[DunningItem, ...]:
        """The credit notes and payments on account netted."""
        return tuple(i for i in self.items if i.kind != "invoice")

    @property
    def levels(self) -> dict[str, int]:
        """Invoice id → level, for the invoices that reached a new level in this action."""
        return {i.invoice_id: i.level for i in self.items if i.escalated and i.level is not None}

    def to_record(self) -> dict[str, object]:
        """The row :meth:`rapprochement.store.Ledger.record_dunning_actions` expects; its
        ``payload`` is the whole action (JSON), the per-invoice ``levels`` and the library
        ``version`` that planned it."""
        levels = self.levels
        return {
            "action_id": self.action_id,
            "customer_id": self.customer_id,
            "invoice_ids": list(self.invoice_ids),
            "level": self.level,
            "levels": levels,
            "channel": self.channel,
            "action_date": self.action_date,
            "payload": self.model_dump(mode="json") | {"version": _version(), "levels": levels},
        }
