"""The figures of the HTML report, gathered from a ledger.

KPIs come from :mod:`rapprochement.kpi` (aged balance in the French management-report buckets,
standard / count-back / best possible DSO, payer scores); when a KPI cannot be computed (no due
date, several currencies, too little revenue history) the report says why instead of failing,
and the aged balance falls back to a simple table computed here.

The open-amount figures tie out: the aged table's invoices (part A), plus the disputed invoices
it leaves out (part B of D441-6), plus the open credit notes (negative, netted), give the net
open amount of the ledger in that currency; the cards show the same three figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from rapprochement.errors import RapprochementError
from rapprochement.i18n import Language
from rapprochement.kpi.aging import bucket_of
from rapprochement.reasons import reason_text
from rapprochement.report import work
from rapprochement.store import Ledger

__all__ = ["AGE_BUCKETS", "ReportData", "collect", "records", "simple_aging"]

AGE_BUCKETS = ("not_due", "1-30", "31-60", "61-90", "91+")


@dataclass
class ReportData:
    """Everything the template shows."""

    as_of: dt.date
    status: dict[str, Any]
    aging: list[dict[str, Any]]
    aging_source: str
    dso: dict[str, Decimal | None]
    notes: list[str] = field(default_factory=list)
    late_payers: list[dict[str, Any]] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    currency: str = "EUR"
    returns: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    open_totals: dict[str, Any] = field(default_factory=dict)
    dso_caveat: str | None = None
    lang: Language = "en"
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    customers: list[dict[str, Any]] = field(default_factory=list)
    categories: list[dict[str, Any]] = field(default_factory=list)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a frame as plain dicts."""
    out: list[dict[str, Any]] = df.to_dict("records")  # type: ignore[assignment]
    return out


def simple_aging(items: pd.DataFrame, as_of: dt.date) -> list[dict[str, Any]]:
    """Open invoices (not credit notes) by days past due: count and amount per bucket."""
    count: dict[str, int] = defaultdict(int)
    amount: dict[str, Decimal] = defaultdict(Decimal)
    for r in records(items):
        if r["open_amount"] <= 0:
            continue
        due = r["due_date"] or r["issue_date"]
        b = bucket_of((as_of - due).days)
        count[b] += 1
        amount[b] += r["open_amount"]
    return [{"bucket": b, "count": count[b], "amount": amount[b]} for b in AGE_BUCKETS]


def _as_of(ledger: Ledger, items: pd.DataFrame) -> dt.date:
    hist = ledger.payment_history()
    days = [d for d in list(items.get("issue_date", [])) + list(hist["payment_date"]) if d]
    return max(days) if days else dt.date.today()


def _aging(
    items: pd.DataFrame, as_of: dt.date, ccy: str, notes: list[str], events: pd.DataFrame
) -> tuple[Any, str]:
    try:
        from rapprochement.kpi import aged_balance

        frame = aged_balance(items, as_of, currency=ccy, events=events)
        by_bucket = {str(r["bucket"]): r for r in records(frame.reset_index())}
        rows = [
            {"bucket": b, "count": int(by_bucket[b]["count"]), "amount": by_bucket[b]["amount"]}
            for b in (*AGE_BUCKETS, "excluded_disputed")
            if b in by_bucket
        ]
        return rows, "rapprochement.kpi.aged_balance"
    except (ImportError, RapprochementError) as exc:
        notes.append(f"aged balance: simple table ({exc})")
        return simple_aging(items, as_of), "report fallback"


def _dso(
    ledger: Ledger, items: pd.DataFrame, as_of: dt.date, ccy: str, notes: list[str]
) -> tuple[dict[str, Decimal | None], str | None]:
    out: dict[str, Decimal | None] = {"standard": None, "countback": None, "best": None}
    caveat = None
    try:
        from rapprochement.kpi import best_possible_dso, dso, dso_history, revenue_from_invoices
    except ImportError:
        notes.append("DSO: rapprochement.kpi is not available")
        return out, None
    try:
        revenue = revenue_from_invoices(items, ledger.payment_history(), through=as_of)
        months, caveat = dso_history(revenue, as_of, currency=ccy)
        if months == 0:
            raise RapprochementError(caveat or "no revenue history")
        out["standard"] = dso(items, revenue, as_of, "standard", months=months, currency=ccy)
        out["best"] = best_possible_dso(items, revenue, as_of, months=months, currency=ccy)
        out["countback"] = dso(items, revenue, as_of, "countback", currency=ccy)
    except RapprochementError as exc:
        notes.append(f"DSO: {exc}")
    if caveat:
        notes.append(f"DSO: {caveat}")
    return out, caveat


