"""The dunning planner: open items + history + dated states → the statements due today.

:func:`plan_dunning` is pure (the clock is ``as_of``, nothing is read or written) and idempotent:
once its actions are recorded in the history, a second run on the same day plans nothing.

Rules, per open invoice:

1. Skip it when paid (open amount 0), credited / cancelled (``status``), a credit note, under a
   dispute active on ``as_of``, or under a promise to pay whose date has not passed.
2. Its next level is the one after the highest level already recorded *for it* (escalation one
   level at a time); nothing after the last level.
3. Nothing when its last action is less than ``min_interval_days`` old (so never twice a day).
4. The next level is due when ``as_of`` ≥ its anchor + offset (+ grace days for overdue levels),
   counted in business days when the level says so; a *skippable* level is jumped when the
   level after it is already due, and a *pre-due* level (before or on the due date) is never
   given to an invoice already late.
5. Statement of account: when at least one invoice of a customer reaches a new level, one action
   per customer and currency lists every invoice that is late or reaches a level, each at its
   own level, and nets the customer's credit notes and payments on account. Its level is the
   highest of its invoices'. A balance nil or in the customer's favour, or under the level's
   minimum, gets no action. Penalties are stated on each late invoice, credits taken off the
   oldest first.
6. Business days: nothing is planned on a weekend or a public holiday of the policy's country
   (the next business day's run picks it up), and deadlines fall on business days.
7. An invoice whose payment came back (a returned direct debit or transfer, ``returns``) is
   open again: its levels count from the return date when that is after the due date (the
   customer thought it paid), its penalties from the due date, and its item carries the return
   date and reason code so that the letter acknowledges the returned payment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

import pandas as pd

from rapprochement.dunning.actions import DunningAction, DunningItem
from rapprochement.dunning.calendar import BusinessCalendar, business_calendar
from rapprochement.dunning.credits import CreditRecord, read_credits
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
from rapprochement.dunning.policy import DunningPolicy, PolicySet, end_of_month
from rapprochement.dunning.rates import RateTables
from rapprochement.dunning.returned import ReturnedPayment, read_returns
from rapprochement.dunning.statement import Invoiced, build_statement
from rapprochement.errors import ColumnError, ConfigError

__all__ = ["DunningAction", "DunningItem", "plan_dunning"]


def _shift(cal: BusinessCalendar, day: dt.date, days: int, business: bool) -> dt.date:
    return cal.add_business_days(day, days) if business else day + dt.timedelta(days=days)


def _due_on(
    policy: DunningPolicy,
    idx: int,
    item: OpenItem,
    last_action: dt.date | None,
    returned_on: dt.date | None = None,
) -> dt.date:
    level = policy.levels[idx]
    cal = business_calendar(policy.holiday_country)
    grace = policy.grace_days if level.offset_days > 0 else 0
    if level.anchor == "previous" and last_action is not None:
        return _shift(cal, last_action, level.offset_days, level.business_days)
    # a returned payment: the customer learns it is unpaid when it comes back, so escalation
    # counts from the return (penalties still run from the due date)
    due = max(item.due_date, returned_on) if returned_on else item.due_date
    base = end_of_month(due) if level.anchor == "end_of_month" else due
    return _shift(cal, base, level.offset_days + grace, level.business_days)


def _reached(
    item: OpenItem, policy: DunningPolicy, history: list[HistoryRecord]
) -> tuple[int, dt.date | None]:
    level, last = -1, None
    for h in history:
        if h.customer_id != item.customer_id:
            continue
        reached = h.level_of(item.invoice_id)
        if reached is None:  # listed in a statement without reaching a level
            continue
        idx = policy.level_index(reached)
        if idx is None:
            raise ConfigError(
                f"recorded level {reached!r} is not a level of policy {policy.name!r}",
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
    reached: tuple[int, dt.date | None],
    as_of: dt.date,
    returned_on: dt.date | None = None,
) -> int | None:
    level, last = reached
    idx = level + 1
    if last is not None and (as_of - last).days < policy.min_interval_days:
        return None
    late = as_of > item.due_date
    n = len(policy.levels)
    while idx < n and (
        (late and policy.levels[idx].pre_due)
        or (
            policy.levels[idx].skippable
            and idx + 1 < n
            and _due_on(policy, idx + 1, item, last, returned_on) <= as_of
        )
    ):
        idx += 1
    if idx >= n:
        return None
    return idx if _due_on(policy, idx, item, last, returned_on) <= as_of else None


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


def _credits_by_customer(
    items: list[OpenItem], credits: list[CreditRecord], as_of: dt.date
) -> dict[tuple[str, str], list[DunningItem]]:
    """(customer, currency) → credit rows: open credit notes and payments on account."""
    out: dict[tuple[str, str], list[DunningItem]] = defaultdict(list)
    for it in items:
        if it.is_credit_note and it.open_amount < 0 and it.status not in ("credited", "cancelled"):
            day = it.issue_date or it.due_date
            out[(it.customer_id, it.currency)].append(
                DunningItem(invoice_id=it.invoice_id, kind="credit_note", reference=it.reference,
                            issue_date=it.issue_date, due_date=day, amount=it.amount,
                            open_amount=it.open_amount, days_late=0)
            )  # fmt: skip
    for c in credits:
        if c.day <= as_of:
            out[(c.customer_id, c.currency)].append(
                DunningItem(invoice_id=c.credit_id, kind="on_account", reference=c.reference,
                            due_date=c.day, amount=-c.amount, open_amount=-c.amount, days_late=0)
            )  # fmt: skip
    return out


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
    credits: pd.DataFrame | None = None,
) -> list[DunningAction]:
    """The dunning actions due on ``as_of``, sorted by customer and currency.

    Args:
        open_items: invoices with ``invoice_id, customer_id, amount, currency, due_date`` and
            optionally ``customer_name, issue_date, open_amount, reference, segment, status``
            (see :func:`rapprochement.dunning.frames.read_open_items` for money conventions).
            Credit notes (negative amounts) are netted in their customer's statement.
        history: recorded actions (``customer_id, invoice_ids, level, action_date`` and the
            per-invoice ``levels``, or a ``payload`` holding them), or None.
        as_of: the run date; nothing after it in ``history`` is taken into account. Nothing is
            planned on a weekend or public holiday of the policy's country.
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
        credits: payments on account (``credit_id, customer_id, amount, currency, date``,
            e.g. ``Ledger.payments_on_account()``), netted like credit notes.

    Raises:
        InputError: an invoice without due date, a negative open amount, a float amount...
        RateTableError: a penalty needs a half-year missing from the rate tables.
        ConfigError: the history names a level the policy does not have.
    """
    items = read_open_items(open_items, segments=segments)
    policies = policy if isinstance(policy, PolicySet) else PolicySet(default=policy)
    if not business_calendar(policies.default.holiday_country).is_business_day(as_of):
        return []
    past: dict[str, list[HistoryRecord]] = defaultdict(list)
    for h in read_history(history):
        if h.action_date <= as_of:
            for inv in set(h.invoice_ids) | set(h.levels or ()):
                past[inv].append(h)
    evts: dict[str, list[EventRecord]] = defaultdict(list)
    for e in read_events(events):
        evts[e.invoice_id].append(e)
    paid = _payments_by_invoice(payments, as_of)
    returned = read_returns(returns, as_of)
    credit_rows = _credits_by_customer(items, read_credits(credits), as_of)
    groups: dict[tuple[str, str, str], list[Invoiced]] = defaultdict(list)
    for item in items:
        if not item.is_open or any(e.active_on(as_of) for e in evts.get(item.invoice_id, ())):
            continue
        seg = item.segment if item.segment in policies.by_segment else ""
        pol = policies.for_segment(seg)
        back: ReturnedPayment | None = returned.get(item.invoice_id)
        reached = _reached(item, pol, past.get(item.invoice_id, []))
        idx = _next_level(item, pol, reached, as_of, back.returned_on if back else None)
        groups[(item.customer_id, item.currency, seg)].append(Invoiced(item, reached[0], idx))
    actions = []
    for (customer, currency, seg), members in sorted(groups.items()):
        action = build_statement(
            policies.for_segment(seg),
            members,
            credit_rows.get((customer, currency), []),
            as_of,
            rates=rates,
            paid=paid,
            returned=returned,
        )
        if action is not None:
            actions.append(action)
    return actions
