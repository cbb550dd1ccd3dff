"""Receivables KPIs: DSO, aged balance, payer scoring, credit exposure, expected cash.

Every function is pure (``as_of`` is injected), takes DataFrames (money as Decimal, decimal text
or integer minor units, never float) and returns a DataFrame (DSO: ``Decimal`` days).
"""

from __future__ import annotations

from rapprochement.kpi.aging import BUCKETS, aged_balance
from rapprochement.kpi.dso import best_possible_dso, dso, dso_history, revenue_from_invoices
from rapprochement.kpi.exposure import credit_exposure
from rapprochement.kpi.forecast import cash_forecast
from rapprochement.kpi.scoring import ScoringRules, payer_scores

__all__ = [
    "BUCKETS",
    "ScoringRules",
    "aged_balance",
    "best_possible_dso",
    "cash_forecast",
    "credit_exposure",
    "dso",
    "dso_history",
    "payer_scores",
    "revenue_from_invoices",
]