def _open_totals(items: pd.DataFrame, aging: list[dict[str, Any]], ccy: str) -> dict[str, Any]:
    """Invoices in the aged table, disputed ones left out of it, credit notes, and their net."""
    rows = {r["bucket"]: r for r in aging}
    invoices = sum((rows[b]["amount"] for b in AGE_BUCKETS if b in rows), Decimal("0.00"))
    count = sum(int(rows[b]["count"]) for b in AGE_BUCKETS if b in rows)
    disputed = rows.get("excluded_disputed", {"count": 0, "amount": Decimal("0.00")})
    credits = [r["open_amount"] for r in records(items) if r["open_amount"] < 0]
    credit = sum(credits, Decimal("0.00"))
    return {
        "invoices": invoices, "invoice_count": count, "disputed": disputed["amount"],
        "disputed_count": int(disputed["count"]), "credit_notes": credit,
        "credit_note_count": len(credits), "net": invoices + disputed["amount"] + credit,
        "currency": ccy,
    }  # fmt: skip


def _events(ledger: Ledger, as_of: dt.date) -> list[dict[str, Any]]:
    """Disputes and promises that hold on ``as_of``."""
    return records(ledger.dunning_events(as_of, active_only=True))


def _late_payers(
    ledger: Ledger, items: pd.DataFrame, as_of: dt.date, notes: list[str]
) -> list[dict[str, Any]]:
    overdue: dict[str, Decimal] = defaultdict(Decimal)
    oldest: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for r in records(items):
        cid = str(r["customer_id"])
        days = (as_of - (r["due_date"] or r["issue_date"])).days
        if r["open_amount"] > 0 and days > 0:
            overdue[cid] += r["open_amount"]
            oldest[cid] = max(oldest[cid], days)
            names[cid] = str(r["customer_name"])
    scores: dict[str, dict[str, Any]] = {}
    try:
        from rapprochement.kpi import payer_scores

        scored = payer_scores(ledger.payment_history(), as_of, returns=ledger.returns())
        for rec in records(scored):
            scores[str(rec["customer_id"])] = rec
    except (ImportError, RapprochementError) as exc:
        notes.append(f"payer scores: {exc}")
    ranked = sorted(overdue, key=lambda c: (-overdue[c], c))[:10]
    return [
        {
            "customer_id": c,
            "name": names[c],
            "overdue": overdue[c],
            "oldest_days": oldest[c],
            "avg_days_late": scores.get(c, {}).get("avg_days_late"),
            "segment": scores.get(c, {}).get("segment", ""),
            "returned_payments": scores.get(c, {}).get("returned_payments", 0),
        }
        for c in ranked
    ]


def _returns(ledger: Ledger, as_of: dt.date) -> list[dict[str, Any]]:
    """Returns booked on or before ``as_of``, latest first, with their reason in words."""
    out = [
        r | {"reason_fr": reason_text(r["reason_code"], "fr")}
        for r in records(ledger.returns())
        if r["booking_date"] is None or r["booking_date"] <= as_of
    ]
    return sorted(out, key=lambda r: (r["booking_date"] or dt.date.min, r["transaction_id"]))[::-1]


def collect(ledger: Ledger, as_of: dt.date | None = None, lang: Language = "en") -> ReportData:
    """Gather the report's figures (``as_of`` defaults to the ledger's latest activity), with
    its work sections in ``lang`` (:mod:`rapprochement.report.work`)."""
    items = ledger.open_items()
    day = as_of or _as_of(ledger, items)
    items = ledger.open_items(as_of=day) if as_of else items
    notes: list[str] = []
    ccys = sorted(set(items["currency"])) if len(items) else ["EUR"]
    ccy = "EUR" if "EUR" in ccys else ccys[0]
    if len(ccys) > 1:
        notes.append(f"KPIs in {ccy}; open items also in {', '.join(c for c in ccys if c != ccy)}")
    one = items[items["currency"] == ccy] if len(items) else items
    aging, source = _aging(one, day, ccy, notes, ledger.invoice_events())
    sugg = ledger.suggestions().head(25)
    dso_figures, caveat = _dso(ledger, one, day, ccy, notes)
    return ReportData(
        as_of=day,
        status=ledger.status(),
        aging=aging,
        aging_source=source,
        dso=dso_figures,
        dso_caveat=caveat,
        events=_events(ledger, day),
        open_totals=_open_totals(one, aging, ccy),
        notes=notes,
        late_payers=_late_payers(ledger, one, day, notes),
        suggestions=[r | {"why": work.suggestion_reason(r["explanation"])} for r in records(sugg)],
        currency=ccy,
        returns=_returns(ledger, day),
        lang=lang,
        unmatched=work.unmatched(ledger, day, lang),
        customers=work.customers(items, day)[:50],
        categories=work.categories(ledger),
    )
