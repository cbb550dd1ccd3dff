"""The dunning planner: open items + history + dated states → the actions due today.

:func:`plan_dunning` is pure (the clock is ``as_of``, nothing is read or written) and idempotent:
once its actions are recorded in the history, a second run on the same day plans nothing.

Rules, per open invoice:

1. Skip it when paid (open amount 0), credited / cancelled (``status``), a credit note, under a
   dispute active on ``as_of``, or under a promise to pay whose date has not passed.
2. Its next level is the one after the highest level already recorded for it (escalation one
   level at a time); nothing after the last level.
3. Nothing when its last action is less than ``min_interval_days`` old (so never twice a day).
4. The next level is due when ``as_of`` ≥ its anchor + offset (+ grace days for overdue levels);
   a *skippable* level is jumped when the level after it is already due.
5. Due invoices are grouped into one action per customer, currency and level; a group whose open
   amount is under the level's minimum gets no action.
6. An invoice whose payment came back (a returned direct debit or transfer, ``returns``) is
   open again: its levels count from the return date when that is after the due date (the
   customer thought it paid), its penalties from the due date, and its item carries the return
   date and reason code so that the letter acknowledges the returned payment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from rapprochement.dunning.frames import (
    EventRecord,
    HistoryRecord,
    OpenItem,
    read_events,
    read_history,
    read_open_items,
    to_date,
    to_decimal,
)
from rapprochement.dunning.penalties import PenaltyResult, compute_penalties
from rapprochement.dunning.policy import DunningPolicy, PolicySet, end_of_month
from rapprochement.dunning.rates import RateTables
from rapprochement.dunning.returned import ReturnedPayment, read_returns
from rapprochement.errors import ColumnError, ConfigError

__all__ = ["DunningAction", "DunningItem", "plan_dunning"]

_ZERO = Decimal("0.00")


def _version() -> str:
    try:
        return version("rapprochement")
    except PackageNotFoundError:  # pragma: no cover - source tree without install
        return "0.0.0"


class DunningItem(BaseModel):
    """One invoice inside a dunning action."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    invoice_id: str = Field(description="Invoice id.")
    reference: str | None = Field(None, description="Payment reference printed on the invoice.")
    issue_date: dt.date | None = Field(None, description="Invoice date.")
    due_date: dt.date = Field(description="Due date.")
    amount: Decimal = Field(description="Invoice amount.")
    open_amount: Decimal = Field(description="What is still owed.")
    days_late: int = Field(description="as_of - due date (negative = not yet due).")
    penalty: PenaltyResult | None = Field(None, description="Statutory penalties, when stated.")
    returned_on: dt.date | None = Field(
        None, description="Date the payment that had settled it came back (a return), if any."
    )
    return_reason: str | None = Field(
        None, description="SEPA reason code of that return (AM04, MD06, AC04...), if given."
    )


