"""A customer's statement of account in one currency: the invoices due or reaching a level,
each at its own level, with the credit notes and payments on account netted.

Netting rules (docs/adr/0011-statements-of-account.md):

- the action exists only when at least one invoice reaches a new level today;
- it lists every open invoice that is late or reaches a level (an invoice not yet due that
  reaches nothing is not owed yet and stays out), and every open credit of the customer; a
  pre-due courtesy letter lists no late invoice (those wait for their first reminder);
- the balance claimed is the invoices listed minus the credits; nil or in the customer's favour
  (or under the level's minimum), there is no action;
- the letter's level is the highest level among its invoices;
- penalties (when the letter's level states them) run on each late invoice, the credits taken
  off the oldest invoices first (by due date, then id): a credit that covers an invoice stops
  its penalties.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rapprochement.dunning.actions import DunningAction, DunningItem
from rapprochement.dunning.calendar import business_calendar
from rapprochement.dunning.frames import OpenItem
from rapprochement.dunning.penalties import compute_penalties
from rapprochement.dunning.policy import DunningPolicy
from rapprochement.dunning.rates import RateTables
from rapprochement.dunning.returned import ReturnedPayment

__all__ = ["Invoiced", "build_statement"]

_ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Invoiced:
    """An open invoice with the level it had reached (-1: none) and the one due today."""

    item: OpenItem
    reached: int
    next_level: int | None

    @property
    def level(self) -> int | None:
        """The invoice's level after this run (None: it never reached one)."""
        if self.next_level is not None:
            return self.next_level
        return self.reached if self.reached >= 0 else None


def action_id(customer: str, currency: str, level: str, day: dt.date, ids: Sequence[str]) -> str:
    """Deterministic id of an action: same customer, currency, level, day and invoices."""
    key = "|".join([customer, currency, level, day.isoformat(), ",".join(ids)])
    return "dun-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _deadline(policy: DunningPolicy, idx: int, as_of: dt.date) -> dt.date:
    level = policy.levels[idx]
    cal = business_calendar(policy.holiday_country)
    if level.business_days:
        return cal.add_business_days(as_of, level.payment_days)
    return cal.next_business_day(as_of + dt.timedelta(days=level.payment_days))


def _penalty_bases(invoices: list[Invoiced], credit: Decimal) -> dict[str, Decimal]:
    """Invoice id → amount bearing penalties once ``credit`` is taken off the oldest first."""
    out: dict[str, Decimal] = {}
    for inv in invoices:
        taken = min(credit, inv.item.open_amount)
        credit -= taken
        out[inv.item.invoice_id] = inv.item.open_amount - taken
    return out


def build_statement(
    policy: DunningPolicy,
    members: Sequence[Invoiced],
    credits: Sequence[DunningItem],
    as_of: dt.date,
    *,
    rates: RateTables | None,
    paid: Mapping[str, list[tuple[dt.date, Decimal]]],
    returned: Mapping[str, ReturnedPayment],
) -> DunningAction | None:
    """The action for one customer and currency, or None when nothing is due or owed."""
    if all(m.next_level is None for m in members):
        return None
    listed = sorted(
        (m for m in members if m.next_level is not None or m.item.due_date < as_of),
        key=lambda m: (m.item.due_date, m.item.invoice_id),
    )
    idx = max(m.level for m in listed if m.level is not None)
    level = policy.levels[idx]
    if level.pre_due:  # a courtesy letter before the due date never speaks of a late invoice
        listed = [m for m in listed if m.item.due_date >= as_of]
    credit_rows = sorted(credits, key=lambda c: (c.due_date, c.invoice_id))
    total_credits = -sum((c.open_amount for c in credit_rows), _ZERO)
    total_open = sum((m.item.open_amount for m in listed), _ZERO) - total_credits
    if total_open <= 0 or total_open < level.min_amount:
        return None
    bases = _penalty_bases(listed, total_credits)
    lines: list[DunningItem] = []
    for m in listed:
        it = m.item
        penalty = None
        if level.include_penalties and it.due_date < as_of and bases[it.invoice_id] > 0:
            penalty = compute_penalties(
                bases[it.invoice_id],
                it.due_date,
                as_of,
                jurisdiction=policy.jurisdiction,
                b2b=policy.b2b,
                contractual_rate=policy.contractual_rate,
                rates=rates,
                paid_late=paid.get(it.invoice_id, ()),
            )
        back = returned.get(it.invoice_id)
        own = m.level
        lines.append(
            DunningItem(
                invoice_id=it.invoice_id,
                reference=it.reference,
                issue_date=it.issue_date,
                due_date=it.due_date,
                amount=it.amount,
                open_amount=it.open_amount,
                days_late=(as_of - it.due_date).days,
                level=own,
                level_name=None if own is None else policy.levels[own].name,
                escalated=m.next_level is not None,
                penalty=penalty,
                returned_on=back.returned_on if back else None,
                return_reason=(back.reason_code or None) if back else None,
            )
        )
    lines.extend(credit_rows)
    interest = sum((ln.penalty.interest for ln in lines if ln.penalty), _ZERO)
    indemnity = sum((ln.penalty.indemnity for ln in lines if ln.penalty), _ZERO)
    first = listed[0].item
    ids = [m.item.invoice_id for m in listed]
    return DunningAction(
        action_id=action_id(first.customer_id, first.currency, level.name, as_of, ids),
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
        deadline=_deadline(policy, idx, as_of),
        currency=first.currency,
        items=tuple(lines),
        total_open=total_open,
        total_credits=total_credits,
        total_interest=interest,
        total_indemnity=indemnity,
        fee=level.fee,
        total_claimed=total_open + interest + indemnity + level.fee,
    )
