"""Credit-limit exposure (plafond d'encours): open amount against each customer's limit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from rapprochement.dunning.frames import read_open_items, to_decimal
from rapprochement.errors import ColumnError, CurrencyError
from rapprochement.kpi.aging import pct

__all__ = ["credit_exposure"]

_ZERO = Decimal("0.00")

EXPOSURE_COLUMNS = [
    "customer_id", "name", "segment", "open_amount", "overdue_amount", "credit_limit",
    "utilisation", "headroom", "alert",
]  # fmt: skip


def credit_exposure(
    open_items: pd.DataFrame,
    customers: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
    warn_at: Decimal = Decimal(80),
    currency: str | None = None,
) -> pd.DataFrame:
    """Exposure per customer, worst first.

    Exposure is the open amount of invoices net of open credit notes. ``utilisation`` is exposure
    as % of ``credit_limit``; ``headroom`` is limit − exposure. ``alert``: ``over_limit``
    (exposure > limit), ``near_limit`` (utilisation ≥ ``warn_at`` %), ``ok``, or ``no_limit``
    (no limit set). ``overdue_amount`` counts invoices past due at ``as_of`` (when given).
    Customers with no open item are listed with zero exposure. Items in several currencies need
    ``currency`` (the one the limits are in); integer limits are minor units of it (EUR when the
    items do not say).

    Raises:
        ColumnError: ``customers`` lacks ``customer_id`` or ``credit_limit``.
        CurrencyError: open items in several currencies and ``currency`` not given.
    """
    for col in ("customer_id", "credit_limit"):
        if col not in customers.columns:
            raise ColumnError(f"missing column {col}", file="customers")
    exposure: dict[str, Decimal] = {}
    overdue: dict[str, Decimal] = {}
    names: dict[str, str] = {}
    items = read_open_items(open_items)
    currencies = sorted({i.currency for i in items})
    if currency is None and len(currencies) > 1:
        raise CurrencyError(
            f"open items are in several currencies: {', '.join(currencies)}",
            file="open_items",
            hint="pass currency=... (the currency of the credit limits)",
        )
    ccy = currency or (currencies[0] if currencies else "EUR")
    for item in items:
        if item.currency != ccy or item.status in ("paid", "credited", "cancelled", "written_off"):
            continue
        exposure[item.customer_id] = exposure.get(item.customer_id, _ZERO) + item.open_amount
        names.setdefault(item.customer_id, item.customer_name)
        late = as_of is not None and item.due_date < as_of and item.open_amount > 0
        if late:
            overdue[item.customer_id] = overdue.get(item.customer_id, _ZERO) + item.open_amount
    rows = []
    known: set[str] = set()
    for rec in customers.to_dict("records"):
        cust = str(rec["customer_id"])
        known.add(cust)
        limit = to_decimal(rec["credit_limit"], ccy, frame="customers",
                           column="credit_limit", row=f"customer {cust}")  # fmt: skip
        name = rec.get("name")
        rows.append(_row(cust, str(name) if isinstance(name, str) else names.get(cust, cust),
                         rec.get("segment"), exposure.get(cust, _ZERO),
                         overdue.get(cust, _ZERO), limit, warn_at))  # fmt: skip
    for cust in sorted(set(exposure) - known):
        rows.append(_row(cust, names[cust], None, exposure[cust], overdue.get(cust, _ZERO),
                         None, warn_at))  # fmt: skip
    order = {"over_limit": 0, "near_limit": 1, "ok": 2, "no_limit": 3}
    rows.sort(key=lambda r: (order[str(r[-1])], -Decimal(str(r[3])), str(r[0])))
    return pd.DataFrame(rows, columns=EXPOSURE_COLUMNS)


def _row(cust: str, name: str, segment: object, exp: Decimal, late: Decimal,
         limit: Decimal | None, warn_at: Decimal) -> list[object]:  # fmt: skip
    seg = segment if isinstance(segment, str) else None
    if limit is None:
        return [cust, name, seg, exp, late, None, None, None, "no_limit"]
    use = pct(exp, limit) if limit > 0 else None
    if exp > limit:
        alert = "over_limit"
    elif use is not None and use >= warn_at:
        alert = "near_limit"
    else:
        alert = "ok"
    return [cust, name, seg, exp, late, limit, use, limit - exp, alert]