class DunningAction(BaseModel):
    """One reminder to send (or task to do): one customer, one level, one currency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action_id: str = Field(description="Deterministic id: same inputs, same id.")
    policy: str = Field(description="Name of the policy that planned it.")
    customer_id: str = Field(description="Customer id.")
    customer_name: str = Field(description="Customer name.")
    segment: str | None = Field(None, description="Customer segment used to pick the policy.")
    level: int = Field(description="Index of the level in the policy.")
    level_name: str = Field(description="Name of the level.")
    channel: str = Field(description="email, letter, phone, registered_letter, litigation.")
    template: str = Field(description="Template name.")
    language: str = Field(description="Letter language.")
    action_date: dt.date = Field(description="Date of the action (the run's as_of).")
    deadline: dt.date = Field(description="Date by which the customer is asked to pay.")
    currency: str = Field(description="Currency of the amounts.")
    items: tuple[DunningItem, ...] = Field(description="The invoices, sorted by id.")
    total_open: Decimal = Field(description="Sum of open amounts.")
    total_interest: Decimal = Field(_ZERO, description="Sum of late-payment interest stated.")
    total_indemnity: Decimal = Field(_ZERO, description="Sum of fixed indemnities stated.")
    fee: Decimal = Field(_ZERO, description="Level fee.")
    total_claimed: Decimal = Field(description="open + interest + indemnity + fee.")

    @property
    def invoice_ids(self) -> tuple[str, ...]:
        """Ids of the invoices in the action."""
        return tuple(i.invoice_id for i in self.items)

    def to_record(self) -> dict[str, object]:
        """The row :meth:`rapprochement.store.Ledger.record_dunning_actions` expects; its
        ``payload`` is the whole action (JSON) plus the library ``version`` that planned it."""
        return {
            "action_id": self.action_id,
            "customer_id": self.customer_id,
            "invoice_ids": list(self.invoice_ids),
            "level": self.level,
            "channel": self.channel,
            "action_date": self.action_date,
            "payload": self.model_dump(mode="json") | {"version": _version()},
        }


def _due_on(
    policy: DunningPolicy,
    idx: int,
    item: OpenItem,
    last_action: dt.date | None,
    returned_on: dt.date | None = None,
) -> dt.date:
    level = policy.levels[idx]
    grace = policy.grace_days if level.offset_days > 0 else 0
    if level.anchor == "previous" and last_action is not None:
        return last_action + dt.timedelta(days=level.offset_days)
    # a returned payment: the customer learns it is unpaid when it comes back, so escalation
    # counts from the return (penalties still run from the due date)
    due = max(item.due_date, returned_on) if returned_on else item.due_date
    base = end_of_month(due) if level.anchor == "end_of_month" else due
    return base + dt.timedelta(days=level.offset_days + grace)


def _reached(
    item: OpenItem, policy: DunningPolicy, history: list[HistoryRecord]
) -> tuple[int, dt.date | None]:
    level, last = -1, None
    for h in history:
        if item.invoice_id not in h.invoice_ids or h.customer_id != item.customer_id:
            continue
        idx = policy.level_index(h.level)
        if idx is None:
            raise ConfigError(
                f"recorded level {h.level!r} is not a level of policy {policy.name!r}",
                file="history",
                location=f"action {h.action_id}",
                hint="plan with the policy the history was recorded under",
            )
        level = max(level, idx)
        last = h.action_date if last is None else max(last, h.action_date)
    return level, last


def _next_level(
    item: OpenItem,
    policy: DunningPolicy,
    history: list[HistoryRecord],
    as_of: dt.date,
    returned_on: dt.date | None = None,
) -> int | None:
    reached, last = _reached(item, policy, history)
    idx = reached + 1
    if idx >= len(policy.levels):
        return None
    if last is not None and (as_of - last).days < policy.min_interval_days:
        return None
    while (
        policy.levels[idx].skippable
        and idx + 1 < len(policy.levels)
        and _due_on(policy, idx + 1, item, last, returned_on) <= as_of
    ):
        idx += 1
    return idx if _due_on(policy, idx, item, last, returned_on) <= as_of else None


def _action_id(customer: str, currency: str, level: str, day: dt.date, ids: list[str]) -> str:
    key = "|".join([customer, currency, level, day.isoformat(), ",".join(ids)])
    return "dun-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _payments_by_invoice(
    df: pd.DataFrame | None, as_of: dt.date
) -> dict[str, list[tuple[dt.date, Decimal]]]:
    """Invoice id → (payment date, amount) of payments on or before ``as_of``."""
    out: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    if df is None or len(df) == 0:
        return out
    for col in ("invoice_id", "amount", "payment_date"):
        if col not in df.columns:
            raise ColumnError(f"missing column {col}", file="payments")
    for rec in df.to_dict("records"):
        inv = str(rec["invoice_id"])
        row = f"invoice {inv}"
        ccy = str(rec.get("currency") or "EUR")
        amount = to_decimal(rec["amount"], ccy, frame="payments", column="amount", row=row)
        day = to_date(rec["payment_date"], frame="payments", column="payment_date", row=row)
        if amount is not None and day is not None and day <= as_of:
            out[inv].append((day, amount))
    return out


def _build(
    policy: DunningPolicy,
    idx: int,
    items: list[OpenItem],
    as_of: dt.date,
    rates: RateTables | None,
    paid: dict[str, list[tuple[dt.date, Decimal]]],
    returned: Mapping[str, ReturnedPayment],
) -> DunningAction | None:
    level = policy.levels[idx]
    items = sorted(items, key=lambda i: i.invoice_id)
    total_open = sum((i.open_amount for i in items), _ZERO)
    if total_open < level.min_amount:
        return None
    lines: list[DunningItem] = []
    for it in items:
        penalty = None
        if level.include_penalties:
            penalty = compute_penalties(
                it.open_amount,
                it.due_date,
                as_of,
                jurisdiction=policy.jurisdiction,
                b2b=policy.b2b,
                contractual_rate=policy.contractual_rate,
                rates=rates,
                paid_late=paid.get(it.invoice_id, ()),
            )
        lines.append(
            DunningItem(
                invoice_id=it.invoice_id,
                reference=it.reference,
                issue_date=it.issue_date,
                due_date=it.due_date,
                amount=it.amount,
                open_amount=it.open_amount,
                days_late=(as_of - it.due_date).days,
                penalty=penalty,
                returned_on=back.returned_on if (back := returned.get(it.invoice_id)) else None,
                return_reason=(back.reason_code or None) if back else None,
            )
        )
    interest = sum((ln.penalty.interest for ln in lines if ln.penalty), _ZERO)
    indemnity = sum((ln.penalty.indemnity for ln in lines if ln.penalty), _ZERO)
    first = items[0]
    return DunningAction(
        action_id=_action_id(
            first.customer_id, first.currency, level.name, as_of, [i.invoice_id for i in items]
        ),
        policy=policy.name,
        customer_id=first.customer_id,
        customer_name=first.customer_name,
        segment=first.segment,
        level=idx,
        level_name=level.name,
        channel=level.channel,
        template=level.template,
        language=policy.language,
        action_date=as_of,
        deadline=as_of + dt.timedelta(days=level.payment_days),
        currency=first.currency,
        items=tuple(lines),
        total_open=total_open,
        total_interest=interest,
        total_indemnity=indemnity,
        fee=level.fee,
        total_claimed=total_open + interest + indemnity + level.fee,
    )


def plan_dunning(
    open_items: pd.DataFrame,
    history: pd.DataFrame | None,
    as_of: dt.date,
    policy: DunningPolicy | PolicySet,
    *,
    events: pd.DataFrame | None = None,
    segments: Mapping[str, str] | None = None,
    rates: RateTables | None = None,
    payments: pd.DataFrame | None = None,
    returns: pd.DataFrame | None = None,
) -> list[DunningAction]:
    """The dunning actions due on ``as_of``, sorted by customer, currency and level.

    Args:
        open_items: invoices with ``invoice_id, customer_id, amount, currency, due_date`` and
            optionally ``customer_name, issue_date, open_amount, reference, segment, status``
            (see :func:`rapprochement.dunning.frames.read_open_items` for money conventions).
        history: recorded actions (``customer_id, invoice_ids, level, action_date``), or None.
        as_of: the run date; nothing after it in ``history`` is taken into account.
        policy: one policy, or a :class:`PolicySet` chosen by each customer's segment.
        events: disputes and promises to pay (``invoice_id, kind, start, end``).
        segments: customer id → segment, for items without a ``segment`` column.
        rates: rate tables for penalties (default: the shipped ones).
        payments: payments applied to invoices (``invoice_id, amount, payment_date``, e.g.
            ``Ledger.payment_history()``): parts paid after the due date still bear interest
            up to their payment date. Without it, interest runs on the open amount only.
        returns: returned payments (``Ledger.returns()``): an invoice whose payment came back
            carries the return date and reason into its action (the letters say so), and its
            escalation counts from the return date rather than the due date (penalties still
            run from the due date).

    Raises:
        InputError: an invoice without due date, a negative open amount, a float amount...
        RateTableError: a penalty needs a half-year missing from the rate tables.
        ConfigError: the history names a level the policy does not have.
    """
    items = read_open_items(open_items, segments=segments)
    past: dict[str, list[HistoryRecord]] = defaultdict(list)
    for h in read_history(history):
        if h.action_date <= as_of:
            for inv in h.invoice_ids:
                past[inv].append(h)
    evts: dict[str, list[EventRecord]] = defaultdict(list)
    for e in read_events(events):
        evts[e.invoice_id].append(e)
    policies = policy if isinstance(policy, PolicySet) else PolicySet(default=policy)
    paid = _payments_by_invoice(payments, as_of)
    returned = read_returns(returns, as_of)
    groups: dict[tuple[str, str, str, int], list[OpenItem]] = defaultdict(list)
    for item in items:
        if not item.is_open or any(e.active_on(as_of) for e in evts.get(item.invoice_id, ())):
            continue
        seg = item.segment if item.segment in policies.by_segment else ""
        back = returned.get(item.invoice_id)
        idx = _next_level(
            item,
            policies.for_segment(seg),
            past.get(item.invoice_id, []),
            as_of,
            back.returned_on if back else None,
        )
        if idx is not None:
            groups[(item.customer_id, item.currency, seg, idx)].append(item)
    actions = []
    for (_, _, seg, idx), members in sorted(groups.items()):
        action = _build(policies.for_segment(seg), idx, members, as_of, rates, paid, returned)
        if action is not None:
            actions.append(action)
    return actions
